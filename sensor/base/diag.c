/*
 * diag.c - see diag.h.
 */
#include "base/diag.h"

#include <stdarg.h>
#include <string.h>

void diag_init(struct diag *d, FILE *out)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
}

__attribute__((format(printf, 6, 0))) static void diag_emit(struct diag *d, const char *kind,
							    const char *file, int line, int col,
							    const char *fmt, va_list ap)
{
	char msg[1024];
	int n = 0;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (file && line > 0 && col > 0)
		n = snprintf(d->last, sizeof(d->last), "%s:%d:%d: %s: %s", file, line, col, kind,
			     msg);
	else if (file && line > 0)
		n = snprintf(d->last, sizeof(d->last), "%s:%d: %s: %s", file, line, kind, msg);
	else if (file)
		n = snprintf(d->last, sizeof(d->last), "%s: %s: %s", file, kind, msg);
	else
		n = snprintf(d->last, sizeof(d->last), "%s: %s", kind, msg);
	(void)n;
	if (!d->quiet)
		fprintf(d->out ? d->out : stderr, "%s\n", d->last);
}

void diag_error(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_emit(d, "error", file, line, col, fmt, ap);
	va_end(ap);
	d->errors++;
}

void diag_warn(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_emit(d, "warning", file, line, col, fmt, ap);
	va_end(ap);
	d->warnings++;
}
