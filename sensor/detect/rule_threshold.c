/*
 * rule_threshold.c - threshold and detection_filter (see rule_keys.h).
 *
 * Semantics (Suricata's), for one tracked entry (a rule and, per `track`,
 * the source address, the destination address, the unordered address pair,
 * or nothing for by_rule). A window opens at the first match and lasts
 * `seconds` of packet time, its end included (a match at exactly first +
 * seconds is inside); a match after it opens a new window with count 1.
 *   limit      alert for the first `count` matches of each window;
 *   threshold  alert on every `count`-th match within a window (the count
 *              restarts after each alert);
 *   both       alert once per window, on its `count`-th match;
 *   detection  (detection_filter) alert on every match after the first
 *              `count` of the window.
 *
 * Sharing: workers may see the same host (a host's flows are spread over
 * workers by the address pair, so by_src/by_dst/by_rule entries are hit
 * by several workers), so the table is one process-wide, bounded hash
 * table: THR_BUCKETS buckets of THR_WAYS entries, each bucket behind its
 * own spin lock held for a few instructions. Nothing is allocated on the
 * packet path: the table is allocated on the main thread when the first
 * rule with a threshold is loaded. When a bucket is full, the entry whose
 * last match is oldest is replaced (counted: rule_thr_evictions), so under
 * a flood of distinct addresses some windows restart early: an alert that
 * `limit` or `both` would have held back may be written. Packet time may
 * step back a little between workers; a match before its window's start
 * counts inside the window.
 */
#include "detect/rule_keys.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rules.h"

#define THR_BUCKETS  8192 /* power of two */
#define THR_WAYS     4
#define USEC_PER_SEC INT64_C(1000000)

struct thr_entry {
	uint32_t sid, gid;
	uint8_t kind; /* 0 threshold, 1 detection_filter */
	uint8_t track;
	uint8_t family;
	bool used;
	uint8_t a[16], b[16];
	int64_t first_usec, last_usec;
	uint32_t count;
};

struct thr_bucket {
	atomic_flag lock;
	struct thr_entry e[THR_WAYS];
};

static struct thr_bucket *table;
static atomic_uint_least64_t evictions;

/* Main thread, while loading rules. */
int rule_thr_table_init(void)
{
	if (table)
		return 0;
	table = calloc(THR_BUCKETS, sizeof(*table));
	if (!table)
		return -1;
	for (size_t i = 0; i < THR_BUCKETS; i++)
		atomic_flag_clear(&table[i].lock);
	return 0;
}

void rule_thr_reset(void)
{
	free(table);
	table = NULL;
	atomic_store(&evictions, 0);
}

uint64_t rule_thr_evictions(void)
{
	return atomic_load(&evictions);
}

/* The key of one match: the addresses per `track`. */
static void thr_key(struct thr_entry *k, const struct rule *r, uint8_t kind, uint8_t track,
		    const struct ids_packet *p)
{
	memset(k, 0, sizeof(*k));
	k->sid = r->pub.id;
	k->gid = r->pub.gid;
	k->kind = kind;
	k->track = track;
	if (track == TRACK_BY_RULE)
		return;
	k->family = p->src.family;
	if (track == TRACK_BY_SRC || track == TRACK_BY_BOTH)
		memcpy(k->a, p->src.bytes, 16);
	else
		memcpy(k->a, p->dst.bytes, 16);
	if (track == TRACK_BY_BOTH) {
		memcpy(k->b, p->dst.bytes, 16);
		if (memcmp(k->a, k->b, 16) > 0) { /* the pair, whatever the direction */
			memcpy(k->b, k->a, 16);
			memcpy(k->a, p->dst.bytes, 16);
		}
	}
}

static uint64_t thr_hash(const struct thr_entry *k)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const uint8_t *parts[2] = {k->a, k->b};

	h = (h ^ k->sid) * 0x100000001b3ull;
	h = (h ^ k->gid) * 0x100000001b3ull;
	h = (h ^ (uint64_t)(k->kind << 8 | k->track)) * 0x100000001b3ull;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 16; j++)
			h = (h ^ parts[i][j]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static bool thr_same(const struct thr_entry *e, const struct thr_entry *k)
{
	return e->used && e->sid == k->sid && e->gid == k->gid && e->kind == k->kind &&
	       e->track == k->track && e->family == k->family && memcmp(e->a, k->a, 16) == 0 &&
	       memcmp(e->b, k->b, 16) == 0;
}

/* The entry of k in bucket b, or a new one (free, else the oldest). */
static struct thr_entry *thr_slot(struct thr_bucket *b, const struct thr_entry *k, bool *fresh)
{
	struct thr_entry *victim = NULL;

	*fresh = false;
	for (int i = 0; i < THR_WAYS; i++) {
		if (thr_same(&b->e[i], k))
			return &b->e[i];
		if (!b->e[i].used && !victim)
			victim = &b->e[i];
	}
	if (!victim) {
		victim = &b->e[0];
		for (int i = 1; i < THR_WAYS; i++)
			if (b->e[i].last_usec < victim->last_usec)
				victim = &b->e[i];
		atomic_fetch_add_explicit(&evictions, 1, memory_order_relaxed);
	}
	*victim = *k;
	victim->used = true;
	*fresh = true;
	return victim;
}

/* One match on entry e at `now`: may its alert be written? */
static bool thr_decide(const struct rule_thr *t, struct thr_entry *e, bool fresh, int64_t now)
{
	bool inside = !fresh && now <= e->first_usec + (int64_t)t->seconds * USEC_PER_SEC;

	e->last_usec = now;
	if (!inside) {
		e->first_usec = now;
		e->count = 1;
		if (t->type == THR_LIMIT)
			return true;
		if (t->type == THR_THRESHOLD && t->count == 1) {
			e->count = 0;
			return true;
		}
		return t->type == THR_BOTH && t->count == 1;
	}
	if (e->count < UINT32_MAX)
		e->count++;
	switch ((enum rule_thr_type)t->type) {
	case THR_LIMIT:
		return e->count <= t->count;
	case THR_THRESHOLD:
		if (e->count < t->count)
			return false;
		e->count = 0;
		return true;
	case THR_BOTH:
		return e->count == t->count;
	case THR_DETECTION:
		return e->count > t->count;
	case THR_BACKOFF: /* counted per flow (rule_backoff.c), never here */
		break;
	}
	return true;
}

bool rule_thr_check(const struct rule *r, const struct rule_thr *t, const struct ids_packet *p)
{
	struct thr_entry k, *e;
	struct thr_bucket *b;
	bool fresh, ok;

	if (!table)
		return true;
	thr_key(&k, r, t->type == THR_DETECTION, t->track, p);
	b = &table[thr_hash(&k) & (THR_BUCKETS - 1)];
	while (atomic_flag_test_and_set_explicit(&b->lock, memory_order_acquire))
		;
	e = thr_slot(b, &k, &fresh);
	ok = thr_decide(t, e, fresh, p->ts_usec);
	atomic_flag_clear_explicit(&b->lock, memory_order_release);
	return ok;
}
