/*
 * test_addr.c - address and port sets (sensor/detect/addr.c) and rule
 * header matching (sensor/detect/rule_match.c).
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/addr.h"
#include "detect/rules.h"

static struct addr_set aset;
static struct port_set pset;
static struct rule hr;

static void fix_fini(void)
{
	addr_set_free(&aset);
	port_set_free(&pset);
	addr_set_free(&hr.src);
	addr_set_free(&hr.dst);
	port_set_free(&hr.sport);
	port_set_free(&hr.dport);
	memset(&aset, 0, sizeof(aset));
	memset(&pset, 0, sizeof(pset));
	memset(&hr, 0, sizeof(hr));
}

TestSuite(addr, .fini = fix_fini);

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

static void add_block(struct addr_set *set, const char *s)
{
	struct addr_block b;
	char err[128];

	cr_assert_eq(addr_block_parse(s, &b, err, sizeof(err)), 0, "%s: %s", s, err);
	cr_assert_eq(addr_set_add(set, &b), 0);
}

static void add_range(struct port_set *set, const char *s)
{
	struct port_range r;
	char err[128];

	cr_assert_eq(port_range_parse(s, &r, err, sizeof(err)), 0, "%s: %s", s, err);
	cr_assert_eq(port_set_add(set, &r), 0);
}

static bool in(const struct addr_set *set, const char *s)
{
	struct ids_addr a = ip(s);

	return addr_set_match(set, &a);
}

/* -------------------------------------------------------------- parsing */

Test(addr, parses_ipv4_cidr_masked)
{
	struct addr_block b;
	char err[128];
	const uint8_t want[4] = {198, 18, 0, 0};

	cr_assert_eq(addr_block_parse("198.19.255.7/15", &b, err, sizeof(err)), 0);
	cr_assert_eq(b.family, 4);
	cr_assert_eq(b.prefix, 15);
	cr_assert_not(b.negated);
	cr_assert_arr_eq(b.bytes, want, 4);
}

Test(addr, parses_ipv6_and_host_addresses)
{
	struct addr_block b;
	char err[128];
	struct ids_addr a = ip("2001:db8::1");

	cr_assert_eq(addr_block_parse("2001:db8::1", &b, err, sizeof(err)), 0);
	cr_assert_eq(b.family, 6);
	cr_assert_eq(b.prefix, 128);
	cr_assert_arr_eq(b.bytes, a.bytes, 16);
	cr_assert_eq(addr_block_parse("!198.18.0.1", &b, err, sizeof(err)), 0);
	cr_assert_eq(b.family, 4);
	cr_assert_eq(b.prefix, 32);
	cr_assert(b.negated);
	cr_assert_eq(addr_block_parse("2001:db8:ffff::/33", &b, err, sizeof(err)), 0);
	cr_assert_eq(b.bytes[4], 0x80);
	cr_assert_eq(b.bytes[5], 0);
}

Test(addr, invalid_addresses_have_messages)
{
	struct addr_block b;
	char err[128];

	cr_assert_eq(addr_block_parse("198.18.0.300", &b, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "'198.18.0.300' is not an IPv4 or IPv6 address or CIDR block");
	cr_assert_eq(addr_block_parse("", &b, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "'' is not an IPv4 or IPv6 address or CIDR block");
	cr_assert_eq(addr_block_parse("198.18.0.0/33", &b, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bad prefix length in '198.18.0.0/33' (0..32)");
	cr_assert_eq(addr_block_parse("2001:db8::/129", &b, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bad prefix length in '2001:db8::/129' (0..128)");
	cr_assert_eq(addr_block_parse("198.18.0.0/x", &b, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bad prefix length in '198.18.0.0/x' (0..32)");
	cr_assert_eq(addr_block_parse("198.18.0.0/", &b, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bad prefix length in '198.18.0.0/' (0..32)");
}

Test(addr, parses_port_forms)
{
	struct port_range r;
	char err[128];

	cr_assert_eq(port_range_parse("80", &r, err, sizeof(err)), 0);
	cr_assert(r.lo == 80 && r.hi == 80 && !r.negated);
	cr_assert_eq(port_range_parse(":1023", &r, err, sizeof(err)), 0);
	cr_assert(r.lo == 0 && r.hi == 1023 && !r.negated);
	cr_assert_eq(port_range_parse("1024:", &r, err, sizeof(err)), 0);
	cr_assert(r.lo == 1024 && r.hi == 65535);
	cr_assert_eq(port_range_parse("1024:2048", &r, err, sizeof(err)), 0);
	cr_assert(r.lo == 1024 && r.hi == 2048);
	cr_assert_eq(port_range_parse("!22", &r, err, sizeof(err)), 0);
	cr_assert(r.lo == 22 && r.hi == 22 && r.negated);
	cr_assert_eq(port_range_parse("65535", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.hi, 65535);
}

Test(addr, invalid_ports_have_messages)
{
	static const char *bad[] = {"65536", "", ":", "http", "1:2:3", "-1", "123456", "!"};
	struct port_range r;
	char err[128], want[160];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(port_range_parse(bad[i], &r, err, sizeof(err)), -1, "%s", bad[i]);
		snprintf(want, sizeof(want),
			 "'%s' is not a port (0..65535), a range \"N:M\" or a negation \"!N\"",
			 bad[i]);
		cr_assert_str_eq(err, want);
	}
	cr_assert_eq(port_range_parse("2000:1000", &r, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "port range '2000:1000' is empty (low > high)");
}

/* ------------------------------------------------------------- matching */

Test(addr, cidr_v4_match)
{
	add_block(&aset, "198.18.0.0/15");
	cr_assert(in(&aset, "198.18.0.1"));
	cr_assert(in(&aset, "198.19.255.255"));
	cr_assert_not(in(&aset, "198.20.0.0"));
	cr_assert_not(in(&aset, "198.17.255.255"));
	cr_assert_not(in(&aset, "2001:db8::1"));
}

Test(addr, cidr_v6_match)
{
	add_block(&aset, "2001:db8:1::/48");
	cr_assert(in(&aset, "2001:db8:1::1"));
	cr_assert(in(&aset, "2001:db8:1:ffff::1"));
	cr_assert_not(in(&aset, "2001:db8:2::1"));
	cr_assert_not(in(&aset, "198.18.0.1"));
}

Test(addr, prefix_zero_and_any)
{
	cr_assert(in(&aset, "198.18.0.1")); /* empty set is any */
	add_block(&aset, "0.0.0.0/0");
	cr_assert(in(&aset, "198.18.0.1"));
	cr_assert_not(in(&aset, "2001:db8::1"));
}

Test(addr, negation_with_positive_blocks)
{
	add_block(&aset, "198.18.0.0/16");
	add_block(&aset, "!198.18.1.0/24");
	cr_assert(in(&aset, "198.18.0.5"));
	cr_assert_not(in(&aset, "198.18.1.5"));
	cr_assert_not(in(&aset, "198.19.0.5"));
}

Test(addr, only_negated_set_matches_everything_else)
{
	add_block(&aset, "!198.18.0.1");
	add_block(&aset, "!2001:db8::/32");
	cr_assert(in(&aset, "198.18.0.2"));
	cr_assert(in(&aset, "2001:db9::1"));
	cr_assert_not(in(&aset, "198.18.0.1"));
	cr_assert_not(in(&aset, "2001:db8::5"));
}

Test(addr, port_ranges_match)
{
	add_range(&pset, ":1023");
	cr_assert(port_set_match(&pset, 0));
	cr_assert(port_set_match(&pset, 1023));
	cr_assert_not(port_set_match(&pset, 1024));
	port_set_free(&pset);
	add_range(&pset, "1024:");
	cr_assert_not(port_set_match(&pset, 1023));
	cr_assert(port_set_match(&pset, 1024));
	cr_assert(port_set_match(&pset, 65535));
}

Test(addr, port_negation)
{
	add_range(&pset, "!22");
	cr_assert_not(port_set_match(&pset, 22));
	cr_assert(port_set_match(&pset, 21));
	cr_assert(port_set_match(&pset, 23));
	add_range(&pset, "20:30");
	cr_assert(port_set_match(&pset, 21));
	cr_assert_not(port_set_match(&pset, 22));
	cr_assert_not(port_set_match(&pset, 31));
}

/* ---------------------------------------------------- rule headers */

static struct ids_packet pkt(uint8_t proto, const char *src, uint16_t sport, const char *dst,
			     uint16_t dport, uint8_t dir)
{
	struct ids_packet p = {0};

	p.src = ip(src);
	p.dst = ip(dst);
	p.ip_version = p.src.family;
	p.proto = proto;
	p.sport = sport;
	p.dport = dport;
	p.direction = dir;
	return p;
}

static void header_any(void)
{
	memset(&hr, 0, sizeof(hr));
	hr.src.any = hr.dst.any = true;
	hr.sport.any = hr.dport.any = true;
}

Test(addr, header_any_matches_all)
{
	struct ids_packet p = pkt(IPPROTO_ICMP, "198.18.0.1", 0, "198.18.0.2", 0, 1);

	header_any();
	cr_assert(rule_header_match(&hr, &p));
}

Test(addr, header_proto)
{
	struct ids_packet tcp = pkt(IPPROTO_TCP, "198.18.0.1", 1, "198.18.0.2", 2, 0);
	struct ids_packet udp = pkt(IPPROTO_UDP, "198.18.0.1", 1, "198.18.0.2", 2, 0);
	struct ids_packet icmp6 = pkt(IPPROTO_ICMPV6, "2001:db8::1", 0, "2001:db8::2", 0, 0);

	header_any();
	hr.proto = RULE_PROTO_TCP;
	cr_assert(rule_header_match(&hr, &tcp));
	cr_assert_not(rule_header_match(&hr, &udp));
	hr.proto = RULE_PROTO_UDP;
	cr_assert(rule_header_match(&hr, &udp));
	cr_assert_not(rule_header_match(&hr, &tcp));
	hr.proto = RULE_PROTO_ICMP;
	cr_assert(rule_header_match(&hr, &icmp6));
	cr_assert_not(rule_header_match(&hr, &tcp));
	hr.proto = RULE_PROTO_IP;
	cr_assert(rule_header_match(&hr, &icmp6));
}

Test(addr, header_direction)
{
	struct ids_packet ts =
		pkt(IPPROTO_TCP, "198.18.0.1", 1, "198.18.0.2", 2, IDS_DIR_TO_SERVER);
	struct ids_packet tc =
		pkt(IPPROTO_TCP, "198.18.0.2", 2, "198.18.0.1", 1, IDS_DIR_TO_CLIENT);

	header_any();
	hr.direction = RULE_DIR_TO_SERVER;
	cr_assert(rule_header_match(&hr, &ts));
	cr_assert_not(rule_header_match(&hr, &tc));
	hr.direction = RULE_DIR_TO_CLIENT;
	cr_assert_not(rule_header_match(&hr, &ts));
	cr_assert(rule_header_match(&hr, &tc));
	hr.direction = RULE_DIR_ANY;
	cr_assert(rule_header_match(&hr, &ts) && rule_header_match(&hr, &tc));
}

Test(addr, header_addresses_and_ports)
{
	struct ids_packet p = pkt(IPPROTO_TCP, "2001:db8::10", 40000, "198.18.5.5", 443, 0);

	header_any();
	add_block(&hr.src, "2001:db8::/32");
	add_block(&hr.dst, "198.18.0.0/16");
	add_range(&hr.dport, "443");
	add_range(&hr.sport, "1024:");
	cr_assert(rule_header_match(&hr, &p));
	p.dport = 80;
	cr_assert_not(rule_header_match(&hr, &p));
	p.dport = 443;
	p.sport = 1000;
	cr_assert_not(rule_header_match(&hr, &p));
	p.sport = 40000;
	p.dst = ip("198.19.5.5");
	cr_assert_not(rule_header_match(&hr, &p));
	p.dst = ip("198.18.5.5");
	p.src = ip("2001:db9::10");
	cr_assert_not(rule_header_match(&hr, &p));
}

/* bidirectional (Suricata's `<>`): either way, but the addresses and
 * ports of one way go together. */
Test(addr, header_bidirectional)
{
	struct ids_packet fwd = pkt(IPPROTO_UDP, "198.18.0.1", 5000, "198.18.0.2", 53, 0);
	struct ids_packet rev = pkt(IPPROTO_UDP, "198.18.0.2", 53, "198.18.0.1", 5000, 0);
	struct ids_packet mixed = pkt(IPPROTO_UDP, "198.18.0.2", 5000, "198.18.0.1", 53, 0);
	struct ids_packet other = pkt(IPPROTO_UDP, "198.18.0.3", 53, "198.18.0.1", 5000, 0);

	header_any();
	add_block(&hr.src, "198.18.0.1/32");
	add_block(&hr.dst, "198.18.0.2/32");
	add_range(&hr.dport, "53");
	cr_assert(rule_header_match(&hr, &fwd));
	cr_assert_not(rule_header_match(&hr, &rev));
	hr.bidirectional = true;
	cr_assert(rule_header_match(&hr, &fwd));
	cr_assert(rule_header_match(&hr, &rev));
	/* addresses the reverse way, port 53 on the wrong side */
	cr_assert_not(rule_header_match(&hr, &mixed));
	cr_assert_not(rule_header_match(&hr, &other));
}

Test(addr, header_ports_never_match_portless_protocols)
{
	struct ids_packet icmp = pkt(IPPROTO_ICMP, "198.18.0.1", 0, "198.18.0.2", 0, 0);
	struct ids_packet udp = pkt(IPPROTO_UDP, "198.18.0.1", 5, "198.18.0.2", 0, 0);

	header_any();
	add_range(&hr.dport, "!22");
	cr_assert_not(rule_header_match(&hr, &icmp));
	cr_assert(rule_header_match(&hr, &udp)); /* port 0 is a port for UDP */
}

/* ---------------------------------------------------- address ranges */

static size_t range_blocks(const char *s, struct addr_block *b)
{
	char err[160];
	size_t n;

	cr_assert_eq(addr_range_parse(s, b, &n, err, sizeof(err)), 0, "%s: %s", s, err);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(addr_set_add(&aset, &b[i]), 0);
	return n;
}

static void expect_block(const struct addr_block *b, const char *text, unsigned prefix)
{
	char got[64];

	inet_ntop(b->family == 4 ? AF_INET : AF_INET6, b->bytes, got, sizeof(got));
	cr_assert_str_eq(got, text);
	cr_assert_eq(b->prefix, prefix, "%s/%u, want /%u", got, b->prefix, prefix);
}

Test(addr, ipv6_range_is_the_fewest_cidr_blocks)
{
	struct addr_block b[ADDR_RANGE_MAX_BLOCKS];

	/* ::1-::ff = ::1/128 ::2/127 ::4/126 ... ::80/121 */
	cr_assert_eq(range_blocks("2001:db8::1-2001:db8::ff", b), 8);
	expect_block(&b[0], "2001:db8::1", 128);
	expect_block(&b[1], "2001:db8::2", 127);
	expect_block(&b[7], "2001:db8::80", 121);
	cr_assert_not(in(&aset, "2001:db8::"));
	cr_assert(in(&aset, "2001:db8::1"));
	cr_assert(in(&aset, "2001:db8::7f"));
	cr_assert(in(&aset, "2001:db8::ff"));
	cr_assert_not(in(&aset, "2001:db8::100"));
}

Test(addr, ipv4_ranges_edges_and_whole_space)
{
	struct addr_block b[ADDR_RANGE_MAX_BLOCKS];

	cr_assert_eq(range_blocks("198.18.0.0-198.18.255.255", b), 1);
	expect_block(&b[0], "198.18.0.0", 16);
	addr_set_free(&aset);
	memset(&aset, 0, sizeof(aset));
	cr_assert_eq(range_blocks("198.18.0.5-198.18.0.5", b), 1);
	expect_block(&b[0], "198.18.0.5", 32);
	cr_assert_eq(range_blocks("0.0.0.0-255.255.255.255", b), 1);
	expect_block(&b[0], "0.0.0.0", 0);
	cr_assert_eq(range_blocks("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", b), 1);
	expect_block(&b[0], "::", 0);
	/* the worst case: 2 * 128 - 2 blocks */
	cr_assert_eq(range_blocks("::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", b), 254);
}

Test(addr, bad_ranges_are_refused_with_a_message)
{
	struct addr_block b[ADDR_RANGE_MAX_BLOCKS];
	char err[160];
	size_t n;

	cr_assert_eq(addr_range_parse("198.18.0.9-198.18.0.1", b, &n, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "address range '198.18.0.9-198.18.0.1' ends before it starts");
	cr_assert_eq(addr_range_parse("198.18.0.1-2001:db8::1", b, &n, err, sizeof(err)), -1);
	cr_assert_str_eq(
		err, "'198.18.0.1-2001:db8::1' is not an address range (A-B, both of one family)");
	cr_assert_eq(addr_range_parse("198.18.0.1/24-198.18.0.9", b, &n, err, sizeof(err)), -1);
	cr_assert_eq(addr_range_parse("198.18.0.1-", b, &n, err, sizeof(err)), -1);
}

/* A block's own region (its addresses in no smaller block) is in a set as
 * the set's blocks covering the whole block decide: smaller blocks of the
 * set do not count, a covering negation excludes it. */
static bool region_in(const struct addr_set *set, const char *block)
{
	struct addr_block b;
	char err[128];

	cr_assert_eq(addr_block_parse(block, &b, err, sizeof(err)), 0, "%s: %s", block, err);
	return addr_set_match_region(set, &b);
}

Test(addr, region_of_a_block_decided_by_covering_blocks)
{
	add_block(&aset, "10.0.0.0/8");
	add_block(&aset, "!10.1.0.0/16");
	add_block(&aset, "198.18.5.0/24");
	cr_assert(region_in(&aset, "10.0.0.0/8"));
	cr_assert(region_in(&aset, "10.2.0.0/16"));
	cr_assert_not(region_in(&aset, "10.1.0.0/16"), "the negation covers it");
	cr_assert_not(region_in(&aset, "10.1.2.0/24"));
	cr_assert_not(region_in(&aset, "0.0.0.0/0"), "a /24 inside does not hold the rest");
	cr_assert_not(region_in(&aset, "198.18.0.0/15"));
	cr_assert(region_in(&aset, "198.18.5.7"));
	cr_assert_not(region_in(&aset, "::/0"), "IPv6 is in no IPv4 block");
	addr_set_free(&aset);
	memset(&aset, 0, sizeof(aset));
	add_block(&aset, "!2001:db8::/32");
	cr_assert(region_in(&aset, "::/0"), "only negations: the rest of the world");
	cr_assert(region_in(&aset, "0.0.0.0/0"));
	cr_assert_not(region_in(&aset, "2001:db8:1::/48"));
	aset.any = true;
	cr_assert(region_in(&aset, "2001:db8:1::/48"));
}

/* A sealed set (IPv4 blocks as merged intervals) answers as the plain
 * one: random sets of nested, touching and negated blocks of both
 * families, random addresses mostly near their blocks. */
Test(addr, sealed_set_matches_as_the_plain_one)
{
	unsigned seed = 12345;

	for (int round = 0; round < 300; round++) {
		struct addr_set plain = {0};
		size_t n = ADDR_SEAL_MIN + (size_t)(rand_r(&seed) % 40);

		for (size_t i = 0; i < n; i++) {
			struct addr_block b = {.family = 4};
			uint32_t v = (uint32_t)rand_r(&seed) % 4 == 0
					     ? (uint32_t)rand_r(&seed)
					     : 0xc6120000u | (rand_r(&seed) & 0xffff);
			unsigned prefix = 8 + (unsigned)rand_r(&seed) % 25;
			uint32_t mask = prefix == 32 ? UINT32_MAX : ~(UINT32_MAX >> prefix);

			if (rand_r(&seed) % 10 == 0) {
				b.family = 6;
				b.prefix = 32;
				b.bytes[0] = 0x20;
				b.bytes[1] = 0x01;
				b.bytes[2] = 0x0d;
				b.bytes[3] = 0xb8;
			} else {
				v &= mask;
				b.prefix = (uint8_t)prefix;
				b.bytes[0] = (uint8_t)(v >> 24);
				b.bytes[1] = (uint8_t)(v >> 16);
				b.bytes[2] = (uint8_t)(v >> 8);
				b.bytes[3] = (uint8_t)v;
			}
			b.negated = rand_r(&seed) % 4 == 0 && round % 7 != 0;
			if (round % 11 == 0)
				b.negated = true; /* negations only */
			cr_assert_eq(addr_set_add(&aset, &b), 0);
			cr_assert_eq(addr_set_add(&plain, &b), 0);
		}
		addr_set_seal(&aset);
		cr_assert_not_null(aset.span4);
		for (int t = 0; t < 400; t++) {
			struct ids_addr a = {.family = 4};
			uint32_t v = t % 3 ? 0xc6120000u | (rand_r(&seed) & 0xffff)
					   : (uint32_t)rand_r(&seed) << 1;

			a.bytes[0] = (uint8_t)(v >> 24);
			a.bytes[1] = (uint8_t)(v >> 16);
			a.bytes[2] = (uint8_t)(v >> 8);
			a.bytes[3] = (uint8_t)v;
			cr_assert_eq(addr_set_match(&aset, &a), addr_set_match(&plain, &a),
				     "round %d address %08x", round, v);
		}
		addr_set_free(&plain);
		addr_set_free(&aset);
		memset(&aset, 0, sizeof(aset));
	}
}

Test(addr, small_sets_and_added_blocks_are_not_sealed)
{
	add_block(&aset, "198.18.0.0/15");
	addr_set_seal(&aset);
	cr_assert_null(aset.span4, "fewer than ADDR_SEAL_MIN blocks");
	for (int i = 0; i < ADDR_SEAL_MIN; i++) {
		char s[32];

		snprintf(s, sizeof(s), "203.0.113.%d", i);
		add_block(&aset, s);
	}
	addr_set_seal(&aset);
	cr_assert_not_null(aset.span4);
	cr_assert_eq(aset.n_pos4, 2, "198.18/15 and 203.0.113.0-7 merged");
	add_block(&aset, "!203.0.113.3");
	cr_assert_null(aset.span4, "a block added after the seal drops the index");
	cr_assert_not(in(&aset, "203.0.113.3"));
	cr_assert(in(&aset, "203.0.113.4"));
}
