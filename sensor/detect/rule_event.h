/*
 * rule_event.h - rules that fire on the sensor's own anomaly events
 * (Suricata's decode-event, stream-event and app-layer-event rules).
 *
 * A rule with the key `anomaly: NAME` (rule language v2; the Suricata
 * parser writes it for decode-event/stream-event/app-layer-event) has no
 * patterns: it alerts when the worker raises the anomaly NAME (the `event`
 * of an EVE `anomaly` record) for a packet its header accepts. Such rules
 * are kept out of the detector plugins (plugins_assign_rules) and gathered
 * per event name into a table that belongs to the rule generation; the
 * worker looks the event up when it writes an anomaly.
 *
 * The name table: every event the decoder, defragmenter, stream
 * reassembly and app-layer detection raise, read from those modules (so an
 * event added there is accepted here without a change), and the mapping
 * from Suricata's names (docs/events.md).
 *
 * Plugins' app-layer events (include/ids/plugin.h, ABI 1.6): a name of the
 * form "proto.event" that the host does not raise is taken as a plugin's
 * ("http.invalid_transfer_encoding_value_in_request"); whether a loaded
 * plugin declares it is checked when the rules are handed out
 * (core/plugin_loader.c), as buffers are. A rule on such an event may also
 * have patterns: it then goes to the plugin with them and alerts only on
 * a flow's transaction that raised the event (rule_event_gate: the flow's
 * detect state keeps the last events raised with their tx_id).
 *
 * Main thread builds and frees; workers only read a built table.
 */
#ifndef SENSOR_RULE_EVENT_H
#define SENSOR_RULE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct rule;
struct ruleset;
struct ynode;

enum rule_event_kind { RULE_EVENT_DECODE = 0, RULE_EVENT_STREAM, RULE_EVENT_APPLAYER };

/*
 * The sensor's name for Suricata's event `suri` of `kind` (the value of a
 * decode-event, stream-event or app-layer-event keyword: "ipv4.trunc_pkt",
 * "reassembly_seq_gap", "applayer_mismatch_protocol_both_directions") into
 * `out`. Returns true when the sensor raises that event; `out` holds the
 * mapped name either way (for messages).
 */
bool rule_event_map(enum rule_event_kind kind, const char *suri, char *out, size_t outlen);
/* True when the sensor raises anomaly `name` (its own name). */
bool rule_event_raised(const char *name);
/* True when `name` can name a plugin's app-layer event: "proto.event"
 * (lower case letters, digits, '_'; the protocol is not one of the host's
 * groups decoder, stream, applayer) that the host does not raise. */
bool rule_event_plugin_name(const char *name);
/* A rule on a plugin's event that also has patterns (matched by the
 * plugin, gated by rule_event_gate); such a rule is not in the table. */
bool rule_event_gated(const struct rule *r);

/*
 * `anomaly:` of a YAML rule map into r->anomaly: a string naming an event
 * the sensor raises; the rule then takes no patterns, pcre or buffer and
 * looks at packets. Problems are reported at the node with the rule id.
 * Returns 0 or -1.
 */
int rule_event_parse(struct rule *r, const struct ynode *map, struct diag *d);

/* The rules of a generation per event. */
struct rule_events;

/* Gather the anomaly rules of `rs` (NULL when it has none, or out of
 * memory: then reported through the return of rule_events_count). The
 * table points into rs, which must outlive it. */
struct rule_events *rule_events_build(const struct ruleset *rs);
void rule_events_free(struct rule_events *t);
/* Anomaly rules in the table. */
size_t rule_events_count(const struct rule_events *t);
/* The rules on event `name` (in ruleset order): their number, *rules set
 * to an array owned by the table. Any thread, no allocation. */
size_t rule_events_find(const struct rule_events *t, const char *name, struct rule *const **rules);

/*
 * Plugins' events on a flow, for the gated rules. rule_event_record keeps
 * event `ev` (rule.anomaly_ev) raised in transaction tx_id (-1: none) in
 * the flow's detect state (the last RULE_EVENT_KEEP events); rule_event_gate
 * says whether an alert of `rule` in transaction tx_id may be written: true
 * for a rule that is not gated, else when the flow raised the rule's event
 * in that transaction (either tx_id -1: on the flow). Worker thread of the
 * flow; record allocates once per flow that raises an event.
 */
#define RULE_EVENT_KEEP 8
struct flow;
struct ids_rule;
void rule_event_record(struct flow *f, uint32_t ev, int64_t tx_id);
bool rule_event_gate(const struct flow *f, const struct ids_rule *rule, int64_t tx_id);
/* Free what rule_event_record kept (rule_flow_state_free calls it). */
void rule_event_state_free(void *apev);

#endif
