/*
 * output.c - the outputs: per-output bounded queues drained by a thread of
 * their own into one sink each (see output.h for the contract).
 *
 * Design: each output holds two buffers. Producers (workers, the main
 * thread's stats records) append whole lines to `pending` under the
 * output's mutex; the output's thread swaps `pending` with its empty
 * `sending` buffer under the same mutex, lets go of it and hands `sending`
 * to the sink. The mutex is held for a memcpy only, never across I/O, so a
 * slow or dead sink cannot stall a worker. `pending` holds at most
 * queue_size bytes (one batch larger than that is taken when the queue is
 * empty, so no record is too large to pass); a batch that does not fit is
 * dropped whole and its lines counted in `dropped`.
 *
 * Routing: a line's type is the value of its "event_type" member, which
 * the writer puts in the first few members of every record. When every
 * output takes every type, a worker's buffer is queued as is, without
 * looking at its lines; otherwise each line goes to the outputs taking
 * its type.
 *
 * Sink state: `up` says the sink is open. A failed send drops the batch
 * (counted), closes the sink and the thread opens it again at most once a
 * second; meanwhile it does not take from `pending`, which fills up and
 * then drops, so what arrives after the sink comes back is sent. The
 * first failure and each recovery are logged, once each.
 *
 * Stop drains: it waits (up to drain_ms) while something is queued and the
 * sink is up, or while the sink is down but has had fewer than two tries
 * since the stop began (the first one at once). So a run that ends before
 * the thread's first open, or while a collector is being restarted, still
 * delivers, and a sink that stays away costs about a second at exit.
 *
 * Reopen (HUP) and stop are requests the thread acts on between batches;
 * reopen waits on `done_cv` for the answer.
 */
#include "output/output.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "output/json.h"
#include "output/sink.h"

struct qbuf {
	char *p;
	size_t len, cap, lines;
};

struct output {
	struct output_conf conf; /* a copy the output owns */
	struct sink sink;
	pthread_t thread;
	bool started, running;
	pthread_mutex_t mu;
	pthread_cond_t data_cv;	 /* producers -> thread: lines, requests */
	pthread_cond_t space_cv; /* thread -> waiting producers: room */
	pthread_cond_t done_cv;	 /* thread -> reopen/drain callers */
	struct qbuf pending, sending;
	bool stop, reopen_req, offline;
	bool busy; /* the thread holds a batch it is sending */
	int reopen_rc;
	unsigned reopen_gen;
	atomic_bool up;
	atomic_bool retry_now;	/* stop: try to open now, not in a second */
	atomic_uint open_tries; /* attempts to open the sink so far */
	atomic_uint_least64_t written, dropped, errors;
};

struct output_set {
	struct output *o;
	size_t n;
	bool route; /* some output takes only some types */
};

/* ------------------------------------------------------------ config */

static const char *const known_types[] = {"alert", "anomaly", "flow",	  "stats",   "http",
					  "dns",   "tls",     "fileinfo", "netflow", NULL};

bool output_known_type(const char *type)
{
	for (size_t i = 0; known_types[i]; i++)
		if (strcmp(type, known_types[i]) == 0)
			return true;
	return false;
}

const char *output_sink_name(enum sink_kind k)
{
	static const char *const names[] = {"file", "unix_dgram", "unix_stream", "syslog", "redis"};

	return (unsigned)k < 5 ? names[k] : "?";
}

void output_conf_init(struct output_conf *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name ? strdup(name) : NULL;
	c->enabled = true;
	c->sink = SINK_FILE;
	c->queue_size = OUTPUT_QUEUE_DEFAULT;
	c->mode = 0640;
	c->facility = 21; /* local5 */
	c->level = 6;	  /* info */
	c->port = 6379;
	c->redis_mode = REDIS_LPUSH;
	c->batch = 64;
}

void output_conf_free(struct output_conf *c)
{
	char **strs[] = {&c->name,     &c->filename, &c->owner,	   &c->group, &c->socket_path,
			 &c->identity, &c->host,     &c->password, &c->key};

	if (!c)
		return;
	for (size_t i = 0; i < c->n_types; i++)
		free(c->types[i]);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	memset(c, 0, sizeof(*c));
}

/* A deep copy: every string duplicated. 0, or -1 on no memory (dst is
 * then still safe to free). */
static int conf_copy(struct output_conf *dst, const struct output_conf *src)
{
	char **strs[] = {&dst->name,  &dst->filename,	 &dst->owner,
			 &dst->group, &dst->socket_path, &dst->identity,
			 &dst->host,  &dst->password,	 &dst->key};
	int rc = 0;

	*dst = *src;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (*strs[i] && !(*strs[i] = strdup(*strs[i])))
			rc = -1;
	for (size_t i = 0; i < src->n_types; i++)
		if (!(dst->types[i] = strdup(src->types[i])))
			rc = -1;
	if (!dst->name && !(dst->name = strdup("eve")))
		rc = -1;
	return rc;
}

/* ------------------------------------------------------------- queue */

static size_t count_lines(const char *p, size_t n)
{
	size_t k = 0;
	const char *end = p + n;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		k++;
		p++;
	}
	return k;
}

static int qbuf_append(struct qbuf *q, const char *p, size_t n, size_t lines)
{
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 65536;
		char *np;

		while (cap < q->len + n)
			cap *= 2;
		np = realloc(q->p, cap);
		if (!np)
			return -1;
		q->p = np;
		q->cap = cap;
	}
	memcpy(q->p + q->len, p, n);
	q->len += n;
	q->lines += lines;
	return 0;
}

/* Queue whole lines for one output; drop (counted) what does not fit. */
static void output_put(struct output *o, const char *p, size_t n, size_t lines)
{
	pthread_mutex_lock(&o->mu);
	while (o->offline && !o->stop && atomic_load(&o->up) && o->pending.len &&
	       o->pending.len + n > o->conf.queue_size)
		pthread_cond_wait(&o->space_cv, &o->mu);
	if ((o->pending.len && o->pending.len + n > o->conf.queue_size) ||
	    qbuf_append(&o->pending, p, n, lines) < 0) {
		atomic_fetch_add(&o->dropped, lines);
	} else {
		pthread_cond_signal(&o->data_cv);
	}
	pthread_mutex_unlock(&o->mu);
}

/* The type of a record line: the value of "event_type". */
static bool line_type(const char *p, size_t n, const char **type, size_t *tlen)
{
	static const char key[] = "\"event_type\":\"";
	size_t k = sizeof(key) - 1, lim = n < 256 ? n : 256;

	for (size_t i = 0; i + k < lim; i++) {
		if (p[i] != '"' || memcmp(p + i, key, k) != 0)
			continue;
		*type = p + i + k;
		for (size_t e = i + k; e < n; e++)
			if (p[e] == '"') {
				*tlen = e - i - k;
				return true;
			}
		return false;
	}
	return false;
}

static bool takes_type(const struct output *o, const char *type, size_t tlen)
{
	if (!o->conf.n_types)
		return true;
	for (size_t i = 0; i < o->conf.n_types; i++)
		if (strlen(o->conf.types[i]) == tlen && !memcmp(o->conf.types[i], type, tlen))
			return true;
	return false;
}

void output_set_submit(struct output_set *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	if (!s || !len)
		return;
	if (!s->route) {
		size_t lines = count_lines(buf, len);

		for (size_t i = 0; i < s->n; i++)
			output_put(&s->o[i], buf, len, lines);
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		const char *type = "";
		size_t tlen = 0;

		line_type(p, n, &type, &tlen);
		for (size_t i = 0; i < s->n; i++)
			if (takes_type(&s->o[i], type, tlen))
				output_put(&s->o[i], p, n, 1);
		p += n;
	}
}

/* ------------------------------------------------------------ thread */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(cv, mu, &ts);
}

/* Open the sink; logs the first failure and each recovery once. */
static void try_open(struct output *o, bool *failed_logged)
{
	char err[512] = "";
	int rc = o->sink.ops->open(&o->sink, err, sizeof(err));

	atomic_fetch_add(&o->open_tries, 1);
	if (rc == 0) {
		atomic_store(&o->up, true);
		if (*failed_logged)
			log_info("output %s: %s is back; sending again", o->conf.name,
				 o->sink.target);
		*failed_logged = false;
		return;
	}
	if (!*failed_logged)
		log_error("output %s: %s (records are queued, then dropped and counted, until it "
			  "comes back)",
			  o->conf.name, err);
	*failed_logged = true;
}

static void sink_failed(struct output *o, const char *err, size_t lost, bool *failed_logged)
{
	atomic_fetch_add(&o->errors, 1);
	atomic_fetch_add(&o->dropped, lost);
	o->sink.ops->close(&o->sink);
	pthread_mutex_lock(&o->mu);
	atomic_store(&o->up, false);
	pthread_cond_broadcast(&o->space_cv); /* a waiting producer drops instead */
	pthread_mutex_unlock(&o->mu);
	if (!*failed_logged)
		log_error("output %s: %s (%zu records dropped; retrying every second)",
			  o->conf.name, err, lost);
	*failed_logged = true;
}

static void do_reopen(struct output *o, bool *failed_logged)
{
	char err[512] = "";
	int rc = 0;

	if (o->sink.ops->reopen && atomic_load(&o->up)) {
		rc = o->sink.ops->reopen(&o->sink, err, sizeof(err));
		if (rc < 0)
			sink_failed(o, err, 0, failed_logged);
	}
	pthread_mutex_lock(&o->mu);
	o->reopen_req = false;
	o->reopen_rc = rc;
	o->reopen_gen++;
	pthread_cond_broadcast(&o->done_cv);
	pthread_mutex_unlock(&o->mu);
}

static void send_batch(struct output *o, bool *failed_logged)
{
	char err[512] = "";
	struct qbuf *q = &o->sending;

	if (o->sink.ops->send(&o->sink, q->p, q->len, q->lines, err, sizeof(err)) == 0)
		atomic_fetch_add(&o->written, q->lines);
	else
		sink_failed(o, err, q->lines, failed_logged);
	q->len = 0;
	q->lines = 0;
}

static void do_tick(struct output *o, bool *failed_logged)
{
	char err[512] = "";

	if (o->sink.ops->tick && atomic_load(&o->up) &&
	    o->sink.ops->tick(&o->sink, (int64_t)time(NULL), err, sizeof(err)) < 0)
		sink_failed(o, err, 0, failed_logged);
}

/* Take `pending` when there is something to send and the sink is up.
 * Called and returns with the mutex held. */
static bool take_batch(struct output *o)
{
	struct qbuf t;

	if (!o->pending.len || !atomic_load(&o->up))
		return false;
	t = o->sending;
	o->sending = o->pending;
	o->pending = t;
	o->busy = true;
	pthread_cond_broadcast(&o->space_cv);
	return true;
}

static void *output_main(void *arg)
{
	struct output *o = arg;
	bool failed_logged = false;
	int64_t next_open = 0, next_tick = 0;

	for (;;) {
		int64_t now = mono_ms();
		bool retry = atomic_exchange(&o->retry_now, false);

		if (!atomic_load(&o->up) && (now >= next_open || retry)) {
			try_open(o, &failed_logged);
			next_open = now + 1000;
		}
		if (now >= next_tick) {
			do_tick(o, &failed_logged);
			next_tick = now + 1000;
		}
		pthread_mutex_lock(&o->mu);
		if (o->reopen_req) {
			pthread_mutex_unlock(&o->mu);
			do_reopen(o, &failed_logged);
			continue;
		}
		if (take_batch(o)) {
			pthread_mutex_unlock(&o->mu);
			send_batch(o, &failed_logged);
			pthread_mutex_lock(&o->mu);
			o->busy = false;
			pthread_cond_broadcast(&o->done_cv);
			pthread_mutex_unlock(&o->mu);
			continue;
		}
		if (o->stop) {
			pthread_mutex_unlock(&o->mu);
			break;
		}
		/* Nothing to send, or the sink is down: wait for lines, a
		 * request, the next tick or the next attempt to open. */
		pthread_cond_broadcast(&o->done_cv);
		timed_wait(&o->data_cv, &o->mu, atomic_load(&o->up) ? 1000 : 200);
		pthread_mutex_unlock(&o->mu);
	}
	return NULL;
}

/* --------------------------------------------------------------- set */

static void output_free(struct output *o)
{
	if (o->started) {
		pthread_mutex_destroy(&o->mu);
		pthread_cond_destroy(&o->data_cv);
		pthread_cond_destroy(&o->space_cv);
		pthread_cond_destroy(&o->done_cv);
	}
	sink_fini(&o->sink);
	output_conf_free(&o->conf);
	free(o->pending.p);
	free(o->sending.p);
}

static int output_start(struct output *o, const struct output_conf *c, const char *log_dir,
			char *err, size_t errlen)
{
	if (conf_copy(&o->conf, c) < 0) {
		snprintf(err, errlen, "outputs: out of memory");
		return -1;
	}
	if (o->conf.queue_size < OUTPUT_QUEUE_MIN)
		o->conf.queue_size = OUTPUT_QUEUE_MIN;
	if (sink_init(&o->sink, &o->conf, log_dir, err, errlen) < 0)
		return -1;
	/* A file that cannot be opened is a configuration error; a socket
	 * peer that is not there yet is retried by the thread. */
	if (c->sink == SINK_FILE) {
		if (o->sink.ops->open(&o->sink, err, errlen) < 0)
			return -1;
		atomic_store(&o->up, true);
	}
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->data_cv, NULL);
	pthread_cond_init(&o->space_cv, NULL);
	pthread_cond_init(&o->done_cv, NULL);
	o->started = true;
	if (pthread_create(&o->thread, NULL, output_main, o) != 0) {
		snprintf(err, errlen, "output %s: cannot start its thread", c->name);
		return -1;
	}
	o->running = true;
	return 0;
}

/* Worth waiting for: the sink is up, or down with fewer than two tries
 * to open it since `tries0`. */
static bool may_still_send(struct output *o, unsigned tries0)
{
	return atomic_load(&o->up) || atomic_load(&o->open_tries) - tries0 < 2;
}

static void output_stop(struct output *o, int drain_ms)
{
	int64_t until = mono_ms() + drain_ms;
	unsigned tries0;

	if (!o->running)
		return;
	pthread_mutex_lock(&o->mu);
	tries0 = atomic_load(&o->open_tries);
	atomic_store(&o->retry_now, true);
	pthread_cond_signal(&o->data_cv);
	while ((o->pending.len || o->busy) && may_still_send(o, tries0) && mono_ms() < until)
		timed_wait(&o->done_cv, &o->mu, 50);
	o->stop = true;
	/* Whatever is still queued now cannot be sent. */
	atomic_fetch_add(&o->dropped, o->pending.lines);
	o->pending.len = o->pending.lines = 0;
	pthread_cond_broadcast(&o->data_cv);
	pthread_cond_broadcast(&o->space_cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->thread, NULL);
	o->running = false;
	o->sink.ops->close(&o->sink);
	if (atomic_load(&o->dropped))
		log_warn("output %s: %llu records written, %llu dropped (%s)", o->conf.name,
			 (unsigned long long)atomic_load(&o->written),
			 (unsigned long long)atomic_load(&o->dropped), o->sink.target);
}

struct output_set *output_set_open(const struct output_conf *confs, size_t n, const char *log_dir,
				   char *err, size_t errlen)
{
	struct output_set *s = calloc(1, sizeof(*s));

	if (!s || !(s->o = calloc(n ? n : 1, sizeof(*s->o)))) {
		snprintf(err, errlen, "outputs: out of memory");
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!confs[i].enabled)
			continue;
		if (output_start(&s->o[s->n], &confs[i], log_dir, err, errlen) < 0) {
			output_stop(&s->o[s->n], 0);
			output_free(&s->o[s->n]);
			output_set_close(s, 0);
			return NULL;
		}
		if (confs[i].n_types)
			s->route = true;
		s->n++;
	}
	return s;
}

void output_set_close(struct output_set *s, int drain_ms)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		output_stop(&s->o[i], drain_ms);
	for (size_t i = 0; i < s->n; i++)
		output_free(&s->o[i]);
	free(s->o);
	free(s);
}

void output_set_offline(struct output_set *s, bool offline)
{
	for (size_t i = 0; s && i < s->n; i++) {
		pthread_mutex_lock(&s->o[i].mu);
		s->o[i].offline = offline;
		pthread_cond_broadcast(&s->o[i].space_cv);
		pthread_mutex_unlock(&s->o[i].mu);
	}
}

int output_set_reopen(struct output_set *s)
{
	int rc = 0;

	for (size_t i = 0; s && i < s->n; i++) {
		struct output *o = &s->o[i];
		unsigned gen;

		pthread_mutex_lock(&o->mu);
		gen = o->reopen_gen;
		o->reopen_req = true;
		pthread_cond_signal(&o->data_cv);
		while (o->reopen_gen == gen)
			pthread_cond_wait(&o->done_cv, &o->mu);
		if (o->reopen_rc < 0)
			rc = -1;
		pthread_mutex_unlock(&o->mu);
	}
	return rc;
}

bool output_set_drain(struct output_set *s, int timeout_ms)
{
	int64_t until = mono_ms() + timeout_ms;
	bool ok = true;

	for (size_t i = 0; s && i < s->n; i++) {
		struct output *o = &s->o[i];

		pthread_mutex_lock(&o->mu);
		while ((o->pending.len || o->busy) && atomic_load(&o->up) && mono_ms() < until)
			timed_wait(&o->done_cv, &o->mu, 20);
		if (o->pending.len || o->busy)
			ok = false;
		pthread_mutex_unlock(&o->mu);
	}
	return ok;
}

void output_set_stats(const struct output_set *s, struct jbuf *j, const char *key)
{
	if (!s || !s->n)
		return;
	jbuf_open_object(j, key);
	for (size_t i = 0; i < s->n; i++) {
		struct output_counters c;

		output_set_counters(s, i, &c);
		jbuf_open_object(j, s->o[i].conf.name);
		jbuf_u64(j, "written", c.written);
		jbuf_u64(j, "dropped", c.dropped);
		jbuf_u64(j, "errors", c.errors);
		jbuf_close_object(j);
	}
	jbuf_close_object(j);
}

bool output_set_counters(const struct output_set *s, size_t i, struct output_counters *out)
{
	struct output *o;

	if (!s || i >= s->n)
		return false;
	o = &s->o[i];
	out->written = atomic_load(&o->written);
	out->dropped = atomic_load(&o->dropped);
	out->errors = atomic_load(&o->errors);
	out->up = atomic_load(&o->up);
	return true;
}

size_t output_set_count(const struct output_set *s)
{
	return s ? s->n : 0;
}

const char *output_set_name(const struct output_set *s, size_t i)
{
	return s && i < s->n ? s->o[i].conf.name : NULL;
}

const char *output_set_target(const struct output_set *s, size_t i)
{
	return s && i < s->n ? s->o[i].sink.target : NULL;
}
