/*
 * test_matcher_ports.c - port groups of stream matchers
 * (sensor/detect/matcher_ports.c): which rules the database of a stream's
 * server port holds (matcher_stream_group_rules), and that the alerts are
 * those the rules' headers give: a rule on port 80 is reported on a flow
 * of port 80 and not of 8080; `any`, lists, ranges, negations and `<>`;
 * to_client data grouped by the source port; Suricata's `flow: to_server`
 * (rule keys) splits the directions too; a stream keeps the group of its
 * first chunk. A port gets a group when 4 rules name it
 * (PORT_GROUP_MIN_RULES), so the tests give their ports 4 rules.
 */
#include "matcher_fixture.h"

#include "detect/rule_keys.h"

static struct matcher_stream *ss[8];

static void ports_init(void)
{
	fx.stream = true;
}

static void ports_fini(void)
{
	for (int i = 0; i < 8; i++)
		matcher_stream_close(NULL, NULL, &ss[i], NULL, NULL, NULL);
	fix_fini();
}

TestSuite(matcher_ports, .init = ports_init, .fini = ports_fini);

static void set_ports(struct port_set *set, const char *list)
{
	char buf[128], *save = NULL;
	char err[128];

	snprintf(buf, sizeof(buf), "%s", list);
	set->any = false;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct port_range pr;

		cr_assert_eq(port_range_parse(t, &pr, err, sizeof(err)), 0, "%s: %s", t, err);
		cr_assert_eq(port_set_add(set, &pr), 0);
	}
}

/* A to_server rule matching "attack" whose dst ports are `dports`. */
static struct rule *ts_rule(uint32_t id, const char *dports)
{
	struct rule *r = rule_new(id);

	content(r, "attack");
	r->direction = RULE_DIR_TO_SERVER;
	if (dports)
		set_ports(&r->dport, dports);
	return r;
}

static void ts_rules(uint32_t first, const char *dports)
{
	for (uint32_t i = 0; i < 4; i++)
		ts_rule(first + i, dports);
}

/* Scan "attack" (or `s`) as to_server data of stream i from client port
 * `cport` to server port `sport`. */
static unsigned scan_ts(const struct ids_matcher *m, int i, uint16_t cport, uint16_t sport,
			const char *s, struct hits *h)
{
	struct ids_packet p = packet();
	struct ids_stream_chunk c = {.data = (const uint8_t *)s, .len = (uint32_t)strlen(s)};

	p.sport = cport;
	p.dport = sport;
	memset(h, 0, sizeof(*h));
	return matcher_stream_scan(fx.mt, m, &ss[i], &p, &c, collect, h);
}

Test(matcher_ports, rule_on_port_80_not_reported_on_8080)
{
	struct ids_matcher *m;
	struct hits h;

	ts_rules(1, "80");
	ts_rules(11, "8080");
	ts_rule(20, NULL);
	m = compile_all();
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 80), 5);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 8080), 5);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 9999), 1, "`any` alone");
	cr_assert_eq(scan_ts(m, 0, 40000, 8080, "attack", &h), 5);
	for (unsigned i = 0; i < 4; i++)
		cr_assert_eq(h.ids[i], 11 + i);
	cr_assert_eq(h.ids[4], 20);
	cr_assert_eq(scan_ts(m, 1, 40000, 80, "attack", &h), 5);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(h.ids[3], 4);
	cr_assert_eq(h.ids[4], 20);
	cr_assert_eq(scan_ts(m, 2, 40000, 9999, "attack", &h), 1);
	cr_assert_eq(h.ids[0], 20);
}

Test(matcher_ports, lists_ranges_and_negations)
{
	struct ids_matcher *m;
	struct hits h;

	ts_rules(1, "80,443");
	ts_rule(10, "1024:65535");
	ts_rule(11, "!80");
	ts_rule(12, "!1:1000");
	m = compile_all();
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 80), 4);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 443), 5, "not the ranges");
	/* every other port: the range and the negations (a superset, which the
	 * header check narrows) */
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 100), 3);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 5000), 3);
	cr_assert_eq(scan_ts(m, 0, 40000, 100, "attack", &h), 1);
	cr_assert_eq(h.ids[0], 11);
	cr_assert_eq(scan_ts(m, 1, 40000, 5000, "attack", &h), 3);
	cr_assert_eq(h.ids[0], 10);
	cr_assert_eq(h.ids[1], 11);
	cr_assert_eq(h.ids[2], 12);
	cr_assert_eq(scan_ts(m, 2, 40000, 443, "attack", &h), 5);
	cr_assert_eq(h.ids[4], 11);
	cr_assert_eq(scan_ts(m, 3, 40000, 80, "attack", &h), 4);
}

/* `<>`: a to_server stream's packet may match the rule with its sides
 * swapped, so the rule's src ports count as server ports too. */
Test(matcher_ports, bidirectional_rule_in_both_sides_groups)
{
	struct ids_matcher *m;
	struct hits h;
	struct rule *r;

	ts_rules(1, "25");
	ts_rules(5, "80");
	r = rule_new(30);
	content(r, "attack");
	set_ports(&r->sport, "80");
	set_ports(&r->dport, "6000");
	r->bidirectional = true;
	m = compile_all();
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 80), 5);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 25), 4);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 6000), 1);
	cr_assert_eq(scan_ts(m, 0, 6000, 80, "attack", &h), 5, "swapped sides");
	cr_assert_eq(h.ids[4], 30);
	cr_assert_eq(scan_ts(m, 1, 80, 6000, "attack", &h), 1, "as written");
	cr_assert_eq(h.ids[0], 30);
	cr_assert_eq(scan_ts(m, 2, 80, 25, "attack", &h), 4);
	cr_assert_eq(h.ids[3], 4);
}

/* Data to the client is grouped by its source port (the server's). */
Test(matcher_ports, to_client_grouped_by_source_port)
{
	struct ids_packet p = packet();
	struct ids_stream_chunk c = {
		.data = (const uint8_t *)"attack", .len = 6, .direction = IDS_DIR_TO_CLIENT};
	struct ids_matcher *m;
	struct hits h = {0};

	for (uint32_t i = 0; i < 4; i++) {
		struct rule *r = rule_new(1 + i);

		content(r, "attack");
		r->direction = RULE_DIR_TO_CLIENT;
		set_ports(&r->sport, "80");
	}
	ts_rules(10, "80");
	m = compile_all();
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_CLIENT, 80), 4);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_CLIENT, 81), 0);
	p.direction = IDS_DIR_TO_CLIENT;
	p.sport = 80;
	p.dport = 40000;
	cr_assert_eq(matcher_stream_scan(fx.mt, m, &ss[0], &p, &c, collect, &h), 4);
	cr_assert_eq(h.ids[0], 1);
	p.sport = 81;
	memset(&h, 0, sizeof(h));
	cr_assert_eq(matcher_stream_scan(fx.mt, m, &ss[1], &p, &c, collect, &h), 0);
}

/* Suricata's `flow: to_server` (a rule key, not the rule's direction)
 * leaves the rule out of the to_client databases. */
Test(matcher_ports, flow_keyword_direction_splits)
{
	static struct rule_keys keys = {.flow = RFLOW_TO_SERVER};
	struct ids_matcher *m;
	struct rule *r;

	for (uint32_t i = 0; i < 4; i++) {
		r = rule_new(1 + i);
		content(r, "attack");
		r->keys = &keys;
		set_ports(&r->dport, "80");
	}
	content(rule_new(9), "attack");
	m = compile_all();
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 80), 5);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 81), 1);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_CLIENT, 80), 1);
}

/* A stream keeps the group of its first chunk: its Hyperscan stream
 * belongs to that database. */
Test(matcher_ports, group_fixed_at_first_chunk)
{
	struct ids_matcher *m;
	struct hits h;

	ts_rules(1, "80");
	ts_rules(11, "8080");
	m = compile_all();
	cr_assert_eq(scan_ts(m, 0, 40000, 80, "hello ", &h), 0);
	/* a later chunk handed with another port (never so from the worker)
	 * is still scanned by port 80's database: the 8080 rules are not in it,
	 * and the 80 rules' header refuses the packet */
	cr_assert_eq(scan_ts(m, 0, 40000, 8080, "attack", &h), 0);
	cr_assert_eq(scan_ts(m, 1, 40000, 8080, "attack", &h), 4);
	cr_assert_eq(h.ids[0], 11);
}

/* Fewer than 4 rules on a port: no group, every port shares one. */
Test(matcher_ports, rarely_named_port_has_no_group)
{
	struct ids_matcher *m;

	ts_rule(1, "80");
	ts_rule(2, "80");
	ts_rule(3, "8080");
	m = compile_all();
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 80), 3);
	cr_assert_eq(matcher_stream_group_rules(m, IDS_DIR_TO_SERVER, 1), 3);
}

/* ------------------------------------------------------ packet scans */

static void packet_init(void)
{
	fx.stream = false;
}

TestSuite(matcher_ports_packet, .init = packet_init, .fini = fix_fini);

static void proto_rules(uint32_t first, enum rule_proto proto, const char *dports)
{
	for (uint32_t i = 0; i < 4; i++) {
		struct rule *r = rule_new(first + i);

		content(r, "attack");
		r->proto = proto;
		if (dports)
			set_ports(&r->dport, dports);
	}
}

static struct ids_packet pkt_to(uint8_t proto, uint16_t sport, uint16_t dport, unsigned dir)
{
	struct ids_packet p = packet();

	p.proto = proto;
	p.sport = sport;
	p.dport = dport;
	p.direction = (uint8_t)dir;
	return p;
}

static unsigned scan_attack(const struct ids_matcher *m, const struct ids_packet *p, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	return matcher_scan(fx.mt, m, p, (const uint8_t *)"attack", 6, collect, h);
}

/* A packet is scanned with its protocol's rules, and of those with its
 * server port's: the dst port of a to_server packet, the src port of a
 * to_client one. */
Test(matcher_ports_packet, protocol_and_port_groups)
{
	struct ids_packet p;
	struct ids_matcher *m;
	struct hits h;

	proto_rules(1, RULE_PROTO_UDP, "53");
	proto_rules(11, RULE_PROTO_UDP, "69");
	proto_rules(21, RULE_PROTO_TCP, NULL);
	m = compile_all();
	p = pkt_to(IPPROTO_UDP, 40000, 69, IDS_DIR_TO_SERVER);
	cr_assert_eq(matcher_scan_rules(m, &p), 4);
	cr_assert_eq(scan_attack(m, &p, &h), 4);
	cr_assert_eq(h.ids[0], 11);
	cr_assert_eq(h.ids[3], 14);
	p = pkt_to(IPPROTO_UDP, 40000, 5000, IDS_DIR_TO_SERVER);
	cr_assert_eq(matcher_scan_rules(m, &p), 0);
	cr_assert_eq(scan_attack(m, &p, &h), 0);
	p = pkt_to(IPPROTO_TCP, 40000, 53, IDS_DIR_TO_SERVER);
	cr_assert_eq(matcher_scan_rules(m, &p), 4, "the tcp rules only");
	cr_assert_eq(scan_attack(m, &p, &h), 4);
	cr_assert_eq(h.ids[0], 21);
	/* to_client: the rules' src ports are `any`, so every udp rule may
	 * match; their dst port (53, 69) is then the client's */
	p = pkt_to(IPPROTO_UDP, 53, 69, IDS_DIR_TO_CLIENT);
	cr_assert_eq(matcher_scan_rules(m, &p), 8);
	cr_assert_eq(scan_attack(m, &p, &h), 4);
	cr_assert_eq(h.ids[0], 11);
	p = pkt_to(IPPROTO_ICMP, 0, 0, IDS_DIR_TO_SERVER);
	cr_assert_eq(matcher_scan_rules(m, &p), 12, "other protocols: every rule");
	cr_assert_eq(scan_attack(m, &p, &h), 0);
}

/* Alerts are those of one database of all the rules, in rule order, with
 * `ip` rules in every protocol's group. */
Test(matcher_ports_packet, ip_rules_in_every_group)
{
	struct ids_packet p = pkt_to(IPPROTO_UDP, 40000, 53, IDS_DIR_TO_SERVER);
	struct ids_matcher *m;
	struct hits h;

	proto_rules(1, RULE_PROTO_IP, NULL);
	proto_rules(11, RULE_PROTO_UDP, "53");
	proto_rules(21, RULE_PROTO_TCP, "53");
	proto_rules(31, RULE_PROTO_TCP, "80");
	m = compile_all();
	cr_assert_eq(scan_attack(m, &p, &h), 8);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(h.ids[4], 11);
	p = pkt_to(IPPROTO_TCP, 40000, 80, IDS_DIR_TO_SERVER);
	cr_assert_eq(matcher_scan_rules(m, &p), 8);
	cr_assert_eq(scan_attack(m, &p, &h), 8);
	cr_assert_eq(h.ids[7], 34);
}
