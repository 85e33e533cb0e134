/*
 * test_rule_eval.c - the packet path of the rule-level keys: flowbits
 * across packets and both directions (groups included), pass precedence,
 * noalert, suppress, threshold and detection_filter windows by packet time
 * for each type and track, flow and app_proto conditions.
 *
 * A "fire" is what the matcher and the alert service do for a rule whose
 * patterns matched: rule_header_match (conditions), then
 * rule_alert_filter (actions; true when the alert is written).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_detect.h"
#include "base/diag.h"
#include "detect/rule_keys.h"
#include "detect/rules.h"
#include "flow/flow.h"

static struct diag d;
static struct ruleset rs;
static struct flow flow, flow2;
static struct flow *cur;
static struct rule_alert_ctx ctx;

static void setup(void)
{
	diag_init(&d, stderr);
	ruleset_init(&rs);
	memset(&flow, 0, sizeof(flow));
	memset(&flow2, 0, sizeof(flow2));
	memset(&ctx, 0, sizeof(ctx));
	cur = &flow;
	rule_keys_bind_flow(&cur);
}

static void teardown(void)
{
	rule_flow_state_free(&flow);
	rule_flow_state_free(&flow2);
	rule_keys_bind_flow(NULL);
	ruleset_free(&rs);
	rule_thr_reset();
}

TestSuite(rule_eval, .init = setup, .fini = teardown);

static void load(const char *text)
{
	cr_assert_eq(ruleset_load_buffer(&rs, "r.yaml", text, strlen(text), "signature", &d), 0);
}

static const struct rule *find(uint32_t id)
{
	for (size_t i = 0; i < rs.n; i++)
		if (rs.rules[i]->pub.id == id)
			return rs.rules[i];
	cr_assert_fail("no rule %u", id);
	return NULL;
}

static struct ids_packet pkt(const char *src, const char *dst, int dir, int64_t sec)
{
	static uint64_t cnt;
	struct ids_packet p;

	memset(&p, 0, sizeof(p));
	p.ts_usec = sec * 1000000;
	p.pcap_cnt = ++cnt;
	p.ip_version = 4;
	p.proto = IPPROTO_TCP;
	p.direction = (uint8_t)dir;
	p.src.family = p.dst.family = 4;
	inet_pton(AF_INET, src, p.src.bytes);
	inet_pton(AF_INET, dst, p.dst.bytes);
	p.sport = 1000;
	p.dport = 80;
	return p;
}

/* The rule's conditions, then its actions: was an alert written? */
static bool fire(uint32_t id, const struct ids_packet *p)
{
	const struct rule *r = find(id);

	return rule_header_match(r, p) && rule_alert_filter(&ctx, cur, p, &r->pub);
}

/* Conditions only (the rule matched or not). */
static bool matches(uint32_t id, const struct ids_packet *p)
{
	return rule_header_match(find(id), p);
}

#define C "198.18.0.1"
#define S "198.18.0.2"

/* ------------------------------------------------------------ flowbits */

Test(rule_eval, flowbit_set_by_a_request_is_seen_by_the_response)
{
	struct ids_packet req = pkt(C, S, IDS_DIR_TO_SERVER, 1);
	struct ids_packet resp = pkt(S, C, IDS_DIR_TO_CLIENT, 2);

	load("rules:\n"
	     "  - {id: 1, msg: set, flowbits: [\"set,login\", noalert]}\n"
	     "  - {id: 2, msg: check, flowbits: [\"isset,login\"]}\n");
	cr_assert_not(fire(2, &req), "not set yet");
	cr_assert_not(fire(1, &req), "noalert");
	cr_assert_eq(ctx.n.noalert, 1);
	cr_assert(fire(2, &resp));
	cur = &flow2; /* another flow has its own bits */
	cr_assert_not(fire(2, &resp));
}

Test(rule_eval, set_and_isset_in_one_packet_follow_the_rule_order)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);

	load("rules:\n"
	     "  - {id: 2, msg: check, flowbits: [\"isset,x\"]}\n"
	     "  - {id: 1, msg: set, flowbits: [\"set,x\"]}\n");
	/* the loader put the setter first, as the matcher reports rules */
	cr_assert_eq(rs.rules[0]->pub.id, 1);
	cr_assert(fire(1, &p));
	cr_assert(fire(2, &p));
}

Test(rule_eval, unset_toggle_isnotset)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);

	load("rules:\n"
	     "  - {id: 1, msg: set, flowbits: [\"set,a\"]}\n"
	     "  - {id: 2, msg: unset, flowbits: [\"unset,a\"]}\n"
	     "  - {id: 3, msg: toggle, flowbits: [\"toggle,a\"]}\n"
	     "  - {id: 4, msg: notset, flowbits: [\"isnotset,a\"]}\n");
	cr_assert(matches(4, &p));
	fire(1, &p);
	cr_assert_not(matches(4, &p));
	fire(2, &p);
	cr_assert(matches(4, &p));
	fire(3, &p);
	cr_assert_not(matches(4, &p));
	fire(3, &p);
	cr_assert(matches(4, &p));
}

Test(rule_eval, groups_any_and_all)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);

	load("rules:\n"
	     "  - {id: 1, msg: a, flowbits: [\"set,a\"]}\n"
	     "  - {id: 2, msg: ab, flowbits: [\"set,a&b\"]}\n"
	     "  - {id: 10, msg: any, flowbits: [\"isset,a|b\"]}\n"
	     "  - {id: 11, msg: all, flowbits: [\"isset,a&b\"]}\n"
	     "  - {id: 12, msg: anyunset, flowbits: [\"isnotset,a|b\"]}\n"
	     "  - {id: 13, msg: allunset, flowbits: [\"isnotset,a&b\"]}\n");
	cr_assert_not(matches(10, &p));
	cr_assert_not(matches(11, &p));
	cr_assert(matches(12, &p));
	cr_assert(matches(13, &p));
	fire(1, &p);
	cr_assert(matches(10, &p));
	cr_assert_not(matches(11, &p));
	cr_assert(matches(12, &p));
	cr_assert_not(matches(13, &p));
	fire(2, &p);
	cr_assert(matches(11, &p));
	cr_assert_not(matches(12, &p));
}

Test(rule_eval, a_rule_whose_conditions_fail_sets_nothing)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);

	load("rules:\n"
	     "  - {id: 1, msg: set, flowbits: [\"isset,never\", \"set,b\"]}\n"
	     "  - {id: 2, msg: check, flowbits: [\"isset,b\"]}\n");
	cr_assert_not(fire(1, &p));
	cr_assert_not(fire(2, &p));
}

Test(rule_eval, no_flow_means_no_bits)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);

	load("rules:\n"
	     "  - {id: 1, msg: set, flowbits: [\"set,a\"]}\n"
	     "  - {id: 2, msg: check, flowbits: [\"isset,a\"]}\n"
	     "  - {id: 3, msg: check, flowbits: [\"isnotset,a\"]}\n");
	cur = NULL;
	cr_assert(fire(1, &p));
	cr_assert_not(fire(2, &p));
	cr_assert(fire(3, &p));
}

/* ---------------------------------------------------------------- pass */

Test(rule_eval, a_pass_rule_stops_the_packets_alerts)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);
	struct ids_packet next = pkt(C, S, IDS_DIR_TO_SERVER, 2);

	load("rules:\n"
	     "  - {id: 1, msg: alert}\n"
	     "  - {id: 2, msg: pass, action: pass, patterns: [{content: x}]}\n");
	cr_assert_eq(rs.rules[0]->pub.id, 2, "pass rules come first");
	cr_assert_not(fire(2, &p));
	cr_assert_not(fire(1, &p));
	cr_assert_eq(ctx.n.passed, 1);
	cr_assert(fire(1, &next), "a packet-level pass does not pass the flow");
}

Test(rule_eval, an_ip_only_pass_rule_passes_the_flow)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);
	struct ids_packet back = pkt(S, C, IDS_DIR_TO_CLIENT, 2);

	load("rules:\n"
	     "  - {id: 1, msg: alert}\n"
	     "  - {id: 2, msg: pass, action: pass, dst: " S "}\n");
	cr_assert_not(fire(2, &p));
	cr_assert_not(fire(1, &back));
	cur = &flow2;
	cr_assert(fire(1, &back), "other flows alert");
}

Test(rule_eval, a_pass_on_stream_data_or_a_buffer_passes_the_flow)
{
	struct ids_packet chunk = pkt(C, S, IDS_DIR_TO_SERVER, 1);
	struct ids_packet later = pkt(C, S, IDS_DIR_TO_SERVER, 2);

	load("rules:\n"
	     "  - {id: 1, msg: alert}\n"
	     "  - {id: 2, msg: pass, action: pass, proto: tcp, patterns: [{content: x}]}\n"
	     "  - {id: 3, msg: pass, action: pass, buffer: http.uri, patterns: [{content: x}]}\n"
	     "  - {id: 4, msg: pass, action: pass, proto: tcp, flags: S}\n");
	cr_assert_not(find(2)->keys->flow_pass);
	cr_assert(find(3)->keys->flow_pass);
	cr_assert_not(find(4)->keys->flow_pass, "a header keyword: a packet rule");
	chunk.pkt_src = IDS_PKT_SRC_STREAM;
	cr_assert_not(fire(2, &chunk));
	cr_assert_not(fire(1, &later));
	cur = &flow2;
	cr_assert(fire(1, &later));
	cr_assert_not(fire(3, &later));
	cr_assert_not(fire(1, &chunk));
}

Test(rule_eval, plugin_rules_obey_pass_too)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);
	struct ids_rule own = {.id = 9, .msg = "plugin's own"};

	load("rules:\n  - {id: 2, msg: pass, action: pass, patterns: [{content: x}]}\n");
	cr_assert(rule_alert_filter(&ctx, cur, &p, &own));
	fire(2, &p);
	cr_assert_not(rule_alert_filter(&ctx, cur, &p, &own));
}

/* ------------------------------------------------------------ suppress */

Test(rule_eval, suppress_by_src_dst_either_and_all)
{
	struct ids_packet out = pkt(C, S, IDS_DIR_TO_SERVER, 1);
	struct ids_packet in = pkt(S, C, IDS_DIR_TO_CLIENT, 1);

	load("rules:\n"
	     "  - {id: 1, msg: x, suppress: [{track: by_src, ip: " C "}]}\n"
	     "  - {id: 2, msg: x, suppress: [{track: by_dst, ip: " C "}]}\n"
	     "  - {id: 3, msg: x, suppress: [{track: by_either, ip: \"198.18.0.0/31\"}]}\n"
	     "  - {id: 4, msg: x, suppress: [{}]}\n");
	cr_assert_not(fire(1, &out));
	cr_assert(fire(1, &in));
	cr_assert(fire(2, &out));
	cr_assert_not(fire(2, &in));
	cr_assert_not(fire(3, &out));
	cr_assert_not(fire(3, &in));
	cr_assert_not(fire(4, &out));
	cr_assert_eq(ctx.n.suppressed, 5);
}

/* ---------------------------------------------------------- thresholds */

/* Alerts written for matches at the given seconds, as a bit string. */
static unsigned run(uint32_t id, const char *src, const int *secs, size_t n)
{
	unsigned bits = 0;

	for (size_t i = 0; i < n; i++) {
		struct ids_packet p = pkt(src, S, IDS_DIR_TO_SERVER, secs[i]);

		bits |= (unsigned)fire(id, &p) << i;
	}
	return bits;
}

#define RUN(id, src, ...)                                                                          \
	run(id, src, (const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

Test(rule_eval, limit_alerts_for_the_first_count_of_each_window)
{
	load("rules:\n  - {id: 1, msg: x, threshold: {type: limit, track: by_src, count: 2, "
	     "seconds: 10}}\n");
	/* window 0..10 inclusive: 0, 5 alert, 9 and 10 do not; 11 opens a new one */
	cr_assert_eq(RUN(1, C, 0, 5, 9, 10, 11, 12, 13), 0x1 | 0x2 | 0x10 | 0x20);
	cr_assert_eq(ctx.n.thresholded, 3);
}

Test(rule_eval, threshold_alerts_every_count_th_match)
{
	load("rules:\n  - {id: 1, msg: x, threshold: {type: threshold, track: by_src, count: 3, "
	     "seconds: 10}}\n");
	cr_assert_eq(RUN(1, C, 0, 1, 2, 3, 4, 5, 20, 21), 0x4 | 0x20);
}

Test(rule_eval, both_alerts_once_per_window_at_count)
{
	load("rules:\n  - {id: 1, msg: x, threshold: {type: both, track: by_src, count: 2, "
	     "seconds: 10}}\n");
	cr_assert_eq(RUN(1, C, 0, 1, 2, 3, 11, 12, 13), 0x2 | 0x20);
}

Test(rule_eval, detection_filter_alerts_after_count)
{
	load("rules:\n  - {id: 1, msg: x, detection_filter: {track: by_src, count: 2, seconds: "
	     "10}}\n");
	cr_assert_eq(RUN(1, C, 0, 1, 2, 3, 11, 12, 13), 0x4 | 0x8 | 0x40);
}

Test(rule_eval, tracks_keep_separate_counts)
{
	const char *other = "198.18.0.9";

	load("rules:\n"
	     "  - {id: 1, msg: x, threshold: {type: limit, track: by_src, count: 1, seconds: 60}}\n"
	     "  - {id: 2, msg: x, threshold: {type: limit, track: by_dst, count: 1, seconds: 60}}\n"
	     "  - {id: 3, msg: x, threshold: {type: limit, track: by_rule, count: 1, seconds: "
	     "60}}\n"
	     "  - {id: 4, msg: x, threshold: {type: limit, track: by_both, count: 1, seconds: "
	     "60}}\n");
	/* by_src: each source alerts once */
	cr_assert_eq(RUN(1, C, 0, 1), 0x1);
	cr_assert_eq(RUN(1, other, 2), 0x1);
	/* by_dst: same destination, whatever the source */
	cr_assert_eq(RUN(2, C, 0), 0x1);
	cr_assert_eq(RUN(2, other, 1), 0x0);
	/* by_rule: once in all */
	cr_assert_eq(RUN(3, C, 0), 0x1);
	cr_assert_eq(RUN(3, other, 1), 0x0);
	/* by_both: the pair, whatever the direction */
	cr_assert_eq(RUN(4, C, 0), 0x1);
	struct ids_packet back = pkt(S, C, IDS_DIR_TO_CLIENT, 1);
	cr_assert_not(fire(4, &back));
	cr_assert_eq(RUN(4, other, 2), 0x1);
}

/* ------------------------------------------------------ flow, app_proto */

Test(rule_eval, flow_established_and_direction)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);
	struct ids_packet back = pkt(S, C, IDS_DIR_TO_CLIENT, 1);

	load("rules:\n"
	     "  - {id: 1, msg: x, flow: [established, to_server]}\n"
	     "  - {id: 2, msg: x, flow: [not_established]}\n"
	     "  - {id: 3, msg: x, flow: [to_client]}\n"
	     "  - {id: 4, msg: x, proto: udp, flow: [established]}\n");
	flow.tcp_flags[IDS_DIR_TO_SERVER] = IDS_TCP_SYN;
	flow.tcp_flags[IDS_DIR_TO_CLIENT] = IDS_TCP_SYN | IDS_TCP_ACK;
	cr_assert_not(matches(1, &p));
	cr_assert(matches(2, &p));
	flow.tcp_flags[IDS_DIR_TO_SERVER] |= IDS_TCP_ACK; /* the handshake's ACK */
	cr_assert(matches(1, &p));
	cr_assert_not(matches(1, &back));
	cr_assert_not(matches(2, &p));
	cr_assert(matches(3, &back));
	cr_assert_not(matches(3, &p));
	p.proto = IPPROTO_UDP;
	flow.pkts[IDS_DIR_TO_SERVER] = 1;
	cr_assert_not(matches(4, &p));
	flow.pkts[IDS_DIR_TO_CLIENT] = 1;
	cr_assert(matches(4, &p));
}

Test(rule_eval, only_stream_and_no_stream)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);

	load("rules:\n"
	     "  - {id: 1, msg: x, flow: [only_stream]}\n"
	     "  - {id: 2, msg: x, flow: [no_stream]}\n");
	cr_assert_not(matches(1, &p));
	cr_assert(matches(2, &p));
	p.pkt_src = IDS_PKT_SRC_STREAM;
	cr_assert(matches(1, &p));
	cr_assert_not(matches(2, &p));
}

Test(rule_eval, app_proto_and_its_negation)
{
	struct ids_packet p = pkt(C, S, IDS_DIR_TO_SERVER, 1);

	load("rules:\n"
	     "  - {id: 1, msg: x, app_proto: http}\n"
	     "  - {id: 2, msg: x, app_proto: \"!http\"}\n");
	cr_assert_not(matches(1, &p));
	cr_assert_not(matches(2, &p), "unknown yet");
	flow.app_proto = APP_HTTP;
	cr_assert(matches(1, &p));
	cr_assert_not(matches(2, &p));
	flow.app_proto = APP_TLS;
	cr_assert_not(matches(1, &p));
	cr_assert(matches(2, &p));
}
