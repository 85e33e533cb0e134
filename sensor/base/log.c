/*
 * log.c - see log.h.
 */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>

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
