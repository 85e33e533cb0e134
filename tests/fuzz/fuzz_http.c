/*
 * fuzz_http.c - the http plugin's HTTP/1.x parser (plugins/http/
 * http_parser.h) on one stream direction, and its URI normaliser.
 *
 * Input:
 *   byte 0   bit 0: the direction carries requests (else responses);
 *            bit 1: lose bytes now and then (http_parser_gap before some
 *            pieces); bit 2: answer HTTP_CB_NO_BODY to every other head
 *            (responses to HEAD); bit 3: answer HTTP_CB_STOP to a head
 *            with status 101 or method CONNECT (as the plugin does);
 *            bit 4: http_parser_stop() after the piece that passes the
 *            middle of the input
 *   byte 1   seeds how the rest is cut into pieces (fuzz_piece)
 *   rest     the direction's bytes, fed piece by piece, then
 *            http_parser_end(); the same bytes also go through
 *            http_uri_normalise() as one URI.
 *
 * Checked, as the header promises: the bytes fed in pieces report the
 * same heads, body bytes, ends and errors as fed whole (when no gap or
 * stop depends on where the pieces end); every slice of a message points
 * into the parser's own buffers; body data lies inside the piece being fed;
 * BODY and END come only inside a message (after its HEAD), END's body
 * length is the sum of its BODY pieces; nothing arrives after a stop; the
 * normalised URI is never longer than the input.
 */
#include <string.h>

#include "fuzz.h"
#include "http_parser.h"

struct run {
	struct http_parser *p;
	uint8_t mode;
	const uint8_t *piece; /* being fed */
	size_t piece_len;
	bool in_msg, stopped;
	uint64_t body, heads;
	uint64_t digest; /* of everything reported, whatever the pieces */
};

/* A slice points into the head (the parser's own buffer, or the piece
 * being fed when the head lies inside it), the proto copy, or the scratch. */
static void check_slice(const struct http_parser *p, struct http_slice s)
{
	const struct http_scratch *sc = p->scratch;

	if (!s.len)
		return;
	FUZZ_CHECK((p->head && fuzz_within(s.p, s.len, p->head, p->head_len)) ||
		   fuzz_within(s.p, s.len, p->proto, sizeof(p->proto)) ||
		   fuzz_within(s.p, s.len, sc->uri_norm, sizeof(sc->uri_norm)) ||
		   fuzz_within(s.p, s.len, sc->host, sizeof(sc->host)) ||
		   fuzz_within(s.p, s.len, sc->ua, sizeof(sc->ua)));
}

static void check_msg(const struct http_parser *p, const struct http_msg *m)
{
	const struct http_slice all[] = {m->method,  m->uri,  m->uri_norm,	m->protocol,
					 m->headers, m->host, m->status_digits, m->user_agent};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		check_slice(p, all[i]);
	FUZZ_CHECK(m->host.len <= HTTP_MAX_HOST && m->user_agent.len <= HTTP_MAX_UA);
	FUZZ_CHECK(m->request == p->request);
}

static bool slice_is(struct http_slice s, const char *text)
{
	return s.len == strlen(text) && memcmp(s.p, text, s.len) == 0;
}

static uint64_t digest_head(uint64_t h, const struct http_msg *m)
{
	const struct http_slice all[] = {m->method,  m->uri,  m->uri_norm,	m->protocol,
					 m->headers, m->host, m->status_digits, m->user_agent};
	const uint64_t nums[] = {m->request,	    m->status,	     (uint64_t)m->content_length,
				 m->chunked,	    m->conn_close,   m->has_host,
				 m->has_user_agent, HTTP_EV_HEAD + 1};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		h = fuzz_hash(fuzz_hash_u64(h, all[i].len), all[i].p, all[i].len);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		h = fuzz_hash_u64(h, nums[i]);
	return h;
}

static int on_head(struct run *r, const struct http_msg *m)
{
	r->digest = digest_head(r->digest, m);
	r->in_msg = true;
	r->body = 0;
	if ((r->mode & 8) && (m->status == 101 || slice_is(m->method, "CONNECT"))) {
		r->stopped = true;
		return HTTP_CB_STOP;
	}
	if ((r->mode & 4) && (r->heads++ & 1))
		return HTTP_CB_NO_BODY;
	return HTTP_CB_OK;
}

static int on_event(void *ctx, const struct http_event *ev)
{
	struct run *r = ctx;

	FUZZ_CHECK(!r->stopped);
	switch (ev->type) {
	case HTTP_EV_HEAD:
		FUZZ_CHECK(ev->msg != NULL);
		check_msg(r->p, ev->msg);
		return on_head(r, ev->msg);
	case HTTP_EV_BODY:
		FUZZ_CHECK(r->in_msg && ev->msg != NULL && ev->len > 0);
		FUZZ_CHECK(fuzz_within(ev->data, ev->len, r->piece, r->piece_len));
		r->body += ev->len;
		FUZZ_CHECK(ev->msg->body_len == r->body);
		r->digest = fuzz_hash(r->digest, ev->data, ev->len);
		return 0;
	case HTTP_EV_END:
		FUZZ_CHECK(r->in_msg && ev->msg != NULL);
		FUZZ_CHECK(ev->msg->body_len == r->body);
		r->digest = fuzz_hash_u64(fuzz_hash_u64(r->digest, HTTP_EV_END + 1), r->body);
		r->in_msg = false;
		return 0;
	case HTTP_EV_ERROR:
		FUZZ_CHECK(ev->msg == NULL && (unsigned)ev->err < HTTP_ERR_COUNT);
		FUZZ_CHECK(http_err_names[ev->err] != NULL);
		r->digest = fuzz_hash_u64(fuzz_hash_u64(r->digest, HTTP_EV_ERROR + 1), ev->err);
		if (ev->err != HTTP_ERR_CL_AND_TE && ev->err != HTTP_ERR_HEADER_LINE)
			r->in_msg = false;
		return 0;
	}
	FUZZ_CHECK(!"unknown event type");
	return 0;
}

static void normalise(const uint8_t *uri, size_t len)
{
	uint8_t *out = malloc(len ? len : 1);
	size_t n;

	if (!out)
		return;
	n = http_uri_normalise(uri, len, out);
	FUZZ_CHECK(n <= len);
	fuzz_touch(out, n);
	free(out);
}

/* Parse the direction in pieces cut by `split` (0: in one piece); the
 * digest of what it reported. */
static uint64_t parse(const uint8_t *data, size_t len, uint8_t mode, uint64_t split)
{
	static struct http_scratch scratch;
	struct run r = {.mode = mode, .digest = FUZZ_HASH_INIT};

	r.p = malloc(sizeof(*r.p));
	if (!r.p)
		abort();
	http_parser_init(r.p, mode & 1, &scratch, on_event, &r);
	for (size_t at = 0, half = len / 2; at < len;) {
		size_t n = split ? fuzz_piece(&split, len - at) : len;

		if ((mode & 2) && (fuzz_rand(&split) & 7) == 0)
			http_parser_gap(r.p);
		r.piece = data + at;
		r.piece_len = n;
		http_parser_feed(r.p, data + at, n);
		if ((mode & 16) && at <= half && at + n > half) {
			http_parser_stop(r.p);
			r.stopped = true;
		}
		at += n;
	}
	r.piece = NULL;
	r.piece_len = 0;
	http_parser_end(r.p);
	http_parser_release(r.p);
	free(r.p);
	return r.digest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	uint64_t split, pieces;
	const uint8_t *rest;
	uint8_t mode;
	size_t left;

	fuzz_in_init(&in, data, size);
	mode = fuzz_u8(&in);
	split = fuzz_u8(&in) | 0x100; /* never 0 */
	rest = fuzz_bytes(&in, size, &left);
	normalise(rest, left);
	pieces = parse(rest, left, mode, split);
	if (!(mode & (2 | 16)))
		FUZZ_CHECK(parse(rest, left, mode, 0) == pieces);
	return 0;
}
