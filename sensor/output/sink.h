/*
 * sink.h - the interface an output's thread drives: open, send whole
 * lines, tick, reopen, close. One struct sink per output; only that
 * output's thread calls these, so a sink needs no lock.
 *
 * send() gets a buffer of whole lines (each ending in '\n') and how many.
 * It returns 0 when the sink took them all, or -1 with err filled when the
 * sink failed; the output then counts the lines as dropped, closes the
 * sink and opens it again later. A sink blocks its own thread only, never
 * for long (sockets have send timeouts), so that shutting down does not
 * hang on a stuck peer.
 */
#ifndef SENSOR_SINK_H
#define SENSOR_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/output.h"

#define SINK_SEND_TIMEOUT_MS 2000

struct sink;

struct sink_ops {
	/* Open the file or connect. 0, or -1 with err. */
	int (*open)(struct sink *s, char *err, size_t errlen);
	/* Send `n` bytes holding `lines` whole lines. 0, or -1 with err. */
	int (*send)(struct sink *s, const char *buf, size_t n, size_t lines, char *err,
		    size_t errlen);
	/* About once a second while open (rotation by interval); may be NULL. */
	int (*tick)(struct sink *s, int64_t now_s, char *err, size_t errlen);
	/* SIGHUP: a file opens its path again; NULL for sockets. */
	int (*reopen)(struct sink *s, char *err, size_t errlen);
	/* Close what open() opened; fine when not open. */
	void (*close)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	const struct output_conf *conf; /* borrowed from the output */
	char *path;			/* file or socket path, owned; NULL for TCP */
	char target[300];		/* "file /x/eve.json", for messages */
	int fd;				/* -1 when closed */
	void *ctx;			/* redis context */
	/* file: size written since open, when to rotate next */
	uint64_t size;
	int64_t next_rotate_s;
	bool chown_warned;
	/* redis: the command prefix rendered once */
	char maxlen[32];
};

/* Set up `s` for `conf` (no I/O yet). 0, or -1 with err. */
int sink_init(struct sink *s, const struct output_conf *conf, const char *log_dir, char *err,
	      size_t errlen);
void sink_fini(struct sink *s);

extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_unix_dgram_ops;
extern const struct sink_ops sink_unix_stream_ops;
extern const struct sink_ops sink_syslog_ops;
extern const struct sink_ops sink_redis_ops;

/* Shared by the socket sinks: write all of buf to a stream socket (EINTR
 * retried, send timeout as set on the socket). 0, or -1 with errno. */
int sink_write_all(int fd, const char *p, size_t n);
/* A unix socket of `type` connected to `path` with send timeouts; the fd
 * or -1 with err. */
int sink_unix_connect(const char *path, int type, char *err, size_t errlen);

#endif
