/*
 * test_matcher_addr.c - address classes (sensor/detect/matcher_addr.c):
 * a matcher split by the home set its rules name most reports, for every
 * packet, exactly the rules whose header accepts it (rule_header_match),
 * in rule order, for block and stream matchers, IPv4 and IPv6, negations,
 * single addresses inside and outside the home set and `<>` rules; and a
 * packet is scanned with fewer rules than the whole set.
 */
#include "matcher_fixture.h"

#include <arpa/inet.h>

#include "detect/matcher_internal.h"

static void addr_fini(void)
{
	fix_fini();
}

TestSuite(matcher_addr, .fini = addr_fini);

/* Address sides the rules take: any, the home set, its negation, ... */
static const char *const sides[] = {
	"any",
	"10.0.0.0/8,192.168.0.0/16,2001:db8:a::/48",
	"!10.0.0.0/8,!192.168.0.0/16,!2001:db8:a::/48",
	"10.0.0.0/8,192.168.0.0/16,!10.1.0.0/16",
	"10.1.2.3",
	"198.18.0.0/15",
	"2001:db8:a:1::/64",
	"!198.18.0.0/15",
};
#define N_SIDES (sizeof(sides) / sizeof(sides[0]))

static void set_side(struct addr_set *set, const char *list)
{
	char buf[128], err[128], *save = NULL;

	if (strcmp(list, "any") == 0)
		return;
	snprintf(buf, sizeof(buf), "%s", list);
	set->any = false;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct addr_block b;

		cr_assert_eq(addr_block_parse(t, &b, err, sizeof(err)), 0, "%s: %s", t, err);
		cr_assert_eq(addr_set_add(set, &b), 0);
	}
}

/* One rule on "attack" per (src side, dst side, <> or ->): 128 rules. */
static void side_rules(enum rule_direction dir)
{
	uint32_t id = 1;

	for (size_t s = 0; s < N_SIDES; s++)
		for (size_t d = 0; d < N_SIDES; d++)
			for (int bi = 0; bi < 2; bi++) {
				struct rule *r = rule_new(id++);

				content(r, "attack");
				set_side(&r->src, sides[s]);
				set_side(&r->dst, sides[d]);
				r->bidirectional = bi;
				r->direction = dir;
			}
}

static const char *const addrs4[] = {"10.1.2.3",    "10.1.9.9",	  "10.5.5.5",
				     "192.168.1.1", "198.18.0.1", "8.8.8.8"};
static const char *const addrs6[] = {"2001:db8:a:1::1", "2001:db8:a:2::1", "2001:db8:b::1"};

static struct ids_addr ip(const char *s)
{
	struct ids_addr a = {0};

	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = 6;
	else
		cr_assert_fail("bad test address %s", s);
	return a;
}

static struct ids_packet pkt_between(const char *src, const char *dst)
{
	struct ids_packet p = packet();

	p.src = ip(src);
	p.dst = ip(dst);
	p.ip_version = p.src.family;
	return p;
}

/* The rules whose header accepts p, in rule order. */
static void expected(const struct ids_packet *p, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < fx.n; i++)
		if (rule_header_match(fx.rules[i], p))
			h->ids[h->n++] = fx.rules[i]->pub.id;
}

static void same_hits(const struct hits *got, const struct hits *want, const char *src,
		      const char *dst)
{
	cr_assert_eq(got->n, want->n, "%s -> %s: %u alerts, %u wanted", src, dst, got->n, want->n);
	for (unsigned i = 0; i < want->n; i++)
		cr_assert_eq(got->ids[i], want->ids[i], "%s -> %s: alert %u is rule %u, not %u",
			     src, dst, i, got->ids[i], want->ids[i]);
}

typedef void (*pair_fn)(const struct ids_matcher *m, const char *src, const char *dst);

static void each_pair(const struct ids_matcher *m, pair_fn fn)
{
	for (size_t i = 0; i < 6; i++)
		for (size_t j = 0; j < 6; j++)
			fn(m, addrs4[i], addrs4[j]);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++)
			fn(m, addrs6[i], addrs6[j]);
}

static void check_block_pair(const struct ids_matcher *m, const char *src, const char *dst)
{
	struct ids_packet p = pkt_between(src, dst);
	struct hits got, want;

	expected(&p, &want);
	scan_pkt(m, &p, "attack", 6, &got);
	same_hits(&got, &want, src, dst);
	cr_assert_geq(matcher_scan_rules(m, &p), want.n);
}

Test(matcher_addr, block_alerts_are_those_the_headers_accept)
{
	struct ids_matcher *m;
	struct ids_packet p;

	side_rules(RULE_DIR_ANY);
	m = compile_all();
	cr_assert_not_null(m->addr, "128 rules naming one home set are split");
	cr_assert_eq(m->addr->home.n, 3, "10/8, 192.168/16, 2001:db8:a::/48");
	each_pair(m, check_block_pair);
	/* both outside: only the sides that hold outside addresses */
	p = pkt_between("198.18.0.1", "8.8.8.8");
	cr_assert_lt(matcher_scan_rules(m, &p), fx.n / 2);
	/* not IP (no family): the whole set */
	p.src.family = p.dst.family = 0;
	cr_assert_eq(matcher_scan_rules(m, &p), fx.n);
}

/* Every class holds exactly the rules that can accept one of its packets
 * here (no region is covered by smaller blocks in these sides). */
Test(matcher_addr, rule_in_class_as_its_sides_allow)
{
	struct addr_set home = {0};
	struct rule *r;

	set_side(&home, sides[1]);
	side_rules(RULE_DIR_ANY);
	r = fx.rules[2 * (1 * N_SIDES + 2)]; /* home -> !home */
	cr_assert(maddr_rule_in_class(r, &home, 1), "home -> out");
	cr_assert_not(maddr_rule_in_class(r, &home, 0));
	cr_assert_not(maddr_rule_in_class(r, &home, 2));
	cr_assert_not(maddr_rule_in_class(r, &home, 3));
	r = fx.rules[2 * (1 * N_SIDES + 2) + 1]; /* home <> !home */
	cr_assert(maddr_rule_in_class(r, &home, 1));
	cr_assert(maddr_rule_in_class(r, &home, 2), "<>: out -> home too");
	cr_assert_not(maddr_rule_in_class(r, &home, 3));
	r = fx.rules[2 * (4 * N_SIDES + 5)]; /* 10.1.2.3 -> 198.18.0.0/15 */
	cr_assert(maddr_rule_in_class(r, &home, 1));
	cr_assert_not(maddr_rule_in_class(r, &home, 0), "10.1.2.3 is at home");
	r = fx.rules[2 * (3 * N_SIDES + 0)]; /* [home v4, !10.1/16] -> any */
	cr_assert(maddr_rule_in_class(r, &home, 1));
	cr_assert(maddr_rule_in_class(r, &home, 3));
	cr_assert_not(maddr_rule_in_class(r, &home, 0));
	r = fx.rules[2 * (7 * N_SIDES + 0)]; /* !198.18.0.0/15 -> any */
	for (unsigned c = 0; c < 4; c++)
		cr_assert(maddr_rule_in_class(r, &home, c));
	addr_set_free(&home);
}

/* Fewer patterns than ADDR_CLASS_MIN_WEIGHT: one database. */
Test(matcher_addr, small_sets_are_not_split)
{
	struct ids_matcher *m;

	for (uint32_t i = 0; i < 16; i++) {
		struct rule *r = rule_new(i + 1);

		content(r, "attack");
		set_side(&r->src, sides[1]);
		set_side(&r->dst, sides[2]);
	}
	m = compile_all();
	cr_assert_null(m->addr);
}

static struct matcher_stream *ms;

static void check_stream_pair(const struct ids_matcher *m, const char *src, const char *dst)
{
	struct ids_packet p = pkt_between(src, dst);
	struct ids_stream_chunk c = {.data = (const uint8_t *)"attack", .len = 6};
	struct hits got, want;

	expected(&p, &want);
	memset(&got, 0, sizeof(got));
	matcher_stream_scan(fx.mt, m, &ms, &p, &c, collect, &got);
	matcher_stream_close(fx.mt, m, &ms, &p, collect, &got);
	same_hits(&got, &want, src, dst);
}

/* Stream matchers of directional rules: each direction's matcher is split,
 * a stream picks its class at its first chunk. */
Test(matcher_addr, stream_alerts_are_those_the_headers_accept)
{
	struct ids_matcher *m;

	fx.stream = true;
	side_rules(RULE_DIR_TO_SERVER);
	m = compile_all();
	cr_assert_not_null(m->by_dir[IDS_DIR_TO_SERVER]);
	cr_assert_not_null(m->by_dir[IDS_DIR_TO_SERVER]->addr);
	each_pair(m, check_stream_pair);
	matcher_stream_close(NULL, NULL, &ms, NULL, NULL, NULL);
}

/* Rules without patterns on an address list (IP reputation) are indexed
 * by their narrower side: `home /16 -> host` by the host, so a packet
 * from home to elsewhere does not make it a candidate. */
Test(matcher_addr, header_rules_indexed_by_their_narrower_side)
{
	struct ids_packet p;
	struct ids_matcher *m;
	struct rule *r;
	uint32_t found[8];

	r = rule_new(1);
	set_side(&r->src, "198.18.0.0/16");
	set_side(&r->dst, "203.0.113.5,203.0.113.9");
	r = rule_new(2);
	set_side(&r->src, "198.18.0.0/16");
	m = compile_all();
	p = pkt_between("198.18.1.1", "198.51.100.1");
	cr_assert_eq(mgroups_by_addr(&m->groups, &p.src, &p.dst, found, 8), 1, "rule 2 only");
	cr_assert_eq(found[0], 1, "rule index 1: id 2");
	p = pkt_between("198.18.1.1", "203.0.113.9");
	cr_assert_eq(mgroups_by_addr(&m->groups, &p.src, &p.dst, found, 8), 2);
}

/* A host list goes by address even when its ports could bucket it (ET's
 * botcc.portgrouped: port 80 and a list of hosts); a wider side with
 * ports stays in the port buckets. */
Test(matcher_addr, host_lists_indexed_before_port_buckets)
{
	struct ids_packet p;
	struct ids_matcher *m;
	struct rule *r;
	uint32_t found[8];
	size_t n;

	r = rule_new(1);
	r->proto = RULE_PROTO_TCP;
	set_side(&r->src, "198.18.0.0/16");
	set_side(&r->dst, "203.0.113.5,203.0.113.9");
	r->dport.any = false;
	cr_assert_eq(port_set_add(&r->dport, &(struct port_range){80, 80, false}), 0);
	r = rule_new(2);
	r->proto = RULE_PROTO_TCP;
	set_side(&r->src, "198.18.0.0/16");
	r->dport.any = false;
	cr_assert_eq(port_set_add(&r->dport, &(struct port_range){80, 80, false}), 0);
	m = compile_all();
	p = pkt_between("198.18.1.1", "198.51.100.1");
	cr_assert_eq(mgroups_by_addr(&m->groups, &p.src, &p.dst, found, 8), 0);
	cr_assert_not_null(mgroups_find(&m->groups, IPPROTO_TCP, 80, &n));
	cr_assert_eq(n, 1, "rule 2 only in port 80's bucket");
	p = pkt_between("198.18.1.1", "203.0.113.5");
	cr_assert_eq(mgroups_by_addr(&m->groups, &p.src, &p.dst, found, 8), 1);
	cr_assert_eq(found[0], 0);
}
