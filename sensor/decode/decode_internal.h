/*
 * decode_internal.h - what the decoder files share (decode.c and the
 * tunnel decoders decode_tunnel*.c, decode_gre.c, decode_mpls.c,
 * decode_ppp.c); not for the rest of the sensor.
 *
 * Every function here has the contract of decode_frame: it reads only the
 * `len` bytes it is handed, returns 0 when the packet decoded to at least
 * an IP header, -1 when it was dropped (the event counted through
 * decode_drop) or was not IP (no event).
 */
#ifndef SENSOR_DECODE_INTERNAL_H
#define SENSOR_DECODE_INTERNAL_H

#include "decode/decode.h"

#define DECODE_ETH_HLEN	     14
#define ETHERTYPE_IPV4	     0x0800
#define ETHERTYPE_IPV6	     0x86dd
#define ETHERTYPE_TEB	     0x6558 /* transparent Ethernet bridging */
#define ETHERTYPE_ERSPAN     0x88be /* type II (type I without GRE sequence) */
#define ETHERTYPE_ERSPAN3    0x22eb
#define ETHERTYPE_PPP	     0x880b
#define ETHERTYPE_MPLS	     0x8847
#define ETHERTYPE_MPLS_MC    0x8848
#define ETHERTYPE_PPPOE_DISC 0x8863
#define ETHERTYPE_PPPOE_SESS 0x8864

static inline uint16_t decode_rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t decode_rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Count `ev` and drop the frame (returns -1). */
int decode_drop(struct packet *p, struct decode_stats *st, enum decode_event ev);
/* Count `ev` on a frame that is still delivered. */
void decode_note(struct packet *p, struct decode_stats *st, enum decode_event ev);

/* decode.c */
int decode_l3(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);
int decode_ipv4(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);
int decode_ipv6(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);
/* The payload of a link header whose protocol field says `type`. */
int decode_ethertype(struct packet *p, uint16_t type, const uint8_t *b, uint32_t len,
		     struct decode_stats *st);
/* A whole Ethernet frame (inside VXLAN, Geneve, GRE bridging, ERSPAN). */
int decode_ether(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);

/* decode_tunnel.c */
/* Enter one tunnel layer around the packet decoded so far: the outermost
 * IP layer is remembered in p->pub.tunnel, the inner packet's fields are
 * reset. `id` is the layer's id (tunnel.id); `track`: the id is the same
 * in both directions (VNI, ERSPAN session) and may key flows, unlike GRE
 * keys and PPTP call ids, which may differ per direction. 0, or -1 with
 * decoder.too_many_layers past the depth limit. */
int decode_tunnel_enter(struct packet *p, struct decode_stats *st, uint32_t id, bool track);
/* Count one encapsulation of any kind (a tunnel, an MPLS stack, PPPoE, a
 * pseudowire): 0, or -1 with decoder.too_many_layers past twice the tunnel
 * depth limit, which bounds the recursion of MPLS and Ethernet nestings. */
int decode_layer_enter(struct packet *p, struct decode_stats *st);
/* IP protocol 4 or 41 inside an IPv4 or IPv6 header. */
int decode_ip_in_ip(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);

/* decode_tunnel_udp.c: a UDP datagram (p->l4 set) on a VXLAN, Geneve or
 * Teredo port. 0 when the inner packet decoded (it replaced the UDP one),
 * -1 when it was dropped, 1 when this is no tunnel (plain UDP; any
 * malformed header was counted as a note). */
int decode_udp_tunnel(struct packet *p, struct decode_stats *st);

/* decode_gre.c: GRE (IP protocol 47), ERSPAN inside it. */
int decode_gre(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);

/* decode_mpls.c: an MPLS label stack. */
int decode_mpls(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);

/* decode_ppp.c: PPPoE session and discovery frames, PPP frames. */
int decode_pppoe_session(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);
int decode_pppoe_discovery(struct packet *p, const uint8_t *b, uint32_t len,
			   struct decode_stats *st);
int decode_ppp(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st);

#endif
