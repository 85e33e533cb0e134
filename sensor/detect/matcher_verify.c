/*
 * matcher_verify.c - exact verification of a rule's patterns: the rule's
 * "program" (rule language v2, see matcher_verify.h).
 *
 * Design. A program is the rule's pattern list in keyword order plus the
 * PCRE2 codes of its regexes; it is run on one buffer after the prefilter
 * made the rule a candidate (or on every scan for rules without a usable
 * prefilter). Execution follows Suricata's content inspection:
 *   - a cursor `prev` (the end of the last content/regex match, where a
 *     byte_jump landed, or after the bytes a byte_extract read; 0 at the
 *     start) is what distance/within/relative refer to;
 *   - a content searches its window: absolute [offset, offset + depth),
 *     startswith [0, len), relative [prev + distance, prev + distance +
 *     within) (a negative distance below 0 starts at 0); endswith requires
 *     the match to end at the end of the buffer;
 *   - a regex searches from 0, or from `prev` when relative; the subject of
 *     a relative regex starts at `prev` (so ^ anchors there, as in
 *     Suricata); a regex with v1 offset/depth searches [offset, offset +
 *     depth);
 *   - negated contents and regexes pass when they do not match in their
 *     window and never move the cursor;
 *   - isdataat N passes when N < len (absolute) or prev + N <= len
 *     (relative); byte_test compares, byte_jump moves the cursor,
 *     byte_extract/byte_math set variables (byte_extract also moves the
 *     cursor past what it read); bsize compares the buffer's length;
 *   - base64_decode (Suricata's, with base64_data) decodes part of the
 *     buffer into the thread's env->b64 and runs the rest of the program
 *     on the decoded bytes, as a buffer of their own (cursor 0, base 0);
 *     nothing decoded is no match;
 *   - asn1 checks the BER objects from a position (matcher_asn1.c) and
 *     does not move the cursor; ftpbounce reads FTP PORT arguments at the
 *     cursor and compares them with the scanned packet's flow client
 *     (env->pkt).
 * Variables start at 0, or at what the caller gives (verify_prog_run_vars:
 * a multi-buffer rule carries them from one buffer's program to the next);
 * a run that matches hands back their values on its matching path.
 * Backtracking: when the keywords after a content or regex fail and the
 * next keyword is relative, the content is tried again at its next
 * occurrence (the regex from one byte after its last match start), as
 * Suricata does; otherwise the failure is final. Every content/regex
 * attempt costs one unit of the candidate's budget (VERIFY_BUDGET); when it
 * runs out the candidate does not match and env->limit_hits counts it.
 *
 * Stream data: `base` is the stream offset of buf[0]; absolute positions
 * (offset, depth, startswith, absolute isdataat and byte reads) count from
 * the stream start, so a window wholly before `base` cannot match there.
 *
 * Threads: a program is read-only after verify_prog_new (main thread);
 * verify_prog_run runs on any thread with that thread's env (match data,
 * match context) and allocates nothing, except the first match of each
 * regex in the process, which JIT-compiles it (rule_regex.c: lock-free,
 * published once; the regexes themselves were compiled at load and are
 * shared, by reference, with the rules and other programs).
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "detect/matcher_verify.h"

#include "detect/matcher_asn1.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vprog {
	const struct rule *r;
	struct rule_regex **codes; /* per pattern: the regex (a reference), else NULL */
	struct rule_regex *pcre;   /* the rule's v1 `pcre:` (a reference), or NULL */
	bool *next_relative;	   /* per pattern: the next keyword depends on its end */
};

struct vstate {
	const uint8_t *buf;
	size_t len;
	uint64_t base;
	size_t prev; /* cursor, a position in buf */
	uint64_t vars[RULE_MAX_VARS];
	const struct vprog *vp;
	struct verify_env *env;
};

static bool pattern_relative(const struct rule_pattern *p)
{
	switch (p->kind) {
	case PAT_CONTENT:
		return p->has_distance || p->has_within;
	case PAT_REGEX:
		return p->relative;
	case PAT_ISDATAAT:
	case PAT_BYTE_TEST:
	case PAT_BYTE_JUMP:
	case PAT_BYTE_EXTRACT:
	case PAT_BYTE_MATH:
		return p->op && p->op->relative;
	default:
		return false;
	}
}

/* The regex compiled at load when it has these options (a new reference),
 * else compiled here (rules not made by the loader). Either way not
 * JIT-compiled yet: rule_regex_code does it on first use. */
static struct rule_regex *regex_compile(struct rule_regex *loaded, const char *expr, size_t len,
					uint32_t opts, char *err, size_t errlen)
{
	int code;
	size_t off;
	struct rule_regex *re;
	PCRE2_UCHAR msg[160];

	if (loaded && rule_regex_is(loaded, expr, len, opts))
		return rule_regex_ref(loaded);
	re = rule_regex_new(expr, len, opts, &code, &off);
	if (re)
		return re;
	if (code == 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pcre2_get_error_message(code, msg, sizeof(msg));
	snprintf(err, errlen, "PCRE2 cannot compile regex: %s at offset %zu", (const char *)msg,
		 off);
	return NULL;
}

struct vprog *verify_prog_new(const struct rule *r, char *err, size_t errlen)
{
	struct vprog *vp = calloc(1, sizeof(*vp));
	size_t n = r->n_patterns ? r->n_patterns : 1;

	if (!vp)
		return NULL;
	vp->r = r;
	vp->codes = calloc(n, sizeof(*vp->codes));
	vp->next_relative = calloc(n, sizeof(*vp->next_relative));
	if (!vp->codes || !vp->next_relative)
		goto fail;
	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *p = &r->patterns[i];
		uint32_t opts = p->pcre_opts | (p->nocase ? PCRE2_CASELESS : 0);

		if (i + 1 < r->n_patterns)
			vp->next_relative[i] = pattern_relative(&r->patterns[i + 1]);
		if (p->kind != PAT_REGEX)
			continue;
		vp->codes[i] =
			regex_compile(p->re, (const char *)p->bytes, p->len, opts, err, errlen);
		if (!vp->codes[i])
			goto fail;
	}
	if (r->pcre) {
		vp->pcre = regex_compile(r->pcre_re, r->pcre, PCRE2_ZERO_TERMINATED,
					 r->pcre_options, err, errlen);
		if (!vp->pcre)
			goto fail;
	}
	return vp;
fail:
	verify_prog_free(vp);
	return NULL;
}

void verify_prog_free(struct vprog *vp)
{
	if (!vp)
		return;
	for (size_t i = 0; vp->codes && i < vp->r->n_patterns; i++)
		rule_regex_unref(vp->codes[i]);
	rule_regex_unref(vp->pcre);
	free(vp->codes);
	free(vp->next_relative);
	free(vp);
}

/* ------------------------------------------------------------- helpers */

static uint64_t num(const struct vstate *st, int64_t lit, uint8_t var)
{
	return var ? st->vars[var - 1] : (uint64_t)lit;
}

/* Stream offset `abs` as a position in buf, clamped to 0 before it. */
static size_t local(const struct vstate *st, uint64_t abs)
{
	return abs > st->base ? (size_t)(abs - st->base) : 0;
}

static bool spend(struct vstate *st)
{
	if (st->env->budget == 0) {
		st->env->limit_hit = true;
		return false;
	}
	st->env->budget--;
	return true;
}

static const uint8_t *find(const uint8_t *hay, size_t hlen, const uint8_t *needle, size_t nlen,
			   bool nocase)
{
	if (nlen == 0 || nlen > hlen)
		return NULL;
	if (!nocase)
		return memmem(hay, hlen, needle, nlen);
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j = 0;

		while (j < nlen && ((hay[i + j] ^ needle[j]) == 0 ||
				    (((hay[i + j] | 0x20) == (needle[j] | 0x20)) &&
				     (needle[j] | 0x20) >= 'a' && (needle[j] | 0x20) <= 'z')))
			j++;
		if (j == nlen)
			return hay + i;
	}
	return NULL;
}

/* The window [*from, *to) where content `p` may lie; false when empty. */
static bool content_window(const struct vstate *st, const struct rule_pattern *p, size_t *from,
			   size_t *to)
{
	uint64_t start, end = UINT64_MAX;

	if (p->has_distance || p->has_within) {
		int64_t dist = p->has_distance ? (int64_t)num(st, p->distance, p->distance_var) : 0;
		int64_t s = (int64_t)st->prev + dist;

		*from = s < 0 ? 0 : (size_t)s;
		*to = st->len;
		if (p->has_within) {
			int64_t e = s + (int64_t)num(st, p->within, p->within_var);

			if (e < 0)
				return false;
			if ((uint64_t)e < *to)
				*to = (size_t)e;
		}
		return *from < *to;
	}
	start = p->has_offset ? num(st, p->offset, p->offset_var) : 0;
	if (p->has_depth)
		end = start + num(st, p->depth, p->depth_var);
	if (p->startswith)
		end = start + p->len;
	if (end != UINT64_MAX && end <= st->base)
		return false;
	*from = local(st, start);
	*to = end == UINT64_MAX ? st->len : local(st, end);
	if (*to > st->len)
		*to = st->len;
	return *from < *to;
}

/* Next occurrence of content `p` starting at or after `at` in its window. */
static bool content_next(const struct vstate *st, const struct rule_pattern *p, size_t from,
			 size_t to, size_t at, size_t *pos)
{
	const uint8_t *hit;

	if (at < from)
		at = from;
	if (at >= to || to - at < p->len)
		return false;
	if (p->endswith) {
		if (to != st->len || st->len - p->len < at)
			return false;
		at = st->len - p->len;
	}
	hit = find(st->buf + at, to - at, p->bytes, p->len, p->nocase);
	if (!hit)
		return false;
	*pos = (size_t)(hit - st->buf);
	return true;
}

static int step(struct vstate *st, size_t i);

static int do_content(struct vstate *st, size_t i)
{
	const struct rule_pattern *p = &st->vp->r->patterns[i];
	size_t from, to, pos, at = 0, saved = st->prev;
	uint64_t vars[RULE_MAX_VARS];
	bool window = content_window(st, p, &from, &to);

	if (!spend(st))
		return -1;
	if (p->negated) {
		if (window && content_next(st, p, from, to, from, &pos))
			return 0;
		return step(st, i + 1);
	}
	memcpy(vars, st->vars, sizeof(vars));
	while (window && content_next(st, p, from, to, at, &pos)) {
		int rc;

		st->prev = pos + p->len;
		rc = step(st, i + 1);
		if (rc != 0)
			return rc;
		st->prev = saved;
		memcpy(st->vars, vars, sizeof(vars));
		if (!st->vp->next_relative[i] || !spend(st))
			return st->env->limit_hit ? -1 : 0;
		at = pos + 1;
	}
	return 0;
}

/* Bounds of a regex's subject: [*from, *to), searched from *from. */
static bool regex_window(const struct vstate *st, const struct rule_pattern *p, size_t *from,
			 size_t *to)
{
	*from = 0;
	*to = st->len;
	if (p->relative) {
		*from = st->prev;
		return *from <= st->len;
	}
	if (p->has_offset)
		*from = local(st, num(st, p->offset, p->offset_var));
	if (p->has_depth) {
		uint64_t end = num(st, p->offset, p->offset_var) + num(st, p->depth, p->depth_var);

		if (end <= st->base)
			return false;
		if (local(st, end) < *to)
			*to = local(st, end);
	}
	return *from <= *to;
}

/* Match `code` on buf[sub, to) from position `at`; the match is [*s, *e). */
static bool regex_at(struct vstate *st, const pcre2_code *code, size_t sub, size_t to, size_t at,
		     size_t *s, size_t *e)
{
	PCRE2_SIZE *ov;
	uint32_t opts = to < st->len ? PCRE2_NOTEOL : 0;

	if (pcre2_match(code, st->buf + sub, to - sub, at - sub, opts, st->env->md, st->env->mctx) <
	    0)
		return false;
	ov = pcre2_get_ovector_pointer(st->env->md);
	*s = sub + ov[0];
	*e = sub + ov[1];
	return true;
}

static int do_regex(struct vstate *st, size_t i)
{
	const struct rule_pattern *p = &st->vp->r->patterns[i];
	size_t from, to, s, e, at, saved = st->prev;
	uint64_t vars[RULE_MAX_VARS];
	bool window = regex_window(st, p, &from, &to);
	size_t sub = p->relative ? from : 0;
	const pcre2_code *code;

	if (!spend(st))
		return -1;
	code = rule_regex_code(st->vp->codes[i]);
	if (p->negated) {
		if (window && regex_at(st, code, sub, to, from, &s, &e))
			return 0;
		return step(st, i + 1);
	}
	memcpy(vars, st->vars, sizeof(vars));
	for (at = from; window && at <= to && regex_at(st, code, sub, to, at, &s, &e); at = s + 1) {
		int rc;

		st->prev = e;
		rc = step(st, i + 1);
		if (rc != 0)
			return rc;
		st->prev = saved;
		memcpy(st->vars, vars, sizeof(vars));
		if (!st->vp->next_relative[i] || !spend(st))
			return st->env->limit_hit ? -1 : 0;
	}
	return 0;
}

/* ------------------------------------------------------ byte keywords */

/* Where a byte keyword reads: relative to the cursor or absolute. */
static bool byte_pos(const struct vstate *st, const struct rule_byteop *op, size_t *pos)
{
	int64_t off = (int64_t)num(st, op->offset, op->offset_var);
	int64_t at;

	if (op->offset_var)
		off = (int64_t)(int32_t)st->vars[op->offset_var - 1];
	if (op->relative)
		at = (int64_t)st->prev + off;
	else
		at = off - (int64_t)st->base;
	if (at < 0 || (uint64_t)at > st->len || st->len - (size_t)at < op->nbytes)
		return false;
	*pos = (size_t)at;
	return true;
}

static bool read_string(const uint8_t *b, unsigned n, unsigned base, uint64_t *out)
{
	char tmp[24];
	char *end;

	memcpy(tmp, b, n);
	tmp[n] = '\0';
	if (!n || tmp[0] == '-' || tmp[0] == '+' || tmp[0] == ' ')
		return false;
	*out = strtoull(tmp, &end, (int)base);
	return end != tmp;
}

/* How many characters from `b` (at most `avail`, at most 23) are digits
 * of `base`: byte_test's 0-byte string read. */
static unsigned digits_of(const uint8_t *b, size_t avail, unsigned base)
{
	unsigned n = 0;

	while (n < avail && n < 23) {
		int c = tolower(b[n]);

		if (!(isdigit(c) && (unsigned)(c - '0') < base) &&
		    !(base == 16 && c >= 'a' && c <= 'f'))
			break;
		n++;
	}
	return n;
}

/* The value a byte keyword reads at `pos` (bitmask applied). */
static bool byte_read(const struct vstate *st, const struct rule_byteop *op, size_t pos,
		      uint64_t *out)
{
	const uint8_t *b = st->buf + pos;
	uint64_t v = 0;

	if (op->base) {
		unsigned n = op->nbytes ? op->nbytes : digits_of(b, st->len - pos, op->base);

		if (!read_string(b, n, op->base, &v))
			return false;
	} else {
		for (unsigned k = 0; k < op->nbytes; k++) {
			unsigned idx = op->little ? op->nbytes - 1 - k : k;

			v = (v << 8) | b[idx];
		}
	}
	if (op->bitmask) {
		unsigned shift = 0;

		v &= op->bitmask;
		while (!((op->bitmask >> shift) & 1))
			shift++;
		v >>= shift;
	}
	*out = v;
	return true;
}

static bool compare(enum byte_cmp cmp, uint64_t v, uint64_t ref, uint64_t ref2)
{
	switch (cmp) {
	case BCMP_LT:
		return v < ref;
	case BCMP_GT:
		return v > ref;
	case BCMP_EQ:
		return v == ref;
	case BCMP_LE:
		return v <= ref;
	case BCMP_GE:
		return v >= ref;
	case BCMP_AND:
		return (v & ref) != 0;
	case BCMP_XOR:
		return (v ^ ref) != 0;
	case BCMP_RANGE:
		return v > ref && v < ref2;
	}
	return false;
}

static int do_byte_test(struct vstate *st, const struct rule_byteop *op, size_t i)
{
	size_t pos;
	uint64_t v;
	bool ok;

	if (!byte_pos(st, op, &pos) || !byte_read(st, op, pos, &v))
		return 0;
	ok = compare(op->cmp, v, num(st, (int64_t)op->value, op->value_var), 0);
	if (ok == op->negate_cmp)
		return 0;
	return step(st, i + 1);
}

static int do_byte_jump(struct vstate *st, const struct rule_byteop *op, size_t i)
{
	size_t pos, saved = st->prev;
	uint64_t v;
	int64_t to;
	int rc;

	if (!byte_pos(st, op, &pos) || !byte_read(st, op, pos, &v) || v > UINT32_MAX)
		return 0;
	v *= op->multiplier;
	if (op->align && (v % op->align))
		v += op->align - v % op->align;
	if (op->from_beginning)
		to = (int64_t)v - (int64_t)st->base;
	else if (op->from_end)
		to = (int64_t)st->len + (int64_t)v;
	else
		to = (int64_t)(pos + op->nbytes) + (int64_t)v;
	to += op->post_offset;
	if (to < 0 || (uint64_t)to > st->len)
		return 0;
	st->prev = (size_t)to;
	rc = step(st, i + 1);
	st->prev = saved;
	return rc;
}

static int do_byte_extract(struct vstate *st, const struct rule_byteop *op, size_t i)
{
	size_t pos, saved = st->prev;
	uint64_t v;
	int rc;

	if (!byte_pos(st, op, &pos) || !byte_read(st, op, pos, &v))
		return 0;
	v *= op->multiplier;
	if (op->align && (v % op->align))
		v += op->align - v % op->align;
	st->vars[op->result_var] = v;
	st->prev = pos + op->nbytes;
	rc = step(st, i + 1);
	st->prev = saved;
	return rc;
}

static int do_byte_math(struct vstate *st, const struct rule_byteop *op, size_t i)
{
	uint64_t v, r;
	size_t pos;

	if (!byte_pos(st, op, &pos) || !byte_read(st, op, pos, &v))
		return 0;
	r = num(st, (int64_t)op->value, op->value_var);
	switch (op->oper) {
	case OPER_ADD:
		v += r;
		break;
	case OPER_SUB:
		v -= r;
		break;
	case OPER_MUL:
		v *= r;
		break;
	case OPER_DIV:
		if (!r)
			return 0;
		v /= r;
		break;
	case OPER_SHL:
		v = r < 64 ? v << r : 0;
		break;
	case OPER_SHR:
		v = r < 64 ? v >> r : 0;
		break;
	}
	st->vars[op->result_var] = v;
	return step(st, i + 1);
}

static int do_isdataat(struct vstate *st, const struct rule_pattern *p, size_t i)
{
	uint64_t n = num(st, p->op->offset, p->op->offset_var);
	bool there;

	if (p->op->relative)
		there = st->prev + n <= st->len;
	else
		there = n < st->base + st->len;
	if (there == p->negated)
		return 0;
	return step(st, i + 1);
}

static int do_bsize(struct vstate *st, const struct rule_byteop *op, size_t i)
{
	if (!compare(op->cmp, st->base + st->len, op->value, op->value2))
		return 0;
	return step(st, i + 1);
}

/* ------------------------------------------------------------ base64 */

/* The value of base64 character c (standard alphabet), or -1. */
static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	return c == '/' ? 63 : -1;
}

/* One group of four (characters or '='): its bytes into out, their count
 * (0 when the first two are not both characters: decoding stops). */
static size_t b64_group(const uint8_t g[4], uint8_t *out)
{
	int v[4];

	for (int k = 0; k < 4; k++)
		v[k] = g[k] == '=' ? -1 : b64_value(g[k]);
	if (v[0] < 0 || v[1] < 0)
		return 0;
	out[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
	if (v[2] < 0)
		return 1;
	out[1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
	if (v[3] < 0)
		return 2;
	out[2] = (uint8_t)(v[2] << 6 | v[3]);
	return 3;
}

/*
 * Suricata's base64_decode (its RFC 4648 mode): characters of the
 * alphabet and '=' are taken four at a time; the first other byte (or the
 * end) ends the input, its unfinished group padded with '='. A group
 * yields 3 bytes, 2 with one '=' at its end, 1 with '=' third; a group
 * whose first or second character is '=' (or a lone character) ends the
 * output there. '=' elsewhere does not stop decoding ("QQ==QkM=" is "ABC").
 * out holds at least n / 4 * 3 + 3 bytes. Returns the bytes decoded.
 */
static size_t b64_decode(const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t g[4];
	size_t got = 0, k = 0, step;

	for (size_t i = 0; i <= n; i++) {
		bool end = i == n || (in[i] != '=' && b64_value(in[i]) < 0);

		if (!end) {
			g[k++] = in[i];
			if (k < 4)
				continue;
		} else if (k == 0) {
			break;
		}
		while (k < 4)
			g[k++] = '=';
		step = b64_group(g, out + got);
		if (!step)
			break;
		got += step;
		k = 0;
		if (end)
			break;
	}
	return got;
}

/* base64_decode: decode at most op->value bytes from the cursor (relative)
 * or from op->offset, then run the rest of the program on the decoded
 * bytes as a buffer of their own (cursor 0); no bytes decoded: no match. */
static int do_base64(struct vstate *st, const struct rule_byteop *op, size_t i)
{
	struct vstate sub;
	uint64_t start;
	size_t avail, n;

	if (!st->env->b64)
		return 0;
	if (op->relative)
		start = (uint64_t)st->prev + (uint64_t)op->offset;
	else if ((uint64_t)op->offset < st->base)
		return 0; /* before this stream chunk */
	else
		start = (uint64_t)op->offset - st->base;
	if (start >= st->len)
		return 0;
	avail = st->len - (size_t)start;
	n = b64_decode(st->buf + start, avail < op->value ? avail : (size_t)op->value,
		       st->env->b64);
	if (n == 0)
		return 0;
	sub = *st;
	sub.buf = st->env->b64;
	sub.len = n;
	sub.base = 0;
	sub.prev = 0;
	return step(&sub, i + 1);
}

/* asn1: BER objects from the absolute offset (0 without one) or from the
 * cursor plus the relative offset (a position before the buffer, past
 * 65535 or at its end: no match); the cursor does not move. */
static int do_asn1(struct vstate *st, const struct rule_byteop *op, size_t i)
{
	int64_t at = op->relative ? (int64_t)st->prev + op->offset : op->offset - (int64_t)st->base;

	if (at < 0 || at > 65535 || (uint64_t)at >= st->len)
		return 0;
	if (!asn1_check(st->buf + at, st->len - (size_t)at, op))
		return 0;
	return step(st, i + 1);
}

/*
 * ftpbounce (Suricata's detect-ftpbounce, on the bytes from the cursor, the
 * arguments of the PORT command the content before it found): skip to the
 * first digit, read four decimal octets each ended by a comma (spaces
 * allowed before it; an octet above 256, four digits, or another byte: no
 * match); a match when they differ from the first four bytes of the flow's
 * client address. Fewer than 8 bytes from the cursor: no match.
 */
static bool ftp_port_bounces(const uint8_t *c, size_t n, const uint8_t client[4])
{
	size_t i = 0;
	unsigned octet = 0, digits = 0, got = 0;
	uint8_t ip[4];

	if (n < 8)
		return false;
	while (i < n && !isdigit(c[i]))
		i++;
	for (; i < n && digits < 4; i++) {
		if (isdigit(c[i])) {
			octet = octet * 10 + (unsigned)(c[i] - '0');
			digits++;
			continue;
		}
		if (octet > 256)
			return false;
		while (i < n && isspace(c[i]))
			i++;
		if (i >= n || c[i] != ',')
			return false;
		ip[got++] = (uint8_t)octet;
		octet = digits = 0;
		if (got == 4)
			return memcmp(ip, client, 4) != 0;
	}
	return false;
}

static int do_ftpbounce(struct vstate *st, size_t i)
{
	const struct ids_packet *p = st->env->pkt;
	const struct ids_addr *client;

	if (!p || st->prev > st->len)
		return 0;
	client = p->direction == IDS_DIR_TO_SERVER ? &p->src : &p->dst;
	if (!ftp_port_bounces(st->buf + st->prev, st->len - st->prev, client->bytes))
		return 0;
	return step(st, i + 1);
}

/* The rule's v1 `pcre:` anywhere in the buffer, last. */
static int do_final(struct vstate *st)
{
	size_t s, e;

	if (!st->vp->pcre)
		return 1;
	return regex_at(st, rule_regex_code(st->vp->pcre), 0, st->len, 0, &s, &e) ? 1 : 0;
}

static int step(struct vstate *st, size_t i)
{
	const struct rule_pattern *p;

	if (i == st->vp->r->n_patterns)
		return do_final(st);
	p = &st->vp->r->patterns[i];
	switch (p->kind) {
	case PAT_CONTENT:
		return do_content(st, i);
	case PAT_REGEX:
		return do_regex(st, i);
	case PAT_ISDATAAT:
		return do_isdataat(st, p, i);
	case PAT_BYTE_TEST:
		return do_byte_test(st, p->op, i);
	case PAT_BYTE_JUMP:
		return do_byte_jump(st, p->op, i);
	case PAT_BYTE_EXTRACT:
		return do_byte_extract(st, p->op, i);
	case PAT_BYTE_MATH:
		return do_byte_math(st, p->op, i);
	case PAT_BSIZE:
		return do_bsize(st, p->op, i);
	case PAT_BASE64:
		return do_base64(st, p->op, i);
	case PAT_ASN1:
		return do_asn1(st, p->op, i);
	case PAT_FTPBOUNCE:
		return do_ftpbounce(st, i);
	}
	return 0;
}

bool verify_prog_run_vars(const struct vprog *vp, const uint8_t *buf, size_t len, uint64_t base,
			  struct verify_env *env, uint64_t vars[RULE_MAX_VARS])
{
	static const uint8_t empty[1];
	struct vstate st = {
		.buf = buf ? buf : empty, .len = buf ? len : 0, .base = base, .vp = vp, .env = env};

	memcpy(st.vars, vars, sizeof(st.vars));
	env->budget = VERIFY_BUDGET;
	env->limit_hit = false;
	if (step(&st, 0) == 1) {
		memcpy(vars, st.vars, sizeof(st.vars));
		return true;
	}
	if (env->limit_hit)
		env->limit_hits++;
	return false;
}

bool verify_prog_run(const struct vprog *vp, const uint8_t *buf, size_t len, uint64_t base,
		     struct verify_env *env)
{
	uint64_t vars[RULE_MAX_VARS] = {0};

	return verify_prog_run_vars(vp, buf, len, base, env, vars);
}

bool verify_rule_needs_prog(const struct rule *r)
{
	if (r->v2 || r->stream_chunk)
		return true;
	for (size_t i = 0; i < r->n_patterns; i++)
		if (r->patterns[i].kind == PAT_CONTENT && r->patterns[i].len > VERIFY_LONG_CONTENT)
			return true;
	return false;
}
