/*
 * sink_unix.c - the unix_dgram and unix_stream sinks: records to a local
 * collector (Logstash, Vector, Fluent Bit) over a unix socket.
 *
 * unix_stream writes the lines as they are (newline-delimited JSON);
 * unix_dgram sends one datagram per record, without its newline. A peer
 * that goes away fails the send; the output closes the sink and connects
 * again once a second until the listener is back. A listener that does
 * not read blocks this output's thread for at most the send timeout
 * (sink.h), never a worker.
 *
 * Thread: the owning output's thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output/sink.h"

static int dgram_open(struct sink *s, char *err, size_t errlen)
{
	s->fd = sink_unix_connect(s->path, SOCK_DGRAM, err, errlen);
	return s->fd < 0 ? -1 : 0;
}

static int stream_open(struct sink *s, char *err, size_t errlen)
{
	s->fd = sink_unix_connect(s->path, SOCK_STREAM, err, errlen);
	return s->fd < 0 ? -1 : 0;
}

static void unix_close(struct sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int dgram_send(struct sink *s, const char *buf, size_t n, size_t lines, char *err,
		      size_t errlen)
{
	const char *p = buf, *end = buf + n;

	(void)lines;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		ssize_t k;

		do
			k = send(s->fd, p, len, MSG_NOSIGNAL);
		while (k < 0 && errno == EINTR);
		if (k < 0) {
			snprintf(err, errlen, "sending to %s: %s", s->path, strerror(errno));
			return -1;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

static int stream_send(struct sink *s, const char *buf, size_t n, size_t lines, char *err,
		       size_t errlen)
{
	(void)lines;
	if (sink_write_all(s->fd, buf, n) < 0) {
		snprintf(err, errlen, "writing to %s: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

const struct sink_ops sink_unix_dgram_ops = {
	.open = dgram_open, .send = dgram_send, .close = unix_close};

const struct sink_ops sink_unix_stream_ops = {
	.open = stream_open, .send = stream_send, .close = unix_close};
