/*
 * pcapgen_tunnel.c - wrapping crafted frames in tunnels (see pcapgen.h):
 * GRE (IP payload, bridging, ERSPAN I/II/III, PPTP), IP-in-IP, VXLAN,
 * Geneve, Teredo, MPLS and PPPoE, nested through pg_tunnel.outer.
 *
 * The inner frame is the Ethernet frame pg_build made; the encapsulation
 * is built in a scratch buffer and the outer IP (and UDP) header around it
 * by pg_build itself, so the outer checksums are right. Test code only:
 * errors abort the test program.
 */
#include "pcapgen.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define ETH_HLEN 14

static void die(const char *what)
{
	fprintf(stderr, "pcapgen_tunnel: %s\n", what);
	abort();
}

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)(v >> 16));
	w16(p + 2, (uint16_t)v);
}

/* The IP packet inside an Ethernet frame (after any VLAN tags). */
static const uint8_t *frame_ip(const uint8_t *frame, size_t len, size_t *ip_len, uint16_t *type)
{
	size_t at = 12;

	while (at + 2 <= len && (frame[at] << 8 | frame[at + 1]) == 0x8100)
		at += 4;
	if (at + 2 > len)
		die("frame too short");
	*type = (uint16_t)(frame[at] << 8 | frame[at + 1]);
	*ip_len = len - at - 2;
	return frame + at + 2;
}

/* Outer Ethernet + IP (+ UDP) around `payload`. */
static size_t outer_ip(const struct pg_tunnel *t, uint8_t proto, uint16_t sport, uint16_t dport,
		       const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	struct pcapgen eth = {.linktype = 1};
	struct pg_pkt p = {
		.src = t->src,
		.dst = t->dst,
		.proto = proto,
		.sport = sport,
		.dport = dport,
		.payload = payload,
		.len = len,
	};

	return pg_build(&eth, &p, out, cap);
}

/* An Ethernet frame of `type` around `payload`. */
static size_t outer_eth(uint16_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x0b};

	if (len + ETH_HLEN > cap)
		die("frame too large");
	memcpy(out, macs, 12);
	w16(out + 12, type);
	memcpy(out + ETH_HLEN, payload, len);
	return len + ETH_HLEN;
}

/* GRE v0 header (key when `key`, sequence when `seq`) of `type`. */
static size_t gre_header(uint8_t *b, uint16_t type, uint32_t key, bool seq)
{
	size_t n = 4;

	w16(b, (uint16_t)((key ? 0x2000 : 0) | (seq ? 0x1000 : 0)));
	w16(b + 2, type);
	if (key) {
		w32(b + n, key);
		n += 4;
	}
	if (seq) {
		w32(b + n, 1);
		n += 4;
	}
	return n;
}

/* The encapsulation (what goes after the outer IP or UDP header). */
static size_t encap_gre(const struct pg_tunnel *t, const uint8_t *frame, size_t len, uint8_t *b,
			size_t cap)
{
	size_t n, ip_len;
	uint16_t type;
	const uint8_t *ip;

	if (len + 32 > cap)
		die("frame too large");
	switch (t->kind) {
	case PG_TUN_GRE:
		ip = frame_ip(frame, len, &ip_len, &type);
		n = gre_header(b, type, t->id, false);
		memcpy(b + n, ip, ip_len);
		return n + ip_len;
	case PG_TUN_GRE_TEB:
		n = gre_header(b, 0x6558, t->id, false);
		break;
	case PG_TUN_ERSPAN1:
		n = gre_header(b, 0x88be, 0, false);
		break;
	case PG_TUN_ERSPAN2:
		n = gre_header(b, 0x88be, 0, true);
		w16(b + n, (uint16_t)(0x1000 | (t->vlan & 0x0fff)));
		w16(b + n + 2, (uint16_t)(t->id & 0x3ff));
		w32(b + n + 4, 0);
		n += 8;
		break;
	default: /* PG_TUN_ERSPAN3 */
		n = gre_header(b, 0x22eb, 0, true);
		w16(b + n, (uint16_t)(0x2000 | (t->vlan & 0x0fff)));
		w16(b + n + 2, (uint16_t)(t->id & 0x3ff));
		w32(b + n + 4, 0x11223344); /* timestamp */
		w32(b + n + 8, 0);	    /* SGT, flags, no subheader */
		n += 12;
		break;
	}
	memcpy(b + n, frame, len);
	return n + len;
}

/* PPP (address, control, protocol) around the frame's IP packet. */
static size_t encap_ppp(const uint8_t *frame, size_t len, uint8_t *b, bool hdlc)
{
	size_t ip_len, n = 0;
	uint16_t type;
	const uint8_t *ip = frame_ip(frame, len, &ip_len, &type);

	if (hdlc) {
		b[n++] = 0xff;
		b[n++] = 0x03;
	}
	w16(b + n, type == 0x0800 ? 0x0021 : 0x0057);
	memcpy(b + n + 2, ip, ip_len);
	return n + 2 + ip_len;
}

static size_t wrap_pptp(const struct pg_tunnel *t, const uint8_t *frame, size_t len, uint8_t *out,
			size_t cap, uint8_t *b)
{
	size_t n = encap_ppp(frame, len, b + 12, true);

	w16(b, 0x3001); /* key, sequence, version 1 */
	w16(b + 2, 0x880b);
	w16(b + 4, (uint16_t)n);
	w16(b + 6, (uint16_t)t->id);
	w32(b + 8, 1);
	return outer_ip(t, 47, 0, 0, b, n + 12, out, cap);
}

static size_t wrap_udp(const struct pg_tunnel *t, const uint8_t *frame, size_t len, uint8_t *out,
		       size_t cap, uint8_t *b)
{
	size_t ip_len;
	uint16_t type;
	const uint8_t *ip;

	switch (t->kind) {
	case PG_TUN_VXLAN:
		w32(b, 0x08000000);
		w32(b + 4, t->id << 8);
		memcpy(b + 8, frame, len);
		return outer_ip(t, IPPROTO_UDP, 50000, t->port ? t->port : 4789, b, len + 8, out,
				cap);
	case PG_TUN_GENEVE:
		w32(b, 0x02006558); /* version 0, 2 words of options, Ethernet */
		w32(b + 4, t->id << 8);
		w32(b + 8, 0x01028001); /* class 0x0102, type 0x80, 1 word */
		w32(b + 12, 0xcafef00d);
		memcpy(b + 16, frame, len);
		return outer_ip(t, IPPROTO_UDP, 50000, t->port ? t->port : 6081, b, len + 16, out,
				cap);
	default: /* PG_TUN_TEREDO */
		ip = frame_ip(frame, len, &ip_len, &type);
		if (type != 0x86dd)
			die("Teredo carries IPv6 only");
		return outer_ip(t, IPPROTO_UDP, t->port ? t->port : 3544, 50000, ip, ip_len, out,
				cap);
	}
}

static size_t wrap_l2(const struct pg_tunnel *t, const uint8_t *frame, size_t len, uint8_t *out,
		      size_t cap, uint8_t *b)
{
	size_t ip_len, n;
	uint16_t type;
	const uint8_t *ip = frame_ip(frame, len, &ip_len, &type);

	if (t->kind == PG_TUN_MPLS) {
		w32(b, t->id << 12 | 64);
		w32(b + 4, (t->id + 1) << 12 | 0x100 | 64);
		memcpy(b + 8, ip, ip_len);
		return outer_eth(0x8847, b, ip_len + 8, out, cap);
	}
	/* PPPoE session */
	b[0] = 0x11;
	b[1] = 0;
	w16(b + 2, (uint16_t)t->id);
	n = encap_ppp(frame, len, b + 6, false);
	w16(b + 4, (uint16_t)n);
	return outer_eth(0x8864, b, n + 6, out, cap);
}

static size_t wrap_one(const struct pg_tunnel *t, const uint8_t *frame, size_t len, uint8_t *out,
		       size_t cap)
{
	static uint8_t b[PG_MAX_FRAME];
	size_t ip_len;
	uint16_t type;
	const uint8_t *ip;

	if (len + 64 > sizeof(b))
		die("frame too large");
	switch (t->kind) {
	case PG_TUN_GRE:
	case PG_TUN_GRE_TEB:
	case PG_TUN_ERSPAN1:
	case PG_TUN_ERSPAN2:
	case PG_TUN_ERSPAN3:
		return outer_ip(t, 47, 0, 0, b, encap_gre(t, frame, len, b, sizeof(b)), out, cap);
	case PG_TUN_PPTP:
		return wrap_pptp(t, frame, len, out, cap, b);
	case PG_TUN_IPIP:
		ip = frame_ip(frame, len, &ip_len, &type);
		memcpy(b, ip, ip_len);
		return outer_ip(t, type == 0x0800 ? 4 : 41, 0, 0, b, ip_len, out, cap);
	case PG_TUN_VXLAN:
	case PG_TUN_GENEVE:
	case PG_TUN_TEREDO:
		return wrap_udp(t, frame, len, out, cap, b);
	case PG_TUN_MPLS:
	case PG_TUN_PPPOE:
		return wrap_l2(t, frame, len, out, cap, b);
	}
	die("unknown tunnel kind");
	return 0;
}

size_t pg_tunnel_wrap(const struct pg_tunnel *t, const uint8_t *frame, size_t len, uint8_t *out,
		      size_t cap)
{
	static uint8_t tmp[PG_MAX_FRAME];
	size_t n = wrap_one(t, frame, len, out, cap);

	for (t = t->outer; t; t = t->outer) {
		if (n > sizeof(tmp))
			die("frame too large");
		memcpy(tmp, out, n);
		n = wrap_one(t, tmp, n, out, cap);
	}
	return n;
}
