/*
 * test_log.c - rate-limited log lines: one line per kind per interval, the
 * lines held back counted and reported by log_rate_flush.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"

/* Everything written to the redirected stderr, each line's leading
 * timestamp ("2026-12-03T12:52:04.123+0000 ") checked and removed. */
static void read_lines(char *out, size_t outlen)
{
	FILE *f = cr_get_redirected_stderr();
	char line[512];
	size_t n = 0;

	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		const char *sp = strchr(line, ' ');

		cr_assert_not_null(sp, "no timestamp in '%s'", line);
		cr_assert_eq(sp - line, 28, "timestamp of '%s'", line);
		cr_assert(isdigit((unsigned char)line[0]) && line[4] == '-' && line[10] == 'T' &&
				  line[19] == '.' && (line[23] == '+' || line[23] == '-'),
			  "timestamp of '%s'", line);
		n += (size_t)snprintf(out + n, outlen - n, "%s", sp + 1);
		cr_assert_lt(n, outlen);
	}
}

static void redirect(void)
{
	cr_redirect_stderr();
}

Test(log, one_line_per_kind_then_the_count, .init = redirect)
{
	static const char kind_a[] = "a", kind_b[] = "b";
	char text[1024];

	for (int i = 0; i < 1000; i++)
		log_rate(kind_a, LOG_LVL_WARN, "defrag drop %d", i);
	log_rate(kind_b, LOG_LVL_WARN, "other kind");
	log_rate_flush();
	log_rate_flush(); /* nothing held back any more */
	fflush(stderr);
	fclose(stderr);
	read_lines(text, sizeof(text));
	cr_assert_str_eq(text,
			 "sensor: warning: defrag drop 0\n"
			 "sensor: warning: other kind\n"
			 "sensor: warning: 999 more like this were held back: defrag drop 0\n");
}

Test(log, below_verbosity_is_not_counted, .init = redirect)
{
	static const char kind[] = "k";

	log_rate(kind, LOG_LVL_DEBUG, "quiet");
	log_rate(kind, LOG_LVL_DEBUG, "quiet");
	log_rate_flush();
	fflush(stderr);
	cr_assert_stderr_eq_str("");
}
