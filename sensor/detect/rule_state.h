/*
 * rule_state.h - internals shared by the rule-level key files of detect/
 * (rule_flowbits.c, rule_eval.c): the per-flow detect state.
 *
 * struct rule_flow_state is what struct flow's `detect_state` points to:
 * the flow-level pass mark, the flowbits as 64-bit words, the backoff
 * counters and the flowint variables. Worker
 * thread of the flow only.
 */
#ifndef SENSOR_RULE_STATE_H
#define SENSOR_RULE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/rule_keys.h"

struct flow;

struct rule_backoff_state;
struct rule_app_events;

struct rule_flow_state {
	bool passed; /* a flow-level pass rule matched: no more alerts */
	/* threshold type backoff counters per rule (rule_backoff.c), or NULL */
	struct rule_backoff_state *backoff;
	/* flowint variables (rule_flowint.c), or NULL */
	struct rule_flowint_state *ints;
	/* plugins' app-layer events the flow raised (rule_event.c), or NULL */
	struct rule_app_events *apev;
	uint32_t nwords; /* words of w */
	uint64_t w[];	 /* flowbits */
};

/* The flow's state with room for flowbit `bit` (UINT32_MAX: no bit);
 * allocated or grown on demand. NULL when memory ran out. */
struct rule_flow_state *rule_flow_state_get(struct flow *f, uint32_t bit);
/* isset / isnotset of `op` on the flow (NULL: no bits set). */
bool rule_fb_check(const struct rule_fb_op *op, const struct flow *f);
/* set / unset / toggle of `op` on the flow. */
void rule_fb_apply(const struct rule_fb_op *op, struct flow *f);

/* Free the backoff counters (NULL: none). */
void rule_backoff_free(struct rule_backoff_state *s);

#endif
