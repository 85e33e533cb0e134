/*
 * matcher_prefilter.h - which content of a rule is its prefilter, and
 * which contents are so common across a rule set that they make poor
 * Hyperscan patterns (see matcher_prefilter.c). Main thread, at compile.
 */
#ifndef SENSOR_MATCHER_PREFILTER_H
#define SENSOR_MATCHER_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "detect/rules.h"
#include "ids/plugin.h"

/* A content shared by more rules than this is "common". */
#define PREFILTER_COMMON 16

struct prefilter_pop;

/* How many rules of `rules` use each distinct content (bytes and nocase).
 * NULL when out of memory (every content then counts as used once). */
struct prefilter_pop *prefilter_pop_new(const struct ids_rule *const *rules, size_t n);
void prefilter_pop_free(struct prefilter_pop *pop);
/* Rules using content `p` (at least 1). */
unsigned prefilter_pop_count(const struct prefilter_pop *pop, const struct rule_pattern *p);

/* The prefilter of a program rule: its fast_pattern content, else its
 * longest content that is not common (else the rarest common one), the
 * first among equals; never a negated one. NULL when it has none. */
const struct rule_pattern *prefilter_pick(const struct rule *r, const struct prefilter_pop *pop);

/* A v1 rule worth running as a program in block mode: it has a common
 * content and another content that is not (the rare one becomes its only
 * Hyperscan pattern, instead of the common one firing for every rule that
 * shares it). */
bool prefilter_wants_prog(const struct rule *r, const struct prefilter_pop *pop);

#endif
