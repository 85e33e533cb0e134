/*
 * test_dns_keywords.c - Suricata 8's dns keywords end to end: dns.opcode
 * (with `!` and ranges), dns.rrtype (numbers and names) and the
 * dns.answer.name / dns.answers.rrname / dns.queries.rrname buffers, in a
 * .rules file loaded by the real sensor with the dns plugin; exact alert
 * counts on a crafted capture (a query, its response, a NOTIFY).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dns_msg.h"
#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "dnskw");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n  - name: dns\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(dns_keywords, .init = begin, .fini = end);

/* The messages: tests/support/dns_msg.h. */

/* A query for www.Evil.example (A), its response (CNAME c2.example, then
 * c2.example A), and a NOTIFY (opcode 4) for zone.example (SOA). */
static void capture(void)
{
	struct msg m;

	itest_capture(&t, 1);
	query(&m, 0x1a2b, "www.Evil.example", 1);
	pg_udp(&t.gen, "198.18.0.10", 40000, "198.18.0.53", 53, m.b, m.n);
	evil_response(&m);
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.10", 40000, m.b, m.n);
	header(&m, 0x0707, 0x2000, 1, 0);
	question(&m, "zone.example", 6);
	pg_udp(&t.gen, "198.18.0.11", 40001, "198.18.0.53", 53, m.b, m.n);
}

#define R(sid, opts) "alert dns any any -> any any (msg:\"" #sid "\"; " opts " sid:" #sid ";)\n"

static const char rules[] = R(10, "dns.opcode:4;") R(11, "dns.opcode:!0;") R(12, "dns.opcode:0;") R(
	13, "dns.opcode:3-5;") R(14, "dns.opcode:!3-5;") R(15, "dns.opcode:>=4;")
	R(20, "dns.rrtype:A;") R(21, "dns.rrtype:5;") R(22, "dns.rrtype:SOA;") R(23,
										 "dns.rrtype:!1;")
		R(24, "dns.rrtype:28;") R(30, "dns.answer.name; content:\"c2.example\";")
			R(31, "dns.answer.name; content:\"www.evil.example\"; nocase; endswith;")
				R(32, "dns.answers.rrname; content:\"c2.ex\"; startswith;") R(
					33, "dns.queries.rrname; content:\"zone.example\";")
					R(34, "dns.answer.name; content:\"198.18\";") R(
						35, "dns.query.name; content:\"Evil\";")
						R(36, "dns.queries.rrname; content:\"Evil\";");

Test(dns_keywords, opcode_rrtype_and_answer_name)
{
	capture();
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
	cr_expect_null(strstr(t.res.err, "error"), "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 10), 1);
	cr_expect_eq(itest_alerts(&t, 11), 1);
	cr_expect_eq(itest_alerts(&t, 12), 2);
	cr_expect_eq(itest_alerts(&t, 13), 1);
	cr_expect_eq(itest_alerts(&t, 14), 2);
	cr_expect_eq(itest_alerts(&t, 15), 1);
	cr_expect_eq(itest_alerts(&t, 20), 2);
	cr_expect_eq(itest_alerts(&t, 21), 1);
	cr_expect_eq(itest_alerts(&t, 22), 1);
	cr_expect_eq(itest_alerts(&t, 23), 2);
	cr_expect_eq(itest_alerts(&t, 24), 0);
	cr_expect_eq(itest_alerts(&t, 30), 1);
	cr_expect_eq(itest_alerts(&t, 31), 1);
	cr_expect_eq(itest_alerts(&t, 32), 1);
	cr_expect_eq(itest_alerts(&t, 33), 1);
	cr_expect_eq(itest_alerts(&t, 34), 0);
	cr_expect_eq(itest_alerts(&t, 35), 1); /* requests only, as Suricata's dns.query */
	cr_expect_eq(itest_alerts(&t, 36), 2); /* question names of query and response */
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=10", 0), "pcap_cnt", 0), 3);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=21", 0), "pcap_cnt", 0), 2);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=30", 0), "dns.type"),
			 "response");
}
