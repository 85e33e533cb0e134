/*
 * test_crash.c - a plugin that crashes the sensor is named: the fixture
 * plugin tests/plugins/crash.c crashes on purpose in init (SIGABRT),
 * on_packet (SIGSEGV) or tick (SIGFPE), and the sensor's fatal-signal
 * handler (sensor/core/crash.c) writes one line naming the plugin and the
 * callback before the process dies of that signal.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "crash");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(crash, .init = begin, .fini = end, .timeout = 60);

/* Run the crash plugin with `where`; two UDP datagrams two seconds
 * apart, the second one starting with CRASH. */
static void run_crash(const char *where)
{
	char opts[64];
	struct pcapgen *g = itest_capture(&t, 1);

	pg_udp(g, "198.18.0.2", 40000, "198.18.0.53", 53, "hello", 5);
	g->ts_usec += 2000000;
	pg_udp(g, "198.18.0.2", 40000, "198.18.0.53", 53, "CRASHME", 7);
	itest_rules(&t, "rules: []\n");
	snprintf(opts, sizeof(opts), "where: %s\n", where);
	itest_plugin(&t, "crash", FIXTURE_PLUGIN_DIR "/crash.so", opts);
	itest_run(&t, NULL);
}

Test(crash, segv_in_on_packet_names_plugin_and_callback)
{
	run_crash("on_packet");
	cr_assert_eq(t.res.status, 128 + SIGSEGV, "%d: %s", t.res.status, t.res.err);
	cr_assert_not_null(strstr(t.res.err,
				  "sensor: fatal: signal 11 (SIGSEGV) in plugin 'crash', "
				  "callback on_packet\n"),
			   "%s", t.res.err);
}

Test(crash, abort_in_init_names_plugin_and_callback)
{
	run_crash("init");
	cr_assert_eq(t.res.status, 128 + SIGABRT, "%d: %s", t.res.status, t.res.err);
	cr_assert_not_null(strstr(t.res.err, "sensor: fatal: signal 6 (SIGABRT) in plugin 'crash', "
					     "callback init\n"),
			   "%s", t.res.err);
}

Test(crash, fpe_in_tick_names_plugin_and_callback)
{
	run_crash("tick");
	cr_assert_eq(t.res.status, 128 + SIGFPE, "%d: %s", t.res.status, t.res.err);
	cr_assert_not_null(strstr(t.res.err, "sensor: fatal: signal 8 (SIGFPE) in plugin 'crash', "
					     "callback tick\n"),
			   "%s", t.res.err);
}

Test(crash, a_plugin_that_does_not_crash_changes_nothing)
{
	run_crash("none");
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_null(strstr(t.res.err, "fatal"));
}
