/*
 * sensorctl - a client for the sensor's control socket (see
 * sensor/core/control_socket.h and docs/operations.md).
 *
 *   sensorctl [-s SOCKET] COMMAND [IFACE]
 *
 * Connects to SOCKET (default $SENSOR_SOCKET, else /run/sensor/sensor.sock),
 * sends the version handshake and one command as JSON lines, prints the
 * answer's JSON line and exits 0 when it says "OK", 1 when "NOK", 2 when
 * the socket cannot be reached or answers nothing. IFACE is the argument
 * of iface-stat.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/sensor/sensor.sock"
#define REPLY_MAX      (4 << 20)

static void usage(FILE *f)
{
	fprintf(f, "usage: sensorctl [-s SOCKET] COMMAND [IFACE]\n"
		   "commands: version, uptime, reload-rules, reopen-log-files, dump-counters,\n"
		   "          ruleset-stats, iface-stat [IFACE], shutdown, command-list\n"
		   "SOCKET defaults to $SENSOR_SOCKET, else " DEFAULT_SOCKET "\n");
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sensorctl: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "sensorctl: cannot connect to %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* `s` as a JSON string body (quotes and controls escaped) into out. */
static void json_escape(char *out, size_t outlen, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, outlen - n, "\\%c", c);
		else if (c < 0x20)
			n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

static int send_line(int fd, const char *line)
{
	size_t n = strlen(line);

	while (n) {
		ssize_t k = send(fd, line, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		line += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One answer line into buf (NUL-terminated, newline dropped). */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len + 1 < cap) {
		ssize_t k = read(fd, buf + len, 1);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return 0;
		}
		len++;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("SENSOR_SOCKET");
	char req[512], cmd[128], arg[256], *reply;
	int i = 1, fd, rc;

	if (!sock || !*sock)
		sock = DEFAULT_SOCKET;
	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		sock = argv[2];
		i = 3;
	}
	if (i < argc && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (i >= argc || argc - i > 2) {
		usage(stderr);
		return 2;
	}
	json_escape(cmd, sizeof(cmd), argv[i]);
	if (i + 1 < argc) {
		json_escape(arg, sizeof(arg), argv[i + 1]);
		snprintf(req, sizeof(req),
			 "{\"command\":\"%s\",\"arguments\":{\"iface\":\"%s\"}}\n", cmd, arg);
	} else {
		snprintf(req, sizeof(req), "{\"command\":\"%s\"}\n", cmd);
	}
	fd = connect_to(sock);
	if (fd < 0)
		return 2;
	reply = malloc(REPLY_MAX);
	if (!reply || send_line(fd, "{\"version\":\"0.2\"}\n") < 0 ||
	    read_line(fd, reply, REPLY_MAX) < 0 || send_line(fd, req) < 0 ||
	    read_line(fd, reply, REPLY_MAX) < 0) {
		fprintf(stderr, "sensorctl: no answer from %s\n", sock);
		free(reply);
		close(fd);
		return 2;
	}
	printf("%s\n", reply);
	rc = strstr(reply, "\"return\":\"OK\"") ? 0 : 1;
	free(reply);
	close(fd);
	return rc;
}
