/*
 * rule_regex.h - the PCRE2 regexes of rules (`pcre`, `regex`): compiled
 * once at load, shared by every rule and matcher that uses the same
 * expression with the same options, JIT-compiled on first use (see
 * rule_regex.c).
 */
#ifndef SENSOR_RULE_REGEX_H
#define SENSOR_RULE_REGEX_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rule_regex;

/*
 * Compile `expr` (len bytes, or PCRE2_ZERO_TERMINATED) with PCRE2 options
 * `opts`, without JIT. Returns the regex with one reference, or NULL with
 * PCRE2's error code and offset in *errcode / *erroff (*errcode is 0 when
 * out of memory). Main thread.
 */
struct rule_regex *rule_regex_new(const char *expr, size_t len, uint32_t opts, int *errcode,
				  size_t *erroff);
/* One more reference (returns re); any thread that owns a reference. */
struct rule_regex *rule_regex_ref(struct rule_regex *re);
/* Drop a reference; the last one frees the regex. NULL is fine. */
void rule_regex_unref(struct rule_regex *re);
/* Was re compiled from expr (len bytes, or PCRE2_ZERO_TERMINATED) with opts? */
bool rule_regex_is(const struct rule_regex *re, const char *expr, size_t len, uint32_t opts);

/*
 * The code to match with: the JIT-compiled copy, made by the first caller
 * (any worker thread; several racing callers each make one and one copy
 * wins, the others are freed unpublished). Falls back to the interpreted
 * code when JIT is not available or memory runs out; never NULL, never
 * fails. Lock-free; after the first use, one atomic load.
 */
const pcre2_code *rule_regex_code(struct rule_regex *re);
/* Has rule_regex_code made the JIT copy yet? (tests, stats) */
bool rule_regex_jitted(const struct rule_regex *re);

/*
 * A ruleset's table of regexes, so that identical expressions (same bytes,
 * same options) are compiled once: ET Open's 4,508 pcre are 1,644
 * distinct expressions. Main thread only; the table holds one reference
 * to each regex.
 */
struct rule_regex_table {
	struct rule_regex **slots;
	size_t cap, n;
};

/* The regex for (expr, len, opts) with a new reference for the caller:
 * the table's, or compiled and added. NULL as rule_regex_new (a regex
 * that does not compile is not remembered). */
struct rule_regex *rule_regex_table_get(struct rule_regex_table *t, const char *expr, size_t len,
					uint32_t opts, int *errcode, size_t *erroff);
void rule_regex_table_free(struct rule_regex_table *t);

#endif
