/*
 * test_detect.c - the rule language end to end: each rule feature on a
 * crafted capture, with exact alert counts and the packets they fire on.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "detect");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(detect, .init = begin, .fini = end);

static void udp(const char *payload, size_t len)
{
	pg_udp(&t.gen, "198.18.0.1", 40000, "198.18.0.2", 5000, payload, len);
}

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

Test(detect, content_nocase_and_nul_bytes)
{
	itest_capture(&t, 1);
	udp("xxHello", 7);
	udp("xxHELLO", 7);
	udp("a\0b", 3);
	udp("a b", 3);
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: exact, patterns: [{content: Hello}]}\n"
			"  - {id: 2, msg: nocase, patterns: [{content: hello, nocase: true}]}\n"
			"  - {id: 3, msg: nul, patterns: [{content: \"a\\x00b\"}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=3", 0), "pcap_cnt", 0), 3);
}

/* Rule text for a hex pattern of the bytes lo..hi, "80 81 ... ff". */
static void hex_range(char *out, unsigned lo, unsigned hi)
{
	for (unsigned b = lo; b <= hi; b++)
		out += sprintf(out, b < hi ? "%02x " : "%02x", b);
}

/*
 * Raw bytes above 0x7f: a hex pattern holds exactly the bytes written,
 * where a content's "\x80" escape is the UTF-8 encoding c2 80. Packet 1
 * carries 0x80..0xff, packet 2 the UTF-8 text of U+0080 U+0081. Offset
 * and depth apply as to a content.
 */
Test(detect, hex_pattern_matches_raw_high_bytes)
{
	char payload[128], all[128 * 3 + 1], rules[1024];

	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (char)(0x80 + i);
	hex_range(all, 0x80, 0xff);
	itest_capture(&t, 1);
	udp(payload, sizeof(payload));
	udp("\xc2\x80\xc2\x81", 4);
	snprintf(rules, sizeof(rules),
		 "rules:\n"
		 "  - {id: 1, msg: all, patterns: [{hex: '%s'}]}\n"
		 "  - {id: 2, msg: hex, patterns: [{hex: '80 81'}]}\n"
		 "  - {id: 3, msg: utf8, patterns: [{content: \"\\x80\\x81\"}]}\n"
		 "  - {id: 4, msg: tail, patterns: [{hex: fEfF, offset: 126, depth: 2}]}\n"
		 "  - {id: 5, msg: past, patterns: [{hex: fe ff, offset: 127}]}\n"
		 "  - {id: 6, msg: hinocase, patterns: [{hex: e2 80, nocase: true}]}\n",
		 all);
	itest_rules(&t, rules);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 0), "pcap_cnt", 0), 1);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=3", 0), "pcap_cnt", 0), 2);
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(itest_alerts(&t, 5), 0);
	/* nocase folds ASCII letters only: e2 80 does not match packet 2's
	 * c2 80 (as a Latin-1 case folding would) */
	cr_expect_eq(itest_alerts(&t, 6), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 4);
}

/* nocase on a hex pattern of letters: "Hello" as 48 65 6c 6c 6f matches
 * any case with nocase, the exact bytes without. */
Test(detect, hex_pattern_nocase_letters)
{
	itest_capture(&t, 1);
	udp("xxHello", 7);
	udp("xxHELLO", 7);
	udp("xxhello\xff", 8);
	udp("xxHel lo", 8);
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: exact, patterns: [{hex: '48 65 6c 6c 6f'}]}\n"
			"  - {id: 2, msg: nocase, patterns: [{hex: '48656C6C6F', nocase: true}]}\n"
			"  - {id: 3, msg: mixed, patterns: [{hex: '68 65 6c 6c 6f ff', nocase: "
			"true}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 1);
	cr_expect_eq(itest_alerts(&t, 2), 3);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2 pcap_cnt=4"), 0);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=3", 0), "pcap_cnt", 0), 3);
}

Test(detect, offset_and_depth_bounds)
{
	itest_capture(&t, 1);
	udp("ABCD....", 8); /* pcap_cnt 1: ABCD at 0 */
	udp("..ABCD..", 8); /* 2: at 2 */
	udp("...ABCD.", 8); /* 3: at 3 */
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 1, msg: depth4, patterns: [{content: ABCD, depth: 4}]}\n"
		    "  - {id: 2, msg: off2, patterns: [{content: ABCD, offset: 2}]}\n"
		    "  - {id: 3, msg: off2d4, patterns: [{content: ABCD, offset: 2, depth: 4}]}\n"
		    "  - {id: 4, msg: regexdepth, patterns: [{regex: 'AB[C]D', depth: 6}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 1);
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=3", 0), "pcap_cnt", 0), 2);
	cr_expect_eq(itest_alerts(&t, 4), 2);
}

Test(detect, all_patterns_and_pcre_must_match)
{
	itest_capture(&t, 1);
	udp("login user=admin pass=x", 23);
	udp("login user=bob", 14);
	udp("pass=1 login", 12);
	itest_rules(&t, "rules:\n"
			"  - id: 1\n    msg: and\n    patterns:\n"
			"      - content: login\n      - regex: 'pass=\\w'\n"
			"  - id: 2\n    msg: pcre\n    patterns: [{content: login}]\n"
			"    pcre: '/user=(admin|root)\\b/i'\n"
			"  - id: 3\n    msg: backref\n    pcre: '/(\\w)=\\1/'\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
}

Test(detect, backreference_regex_confirmed_by_pcre2)
{
	itest_capture(&t, 1);
	udp("key=abcabc", 10);
	udp("key=abcabd", 10);
	itest_rules(&t, "rules:\n"
			"  - {id: 7, msg: repeat, patterns: [{regex: '=(\\w{3})\\1'}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 7), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=7", 0), "pcap_cnt", 0), 1);
}

Test(detect, header_proto_ports_addresses_direction)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41000, "198.18.5.5", 8080);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, "PING", 4);
	pg_tcp_send(&s, PG_TO_CLIENT, "PING", 4);
	pg_udp(&t.gen, "198.18.0.10", 41000, "198.18.5.5", 8080, "PING", 4);
	itest_rules(
		&t,
		"vars:\n  WEB: [8080, 8443]\n  LAN: [198.18.0.0/24]\n"
		"rules:\n"
		"  - {id: 1, msg: tcp, proto: tcp, patterns: [{content: PING}]}\n"
		"  - {id: 2, msg: udp, proto: udp, patterns: [{content: PING}]}\n"
		"  - {id: 3, msg: ts, direction: to_server, patterns: [{content: PING}]}\n"
		"  - {id: 4, msg: tc, proto: tcp, direction: to_client, "
		"patterns: [{content: PING}]}\n"
		"  - {id: 5, msg: var, dst_port: $WEB, src: $LAN, patterns: [{content: PING}]}\n"
		"  - {id: 6, msg: neg, dst_port: '!8080', patterns: [{content: PING}]}\n"
		"  - {id: 7, msg: range, src_port: '40000:41000', patterns: [{content: PING}]}\n"
		"  - {id: 8, msg: notlan, src: '!$LAN', patterns: [{content: PING}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 2); /* the TCP request and the UDP datagram */
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(itest_alerts(&t, 5), 2);
	cr_expect_eq(itest_alerts(&t, 6), 1); /* the reply goes to port 41000 */
	cr_expect_eq(itest_alerts(&t, 7), 2);
	cr_expect_eq(itest_alerts(&t, 8), 1);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=4", 0), "direction"),
			 "to_client");
}

Test(detect, ipv6_and_icmpv6)
{
	struct pg_pkt p = {.src = "2001:db8::1",
			   .dst = "2001:db8:0:0:1::2",
			   .proto = IPPROTO_ICMPV6,
			   .icmp_type = 128,
			   .payload = "probe-v6",
			   .len = 8};

	itest_capture(&t, 1);
	pg_packet(&t.gen, &p);
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: icmp6, proto: icmp, dst: '2001:db8::/64', "
			"patterns: [{content: probe}]}\n");
	run_ok();
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "proto"), "IPv6-ICMP");
	cr_expect_str_eq(jr_str(a, "dest_ip"), "2001:0db8:0000:0000:0001:0000:0000:0002");
	cr_expect_eq(jr_int(a, "icmp_type", -1), 128);
}

Test(detect, header_only_rule_and_alerts_per_packet)
{
	itest_capture(&t, 1);
	udp("anything", 8);
	itest_config(&t,
		     "plugins:\n  - name: signature\n    options:\n      alerts-per-packet: 2\n");
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: a, proto: udp, dst_port: 5000}\n"
			"  - {id: 2, msg: b, proto: udp}\n"
			"  - {id: 3, msg: c, proto: udp}\n");
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 2);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
}

Test(detect, payload_fields_and_escaping)
{
	itest_capture(&t, 1);
	udp("GET \"x\"\r\n\x01", 10);
	itest_config(&t, "outputs:\n  eve:\n    payload: true\n    payload-printable: true\n"
			 "    packet: true\nplugins:\n  - name: signature\n");
	itest_rules(&t, "rules:\n"
			"  - id: 9\n    msg: \"quote \\\" backslash \\\\ tab \\t done\"\n"
			"    category: \"caf\\u00e9\"\n    patterns: [{content: GET}]\n");
	run_ok();
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=9", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "alert.signature"), "quote \" backslash \\ tab \t done");
	cr_expect_str_eq(jr_str(a, "alert.category"), "caf\xc3\xa9");
	cr_expect_str_eq(jr_str(a, "payload"), "R0VUICJ4Ig0KAQ==");
	cr_expect_str_eq(jr_str(a, "payload_printable"), "GET \"x\"\r\n.");
	cr_expect_not_null(jr_str(a, "packet"));
	cr_expect_eq(jr_int(a, "stream", -1), 0);
}

/* ---------------------------------------------------- rule language v2 */

Test(detect, v2_relative_patterns_on_packets)
{
	itest_capture(&t, 1);
	udp("USER root\r\n", 11);    /* 1 */
	udp("USER   xroot\r\n", 14); /* distance too far */
	udp("LEN\x00\x04"
	    "abcd",
	    9); /* byte_jump over 4 bytes lands at the end */
	udp("LEN\x00\x03"
	    "abcd",
	    9); /* lands before 'd' */
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: user, patterns: [{content: USER}, {content: root, "
			"distance: 1, within: 5}, {pcre: '/^\\r\\n/R'}]}\n"
			"  - {id: 2, msg: jump, patterns: [{content: LEN}, {byte_jump: "
			"'2,0,relative'}, {isdataat: '!1,relative'}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 0), "pcap_cnt", 0), 3);
}

Test(detect, broken_rule_is_skipped_and_counted)
{
	itest_capture(&t, 1);
	udp("xxHello", 7);
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: good, patterns: [{content: Hello}]}\n"
			"  - {id: 2, msg: bad, patterns: [{byte_test: '9,>,1,0'}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect(strstr(t.res.err, "rules.yaml:3:") && strstr(t.res.err, "byte_test: bytes must"),
		  "%s", t.res.err);
	cr_expect(strstr(t.res.err, "1 rule failed to load (1 error); going on with the others"),
		  "%s", t.res.err);
	cr_expect_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.detect.rules_loaded", -1),
		1);
	cr_expect_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.detect.rules_failed", -1),
		1);
}

Test(detect, broken_rule_fails_with_on_error_fail)
{
	itest_capture(&t, 1);
	udp("xxHello", 7);
	itest_config(&t, "rules: {on-error: fail}\n");
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: good, patterns: [{content: Hello}]}\n"
			"  - {id: 2, msg: bad, patterns: [{content: a, within: x}]}\n");
	cr_expect_eq(itest_run(&t, NULL), 1, "%s", t.res.err);
	cr_expect(strstr(t.res.err, "not started"), "%s", t.res.err);
}

Test(detect, verification_work_limit_is_counted_in_stats)
{
	static char buf[1400];

	memset(buf, 'a', sizeof(buf));
	itest_capture(&t, 1);
	udp(buf, sizeof(buf));
	udp("aaab", 4);
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 1, msg: chain, patterns: [{content: a}, {content: a, distance: 0}, "
		    "{content: a, distance: 0}, {content: b, distance: 0}]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.detect.verify_limit", -1),
		1);
}
