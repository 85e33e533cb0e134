/*
 * pcapgen.c - the tests' capture writer (see pcapgen.h).
 *
 * Frames are built bottom-up into a caller buffer: link header, IP header
 * (IPv4 with optional options and fragment fields, or IPv6), transport
 * header with a correct checksum over the pseudo-header, payload. Test code:
 * a bad argument or a write error is a bug in the test, so it aborts.
 */
#include "pcapgen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define PG_START_USEC INT64_C(1795000000000000)

static void pg_die(const char *what)
{
	fprintf(stderr, "pcapgen: %s\n", what);
	abort();
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void fwrite_all(struct pcapgen *g, const void *p, size_t n)
{
	if (fwrite(p, 1, n, g->f) != n)
		pg_die("write failed");
}

void pg_open(struct pcapgen *g, const char *path, int linktype)
{
	/* Little-endian classic pcap header, as written on x86. */
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = {0xa1b2c3d4, 2, 4, 0, 0, 262144, (uint32_t)linktype};

	memset(g, 0, sizeof(*g));
	g->f = fopen(path, "wb");
	if (!g->f)
		pg_die("cannot create the capture file");
	g->linktype = linktype;
	g->ts_usec = PG_START_USEC;
	g->step_usec = 1000;
	fwrite_all(g, &hdr, sizeof(hdr));
}

void pg_close(struct pcapgen *g)
{
	if (g->f && fclose(g->f) != 0)
		pg_die("close failed");
	g->f = NULL;
}

static void write_record(struct pcapgen *g, const uint8_t *frame, size_t caplen, size_t wirelen)
{
	uint32_t rec[4] = {(uint32_t)(g->ts_usec / 1000000), (uint32_t)(g->ts_usec % 1000000),
			   (uint32_t)caplen, (uint32_t)wirelen};

	fwrite_all(g, rec, sizeof(rec));
	fwrite_all(g, frame, caplen);
	g->ts_usec += g->step_usec;
	g->frames++;
}

void pg_write_caplen(struct pcapgen *g, const uint8_t *frame, size_t caplen, size_t wirelen)
{
	static uint8_t wrapped[PG_MAX_FRAME];
	size_t n;

	if (!g->tunnel || g->linktype != 1) {
		write_record(g, frame, caplen, wirelen);
		return;
	}
	n = pg_tunnel_wrap(g->tunnel, frame, caplen, wrapped, sizeof(wrapped));
	write_record(g, wrapped, n, wirelen + (n - caplen));
}

void pg_write(struct pcapgen *g, const uint8_t *frame, size_t len)
{
	pg_write_caplen(g, frame, len, len);
}

uint16_t pg_csum(const void *data, size_t len, uint32_t seed)
{
	const uint8_t *p = data;
	uint32_t sum = seed;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t sum_partial(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

/* Parse an address; returns its family (4 or 6). */
static int parse_addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 6;
	pg_die("bad address");
	return 0;
}

static size_t build_l4(const struct pg_pkt *p, uint8_t *l4, size_t cap)
{
	size_t hl = 0;

	switch (p->no_l4 ? 0 : p->proto) {
	case IPPROTO_TCP:
		hl = 20;
		if (cap < hl + p->len)
			pg_die("frame too large");
		memset(l4, 0, hl);
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put32(l4 + 4, p->seq);
		put32(l4 + 8, p->ack);
		l4[12] = 5 << 4;
		l4[13] = p->tcp_flags;
		put16(l4 + 14, p->win ? p->win : 65535);
		put16(l4 + 18, p->urg_ptr);
		break;
	case IPPROTO_UDP:
		hl = 8;
		if (cap < hl + p->len)
			pg_die("frame too large");
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put16(l4 + 4, (uint16_t)(8 + p->len));
		put16(l4 + 6, 0);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hl = 8;
		if (cap < hl + p->len)
			pg_die("frame too large");
		memset(l4, 0, hl);
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		put16(l4 + 4, 0x1234); /* echo id */
		put16(l4 + 6, 1);      /* echo seq */
		break;
	default:
		if (cap < p->len)
			pg_die("frame too large");
	}
	if (p->len)
		memcpy(l4 + hl, p->payload, p->len);
	return hl + p->len;
}

/* Checksum of the transport header over the pseudo-header. */
static void l4_checksum(const struct pg_pkt *p, int fam, const uint8_t *src, const uint8_t *dst,
			uint8_t *l4, size_t l4len)
{
	size_t alen = fam == 4 ? 4 : 16;
	uint32_t seed = sum_partial(src, alen) + sum_partial(dst, alen) + (uint32_t)l4len;
	size_t at;

	switch (p->proto) {
	case IPPROTO_TCP:
		at = 16;
		break;
	case IPPROTO_UDP:
		at = 6;
		break;
	case IPPROTO_ICMP:
		put16(l4 + 2, 0);
		put16(l4 + 2, pg_csum(l4, l4len, 0));
		return;
	case IPPROTO_ICMPV6:
		at = 2;
		break;
	default:
		return;
	}
	seed += p->proto;
	put16(l4 + at, 0);
	put16(l4 + at, pg_csum(l4, l4len, seed));
	if (p->proto == IPPROTO_UDP && l4[6] == 0 && l4[7] == 0)
		put16(l4 + 6, 0xffff);
}

static size_t build_ip(const struct pg_pkt *p, uint8_t *ip, size_t cap)
{
	uint8_t src[16], dst[16];
	int fam = parse_addr(p->src, src);
	size_t hl, l4len;

	if (parse_addr(p->dst, dst) != fam)
		pg_die("mixed address families");
	hl = fam == 4 ? 20 + p->ip_options_len : 40 + p->ip6_ext_len;
	if (cap < hl)
		pg_die("frame too large");
	l4len = build_l4(p, ip + hl, cap - hl);
	if (!p->no_l4)
		l4_checksum(p, fam, src, dst, ip + hl, l4len);
	if (fam == 4) {
		memset(ip, 0, 20);
		ip[0] = (uint8_t)(0x40 | hl / 4);
		put16(ip + 2, (uint16_t)(hl + l4len));
		put16(ip + 4, p->ip_id);
		put16(ip + 6, (uint16_t)((p->more_frags ? 0x2000 : 0) | p->frag_off / 8));
		ip[8] = p->ttl ? p->ttl : 64;
		ip[9] = p->proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		if (p->ip_options_len)
			memcpy(ip + 20, p->ip_options, p->ip_options_len);
		put16(ip + 10, pg_csum(ip, hl, 0));
	} else {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(p->ip6_ext_len + l4len));
		ip[6] = p->ip6_ext_len ? p->ip6_ext_first : p->proto;
		if (p->ip6_ext_len)
			memcpy(ip + 40, p->ip6_ext, p->ip6_ext_len);
		ip[7] = p->ttl ? p->ttl : 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}
	return hl + l4len;
}

size_t pg_build(const struct pcapgen *g, const struct pg_pkt *p, uint8_t *out, size_t cap)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
	uint8_t tmp[16];
	size_t at = 0;

	if (g->linktype == 101)
		return build_ip(p, out, cap);
	if (cap < 14 + 8)
		pg_die("frame too large");
	memcpy(out, macs, 12);
	at = 12;
	for (int i = 0; i < p->n_vlan; i++) {
		uint16_t tpid =
			i == 0 && p->n_vlan > 1 && p->vlan_outer_tpid ? p->vlan_outer_tpid : 0x8100;

		put16(out + at, tpid);
		put16(out + at + 2, p->vlan[i]);
		at += 4;
	}
	put16(out + at, parse_addr(p->src, tmp) == 4 ? 0x0800 : 0x86dd);
	at += 2;
	return at + build_ip(p, out + at, cap - at);
}

size_t pg_l4_bytes(const struct pcapgen *g, const struct pg_pkt *p, uint8_t *out, size_t cap)
{
	uint8_t frame[PG_MAX_FRAME];
	struct pcapgen raw = {.linktype = 101};
	size_t n = pg_build(&raw, p, frame, sizeof(frame));
	size_t hl = (frame[0] >> 4) == 4 ? (size_t)(frame[0] & 15) * 4 : 40 + p->ip6_ext_len;

	(void)g;
	if (n - hl > cap)
		pg_die("transport bytes too large");
	memcpy(out, frame + hl, n - hl);
	return n - hl;
}

void pg_fragment(struct pcapgen *g, const struct pg_pkt *p, const void *data, size_t len,
		 uint16_t offset, bool more)
{
	struct pg_pkt f = *p;
	uint8_t tmp[16],
		fh[8] = {p->proto, 0, 0, 0, 0, 0, (uint8_t)(p->ip_id >> 8), (uint8_t)p->ip_id};

	f.no_l4 = true;
	f.payload = data;
	f.len = len;
	if (parse_addr(p->src, tmp) == 4) {
		f.frag_off = offset;
		f.more_frags = more;
	} else {
		put16(fh + 2, (uint16_t)(offset | (more ? 1 : 0)));
		f.ip6_ext = fh;
		f.ip6_ext_len = sizeof(fh);
		f.ip6_ext_first = 44;
	}
	pg_packet(g, &f);
}

size_t pg_packet(struct pcapgen *g, const struct pg_pkt *p)
{
	static uint8_t frame[PG_MAX_FRAME];
	size_t n = pg_build(g, p, frame, sizeof(frame));

	pg_write(g, frame, n);
	return n;
}

void pg_tcp_init(struct pg_tcp *s, struct pcapgen *g, const char *cli, uint16_t cport,
		 const char *srv, uint16_t sport)
{
	memset(s, 0, sizeof(*s));
	s->g = g;
	s->cli = cli;
	s->srv = srv;
	s->cport = cport;
	s->sport = sport;
	s->cseq = 1000;
	s->sseq = 5000;
}

void pg_tcp_segment(struct pg_tcp *s, int dir, uint8_t flags, int32_t seq_delta, const void *data,
		    size_t len)
{
	struct pg_pkt p = {
		.proto = IPPROTO_TCP,
		.tcp_flags = flags,
		.payload = data,
		.len = len,
		.n_vlan = s->n_vlan,
		.ttl = s->ttl,
	};

	memcpy(p.vlan, s->vlan, sizeof(p.vlan));
	if (dir == PG_TO_SERVER) {
		p.src = s->cli, p.dst = s->srv, p.sport = s->cport, p.dport = s->sport;
		p.seq = s->cseq + (uint32_t)seq_delta;
		p.ack = s->sseq;
	} else {
		p.src = s->srv, p.dst = s->cli, p.sport = s->sport, p.dport = s->cport;
		p.seq = s->sseq + (uint32_t)seq_delta;
		p.ack = s->cseq;
	}
	if (!(flags & 0x10))
		p.ack = 0;
	pg_packet(s->g, &p);
}

void pg_tcp_handshake(struct pg_tcp *s)
{
	pg_tcp_segment(s, PG_TO_SERVER, 0x02, 0, NULL, 0);
	s->cseq++;
	pg_tcp_segment(s, PG_TO_CLIENT, 0x12, 0, NULL, 0);
	s->sseq++;
	pg_tcp_segment(s, PG_TO_SERVER, 0x10, 0, NULL, 0);
}

void pg_tcp_send(struct pg_tcp *s, int dir, const void *data, size_t len)
{
	pg_tcp_segment(s, dir, 0x18, 0, data, len);
	if (dir == PG_TO_SERVER)
		s->cseq += (uint32_t)len;
	else
		s->sseq += (uint32_t)len;
}

void pg_tcp_close(struct pg_tcp *s)
{
	pg_tcp_segment(s, PG_TO_SERVER, 0x11, 0, NULL, 0);
	s->cseq++;
	pg_tcp_segment(s, PG_TO_CLIENT, 0x11, 0, NULL, 0);
	s->sseq++;
	pg_tcp_segment(s, PG_TO_SERVER, 0x10, 0, NULL, 0);
}

void pg_udp(struct pcapgen *g, const char *src, uint16_t sport, const char *dst, uint16_t dport,
	    const void *data, size_t len)
{
	struct pg_pkt p = {
		.src = src,
		.dst = dst,
		.sport = sport,
		.dport = dport,
		.proto = IPPROTO_UDP,
		.payload = data,
		.len = len,
	};

	pg_packet(g, &p);
}
