/*
 * test_tunnel.c - tunnelled traffic end to end: for each tunnel the same
 * TCP session (handshake, a request, a reply, the close) and a UDP datagram
 * are written inside it; the stream rule, the packet rule and the http
 * plugin's buffer rule each alert exactly once, on the inner addresses,
 * with the outer layer in `tunnel`. Nested tunnels, the depth limit, flows
 * of two VXLAN segments with the same inner addresses (kept apart by VNI or
 * not, as configured), a malformed GRE header and an unknown link type.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static const char rules[] =
	"rules:\n"
	"  - {id: 1, msg: tcp, proto: tcp, patterns: [{content: TUNNEL-TCP-PROBE}]}\n"
	"  - {id: 2, msg: udp, proto: udp, patterns: [{content: TUNNEL-UDP-PROBE}]}\n"
	"  - {id: 3, msg: uri, buffer: http.uri, patterns: [{content: /tunnelled-uri}]}\n";

#define CONF_PLUGINS "plugins:\n  - name: signature\n  - name: http\n"
static const char conf_http[] = CONF_PLUGINS;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "tunnel");
	itest_rules(&t, rules);
	itest_config(&t, conf_http);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(tunnel, .init = begin, .fini = end);

static void send_str(struct pg_tcp *s, int dir, const char *text)
{
	pg_tcp_send(s, dir, text, strlen(text));
}

/* The session and the datagram, between inner addresses of `v6`. */
static void traffic(struct pcapgen *g, bool v6)
{
	const char *cli = v6 ? "2001:db8:2::1" : "198.19.0.1";
	const char *srv = v6 ? "2001:db8:2::2" : "198.19.0.2";
	struct pg_tcp s;

	pg_tcp_init(&s, g, cli, 40001, srv, 80);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "GET /tunnelled-uri HTTP/1.1\r\nHost: x\r\nX-Probe: TUNNEL-TCP-PROBE\r\n\r\n");
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	pg_tcp_close(&s);
	pg_udp(g, cli, 40002, srv, 5353, "xxTUNNEL-UDP-PROBExx", 20);
}

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

/* Every alert once, from the inner addresses, with `tunnel` as given. */
static void expect_alerts(bool v6, const char *outer_src, const char *outer_dst,
			  const char *outer_proto, int depth)
{
	const char *cli = v6 ? "2001:db8:2::1" : "198.19.0.1";

	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	for (unsigned sid = 1; sid <= 3; sid++) {
		char filter[64];
		const struct jr_val *a;

		snprintf(filter, sizeof(filter), "alert.signature_id=%u", sid);
		a = eve_find(&t.eve, filter, 0);
		if (!a)
			continue;
		cr_expect_str_eq(jr_str(a, "src_ip"), eve_ip(cli), "sid %u", sid);
		cr_expect_str_eq(jr_str(a, "tunnel.src_ip"), eve_ip(outer_src), "sid %u", sid);
		cr_expect_str_eq(jr_str(a, "tunnel.dest_ip"), eve_ip(outer_dst), "sid %u", sid);
		cr_expect_str_eq(jr_str(a, "tunnel.proto"), outer_proto, "sid %u", sid);
		cr_expect_eq(jr_int(a, "tunnel.depth", 0), depth, "sid %u", sid);
		cr_expect_str_eq(jr_str(a, "tunnel.pkt_src"), "wire/pcap", "sid %u", sid);
	}
	cr_expect_eq(eve_count(&t.eve, "event_type=flow proto=TCP"), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=flow proto=UDP"), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly"), 0);
}

/* One tunnel around everything, then the checks. */
static void one(struct pg_tunnel *tun, bool v6, const char *proto)
{
	struct pcapgen *g = itest_capture(&t, 1);

	g->tunnel = tun;
	traffic(g, v6);
	run_ok();
	expect_alerts(v6, tun->src, tun->dst, proto, 1);
}

Test(tunnel, gre_ipv4)
{
	struct pg_tunnel tun = {PG_TUN_GRE, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};

	one(&tun, false, "GRE");
}

Test(tunnel, gre_key_ipv6_inner)
{
	struct pg_tunnel tun = {PG_TUN_GRE, "198.18.0.1", "198.18.0.2", 77, 0, 0, NULL};

	one(&tun, true, "GRE");
}

Test(tunnel, gre_bridging)
{
	struct pg_tunnel tun = {PG_TUN_GRE_TEB, "198.18.0.1", "198.18.0.2", 5, 0, 0, NULL};

	one(&tun, false, "GRE");
}

Test(tunnel, erspan_type1)
{
	struct pg_tunnel tun = {PG_TUN_ERSPAN1, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};

	one(&tun, false, "GRE");
}

Test(tunnel, erspan_type2_with_vlan)
{
	struct pg_tunnel tun = {PG_TUN_ERSPAN2, "198.18.0.1", "198.18.0.2", 100, 0, 12, NULL};

	one(&tun, false, "GRE");
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 0), "vlan.0", -1), 12);
}

Test(tunnel, erspan_type3_over_ipv6)
{
	struct pg_tunnel tun = {PG_TUN_ERSPAN3, "2001:db8:1::1", "2001:db8:1::2", 9, 0, 0, NULL};

	one(&tun, false, "GRE");
}

Test(tunnel, ipip_4in4)
{
	struct pg_tunnel tun = {PG_TUN_IPIP, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};

	one(&tun, false, "IP-in-IP");
}

Test(tunnel, ipip_6in4)
{
	struct pg_tunnel tun = {PG_TUN_IPIP, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};

	one(&tun, true, "IPv6");
}

Test(tunnel, ipip_4in6)
{
	struct pg_tunnel tun = {PG_TUN_IPIP, "2001:db8:1::1", "2001:db8:1::2", 0, 0, 0, NULL};

	one(&tun, false, "IP-in-IP");
}

Test(tunnel, ipip_6in6)
{
	struct pg_tunnel tun = {PG_TUN_IPIP, "2001:db8:1::1", "2001:db8:1::2", 0, 0, 0, NULL};

	one(&tun, true, "IPv6");
}

Test(tunnel, vxlan)
{
	struct pg_tunnel tun = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 4242, 0, 0, NULL};

	one(&tun, false, "UDP");
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "tunnel.dest_port", 0),
		     4789);
}

Test(tunnel, vxlan_configured_port)
{
	struct pg_tunnel tun = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 1, 8472, 0, NULL};

	itest_config(&t, CONF_PLUGINS "decoder:\n  vxlan:\n    ports: [4789, 8472]\n");
	one(&tun, false, "UDP");
}

Test(tunnel, vxlan_disabled_sees_only_the_outer_datagrams)
{
	struct pg_tunnel tun = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 1, 0, 0, NULL};
	struct pcapgen *g;

	itest_config(&t, CONF_PLUGINS "decoder:\n  vxlan:\n    enabled: false\n");
	g = itest_capture(&t, 1);

	g->tunnel = &tun;
	traffic(g, false);
	run_ok();
	/* the UDP rule sees the probe in the outer datagram's payload */
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_null(jr_get(eve_find(&t.eve, "alert.signature_id=2", 0), "tunnel"));
}

Test(tunnel, geneve_over_ipv6)
{
	struct pg_tunnel tun = {PG_TUN_GENEVE, "2001:db8:1::1", "2001:db8:1::2", 7, 0, 0, NULL};

	one(&tun, true, "UDP");
}

Test(tunnel, teredo)
{
	struct pg_tunnel tun = {PG_TUN_TEREDO, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};

	one(&tun, true, "UDP");
}

Test(tunnel, pptp)
{
	struct pg_tunnel tun = {PG_TUN_PPTP, "198.18.0.1", "198.18.0.2", 3, 0, 0, NULL};

	one(&tun, false, "GRE");
}

/* MPLS and PPPoE are link layers: no outer IP, no tunnel object. */
static void link_layer(struct pg_tunnel *tun)
{
	struct pcapgen *g = itest_capture(&t, 1);

	g->tunnel = tun;
	traffic(g, false);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_null(jr_get(eve_find(&t.eve, "alert.signature_id=1", 0), "tunnel"));
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly"), 0);
}

Test(tunnel, mpls)
{
	struct pg_tunnel tun = {PG_TUN_MPLS, NULL, NULL, 1000, 0, 0, NULL};

	link_layer(&tun);
}

Test(tunnel, pppoe)
{
	struct pg_tunnel tun = {PG_TUN_PPPOE, NULL, NULL, 0x42, 0, 0, NULL};

	link_layer(&tun);
}

Test(tunnel, nested_gre_in_vxlan_in_mpls)
{
	struct pg_tunnel mpls = {PG_TUN_MPLS, NULL, NULL, 500, 0, 0, NULL};
	struct pg_tunnel vx = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 9, 0, 0, &mpls};
	struct pg_tunnel gre = {PG_TUN_GRE, "198.18.1.1", "198.18.1.2", 0, 0, 0, &vx};
	struct pcapgen *g = itest_capture(&t, 1);

	g->tunnel = &gre;
	traffic(g, false);
	run_ok();
	expect_alerts(false, "198.18.0.1", "198.18.0.2", "UDP", 2);
}

Test(tunnel, depth_limit_is_an_anomaly)
{
	struct pg_tunnel vx = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 9, 0, 0, NULL};
	struct pg_tunnel gre = {PG_TUN_GRE, "198.18.1.1", "198.18.1.2", 0, 0, 0, &vx};
	struct pcapgen *g;

	itest_config(&t, CONF_PLUGINS "decoder:\n  max-tunnel-depth: 1\n");
	g = itest_capture(&t, 1);
	g->tunnel = &gre;
	pg_udp(g, "198.19.0.1", 1, "198.19.0.2", 2, "TUNNEL-UDP-PROBE", 16);
	pg_udp(g, "198.19.0.1", 1, "198.19.0.2", 2, "TUNNEL-UDP-PROBE", 16);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly anomaly.event=decoder.too_many_layers"),
		     2);
}

/* Two VXLAN segments carrying the same inner datagrams. */
static void two_segments(const char *conf)
{
	struct pg_tunnel a = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 100, 0, 0, NULL};
	struct pg_tunnel b = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 200, 0, 0, NULL};
	struct pcapgen *g;

	if (conf)
		itest_config(&t, conf);
	g = itest_capture(&t, 1);
	g->tunnel = &a;
	pg_udp(g, "10.0.0.1", 1000, "10.0.0.2", 53, "TUNNEL-UDP-PROBE", 16);
	g->tunnel = &b;
	pg_udp(g, "10.0.0.1", 1000, "10.0.0.2", 53, "TUNNEL-UDP-PROBE", 16);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 2), 2);
}

Test(tunnel, vni_keeps_overlapping_flows_apart)
{
	two_segments(NULL);
	cr_expect_eq(eve_count(&t.eve, "event_type=flow"), 2);
	cr_expect_neq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 0), "flow_id", 0),
		      jr_int(eve_find(&t.eve, "alert.signature_id=2", 1), "flow_id", 0));
}

Test(tunnel, vni_tracking_off_merges_them)
{
	two_segments(CONF_PLUGINS "decoder:\n  track-tunnel-id: false\n");
	cr_expect_eq(eve_count(&t.eve, "event_type=flow"), 1);
}

Test(tunnel, malformed_gre_is_a_decoder_anomaly)
{
	struct pcapgen *g = itest_capture(&t, 1);
	uint8_t gre[24] = {0x00, 0x03, 0x08, 0x00}; /* version 3 */
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.18.0.2",
			   .proto = 47,
			   .payload = gre,
			   .len = sizeof(gre)};

	pg_packet(g, &p);
	run_ok();
	cr_expect_eq(
		eve_count(&t.eve, "event_type=anomaly anomaly.event=decoder.gre.wrong_version"), 1);
}

Test(tunnel, unknown_link_type_is_counted_and_warned)
{
	struct pcapgen *g = itest_capture(&t, 147);
	uint8_t junk[40] = {0};

	pg_write(g, junk, sizeof(junk));
	pg_write(g, junk, sizeof(junk));
	run_ok();
	cr_expect_eq(
		eve_count(&t.eve, "event_type=anomaly anomaly.event=decoder.unknown_link_type"), 2);
	cr_expect_not_null(strstr(t.res.err, "warning: link type 147 is not supported: its "
					     "frames are counted as decoder.unknown_link_type"),
			   "stderr: %s", t.res.err);
	cr_expect_not_null(strstr(t.res.err, "editcap -T ether"), "stderr: %s", t.res.err);
	cr_expect_null(strstr(t.res.err, "decoder.decoder."), "stderr: %s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly anomaly.type=decode"), 2);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0),
			    "stats.decoder.event.decoder.unknown_link_type", -1),
		     2);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.decoder.invalid", -1),
		     2);
}

/* Every tunnel's frame cut at every length, through the whole sensor:
 * exit 0, every frame counted, and no alert from a cut frame (the probe
 * is at the end of each frame, so only whole frames can match). */
Test(tunnel, every_tunnel_cut_at_every_length)
{
	static const struct pg_tunnel outer = {PG_TUN_GRE, "198.18.1.1", "198.18.1.2", 0, 0,
					       0,	   NULL};
	const struct pg_tunnel kinds[] = {
		{PG_TUN_GRE, "198.18.0.1", "198.18.0.2", 7, 0, 0, NULL},
		{PG_TUN_GRE_TEB, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL},
		{PG_TUN_ERSPAN1, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL},
		{PG_TUN_ERSPAN2, "198.18.0.1", "198.18.0.2", 3, 0, 10, NULL},
		{PG_TUN_ERSPAN3, "2001:db8:1::1", "2001:db8:1::2", 3, 0, 0, NULL},
		{PG_TUN_IPIP, "2001:db8:1::1", "2001:db8:1::2", 0, 0, 0, NULL},
		{PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 42, 0, 0, NULL},
		{PG_TUN_GENEVE, "2001:db8:1::1", "2001:db8:1::2", 9, 0, 0, NULL},
		{PG_TUN_TEREDO, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL},
		{PG_TUN_MPLS, NULL, NULL, 100, 0, 0, NULL},
		{PG_TUN_PPPOE, NULL, NULL, 1, 0, 0, NULL},
		{PG_TUN_PPTP, "198.18.0.1", "198.18.0.2", 5, 0, 0, NULL},
		{PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 1, 0, 0, &outer},
	};
	static uint8_t inner[2048], frame[4096];
	struct pcapgen eth = {.linktype = 1};
	struct pcapgen *g = itest_capture(&t, 1);
	uint64_t frames = 0;
	size_t n_kinds = sizeof(kinds) / sizeof(kinds[0]);

	for (size_t k = 0; k < n_kinds; k++) {
		bool v6 = kinds[k].kind == PG_TUN_TEREDO;
		struct pg_pkt p = {.src = v6 ? "2001:db8:2::1" : "198.19.0.1",
				   .dst = v6 ? "2001:db8:2::2" : "198.19.0.2",
				   .sport = 40002,
				   .dport = 5353,
				   .proto = IPPROTO_UDP,
				   .payload = "xxTUNNEL-UDP-PROBE",
				   .len = 18};
		size_t n = pg_build(&eth, &p, inner, sizeof(inner));

		n = pg_tunnel_wrap(&kinds[k], inner, n, frame, sizeof(frame));
		for (size_t len = 0; len <= n; len++, frames++)
			pg_write(g, frame, len);
	}
	run_ok();
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.decoder.pkts", -1),
		     (int64_t)frames);
	cr_expect_eq(itest_alerts(&t, 2), n_kinds);
	cr_expect_gt(eve_count(&t.eve, "event_type=anomaly"), 0);
}

/* ------------------------------------------------ the outer packet itself */

/* A header rule on the outer addresses and one on the inner addresses:
 * each alerts once on one datagram, the outer one as a packet of its own
 * (proto of the outer layer, no tunnel object), as Suricata inspects a
 * tunnel's root packet (suricata-verify bug-7725-01). */
static const char outer_rules[] = "rules:\n"
				  "  - {id: 10, msg: outer, proto: ip, dst: 198.18.0.2}\n"
				  "  - {id: 11, msg: inner, proto: ip, dst: 198.19.0.2}\n";

static void outer_and_inner(const struct pg_tunnel *tun, const char *outer_proto, bool flow)
{
	struct pcapgen *g;
	const struct jr_val *a;

	itest_rules(&t, outer_rules);
	itest_config(&t, "plugins:\n  - name: signature\n");
	g = itest_capture(&t, 1);
	g->tunnel = tun;
	pg_udp(g, "198.19.0.1", 40002, "198.19.0.2", 5353, "datagram", 8);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 10), 1);
	cr_expect_eq(itest_alerts(&t, 11), 1);
	a = eve_find(&t.eve, "alert.signature_id=10", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "proto"), outer_proto);
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.0.1");
	cr_expect_str_eq(jr_str(a, "dest_ip"), "198.18.0.2");
	cr_expect_str_eq(jr_str(a, "pkt_src"), "wire/pcap");
	cr_expect_null(jr_get(a, "tunnel"));
	cr_expect_null(jr_get(a, "src_port"));
	cr_expect_eq(jr_get(a, "flow_id") != NULL, flow);
	a = eve_find(&t.eve, "alert.signature_id=11", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "proto"), "UDP");
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.19.0.1");
	cr_expect_str_eq(jr_str(a, "tunnel.src_ip"), "198.18.0.1");
	cr_expect_str_eq(jr_str(a, "tunnel.proto"), outer_proto);
	/* the outer flow only for IP-in-IP, as Suricata; the inner flow always */
	cr_expect_eq(eve_count(&t.eve, "event_type=flow proto=UDP src_ip=198.19.0.1"), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=flow src_ip=198.18.0.1 flow.alerted=true"),
		     flow ? 1 : 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=flow"), flow ? 2 : 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.decoder.pkts", -1), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly"), 0);
}

Test(tunnel, ipip_outer_packet_inspected_with_its_flow)
{
	struct pg_tunnel tun = {PG_TUN_IPIP, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};

	outer_and_inner(&tun, "IP-in-IP", true);
	cr_expect_eq(eve_count(&t.eve, "event_type=flow proto=IP-in-IP dest_ip=198.18.0.2 "
				       "flow.pkts_toserver=1"),
		     1);
}

Test(tunnel, gre_outer_packet_inspected_without_a_flow)
{
	struct pg_tunnel tun = {PG_TUN_GRE, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};

	outer_and_inner(&tun, "GRE", false);
}

/* A content rule does not match the outer packet: its payload is not the
 * inner packet's bytes (only the inner datagram alerts). */
Test(tunnel, outer_packet_has_no_payload)
{
	struct pg_tunnel tun = {PG_TUN_IPIP, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL};
	struct pcapgen *g = itest_capture(&t, 1);

	itest_rules(&t,
		    "rules:\n  - {id: 12, msg: any, proto: ip, patterns: [{content: PROBE}]}\n");
	itest_config(&t, "plugins:\n  - name: signature\n");
	g->tunnel = &tun;
	pg_udp(g, "198.19.0.1", 40002, "198.19.0.2", 5353, "xxPROBExx", 9);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 12), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=12 proto=UDP"), 1);
}
