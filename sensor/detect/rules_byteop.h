/*
 * rules_byteop.h - parse the option text of isdataat, byte_test,
 * byte_jump, byte_extract, byte_math and bsize (see rules_byteop.c).
 * Pure functions; any thread.
 */
#ifndef SENSOR_RULES_BYTEOP_H
#define SENSOR_RULES_BYTEOP_H

#include <stddef.h>

#include "detect/rules.h"

#define BYTEOP_NAME_MAX 32

/* The variables a rule defined before the pattern being parsed. */
struct byteop_vars {
	char names[RULE_MAX_VARS][BYTEOP_NAME_MAX];
	unsigned n;
};

/*
 * Parse `text` for a pattern of kind `kind` into *op. For byte_extract and
 * byte_math, `result` (BYTEOP_NAME_MAX bytes) gets the variable name to
 * define (op->result_var is its index, vars->n); else it is "". Returns 0,
 * or -1 with a message naming the problem in err.
 */
int rule_byteop_parse(enum pattern_kind kind, const char *text, const struct byteop_vars *vars,
		      struct rule_byteop *op, char *result, char *err, size_t errlen);

#endif
