/*
 * fuzz_dns_tcp.c - the dns plugin's DNS-over-TCP framing
 * (plugins/dns/dns_tcp.h) on one direction's bytes, fed twice: in pieces
 * cut by the split seed (1..16 bytes mostly, sometimes up to 2 KiB) and
 * in one piece; each message delivered then goes through
 * dns_message_check as the plugin does.
 *
 * Input:
 *   byte 0   bits 0-1: max message length 12, 100, 512 or 65535; bits
 *            2-7: split seed
 *   the rest is the direction's bytes: 2-byte length prefixes and
 *   messages
 *
 * Checked against a reference model reading the bytes whole (a prefix,
 * then the message: delivered when 1..max bytes long and complete,
 * skipped and counted when longer, counted when empty): both feeds deliver
 * exactly the model's messages (same count, lengths and bytes, in order),
 * count the same empty and oversized prefixes, and end pending exactly
 * when the bytes end inside a prefix or a message; a delivered message
 * lies inside the piece just fed or the direction's buffer, and the buffer
 * never grows beyond max.
 */
#include <string.h>

#include "dns_parser.h"
#include "dns_tcp.h"
#include "fuzz.h"

#define MAX_MSGS 4096

static const uint32_t maxes[4] = {12, 100, 512, 65535};

/* What the model or a feed saw. */
struct seen {
	uint32_t n;
	uint32_t len[MAX_MSGS];
	uint64_t hash[MAX_MSGS];
	uint64_t total_hash; /* over the messages past MAX_MSGS too */
	struct dns_tcp_counts c;
	bool pending;
	/* feeds only: the piece being fed and the direction */
	const uint8_t *piece;
	size_t piece_len;
	const struct dns_tcp_dir *d;
};

static void record(struct seen *s, const uint8_t *msg, size_t len)
{
	uint64_t h = fuzz_hash(FUZZ_HASH_INIT, msg, len);

	if (s->n < MAX_MSGS) {
		s->len[s->n] = (uint32_t)len;
		s->hash[s->n] = h;
	}
	s->n++;
	s->total_hash = fuzz_hash_u64(s->total_hash, h);
}

static void on_msg(void *ctx, const uint8_t *msg, size_t len)
{
	struct seen *s = ctx;
	struct dns_header hdr;

	FUZZ_CHECK(len >= 1);
	FUZZ_CHECK(fuzz_within(msg, len, s->piece, s->piece_len) ||
		   fuzz_within(msg, len, s->d->buf, s->d->cap));
	(void)dns_message_check(msg, len, &hdr);
	record(s, msg, len);
}

/* The reference: the framing read from the whole bytes at once. */
static void model(const uint8_t *b, size_t n, uint32_t max, struct seen *s)
{
	size_t at = 0;

	while (at < n) {
		uint32_t len;

		if (n - at < 2) {
			s->pending = true;
			return;
		}
		len = (uint32_t)b[at] << 8 | b[at + 1];
		at += 2;
		if (len == 0) {
			s->c.empty++;
			continue;
		}
		if (len > max)
			s->c.oversized++;
		else if (n - at >= len)
			record(s, b + at, len);
		if (n - at < len) {
			s->pending = true;
			return;
		}
		at += len;
	}
}

static void feed(const uint8_t *b, size_t n, uint32_t max, uint64_t seed, bool whole,
		 struct seen *s)
{
	struct dns_tcp_dir d;

	memset(&d, 0, sizeof(d));
	s->d = &d;
	for (size_t at = 0; at < n;) {
		size_t piece = whole ? n : fuzz_piece(&seed, n - at);

		s->piece = b + at;
		s->piece_len = piece;
		dns_tcp_feed(&d, max, b + at, (uint32_t)piece, &s->c, on_msg, s);
		FUZZ_CHECK(d.cap <= max);
		at += piece;
	}
	s->pending = dns_tcp_pending(&d);
	dns_tcp_reset(&d);
	FUZZ_CHECK(d.buf == NULL && !dns_tcp_pending(&d));
}

static void same(const struct seen *a, const struct seen *b)
{
	FUZZ_CHECK(a->n == b->n);
	FUZZ_CHECK(a->total_hash == b->total_hash);
	for (uint32_t i = 0; i < a->n && i < MAX_MSGS; i++)
		FUZZ_CHECK(a->len[i] == b->len[i] && a->hash[i] == b->hash[i]);
	FUZZ_CHECK(a->c.empty == b->c.empty && a->c.oversized == b->c.oversized);
	FUZZ_CHECK(a->pending == b->pending);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen ref, split, whole;
	struct fuzz_in in;
	uint8_t head;
	uint32_t max;

	fuzz_in_init(&in, data, size);
	head = fuzz_u8(&in);
	max = maxes[head & 3];
	memset(&ref, 0, sizeof(ref));
	memset(&split, 0, sizeof(split));
	memset(&whole, 0, sizeof(whole));
	model(in.p, in.left, max, &ref);
	feed(in.p, in.left, max, head >> 2, false, &split);
	feed(in.p, in.left, max, 0, true, &whole);
	FUZZ_CHECK(split.c.no_memory == 0 && whole.c.no_memory == 0);
	same(&ref, &split);
	same(&ref, &whole);
	return 0;
}
