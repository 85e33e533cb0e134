/*
 * test_matcher_tx.c - multi-buffer rules (sensor/detect/matcher_tx.c):
 * YAML rules whose patterns name several buffers, loaded by the rule
 * loader, compiled with matcher_compile_tx and scanned one transaction
 * step at a time. Buffers are passed by index in NAMES; `step` builds the
 * list from (index, fresh, text) triples.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "detect/matcher.h"
#include "detect/rules.h"

enum { B_METHOD = 0, B_URI, B_HEADER, B_STAT, B_PAYLOAD, B_COUNT };
static const char *const names[B_COUNT] = {"http.method", "http.uri", "http.header",
					   "http.stat_code", "pkt_data"};

static struct {
	struct diag d;
	struct ruleset rs;
	FILE *mem;
	char *membuf;
	size_t memlen;
	struct ids_matcher *m;
	struct matcher_thread *mt;
	struct ids_tx_buffer bufs[B_COUNT];
	size_t n;
	uint32_t ids[16];
	unsigned hits;
} tx;

static void setup(void)
{
	tx.mem = open_memstream(&tx.membuf, &tx.memlen);
	diag_init(&tx.d, tx.mem);
	ruleset_init(&tx.rs);
}

static void teardown(void)
{
	matcher_thread_free(tx.mt);
	matcher_free(tx.m);
	ruleset_free(&tx.rs);
	fclose(tx.mem);
	free(tx.membuf);
	memset(&tx, 0, sizeof(tx));
}

TestSuite(matcher_tx, .init = setup, .fini = teardown);

static const char *out(void)
{
	fflush(tx.mem);
	return tx.membuf ? tx.membuf : "";
}

/* Load `rules` (YAML rule mappings, one per line) and compile them
 * (`singles`: with matcher_compile_tx_single, rules on one buffer too). */
static void load_as(const char *rules, bool singles)
{
	const struct ids_rule *pubs[16];
	char text[8192], err[512];

	snprintf(text, sizeof(text), "rules:\n%s", rules);
	cr_assert_eq(ruleset_load_buffer(&tx.rs, "r.yaml", text, strlen(text), "http", &tx.d), 0,
		     "%s", out());
	for (size_t i = 0; i < tx.rs.n; i++)
		pubs[i] = &tx.rs.rules[i]->pub;
	tx.m = singles ? matcher_compile_tx_single(pubs, tx.rs.n, names, B_COUNT, err, sizeof(err))
		       : matcher_compile_tx(pubs, tx.rs.n, names, B_COUNT, err, sizeof(err));
	cr_assert_not_null(tx.m, "compile failed: %s", err);
	tx.mt = matcher_thread_new();
	cr_assert_not_null(tx.mt);
}

static void load(const char *rules)
{
	load_as(rules, false);
}

static void add(unsigned b, bool fresh, const char *text)
{
	tx.bufs[tx.n++] = (struct ids_tx_buffer){
		.buf = b,
		.flags = fresh ? IDS_TXBUF_FRESH : 0,
		.data = (const uint8_t *)text,
		.len = strlen(text),
	};
}

static int collect(const struct ids_rule *r, void *ctx)
{
	(void)ctx;
	if (tx.hits < 16)
		tx.ids[tx.hits] = r->id;
	tx.hits++;
	return 0;
}

/* Scan the buffers added since the last step; returns the rules reported. */
static unsigned step(void)
{
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	unsigned n;

	tx.hits = 0;
	n = matcher_tx_scan(tx.mt, tx.m, &p, tx.bufs, tx.n, collect, NULL);
	cr_assert_eq(n, tx.hits);
	tx.n = 0;
	return n;
}

#define RULE_MUH                                                                                   \
	"  - {id: 1, msg: t, patterns: [{content: POST, buffer: http.method}, "                    \
	"{content: /upload.php, buffer: http.uri}, {content: \"X-Evil: \", buffer: "               \
	"http.header}]}\n"

Test(matcher_tx, all_buffers_match_fires)
{
	load(RULE_MUH);
	add(B_METHOD, true, "POST");
	add(B_URI, true, "/dir/upload.php?a=1");
	add(B_HEADER, true, "Host: x\r\nX-Evil: 1\r\n");
	cr_assert_eq(step(), 1);
	cr_assert_eq(tx.ids[0], 1);
}

Test(matcher_tx, one_buffer_not_matching_does_not_fire)
{
	load(RULE_MUH);
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/dir/upload.php?a=1");
	add(B_HEADER, true, "X-Evil: 1\r\n");
	cr_assert_eq(step(), 0);
	add(B_METHOD, true, "POST");
	add(B_URI, true, "/dir/upload.php?a=1");
	add(B_HEADER, true, "X-Good: 1\r\n");
	cr_assert_eq(step(), 0);
}

Test(matcher_tx, a_missing_buffer_never_fires)
{
	load(RULE_MUH);
	add(B_METHOD, true, "POST");
	add(B_URI, true, "/upload.php");
	cr_assert_eq(step(), 0);
	add(B_METHOD, false, "POST");
	add(B_URI, false, "/upload.php");
	add(B_STAT, true, "200");
	cr_assert_eq(step(), 0);
}

Test(matcher_tx, the_prefilter_sits_in_the_longest_contents_buffer)
{
	load(RULE_MUH);
	cr_assert_str_eq(tx.rs.rules[0]->pub.buffer, "http.uri");
	cr_assert_eq(tx.rs.rules[0]->pub.n_buffers, 3);
	cr_assert_str_eq(tx.rs.rules[0]->pub.buffers[0], "http.uri");
	cr_assert_str_eq(tx.rs.rules[0]->pub.buffers[1], "http.method");
	cr_assert_str_eq(tx.rs.rules[0]->pub.buffers[2], "http.header");
}

Test(matcher_tx, fast_pattern_chooses_the_primary_buffer)
{
	load("  - {id: 1, msg: t, patterns: [{content: GET, buffer: http.method, fast_pattern: "
	     "true}, {content: /a-long-uri, buffer: http.uri}]}\n");
	cr_assert_str_eq(tx.rs.rules[0]->pub.buffer, "http.method");
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/a-long-uri");
	cr_assert_eq(step(), 1);
}

/* Request uri + response status: the rule fires at the response step,
 * once, with the request's buffers held from the earlier step. */
Test(matcher_tx, request_and_response_buffers_fire_once_per_tx)
{
	load("  - {id: 7, msg: t, patterns: [{content: /admin, buffer: http.uri}, {content: "
	     "\"403\", buffer: http.stat_code}]}\n");
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/admin/x");
	cr_assert_eq(step(), 0);
	add(B_METHOD, false, "GET");
	add(B_URI, false, "/admin/x");
	add(B_STAT, true, "403");
	cr_assert_eq(step(), 1);
	cr_assert_eq(tx.ids[0], 7);
	/* nothing fresh: the rule is not evaluated again */
	add(B_URI, false, "/admin/x");
	add(B_STAT, false, "403");
	cr_assert_eq(step(), 0);
}

Test(matcher_tx, rules_whose_buffers_were_complete_earlier_do_not_fire_again)
{
	load(RULE_MUH);
	add(B_METHOD, true, "POST");
	add(B_URI, true, "/upload.php");
	add(B_HEADER, true, "X-Evil: 1\r\n");
	cr_assert_eq(step(), 1);
	add(B_METHOD, false, "POST");
	add(B_URI, false, "/upload.php");
	add(B_HEADER, false, "X-Evil: 1\r\n");
	add(B_STAT, true, "200");
	cr_assert_eq(step(), 0);
}

#define RULE_NEG                                                                                   \
	"  - {id: 2, msg: t, patterns: [{content: GET, buffer: http.method}, {content: evil, "     \
	"not: "                                                                                    \
	"true, buffer: http.uri}]}\n"

Test(matcher_tx, negated_buffer_present_without_the_content_fires)
{
	load(RULE_NEG);
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/index.html");
	cr_assert_eq(step(), 1);
}

Test(matcher_tx, negated_buffer_with_the_content_does_not_fire)
{
	load(RULE_NEG);
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/evil.html");
	cr_assert_eq(step(), 0);
}

Test(matcher_tx, negated_buffer_absent_does_not_fire)
{
	load(RULE_NEG);
	add(B_METHOD, true, "GET");
	cr_assert_eq(step(), 0);
}

/* A rule whose every pattern is negated has no prefilter: checked
 * whenever its buffers are there. */
Test(matcher_tx, negated_only_rule_is_evaluated_when_its_buffers_are_present)
{
	load("  - {id: 3, msg: t, patterns: [{content: POST, not: true, buffer: http.method}, "
	     "{content: /x, not: true, buffer: http.uri}]}\n");
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/y");
	cr_assert_eq(step(), 1);
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/x");
	cr_assert_eq(step(), 0);
	add(B_METHOD, true, "GET");
	cr_assert_eq(step(), 0);
}

/* distance/within of a buffer's first pattern count from that buffer's
 * start; later ones from the previous match in the same buffer. */
Test(matcher_tx, relative_chains_are_per_buffer)
{
	load("  - {id: 4, msg: t, patterns: [{content: /abcdef, buffer: http.uri}, {content: "
	     "ab, buffer: http.header, distance: 0, within: 3}, {content: cd, buffer: "
	     "http.header, distance: 0, within: 2}]}\n");
	add(B_URI, true, "/abcdef");
	add(B_HEADER, true, "abcd");
	cr_assert_eq(step(), 1);
	add(B_URI, true, "/abcdef");
	add(B_HEADER, true, "ab-cd");
	cr_assert_eq(step(), 0);
	add(B_URI, true, "/abcdef");
	add(B_HEADER, true,
	    "xxab"
	    "cd");
	cr_assert_eq(step(), 0);
}

Test(matcher_tx, uri_chain_is_not_relative_to_another_buffer)
{
	load("  - {id: 5, msg: t, patterns: [{content: /zzzzzzzz, buffer: http.uri}, {content: "
	     "q, buffer: http.method, offset: 0, depth: 1}]}\n");
	add(B_URI, true, "/zzzzzzzz");
	add(B_METHOD, true, "q");
	cr_assert_eq(step(), 1);
}

Test(matcher_tx, rules_are_reported_in_rule_order)
{
	load("  - {id: 10, msg: t, patterns: [{content: GET, buffer: http.method}, {content: "
	     "/b, buffer: http.uri}]}\n"
	     "  - {id: 11, msg: t, patterns: [{content: /bb, buffer: http.uri}, {content: G, "
	     "buffer: http.method}]}\n"
	     "  - {id: 12, msg: t, patterns: [{content: GE, buffer: http.method}, {content: "
	     "/, buffer: http.uri}]}\n");
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/bb");
	cr_assert_eq(step(), 3);
	cr_assert_eq(tx.ids[0], 10);
	cr_assert_eq(tx.ids[1], 11);
	cr_assert_eq(tx.ids[2], 12);
}

Test(matcher_tx, a_buffer_the_plugin_does_not_pass_is_a_compile_error)
{
	const struct ids_rule *pub;
	char err[256];
	const char *text = "rules:\n  - {id: 1, msg: t, patterns: [{content: a, buffer: "
			   "dns.query}, {content: b, buffer: http.uri}]}\n";

	cr_assert_eq(ruleset_load_buffer(&tx.rs, "r.yaml", text, strlen(text), "http", &tx.d), 0);
	pub = &tx.rs.rules[0]->pub;
	cr_assert_null(matcher_compile_tx(&pub, 1, names, B_COUNT, err, sizeof(err)));
	cr_assert(strstr(err, "'dns.query'"), "%s", err);
}

#define RULE_PAYLOAD                                                                               \
	"  - {id: 7, msg: t, patterns: [{content: \"../\", depth: 20, buffer: pkt_data}, "         \
	"{content: GET, buffer: http.method}, {content: /vuln.php, buffer: http.uri}]}\n"

/* The payload with buffers: pkt_data is one more buffer of the rule. */
Test(matcher_tx, payload_and_buffers_in_one_rule)
{
	const struct rule *r;

	load(RULE_PAYLOAD);
	r = tx.rs.rules[0];
	cr_assert_eq(r->n_buffers, 3);
	cr_expect_str_eq(r->buffers[0], "http.uri");
	cr_expect_str_eq(r->buffer, "http.uri");
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/vuln.php");
	cr_expect_eq(step(), 0); /* the payload is not there yet */
	add(B_METHOD, false, "GET");
	add(B_URI, false, "/vuln.php");
	add(B_PAYLOAD, true, "GET /vuln.php?f=../x HTTP/1.1\r\n\r\n");
	cr_expect_eq(step(), 1);
	cr_expect_eq(tx.ids[0], 7);
	/* the payload only */
	add(B_METHOD, true, "POST");
	add(B_URI, true, "/vuln.php");
	add(B_PAYLOAD, true, "POST /vuln.php?f=../x HTTP/1.1\r\n\r\n");
	cr_expect_eq(step(), 0);
	/* the buffers only */
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/vuln.php");
	add(B_PAYLOAD, true, "GET /vuln.php HTTP/1.1\r\n\r\n");
	cr_expect_eq(step(), 0);
	/* ../ ends at byte 21, past depth 20 */
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/vuln.php");
	add(B_PAYLOAD, true, "GET /vuln.php?abc=../x HTTP/1.1\r\n\r\n");
	cr_expect_eq(step(), 0);
}

/* A payload fast_pattern: the prefilter is on pkt_data, the rule still
 * goes to its buffers' plugin; the payload's relative chain is its own. */
Test(matcher_tx, payload_prefilter)
{
	load("  - {id: 8, msg: t, patterns: [{content: \"\\r\\n\\r\\nuser=\", buffer: pkt_data, "
	     "fast_pattern: true}, {content: \"&pw=\", buffer: pkt_data, distance: 0, within: 20}, "
	     "{content: POST, buffer: http.method}]}\n");
	cr_expect_str_eq(tx.rs.rules[0]->buffers[0], "pkt_data");
	cr_expect_str_eq(tx.rs.rules[0]->buffer, "http.method");
	add(B_METHOD, false, "POST");
	add(B_PAYLOAD, true, "POST / HTTP/1.1\r\n\r\nuser=bob&pw=x");
	cr_expect_eq(step(), 1);
	add(B_METHOD, false, "POST");
	add(B_PAYLOAD, true, "POST / HTTP/1.1\r\n\r\nuser=bob-with-a-long-name&pw=x");
	cr_expect_eq(step(), 0);
	add(B_METHOD, false, "PUT");
	add(B_PAYLOAD, true, "PUT / HTTP/1.1\r\n\r\nuser=bob&pw=x");
	cr_expect_eq(step(), 0);
}

/* byte_extract on the header, the value used on the uri (the prefilter's
 * buffer, matched after the header in the chain) as a `within`. */
Test(matcher_tx, variable_carried_to_a_later_buffer)
{
	load("  - {id: 9, msg: t, patterns: [{content: \"X-N: \", buffer: http.header}, "
	     "{byte_extract: \"1,0,n,relative,string,dec\", buffer: http.header}, "
	     "{content: /upload/, buffer: http.uri, fast_pattern: true}, "
	     "{content: abc, buffer: http.uri, distance: 0, within: n}]}\n");
	cr_expect(tx.rs.rules[0]->n_buffers == 2);
	/* n = 3: abc right after /upload/ */
	add(B_HEADER, true, "Host: a\r\nX-N: 3\r\n");
	add(B_URI, true, "/upload/abc");
	cr_expect_eq(step(), 1);
	/* n = 2: abc does not end within 2 bytes */
	add(B_HEADER, true, "X-N: 2\r\n");
	add(B_URI, true, "/upload/abc");
	cr_expect_eq(step(), 0);
	/* n = 5: 2 bytes before abc are allowed */
	add(B_HEADER, true, "X-N: 5\r\n");
	add(B_URI, true, "/upload/..abc");
	cr_expect_eq(step(), 1);
	/* n = 4: they are not */
	add(B_HEADER, true, "X-N: 4\r\n");
	add(B_URI, true, "/upload/..abc");
	cr_expect_eq(step(), 0);
	/* no X-N: nothing extracted, no match */
	add(B_HEADER, true, "Host: a\r\n");
	add(B_URI, true, "/upload/abc");
	cr_expect_eq(step(), 0);
}

/* No content anywhere: the primary part has no prefilter and is checked
 * whenever its buffer is there; the chain still carries the variable. */
Test(matcher_tx, variable_carried_without_a_prefilter)
{
	load("  - {id: 12, msg: t, patterns: [{regex: \"X-N: \", buffer: http.header}, "
	     "{byte_extract: \"1,0,n,relative,string,dec\", buffer: http.header}, "
	     "{isdataat: \"n\", buffer: http.uri}]}\n");
	add(B_HEADER, true, "X-N: 4\r\n");
	add(B_URI, true, "/abcd");
	cr_expect_eq(step(), 1);
	add(B_HEADER, true, "X-N: 5\r\n");
	add(B_URI, true, "/abcd");
	cr_expect_eq(step(), 0);
}

/* The value from the payload used on a buffer: a length the payload
 * gives compared with byte_test on the method buffer's first byte, and as
 * the depth of a content on the uri. */
Test(matcher_tx, variable_from_the_payload)
{
	load("  - {id: 10, msg: t, patterns: [{content: \"L=\", buffer: pkt_data}, "
	     "{byte_extract: \"2,0,len,relative,string,dec\", buffer: pkt_data}, "
	     "{content: evil, buffer: http.uri, depth: len}]}\n");
	add(B_URI, true, "/x/evil");
	add(B_PAYLOAD, true, "GET /x/evil HTTP/1.1\r\nL=07\r\n");
	cr_expect_eq(step(), 1);
	add(B_URI, true, "/x/evil");
	add(B_PAYLOAD, true, "GET /x/evil HTTP/1.1\r\nL=06\r\n");
	cr_expect_eq(step(), 0);
	add(B_URI, true, "/x/evil");
	add(B_PAYLOAD, true, "GET /x/evil HTTP/1.1\r\n");
	cr_expect_eq(step(), 0);
}

/* A variable read on a buffer whose patterns start before the setter's:
 * refused at load, naming both buffers. */
Test(matcher_tx, variable_read_before_its_buffer_is_a_load_error)
{
	const char *text =
		"rules:\n  - {id: 11, msg: t, patterns: [{content: a, buffer: http.uri}, "
		"{content: \"X: \", buffer: http.header}, {byte_extract: \"1,0,n,relative\", "
		"buffer: http.header}, {content: b, buffer: http.uri, distance: n}]}\n";

	cr_assert_eq(ruleset_load_buffer(&tx.rs, "r.yaml", text, strlen(text), "http", &tx.d), 1);
	cr_assert(strstr(out(), "set on buffer 'http.header' is read on buffer 'http.uri'"), "%s",
		  out());
}

/* A plugin that does not pass pkt_data cannot compile such a rule. */
Test(matcher_tx, payload_rule_needs_a_plugin_that_passes_the_payload)
{
	const struct ids_rule *pub;
	char err[256];
	const char *text = "rules:\n" RULE_PAYLOAD;

	cr_assert_eq(ruleset_load_buffer(&tx.rs, "r.yaml", text, strlen(text), "http", &tx.d), 0,
		     "%s", out());
	pub = &tx.rs.rules[0]->pub;
	cr_assert_null(matcher_compile_tx(&pub, 1, names, B_PAYLOAD, err, sizeof(err)));
	cr_assert(strstr(err, "'pkt_data'"), "%s", err);
}

/* A relative pcre in a buffer that is not the prefilter's runs from the
 * previous match in that buffer. */
Test(matcher_tx, relative_pcre_in_another_buffer)
{
	load("  - {id: 6, msg: t, patterns: [{content: /longer-uri, buffer: http.uri}, {content: "
	     "\"k=\", buffer: http.header}, {pcre: \"/^[0-9]+\\\\r/R\", buffer: http.header}]}\n");
	add(B_URI, true, "/longer-uri");
	add(B_HEADER, true, "a: b\r\nk=123\r\n");
	cr_assert_eq(step(), 1);
	add(B_URI, true, "/longer-uri");
	add(B_HEADER, true, "a: 1\r\nk=x123\r\n");
	cr_assert_eq(step(), 0);
}

/* Two parts on buffers the step passes as held (not fresh) and one fresh:
 * the prefilter's buffer may be a held one. */
Test(matcher_tx, prefilter_in_a_held_buffer)
{
	load("  - {id: 8, msg: t, patterns: [{content: /very-long-uri-path, buffer: http.uri}, "
	     "{content: \"200\", buffer: http.stat_code}]}\n");
	add(B_URI, false, "/very-long-uri-path");
	add(B_STAT, true, "200");
	cr_assert_eq(step(), 1);
}

Test(matcher_tx, buffer_indexes_out_of_range_are_ignored)
{
	load(RULE_NEG);
	add(B_METHOD, true, "GET");
	add(B_URI, true, "/index.html");
	tx.bufs[tx.n++] = (struct ids_tx_buffer){.buf = 99, .flags = IDS_TXBUF_FRESH};
	cr_assert_eq(step(), 1);
}

/* matcher_compile_tx_single (ABI 1.5): rules on one buffer share the
 * buffer's database with the multi-buffer rules' prefilters. */
#define RULES_SINGLE                                                                               \
	"  - {id: 2, msg: t, patterns: [{content: \"X-Evil\", buffer: http.header}]}\n" RULE_MUH   \
	"  - {id: 3, msg: t, patterns: [{content: upload, buffer: http.uri}]}\n"

Test(matcher_tx, single_buffer_rules_fire_in_rule_order_with_the_others)
{
	load_as(RULES_SINGLE, true);
	add(B_METHOD, true, "POST");
	add(B_URI, true, "/upload.php");
	add(B_HEADER, true, "X-Evil: 1\r\n");
	cr_assert_eq(step(), 3);
	cr_assert_eq(tx.ids[0], 2);
	cr_assert_eq(tx.ids[1], 1);
	cr_assert_eq(tx.ids[2], 3);
}

Test(matcher_tx, a_single_buffer_rule_fires_when_its_buffer_is_fresh_only)
{
	load_as(RULES_SINGLE, true);
	add(B_URI, false, "/upload.php");
	add(B_HEADER, true, "X-Evil: 1\r\n");
	cr_assert_eq(step(), 1); /* the header rule; the uri is held */
	cr_assert_eq(tx.ids[0], 2);
	add(B_URI, true, "/upload.php");
	cr_assert_eq(step(), 1);
	cr_assert_eq(tx.ids[0], 3);
}

Test(matcher_tx, a_negated_single_buffer_rule_skips_an_empty_buffer)
{
	load_as("  - {id: 5, msg: t, patterns: [{content: evil, not: true, buffer: http.uri}]}\n",
		true);
	add(B_URI, true, "");
	cr_assert_eq(step(), 0);
	add(B_URI, true, "/index.html");
	cr_assert_eq(step(), 1);
	add(B_URI, true, "/evil.html");
	cr_assert_eq(step(), 0);
}

Test(matcher_tx, single_buffer_rules_are_refused_by_matcher_compile_tx)
{
	const struct ids_rule *pub;
	char err[256];
	const char *text = "rules:\n  - {id: 1, msg: t, patterns: [{content: a, buffer: "
			   "http.uri}]}\n";

	cr_assert_eq(ruleset_load_buffer(&tx.rs, "r.yaml", text, strlen(text), "http", &tx.d), 0);
	pub = &tx.rs.rules[0]->pub;
	cr_assert_null(matcher_compile_tx(&pub, 1, names, B_COUNT, err, sizeof(err)));
	cr_assert(strstr(err, "not a multi-buffer rule"), "%s", err);
}
