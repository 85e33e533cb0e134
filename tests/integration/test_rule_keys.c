/*
 * test_rule_keys.c - the rule-level keys of rule language v2 end to end:
 * the real sensor on crafted captures, with exact alert counts, the alert
 * fields classtype/gid/priority give, and the stats counters of what
 * thresholds, suppress, pass and noalert held back.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "rule_keys");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(rule_keys, .init = begin, .fini = end);

#define CLI "198.18.0.1"
#define SRV "198.18.0.2"

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

static int64_t stat(const char *path)
{
	char full[128];

	snprintf(full, sizeof(full), "stats.%s", path);
	return jr_int(eve_find(&t.eve, "event_type=stats", 0), full, -1);
}

static void udp(const char *src, const char *payload)
{
	pg_udp(&t.gen, src, 40000, SRV, 5000, payload, strlen(payload));
}

/* A request sets a flowbit (no alert); the response tests it; a second
 * session where the request never came raises nothing. */
Test(rule_keys, flowbits_across_directions_on_streams)
{
	struct pg_tcp s1, s2;

	itest_capture(&t, 1);
	pg_tcp_init(&s1, &t.gen, CLI, 40001, SRV, 21);
	pg_tcp_handshake(&s1);
	pg_tcp_send(&s1, PG_TO_SERVER, "USER admin\r\n", 12);
	pg_tcp_send(&s1, PG_TO_CLIENT, "230 logged in\r\n", 15);
	pg_tcp_close(&s1);
	pg_tcp_init(&s2, &t.gen, CLI, 40002, SRV, 21);
	pg_tcp_handshake(&s2);
	pg_tcp_send(&s2, PG_TO_CLIENT, "230 logged in\r\n", 15);
	pg_tcp_close(&s2);
	itest_rules(&t, "rules:\n"
			"  - id: 1\n"
			"    msg: admin user\n"
			"    proto: tcp\n"
			"    flow: [established, to_server]\n"
			"    patterns: [{content: \"USER admin\"}]\n"
			"    flowbits: [\"set,ftp.admin\", noalert]\n"
			"  - id: 2\n"
			"    msg: admin logged in\n"
			"    proto: tcp\n"
			"    flow: [established, to_client]\n"
			"    patterns: [{content: \"230 \"}]\n"
			"    flowbits: [\"isset,ftp.admin\"]\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 0), "src_port", 0), 21);
	cr_expect_eq(stat("detect.filtered.noalert"), 1);
}

/* A SYN scan: flags, dsize, window and ttl on single packets. */
/* ip_only: three datagrams each way on one flow, a fourth to the server
 * on another flow: the IP-only rule alerts on the first packet of each
 * direction of each flow (3), the same rule without ip_only on all 7. */
Test(rule_keys, ip_only_rules_check_the_first_packet_of_each_direction)
{
	itest_capture(&t, 1);
	for (int i = 0; i < 3; i++) {
		pg_udp(&t.gen, CLI, 40000, SRV, 5000, "q", 1);
		pg_udp(&t.gen, SRV, 5000, CLI, 40000, "r", 1);
	}
	pg_udp(&t.gen, CLI, 40001, SRV, 5000, "q", 1);
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: ip only, src: [198.18.0.1, 198.18.0.2], ip_only: true}\n"
			"  - {id: 2, msg: every packet, src: [198.18.0.1, 198.18.0.2]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 3);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 src_ip=198.18.0.2"), 1);
	cr_expect_eq(itest_alerts(&t, 2), 7);
}

Test(rule_keys, header_keywords_on_packets)
{
	itest_capture(&t, 1);
	for (int i = 0; i < 3; i++) {
		struct pg_pkt p = {.src = CLI,
				   .dst = SRV,
				   .sport = 50000,
				   .dport = (uint16_t)(20 + i),
				   .proto = IPPROTO_TCP,
				   .tcp_flags = 0x02,
				   .win = 1024,
				   .ttl = (uint8_t)(40 + i),
				   .ip_id = 31337};
		pg_packet(&t.gen, &p);
	}
	struct pg_pkt ack = {.src = CLI,
			     .dst = SRV,
			     .sport = 50000,
			     .dport = 80,
			     .proto = IPPROTO_TCP,
			     .tcp_flags = 0x10,
			     .payload = "x",
			     .len = 1};
	pg_packet(&t.gen, &ack);
	struct pg_pkt ping = {.src = CLI,
			      .dst = SRV,
			      .proto = IPPROTO_ICMP,
			      .icmp_type = 8,
			      .payload = "pingdata",
			      .len = 8};
	pg_packet(&t.gen, &ping);
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 1, msg: syn, proto: tcp, flags: S, dsize: 0, window: 1024}\n"
		    "  - {id: 2, msg: old ttl, proto: tcp, flags: \"S\", ttl: \">40\"}\n"
		    "  - {id: 3, msg: not syn, proto: tcp, flags: \"!S\", dsize: \"<5\"}\n"
		    "  - {id: 4, msg: ip id, ip_id: 31337}\n"
		    "  - {id: 5, msg: ping, proto: icmp, itype: 8, icode: 0, icmp_id: 4660, "
		    "icmp_seq: 1}\n"
		    "  - {id: 6, msg: ports, proto: tcp, flags: \"S+\", dst_port: \"21:22\", ttl: "
		    "\"40<>42\"}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 3);
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(itest_alerts(&t, 4), 3);
	cr_expect_eq(itest_alerts(&t, 5), 1);
	cr_expect_eq(itest_alerts(&t, 6), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=6", 0), "dest_port", 0), 21);
}

/* Ten matches from one source and two from another, 1 ms apart. */
Test(rule_keys, thresholds_and_detection_filter)
{
	itest_capture(&t, 1);
	for (int i = 0; i < 10; i++)
		udp(CLI, "beacon");
	udp("198.18.0.3", "beacon");
	udp("198.18.0.3", "beacon");
	itest_rules(&t, "rules:\n"
			"  - id: 1\n"
			"    msg: limit\n"
			"    patterns: [{content: beacon}]\n"
			"    threshold: {type: limit, track: by_src, count: 2, seconds: 60}\n"
			"  - id: 2\n"
			"    msg: threshold\n"
			"    patterns: [{content: beacon}]\n"
			"    threshold: {type: threshold, track: by_rule, count: 4, seconds: 60}\n"
			"  - id: 3\n"
			"    msg: both\n"
			"    patterns: [{content: beacon}]\n"
			"    threshold: {type: both, track: by_dst, count: 5, seconds: 60}\n"
			"  - id: 4\n"
			"    msg: detection_filter\n"
			"    patterns: [{content: beacon}]\n"
			"    detection_filter: {track: by_src, count: 8, seconds: 60}\n"
			"  - id: 5\n"
			"    msg: suppressed\n"
			"    patterns: [{content: beacon}]\n"
			"    suppress: [{track: by_src, ip: " CLI "}]\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 4);
	cr_expect_eq(itest_alerts(&t, 2), 3);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(itest_alerts(&t, 4), 2);
	cr_expect_eq(itest_alerts(&t, 5), 2);
	cr_expect_eq(stat("detect.filtered.threshold"), (12 - 4) + (12 - 3) + (12 - 1) + (12 - 2));
	cr_expect_eq(stat("detect.filtered.suppress"), 10);
	cr_expect_eq(stat("detect.alerts_suppressed"), 38 + 10);
}

/* A pass rule hides the alerts of its packet; an IP-only pass rule those
 * of its whole flow, both ways. */
Test(rule_keys, pass_rules_take_precedence)
{
	itest_capture(&t, 1);
	udp(CLI, "hello trusted");
	udp(CLI, "hello");
	pg_udp(&t.gen, "198.18.0.7", 40000, SRV, 6000, "hello", 5);
	pg_udp(&t.gen, SRV, 6000, "198.18.0.7", 40000, "hello", 5);
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: hello, patterns: [{content: hello}]}\n"
			"  - {id: 2, msg: trusted, action: pass, patterns: [{content: trusted}]}\n"
			"  - {id: 3, msg: trusted host, action: pass, src: 198.18.0.7}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 2);
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_expect_eq(stat("detect.filtered.pass"), 3);
}

/* classtype, priority, gid and action in the alert record. */
Test(rule_keys, classtype_gid_priority_in_alerts)
{
	char conf[512];

	snprintf(conf, sizeof(conf),
		 "classification-file: %s/rules/classification.config\n"
		 "plugins:\n  - name: signature\n",
		 SOURCE_DIR);
	itest_config(&t, conf);
	itest_capture(&t, 1);
	udp(CLI, "evil");
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: a, classtype: trojan-activity, patterns: [{content: "
			"evil}]}\n"
			"  - {id: 2, msg: b, classtype: bad-unknown, priority: 3, gid: 7, action: "
			"drop, reference: [\"cve,2021-44228\"], patterns: [{content: evil}]}\n");
	run_ok();
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	const struct jr_val *b = eve_find(&t.eve, "alert.signature_id=2", 0);

	cr_assert(a && b);
	cr_expect_str_eq(jr_str(a, "alert.category"), "A Network Trojan was detected");
	cr_expect_eq(jr_int(a, "alert.severity", 0), 1);
	cr_expect_eq(jr_int(a, "alert.gid", 0), 1);
	cr_expect_str_eq(jr_str(a, "alert.action"), "allowed");
	cr_expect_str_eq(jr_str(b, "alert.category"), "Potentially Bad Traffic");
	cr_expect_eq(jr_int(b, "alert.severity", 0), 3);
	cr_expect_eq(jr_int(b, "alert.gid", 0), 7);
	cr_expect_str_eq(jr_str(b, "alert.action"), "allowed");
}

/* A classtype without a classification file is a load error at the rule:
 * the rule is left out (rules.on-error: skip, the default), so it never
 * alerts. */
Test(rule_keys, classtype_without_a_file_fails_to_load)
{
	itest_capture(&t, 1);
	udp(CLI, "evil");
	itest_rules(&t, "rules:\n  - {id: 1, msg: a, classtype: trojan-activity}\n");
	cr_assert_eq(itest_run(&t, NULL), 0);
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect(strstr(t.res.err, "rules.yaml:2:32: error: rule 1: classtype 'trojan-activity' "
				    "is not in the classification file"),
		  "%s", t.res.err);
}

/* Workers share the threshold counts: 40 sources (their flows spread over
 * both workers) hit one destination; a by_dst limit of 3 and a by_rule
 * detection_filter of 37 give exactly 3 alerts each. */
Test(rule_keys, thresholds_are_shared_by_workers)
{
	itest_capture(&t, 1);
	for (int i = 0; i < 40; i++) {
		char src[32];

		snprintf(src, sizeof(src), "198.18.1.%d", i + 1);
		udp(src, "beacon");
	}
	itest_rules(&t, "rules:\n"
			"  - id: 1\n"
			"    msg: limit\n"
			"    patterns: [{content: beacon}]\n"
			"    threshold: {type: limit, track: by_dst, count: 3, seconds: 60}\n"
			"  - id: 2\n"
			"    msg: detection_filter\n"
			"    patterns: [{content: beacon}]\n"
			"    detection_filter: {track: by_rule, count: 37, seconds: 60}\n");
	cr_assert_eq(itest_run(&t, "--threads", "2", NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 3);
	cr_expect_eq(itest_alerts(&t, 2), 3);
	cr_expect_eq(stat("detect.filtered.threshold"), 37 + 37);
}

/* UDP packets both ways: a query sets one of two bits, the reply tests
 * them with groups; a toggle in the third packet clears the bit. */
Test(rule_keys, flowbits_groups_on_packets_both_ways)
{
	itest_capture(&t, 1);
	pg_udp(&t.gen, CLI, 41000, SRV, 7000, "query alpha", 11);
	pg_udp(&t.gen, SRV, 7000, CLI, 41000, "reply", 5);
	pg_udp(&t.gen, CLI, 41000, SRV, 7000, "query alpha", 11);
	pg_udp(&t.gen, SRV, 7000, CLI, 41000, "reply", 5);
	itest_rules(
		&t,
		"rules:\n"
		"  - {id: 1, msg: q, patterns: [{content: alpha}], flowbits: [\"toggle,a\", "
		"noalert]}\n"
		"  - {id: 2, msg: any, patterns: [{content: reply}], flowbits: [\"isset,a|b\"]}\n"
		"  - {id: 3, msg: all, patterns: [{content: reply}], flowbits: [\"isset,a&b\"]}\n"
		"  - {id: 4, msg: none, patterns: [{content: reply}], flowbits: "
		"[\"isnotset,a&b\"]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 0), "pcap_cnt", 0), 2);
	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=4", 0), "pcap_cnt", 0), 4);
}

/* flow established as Suricata: the handshake's bare last ACK is not yet
 * established, a later bare ACK is; the SYN is not. */
Test(rule_keys, established_starts_after_the_handshake)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, CLI, 40003, SRV, 80);
	pg_tcp_handshake(&s);				    /* 1 SYN, 2 SYN+ACK, 3 ACK */
	pg_tcp_send(&s, PG_TO_SERVER, "hello", 5);	    /* 4 */
	pg_tcp_segment(&s, PG_TO_SERVER, 0x10, 0, NULL, 0); /* 5 bare ACK */
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 1, msg: est ack, proto: tcp, flags: A, dsize: 0, flow: "
		    "[established, to_server]}\n"
		    "  - {id: 2, msg: not est, proto: tcp, flow: [not_established, no_stream]}\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 5);
	cr_expect_eq(itest_alerts(&t, 2), 3);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 2), "pcap_cnt", 0), 3);
}
