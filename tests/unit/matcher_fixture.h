/*
 * matcher_fixture.h - hand-built rules and hit collection shared by the
 * matcher's unit tests (test_matcher.c, test_matcher_stream.c). Everything a
 * test builds lives in `fx` and is freed by fix_fini, the suites' .fini,
 * even when an assert fails. With fx.stream set (the stream suite's .init),
 * compile_from makes stream matchers.
 */
#ifndef TEST_MATCHER_FIXTURE_H
#define TEST_MATCHER_FIXTURE_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/matcher.h"
#include "detect/rules.h"

#define MAX_RULES 1100
#define MAX_HITS  2000

/* Everything a test builds, freed by fix_fini even when an assert fails. */
static struct {
	struct rule *rules[MAX_RULES];
	size_t n;
	struct ids_matcher *m[4];
	struct matcher_thread *mt;
	char err[512];
	bool stream; /* compile_from makes stream matchers */
} fx;

struct hits {
	uint32_t ids[MAX_HITS];
	unsigned n;
	unsigned stop_after; /* 0: never stop */
};

static inline void fix_fini(void)
{
	matcher_thread_free(fx.mt);
	for (size_t i = 0; i < 4; i++)
		matcher_free(fx.m[i]);
	for (size_t i = 0; i < fx.n; i++) {
		struct rule *r = fx.rules[i];

		for (size_t j = 0; j < r->n_patterns; j++)
			free(r->patterns[j].bytes);
		free(r->patterns);
		free(r->pcre);
		addr_set_free(&r->src);
		addr_set_free(&r->dst);
		port_set_free(&r->sport);
		port_set_free(&r->dport);
		free(r);
	}
	memset(&fx, 0, sizeof(fx));
}

/* ------------------------------------------------------------- helpers */

static inline struct rule *rule_new(uint32_t id)
{
	struct rule *r = calloc(1, sizeof(*r));

	cr_assert(r && fx.n < MAX_RULES);
	r->pub.id = id;
	r->pub.rev = 1;
	r->pub.gid = 1;
	r->pub.msg = "test rule";
	r->pub.file = "rules.yaml";
	r->pub.line = (int)id;
	r->pub.priv = r;
	r->src.any = r->dst.any = true;
	r->sport.any = r->dport.any = true;
	r->patterns = calloc(RULE_MAX_PATTERNS, sizeof(*r->patterns));
	cr_assert(r->patterns);
	fx.rules[fx.n++] = r;
	return r;
}

static inline struct rule_pattern *pat_add(struct rule *r, enum pattern_kind kind,
					   const void *bytes, size_t len)
{
	struct rule_pattern *p = &r->patterns[r->n_patterns++];

	p->kind = kind;
	p->bytes = malloc(len + 1);
	cr_assert(p->bytes);
	memcpy(p->bytes, bytes, len);
	p->bytes[len] = '\0';
	p->len = len;
	p->line = r->pub.line + 1;
	p->col = 18;
	return p;
}

static inline struct rule_pattern *content(struct rule *r, const char *s)
{
	return pat_add(r, PAT_CONTENT, s, strlen(s));
}

static inline struct rule_pattern *regex(struct rule *r, const char *s)
{
	return pat_add(r, PAT_REGEX, s, strlen(s));
}

static inline void bounds(struct rule_pattern *p, int offset, int depth)
{
	p->has_offset = offset >= 0;
	p->offset = offset >= 0 ? (uint32_t)offset : 0;
	p->has_depth = depth >= 0;
	p->depth = depth >= 0 ? (uint32_t)depth : 0;
}

static inline void set_pcre(struct rule *r, const char *expr, uint32_t opts)
{
	r->pcre = strdup(expr);
	cr_assert(r->pcre);
	r->pcre_options = opts;
	r->pcre_line = r->pub.line + 2;
	r->pcre_col = 10;
}

/* Compile rules [from, fx.n) into slot `slot`; asserts success. */
static inline struct ids_matcher *compile_from(size_t from, int slot)
{
	const struct ids_rule *pubs[MAX_RULES];

	for (size_t i = from; i < fx.n; i++)
		pubs[i - from] = &fx.rules[i]->pub;
	fx.m[slot] = (fx.stream ? matcher_compile_stream : matcher_compile)(pubs, fx.n - from,
									    fx.err, sizeof(fx.err));
	cr_assert_not_null(fx.m[slot], "compile failed: %s", fx.err);
	return fx.m[slot];
}

/* Compile every rule and make the thread scratch. */
static inline struct ids_matcher *compile_all(void)
{
	struct ids_matcher *m = compile_from(0, 0);

	fx.mt = matcher_thread_new();
	cr_assert_not_null(fx.mt);
	return m;
}

/* Compile the rules expecting failure; returns the error text. */
static inline const char *compile_error(void)
{
	const struct ids_rule *pubs[MAX_RULES];

	for (size_t i = 0; i < fx.n; i++)
		pubs[i] = &fx.rules[i]->pub;
	cr_assert_null((fx.stream ? matcher_compile_stream : matcher_compile)(pubs, fx.n, fx.err,
									      sizeof(fx.err)));
	return fx.err;
}

static inline struct ids_packet packet(void)
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

static inline int collect(const struct ids_rule *r, void *ctx)
{
	struct hits *h = ctx;

	cr_assert(h->n < MAX_HITS);
	h->ids[h->n++] = r->id;
	return h->stop_after && h->n >= h->stop_after;
}

static inline unsigned scan_pkt(const struct ids_matcher *m, const struct ids_packet *p,
				const void *buf, size_t len, struct hits *h)
{
	unsigned n;

	memset(h, 0, sizeof(*h));
	n = matcher_scan(fx.mt, m, p, buf, len, collect, h);
	cr_assert_eq(n, h->n, "return value %u but %u callbacks", n, h->n);
	return n;
}

/* Number of rules reported on `s` with the default packet. */
static inline unsigned hits_on(const struct ids_matcher *m, const char *s)
{
	struct ids_packet p = packet();
	struct hits h;

	return scan_pkt(m, &p, s, strlen(s), &h);
}

#endif
