/*
 * rule_eval.c - the packet path of the rule-level keys (see rule_keys.h):
 * the conditions a rule's match must meet (rule_keys_match, called from
 * rule_header_match) and the actions and alert decision once it matched
 * (rule_alert_filter, called by the worker's alert service).
 *
 * flow: established is, as in Suricata, for TCP the reassembler's session
 * state before this packet at established or later (closing and closed
 * included; a session picked up midstream is established from its second
 * packet on), and the handshake's last ACK when it carries data; without a
 * session, the handshake's flags seen. For other protocols: packets seen
 * both ways;
 * not_established is its negation; stateless matches always; to_server /
 * to_client test the packet's direction; only_stream matches reassembled
 * stream data only, no_stream packets only.
 *
 * Pass (Suricata's precedence): rules are ordered pass first
 * (rule_keys_order), so a pass rule that matches a packet is reported
 * before the alert rules of the same scan; from then on no alert is written
 * for that packet (the same packet object, frame number, time and
 * direction). As Suricata's action scope "auto", a pass rule passes the
 * whole flow (no alert is written for any later packet of it, either
 * direction) when it is an IP-only or protocol-detection-only rule (no
 * pattern, pcre, flowbits or header keyword), an app-layer rule (a
 * buffer), or when it matched reassembled stream data; a pass rule that
 * matched a packet's payload or headers passes that packet only. Limitation: a pass rule stops the
 * alerts of the plugins that scan the packet after it (plugins run in
 * config order), not those already written by an earlier plugin.
 *
 * Threads: worker threads; the bound flow pointer is per thread. No lock,
 * no allocation except the per-flow state (once per flow, rule_flowbits.c)
 * and the threshold table's bucket locks (rule_threshold.c).
 */
#include "detect/rule_keys.h"

#include <netinet/in.h>
#include <string.h>

#include "app/app_detect.h"
#include "detect/rule_state.h"
#include "detect/rules.h"
#include "flow/flow.h"
#include "stream/stream_tcp.h"

static __thread struct flow *const *bound_flow;
static __thread struct rule_alert_ctx *bound_ctx;

void rule_keys_bind_ctx(struct rule_alert_ctx *ctx)
{
	bound_ctx = ctx;
}

void rule_alert_ctx_free(struct rule_alert_ctx *ctx)
{
	if (!ctx)
		return;
	rule_xbits_free(ctx->xbits);
	ctx->xbits = NULL;
}

void rule_keys_bind_flow(struct flow *const *cur)
{
	bound_flow = cur;
}

static struct flow *current_flow(void)
{
	return bound_flow ? *bound_flow : NULL;
}

/* ---------------------------------------------------------- conditions */

/* The reassembler's state: it has seen the packets before this one (the
 * worker hands a packet to the plugins first, then to the reassembler). */
static bool tcp_state_before_established(const char *st)
{
	return strcmp(st, "new") == 0 || strcmp(st, "syn_sent") == 0 || strcmp(st, "syn_recv") == 0;
}

static bool tcp_established(const struct flow *f, const struct ids_packet *p)
{
	uint8_t cs = f->tcp_flags[IDS_DIR_TO_SERVER], sc = f->tcp_flags[IDS_DIR_TO_CLIENT];
	bool handshake = (cs & IDS_TCP_SYN) && (cs & IDS_TCP_ACK) && (sc & IDS_TCP_SYN) &&
			 (sc & IDS_TCP_ACK);
	const char *st = f->tcp ? stream_tcp_state_name(f) : NULL;

	if (!st)
		return handshake; /* no session: the flags seen */
	if (!tcp_state_before_established(st))
		return true;
	/* the handshake's last ACK is established only when it carries data */
	return handshake && p->payload_len > 0;
}

static bool flow_established(const struct flow *f, const struct ids_packet *p)
{
	if (!f)
		return false;
	if (p->proto == IPPROTO_TCP)
		return tcp_established(f, p);
	return f->pkts[IDS_DIR_TO_SERVER] && f->pkts[IDS_DIR_TO_CLIENT];
}

static bool flow_match(uint8_t want, const struct ids_packet *p, const struct flow *f)
{
	bool stream = p->pkt_src == IDS_PKT_SRC_STREAM;

	if ((want & RFLOW_TO_SERVER) && p->direction != IDS_DIR_TO_SERVER)
		return false;
	if ((want & RFLOW_TO_CLIENT) && p->direction != IDS_DIR_TO_CLIENT)
		return false;
	if ((want & RFLOW_ONLY_STREAM) && !stream)
		return false;
	if ((want & RFLOW_NO_STREAM) && stream)
		return false;
	if ((want & RFLOW_ESTABLISHED) && !(stream || flow_established(f, p)))
		return false;
	if ((want & RFLOW_NOT_ESTABLISHED) && (stream || flow_established(f, p)))
		return false;
	return true;
}

static bool app_match(const struct rule_keys *k, const struct flow *f)
{
	uint8_t a = f ? f->app_proto : APP_NONE;

	if (k->app_neg)
		return a != APP_NONE && a != k->app;
	return a == k->app;
}

bool rule_keys_match(const struct rule *r, const struct ids_packet *p)
{
	const struct rule_keys *k = r->keys;
	const struct flow *f;

	if (!k)
		return true;
	if (!rule_header_keys_match(k, p))
		return false;
	f = current_flow();
	if (k->ip_only && f && f->pkts[p->direction == IDS_DIR_TO_CLIENT] > 1)
		return false; /* not the first packet of its direction */
	if (k->flow && !flow_match(k->flow, p, f))
		return false;
	if (k->has_app && !app_match(k, f))
		return false;
	for (size_t i = 0; i < k->n_ssize; i++)
		if (!rule_ssize_match(&k->ssize[i], f, p))
			return false;
	if (k->fi_checks)
		for (size_t i = 0; i < k->n_fi; i++)
			if (k->fi[i].op >= FI_EQ && !rule_fi_check(&k->fi[i], f))
				return false;
	if (k->xb_checks)
		for (size_t i = 0; i < k->n_xb; i++)
			if (k->xb[i].cmd >= FB_ISSET &&
			    !rule_xb_check(&k->xb[i], bound_ctx ? bound_ctx->xbits : NULL, p))
				return false;
	if (!k->fb_checks)
		return true;
	for (size_t i = 0; i < k->n_fb; i++)
		if (k->fb[i].cmd >= FB_ISSET && !rule_fb_check(&k->fb[i], f))
			return false;
	return true;
}

/* ------------------------------------------------------------- actions */

static bool packet_passed(const struct rule_alert_ctx *c, const struct ids_packet *p)
{
	return c->passed_pkt == p && c->passed_cnt == p->pcap_cnt && c->passed_ts == p->ts_usec &&
	       c->passed_dir == p->direction;
}

static void pass_packet(struct rule_alert_ctx *c, const struct ids_packet *p, struct flow *f,
			const struct rule_keys *k)
{
	struct rule_flow_state *s;

	c->passed_pkt = p;
	c->passed_cnt = p->pcap_cnt;
	c->passed_ts = p->ts_usec;
	c->passed_dir = p->direction;
	if ((k->flow_pass || p->pkt_src == IDS_PKT_SRC_STREAM) && f &&
	    (s = rule_flow_state_get(f, UINT32_MAX)))
		s->passed = true;
}

static bool suppressed(const struct rule_keys *k, const struct ids_packet *p)
{
	for (size_t i = 0; i < k->n_supp; i++) {
		const struct rule_suppress *s = &k->supp[i];
		bool src = s->track != TRACK_BY_DST, dst = s->track != TRACK_BY_SRC;

		if (s->all || (src && addr_set_match(&s->ips, &p->src)) ||
		    (dst && addr_set_match(&s->ips, &p->dst)))
			return true;
	}
	return false;
}

/* After the rule's flowbits ran: noalert, suppress, thresholds. */
/* The rule's threshold: backoff is counted per flow, the others in the
 * shared table. */
static bool threshold_ok(const struct rule *r, const struct rule_thr *t, const struct ids_packet *p,
			 struct flow *f)
{
	if (t->type == THR_BACKOFF)
		return rule_backoff_check(r, t, f);
	return rule_thr_check(r, t, p);
}

static bool alert_wanted(struct rule_alert_ctx *c, const struct rule *r, const struct ids_packet *p,
			 struct flow *f)
{
	const struct rule_keys *k = r->keys;

	if (k->noalert) {
		c->n.noalert++;
		return false;
	}
	if (k->n_supp && suppressed(k, p)) {
		c->n.suppressed++;
		return false;
	}
	if ((k->detection.on && !rule_thr_check(r, &k->detection, p)) ||
	    (k->threshold.on && !threshold_ok(r, &k->threshold, p, f))) {
		c->n.thresholded++;
		return false;
	}
	return true;
}

bool rule_alert_filter(struct rule_alert_ctx *c, struct flow *f, const struct ids_packet *p,
		       const struct ids_rule *rule)
{
	const struct rule *r = rule->priv ? rule_from_pub(rule) : NULL;
	const struct rule_keys *k = r ? r->keys : NULL;
	const struct rule_flow_state *fs = f ? f->detect_state : NULL;

	if (packet_passed(c, p) || (fs && fs->passed)) {
		c->n.passed++;
		return false;
	}
	if (!k)
		return true;
	if (k->fb_writes && f)
		for (size_t i = 0; i < k->n_fb; i++)
			if (k->fb[i].cmd < FB_ISSET)
				rule_fb_apply(&k->fb[i], f);
	if (k->fi_writes && f)
		for (size_t i = 0; i < k->n_fi; i++)
			if (k->fi[i].op <= FI_SUB)
				rule_fi_apply(&k->fi[i], f);
	if (k->xb_writes)
		for (size_t i = 0; i < k->n_xb; i++)
			if (k->xb[i].cmd < FB_ISSET)
				rule_xb_apply(&k->xb[i], &c->xbits, p, &c->n.xbits_full);
	if (k->action == RULE_ACTION_PASS) {
		pass_packet(c, p, f, k);
		return false;
	}
	return alert_wanted(c, r, p, f);
}
