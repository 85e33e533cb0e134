/*
 * worker.h - a worker thread's whole state: struct ids_thread.
 *
 * A worker owns its flow table, defragmenter, TCP reassembly, decoder
 * counters, matcher scratch, EVE buffer and one context per plugin. It
 * decodes each frame, reassembles fragments, updates the flow, hands the
 * packet to every plugin in config order, feeds TCP packets to stream
 * reassembly (whose in-order data goes to the plugins' on_stream), and
 * ticks plugins and timeouts once per second of packet time. Nothing in a
 * worker is shared: the packet path takes no lock and allocates nothing in
 * steady state.
 */
#ifndef SENSOR_WORKER_H
#define SENSOR_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>

#include "decode/decode.h"
#include "defrag/defrag.h"
#include "detect/rule_keys.h"
#include "flow/flow.h"
#include "ids/plugin.h"
#include "stream/stream_tcp.h"

struct plugin_set;
struct flow_table;
struct flow;
struct matcher_thread;
struct eve_thread;
struct eve_writer;
struct sensor_config;
struct capture_frame;
struct defrag;
struct stream_tcp;
struct live_source;

/* Plugins whose alerts are counted one by one in stats records. */
#define WORKER_MAX_PLUGIN_COUNTERS 16

/* A worker's counters as of its last tick, for stats records written
 * while it runs (copied under `lock`, taken once a second by the worker
 * and once per stats record by the main thread). */
struct worker_snapshot {
	struct decode_stats decoder;
	struct flow_stats flow;
	struct stream_stats stream;
	struct defrag_stats defrag;
	uint64_t alerts, csum_bad_ip, csum_bad_tcp, csum_bad_other;
	uint64_t csum_validation_off;			    /* 1 when auto turned validation off */
	uint64_t plugin_alerts[WORKER_MAX_PLUGIN_COUNTERS]; /* per plugin, config order */
	uint64_t kernel_packets, kernel_drops, kernel_freezes;
	int64_t first_usec, last_usec;
	/* alerts the rule-level keys held back (detect/rule_keys.h) */
	struct rule_alert_counters rule_filter;
	uint64_t verify_limit; /* candidates past their work limit (detect.verify_limit) */
	/* counters plugins registered (counter_add), per plugin, config order */
	uint64_t plugin_counters[WORKER_MAX_PLUGIN_COUNTERS][IDS_MAX_COUNTERS];
};

struct ids_thread {
	unsigned index;
	const struct plugin_set *plugins; /* the rule generation in use */
	/* The generation to use (a rule reload publishes a new one here; the
	 * worker moves to it between two packets), or NULL. */
	_Atomic(struct plugin_set *) *current;
	/* The generation this worker runs, for the main thread to know when
	 * an old one can be retired. */
	_Atomic(const struct plugin_set *) gen_seen;
	void **plugin_ctx; /* one per plugin, from thread_init */
	const struct sensor_config *cfg;
	struct flow_table *flows;
	struct defrag *defrag;
	struct stream_tcp *stream;
	struct matcher_thread *mt;
	struct eve_thread *eve;
	const char *in_iface; /* NULL in file mode */
	struct decode_stats dstats;
	struct packet pkt;     /* the packet being processed */
	struct packet outer;   /* a tunnel's outer packet being inspected (worker.c) */
	struct flow *cur_flow; /* its flow, NULL when it has none */
	size_t cur_plugin;     /* index of the plugin being called */
	bool ending;	       /* inside on_flow_end callbacks */
	size_t n_ctx_inited;   /* plugins whose thread_init succeeded */
	int64_t first_usec, last_usec, next_tick_usec;
	uint64_t alerts;
	uint64_t plugin_alerts[WORKER_MAX_PLUGIN_COUNTERS];
	/* packets dropped from defrag/reassembly for a bad checksum */
	uint64_t csum_bad_ip, csum_bad_tcp, csum_bad_other;
	/* checksum-validation auto: checksums found good and bad so far, and
	 * whether validation is off (most were bad: offloading) */
	uint64_t csum_auto_good, csum_auto_bad;
	bool csum_auto_off, csum_auto_noted;
	struct live_source *live; /* live capture source, NULL in file mode */
	uint64_t plugin_counters[WORKER_MAX_PLUGIN_COUNTERS][IDS_MAX_COUNTERS];
	pthread_mutex_t snap_lock;
	struct worker_snapshot snap;
	/* pass, noalert, suppress and thresholds of the rules (rule_eval.c) */
	struct rule_alert_ctx rule_filter;
	/* packet time from which the next packet-less defrag anomaly of each
	 * kind is written (worker.c: one per kind per second) */
#define WORKER_DEFRAG_EV_SLOTS 8
	int64_t defrag_ev_next_usec[WORKER_DEFRAG_EV_SLOTS];
	/* candidates that ran out of their verification budget, counted by
	 * matcher threads this worker already replaced (rule reloads) */
	uint64_t verify_limit_done;
};

/* Set up worker `index` (plugin thread_init included). Returns NULL with a
 * logged error on failure. */
struct ids_thread *worker_new(unsigned index, const struct sensor_config *cfg,
			      const struct plugin_set *plugins, struct eve_writer *eve);
/* Process one captured frame. */
void worker_process(struct ids_thread *w, const struct capture_frame *f);
/* Live capture, no frame for a while: move time on to `now_usec` (expire
 * flows, tick plugins, write out EVE) and take up a new rule generation. */
void worker_idle(struct ids_thread *w, int64_t now_usec);
/* Fill `s` from the worker's counters: live (owner thread, or after it
 * stopped) or from its last snapshot (any thread, while it runs). */
void worker_counters(struct ids_thread *w, struct worker_snapshot *s);
void worker_snapshot(struct ids_thread *w, struct worker_snapshot *s);

/* Main thread, around plugins_init: the set whose stream matchers
 * matcher_compile_stream registers. */
void worker_compiling(struct plugin_set *set);
/* End of input: end every flow, final tick, flush output. The caller
 * writes the stats record (summed over all workers). */
void worker_finish(struct ids_thread *w);
void worker_free(struct ids_thread *w);

/* The services table handed to plugins. */
extern const struct ids_services sensor_services;

#endif
