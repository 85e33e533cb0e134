/*
 * test_flowint.c - Suricata's flowint in the real sensor, from a .rules
 * file, on crafted UDP flows: a counter added to by one rule and compared
 * by another on the same packet (setters run first), reset with `=`, and
 * `notset` before any add; each flow has its own variables. Every rule's
 * alert count is exact.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "flowint");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(flowint, .init = begin, .fini = end);

static void udp(uint16_t sport, const char *s)
{
	pg_udp(&t.gen, "198.18.0.1", sport, "198.18.0.2", 5000, s, strlen(s));
}

static const char rules[] =
	"alert udp any any -> any any (msg:\"count\"; content:\"hit\"; flowint:n,+,1; noalert; "
	"sid:1;)\n"
	"alert udp any any -> any any (msg:\"third\"; content:\"hit\"; flowint:n,==,3; sid:2;)\n"
	"alert udp any any -> any any (msg:\"reset\"; content:\"reset\"; flowint:n,=,0; noalert; "
	"sid:3;)\n"
	"alert udp any any -> any any (msg:\"first\"; content:\"ping\"; flowint:n,notset; "
	"sid:4;)\n"
	"alert udp any any -> any any (msg:\"over\"; content:\"hit\"; flowint: n, >, limit; "
	"sid:5;)\n";

Test(flowint, counters_per_flow)
{
	itest_capture(&t, 1);
	udp(40000, "hit"); /* 5: n = 1 > limit (not set: 0) */
	udp(40000, "hit"); /* 5 */
	udp(40000, "hit"); /* 2 (n = 3) and 5 */
	udp(40000, "reset");
	udp(40000, "hit");  /* 5 (n = 1) */
	udp(40000, "ping"); /* n is set */
	udp(40001, "ping"); /* 4: another flow, nothing set */
	udp(40001, "hit");  /* 5 */
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=4", 0), "src_port", 0), 40001);
	cr_expect_eq(itest_alerts(&t, 5), 5); /* every hit: n >= 1 > 0 */
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 7);
}

Test(flowint, bad_option_is_reported_with_its_place)
{
	itest_rules(&t, "alert udp any any -> any any (msg:\"x\"; flowint:n,*,1; sid:3;)\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err,
			 "in.rules:1:48: error: rule 3: flowint: operator '*' must be "
			 "one of =, +, -, ==, !=, <, <=, >, >=, isset, notset, isnotset") != NULL,
		  "%s", t.res.err);
}
