/*
 * test_xbits.c - Suricata's xbits in the real sensor, from a .rules file,
 * on crafted UDP datagrams between three hosts (A 198.18.0.1, B
 * 198.18.0.2, C 198.18.0.3; one worker): a host bit set by one flow and
 * tested by others (track ip_src, and ip_dst on the answer from a third
 * host), its expiry in packet time, set again after it, unset, an ip_pair
 * bit seen in the other direction only between its two hosts, toggle,
 * noalert on the setters. Every rule's alert count is exact.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "xbits");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(xbits, .init = begin, .fini = end);

#define A "198.18.0.1"
#define B "198.18.0.2"
#define C "198.18.0.3"

static void udp(const char *src, uint16_t sport, const char *dst, uint16_t dport, const char *s)
{
	pg_udp(&t.gen, src, sport, dst, dport, s, strlen(s));
}

static const char rules[] = "alert udp any any -> any 5000 (msg:\"set\"; content:\"mark\"; "
			    "xbits:set,ET.m,track ip_src,expire 10; xbits:noalert; sid:1;)\n"
			    "alert udp any any -> any 6000 (msg:\"isset src\"; content:\"use\"; "
			    "xbits:isset,ET.m,track ip_src; sid:2;)\n"
			    "alert udp any any -> any 7000 (msg:\"isset dst\"; content:\"back\"; "
			    "xbits:isset, ET.m, track ip_dst; sid:3;)\n"
			    "alert udp any any -> any 6000 (msg:\"isnotset\"; content:\"use\"; "
			    "xbits:isnotset,ET.m,track ip_src; sid:4;)\n"
			    "alert udp any any -> any 5001 (msg:\"pair\"; content:\"pair\"; "
			    "xbits:set,ET.p,track ip_pair,expire 60; noalert; sid:5;)\n"
			    "alert udp any any -> any any (msg:\"pair isset\"; content:\"chk\"; "
			    "xbits:isset,ET.p,track ip_pair; sid:6;)\n"
			    "alert udp any any -> any 5002 (msg:\"clear\"; content:\"clear\"; "
			    "xbits:unset,ET.m,track ip_src; noalert; sid:7;)\n"
			    "alert udp any any -> any 5003 (msg:\"flip\"; content:\"flip\"; "
			    "xbits:toggle,ET.t,track ip_src; noalert; sid:8;)\n"
			    "alert udp any any -> any 9998 (msg:\"ask\"; content:\"ask\"; "
			    "xbits:isset,ET.t,track ip_src; sid:9;)\n";

Test(xbits, host_and_pair_bits_across_flows)
{
	itest_capture(&t, 1);
	udp(A, 40000, B, 6000, "use");	 /* 4: not set yet */
	udp(A, 40001, B, 5000, "mark");	 /* A's bit, until +10 s */
	udp(A, 40002, B, 6000, "use");	 /* 2 */
	udp(C, 40003, A, 7000, "back");	 /* 3: A is the destination */
	udp(C, 40004, B, 6000, "use");	 /* 4: C has no bit */
	t.gen.ts_usec += 11 * 1000000LL; /* expired */
	udp(A, 40005, B, 6000, "use");	 /* 4 */
	udp(A, 40006, B, 5000, "mark");	 /* set again */
	udp(A, 40007, B, 6000, "use");	 /* 2 */
	udp(A, 40008, B, 5002, "clear"); /* unset */
	udp(A, 40009, B, 6000, "use");	 /* 4 */
	udp(A, 40010, B, 5001, "pair");	 /* pair (A, B) */
	udp(B, 40011, A, 9999, "chk");	 /* 6: the other direction */
	udp(A, 40012, C, 9999, "chk");	 /* another pair */
	udp(A, 40013, B, 5003, "flip");	 /* toggle: set */
	udp(A, 40014, B, 9998, "ask");	 /* 9 */
	udp(A, 40015, B, 5003, "flip");	 /* toggle: unset */
	udp(A, 40016, B, 9998, "ask");
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(itest_alerts(&t, 4), 4);
	cr_expect_eq(itest_alerts(&t, 5), 0);
	cr_expect_eq(itest_alerts(&t, 6), 1);
	cr_expect_eq(itest_alerts(&t, 7), 0);
	cr_expect_eq(itest_alerts(&t, 8), 0);
	cr_expect_eq(itest_alerts(&t, 9), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 9);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=6", 0), "src_ip"), B);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=3", 0), "src_ip"), C);
}

Test(xbits, bad_options_are_reported_with_their_place)
{
	itest_rules(&t, "alert udp any any -> any any (msg:\"x\"; xbits:set,a,track tx; sid:3;)\n"
			"alert udp any any -> any any (msg:\"x\"; xbits:isset,a; sid:4;)\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err,
			 "in.rules:1:46: error: rule 3: xbits: track 'tx' must be "
			 "ip_src, ip_dst or ip_pair (track tx is not supported)") != NULL,
		  "%s", t.res.err);
	cr_expect(strstr(t.res.err, "in.rules:2:46: error: rule 4: xbits: track ip_src, ip_dst or "
				    "ip_pair is required") != NULL,
		  "%s", t.res.err);
}
