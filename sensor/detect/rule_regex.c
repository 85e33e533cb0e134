/*
 * rule_regex.c - rules' PCRE2 regexes: compiled once, shared, JIT-compiled
 * on first use (see rule_regex.h).
 *
 * Why: at start-up with ET Open (4,508 `pcre`, 1,644 distinct) each regex
 * used to be compiled three times or more (the loader's check, then once
 * per matcher that verifies its rule, each with JIT), and the JIT was the
 * largest single cost of a start-up from the Hyperscan cache, for regexes
 * most of which never run on a given network.
 *
 * Design. The loader compiles each regex once, without JIT, when it checks
 * it (so a bad regex is still reported at load, at its file:line, and a
 * rule that loaded can never fail to compile later); the ruleset's table
 * hands the same compiled regex to every rule with the same expression and
 * options (reference counted), and the matchers take a reference instead
 * of compiling again. Matching always goes through rule_regex_code(): the
 * first call JIT-compiles a private copy of the code (pcre2_code_copy,
 * then pcre2_jit_compile) and publishes it with a compare-and-swap; a
 * thread that loses the race frees its own unpublished copy and uses the
 * winner's. So every match runs on JIT code exactly as when the JIT was
 * done at load (same results), except where JIT is not available (the
 * interpreter, as before).
 *
 * Threads and invariants. `code` is written once by rule_regex_new (main
 * thread) and only read afterwards (pcre2_code_copy and pcre2_match read
 * it; nothing JIT-compiles it in place, which would race with readers).
 * `jit` goes from NULL to a fully built copy exactly once: the copy is
 * built by one thread before the release CAS that publishes it, readers
 * load it with acquire, so they see it whole; it is never changed again
 * until the last reference is dropped. References are taken and dropped
 * on the main thread at load, compile and free (atomic anyway); the last
 * one is dropped after the workers that matched with the regex stopped.
 * The packet path takes no lock: after the first use, one atomic load.
 * The table is main-thread only.
 */
#include "detect/rule_regex.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct rule_regex {
	pcre2_code *code;	   /* compiled without JIT; read-only */
	_Atomic(pcre2_code *) jit; /* code's JIT-compiled copy, or NULL */
	atomic_uint refs;
	uint32_t opts;
	uint64_t hash;
	size_t len;
	char expr[]; /* len bytes and a NUL */
};

static uint64_t regex_hash(const char *expr, size_t len, uint32_t opts)
{
	uint64_t h = 1469598103934665603ULL ^ opts;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)expr[i]) * 1099511628211ULL;
	return h ? h : 1;
}

struct rule_regex *rule_regex_new(const char *expr, size_t len, uint32_t opts, int *errcode,
				  size_t *erroff)
{
	struct rule_regex *re;
	PCRE2_SIZE off = 0;

	if (len == PCRE2_ZERO_TERMINATED)
		len = strlen(expr);
	*errcode = 0;
	*erroff = 0;
	re = calloc(1, sizeof(*re) + len + 1);
	if (!re)
		return NULL;
	re->code = pcre2_compile((PCRE2_SPTR)expr, len, opts, errcode, &off, NULL);
	if (!re->code) {
		*erroff = (size_t)off;
		free(re);
		return NULL;
	}
	memcpy(re->expr, expr, len);
	re->len = len;
	re->opts = opts;
	re->hash = regex_hash(expr, len, opts);
	atomic_init(&re->jit, NULL);
	atomic_init(&re->refs, 1);
	return re;
}

struct rule_regex *rule_regex_ref(struct rule_regex *re)
{
	atomic_fetch_add_explicit(&re->refs, 1, memory_order_relaxed);
	return re;
}

void rule_regex_unref(struct rule_regex *re)
{
	if (!re || atomic_fetch_sub_explicit(&re->refs, 1, memory_order_acq_rel) != 1)
		return;
	pcre2_code_free(atomic_load_explicit(&re->jit, memory_order_acquire));
	pcre2_code_free(re->code);
	free(re);
}

bool rule_regex_is(const struct rule_regex *re, const char *expr, size_t len, uint32_t opts)
{
	if (len == PCRE2_ZERO_TERMINATED)
		len = strlen(expr);
	return re->opts == opts && re->len == len && memcmp(re->expr, expr, len) == 0;
}

/* The slow path of the first use: build a JIT copy and publish it, or take
 * the one another thread published first. */
static const pcre2_code *regex_jit(struct rule_regex *re)
{
	pcre2_code *copy = pcre2_code_copy(re->code);
	pcre2_code *expected = NULL;

	if (!copy)
		return re->code; /* out of memory: the interpreter, tried again later */
	pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE); /* stays interpreted when JIT fails */
	if (atomic_compare_exchange_strong_explicit(&re->jit, &expected, copy, memory_order_acq_rel,
						    memory_order_acquire))
		return copy;
	pcre2_code_free(copy); /* lost the race: never published */
	return expected;
}

const pcre2_code *rule_regex_code(struct rule_regex *re)
{
	const pcre2_code *jit = atomic_load_explicit(&re->jit, memory_order_acquire);

	return jit ? jit : regex_jit(re);
}

bool rule_regex_jitted(const struct rule_regex *re)
{
	return atomic_load_explicit(&((struct rule_regex *)re)->jit, memory_order_acquire) != NULL;
}

/* ---------------------------------------------------------------- table */

static int table_grow(struct rule_regex_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256;
	struct rule_regex **slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		struct rule_regex *re = t->slots[i];
		size_t j;

		if (!re)
			continue;
		for (j = re->hash & (cap - 1); slots[j]; j = (j + 1) & (cap - 1))
			;
		slots[j] = re;
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

struct rule_regex *rule_regex_table_get(struct rule_regex_table *t, const char *expr, size_t len,
					uint32_t opts, int *errcode, size_t *erroff)
{
	struct rule_regex *re;
	uint64_t h;
	size_t j;

	if (len == PCRE2_ZERO_TERMINATED)
		len = strlen(expr);
	if ((t->n + 1) * 2 > t->cap && table_grow(t) < 0)
		return rule_regex_new(expr, len, opts, errcode, erroff); /* unshared */
	h = regex_hash(expr, len, opts);
	for (j = h & (t->cap - 1); (re = t->slots[j]); j = (j + 1) & (t->cap - 1))
		if (re->hash == h && rule_regex_is(re, expr, len, opts))
			return rule_regex_ref(re);
	re = rule_regex_new(expr, len, opts, errcode, erroff);
	if (!re)
		return NULL;
	t->slots[j] = rule_regex_ref(re);
	t->n++;
	return re;
}

void rule_regex_table_free(struct rule_regex_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		rule_regex_unref(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
