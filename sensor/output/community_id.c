/*
 * community_id.c - Community ID v1 (see community_id.h).
 *
 * Design: the hash input is at most 2 + 16 + 16 + 1 + 1 + 2 + 2 = 40 bytes,
 * built on the stack and hashed in one call to a small SHA-1 (one or two
 * 64-byte blocks), so a record costs a few hundred nanoseconds and nothing
 * is allocated. Ordering: the endpoint with the smaller address (bytes in
 * network order), or with equal addresses the smaller port, goes first.
 * ICMP: a type with a counterpart (echo and its reply, router, neighbour
 * and MLD solicitation and advertisement, ...) hashes as the port pair
 * (type, counterpart) and is ordered like ports, so a request and its
 * reply share an id; any other type is one-way, hashed as (type, code) in
 * the packet's own direction.
 */
#include "output/community_id.h"

#include <string.h>

/* -------------------------------------------------------------- SHA-1 */

struct sha1 {
	uint32_t h[5];
};

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One SHA-1 step: `f` is the round function's value, `k` its constant. */
#define SHA1_STEP(f, k, wi)                                                                        \
	do {                                                                                       \
		uint32_t t_ = rol(a, 5) + (f) + e + (k) + (wi);                                    \
		e = d;                                                                             \
		d = c;                                                                             \
		c = rol(b, 30);                                                                    \
		b = a;                                                                             \
		a = t_;                                                                            \
	} while (0)

/* The 80 steps in four loops of 20, one round function each (no choice
 * of function or constant per step). */
static void sha1_block(struct sha1 *s, const uint8_t blk[64])
{
	uint32_t w[80], a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = be32(blk + 4 * i);
	for (i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 20; i++)
		SHA1_STEP(d ^ (b & (c ^ d)), 0x5a827999u, w[i]);
	for (; i < 40; i++)
		SHA1_STEP(b ^ c ^ d, 0x6ed9eba1u, w[i]);
	for (; i < 60; i++)
		SHA1_STEP((b & c) | (d & (b | c)), 0x8f1bbcdcu, w[i]);
	for (; i < 80; i++)
		SHA1_STEP(b ^ c ^ d, 0xca62c1d6u, w[i]);
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

void community_sha1(const uint8_t *p, size_t n, uint8_t digest[20])
{
	struct sha1 s = {{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}};
	uint8_t last[128];
	uint64_t bits = (uint64_t)n * 8;
	size_t rest, tail;

	for (; n >= 64; p += 64, n -= 64)
		sha1_block(&s, p);
	rest = n;
	tail = rest < 56 ? 64 : 128;
	memset(last, 0, sizeof(last));
	memcpy(last, p, rest);
	last[rest] = 0x80;
	for (unsigned i = 0; i < 8; i++)
		last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha1_block(&s, last);
	if (tail == 128)
		sha1_block(&s, last + 64);
	for (unsigned i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(s.h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(s.h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(s.h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)s.h[i];
	}
}

/* ------------------------------------------------------------- ICMP */

/* The counterpart of an ICMP type, or -1 when the type is one-way. */
static int icmp4_counterpart(uint8_t type)
{
	switch (type) {
	case 8: /* echo */
		return 0;
	case 0:
		return 8;
	case 13: /* timestamp */
		return 14;
	case 14:
		return 13;
	case 15: /* information */
		return 16;
	case 16:
		return 15;
	case 10: /* router solicitation (its advertisement is one-way) */
		return 9;
	case 17: /* address mask */
		return 18;
	case 18:
		return 17;
	default:
		return -1;
	}
}

static int icmp6_counterpart(uint8_t type)
{
	static const uint8_t pairs[][2] = {
		{128, 129}, /* echo request, reply */
		{133, 134}, /* router solicitation, advertisement */
		{135, 136}, /* neighbour solicitation, advertisement */
		{130, 131}, /* MLD query, report */
		{139, 140}, /* node information query, reply */
		{144, 145}, /* home agent address discovery request, reply */
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (pairs[i][0] == type)
			return pairs[i][1];
		if (pairs[i][1] == type)
			return pairs[i][0];
	}
	return -1;
}

/* ----------------------------------------------------------- the hash */

static size_t addr_len(const struct ids_addr *a)
{
	return a->family == 6 ? 16 : 4;
}

/* Should (src, sport) come first? */
static bool ordered(const struct ids_addr *src, uint16_t sport, const struct ids_addr *dst,
		    uint16_t dport)
{
	int c = memcmp(src->bytes, dst->bytes, addr_len(src));

	return c < 0 || (c == 0 && sport < dport);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void base64(char *out, const uint8_t *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

bool community_id_v1(char out[COMMUNITY_ID_LEN], uint16_t seed, const struct ids_addr *src,
		     const struct ids_addr *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	uint8_t buf[40], digest[20];
	bool icmp = proto == 1 || proto == 58, one_way = false;
	size_t alen = addr_len(src), n = 0;

	out[0] = '\0';
	if (!icmp && proto != 6 && proto != 17 && proto != 132)
		return false;
	if (src->family != dst->family)
		return false;
	if (icmp) {
		int other = proto == 1 ? icmp4_counterpart((uint8_t)sport)
				       : icmp6_counterpart((uint8_t)sport);

		one_way = other < 0;
		if (!one_way)
			dport = (uint16_t)other;
	}
	if (!one_way && !ordered(src, sport, dst, dport)) {
		const struct ids_addr *ta = src;
		uint16_t tp = sport;

		src = dst;
		dst = ta;
		sport = dport;
		dport = tp;
	}
	put16(buf, seed);
	memcpy(buf + 2, src->bytes, alen);
	memcpy(buf + 2 + alen, dst->bytes, alen);
	n = 2 + 2 * alen;
	buf[n++] = proto;
	buf[n++] = 0;
	put16(buf + n, sport);
	put16(buf + n + 2, dport);
	community_sha1(buf, n + 4, digest);
	out[0] = '1';
	out[1] = ':';
	base64(out + 2, digest, sizeof(digest));
	return true;
}
