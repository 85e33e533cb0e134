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

#include <stdint.h>

#include "decode/decode.h"
#include "ids/plugin.h"

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

struct ids_thread {
	unsigned index;
	const struct plugin_set *plugins;
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
	struct flow *cur_flow; /* its flow, NULL when it has none */
	size_t cur_plugin;     /* index of the plugin being called */
	size_t n_ctx_inited;   /* plugins whose thread_init succeeded */
	int64_t first_usec, last_usec, next_tick_usec;
	uint64_t alerts;
	/* packets dropped from defrag/reassembly for a bad checksum */
	uint64_t csum_bad_ip, csum_bad_tcp, csum_bad_other;
};

/* Set up worker `index` (plugin thread_init included). Returns NULL with a
 * logged error on failure. */
struct ids_thread *worker_new(unsigned index, const struct sensor_config *cfg,
			      const struct plugin_set *plugins, struct eve_writer *eve);
/* Process one captured frame. */
void worker_process(struct ids_thread *w, const struct capture_frame *f);
/* End of input: end every flow, final tick, flush output. The caller
 * writes the stats record (summed over all workers). */
void worker_finish(struct ids_thread *w);
void worker_free(struct ids_thread *w);

/* The services table handed to plugins. */
extern const struct ids_services sensor_services;

#endif
