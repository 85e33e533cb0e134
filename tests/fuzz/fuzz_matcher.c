/*
 * fuzz_matcher.c - the matcher (sensor/detect/matcher.h): rule sets that
 * the input chooses from a small grammar, written as a YAML rule file,
 * loaded by ruleset_load_buffer and compiled for real (Hyperscan block and
 * stream mode, PCRE2 confirmation, v2 programs), then a hostile payload
 * scanned whole in block mode and cut into chunks in stream mode, once
 * without and once with gaps.
 *
 * Input:
 *   byte 0   bits 0-2: rules - 1 (1..8); bits 3-7: seed of the chunk cuts
 *   byte 1   which chunks are lost in the run with gaps (bit i: chunk i
 *            mod 8; chunk 0 is never lost)
 *   then per rule:
 *     rule   bits 0-1: patterns (0..3); bit 2: a pcre from pcres[];
 *            bit 3: stream_alerts every; bit 4: direction to_server
 *            (the scanned packet goes to the server, so it still applies)
 *     then per pattern:
 *       pat  bits 0-1: 0/1 a hex content, 2 a regex from regexes[], 3 a
 *            content with distance/within (v2); bit 2: nocase; bit 3:
 *            offset; bit 4: depth; bits 5-7: content length - 1 (1..8)
 *       then for contents one byte per content byte (alphabet[b % 8]),
 *       then offset (% 32) and depth (length + % 32) when set, then for
 *       v2 distance (% 8) and within (length + % 16); for a regex one
 *       byte (index in regexes[])
 *     then for a pcre one byte (index in pcres[])
 *   the rest is the payload: a byte below 0xc0 becomes alphabet[b % 8],
 *   the others stay (so contents of the alphabet often match)
 *
 * Checked, as matcher.h promises: a scan's return value is the number of
 * callbacks and no rule is reported twice in a block scan, nor twice in a
 * stream unless stream_every (then at most once per chunk); the block and
 * the stream matcher compile or fail together. For "plain" rules (v1
 * contents only: no regex, pcre or v2 key, not stream_every) whose block
 * scan stayed within the verification budget: the block scan of the
 * payload and the stream scan of its chunks report the same rules, and
 * what the stream with gaps reports is a subset (no match across a gap,
 * offsets still count from the stream start). For rules run as programs
 * (v2 keys), the program alone on the payload (verify_prog_run) spends at
 * most VERIFY_BUDGET attempts, does not match when it ran out, and
 * otherwise agrees with the block scan (the prefilter hides no match).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "detect/matcher.h"
#include "detect/matcher_verify.h"
#include "detect/rules.h"
#include "fuzz.h"

#define MAX_RULES  8
#define MAX_CHUNKS 64
#define YAML_MAX   8192

static const uint8_t alphabet[8] = {'a', 'b', 'A', 'B', 0x00, 0xff, '\n', '/'};

static const char *const regexes[] = {
	"a+b",	 "[ab]{2,5}", "(a|B)b",	 "^ab",	 "b$",	  "a.{0,20}b", "\\x00+\\xff", "(?i)ab/",
	"a\\nb", "(ab)+\\1",  "b[^a]*a", "\\Aa", "a{3,}", "(?s)a.b",   "/(?=a)ab/",   "a*",
};

static const char *const pcres[] = {
	"/ab/",	   "/^a/",	"/b$/m",    "/a.*b/s",	"/(?i)ba/", "/a{2}/R", "/[\\x00-\\x09]+/",
	"/\\n/x",  "/a|b|\\//", "/(a)\\1/", "/b(?!a)/", "/.{40}/",  "/a+?b/U", "/\\Ab/",
	"/aa*b$/", "/x/",
};

struct hits {
	unsigned n;
	unsigned per_rule[MAX_RULES];
	const struct ruleset *rs;
};

/* ------------------------------------------------------------ the rules */

static size_t put_hex(char *y, size_t at, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n && at + 4 < YAML_MAX; i++)
		at += (size_t)snprintf(y + at, YAML_MAX - at, "%s%02x", i ? " " : "",
				       alphabet[b[i] % 8]);
	return at;
}

/* One pattern entry of the rule file; returns the new length. */
static size_t put_pattern(struct fuzz_in *in, char *y, size_t at)
{
	uint8_t pat = fuzz_u8(in), kind = pat & 3;
	size_t len = (size_t)(pat >> 5) + 1, got;
	const uint8_t *b;

	if (kind == 2) {
		return at + (size_t)snprintf(y + at, YAML_MAX - at, "      - regex: '%s'\n",
					     regexes[fuzz_u8(in) % 16]);
	}
	b = fuzz_bytes(in, len, &got);
	if (got == 0) { /* the input ended: one 'a' */
		b = (const uint8_t *)"";
		got = 1;
	}
	at += (size_t)snprintf(y + at, YAML_MAX - at, "      - hex: \"");
	at = put_hex(y, at, b, got);
	at += (size_t)snprintf(y + at, YAML_MAX - at, "\"\n");
	if (pat & 4)
		at += (size_t)snprintf(y + at, YAML_MAX - at, "        nocase: true\n");
	if (pat & 8)
		at += (size_t)snprintf(y + at, YAML_MAX - at, "        offset: %u\n",
				       fuzz_u8(in) % 32);
	if (pat & 16)
		at += (size_t)snprintf(y + at, YAML_MAX - at, "        depth: %zu\n",
				       len + fuzz_u8(in) % 32);
	if (kind == 3)
		at += (size_t)snprintf(y + at, YAML_MAX - at,
				       "        distance: %u\n        within: %zu\n",
				       fuzz_u8(in) % 8, len + fuzz_u8(in) % 16);
	return at;
}

/* Writes the rule file the input describes into y; returns its length. */
static size_t write_rules(struct fuzz_in *in, unsigned n_rules, char *y)
{
	size_t at = (size_t)snprintf(y, YAML_MAX, "rules:\n");

	for (unsigned i = 0; i < n_rules && at < YAML_MAX - 1024; i++) {
		uint8_t rb = fuzz_u8(in);

		at += (size_t)snprintf(y + at, YAML_MAX - at,
				       "  - id: %u\n    msg: r%u\n    proto: tcp\n"
				       "    direction: %s\n    stream_alerts: %s\n",
				       i + 1, i + 1, rb & 16 ? "to_server" : "any",
				       rb & 8 ? "every" : "once");
		if (rb & 3) {
			at += (size_t)snprintf(y + at, YAML_MAX - at, "    patterns:\n");
			for (unsigned k = 0; k < (rb & 3u); k++)
				at = put_pattern(in, y, at);
		}
		if (rb & 4)
			at += (size_t)snprintf(y + at, YAML_MAX - at, "    pcre: '%s'\n",
					       pcres[fuzz_u8(in) % 16]);
	}
	return at;
}

/* v1 contents only: block and stream must agree on it. */
static bool plain(const struct rule *r)
{
	if (r->pcre || r->v2 || r->stream_every || r->n_patterns == 0)
		return false;
	for (size_t i = 0; i < r->n_patterns; i++)
		if (r->patterns[i].kind != PAT_CONTENT || r->patterns[i].v2)
			return false;
	return true;
}

/* ------------------------------------------------------------- scanning */

static int on_hit(const struct ids_rule *rule, void *ctx)
{
	struct hits *h = ctx;

	FUZZ_CHECK(rule->id >= 1 && rule->id <= h->rs->n);
	FUZZ_CHECK(h->rs->rules[rule->id - 1] == rule->priv);
	h->per_rule[rule->id - 1]++;
	h->n++;
	return 0;
}

static struct ids_packet packet(void)
{
	struct ids_packet p = {0};
	const uint8_t src[4] = {198, 18, 0, 1}, dst[4] = {198, 18, 0, 2};

	p.src.family = p.dst.family = 4;
	memcpy(p.src.bytes, src, 4);
	memcpy(p.dst.bytes, dst, 4);
	p.sport = 40000;
	p.dport = 80;
	p.ip_version = 4;
	p.proto = IPPROTO_TCP;
	p.direction = IDS_DIR_TO_SERVER;
	return p;
}

/* Stream scan of the chunks (cuts[i] .. cuts[i + 1]); chunks whose bit is
 * set in `lost` are skipped and the next one carries the gap. */
static void scan_stream(struct matcher_thread *mt, const struct ids_matcher *m, const uint8_t *pl,
			const size_t *cuts, size_t n_chunks, uint8_t lost, struct hits *h)
{
	struct ids_packet p = packet();
	struct matcher_stream *ms = NULL;
	unsigned before[MAX_RULES], n;
	uint64_t gap = 0;

	for (size_t i = 0; i < n_chunks; i++) {
		struct ids_stream_chunk c = {.data = pl + cuts[i],
					     .len = (uint32_t)(cuts[i + 1] - cuts[i]),
					     .offset = cuts[i],
					     .direction = IDS_DIR_TO_SERVER};

		if (i > 0 && (lost >> (i % 8) & 1)) {
			gap += c.len;
			continue;
		}
		c.gap_before = (uint32_t)gap;
		c.flags = gap ? IDS_STREAM_GAP : 0;
		gap = 0;
		memcpy(before, h->per_rule, sizeof(before));
		n = h->n;
		FUZZ_CHECK(matcher_stream_scan(mt, m, &ms, &p, &c, on_hit, h) == h->n - n);
		for (size_t r = 0; r < h->rs->n; r++)
			FUZZ_CHECK(h->per_rule[r] - before[r] <= 1);
	}
	n = h->n;
	FUZZ_CHECK(matcher_stream_close(mt, m, &ms, &p, on_hit, h) == h->n - n);
	FUZZ_CHECK(ms == NULL);
	for (size_t r = 0; r < h->rs->n; r++)
		FUZZ_CHECK(h->rs->rules[r]->stream_every || h->per_rule[r] <= 1);
}

/* The payload's chunk boundaries: cuts[0] = 0 .. cuts[n] = len. */
static size_t cut(size_t len, uint64_t seed, size_t *cuts)
{
	size_t n = 0;

	cuts[0] = 0;
	while (cuts[n] < len && n < MAX_CHUNKS - 1) {
		cuts[n + 1] = cuts[n] + fuzz_piece(&seed, len - cuts[n]);
		n++;
	}
	cuts[n] = len;
	return n;
}

/* Rules matched by a program (v2 keys): run the program alone on the
 * payload. Its work stays within VERIFY_BUDGET attempts, a run that ran out
 * does not match, and otherwise the block scan (prefilter, then the same
 * program) reports the rule exactly when the program matches: the
 * prefilter never hides a match. */
static void check_programs(const struct ruleset *rs, const uint8_t *pl, size_t len,
			   const unsigned *block_hits, bool block_limit)
{
	struct verify_env env = {.md = pcre2_match_data_create(1, NULL)};

	if (!env.md)
		return;
	for (size_t r = 0; r < rs->n; r++) {
		struct vprog *vp;
		char err[256];
		bool hit;

		if (!verify_rule_needs_prog(rs->rules[r]))
			continue;
		vp = verify_prog_new(rs->rules[r], err, sizeof(err));
		if (!vp)
			continue;
		hit = verify_prog_run(vp, pl, len, 0, &env);
		FUZZ_CHECK(env.budget <= VERIFY_BUDGET);
		FUZZ_CHECK(!env.limit_hit || (!hit && env.budget == 0));
		if (!env.limit_hit && !block_limit)
			FUZZ_CHECK(hit == (block_hits[r] == 1));
		verify_prog_free(vp);
	}
	pcre2_match_data_free(env.md);
}

static void scan_all(const struct ruleset *rs, const struct ids_matcher *block,
		     const struct ids_matcher *stream, const uint8_t *pl, size_t len, uint64_t seed,
		     uint8_t lost)
{
	struct matcher_thread *mt = matcher_thread_new();
	struct ids_packet p = packet();
	struct hits hb = {.rs = rs}, hs = {.rs = rs}, hg = {.rs = rs};
	size_t cuts[MAX_CHUNKS + 1], n_chunks = cut(len, seed, cuts);
	uint64_t limit;

	if (!mt)
		return;
	FUZZ_CHECK(matcher_scan(mt, block, &p, pl, len, on_hit, &hb) == hb.n);
	limit = matcher_thread_limit_hits(mt);
	check_programs(rs, pl, len, hb.per_rule, limit != 0);
	scan_stream(mt, stream, pl, cuts, n_chunks, 0, &hs);
	scan_stream(mt, stream, pl, cuts, n_chunks, lost, &hg);
	for (size_t r = 0; r < rs->n; r++) {
		FUZZ_CHECK(hb.per_rule[r] <= 1);
		if (!plain(rs->rules[r]) || limit)
			continue;
		FUZZ_CHECK(hb.per_rule[r] == hs.per_rule[r]);
		FUZZ_CHECK(hg.per_rule[r] <= hs.per_rule[r]);
	}
	matcher_thread_free(mt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char yaml[YAML_MAX];
	struct fuzz_in in;
	struct ruleset rs;
	struct diag d;
	const struct ids_rule *pubs[MAX_RULES];
	struct ids_matcher *block, *stream;
	uint8_t head, lost, *pl;
	char err[512];
	size_t ylen, len;

	fuzz_in_init(&in, data, size);
	head = fuzz_u8(&in);
	lost = fuzz_u8(&in);
	ylen = write_rules(&in, (head & 7u) + 1, yaml);
	diag_init(&d, NULL);
	d.quiet = 1;
	ruleset_init(&rs);
	(void)ruleset_load_buffer(&rs, "fuzz.yaml", yaml, ylen, "signature", &d);
	/* on_hit wants id = index + 1: renumber what loaded */
	for (size_t i = 0; i < rs.n; i++) {
		rs.rules[i]->pub.id = (uint32_t)i + 1;
		pubs[i] = &rs.rules[i]->pub;
	}
	block = matcher_compile(pubs, rs.n, err, sizeof(err));
	stream = matcher_compile_stream(pubs, rs.n, err, sizeof(err));
	FUZZ_CHECK((block == NULL) == (stream == NULL));
	len = in.left;
	pl = malloc(len ? len : 1);
	if (pl && block && stream) {
		for (size_t i = 0; i < len; i++)
			pl[i] = in.p[i] < 0xc0 ? alphabet[in.p[i] % 8] : in.p[i];
		scan_all(&rs, block, stream, pl, len, head >> 3, lost);
	}
	free(pl);
	matcher_free(block);
	matcher_free(stream);
	ruleset_free(&rs);
	return 0;
}
