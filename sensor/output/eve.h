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

/*
 * An anomaly record: `type` "decode" or "stream", `event` Suricata's name
 * ("decoder.ipv4.trunc_pkt", "decoder.ipv4.frag_overlap",
 * "stream.reassembly_overlap_different_data"). `p` is the packet that
 * caused it, or NULL for anomalies outside any packet (a datagram timing
 * out): then only the time and the anomaly object are written.
 */
void eve_anomaly(struct eve_thread *t, int64_t ts_usec, const struct ids_packet *p,
		 const char *type, const char *event, const char *in_iface);

/* A flow that ended (EVE `flow` record, Suricata's field names). */
struct eve_flow_input {
	const struct ids_flow_info *info;
	const uint16_t *vlan; /* vlan_count ids, outermost first */
	unsigned vlan_count;
	const char *state;     /* flow.state: "new", "established", "closed" */
	const char *tcp_state; /* tcp.state, NULL without a TCP session */
	const char *app_proto; /* app_proto, NULL when none was recognised */
	const char *in_iface;  /* NULL in file mode */
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
	uint64_t alerts;
	/* Live capture: the kernel's counters (capture.kernel_*). */
	bool capture;
	uint64_t kernel_packets, kernel_drops, kernel_freezes;
	/* Alerts per plugin (detect.plugins.NAME.alerts); may be NULL. */
	const char *const *plugin_names;
	const uint64_t *plugin_alerts;
	unsigned n_plugins;
	/* Per-worker breakdown (stats.threads.W#N), same fields; may be NULL. */
	const struct eve_stats_input *threads;
	unsigned n_threads;
};
void eve_stats(struct eve_thread *t, const struct eve_stats_input *in);
/* The same counters as the stats record's `stats` object, as member `key`
 * of `j` (the control socket's dump-counters); `outs` may be NULL. */
struct jbuf;
void eve_stats_object(struct jbuf *j, const char *key, const struct eve_stats_input *in,
		      const struct output_set *outs);

#endif
