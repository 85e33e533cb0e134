/*
 * matcher.c - compiled rule sets: one Hyperscan database per matcher (block
 * mode, or stream mode for reassembled streams), PCRE2 where Hyperscan
 * cannot decide alone (see matcher.h).
 *
 * Design. Every pattern of every rule gets one bit in its rule (bit i for
 * pattern i, bit n_patterns for the rule's pcre) and, unless it is checked
 * by PCRE2 alone, one Hyperscan pattern id. The database is compiled from:
 *   - contents: escaped literals (\xHH per byte), HS_FLAG_CASELESS for
 *     nocase, HS_FLAG_SINGLEMATCH, offset O / depth D as the extended
 *     parameters min_offset = O + len and max_offset = O + D (Hyperscan
 *     bounds the END of a match);
 *   - regexes Hyperscan supports: the same bounds with the regex's width
 *     when it is fixed; a variable-width regex with an offset gets
 *     HS_FLAG_SOM_LEFTMOST and the callback checks start >= O. A match whose
 *     leftmost start is before O may still hide a later start, so it only
 *     marks the pattern "maybe" and PCRE2 decides;
 *   - regexes Hyperscan rejects (backreferences, lookarounds, ...) and every
 *     rule's pcre: HS_FLAG_PREFILTER, confirmed by PCRE2 (JIT) after the
 *     scan on the same buffer within the same bounds: subject = buf,
 *     length = min(len, O + D), start offset = O, so ^, \b and lookbehind
 *     see the bytes before O as PCRE would (PCRE2_NOTEOL when the window
 *     was cut, so $ does not match at the cut);
 *   - a pattern that even prefilter mode refuses has no Hyperscan id and
 *     PCRE2 checks it on every scan where the rule is otherwise complete.
 * Each pattern starts at the most exact mode hs_expression_info accepts;
 * when the database compile still names a pattern, that pattern moves one
 * mode down and the database is compiled again. A content Hyperscan
 * refuses leaves only its rule out (logged with file:line:col, counted by
 * matcher_dropped_count), never the whole matcher.
 *
 * Program rules (rule_is_prog: v2 patterns, contents longer than
 * VERIFY_LONG_CONTENT, and in block mode v1 rules holding a content common
 * to many rules) have one spec: their prefilter (matcher_prefilter.c), a
 * literal in MODE_EXACT (the first VERIFY_LONG_CONTENT bytes of a longer
 * one), else a regex in MODE_PREFILTER, else none (then the rule is an
 * `always` rule); its check is the rule's program (mcheck.prog,
 * matcher_verify.c) instead of a PCRE2 code, always confirming.
 *
 * Dedup. Specs identical in everything Hyperscan and the callbacks read
 * (expression, flags, bounds, mode) form a group and are one Hyperscan id;
 * the id's mpat lists its targets, the (rule, bit) pairs of every spec of
 * the group, and the callbacks set each target's bit. A group moves down a
 * mode, or is left out, as a whole.
 *
 * Cache (matcher_cache.c). Before the first compile attempt the specs as
 * built (the compile's whole input) are hashed into a key; a cached entry
 * for it gives the database and each spec's final mode and left-out flag,
 * so the matcher is rebuilt exactly as the compile left it. A successful
 * compile is stored under that key.
 *
 * Scan. The callback only ORs the pattern's bit into its rule's per-thread
 * state (`got`, or `maybe` for an early SOM start) and, on a rule's first
 * hit, appends the rule to the thread's touched list; it never stops the
 * scan. Afterwards the touched rules whose required bits are all present
 * become candidates, are sorted by rule index and merged with the rules
 * that have no Hyperscan pattern (header-only or PCRE2-only, checked on
 * every scan); each candidate is reported when its PCRE2 checks and its
 * header pass. Only touched rules are reset, so a scan costs nothing per
 * rule that did not match.
 *
 * Stream mode (matcher_compile_stream, scanned by matcher_stream.c): the
 * same specs in one HS_MODE_STREAM database; how offsets, gaps, PCRE2
 * windows and program rules work on streams is described there.
 *
 * Port groups (matcher_ports.c): a stream matcher of directional rules
 * (compile_by_direction) and a block matcher (matcher_compile) also get
 * databases of the rules that a flow's server port (and, for packets, the
 * TCP or UDP protocol) can report; a stream picks one at its first chunk,
 * a packet at each scan. The header check is unchanged, so the alerts are
 * those of the matcher's one database.
 *
 * Address classes (matcher_addr.c): above the port groups, a block
 * matcher and each direction of a stream matcher also get databases of
 * the rules a packet can report given whether its source and destination
 * are in the home set the rules name most ($HOME_NET); each class has its
 * own port groups. Same header check, same alerts.
 *
 * Invariants: a rule has at most RULE_MAX_PATTERNS patterns, so its masks
 * fit in a uint64_t (a pcre that finds no bit left, i.e. beside 64
 * patterns, is checked by PCRE2 alone); a matcher is read-only after
 * matcher_compile, except that each regex is JIT-compiled by its first
 * match (rule_regex.c: lock-free, published once; the regexes are the
 * ones the rule loader compiled, shared by reference); state[] and
 * touched[] of a thread are all-zero / empty between scans.
 *
 * Threads. matcher_compile and matcher_free run on the main thread, before
 * workers start and after they stop. They maintain the process-wide
 * prototype scratch (grown by every compile with hs_alloc_scratch) and the
 * largest rule count; both are touched by the main thread only, so no lock.
 * matcher_thread_new clones the prototype and sizes the per-rule state for
 * the largest matcher; call it after the last matcher_compile. The
 * prototype is freed with the last matcher. matcher_scan runs on the
 * thread that owns `mt`, allocates nothing and takes no lock: matchers are
 * shared read-only, everything written lives in `mt` (PCRE2's interpreter
 * keeps its backtracking frames in the thread's match data, grown on first
 * need; JIT matches use the thread's preallocated JIT stack). A thread made
 * before a matcher was compiled lacks room for it: scanning that matcher
 * with it reports nothing rather than overrun. Stream scans follow the
 * same rules; a struct matcher_stream belongs to the worker whose flow it
 * is and is touched only on that worker's thread.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "detect/matcher.h"
#include "detect/matcher_internal.h"

#include <hs.h>
#include <limits.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "detect/matcher_cache.h"
#include "detect/matcher_prefilter.h"
#include "detect/matcher_verify.h"
#include "detect/rule_keys.h"
#include "detect/rules.h"

/* Process-wide, main thread only (see the file header). */
static hs_scratch_t *proto_scratch;
static size_t live_matchers;
static size_t max_rules;

/* ------------------------------------------------------------ compile */

/* One pattern (or pcre) while the database is being built. */
struct pspec {
	uint32_t rule;
	uint64_t bit;
	const char *what; /* "content", "regex", "pcre" for messages */
	int line, col;
	char *expr; /* owned: Hyperscan expression */
	const char *pcre_src;
	uint32_t pcre_opts;
	struct rule_regex *loaded; /* pcre_src compiled at load, or NULL */
	unsigned flags;		   /* Hyperscan flags of exact mode, before mode bits */
	enum pat_mode mode;
	bool content, som, bounded;
	uint32_t offset;
	bool has_depth;
	uint32_t depth;
	unsigned width; /* fixed width, or minimum width */
	bool fixed;
	bool every;		 /* the rule's stream_every */
	bool anchor;		 /* a regex that may hold ^, \A or \G */
	char hs_err[200];	 /* why exact mode was refused */
	const struct rule *prog; /* the rule's program confirms this spec */
	bool dropped;		 /* Hyperscan refused it: its rule is left out */
	uint32_t group;		 /* index of the first identical spec (itself if first) */
	uint32_t hs_id;		 /* Hyperscan id of its group in the last compile */
};

struct build {
	struct pspec *specs;
	size_t n, cap;
	bool stream;		   /* compiling for Hyperscan stream mode */
	bool keyed;		   /* key holds the cache key of this compile */
	struct prefilter_pop *pop; /* content popularity over the compile's rules */
	struct mcache_key key;
	char *err;
	size_t errlen;
};

static void fail_at(struct build *b, const struct ids_rule *pub, int line, int col, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));

static void fail_at(struct build *b, const struct ids_rule *pub, int line, int col, const char *fmt,
		    ...)
{
	const char *file = pub->file ? pub->file : "(no file)";
	int n;
	va_list ap;

	if (!b->err || !b->errlen)
		return;
	if (col > 0)
		n = snprintf(b->err, b->errlen, "%s:%d:%d: rule %u: ", file, line, col, pub->id);
	else
		n = snprintf(b->err, b->errlen, "%s:%d: rule %u: ", file, line, pub->id);
	if (n < 0 || (size_t)n >= b->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static struct pspec *spec_new(struct build *b)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct pspec *ns = realloc(b->specs, cap * sizeof(*ns));

		if (!ns)
			return NULL;
		b->specs = ns;
		b->cap = cap;
	}
	memset(&b->specs[b->n], 0, sizeof(b->specs[0]));
	return &b->specs[b->n++];
}

static char *escape_literal(const uint8_t *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *s = malloc(len * 4 + 1), *p = s;

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		*p++ = '\\';
		*p++ = 'x';
		*p++ = hex[bytes[i] >> 4];
		*p++ = hex[bytes[i] & 15];
	}
	*p = '\0';
	return s;
}

/* A leading (*UTF), (*UCP), ... verb would put Hyperscan in UTF-8 mode,
 * whose behaviour on invalid UTF-8 (hostile payloads) is undefined: such
 * expressions are left to PCRE2, which reports invalid UTF-8 as no match. */
static bool has_leading_verb(const char *expr)
{
	return expr[0] == '(' && expr[1] == '*';
}

/* Widths and exactness of a regex spec (mode, fixed, width, som). */
static void classify_regex(struct pspec *s)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *cerr = NULL;

	if (has_leading_verb(s->expr)) {
		s->mode = MODE_PCRE_ONLY;
		return;
	}
	if (hs_expression_info(s->expr, s->flags, &info, &cerr) != HS_SUCCESS) {
		snprintf(s->hs_err, sizeof(s->hs_err), "%s", cerr ? cerr->message : "unknown");
		hs_free_compile_error(cerr);
		s->mode = MODE_PREFILTER;
		if (hs_expression_info(s->expr, s->flags | HS_FLAG_PREFILTER, &info, &cerr) !=
		    HS_SUCCESS) {
			hs_free_compile_error(cerr);
			s->mode = MODE_PCRE_ONLY;
		}
		free(info);
		return;
	}
	s->fixed = info->min_width == info->max_width;
	s->width = info->min_width;
	s->som = !s->fixed && s->offset > 0;
	free(info);
}

static int add_content(struct build *b, uint32_t ri, const struct ids_rule *pub,
		       const struct rule_pattern *p, uint64_t bit)
{
	struct pspec *s;

	if (p->len == 0) {
		fail_at(b, pub, p->line, p->col, "empty content");
		return -1;
	}
	if (p->has_depth && p->depth < p->len) {
		fail_at(b, pub, p->line, p->col,
			"depth %u is shorter than the content (%zu bytes): it can never match",
			p->depth, p->len);
		return -1;
	}
	s = spec_new(b);
	if (!s)
		return -1;
	*s = (struct pspec){.rule = ri,
			    .bit = bit,
			    .what = "content",
			    .line = p->line,
			    .col = p->col,
			    .content = true,
			    .fixed = true,
			    .width = (unsigned)p->len};
	s->flags = p->nocase ? HS_FLAG_CASELESS : 0;
	s->offset = p->has_offset ? p->offset : 0;
	s->has_depth = p->has_depth;
	s->depth = p->depth;
	s->expr = escape_literal(p->bytes, p->len);
	return s->expr ? 0 : -1;
}

static int add_regex(struct build *b, uint32_t ri, const struct rule_pattern *p, uint64_t bit)
{
	struct pspec *s = spec_new(b);

	if (!s)
		return -1;
	*s = (struct pspec){
		.rule = ri, .bit = bit, .what = "regex", .line = p->line, .col = p->col};
	s->pcre_src = (const char *)p->bytes;
	s->pcre_opts = p->nocase ? PCRE2_CASELESS : 0;
	s->loaded = p->re;
	s->flags = HS_FLAG_ALLOWEMPTY | (p->nocase ? HS_FLAG_CASELESS : 0);
	s->offset = p->has_offset ? p->offset : 0;
	s->has_depth = p->has_depth;
	s->depth = p->depth;
	s->expr = strdup((const char *)p->bytes);
	if (!s->expr)
		return -1;
	s->anchor = strchr(s->expr, '^') || strstr(s->expr, "\\A") || strstr(s->expr, "\\G");
	classify_regex(s);
	return 0;
}

static int add_pcre(struct build *b, uint32_t ri, const struct rule *r, uint64_t bit)
{
	struct pspec *s = spec_new(b);
	bool extended = r->pcre_options & PCRE2_EXTENDED;
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *cerr = NULL;
	size_t n = strlen(r->pcre);

	if (!s)
		return -1;
	*s = (struct pspec){.rule = ri,
			    .bit = bit,
			    .what = "pcre",
			    .line = r->pcre_line,
			    .col = r->pcre_col,
			    .mode = MODE_PREFILTER};
	s->pcre_src = r->pcre;
	s->pcre_opts = r->pcre_options;
	s->loaded = r->pcre_re;
	s->flags = HS_FLAG_ALLOWEMPTY;
	s->flags |= (r->pcre_options & PCRE2_CASELESS) ? HS_FLAG_CASELESS : 0;
	s->flags |= (r->pcre_options & PCRE2_DOTALL) ? HS_FLAG_DOTALL : 0;
	s->flags |= (r->pcre_options & PCRE2_MULTILINE) ? HS_FLAG_MULTILINE : 0;
	s->expr = malloc(n + 5);
	if (!s->expr)
		return -1;
	snprintf(s->expr, n + 5, "%s%s", extended ? "(?x)" : "", r->pcre);
	if (!bit || (r->pcre_options & ~(uint32_t)PCRE_OPTS_HS_SAFE) || has_leading_verb(r->pcre)) {
		s->mode = MODE_PCRE_ONLY;
		return 0;
	}
	if (hs_expression_info(s->expr, s->flags | HS_FLAG_PREFILTER, &info, &cerr) != HS_SUCCESS) {
		hs_free_compile_error(cerr);
		s->mode = MODE_PCRE_ONLY;
	}
	free(info);
	return 0;
}

static int add_patterns(struct build *b, uint32_t ri, const struct ids_rule *pub,
			const struct rule *r)
{
	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *p = &r->patterns[i];
		int rc = p->kind == PAT_CONTENT ? add_content(b, ri, pub, p, UINT64_C(1) << i)
						: add_regex(b, ri, p, UINT64_C(1) << i);

		if (rc < 0)
			return -1;
	}
	if (r->pcre) {
		uint64_t bit = r->n_patterns < 64 ? UINT64_C(1) << r->n_patterns : 0;

		return add_pcre(b, ri, r, bit);
	}
	return 0;
}

/* A program rule without a content: its first regex that is neither
 * negated nor relative (a relative one anchors where the previous match
 * ended), as a Hyperscan prefilter expression; none: no Hyperscan pattern.
 * If Hyperscan refuses it, the compile moves it to PCRE-only. */
static int prog_regex_prefilter(struct pspec *s, const struct rule *r)
{
	for (size_t i = 0; i < r->n_patterns; i++) {
		const struct rule_pattern *p = &r->patterns[i];
		uint32_t opts = p->pcre_opts | (p->nocase ? PCRE2_CASELESS : 0);

		if (p->kind != PAT_REGEX || p->negated || p->relative ||
		    (opts & ~(uint32_t)PCRE_OPTS_HS_SAFE) ||
		    has_leading_verb((const char *)p->bytes))
			continue;
		s->line = p->line;
		s->col = p->col;
		s->what = "regex";
		s->mode = MODE_PREFILTER;
		s->flags = HS_FLAG_ALLOWEMPTY;
		s->flags |= (opts & PCRE2_CASELESS) ? HS_FLAG_CASELESS : 0;
		s->flags |= (opts & PCRE2_DOTALL) ? HS_FLAG_DOTALL : 0;
		s->flags |= (opts & PCRE2_MULTILINE) ? HS_FLAG_MULTILINE : 0;
		s->anchor = strchr((const char *)p->bytes, '^') != NULL;
		if (asprintf(&s->expr, "%s%s", (opts & PCRE2_EXTENDED) ? "(?x)" : "", p->bytes) < 0)
			s->expr = NULL;
		return s->expr ? 0 : -1;
	}
	return 0;
}

/* A program rule: one prefilter literal (bit 0) confirmed by the program,
 * or no Hyperscan pattern and the program on every scan. A literal longer
 * than VERIFY_LONG_CONTENT is cut to its first VERIFY_LONG_CONTENT bytes
 * (the program checks the whole). */
static int add_prog_rule(struct build *b, uint32_t ri, const struct rule *r)
{
	const struct rule_pattern *p = prefilter_pick(r, b->pop);
	struct pspec *s = spec_new(b);
	const uint8_t *bytes;
	size_t len;

	if (!s)
		return -1;
	*s = (struct pspec){.rule = ri,
			    .bit = 1,
			    .what = "content",
			    .line = r->pub.line,
			    .prog = r,
			    .mode = MODE_PCRE_ONLY};
	if (!p)
		return prog_regex_prefilter(s, r);
	bytes = p->fp_slice ? p->bytes + p->fp_offset : p->bytes;
	len = p->fp_slice ? p->fp_len : p->len;
	if (len > VERIFY_LONG_CONTENT)
		len = VERIFY_LONG_CONTENT;
	s->line = p->line;
	s->col = p->col;
	s->mode = MODE_EXACT; /* a literal; the program confirms (spec_needs_pcre) */
	s->content = s->fixed = true;
	s->width = (unsigned)len;
	s->flags = p->nocase ? HS_FLAG_CASELESS : 0;
	s->expr = escape_literal(bytes, len);
	return s->expr ? 0 : -1;
}

/* Program rules: v2 patterns, contents too long for Hyperscan, and (in
 * block mode) v1 rules with a common content beside a rare one. */
static bool rule_is_prog(const struct build *b, const struct rule *r)
{
	return verify_rule_needs_prog(r) || (!b->stream && prefilter_wants_prog(r, b->pop));
}

static int add_rule(struct build *b, uint32_t ri, const struct ids_rule *pub)
{
	const struct rule *r = rule_from_pub(pub);
	size_t first = b->n;

	if (!r) {
		fail_at(b, pub, pub->line, 0, "not a rule from a rule file, cannot be compiled");
		return -1;
	}
	if (r->n_patterns > RULE_MAX_PATTERNS) {
		fail_at(b, pub, pub->line, 0, "%zu patterns, at most %d are allowed", r->n_patterns,
			RULE_MAX_PATTERNS);
		return -1;
	}
	if (rule_is_prog(b, r) ? add_prog_rule(b, ri, r) < 0 : add_patterns(b, ri, pub, r) < 0)
		return -1;
	for (size_t i = first; i < b->n; i++)
		b->specs[i].every = r->stream_every;
	return 0;
}

/* Stream mode: only depth goes to Hyperscan, as max_offset, which bounds
 * the match end from the Hyperscan stream's start, never after the stream
 * offset (a restart after a gap only makes it looser). The offset is the
 * callback's check; so are the exact bounds. One report per stream is
 * enough unless the rule reports every chunk, or a later match may be the
 * one in bounds (an offset), or PCRE2 may refuse one (an anchor). */
static unsigned spec_hs_flags_stream(const struct pspec *s, hs_expr_ext_t *ext)
{
	bool single = !s->every && s->offset == 0 && !s->anchor;

	if (s->mode == MODE_PREFILTER)
		return s->flags | HS_FLAG_PREFILTER;
	if (s->has_depth) {
		ext->flags |= HS_EXT_FLAG_MAX_OFFSET;
		ext->max_offset = (unsigned long long)s->offset + s->depth;
	}
	if (s->som)
		return s->flags | HS_FLAG_SOM_LEFTMOST;
	return s->flags | (single ? HS_FLAG_SINGLEMATCH : 0);
}

/* Hyperscan flags and extended parameters of a spec in its current mode. */
static unsigned spec_hs_flags(const struct pspec *s, hs_expr_ext_t *ext, bool stream)
{
	memset(ext, 0, sizeof(*ext));
	if (stream)
		return spec_hs_flags_stream(s, ext);
	if (s->mode == MODE_PREFILTER)
		return s->flags | HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH;
	if (s->offset > 0) {
		ext->flags |= HS_EXT_FLAG_MIN_OFFSET;
		ext->min_offset = (unsigned long long)s->offset + s->width;
	}
	if (s->has_depth) {
		ext->flags |= HS_EXT_FLAG_MAX_OFFSET;
		ext->max_offset = (unsigned long long)s->offset + s->depth;
	}
	return s->flags | (s->som ? HS_FLAG_SOM_LEFTMOST : HS_FLAG_SINGLEMATCH);
}

/* What makes two specs one Hyperscan pattern: everything but rule and bit. */
static uint64_t spec_key_hash(const struct pspec *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *c = s->expr ? s->expr : ""; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	h = (h ^ s->flags) * 1099511628211ULL;
	h = (h ^ s->offset) * 1099511628211ULL;
	h = (h ^ (s->has_depth ? s->depth + 1ULL : 0)) * 1099511628211ULL;
	return h ^ ((uint64_t)s->mode << 1) ^ ((uint64_t)s->som << 3) ^ ((uint64_t)s->every << 5);
}

static bool spec_same(const struct pspec *a, const struct pspec *b)
{
	return a->expr && b->expr && strcmp(a->expr, b->expr) == 0 && a->flags == b->flags &&
	       a->offset == b->offset && a->has_depth == b->has_depth &&
	       (!a->has_depth || a->depth == b->depth) && a->mode == b->mode && a->som == b->som &&
	       a->every == b->every && a->anchor == b->anchor && a->width == b->width &&
	       a->fixed == b->fixed && a->content == b->content;
}

/* Set each spec's group: the first identical spec (open addressing on
 * spec_key_hash). Specs that never go to Hyperscan are their own group. */
static int group_specs(struct build *b)
{
	size_t cap = 64;
	uint32_t *slot;

	while (cap < b->n * 2)
		cap *= 2;
	slot = malloc(cap * sizeof(*slot));
	if (!slot)
		return -1;
	memset(slot, 0xff, cap * sizeof(*slot));
	for (size_t i = 0; i < b->n; i++) {
		struct pspec *s = &b->specs[i];
		size_t h;

		s->group = (uint32_t)i;
		if (s->mode == MODE_PCRE_ONLY || !s->expr)
			continue;
		for (h = spec_key_hash(s) & (cap - 1); slot[h] != UINT32_MAX;
		     h = (h + 1) & (cap - 1))
			if (spec_same(&b->specs[slot[h]], s))
				break;
		if (slot[h] == UINT32_MAX)
			slot[h] = (uint32_t)i;
		else
			s->group = slot[h];
	}
	free(slot);
	return 0;
}

/* Hyperscan refused a content: leave its rule out (every spec of it), say
 * so once, and go on with the others. */
static void drop_rule(struct build *b, const struct ids_rule *const *rules, const struct pspec *s,
		      const char *why)
{
	uint32_t g = s->group;

	for (size_t i = 0; i < b->n; i++) {
		const struct pspec *m = &b->specs[i];
		const struct ids_rule *pub = rules[m->rule];

		if (m->group != g || m->dropped)
			continue;
		log_warn("%s:%d:%d: rule %u: Hyperscan cannot compile content: %s; rule left out",
			 pub->file ? pub->file : "(no file)", m->line, m->col, pub->id, why);
		for (size_t j = 0; j < b->n; j++)
			if (b->specs[j].rule == m->rule)
				b->specs[j].dropped = true;
	}
}

/* Every spec of group g moves one mode down (their expression failed). */
static void degrade_group(struct build *b, uint32_t g, const char *why)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pspec *s = &b->specs[i];

		if (s->group != g)
			continue;
		if (s->mode == MODE_EXACT && !s->hs_err[0])
			snprintf(s->hs_err, sizeof(s->hs_err), "%s", why);
		s->mode++;
		s->som = false;
	}
}

/* ------------------------------------------------------------ cache */

/* The compile's input as the cache key (computed before any retry, so it
 * only depends on the rules). */
static void cache_key(const struct build *b, struct mcache_key *k)
{
	mcache_key_init(k);
	mcache_key_add(k, &b->stream, sizeof(b->stream));
	for (size_t i = 0; i < b->n; i++) {
		const struct pspec *s = &b->specs[i];
		uint32_t f[10] = {s->rule,  s->flags, s->mode,	s->offset, s->has_depth,
				  s->depth, s->som,   s->every, s->anchor, s->group};

		mcache_key_add(k, f, sizeof(f));
		mcache_key_add(k, s->expr ? s->expr : "", s->expr ? strlen(s->expr) : 0);
	}
}

/* Per spec: its final mode and whether its rule was left out. */
static uint8_t *cache_info(const struct build *b)
{
	uint8_t *info = malloc(b->n ? b->n : 1);

	for (size_t i = 0; info && i < b->n; i++)
		info[i] = (uint8_t)(b->specs[i].mode | (b->specs[i].dropped ? 0x10 : 0));
	return info;
}

/* A cached database for this compile: the specs take the decisions it was
 * built with and get their Hyperscan ids as a compile would give them. */
static int cache_try(struct build *b, hs_database_t **db)
{
	uint8_t *info = malloc(b->n ? b->n : 1);
	uint32_t k = 0;

	if (!info)
		return -1;
	cache_key(b, &b->key);
	b->keyed = true;
	*db = mcache_load(&b->key, info, b->n);
	for (size_t i = 0; *db && i < b->n; i++) {
		struct pspec *s = &b->specs[i];

		s->mode = (enum pat_mode)(info[i] & 0x0f);
		s->dropped = (info[i] & 0x10) != 0;
		s->som = s->som && s->mode == MODE_EXACT;
	}
	for (size_t i = 0; *db && i < b->n; i++) {
		struct pspec *s = &b->specs[i];

		if (s->mode != MODE_PCRE_ONLY && !s->dropped && s->group == i)
			s->hs_id = k++;
	}
	free(info);
	return *db ? 0 : -1;
}

static void cache_put(struct build *b, const hs_database_t *db)
{
	uint8_t *info;

	if (!mcache_enabled() || !b->keyed)
		return;
	info = cache_info(b);
	if (info)
		mcache_store(&b->key, info, b->n, db);
	free(info);
}

/* Compile the specs still meant for Hyperscan; on a pattern's failure move
 * it one mode down and retry (a content's rule is left out instead). `*db` stays NULL when no spec
 * remains. */
static int compile_db(struct build *b, const struct ids_rule *const *rules, hs_database_t **db)
{
	size_t n = b->n ? b->n : 1;
	const char **exprs = calloc(n, sizeof(*exprs));
	unsigned *flags = calloc(n, sizeof(*flags)), *ids = calloc(n, sizeof(*ids));
	hs_expr_ext_t *ext = calloc(n, sizeof(*ext));
	const hs_expr_ext_t **extp = calloc(n, sizeof(*extp));
	size_t *map = calloc(n, sizeof(*map));
	int rc = -1;

	if (!exprs || !flags || !ids || !ext || !extp || !map || group_specs(b) < 0)
		goto out_free;
	if (mcache_enabled() && cache_try(b, db) == 0) {
		rc = 0;
		goto out_free;
	}
	for (;;) {
		hs_compile_error_t *cerr = NULL;
		unsigned k = 0, mode = b->stream ? HS_MODE_STREAM : HS_MODE_BLOCK;
		struct pspec *s;

		for (size_t i = 0; i < b->n; i++) {
			if (b->specs[i].mode == MODE_PCRE_ONLY || b->specs[i].dropped ||
			    b->specs[i].group != i)
				continue;
			b->specs[i].hs_id = k;
			exprs[k] = b->specs[i].expr;
			flags[k] = spec_hs_flags(&b->specs[i], &ext[k], b->stream);
			if (b->stream && (flags[k] & HS_FLAG_SOM_LEFTMOST))
				mode |= HS_MODE_SOM_HORIZON_SMALL;
			extp[k] = &ext[k];
			ids[k] = k;
			map[k++] = i;
		}
		if (k == 0) {
			rc = 0;
			break;
		}
		if (hs_compile_ext_multi(exprs, flags, ids, extp, k, mode, NULL, db, &cerr) ==
		    HS_SUCCESS) {
			rc = 0;
			cache_put(b, *db);
			break;
		}
		if (!cerr || cerr->expression < 0) {
			fail_at(b, rules[b->specs[0].rule], rules[b->specs[0].rule]->line, 0,
				"Hyperscan cannot compile the rule set: %s",
				cerr ? cerr->message : "unknown error");
			hs_free_compile_error(cerr);
			break;
		}
		s = &b->specs[map[cerr->expression]];
		if (s->content) {
			drop_rule(b, rules, s, cerr->message);
			hs_free_compile_error(cerr);
			continue;
		}
		if (s->mode == MODE_EXACT && !s->hs_err[0])
			snprintf(s->hs_err, sizeof(s->hs_err), "%s", cerr->message);
		degrade_group(b, s->group, cerr->message);
		hs_free_compile_error(cerr);
	}
out_free:
	free(exprs);
	free(flags);
	free(ids);
	free(ext);
	free(extp);
	free(map);
	return rc;
}

/* The spec's regex: the one compiled at load (shared), else compiled here;
 * JIT-compiled on first use (rule_regex.c). */
static struct rule_regex *compile_pcre(struct build *b, const struct ids_rule *pub,
				       const struct pspec *s)
{
	int code;
	size_t off;
	struct rule_regex *re;
	PCRE2_UCHAR msg[160];

	if (s->loaded && rule_regex_is(s->loaded, s->pcre_src, PCRE2_ZERO_TERMINATED, s->pcre_opts))
		return rule_regex_ref(s->loaded);
	re = rule_regex_new(s->pcre_src, PCRE2_ZERO_TERMINATED, s->pcre_opts, &code, &off);
	if (re)
		return re;
	if (s->hs_err[0]) {
		fail_at(b, pub, s->line, s->col, "Hyperscan cannot compile %s: %s", s->what,
			s->hs_err);
		return NULL;
	}
	if (code == 0) {
		fail_at(b, pub, s->line, s->col, "out of memory");
		return NULL;
	}
	pcre2_get_error_message(code, msg, sizeof(msg));
	fail_at(b, pub, s->line, s->col, "PCRE2 cannot compile %s: %s at offset %zu", s->what,
		(const char *)msg, off);
	return NULL;
}

static void matcher_free_parts(struct ids_matcher *m)
{
	if (m->rules) {
		for (size_t i = 0; i < m->n_rules; i++) {
			for (uint32_t j = 0; j < m->rules[i].n_checks; j++) {
				rule_regex_unref(m->rules[i].checks[j].re);
				verify_prog_free(m->rules[i].checks[j].prog);
			}
			free(m->rules[i].checks);
		}
	}
	free(m->rules);
	free(m->pats);
	free(m->targets);
	mgroups_free(&m->groups);
	free(m->always);
	hs_free_database(m->db);
	matcher_tx_free(m->tx);
	free(m);
}

/* Stream mode also confirms an anchored regex once the Hyperscan stream
 * restarted after a gap (its ^ would match at the restart). */
static bool spec_needs_pcre(const struct pspec *s, bool stream)
{
	if (s->dropped)
		return false;
	if (s->prog)
		return true;
	return s->mode != MODE_EXACT || s->som || (stream && s->anchor);
}

/* The confirmation of spec `s` into check `c`: its rule's program, or its
 * PCRE2 code. */
static int fill_check(struct build *b, const struct ids_rule *pub, const struct pspec *s,
		      struct mcheck *c)
{
	char err[200] = "";

	if (!s->prog) {
		c->re = compile_pcre(b, pub, s);
		return c->re ? 0 : -1;
	}
	c->prog = verify_prog_new(s->prog, err, sizeof(err));
	if (!c->prog && err[0])
		fail_at(b, pub, pub->line, 0, "%s", err);
	return c->prog ? 0 : -1;
}

static struct mpat spec_mpat(const struct pspec *s)
{
	struct mpat p = {.min_from = s->som ? s->offset : 0,
			 .max_end = s->has_depth ? (uint64_t)s->offset + s->depth : UINT64_MAX,
			 .anchor = s->anchor};

	if (s->mode == MODE_PREFILTER)
		p.kind = MP_CONFIRM;
	else if (s->som)
		p.kind = MP_SOM;
	else if (s->offset > 0) /* not SOM: fixed width */
		p.min_end = (uint64_t)s->offset + s->width;
	return p;
}

/* The Hyperscan id table: one mpat per group that went to Hyperscan, its
 * targets (every spec of the group) contiguous in m->targets. */
static int fill_targets(struct build *b, struct ids_matcher *m)
{
	size_t n_ids = 0, n_t = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct pspec *s = &b->specs[i];

		if (s->mode == MODE_PCRE_ONLY || s->dropped)
			continue;
		n_t++;
		if (s->group == i) {
			m->pats[s->hs_id] = spec_mpat(s);
			n_ids = s->hs_id + 1 > n_ids ? s->hs_id + 1 : n_ids;
		}
	}
	m->n_pats = n_ids;
	m->targets = calloc(n_t ? n_t : 1, sizeof(*m->targets));
	if (!m->targets)
		return -1;
	for (size_t i = 0; i < b->n; i++) { /* counts, then starts */
		const struct pspec *s = &b->specs[i];

		if (s->mode != MODE_PCRE_ONLY && !s->dropped)
			m->pats[b->specs[s->group].hs_id].n++;
	}
	for (size_t id = 0, at = 0; id < n_ids; at += m->pats[id++].n)
		m->pats[id].first = (uint32_t)at;
	for (size_t id = 0; id < n_ids; id++)
		m->pats[id].n = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct pspec *s = &b->specs[i];
		struct mpat *p;

		if (s->mode == MODE_PCRE_ONLY || s->dropped)
			continue;
		p = &m->pats[b->specs[s->group].hs_id];
		m->targets[p->first + p->n++] = (struct mtarget){.rule = s->rule, .bit = s->bit};
	}
	return 0;
}

/* Rule masks, PCRE2 checks and the Hyperscan id table from the specs. */
static int fill_rules(struct build *b, const struct ids_rule *const *rules, struct ids_matcher *m)
{
	if (fill_targets(b, m) < 0)
		return -1;

	for (size_t i = 0; i < b->n; i++) {
		struct pspec *s = &b->specs[i];
		struct mrule *mr = &m->rules[s->rule];
		struct mcheck *c;

		if (s->dropped) {
			mr->dropped = true;
			continue;
		}
		mr->prog = s->prog != NULL;
		if (s->mode != MODE_PCRE_ONLY) {
			mr->need |= s->bit;
			if (s->mode == MODE_PREFILTER || s->prog)
				mr->confirm |= s->bit;
		}
		mr->sneed |= s->bit;
		if (!spec_needs_pcre(s, b->stream))
			continue;
		m->need_ring = m->stream;
		c = &mr->checks[mr->n_checks];
		if (fill_check(b, rules[s->rule], s, c) < 0)
			return -1;
		mr->n_checks++;
		c->bit = s->bit;
		c->always = s->mode == MODE_PCRE_ONLY;
		c->start = s->offset;
		c->end = s->has_depth ? (size_t)s->offset + s->depth : SIZE_MAX;
	}
	return 0;
}

static int alloc_rules(struct build *b, struct ids_matcher *m, const struct ids_rule *const *rules,
		       size_t n)
{
	m->rules = calloc(n ? n : 1, sizeof(*m->rules));
	m->pats = calloc(b->n ? b->n : 1, sizeof(*m->pats));
	m->always = calloc(n ? n : 1, sizeof(*m->always));
	if (!m->rules || !m->pats || !m->always)
		return -1;
	m->n_rules = n;
	for (size_t i = 0; i < n; i++) {
		m->rules[i].pub = rules[i];
		m->rules[i].r = rule_from_pub(rules[i]);
		m->rules[i].every = m->rules[i].r->stream_every;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct mrule *mr = &m->rules[b->specs[i].rule];

		if (spec_needs_pcre(&b->specs[i], b->stream))
			mr->n_checks++;
	}
	for (size_t i = 0; i < n; i++) {
		struct mrule *mr = &m->rules[i];

		if (mr->n_checks && !(mr->checks = calloc(mr->n_checks, sizeof(*mr->checks))))
			return -1;
		mr->n_checks = 0;
	}
	return 0;
}

static void build_free(struct build *b)
{
	prefilter_pop_free(b->pop);
	for (size_t i = 0; i < b->n; i++)
		free(b->specs[i].expr);
	free(b->specs);
}

/* Rules checked on every scan: no Hyperscan pattern; in stream mode also
 * the rules with a PCRE2-only pattern (run on each chunk until it matched). */
static void fill_always(struct ids_matcher *m)
{
	for (size_t i = 0; i < m->n_rules; i++) {
		const struct mrule *mr = &m->rules[i];

		if (mr->dropped) {
			m->n_dropped++;
			continue;
		}
		if (!mr->need || (m->stream && mr->sneed != mr->need))
			m->always[m->n_always++] = (uint32_t)i;
	}
}

static struct ids_matcher *compile(const struct ids_rule *const *rules, size_t n, char *err,
				   size_t errlen, bool stream)
{
	struct build b = {.err = err, .errlen = errlen, .stream = stream};
	struct ids_matcher *m = calloc(1, sizeof(*m));

	if (err && errlen)
		err[0] = '\0';
	if (!m)
		goto fail;
	m->stream = stream;
	b.pop = prefilter_pop_new(rules, n);
	for (size_t i = 0; i < n; i++)
		if (add_rule(&b, (uint32_t)i, rules[i]) < 0)
			goto fail;
	if (compile_db(&b, rules, &m->db) < 0)
		goto fail;
	if (alloc_rules(&b, m, rules, n) < 0)
		goto fail;
	if (fill_rules(&b, rules, m) < 0)
		goto fail;
	fill_always(m);
	if (!stream && mgroups_build(&m->groups, m) < 0)
		goto fail;
	m->grouped = !stream;
	if (m->db && hs_alloc_scratch(m->db, &proto_scratch) != HS_SUCCESS) {
		if (err && errlen)
			snprintf(err, errlen, "cannot allocate Hyperscan scratch space");
		goto fail;
	}
	build_free(&b);
	live_matchers++;
	if (n > max_rules)
		max_rules = n;
	return m;
fail:
	if (err && errlen && !err[0])
		snprintf(err, errlen, "out of memory compiling rules");
	build_free(&b);
	if (m)
		matcher_free_parts(m);
	return NULL;
}

struct ids_matcher *matcher_compile_set(const struct ids_rule *const *rules, size_t n, char *err,
					size_t errlen, bool stream)
{
	return compile(rules, n, err, errlen, stream);
}

/* Multi-buffer rules need matcher_compile_tx: refuse them here. */
static bool single_buffer_rules(const struct ids_rule *const *rules, size_t n, char *err,
				size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = rule_from_pub(rules[i]);

		if (r && r->n_buffers > 1) {
			if (err && errlen)
				snprintf(err, errlen,
					 "rule %u (%s:%d) looks at several buffers: compile it "
					 "with matcher_compile_tx",
					 rules[i]->id, rules[i]->file ? rules[i]->file : "?",
					 rules[i]->line);
			return false;
		}
	}
	return true;
}

struct ids_matcher *matcher_compile(const struct ids_rule *const *rules, size_t n, char *err,
				    size_t errlen)
{
	struct ids_matcher *m;

	if (!single_buffer_rules(rules, n, err, errlen))
		return NULL;
	m = compile(rules, n, err, errlen, false);
	if (!m)
		return NULL;
	if (maddr_build(m, rules, n, -1, err, errlen) < 0 ||
	    ((!m->addr || m->addr->whole_used) &&
	     mport_packet_build(m, rules, n, err, errlen) < 0)) {
		matcher_free(m);
		return NULL;
	}
	return m;
}

struct ids_matcher *matcher_compile_group_set(const struct ids_rule *const *rules, size_t n,
					      int dir, char *err, size_t errlen)
{
	struct ids_matcher *m = compile(rules, n, err, errlen, dir >= 0);

	if (!m || dir < 0)
		return m;
	if (mport_groups_build(&m->ports[dir], rules, n, (unsigned)dir, m, "stream", err, errlen) <
	    0) {
		matcher_free(m);
		return NULL;
	}
	return m;
}

/* A matcher that holds other matchers' work (a transaction matcher, the
 * two directions of a stream matcher), counted as live and sizing the
 * threads' per-rule state for `n_rules`. */
static struct ids_matcher *matcher_shell(size_t n_rules)
{
	struct ids_matcher *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	live_matchers++;
	if (n_rules > max_rules)
		max_rules = n_rules;
	return m;
}

struct ids_matcher *matcher_wrap_tx(struct matcher_tx *tx, size_t n_rules)
{
	struct ids_matcher *m = matcher_shell(n_rules);

	if (m)
		m->tx = tx;
	return m;
}

/* Whether a rule is checked only on one direction's data: a rule with
 * `direction: to_server` (to_client), or Suricata's `flow: to_server`
 * (rule_keys.c, checked by rule_eval.c flow_match), is never reported for
 * a chunk of the other direction, whose packet is its data's sender
 * (rule_header_match). */
bool matcher_only_other_direction(const struct ids_rule *pub, unsigned dir)
{
	const struct rule *r = rule_from_pub(pub);
	enum rule_direction other =
		dir == IDS_DIR_TO_SERVER ? RULE_DIR_TO_CLIENT : RULE_DIR_TO_SERVER;
	uint8_t other_flow = dir == IDS_DIR_TO_SERVER ? RFLOW_TO_CLIENT : RFLOW_TO_SERVER;

	return r && (r->direction == other || (r->keys && (r->keys->flow & other_flow)));
}

/*
 * Stream rules split by the direction of the data: the responses of a
 * protocol carry most of the bytes (bodies) and most rules look at
 * requests, so each direction's streams are scanned by a database of only
 * the rules that can be reported there. Worth it when some rules name a
 * direction; the alerts are those of one matcher of all the rules.
 */
static struct ids_matcher *compile_by_direction(const struct ids_rule *const *rules, size_t n,
						char *err, size_t errlen)
{
	const struct ids_rule **sub = malloc(n * sizeof(*sub));
	struct ids_matcher *m = matcher_shell(n);

	if (!sub || !m)
		goto fail;
	m->stream = true;
	m->n_rules = n;
	for (unsigned d = 0; d < 2; d++) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (!matcher_only_other_direction(rules[i], d))
				sub[k++] = rules[i];
		if (!(m->by_dir[d] = compile(sub, k, err, errlen, true)))
			goto fail;
		if (maddr_build(m->by_dir[d], sub, k, (int)d, err, errlen) < 0)
			goto fail;
		if ((!m->by_dir[d]->addr || m->by_dir[d]->addr->whole_used) &&
		    mport_groups_build(&m->ports[d], sub, k, d, m->by_dir[d], "stream", err,
				       errlen) < 0)
			goto fail;
		/* the counts a caller may ask for: the larger direction's */
		if (m->by_dir[d]->n_pats > m->n_pats)
			m->n_pats = m->by_dir[d]->n_pats;
		if (m->by_dir[d]->n_dropped > m->n_dropped)
			m->n_dropped = m->by_dir[d]->n_dropped;
	}
	free(sub);
	return m;
fail:
	free(sub);
	matcher_free(m);
	return NULL;
}

struct ids_matcher *matcher_compile_stream(const struct ids_rule *const *rules, size_t n, char *err,
					   size_t errlen)
{
	bool directional = false;

	if (!single_buffer_rules(rules, n, err, errlen))
		return NULL;
	for (size_t i = 0; i < n && !directional; i++)
		directional = matcher_only_other_direction(rules[i], IDS_DIR_TO_SERVER) ||
			      matcher_only_other_direction(rules[i], IDS_DIR_TO_CLIENT);
	if (directional)
		return compile_by_direction(rules, n, err, errlen);
	return compile(rules, n, err, errlen, true);
}

void matcher_free(struct ids_matcher *m)
{
	if (!m)
		return;
	mport_groups_free(m->ports[0]);
	mport_groups_free(m->ports[1]);
	mport_packet_free(m);
	maddr_free(m->addr);
	m->addr = NULL;
	matcher_free(m->by_dir[0]);
	matcher_free(m->by_dir[1]);
	matcher_free_parts(m);
	if (--live_matchers == 0) {
		hs_free_scratch(proto_scratch);
		proto_scratch = NULL;
		max_rules = 0;
	}
}

size_t matcher_pattern_count(const struct ids_matcher *m)
{
	return m ? m->n_pats : 0;
}

size_t matcher_rule_count(const struct ids_matcher *m)
{
	return m ? m->n_rules : 0;
}

size_t matcher_dropped_count(const struct ids_matcher *m)
{
	return m ? m->n_dropped : 0;
}

uint64_t matcher_thread_limit_hits(const struct matcher_thread *mt)
{
	return mt ? mt->venv.limit_hits : 0;
}

/* -------------------------------------------------------------- thread */

struct matcher_thread *matcher_thread_new(void)
{
	struct matcher_thread *mt = calloc(1, sizeof(*mt));

	if (!mt)
		return NULL;
	mt->cap = max_rules;
	mt->state = calloc(mt->cap ? mt->cap : 1, sizeof(*mt->state));
	mt->touched = calloc(mt->cap ? mt->cap : 1, sizeof(*mt->touched));
	mt->by_addr = calloc(mt->cap ? 2 * mt->cap : 1, sizeof(*mt->by_addr));
	mt->txcand = calloc(mt->cap ? mt->cap : 1, sizeof(*mt->txcand));
	mt->md = pcre2_match_data_create(1, NULL);
	mt->mctx = pcre2_match_context_create(NULL);
	mt->jit_stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	mt->window = malloc(2 * STREAM_WINDOW);
	mt->venv.b64 = malloc(VERIFY_B64_MAX);
	if (!mt->venv.b64 || !mt->state || !mt->touched || !mt->by_addr || !mt->txcand || !mt->md ||
	    !mt->mctx || !mt->jit_stack || !mt->window)
		goto fail;
	pcre2_jit_stack_assign(mt->mctx, NULL, mt->jit_stack);
	mt->venv.md = mt->md;
	mt->venv.mctx = mt->mctx;
	if (proto_scratch && hs_clone_scratch(proto_scratch, &mt->scratch) != HS_SUCCESS)
		goto fail;
	return mt;
fail:
	matcher_thread_free(mt);
	return NULL;
}

void matcher_thread_free(struct matcher_thread *mt)
{
	if (!mt)
		return;
	hs_free_scratch(mt->scratch);
	pcre2_match_data_free(mt->md);
	pcre2_match_context_free(mt->mctx);
	pcre2_jit_stack_free(mt->jit_stack);
	free(mt->state);
	free(mt->touched);
	free(mt->by_addr);
	free(mt->txcand);
	free(mt->window);
	free(mt->venv.b64);
	free(mt);
}

/* ---------------------------------------------------------------- scan */

static int on_hs_match(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *ctx)
{
	struct matcher_thread *mt = ctx;
	const struct mpat *p = &mt->pats[id];

	for (uint32_t k = 0; k < p->n; k++) {
		const struct mtarget *t = &mt->targets[p->first + k];
		struct rstate *st = &mt->state[t->rule];

		if (!(st->got | st->maybe))
			mt->touched[mt->n_touched++] = t->rule;
		if (from >= p->min_from)
			st->got |= t->bit;
		else
			st->maybe |= t->bit;
	}
	return 0;
}

/* Keep the touched rules whose required bits are all there; reset the
 * others. Returns how many were kept (at the front of touched[]). */
static size_t keep_candidates(struct matcher_thread *mt, const struct ids_matcher *m)
{
	size_t k = 0;

	for (size_t i = 0; i < mt->n_touched; i++) {
		uint32_t ri = mt->touched[i];
		struct rstate *st = &mt->state[ri];
		uint64_t need = m->rules[ri].need;

		if (((st->got | st->maybe) & need) == need)
			mt->touched[k++] = ri;
		else
			*st = (struct rstate){0, 0, 0};
	}
	return k;
}

void matcher_drop_touched(struct matcher_thread *mt)
{
	for (size_t i = 0; i < mt->n_touched; i++)
		mt->state[mt->touched[i]] = (struct rstate){0, 0, 0};
	mt->n_touched = 0;
}

static void sift_down(uint32_t *a, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		uint32_t t;

		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		t = a[root];
		a[root] = a[child];
		a[child] = t;
	}
}

/* Ascending; insertion sort for the usual handful, heap sort beyond. */
void matcher_sort_indexes(uint32_t *a, size_t n)
{
	if (n <= 24) {
		for (size_t i = 1; i < n; i++) {
			uint32_t v = a[i];
			size_t j = i;

			for (; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n - 1; end > 0; end--) {
		uint32_t t = a[0];

		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

static bool check_pcre(const struct mcheck *c, struct matcher_thread *mt, const uint8_t *buf,
		       size_t len)
{
	size_t end = len;
	uint32_t opts = 0;

	if (c->prog)
		return verify_prog_run(c->prog, buf, len, 0, &mt->venv);
	if (c->start > len)
		return false;
	if (c->end < len) {
		end = c->end;
		opts = PCRE2_NOTEOL;
	}
	return pcre2_match(rule_regex_code(c->re), buf, end, c->start, opts, mt->md, mt->mctx) >= 0;
}

/* Header first (cheap), then the PCRE2 checks the scan left open. */
static bool rule_confirm(const struct mrule *mr, const struct rstate *st, struct matcher_thread *mt,
			 const struct ids_packet *pkt, const uint8_t *buf, size_t len)
{
	uint64_t todo = (st->maybe & ~st->got) | (st->got & mr->confirm);

	if (pkt && !rule_header_match(mr->r, pkt))
		return false;
	for (uint32_t i = 0; i < mr->n_checks; i++) {
		const struct mcheck *c = &mr->checks[i];

		if ((c->always || (c->bit & todo)) && !check_pcre(c, mt, buf, len))
			return false;
	}
	return true;
}

/* Sorted lists merged in rule order (they hold distinct rules). */
struct merge {
	const uint32_t *list[4];
	size_t n[4], at[4];
};

static bool merge_next(struct merge *mg, uint32_t *ri)
{
	int best = -1;

	for (int l = 0; l < 4; l++)
		if (mg->at[l] < mg->n[l] &&
		    (best < 0 || mg->list[l][mg->at[l]] < mg->list[best][mg->at[best]]))
			best = l;
	if (best < 0)
		return false;
	*ri = mg->list[best][mg->at[best]++];
	return true;
}

/* The Hyperscan candidates, then (in rule order with them) the rules
 * without a pattern: with a packet only its (proto, dst port) group, the
 * rules indexed by its addresses and the generic ones, else every one. */
static void merge_init(struct merge *mg, const struct matcher_thread *mt,
		       const struct ids_matcher *m, size_t k, const struct ids_packet *pkt)
{
	memset(mg, 0, sizeof(*mg));
	mg->list[0] = mt->touched;
	mg->n[0] = k;
	if (!m->grouped || !pkt) {
		mg->list[1] = m->always;
		mg->n[1] = m->n_always;
		return;
	}
	mg->list[1] = m->groups.generic;
	mg->n[1] = m->groups.n_generic;
	mg->list[2] = mgroups_find(&m->groups, pkt->proto, pkt->dport, &mg->n[2]);
	mg->list[3] = mt->by_addr;
	mg->n[3] = mgroups_by_addr(&m->groups, &pkt->src, &pkt->dst, mt->by_addr, 2 * mt->cap);
}

static unsigned report(struct matcher_thread *mt, const struct ids_matcher *m, size_t k,
		       const struct ids_packet *pkt, const uint8_t *buf, size_t len,
		       ids_match_fn cb, void *ctx)
{
	struct merge mg;
	unsigned n = 0;
	uint32_t ri;

	merge_init(&mg, mt, m, k, pkt);
	while (merge_next(&mg, &ri)) {
		if (!rule_confirm(&m->rules[ri], &mt->state[ri], mt, pkt, buf, len))
			continue;
		n++;
		if (cb(m->rules[ri].pub, ctx))
			break;
	}
	return n;
}

unsigned matcher_scan(struct matcher_thread *mt, const struct ids_matcher *m,
		      const struct ids_packet *pkt, const uint8_t *buf, size_t len, ids_match_fn cb,
		      void *ctx)
{
	static const uint8_t empty[1];
	unsigned n;
	size_t k = 0;

	if (m && pkt && m->addr)
		m = maddr_pick(m, pkt);
	if (m && pkt && m->pkt_grouped)
		m = mport_packet_pick(m, pkt);
	if (!mt || !m || !cb || m->stream || m->tx || m->n_rules > mt->cap)
		return 0;
	mt->venv.pkt = pkt;
	if (!buf) {
		buf = empty;
		len = 0;
	}
	mt->pats = m->pats;
	mt->targets = m->targets;
	mt->n_touched = 0;
	if (m->db) {
		unsigned hlen = len > UINT_MAX ? UINT_MAX : (unsigned)len;

		if (hs_scan(m->db, (const char *)buf, hlen, 0, mt->scratch, on_hs_match, mt) !=
		    HS_SUCCESS)
			matcher_drop_touched(mt); /* no scratch for this matcher: nothing matched */
		k = keep_candidates(mt, m);
		matcher_sort_indexes(mt->touched, k);
	}
	n = report(mt, m, k, pkt, buf, len, cb, ctx);
	for (size_t i = 0; i < k; i++)
		mt->state[mt->touched[i]] = (struct rstate){0, 0, 0};
	return n;
}

size_t matcher_scan_rules(const struct ids_matcher *m, const struct ids_packet *pkt)
{
	if (m && pkt && m->addr)
		m = maddr_pick(m, pkt);
	if (m && pkt && m->pkt_grouped)
		m = mport_packet_pick(m, pkt);
	return m ? m->n_rules : 0;
}

bool matcher_is_stream(const struct ids_matcher *m)
{
	return m && m->stream;
}
