/*
 * rules_pattern.c - the patterns of a YAML rule (see rules.c for the file
 * and the rule, docs/rules.md for the language): `content`, `hex`,
 * `regex`, `pcre` and the byte keywords with their options, checked node
 * by node (every problem reported at its node), and the buffers a rule's
 * patterns name (one, or several of one transaction).
 *
 * Patterns: `content` is the YAML string's bytes, `hex` pairs of hex
 * digits decoded to raw bytes (any value 0x00..0xff, which a YAML string
 * cannot give above 0x7f); both become a PAT_CONTENT. `regex` is kept as
 * text and compiled once here only to report errors at load. Contents a
 * Suricata rule writer would misread (hex pipes, \x80.. escapes, a leading
 * '!') load as written, with a warning naming the fix. Main thread only.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/matcher_prefilter.h"
#include "detect/rules_internal.h"

/* ------------------------------------------------------------- regexes */

/* Compile (through the ruleset's table, so each distinct regex is compiled
 * once; rule_regex.h) and keep the code in *out, replacing what it held;
 * report "bad regex" at the failing column. `skip` is the number of value
 * bytes before the expression (the '/' delimiter). */
static int regex_check(struct rparse *p, const struct ynode *n, const char *expr, size_t skip,
		       uint32_t options, struct rule_regex **out)
{
	int code;
	size_t off;
	struct rule_regex *re = rule_regex_table_get(&p->ld->rs->regexes, expr,
						     PCRE2_ZERO_TERMINATED, options, &code, &off);
	PCRE2_UCHAR msg[256];

	rule_regex_unref(*out);
	*out = re;
	if (re)
		return 0;
	if (code == 0)
		return rule_err(p, n, false, "out of memory");
	pcre2_get_error_message(code, msg, sizeof(msg));
	diag_error(p->ld->d, n->file, n->line, rule_scalar_col(n, skip + off),
		   "rule %u: bad regex: %s at offset %zu", p->r->pub.id, (const char *)msg, off);
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

int rule_pcre(struct rparse *p, const struct ynode *map)
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
	if (rule_has_nul(n))
		return rule_err(p, n, false, "pcre must not contain NUL bytes (write \\x00)");
	end = s + n->len;
	if (*s == '/') {
		end = strrchr(s, '/');
		if (end == s)
			return rule_err(p, n, false, "pcre starting with '/' needs a closing '/'");
		for (const char *f = end + 1; *f; f++) {
			if (*f == 'U')
				diag_warn(p->ld->d, n->file, n->line,
					  rule_scalar_col(n, (size_t)(f - s)),
					  "rule %u: pcre flag 'U' means ungreedy here, not "
					  "Suricata's URI buffer; for the URI write a pattern with "
					  "buffer: http.uri",
					  r->pub.id);
			if (pcre_flag(*f, &r->pcre_options) < 0) {
				diag_error(p->ld->d, n->file, n->line,
					   rule_scalar_col(n, (size_t)(f - s)),
					   "rule %u: unknown pcre flag '%c' (valid: i, m, s, x, U)",
					   r->pub.id, *f);
				rc = -1;
			}
		}
		skip = 1;
	}
	if (end == s + skip)
		return rule_err(p, n, false, "pcre is empty");
	r->pcre = strndup(s + skip, (size_t)(end - s - skip));
	if (!r->pcre)
		return rule_err(p, n, false, "out of memory");
	r->pcre_line = n->line;
	r->pcre_col = n->col;
	if (rc == 0)
		rc = regex_check(p, n, r->pcre, skip, r->pcre_options, &r->pcre_re);
	return rc;
}

/* ------------------------------------------------------------ patterns */

static const char *const pattern_keys[] = {
	"content",   "regex",	   "hex",	    "pcre",	 "isdataat",
	"byte_test", "byte_jump",  "byte_extract",  "byte_math", "bsize",
	"nocase",    "offset",	   "depth",	    "buffer",	 "distance",
	"within",    "startswith", "endswith",	    "not",	 "fast_pattern",
	"rawbytes",  "relative",   "base64_decode", "asn1",	 "ftpbounce",
	NULL};
/* pattern_keys as a set (yaml_tree.h), made by the first pattern checked
 * (rules load on the main thread only) */
static struct ykeyset pattern_keyset;

/* The value keys of a pattern, in the order they are looked for; a pattern
 * has exactly one. From index 4 on, index - 1 is the enum pattern_kind. */
static const char *const pattern_kinds[] = {
	"content",	"regex",     "hex",   "pcre",	       "isdataat", "byte_test", "byte_jump",
	"byte_extract", "byte_math", "bsize", "base64_decode", "asn1",	   "ftpbounce"};
#define PATTERN_KIND_LIST                                                                          \
	"content, hex, regex, pcre, isdataat, byte_test, byte_jump, byte_extract, byte_math, "     \
	"bsize, base64_decode, asn1 or ftpbounce"

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
	diag_error(p->ld->d, v->file, v->line, rule_scalar_col(v, off), "rule %u: bad hex: %s %s",
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
		return rule_err(p, v, false, "hex must hold at least one byte");
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
			return rule_err(
				p, v, false,
				"'%s' beside '%s': a pattern has exactly one kind key (%s); "
				"use two patterns",
				pattern_kinds[k], pattern_kinds[kind], PATTERN_KIND_LIST);
		kind = (int)k;
		*valp = v;
	}
	if (kind < 0)
		return rule_err(p, pm, false, "a pattern needs one of %s", PATTERN_KIND_LIST);
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
		int col = rule_scalar_col(v, (size_t)(f - v->str));

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

	if (rule_has_nul(v))
		return rule_err(p, v, false, "pcre must not contain NUL bytes (write \\x00)");
	if (*s != '/' || end == s)
		return rule_err(p, v, false, "pcre must be '/expression/flags'");
	rc = pattern_pcre_flags(p, v, end + 1, pat);
	pat->len = (size_t)(end - s - 1);
	memcpy(pat->bytes, s + 1, pat->len);
	pat->bytes[pat->len] = 0;
	if (pat->len == 0)
		return rule_err(p, v, false, "pcre is empty");
	pat->kind = PAT_REGEX;
	pat->v2 = true;
	if (rc == 0)
		rc = regex_check(p, v, (const char *)pat->bytes, 1, pat->pcre_opts, &pat->re);
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
	if (rule_has_nul(v))
		return rule_err(p, v, false, "%s must not contain NUL bytes",
				pattern_kinds[kind + 1]);
	pat->op = calloc(1, sizeof(*pat->op));
	if (!pat->op)
		return rule_err(p, v, false, "out of memory");
	if (kind == PAT_ISDATAAT && *text == '!') {
		pat->negated = true;
		text++;
	}
	if (rule_byteop_parse(kind, text, &p->vars, pat->op, result, err, sizeof(err)) < 0)
		return rule_err(p, v, false, "%s: %s", pattern_kinds[kind + 1], err);
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
		return rule_err(p, v, false, "%s must not be empty", pattern_kinds[kind]);
	if (kind >= 4)
		return pattern_byteop(p, v, pat, (enum pattern_kind)(kind - 1));
	if (kind == 1 && rule_has_nul(v))
		return rule_err(p, v, false, "regex must not contain NUL bytes (write \\x00)");
	pat->kind = kind == 1 || kind == 3 ? PAT_REGEX : PAT_CONTENT;
	pat->bytes = malloc(v->len + 1);
	if (!pat->bytes)
		return rule_err(p, v, false, "out of memory");
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
	if (n->type == YNODE_SCALAR && !n->quoted && n->len && !rule_has_nul(n) &&
	    ((n->str[0] >= 'a' && n->str[0] <= 'z') || (n->str[0] >= 'A' && n->str[0] <= 'Z') ||
	     n->str[0] == '_')) {
		for (unsigned i = 0; i < p->vars.n; i++)
			if (strcmp(p->vars.names[i], n->str) == 0) {
				*var = (uint8_t)(i + 1);
				*out = 0;
				return 0;
			}
		return rule_err(p, n, false,
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
			return rule_err(p, n, false,
					"fast_pattern %u,%u is outside the content (%zu bytes)",
					off, len, pat->len);
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
			return rule_err(p, n, false,
					"buffer '%s' is not a buffer name (e.g. http.uri)", s);
	if (!*s || rule_has_nul(n))
		return rule_err(p, n, false, "buffer must not be empty");
	pat->buffer = strdup(s);
	return pat->buffer ? 0 : rule_err(p, n, false, "out of memory");
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
			return rule_err(p, n, false, "%s applies to content and hex patterns only",
					content_only[i]);
	}
	if (!content && !regex && ymap_get(pm, "nocase"))
		return rule_err(p, ymap_get(pm, "nocase"), false,
				"nocase applies to content, hex "
				"and regex patterns only");
	if (!regex && ymap_get(pm, "relative"))
		return rule_err(p, ymap_get(pm, "relative"), false,
				"relative applies to regex only (content uses distance/within; "
				"byte keywords say \"relative\" in their text)");
	if (ymap_get(pm, "not") && !content && !regex)
		return rule_err(
			p, ymap_get(pm, "not"), false,
			"not applies to content, hex and regex (isdataat negates with \"!N\")");
	if ((pat->has_offset || pat->has_depth) && (pat->has_distance || pat->has_within))
		return rule_err(p, pm, false,
				"offset/depth (absolute) and distance/within (relative) cannot be "
				"combined in one pattern");
	if (pat->startswith &&
	    (pat->has_offset || pat->has_depth || pat->has_distance || pat->has_within))
		return rule_err(
			p, ymap_get(pm, "startswith"), false,
			"startswith cannot be combined with offset, depth, distance or within");
	if (pat->negated && pat->fast_pattern)
		return rule_err(p, ymap_get(pm, "fast_pattern"), false,
				"a negated content cannot be the fast pattern");
	return 0;
}

static int pattern_parse(struct rparse *p, const struct ynode *pm, struct rule_pattern *pat)
{
	const struct ynode *v = NULL;
	int rc = 0;

	if (!pattern_keyset.ready && ykeyset_init(&pattern_keyset, pattern_keys) < 0)
		return rule_err(p, pm, false, "too many pattern keys"); /* never: 25 */
	if (ymap_check_keyset(pm, &pattern_keyset, "pattern", p->ld->d))
		return -1;
	rc |= pattern_value(p, pm, pat, &v);
	rc |= pattern_modifiers(p, pm, pat);
	if (rc < 0)
		return -1;
	if (pattern_combos(p, pm, pat) < 0)
		return -1;
	pat->v2 = pattern_is_v2(pm, pat);
	if (pat->kind == PAT_CONTENT && pat->has_depth && !pat->depth_var && pat->depth < pat->len)
		return rule_err(p, ymap_get(pm, "depth"), false,
				"depth %u is shorter than the content (%zu bytes)", pat->depth,
				pat->len);
	if (pat->kind == PAT_REGEX && !pat->pcre_opts && !ymap_get(pm, "pcre")) {
		pat->pcre_opts = pat->nocase ? PCRE2_CASELESS : 0;
		return regex_check(p, v, (const char *)pat->bytes, 0, pat->pcre_opts, &pat->re);
	}
	if (pat->kind == PAT_REGEX && pat->nocase && !(pat->pcre_opts & PCRE2_CASELESS)) {
		pat->pcre_opts |= PCRE2_CASELESS; /* the code checked above lacks it */
		rule_regex_unref(pat->re);
		pat->re = NULL;
	}
	return 0;
}

/*
 * The rule's buffers from its patterns' `buffer:` keys (a pattern without
 * the key takes the rule's; `pkt_data` is the payload). A rule whose
 * patterns name several buffers of one transaction is a multi-buffer rule:
 * r->buffers lists its distinct buffers, the one holding its prefilter
 * content (prefilter_pick: fast_pattern, else the longest content) first,
 * and r->buffer is the first of them that is not `pkt_data`, so it goes to
 * the plugin that declares that buffer. A rule mixing the payload with a
 * plugin's buffers (Suricata's contents before the first sticky buffer)
 * is such a rule: `pkt_data` is then a buffer of the transaction, the
 * message as sent, which the plugin passes (docs/rules.md, "The payload
 * with protocol buffers"); a plugin that does not declare `pkt_data`
 * refuses it at load (core/plugin_loader.c).
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

/* The buffer that names the rule's plugin: buffers[0] unless that is the
 * payload, then the first other (a multi-buffer rule has one). */
static const char *routing_buffer(const struct rule *r)
{
	for (size_t i = 0; i < r->n_buffers; i++)
		if (strcmp(r->buffers[i], "pkt_data") != 0)
			return r->buffers[i];
	return r->buffers[0];
}

uint8_t rule_pattern_var_uses(const struct rule_pattern *p)
{
	const uint8_t refs[] = {p->offset_var,
				p->depth_var,
				p->distance_var,
				p->within_var,
				p->op ? p->op->offset_var : PAT_NO_VAR,
				p->op ? p->op->value_var : PAT_NO_VAR};
	uint8_t bits = 0;

	for (size_t i = 0; i < sizeof(refs); i++)
		if (refs[i] != PAT_NO_VAR && refs[i] <= RULE_MAX_VARS)
			bits |= (uint8_t)(1u << (refs[i] - 1));
	return bits;
}

uint8_t rule_pattern_var_defs(const struct rule_pattern *p)
{
	if ((p->kind != PAT_BYTE_EXTRACT && p->kind != PAT_BYTE_MATH) || !p->op ||
	    p->op->result_var >= RULE_MAX_VARS)
		return 0;
	return (uint8_t)(1u << p->op->result_var);
}

/* Index of the first pattern on buffer b. */
static size_t buffer_first(const struct rule *r, const char *b)
{
	size_t i = 0;

	while (i < r->n_patterns && strcmp(r->patterns[i].buffer, b) != 0)
		i++;
	return i;
}

/* The last pattern before pattern i that sets variable bit `v`. */
static const struct rule_pattern *var_setter(const struct rule *r, size_t i, uint8_t v)
{
	while (i-- > 0)
		if (rule_pattern_var_defs(&r->patterns[i]) & v)
			return &r->patterns[i];
	return NULL;
}

/* A variable set on one buffer and read on another (carried from part to
 * part, matcher_tx.c): the parts run in the order of their buffers' first
 * patterns, so the setter's buffer must start before the reader's. */
static int vars_across_buffers(struct rparse *p, const struct ynode *list)
{
	const struct rule *r = p->r;

	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *pat = &r->patterns[i];
		uint8_t uses = rule_pattern_var_uses(pat);

		for (uint8_t v = 1; v && uses; v = (uint8_t)(v << 1)) {
			const struct rule_pattern *set = (uses & v) ? var_setter(r, i, v) : NULL;

			if (!set || strcmp(set->buffer, pat->buffer) == 0 ||
			    buffer_first(r, set->buffer) < buffer_first(r, pat->buffer))
				continue;
			return rule_err(p, list->items[i], false,
					"a variable set on buffer '%s' is read on buffer '%s', "
					"whose patterns start before it: the buffers are matched "
					"in the order they start, move the reading buffer after "
					"the setting one",
					set->buffer, pat->buffer);
		}
	}
	return 0;
}

static int rule_buffer_list(struct rparse *p, const struct ynode *list)
{
	struct rule *r = p->r;
	const struct rule_pattern *fp;

	r->buffers = calloc(r->n_patterns, sizeof(*r->buffers));
	if (!r->buffers || patterns_own_buffers(r) < 0)
		return rule_err(p, list, false, "out of memory");
	fp = prefilter_pick(r, NULL);
	r->buffers[r->n_buffers++] = (fp ? fp : &r->patterns[0])->buffer;
	for (size_t i = 0; i < r->n_patterns; i++) {
		const char *b = r->patterns[i].buffer;

		if (!buffer_listed(r, b))
			r->buffers[r->n_buffers++] = b;
	}
	free(r->buffer);
	r->buffer = strdup(routing_buffer(r));
	if (!r->buffer)
		return rule_err(p, list, false, "out of memory");
	return vars_across_buffers(p, list);
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
	return r->buffer ? 0 : rule_err(p, list, false, "out of memory");
}

/*
 * base64_decode: at most one per rule, followed by the patterns that look
 * at the decoded bytes (at least one; none of them the fast pattern; all
 * on the buffer the decoding reads, since the decoded bytes are not a
 * buffer of their own).
 */
static int base64_checks(struct rparse *p, const struct ynode *list)
{
	struct rule *r = p->r;
	size_t at = r->n_patterns;

	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *pat = &r->patterns[i];

		if (pat->kind == PAT_BASE64 && at < r->n_patterns)
			return rule_err(p, list->items[i], false,
					"a second base64_decode: one per rule");
		if (pat->kind == PAT_BASE64)
			at = i;
		else if (at < i && pat->fast_pattern)
			return rule_err(p, list->items[i], false,
					"a pattern on base64_decode's bytes cannot be the fast "
					"pattern");
		else if (at < i && strcmp(buffer_of(r, pat), buffer_of(r, &r->patterns[at])) != 0)
			return rule_err(p, list->items[i], false,
					"the patterns after base64_decode look at its decoded "
					"bytes: they take its buffer ('%s')",
					buffer_of(r, &r->patterns[at]));
	}
	if (at + 1 == r->n_patterns)
		return rule_err(p, list->items[at], false,
				"base64_decode needs patterns after it (they look at the decoded "
				"bytes, Suricata's base64_data)");
	return 0;
}

int rule_patterns(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "patterns");
	struct rule *r = p->r;
	int rc = 0;

	if (!n || ynode_is_null(n))
		return 0;
	if (n->type != YNODE_SEQ)
		return rule_err(p, n, false, "patterns must be a list of mappings");
	if (n->n > RULE_MAX_PATTERNS)
		return rule_err(p, n->items[RULE_MAX_PATTERNS], false,
				"more than %d patterns in one rule", RULE_MAX_PATTERNS);
	if (n->n == 0)
		return 0;
	r->patterns = calloc(n->n, sizeof(*r->patterns));
	if (!r->patterns)
		return rule_err(p, n, false, "out of memory");
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
		rc = base64_checks(p, n);
	if (rc == 0)
		rc = rule_pattern_buffers(p, n);
	return rc;
}
