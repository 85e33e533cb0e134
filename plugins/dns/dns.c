/*
 * dns.c - the DNS detector plugin: DNS over UDP and TCP, rules on the
 * question names (buffer dns.query) and on the answer records (buffer
 * dns.answer), alerts carrying Suricata 7's `dns` object.
 *
 * Which traffic: UDP datagrams of a flow whose application protocol the
 * host recognised as "dns", or with port 53, 5353 (mDNS) or 5355 (LLMNR) on
 * either side; TCP streams (on_stream) whose server port is 53 or whose
 * application protocol is "dns". A payload is taken for a DNS message only
 * when its header has an assigned opcode and its question, answer and
 * authority sections parse completely (dns_parser.h); anything else is a
 * counted parse error and is neither scanned nor logged.
 *
 * DNS over TCP (RFC 1035 4.2.2; the framing is dns_tcp.c): each message
 * is preceded by a 2-byte length. Each flow direction keeps the framing:
 * the length prefix and the message may be split over any number of
 * chunks, and a chunk may hold
 * several messages. A message that lies whole inside one chunk is parsed
 * where it is; one split over chunks is copied into a per-direction buffer
 * allocated on first need and grown to the message's length (at most
 * `tcp-max-message` bytes, 64 KiB by default). A longer message is skipped
 * (its length still keeps the framing). After a gap the framing is lost
 * and the direction is no longer parsed; the same when the plugin first
 * sees a direction after its start.
 *
 * Matching: one block matcher per buffer with rules. dns.query is scanned
 * once per question of a query (requests only, as Suricata's), dns.answer once per
 * answer record, rendered "NAME TYPE RDATA" (see dns_answer_text).
 * Suricata 8's keywords have buffers of their own: dns.answer.name (each
 * answer's owner name), dns.opcode (one byte per message) and dns.rrtype
 * (two bytes, big endian, per question of a query or answer of a
 * response), the last two matched with byte_test (the Suricata parser
 * writes dns.opcode:N / dns.rrtype:N so). Rules on both dns.query and
 * dns.answer, or any other mix of the plugin's buffers (ABI 1.4
 * transaction matcher), are matched per answer record of a response and
 * per question of a query (dns_tx_scan). A rule
 * raises at most one alert per message; at most `alerts-per-message`
 * alerts are raised for one message. The alert's protocol fields are
 * rendered once per message, on its first alert, as Suricata 7 writes
 * them in alerts: {"dns":{"query":[...]}} for a query (QR clear),
 * {"dns":{"answer":{...}}} (answer format version 2) for a response.
 *
 * State and threads: the global state (options, matchers) is built by
 * init on the main thread and only read afterwards. Each worker has a
 * thread context with its counters and its scratch (the record being
 * read, the answer text, the rendered fields); the counters are logged
 * once by thread_fini. Per-flow state (struct dns_flow: the number of
 * queries seen, for tx_id, and the TCP framing of both directions) is
 * allocated once per flow in the flow's svc->flow_data slot, on the flow's
 * first DNS query over UDP or its first DNS chunk over TCP, and freed in
 * on_flow_end. Nothing is allocated per packet except a TCP direction's
 * buffer, once, when a message first spans chunks (regrown only for a
 * longer message).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ids/plugin.h>
#include <ids/plugin_util.h>

#include "dns_parser.h"
#include "dns_tcp.h"

#define PROTO_TCP 6
#define PROTO_UDP 17

/* Longest dns.answer text: name, type, rdata (TXT: up to 64 KiB). */
#define ANSWER_TEXT_MAX (DNS_NAME_TEXT_MAX + 16 + 65536)
/* Longest rendered `dns` object; lists are cut (whole elements) to fit.
 * Tests build the plugin with a smaller one. */
#ifndef DNS_FIELDS_MAX
#define DNS_FIELDS_MAX (64 * 1024)
#endif
/* Bytes the writer keeps free for closing brackets. */
#define JW_RESERVE 16

enum {
	BUF_QUERY = 0,
	BUF_ANSWER,
	BUF_ANSWER_NAME,
	BUF_OPCODE,
	BUF_RRTYPE,
	BUF_QUERIES_RRNAME,
	BUF_PKT_DATA, /* multi-buffer rules only: a request's message */
	BUF_COUNT
};

static const struct ids_buffer_def dns_buffers[BUF_COUNT] = {
	[BUF_QUERY] = {"dns.query",
		       "each question name of a DNS request, dotted, case as sent (Suricata's "
		       "dns.query: requests only)"},
	[BUF_ANSWER] =
		{"dns.answer",
		 "each answer record as `name TYPE rdata` (rdata of A, AAAA, CNAME, NS, PTR, "
		 "MX, TXT)"},
	[BUF_ANSWER_NAME] = {"dns.answer.name",
			     "each answer record's owner name, dotted, case as sent (Suricata's "
			     "dns.answer.name / dns.answers.rrname)"},
	[BUF_OPCODE] = {"dns.opcode",
			"the header's opcode as one byte, once per message (Suricata's "
			"dns.opcode, through byte_test)"},
	[BUF_RRTYPE] = {"dns.rrtype",
			"each question's type (query) or answer record's type (response) as two "
			"bytes, big endian (Suricata's dns.rrtype, through byte_test)"},
	[BUF_QUERIES_RRNAME] = {"dns.queries.rrname",
				"each question name of a request or a response, dotted, case as "
				"sent (Suricata 8's dns.queries.rrname)"},
	[BUF_PKT_DATA] = {"pkt_data",
			  "the payload in a rule that also names dns buffers: the request's "
			  "DNS message (over TCP without its length prefix)"},
};

enum { OPT_ALERTS = 0, OPT_TCP_MAX, OPT_COUNT };

static const struct ids_option_def dns_options[OPT_COUNT] = {
	[OPT_ALERTS] = {"alerts-per-message", IDS_OPT_INT, "15", 1, 1000,
			"most alerts raised for one DNS message"},
	[OPT_TCP_MAX] =
		{"tcp-max-message", IDS_OPT_INT, "65535", 12, 65535,
		 "longest DNS-over-TCP message reassembled (bytes); longer ones are skipped"},
};

/* Its counters in stats records (plugins.dns.*): struct dns_counters'
 * members in order, errors[1..] as error_<name>. */
static const char *const dns_counter_names[] = {"messages",
						"queries",
						"responses",
						"alerts",
						"records",
						"tcp_oversized",
						"tcp_truncated",
						"tcp_lost",
						"no_memory",
						"error_short",
						"error_truncated",
						"error_bad_label",
						"error_pointer_forward",
						"error_pointer_hops",
						"error_name_too_long",
						"error_bad_rdata",
						"error_bad_opcode"};
#define DNS_COUNTERS (sizeof(dns_counter_names) / sizeof(dns_counter_names[0]))

struct dns_global {
	const struct ids_services *svc;
	int counter_id[DNS_COUNTERS];
	int counters;			  /* counters registered (ABI 1.3) */
	struct ids_matcher *m[BUF_COUNT]; /* NULL for a buffer without rules */
	struct ids_matcher *tx;		  /* multi-buffer rules (ABI 1.4), or NULL */
	unsigned max_alerts;
	uint32_t tcp_max;
	int abi_1_3; /* the host has records and alert_tx */
};

struct dns_counters {
	uint64_t messages, queries, responses, alerts, records;
	uint64_t tcp_oversized, tcp_truncated, tcp_lost, no_memory;
	uint64_t errors[DNS_ERROR_COUNT]; /* [-enum dns_error] */
};

struct dns_thread {
	const struct dns_global *g;
	struct dns_counters c;
	uint64_t published[DNS_COUNTERS];
	const struct ids_rule **alerted;   /* rules alerted for the current message */
	struct dns_record rec;		   /* record being scanned */
	struct dns_record rrec;		   /* record being rendered */
	char text[ANSWER_TEXT_MAX];	   /* dns.answer text being scanned */
	char qname[DNS_NAME_TEXT_MAX + 1]; /* the message's first question, for tx scans */
	size_t qname_len;
	int has_qname;
	char rtext[ANSWER_TEXT_MAX]; /* rdata text being rendered */
	char fields[DNS_FIELDS_MAX]; /* the message's rendered `dns` object */
};

/* Queries a response is matched with (by DNS id) for its tx_id. */
#define DNS_PENDING 8

/* Per-flow state, in the flow's flow_data slot; owned by the plugin. */
struct dns_flow {
	uint64_t queries; /* transactions seen: the tx_id of the next one */
	struct dns_tcp_dir dir[2];
	uint16_t pend_id[DNS_PENDING]; /* DNS ids of unanswered queries, oldest first */
	uint64_t pend_tx[DNS_PENDING]; /* and their tx_id */
	uint8_t pend_n;
};

/* One message being scanned. */
struct dns_scan {
	struct dns_thread *t;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
	const uint8_t *msg;
	size_t len;
	struct dns_header hdr;
	uint64_t tx_id;
	unsigned n_alerted;
	int rendered;
	int stop;
};

/* ------------------------------------------------------- JSON writer */

/* Appends to a fixed buffer, always leaving JW_RESERVE bytes for the
 * closing brackets; `over` is set when something did not fit. */
struct jw {
	const struct ids_services *svc;
	char *buf;
	size_t cap, len;
	int over;
};

/* Bytes that may still be written before the reserve. */
static size_t jw_room(const struct jw *w)
{
	return w->len + JW_RESERVE < w->cap ? w->cap - JW_RESERVE - w->len : 0;
}

static void jw_raw(struct jw *w, const char *s)
{
	size_t n = strlen(s);

	if (w->over || n > jw_room(w)) {
		w->over = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* Closing brackets, which may use the reserve. */
static void jw_close(struct jw *w, const char *s)
{
	size_t n = strlen(s);

	if (n < w->cap - w->len) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static void jw_str(struct jw *w, const char *s, size_t n)
{
	size_t room = jw_room(w), need;

	if (w->over || room < 3) {
		w->over = 1;
		return;
	}
	w->buf[w->len] = '"';
	need = w->svc->json_escape(w->buf + w->len + 1, room - 1, s, n);
	if (need + 2 > room) {
		w->over = 1;
		return;
	}
	w->len += 1 + need;
	w->buf[w->len++] = '"';
}

static void jw_uint(struct jw *w, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	jw_raw(w, num);
}

/* A key (with its comma and colon, as given) and a string value. */
static void jw_kstr(struct jw *w, const char *key_colon, const char *s, size_t n)
{
	jw_raw(w, key_colon);
	jw_str(w, s, n);
}

/* ------------------------------------------------------- rendering */

/* "name TYPE rdata" (or "name TYPE" for a type without text) into
 * t->text; returns its length (rdata cut to what fits). */
static size_t dns_answer_text(struct dns_thread *t, const uint8_t *msg, size_t len,
			      const struct dns_record *rec)
{
	char tmp[6];
	const char *type = dns_type_name(rec->type, tmp);
	size_t n = rec->name_len, tl = strlen(type), cap;
	long r;

	memcpy(t->text, rec->name, n);
	t->text[n++] = ' ';
	memcpy(t->text + n, type, tl);
	n += tl;
	t->text[n] = '\0';
	cap = sizeof(t->text) - n - 1;
	r = dns_rdata_text(msg, len, rec, t->text + n + 1, cap);
	if (r < 0)
		return n;
	t->text[n] = ' ';
	return n + 1 + ((size_t)r < cap ? (size_t)r : cap - 1);
}

/* Before a list element: the comma unless first; 0 when it did not fit
 * (the caller then rolls the element back and ends the list). */
static int jw_element(struct jw *w, int first)
{
	if (!first)
		jw_raw(w, ",");
	return !w->over;
}

/* "queries":[{"rrname":...,"rrtype":...},...] */
static void render_queries(struct jw *w, struct dns_scan *s)
{
	struct dns_record *q = &s->t->rrec;
	struct dns_reader r;
	char tmp[6];
	int first = 1;

	dns_reader_init(&r, s->msg, s->len);
	jw_raw(w, ",\"queries\":[");
	if (w->over)
		return;
	while (dns_reader_next(&r, q) == 1 && q->section == DNS_SEC_QUESTION) {
		size_t mark = w->len;
		const char *type = dns_type_name(q->type, tmp);

		if (jw_element(w, first)) {
			jw_kstr(w, "{\"rrname\":", q->name, q->name_len);
			jw_kstr(w, ",\"rrtype\":", type, strlen(type));
			jw_raw(w, "}");
		}
		if (w->over) {
			w->len = mark;
			w->over = 0;
			break;
		}
		first = 0;
	}
	jw_close(w, "]");
}

/* The rdata of `rr` as text into t->rtext: its length as written, or -1
 * for a type without text. */
static long rdata_text(struct dns_scan *s, const struct dns_record *rr)
{
	long n = dns_rdata_text(s->msg, s->len, rr, s->t->rtext, sizeof(s->t->rtext));

	if (n >= (long)sizeof(s->t->rtext))
		n = (long)sizeof(s->t->rtext) - 1;
	return n;
}

/* {"rrname":...,"rrtype":...,"ttl":N[,"rdata":...]} */
static void render_rr(struct jw *w, struct dns_scan *s, const struct dns_record *rr)
{
	char tmp[6];
	const char *type = dns_type_name(rr->type, tmp);
	long n;

	jw_kstr(w, "{\"rrname\":", rr->name, rr->name_len);
	jw_kstr(w, ",\"rrtype\":", type, strlen(type));
	jw_raw(w, ",\"ttl\":");
	jw_uint(w, rr->ttl);
	n = rdata_text(s, rr);
	if (n >= 0)
		jw_kstr(w, ",\"rdata\":", s->t->rtext, (size_t)n);
	jw_raw(w, "}");
}

/* The records of `section` as a list of render_rr objects. */
static void render_rr_list(struct jw *w, struct dns_scan *s, uint8_t section, const char *key)
{
	struct dns_record *rr = &s->t->rrec;
	struct dns_reader r;
	int first = 1;

	dns_reader_init(&r, s->msg, s->len);
	jw_raw(w, key);
	if (w->over)
		return;
	while (dns_reader_next(&r, rr) == 1) {
		size_t mark = w->len;

		if (rr->section != section)
			continue;
		if (jw_element(w, first))
			render_rr(w, s, rr);
		if (w->over) {
			w->len = mark;
			w->over = 0;
			break;
		}
		first = 0;
	}
	jw_close(w, "]");
}

/* The rdata of every answer of `type` as a list: "TYPE":["...",...]. */
static void render_group(struct jw *w, struct dns_scan *s, uint16_t type, int first_group)
{
	struct dns_record *rr = &s->t->rrec;
	struct dns_reader r;
	char tmp[6];
	const char *name = dns_type_name(type, tmp);
	int first = 1;
	size_t start = w->len;

	dns_reader_init(&r, s->msg, s->len);
	jw_raw(w, first_group ? "" : ",");
	jw_str(w, name, strlen(name));
	jw_raw(w, ":[");
	if (w->over) { /* no room for the list: leave it out, stop grouping */
		w->len = start;
		return;
	}
	while (dns_reader_next(&r, rr) == 1) {
		size_t mark = w->len;

		if (rr->section != DNS_SEC_ANSWER || rr->type != type)
			continue;
		long n = rdata_text(s, rr);

		if (jw_element(w, first))
			jw_str(w, s->t->rtext, n > 0 ? (size_t)n : 0);
		if (w->over) {
			w->len = mark;
			w->over = 0;
			break;
		}
		first = 0;
	}
	jw_close(w, "]");
}

/* "grouped":{...}: one list per rendered type, in order of first answer. */
static void render_grouped(struct jw *w, struct dns_scan *s)
{
	static const uint16_t text_types[] = {DNS_TYPE_A,  DNS_TYPE_AAAA, DNS_TYPE_CNAME,
					      DNS_TYPE_NS, DNS_TYPE_PTR,  DNS_TYPE_MX,
					      DNS_TYPE_TXT};
	enum { N_TYPES = sizeof(text_types) / sizeof(text_types[0]) };
	uint16_t order[N_TYPES];
	size_t n = 0;
	struct dns_reader r;
	struct dns_record *rr = &s->t->rrec;

	dns_reader_init(&r, s->msg, s->len);
	while (n < N_TYPES && dns_reader_next(&r, rr) == 1) {
		int known = 0, seen = 0;

		if (rr->section != DNS_SEC_ANSWER)
			continue;
		for (size_t i = 0; i < N_TYPES; i++)
			known |= text_types[i] == rr->type;
		for (size_t i = 0; i < n; i++)
			seen |= order[i] == rr->type;
		if (known && !seen)
			order[n++] = rr->type;
	}
	jw_raw(w, ",\"grouped\":{");
	if (w->over)
		return;
	for (size_t i = 0; i < n && !w->over; i++)
		render_group(w, s, order[i], i == 0);
	jw_close(w, "}");
}

/* Suricata 8's `dns` object (EVE DNS version 3), the same in records and
 * alerts: header fields, then the queries, answers (and grouped) and
 * authorities of the message. */
static void render_v3(struct jw *w, struct dns_scan *s)
{
	static const struct {
		uint16_t bit;
		const char *text;
	} bits[] = {{DNS_FLAG_QR, ",\"qr\":true"}, {DNS_FLAG_AA, ",\"aa\":true"},
		    {DNS_FLAG_TC, ",\"tc\":true"}, {DNS_FLAG_RD, ",\"rd\":true"},
		    {DNS_FLAG_RA, ",\"ra\":true"}, {DNS_FLAG_Z, ",\"z\":true"}};
	char flags[8], tmp[6];
	const char *rcode = dns_rcode_name(DNS_RCODE(s->hdr.flags), tmp);

	jw_raw(w, "\"dns\":{\"version\":3,\"type\":");
	jw_raw(w, s->hdr.flags & DNS_FLAG_QR ? "\"response\"" : "\"request\"");
	jw_raw(w, ",\"tx_id\":");
	jw_uint(w, s->tx_id);
	jw_raw(w, ",\"id\":");
	jw_uint(w, s->hdr.id);
	snprintf(flags, sizeof(flags), "%x", s->hdr.flags);
	jw_kstr(w, ",\"flags\":", flags, strlen(flags));
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (s->hdr.flags & bits[i].bit)
			jw_raw(w, bits[i].text);
	jw_raw(w, ",\"opcode\":");
	jw_uint(w, DNS_OPCODE(s->hdr.flags));
	jw_kstr(w, ",\"rcode\":", rcode, strlen(rcode));
	if (s->hdr.qdcount)
		render_queries(w, s);
	if (s->hdr.ancount) {
		render_rr_list(w, s, DNS_SEC_ANSWER, ",\"answers\":[");
		render_grouped(w, s);
	}
	if (s->hdr.nscount)
		render_rr_list(w, s, DNS_SEC_AUTHORITY, ",\"authorities\":[");
	jw_close(w, "}");
}

/* The message's `dns` object into t->fields. */
static void dns_render(struct dns_scan *s)
{
	struct jw w = {s->t->g->svc, s->t->fields, sizeof(s->t->fields), 0, 0};

	render_v3(&w, s);
	w.buf[w.len < w.cap ? w.len : w.cap - 1] = '\0';
}

/* ------------------------------------------------------- matching */

static int dns_on_match(const struct ids_rule *rule, void *ctx)
{
	struct dns_scan *s = ctx;
	struct dns_thread *t = s->t;

	for (unsigned i = 0; i < s->n_alerted; i++)
		if (t->alerted[i] == rule)
			return 0;
	if (!s->rendered) {
		dns_render(s);
		s->rendered = 1;
	}
	if (t->g->abi_1_3)
		t->g->svc->alert_tx(s->thr, s->pkt, rule, t->fields, (int64_t)s->tx_id);
	else
		t->g->svc->alert_fields(s->thr, s->pkt, rule, t->fields);
	t->alerted[s->n_alerted++] = rule;
	t->c.alerts++;
	if (s->n_alerted < t->g->max_alerts)
		return 0;
	s->stop = 1;
	return 1;
}

static void dns_scan_buffer(struct dns_scan *s, int buf, const char *text, size_t len)
{
	const struct dns_global *g = s->t->g;

	if (g->m[buf])
		g->svc->matcher_scan(s->thr, g->m[buf], s->pkt, (const uint8_t *)text, len,
				     dns_on_match, s);
}

/* The binary and name buffers of Suricata 8's keywords: dns.opcode once
 * per message (before its records). */
static void dns_scan_opcode(struct dns_scan *s)
{
	uint8_t op = (uint8_t)((s->hdr.flags >> 11) & 0xf);

	dns_scan_buffer(s, BUF_OPCODE, (const char *)&op, 1);
}

/* dns.answer.name for an answer record with a name (the root is skipped,
 * as Suricata does); dns.rrtype for each question of a query and each
 * answer record of a response. */
static void dns_scan_record_keys(struct dns_scan *s, const struct dns_record *rec)
{
	uint8_t section = (s->hdr.flags & DNS_FLAG_QR) ? DNS_SEC_ANSWER : DNS_SEC_QUESTION;
	uint8_t type[2] = {(uint8_t)(rec->type >> 8), (uint8_t)rec->type};

	if (rec->section == DNS_SEC_ANSWER && rec->name_len)
		dns_scan_buffer(s, BUF_ANSWER_NAME, rec->name, rec->name_len);
	if (!s->stop && rec->section == section)
		dns_scan_buffer(s, BUF_RRTYPE, (const char *)type, 2);
}

/*
 * Multi-buffer rules (ABI 1.4 transaction matcher) on every buffer of the
 * plugin. A response: one step per answer record, with the message's
 * first question (dns.query), the record (dns.answer, dns.answer.name,
 * its dns.rrtype) and the message's dns.opcode. A query: one step per
 * question, with its name (dns.query), its dns.rrtype and dns.opcode (no
 * answer buffers: a rule naming one does not fire on queries), and the
 * request's whole message as pkt_data (the payload of a rule that also
 * names dns buffers: Suricata matches it on the packet's payload in the
 * rule's direction, and dns.query makes that the request's). Every buffer
 * is fresh in each step; dns_on_match keeps a rule to one alert per
 * message, so a rule fires at most once per query or response.
 */
static void dns_tx_scan(struct dns_scan *s, const struct dns_record *rec, size_t answer_len)
{
	struct dns_thread *t = s->t;
	uint8_t op = (uint8_t)((s->hdr.flags >> 11) & 0xf);
	uint8_t type[2] = {(uint8_t)(rec->type >> 8), (uint8_t)rec->type};
	struct ids_tx_buffer bufs[6];
	size_t n = 0;

	bufs[n++] = (struct ids_tx_buffer){BUF_OPCODE, IDS_TXBUF_FRESH, &op, 1};
	bufs[n++] = (struct ids_tx_buffer){BUF_RRTYPE, IDS_TXBUF_FRESH, type, 2};
	if (rec->section == DNS_SEC_QUESTION) {
		bufs[n++] = (struct ids_tx_buffer){BUF_QUERY, IDS_TXBUF_FRESH,
						   (const uint8_t *)rec->name, rec->name_len};
		bufs[n++] = (struct ids_tx_buffer){BUF_PKT_DATA, IDS_TXBUF_FRESH, s->msg, s->len};
	} else if (t->has_qname) /* a response's first question */
		bufs[n++] = (struct ids_tx_buffer){BUF_QUERY, IDS_TXBUF_FRESH,
						   (const uint8_t *)t->qname, t->qname_len};
	if (rec->section == DNS_SEC_ANSWER) {
		bufs[n++] = (struct ids_tx_buffer){BUF_ANSWER, IDS_TXBUF_FRESH,
						   (const uint8_t *)t->text, answer_len};
		if (rec->name_len) /* the root has no dns.answer.name, as above */
			bufs[n++] =
				(struct ids_tx_buffer){BUF_ANSWER_NAME, IDS_TXBUF_FRESH,
						       (const uint8_t *)rec->name, rec->name_len};
	}
	t->g->svc->matcher_tx_scan(s->thr, t->g->tx, s->pkt, bufs, n, dns_on_match, s);
}

static void dns_question(struct dns_scan *s, const struct dns_record *rec)
{
	struct dns_thread *t = s->t;

	/* dns.query looks at requests only, as Suricata's (a response's
	 * question is there for multi-buffer rules, with its answers) */
	dns_scan_buffer(s, BUF_QUERIES_RRNAME, rec->name, rec->name_len);
	if (!s->stop && !(s->hdr.flags & DNS_FLAG_QR)) {
		dns_scan_buffer(s, BUF_QUERY, rec->name, rec->name_len);
		if (t->g->tx && !s->stop)
			dns_tx_scan(s, rec, 0);
	}
	if (!t->g->tx || t->has_qname)
		return;
	t->qname_len = rec->name_len < sizeof(t->qname) ? rec->name_len : sizeof(t->qname) - 1;
	memcpy(t->qname, rec->name, t->qname_len);
	t->has_qname = 1;
}

/* Scan each question name and each answer record of a checked message. */
static void dns_scan_message(struct dns_scan *s)
{
	struct dns_thread *t = s->t;
	struct dns_record *rec = &t->rec;
	struct dns_reader r;

	dns_scan_opcode(s);
	t->has_qname = 0;
	dns_reader_init(&r, s->msg, s->len);
	while (!s->stop && dns_reader_next(&r, rec) == 1) {
		if (rec->section != DNS_SEC_AUTHORITY)
			dns_scan_record_keys(s, rec);
		if (s->stop)
			break;
		if (rec->section == DNS_SEC_QUESTION) {
			dns_question(s, rec);
		} else if (rec->section == DNS_SEC_ANSWER && (t->g->m[BUF_ANSWER] || t->g->tx)) {
			size_t n = dns_answer_text(t, s->msg, s->len, rec);

			dns_scan_buffer(s, BUF_ANSWER, t->text, n);
			if (t->g->tx && !s->stop)
				dns_tx_scan(s, rec, n);
		} else if (rec->section == DNS_SEC_AUTHORITY) {
			break;
		}
	}
}

/* The flow's state, made on first use when `create`; NULL without a flow
 * or memory. */
static struct dns_flow *dns_flow_get(struct dns_thread *t, struct ids_thread *thr, int create)
{
	void **slot = t->g->svc->flow_data(thr);

	if (!slot)
		return NULL;
	if (!*slot && create) {
		*slot = calloc(1, sizeof(struct dns_flow));
		if (!*slot)
			t->c.no_memory++;
	}
	return *slot;
}

/* Forget pending query i. */
static void pend_drop(struct dns_flow *f, unsigned i)
{
	f->pend_n--;
	memmove(f->pend_id + i, f->pend_id + i + 1, (f->pend_n - i) * sizeof(f->pend_id[0]));
	memmove(f->pend_tx + i, f->pend_tx + i + 1, (f->pend_n - i) * sizeof(f->pend_tx[0]));
}

/* The tx_id of a message: a query starts a transaction, a response joins
 * the oldest unanswered query of the flow's last DNS_PENDING with its DNS
 * id (a response to no query seen starts one of its own). */
static uint64_t dns_tx_id(struct dns_flow *f, const struct dns_header *h)
{
	uint64_t tx;

	if (h->flags & DNS_FLAG_QR) {
		for (unsigned i = 0; i < f->pend_n; i++)
			if (f->pend_id[i] == h->id) {
				tx = f->pend_tx[i];
				pend_drop(f, i);
				return tx;
			}
		return f->queries++;
	}
	tx = f->queries++;
	if (f->pend_n == DNS_PENDING)
		pend_drop(f, 0); /* never answered: forget the oldest */
	f->pend_id[f->pend_n] = h->id;
	f->pend_tx[f->pend_n++] = tx;
	return tx;
}

/* The message's `dns` record (one per message, as Suricata 8 logs a
 * request and a response), after its alerts. */
static void dns_record(struct dns_scan *s)
{
	const struct ids_services *svc = s->t->g->svc;
	struct ids_json *j;

	if (!s->t->g->abi_1_3)
		return;
	j = svc->record_begin(s->thr, s->pkt, "dns", (int64_t)s->tx_id);
	if (!j)
		return;
	if (!s->rendered) {
		dns_render(s);
		s->rendered = 1;
	}
	/* t->fields is "dns":{...}: the object after the key */
	svc->json->raw(j, "dns", s->t->fields + 6);
	svc->record_end(s->thr, j);
	s->t->c.records++;
}

/* One message from UDP or TCP: check it, count it, scan it. */
static void dns_message(struct dns_thread *t, struct ids_thread *thr, const struct ids_packet *pkt,
			const uint8_t *msg, size_t len, struct dns_flow *flow)
{
	struct dns_scan s = {.t = t, .thr = thr, .pkt = pkt, .msg = msg, .len = len};
	int rc = dns_message_check(msg, len, &s.hdr);

	if (rc) {
		t->c.errors[-rc]++;
		return;
	}
	t->c.messages++;
	if (s.hdr.flags & DNS_FLAG_QR)
		t->c.responses++;
	else
		t->c.queries++;
	if (!flow)
		flow = dns_flow_get(t, thr, 1);
	if (flow)
		s.tx_id = dns_tx_id(flow, &s.hdr);
	dns_scan_message(&s);
	dns_record(&s);
}

/* ------------------------------------------------------- UDP */

static int udp_port_dns(uint16_t port)
{
	return port == 53 || port == 5353 || port == 5355;
}

static int dns_app_proto(const struct dns_global *g, struct ids_thread *thr)
{
	const char *p = g->svc->app_proto(thr);

	return p && strcmp(p, "dns") == 0;
}

static void dns_on_packet(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt)
{
	struct dns_thread *t = thread_ctx;

	if (pkt->proto != PROTO_UDP || !pkt->payload_len)
		return;
	if (!udp_port_dns(pkt->sport) && !udp_port_dns(pkt->dport) && !dns_app_proto(t->g, thr))
		return;
	dns_message(t, thr, pkt, pkt->payload, pkt->payload_len, dns_flow_get(t, thr, 0));
}

/* ------------------------------------------------------- TCP */

/* A message of a TCP flow direction, from dns_tcp_feed. */
struct tcp_msg_ctx {
	struct dns_thread *t;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
	struct dns_flow *f;
};

static void tcp_message(void *ctx, const uint8_t *msg, size_t len)
{
	struct tcp_msg_ctx *m = ctx;

	dns_message(m->t, m->thr, m->pkt, msg, len, m->f);
}

/* The chunk's bytes through the framing (dns_tcp.h), counted. */
static void tcp_feed(struct dns_thread *t, struct ids_thread *thr, const struct ids_packet *pkt,
		     struct dns_flow *f, struct dns_tcp_dir *d, const uint8_t *data, uint32_t len)
{
	struct tcp_msg_ctx m = {.t = t, .thr = thr, .pkt = pkt, .f = f};
	struct dns_tcp_counts c = {0};

	dns_tcp_feed(d, t->g->tcp_max, data, len, &c, tcp_message, &m);
	t->c.errors[-DNS_E_SHORT] += c.empty;
	t->c.tcp_oversized += c.oversized;
	t->c.no_memory += c.no_memory;
}

static int tcp_is_dns(const struct dns_thread *t, struct ids_thread *thr,
		      const struct ids_packet *pkt, const struct ids_stream_chunk *chunk)
{
	uint16_t server_port = chunk->direction == IDS_DIR_TO_SERVER ? pkt->dport : pkt->sport;

	return server_port == 53 || dns_app_proto(t->g, thr);
}

static void dns_on_stream(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			  const struct ids_stream_chunk *chunk)
{
	struct dns_thread *t = thread_ctx;
	struct dns_flow *f;
	struct dns_tcp_dir *d;

	if (!tcp_is_dns(t, thr, pkt, chunk) || !(f = dns_flow_get(t, thr, 1)))
		return;
	d = &f->dir[chunk->direction & 1];
	if (!d->lost && ((chunk->flags & IDS_STREAM_GAP) || (!d->started && chunk->offset))) {
		t->c.tcp_lost++;
		d->lost = 1;
		dns_tcp_reset(d);
	}
	d->started = 1;
	if (d->lost)
		return;
	tcp_feed(t, thr, pkt, f, d, chunk->data, chunk->len);
	if (chunk->flags & IDS_STREAM_END) {
		if (dns_tcp_pending(d))
			t->c.tcp_truncated++;
		dns_tcp_reset(d);
	}
}

static void dns_on_flow_end(void *thread_ctx, struct ids_thread *thr,
			    const struct ids_flow_info *flow)
{
	struct dns_thread *t = thread_ctx;
	void **slot = t->g->svc->flow_data(thr);
	struct dns_flow *f;

	(void)flow;
	if (!slot || !*slot)
		return;
	f = *slot;
	dns_tcp_reset(&f->dir[0]);
	dns_tcp_reset(&f->dir[1]);
	free(f);
	*slot = NULL;
}

/* ------------------------------------------------------- lifecycle */

static void dns_fini(void *global)
{
	struct dns_global *g = global;

	if (!g)
		return;
	ids_free_matchers(g->svc, g->m, BUF_COUNT);
	ids_free_matchers(g->svc, &g->tx, 1);
	free(g);
}

static int dns_init(const struct ids_plugin_init_args *args, void **global)
{
	struct dns_global *g;

	if (ids_require_abi(args, "dns", 2) < 0 ||
	    ids_rules_need_buffers(args, "dns", dns_buffers, BUF_COUNT) < 0)
		return -1;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->svc = args->svc;
	g->max_alerts = (unsigned)args->opts[OPT_ALERTS].i;
	g->tcp_max = (uint32_t)args->opts[OPT_TCP_MAX].i;
	g->abi_1_3 = ids_has_abi(args->svc, 3);
	g->counters = g->abi_1_3 && ids_counters_register(args->svc, dns_counter_names,
							  DNS_COUNTERS, g->counter_id) == 0;
	if (ids_compile_buffers(args, dns_buffers, BUF_COUNT, g->m) < 0 ||
	    ids_compile_tx(args, dns_buffers, BUF_COUNT, NULL, NULL, &g->tx) < 0) {
		dns_fini(g);
		return -1;
	}
	*global = g;
	return 0;
}

static int dns_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	struct dns_global *g = global;
	struct dns_thread *t = calloc(1, sizeof(*t));

	(void)thr;
	if (!t)
		return -1;
	t->g = g;
	t->alerted = calloc(g->max_alerts, sizeof(*t->alerted));
	if (!t->alerted) {
		free(t);
		return -1;
	}
	*thread_ctx = t;
	return 0;
}

/* Once a second and at the end: the counters into the stats records. */
static void dns_tick(void *thread_ctx, struct ids_thread *thr, int64_t now_usec)
{
	struct dns_thread *t = thread_ctx;
	const struct dns_counters *c = &t->c;
	uint64_t now[DNS_COUNTERS] = {c->messages,	c->queries,  c->responses,
				      c->alerts,	c->records,  c->tcp_oversized,
				      c->tcp_truncated, c->tcp_lost, c->no_memory};

	(void)now_usec;
	if (!t->g->counters)
		return;
	for (int e = 1; e < DNS_ERROR_COUNT; e++)
		now[8 + e] = c->errors[e];
	ids_counters_publish(t->g->svc, thr, t->g->counter_id, now, t->published, DNS_COUNTERS);
}

/* The parse errors as " name=N" pairs, those seen only. */
static void errors_text(const struct dns_counters *c, char *out, size_t cap)
{
	size_t at = 0;

	out[0] = '\0';
	for (int e = 1; e < DNS_ERROR_COUNT && at < cap; e++)
		if (c->errors[e])
			at += (size_t)snprintf(out + at, cap - at, " %s=%llu", dns_error_name(-e),
					       (unsigned long long)c->errors[e]);
}

static void dns_thread_fini(void *thread_ctx)
{
	struct dns_thread *t = thread_ctx;
	const struct dns_counters *c;
	char errs[256];

	if (!t)
		return;
	c = &t->c;
	errors_text(c, errs, sizeof(errs));
	t->g->svc->log(IDS_LOG_INFO,
		       "dns: %llu messages (%llu queries, %llu responses), %llu alerts; tcp: %llu "
		       "oversized, %llu truncated, %llu lost; parse errors:%s",
		       (unsigned long long)c->messages, (unsigned long long)c->queries,
		       (unsigned long long)c->responses, (unsigned long long)c->alerts,
		       (unsigned long long)c->tcp_oversized, (unsigned long long)c->tcp_truncated,
		       (unsigned long long)c->tcp_lost, errs[0] ? errs : " none");
	free(t->alerted);
	free(t);
}

static const struct ids_plugin dns_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "dns",
	.version = "1.0",
	.description = "DNS over UDP and TCP: rules on question names and answer records, alerts "
		       "with Suricata's dns object",
	.options = dns_options,
	.n_options = OPT_COUNT,
	.init = dns_init,
	.thread_init = dns_thread_init,
	.on_packet = dns_on_packet,
	.tick = dns_tick,
	.thread_fini = dns_thread_fini,
	.fini = dns_fini,
	.on_stream = dns_on_stream,
	.on_flow_end = dns_on_flow_end,
	.buffers = dns_buffers,
	.n_buffers = BUF_COUNT,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &dns_plugin;
}
