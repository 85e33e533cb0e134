/*
 * test_rule_header.c - header keywords of rule language v2: every integer
 * operator at its boundaries, each field read from a packet (and absent
 * from packets without it), flags and fragbits modifiers and the ignore
 * mask, sameip.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "detect/rule_keys.h"

static char err[256];

static struct rule_num_test num(const char *text, enum rule_hfield f)
{
	struct rule_num_test t;

	cr_assert_eq(rule_num_parse(text, f, &t, err, sizeof(err)), 0, "%s: %s", text, err);
	return t;
}

static bool ev(const char *text, uint32_t v)
{
	struct rule_num_test t = num(text, HF_DSIZE);

	return rule_num_eval(&t, v);
}

Test(rule_header, equal_and_not_equal)
{
	cr_assert(ev("5", 5));
	cr_assert_not(ev("5", 4));
	cr_assert_not(ev("5", 6));
	cr_assert(ev("=5", 5));
	cr_assert_not(ev("=5", 6));
	cr_assert(ev("!5", 4));
	cr_assert_not(ev("!5", 5));
	cr_assert(ev("!=5", 6));
	cr_assert_not(ev("!=5", 5));
	cr_assert(ev("0x10", 16));
}

Test(rule_header, less_and_greater_at_the_boundary)
{
	cr_assert(ev("<5", 4));
	cr_assert_not(ev("<5", 5));
	cr_assert(ev("<=5", 5));
	cr_assert_not(ev("<=5", 6));
	cr_assert(ev(">5", 6));
	cr_assert_not(ev(">5", 5));
	cr_assert(ev(">=5", 5));
	cr_assert_not(ev(">=5", 4));
	cr_assert(ev("> 100", 101));
}

Test(rule_header, ranges_exclude_both_ends)
{
	cr_assert_not(ev("3<>6", 3));
	cr_assert(ev("3<>6", 4));
	cr_assert(ev("3<>6", 5));
	cr_assert_not(ev("3<>6", 6));
	cr_assert(ev("3-6", 4));
	cr_assert_not(ev("3-6", 6));
	cr_assert(ev("!3<>6", 3));
	cr_assert(ev("!3<>6", 6));
	cr_assert_not(ev("!3<>6", 4));
}

static void bad(const char *text, enum rule_hfield f, const char *why)
{
	struct rule_num_test t;

	cr_assert_eq(rule_num_parse(text, f, &t, err, sizeof(err)), -1, "%s accepted", text);
	cr_assert_str_eq(err, why);
}

Test(rule_header, bad_numbers_are_reported)
{
	bad("abc", HF_DSIZE, "expected a number at 'abc'");
	bad("70000", HF_DSIZE, "number out of range (0..65535)");
	bad("256", HF_TTL, "number out of range (0..255)");
	bad(">", HF_TTL, "expected a number at ''");
	bad("5<>6", HF_DSIZE, "empty range 5<>6 (ranges exclude both ends)");
	bad("<5<>9", HF_DSIZE, "unexpected '<>9'");
	bad("5x", HF_DSIZE, "unexpected 'x'");
	bad("4096", HF_VLAN_ID, "number out of range (0..4095)");
	bad("200,3", HF_VLAN_ID, "VLAN layer '3' is not any, all, 0..2 or -3..-1");
	bad("200,first", HF_VLAN_ID, "VLAN layer 'first' is not any, all, 0..2 or -3..-1");
	bad("5,0", HF_TTL, "unexpected ',0'");
	bad("0000000000000000000000000000000000000000000000000000000000000000,0", HF_VLAN_ID,
	    "'0000000000000000000000000000000000000000000000000000000000000000,0' is too long");
}

Test(rule_header, ip_proto_takes_names)
{
	struct rule_num_test t = num("gre", HF_IP_PROTO);

	cr_assert(rule_num_eval(&t, 47));
	t = num("tcp", HF_IP_PROTO);
	cr_assert(rule_num_eval(&t, 6));
	t = num("!17", HF_IP_PROTO);
	cr_assert(rule_num_eval(&t, 6));
}

/* ------------------------------------------------------------- packets */

static uint8_t ip4[20];
static uint8_t icmp_buf[16];

static struct ids_packet tcp_pkt(uint8_t flags)
{
	struct ids_packet p;

	memset(&p, 0, sizeof(p));
	memset(ip4, 0, sizeof(ip4));
	ip4[0] = 0x45;
	ip4[4] = 0x7a, ip4[5] = 0x69; /* id 31337 */
	ip4[6] = 0x40;		      /* DF */
	p.l3 = ip4;
	p.l3_len = 20;
	p.ip_version = 4;
	p.proto = IPPROTO_TCP;
	p.ttl = 64;
	p.tcp_flags = flags;
	p.tcp_seq = 1000;
	p.tcp_ack = 7;
	p.tcp_win = 55808;
	p.payload_len = 10;
	p.src.family = p.dst.family = 4;
	inet_pton(AF_INET, "198.18.0.1", p.src.bytes);
	inet_pton(AF_INET, "198.18.0.2", p.dst.bytes);
	return p;
}

static struct ids_packet icmp_pkt(uint8_t type, uint8_t code)
{
	struct ids_packet p = tcp_pkt(0);

	p.proto = IPPROTO_ICMP;
	p.icmp_type = type;
	p.icmp_code = code;
	memset(icmp_buf, 0, sizeof(icmp_buf));
	icmp_buf[0] = type;
	icmp_buf[4] = 0x12, icmp_buf[5] = 0x34; /* id */
	icmp_buf[6] = 0x00, icmp_buf[7] = 0x07; /* seq */
	p.l3 = icmp_buf;			/* only the bytes before payload matter */
	p.payload = icmp_buf + 8;
	p.payload_len = 8;
	return p;
}

static bool field(enum rule_hfield f, const char *text, const struct ids_packet *p)
{
	struct rule_keys k;
	struct rule_num_test t = num(text, f);

	memset(&k, 0, sizeof(k));
	k.tests = &t;
	k.n_tests = 1;
	return rule_header_keys_match(&k, p);
}

Test(rule_header, fields_come_from_the_packet)
{
	struct ids_packet t = tcp_pkt(IDS_TCP_SYN), i = icmp_pkt(8, 0);

	cr_assert(field(HF_DSIZE, "10", &t));
	cr_assert_not(field(HF_DSIZE, ">10", &t));
	cr_assert(field(HF_TTL, "64", &t));
	cr_assert_not(field(HF_TTL, "<64", &t));
	cr_assert(field(HF_IP_ID, "31337", &t));
	cr_assert_not(field(HF_IP_ID, "31338", &t));
	cr_assert(field(HF_SEQ, "1000", &t));
	cr_assert(field(HF_ACK, "7", &t));
	cr_assert(field(HF_WINDOW, "55808", &t));
	cr_assert_not(field(HF_WINDOW, "!55808", &t));
	cr_assert(field(HF_IP_PROTO, "6", &t));
	cr_assert(field(HF_ITYPE, "8", &i));
	cr_assert(field(HF_ICODE, "0", &i));
	cr_assert(field(HF_ICODE, "<1", &i));
	cr_assert(field(HF_ICMP_ID, "4660", &i));
	cr_assert(field(HF_ICMP_SEQ, "7", &i));
	cr_assert_not(field(HF_ICMP_SEQ, "8", &i));
}

Test(rule_header, a_field_the_packet_lacks_never_matches)
{
	struct ids_packet t = tcp_pkt(IDS_TCP_SYN), i = icmp_pkt(3, 1), s = tcp_pkt(0);

	cr_assert_not(field(HF_ITYPE, "!8", &t));
	cr_assert_not(field(HF_SEQ, "!5", &i));
	cr_assert_not(field(HF_ICMP_ID, "!0", &i)); /* unreachable has no id */
	t.ip_version = 6;
	cr_assert_not(field(HF_IP_ID, "!1", &t));
	s.pkt_src = IDS_PKT_SRC_STREAM;
	cr_assert_not(field(HF_DSIZE, ">0", &s));
	cr_assert_not(field(HF_VLAN_ID, "!5", &s));
}

Test(rule_header, vlan_id_matches_any_layer)
{
	struct ids_packet p = tcp_pkt(0);

	p.vlan_count = 2;
	p.vlan[0] = 100;
	p.vlan[1] = 200;
	cr_assert(field(HF_VLAN_ID, "100", &p));
	cr_assert(field(HF_VLAN_ID, "200", &p));
	cr_assert_not(field(HF_VLAN_ID, "300", &p));
}

/* Suricata's vlan.id layer: 0.. from the outermost, -1.. from the
 * innermost, all (every layer, and at least one), any (the default). */
Test(rule_header, vlan_id_layers)
{
	struct ids_packet p = tcp_pkt(0), one = tcp_pkt(0), none = tcp_pkt(0);

	p.vlan_count = 2;
	p.vlan[0] = 100;
	p.vlan[1] = 200;
	one.vlan_count = 1;
	one.vlan[0] = 200;
	cr_assert(field(HF_VLAN_ID, "100,0", &p));
	cr_assert_not(field(HF_VLAN_ID, "200,0", &p));
	cr_assert(field(HF_VLAN_ID, "200,1", &p));
	cr_assert(field(HF_VLAN_ID, "200,-1", &p));
	cr_assert(field(HF_VLAN_ID, "100,-2", &p));
	cr_assert_not(field(HF_VLAN_ID, "100,-3", &p));
	cr_assert_not(field(HF_VLAN_ID, "200,1", &one));
	cr_assert(field(HF_VLAN_ID, "200,-1", &one));
	cr_assert(field(HF_VLAN_ID, ">50,all", &p));
	cr_assert_not(field(HF_VLAN_ID, ">150,all", &p));
	cr_assert(field(HF_VLAN_ID, "!500,all", &p));
	cr_assert_not(field(HF_VLAN_ID, "!500,all", &none));
	cr_assert(field(HF_VLAN_ID, ">150,any", &p));
	cr_assert(field(HF_VLAN_ID, "0x64, 0", &p));
}

/* ---------------------------------------------------------------- flags */

static bool flags(const char *text, uint8_t v)
{
	struct rule_bits_test t;

	cr_assert_eq(rule_flags_parse(text, &t, err, sizeof(err)), 0, "%s: %s", text, err);
	return rule_bits_eval(&t, v);
}

#define S IDS_TCP_SYN
#define A IDS_TCP_ACK
#define F IDS_TCP_FIN
#define C IDS_TCP_CWR
#define E IDS_TCP_ECE

Test(rule_header, flags_without_modifier_are_exact)
{
	cr_assert(flags("S", S));
	cr_assert_not(flags("S", S | A));
	cr_assert(flags("SA", S | A));
	cr_assert(flags("AS", S | A));
	cr_assert(flags("=S", S));
	cr_assert_not(flags("=S", S | A));
	cr_assert(flags("0", 0));
	cr_assert_not(flags("0", A));
}

Test(rule_header, flags_modifiers)
{
	cr_assert(flags("+S", S | A));
	cr_assert(flags("S+", S | A));
	cr_assert_not(flags("+SF", S | A));
	cr_assert(flags("*SF", S));
	cr_assert(flags("*SF", F | A));
	cr_assert_not(flags("*SF", A));
	cr_assert(flags("!S", A));
	cr_assert_not(flags("!S", S | A));
	cr_assert(flags("!SF", S)); /* not all of them */
	cr_assert_not(flags("!SF", S | F));
	cr_assert(flags("-S", A));
}

Test(rule_header, flags_ignore_mask_and_ecn_names)
{
	cr_assert(flags("S,CE", S | C | E));
	cr_assert(flags("S,12", S | C));
	cr_assert_not(flags("S", S | C));
	cr_assert(flags("SC", S | C));
	cr_assert(flags("S1", S | C));
	cr_assert(flags("SE", S | E));
	cr_assert(flags("S2", S | E));
}

Test(rule_header, bad_flags_are_reported)
{
	struct rule_bits_test t;

	cr_assert_eq(rule_flags_parse("SX", &t, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "unknown flag 'X'");
	cr_assert_eq(rule_flags_parse("0S", &t, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "'0' (no flags) cannot be combined with other flags");
	cr_assert_eq(rule_flags_parse("+", &t, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no flags given");
	cr_assert_eq(rule_flags_parse("S,Q", &t, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "unknown flag 'Q' in the ignore mask");
}

Test(rule_header, flags_need_a_tcp_packet)
{
	struct rule_keys k;
	struct ids_packet t = tcp_pkt(S), i = icmp_pkt(8, 0);

	memset(&k, 0, sizeof(k));
	cr_assert_eq(rule_flags_parse("!A", &k.flags, err, sizeof(err)), 0);
	cr_assert(rule_header_keys_match(&k, &t));
	cr_assert_not(rule_header_keys_match(&k, &i));
}

/* ------------------------------------------------------------- fragbits */

static bool frag(const char *text, const struct ids_packet *p)
{
	struct rule_keys k;

	memset(&k, 0, sizeof(k));
	cr_assert_eq(rule_fragbits_parse(text, &k.fragbits, err, sizeof(err)), 0, "%s: %s", text,
		     err);
	return rule_header_keys_match(&k, p);
}

Test(rule_header, fragbits_modifiers)
{
	struct ids_packet p = tcp_pkt(0); /* DF set */

	cr_assert(frag("D", &p));
	cr_assert_not(frag("M", &p));
	cr_assert(frag("D+", &p));
	cr_assert(frag("*MD", &p));
	cr_assert_not(frag("*MR", &p));
	cr_assert(frag("!M", &p));
	cr_assert_not(frag("!D", &p));
	ip4[6] = 0x60; /* DF and MF */
	cr_assert_not(frag("D", &p));
	cr_assert(frag("+D", &p));
	cr_assert(frag("MD", &p));
	p.ip_version = 6;
	cr_assert_not(frag("!R", &p));
}

Test(rule_header, sameip)
{
	struct rule_keys k;
	struct ids_packet p = tcp_pkt(0);

	memset(&k, 0, sizeof(k));
	k.sameip = true;
	cr_assert_not(rule_header_keys_match(&k, &p));
	p.dst = p.src;
	cr_assert(rule_header_keys_match(&k, &p));
}

Test(rule_header, dsize_tests_excluding_zero_skip_empty_packets)
{
	struct ids_packet p = tcp_pkt(IDS_TCP_ACK);

	p.payload_len = 0;
	cr_assert_not(field(HF_DSIZE, "!9", &p));
	cr_assert_not(field(HF_DSIZE, ">=0", &p));
	cr_assert_not(field(HF_DSIZE, "0<>5", &p));
	cr_assert(field(HF_DSIZE, "<10", &p));
	cr_assert(field(HF_DSIZE, "0", &p));
	cr_assert(field(HF_DSIZE, "!1<>5", &p));
	p.payload_len = 10;
	cr_assert(field(HF_DSIZE, "!9", &p));
}

/* Every operator of every integer keyword, true and false at the boundary,
 * against the field's value in the packet. */
static void all_operators(enum rule_hfield f, const struct ids_packet *p, uint32_t v)
{
	static const struct {
		const char *pre; /* operator before the first number */
		int da;		 /* first number: v + da */
		const char *sep; /* range separator, NULL for one number */
		int db;		 /* second number: v + db */
		bool want;
	} cases[] = {
		{"", 0, NULL, 0, true},	    {"", 1, NULL, 0, false},   {"=", 0, NULL, 0, true},
		{"!", 0, NULL, 0, false},   {"!", 1, NULL, 0, true},   {"!=", 0, NULL, 0, false},
		{"<", 0, NULL, 0, false},   {"<", 1, NULL, 0, true},   {"<=", 0, NULL, 0, true},
		{"<=", -1, NULL, 0, false}, {">", 0, NULL, 0, false},  {">", -1, NULL, 0, true},
		{">=", 0, NULL, 0, true},   {">=", 1, NULL, 0, false}, {"", -1, "<>", 1, true},
		{"", 0, "<>", 2, false},    {"", -2, "<>", 0, false},  {"", -1, "-", 1, true},
		{"!", -1, "<>", 1, false},  {"!", 0, "<>", 2, true},
	};
	char text[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(text, sizeof(text), "%s%u", cases[i].pre,
				 v + (uint32_t)cases[i].da);

		if (cases[i].sep)
			snprintf(text + n, sizeof(text) - (size_t)n, "%s%u", cases[i].sep,
				 v + (uint32_t)cases[i].db);
		cr_assert_eq(field(f, text, p), cases[i].want, "field %d value %u: '%s'", (int)f, v,
			     text);
	}
}

Test(rule_header, every_operator_of_every_field)
{
	struct ids_packet t = tcp_pkt(IDS_TCP_SYN), i = icmp_pkt(8, 3), v = tcp_pkt(0);

	all_operators(HF_DSIZE, &t, 10);
	all_operators(HF_TTL, &t, 64);
	all_operators(HF_IP_ID, &t, 31337);
	all_operators(HF_SEQ, &t, 1000);
	all_operators(HF_ACK, &t, 7);
	all_operators(HF_WINDOW, &t, 55808);
	all_operators(HF_IP_PROTO, &t, 6);
	all_operators(HF_ITYPE, &i, 8);
	all_operators(HF_ICODE, &i, 3);
	all_operators(HF_ICMP_ID, &i, 4660);
	all_operators(HF_ICMP_SEQ, &i, 7);
	v.vlan_count = 1;
	v.vlan[0] = 100;
	all_operators(HF_VLAN_ID, &v, 100);
}
