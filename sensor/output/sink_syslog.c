/*
 * sink_syslog.c - the syslog sink: one syslog message per record, sent to
 * the local syslog daemon's socket (/dev/log, or `socket:`).
 *
 * The message is what syslog(3) sends locally, built here so that each
 * output has its own facility, level and identity (openlog() is one per
 * process): "<PRI>Mmm dd HH:MM:SS IDENTITY[PID]: RECORD", PRI being
 * facility * 8 + level, the time local. A record longer than the daemon
 * takes is its problem to cut; nothing here splits a record.
 *
 * Thread: the owning output's thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "output/sink.h"

static int syslog_open(struct sink *s, char *err, size_t errlen)
{
	s->fd = sink_unix_connect(s->path, SOCK_DGRAM, err, errlen);
	return s->fd < 0 ? -1 : 0;
}

static void syslog_close(struct sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* "<PRI>Mmm dd HH:MM:SS ident[pid]: " into out. */
static size_t header(const struct sink *s, char *out, size_t outlen)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(out, outlen, "<%d>%s %s[%ld]: ", s->conf->facility * 8 + s->conf->level, stamp,
		     s->conf->identity ? s->conf->identity : "sensor", (long)getpid());
	return n < 0 ? 0 : (size_t)n >= outlen ? outlen - 1 : (size_t)n;
}

static int syslog_send(struct sink *s, const char *buf, size_t n, size_t lines, char *err,
		       size_t errlen)
{
	const char *p = buf, *end = buf + n;
	char head[160];
	size_t hlen = header(s, head, sizeof(head));

	(void)lines;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct iovec iov[2] = {{head, hlen}, {(void *)p, len}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
		ssize_t k;

		do
			k = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
		while (k < 0 && errno == EINTR);
		if (k < 0) {
			snprintf(err, errlen, "sending to %s: %s", s->path, strerror(errno));
			return -1;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

const struct sink_ops sink_syslog_ops = {
	.open = syslog_open, .send = syslog_send, .close = syslog_close};
