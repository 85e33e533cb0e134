/*
 * log.c - see log.h.
 *
 * The destination (stderr, a file descriptor opened with O_APPEND, or
 * syslog) is set on the main thread before the workers start; log_reopen
 * dup2()s the reopened file onto the same descriptor number, so a writer
 * never holds a closed or recycled descriptor. Each line is formatted into a
 * stack buffer and written with one write(), so lines of different
 * threads never interleave.
 *
 * log_rate keeps, per kind (by pointer), the monotonic time its next line
 * may be printed and the count held back since the last one, in a small
 * table under one mutex; the format is only expanded when a line is
 * printed, so a held-back line costs a lock and a table scan.
 */
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int log_verbosity = LOG_LVL_WARN;

static const char *const level_names[] = {"error", "warning", "info", "debug"};
static _Atomic int log_fd = 2;
static atomic_bool use_syslog;
static char *log_path;

static const char *level_name(enum log_level lvl)
{
	return lvl == LOG_LVL_NOTICE ? "notice" : level_names[lvl];
}

static int syslog_priority(enum log_level lvl)
{
	switch (lvl) {
	case LOG_LVL_NOTICE:
		return LOG_NOTICE;
	case LOG_LVL_ERROR:
		return LOG_ERR;
	case LOG_LVL_WARN:
		return LOG_WARNING;
	case LOG_LVL_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

/* "2026-12-03T10:31:36.123+0100" */
static size_t timestamp(char *out, size_t outlen)
{
	struct timeval tv;
	struct tm tm;
	char date[32], zone[8];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	return (size_t)snprintf(out, outlen, "%s.%03ld%s ", date, (long)(tv.tv_usec / 1000), zone);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[1024], line[1200];
	size_t n;
	ssize_t rc;
	va_list ap;

	if ((int)lvl > log_verbosity)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (atomic_load(&use_syslog)) {
		syslog(syslog_priority(lvl), "%s: %s", level_name(lvl), msg);
		return;
	}
	n = timestamp(line, sizeof(line));
	n += (size_t)snprintf(line + n, sizeof(line) - n, "sensor: %s: %s\n", level_name(lvl), msg);
	if (n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	rc = write(atomic_load(&log_fd), line, n);
	(void)rc;
}

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

int log_to_file(const char *path)
{
	int fd = open_log(path);
	char *copy;

	if (fd < 0)
		return -1;
	copy = strdup(path);
	if (!copy) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	free(log_path);
	log_path = copy;
	fd = atomic_exchange(&log_fd, fd);
	if (fd > 2)
		close(fd);
	return 0;
}

void log_to_syslog(const char *ident, int facility)
{
	openlog(ident, LOG_PID, facility);
	atomic_store(&use_syslog, true);
}

int log_reopen(void)
{
	int fd, cur = atomic_load(&log_fd);

	if (!log_path || cur <= 2)
		return 0;
	fd = open_log(log_path);
	if (fd < 0)
		return -1;
	/* The descriptor number stays: writers never see a closed one. */
	if (dup2(fd, cur) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void log_to_stderr(void)
{
	int old = atomic_exchange(&log_fd, 2);

	if (old > 2)
		close(old);
	if (atomic_exchange(&use_syslog, false))
		closelog();
	free(log_path);
	log_path = NULL;
}

struct rate_kind {
	const void *kind;
	enum log_level lvl;
	int64_t next_s; /* monotonic second from which a line may be printed */
	uint64_t held;	/* lines held back since the last one printed */
	char last[160]; /* the last line printed, for log_rate_flush */
};

static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rate_kind rate_kinds[LOG_RATE_KINDS];
static size_t n_rate_kinds;

static int64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* The kind's slot (added when there is room), or NULL. Under rate_lock. */
static struct rate_kind *rate_slot(const void *kind, enum log_level lvl)
{
	for (size_t i = 0; i < n_rate_kinds; i++)
		if (rate_kinds[i].kind == kind)
			return &rate_kinds[i];
	if (n_rate_kinds == LOG_RATE_KINDS)
		return NULL;
	rate_kinds[n_rate_kinds] = (struct rate_kind){.kind = kind, .lvl = lvl};
	return &rate_kinds[n_rate_kinds++];
}

void log_rate(const void *kind, enum log_level lvl, const char *fmt, ...)
{
	struct rate_kind *k;
	uint64_t held = 0;
	int64_t now = mono_s();
	char line[1024];
	va_list ap;

	if ((int)lvl > log_verbosity)
		return;
	pthread_mutex_lock(&rate_lock);
	k = rate_slot(kind, lvl);
	if (k && now < k->next_s) {
		k->held++;
		pthread_mutex_unlock(&rate_lock);
		return;
	}
	if (k) {
		held = k->held;
		k->held = 0;
		k->next_s = now + LOG_RATE_INTERVAL_S;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (k) {
		memcpy(k->last, line, sizeof(k->last) - 1);
		k->last[sizeof(k->last) - 1] = '\0';
	}
	pthread_mutex_unlock(&rate_lock);
	if (held)
		log_msg(lvl, "%s (%llu more like this in the last %d s)", line,
			(unsigned long long)held, LOG_RATE_INTERVAL_S);
	else
		log_msg(lvl, "%s", line);
}

void log_rate_flush(void)
{
	pthread_mutex_lock(&rate_lock);
	for (size_t i = 0; i < n_rate_kinds; i++) {
		if (rate_kinds[i].held)
			log_msg(rate_kinds[i].lvl, "%llu more like this were held back: %s",
				(unsigned long long)rate_kinds[i].held, rate_kinds[i].last);
		rate_kinds[i].held = 0;
		rate_kinds[i].next_s = 0;
	}
	pthread_mutex_unlock(&rate_lock);
}
