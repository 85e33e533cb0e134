/*
 * flow.c - per-worker flow table (see flow.h).
 *
 * Design: every flow comes from one array allocated by flow_table_new
 * (max-flows entries); unused flows sit on a free list threaded through
 * hnext. Live flows are in an open hash table of power-of-two buckets,
 * chained through hnext, and in one LRU list per timeout class, least
 * recently seen first, so that expiry looks at the heads only and costs
 * O(flows expired). A class is a protocol (tcp, udp, icmp, other) and a
 * state (new: one direction seen; established: both; closed: the TCP
 * session ended), each with its own timeout; a TCP flow with a session is
 * `new` (embryonic) until the session's handshake completes. When the pool
 * is empty one flow is evicted to make room, and the table's end callback
 * hears about it: the least recently seen closed flow, else embryonic, else
 * established, so that a flood of new flows cannot push out live sessions.
 * A 5-tuple whose established TCP session the table ended itself (evicted,
 * timed out) is remembered in a small direct-mapped cache (`lost`); its
 * next flow carries lost_state so the stream picks it up midstream.
 *
 * Invariants:
 * - A flow is either on the free list or in both its hash chain and its
 *   class's LRU list, never in between.
 * - Keys are fully zeroed before being filled (padding included), so keys
 *   compare with memcmp.
 * - flow_id and the hash depend only on the key bytes and the first
 *   packet's timestamp (bytes read in a fixed order, not host order), so
 *   one and many workers give the same ids.
 * - The LRU is in order of packet arrival; with timestamps out of order a
 *   flow may expire later than its timeout, never earlier.
 *
 * Accounting: bytes per direction are the IP lengths (l3_len: header and
 * payload as the IP header says, without link header or padding). Flows
 * ended by flush are not counted as expired; evicted flows are counted in
 * evicted only.
 *
 * Threads: a table belongs to one worker and is used only on its thread.
 */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "decode/decode.h"

#define USEC_PER_SEC INT64_C(1000000)
#define MIN_BUCKETS  16

enum proto_class { PC_TCP = 0, PC_UDP, PC_ICMP, PC_OTHER, PC_MAX };

#define N_STATES 3
#define TC_MAX	 (PC_MAX * N_STATES)

/* The class of (protocol class, state). */
#define TCLASS(pc, state) ((pc)*N_STATES + (state))

struct lru {
	struct flow *head, *tail; /* head is the least recently seen */
};

struct flow_table {
	struct flow *pool;     /* owned: max_flows entries */
	struct flow **buckets; /* owned: nbuckets chain heads */
	struct flow *free_list;
	uint64_t mask; /* nbuckets - 1 */
	uint32_t max_flows;
	int64_t timeout_usec[TC_MAX];
	struct lru lru[TC_MAX];
	struct flow_stats stats;
	flow_end_fn end_cb; /* for evictions */
	void *end_ctx;
	flow_reuse_fn reuse_cb; /* TCP session reuse, or NULL */
	void *reuse_ctx;
	struct lost *lost; /* owned: lost_mask + 1 entries, direct-mapped by hash */
	uint64_t lost_mask;
};

/* A 5-tuple whose established TCP session the sensor ended itself
 * (evicted, timed out): when it resumes it is picked up midstream. */
struct lost {
	struct flow_key key;
	uint64_t hash;
	uint8_t why; /* 1 + enum flow_end_reason; 0: empty */
};

#define LOST_MIN 256u

/* ---------------------------------------------------------------- keys */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static uint64_t load_le(const uint8_t *b, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

uint64_t flow_key_hash(const struct flow_key *k)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15);
	uint8_t tail[8] = {0};

	for (unsigned i = 0; i < 2; i++)
		for (unsigned j = 0; j < 16; j += 8)
			h = mix64(h ^ load_le(k->addr[i] + j, 8));
	tail[0] = (uint8_t)(k->port[0] >> 8);
	tail[1] = (uint8_t)k->port[0];
	tail[2] = (uint8_t)(k->port[1] >> 8);
	tail[3] = (uint8_t)k->port[1];
	tail[4] = (uint8_t)(k->vlan[0] >> 8);
	tail[5] = (uint8_t)k->vlan[0];
	tail[6] = (uint8_t)(k->vlan[1] >> 8);
	tail[7] = (uint8_t)k->vlan[1];
	h = mix64(h ^ load_le(tail, 8));
	if (k->tunnel_id) /* 0 keeps the hashes (and flow ids) of untunnelled flows */
		h = mix64(h ^ ((uint64_t)k->tunnel_id << 16 | 0x7475));
	return mix64(h ^ ((uint64_t)k->family << 8 | k->proto));
}

/* Is (a, pa) greater than (b, pb)? */
static bool endpoint_greater(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	int c = memcmp(a, b, 16);

	return c > 0 || (c == 0 && pa > pb);
}

void flow_key_from_packet(struct flow_key *k, const struct packet *p, bool *swapped)
{
	const struct ids_packet *pub = &p->pub;
	bool ports = pub->proto != 1 && pub->proto != 58; /* ICMP has none */
	uint16_t sp = ports ? pub->sport : 0, dp = ports ? pub->dport : 0;
	bool sw = endpoint_greater(pub->src.bytes, sp, pub->dst.bytes, dp);

	memset(k, 0, sizeof(*k));
	memcpy(k->addr[sw ? 1 : 0], pub->src.bytes, 16);
	memcpy(k->addr[sw ? 0 : 1], pub->dst.bytes, 16);
	k->port[sw ? 1 : 0] = sp;
	k->port[sw ? 0 : 1] = dp;
	for (unsigned i = 0; i < pub->vlan_count && i < IDS_MAX_VLAN; i++)
		k->vlan[i] = pub->vlan[i];
	k->family = pub->ip_version;
	k->proto = pub->proto;
	k->tunnel_id = p->track_id;
	*swapped = sw;
}

static uint64_t flow_id_of(uint64_t hash, int64_t first_usec)
{
	uint64_t id = mix64(hash ^ mix64((uint64_t)first_usec)) & FLOW_ID_MASK;

	return id ? id : 1;
}

static enum proto_class class_of(uint8_t proto)
{
	switch (proto) {
	case 6:
		return PC_TCP;
	case 17:
		return PC_UDP;
	case 1:
	case 58:
		return PC_ICMP;
	default:
		return PC_OTHER;
	}
}

/* ---------------------------------------------------------------- lists */

static void lru_unlink(struct lru *l, struct flow *f)
{
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		l->head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct lru *l, struct flow *f)
{
	f->lru_next = NULL;
	f->lru_prev = l->tail;
	if (l->tail)
		l->tail->lru_next = f;
	else
		l->head = f;
	l->tail = f;
}

static void hash_unlink(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & t->mask];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	f->hnext = NULL;
}

/* Remember `f`'s 5-tuple when the sensor drops its established TCP
 * session (its state is lost); a newer entry replaces an older one in the
 * same slot. Only established sessions get here, so a flood of embryonic
 * flows cannot wash them out. */
static void lost_put(struct flow_table *t, const struct flow *f, enum flow_end_reason why)
{
	struct lost *l;

	if ((why != FLOW_END_EVICTED && why != FLOW_END_TIMEOUT) || f->key.proto != 6 ||
	    f->state != FLOW_STATE_ESTABLISHED || !f->tcp)
		return;
	l = &t->lost[f->hash & t->lost_mask];
	l->key = f->key;
	l->hash = f->hash;
	l->why = (uint8_t)(1 + why);
}

/* 1 + the reason the sensor lost the state of key `k`'s session, or 0;
 * the entry is used up. */
static uint8_t lost_take(struct flow_table *t, const struct flow_key *k, uint64_t hash)
{
	struct lost *l = &t->lost[hash & t->lost_mask];
	uint8_t why = l->why;

	if (!why || l->hash != hash || memcmp(&l->key, k, sizeof(*k)) != 0)
		return 0;
	l->why = 0;
	return why;
}

/* Take `f` out of the table, tell `cb`, and put it on the free list. */
static void flow_end(struct flow_table *t, struct flow *f, enum flow_end_reason why, flow_end_fn cb,
		     void *ctx)
{
	hash_unlink(t, f);
	lru_unlink(&t->lru[f->timeout_class], f);
	lost_put(t, f, why);
	f->end_reason = (uint8_t)why;
	if (cb)
		cb(f, why, ctx);
	memset(f, 0, sizeof(*f));
	f->hnext = t->free_list;
	t->free_list = f;
	t->stats.active--;
}

/* ---------------------------------------------------------------- table */

/* Timeouts of one protocol class; 0 for new or closed means "as
 * established". */
static void set_timeouts(struct flow_table *t, enum proto_class pc, uint32_t new_s, uint32_t est_s,
			 uint32_t closed_s)
{
	t->timeout_usec[TCLASS(pc, FLOW_STATE_NEW)] =
		(int64_t)(new_s ? new_s : est_s) * USEC_PER_SEC;
	t->timeout_usec[TCLASS(pc, FLOW_STATE_ESTABLISHED)] = (int64_t)est_s * USEC_PER_SEC;
	t->timeout_usec[TCLASS(pc, FLOW_STATE_CLOSED)] =
		(int64_t)(closed_s ? closed_s : est_s) * USEC_PER_SEC;
}

void flow_table_set_end_cb(struct flow_table *t, flow_end_fn cb, void *ctx)
{
	t->end_cb = cb;
	t->end_ctx = ctx;
}

void flow_table_set_reuse_cb(struct flow_table *t, flow_reuse_fn cb, void *ctx)
{
	t->reuse_cb = cb;
	t->reuse_ctx = ctx;
}

/* Move `f` to the LRU of another state (as the most recently seen). */
static void set_state(struct flow_table *t, struct flow *f, enum flow_state st)
{
	lru_unlink(&t->lru[f->timeout_class], f);
	f->state = (uint8_t)st;
	f->timeout_class = (uint8_t)TCLASS(class_of(f->key.proto), st);
	lru_append(&t->lru[f->timeout_class], f);
}

void flow_table_set_established(struct flow_table *t, struct flow *f)
{
	if (f->state == FLOW_STATE_NEW)
		set_state(t, f, FLOW_STATE_ESTABLISHED);
}

void flow_table_set_closed(struct flow_table *t, struct flow *f)
{
	if (f->state != FLOW_STATE_CLOSED)
		set_state(t, f, FLOW_STATE_CLOSED);
}

const char *flow_state_name(const struct flow *f)
{
	static const char *const names[N_STATES] = {"new", "established", "closed"};

	return f->state < N_STATES ? names[f->state] : "new";
}

struct flow_table *flow_table_new(const struct flow_config *cfg)
{
	struct flow_table *t = calloc(1, sizeof(*t));
	uint64_t nb = MIN_BUCKETS;

	if (!t)
		return NULL;
	t->max_flows = cfg->max_flows ? cfg->max_flows : 1;
	while (nb < t->max_flows)
		nb <<= 1;
	t->mask = nb - 1;
	t->pool = calloc(t->max_flows, sizeof(*t->pool));
	if (!t->pool)
		goto free_table;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->buckets)
		goto free_pool;
	t->lost_mask = LOST_MIN - 1;
	while (t->lost_mask + 1 < nb / 16)
		t->lost_mask = t->lost_mask * 2 + 1;
	t->lost = calloc(t->lost_mask + 1, sizeof(*t->lost));
	if (!t->lost)
		goto free_buckets;
	for (uint32_t i = t->max_flows; i-- > 0;) {
		t->pool[i].hnext = t->free_list;
		t->free_list = &t->pool[i];
	}
	set_timeouts(t, PC_TCP, cfg->new_tcp, cfg->timeout_tcp, cfg->closed_tcp);
	set_timeouts(t, PC_UDP, cfg->new_udp, cfg->timeout_udp, 0);
	set_timeouts(t, PC_ICMP, cfg->new_icmp, cfg->timeout_icmp, 0);
	set_timeouts(t, PC_OTHER, cfg->new_other, cfg->timeout_other, 0);
	return t;
free_buckets:
	free(t->buckets);
free_pool:
	free(t->pool);
free_table:
	free(t);
	return NULL;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	free(t->lost);
	free(t->buckets);
	free(t->pool);
	free(t);
}

static struct flow *lookup(struct flow_table *t, const struct flow_key *k, uint64_t hash)
{
	struct flow *f;

	for (f = t->buckets[hash & t->mask]; f; f = f->hnext)
		if (f->hash == hash && memcmp(&f->key, k, sizeof(*k)) == 0)
			return f;
	return NULL;
}

/* The least recently seen flow in state `st` (any protocol), or NULL. */
static struct flow *oldest_in(struct flow_table *t, enum flow_state st)
{
	struct flow *best = NULL;

	for (unsigned pc = 0; pc < PC_MAX; pc++) {
		struct flow *h = t->lru[TCLASS(pc, st)].head;

		if (h && (!best || h->last_usec < best->last_usec))
			best = h;
	}
	return best;
}

/* The pool is full: end one flow, chosen so that a flood of new flows
 * cannot push out live sessions: closed first, then embryonic, then
 * established, each least recently seen first. */
static void evict_one(struct flow_table *t)
{
	static const enum flow_state order[] = {FLOW_STATE_CLOSED, FLOW_STATE_NEW,
						FLOW_STATE_ESTABLISHED};
	uint64_t *kind[] = {&t->stats.evicted_closed, &t->stats.evicted_embryonic,
			    &t->stats.evicted_established};

	for (unsigned i = 0; i < 3; i++) {
		struct flow *f = oldest_in(t, order[i]);

		if (!f)
			continue;
		flow_end(t, f, FLOW_END_EVICTED, t->end_cb, t->end_ctx);
		t->stats.evicted++;
		(*kind[i])++;
		return;
	}
}

#define EVICT_SCAN 256

bool flow_table_evict_tcp(struct flow_table *t, const struct flow *keep,
			  bool (*pred)(const struct flow *f, void *ctx), void *ctx)
{
	static const enum flow_state order[] = {FLOW_STATE_CLOSED, FLOW_STATE_NEW,
						FLOW_STATE_ESTABLISHED};
	uint64_t *kind[] = {&t->stats.evicted_closed, &t->stats.evicted_embryonic,
			    &t->stats.evicted_established};

	for (unsigned i = 0; i < 3; i++) {
		struct flow *f = t->lru[TCLASS(PC_TCP, order[i])].head;

		for (unsigned n = 0; f && n < EVICT_SCAN; f = f->lru_next, n++) {
			if (f == keep || !pred(f, ctx))
				continue;
			flow_end(t, f, FLOW_END_EVICTED, t->end_cb, t->end_ctx);
			t->stats.evicted++;
			(*kind[i])++;
			return true;
		}
	}
	return false;
}

static struct flow *flow_alloc(struct flow_table *t)
{
	struct flow *f = t->free_list;

	if (!f) {
		evict_one(t);
		f = t->free_list;
	}
	t->free_list = f->hnext;
	f->hnext = NULL;
	return f;
}

/*
 * Is the flow's first packet the server's? For TCP: a SYN+ACK (the SYN was
 * missed), or a packet without SYN (the session was picked up midstream)
 * from a well-known port (< 1024) to an ephemeral one (>= 1024): the side
 * on the well-known port is the server, as Suricata reverses such flows.
 * Otherwise the sender of the first packet is the client.
 */
static bool first_packet_from_server(const struct packet *p)
{
	uint8_t syn_ack = IDS_TCP_SYN | IDS_TCP_ACK;

	if (p->pub.proto != 6)
		return false;
	if ((p->pub.tcp_flags & syn_ack) == syn_ack)
		return true;
	return !(p->pub.tcp_flags & IDS_TCP_SYN) && p->pub.sport < 1024 && p->pub.dport >= 1024;
}

static struct flow *flow_create(struct flow_table *t, const struct flow_key *k, uint64_t hash,
				const struct packet *p, bool swapped)
{
	struct flow *f = flow_alloc(t);
	struct flow **bucket = &t->buckets[hash & t->mask];
	bool reversed = first_packet_from_server(p);

	f->key = *k;
	f->hash = hash;
	f->flow_id = flow_id_of(hash, p->pub.ts_usec);
	/* The client sent the first packet, unless it answers a missed SYN. */
	f->client_side = (uint8_t)((swapped ? 1 : 0) ^ (reversed ? 1 : 0));
	f->state = FLOW_STATE_NEW;
	f->timeout_class = (uint8_t)TCLASS(class_of(k->proto), FLOW_STATE_NEW);
	f->first_usec = f->last_usec = p->pub.ts_usec;
	if (k->proto == 6)
		f->lost_state = lost_take(t, k, hash);
	f->hnext = *bucket;
	*bucket = f;
	lru_append(&t->lru[f->timeout_class], f);
	t->stats.created++;
	t->stats.active++;
	return f;
}

/* A new TCP connection on the 5-tuple of `f` (the reuse callback says so):
 * end `f` and start a flow of its own, whose id differs from the old one. */
static struct flow *reuse(struct flow_table *t, struct flow *f, const struct flow_key *k,
			  uint64_t hash, const struct packet *p, bool swapped)
{
	uint64_t old_id = f->flow_id;

	flow_end(t, f, FLOW_END_TCP_REUSE, t->end_cb, t->end_ctx);
	t->stats.tcp_reuse++;
	f = flow_create(t, k, hash, p, swapped);
	if (f->flow_id == old_id)
		f->flow_id = old_id % FLOW_ID_MASK + 1;
	return f;
}

struct flow *flow_table_update(struct flow_table *t, struct packet *p)
{
	struct flow_key k;
	struct flow *f;
	bool swapped;
	uint64_t hash;
	unsigned dir;

	if (p->pub.ip_version != 4 && p->pub.ip_version != 6)
		return NULL;
	t->stats.lookups++;
	flow_key_from_packet(&k, p, &swapped);
	hash = flow_key_hash(&k);
	f = lookup(t, &k, hash);
	if (f && t->reuse_cb && p->pub.proto == 6 &&
	    t->reuse_cb(f, p, (swapped ? 1 : 0) == f->client_side ? 0 : 1, t->reuse_ctx)) {
		f = reuse(t, f, &k, hash, p, swapped);
	} else if (f) {
		lru_unlink(&t->lru[f->timeout_class], f);
		lru_append(&t->lru[f->timeout_class], f);
	} else {
		f = flow_create(t, &k, hash, p, swapped);
	}
	dir = (swapped ? 1u : 0u) == f->client_side ? IDS_DIR_TO_SERVER : IDS_DIR_TO_CLIENT;
	/* With a TCP session, the session says when (flow_table_set_established). */
	if (f->state == FLOW_STATE_NEW && f->pkts[dir ^ 1] && !f->pkts[dir] && !f->tcp)
		set_state(t, f, FLOW_STATE_ESTABLISHED);
	f->pkts[dir]++;
	f->bytes[dir] += p->pub.l3_len;
	if (p->pub.proto == 6)
		f->tcp_flags[dir] |= p->pub.tcp_flags;
	if (p->pub.ts_usec > f->last_usec)
		f->last_usec = p->pub.ts_usec;
	p->pub.flow_id = f->flow_id;
	p->pub.direction = (uint8_t)dir;
	return f;
}

void flow_table_expire(struct flow_table *t, int64_t now_usec, flow_end_fn cb, void *ctx)
{
	for (unsigned c = 0; c < TC_MAX; c++) {
		struct flow *f;

		while ((f = t->lru[c].head) && now_usec - f->last_usec > t->timeout_usec[c]) {
			flow_end(t, f, FLOW_END_TIMEOUT, cb, ctx);
			t->stats.expired++;
		}
	}
}

void flow_table_flush(struct flow_table *t, flow_end_fn cb, void *ctx)
{
	for (unsigned c = 0; c < TC_MAX; c++)
		while (t->lru[c].head)
			flow_end(t, t->lru[c].head, FLOW_END_SHUTDOWN, cb, ctx);
}

void flow_table_foreach(struct flow_table *t, void (*fn)(struct flow *f, void *ctx), void *ctx)
{
	for (unsigned c = 0; c < TC_MAX; c++)
		for (struct flow *f = t->lru[c].head; f; f = f->lru_next)
			fn(f, ctx);
}

const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
	return &t->stats;
}
