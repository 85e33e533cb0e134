/*
 * rule_event.c - anomaly rules: the event names, the `anomaly:` key and the
 * per-generation table of rules per event (see rule_event.h).
 *
 * Names: the sensor's anomaly names are Suricata's with their group
 * ("decoder.ipv4.trunc_pkt", "stream.reassembly_seq_gap",
 * "applayer.mismatch_protocol_both_directions"); a few events carry another
 * name here (event_renames). The list of raised events is read from the
 * decoder, defragmenter, stream and app-layer modules each time, so it
 * never goes stale.
 *
 * Plugins' events: any "proto.event" name the host does not raise is
 * accepted here and checked against the loaded plugins when the rules are
 * handed out (core/plugin_loader.c). The events a flow raised are kept in
 * its detect state (rule_state.h `apev`) for the rules that combine an
 * event with patterns (rule_event_gate).
 *
 * Table: the anomaly rules of a ruleset sorted by event name (ruleset
 * order kept within a name), with one group per name, found by binary
 * search; gated rules are left out (their plugin matches them). Built
 * on the main thread when a generation's rules are handed out; read-only
 * afterwards, so workers share it without locks.
 */
#include "detect/rule_event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_detect.h"
#include "base/diag.h"
#include "base/yaml_tree.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "detect/rule_state.h"
#include "detect/rules.h"
#include "flow/flow.h"
#include "stream/stream_tcp.h"

/* Suricata event names the sensor raises under another name. */
static const char *const event_renames[][2] = {
	{"decoder.ipv4.frag_pkt_too_large", "decoder.ipv4.frag_too_large"},
	{"decoder.ipv6.frag_pkt_too_large", "decoder.ipv6.frag_too_large"},
	{"decoder.ipv6.frag_invalid_length", "decoder.ipv6.frag_bad_length"},
	{"stream.est_packet_out_of_window", "stream.pkt_out_of_window"},
	{"stream.rst_invalid_ack", "stream.rst_invalid"},
};

/* The anomaly name of decoder event `ev`, as the worker writes it:
 * "decoder." and the decoder's name, unless that carries its group. */
static void decode_name(int ev, char *out, size_t outlen)
{
	const char *name = decode_event_name((enum decode_event)ev);

	snprintf(out, outlen, "%s%s", strncmp(name, "decoder.", 8) ? "decoder." : "", name);
}

bool rule_event_raised(const char *name)
{
	char ours[128];

	for (int e = 0; e < EV_MAX; e++) {
		decode_name(e, ours, sizeof(ours));
		if (strcmp(ours, name) == 0)
			return true;
	}
	for (int e = 0; e < DEFRAG_EV_MAX; e++)
		for (int fam = 4; fam <= 6; fam += 2) {
			snprintf(ours, sizeof(ours), "decoder.ipv%d.%s", fam,
				 defrag_event_name((enum defrag_event)e));
			if (strcmp(ours, name) == 0)
				return true;
		}
	for (int e = 0; e < STREAM_EV_MAX; e++)
		if (strcmp(stream_event_name((enum stream_event)e), name) == 0)
			return true;
	for (int e = 0; e < APP_EV_MAX; e++)
		if (strcmp(app_event_name((enum app_event)e), name) == 0)
			return true;
	return false;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool rule_event_plugin_name(const char *name)
{
	static const char *const host_groups[] = {"decoder.", "stream.", "applayer."};
	const char *dot = strchr(name, '.');
	size_t n = strlen(name);

	if (!dot || dot == name || !dot[1] || n > 120 || rule_event_raised(name))
		return false;
	for (size_t i = 0; i < sizeof(host_groups) / sizeof(host_groups[0]); i++)
		if (strncmp(name, host_groups[i], strlen(host_groups[i])) == 0)
			return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i]) && !(name[i] == '.' && name + i == dot))
			return false;
	return true;
}

bool rule_event_gated(const struct rule *r)
{
	return r->anomaly && (r->n_patterns || r->pcre || r->buffer);
}

bool rule_event_map(enum rule_event_kind kind, const char *suri, char *out, size_t outlen)
{
	if (kind == RULE_EVENT_APPLAYER) {
		/* applayer_X is Suricata's spelling of the applayer group */
		if (strncmp(suri, "applayer_", 9) == 0)
			snprintf(out, outlen, "applayer.%s", suri + 9);
		else
			snprintf(out, outlen, "%s", suri);
	} else {
		snprintf(out, outlen, "%s.%s", kind == RULE_EVENT_STREAM ? "stream" : "decoder",
			 suri);
	}
	for (size_t i = 0; i < sizeof(event_renames) / sizeof(event_renames[0]); i++)
		if (strcmp(event_renames[i][0], out) == 0) {
			snprintf(out, outlen, "%s", event_renames[i][1]);
			break;
		}
	if (kind == RULE_EVENT_APPLAYER && rule_event_plugin_name(out))
		return true; /* a plugin's: checked against the plugins later */
	return rule_event_raised(out);
}

/* ------------------------------------------------------------- the key */

__attribute__((format(printf, 4, 5))) static int ev_err(const struct rule *r, const struct ynode *n,
							struct diag *d, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(d, n->file, n->line, n->col, "rule %u: %s", r->pub.id, msg);
	return -1;
}

int rule_event_parse(struct rule *r, const struct ynode *map, struct diag *d)
{
	const struct ynode *n = ymap_get(map, "anomaly");

	if (!n)
		return 0;
	if (n->type != YNODE_SCALAR || n->len == 0 || strlen(n->str) != n->len || n->len > 120)
		return ev_err(r, n, d,
			      "anomaly must name an anomaly event (decoder.ipv4.trunc_pkt)");
	if (rule_event_plugin_name(n->str)) {
		/* a plugin's app-layer event, with or without patterns */
		r->anomaly = strdup(n->str);
		if (!r->anomaly)
			return ev_err(r, n, d, "out of memory");
		if (!rule_event_gated(r)) {
			r->scope = RULE_SCOPE_PACKET;
			r->pub.scope = IDS_SCOPE_PACKET;
		}
		return 0;
	}
	if (!rule_event_raised(n->str))
		return ev_err(r, n, d,
			      "anomaly '%s' is not raised by this sensor (events: docs/events.md)",
			      n->str);
	if (r->n_patterns || r->pcre || r->buffer)
		return ev_err(r, n, d,
			      "an anomaly rule on the sensor's own event takes no patterns, "
			      "pcre or buffer (it fires on the event alone; a plugin's "
			      "app-layer event may have them)");
	r->anomaly = strdup(n->str);
	if (!r->anomaly)
		return ev_err(r, n, d, "out of memory");
	r->scope = RULE_SCOPE_PACKET;
	r->pub.scope = IDS_SCOPE_PACKET;
	return 0;
}

/* ----------------------------------------------------------- the table */

struct ev_group {
	const char *name; /* points into the first rule's anomaly */
	size_t first, n;  /* rules[first .. first + n) */
};

struct rule_events {
	struct rule **rules;
	size_t n_rules;
	struct ev_group *groups;
	size_t n_groups;
};

struct ev_entry {
	struct rule *r;
	size_t order;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct ev_entry *x = a, *y = b;
	int c = strcmp(x->r->anomaly, y->r->anomaly);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorted entries -> rules and groups. */
static int fill_table(struct rule_events *t, const struct ev_entry *e, size_t n)
{
	t->rules = calloc(n, sizeof(*t->rules));
	t->groups = calloc(n, sizeof(*t->groups));
	if (!t->rules || !t->groups)
		return -1;
	for (size_t i = 0; i < n; i++) {
		t->rules[i] = e[i].r;
		if (t->n_groups && strcmp(t->groups[t->n_groups - 1].name, e[i].r->anomaly) == 0) {
			t->groups[t->n_groups - 1].n++;
			continue;
		}
		t->groups[t->n_groups++] = (struct ev_group){e[i].r->anomaly, i, 1};
	}
	t->n_rules = n;
	return 0;
}

struct rule_events *rule_events_build(const struct ruleset *rs)
{
	struct rule_events *t = NULL;
	struct ev_entry *e;
	size_t n = 0;

	for (size_t i = 0; i < rs->n; i++)
		n += rs->rules[i]->anomaly && !rule_event_gated(rs->rules[i]);
	if (!n)
		return NULL;
	e = calloc(n, sizeof(*e));
	if (!e)
		return NULL;
	n = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->rules[i]->anomaly && !rule_event_gated(rs->rules[i]))
			e[n++] = (struct ev_entry){rs->rules[i], i};
	qsort(e, n, sizeof(*e), entry_cmp);
	t = calloc(1, sizeof(*t));
	if (t && fill_table(t, e, n) < 0) {
		rule_events_free(t);
		t = NULL;
	}
	free(e);
	return t;
}

void rule_events_free(struct rule_events *t)
{
	if (!t)
		return;
	free(t->rules);
	free(t->groups);
	free(t);
}

size_t rule_events_count(const struct rule_events *t)
{
	return t ? t->n_rules : 0;
}

size_t rule_events_find(const struct rule_events *t, const char *name, struct rule *const **rules)
{
	size_t lo = 0, hi;

	if (!t || !name)
		return 0;
	hi = t->n_groups;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, t->groups[mid].name);

		if (c == 0) {
			*rules = t->rules + t->groups[mid].first;
			return t->groups[mid].n;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* ------------------------------------------------ plugins' events on flows */

struct rule_app_events {
	unsigned n, next; /* entries used; where the next one goes */
	struct {
		uint32_t ev;
		int64_t tx_id;
	} e[RULE_EVENT_KEEP];
};

void rule_event_record(struct flow *f, uint32_t ev, int64_t tx_id)
{
	struct rule_flow_state *s;
	struct rule_app_events *a;

	if (!f || !ev || !(s = rule_flow_state_get(f, UINT32_MAX)))
		return;
	if (!s->apev && !(s->apev = calloc(1, sizeof(*s->apev))))
		return;
	a = s->apev;
	a->e[a->next].ev = ev;
	a->e[a->next].tx_id = tx_id;
	a->next = (a->next + 1) % RULE_EVENT_KEEP;
	if (a->n < RULE_EVENT_KEEP)
		a->n++;
}

bool rule_event_gate(const struct flow *f, const struct ids_rule *rule, int64_t tx_id)
{
	const struct rule *r = rule && rule->priv ? rule_from_pub(rule) : NULL;
	const struct rule_flow_state *s;
	const struct rule_app_events *a;

	if (!r || !r->anomaly_ev || !rule_event_gated(r))
		return true;
	s = f ? f->detect_state : NULL;
	a = s ? s->apev : NULL;
	for (unsigned i = 0; a && i < a->n; i++)
		if (a->e[i].ev == r->anomaly_ev &&
		    (tx_id < 0 || a->e[i].tx_id < 0 || a->e[i].tx_id == tx_id))
			return true;
	return false;
}

void rule_event_state_free(void *apev)
{
	free(apev);
}
