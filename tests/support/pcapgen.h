/*
 * pcapgen.h - the tests' capture writer: crafted packets into pcap files.
 *
 * Integration tests, the shipped sample capture and the benchmarks describe
 * packets as struct pg_pkt (addresses as text, ports, flags, payload) and
 * get Ethernet frames with correct IPv4/IPv6, TCP, UDP and ICMP headers and
 * checksums; pg_tcp keeps the sequence numbers of a TCP session so a test
 * writes a handshake, data in both directions and a close in a few lines.
 * Frames can be cut, corrupted or written with another link type to make
 * hostile input. Test code only: errors abort the test program.
 */
#ifndef TESTS_PCAPGEN_H
#define TESTS_PCAPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PG_MAX_FRAME 65600

struct pg_tunnel;

struct pcapgen {
	FILE *f;
	int linktype;
	int64_t ts_usec; /* time of the next frame; each frame adds step_usec */
	int64_t step_usec;
	uint64_t frames;
	/* When set (Ethernet files), every frame written is first wrapped in
	 * these tunnel layers (pcapgen_tunnel.c); not owned. */
	const struct pg_tunnel *tunnel;
};

struct pg_pkt {
	const char *src, *dst; /* "198.18.0.1" or "2001:db8::1" */
	uint16_t sport, dport;
	uint8_t proto; /* IPPROTO_TCP/UDP/ICMP/ICMPV6 or any other */
	uint8_t ttl;   /* 0: 64 */
	uint8_t tcp_flags;
	uint32_t seq, ack;
	uint16_t win; /* 0: 65535 */
	uint8_t icmp_type, icmp_code;
	const void *payload;
	size_t len;
	uint16_t vlan[2];
	int n_vlan;
	uint16_t vlan_outer_tpid; /* 0: 0x8100; 0x88a8 for QinQ */
	uint16_t ip_id;
	uint16_t frag_off; /* IPv4 fragment offset in bytes (multiple of 8) */
	bool more_frags;
	const void *ip_options; /* IPv4 options, a multiple of 4 bytes */
	size_t ip_options_len;
	/* IPv6 extension headers placed before the transport header: the
	 * caller chains their next-header bytes, the last naming `proto`. */
	const void *ip6_ext;
	size_t ip6_ext_len;
	uint8_t ip6_ext_first; /* next header of the fixed IPv6 header */
	bool no_l4;	       /* payload only, no transport header (fragments) */
	uint16_t urg_ptr;      /* TCP urgent pointer (with the URG flag) */
};

/* Open a classic pcap (microsecond) file with `linktype` (1 = Ethernet,
 * 101 = raw IP). Frames start at ts_usec = 1795000000000000 (2026-11-18)
 * and 1 ms apart unless the test changes ts_usec/step_usec. */
void pg_open(struct pcapgen *g, const char *path, int linktype);
void pg_close(struct pcapgen *g);
/* Write one frame as it is (caplen = wirelen = len). */
void pg_write(struct pcapgen *g, const uint8_t *frame, size_t len);
/* Same with a wire length larger than what is captured. */
void pg_write_caplen(struct pcapgen *g, const uint8_t *frame, size_t caplen, size_t wirelen);

/* Build the frame of `p` (Ethernet, or the bare IP packet when the file's
 * link type is raw IP) into out; returns its length. */
size_t pg_build(const struct pcapgen *g, const struct pg_pkt *p, uint8_t *out, size_t cap);
/* Build and write; returns the frame length. */
size_t pg_packet(struct pcapgen *g, const struct pg_pkt *p);

/* A TCP session between a client and a server. */
struct pg_tcp {
	struct pcapgen *g;
	const char *cli, *srv;
	uint16_t cport, sport;
	uint32_t cseq, sseq; /* next sequence number of each side */
	uint16_t vlan[2];
	int n_vlan;
	uint8_t ttl;
};

enum { PG_TO_SERVER = 0, PG_TO_CLIENT = 1 };

void pg_tcp_init(struct pg_tcp *s, struct pcapgen *g, const char *cli, uint16_t cport,
		 const char *srv, uint16_t sport);
/* SYN, SYN+ACK, ACK. */
void pg_tcp_handshake(struct pg_tcp *s);
/* One segment of data from `dir` (PSH|ACK), advancing that side's sequence. */
void pg_tcp_send(struct pg_tcp *s, int dir, const void *data, size_t len);
/* A segment with explicit flags and sequence offset (relative to the
 * side's next sequence number); does not advance it. */
void pg_tcp_segment(struct pg_tcp *s, int dir, uint8_t flags, int32_t seq_delta, const void *data,
		    size_t len);
/* FIN from the client, FIN+ACK from the server, last ACK. */
void pg_tcp_close(struct pg_tcp *s);

/* A UDP datagram. */
void pg_udp(struct pcapgen *g, const char *src, uint16_t sport, const char *dst, uint16_t dport,
	    const void *data, size_t len);

/* The transport bytes of `p` (header with its checksum, then payload), as
 * the fragments of a datagram carry them; returns their length. */
size_t pg_l4_bytes(const struct pcapgen *g, const struct pg_pkt *p, uint8_t *out, size_t cap);
/*
 * One fragment of datagram `p` (addresses, protocol, ip_id as the
 * fragment id, VLANs, TTL): `len` bytes of `data` at byte `offset` of the
 * datagram's transport bytes, `more` for the MF flag. IPv6 fragments carry
 * a fragment header (next header p->proto, identification p->ip_id).
 */
void pg_fragment(struct pcapgen *g, const struct pg_pkt *p, const void *data, size_t len,
		 uint16_t offset, bool more);

/*
 * Tunnels (pcapgen_tunnel.c). A layer wraps the Ethernet frame built for
 * the inner packet; `outer` (may be NULL) wraps the result again, so a
 * chain nests. IP and UDP tunnels take the outer addresses (their family
 * picks IPv4 or IPv6); the IP-carrying ones (GRE with an IP payload,
 * IP-in-IP, Teredo, MPLS, PPPoE, PPTP) take the inner frame's IP packet
 * (its VLAN tags are dropped), the Ethernet-carrying ones (GRE bridging,
 * ERSPAN, VXLAN, Geneve) the whole frame.
 */
enum pg_tunnel_kind {
	PG_TUN_GRE = 1, /* GRE v0, IP payload; key when id != 0 */
	PG_TUN_GRE_TEB, /* GRE v0 transparent Ethernet bridging, key = id */
	PG_TUN_ERSPAN1, /* GRE without sequence, ERSPAN type I */
	PG_TUN_ERSPAN2, /* ERSPAN type II, session = id, VLAN = vlan */
	PG_TUN_ERSPAN3, /* ERSPAN type III, session = id, VLAN = vlan */
	PG_TUN_IPIP,	/* IP protocol 4 or 41 after the inner IP version */
	PG_TUN_VXLAN,	/* UDP to port (0: 4789), VNI = id */
	PG_TUN_GENEVE,	/* UDP to port (0: 6081), VNI = id, one option */
	PG_TUN_TEREDO,	/* UDP from port (0: 3544), inner IPv6 only */
	PG_TUN_MPLS,	/* Ethernet 0x8847, two labels (id, then id + 1 at the bottom) */
	PG_TUN_PPPOE,	/* Ethernet 0x8864 PPPoE session id, PPP */
	PG_TUN_PPTP,	/* GRE v1 with call id = id, PPP */
};

struct pg_tunnel {
	enum pg_tunnel_kind kind;
	const char *src, *dst; /* outer addresses (IP and UDP kinds) */
	uint32_t id;
	uint16_t port;
	uint16_t vlan;
	const struct pg_tunnel *outer;
};

/* Wrap `frame` (an Ethernet frame) in `t` and its outer layers; returns
 * the new frame's length in out. */
size_t pg_tunnel_wrap(const struct pg_tunnel *t, const uint8_t *frame, size_t len, uint8_t *out,
		      size_t cap);

/* Internet checksum helpers (exposed for tests that corrupt packets). */
uint16_t pg_csum(const void *data, size_t len, uint32_t seed);

#endif
