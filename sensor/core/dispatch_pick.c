/*
 * dispatch_pick.c - the reader's choice of worker (see dispatch_pick.h).
 *
 * What is read: Ethernet (any number up to 4 of 802.1Q/802.1ad tags),
 * Linux SLL and SLL2, raw IP, IPv4, IPv6 and BSD null link types; the IPv4
 * header (protocol, flags, fragment offset, id) or the IPv6 header and its
 * extension headers (hop-by-hop, routing, fragment, AH, destination
 * options) up to the upper protocol, walked as decode.c walks them so that
 * the protocol here is the flow's. Every read is checked against the captured
 * length; a frame cut short is hashed on what could be read, never past
 * it.
 *
 * The hash is symmetric: the address bytes enter as (a ^ b) and (a + b),
 * the ports as (min, max), so swapping source and destination gives the
 * same value.
 *
 * Threads: the reader's thread only (the state is the reader's).
 */
#include "core/dispatch_pick.h"

#include <stdbool.h>
#include <stddef.h>

#include "decode/decode.h"

struct l3 {
	uint64_t pair;	   /* symmetric hash of the addresses and protocol */
	unsigned proto;	   /* upper protocol */
	const uint8_t *l4; /* its header, NULL when not in this fragment */
	uint32_t l4_len;
	bool frag; /* a fragment of a datagram */
	uint32_t frag_id;
};

static uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)be16(b) << 16 | be16(b + 2);
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

static uint64_t pair_hash(const uint8_t *a, const uint8_t *b, unsigned alen, unsigned proto)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < alen; i++)
		h += (uint64_t)(a[i] ^ b[i]) << (i % 8 * 8) ^
		     ((uint64_t)a[i] + b[i]) * 0x9e3779b97f4a7c15ull;
	return mix(h ^ proto);
}

static bool parse_ipv4(const uint8_t *b, uint32_t len, struct l3 *r)
{
	uint32_t hl = (uint32_t)(b[0] & 15) * 4;
	uint16_t frag = be16(b + 6);

	r->proto = b[9];
	r->pair = pair_hash(b + 12, b + 16, 4, r->proto);
	r->frag = (frag & 0x3fff) != 0;
	r->frag_id = be16(b + 4);
	if ((frag & 0x1fff) == 0 && hl >= 20 && hl < len) {
		r->l4 = b + hl;
		r->l4_len = len - hl;
	}
	return true;
}

/* The IPv6 fragment header at b + off (8 bytes there): 1 when the walk
 * goes on (an atomic or first fragment), 0 when it ends (a later one). */
static bool ipv6_fragment(const uint8_t *h, struct l3 *r)
{
	uint16_t offm = be16(h + 2);

	if ((offm & 0xfff9) == 0)
		return true; /* atomic: the datagram is whole */
	r->frag = true;
	r->frag_id = be32(h + 4);
	return (offm & 0xfff8) == 0;
}

/* The extension headers of an IPv6 packet up to the upper protocol, as
 * decode.c walks them (hop-by-hop, routing, fragment, AH, destination
 * options; a later fragment ends the walk at its fragment header). Every
 * step advances at least 8 bytes, so the walk ends within the frame. */
static bool parse_ipv6(const uint8_t *b, uint32_t len, struct l3 *r)
{
	unsigned nh = b[6];
	uint32_t off = 40;
	bool l4 = true;

	while (nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60) {
		unsigned next;

		if (off + 8 > len) {
			l4 = false;
			break;
		}
		next = b[off];
		if (nh == 44 && !ipv6_fragment(b + off, r)) {
			nh = next, l4 = false;
			break;
		}
		off += nh == 44	  ? 8
		       : nh == 51 ? ((uint32_t)b[off + 1] + 2) * 4
				  : ((uint32_t)b[off + 1] + 1) * 8;
		nh = next;
	}
	r->proto = nh;
	r->pair = pair_hash(b + 8, b + 24, 16, nh);
	if (l4 && off < len) {
		r->l4 = b + off;
		r->l4_len = len - off;
	}
	return true;
}

static bool parse_ip(const uint8_t *b, uint32_t len, struct l3 *r)
{
	if (len >= 20 && b[0] >> 4 == 4)
		return parse_ipv4(b, len, r);
	if (len >= 40 && b[0] >> 4 == 6)
		return parse_ipv6(b, len, r);
	return false;
}

static bool parse_ether(unsigned type, const uint8_t *b, uint32_t len, struct l3 *r)
{
	for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < 4;
	     tags++) {
		if (len < 4)
			return false;
		type = be16(b + 2);
		b += 4, len -= 4;
	}
	if (type != 0x0800 && type != 0x86dd)
		return false;
	return parse_ip(b, len, r);
}

static bool parse_link(int linktype, const uint8_t *b, uint32_t len, struct l3 *r)
{
	switch (linktype) {
	case LINK_ETHERNET:
		return len >= 14 && parse_ether(be16(b + 12), b + 14, len - 14, r);
	case LINK_SLL:
		return len >= 16 && parse_ether(be16(b + 14), b + 16, len - 16, r);
	case LINK_SLL2:
		return len >= 20 && parse_ether(be16(b), b + 20, len - 20, r);
	case LINK_RAW:
	case LINK_IPV4:
	case LINK_IPV6:
		return parse_ip(b, len, r);
	case LINK_NULL:
		return len >= 4 && parse_ip(b + 4, len - 4, r);
	default:
		return false;
	}
}

/* The flow's hash: the pair, and the ports where the protocol has them. */
static uint64_t flow_hash(const struct l3 *r)
{
	uint16_t a, b;

	if ((r->proto != 6 && r->proto != 17 && r->proto != 132) || !r->l4 || r->l4_len < 4)
		return r->pair;
	a = be16(r->l4);
	b = be16(r->l4 + 2);
	return mix(r->pair ^
		   ((uint64_t)(a < b ? a : b) << 16 | (a < b ? b : a)) * 0xc2b2ae3d27d4eb4full);
}

/* A fragment: the worker its datagram already has, or a new one. */
static unsigned pick_fragment(struct pick_state *ps, const struct l3 *r, unsigned n)
{
	uint64_t tag = mix(r->pair ^ (uint64_t)r->frag_id * 0x94d049bb133111ebull) | 1;
	unsigned slot = (unsigned)(tag % PICK_FRAG_SLOTS);

	if (ps->frag[slot].tag != tag) {
		ps->frag[slot].tag = tag;
		ps->frag[slot].worker = (unsigned)(flow_hash(r) % n);
	}
	return ps->frag[slot].worker;
}

unsigned dispatch_pick(struct pick_state *ps, int linktype, const uint8_t *b, uint32_t len,
		       unsigned n)
{
	struct l3 r = {0};

	if (n <= 1 || !parse_link(linktype, b, len, &r))
		return 0;
	if (r.frag)
		return pick_fragment(ps, &r, n);
	return (unsigned)(flow_hash(&r) % n);
}
