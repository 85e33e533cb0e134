/*
 * dispatch.c - running the workers over a capture file (see dispatch.h).
 *
 * Split reading (split_run, the default for a mapped pcap file with several
 * workers): no reader thread. Each worker has its own cursor over the map
 * (capture_mmap.h) and its own pick_state, walks every record and keeps
 * those dispatch_pick gives it; since every walk sees the same frames in
 * the same order, every walk picks the same worker for a frame. The main
 * thread is worker 0 and polls the signals; every SPLIT_PROGRESS frames each
 * worker stores how far it is (`at`), and every RELEASE_FRAMES each worker
 * offers to release the map behind the lowest `at` (pcap_source_release
 * acts only when a whole chunk is behind it, under a try-lock, so the work
 * falls on whichever worker gets there first and nobody waits for it; it
 * was all the main thread's, 13 % of its run). Why: on two cores a reader thread took a
 * third of a core (the page faults and the first touch of every record)
 * and a full ring made the reader wait, starving the other workers; a walk
 * of the headers costs each worker far less than that (docs/performance.md).
 *
 * The reader and its rings (below) serve libpcap's files and
 * capture.file-read: reader.
 *
 * The ring between the reader and a worker is a byte ring of r->size bytes
 * holding variable-size records (a struct ring_rec followed by the frame),
 * 8-byte aligned. `head` (bytes written) is stored only by the reader and
 * `tail` (bytes consumed) only by the worker, each published with release
 * and read with acquire ordering, so a record is complete before the worker
 * can see it and its space is free before the reader reuses it. A record
 * that would cross the end of the buffer is preceded by a wrap record
 * (caplen == RING_WRAP) and starts again at offset 0.
 *
 * No copy for mapped files: when the source's frames are stable (a classic
 * pcap file read from its memory map, capture_mmap.c), a record is only a
 * descriptor whose `data` points into the map. Only libpcap's reader
 * (pcapng, pipes) needs the frame copied after the record, because libpcap
 * reuses its buffer for the next frame. Behind the slowest worker the
 * reader releases the map's pages (pcap_source_release): the oldest record
 * still in any ring bounds what may go.
 *
 * Cheap choice of worker: the reader does not decode frames; it picks the
 * worker from the outermost IP header and ports (dispatch_pick.c), so both
 * directions of a flow, every fragment of a datagram and every packet of a
 * tunnel meet on one worker, and flows between two hosts are spread.
 *
 * Workers publish their tail every RING_PUBLISH records, not only after a
 * batch, so that a long batch of descriptors does not hold the reader.
 *
 * Threads: dispatch_run runs on the main thread and is the only producer;
 * worker thread i is the only consumer of ring i.
 */
#include "core/dispatch.h"
#include "core/dispatch_pick.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture_pcap.h"
#include "capture/capture_live.h"
#include "core/config.h"
#include "core/control.h"
#include "base/log.h"
#include "core/sensor.h"
#include "core/worker.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "flow/flow.h"
#include "stream/stream_tcp.h"
#include "output/eve.h"

#define RING_BYTES    (2u << 20)   /* copies (libpcap's frames) */
#define RING_DESC     (256u << 10) /* descriptors: ~5,400 frames, ~4 MB of file */
#define RING_WRAP     UINT32_MAX
#define RING_ALIGN(n) (((n) + 7u) & ~(size_t)7u)

struct ring_rec {
	uint32_t caplen, wirelen;
	int32_t linktype;
	uint32_t pad;
	int64_t ts_usec;
	uint64_t pcap_cnt;
	const uint8_t *data; /* the frame in the capture's map, or NULL: it follows */
};

/* Records a worker consumes between two stores of its tail. */
#define RING_PUBLISH 64

/* Frames between two releases of the map behind the slowest worker. */
#define RELEASE_FRAMES 4096

/* Cache lines: `buf` is read by both sides and written once, `head` is
 * written by the reader, `tail` by the worker; each has its own line, and
 * the slots are allocated 64-byte aligned, so that no store of one thread
 * invalidates a line another thread reads for something else. */
struct ring {
	uint8_t *buf;
	size_t size; /* RING_BYTES or RING_DESC */
	_Atomic uint64_t head __attribute__((aligned(64)));
	_Atomic uint64_t tail __attribute__((aligned(64)));
	_Atomic int done;
};

struct split;

struct worker_slot {
	struct ids_thread *w;
	struct ring ring;
	pthread_t tid;
	int started;
	/* split reading (see split_run) */
	struct pcap_cursor *cur;
	struct pick_state *pick;
	struct split *sp;
	unsigned index;
	int rc; /* of the cursor's walk: 1 not ended, 0 end, -1 error, -2 not walked */
	_Atomic uintptr_t at __attribute__((aligned(64))); /* frame reached; UINTPTR_MAX: done */
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
	size_t off = head % r->size;
	size_t to_end = r->size - off;
	unsigned spins = 0;

	if (to_end < need) {
		/* Pad to the end with a wrap record, then start at 0. */
		while (r->size - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) <
		       to_end)
			ring_pause(&spins);
		((struct ring_rec *)(r->buf + off))->caplen = RING_WRAP;
		head += to_end;
		atomic_store_explicit(&r->head, head, memory_order_release);
	}
	while (r->size - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) < need)
		ring_pause(&spins);
	return r->buf + head % r->size;
}

/* The bytes a record takes: a descriptor, or a descriptor and its copy. */
static size_t rec_size(const struct ring_rec *rec)
{
	return RING_ALIGN(sizeof(*rec) + (rec->data ? 0 : rec->caplen));
}

static void ring_push(struct ring *r, const struct capture_frame *f, bool stable)
{
	size_t need = RING_ALIGN(sizeof(struct ring_rec) + (stable ? 0 : f->caplen));
	uint8_t *at = ring_reserve(r, need);
	struct ring_rec *rec = (struct ring_rec *)at;

	rec->caplen = f->caplen;
	rec->wirelen = f->wirelen;
	rec->linktype = f->linktype;
	rec->ts_usec = f->ts_usec;
	rec->pcap_cnt = f->pcap_cnt;
	rec->data = stable ? f->data : NULL;
	if (!stable)
		memcpy(at + sizeof(*rec), f->data, f->caplen);
	atomic_store_explicit(&r->head, atomic_load_explicit(&r->head, memory_order_relaxed) + need,
			      memory_order_release);
}

static void *worker_main(void *arg)
{
	struct worker_slot *s = arg;
	struct ring *r = &s->ring;
	uint64_t tail = 0;
	unsigned spins = 0, done = 0;

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
			const struct ring_rec *rec = (const void *)(r->buf + tail % r->size);
			struct capture_frame f;

			if (rec->caplen == RING_WRAP) {
				tail += r->size - tail % r->size;
				continue;
			}
			f.data = rec->data ? rec->data : (const uint8_t *)(rec + 1);
			f.caplen = rec->caplen;
			f.wirelen = rec->wirelen;
			f.linktype = rec->linktype;
			f.ts_usec = rec->ts_usec;
			f.pcap_cnt = rec->pcap_cnt;
			worker_process(s->w, &f);
			tail += rec_size(rec);
			if (++done % RING_PUBLISH == 0)
				atomic_store_explicit(&r->tail, tail, memory_order_release);
		}
		atomic_store_explicit(&r->tail, tail, memory_order_release);
	}
	worker_finish(s->w);
	return NULL;
}

/* Release the source's map behind the oldest record still in any ring;
 * `at` is the frame just read (all before it are in the rings or done). */
static void release_behind(struct pcap_source *src, struct worker_slot *slots, unsigned n,
			   const uint8_t *at)
{
	const uint8_t *low = at;

	for (unsigned i = 0; i < n; i++) {
		struct ring *r = &slots[i].ring;
		uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
		const struct ring_rec *rec = (const void *)(r->buf + tail % r->size);

		if (tail == head)
			continue;
		if (rec->caplen == RING_WRAP)
			rec = (const void *)r->buf;
		if (rec->data && rec->data < low)
			low = rec->data;
	}
	pcap_source_release(src, low);
}

/* Once at the end of a file: what the reader counted. */
static void report_events(const struct capture_file_events *e)
{
	struct capture_file_events ev = *e;

	if (ev.zero_caplen)
		log_warn("capture file: %llu record(s) with no byte captured",
			 (unsigned long long)ev.zero_caplen);
	if (ev.caplen_over_snaplen)
		log_warn("capture file: %llu record(s) longer than the snapshot length, cut to it",
			 (unsigned long long)ev.caplen_over_snaplen);
	if (ev.partial_tail)
		log_warn("capture file grew while read: its unfinished last record was left");
}

static void report_file_events(struct pcap_source *src)
{
	struct capture_file_events ev;

	pcap_source_events(src, &ev);
	report_events(&ev);
}

/* Frames between two looks at the control signals while reading a file. */
#define SIGNAL_CHECK_FRAMES 1024

static int read_loop(struct pcap_source *src, struct worker_slot *slots, unsigned n,
		     struct run_ctl *ctl)
{
	struct capture_frame f;
	struct pick_state *pick = calloc(1, sizeof(*pick));
	bool stable = pcap_source_stable(src);
	char err[512];
	unsigned frames = 0;
	int rc;

	if (!pick)
		return EXIT_RUNTIME;
	while ((rc = pcap_source_next(src, &f, err, sizeof(err))) > 0) {
		if (n == 1)
			worker_process(slots[0].w, &f);
		else
			ring_push(&slots[dispatch_pick(pick, f.linktype, f.data, f.caplen, n)].ring,
				  &f, stable);
		if (++frames % RELEASE_FRAMES == 0 && stable)
			release_behind(src, slots, n == 1 ? 0 : n, f.data);
		if (frames % SIGNAL_CHECK_FRAMES == 0 && ctl_poll(ctl, 0))
			break; /* TERM or INT: stop reading, flush as at the end */
	}
	free(pick);
	report_file_events(src);
	if (rc < 0) {
		fprintf(stderr, "sensor: error: %s\n", err);
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

/* ----------------------------------------------- split reading of a map */

/* Frames between two stores of a worker's place in the file (and, on the
 * main thread, a look at the signals and a release of the map). */
#define SPLIT_PROGRESS 1024

struct split {
	struct pcap_source *src;
	struct worker_slot *slots;
	unsigned n;
	_Atomic int stop;
	_Atomic unsigned running; /* worker threads not finished */
};

/* The map behind the slowest worker may go (any worker's thread). */
static void split_release(struct split *sp)
{
	uintptr_t low = UINTPTR_MAX;

	for (unsigned i = 0; i < sp->n; i++) {
		uintptr_t at = atomic_load_explicit(&sp->slots[i].at, memory_order_acquire);

		if (at < low)
			low = at;
	}
	if (low == 0)
		return; /* a worker has not read its first frame */
	pcap_source_release(sp->src, low == UINTPTR_MAX ? NULL : (const uint8_t *)low);
}

/* One worker's walk through the whole file: every record is read (and
 * checked) by every worker, each keeps the frames dispatch_pick gives it,
 * and each offers to release the map behind the slowest. On the main
 * thread (`ctl` set) also the signals. */
static void split_walk(struct worker_slot *s, struct run_ctl *ctl, char *err, size_t errlen)
{
	struct split *sp = s->sp;
	struct capture_frame f;
	unsigned frames = 0;

	while ((s->rc = pcap_cursor_next(s->cur, &f, err, errlen)) > 0) {
		if (dispatch_pick(s->pick, f.linktype, f.data, f.caplen, sp->n) == s->index)
			worker_process(s->w, &f);
		if (++frames % SPLIT_PROGRESS)
			continue;
		atomic_store_explicit(&s->at, (uintptr_t)f.data, memory_order_release);
		if (frames % RELEASE_FRAMES == 0)
			split_release(sp);
		if (ctl && ctl_poll(ctl, 0))
			atomic_store_explicit(&sp->stop, 1, memory_order_release);
		if (atomic_load_explicit(&sp->stop, memory_order_acquire))
			break;
	}
	atomic_store_explicit(&s->at, UINTPTR_MAX, memory_order_release);
}

static void *split_worker_main(void *arg)
{
	struct worker_slot *s = arg;
	char err[512];

	split_walk(s, NULL, err, sizeof(err));
	worker_finish(s->w);
	atomic_fetch_sub_explicit(&s->sp->running, 1, memory_order_release);
	return NULL;
}

/* Milliseconds the main thread waits between looks at the other workers
 * once its own walk is done. */
#define SPLIT_WAIT_MS 2

/*
 * Several workers over a stable source (a mapped pcap file): no reader
 * thread and no rings. Every worker walks the whole file through its own
 * cursor and processes the frames dispatch_pick gives it; the main thread
 * is worker 0. What a reader thread cost (its core time, the rings, a full
 * ring stalling every worker) is gone; what each worker pays instead is a
 * look at every record header and IP header. The walks give identical
 * frames and errors, and dispatch_pick the same choice in every walk, so
 * the flows land where the reader would have sent them.
 */
static int split_run(struct pcap_source *src, struct worker_slot *slots, unsigned n,
		     struct run_ctl *ctl)
{
	struct split sp = {.src = src, .slots = slots, .n = n};
	struct capture_file_events ev;
	char err[512];
	int rc = EXIT_RUNTIME;

	for (unsigned i = 0; i < n; i++) {
		slots[i].cur = pcap_source_cursor(src);
		slots[i].pick = calloc(1, sizeof(*slots[i].pick));
		slots[i].sp = &sp;
		slots[i].index = i;
		slots[i].rc = 1;
		atomic_init(&slots[i].at, 0);
		if (!slots[i].cur || !slots[i].pick) {
			log_error("out of memory for worker %u", i);
			goto out;
		}
	}
	atomic_init(&sp.stop, 0);
	atomic_init(&sp.running, 0);
	for (unsigned i = 1; i < n; i++) {
		atomic_fetch_add_explicit(&sp.running, 1, memory_order_relaxed);
		if (pthread_create(&slots[i].tid, NULL, split_worker_main, &slots[i]) != 0) {
			/* the workers started stop at once; nothing is half read */
			atomic_fetch_sub_explicit(&sp.running, 1, memory_order_relaxed);
			log_error("cannot start worker thread %u", i);
			atomic_store_explicit(&sp.stop, 1, memory_order_release);
			break;
		}
		slots[i].started = 1;
	}
	if (atomic_load_explicit(&sp.stop, memory_order_relaxed))
		slots[0].rc = -2; /* not walked */
	else
		split_walk(&slots[0], ctl, err, sizeof(err));
	worker_finish(slots[0].w);
	while (atomic_load_explicit(&sp.running, memory_order_acquire)) {
		if (ctl_poll(ctl, SPLIT_WAIT_MS))
			atomic_store_explicit(&sp.stop, 1, memory_order_release);
		split_release(&sp);
	}
	for (unsigned i = 1; i < n; i++) {
		if (slots[i].started)
			pthread_join(slots[i].tid, NULL);
		slots[i].started = 0;
	}
	if (slots[0].rc == -2)
		goto out; /* EXIT_RUNTIME: a worker thread could not start */
	pcap_cursor_events(slots[0].cur, &ev);
	report_events(&ev);
	rc = EXIT_OK;
	if (slots[0].rc < 0) {
		fprintf(stderr, "sensor: error: %s\n", err);
		rc = EXIT_CONFIG;
	}
out:
	for (unsigned i = 0; i < n; i++) {
		pcap_cursor_free(slots[i].cur);
		free(slots[i].pick);
		slots[i].cur = NULL;
		slots[i].pick = NULL;
	}
	return rc;
}

/* Make the workers (plugin thread contexts included) and tell `ctl`. */
static int new_workers(const struct sensor_config *cfg, struct run_ctl *ctl,
		       struct worker_slot *slots, unsigned n)
{
	struct plugin_set *ps = atomic_load_explicit(&ctl->current, memory_order_relaxed);

	ctl->workers = calloc(n, sizeof(*ctl->workers));
	if (!ctl->workers)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		slots[i].w = worker_new(i, cfg, ps, ctl->eve);
		if (!slots[i].w)
			return -1;
		slots[i].w->current = &ctl->current;
		ctl->workers[ctl->n_workers++] = slots[i].w;
	}
	return 0;
}

/* `stable`: the source's frames stay valid (descriptors, a smaller ring). */
static int start_workers(const struct sensor_config *cfg, struct run_ctl *ctl,
			 struct worker_slot *slots, unsigned n, bool stable)
{
	if (new_workers(cfg, ctl, slots, n) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (n == 1)
			continue;
		slots[i].ring.size = stable ? RING_DESC : RING_BYTES;
		slots[i].ring.buf = malloc(slots[i].ring.size);
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

static void free_workers(struct run_ctl *ctl, struct worker_slot *slots, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		worker_free(slots[i].w);
		free(slots[i].ring.buf);
	}
	free(slots);
	free(ctl->workers);
	ctl->workers = NULL;
	ctl->n_workers = 0;
}

int dispatch_run(const struct sensor_config *cfg, struct run_ctl *ctl, struct pcap_source *src,
		 struct dispatch_result *res)
{
	unsigned n = cfg->threads ? cfg->threads : 1;
	struct worker_slot *slots = aligned_alloc(64, n * sizeof(*slots));
	int rc = EXIT_RUNTIME;

	memset(res, 0, sizeof(*res));
	if (!slots)
		return EXIT_RUNTIME;
	memset(slots, 0, n * sizeof(*slots));
	if (n > 1 && pcap_source_stable(src) && !cfg->file_reader_thread) {
		if (new_workers(cfg, ctl, slots, n) < 0)
			goto out;
		rc = split_run(src, slots, n, ctl);
		ctl_write_stats(ctl, true, &res->packets, &res->invalid, &res->alerts);
		goto out;
	}
	if (start_workers(cfg, ctl, slots, n, pcap_source_stable(src)) < 0)
		goto out;
	rc = read_loop(src, slots, n, ctl);
	if (n == 1)
		worker_finish(slots[0].w);
	stop_workers(slots, n);
	ctl_write_stats(ctl, true, &res->packets, &res->invalid, &res->alerts);
out:
	stop_workers(slots, n);
	free_workers(ctl, slots, n);
	return rc;
}

/* -------------------------------------------------------- live capture */

/* Milliseconds a live worker waits for frames before moving time on. */
#define LIVE_POLL_MS 100

struct live_slot {
	struct ids_thread *w;
	struct live_source *src;
	_Atomic int *stop;
	pthread_t tid;
	int started;
};

static void live_frame(void *ctx, const struct capture_frame *f, const char *iface)
{
	struct ids_thread *w = ctx;

	w->in_iface = iface;
	worker_process(w, f);
}

static void *live_worker_main(void *arg)
{
	struct live_slot *s = arg;
	char err[256];

	while (!atomic_load_explicit(s->stop, memory_order_acquire)) {
		int n = live_poll(s->src, LIVE_POLL_MS, live_frame, s->w, err, sizeof(err));

		if (n < 0) {
			log_error("worker %u: %s", s->w->index, err);
			break;
		}
		if (n == 0)
			worker_idle(s->w, ctl_now_usec());
	}
	worker_finish(s->w);
	return NULL;
}

/* Open every worker's sockets; -1 after printing the first error. */
static int open_sources(const struct sensor_config *cfg, struct live_slot *slots, unsigned n)
{
	struct live_config lc = cfg->live;
	char err[512];

	lc.ifaces = (const char *const *)cfg->ifaces;
	lc.n_ifaces = cfg->n_ifaces;
	lc.bpf = cfg->bpf;
	lc.workers = n;
	for (unsigned i = 0; i < n; i++) {
		if (live_open(&lc, i, &slots[i].src, err, sizeof(err)) < 0) {
			fprintf(stderr, "sensor: error: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static int start_live_workers(const struct sensor_config *cfg, struct run_ctl *ctl,
			      struct live_slot *slots, _Atomic int *stop, unsigned n)
{
	struct worker_slot *ws = calloc(n, sizeof(*ws));
	int rc = -1;

	if (!ws || new_workers(cfg, ctl, ws, n) < 0)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		slots[i].w = ws[i].w;
		slots[i].w->live = slots[i].src;
		slots[i].stop = stop;
	}
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&slots[i].tid, NULL, live_worker_main, &slots[i]) != 0) {
			log_error("cannot start worker thread %u", i);
			goto out;
		}
		slots[i].started = 1;
	}
	rc = 0;
out:
	free(ws);
	return rc;
}

/* The main thread's loop while capturing: signals and stats records. */
static void live_control(const struct sensor_config *cfg, struct run_ctl *ctl)
{
	int64_t every = (int64_t)cfg->stats_interval * 1000000;
	int64_t next = ctl->start_usec + every;

	for (;;) {
		int64_t now = ctl_now_usec();
		int wait = every && next > now ? (int)((next - now) / 1000) : 1000;

		if (ctl_poll(ctl, wait > 1000 ? 1000 : wait))
			return;
		now = ctl_now_usec();
		if (every && now >= next) {
			ctl_write_stats(ctl, false, NULL, NULL, NULL);
			next += every * ((now - next) / every + 1);
		}
	}
}

int dispatch_live(const struct sensor_config *cfg, struct run_ctl *ctl, struct dispatch_result *res)
{
	unsigned n = cfg->threads ? cfg->threads : 1;
	struct live_slot *slots = calloc(n, sizeof(*slots));
	_Atomic int stop = 0;
	char err[512];
	int rc = EXIT_CONFIG;

	memset(res, 0, sizeof(*res));
	if (!slots)
		return EXIT_RUNTIME;
	if (open_sources(cfg, slots, n) < 0)
		goto close;
	if (ctl_drop_privileges(cfg->run_as_user, cfg->run_as_group, err, sizeof(err)) < 0) {
		fprintf(stderr, "sensor: error: %s\n", err);
		goto close;
	}
	rc = EXIT_RUNTIME;
	ctl->live = true;
	if (start_live_workers(cfg, ctl, slots, &stop, n) == 0) {
		log_info("capturing on %zu interface(s) with %u worker(s)", cfg->n_ifaces, n);
		live_control(cfg, ctl);
		rc = EXIT_OK;
	}
	atomic_store_explicit(&stop, 1, memory_order_release);
	for (unsigned i = 0; i < n; i++)
		if (slots[i].started)
			pthread_join(slots[i].tid, NULL);
	if (ctl->n_workers == n)
		ctl_write_stats(ctl, true, &res->packets, &res->invalid, &res->alerts);
	for (unsigned i = 0; i < n; i++)
		worker_free(slots[i].w);
	free(ctl->workers);
	ctl->workers = NULL;
	ctl->n_workers = 0;
close:
	for (unsigned i = 0; i < n; i++)
		live_close(slots[i].src);
	free(slots);
	return rc;
}
