/*
 * test_dispatch_pick.c - the reader's choice of worker: both directions of
 * a flow on one worker, flows of one host pair spread, every fragment of a
 * datagram with its flow (in order and out of order, IPv4 and IPv6), VLAN
 * tags and link types seen through, and frames cut at every length read
 * without going past them.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/dispatch_pick.h"

static struct pick_state *ps;

static void setup(void)
{
	ps = calloc(1, sizeof(*ps));
	cr_assert_not_null(ps);
}

static void teardown(void)
{
	free(ps);
}

TestSuite(dispatch_pick, .init = setup, .fini = teardown);

static const uint8_t host_a[4] = {198, 18, 0, 1}, host_b[4] = {198, 19, 0, 53};

/* Ethernet + IPv4 + the first 8 bytes of a UDP header; `frag` is the
 * flags/offset field. Returns the frame's length. */
static size_t udp4(uint8_t *f, const uint8_t *src, const uint8_t *dst, uint16_t sport,
		   uint16_t dport, uint16_t id, uint16_t frag)
{
	memset(f, 0, 64);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 4] = (uint8_t)(id >> 8), f[14 + 5] = (uint8_t)id;
	f[14 + 6] = (uint8_t)(frag >> 8), f[14 + 7] = (uint8_t)frag;
	f[14 + 9] = 17;
	memcpy(f + 14 + 12, src, 4);
	memcpy(f + 14 + 16, dst, 4);
	f[34] = (uint8_t)(sport >> 8), f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8), f[37] = (uint8_t)dport;
	return 42;
}

static unsigned pick(const uint8_t *f, size_t len, unsigned n)
{
	return dispatch_pick(ps, 1, f, (uint32_t)len, n);
}

Test(dispatch_pick, both_directions_one_worker_and_host_pairs_spread)
{
	uint8_t f[64];
	unsigned seen[4] = {0};

	for (uint16_t p = 0; p < 400; p++) {
		size_t n = udp4(f, host_a, host_b, (uint16_t)(30000 + p), 53, 0, 0);
		unsigned w = pick(f, n, 4);

		udp4(f, host_b, host_a, 53, (uint16_t)(30000 + p), 0, 0);
		cr_assert_eq(pick(f, n, 4), w, "port %u", 30000 + p);
		cr_assert_lt(w, 4);
		seen[w]++;
	}
	for (int w = 0; w < 4; w++)
		cr_assert_gt(seen[w], 60, "worker %d has %u of 400 flows", w, seen[w]);
}

Test(dispatch_pick, fragments_follow_their_flow)
{
	uint8_t f[64];

	for (uint16_t p = 0; p < 200; p++) {
		size_t n = udp4(f, host_a, host_b, (uint16_t)(40000 + p), 53, 0, 0);
		unsigned w = pick(f, n, 4);

		/* in order: first fragment (MF, offset 0), then the last */
		udp4(f, host_a, host_b, (uint16_t)(40000 + p), 53, p, 0x2000);
		cr_assert_eq(pick(f, n, 4), w);
		udp4(f, host_a, host_b, 0x1111, 0x2222, p, 185);
		cr_assert_eq(pick(f, n, 4), w, "the last fragment, port %u", 40000 + p);
	}
}

Test(dispatch_pick, out_of_order_fragments_stay_together)
{
	uint8_t f[64];

	for (uint16_t id = 1; id < 200; id++) {
		size_t n = udp4(f, host_a, host_b, 0x1111, 0x2222, id, 185);
		unsigned w = pick(f, n, 4);

		udp4(f, host_a, host_b, (uint16_t)(1000 + id), 53, id, 0x2000);
		cr_assert_eq(pick(f, n, 4), w, "id %u", id);
	}
}

/* Ethernet + IPv6 + a fragment header + 4 bytes of UDP. */
static size_t udp6_frag(uint8_t *f, uint16_t sport, uint16_t dport, uint32_t id, uint16_t off,
			bool reverse)
{
	memset(f, 0, 128);
	f[12] = 0x86, f[13] = 0xdd;
	f[14] = 0x60;
	f[14 + 6] = 44;
	f[14 + 8] = 0x20, f[14 + 9] = 0x01, f[14 + 10] = 0x0d, f[14 + 11] = 0xb8;
	f[14 + 24] = 0x20, f[14 + 25] = 0x01, f[14 + 26] = 0x0d, f[14 + 27] = 0xb8;
	f[14 + (reverse ? 39 : 23)] = 1;
	f[14 + (reverse ? 23 : 39)] = 2;
	f[54] = 17;
	f[56] = (uint8_t)(off >> 5), f[57] = (uint8_t)(off << 3 | 1);
	f[58] = (uint8_t)(id >> 24), f[61] = (uint8_t)id;
	f[62] = (uint8_t)(sport >> 8), f[63] = (uint8_t)sport;
	f[64] = (uint8_t)(dport >> 8), f[65] = (uint8_t)dport;
	return 70;
}

Test(dispatch_pick, ipv6_fragments_follow_their_flow)
{
	uint8_t f[128];

	for (uint16_t p = 0; p < 200; p++) {
		size_t n = udp6_frag(f, (uint16_t)(2000 + p), 53, p, 0, false);
		unsigned w = pick(f, n, 4);

		udp6_frag(f, 0x1111, 0x2222, p, 100, false);
		cr_assert_eq(pick(f, n, 4), w);
	}
}

Test(dispatch_pick, vlan_tags_and_raw_ip_see_the_same_flow)
{
	uint8_t f[64], tagged[72];
	size_t n = udp4(f, host_a, host_b, 5555, 53, 0, 0);
	unsigned w = pick(f, n, 4), spread = 0;

	memcpy(tagged, f, 12);
	tagged[12] = 0x81, tagged[13] = 0, tagged[14] = 0, tagged[15] = 7;
	tagged[16] = 0x88, tagged[17] = 0xa8, tagged[18] = 0, tagged[19] = 9;
	memcpy(tagged + 20, f + 12, n - 12);
	cr_assert_eq(pick(tagged, n + 8, 4), w);
	cr_assert_eq(dispatch_pick(ps, 101, f + 14, (uint32_t)n - 14, 4), w);
	cr_assert_eq(dispatch_pick(ps, 228, f + 14, (uint32_t)n - 14, 4), w);
	for (uint16_t p = 0; p < 64; p++) {
		udp4(f, host_a, host_b, p, 53, 0, 0);
		spread |= 1u << pick(f, n, 4);
	}
	cr_assert_eq(spread, 15u);
}

Test(dispatch_pick, not_ip_and_one_worker_go_to_worker_0)
{
	uint8_t f[64];
	size_t n = udp4(f, host_a, host_b, 1, 2, 0, 0);

	cr_assert_eq(pick(f, n, 1), 0);
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	cr_assert_eq(pick(f, n, 4), 0);
	cr_assert_eq(dispatch_pick(ps, 147, f, (uint32_t)n, 4), 0);
}

Test(dispatch_pick, cut_frames_are_read_within_their_length)
{
	uint8_t f[128];
	size_t n = udp6_frag(f, 1, 2, 3, 0, false);

	/* Each cut copy lives in a buffer of exactly its length, so ASan
	 * catches any read past it. */
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);

		memcpy(c, f, cut);
		cr_assert_lt(pick(c, cut, 4), 4);
		free(c);
	}
	n = udp4(f, host_a, host_b, 1, 2, 0, 0);
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);

		memcpy(c, f, cut);
		cr_assert_lt(pick(c, cut, 4), 4);
		free(c);
	}
}
