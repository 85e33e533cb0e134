/*
 * make_corpus.c - writes the generated seeds of the fuzz corpus:
 *
 *   make_corpus tests/fuzz/corpus
 *
 * Each seed is DIR/<target>/gen-<what>, a valid input in the format the
 * target's header describes (frames built with the capture writer, fragment
 * and segment records, rule and config files, HTTP messages, DNS messages,
 * TLS hellos from tls_hello.h), so the fuzzers and the replay driver start
 * from inputs that reach deep into each parser. Other files in the corpus
 * folders (shipped-*, crash regressions) are kept by hand. Running it again
 * rewrites the same bytes.
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapgen.h"
#include "tls_certs.h"
#include "tls_hello.h"

#define MAX_SEED 4096

static const char *root;

/* A seed being written. */
struct buf {
	uint8_t b[MAX_SEED];
	size_t n;
};

static void die(const char *what)
{
	fprintf(stderr, "make_corpus: %s\n", what);
	exit(1);
}

static void u8(struct buf *o, unsigned v)
{
	if (o->n >= MAX_SEED)
		die("seed over 4 KiB");
	o->b[o->n++] = (uint8_t)v;
}

static void u16(struct buf *o, unsigned v)
{
	u8(o, v >> 8);
	u8(o, v);
}

static void u32(struct buf *o, uint32_t v)
{
	u16(o, v >> 16);
	u16(o, v);
}

static void bytes(struct buf *o, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u8(o, ((const uint8_t *)p)[i]);
}

static void text(struct buf *o, const char *s)
{
	bytes(o, s, strlen(s));
}

static void save(const char *target, const char *name, const struct buf *o)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/gen-%s", root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(o->b, 1, o->n, f) != o->n || fclose(f) != 0)
		die(path);
}

static void save_text(const char *target, const char *name, const char *s)
{
	struct buf o = {.n = 0};

	text(&o, s);
	save(target, name, &o);
}

/* ------------------------------------------------------------ matcher */

/* fuzz_matcher.c's alphabet index of each character: a b A B NUL 0xff \n / */
static unsigned alpha(char c)
{
	static const char set[] = "abAB\0\xff\n/";

	for (unsigned i = 0; i < 8; i++)
		if (set[i] == c)
			return i;
	die("not in the matcher alphabet");
	return 0;
}

/* The payload `s` (alphabet characters, '.' for NUL) as fuzz_matcher's bytes. */
static void matcher_payload(struct buf *o, const char *s)
{
	for (; *s; s++)
		u8(o, alpha(*s == '.' ? '\0' : *s));
}

/* A content pattern of fuzz_matcher: pat byte, then its characters. */
static void matcher_content(struct buf *o, unsigned flags, const char *s)
{
	u8(o, flags | (unsigned)(strlen(s) - 1) << 5);
	for (; *s; s++)
		u8(o, alpha(*s));
}

static void matcher_seeds(void)
{
	struct buf o = {.n = 0};

	/* 3 rules: "ab"; "aB" nocase and "/" at offset 4 depth 8; a regex
	 * with a pcre. */
	u8(&o, 2 | 5 << 3);
	u8(&o, 0x04);
	u8(&o, 1);
	matcher_content(&o, 0, "ab");
	u8(&o, 2);
	matcher_content(&o, 4, "aB");
	matcher_content(&o, 8 | 16, "/");
	u8(&o, 4);
	u8(&o, 7);
	u8(&o, 1 | 4);
	u8(&o, 2);
	u8(&o, 5);
	u8(&o, 3);
	matcher_payload(&o, "bbAAab//ab\nabbbbbaaaaaaaab/ba..aAbBab/a\nbaaab");
	save("matcher", "contents-regex-pcre", &o);

	/* 2 rules: v2 distance/within after a content, stream_alerts every;
	 * a content with offset and depth, to_server. */
	o.n = 0;
	u8(&o, 1 | 9 << 3);
	u8(&o, 0xaa);
	u8(&o, 2 | 8);
	matcher_content(&o, 0, "aa");
	matcher_content(&o, 3, "B/");
	u8(&o, 1);
	u8(&o, 6);
	u8(&o, 1 | 16);
	matcher_content(&o, 8 | 16, "Ab");
	u8(&o, 2);
	u8(&o, 3);
	matcher_payload(&o, "baAbaaBB/aaB/bbaa.B/AbAbAbaaB/");
	save("matcher", "v2-every-offset", &o);
}

/* ------------------------------------------------------------- decode */

/* Link type indexes of fuzz_decode.c's first byte. */
enum { L_ETH = 0, L_RAW, L_SLL, L_SLL2, L_NULL, L_IPV4, L_IPV6, L_PPP };

/* The frame of p after link header hdr; tcp_at >= 0: the TCP header is
 * there and the payload's first opt_words words are its options. */
static void frame_seed(const char *name, int link, const uint8_t *hdr, size_t hlen,
		       const struct pg_pkt *p, int tcp_at, unsigned opt_words)
{
	struct pcapgen g = {.linktype = link == L_ETH ? 1 : 101};
	uint8_t frame[MAX_SEED];
	struct buf o = {.n = 0};
	size_t n = pg_build(&g, p, frame, sizeof(frame));

	if (tcp_at >= 0)
		frame[tcp_at + 12] = (uint8_t)((5 + opt_words) << 4);
	u8(&o, (unsigned)link);
	bytes(&o, hdr, hlen);
	bytes(&o, frame, n);
	save("decode", name, &o);
}

static void decode_seeds(void)
{
	static const uint8_t tcp_opts[] = {2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10,
					   0, 0, 0, 1,	  0, 0, 0, 0, 1, 1, 1, 0};
	static const uint8_t ip_opts[] = {0x94, 4, 0, 0, 1, 1, 1, 0}; /* router alert, nops */
	static const uint8_t hbh[] = {IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0};
	static const uint8_t frag6[] = {IPPROTO_UDP, 0, 0, 1, 0, 0, 0x12, 0x34};
	static const uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
	static const uint8_t sll2[20] = {0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1,
					 0,    6,    2, 0, 0, 0, 0, 2, 0, 0};
	static const uint8_t null4[4] = {2, 0, 0, 0}; /* AF_INET, little endian */
	static const char data[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.19.0.2",
			   .sport = 40000,
			   .dport = 80,
			   .proto = IPPROTO_TCP,
			   .tcp_flags = 0x18,
			   .seq = 1000,
			   .ack = 2000,
			   .payload = data,
			   .len = sizeof(data) - 1};

	frame_seed("eth-ipv4-tcp", L_ETH, NULL, 0, &p, -1, 0);
	p.n_vlan = 2, p.vlan[0] = 10, p.vlan[1] = 20, p.vlan_outer_tpid = 0x88a8;
	p.src = "2001:db8::1", p.dst = "2001:db8::2", p.proto = IPPROTO_UDP;
	frame_seed("eth-qinq-ipv6-udp", L_ETH, NULL, 0, &p, -1, 0);
	p.n_vlan = 0;
	p.src = "198.18.0.1", p.dst = "198.19.0.2", p.proto = IPPROTO_ICMP, p.icmp_type = 8;
	p.ip_options = ip_opts, p.ip_options_len = sizeof(ip_opts);
	frame_seed("raw-ipv4-options-icmp", L_RAW, NULL, 0, &p, -1, 0);
	p.ip_options = NULL, p.ip_options_len = 0;
	p.src = "2001:db8::1", p.dst = "2001:db8::2", p.proto = IPPROTO_TCP;
	p.ip6_ext = hbh, p.ip6_ext_len = sizeof(hbh), p.ip6_ext_first = 0;
	p.payload = tcp_opts, p.len = sizeof(tcp_opts); /* become the TCP options */
	frame_seed("raw-ipv6-hbh-tcp", L_RAW, NULL, 0, &p, 48, 6);
	p.ip6_ext = frag6, p.ip6_ext_len = sizeof(frag6), p.ip6_ext_first = 44;
	p.proto = IPPROTO_UDP, p.no_l4 = true;
	frame_seed("ipv6-fragment", L_IPV6, NULL, 0, &p, -1, 0);
	p.ip6_ext = NULL, p.ip6_ext_len = 0, p.no_l4 = false;
	p.payload = data, p.len = sizeof(data) - 1;
	p.src = "198.18.0.1", p.dst = "198.19.0.2", p.proto = IPPROTO_UDP;
	frame_seed("sll-ipv4-udp", L_SLL, sll, sizeof(sll), &p, -1, 0);
	frame_seed("ipv4-udp", L_IPV4, NULL, 0, &p, -1, 0);
	p.proto = IPPROTO_TCP, p.tcp_flags = 0x02, p.len = 0;
	frame_seed("null-ipv4-syn", L_NULL, null4, sizeof(null4), &p, -1, 0);
	p.src = "2001:db8::1", p.dst = "2001:db8::2", p.proto = IPPROTO_ICMPV6, p.icmp_type = 128;
	frame_seed("sll2-ipv6-icmp6", L_SLL2, sll2, sizeof(sll2), &p, -1, 0);
	p.src = "198.18.0.1", p.dst = "198.19.0.2", p.proto = IPPROTO_UDP;
	p.more_frags = true, p.frag_off = 0, p.no_l4 = true, p.payload = data, p.len = 16;
	frame_seed("eth-ipv4-fragment", L_ETH, NULL, 0, &p, -1, 0);
}

/* A TCP segment with data between inner addresses, wrapped in `t`. */
static void tunnel_seed(const char *name, const struct pg_tunnel *t, bool v6)
{
	static const char data[] = "GET /tunnel HTTP/1.1\r\n\r\n";
	struct pcapgen g = {.linktype = 1};
	struct pg_pkt p = {.src = v6 ? "2001:db8:2::1" : "198.19.0.1",
			   .dst = v6 ? "2001:db8:2::2" : "198.19.0.2",
			   .sport = 40000,
			   .dport = 80,
			   .proto = IPPROTO_TCP,
			   .tcp_flags = 0x18,
			   .payload = data,
			   .len = sizeof(data) - 1};
	uint8_t inner[MAX_SEED], frame[MAX_SEED];
	struct buf o = {.n = 0};
	size_t n = pg_build(&g, &p, inner, sizeof(inner));

	n = pg_tunnel_wrap(t, inner, n, frame, sizeof(frame));
	u8(&o, L_ETH);
	bytes(&o, frame, n);
	save("decode", name, &o);
}

/* Every tunnel the decoder follows, one nesting, and a PPP link frame. */
static void tunnel_seeds(void)
{
	static const struct {
		const char *name;
		struct pg_tunnel t;
		bool v6;
	} seeds[] = {
		{"tun-gre-key", {PG_TUN_GRE, "198.18.0.1", "198.18.0.2", 7, 0, 0, NULL}, false},
		{"tun-gre-teb", {PG_TUN_GRE_TEB, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL}, false},
		{"tun-erspan1", {PG_TUN_ERSPAN1, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL}, false},
		{"tun-erspan2",
		 {PG_TUN_ERSPAN2, "198.18.0.1", "198.18.0.2", 3, 0, 10, NULL},
		 false},
		{"tun-erspan3",
		 {PG_TUN_ERSPAN3, "2001:db8:1::1", "2001:db8:1::2", 3, 0, 0, NULL},
		 false},
		{"tun-6in4", {PG_TUN_IPIP, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL}, true},
		{"tun-4in6", {PG_TUN_IPIP, "2001:db8:1::1", "2001:db8:1::2", 0, 0, 0, NULL}, false},
		{"tun-vxlan", {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 42, 0, 0, NULL}, false},
		{"tun-geneve",
		 {PG_TUN_GENEVE, "2001:db8:1::1", "2001:db8:1::2", 9, 0, 0, NULL},
		 true},
		{"tun-teredo", {PG_TUN_TEREDO, "198.18.0.1", "198.18.0.2", 0, 0, 0, NULL}, true},
		{"tun-mpls", {PG_TUN_MPLS, NULL, NULL, 100, 0, 0, NULL}, false},
		{"tun-pppoe", {PG_TUN_PPPOE, NULL, NULL, 1, 0, 0, NULL}, false},
		{"tun-pptp", {PG_TUN_PPTP, "198.18.0.1", "198.18.0.2", 5, 0, 0, NULL}, false},
	};
	static const struct pg_tunnel outer = {PG_TUN_GRE, "198.18.1.1", "198.18.1.2", 0, 0,
					       0,	   NULL};
	static const struct pg_tunnel nested = {PG_TUN_VXLAN, "198.18.0.1", "198.18.0.2", 1, 0, 0,
						&outer};
	static const uint8_t ppp[] = {0xff, 0x03, 0x00, 0x21};
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.19.0.2",
			   .sport = 1,
			   .dport = 2,
			   .proto = IPPROTO_UDP,
			   .payload = "ppp",
			   .len = 3};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		tunnel_seed(seeds[i].name, &seeds[i].t, seeds[i].v6);
	tunnel_seed("tun-vxlan-in-gre", &nested, false);
	frame_seed("ppp-ipv4-udp", L_PPP, ppp, sizeof(ppp), &p, -1, 0);
}

/* -------------------------------------------------------------- defrag */

/* fuzz_defrag.c's records. */
enum {
	F_V4 = 0,
	F_V6 = 1,
	F_V6_HBH = 2,
	F_RAW = 3,
	F_MF = 4,
	F_SRC2 = 8,
	F_TCP = 0x10,
	F_LATER = 0x20,
	F_EXPIRE = 0x40,
	F_VLAN = 0x80
};

static void frag(struct buf *o, unsigned op, unsigned id, unsigned off8, unsigned len,
		 unsigned fill)
{
	u8(o, op);
	u8(o, id);
	u16(o, off8);
	u16(o, len);
	u8(o, fill);
}

static void raw_frag(struct buf *o, unsigned op, const struct pg_pkt *p)
{
	struct pcapgen g = {.linktype = 101};
	uint8_t pkt[2048];
	size_t n = pg_build(&g, p, pkt, sizeof(pkt));

	u8(o, op | F_RAW);
	u16(o, (unsigned)n);
	bytes(o, pkt, n);
}

static void defrag_seeds(void)
{
	static const uint8_t ip_opts[] = {0x94, 4, 0, 0};
	static const uint8_t data[64] = "0123456789abcdef0123456789abcdef0123456789abcdef012345";
	struct pg_pkt p = {.src = "198.18.0.9",
			   .dst = "198.19.0.2",
			   .proto = IPPROTO_UDP,
			   .ip_id = 77,
			   .no_l4 = true,
			   .payload = data};
	struct buf o = {.n = 0};

	u8(&o, 2), u8(&o, 0); /* bsd, default limits */
	frag(&o, F_V4 | F_MF, 1, 0, 16, 'a');
	frag(&o, F_V4 | F_MF, 1, 2, 16, 'b');
	frag(&o, F_V4, 1, 4, 8, 'c');
	save("defrag", "ipv4-in-order", &o);

	o.n = 0;	      /* Novak's pattern, roughly: overlaps of every shape */
	u8(&o, 4), u8(&o, 1); /* linux */
	frag(&o, F_V4 | F_MF, 9, 1, 32, 'A');
	frag(&o, F_V4 | F_MF, 9, 3, 24, 'B');
	frag(&o, F_V4 | F_MF, 9, 6, 16, 'C');
	frag(&o, F_V4 | F_MF, 9, 0, 24, 'D');
	frag(&o, F_V4 | F_MF, 9, 2, 24, 'E');
	frag(&o, F_V4, 9, 7, 24, 'F');
	save("defrag", "ipv4-overlaps", &o);

	o.n = 0;
	u8(&o, 6 | 0x10 | 0xc0), u8(&o, 2); /* windows, 64 KiB, 1024 trackers */
	frag(&o, F_V6 | F_MF | F_TCP, 5, 0, 200, 1);
	frag(&o, F_V6_HBH | F_MF | F_TCP, 5, 25, 200, 2);
	frag(&o, F_V6 | F_TCP | F_VLAN, 6, 1, 40, 3);
	frag(&o, F_V6 | F_TCP, 5, 50, 100, 4);
	frag(&o, F_V6 | F_MF | F_TCP | F_VLAN, 6, 0, 8, 5);
	save("defrag", "ipv6-hbh-vlan", &o);

	o.n = 0;
	u8(&o, 8), u8(&o, 3); /* solaris */
	p.ip_options = ip_opts, p.ip_options_len = sizeof(ip_opts);
	p.more_frags = true, p.len = 24;
	raw_frag(&o, 0, &p);
	p.ip_options = NULL, p.ip_options_len = 0;
	p.more_frags = false, p.frag_off = 24, p.len = 40;
	raw_frag(&o, 0, &p);
	save("defrag", "raw-ipv4-options", &o);

	o.n = 0;			    /* timeouts, tracker cap, a datagram too large */
	u8(&o, 1 | 0xc0 | 0x00), u8(&o, 0); /* last, 16 KiB, 1024 trackers */
	frag(&o, F_V4 | F_MF, 1, 0, 512, 1);
	frag(&o, F_V4 | F_MF | F_SRC2, 2, 0, 512, 2);
	frag(&o, F_V4 | F_MF | F_LATER | F_EXPIRE, 3, 10, 512, 3);
	frag(&o, F_V4 | F_LATER | F_EXPIRE, 1, 64, 8, 4);
	frag(&o, F_V4 | F_MF, 4, 0x1ff0, 1024, 5);
	frag(&o, F_V4 | F_SRC2, 2, 64, 80, 6);
	save("defrag", "timeouts-caps", &o);
}

/* ---------------------------------------------------------- stream_tcp */

/* fuzz_stream_tcp.c's records. */
enum {
	S_SRV = 1,
	S_V6 = 8,
	S_SEQ32 = 0x10,
	S_ACK32 = 0x20,
	S_1S = 0x40,
	S_100S = 0x80,
	S_EXPIRE = 0xc0
};
enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

static void seg(struct buf *o, unsigned op, unsigned flags, unsigned seq, unsigned ack,
		const uint8_t *opts, size_t words, unsigned len, unsigned fill)
{
	u8(o, op);
	u8(o, flags);
	u16(o, seq);
	u16(o, ack);
	u8(o, 255);
	u8(o, (unsigned)words);
	bytes(o, opts, words * 4);
	u8(o, len);
	u8(o, fill);
}

/* cfg: fuzz_stream_tcp.c's byte 0; mem: its byte 1. */
static void stream_start(struct buf *o, unsigned cfg, unsigned mem)
{
	o->n = 0;
	u8(o, cfg);
	u8(o, mem);
	u32(o, 1000000);
	u32(o, 0xfffffff0); /* the server's sequence numbers wrap */
}

static void handshake(struct buf *o, unsigned op, const uint8_t *opts, size_t words)
{
	seg(o, op, SYN, 0, 0, opts, words, 0, 0);
	seg(o, op | S_SRV, SYN | ACK, 0, 1, opts, words, 0, 0);
	seg(o, op, ACK, 1, 1, NULL, 0, 0, 0);
}

static void stream_seeds(void)
{
	/* MSS, SACK permitted, timestamps (TSval 100, TSecr 0), window scale 7 */
	static const uint8_t syn_opts[20] = {2, 4,   5, 0xb4, 4, 2, 8, 10, 0, 0,
					     0, 100, 0, 0,    0, 0, 1, 3,  3, 7};
	static const uint8_t ts_old[12] = {1, 1, 8, 10, 0, 0, 0, 50, 0, 0, 0, 100};
	struct buf o;

	stream_start(&o, 0, 3 | 3 << 2); /* bsd, no depth, 1 MiB / 64 MiB */
	handshake(&o, 0, NULL, 0);
	seg(&o, 0, PSH | ACK, 1, 1, NULL, 0, 40, 'a');
	seg(&o, S_SRV, PSH | ACK, 1, 41, NULL, 0, 100, 'b');
	seg(&o, 0, FIN | ACK, 41, 101, NULL, 0, 0, 0);
	seg(&o, S_SRV, FIN | ACK, 101, 42, NULL, 0, 0, 0);
	seg(&o, 0, ACK, 42, 102, NULL, 0, 0, 0);
	save("stream_tcp", "v4-session", &o);

	stream_start(&o, 4 << 1, 2 | 2 << 2); /* linux, 16 KiB / 64 KiB */
	handshake(&o, S_V6, NULL, 0);
	seg(&o, S_V6, PSH | ACK, 21, 1, NULL, 0, 20, 'x'); /* after a hole */
	seg(&o, S_V6, PSH | ACK, 11, 1, NULL, 0, 20, 'y'); /* overlaps it */
	seg(&o, S_V6, PSH | ACK, 1, 1, NULL, 0, 10, 'z');  /* fills the start */
	seg(&o, S_V6, PSH | ACK, 1, 1, NULL, 0, 10, 'z');  /* retransmission */
	seg(&o, S_V6 | S_SRV, ACK, 1, 31, NULL, 0, 0, 0);  /* partial ACK */
	seg(&o, S_V6 | S_SRV, ACK, 1, 41, NULL, 0, 0, 0);
	seg(&o, S_V6, RST | ACK, 41, 1, NULL, 0, 5, 'r'); /* RST with data */
	save("stream_tcp", "v6-overlaps-rst", &o);

	stream_start(&o, 1 | (7 << 1), 0 | 3 << 2); /* midstream, vista, unacked 0 */
	seg(&o, 0, PSH | ACK, 500, 700, NULL, 0, 60, 'm');
	seg(&o, S_SRV, PSH | ACK, 700, 560, NULL, 0, 30, 'n');
	seg(&o, 0, PSH | ACK, 560, 730, NULL, 0, 60, 'o');
	seg(&o, S_SRV | S_EXPIRE, ACK, 730, 620, NULL, 0, 0, 0);
	save("stream_tcp", "midstream", &o);

	stream_start(&o, 1 << 5, 3 | 1 << 2); /* depth 100, memcap 4 KiB */
	handshake(&o, 0, syn_opts, 5);
	seg(&o, 0, PSH | ACK, 1, 1, NULL, 0, 150, 'd');
	seg(&o, 0, PSH | ACK, 151, 1, NULL, 0, 210, 'e');  /* 11 * 64 bytes */
	seg(&o, 0, PSH | ACK, 855, 1, ts_old, 3, 30, 'f'); /* PAWS: old TSval */
	seg(&o, S_SRV, ACK, 1, 885, NULL, 0, 0, 0);
	save("stream_tcp", "depth-memcap-paws", &o);

	stream_start(&o, 2 << 5, 1 | 2 << 2); /* depth 3000, unacked 1 KiB; evictions */
	handshake(&o, 0, NULL, 0);
	handshake(&o, 2, NULL, 0);
	seg(&o, 2, PSH | ACK, 1, 1, NULL, 0, 199 + 20, 'g'); /* 1280 bytes, over max-unacked */
	handshake(&o, 4, NULL, 0);			     /* evicts a flow */
	seg(&o, 4 | S_1S, PSH | ACK, 1, 1, NULL, 0, 50, 'h');
	seg(&o, 4 | S_100S, PSH | ACK, 51, 1, NULL, 0, 10, 'i'); /* 100 s later */
	seg(&o, 4 | S_EXPIRE, ACK, 61, 1, NULL, 0, 0, 0);	 /* idle flows end */
	save("stream_tcp", "evictions", &o);
}

/* ---------------------------------------------------------------- http */

static void http_seed(const char *name, unsigned mode, unsigned split, const char *msg)
{
	struct buf o = {.n = 0};

	u8(&o, mode);
	u8(&o, split);
	text(&o, msg);
	save("http", name, &o);
}

static void http_seeds(void)
{
	http_seed("get", 1, 0,
		  "GET /index.html?q=1 HTTP/1.1\r\nHost: www.Example.com:8080\r\n"
		  "User-Agent: Mozilla/5.0 (X11)\r\nAccept: */*\r\n\r\n");
	http_seed("pipelined-bodies", 1 | 16, 7,
		  "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
		  "PUT /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		  "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
		  "GET /next HTTP/1.0\r\nConnection: close\r\n\r\n");
	http_seed("uri-folding", 1, 3,
		  "GET /a/./b/../%2e%2e/c//d%41?x=%2F%zz HTTP/1.1\r\nHost: h\r\n"
		  "User-Agent: folded\r\n\tagent\r\n  value\r\nX-Bad-Header\r\n\r\n"
		  "get http://Host/x/../y HTTP/1.1\n\n");
	http_seed("responses", 0 | 4, 11,
		  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
		  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
		  "HTTP/1.1 304 Not Modified\r\n\r\n"
		  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
		  "a\r\n0123456789\r\n0\r\n\r\n");
	http_seed("upgrade", 0 | 8, 1,
		  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello");
	http_seed("connect", 1 | 8, 2,
		  "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
		  "\x16\x03\x01\x00\x05hello");
	http_seed("body-to-eof-gaps", 0 | 2, 5,
		  "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until the connection closes\r\n"
		  "HTTP/1.1 404 Not Found\r\nContent-Length: 99999999999999999999\r\n\r\n"
		  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx");
}

/* ----------------------------------------------------------------- dns */

static void dns_name(struct buf *o, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		u8(o, (unsigned)n);
		bytes(o, name, n);
		name += n + (dot ? 1 : 0);
	}
	u8(o, 0);
}

static void dns_header(struct buf *o, unsigned id, unsigned flags, unsigned qd, unsigned an,
		       unsigned ns, unsigned ar)
{
	o->n = 0;
	u16(o, id), u16(o, flags), u16(o, qd), u16(o, an), u16(o, ns), u16(o, ar);
}

/* A record's type, class, TTL; the caller writes rdlength and rdata. */
static void dns_rr(struct buf *o, unsigned type)
{
	u16(o, type), u16(o, 1), u32(o, 3600);
}

static void dns_seeds(void)
{
	struct buf o;
	size_t at;

	dns_header(&o, 0x1234, 0x0100, 1, 0, 0, 0);
	dns_name(&o, "www.example.com");
	u16(&o, 1), u16(&o, 1);
	save("dns", "query-a", &o);

	dns_header(&o, 0x1234, 0x8180, 1, 4, 0, 0);
	dns_name(&o, "www.example.com"); /* at 12 */
	u16(&o, 28), u16(&o, 1);
	u16(&o, 0xc00c), dns_rr(&o, 5); /* CNAME -> cdn.example.com (pointer into the name) */
	u16(&o, 6), u8(&o, 3), text(&o, "cdn"), u16(&o, 0xc010);
	u16(&o, 0xc00c), dns_rr(&o, 28), u16(&o, 16);
	bytes(&o, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	u16(&o, 0xc00c), dns_rr(&o, 1), u16(&o, 4), bytes(&o, "\xc6\x12\x00\x01", 4);
	u16(&o, 0xc00c), dns_rr(&o, 16), u16(&o, 12);
	u8(&o, 5), text(&o, "hello"), u8(&o, 5), text(&o, "world");
	save("dns", "response-cname-aaaa-txt", &o);

	dns_header(&o, 7, 0x8183, 1, 0, 1, 1); /* NXDOMAIN with SOA */
	dns_name(&o, "nope.example.org");
	u16(&o, 15), u16(&o, 1);
	u16(&o, 0xc011), dns_rr(&o, 6);
	at = o.n;
	u16(&o, 0);
	u8(&o, 2), text(&o, "ns"), u16(&o, 0xc011), u8(&o, 4), text(&o, "root"), u16(&o, 0xc011);
	u32(&o, 1), u32(&o, 2), u32(&o, 3), u32(&o, 4), u32(&o, 5);
	o.b[at] = (uint8_t)((o.n - at - 2) >> 8), o.b[at + 1] = (uint8_t)(o.n - at - 2);
	u8(&o, 0), u16(&o, 41), u16(&o, 4096), u32(&o, 0), u16(&o, 0); /* OPT */
	save("dns", "nxdomain-soa", &o);

	dns_header(&o, 9, 0x8580, 1, 3, 1, 0);
	dns_name(&o, "example.net");
	u16(&o, 15), u16(&o, 1);
	u16(&o, 0xc00c), dns_rr(&o, 15), u16(&o, 9), u16(&o, 10), u8(&o, 4), text(&o, "mail"),
		u16(&o, 0xc00c);
	u16(&o, 0xc00c), dns_rr(&o, 2), u16(&o, 5), u8(&o, 2), text(&o, "ns"), u16(&o, 0xc00c);
	u16(&o, 0xc00c), dns_rr(&o, 12), u16(&o, 2), u16(&o, 0xc00c);
	u16(&o, 0xc00c), dns_rr(&o, 2), u16(&o, 2), u16(&o, 0xc02b);
	save("dns", "mx-ns-ptr", &o);

	dns_header(&o, 1, 0x0100, 1, 0, 0, 0); /* a pointer to itself */
	u8(&o, 1), text(&o, "a"), u16(&o, 0xc00c);
	u16(&o, 1), u16(&o, 1);
	save("dns", "pointer-loop", &o);
}

/* ----------------------------------------------------------------- tls */

enum { HS_CLIENT = 1, HS_SERVER = 2 }; /* handshake message types */

static void tls_seed(const char *name, unsigned mode, unsigned split, const uint8_t *b, size_t n)
{
	struct buf o = {.n = 0};

	u8(&o, mode);
	u8(&o, split);
	bytes(&o, b, n);
	save("tls", name, &o);
}

/* ServerHello, Certificate (one certificate), ServerHelloDone, in
 * records of 200 bytes. */
static size_t tls_server_flight(uint8_t *rec)
{
	static uint8_t body[1024], hs[2048];
	size_t n = th_handshake(HS_SERVER, body, th_server_hello(0x0303, 0xc02f, 0, body), hs), m;

	m = 3 + 3 + TC_SERVER_DER_LEN;
	body[0] = 0, body[1] = (uint8_t)((m - 3) >> 8), body[2] = (uint8_t)(m - 3);
	body[3] = 0, body[4] = (uint8_t)(TC_SERVER_DER_LEN >> 8),
	body[5] = (uint8_t)TC_SERVER_DER_LEN;
	memcpy(body + 6, tc_server_der, TC_SERVER_DER_LEN);
	n += th_handshake(11, body, m, hs + n);
	n += th_handshake(14, body, 0, hs + n);
	return th_records(hs, n, 200, rec);
}

static void tls_seeds(void)
{
	static const uint16_t ciphers[] = {0x002f, 0x0035};
	static uint8_t body[2048], hs[2048], rec[2400];
	struct th_spec s = th_foxio(true, "www.example.com");
	struct th_spec bare = {.legacy_version = 0x0301, .ciphers = ciphers, .n_ciphers = 2};
	size_t n;

	n = th_handshake(HS_CLIENT, body, th_client_hello(&s, body), hs);
	tls_seed("client-hello-grease", 0, 0, rec, th_records(hs, n, 16384, rec));
	s = th_foxio(false, "a.example");
	n = th_handshake(HS_CLIENT, body, th_client_hello(&s, body), hs);
	tls_seed("client-hello-records", 3, 9, rec, th_records(hs, n, 100, rec));
	n = th_handshake(HS_CLIENT, body, th_client_hello(&bare, body), hs);
	tls_seed("client-hello-bare", 2, 4, rec, th_records(hs, n, 16384, rec));
	n = th_handshake(HS_SERVER, body, th_server_hello(0x0303, 0x1301, 0x0304, body), hs);
	tls_seed("server-hello-tls13", 2, 6, rec, th_records(hs, n, 16384, rec));
	n = th_handshake(HS_SERVER, body, th_server_hello(0x0303, 0xc02f, 0, body), hs);
	tls_seed("server-hello-tls12", 0, 1, rec, th_records(hs, n, 20, rec));
	s = th_foxio(true, "body.example");
	tls_seed("client-hello-body", 0, 0, body, th_client_hello(&s, body));
	tls_seed("server-flight-cert", 4, 5, rec, tls_server_flight(rec));
	tls_seed("certificate-der", 0, 0, tc_root_der, TC_ROOT_DER_LEN);
}

/* ----------------------------------------------------------------- ssh */

static void ssh_name_lists(struct buf *o, const char *const lists[10])
{
	for (unsigned i = 0; i < 10; i++) {
		u16(o, 0), u16(o, (uint16_t)strlen(lists[i]));
		text(o, lists[i]);
	}
}

/* mode, split, then the direction's bytes: banner line, KEXINIT packet. */
static void ssh_seeds(void)
{
	static const char *const lists[10] = {"curve25519-sha256,ext-info-c",
					      "ssh-ed25519",
					      "aes128-ctr",
					      "aes256-ctr",
					      "hmac-sha2-256",
					      "hmac-sha1",
					      "none",
					      "zlib",
					      "",
					      ""};
	struct buf kex = {.n = 0}, o = {.n = 0};

	u8(&kex, 20);
	for (int i = 0; i < 16; i++)
		u8(&kex, 0x11);
	ssh_name_lists(&kex, lists);
	u8(&kex, 0), u16(&kex, 0), u16(&kex, 0); /* flag, reserved */
	u8(&o, 0), u8(&o, 7);
	text(&o, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3\r\n");
	u16(&o, 0), u16(&o, (uint16_t)(kex.n + 4 + 1));
	u8(&o, 4);
	bytes(&o, kex.b, kex.n);
	u16(&o, 0), u16(&o, 0); /* padding */
	save("ssh", "client-banner-kexinit", &o);
	o.n = 0;
	u8(&o, 1), u8(&o, 3);
	text(&o, "Authorised users only\r\nSSH-1.99-dropbear_2022.83\n");
	save("ssh", "server-pre-lines", &o);
	save("ssh", "kexinit-payload", &kex);
}

/* --------------------------------------------------- app_detect, portscan */

static void app_seed(const char *name, unsigned mode, const void *b, size_t n)
{
	struct buf o = {.n = 0};

	u8(&o, mode);
	bytes(&o, b, n);
	save("app_detect", name, &o);
}

static void app_portscan_seeds(void)
{
	static const uint8_t rdp[] = {3, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 3, 0, 0, 0};
	static const uint8_t smb[] = {0, 0, 0, 0x44, 0xfe, 'S', 'M', 'B', 64, 0};
	static const uint8_t mdns[] = {0, 0, 0x84, 0,	0,   0,	  0, 1, 0, 0,	 0,
				       0, 4, 'h',  'o', 's', 't', 0, 0, 1, 0x80, 1,
				       0, 0, 0,	   120, 0,   4,	  1, 2, 3, 4};
	static const uint8_t tls[] = {0x16, 3, 1, 0, 0x40, 1, 0, 0, 0x3c};
	struct buf o = {.n = 0};

	app_seed("http-request", 1, "GET / HTTP/1.1\r\n", 16);
	app_seed("imap-greeting", 0, "* OK ready\r\n", 12);
	app_seed("smtp-banner", 0, "220 mail ESMTP\r\n", 16);
	app_seed("rdp-request", 1, rdp, sizeof(rdp));
	app_seed("smb2", 1, smb, sizeof(smb));
	app_seed("mdns-answer", 2, mdns, sizeof(mdns));
	app_seed("tls-client-hello", 1, tls, sizeof(tls));

	u8(&o, 3), u8(&o, 2), u8(&o, 10), u8(&o, 4),
		u8(&o, 7); /* ports, hosts, window, sources, seed */
	for (unsigned i = 0; i < 40; i++) {
		u8(&o, i % 6), u8(&o, i % 5), u16(&o, 1000 + i), u16(&o, 250), u8(&o, i % 7 == 0);
	}
	save("portscan", "mixed-sources", &o);
}

/* ----------------------------------------------------- rules, config */

static void rules_seeds(void)
{
	save_text("rules", "every-key.yaml",
		  "vars:\n"
		  "  HOME_NET: [198.18.0.0/16, \"2001:db8:1::/48\"]\n"
		  "  EXTERNAL_NET: [\"!$HOME_NET\"]\n"
		  "  WEB_PORTS: [80, 443, \"8000:8099\"]\n"
		  "rules:\n"
		  "  - id: 1\n"
		  "    rev: 2\n"
		  "    msg: \"every key\"\n"
		  "    category: \"Test\"\n"
		  "    severity: 1\n"
		  "    metadata: {created_at: \"2026-01-01\", affected: [client, server]}\n"
		  "    detector: signature\n"
		  "    proto: tcp\n"
		  "    src: $EXTERNAL_NET\n"
		  "    dst: [$HOME_NET, \"!198.18.5.0/24\", 10.0.0.1]\n"
		  "    src_port: \"1024:\"\n"
		  "    dst_port: $WEB_PORTS\n"
		  "    direction: to_server\n"
		  "    scope: stream\n"
		  "    stream_alerts: every\n"
		  "    patterns:\n"
		  "      - content: \"GET \"\n"
		  "        depth: 4\n"
		  "      - content: \"\\x0amalware\\x00\"\n"
		  "        nocase: true\n"
		  "        offset: 2\n"
		  "      - hex: \"ff fe 00 01\"\n"
		  "      - regex: '(\\.\\./)+etc/passwd'\n"
		  "    pcre: '/^user=[a-z]+$/mi'\n"
		  "  - id: 0x10\n"
		  "    msg: udp packet rule\n"
		  "    proto: udp\n"
		  "    src_port: [\"!53\", \":1023\"]\n"
		  "    dst: any\n"
		  "    buffer: dns.query\n"
		  "    patterns: [{content: evil}]\n"
		  "  - id: 17\n"
		  "    msg: ip rule\n"
		  "    proto: ip\n"
		  "    src: \"2001:db8::/32\"\n"
		  "    direction: any\n"
		  "    pcre: 'plain expression'\n");
	save_text("rules", "errors.yaml",
		  "vars:\n"
		  "  A: [\"!$B\"]\n"
		  "  B: [\"!$A\"]\n"
		  "  9BAD: 1.2.3.4\n"
		  "rules:\n"
		  "  - id: 1\n"
		  "    msg: dup\n"
		  "  - id: 1\n"
		  "    msg: dup\n"
		  "    sevrity: 9\n"
		  "  - id: 2\n"
		  "    msg: \"\"\n"
		  "    proto: sctp\n"
		  "    src: \"!any\"\n"
		  "    dst_port: \"99999\"\n"
		  "    patterns:\n"
		  "      - content: \"\"\n"
		  "      - hex: \"0g\"\n"
		  "      - regex: '(unclosed'\n"
		  "        depth: 0\n"
		  "    pcre: '/x/q'\n"
		  "  - id: 3\n"
		  "    msg: udp stream\n"
		  "    proto: udp\n"
		  "    scope: stream\n"
		  "    src: $A\n");
	save_text("rules", "anchors.yaml",
		  "rules:\n"
		  "  - &anchor {id: 4, msg: a}\n"
		  "  - *anchor\n"
		  "  - !!str tagged\n");
}

static void config_seeds(void)
{
	save_text(
		"config", "every-key.yaml",
		"log-dir: logs\n"
		"plugin-dir: /usr/lib/sensor/plugins\n"
		"threads: 4\n"
		"outputs:\n"
		"  eve: {enabled: true, filename: out.json, payload: yes, payload-printable: on,\n"
		"        packet: false, types: [alert, flow]}\n"
		"flow:\n"
		"  max-flows: 1000\n"
		"  timeouts: {tcp: {new: 5, established: 60, closed: 1}, udp: 30, icmp: 10,\n"
		"             other: {new: 1, established: 2}}\n"
		"host-os-policy:\n"
		"  default: linux\n"
		"  windows: [198.18.0.0/16, \"2001:db8::/32\"]\n"
		"  solaris: [10.0.0.1]\n"
		"stream:\n"
		"  midstream: true\n"
		"  checksum-validation: true\n"
		"  memcap: 16mb\n"
		"  reassembly: {depth: 0, max-unacked: 64kb}\n"
		"defrag: {timeout: 30, memcap: 1gb, max-trackers: 10}\n"
		"capture:\n"
		"  method: raw\n"
		"  interfaces: [eth0, eth1]\n"
		"  bpf: \"tcp port 80\"\n"
		"  promisc: false\n"
		"  af-packet: {block-size: 2mb, block-count: 8, frame-size: 4096, block-timeout: "
		"5,\n"
		"              fanout: lb, defrag: false, group: 7}\n"
		"  raw: {batch: 16, snaplen: 1500}\n"
		"stats: {interval: 0}\n"
		"pidfile: /run/sensor.pid\n"
		"run-as: {user: nobody, group: nogroup}\n"
		"plugins:\n"
		"  - name: signature\n"
		"    rules: [a.yaml, /abs/b.yaml]\n"
		"  - name: mine\n"
		"    path: ./mine.so\n"
		"    enabled: false\n"
		"    options: {threshold: 3, list: [1, 2]}\n"
		"rule-files: [../rules/extra.yaml]\n");
	save_text("config", "errors.yaml",
		  "threads: 0\n"
		  "unknown: 1\n"
		  "outputs: {eve: {types: [bogus], enabled: maybe}}\n"
		  "flow: {max-flows: -1, timeouts: {tcp: {sleepy: 1}}}\n"
		  "host-os-policy: {default: amiga, linux: [not-an-address]}\n"
		  "stream: {memcap: 12parsecs, reassembly: []}\n"
		  "capture: {method: carrier-pigeon, af-packet: {fanout: 99}}\n"
		  "plugins: {name: x}\n"
		  "rule-files: 3\n");
}

/* -------------------------------------------------------- packet_path */

/* A capture written by `fill` as a fuzz_packet_path seed: byte 0 = 8 (a
 * whole capture file), then the pcap file. */
static void capture_seed(const char *name, int linktype, void (*fill)(struct pcapgen *g))
{
	char path[] = "/tmp/make_corpus_XXXXXX";
	struct buf o = {.n = 0};
	struct pcapgen g;
	int fd = mkstemp(path);
	FILE *f;
	size_t n;

	if (fd < 0)
		die("mkstemp");
	close(fd);
	pg_open(&g, path, linktype);
	fill(&g);
	pg_close(&g);
	u8(&o, 8);
	f = fopen(path, "rb");
	if (!f)
		die(path);
	n = fread(o.b + 1, 1, MAX_SEED - 1, f);
	if (!feof(f))
		die("capture seed over 4 KiB");
	fclose(f);
	unlink(path);
	o.n = 1 + n;
	save("packet_path", name, &o);
}

static void pp_http(struct pcapgen *g)
{
	static const char req[] = "GET /a/../etc/passwd?q=\xff\xfe\x01%00 HTTP/1.1\r\n"
				  "Host: www.\xc3\xa9xample.com\r\nUser-Agent: sqlmap\t\"x\"\\\r\n"
				  "Cookie: \x7f\x80\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n"
				   "Server: a\x1b[0m\r\n\r\nuid=0(root)";
	struct pg_tcp t;

	pg_tcp_init(&t, g, "198.18.0.1", 40000, "198.18.0.2", 80);
	pg_tcp_handshake(&t);
	pg_tcp_send(&t, PG_TO_SERVER, req, 40);
	pg_tcp_send(&t, PG_TO_SERVER, req + 40, sizeof(req) - 41);
	pg_tcp_send(&t, PG_TO_CLIENT, resp, sizeof(resp) - 1);
	pg_tcp_close(&t);
}

static void pp_dns(struct pcapgen *g)
{
	struct buf o, tcp = {.n = 0};
	struct pg_tcp t;

	dns_header(&o, 0x4242, 0x0100, 1, 0, 0, 0);
	dns_name(&o, "evil\"\\.exa\x01mple.com");
	u16(&o, 1), u16(&o, 1);
	pg_udp(g, "2001:db8::1", 5353, "2001:db8::2", 53, o.b, o.n);
	dns_header(&o, 0x4242, 0x8180, 1, 1, 0, 0);
	dns_name(&o, "evil\"\\.exa\x01mple.com");
	u16(&o, 1), u16(&o, 1);
	u16(&o, 0xc00c), dns_rr(&o, 16), u16(&o, 4), u8(&o, 3), bytes(&o, "\xff\x00\n", 3);
	pg_udp(g, "2001:db8::2", 53, "2001:db8::1", 5353, o.b, o.n);
	/* the same query twice over TCP, length-prefixed, in one segment */
	dns_header(&o, 7, 0x0100, 1, 0, 0, 0);
	dns_name(&o, "tcp.example.org");
	u16(&o, 16), u16(&o, 1);
	for (int i = 0; i < 2; i++) {
		u16(&tcp, (unsigned)o.n);
		bytes(&tcp, o.b, o.n);
	}
	pg_tcp_init(&t, g, "198.18.0.1", 40001, "198.18.0.3", 53);
	pg_tcp_handshake(&t);
	pg_tcp_send(&t, PG_TO_SERVER, tcp.b, 1);
	pg_tcp_send(&t, PG_TO_SERVER, tcp.b + 1, tcp.n - 1);
	pg_tcp_close(&t);
}

static void pp_tls_ssh(struct pcapgen *g)
{
	static uint8_t body[2048], hs[2048], rec[2400];
	struct th_spec s = th_foxio(true, "sni.\xe2\x82\xac\x01.example");
	static const char banner[] = "SSH-2.0-OpenSSH_9.6 \xff\"\r\n";
	struct pg_tcp t;
	size_t n;

	n = th_handshake(HS_CLIENT, body, th_client_hello(&s, body), hs);
	n = th_records(hs, n, 300, rec);
	pg_tcp_init(&t, g, "198.18.0.1", 40002, "198.18.0.4", 443);
	pg_tcp_handshake(&t);
	pg_tcp_send(&t, PG_TO_SERVER, rec, n);
	pg_tcp_init(&t, g, "198.18.0.1", 40003, "198.18.0.5", 22);
	pg_tcp_handshake(&t);
	pg_tcp_send(&t, PG_TO_SERVER, banner, sizeof(banner) - 1);
	pg_tcp_send(&t, PG_TO_CLIENT, "SSH-2.0-x\r\n", 11);
}

static void pp_scan_frag(struct pcapgen *g)
{
	static const char data[] = "fragmented GET payload across two fragments!";
	struct pg_pkt p = {.src = "198.18.0.9",
			   .dst = "198.18.0.10",
			   .proto = IPPROTO_UDP,
			   .sport = 1000,
			   .dport = 2000,
			   .ip_id = 77};
	uint8_t l4[128];
	size_t n;

	for (unsigned port = 1; port <= 8; port++) {
		struct pg_pkt syn = {.src = "198.18.0.9",
				     .dst = "198.18.0.10",
				     .proto = IPPROTO_TCP,
				     .sport = 50000,
				     .dport = (uint16_t)port,
				     .tcp_flags = 0x02,
				     .seq = port};

		pg_packet(g, &syn);
	}
	p.payload = data;
	p.len = sizeof(data) - 1;
	n = pg_l4_bytes(g, &p, l4, sizeof(l4));
	pg_fragment(g, &p, l4 + 24, n - 24, 24, false);
	pg_fragment(g, &p, l4, 24, 0, true);
}

static void pp_raw(struct pcapgen *g)
{
	struct pg_tcp t;

	pg_tcp_init(&t, g, "2001:db8::1", 40004, "2001:db8::2", 8080);
	pg_tcp_handshake(&t);
	pg_tcp_send(&t, PG_TO_SERVER, "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", 41);
	pg_tcp_segment(&t, PG_TO_SERVER, 0x18, -3, "xyz", 3);
}

/* An HTTP request in VXLAN in GRE (every frame wrapped). */
static void pp_tunnel(struct pcapgen *g)
{
	static const struct pg_tunnel gre = {PG_TUN_GRE, "198.18.1.1", "198.18.1.2", 7, 0, 0, NULL};
	static const struct pg_tunnel vxlan = {PG_TUN_VXLAN, "198.18.2.1", "198.18.2.2", 42, 0, 0,
					       &gre};
	struct pg_tcp t;

	g->tunnel = &vxlan;
	pg_tcp_init(&t, g, "198.18.0.1", 40005, "198.18.0.2", 80);
	pg_tcp_handshake(&t);
	pg_tcp_send(&t, PG_TO_SERVER, "GET /../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n", 41);
	g->tunnel = NULL;
}

/* pcapng block helpers (little-endian, as written on this host). */
static void le16(struct buf *o, unsigned v)
{
	u8(o, v & 0xff), u8(o, v >> 8);
}

static void le32(struct buf *o, uint32_t v)
{
	le16(o, v & 0xffff), le16(o, v >> 16);
}

static void ng_epb(struct buf *o, unsigned ifn, uint64_t ts, const uint8_t *f, size_t n)
{
	size_t pad = (4 - n % 4) % 4, len = 32 + n + pad;

	le32(o, 6), le32(o, (uint32_t)len), le32(o, ifn);
	le32(o, (uint32_t)(ts >> 32)), le32(o, (uint32_t)ts);
	le32(o, (uint32_t)n), le32(o, (uint32_t)n);
	bytes(o, f, n);
	for (size_t i = 0; i < pad; i++)
		u8(o, 0);
	le32(o, (uint32_t)len);
}

/* A pcapng with two interfaces of different link types (Ethernet, raw
 * IP), a UDP datagram on each. */
static void pcapng_seed(void)
{
	struct buf o = {.n = 0};
	struct pcapgen eth = {.linktype = 1}, raw = {.linktype = 101};
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.18.0.2",
			   .proto = IPPROTO_UDP,
			   .sport = 5353,
			   .dport = 53,
			   .payload = "\x12\x34\x01\x00",
			   .len = 4};
	uint8_t f[256];
	size_t n;

	u8(&o, 8);
	le32(&o, 0x0a0d0d0a), le32(&o, 28), le32(&o, 0x1a2b3c4d);
	le16(&o, 1), le16(&o, 0), le32(&o, 0xffffffff), le32(&o, 0xffffffff), le32(&o, 28);
	for (unsigned lt = 1; lt <= 101; lt += 100) {
		le32(&o, 1), le32(&o, 20), le16(&o, lt), le16(&o, 0), le32(&o, 65535);
		le32(&o, 20);
	}
	n = pg_build(&eth, &p, f, sizeof(f));
	ng_epb(&o, 0, UINT64_C(1795000000000000), f, n);
	n = pg_build(&raw, &p, f, sizeof(f));
	ng_epb(&o, 1, UINT64_C(1795000000001000), f, n);
	save("packet_path", "pcapng-two-link-types", &o);
}

/* Frame records (byte 0: Ethernet): a UDP datagram, then a TCP SYN two
 * minutes later. */
static void records_seed(void)
{
	struct buf o = {.n = 0};
	struct pcapgen g = {.linktype = 1};
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.18.0.2",
			   .proto = IPPROTO_UDP,
			   .sport = 1234,
			   .dport = 4321,
			   .payload = "GET example",
			   .len = 11};
	uint8_t frame[256];
	size_t n;

	u8(&o, 0);
	n = pg_build(&g, &p, frame, sizeof(frame));
	u8(&o, 5), u16(&o, (unsigned)n), bytes(&o, frame, n);
	p.proto = IPPROTO_TCP;
	p.tcp_flags = 0x02;
	p.len = 0;
	n = pg_build(&g, &p, frame, sizeof(frame));
	u8(&o, 0x80 | 120), u16(&o, (unsigned)n), bytes(&o, frame, n);
	save("packet_path", "records-udp-syn", &o);
}

static void packet_path_seeds(void)
{
	capture_seed("http-hostile-strings", 1, pp_http);
	capture_seed("dns-udp-tcp", 1, pp_dns);
	capture_seed("tls-ssh", 1, pp_tls_ssh);
	capture_seed("portscan-fragments", 1, pp_scan_frag);
	capture_seed("raw-ipv6-overlap", 101, pp_raw);
	capture_seed("vxlan-in-gre-http", 1, pp_tunnel);
	records_seed();
	pcapng_seed();
}

/* --------------------------------------------------------- eve_writer */

/* fuzz_eve_writer's op byte: `bits` (its high nibble) with the low nibble
 * that makes op % 5 == kind. */
static void eve_op(struct buf *o, unsigned kind, unsigned bits)
{
	for (unsigned low = 0; low < 16; low++)
		if (((bits | low) % 5) == kind) {
			u8(o, bits | low);
			return;
		}
}

/* A string of n bytes (n < 250). */
static void estr(struct buf *o, const char *s, size_t n)
{
	u8(o, (unsigned)n);
	bytes(o, s, n);
}

static void eve_writer_seeds(void)
{
	static const char bad[] = "a\x00\"\\\x01\x1f\x7f\xc3\xa9\xc3\x28\xed\xa0\x80\xf4\x90"
				  "\x80\x80\xe2\x82\xac\xff\xfe\n\t/";
	struct buf o = {.n = 0};

	/* every option, a host and an in_iface; an alert with everything */
	u8(&o, 0x3f);
	estr(&o, "h\xff\x01", 3);
	estr(&o, "eth\x80", 4);
	eve_op(&o, 0, 0xf0);
	estr(&o, bad, sizeof(bad) - 1);
	estr(&o, "cat\"egory", 9);
	estr(&o, bad + 3, sizeof(bad) - 4);
	estr(&o, "ht\xfftp", 5);
	estr(&o, bad, sizeof(bad) - 1);
	estr(&o, bad, sizeof(bad) - 1);
	/* a huge message (2 * 4099 bytes of a repeated invalid sequence) */
	eve_op(&o, 0, 0x00);
	u8(&o, 251), bytes(&o, "\xe2\x82\xc3\x00\x80\"\\", 7);
	for (int i = 0; i < 5; i++)
		estr(&o, "", 0);
	eve_op(&o, 1, 0x80);
	estr(&o, "decode", 6);
	estr(&o, bad, sizeof(bad) - 1);
	eve_op(&o, 2, 0x70);
	estr(&o, "established\x00x", 13);
	estr(&o, bad, 9);
	estr(&o, bad + 9, 9);
	estr(&o, "timeout", 7);
	eve_op(&o, 4, 0x00);
	estr(&o, bad, sizeof(bad) - 1);
	u16(&o, 17);
	save("eve_writer", "every-record", &o);

	/* a protocol record: nested objects and arrays, strn with NULs, raw
	 * values, deeper than IDS_JSON_MAX_DEPTH, left open */
	o.n = 0;
	u8(&o, 0x08);
	eve_op(&o, 3, 0x10);			   /* dns */
	u8(&o, 0), estr(&o, "qu\xffry", 5);	   /* open_object with a hostile key */
	u8(&o, 5), estr(&o, bad, sizeof(bad) - 1); /* strn, key "k" */
	u8(&o, 2), estr(&o, "answers", 7);	   /* open_array */
	u8(&o, 4), estr(&o, bad, 12);		   /* str in the array */
	u8(&o, 9), u8(&o, 1);			   /* raw */
	u8(&o, 3);				   /* close_array */
	u8(&o, 6), u32(&o, 0xffffffff), u32(&o, 0xffffffff);
	u8(&o, 7), u32(&o, 0x80000000);
	u8(&o, 8), u8(&o, 1);
	u8(&o, 10);	     /* stop, the object left open */
	eve_op(&o, 3, 0x70); /* a type from a string */
	estr(&o, "my_type", 7);
	u8(&o, 2), estr(&o, "deep", 4); /* open_array, then 20 more in it */
	for (int i = 0; i < 20; i++)
		u8(&o, 2);
	save("eve_writer", "record-builder", &o);
}

/* ------------------------------------------------------------ dns_tcp */

/* fuzz_dns_tcp seeds: byte 0 (max, split seed), then the direction. */
static void dns_tcp_seeds(void)
{
	struct buf o = {.n = 0}, m;

	dns_header(&m, 0x1234, 0x0100, 1, 0, 0, 0);
	dns_name(&m, "www.example.com");
	u16(&m, 1), u16(&m, 1);
	/* max 65535: two messages, an empty prefix, a third cut short */
	u8(&o, 3 | 5 << 2);
	for (int i = 0; i < 2; i++)
		u16(&o, (unsigned)m.n), bytes(&o, m.b, m.n);
	u16(&o, 0);
	u16(&o, (unsigned)m.n), bytes(&o, m.b, 10);
	save("dns_tcp", "two-empty-cut", &o);

	/* max 12: an oversized message skipped, then a 12-byte header-only
	 * message, then half a prefix */
	o.n = 0;
	u8(&o, 0 | 9 << 2);
	u16(&o, (unsigned)m.n), bytes(&o, m.b, m.n);
	u16(&o, 12), bytes(&o, m.b, 12);
	u8(&o, 0);
	save("dns_tcp", "oversized-then-header", &o);
}

/* ------------------------------------------------------- stream_policy */

/* A client segment of fuzz_stream_policy: offset, length, value. */
static void pol_seg(struct buf *o, unsigned off, unsigned len, unsigned v)
{
	u8(o, 0), u16(o, off), u8(o, len - 1), u8(o, v);
}

static void pol_ack(struct buf *o, unsigned a)
{
	u8(o, 1), u16(o, a);
}

/* The same overlaps under every policy: a new segment starting before an
 * old one, at the same byte and longer, inside, ending at the same byte,
 * reaching back before an ACK, agreeing bytes, a hole, across the
 * sequence number wrap. */
static void stream_policy_seeds(void)
{
	static const char *const names[] = {"first",	 "last",    "bsd",   "bsd-right", "linux",
					    "old-linux", "windows", "vista", "solaris"};

	for (unsigned pol = 0; pol < 9; pol++) {
		struct buf o = {.n = 0};
		char name[64];

		u8(&o, pol);
		pol_seg(&o, 10, 20, 0x41);
		pol_seg(&o, 5, 10, 0x42);
		pol_seg(&o, 10, 30, 0x43);
		pol_seg(&o, 25, 5, 0x44);
		pol_seg(&o, 20, 10, 0x45);
		pol_seg(&o, 10, 20, 0x46);
		pol_ack(&o, 15);
		pol_seg(&o, 0, 40, 0x80);
		pol_seg(&o, 60, 10, 0x47);
		pol_ack(&o, 50);
		pol_seg(&o, 1000, 100, 0x48);
		pol_seg(&o, 1020, 10, 0x49);
		pol_seg(&o, 990, 40, 0x90);
		snprintf(name, sizeof(name), "overlaps-%s", names[pol]);
		save("stream_policy", name, &o);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	root = argv[1];
	mkdir(root, 0755);
	decode_seeds();
	tunnel_seeds();
	defrag_seeds();
	stream_seeds();
	http_seeds();
	dns_seeds();
	tls_seeds();
	ssh_seeds();
	app_portscan_seeds();
	rules_seeds();
	config_seeds();
	matcher_seeds();
	packet_path_seeds();
	eve_writer_seeds();
	dns_tcp_seeds();
	stream_policy_seeds();
	return 0;
}
