/*
 * output.h - where rendered EVE lines go: a list of outputs, each with the
 * record types it takes, a bounded queue, a thread of its own and one sink
 * (a file, a unix socket, syslog or Redis).
 *
 * The EVE writer (eve.c) renders each record once into the worker's own
 * buffer and hands whole lines to output_set_submit(); each output copies
 * the lines of the types it takes into its queue. The output's thread
 * takes the queued lines and gives them to its sink (sink.h). Workers
 * never wait for a sink: when a queue is full, the lines that do not fit
 * are dropped and counted per output (stats records, `outputs.NAME`). A
 * sink that fails is closed and opened again (at most once a second)
 * while the workers go on; its queue fills meanwhile and the overflow is
 * counted. Reading a capture file, a queue whose sink is up makes the
 * worker wait for room instead (output_set_offline), so that every record
 * of a file run is written; a sink that is down still drops.
 *
 * Threads: output_set_open/close/reopen on the main thread;
 * output_set_submit on any thread (one short mutex per output, never held
 * while a sink does I/O); each output's thread alone touches its sink.
 */
#ifndef SENSOR_OUTPUT_H
#define SENSOR_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jbuf;

enum sink_kind { SINK_FILE, SINK_UNIX_DGRAM, SINK_UNIX_STREAM, SINK_SYSLOG, SINK_REDIS };
enum redis_mode { REDIS_LPUSH, REDIS_RPUSH, REDIS_PUBLISH, REDIS_XADD };

#define OUTPUT_MAX_TYPES     16
#define OUTPUT_QUEUE_DEFAULT (4u << 20)
#define OUTPUT_QUEUE_MIN     (64u << 10)

/* One entry of `outputs:`; filled by the config loader, owned by the
 * sensor_config (output_conf_free). */
struct output_conf {
	char *name; /* for logs and stats records */
	bool enabled;
	/* Record types taken (`types:`): n_types names; 0 means every type. */
	char *types[OUTPUT_MAX_TYPES];
	size_t n_types;
	enum sink_kind sink;
	uint64_t queue_size; /* bytes queued at most */
	/* file */
	char *filename;		  /* relative to log-dir unless absolute */
	uint64_t rotate_limit;	  /* bytes; 0: no rotation by size */
	uint32_t rotate_interval; /* seconds; 0: no rotation by time */
	uint32_t mode;		  /* of new files (0640) */
	char *owner, *group;	  /* of new files; NULL: the process's */
	/* unix_dgram, unix_stream, syslog, redis (unix socket) */
	char *socket_path;
	/* syslog */
	int facility, level; /* syslog numbers (local5, info) */
	char *identity;	     /* "sensor" */
	/* redis */
	char *host;
	uint16_t port;
	char *password;
	enum redis_mode redis_mode;
	char *key;
	uint64_t stream_maxlen; /* XADD MAXLEN ~ n; 0: none */
	bool stream_trim_exact; /* MAXLEN n: exactly n entries kept */
	uint32_t batch;		/* commands per pipelined round trip */
};

void output_conf_init(struct output_conf *c, const char *name);
void output_conf_free(struct output_conf *c);
/* Is `type` a record type an output can take? */
bool output_known_type(const char *type);
/* "file", "unix_dgram", ... */
const char *output_sink_name(enum sink_kind k);

struct output_set;

/* Start one output per enabled entry (sinks that cannot be reached yet
 * are retried by their thread; a file that cannot be opened is an error).
 * `log_dir` is where relative file names go. NULL with err filled. */
struct output_set *output_set_open(const struct output_conf *confs, size_t n, const char *log_dir,
				   char *err, size_t errlen);
/* Write what is queued (waiting up to `drain_ms` for sinks that are up,
 * and for a sink that is down until it has been tried twice more, the
 * first time at once), stop the threads, close the sinks and free. NULL is fine. */
void output_set_close(struct output_set *s, int drain_ms);
/* Reading a capture file: wait for room rather than drop while a sink is
 * up. */
void output_set_offline(struct output_set *s, bool offline);
/* Whole lines (each ending in '\n') from a worker. Any thread. */
void output_set_submit(struct output_set *s, const char *buf, size_t len);
/* SIGHUP: every file sink opens its path again; returns when done
 * (0), or -1 when one failed (logged). */
int output_set_reopen(struct output_set *s);
/* Wait until every queue is empty or its sink is down, up to
 * timeout_ms. true when drained. */
bool output_set_drain(struct output_set *s, int timeout_ms);
/* The outputs' counters as a JSON object member `key` of `j`:
 * {"NAME": {"written": N, "dropped": N, "errors": N}, ...}. */
void output_set_stats(const struct output_set *s, struct jbuf *j, const char *key);

/* Counters of output i (tests, sensorctl). false when i is out of range. */
struct output_counters {
	uint64_t written; /* lines the sink accepted */
	uint64_t dropped; /* lines lost: queue full, or sink failed with them */
	uint64_t errors;  /* sink failures (each closes the sink) */
	bool up;
};
bool output_set_counters(const struct output_set *s, size_t i, struct output_counters *out);
size_t output_set_count(const struct output_set *s);
/* Output i's name and what it writes to ("file /var/log/sensor/eve.json"),
 * for the start-up summary. */
const char *output_set_name(const struct output_set *s, size_t i);
const char *output_set_target(const struct output_set *s, size_t i);

#endif
