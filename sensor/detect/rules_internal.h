/*
 * rules_internal.h - what the two parts of the YAML rule loader share:
 * rules.c (files, variables, addresses and ports, rule-level fields) and
 * rules_pattern.c (a rule's `patterns:` and `pcre:`). Nothing else
 * includes it.
 */
#ifndef SENSOR_RULES_INTERNAL_H
#define SENSOR_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/rules.h"
#include "detect/rules_byteop.h"

struct diag;
struct ynode;

/* Rule ids already in the ruleset: open addressing, id 0 marks a free slot. */
struct rload {
	struct ruleset *rs;
	const char *default_detector;
	struct diag *d;
	const struct ynode *vars;      /* the vars map, or NULL */
	const struct ynode **reported; /* var elements already reported */
	size_t n_reported;
};

/* One rule being parsed. */
struct rparse {
	struct rload *ld;
	struct rule *r;
	bool has_id;
	struct byteop_vars vars; /* byte_extract/byte_math variables so far */
};

/* Report at `n`, prefixed with the rule id when known; -1. Inside a
 * variable (`in_var`), an element is reported only the first time. */
__attribute__((format(printf, 4, 5))) int rule_err(struct rparse *p, const struct ynode *n,
						   bool in_var, const char *fmt, ...);
/* Column of byte `off` of a scalar's value when it can be known (one line,
 * ASCII, no escapes), else the scalar's own column. */
int rule_scalar_col(const struct ynode *n, size_t off);
/* Does the scalar hold a NUL byte? */
bool rule_has_nul(const struct ynode *n);

/* rules_pattern.c: the rule's `patterns:` list and v1 `pcre:` into p->r
 * (its patterns, buffers and program flags); 0 or -1 (reported). */
int rule_patterns(struct rparse *p, const struct ynode *map);
/* rules_pattern.c: the rule-level v1 `pcre: '/expr/flags'`; 0 or -1. */
int rule_pcre(struct rparse *p, const struct ynode *map);

#endif
