/*
 * test_matcher_stream.c - the matcher's stream mode (matcher_compile_stream,
 * matcher_stream_scan, matcher_stream_close in sensor/detect/matcher.c):
 * patterns split over chunks, offset/depth from the stream start, PCRE2
 * confirmation on the stream window, gaps, once-per-stream reporting,
 * end-of-data matches and many streams on one thread. Rules are built by
 * hand (matcher_fixture.h); the packet is TCP 198.18.0.1:40000 ->
 * 198.18.0.2:80 to_server.
 */
#include "matcher_fixture.h"

#define N_STREAMS 64

/* Streams of the running test (closed without reports by stream_fini) and
 * the stream offset each one reached. */
static struct matcher_stream *ss[N_STREAMS];
static uint64_t soff[N_STREAMS];

static void stream_init(void)
{
	fx.stream = true;
}

static void stream_fini(void)
{
	for (int i = 0; i < N_STREAMS; i++)
		matcher_stream_close(NULL, NULL, &ss[i], NULL, NULL, NULL);
	memset(soff, 0, sizeof(soff));
	fix_fini();
}

TestSuite(matcher_stream, .init = stream_init, .fini = stream_fini);

/* Scan the next chunk of stream i: `gap` bytes lost before it (flag
 * IDS_STREAM_GAP when non-zero) plus `flags`. */
static unsigned feed_ex(const struct ids_matcher *m, int i, const void *data, size_t len,
			uint32_t gap, uint8_t flags, struct hits *h)
{
	struct ids_packet p = packet();
	struct ids_stream_chunk c = {.data = data,
				     .len = (uint32_t)len,
				     .gap_before = gap,
				     .offset = soff[i] + gap,
				     .flags = (uint8_t)(flags | (gap ? IDS_STREAM_GAP : 0))};
	unsigned n;

	memset(h, 0, sizeof(*h));
	n = matcher_stream_scan(fx.mt, m, &ss[i], &p, &c, collect, h);
	cr_assert_eq(n, h->n, "return value %u but %u callbacks", n, h->n);
	soff[i] = c.offset + len;
	return n;
}

static unsigned feed(const struct ids_matcher *m, int i, const char *s, struct hits *h)
{
	return feed_ex(m, i, s, strlen(s), 0, 0, h);
}

/* Rules reported by the chunk `s` of stream i. */
static unsigned feed_n(const struct ids_matcher *m, int i, const char *s)
{
	struct hits h;

	return feed(m, i, s, &h);
}

static unsigned close_stream(const struct ids_matcher *m, int i, struct hits *h)
{
	struct ids_packet p = packet();
	unsigned n;

	memset(h, 0, sizeof(*h));
	n = matcher_stream_close(fx.mt, m, &ss[i], &p, collect, h);
	cr_assert_eq(n, h->n);
	cr_assert_null(ss[i]);
	return n;
}

/* ---------------------------------------------------- split patterns */

Test(matcher_stream, pattern_split_across_chunks)
{
	struct ids_matcher *m;
	struct hits h;

	content(rule_new(1001), "GET /admin");
	m = compile_all();
	cr_assert(matcher_is_stream(m));
	cr_assert_eq(feed_n(m, 0, "xxGET /"), 0);
	cr_assert_eq(feed_n(m, 0, "adm"), 0);
	cr_assert_eq(feed(m, 0, "in yy", &h), 1);
	cr_assert_eq(h.ids[0], 1001);
	cr_assert_eq(feed_n(m, 0, "GET /admin"), 0); /* once per stream */
	cr_assert_eq(close_stream(m, 0, &h), 0);
}

Test(matcher_stream, one_byte_per_chunk)
{
	const char *s = "zzGET /admin";
	struct ids_matcher *m;
	unsigned total = 0;

	content(rule_new(1), "GET /admin");
	m = compile_all();
	for (size_t i = 0; s[i]; i++) {
		struct hits h;
		unsigned n = feed_ex(m, 0, s + i, 1, 0, 0, &h);

		cr_assert_eq(n, s[i + 1] ? 0 : 1, "byte %zu", i);
		total += n;
	}
	cr_assert_eq(total, 1);
}

Test(matcher_stream, pattern_ending_at_chunk_boundary)
{
	struct ids_matcher *m;

	content(rule_new(1), "abc");
	content(rule_new(2), "cde");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "xxabc"), 1);
	cr_assert_eq(feed_n(m, 0, "de"), 1);
	cr_assert_eq(feed_n(m, 1, "ab"), 0);
	cr_assert_eq(feed_n(m, 1, "c"), 1);
}

Test(matcher_stream, nocase_across_chunks)
{
	struct ids_matcher *m;

	content(rule_new(1), "GET /admin")->nocase = true;
	content(rule_new(2), "GET /admin");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "get /Ad"), 0);
	cr_assert_eq(feed_n(m, 0, "MIN"), 1);
	cr_assert_eq(feed_n(m, 1, "GET /ad"), 0);
	cr_assert_eq(feed_n(m, 1, "min"), 2);
}

/* --------------------------------------------------- offset and depth */

/* offset 10, depth 5: the match lies in stream bytes [10, 15). */
Test(matcher_stream, offset_depth_count_from_stream_start)
{
	struct ids_matcher *m;

	bounds(content(rule_new(1), "abc"), 10, 5);
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "------"), 0);
	cr_assert_eq(feed_n(m, 0, "----abc"), 1); /* starts exactly at the offset */
	cr_assert_eq(feed_n(m, 1, "------"), 0);
	cr_assert_eq(feed_n(m, 1, "---abc"), 0); /* one byte before */
	cr_assert_eq(feed_n(m, 1, "----"), 0);
	cr_assert_eq(feed_n(m, 2, "------"), 0);
	cr_assert_eq(feed_n(m, 2, "------abc"), 1); /* ends exactly at 15 */
	cr_assert_eq(feed_n(m, 3, "------"), 0);
	cr_assert_eq(feed_n(m, 3, "-------abc"), 0); /* ends at 16 */
	cr_assert_eq(feed_n(m, 4, "-------ab"), 0);
	cr_assert_eq(feed_n(m, 4, "cabc"), 1); /* first at 7 is out, second at 10 in */
}

Test(matcher_stream, variable_width_regex_offset_in_later_chunk)
{
	struct ids_matcher *m;

	bounds(regex(rule_new(1), "x+y"), 4, 6);
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "---x"), 0);
	cr_assert_eq(feed_n(m, 0, "xy"), 1); /* leftmost start 3, but "xy" at 4 */
	cr_assert_eq(feed_n(m, 1, "---"), 0);
	cr_assert_eq(feed_n(m, 1, "xy"), 0); /* "xy" at 3 only */
	cr_assert_eq(feed_n(m, 2, "----xxxx"), 0);
	cr_assert_eq(feed_n(m, 2, "xxy"), 0); /* ends at 11 */
}

/* ----------------------------------------------- multi-pattern rules */

Test(matcher_stream, multi_pattern_rule_over_chunks)
{
	struct rule *r = rule_new(5);
	struct ids_matcher *m;
	struct hits h;

	content(r, "USER ");
	content(r, "PASS ");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "USER bob\r\n"), 0);
	cr_assert_eq(feed_n(m, 0, "NOOP\r\n"), 0);
	cr_assert_eq(feed(m, 0, "PASS x\r\n", &h), 1);
	cr_assert_eq(h.ids[0], 5);
	cr_assert_eq(feed_n(m, 0, "USER a PASS b"), 0);
	cr_assert_eq(feed_n(m, 1, "PASS x"), 0); /* another stream starts from nothing */
}

/* ----------------------------------------------------------- PCRE2 */

Test(matcher_stream, pcre_confirmed_across_chunks)
{
	struct rule *r = rule_new(1);
	struct ids_matcher *m;

	content(r, "login");
	set_pcre(r, "^POST /login\\?user=[a-z]+&pw=", 0);
	m = compile_all();
	cr_assert_geq(matcher_stream_size(m), 4096); /* keeps the PCRE2 window */
	cr_assert_eq(feed_n(m, 0, "POST /lo"), 0);
	cr_assert_eq(feed_n(m, 0, "gin?user=bob"), 0);
	cr_assert_eq(feed_n(m, 0, "&pw=x"), 1);
	/* ^ is the stream start, not a chunk start */
	cr_assert_eq(feed_n(m, 1, "x"), 0);
	cr_assert_eq(feed_n(m, 1, "POST /login?user=bob&pw=x"), 0);
}

Test(matcher_stream, backreference_regex_across_chunks)
{
	struct ids_matcher *m;

	regex(rule_new(1), "(ab+)\\1");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "xxabb"), 0);
	cr_assert_eq(feed_n(m, 0, "abbyy"), 1);
	cr_assert_eq(feed_n(m, 1, "xxabb"), 0);
	cr_assert_eq(feed_n(m, 1, "abyy"), 0);
	cr_assert_eq(feed_n(m, 1, "abab"), 1); /* "abab" completes later */
}

Test(matcher_stream, lookbehind_sees_previous_chunk)
{
	struct ids_matcher *m;

	regex(rule_new(1), "(?<=user=)admin");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "GET /?user="), 0);
	cr_assert_eq(feed_n(m, 0, "admin"), 1);
	cr_assert_eq(feed_n(m, 1, "GET /?name="), 0);
	cr_assert_eq(feed_n(m, 1, "admin"), 0);
}

/* A PCRE2-confirmed match is found within STREAM_WINDOW (4096) bytes, not
 * beyond. */
Test(matcher_stream, confirmation_window_is_4096_bytes)
{
	static char xs[1000];
	struct ids_matcher *m;
	unsigned n = 0;

	regex(rule_new(1), "(q)x+\\1");
	m = compile_all();
	memset(xs, 'x', sizeof(xs));
	feed_n(m, 0, "q");
	feed_n(m, 1, "q");
	for (int i = 0; i < 3; i++)
		n += feed_ex(m, 0, xs, sizeof(xs), 0, 0, &(struct hits){0});
	cr_assert_eq(n + feed_n(m, 0, "q"), 1); /* 3002 bytes */
	n = 0;
	for (int i = 0; i < 5; i++)
		n += feed_ex(m, 1, xs, sizeof(xs), 0, 0, &(struct hits){0});
	cr_assert_eq(n + feed_n(m, 1, "q"), 0); /* 5002 bytes: not found */
}

/* A UTF-8 character split over two chunks, checked by PCRE2 alone. */
Test(matcher_stream, pcre_only_pattern_joins_chunks)
{
	struct ids_matcher *m;

	regex(rule_new(1), "(*UTF)caf\\x{e9}");
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 0);
	cr_assert_eq(feed_n(m, 0, "un caf\xc3"), 0);
	cr_assert_eq(feed_n(m, 0, "\xa9 noir"), 1);
	cr_assert_eq(feed_n(m, 0, "caf\xc3\xa9"), 0);
}

/* -------------------------------------------------------------- gaps */

Test(matcher_stream, nothing_matches_across_a_gap)
{
	struct ids_matcher *m;
	struct hits h;

	content(rule_new(1), "VERYDATA");
	content(rule_new(2), "VERY");
	content(rule_new(3), "DATA");
	m = compile_all();
	cr_assert_eq(feed(m, 0, "xxVERY", &h), 1);
	cr_assert_eq(h.ids[0], 2);
	cr_assert_eq(feed_ex(m, 0, "DATAxx", 6, 10, 0, &h), 1);
	cr_assert_eq(h.ids[0], 3);
	/* without the gap the long one matches */
	cr_assert_eq(feed_n(m, 1, "xxVERY"), 1);
	cr_assert_eq(feed(m, 1, "DATAxx", &h), 2);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(h.ids[1], 3);
}

Test(matcher_stream, gap_keeps_earlier_patterns_of_a_rule)
{
	struct rule *r = rule_new(7);
	struct ids_matcher *m;

	content(r, "USER ");
	content(r, "PASS ");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "USER a\r\n"), 0);
	cr_assert_eq(feed_ex(m, 0, "PASS b", 6, 100, 0, &(struct hits){0}), 1);
}

/* offset 20, depth 6: stream bytes [20, 26), even after a gap. */
Test(matcher_stream, bounds_count_from_stream_start_after_gap)
{
	struct ids_matcher *m;

	bounds(content(rule_new(1), "abc"), 20, 6);
	bounds(content(rule_new(2), "xyz"), -1, 5);
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "0123456789"), 0);
	cr_assert_eq(feed_ex(m, 0, "-----abc", 8, 5, 0, &(struct hits){0}), 1); /* at 20 */
	cr_assert_eq(feed_n(m, 1, "0123456789"), 0);
	cr_assert_eq(feed_ex(m, 1, "----abc", 7, 5, 0, &(struct hits){0}), 0); /* at 19 */
	cr_assert_eq(feed_n(m, 1, "abc"), 1);				       /* at 22 */
	cr_assert_eq(feed_n(m, 2, "0123456789"), 0);
	cr_assert_eq(feed_ex(m, 2, "--abc-", 6, 11, 0, &(struct hits){0}), 1); /* ends at 26 */
	cr_assert_eq(feed_n(m, 5, "0123456789"), 0);
	cr_assert_eq(feed_ex(m, 5, "--abc-", 6, 12, 0, &(struct hits){0}), 0); /* ends at 27 */
	/* depth 5 ended before the gap: xyz at 14 never matches */
	cr_assert_eq(feed_n(m, 3, "----"), 0);
	cr_assert_eq(feed_ex(m, 3, "xyz", 3, 10, 0, &(struct hits){0}), 0);
	cr_assert_eq(feed_n(m, 4, "--"), 0);
	cr_assert_eq(feed_ex(m, 4, "xy", 2, 0, 0, &(struct hits){0}), 0);
	cr_assert_eq(feed_n(m, 4, "z"), 1); /* ends at 5 */
}

/* ^ means the stream start; a restart after a gap is not one. */
Test(matcher_stream, anchored_regex_after_gap)
{
	struct ids_matcher *m;

	regex(rule_new(1), "^GET /");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "GET /x"), 1);
	cr_assert_eq(feed_n(m, 1, "xx"), 0);
	cr_assert_eq(feed_ex(m, 1, "GET /", 5, 3, 0, &(struct hits){0}), 0);
	cr_assert_eq(feed_ex(m, 2, "GET /", 5, 3, 0, &(struct hits){0}), 0); /* first chunk */
}

/* A pattern ending with the data before a gap counts. */
Test(matcher_stream, end_of_data_before_gap_counts)
{
	struct ids_matcher *m;
	struct hits h;

	regex(rule_new(1), "bye$");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "good bye"), 0);
	cr_assert_eq(feed_ex(m, 0, "hello", 5, 4, 0, &h), 1);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(close_stream(m, 0, &h), 0);
}

/* ------------------------------------------------------- reporting */

Test(matcher_stream, once_per_stream_or_every_chunk)
{
	struct ids_matcher *m;
	struct hits h;

	content(rule_new(1), "abc");
	content(rule_new(2), "abc");
	fx.rules[1]->stream_every = true;
	m = compile_all();
	cr_assert_eq(feed(m, 0, "abc", &h), 2);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(h.ids[1], 2);
	cr_assert_eq(feed(m, 0, "abcabc", &h), 1); /* at most once per chunk */
	cr_assert_eq(h.ids[0], 2);
	cr_assert_eq(feed_n(m, 0, "xyz"), 0);
	cr_assert_eq(feed(m, 0, "xxab", &h), 0);
	cr_assert_eq(feed(m, 0, "c", &h), 1);
	cr_assert_eq(h.ids[0], 2);
}

Test(matcher_stream, header_only_rule_once_per_stream)
{
	struct ids_matcher *m;
	struct hits h;

	rule_new(1)->proto = RULE_PROTO_TCP;
	rule_new(2)->stream_every = true;
	m = compile_all();
	cr_assert_eq(feed(m, 0, "a", &h), 2);
	cr_assert_eq(feed(m, 0, "b", &h), 1);
	cr_assert_eq(h.ids[0], 2);
	cr_assert_eq(close_stream(m, 0, &h), 0);
}

Test(matcher_stream, header_checked_with_the_chunk_packet)
{
	struct rule *r = rule_new(9);
	struct ids_matcher *m;
	struct ids_packet p = packet();
	struct ids_stream_chunk c = {.data = (const uint8_t *)"attack", .len = 6};
	struct hits h = {0};

	content(r, "attack");
	r->direction = RULE_DIR_TO_CLIENT;
	m = compile_all();
	cr_assert_eq(matcher_stream_scan(fx.mt, m, &ss[0], &p, &c, collect, &h), 0);
	p.direction = IDS_DIR_TO_CLIENT; /* the data's sender, as the chunk's */
	c.direction = IDS_DIR_TO_CLIENT;
	cr_assert_eq(matcher_stream_scan(fx.mt, m, &ss[1], &p, &c, collect, &h), 1);
	cr_assert_eq(h.ids[0], 9);
}

/* Scan `s` as a chunk of stream i in direction `dir` (packet and chunk). */
static unsigned feed_dir(const struct ids_matcher *m, int i, unsigned dir, const char *s,
			 uint8_t flags, struct hits *h)
{
	struct ids_packet p = packet();
	struct ids_stream_chunk c = {.data = (const uint8_t *)s,
				     .len = (uint32_t)strlen(s),
				     .offset = soff[i],
				     .direction = (uint8_t)dir,
				     .flags = flags};
	unsigned n;

	p.direction = (uint8_t)dir;
	memset(h, 0, sizeof(*h));
	n = matcher_stream_scan(fx.mt, m, &ss[i], &p, &c, collect, h);
	soff[i] += c.len;
	return n;
}

/* Rules naming a direction: each direction's data is scanned by a database
 * without the other direction's rules (matcher.c compile_by_direction);
 * the alerts, their order and the end-of-data matches are those of one
 * matcher of all the rules. */
Test(matcher_stream, directional_rules_scanned_on_their_direction_only)
{
	struct ids_packet p = packet();
	struct ids_matcher *m;
	struct hits h;
	struct rule *r;

	r = rule_new(30);
	content(r, "attack");
	r->direction = RULE_DIR_TO_CLIENT;
	content(rule_new(10), "attack");
	r = rule_new(20);
	content(r, "attack");
	r->direction = RULE_DIR_TO_SERVER;
	r = rule_new(40);
	regex(r, "bye$");
	r->direction = RULE_DIR_TO_CLIENT;
	m = compile_all();
	cr_assert(matcher_is_stream(m));
	cr_assert_eq(feed_dir(m, 0, IDS_DIR_TO_SERVER, "an att", 0, &h), 0);
	cr_assert_eq(feed_dir(m, 0, IDS_DIR_TO_SERVER, "ack, bye", 0, &h), 2);
	cr_assert_eq(h.ids[0], 10);
	cr_assert_eq(h.ids[1], 20);
	cr_assert_eq(feed_dir(m, 1, IDS_DIR_TO_CLIENT, "attack", 0, &h), 2);
	cr_assert_eq(h.ids[0], 30);
	cr_assert_eq(h.ids[1], 10);
	cr_assert_eq(feed_dir(m, 1, IDS_DIR_TO_CLIENT, " bye", 0, &h), 0);
	cr_assert_eq(close_stream(m, 0, &h), 0, "to_client's bye$ is not a to_server rule");
	p.direction = IDS_DIR_TO_CLIENT; /* the to_client direction's last packet */
	memset(&h, 0, sizeof(h));
	cr_assert_eq(matcher_stream_close(fx.mt, m, &ss[1], &p, collect, &h), 1);
	cr_assert_eq(h.ids[0], 40);
}

/* Every rule for the other direction: a direction with no rule at all. */
Test(matcher_stream, a_direction_without_rules)
{
	struct ids_matcher *m;
	struct hits h;
	struct rule *r = rule_new(5);

	content(r, "attack");
	r->direction = RULE_DIR_TO_CLIENT;
	m = compile_all();
	cr_assert_eq(feed_dir(m, 0, IDS_DIR_TO_SERVER, "attack", IDS_STREAM_END, &h), 0);
	cr_assert_eq(feed_dir(m, 1, IDS_DIR_TO_CLIENT, "attack", 0, &h), 1);
	cr_assert_eq(close_stream(m, 1, &h), 0);
}

Test(matcher_stream, report_order_is_rule_order)
{
	struct ids_matcher *m;
	struct hits h;

	content(rule_new(300), "aaa");
	content(rule_new(100), "bbb");
	content(rule_new(200), "ccc");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "cc"), 0);
	cr_assert_eq(feed(m, 0, "c bbb aaa", &h), 3);
	cr_assert_eq(h.ids[0], 300);
	cr_assert_eq(h.ids[1], 100);
	cr_assert_eq(h.ids[2], 200);
}

Test(matcher_stream, two_directions_are_independent)
{
	struct ids_matcher *m;
	struct hits h;

	content(rule_new(1), "GET /admin");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "GET /ad"), 0);
	cr_assert_eq(feed_n(m, 1, "HTTP/1.1 200 OK\r\n\r\nGET /ad"), 0);
	cr_assert_eq(feed_n(m, 1, "xx"), 0);
	cr_assert_eq(feed(m, 0, "min", &h), 1);
	cr_assert_eq(feed_n(m, 1, "GET /admin"), 1);
}

/* ----------------------------------------------------- end of data */

Test(matcher_stream, dollar_pattern_reported_at_close)
{
	struct ids_matcher *m;
	struct hits h;

	regex(rule_new(1), "bye$");
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "hello good"), 0);
	cr_assert_eq(feed_n(m, 0, " bye"), 0);
	cr_assert_eq(close_stream(m, 0, &h), 1);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(feed_n(m, 1, "bye now"), 0);
	cr_assert_eq(close_stream(m, 1, &h), 0);
}

Test(matcher_stream, end_flag_reports_end_of_data)
{
	struct ids_matcher *m;
	struct hits h;

	regex(rule_new(1), "bye$");
	set_pcre(rule_new(2), "(b)ye\\s*$", 0);
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "good b"), 0);
	cr_assert_eq(feed_ex(m, 0, "ye", 2, 0, IDS_STREAM_END, &h), 2);
	cr_assert_eq(feed_n(m, 0, "more bye"), 0); /* after the end: ignored */
	cr_assert_eq(close_stream(m, 0, &h), 0);
	cr_assert_eq(feed_n(m, 1, "good bye"), 0);
	cr_assert_eq(feed_ex(m, 1, "", 0, 0, IDS_STREAM_END, &h), 2);
}

Test(matcher_stream, close_without_callback_discards_and_frees)
{
	struct ids_matcher *m;

	regex(rule_new(1), "bye$");
	set_pcre(rule_new(2), "(b)ye", 0);
	m = compile_all();
	cr_assert_eq(feed_n(m, 0, "good bye"), 1);
	cr_assert_eq(matcher_stream_close(fx.mt, m, &ss[0], NULL, NULL, NULL), 0);
	cr_assert_null(ss[0]);
	cr_assert_eq(matcher_stream_close(fx.mt, m, &ss[0], NULL, NULL, NULL), 0); /* no-op */
}

/* ---------------------------------------------- threads and streams */

Test(matcher_stream, many_streams_interleaved_on_one_thread)
{
	struct ids_matcher *m;
	char s[N_STREAMS][40];
	unsigned hits[N_STREAMS] = {0};
	uint32_t who[N_STREAMS] = {0};

	for (uint32_t i = 0; i < 200; i++) {
		char pat[32];

		snprintf(pat, sizeof(pat), "sig-%03u-marker", i);
		content(rule_new(10000 + i), pat);
	}
	m = compile_all();
	for (int i = 0; i < N_STREAMS; i++)
		snprintf(s[i], sizeof(s[i]), "%.*s sig-%03d-marker .", i % 7, "xxxxxxx", i * 3);
	for (size_t b = 0; b < sizeof(s[0]); b++) {
		for (int i = 0; i < N_STREAMS; i++) {
			struct hits h;

			if (b >= strlen(s[i]))
				continue;
			if (feed_ex(m, i, s[i] + b, 1, 0, 0, &h)) {
				hits[i] += h.n;
				who[i] = h.ids[0];
			}
		}
	}
	for (int i = 0; i < N_STREAMS; i++) {
		cr_assert_eq(hits[i], 1, "stream %d", i);
		cr_assert_eq(who[i], 10000 + (uint32_t)i * 3);
	}
}

/* A stream that touches many rules grows its progress array. */
Test(matcher_stream, stream_touching_many_rules)
{
	struct ids_matcher *m;
	struct hits h;
	char buf[64];
	unsigned total = 0;

	for (uint32_t i = 0; i < 100; i++) {
		struct rule *r = rule_new(i + 1);
		char p[16];

		snprintf(p, sizeof(p), "k%03u=", i);
		content(r, p);
		snprintf(p, sizeof(p), "v%03u;", i);
		content(r, p);
	}
	m = compile_all();
	for (uint32_t i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "k%03u=", 99 - i);
		total += feed(m, 0, buf, &h);
	}
	cr_assert_eq(total, 0);
	for (uint32_t i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "v%03u;", i);
		cr_assert_eq(feed(m, 0, buf, &h), 1);
		cr_assert_eq(h.ids[0], i + 1);
	}
}

Test(matcher_stream, state_size_is_small)
{
	struct ids_matcher *m;
	size_t size;

	for (uint32_t i = 0; i < 1000; i++) {
		char pat[40];

		snprintf(pat, sizeof(pat), "/cgi-bin/x%04u.cgi", i);
		content(rule_new(10000 + i), pat)->nocase = i % 4 == 0;
	}
	m = compile_all();
	size = matcher_stream_size(m);
	cr_assert_lt(size, 400, "%zu bytes", size);
	cr_assert_gt(size, 100, "%zu bytes", size);
	cr_assert_eq(feed_n(m, 0, "GET /cgi-bin/x0042.cg"), 0);
	cr_assert_eq(feed_n(m, 0, "i HTTP/1.1"), 1);
}

Test(matcher_stream, modes_do_not_mix)
{
	struct ids_matcher *ms_m, *blk;
	struct ids_packet p = packet();
	struct ids_stream_chunk c = {.data = (const uint8_t *)"abc", .len = 3};
	struct hits h = {0};

	content(rule_new(1), "abc");
	ms_m = compile_from(0, 0);
	fx.stream = false;
	blk = compile_from(0, 1);
	fx.mt = matcher_thread_new();
	cr_assert_not_null(fx.mt);
	cr_assert(matcher_is_stream(ms_m));
	cr_assert_not(matcher_is_stream(blk));
	cr_assert_eq(matcher_stream_size(blk), 0);
	cr_assert_eq(matcher_scan(fx.mt, ms_m, &p, (const uint8_t *)"abc", 3, collect, &h), 0);
	cr_assert_eq(matcher_stream_scan(fx.mt, blk, &ss[0], &p, &c, collect, &h), 0);
	cr_assert_null(ss[0]);
	cr_assert_eq(matcher_stream_scan(fx.mt, ms_m, &ss[0], &p, &c, collect, &h), 1);
}

Test(matcher_stream, compile_errors_as_in_block_mode)
{
	bounds(content(rule_new(3), "abcdef"), 0, 4);
	cr_assert_str_eq(compile_error(), "rules.yaml:4:18: rule 3: depth 4 is shorter than the "
					  "content (6 bytes): it can never match");
}
