/*
 * test_rule_xbits.c - Suricata's xbits: the option text (commands, tracks,
 * expire, noalert, every error's message) and the per-worker table (set,
 * isset/isnotset, expiry in packet time inclusive, set leaving a live bit's
 * expiry alone, unset, toggle, host bits shared by ip_src and ip_dst,
 * ip_pair in both directions only for its two hosts, IPv6, and a full
 * table counting every set it drops). Rules end to end:
 * tests/integration/test_xbits.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rule_keys.h"

static struct rule_xb_op op;
static char err[300];
static struct rule_xbits *tab;
static uint64_t full;

static void teardown(void)
{
	rule_xbits_free(tab);
	tab = NULL;
	full = 0;
}

TestSuite(rule_xbits, .fini = teardown);

static int parse(const char *text)
{
	err[0] = '\0';
	return rule_xb_parse(text, &op, err, sizeof(err));
}

Test(rule_xbits, options)
{
	uint64_t a;

	cr_assert_eq(parse("set,ET.m,track ip_src,expire 10"), 0, "%s", err);
	cr_expect_eq(op.cmd, FB_SET);
	cr_expect_eq(op.track, XB_TRACK_SRC);
	cr_expect_eq(op.expire, 10);
	a = op.name;
	cr_assert_eq(parse(" isset , ET.m , track  ip_dst "), 0, "%s", err);
	cr_expect_eq(op.cmd, FB_ISSET);
	cr_expect_eq(op.track, XB_TRACK_DST);
	cr_expect_eq(op.expire, 30); /* Suricata's default */
	cr_expect_eq(op.name, a);
	cr_assert_eq(parse("toggle,x,expire 5,track ip_pair"), 0, "%s", err);
	cr_expect_eq(op.track, XB_TRACK_PAIR);
	cr_expect_neq(op.name, a);
	cr_assert_eq(parse("unset,x,track ip_src"), 0);
	cr_expect_eq(op.cmd, FB_UNSET);
	cr_assert_eq(parse("isnotset,x,track ip_src"), 0);
	cr_expect_eq(op.cmd, FB_ISNOTSET);
	cr_expect_eq(parse("noalert"), 1);
	cr_expect_eq(parse(" noalert "), 1);
}

Test(rule_xbits, bad_options)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"", "empty xbits option"},
		{"sett,a,track ip_src",
		 "command 'sett' must be one of set, unset, toggle, isset, isnotset"},
		{"set", "a bit name must follow the command"},
		{"set,a b,track ip_src", "a bit name must follow the command"},
		{"set,a", "track ip_src, ip_dst or ip_pair is required"},
		{"set,a,track ip_source", "track 'ip_source' must be ip_src, ip_dst or ip_pair"},
		{"set,a,track tx",
		 "track 'tx' must be ip_src, ip_dst or ip_pair (track tx is not supported)"},
		{"set,a,track ip_src,expire 0", "expire '0' must be 1..4294967295 seconds"},
		{"set,a,track ip_src,expire -1", "expire '-1' must be 1..4294967295 seconds"},
		{"set,a,track ip_src,expire 4294967296",
		 "expire '4294967296' must be 1..4294967295 seconds"},
		{"set,a,track ip_src,track ip_dst",
		 "unexpected 'track ip_dst' (expected track ip_src|ip_dst|ip_pair, expire N)"},
		{"set,a,track ip_src,noalert",
		 "unexpected 'noalert' (expected track ip_src|ip_dst|ip_pair, expire N)"},
		{"set,a,track",
		 "unexpected 'track' (expected track ip_src|ip_dst|ip_pair, expire N)"},
		{"noalert,set", "noalert takes nothing after it"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(parse(cases[i].text), -1, "%s", cases[i].text);
		cr_expect_str_eq(err, cases[i].msg, "%s", cases[i].text);
	}
}

static struct ids_packet pkt(uint8_t src, uint8_t dst, int64_t ts)
{
	struct ids_packet p;

	memset(&p, 0, sizeof(p));
	p.src.family = p.dst.family = 4;
	p.src.bytes[0] = p.dst.bytes[0] = 198;
	p.src.bytes[1] = p.dst.bytes[1] = 18;
	p.src.bytes[3] = src;
	p.dst.bytes[3] = dst;
	p.ts_usec = ts;
	return p;
}

static void run(const char *text, const struct ids_packet *p)
{
	cr_assert_eq(parse(text), 0, "%s: %s", text, err);
	rule_xb_apply(&op, &tab, p, &full);
}

static bool check(const char *text, const struct ids_packet *p)
{
	cr_assert_eq(parse(text), 0, "%s: %s", text, err);
	return rule_xb_check(&op, tab, p);
}

#define SEC 1000000LL

Test(rule_xbits, host_bits_expire_in_packet_time)
{
	struct ids_packet ab = pkt(1, 2, 100 * SEC), ba = pkt(2, 1, 100 * SEC);

	cr_expect_not(check("isset,m,track ip_src", &ab)); /* no table yet */
	cr_expect(check("isnotset,m,track ip_src", &ab));
	run("set,m,track ip_src,expire 10", &ab);
	cr_expect(check("isset,m,track ip_src", &ab));
	cr_expect(check("isset,m,track ip_dst", &ba)); /* the same host */
	cr_expect_not(check("isset,m,track ip_dst", &ab));
	cr_expect_not(check("isset,other,track ip_src", &ab));
	ab.ts_usec = 105 * SEC;
	run("set,m,track ip_src,expire 10", &ab); /* live: expiry kept at 110 s */
	ab.ts_usec = 110 * SEC;
	cr_expect(check("isset,m,track ip_src", &ab)); /* inclusive */
	ab.ts_usec = 110 * SEC + 1;
	cr_expect_not(check("isset,m,track ip_src", &ab));
	cr_expect(check("isnotset,m,track ip_src", &ab));
	run("set,m,track ip_src,expire 10", &ab); /* expired: set anew */
	cr_expect(check("isset,m,track ip_src", &ab));
	run("unset,m,track ip_src", &ab);
	cr_expect_not(check("isset,m,track ip_src", &ab));
	cr_expect_eq(full, 0);
}

Test(rule_xbits, toggle_and_unset_without_a_table)
{
	struct ids_packet ab = pkt(1, 2, SEC);

	run("unset,t,track ip_src", &ab);
	cr_expect_null(tab); /* nothing to remove: nothing allocated */
	run("toggle,t,track ip_src", &ab);
	cr_expect(check("isset,t,track ip_src", &ab));
	run("toggle,t,track ip_src", &ab);
	cr_expect_not(check("isset,t,track ip_src", &ab));
	run("toggle,t,track ip_src", &ab);
	cr_expect(check("isset,t,track ip_src", &ab));
}

Test(rule_xbits, pairs_in_both_directions)
{
	struct ids_packet ab = pkt(1, 2, SEC), ba = pkt(2, 1, SEC), ac = pkt(1, 3, SEC);
	struct ids_packet v6a = pkt(1, 2, SEC), v6b;

	run("set,p,track ip_pair", &ab);
	cr_expect(check("isset,p,track ip_pair", &ab));
	cr_expect(check("isset,p,track ip_pair", &ba));
	cr_expect_not(check("isset,p,track ip_pair", &ac));
	cr_expect_not(check("isset,p,track ip_src", &ab)); /* pair bits are not host bits */
	v6a.src.family = v6a.dst.family = 6;
	v6b = v6a;
	v6b.src = v6a.dst;
	v6b.dst = v6a.src;
	cr_expect_not(check("isset,p,track ip_pair", &v6a)); /* other family */
	run("set,p,track ip_pair", &v6a);
	cr_expect(check("isset,p,track ip_pair", &v6b));
}

/* Every set either lands (its bit is then set) or is counted. */
Test(rule_xbits, full_table_counts_every_dropped_set)
{
	const int n = 40000;
	int landed = 0;

	for (int i = 0; i < n; i++) {
		struct ids_packet p = pkt(1, 2, SEC);

		p.src.bytes[2] = (uint8_t)(i >> 8);
		p.src.bytes[3] = (uint8_t)i;
		p.src.bytes[4] = (uint8_t)(i >> 16);
		run("set,f,track ip_src,expire 100", &p);
	}
	for (int i = 0; i < n; i++) {
		struct ids_packet p = pkt(1, 2, SEC);

		p.src.bytes[2] = (uint8_t)(i >> 8);
		p.src.bytes[3] = (uint8_t)i;
		p.src.bytes[4] = (uint8_t)(i >> 16);
		landed += check("isset,f,track ip_src", &p);
	}
	cr_expect_gt(full, 0);
	cr_expect_leq(landed, 4096 * 8);
	cr_expect_eq((uint64_t)landed + full, (uint64_t)n);
	/* once expired, the same slots take new bits */
	{
		struct ids_packet late = pkt(9, 2, 1000 * SEC);

		full = 0;
		run("set,f,track ip_src,expire 100", &late);
		cr_expect(check("isset,f,track ip_src", &late));
		cr_expect_eq(full, 0);
	}
}
