/*
 * test_flow.c - the per-worker flow table: key normalisation, client and
 * direction, flow ids, per-direction counters, expiry per timeout class,
 * flush, eviction of the least recently seen flow and the statistics.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/config.h"
#include "decode/decode.h"
#include "flow/flow.h"

#define SEC INT64_C(1000000)

static const struct flow_config cfg_default = {
	.max_flows = 64,
	.timeout_tcp = 10,
	.timeout_udp = 5,
	.timeout_icmp = 3,
	.timeout_other = 2,
};

/* A decoded IPv4 packet 198.18.0.<a>:sp -> 198.18.0.<b>:dp. */
static void pkt4(struct packet *p, uint8_t proto, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
		 uint8_t flags, int64_t ts, uint32_t l3_len)
{
	memset(p, 0, sizeof(*p));
	p->last_event = -1;
	p->pub.ip_version = 4;
	p->pub.src.family = p->pub.dst.family = 4;
	p->pub.src.bytes[0] = p->pub.dst.bytes[0] = 198;
	p->pub.src.bytes[1] = p->pub.dst.bytes[1] = 18;
	p->pub.src.bytes[3] = a;
	p->pub.dst.bytes[3] = b;
	p->pub.proto = proto;
	p->pub.sport = sp;
	p->pub.dport = dp;
	p->pub.tcp_flags = flags;
	p->pub.ts_usec = ts;
	p->pub.l3_len = l3_len;
}

Test(flow, key_is_symmetric)
{
	struct packet p, q;
	struct flow_key k1, k2;
	bool s1, s2;

	pkt4(&p, 6, 9, 40000, 2, 80, IDS_TCP_SYN, 0, 60);
	pkt4(&q, 6, 2, 80, 9, 40000, IDS_TCP_ACK, 0, 60);
	flow_key_from_packet(&k1, &p, &s1);
	flow_key_from_packet(&k2, &q, &s2);
	cr_assert_eq(memcmp(&k1, &k2, sizeof(k1)), 0);
	cr_assert_eq(flow_key_hash(&k1), flow_key_hash(&k2));
	cr_assert(s1);
	cr_assert_not(s2);
	cr_assert_eq(k1.addr[0][3], 2);
	cr_assert_eq(k1.addr[1][3], 9);
	cr_assert_eq(k1.port[0], 80);
	cr_assert_eq(k1.port[1], 40000);
	cr_assert_eq(k1.family, 4);
	cr_assert_eq(k1.proto, 6);
}

Test(flow, same_address_ordered_by_port)
{
	struct packet p;
	struct flow_key k;
	bool sw;

	pkt4(&p, 17, 5, 5353, 5, 53, 0, 0, 40);
	flow_key_from_packet(&k, &p, &sw);
	cr_assert(sw);
	cr_assert_eq(k.port[0], 53);
	cr_assert_eq(k.port[1], 5353);
}

Test(flow, icmp_has_no_ports)
{
	struct packet p;
	struct flow_key k;
	bool sw;

	pkt4(&p, 1, 1, 7, 2, 9, 0, 0, 84);
	flow_key_from_packet(&k, &p, &sw);
	cr_assert_eq(k.port[0], 0);
	cr_assert_eq(k.port[1], 0);
	cr_assert_not(sw);
}

Test(flow, vlan_separates_flows)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct packet p;
	struct flow *f1, *f2;

	pkt4(&p, 17, 1, 1000, 2, 53, 0, SEC, 40);
	p.pub.vlan_count = 1;
	p.pub.vlan[0] = 100;
	f1 = flow_table_update(t, &p);
	pkt4(&p, 17, 1, 1000, 2, 53, 0, SEC, 40);
	p.pub.vlan_count = 1;
	p.pub.vlan[0] = 200;
	f2 = flow_table_update(t, &p);
	cr_assert_neq(f1, f2);
	cr_assert_neq(f1->flow_id, f2->flow_id);
	cr_assert_eq(f1->key.vlan[0], 100);
	cr_assert_eq(f2->key.vlan[0], 200);
	cr_assert_eq(flow_table_stats(t)->created, 2);
	cr_assert_eq(flow_table_stats(t)->active, 2);
	flow_table_free(t);
}

Test(flow, client_and_direction_counters)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct packet p;
	struct flow *f, *g;

	/* The client is the higher address: key side 1. */
	pkt4(&p, 6, 9, 40000, 2, 80, IDS_TCP_SYN, 1 * SEC, 60);
	f = flow_table_update(t, &p);
	cr_assert_not_null(f);
	cr_assert_eq(f->client_side, 1);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_SERVER);
	cr_assert_eq(p.pub.flow_id, f->flow_id);

	pkt4(&p, 6, 2, 80, 9, 40000, IDS_TCP_SYN | IDS_TCP_ACK, 2 * SEC, 60);
	g = flow_table_update(t, &p);
	cr_assert_eq(g, f);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_CLIENT);

	pkt4(&p, 6, 9, 40000, 2, 80, IDS_TCP_ACK | IDS_TCP_PSH, 3 * SEC, 540);
	flow_table_update(t, &p);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_SERVER);

	cr_assert_eq(f->pkts[IDS_DIR_TO_SERVER], 2);
	cr_assert_eq(f->pkts[IDS_DIR_TO_CLIENT], 1);
	cr_assert_eq(f->bytes[IDS_DIR_TO_SERVER], 600);
	cr_assert_eq(f->bytes[IDS_DIR_TO_CLIENT], 60);
	cr_assert_eq(f->tcp_flags[IDS_DIR_TO_SERVER], IDS_TCP_SYN | IDS_TCP_ACK | IDS_TCP_PSH);
	cr_assert_eq(f->tcp_flags[IDS_DIR_TO_CLIENT], IDS_TCP_SYN | IDS_TCP_ACK);
	cr_assert_eq(f->first_usec, 1 * SEC);
	cr_assert_eq(f->last_usec, 3 * SEC);
	cr_assert_eq(flow_table_stats(t)->created, 1);
	cr_assert_eq(flow_table_stats(t)->lookups, 3);
	flow_table_free(t);
}

Test(flow, syn_ack_first_makes_destination_the_client)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct packet p;
	struct flow *f;

	/* Server 198.18.0.2:80 answers the missed SYN of 198.18.0.9. */
	pkt4(&p, 6, 2, 80, 9, 40000, IDS_TCP_SYN | IDS_TCP_ACK, SEC, 60);
	f = flow_table_update(t, &p);
	cr_assert_eq(f->client_side, 1);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_CLIENT);
	pkt4(&p, 6, 9, 40000, 2, 80, IDS_TCP_ACK, SEC + 1, 52);
	flow_table_update(t, &p);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_SERVER);
	cr_assert_eq(f->pkts[IDS_DIR_TO_CLIENT], 1);
	cr_assert_eq(f->pkts[IDS_DIR_TO_SERVER], 1);
	cr_assert_eq(f->tcp_flags[IDS_DIR_TO_CLIENT], IDS_TCP_SYN | IDS_TCP_ACK);
	cr_assert_eq(f->tcp_flags[IDS_DIR_TO_SERVER], IDS_TCP_ACK);
	flow_table_free(t);
}

Test(flow, udp_syn_ack_bits_do_not_reverse)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct packet p;

	pkt4(&p, 17, 2, 53, 9, 5000, IDS_TCP_SYN | IDS_TCP_ACK, SEC, 60);
	flow_table_update(t, &p);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_SERVER);
	flow_table_free(t);
}

Test(flow, flow_id_is_stable_and_51_bits)
{
	struct flow_table *t1 = flow_table_new(&cfg_default);
	struct flow_table *t2 = flow_table_new(&cfg_default);
	struct packet p;
	uint64_t id1, id2, id3;

	pkt4(&p, 6, 9, 40000, 2, 80, IDS_TCP_SYN, 1700000000 * SEC, 60);
	flow_table_update(t1, &p);
	id1 = p.pub.flow_id;
	/* Another table (worker), holding another flow, sees the same flow's
	 * first packet from the other side: same id. */
	pkt4(&p, 17, 200, 1, 2, 2, 0, 5 * SEC, 60);
	flow_table_update(t2, &p);
	pkt4(&p, 6, 2, 80, 9, 40000, IDS_TCP_SYN, 1700000000 * SEC, 60);
	flow_table_update(t2, &p);
	id2 = p.pub.flow_id;
	pkt4(&p, 6, 9, 40000, 2, 80, IDS_TCP_ACK, 1700000001 * SEC, 60);
	flow_table_update(t2, &p);
	cr_assert_eq(p.pub.flow_id, id2);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_CLIENT);
	cr_assert_eq(id1, id2);
	cr_assert_neq(id1, 0);
	cr_assert_eq(id1 & ~FLOW_ID_MASK, 0);

	/* The same key starting at another time is another flow id. */
	flow_table_flush(t1, NULL, NULL);
	pkt4(&p, 6, 9, 40000, 2, 80, IDS_TCP_SYN, 1700000100 * SEC, 60);
	flow_table_update(t1, &p);
	id3 = p.pub.flow_id;
	cr_assert_neq(id3, id1);
	cr_assert_eq(id3 & ~FLOW_ID_MASK, 0);
	flow_table_free(t1);
	flow_table_free(t2);
}

Test(flow, ipv6_flow)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct packet p;
	struct flow *f;
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	memset(&p, 0, sizeof(p));
	p.pub.ip_version = 6;
	p.pub.proto = 17;
	memcpy(p.pub.src.bytes, b, 16);
	memcpy(p.pub.dst.bytes, a, 16);
	p.pub.sport = 1000;
	p.pub.dport = 53;
	p.pub.l3_len = 100;
	f = flow_table_update(t, &p);
	cr_assert_eq(f->key.family, 6);
	cr_assert_eq(memcmp(f->key.addr[0], a, 16), 0);
	cr_assert_eq(f->client_side, 1);
	cr_assert_eq(f->bytes[IDS_DIR_TO_SERVER], 100);
	flow_table_free(t);
}

Test(flow, non_ip_packet_has_no_flow)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct packet p;

	memset(&p, 0, sizeof(p));
	cr_assert_null(flow_table_update(t, &p));
	cr_assert_eq(flow_table_stats(t)->created, 0);
	flow_table_free(t);
}

/* What the end callback saw. */
struct ended {
	unsigned n;
	uint8_t proto[8];
	enum flow_end_reason why[8];
	uint64_t pkts[8];
};

static void on_end(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct ended *e = ctx;

	if (e->n < 8) {
		e->proto[e->n] = f->key.proto;
		e->why[e->n] = why;
		e->pkts[e->n] = f->pkts[0] + f->pkts[1];
	}
	e->n++;
}

static void one_of_each_class(struct flow_table *t, int64_t ts)
{
	struct packet p;

	pkt4(&p, 6, 1, 1000, 2, 80, IDS_TCP_SYN, ts, 60);
	flow_table_update(t, &p);
	pkt4(&p, 17, 1, 1000, 2, 53, 0, ts, 60);
	flow_table_update(t, &p);
	pkt4(&p, 1, 1, 0, 2, 0, 0, ts, 60);
	flow_table_update(t, &p);
	pkt4(&p, 47, 1, 0, 2, 0, 0, ts, 60);
	flow_table_update(t, &p);
}

Test(flow, expiry_by_class_timeout)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct ended e = {0};

	one_of_each_class(t, 100 * SEC);
	flow_table_expire(t, 102 * SEC, on_end, &e); /* idle exactly 2 s: kept */
	cr_assert_eq(e.n, 0);
	flow_table_expire(t, 102 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 1);
	cr_assert_eq(e.proto[0], 47);
	cr_assert_eq(e.why[0], FLOW_END_TIMEOUT);
	flow_table_expire(t, 103 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 2);
	cr_assert_eq(e.proto[1], 1);
	flow_table_expire(t, 105 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 3);
	cr_assert_eq(e.proto[2], 17);
	cr_assert_eq(flow_table_stats(t)->expired, 3);
	cr_assert_eq(flow_table_stats(t)->active, 1);
	flow_table_expire(t, 110 * SEC + 1, NULL, NULL);
	cr_assert_eq(flow_table_stats(t)->expired, 4);
	cr_assert_eq(flow_table_stats(t)->active, 0);
	flow_table_free(t);
}

Test(flow, activity_postpones_expiry)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct ended e = {0};
	struct packet p;

	pkt4(&p, 17, 1, 1000, 2, 53, 0, 0, 60);
	flow_table_update(t, &p);
	pkt4(&p, 17, 1, 1001, 2, 53, 0, 1 * SEC, 60);
	flow_table_update(t, &p);
	pkt4(&p, 17, 2, 53, 1, 1000, 0, 4 * SEC, 60);
	flow_table_update(t, &p);
	flow_table_expire(t, 6 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 1);
	cr_assert_eq(e.pkts[0], 1); /* the port 1001 flow */
	flow_table_expire(t, 9 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 2);
	cr_assert_eq(e.pkts[1], 2);
	flow_table_free(t);
}

Test(flow, flush_ends_every_flow)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct ended e = {0};

	one_of_each_class(t, SEC);
	flow_table_flush(t, on_end, &e);
	cr_assert_eq(e.n, 4);
	for (unsigned i = 0; i < 4; i++)
		cr_assert_eq(e.why[i], FLOW_END_SHUTDOWN);
	cr_assert_eq(flow_table_stats(t)->active, 0);
	cr_assert_eq(flow_table_stats(t)->expired, 0);
	cr_assert_eq(flow_table_stats(t)->created, 4);
	/* The recycled flows are usable again. */
	one_of_each_class(t, 2 * SEC);
	cr_assert_eq(flow_table_stats(t)->active, 4);
	flow_table_flush(t, NULL, NULL);
	flow_table_free(t);
}

Test(flow, eviction_takes_least_recently_seen)
{
	struct flow_config cfg = cfg_default;
	struct flow_table *t;
	struct ended e = {0};
	struct packet p;
	uint64_t id_tcp;

	cfg.max_flows = 2;
	t = flow_table_new(&cfg);
	pkt4(&p, 6, 1, 1000, 2, 80, IDS_TCP_SYN, 1 * SEC, 60); /* A */
	flow_table_update(t, &p);
	id_tcp = p.pub.flow_id;
	pkt4(&p, 17, 1, 1000, 2, 53, 0, 2 * SEC, 60); /* B */
	flow_table_update(t, &p);
	pkt4(&p, 6, 2, 80, 1, 1000, IDS_TCP_ACK, 3 * SEC, 60); /* A again */
	flow_table_update(t, &p);
	pkt4(&p, 1, 1, 0, 2, 0, 0, 4 * SEC, 84); /* C evicts B */
	flow_table_update(t, &p);
	cr_assert_eq(flow_table_stats(t)->evicted, 1);
	cr_assert_eq(flow_table_stats(t)->created, 3);
	cr_assert_eq(flow_table_stats(t)->active, 2);
	pkt4(&p, 6, 1, 1000, 2, 80, IDS_TCP_ACK, 5 * SEC, 60); /* A still there */
	flow_table_update(t, &p);
	cr_assert_eq(p.pub.flow_id, id_tcp);
	cr_assert_eq(flow_table_stats(t)->created, 3);
	flow_table_flush(t, on_end, &e);
	cr_assert_eq(e.n, 2);
	cr_assert(e.proto[0] + e.proto[1] == 6 + 1);
	cr_assert_eq(flow_table_stats(t)->lookups, 5);
	flow_table_free(t);
}

/* Closed first (however recent), then embryonic, then established, each
 * least recently seen first. */
Test(flow, eviction_order_closed_embryonic_established)
{
	struct flow_config cfg = cfg_default;
	struct flow_table *t;
	struct ended e = {0};
	struct packet p;
	struct flow *c;

	cfg.max_flows = 3;
	t = flow_table_new(&cfg);
	flow_table_set_end_cb(t, on_end, &e);
	pkt4(&p, 17, 1, 1000, 2, 53, 0, 1 * SEC, 60); /* A: established */
	flow_table_update(t, &p);
	pkt4(&p, 17, 2, 53, 1, 1000, 0, 2 * SEC, 60);
	flow_table_update(t, &p);
	pkt4(&p, 6, 1, 2000, 2, 80, IDS_TCP_SYN, 3 * SEC, 60); /* B: embryonic */
	flow_table_update(t, &p);
	pkt4(&p, 6, 1, 3000, 2, 80, IDS_TCP_SYN, 4 * SEC, 60); /* C: closed */
	c = flow_table_update(t, &p);
	flow_table_set_closed(t, c);
	pkt4(&p, 6, 1, 4000, 2, 80, IDS_TCP_SYN, 5 * SEC, 60); /* D evicts C */
	flow_table_update(t, &p);
	cr_assert_eq(flow_table_stats(t)->evicted_closed, 1);
	cr_assert_eq(e.pkts[0], 1);
	pkt4(&p, 6, 1, 5000, 2, 80, IDS_TCP_SYN, 6 * SEC, 60); /* E evicts B, not A */
	flow_table_update(t, &p);
	cr_assert_eq(flow_table_stats(t)->evicted_embryonic, 1);
	pkt4(&p, 6, 2, 80, 1, 4000, IDS_TCP_SYN | IDS_TCP_ACK, 7 * SEC, 60); /* D, E answered */
	flow_table_update(t, &p);
	pkt4(&p, 6, 2, 80, 1, 5000, IDS_TCP_SYN | IDS_TCP_ACK, 8 * SEC, 60);
	flow_table_update(t, &p);
	pkt4(&p, 6, 1, 6000, 2, 80, IDS_TCP_SYN, 9 * SEC, 60); /* F evicts A, the oldest */
	flow_table_update(t, &p);
	cr_assert_eq(flow_table_stats(t)->evicted_established, 1);
	cr_assert_eq(flow_table_stats(t)->evicted, 3);
	cr_assert_eq(e.n, 3);
	cr_assert_eq(e.proto[2], 17);
	flow_table_flush(t, NULL, NULL);
	flow_table_free(t);
}

Test(flow, stats_are_all_counters)
{
	cr_assert_eq(sizeof(struct flow_stats) % sizeof(uint64_t), 0);
	cr_assert_eq(sizeof(struct flow_stats), 9 * sizeof(uint64_t));
}

Test(flow, free_null)
{
	flow_table_free(NULL);
}

Test(flow, eviction_is_reported_to_the_end_callback)
{
	struct flow_config cfg = cfg_default;
	struct flow_table *t;
	struct ended e = {0};
	struct packet p;

	cfg.max_flows = 1;
	t = flow_table_new(&cfg);
	flow_table_set_end_cb(t, on_end, &e);
	pkt4(&p, 17, 1, 1000, 2, 53, 0, 1 * SEC, 60);
	flow_table_update(t, &p);
	pkt4(&p, 17, 1, 1001, 2, 53, 0, 2 * SEC, 60);
	flow_table_update(t, &p);
	cr_assert_eq(e.n, 1);
	cr_assert_eq(e.why[0], FLOW_END_EVICTED);
	cr_assert_eq(e.pkts[0], 1);
	flow_table_flush(t, NULL, NULL);
	flow_table_free(t);
}

Test(flow, state_timeouts_new_established_closed)
{
	struct flow_config cfg = cfg_default;
	struct flow_table *t;
	struct ended e = {0};
	struct packet p;
	struct flow *f;

	cfg.new_udp = 1;     /* one direction only: 1 s */
	cfg.timeout_udp = 5; /* both directions: 5 s */
	cfg.new_tcp = 2;
	cfg.timeout_tcp = 100;
	cfg.closed_tcp = 3;
	t = flow_table_new(&cfg);
	pkt4(&p, 17, 1, 1000, 2, 53, 0, 0, 60); /* a query never answered */
	f = flow_table_update(t, &p);
	cr_assert_str_eq(flow_state_name(f), "new");
	pkt4(&p, 17, 1, 1001, 2, 53, 0, 0, 60); /* a query answered */
	flow_table_update(t, &p);
	pkt4(&p, 17, 2, 53, 1, 1001, 0, 0, 60);
	f = flow_table_update(t, &p);
	cr_assert_str_eq(flow_state_name(f), "established");
	pkt4(&p, 6, 1, 2000, 2, 80, IDS_TCP_SYN, 0, 60);
	flow_table_update(t, &p);
	pkt4(&p, 6, 2, 80, 1, 2000, IDS_TCP_SYN | IDS_TCP_ACK, 0, 60);
	f = flow_table_update(t, &p);
	flow_table_set_closed(t, f);
	cr_assert_str_eq(flow_state_name(f), "closed");
	flow_table_expire(t, 1 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 1);
	cr_assert_eq(e.proto[0], 17);
	cr_assert_eq(e.pkts[0], 1);
	flow_table_expire(t, 3 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 2);
	cr_assert_eq(e.proto[1], 6);
	flow_table_expire(t, 5 * SEC + 1, on_end, &e);
	cr_assert_eq(e.n, 3);
	cr_assert_eq(e.pkts[2], 2);
	flow_table_free(t);
}

Test(flow, midstream_packet_from_a_well_known_port_makes_its_sender_the_server)
{
	struct flow_table *t = flow_table_new(&cfg_default);
	struct packet p;
	struct flow *f;

	/* The first packet seen is a response from port 80: the client is the
	 * other side. */
	pkt4(&p, 6, 2, 80, 9, 40000, IDS_TCP_ACK | IDS_TCP_PSH, 0, 100);
	f = flow_table_update(t, &p);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_CLIENT);
	cr_assert_eq(f->pkts[IDS_DIR_TO_CLIENT], 1);
	/* Between two high ports, or two low ones, the first sender stays the
	 * client. */
	pkt4(&p, 6, 3, 5000, 9, 40001, IDS_TCP_ACK, 0, 60);
	flow_table_update(t, &p);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_SERVER);
	pkt4(&p, 6, 3, 22, 9, 80, IDS_TCP_ACK, 0, 60);
	flow_table_update(t, &p);
	cr_assert_eq(p.pub.direction, IDS_DIR_TO_SERVER);
	flow_table_free(t);
}
