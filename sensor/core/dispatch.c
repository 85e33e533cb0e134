/*
 * dispatch.c - running the workers over a capture file (see dispatch.h).
 *
 * The ring between the reader and a worker is a byte ring of RING_BYTES
 * holding variable-size records (a struct ring_rec followed by the frame),
 * 8-byte aligned. `head` (bytes written) is stored only by the reader and
 * `tail` (bytes consumed) only by the worker, each published with release
 * and read with acquire ordering, so a record is complete before the worker
 * can see it and its space is free before the reader reuses it. A record
 * that would cross the end of the buffer is preceded by a wrap record
 * (caplen == RING_WRAP) and starts again at offset 0. The frame is copied
 * once into the ring because libpcap reuses its buffer for the next frame.
 *
 * Threads: dispatch_run runs on the main thread and is the only producer;
 * worker thread i is the only consumer of ring i.
 */
#include "core/dispatch.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture_pcap.h"
#include "core/config.h"
#include "core/log.h"
#include "core/sensor.h"
#include "core/worker.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "flow/flow.h"
#include "stream/stream_tcp.h"
#include "output/eve.h"

#define RING_BYTES    (8u << 20)
#define RING_WRAP     UINT32_MAX
#define RING_ALIGN(n) (((n) + 7u) & ~(size_t)7u)

struct ring_rec {
	uint32_t caplen, wirelen;
	int32_t linktype;
	uint32_t pad;
	int64_t ts_usec;
	uint64_t pcap_cnt;
};

struct ring {
	_Atomic uint64_t head __attribute__((aligned(64)));
	_Atomic uint64_t tail __attribute__((aligned(64)));
	_Atomic int done;
	uint8_t *buf;
};

struct worker_slot {
	struct ids_thread *w;
	struct ring ring;
	pthread_t tid;
	int started;
};

static void ring_pause(unsigned *spins)
{
	struct timespec ts = {0, 20000};

	if (++*spins < 64) {
		sched_yield();
		return;
	}
	nanosleep(&ts, NULL);
}

/* Reader side: wait for `need` contiguous bytes, return where to write. */
static uint8_t *ring_reserve(struct ring *r, size_t need)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t off = head % RING_BYTES;
	size_t to_end = RING_BYTES - off;
	unsigned spins = 0;

	if (to_end < need) {
		/* Pad to the end with a wrap record, then start at 0. */
		while (RING_BYTES - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) <
		       to_end)
			ring_pause(&spins);
		((struct ring_rec *)(r->buf + off))->caplen = RING_WRAP;
		head += to_end;
		atomic_store_explicit(&r->head, head, memory_order_release);
	}
	while (RING_BYTES - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) < need)
		ring_pause(&spins);
	return r->buf + head % RING_BYTES;
}

static void ring_push(struct ring *r, const struct capture_frame *f)
{
	size_t need = RING_ALIGN(sizeof(struct ring_rec) + f->caplen);
	uint8_t *at = ring_reserve(r, need);
	struct ring_rec *rec = (struct ring_rec *)at;

	rec->caplen = f->caplen;
	rec->wirelen = f->wirelen;
	rec->linktype = f->linktype;
	rec->ts_usec = f->ts_usec;
	rec->pcap_cnt = f->pcap_cnt;
	memcpy(at + sizeof(*rec), f->data, f->caplen);
	atomic_store_explicit(&r->head, atomic_load_explicit(&r->head, memory_order_relaxed) + need,
			      memory_order_release);
}

static void *worker_main(void *arg)
{
	struct worker_slot *s = arg;
	struct ring *r = &s->ring;
	uint64_t tail = 0;
	unsigned spins = 0;

	for (;;) {
		uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

		if (tail == head) {
			if (atomic_load_explicit(&r->done, memory_order_acquire) &&
			    tail == atomic_load_explicit(&r->head, memory_order_acquire))
				break;
			ring_pause(&spins);
			continue;
		}
		spins = 0;
		while (tail != head) {
			const struct ring_rec *rec = (const void *)(r->buf + tail % RING_BYTES);
			struct capture_frame f;

			if (rec->caplen == RING_WRAP) {
				tail += RING_BYTES - tail % RING_BYTES;
				continue;
			}
			f.data = (const uint8_t *)(rec + 1);
			f.caplen = rec->caplen;
			f.wirelen = rec->wirelen;
			f.linktype = rec->linktype;
			f.ts_usec = rec->ts_usec;
			f.pcap_cnt = rec->pcap_cnt;
			worker_process(s->w, &f);
			tail += RING_ALIGN(sizeof(*rec) + rec->caplen);
		}
		atomic_store_explicit(&r->tail, tail, memory_order_release);
	}
	worker_finish(s->w);
	return NULL;
}

/* Symmetric hash of the address pair and protocol of a frame. */
static unsigned frame_worker(const struct capture_frame *f, struct packet *scratch,
			     struct decode_stats *st, unsigned n)
{
	const struct ids_packet *p = &scratch->pub;
	uint64_t h = 0;

	if (decode_frame(scratch, f->linktype, f->data, f->caplen, f->wirelen, f->ts_usec,
			 f->pcap_cnt, st) != 0)
		return 0;
	for (unsigned i = 0; i < 16; i++)
		h += (uint64_t)(p->src.bytes[i] ^ p->dst.bytes[i]) << (i % 8 * 8) ^
		     ((uint64_t)p->src.bytes[i] + p->dst.bytes[i]) * 0x9e3779b97f4a7c15ull;
	h ^= p->proto;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (unsigned)(h % n);
}

static void sum_u64(uint64_t *acc, const uint64_t *add, size_t n)
{
	for (size_t i = 0; i < n; i++)
		acc[i] += add[i];
}

/* One stats record over all workers. The counter structs summed here hold
 * nothing but uint64_t counters (their tests check it). */
static void write_stats(struct worker_slot *slots, unsigned n, struct dispatch_result *res)
{
	struct decode_stats ds;
	struct flow_stats fs;
	struct stream_stats ss;
	struct defrag_stats dfs;
	struct eve_stats_input in;
	int64_t first = 0, last = 0;

	memset(&ds, 0, sizeof(ds));
	memset(&fs, 0, sizeof(fs));
	memset(&ss, 0, sizeof(ss));
	memset(&dfs, 0, sizeof(dfs));
	memset(&in, 0, sizeof(in));
	for (unsigned i = 0; i < n; i++) {
		const struct ids_thread *w = slots[i].w;

		/* Both structs hold nothing but uint64_t counters. */
		sum_u64((uint64_t *)&ds, (const uint64_t *)&w->dstats, sizeof(ds) / 8);
		sum_u64((uint64_t *)&fs, (const uint64_t *)flow_table_stats(w->flows),
			sizeof(fs) / 8);
		/* Peaks add up to a bound on the process's peak. */
		sum_u64((uint64_t *)&ss, (const uint64_t *)stream_tcp_stats(w->stream),
			sizeof(ss) / 8);
		sum_u64((uint64_t *)&dfs, (const uint64_t *)defrag_stats(w->defrag),
			sizeof(dfs) / 8);
		in.invalid_checksum_ip += w->csum_bad_ip;
		in.invalid_checksum_tcp += w->csum_bad_tcp;
		in.invalid_checksum_other += w->csum_bad_other;
		in.alerts += w->alerts;
		if (w->first_usec && (!first || w->first_usec < first))
			first = w->first_usec;
		if (w->last_usec > last)
			last = w->last_usec;
	}
	in.ts_usec = last;
	in.uptime_s = last > first ? (double)(last - first) / 1e6 : 0;
	in.decoder = &ds;
	in.flow = &fs;
	in.stream = &ss;
	in.defrag = &dfs;
	eve_stats(slots[0].w->eve, &in);
	eve_thread_flush(slots[0].w->eve);
	res->packets = ds.pkts;
	res->invalid = ds.invalid;
	res->alerts = in.alerts;
}

static int read_loop(struct pcap_source *src, struct worker_slot *slots, unsigned n)
{
	struct capture_frame f;
	struct packet scratch;
	struct decode_stats st;
	char err[512];
	int rc;

	/* The reader decodes only to pick a worker; its counters are scratch
	 * (each worker counts the frames it decodes). */
	memset(&st, 0, sizeof(st));
	while ((rc = pcap_source_next(src, &f, err, sizeof(err))) > 0) {
		if (n == 1)
			worker_process(slots[0].w, &f);
		else
			ring_push(&slots[frame_worker(&f, &scratch, &st, n)].ring, &f);
	}
	if (rc < 0) {
		fprintf(stderr, "sensor: error: %s\n", err);
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

static int start_workers(const struct sensor_config *cfg, const struct plugin_set *plugins,
			 struct eve_writer *eve, struct worker_slot *slots, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		slots[i].w = worker_new(i, cfg, plugins, eve);
		if (!slots[i].w)
			return -1;
		if (n == 1)
			continue;
		slots[i].ring.buf = malloc(RING_BYTES);
		if (!slots[i].ring.buf)
			return -1;
		if (pthread_create(&slots[i].tid, NULL, worker_main, &slots[i]) != 0) {
			log_error("cannot start worker thread %u", i);
			return -1;
		}
		slots[i].started = 1;
	}
	return 0;
}

static void stop_workers(struct worker_slot *slots, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!slots[i].started)
			continue;
		atomic_store_explicit(&slots[i].ring.done, 1, memory_order_release);
		pthread_join(slots[i].tid, NULL);
		slots[i].started = 0;
	}
}

int dispatch_run(const struct sensor_config *cfg, const struct plugin_set *plugins,
		 struct eve_writer *eve, struct pcap_source *src, struct dispatch_result *res)
{
	unsigned n = cfg->threads ? cfg->threads : 1;
	struct worker_slot *slots = calloc(n, sizeof(*slots));
	int rc = EXIT_RUNTIME;

	memset(res, 0, sizeof(*res));
	if (!slots)
		return EXIT_RUNTIME;
	if (start_workers(cfg, plugins, eve, slots, n) < 0)
		goto out;
	rc = read_loop(src, slots, n);
	if (n == 1)
		worker_finish(slots[0].w);
	stop_workers(slots, n);
	write_stats(slots, n, res);
out:
	stop_workers(slots, n);
	for (unsigned i = 0; i < n; i++) {
		worker_free(slots[i].w);
		free(slots[i].ring.buf);
	}
	free(slots);
	return rc;
}
