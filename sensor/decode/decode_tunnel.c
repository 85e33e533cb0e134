/*
 * decode_tunnel.c - entering a tunnel layer, and IP-in-IP (4in4, 6in4,
 * 4in6, 6in6).
 *
 * A tunnel replaces the packet decoded so far by the one it carries: the
 * outermost IP layer (addresses, protocol, UDP ports) is copied once into
 * p->pub.tunnel, every field the inner decoders set is reset, and the inner
 * packet is decoded into the same struct packet, so flows, reassembly,
 * plugins and rules see the inner packet like any other. The frame and the
 * capture fields stay those of the outer frame; VLAN ids collect across
 * layers (an inner Ethernet frame's tags follow the outer ones). Before
 * the first layer the outer packet itself is kept in p->outer (has_outer)
 * for the host to inspect as a packet of its own (Suricata's tunnel root).
 *
 * Invariants:
 * - At most cfg->max_depth tunnel layers, and twice that many
 *   encapsulations of any kind (MPLS stacks, PPPoE and pseudowires count
 *   too): one more is decoder.too_many_layers and a drop, so a frame of
 *   nested headers cannot make the decoder recurse without end.
 * - tunnel.depth counts the layers, tunnel.id is the innermost layer's id
 *   (VNI, GRE key, ERSPAN session, PPTP call id); p->track_id, when the
 *   configuration keys flows by it, combines the ids of every layer whose
 *   id is the same both ways (VXLAN and Geneve VNIs, ERSPAN sessions; not
 *   GRE keys or PPTP call ids, which may differ per direction and would
 *   split a connection in two), the VNI alone for a single VXLAN layer.
 * Pure, like the rest of decode/.
 */
#include "decode/decode_internal.h"

#include <string.h>

#define PROTO_IPIP 4
#define PROTO_UDP  17

/* Clear what a decoder of an inner layer sets. */
static void reset_inner(struct packet *p)
{
	struct ids_packet *pub = &p->pub;

	pub->l3 = NULL;
	pub->l3_len = 0;
	pub->payload = NULL;
	pub->payload_len = 0;
	memset(&pub->src, 0, sizeof(pub->src));
	memset(&pub->dst, 0, sizeof(pub->dst));
	pub->sport = pub->dport = 0;
	pub->ip_version = pub->proto = pub->ttl = 0;
	pub->tcp_flags = pub->icmp_type = pub->icmp_code = 0;
	pub->tcp_seq = pub->tcp_ack = 0;
	pub->tcp_win = 0;
	p->l4 = NULL;
	p->l4_len = 0;
}

/* The outermost packet, before the first tunnel layer replaces it: an
 * IP-level tunnel's (IP-in-IP, GRE) outer packet has no payload of its
 * own, as in Suricata, so only header rules see it. */
static void keep_outer(struct packet *p)
{
	p->outer = p->pub;
	if (p->pub.proto != PROTO_UDP) {
		p->outer.payload = NULL;
		p->outer.payload_len = 0;
	}
	p->has_outer = true;
}

int decode_layer_enter(struct packet *p, struct decode_stats *st)
{
	if (p->layers >= 2u * p->cfg->max_depth)
		return decode_drop(p, st, EV_TOO_MANY_LAYERS);
	p->layers++;
	return 0;
}

int decode_tunnel_enter(struct packet *p, struct decode_stats *st, uint32_t id, bool track)
{
	struct ids_tunnel *t = &p->pub.tunnel;

	if (p->depth >= p->cfg->max_depth)
		return decode_drop(p, st, EV_TOO_MANY_LAYERS);
	if (decode_layer_enter(p, st) != 0)
		return -1;
	if (p->depth == 0) {
		keep_outer(p);
		t->src = p->pub.src;
		t->dst = p->pub.dst;
		t->proto = p->pub.proto;
		t->pkt_src = p->pub.pkt_src;
		if (p->pub.proto == PROTO_UDP) {
			t->sport = p->pub.sport;
			t->dport = p->pub.dport;
		}
	}
	p->depth++;
	t->depth = p->depth;
	t->id = id;
	/* every layer's id counts: a VNI stays in the key below an id-less
	 * IP-in-IP layer */
	if (track && p->cfg->track_by_id)
		p->track_id = p->track_id * 31 + id;
	reset_inner(p);
	return 0;
}

/* The inner header's first nibble must match the protocol number. */
static int ip_in_ip_check(struct packet *p, const uint8_t *b, uint32_t len, bool inner6,
			  struct decode_stats *st)
{
	bool outer6 = p->pub.ip_version == 6;
	uint32_t need = inner6 ? 40 : 20;

	if (len < need) {
		if (outer6)
			return decode_drop(p, st,
					   inner6 ? EV_IPV6_IN_IPV6_TOO_SMALL
						  : EV_IPV4_IN_IPV6_TOO_SMALL);
		return decode_drop(p, st, inner6 ? EV_IPV6_PKT_TOO_SMALL : EV_IPV4_PKT_TOO_SMALL);
	}
	if (b[0] >> 4 != (inner6 ? 6 : 4)) {
		if (outer6)
			return decode_drop(p, st,
					   inner6 ? EV_IPV6_IN_IPV6_WRONG_VERSION
						  : EV_IPV4_IN_IPV6_WRONG_VERSION);
		return decode_drop(p, st,
				   inner6 ? EV_IPV6_WRONG_IP_VERSION : EV_IPV4_WRONG_IP_VERSION);
	}
	return 0;
}

int decode_ip_in_ip(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	bool inner6 = p->pub.proto != PROTO_IPIP;
	bool outer6 = p->pub.ip_version == 6;

	if (ip_in_ip_check(p, b, len, inner6, st) != 0)
		return -1;
	if (outer6 && inner6)
		st->ipv6_in_ipv6++;
	else if (outer6)
		st->ipv4_in_ipv6++;
	else if (inner6)
		st->ipv6_in_ipv4++;
	else
		st->ipv4_in_ipv4++;
	if (decode_tunnel_enter(p, st, 0, false) != 0)
		return -1;
	return inner6 ? decode_ipv6(p, b, len, st) : decode_ipv4(p, b, len, st);
}
