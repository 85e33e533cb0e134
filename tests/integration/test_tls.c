/*
 * test_tls.c - the tls plugin in the real sensor: TLS sessions on port 443
 * and on a non-standard port, ClientHellos cut over records and segments,
 * rules on every tls buffer, exact alert counts and exact `tls` objects;
 * a flow that is not TLS; option and rule errors; the shipped rules.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"
#include "tls_hello.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "tls");
	itest_config(&t, "plugins:\n  - name: tls\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(tls, .init = begin, .fini = end);

static uint8_t body[8192], hs[8192], wire[16384];

/*
 * One TLS session: the FoxIO ClientHello with `sni` cut into records of
 * `per_record` bytes and sent in two segments, then a ServerHello selecting
 * `selected` (0: TLS 1.2 without supported_versions) and some encrypted
 * bytes both ways.
 */
static void tls_session(const char *cli, uint16_t cport, const char *srv, uint16_t port,
			const char *sni, size_t per_record, uint16_t selected)
{
	static const uint8_t appdata[] = {23, 3, 3, 0, 4, 0xde, 0xad, 0xbe, 0xef};
	struct th_spec s = th_foxio(true, sni);
	struct pg_tcp tcp;
	size_t n = th_records(hs, th_handshake(1, body, th_client_hello(&s, body), hs), per_record,
			      wire);

	pg_tcp_init(&tcp, &t.gen, cli, cport, srv, port);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, wire, n / 2);
	pg_tcp_send(&tcp, PG_TO_SERVER, wire + n / 2, n - n / 2);
	n = th_server_hello(0x0303, selected ? 0x1301 : 0xc02f, selected, body);
	n = th_records(hs, th_handshake(2, body, n, hs), 16384, wire);
	pg_tcp_send(&tcp, PG_TO_CLIENT, wire, n);
	pg_tcp_send(&tcp, PG_TO_CLIENT, appdata, sizeof(appdata));
	pg_tcp_send(&tcp, PG_TO_SERVER, appdata, sizeof(appdata));
	pg_tcp_close(&tcp);
}

static const char every_buffer_rules[] =
	"rules:\n"
	"  - {id: 1, msg: sni c2, buffer: tls.sni, patterns: [{content: c2.example.net}]}\n"
	"  - {id: 2, msg: ja4, buffer: tls.ja4, patterns: [{content: " TH_FOXIO_JA4 "}]}\n"
	"  - {id: 3, msg: tls13, buffer: tls.version, patterns: [{content: TLS 1.3}]}\n"
	"  - {id: 4, msg: ja3, buffer: tls.ja3, patterns: [{content: " TH_FOXIO_JA3_HASH "}]}\n"
	"  - {id: 5, msg: ja3s, buffer: tls.ja3_string, patterns: [{content: '29-23-24,0', "
	"offset: 130}]}\n"
	"  - {id: 6, msg: sni org, buffer: tls.sni, patterns: [{content: www.example, depth: "
	"11}]}\n"
	"  - {id: 7, msg: tls12, buffer: tls.version, patterns: [{content: TLS 1.2}]}\n";

static void expect_fingerprints(const struct jr_val *a)
{
	cr_expect_str_eq(jr_str(a, "tls.ja3.hash"), TH_FOXIO_JA3_HASH);
	cr_expect_str_eq(jr_str(a, "tls.ja3.string"), TH_FOXIO_JA3);
	cr_expect_str_eq(jr_str(a, "tls.ja4"), TH_FOXIO_JA4);
}

Test(tls, sessions_on_443_and_another_port)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	tls_session("198.18.0.11", 40002, "198.18.1.2", 8443, "c2.example.net", 16384, 0x0304);
	tls_session("198.18.0.10", 40001, "198.18.1.1", 443, "www.example.org", 100, 0x0304);
	itest_rules(&t, every_buffer_rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);

	cr_assert_eq(itest_alerts(&t, 1), 1);
	a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_eq(jr_int(a, "dest_port", 0), 8443);
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 5, "the segment that completed the hello");
	cr_expect_str_eq(jr_str(a, "tls.sni"), "c2.example.net");
	cr_expect_str_eq(jr_str(a, "tls.version"), "UNDETERMINED");
	expect_fingerprints(a);

	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(itest_alerts(&t, 4), 2);
	cr_expect_eq(itest_alerts(&t, 5), 2);
	cr_expect_eq(itest_alerts(&t, 6), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=6 dest_port=443"), 1);
	cr_expect_eq(itest_alerts(&t, 7), 0);

	cr_assert_eq(itest_alerts(&t, 3), 2);
	a = eve_find(&t.eve, "alert.signature_id=3 src_port=443", 0);
	cr_assert_not_null(a, "ServerHello alerts come from the server");
	cr_expect_str_eq(jr_str(a, "tls.sni"), "www.example.org");
	cr_expect_str_eq(jr_str(a, "tls.version"), "TLS 1.3");
	expect_fingerprints(a);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 10);
}

Test(tls, tls12_server_and_a_flow_that_is_not_tls)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n";
	struct pg_tcp tcp;
	const struct jr_val *a;

	itest_capture(&t, 1);
	tls_session("2001:db8::10", 40003, "2001:db8::443", 443, "www.example.org", 50, 0);
	pg_tcp_init(&tcp, &t.gen, "198.18.0.12", 40004, "198.18.1.3", 443);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, http, sizeof(http) - 1);
	pg_tcp_close(&tcp);
	itest_rules(&t, every_buffer_rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);

	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_assert_eq(itest_alerts(&t, 7), 1);
	a = eve_find(&t.eve, "alert.signature_id=7", 0);
	cr_expect_str_eq(jr_str(a, "src_ip"), eve_ip("2001:db8::443"));
	cr_expect_str_eq(jr_str(a, "tls.version"), "TLS 1.2");
	cr_expect_str_eq(jr_str(a, "tls.sni"), "www.example.org");
	cr_expect_eq(itest_alerts(&t, 6), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert src_ip=198.18.0.12"), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 5);
}

/* A client that sends `data` and closes. */
static void client_sends(const char *cli, uint16_t cport, const void *data, size_t len)
{
	struct pg_tcp tcp;

	pg_tcp_init(&tcp, &t.gen, cli, cport, "198.18.1.9", 443);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, data, len);
	pg_tcp_close(&tcp);
}

Test(tls, hostile_handshakes_raise_nothing_and_the_next_flow_still_works)
{
	static const uint8_t huge[] = {22, 3, 1, 0, 4, 1, 0x01, 0x11, 0x70}; /* 70000-byte hello */
	static uint8_t garbage[1500];
	struct th_spec s = th_foxio(true, "c2.example.net");
	size_t n =
		th_records(hs, th_handshake(1, body, th_client_hello(&s, body), hs), 16384, wire);

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 131 + 7);
	memcpy(garbage, (const uint8_t[]){22, 3, 1, 5, 0xdc, 1, 0, 5, 0xd8}, 9);
	itest_capture(&t, 1);
	client_sends("198.18.0.20", 40010, huge, sizeof(huge));
	client_sends("198.18.0.21", 40011, garbage, sizeof(garbage));
	client_sends("198.18.0.22", 40012, wire, n - 1); /* cut by the FIN */
	wire[9 + 2 + 32] = 40;				 /* session id too long */
	client_sends("198.18.0.23", 40013, wire, n);
	wire[9 + 2 + 32] = 32;
	client_sends("198.18.0.24", 40014, wire, n);
	itest_rules(&t, every_buffer_rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert src_ip=198.18.0.24"), 4); /* 1 2 4 5 */
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 4);
}

Test(tls, sni_bytes_are_escaped_in_eve)
{
	static const char sni[] = "q\"uo\\te\x01.example.net";

	itest_capture(&t, 1);
	tls_session("198.18.0.30", 40020, "198.18.1.1", 443, sni, 16384, 0x0304);
	itest_rules(&t, "rules:\n  - {id: 1, msg: sni, buffer: tls.sni, patterns: [{content: "
			"'\"uo\\te'}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 1), 1);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=1", 0), "tls.sni"), sni);
}

Test(tls, without_ja3_alerts_carry_no_ja3)
{
	itest_config(&t, "plugins:\n  - name: tls\n    options:\n      ja3: false\n");
	itest_capture(&t, 1);
	tls_session("198.18.0.10", 40005, "198.18.1.1", 443, "c2.example.net", 16384, 0x0304);
	itest_rules(&t,
		    "rules:\n  - {id: 1, msg: sni, buffer: tls.sni, patterns: [{content: c2}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 1), 1);
	cr_expect_null(jr_get(eve_find(&t.eve, "alert.signature_id=1", 0), "tls.ja3"));
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=1", 0), "tls.ja4"),
			 TH_FOXIO_JA4);
}

/* JA3S of the ServerHello as rule buffers, from a Suricata .rules file:
 * "771,4865,43" (TLS 1.3: cipher 0x1301, supported_versions) and
 * "771,49199," (TLS 1.2 without extensions); a multi-buffer rule joins the
 * client's SNI and the server's JA3S of one handshake. */
Test(tls, ja3s_buffers_from_suricata_rules)
{
	itest_config(&t, "plugins:\n  - name: tls\n");
	itest_capture(&t, 1);
	tls_session("198.18.0.10", 40011, "198.18.1.1", 443, "c2.example.net", 16384, 0x0304);
	tls_session("198.18.0.10", 40012, "198.18.1.1", 443, "www.example.org", 16384, 0);
	snprintf(t.rules, sizeof(t.rules), "%s/ja3s.rules", t.dir);
	itest_rules(&t, "alert tls any any -> any any (msg:\"ja3s 1.3\"; ja3s.hash; "
			"content:\"cce84e7a8b742462e40afb585a3e3ccc\"; sid:11;)\n"
			"alert tls any any -> any any (msg:\"ja3s 1.2\"; ja3s.string; "
			"content:\"771,49199,\"; startswith; endswith; sid:12;)\n"
			"alert tls any any -> any any (msg:\"sni and ja3s\"; tls.sni; "
			"content:\"c2.example\"; ja3s.hash; "
			"content:\"cce84e7a8b742462e40afb585a3e3ccc\"; sid:13;)\n"
			"alert tls any any -> any any (msg:\"other sni\"; tls.sni; "
			"content:\"www.example\"; ja3s.hash; "
			"content:\"cce84e7a8b742462e40afb585a3e3ccc\"; sid:14;)\n"
			"alert tls any any -> any any (msg:\"legacy\"; ja3s_string; "
			"content:\",43\"; endswith; sid:15;)\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 11), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=11", 0), "dest_port", 0), 40011);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=11", 0), "tls.ja3s.string"),
			 "771,4865,43");
	cr_assert_eq(itest_alerts(&t, 12), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=12", 0), "dest_port", 0), 40012);
	cr_expect_eq(itest_alerts(&t, 13), 1);
	cr_expect_eq(itest_alerts(&t, 14), 0);
	cr_expect_eq(itest_alerts(&t, 15), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 4);
}

Test(tls, ja3s_needs_the_ja3_option)
{
	itest_config(&t, "plugins:\n  - name: tls\n    options:\n      ja3: false\n");
	itest_rules(&t,
		    "rules:\n  - {id: 8, msg: x, buffer: ja3s.hash, patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "buffer ja3s.hash needs the tls option ja3: true") != NULL,
		  "%s", t.res.err);
}

/* An unknown buffer names the buffers of its family, each name whole
 * (the list of every plugin's buffers was once cut off mid-name). */
Test(tls, unknown_buffer_lists_its_family_whole)
{
	itest_config(
		&t,
		"plugins:\n  - name: signature\n  - name: http\n  - name: dns\n  - name: tls\n");
	itest_rules(&t,
		    "rules:\n  - {id: 8, msg: x, buffer: tls.ja3z, patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err,
			 "no loaded plugin provides buffer 'tls.ja3z' (buffers: "
			 "tls.sni, tls.version, tls.ja3, tls.ja3_string, tls.ja4, "
			 "tls.cert_subject, tls.cert_issuer, tls.cert_serial, "
			 "tls.cert_fingerprint, tls.certs, tls.ja3s, tls.ja3s_string)\n") != NULL,
		  "%s", t.res.err);
}

Test(tls, rule_errors_at_start)
{
	itest_rules(&t, "rules:\n  - {id: 9, msg: x, detector: tls, patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "plugin 'tls' failed to start: rule 9 (") != NULL, "%s",
		  t.res.err);
	cr_expect(strstr(t.res.err, "rules.yaml:2): the tls plugin matches rules on its buffers "
				    "only: add `buffer:`") != NULL,
		  "%s", t.res.err);

	itest_config(&t, "plugins:\n  - name: tls\n    options:\n      ja4: false\n");
	itest_rules(&t, "rules:\n  - {id: 8, msg: x, buffer: tls.ja4, patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "buffer tls.ja4 needs the tls option ja4: true") != NULL, "%s",
		  t.res.err);
}

Test(tls, shipped_rules_load)
{
	char rules[4096];

	snprintf(rules, sizeof(rules), "%s/rules/tls.yaml", SOURCE_DIR);
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", rules, NULL);
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out, "configuration OK: 7 rules; rules per plugin: tls=7\n");
}

Test(tls, shipped_rules_fire_on_their_traffic)
{
	itest_capture(&t, 1);
	tls_session("198.18.0.10", 40006, "198.18.1.1", 443, "abc.duckdns.org", 16384, 0x0301);
	tls_session("198.18.0.10", 40007, "198.18.1.1", 443, "x.ngrok-free.app", 16384, 0x0304);
	snprintf(t.rules, sizeof(t.rules), "%s/rules/tls.yaml", SOURCE_DIR);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 3300001), 1);
	cr_expect_eq(itest_alerts(&t, 3300002), 1);
	cr_expect_eq(itest_alerts(&t, 3300011), 1);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=3300011", 0), "tls.version"),
			 "TLSv1");
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 3);
}
