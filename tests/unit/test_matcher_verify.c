/*
 * test_matcher_verify.c - rule language v2 patterns end to end: YAML rules
 * loaded by the rule loader, compiled by the matcher (prefilter + program,
 * sensor/detect/matcher_verify.c) and scanned. Each keyword is checked on
 * both sides of its boundary. The rule under test is id 1 (proto ip, packet
 * scope); `hit(buf, len)` says whether it alerted.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "detect/matcher.h"
#include "detect/matcher_verify.h"
#include "detect/rules.h"

static struct {
	struct diag d;
	struct ruleset rs;
	FILE *mem;
	char *membuf;
	size_t memlen;
	struct ids_matcher *m;
	struct matcher_thread *mt;
	struct matcher_stream *ms;
} vx;

static void setup(void)
{
	vx.mem = open_memstream(&vx.membuf, &vx.memlen);
	diag_init(&vx.d, vx.mem);
	ruleset_init(&vx.rs);
}

static void teardown(void)
{
	if (vx.ms)
		matcher_stream_close(vx.mt, vx.m, &vx.ms, NULL, NULL, NULL);
	matcher_thread_free(vx.mt);
	matcher_free(vx.m);
	ruleset_free(&vx.rs);
	fclose(vx.mem);
	free(vx.membuf);
	memset(&vx, 0, sizeof(vx));
}

TestSuite(verify, .init = setup, .fini = teardown);

static const char *out(void)
{
	fflush(vx.mem);
	return vx.membuf ? vx.membuf : "";
}

static unsigned load_text(const char *text)
{
	return ruleset_load_buffer(&vx.rs, "r.yaml", text, strlen(text), "signature", &vx.d);
}

static void compile_rules(bool stream)
{
	const struct ids_rule *pubs[256];
	char err[512];

	cr_assert(vx.rs.n <= 256);
	for (size_t i = 0; i < vx.rs.n; i++)
		pubs[i] = &vx.rs.rules[i]->pub;
	vx.m = (stream ? matcher_compile_stream : matcher_compile)(pubs, vx.rs.n, err, sizeof(err));
	cr_assert_not_null(vx.m, "compile failed: %s", err);
	vx.mt = matcher_thread_new();
	cr_assert_not_null(vx.mt);
}

/* One rule, id 1, with the YAML flow list `patterns`; loads and compiles. */
static void rule(const char *patterns)
{
	char text[8192];

	snprintf(text, sizeof(text), "rules:\n  - {id: 1, msg: t, patterns: [%s]}\n", patterns);
	cr_assert_eq(load_text(text), 0, "%s", out());
	cr_assert_eq(vx.rs.n, 1);
	compile_rules(false);
}

static int count(const struct ids_rule *r, void *ctx)
{
	(void)r;
	(*(unsigned *)ctx)++;
	return 0;
}

/* Collects the reported ids, in order: ctx is {uint32_t *ids; unsigned n}. */
static int collect_ids(const struct ids_rule *r, void *ctx)
{
	struct {
		uint32_t *ids;
		unsigned n;
	} *c = ctx;

	if (c->n < 16)
		c->ids[c->n] = r->id;
	c->n++;
	return 0;
}

static bool hit(const void *buf, size_t len)
{
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	unsigned n = 0;

	matcher_scan(vx.mt, vx.m, &p, buf, len, count, &n);
	return n == 1;
}

static bool hits(const char *s)
{
	return hit(s, strlen(s));
}

/* ------------------------------------------------------ distance/within */

Test(verify, distance_off_by_one)
{
	rule("{content: ab}, {content: cd, distance: 2}");
	cr_assert(hits("abXXcd"));
	cr_assert(hits("abXXXcd"));
	cr_assert_not(hits("abXcd"));
	cr_assert_not(hits("abcd"));
}

Test(verify, within_off_by_one)
{
	rule("{content: ab}, {content: cd, within: 4}");
	cr_assert(hits("abXXcd"));
	cr_assert(hits("abcd"));
	cr_assert_not(hits("abXXXcd"));
	cr_assert_not(hits("cdab"));
}

Test(verify, distance_and_within_together)
{
	/* the window is [prev + distance, prev + distance + within) */
	rule("{content: ab}, {content: cd, distance: 1, within: 3}");
	cr_assert(hits("abXcd"));
	cr_assert(hits("abXXcd"));
	cr_assert_not(hits("abcd"));
	cr_assert_not(hits("abXXXcd"));
}

Test(verify, negative_distance_looks_back)
{
	rule("{content: cd}, {content: ab, distance: -4, within: 2}");
	cr_assert(hits("abcd"));
	cr_assert_not(hits("abXcd"));
}

Test(verify, relative_chain_backtracks_to_later_occurrence)
{
	rule("{content: a}, {content: b, distance: 0, within: 1}, {content: c, distance: 0, "
	     "within: 1}");
	cr_assert(hits("axabxabc"));
	cr_assert_not(hits("axabxab"));
}

Test(verify, absolute_content_after_relative_does_not_backtrack_wrongly)
{
	rule("{content: a}, {content: z, offset: 5, depth: 1}");
	cr_assert(hits("aaaaaz"));
	cr_assert_not(hits("aaaaz"));
}

/* ------------------------------------------------- offset/depth/anchors */

Test(verify, startswith_and_endswith)
{
	rule("{content: GET, startswith: true}, {content: HTTP, endswith: true}");
	cr_assert(hits("GET / HTTP"));
	cr_assert_not(hits(" GET / HTTP"));
	cr_assert_not(hits("GET / HTTP "));
}

Test(verify, offset_and_depth_bounds)
{
	rule("{content: abc, offset: 2, depth: 4}, {content: x, not: true}");
	cr_assert(hits("..abc."));
	cr_assert(hits("...abc"));
	cr_assert_not(hits("....abc"));
	cr_assert_not(hits(".abc.."));
	cr_assert_not(hits("..abcx"));
}

Test(verify, nocase_relative)
{
	rule("{content: user, nocase: true}, {content: ROOT, nocase: true, distance: 1, within: "
	     "5}");
	cr_assert(hits("USER root"));
	cr_assert_not(hits("USER  xroot"));
}

/* -------------------------------------------------------------- negation */

Test(verify, negated_content_at_end_of_buffer)
{
	rule("{content: abc}, {content: d, not: true, distance: 0, within: 1}");
	cr_assert(hits("abc"));
	cr_assert(hits("abcx"));
	cr_assert_not(hits("abcd"));
}

Test(verify, only_negated_content_has_no_prefilter)
{
	rule("{content: evil, not: true}");
	cr_assert(hits("good"));
	cr_assert(hits(""));
	cr_assert_not(hits("so evil"));
	cr_assert_eq(matcher_pattern_count(vx.m), 0);
}

/* ---------------------------------------------------------------- pcre */

Test(verify, relative_pcre_after_content_anchors_at_match_end)
{
	rule("{content: 'GET '}, {pcre: '/^\\/admin/R'}");
	cr_assert(hits("GET /admin"));
	cr_assert(hits("xx GET /admin/x"));
	cr_assert_not(hits("GET x/admin"));
}

Test(verify, pcre_flags_and_negation)
{
	rule("{content: host}, {pcre: '/EVIL\\.COM/i'}, {regex: 'bad', not: true}");
	cr_assert(hits("host evil.com"));
	cr_assert_not(hits("host evil.com bad"));
	cr_assert_not(hits("host evil-com"));
}

Test(verify, content_relative_to_pcre_end)
{
	rule("{pcre: '/id=[0-9]+/'}, {content: '&', distance: 0, within: 1}");
	cr_assert(hits("id=123&x"));
	cr_assert_not(hits("id=123 &x"));
}

/* ------------------------------------------------------------ isdataat */

Test(verify, isdataat_at_the_last_byte)
{
	rule("{content: a}, {isdataat: '4'}");
	cr_assert(hits("abcde"));
	cr_assert_not(hits("abcd"));
}

Test(verify, isdataat_relative_and_negated)
{
	rule("{content: abc}, {isdataat: '!1,relative'}");
	cr_assert(hits("abc"));
	cr_assert_not(hits("abcd"));
}

Test(verify, isdataat_relative_needs_bytes_after_match)
{
	rule("{content: abc}, {isdataat: '2,relative'}");
	cr_assert(hits("abcde"));
	cr_assert_not(hits("abcd"));
}

/* ----------------------------------------------------------- byte_test */

Test(verify, byte_test_big_and_little_endian)
{
	static const uint8_t buf[] = {0x01, 0x02, 0x7f};

	rule("{content: \"\\x7f\"}, {byte_test: '2,=,258,0'}, {byte_test: '2,=,513,0,little'}");
	cr_assert(hit(buf, sizeof(buf)));
	cr_assert_not(hit((const uint8_t[]){0x02, 0x01, 0x7f}, 3));
}

Test(verify, byte_test_string_bases)
{
	rule("{content: ':'}, {byte_test: '3,=,123,0,string,dec'}, "
	     "{byte_test: '2,=,255,4,string,hex'}, {byte_test: '3,=,8,7,string,oct'}");
	cr_assert(hits("123:ff:010"));
	cr_assert_not(hits("124:ff:010"));
	cr_assert_not(hits("123:fe:010"));
	cr_assert_not(hits("123:ff:011"));
}

Test(verify, byte_test_operators_at_the_boundary)
{
	rule("{content: 'n='}, {byte_test: '1,>,99,0,relative,string,dec'}");
	cr_assert_not(hits("n=9"));
	cr_assert(hits("n=9a") == false);
	teardown();
	setup();
	rule("{content: 'n='}, {byte_test: '2,>,41,0,relative,string,dec'}");
	cr_assert(hits("n=42"));
	cr_assert_not(hits("n=41"));
	teardown();
	setup();
	rule("{content: 'n='}, {byte_test: '2,!=,41,0,relative,string,dec'}");
	cr_assert(hits("n=42"));
	cr_assert_not(hits("n=41"));
	teardown();
	setup();
	rule("{content: 'n='}, {byte_test: '1,&,4,0,relative'}");
	cr_assert(hits("n=\x04"));
	cr_assert_not(hits("n=\x03"));
}

/* Suricata's 0-byte string read: the number as far as its digits go. */
Test(verify, byte_test_zero_bytes_reads_the_whole_number)
{
	rule("{content: 'n='}, {byte_test: '0,=,1234,0,relative,string,dec'}");
	cr_assert(hits("n=1234"));
	cr_assert(hits("n=1234;x"));
	cr_assert_not(hits("n=12345"));
	cr_assert_not(hits("n=123"));
	cr_assert_not(hits("n=;1234"));
	cr_assert_not(hits("n="));
	teardown();
	setup();
	rule("{content: 'v='}, {byte_test: '0,=,255,0,relative,string,hex'}");
	cr_assert(hits("v=fF"));
	cr_assert_not(hits("v=fg"));
}

Test(verify, byte_test_zero_bytes_needs_string)
{
	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, patterns: [{content: a}, "
			       "{byte_test: '0,=,0,0'}]}\n"),
		     1);
	cr_assert(strstr(out(), "bytes must be 1..8 (or use string), got 0"), "%s", out());
}

Test(verify, byte_test_past_the_end_fails)
{
	rule("{content: ab}, {byte_test: '4,>,0,0,relative'}");
	cr_assert(hits("ab\x01\x01\x01\x01"));
	cr_assert_not(hits("ab\x01\x01\x01"));
}

/* ------------------------------------------- byte_jump / extract / math */

Test(verify, byte_jump_moves_the_cursor)
{
	static const uint8_t yes[] = {'L', 0x00, 0x02, 'x', 'x', 'A'};
	static const uint8_t no[] = {'L', 0x00, 0x01, 'x', 'x', 'A'};

	rule("{content: L}, {byte_jump: '2,0,relative'}, {content: A, distance: 0, within: 1}");
	cr_assert(hit(yes, sizeof(yes)));
	cr_assert_not(hit(no, sizeof(no)));
}

Test(verify, byte_extract_variable_as_within_and_depth)
{
	rule("{byte_extract: '1,0,n'}, {content: abc, distance: 0, within: n}");
	cr_assert(hits("\x03"
		       "abc"));
	cr_assert_not(hits("\x02"
			   "abc"));
}

Test(verify, byte_math_result_in_byte_test)
{
	static const uint8_t yes[] = {'M', 0x02, 0x03};
	static const uint8_t no[] = {'M', 0x02, 0x04};

	rule("{content: M}, {byte_math: 'bytes 1, offset 1, oper +, rvalue 1, result x'}, "
	     "{byte_test: '1,=,x,2'}");
	cr_assert(hit(yes, sizeof(yes)));
	cr_assert_not(hit(no, sizeof(no)));
}

/* --------------------------------------------------------------- bsize */

Test(verify, bsize_exact_and_range)
{
	rule("{content: a}, {bsize: '3'}");
	cr_assert(hits("abc"));
	cr_assert_not(hits("abcd"));
	teardown();
	setup();
	rule("{content: a}, {bsize: '1<>4'}");
	cr_assert(hits("ab"));
	cr_assert(hits("abc"));
	cr_assert_not(hits("abcd"));
	cr_assert_not(hits("a"));
}

/* ----------------------------------------------------- fast_pattern, long */

Test(verify, fast_pattern_slice_is_the_prefilter)
{
	rule("{content: xyz}, {content: abcdef, fast_pattern: '2,3'}");
	cr_assert(hits("xyz abcdef"));
	cr_assert_not(hits("xyz cde"));
	cr_assert_eq(matcher_pattern_count(vx.m), 1);
}

Test(verify, content_longer_than_hyperscan_takes_compiles_and_matches)
{
	size_t n = 5000;
	char *pat = malloc(n + 1), *text = malloc(8 * n), *buf = malloc(n + 10);

	cr_assert(pat && text && buf);
	for (size_t i = 0; i < n; i++)
		pat[i] = (char)('a' + i % 23);
	pat[n] = 0;
	snprintf(text, 8 * n, "rules:\n  - {id: 1, msg: t, patterns: [{content: %s}]}\n", pat);
	cr_assert_eq(load_text(text), 0, "%s", out());
	compile_rules(false);
	memcpy(buf, "xx", 2);
	memcpy(buf + 2, pat, n);
	cr_assert(hit(buf, n + 2));
	buf[2 + n - 1] = '!';
	cr_assert_not(hit(buf, n + 2));
	free(pat);
	free(text);
	free(buf);
}

/* ---------------------------------------------------------- work limit */

Test(verify, work_limit_stops_pathological_chains)
{
	size_t n = 20000;
	char *buf = malloc(n);

	cr_assert(buf);
	memset(buf, 'a', n);
	rule("{content: a}, {content: a, distance: 0}, {content: a, distance: 0}, "
	     "{content: b, distance: 0}");
	cr_assert_not(hit(buf, n));
	cr_assert_eq(matcher_thread_limit_hits(vx.mt), 1);
	cr_assert(hits("aaab"));
	cr_assert_eq(matcher_thread_limit_hits(vx.mt), 1);
	free(buf);
}

/* ------------------------------------------------------------- stream */

/* Two stream chunks, "helloSMB!" then "SMB!xyz": the count of alerts of a
 * rule asking for "SMB" within the first 4 bytes, by stream offsets or by
 * chunk offsets. */
static unsigned smb_at_chunk_start(const char *offsets)
{
	struct ids_stream_chunk c1 = {.data = (const uint8_t *)"helloSMB!", .len = 9};
	struct ids_stream_chunk c2 = {.data = (const uint8_t *)"SMB!xyz", .len = 7, .offset = 9};
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	char text[512];
	unsigned n = 0;

	snprintf(text, sizeof(text),
		 "rules:\n  - {id: 1, msg: t, proto: tcp, stream_offsets: %s, patterns: "
		 "[{content: SMB, depth: 4}]}\n",
		 offsets);
	cr_assert_eq(load_text(text), 0, "%s", out());
	compile_rules(true);
	matcher_stream_scan(vx.mt, vx.m, &vx.ms, &p, &c1, count, &n);
	cr_assert_eq(n, 0);
	matcher_stream_scan(vx.mt, vx.m, &vx.ms, &p, &c2, count, &n);
	return n;
}

Test(verify, stream_offsets_chunk_counts_depth_from_each_chunk)
{
	cr_assert_eq(smb_at_chunk_start("chunk"), 1);
}

Test(verify, stream_offsets_stream_counts_depth_from_the_stream_start)
{
	cr_assert_eq(smb_at_chunk_start("stream"), 0);
}

Test(verify, stream_offsets_needs_a_stream_rule)
{
	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, proto: udp, stream_offsets: chunk, "
			       "patterns: [{content: a}]}\n"),
		     1);
	cr_assert(strstr(out(), "stream_offsets applies to stream rules only"), "%s", out());
}

Test(verify, stream_chain_across_chunks)
{
	struct ids_stream_chunk c1 = {.data = (const uint8_t *)"xxUSER", .len = 6};
	struct ids_stream_chunk c2 = {.data = (const uint8_t *)" root\r\n", .len = 7, .offset = 6};
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	unsigned n = 0;

	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, proto: tcp, patterns: [{content: "
			       "USER}, {content: root, distance: 1, within: 4}]}\n"),
		     0, "%s", out());
	compile_rules(true);
	matcher_stream_scan(vx.mt, vx.m, &vx.ms, &p, &c1, count, &n);
	cr_assert_eq(n, 0);
	matcher_stream_scan(vx.mt, vx.m, &vx.ms, &p, &c2, count, &n);
	cr_assert_eq(n, 1);
}

/* ------------------------------------------------------ load diagnostics */

Test(verify, unknown_variable_is_an_error_at_its_column)
{
	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, patterns: [{content: a}, {content: b, "
			       "within: nope}]}\n"),
		     1);
	cr_assert_str_eq(out(), "r.yaml:2:67: error: rule 1: 'nope' is neither a number nor a "
				"variable set by an earlier byte_extract or byte_math of this "
				"rule\n");
}

Test(verify, bad_byte_test_names_the_keyword)
{
	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, patterns: [{byte_test: '4,~,1,0'}]}\n"),
		     1);
	cr_assert_str_eq(out(), "r.yaml:2:44: error: rule 1: byte_test: operator must be one of "
				"< > = ! <= >= & ^ (optionally after !), got '~'\n");
}

Test(verify, offset_with_distance_is_refused)
{
	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, patterns: [{content: a}, {content: b, "
			       "offset: 1, distance: 1}]}\n"),
		     1);
	cr_assert(strstr(out(), "cannot be combined"));
}

Test(verify, suricata_traps_warn_naming_the_fix)
{
	cr_assert_eq(load_text("rules:\n"
			       "  - {id: 1, msg: t, patterns: [{content: 'User-Agent|3a 20|'}]}\n"
			       "  - {id: 2, msg: t, patterns: [{content: \"a\\xe9\"}]}\n"
			       "  - {id: 3, msg: t, patterns: [{content: '!foo'}]}\n"
			       "  - {id: 4, msg: t, patterns: [{pcre: '/x/U'}]}\n"),
		     0);
	cr_assert_eq(vx.d.warnings, 4, "%s", out());
	cr_assert(strstr(out(), "r.yaml:2:42: warning: rule 1: content holds Suricata hex pipes"));
	cr_assert(strstr(out(), "write hex: \"e9\""));
	cr_assert(strstr(out(), "add `not: true`"));
	cr_assert(strstr(out(), "for the URI add buffer: http.uri"));
}

Test(verify, patterns_on_two_buffers_need_the_tx_matcher)
{
	const struct ids_rule *pub;
	char err[256];

	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, patterns: [{content: a, buffer: "
			       "http.uri}, {content: bb, buffer: http.host}]}\n"),
		     0, "%s", out());
	pub = &vx.rs.rules[0]->pub;
	cr_assert_eq(pub->n_buffers, 2);
	cr_assert_str_eq(pub->buffer, "http.host"); /* its longest content's */
	cr_assert_null(matcher_compile(&pub, 1, err, sizeof(err)));
	cr_assert(strstr(err, "matcher_compile_tx"), "%s", err);
}

Test(verify, pattern_buffer_becomes_the_rule_buffer)
{
	/* b (no buffer) is on the payload: a multi-buffer rule with pkt_data */
	cr_assert_eq(load_text("rules:\n  - {id: 1, msg: t, patterns: [{content: a, buffer: "
			       "http.uri}, {content: b}]}\n"),
		     0, "%s", out());
	cr_assert_eq(vx.rs.rules[0]->n_buffers, 2);
	cr_assert_str_eq(vx.rs.rules[0]->buffers[1], "pkt_data");
	cr_assert_str_eq(vx.rs.rules[0]->pub.buffer, "http.uri");
	ruleset_free(&vx.rs);
	ruleset_init(&vx.rs);
	cr_assert_eq(load_text("rules:\n  - {id: 2, msg: t, patterns: [{content: a, buffer: "
			       "http.uri}, {content: b, buffer: http.uri}]}\n"),
		     0, "%s", out());
	cr_assert_str_eq(vx.rs.rules[0]->pub.buffer, "http.uri");
}

/* --------------------------------------------------------------- dedup */

Test(verify, shared_prefilter_is_one_hyperscan_pattern)
{
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	unsigned n = 0;

	cr_assert_eq(
		load_text("rules:\n"
			  "  - {id: 1, msg: t, patterns: [{content: 'GET /'}, {content: a, "
			  "distance: 0, within: 1}]}\n"
			  "  - {id: 2, msg: t, patterns: [{content: 'GET /'}, {content: b, "
			  "distance: 0, within: 1}]}\n"
			  "  - {id: 3, msg: t, patterns: [{content: 'GET /'}]}\n"
			  "  - {id: 4, msg: t, patterns: [{content: 'GET /'}, {content: 'GET /', "
			  "nocase: true}]}\n"),
		0, "%s", out());
	compile_rules(false);
	cr_assert_eq(matcher_pattern_count(vx.m), 2); /* 'GET /' and its caseless twin */
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)"GET /a", 6, count, &n);
	cr_assert_eq(n, 3); /* 1, 3, 4 */
	n = 0;
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)"GET /b", 6, count, &n);
	cr_assert_eq(n, 3); /* 2, 3, 4 */
	n = 0;
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)"get /b", 6, count, &n);
	cr_assert_eq(n, 0);
}

/* ----------------------------------------------------------- big sets */

/* 50,000 generated rules (ET-like mix: unique contents with short common
 * ones beside them, relative chains, nocase, a few pcres) plus 10 broken
 * ones: the broken are reported and left out, the rest load, compile into
 * one database and match. */
Test(verify, fifty_thousand_rules_load_compile_and_match, .timeout = 600)
{
	size_t cap = 50010 * 200, used = 0;
	char *text = malloc(cap);
	const struct ids_rule **pubs;
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	char err[512];
	unsigned n = 0;

	cr_assert(text);
	used += (size_t)snprintf(text, cap, "rules:\n");
	for (unsigned i = 1; i <= 50000; i++) {
		const char *rel = i % 3 == 0 ? ", {content: \"\\r\\n\", distance: 0}" : "";
		const char *pc = i % 50 == 0 ? ", {pcre: '/x=[0-9]+/i'}" : "";

		used += (size_t)snprintf(text + used, cap - used,
					 "  - {id: %u, msg: m, patterns: [{content: 'GET '}, "
					 "{content: 'u%07u/', nocase: %s}%s%s]}\n",
					 i, i, i % 4 == 0 ? "true" : "false", rel, pc);
	}
	for (unsigned i = 0; i < 10; i++)
		used += (size_t)snprintf(
			text + used, cap - used,
			"  - {id: %u, msg: m, patterns: [{content: a, within: v}]}\n", 60000 + i);
	vx.d.quiet = 1;
	cr_assert_eq(load_text(text), 10);
	free(text);
	cr_assert_eq(vx.rs.n, 50000);
	cr_assert_eq(vx.rs.n_failed, 10);
	pubs = malloc(vx.rs.n * sizeof(*pubs));
	cr_assert(pubs);
	for (size_t i = 0; i < vx.rs.n; i++)
		pubs[i] = &vx.rs.rules[i]->pub;
	vx.m = matcher_compile(pubs, vx.rs.n, err, sizeof(err));
	free(pubs);
	cr_assert_not_null(vx.m, "%s", err);
	vx.mt = matcher_thread_new();
	cr_assert_not_null(vx.mt);
	/* 'GET ' is common: every rule runs as a program behind its own
	 * content, the only Hyperscan pattern of each */
	cr_assert_eq(matcher_pattern_count(vx.m), 50000);
	/* 123: relative CRLF after its content; 124: nocase; 125: case differs */
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)"GET /u0000123/U0000124/U0000125/ HTTP\r\n",
		     39, count, &n);
	cr_assert_eq(n, 2, "%u", n);
}

Test(verify, common_content_is_not_a_prefilter)
{
	char text[4096];
	size_t used = 0;
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	unsigned n = 0;

	used += (size_t)snprintf(text, sizeof(text), "rules:\n");
	for (unsigned i = 1; i <= 20; i++) /* 20 > PREFILTER_COMMON rules share 'GET ' */
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "  - {id: %u, msg: m, patterns: [{content: 'GET '}, "
					 "{content: 'page%02u'}]}\n",
					 i, i);
	cr_assert_eq(load_text(text), 0, "%s", out());
	compile_rules(false);
	cr_assert_eq(matcher_pattern_count(vx.m), 20);
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)"GET /page07", 11, count, &n);
	cr_assert_eq(n, 1);
	n = 0;
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)"PUT /page07", 11, count, &n);
	cr_assert_eq(n, 0);
}

Test(verify, pcre_only_rules_prefilter_with_hyperscan)
{
	cr_assert_eq(
		load_text("rules:\n"
			  "  - {id: 1, msg: t, patterns: [{pcre: '/ev[i1]l=[0-9]+/i'}]}\n"
			  "  - {id: 2, msg: t, patterns: [{pcre: '/(\\w+)=\\1/'}, {content: x, "
			  "not: true}]}\n"),
		0, "%s", out());
	compile_rules(false);
	cr_assert_eq(matcher_pattern_count(vx.m), 2);
	cr_assert(hits("EV1L=42"));
	cr_assert_not(hits("evil=a"));
	cr_assert(hits("ab=ab"));
	cr_assert_not(hits("ab=ab x"));
	cr_assert_not(hits("ab=cd"));
}

/* ------------------------------------------------------------ hostile */

#include "detect/rules_byteop.h"

/* Random option text never crashes the byte keyword parser and never
 * yields an out-of-range read size. */
Test(verify, byteop_parser_survives_random_text)
{
	static const char alphabet[] = ",,,  0123456789<>=!&^-xrelativbgsdcmuphon_";
	struct byteop_vars vars = {.n = 1};
	uint32_t seed = 12345;

	strcpy(vars.names[0], "v");
	for (int i = 0; i < 20000; i++) {
		char text[48], result[BYTEOP_NAME_MAX], err[200];
		struct rule_byteop op;
		size_t n;

		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % (sizeof(text) - 1);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			text[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		text[n] = '\0';
		if (rule_byteop_parse((enum pattern_kind)(PAT_ISDATAAT + i % 6), text, &vars, &op,
				      result, err, sizeof(err)) == 0 &&
		    i % 6 != 0 && i % 6 != 5)
			cr_assert(op.nbytes >= 1 && op.nbytes <= 23, "%s", text);
	}
}

/* ------------------------------------------------------- port groups */

static unsigned scan_ids(uint8_t proto, uint16_t dport, const char *payload, uint32_t *ids)
{
	struct ids_packet p = {.proto = proto, .dport = dport, .sport = 40000};
	struct {
		uint32_t *ids;
		unsigned n;
	} c = {ids, 0};

	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)payload, strlen(payload), collect_ids, &c);
	return c.n;
}

/* The ids of the rules a UDP packet between `src` and `dst` (text
 * addresses of one family) matches, in rule order. */
static unsigned scan_addrs(const char *src, const char *dst, uint32_t *ids)
{
	struct ids_packet p = {.proto = IPPROTO_UDP, .dport = 53, .sport = 40000};
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;
	struct {
		uint32_t *ids;
		unsigned n;
	} c = {ids, 0};

	p.src.family = p.dst.family = af == AF_INET ? 4 : 6;
	cr_assert_eq(inet_pton(af, src, p.src.bytes), 1);
	cr_assert_eq(inet_pton(af, dst, p.dst.bytes), 1);
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)"x", 1, collect_ids, &c);
	return c.n;
}

/* Header-only rules on address lists (IP reputation) are found through
 * the address index; wide or negated sets stay generic; the results are
 * those of the full header check either way. */
Test(verify, rules_on_address_lists_found_by_address)
{
	uint32_t ids[16];

	cr_assert_eq(
		load_text("rules:\n"
			  "  - {id: 1, msg: t, src: [198.18.0.7, 198.19.4.0/24]}\n"
			  "  - {id: 2, msg: t, dst: [198.18.0.0/16, '2001:db8:1::/48']}\n"
			  "  - {id: 3, msg: t, src: 10.0.0.0/8}\n"
			  "  - {id: 4, msg: t, src: '!198.18.0.7'}\n"
			  "  - {id: 5, msg: t, src: ['2001:db8::5', '2001:db8:0:1::/64'], dst: "
			  "'2001:db8:1::/48'}\n"
			  "  - {id: 6, msg: t, src: [198.19.4.9, 198.19.4.0/24]}\n"
			  "  - {id: 7, msg: t, src: 198.20.0.1, bidirectional: true}\n"
			  "  - {id: 8, msg: t, dst: [172.16.0.0/12, '2001:db9::/32']}\n"),
		0, "%s", out());
	compile_rules(false);
	cr_assert_eq(scan_addrs("198.18.0.7", "198.18.9.9", ids), 2);
	cr_assert_arr_eq(ids, ((uint32_t[]){1, 2}), 2 * sizeof(uint32_t));
	cr_assert_eq(scan_addrs("198.18.0.8", "198.17.255.255", ids), 1);
	cr_assert_eq(ids[0], 4);
	cr_assert_eq(scan_addrs("198.19.4.9", "10.1.1.1", ids), 3);
	cr_assert_arr_eq(ids, ((uint32_t[]){1, 4, 6}), 3 * sizeof(uint32_t));
	cr_assert_eq(scan_addrs("198.19.5.0", "198.18.255.255", ids), 2);
	cr_assert_arr_eq(ids, ((uint32_t[]){2, 4}), 2 * sizeof(uint32_t));
	cr_assert_eq(scan_addrs("10.200.0.1", "198.20.0.0", ids), 2);
	cr_assert_arr_eq(ids, ((uint32_t[]){3, 4}), 2 * sizeof(uint32_t));
	cr_assert_eq(scan_addrs("2001:db8::5", "2001:db8:1:ffff::1", ids), 3);
	cr_assert_arr_eq(ids, ((uint32_t[]){2, 4, 5}), 3 * sizeof(uint32_t));
	cr_assert_eq(scan_addrs("2001:db8:0:1:ffff::9", "2001:db8:2::1", ids), 1);
	cr_assert_eq(ids[0], 4);
	cr_assert_eq(scan_addrs("2001:db8:0:1::9", "2001:db8:1::1", ids), 3);
	cr_assert_arr_eq(ids, ((uint32_t[]){2, 4, 5}), 3 * sizeof(uint32_t));
	/* wide blocks (the wide index, by the first 8 or 16 bits) */
	cr_assert_eq(scan_addrs("198.18.0.8", "172.31.255.1", ids), 2);
	cr_assert_arr_eq(ids, ((uint32_t[]){4, 8}), 2 * sizeof(uint32_t));
	cr_assert_eq(scan_addrs("198.18.0.8", "172.32.0.1", ids), 1);
	cr_assert_eq(ids[0], 4);
	cr_assert_eq(scan_addrs("2001:db8::1", "2001:db9:ffff::1", ids), 2);
	cr_assert_arr_eq(ids, ((uint32_t[]){4, 8}), 2 * sizeof(uint32_t));
	/* a bidirectional rule is not indexed: it matches either way round */
	cr_assert_eq(scan_addrs("198.20.0.1", "10.0.0.1", ids), 2);
	cr_assert_arr_eq(ids, ((uint32_t[]){4, 7}), 2 * sizeof(uint32_t));
	cr_assert_eq(scan_addrs("10.0.0.1", "198.20.0.1", ids), 3);
	cr_assert_arr_eq(ids, ((uint32_t[]){3, 4, 7}), 3 * sizeof(uint32_t));
}

Test(verify, rules_without_prefilter_grouped_by_proto_and_port)
{
	uint32_t ids[16];

	cr_assert_eq(
		load_text("rules:\n"
			  "  - {id: 1, msg: t, proto: tcp, scope: packet, dst_port: 80}\n"
			  "  - {id: 2, msg: t, proto: udp, dst_port: 53}\n"
			  "  - {id: 3, msg: t, proto: tcp, scope: packet, dst_port: '8000:8010'}\n"
			  "  - {id: 4, msg: t}\n"
			  "  - {id: 5, msg: t, proto: tcp, scope: packet, dst_port: '!22'}\n"
			  "  - {id: 6, msg: t, proto: tcp, scope: packet, patterns: [{content: "
			  "x, not: true}]}\n"
			  "  - {id: 7, msg: t, patterns: [{content: GET}]}\n"
			  "  - {id: 8, msg: t, proto: tcp, scope: packet, dst_port: [80, 81]}\n"),
		0, "%s", out());
	compile_rules(false);
	cr_assert_eq(scan_ids(IPPROTO_TCP, 80, "GET", ids), 6);
	cr_assert_arr_eq(ids, ((uint32_t[]){1, 4, 5, 6, 7, 8}), 6 * sizeof(uint32_t));
	cr_assert_eq(scan_ids(IPPROTO_UDP, 53, "x", ids), 2);
	cr_assert_arr_eq(ids, ((uint32_t[]){2, 4}), 2 * sizeof(uint32_t));
	cr_assert_eq(scan_ids(IPPROTO_TCP, 8005, "", ids), 4);
	cr_assert_arr_eq(ids, ((uint32_t[]){3, 4, 5, 6}), 4 * sizeof(uint32_t));
	cr_assert_eq(scan_ids(IPPROTO_TCP, 22, "x", ids), 1);
	cr_assert_eq(ids[0], 4);
	cr_assert_eq(scan_ids(IPPROTO_TCP, 81, "x", ids), 3);
	cr_assert_arr_eq(ids, ((uint32_t[]){4, 5, 8}), 3 * sizeof(uint32_t));
}

/* Random v2 rules (every keyword, random numbers, variables, relative
 * chains) against random buffers, packets and streams: nothing crashes or
 * reads outside the buffer (run under the sanitizers in build-asan). */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static int rnd_num(void)
{
	static const int nums[] = {0, 1, 2, 3, 4, 7, 8, 255, 65535, -1, -3};

	return nums[rnd() % (sizeof(nums) / sizeof(nums[0]))];
}

static size_t random_pattern(char *out, size_t room, bool *has_var)
{
	static const char *const contents[] = {"a", "ab", "\\x00", "GET", "\\r\\n", "zz"};
	const char *c = contents[rnd() % 6];
	const char *var = *has_var ? "v" : "3";

	switch (rnd() % 9) {
	case 0:
		return (size_t)snprintf(out, room, "{content: \"%s\", distance: %d, within: %s}", c,
					rnd_num(), rnd() % 2 ? var : "5");
	case 1:
		return (size_t)snprintf(out, room, "{content: \"%s\", not: true, distance: %s}", c,
					var);
	case 2:
		return (size_t)snprintf(out, room, "{pcre: '/a.?b*/R'}");
	case 3:
		return (size_t)snprintf(out, room, "{isdataat: \"%s%d,relative\"}",
					rnd() % 2 ? "!" : "", abs(rnd_num()));
	case 4:
		return (size_t)snprintf(out, room, "{byte_test: \"%u,>,%s,%d,relative%s\"}",
					1 + rnd() % 8, var, rnd_num(), rnd() % 2 ? ",little" : "");
	case 5:
		return (size_t)snprintf(out, room, "{byte_jump: \"%u,%d,relative%s\"}",
					1 + rnd() % 4, rnd_num(),
					rnd() % 2 ? ",from_end,post_offset -3" : ",align");
	case 6:
		if (*has_var)
			return (size_t)snprintf(out, room, "{bsize: \"<%d\"}", abs(rnd_num()));
		*has_var = true;
		return (size_t)snprintf(out, room, "{byte_extract: \"%u,%d,v,relative\"}",
					1 + rnd() % 8, rnd_num());
	case 7:
		return (size_t)snprintf(out, room, "{byte_test: \"3,=,1,%d,string,dec\"}",
					abs(rnd_num()));
	default:
		return (size_t)snprintf(out, room, "{content: \"%s\", offset: %s, depth: 9}", c,
					var);
	}
}

/* The same rules as stream rules: chunks of random sizes, gaps, ends. */
static void random_streams(const struct ids_packet *p, uint8_t *buf, size_t cap)
{
	const struct ids_rule *pubs[256];
	struct ids_matcher *sm;
	struct matcher_thread *smt;
	char err[512];

	for (size_t i = 0; i < vx.rs.n; i++)
		pubs[i] = &vx.rs.rules[i]->pub;
	sm = matcher_compile_stream(pubs, vx.rs.n, err, sizeof(err));
	cr_assert_not_null(sm, "%s", err);
	smt = matcher_thread_new();
	cr_assert_not_null(smt);
	for (int s = 0; s < 200; s++) {
		struct matcher_stream *ms = NULL;
		uint64_t off = 0;
		unsigned n = 0;

		for (int c = 0; c < 12; c++) {
			struct ids_stream_chunk ch = {.data = buf, .len = rnd() % (uint32_t)cap};

			for (size_t k = 0; k < ch.len; k++)
				buf[k] = (uint8_t) "aGETb\r\n\x00\x01\xff"
						   "0123"[rnd() % 14];
			if (rnd() % 5 == 0) {
				ch.flags = IDS_STREAM_GAP;
				off += 1 + rnd() % 5000;
			}
			ch.offset = off;
			off += ch.len;
			if (c == 11 && rnd() % 2)
				ch.flags |= IDS_STREAM_END;
			matcher_stream_scan(smt, sm, &ms, p, &ch, count, &n);
		}
		matcher_stream_close(smt, sm, &ms, p, count, &n);
	}
	matcher_thread_free(smt);
	matcher_free(sm);
}

Test(verify, random_rules_on_random_buffers_never_crash, .timeout = 300)
{
	char *text = malloc(200 * 400);
	size_t used = 0;
	uint8_t buf[300];
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};

	cr_assert(text);
	vx.d.quiet = 1;
	used += (size_t)snprintf(text, 400, "rules:\n");
	for (unsigned i = 1; i <= 200; i++) {
		bool has_var = false;
		unsigned n = 1 + rnd() % 6;

		used += (size_t)snprintf(text + used, 400, "  - {id: %u, msg: m, patterns: [", i);
		for (unsigned k = 0; k < n; k++) {
			used += random_pattern(text + used, 200, &has_var);
			used += (size_t)snprintf(text + used, 4, "%s", k + 1 < n ? ", " : "");
		}
		used += (size_t)snprintf(text + used, 8, "]}\n");
	}
	load_text(text);
	free(text);
	cr_assert_gt(vx.rs.n, 100, "%s", out());
	compile_rules(false);
	for (int round = 0; round < 3000; round++) {
		size_t len = rnd() % sizeof(buf);
		unsigned n = 0;

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t) "aGETb\r\n\x00\x01\xff"
					   "0123"[rnd() % 14];
		matcher_scan(vx.mt, vx.m, &p, buf, len, count, &n);
	}
	random_streams(&p, buf, sizeof(buf));
}

/* ------------------------------------------------------ base64_decode */

/* Suricata's example: decode 8 bytes one after "somestring", then look at
 * the decoded bytes ("dGVzdAo=" is "test\n"). */
Test(verify, base64_decode_relative_then_decoded_contents)
{
	rule("{content: somestring}, {base64_decode: 'bytes 8, offset 1, relative'}, "
	     "{content: test, startswith: true}, {content: \"\\n\", distance: 0, endswith: true}");
	cr_expect(hits("GET /en/somestring&dGVzdAo=&not_base64"));
	cr_expect_not(hits("GET /en/somestring&dGVzdBo=&not_base64"));
	cr_expect_not(hits("GET /en/somestring&"));		     /* nothing to decode */
	cr_expect_not(hits("GET /en/somestring"));		     /* offset past the end */
	cr_expect_not(hits("GET /en/dGVzdAo=somestring&dGVz!dAo=")); /* decodes "tes" only */
}

Test(verify, base64_decode_alphabet_padding_and_stops)
{
	rule("{base64_decode: 'offset 0'}, {content: ABC, startswith: true, endswith: true}");
	cr_expect(hits("QUJD"));
	cr_expect(hits("QUJDR"));	 /* a lone character yields nothing */
	cr_expect(hits("QUJD!QUJD"));	 /* the first other byte ends the input */
	cr_expect(hits("QQ==QkM="));	 /* '=' inside does not stop decoding */
	cr_expect(hits("QUI=Qw"));	 /* an unfinished group is padded */
	cr_expect_not(hits("=QUJD"));	 /* '=' first: nothing decoded */
	cr_expect_not(hits("QUJDRA==")); /* "ABCD" */
}

Test(verify, base64_decode_bytes_and_absolute_offset)
{
	rule("{base64_decode: 'bytes 4, offset 2'}, {content: ABC, endswith: true}");
	cr_expect(hits("xxQUJDRA=="));
	cr_expect_not(hits("xQUJDRA=="));
	cr_expect_not(hits("xx"));
}

/* Nothing decoded is no match, even for a negated content; the content
 * before a relative base64_decode is not tried again (Suricata decodes
 * after the first match only). */
Test(verify, base64_decode_failure_is_final)
{
	rule("{content: key=}, {base64_decode: 'relative'}, {content: secret, not: true}");
	cr_expect(hits("key=b3RoZXI="));
	cr_expect_not(hits("key=c2VjcmV0"));
	cr_expect_not(hits("key=!!!! key=b3RoZXI="));
}

Test(verify, base64_decode_load_errors)
{
	static const char text[] =
		"rules:\n"
		"  - {id: 1, msg: t, patterns: [{content: a}, {base64_decode: relative}]}\n"
		"  - {id: 2, msg: t, patterns: [{base64_decode: 'offset 0'}, {content: a, "
		"fast_pattern: true}]}\n"
		"  - {id: 3, msg: t, patterns: [{base64_decode: 'offset 0'}, {base64_decode: "
		"'offset 0'}, {content: a}]}\n"
		"  - {id: 4, msg: t, patterns: [{base64_decode: 'bytes 70000'}, {content: a}]}\n"
		"  - {id: 5, msg: t, patterns: [{base64_decode: 'depth 3'}, {content: a}]}\n"
		"  - {id: 6, msg: t, patterns: [{base64_decode: 'relative, relative'}, "
		"{content: a}]}\n";

	cr_expect_eq(load_text(text), 6);
	cr_expect_str_eq(
		out(),
		"r.yaml:2:46: error: rule 1: base64_decode needs patterns after it (they look at "
		"the decoded bytes, Suricata's base64_data)\n"
		"r.yaml:3:61: error: rule 2: a pattern on base64_decode's bytes cannot be the fast "
		"pattern\n"
		"r.yaml:4:61: error: rule 3: a second base64_decode: one per rule\n"
		"r.yaml:5:48: error: rule 4: base64_decode: bytes must be 0..65535, "
		"got '70000'\n"
		"r.yaml:6:48: error: rule 5: base64_decode: takes bytes N, offset N, "
		"relative (each once), got 'depth 3'\n"
		"r.yaml:7:48: error: rule 6: base64_decode: takes bytes N, offset N, "
		"relative (each once), got 'relative'\n");
}

/* ---------------------------------------------------------------- asn1 */

/* asn1 from the cursor plus its relative offset; it does not move the
 * cursor (the content after it counts from the end of "SMB"). */
Test(verify, asn1_relative_to_the_cursor)
{
	static const char big[] = "SMBx\x04\x04"
				  "AAAAZ",
			  small[] = "SMBx\x04\x02"
				    "AAZ";

	rule("{content: SMB}, {asn1: 'oversize_length 3, relative_offset 1'}, "
	     "{content: x, distance: 0, within: 1}");
	cr_expect(hit(big, sizeof(big) - 1));
	cr_expect_not(hit(small, sizeof(small) - 1));
	cr_expect_not(hits("SMB"));  /* nothing after the cursor */
	cr_expect_not(hits("SMBx")); /* the offset is at the end */
}

Test(verify, asn1_absolute_offset_and_load_errors)
{
	static const char bits[] = "BITS\x03\x02\xff\x01";
	static const char text[] =
		"rules:\n"
		"  - {id: 2, msg: t, patterns: [{asn1: 'double_overflow 3'}]}\n"
		"  - {id: 3, msg: t, patterns: [{asn1: 'absolute_offset 1, relative_offset 2, "
		"bitstring_overflow'}]}\n"
		"  - {id: 4, msg: t, patterns: [{asn1: 'absolute_offset 1'}]}\n"
		"  - {id: 5, msg: t, patterns: [{asn1: 'oversize_length -1'}]}\n";

	rule("{asn1: 'bitstring_overflow, absolute_offset 4'}");
	cr_expect(hit(bits, sizeof(bits) - 1));
	cr_expect_not(hit(bits + 1, sizeof(bits) - 2));
	cr_expect_eq(load_text(text), 4);
	cr_expect_str_eq(
		out(),
		"r.yaml:2:39: error: rule 2: asn1: takes bitstring_overflow, double_overflow, "
		"oversize_length N and one of absolute_offset N, relative_offset N (each "
		"once), got 'double_overflow 3'\n"
		"r.yaml:3:39: error: rule 3: asn1: takes bitstring_overflow, double_overflow, "
		"oversize_length N and one of absolute_offset N, relative_offset N (each "
		"once), got 'relative_offset 2'\n"
		"r.yaml:4:39: error: rule 4: asn1: needs at least one check: "
		"bitstring_overflow, double_overflow or oversize_length N\n"
		"r.yaml:5:39: error: rule 5: asn1: oversize_length: '-1' is out of range\n");
}

/* ----------------------------------------------------------- ftpbounce */

/* The PORT arguments at the cursor against the client of the scanned
 * packet's flow (its source when it goes to the server). */
static bool port_hit(const char *s, uint8_t dir)
{
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = dir};
	unsigned n = 0;

	p.src.family = p.dst.family = 4;
	memcpy(p.src.bytes, "\xc6\x12\x00\x0a", 4); /* 198.18.0.10 */
	memcpy(p.dst.bytes, "\xc6\x12\x01\x15", 4);
	matcher_scan(vx.mt, vx.m, &p, (const uint8_t *)s, strlen(s), count, &n);
	return n == 1;
}

Test(verify, ftpbounce_compares_with_the_client)
{
	rule("{content: PORT, nocase: true}, {ftpbounce: true}");
	cr_expect_not(port_hit("PORT 198,18,0,10,4,1\r\n", IDS_DIR_TO_SERVER));
	cr_expect(port_hit("PORT 10,0,0,1,0,21\r\n", IDS_DIR_TO_SERVER));
	cr_expect(port_hit("port 198 ,18 ,0 ,11,4,1\r\n", IDS_DIR_TO_SERVER)); /* spaces */
	cr_expect(port_hit("PORT 198,18,1,21,4,1\r\n",
			   IDS_DIR_TO_SERVER)); /* the server: not the client */
	cr_expect_not(port_hit("PORT 198,18,1,21,4,1\r\n", IDS_DIR_TO_CLIENT));
	cr_expect_not(port_hit("PORT 10,0,0,1", IDS_DIR_TO_SERVER));	    /* no comma after */
	cr_expect_not(port_hit("PORT 1000,0,0,1,0,21", IDS_DIR_TO_SERVER)); /* four digits */
	cr_expect_not(port_hit("PORT 300,0,0,1,0,21", IDS_DIR_TO_SERVER));  /* above 256 */
	cr_expect_not(port_hit("PORT 10;0,0,1,0,21", IDS_DIR_TO_SERVER));
	cr_expect_not(port_hit("PORT 1,2", IDS_DIR_TO_SERVER)); /* fewer than 8 bytes */
}
