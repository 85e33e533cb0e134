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
 * Threads: built by the compile (main thread), read-only afterwards.
 */
#include "detect/matcher_group.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "detect/matcher_internal.h"

#define GROUP_MAX_PORTS 32

struct gpair {
	uint32_t key, rule;
};

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

/* Pairs of every groupable rule; the others go to g->generic. */
static struct gpair *collect(struct mgroups *g, const struct ids_matcher *m, size_t *np)
{
	struct gpair *pairs = malloc((m->n_always * GROUP_MAX_PORTS + 1) * sizeof(*pairs));
	size_t n = 0;

	g->generic = malloc((m->n_always + 1) * sizeof(*g->generic));
	if (!pairs || !g->generic) {
		free(pairs);
		return NULL;
	}
	for (size_t i = 0; i < m->n_always; i++) {
		uint32_t ri = m->always[i];
		const struct rule *r = m->rules[ri].r;
		uint8_t proto = 0;

		if (!rule_ports(r, &proto)) {
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
