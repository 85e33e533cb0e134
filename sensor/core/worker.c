/*
 * worker.c - the packet path of one worker thread (see worker.h).
 *
 * For each frame: decode into the worker's one struct packet (reused, so
 * nothing is allocated); a fragment goes to the defragmenter and, when it
 * completes a datagram, the datagram is decoded in its place (pkt_src
 * "defrag"); the packet is accounted to its flow and handed to each
 * plugin's on_packet in config order; a TCP packet then goes to stream
 * reassembly, whose in-order data reaches each plugin's on_stream as a
 * packet of its own (pkt_src "stream", carrying the segment's capture time
 * and number). Decoder, defrag and stream anomalies become EVE `anomaly`
 * records. With checksum validation on, a packet with a bad checksum is
 * still seen by on_packet but never used for defragmentation or
 * reassembly, as the destination host would drop it. `auto` (the
 * default) validates while most checksums a worker has seen are good and
 * stops while most are bad (checksum offloading), deciding for good after
 * 1000 checksums (csum_auto).
 *
 * A tunnelled frame is decoded to its innermost packet; before that packet,
 * the outer packet of an IP-level tunnel (IP-in-IP, GRE) goes to the
 * plugins' on_packet as a packet of its own (inspect_outer: a copy in
 * w->outer, a flow of its own for IP-in-IP only, as Suricata; no payload,
 * no reassembly, not counted again by the decoder).
 *
 * A flow ends (timeout, eviction, end of capture) through worker_flow_end:
 * its stream is flushed (unacknowledged data too), the stream matchers'
 * state is released, plugins' on_flow_end runs and the EVE `flow` record is
 * written.
 *
 * Time advances with the packets: once per second of packet time the
 * worker expires idle flows and datagrams, ticks the plugins and writes its
 * EVE buffer out.
 *
 * Everything here runs on the worker's own thread, except worker_new and
 * worker_free, which run on the thread that starts and joins the worker,
 * and the stream-matcher registry, written on the main thread while
 * plugins compile (before any worker exists) and only read afterwards.
 * This file also holds the services table: every slot that takes a struct
 * ids_thread is called by a plugin on that worker's thread.
 */
#include "core/worker.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_detect.h"
#include "capture/capture_live.h"
#include "capture/capture_pcap.h"
#include "core/config.h"
#include "core/crash.h"
#include "base/log.h"
#include "core/plugin_loader.h"
#include "defrag/defrag.h"
#include "detect/matcher.h"
#include "detect/rule_event.h"
#include "detect/rules.h"
#include "flow/flow.h"
#include "output/eve.h"
#include "output/eve_json.h"
#include "output/json.h"
#include "stream/stream_tcp.h"

#define USEC_PER_SEC INT64_C(1000000)

/* The rule generation whose plugins are being initialised (main thread):
 * the stream matchers they compile are registered in it, and a flow keeps,
 * per matcher and direction, the matcher's state in
 * f->mstreams[slot * 2 + direction] of its worker's generation. */
static struct plugin_set *compiling;

void worker_compiling(struct plugin_set *set)
{
	compiling = set;
}

/* ------------------------------------------------------------ services */

/* Plugins log their end-of-run counters in thread_fini; at a reload the
 * old generation's are not the end of the run: only errors pass then. */
static _Thread_local bool quiet_plugin_logs;

__attribute__((format(printf, 2, 3))) static void svc_log(enum ids_log_level level, const char *fmt,
							  ...)
{
	char line[900];
	va_list ap;

	if (quiet_plugin_logs && level != IDS_LOG_ERROR)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* warnings and errors may come per packet: one line per format per interval */
	if (level == IDS_LOG_ERROR || level == IDS_LOG_WARN)
		log_rate(fmt, (enum log_level)level, "%s", line);
	else
		log_msg((enum log_level)level, "%s", line);
}

static const char *flow_app(const struct flow *f)
{
	return f ? app_proto_name((enum app_proto)f->app_proto) : NULL;
}

static void flow_info(struct ids_flow_info *fi, const struct flow *f);

/* An alert with its flow so far and, when tx_id >= 0, its transaction. */
static void alert_tx(struct ids_thread *thr, const struct ids_packet *pkt,
		     const struct ids_rule *rule, const char *fields, int64_t tx_id)
{
	struct ids_flow_info fi;
	struct eve_alert_input in = {pkt,    rule, thr->in_iface, flow_app(thr->cur_flow),
				     fields, NULL, tx_id};

	/* a rule on a plugin's event with patterns: only where it was raised */
	if (!rule_event_gate(thr->cur_flow, rule, tx_id))
		return;
	if (!rule_alert_filter(&thr->rule_filter, thr->cur_flow, pkt, rule))
		return;
	if (thr->cur_flow) {
		flow_info(&fi, thr->cur_flow);
		in.flow = &fi;
	}
	eve_alert_record(thr->eve, &in);
	thr->alerts++;
	if (thr->cur_plugin < WORKER_MAX_PLUGIN_COUNTERS)
		thr->plugin_alerts[thr->cur_plugin]++;
	if (thr->cur_flow)
		thr->cur_flow->alerted = 1;
}

static void svc_alert_fields(struct ids_thread *thr, const struct ids_packet *pkt,
			     const struct ids_rule *rule, const char *fields)
{
	alert_tx(thr, pkt, rule, fields, -1);
}

static void svc_alert(struct ids_thread *thr, const struct ids_packet *pkt,
		      const struct ids_rule *rule)
{
	svc_alert_fields(thr, pkt, rule, NULL);
}

static void svc_alert_tx(struct ids_thread *thr, const struct ids_packet *pkt,
			 const struct ids_rule *rule, const char *fields, int64_t tx_id)
{
	alert_tx(thr, pkt, rule, fields, tx_id < 0 ? -1 : tx_id);
}

/* A plugin's record about `pkt`, oriented as its flow (client to server)
 * when it has one. */
static struct ids_json *svc_record_begin(struct ids_thread *thr, const struct ids_packet *pkt,
					 const char *type, int64_t tx_id)
{
	struct ids_flow_info fi;
	struct eve_record_input in = {0};

	if (!pkt || !eve_record_wanted(thr->eve, type))
		return NULL;
	in.ts_usec = pkt->ts_usec;
	in.flow_id = pkt->flow_id;
	in.src = &pkt->src;
	in.dst = &pkt->dst;
	in.sport = pkt->sport;
	in.dport = pkt->dport;
	in.proto = pkt->proto;
	in.icmp_type = pkt->icmp_type;
	in.icmp_code = pkt->icmp_code;
	if (thr->cur_flow) {
		flow_info(&fi, thr->cur_flow);
		in.src = &fi.client;
		in.dst = &fi.server;
		in.sport = fi.client_port;
		in.dport = fi.server_port;
		in.icmp_type = thr->cur_flow->icmp_type;
		in.icmp_code = thr->cur_flow->icmp_code;
	}
	in.vlan = pkt->vlan;
	in.vlan_count = pkt->vlan_count;
	in.in_iface = thr->in_iface;
	in.type = type;
	in.tx_id = tx_id < 0 ? -1 : tx_id;
	return eve_record_begin(thr->eve, &in);
}

static void svc_record_end(struct ids_thread *thr, struct ids_json *j)
{
	eve_record_end(thr->eve, j);
}

static void svc_counter_add(struct ids_thread *thr, int id, uint64_t n)
{
	if (id >= 0 && id < IDS_MAX_COUNTERS && thr->cur_plugin < WORKER_MAX_PLUGIN_COUNTERS)
		thr->plugin_counters[thr->cur_plugin][id] += n;
}

static const char *svc_app_proto(struct ids_thread *thr)
{
	return flow_app(thr->cur_flow);
}

/* The calling plugin's slot in the current flow. Once per flow a plugin
 * stores data in, not per packet. */
static void **svc_flow_data(struct ids_thread *thr)
{
	struct flow *f = thr->cur_flow;

	if (!f)
		return NULL;
	if (!f->plugin_data && thr->ending)
		return NULL; /* nothing was stored: nothing to free, nothing to make */
	if (!f->plugin_data) {
		f->plugin_data = calloc(thr->plugins->n ? thr->plugins->n : 1, sizeof(void *));
		if (!f->plugin_data)
			return NULL;
	}
	return &f->plugin_data[thr->cur_plugin];
}

static unsigned svc_scan(struct ids_thread *thr, const struct ids_matcher *m,
			 const struct ids_packet *pkt, const uint8_t *buf, size_t len,
			 ids_match_fn cb, void *ctx)
{
	return matcher_scan(thr->mt, m, pkt, buf, len, cb, ctx);
}

static unsigned svc_tx_scan(struct ids_thread *thr, const struct ids_matcher *m,
			    const struct ids_packet *pkt, const struct ids_tx_buffer *bufs,
			    size_t n, ids_match_fn cb, void *ctx)
{
	return matcher_tx_scan(thr->mt, m, pkt, bufs, n, cb, ctx);
}

static unsigned svc_thread_index(const struct ids_thread *thr)
{
	return thr->index;
}

/* Main thread, from a plugin's init. */
static struct ids_matcher *svc_compile_stream(const struct ids_rule *const *rules, size_t n,
					      char *err, size_t errlen)
{
	struct ids_matcher *m;

	if (!compiling || compiling->n_stream_matchers == PLUGIN_MAX_STREAM_MATCHERS) {
		snprintf(err, errlen, "at most %d stream matchers can be compiled",
			 PLUGIN_MAX_STREAM_MATCHERS);
		return NULL;
	}
	m = matcher_compile_stream(rules, n, err, errlen);
	if (m)
		compiling->stream_matchers[compiling->n_stream_matchers++] = m;
	return m;
}

static int stream_slot(const struct plugin_set *ps, const struct ids_matcher *m)
{
	for (unsigned i = 0; i < ps->n_stream_matchers; i++)
		if (ps->stream_matchers[i] == m)
			return (int)i;
	return -1;
}

/* The matcher state of `slot` for one direction of the current flow. */
static struct matcher_stream **stream_state(const struct plugin_set *ps, struct flow *f, int slot,
					    unsigned dir)
{
	if (!f->mstreams) {
		/* Once per flow that carries stream data, not per packet. */
		f->mstreams = calloc(2 * (size_t)ps->n_stream_matchers, sizeof(void *));
		if (!f->mstreams)
			return NULL;
	}
	return (struct matcher_stream **)&f->mstreams[slot * 2 + (dir & 1)];
}

static unsigned svc_stream_scan(struct ids_thread *thr, const struct ids_matcher *m,
				const struct ids_packet *pkt, const struct ids_stream_chunk *chunk,
				ids_match_fn cb, void *ctx)
{
	struct matcher_stream **ms;
	int slot = stream_slot(thr->plugins, m);
	unsigned n;

	if (slot < 0 || !thr->cur_flow || !chunk)
		return 0;
	ms = stream_state(thr->plugins, thr->cur_flow, slot, chunk->direction);
	if (!ms)
		return 0;
	n = matcher_stream_scan(thr->mt, m, ms, pkt, chunk, cb, ctx);
	if (chunk->flags & IDS_STREAM_END)
		n += matcher_stream_close(thr->mt, m, ms, pkt, cb, ctx);
	return n;
}

static void svc_app_event(struct ids_thread *thr, const struct ids_packet *pkt, unsigned event,
			  int64_t tx_id);

const struct ids_services sensor_services = {
	.struct_size = sizeof(struct ids_services),
	.log = svc_log,
	.alert = svc_alert,
	.matcher_compile = matcher_compile,
	.matcher_free = matcher_free,
	.matcher_scan = svc_scan,
	.thread_index = svc_thread_index,
	.matcher_compile_stream = svc_compile_stream,
	.matcher_stream_scan = svc_stream_scan,
	.flow_data = svc_flow_data,
	.alert_fields = svc_alert_fields,
	.app_proto = svc_app_proto,
	.json_escape = json_escape,
	.record_begin = svc_record_begin,
	.record_end = svc_record_end,
	.json = &eve_json_ops,
	.alert_tx = svc_alert_tx,
	.counter_register = plugin_counter_register,
	.counter_add = svc_counter_add,
	.matcher_compile_tx = matcher_compile_tx,
	.matcher_tx_scan = svc_tx_scan,
	.matcher_compile_tx_single = matcher_compile_tx_single,
	.app_event = svc_app_event,
};

/* ----------------------------------------------------------- anomalies */

/* The anomaly rules of this generation on `event` (detect/rule_event.h)
 * whose header accepts `p` alert, as part of flow `f` (NULL: none) and
 * transaction tx_id (-1: none). An anomaly without a packet fires no
 * rule. */
static void fire_event_rules(struct ids_thread *w, const char *event, const struct ids_packet *p,
			     struct flow *f, int64_t tx_id)
{
	struct rule *const *rules;
	struct flow *saved = w->cur_flow;
	size_t saved_plugin = w->cur_plugin, n;

	if (!p || !(n = rule_events_find(w->plugins->events, event, &rules)))
		return;
	w->cur_flow = f;
	w->cur_plugin = WORKER_MAX_PLUGIN_COUNTERS; /* no plugin's alert */
	for (size_t i = 0; i < n; i++)
		if (rule_header_match(rules[i], p))
			alert_tx(w, p, &rules[i]->pub, NULL, tx_id);
	w->cur_flow = saved;
	w->cur_plugin = saved_plugin;
}

/* An anomaly: its EVE record, then the rules on it. */
static void raise_anomaly(struct ids_thread *w, int64_t ts_usec, const struct ids_packet *p,
			  const char *type, const char *event, struct flow *f)
{
	eve_anomaly(w->eve, ts_usec, p, type, event, w->in_iface);
	fire_event_rules(w, event, p, f, -1);
}

/*
 * A plugin's app-layer event (the app_event service): counted as the
 * plugin's counter of that event, kept on the flow for the rules that
 * combine it with patterns (rule_event_gate), written as an EVE anomaly
 * (layer proto_parser, as Suricata's parsers' events) and the rules on the
 * event alone fired. The calling plugin is thr->cur_plugin.
 */
static void svc_app_event(struct ids_thread *thr, const struct ids_packet *pkt, unsigned event,
			  int64_t tx_id)
{
	size_t pi = thr->cur_plugin;
	const struct loaded_plugin *lp;
	struct eve_app_anomaly a;
	char proto[32];

	if (!pkt || pi >= thr->plugins->n || event >= thr->plugins->p[pi].n_events)
		return;
	lp = &thr->plugins->p[pi];
	tx_id = tx_id < 0 ? -1 : tx_id;
	if (lp->event_counter[event] >= 0 && pi < WORKER_MAX_PLUGIN_COUNTERS)
		thr->plugin_counters[pi][lp->event_counter[event]]++;
	rule_event_record(thr->cur_flow, lp->ev_base + event + 1, tx_id);
	/* the flow's protocol, else the event's ("http.x": http) */
	snprintf(proto, sizeof(proto), "%.*s", (int)strcspn(lp->events[event].name, "."),
		 lp->events[event].name);
	a = (struct eve_app_anomaly){lp->events[event].name, "proto_parser",
				     flow_app(thr->cur_flow) ? flow_app(thr->cur_flow) : proto,
				     tx_id};
	eve_anomaly_app(thr->eve, pkt, &a, thr->in_iface);
	fire_event_rules(thr, lp->events[event].name, pkt, thr->cur_flow, tx_id);
}

/* What is sure about a frame that did not decode: its time and number,
 * and, when it was dropped in its transport header (p->l3_ok), its IP
 * layer (addresses, protocol; no ports, no payload), as Suricata's records
 * of such packets have it. */
static void undecoded_view(struct ids_packet *v, const struct packet *p)
{
	memset(v, 0, sizeof(*v));
	if (p->l3_ok) {
		v->ip_version = p->pub.ip_version;
		v->src = p->pub.src;
		v->dst = p->pub.dst;
		v->proto = p->pub.proto;
		v->ttl = p->pub.ttl;
		v->vlan_count = p->pub.vlan_count;
		memcpy(v->vlan, p->pub.vlan, sizeof(v->vlan));
		v->pkt_src = p->pub.pkt_src;
		v->tunnel = p->pub.tunnel;
	}
	v->ts_usec = p->pub.ts_usec;
	v->pcap_cnt = p->pub.pcap_cnt;
}

/* Each decoder event of p: an anomaly record, then the rules on it. */
static void decode_anomaly(struct ids_thread *w, const struct packet *p, bool decoded)
{
	struct ids_packet bare;

	if (!decoded)
		undecoded_view(&bare, p);
	for (unsigned i = 0; i < p->n_events; i++) {
		const char *name = decode_event_name((enum decode_event)p->events[i]);
		char event[80];

		/* decoder.unknown_link_type and decoder.too_many_layers carry their group */
		snprintf(event, sizeof(event), "%s%s",
			 strncmp(name, "decoder.", 8) ? "decoder." : "", name);
		if (decoded)
			raise_anomaly(w, p->pub.ts_usec, &p->pub, "decode", event, w->cur_flow);
		else
			raise_anomaly(w, p->pub.ts_usec, &bare, "decode", event, NULL);
	}
}

/* Timeouts and memcap drops (no packet of their own) come in floods: one
 * record per kind per second of packet time; the stats count them all. */
static bool defrag_event_limited(struct ids_thread *w, enum defrag_event ev)
{
	if ((unsigned)ev >= WORKER_DEFRAG_EV_SLOTS)
		return false;
	if (w->last_usec < w->defrag_ev_next_usec[ev])
		return true;
	w->defrag_ev_next_usec[ev] = w->last_usec + USEC_PER_SEC;
	return false;
}

static void on_defrag_event(void *ctx, enum defrag_event ev, int family, const struct packet *p)
{
	struct ids_thread *w = ctx;
	char event[80];

	if (!p && defrag_event_limited(w, ev))
		return;

	snprintf(event, sizeof(event), "decoder.%s.%s", family == 6 ? "ipv6" : "ipv4",
		 defrag_event_name(ev));
	raise_anomaly(w, w->last_usec, p ? &p->pub : NULL, "decode", event, NULL);
}

static void on_stream_event(void *ctx, struct flow *f, enum stream_event ev, const struct packet *p)
{
	struct ids_thread *w = ctx;

	raise_anomaly(w, w->last_usec, p ? &p->pub : NULL, "stream", stream_event_name(ev), f);
}

/* ------------------------------------------------------------- streams */

/* Look at a flow's first data (each direction's first stream chunk, or a
 * UDP flow's first datagrams) for its application protocol; give up after
 * a few tries. */
#define APP_MAX_TRIES 4

static void detect_app(struct flow *f, const uint8_t *data, uint32_t len, uint8_t ip_proto, int dir)
{
	enum app_proto a = app_detect(data, len, ip_proto, dir == IDS_DIR_TO_SERVER);

	if (a == APP_NEED_MORE && ++f->app_tries < APP_MAX_TRIES)
		return;
	if (a == APP_UNKNOWN && ++f->app_tries < APP_MAX_TRIES)
		return; /* the other direction may still tell */
	f->app_proto = (uint8_t)(a == APP_NEED_MORE ? APP_UNKNOWN : a);
	if (a != APP_NEED_MORE && a != APP_UNKNOWN)
		f->app_dir = (uint8_t)(1 + dir);
}

/* Protocols recognised from text commands share words (a POP3 client's
 * USER reads as FTP): two of them are no mismatch. */
static bool app_text_proto(enum app_proto a)
{
	return a == APP_SMTP || a == APP_FTP || a == APP_IMAP || a == APP_POP3;
}

/* applayer.mismatch_protocol_both_directions on flow f: layer
 * proto_detect, the protocol the flow keeps. */
static void mismatch_anomaly(struct ids_thread *w, const struct ids_packet *p, struct flow *f)
{
	const char *ev = app_event_name(APP_EV_MISMATCH_BOTH_DIRECTIONS);
	struct eve_app_anomaly a = {ev, "proto_detect", flow_app(f), -1};

	eve_anomaly_app(w->eve, p, &a, w->in_iface);
	fire_event_rules(w, ev, p, f, -1);
}

/*
 * After the protocol was recognised in one direction, the other
 * direction's first data is looked at once: recognised as another protocol,
 * it raises applayer.mismatch_protocol_both_directions (Suricata's event;
 * the flow keeps the first protocol). `p` is the packet carrying the data.
 */
static void check_app_other(struct ids_thread *w, struct flow *f, const uint8_t *data, uint32_t len,
			    uint8_t ip_proto, int dir, const struct ids_packet *p)
{
	enum app_proto a;

	if (!f->app_dir || f->app_other_seen || f->app_dir == 1 + dir || !len)
		return;
	f->app_other_seen = 1;
	a = app_detect(data, len, ip_proto, dir == IDS_DIR_TO_SERVER);
	if (a == APP_NEED_MORE || a == APP_UNKNOWN || a == (enum app_proto)f->app_proto ||
	    (app_text_proto(a) && app_text_proto((enum app_proto)f->app_proto)))
		return;
	mismatch_anomaly(w, p, f);
}

/* The packet a stream chunk is handed to plugins as: the flow's endpoints
 * in the direction of the data, the segment's time and number. */
static void stream_packet(struct ids_packet *sp, const struct flow *f, int dir, int64_t ts_usec,
			  uint64_t pcap_cnt, const uint8_t *data, uint32_t len)
{
	unsigned from = dir == IDS_DIR_TO_SERVER ? f->client_side : f->client_side ^ 1u;

	memset(sp, 0, sizeof(*sp));
	sp->ts_usec = ts_usec;
	sp->pcap_cnt = pcap_cnt;
	sp->flow_id = f->flow_id;
	sp->payload = data;
	sp->payload_len = len;
	sp->src.family = sp->dst.family = f->key.family;
	memcpy(sp->src.bytes, f->key.addr[from], 16);
	memcpy(sp->dst.bytes, f->key.addr[from ^ 1], 16);
	sp->sport = f->key.port[from];
	sp->dport = f->key.port[from ^ 1];
	sp->ip_version = f->key.family;
	sp->proto = IPPROTO_TCP;
	sp->direction = (uint8_t)dir;
	sp->pkt_src = IDS_PKT_SRC_STREAM;
	for (unsigned i = 0; i < IDS_MAX_VLAN && f->key.vlan[i]; i++)
		sp->vlan[sp->vlan_count++] = f->key.vlan[i];
}

static void on_stream_data(void *ctx, struct flow *f, int dir, const uint8_t *data, uint32_t len,
			   uint64_t offset, uint32_t gap_before, int64_t ts_usec, uint64_t pcap_cnt,
			   bool end)
{
	struct ids_thread *w = ctx;
	const struct plugin_set *ps = w->plugins;
	struct flow *saved = w->cur_flow;
	struct ids_stream_chunk chunk = {
		.data = data,
		.len = len,
		.gap_before = gap_before,
		.offset = offset,
		.direction = (uint8_t)dir,
		.flags = (uint8_t)((gap_before ? IDS_STREAM_GAP : 0) | (end ? IDS_STREAM_END : 0)),
	};
	struct ids_packet sp;

	stream_packet(&sp, f, dir, ts_usec ? ts_usec : w->last_usec, pcap_cnt, data, len);
	sp.tunnel = f->tunnel;
	w->cur_flow = f;
	if (f->app_proto == APP_NONE && len)
		detect_app(f, data, len, IPPROTO_TCP, dir);
	else
		check_app_other(w, f, data, len, IPPROTO_TCP, dir, &sp);
	for (size_t i = 0; i < w->n_ctx_inited; i++) {
		if (!ps->p[i].on_stream)
			continue;
		w->cur_plugin = i;
		crash_enter(ps->p[i].desc->name, "on_stream");
		ps->p[i].on_stream(w->plugin_ctx[i], w, &sp, &chunk);
		crash_leave();
	}
	w->cur_flow = saved;
}

/* --------------------------------------------------------------- flows */

static void flow_info(struct ids_flow_info *fi, const struct flow *f)
{
	unsigned c = f->client_side;

	memset(fi, 0, sizeof(*fi));
	fi->flow_id = f->flow_id;
	fi->client.family = fi->server.family = f->key.family;
	memcpy(fi->client.bytes, f->key.addr[c], 16);
	memcpy(fi->server.bytes, f->key.addr[c ^ 1], 16);
	fi->client_port = f->key.port[c];
	fi->server_port = f->key.port[c ^ 1];
	fi->proto = f->key.proto;
	fi->end_reason = f->end_reason;
	fi->alerted = f->alerted;
	memcpy(fi->tcp_flags, f->tcp_flags, sizeof(fi->tcp_flags));
	memcpy(fi->pkts, f->pkts, sizeof(fi->pkts));
	memcpy(fi->bytes, f->bytes, sizeof(fi->bytes));
	fi->first_usec = f->first_usec;
	fi->last_usec = f->last_usec;
}

/* Stream matcher state a plugin did not close with its last chunk. */
static void release_streams(struct ids_thread *w, struct flow *f)
{
	const struct plugin_set *ps = w->plugins;

	if (!f->mstreams)
		return;
	for (unsigned s = 0; s < ps->n_stream_matchers; s++)
		for (unsigned d = 0; d < 2; d++)
			matcher_stream_close(w->mt, ps->stream_matchers[s],
					     (struct matcher_stream **)&f->mstreams[s * 2 + d],
					     NULL, NULL, NULL);
	free(f->mstreams);
	f->mstreams = NULL;
}

static void release_streams_of(struct flow *f, void *ctx)
{
	release_streams(ctx, f);
}

static void worker_flow_end(struct flow *f, enum flow_end_reason why, void *ctx)
{
	struct ids_thread *w = ctx;
	const struct plugin_set *ps = w->plugins;
	const char *tcp_state = stream_tcp_state_name(f);
	struct flow *saved;
	struct ids_flow_info fi;
	struct eve_flow_input in;

	if (f->tcp)
		stream_tcp_flow_end(w->stream, f);
	release_streams(w, f);
	flow_info(&fi, f);
	saved = w->cur_flow;
	w->cur_flow = f;
	w->ending = true;
	for (size_t i = 0; i < w->n_ctx_inited; i++) {
		if (!ps->p[i].on_flow_end)
			continue;
		w->cur_plugin = i;
		crash_enter(ps->p[i].desc->name, "on_flow_end");
		ps->p[i].on_flow_end(w->plugin_ctx[i], w, &fi);
		crash_leave();
	}
	w->ending = false;
	w->cur_flow = saved;
	free(f->plugin_data); /* each plugin freed what its slot held */
	f->plugin_data = NULL;
	rule_flow_state_free(f);
	fi.alerted = f->alerted; /* on_flow_end may have raised alerts */
	memset(&in, 0, sizeof(in));
	in.info = &fi;
	in.vlan = f->key.vlan;
	while (in.vlan_count < IDS_MAX_VLAN && f->key.vlan[in.vlan_count])
		in.vlan_count++;
	in.state = flow_state_name(f);
	in.tcp_state = tcp_state;
	in.app_proto = flow_app(f);
	in.in_iface = w->in_iface;
	if (f->lost_state)
		in.lost_state = f->lost_state == 1 + FLOW_END_EVICTED ? "evicted" : "timeout";
	in.icmp_type = f->icmp_type;
	in.icmp_code = f->icmp_code;
	eve_flow(w->eve, &in);
}

/* The flow table asks whether a TCP packet starts a new connection on a
 * flow's 5-tuple (session reuse). */
static bool worker_tcp_reuse(const struct flow *f, const struct packet *p, int dir, void *ctx)
{
	(void)ctx;
	return stream_tcp_reuse(f, p, dir);
}

static bool has_stream_data(const struct flow *f, void *ctx)
{
	(void)ctx;
	return stream_tcp_buffered(f);
}

/* The stream memcap is reached while buffering `keep`'s data: end another
 * flow holding data, in the flow table's eviction order. */
static bool on_stream_reclaim(void *ctx, struct flow *keep)
{
	struct ids_thread *w = ctx;

	return flow_table_evict_tcp(w->flows, keep, has_stream_data, NULL);
}

/* ------------------------------------------------------------- worker */

static int worker_parts(struct ids_thread *w, const struct sensor_config *cfg,
			struct eve_writer *eve)
{
	const struct stream_out out = {w, on_stream_data, on_stream_event, on_stream_reclaim};

	w->plugin_ctx = calloc(w->plugins->n ? w->plugins->n : 1, sizeof(void *));
	w->flows = flow_table_new(&cfg->flow);
	w->defrag = defrag_new(&cfg->defrag, on_defrag_event, w);
	w->stream = stream_tcp_new(&cfg->stream, &out);
	w->mt = matcher_thread_new();
	w->eve = eve_thread_new(eve);
	if (!w->plugin_ctx || !w->flows || !w->defrag || !w->stream || !w->mt || !w->eve)
		return -1;
	flow_table_set_end_cb(w->flows, worker_flow_end, w);
	flow_table_set_reuse_cb(w->flows, worker_tcp_reuse, w);
	return 0;
}

/* thread_init of every plugin of w->plugins; a plugin whose thread_init
 * fails stops the list there (later ones are not called for this
 * worker). Returns 0 or -1. */
static int plugins_thread_init(struct ids_thread *w)
{
	const struct plugin_set *ps = w->plugins;

	w->n_ctx_inited = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct loaded_plugin *lp = &ps->p[i];

		w->plugin_ctx[i] = NULL;
		crash_enter(lp->desc->name, "thread_init");
		if (lp->desc->thread_init &&
		    lp->desc->thread_init(lp->global, w, &w->plugin_ctx[i]) != 0) {
			crash_leave();
			log_error("plugin '%s' failed to start worker %u", lp->desc->name,
				  w->index);
			return -1;
		}
		crash_leave();
		w->n_ctx_inited = i + 1;
	}
	return 0;
}

static void plugins_thread_fini(struct ids_thread *w)
{
	for (size_t i = 0; i < w->n_ctx_inited; i++) {
		const struct ids_plugin *desc = w->plugins->p[i].desc;

		crash_enter(desc->name, "thread_fini");
		if (desc->thread_fini)
			desc->thread_fini(w->plugin_ctx[i]);
		crash_leave();
	}
	w->n_ctx_inited = 0;
}

struct ids_thread *worker_new(unsigned index, const struct sensor_config *cfg,
			      const struct plugin_set *plugins, struct eve_writer *eve)
{
	struct ids_thread *w = calloc(1, sizeof(*w));

	if (!w) {
		log_error("worker %u: out of memory", index);
		return NULL;
	}
	w->index = index;
	w->cfg = cfg;
	w->plugins = plugins;
	atomic_init(&w->gen_seen, plugins);
	pthread_mutex_init(&w->snap_lock, NULL);
	if (worker_parts(w, cfg, eve) < 0) {
		log_error("worker %u: out of memory", index);
		goto fail;
	}
	if (plugins_thread_init(w) < 0)
		goto fail;
	return w;
fail:
	worker_free(w);
	return NULL;
}

/*
 * Move to the rule generation the main thread published: between two
 * packets, so every packet is inspected by one complete rule set. The
 * stream-matcher state of the old generation's matchers is released (a
 * pattern spanning the reload in a stream is not found), the plugins'
 * thread contexts are rebuilt on the new globals, and the matcher scratch
 * is made anew to cover the new databases. Per-flow plugin data stays.
 */
static void worker_switch(struct ids_thread *w, const struct plugin_set *next)
{
	flow_table_foreach(w->flows, release_streams_of, w);
	quiet_plugin_logs = true;
	plugins_thread_fini(w);
	w->verify_limit_done += matcher_thread_limit_hits(w->mt);
	quiet_plugin_logs = false;
	matcher_thread_free(w->mt);
	w->mt = matcher_thread_new();
	w->plugins = next;
	atomic_store_explicit(&w->gen_seen, next, memory_order_release);
	if (!w->mt || plugins_thread_init(w) < 0)
		log_error("worker %u: rules reloaded, but a plugin could not start on them: "
			  "detection in this worker is incomplete",
			  w->index);
}

static void maybe_switch(struct ids_thread *w)
{
	const struct plugin_set *next;

	if (!w->current)
		return;
	next = atomic_load_explicit(w->current, memory_order_acquire);
	if (next && next != w->plugins)
		worker_switch(w, next);
}

void worker_counters(struct ids_thread *w, struct worker_snapshot *s)
{
	struct live_stats ls = {0, 0, 0};

	memset(s, 0, sizeof(*s));
	s->decoder = w->dstats;
	s->flow = *flow_table_stats(w->flows);
	s->stream = *stream_tcp_stats(w->stream);
	s->defrag = *defrag_stats(w->defrag);
	s->alerts = w->alerts;
	memcpy(s->plugin_alerts, w->plugin_alerts, sizeof(s->plugin_alerts));
	s->rule_filter = w->rule_filter.n;
	memcpy(s->plugin_counters, w->plugin_counters, sizeof(s->plugin_counters));
	s->csum_bad_ip = w->csum_bad_ip;
	s->csum_bad_tcp = w->csum_bad_tcp;
	s->csum_bad_other = w->csum_bad_other;
	s->csum_validation_off = w->csum_auto_off;
	if (w->live)
		live_stats(w->live, &ls);
	s->kernel_packets = ls.packets;
	s->kernel_drops = ls.drops;
	s->kernel_freezes = ls.freezes;
	s->first_usec = w->first_usec;
	s->last_usec = w->last_usec;
	s->verify_limit = w->verify_limit_done + matcher_thread_limit_hits(w->mt);
}

void worker_snapshot(struct ids_thread *w, struct worker_snapshot *s)
{
	pthread_mutex_lock(&w->snap_lock);
	*s = w->snap;
	pthread_mutex_unlock(&w->snap_lock);
}

/* Once a second of packet time: publish the counters for stats records. */
static void publish_counters(struct ids_thread *w)
{
	struct worker_snapshot s;

	worker_counters(w, &s);
	pthread_mutex_lock(&w->snap_lock);
	w->snap = s;
	pthread_mutex_unlock(&w->snap_lock);
}

static void worker_tick(struct ids_thread *w, int64_t now)
{
	const struct plugin_set *ps = w->plugins;

	flow_table_expire(w->flows, now, worker_flow_end, w);
	defrag_expire(w->defrag, now);
	for (size_t i = 0; i < w->n_ctx_inited; i++)
		if (ps->p[i].desc->tick) {
			w->cur_plugin = i;
			crash_enter(ps->p[i].desc->name, "tick");
			ps->p[i].desc->tick(w->plugin_ctx[i], w, now);
			crash_leave();
		}
	eve_thread_flush(w->eve);
	publish_counters(w);
	w->next_tick_usec = now + USEC_PER_SEC;
}

void worker_idle(struct ids_thread *w, int64_t now_usec)
{
	maybe_switch(w);
	rule_keys_bind_flow(&w->cur_flow);
	rule_keys_bind_ctx(&w->rule_filter);
	if (now_usec > w->last_usec && w->last_usec)
		w->last_usec = now_usec;
	if (w->last_usec && w->last_usec >= w->next_tick_usec)
		worker_tick(w, w->last_usec);
}

#define CSUM_AUTO_SETTLE 1000 /* checksums looked at before auto decides for good */

/*
 * checksum-validation auto: validation is off while most checksums seen so
 * far are bad (the NIC computes them after capture: offloading), on
 * otherwise, so one bad decoy in good traffic is still dropped while a
 * capture of offloaded packets is inspected from its first packet. After
 * CSUM_AUTO_SETTLE checksums the choice stays. Turning off is noted once
 * (log line; stats checksum_validation_off). Returns whether to validate.
 */
static bool csum_auto(struct ids_thread *w, bool ok)
{
	uint64_t n = w->csum_auto_good + w->csum_auto_bad;

	if (n >= CSUM_AUTO_SETTLE)
		return !w->csum_auto_off;
	if (ok)
		w->csum_auto_good++;
	else
		w->csum_auto_bad++;
	w->csum_auto_off = w->csum_auto_bad > w->csum_auto_good;
	if (w->csum_auto_off && !w->csum_auto_noted) {
		w->csum_auto_noted = true;
		log_warn("worker %u%s%s: most checksums are bad (checksum offloading?): "
			 "checksum validation off (stream.checksum-validation: auto)",
			 w->index, w->in_iface ? " on " : "", w->in_iface ? w->in_iface : "");
	}
	return !w->csum_auto_off;
}

/* What a flow keeps of its first packet: ICMP type and code. */
static void first_packet(struct flow *f, const struct ids_packet *p)
{
	f->icmp_type = p->icmp_type;
	f->icmp_code = p->icmp_code;
}

/* With validation on: may the host have accepted this packet? */
static bool checksums_ok(struct ids_thread *w, const struct packet *p)
{
	bool ip_ok, ok;

	if (w->cfg->checksum_validation == CHECKSUM_NO)
		return true;
	ip_ok = decode_ipv4_csum_ok(p);
	ok = ip_ok && (p->is_fragment || decode_l4_csum_ok(p));
	if (w->cfg->checksum_validation == CHECKSUM_AUTO && !csum_auto(w, ok))
		return true;
	if (ok)
		return true;
	if (!ip_ok)
		w->csum_bad_ip++;
	else if (p->pub.proto == IPPROTO_TCP)
		w->csum_bad_tcp++;
	else
		w->csum_bad_other++;
	return false;
}

static void inspect_outer(struct ids_thread *w, struct packet *p);

/* A fragment: 0 when it completed a datagram, now decoded in `p`. */
static int reassemble(struct ids_thread *w, struct packet *p, bool csum_ok)
{
	const uint8_t *dgram;
	uint32_t len;

	if (!csum_ok || defrag_packet(w->defrag, p, &dgram, &len) != 1)
		return -1;
	p->pub.pkt_src = IDS_PKT_SRC_DEFRAG; /* a tunnel inside says its outer layer was */
	if (decode_ip(p, dgram, len, &w->dstats) != 0) {
		if (p->last_event >= 0)
			decode_anomaly(w, p, false);
		inspect_outer(w, p);
		return -1;
	}
	inspect_outer(w, p); /* a reassembled datagram that opens a tunnel */
	p->pub.pkt_src = IDS_PKT_SRC_DEFRAG;
	return 0;
}

/* Every plugin's on_packet, in config order, on `pub` (w->cur_flow set). */
static void plugins_on_packet(struct ids_thread *w, const struct ids_packet *pub)
{
	const struct plugin_set *ps = w->plugins;

	for (size_t i = 0; i < w->n_ctx_inited; i++) {
		if (!ps->p[i].desc->on_packet)
			continue;
		w->cur_plugin = i;
		crash_enter(ps->p[i].desc->name, "on_packet");
		ps->p[i].desc->on_packet(w->plugin_ctx[i], w, pub);
		crash_leave();
	}
}

/* Does Suricata give this outer packet a flow? IP-in-IP (protocols 4 and
 * 41) yes, GRE no. */
static bool outer_has_flow(uint8_t proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6;
}

/*
 * The outer packet of an IP-level tunnel (IP-in-IP, GRE and what rides on
 * GRE) inspected as a packet of its own, as Suricata inspects a tunnel's
 * root packet: plugins' on_packet see its addresses and protocol (no
 * payload), with a flow of the outer addresses for IP-in-IP. Never
 * reassembled, never counted again by the decoder. UDP tunnels' outer
 * datagrams are not inspected (yet): docs/tunnels.md. Copies into the
 * worker's own struct, so nothing is allocated.
 */
static void inspect_outer(struct ids_thread *w, struct packet *p)
{
	struct packet *o = &w->outer;

	if (!p->has_outer)
		return;
	p->has_outer = false;
	if (p->outer.proto == IPPROTO_UDP)
		return;
	memset(o, 0, offsetof(struct packet, outer));
	o->pub = p->outer;
	o->last_event = -1;
	o->cfg = p->cfg;
	w->cur_flow = outer_has_flow(o->pub.proto) ? flow_table_update(w->flows, o) : NULL;
	if (w->cur_flow && w->cur_flow->pkts[0] + w->cur_flow->pkts[1] == 1)
		first_packet(w->cur_flow, &o->pub);
	plugins_on_packet(w, &o->pub);
	w->cur_flow = NULL;
}

void worker_process(struct ids_thread *w, const struct capture_frame *f)
{
	struct packet *p = &w->pkt;
	bool csum_ok;

	maybe_switch(w);
	rule_keys_bind_flow(&w->cur_flow);
	rule_keys_bind_ctx(&w->rule_filter);
	if (w->first_usec == 0)
		w->first_usec = f->ts_usec;
	if (f->ts_usec > w->last_usec)
		w->last_usec = f->ts_usec;
	if (w->last_usec >= w->next_tick_usec)
		worker_tick(w, w->last_usec);
	/* Timeouts at every packet's time, not only on ticks: whether a flow
	 * or datagram timed out then depends only on its own packets, not on
	 * which others share its worker (same results with 1 or N workers).
	 * Cheap: one look at the oldest entry per timeout class. */
	flow_table_expire(w->flows, w->last_usec, worker_flow_end, w);
	defrag_expire(w->defrag, w->last_usec);
	if (decode_frame_cfg(p, &w->cfg->decoder, f->linktype, f->data, f->caplen, f->wirelen,
			     f->ts_usec, f->pcap_cnt, &w->dstats) != 0) {
		if (p->last_event == EV_UNKNOWN_LINK_TYPE)
			log_rate("unknown_link_type", LOG_LVL_WARN,
				 "link type %d is not supported: its frames are counted as "
				 "decoder.unknown_link_type and not inspected; the sensor "
				 "decodes link types 0 (BSD loopback), 1 (Ethernet), 9 (PPP), "
				 "101/228/229 (raw IP), 113 (Linux SLL) and 276 (SLL2): "
				 "convert the capture to one of them (e.g. editcap -T ether "
				 "when its frames are Ethernet)",
				 f->linktype);
		if (p->last_event >= 0)
			decode_anomaly(w, p, false);
		inspect_outer(w, p); /* the inner packet was malformed */
		return;
	}
	inspect_outer(w, p);
	csum_ok = checksums_ok(w, p);
	if (p->is_fragment) {
		if (reassemble(w, p, csum_ok) < 0)
			return;
		csum_ok = checksums_ok(w, p);
	}
	w->cur_flow = flow_table_update(w->flows, p);
	if (w->cur_flow)
		w->cur_flow->tunnel = p->pub.tunnel;
	if (w->cur_flow && w->cur_flow->pkts[0] + w->cur_flow->pkts[1] == 1)
		first_packet(w->cur_flow, &p->pub);
	if (p->last_event >= 0)
		decode_anomaly(w, p, true);
	if (w->cur_flow && w->cur_flow->app_proto == APP_NONE && p->pub.payload_len &&
	    p->pub.proto == IPPROTO_UDP)
		detect_app(w->cur_flow, p->pub.payload, p->pub.payload_len, IPPROTO_UDP,
			   p->pub.direction);
	else if (w->cur_flow && p->pub.proto == IPPROTO_UDP)
		check_app_other(w, w->cur_flow, p->pub.payload, p->pub.payload_len, IPPROTO_UDP,
				p->pub.direction, &p->pub);
	plugins_on_packet(w, &p->pub);
	if (w->cur_flow && p->pub.proto == IPPROTO_TCP && p->l4 && csum_ok) {
		stream_tcp_packet(w->stream, w->cur_flow, p);
		if (stream_tcp_established(w->cur_flow))
			flow_table_set_established(w->flows, w->cur_flow);
		if (stream_tcp_closed(w->cur_flow))
			flow_table_set_closed(w->flows, w->cur_flow);
	}
	w->cur_flow = NULL;
}

void worker_finish(struct ids_thread *w)
{
	const struct plugin_set *ps = w->plugins;

	rule_keys_bind_flow(&w->cur_flow);
	rule_keys_bind_ctx(&w->rule_filter);
	flow_table_flush(w->flows, worker_flow_end, w);
	for (size_t i = 0; i < w->n_ctx_inited; i++)
		if (ps->p[i].desc->tick) {
			w->cur_plugin = i;
			crash_enter(ps->p[i].desc->name, "tick");
			ps->p[i].desc->tick(w->plugin_ctx[i], w, w->last_usec);
			crash_leave();
		}
	eve_thread_flush(w->eve);
	publish_counters(w);
}

void worker_free(struct ids_thread *w)
{
	if (!w)
		return;
	plugins_thread_fini(w);
	rule_alert_ctx_free(&w->rule_filter);
	pthread_mutex_destroy(&w->snap_lock);
	free(w->plugin_ctx);
	eve_thread_free(w->eve);
	matcher_thread_free(w->mt);
	stream_tcp_free(w->stream);
	defrag_free(w->defrag);
	flow_table_free(w->flows);
	free(w);
}
