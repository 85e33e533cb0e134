/*
 * rules.c - YAML rule files, schema v1 (see rules.h and docs/rules.md).
 *
 * Design: a file is parsed into a yaml_tree, then each entry of `rules:` is
 * turned into a struct rule field by field. Every field parser reports its
 * own problems at the offending node and returns -1; the rule parser runs
 * all of them so one pass lists every problem of a rule, then drops the
 * rule if any failed. Loading then goes on with the next rule. The number
 * of errors returned is the growth of the diag error count.
 *
 * Variables: `vars:` maps a name to a scalar or a list, referenced as $NAME
 * (or !$NAME) in src, dst, src_port and dst_port. A variable is parsed as
 * an address or a port list only where it is used, so one variable may
 * serve both. Lists are flattened: [A, !B, $V] is the set of A's elements,
 * B negated and V's elements. Negating a variable negates each of its
 * elements, which is only exact when none of them is negated already, so a
 * negated item under a negation is refused. Expansion is depth-limited and
 * cycles are reported. A broken element inside `vars:` is reported once,
 * not once per rule that uses it.
 *
 * Patterns: `content` is the YAML string's bytes, `hex` pairs of hex
 * digits decoded to raw bytes (any value 0x00..0xff, which a YAML string
 * cannot give above 0x7f); both become a PAT_CONTENT. `regex` is kept as
 * text and compiled once here only to report errors at load.
 *
 * "any" inside a list matches every value, so the list's positive elements
 * are dropped and only its negated ones remain; a set with nothing left is
 * `any`.
 *
 * Invariants: every pub string points into the rule's own storage; pub.priv
 * points to the rule; ids in a ruleset are unique (checked with a hash of
 * the ruleset's ids built for each load). Main thread only.
 */
#include "detect/rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rule_event.h"
#include "detect/matcher_prefilter.h"
#include "detect/rule_keys.h"
#include "detect/rules_byteop.h"
#include "detect/rules_suricata.h"

#define VAR_MAX_DEPTH 16

/* Rule ids already in the ruleset: open addressing, id 0 marks a free slot. */
struct idmap {
	uint32_t *ids;
	const struct rule **rules;
	size_t cap; /* power of two, at least twice the count */
	size_t n;
};

struct rload {
	struct ruleset *rs;
	const char *default_detector;
	struct diag *d;
	const struct ynode *vars; /* the vars map, or NULL */
	struct idmap ids;
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

enum set_kind { SET_ADDR, SET_PORT };

/* One address or port field being expanded. */
struct set_build {
	enum set_kind kind;
	void *set; /* struct addr_set or struct port_set */
	bool any_seen;
	const char *names[VAR_MAX_DEPTH]; /* variables being expanded */
	size_t depth;
};

/* ------------------------------------------------------------ messages */

/* Report at `n`, prefixed with the rule id when known. Inside a variable
 * (`in_var`), an element is reported only the first time. */
__attribute__((format(printf, 4, 5))) static int rerr(struct rparse *p, const struct ynode *n,
						      bool in_var, const char *fmt, ...)
{
	struct rload *ld = p->ld;
	char msg[400];
	va_list ap;

	if (in_var) {
		for (size_t i = 0; i < ld->n_reported; i++)
			if (ld->reported[i] == n)
				return -1;
		const struct ynode **nr = realloc(ld->reported, (ld->n_reported + 1) * sizeof(*nr));
		if (nr) {
			nr[ld->n_reported++] = n;
			ld->reported = nr;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->has_id)
		diag_error(ld->d, n->file, n->line, n->col, "rule %u: %s", p->r->pub.id, msg);
	else
		diag_error(ld->d, n->file, n->line, n->col, "%s", msg);
	return -1;
}

/* Column of byte `off` of a scalar's value when it can be known (one line,
 * ASCII, no escapes), else the scalar's own column. */
static int scalar_col(const struct ynode *n, size_t off)
{
	int span = n->end_col - n->col;

	if (n->line != n->end_line)
		return n->col;
	for (size_t i = 0; i < n->len; i++)
		if ((unsigned char)n->str[i] >= 0x80)
			return n->col;
	if (!n->quoted && span == (int)n->len)
		return n->col + (int)off;
	if (n->quoted && span == (int)n->len + 2)
		return n->col + 1 + (int)off;
	return n->col;
}

static bool has_nul(const struct ynode *n)
{
	return strlen(n->str) != n->len;
}

/* -------------------------------------------------------------- id map */

static size_t idmap_slot(const struct idmap *m, uint32_t id)
{
	size_t i = (size_t)(id * 2654435761u) & (m->cap - 1);

	while (m->ids[i] && m->ids[i] != id)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int idmap_put(struct idmap *m, const struct rule *r);

static int idmap_grow(struct idmap *m)
{
	struct idmap bigger = {.cap = m->cap ? m->cap * 2 : 64};

	bigger.ids = calloc(bigger.cap, sizeof(*bigger.ids));
	bigger.rules = calloc(bigger.cap, sizeof(*bigger.rules));
	if (!bigger.ids || !bigger.rules) {
		free(bigger.ids);
		free(bigger.rules);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->ids[i])
			idmap_put(&bigger, m->rules[i]);
	free(m->ids);
	free(m->rules);
	*m = bigger;
	return 0;
}

static int idmap_put(struct idmap *m, const struct rule *r)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && idmap_grow(m) < 0)
		return -1;
	i = idmap_slot(m, r->pub.id);
	if (!m->ids[i])
		m->n++;
	m->ids[i] = r->pub.id;
	m->rules[i] = r;
	return 0;
}

static const struct rule *idmap_get(const struct idmap *m, uint32_t id)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = idmap_slot(m, id);
	return m->ids[i] ? m->rules[i] : NULL;
}

static void idmap_free(struct idmap *m)
{
	free(m->ids);
	free(m->rules);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------- address and ports */

static int set_expand(struct rparse *p, struct set_build *sb, const struct ynode *n, bool negate);

static int set_add_element(struct rparse *p, struct set_build *sb, const struct ynode *n,
			   const char *text, bool negate)
{
	bool in_var = sb->depth > 0;
	char err[200];
	int rc;

	if (sb->kind == SET_ADDR) {
		struct addr_block b;

		if (addr_block_parse(text, &b, err, sizeof(err)) < 0)
			return rerr(p, n, in_var, "%s", err);
		b.negated = negate;
		rc = addr_set_add(sb->set, &b);
	} else {
		struct port_range r;

		if (port_range_parse(text, &r, err, sizeof(err)) < 0)
			return rerr(p, n, in_var, "%s", err);
		r.negated = negate;
		rc = port_set_add(sb->set, &r);
	}
	return rc < 0 ? rerr(p, n, false, "out of memory") : 0;
}

static int set_expand_var(struct rparse *p, struct set_build *sb, const struct ynode *n,
			  const char *name, bool negate)
{
	bool in_var = sb->depth > 0;
	const struct ynode *val = ymap_get(p->ld->vars, name);
	int rc;

	if (!val)
		return rerr(p, n, in_var, "unknown variable '$%s'", name);
	for (size_t i = 0; i < sb->depth; i++)
		if (strcmp(sb->names[i], name) == 0)
			return rerr(p, n, in_var, "variable '$%s' refers to itself", name);
	if (sb->depth == VAR_MAX_DEPTH)
		return rerr(p, n, in_var, "variables nested deeper than %d levels", VAR_MAX_DEPTH);
	sb->names[sb->depth++] = name;
	rc = set_expand(p, sb, val, negate);
	sb->depth--;
	return rc;
}

static int set_expand_scalar(struct rparse *p, struct set_build *sb, const struct ynode *n,
			     bool negate)
{
	bool in_var = sb->depth > 0;
	const char *s = n->str;

	if (has_nul(n) || ynode_is_null(n))
		return rerr(p, n, in_var, "expected %s, got '%s'",
			    sb->kind == SET_ADDR ? "an address" : "a port", s);
	if (*s == '!') {
		if (negate || s[1] == '!')
			return rerr(p, n, in_var,
				    "'!' applied to an item that is already negated ('%s')", s);
		negate = true;
		s++;
	}
	if (*s == '$')
		return set_expand_var(p, sb, n, s + 1, negate);
	if (strcmp(s, "any") == 0) {
		if (negate)
			return rerr(p, n, in_var, "'!any' matches nothing");
		sb->any_seen = true;
		return 0;
	}
	return set_add_element(p, sb, n, s, negate);
}

static int set_expand(struct rparse *p, struct set_build *sb, const struct ynode *n, bool negate)
{
	int rc = 0;

	if (n->type == YNODE_SCALAR)
		return set_expand_scalar(p, sb, n, negate);
	if (n->type == YNODE_MAP)
		return rerr(p, n, sb->depth > 0, "expected %s, got a mapping",
			    sb->kind == SET_ADDR ? "an address, a CIDR block, a list or any"
						 : "a port, a range \"N:M\", a list or any");
	if (n->n == 0)
		return rerr(p, n, sb->depth > 0, "empty list");
	for (size_t i = 0; i < n->n; i++)
		rc |= set_expand(p, sb, n->items[i], negate);
	return rc;
}

/* "any" absorbs every positive element; nothing left means any. */
static void set_finish(struct set_build *sb)
{
	size_t kept = 0;

	if (sb->kind == SET_ADDR) {
		struct addr_set *s = sb->set;

		for (size_t i = 0; i < s->n; i++)
			if (!sb->any_seen || s->blocks[i].negated)
				s->blocks[kept++] = s->blocks[i];
		s->n = kept;
		s->any = kept == 0;
	} else {
		struct port_set *s = sb->set;

		for (size_t i = 0; i < s->n; i++)
			if (!sb->any_seen || s->ranges[i].negated)
				s->ranges[kept++] = s->ranges[i];
		s->n = kept;
		s->any = kept == 0;
	}
}

static int rule_set(struct rparse *p, const struct ynode *map, const char *key, enum set_kind kind,
		    void *set)
{
	const struct ynode *n = ymap_get(map, key);
	struct set_build sb = {.kind = kind, .set = set};

	if (!n)
		return 0;
	if (set_expand(p, &sb, n, false) < 0)
		return -1;
	set_finish(&sb);
	return 0;
}

/* ------------------------------------------------------------- scalars */

static int rule_id(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "id");
	const struct rule *first;
	int64_t v;

	if (!n)
		return rerr(p, map, false, "missing required key 'id'");
	if (!ynode_int(n, 1, UINT32_MAX, &v, p->ld->d))
		return -1;
	p->r->pub.id = (uint32_t)v;
	p->has_id = true;
	first = idmap_get(&p->ld->ids, p->r->pub.id);
	if (first)
		return rerr(p, n, false, "duplicate id (first defined at %s:%d)", first->pub.file,
			    first->pub.line);
	return 0;
}

static int rule_uint(struct rparse *p, const struct ynode *map, const char *key, int64_t min,
		     int64_t max, int64_t *out)
{
	const struct ynode *n = ymap_get(map, key);

	if (!n)
		return 0;
	return ynode_int(n, min, max, out, p->ld->d) ? 0 : -1;
}

/* A string field; `def` when absent (NULL: required). */
static int rule_text(struct rparse *p, const struct ynode *map, const char *key, const char *def,
		     char **out)
{
	const struct ynode *n = ymap_get(map, key);
	const char *s = def;

	if (!n && !def)
		return rerr(p, map, false, "missing required key '%s'", key);
	if (n) {
		if (!ynode_str(n, &s, p->ld->d))
			return -1;
		if (has_nul(n))
			return rerr(p, n, false, "%s must not contain NUL bytes", key);
		/* msg may be empty: a Suricata rule without msg: is valid, and
		 * its alerts say "signature": "" */
		if (!*s && !def && strcmp(key, "msg") != 0)
			return rerr(p, n, false, "%s must not be empty", key);
	}
	*out = strdup(s);
	return *out ? 0 : rerr(p, map, false, "out of memory");
}

/* One of `names` (NULL-terminated); *out is its index. */
static int rule_choice(struct rparse *p, const struct ynode *map, const char *key,
		       const char *const *names, const char *valid, int *out)
{
	const struct ynode *n = ymap_get(map, key);

	if (!n)
		return 0;
	if (n->type == YNODE_SCALAR)
		for (int i = 0; names[i]; i++)
			if (strcmp(n->str, names[i]) == 0 && !has_nul(n)) {
				*out = i;
				return 0;
			}
	return rerr(p, n, false, "%s must be one of %s, got %s%s%s", key, valid,
		    n->type == YNODE_SCALAR ? "'" : "",
		    n->type == YNODE_SCALAR ? n->str : "a collection",
		    n->type == YNODE_SCALAR ? "'" : "");
}

/* ------------------------------------------------------------- regexes */

/* Compile to check; report "bad regex" at the failing column. `skip` is
 * the number of value bytes before the expression (the '/' delimiter). */
static int regex_check(struct rparse *p, const struct ynode *n, const char *expr, size_t skip,
		       uint32_t options)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re =
		pcre2_compile((PCRE2_SPTR)expr, PCRE2_ZERO_TERMINATED, options, &code, &off, NULL);
	PCRE2_UCHAR msg[256];

	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	pcre2_get_error_message(code, msg, sizeof(msg));
	diag_error(p->ld->d, n->file, n->line, scalar_col(n, skip + off),
		   "rule %u: bad regex: %s at offset %zu", p->r->pub.id, (const char *)msg,
		   (size_t)off);
	return -1;
}

static int pcre_flag(char c, uint32_t *opts)
{
	switch (c) {
	case 'i':
		*opts |= PCRE2_CASELESS;
		return 0;
	case 'm':
		*opts |= PCRE2_MULTILINE;
		return 0;
	case 's':
		*opts |= PCRE2_DOTALL;
		return 0;
	case 'x':
		*opts |= PCRE2_EXTENDED;
		return 0;
	case 'U':
		*opts |= PCRE2_UNGREEDY;
		return 0;
	}
	return -1;
}

static int rule_pcre(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "pcre");
	const char *s, *end;
	struct rule *r = p->r;
	size_t skip = 0;
	int rc = 0;

	if (!n)
		return 0;
	if (!ynode_str(n, &s, p->ld->d))
		return -1;
	if (has_nul(n))
		return rerr(p, n, false, "pcre must not contain NUL bytes (write \\x00)");
	end = s + n->len;
	if (*s == '/') {
		end = strrchr(s, '/');
		if (end == s)
			return rerr(p, n, false, "pcre starting with '/' needs a closing '/'");
		for (const char *f = end + 1; *f; f++) {
			if (*f == 'U')
				diag_warn(p->ld->d, n->file, n->line,
					  scalar_col(n, (size_t)(f - s)),
					  "rule %u: pcre flag 'U' means ungreedy here, not "
					  "Suricata's URI buffer; for the URI write a pattern with "
					  "buffer: http.uri",
					  r->pub.id);
			if (pcre_flag(*f, &r->pcre_options) < 0) {
				diag_error(p->ld->d, n->file, n->line,
					   scalar_col(n, (size_t)(f - s)),
					   "rule %u: unknown pcre flag '%c' (valid: i, m, s, x, U)",
					   r->pub.id, *f);
				rc = -1;
			}
		}
		skip = 1;
	}
	if (end == s + skip)
		return rerr(p, n, false, "pcre is empty");
	r->pcre = strndup(s + skip, (size_t)(end - s - skip));
	if (!r->pcre)
		return rerr(p, n, false, "out of memory");
	r->pcre_line = n->line;
	r->pcre_col = n->col;
	if (rc == 0)
		rc = regex_check(p, n, r->pcre, skip, r->pcre_options);
	return rc;
}

/* ------------------------------------------------------------ patterns */

static const char *const pattern_keys[] = {
	"content",   "regex",	     "hex",	  "pcre",     "isdataat",   "byte_test",
	"byte_jump", "byte_extract", "byte_math", "bsize",    "nocase",	    "offset",
	"depth",     "buffer",	     "distance",  "within",   "startswith", "endswith",
	"not",	     "fast_pattern", "rawbytes",  "relative", NULL};

/* The value keys of a pattern, in the order they are looked for; a pattern
 * has exactly one. From index 4 on, index - 1 is the enum pattern_kind. */
static const char *const pattern_kinds[] = {"content",	 "regex",     "hex",	   "pcre",
					    "isdataat",	 "byte_test", "byte_jump", "byte_extract",
					    "byte_math", "bsize"};
#define PATTERN_KIND_LIST                                                                          \
	"content, hex, regex, pcre, isdataat, byte_test, byte_jump, byte_extract, byte_math or "   \
	"bsize"

#define N_PATTERN_KINDS (sizeof(pattern_kinds) / sizeof(pattern_kinds[0]))

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Report the character at byte `off` of the hex value `v`: named as typed
 * when it is printable ASCII, else as its byte value. */
static int hex_err(struct rparse *p, const struct ynode *v, size_t off, const char *why)
{
	unsigned char c = (unsigned char)v->str[off];
	char shown[16];

	if (c > 0x20 && c < 0x7f)
		snprintf(shown, sizeof(shown), "'%c'", c);
	else if (c == ' ')
		snprintf(shown, sizeof(shown), "a space");
	else
		snprintf(shown, sizeof(shown), "byte 0x%02x", c);
	diag_error(p->ld->d, v->file, v->line, scalar_col(v, off), "rule %u: bad hex: %s %s",
		   p->r->pub.id, shown, why);
	return -1;
}

/*
 * Decode `hex:` pairs of hex digits, spaces allowed between pairs, into
 * out[] (at least v->len / 2 bytes); *n gets the byte count. An error
 * names the first offending character: a non-digit, or a digit whose pair
 * is cut short by a space or the end (an odd count of digits).
 */
static int hex_decode(struct rparse *p, const struct ynode *v, uint8_t *out, size_t *n)
{
	const unsigned char *s = (const unsigned char *)v->str;
	size_t i = 0;
	int hi, lo;

	*n = 0;
	while (i < v->len) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		hi = hex_digit(s[i]);
		if (hi < 0)
			return hex_err(p, v, i, "is not a hex digit");
		if (i + 1 == v->len || s[i + 1] == ' ')
			return hex_err(p, v, i, "has no second digit (digits go in pairs)");
		lo = hex_digit(s[i + 1]);
		if (lo < 0)
			return hex_err(p, v, i + 1, "is not a hex digit");
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	if (*n == 0)
		return rerr(p, v, false, "hex must hold at least one byte");
	return 0;
}

/* The one value key of pattern `pm` (index into pattern_kinds), or -1
 * after reporting none or several. */
static int pattern_kind(struct rparse *p, const struct ynode *pm, const struct ynode **valp)
{
	int kind = -1;

	for (size_t k = 0; k < N_PATTERN_KINDS; k++) {
		const struct ynode *v = ymap_get(pm, pattern_kinds[k]);

		if (!v)
			continue;
		if (kind >= 0)
			return rerr(p, v, false,
				    "'%s' beside '%s': a pattern has exactly one kind key (%s); "
				    "use two patterns",
				    pattern_kinds[k], pattern_kinds[kind], PATTERN_KIND_LIST);
		kind = (int)k;
		*valp = v;
	}
	if (kind < 0)
		return rerr(p, pm, false, "a pattern needs one of %s", PATTERN_KIND_LIST);
	return kind;
}

/* Suricata's "|3a 20|" inside a YAML content: literal pipes here. */
static bool has_suricata_hex(const char *s, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++) {
		size_t j = i + 1, digits = 0;

		if (s[i] != '|')
			continue;
		while (j < len && (hex_digit((unsigned char)s[j]) >= 0 || s[j] == ' ')) {
			digits += s[j] != ' ';
			j++;
		}
		if (j < len && s[j] == '|' && digits >= 2 && digits % 2 == 0)
			return true;
	}
	return false;
}

/* A code point U+0080..U+00FF in UTF-8 (two bytes C2/C3 xx): what a
 * "\x80".."\xff" escape gives in a YAML double-quoted string. */
static int latin1_char(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if ((s[i] == 0xc2 || s[i] == 0xc3) && (s[i + 1] & 0xc0) == 0x80)
			return ((s[i] & 3) << 6) | (s[i + 1] & 0x3f);
	return -1;
}

/* The traps of a content written by someone used to Suricata: warnings
 * naming the fix (the content still loads as the bytes written). */
static void content_traps(struct rparse *p, const struct ynode *v)
{
	struct diag *d = p->ld->d;
	int c;

	if (has_suricata_hex(v->str, v->len))
		diag_warn(d, v->file, v->line, v->col,
			  "rule %u: content holds Suricata hex pipes (|..|), which YAML content "
			  "takes literally; write the bytes with `hex:` (e.g. hex: \"3a 20\") in a "
			  "pattern of their own",
			  p->r->pub.id);
	c = latin1_char((const unsigned char *)v->str, v->len);
	if (c >= 0)
		diag_warn(d, v->file, v->line, v->col,
			  "rule %u: content holds U+%04X, i.e. the two UTF-8 bytes of \"\\x%02x\" "
			  "in a YAML string, not the byte 0x%02x; for the byte write hex: \"%02x\"",
			  p->r->pub.id, c, c, c, c);
	if (v->str[0] == '!')
		diag_warn(d, v->file, v->line, v->col,
			  "rule %u: content starting with '!' is a literal '!'; to negate write "
			  "the content without it and add `not: true`",
			  p->r->pub.id);
}

/* Flags of a v2 `pcre: '/expr/flags'`; `U` warns (ungreedy here, the URI
 * buffer in Suricata). */
static int pattern_pcre_flags(struct rparse *p, const struct ynode *v, const char *flags,
			      struct rule_pattern *pat)
{
	int rc = 0;

	for (const char *f = flags; *f; f++) {
		int col = scalar_col(v, (size_t)(f - v->str));

		if (pcre_flag(*f, &pat->pcre_opts) == 0) {
			if (*f == 'U')
				diag_warn(p->ld->d, v->file, v->line, col,
					  "rule %u: pcre flag 'U' means ungreedy here, not "
					  "Suricata's URI buffer; for the URI add buffer: http.uri "
					  "(and for ungreedy write G)",
					  p->r->pub.id);
			continue;
		}
		if (*f == 'R')
			pat->relative = true;
		else if (*f == 'A')
			pat->pcre_opts |= PCRE2_ANCHORED;
		else if (*f == 'E')
			pat->pcre_opts |= PCRE2_DOLLAR_ENDONLY;
		else if (*f == 'G')
			pat->pcre_opts |= PCRE2_UNGREEDY;
		else if (*f != 'O' && *f != 'B') {
			diag_error(p->ld->d, v->file, v->line, col,
				   "rule %u: unknown pcre flag '%c' (valid: i m s x A E G R O B; "
				   "Suricata's buffer flags become buffer:)",
				   p->r->pub.id, *f);
			rc = -1;
		}
	}
	return rc;
}

/* `pcre: '/expr/flags'` (v2): the expression goes to pat->bytes. */
static int pattern_pcre(struct rparse *p, const struct ynode *v, struct rule_pattern *pat)
{
	const char *s = v->str, *end = strrchr(s, '/');
	int rc;

	if (has_nul(v))
		return rerr(p, v, false, "pcre must not contain NUL bytes (write \\x00)");
	if (*s != '/' || end == s)
		return rerr(p, v, false, "pcre must be '/expression/flags'");
	rc = pattern_pcre_flags(p, v, end + 1, pat);
	pat->len = (size_t)(end - s - 1);
	memcpy(pat->bytes, s + 1, pat->len);
	pat->bytes[pat->len] = 0;
	if (pat->len == 0)
		return rerr(p, v, false, "pcre is empty");
	pat->kind = PAT_REGEX;
	pat->v2 = true;
	if (rc == 0)
		rc = regex_check(p, v, (const char *)pat->bytes, 1, pat->pcre_opts);
	return rc;
}

/* isdataat, byte_*, bsize: Suricata's option text (rules_byteop.c). */
static int pattern_byteop(struct rparse *p, const struct ynode *v, struct rule_pattern *pat,
			  enum pattern_kind kind)
{
	const char *text = v->str;
	char result[BYTEOP_NAME_MAX], err[200];

	pat->kind = kind;
	pat->v2 = true;
	if (has_nul(v))
		return rerr(p, v, false, "%s must not contain NUL bytes", pattern_kinds[kind + 1]);
	pat->op = calloc(1, sizeof(*pat->op));
	if (!pat->op)
		return rerr(p, v, false, "out of memory");
	if (kind == PAT_ISDATAAT && *text == '!') {
		pat->negated = true;
		text++;
	}
	if (rule_byteop_parse(kind, text, &p->vars, pat->op, result, err, sizeof(err)) < 0)
		return rerr(p, v, false, "%s: %s", pattern_kinds[kind + 1], err);
	if (result[0]) {
		memcpy(p->vars.names[p->vars.n++], result, sizeof(result));
		p->r->n_vars = (uint8_t)p->vars.n;
	}
	return 0;
}

static int pattern_value(struct rparse *p, const struct ynode *pm, struct rule_pattern *pat,
			 const struct ynode **valp)
{
	const struct ynode *v = NULL;
	int kind = pattern_kind(p, pm, &v);
	const char *s;

	if (kind < 0)
		return -1;
	if (!ynode_str(v, &s, p->ld->d))
		return -1;
	*valp = v;
	pat->line = v->line;
	pat->col = v->col;
	if (v->len == 0)
		return rerr(p, v, false, "%s must not be empty", pattern_kinds[kind]);
	if (kind >= 4)
		return pattern_byteop(p, v, pat, (enum pattern_kind)(kind - 1));
	if (kind == 1 && has_nul(v))
		return rerr(p, v, false, "regex must not contain NUL bytes (write \\x00)");
	pat->kind = kind == 1 || kind == 3 ? PAT_REGEX : PAT_CONTENT;
	pat->bytes = malloc(v->len + 1);
	if (!pat->bytes)
		return rerr(p, v, false, "out of memory");
	if (kind == 3)
		return pattern_pcre(p, v, pat);
	if (kind == 2) {
		if (hex_decode(p, v, pat->bytes, &pat->len) < 0)
			return -1;
		pat->bytes[pat->len] = 0;
	} else {
		memcpy(pat->bytes, v->str, v->len + 1);
		pat->len = v->len;
		if (kind == 0)
			content_traps(p, v);
	}
	return 0;
}

/* An integer in min..max, or the name of a variable set by an earlier
 * byte_extract/byte_math of the rule (*var = 1 + its index). */
static int pattern_num(struct rparse *p, const struct ynode *n, int64_t min, int64_t max,
		       int64_t *out, uint8_t *var)
{
	if (n->type == YNODE_SCALAR && !n->quoted && n->len && !has_nul(n) &&
	    ((n->str[0] >= 'a' && n->str[0] <= 'z') || (n->str[0] >= 'A' && n->str[0] <= 'Z') ||
	     n->str[0] == '_')) {
		for (unsigned i = 0; i < p->vars.n; i++)
			if (strcmp(p->vars.names[i], n->str) == 0) {
				*var = (uint8_t)(i + 1);
				*out = 0;
				return 0;
			}
		return rerr(p, n, false,
			    "'%s' is neither a number nor a variable set by an earlier "
			    "byte_extract or byte_math of this rule",
			    n->str);
	}
	return ynode_int(n, min, max, out, p->ld->d) ? 0 : -1;
}

/* One optional numeric modifier; *has set when present. */
static int pattern_num_key(struct rparse *p, const struct ynode *pm, const char *key, int64_t min,
			   int64_t max, bool *has, int64_t *out, uint8_t *var)
{
	const struct ynode *n = ymap_get(pm, key);

	if (!n)
		return 0;
	*has = true;
	return pattern_num(p, n, min, max, out, var);
}

static int pattern_flag(struct rparse *p, const struct ynode *pm, const char *key, bool *out)
{
	const struct ynode *n = ymap_get(pm, key);

	if (!n)
		return 0;
	return ynode_bool(n, out, p->ld->d) ? 0 : -1;
}

/* `fast_pattern`: true, "only" or "OFFSET,LENGTH". */
static int pattern_fast(struct rparse *p, const struct ynode *pm, struct rule_pattern *pat)
{
	const struct ynode *n = ymap_get(pm, "fast_pattern");
	unsigned off, len;
	char tail;
	bool on;

	if (!n)
		return 0;
	if (n->type == YNODE_SCALAR && strcmp(n->str, "only") == 0) {
		pat->fast_pattern = 2;
		return 0;
	}
	if (n->type == YNODE_SCALAR && sscanf(n->str, "%u,%u%c", &off, &len, &tail) == 2) {
		if (len == 0 || (size_t)off + len > pat->len)
			return rerr(p, n, false,
				    "fast_pattern %u,%u is outside the content (%zu bytes)", off,
				    len, pat->len);
		pat->fast_pattern = 1;
		pat->fp_slice = true;
		pat->fp_offset = off;
		pat->fp_len = len;
		return 0;
	}
	if (!ynode_bool(n, &on, p->ld->d))
		return -1;
	pat->fast_pattern = on;
	return 0;
}

/* `buffer:` of one pattern (pkt_data names the payload). */
static int pattern_buffer(struct rparse *p, const struct ynode *pm, struct rule_pattern *pat)
{
	const struct ynode *n = ymap_get(pm, "buffer");
	const char *s;

	if (!n)
		return 0;
	if (!ynode_str(n, &s, p->ld->d))
		return -1;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '.'))
			return rerr(p, n, false, "buffer '%s' is not a buffer name (e.g. http.uri)",
				    s);
	if (!*s || has_nul(n))
		return rerr(p, n, false, "buffer must not be empty");
	pat->buffer = strdup(s);
	return pat->buffer ? 0 : rerr(p, n, false, "out of memory");
}

static int pattern_modifiers(struct rparse *p, const struct ynode *pm, struct rule_pattern *pat)
{
	int64_t off = 0, dep = 0, dist = 0, with = 0;
	bool has_dist = false, has_with = false;
	int rc = 0;

	rc |= pattern_flag(p, pm, "nocase", &pat->nocase);
	rc |= pattern_num_key(p, pm, "offset", 0, UINT32_MAX, &pat->has_offset, &off,
			      &pat->offset_var);
	rc |= pattern_num_key(p, pm, "depth", 1, UINT32_MAX, &pat->has_depth, &dep,
			      &pat->depth_var);
	rc |= pattern_num_key(p, pm, "distance", INT32_MIN, INT32_MAX, &has_dist, &dist,
			      &pat->distance_var);
	rc |= pattern_num_key(p, pm, "within", 1, UINT32_MAX, &has_with, &with, &pat->within_var);
	rc |= pattern_flag(p, pm, "startswith", &pat->startswith);
	rc |= pattern_flag(p, pm, "endswith", &pat->endswith);
	rc |= pattern_flag(p, pm, "not", &pat->negated);
	rc |= pattern_flag(p, pm, "relative", &pat->relative);
	rc |= pattern_fast(p, pm, pat);
	rc |= pattern_buffer(p, pm, pat);
	pat->offset = (uint32_t)off;
	pat->depth = (uint32_t)dep;
	pat->has_distance = has_dist;
	pat->has_within = has_with;
	pat->distance = (int32_t)dist;
	pat->within = (uint32_t)with;
	return rc;
}

/* Keys that make a pattern v2 (verified by the rule's program). */
static bool pattern_is_v2(const struct ynode *pm, const struct rule_pattern *pat)
{
	static const char *const keys[] = {"distance",	   "within",   "startswith", "endswith",
					   "not",	   "relative", "buffer",     "pcre",
					   "fast_pattern", NULL};

	if (pat->v2 || pat->offset_var || pat->depth_var)
		return true;
	for (size_t i = 0; keys[i]; i++)
		if (ymap_get(pm, keys[i]))
			return true;
	return false;
}

/* Which modifiers apply to which kind; combinations Suricata refuses. */
static int pattern_combos(struct rparse *p, const struct ynode *pm, struct rule_pattern *pat)
{
	static const char *const content_only[] = {"distance", "within",       "startswith",
						   "endswith", "fast_pattern", "rawbytes",
						   "depth",    "offset",       NULL};
	bool content = pat->kind == PAT_CONTENT, regex = pat->kind == PAT_REGEX;

	for (size_t i = 0; !content && content_only[i]; i++) {
		const struct ynode *n = ymap_get(pm, content_only[i]);

		if (n && !(regex && (i == 6 || i == 7)))
			return rerr(p, n, false, "%s applies to content and hex patterns only",
				    content_only[i]);
	}
	if (!content && !regex && ymap_get(pm, "nocase"))
		return rerr(p, ymap_get(pm, "nocase"), false,
			    "nocase applies to content, hex "
			    "and regex patterns only");
	if (!regex && ymap_get(pm, "relative"))
		return rerr(p, ymap_get(pm, "relative"), false,
			    "relative applies to regex only (content uses distance/within; "
			    "byte keywords say \"relative\" in their text)");
	if (ymap_get(pm, "not") && !content && !regex)
		return rerr(p, ymap_get(pm, "not"), false,
			    "not applies to content, hex and regex (isdataat negates with \"!N\")");
	if ((pat->has_offset || pat->has_depth) && (pat->has_distance || pat->has_within))
		return rerr(p, pm, false,
			    "offset/depth (absolute) and distance/within (relative) cannot be "
			    "combined in one pattern");
	if (pat->startswith &&
	    (pat->has_offset || pat->has_depth || pat->has_distance || pat->has_within))
		return rerr(p, ymap_get(pm, "startswith"), false,
			    "startswith cannot be combined with offset, depth, distance or within");
	if (pat->negated && pat->fast_pattern)
		return rerr(p, ymap_get(pm, "fast_pattern"), false,
			    "a negated content cannot be the fast pattern");
	return 0;
}

static int pattern_parse(struct rparse *p, const struct ynode *pm, struct rule_pattern *pat)
{
	const struct ynode *v = NULL;
	int rc = 0;

	if (ymap_check_keys(pm, pattern_keys, "pattern", p->ld->d))
		return -1;
	rc |= pattern_value(p, pm, pat, &v);
	rc |= pattern_modifiers(p, pm, pat);
	if (rc < 0)
		return -1;
	if (pattern_combos(p, pm, pat) < 0)
		return -1;
	pat->v2 = pattern_is_v2(pm, pat);
	if (pat->kind == PAT_CONTENT && pat->has_depth && !pat->depth_var && pat->depth < pat->len)
		return rerr(p, ymap_get(pm, "depth"), false,
			    "depth %u is shorter than the content (%zu bytes)", pat->depth,
			    pat->len);
	if (pat->kind == PAT_REGEX && !pat->pcre_opts && !ymap_get(pm, "pcre")) {
		pat->pcre_opts = pat->nocase ? PCRE2_CASELESS : 0;
		return regex_check(p, v, (const char *)pat->bytes, 0, pat->pcre_opts);
	}
	if (pat->kind == PAT_REGEX && pat->nocase)
		pat->pcre_opts |= PCRE2_CASELESS;
	return 0;
}

/*
 * The rule's buffers from its patterns' `buffer:` keys (a pattern without
 * the key takes the rule's; `pkt_data` is the payload). A rule whose
 * patterns name several buffers of one transaction is a multi-buffer rule:
 * r->buffers lists its distinct buffers, the one holding its prefilter
 * content (prefilter_pick: fast_pattern, else the longest content) first,
 * and r->buffer is that one, so it goes to the plugin that declares it.
 * The payload cannot be mixed with a plugin's buffers.
 */
static const char *buffer_of(const struct rule *r, const struct rule_pattern *pat)
{
	if (pat->buffer)
		return pat->buffer;
	return r->buffer ? r->buffer : "pkt_data";
}

static bool buffer_listed(const struct rule *r, const char *b)
{
	for (size_t i = 0; i < r->n_buffers; i++)
		if (strcmp(r->buffers[i], b) == 0)
			return true;
	return false;
}

/* Each pattern of a multi-buffer rule names its buffer itself (a copy of
 * the rule's where it had none), so the list below points into patterns
 * and r->buffer can change. */
static int patterns_own_buffers(struct rule *r)
{
	for (size_t i = 0; i < r->n_patterns; i++) {
		struct rule_pattern *pat = &r->patterns[i];

		if (!pat->buffer && !(pat->buffer = strdup(buffer_of(r, pat))))
			return -1;
	}
	return 0;
}

static int rule_buffer_list(struct rparse *p, const struct ynode *list)
{
	struct rule *r = p->r;
	const struct rule_pattern *fp;

	r->buffers = calloc(r->n_patterns, sizeof(*r->buffers));
	if (!r->buffers || patterns_own_buffers(r) < 0)
		return rerr(p, list, false, "out of memory");
	fp = prefilter_pick(r, NULL);
	r->buffers[r->n_buffers++] = (fp ? fp : &r->patterns[0])->buffer;
	for (size_t i = 0; i < r->n_patterns; i++) {
		const char *b = r->patterns[i].buffer;

		if (strcmp(b, "pkt_data") == 0)
			return rerr(p, list->items[i], false,
				    "the payload (pkt_data) cannot be matched with a protocol "
				    "buffer in one rule: split the rule");
		if (!buffer_listed(r, b))
			r->buffers[r->n_buffers++] = b;
	}
	free(r->buffer);
	r->buffer = strdup(r->buffers[0]);
	return r->buffer ? 0 : rerr(p, list, false, "out of memory");
}

static int rule_pattern_buffers(struct rparse *p, const struct ynode *list)
{
	struct rule *r = p->r;
	const char *seen = NULL;
	bool several = false;

	for (size_t i = 0; i < r->n_patterns; i++) {
		const char *b = buffer_of(r, &r->patterns[i]);

		if (seen && strcmp(seen, b) != 0)
			several = true;
		if (!seen)
			seen = b;
	}
	if (several)
		return rule_buffer_list(p, list);
	if (!seen || r->buffer || strcmp(seen, "pkt_data") == 0)
		return 0;
	r->buffer = strdup(seen);
	return r->buffer ? 0 : rerr(p, list, false, "out of memory");
}

static int rule_patterns(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "patterns");
	struct rule *r = p->r;
	int rc = 0;

	if (!n || ynode_is_null(n))
		return 0;
	if (n->type != YNODE_SEQ)
		return rerr(p, n, false, "patterns must be a list of mappings");
	if (n->n > RULE_MAX_PATTERNS)
		return rerr(p, n->items[RULE_MAX_PATTERNS], false,
			    "more than %d patterns in one rule", RULE_MAX_PATTERNS);
	if (n->n == 0)
		return 0;
	r->patterns = calloc(n->n, sizeof(*r->patterns));
	if (!r->patterns)
		return rerr(p, n, false, "out of memory");
	for (size_t i = 0; i < n->n; i++) {
		rc |= pattern_parse(p, n->items[i], &r->patterns[i]);
		r->n_patterns++;
		r->v2 |= r->patterns[i].v2;
	}
	if (rc == 0 && r->buffer && strcmp(r->buffer, "pkt_data") == 0) {
		free(r->buffer);
		r->buffer = NULL;
	}
	if (rc == 0)
		rc = rule_pattern_buffers(p, n);
	return rc;
}

/* ------------------------------------------------------------ metadata */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* A JSON string. Input is UTF-8 (libyaml checked it), so bytes >= 0x80
 * pass through; quotes, backslashes and control bytes are escaped. */
static void json_string(struct sbuf *b, const char *s, size_t n)
{
	char esc[8];

	sbuf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;

		if (c == '"')
			e = "\\\"";
		else if (c == '\\')
			e = "\\\\";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\r')
			e = "\\r";
		else if (c == '\t')
			e = "\\t";
		else if (c == '\b')
			e = "\\b";
		else if (c == '\f')
			e = "\\f";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			e = esc;
		}
		if (e)
			sbuf_add(b, e, strlen(e));
		else
			sbuf_add(b, (const char *)&s[i], 1);
	}
	sbuf_add(b, "\"", 1);
}

static int metadata_value(struct rparse *p, struct sbuf *b, const struct ynode *key,
			  const struct ynode *v)
{
	bool list = v->type == YNODE_SEQ;
	size_t n = list ? v->n : 1;

	if (v->type == YNODE_MAP || ynode_is_null(v))
		return rerr(p, v, false, "metadata '%s' must be a string or a list of strings",
			    key->str);
	sbuf_add(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		const struct ynode *item = list ? v->items[i] : v;

		if (item->type != YNODE_SCALAR)
			return rerr(p, item, false, "metadata '%s' must be a list of strings",
				    key->str);
		if (i)
			sbuf_add(b, ",", 1);
		json_string(b, item->str, item->len);
	}
	sbuf_add(b, "]", 1);
	return 0;
}

static int rule_metadata(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "metadata");
	struct sbuf b = {0};
	int rc = 0;

	if (!n || ynode_is_null(n))
		return 0;
	if (n->type != YNODE_MAP)
		return rerr(p, n, false, "metadata must be a mapping");
	if (n->n == 0)
		return 0;
	sbuf_add(&b, "{", 1);
	for (size_t i = 0; i < n->n; i++) {
		if (i)
			sbuf_add(&b, ",", 1);
		json_string(&b, n->keys[i]->str, n->keys[i]->len);
		sbuf_add(&b, ":", 1);
		rc |= metadata_value(p, &b, n->keys[i], n->items[i]);
	}
	sbuf_add(&b, "}", 1);
	if (b.oom)
		rc = rerr(p, n, false, "out of memory");
	if (rc < 0) {
		free(b.s);
		return -1;
	}
	p->r->metadata_json = b.s;
	return 0;
}

/* ---------------------------------------------------------------- rule */

static const char *const rule_keys[] = {
	"id",	 "rev",	  "msg",	   "category", "severity", "metadata",	"detector",
	"proto", "src",	  "dst",	   "src_port", "dst_port", "direction", "patterns",
	"pcre",	 "scope", "stream_alerts", "buffer",   "stream_offsets", "anomaly", "bidirectional", NULL};

static void rule_free(struct rule *r)
{
	if (!r)
		return;
	addr_set_free(&r->src);
	addr_set_free(&r->dst);
	port_set_free(&r->sport);
	port_set_free(&r->dport);
	for (size_t i = 0; i < r->n_patterns; i++) {
		free(r->patterns[i].bytes);
		free(r->patterns[i].op);
		free(r->patterns[i].buffer);
	}
	free(r->patterns);
	free(r->pcre);
	free(r->msg);
	free(r->category);
	free(r->metadata_json);
	free(r->detector);
	free(r->buffer);
	free(r->buffers);
	free(r->file);
	free(r->anomaly);
	rule_keys_free(r->keys);
	free(r);
}

/*
 * `scope:` (packet | stream), `stream_alerts:` (once | every) and
 * `stream_offsets:` (stream | chunk). TCP rules
 * default to the stream; UDP and ICMP have no stream; an ip rule looks at
 * packets unless it asks for the stream (then it applies to TCP only).
 * Runs after proto is known.
 */
static int rule_scope(struct rparse *p, const struct ynode *map)
{
	static const char *const scopes[] = {"packet", "stream", NULL};
	static const char *const alerts[] = {"once", "every", NULL};
	static const char *const offsets[] = {"stream", "chunk", NULL};
	struct rule *r = p->r;
	int scope = r->proto == RULE_PROTO_TCP ? RULE_SCOPE_STREAM : RULE_SCOPE_PACKET;
	int every = 0, chunk = 0, rc = 0;
	const struct ynode *n = ymap_get(map, "scope");

	rc |= rule_choice(p, map, "scope", scopes, "packet, stream", &scope);
	rc |= rule_choice(p, map, "stream_alerts", alerts, "once, every", &every);
	rc |= rule_choice(p, map, "stream_offsets", offsets, "stream, chunk", &chunk);
	if (rc == 0 && n && scope == RULE_SCOPE_STREAM &&
	    (r->proto == RULE_PROTO_UDP || r->proto == RULE_PROTO_ICMP))
		rc = rerr(
			p, n, false,
			"scope stream needs proto tcp or ip: %s has no stream (use scope: packet)",
			r->proto == RULE_PROTO_UDP ? "udp" : "icmp");
	if (rc == 0 && every && scope != RULE_SCOPE_STREAM)
		rc = rerr(p, ymap_get(map, "stream_alerts"), false,
			  "stream_alerts applies to stream rules only (add scope: stream)");
	r->scope = (enum rule_scope)scope;
	r->pub.scope = (uint8_t)(scope == RULE_SCOPE_STREAM ? IDS_SCOPE_STREAM : IDS_SCOPE_PACKET);
	if (rc == 0 && chunk && scope != RULE_SCOPE_STREAM)
		rc = rerr(p, ymap_get(map, "stream_offsets"), false,
			  "stream_offsets applies to stream rules only (add scope: stream)");
	r->stream_every = every == 1;
	r->stream_chunk = chunk == 1;
	return rc;
}

static int rule_header(struct rparse *p, const struct ynode *map)
{
	static const char *const protos[] = {"ip", "tcp", "udp", "icmp", NULL};
	static const char *const dirs[] = {"any", "to_server", "to_client", NULL};
	struct rule *r = p->r;
	int proto = RULE_PROTO_IP, dir = RULE_DIR_ANY, rc = 0;

	rc |= rule_choice(p, map, "proto", protos, "tcp, udp, icmp, ip", &proto);
	rc |= rule_choice(p, map, "direction", dirs, "to_server, to_client, any", &dir);
	r->proto = (enum rule_proto)proto;
	r->direction = (enum rule_direction)dir;
	rc |= rule_scope(p, map);
	rc |= rule_set(p, map, "src", SET_ADDR, &r->src);
	rc |= rule_set(p, map, "dst", SET_ADDR, &r->dst);
	rc |= rule_set(p, map, "src_port", SET_PORT, &r->sport);
	rc |= rule_set(p, map, "dst_port", SET_PORT, &r->dport);
	if (ymap_get(map, "bidirectional") &&
	    !ynode_bool(ymap_get(map, "bidirectional"), &r->bidirectional, p->ld->d))
		rc = -1;
	return rc;
}

/* `buffer:` "proto.field": lower-case letters, digits, '_' and '.'. Whether
 * a loaded plugin declares it is checked when rules are handed out. */
static int rule_buffer(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "buffer");
	const char *s;

	if (!n)
		return 0;
	if (rule_text(p, map, "buffer", NULL, &p->r->buffer) < 0)
		return -1;
	for (s = p->r->buffer; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.'))
			return rerr(p, n, false,
				    "buffer '%s' is not a buffer name (lower-case letters, digits, "
				    "'_' and '.', e.g. http.uri)",
				    p->r->buffer);
	return 0;
}

static int rule_fields(struct rparse *p, const struct ynode *map)
{
	struct rule *r = p->r;
	const char *det = p->ld->default_detector && *p->ld->default_detector
				  ? p->ld->default_detector
				  : "signature";
	int64_t rev = 1, severity = 3;
	int rc = 0;

	rc |= rule_uint(p, map, "rev", 1, UINT32_MAX, &rev);
	/* Suricata rules may have no msg (an empty signature); YAML needs one */
	rc |= rule_text(p, map, "msg", suri_is_rules_file(map->file) ? "" : NULL, &r->msg);
	rc |= rule_text(p, map, "category", "", &r->category);
	rc |= rule_uint(p, map, "severity", 1, 4, &severity);
	rc |= rule_metadata(p, map);
	rc |= rule_text(p, map, "detector", det, &r->detector);
	if (r->detector && !*r->detector) /* only an explicit empty value */
		rc |= rerr(p, ymap_get(map, "detector"), false, "detector must not be empty");
	r->detector_explicit = ymap_get(map, "detector") != NULL;
	rc |= rule_buffer(p, map);
	rc |= rule_header(p, map);
	rc |= rule_patterns(p, map);
	rc |= rule_pcre(p, map);
	rc |= rule_keys_parse(r, map, p->ld->d);
	if (rc == 0)
		rc |= rule_event_parse(r, map, p->ld->d);
	r->pub.rev = (uint32_t)rev;
	r->pub.severity = (int)severity;
	return rc;
}

static struct rule *rule_parse(struct rload *ld, const struct ynode *map)
{
	struct rparse p = {.ld = ld};
	struct rule *r;
	int rc = 0;

	if (map->type != YNODE_MAP) {
		ymap_check_keys(map, rule_keys, "rule", ld->d);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		diag_error(ld->d, map->file, map->line, map->col, "out of memory");
		return NULL;
	}
	r->src.any = r->dst.any = r->sport.any = r->dport.any = true;
	p.r = r;
	rc |= rule_id(&p, map);
	if (rule_keys_check(map, rule_keys, ld->d))
		rc = -1;
	rc |= rule_fields(&p, map);
	r->file = strdup(map->file);
	if (rc < 0 || !r->file) {
		rule_free(r);
		return NULL;
	}
	r->pub.gid = 1;
	r->pub.msg = r->msg;
	r->pub.category = r->category;
	r->pub.metadata_json = r->metadata_json;
	r->pub.detector = r->detector;
	r->pub.file = r->file;
	r->pub.buffer = r->buffer;
	r->pub.buffers = r->n_buffers ? r->buffers : (r->buffer ? &r->pub.buffer : NULL);
	r->pub.n_buffers = r->n_buffers ? r->n_buffers : (r->buffer ? 1 : 0);
	r->pub.line = map->n ? map->keys[0]->line : map->line;
	r->pub.priv = r;
	rule_keys_apply(r);
	return r;
}

/* ---------------------------------------------------------------- file */

static bool var_name_ok(const struct ynode *k)
{
	const char *s = k->str;

	if (k->len == 0 || has_nul(k) || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* Shape of `vars:`; element values are checked where they are used. */
static void vars_check(struct rload *ld, const struct ynode *vars)
{
	struct rparse p = {.ld = ld};

	if (!vars || ynode_is_null(vars))
		return;
	if (vars->type != YNODE_MAP) {
		rerr(&p, vars, false, "vars must be a mapping of NAME: value or list");
		return;
	}
	ld->vars = vars;
	for (size_t i = 0; i < vars->n; i++) {
		const struct ynode *k = vars->keys[i], *v = vars->items[i];

		if (!var_name_ok(k))
			rerr(&p, k, false,
			     "bad variable name '%s' (letters, digits and '_', not starting "
			     "with a digit)",
			     k->str);
		if (v->type == YNODE_MAP)
			rerr(&p, v, true, "variable '%s' must be a scalar or a list", k->str);
	}
}

static int ruleset_add(struct ruleset *rs, struct rule *r)
{
	/* capacity is the next power of two of n (at least 8) */
	if (rs->n >= 8 && (rs->n & (rs->n - 1)) == 0) {
		struct rule **nr = realloc(rs->rules, rs->n * 2 * sizeof(*nr));

		if (!nr)
			return -1;
		rs->rules = nr;
	} else if (!rs->rules) {
		rs->rules = calloc(8, sizeof(*rs->rules));
		if (!rs->rules)
			return -1;
	}
	rs->rules[rs->n++] = r;
	return 0;
}

static void rules_list(struct rload *ld, const struct ynode *list)
{
	struct rparse p = {.ld = ld};

	if (!list || ynode_is_null(list))
		return;
	if (list->type != YNODE_SEQ) {
		rerr(&p, list, false, "rules must be a list of rules");
		return;
	}
	for (size_t i = 0; i < list->n; i++) {
		struct rule *r = rule_parse(ld, list->items[i]);

		if (!r) {
			ld->rs->n_failed++;
			continue;
		}
		if (ruleset_add(ld->rs, r) < 0 || idmap_put(&ld->ids, r) < 0) {
			if (ld->rs->n && ld->rs->rules[ld->rs->n - 1] == r)
				ld->rs->n--;
			rerr(&p, list->items[i], false, "out of memory");
			rule_free(r);
		}
	}
}

static void rules_tree(struct rload *ld, const struct ynode *root)
{
	static const char *const top_keys[] = {"vars", "rules", NULL};
	struct rparse p = {.ld = ld};

	if (root->type != YNODE_MAP) {
		ymap_check_keys(root, top_keys, "rule file", ld->d);
		return;
	}
	ymap_check_keys(root, top_keys, "rule file", ld->d);
	for (size_t i = 0; i < ld->rs->n; i++)
		if (idmap_put(&ld->ids, ld->rs->rules[i]) < 0) {
			rerr(&p, root, false, "out of memory");
			return;
		}
	vars_check(ld, ymap_get(root, "vars"));
	rules_list(ld, ymap_get(root, "rules"));
}

static void rules_load_tree(struct ruleset *rs, struct ynode *root, const char *default_detector,
			    struct diag *d)
{
	struct rload ld = {.rs = rs, .default_detector = default_detector, .d = d};

	if (root)
		rules_tree(&ld, root);
	rule_keys_order(rs);
	idmap_free(&ld.ids);
	free(ld.reported);
	ytree_free(root);
}

void ruleset_init(struct ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
}

unsigned ruleset_load_file(struct ruleset *rs, const char *path, const char *default_detector,
			   struct diag *d)
{
	unsigned before = d->errors;

	/* Suricata/Snort text rules: parsed into the same tree (rules_suricata.c) */
	if (suri_is_rules_file(path)) {
		unsigned refused = 0;

		rules_load_tree(rs, suri_load_tree(path, &refused, d), default_detector, d);
		rs->n_failed += refused; /* counted in the load summary */
		return d->errors - before;
	}
	rules_load_tree(rs, ytree_load_file(path, d), default_detector, d);
	return d->errors - before;
}

unsigned ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			     const char *default_detector, struct diag *d)
{
	unsigned before = d->errors;

	rules_load_tree(rs, ytree_load_buffer(name, buf, len, d), default_detector, d);
	return d->errors - before;
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	memset(rs, 0, sizeof(*rs));
}
