/*
 * test_decode_csum.c - IPv4 header and transport checksum validation on
 * frames from the capture writer (which writes correct checksums): good
 * checksums pass, one flipped byte fails, for TCP/UDP/ICMP over IPv4 and
 * TCP/UDP/ICMPv6 over IPv6, with odd payload lengths, UDP without a
 * checksum, and Ethernet padding after the datagram; and the word-wide
 * sum (decode_inet_sum) against the plain 16-bit sum of RFC 1071 on random
 * data of every length up to 2,100 bytes at every alignment of 0-15.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "pcapgen.h"

#define V4_SRC "198.18.0.1"
#define V4_DST "198.19.0.2"
#define V6_SRC "2001:db8::1"
#define V6_DST "2001:db8::2"

struct frame {
	uint8_t b[2048];
	uint32_t n;
	struct packet p;
	struct decode_stats st;
};

static const uint8_t payload[80] =
	"GET /index.html HTTP/1.1\r\nHost: example.test\r\n\r\n0123456789";

/* Build one Ethernet frame of proto with `len` payload bytes. */
static void build(struct frame *f, bool v6, uint8_t proto, size_t len)
{
	struct pcapgen g = {.linktype = 1};
	struct pg_pkt pkt = {
		.src = v6 ? V6_SRC : V4_SRC,
		.dst = v6 ? V6_DST : V4_DST,
		.sport = 40000,
		.dport = 80,
		.proto = proto,
		.tcp_flags = 0x18,
		.seq = 1000,
		.ack = 2000,
		.icmp_type = v6 ? 128 : 8,
		.payload = payload,
		.len = len,
	};

	memset(f, 0, sizeof(*f));
	f->n = (uint32_t)pg_build(&g, &pkt, f->b, sizeof(f->b));
}

/* Decode the frame as it stands (after any corruption). */
static void decode(struct frame *f)
{
	cr_assert_eq(decode_frame(&f->p, 1, f->b, f->n, f->n, 0, 1, &f->st), 0);
}

/* Decode; false when the corruption made the frame undecodable. */
static bool decodes(struct frame *f)
{
	return decode_frame(&f->p, 1, f->b, f->n, f->n, 0, 1, &f->st) == 0 && f->p.l4;
}

static uint32_t l4_at(const struct frame *f)
{
	cr_assert_not_null(f->p.l4);
	return (uint32_t)(f->p.l4 - f->b);
}

Test(decode_csum, ipv4_header_good_and_corrupted)
{
	struct frame f;

	build(&f, false, IPPROTO_UDP, 10);
	decode(&f);
	cr_assert(decode_ipv4_csum_ok(&f.p));
	f.b[14 + 8] ^= 0x01; /* TTL */
	decode(&f);
	cr_assert_not(decode_ipv4_csum_ok(&f.p));
	cr_assert_eq(f.p.pub.ttl, 65);
}

Test(decode_csum, ipv4_header_with_options)
{
	static const uint8_t opts[8] = {0x94, 0x04, 0, 0, 1, 1, 1, 0}; /* router alert, NOPs, EOL */
	struct pcapgen g = {.linktype = 1};
	struct pg_pkt pkt = {.src = V4_SRC,
			     .dst = V4_DST,
			     .proto = IPPROTO_UDP,
			     .sport = 1,
			     .dport = 2,
			     .ip_options = opts,
			     .ip_options_len = sizeof(opts)};
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.n = (uint32_t)pg_build(&g, &pkt, f.b, sizeof(f.b));
	decode(&f);
	cr_assert(decode_ipv4_csum_ok(&f.p));
	cr_assert(decode_l4_csum_ok(&f.p));
	f.b[14 + 22] ^= 0x80; /* the router alert value */
	decode(&f);
	cr_assert_not(decode_ipv4_csum_ok(&f.p));
}

Test(decode_csum, ipv6_has_no_header_checksum)
{
	struct frame f;

	build(&f, true, IPPROTO_UDP, 4);
	decode(&f);
	f.b[14 + 7] ^= 0xff; /* hop limit */
	cr_assert(decode_ipv4_csum_ok(&f.p));
}

/* Good checksum passes; each single flipped byte in the transport part
 * (header or payload) fails. */
static void check_transport(bool v6, uint8_t proto, size_t len)
{
	struct frame f;
	uint32_t at, end, undecodable = 0;

	build(&f, v6, proto, len);
	decode(&f);
	cr_assert(decode_l4_csum_ok(&f.p), "proto %u v6 %d len %zu", proto, v6, len);
	at = l4_at(&f);
	end = at + f.p.l4_len;
	for (uint32_t i = at; i < end; i++) {
		f.b[i] ^= 0x5a;
		if (decodes(&f))
			cr_assert_not(decode_l4_csum_ok(&f.p), "proto %u len %zu byte %u", proto,
				      len, i - at);
		else
			undecodable++;
		f.b[i] ^= 0x5a;
	}
	/* Only the TCP data offset and the UDP length field can break the
	 * decoding itself. */
	cr_assert_leq(undecodable, proto == IPPROTO_UDP ? 2 : proto == IPPROTO_TCP ? 1 : 0);
	decode(&f);
	cr_assert(decode_l4_csum_ok(&f.p));
}

Test(decode_csum, tcp_udp_icmp_over_ipv4)
{
	check_transport(false, IPPROTO_TCP, 48);
	check_transport(false, IPPROTO_UDP, 48);
	check_transport(false, IPPROTO_ICMP, 48);
}

Test(decode_csum, tcp_udp_icmpv6_over_ipv6)
{
	check_transport(true, IPPROTO_TCP, 48);
	check_transport(true, IPPROTO_UDP, 48);
	check_transport(true, IPPROTO_ICMPV6, 48);
}

Test(decode_csum, odd_and_empty_payloads)
{
	static const size_t lens[] = {0, 1, 3, 5, 7, 9, 31, 33, 65, 79};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		check_transport(false, IPPROTO_TCP, lens[i]);
		check_transport(false, IPPROTO_UDP, lens[i]);
		check_transport(false, IPPROTO_ICMP, lens[i]);
		check_transport(true, IPPROTO_TCP, lens[i]);
		check_transport(true, IPPROTO_UDP, lens[i]);
		check_transport(true, IPPROTO_ICMPV6, lens[i]);
	}
}

Test(decode_csum, pseudo_header_covers_addresses)
{
	struct frame f;

	/* TCP and UDP over IPv4 and ICMPv6 cover the addresses... */
	build(&f, false, IPPROTO_UDP, 12);
	f.b[14 + 15] ^= 0x01; /* last byte of the source address */
	decode(&f);
	cr_assert_not(decode_l4_csum_ok(&f.p));
	build(&f, false, IPPROTO_TCP, 12);
	f.b[14 + 19] ^= 0x01; /* last byte of the destination address */
	decode(&f);
	cr_assert_not(decode_l4_csum_ok(&f.p));
	build(&f, true, IPPROTO_ICMPV6, 12);
	f.b[14 + 23] ^= 0x01;
	decode(&f);
	cr_assert_not(decode_l4_csum_ok(&f.p));
	/* ...ICMPv4 has no pseudo-header. */
	build(&f, false, IPPROTO_ICMP, 12);
	f.b[14 + 15] ^= 0x01;
	decode(&f);
	cr_assert(decode_l4_csum_ok(&f.p));
	cr_assert_not(decode_ipv4_csum_ok(&f.p));
}

Test(decode_csum, udp_zero_checksum_ipv4_vs_ipv6)
{
	struct frame f;
	uint32_t at;

	build(&f, false, IPPROTO_UDP, 20);
	decode(&f);
	at = l4_at(&f);
	f.b[at + 6] = f.b[at + 7] = 0;
	decode(&f);
	cr_assert(decode_l4_csum_ok(&f.p));
	f.b[at + 8] ^= 0xff; /* payload changes do not matter without a checksum */
	decode(&f);
	cr_assert(decode_l4_csum_ok(&f.p));

	build(&f, true, IPPROTO_UDP, 20);
	decode(&f);
	at = l4_at(&f);
	f.b[at + 6] = f.b[at + 7] = 0;
	decode(&f);
	cr_assert_not(decode_l4_csum_ok(&f.p));
}

Test(decode_csum, ethernet_padding_not_included)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};

	for (size_t i = 0; i < sizeof(protos); i++) {
		struct frame f;

		build(&f, false, protos[i], 1);
		cr_assert_lt(f.n, 60);
		memset(f.b + f.n, 0xab, 60 - f.n); /* trailer bytes that are not zero */
		f.n = 60;
		decode(&f);
		cr_assert_eq(f.p.pub.payload_len, 1);
		cr_assert(decode_l4_csum_ok(&f.p), "proto %u", protos[i]);
		cr_assert(decode_ipv4_csum_ok(&f.p));
	}
}

Test(decode_csum, udp_length_shorter_than_ip_payload)
{
	struct frame f;
	uint32_t at;

	/* A UDP length of 8 + 4 inside a 20-byte IP payload: the checksum
	 * covers the 12 bytes the UDP length names. */
	build(&f, false, IPPROTO_UDP, 4);
	decode(&f);
	at = l4_at(&f);
	memset(f.b + f.n, 0x11, 8);
	f.n += 8;
	f.b[14 + 3] = (uint8_t)(f.b[14 + 3] + 8); /* IPv4 total length + 8 */
	decode(&f);
	cr_assert_eq(f.p.l4_len, 12);
	cr_assert_eq(f.p.last_event, EV_UDP_HLEN_INVALID);
	cr_assert(decode_l4_csum_ok(&f.p));
	f.b[at + 11] ^= 1;
	decode(&f);
	cr_assert_not(decode_l4_csum_ok(&f.p));
}

Test(decode_csum, packets_without_transport_are_ok)
{
	struct frame f;

	build(&f, false, IPPROTO_UDP, 16);
	f.b[14 + 6] = 0x20; /* MF: a first fragment, not decoded past IP */
	decode(&f);
	cr_assert(f.p.is_fragment);
	cr_assert_null(f.p.l4);
	cr_assert(decode_l4_csum_ok(&f.p));
	build(&f, false, 99, 16); /* another protocol: not checked */
	decode(&f);
	cr_assert(decode_l4_csum_ok(&f.p));
}

/* RFC 1071 as written: 16-bit network-order words, end-around carry at
 * every step, an odd last byte padded with zero. */
static uint16_t simple_sum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < n; i += 2) {
		sum += (uint32_t)b[i] << 8 | (i + 1 < n ? b[i + 1] : 0);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)sum;
}

Test(decode_csum, wide_sum_same_as_simple_sum_at_every_length_and_alignment)
{
	static uint8_t buf[2200];
	unsigned seed = 12;

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(buf);
		     i++) /* round 1: all ones, the carry-heavy case */
			buf[i] = round == 1 ? 0xff : (uint8_t)rand_r(&seed);
		for (size_t off = 0; off < 16; off++)
			for (size_t n = 0; n <= 2100; n++)
				cr_assert_eq(decode_inet_sum(buf + off, n),
					     htons(simple_sum(buf + off, n)),
					     "round %d, offset %zu, length %zu", round, off, n);
	}
}

/* Random payloads of random lengths: the right checksum passes, any one
 * flipped byte of the transport header or payload fails. */
Test(decode_csum, random_payloads_good_and_flipped)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP};
	uint8_t data[1400];
	unsigned seed = 7;
	struct frame f;

	for (int k = 0; k < 400; k++) {
		size_t len = (size_t)rand_r(&seed) % sizeof(data);
		uint8_t proto = protos[k % 2];
		bool v6 = k % 4 >= 2;
		struct pcapgen g = {.linktype = 1};
		struct pg_pkt pkt = {.src = v6 ? V6_SRC : V4_SRC,
				     .dst = v6 ? V6_DST : V4_DST,
				     .sport = 40000,
				     .dport = 80,
				     .proto = proto,
				     .tcp_flags = 0x18,
				     .payload = data,
				     .len = len};

		for (size_t i = 0; i < len; i++)
			data[i] = (uint8_t)rand_r(&seed);
		memset(&f, 0, sizeof(f));
		f.n = (uint32_t)pg_build(&g, &pkt, f.b, sizeof(f.b));
		decode(&f);
		cr_assert(decode_l4_csum_ok(&f.p), "k %d, length %zu", k, len);
		if (len == 0)
			continue;
		f.b[f.n - 1 - (size_t)rand_r(&seed) % len] ^= 0x5a;
		decode(&f);
		cr_assert_not(decode_l4_csum_ok(&f.p), "k %d, length %zu, flipped", k, len);
	}
}
