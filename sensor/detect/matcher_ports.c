/*
 * matcher_ports.c - port groups of stream and block matchers: one
 * Hyperscan database per set of rules a stream or packet can report,
 * chosen by the flow's server port (Suricata's port groups) and, for
 * packets, by TCP or UDP.
 *
 * Why. A stream matcher of a large set (ET Open: some 1,900 to_server
 * stream rules) scans every stream byte against every rule; many rules
 * name the server's port (445, 1521, $HTTP_PORTS ...) and can never be
 * reported on a flow of another port, since the header check
 * (rule_header_match) runs on the chunk's packet. A stream on port 80 is
 * scanned by a database without the rules of port 445.
 *
 * Which rules a group holds. The packet a chunk is handed with is the
 * sender of its data with the flow's two ports (core/worker.c
 * stream_packet; the direction split of matcher.c relies on it too): for
 * data to the server it has (sport = client port c, dport = server port
 * s), to the client (sport = s, dport = c), c being any port. So a rule
 * can be reported on a stream of direction d and server port s only when
 * s is in its "key side": dport for d = to_server, sport for to_client,
 * and for a bidirectional rule (`<>`, the ports swapped) the other side
 * too (mport_key_has). A rule whose key side holds every port (`any`, a
 * negation of nothing) is in every group; a negated list (`!80`) is in
 * every group but 80's. Nothing else is assumed, so the alerts are those
 * of the one database of all the rules.
 *
 * Which ports have a group. The single ports rules of the direction name
 * on their key side (lists included, ranges not), counted per port; the
 * ports named by at least PORT_GROUP_MIN_RULES rules, the most named first
 * (ties: the lower port), at most PORT_GROUPS_MAX. Every other port shares
 * the "other" group: the rules whose key side holds some port outside the
 * chosen ones (mport_key_escapes). Groups with the same rules share one
 * database; a group of all the direction's rules, or one that leaves out
 * less than 1/GROUP_MIN_GAIN of their patterns, uses the direction's
 * matcher itself (the one a stream without a packet uses).
 *
 * A stream picks its group once, at its first chunk (matcher_stream.c
 * stream_open), and keeps it: a Hyperscan stream belongs to one database.
 *
 * Packets (block matchers, matcher_compile). The same with the packet's
 * own direction and ports (a to_server packet's server port is its dport,
 * a to_client one's its sport), first split by protocol: the rules a TCP
 * (UDP) packet can match are the `ip` and `tcp` (`udp`) ones, per packet
 * direction (without the rules of the other one), each set a database of
 * its own when worth it (GROUP_MIN_GAIN; the two directions share one
 * when their sets are the same) with its port groups on top
 * (m->pkt[proto][dir]). A packet of another protocol, or a scan without a
 * packet, uses the whole matcher. Picked at each scan (mport_packet_pick).
 *
 * Threads: built and freed on the main thread with the matcher; read-only
 * afterwards, looked up by workers (a binary search in n_ports entries,
 * once per stream or per packet).
 */
#include "detect/matcher.h"
#include "detect/matcher_internal.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "detect/rules.h"

/* A port gets a group when at least this many rules name it. */
#define PORT_GROUP_MIN_RULES 4
/* A group (or a protocol's subset of a block matcher) gets a database of
 * its own only when it leaves out at least 1/GROUP_MIN_GAIN of the
 * patterns of the set it comes from; else it uses that set's. */
#define GROUP_MIN_GAIN 8

/* What a rule weighs in a database: its patterns. */
static size_t rule_weight(const struct rule *r)
{
	return r->n_patterns + (r->pcre != NULL);
}

static bool worth_it(size_t w, size_t whole)
{
	return w < whole - whole / GROUP_MIN_GAIN;
}

/* The key side of a rule for data of direction `dir`, and the other side
 * (which counts too for a bidirectional rule). */
static const struct port_set *key_side(const struct rule *r, unsigned dir)
{
	return dir == IDS_DIR_TO_SERVER ? &r->dport : &r->sport;
}

static const struct port_set *back_side(const struct rule *r, unsigned dir)
{
	return dir == IDS_DIR_TO_SERVER ? &r->sport : &r->dport;
}

bool mport_key_has(const struct rule *r, unsigned dir, uint16_t port)
{
	return port_set_match(key_side(r, dir), port) ||
	       (r->bidirectional && port_set_match(back_side(r, dir), port));
}

static bool in_sorted(const uint16_t *a, size_t n, uint32_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] == v)
			return true;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A port of [lo, hi] that `set` matches and `chosen` does not hold: each
 * step skips a negated range or a chosen port, so it ends quickly. */
static bool range_escapes(const struct port_set *set, uint32_t lo, uint32_t hi,
			  const uint16_t *chosen, size_t n_chosen)
{
	uint32_t p = lo;

	while (p <= hi) {
		bool moved = false;

		for (size_t i = 0; i < set->n && !moved; i++) {
			const struct port_range *r = &set->ranges[i];

			if (r->negated && p >= r->lo && p <= r->hi) {
				p = (uint32_t)r->hi + 1;
				moved = true;
			}
		}
		if (moved)
			continue;
		if (!in_sorted(chosen, n_chosen, p))
			return true;
		p++;
	}
	return false;
}

static bool set_escapes(const struct port_set *set, const uint16_t *chosen, size_t n_chosen)
{
	bool positive = false;

	if (set->any || set->n == 0)
		return true;
	for (size_t i = 0; i < set->n; i++) {
		const struct port_range *r = &set->ranges[i];

		if (r->negated)
			continue;
		positive = true;
		if (range_escapes(set, r->lo, r->hi, chosen, n_chosen))
			return true;
	}
	return !positive && range_escapes(set, 0, 65535, chosen, n_chosen);
}

bool mport_key_escapes(const struct rule *r, unsigned dir, const uint16_t *chosen, size_t n_chosen)
{
	return set_escapes(key_side(r, dir), chosen, n_chosen) ||
	       (r->bidirectional && set_escapes(back_side(r, dir), chosen, n_chosen));
}

/* ------------------------------------------------------ choosing ports */

struct port_count {
	uint16_t port;
	uint32_t n;
};

static void count_set(const struct port_set *set, uint32_t *count)
{
	if (set->any)
		return;
	for (size_t i = 0; i < set->n; i++)
		if (!set->ranges[i].negated && set->ranges[i].lo == set->ranges[i].hi)
			count[set->ranges[i].lo]++;
}

static int by_count(const void *a, const void *b)
{
	const struct port_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (int)x->port - (int)y->port;
}

static int by_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The ports that get a group, ascending, into chosen[PORT_GROUPS_MAX]. */
static size_t choose_ports(const struct rule *const *rs, size_t n, unsigned dir, uint16_t *chosen)
{
	uint32_t *count = calloc(65536, sizeof(*count));
	struct port_count top[PORT_GROUPS_MAX + 1];
	size_t k = 0;

	if (!count)
		return 0;
	for (size_t i = 0; i < n; i++) {
		count_set(key_side(rs[i], dir), count);
		if (rs[i]->bidirectional)
			count_set(back_side(rs[i], dir), count);
	}
	for (uint32_t p = 0; p < 65536; p++) {
		if (count[p] < PORT_GROUP_MIN_RULES)
			continue;
		top[k++] = (struct port_count){(uint16_t)p, count[p]};
		qsort(top, k, sizeof(top[0]), by_count);
		if (k > PORT_GROUPS_MAX)
			k = PORT_GROUPS_MAX;
	}
	free(count);
	for (size_t i = 0; i < k; i++)
		chosen[i] = top[i].port;
	qsort(chosen, k, sizeof(chosen[0]), by_port);
	return k;
}

/* ------------------------------------------------------------ building */

/* The rules of one group, as a membership map over the direction's rules. */
struct gset {
	uint8_t *in; /* n entries, 0 or 1 */
	size_t k;    /* entries set */
	size_t w;    /* their weight */
};

static int sub_for(struct mport_groups *pg, const struct ids_rule *const *rules, size_t n,
		   struct gset *sets, size_t g, size_t whole, const struct ids_rule **tmp,
		   bool stream, char *err, size_t errlen)
{
	struct ids_matcher *m;
	size_t k = 0;

	for (size_t j = 0; j < g; j++)
		if (sets[j].k == sets[g].k && !memcmp(sets[j].in, sets[g].in, n)) {
			pg->pick[g] = pg->pick[j];
			return 0;
		}
	if (sets[g].k == n || !worth_it(sets[g].w, whole)) {
		pg->pick[g] = pg->all;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (sets[g].in[i])
			tmp[k++] = rules[i];
	m = matcher_compile_set(tmp, k, err, errlen, stream);
	if (!m)
		return -1;
	pg->owned[pg->n_owned++] = m;
	pg->pick[g] = m;
	return 0;
}

static void fill_set(struct gset *s, const struct rule *const *rs, size_t n, unsigned dir,
		     const uint16_t *chosen, size_t n_chosen, int port)
{
	s->k = s->w = 0;
	for (size_t i = 0; i < n; i++) {
		bool in = port >= 0 ? mport_key_has(rs[i], dir, (uint16_t)port)
				    : mport_key_escapes(rs[i], dir, chosen, n_chosen);

		s->in[i] = in;
		s->k += in;
		s->w += in ? rule_weight(rs[i]) : 0;
	}
}

/* Groups of n_chosen + 1 sets (the chosen ports, then "other"). */
static int build_groups(struct mport_groups *pg, const struct ids_rule *const *rules,
			const struct rule *const *rs, size_t n, unsigned dir, bool stream,
			char *err, size_t errlen)
{
	size_t ng = pg->n_ports + 1;
	struct gset *sets = calloc(ng, sizeof(*sets));
	const struct ids_rule **tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t whole = 0;
	int rc = -1;

	if (!sets || !tmp)
		goto out;
	for (size_t i = 0; i < n; i++)
		whole += rule_weight(rs[i]);
	for (size_t g = 0; g < ng; g++) {
		sets[g].in = malloc(n ? n : 1);
		if (!sets[g].in)
			goto out;
		fill_set(&sets[g], rs, n, dir, pg->ports, pg->n_ports,
			 g < pg->n_ports ? (int)pg->ports[g] : -1);
		if (sub_for(pg, rules, n, sets, g, whole, tmp, stream, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t g = 0; sets && g < ng; g++)
		free(sets[g].in);
	free(sets);
	free(tmp);
	return rc;
}

static void log_groups(const struct mport_groups *pg, const char *kind, unsigned dir, size_t n)
{
	char buf[512];
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pg->n_ports && at < sizeof(buf) - 16; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%u:%zu", i ? " " : "",
				       pg->ports[i], pg->pick[i]->n_rules);
	log_info("%s rules %s: %zu, %zu port groups (%zu more databases), other ports: %zu rules; "
		 "port:rules %s",
		 kind, dir == IDS_DIR_TO_SERVER ? "to server" : "to client", n, pg->n_ports + 1,
		 pg->n_owned, pg->pick[pg->n_ports]->n_rules, buf);
}

int mport_groups_build(struct mport_groups **out, const struct ids_rule *const *rules, size_t n,
		       unsigned dir, const struct ids_matcher *all, const char *kind, char *err,
		       size_t errlen)
{
	struct mport_groups *pg = calloc(1, sizeof(*pg));
	const struct rule **rs = malloc((n ? n : 1) * sizeof(*rs));
	int rc = -1;

	*out = NULL;
	if (!pg || !rs)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		rs[i] = rule_from_pub(rules[i]);
		if (!rs[i])
			goto out; /* not a set this file can group: no groups */
	}
	pg->all = all;
	pg->n_ports = choose_ports(rs, n, dir, pg->ports);
	if (!pg->n_ports)
		goto out;
	rc = build_groups(pg, rules, rs, n, dir, all->stream, err, errlen);
	if (rc < 0)
		goto out;
	if (!pg->n_owned)
		goto out; /* no group worth a database */
	log_groups(pg, kind, dir, n);
	*out = pg;
	pg = NULL;
out:
	free(rs);
	mport_groups_free(pg);
	if (rc < 0 && err && errlen && !err[0])
		snprintf(err, errlen, "out of memory building port groups");
	return rc;
}

void mport_groups_free(struct mport_groups *pg)
{
	if (!pg)
		return;
	for (size_t i = 0; i < pg->n_owned; i++)
		matcher_free(pg->owned[i]);
	free(pg);
}

const struct ids_matcher *mport_groups_pick(const struct mport_groups *pg, uint16_t port)
{
	size_t lo = 0, hi = pg->n_ports;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pg->ports[mid] == port)
			return pg->pick[mid];
		if (pg->ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return pg->pick[pg->n_ports];
}

/* ------------------------------------------------------ packet groups */

/* Can a packet of protocol class c (0 TCP, 1 UDP) match rule r's proto. */
static bool class_proto(const struct rule *r, unsigned c)
{
	return r->proto == RULE_PROTO_IP || r->proto == (c ? RULE_PROTO_UDP : RULE_PROTO_TCP);
}

/* The rules of class c and direction d into sub; their count. */
static size_t class_rules(const struct ids_rule *const *rules, size_t n, unsigned c, unsigned d,
			  const struct ids_rule **sub)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct rule *r = rule_from_pub(rules[i]);

		if (!r || (class_proto(r, c) && !matcher_only_other_direction(rules[i], d)))
			sub[k++] = rules[i];
	}
	return k;
}

/* Class c, direction d: the class's matcher (the whole one when it holds
 * every rule, the other direction's when they hold the same) and its port
 * groups. sub0 holds direction 0's rules (k0) once d is 1. */
static int class_build(struct ids_matcher *m, const struct ids_rule *const *rules, size_t n,
		       unsigned c, unsigned d, const struct ids_rule **sub,
		       const struct ids_rule **sub0, size_t k0, char *err, size_t errlen)
{
	static const char *const kinds[2] = {"tcp packet", "udp packet"};
	struct mpkt_class *pc = &m->pkt[c][d];
	size_t k = class_rules(rules, n, c, d, sub), w = 0, whole = 0;

	for (size_t i = 0; i < n; i++)
		whole += rule_from_pub(rules[i]) ? rule_weight(rule_from_pub(rules[i])) : 0;
	for (size_t i = 0; i < k; i++)
		w += rule_from_pub(sub[i]) ? rule_weight(rule_from_pub(sub[i])) : 0;
	if (k == n || !worth_it(w, whole)) {
		pc->m = m;
	} else if (d == 1 && k == k0 && !memcmp(sub, sub0, k * sizeof(*sub))) {
		pc->m = m->pkt[c][0].m;
	} else {
		pc->owned = matcher_compile_set(sub, k, err, errlen, false);
		if (!pc->owned)
			return -1;
		pc->m = pc->owned;
	}
	return mport_groups_build(&pc->ports, sub, k, d, pc->m, kinds[c], err, errlen);
}

int mport_packet_build(struct ids_matcher *m, const struct ids_rule *const *rules, size_t n,
		       char *err, size_t errlen)
{
	const struct ids_rule **sub = malloc(2 * (n ? n : 1) * sizeof(*sub));
	const struct ids_rule **sub0 = sub + (n ? n : 1);
	int rc = 0;

	if (!sub)
		return -1;
	for (unsigned c = 0; c < 2 && rc == 0; c++) {
		size_t k0 = class_rules(rules, n, c, 0, sub0);

		for (unsigned d = 0; d < 2 && rc == 0; d++)
			rc = class_build(m, rules, n, c, d, sub, sub0, k0, err, errlen);
	}
	free(sub);
	m->pkt_grouped = rc == 0;
	return rc;
}

void mport_packet_free(struct ids_matcher *m)
{
	for (unsigned c = 0; c < 2; c++)
		for (unsigned d = 0; d < 2; d++) {
			mport_groups_free(m->pkt[c][d].ports);
			matcher_free(m->pkt[c][d].owned);
			m->pkt[c][d] = (struct mpkt_class){0};
		}
	m->pkt_grouped = false;
}

const struct ids_matcher *mport_packet_pick(const struct ids_matcher *m,
					    const struct ids_packet *pkt)
{
	unsigned c = pkt->proto == IPPROTO_TCP ? 0 : 1, d = pkt->direction & 1u;
	const struct mpkt_class *pc = &m->pkt[c][d];

	if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP)
		return m;
	if (!pc->ports)
		return pc->m;
	return mport_groups_pick(pc->ports, d == IDS_DIR_TO_SERVER ? pkt->dport : pkt->sport);
}
