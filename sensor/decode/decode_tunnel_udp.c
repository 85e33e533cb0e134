/*
 * decode_tunnel_udp.c - tunnels carried in UDP: VXLAN (RFC 7348), Geneve
 * (RFC 8926) and Teredo (RFC 4380).
 *
 * A UDP datagram whose destination port is in the VXLAN or Geneve list,
 * or one of whose ports is in the Teredo list (decoder: in sensor.yaml), is
 * looked at as that tunnel. Every check is made before the tunnel is
 * entered: a datagram that fails one stays a plain UDP datagram (these
 * ports carry other traffic too, and a broken header must not hide the
 * datagram from rules), with an event counted where Suricata has one
 * (vxlan/geneve.unknown_payload_type). Once entered, the inner packet
 * replaces the datagram, and a malformed inner packet is a drop under the
 * inner decoder's event.
 *
 * Validity checks:
 * - VXLAN: 8-byte header with the I flag, an Ethernet frame after it whose
 *   type is IPv4, IPv6, ARP, a VLAN tag, MPLS or PPPoE. VNI is the id.
 * - Geneve: version 0, the options' length within the datagram and its
 *   option TLVs filling it exactly; protocol Ethernet, IPv4 or IPv6. VNI is
 *   the id.
 * - Teredo (Suricata's checks): an optional 8-byte origin indication
 *   (0x0000 ...), any other header starting with 0x00 (authentication) is
 *   not a tunnel; then an IPv6 header whose hop limit is not 0, not a
 *   hop-by-hop header with fewer than 8 bytes of payload, and whose length
 *   ends exactly where the datagram ends.
 */
#include "decode/decode_internal.h"

#define VXLAN_HLEN	8
#define GENEVE_HLEN	8
#define TEREDO_ORIG_LEN 8
#define IPV6_HLEN	40
#define ETHERTYPE_ARP	0x0806
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8

static bool port_in(const struct decode_port_list *l, uint16_t port)
{
	for (unsigned i = 0; i < l->n && i < DECODE_MAX_PORTS; i++)
		if (l->port[i] == port)
			return true;
	return false;
}

static bool inner_ethertype_ok(uint16_t type)
{
	switch (type) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
	case ETHERTYPE_ARP:
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
	case ETHERTYPE_PPPOE_SESS:
	case ETHERTYPE_PPPOE_DISC:
		return true;
	default:
		return false;
	}
}

static int vxlan(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	uint32_t vni;

	if (len < VXLAN_HLEN + DECODE_ETH_HLEN || !(b[0] & 0x08))
		return 1;
	if (!inner_ethertype_ok(decode_rd16(b + VXLAN_HLEN + 12))) {
		decode_note(p, st, EV_VXLAN_UNKNOWN_PAYLOAD_TYPE);
		return 1;
	}
	vni = decode_rd32(b + 4) >> 8;
	st->vxlan++;
	if (decode_tunnel_enter(p, st, vni, true) != 0)
		return -1;
	return decode_ether(p, b + VXLAN_HLEN, len - VXLAN_HLEN, st);
}

/* The option TLVs in b[0..len) fill it exactly. */
static bool geneve_options_ok(const uint8_t *b, uint32_t len)
{
	uint32_t off = 0;

	while (off < len) {
		if (len - off < 4)
			return false;
		off += 4 + (uint32_t)(b[off + 3] & 0x1f) * 4;
	}
	return off == len;
}

static int geneve(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	uint32_t hlen, vni;
	uint16_t type;

	if (len < GENEVE_HLEN || b[0] >> 6 != 0)
		return 1;
	hlen = GENEVE_HLEN + (uint32_t)(b[0] & 0x3f) * 4;
	if (hlen > len || !geneve_options_ok(b + GENEVE_HLEN, hlen - GENEVE_HLEN))
		return 1;
	type = decode_rd16(b + 2);
	if (type != ETHERTYPE_TEB && type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6) {
		decode_note(p, st, EV_GENEVE_UNKNOWN_PAYLOAD_TYPE);
		return 1;
	}
	vni = decode_rd32(b + 4) >> 8;
	st->geneve++;
	if (decode_tunnel_enter(p, st, vni, true) != 0)
		return -1;
	if (type == ETHERTYPE_TEB)
		return decode_ether(p, b + hlen, len - hlen, st);
	return decode_ethertype(p, type, b + hlen, len - hlen, st);
}

static int teredo(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	uint32_t off = 0;
	const uint8_t *ip;

	if (len < IPV6_HLEN)
		return 1;
	if (b[0] == 0) {
		if (b[1] != 0 || len < TEREDO_ORIG_LEN + IPV6_HLEN)
			return 1; /* authentication, or not Teredo */
		off = TEREDO_ORIG_LEN;
	}
	ip = b + off;
	if (ip[0] >> 4 != 6 || ip[7] == 0)
		return 1;
	if (ip[6] == 0 && decode_rd16(ip + 4) < 8)
		return 1;
	if (len - off != IPV6_HLEN + (uint32_t)decode_rd16(ip + 4))
		return 1;
	st->teredo++;
	if (decode_tunnel_enter(p, st, 0, false) != 0)
		return -1;
	return decode_ipv6(p, ip, len - off, st);
}

int decode_udp_tunnel(struct packet *p, struct decode_stats *st)
{
	const struct decode_config *c = p->cfg;
	const uint8_t *b = p->pub.payload;
	uint32_t len = p->pub.payload_len;
	uint16_t sp = p->pub.sport, dp = p->pub.dport;

	if (p->is_fragment || !b)
		return 1;
	if (port_in(&c->vxlan, dp))
		return vxlan(p, b, len, st);
	if (port_in(&c->geneve, dp))
		return geneve(p, b, len, st);
	if (port_in(&c->teredo, dp) || port_in(&c->teredo, sp))
		return teredo(p, b, len, st);
	return 1;
}
