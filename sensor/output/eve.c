/*
 * eve.c - EVE JSON records and the file they go to (see eve.h, docs/eve.md).
 *
 * Design: every worker owns a struct eve_thread with its own jbuf. A record
 * is rendered at the end of that buffer and ends with '\n', so the buffer
 * holds whole lines only. When it passes EVE_FLUSH_BYTES, on every tick and
 * at the end, eve_thread_flush() hands it to the shared descriptor, opened
 * with O_APPEND, in as few write() calls as the kernel allows (one, unless
 * the disk fills up or a signal interrupts). Appends to a regular file are
 * atomic with respect to each other, so the lines of different workers
 * never interleave and no lock is taken on the packet path.
 *
 * Reopen (log rotation): eve_writer_reopen() opens the path again, swaps the
 * descriptor with one atomic exchange and closes the old descriptor only
 * after every flush that may have loaded it has finished. Flushes announce
 * themselves in active[epoch & 1]; reopen bumps the epoch after the swap and
 * waits for the old parity to drain (the same two-slot scheme as a minimal
 * RCU). A flush that races a reopen therefore writes its lines to the old
 * file or to the new one, never to a closed or recycled descriptor, and no
 * line is lost. Reopens are serialised by a mutex that only they take.
 *
 * Errors: a record that cannot be rendered for lack of memory is dropped
 * whole; a failed write drops the buffered lines (a full disk must not grow
 * the buffer without bound). Both are counted (eve_writer_errors) and the
 * first write error is logged once per writer; nothing here aborts.
 *
 * A writer whose config says enabled: false opens no file and every record
 * is discarded.
 *
 * Outputs: a writer opened with eve_writer_open_outputs() writes no file
 * itself; a flush hands the buffer's whole lines to the output set
 * (output.c), whose queues and threads take them to their sinks, and
 * reopen asks the outputs to reopen their files. Live, a buffer holding
 * an alert is flushed at once (eve_writer_set_live).
 *
 * Threads: eve_writer_open/close/reopen on the main thread; eve_thread_*,
 * eve_alert and eve_stats on the worker owning the eve_thread; counters are
 * atomics readable from any thread.
 */
#include "output/eve.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/eve.h"
#include "base/log.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "flow/flow.h"
#include "output/community_id.h"
#include "output/eve_json.h"
#include "output/json.h"
#include "output/output.h"
#include "output/sink.h"
#include "stream/stream_tcp.h"

#define EVE_FLUSH_BYTES (64 * 1024)
#define EVE_OPEN_FLAGS	(O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC)
#define EVE_FILE_MODE	0640

struct eve_writer {
	_Atomic int fd;		   /* -1 when disabled */
	atomic_uint epoch;	   /* bumped by every reopen */
	atomic_uint active[2];	   /* flushes in progress, by epoch parity */
	pthread_mutex_t reopen_mu; /* serialises reopens */
	char *path;		   /* owned */
	bool enabled, payload, payload_printable, packet;
	bool alert, anomaly, flow, stats; /* record types written */
	bool http, dns, tls;		  /* protocol record types written */
	char *host;			  /* `host` of every record, owned; NULL: none */
	bool community_id;
	uint16_t community_id_seed;
	bool compress_ipv6;	      /* `ipv6-format: compressed` */
	atomic_uint_least64_t alerts; /* alert lines written */
	atomic_uint_least64_t errors; /* failed writes + records dropped */
	atomic_bool error_logged;
	struct output_set *outs; /* borrowed; NULL: the file above */
	bool flush_alerts;	 /* live: alerts go out at once */
};

struct eve_thread {
	struct eve_writer *w;	 /* borrowed, outlives the thread */
	struct jbuf j;		 /* whole lines waiting for the next flush */
	uint64_t pending_alerts; /* alert lines in j */
	struct ids_json rec;	 /* the protocol record being written */
};

/* ------------------------------------------------------------- writer */

/* What records say beyond their type (host, community_id) and which
 * protocol records are written. 0, or -1 out of memory. */
static int eve_writer_records(struct eve_writer *w, const struct eve_config *cfg)
{
	if (!cfg)
		return 0;
	w->http = cfg->http;
	w->dns = cfg->dns;
	w->tls = cfg->tls;
	w->community_id = cfg->community_id;
	w->community_id_seed = cfg->community_id_seed;
	w->compress_ipv6 = cfg->ipv6_compressed;
	if (cfg->host && !(w->host = strdup(cfg->host)))
		return -1;
	return 0;
}

struct eve_writer *eve_writer_open(const char *path, const struct eve_config *cfg, char *err,
				   size_t errlen)
{
	struct eve_writer *w = calloc(1, sizeof(*w));

	if (!err)
		errlen = 0;
	if (!w || !(w->path = strdup(path))) {
		snprintf(err, errlen, "cannot open %s: out of memory", path);
		goto free_writer;
	}
	w->enabled = !cfg || cfg->enabled;
	w->payload = cfg && cfg->payload;
	w->payload_printable = cfg && cfg->payload_printable;
	w->packet = cfg && cfg->packet;
	w->alert = !cfg || cfg->alert;
	w->anomaly = !cfg || cfg->anomaly;
	w->flow = !cfg || cfg->flow;
	w->stats = !cfg || cfg->stats;
	if (eve_writer_records(w, cfg) < 0) {
		snprintf(err, errlen, "cannot open %s: out of memory", path);
		goto free_writer;
	}
	atomic_init(&w->fd, -1);
	if (w->enabled) {
		int fd = open(path, EVE_OPEN_FLAGS, EVE_FILE_MODE);

		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
			goto free_writer;
		}
		atomic_store(&w->fd, fd);
	}
	pthread_mutex_init(&w->reopen_mu, NULL);
	return w;
free_writer:
	if (w) {
		free(w->path);
		free(w->host);
	}
	free(w);
	return NULL;
}

struct eve_writer *eve_writer_open_outputs(struct output_set *outs, const struct eve_config *cfg)
{
	struct eve_writer *w = calloc(1, sizeof(*w));

	if (!w || !(w->path = strdup("outputs"))) {
		free(w);
		return NULL;
	}
	w->enabled = true;
	w->payload = cfg && cfg->payload;
	w->payload_printable = cfg && cfg->payload_printable;
	w->packet = cfg && cfg->packet;
	w->alert = !cfg || cfg->alert;
	w->anomaly = !cfg || cfg->anomaly;
	w->flow = !cfg || cfg->flow;
	w->stats = !cfg || cfg->stats;
	w->outs = outs;
	if (eve_writer_records(w, cfg) < 0) {
		free(w->path);
		free(w);
		return NULL;
	}
	atomic_init(&w->fd, -1);
	pthread_mutex_init(&w->reopen_mu, NULL);
	return w;
}

void eve_writer_set_live(struct eve_writer *w, bool live)
{
	if (w)
		w->flush_alerts = live;
}

/* Wait until no flush that may hold the descriptor of epoch parity `e`
 * is still writing. */
static void wait_drained(struct eve_writer *w, unsigned e)
{
	const struct timespec nap = {0, 100000};

	while (atomic_load(&w->active[e]) != 0)
		nanosleep(&nap, NULL);
}

int eve_writer_reopen(struct eve_writer *w)
{
	int fd, old, err;

	if (!w->enabled)
		return 0;
	if (w->outs)
		return output_set_reopen(w->outs);
	pthread_mutex_lock(&w->reopen_mu);
	fd = open(w->path, EVE_OPEN_FLAGS, EVE_FILE_MODE);
	if (fd < 0) {
		err = errno;
		pthread_mutex_unlock(&w->reopen_mu);
		errno = err;
		return -1;
	}
	old = atomic_exchange(&w->fd, fd);
	wait_drained(w, atomic_fetch_add(&w->epoch, 1) & 1);
	close(old);
	pthread_mutex_unlock(&w->reopen_mu);
	return 0;
}

void eve_writer_close(struct eve_writer *w)
{
	int fd;

	if (!w)
		return;
	fd = atomic_load(&w->fd);
	if (fd >= 0)
		close(fd);
	pthread_mutex_destroy(&w->reopen_mu);
	free(w->path);
	free(w->host);
	free(w);
}

const char *eve_writer_path(const struct eve_writer *w)
{
	return w->path;
}

uint64_t eve_writer_alerts(const struct eve_writer *w)
{
	return atomic_load(&((struct eve_writer *)w)->alerts);
}

uint64_t eve_writer_errors(const struct eve_writer *w)
{
	return atomic_load(&((struct eve_writer *)w)->errors);
}

/* write() until done; EINTR retried. 0, or -1 with errno. */
/* Write through the current descriptor, announced in active[] so that a
 * reopen does not close it underneath (see the file comment). */
static int writer_write(struct eve_writer *w, const char *p, size_t n)
{
	unsigned e;
	int rc, err;

	for (;;) {
		e = atomic_load(&w->epoch);
		atomic_fetch_add(&w->active[e & 1], 1);
		if (atomic_load(&w->epoch) == e)
			break;
		atomic_fetch_sub(&w->active[e & 1], 1);
	}
	rc = sink_write_all(atomic_load(&w->fd), p, n);
	err = errno;
	atomic_fetch_sub(&w->active[e & 1], 1);
	errno = err;
	return rc;
}

static void writer_error(struct eve_writer *w, int err)
{
	atomic_fetch_add(&w->errors, 1);
	if (!atomic_exchange(&w->error_logged, true))
		log_error("eve: writing %s failed: %s (records dropped; later errors are only "
			  "counted)",
			  w->path, strerror(err));
}

/* ------------------------------------------------------------- thread */

struct eve_thread *eve_thread_new(struct eve_writer *w)
{
	struct eve_thread *t;

	if (!w)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->w = w;
	jbuf_init(&t->j);
	return t;
}

void eve_thread_free(struct eve_thread *t)
{
	if (!t)
		return;
	eve_thread_flush(t);
	jbuf_free(&t->j);
	free(t);
}

int eve_thread_flush(struct eve_thread *t)
{
	int rc = 0, err = 0;

	if (t && t->rec.open)
		eve_record_end(t, &t->rec); /* a plugin's record is never cut */
	if (!t || t->j.len == 0)
		return 0;
	if (t->w->outs) {
		output_set_submit(t->w->outs, t->j.buf, t->j.len);
		atomic_fetch_add(&t->w->alerts, t->pending_alerts);
	} else if (writer_write(t->w, t->j.buf, t->j.len) == 0) {
		atomic_fetch_add(&t->w->alerts, t->pending_alerts);
	} else {
		err = errno;
		writer_error(t->w, err);
		rc = -1;
	}
	t->pending_alerts = 0;
	jbuf_reset(&t->j);
	errno = err ? err : errno;
	return rc;
}

/* Start a record at the end of the buffer; returns where it starts. */
static size_t record_begin(struct eve_thread *t, int64_t ts_usec, const char *event_type)
{
	size_t start;
	char ts[40];

	if (t->rec.open)
		eve_record_end(t, &t->rec); /* a plugin's record still open is written first */
	start = t->j.len;
	t->j.need_comma = false;
	eve_format_time(ts, sizeof(ts), ts_usec);
	jbuf_open_object(&t->j, NULL);
	jbuf_str(&t->j, "timestamp", ts);
	if (event_type)
		jbuf_str(&t->j, "event_type", event_type);
	return start;
}

/* Close the record and its line. Returns true when it is complete; an
 * incomplete one (no memory) is cut off and counted. */
static bool record_end(struct eve_thread *t, size_t start)
{
	jbuf_close_object(&t->j);
	jbuf_append(&t->j, "\n", 1);
	if (!t->j.oom)
		return true;
	t->j.len = start;
	t->j.oom = false;
	if (t->j.buf)
		t->j.buf[start] = '\0';
	atomic_fetch_add(&t->w->errors, 1);
	return false;
}

static void maybe_flush(struct eve_thread *t)
{
	if (t->j.len >= EVE_FLUSH_BYTES || (t->w->flush_alerts && t->pending_alerts))
		eve_thread_flush(t);
}

/* -------------------------------------------------------------- alert */

static const char *proto_name(uint8_t proto, char num[4])
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 4:
		return "IP-in-IP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 41:
		return "IPv6";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 51:
		return "AH";
	case 58:
		return "IPv6-ICMP";
	case 132:
		return "SCTP";
	default:
		snprintf(num, 4, "%u", proto);
		return num;
	}
}

static bool proto_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

static bool proto_is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58;
}

static const char *pkt_src_name(uint8_t src)
{
	switch (src) {
	case IDS_PKT_SRC_DEFRAG:
		return "defrag";
	case IDS_PKT_SRC_STREAM:
		return "stream";
	default:
		return "wire/pcap";
	}
}

static void vlan_array(struct jbuf *j, const uint16_t *vlan, unsigned n)
{
	if (!n)
		return;
	jbuf_open_array(j, "vlan");
	for (unsigned i = 0; i < n && i < IDS_MAX_VLAN; i++)
		jbuf_u64(j, NULL, vlan[i]);
	jbuf_close_array(j);
}

/* src_ip .. proto of one endpoint pair. */
static void tuple(struct jbuf *j, const struct eve_writer *w, const struct ids_addr *src,
		  uint16_t sport, const struct ids_addr *dst, uint16_t dport, uint8_t proto)
{
	char addr[64], num[4];

	eve_format_addr(addr, sizeof(addr), src, w->compress_ipv6);
	jbuf_str(j, "src_ip", addr);
	if (proto_has_ports(proto))
		jbuf_u64(j, "src_port", sport);
	eve_format_addr(addr, sizeof(addr), dst, w->compress_ipv6);
	jbuf_str(j, "dest_ip", addr);
	if (proto_has_ports(proto))
		jbuf_u64(j, "dest_port", dport);
	jbuf_str(j, "proto", proto_name(proto, num));
}

/* The outermost layer of a tunnelled packet (Suricata's `tunnel`). */
static void tunnel_object(struct jbuf *j, const struct eve_writer *w, const struct ids_packet *p)
{
	const struct ids_tunnel *t = &p->tunnel;

	if (!t->depth)
		return;
	jbuf_open_object(j, "tunnel");
	tuple(j, w, &t->src, t->sport, &t->dst, t->dport, t->proto);
	jbuf_u64(j, "depth", t->depth);
	if (p->pcap_cnt)
		jbuf_u64(j, "pcap_cnt", p->pcap_cnt);
	jbuf_str(j, "pkt_src", pkt_src_name(t->pkt_src));
	jbuf_close_object(j);
}

/* `community_id` of a tuple (ICMP: type and code as the ports), when the
 * writer wants it and the protocol has one. */
static void community_field(struct jbuf *j, const struct eve_writer *w, const struct ids_addr *src,
			    uint16_t sport, const struct ids_addr *dst, uint16_t dport,
			    uint8_t proto)
{
	char id[COMMUNITY_ID_LEN];

	if (w->community_id &&
	    community_id_v1(id, w->community_id_seed, src, dst, proto, sport, dport))
		jbuf_str(j, "community_id", id);
}

static void host_field(struct jbuf *j, const struct eve_writer *w)
{
	if (w->host)
		jbuf_str(j, "host", w->host);
}

static void packet_community_id(struct jbuf *j, const struct eve_writer *w,
				const struct ids_packet *p)
{
	bool icmp = proto_is_icmp(p->proto);

	community_field(j, w, &p->src, icmp ? p->icmp_type : p->sport, &p->dst,
			icmp ? p->icmp_code : p->dport, p->proto);
}

/* From flow_id to direction: who sent it, to whom, over what. A frame
 * that did not decode (no IP version or address family: an alert of a
 * decode-event rule) has no addresses, ports, protocol or community_id. */
static void alert_header(struct jbuf *j, const struct eve_writer *w, const struct ids_packet *p,
			 const char *event_type, const char *in_iface)
{
	if (p->flow_id)
		jbuf_u64(j, "flow_id", p->flow_id);
	if (p->pcap_cnt)
		jbuf_u64(j, "pcap_cnt", p->pcap_cnt);
	jbuf_str(j, "event_type", event_type);
	if (in_iface)
		jbuf_str(j, "in_iface", in_iface);
	vlan_array(j, p->vlan, p->vlan_count);
	if (p->ip_version || p->src.family) {
		tuple(j, w, &p->src, p->sport, &p->dst, p->dport, p->proto);
		if (proto_is_icmp(p->proto)) {
			jbuf_u64(j, "icmp_type", p->icmp_type);
			jbuf_u64(j, "icmp_code", p->icmp_code);
		}
		packet_community_id(j, w, p);
	}
	host_field(j, w);
	jbuf_str(j, "pkt_src", pkt_src_name(p->pkt_src));
	tunnel_object(j, w, p);
	jbuf_str(j, "direction", p->direction == IDS_DIR_TO_CLIENT ? "to_client" : "to_server");
}

static void alert_object(struct jbuf *j, const struct ids_rule *r)
{
	jbuf_open_object(j, "alert");
	jbuf_str(j, "action", "allowed");
	jbuf_u64(j, "gid", r->gid);
	jbuf_u64(j, "signature_id", r->id);
	jbuf_u64(j, "rev", r->rev);
	jbuf_str(j, "signature", r->msg ? r->msg : "");
	jbuf_str(j, "category", r->category ? r->category : "");
	jbuf_i64(j, "severity", r->severity);
	if (r->metadata_json && r->metadata_json[0])
		jbuf_raw(j, "metadata", r->metadata_json);
	jbuf_close_object(j);
}

static void alert_payload(struct jbuf *j, const struct eve_writer *w, const struct ids_packet *p)
{
	const uint8_t *pl = p->payload;
	size_t n = pl ? p->payload_len : 0;

	if (w->payload)
		jbuf_base64(j, "payload", pl, n);
	if (w->payload_printable)
		jbuf_printable(j, "payload_printable", pl, n);
	jbuf_u64(j, "stream", p->pkt_src == IDS_PKT_SRC_STREAM ? 1 : 0);
	if (w->packet)
		jbuf_base64(j, "packet", p->frame, p->frame ? p->caplen : 0);
}

void eve_alert(struct eve_thread *t, const struct ids_packet *p, const struct ids_rule *r,
	       const char *in_iface)
{
	eve_alert_fields(t, p, r, in_iface, NULL, NULL);
}

void eve_alert_fields(struct eve_thread *t, const struct ids_packet *p, const struct ids_rule *r,
		      const char *in_iface, const char *app_proto, const char *fields)
{
	const struct eve_alert_input in = {p, r, in_iface, app_proto, fields, NULL, -1};

	eve_alert_record(t, &in);
}

/* Suricata's `flow` object of an alert: the flow so far. */
static void alert_flow(struct jbuf *j, const struct ids_flow_info *f)
{
	char ts[40];

	jbuf_open_object(j, "flow");
	jbuf_u64(j, "pkts_toserver", f->pkts[IDS_DIR_TO_SERVER]);
	jbuf_u64(j, "pkts_toclient", f->pkts[IDS_DIR_TO_CLIENT]);
	jbuf_u64(j, "bytes_toserver", f->bytes[IDS_DIR_TO_SERVER]);
	jbuf_u64(j, "bytes_toclient", f->bytes[IDS_DIR_TO_CLIENT]);
	eve_format_time(ts, sizeof(ts), f->first_usec);
	jbuf_str(j, "start", ts);
	jbuf_close_object(j);
}

void eve_alert_record(struct eve_thread *t, const struct eve_alert_input *in)
{
	const struct ids_packet *p = in->p;
	size_t start;

	if (!t || !t->w->enabled || !t->w->alert || !p || !in->r)
		return;
	start = record_begin(t, p->ts_usec, NULL);
	alert_header(&t->j, t->w, p, "alert", in->in_iface);
	if (in->tx_id >= 0)
		jbuf_i64(&t->j, "tx_id", in->tx_id);
	alert_object(&t->j, in->r);
	if (in->fields && in->fields[0]) {
		jbuf_append(&t->j, ",", 1);
		jbuf_append(&t->j, in->fields, strlen(in->fields));
	}
	if (in->app_proto)
		jbuf_str(&t->j, "app_proto", in->app_proto);
	if (in->flow)
		alert_flow(&t->j, in->flow);
	alert_payload(&t->j, t->w, p);
	if (record_end(t, start))
		t->pending_alerts++;
	maybe_flush(t);
}

/* ------------------------------------------------------------ anomaly */

void eve_anomaly(struct eve_thread *t, int64_t ts_usec, const struct ids_packet *p,
		 const char *type, const char *event, const char *in_iface)
{
	size_t start;

	if (!t || !t->w->enabled || !t->w->anomaly || !type || !event)
		return;
	if (p && p->ip_version) {
		start = record_begin(t, p->ts_usec, NULL);
		alert_header(&t->j, t->w, p, "anomaly", in_iface);
	} else {
		/* No packet, or a frame that did not decode: only what is
		 * sure about it. */
		start = record_begin(t, p ? p->ts_usec : ts_usec, NULL);
		if (p && p->pcap_cnt)
			jbuf_u64(&t->j, "pcap_cnt", p->pcap_cnt);
		jbuf_str(&t->j, "event_type", "anomaly");
		if (in_iface)
			jbuf_str(&t->j, "in_iface", in_iface);
		host_field(&t->j, t->w);
	}
	jbuf_open_object(&t->j, "anomaly");
	jbuf_str(&t->j, "type", type);
	jbuf_str(&t->j, "event", event);
	jbuf_close_object(&t->j);
	record_end(t, start);
	maybe_flush(t);
}

void eve_anomaly_app(struct eve_thread *t, const struct ids_packet *p,
		     const struct eve_app_anomaly *a, const char *in_iface)
{
	size_t start;

	if (!t || !t->w->enabled || !t->w->anomaly || !p || !a || !a->event || !a->layer)
		return;
	start = record_begin(t, p->ts_usec, NULL);
	alert_header(&t->j, t->w, p, "anomaly", in_iface);
	if (a->tx_id >= 0)
		jbuf_i64(&t->j, "tx_id", a->tx_id);
	jbuf_open_object(&t->j, "anomaly");
	if (a->app_proto)
		jbuf_str(&t->j, "app_proto", a->app_proto);
	jbuf_str(&t->j, "type", "applayer");
	jbuf_str(&t->j, "event", a->event);
	jbuf_str(&t->j, "layer", a->layer);
	jbuf_close_object(&t->j);
	record_end(t, start);
	maybe_flush(t);
}

/* --------------------------------------------------------------- flow */

static void flow_object(struct jbuf *j, const struct eve_flow_input *in)
{
	static const char *const reasons[] = {"timeout", "forced", "shutdown", "tcp_reuse"};
	const struct ids_flow_info *f = in->info;
	char ts[40];

	jbuf_open_object(j, "flow");
	jbuf_u64(j, "pkts_toserver", f->pkts[IDS_DIR_TO_SERVER]);
	jbuf_u64(j, "pkts_toclient", f->pkts[IDS_DIR_TO_CLIENT]);
	jbuf_u64(j, "bytes_toserver", f->bytes[IDS_DIR_TO_SERVER]);
	jbuf_u64(j, "bytes_toclient", f->bytes[IDS_DIR_TO_CLIENT]);
	eve_format_time(ts, sizeof(ts), f->first_usec);
	jbuf_str(j, "start", ts);
	eve_format_time(ts, sizeof(ts), f->last_usec);
	jbuf_str(j, "end", ts);
	jbuf_i64(j, "age",
		 f->last_usec > f->first_usec ? (f->last_usec - f->first_usec) / 1000000 : 0);
	jbuf_str(j, "state", in->state ? in->state : "new");
	jbuf_str(j, "reason", f->end_reason < 4 ? reasons[f->end_reason] : "timeout");
	jbuf_bool(j, "alerted", f->alerted != 0);
	if (in->lost_state)
		jbuf_str(j, "lost_state", in->lost_state);
	jbuf_close_object(j);
}

static const char *hex2(char out[3], uint8_t v)
{
	static const char hexd[] = "0123456789abcdef";

	out[0] = hexd[v >> 4];
	out[1] = hexd[v & 15];
	out[2] = '\0';
	return out;
}

/* Suricata writes TCP flags as two hex digits and one boolean per flag
 * that was seen. */
static void tcp_object(struct jbuf *j, const struct eve_flow_input *in)
{
	static const char *const names[8] = {"fin", "syn", "rst", "psh",
					     "ack", "urg", "ecn", "cwr"};
	static const uint8_t order[8] = {1, 0, 2, 3, 4, 5, 6, 7}; /* syn first, as Suricata */
	const struct ids_flow_info *f = in->info;
	unsigned all = f->tcp_flags[0] | f->tcp_flags[1];
	char hex[3];

	jbuf_open_object(j, "tcp");
	jbuf_str(j, "tcp_flags", hex2(hex, (uint8_t)all));
	jbuf_str(j, "tcp_flags_ts", hex2(hex, f->tcp_flags[IDS_DIR_TO_SERVER]));
	jbuf_str(j, "tcp_flags_tc", hex2(hex, f->tcp_flags[IDS_DIR_TO_CLIENT]));
	for (unsigned i = 0; i < 8; i++)
		if (all & (1u << order[i]))
			jbuf_bool(j, names[order[i]], true);
	if (in->tcp_state)
		jbuf_str(j, "state", in->tcp_state);
	jbuf_close_object(j);
}

void eve_flow(struct eve_thread *t, const struct eve_flow_input *in)
{
	const struct ids_flow_info *f;
	size_t start;

	if (!t || !t->w->enabled || !t->w->flow || !in || !in->info)
		return;
	f = in->info;
	start = record_begin(t, f->last_usec, NULL);
	jbuf_u64(&t->j, "flow_id", f->flow_id);
	jbuf_str(&t->j, "event_type", "flow");
	if (in->in_iface)
		jbuf_str(&t->j, "in_iface", in->in_iface);
	vlan_array(&t->j, in->vlan, in->vlan_count);
	tuple(&t->j, t->w, &f->client, f->client_port, &f->server, f->server_port, f->proto);
	if (proto_is_icmp(f->proto))
		community_field(&t->j, t->w, &f->client, in->icmp_type, &f->server, in->icmp_code,
				f->proto);
	else
		community_field(&t->j, t->w, &f->client, f->client_port, &f->server, f->server_port,
				f->proto);
	host_field(&t->j, t->w);
	if (in->app_proto)
		jbuf_str(&t->j, "app_proto", in->app_proto);
	flow_object(&t->j, in);
	if (f->proto == 6)
		tcp_object(&t->j, in);
	record_end(t, start);
	maybe_flush(t);
}

/* ----------------------------------------------------- protocol records */

/* lower case letters, digits and '_', 1..31 characters */
static bool type_name_ok(const char *type)
{
	size_t n = 0;

	if (!type)
		return false;
	for (; type[n]; n++)
		if (n == 31 || !((type[n] >= 'a' && type[n] <= 'z') ||
				 (type[n] >= '0' && type[n] <= '9') || type[n] == '_'))
			return false;
	return n > 0;
}

bool eve_record_wanted(const struct eve_thread *t, const char *type)
{
	const struct eve_writer *w;

	if (!t || !t->w->enabled || !type_name_ok(type))
		return false;
	w = t->w;
	if (!strcmp(type, "http"))
		return w->http;
	if (!strcmp(type, "dns"))
		return w->dns;
	if (!strcmp(type, "tls"))
		return w->tls;
	/* The core's own types are not for plugins. */
	return strcmp(type, "alert") && strcmp(type, "anomaly") && strcmp(type, "flow") &&
	       strcmp(type, "stats");
}

struct ids_json *eve_record_begin(struct eve_thread *t, const struct eve_record_input *in)
{
	struct ids_json *b;
	struct jbuf *j;

	size_t start;

	if (!in || !eve_record_wanted(t, in->type))
		return NULL;
	start = record_begin(t, in->ts_usec, NULL);
	b = &t->rec;
	j = &t->j;
	memset(b, 0, sizeof(*b));
	b->j = j;
	b->open = true;
	b->start = start;
	if (in->flow_id)
		jbuf_u64(j, "flow_id", in->flow_id);
	if (in->in_iface)
		jbuf_str(j, "in_iface", in->in_iface);
	jbuf_str(j, "event_type", in->type);
	vlan_array(j, in->vlan, in->vlan_count);
	tuple(j, t->w, in->src, in->sport, in->dst, in->dport, in->proto);
	if (proto_is_icmp(in->proto))
		community_field(j, t->w, in->src, in->icmp_type, in->dst, in->icmp_code, in->proto);
	else
		community_field(j, t->w, in->src, in->sport, in->dst, in->dport, in->proto);
	host_field(j, t->w);
	if (in->tx_id >= 0)
		jbuf_i64(j, "tx_id", in->tx_id);
	return b;
}

void eve_record_end(struct eve_thread *t, struct ids_json *b)
{
	if (!t || b != &t->rec || !b->open)
		return;
	b->open = false;
	if (b->bad) {
		/* Too deep: drop the whole record, counted. */
		t->j.len = b->start;
		if (t->j.buf)
			t->j.buf[b->start] = '\0';
		atomic_fetch_add(&t->w->errors, 1);
		return;
	}
	eve_json_close_all(b);
	record_end(t, b->start);
	maybe_flush(t);
}

/* -------------------------------------------------------------- stats */

/* Length of the group part of an event name ("ipv4" of "ipv4.trunc_pkt"),
 * 0 when it has none. */
static size_t event_group_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : 0;
}

static bool group_seen_before(int ev, const char *name, size_t glen)
{
	for (int i = 0; i < ev; i++) {
		const char *other = decode_event_name((enum decode_event)i);

		if (other && event_group_len(other) == glen && !strncmp(other, name, glen))
			return true;
	}
	return false;
}

/* One object per group, in the order groups first appear in the enum,
 * holding every event of the group, zeros included. */
static void stats_events(struct jbuf *j, const uint64_t *events)
{
	jbuf_open_object(j, "event");
	for (int ev = 0; ev < EV_MAX; ev++) {
		const char *name = decode_event_name((enum decode_event)ev);
		size_t glen = name ? event_group_len(name) : 0;
		char group[64];

		if (!name || (glen && group_seen_before(ev, name, glen)))
			continue;
		if (!glen) {
			jbuf_u64(j, name, events[ev]);
			continue;
		}
		snprintf(group, sizeof(group), "%.*s", (int)glen, name);
		jbuf_open_object(j, group);
		for (int k = ev; k < EV_MAX; k++) {
			const char *nk = decode_event_name((enum decode_event)k);

			if (nk && event_group_len(nk) == glen && !strncmp(nk, name, glen))
				jbuf_u64(j, nk + glen + 1, events[k]);
		}
		jbuf_close_object(j);
	}
	jbuf_close_object(j);
}

/* Tunnel layers decoded (Suricata's counter names). */
static void stats_tunnels(struct jbuf *j, const struct decode_stats *d)
{
	jbuf_u64(j, "gre", d->gre);
	jbuf_u64(j, "erspan", d->erspan);
	jbuf_u64(j, "vxlan", d->vxlan);
	jbuf_u64(j, "geneve", d->geneve);
	jbuf_u64(j, "teredo", d->teredo);
	jbuf_u64(j, "mpls", d->mpls);
	jbuf_u64(j, "pppoe", d->pppoe);
	jbuf_u64(j, "ppp", d->ppp);
	jbuf_u64(j, "ipv4_in_ipv4", d->ipv4_in_ipv4);
	jbuf_u64(j, "ipv6_in_ipv4", d->ipv6_in_ipv4);
	jbuf_u64(j, "ipv4_in_ipv6", d->ipv4_in_ipv6);
	jbuf_u64(j, "ipv6_in_ipv6", d->ipv6_in_ipv6);
}

static void stats_decoder(struct jbuf *j, const struct decode_stats *d)
{
	jbuf_open_object(j, "decoder");
	jbuf_u64(j, "pkts", d->pkts);
	jbuf_u64(j, "bytes", d->bytes);
	jbuf_u64(j, "invalid", d->invalid);
	jbuf_u64(j, "ipv4", d->ipv4);
	jbuf_u64(j, "ipv6", d->ipv6);
	jbuf_u64(j, "ethernet", d->ethernet);
	jbuf_u64(j, "raw", d->raw);
	jbuf_u64(j, "sll", d->sll);
	jbuf_u64(j, "sll2", d->sll2);
	jbuf_u64(j, "tcp", d->tcp);
	jbuf_u64(j, "udp", d->udp);
	jbuf_u64(j, "icmpv4", d->icmpv4);
	jbuf_u64(j, "icmpv6", d->icmpv6);
	jbuf_u64(j, "vlan", d->vlan);
	jbuf_u64(j, "vlan_qinq", d->vlan_qinq);
	jbuf_u64(j, "other_ip", d->other_ip);
	stats_tunnels(j, d);
	stats_events(j, d->events);
	jbuf_close_object(j);
}

static void stats_stream(struct jbuf *j, const struct stream_stats *s, uint64_t bad_csum)
{
	jbuf_open_object(j, "tcp");
	jbuf_u64(j, "sessions", s->sessions);
	jbuf_u64(j, "midstream_pickups", s->midstream);
	jbuf_u64(j, "invalid_checksum", bad_csum);
	jbuf_u64(j, "segments", s->segments);
	jbuf_u64(j, "retransmissions", s->retransmissions);
	jbuf_u64(j, "reassembled_bytes", s->bytes_delivered);
	jbuf_u64(j, "reassembly_gap", s->gaps);
	jbuf_u64(j, "reassembly_gap_bytes", s->gap_bytes);
	jbuf_u64(j, "overlap_diff_data", s->events[STREAM_EV_OVERLAP_DIFF]);
	jbuf_u64(j, "memuse", s->memuse);
	jbuf_u64(j, "memuse_peak", s->memuse_peak);
	jbuf_u64(j, "urgent_bytes", s->urgent_bytes);
	jbuf_u64(j, "memcap_reclaimed", s->reclaimed);
	jbuf_open_object(j, "event");
	for (int ev = 0; ev < STREAM_EV_MAX; ev++) {
		const char *name = stream_event_name((enum stream_event)ev);
		const char *dot = strchr(name, '.');

		jbuf_u64(j, dot ? dot + 1 : name, s->events[ev]);
	}
	jbuf_close_object(j);
	jbuf_close_object(j);
}

static void stats_defrag(struct jbuf *j, const struct decode_stats *d,
			 const struct defrag_stats *df)
{
	jbuf_open_object(j, "defrag");
	for (int fam = 0; fam < 2; fam++) {
		jbuf_open_object(j, fam ? "ipv6" : "ipv4");
		jbuf_u64(j, "fragments", fam ? d->frag_ipv6 : d->frag_ipv4);
		jbuf_u64(j, "reassembled", df ? df->reassembled[fam] : 0);
		jbuf_close_object(j);
	}
	jbuf_u64(j, "memuse", df ? df->memuse : 0);
	jbuf_u64(j, "memuse_peak", df ? df->memuse_peak : 0);
	jbuf_open_object(j, "event");
	for (int ev = 0; ev < DEFRAG_EV_MAX; ev++)
		jbuf_u64(j, defrag_event_name((enum defrag_event)ev), df ? df->events[ev] : 0);
	jbuf_close_object(j);
	jbuf_close_object(j);
}

static void stats_flow(struct jbuf *j, const struct flow_stats *f)
{
	jbuf_open_object(j, "flow");
	jbuf_u64(j, "total", f->created);
	jbuf_u64(j, "active", f->active);
	jbuf_u64(j, "evicted", f->evicted);
	jbuf_u64(j, "expired", f->expired);
	jbuf_u64(j, "tcp_reuse", f->tcp_reuse);
	jbuf_u64(j, "evicted_closed", f->evicted_closed);
	jbuf_u64(j, "evicted_embryonic", f->evicted_embryonic);
	jbuf_u64(j, "evicted_established", f->evicted_established);
	jbuf_close_object(j);
}

/* Whole seconds, truncated; nonsense (negative, NaN) is 0. */
static int64_t uptime_seconds(double s)
{
	if (!(s >= 0))
		return 0;
	if (s >= 9.2e18)
		return INT64_MAX;
	return (int64_t)s;
}

/* detect.alerts_suppressed (Suricata's: threshold and suppress) and the
 * breakdown of every alert the rules' keys held back; only once some
 * alert was held back. */
static void stats_filtered(struct jbuf *j, const struct eve_stats_input *in)
{
	if (in->rule_xbits_full)
		jbuf_u64(j, "xbits_full", in->rule_xbits_full);
	if (!(in->rule_thresholded | in->rule_suppressed | in->rule_passed | in->rule_noalert))
		return;
	jbuf_u64(j, "alerts_suppressed", in->rule_thresholded + in->rule_suppressed);
	jbuf_open_object(j, "filtered");
	jbuf_u64(j, "threshold", in->rule_thresholded);
	jbuf_u64(j, "suppress", in->rule_suppressed);
	jbuf_u64(j, "pass", in->rule_passed);
	jbuf_u64(j, "noalert", in->rule_noalert);
	jbuf_close_object(j);
}

/* plugins.NAME.COUNTER of the plugins that registered counters. */
static void stats_plugin_counters(struct jbuf *j, const struct eve_stats_input *in)
{
	bool open = false;

	for (unsigned p = 0; in->counters && p < in->n_plugins; p++) {
		if (!in->n_counters[p])
			continue;
		if (!open)
			jbuf_open_object(j, "plugins");
		open = true;
		jbuf_open_object(j, in->plugin_names[p]);
		for (unsigned k = 0; k < in->n_counters[p]; k++)
			jbuf_u64(j, in->counter_names[p][k],
				 in->counters[(size_t)p * in->counters_stride + k]);
		jbuf_close_object(j);
	}
	if (open)
		jbuf_close_object(j);
}

/* The counters of one stats object (the totals, or one worker's). */
static void stats_body(struct jbuf *j, const struct eve_stats_input *in)
{
	if (in->capture) {
		jbuf_open_object(j, "capture");
		jbuf_u64(j, "kernel_packets", in->kernel_packets);
		jbuf_u64(j, "kernel_drops", in->kernel_drops);
		jbuf_u64(j, "kernel_freezes", in->kernel_freezes);
		jbuf_close_object(j);
	}
	if (in->decoder) {
		stats_decoder(j, in->decoder);
		jbuf_u64(j, "invalid_checksum",
			 in->invalid_checksum_ip + in->invalid_checksum_tcp +
				 in->invalid_checksum_other);
		jbuf_u64(j, "checksum_validation_off", in->checksum_validation_off);
		stats_defrag(j, in->decoder, in->defrag);
	}
	if (in->flow)
		stats_flow(j, in->flow);
	if (in->stream)
		stats_stream(j, in->stream, in->invalid_checksum_tcp);
	jbuf_open_object(j, "detect");
	jbuf_u64(j, "alert", in->alerts);
	stats_filtered(j, in);
	if (in->rules) {
		jbuf_u64(j, "rules_loaded", in->rules_loaded);
		jbuf_u64(j, "rules_failed", in->rules_failed);
		jbuf_u64(j, "verify_limit", in->verify_limit);
	}
	if (in->n_plugins) {
		jbuf_open_object(j, "plugins");
		for (unsigned i = 0; i < in->n_plugins; i++) {
			jbuf_open_object(j, in->plugin_names[i]);
			jbuf_u64(j, "alerts", in->plugin_alerts[i]);
			jbuf_close_object(j);
		}
		jbuf_close_object(j);
	}
	jbuf_close_object(j);
	stats_plugin_counters(j, in);
}

void eve_stats(struct eve_thread *t, const struct eve_stats_input *in)
{
	size_t start;
	char name[32];

	if (!t || !t->w->enabled || !t->w->stats || !in)
		return;
	start = record_begin(t, in->ts_usec, "stats");
	host_field(&t->j, t->w);
	jbuf_open_object(&t->j, "stats");
	jbuf_i64(&t->j, "uptime", uptime_seconds(in->uptime_s));
	stats_body(&t->j, in);
	output_set_stats(t->w->outs, &t->j, "outputs");
	if (in->threads && in->n_threads) {
		jbuf_open_object(&t->j, "threads");
		for (unsigned i = 0; i < in->n_threads; i++) {
			snprintf(name, sizeof(name), "W#%02u", i + 1);
			jbuf_open_object(&t->j, name);
			stats_body(&t->j, &in->threads[i]);
			jbuf_close_object(&t->j);
		}
		jbuf_close_object(&t->j);
	}
	jbuf_close_object(&t->j);
	record_end(t, start);
	maybe_flush(t);
}

void eve_stats_object(struct jbuf *j, const char *key, const struct eve_stats_input *in,
		      const struct output_set *outs)
{
	char name[32];

	jbuf_open_object(j, key);
	jbuf_i64(j, "uptime", uptime_seconds(in->uptime_s));
	stats_body(j, in);
	output_set_stats(outs, j, "outputs");
	if (in->threads && in->n_threads) {
		jbuf_open_object(j, "threads");
		for (unsigned i = 0; i < in->n_threads; i++) {
			snprintf(name, sizeof(name), "W#%02u", i + 1);
			jbuf_open_object(j, name);
			stats_body(j, &in->threads[i]);
			jbuf_close_object(j);
		}
		jbuf_close_object(j);
	}
	jbuf_close_object(j);
}
