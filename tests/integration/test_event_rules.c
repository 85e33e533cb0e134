/*
 * test_event_rules.c - decode-event, stream-event and app-layer-event rules
 * (and YAML rules with `anomaly:`) end to end: the real sensor on crafted
 * captures alerts exactly once per event raised, with the rule's fields;
 * rules on events the sensor does not raise are reported at load and
 * skipped.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	char conf[512];

	itest_begin(&t, SENSOR_BIN, "eventrules");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	snprintf(conf, sizeof(conf),
		 "classification-file: %s/rules/classification.config\n"
		 "plugins:\n  - name: signature\n",
		 SOURCE_DIR);
	itest_config(&t, conf);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(event_rules, .init = begin, .fini = end);

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

/* The alert object of the only alert of `sid`. */
static const struct jr_val *only_alert(unsigned sid)
{
	char filter[64];

	cr_assert_eq(itest_alerts(&t, sid), 1, "sid %u: %zu alerts\n%s", sid, itest_alerts(&t, sid),
		     t.res.err);
	snprintf(filter, sizeof(filter), "alert.signature_id=%u", sid);
	return eve_find(&t.eve, filter, 0);
}

static void expect_rule_fields(const struct jr_val *a, unsigned sid, unsigned rev, const char *msg)
{
	cr_expect_eq(jr_int(a, "alert.signature_id", 0), sid);
	cr_expect_eq(jr_int(a, "alert.gid", 0), 1);
	cr_expect_eq(jr_int(a, "alert.rev", 0), rev);
	cr_expect_str_eq(jr_str(a, "alert.signature"), msg);
	cr_expect_str_eq(jr_str(a, "alert.category"), "Generic Protocol Command Decode");
	cr_expect_eq(jr_int(a, "alert.severity", 0), 3);
	cr_expect_str_eq(jr_str(a, "alert.action"), "allowed");
}

/* A valid IPv4 UDP frame, then broken by `mutate`. */
static void write_udp(void (*mutate)(uint8_t *frame, size_t *len, size_t *caplen))
{
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.18.0.2",
			   .sport = 1000,
			   .dport = 2000,
			   .proto = IPPROTO_UDP,
			   .payload = "PAYLOAD!",
			   .len = 8};
	uint8_t frame[2048];
	size_t n = pg_build(&t.gen, &p, frame, sizeof(frame)), caplen = n;

	if (mutate)
		mutate(frame, &n, &caplen);
	pg_write_caplen(&t.gen, frame, caplen, n);
}

static void version_6_in_ipv4(uint8_t *f, size_t *n, size_t *caplen)
{
	(void)n, (void)caplen;
	f[14] = 0x65;
}

/* The capture kept 10 bytes fewer than the IPv4 header's total length. */
static void truncated(uint8_t *f, size_t *n, size_t *caplen)
{
	(void)f;
	*n -= 10;
	*caplen = *n;
}

static const char decode_rules[] =
	"alert pkthdr any any -> any any (msg:\"SURICATA IPv4 wrong IP version\"; "
	"decode-event:ipv4.wrong_ip_version; classtype:protocol-command-decode; sid:2200011; "
	"rev:2;)\n"
	"alert pkthdr any any -> any any (msg:\"SURICATA IPv4 truncated packet\"; "
	"decode-event:ipv4.trunc_pkt; classtype:protocol-command-decode; sid:2200003; rev:2;)\n"
	"alert tcp any any -> any any (msg:\"tcp only\"; decode-event:ipv4.wrong_ip_version; "
	"classtype:protocol-command-decode; sid:9000001; rev:1;)\n"
	"alert pkthdr any any -> any any (msg:\"SURICATA IPv6 unknown next header\"; "
	"decode-event:ipv6.unknown_next_header; classtype:protocol-command-decode; "
	"sid:2200094; rev:2;)\n";

/* One frame with a wrong IP version, one truncated, one good: each rule
 * alerts once on its event; a rule whose header needs TCP does not. */
Test(event_rules, decode_event_rules_alert_once_per_event)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	write_udp(version_6_in_ipv4);
	write_udp(truncated);
	write_udp(NULL);
	itest_rules(&t, decode_rules);
	run_ok();
	a = only_alert(2200011);
	expect_rule_fields(a, 2200011, 2, "SURICATA IPv4 wrong IP version");
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 1);
	cr_expect_null(jr_str(a, "src_ip")); /* the frame did not decode */
	a = only_alert(2200003);
	expect_rule_fields(a, 2200003, 2, "SURICATA IPv4 truncated packet");
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 2);
	cr_expect_eq(itest_alerts(&t, 9000001), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 2);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly"), 2);
}

/* An event the sensor does not raise: file:line:col, sid and the event at
 * load, the rule skipped, the count in the summary. */
Test(event_rules, unraised_event_is_reported_and_skipped)
{
	itest_capture(&t, 1);
	write_udp(NULL);
	itest_rules(&t, decode_rules);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 2200094), 0);
	cr_expect_not_null(strstr(t.res.err, "in.rules:4:88: error: sid 2200094: decoder event "
					     "'ipv6.unknown_next_header' is not raised by this "
					     "sensor (decode-event)\n"),
			   "%s", t.res.err);
	cr_expect_not_null(strstr(t.res.err, "sensor: 1 rule failed to load (1 error)"), "%s",
			   t.res.err);
	cr_expect_not_null(strstr(t.res.err, "in.rules: warning: 3 rules parsed, 1 failed (by "
					     "keyword: decode-event 1)"),
			   "%s", t.res.err);
}

/* The same event from a YAML rule (`anomaly:`). */
Test(event_rules, yaml_anomaly_rule_alerts)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	write_udp(version_6_in_ipv4);
	write_udp(version_6_in_ipv4);
	snprintf(t.rules, sizeof(t.rules), "%s/rules.yaml", t.dir);
	itest_rules(&t, "rules:\n"
			"  - id: 7\n"
			"    rev: 3\n"
			"    msg: wrong version\n"
			"    classtype: protocol-command-decode\n"
			"    anomaly: decoder.ipv4.wrong_ip_version\n");
	run_ok();
	cr_assert_eq(itest_alerts(&t, 7), 2);
	a = eve_find(&t.eve, "alert.signature_id=7", 1);
	expect_rule_fields(a, 7, 3, "wrong version");
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 2);
}

/* Overlapping segments with different data: one stream event, one alert,
 * on the segment that caused it, within its flow. */
Test(event_rules, stream_event_rule_alerts_on_overlap)
{
	struct pg_tcp s;
	const struct jr_val *a;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41002, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "GOOD", 4);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "EVIL", 4);
	s.cseq += 4;
	pg_tcp_close(&s);
	itest_rules(&t, "alert tcp any any -> any any (msg:\"SURICATA STREAM reassembly overlap "
			"with different data\"; stream-event:reassembly_overlap_different_data; "
			"classtype:protocol-command-decode; sid:2210050; rev:2;)\n"
			"alert udp any any -> any any (msg:\"udp only\"; "
			"stream-event:reassembly_overlap_different_data; sid:9000002;)\n");
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly "
				       "anomaly.event=stream.reassembly_overlap_different_data"),
		     1);
	a = only_alert(2210050);
	expect_rule_fields(a, 2210050, 2, "SURICATA STREAM reassembly overlap with different data");
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.0.10");
	cr_expect_eq(jr_int(a, "src_port", 0), 41002);
	cr_expect_str_eq(jr_str(a, "dest_ip"), "198.18.1.80");
	cr_expect_eq(jr_int(a, "dest_port", 0), 80);
	cr_expect_str_eq(jr_str(a, "proto"), "TCP");
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 5);
	cr_expect_neq(jr_int(a, "flow_id", 0), 0);
	cr_expect_eq(itest_alerts(&t, 9000002), 0);
}

/* HTTP one way, SSH the other: applayer.mismatch_protocol_both_directions,
 * one anomaly and one alert for the flow. */
Test(event_rules, app_layer_event_rule_alerts_on_mismatch)
{
	struct pg_tcp s;
	const struct jr_val *a;
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41003, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, req, strlen(req));
	pg_tcp_send(&s, PG_TO_CLIENT, ssh, strlen(ssh));
	pg_tcp_send(&s, PG_TO_CLIENT, ssh, strlen(ssh));
	pg_tcp_close(&s);
	/* and a flow that agrees both ways: no event */
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41004, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, req, strlen(req));
	pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\n\r\n", 19);
	pg_tcp_close(&s);
	/* POP3, whose client's USER also reads as FTP: no event either */
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41006, "198.18.1.110", 110);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_CLIENT, "+OK POP3 ready\r\n", 16);
	pg_tcp_send(&s, PG_TO_SERVER, "USER bob\r\n", 10);
	pg_tcp_close(&s);
	itest_rules(&t, "alert ip any any -> any any (msg:\"SURICATA Applayer Mismatch protocol "
			"both directions\"; flow:established; "
			"app-layer-event:applayer_mismatch_protocol_both_directions; "
			"classtype:protocol-command-decode; sid:2260000; rev:1;)\n");
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly anomaly.type=applayer "
				       "anomaly.event=applayer.mismatch_protocol_both_directions"),
		     1);
	a = only_alert(2260000);
	expect_rule_fields(a, 2260000, 1, "SURICATA Applayer Mismatch protocol both directions");
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.1.80");
	cr_expect_eq(jr_int(a, "src_port", 0), 80);
	cr_expect_str_eq(jr_str(a, "direction"), "to_client");
	cr_expect_str_eq(jr_str(a, "app_proto"), "http");
}

/* sensor -T counts the anomaly rules apart from the plugins' rules. */
Test(event_rules, test_mode_counts_anomaly_rules)
{
	/* the rules above but the one on an event not raised (-T fails on it) */
	itest_rules(&t, "alert pkthdr any any -> any any (msg:\"a\"; "
			"decode-event:ipv4.wrong_ip_version; sid:1;)\n"
			"alert pkthdr any any -> any any (msg:\"b\"; decode-event:ipv4.trunc_pkt; "
			"sid:2;)\n"
			"alert tcp any any -> any any (msg:\"c\"; "
			"stream-event:reassembly_seq_gap; sid:3;)\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out, "configuration OK: 3 rules; rules per plugin: signature=0; "
				    "anomaly rules: 3\n");
}

/* Overlaps with different data three times on one flow, a rule with
 * Suricata's backoff threshold (count 1, multiplier 2): alerts on the 1st
 * and 2nd event, not the 3rd. */
Test(event_rules, stream_event_rule_with_backoff)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41005, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	for (int i = 0; i < 3; i++) {
		pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "GOOD", 4);
		pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "EVIL", 4);
		s.cseq += 4;
	}
	pg_tcp_close(&s);
	itest_rules(&t, "alert tcp any any -> any any (msg:\"SURICATA STREAM reassembly overlap "
			"with different data\"; stream-event:reassembly_overlap_different_data; "
			"threshold:type backoff, track by_flow, count 1, multiplier 2; "
			"classtype:protocol-command-decode; sid:2210050; rev:2;)\n");
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly "
				       "anomaly.event=stream.reassembly_overlap_different_data"),
		     3);
	cr_expect_eq(itest_alerts(&t, 2210050), 2);
}

/* The UDP header cut to 4 bytes, the IPv4 total length and checksum
 * saying so: udp.hlen_too_small after a whole IP header. */
static void udp_header_cut(uint8_t *f, size_t *n, size_t *caplen)
{
	uint32_t sum = 0;

	*n = 14 + 20 + 4;
	*caplen = *n;
	f[16] = 0;
	f[17] = 24;
	f[24] = f[25] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(f[14 + i] << 8 | f[15 + i]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8);
	f[25] = (uint8_t)~sum;
}

/* A frame dropped in its UDP header keeps its IP layer, as in Suricata: the
 * anomaly and the alert of an `alert udp` rule have the addresses and the
 * protocol (ports 0); an `alert tcp` rule does not match it. */
Test(event_rules, transport_drop_keeps_the_ip_layer)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	write_udp(udp_header_cut);
	itest_rules(&t,
		    "alert udp any any -> any any (msg:\"SURICATA UDP header length too "
		    "small\"; decode-event:udp.hlen_too_small; classtype:protocol-command-decode; "
		    "sid:2200037; rev:2;)\n"
		    "alert tcp any any -> any any (msg:\"tcp\"; decode-event:udp.hlen_too_small; "
		    "sid:9000030;)\n");
	run_ok();
	a = eve_find(&t.eve, "event_type=anomaly anomaly.event=decoder.udp.hlen_too_small", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.0.1");
	cr_expect_str_eq(jr_str(a, "dest_ip"), "198.18.0.2");
	cr_expect_str_eq(jr_str(a, "proto"), "UDP");
	cr_expect_eq(jr_int(a, "src_port", -1), 0);
	a = only_alert(2200037);
	expect_rule_fields(a, 2200037, 2, "SURICATA UDP header length too small");
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.0.1");
	cr_expect_eq(itest_alerts(&t, 9000030), 0);
}

/* ------------------------------------------- plugins' app-layer events */

/* The http plugin with the signature plugin, anomaly and stats records. */
static void http_config(void)
{
	char conf[512];

	snprintf(conf, sizeof(conf),
		 "classification-file: %s/rules/classification.config\n"
		 "outputs: {eve: {types: [alert, anomaly, stats]}}\n"
		 "plugins:\n  - name: signature\n  - name: http\n",
		 SOURCE_DIR);
	itest_config(&t, conf);
}

static const char te_rules[] =
	/* Suricata's rule (rules/http-events.rules), as it is */
	"alert http any any -> any any (msg:\"SURICATA HTTP invalid transfer encoding value in "
	"request\"; flow:established,to_server; "
	"app-layer-event:http.invalid_transfer_encoding_value_in_request; "
	"flowint:http.anomaly.count,+,1; classtype:protocol-command-decode; sid:2221005; "
	"rev:1;)\n"
	/* the header is checked: the event is on a request */
	"alert http any any -> any any (msg:\"to client\"; flow:established,to_client; "
	"app-layer-event:http.invalid_transfer_encoding_value_in_request; sid:9000020;)\n"
	/* the event with patterns: only on the transaction that raised it */
	"alert http any any -> any any (msg:\"event and uri\"; flow:established,to_server; "
	"app-layer-event:http.invalid_transfer_encoding_value_in_request; http.uri; "
	"content:\"/upload\"; classtype:protocol-command-decode; sid:9000021; rev:3;)\n";

/* Request `req` on a connection of its own from client port `port`, then
 * a response. */
static void http_exchange(uint16_t port, const char *req, const char *resp)
{
	struct pg_tcp s;

	pg_tcp_init(&s, &t.gen, "198.18.0.10", port, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, req, strlen(req));
	pg_tcp_send(&s, PG_TO_CLIENT, resp, strlen(resp));
	pg_tcp_close(&s);
}

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

/*
 * A request with `Transfer-Encoding: gzip` (no chunked: libhtp's invalid
 * value) and, on the same connection, a valid chunked request to the same
 * URI: one anomaly record with Suricata's applayer fields, Suricata's rule
 * alerts once, the rule combining the event with http.uri alerts on the
 * first transaction only, the to_client rule never; `foo, chunked` on
 * HTTP/1.1 (chunked is there) raises nothing; the counter says 1.
 */
Test(event_rules, http_invalid_transfer_encoding_request)
{
	static const char bad[] = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
				  "\r\n";
	static const char good[] = "POST /upload HTTP/1.1\r\nHost: x\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
	static const char listed[] = "POST /upload HTTP/1.1\r\nHost: x\r\n"
				     "Transfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n";
	const struct jr_val *a, *st;
	struct pg_tcp s;

	http_config();
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41010, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, bad, strlen(bad));
	pg_tcp_send(&s, PG_TO_CLIENT, ok_resp, strlen(ok_resp));
	pg_tcp_send(&s, PG_TO_SERVER, good, strlen(good));
	pg_tcp_send(&s, PG_TO_CLIENT, ok_resp, strlen(ok_resp));
	pg_tcp_close(&s);
	http_exchange(41011, listed, ok_resp);
	itest_rules(&t, te_rules);
	run_ok();

	cr_assert_eq(eve_count(&t.eve, "event_type=anomaly"), 1);
	a = eve_find(&t.eve, "event_type=anomaly", 0);
	cr_expect_str_eq(jr_str(a, "anomaly.type"), "applayer");
	cr_expect_str_eq(jr_str(a, "anomaly.event"),
			 "http.invalid_transfer_encoding_value_in_request");
	cr_expect_str_eq(jr_str(a, "anomaly.layer"), "proto_parser");
	cr_expect_str_eq(jr_str(a, "anomaly.app_proto"), "http");
	cr_expect_eq(jr_int(a, "tx_id", -1), 0);
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.0.10");
	cr_expect_eq(jr_int(a, "src_port", 0), 41010);
	cr_expect_str_eq(jr_str(a, "dest_ip"), "198.18.1.80");
	cr_expect_eq(jr_int(a, "dest_port", 0), 80);
	cr_expect_str_eq(jr_str(a, "direction"), "to_server");
	cr_expect_str_eq(jr_str(a, "pkt_src"), "stream");

	a = only_alert(2221005);
	expect_rule_fields(a, 2221005, 1,
			   "SURICATA HTTP invalid transfer encoding value in request");
	cr_expect_eq(jr_int(a, "src_port", 0), 41010);
	cr_expect_eq(jr_int(a, "tx_id", -1), 0);
	cr_expect_eq(itest_alerts(&t, 9000020), 0);
	a = only_alert(9000021);
	expect_rule_fields(a, 9000021, 3, "event and uri");
	cr_expect_eq(jr_int(a, "tx_id", -1), 0);
	cr_expect_str_eq(jr_str(a, "http.url"), "/upload");

	st = eve_find(&t.eve, "event_type=stats", 0);
	cr_assert_not_null(st);
	cr_expect_eq(
		jr_int(st, "stats.plugins.http.invalid_transfer_encoding_value_in_request", -1), 1);
	cr_expect_eq(jr_int(st, "stats.plugins.http.response_abnormal_transfer_encoding", -1), 0);
}

/* chunked in a request before HTTP/1.1 is an invalid value too (libhtp);
 * a response's abnormal chunked value and chunked on HTTP/1.0 raise
 * Suricata's response events, once per response; an HTTP/1.1 request
 * without Host raises missing_host_header (not an HTTP/1.0 one). */
Test(event_rules, http_transfer_encoding_old_proto_and_responses)
{
	static const char old[] = "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
	static const char get[] = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char abnormal[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n"
				       "\r\n0\r\n\r\n";
	static const char old_resp[] = "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n"
				       "\r\n0\r\n\r\n";

	http_config();
	itest_capture(&t, 1);
	http_exchange(41020, old, ok_resp);
	http_exchange(41021, get, abnormal);
	http_exchange(41022, get, old_resp);
	http_exchange(41023, "GET /c HTTP/1.1\r\n\r\n", ok_resp);
	itest_rules(&t, te_rules);
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly src_port=41023 "
				       "anomaly.event=http.missing_host_header"),
		     1);
	cr_expect_eq(eve_count(&t.eve,
			       "event_type=anomaly anomaly.type=applayer src_port=41020 "
			       "anomaly.event=http.invalid_transfer_encoding_value_in_request"),
		     1);
	cr_expect_eq(itest_alerts(&t, 2221005), 1);
	cr_expect_eq(itest_alerts(&t, 9000021), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly src_port=80 dest_port=41021 "
				       "anomaly.event=http.response_abnormal_transfer_encoding "
				       "direction=to_client"),
		     1);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly src_port=80 dest_port=41022 "
				       "anomaly.event=http.response_chunked_old_proto"),
		     1);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly"), 4);
}

/* A rule on an app-layer event no loaded plugin raises is reported at
 * its file:line and left out; the others load. */
Test(event_rules, app_layer_event_of_no_plugin_is_reported)
{
	itest_rules(&t, "alert http any any -> any any (msg:\"a\"; "
			"app-layer-event:http.invalid_transfer_encoding_value_in_request; sid:1;)\n"
			"alert pkthdr any any -> any any (msg:\"b\"; decode-event:ipv4.trunc_pkt; "
			"sid:2;)\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_neq(t.res.status, 0);
	cr_expect(strstr(t.res.err,
			 "in.rules:1: error: rule 1: app-layer event "
			 "'http.invalid_transfer_encoding_value_in_request' is raised by "
			 "no loaded plugin") != NULL,
		  "%s", t.res.err);
	http_config();
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
}

/* The rule of the ET Open set in the corpus whose sid is `sid`, from
 * `file`, into out; false when the corpus is absent. */
static bool et_rule(const char *file, unsigned sid, char *out, size_t len)
{
	const char *base = getenv("SENSOR_CORPUS_DIR") ? getenv("SENSOR_CORPUS_DIR") : CORPUS_DIR;
	char path[4096], key[32];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/rules/et-open-suricata-5.0/%s", base, file);
	snprintf(key, sizeof(key), "sid:%u;", sid);
	if (!(f = fopen(path, "r")))
		return false;
	while (!found && fgets(out, (int)len, f))
		found = out[0] == 'a' && strstr(out, key) != NULL;
	fclose(f);
	return found;
}

/* ET Open's sid 2048367 from the corpus, unmodified (flow to_server, the
 * request's invalid Transfer-Encoding event, http.cookie content): alerts
 * on the request with both, not on the same cookie with a valid
 * Transfer-Encoding, nor on the bad one without the cookie. */
Test(event_rules, et_open_rule_with_event_and_buffer)
{
	static const char both[] = "POST /hub HTTP/1.1\r\nHost: x\r\nCookie: X-Qlik-Session=1\r\n"
				   "Transfer-Encoding: chunk\r\n\r\n";
	static const char cookie_only[] = "POST /hub HTTP/1.1\r\nHost: x\r\n"
					  "Cookie: X-Qlik-Session=1\r\n"
					  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
	static const char event_only[] = "POST /hub HTTP/1.1\r\nHost: x\r\n"
					 "Transfer-Encoding: chunk\r\n\r\n";
	char rule[8192], conf[1024];
	const struct jr_val *a;

	if (!et_rule("emerging-web_specific_apps.rules", 2048367, rule, sizeof(rule)))
		cr_skip_test("ET Open not found under %s: skipped", CORPUS_DIR);
	snprintf(conf, sizeof(conf),
		 "classification-file: %s/rules/et-open-suricata-5.0/classification.config\n"
		 "vars: {address-groups: {HOME_NET: \"[198.18.0.0/24]\"}}\n"
		 "outputs: {eve: {types: [alert, anomaly]}}\n"
		 "plugins:\n  - name: signature\n  - name: http\n",
		 getenv("SENSOR_CORPUS_DIR") ? getenv("SENSOR_CORPUS_DIR") : CORPUS_DIR);
	itest_config(&t, conf);
	itest_capture(&t, 1);
	http_exchange(41030, both, ok_resp);
	http_exchange(41031, cookie_only, ok_resp);
	http_exchange(41032, event_only, ok_resp);
	itest_rules(&t, rule);
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly"), 2);
	a = only_alert(2048367);
	cr_expect_eq(jr_int(a, "src_port", 0), 41030);
	cr_expect_eq(jr_int(a, "tx_id", -1), 0);
	cr_expect_str_eq(jr_str(a, "alert.category"), "Web Application Attack");
}
