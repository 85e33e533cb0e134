/*
 * control_socket.c - the control socket (see control_socket.h for the
 * protocol and the threads).
 *
 * Socket thread: poll() over the listening socket, a wake-up pipe and up
 * to CTL_SOCKET_MAX_CLIENTS clients, each with its own line buffer. A
 * complete line is parsed here (a small strict JSON reader: one object,
 * nesting at most 16 deep, strings with the standard escapes); a command
 * is handed to the main thread as `req` under `mu`, the main thread is
 * woken with SIGUSR1, and the socket thread waits on `cv` for the answer
 * (other clients wait meanwhile). A line longer than CTL_SOCKET_MAX_LINE
 * is answered with an error and the client is closed. Answers are written
 * with a send timeout so that a client that does not read cannot hold the
 * thread for long.
 *
 * Hand-off: the main thread marks a request `taken` before running it and
 * `done` after; when stopping, the socket thread withdraws a request that
 * was not taken yet (answering that the sensor is stopping), so neither
 * side ever waits for the other at shutdown.
 */
#include "core/control_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "core/control.h"
#include "core/plugin_loader.h"
#include "core/worker.h"
#include "output/eve.h"
#include "output/json.h"

#define JSON_MAX_DEPTH 16

struct ctl_request {
	char command[64];
	char iface[64];
	bool has_iface;
	struct jbuf reply;
	bool done;
};

struct client {
	int fd;
	char *buf;
	size_t len;
};

struct ctl_socket {
	struct run_ctl *ctl;
	const char *const *ifaces;
	size_t n_ifaces;
	char *path;
	int lfd;
	int wake[2]; /* stop pipe */
	pthread_t thread, main_thread;
	struct client clients[CTL_SOCKET_MAX_CLIENTS];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ctl_request *req; /* pending for the main thread */
	bool taken, stopping;
};

/* ------------------------------------------------------ JSON reading */

struct jp {
	const char *p, *end;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static bool hex4(const char *p)
{
	for (int i = 0; i < 4; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || ((p[i] | 32) >= 'a' && (p[i] | 32) <= 'f')))
			return false;
	return true;
}

/* A string; its text (escapes resolved, \u as '?' unless ASCII) into
 * out when out is not NULL, cut at outlen - 1. */
static bool jstring(struct jp *j, char *out, size_t outlen)
{
	size_t n = 0;

	if (j->p >= j->end || *j->p != '"')
		return false;
	for (j->p++; j->p < j->end; j->p++) {
		char c = *j->p;

		if (c == '"') {
			j->p++;
			if (out)
				out[n] = '\0';
			return true;
		}
		if ((unsigned char)c < 0x20)
			return false;
		if (c == '\\') {
			if (++j->p >= j->end)
				return false;
			c = *j->p;
			if (c == 'u') {
				if (j->end - j->p < 5 || !hex4(j->p + 1))
					return false;
				j->p += 4;
				c = '?';
			} else if (!strchr("\"\\/bfnrt", c)) {
				return false;
			}
		}
		if (out && n + 1 < outlen)
			out[n++] = c;
	}
	return false;
}

static bool jvalue(struct jp *j, int depth);

static bool jliteral(struct jp *j)
{
	static const char *const words[] = {"true", "false", "null"};

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(j->end - j->p) >= n && !memcmp(j->p, words[i], n)) {
			j->p += n;
			return true;
		}
	}
	return false;
}

static bool jnumber(struct jp *j)
{
	const char *start = j->p;

	while (j->p < j->end && strchr("+-0123456789.eE", *j->p))
		j->p++;
	return j->p > start;
}

static bool jarray(struct jp *j, int depth)
{
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return true;
	}
	for (;;) {
		if (!jvalue(j, depth + 1))
			return false;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return true;
		}
		return false;
	}
}

/* An object; `on_key` sees each key with j->p at its value and must
 * consume the value (NULL: values are skipped). */
typedef bool (*key_fn)(struct jp *j, const char *key, int depth, void *arg);

static bool jobject(struct jp *j, int depth, key_fn on_key, void *arg)
{
	char key[64];

	if (depth > JSON_MAX_DEPTH || j->p >= j->end || *j->p != '{')
		return false;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		ws(j);
		if (!jstring(j, key, sizeof(key)))
			return false;
		ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			return false;
		ws(j);
		if (!(on_key ? on_key(j, key, depth, arg) : jvalue(j, depth + 1)))
			return false;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return true;
		}
		return false;
	}
}

static bool jvalue(struct jp *j, int depth)
{
	if (depth > JSON_MAX_DEPTH || j->p >= j->end)
		return false;
	switch (*j->p) {
	case '"':
		return jstring(j, NULL, 0);
	case '{':
		return jobject(j, depth, NULL, NULL);
	case '[':
		return jarray(j, depth);
	case 't':
	case 'f':
	case 'n':
		return jliteral(j);
	default:
		return jnumber(j);
	}
}

struct parsed {
	struct ctl_request *r;
	bool has_command, has_version;
};

static bool on_argument(struct jp *j, const char *key, int depth, void *arg)
{
	struct parsed *ps = arg;

	if (strcmp(key, "iface") == 0 && j->p < j->end && *j->p == '"') {
		ps->r->has_iface = true;
		return jstring(j, ps->r->iface, sizeof(ps->r->iface));
	}
	return jvalue(j, depth + 1);
}

static bool on_top_key(struct jp *j, const char *key, int depth, void *arg)
{
	struct parsed *ps = arg;

	if (strcmp(key, "command") == 0 && j->p < j->end && *j->p == '"') {
		ps->has_command = true;
		return jstring(j, ps->r->command, sizeof(ps->r->command));
	}
	if (strcmp(key, "arguments") == 0 && j->p < j->end && *j->p == '{')
		return jobject(j, depth + 1, on_argument, ps);
	if (strcmp(key, "version") == 0)
		ps->has_version = true;
	return jvalue(j, depth + 1);
}

/* ------------------------------------------------------------ replies */

static void reply_text(struct jbuf *j, bool ok, const char *message)
{
	jbuf_reset(j);
	j->need_comma = false;
	jbuf_open_object(j, NULL);
	jbuf_str(j, "return", ok ? "OK" : "NOK");
	if (message)
		jbuf_str(j, "message", message);
	jbuf_close_object(j);
}

static void reply_begin(struct jbuf *j)
{
	jbuf_reset(j);
	j->need_comma = false;
	jbuf_open_object(j, NULL);
	jbuf_str(j, "return", "OK");
}

/* ----------------------------------------------- commands (main thread) */

static void plugins_rules(struct jbuf *j, const struct plugin_set *ps, size_t *total)
{
	*total = 0;
	jbuf_open_object(j, "plugins");
	for (size_t i = 0; ps && i < ps->n; i++) {
		jbuf_open_object(j, ps->p[i].desc->name);
		jbuf_str(j, "version", ps->p[i].desc->version ? ps->p[i].desc->version : "");
		jbuf_u64(j, "rules_loaded", ps->p[i].n_rules - ps->p[i].n_twins);
		jbuf_close_object(j);
		*total += ps->p[i].n_rules - ps->p[i].n_twins;
	}
	jbuf_close_object(j);
}

static void cmd_reload(struct ctl_socket *s, struct jbuf *j)
{
	struct run_ctl *c = s->ctl;
	size_t total;
	int rc = ctl_reload(c);
	char msg[2300];

	if (rc > 0) {
		reply_text(j, false, "a previous reload is still being taken up; try again");
		return;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg),
			 "rule reload failed with %u error%s; the running rules "
			 "stay: %s",
			 c->reload_errors, c->reload_errors == 1 ? "" : "s", c->reload_text);
		reply_text(j, false, msg);
		return;
	}
	reply_begin(j);
	jbuf_open_object(j, "message");
	plugins_rules(j, atomic_load(&c->current), &total);
	jbuf_u64(j, "rules_loaded", total);
	jbuf_u64(j, "rules_failed", 0);
	jbuf_u64(j, "reloads", c->reloads);
	jbuf_close_object(j);
	jbuf_close_object(j);
}

static void cmd_ruleset_stats(struct ctl_socket *s, struct jbuf *j)
{
	struct run_ctl *c = s->ctl;
	size_t total;

	reply_begin(j);
	jbuf_open_object(j, "message");
	plugins_rules(j, atomic_load(&c->current), &total);
	jbuf_u64(j, "rules_loaded", total);
	jbuf_u64(j, "reloads", c->reloads);
	jbuf_u64(j, "reload_failures", c->reload_failures);
	jbuf_close_object(j);
	jbuf_close_object(j);
}

static bool iface_known(const struct ctl_socket *s, const char *name)
{
	for (size_t i = 0; i < s->n_ifaces; i++)
		if (strcmp(s->ifaces[i], name) == 0)
			return true;
	return false;
}

static void cmd_iface_stat(struct ctl_socket *s, struct ctl_request *r, struct jbuf *j)
{
	struct run_ctl *c = s->ctl;
	uint64_t pkts = 0, drops = 0, bad = 0;
	char msg[128];

	if (!c->live) {
		reply_text(j, false, "not capturing live (reading a capture file)");
		return;
	}
	if (r->has_iface && !iface_known(s, r->iface)) {
		snprintf(msg, sizeof(msg), "no such interface being captured: %s", r->iface);
		reply_text(j, false, msg);
		return;
	}
	for (unsigned i = 0; i < c->n_workers; i++) {
		struct worker_snapshot w;

		worker_snapshot(c->workers[i], &w);
		pkts += w.kernel_packets;
		drops += w.kernel_drops;
		bad += w.csum_bad_ip + w.csum_bad_tcp + w.csum_bad_other;
	}
	reply_begin(j);
	jbuf_open_object(j, "message");
	jbuf_open_array(j, "ifaces");
	for (size_t i = 0; i < s->n_ifaces; i++)
		if (!r->has_iface || !strcmp(s->ifaces[i], r->iface))
			jbuf_str(j, NULL, s->ifaces[i]);
	jbuf_close_array(j);
	jbuf_u64(j, "pkts", pkts);
	jbuf_u64(j, "drop", drops);
	jbuf_u64(j, "invalid-checksums", bad);
	jbuf_close_object(j);
	jbuf_close_object(j);
}

static const char *const commands[] = {
	"version",	 "uptime",     "reload-rules", "reopen-log-files", "dump-counters",
	"ruleset-stats", "iface-stat", "shutdown",     "command-list",	   NULL};

static void cmd_list(struct jbuf *j)
{
	reply_begin(j);
	jbuf_open_object(j, "message");
	jbuf_open_array(j, "commands");
	for (size_t i = 0; commands[i]; i++)
		jbuf_str(j, NULL, commands[i]);
	jbuf_close_array(j);
	jbuf_close_object(j);
	jbuf_close_object(j);
}

static void run_command(struct ctl_socket *s, struct ctl_request *r)
{
	struct run_ctl *c = s->ctl;
	struct jbuf *j = &r->reply;
	const char *cmd = r->command;

	if (!strcmp(cmd, "version")) {
		reply_text(j, true, SENSOR_VERSION);
	} else if (!strcmp(cmd, "uptime")) {
		reply_begin(j);
		jbuf_i64(j, "message", (ctl_now_usec() - c->start_usec) / 1000000);
		jbuf_close_object(j);
	} else if (!strcmp(cmd, "reload-rules")) {
		cmd_reload(s, j);
	} else if (!strcmp(cmd, "reopen-log-files")) {
		bool ok = eve_writer_reopen(c->eve) == 0;

		reply_text(j, ok, ok ? "done" : "reopening an output file failed (see the log)");
	} else if (!strcmp(cmd, "dump-counters")) {
		reply_begin(j);
		if (ctl_stats_json(c, j, "message") < 0)
			reply_text(j, false, "out of memory");
		else
			jbuf_close_object(j);
	} else if (!strcmp(cmd, "ruleset-stats")) {
		cmd_ruleset_stats(s, j);
	} else if (!strcmp(cmd, "iface-stat")) {
		cmd_iface_stat(s, r, j);
	} else if (!strcmp(cmd, "shutdown")) {
		c->stop = true;
		log_info("control socket: shutdown requested");
		reply_text(j, true, "Closing the sensor");
	} else {
		cmd_list(j);
	}
}

void ctl_socket_serve(struct ctl_socket *s)
{
	struct ctl_request *r;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	r = s->taken ? NULL : s->req;
	if (r)
		s->taken = true;
	pthread_mutex_unlock(&s->mu);
	if (!r)
		return;
	run_command(s, r);
	pthread_mutex_lock(&s->mu);
	r->done = true;
	s->req = NULL;
	s->taken = false;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------ socket thread */

static bool known_command(const char *cmd)
{
	for (size_t i = 0; commands[i]; i++)
		if (!strcmp(cmd, commands[i]))
			return true;
	return false;
}

/* Hand r to the main thread and wait for its answer. */
static void on_main_thread(struct ctl_socket *s, struct ctl_request *r)
{
	struct timespec ts;

	pthread_mutex_lock(&s->mu);
	s->req = r;
	pthread_mutex_unlock(&s->mu);
	pthread_kill(s->main_thread, SIGUSR1);
	pthread_mutex_lock(&s->mu);
	while (!r->done) {
		if (s->stopping && !s->taken) {
			s->req = NULL;
			reply_text(&r->reply, false, "the sensor is stopping");
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
}

static void answer_line(struct ctl_socket *s, const char *line, size_t len, struct jbuf *out)
{
	struct ctl_request r;
	struct parsed ps = {.r = &r};
	struct jp j = {line, line + len};
	char msg[160];

	memset(&r, 0, sizeof(r));
	jbuf_init(&r.reply);
	ws(&j);
	if (!jobject(&j, 0, on_top_key, &ps) || (ws(&j), j.p != j.end)) {
		reply_text(&r.reply, false,
			   "invalid JSON: send one object per line, such as "
			   "{\"command\": \"version\"}");
	} else if (!ps.has_command && ps.has_version) {
		reply_text(&r.reply, true, NULL);
	} else if (!ps.has_command) {
		reply_text(&r.reply, false, "no \"command\" string in the request");
	} else if (!known_command(r.command)) {
		snprintf(msg, sizeof(msg), "unknown command '%s' (command-list lists them)",
			 r.command);
		reply_text(&r.reply, false, msg);
	} else {
		on_main_thread(s, &r);
	}
	jbuf_append(&r.reply, "\n", 1);
	jbuf_append(out, r.reply.buf ? r.reply.buf : "", r.reply.len);
	jbuf_free(&r.reply);
}

static void client_close(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	free(cl->buf);
	cl->fd = -1;
	cl->buf = NULL;
	cl->len = 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Answer every complete line in the client's buffer. false: close it. */
static bool client_lines(struct ctl_socket *s, struct client *cl)
{
	struct jbuf out;
	size_t start = 0;
	bool ok = true;
	char *nl;

	jbuf_init(&out);
	while ((nl = memchr(cl->buf + start, '\n', cl->len - start))) {
		size_t n = (size_t)(nl - (cl->buf + start));

		if (n && !(n == 1 && cl->buf[start] == '\r'))
			answer_line(s, cl->buf + start, n, &out);
		start += n + 1;
	}
	memmove(cl->buf, cl->buf + start, cl->len - start);
	cl->len -= start;
	if (cl->len >= CTL_SOCKET_MAX_LINE) {
		static const char too_long[] = "{\"return\":\"NOK\",\"message\":\"request line "
					       "longer than 65536 bytes\"}\n";

		jbuf_append(&out, too_long, sizeof(too_long) - 1);
		ok = false;
	}
	if (out.len && send_all(cl->fd, out.buf, out.len) < 0)
		ok = false;
	jbuf_free(&out);
	return ok;
}

static void client_read(struct ctl_socket *s, struct client *cl)
{
	ssize_t k = read(cl->fd, cl->buf + cl->len, CTL_SOCKET_MAX_LINE - cl->len);

	if (k < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (k <= 0) {
		client_close(cl);
		return;
	}
	cl->len += (size_t)k;
	if (!client_lines(s, cl))
		client_close(cl);
}

static void client_accept(struct ctl_socket *s)
{
	struct timeval tv = {2, 0};
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < CTL_SOCKET_MAX_CLIENTS; i++) {
		struct client *cl = &s->clients[i];

		if (cl->fd >= 0)
			continue;
		cl->buf = malloc(CTL_SOCKET_MAX_LINE + 1);
		if (!cl->buf)
			break;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		cl->fd = fd;
		cl->len = 0;
		return;
	}
	send_all(fd, "{\"return\":\"NOK\",\"message\":\"too many clients\"}\n", 46);
	close(fd);
}

static void *socket_main(void *arg)
{
	struct ctl_socket *s = arg;
	struct pollfd p[CTL_SOCKET_MAX_CLIENTS + 2];

	for (;;) {
		size_t n = 2, map[CTL_SOCKET_MAX_CLIENTS];

		p[0] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
		p[1] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
		for (size_t i = 0; i < CTL_SOCKET_MAX_CLIENTS; i++)
			if (s->clients[i].fd >= 0) {
				map[n - 2] = i;
				p[n++] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLIN};
			}
		if (poll(p, n, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN)
			client_accept(s);
		for (size_t k = 2; k < n; k++)
			if (p[k].revents)
				client_read(s, &s->clients[map[k - 2]]);
	}
	return NULL;
}

/* ------------------------------------------------------------ set-up */

/* Refuse a path where another process listens; remove a stale socket. */
static int claim_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "control socket %s: exists and is not a socket", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		snprintf(err, errlen, "control socket %s: another process listens there", path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	return 0;
}

static int listen_on(struct ctl_socket *s, const struct ctl_socket_config *cfg, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct group *gr = cfg->group ? getgrnam(cfg->group) : NULL;

	if (strlen(s->path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path %s is too long (at most %zu bytes)",
			 s->path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (claim_path(s->path, err, errlen) < 0)
		return -1;
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->lfd, 16) != 0) {
		snprintf(err, errlen, "control socket %s: %s", s->path, strerror(errno));
		return -1;
	}
	if (chmod(s->path, cfg->mode) != 0)
		log_warn("control socket %s: cannot set mode %o: %s", s->path, cfg->mode,
			 strerror(errno));
	if (cfg->group && (!gr || chown(s->path, (uid_t)-1, gr->gr_gid) != 0))
		log_warn("control socket %s: cannot give it to group %s", s->path, cfg->group);
	return 0;
}

struct ctl_socket *ctl_socket_start(struct run_ctl *c, const struct ctl_socket_config *cfg,
				    const char *const *ifaces, size_t n_ifaces, char *err,
				    size_t errlen)
{
	struct ctl_socket *s = calloc(1, sizeof(*s));

	if (!s || !(s->path = strdup(cfg->path))) {
		snprintf(err, errlen, "control socket: out of memory");
		free(s);
		return NULL;
	}
	s->ctl = c;
	s->ifaces = ifaces;
	s->n_ifaces = n_ifaces;
	s->lfd = s->wake[0] = s->wake[1] = -1;
	s->main_thread = pthread_self();
	for (size_t i = 0; i < CTL_SOCKET_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (listen_on(s, cfg, err, errlen) < 0 || pipe2(s->wake, O_CLOEXEC) != 0 ||
	    pthread_create(&s->thread, NULL, socket_main, s) != 0) {
		if (!err[0])
			snprintf(err, errlen, "control socket: %s", strerror(errno));
		if (s->lfd >= 0) {
			close(s->lfd);
			unlink(s->path);
		}
		s->lfd = -1;
		ctl_socket_stop(s);
		return NULL;
	}
	log_notice("control socket listening on %s", s->path);
	return s;
}

void ctl_socket_stop(struct ctl_socket *s)
{
	ssize_t rc;

	if (!s)
		return;
	if (s->lfd >= 0) {
		pthread_mutex_lock(&s->mu);
		s->stopping = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		rc = write(s->wake[1], "x", 1);
		(void)rc;
		pthread_join(s->thread, NULL);
		close(s->lfd);
		unlink(s->path);
	}
	for (size_t i = 0; i < CTL_SOCKET_MAX_CLIENTS; i++)
		client_close(&s->clients[i]);
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->path);
	free(s);
}
