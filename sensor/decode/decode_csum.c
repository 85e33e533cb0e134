/*
 * decode_csum.c - IPv4 header and transport checksum validation (see
 * decode.h).
 *
 * The Internet checksum (RFC 1071) is the one's-complement sum of 16-bit
 * words. The sum has two properties this file leans on:
 * - It can be taken over wider words (here 64 bits, loaded in host byte
 *   order) with the carries folded back in, then folded down to 16 bits.
 * - Taken over host-order words it is the byte-swapped network-order sum;
 *   a valid checksum makes the total 0xffff, which reads the same both
 *   ways, so no swap is ever needed. Pseudo-header fields are therefore
 *   written as network-order bytes and summed like the data.
 * An odd final byte is the high byte of a word padded with zero.
 *
 * Lengths: the decoder has checked every length read here. The transport
 * checksum covers p->l4_len bytes: the IP payload as the IP header states
 * for TCP and ICMP, the UDP length field for UDP (never Ethernet padding).
 *
 * Known limit: for IPv6 with a routing header the pseudo-header should use
 * the final destination; the header's destination address is used.
 *
 * Pure functions: no allocation, no state.
 */
#include "decode/decode.h"

#include <string.h>

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

/* Add `w` to the 64-bit one's-complement accumulator. */
static inline uint64_t add_carry(uint64_t acc, uint64_t w)
{
	acc += w;
	return acc + (acc < w);
}

/* One's-complement sum of b[0..n), word at a time, added to `acc`. */
static uint64_t sum_bytes(const uint8_t *b, size_t n, uint64_t acc)
{
	uint64_t w8;
	uint32_t w4;
	uint16_t w2;

	while (n >= 32) {
		uint64_t a, c, e, f;

		memcpy(&a, b, 8);
		memcpy(&c, b + 8, 8);
		memcpy(&e, b + 16, 8);
		memcpy(&f, b + 24, 8);
		acc = add_carry(add_carry(add_carry(add_carry(acc, a), c), e), f);
		b += 32;
		n -= 32;
	}
	while (n >= 8) {
		memcpy(&w8, b, 8);
		acc = add_carry(acc, w8);
		b += 8;
		n -= 8;
	}
	if (n >= 4) {
		memcpy(&w4, b, 4);
		acc = add_carry(acc, w4);
		b += 4;
		n -= 4;
	}
	if (n >= 2) {
		memcpy(&w2, b, 2);
		acc = add_carry(acc, w2);
		b += 2;
		n -= 2;
	}
	if (n == 1) {
		uint8_t last[2] = {b[0], 0};

		memcpy(&w2, last, 2);
		acc = add_carry(acc, w2);
	}
	return acc;
}

/* Fold the accumulator to 16 bits (end-around carries). */
static uint16_t fold(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)acc;
}

/* Sum of the IPv4 or IPv6 pseudo-header for `len` bytes of `proto`. */
static uint64_t pseudo_sum(const struct packet *p, uint8_t proto, uint32_t len)
{
	uint8_t ph[40];
	size_t alen = p->pub.ip_version == 6 ? 16 : 4;

	memcpy(ph, p->pub.src.bytes, alen);
	memcpy(ph + alen, p->pub.dst.bytes, alen);
	if (alen == 4) { /* zero, protocol, 16-bit length */
		ph[8] = 0;
		ph[9] = proto;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		return sum_bytes(ph, 12, 0);
	}
	/* 32-bit upper-layer length, three zero bytes, next header */
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	return sum_bytes(ph, 40, 0);
}

bool decode_ipv4_csum_ok(const struct packet *p)
{
	uint32_t hlen;

	if (p->pub.ip_version != 4 || !p->pub.l3)
		return true;
	hlen = (uint32_t)(p->pub.l3[0] & 0x0f) * 4;
	return fold(sum_bytes(p->pub.l3, hlen, 0)) == 0xffff;
}

bool decode_l4_csum_ok(const struct packet *p)
{
	uint8_t proto = p->pub.proto;
	bool v6 = p->pub.ip_version == 6;
	uint64_t acc;

	if (!p->l4)
		return true;
	switch (proto) {
	case PROTO_UDP:
		if (p->l4_len >= 8 && p->l4[6] == 0 && p->l4[7] == 0)
			return !v6; /* no checksum: allowed over IPv4 only */
				    /* fall through */
	case PROTO_TCP:
		acc = pseudo_sum(p, proto, p->l4_len);
		break;
	case PROTO_ICMP:
		if (v6)
			return true;
		acc = 0;
		break;
	case PROTO_ICMPV6:
		if (!v6)
			return true;
		acc = pseudo_sum(p, proto, p->l4_len);
		break;
	default:
		return true;
	}
	return fold(sum_bytes(p->l4, p->l4_len, acc)) == 0xffff;
}
