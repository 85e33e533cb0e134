/*
 * matcher_tx.c - multi-buffer rules: a rule whose patterns name several
 * buffers of one transaction (http.method + http.uri + http.header of a
 * request; a request's http.uri and its response's http.stat_code),
 * matched when a plugin hands over a transaction's buffers
 * (ids_services.matcher_tx_scan, ABI 1.4).
 *
 * Design. Each rule is cut into parts, one per buffer it names: a part is
 * a copy of the rule (header, keys, variables) holding only the patterns
 * of its buffer, in their order, so each buffer's content chain runs in
 * its own cursor context (Suricata: relative keywords are relative within
 * the same buffer). The rule's primary part is the one of buffers[0], the
 * buffer holding its prefilter content (rules.c picks it with
 * prefilter_pick: fast_pattern, else the longest content); it also keeps
 * the rule's v1 `pcre`. Primary parts go, per buffer, into an ordinary
 * block matcher (matcher_compile): ONE Hyperscan prefilter pattern per
 * rule, deduplicated across rules, its exact program and header check;
 * primary parts without a usable content (negated-only, pcre-only) are
 * that matcher's prefilter-less rules, checked whenever the buffer is
 * there. The other parts are programs only (verify_prog_*), run on a
 * candidate. Variables (byte_extract, byte_math) set on one buffer and
 * read on another are carried: such a rule's parts all run as programs,
 * in the order of their first patterns, each starting with the values the
 * earlier ones matched with (its primary's buffer matcher then checks only
 * its prefilter content, see primary_split). The payload is a buffer like
 * the others here, `pkt_data`,
 * when the plugin names it (a rule mixing Suricata's payload contents
 * with the plugin's buffers; what it holds is the plugin's choice).
 *
 * A step of a transaction (matcher_tx_scan) passes buffers by index in the
 * names the matcher was compiled with, each fresh (new in this step) or
 * not (held from an earlier step). A rule is a candidate when its primary
 * part matched, every buffer it names is present and one of them is
 * fresh; then its other parts are verified, in rule order. Since a plugin
 * makes each buffer fresh at most once per transaction, a rule fires at
 * most once per transaction, and a rule that needs a buffer which never
 * comes never fires. A negated-only part is evaluated exactly when its
 * buffer is present. A held buffer is scanned again only when some rule
 * whose primary part it holds needs one of the step's fresh buffers
 * (matcher_tx.reach): the hits of the others could make no candidate, so
 * a response's body step does not rescan its head and request buffers
 * for rules that never look at a body.
 *
 * Rules on one buffer (matcher_compile_tx_single, ABI 1.5) join the same
 * per-buffer databases as a part of their own: the whole rule, unchanged.
 * Such a rule is a candidate when its buffer is fresh and not empty, so it
 * is reported once per buffer, as a matcher_compile of that buffer would
 * report it, and a plugin that holds the buffer for the multi-buffer rules
 * anyway scans it with Hyperscan once instead of twice (the http plugin's
 * bodies). Its alerts come in rule order with the multi-buffer ones.
 *
 * Threads: compile/free on the main thread (like matcher_compile). Scans
 * run on the worker with its struct matcher_thread: the buffer matchers'
 * scratch and state, the verify env, and txcand (sized by
 * matcher_wrap_tx); nothing is allocated and nothing is locked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/matcher.h"
#include "detect/matcher_internal.h"
#include "detect/matcher_prefilter.h"
#include "detect/matcher_verify.h"

/* One buffer of one rule. `sub` comes first: a buffer matcher reports
 * &sub.pub, whose priv points back at sub, hence at the part. */
struct txpart {
	struct rule sub;
	struct rule_pattern *pats; /* owned array; their contents are the rule's */
	uint32_t buf;		   /* index in the matcher's buffer names */
	uint32_t rule;		   /* index of its rule in matcher_tx.rules */
	struct vprog *prog;	   /* non-primary parts (every part of a carrying
				      rule); NULL for the primary */
	/* a carrying rule's primary: `full` is the whole part, which `prog`
	 * runs, while `sub` holds its prefilter content alone */
	struct rule full;
	struct rule_pattern *fp; /* owned: sub's one pattern */
	uint32_t first;		 /* index in the rule of its first pattern */
	uint8_t defs, uses;	 /* variables it sets / reads (bit per index) */
};

struct txrule {
	const struct ids_rule *pub; /* the caller's */
	uint64_t need;		    /* bit per buffer index it names */
	struct txpart *parts;	    /* parts[0]: the primary */
	size_t n_parts;
	/* a part reads a variable another part sets: every part runs as a
	 * program, in `order` (the rule's keyword order of their first
	 * patterns), the variables carried from one to the next */
	bool carry;
	uint8_t *order; /* owned, n_parts part indexes; NULL unless carry */
	bool single;	/* a rule on one buffer (matcher_compile_tx_single) */
};

struct matcher_tx {
	size_t n_bufs;
	struct ids_matcher *bm[IDS_TX_MAX_BUFFERS]; /* primary parts per buffer */
	/* per buffer: the buffers its primary parts' rules need (OR of their
	 * `need`); a step whose fresh buffers miss reach[b] skips bm[b]: none
	 * of its hits could make a candidate */
	uint64_t reach[IDS_TX_MAX_BUFFERS];
	struct txrule *rules;
	size_t n_rules;
};

/* ------------------------------------------------------------ compile */

static void tx_err(char *err, size_t errlen, const struct ids_rule *r, const char *what,
		   const char *name)
{
	if (err && errlen)
		snprintf(err, errlen, "rule %u (%s:%d): %s '%s'", r->id, r->file ? r->file : "?",
			 r->line, what, name);
}

static int buf_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* The part of rule r on buffer `name`: the rule with only its patterns. */
static int part_init(struct txpart *pt, const struct rule *r, const char *name, bool primary)
{
	size_t k = 0;

	pt->pats = calloc(r->n_patterns ? r->n_patterns : 1, sizeof(*pt->pats));
	if (!pt->pats)
		return -1;
	pt->first = UINT32_MAX;
	for (size_t i = 0; i < r->n_patterns; i++) {
		if (!r->patterns[i].buffer || strcmp(r->patterns[i].buffer, name) != 0)
			continue;
		if (pt->first == UINT32_MAX)
			pt->first = (uint32_t)i;
		pt->defs |= rule_pattern_var_defs(&r->patterns[i]);
		pt->uses |= rule_pattern_var_uses(&r->patterns[i]);
		pt->pats[k++] = r->patterns[i];
	}
	pt->sub = *r;
	pt->sub.patterns = pt->pats;
	pt->sub.n_patterns = k;
	pt->sub.buffer = NULL;
	pt->sub.buffers = NULL;
	pt->sub.n_buffers = 0;
	pt->sub.v2 = true;
	if (!primary)
		pt->sub.pcre = NULL;
	pt->sub.pub.buffer = NULL;
	pt->sub.pub.buffers = NULL;
	pt->sub.pub.n_buffers = 0;
	pt->sub.pub.priv = &pt->sub;
	return 0;
}

/* A carrying rule's primary part: the whole part runs as a program in the
 * chain (`full`); the buffer matcher gets its prefilter content alone,
 * without positions or variables, so that a candidate needs only that
 * content somewhere in the buffer (a superset; the chain decides). */
static int primary_split(struct txpart *pt, char *err, size_t errlen)
{
	const struct rule_pattern *fp = prefilter_pick(&pt->sub, NULL);

	pt->full = pt->sub;
	pt->full.pub.priv = &pt->full;
	if (!(pt->prog = verify_prog_new(&pt->full, err, errlen)))
		return -1;
	pt->sub.pcre = NULL;
	pt->sub.n_patterns = 0;
	if (!fp)
		return 0;
	if (!(pt->fp = calloc(1, sizeof(*pt->fp))))
		return -1;
	*pt->fp = (struct rule_pattern){
		.kind = PAT_CONTENT,
		.bytes = fp->bytes,
		.len = fp->len,
		.nocase = fp->nocase,
		.v2 = true,
		.fast_pattern = 1,
		.fp_slice = fp->fp_slice,
		.fp_offset = fp->fp_offset,
		.fp_len = fp->fp_len,
		.buffer = fp->buffer,
	};
	pt->sub.patterns = pt->fp;
	pt->sub.n_patterns = 1;
	return 0;
}

/* A part reads a variable another sets (byte_extract on one buffer, its
 * value used on another): every part runs, in the order of its first
 * pattern, each reading only what it or an earlier part set (the loader
 * refuses other rules, rules_pattern.c vars_across_buffers). */
static int carry_init(struct txrule *tr, char *err, size_t errlen)
{
	uint8_t set = 0;

	for (size_t p = 0; p < tr->n_parts; p++)
		tr->carry |= (tr->parts[p].uses & ~tr->parts[p].defs) != 0;
	if (!tr->carry)
		return 0;
	if (!(tr->order = malloc(tr->n_parts)))
		return -1;
	for (size_t p = 0; p < tr->n_parts; p++) {
		size_t at = p;

		while (at > 0 && tr->parts[tr->order[at - 1]].first > tr->parts[p].first) {
			tr->order[at] = tr->order[at - 1];
			at--;
		}
		tr->order[at] = (uint8_t)p;
	}
	for (size_t i = 0; i < tr->n_parts; i++) {
		const struct txpart *pt = &tr->parts[tr->order[i]];

		if (pt->uses & ~(set | pt->defs)) {
			tx_err(err, errlen, tr->pub, "reads a variable set on a later buffer than",
			       tr->pub->buffers[0]);
			return -1;
		}
		set |= pt->defs;
	}
	return primary_split(&tr->parts[0], err, errlen);
}

/* A rule on one buffer (matcher_compile_tx_single): one part, the whole
 * rule unchanged (v1 or v2, its pcre), so the buffer's database decides it
 * exactly as a matcher_compile of that buffer would. */
static int single_init(struct matcher_tx *tx, uint32_t ri, const struct rule *r, char *err,
		       size_t errlen, const char *const *names)
{
	struct txrule *tr = &tx->rules[ri];
	int bi = buf_index(names, tx->n_bufs, r->pub.buffer);

	if (bi < 0) {
		tx_err(err, errlen, &r->pub, "names a buffer the plugin does not pass:",
		       r->pub.buffer ? r->pub.buffer : "payload");
		return -1;
	}
	if (!(tr->parts = calloc(1, sizeof(*tr->parts))))
		return -1;
	tr->n_parts = 1;
	tr->single = true;
	tr->need = 1ULL << bi;
	tr->parts[0].sub = *r;
	tr->parts[0].sub.pub.priv = &tr->parts[0].sub;
	tr->parts[0].buf = (uint32_t)bi;
	tr->parts[0].rule = ri;
	return 0;
}

static int rule_init(struct matcher_tx *tx, uint32_t ri, const struct ids_rule *pub,
		     const char *const *names, bool singles, char *err, size_t errlen)
{
	const struct rule *r = rule_from_pub(pub);
	struct txrule *tr = &tx->rules[ri];

	tr->pub = pub;
	if (r && singles && r->n_buffers < 2 && pub->buffer)
		return single_init(tx, ri, r, err, errlen, names);
	if (!r || r->n_buffers < 2) {
		tx_err(err, errlen, pub,
		       "is not a multi-buffer rule:", pub->buffer ? pub->buffer : "payload");
		return -1;
	}
	tr->parts = calloc(r->n_buffers, sizeof(*tr->parts));
	if (!tr->parts)
		return -1;
	for (size_t b = 0; b < r->n_buffers; b++) {
		struct txpart *pt = &tr->parts[tr->n_parts];
		int bi = buf_index(names, tx->n_bufs, r->buffers[b]);

		if (bi < 0) {
			tx_err(err, errlen, pub,
			       "names a buffer the plugin does not pass:", r->buffers[b]);
			return -1;
		}
		pt->buf = (uint32_t)bi;
		pt->rule = ri;
		tr->need |= 1ULL << bi;
		tr->n_parts++;
		if (part_init(pt, r, r->buffers[b], b == 0) < 0)
			return -1;
		if (b > 0 && !(pt->prog = verify_prog_new(&pt->sub, err, errlen)))
			return -1;
	}
	return carry_init(tr, err, errlen);
}

/* One block matcher per buffer with the primary parts there. */
static int compile_buffers(struct matcher_tx *tx, char *err, size_t errlen)
{
	const struct ids_rule **subset = calloc(tx->n_rules ? tx->n_rules : 1, sizeof(*subset));
	int rc = -1;

	if (!subset)
		return -1;
	for (size_t b = 0; b < tx->n_bufs; b++) {
		size_t k = 0;

		for (size_t i = 0; i < tx->n_rules; i++)
			if (tx->rules[i].parts[0].buf == b)
				subset[k++] = &tx->rules[i].parts[0].sub.pub;
		if (k && !(tx->bm[b] = matcher_compile(subset, k, err, errlen)))
			goto done;
	}
	rc = 0;
done:
	free(subset);
	return rc;
}

void matcher_tx_free(struct matcher_tx *tx)
{
	if (!tx)
		return;
	for (size_t b = 0; b < tx->n_bufs; b++)
		matcher_free(tx->bm[b]);
	for (size_t i = 0; i < tx->n_rules && tx->rules; i++) {
		struct txrule *tr = &tx->rules[i];

		for (size_t p = 0; p < tr->n_parts; p++) {
			verify_prog_free(tr->parts[p].prog);
			free(tr->parts[p].pats);
			free(tr->parts[p].fp);
		}
		free(tr->parts);
		free(tr->order);
	}
	free(tx->rules);
	free(tx);
}

static struct ids_matcher *compile_tx(const struct ids_rule *const *rules, size_t n,
				      const char *const *buf_names, size_t n_bufs, bool singles,
				      char *err, size_t errlen)
{
	struct matcher_tx *tx = calloc(1, sizeof(*tx));
	struct ids_matcher *m;

	if (err && errlen)
		err[0] = '\0';
	if (!tx || n_bufs > IDS_TX_MAX_BUFFERS || (n_bufs && !buf_names))
		goto fail;
	tx->n_bufs = n_bufs;
	tx->rules = calloc(n ? n : 1, sizeof(*tx->rules));
	if (!tx->rules)
		goto fail;
	for (size_t i = 0; i < n; i++, tx->n_rules++)
		if (rule_init(tx, (uint32_t)i, rules[i], buf_names, singles, err, errlen) < 0) {
			tx->n_rules++;
			goto fail;
		}
	for (size_t i = 0; i < tx->n_rules; i++)
		tx->reach[tx->rules[i].parts[0].buf] |= tx->rules[i].need;
	if (compile_buffers(tx, err, errlen) < 0)
		goto fail;
	m = matcher_wrap_tx(tx, n);
	if (m)
		return m;
fail:
	if (err && errlen && !err[0])
		snprintf(err, errlen,
			 n_bufs > IDS_TX_MAX_BUFFERS ? "more than IDS_TX_MAX_BUFFERS buffer names"
						     : "out of memory compiling rules");
	matcher_tx_free(tx);
	return NULL;
}

struct ids_matcher *matcher_compile_tx(const struct ids_rule *const *rules, size_t n,
				       const char *const *buf_names, size_t n_bufs, char *err,
				       size_t errlen)
{
	return compile_tx(rules, n, buf_names, n_bufs, false, err, errlen);
}

struct ids_matcher *matcher_compile_tx_single(const struct ids_rule *const *rules, size_t n,
					      const char *const *buf_names, size_t n_bufs,
					      char *err, size_t errlen)
{
	return compile_tx(rules, n, buf_names, n_bufs, true, err, errlen);
}

/* --------------------------------------------------------------- scan */

/* What one step knows about its buffers. */
struct txstep {
	const struct matcher_tx *tx;
	struct matcher_thread *mt;
	const struct ids_tx_buffer *by[IDS_TX_MAX_BUFFERS];
	uint64_t present, fresh;
};

/* A buffer matcher's report: the primary part of a rule matched. */
static int on_primary(const struct ids_rule *rule, void *ctx)
{
	struct txstep *st = ctx;
	const struct txpart *pt = (const struct txpart *)rule->priv;
	const struct txrule *tr = &st->tx->rules[pt->rule];

	if ((tr->need & ~st->present) || !(tr->need & st->fresh))
		return 0;
	if (tr->single && !st->by[pt->buf]->len)
		return 0; /* as plugins never scan an empty buffer alone */
	st->mt->txcand[st->mt->n_txcand++] = pt->rule;
	return 0;
}

/* A carrying rule: every part, in order, the variables carried along. */
static bool parts_carry(const struct txstep *st, const struct txrule *tr)
{
	uint64_t vars[RULE_MAX_VARS] = {0};
	static const uint8_t empty[1];

	for (size_t i = 0; i < tr->n_parts; i++) {
		const struct txpart *pt = &tr->parts[tr->order[i]];
		const struct ids_tx_buffer *b = st->by[pt->buf];

		if (!verify_prog_run_vars(pt->prog, b->data ? b->data : empty, b->data ? b->len : 0,
					  0, &st->mt->venv, vars))
			return false;
	}
	return true;
}

static bool parts_match(const struct txstep *st, const struct txrule *tr)
{
	static const uint8_t empty[1];

	if (tr->carry)
		return parts_carry(st, tr);
	for (size_t p = 1; p < tr->n_parts; p++) {
		const struct txpart *pt = &tr->parts[p];
		const struct ids_tx_buffer *b = st->by[pt->buf];

		if (!verify_prog_run(pt->prog, b->data ? b->data : empty, b->data ? b->len : 0, 0,
				     &st->mt->venv))
			return false;
	}
	return true;
}

static bool step_init(struct txstep *st, const struct ids_tx_buffer *bufs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t b = bufs[i].buf;

		if (b >= st->tx->n_bufs)
			continue;
		st->by[b] = &bufs[i];
		st->present |= 1ULL << b;
		if (bufs[i].flags & IDS_TXBUF_FRESH)
			st->fresh |= 1ULL << b;
	}
	return st->fresh != 0;
}

unsigned matcher_tx_scan(struct matcher_thread *mt, const struct ids_matcher *m,
			 const struct ids_packet *pkt, const struct ids_tx_buffer *bufs, size_t n,
			 ids_match_fn cb, void *ctx)
{
	struct txstep st = {.tx = m ? m->tx : NULL, .mt = mt};
	unsigned hits = 0;

	if (!mt || !st.tx || !cb || (n && !bufs) || st.tx->n_rules > mt->cap)
		return 0;
	mt->venv.pkt = pkt;
	if (!step_init(&st, bufs, n))
		return 0;
	mt->n_txcand = 0;
	for (size_t b = 0; b < st.tx->n_bufs; b++) {
		const struct ids_tx_buffer *tb = st.by[b];

		if (tb && st.tx->bm[b] && (st.tx->reach[b] & st.fresh))
			matcher_scan(mt, st.tx->bm[b], pkt, tb->data, tb->data ? tb->len : 0,
				     on_primary, &st);
	}
	matcher_sort_indexes(mt->txcand, mt->n_txcand);
	for (size_t i = 0; i < mt->n_txcand; i++) {
		const struct txrule *tr = &st.tx->rules[mt->txcand[i]];

		if (!parts_match(&st, tr))
			continue;
		hits++;
		if (cb(tr->pub, ctx))
			break;
	}
	mt->n_txcand = 0;
	return hits;
}
