/*
 * matcher_group.c - the block-mode rules without a Hyperscan pattern
 * (header-only, negated-only, byte keywords only, PCRE2-only), grouped by
 * protocol and destination port so that a scan only looks at those that
 * can accept its packet.
 *
 * Design. A rule whose proto is tcp or udp and whose dst_port is a list of
 * positive ports or ranges covering at most GROUP_MAX_PORTS ports goes into
 * one bucket per (proto, port); every other such rule (proto ip or icmp,
 * any port, negations, wide ranges) is "generic" and checked on every
 * scan. Buckets live in one array of rule indexes sorted by (key, rule),
 * found through an open-addressing table keyed by proto << 16 | port; each
 * bucket and the generic list are in rule order, so the scan merges them
 * with the Hyperscan candidates and reports in rule order as before. A
 * rule's header is still checked in full when it is reported: the bucket
 * only skips rules whose destination port cannot match.
 *
 * A rule whose narrower side is a host list (blocks no wider than an
 * IPv4 /24 or an IPv6 /56, HOST_LIST_SPAN) is indexed by address as below
 * even when its ports could bucket it: ET Open's botcc.portgrouped rules
 * name port 80 and lists of hosts, and a bucket would make each of them a
 * candidate for every port-80 packet from the home network.
 *
 * Of the rules left generic, those whose source or destination
 * address set (the narrower one: a host list rather than $HOME_NET) is a
 * list of positive blocks no wider than an IPv4 /16 or
 * an IPv6 /48 (IP reputation lists: ET Open's botcc, compromised, tor,
 * ... thousands of header-only rules) are indexed by address instead: per
 * side and family an array of key ranges (IPv4 address, or the first 64
 * bits of an IPv6 one) sorted by start, so that a packet's address finds
 * its rules with one binary search and a scan of at most the blocks that
 * start within `width` keys before it. Rules whose sets are wider (down to
 * an IPv4 /8 or an IPv6 /16: $HOME_NET's private ranges) go to a second,
 * "wide" index keyed by the first 8 or 16 bits only, so that such a rule is
 * looked at only for packets in one of its blocks' first octets. The
 * header is again checked in full when such a rule is reported.
 *
 * Threads: built by the compile (main thread), read-only afterwards.
 */
#include "detect/matcher_group.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "detect/matcher_internal.h"

#define GROUP_MAX_PORTS 32
/* Narrow index: blocks of at least these prefixes, keyed by the whole
 * IPv4 address or the first 64 bits of an IPv6 one. */
#define ADDR_MIN_PREFIX4 16
#define ADDR_MIN_PREFIX6 48
/* Wide index ($HOME_NET's 10.0.0.0/8 and the like): blocks of at least
 * these prefixes, keyed by the first 8 (IPv4) or 16 (IPv6) bits only. */
#define WIDE_MIN_PREFIX4 8
#define WIDE_MIN_PREFIX6 16
/* A side whose blocks leave at most this many key bits free (an IPv4
 * /24, an IPv6 /56) is a host list: indexed by address before the port
 * buckets are tried. */
#define HOST_LIST_SPAN 8
#define WIDE_SHIFT4    24
#define WIDE_SHIFT6    48

struct gpair {
	uint32_t key, rule;
};

/* Remove repeats from sorted a[0..n): the new count. */
static size_t dedup(uint32_t *a, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!k || a[k - 1] != a[i])
			a[k++] = a[i];
	return k;
}

static uint32_t group_key(uint8_t proto, uint16_t port)
{
	return (uint32_t)proto << 16 | port;
}

/* The ports of a groupable rule (n of them), or 0 when it is generic. */
static size_t rule_ports(const struct rule *r, uint8_t *proto)
{
	size_t n = 0;

	/* a bidirectional rule's dst_port may be the packet's source port */
	if (!r || (r->proto != RULE_PROTO_TCP && r->proto != RULE_PROTO_UDP) || r->dport.any ||
	    !r->dport.n || r->bidirectional)
		return 0;
	*proto = r->proto == RULE_PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	for (size_t i = 0; i < r->dport.n; i++) {
		const struct port_range *pr = &r->dport.ranges[i];

		if (pr->negated || pr->hi < pr->lo)
			return 0;
		n += (size_t)(pr->hi - pr->lo) + 1;
		if (n > GROUP_MAX_PORTS)
			return 0;
	}
	return n;
}

static int by_key_rule(const void *a, const void *b)
{
	const struct gpair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static size_t slot_of(const struct mgroups *g, uint32_t key)
{
	size_t h = (size_t)(key * 2654435761u) & (g->cap - 1);

	while (g->slots[h].n && g->slots[h].key != key)
		h = (h + 1) & (g->cap - 1);
	return h;
}

/* ------------------------------------------------ the address index */

static uint64_t key_bits(const uint8_t *b, unsigned n)
{
	uint64_t k = 0;

	for (unsigned i = 0; i < n; i++)
		k = k << 8 | b[i];
	return k;
}

/* The key of an address: [0] IPv4, [1] IPv6 (its first 64 bits). */
static int addr_key(const struct ids_addr *a, uint64_t *key)
{
	if (a->family == 4) {
		*key = key_bits(a->bytes, 4);
		return 0;
	}
	*key = key_bits(a->bytes, 8);
	return 1;
}

/* Can `set` be indexed: positive blocks only, none shorter than the
 * given prefixes? */
static bool set_indexable(const struct addr_set *set, unsigned min4, unsigned min6)
{
	if (set->any || !set->n)
		return false;
	for (size_t i = 0; i < set->n; i++) {
		const struct addr_block *b = &set->blocks[i];

		if (b->negated || (b->family == 4 && b->prefix < min4) ||
		    (b->family == 6 && b->prefix < min6))
			return false;
	}
	return true;
}

/* Block `b` as a key range, the key's low `shift` bits dropped (0 in the
 * narrow index, WIDE_SHIFT4/6 in the wide one). */
static int index_push(struct maddr_index *x, size_t *cap, const struct addr_block *b, uint32_t rule,
		      unsigned shift)
{
	unsigned bits = (b->family == 4 ? 32 : 64) - shift;
	unsigned fixed = b->prefix < bits ? b->prefix : bits;
	uint64_t lo = key_bits(b->bytes, b->family == 4 ? 4 : 8) >> shift;
	uint64_t span =
		fixed == 0 ? UINT64_MAX : (fixed == 64 ? 0 : (UINT64_C(1) << (bits - fixed)) - 1);

	if (x->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct maddr_entry *ne = realloc(x->e, nc * sizeof(*ne));

		if (!ne)
			return -1;
		x->e = ne;
		*cap = nc;
	}
	x->e[x->n++] = (struct maddr_entry){lo, lo + span, rule};
	if (span > x->width)
		x->width = span;
	return 0;
}

/* The widest block of an indexable set, as key bits left free (IPv4:
 * 32 - prefix; IPv6: 64 - prefix, keys being 64 bits). */
static unsigned set_span(const struct addr_set *set)
{
	unsigned span = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct addr_block *b = &set->blocks[i];
		unsigned bits = b->family == 4 ? 32 : 64;
		unsigned free_bits = b->prefix < bits ? bits - b->prefix : 0;

		span = free_bits > span ? free_bits : span;
	}
	return span;
}

/* Index rule `ri` by the side whose blocks are narrower (the source on a
 * tie) in the narrow index, else likewise in the wide one; 1 when
 * indexed, 0 when no side can be, -1 out of memory. The narrower side is
 * the one that names few hosts: `$HOME_NET -> [list of hosts]` goes by
 * its list, or every packet from a home network of a /16 would make
 * every such rule a candidate. */
static int index_rule(struct mgroups *g, size_t caps[8], const struct rule *r, uint32_t ri,
		      unsigned max_span)
{
	const struct {
		const struct addr_set *set;
		struct maddr_index *side;
		bool wide;
	} ways[] = {{&r->src, g->src, false},
		    {&r->dst, g->dst, false},
		    {&r->src, g->wsrc, true},
		    {&r->dst, g->wdst, true}};

	if (r->bidirectional) /* its source may be the packet's destination */
		return 0;
	for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
		const struct addr_set *set = ways[w].set;
		bool wide = ways[w].wide;
		bool ok = set_indexable(set, wide ? WIDE_MIN_PREFIX4 : ADDR_MIN_PREFIX4,
					wide ? WIDE_MIN_PREFIX6 : ADDR_MIN_PREFIX6);

		if (!ok || set_span(set) > max_span)
			continue;
		/* the source, unless the destination can be indexed alike and
		 * is narrower */
		if (w % 2 == 0 &&
		    set_indexable(ways[w + 1].set, wide ? WIDE_MIN_PREFIX4 : ADDR_MIN_PREFIX4,
				  wide ? WIDE_MIN_PREFIX6 : ADDR_MIN_PREFIX6) &&
		    set_span(ways[w + 1].set) < set_span(set))
			continue;
		if (wide && max_span < 64)
			return 0; /* only host lists were asked for */
		for (size_t i = 0; i < set->n; i++) {
			int f = set->blocks[i].family == 4 ? 0 : 1;
			unsigned shift = wide ? (f ? WIDE_SHIFT6 : WIDE_SHIFT4) : 0;

			if (index_push(&ways[w].side[f], &caps[w * 2 + f], &set->blocks[i], ri,
				       shift) < 0)
				return -1;
		}
		return 1;
	}
	return 0;
}

static int by_lo(const void *a, const void *b)
{
	const struct maddr_entry *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Append to out the rules of `x` whose block holds `key`. */
static size_t index_find(const struct maddr_index *x, uint64_t key, uint32_t *out, size_t n,
			 size_t cap)
{
	uint64_t from = key > x->width ? key - x->width : 0;
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->e[mid].lo < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < x->n && x->e[i].lo <= key; i++) {
		if (x->e[i].hi < key)
			continue;
		if (n == cap) {
			matcher_sort_indexes(out, n);
			n = dedup(out, n);
		}
		out[n++] = x->e[i].rule;
	}
	return n;
}

size_t mgroups_by_addr(const struct mgroups *g, const struct ids_addr *src,
		       const struct ids_addr *dst, uint32_t *out, size_t cap)
{
	uint64_t key;
	size_t n = 0;
	int f;

	if (src->family == 4 || src->family == 6) {
		f = addr_key(src, &key);
		if (g->src[f].n)
			n = index_find(&g->src[f], key, out, n, cap);
		if (g->wsrc[f].n)
			n = index_find(&g->wsrc[f], key >> (f ? WIDE_SHIFT6 : WIDE_SHIFT4), out, n,
				       cap);
	}
	if (dst->family == 4 || dst->family == 6) {
		f = addr_key(dst, &key);
		if (g->dst[f].n)
			n = index_find(&g->dst[f], key, out, n, cap);
		if (g->wdst[f].n)
			n = index_find(&g->wdst[f], key >> (f ? WIDE_SHIFT6 : WIDE_SHIFT4), out, n,
				       cap);
	}
	if (n > 1) {
		matcher_sort_indexes(out, n);
		n = dedup(out, n);
	}
	return n;
}

/* Pairs of every groupable rule; the others go to g->generic. */
static struct gpair *collect(struct mgroups *g, const struct ids_matcher *m, size_t *np)
{
	struct gpair *pairs = malloc((m->n_always * GROUP_MAX_PORTS + 1) * sizeof(*pairs));
	size_t n = 0, caps[8] = {0};
	int indexed;

	g->generic = malloc((m->n_always + 1) * sizeof(*g->generic));
	if (!pairs || !g->generic) {
		free(pairs);
		return NULL;
	}
	for (size_t i = 0; i < m->n_always; i++) {
		uint32_t ri = m->always[i];
		const struct rule *r = m->rules[ri].r;
		uint8_t proto = 0;

		/* a host list goes by address even when its ports could
		 * bucket it: botcc.portgrouped's lists of /32s on port 80 */
		indexed = r ? index_rule(g, caps, r, ri, HOST_LIST_SPAN) : 0;
		if (indexed < 0) {
			free(pairs);
			return NULL;
		}
		if (indexed)
			continue;
		if (!rule_ports(r, &proto)) {
			indexed = r ? index_rule(g, caps, r, ri, 64) : 0;
			if (indexed < 0) {
				free(pairs);
				return NULL;
			}
			if (!indexed)
				g->generic[g->n_generic++] = ri;
			continue;
		}
		for (size_t k = 0; k < r->dport.n; k++)
			for (uint32_t p = r->dport.ranges[k].lo; p <= r->dport.ranges[k].hi; p++)
				pairs[n++] = (struct gpair){group_key(proto, (uint16_t)p), ri};
	}
	*np = n;
	return pairs;
}

int mgroups_build(struct mgroups *g, const struct ids_matcher *m)
{
	size_t n = 0;
	struct gpair *pairs;

	memset(g, 0, sizeof(*g));
	pairs = collect(g, m, &n);
	if (!pairs)
		return -1;
	for (int f = 0; f < 2; f++) {
		struct maddr_index *x[] = {&g->src[f], &g->dst[f], &g->wsrc[f], &g->wdst[f]};

		for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
			if (x[i]->n) /* an empty index has no array (qsort wants one) */
				qsort(x[i]->e, x[i]->n, sizeof(*x[i]->e), by_lo);
	}
	qsort(pairs, n, sizeof(*pairs), by_key_rule);
	g->cap = 16;
	while (g->cap < n * 2)
		g->cap *= 2;
	g->slots = calloc(g->cap, sizeof(*g->slots));
	g->rules = malloc((n + 1) * sizeof(*g->rules));
	if (!g->slots || !g->rules) {
		free(pairs);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t s = slot_of(g, pairs[i].key);

		if (!g->slots[s].n) {
			g->slots[s].key = pairs[i].key;
			g->slots[s].first = (uint32_t)i;
		}
		g->slots[s].n++;
		g->rules[i] = pairs[i].rule;
	}
	free(pairs);
	return 0;
}

void mgroups_free(struct mgroups *g)
{
	for (int f = 0; f < 2; f++) {
		free(g->src[f].e);
		free(g->dst[f].e);
		free(g->wsrc[f].e);
		free(g->wdst[f].e);
	}
	free(g->generic);
	free(g->slots);
	free(g->rules);
	memset(g, 0, sizeof(*g));
}

const uint32_t *mgroups_find(const struct mgroups *g, uint8_t proto, uint16_t port, size_t *n)
{
	size_t s;

	*n = 0;
	if (!g->cap || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return NULL;
	s = slot_of(g, group_key(proto, port));
	if (!g->slots[s].n)
		return NULL;
	*n = g->slots[s].n;
	return &g->rules[g->slots[s].first];
}
