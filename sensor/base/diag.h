/*
 * diag.h - user-facing diagnostics for configuration, rules and plugins.
 *
 * Loaders never stop at the first problem: each one is reported through
 * diag_error() as "file:line:column: error: message" (line and column are
 * 1-based; 0 leaves them out) and counted, so that `sensor -T` can list
 * every problem at once. Main thread only.
 */
#ifndef SENSOR_DIAG_H
#define SENSOR_DIAG_H

#include <stdio.h>

struct diag {
	FILE *out; /* where messages go; stderr when NULL */
	unsigned errors;
	unsigned warnings;
	int quiet;	 /* count but print nothing (unit tests) */
	char last[1400]; /* the last message, for tests */
};

void diag_init(struct diag *d, FILE *out);
void diag_error(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void diag_warn(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
