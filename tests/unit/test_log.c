/*
 * test_log.c - rate-limited log lines: one line per kind per interval, the
 * lines held back counted and reported by log_rate_flush.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "base/log.h"

static void redirect(void)
{
	cr_redirect_stderr();
}

Test(log, one_line_per_kind_then_the_count, .init = redirect)
{
	static const char kind_a[] = "a", kind_b[] = "b";

	for (int i = 0; i < 1000; i++)
		log_rate(kind_a, LOG_LVL_WARN, "defrag drop %d", i);
	log_rate(kind_b, LOG_LVL_WARN, "other kind");
	log_rate_flush();
	log_rate_flush(); /* nothing held back any more */
	fflush(stderr);
	cr_assert_stderr_eq_str(
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
