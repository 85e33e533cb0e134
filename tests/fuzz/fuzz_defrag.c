/*
 * fuzz_defrag.c - IP fragment reassembly (sensor/defrag/defrag.h) on a
 * sequence of fragments carved from the input, as the worker runs it:
 * each frame is decoded with decode_frame(), a fragment goes to
 * defrag_packet(), and a completed datagram is decoded again with
 * decode_ip().
 *
 * Input:
 *   byte 0   bits 0-3: overlap policy (mod OS_POLICY_COUNT); bits 4-5:
 *            memcap 16 KiB, 64 KiB, 1 MiB or the default; bits 6-7:
 *            max-trackers 1, 2, 16 or 1024
 *   byte 1   timeout: 1 + (byte % 4) seconds
 *   then records until the input ends, each an op byte:
 *     bits 0-1  0: IPv4 fragment, 1: IPv6 fragment, 2: IPv6 fragment after
 *               a hop-by-hop header, 3: a raw IP packet (u16 length, low
 *               11 bits, then that many input bytes) decoded as it is
 *     bit 2     more fragments (MF)
 *     bit 3     the second source address (another datagram key)
 *     bit 4     TCP instead of UDP
 *     bit 5     the clock moves 700 ms after this record
 *     bit 6     defrag_expire() after this record
 *     bit 7     in an Ethernet frame with VLAN 7 (else raw IP)
 *   and for kinds 0-2: id (u8), offset (u16, low 13 bits, in 8-byte
 *   units), data length (u16, low 11 bits) and a fill byte; fragment data
 *   is `fill + i`, so two fragments overlap with the same bytes only when
 *   their fills line up.
 *
 * Checked: memory use stays within the memcap and the tracker count
 * within max-trackers; a completed datagram is no longer than an IP
 * packet can be. Everything is freed with defrag_free().
 */
#include <netinet/in.h>
#include <string.h>

#include "decode/decode.h"
#include "defrag/defrag.h"
#include "fuzz.h"

#define T0	INT64_C(1795000000000000)
#define OUT_MAX (65535u + 40u)

static const uint64_t memcaps[4] = {16u << 10, 64u << 10, 1u << 20, 0};
static const uint32_t trackers[4] = {1, 2, 16, 1024};

struct run {
	struct defrag *d;
	struct decode_stats ds;
	int64_t ts;
	uint64_t cnt, memcap;
	uint32_t max_trackers;
	unsigned events;
};

static void on_event(void *ctx, enum defrag_event ev, int family, const struct packet *p)
{
	struct run *r = ctx;

	FUZZ_CHECK((unsigned)ev < DEFRAG_EV_MAX && defrag_event_name(ev) != NULL);
	FUZZ_CHECK(family == 4 || family == 6);
	if (p)
		FUZZ_CHECK(p->is_fragment);
	r->events++;
}

/* Ethernet header with one 802.1Q tag, for `ethertype`; 18 bytes. */
static size_t put_eth_vlan(uint8_t *b, uint16_t ethertype)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

	memcpy(b, macs, 12);
	b[12] = 0x81, b[13] = 0x00, b[14] = 0x00, b[15] = 7;
	b[16] = (uint8_t)(ethertype >> 8), b[17] = (uint8_t)ethertype;
	return 18;
}

/* An IP header for a fragment of `len` data bytes; its length. */
static size_t put_ip(uint8_t *b, uint8_t op, uint8_t id, uint16_t off8, uint16_t len)
{
	uint8_t proto = (op & 0x10) ? IPPROTO_TCP : IPPROTO_UDP, more = (op & 4) ? 1 : 0;
	size_t n;

	if ((op & 3) == 0) { /* IPv4, no options, checksum 0 (not checked) */
		uint16_t fo = (uint16_t)(off8 | more << 13);

		memset(b, 0, 20);
		b[0] = 0x45;
		b[2] = (uint8_t)((20 + len) >> 8), b[3] = (uint8_t)(20 + len);
		b[4] = 0x12, b[5] = id;
		b[6] = (uint8_t)(fo >> 8), b[7] = (uint8_t)fo;
		b[8] = 64, b[9] = proto;
		b[12] = 198, b[13] = 18, b[15] = (op & 8) ? 3 : 1;
		b[16] = 198, b[17] = 19, b[19] = 2;
		return 20;
	}
	n = 40;
	memset(b, 0, 40);
	b[0] = 0x60;
	b[6] = (op & 3) == 2 ? 0 : 44;
	b[7] = 64;
	b[8] = 0x20, b[9] = 0x01, b[10] = 0x0d, b[11] = 0xb8, b[23] = (op & 8) ? 3 : 1;
	b[24] = 0x20, b[25] = 0x01, b[26] = 0x0d, b[27] = 0xb8, b[39] = 2;
	if ((op & 3) == 2) { /* hop-by-hop: PadN of 4 */
		const uint8_t hbh[8] = {44, 0, 1, 4, 0, 0, 0, 0};

		memcpy(b + n, hbh, 8);
		n += 8;
	}
	memset(b + n, 0, 8); /* fragment header, identification 0xab<id> */
	b[n] = proto, b[n + 2] = (uint8_t)(off8 >> 5), b[n + 3] = (uint8_t)(off8 << 3 | more);
	b[n + 6] = 0xab, b[n + 7] = id;
	n += 8;
	b[4] = (uint8_t)((n - 40 + len) >> 8);
	b[5] = (uint8_t)(n - 40 + len);
	return n;
}

/* The next record's frame into a heap block of exactly its size. */
static uint8_t *next_frame(struct fuzz_in *in, uint8_t op, size_t *len)
{
	uint8_t hdr[18 + 48 + 8], *frame;
	size_t n = 0, h, dlen;
	const uint8_t *raw = NULL;

	if (op & 0x80)
		n = put_eth_vlan(hdr, (op & 3) == 0 ? 0x0800 : 0x86dd);
	if ((op & 3) == 3) {
		raw = fuzz_bytes(in, fuzz_u16(in) & 0x7ff, &dlen);
		if (raw && dlen && (raw[0] >> 4) == 4 && (op & 0x80))
			hdr[16] = 0x08, hdr[17] = 0x00;
		h = 0;
	} else {
		uint8_t id = fuzz_u8(in);
		uint16_t off8 = fuzz_u16(in) & 0x1fff;

		dlen = fuzz_u16(in) & 0x7ff;
		h = put_ip(hdr + n, op, id, off8, (uint16_t)dlen);
	}
	frame = malloc(n + h + dlen ? n + h + dlen : 1);
	if (!frame)
		return NULL;
	memcpy(frame, hdr, n + h);
	if (raw) {
		memcpy(frame + n, raw, dlen);
	} else {
		uint8_t fill = fuzz_u8(in);

		for (size_t i = 0; i < dlen; i++)
			frame[n + h + i] = (uint8_t)(fill + i);
	}
	*len = n + h + dlen;
	return frame;
}

static void check_limits(const struct run *r)
{
	const struct defrag_stats *st = defrag_stats(r->d);

	FUZZ_CHECK(st->memuse <= st->memuse_peak);
	FUZZ_CHECK(st->memuse_peak <= r->memcap);
	FUZZ_CHECK(st->trackers <= r->max_trackers);
}

static void one_record(struct run *r, struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in), *frame;
	const uint8_t *out;
	struct packet p;
	uint32_t out_len;
	size_t len;

	frame = next_frame(in, op, &len);
	if (!frame)
		return;
	if (decode_frame(&p, (op & 0x80) ? LINK_ETHERNET : LINK_RAW, frame, (uint32_t)len,
			 (uint32_t)len, r->ts, ++r->cnt, &r->ds) == 0 &&
	    p.is_fragment && defrag_packet(r->d, &p, &out, &out_len) == 1) {
		FUZZ_CHECK(out && out_len >= 20 && out_len <= OUT_MAX);
		if (decode_ip(&p, out, out_len, &r->ds) == 0)
			fuzz_touch(p.pub.payload, p.pub.payload_len);
	}
	free(frame);
	if (op & 0x20)
		r->ts += 700000;
	if (op & 0x40)
		defrag_expire(r->d, r->ts);
	check_limits(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct os_policy_map policies = {0};
	struct defrag_config cfg = {0};
	struct fuzz_in in;
	struct run r;
	uint8_t b0;

	fuzz_in_init(&in, data, size);
	b0 = fuzz_u8(&in);
	policies.def = (enum os_policy)((b0 & 15) % OS_POLICY_COUNT);
	cfg.memcap = memcaps[(b0 >> 4) & 3];
	cfg.max_trackers = trackers[b0 >> 6];
	cfg.timeout_s = 1 + fuzz_u8(&in) % 4;
	cfg.policies = &policies;
	memset(&r, 0, sizeof(r));
	r.memcap = cfg.memcap ? cfg.memcap : 32u << 20;
	r.max_trackers = cfg.max_trackers;
	r.ts = T0;
	r.d = defrag_new(&cfg, on_event, &r);
	if (!r.d)
		return 0;
	while (!fuzz_in_empty(&in))
		one_record(&r, &in);
	defrag_free(r.d);
	return 0;
}
