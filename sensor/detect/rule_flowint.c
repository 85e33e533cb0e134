/*
 * rule_flowint.c - Suricata's flowint (YAML `flowint:` list of option
 * strings "name, op[, value]"): unsigned 32-bit integers kept per flow.
 *
 * Semantics (Suricata's detect-flowint): `=` sets the variable, `+` adds
 * (a variable not set yet starts at the value), `-` subtracts (nothing
 * when not set); these run when the rule matched completely, as flowbits
 * set. `==`, `!=`, `<`, `<=`, `>`, `>=` compare and hold only when the
 * variable is set; `isset`, `notset` (= `isnotset`) test its presence;
 * these are conditions of the match. The value is a number (0..2^32-1) or
 * the name of another flowint (0 when that one is not set). Arithmetic
 * wraps at 2^32, as in Suricata. Names are kept as 64-bit FNV-1a hashes.
 *
 * Storage: a small array per flow (struct rule_flowint_state), hung off
 * the flow's detect state and allocated at the flow's first write (grown
 * on a new name; names come from the rules, so its size is bounded by the
 * ruleset); freed with the flow's detect state.
 *
 * Threads: parse on the main thread; the rest on the flow's worker.
 */
#include "detect/rule_keys.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rule_state.h"
#include "flow/flow.h"

struct rule_flowint_state {
	uint32_t n, cap;
	struct {
		uint64_t name;
		uint32_t value;
	} v[];
};

/* ------------------------------------------------------------- parsing */

static const char *const fi_ops[] = {"=",  "+", "-",  "==",    "!=",	 "<",
				     "<=", ">", ">=", "isset", "notset", "isnotset"};

static bool name_ok(const char *w, size_t n)
{
	if (!n || !isalpha((unsigned char)w[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && w[i] != '_' && w[i] != '.' && w[i] != '-')
			return false;
	return true;
}

static int fi_value(const char *w, size_t n, struct rule_fi_op *op, char *err, size_t errlen)
{
	uint64_t v = 0;

	if (name_ok(w, n)) {
		op->value_is_var = true;
		op->value_name = rule_name_hash(w, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)w[i]) || i >= 10) {
			v = UINT64_MAX;
			break;
		}
		v = v * 10 + (uint64_t)(w[i] - '0');
	}
	if (!n || v > UINT32_MAX) {
		snprintf(err, errlen, "value '%.*s' must be 0..4294967295 or a flowint name",
			 (int)n, w);
		return -1;
	}
	op->value = (uint32_t)v;
	return 0;
}

int rule_fi_parse(const char *text, struct rule_fi_op *op, char *err, size_t errlen)
{
	const char *s = text, *w;
	size_t n, k = 0;

	memset(op, 0, sizeof(*op));
	if (!rule_text_item(&s, &w, &n) || !name_ok(w, n)) {
		snprintf(err, errlen,
			 "expected a name (a letter, then letters, digits, '_', '.'), "
			 "got '%s'",
			 text);
		return -1;
	}
	op->name = rule_name_hash(w, n);
	if (!rule_text_item(&s, &w, &n)) {
		snprintf(err, errlen, "an operator must follow the name");
		return -1;
	}
	while (k < sizeof(fi_ops) / sizeof(fi_ops[0]) &&
	       !(strlen(fi_ops[k]) == n && strncmp(fi_ops[k], w, n) == 0))
		k++;
	if (k == sizeof(fi_ops) / sizeof(fi_ops[0])) {
		snprintf(err, errlen,
			 "operator '%.*s' must be one of =, +, -, ==, !=, <, <=, >, >=, isset, "
			 "notset, isnotset",
			 (int)n, w);
		return -1;
	}
	op->op = (uint8_t)(k == FI_ISNOTSET + 1 ? FI_ISNOTSET : k);
	if (op->op >= FI_ISSET)
		return rule_text_item(&s, &w, &n)
			       ? (snprintf(err, errlen, "%s takes no value", fi_ops[k]), -1)
			       : 0;
	if (!rule_text_item(&s, &w, &n)) {
		snprintf(err, errlen, "'%s' needs a value", fi_ops[k]);
		return -1;
	}
	if (fi_value(w, n, op, err, errlen) < 0)
		return -1;
	if (rule_text_item(&s, &w, &n)) {
		snprintf(err, errlen, "unexpected '%.*s' after the value", (int)n, w);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ the flow */

static struct rule_flowint_state *ints_of(const struct flow *f)
{
	const struct rule_flow_state *s = f ? f->detect_state : NULL;

	return s ? s->ints : NULL;
}

/* The variable `name` of the flow, or NULL. */
static uint32_t *var_find(struct rule_flowint_state *st, uint64_t name)
{
	for (uint32_t i = 0; st && i < st->n; i++)
		if (st->v[i].name == name)
			return &st->v[i].value;
	return NULL;
}

static uint32_t target(const struct rule_fi_op *op, struct rule_flowint_state *st)
{
	uint32_t *t;

	if (!op->value_is_var)
		return op->value;
	t = var_find(st, op->value_name);
	return t ? *t : 0;
}

bool rule_fi_check(const struct rule_fi_op *op, const struct flow *f)
{
	struct rule_flowint_state *st = ints_of(f);
	uint32_t *v = var_find(st, op->name), t;

	if (op->op == FI_ISSET)
		return v != NULL;
	if (op->op == FI_ISNOTSET)
		return v == NULL;
	if (!v)
		return false;
	t = target(op, st);
	switch ((enum rule_fi_opcode)op->op) {
	case FI_EQ:
		return *v == t;
	case FI_NE:
		return *v != t;
	case FI_LT:
		return *v < t;
	case FI_LE:
		return *v <= t;
	case FI_GT:
		return *v > t;
	case FI_GE:
		return *v >= t;
	default:
		return false;
	}
}

/* A slot for a new variable, growing the array; NULL without memory. */
static uint32_t *var_add(struct rule_flow_state *s, uint64_t name)
{
	struct rule_flowint_state *st = s->ints;

	if (!st || st->n == st->cap) {
		uint32_t cap = st ? st->cap * 2 : 4;
		struct rule_flowint_state *g = realloc(st, sizeof(*g) + cap * sizeof(g->v[0]));

		if (!g)
			return NULL;
		if (!st)
			g->n = 0;
		g->cap = cap;
		s->ints = st = g;
	}
	st->v[st->n].name = name;
	st->v[st->n].value = 0;
	return &st->v[st->n++].value;
}

void rule_fi_apply(const struct rule_fi_op *op, struct flow *f)
{
	struct rule_flow_state *s;
	uint32_t *v, t;

	if (!f || !(s = rule_flow_state_get(f, UINT32_MAX)))
		return;
	t = target(op, s->ints);
	v = var_find(s->ints, op->name);
	if (!v && op->op == FI_SUB)
		return; /* Suricata: nothing to subtract from */
	if (!v && !(v = var_add(s, op->name)))
		return;
	if (op->op == FI_SET)
		*v = t;
	else if (op->op == FI_ADD)
		*v += t;
	else if (op->op == FI_SUB)
		*v -= t;
}

void rule_flowint_free(struct rule_flowint_state *st)
{
	free(st);
}
