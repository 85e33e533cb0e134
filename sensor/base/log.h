/*
 * log.h - the sensor's own log lines.
 *
 * Each line is "TIMESTAMP sensor: level: message" (plugins get
 * "sensor: level: [plugin] message"), TIMESTAMP being local time with
 * milliseconds and UTC offset, written to stderr, or to a log file
 * (log_to_file) or syslog (log_to_syslog) when the config says so.
 * LOG_LVL_NOTICE lines (the start-up summary, one line per reload) are
 * written at every verbosity. Thread-safe (one write per line). Never
 * called per packet, except through log_rate (rate-limited per kind).
 */
#ifndef SENSOR_LOG_H
#define SENSOR_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_NOTICE = -1, /* always written */
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

extern int log_verbosity; /* messages above this level are dropped; default INFO-1 (warn) */

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Rate-limited lines for what may repeat (per packet, per plugin call):
 * one line per `kind` per LOG_RATE_INTERVAL_S seconds; the lines held back
 * meanwhile are counted and the next line of that kind says how many
 * ("... (1234 more like this in the last 10 s)"); log_rate_flush() prints
 * what is still held back (at the end of a run). `kind` is compared by
 * pointer (a string literal or a format string); up to LOG_RATE_KINDS
 * kinds are tracked, more are logged unlimited. Thread-safe.
 */
#define LOG_RATE_INTERVAL_S 10
#define LOG_RATE_KINDS	    64
void log_rate(const void *kind, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_rate_flush(void);

/* Append lines to `path` instead of stderr (opened again by log_reopen,
 * e.g. on SIGHUP). 0, or -1 with errno (stderr stays). Main thread. */
int log_to_file(const char *path);
/* Send lines to syslog with `ident` and `facility` (LOG_DAEMON, ...). */
void log_to_syslog(const char *ident, int facility);
/* Reopen the log file after a rotation. 0 or -1 with errno. */
int log_reopen(void);
/* Back to stderr (closing a log file). */
void log_to_stderr(void);

#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
