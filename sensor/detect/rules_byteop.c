/*
 * rules_byteop.c - the option text of isdataat, byte_test, byte_jump,
 * byte_extract, byte_math and bsize (rule language v2 patterns).
 *
 * The value of these pattern kinds is Suricata's option text exactly as it
 * follows the colon in a .rules file ("4,>,1000,0,relative,little"), so a
 * converted rule and a hand-written YAML rule read the same. This file
 * turns that text into a struct rule_byteop; it is a pure function of the
 * text (plus a lookup of the variables the rule defined so far), so the
 * loader reports the message at the pattern's node and a fuzz target needs
 * no set-up.
 *
 * Accepted (Suricata's meaning, see docs/rules.md):
 *   isdataat:     [!]N[,relative]                     ("!" is the caller's)
 *   bsize:        N | <N | >N | <=N | >=N | N<>M
 *   byte_test:    bytes, [!]op, value, offset [, relative] [, big|little]
 *                 [, string [, hex|dec|oct]] [, bitmask M]   (string: dec)
 *   byte_jump:    bytes, offset [, relative] [, multiplier N] [, big|little]
 *                 [, string, hex|dec|oct] [, align] [, from_beginning |
 *                 from_end] [, post_offset N] [, bitmask M]
 *   byte_extract: bytes, offset, name [, relative] [, multiplier N]
 *                 [, big|little] [, string, hex|dec|oct] [, align N]
 *                 [, bitmask M]
 *   byte_math:    bytes N, offset N, oper OP, rvalue V, result NAME
 *                 [, relative] [, endian big|little] [, string hex|dec|oct]
 *                 [, bitmask M]
 * `dce` is refused (no DCE/RPC parser); value/offset/rvalue may name a
 * variable set by an earlier byte_extract or byte_math. A name given as
 * result is created by the caller (rule_byteop_parse returns it).
 *
 * Invariants on success: 1 <= nbytes <= 8 for binary reads, <= 23 for
 * string reads; multiplier >= 1. One exception, as Suricata has it:
 * byte_test with 0 bytes and `string` reads the number as far as its
 * digits go (at most 23 characters), 0 bytes without `string` is refused.
 */
#include "detect/rules_byteop.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 16
#define TOKEN_MAX  64

struct bparse {
	char tok[MAX_TOKENS][TOKEN_MAX];
	size_t n;
	const struct byteop_vars *vars;
	char *err;
	size_t errlen;
	bool test; /* parsing a byte_test */
};

__attribute__((format(printf, 2, 3))) static int bfail(struct bparse *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Split at commas, trimming blanks; empty items are errors. */
static int tokenize(struct bparse *b, const char *text)
{
	const char *s = text;

	b->n = 0;
	for (;;) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		while (len && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (!len)
			return bfail(b, "empty item in '%s'", text);
		if (b->n == MAX_TOKENS || len >= TOKEN_MAX)
			return bfail(b, "too many or too long items in '%s'", text);
		memcpy(b->tok[b->n], s, len);
		b->tok[b->n++][len] = '\0';
		if (!e)
			return 0;
		s = e + 1;
	}
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	if (!*s)
		return false;
	v = strtoll(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static int find_var(const struct byteop_vars *vars, const char *name)
{
	for (unsigned i = 0; vars && i < vars->n; i++)
		if (strcmp(vars->names[i], name) == 0)
			return (int)i;
	return -1;
}

/* A number, or the name of a variable (*var = 1 + its index). */
static int num_or_var(struct bparse *b, const char *s, const char *what, int64_t min, int64_t max,
		      int64_t *out, uint8_t *var)
{
	int vi;

	if (parse_i64(s, out)) {
		if (*out < min || *out > max)
			return bfail(b, "%s %s out of range %lld..%lld", what, s, (long long)min,
				     (long long)max);
		return 0;
	}
	vi = var ? find_var(b->vars, s) : -1;
	if (vi < 0)
		return bfail(b,
			     "%s '%s' is neither a number nor a variable set by an earlier "
			     "byte_extract or byte_math",
			     what, s);
	*var = (uint8_t)(vi + 1);
	*out = 0;
	return 0;
}

static int parse_base(struct bparse *b, const char *s, struct rule_byteop *op)
{
	if (strcmp(s, "hex") == 0)
		op->base = 16;
	else if (strcmp(s, "dec") == 0)
		op->base = 10;
	else if (strcmp(s, "oct") == 0)
		op->base = 8;
	else
		return bfail(b, "string base must be hex, dec or oct, got '%s'", s);
	return 0;
}

static int check_nbytes(struct bparse *b, struct rule_byteop *op)
{
	unsigned max = op->base ? 23 : 8;

	/* byte_test 0 bytes with `string`: the number as long as it goes
	 * (Suricata reads it so; byte_test's own parser lets 0 through) */
	if (op->nbytes == 0 && op->base && b->test)
		return 0;
	if (op->nbytes < 1 || op->nbytes > max)
		return bfail(b, "bytes must be 1..%u%s, got %u", max,
			     op->base ? " for a string" : " (or use string)", op->nbytes);
	return 0;
}

/* "name value" pairs and flags common to the byte_ keywords, from token i. */
static int common_opts(struct bparse *b, size_t i, struct rule_byteop *op, bool jump, bool extract)
{
	for (; i < b->n; i++) {
		const char *t = b->tok[i];
		int64_t v;

		if (strcmp(t, "relative") == 0)
			op->relative = true;
		else if (strcmp(t, "little") == 0 || strcmp(t, "endian little") == 0)
			op->little = true;
		else if (strcmp(t, "big") == 0 || strcmp(t, "endian big") == 0)
			op->little = false;
		else if (strcmp(t, "string") == 0) {
			/* the base is optional: decimal */
			op->base = 10;
			if (i + 1 < b->n && (strcmp(b->tok[i + 1], "hex") == 0 ||
					     strcmp(b->tok[i + 1], "dec") == 0 ||
					     strcmp(b->tok[i + 1], "oct") == 0))
				parse_base(b, b->tok[++i], op);
		} else if (strncmp(t, "string ", 7) == 0) {
			if (parse_base(b, t + 7, op) < 0)
				return -1;
		} else if (strcmp(t, "dce") == 0)
			return bfail(b, "dce is not supported (no DCE/RPC parser)");
		else if (strncmp(t, "bitmask ", 8) == 0) {
			if (!parse_i64(t + 8, &v) || v <= 0 || v > (int64_t)UINT32_MAX)
				return bfail(b, "bad bitmask '%s'", t + 8);
			op->bitmask = (uint64_t)v;
		} else if ((jump || extract) && strncmp(t, "multiplier ", 11) == 0) {
			if (!parse_i64(t + 11, &v) || v < 1 || v > 65535)
				return bfail(b, "multiplier must be 1..65535, got '%s'", t + 11);
			op->multiplier = (uint32_t)v;
		} else if (jump && strcmp(t, "align") == 0)
			op->align = 4;
		else if (extract && strncmp(t, "align ", 6) == 0) {
			if (!parse_i64(t + 6, &v) || (v != 2 && v != 4))
				return bfail(b, "align must be 2 or 4, got '%s'", t + 6);
			op->align = (uint32_t)v;
		} else if (jump && strcmp(t, "from_beginning") == 0)
			op->from_beginning = true;
		else if (jump && strcmp(t, "from_end") == 0)
			op->from_end = true;
		else if (jump && strncmp(t, "post_offset ", 12) == 0) {
			if (!parse_i64(t + 12, &v) || v < -65535 || v > 65535)
				return bfail(b, "post_offset must be -65535..65535, got '%s'",
					     t + 12);
			op->post_offset = v;
		} else
			return bfail(b, "unknown option '%s'", t);
	}
	if (op->from_beginning && op->from_end)
		return bfail(b, "from_beginning and from_end exclude each other");
	return check_nbytes(b, op);
}

static int parse_cmp(struct bparse *b, const char *s, struct rule_byteop *op)
{
	static const struct {
		const char *name;
		enum byte_cmp cmp;
	} ops[] = {{"<=", BCMP_LE}, {">=", BCMP_GE}, {"<", BCMP_LT}, {">", BCMP_GT},
		   {"=", BCMP_EQ},  {"&", BCMP_AND}, {"^", BCMP_XOR}};

	if (*s == '!') {
		op->negate_cmp = true;
		s++;
		if (!*s) { /* "!" alone is "not equal" */
			op->cmp = BCMP_EQ;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i].name) == 0) {
			op->cmp = ops[i].cmp;
			return 0;
		}
	return bfail(b, "operator must be one of < > = ! <= >= & ^ (optionally after !), got '%s'",
		     s);
}

static int parse_test(struct bparse *b, struct rule_byteop *op)
{
	int64_t v;

	if (b->n < 4)
		return bfail(b, "byte_test needs bytes, operator, value, offset");
	if (!parse_i64(b->tok[0], &v) || v < 0 || v > 23)
		return bfail(b, "bytes must be a number 0..23, got '%s'", b->tok[0]);
	op->nbytes = (uint8_t)v;
	b->test = true;
	if (parse_cmp(b, b->tok[1], op) < 0)
		return -1;
	if (num_or_var(b, b->tok[2], "value", 0, INT64_MAX, &v, &op->value_var) < 0)
		return -1;
	op->value = (uint64_t)v;
	if (num_or_var(b, b->tok[3], "offset", -65535, 65535, &op->offset, &op->offset_var) < 0)
		return -1;
	return common_opts(b, 4, op, false, false);
}

static int parse_jump(struct bparse *b, struct rule_byteop *op)
{
	int64_t v;

	if (b->n < 2)
		return bfail(b, "byte_jump needs bytes, offset");
	if (!parse_i64(b->tok[0], &v) || v < 1 || v > 23)
		return bfail(b, "bytes must be a number 1..23, got '%s'", b->tok[0]);
	op->nbytes = (uint8_t)v;
	if (num_or_var(b, b->tok[1], "offset", -65535, 65535, &op->offset, &op->offset_var) < 0)
		return -1;
	return common_opts(b, 2, op, true, false);
}

static bool name_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static int set_result(struct bparse *b, const char *name, struct rule_byteop *op, char *result)
{
	if (!name_ok(name))
		return bfail(b, "bad variable name '%s' (letters, digits, '_')", name);
	if (find_var(b->vars, name) >= 0)
		return bfail(b, "variable '%s' is already defined in this rule", name);
	if (b->vars && b->vars->n >= RULE_MAX_VARS)
		return bfail(b, "more than %d variables in one rule", RULE_MAX_VARS);
	if (strlen(name) >= BYTEOP_NAME_MAX)
		return bfail(b, "variable name '%s' longer than %d bytes", name,
			     BYTEOP_NAME_MAX - 1);
	op->result_var = (uint8_t)(b->vars ? b->vars->n : 0);
	strcpy(result, name);
	return 0;
}

static int parse_extract(struct bparse *b, struct rule_byteop *op, char *result)
{
	int64_t v;

	if (b->n < 3)
		return bfail(b, "byte_extract needs bytes, offset, name");
	if (!parse_i64(b->tok[0], &v) || v < 1 || v > 23)
		return bfail(b, "bytes must be a number 1..23, got '%s'", b->tok[0]);
	op->nbytes = (uint8_t)v;
	if (!parse_i64(b->tok[1], &op->offset) || op->offset < -65535 || op->offset > 65535)
		return bfail(b, "offset must be a number -65535..65535, got '%s'", b->tok[1]);
	if (set_result(b, b->tok[2], op, result) < 0)
		return -1;
	return common_opts(b, 3, op, false, true);
}

static int parse_oper(struct bparse *b, const char *s, struct rule_byteop *op)
{
	static const char *const names[] = {"+", "-", "*", "/", "<<", ">>"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			op->oper = (enum byte_oper)i;
			return 0;
		}
	return bfail(b, "oper must be one of + - * / << >>, got '%s'", s);
}

/* byte_math's "key value" items: bytes, offset, oper, rvalue, result. */
static int math_item(struct bparse *b, const char *t, struct rule_byteop *op, char *result,
		     unsigned *seen)
{
	int64_t v;

	if (strncmp(t, "bytes ", 6) == 0) {
		*seen |= 1;
		if (!parse_i64(t + 6, &v) || v < 1 || v > 23)
			return bfail(b, "bytes must be a number 1..23, got '%s'", t + 6);
		op->nbytes = (uint8_t)v;
		return 0;
	}
	if (strncmp(t, "offset ", 7) == 0) {
		*seen |= 2;
		return num_or_var(b, t + 7, "offset", -65535, 65535, &op->offset, &op->offset_var);
	}
	if (strncmp(t, "oper ", 5) == 0) {
		*seen |= 4;
		return parse_oper(b, t + 5, op);
	}
	if (strncmp(t, "rvalue ", 7) == 0) {
		*seen |= 8;
		if (num_or_var(b, t + 7, "rvalue", 0, UINT32_MAX, &v, &op->value_var) < 0)
			return -1;
		op->value = (uint64_t)v;
		return 0;
	}
	if (strncmp(t, "result ", 7) == 0) {
		*seen |= 16;
		return set_result(b, t + 7, op, result);
	}
	return 1; /* not a math item */
}

static int parse_math(struct bparse *b, struct rule_byteop *op, char *result)
{
	unsigned seen = 0;
	size_t kept = 0;

	for (size_t i = 0; i < b->n; i++) {
		int rc = math_item(b, b->tok[i], op, result, &seen);

		if (rc < 0)
			return -1;
		if (rc > 0) /* an option: keep it for common_opts */
			memmove(b->tok[kept++], b->tok[i], TOKEN_MAX);
	}
	if (seen != 31)
		return bfail(b, "byte_math needs bytes, offset, oper, rvalue and result");
	if (op->oper == OPER_DIV && !op->value_var && op->value == 0)
		return bfail(b, "rvalue 0 divides by zero");
	b->n = kept;
	return common_opts(b, 0, op, false, false);
}

static int parse_isdataat(struct bparse *b, struct rule_byteop *op)
{
	if (b->n > 2 || (b->n == 2 && strcmp(b->tok[1], "relative") != 0))
		return bfail(b, "isdataat is N or \"N,relative\" (\"!N\" negates)");
	if (num_or_var(b, b->tok[0], "isdataat", 0, 65535, &op->offset, &op->offset_var) < 0)
		return -1;
	op->relative = b->n == 2;
	return 0;
}

static int parse_u64(struct bparse *b, const char *s, uint64_t *out)
{
	int64_t v;

	while (isspace((unsigned char)*s))
		s++;
	if (!parse_i64(s, &v) || v < 0)
		return bfail(b, "bsize needs a number, got '%s'", s);
	*out = (uint64_t)v;
	return 0;
}

static int parse_bsize(struct bparse *b, const char *text, struct rule_byteop *op)
{
	const char *range = strstr(text, "<>");

	if (range) {
		char lo[32];
		size_t n = (size_t)(range - text);

		if (n >= sizeof(lo))
			return bfail(b, "bad bsize '%s'", text);
		memcpy(lo, text, n);
		lo[n] = '\0';
		op->cmp = BCMP_RANGE;
		if (parse_u64(b, lo, &op->value) < 0 || parse_u64(b, range + 2, &op->value2) < 0)
			return -1;
		if (op->value >= op->value2)
			return bfail(b, "bsize range %s: the low bound must be below the high",
				     text);
		return 0;
	}
	op->cmp = BCMP_EQ;
	if (strncmp(text, "<=", 2) == 0 || strncmp(text, ">=", 2) == 0) {
		op->cmp = text[0] == '<' ? BCMP_LE : BCMP_GE;
		text += 2;
	} else if (*text == '<' || *text == '>') {
		op->cmp = text[0] == '<' ? BCMP_LT : BCMP_GT;
		text++;
	}
	return parse_u64(b, text, &op->value);
}

/* base64_decode: "bytes N" (0..65535, 0: all, at most 65535), "offset N"
 * (0..2^32-1), "relative", each at most once, in any order. */
static int parse_base64(struct bparse *b, struct rule_byteop *op)
{
	unsigned seen = 0;

	for (size_t i = 0; i < b->n; i++) {
		const char *t = b->tok[i], *v = t + strcspn(t, " \t");
		int64_t x;
		unsigned bit = strncmp(t, "bytes", 5) == 0 && (t[5] == ' ' || t[5] == '\t')    ? 1
			       : strncmp(t, "offset", 6) == 0 && (t[6] == ' ' || t[6] == '\t') ? 2
			       : strcmp(t, "relative") == 0				       ? 4
											       : 0;

		if (!bit || (seen & bit))
			return bfail(b,
				     "takes bytes N, offset N, relative (each once), "
				     "got '%s'",
				     t);
		seen |= bit;
		if (bit == 4) {
			op->relative = true;
			continue;
		}
		while (isspace((unsigned char)*v))
			v++;
		if (!parse_i64(v, &x) || x < 0 || x > (bit == 1 ? 65535 : (int64_t)UINT32_MAX))
			return bfail(b, "%s must be 0..%s, got '%s'", bit == 1 ? "bytes" : "offset",
				     bit == 1 ? "65535" : "4294967295", v);
		if (bit == 1)
			op->value = (uint64_t)x;
		else
			op->offset = x;
	}
	if (!op->value)
		op->value = 65535;
	return 0;
}

/* One asn1 option: a check word, or "oversize_length N" (0..2^32-1),
 * "absolute_offset N" (0..65535), "relative_offset [-]N" (-65535..65535). */
static int asn1_option(struct bparse *b, const char *t, struct rule_byteop *op, unsigned *seen)
{
	static const char *const words[] = {"bitstring_overflow", "double_overflow",
					    "oversize_length", "absolute_offset",
					    "relative_offset"};
	size_t k = 0, wl = strcspn(t, " \t");
	const char *v = t + wl;
	int64_t x;

	while (k < 5 && !(strlen(words[k]) == wl && strncmp(words[k], t, wl) == 0))
		k++;
	while (isspace((unsigned char)*v))
		v++;
	if (k == 5 || (*seen & (1u << k)) || ((k < 2) != (*v == '\0')) || (k >= 3 && (*seen & 24)))
		return bfail(b,
			     "takes bitstring_overflow, double_overflow, oversize_length N and "
			     "one of absolute_offset N, relative_offset N (each once), got '%s'",
			     t);
	*seen |= 1u << k;
	if (k < 2) {
		op->asn1 |= k == 0 ? RULE_ASN1_BITSTRING : RULE_ASN1_DOUBLE;
		return 0;
	}
	if (!parse_i64(v, &x) || x < (k == 4 ? -65535 : 0) ||
	    x > (k == 2 ? (int64_t)UINT32_MAX : 65535) || (k != 4 && *v == '-'))
		return bfail(b, "%s: '%s' is out of range", words[k], v);
	if (k == 2) {
		op->asn1 |= RULE_ASN1_OVERSIZE;
		op->value = (uint64_t)x;
	} else {
		op->offset = x;
		op->relative = k == 4;
	}
	return 0;
}

/* asn1: options separated by commas (Suricata also takes spaces between
 * a check word and the next option; write commas). */
static int parse_asn1(struct bparse *b, struct rule_byteop *op)
{
	unsigned seen = 0;

	for (size_t i = 0; i < b->n; i++)
		if (asn1_option(b, b->tok[i], op, &seen) < 0)
			return -1;
	if (!op->asn1)
		return bfail(b, "needs at least one check: bitstring_overflow, double_overflow or "
				"oversize_length N");
	return 0;
}

int rule_byteop_parse(enum pattern_kind kind, const char *text, const struct byteop_vars *vars,
		      struct rule_byteop *op, char *result, char *err, size_t errlen)
{
	struct bparse b = {.vars = vars, .err = err, .errlen = errlen};

	memset(op, 0, sizeof(*op));
	op->multiplier = 1;
	*result = '\0';
	if (kind == PAT_BSIZE)
		return parse_bsize(&b, text, op);
	if (tokenize(&b, text) < 0)
		return -1;
	switch (kind) {
	case PAT_ISDATAAT:
		return parse_isdataat(&b, op);
	case PAT_BYTE_TEST:
		return parse_test(&b, op);
	case PAT_BYTE_JUMP:
		return parse_jump(&b, op);
	case PAT_BYTE_EXTRACT:
		return parse_extract(&b, op, result);
	case PAT_BYTE_MATH:
		return parse_math(&b, op, result);
	case PAT_BASE64:
		return parse_base64(&b, op);
	case PAT_ASN1:
		return parse_asn1(&b, op);
	case PAT_FTPBOUNCE:
		return b.n == 1 && strcmp(b.tok[0], "true") == 0
			       ? 0
			       : bfail(&b, "ftpbounce takes no option: write ftpbounce: true");
	default:
		return bfail(&b, "not a byte keyword");
	}
}
