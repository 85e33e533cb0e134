/*
 * matcher_addr.c - address classes of block matchers: one Hyperscan
 * database per set of rules whose header can accept a packet whose source
 * and destination are (or are not) in the rules' home network.
 *
 * Why. Rulesets are written around one network: ET Open's rules name
 * $HOME_NET on one side and $EXTERNAL_NET (= !$HOME_NET) on the other
 * (some 2,000 `file.data` rules are `$EXTERNAL_NET any -> $HOME_NET any`).
 * The header check (rule_header_match) runs only after the patterns
 * matched, so a response body from a home server to an outside client is
 * scanned against every rule written for bodies coming in. Suricata's
 * rule groups are by protocol, direction and port only; grouping by the
 * home network too means a packet or transaction is scanned against the
 * rules its addresses allow.
 *
 * The home set H. Chosen from the rules themselves, so the matcher needs
 * no configuration: of the address sets the rules name on either side
 * (at most ADDR_CLASS_MAX_BLOCKS blocks, `any` apart), each taken without
 * its negations (`!$HOME_NET` counts as $HOME_NET) and in a canonical
 * order, the one that weighs most (the patterns of the rules naming it).
 * A packet's class is (src in H) | (dst in H) << 1, four classes.
 *
 * Which rules a class holds. Rule side S can hold an address a with
 * (a in H) == inside when some "region" does: the blocks of S and H and
 * the two whole families, each standing for its addresses that lie in no
 * smaller block of them. All addresses of a region are in or out of a set
 * alike, decided by the set's blocks covering the region's block
 * (addr_set_match_region); every address lies in exactly one region (that
 * of the smallest block holding it), so the test is exact but for regions
 * that smaller blocks cover entirely, where it says yes: a rule may sit in
 * a class it cannot match (a wasted candidate), never miss one it can. A
 * rule is in class (s, d) when its src side meets s and its dst side d,
 * or, bidirectional, the other way round. A side of more than
 * ADDR_CLASS_MAX_BLOCKS blocks (reputation lists) meets every class. The
 * header is still checked in full when a rule is reported, so the alerts
 * are those of the matcher's one database.
 *
 * Databases. Classes with the same rules share one; a class that leaves
 * out less than 1/ADDR_CLASS_MIN_GAIN of the patterns uses the whole
 * matcher (which then gets the groups of matcher_ports.c). A stream
 * class's own matcher gets port groups of its own; a block class's does
 * not: with ET Open that doubled the cold start-up (some 80 more
 * databases, many repeating the same heavy regexes) for no gain in
 * throughput (docs/performance.md, "Address classes"). Matchers under
 * ADDR_CLASS_MIN_WEIGHT patterns are not split: their scan costs little
 * and a database costs compile time. A scan without a packet, or of a
 * packet that is not IP, uses the whole matcher.
 *
 * Threads: built and freed on the main thread with the matcher; read-only
 * afterwards; picking a class is two address-set lookups.
 */
#include "detect/matcher.h"
#include "detect/matcher_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "detect/rules.h"

/* A side with more blocks meets every class; H has at most this many. */
#define ADDR_CLASS_MAX_BLOCKS 16
/* Address sets looked at as candidates for H. */
#define ADDR_CLASS_CANDIDATES 32
/* A class gets a database of its own only when it leaves out at least
 * 1/ADDR_CLASS_MIN_GAIN of the matcher's patterns. */
#define ADDR_CLASS_MIN_GAIN 8
/* Matchers of fewer patterns are not split. */
#define ADDR_CLASS_MIN_WEIGHT 64

static size_t rule_weight(const struct rule *r)
{
	return r->n_patterns + (r->pcre != NULL);
}

/* ------------------------------------------------------ choosing H */

static int block_cmp(const void *a, const void *b)
{
	const struct addr_block *x = a, *y = b;

	if (x->family != y->family)
		return (int)x->family - (int)y->family;
	if (x->prefix != y->prefix)
		return (int)x->prefix - (int)y->prefix;
	return memcmp(x->bytes, y->bytes, sizeof(x->bytes));
}

/* S without negations, sorted, repeats removed, into out (room for
 * ADDR_CLASS_MAX_BLOCKS): its count, 0 when S is any or too large. */
static size_t canonical(const struct addr_set *s, struct addr_block *out)
{
	size_t k = 0;

	if (s->any || s->n == 0 || s->n > ADDR_CLASS_MAX_BLOCKS)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		out[i] = s->blocks[i];
		out[i].negated = false;
	}
	qsort(out, s->n, sizeof(*out), block_cmp);
	for (size_t i = 0; i < s->n; i++)
		if (k == 0 || block_cmp(&out[k - 1], &out[i]) != 0)
			out[k++] = out[i];
	return k;
}

struct candidate {
	struct addr_block blocks[ADDR_CLASS_MAX_BLOCKS];
	size_t n;
	size_t weight;
};

static void count_side(struct candidate *c, size_t *n_c, const struct addr_set *s, size_t w)
{
	struct addr_block b[ADDR_CLASS_MAX_BLOCKS];
	size_t k = canonical(s, b);

	if (!k)
		return;
	for (size_t i = 0; i < *n_c; i++)
		if (c[i].n == k && !memcmp(c[i].blocks, b, k * sizeof(*b))) {
			c[i].weight += w;
			return;
		}
	if (*n_c == ADDR_CLASS_CANDIDATES)
		return;
	memcpy(c[*n_c].blocks, b, k * sizeof(*b));
	c[*n_c].n = k;
	c[*n_c].weight = w;
	(*n_c)++;
}

/* The heaviest candidate into home (blocks owned); false when none. */
static bool choose_home(const struct rule *const *rs, size_t n, struct addr_set *home)
{
	struct candidate *c = calloc(ADDR_CLASS_CANDIDATES, sizeof(*c));
	size_t n_c = 0, best = 0;
	bool ok = false;

	if (!c)
		return false;
	for (size_t i = 0; i < n; i++) {
		count_side(c, &n_c, &rs[i]->src, rule_weight(rs[i]) + 1);
		count_side(c, &n_c, &rs[i]->dst, rule_weight(rs[i]) + 1);
	}
	for (size_t i = 1; i < n_c; i++)
		if (c[i].weight > c[best].weight)
			best = i;
	if (n_c) {
		home->blocks = malloc(c[best].n * sizeof(*home->blocks));
		if (home->blocks) {
			memcpy(home->blocks, c[best].blocks, c[best].n * sizeof(*home->blocks));
			home->n = c[best].n;
			ok = true;
		}
	}
	free(c);
	return ok;
}

/* ------------------------------------------------------ classes */

/* Can side s hold an address a with (a in home) == inside? */
static bool side_meets(const struct addr_set *s, const struct addr_set *home, bool inside)
{
	static const struct addr_block whole[2] = {{.family = 4}, {.family = 6}};

	if (s->any || s->n == 0 || s->n > ADDR_CLASS_MAX_BLOCKS)
		return true;
	for (size_t i = 0; i < 2 + s->n + home->n; i++) {
		const struct addr_block *b = i < 2	    ? &whole[i]
					     : i < 2 + s->n ? &s->blocks[i - 2]
							    : &home->blocks[i - 2 - s->n];

		if (addr_set_match_region(s, b) && addr_set_match_region(home, b) == inside)
			return true;
	}
	return false;
}

bool maddr_rule_in_class(const struct rule *r, const struct addr_set *home, unsigned cls)
{
	bool s_in = cls & 1u, d_in = (cls >> 1) & 1u;

	if (side_meets(&r->src, home, s_in) && side_meets(&r->dst, home, d_in))
		return true;
	return r->bidirectional && side_meets(&r->dst, home, s_in) &&
	       side_meets(&r->src, home, d_in);
}

/* ------------------------------------------------------ building */

static void log_classes(const struct maddr *ma, size_t n, int dir)
{
	static const char *const names[ADDR_CLASSES] = {"out->out", "home->out", "out->home",
							"home->home"};
	char buf[256];
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < ADDR_CLASSES; c++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s:%zu", c ? " " : "",
				       names[c], ma->pick[c] ? ma->pick[c]->n_rules : n);
	log_info("%s rules: %zu, address classes on a home set of %zu blocks (%zu more "
		 "databases); class:rules %s",
		 dir < 0		    ? "block"
		 : dir == IDS_DIR_TO_SERVER ? "stream to server"
					    : "stream to client",
		 n, ma->home.n, ma->n_owned, buf);
}

/* Class c's rules into sub (k of them) and their weight. */
static size_t class_rules(const struct ids_rule *const *rules, const struct rule *const *rs,
			  size_t n, const struct addr_set *home, unsigned c,
			  const struct ids_rule **sub, size_t *w)
{
	size_t k = 0;

	*w = 0;
	for (size_t i = 0; i < n; i++)
		if (maddr_rule_in_class(rs[i], home, c)) {
			sub[k++] = rules[i];
			*w += rule_weight(rs[i]);
		}
	return k;
}

static int build_classes(struct maddr *ma, const struct ids_matcher *whole,
			 const struct ids_rule *const *rules, const struct rule *const *rs,
			 size_t n, size_t total, int dir, char *err, size_t errlen)
{
	const struct ids_rule **sub = malloc(ADDR_CLASSES * n * sizeof(*sub));
	size_t k[ADDR_CLASSES];
	int rc = -1;

	if (!sub)
		return -1;
	for (unsigned c = 0; c < ADDR_CLASSES; c++) {
		const struct ids_rule **mine = sub + c * n;
		size_t w;
		bool shared = false;

		k[c] = class_rules(rules, rs, n, &ma->home, c, mine, &w);
		for (unsigned p = 0; p < c && !shared; p++)
			if (k[p] == k[c] && !memcmp(sub + p * n, mine, k[c] * sizeof(*mine))) {
				ma->pick[c] = ma->pick[p];
				shared = true;
			}
		if (shared)
			continue;
		if (k[c] == n || w >= total - total / ADDR_CLASS_MIN_GAIN) {
			ma->pick[c] = whole;
			ma->whole_used = true;
			continue;
		}
		ma->owned[ma->n_owned] = matcher_compile_group_set(mine, k[c], dir, err, errlen);
		if (!ma->owned[ma->n_owned])
			goto out;
		ma->pick[c] = ma->owned[ma->n_owned++];
	}
	rc = 0;
out:
	free(sub);
	return rc;
}

int maddr_build(struct ids_matcher *m, const struct ids_rule *const *rules, size_t n, int dir,
		char *err, size_t errlen)
{
	const struct rule **rs = malloc((n ? n : 1) * sizeof(*rs));
	struct maddr *ma = calloc(1, sizeof(*ma));
	size_t total = 0;
	int rc = -1;

	if (!rs || !ma)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(rs[i] = rule_from_pub(rules[i])))
			goto out; /* plugin-made rules: no classes */
		total += rule_weight(rs[i]);
	}
	if (total < ADDR_CLASS_MIN_WEIGHT || !choose_home(rs, n, &ma->home))
		goto out;
	rc = build_classes(ma, m, rules, rs, n, total, dir, err, errlen);
	if (rc < 0 || !ma->n_owned)
		goto out;
	log_classes(ma, n, dir);
	m->addr = ma;
	ma = NULL;
out:
	free(rs);
	maddr_free(ma);
	if (rc < 0 && err && errlen && !err[0])
		snprintf(err, errlen, "out of memory building address classes");
	return rc;
}

void maddr_free(struct maddr *ma)
{
	if (!ma)
		return;
	for (size_t i = 0; i < ma->n_owned; i++)
		matcher_free(ma->owned[i]);
	addr_set_free(&ma->home);
	free(ma);
}

const struct ids_matcher *maddr_pick(const struct ids_matcher *m, const struct ids_packet *pkt)
{
	const struct maddr *ma = m->addr;
	unsigned c;

	if (pkt->src.family != 4 && pkt->src.family != 6)
		return m;
	c = (unsigned)addr_set_match(&ma->home, &pkt->src) |
	    (unsigned)addr_set_match(&ma->home, &pkt->dst) << 1;
	return ma->pick[c];
}
