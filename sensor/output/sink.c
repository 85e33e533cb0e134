/*
 * sink.c - what the sinks share: choosing the ops for a kind, the path a
 * file or socket sink uses, and connecting a unix socket with send
 * timeouts (see sink.h).
 *
 * Only the owning output's thread calls these after sink_init().
 */
#include "output/sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static const struct sink_ops *ops_for(enum sink_kind k)
{
	switch (k) {
	case SINK_FILE:
		return &sink_file_ops;
	case SINK_UNIX_DGRAM:
		return &sink_unix_dgram_ops;
	case SINK_UNIX_STREAM:
		return &sink_unix_stream_ops;
	case SINK_SYSLOG:
		return &sink_syslog_ops;
	case SINK_REDIS:
		return &sink_redis_ops;
	}
	return NULL;
}

/* The file or socket path: relative file names go to log_dir. */
static char *sink_path(const struct output_conf *c, const char *log_dir)
{
	bool named =
		c->sink == SINK_FILE || c->sink == SINK_UNIX_DGRAM || c->sink == SINK_UNIX_STREAM;
	const char *name = named ? c->filename : c->socket_path;
	char *p;
	size_t n;

	if (!name && c->sink == SINK_SYSLOG)
		name = "/dev/log";
	if (!name)
		return NULL;
	if (!named || name[0] == '/' || !log_dir)
		return strdup(name);
	n = strlen(log_dir) + strlen(name) + 2;
	p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", log_dir, name);
	return p;
}

int sink_init(struct sink *s, const struct output_conf *conf, const char *log_dir, char *err,
	      size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->conf = conf;
	s->ops = ops_for(conf->sink);
	s->path = sink_path(conf, log_dir);
	if (!s->ops) {
		snprintf(err, errlen, "output %s: unknown sink", conf->name);
		return -1;
	}
	if (conf->sink == SINK_REDIS && !conf->socket_path)
		snprintf(s->target, sizeof(s->target), "redis %s:%u",
			 conf->host ? conf->host : "127.0.0.1", conf->port);
	else if (s->path)
		snprintf(s->target, sizeof(s->target), "%s %s", output_sink_name(conf->sink),
			 s->path);
	else {
		snprintf(err, errlen, "output %s: the %s sink needs a %s", conf->name,
			 output_sink_name(conf->sink),
			 conf->sink == SINK_SYSLOG ? "socket" : "filename");
		return -1;
	}
	return 0;
}

void sink_fini(struct sink *s)
{
	if (s->ops)
		s->ops->close(s);
	free(s->path);
	s->path = NULL;
}

int sink_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == ENOTSOCK)
			k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0) {
			errno = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int sink_unix_connect(const char *path, int type, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {SINK_SEND_TIMEOUT_MS / 1000, (SINK_SEND_TIMEOUT_MS % 1000) * 1000};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
