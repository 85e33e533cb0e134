/*
 * fuzz_stream_tcp.c - TCP session tracking and reassembly
 * (sensor/stream/stream_tcp.h) on a sequence of segments carved from the
 * input, run as the worker and tests/unit/test_stream_tcp.c run it: each
 * segment is built as an IP packet, decoded, accounted to a flow table
 * (two flows at most, so flows are evicted) and handed to
 * stream_tcp_packet(); at the end every flow is flushed.
 *
 * Input:
 *   byte 0   bit 0: midstream; bits 1-4: overlap policy (mod
 *            OS_POLICY_COUNT); bits 5-6: depth 0 (none), 100, 3000 or
 *            1 MiB
 *   byte 1   bits 0-1: max-unacked 0, 1 KiB, 16 KiB or 1 MiB; bits 2-3:
 *            memcap 0, 4 KiB, 64 KiB or 64 MiB
 *   bytes 2-9  the client's and the server's ISN (u32 each)
 *   then records until the input ends, each:
 *     op     bit 0: from the server (else the client); bits 1-2: which of
 *            four client ports; bit 3: IPv6; bit 4: seq is a u32 (else a
 *            u16 added to the sender's ISN); bit 5: same for ack (added to
 *            the receiver's ISN); bits 6-7: the clock moves 1 ms, 1 s or
 *            100 s, or 1 ms and the flow table expires idle flows
 *     flags  TCP flags, as they are
 *     seq, ack  (u16 or u32, see op)
 *     win    window = byte * 257
 *     opt    (byte % 11) words of TCP options follow, from the input
 *     len    payload length: the byte below 200, else (byte - 199) * 64;
 *            then a fill byte: payload byte i is fill + i
 *
 * Checked, as stream_tcp.h and stream_tcp.c promise: data arrives in
 * offset order, each byte once (offset = previous end + gap_before),
 * never after the direction's end, never past the depth; end=true comes
 * exactly once per direction of every session; buffered memory stays
 * within the memcap and is 0 once every flow ended.
 */
#include <netinet/in.h>
#include <string.h>

#include "core/config.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "fuzz.h"
#include "stream/stream_tcp.h"

#define T0	  INT64_C(1795000000000000)
#define MAX_FLOWS 2
#define TRACKED	  8 /* flows tracked at once: MAX_FLOWS live, a margin */

static const uint32_t depths[4] = {0, 100, 3000, 1u << 20};
static const uint32_t max_unacked[4] = {0, 1u << 10, 16u << 10, 1u << 20};
static const uint64_t memcaps[4] = {0, 4u << 10, 64u << 10, 64u << 20};

/* What one flow's directions delivered so far. */
struct track {
	const struct flow *f; /* NULL: free slot */
	uint64_t next_off[2];
	unsigned ends[2];
};

struct run {
	struct stream_config cfg;
	struct flow_table *ft;
	struct stream_tcp *st;
	struct decode_stats ds;
	struct track tr[TRACKED];
	uint32_t isn[2];
	int64_t ts;
	uint64_t cnt;
};

static struct track *track_of(struct run *r, const struct flow *f)
{
	struct track *free_slot = NULL;

	for (int i = 0; i < TRACKED; i++) {
		if (r->tr[i].f == f)
			return &r->tr[i];
		if (!r->tr[i].f && !free_slot)
			free_slot = &r->tr[i];
	}
	FUZZ_CHECK(free_slot != NULL); /* more live sessions than flows */
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->f = f;
	return free_slot;
}

static void on_data(void *ctx, struct flow *f, int dir, const uint8_t *data, uint32_t len,
		    uint64_t offset, uint32_t gap_before, int64_t ts_usec, uint64_t pcap_cnt,
		    bool end)
{
	struct run *r = ctx;
	struct track *t = track_of(r, f);

	(void)ts_usec;
	FUZZ_CHECK(dir == 0 || dir == 1);
	FUZZ_CHECK(t->ends[dir] == 0);
	FUZZ_CHECK(offset == t->next_off[dir] + gap_before);
	FUZZ_CHECK(pcap_cnt <= r->cnt);
	if (len) {
		FUZZ_CHECK(data != NULL);
		fuzz_touch(data, len);
	}
	if (r->cfg.depth)
		FUZZ_CHECK(offset + len <= r->cfg.depth);
	t->next_off[dir] = offset + len;
	if (end)
		t->ends[dir]++;
}

static void on_event(void *ctx, struct flow *f, enum stream_event ev, const struct packet *p)
{
	(void)ctx;
	(void)f;
	(void)p;
	FUZZ_CHECK((unsigned)ev < STREAM_EV_MAX && stream_event_name(ev) != NULL);
}

/* A flow ends (timeout, eviction, flush): its session delivers the rest. */
static void on_flow_end(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct run *r = ctx;
	bool had_session = f->tcp != NULL;

	(void)why;
	stream_tcp_flow_end(r->st, f);
	FUZZ_CHECK(f->tcp == NULL);
	for (int i = 0; i < TRACKED; i++) {
		if (r->tr[i].f != f)
			continue;
		if (had_session)
			FUZZ_CHECK(r->tr[i].ends[0] == 1 && r->tr[i].ends[1] == 1);
		r->tr[i].f = NULL;
	}
}

/* IPv4 (20 bytes) or IPv6 (40) header of a segment in direction `dir`. */
static void put_ip(uint8_t *b, bool v6, int dir, size_t l4_len)
{
	static const uint8_t a4[2][4] = {{198, 18, 0, 1}, {198, 19, 0, 2}};
	static const uint8_t a6[2][16] = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1},
					  {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};

	if (!v6) {
		size_t tot = 20 + l4_len;

		memset(b, 0, 20);
		b[0] = 0x45, b[2] = (uint8_t)(tot >> 8), b[3] = (uint8_t)tot;
		b[8] = 64, b[9] = IPPROTO_TCP;
		memcpy(b + 12, a4[dir], 4);
		memcpy(b + 16, a4[!dir], 4);
		return;
	}
	memset(b, 0, 40);
	b[0] = 0x60, b[4] = (uint8_t)(l4_len >> 8), b[5] = (uint8_t)l4_len;
	b[6] = IPPROTO_TCP, b[7] = 64;
	memcpy(b + 8, a6[dir], 16);
	memcpy(b + 24, a6[!dir], 16);
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* The next record's packet into a heap block of exactly its size. */
static uint8_t *next_packet(struct run *r, struct fuzz_in *in, uint8_t op, size_t *len)
{
	int dir = op & 1;
	uint16_t cport = (uint16_t)(40000 + ((op >> 1) & 3)), ports[2] = {cport, 80};
	uint8_t flags = fuzz_u8(in), opt[40] = {0}, win, plen, fill, *b;
	uint32_t seq, ack;
	size_t words, got, l4, ip = (op & 8) ? 40 : 20, dlen;
	const uint8_t *o;

	seq = (op & 0x10) ? fuzz_u32(in) : r->isn[dir] + fuzz_u16(in);
	ack = (op & 0x20) ? fuzz_u32(in) : r->isn[!dir] + fuzz_u16(in);
	win = fuzz_u8(in);
	words = fuzz_u8(in) % 11;
	o = fuzz_bytes(in, words * 4, &got);
	memcpy(opt, o, got);
	plen = fuzz_u8(in);
	dlen = plen < 200 ? plen : (size_t)(plen - 199) * 64;
	fill = fuzz_u8(in);
	l4 = 20 + words * 4 + dlen;
	b = malloc(ip + l4);
	if (!b)
		return NULL;
	put_ip(b, op & 8, dir, l4);
	b[ip] = (uint8_t)(ports[dir] >> 8), b[ip + 1] = (uint8_t)ports[dir];
	b[ip + 2] = (uint8_t)(ports[!dir] >> 8), b[ip + 3] = (uint8_t)ports[!dir];
	put32(b + ip + 4, seq);
	put32(b + ip + 8, ack);
	b[ip + 12] = (uint8_t)((5 + words) << 4);
	b[ip + 13] = flags;
	b[ip + 14] = win, b[ip + 15] = win;
	b[ip + 16] = b[ip + 17] = b[ip + 18] = b[ip + 19] = 0;
	memcpy(b + ip + 20, opt, words * 4);
	for (size_t i = 0; i < dlen; i++)
		b[ip + 20 + words * 4 + i] = (uint8_t)(fill + i);
	*len = ip + l4;
	return b;
}

static void one_record(struct run *r, struct fuzz_in *in)
{
	static const int64_t steps[4] = {1000, 1000000, 100000000, 1000};
	uint8_t op = fuzz_u8(in), *pkt;
	struct packet p;
	struct flow *f;
	size_t len;

	pkt = next_packet(r, in, op, &len);
	if (!pkt)
		return;
	if (decode_frame(&p, LINK_RAW, pkt, (uint32_t)len, (uint32_t)len, r->ts, ++r->cnt,
			 &r->ds) == 0 &&
	    (f = flow_table_update(r->ft, &p)) && p.pub.proto == IPPROTO_TCP && p.l4) {
		stream_tcp_packet(r->st, f, &p);
		FUZZ_CHECK((stream_tcp_state_name(f) != NULL) == (f->tcp != NULL));
		if (stream_tcp_closed(f))
			flow_table_set_closed(r->ft, f);
	}
	free(pkt);
	FUZZ_CHECK(stream_tcp_stats(r->st)->memuse <= r->cfg.memcap);
	r->ts += steps[op >> 6];
	if ((op >> 6) == 3)
		flow_table_expire(r->ft, r->ts, on_flow_end, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct flow_config fc = {.max_flows = MAX_FLOWS,
					      .timeout_tcp = 300,
					      .timeout_udp = 30,
					      .timeout_icmp = 30,
					      .timeout_other = 30,
					      .new_tcp = 60,
					      .closed_tcp = 10};
	struct os_policy_map policies = {0};
	struct stream_out out = {.data = on_data, .event = on_event};
	struct fuzz_in in;
	struct run *r;
	uint8_t b0, b1;

	r = calloc(1, sizeof(*r));
	if (!r)
		return 0;
	fuzz_in_init(&in, data, size);
	b0 = fuzz_u8(&in);
	policies.def = (enum os_policy)(((b0 >> 1) & 15) % OS_POLICY_COUNT);
	r->cfg.midstream = b0 & 1;
	r->cfg.depth = depths[(b0 >> 5) & 3];
	b1 = fuzz_u8(&in);
	r->cfg.max_unacked = max_unacked[b1 & 3];
	r->cfg.memcap = memcaps[(b1 >> 2) & 3];
	r->cfg.policies = &policies;
	r->isn[0] = fuzz_u32(&in);
	r->isn[1] = fuzz_u32(&in);
	r->ts = T0;
	out.ctx = r;
	r->ft = flow_table_new(&fc);
	r->st = stream_tcp_new(&r->cfg, &out);
	if (!r->ft || !r->st)
		goto free_all;
	flow_table_set_end_cb(r->ft, on_flow_end, r);
	while (!fuzz_in_empty(&in))
		one_record(r, &in);
	flow_table_flush(r->ft, on_flow_end, r);
	FUZZ_CHECK(stream_tcp_stats(r->st)->memuse == 0);
free_all:
	stream_tcp_free(r->st);
	flow_table_free(r->ft);
	free(r);
	return 0;
}
