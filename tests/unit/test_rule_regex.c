/*
 * test_rule_regex.c - rules' regexes compiled once at load, shared, and
 * JIT-compiled on first use (sensor/detect/rule_regex.c): the table
 * dedupes, nothing is JIT-compiled before a match, the lazy code matches
 * exactly what an eagerly JIT-compiled code matches, racing threads agree
 * on one published copy, the loader shares one regex between rules, and a
 * bad regex is still refused at load (not at the first match).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "detect/matcher.h"
#include "detect/rule_regex.h"
#include "detect/rules.h"

static struct rule_regex *regex(const char *expr, uint32_t opts)
{
	int code;
	size_t off;
	struct rule_regex *re = rule_regex_new(expr, PCRE2_ZERO_TERMINATED, opts, &code, &off);

	cr_assert_not_null(re, "%s does not compile (%d at %zu)", expr, code, off);
	return re;
}

/* ovector[0..1] of matching `code` on s, or -1 / -1 */
static void match(const pcre2_code *code, const char *s, size_t start, long out[2])
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), start, 0, md, NULL);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

	out[0] = rc >= 0 ? (long)ov[0] : -1;
	out[1] = rc >= 0 ? (long)ov[1] : -1;
	pcre2_match_data_free(md);
}

Test(rule_regex, table_compiles_each_expression_once)
{
	struct rule_regex_table t = {0};
	int code;
	size_t off;
	struct rule_regex *a =
		rule_regex_table_get(&t, "ab+c", PCRE2_ZERO_TERMINATED, 0, &code, &off);
	struct rule_regex *b = rule_regex_table_get(&t, "ab+cd", 4, 0, &code, &off);
	struct rule_regex *c = rule_regex_table_get(&t, "ab+c", PCRE2_ZERO_TERMINATED,
						    PCRE2_CASELESS, &code, &off);

	cr_assert_not_null(a);
	cr_assert_eq(a, b, "same bytes, same options: one regex");
	cr_assert_neq(a, c, "other options: another regex");
	cr_assert_eq(t.n, 2);
	cr_assert_null(rule_regex_table_get(&t, "(ab", PCRE2_ZERO_TERMINATED, 0, &code, &off));
	cr_assert_neq(code, 0);
	cr_assert_eq(off, 3);
	cr_assert_eq(t.n, 2, "a regex that does not compile is not kept");
	for (int i = 0; i < 2000; i++) { /* grows; every entry still found */
		char e[32];

		snprintf(e, sizeof(e), "x%dy", i);
		rule_regex_unref(
			rule_regex_table_get(&t, e, PCRE2_ZERO_TERMINATED, 0, &code, &off));
	}
	cr_assert_eq(t.n, 2002);
	b = rule_regex_table_get(&t, "ab+c", PCRE2_ZERO_TERMINATED, 0, &code, &off);
	cr_assert_eq(a, b);
	rule_regex_unref(a);
	rule_regex_unref(b);
	rule_regex_unref(b); /* the first lookup's */
	rule_regex_unref(c);
	rule_regex_table_free(&t); /* drops the last references */
}

Test(rule_regex, jit_happens_at_first_use_only)
{
	struct rule_regex *re = regex("a.c", 0);
	const pcre2_code *first, *again;
	uint32_t jit_ok = 0;
	size_t jit_size = 0;

	cr_assert_not(rule_regex_jitted(re));
	first = rule_regex_code(re);
	again = rule_regex_code(re);
	cr_assert(rule_regex_jitted(re));
	cr_assert_eq(first, again, "published once");
	pcre2_config(PCRE2_CONFIG_JIT, &jit_ok);
	pcre2_pattern_info(first, PCRE2_INFO_JITSIZE, &jit_size);
	if (jit_ok)
		cr_assert_gt(jit_size, 0, "the code matched with is JIT-compiled");
	rule_regex_unref(re);
}

Test(rule_regex, lazy_code_matches_what_eager_jit_matches)
{
	static const struct {
		const char *expr;
		uint32_t opts;
	} exprs[] = {
		{"^GET /[a-z]{3,}\\.php\\?id=\\d+", 0},
		{"user-agent: [^\\r\\n]*curl", PCRE2_CASELESS},
		{"(a|ab)(c|bcd)(d*)", 0},
		{"^\\s*$", PCRE2_MULTILINE},
		{"x.y", PCRE2_DOTALL},
		{"(?<=ab)c", 0},
		{"(\\w+)\\s\\1", 0},
		{"a+?b", PCRE2_UNGREEDY},
	};
	static const char *const subjects[] = {
		"GET /abc.php?id=42 HTTP/1.1",
		"GET /ab.php?id=4",
		"User-Agent: my CURL/8",
		"abcd",
		"abcdd",
		"line\n   \nx",
		"x\ny",
		"xy",
		"abc abc",
		"hello world world",
		"aaab",
		"",
	};

	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		struct rule_regex *re = regex(exprs[i].expr, exprs[i].opts);
		int code;
		PCRE2_SIZE off;
		pcre2_code *eager = pcre2_compile((PCRE2_SPTR)exprs[i].expr, PCRE2_ZERO_TERMINATED,
						  exprs[i].opts, &code, &off, NULL);

		cr_assert_not_null(eager);
		pcre2_jit_compile(eager, PCRE2_JIT_COMPLETE);
		for (size_t j = 0; j < sizeof(subjects) / sizeof(subjects[0]); j++) {
			for (size_t at = 0; at <= strlen(subjects[j]) && at < 4; at++) {
				long want[2], got[2];

				match(eager, subjects[j], at, want);
				match(rule_regex_code(re), subjects[j], at, got);
				cr_assert(want[0] == got[0] && want[1] == got[1],
					  "%s on '%s' from %zu: eager [%ld,%ld), lazy [%ld,%ld)",
					  exprs[i].expr, subjects[j], at, want[0], want[1], got[0],
					  got[1]);
			}
		}
		pcre2_code_free(eager);
		rule_regex_unref(re);
	}
}

#define RACERS 8

struct race {
	struct rule_regex *re;
	pthread_barrier_t *go;
	const pcre2_code *got;
	long m[2];
};

static void *racer(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->go);
	r->got = rule_regex_code(r->re);
	match(r->got, "xx needle yy", 0, r->m);
	return NULL;
}

/* Threads matching with a regex none of them compiled yet: all end up with
 * the one published copy (the losers' copies are freed: ASan would see a
 * leak or a double free), and every match is right meanwhile. */
Test(rule_regex, racing_first_uses_agree_on_one_copy)
{
	for (int round = 0; round < 20; round++) {
		struct rule_regex *re = regex("ne+dle", 0);
		pthread_barrier_t go;
		pthread_t th[RACERS];
		struct race r[RACERS];

		pthread_barrier_init(&go, NULL, RACERS);
		for (int i = 0; i < RACERS; i++) {
			r[i] = (struct race){.re = re, .go = &go};
			cr_assert_eq(pthread_create(&th[i], NULL, racer, &r[i]), 0);
		}
		for (int i = 0; i < RACERS; i++)
			pthread_join(th[i], NULL);
		for (int i = 0; i < RACERS; i++) {
			cr_assert_eq(r[i].got, rule_regex_code(re));
			cr_assert(r[i].m[0] == 3 && r[i].m[1] == 9);
		}
		pthread_barrier_destroy(&go);
		rule_regex_unref(re);
	}
}

/* ------------------------------------------------------------ the loader */

static struct {
	struct diag d;
	struct ruleset rs;
	FILE *mem;
	char *membuf;
	size_t memlen;
} lx;

static void setup(void)
{
	lx.mem = open_memstream(&lx.membuf, &lx.memlen);
	diag_init(&lx.d, lx.mem);
	ruleset_init(&lx.rs);
}

static void teardown(void)
{
	ruleset_free(&lx.rs);
	fclose(lx.mem);
	free(lx.membuf);
	memset(&lx, 0, sizeof(lx));
}

static unsigned load(const char *text)
{
	return ruleset_load_buffer(&lx.rs, "r.yaml", text, strlen(text), "signature", &lx.d);
}

static const char *out(void)
{
	fflush(lx.mem);
	return lx.membuf ? lx.membuf : "";
}

static int count(const struct ids_rule *r, void *ctx)
{
	(void)r;
	(*(unsigned *)ctx)++;
	return 0;
}

TestSuite(rule_regex_load, .init = setup, .fini = teardown);

/* Rules with the same regex share one compiled regex, not JIT-compiled by
 * the load nor by the matcher's compile; the first scan that needs it
 * JIT-compiles it, and the matches are right before and after. */
Test(rule_regex_load, rules_share_one_regex_jitted_at_first_match)
{
	const char *text =
		"rules:\n"
		"  - {id: 1, msg: a, pcre: '/ev[i1]l\\d+/i'}\n"
		"  - {id: 2, msg: b, pcre: '/ev[i1]l\\d+/i', patterns: [{content: X}]}\n"
		"  - {id: 3, msg: c, patterns: [{pcre: '/ev[i1]l\\d+/i'}, "
		"{content: Y}]}\n"
		"  - {id: 4, msg: d, patterns: [{regex: 'ev[i1]l\\d+', nocase: true}]}\n";
	const struct ids_rule *pubs[4];
	struct ids_packet p = {.proto = IPPROTO_TCP, .direction = IDS_DIR_TO_SERVER};
	struct ids_matcher *m;
	struct matcher_thread *mt;
	char err[256];
	unsigned n = 0;
	struct rule_regex *re;

	cr_assert_eq(load(text), 0, "%s", out());
	cr_assert_eq(lx.rs.n, 4);
	re = lx.rs.rules[0]->pcre_re;
	cr_assert_not_null(re);
	cr_assert_eq(lx.rs.rules[1]->pcre_re, re);
	cr_assert_eq(lx.rs.rules[2]->patterns[0].re, re);
	cr_assert_eq(lx.rs.rules[3]->patterns[0].re, re, "regex + nocase is the same pcre /i");
	cr_assert_eq(lx.rs.regexes.n, 1);
	for (size_t i = 0; i < 4; i++)
		pubs[i] = &lx.rs.rules[i]->pub;
	m = matcher_compile(pubs, 4, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	mt = matcher_thread_new();
	cr_assert_not_null(mt);
	cr_assert_not(rule_regex_jitted(re), "not JIT-compiled before a match");
	matcher_scan(mt, m, &p, (const uint8_t *)"nothing here", 12, count, &n);
	cr_assert_eq(n, 0);
	matcher_scan(mt, m, &p, (const uint8_t *)"X Y an EV1L42 one", 17, count, &n);
	cr_assert_eq(n, 4);
	cr_assert(rule_regex_jitted(re));
	n = 0;
	matcher_scan(mt, m, &p, (const uint8_t *)"X Y an EV1L42 one", 17, count, &n);
	cr_assert_eq(n, 4);
	n = 0;
	matcher_scan(mt, m, &p, (const uint8_t *)"X Y an EV1L one", 15, count, &n);
	cr_assert_eq(n, 0);
	matcher_thread_free(mt);
	matcher_free(m);
}

/* A regex PCRE2 refuses is reported by the load at its file:line:col and
 * its rule left out; the others load and their regexes work. */
Test(rule_regex_load, bad_regex_refused_at_load)
{
	const char *text = "rules:\n"
			   "  - {id: 1, msg: a, pcre: '/ok+/'}\n"
			   "  - {id: 2, msg: b, pcre: '/(bad/'}\n";

	cr_assert_eq(load(text), 1);
	cr_assert_str_eq(out(), "r.yaml:3:33: error: rule 2: bad regex: missing closing "
				"parenthesis at offset 4\n");
	cr_assert_eq(lx.rs.n, 1);
	cr_assert_eq(lx.rs.rules[0]->pub.id, 1);
	cr_assert_not_null(lx.rs.rules[0]->pcre_re);
}
