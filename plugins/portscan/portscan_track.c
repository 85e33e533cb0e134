/*
 * portscan_track.c - distinct ports and hosts per source, per window, in a
 * table of fixed capacity (see portscan_track.h).
 *
 * Design. One allocation holds everything:
 *
 *   struct ps_table | sources[max_sources] | hosts[max_sources * host_cap]
 *                   | buckets[n_buckets] | ports[max_sources * port_cap]
 *
 * A source entry is found through a chained hash (buckets[] heads, each
 * entry's `hnext`), seeded so that spoofed addresses cannot be chosen to
 * collide. Entries are kept on a doubly linked LRU list by last event:
 * the head is the most recent, the tail is the one evicted when the table
 * is full and the first ps_expire() looks at. Unused entries sit on a free
 * list threaded through `hnext`. All links are 32-bit indices (PS_NIL for
 * none), so the table has no pointers into itself.
 *
 * Each entry owns two small open-addressing sets (linear probing, load at
 * most 2/3): the distinct destination ports (uint16) and the distinct
 * destination hosts (uint32: an IPv4 address exactly, an IPv6 address as
 * a seeded 32-bit hash). The value 0 cannot mark an empty slot and a flag
 * of its own. A set stops growing at threshold + 1 entries: that is enough
 * to know the threshold was exceeded, and it bounds the set's size.
 *
 * Invariants: every entry is either on the free list or both in its hash
 * chain and on the LRU list; count == entries in use; n_ports <= max_ports
 * + 1 and n_hosts <= max_hosts + 1; `alerted` holds the PS_HIT_* bits
 * already returned in the entry's current window.
 */
#include "portscan_track.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PS_NIL UINT32_MAX

struct ps_source {
	struct ids_addr addr;
	uint8_t alerted;   /* PS_HIT_* returned in this window */
	uint8_t port_zero; /* port 0 is in the port set */
	uint8_t host_zero; /* host value 0 is in the host set */
	uint16_t n_ports, n_hosts;
	int64_t window_start, last_seen;
	uint32_t hnext;	     /* next in the hash chain, or in the free list */
	uint32_t prev, next; /* LRU list: prev towards the head */
};

struct ps_table {
	struct ps_config cfg;
	uint32_t port_cap, host_cap;   /* slots per set, powers of two */
	uint32_t port_bits, host_bits; /* log2 of the caps */
	uint32_t bucket_mask;
	uint32_t head, tail, free_head; /* LRU ends and free list */
	uint32_t count;
	struct ps_source *src;
	uint32_t *hosts;
	uint32_t *buckets;
	uint16_t *ports;
	struct ps_stats st;
};

/* ------------------------------------------------------------ sizing */

static uint32_t pow2_at_least(uint64_t n, uint32_t *bits)
{
	uint32_t b = 0;

	while ((1ull << b) < n)
		b++;
	*bits = b;
	return 1u << b;
}

/* Slots for a set holding up to threshold + 1 values at load <= 2/3. */
static uint32_t set_cap(uint32_t threshold, uint32_t *bits)
{
	return pow2_at_least(((uint64_t)threshold + 1) * 3 / 2 + 1, bits);
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct ps_layout {
	size_t src, hosts, buckets, ports, total;
	uint32_t port_cap, host_cap, port_bits, host_bits, n_buckets;
};

static bool ps_layout(const struct ps_config *c, struct ps_layout *l)
{
	uint32_t bbits;
	size_t n;

	if (c->max_ports == 0 || c->max_ports > PS_MAX_THRESHOLD || c->max_hosts == 0 ||
	    c->max_hosts > PS_MAX_THRESHOLD || c->max_sources == 0 ||
	    c->max_sources > PS_MAX_SOURCES || c->window_usec <= 0)
		return false;
	n = c->max_sources;
	l->port_cap = set_cap(c->max_ports, &l->port_bits);
	l->host_cap = set_cap(c->max_hosts, &l->host_bits);
	l->n_buckets = pow2_at_least(n, &bbits);
	l->src = align8(sizeof(struct ps_table));
	l->hosts = l->src + align8(n * sizeof(struct ps_source));
	l->buckets = l->hosts + align8(n * l->host_cap * sizeof(uint32_t));
	l->ports = l->buckets + align8((size_t)l->n_buckets * sizeof(uint32_t));
	l->total = l->ports + align8(n * l->port_cap * sizeof(uint16_t));
	return true;
}

size_t ps_table_bytes(const struct ps_config *c)
{
	struct ps_layout l;

	return ps_layout(c, &l) ? l.total : 0;
}

/* ------------------------------------------------------------ life */

struct ps_table *ps_table_new(const struct ps_config *c)
{
	struct ps_layout l;
	struct ps_table *t;
	uint8_t *mem;

	if (!ps_layout(c, &l))
		return NULL;
	mem = malloc(l.total);
	if (!mem)
		return NULL;
	t = (struct ps_table *)mem;
	memset(t, 0, sizeof(*t));
	t->cfg = *c;
	t->port_cap = l.port_cap;
	t->host_cap = l.host_cap;
	t->port_bits = l.port_bits;
	t->host_bits = l.host_bits;
	t->bucket_mask = l.n_buckets - 1;
	t->src = (struct ps_source *)(mem + l.src);
	t->hosts = (uint32_t *)(mem + l.hosts);
	t->buckets = (uint32_t *)(mem + l.buckets);
	t->ports = (uint16_t *)(mem + l.ports);
	memset(t->buckets, 0xff, (size_t)l.n_buckets * sizeof(uint32_t));
	for (uint32_t i = 0; i < c->max_sources; i++)
		t->src[i].hnext = i + 1 < c->max_sources ? i + 1 : PS_NIL;
	t->free_head = 0;
	t->head = t->tail = PS_NIL;
	return t;
}

void ps_table_free(struct ps_table *t)
{
	free(t);
}

size_t ps_table_count(const struct ps_table *t)
{
	return t->count;
}

const struct ps_stats *ps_table_stats(const struct ps_table *t)
{
	return &t->st;
}

/* ------------------------------------------------------------ hashing */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static uint64_t addr_hash(const struct ids_addr *a, uint64_t seed)
{
	uint64_t lo, hi;

	memcpy(&lo, a->bytes, 8);
	memcpy(&hi, a->bytes + 8, 8);
	return mix64(seed ^ mix64(lo ^ a->family) ^ mix64(hi + 0x9e3779b97f4a7c15ull));
}

static bool addr_eq(const struct ids_addr *a, const struct ids_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* A destination host as a 32-bit set value: IPv4 exactly. */
static uint32_t host_value(const struct ps_table *t, const struct ids_addr *dst)
{
	uint32_t v;

	if (dst->family == 4) {
		memcpy(&v, dst->bytes, 4);
		return v;
	}
	return (uint32_t)addr_hash(dst, ~t->cfg.seed);
}

/* Slot of value v in a set of 2^bits slots (Fibonacci hashing). */
static uint32_t slot_of(uint32_t v, uint32_t bits)
{
	return bits ? (uint32_t)(v * 2654435769u) >> (32 - bits) : 0;
}

/* ------------------------------------------------------------ sets */

/* Add a port; true when it was not there. */
static bool ports_add(const struct ps_table *t, struct ps_source *s, uint16_t *set, uint16_t port)
{
	uint32_t mask = t->port_cap - 1, i;

	if (port == 0) {
		if (s->port_zero)
			return false;
		s->port_zero = 1;
		return true;
	}
	for (i = slot_of(port, t->port_bits); set[i]; i = (i + 1) & mask)
		if (set[i] == port)
			return false;
	set[i] = port;
	return true;
}

static bool hosts_add(const struct ps_table *t, struct ps_source *s, uint32_t *set, uint32_t v)
{
	uint32_t mask = t->host_cap - 1, i;

	if (v == 0) {
		if (s->host_zero)
			return false;
		s->host_zero = 1;
		return true;
	}
	for (i = slot_of(v, t->host_bits); set[i]; i = (i + 1) & mask)
		if (set[i] == v)
			return false;
	set[i] = v;
	return true;
}

static uint16_t *ports_of(const struct ps_table *t, uint32_t idx)
{
	return t->ports + (size_t)idx * t->port_cap;
}

static uint32_t *hosts_of(const struct ps_table *t, uint32_t idx)
{
	return t->hosts + (size_t)idx * t->host_cap;
}

/* Start a new window for entry idx at `now`. */
static void window_reset(struct ps_table *t, uint32_t idx, int64_t now)
{
	struct ps_source *s = &t->src[idx];

	memset(ports_of(t, idx), 0, t->port_cap * sizeof(uint16_t));
	memset(hosts_of(t, idx), 0, t->host_cap * sizeof(uint32_t));
	s->n_ports = s->n_hosts = 0;
	s->port_zero = s->host_zero = 0;
	s->alerted = 0;
	s->window_start = now;
}

/* ------------------------------------------------------------ lists */

static void lru_unlink(struct ps_table *t, uint32_t idx)
{
	struct ps_source *s = &t->src[idx];

	if (s->prev != PS_NIL)
		t->src[s->prev].next = s->next;
	else
		t->head = s->next;
	if (s->next != PS_NIL)
		t->src[s->next].prev = s->prev;
	else
		t->tail = s->prev;
}

static void lru_push_head(struct ps_table *t, uint32_t idx)
{
	struct ps_source *s = &t->src[idx];

	s->prev = PS_NIL;
	s->next = t->head;
	if (t->head != PS_NIL)
		t->src[t->head].prev = idx;
	else
		t->tail = idx;
	t->head = idx;
}

static uint32_t bucket_of(const struct ps_table *t, const struct ids_addr *a)
{
	return (uint32_t)addr_hash(a, t->cfg.seed) & t->bucket_mask;
}

static uint32_t source_find(const struct ps_table *t, const struct ids_addr *a)
{
	uint32_t i;

	for (i = t->buckets[bucket_of(t, a)]; i != PS_NIL; i = t->src[i].hnext)
		if (addr_eq(&t->src[i].addr, a))
			return i;
	return PS_NIL;
}

/* Take entry idx out of the table onto the free list. */
static void source_remove(struct ps_table *t, uint32_t idx)
{
	uint32_t *link = &t->buckets[bucket_of(t, &t->src[idx].addr)];

	while (*link != idx)
		link = &t->src[*link].hnext;
	*link = t->src[idx].hnext;
	lru_unlink(t, idx);
	t->src[idx].hnext = t->free_head;
	t->free_head = idx;
	t->count--;
}

/* A fresh entry for `a`, evicting the least recently seen when full. */
static uint32_t source_insert(struct ps_table *t, const struct ids_addr *a, int64_t now)
{
	uint32_t idx, b;

	if (t->free_head == PS_NIL) {
		source_remove(t, t->tail);
		t->st.evictions++;
	}
	idx = t->free_head;
	t->free_head = t->src[idx].hnext;
	t->src[idx].addr = *a;
	b = bucket_of(t, a);
	t->src[idx].hnext = t->buckets[b];
	t->buckets[b] = idx;
	lru_push_head(t, idx);
	window_reset(t, idx, now);
	t->src[idx].last_seen = now;
	t->count++;
	t->st.sources++;
	return idx;
}

/* ------------------------------------------------------------ events */

/* The thresholds the entry crosses now that it counted the event. */
static unsigned crossed(struct ps_table *t, struct ps_source *s)
{
	unsigned hit = 0;

	if (s->n_ports > t->cfg.max_ports && !(s->alerted & PS_HIT_PORTS)) {
		hit |= PS_HIT_PORTS;
		t->st.port_alerts++;
	}
	if (s->n_hosts > t->cfg.max_hosts && !(s->alerted & PS_HIT_HOSTS)) {
		hit |= PS_HIT_HOSTS;
		t->st.host_alerts++;
	}
	s->alerted |= (uint8_t)hit;
	return hit;
}

unsigned ps_track(struct ps_table *t, const struct ids_addr *src, const struct ids_addr *dst,
		  uint16_t dport, int64_t now_usec)
{
	uint32_t idx = source_find(t, src);
	struct ps_source *s;

	t->st.events++;
	if (idx == PS_NIL) {
		idx = source_insert(t, src, now_usec);
	} else {
		lru_unlink(t, idx);
		lru_push_head(t, idx);
		if (now_usec - t->src[idx].window_start >= t->cfg.window_usec) {
			window_reset(t, idx, now_usec);
			t->st.windows++;
		}
	}
	s = &t->src[idx];
	if (now_usec > s->last_seen)
		s->last_seen = now_usec;
	if (s->n_ports <= t->cfg.max_ports && ports_add(t, s, ports_of(t, idx), dport))
		s->n_ports++;
	if (s->n_hosts <= t->cfg.max_hosts && hosts_add(t, s, hosts_of(t, idx), host_value(t, dst)))
		s->n_hosts++;
	return crossed(t, s);
}

void ps_expire(struct ps_table *t, int64_t now_usec)
{
	while (t->tail != PS_NIL && t->src[t->tail].last_seen <= now_usec - t->cfg.window_usec) {
		source_remove(t, t->tail);
		t->st.expired++;
	}
}
