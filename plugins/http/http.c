/*
 * http.c - the http detector plugin: HTTP/1.x requests and responses parsed
 * from reassembled TCP streams, rules matched on the buffers it extracts
 * (http.uri, http.host, ...), alerts carrying Suricata's `http` object.
 *
 * Design: the plugin looks at every TCP flow whatever its ports. The
 * host's application-protocol guess rules out flows it recognised as
 * something else; other flows get a struct http_conn in their flow_data
 * slot on their first data: two parsers (http_parser.c), one per direction,
 * and the queue of requests still waiting for their response (pipelining).
 * What alerts say about a request is kept in a record sized to its fields
 * (struct http_req), shared by the queue and the conn through a reference
 * count, and freed when its response and the next request are both
 * there.
 * A flow whose first start line is not HTTP is marked with not_http_mark
 * and ignored from then on. Each buffer with rules has its own block
 * matcher; a buffer is scanned once it is complete:
 *
 *   request head complete   http.method, http.uri, http.uri.raw, http.host,
 *                           http.user_agent, and the buffers of Suricata's
 *                           other http keywords that a request has (header
 *                           values, header block forms, the head, the
 *                           request line; see http_buffers)
 *   request body            http.request_body, file.data (decoded from its
 *                           Content-Encoding), the first body-limit bytes
 *   response head complete  http.status, http.stat_code, http.stat_msg, the
 *                           response line and the response's headers
 *   response body           http.response_body, file.data, the first
 *                           body-limit bytes
 *   message end             pkt_data (multi-buffer rules only): the
 *                           message as sent, head and body, see
 *                           payload_ready
 *
 * A body or request-only buffer that multi-buffer rules name is held for
 * the transaction steps; with a host of ABI 1.5 its single-buffer rules are
 * compiled into the transaction matchers too (http_compile, tx_single), so
 * the step scans it once for both kinds of rules instead of once per
 * matcher.
 *
 * App-layer events (ABI 1.6, http_events): Suricata's Transfer-Encoding
 * events, raised once per head before its buffers are scanned.
 *
 * Method and URI are scanned with the rest of the head rather than right
 * after the request line, so that their alerts carry the hostname and user
 * agent too. Alerts name the packet (stream segment) that completed the
 * buffer. Responses are matched to requests in order; a request alert has
 * no status, a response alert has the status and, when known, the length.
 * When the response side loses bytes that may have held whole responses
 * (a gap, a lost head), the requests still queued are dropped (see
 * queue_flush): later responses carry no request rather than the wrong one
 * until the requests sent after the loss are answered.
 *
 * State and threads: the matchers and options are built in init and only
 * read afterwards. Each worker has a struct http_thread (counters, the
 * buffer the `http` object is rendered into and the parsers' scratch: a
 * flow stays on one worker, so its parsers always use their worker's);
 * each flow its http_conn, allocated once on the flow's first data and
 * freed when both directions ended or in on_flow_end. Memory that depends
 * on the traffic is taken per message and bounded: a request record (at
 * most the fields' maximums, QUEUE_MAX + 2 alive), a head buffer while a
 * head spans stream chunks (at most HTTP_MAX_HEAD per direction, freed
 * once the head is complete), a body buffer while a body with rules is
 * collected (at most body-limit per direction, freed once scanned).
 * Nothing is allocated per packet beyond that; nothing is logged per
 * packet (parse errors are counted per kind and logged once when the
 * worker stops).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ids/plugin.h>
#include <ids/plugin_util.h>

#include "http_fields.h"
#include "http_parser.h"

enum http_buf {
	BUF_METHOD = 0,
	BUF_URI,
	BUF_URI_RAW,
	BUF_HOST,
	BUF_UA,
	BUF_HEADER,
	BUF_REQ_BODY,
	BUF_STATUS,
	BUF_RESP_BODY,
	/* the buffers of Suricata's http keywords that ET Open uses */
	BUF_PROTOCOL,
	BUF_REQUEST_LINE,
	BUF_RESPONSE_LINE,
	BUF_START,
	BUF_HEADER_RAW,
	BUF_HEADER_NAMES,
	BUF_HOST_RAW,
	BUF_COOKIE,
	BUF_REFERER,
	BUF_ACCEPT,
	BUF_ACCEPT_LANG,
	BUF_ACCEPT_ENC,
	BUF_CONNECTION,
	BUF_CONTENT_TYPE,
	BUF_CONTENT_LEN,
	BUF_STAT_CODE,
	BUF_STAT_MSG,
	BUF_LOCATION,
	BUF_SERVER,
	BUF_FILE_DATA,
	BUF_PKT_DATA, /* multi-buffer rules only: the message as sent */
	BUF_COUNT
};

static const struct ids_buffer_def http_buffers[BUF_COUNT] = {
	[BUF_METHOD] = {"http.method", "request method as sent (GET, POST, ...)"},
	[BUF_URI] = {"http.uri", "request URI, percent-decoded, dot segments removed"},
	[BUF_URI_RAW] = {"http.uri.raw", "request URI as sent"},
	[BUF_HOST] = {"http.host", "Host header value, lower case, port stripped"},
	[BUF_UA] = {"http.user_agent", "User-Agent header value"},
	[BUF_HEADER] = {"http.header",
			"header lines of a request or response, normalised as Suricata's "
			"http.header: \"Name: value\\r\\n\", values trimmed and unfolded, "
			"Cookie and Set-Cookie left out"},
	[BUF_REQ_BODY] = {"http.request_body", "request body, de-chunked, first body-limit bytes"},
	[BUF_STATUS] = {"http.status", "response status code, 3 digits (as http.stat_code)"},
	[BUF_RESP_BODY] = {"http.response_body",
			   "response body, de-chunked, first body-limit bytes"},
	[BUF_PROTOCOL] = {"http.protocol", "protocol of a request or status line (HTTP/1.1)"},
	[BUF_REQUEST_LINE] = {"http.request_line", "the request line as sent, without CR LF"},
	[BUF_RESPONSE_LINE] = {"http.response_line", "the status line as sent, without CR LF"},
	[BUF_START] = {"http.start",
		       "the head of a request or response as sent: start line, header lines "
		       "and the blank line"},
	[BUF_HEADER_RAW] = {"http.header.raw", "header lines of a request or response as sent"},
	[BUF_HEADER_NAMES] = {"http.header_names",
			      "header names of a request or response in order: \"\\r\\n\", "
			      "each name and \"\\r\\n\", then \"\\r\\n\""},
	[BUF_HOST_RAW] = {"http.host.raw", "Host header value as sent (case and port kept)"},
	[BUF_COOKIE] = {"http.cookie", "Cookie (request) or Set-Cookie (response) value"},
	[BUF_REFERER] = {"http.referer", "Referer header value"},
	[BUF_ACCEPT] = {"http.accept", "Accept header value"},
	[BUF_ACCEPT_LANG] = {"http.accept_lang", "Accept-Language header value"},
	[BUF_ACCEPT_ENC] = {"http.accept_enc", "Accept-Encoding header value"},
	[BUF_CONNECTION] = {"http.connection", "Connection header value, request or response"},
	[BUF_CONTENT_TYPE] = {"http.content_type", "Content-Type value, request or response"},
	[BUF_CONTENT_LEN] = {"http.content_len", "Content-Length value, request or response"},
	[BUF_STAT_CODE] = {"http.stat_code", "response status code, 3 digits"},
	[BUF_STAT_MSG] = {"http.stat_msg", "reason phrase of the status line (\"Not Found\")"},
	[BUF_LOCATION] = {"http.location", "Location header value of a response"},
	[BUF_SERVER] = {"http.server", "Server header value of a response"},
	[BUF_FILE_DATA] = {"file.data",
			   "request or response body, de-chunked and decoded from gzip or "
			   "deflate, first body-limit bytes (of either)"},
	[BUF_PKT_DATA] = {"pkt_data",
			  "the payload in a rule that also names http buffers: the request "
			  "or response as sent (head, then the de-chunked body, first "
			  "body-limit bytes), once the message is complete"},
};

enum { OPT_BODY_LIMIT = 0, OPT_LOG_HEADERS, OPT_COUNT };

/*
 * The app-layer events the plugin raises, Suricata's http events it can
 * tell exactly (libhtp's conditions, docs/events.md), each once per
 * message, before the message's buffers are scanned:
 *   - a request whose Transfer-Encoding holds no "chunked" (any case,
 *     anywhere in its values), or holds it in a request before HTTP/1.1;
 *   - an HTTP/1.1 request without a Host header;
 *   - a final response whose Transfer-Encoding holds "chunked" but is not
 *     exactly one "chunked" (abnormal), or holds it before HTTP/1.1 (old
 *     proto).
 * invalid_transfer_encoding_value_in_response is declared so that
 * Suricata's http-events.rules load, and never raised: Suricata 8 defines
 * it and never raises it either (a response's Transfer-Encoding without
 * chunked is a body read to the close).
 */
enum http_event_id {
	EV_TE_REQUEST = 0,
	EV_TE_RESPONSE,
	EV_TE_ABNORMAL,
	EV_CHUNKED_OLD,
	EV_MISSING_HOST,
	EV_COUNT
};

static const struct ids_event_def http_events[EV_COUNT] = {
	[EV_TE_REQUEST] = {"http.invalid_transfer_encoding_value_in_request",
			   "request Transfer-Encoding without chunked, or chunked before "
			   "HTTP/1.1"},
	[EV_TE_RESPONSE] = {"http.invalid_transfer_encoding_value_in_response",
			    "never raised (nor by Suricata 8): lets its rule load"},
	[EV_TE_ABNORMAL] = {"http.response_abnormal_transfer_encoding",
			    "response Transfer-Encoding holding chunked and something else"},
	[EV_CHUNKED_OLD] = {"http.response_chunked_old_proto", "chunked response before HTTP/1.1"},
	[EV_MISSING_HOST] = {"http.missing_host_header", "HTTP/1.1 request without Host"},
};

static const struct ids_option_def http_options[OPT_COUNT] = {
	[OPT_BODY_LIMIT] = {"body-limit", IDS_OPT_INT, "65536", 0, 16777216,
			    "bytes of each request and response body inspected (0: none)"},
	[OPT_LOG_HEADERS] = {"log-headers", IDS_OPT_BOOL, "false", 0, 0,
			     "http records carry request_headers and response_headers"},
};

/* Longest strings kept for the alerts' `http` object. */
#define URL_MAX	    1024
#define UA_MAX	    256
#define METHOD_MAX  32
#define PROTO_MAX   8
#define CTYPE_MAX   128
#define HEADERS_MAX 8192 /* request header bytes kept for its record */
#define QUEUE_MAX   8	 /* requests awaiting their response */
/* Room for the rendered object: every byte may escape to 6. */
#define RENDER_MAX                                                                                 \
	(256 + 6 * (HTTP_MAX_HOST + 2 * URL_MAX + UA_MAX + METHOD_MAX + PROTO_MAX + CTYPE_MAX))

/* Its counters in stats records (plugins.http.*): the thread's counters,
 * then one per parse error (error_<name>). */
enum {
	HC_FLOWS,
	HC_REQUESTS,
	HC_RESPONSES,
	HC_UNMATCHED,
	HC_NOT_HTTP,
	HC_NO_MEMORY,
	HC_RECORDS,
	HC_ERRORS
};
#define HTTP_COUNTERS (HC_ERRORS + HTTP_ERR_COUNT)
static const char *const http_counter_names[HC_ERRORS] = {
	"flows",    "requests",	 "responses", "unmatched_responses",
	"not_http", "no_memory", "records"};

/* Buffers only a request / only a response has; the others (header forms,
 * protocol, cookie, connection, content type and length, file.data) are
 * the request's in a request step and the response's in a response step. */
#define BIT(b) (1ULL << (b))
#define REQ_ONLY                                                                                   \
	(BIT(BUF_METHOD) | BIT(BUF_URI) | BIT(BUF_URI_RAW) | BIT(BUF_HOST) | BIT(BUF_UA) |         \
	 BIT(BUF_REQ_BODY) | BIT(BUF_REQUEST_LINE) | BIT(BUF_HOST_RAW) | BIT(BUF_REFERER) |        \
	 BIT(BUF_ACCEPT) | BIT(BUF_ACCEPT_LANG) | BIT(BUF_ACCEPT_ENC))
#define RESP_ONLY                                                                                  \
	(BIT(BUF_STATUS) | BIT(BUF_RESP_BODY) | BIT(BUF_RESPONSE_LINE) | BIT(BUF_STAT_CODE) |      \
	 BIT(BUF_STAT_MSG) | BIT(BUF_LOCATION) | BIT(BUF_SERVER))

struct http_global {
	const struct ids_services *svc;
	int counter_id[HTTP_COUNTERS];
	bool counters;			  /* counters registered (ABI 1.3) */
	struct ids_matcher *m[BUF_COUNT]; /* NULL for buffers without rules */
	/* multi-buffer rules (ABI 1.4): [0] matched in request steps, [1] in
	 * response steps; tx_bufs: the buffers they name (held per conn) */
	struct ids_matcher *tx[2];
	uint64_t tx_bufs;
	/* bodies that multi-buffer rules name, whose single-buffer rules are
	 * in tx[] too (ABI 1.5): held and scanned once, by the step */
	uint64_t tx_single;
	size_t body_limit;
	bool log_headers;
	bool abi_1_3;	 /* the host has records and alert_tx */
	bool app_events; /* the host has app_event (ABI 1.6) */
};

struct http_thread {
	const struct http_global *g;
	uint64_t errors[HTTP_ERR_COUNT];
	uint64_t requests, responses, flows, not_http, unmatched, no_memory, records;
	uint64_t unpaired; /* response losses after which queued requests were dropped */
	uint64_t decoded, decode_capped, decode_errors; /* file.data bodies */
	struct http_scratch scratch;			/* shared by the parsers of this worker */
	uint64_t published[HTTP_COUNTERS];
	char render[RENDER_MAX];
	uint8_t field[HTTP_MAX_HEAD + 16]; /* a header buffer being scanned */
	uint8_t *decoded_body;		   /* body-limit bytes, on the first coded body */
};

/* What an alert says about a request, copied from its head (it outlives
 * the head while its response is awaited), each field cut at its maximum.
 * Allocated to the size of its fields; referenced by the conn's `cur`,
 * `matched` and queue, freed with the last reference. NULL where a request
 * is unknown. */
struct http_req {
	unsigned refs;
	bool has_host, has_ua, has_refer;
	uint8_t method_len, proto_len;
	uint16_t host_len, url_len, ua_len, refer_len;
	uint32_t hdr_len; /* header lines kept (log-headers), else 0 */
	uint64_t tx_id;	  /* the flow's transaction number, from 0 */
	char text[];	  /* method, protocol, host, url, user agent, referer,
			     headers, back to back */
};

/* The first body-limit bytes of the body being received: `cap` bytes
 * allocated on its first piece (its declared length at once when it has
 * one, else BODY_BUF_MIN doubling up to body-limit), freed once it is
 * scanned or ended. */
struct http_body {
	uint8_t *buf;
	size_t len, cap;
	bool scanned;
};

#define BODY_BUF_MIN 4096 /* first allocation for a body of unknown length */

/* The buffers of the current request / response that multi-buffer rules
 * name, copied as they are extracted, handed to matcher_tx_scan at each
 * step of the transaction (head, body): the head's stay for the body step,
 * the request's (only-request buffers) for the response steps of the same
 * transaction. `mem` grows to the largest message seen and is reused, so
 * a connection's steady state allocates nothing. */
#define TX_FIRED_MAX 8

struct http_txside {
	uint8_t *mem;
	size_t used, cap;
	uint32_t off[BUF_COUNT], len[BUF_COUNT];
	uint64_t present, fresh;
	uint64_t tx_id;
	/* the head as sent, kept (not present) until the message ends, when it
	 * becomes pkt_data with the body appended (see payload_ready) */
	uint32_t head_off, head_len;
	bool head_kept;
	/* request side: multi-buffer rules that alerted in this transaction's
	 * request steps, so that a rule on shared buffers only (matched on
	 * both sides) alerts once per transaction */
	const struct ids_rule *fired[TX_FIRED_MAX];
	unsigned n_fired;
};

struct http_conn {
	struct http_parser req, resp;
	struct http_txside *txs;  /* [dir], allocated on the first hold */
	struct http_req *cur;	  /* the request being parsed (or the last one) */
	struct http_req *matched; /* the request of the response being parsed */
	struct http_req *queue[QUEUE_MAX];
	uint64_t tx_next;		/* tx_id of the next request */
	unsigned q_head, q_len, q_lost; /* q_lost: requests past a full queue */
	struct http_body body[2];	/* [IDS_DIR_TO_SERVER], [IDS_DIR_TO_CLIENT] */
	uint8_t coding[2];		/* enum http_coding of each direction's body */
	bool not_http;
	uint8_t ended; /* bit per direction whose stream ended */
	/* the on_stream call being processed */
	struct http_thread *t;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
};

/* The conn of an open connection stays small: its buffers are allocated
 * apart, when needed (see the file's head). */
_Static_assert(sizeof(struct http_conn) <= 1024, "http_conn grew past 1 KiB");

/* One scan: what the alerts of its matches carry. */
struct http_scan {
	struct http_conn *c;
	int dir;     /* side whose buffers multi-buffer rules hold; -1: none (interim) */
	int tx_step; /* the matches come from a transaction step of this side, else -1 */
	const struct http_req *req; /* NULL: unknown */
	unsigned status;	    /* 0: request side, no status */
	struct http_slice proto;    /* response protocol, when no request is known */
	struct http_slice ctype;    /* response Content-Type, len 0: none */
	int64_t length;		    /* -1: unknown */
	bool rendered;
};

/* The flow_data value of flows that are not HTTP, and of HTTP flows whose
 * both directions ended (their parsers are freed at once, not when the flow
 * idles out: a closed connection costs no memory while its flow waits for
 * its timeout). */
static const char not_http_mark, done_mark;
#define CONN_DONE ((void *)&done_mark)
#define NOT_HTTP  ((void *)&not_http_mark)

/* ------------------------------------------------------ request records */

static const char *req_method(const struct http_req *r)
{
	return r->text;
}

static const char *req_proto(const struct http_req *r)
{
	return req_method(r) + r->method_len;
}

static const char *req_host(const struct http_req *r)
{
	return req_proto(r) + r->proto_len;
}

static const char *req_url(const struct http_req *r)
{
	return req_host(r) + r->host_len;
}

static const char *req_ua(const struct http_req *r)
{
	return req_url(r) + r->url_len;
}

static const char *req_refer(const struct http_req *r)
{
	return req_ua(r) + r->ua_len;
}

static const char *req_headers(const struct http_req *r)
{
	return req_refer(r) + r->refer_len;
}

static size_t cut(const struct http_slice *s, size_t max)
{
	return s->len < max ? s->len : max;
}

static bool name_is(const uint8_t *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	if (n != k)
		return false;
	for (size_t i = 0; i < k; i++)
		if ((p[i] | 0x20) != name[i])
			return false;
	return true;
}

/*
 * The next header line of `h` from *pos: its name and value (leading and
 * trailing blanks trimmed). Lines without a colon (folded continuations)
 * are skipped. false at the end.
 */
static bool header_next(const struct http_slice *h, size_t *pos, struct http_slice *name,
			struct http_slice *value)
{
	while (*pos < h->len) {
		const uint8_t *line = h->p + *pos, *end = memchr(line, '\n', h->len - *pos);
		size_t n = end ? (size_t)(end - line) : h->len - *pos;
		const uint8_t *colon = memchr(line, ':', n);
		size_t v, e;

		*pos += n + (end ? 1 : 0);
		if (n && line[n - 1] == '\r')
			n--;
		if (!colon || colon == line || (size_t)(colon - line) >= n)
			continue;
		name->p = line;
		name->len = (size_t)(colon - line);
		for (v = name->len + 1; v < n && (line[v] == ' ' || line[v] == '\t'); v++)
			;
		for (e = n; e > v && (line[e - 1] == ' ' || line[e - 1] == '\t'); e--)
			;
		value->p = line + v;
		value->len = e - v;
		return true;
	}
	return false;
}

/* The value of header `lname` (lower case) in `h`; false when absent. */
static bool header_find(const struct http_slice *h, const char *lname, struct http_slice *out)
{
	struct http_slice name, value;
	size_t pos = 0;

	while (header_next(h, &pos, &name, &value))
		if (name_is(name.p, name.len, lname)) {
			*out = value;
			return true;
		}
	return false;
}

/* The record of the request whose head is m, with one reference; NULL
 * when memory runs out. Its header lines are kept with `headers`. */
static struct http_req *req_new(const struct http_msg *m, bool headers)
{
	size_t method = cut(&m->method, METHOD_MAX), proto = cut(&m->protocol, PROTO_MAX);
	size_t host = cut(&m->host, HTTP_MAX_HOST), url = cut(&m->uri, URL_MAX);
	size_t ua = cut(&m->user_agent, UA_MAX), refer = 0;
	size_t hdr = headers ? cut(&m->headers, HEADERS_MAX) : 0;
	struct http_slice ref = {NULL, 0};
	bool has_refer = header_find(&m->headers, "referer", &ref);
	struct http_req *r;
	char *at;

	refer = has_refer ? cut(&ref, URL_MAX) : 0;
	r = malloc(sizeof(*r) + method + proto + host + url + ua + refer + hdr);
	if (!r)
		return NULL;
	*r = (struct http_req){.refs = 1,
			       .has_host = m->has_host,
			       .has_ua = m->has_user_agent,
			       .has_refer = has_refer,
			       .method_len = (uint8_t)method,
			       .proto_len = (uint8_t)proto,
			       .host_len = (uint16_t)host,
			       .url_len = (uint16_t)url,
			       .ua_len = (uint16_t)ua,
			       .refer_len = (uint16_t)refer,
			       .hdr_len = (uint32_t)hdr};
	at = r->text;
	memcpy(at, m->method.p, method);
	memcpy(at += method, m->protocol.p, proto);
	memcpy(at += proto, m->host.p, host);
	memcpy(at += host, m->uri.p, url);
	memcpy(at += url, m->user_agent.p, ua);
	if (refer)
		memcpy(at + ua, ref.p, refer);
	if (hdr)
		memcpy(at + ua + refer, m->headers.p, hdr);
	return r;
}

static struct http_req *req_ref(struct http_req *r)
{
	if (r)
		r->refs++;
	return r;
}

static void req_unref(struct http_req *r)
{
	if (r && --r->refs == 0)
		free(r);
}

/* ------------------------------------------------------------ rendering */

static size_t put_text(char *out, size_t cap, size_t at, const char *text)
{
	size_t n = strlen(text);

	if (at + n < cap) {
		memcpy(out + at, text, n + 1);
		return at + n;
	}
	return at;
}

/* Append `"key":"escaped s"`, with a comma unless it is the first member. */
static size_t put_string(const struct ids_services *svc, char *out, size_t at, const char *key,
			 const char *s, size_t n)
{
	size_t need;

	at = put_text(out, RENDER_MAX, at, out[at - 1] == '{' ? "\"" : ",\"");
	at = put_text(out, RENDER_MAX, at, key);
	at = put_text(out, RENDER_MAX, at, "\":\"");
	need = svc->json_escape(out + at, RENDER_MAX - at, s, n);
	if (need >= RENDER_MAX - at)
		return at; /* cannot happen: RENDER_MAX has room for the worst case */
	return put_text(out, RENDER_MAX, at + need, "\"");
}

/* The `http` object of an alert into t->render, members in Suricata's
 * order. */
static void render(const struct http_scan *s)
{
	const struct ids_services *svc = s->c->t->g->svc;
	const struct http_req *r = s->req;
	char *out = s->c->t->render, num[48];
	size_t at = put_text(out, RENDER_MAX, 0, "\"http\":{");

	if (r && r->has_host)
		at = put_string(svc, out, at, "hostname", req_host(r), r->host_len);
	if (r)
		at = put_string(svc, out, at, "url", req_url(r), r->url_len);
	if (r && r->has_ua)
		at = put_string(svc, out, at, "http_user_agent", req_ua(r), r->ua_len);
	if (s->ctype.len)
		at = put_string(svc, out, at, "http_content_type", (const char *)s->ctype.p,
				cut(&s->ctype, CTYPE_MAX));
	if (r && r->has_refer)
		at = put_string(svc, out, at, "http_refer", req_refer(r), r->refer_len);
	if (r) {
		at = put_string(svc, out, at, "http_method", req_method(r), r->method_len);
		at = put_string(svc, out, at, "protocol", req_proto(r), r->proto_len);
	} else {
		at = put_string(svc, out, at, "protocol", (const char *)s->proto.p, s->proto.len);
	}
	if (s->status) {
		snprintf(num, sizeof(num), ",\"status\":%u", s->status);
		at = put_text(out, RENDER_MAX, at, num);
	}
	if (s->status && s->length >= 0) {
		snprintf(num, sizeof(num), ",\"length\":%lld", (long long)s->length);
		at = put_text(out, RENDER_MAX, at, num);
	}
	put_text(out, RENDER_MAX, at, "}");
}

/* A transaction step's match: false when the rule already alerted in the
 * request steps of the same transaction (a response step's rule on shared
 * buffers only); a request step's match is remembered. */
static bool tx_first_alert(struct http_scan *s, const struct ids_rule *rule)
{
	struct http_txside *req = &s->c->txs[IDS_DIR_TO_SERVER];

	if (s->tx_step == IDS_DIR_TO_SERVER) {
		if (req->n_fired < TX_FIRED_MAX)
			req->fired[req->n_fired++] = rule;
		return true;
	}
	if (!s->req || req->tx_id != s->req->tx_id)
		return true;
	for (unsigned i = 0; i < req->n_fired; i++)
		if (req->fired[i] == rule)
			return false;
	return true;
}

static int on_match(const struct ids_rule *rule, void *ctx)
{
	struct http_scan *s = ctx;
	struct http_conn *c = s->c;

	if (s->tx_step >= 0 && rule->n_buffers > 1 && !tx_first_alert(s, rule))
		return 0;
	if (!s->rendered)
		render(s);
	s->rendered = true;
	if (c->t->g->abi_1_3)
		c->t->g->svc->alert_tx(c->thr, c->pkt, rule, c->t->render,
				       s->req ? (int64_t)s->req->tx_id : -1);
	else
		c->t->g->svc->alert_fields(c->thr, c->pkt, rule, c->t->render);
	return 0;
}

/* ------------------------------------------------------------- records */

/* "KEY":[{"name":...,"value":...},...] of the header lines in `h`. */
static void record_headers(const struct ids_services *svc, struct ids_json *j, const char *key,
			   const struct http_slice *h)
{
	const struct ids_json_ops *o = svc->json;
	struct http_slice name, value;
	size_t pos = 0;

	o->open_array(j, key);
	while (header_next(h, &pos, &name, &value)) {
		o->open_object(j, NULL);
		o->strn(j, "name", (const char *)name.p, name.len);
		o->strn(j, "value", (const char *)value.p, value.len);
		o->close_object(j);
	}
	o->close_array(j);
}

/*
 * The transaction's `http` record, when its response head arrived (after
 * the response's alerts): the request's fields, the status and the
 * response's Content-Type and Content-Length, and with log-headers both
 * header lists. Suricata's members and order.
 */
static void http_record(const struct http_scan *s, const struct http_msg *resp)
{
	struct http_conn *c = s->c;
	const struct ids_services *svc = c->t->g->svc;
	const struct ids_json_ops *o;
	const struct http_req *r = s->req;
	struct ids_json *j;

	if (!c->t->g->abi_1_3 || !r)
		return;
	j = svc->record_begin(c->thr, c->pkt, "http", (int64_t)r->tx_id);
	if (!j)
		return;
	o = svc->json;
	o->open_object(j, "http");
	if (r->has_host)
		o->strn(j, "hostname", req_host(r), r->host_len);
	o->strn(j, "url", req_url(r), r->url_len);
	if (r->has_ua)
		o->strn(j, "http_user_agent", req_ua(r), r->ua_len);
	if (s->ctype.len)
		o->strn(j, "http_content_type", (const char *)s->ctype.p,
			cut(&s->ctype, CTYPE_MAX));
	if (r->has_refer)
		o->strn(j, "http_refer", req_refer(r), r->refer_len);
	o->strn(j, "http_method", req_method(r), r->method_len);
	o->strn(j, "protocol", req_proto(r), r->proto_len);
	o->u64(j, "status", s->status);
	if (s->length >= 0)
		o->i64(j, "length", s->length);
	if (c->t->g->log_headers) {
		const struct http_slice rh = {(const uint8_t *)req_headers(r), r->hdr_len};

		record_headers(svc, j, "request_headers", &rh);
		record_headers(svc, j, "response_headers", &resp->headers);
	}
	o->close_object(j);
	svc->record_end(c->thr, j);
	c->t->records++;
}

/* ------------------------------------------------- transaction steps */

/* A buffer has rules of its own or is named by a multi-buffer rule. */
static bool wants(const struct http_global *g, enum http_buf b)
{
	return g->m[b] || (g->tx_bufs & BIT(b));
}

/* Bytes one side may hold: its head buffers, a body in two forms, and
 * pkt_data (the head kept, then head and body). */
static size_t hold_max(const struct http_global *g)
{
	return 10 * (size_t)HTTP_MAX_HEAD + 3 * g->body_limit;
}

static void tx_begin(struct http_conn *c, int dir, uint64_t tx_id)
{
	struct http_txside *ts;

	if (!c->t->g->tx_bufs)
		return;
	if (!c->txs && !(c->txs = calloc(2, sizeof(*c->txs)))) {
		c->t->no_memory++;
		return;
	}
	ts = &c->txs[dir];
	ts->used = 0;
	ts->present = ts->fresh = 0;
	ts->n_fired = 0;
	ts->tx_id = tx_id;
	ts->head_kept = false;
}

static uint8_t *hold_room(struct http_conn *c, struct http_txside *ts, size_t len)
{
	size_t cap = ts->cap ? ts->cap : 4096;
	uint8_t *mem;

	if (ts->used + len <= ts->cap)
		return ts->mem + ts->used;
	if (ts->used + len > hold_max(c->t->g))
		return NULL;
	while (cap < ts->used + len)
		cap *= 2;
	if (!(mem = realloc(ts->mem, cap)))
		return NULL;
	ts->mem = mem;
	ts->cap = cap;
	return mem + ts->used;
}

/* Copy buffer b of side `dir` for the steps of its transaction. */
static void tx_hold(struct http_conn *c, int dir, enum http_buf b, const uint8_t *buf, size_t len)
{
	struct http_txside *ts;
	uint8_t *at;

	if (!c->txs)
		return; /* tx_begin ran out of memory */
	ts = &c->txs[dir];
	if (ts->present & BIT(b))
		return;
	if (!(at = hold_room(c, ts, len))) {
		c->t->no_memory++;
		return;
	}
	if (len)
		memcpy(at, buf, len);
	ts->off[b] = (uint32_t)ts->used;
	ts->len[b] = (uint32_t)len;
	ts->used += len;
	ts->present |= BIT(b);
	ts->fresh |= BIT(b);
}

/* Append the buffers of side ts in `mask` to list (`fresh`: as they are
 * marked; else all held from an earlier step). */
static size_t tx_list(const struct http_txside *ts, uint64_t mask, bool fresh,
		      struct ids_tx_buffer *list, size_t n)
{
	for (unsigned b = 0; b < BUF_COUNT; b++) {
		if (!(ts->present & mask & BIT(b)))
			continue;
		list[n++] = (struct ids_tx_buffer){
			.buf = b,
			.flags = (fresh && (ts->fresh & BIT(b))) ? IDS_TXBUF_FRESH : 0,
			.data = ts->mem + ts->off[b],
			.len = ts->len[b],
		};
	}
	return n;
}

/* ------------------------------------------------ pkt_data (the payload) */

/*
 * pkt_data of a transaction side, for rules that mix the payload with http
 * buffers (Suricata's contents before the first sticky buffer, which it
 * matches on the raw stream of the transaction's direction): the message
 * as sent, head then body (de-chunked, its first body-limit bytes). It is
 * present, and fresh, in one step only, the one that ends the message (its
 * body step, or the end of a message without a body), so that such a rule
 * fires at most once per transaction, when its payload part and all its
 * buffers match (docs/rules.md, "The payload with protocol buffers").
 */
static bool payload_wanted(const struct http_global *g)
{
	return (g->tx_bufs & BIT(BUF_PKT_DATA)) != 0;
}

/* At a final message's head: keep its bytes for the message's pkt_data. */
static void payload_keep_head(struct http_conn *c, int dir, const struct http_slice *head)
{
	struct http_txside *ts;
	uint8_t *at;

	if (!payload_wanted(c->t->g) || !c->txs)
		return;
	ts = &c->txs[dir];
	if (!(at = hold_room(c, ts, head->len))) {
		c->t->no_memory++;
		return;
	}
	if (head->len)
		memcpy(at, head->p, head->len);
	ts->head_off = (uint32_t)ts->used;
	ts->head_len = (uint32_t)head->len;
	ts->used += head->len;
	ts->head_kept = true;
}

/* The message ends (or its body filled body-limit): pkt_data is the head
 * kept and `len` bytes of body, fresh in the step that follows. */
static void payload_ready(struct http_conn *c, int dir, const uint8_t *body, size_t len)
{
	struct http_txside *ts;
	uint8_t *at;
	size_t n;

	if (!c->txs || !c->txs[dir].head_kept)
		return;
	ts = &c->txs[dir];
	ts->head_kept = false;
	n = (size_t)ts->head_len + len;
	if (!(at = hold_room(c, ts, n))) { /* may move mem: offsets below */
		c->t->no_memory++;
		return;
	}
	memcpy(at, ts->mem + ts->head_off, ts->head_len);
	if (len)
		memcpy(at + ts->head_len, body, len);
	ts->off[BUF_PKT_DATA] = (uint32_t)ts->used;
	ts->len[BUF_PKT_DATA] = (uint32_t)n;
	ts->used += n;
	ts->present |= BIT(BUF_PKT_DATA);
	ts->fresh |= BIT(BUF_PKT_DATA);
}

/* A message ends whose head was kept and whose body gave no step (none, or
 * body-limit 0): an interim response (1xx) is not that message. */
static bool payload_pending(const struct http_conn *c, int dir, const struct http_msg *m)
{
	if (!c->txs || !c->txs[dir].head_kept)
		return false;
	return dir == IDS_DIR_TO_SERVER || m->status >= 200 || m->status == 101;
}

/* One step of the transaction of side `dir`: its multi-buffer rules on
 * what it holds; a response step adds its request's only-request buffers
 * (when the request held is the one this response answers). */
static void tx_step(struct http_scan *s, int dir)
{
	struct http_conn *c = s->c;
	const struct http_global *g = c->t->g;
	struct ids_tx_buffer list[2 * BUF_COUNT];
	struct http_txside *ts;
	size_t n;

	if (!c->txs || !g->tx[dir] || s->dir != dir)
		return;
	ts = &c->txs[dir];
	if (!ts->fresh)
		return;
	n = tx_list(ts, ~0ULL, true, list, 0);
	if (dir == IDS_DIR_TO_CLIENT && s->req && c->txs[0].tx_id == s->req->tx_id)
		n = tx_list(&c->txs[0], REQ_ONLY, false, list, n);
	s->tx_step = dir;
	g->svc->matcher_tx_scan(c->thr, g->tx[dir], c->pkt, list, n, on_match, s);
	s->tx_step = -1;
	ts->fresh = 0;
}

static void scan(struct http_scan *s, enum http_buf b, const uint8_t *buf, size_t len)
{
	const struct http_global *g = s->c->t->g;

	if (g->m[b] && len)
		g->svc->matcher_scan(s->c->thr, g->m[b], s->c->pkt, buf, len, on_match, s);
	if ((g->tx_bufs & BIT(b)) && s->dir >= 0)
		tx_hold(s->c, s->dir, b, buf, len);
}

/* ---------------------------------------------------------------- bodies */

static void body_release(struct http_body *b)
{
	free(b->buf);
	b->buf = NULL;
	b->cap = 0;
}

/* A new message starts: forget the body of the last one (which an error
 * may have dropped before its end). */
static void body_reset(struct http_body *b)
{
	body_release(b);
	b->len = 0;
	b->scanned = false;
}

static bool body_wanted(const struct http_global *g, int dir)
{
	return wants(g, dir == IDS_DIR_TO_SERVER ? BUF_REQ_BODY : BUF_RESP_BODY) ||
	       wants(g, BUF_FILE_DATA) || payload_wanted(g);
}

/* file.data: the body decoded from its Content-Encoding (gzip, deflate)
 * into the worker's buffer, at most body-limit bytes, else as it is. */
static void file_data_scan(struct http_scan *s, int dir, const struct http_body *b)
{
	struct http_thread *t = s->c->t;
	enum http_coding coding = s->c->coding[dir];
	enum http_decode_status rc;
	size_t n;

	if (!wants(t->g, BUF_FILE_DATA))
		return;
	if (coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE) {
		scan(s, BUF_FILE_DATA, b->buf, b->len);
		return;
	}
	if (!t->decoded_body && !(t->decoded_body = malloc(t->g->body_limit))) {
		t->no_memory++;
		return;
	}
	rc = http_decode_body(coding, b->buf, b->len, t->decoded_body, t->g->body_limit, &n);
	t->decoded++;
	t->decode_capped += rc == HTTP_DECODE_CAPPED;
	t->decode_errors += rc == HTTP_DECODE_ERROR;
	t->no_memory += rc == HTTP_DECODE_NO_MEMORY;
	scan(s, BUF_FILE_DATA, t->decoded_body, n);
}

/* What the alerts of a body step (or of a message's last step) carry. */
static void body_scan_init(struct http_scan *s, struct http_conn *c, int dir,
			   const struct http_msg *m, bool complete)
{
	*s = (struct http_scan){.c = c, .dir = dir, .tx_step = -1, .length = -1};
	if (dir == IDS_DIR_TO_SERVER) {
		s->req = c->cur;
		return;
	}
	s->req = c->matched;
	s->status = m->status;
	s->proto = m->protocol;
	if (complete)
		s->length = (int64_t)m->body_len;
	else if (!m->chunked)
		s->length = m->content_length;
}

static void body_scan(struct http_conn *c, int dir, const struct http_msg *m, bool complete)
{
	struct http_body *b = &c->body[dir];
	struct http_scan s;

	b->scanned = true;
	body_scan_init(&s, c, dir, m, complete);
	scan(&s, dir == IDS_DIR_TO_SERVER ? BUF_REQ_BODY : BUF_RESP_BODY, b->buf, b->len);
	file_data_scan(&s, dir, b);
	payload_ready(c, dir, b->buf, b->len);
	tx_step(&s, dir);
}

/* The last step of a message whose body gave none: pkt_data alone. */
static void payload_step(struct http_conn *c, int dir, const struct http_msg *m)
{
	struct http_scan s;

	body_scan_init(&s, c, dir, m, true);
	payload_ready(c, dir, NULL, 0);
	tx_step(&s, dir);
}

/* Make b hold `need` (<= limit) bytes: as many as the body declares (it
 * cannot hold more), else twice what it holds, BODY_BUF_MIN at first;
 * never more than limit. */
static int body_reserve(struct http_body *b, const struct http_msg *m, size_t need, size_t limit)
{
	size_t cap = b->cap ? 2 * b->cap : BODY_BUF_MIN;
	uint8_t *buf;

	if (need <= b->cap)
		return 0;
	if (!m->chunked && m->content_length >= 0)
		cap = (uint64_t)m->content_length < limit ? (size_t)m->content_length : limit;
	if (cap < need)
		cap = need;
	if (cap > limit)
		cap = limit;
	if (!(buf = realloc(b->buf, cap)))
		return -1;
	b->buf = buf;
	b->cap = cap;
	return 0;
}

/* A piece of a body: keep up to body-limit bytes, scan when full. */
static void body_piece(struct http_conn *c, int dir, const struct http_msg *m, const uint8_t *d,
		       size_t n)
{
	const struct http_global *g = c->t->g;
	struct http_body *b = &c->body[dir];
	size_t room;

	if (!body_wanted(g, dir) || b->scanned || !g->body_limit)
		return;
	room = g->body_limit - b->len;
	if (n > room)
		n = room;
	if (body_reserve(b, m, b->len + n, g->body_limit) < 0) {
		c->t->no_memory++;
		b->scanned = true;
		body_release(b);
		return;
	}
	memcpy(b->buf + b->len, d, n);
	b->len += n;
	if (b->len < g->body_limit)
		return;
	body_scan(c, dir, m, false);
	body_release(b);
}

static void body_end(struct http_conn *c, int dir, const struct http_msg *m)
{
	struct http_body *b = &c->body[dir];

	if (!b->scanned && b->len)
		body_scan(c, dir, m, true);
	else if (payload_pending(c, dir, m))
		payload_step(c, dir, m);
	body_reset(b);
}

/* ------------------------------------------------------------ events */

static void raise_event(struct http_conn *c, enum http_event_id ev, uint64_t tx_id)
{
	const struct http_global *g = c->t->g;

	if (g->app_events)
		g->svc->app_event(c->thr, c->pkt, (unsigned)ev,
				  tx_id == UINT64_MAX ? -1 : (int64_t)tx_id);
}

static bool proto_1_1(const struct http_msg *m)
{
	return name_is(m->protocol.p, m->protocol.len, "http/1.1");
}

/* A request head's events (see http_events). */
static void req_events(struct http_conn *c, const struct http_msg *m, uint64_t tx_id)
{
	if (m->te_present && (!m->te_has_chunked || !proto_1_1(m)))
		raise_event(c, EV_TE_REQUEST, tx_id);
	if (!m->has_host && proto_1_1(m))
		raise_event(c, EV_MISSING_HOST, tx_id);
}

/* A final response head's events (see http_events). */
static void resp_events(struct http_conn *c, const struct http_msg *m, uint64_t tx_id)
{
	if (!m->te_has_chunked)
		return;
	if (!m->te_only_chunked)
		raise_event(c, EV_TE_ABNORMAL, tx_id);
	if (!proto_1_1(m))
		raise_event(c, EV_CHUNKED_OLD, tx_id);
}

/* -------------------------------------------------------------- requests */

static bool method_is(const struct http_req *r, const char *name)
{
	return r && r->method_len == strlen(name) && !memcmp(req_method(r), name, r->method_len);
}

/* Queue a request (a new reference to r, which may be NULL: unknown) for
 * its response; past QUEUE_MAX only count it, so that later responses
 * still pair with the right requests. */
static void queue_push(struct http_conn *c, struct http_req *r)
{
	if (c->q_len == QUEUE_MAX || c->q_lost) {
		c->q_lost++;
		return;
	}
	c->queue[(c->q_head + c->q_len) % QUEUE_MAX] = req_ref(r);
	c->q_len++;
}

/* The request a final response answers into c->matched (the queue's
 * reference moves there). */
static void queue_pop(struct http_conn *c)
{
	req_unref(c->matched);
	c->matched = NULL;
	if (c->q_len) {
		c->matched = c->queue[c->q_head];
		c->queue[c->q_head] = NULL;
		c->q_head = (c->q_head + 1) % QUEUE_MAX;
		c->q_len--;
	} else if (c->q_lost) {
		c->q_lost--;
	} else {
		c->t->unmatched++;
	}
}

/* ---------------------------------------------------------------- heads */

/* Scan buffer b with the value of header `name`, when it is there and b
 * has rules. */
static void scan_field(struct http_scan *s, enum http_buf b, const struct http_msg *m,
		       const char *name)
{
	struct http_thread *t = s->c->t;
	bool found;
	size_t n;

	if (!wants(t->g, b))
		return;
	n = http_field(m->headers, name, t->field, sizeof(t->field), &found);
	if (found)
		scan(s, b, t->field, n);
}

/* What requests and responses share: the head, its lines, the header
 * block in its three forms, and the headers either may carry. */
static void head_scans(struct http_scan *s, const struct http_msg *m, int dir)
{
	struct http_conn *c = s->c;
	const struct http_global *g = c->t->g;

	scan(s, BUF_PROTOCOL, m->protocol.p, m->protocol.len);
	scan(s, dir == IDS_DIR_TO_SERVER ? BUF_REQUEST_LINE : BUF_RESPONSE_LINE, m->start_line.p,
	     m->start_line.len);
	scan(s, BUF_START, m->head.p, m->head.len);
	scan(s, BUF_HEADER_RAW, m->headers.p, m->headers.len);
	if (wants(g, BUF_HEADER))
		scan(s, BUF_HEADER, c->t->field,
		     http_header_norm(m->headers, c->t->field, sizeof(c->t->field)));
	if (wants(g, BUF_HEADER_NAMES))
		scan(s, BUF_HEADER_NAMES, c->t->field,
		     http_header_names(m->headers, c->t->field, sizeof(c->t->field)));
	scan_field(s, BUF_COOKIE, m, dir == IDS_DIR_TO_SERVER ? "cookie" : "set-cookie");
	scan_field(s, BUF_CONNECTION, m, "connection");
	scan_field(s, BUF_CONTENT_TYPE, m, "content-type");
	scan_field(s, BUF_CONTENT_LEN, m, "content-length");
	c->coding[dir] = (uint8_t)(wants(g, BUF_FILE_DATA) ? http_content_coding(m->headers)
							   : HTTP_CODING_NONE);
}

static void req_head(struct http_conn *c, const struct http_msg *m)
{
	struct http_scan s = {.c = c, .dir = IDS_DIR_TO_SERVER, .tx_step = -1, .length = -1};

	c->t->requests++;
	req_unref(c->cur);
	if (!(c->cur = req_new(m, c->t->g->log_headers && c->t->g->abi_1_3)))
		c->t->no_memory++;
	else
		c->cur->tx_id = c->tx_next;
	tx_begin(c, IDS_DIR_TO_SERVER, c->tx_next);
	payload_keep_head(c, IDS_DIR_TO_SERVER, &m->head);
	req_events(c, m, c->tx_next);
	c->tx_next++;
	s.req = c->cur;
	scan(&s, BUF_METHOD, m->method.p, m->method.len);
	scan(&s, BUF_URI, m->uri_norm.p, m->uri_norm.len);
	scan(&s, BUF_URI_RAW, m->uri.p, m->uri.len);
	if (m->has_host)
		scan(&s, BUF_HOST, m->host.p, m->host.len);
	if (m->has_user_agent)
		scan(&s, BUF_UA, m->user_agent.p, m->user_agent.len);
	head_scans(&s, m, IDS_DIR_TO_SERVER);
	scan_field(&s, BUF_HOST_RAW, m, "host");
	scan_field(&s, BUF_REFERER, m, "referer");
	scan_field(&s, BUF_ACCEPT, m, "accept");
	scan_field(&s, BUF_ACCEPT_LANG, m, "accept-language");
	scan_field(&s, BUF_ACCEPT_ENC, m, "accept-encoding");
	tx_step(&s, IDS_DIR_TO_SERVER);
	queue_push(c, c->cur);
	body_reset(&c->body[IDS_DIR_TO_SERVER]);
}

/* ------------------------------------------------------------- responses */

static int resp_head(struct http_conn *c, const struct http_msg *m)
{
	struct http_scan s = {
		.c = c, .dir = IDS_DIR_TO_CLIENT, .tx_step = -1, .status = m->status, .length = -1};
	bool interim = m->status < 200 && m->status != 101; /* the request still waits */
	bool stop;

	c->t->responses++;
	if (interim) {
		s.req = c->q_len ? c->queue[c->q_head] : NULL;
		s.dir = -1; /* its final response makes the transaction's buffers */
	} else {
		queue_pop(c);
		s.req = c->matched;
		tx_begin(c, IDS_DIR_TO_CLIENT, s.req ? s.req->tx_id : UINT64_MAX);
		payload_keep_head(c, IDS_DIR_TO_CLIENT, &m->head);
		resp_events(c, m, s.req ? s.req->tx_id : UINT64_MAX);
	}
	s.proto = m->protocol;
	header_find(&m->headers, "content-type", &s.ctype);
	if (m->content_length >= 0 && !m->chunked)
		s.length = m->content_length;
	scan(&s, BUF_STATUS, m->status_digits.p, m->status_digits.len);
	scan(&s, BUF_STAT_CODE, m->status_digits.p, m->status_digits.len);
	{
		struct http_slice reason = http_reason(m->start_line);

		scan(&s, BUF_STAT_MSG, reason.p, reason.len);
	}
	head_scans(&s, m, IDS_DIR_TO_CLIENT);
	scan_field(&s, BUF_LOCATION, m, "location");
	scan_field(&s, BUF_SERVER, m, "server");
	tx_step(&s, IDS_DIR_TO_CLIENT);
	body_reset(&c->body[IDS_DIR_TO_CLIENT]);
	if (interim)
		return HTTP_CB_OK;
	stop = m->status == 101 || (method_is(c->matched, "CONNECT") && m->status / 100 == 2);
	if (stop)
		payload_step(c, IDS_DIR_TO_CLIENT, m); /* its message ends with its head */
	http_record(&s, m);
	if (stop) {
		http_parser_stop(&c->req); /* the connection is not HTTP any more */
		return HTTP_CB_STOP;
	}
	return method_is(c->matched, "HEAD") ? HTTP_CB_NO_BODY : HTTP_CB_OK;
}

/* ------------------------------------------------------------ callbacks */

/* A start line error before any message: the flow is not HTTP. */
static bool first_bytes_not_http(struct http_conn *c, enum http_err err)
{
	if (c->req.messages || c->resp.messages)
		return false;
	return err == HTTP_ERR_REQUEST_LINE || err == HTTP_ERR_STATUS_LINE ||
	       err == HTTP_ERR_HEAD_TOO_LONG;
}

static void on_error(struct http_conn *c, enum http_err err)
{
	if (c->not_http || first_bytes_not_http(c, err))
		c->not_http = true;
	else
		c->t->errors[err]++;
}

static int req_event(void *ctx, const struct http_event *ev)
{
	struct http_conn *c = ctx;

	switch (ev->type) {
	case HTTP_EV_HEAD:
		req_head(c, ev->msg);
		if (!method_is(c->cur, "CONNECT"))
			return HTTP_CB_OK;
		payload_step(c, IDS_DIR_TO_SERVER, ev->msg); /* nothing follows */
		return HTTP_CB_STOP;
	case HTTP_EV_BODY:
		body_piece(c, IDS_DIR_TO_SERVER, ev->msg, ev->data, ev->len);
		break;
	case HTTP_EV_END:
		body_end(c, IDS_DIR_TO_SERVER, ev->msg);
		break;
	case HTTP_EV_ERROR:
		on_error(c, ev->err);
		break;
	}
	return HTTP_CB_OK;
}

/*
 * The response side lost bytes that may have held whole responses (a gap,
 * or a head that was not a head): which queued request the next response
 * answers is unknown. Pairing by order from here would give every later
 * response the request before its own, so the requests queued so far are
 * dropped: the next responses carry no request until requests sent from
 * now on are answered.
 */
static void queue_flush(struct http_conn *c)
{
	while (c->q_len) {
		req_unref(c->queue[c->q_head]);
		c->queue[c->q_head] = NULL;
		c->q_head = (c->q_head + 1) % QUEUE_MAX;
		c->q_len--;
	}
	c->q_lost = 0;
	c->t->unpaired++;
}

static int resp_event(void *ctx, const struct http_event *ev)
{
	struct http_conn *c = ctx;

	switch (ev->type) {
	case HTTP_EV_HEAD:
		return resp_head(c, ev->msg);
	case HTTP_EV_BODY:
		body_piece(c, IDS_DIR_TO_CLIENT, ev->msg, ev->data, ev->len);
		break;
	case HTTP_EV_END:
		body_end(c, IDS_DIR_TO_CLIENT, ev->msg);
		break;
	case HTTP_EV_ERROR:
		on_error(c, ev->err);
		if (ev->err == HTTP_ERR_GAP || ev->err == HTTP_ERR_STATUS_LINE ||
		    ev->err == HTTP_ERR_HEAD_TOO_LONG)
			queue_flush(c);
		break;
	}
	return HTTP_CB_OK;
}

/* ------------------------------------------------------------ per flow */

/* A conn whose parsers build head values in the worker's scratch. */
static struct http_conn *conn_new(struct http_thread *t)
{
	struct http_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	http_parser_init(&c->req, true, &t->scratch, req_event, c);
	http_parser_init(&c->resp, false, &t->scratch, resp_event, c);
	return c;
}

static void conn_free(struct http_conn *c)
{
	if (!c)
		return;
	http_parser_release(&c->req);
	http_parser_release(&c->resp);
	req_unref(c->cur);
	req_unref(c->matched);
	for (unsigned i = 0; i < c->q_len; i++)
		req_unref(c->queue[(c->q_head + i) % QUEUE_MAX]);
	free(c->body[0].buf);
	free(c->body[1].buf);
	if (c->txs) {
		free(c->txs[0].mem);
		free(c->txs[1].mem);
		free(c->txs);
	}
	free(c);
}

/* The flow's conn, created on its first data; NULL when the flow is not
 * HTTP (or memory ran out). */
static struct http_conn *conn_of(struct http_thread *t, struct ids_thread *thr,
				 const struct ids_stream_chunk *chunk)
{
	const struct ids_services *svc = t->g->svc;
	void **slot = svc->flow_data(thr);
	const char *app;

	if (!slot || *slot == NOT_HTTP || *slot == CONN_DONE)
		return NULL;
	if (*slot)
		return *slot;
	if (!chunk->len)
		return NULL;
	app = svc->app_proto(thr);
	if (app && strcmp(app, "http") != 0) {
		*slot = NOT_HTTP;
		t->not_http++;
		return NULL;
	}
	if (!(*slot = conn_new(t))) {
		t->no_memory++;
		return NULL;
	}
	t->flows++;
	return *slot;
}

static void http_on_stream(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			   const struct ids_stream_chunk *chunk)
{
	struct http_thread *t = thread_ctx;
	struct http_conn *c = conn_of(t, thr, chunk);
	struct http_parser *p;

	if (!c)
		return;
	c->t = t;
	c->thr = thr;
	c->pkt = pkt;
	p = chunk->direction == IDS_DIR_TO_SERVER ? &c->req : &c->resp;
	if (chunk->flags & IDS_STREAM_GAP)
		http_parser_gap(p);
	if (chunk->len)
		http_parser_feed(p, chunk->data, chunk->len);
	if (chunk->flags & IDS_STREAM_END)
		http_parser_end(p);
	if (c->not_http) {
		conn_free(c);
		*t->g->svc->flow_data(thr) = NOT_HTTP;
		t->flows--;
		t->not_http++;
		return;
	}
	if (chunk->flags & IDS_STREAM_END)
		c->ended |= (uint8_t)(1u << (chunk->direction & 1));
	if (c->ended == 3) {
		conn_free(c);
		*t->g->svc->flow_data(thr) = CONN_DONE;
	}
}

static void http_on_flow_end(void *thread_ctx, struct ids_thread *thr,
			     const struct ids_flow_info *flow)
{
	struct http_thread *t = thread_ctx;
	void **slot;

	if (flow->proto != 6) /* IPPROTO_TCP: only TCP flows have a conn */
		return;
	slot = t->g->svc->flow_data(thr);
	if (!slot)
		return;
	if (*slot != NOT_HTTP && *slot != CONN_DONE)
		conn_free(*slot);
	*slot = NULL;
}

/* ------------------------------------------------------------ lifecycle */

static void http_fini(void *global)
{
	struct http_global *g = global;

	if (!g)
		return;
	ids_free_matchers(g->svc, g->m, BUF_COUNT);
	ids_free_matchers(g->svc, g->tx, 2);
	free(g);
}

static int http_counters_register(struct http_global *g)
{
	char name[IDS_COUNTER_NAME_MAX + 1];

	if (ids_counters_register(g->svc, http_counter_names, HC_ERRORS, g->counter_id) < 0)
		return -1;
	for (int i = 0; i < HTTP_ERR_COUNT; i++) {
		snprintf(name, sizeof(name), "error_%s", http_err_names[i]);
		if ((g->counter_id[HC_ERRORS + i] = g->svc->counter_register(name)) < 0)
			return -1;
	}
	return 0;
}

/* Once a second and at the end: the counters into the stats records. */
static void http_tick(void *thread_ctx, struct ids_thread *thr, int64_t now_usec)
{
	struct http_thread *t = thread_ctx;
	uint64_t now[HTTP_COUNTERS] = {
		[HC_FLOWS] = t->flows,	       [HC_REQUESTS] = t->requests,
		[HC_RESPONSES] = t->responses, [HC_UNMATCHED] = t->unmatched,
		[HC_NOT_HTTP] = t->not_http,   [HC_NO_MEMORY] = t->no_memory + t->scratch.no_memory,
		[HC_RECORDS] = t->records,
	};

	(void)now_usec;
	if (!t->g->counters)
		return;
	memcpy(now + HC_ERRORS, t->errors, sizeof(t->errors));
	ids_counters_publish(t->g->svc, thr, t->g->counter_id, now, t->published, HTTP_COUNTERS);
}

/* Which step matches a multi-buffer rule: one naming an only-response
 * buffer is a response rule (its request buffers are held from the
 * request), one naming an only-request buffer a request rule; one naming
 * shared buffers only (http.header, file.data, ...) is matched in both, on
 * the request's and on the response's, and its flow direction decides. */
static int tx_is_req(const struct ids_rule *r, uint64_t mask, void *arg)
{
	(void)r;
	(void)arg;
	return !(mask & RESP_ONLY);
}

static int tx_is_resp(const struct ids_rule *r, uint64_t mask, void *arg)
{
	(void)r;
	(void)arg;
	return (mask & RESP_ONLY) || !(mask & REQ_ONLY);
}

/* The matchers: one per buffer for its single-buffer rules, and the
 * transaction matchers of each side. A body or a request-only buffer that
 * multi-buffer rules name is held for them anyway: its single-buffer rules
 * go into the transaction matchers too (a host of ABI 1.5), so one
 * Hyperscan scan of the buffer serves both (tx_single). Not the buffers a
 * response head has: an interim (1xx) response makes no step, yet its
 * head's single-buffer rules are matched. */
static int http_compile(const struct ids_plugin_init_args *args, struct http_global *g)
{
	const uint64_t bodies = REQ_ONLY | BIT(BUF_RESP_BODY) | BIT(BUF_FILE_DATA);

	for (size_t i = 0; i < args->n_rules; i++)
		if (ids_rule_multi(args->svc, args->rules[i]))
			g->tx_bufs |= ids_rule_buffer_mask(args->rules[i], http_buffers, BUF_COUNT);
	if (ids_has_tx_single(args->svc))
		g->tx_single = g->tx_bufs & bodies;
	if (ids_compile_buffers_but(args, http_buffers, BUF_COUNT, g->tx_single, g->m) < 0 ||
	    ids_compile_tx_single(args, http_buffers, BUF_COUNT, g->tx_single, tx_is_req, NULL,
				  &g->tx[0]) < 0 ||
	    ids_compile_tx_single(args, http_buffers, BUF_COUNT, g->tx_single, tx_is_resp, NULL,
				  &g->tx[1]) < 0)
		return -1;
	return 0;
}

static int http_init(const struct ids_plugin_init_args *args, void **global)
{
	struct http_global *g;

	if (ids_require_abi(args, "http", 2) < 0 ||
	    ids_rules_need_buffers(args, "http", http_buffers, BUF_COUNT) < 0)
		return -1;
	if (!(g = calloc(1, sizeof(*g))))
		return -1;
	g->svc = args->svc;
	g->body_limit = (size_t)args->opts[OPT_BODY_LIMIT].i;
	g->log_headers = args->opts[OPT_LOG_HEADERS].b != 0;
	g->abi_1_3 = ids_has_abi(args->svc, 3);
	g->app_events = ids_has_app_event(args->svc);
	g->counters = g->abi_1_3 && http_counters_register(g) == 0;
	if (http_compile(args, g) < 0) {
		http_fini(g);
		return -1;
	}
	*global = g;
	return 0;
}

static int http_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	struct http_thread *t = calloc(1, sizeof(*t));

	(void)thr;
	if (!t)
		return -1;
	t->g = global;
	*thread_ctx = t;
	return 0;
}

static void http_thread_fini(void *thread_ctx)
{
	struct http_thread *t = thread_ctx;
	char errs[512];
	size_t at = 0;

	if (!t)
		return;
	errs[0] = '\0';
	for (int i = 0; i < HTTP_ERR_COUNT && at < sizeof(errs); i++)
		at += (size_t)snprintf(errs + at, sizeof(errs) - at, " %s=%llu", http_err_names[i],
				       (unsigned long long)t->errors[i]);
	t->g->svc->log(IDS_LOG_INFO,
		       "http: %llu flows, %llu requests, %llu responses (%llu without a "
		       "request, %llu pairings lost), %llu flows not HTTP, %llu out of memory; "
		       "parse errors:%s",
		       (unsigned long long)t->flows, (unsigned long long)t->requests,
		       (unsigned long long)t->responses, (unsigned long long)t->unmatched,
		       (unsigned long long)t->unpaired, (unsigned long long)t->not_http,
		       (unsigned long long)(t->no_memory + t->scratch.no_memory), errs);
	if (t->decoded)
		t->g->svc->log(IDS_LOG_INFO,
			       "http: %llu bodies decoded for file.data, %llu cut at body-limit, "
			       "%llu corrupt",
			       (unsigned long long)t->decoded, (unsigned long long)t->decode_capped,
			       (unsigned long long)t->decode_errors);
	free(t->decoded_body);
	free(t);
}

static const struct ids_plugin http_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "http",
	.version = "1.0",
	.description = "HTTP/1.x requests and responses from TCP streams on any port: rules on "
		       "URI, host, user agent, headers, bodies and status, alerts with the http "
		       "object",
	.options = http_options,
	.n_options = OPT_COUNT,
	.init = http_init,
	.thread_init = http_thread_init,
	.tick = http_tick,
	.thread_fini = http_thread_fini,
	.fini = http_fini,
	.on_stream = http_on_stream,
	.on_flow_end = http_on_flow_end,
	.buffers = http_buffers,
	.n_buffers = BUF_COUNT,
	.events = http_events,
	.n_events = EV_COUNT,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &http_plugin;
}
