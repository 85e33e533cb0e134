/*
 * matcher_prefilter.c - choosing each rule's prefilter pattern.
 *
 * Design. A program rule (matcher_verify.c) gives Hyperscan one literal:
 * its fast_pattern, else its longest content that is not common, where
 * common means used by more than PREFILTER_COMMON rules of the same compile
 * with the same bytes and case rule (the cheap stand-in for a traffic
 * profile: a content shared by many rules, such as "GET " or "\r\n", is in
 * most packets too); when every content is common, the rarest. The
 * counts come from one pass over the rules into an open-addressing table
 * keyed by a hash of (bytes, nocase), with collisions resolved by
 * comparing the bytes.
 *
 * v1 rules stay on their exact all-patterns path unless they hold a common
 * content (shared by more than PREFILTER_COMMON rules) beside a rarer one:
 * then they become program rules too, so that the common content is not a
 * Hyperscan pattern that touches every rule sharing it on every packet.
 *
 * Patterns after a base64_decode look at the decoded bytes, which
 * Hyperscan never sees: they are never the prefilter.
 *
 * Threads: main thread, during a compile; the table lives for that compile.
 */
#include "detect/matcher_prefilter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pop_slot {
	const struct rule_pattern *p; /* first pattern seen with these bytes */
	unsigned count;
};

struct prefilter_pop {
	struct pop_slot *slots;
	size_t cap; /* power of two, at least twice the contents */
};

static bool is_content(const struct rule_pattern *p)
{
	return p->kind == PAT_CONTENT && !p->negated && p->len;
}

static uint64_t content_hash(const struct rule_pattern *p)
{
	uint64_t h = 1469598103934665603ULL ^ p->nocase;

	for (size_t i = 0; i < p->len; i++) {
		uint8_t c = p->nocase && p->bytes[i] >= 'A' && p->bytes[i] <= 'Z'
				    ? (uint8_t)(p->bytes[i] | 0x20)
				    : p->bytes[i];

		h = (h ^ c) * 1099511628211ULL;
	}
	return h;
}

static bool content_same(const struct rule_pattern *a, const struct rule_pattern *b)
{
	if (a->len != b->len || a->nocase != b->nocase)
		return false;
	if (!a->nocase)
		return memcmp(a->bytes, b->bytes, a->len) == 0;
	return strncasecmp((const char *)a->bytes, (const char *)b->bytes, a->len) == 0 &&
	       memchr(a->bytes, 0, a->len) == NULL && memchr(b->bytes, 0, b->len) == NULL;
}

static struct pop_slot *pop_find(const struct prefilter_pop *pop, const struct rule_pattern *p)
{
	size_t h = (size_t)content_hash(p) & (pop->cap - 1);

	while (pop->slots[h].p && !content_same(pop->slots[h].p, p))
		h = (h + 1) & (pop->cap - 1);
	return &pop->slots[h];
}

/* Count each distinct content once per rule. */
static void pop_add_rule(struct prefilter_pop *pop, const struct rule *r)
{
	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *p = &r->patterns[i];
		struct pop_slot *s;
		bool seen = false;

		if (!is_content(p))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = is_content(&r->patterns[j]) && content_same(&r->patterns[j], p);
		if (seen)
			continue;
		s = pop_find(pop, p);
		if (!s->p)
			s->p = p;
		s->count++;
	}
}

struct prefilter_pop *prefilter_pop_new(const struct ids_rule *const *rules, size_t n)
{
	struct prefilter_pop *pop = calloc(1, sizeof(*pop));
	size_t total = 0;

	if (!pop)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = rule_from_pub(rules[i]);

		total += r ? r->n_patterns : 0;
	}
	pop->cap = 64;
	while (pop->cap < total * 2)
		pop->cap *= 2;
	pop->slots = calloc(pop->cap, sizeof(*pop->slots));
	if (!pop->slots) {
		free(pop);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (rule_from_pub(rules[i]))
			pop_add_rule(pop, rule_from_pub(rules[i]));
	return pop;
}

void prefilter_pop_free(struct prefilter_pop *pop)
{
	if (!pop)
		return;
	free(pop->slots);
	free(pop);
}

unsigned prefilter_pop_count(const struct prefilter_pop *pop, const struct rule_pattern *p)
{
	const struct pop_slot *s;

	if (!pop || !is_content(p))
		return 1;
	s = pop_find(pop, p);
	return s->p && s->count ? s->count : 1;
}

/* True when a is a better prefilter than b (b may be NULL): a content
 * that is not common beats a common one; among contents that are not
 * common the longest wins (then the rarer); among common ones the rarer
 * (then the longer). */
static bool better(const struct rule_pattern *a, const struct rule_pattern *b,
		   const struct prefilter_pop *pop)
{
	unsigned ca, cb;
	bool common_a, common_b;

	if (!b)
		return true;
	ca = prefilter_pop_count(pop, a);
	cb = prefilter_pop_count(pop, b);
	common_a = ca > PREFILTER_COMMON;
	common_b = cb > PREFILTER_COMMON;
	if (common_a != common_b)
		return common_b;
	if (!common_a && a->len != b->len)
		return a->len > b->len;
	if (ca != cb)
		return ca < cb;
	return a->len > b->len;
}

const struct rule_pattern *prefilter_pick(const struct rule *r, const struct prefilter_pop *pop)
{
	const struct rule_pattern *best = NULL;

	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *p = &r->patterns[i];

		if (p->kind == PAT_BASE64)
			break; /* what follows looks at decoded bytes */
		if (!is_content(p))
			continue;
		if (p->fast_pattern)
			return p;
		if (better(p, best, pop))
			best = p;
	}
	return best;
}

bool prefilter_wants_prog(const struct rule *r, const struct prefilter_pop *pop)
{
	bool common = false, rare = false;

	if (!pop || r->n_patterns < 2)
		return false;
	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *p = &r->patterns[i];

		if (!is_content(p))
			continue;
		if (prefilter_pop_count(pop, p) > PREFILTER_COMMON)
			common = true;
		else
			rare = true;
	}
	return common && rare;
}
