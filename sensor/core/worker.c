/*
 * worker.c - the packet path of one worker thread (see worker.h).
 *
 * For each frame: decode into the worker's one struct packet (reused, so
 * nothing is allocated), account it to its flow, hand it to each plugin in
 * config order. Time advances with the packets: once per second of packet
 * time the worker expires idle flows, ticks the plugins and writes its EVE
 * buffer out.
 *
 * Everything here runs on the worker's own thread, except worker_new and
 * worker_free, which run on the thread that starts and joins the worker.
 * This file also holds the services table: every slot that takes a struct
 * ids_thread is called by a plugin on that worker's thread.
 */
#include "core/worker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_pcap.h"
#include "core/config.h"
#include "core/log.h"
#include "core/plugin_loader.h"
#include "detect/matcher.h"
#include "flow/flow.h"
#include "output/eve.h"

#define USEC_PER_SEC INT64_C(1000000)

/* ------------------------------------------------------------ services */

static void svc_log(enum ids_log_level level, const char *fmt, ...)
{
	char line[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg((enum log_level)level, "%s", line);
}

static void svc_alert(struct ids_thread *thr, const struct ids_packet *pkt,
		      const struct ids_rule *rule)
{
	eve_alert(thr->eve, pkt, rule, thr->in_iface);
	thr->alerts++;
	if (thr->cur_flow)
		thr->cur_flow->alerted = 1;
}

static unsigned svc_scan(struct ids_thread *thr, const struct ids_matcher *m,
			 const struct ids_packet *pkt, const uint8_t *buf, size_t len,
			 ids_match_fn cb, void *ctx)
{
	return matcher_scan(thr->mt, m, pkt, buf, len, cb, ctx);
}

static unsigned svc_thread_index(const struct ids_thread *thr)
{
	return thr->index;
}

const struct ids_services sensor_services = {
	.struct_size = sizeof(struct ids_services),
	.log = svc_log,
	.alert = svc_alert,
	.matcher_compile = matcher_compile,
	.matcher_free = matcher_free,
	.matcher_scan = svc_scan,
	.thread_index = svc_thread_index,
};

/* ------------------------------------------------------------- worker */

struct ids_thread *worker_new(unsigned index, const struct sensor_config *cfg,
			      const struct plugin_set *plugins, struct eve_writer *eve)
{
	struct ids_thread *w = calloc(1, sizeof(*w));

	if (!w)
		goto fail;
	w->index = index;
	w->plugins = plugins;
	w->plugin_ctx = calloc(plugins->n ? plugins->n : 1, sizeof(void *));
	w->flows = flow_table_new(&cfg->flow);
	w->mt = matcher_thread_new();
	w->eve = eve_thread_new(eve);
	if (!w->plugin_ctx || !w->flows || !w->mt || !w->eve)
		goto fail;
	for (size_t i = 0; i < plugins->n; i++) {
		const struct loaded_plugin *lp = &plugins->p[i];

		if (lp->desc->thread_init &&
		    lp->desc->thread_init(lp->global, w, &w->plugin_ctx[i]) != 0) {
			log_error("plugin '%s' failed to start worker %u", lp->desc->name, index);
			goto fail;
		}
		w->n_ctx_inited = i + 1;
	}
	return w;
fail:
	if (!w || !w->plugin_ctx || !w->flows || !w->mt || !w->eve)
		log_error("worker %u: out of memory", index);
	worker_free(w);
	return NULL;
}

static void worker_tick(struct ids_thread *w, int64_t now)
{
	const struct plugin_set *ps = w->plugins;

	flow_table_expire(w->flows, now, NULL, NULL);
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].desc->tick)
			ps->p[i].desc->tick(w->plugin_ctx[i], w, now);
	eve_thread_flush(w->eve);
	w->next_tick_usec = now + USEC_PER_SEC;
}

void worker_process(struct ids_thread *w, const struct capture_frame *f)
{
	const struct plugin_set *ps = w->plugins;
	struct packet *p = &w->pkt;

	if (w->first_usec == 0)
		w->first_usec = f->ts_usec;
	if (f->ts_usec > w->last_usec)
		w->last_usec = f->ts_usec;
	if (w->last_usec >= w->next_tick_usec)
		worker_tick(w, w->last_usec);
	if (decode_frame(p, f->linktype, f->data, f->caplen, f->wirelen, f->ts_usec, f->pcap_cnt,
			 &w->dstats) != 0)
		return;
	w->cur_flow = p->is_fragment ? NULL : flow_table_update(w->flows, p);
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].desc->on_packet)
			ps->p[i].desc->on_packet(w->plugin_ctx[i], w, &p->pub);
	w->cur_flow = NULL;
}

void worker_finish(struct ids_thread *w)
{
	const struct plugin_set *ps = w->plugins;

	flow_table_flush(w->flows, NULL, NULL);
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].desc->tick)
			ps->p[i].desc->tick(w->plugin_ctx[i], w, w->last_usec);
	eve_thread_flush(w->eve);
}

void worker_free(struct ids_thread *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_ctx_inited; i++) {
		const struct ids_plugin *desc = w->plugins->p[i].desc;

		if (desc->thread_fini)
			desc->thread_fini(w->plugin_ctx[i]);
	}
	free(w->plugin_ctx);
	eve_thread_free(w->eve);
	matcher_thread_free(w->mt);
	flow_table_free(w->flows);
	free(w);
}
