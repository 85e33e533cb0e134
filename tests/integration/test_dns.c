/*
 * test_dns.c - the dns plugin end to end: queries and responses over UDP
 * (IPv4 and IPv6) and TCP (length prefix split over segments, several
 * messages per segment), the exact alerts and `dns` objects they raise,
 * hostile and non-DNS payloads on port 53, and the plugin's load errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_msg.h"
#include "itest.h"

static struct itest t;

static const char rules[] =
	"rules:\n"
	"  - {id: 1, msg: evil query, buffer: dns.queries.rrname, "
	"patterns: [{content: evil.example, nocase: true}]}\n"
	"  - {id: 2, msg: answer A, buffer: dns.answer, patterns: [{content: \" A 198.18.7.7\"}]}\n"
	"  - {id: 3, msg: cname c2, buffer: dns.answer, patterns: [{content: \"CNAME "
	"c2.example\"}]}\n"
	"  - {id: 4, msg: txt payload, buffer: dns.answer, "
	"patterns: [{content: \" TXT payload=\"}]}\n"
	"  - {id: 5, msg: aaaa, buffer: dns.answer, "
	"patterns: [{content: \" AAAA 2001:0db8:0000:0000:0000:0000:0000:0007\"}]}\n"
	"  - {id: 6, msg: tcp name to client, buffer: dns.queries.rrname, direction: to_client, "
	"patterns: [{content: tcp.example}]}\n";

static void config(const char *options)
{
	char conf[512];

	snprintf(conf, sizeof(conf), "plugins:\n  - name: dns\n%s", options ? options : "");
	itest_config(&t, conf);
}

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "dns");
	itest_rules(&t, rules);
	config(NULL);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(dns, .init = begin, .fini = end);

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

/* The messages: tests/support/dns_msg.h. */

/* The raw eve.json, to check the exact text of `dns` objects. */
static char *eve_text(void)
{
	FILE *f = fopen(t.eve_path, "rb");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	cr_assert(f && buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void expect_in_eve(const char *text, size_t times)
{
	char *eve = eve_text();
	size_t n = 0;

	for (const char *p = eve; (p = strstr(p, text)); p += strlen(text))
		n++;
	free(eve);
	cr_expect_eq(n, times, "%s: %zu times", text, n);
}

/* ------------------------------------------------------------------ UDP */

Test(dns, udp_query_alert_carries_the_query_object)
{
	struct msg m;

	itest_capture(&t, 1);
	query(&m, 0x1a2b, "www.Evil.example", 1);
	pg_udp(&t.gen, "198.18.0.10", 40000, "198.18.0.53", 53, m.b, m.n);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 1);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_str_eq(jr_str(a, "dns.type"), "request");
	cr_expect_eq(jr_int(a, "dns.id", -1), 0x1a2b);
	cr_expect_str_eq(jr_str(a, "dns.queries.0.rrname"), "www.Evil.example");
	cr_expect_str_eq(jr_str(a, "dns.queries.0.rrtype"), "A");
	cr_expect_eq(jr_int(a, "dns.tx_id", -1), 0);
	cr_expect_eq(jr_int(a, "dns.opcode", -1), 0);
	cr_expect_null(jr_get(a, "dns.queries.1"));
	cr_expect_null(jr_get(a, "dns.answers"));
	cr_expect_str_eq(jr_str(a, "app_proto"), "dns");
	cr_expect_str_eq(jr_str(a, "proto"), "UDP");
	cr_expect_eq(jr_int(a, "dest_port", 0), 53);
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 1);
	/* in the alert and in the dns record */
	expect_in_eve("\"dns\":{\"version\":3,\"type\":\"request\",\"tx_id\":0,\"id\":6699,"
		      "\"flags\":\"100\",\"rd\":true,\"opcode\":0,\"rcode\":\"NOERROR\","
		      "\"queries\":[{\"rrname\":\"www.Evil.example\",\"rrtype\":\"A\"}]}",
		      2);
}

Test(dns, udp_response_alerts_carry_the_answer_object)
{
	struct msg m;

	itest_capture(&t, 1);
	evil_response(&m);
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.10", 40000, m.b, m.n);
	run_ok();
	/* the response's question (dns.query), its A and its CNAME */
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 3);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=2", 0);
	cr_expect_eq(jr_int(a, "dns.version", -1), 3);
	cr_expect_str_eq(jr_str(a, "dns.type"), "response");
	cr_expect_eq(jr_int(a, "dns.id", -1), 0x1a2b);
	cr_expect_str_eq(jr_str(a, "dns.flags"), "8180");
	cr_expect_str_eq(jr_text(jr_get(a, "dns.qr")), "true");
	cr_expect_str_eq(jr_text(jr_get(a, "dns.rd")), "true");
	cr_expect_str_eq(jr_text(jr_get(a, "dns.ra")), "true");
	cr_expect_null(jr_get(a, "dns.aa"));
	cr_expect_str_eq(jr_str(a, "dns.queries.0.rrname"), "www.Evil.example");
	cr_expect_str_eq(jr_str(a, "dns.rcode"), "NOERROR");
	cr_expect_str_eq(jr_str(a, "dns.answers.0.rrtype"), "CNAME");
	cr_expect_str_eq(jr_str(a, "dns.answers.0.rdata"), "c2.example");
	cr_expect_eq(jr_int(a, "dns.answers.0.ttl", -1), 60);
	cr_expect_str_eq(jr_str(a, "dns.answers.1.rrname"), "c2.example");
	cr_expect_str_eq(jr_str(a, "dns.answers.1.rdata"), "198.18.7.7");
	cr_expect_str_eq(jr_str(a, "dns.grouped.A.0"), "198.18.7.7");
	cr_expect_str_eq(jr_str(a, "dns.grouped.CNAME.0"), "c2.example");
	cr_expect_str_eq(jr_str(a, "dns.type"), "response");
	cr_expect_str_eq(jr_str(a, "direction"), "to_server"); /* first packet of the flow */
	/* in the three alerts and in the dns record */
	expect_in_eve("\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":0,\"id\":6699,"
		      "\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,"
		      "\"rcode\":\"NOERROR\",\"queries\":[{\"rrname\":\"www.Evil.example\","
		      "\"rrtype\":\"A\"}],\"answers\":[{\"rrname\":\"www.Evil.example\","
		      "\"rrtype\":\"CNAME\",\"ttl\":60,\"rdata\":\"c2.example\"},{\"rrname\":"
		      "\"c2.example\",\"rrtype\":\"A\",\"ttl\":300,\"rdata\":\"198.18.7.7\"}],"
		      "\"grouped\":{\"CNAME\":[\"c2.example\"],\"A\":[\"198.18.7.7\"]}}",
		      4);
}

Test(dns, queries_of_a_flow_count_tx_id)
{
	struct msg m;

	itest_capture(&t, 1);
	query(&m, 1, "a.evil.example", 1);
	pg_udp(&t.gen, "198.18.0.10", 40002, "198.18.0.53", 53, m.b, m.n);
	query(&m, 2, "b.evil.example", 28);
	pg_udp(&t.gen, "198.18.0.10", 40002, "198.18.0.53", 53, m.b, m.n);
	query(&m, 3, "benign.example", 1);
	pg_udp(&t.gen, "198.18.0.10", 40002, "198.18.0.53", 53, m.b, m.n);
	query(&m, 4, "c.evil.example", 16);
	pg_udp(&t.gen, "198.18.0.10", 40002, "198.18.0.53", 53, m.b, m.n);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 3);
	cr_expect_eq(jr_int(eve_find(&t.eve, "dns.id=1", 0), "dns.tx_id", -1), 0);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "dns.id=2", 0), "dns.queries.0.rrtype"), "AAAA");
	cr_expect_eq(jr_int(eve_find(&t.eve, "dns.id=2", 0), "dns.tx_id", -1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "dns.id=4", 0), "dns.tx_id", -1), 3);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "dns.id=4", 0), "dns.queries.0.rrtype"), "TXT");
}

Test(dns, ipv6_aaaa_answer)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
	struct msg m;

	itest_capture(&t, 1);
	header(&m, 77, 0x8580, 1, 1); /* aa set */
	question(&m, "v6.example", 28);
	answer(&m, 28, 120, v6, 16);
	pg_udp(&t.gen, "2001:db8::53", 53, "2001:db8::10", 40003, m.b, m.n);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 5), 1);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=5", 0);
	cr_expect_str_eq(jr_str(a, "dns.answers.0.rdata"),
			 "2001:0db8:0000:0000:0000:0000:0000:0007");
	cr_expect_str_eq(jr_str(a, "dns.answers.0.rrtype"), "AAAA");
	cr_expect_str_eq(jr_str(a, "dns.grouped.AAAA.0"),
			 "2001:0db8:0000:0000:0000:0000:0000:0007");
	cr_expect_str_eq(jr_str(a, "dns.flags"), "8580");
	cr_expect_str_eq(jr_text(jr_get(a, "dns.aa")), "true");
	cr_expect_str_eq(jr_str(a, "src_ip"), eve_ip("2001:db8::53"));
}

Test(dns, dns_on_another_port_found_by_app_proto)
{
	struct msg m;

	itest_capture(&t, 1);
	query(&m, 9, "x.evil.example", 1);
	pg_udp(&t.gen, "198.18.0.10", 40004, "198.18.0.54", 5300, m.b, m.n);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "dest_port", 0), 5300);
}

Test(dns, hostile_and_non_dns_payloads_raise_nothing)
{
	struct msg m;
	static const char text[] = "GET http://www.evil.example/ HTTP/1.0\r\n\r\n";

	itest_capture(&t, 1);
	pg_udp(&t.gen, "198.18.0.10", 40005, "198.18.0.53", 53, text, sizeof(text) - 1);
	/* the response, cut in the middle of its A record */
	evil_response(&m);
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.10", 40006, m.b, m.n - 3);
	/* a question name that points at itself */
	header(&m, 5, 0x0100, 1, 0);
	put16(&m, 0xc00c);
	put16(&m, 1);
	put16(&m, 1);
	pg_udp(&t.gen, "198.18.0.10", 40007, "198.18.0.53", 53, m.b, m.n);
	/* a forward pointer into a name spelling the rule's content */
	header(&m, 6, 0x0100, 1, 0);
	put16(&m, 0xc00e);
	name(&m, "www.evil.example");
	put16(&m, 1);
	put16(&m, 1);
	pg_udp(&t.gen, "198.18.0.10", 40008, "198.18.0.53", 53, m.b, m.n);
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 0);
	/* counted once, when the worker stops: no log line per packet */
	cr_expect(strstr(t.res.err, "dns: 0 messages (0 queries, 0 responses), 0 alerts; tcp: 0 "
				    "oversized, 0 truncated, 0 lost; parse errors: truncated=1 "
				    "pointer_forward=2 bad_opcode=1\n") != NULL,
		  "%s", t.res.err);
}

/* dns.query looks at requests only (Suricata's); dns.queries.rrname at the
 * question names of responses too. */
Test(dns, dns_query_is_requests_only)
{
	struct msg m;

	itest_capture(&t, 1);
	query(&m, 0x1a2b, "www.Evil.example", 1);
	pg_udp(&t.gen, "198.18.0.10", 40000, "198.18.0.53", 53, m.b, m.n);
	evil_response(&m);
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.10", 40000, m.b, m.n);
	itest_rules(&t, "rules:\n"
			"  - {id: 7, msg: q, buffer: dns.query, patterns: [{content: evil.example, "
			"nocase: true}]}\n"
			"  - {id: 8, msg: qr, buffer: dns.queries.rrname, patterns: [{content: "
			"evil.example, nocase: true}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 7), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=7 dest_port=53"), 1);
	cr_expect_eq(itest_alerts(&t, 8), 2);
}

Test(dns, alerts_per_message_option)
{
	struct msg m;

	config("    options:\n      alerts-per-message: 2\n");
	itest_capture(&t, 1);
	evil_response(&m);
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.10", 40000, m.b, m.n);
	run_ok();
	/* the question first, then the first answer that matches */
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(itest_alerts(&t, 2), 0);
}

/* ------------------------------------------------------------------ TCP */

/* Prefix a message with its 2-byte length. */
static size_t framed(const struct msg *m, uint8_t *out)
{
	out[0] = (uint8_t)(m->n >> 8);
	out[1] = (uint8_t)m->n;
	memcpy(out + 2, m->b, m->n);
	return m->n + 2;
}

Test(dns, tcp_split_prefix_and_two_messages_per_segment)
{
	struct msg q1, q2, r2;
	uint8_t f1[1100], f2[1100], both[2200], fr[1100];
	size_t n1, n2, nr;
	uint64_t seg3, seg_resp;
	struct pg_tcp s;

	query(&q1, 0x0101, "www.evil.example", 1);
	query(&q2, 0x0202, "tcp.example", 16);
	header(&r2, 0x0202, 0x8180, 1, 1);
	question(&r2, "tcp.example", 16);
	answer(&r2, 16, 30,
	       "\x08payload=\x03"
	       "abc",
	       13);
	n1 = framed(&q1, f1);
	n2 = framed(&q2, f2);
	nr = framed(&r2, fr);
	memcpy(both, f1 + 12, n1 - 12);
	memcpy(both + n1 - 12, f2, n2);

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41000, "198.18.0.53", 53);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, f1, 1);	   /* half the length prefix */
	pg_tcp_send(&s, PG_TO_SERVER, f1 + 1, 11); /* its other byte and 10 of the message */
	pg_tcp_send(&s, PG_TO_SERVER, both, n1 - 12 + n2); /* the rest, and all of q2 */
	seg3 = t.gen.frames;
	pg_tcp_send(&s, PG_TO_CLIENT, fr, nr);
	seg_resp = t.gen.frames;
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_expect(strstr(t.res.err, "dns: 3 messages (2 queries, 1 responses), 3 alerts; tcp: 0 "
				    "oversized, 0 truncated, 0 lost; parse errors: none") != NULL,
		  "%s", t.res.err);

	cr_assert_eq(itest_alerts(&t, 1), 1);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), (int64_t)seg3);
	cr_expect_str_eq(jr_str(a, "proto"), "TCP");
	cr_expect_str_eq(jr_str(a, "dns.queries.0.rrname"), "www.evil.example");
	cr_expect_eq(jr_int(a, "dns.id", -1), 0x0101);
	cr_expect_eq(jr_int(a, "dns.tx_id", -1), 0);

	/* q2's name matches rule 6 only in the response (to_client) */
	cr_assert_eq(itest_alerts(&t, 6), 1);
	cr_assert_eq(itest_alerts(&t, 4), 1);
	a = eve_find(&t.eve, "alert.signature_id=4", 0);
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), (int64_t)seg_resp);
	cr_expect_str_eq(jr_str(a, "direction"), "to_client");
	cr_expect_str_eq(jr_str(a, "dns.queries.0.rrname"), "tcp.example");
	cr_expect_str_eq(jr_str(a, "dns.queries.0.rrtype"), "TXT");
	cr_expect_str_eq(jr_str(a, "dns.answers.0.rdata"), "payload=abc");
	cr_expect_eq(jr_int(a, "dns.answers.0.ttl", -1), 30);
	cr_expect_str_eq(jr_str(a, "dns.grouped.TXT.0"), "payload=abc");
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=6", 0), "dns.id", -1), 0x0202);
}

Test(dns, tcp_message_one_byte_per_segment)
{
	struct msg q;
	uint8_t f[1100];
	size_t n;
	struct pg_tcp s;

	query(&q, 0x0303, "bytewise.evil.example", 1);
	n = framed(&q, f);
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41001, "198.18.0.53", 53);
	pg_tcp_handshake(&s);
	for (size_t i = 0; i < n; i++)
		pg_tcp_send(&s, PG_TO_SERVER, f + i, 1);
	pg_tcp_close(&s);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 1);
	cr_expect_str_eq(
		jr_str(eve_find(&t.eve, "alert.signature_id=1", 0), "dns.queries.0.rrname"),
		"bytewise.evil.example");
}

/* ---------------------------------------------------------------- errors */

Test(dns, rule_without_buffer_is_a_load_error)
{
	itest_rules(&t, "rules:\n  - {id: 9, msg: x, detector: dns, patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "rule 9 (") != NULL, "%s", t.res.err);
	cr_expect(strstr(t.res.err, "rules.yaml:2): the dns plugin matches rules on its buffers "
				    "only: add `buffer:` (dns.query, dns.answer, dns.answer.name, "
				    "dns.opcode, dns.rrtype, dns.queries.rrname)") != NULL,
		  "%s", t.res.err);
}

Test(dns, tcp_oversized_message_skipped_and_truncated_end_counted)
{
	struct msg big, q, cut;
	uint8_t fb[1100], fq[1100], fc[1100];
	size_t nb, nq, nc;
	struct pg_tcp s;

	config("    options:\n      tcp-max-message: 40\n");
	header(&big, 1, 0x0100, 1, 0);
	question(&big, "a-rather-long-name-over-forty-bytes.evil.example", 1);
	query(&q, 2, "short.evil.example", 1);
	query(&cut, 3, "cut.evil.example", 1);
	nb = framed(&big, fb);
	nq = framed(&q, fq);
	nc = framed(&cut, fc);
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41002, "198.18.0.53", 53);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, fb, nb);
	pg_tcp_send(&s, PG_TO_SERVER, fq, nq);
	pg_tcp_send(&s, PG_TO_SERVER, fc, nc - 1);
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 1), 1);
	cr_expect_str_eq(
		jr_str(eve_find(&t.eve, "alert.signature_id=1", 0), "dns.queries.0.rrname"),
		"short.evil.example");
	cr_expect(strstr(t.res.err, "dns: 1 messages (1 queries, 0 responses), 1 alerts; tcp: 1 "
				    "oversized, 1 truncated, 0 lost; parse errors: none") != NULL,
		  "%s", t.res.err);
}

Test(dns, huge_response_object_cut_to_whole_records)
{
	static struct {
		uint8_t b[60000];
		size_t n;
	} big;
	struct msg m;
	const struct jr_val *a, *answers;

	/* 3500 A records: every one is scanned, the alert's lists are cut */
	header(&m, 8, 0x8180, 1, 0);
	question(&m, "many.example", 1);
	memcpy(big.b, m.b, m.n);
	big.n = m.n;
	big.b[6] = 3500 >> 8;
	big.b[7] = 3500 & 0xff;
	for (unsigned i = 0; i < 3500; i++) {
		uint8_t rr[16] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 198, 18, 0, 0};

		rr[14] = (uint8_t)(i >> 8);
		rr[15] = (uint8_t)i;
		memcpy(big.b + big.n, rr, sizeof(rr));
		big.n += sizeof(rr);
	}
	itest_rules(&t, "rules:\n  - {id: 2, msg: last A, buffer: dns.answer, "
			"patterns: [{content: \" A 198.18.13.171\"}]}\n"); /* 3499 */
	itest_capture(&t, 1);
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.10", 40009, big.b, big.n);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 2), 1);
	a = eve_find(&t.eve, "alert.signature_id=2", 0);
	answers = jr_get(a, "dns.answers");
	cr_assert_not_null(answers);
	cr_expect_gt(answers->n, 100);
	cr_expect_lt(answers->n, 3500);
	cr_expect_str_eq(jr_str(a, "dns.answers.0.rdata"), "198.18.0.0");
	cr_expect_str_eq(jr_str(a, "dns.rcode"), "NOERROR");
}
