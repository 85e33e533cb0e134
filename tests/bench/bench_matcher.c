/*
 * bench_matcher.c - how much the matcher layer costs on top of Hyperscan.
 *
 * Builds 1,000 literal rules (a few of them hit now and then) plus a few
 * regex and pcre rules, generates about 100 MB of HTTP-like packet payloads
 * (300-1460 bytes each, fixed seed so runs compare), then times:
 *   raw      hs_scan over every payload with a database of the same
 *            expressions and a callback that only counts;
 *   matcher  matcher_scan over the same payloads with a real packet header
 *            and a callback that counts alerts.
 * Each is run several times and the best rate is printed in Gbit/s of
 * payload. Usage: bench_matcher [megabytes] [rounds]. Single-threaded.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <hs.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "detect/matcher.h"
#include "detect/rules.h"

#define N_LITERALS 1000

/* Expressions besides the literals: regex patterns and pcres. */
static const char *const regexes[] = {
	"User-Agent: [a-z]+bot/[0-9]{2}\\.[0-9]",
	"/etc/(passwd|shadow)",
	"cmd=[a-z]{2,8}%20",
	"\\.\\./\\.\\./",
	"select\\s+.{1,40}\\s+from",
};
static const char *const pcres[] = {
	"^POST /upload/[a-z0-9]+\\.php",
	"(sess[0-9])=\\1",
	"<script[^>]*>evil",
};
#define N_REGEX (sizeof(regexes) / sizeof(regexes[0]))
#define N_PCRE	(sizeof(pcres) / sizeof(pcres[0]))

/* ------------------------------------------------------------- rules */

static struct rule *rule_new(uint32_t id)
{
	struct rule *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->pub = (struct ids_rule){.id = id,
				   .rev = 1,
				   .gid = 1,
				   .msg = "bench",
				   .file = "bench",
				   .line = (int)id,
				   .priv = r};
	r->proto = RULE_PROTO_TCP;
	r->src.any = r->dst.any = r->sport.any = true;
	r->dport.any = true;
	r->patterns = calloc(1, sizeof(*r->patterns));
	if (!r->patterns)
		abort();
	return r;
}

static void rule_pattern(struct rule *r, enum pattern_kind kind, const char *s, bool nocase)
{
	struct rule_pattern *p = &r->patterns[r->n_patterns++];

	p->kind = kind;
	p->bytes = (uint8_t *)strdup(s);
	p->len = strlen(s);
	p->nocase = nocase;
	p->line = r->pub.line;
	p->col = 1;
}

static size_t make_rules(struct rule **rules)
{
	size_t n = 0;
	char s[64];

	for (unsigned i = 0; i < N_LITERALS; i++) {
		rules[n] = rule_new(1000000 + i);
		bench_literal(s, sizeof(s), i);
		rule_pattern(rules[n++], PAT_CONTENT, s, i % 4 == 0);
	}
	for (unsigned i = 0; i < N_REGEX; i++) {
		rules[n] = rule_new(2000000 + i);
		rule_pattern(rules[n++], PAT_REGEX, regexes[i], false);
	}
	for (unsigned i = 0; i < N_PCRE; i++) {
		rules[n] = rule_new(3000000 + i);
		rules[n]->pcre = strdup(pcres[i]);
		rules[n++]->pcre_options = PCRE2_CASELESS;
	}
	return n;
}

static void free_rules(struct rule **rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < rules[i]->n_patterns; j++)
			free(rules[i]->patterns[j].bytes);
		free(rules[i]->patterns);
		free(rules[i]->pcre);
		free(rules[i]);
	}
}

/* The same expressions as one plain Hyperscan database. */
static hs_database_t *raw_db(void)
{
	static const char *exprs[N_LITERALS + N_REGEX + N_PCRE];
	static unsigned flags[N_LITERALS + N_REGEX + N_PCRE], ids[N_LITERALS + N_REGEX + N_PCRE];
	static char lit[N_LITERALS][64 * 4 + 1];
	hs_database_t *db = NULL;
	hs_compile_error_t *cerr = NULL;
	size_t n = 0;
	char s[64];

	for (unsigned i = 0; i < N_LITERALS; i++) {
		bench_literal(s, sizeof(s), i);
		for (size_t j = 0; s[j]; j++)
			snprintf(lit[i] + j * 4, 5, "\\x%02x", (unsigned char)s[j]);
		flags[n] = HS_FLAG_SINGLEMATCH | (i % 4 == 0 ? HS_FLAG_CASELESS : 0);
		exprs[n++] = lit[i];
	}
	for (unsigned i = 0; i < N_REGEX; i++) {
		flags[n] = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
		exprs[n++] = regexes[i];
	}
	for (unsigned i = 0; i < N_PCRE; i++) {
		flags[n] = HS_FLAG_SINGLEMATCH | HS_FLAG_PREFILTER | HS_FLAG_CASELESS;
		exprs[n++] = pcres[i];
	}
	for (unsigned i = 0; i < n; i++)
		ids[i] = i;
	if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &cerr)) {
		fprintf(stderr, "raw database: %s\n", cerr->message);
		hs_free_compile_error(cerr);
		return NULL;
	}
	return db;
}

/* --------------------------------------------------------------- timing */

static int count_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
		    void *ctx)
{
	(*(unsigned long long *)ctx)++;
	return 0;
}

static double time_raw(hs_database_t *db, hs_scratch_t *s, const struct bench_corpus *c,
		       unsigned long long *hits)
{
	double t0 = bench_now_sec();

	*hits = 0;
	for (size_t i = 0; i < c->n; i++)
		hs_scan(db, (const char *)c->data + c->off[i], (unsigned)c->len[i], 0, s, count_hs,
			hits);
	return bench_now_sec() - t0;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
	unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 3;
	struct rule *rules[N_LITERALS + N_REGEX + N_PCRE];
	const struct ids_rule *pubs[N_LITERALS + N_REGEX + N_PCRE];
	struct bench_corpus c = {0};
	struct ids_packet pkt = bench_packet();
	hs_database_t *db;
	hs_scratch_t *scratch = NULL;
	struct ids_matcher *m;
	struct matcher_thread *mt;
	char err[512];
	double best_raw = 1e30, best_m = 1e30;
	unsigned long long hits = 0, alerts = 0;
	size_t n = make_rules(rules);

	for (size_t i = 0; i < n; i++)
		pubs[i] = &rules[i]->pub;
	m = matcher_compile(pubs, n, err, sizeof(err));
	db = raw_db();
	if (!m || !db || hs_alloc_scratch(db, &scratch) != HS_SUCCESS ||
	    bench_make_corpus(&c, mb) < 0) {
		fprintf(stderr, "set-up failed: %s\n", m ? "" : err);
		return 1;
	}
	mt = matcher_thread_new();
	if (!mt)
		return 1;
	printf("rules %zu (%d literals, %zu regexes, %zu pcres), hyperscan patterns %zu\n",
	       matcher_rule_count(m), N_LITERALS, N_REGEX, N_PCRE, matcher_pattern_count(m));
	printf("payloads %zu, %.1f MB, 300-1460 bytes each, best of %u rounds\n", c.n,
	       (double)c.bytes / (1 << 20), rounds);
	for (unsigned r = 0; r < rounds; r++) {
		double t = time_raw(db, scratch, &c, &hits);

		best_raw = t < best_raw ? t : best_raw;
		t = bench_time_packets(mt, m, &pkt, &c, &alerts);
		best_m = t < best_m ? t : best_m;
	}
	printf("raw hs_scan     %7.2f Gbit/s  (%llu pattern matches)\n",
	       bench_gbps(c.bytes, best_raw), hits);
	printf("matcher_scan    %7.2f Gbit/s  (%llu rules reported)\n", bench_gbps(c.bytes, best_m),
	       alerts);
	printf("matcher / raw   %7.1f %%\n", 100.0 * best_raw / best_m);
	matcher_thread_free(mt);
	matcher_free(m);
	hs_free_scratch(scratch);
	hs_free_database(db);
	free_rules(rules, n);
	bench_free_corpus(&c);
	return 0;
}
