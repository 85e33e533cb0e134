/*
 * rule_backoff.c - threshold type backoff (Suricata's), counted per flow.
 *
 * `threshold: {type: backoff, track: by_flow, count: C, multiplier: M}`:
 * of the matches of a rule on one flow, the C-th alerts, then the C*M-th,
 * C*M*M-th and so on (C 1, M 10: the 1st, 10th, 100th ...). Once the next
 * alert's number would pass 2^32 the rule alerts no more on that flow. A
 * match without a flow alerts.
 *
 * State: the flow's detect state (rule_state.h) points to a small array of
 * counters, one per rule (by gid and sid, so a rule reloaded with USR2
 * keeps counting), grown when a new rule first matches on the flow; freed
 * with the flow's detect state. Worker thread of the flow only; allocates
 * only when a rule first matches on a flow.
 */
#include <stdint.h>
#include <stdlib.h>

#include "detect/rule_keys.h"
#include "detect/rule_state.h"
#include "detect/rules.h"
#include "flow/flow.h"

struct backoff_counter {
	uint32_t gid, sid;
	uint32_t matches; /* matches so far */
	uint32_t next;	  /* the match that alerts next; 0: none any more */
};

struct rule_backoff_state {
	uint32_t n, cap;
	struct backoff_counter c[];
};

/* The counter of rule gid:sid on the flow's state, made on first use. */
static struct backoff_counter *counter_get(struct rule_flow_state *fs, uint32_t gid, uint32_t sid,
					   uint32_t first)
{
	struct rule_backoff_state *s = fs->backoff;

	for (uint32_t i = 0; s && i < s->n; i++)
		if (s->c[i].gid == gid && s->c[i].sid == sid)
			return &s->c[i];
	if (!s || s->n == s->cap) {
		uint32_t cap = s ? s->cap * 2 : 4;
		struct rule_backoff_state *g = realloc(s, sizeof(*g) + cap * sizeof(g->c[0]));

		if (!g)
			return NULL;
		if (!s)
			g->n = 0;
		g->cap = cap;
		fs->backoff = s = g;
	}
	s->c[s->n] = (struct backoff_counter){gid, sid, 0, first};
	return &s->c[s->n++];
}

bool rule_backoff_check(const struct rule *r, const struct rule_thr *t, struct flow *f)
{
	struct rule_flow_state *fs;
	struct backoff_counter *c;
	uint64_t next;

	if (!f || !(fs = rule_flow_state_get(f, UINT32_MAX)))
		return true;
	c = counter_get(fs, r->pub.gid, r->pub.id, t->count);
	if (!c)
		return true;
	c->matches++;
	if (!c->next || c->matches != c->next)
		return false;
	next = (uint64_t)c->next * t->multiplier;
	c->next = next > UINT32_MAX || t->multiplier < 2 ? 0 : (uint32_t)next;
	return true;
}

void rule_backoff_free(struct rule_backoff_state *s)
{
	free(s);
}
