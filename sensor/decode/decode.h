/*
 * decode.h - link, network and transport decoders.
 *
 * decode_frame() turns one captured frame into a struct packet: it walks the
 * link header (Ethernet II with 802.1Q/802.1ad tags, Linux cooked SLL and
 * SLL2, raw IP), the IP header (IPv4 with options, IPv6 with its extension
 * headers) and the transport header (TCP with options, UDP, ICMPv4,
 * ICMPv6). Every length is checked against both what was captured and what
 * the enclosing header claims; a frame that fails a check is counted under
 * its event (Suricata's decoder event names) and dropped from further
 * processing. Bytes captured beyond the IP total length (Ethernet padding,
 * trailers) are never part of the payload.
 *
 * Pure functions of (frame, length): no allocation, no global state; the
 * caller owns the packet and the stats (one per worker thread).
 */
#ifndef SENSOR_DECODE_H
#define SENSOR_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids/packet.h"

/* Link types (LINKTYPE_* values as in pcap files). */
enum link_type {
	LINK_NULL = 0,
	LINK_ETHERNET = 1,
	LINK_PPP = 9,	/* PPP, with or without the HDLC address/control bytes */
	LINK_RAW = 101, /* raw IPv4 or IPv6, version from the first nibble */
	LINK_SLL = 113,
	LINK_IPV4 = 228,
	LINK_IPV6 = 229,
	LINK_SLL2 = 276,
};

/* Decoder events. Names (decode_event_name) follow Suricata's. */
enum decode_event {
	EV_ETH_PKT_TOO_SMALL = 0,	 /* ethernet.pkt_too_small */
	EV_VLAN_HEADER_TOO_SMALL,	 /* vlan.header_too_small */
	EV_VLAN_TOO_MANY_LAYERS,	 /* vlan.too_many_layers */
	EV_SLL_PKT_TOO_SMALL,		 /* sll.pkt_too_small */
	EV_SLL2_PKT_TOO_SMALL,		 /* sll2.pkt_too_small */
	EV_IPV4_PKT_TOO_SMALL,		 /* ipv4.pkt_too_small */
	EV_IPV4_HLEN_TOO_SMALL,		 /* ipv4.hlen_too_small */
	EV_IPV4_IPLEN_SMALLER_THAN_HLEN, /* ipv4.iplen_smaller_than_hlen */
	EV_IPV4_TRUNC_PKT,		 /* ipv4.trunc_pkt */
	EV_IPV4_OPT_INVALID,		 /* ipv4.opt_invalid */
	EV_IPV4_OPT_INVALID_LEN,	 /* ipv4.opt_invalid_len */
	EV_IPV4_WRONG_IP_VERSION,	 /* ipv4.wrong_ip_version */
	EV_IPV6_PKT_TOO_SMALL,		 /* ipv6.pkt_too_small */
	EV_IPV6_TRUNC_PKT,		 /* ipv6.trunc_pkt */
	EV_IPV6_TRUNC_EXTHDR,		 /* ipv6.trunc_exthdr */
	EV_IPV6_WRONG_IP_VERSION,	 /* ipv6.wrong_ip_version */
	EV_IPV6_EXTHDR_DUPL_FH,		 /* ipv6.exthdr_dupl_fh */
	EV_TCP_PKT_TOO_SMALL,		 /* tcp.pkt_too_small */
	EV_TCP_HLEN_TOO_SMALL,		 /* tcp.hlen_too_small */
	EV_TCP_INVALID_OPTLEN,		 /* tcp.invalid_optlen */
	EV_TCP_OPT_INVALID_LEN,		 /* tcp.opt_invalid_len */
	EV_UDP_PKT_TOO_SMALL,		 /* udp.pkt_too_small */
	EV_UDP_HLEN_TOO_SMALL,		 /* udp.hlen_too_small */
	EV_UDP_HLEN_INVALID,		 /* udp.hlen_invalid */
	EV_ICMPV4_PKT_TOO_SMALL,	 /* icmpv4.pkt_too_small */
	EV_ICMPV6_PKT_TOO_SMALL,	 /* icmpv6.pkt_too_small */
	EV_UNKNOWN_LINK_TYPE,		 /* decoder.unknown_link_type (our own) */
	EV_UNKNOWN_ETHERTYPE,		 /* ethernet.unknown_ethertype */
	EV_NULL_PKT_TOO_SMALL,		 /* ltnull.pkt_too_small (BSD loopback header) */
	EV_UDP_LEN_INVALID,		 /* udp.len_invalid (length field below 8) */
	/* IPv6 anomalies that are counted, the packet still delivered. */
	EV_IPV6_RH_TYPE_0,	       /* ipv6.rh_type_0 (deprecated by RFC 5095) */
	EV_IPV6_EXTHDR_DUPL_HH,	       /* ipv6.exthdr_dupl_hh */
	EV_IPV6_EXTHDR_USELESS_FH,     /* ipv6.exthdr_useless_fh (offset 0, no M) */
	EV_IPV6_FH_NON_ZERO_RESERVED,  /* ipv6.fh_non_zero_reserved_field */
	EV_IPV6_HOPOPTS_UNKNOWN_OPT,   /* ipv6.hopopts_unknown_opt */
	EV_IPV6_HOPOPTS_ONLY_PADDING,  /* ipv6.hopopts_only_padding */
	EV_IPV6_DSTOPTS_UNKNOWN_OPT,   /* ipv6.dstopts_unknown_opt */
	EV_IPV6_DSTOPTS_ONLY_PADDING,  /* ipv6.dstopts_only_padding */
	EV_IPV6_ZERO_LEN_PADN,	       /* ipv6.zero_len_padn */
	EV_IPV6_EXTHDR_INVALID_OPTLEN, /* ipv6.exthdr_invalid_optlen */
	/* Tunnels (decode_tunnel_*.c). */
	EV_TOO_MANY_LAYERS,		 /* decoder.too_many_layers (tunnel depth) */
	EV_GRE_PKT_TOO_SMALL,		 /* gre.pkt_too_small */
	EV_GRE_WRONG_VERSION,		 /* gre.wrong_version */
	EV_GRE_V0_RECUR,		 /* gre.version0_recur */
	EV_GRE_V0_FLAGS,		 /* gre.version0_flags */
	EV_GRE_V0_HDR_TOO_BIG,		 /* gre.version0_hdr_too_big */
	EV_GRE_V0_MALFORMED_SRE,	 /* gre.version0_malformed_sre_hdr */
	EV_GRE_V1_CHKSUM,		 /* gre.version1_chksum */
	EV_GRE_V1_ROUTE,		 /* gre.version1_route */
	EV_GRE_V1_RECUR,		 /* gre.version1_recur */
	EV_GRE_V1_FLAGS,		 /* gre.version1_flags */
	EV_GRE_V1_NO_KEY,		 /* gre.version1_no_key */
	EV_GRE_V1_WRONG_PROTOCOL,	 /* gre.version1_wrong_protocol */
	EV_GRE_V1_HDR_TOO_BIG,		 /* gre.version1_hdr_too_big */
	EV_ERSPAN_HEADER_TOO_SMALL,	 /* erspan.header_too_small */
	EV_ERSPAN_UNSUPPORTED_VERSION,	 /* erspan.unsupported_version */
	EV_ERSPAN_TOO_MANY_VLAN_LAYERS,	 /* erspan.too_many_vlan_layers */
	EV_IPV4_IN_IPV6_TOO_SMALL,	 /* ipv6.ipv4_in_ipv6_too_small */
	EV_IPV4_IN_IPV6_WRONG_VERSION,	 /* ipv6.ipv4_in_ipv6_wrong_version */
	EV_IPV6_IN_IPV6_TOO_SMALL,	 /* ipv6.ipv6_in_ipv6_too_small */
	EV_IPV6_IN_IPV6_WRONG_VERSION,	 /* ipv6.ipv6_in_ipv6_wrong_version */
	EV_VXLAN_UNKNOWN_PAYLOAD_TYPE,	 /* vxlan.unknown_payload_type */
	EV_GENEVE_UNKNOWN_PAYLOAD_TYPE,	 /* geneve.unknown_payload_type */
	EV_MPLS_HEADER_TOO_SMALL,	 /* mpls.header_too_small */
	EV_MPLS_PKT_TOO_SMALL,		 /* mpls.pkt_too_small */
	EV_MPLS_BAD_LABEL_ROUTER_ALERT,	 /* mpls.bad_label_router_alert */
	EV_MPLS_BAD_LABEL_IMPLICIT_NULL, /* mpls.bad_label_implicit_null */
	EV_MPLS_BAD_LABEL_RESERVED,	 /* mpls.bad_label_reserved */
	EV_MPLS_UNKNOWN_PAYLOAD_TYPE,	 /* mpls.unknown_payload_type */
	EV_PPPOE_PKT_TOO_SMALL,		 /* pppoe.pkt_too_small */
	EV_PPPOE_WRONG_CODE,		 /* pppoe.wrong_code */
	EV_PPPOE_MALFORMED_TAGS,	 /* pppoe.malformed_tags */
	EV_PPP_PKT_TOO_SMALL,		 /* ppp.pkt_too_small */
	EV_PPP_VJU_PKT_TOO_SMALL,	 /* ppp.vju_pkt_too_small */
	EV_PPP_WRONG_TYPE,		 /* ppp.wrong_type */
	EV_PPP_UNSUP_PROTO,		 /* ppp.unsup_proto */
	EV_MAX
};

const char *decode_event_name(enum decode_event ev);

/* Per-worker decoder counters (EVE stats.decoder.*). */
struct decode_stats {
	uint64_t pkts, bytes, invalid;
	uint64_t ethernet, sll, sll2, raw, vlan, vlan_qinq;
	uint64_t ipv4, ipv6, tcp, udp, icmpv4, icmpv6, other_ip;
	uint64_t frag_ipv4, frag_ipv6; /* fragments seen (not yet reassembled) */
	/* Tunnel layers decoded (a frame counts once per layer it has). */
	uint64_t gre, erspan, vxlan, geneve, teredo, mpls, pppoe, ppp;
	uint64_t ipv4_in_ipv4, ipv6_in_ipv4, ipv4_in_ipv6, ipv6_in_ipv6;
	uint64_t events[EV_MAX];
};

/* `decoder:` of sensor.yaml (filled by the config loader, read only while
 * decoding). A port list with n == 0 turns that UDP tunnel off. */
#define DECODE_MAX_PORTS 8
struct decode_port_list {
	uint16_t port[DECODE_MAX_PORTS];
	uint8_t n;
};
struct decode_config {
	struct decode_port_list vxlan;	/* destination ports, default 4789 */
	struct decode_port_list geneve; /* destination ports, default 6081 */
	struct decode_port_list teredo; /* either port, default 3544 */
	bool gre, ipip, mpls, erspan;	/* default all true */
	uint8_t max_depth;		/* tunnel layers inside a frame, default 8; any
					   encapsulations (MPLS, PPPoE too): twice that */
	/* Flows inside a tunnel are keyed by the tunnel's id too (VXLAN or
	 * Geneve VNI, ERSPAN session; not GRE keys, which may differ per
	 * direction): `decoder.track-tunnel-id`, default true. */
	bool track_by_id;
};

/* Built-in defaults: every tunnel on, standard ports. */
void decode_config_defaults(struct decode_config *c);

/* Distinct decoder events one packet keeps for its anomaly records and
 * decode-event rules (a packet with more is still counted in full). */
#define PACKET_MAX_EVENTS 4

/* The host's packet: the public view first, then decoder state the
 * plugins do not see. */
struct packet {
	struct ids_packet pub;
	const uint8_t *l4;		   /* transport header, NULL for fragments/unknown */
	uint32_t l4_len;		   /* transport header + payload */
	bool is_fragment;		   /* IPv4 MF/offset or IPv6 fragment header */
	bool frag_more;			   /* more fragments follow */
	uint32_t frag_offset;		   /* in bytes */
	uint32_t frag_id;		   /* IPv4 id or IPv6 identification */
	uint8_t frag_next;		   /* IPv6: next header after the fragment header */
	int last_event;			   /* last decoder event, -1 when none */
	uint8_t n_events;		   /* distinct events of this packet, in order */
	uint8_t events[PACKET_MAX_EVENTS]; /* (the first PACKET_MAX_EVENTS) */
	const struct decode_config *cfg;   /* never NULL while decoding; kept by decode_ip */
	uint8_t depth;			   /* tunnel layers entered so far */
	uint8_t layers;	   /* encapsulations of any kind (tunnels, MPLS, PPPoE) so far */
	uint32_t track_id; /* the tunnels' ids in the flow key (cfg->track_by_id), else 0 */
	/* The innermost IP header decoded whole (addresses and protocol in
	 * pub are right): a frame dropped in its transport header (too small
	 * for TCP or UDP) still has them, as Suricata's anomaly and alert
	 * records do. */
	bool l3_ok;
	/* A tunnel was entered: `outer` holds the outermost packet as it was
	 * decoded before the first tunnel layer (addresses, protocol, TTL,
	 * UDP ports; payload cleared for IP-level tunnels, the UDP payload
	 * for UDP tunnels), so the host can inspect it as a packet of its
	 * own, as Suricata does. Cleared by decode_frame and decode_ip. */
	bool has_outer;
	/* Last: decode_frame and decode_ip clear everything above it, not
	 * this copy (valid only while has_outer). */
	struct ids_packet outer;
};

/*
 * Decode one frame. Fills `p` (p->pub.frame/caplen/wirelen/ts_usec/pcap_cnt
 * are set here from the arguments; flow fields are left 0). Returns 0 when
 * the frame decoded to at least a valid IP header (fragments included),
 * -1 when it was dropped (the event is counted in st->events and
 * st->invalid, and p->last_event names it). Non-IP frames (ARP, ...) return
 * -1 without an event.
 */
int decode_frame(struct packet *p, int linktype, const uint8_t *frame, uint32_t caplen,
		 uint32_t wirelen, int64_t ts_usec, uint64_t pcap_cnt, struct decode_stats *st);

/* The same with the `decoder:` configuration (decode_frame uses the
 * built-in defaults). `cfg` must outlive the packet's processing. Inside a
 * tunnel the packet is the innermost one (addresses, ports, payload), and
 * p->pub.tunnel describes the outermost IP layer. */
int decode_frame_cfg(struct packet *p, const struct decode_config *cfg, int linktype,
		     const uint8_t *frame, uint32_t caplen, uint32_t wirelen, int64_t ts_usec,
		     uint64_t pcap_cnt, struct decode_stats *st);

/* Decode starting at an IP header (used by decode_frame and by defrag
 * later). Same contract as decode_frame, except that it keeps the frame's
 * capture fields (frame, caplen, wirelen, ts_usec, pcap_cnt, pkt_src, VLAN
 * ids, the tunnel context and the configuration) already in `p`, resets the
 * rest, and counts neither pkts nor bytes. */
int decode_ip(struct packet *p, const uint8_t *l3, uint32_t len, struct decode_stats *st);

/*
 * Checksum validation (decode_csum.c), used when `checksum-validation` is
 * on: a packet that fails is not used for defragmentation or reassembly,
 * because the destination host would drop it. Pure functions of the
 * decoded packet; the lengths they read were checked by the decoder.
 */
/* The IPv4 header checksum is right (always true for IPv6). */
bool decode_ipv4_csum_ok(const struct packet *p);
/* The TCP, UDP, ICMPv4 or ICMPv6 checksum over the transport header and
 * payload (with the IPv4/IPv6 pseudo-header where the protocol has one) is
 * right. UDP over IPv4 with checksum 0 (none) is right; UDP over IPv6 with
 * 0 is not. True for other protocols and for packets without l4. */
bool decode_l4_csum_ok(const struct packet *p);
/* The one's-complement sum (RFC 1071) of b[0..n), folded to 16 bits, of
 * words loaded in host byte order: the byte-swapped network-order sum on a
 * little-endian host. 0xffff over data with a right checksum in it. */
uint16_t decode_inet_sum(const uint8_t *b, size_t n);

#endif
