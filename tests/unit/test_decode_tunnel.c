/*
 * test_decode_tunnel.c - the tunnel decoders on frames built by hand: GRE
 * (version 0 with its options, PPTP's version 1, bridging), ERSPAN types I,
 * II and III, IP-in-IP (4in4, 6in4, 4in6, 6in6), VXLAN, Geneve, Teredo,
 * MPLS with its bottom-label heuristics, PPPoE, PPP; nesting and the depth
 * limit; each tunnel's events; the IPv6 routing header type 0 and
 * duplicated hop-by-hop anomalies; and every truncation of every valid
 * frame, with the outer length fields cut to match so that the inner
 * decoders see the short input (each copy in a buffer of exactly that size
 * so that ASan catches a read past the end).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

/* ------------------------------------------------------- frame building */

struct fb {
	uint8_t b[1024];
	uint32_t n;
	int ip_at;  /* outer IP header, -1 none (fixed up when cut) */
	int udp_at; /* outer UDP header, -1 none */
	bool ip6;
};

static void fb_init(struct fb *f)
{
	memset(f, 0, sizeof(*f));
	f->ip_at = f->udp_at = -1;
}

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
	memcpy(f->b + f->n, b, n);
	f->n += (uint32_t)n;
}

static void set16(uint8_t *b, uint32_t at, uint16_t v)
{
	b[at] = (uint8_t)(v >> 8);
	b[at + 1] = (uint8_t)v;
}

static void eth(struct fb *f, uint16_t type)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

	put_bytes(f, macs, sizeof(macs));
	put16(f, type);
}

static const uint8_t out4_src[4] = {198, 18, 0, 1};
static const uint8_t out4_dst[4] = {198, 18, 0, 2};
static const uint8_t in4_src[4] = {198, 19, 0, 1};
static const uint8_t in4_dst[4] = {198, 19, 0, 2};
static const uint8_t out6_src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1};
static const uint8_t out6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2};
static const uint8_t in6_src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1};
static const uint8_t in6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2};

static uint32_t ip4(struct fb *f, uint8_t proto, const uint8_t *src, const uint8_t *dst)
{
	uint32_t at = f->n;

	if (f->ip_at < 0)
		f->ip_at = (int)at;
	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);
	put16(f, 0x1234);
	put16(f, 0x4000);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put_bytes(f, src, 4);
	put_bytes(f, dst, 4);
	return at;
}

static void ip4_end(struct fb *f, uint32_t at)
{
	set16(f->b, at + 2, (uint16_t)(f->n - at));
}

static uint32_t ip6(struct fb *f, uint8_t nh, const uint8_t *src, const uint8_t *dst)
{
	uint32_t at = f->n;

	if (f->ip_at < 0) {
		f->ip_at = (int)at;
		f->ip6 = true;
	}
	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, nh);
	put8(f, 55);
	put_bytes(f, src, 16);
	put_bytes(f, dst, 16);
	return at;
}

static void ip6_end(struct fb *f, uint32_t at)
{
	set16(f->b, at + 4, (uint16_t)(f->n - at - 40));
}

static uint32_t udp(struct fb *f, uint16_t sp, uint16_t dp)
{
	uint32_t at = f->n;

	if (f->udp_at < 0)
		f->udp_at = (int)at;
	put16(f, sp);
	put16(f, dp);
	put32(f, 0);
	return at;
}

static void udp_end(struct fb *f, uint32_t at)
{
	set16(f->b, at + 4, (uint16_t)(f->n - at));
}

static const char probe[] = "GET /tunnelled HTTP/1.0\r\n";
#define PROBE_LEN 25

/* The inner TCP segment 40000 -> 80 carrying the probe. */
static void tcp_probe(struct fb *f)
{
	put16(f, 40000);
	put16(f, 80);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, 5 << 4);
	put8(f, IDS_TCP_PSH | IDS_TCP_ACK);
	put16(f, 65535);
	put32(f, 0);
	put_bytes(f, probe, PROBE_LEN);
}

static void inner4(struct fb *f)
{
	uint32_t ip = ip4(f, 6, in4_src, in4_dst);

	tcp_probe(f);
	ip4_end(f, ip);
}

static void inner6(struct fb *f)
{
	uint32_t ip = ip6(f, 6, in6_src, in6_dst);

	tcp_probe(f);
	ip6_end(f, ip);
}

/* Ethernet / IPv4 inner TCP. */
static void inner_eth4(struct fb *f)
{
	eth(f, 0x0800);
	inner4(f);
}

/* ------------------------------------------------------------- decoding */

static struct decode_stats st;
static struct packet pkt;
static struct decode_config cfg;

static int dec_cfg(int linktype, const uint8_t *b, uint32_t n)
{
	memset(&st, 0, sizeof(st));
	return decode_frame_cfg(&pkt, &cfg, linktype, b, n, n, 1234567, 9, &st);
}

static int dec(const struct fb *f)
{
	return dec_cfg(1, f->b, f->n);
}

static void setup(void)
{
	decode_config_defaults(&cfg);
}

TestSuite(decode_tunnel, .init = setup);

static void expect_ok(int rc)
{
	cr_assert_eq(rc, 0, "dropped: %s",
		     pkt.last_event >= 0 ? decode_event_name(pkt.last_event) : "no event");
	cr_assert_eq(st.invalid, 0);
}

static void expect_drop(int rc, enum decode_event ev)
{
	cr_assert_eq(rc, -1);
	cr_assert_eq(pkt.last_event, (int)ev, "last_event %s, want %s",
		     pkt.last_event >= 0 ? decode_event_name(pkt.last_event) : "none",
		     decode_event_name(ev));
	cr_assert_eq(st.events[ev], 1);
	cr_assert_eq(st.invalid, 1);
}

/* The packet is the inner TCP probe over IPv4 (or IPv6). */
static void expect_inner(bool v6)
{
	cr_assert_eq(pkt.pub.ip_version, v6 ? 6 : 4);
	cr_assert_eq(memcmp(pkt.pub.src.bytes, v6 ? in6_src : in4_src, v6 ? 16 : 4), 0);
	cr_assert_eq(memcmp(pkt.pub.dst.bytes, v6 ? in6_dst : in4_dst, v6 ? 16 : 4), 0);
	cr_assert_eq(pkt.pub.proto, 6);
	cr_assert_eq(pkt.pub.sport, 40000);
	cr_assert_eq(pkt.pub.dport, 80);
	cr_assert_eq(pkt.pub.tcp_seq, 1000);
	cr_assert_eq(pkt.pub.payload_len, PROBE_LEN);
	cr_assert_eq(memcmp(pkt.pub.payload, probe, PROBE_LEN), 0);
	cr_assert_not_null(pkt.l4);
}

/* p->pub.tunnel names the outer IPv4 (or IPv6) layer. */
/* The tunnel context of the decoded packet. */
static void expect_tunnel_ctx(bool v6, uint8_t proto, uint8_t depth, uint32_t id)
{
	const struct ids_tunnel *t = &pkt.pub.tunnel;

	cr_assert_eq(t->depth, depth);
	cr_assert_eq(t->proto, proto);
	cr_assert_eq(t->id, id, "id %u, want %u", t->id, id);
	cr_assert_eq(t->src.family, v6 ? 6 : 4);
	cr_assert_eq(memcmp(t->src.bytes, v6 ? out6_src : out4_src, v6 ? 16 : 4), 0);
	cr_assert_eq(memcmp(t->dst.bytes, v6 ? out6_dst : out4_dst, v6 ? 16 : 4), 0);
	cr_assert_eq(t->pkt_src, IDS_PKT_SRC_WIRE);
}

/* The tunnel context, and the outermost packet kept for the worker to
 * inspect on its own. */
static void expect_tunnel(bool v6, uint8_t proto, uint8_t depth, uint32_t id)
{
	expect_tunnel_ctx(v6, proto, depth, id);
	cr_assert(pkt.has_outer);
	cr_assert_eq(pkt.outer.proto, proto);
	cr_assert_eq(pkt.outer.ip_version, v6 ? 6 : 4);
	cr_assert_eq(memcmp(pkt.outer.dst.bytes, v6 ? out6_dst : out4_dst, v6 ? 16 : 4), 0);
	cr_assert_eq(pkt.outer.tunnel.depth, 0);
	if (proto != 17) /* an IP-level tunnel's outer packet has no payload */
		cr_assert_eq(pkt.outer.payload_len, 0);
}

/* Every prefix of the frame, the outer lengths cut to match: no crash, no
 * read past the end, and a prefix never decodes to more than the frame. */
static void truncations_link(const struct fb *f, int linktype)
{
	for (uint32_t len = 0; len <= f->n; len++) {
		uint8_t *b = malloc(len ? len : 1);
		int rc;

		cr_assert_not_null(b);
		memcpy(b, f->b, len);
		if (f->ip_at >= 0 && len >= (uint32_t)f->ip_at + (f->ip6 ? 40 : 20)) {
			if (f->ip6)
				set16(b, (uint32_t)f->ip_at + 4, (uint16_t)(len - f->ip_at - 40));
			else
				set16(b, (uint32_t)f->ip_at + 2, (uint16_t)(len - f->ip_at));
		}
		if (f->udp_at >= 0 && len >= (uint32_t)f->udp_at + 8)
			set16(b, (uint32_t)f->udp_at + 4, (uint16_t)(len - f->udp_at));
		rc = dec_cfg(linktype, b, len);
		cr_assert(rc == 0 || rc == -1);
		if (rc == 0 && pkt.pub.payload)
			cr_assert(pkt.pub.payload + pkt.pub.payload_len <= b + len);
		if (rc == -1)
			cr_assert(pkt.last_event < 0 || st.events[pkt.last_event] >= 1);
		free(b);
	}
}

static void truncations(const struct fb *f)
{
	truncations_link(f, 1);
}

/* ------------------------------------------------------------ builders */

/* GRE version 0 header with the given flags (C, K, S) and type. */
static void gre0(struct fb *f, uint16_t flags, uint16_t type, uint32_t key)
{
	put16(f, flags);
	put16(f, type);
	if (flags & 0x8000)
		put32(f, 0); /* checksum + reserved */
	if (flags & 0x2000)
		put32(f, key);
	if (flags & 0x1000)
		put32(f, 7); /* sequence */
}

static void frame_gre(struct fb *f, uint16_t flags, uint32_t key)
{
	uint32_t ip;

	fb_init(f);
	eth(f, 0x0800);
	ip = ip4(f, 47, out4_src, out4_dst);
	gre0(f, flags, 0x0800, key);
	inner4(f);
	ip4_end(f, ip);
}

static void frame_gre_teb(struct fb *f)
{
	uint32_t ip;

	fb_init(f);
	eth(f, 0x0800);
	ip = ip4(f, 47, out4_src, out4_dst);
	gre0(f, 0x2000, 0x6558, 99);
	inner_eth4(f);
	ip4_end(f, ip);
}

/* ERSPAN of `type` with the mirrored VLAN 10 and session 0x155. */
static void frame_erspan(struct fb *f, int type, bool sub)
{
	uint32_t ip;

	fb_init(f);
	eth(f, 0x0800);
	ip = ip4(f, 47, out4_src, out4_dst);
	if (type == 1) {
		gre0(f, 0, 0x88be, 0);
	} else if (type == 2) {
		gre0(f, 0x1000, 0x88be, 0);
		put16(f, 0x1000 | 10); /* version 1, VLAN 10 */
		put16(f, 0x0155);      /* session */
		put32(f, 0);
	} else {
		gre0(f, 0x1000, 0x22eb, 0);
		put16(f, 0x2000 | 10); /* version 2, VLAN 10 */
		put16(f, 0x0155);
		put32(f, 0x01020304);  /* timestamp */
		put16(f, 0);	       /* SGT */
		put16(f, sub ? 1 : 0); /* P, FT, HW ID, D, Gra, O */
		if (sub)
			put_bytes(f, "\0\0\0\0\0\0\0\0", 8);
	}
	inner_eth4(f);
	ip4_end(f, ip);
}

/* Outer IPv4 or IPv6 carrying inner IPv4 or IPv6 directly. */
static void frame_ipip(struct fb *f, bool out6, bool in6)
{
	uint32_t ip;
	uint8_t proto = in6 ? 41 : 4;

	fb_init(f);
	eth(f, out6 ? 0x86dd : 0x0800);
	ip = out6 ? ip6(f, proto, out6_src, out6_dst) : ip4(f, proto, out4_src, out4_dst);
	if (in6)
		inner6(f);
	else
		inner4(f);
	if (out6)
		ip6_end(f, ip);
	else
		ip4_end(f, ip);
}

static void frame_vxlan(struct fb *f, uint16_t dport, uint8_t flags, uint16_t inner_vlan)
{
	uint32_t ip, u;

	fb_init(f);
	eth(f, 0x0800);
	ip = ip4(f, 17, out4_src, out4_dst);
	u = udp(f, 51000, dport);
	put8(f, flags);
	put8(f, 0);
	put16(f, 0);
	put32(f, 4242u << 8); /* VNI 4242 */
	if (inner_vlan) {
		eth(f, 0x8100);
		put16(f, inner_vlan);
		put16(f, 0x0800);
		inner4(f);
	} else {
		inner_eth4(f);
	}
	udp_end(f, u);
	ip4_end(f, ip);
}

/* Geneve with one 8-byte option (`optlen8` its length in 4-byte words
 * minus 1, to break it), carrying `type`. */
static void frame_geneve(struct fb *f, uint16_t type, uint8_t opt_words)
{
	uint32_t ip, u;

	fb_init(f);
	eth(f, 0x86dd);
	ip = ip6(f, 17, out6_src, out6_dst);
	u = udp(f, 51000, 6081);
	put8(f, 2); /* version 0, 2 words of options */
	put8(f, 0);
	put16(f, type);
	put32(f, 777u << 8);
	put16(f, 0x0102); /* option class */
	put8(f, 0x80);	  /* type */
	put8(f, opt_words);
	put32(f, 0xdeadbeef);
	if (type == 0x6558)
		inner_eth4(f);
	else
		inner6(f);
	udp_end(f, u);
	ip6_end(f, ip);
}

static void frame_teredo(struct fb *f, bool origin, uint8_t hlim)
{
	uint32_t ip, u, in;

	fb_init(f);
	eth(f, 0x0800);
	ip = ip4(f, 17, out4_src, out4_dst);
	u = udp(f, 3544, 51000);
	if (origin) {
		put16(f, 0);
		put16(f, 0xf00f);
		put32(f, 0x3f00fffe);
	}
	in = ip6(f, 6, in6_src, in6_dst);
	f->b[in + 7] = hlim;
	tcp_probe(f);
	ip6_end(f, in);
	udp_end(f, u);
	ip4_end(f, ip);
}

static void mpls_label(struct fb *f, uint32_t label, bool bottom)
{
	put32(f, label << 12 | (bottom ? 0x100u : 0) | 64);
}

static void frame_mpls(struct fb *f, uint32_t bottom_label, int payload)
{
	fb_init(f);
	eth(f, 0x8847);
	mpls_label(f, 1000, false);
	mpls_label(f, bottom_label, true);
	if (payload == 4) {
		inner4(f);
	} else if (payload == 6) {
		inner6(f);
	} else {
		put32(f, 0); /* pseudowire control word */
		inner_eth4(f);
	}
}

static void frame_pppoe(struct fb *f, uint8_t code)
{
	uint32_t at;

	fb_init(f);
	eth(f, 0x8864);
	put8(f, 0x11);
	put8(f, code);
	put16(f, 0x0042);
	at = f->n;
	put16(f, 0);
	put16(f, 0x0021);
	inner4(f);
	set16(f->b, at, (uint16_t)(f->n - at - 2));
}

/* PPTP: GRE version 1 with a key (call id 0x0099) and a sequence number,
 * PPP inside with its address and control bytes. */
static void frame_pptp(struct fb *f)
{
	uint32_t ip, klen;

	fb_init(f);
	eth(f, 0x0800);
	ip = ip4(f, 47, out4_src, out4_dst);
	put16(f, 0x3001); /* K, S, version 1 */
	put16(f, 0x880b);
	klen = f->n;
	put16(f, 0);
	put16(f, 0x0099);
	put32(f, 1);
	put8(f, 0xff);
	put8(f, 0x03);
	put16(f, 0x0021);
	inner4(f);
	set16(f->b, klen, (uint16_t)(f->n - klen - 8));
	ip4_end(f, ip);
}

/* ------------------------------------------------------------------ GRE */

Test(decode_tunnel, gre_ipv4_plain)
{
	struct fb f;

	frame_gre(&f, 0, 0);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 47, 1, 0);
	cr_assert_eq(st.gre, 1);
	cr_assert_eq(st.ipv4, 2);
	cr_assert_eq(st.tcp, 1);
	cr_assert_eq(pkt.track_id, 0);
	truncations(&f);
}

Test(decode_tunnel, gre_checksum_key_sequence)
{
	struct fb f;

	frame_gre(&f, 0x8000 | 0x2000 | 0x1000, 0xabcdef01);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 47, 1, 0xabcdef01);
	cr_assert_eq(pkt.track_id, 0); /* GRE keys may differ per direction: not in the key */
	truncations(&f);
}

Test(decode_tunnel, vni_not_tracked_when_off)
{
	struct fb f;

	cfg.track_by_id = false;
	frame_vxlan(&f, 4789, 0x08, 0);
	expect_ok(dec(&f));
	expect_tunnel(false, 17, 1, 4242);
	cr_assert_eq(pkt.track_id, 0);
}

Test(decode_tunnel, erspan_session_is_tracked)
{
	struct fb f;

	frame_erspan(&f, 2, false);
	expect_ok(dec(&f));
	cr_assert_eq(pkt.track_id, 0x155);
}

Test(decode_tunnel, gre_transparent_ethernet_bridging)
{
	struct fb f;

	frame_gre_teb(&f);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 47, 1, 99);
	cr_assert_eq(st.ethernet, 2);
	truncations(&f);
}

Test(decode_tunnel, gre_events)
{
	struct fb f;

	frame_gre(&f, 0, 0);
	f.b[14 + 20 + 1] = 2; /* version 2 */
	expect_drop(dec(&f), EV_GRE_WRONG_VERSION);
	frame_gre(&f, 0x0100, 0); /* recursion control */
	expect_drop(dec(&f), EV_GRE_V0_RECUR);
	frame_gre(&f, 0x0008, 0); /* reserved flag */
	expect_drop(dec(&f), EV_GRE_V0_FLAGS);
	frame_gre(&f, 0, 0);
	f.n = 14 + 20 + 2;
	set16(f.b, 14 + 2, 22);
	expect_drop(dec(&f), EV_GRE_PKT_TOO_SMALL);
	frame_gre(&f, 0, 0);
	f.b[14 + 20] = 0xb0; /* C, K, S: 12 more bytes than there are */
	f.n = 14 + 20 + 8;
	set16(f.b, 14 + 2, 28);
	expect_drop(dec(&f), EV_GRE_V0_HDR_TOO_BIG);
	frame_gre(&f, 0x4000, 0); /* routing present, the SRE list runs off */
	expect_drop(dec(&f), EV_GRE_V0_MALFORMED_SRE);
}

Test(decode_tunnel, gre_unknown_payload_is_a_gre_packet)
{
	struct fb f;

	frame_gre(&f, 0, 0);
	set16(f.b, 14 + 20 + 2, 0x883e); /* WCCP */
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.proto, 47);
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	cr_assert_eq(pkt.pub.payload_len, f.n - 14 - 20);
	cr_assert_eq(pkt.last_event, -1);
}

Test(decode_tunnel, gre_off_by_config)
{
	struct fb f;

	cfg.gre = false;
	frame_gre(&f, 0, 0);
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.proto, 47);
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	cr_assert_eq(st.gre, 0);
}

Test(decode_tunnel, pptp_gre_version1_ppp)
{
	struct fb f;

	frame_pptp(&f);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 47, 1, 0x99);
	cr_assert_eq(st.ppp, 1);
	truncations(&f);
	frame_pptp(&f);
	f.b[14 + 20] = 0x10; /* no key */
	expect_drop(dec(&f), EV_GRE_V1_NO_KEY);
	frame_pptp(&f);
	set16(f.b, 14 + 20 + 2, 0x0800);
	expect_drop(dec(&f), EV_GRE_V1_WRONG_PROTOCOL);
	frame_pptp(&f);
	f.b[14 + 20] |= 0x80;
	expect_drop(dec(&f), EV_GRE_V1_CHKSUM);
}

/* --------------------------------------------------------------- ERSPAN */

Test(decode_tunnel, erspan_type1)
{
	struct fb f;

	frame_erspan(&f, 1, false);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 47, 1, 0);
	cr_assert_eq(st.erspan, 1);
	cr_assert_eq(pkt.pub.vlan_count, 0);
	truncations(&f);
}

Test(decode_tunnel, erspan_type2_vlan_and_session)
{
	struct fb f;

	frame_erspan(&f, 2, false);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 47, 1, 0x155);
	cr_assert_eq(pkt.pub.vlan_count, 1);
	cr_assert_eq(pkt.pub.vlan[0], 10);
	truncations(&f);
}

Test(decode_tunnel, erspan_type3_with_and_without_subheader)
{
	struct fb f;

	frame_erspan(&f, 3, false);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 47, 1, 0x155);
	truncations(&f);
	frame_erspan(&f, 3, true);
	expect_ok(dec(&f));
	expect_inner(false);
	truncations(&f);
}

Test(decode_tunnel, erspan_events)
{
	struct fb f;

	frame_erspan(&f, 2, false);
	f.b[14 + 20 + 8] = 0x70; /* version 7 */
	expect_drop(dec(&f), EV_ERSPAN_UNSUPPORTED_VERSION);
	frame_erspan(&f, 2, false);
	f.n = 14 + 20 + 8 + 4;
	set16(f.b, 14 + 2, 32);
	expect_drop(dec(&f), EV_ERSPAN_HEADER_TOO_SMALL);
}

/* ------------------------------------------------------------ IP-in-IP */

Test(decode_tunnel, ip_in_ip_all_four)
{
	struct fb f;
	bool combos[4][2] = {{false, false}, {false, true}, {true, false}, {true, true}};

	for (int i = 0; i < 4; i++) {
		bool o6 = combos[i][0], i6 = combos[i][1];

		frame_ipip(&f, o6, i6);
		expect_ok(dec(&f));
		expect_inner(i6);
		expect_tunnel(o6, i6 ? 41 : 4, 1, 0);
		truncations(&f);
	}
	frame_ipip(&f, false, false);
	expect_ok(dec(&f));
	cr_assert_eq(st.ipv4_in_ipv4, 1);
	frame_ipip(&f, true, true);
	expect_ok(dec(&f));
	cr_assert_eq(st.ipv6_in_ipv6, 1);
}

Test(decode_tunnel, ip_in_ipv6_events)
{
	struct fb f;

	frame_ipip(&f, true, false);
	f.b[14 + 40] = 0x65; /* says 6 where 4 was announced */
	expect_drop(dec(&f), EV_IPV4_IN_IPV6_WRONG_VERSION);
	frame_ipip(&f, true, true);
	f.n = 14 + 40 + 20;
	set16(f.b, 14 + 4, 20);
	expect_drop(dec(&f), EV_IPV6_IN_IPV6_TOO_SMALL);
}

/* ---------------------------------------------------------------- VXLAN */

Test(decode_tunnel, vxlan_default_port)
{
	struct fb f;

	frame_vxlan(&f, 4789, 0x08, 0);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(false, 17, 1, 4242);
	cr_assert_eq(pkt.pub.tunnel.sport, 51000);
	cr_assert_eq(pkt.pub.tunnel.dport, 4789);
	cr_assert_eq(pkt.track_id, 4242);
	cr_assert_eq(st.vxlan, 1);
	cr_assert_eq(st.udp, 1);
	truncations(&f);
}

Test(decode_tunnel, vxlan_inner_vlan)
{
	struct fb f;

	frame_vxlan(&f, 4789, 0x08, 33);
	expect_ok(dec(&f));
	expect_inner(false);
	cr_assert_eq(pkt.pub.vlan_count, 1);
	cr_assert_eq(pkt.pub.vlan[0], 33);
	truncations(&f);
}

/* Two outer tags fill the VLAN ids: the inner tag is counted, and the
 * inner packet is still inspected (three tags on the wire are a drop). */
Test(decode_tunnel, vxlan_inner_vlan_beyond_two_tags_is_counted)
{
	struct fb f, q;

	frame_vxlan(&f, 4789, 0x08, 33);
	fb_init(&q);
	eth(&q, 0x88a8);
	put16(&q, 100);
	put16(&q, 0x8100);
	put16(&q, 200);
	put16(&q, 0x0800);
	put_bytes(&q, f.b + 14, f.n - 14);
	cr_assert_eq(dec_cfg(1, q.b, q.n), 0);
	expect_inner(false);
	cr_assert_eq(pkt.pub.vlan_count, 2);
	cr_assert_eq(pkt.pub.vlan[0], 100);
	cr_assert_eq(pkt.pub.vlan[1], 200);
	cr_assert_eq(pkt.last_event, EV_VLAN_TOO_MANY_LAYERS);
	cr_assert_eq(st.invalid, 0);
}

Test(decode_tunnel, vxlan_without_i_flag_is_plain_udp)
{
	struct fb f;

	frame_vxlan(&f, 4789, 0x00, 0);
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.proto, 17);
	cr_assert_eq(pkt.pub.dport, 4789);
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	cr_assert_eq(pkt.last_event, -1);
}

Test(decode_tunnel, vxlan_unknown_payload_is_counted_plain_udp)
{
	struct fb f;

	frame_vxlan(&f, 4789, 0x08, 0);
	set16(f.b, 14 + 20 + 8 + 8 + 12, 0x1234);
	cr_assert_eq(dec(&f), 0);
	cr_assert_eq(pkt.pub.proto, 17);
	cr_assert_eq(pkt.last_event, EV_VXLAN_UNKNOWN_PAYLOAD_TYPE);
	cr_assert_eq(st.events[EV_VXLAN_UNKNOWN_PAYLOAD_TYPE], 1);
	cr_assert_eq(st.invalid, 0);
}

Test(decode_tunnel, vxlan_ports_from_config)
{
	struct fb f;

	frame_vxlan(&f, 8472, 0x08, 0);
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	cfg.vxlan.port[0] = 8472;
	expect_ok(dec(&f));
	expect_inner(false);
	cfg.vxlan.n = 0;
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
}

/* --------------------------------------------------------------- Geneve */

Test(decode_tunnel, geneve_ethernet_and_ipv6)
{
	struct fb f;

	frame_geneve(&f, 0x6558, 1);
	expect_ok(dec(&f));
	expect_inner(false);
	expect_tunnel(true, 17, 1, 777);
	cr_assert_eq(st.geneve, 1);
	truncations(&f);
	frame_geneve(&f, 0x86dd, 1);
	expect_ok(dec(&f));
	expect_inner(true);
	truncations(&f);
}

Test(decode_tunnel, geneve_bad_options_or_type_are_plain_udp)
{
	struct fb f;

	frame_geneve(&f, 0x6558, 3); /* option longer than the options */
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.proto, 17);
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	frame_geneve(&f, 0x9999, 1);
	cr_assert_eq(dec(&f), 0);
	cr_assert_eq(pkt.pub.proto, 17);
	cr_assert_eq(pkt.last_event, EV_GENEVE_UNKNOWN_PAYLOAD_TYPE);
}

/* --------------------------------------------------------------- Teredo */

Test(decode_tunnel, teredo_with_and_without_origin)
{
	struct fb f;

	frame_teredo(&f, false, 64);
	expect_ok(dec(&f));
	expect_inner(true);
	expect_tunnel(false, 17, 1, 0);
	cr_assert_eq(st.teredo, 1);
	truncations(&f);
	frame_teredo(&f, true, 64);
	expect_ok(dec(&f));
	expect_inner(true);
	truncations(&f);
}

Test(decode_tunnel, teredo_validity_checks)
{
	struct fb f;

	frame_teredo(&f, false, 0); /* hop limit 0 */
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.proto, 17);
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	frame_teredo(&f, true, 64);
	f.b[14 + 20 + 8 + 1] = 1; /* authentication indicator */
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	frame_teredo(&f, false, 64);
	put8(&f, 0); /* a byte beyond the IPv6 length */
	set16(f.b, 14 + 20 + 4, (uint16_t)(f.n - 14 - 20));
	set16(f.b, 14 + 2, (uint16_t)(f.n - 14));
	expect_ok(dec(&f));
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
}

/* ----------------------------------------------------------------- MPLS */

Test(decode_tunnel, mpls_heuristics)
{
	struct fb f;

	frame_mpls(&f, 2000, 4);
	expect_ok(dec(&f));
	expect_inner(false);
	cr_assert_eq(st.mpls, 1);
	cr_assert_eq(pkt.pub.tunnel.depth, 0);
	truncations(&f);
	frame_mpls(&f, 2000, 6);
	expect_ok(dec(&f));
	expect_inner(true);
	truncations(&f);
	frame_mpls(&f, 2000, 0); /* Ethernet pseudowire */
	expect_ok(dec(&f));
	expect_inner(false);
	truncations(&f);
	frame_mpls(&f, 0, 4); /* IPv4 explicit null */
	expect_ok(dec(&f));
	expect_inner(false);
	frame_mpls(&f, 2, 6); /* IPv6 explicit null */
	expect_ok(dec(&f));
	expect_inner(true);
}

Test(decode_tunnel, mpls_events)
{
	struct fb f;

	frame_mpls(&f, 1, 4);
	cr_assert_eq(dec(&f), 0);
	cr_assert_eq(pkt.last_event, EV_MPLS_BAD_LABEL_ROUTER_ALERT);
	frame_mpls(&f, 3, 4);
	cr_assert_eq(dec(&f), 0);
	cr_assert_eq(pkt.last_event, EV_MPLS_BAD_LABEL_IMPLICIT_NULL);
	frame_mpls(&f, 9, 4);
	cr_assert_eq(dec(&f), 0);
	cr_assert_eq(pkt.last_event, EV_MPLS_BAD_LABEL_RESERVED);
	frame_mpls(&f, 2000, 4);
	f.b[14 + 8] = 0x95;
	expect_drop(dec(&f), EV_MPLS_UNKNOWN_PAYLOAD_TYPE);
	frame_mpls(&f, 2000, 4);
	f.b[14 + 2] = 0; /* no bottom of stack: the labels run off */
	f.b[14 + 6] = 0;
	f.n = 14 + 8;
	expect_drop(dec(&f), EV_MPLS_HEADER_TOO_SMALL);
}

/* ----------------------------------------------------------- PPPoE, PPP */

Test(decode_tunnel, pppoe_session)
{
	struct fb f;

	frame_pppoe(&f, 0);
	expect_ok(dec(&f));
	expect_inner(false);
	cr_assert_eq(st.pppoe, 1);
	truncations(&f);
	frame_pppoe(&f, 7);
	expect_drop(dec(&f), EV_PPPOE_WRONG_CODE);
	frame_pppoe(&f, 0);
	set16(f.b, 14 + 4, 500);
	expect_drop(dec(&f), EV_PPPOE_PKT_TOO_SMALL);
}

Test(decode_tunnel, pppoe_discovery)
{
	struct fb f;

	fb_init(&f);
	eth(&f, 0x8863);
	put8(&f, 0x11);
	put8(&f, 0x09); /* PADI */
	put16(&f, 0);
	put16(&f, 8);
	put16(&f, 0x0101); /* service name, empty */
	put16(&f, 0);
	put16(&f, 0x0103); /* host uniq, 0 bytes */
	put16(&f, 0);
	cr_assert_eq(dec(&f), -1);
	cr_assert_eq(pkt.last_event, -1);
	cr_assert_eq(st.pppoe, 1);
	truncations(&f);
	set16(f.b, 14 + 6 + 6, 9); /* the second tag claims more than is left */
	expect_drop(dec(&f), EV_PPPOE_MALFORMED_TAGS);
	f.b[14 + 1] = 0x42;
	expect_drop(dec(&f), EV_PPPOE_WRONG_CODE);
}

Test(decode_tunnel, ppp_link_type)
{
	struct fb f;

	fb_init(&f);
	put8(&f, 0xff);
	put8(&f, 0x03);
	put16(&f, 0x0057);
	inner6(&f);
	expect_ok(dec_cfg(LINK_PPP, f.b, f.n));
	expect_inner(true);
	truncations_link(&f, LINK_PPP);
	fb_init(&f);
	put8(&f, 0x21); /* compressed protocol field: IPv4 */
	inner4(&f);
	expect_ok(dec_cfg(LINK_PPP, f.b, f.n));
	expect_inner(false);
	truncations_link(&f, LINK_PPP);
	fb_init(&f);
	put16(&f, 0xc021); /* LCP: not IP, not invalid */
	put32(&f, 0);
	cr_assert_eq(dec_cfg(LINK_PPP, f.b, f.n), -1);
	cr_assert_eq(pkt.last_event, -1);
	fb_init(&f);
	put16(&f, 0x0123);
	put32(&f, 0);
	expect_drop(dec_cfg(LINK_PPP, f.b, f.n), EV_PPP_WRONG_TYPE);
	fb_init(&f);
	put16(&f, 0x002d);
	put32(&f, 0);
	expect_drop(dec_cfg(LINK_PPP, f.b, f.n), EV_PPP_UNSUP_PROTO);
}

/* ------------------------------------------------------ nesting, depth */

/* VXLAN over IPv4, inside GRE over IPv6. */
static void frame_nested(struct fb *f)
{
	uint32_t o, ip, u;

	fb_init(f);
	eth(f, 0x86dd);
	o = ip6(f, 47, out6_src, out6_dst);
	gre0(f, 0x2000, 0x0800, 31);
	ip = ip4(f, 17, out4_src, out4_dst);
	u = f->n;
	put16(f, 51000);
	put16(f, 4789);
	put32(f, 0);
	put32(f, 0x08000000);
	put32(f, 5u << 8);
	inner_eth4(f);
	set16(f->b, u + 4, (uint16_t)(f->n - u));
	ip4_end(f, ip);
	ip6_end(f, o);
}

Test(decode_tunnel, nested_gre_vxlan)
{
	struct fb f;

	frame_nested(&f);
	expect_ok(dec(&f));
	expect_inner(false);
	/* the outermost layer, the innermost id */
	expect_tunnel(true, 47, 2, 5);
	cr_assert_eq(pkt.pub.tunnel.sport, 0);
	cr_assert_eq(pkt.track_id, 5); /* the VNI; the GRE key is not tracked */
	cr_assert_eq(st.gre, 1);
	cr_assert_eq(st.vxlan, 1);
	truncations(&f);
}

Test(decode_tunnel, depth_limit)
{
	struct fb f;

	cfg.max_depth = 1;
	frame_nested(&f);
	expect_drop(dec(&f), EV_TOO_MANY_LAYERS);
	cfg.max_depth = 2;
	expect_ok(dec(&f));
}

Test(decode_tunnel, deep_ip_in_ip_stops_at_the_default_limit)
{
	struct fb f;
	uint32_t at[12];

	fb_init(&f);
	eth(&f, 0x0800);
	for (int i = 0; i < 12; i++)
		at[i] = ip4(&f, 4, out4_src, out4_dst);
	inner4(&f);
	for (int i = 11; i >= 0; i--)
		ip4_end(&f, at[i]);
	expect_drop(dec(&f), EV_TOO_MANY_LAYERS);
	cr_assert_eq(st.ipv4_in_ipv4, 9);
	truncations(&f);
}

Test(decode_tunnel, event_names)
{
	cr_assert_str_eq(decode_event_name(EV_TOO_MANY_LAYERS), "decoder.too_many_layers");
	cr_assert_str_eq(decode_event_name(EV_GRE_V0_MALFORMED_SRE),
			 "gre.version0_malformed_sre_hdr");
	cr_assert_str_eq(decode_event_name(EV_ERSPAN_TOO_MANY_VLAN_LAYERS),
			 "erspan.too_many_vlan_layers");
	cr_assert_str_eq(decode_event_name(EV_PPP_UNSUP_PROTO), "ppp.unsup_proto");
	for (int i = 0; i < EV_MAX; i++)
		cr_assert_str_neq(decode_event_name((enum decode_event)i), "unknown");
}

/* ------------------------------------------------- IPv6 anomalies (item 6) */

Test(decode_tunnel, ipv6_routing_header_type0_is_counted)
{
	struct fb f;
	uint32_t ip;

	fb_init(&f);
	eth(&f, 0x86dd);
	ip = ip6(&f, 43, in6_src, in6_dst);
	put8(&f, 6); /* next: TCP */
	put8(&f, 2); /* 24 bytes */
	put8(&f, 0); /* type 0 */
	put8(&f, 1); /* segments left */
	put32(&f, 0);
	put_bytes(&f, out6_dst, 16);
	tcp_probe(&f);
	ip6_end(&f, ip);
	cr_assert_eq(dec(&f), 0);
	cr_assert_eq(pkt.last_event, EV_IPV6_RH_TYPE_0);
	cr_assert_eq(st.events[EV_IPV6_RH_TYPE_0], 1);
	cr_assert_eq(st.invalid, 0);
	expect_inner(true);
	f.b[14 + 40 + 2] = 2; /* type 2 (mobile IPv6): fine */
	expect_ok(dec(&f));
	cr_assert_eq(pkt.last_event, -1);
}

Test(decode_tunnel, ipv6_duplicated_hop_by_hop_is_counted)
{
	struct fb f;
	uint32_t ip;

	fb_init(&f);
	eth(&f, 0x86dd);
	ip = ip6(&f, 0, in6_src, in6_dst);
	put8(&f, 0);
	put8(&f, 0);
	put_bytes(&f, "\1\4\0\0\0\0", 6);
	put8(&f, 6);
	put8(&f, 0);
	put_bytes(&f, "\1\4\0\0\0\0", 6);
	tcp_probe(&f);
	ip6_end(&f, ip);
	cr_assert_eq(dec(&f), 0);
	/* each header holds one PadN: padding only, noted per header */
	cr_assert_eq(pkt.n_events, 2);
	cr_assert_eq(pkt.events[0], EV_IPV6_HOPOPTS_ONLY_PADDING);
	cr_assert_eq(pkt.events[1], EV_IPV6_EXTHDR_DUPL_HH);
	cr_assert_eq(st.events[EV_IPV6_EXTHDR_DUPL_HH], 1);
	cr_assert_eq(st.events[EV_IPV6_HOPOPTS_ONLY_PADDING], 2);
	expect_inner(true);
}

/* A destination options header (next: TCP) with the 6 option bytes
 * `opts`, decoded: the packet is delivered whatever the options say. */
static void dec_dstopts(const char *opts)
{
	struct fb f;
	uint32_t ip;

	fb_init(&f);
	eth(&f, 0x86dd);
	ip = ip6(&f, 60, in6_src, in6_dst);
	put8(&f, 6);
	put8(&f, 0); /* 8 bytes */
	put_bytes(&f, opts, 6);
	tcp_probe(&f);
	ip6_end(&f, ip);
	cr_assert_eq(dec(&f), 0);
	cr_assert_eq(st.invalid, 0);
	expect_inner(true);
}

/* Exactly the events `want` (n of them, in order) on the packet and
 * counted once each. */
static void expect_events(const enum decode_event *want, unsigned n)
{
	unsigned total = 0;

	cr_assert_eq(pkt.n_events, n);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(pkt.events[i], want[i], "event %u is %s, want %s", i,
			     decode_event_name(pkt.events[i]), decode_event_name(want[i]));
		cr_assert_eq(st.events[want[i]], 1);
	}
	for (int i = 0; i < EV_MAX; i++)
		total += (unsigned)st.events[i];
	cr_assert_eq(total, n);
}

Test(decode_tunnel, ipv6_destination_options_anomalies)
{
	static const enum decode_event unknown[] = {EV_IPV6_DSTOPTS_UNKNOWN_OPT},
				       padding[] = {EV_IPV6_DSTOPTS_ONLY_PADDING},
				       empty_padn[] = {EV_IPV6_ZERO_LEN_PADN,
						       EV_IPV6_DSTOPTS_ONLY_PADDING},
				       past_end[] = {EV_IPV6_EXTHDR_INVALID_OPTLEN};

	/* a home address option would be 0xc9 with 16 bytes: type 0x1e is
	 * unknown (a covert channel's carrier), then Pad1s */
	dec_dstopts("\x1e\x02\xaa\xbb\x00\x00");
	expect_events(unknown, 1);
	dec_dstopts("\x01\x04\x00\x00\x00\x00"); /* PadN of 4 */
	expect_events(padding, 1);
	dec_dstopts("\x01\x00\x01\x02\x00\x00"); /* PadN of 0, PadN of 2 */
	expect_events(empty_padn, 2);
	dec_dstopts("\x00\x00\x00\x1e\x09\x00"); /* option runs past the header */
	expect_events(past_end, 1);
	dec_dstopts("\x05\x02\x00\x00\x01\x00"); /* router alert, PadN of 0 */
	cr_assert_eq(pkt.n_events, 1);
	cr_assert_eq(pkt.events[0], EV_IPV6_ZERO_LEN_PADN);
}

Test(decode_tunnel, ipv6_hop_by_hop_unknown_option)
{
	static const enum decode_event want[] = {EV_IPV6_HOPOPTS_UNKNOWN_OPT};
	struct fb f;
	uint32_t ip;

	fb_init(&f);
	eth(&f, 0x86dd);
	ip = ip6(&f, 0, in6_src, in6_dst);
	put8(&f, 6);
	put8(&f, 0);
	put_bytes(&f, "\x3e\x04\x01\x02\x03\x04", 6);
	tcp_probe(&f);
	ip6_end(&f, ip);
	cr_assert_eq(dec(&f), 0);
	expect_events(want, 1);
}

/* A fragment header with offset 0 and no M flag describes the whole
 * datagram (an atomic fragment, RFC 6946): delivered as is, noted; its
 * reserved fields set are noted too. */
Test(decode_tunnel, ipv6_useless_and_reserved_fragment_header)
{
	static const enum decode_event useless[] = {EV_IPV6_EXTHDR_USELESS_FH},
				       both[] = {EV_IPV6_FH_NON_ZERO_RESERVED,
						 EV_IPV6_EXTHDR_USELESS_FH};
	struct fb f;
	uint32_t ip;

	fb_init(&f);
	eth(&f, 0x86dd);
	ip = ip6(&f, 44, in6_src, in6_dst);
	put8(&f, 6);
	put8(&f, 0);
	put16(&f, 0); /* offset 0, M 0 */
	put32(&f, 0x1234);
	tcp_probe(&f);
	ip6_end(&f, ip);
	cr_assert_eq(dec(&f), 0);
	cr_assert_not(pkt.is_fragment);
	expect_inner(true);
	expect_events(useless, 1);
	f.b[14 + 40 + 1] = 7; /* reserved byte */
	cr_assert_eq(dec(&f), 0);
	expect_events(both, 2);
	f.b[14 + 40 + 1] = 0;
	f.b[14 + 40 + 3] = 1; /* M: a first fragment, not useless */
	cr_assert_eq(dec(&f), 0);
	cr_assert(pkt.is_fragment);
	cr_assert_eq(pkt.n_events, 0);
}

/* ------------------------------------------------- decode_ip and tunnels */

Test(decode_tunnel, decode_ip_keeps_the_tunnel)
{
	struct fb f, in;

	frame_gre(&f, 0x2000, 8);
	expect_ok(dec(&f));
	fb_init(&in);
	inner4(&in);
	cr_assert_eq(decode_ip(&pkt, in.b, in.n, &st), 0);
	expect_tunnel_ctx(false, 47, 1, 8);
	/* the worker inspected the outer packet before: not kept again */
	cr_assert_not(pkt.has_outer);
	cr_assert_eq(pkt.track_id, 0);
	cr_assert_eq(pkt.depth, 1);
}
