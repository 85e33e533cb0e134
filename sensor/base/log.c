/*
 * log.c - see log.h.
 *
 * log_rate keeps, per kind (by pointer), the monotonic time its next line
 * may be printed and the count held back since the last one, in a small
 * table under one mutex; the format is only expanded when a line is
 * printed, so a held-back line costs a lock and a table scan.
 */
#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int log_verbosity = LOG_LVL_WARN;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if ((int)lvl > log_verbosity)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sensor: %s: %s\n", level_names[lvl], line);
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
