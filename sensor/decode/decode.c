/*
 * decode.c - link, network and transport decoders (see decode.h).
 *
 * A frame is walked outside in: link header (Ethernet II, SLL, SLL2, raw
 * IP, BSD loopback), VLAN tags, the IP header, IPv6 extension headers, the
 * transport header. Each layer is handed exactly the bytes it may use:
 * the IP layer gets what the link layer left, the transport layer gets the
 * IP payload as the IP header's own length says (never the Ethernet
 * padding or trailer captured beyond it), and a layer never reads past
 * what it was handed. Every read is preceded by a check of that length.
 *
 * Invariants:
 * - Pure: no allocation, no global state, no logging. Hostile input only
 *   ever produces a counted event.
 * - Every field of the packet is reset before decoding, so nothing leaks
 *   from the previous frame into this one.
 * - A check that fails drops the frame: the event is counted in
 *   st->events[] and st->invalid, p->last_event names it, and the decoder
 *   returns -1. Some events are not drops: a TCP option with a bad length,
 *   a UDP length field shorter than the IP payload, the IPv6 extension
 *   header anomalies (routing type 0, a second hop-by-hop header, options
 *   headers with unknown or only padding options, a fragment header that
 *   says "the whole datagram") are counted in st->events[] and named in
 *   p->last_event, but the packet is still delivered (hosts accept such
 *   packets, so dropping them would let a payload past detection).
 *   p->events holds each distinct event of the packet (the first
 *   PACKET_MAX_EVENTS), so the worker raises every one of them.
 * - Non-IP frames (ARP, LLDP, BSD loopback families other than IP) return
 *   -1 without an event and are not invalid.
 * - Fragments (IPv4 MF or offset, IPv6 fragment header with M or offset)
 *   are not decoded past the IP layer, first fragments included: the
 *   reassembled datagram is decoded later through decode_ip().
 *
 * Counters: pkts and bytes (captured) count every frame; a protocol counter
 * (ethernet, ipv4, tcp, ...) counts every frame that reached that decoder,
 * valid or not; vlan counts frames with at least one tag, vlan_qinq frames
 * with two; frag_ipv4/frag_ipv6 count fragments.
 */
#include "decode/decode_internal.h"

#include <stddef.h>
#include <string.h>

#define ETH_HLEN  DECODE_ETH_HLEN
#define SLL_HLEN  16
#define SLL2_HLEN 20
#define NULL_HLEN 4
#define VLAN_HLEN 4
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define TCP_HLEN  20
#define UDP_HLEN  8
#define ICMP_HLEN 8

#define ETHERTYPE_VLAN	   0x8100
#define ETHERTYPE_QINQ	   0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

/* BSD loopback address families (host byte order in the header). */
#define NULL_AF_INET	      2
#define NULL_AF_INET6_BSD     24
#define NULL_AF_INET6_FREEBSD 28
#define NULL_AF_INET6_DARWIN  30

#define PROTO_ICMP   1
#define PROTO_IPIP   4
#define PROTO_IPV6   41
#define PROTO_GRE    47
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58
#define EXT_HOPOPTS  0
#define EXT_ROUTING  43
#define EXT_FRAGMENT 44
#define EXT_AH	     51
#define EXT_DSTOPTS  60

static const char *const event_names[EV_MAX] = {
	[EV_ETH_PKT_TOO_SMALL] = "ethernet.pkt_too_small",
	[EV_VLAN_HEADER_TOO_SMALL] = "vlan.header_too_small",
	[EV_VLAN_TOO_MANY_LAYERS] = "vlan.too_many_layers",
	[EV_SLL_PKT_TOO_SMALL] = "sll.pkt_too_small",
	[EV_SLL2_PKT_TOO_SMALL] = "sll2.pkt_too_small",
	[EV_IPV4_PKT_TOO_SMALL] = "ipv4.pkt_too_small",
	[EV_IPV4_HLEN_TOO_SMALL] = "ipv4.hlen_too_small",
	[EV_IPV4_IPLEN_SMALLER_THAN_HLEN] = "ipv4.iplen_smaller_than_hlen",
	[EV_IPV4_TRUNC_PKT] = "ipv4.trunc_pkt",
	[EV_IPV4_OPT_INVALID] = "ipv4.opt_invalid",
	[EV_IPV4_OPT_INVALID_LEN] = "ipv4.opt_invalid_len",
	[EV_IPV4_WRONG_IP_VERSION] = "ipv4.wrong_ip_version",
	[EV_IPV6_PKT_TOO_SMALL] = "ipv6.pkt_too_small",
	[EV_IPV6_TRUNC_PKT] = "ipv6.trunc_pkt",
	[EV_IPV6_TRUNC_EXTHDR] = "ipv6.trunc_exthdr",
	[EV_IPV6_WRONG_IP_VERSION] = "ipv6.wrong_ip_version",
	[EV_IPV6_EXTHDR_DUPL_FH] = "ipv6.exthdr_dupl_fh",
	[EV_TCP_PKT_TOO_SMALL] = "tcp.pkt_too_small",
	[EV_TCP_HLEN_TOO_SMALL] = "tcp.hlen_too_small",
	[EV_TCP_INVALID_OPTLEN] = "tcp.invalid_optlen",
	[EV_TCP_OPT_INVALID_LEN] = "tcp.opt_invalid_len",
	[EV_UDP_PKT_TOO_SMALL] = "udp.pkt_too_small",
	[EV_UDP_HLEN_TOO_SMALL] = "udp.hlen_too_small",
	[EV_UDP_HLEN_INVALID] = "udp.hlen_invalid",
	[EV_ICMPV4_PKT_TOO_SMALL] = "icmpv4.pkt_too_small",
	[EV_ICMPV6_PKT_TOO_SMALL] = "icmpv6.pkt_too_small",
	[EV_UNKNOWN_LINK_TYPE] = "decoder.unknown_link_type",
	[EV_UNKNOWN_ETHERTYPE] = "ethernet.unknown_ethertype",
	[EV_NULL_PKT_TOO_SMALL] = "ltnull.pkt_too_small",
	[EV_UDP_LEN_INVALID] = "udp.len_invalid",
	[EV_IPV6_RH_TYPE_0] = "ipv6.rh_type_0",
	[EV_IPV6_EXTHDR_DUPL_HH] = "ipv6.exthdr_dupl_hh",
	[EV_IPV6_EXTHDR_USELESS_FH] = "ipv6.exthdr_useless_fh",
	[EV_IPV6_FH_NON_ZERO_RESERVED] = "ipv6.fh_non_zero_reserved_field",
	[EV_IPV6_HOPOPTS_UNKNOWN_OPT] = "ipv6.hopopts_unknown_opt",
	[EV_IPV6_HOPOPTS_ONLY_PADDING] = "ipv6.hopopts_only_padding",
	[EV_IPV6_DSTOPTS_UNKNOWN_OPT] = "ipv6.dstopts_unknown_opt",
	[EV_IPV6_DSTOPTS_ONLY_PADDING] = "ipv6.dstopts_only_padding",
	[EV_IPV6_ZERO_LEN_PADN] = "ipv6.zero_len_padn",
	[EV_IPV6_EXTHDR_INVALID_OPTLEN] = "ipv6.exthdr_invalid_optlen",
	[EV_TOO_MANY_LAYERS] = "decoder.too_many_layers",
	[EV_GRE_PKT_TOO_SMALL] = "gre.pkt_too_small",
	[EV_GRE_WRONG_VERSION] = "gre.wrong_version",
	[EV_GRE_V0_RECUR] = "gre.version0_recur",
	[EV_GRE_V0_FLAGS] = "gre.version0_flags",
	[EV_GRE_V0_HDR_TOO_BIG] = "gre.version0_hdr_too_big",
	[EV_GRE_V0_MALFORMED_SRE] = "gre.version0_malformed_sre_hdr",
	[EV_GRE_V1_CHKSUM] = "gre.version1_chksum",
	[EV_GRE_V1_ROUTE] = "gre.version1_route",
	[EV_GRE_V1_RECUR] = "gre.version1_recur",
	[EV_GRE_V1_FLAGS] = "gre.version1_flags",
	[EV_GRE_V1_NO_KEY] = "gre.version1_no_key",
	[EV_GRE_V1_WRONG_PROTOCOL] = "gre.version1_wrong_protocol",
	[EV_GRE_V1_HDR_TOO_BIG] = "gre.version1_hdr_too_big",
	[EV_ERSPAN_HEADER_TOO_SMALL] = "erspan.header_too_small",
	[EV_ERSPAN_UNSUPPORTED_VERSION] = "erspan.unsupported_version",
	[EV_ERSPAN_TOO_MANY_VLAN_LAYERS] = "erspan.too_many_vlan_layers",
	[EV_IPV4_IN_IPV6_TOO_SMALL] = "ipv6.ipv4_in_ipv6_too_small",
	[EV_IPV4_IN_IPV6_WRONG_VERSION] = "ipv6.ipv4_in_ipv6_wrong_version",
	[EV_IPV6_IN_IPV6_TOO_SMALL] = "ipv6.ipv6_in_ipv6_too_small",
	[EV_IPV6_IN_IPV6_WRONG_VERSION] = "ipv6.ipv6_in_ipv6_wrong_version",
	[EV_VXLAN_UNKNOWN_PAYLOAD_TYPE] = "vxlan.unknown_payload_type",
	[EV_GENEVE_UNKNOWN_PAYLOAD_TYPE] = "geneve.unknown_payload_type",
	[EV_MPLS_HEADER_TOO_SMALL] = "mpls.header_too_small",
	[EV_MPLS_PKT_TOO_SMALL] = "mpls.pkt_too_small",
	[EV_MPLS_BAD_LABEL_ROUTER_ALERT] = "mpls.bad_label_router_alert",
	[EV_MPLS_BAD_LABEL_IMPLICIT_NULL] = "mpls.bad_label_implicit_null",
	[EV_MPLS_BAD_LABEL_RESERVED] = "mpls.bad_label_reserved",
	[EV_MPLS_UNKNOWN_PAYLOAD_TYPE] = "mpls.unknown_payload_type",
	[EV_PPPOE_PKT_TOO_SMALL] = "pppoe.pkt_too_small",
	[EV_PPPOE_WRONG_CODE] = "pppoe.wrong_code",
	[EV_PPPOE_MALFORMED_TAGS] = "pppoe.malformed_tags",
	[EV_PPP_PKT_TOO_SMALL] = "ppp.pkt_too_small",
	[EV_PPP_VJU_PKT_TOO_SMALL] = "ppp.vju_pkt_too_small",
	[EV_PPP_WRONG_TYPE] = "ppp.wrong_type",
	[EV_PPP_UNSUP_PROTO] = "ppp.unsup_proto",
};

const char *decode_event_name(enum decode_event ev)
{
	if ((unsigned)ev >= EV_MAX || !event_names[ev])
		return "unknown";
	return event_names[ev];
}

#define rd16 decode_rd16
#define rd32 decode_rd32
#define drop decode_drop
#define note decode_note

/* Name ev in p: last_event, and once in p->events while there is room. */
static void keep_event(struct packet *p, enum decode_event ev)
{
	p->last_event = (int)ev;
	for (unsigned i = 0; i < p->n_events; i++)
		if (p->events[i] == ev)
			return;
	if (p->n_events < PACKET_MAX_EVENTS)
		p->events[p->n_events++] = (uint8_t)ev;
}

int decode_drop(struct packet *p, struct decode_stats *st, enum decode_event ev)
{
	st->events[ev]++;
	st->invalid++;
	keep_event(p, ev);
	return -1;
}

void decode_note(struct packet *p, struct decode_stats *st, enum decode_event ev)
{
	st->events[ev]++;
	keep_event(p, ev);
}

/* ------------------------------------------------------------ transport */

/* Walk the TCP options in b[TCP_HLEN .. hlen); 0 when well formed. */
static int tcp_options_ok(const uint8_t *b, uint32_t hlen)
{
	uint32_t i = TCP_HLEN;

	while (i < hlen) {
		uint8_t kind = b[i];

		if (kind == 0) /* end of option list */
			return 0;
		if (kind == 1) { /* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= hlen || b[i + 1] < 2 || b[i + 1] > hlen - i)
			return -1;
		i += b[i + 1];
	}
	return 0;
}

static int decode_tcp(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	struct ids_packet *pub = &p->pub;
	uint32_t hlen;

	st->tcp++;
	if (len < TCP_HLEN)
		return drop(p, st, EV_TCP_PKT_TOO_SMALL);
	hlen = (uint32_t)(b[12] >> 4) * 4;
	if (hlen < TCP_HLEN)
		return drop(p, st, EV_TCP_HLEN_TOO_SMALL);
	if (hlen > len)
		return drop(p, st, EV_TCP_INVALID_OPTLEN);
	if (tcp_options_ok(b, hlen) != 0)
		note(p, st, EV_TCP_OPT_INVALID_LEN);
	pub->sport = rd16(b);
	pub->dport = rd16(b + 2);
	pub->tcp_seq = rd32(b + 4);
	pub->tcp_ack = rd32(b + 8);
	pub->tcp_flags = b[13];
	pub->tcp_win = rd16(b + 14);
	pub->payload = b + hlen;
	pub->payload_len = len - hlen;
	p->l4 = b;
	p->l4_len = len;
	return 0;
}

/*
 * UDP, with Suricata's events: fewer than 8 bytes is udp.hlen_too_small, a
 * length field below 8 udp.len_invalid, one beyond the IP payload
 * udp.pkt_too_small (all drops); a length field shorter than the IP payload
 * is udp.hlen_invalid, counted, and the datagram ends where its length says.
 */
static int decode_udp(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	struct ids_packet *pub = &p->pub;
	uint32_t ulen;

	st->udp++;
	if (len < UDP_HLEN)
		return drop(p, st, EV_UDP_HLEN_TOO_SMALL);
	ulen = rd16(b + 4);
	if (ulen < UDP_HLEN)
		return drop(p, st, EV_UDP_LEN_INVALID);
	if (ulen > len)
		return drop(p, st, EV_UDP_PKT_TOO_SMALL);
	if (ulen < len)
		note(p, st, EV_UDP_HLEN_INVALID);
	pub->sport = rd16(b);
	pub->dport = rd16(b + 2);
	pub->payload = b + UDP_HLEN;
	pub->payload_len = ulen - UDP_HLEN;
	p->l4 = b;
	p->l4_len = ulen;
	return 0;
}

static int decode_icmp(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st,
		       bool v6)
{
	struct ids_packet *pub = &p->pub;

	if (v6)
		st->icmpv6++;
	else
		st->icmpv4++;
	if (len < ICMP_HLEN)
		return drop(p, st, v6 ? EV_ICMPV6_PKT_TOO_SMALL : EV_ICMPV4_PKT_TOO_SMALL);
	pub->icmp_type = b[0];
	pub->icmp_code = b[1];
	pub->payload = b + ICMP_HLEN;
	pub->payload_len = len - ICMP_HLEN;
	p->l4 = b;
	p->l4_len = len;
	return 0;
}

/* The IP payload `b[0..len)` of a complete (non-fragment) datagram. */
static int decode_transport(struct packet *p, const uint8_t *b, uint32_t len,
			    struct decode_stats *st)
{
	uint8_t proto = p->pub.proto;
	bool v6 = p->pub.ip_version == 6;
	int rc;

	p->l3_ok = true;
	if (proto == PROTO_TCP)
		return decode_tcp(p, b, len, st);
	if (proto == PROTO_UDP) {
		rc = decode_udp(p, b, len, st);
		if (rc != 0)
			return rc;
		rc = decode_udp_tunnel(p, st);
		return rc > 0 ? 0 : rc;
	}
	if ((proto == PROTO_ICMP && !v6) || (proto == PROTO_ICMPV6 && v6))
		return decode_icmp(p, b, len, st, v6);
	if (proto == PROTO_GRE && p->cfg->gre)
		return decode_gre(p, b, len, st);
	if ((proto == PROTO_IPIP || proto == PROTO_IPV6) && p->cfg->ipip)
		return decode_ip_in_ip(p, b, len, st);
	st->other_ip++;
	p->pub.payload = b;
	p->pub.payload_len = len;
	return 0;
}

/* ----------------------------------------------------------------- IPv4 */

/* Walk the IPv4 options in b[IPV4_HLEN .. hlen); 0 or the event. */
static int ipv4_options_check(const uint8_t *b, uint32_t hlen, enum decode_event *ev)
{
	uint32_t i = IPV4_HLEN;

	while (i < hlen) {
		uint8_t type = b[i];

		if (type == 0) /* end of option list */
			return 0;
		if (type == 1) { /* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= hlen) {
			*ev = EV_IPV4_OPT_INVALID;
			return -1;
		}
		if (b[i + 1] < 2 || b[i + 1] > hlen - i) {
			*ev = EV_IPV4_OPT_INVALID_LEN;
			return -1;
		}
		i += b[i + 1];
	}
	return 0;
}

int decode_ipv4(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	struct ids_packet *pub = &p->pub;
	enum decode_event ev;
	uint32_t hlen, tot;
	uint16_t frag;

	p->l3_ok = false;
	st->ipv4++;
	if (len < IPV4_HLEN)
		return drop(p, st, EV_IPV4_PKT_TOO_SMALL);
	if (b[0] >> 4 != 4)
		return drop(p, st, EV_IPV4_WRONG_IP_VERSION);
	hlen = (uint32_t)(b[0] & 0x0f) * 4;
	if (hlen < IPV4_HLEN)
		return drop(p, st, EV_IPV4_HLEN_TOO_SMALL);
	tot = rd16(b + 2);
	if (tot < hlen)
		return drop(p, st, EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
	if (tot > len)
		return drop(p, st, EV_IPV4_TRUNC_PKT);
	if (ipv4_options_check(b, hlen, &ev) != 0)
		return drop(p, st, ev);

	pub->ip_version = 4;
	pub->l3 = b;
	pub->l3_len = tot;
	pub->ttl = b[8];
	pub->proto = b[9];
	pub->src.family = pub->dst.family = 4;
	memcpy(pub->src.bytes, b + 12, 4);
	memcpy(pub->dst.bytes, b + 16, 4);

	frag = rd16(b + 6);
	if (frag & 0x3fff) { /* MF or a fragment offset */
		st->frag_ipv4++;
		p->is_fragment = true;
		p->frag_more = (frag & 0x2000) != 0;
		p->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
		p->frag_id = rd16(b + 4);
		pub->payload = b + hlen;
		pub->payload_len = tot - hlen;
		return 0;
	}
	return decode_transport(p, b + hlen, tot - hlen, st);
}

/* ----------------------------------------------------------------- IPv6 */

/* State of the IPv6 extension header walk. */
struct ipv6_walk {
	const uint8_t *b;
	uint32_t off, end; /* next header at b[off], datagram ends at b[end] */
	uint8_t nh;	   /* type of the header at b[off] */
	bool seen_fh, seen_hh;
	bool stop; /* the rest is fragment data: no more headers to walk */
};

/* The fragment header at w->off (8 bytes, checked by the caller). */
static int ipv6_fragment(struct packet *p, struct ipv6_walk *w, struct decode_stats *st)
{
	const uint8_t *h = w->b + w->off;
	uint16_t offm = rd16(h + 2);

	if (w->seen_fh)
		return drop(p, st, EV_IPV6_EXTHDR_DUPL_FH);
	w->seen_fh = true;
	if (h[1] || (offm & 6))
		note(p, st, EV_IPV6_FH_NON_ZERO_RESERVED);
	if ((offm & 0xfff8) == 0 && !(offm & 1)) /* says "the whole datagram" */
		note(p, st, EV_IPV6_EXTHDR_USELESS_FH);
	w->nh = h[0];
	w->off += 8;
	if ((offm & 0xfff9) == 0) /* atomic fragment: the datagram is whole */
		return 0;
	st->frag_ipv6++;
	p->is_fragment = true;
	p->frag_more = (offm & 1) != 0;
	p->frag_offset = offm & 0xfff8;
	p->frag_id = rd32(h + 4);
	p->frag_next = h[0];
	p->pub.payload = w->b + w->off;
	p->pub.payload_len = w->end - w->off;
	w->stop = p->frag_offset != 0;
	return 0;
}

/* Option types an options header may carry besides padding: router
 * alert (RFC 2711), jumbo payload (RFC 2675), home address (RFC 6275). */
static bool ipv6_option_known(uint8_t type)
{
	return type == 0x05 || type == 0xc2 || type == 0xc9;
}

/* The options of the hop-by-hop (hop) or destination options header h of
 * hlen bytes: unknown types, padding only, an empty PadN and an option
 * running past the header are each noted once per header. */
static void ipv6_options(struct packet *p, const uint8_t *h, uint32_t hlen, bool hop,
			 struct decode_stats *st)
{
	unsigned pads = 0, others = 0;
	bool unknown = false, empty_padn = false;

	for (uint32_t off = 2; off < hlen;) {
		if (h[off] == 0) { /* Pad1: one byte, no length */
			pads++;
			off++;
			continue;
		}
		if (off + 2 > hlen || off + 2 + h[off + 1] > hlen) {
			note(p, st, EV_IPV6_EXTHDR_INVALID_OPTLEN);
			return;
		}
		if (h[off] == 1) {
			pads++;
			empty_padn |= h[off + 1] == 0;
		} else {
			others++;
			unknown |= !ipv6_option_known(h[off]);
		}
		off += 2 + (uint32_t)h[off + 1];
	}
	if (empty_padn)
		note(p, st, EV_IPV6_ZERO_LEN_PADN);
	if (pads && !others)
		note(p, st, hop ? EV_IPV6_HOPOPTS_ONLY_PADDING : EV_IPV6_DSTOPTS_ONLY_PADDING);
	if (unknown)
		note(p, st, hop ? EV_IPV6_HOPOPTS_UNKNOWN_OPT : EV_IPV6_DSTOPTS_UNKNOWN_OPT);
}

/* Hosts drop these (RFC 5095, RFC 8200 4.1), and options headers that hold
 * nothing a host acts on (covert channels); counted, still delivered. The
 * header at w->off is hlen bytes, all inside the datagram. */
static void ipv6_ext_anomalies(struct packet *p, struct ipv6_walk *w, uint32_t hlen,
			       struct decode_stats *st)
{
	if (w->nh == EXT_ROUTING && w->b[w->off + 2] == 0) /* hlen >= 8: the type is there */
		note(p, st, EV_IPV6_RH_TYPE_0);
	if (w->nh == EXT_HOPOPTS) {
		if (w->seen_hh)
			note(p, st, EV_IPV6_EXTHDR_DUPL_HH);
		w->seen_hh = true;
	}
	if (w->nh == EXT_HOPOPTS || w->nh == EXT_DSTOPTS)
		ipv6_options(p, w->b + w->off, hlen, w->nh == EXT_HOPOPTS, st);
}

/* Step over one extension header; 1 when w->nh is not one (walk ends). */
static int ipv6_ext_step(struct packet *p, struct ipv6_walk *w, struct decode_stats *st)
{
	uint32_t room = w->end - w->off, hlen;

	switch (w->nh) {
	case EXT_HOPOPTS:
	case EXT_ROUTING:
	case EXT_DSTOPTS:
	case EXT_AH:
		if (room < 2)
			return drop(p, st, EV_IPV6_TRUNC_EXTHDR);
		if (w->nh == EXT_AH)
			hlen = ((uint32_t)w->b[w->off + 1] + 2) * 4;
		else
			hlen = ((uint32_t)w->b[w->off + 1] + 1) * 8;
		if (hlen > room)
			return drop(p, st, EV_IPV6_TRUNC_EXTHDR);
		ipv6_ext_anomalies(p, w, hlen, st);
		w->nh = w->b[w->off];
		w->off += hlen;
		return 0;
	case EXT_FRAGMENT:
		if (room < 8)
			return drop(p, st, EV_IPV6_TRUNC_EXTHDR);
		return ipv6_fragment(p, w, st);
	default: /* transport, ESP, no next header, unknown */
		return 1;
	}
}

int decode_ipv6(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	struct ids_packet *pub = &p->pub;
	struct ipv6_walk w = {.b = b, .off = IPV6_HLEN};
	int rc = 0;

	p->l3_ok = false;
	st->ipv6++;
	if (len < IPV6_HLEN)
		return drop(p, st, EV_IPV6_PKT_TOO_SMALL);
	if (b[0] >> 4 != 6)
		return drop(p, st, EV_IPV6_WRONG_IP_VERSION);
	w.end = IPV6_HLEN + (uint32_t)rd16(b + 4);
	if (w.end > len)
		return drop(p, st, EV_IPV6_TRUNC_PKT);

	pub->ip_version = 6;
	pub->l3 = b;
	pub->l3_len = w.end;
	pub->ttl = b[7];
	pub->src.family = pub->dst.family = 6;
	memcpy(pub->src.bytes, b + 8, 16);
	memcpy(pub->dst.bytes, b + 24, 16);

	w.nh = b[6];
	while (!w.stop && (rc = ipv6_ext_step(p, &w, st)) == 0)
		;
	if (rc < 0)
		return -1;
	pub->proto = w.nh;
	if (p->is_fragment)
		return 0;
	return decode_transport(p, b + w.off, w.end - w.off, st);
}

/* ------------------------------------------------------------------ link */

int decode_l3(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	if (len == 0)
		return drop(p, st, EV_IPV4_PKT_TOO_SMALL);
	switch (b[0] >> 4) {
	case 4:
		return decode_ipv4(p, b, len, st);
	case 6:
		return decode_ipv6(p, b, len, st);
	default:
		return drop(p, st, EV_IPV4_WRONG_IP_VERSION);
	}
}

static bool is_vlan_type(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD;
}

int decode_ethertype(struct packet *p, uint16_t type, const uint8_t *b, uint32_t len,
		     struct decode_stats *st)
{
	struct ids_packet *pub = &p->pub;

	while (is_vlan_type(type)) {
		bool full = pub->vlan_count == IDS_MAX_VLAN;

		if (full && p->depth == 0)
			return drop(p, st, EV_VLAN_TOO_MANY_LAYERS);
		if (len < VLAN_HLEN)
			return drop(p, st, EV_VLAN_HEADER_TOO_SMALL);
		if (full) /* in a tunnel, outer tags filled the ids: count, go on */
			note(p, st, EV_VLAN_TOO_MANY_LAYERS);
		else
			pub->vlan[pub->vlan_count++] = rd16(b) & 0x0fff;
		if (pub->vlan_count == 1)
			st->vlan++;
		else
			st->vlan_qinq++;
		type = rd16(b + 2);
		b += VLAN_HLEN;
		len -= VLAN_HLEN;
	}
	if (type == ETHERTYPE_IPV4)
		return decode_ipv4(p, b, len, st);
	if (type == ETHERTYPE_IPV6)
		return decode_ipv6(p, b, len, st);
	if ((type == ETHERTYPE_MPLS || type == ETHERTYPE_MPLS_MC) && p->cfg->mpls)
		return decode_mpls(p, b, len, st);
	if (type == ETHERTYPE_PPPOE_SESS)
		return decode_pppoe_session(p, b, len, st);
	if (type == ETHERTYPE_PPPOE_DISC)
		return decode_pppoe_discovery(p, b, len, st);
	return -1; /* ARP, LLDP, ...: not ours, not invalid */
}

int decode_ether(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	st->ethernet++;
	if (len < ETH_HLEN)
		return drop(p, st, EV_ETH_PKT_TOO_SMALL);
	return decode_ethertype(p, rd16(b + 12), b + ETH_HLEN, len - ETH_HLEN, st);
}

static int decode_null(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	uint32_t family;

	if (len < NULL_HLEN)
		return drop(p, st, EV_NULL_PKT_TOO_SMALL);
	memcpy(&family, b, sizeof(family)); /* host byte order of the writer */
	if (family == NULL_AF_INET)
		return decode_ipv4(p, b + NULL_HLEN, len - NULL_HLEN, st);
	if (family == NULL_AF_INET6_BSD || family == NULL_AF_INET6_FREEBSD ||
	    family == NULL_AF_INET6_DARWIN)
		return decode_ipv6(p, b + NULL_HLEN, len - NULL_HLEN, st);
	return -1;
}

static int decode_link(struct packet *p, int linktype, const uint8_t *b, uint32_t len,
		       struct decode_stats *st)
{
	switch (linktype) {
	case LINK_ETHERNET:
		return decode_ether(p, b, len, st);
	case LINK_PPP:
		return decode_ppp(p, b, len, st);
	case LINK_SLL:
		st->sll++;
		if (len < SLL_HLEN)
			return drop(p, st, EV_SLL_PKT_TOO_SMALL);
		return decode_ethertype(p, rd16(b + 14), b + SLL_HLEN, len - SLL_HLEN, st);
	case LINK_SLL2:
		st->sll2++;
		if (len < SLL2_HLEN)
			return drop(p, st, EV_SLL2_PKT_TOO_SMALL);
		return decode_ethertype(p, rd16(b), b + SLL2_HLEN, len - SLL2_HLEN, st);
	case LINK_RAW:
		st->raw++;
		return decode_l3(p, b, len, st);
	case LINK_IPV4:
		st->raw++;
		return decode_ipv4(p, b, len, st);
	case LINK_IPV6:
		st->raw++;
		return decode_ipv6(p, b, len, st);
	case LINK_NULL:
		return decode_null(p, b, len, st);
	default:
		return drop(p, st, EV_UNKNOWN_LINK_TYPE);
	}
}

/* The same values as decode_config_defaults, constant (no shared state). */
static const struct decode_config default_cfg = {
	.vxlan = {.port = {4789}, .n = 1},
	.geneve = {.port = {6081}, .n = 1},
	.teredo = {.port = {3544}, .n = 1},
	.gre = true,
	.ipip = true,
	.mpls = true,
	.erspan = true,
	.max_depth = 8,
	.track_by_id = true,
};

static const struct decode_config *default_config(void)
{
	return &default_cfg;
}

void decode_config_defaults(struct decode_config *c)
{
	*c = default_cfg;
}

int decode_frame(struct packet *p, int linktype, const uint8_t *frame, uint32_t caplen,
		 uint32_t wirelen, int64_t ts_usec, uint64_t pcap_cnt, struct decode_stats *st)
{
	return decode_frame_cfg(p, default_config(), linktype, frame, caplen, wirelen, ts_usec,
				pcap_cnt, st);
}

int decode_frame_cfg(struct packet *p, const struct decode_config *cfg, int linktype,
		     const uint8_t *frame, uint32_t caplen, uint32_t wirelen, int64_t ts_usec,
		     uint64_t pcap_cnt, struct decode_stats *st)
{
	memset(p, 0, offsetof(struct packet, outer)); /* `outer` is read only with has_outer */
	p->last_event = -1;
	p->cfg = cfg;
	p->pub.frame = frame;
	p->pub.caplen = caplen;
	p->pub.wirelen = wirelen;
	p->pub.ts_usec = ts_usec;
	p->pub.pcap_cnt = pcap_cnt;
	p->pub.pkt_src = IDS_PKT_SRC_WIRE;
	st->pkts++;
	st->bytes += caplen;
	return decode_link(p, linktype, frame, caplen, st);
}

int decode_ip(struct packet *p, const uint8_t *l3, uint32_t len, struct decode_stats *st)
{
	struct ids_packet keep = p->pub;
	struct ids_packet *pub = &p->pub;
	const struct decode_config *cfg = p->cfg;
	uint8_t depth = p->depth, layers = p->layers;
	uint32_t track_id = p->track_id;

	memset(p, 0, offsetof(struct packet, outer));
	p->layers = layers;
	p->track_id = track_id;
	p->last_event = -1;
	p->cfg = cfg ? cfg : default_config();
	p->depth = depth;
	pub->tunnel = keep.tunnel;
	pub->ts_usec = keep.ts_usec;
	pub->pcap_cnt = keep.pcap_cnt;
	pub->frame = keep.frame;
	pub->caplen = keep.caplen;
	pub->wirelen = keep.wirelen;
	pub->pkt_src = keep.pkt_src;
	pub->vlan_count = keep.vlan_count;
	memcpy(pub->vlan, keep.vlan, sizeof(pub->vlan));
	return decode_l3(p, l3, len, st);
}
