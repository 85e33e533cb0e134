/*
 * matcher_stream.c - stream-mode scanning of a matcher compiled by
 * matcher_compile_stream (see matcher.h and matcher.c for the compile).
 *
 * Stream mode (matcher_compile_stream). The same specs go to one
 * HS_MODE_STREAM database (with HS_MODE_SOM_HORIZON_SMALL only when a
 * variable-width regex with an offset needs its start). Offsets count from
 * stream offset 0, but a gap restarts the Hyperscan stream at offset 0, so
 * Hyperscan only gets depth (max_offset, which a restart can only loosen)
 * and the callback checks the exact bounds on stream offsets (base + end,
 * base = stream offset of the Hyperscan stream's first byte): a fixed-width
 * match needs end - width >= O, a SOM match start >= O (else "maybe", as is
 * a start past the SOM horizon), any match end <= O + D. Patterns keep
 * HS_FLAG_SINGLEMATCH only where the first match decides: no offset, no
 * anchor, rule not stream_every. A regex that may hold ^/\A/\G is "maybe"
 * after a restart (its ^ would match there) and confirmed by PCRE2.
 *
 * Per direction, struct matcher_stream holds the Hyperscan stream, the
 * progress of the rules it touched (rule index, bits matched, reported) as
 * an array sorted by rule, inline for the first SPROG_INLINE rules and then
 * grown fourfold up to the rule count, and, only when some pattern needs
 * PCRE2, a ring of the last STREAM_WINDOW (4096) bytes. A chunk is scanned
 * once with hs_scan_stream into the thread's per-rule state exactly as a
 * block scan; then, in rule order, every touched rule and every `always`
 * rule (no Hyperscan pattern, or a PCRE2-only one) gets its "maybe" bits
 * confirmed by PCRE2 on the window ending with the chunk and starting
 * STREAM_WINDOW bytes before the first "maybe" match end (ring and chunk
 * head joined in the thread's window buffer; the chunk itself is never
 * copied beyond that), its PCRE2-only patterns checked on the ring and the
 * chunk, its bits merged into the stream's progress, and it is reported
 * when complete and its header accepts the chunk's packet: once per stream,
 * or with stream_every once in each chunk where one of its patterns
 * matched. A PCRE2-confirmed match longer than STREAM_WINDOW bytes is not
 * found; PCRE2 sees ^ only at stream offset 0 and $ only at the end of the
 * data, and its lookarounds see no further than the window.
 *
 * Gaps (IDS_STREAM_GAP, or a chunk not at the offset where the last one
 * ended): hs_reset_stream reports what ends with the data before the gap
 * (`foo$`: a real match), that end-of-data pass is evaluated like a chunk,
 * then the ring is emptied and base moves to the new offset; progress bits
 * stay and bounds keep counting from stream offset 0, so a pattern whose
 * depth ended before the gap never matches again. IDS_STREAM_END closes the
 * Hyperscan stream after the chunk (end-of-data matches reported with it);
 * later chunks are ignored. Allocation: the state on the first chunk, and
 * the progress array when a stream touches more than SPROG_INLINE rules;
 * nothing else per chunk.
 *
 * Stream mode and programs: a program rule is armed (PROG_ARMED in its
 * progress) by its first prefilter hit, then verified on every later pass
 * (ring + chunk, see stream_prog) until it is reported; without a
 * prefilter it is an `always` rule. A `stream_offsets: chunk` rule is
 * verified on the pass's data alone, its absolute positions counting from
 * the pass's first byte (Suricata's raw stream inspection).
 *
 * Directions: a matcher compiled from rules of which some name a flow
 * direction is two matchers (by_dir, matcher.c compile_by_direction): a
 * chunk is scanned by its direction's, which leaves out the rules that are
 * never reported on that direction's data, or by the direction's port
 * group for the flow's server port (matcher_ports.c), which leaves out the
 * rules of other ports. A stream picks its matcher at its first chunk and
 * keeps it for its life (ms->m: a Hyperscan stream belongs to one
 * database), so that later chunks and closing it need no look-up.
 *
 * Threads: a struct matcher_stream belongs to the worker whose flow it is
 * and is touched only on that worker's thread, with that worker's
 * struct matcher_thread; nothing here locks.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "detect/matcher.h"

#include <hs.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "detect/matcher_internal.h"
#include "detect/matcher_verify.h"
#include "detect/rules.h"

/* ---------------------------------------------------------- stream mode */

/* Progress of one rule in one stream. */
struct sprog {
	uint32_t rule;	   /* index in the matcher's rules */
	uint32_t reported; /* reported at least once in this stream */
	uint64_t got;	   /* bits matched so far (sure or confirmed) */
};

#define SPROG_INLINE 4

struct matcher_stream {
	hs_stream_t *hs;	     /* NULL without database, or after the end of data */
	uint64_t base;		     /* stream offset of the Hyperscan stream's byte 0 */
	uint64_t next;		     /* stream offset after the last byte scanned */
	struct sprog *prog;	     /* sorted by rule: small[] or an owned array */
	uint32_t n_prog, cap_prog;   /* entries used, room in prog */
	uint16_t ring_head;	     /* ring[] position the next byte goes to */
	uint16_t ring_len;	     /* bytes ring[] holds, <= STREAM_WINDOW */
	bool ended;		     /* IDS_STREAM_END seen: later chunks are ignored */
	const struct ids_matcher *m; /* the matcher it was opened for (a by_dir one) */
	struct sprog small[SPROG_INLINE];
	uint8_t ring[]; /* STREAM_WINDOW bytes when the matcher needs PCRE2 */
};

/* One pass over a stream: a chunk, or the end of the data (before a gap,
 * at IDS_STREAM_END or at close). */
struct spass {
	const uint8_t *data; /* never NULL */
	size_t len;
	uint64_t off;	/* stream offset of data[0], right after the ring's bytes */
	bool eod;	/* the data ends the Hyperscan stream: $ may match at its end */
	bool data_pass; /* a chunk: header-only rules are checked too */
	bool stop;	/* the callback asked to stop reporting */
	const struct ids_packet *pkt;
	ids_match_fn cb;
	void *ctx;
};

static const uint8_t stream_empty[1];

static int on_hs_stream_match(unsigned int id, unsigned long long from, unsigned long long to,
			      unsigned int flags, void *ctx)
{
	struct matcher_thread *mt = ctx;
	const struct mpat *p = &mt->pats[id];
	uint64_t end = mt->base + to;
	bool sure = p->kind == MP_END;

	if (end > p->max_end || end < p->min_end)
		return 0;
	if (p->kind == MP_SOM)
		sure = from != HS_OFFSET_PAST_HORIZON && mt->base + from >= p->min_from;
	if (p->anchor && mt->base)
		sure = false;
	for (uint32_t k = 0; k < p->n; k++) {
		const struct mtarget *t = &mt->targets[p->first + k];
		struct rstate *st = &mt->state[t->rule];

		if (!(st->got | st->maybe))
			mt->touched[mt->n_touched++] = t->rule;
		if (sure) {
			st->got |= t->bit;
			continue;
		}
		if (!st->maybe || end < st->lo)
			st->lo = end;
		st->maybe |= t->bit;
	}
	return 0;
}

/* Binary search; *at is where the rule's entry is or would go. */
static struct sprog *prog_find(struct matcher_stream *ms, uint32_t rule, uint32_t *at)
{
	uint32_t lo = 0, hi = ms->n_prog;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ms->prog[mid].rule < rule)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < ms->n_prog && ms->prog[lo].rule == rule ? &ms->prog[lo] : NULL;
}

/* Four times the room, at most one entry per rule. */
static int prog_grow(struct matcher_stream *ms, size_t n_rules)
{
	size_t cap = (size_t)ms->cap_prog * 4;
	struct sprog *np;

	if (cap > n_rules)
		cap = n_rules;
	if (cap <= ms->cap_prog)
		return -1;
	np = malloc(cap * sizeof(*np));
	if (!np)
		return -1;
	memcpy(np, ms->prog, ms->n_prog * sizeof(*np));
	if (ms->prog != ms->small)
		free(ms->prog);
	ms->prog = np;
	ms->cap_prog = (uint32_t)cap;
	return 0;
}

/* NULL when out of memory: the rule's progress is then not kept. */
static struct sprog *prog_add(struct matcher_stream *ms, uint32_t rule, uint32_t at, size_t n_rules)
{
	if (ms->n_prog == ms->cap_prog && prog_grow(ms, n_rules) < 0)
		return NULL;
	memmove(&ms->prog[at + 1], &ms->prog[at], (ms->n_prog - at) * sizeof(ms->prog[0]));
	ms->prog[at] = (struct sprog){.rule = rule};
	ms->n_prog++;
	return &ms->prog[at];
}

static void ring_push(struct matcher_stream *ms, const uint8_t *data, size_t len)
{
	size_t head = ms->ring_head, first, held = (size_t)ms->ring_len + len;

	if (len >= STREAM_WINDOW) {
		memcpy(ms->ring, data + len - STREAM_WINDOW, STREAM_WINDOW);
		ms->ring_head = 0;
		ms->ring_len = STREAM_WINDOW;
		return;
	}
	first = STREAM_WINDOW - head < len ? STREAM_WINDOW - head : len;
	memcpy(ms->ring + head, data, first);
	memcpy(ms->ring, data + first, len - first);
	ms->ring_head = (uint16_t)((head + len) % STREAM_WINDOW);
	ms->ring_len = (uint16_t)(held > STREAM_WINDOW ? STREAM_WINDOW : held);
}

/* Copy the ring's last n bytes (n <= ring_len) to dst. */
static void ring_tail(const struct matcher_stream *ms, uint8_t *dst, size_t n)
{
	size_t start = (ms->ring_head + STREAM_WINDOW - n) % STREAM_WINDOW;
	size_t first = STREAM_WINDOW - start < n ? STREAM_WINDOW - start : n;

	memcpy(dst, ms->ring + start, first);
	memcpy(dst + first, ms->ring, n - first);
}

static bool pcre_run(const struct mcheck *c, const struct matcher_thread *mt, const uint8_t *subj,
		     size_t len, size_t start, uint32_t opts)
{
	return pcre2_match(rule_regex_code(c->re), subj, len, start, opts, mt->md, mt->mctx) >= 0;
}

/*
 * PCRE2 check `c` for a match that may end as early as stream offset `lo`:
 * the subject starts at max(lo - STREAM_WINDOW, oldest byte kept) and ends
 * at min(end of the pass's data, O + D); the search starts at max(subject
 * start, O). ^ matches only at stream offset 0 (PCRE2_NOTBOL elsewhere), $
 * only at the end of data. A subject starting in the ring is the ring's
 * bytes joined with the chunk's first STREAM_WINDOW bytes in the thread's
 * window; the rest of the chunk is searched in place after that.
 */
static bool stream_confirm(const struct mcheck *c, struct matcher_thread *mt,
			   const struct matcher_stream *ms, const struct spass *ps, uint64_t lo)
{
	uint64_t oldest = ps->off - ms->ring_len, end = ps->off + ps->len;
	uint64_t s = lo > oldest + STREAM_WINDOW ? lo - STREAM_WINDOW : oldest;
	uint64_t from = s > c->start ? s : c->start, jend;
	uint32_t eol = ps->eod ? 0 : PCRE2_NOTEOL, bol = ps->off ? PCRE2_NOTBOL : 0;
	size_t post = ps->len < STREAM_WINDOW ? ps->len : STREAM_WINDOW;

	if (c->end < end) {
		end = c->end;
		eol = PCRE2_NOTEOL;
	}
	if (from > end)
		return false;
	if (from >= ps->off)
		return pcre_run(c, mt, ps->data, end - ps->off, from - ps->off, eol | bol);
	ring_tail(ms, mt->window, ps->off - s);
	memcpy(mt->window + (ps->off - s), ps->data, post);
	jend = ps->off + post < end ? ps->off + post : end;
	if (pcre_run(c, mt, mt->window, jend - s, from - s,
		     (jend == end ? eol : PCRE2_NOTEOL) | (s ? PCRE2_NOTBOL : 0)))
		return true;
	return end > jend && pcre_run(c, mt, ps->data, end - ps->off, 0, eol | bol);
}

/* Bits of rule `mr` found in this pass: Hyperscan's sure matches, "maybe"
 * matches PCRE2 confirms, and the PCRE2-only patterns that match. Bits the
 * stream already has are not checked again unless the rule reports every
 * chunk. */
static uint64_t pass_bits(struct matcher_thread *mt, const struct mrule *mr,
			  const struct rstate *st, const struct matcher_stream *ms,
			  const struct spass *ps, uint64_t have)
{
	uint64_t got = st->got, skip = mr->every ? st->got : st->got | have;

	for (uint32_t i = 0; i < mr->n_checks; i++) {
		const struct mcheck *c = &mr->checks[i];
		bool hit;

		if (!c->bit || (c->bit & skip))
			continue;
		if (c->always)
			hit = stream_confirm(c, mt, ms, ps, ps->off);
		else
			hit = (c->bit & st->maybe) && stream_confirm(c, mt, ms, ps, st->lo);
		if (hit)
			got |= c->bit;
	}
	return got;
}

/* Header, then the checks without a bit (a pcre beside 64 patterns). */
static bool final_checks(const struct mrule *mr, struct matcher_thread *mt,
			 const struct matcher_stream *ms, const struct spass *ps)
{
	if (ps->pkt && !rule_header_match(mr->r, ps->pkt))
		return false;
	for (uint32_t i = 0; i < mr->n_checks; i++) {
		const struct mcheck *c = &mr->checks[i];

		if (c->always && !c->bit && !stream_confirm(c, mt, ms, ps, ps->off))
			return false;
	}
	return true;
}

/*
 * A program on stream data: the ring's bytes joined with the pass's data
 * when both fit the thread's window (2 * STREAM_WINDOW), else the ring
 * joined with the head of the data, then the data alone. Absolute bounds
 * count from stream offset 0 (the program gets the base).
 */
static bool stream_prog(const struct mcheck *c, struct matcher_thread *mt,
			const struct matcher_stream *ms, const struct spass *ps)
{
	size_t held = ms->ring_len, room = 2 * STREAM_WINDOW - held;
	size_t head = ps->len < room ? ps->len : room;

	if (!held)
		return verify_prog_run(c->prog, ps->data, ps->len, ps->off, &mt->venv);
	ring_tail(ms, mt->window, held);
	memcpy(mt->window + held, ps->data, head);
	if (verify_prog_run(c->prog, mt->window, held + head, ps->off - held, &mt->venv))
		return true;
	return head < ps->len && verify_prog_run(c->prog, ps->data, ps->len, ps->off, &mt->venv);
}

/*
 * A program rule in a stream: armed by its first prefilter hit (kept in
 * its progress as PROG_ARMED), then verified on every pass until reported
 * (the rest of its patterns may come in later chunks); a rule without a
 * prefilter is always armed. With stream_every it reports in passes with a
 * prefilter hit only.
 */
#define PROG_ARMED (UINT64_C(1) << 63)

static unsigned stream_prog_rule(struct matcher_thread *mt, const struct ids_matcher *m,
				 struct matcher_stream *ms, uint32_t ri, struct spass *ps)
{
	const struct mrule *mr = &m->rules[ri];
	const struct rstate *st = &mt->state[ri];
	uint32_t at;
	struct sprog *p = prog_find(ms, ri, &at);
	bool hit = (st->got | st->maybe) != 0, armed = hit || mr->checks[0].always;

	if (p && p->reported && !mr->every)
		return 0;
	if (p)
		armed |= (p->got & PROG_ARMED) != 0;
	if (!armed || ps->stop || (mr->every && !hit && !mr->checks[0].always))
		return 0;
	if (!p && !mr->checks[0].always)
		p = prog_add(ms, ri, at, m->n_rules);
	if (p)
		p->got |= PROG_ARMED;
	if (ps->pkt && !rule_header_match(mr->r, ps->pkt))
		return 0;
	if (mr->r->stream_chunk
		    ? !verify_prog_run(mr->checks[0].prog, ps->data, ps->len, 0, &mt->venv)
		    : !stream_prog(&mr->checks[0], mt, ms, ps))
		return 0;
	if (!p && !mr->every)
		p = prog_add(ms, ri, at, m->n_rules);
	if (p)
		p->reported = 1;
	ps->stop = ps->cb(mr->pub, ps->ctx) != 0;
	return 1;
}

/* Add this pass's bits to rule ri's progress and report it when complete:
 * once per stream, or (every) in each pass it matched in. */
static unsigned stream_rule(struct matcher_thread *mt, const struct ids_matcher *m,
			    struct matcher_stream *ms, uint32_t ri, struct spass *ps)
{
	const struct mrule *mr = &m->rules[ri];
	uint32_t at;
	struct sprog *p = prog_find(ms, ri, &at);
	uint64_t have = p ? p->got : 0, hit;
	bool complete;

	if (mr->prog)
		return stream_prog_rule(mt, m, ms, ri, ps);
	if (p && p->reported && !mr->every)
		return 0;
	hit = pass_bits(mt, mr, &mt->state[ri], ms, ps, have);
	have |= hit;
	complete = (have & mr->sneed) == mr->sneed;
	if (!p && (hit || complete))
		p = prog_add(ms, ri, at, m->n_rules);
	if (p)
		p->got = have;
	if (!complete || ps->stop || (p && p->reported && !hit && mr->sneed))
		return 0;
	if (!final_checks(mr, mt, ms, ps))
		return 0;
	if (p)
		p->reported = 1;
	ps->stop = ps->cb(mr->pub, ps->ctx) != 0;
	return 1;
}

/* Program rules armed earlier in this stream and not touched by this pass
 * join the touched ones (their per-thread state stays zero). */
static void add_armed(struct matcher_thread *mt, const struct ids_matcher *m,
		      const struct matcher_stream *ms)
{
	for (uint32_t i = 0; i < ms->n_prog; i++) {
		const struct sprog *p = &ms->prog[i];
		const struct rstate *st = &mt->state[p->rule];

		if (!(p->got & PROG_ARMED) || (p->reported && !m->rules[p->rule].every))
			continue;
		if (!(st->got | st->maybe) && !m->rules[p->rule].checks[0].always)
			mt->touched[mt->n_touched++] = p->rule;
	}
}

/* Every rule Hyperscan touched in this pass, every armed program rule and
 * every `always` rule, in rule order; the thread's per-rule state is clean afterwards. */
static unsigned stream_pass(struct matcher_thread *mt, const struct ids_matcher *m,
			    struct matcher_stream *ms, struct spass *ps)
{
	size_t k, i = 0, j = 0;
	unsigned n = 0;

	add_armed(mt, m, ms);
	k = mt->n_touched;
	matcher_sort_indexes(mt->touched, k);
	while (i < k || j < m->n_always) {
		uint32_t ri;

		if (j == m->n_always || (i < k && mt->touched[i] <= m->always[j])) {
			ri = mt->touched[i++];
			j += j < m->n_always && m->always[j] == ri;
		} else {
			ri = m->always[j++];
			if (!ps->data_pass && !m->rules[ri].n_checks)
				continue;
		}
		n += stream_rule(mt, m, ms, ri, ps);
	}
	matcher_drop_touched(mt);
	return n;
}

static void stream_begin(struct matcher_thread *mt, const struct ids_matcher *m,
			 const struct matcher_stream *ms)
{
	mt->pats = m->pats;
	mt->targets = m->targets;
	mt->n_touched = 0;
	mt->base = ms->base;
}

/* Free a Hyperscan stream, reporting its end-of-data matches if `report`. */
static void close_hs(struct matcher_thread *mt, hs_stream_t *hs, bool report)
{
	if (report && hs_close_stream(hs, mt->scratch, on_hs_stream_match, mt) == HS_SUCCESS)
		return;
	if (report)
		matcher_drop_touched(mt); /* refused before it freed anything */
	hs_close_stream(hs, NULL, NULL, NULL);
}

/* The data jumps to stream offset `off` (a gap, or not where the last
 * chunk ended): report what ends with the data before, restart the
 * Hyperscan stream and forget the ring. Progress and bounds stay. */
static unsigned stream_restart(struct matcher_thread *mt, const struct ids_matcher *m,
			       struct matcher_stream *ms, struct spass *ps, uint64_t off)
{
	struct spass flush = {.data = stream_empty,
			      .off = ms->next,
			      .eod = true,
			      .pkt = ps->pkt,
			      .cb = ps->cb,
			      .ctx = ps->ctx};
	unsigned n = 0;

	if (ms->hs && ms->next > ms->base) {
		stream_begin(mt, m, ms);
		if (hs_reset_stream(ms->hs, 0, mt->scratch, on_hs_stream_match, mt) != HS_SUCCESS) {
			matcher_drop_touched(mt);
			hs_reset_stream(ms->hs, 0, NULL, NULL, NULL);
		}
		n = stream_pass(mt, m, ms, &flush);
		ps->stop = flush.stop;
	}
	ms->base = ms->next = off;
	ms->ring_head = ms->ring_len = 0;
	return n;
}

static struct matcher_stream *stream_open(const struct ids_matcher *m)
{
	struct matcher_stream *ms = calloc(1, sizeof(*ms) + (m->need_ring ? STREAM_WINDOW : 0));

	if (!ms)
		return NULL;
	ms->prog = ms->small;
	ms->cap_prog = SPROG_INLINE;
	ms->m = m;
	if (m->db && hs_open_stream(m->db, 0, &ms->hs) != HS_SUCCESS) {
		free(ms);
		return NULL;
	}
	return ms;
}

/*
 * The matcher a new stream of direction `dir` is opened for: its port
 * group when the matcher has groups and the packet is the data's sender
 * (matcher_ports.c: the groups hold what such a packet's header can
 * accept), else the direction's matcher of all its rules.
 */
static const struct ids_matcher *stream_matcher_for(const struct ids_matcher *m,
						    const struct ids_packet *pkt, unsigned dir)
{
	const struct ids_matcher *dm = m->by_dir[dir];
	const struct mport_groups *pg = m->ports[dir];

	if (!pkt || pkt->direction != dir)
		return dm;
	if (dm->addr && (dm = maddr_pick(dm, pkt)) != m->by_dir[dir])
		pg = dm->ports[dir]; /* an address class's own matcher */
	if (!pg)
		return dm;
	return mport_groups_pick(pg, dir == IDS_DIR_TO_SERVER ? pkt->dport : pkt->sport);
}

unsigned matcher_stream_scan(struct matcher_thread *mt, const struct ids_matcher *m,
			     struct matcher_stream **ms, const struct ids_packet *pkt,
			     const struct ids_stream_chunk *chunk, ids_match_fn cb, void *ctx)
{
	struct spass ps = {.data_pass = true, .pkt = pkt, .cb = cb, .ctx = ctx};
	struct matcher_stream *s;
	unsigned n = 0;

	if (m && m->by_dir[0] && chunk)
		m = *ms ? (*ms)->m : stream_matcher_for(m, pkt, chunk->direction & 1u);
	if (!mt || !m || !ms || !chunk || !cb || !m->stream || m->n_rules > mt->cap)
		return 0;
	mt->venv.pkt = pkt;
	ps.data = chunk->data ? chunk->data : stream_empty;
	ps.len = chunk->data ? chunk->len : 0;
	ps.off = chunk->offset;
	if (ps.off > UINT64_MAX - ps.len || (!*ms && !(*ms = stream_open(m))))
		return 0;
	s = *ms;
	if (s->ended)
		return 0;
	if ((chunk->flags & IDS_STREAM_GAP) || ps.off != s->next)
		n = stream_restart(mt, m, s, &ps, ps.off);
	stream_begin(mt, m, s);
	if (s->hs && ps.len &&
	    hs_scan_stream(s->hs, (const char *)ps.data, (unsigned)ps.len, 0, mt->scratch,
			   on_hs_stream_match, mt) != HS_SUCCESS)
		matcher_drop_touched(mt);
	if (chunk->flags & IDS_STREAM_END) {
		ps.eod = true;
		s->ended = true;
		if (s->hs)
			close_hs(mt, s->hs, true);
		s->hs = NULL;
	}
	n += stream_pass(mt, m, s, &ps);
	s->next = ps.off + ps.len;
	if (m->need_ring && !s->ended)
		ring_push(s, ps.data, ps.len);
	return n;
}

unsigned matcher_stream_close(struct matcher_thread *mt, const struct ids_matcher *m,
			      struct matcher_stream **ms, const struct ids_packet *pkt,
			      ids_match_fn cb, void *ctx)
{
	struct spass ps = {.data = stream_empty, .eod = true, .pkt = pkt, .cb = cb, .ctx = ctx};
	struct matcher_stream *s;
	bool report;
	unsigned n = 0;

	if (!ms || !*ms)
		return 0;
	s = *ms;
	if (m && m->by_dir[0])
		m = s->m; /* the direction's matcher its stream was opened for */
	report = cb && mt && m && m->stream && m->n_rules <= mt->cap && !s->ended;
	ps.off = s->next;
	if (report)
		stream_begin(mt, m, s);
	if (s->hs)
		close_hs(mt, s->hs, report);
	if (report)
		n = stream_pass(mt, m, s, &ps);
	if (s->prog != s->small)
		free(s->prog);
	free(s);
	*ms = NULL;
	return n;
}

size_t matcher_stream_group_rules(const struct ids_matcher *m, unsigned dir, uint16_t server_port)
{
	struct ids_packet pkt = {.direction = (uint8_t)(dir & 1u)};

	if (!m || !m->stream)
		return 0;
	if (!m->by_dir[0])
		return m->n_rules;
	pkt.dport = dir == IDS_DIR_TO_SERVER ? server_port : 0;
	pkt.sport = dir == IDS_DIR_TO_SERVER ? 0 : server_port;
	return stream_matcher_for(m, &pkt, dir & 1u)->n_rules;
}

/* The largest stream state of `a` and a port group's matchers. */
static size_t group_size(const struct mport_groups *pg, size_t a)
{
	for (size_t i = 0; pg && i < pg->n_owned; i++) {
		size_t g = matcher_stream_size(pg->owned[i]);

		a = g > a ? g : a;
	}
	return a;
}

size_t matcher_stream_size(const struct ids_matcher *m)
{
	size_t hs = 0, a, b;

	if (m && m->by_dir[0]) {
		a = matcher_stream_size(m->by_dir[0]);
		b = matcher_stream_size(m->by_dir[1]);
		for (unsigned d = 0; d < 2; d++) {
			a = group_size(m->ports[d], a);
			for (size_t i = 0; m->by_dir[d]->addr && i < m->by_dir[d]->addr->n_owned;
			     i++) {
				const struct ids_matcher *cm = m->by_dir[d]->addr->owned[i];
				size_t g = matcher_stream_size(cm);

				a = group_size(cm->ports[d], g > a ? g : a);
			}
		}
		return a > b ? a : b;
	}
	if (!m || !m->stream)
		return 0;
	if (m->db && hs_stream_size(m->db, &hs) != HS_SUCCESS)
		hs = 0;
	return sizeof(struct matcher_stream) + (m->need_ring ? STREAM_WINDOW : 0) + hs;
}
