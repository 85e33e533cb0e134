/*
 * test_hostile.c - malformed packets are counted decoder events, never a
 * crash and never the end of processing: every truncation of valid frames,
 * corrupted header fields, then a good packet whose alert must still come.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "hostile");
	itest_rules(&t, "rules:\n  - {id: 1, msg: survivor, patterns: [{content: SURVIVOR}]}\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(hostile, .init = begin, .fini = end);

static void survivor(void)
{
	pg_udp(&t.gen, "198.18.0.1", 9, "198.18.0.2", 9, "SURVIVOR", 8);
}

static int64_t stats_int(const char *path)
{
	char full[256];

	snprintf(full, sizeof(full), "stats.%s", path);
	return jr_int(eve_find(&t.eve, "event_type=stats", 0), full, -1);
}

/* Every prefix of `frame` shorter than the whole. */
static size_t write_truncations(const uint8_t *frame, size_t n)
{
	for (size_t len = 0; len < n; len++)
		pg_write(&t.gen, frame, len);
	return n;
}

Test(hostile, every_truncation_is_an_invalid_packet)
{
	static const uint8_t opts[4] = {1, 1, 1, 0}; /* NOP NOP NOP EOL */
	struct pg_pkt pkts[] = {
		{.src = "198.18.0.1",
		 .dst = "198.18.0.2",
		 .sport = 1,
		 .dport = 2,
		 .proto = IPPROTO_TCP,
		 .tcp_flags = 0x18,
		 .payload = "tcp data",
		 .len = 8,
		 .ip_options = opts,
		 .ip_options_len = 4},
		{.src = "198.18.0.1",
		 .dst = "198.18.0.2",
		 .sport = 1,
		 .dport = 2,
		 .proto = IPPROTO_UDP,
		 .payload = "udp",
		 .len = 3,
		 .n_vlan = 2,
		 .vlan = {5, 6},
		 .vlan_outer_tpid = 0x88a8},
		{.src = "2001:db8::1",
		 .dst = "2001:db8::2",
		 .sport = 1,
		 .dport = 2,
		 .proto = IPPROTO_TCP,
		 .tcp_flags = 0x02},
		{.src = "2001:db8::1",
		 .dst = "2001:db8::2",
		 .proto = IPPROTO_ICMPV6,
		 .icmp_type = 128,
		 .payload = "ping",
		 .len = 4},
		{.src = "198.18.0.1", .dst = "198.18.0.2", .proto = IPPROTO_ICMP, .icmp_type = 8},
	};
	uint8_t frame[2048];
	size_t frames = 0;

	itest_capture(&t, 1);
	for (size_t i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++)
		frames +=
			write_truncations(frame, pg_build(&t.gen, &pkts[i], frame, sizeof(frame)));
	survivor();
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(stats_int("decoder.pkts"), (int64_t)frames + 1);
	cr_expect_eq(stats_int("decoder.invalid"), (int64_t)frames);
	/* Below 14 bytes for each of the 5 frames; inside the two VLAN tags;
	 * below the 20/40-byte IP headers; then short of the IP length. */
	cr_expect_eq(stats_int("decoder.event.ethernet.pkt_too_small"), 5 * 14);
	cr_expect_eq(stats_int("decoder.event.vlan.header_too_small"), 8);
	cr_expect_eq(stats_int("decoder.event.ipv4.pkt_too_small"), 3 * 20);
	cr_expect_eq(stats_int("decoder.event.ipv4.trunc_pkt"), 51);
	cr_expect_eq(stats_int("decoder.event.ipv6.pkt_too_small"), 2 * 40);
	cr_expect_eq(stats_int("decoder.event.ipv6.trunc_pkt"), 32);
	cr_expect_eq(stats_int("decoder.event.tcp.pkt_too_small"), 0);
}

/* Build a valid IPv4 UDP frame, let `mutate` break it, write it. */
static void write_mutated(void (*mutate)(uint8_t *frame, size_t *len))
{
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.18.0.2",
			   .sport = 1,
			   .dport = 2,
			   .proto = IPPROTO_UDP,
			   .payload = "SURVIVOR?",
			   .len = 9};
	uint8_t frame[2048];
	size_t n = pg_build(&t.gen, &p, frame, sizeof(frame));

	mutate(frame, &n);
	pg_write(&t.gen, frame, n);
}

static void ihl_too_small(uint8_t *f, size_t *n)
{
	f[14] = 0x44;
}

static void total_below_header(uint8_t *f, size_t *n)
{
	f[16] = 0;
	f[17] = 19;
}

static void udp_len_too_small(uint8_t *f, size_t *n)
{
	f[38] = 0;
	f[39] = 4;
}

static void ip_version_6_in_ipv4(uint8_t *f, size_t *n)
{
	f[14] = 0x65;
}

static void option_length_past_header(uint8_t *f, size_t *n)
{
	/* Make room for a 4-byte option whose length byte says 40. */
	memmove(f + 38, f + 34, *n - 34);
	f[14] = 0x46;
	f[17] = (uint8_t)(f[17] + 4);
	f[34] = 0x44, f[35] = 40, f[36] = 5, f[37] = 0;
	*n += 4;
}

Test(hostile, corrupted_headers_are_counted_by_kind)
{
	itest_capture(&t, 1);
	write_mutated(ihl_too_small);
	write_mutated(total_below_header);
	write_mutated(udp_len_too_small);
	write_mutated(ip_version_6_in_ipv4);
	write_mutated(option_length_past_header);
	survivor();
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(stats_int("decoder.invalid"), 5);
	cr_expect_eq(stats_int("decoder.event.ipv4.hlen_too_small"), 1);
	cr_expect_eq(stats_int("decoder.event.ipv4.iplen_smaller_than_hlen"), 1);
	cr_expect_eq(stats_int("decoder.event.udp.len_invalid"), 1);
	cr_expect_eq(stats_int("decoder.event.ipv4.wrong_ip_version"), 1);
	cr_expect_eq(stats_int("decoder.event.ipv4.opt_invalid_len"), 1);
}

Test(hostile, three_vlan_tags_and_unknown_link_type)
{
	uint8_t frame[64] = {0};

	itest_capture(&t, 1);
	/* dst/src MAC, then 0x8100 three times, then IPv4 */
	for (int i = 0; i < 3; i++) {
		frame[12 + 4 * i] = 0x81;
		frame[15 + 4 * i] = (uint8_t)(i + 1);
	}
	frame[24] = 0x08;
	frame[26] = 0x45;
	pg_write(&t.gen, frame, sizeof(frame));
	survivor();
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(stats_int("decoder.event.vlan.too_many_layers"), 1);
}

Test(hostile, garbage_frames)
{
	uint8_t frame[256];
	uint32_t x = 2463534242u;

	itest_capture(&t, 1);
	for (int i = 0; i < 2000; i++) {
		size_t n = x % sizeof(frame);

		for (size_t j = 0; j < n; j++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			frame[j] = (uint8_t)x;
		}
		if (n > 14 && i % 2) {
			frame[12] = 0x08, frame[13] = 0; /* IPv4 */
			frame[14] = (uint8_t)(0x45 + (x & 3));
		}
		pg_write(&t.gen, frame, n);
	}
	survivor();
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(stats_int("decoder.pkts"), 2001);
}
