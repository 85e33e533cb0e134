/*
 * test_decode.c - the frame decoders on frames built by hand: every link
 * type, VLAN tags, IPv4 options, IPv6 extension headers, TCP, UDP, ICMP,
 * fragments, Ethernet padding, every decoder event, and every truncation
 * of several valid frames (each copied into a buffer of exactly that size
 * so that ASan catches a read past the end).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

/* ------------------------------------------------------- frame building */

struct fb {
	uint8_t b[512];
	uint32_t n;
};

static void put8(struct fb *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static void put16(struct fb *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void put32(struct fb *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void put_bytes(struct fb *f, const void *b, size_t n)
{
	if (n == 0)
		return;
	memcpy(f->b + f->n, b, n);
	f->n += (uint32_t)n;
}

static void set16(struct fb *f, uint32_t at, uint16_t v)
{
	f->b[at] = (uint8_t)(v >> 8);
	f->b[at + 1] = (uint8_t)v;
}

static void eth(struct fb *f, uint16_t type)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

	put_bytes(f, macs, sizeof(macs));
	put16(f, type);
}

static void vlan(struct fb *f, uint16_t tci, uint16_t next)
{
	put16(f, tci);
	put16(f, next);
}

static const uint8_t v4_src[4] = {198, 18, 0, 1};
static const uint8_t v4_dst[4] = {198, 19, 0, 2};
static const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* IPv4 header with `opts`; the total length is fixed by ipv4_end. */
static uint32_t ipv4(struct fb *f, uint8_t proto, uint16_t frag, const uint8_t *opts,
		     uint32_t optlen)
{
	uint32_t at = f->n;

	put8(f, (uint8_t)(0x40 | (5 + optlen / 4)));
	put8(f, 0);
	put16(f, 0);
	put16(f, 0x1234); /* id */
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put_bytes(f, v4_src, 4);
	put_bytes(f, v4_dst, 4);
	put_bytes(f, opts, optlen);
	return at;
}

static void ipv4_end(struct fb *f, uint32_t at)
{
	set16(f, at + 2, (uint16_t)(f->n - at));
}

static uint32_t ipv6(struct fb *f, uint8_t nh)
{
	uint32_t at = f->n;

	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, nh);
	put8(f, 55);
	put_bytes(f, v6_src, 16);
	put_bytes(f, v6_dst, 16);
	return at;
}

static void ipv6_end(struct fb *f, uint32_t at)
{
	set16(f, at + 4, (uint16_t)(f->n - at - 40));
}

/* Hop-by-hop, routing or destination options header of (len8 + 1) * 8 bytes. */
static void ext6(struct fb *f, uint8_t nh, uint8_t len8)
{
	put8(f, nh);
	put8(f, len8);
	for (unsigned i = 2; i < (len8 + 1u) * 8; i++)
		put8(f, i == 2 ? 1 : 0); /* PadN-ish filler */
}

static void ah6(struct fb *f, uint8_t nh)
{
	put8(f, nh);
	put8(f, 4); /* (4 + 2) * 4 = 24 bytes */
	for (unsigned i = 2; i < 24; i++)
		put8(f, 0);
}

static void frag6(struct fb *f, uint8_t nh, uint16_t offset, bool more, uint32_t id)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, (uint16_t)(offset | (more ? 1 : 0)));
	put32(f, id);
}

static uint32_t tcp(struct fb *f, uint8_t flags, const uint8_t *opts, uint32_t optlen)
{
	uint32_t at = f->n;

	put16(f, 40000);
	put16(f, 80);
	put32(f, 0x01020304);
	put32(f, 0xa0b0c0d0);
	put8(f, (uint8_t)((5 + optlen / 4) << 4));
	put8(f, flags);
	put16(f, 29200);
	put16(f, 0);
	put16(f, 0);
	put_bytes(f, opts, optlen);
	return at;
}

static uint32_t udp(struct fb *f, uint16_t sp, uint16_t dp)
{
	uint32_t at = f->n;

	put16(f, sp);
	put16(f, dp);
	put16(f, 0);
	put16(f, 0);
	return at;
}

static void udp_end(struct fb *f, uint32_t at)
{
	set16(f, at + 4, (uint16_t)(f->n - at));
}

static void icmp(struct fb *f, uint8_t type, uint8_t code)
{
	put8(f, type);
	put8(f, code);
	put16(f, 0);
	put32(f, 0x00010002);
}

static const char http[] = "GET / HTTP/1.0\r\n\r\n";
#define HTTP_LEN 18

/* MSS, NOP, window scale, SACK permitted, timestamps: 20 bytes. */
static const uint8_t tcp_opts[20] = {2, 4,  0x05, 0xb4, 1, 3, 3, 7, 4, 2,
				     8, 10, 0,	  0,	0, 1, 0, 0, 0, 0};

/* Ethernet / IPv4 / TCP with options / 18 bytes of payload: 92 bytes. */
static void frame_eth_tcp(struct fb *f)
{
	uint32_t ip;

	eth(f, 0x0800);
	ip = ipv4(f, 6, 0x4000, NULL, 0);
	tcp(f, IDS_TCP_PSH | IDS_TCP_ACK, tcp_opts, sizeof(tcp_opts));
	put_bytes(f, http, HTTP_LEN);
	ipv4_end(f, ip);
}

/* ------------------------------------------------------------- decoding */

static struct decode_stats st;
static struct packet pkt;

static int dec(int linktype, const struct fb *f)
{
	memset(&st, 0, sizeof(st));
	return decode_frame(&pkt, linktype, f->b, f->n, f->n + 4, 1234567, 9, &st);
}

/* The frame was dropped with exactly one event, `ev`. */
static void expect_drop(int rc, enum decode_event ev)
{
	cr_assert_eq(rc, -1);
	cr_assert_eq(pkt.last_event, (int)ev, "last_event %d (%s), want %s", pkt.last_event,
		     pkt.last_event >= 0 ? decode_event_name(pkt.last_event) : "none",
		     decode_event_name(ev));
	cr_assert_eq(st.events[ev], 1);
	cr_assert_eq(st.invalid, 1);
	for (int i = 0; i < EV_MAX; i++)
		if (i != (int)ev)
			cr_assert_eq(st.events[i], 0);
}

static void expect_ok(int rc)
{
	cr_assert_eq(rc, 0, "dropped: %s",
		     pkt.last_event >= 0 ? decode_event_name(pkt.last_event) : "no event");
	cr_assert_eq(st.invalid, 0);
}

static void expect_v4_addrs(void)
{
	cr_assert_eq(pkt.pub.ip_version, 4);
	cr_assert_eq(pkt.pub.src.family, 4);
	cr_assert_eq(pkt.pub.dst.family, 4);
	cr_assert_eq(memcmp(pkt.pub.src.bytes, v4_src, 4), 0);
	cr_assert_eq(memcmp(pkt.pub.dst.bytes, v4_dst, 4), 0);
	for (int i = 4; i < 16; i++)
		cr_assert_eq(pkt.pub.src.bytes[i] | pkt.pub.dst.bytes[i], 0);
}

static void expect_v6_addrs(void)
{
	cr_assert_eq(pkt.pub.ip_version, 6);
	cr_assert_eq(pkt.pub.src.family, 6);
	cr_assert_eq(memcmp(pkt.pub.src.bytes, v6_src, 16), 0);
	cr_assert_eq(memcmp(pkt.pub.dst.bytes, v6_dst, 16), 0);
}

/* ----------------------------------------------------------- link types */

Test(decode, ethernet_ipv4_tcp_with_options)
{
	struct fb f = {.n = 0};

	frame_eth_tcp(&f);
	cr_assert_eq(f.n, 92);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.last_event, -1);
	cr_assert_eq(pkt.pub.frame, f.b);
	cr_assert_eq(pkt.pub.caplen, 92);
	cr_assert_eq(pkt.pub.wirelen, 96);
	cr_assert_eq(pkt.pub.ts_usec, 1234567);
	cr_assert_eq(pkt.pub.pcap_cnt, 9);
	cr_assert_eq(pkt.pub.l3, f.b + 14);
	cr_assert_eq(pkt.pub.l3_len, 78);
	expect_v4_addrs();
	cr_assert_eq(pkt.pub.proto, 6);
	cr_assert_eq(pkt.pub.ttl, 64);
	cr_assert_eq(pkt.pub.sport, 40000);
	cr_assert_eq(pkt.pub.dport, 80);
	cr_assert_eq(pkt.pub.tcp_seq, 0x01020304);
	cr_assert_eq(pkt.pub.tcp_ack, 0xa0b0c0d0);
	cr_assert_eq(pkt.pub.tcp_win, 29200);
	cr_assert_eq(pkt.pub.tcp_flags, IDS_TCP_PSH | IDS_TCP_ACK);
	cr_assert_eq(pkt.pub.payload, f.b + 74);
	cr_assert_eq(pkt.pub.payload_len, HTTP_LEN);
	cr_assert_eq(memcmp(pkt.pub.payload, http, HTTP_LEN), 0);
	cr_assert_eq(pkt.l4, f.b + 34);
	cr_assert_eq(pkt.l4_len, 58);
	cr_assert_not(pkt.is_fragment);
	cr_assert_eq(pkt.pub.vlan_count, 0);
	cr_assert_eq(pkt.pub.flow_id, 0);
	cr_assert_eq(st.pkts, 1);
	cr_assert_eq(st.bytes, 92);
	cr_assert_eq(st.ethernet, 1);
	cr_assert_eq(st.ipv4, 1);
	cr_assert_eq(st.tcp, 1);
	cr_assert_eq(st.udp + st.icmpv4 + st.other_ip + st.ipv6 + st.vlan, 0);
}

Test(decode, vlan_tag)
{
	struct fb f = {.n = 0};
	uint32_t ip, u;

	eth(&f, 0x8100);
	vlan(&f, 0xe064, 0x0800); /* priority 7, id 100 */
	ip = ipv4(&f, 17, 0, NULL, 0);
	u = udp(&f, 5353, 53);
	put_bytes(&f, "abc", 3);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.vlan_count, 1);
	cr_assert_eq(pkt.pub.vlan[0], 100);
	cr_assert_eq(pkt.pub.l3, f.b + 18);
	cr_assert_eq(pkt.pub.payload_len, 3);
	cr_assert_eq(st.vlan, 1);
	cr_assert_eq(st.vlan_qinq, 0);
	cr_assert_eq(st.udp, 1);
}

static void qinq(uint16_t outer)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, outer);
	vlan(&f, 0x100a, 0x8100); /* id 10 */
	vlan(&f, 0x0014, 0x86dd); /* id 20 */
	ip = ipv6(&f, 59);
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.vlan_count, 2);
	cr_assert_eq(pkt.pub.vlan[0], 10);
	cr_assert_eq(pkt.pub.vlan[1], 20);
	cr_assert_eq(pkt.pub.l3, f.b + 22);
	cr_assert_eq(pkt.pub.proto, 59);
	cr_assert_eq(st.vlan, 1);
	cr_assert_eq(st.vlan_qinq, 1);
	cr_assert_eq(st.ipv6, 1);
	cr_assert_eq(st.other_ip, 1);
}

Test(decode, qinq_88a8)
{
	qinq(0x88a8);
}

Test(decode, qinq_9100)
{
	qinq(0x9100);
}

Test(decode, three_vlan_tags_too_many)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x88a8);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x8100);
	vlan(&f, 3, 0x0800);
	ip = ipv4(&f, 99, 0, NULL, 0);
	ipv4_end(&f, ip);
	expect_drop(dec(LINK_ETHERNET, &f), EV_VLAN_TOO_MANY_LAYERS);
	cr_assert_eq(st.pkts, 1);
	cr_assert_eq(st.ipv4, 0);
}

Test(decode, vlan_header_too_small)
{
	struct fb f = {.n = 0};

	eth(&f, 0x8100);
	put16(&f, 5);
	expect_drop(dec(LINK_ETHERNET, &f), EV_VLAN_HEADER_TOO_SMALL);
}

Test(decode, ethernet_too_small)
{
	struct fb f = {.n = 0};

	put_bytes(&f, "0123456789abc", 13);
	expect_drop(dec(LINK_ETHERNET, &f), EV_ETH_PKT_TOO_SMALL);
	cr_assert_eq(st.ethernet, 1);
}

Test(decode, arp_is_not_invalid)
{
	struct fb f = {.n = 0};

	eth(&f, 0x0806);
	for (int i = 0; i < 28; i++)
		put8(&f, (uint8_t)i);
	cr_assert_eq(dec(LINK_ETHERNET, &f), -1);
	cr_assert_eq(pkt.last_event, -1);
	cr_assert_eq(st.invalid, 0);
	cr_assert_eq(st.pkts, 1);
	cr_assert_eq(st.bytes, 42);
	cr_assert_eq(st.ethernet, 1);
	for (int i = 0; i < EV_MAX; i++)
		cr_assert_eq(st.events[i], 0);
}

Test(decode, sll_ipv4_udp)
{
	struct fb f = {.n = 0};
	uint32_t ip, u;

	put16(&f, 0); /* packet type */
	put16(&f, 1); /* ARPHRD_ETHER */
	put16(&f, 6); /* address length */
	put32(&f, 0x02000000);
	put32(&f, 0x00010000);
	put16(&f, 0x0800); /* protocol */
	ip = ipv4(&f, 17, 0, NULL, 0);
	u = udp(&f, 1024, 53);
	put_bytes(&f, "query", 5);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_SLL, &f));
	cr_assert_eq(pkt.pub.l3, f.b + 16);
	expect_v4_addrs();
	cr_assert_eq(pkt.pub.sport, 1024);
	cr_assert_eq(pkt.pub.dport, 53);
	cr_assert_eq(pkt.pub.payload_len, 5);
	cr_assert_eq(st.sll, 1);
	cr_assert_eq(st.udp, 1);
}

Test(decode, sll_vlan_tag)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	for (int i = 0; i < 14; i++)
		put8(&f, 0);
	put16(&f, 0x8100);
	vlan(&f, 42, 0x0800);
	ip = ipv4(&f, 99, 0, NULL, 0);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_SLL, &f));
	cr_assert_eq(pkt.pub.vlan_count, 1);
	cr_assert_eq(pkt.pub.vlan[0], 42);
}

Test(decode, sll_too_small)
{
	struct fb f = {.n = 15};

	expect_drop(dec(LINK_SLL, &f), EV_SLL_PKT_TOO_SMALL);
	cr_assert_eq(st.sll, 1);
}

Test(decode, sll2_ipv6_icmpv6)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	put16(&f, 0x86dd); /* protocol */
	put16(&f, 0);
	put32(&f, 2); /* interface index */
	put16(&f, 1);
	put8(&f, 0);
	put8(&f, 6);
	put32(&f, 0x02000000);
	put32(&f, 0x00010000);
	ip = ipv6(&f, 58);
	icmp(&f, 128, 0);
	put_bytes(&f, "ping", 4);
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_SLL2, &f));
	cr_assert_eq(pkt.pub.l3, f.b + 20);
	cr_assert_eq(pkt.pub.l3_len, 52);
	expect_v6_addrs();
	cr_assert_eq(pkt.pub.ttl, 55);
	cr_assert_eq(pkt.pub.proto, 58);
	cr_assert_eq(pkt.pub.icmp_type, 128);
	cr_assert_eq(pkt.pub.icmp_code, 0);
	cr_assert_eq(pkt.pub.payload, f.b + 68);
	cr_assert_eq(pkt.pub.payload_len, 4);
	cr_assert_eq(pkt.pub.sport, 0);
	cr_assert_eq(st.sll2, 1);
	cr_assert_eq(st.icmpv6, 1);
}

Test(decode, sll2_too_small)
{
	struct fb f = {.n = 19};

	expect_drop(dec(LINK_SLL2, &f), EV_SLL2_PKT_TOO_SMALL);
}

Test(decode, raw_ip_versions)
{
	struct fb f4 = {.n = 0}, f6 = {.n = 0};
	uint32_t ip;

	ip = ipv4(&f4, 1, 0, NULL, 0);
	icmp(&f4, 8, 0);
	ipv4_end(&f4, ip);
	ip = ipv6(&f6, 17);
	udp(&f6, 1, 2);
	udp_end(&f6, ip + 40);
	ipv6_end(&f6, ip);

	expect_ok(dec(LINK_RAW, &f4));
	cr_assert_eq(pkt.pub.icmp_type, 8);
	cr_assert_eq(pkt.pub.payload_len, 0);
	cr_assert_eq(st.raw, 1);
	cr_assert_eq(st.icmpv4, 1);
	expect_ok(dec(LINK_RAW, &f6));
	cr_assert_eq(pkt.pub.ip_version, 6);
	cr_assert_eq(pkt.pub.dport, 2);
	cr_assert_eq(st.raw, 1);
	expect_ok(dec(LINK_IPV4, &f4));
	cr_assert_eq(pkt.pub.ip_version, 4);
	expect_ok(dec(LINK_IPV6, &f6));
	cr_assert_eq(pkt.pub.ip_version, 6);
	cr_assert_eq(st.raw, 1);

	expect_drop(dec(LINK_IPV4, &f6), EV_IPV4_WRONG_IP_VERSION);
	expect_drop(dec(LINK_IPV6, &f4), EV_IPV6_PKT_TOO_SMALL); /* 28 bytes */
	f4.b[0] = 0x55;
	expect_drop(dec(LINK_RAW, &f4), EV_IPV4_WRONG_IP_VERSION);
	f4.n = 0;
	expect_drop(dec(LINK_RAW, &f4), EV_IPV4_PKT_TOO_SMALL);
}

static void null_frame(struct fb *f, uint32_t family, bool v6)
{
	uint32_t ip;

	memcpy(f->b, &family, 4); /* host byte order */
	f->n = 4;
	if (v6) {
		ip = ipv6(f, 59);
		ipv6_end(f, ip);
	} else {
		ip = ipv4(f, 99, 0, NULL, 0);
		ipv4_end(f, ip);
	}
}

Test(decode, null_loopback)
{
	static const uint32_t v6_families[] = {24, 28, 30};
	struct fb f = {.n = 0};

	null_frame(&f, 2, false);
	expect_ok(dec(LINK_NULL, &f));
	cr_assert_eq(pkt.pub.ip_version, 4);
	cr_assert_eq(pkt.pub.l3, f.b + 4);
	for (int i = 0; i < 3; i++) {
		null_frame(&f, v6_families[i], true);
		expect_ok(dec(LINK_NULL, &f));
		cr_assert_eq(pkt.pub.ip_version, 6);
	}
	null_frame(&f, 7, false);
	cr_assert_eq(dec(LINK_NULL, &f), -1);
	cr_assert_eq(pkt.last_event, -1);
	cr_assert_eq(st.invalid, 0);
	f.n = 3;
	expect_drop(dec(LINK_NULL, &f), EV_NULL_PKT_TOO_SMALL);
}

Test(decode, unknown_link_type)
{
	struct fb f = {.n = 0};

	frame_eth_tcp(&f);
	expect_drop(dec(147, &f), EV_UNKNOWN_LINK_TYPE);
	cr_assert_eq(st.pkts, 1);
	cr_assert_eq(st.bytes, 92);
}

/* ----------------------------------------------------------------- IPv4 */

static int dec_ipv4_opts(const uint8_t *opts, uint32_t optlen)
{
	static struct fb f; /* static: pkt points into it after return */
	uint32_t ip;

	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 99, 0, opts, optlen);
	put_bytes(&f, "gre!", 4);
	ipv4_end(&f, ip);
	return dec(LINK_ETHERNET, &f);
}

Test(decode, ipv4_options_valid)
{
	/* NOP, record route (7 bytes), router alert (4), EOL then junk. */
	static const uint8_t opts[16] = {1,    7, 7, 4, 0, 0,	 0,    0,
					 0x94, 4, 0, 0, 0, 0xff, 0xff, 0xff};
	expect_ok(dec_ipv4_opts(opts, sizeof(opts)));
	cr_assert_eq(pkt.pub.proto, 99);
	cr_assert_eq(pkt.pub.payload, pkt.pub.l3 + 36);
	cr_assert_eq(pkt.pub.payload_len, 4);
	cr_assert_eq(memcmp(pkt.pub.payload, "gre!", 4), 0);
	cr_assert_eq(st.other_ip, 1);
	cr_assert_null(pkt.l4);
}

Test(decode, ipv4_option_length_too_small)
{
	static const uint8_t opts[4] = {1, 0x83, 1, 0};

	expect_drop(dec_ipv4_opts(opts, sizeof(opts)), EV_IPV4_OPT_INVALID_LEN);
}

Test(decode, ipv4_option_length_beyond_header)
{
	static const uint8_t opts[4] = {0x83, 7, 4, 0};

	expect_drop(dec_ipv4_opts(opts, sizeof(opts)), EV_IPV4_OPT_INVALID_LEN);
}

Test(decode, ipv4_option_without_length_byte)
{
	static const uint8_t opts[4] = {1, 1, 1, 0x44};

	expect_drop(dec_ipv4_opts(opts, sizeof(opts)), EV_IPV4_OPT_INVALID);
}

Test(decode, ipv4_header_checks)
{
	struct fb f = {.n = 0};

	frame_eth_tcp(&f);
	f.b[14] = 0x55;
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV4_WRONG_IP_VERSION);
	f.b[14] = 0x44;
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV4_HLEN_TOO_SMALL);
	f.b[14] = 0x45;
	set16(&f, 16, 19);
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
	set16(&f, 16, 79);
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV4_TRUNC_PKT);
	set16(&f, 16, 78);
	expect_ok(dec(LINK_ETHERNET, &f));
	f.b[14] = 0x4f; /* 60-byte header: options are the TCP header */
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV4_OPT_INVALID_LEN);
}

Test(decode, ethernet_padding_not_payload)
{
	struct fb f = {.n = 0};
	uint32_t ip, u;

	eth(&f, 0x0800);
	ip = ipv4(&f, 17, 0, NULL, 0);
	u = udp(&f, 1000, 2000);
	put_bytes(&f, "hi", 2);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	while (f.n < 60)
		put8(&f, 0xee);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.l3_len, 30);
	cr_assert_eq(pkt.pub.payload_len, 2);
	cr_assert_eq(pkt.l4_len, 10);
	cr_assert_eq(st.bytes, 60);

	/* TCP: the padding is not segment data either. */
	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 6, 0, NULL, 0);
	tcp(&f, IDS_TCP_SYN, NULL, 0);
	ipv4_end(&f, ip);
	while (f.n < 60)
		put8(&f, 0xee);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.payload_len, 0);
	cr_assert_eq(pkt.l4_len, 20);
}

Test(decode, ipv4_first_fragment)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 6, 0x2000, NULL, 0); /* MF, offset 0 */
	tcp(&f, IDS_TCP_ACK, NULL, 0);
	put_bytes(&f, "12345678", 8);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert(pkt.is_fragment);
	cr_assert(pkt.frag_more);
	cr_assert_eq(pkt.frag_offset, 0);
	cr_assert_eq(pkt.frag_id, 0x1234);
	cr_assert_null(pkt.l4);
	cr_assert_eq(pkt.pub.proto, 6);
	cr_assert_eq(pkt.pub.payload, f.b + 34);
	cr_assert_eq(pkt.pub.payload_len, 28);
	cr_assert_eq(pkt.pub.sport, 0);
	cr_assert_eq(pkt.pub.tcp_flags, 0);
	cr_assert_eq(st.frag_ipv4, 1);
	cr_assert_eq(st.tcp, 0);
}

Test(decode, ipv4_last_fragment)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 17, 185, NULL, 0); /* offset 1480, no MF */
	put_bytes(&f, "tail", 4);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert(pkt.is_fragment);
	cr_assert_not(pkt.frag_more);
	cr_assert_eq(pkt.frag_offset, 1480);
	cr_assert_eq(pkt.pub.payload_len, 4);
	cr_assert_eq(st.frag_ipv4, 1);
	cr_assert_eq(st.udp, 0);
}

/* ----------------------------------------------------------------- IPv6 */

Test(decode, ipv6_extension_headers)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 0);
	ext6(&f, 43, 0); /* hop-by-hop, 8 bytes */
	ext6(&f, 60, 1); /* routing, 16 bytes */
	ext6(&f, 51, 0); /* destination options, 8 bytes */
	ah6(&f, 6);	 /* AH, 24 bytes */
	tcp(&f, IDS_TCP_SYN, NULL, 0);
	put_bytes(&f, "x", 1);
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	expect_v6_addrs();
	cr_assert_eq(pkt.pub.proto, 6);
	cr_assert_eq(pkt.l4, f.b + 14 + 40 + 56);
	cr_assert_eq(pkt.pub.sport, 40000);
	cr_assert_eq(pkt.pub.tcp_flags, IDS_TCP_SYN);
	cr_assert_eq(pkt.pub.payload_len, 1);
	cr_assert_eq(pkt.pub.l3_len, 40 + 56 + 21);
	cr_assert_eq(st.ipv6, 1);
	cr_assert_eq(st.tcp, 1);
}

Test(decode, ipv6_esp_stops_the_walk)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 60);
	ext6(&f, 50, 0);
	put32(&f, 0x1000);
	put32(&f, 1);
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.proto, 50);
	cr_assert_eq(pkt.pub.payload, f.b + 62);
	cr_assert_eq(pkt.pub.payload_len, 8);
	cr_assert_eq(st.other_ip, 1);
}

Test(decode, ipv6_first_fragment)
{
	struct fb f = {.n = 0};
	uint32_t ip, u;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 44);
	frag6(&f, 17, 0, true, 0xdeadbeef);
	u = udp(&f, 1, 2);
	put_bytes(&f, "abcdefgh", 8);
	udp_end(&f, u);
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert(pkt.is_fragment);
	cr_assert(pkt.frag_more);
	cr_assert_eq(pkt.frag_offset, 0);
	cr_assert_eq(pkt.frag_id, 0xdeadbeef);
	cr_assert_eq(pkt.frag_next, 17);
	cr_assert_eq(pkt.pub.proto, 17);
	cr_assert_eq(pkt.pub.payload, f.b + 62);
	cr_assert_eq(pkt.pub.payload_len, 16);
	cr_assert_null(pkt.l4);
	cr_assert_eq(pkt.pub.sport, 0);
	cr_assert_eq(st.frag_ipv6, 1);
	cr_assert_eq(st.udp, 0);
}

Test(decode, ipv6_later_fragment)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 0);
	ext6(&f, 44, 0);
	frag6(&f, 6, 1448, false, 7);
	put_bytes(&f, "\x2c\x00rest", 6); /* looks like a fragment header: not one */
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert(pkt.is_fragment);
	cr_assert_not(pkt.frag_more);
	cr_assert_eq(pkt.frag_offset, 1448);
	cr_assert_eq(pkt.frag_next, 6);
	cr_assert_eq(pkt.pub.proto, 6);
	cr_assert_eq(pkt.pub.payload_len, 6);
	cr_assert_eq(st.frag_ipv6, 1);
	cr_assert_eq(st.tcp, 0);
}

Test(decode, ipv6_duplicate_fragment_header)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 44);
	frag6(&f, 44, 0, true, 1);
	frag6(&f, 17, 0, true, 1);
	put_bytes(&f, "12345678", 8);
	ipv6_end(&f, ip);
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV6_EXTHDR_DUPL_FH);
}

Test(decode, ipv6_atomic_fragment_is_whole)
{
	struct fb f = {.n = 0};
	uint32_t ip, u;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 44);
	frag6(&f, 17, 0, false, 1);
	u = udp(&f, 1, 2);
	put_bytes(&f, "ok", 2);
	udp_end(&f, u);
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_not(pkt.is_fragment);
	cr_assert_eq(pkt.pub.proto, 17);
	cr_assert_eq(pkt.pub.payload_len, 2);
	cr_assert_eq(st.udp, 1);
	cr_assert_eq(st.frag_ipv6, 0);
}

static int dec_ipv6_claiming(uint8_t nh, uint16_t plen)
{
	static struct fb f; /* static: pkt points into it after return */

	f.n = 0;
	eth(&f, 0x86dd);
	ipv6(&f, nh);
	for (int i = 0; i < 64; i++)
		put8(&f, 0);
	set16(&f, 18, plen);
	return dec(LINK_ETHERNET, &f);
}

Test(decode, ipv6_truncated_extension_headers)
{
	expect_drop(dec_ipv6_claiming(0, 1), EV_IPV6_TRUNC_EXTHDR);
	expect_drop(dec_ipv6_claiming(0, 7), EV_IPV6_TRUNC_EXTHDR);
	/* A whole hop-by-hop header (six Pad1 options: padding only, noted)
	 * whose next header (0: hop-by-hop again) does not fit. */
	cr_assert_eq(dec_ipv6_claiming(0, 8), -1);
	cr_assert_eq(pkt.last_event, EV_IPV6_TRUNC_EXTHDR);
	cr_assert_eq(st.events[EV_IPV6_TRUNC_EXTHDR], 1);
	cr_assert_eq(st.events[EV_IPV6_HOPOPTS_ONLY_PADDING], 1);
	cr_assert_eq(pkt.n_events, 2);
	cr_assert_eq(pkt.events[0], EV_IPV6_HOPOPTS_ONLY_PADDING);
	cr_assert_eq(pkt.events[1], EV_IPV6_TRUNC_EXTHDR);
	expect_drop(dec_ipv6_claiming(43, 7), EV_IPV6_TRUNC_EXTHDR);
	expect_drop(dec_ipv6_claiming(60, 0), EV_IPV6_TRUNC_EXTHDR);
	expect_drop(dec_ipv6_claiming(44, 7), EV_IPV6_TRUNC_EXTHDR);
	expect_drop(dec_ipv6_claiming(51, 11), EV_IPV6_TRUNC_EXTHDR);
	expect_ok(dec_ipv6_claiming(59, 0));
}

Test(decode, ipv6_header_checks)
{
	struct fb f = {.n = 0};

	eth(&f, 0x86dd);
	ipv6(&f, 59);
	put32(&f, 0);
	set16(&f, 18, 4);
	f.b[14] = 0x40;
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV6_WRONG_IP_VERSION);
	f.b[14] = 0x60;
	set16(&f, 18, 5);
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV6_TRUNC_PKT);
	set16(&f, 18, 4);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.l3_len, 44);
	cr_assert_eq(pkt.pub.payload_len, 4);
	f.n = 53;
	expect_drop(dec(LINK_ETHERNET, &f), EV_IPV6_PKT_TOO_SMALL);
}

/* ------------------------------------------------------------ transport */

static int dec_tcp(uint8_t doff_words, const uint8_t *opts, uint32_t optlen, uint32_t seglen)
{
	static struct fb f; /* static: pkt points into it after return */
	uint32_t ip, t;

	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 6, 0, NULL, 0);
	t = tcp(&f, IDS_TCP_SYN, opts, optlen);
	f.b[t + 12] = (uint8_t)(doff_words << 4);
	while (f.n - t < seglen)
		put8(&f, 0);
	f.n = t + seglen;
	ipv4_end(&f, ip);
	return dec(LINK_ETHERNET, &f);
}

Test(decode, tcp_header_checks)
{
	expect_drop(dec_tcp(5, NULL, 0, 19), EV_TCP_PKT_TOO_SMALL);
	expect_drop(dec_tcp(4, NULL, 0, 20), EV_TCP_HLEN_TOO_SMALL);
	expect_drop(dec_tcp(6, NULL, 0, 23), EV_TCP_INVALID_OPTLEN);
	expect_ok(dec_tcp(6, NULL, 0, 24));
	cr_assert_eq(pkt.pub.payload_len, 0);
	cr_assert_eq(st.tcp, 1);
}

Test(decode, tcp_bad_option_length_is_counted_not_dropped)
{
	static const uint8_t opts[8] = {1, 1, 2, 1, 0, 0, 0, 0}; /* MSS of length 1 */
	static const uint8_t opts2[4] = {1, 1, 1, 8};		 /* kind 8, no length byte */
	static const uint8_t opts3[4] = {1, 8, 10, 0};		 /* runs past the header */

	cr_assert_eq(dec_tcp(7, opts, sizeof(opts), 30), 0);
	cr_assert_eq(pkt.last_event, EV_TCP_OPT_INVALID_LEN);
	cr_assert_eq(st.events[EV_TCP_OPT_INVALID_LEN], 1);
	cr_assert_eq(st.invalid, 0);
	cr_assert_eq(pkt.pub.payload_len, 2);
	cr_assert_eq(pkt.pub.dport, 80);
	cr_assert_eq(dec_tcp(6, opts2, sizeof(opts2), 24), 0);
	cr_assert_eq(st.events[EV_TCP_OPT_INVALID_LEN], 1);
	cr_assert_eq(dec_tcp(6, opts3, sizeof(opts3), 24), 0);
	cr_assert_eq(st.events[EV_TCP_OPT_INVALID_LEN], 1);
}

static int dec_udp(uint16_t ulen, uint32_t seglen)
{
	static struct fb f; /* static: pkt points into it after return */
	uint32_t ip, u;

	f.n = 0;
	eth(&f, 0x0800);
	ip = ipv4(&f, 17, 0, NULL, 0);
	u = udp(&f, 4000, 53);
	while (f.n - u < seglen)
		put8(&f, 'u');
	f.n = u + seglen;
	if (seglen >= 6)
		set16(&f, u + 4, ulen);
	ipv4_end(&f, ip);
	return dec(LINK_ETHERNET, &f);
}

Test(decode, udp_length_checks)
{
	expect_drop(dec_udp(8, 7), EV_UDP_HLEN_TOO_SMALL);
	expect_drop(dec_udp(7, 8), EV_UDP_LEN_INVALID);
	expect_drop(dec_udp(0, 12), EV_UDP_LEN_INVALID);
	expect_drop(dec_udp(13, 12), EV_UDP_PKT_TOO_SMALL);
	expect_ok(dec_udp(12, 12));
	cr_assert_eq(pkt.last_event, -1);
	cr_assert_eq(pkt.pub.payload_len, 4);
	cr_assert_eq(pkt.l4_len, 12);
	expect_ok(dec_udp(8, 8));
	cr_assert_eq(pkt.pub.payload_len, 0);
	cr_assert_eq(pkt.pub.sport, 4000);
}

Test(decode, udp_length_shorter_than_ip_payload_is_counted_not_dropped)
{
	cr_assert_eq(dec_udp(10, 12), 0);
	cr_assert_eq(pkt.last_event, EV_UDP_HLEN_INVALID);
	cr_assert_eq(st.events[EV_UDP_HLEN_INVALID], 1);
	cr_assert_eq(st.invalid, 0);
	cr_assert_eq(pkt.pub.payload_len, 2); /* its own length wins */
	cr_assert_eq(pkt.l4_len, 10);
	cr_assert_eq(memcmp(pkt.pub.payload, "uu", 2), 0);
}

Test(decode, icmpv4)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 1, 0, NULL, 0);
	icmp(&f, 3, 1);
	put_bytes(&f, "orig-hdr", 8);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.icmp_type, 3);
	cr_assert_eq(pkt.pub.icmp_code, 1);
	cr_assert_eq(pkt.pub.payload, f.b + 42);
	cr_assert_eq(pkt.pub.payload_len, 8);
	cr_assert_eq(pkt.pub.sport + pkt.pub.dport, 0);
	cr_assert_eq(st.icmpv4, 1);

	f.n = 34 + 7;
	ipv4_end(&f, ip);
	expect_drop(dec(LINK_ETHERNET, &f), EV_ICMPV4_PKT_TOO_SMALL);
}

Test(decode, icmpv6_too_small)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x86dd);
	ip = ipv6(&f, 58);
	put32(&f, 0x80000000);
	ipv6_end(&f, ip);
	expect_drop(dec(LINK_ETHERNET, &f), EV_ICMPV6_PKT_TOO_SMALL);
	cr_assert_eq(st.icmpv6, 1);
}

Test(decode, icmp_numbers_follow_the_ip_version)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	eth(&f, 0x0800);
	ip = ipv4(&f, 58, 0, NULL, 0); /* ICMPv6 over IPv4: just another protocol */
	put_bytes(&f, "abc", 3);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(st.other_ip, 1);
	cr_assert_eq(st.icmpv6, 0);
	cr_assert_eq(pkt.pub.payload_len, 3);
}

/* ------------------------------------------------------ packet contract */

Test(decode, every_field_reset_between_frames)
{
	struct fb f = {.n = 0}, arp = {.n = 0};
	struct packet clean;

	frame_eth_tcp(&f);
	expect_ok(dec(LINK_ETHERNET, &f));
	pkt.pub.flow_id = 77;
	pkt.pub.direction = 1;
	eth(&arp, 0x0806);
	put32(&arp, 0);
	cr_assert_eq(dec(LINK_ETHERNET, &arp), -1);
	memset(&clean, 0, sizeof(clean));
	clean.last_event = -1;
	clean.pub.frame = arp.b;
	clean.pub.caplen = arp.n;
	clean.pub.wirelen = arp.n + 4;
	clean.pub.ts_usec = 1234567;
	clean.pub.pcap_cnt = 9;
	clean.cfg = pkt.cfg;
	cr_assert_eq(memcmp(&pkt, &clean, sizeof(clean)), 0);
}

Test(decode, decode_ip_keeps_capture_fields)
{
	struct fb f = {.n = 0}, dgram = {.n = 0};
	uint32_t ip, u;

	eth(&f, 0x8100);
	vlan(&f, 33, 0x0800);
	ip = ipv4(&f, 17, 0x2000, NULL, 0);
	put32(&f, 0);
	ipv4_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert(pkt.is_fragment);

	ip = ipv4(&dgram, 17, 0, NULL, 0);
	u = udp(&dgram, 7, 9);
	put_bytes(&dgram, "reassembled", 11);
	udp_end(&dgram, u);
	ipv4_end(&dgram, ip);
	cr_assert_eq(decode_ip(&pkt, dgram.b, dgram.n, &st), 0);
	cr_assert_not(pkt.is_fragment);
	cr_assert_eq(pkt.last_event, -1);
	cr_assert_eq(pkt.pub.l3, dgram.b);
	cr_assert_eq(pkt.pub.payload_len, 11);
	cr_assert_eq(pkt.pub.vlan_count, 1);
	cr_assert_eq(pkt.pub.vlan[0], 33);
	cr_assert_eq(pkt.pub.frame, f.b);
	cr_assert_eq(pkt.pub.ts_usec, 1234567);
	cr_assert_eq(pkt.pub.pcap_cnt, 9);
	cr_assert_eq(st.pkts, 1);
	cr_assert_eq(st.ipv4, 2);
	cr_assert_eq(st.udp, 1);
	cr_assert_eq(st.frag_ipv4, 1);

	dgram.n = 10;
	cr_assert_eq(decode_ip(&pkt, dgram.b, dgram.n, &st), -1);
	cr_assert_eq(pkt.last_event, EV_IPV4_PKT_TOO_SMALL);
	cr_assert_eq(pkt.pub.vlan[0], 33);
}

Test(decode, event_names)
{
	cr_assert_str_eq(decode_event_name(EV_ETH_PKT_TOO_SMALL), "ethernet.pkt_too_small");
	cr_assert_str_eq(decode_event_name(EV_VLAN_TOO_MANY_LAYERS), "vlan.too_many_layers");
	cr_assert_str_eq(decode_event_name(EV_IPV4_TRUNC_PKT), "ipv4.trunc_pkt");
	cr_assert_str_eq(decode_event_name(EV_IPV4_IPLEN_SMALLER_THAN_HLEN),
			 "ipv4.iplen_smaller_than_hlen");
	cr_assert_str_eq(decode_event_name(EV_IPV6_EXTHDR_DUPL_FH), "ipv6.exthdr_dupl_fh");
	cr_assert_str_eq(decode_event_name(EV_TCP_INVALID_OPTLEN), "tcp.invalid_optlen");
	cr_assert_str_eq(decode_event_name(EV_UDP_HLEN_INVALID), "udp.hlen_invalid");
	cr_assert_str_eq(decode_event_name(EV_ICMPV6_PKT_TOO_SMALL), "icmpv6.pkt_too_small");
	cr_assert_str_eq(decode_event_name(EV_UNKNOWN_LINK_TYPE), "decoder.unknown_link_type");
	cr_assert_str_eq(decode_event_name(EV_NULL_PKT_TOO_SMALL), "ltnull.pkt_too_small");
	cr_assert_str_eq(decode_event_name(EV_UDP_LEN_INVALID), "udp.len_invalid");
	cr_assert_str_eq(decode_event_name(EV_UDP_HLEN_TOO_SMALL), "udp.hlen_too_small");
	for (int i = 0; i < EV_MAX; i++) {
		const char *n = decode_event_name(i);

		cr_assert_str_neq(n, "unknown");
		cr_assert_not_null(strchr(n, '.'));
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(n, decode_event_name(j));
	}
	cr_assert_str_eq(decode_event_name(EV_MAX), "unknown");
	cr_assert_str_eq(decode_event_name(-1), "unknown");
}

Test(decode, stats_are_all_counters)
{
	cr_assert_eq(sizeof(struct decode_stats), (30 + EV_MAX) * sizeof(uint64_t));
}

/* ----------------------------------------------------------- truncation */

/* Lengths below `below` give `ev` (-1: decodes fine). */
struct cut {
	uint32_t below;
	int ev;
};

/* Decode every truncation 0 .. f->n - 1 of a valid frame from a buffer of
 * exactly that size. */
static void truncations(int linktype, const struct fb *f, const struct cut *cuts, size_t ncuts)
{
	for (uint32_t n = 0; n < f->n; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct packet p;
		struct decode_stats s;
		int want = -1, rc;

		cr_assert_not_null(copy);
		memcpy(copy, f->b, n);
		memset(&s, 0, sizeof(s));
		for (size_t i = 0; i < ncuts; i++)
			if (n < cuts[i].below) {
				want = cuts[i].ev;
				break;
			}
		rc = decode_frame(&p, linktype, n ? copy : copy + 1, n, n, 0, n + 1, &s);
		cr_assert_eq(s.pkts, 1);
		cr_assert_eq(s.bytes, n);
		if (want < 0) {
			cr_assert_eq(rc, 0, "length %u dropped", n);
			cr_assert_eq(s.invalid, 0);
		} else {
			cr_assert_eq(rc, -1, "length %u decoded", n);
			cr_assert_eq(p.last_event, want, "length %u: %s, want %s", n,
				     p.last_event < 0 ? "none" : decode_event_name(p.last_event),
				     decode_event_name(want));
			cr_assert_eq(s.events[want], 1);
			cr_assert_eq(s.invalid, 1);
		}
		free(copy);
	}
}

Test(decode, truncated_ethernet_ipv4_tcp)
{
	static const struct cut cuts[] = {
		{14, EV_ETH_PKT_TOO_SMALL},
		{34, EV_IPV4_PKT_TOO_SMALL},
		{92, EV_IPV4_TRUNC_PKT},
	};
	struct fb f = {.n = 0};

	frame_eth_tcp(&f);
	truncations(LINK_ETHERNET, &f, cuts, 3);
}

Test(decode, truncated_vlan_ipv6_extensions_udp)
{
	static const struct cut cuts[] = {
		{14, EV_ETH_PKT_TOO_SMALL},
		{18, EV_VLAN_HEADER_TOO_SMALL},
		{58, EV_IPV6_PKT_TOO_SMALL},
		{500, EV_IPV6_TRUNC_PKT},
	};
	struct fb f = {.n = 0};
	uint32_t ip, u;

	eth(&f, 0x8100);
	vlan(&f, 5, 0x86dd);
	ip = ipv6(&f, 0);
	ext6(&f, 60, 0);
	ext6(&f, 17, 0);
	u = udp(&f, 53, 5353);
	put_bytes(&f, "answer", 6);
	udp_end(&f, u);
	ipv6_end(&f, ip);
	expect_ok(dec(LINK_ETHERNET, &f));
	cr_assert_eq(pkt.pub.payload_len, 6);
	truncations(LINK_ETHERNET, &f, cuts, 4);
}

Test(decode, truncated_sll_ipv4_icmp)
{
	static const struct cut cuts[] = {
		{16, EV_SLL_PKT_TOO_SMALL},
		{36, EV_IPV4_PKT_TOO_SMALL},
		{500, EV_IPV4_TRUNC_PKT},
	};
	struct fb f = {.n = 0};
	uint32_t ip;

	for (int i = 0; i < 14; i++)
		put8(&f, 0);
	put16(&f, 0x0800);
	ip = ipv4(&f, 1, 0, (const uint8_t *)"\x01\x01\x01\x00", 4);
	icmp(&f, 0, 0);
	put_bytes(&f, "pong", 4);
	ipv4_end(&f, ip);
	truncations(LINK_SLL, &f, cuts, 3);
}

Test(decode, truncated_padded_frame_decodes_once_ip_is_whole)
{
	static const struct cut cuts[] = {
		{14, EV_ETH_PKT_TOO_SMALL},
		{34, EV_IPV4_PKT_TOO_SMALL},
		{46, EV_IPV4_TRUNC_PKT},
		{500, -1},
	};
	struct fb f = {.n = 0};
	uint32_t ip, u;

	eth(&f, 0x0800);
	ip = ipv4(&f, 17, 0, NULL, 0);
	u = udp(&f, 1, 2);
	put_bytes(&f, "pad", 4);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	while (f.n < 64)
		put8(&f, 0);
	truncations(LINK_ETHERNET, &f, cuts, 4);
}

Test(decode, truncated_raw_and_null)
{
	static const struct cut raw_cuts[] = {
		{1, EV_IPV4_PKT_TOO_SMALL},
		{40, EV_IPV6_PKT_TOO_SMALL},
		{500, EV_IPV6_TRUNC_PKT},
	};
	static const struct cut null_cuts[] = {
		{4, EV_NULL_PKT_TOO_SMALL},
		{24, EV_IPV4_PKT_TOO_SMALL},
		{500, EV_IPV4_TRUNC_PKT},
	};
	struct fb f = {.n = 0};
	uint32_t ip;

	ip = ipv6(&f, 6);
	tcp(&f, IDS_TCP_SYN, tcp_opts, sizeof(tcp_opts));
	ipv6_end(&f, ip);
	truncations(LINK_RAW, &f, raw_cuts, 3);

	null_frame(&f, 2, false);
	f.n -= 20;
	ip = ipv4(&f, 6, 0, NULL, 0);
	tcp(&f, IDS_TCP_SYN, tcp_opts, sizeof(tcp_opts));
	ipv4_end(&f, ip);
	truncations(LINK_NULL, &f, null_cuts, 3);
}

/* The IP header claims ever shorter lengths: the transport decoders see
 * exactly that many bytes, in a buffer of exactly that size. */
Test(decode, ip_length_cuts_into_transport)
{
	struct fb f = {.n = 0};
	uint32_t ip;

	ip = ipv4(&f, 6, 0, NULL, 0);
	tcp(&f, IDS_TCP_ACK, tcp_opts, sizeof(tcp_opts));
	put_bytes(&f, http, HTTP_LEN);
	ipv4_end(&f, ip);
	for (uint32_t tot = 20; tot <= f.n; tot++) {
		uint8_t *copy = malloc(tot);
		struct packet p;
		struct decode_stats s;
		int rc;

		memset(&p, 0, sizeof(p));
		memcpy(copy, f.b, tot);
		copy[2] = (uint8_t)(tot >> 8);
		copy[3] = (uint8_t)tot;
		memset(&s, 0, sizeof(s));
		rc = decode_ip(&p, copy, tot, &s);
		if (tot < 40) {
			cr_assert_eq(rc, -1);
			cr_assert_eq(p.last_event, EV_TCP_PKT_TOO_SMALL);
		} else if (tot < 60) {
			cr_assert_eq(rc, -1);
			cr_assert_eq(p.last_event, EV_TCP_INVALID_OPTLEN);
		} else {
			cr_assert_eq(rc, 0);
			cr_assert_eq(p.pub.payload_len, tot - 60);
			cr_assert_eq(p.pub.payload, copy + 60);
		}
		cr_assert_eq(s.tcp, 1);
		free(copy);
	}
}
