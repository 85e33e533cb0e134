/*
 * decode_csum.c - IPv4 header and transport checksum validation (see
 * decode.h).
 *
 * The Internet checksum (RFC 1071) is the one's-complement sum of 16-bit
 * words. The sum has two properties this file leans on:
 * - It can be taken over wider words with the carries folded back in, then
 *   folded down to 16 bits: 2^16 is 1 modulo 0xffff, so any grouping of
 *   the bytes into 16-, 32- or 64-bit words gives the same folded sum. The
 *   main loop (sum_blocks) adds 32-bit words into 64-bit lanes, where no
 *   carry is lost for 2^32 words (a packet has at most 16,384), two 16-byte
 *   vectors a step with SSE2 and four independent lanes without it, so no
 *   add waits for the previous one's carry; the carries are folded once at
 *   the end. This is 2-3 times the speed of a 64-bit add-with-carry chain
 *   on the payloads of the core benchmark (docs/performance.md).
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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

#ifdef __SSE2__
/* Sum of the 32-bit words of b[0..n & ~31) into `acc`; `*done` bytes. */
static uint64_t sum_blocks(const uint8_t *b, size_t n, uint64_t acc, size_t *done)
{
	__m128i z = _mm_setzero_si128(), a0 = z, a1 = z;
	uint64_t r[4];
	size_t i;

	for (i = 0; i + 32 <= n; i += 32) {
		__m128i x = _mm_loadu_si128((const void *)(b + i));
		__m128i y = _mm_loadu_si128((const void *)(b + i + 16));

		a0 = _mm_add_epi64(
			a0, _mm_add_epi64(_mm_unpacklo_epi32(x, z), _mm_unpackhi_epi32(x, z)));
		a1 = _mm_add_epi64(
			a1, _mm_add_epi64(_mm_unpacklo_epi32(y, z), _mm_unpackhi_epi32(y, z)));
	}
	_mm_storeu_si128((void *)r, a0);
	_mm_storeu_si128((void *)(r + 2), a1);
	*done = i;
	return add_carry(add_carry(add_carry(add_carry(acc, r[0]), r[1]), r[2]), r[3]);
}
#else
static uint64_t sum_blocks(const uint8_t *b, size_t n, uint64_t acc, size_t *done)
{
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	uint32_t w[4];
	size_t i;

	for (i = 0; i + 16 <= n; i += 16) {
		memcpy(w, b + i, 16);
		s0 += w[0];
		s1 += w[1];
		s2 += w[2];
		s3 += w[3];
	}
	*done = i;
	return add_carry(add_carry(add_carry(add_carry(acc, s0), s1), s2), s3);
}
#endif

/* One's-complement sum of b[0..n), added to `acc` (not folded). */
static uint64_t sum_bytes(const uint8_t *b, size_t n, uint64_t acc)
{
	uint64_t w8;
	uint32_t w4;
	uint16_t w2;
	size_t done;

	acc = sum_blocks(b, n, acc, &done);
	b += done;
	n -= done;
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

uint16_t decode_inet_sum(const uint8_t *b, size_t n)
{
	return fold(sum_bytes(b, n, 0));
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
