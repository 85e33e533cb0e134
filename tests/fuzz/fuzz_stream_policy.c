/*
 * fuzz_stream_policy.c - TCP reassembly's overlap policies
 * (sensor/stream/stream_tcp.c) against a reference model: the bytes
 * delivered, not only their order. One IPv4 session with a complete
 * handshake (the client's ISN 1 KiB below 2^32, so sequence numbers wrap),
 * then client data segments at any offsets (overlapping, reversed,
 * identical or different bytes) and server ACKs, all decoded and run as
 * the worker does (decode_frame, flow_table_update, stream_tcp_packet),
 * then the flow flushed.
 *
 * The model keeps the pieces the header comment of stream_tcp.c describes
 * (held byte ranges in order, never overlapping) and applies its rule:
 * for a new segment N [off, end) and each held piece O it overlaps with
 * different bytes, N's bytes win the overlap when the policy says so from
 * N's whole range and O's held range (first/vista never; last always;
 * bsd, bsd-right, windows: N starts before O; linux: before, or at the
 * same byte and ends after; old-linux: same, ends at or after; solaris:
 * N ends after O, or at the same byte and starts at or before); O is cut
 * there (trimmed, split or dropped); the parts of N no piece covers
 * become new pieces; bytes before the delivery point are never stored
 * again. An ACK delivers the pieces below it in order (a piece cut at the
 * ACK gives its acknowledged part; an ACK below an earlier one is old and
 * moves nothing; bytes below an ACK that no piece held are a hole, and a
 * segment bringing them later is still taken: the capture lost them), the
 * flush delivers everything.
 *
 * Input:
 *   byte 0   the receiver's policy (% OS_POLICY_COUNT)
 *   then records until the input ends, each an op byte:
 *     bit 0 clear: a client segment: offset (u16 % 2048, from the first
 *              byte after the SYN), length (byte % 200 + 1), value v:
 *              byte i is (offset + i) & 0xff when v >= 0x80 (so segments
 *              agree where they overlap), else v (they differ)
 *     bit 0 set: a server ACK of u16 % (highest offset sent + 1) bytes
 *
 * Checked: what the stream delivers (data, gap_before, offsets) is
 * exactly what the model delivers, byte for byte and hole for hole, and
 * the direction ends once.
 */
#include <netinet/in.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "fuzz.h"
#include "stream/stream_tcp.h"

#define SPAN	   (2048 + 200) /* offsets a segment can reach */
#define MAX_PIECES 512
#define ISN_C	   0xfffffc00u /* offset 1023 is sequence 0 */
#define ISN_S	   0x12345678u

/* A held piece of the model: bytes [off, end) of held[]. */
struct piece {
	uint32_t off, end;
};

struct model {
	int policy;
	struct piece p[MAX_PIECES];
	unsigned n;
	uint8_t held[SPAN];
	uint32_t delivered;
	uint32_t sent_end; /* highest offset sent + 1 */
	uint32_t acked;	   /* highest ACK (an older one moves nothing) */
};

/* What was delivered: byte values, -1 for a hole, -2 never reached. */
struct out {
	int16_t b[SPAN];
	uint32_t end;
	unsigned ends;
};

struct run {
	struct model m;
	struct out model_out, real_out;
	struct flow_table *ft;
	struct stream_tcp *st;
	struct decode_stats ds;
	struct flow *flow;
	int64_t ts;
	uint64_t cnt;
};

/* ---------------------------------------------------------------- model */

static bool new_wins(int pol, uint32_t ns, uint32_t ne, uint32_t os, uint32_t oe)
{
	switch (pol) {
	case OS_POLICY_LAST:
		return true;
	case OS_POLICY_BSD:
	case OS_POLICY_BSD_RIGHT:
	case OS_POLICY_WINDOWS:
		return ns < os;
	case OS_POLICY_LINUX:
		return ns < os || (ns == os && ne > oe);
	case OS_POLICY_OLD_LINUX:
		return ns < os || (ns == os && ne >= oe);
	case OS_POLICY_SOLARIS:
		return ne > oe || (ne == oe && ns <= os);
	default:
		return false; /* first, vista */
	}
}

static void out_put(struct out *o, uint32_t off, const uint8_t *b, uint32_t len,
		    uint32_t gap_before)
{
	for (uint32_t i = off - gap_before; i < off; i++)
		o->b[i] = -1;
	for (uint32_t i = 0; i < len; i++)
		o->b[off + i] = b[i];
	o->end = off + len;
}

static void piece_insert(struct model *m, unsigned at, uint32_t off, uint32_t end)
{
	FUZZ_CHECK(m->n < MAX_PIECES);
	memmove(&m->p[at + 1], &m->p[at], (m->n - at) * sizeof(m->p[0]));
	m->p[at] = (struct piece){off, end};
	m->n++;
}

static void piece_remove(struct model *m, unsigned at)
{
	memmove(&m->p[at], &m->p[at + 1], (m->n - at - 1) * sizeof(m->p[0]));
	m->n--;
}

/* Cut [rs, re) out of piece i; returns the index of the next piece. */
static unsigned piece_cut(struct model *m, unsigned i, uint32_t rs, uint32_t re)
{
	struct piece *o = &m->p[i];

	if (rs <= o->off && re >= o->end) {
		piece_remove(m, i);
		return i;
	}
	if (rs <= o->off) {
		o->off = re;
		return i + 1;
	}
	if (re < o->end) {
		uint32_t old_end = o->end;

		o->end = rs;
		piece_insert(m, i + 1, re, old_end);
		return i + 2;
	}
	o->end = rs;
	return i + 1;
}

static void model_segment(struct model *m, uint32_t off, const uint8_t *b, uint32_t len)
{
	uint32_t end = off + len, lo = off > m->delivered ? off : m->delivered, pos;
	unsigned i = 0;

	if (end > m->sent_end)
		m->sent_end = end;
	if (lo >= end)
		return;
	while (i < m->n && m->p[i].end <= lo)
		i++;
	while (i < m->n && m->p[i].off < end) {
		uint32_t rs = m->p[i].off > lo ? m->p[i].off : lo;
		uint32_t re = m->p[i].end < end ? m->p[i].end : end;

		if (memcmp(m->held + rs, b + (rs - off), re - rs) != 0 &&
		    new_wins(m->policy, off, end, m->p[i].off, m->p[i].end))
			i = piece_cut(m, i, rs, re);
		else
			i++;
	}
	/* the parts no piece covers become pieces */
	for (pos = lo, i = 0; pos < end;) {
		uint32_t run_end;

		while (i < m->n && m->p[i].end <= pos)
			i++;
		if (i < m->n && m->p[i].off <= pos) {
			pos = m->p[i].end;
			continue;
		}
		run_end = i < m->n && m->p[i].off < end ? m->p[i].off : end;
		memcpy(m->held + pos, b + (pos - off), run_end - pos);
		piece_insert(m, i, pos, run_end);
		pos = run_end;
	}
}

/* Deliver the pieces below `limit` into o. */
static void model_deliver(struct model *m, uint32_t limit, struct out *o)
{
	while (m->n && m->p[0].off < limit) {
		struct piece *p = &m->p[0];
		uint32_t e = p->end < limit ? p->end : limit;

		out_put(o, p->off, m->held + p->off, e - p->off, p->off - m->delivered);
		m->delivered = e;
		if (e == p->end)
			piece_remove(m, 0);
		else
			p->off = e;
	}
}

/* --------------------------------------------------------------- stream */

static void on_data(void *ctx, struct flow *f, int dir, const uint8_t *data, uint32_t len,
		    uint64_t offset, uint32_t gap_before, int64_t ts_usec, uint64_t pcap_cnt,
		    bool end)
{
	struct run *r = ctx;

	(void)f, (void)ts_usec, (void)pcap_cnt;
	FUZZ_CHECK(dir == 0 || dir == 1);
	if (dir == 1) { /* the server sends no data: only its end */
		FUZZ_CHECK(len == 0 && end);
		return;
	}
	FUZZ_CHECK(r->real_out.ends == 0);
	FUZZ_CHECK(offset + len <= SPAN && gap_before <= offset);
	FUZZ_CHECK(offset - gap_before == r->real_out.end || (end && len == 0));
	if (!end || len)
		out_put(&r->real_out, (uint32_t)offset, data, len, gap_before);
	if (end)
		r->real_out.ends++;
}

static void on_event(void *ctx, struct flow *f, enum stream_event ev, const struct packet *p)
{
	(void)ctx, (void)f, (void)ev, (void)p;
}

static void on_flow_end(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct run *r = ctx;

	(void)why;
	stream_tcp_flow_end(r->st, f);
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* One IPv4 TCP segment from `dir` (0 client) through the worker's path. */
static void segment(struct run *r, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
		    const uint8_t *data, uint32_t len)
{
	static const uint8_t addr[2][4] = {{198, 18, 0, 1}, {198, 18, 0, 2}};
	static const uint16_t port[2] = {40000, 80};
	static uint8_t b[40 + 256];
	struct packet p;
	size_t tot = 40 + len;

	memset(b, 0, 40);
	b[0] = 0x45, b[2] = (uint8_t)(tot >> 8), b[3] = (uint8_t)tot;
	b[8] = 64, b[9] = IPPROTO_TCP;
	memcpy(b + 12, addr[dir], 4);
	memcpy(b + 16, addr[!dir], 4);
	b[20] = (uint8_t)(port[dir] >> 8), b[21] = (uint8_t)port[dir];
	b[22] = (uint8_t)(port[!dir] >> 8), b[23] = (uint8_t)port[!dir];
	put32(b + 24, seq);
	put32(b + 28, ack);
	b[32] = 5 << 4, b[33] = flags, b[34] = b[35] = 0xff;
	if (len)
		memcpy(b + 40, data, len);
	r->ts += 1000;
	if (decode_frame(&p, LINK_RAW, b, (uint32_t)tot, (uint32_t)tot, r->ts, ++r->cnt, &r->ds))
		return;
	r->flow = flow_table_update(r->ft, &p);
	FUZZ_CHECK(r->flow != NULL);
	stream_tcp_packet(r->st, r->flow, &p);
}

static void one_record(struct run *r, struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in), data[200], v;
	uint32_t off, len, a;

	if (op & 1) {
		a = fuzz_u16(in) % (r->m.sent_end + 1);
		segment(r, 1, 0x10, ISN_S + 1, ISN_C + 1 + a, NULL, 0);
		if (a < r->m.acked)
			return;
		r->m.acked = a;
		model_deliver(&r->m, a, &r->model_out);
		return;
	}
	off = fuzz_u16(in) % 2048;
	len = fuzz_u8(in) % 200 + 1;
	v = fuzz_u8(in);
	for (uint32_t i = 0; i < len; i++)
		data[i] = v >= 0x80 ? (uint8_t)(off + i) : v;
	segment(r, 0, 0x18, ISN_C + 1 + off, ISN_S + 1, data, len);
	model_segment(&r->m, off, data, len);
}

static void compare(const struct run *r)
{
	FUZZ_CHECK(r->real_out.ends == 1);
	for (uint32_t i = 0; i < SPAN; i++) {
		if (r->real_out.b[i] != r->model_out.b[i])
			fprintf(stderr, "offset %u: stream %d, model %d\n", i, r->real_out.b[i],
				r->model_out.b[i]);
		FUZZ_CHECK(r->real_out.b[i] == r->model_out.b[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct flow_config fc = {.max_flows = 4,
					      .timeout_tcp = 300,
					      .timeout_udp = 30,
					      .timeout_icmp = 30,
					      .timeout_other = 30,
					      .new_tcp = 60,
					      .closed_tcp = 10};
	struct os_policy_map policies = {0};
	struct stream_config cfg = {.memcap = 64u << 20,
				    .max_unacked = 1u << 20,
				    .urgent_policy = STREAM_URGENT_INLINE};
	struct stream_out out = {.data = on_data, .event = on_event};
	struct fuzz_in in;
	struct run *r = calloc(1, sizeof(*r));

	if (!r)
		return 0;
	fuzz_in_init(&in, data, size);
	r->m.policy = fuzz_u8(&in) % OS_POLICY_COUNT;
	policies.def = (enum os_policy)r->m.policy;
	cfg.policies = &policies;
	for (int i = 0; i < SPAN; i++)
		r->model_out.b[i] = r->real_out.b[i] = -2;
	r->ts = INT64_C(1795000000000000);
	out.ctx = r;
	r->ft = flow_table_new(&fc);
	r->st = stream_tcp_new(&cfg, &out);
	if (!r->ft || !r->st)
		goto free_all;
	flow_table_set_end_cb(r->ft, on_flow_end, r);
	segment(r, 0, 0x02, ISN_C, 0, NULL, 0);
	segment(r, 1, 0x12, ISN_S, ISN_C + 1, NULL, 0);
	segment(r, 0, 0x10, ISN_C + 1, ISN_S + 1, NULL, 0);
	while (!fuzz_in_empty(&in))
		one_record(r, &in);
	flow_table_flush(r->ft, on_flow_end, r);
	model_deliver(&r->m, UINT32_MAX, &r->model_out);
	compare(r);
free_all:
	stream_tcp_free(r->st);
	flow_table_free(r->ft);
	free(r);
	return 0;
}
