/*
 * eve.h - EVE JSON output: one JSON object per line, Suricata's field names.
 *
 * One struct eve_writer per output file, shared by all workers; one struct
 * eve_thread per worker holding that worker's buffer. A worker renders its
 * records into its own buffer and hands complete lines to the file with one
 * write() on an O_APPEND descriptor when the buffer passes its threshold,
 * on tick and at the end, so records of different workers never interleave
 * inside a line and no lock is taken. eve_writer_reopen() (SIGHUP) swaps the
 * descriptor atomically.
 */
#ifndef SENSOR_EVE_H
#define SENSOR_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids/plugin.h"

struct flow;
struct decode_stats;
struct flow_stats;
struct stream_stats;
struct defrag_stats;

/* `outputs.eve` of sensor.yaml; filled by the config loader. */
struct eve_config {
	bool enabled;
	char *filename;
	bool payload;
	bool payload_printable;
	bool packet;
	/* Record types written (`types:`); all on by default. */
	bool alert, anomaly, flow, stats;
	/* ---- record contents (issue 9 records) ---- */
	char *host;		    /* `sensor-name`: every record's `host`; NULL: none */
	bool community_id;	    /* `community-id`: community_id in records */
	uint16_t community_id_seed; /* `community-id-seed` */
	/* `ipv6-format`: false (default, `expanded`) writes IPv6 addresses as
	 * Suricata does, 8 groups of 4 hex digits; true (`compressed`) in
	 * RFC 5952's form. */
	bool ipv6_compressed;
	bool http, dns, tls; /* protocol record types (`types:`) */
};

struct eve_writer;
struct eve_thread;

/* Open (create/append) `path`. NULL with err filled on failure. */
struct eve_writer *eve_writer_open(const char *path, const struct eve_config *cfg, char *err,
				   size_t errlen);
int eve_writer_reopen(struct eve_writer *w);
void eve_writer_close(struct eve_writer *w);
const char *eve_writer_path(const struct eve_writer *w);
uint64_t eve_writer_alerts(const struct eve_writer *w); /* alerts written, all threads */
/* Failed writes plus records dropped for lack of memory, all threads. */
uint64_t eve_writer_errors(const struct eve_writer *w);

/* A writer handing its lines to `outs` (output.h, borrowed: the caller
 * closes it after the writer) instead of writing a file itself; `cfg`
 * says which records are rendered and how. NULL on no memory. */
struct output_set;
struct eve_writer *eve_writer_open_outputs(struct output_set *outs, const struct eve_config *cfg);
/* Live capture: a buffer holding an alert goes to the outputs at once,
 * so that an alert reaches its sinks within a second on a quiet link. */
void eve_writer_set_live(struct eve_writer *w, bool live);

struct eve_thread *eve_thread_new(struct eve_writer *w);
/* Flush and free. */
void eve_thread_free(struct eve_thread *t);
/* Write the buffered records. Returns 0 or -1 (errno) on a write error. */
int eve_thread_flush(struct eve_thread *t);

/* An alert record for `p` on `r`. `in_iface` may be NULL (file mode). */
void eve_alert(struct eve_thread *t, const struct ids_packet *p, const struct ids_rule *r,
	       const char *in_iface);
/* The same with the flow's `app_proto` (NULL: none) and protocol fields
 * (pre-rendered JSON object members written after the `alert` object, as
 * Suricata writes its `http`, `dns`, `tls` objects; NULL: none). */
void eve_alert_fields(struct eve_thread *t, const struct ids_packet *p, const struct ids_rule *r,
		      const char *in_iface, const char *app_proto, const char *fields);

/* An alert with everything around it (eve_alert_record). */
struct eve_alert_input {
	const struct ids_packet *p;
	const struct ids_rule *r;
	const char *in_iface;  /* NULL in file mode */
	const char *app_proto; /* NULL: none */
	const char *fields;    /* pre-rendered protocol members, NULL: none */
	/* The packet's flow (Suricata's `flow` object: packets and bytes each
	 * way, start), NULL when it has none. */
	const struct ids_flow_info *flow;
	int64_t tx_id; /* the transaction the rule matched in, -1: none */
};
void eve_alert_record(struct eve_thread *t, const struct eve_alert_input *in);

/*
 * An anomaly record: `type` "decode" or "stream", `event` Suricata's name
 * ("decoder.ipv4.trunc_pkt", "decoder.ipv4.frag_overlap",
 * "stream.reassembly_overlap_different_data"). `p` is the packet that
 * caused it, or NULL for anomalies outside any packet (a datagram timing
 * out): then only the time and the anomaly object are written.
 */
void eve_anomaly(struct eve_thread *t, int64_t ts_usec, const struct ids_packet *p,
		 const char *type, const char *event, const char *in_iface);

/*
 * An application-layer anomaly record (anomaly.type "applayer", as
 * Suricata writes them): `event` the name rules use
 * ("applayer.mismatch_protocol_both_directions",
 * "http.invalid_transfer_encoding_value_in_request"), `layer` Suricata's
 * ("proto_detect": protocol recognition; "proto_parser": a plugin's parser),
 * `app_proto` the flow's protocol (NULL: left out), tx_id written in the
 * header when >= 0. `p` is the packet that completed what was found.
 */
struct eve_app_anomaly {
	const char *event, *layer, *app_proto;
	int64_t tx_id;
};
void eve_anomaly_app(struct eve_thread *t, const struct ids_packet *p,
		     const struct eve_app_anomaly *a, const char *in_iface);

/*
 * Protocol records: a plugin's record of event_type `type` ("http", "dns",
 * "tls" or its own), one per transaction or handshake. eve_record_begin
 * writes the common header and returns the builder (ids/plugin.h's
 * struct ids_json, ops in output/eve_json.h) the plugin adds its members
 * to; eve_record_end closes and writes the record. NULL when the type is
 * switched off, a record is already open or the name is not a type name.
 */
struct eve_record_input {
	int64_t ts_usec;
	uint64_t flow_id;		  /* 0: none */
	const struct ids_addr *src, *dst; /* client and server */
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t icmp_type, icmp_code;
	const uint16_t *vlan;
	unsigned vlan_count;
	const char *in_iface; /* NULL in file mode */
	const char *type;
	int64_t tx_id; /* -1: none */
};
struct ids_json *eve_record_begin(struct eve_thread *t, const struct eve_record_input *in);
void eve_record_end(struct eve_thread *t, struct ids_json *j);
/* Is a record of `type` written at all? */
bool eve_record_wanted(const struct eve_thread *t, const char *type);

/* A flow that ended (EVE `flow` record, Suricata's field names). */
struct eve_flow_input {
	const struct ids_flow_info *info;
	const uint16_t *vlan; /* vlan_count ids, outermost first */
	unsigned vlan_count;
	const char *state;     /* flow.state: "new", "established", "closed" */
	const char *tcp_state; /* tcp.state, NULL without a TCP session */
	const char *app_proto; /* app_proto, NULL when none was recognised */
	const char *in_iface;  /* NULL in file mode */
	/* flow.lost_state: "evicted" or "timeout" when the sensor had ended
	 * this 5-tuple's established TCP session itself and picked the resumed
	 * session up midstream; NULL otherwise. */
	const char *lost_state;
	/* ICMP flows: the type and code of their first packet, for the
	 * community_id. */
	uint8_t icmp_type, icmp_code;
};
void eve_flow(struct eve_thread *t, const struct eve_flow_input *in);

/* Counters for the final stats record. */
struct eve_stats_input {
	int64_t ts_usec;
	double uptime_s;
	const struct decode_stats *decoder;
	const struct flow_stats *flow;
	const struct stream_stats *stream; /* may be NULL */
	const struct defrag_stats *defrag; /* may be NULL */
	uint64_t invalid_checksum_ip, invalid_checksum_tcp, invalid_checksum_other;
	uint64_t checksum_validation_off; /* workers where auto turned validation off */
	uint64_t alerts;
	/* Live capture: the kernel's counters (capture.kernel_*). */
	bool capture;
	uint64_t kernel_packets, kernel_drops, kernel_freezes;
	/* Alerts per plugin (detect.plugins.NAME.alerts); may be NULL. */
	const char *const *plugin_names;
	const uint64_t *plugin_alerts;
	unsigned n_plugins;
	/* Counters plugins registered, plugins.NAME.COUNTER: for plugin p of
	 * plugin_names, n_counters[p] names counter_names[p][0..] and values
	 * counters[p * counters_stride + 0..]; NULL: none. */
	const char *const *const *counter_names;
	const unsigned *n_counters;
	const uint64_t *counters;
	unsigned counters_stride;
	/* Per-worker breakdown (stats.threads.W#N), same fields; may be NULL. */
	const struct eve_stats_input *threads;
	unsigned n_threads;
	/* Alerts the rules' keys held back (detect.alerts_suppressed and
	 * detect.filtered.*): threshold/detection_filter, suppress, pass,
	 * noalert. */
	uint64_t rule_thresholded, rule_suppressed, rule_passed, rule_noalert;
	uint64_t rule_xbits_full; /* detect.xbits_full: xbits sets dropped, table full */
	/* Rules loaded and left out (detect.rules_loaded/rules_failed), in
	 * the totals only (`rules` set). */
	bool rules;
	uint64_t rules_loaded, rules_failed;
	/* candidates past their verification work limit (detect.verify_limit,
	 * totals only) */
	uint64_t verify_limit;
};
void eve_stats(struct eve_thread *t, const struct eve_stats_input *in);
/* The same counters as the stats record's `stats` object, as member `key`
 * of `j` (the control socket's dump-counters); `outs` may be NULL. */
struct jbuf;
void eve_stats_object(struct jbuf *j, const char *key, const struct eve_stats_input *in,
		      const struct output_set *outs);

#endif
