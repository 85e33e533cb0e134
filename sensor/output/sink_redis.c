/*
 * sink_redis.c - the redis sink (hiredis): each record is one command,
 * LPUSH or RPUSH to a list, PUBLISH to a channel, or XADD to a stream
 * (field `eve`, trimmed with MAXLEN ~ n when `stream-maxlen` is set, MAXLEN n
 * with `stream-trim-exact`).
 *
 * Commands are pipelined: up to `batch` are appended to the connection's
 * output buffer and written together, then their replies are read. The
 * server is reached on host:port or on a unix socket; AUTH is sent first
 * when a password is set. Connect and command timeouts (sink.h) bound how
 * long a stuck server holds this output's thread. Any failure (connection
 * lost, timeout, an error reply such as WRONGTYPE or NOAUTH) fails the
 * batch: the output counts its records as dropped, frees the context and
 * connects again once a second.
 *
 * Thread: the owning output's thread only.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "output/sink.h"

static const char *const commands[] = {"LPUSH", "RPUSH", "PUBLISH", "XADD"};

static void redis_close(struct sink *s)
{
	if (s->ctx)
		redisFree(s->ctx);
	s->ctx = NULL;
}

static int auth(redisContext *c, const char *password, char *err, size_t errlen)
{
	redisReply *r = redisCommand(c, "AUTH %s", password);
	int rc = 0;

	if (!r || r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "redis AUTH failed: %s", r ? r->str : c->errstr);
		rc = -1;
	}
	if (r)
		freeReplyObject(r);
	return rc;
}

static int redis_open(struct sink *s, char *err, size_t errlen)
{
	const struct output_conf *c = s->conf;
	struct timeval tv = {SINK_SEND_TIMEOUT_MS / 1000, (SINK_SEND_TIMEOUT_MS % 1000) * 1000};
	redisContext *ctx;

	if (s->path)
		ctx = redisConnectUnixWithTimeout(s->path, tv);
	else
		ctx = redisConnectWithTimeout(c->host ? c->host : "127.0.0.1", c->port, tv);
	if (!ctx || ctx->err) {
		snprintf(err, errlen, "cannot connect to %s: %s", s->target,
			 ctx ? ctx->errstr : "out of memory");
		goto fail;
	}
	if (redisSetTimeout(ctx, tv) != REDIS_OK) {
		snprintf(err, errlen, "%s: cannot set a timeout", s->target);
		goto fail;
	}
	if (c->password && auth(ctx, c->password, err, errlen) < 0)
		goto fail;
	if (c->stream_maxlen)
		snprintf(s->maxlen, sizeof(s->maxlen), "%llu",
			 (unsigned long long)c->stream_maxlen);
	s->ctx = ctx;
	return 0;
fail:
	if (ctx)
		redisFree(ctx);
	return -1;
}

/* Append one record's command to the pipeline. */
static int append(struct sink *s, const char *line, size_t len)
{
	const struct output_conf *c = s->conf;
	const char *key = c->key ? c->key : "sensor";
	const char *argv[8];
	size_t lens[8];
	int n = 0;

	argv[n] = commands[c->redis_mode], lens[n++] = strlen(commands[c->redis_mode]);
	argv[n] = key, lens[n++] = strlen(key);
	if (c->redis_mode == REDIS_XADD) {
		if (s->maxlen[0]) {
			argv[n] = "MAXLEN", lens[n++] = 6;
			if (!c->stream_trim_exact)
				argv[n] = "~", lens[n++] = 1;
			argv[n] = s->maxlen, lens[n++] = strlen(s->maxlen);
		}
		argv[n] = "*", lens[n++] = 1;
		argv[n] = "eve", lens[n++] = 3;
	}
	argv[n] = line, lens[n++] = len;
	return redisAppendCommandArgv(s->ctx, n, argv, lens) == REDIS_OK ? 0 : -1;
}

/* Read `n` replies; the first error fails the batch. */
static int replies(struct sink *s, size_t n, char *err, size_t errlen)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		redisContext *ctx = s->ctx;
		redisReply *r = NULL;

		if (redisGetReply(ctx, (void **)&r) != REDIS_OK || !r) {
			snprintf(err, errlen, "%s: %s", s->target,
				 ctx->errstr[0] ? ctx->errstr : "no reply");
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR && rc == 0) {
			snprintf(err, errlen, "%s answered: %s", s->target, r->str);
			rc = -1;
		}
		freeReplyObject(r);
	}
	return rc;
}

static int redis_send(struct sink *s, const char *buf, size_t n, size_t lines, char *err,
		      size_t errlen)
{
	const char *p = buf, *end = buf + n;
	size_t queued = 0, batch = s->conf->batch ? s->conf->batch : 1;

	(void)lines;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (append(s, p, len) < 0) {
			snprintf(err, errlen, "%s: out of memory", s->target);
			return -1;
		}
		p += len + (nl ? 1 : 0);
		if (++queued == batch || p >= end) {
			if (replies(s, queued, err, errlen) < 0)
				return -1;
			queued = 0;
		}
	}
	return 0;
}

const struct sink_ops sink_redis_ops = {
	.open = redis_open, .send = redis_send, .close = redis_close};
