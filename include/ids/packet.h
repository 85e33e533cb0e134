/*
 * ids/packet.h - the decoded packet as plugins see it.
 *
 * The host's decoders fill a struct ids_packet for every captured frame that
 * decodes to at least an IP header. Every pointer in it points into the
 * capture buffer (no payload is copied) and is valid only during the
 * callback that received the packet. All multi-byte numbers are in host
 * byte order; addresses are in network byte order.
 */
#ifndef IDS_PACKET_H
#define IDS_PACKET_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An IPv4 or IPv6 address. IPv4 uses the first 4 bytes, the rest are 0. */
struct ids_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t bytes[16];
};

enum ids_direction {
	IDS_DIR_TO_SERVER = 0, /* from the side that sent the flow's first packet */
	IDS_DIR_TO_CLIENT = 1,
};

/* Where the packet came from (EVE pkt_src). */
enum ids_pkt_src {
	IDS_PKT_SRC_WIRE = 0, /* "wire/pcap" */
	IDS_PKT_SRC_DEFRAG = 1,
	IDS_PKT_SRC_STREAM = 2,
};

/* TCP flag bits as on the wire. */
#define IDS_TCP_FIN 0x01
#define IDS_TCP_SYN 0x02
#define IDS_TCP_RST 0x04
#define IDS_TCP_PSH 0x08
#define IDS_TCP_ACK 0x10
#define IDS_TCP_URG 0x20
#define IDS_TCP_ECE 0x40
#define IDS_TCP_CWR 0x80

#define IDS_MAX_VLAN 2

/* The outermost IP layer of a tunnelled packet (ABI minor 3). depth is the
 * number of tunnel layers around the packet, 0 when it was not tunnelled
 * (then the rest is 0 too). id is the innermost tunnel's VXLAN or Geneve
 * VNI, GRE key, PPTP call id or ERSPAN session id, 0 when it has none. */
struct ids_tunnel {
	struct ids_addr src, dst; /* outer IP addresses */
	uint16_t sport, dport;	  /* outer UDP ports (VXLAN, Geneve, Teredo), else 0 */
	uint8_t proto;		  /* outer IP protocol: 47 GRE, 17 UDP, 4 IPIP, 41 IPv6 */
	uint8_t depth;
	uint8_t pkt_src; /* enum ids_pkt_src of the outer layer */
	uint8_t pad;
	uint32_t id;
};

struct ids_packet {
	int64_t ts_usec;   /* capture time, microseconds since the epoch */
	uint64_t pcap_cnt; /* 1-based number of the frame in the capture */
	uint64_t flow_id;  /* the flow's 51-bit id, 0 when the packet has none */

	const uint8_t *frame; /* the captured frame from its link header on */
	uint32_t caplen;      /* bytes captured */
	uint32_t wirelen;     /* bytes on the wire */

	const uint8_t *l3;	/* IP header */
	uint32_t l3_len;	/* IP header + payload, as the IP header says */
	const uint8_t *payload; /* TCP/UDP/ICMP payload (after the ICMP header);
				   for other protocols the IP payload */
	uint32_t payload_len;

	struct ids_addr src, dst;
	uint16_t sport, dport; /* 0 for protocols without ports */

	uint8_t ip_version; /* 4 or 6 */
	uint8_t proto;	    /* IPPROTO_* of the transport (after IPv6 ext headers) */
	uint8_t ttl;	    /* IPv4 TTL / IPv6 hop limit */
	uint8_t direction;  /* enum ids_direction */
	uint8_t pkt_src;    /* enum ids_pkt_src */
	uint8_t tcp_flags;  /* IDS_TCP_* when proto is TCP */
	uint8_t icmp_type;  /* when proto is ICMP or ICMPv6 */
	uint8_t icmp_code;

	uint8_t vlan_count; /* 0 .. IDS_MAX_VLAN, outermost first */
	uint16_t vlan[IDS_MAX_VLAN];

	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;

	/* Fields added by later minor versions go here, at the end. */

	/* ABI minor 3: the tunnel around the packet (depth 0: none). Read it
	 * only when the host's minor is at least 3. */
	struct ids_tunnel tunnel;
};

#ifdef __cplusplus
}
#endif
#endif /* IDS_PACKET_H */
