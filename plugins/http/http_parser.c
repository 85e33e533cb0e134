/*
 * http_parser.c - incremental HTTP/1.x parser for one stream direction.
 *
 * Design: a state machine over the bytes of one direction (see the states
 * in http_parser.h). The head of a message (start line, headers, blank
 * line) is collected line by line, with memchr finding the line ends; the
 * start line is checked as soon as it is complete (and its first bytes
 * while it is still incomplete, so that a stream which is not HTTP fails
 * within a few bytes instead of filling the buffer), the headers when the
 * blank line arrives. Bodies are never copied: their bytes are handed to
 * the callback where they lie in the caller's input, de-chunked.
 *
 * Head bytes: p->head points at the head so far. A head starts where it
 * lies in the input being fed (head_in_input); only when the feed call
 * ends with a head incomplete are its bytes copied to head_buf, which the
 * rest of the head is then appended to (growing it by doubling). So a head
 * that arrives whole in one piece is never copied. Nothing keeps a pointer
 * into the head while it is collected (the start line is checked into a
 * local struct and parsed again into p->msg when the head is complete), so
 * the bytes can move. Once the HEAD event is reported the head is
 * forgotten: its slices are cleared, head_len is 0 and head_buf is freed.
 *
 * Invariants:
 *   - head_len <= HTTP_MAX_HEAD; line_start <= head_len; head_len > 0 only
 *     in HEAD and RESYNC; between calls head_in_input is false and the
 *     head is in head_buf (head_len <= head_cap); during a call with
 *     head_in_input, head + head_len is the next input byte;
 *   - the slices in p->msg are set only during the HEAD callback (into the
 *     head, p->scratch and p->proto), except protocol (into p->proto);
 *   - every call to step() either consumes at least one byte or changes
 *     the state to one that will (HEAD -> HEAD_SKIP/RESYNC, CHUNK_END ->
 *     RESYNC), so http_parser_feed ends;
 *   - lengths and counters are checked before they grow: Content-Length
 *     and chunk sizes above 2^60 are errors, so sums never overflow;
 *   - after an error the parser is in RESYNC: it drops the rest of the
 *     current line, then tests each complete line as a start line; a
 *     response parser also takes "HTTP/1." anywhere in a line (after body
 *     bytes whose head was lost) as the start of a status line;
 *   - up to 16 NUL bytes before a connection's first request line are
 *     skipped (a keep-alive probe's byte at the start of a capture).
 *
 * Line ends are CRLF or a bare LF. Header lines starting with a space or a
 * tab continue the previous header (obsolete folding): Host and
 * User-Agent values are unfolded (each fold becomes one space).
 */
#include "http_parser.h"

#include <stdlib.h>
#include <string.h>

#define MAX_METHOD    32
#define MAX_BODY_SIZE (1ULL << 60)
#define STATUS_MARK   "HTTP/1." /* what a status line starts with */

const char *const http_err_names[HTTP_ERR_COUNT] = {
	[HTTP_ERR_HEAD_TOO_LONG] = "head_too_long",   [HTTP_ERR_REQUEST_LINE] = "request_line",
	[HTTP_ERR_STATUS_LINE] = "status_line",	      [HTTP_ERR_HEADER_LINE] = "header_line",
	[HTTP_ERR_CONTENT_LENGTH] = "content_length", [HTTP_ERR_CHUNK] = "chunk",
	[HTTP_ERR_CL_AND_TE] = "cl_and_te",	      [HTTP_ERR_GAP] = "gap",
	[HTTP_ERR_TRUNCATED] = "truncated",
};

/* Header names the parser looks at. */
enum hdr_id { HDR_OTHER = 0, HDR_HOST, HDR_UA, HDR_CL, HDR_TE, HDR_CONNECTION };

/* ---------------------------------------------------------- characters */

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(uint8_t c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint8_t to_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* RFC 9110 token characters. */
static bool is_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool eq_nocase(const uint8_t *a, size_t n, const char *lit)
{
	size_t m = strlen(lit);

	if (n != m)
		return false;
	for (size_t i = 0; i < n; i++)
		if (to_lower(a[i]) != (uint8_t)lit[i])
			return false;
	return true;
}

/* The line a..a+n without its trailing CR (the LF is not included). */
static size_t strip_cr(const uint8_t *a, size_t n)
{
	return (n && a[n - 1] == '\r') ? n - 1 : n;
}

static struct http_slice trim(const uint8_t *a, size_t n)
{
	while (n && is_ws(*a)) {
		a++;
		n--;
	}
	while (n && is_ws(a[n - 1]))
		n--;
	return (struct http_slice){a, n};
}

/* ------------------------------------------------------ URI normalising */

static size_t percent_decode(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (in[i] == '%' && i + 2 < n && hex_value(in[i + 1]) >= 0 &&
		    hex_value(in[i + 2]) >= 0) {
			out[o++] = (uint8_t)(hex_value(in[i + 1]) << 4 | hex_value(in[i + 2]));
			i += 2;
			continue;
		}
		out[o++] = in[i];
	}
	return o;
}

/* RFC 3986 5.2.4 on buf[0..n), which starts with '/', in place. */
static size_t remove_dot_segments(uint8_t *buf, size_t n)
{
	size_t o = 0, i = 0;

	while (i < n) {
		size_t j = i + 1;

		while (j < n && buf[j] != '/')
			j++;
		if (j - i == 2 && buf[i + 1] == '.') {
			if (j == n)
				buf[o++] = '/';
		} else if (j - i == 3 && buf[i + 1] == '.' && buf[i + 2] == '.') {
			while (o > 0 && buf[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			if (j == n)
				buf[o++] = '/';
		} else {
			memmove(buf + o, buf + i, j - i);
			o += j - i;
		}
		i = j;
	}
	if (o == 0)
		buf[o++] = '/';
	return o;
}

/* Length of "scheme://authority" at the start of an absolute-form URI. */
static size_t authority_len(const uint8_t *uri, size_t len)
{
	size_t i;

	if (len >= 7 && eq_nocase(uri, 7, "http://"))
		i = 7;
	else if (len >= 8 && eq_nocase(uri, 8, "https://"))
		i = 8;
	else
		return 0;
	while (i < len && uri[i] != '/' && uri[i] != '?')
		i++;
	return i;
}

size_t http_uri_normalise(const uint8_t *uri, size_t len, uint8_t *out)
{
	const uint8_t *q = memchr(uri, '?', len);
	size_t path_end = q ? (size_t)(q - uri) : len;
	size_t auth = authority_len(uri, path_end);
	size_t o = auth, path;

	memcpy(out, uri, auth);
	path = percent_decode(uri + auth, path_end - auth, out + o);
	if (path && out[o] == '/')
		path = remove_dot_segments(out + o, path);
	o += path;
	return o + percent_decode(uri + path_end, len - path_end, out + o);
}

/* ---------------------------------------------------------- start lines */

static void msg_clear(struct http_msg *m, bool request)
{
	memset(m, 0, sizeof(*m));
	m->request = request;
	m->content_length = -1;
}

static bool is_version(const uint8_t *a, size_t n)
{
	return n == 8 && memcmp(a, "HTTP/", 5) == 0 && is_digit(a[5]) && a[6] == '.' &&
	       is_digit(a[7]);
}

static size_t skip_ws(const uint8_t *l, size_t i, size_t n)
{
	while (i < n && is_ws(l[i]))
		i++;
	return i;
}

/* "METHOD SP uri SP HTTP/d.d", any run of spaces or tabs between. */
static bool parse_request_line(struct http_msg *m, const uint8_t *l, size_t n)
{
	size_t i = 0, u;

	while (i < n && is_tchar(l[i]))
		i++;
	if (i == 0 || i > MAX_METHOD || i == n || !is_ws(l[i]))
		return false;
	m->method = (struct http_slice){l, i};
	u = i = skip_ws(l, i, n);
	while (i < n && l[i] > ' ' && l[i] != 0x7f)
		i++;
	if (i == u || i == n || !is_ws(l[i]))
		return false;
	m->uri = (struct http_slice){l + u, i - u};
	m->protocol = trim(l + i, n - i);
	return is_version(m->protocol.p, m->protocol.len);
}

/* "HTTP/d.d SP ddd [SP reason]". */
static bool parse_status_line(struct http_msg *m, const uint8_t *l, size_t n)
{
	size_t i;

	if (n < 12 || !is_version(l, 8) || !is_ws(l[8]))
		return false;
	i = skip_ws(l, 8, n);
	if (n - i < 3 || !is_digit(l[i]) || !is_digit(l[i + 1]) || !is_digit(l[i + 2]))
		return false;
	if (i + 3 < n && !is_ws(l[i + 3]))
		return false;
	if (l[i] == '0')
		return false;
	m->protocol = (struct http_slice){l, 8};
	m->status_digits = (struct http_slice){l + i, 3};
	m->status = (unsigned)((l[i] - '0') * 100 + (l[i + 1] - '0') * 10 + (l[i + 2] - '0'));
	return true;
}

/* Parse the start line l[0..n) into m (cleared first); false when it is
 * not one. */
static bool parse_start_line(bool request, struct http_msg *m, const uint8_t *l, size_t n)
{
	msg_clear(m, request);
	return request ? parse_request_line(m, l, n) : parse_status_line(m, l, n);
}

/* Whether the complete line l[0..n) is a start line (p->msg untouched). */
static bool is_start_line(const struct http_parser *p, const uint8_t *l, size_t n)
{
	struct http_msg m;

	return parse_start_line(p->request, &m, l, n);
}

/* Whether the incomplete first line a..a+n can still become a start line. */
static bool start_prefix_ok(const struct http_parser *p, const uint8_t *a, size_t n)
{
	size_t i = 0;

	if (n == 1 && a[0] == '\r')
		return true; /* perhaps a blank line before the message */
	if (!p->request)
		return memcmp(a, "HTTP/", n < 5 ? n : 5) == 0;
	while (i < n && i <= MAX_METHOD && is_tchar(a[i]))
		i++;
	if (i == n)
		return i <= MAX_METHOD;
	return i > 0 && i <= MAX_METHOD && is_ws(a[i]);
}

/* -------------------------------------------------------------- headers */

static enum hdr_id header_id(const uint8_t *name, size_t n)
{
	if (eq_nocase(name, n, "host"))
		return HDR_HOST;
	if (eq_nocase(name, n, "user-agent"))
		return HDR_UA;
	if (eq_nocase(name, n, "content-length"))
		return HDR_CL;
	if (eq_nocase(name, n, "transfer-encoding"))
		return HDR_TE;
	if (eq_nocase(name, n, "connection"))
		return HDR_CONNECTION;
	return HDR_OTHER;
}

/* Append v to a value buffer of `cap` bytes (cut at cap), with one space
 * before it when `fold` (a continuation line). */
static void value_append(uint8_t *buf, size_t cap, size_t *len, struct http_slice v, bool fold)
{
	size_t room;

	if (fold && *len < cap && v.len)
		buf[(*len)++] = ' ';
	room = cap - *len;
	if (v.len < room)
		room = v.len;
	memcpy(buf + *len, v.p, room);
	*len += room;
}

/* Content-Length: digits only; returns -1 when malformed or too large. */
static int64_t parse_length(struct http_slice v)
{
	uint64_t n = 0;

	if (v.len == 0)
		return -1;
	for (size_t i = 0; i < v.len; i++) {
		if (!is_digit(v.p[i]) || n > MAX_BODY_SIZE / 10)
			return -1;
		n = n * 10 + (uint64_t)(v.p[i] - '0');
	}
	return n > MAX_BODY_SIZE ? -1 : (int64_t)n;
}

/* Whether the comma-separated list v holds `token` (any case). With
 * `last`, only its last element counts. */
static bool list_has(struct http_slice v, const char *token, bool last)
{
	size_t i = 0;
	bool found = false;

	while (i <= v.len) {
		size_t j = i;
		struct http_slice e;

		while (j < v.len && v.p[j] != ',')
			j++;
		e = trim(v.p + i, j - i);
		if (e.len)
			found = last ? eq_nocase(e.p, e.len, token)
				     : found || eq_nocase(e.p, e.len, token);
		i = j + 1;
	}
	return found;
}

/* Whether v holds `lit` (lower case) anywhere, any case, NUL bytes of v
 * skipped (as libhtp looks for "chunked" in Transfer-Encoding). */
static bool has_nocase_nozero(struct http_slice v, const char *lit)
{
	size_t m = strlen(lit);

	for (size_t i = 0; i < v.len; i++) {
		size_t j = i, k = 0;

		while (j < v.len && k < m) {
			if (v.p[j] == 0) {
				j++;
				continue;
			}
			if (to_lower(v.p[j]) != (uint8_t)lit[k])
				break;
			j++;
			k++;
		}
		if (k == m)
			return true;
	}
	return false;
}

/* What the app-layer events need of Transfer-Encoding (every header line
 * and continuation of it, as libhtp joins them into one value). */
static void te_note(struct http_msg *m, struct http_slice v, bool fold)
{
	bool again = m->te_present;

	m->te_present = true;
	m->te_has_chunked = m->te_has_chunked || has_nocase_nozero(v, "chunked");
	m->te_only_chunked = !again && !fold && eq_nocase(v.p, v.len, "chunked");
}

struct hdr_scan {
	size_t host_len, ua_len;
	bool cl_bad;
};

static void header_value(struct http_parser *p, struct hdr_scan *s, enum hdr_id id,
			 struct http_slice v, bool fold)
{
	struct http_msg *m = &p->msg;
	int64_t cl;

	switch (id) {
	case HDR_HOST:
		value_append(p->scratch->host, HTTP_MAX_HOST, &s->host_len, v, fold);
		break;
	case HDR_UA:
		value_append(p->scratch->ua, HTTP_MAX_UA, &s->ua_len, v, fold);
		break;
	case HDR_CL:
		cl = parse_length(v);
		if (cl < 0 || (m->content_length >= 0 && m->content_length != cl))
			s->cl_bad = true;
		m->content_length = cl;
		break;
	case HDR_TE:
		m->chunked = list_has(v, "chunked", true);
		te_note(m, v, fold);
		break;
	case HDR_CONNECTION:
		m->conn_close = m->conn_close || list_has(v, "close", false);
		break;
	default:
		break;
	}
}

/* Lower-case the Host value and strip its port, in place. */
static size_t host_normalise(uint8_t *h, size_t n)
{
	size_t colon = n;

	for (size_t i = 0; i < n; i++)
		h[i] = to_lower(h[i]);
	if (n && h[0] == '[') {
		const uint8_t *end = memchr(h, ']', n);

		return end ? (size_t)(end - h) + 1 : n;
	}
	for (size_t i = n; i > 0; i--)
		if (h[i - 1] == ':') {
			colon = i - 1;
			break;
		}
	for (size_t i = colon + 1; i < n; i++)
		if (!is_digit(h[i]))
			return n;
	return colon;
}

/* One header line (without its line end). Returns the header it names. */
static enum hdr_id header_line(struct http_parser *p, struct hdr_scan *s, const uint8_t *l,
			       size_t n, enum hdr_id prev)
{
	const uint8_t *colon;
	struct http_slice name;
	enum hdr_id id;

	if (is_ws(l[0])) { /* obsolete folding: continues `prev` */
		if (prev == HDR_HOST || prev == HDR_UA)
			header_value(p, s, prev, trim(l, n), true);
		return prev;
	}
	colon = memchr(l, ':', n);
	name = colon ? trim(l, (size_t)(colon - l)) : (struct http_slice){l, 0};
	if (name.len == 0) {
		struct http_event ev = {.type = HTTP_EV_ERROR, .err = HTTP_ERR_HEADER_LINE};

		p->cb(p->ctx, &ev);
		return HDR_OTHER;
	}
	id = header_id(name.p, name.len);
	if ((id == HDR_HOST && p->msg.has_host) || (id == HDR_UA && p->msg.has_user_agent))
		return HDR_OTHER; /* the first one counts */
	header_value(p, s, id, trim(colon + 1, n - (size_t)(colon + 1 - l)), false);
	p->msg.has_host = p->msg.has_host || id == HDR_HOST;
	p->msg.has_user_agent = p->msg.has_user_agent || id == HDR_UA;
	return id;
}

/* Parse the header lines of the complete head; false on a fatal error. */
static bool parse_headers(struct http_parser *p)
{
	struct http_msg *m = &p->msg;
	struct http_scratch *sc = p->scratch;
	struct hdr_scan s = {0};
	enum hdr_id prev = HDR_OTHER;
	const uint8_t *l = m->headers.p, *end = m->headers.p + m->headers.len;

	while (l < end) {
		const uint8_t *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = strip_cr(l, (size_t)(nl - l));

		if (n)
			prev = header_line(p, &s, l, n, prev);
		l = nl + 1;
	}
	m->host = (struct http_slice){sc->host, host_normalise(sc->host, s.host_len)};
	m->user_agent = (struct http_slice){sc->ua, s.ua_len};
	return !s.cl_bad;
}

/* ---------------------------------------------------------- head bytes */

static void head_reset(struct http_parser *p)
{
	p->head_len = 0;
	p->line_start = 0;
	p->headers_off = 0;
	p->first_line_done = false;
	msg_clear(&p->msg, p->request);
}

static void head_release(struct http_parser *p)
{
	free(p->head_buf);
	p->head_buf = NULL;
	p->head_cap = 0;
	if (!p->head_in_input)
		p->head = NULL;
}

/* Make head_buf hold at least `need` (<= HTTP_MAX_HEAD) bytes, keeping its
 * content: sizes HTTP_HEAD_BUF_MIN, twice that, ... up to HTTP_MAX_HEAD. */
static int head_reserve(struct http_parser *p, size_t need)
{
	size_t cap = p->head_cap ? p->head_cap : HTTP_HEAD_BUF_MIN;
	uint8_t *buf;

	if (need <= p->head_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > HTTP_MAX_HEAD)
		cap = HTTP_MAX_HEAD;
	buf = realloc(p->head_buf, cap);
	if (!buf)
		return -1;
	p->head_buf = buf;
	p->head_cap = (uint32_t)cap;
	return 0;
}

/* No memory for the head: drop the message as a gap would, without an
 * error event (dropping the rest of the current line when `mid_line`). */
static void head_drop(struct http_parser *p, bool mid_line)
{
	p->scratch->no_memory++;
	head_reset(p);
	p->state = HTTP_S_RESYNC;
	p->line_drop = mid_line;
}

/* The next n bytes of the input, at d, belong to the head. A head that
 * starts here stays in the input; one continued from an earlier call is
 * appended to head_buf. */
static int head_add(struct http_parser *p, const uint8_t *d, size_t n)
{
	if (p->head_len == 0) {
		p->head = d;
		p->head_in_input = true;
	} else if (!p->head_in_input) {
		if (head_reserve(p, p->head_len + n) < 0)
			return -1;
		memcpy(p->head_buf + p->head_len, d, n);
		p->head = p->head_buf;
	}
	p->head_len += n;
	return 0;
}

/* A feed call ends: head bytes still in the caller's input move to
 * head_buf, since the input is not ours after the call. */
static void head_keep(struct http_parser *p)
{
	const uint8_t *from = p->head;

	if (!p->head_in_input)
		return;
	p->head_in_input = false;
	p->head = p->head_buf;
	if (!p->head_len)
		return;
	if (head_reserve(p, p->head_len) < 0) {
		head_drop(p, p->line_start < p->head_len);
		return;
	}
	memcpy(p->head_buf, from, p->head_len);
	p->head = p->head_buf;
}

/* The start line head[0..head_len) is complete and valid. */
static void start_line_done(struct http_parser *p)
{
	p->first_line_done = true;
	p->messages++;
	p->headers_off = p->head_len;
	p->line_start = p->head_len;
}

/* The head is complete, its blank line starting at `blank`: fill p->msg
 * from its bytes. The start line was checked when it ended: parsing it
 * again cannot fail. */
static void head_fill(struct http_parser *p, size_t blank)
{
	struct http_msg *m = &p->msg;
	const uint8_t *h = p->head;
	size_t n = strip_cr(h, p->headers_off - 1);

	parse_start_line(p->request, m, h, n);
	m->head = (struct http_slice){h, p->head_len};
	m->start_line = (struct http_slice){h, n};
	m->headers = (struct http_slice){h + p->headers_off, blank - p->headers_off};
	if (m->protocol.len > sizeof(p->proto))
		m->protocol.len = sizeof(p->proto); /* cannot happen: "HTTP/d.d" */
	memcpy(p->proto, m->protocol.p, m->protocol.len);
	m->protocol.p = p->proto;
	if (!m->request)
		return;
	m->uri_norm.p = p->scratch->uri_norm;
	m->uri_norm.len = http_uri_normalise(m->uri.p, m->uri.len, p->scratch->uri_norm);
}

/* The HEAD event was reported: the head's bytes and the slices into them
 * (and into the scratch) are not needed any more. */
static void head_forget(struct http_parser *p)
{
	struct http_msg *m = &p->msg;
	static const struct http_slice none;

	m->method = m->uri = m->uri_norm = m->status_digits = none;
	m->head = m->start_line = none;
	m->headers = m->host = m->user_agent = none;
	p->head_len = 0;
	p->line_start = 0;
	p->headers_off = 0;
	p->first_line_done = false;
	head_release(p);
}

/* --------------------------------------------------------------- states */

static int emit(struct http_parser *p, enum http_event_type type, const uint8_t *data, size_t len)
{
	struct http_event ev = {.type = type, .msg = &p->msg, .data = data, .len = len};

	return p->cb(p->ctx, &ev);
}

/* Report `err`, drop the message, resynchronise (dropping the rest of the
 * current line when `mid_line`). */
static void fail(struct http_parser *p, enum http_err err, bool mid_line)
{
	struct http_event ev = {.type = HTTP_EV_ERROR, .err = err};

	p->cb(p->ctx, &ev);
	head_reset(p);
	p->state = HTTP_S_RESYNC;
	p->line_drop = mid_line;
}

static void finish(struct http_parser *p)
{
	emit(p, HTTP_EV_END, NULL, 0);
	head_reset(p);
	p->state = HTTP_S_HEAD;
}

static void chunk_size_begin(struct http_parser *p)
{
	p->state = HTTP_S_CHUNK_SIZE;
	p->have_digits = false;
	p->in_ext = false;
	p->digits = 0;
	p->ext_len = 0;
	p->remaining = 0;
}

static bool no_response_body(unsigned status)
{
	return status < 200 || status == 204 || status == 304;
}

/* The head is complete (its blank line starts at `blank`): check its
 * headers, report it, choose the framing. */
static void head_done(struct http_parser *p, size_t blank)
{
	struct http_msg *m = &p->msg;
	int r;

	head_fill(p, blank);
	if (!parse_headers(p)) {
		fail(p, HTTP_ERR_CONTENT_LENGTH, false);
		return;
	}
	if (m->chunked && m->content_length >= 0) {
		struct http_event ev = {.type = HTTP_EV_ERROR, .err = HTTP_ERR_CL_AND_TE};

		p->cb(p->ctx, &ev);
	}
	r = emit(p, HTTP_EV_HEAD, NULL, 0);
	head_forget(p);
	if (r == HTTP_CB_STOP) {
		p->state = HTTP_S_STOPPED;
		return;
	}
	if (r == HTTP_CB_NO_BODY || (!m->request && no_response_body(m->status)))
		finish(p);
	else if (m->chunked)
		chunk_size_begin(p);
	else if (m->content_length > 0) {
		p->remaining = (uint64_t)m->content_length;
		p->state = HTTP_S_BODY_LEN;
	} else if (m->content_length == 0 || m->request)
		finish(p);
	else
		p->state = HTTP_S_BODY_EOF;
}

/* A complete line ends at head_len (its LF included). */
static void head_line(struct http_parser *p)
{
	size_t ls = p->line_start;
	size_t n = strip_cr(p->head + ls, p->head_len - ls - 1);

	if (!p->first_line_done) {
		if (n == 0) { /* blank lines before a message are ignored */
			p->head_len = 0;
			return;
		}
		if (!is_start_line(p, p->head, n)) {
			fail(p, p->request ? HTTP_ERR_REQUEST_LINE : HTTP_ERR_STATUS_LINE, false);
			return;
		}
		start_line_done(p);
		return;
	}
	if (n == 0) {
		head_done(p, ls);
		return;
	}
	p->line_start = p->head_len;
}

/* Whether the current partial line of the head holds more than CRs. */
static bool partial_line_dirty(const struct http_parser *p)
{
	for (size_t i = p->line_start; i < p->head_len; i++)
		if (p->head[i] != '\r')
			return true;
	return false;
}

/* NUL bytes before a connection's first request line: a TCP keep-alive
 * probe's garbage byte that a capture started mid-connection puts before
 * the next request (the server never saw it). */
static size_t skip_leading_nuls(const struct http_parser *p, const uint8_t *d, size_t len)
{
	size_t i = 0;

	if (!p->request || p->messages || p->head_len)
		return 0;
	while (i < len && i < 16 && d[i] == 0)
		i++;
	return i;
}

/*
 * A response's first line: how much of d to take so that the line ends
 * where it stops being able to become a status line (its first 5 bytes
 * must be "HTTP/", or it is a blank line). The bytes after that point are
 * then resynchronised on ("HTTP/1." anywhere), the same whether they come
 * in one piece or byte by byte.
 */
static size_t status_prefix_take(const struct http_parser *p, const uint8_t *d, size_t take)
{
	for (size_t i = 0; p->head_len + i < 5 && i < take; i++) {
		size_t pos = p->head_len + i;

		if (d[i] == '\n')
			return take;
		if (pos == 0 && d[i] == '\r') {
			if (i + 1 < take && d[i + 1] != '\n')
				return i + 2; /* "\r" then not a line end */
			return take;
		}
		if (d[i] != (uint8_t) "HTTP/"[pos])
			return i + 1;
	}
	return take;
}

static size_t step_head(struct http_parser *p, const uint8_t *d, size_t len)
{
	const uint8_t *nl = memchr(d, '\n', len);
	size_t take = nl ? (size_t)(nl - d) + 1 : len, nuls = skip_leading_nuls(p, d, len);

	if (nuls)
		return nuls;
	if (!p->request && !p->first_line_done) {
		size_t cut = status_prefix_take(p, d, take);

		if (cut < take) {
			take = cut;
			nl = d[take - 1] == '\n' ? d + take - 1 : NULL;
		}
	}

	if (take > HTTP_MAX_HEAD - p->head_len) {
		if (!p->first_line_done) {
			fail(p, HTTP_ERR_HEAD_TOO_LONG, true);
			return 0;
		}
		p->line_dirty = partial_line_dirty(p);
		fail(p, HTTP_ERR_HEAD_TOO_LONG, false);
		p->state = HTTP_S_HEAD_SKIP;
		return 0;
	}
	if (head_add(p, d, take) < 0) {
		head_drop(p, !nl);
		return take;
	}
	if (nl) {
		head_line(p);
	} else if (!p->first_line_done && !start_prefix_ok(p, p->head, p->head_len)) {
		fail(p, p->request ? HTTP_ERR_REQUEST_LINE : HTTP_ERR_STATUS_LINE, true);
	}
	return take;
}

/* Consume up to and including the next blank line; *blank when found. */
static size_t skip_to_blank(struct http_parser *p, const uint8_t *d, size_t len, bool *blank)
{
	for (size_t i = 0; i < len; i++) {
		if (d[i] == '\n') {
			if (!p->line_dirty) {
				*blank = true;
				return i + 1;
			}
			p->line_dirty = false;
		} else if (d[i] != '\r') {
			p->line_dirty = true;
		}
	}
	return len;
}

/* RESYNC: add the next `take` bytes of the current line to the head; at
 * its line end (`nl`), a start line begins a message, anything else is
 * dropped. Returns take. */
static size_t resync_line(struct http_parser *p, const uint8_t *d, size_t take, bool nl)
{
	size_t n;

	if (head_add(p, d, take) < 0) {
		head_drop(p, !nl && p->request);
		return take;
	}
	if (!nl)
		return take;
	n = strip_cr(p->head, p->head_len - 1);
	if (n && is_start_line(p, p->head, n)) {
		start_line_done(p);
		p->state = HTTP_S_HEAD;
	} else {
		p->head_len = 0;
	}
	return take;
}

/* Drop the first k bytes of the head (the head is one partial line). */
static void head_drop_prefix(struct http_parser *p, size_t k)
{
	if (p->head_in_input)
		p->head += k;
	else
		memmove(p->head_buf, p->head_buf + k, p->head_len - k);
	p->head_len -= k;
}

/* The partial line in the head is (a prefix of) "HTTP/1.": a status line
 * starts at the line's start, nothing inside it is looked for. */
static bool head_starts_status(const struct http_parser *p)
{
	return p->head_len && memcmp(p->head, STATUS_MARK, p->head_len < 7 ? p->head_len : 7) == 0;
}

/*
 * A status line whose "HTTP/1." began in the head's last bytes and ends in
 * d: drop the head before it. True when found.
 */
static bool status_across(struct http_parser *p, const uint8_t *d, size_t take)
{
	uint8_t w[12];
	size_t tail = p->head_len < 6 ? p->head_len : 6, more = take < 6 ? take : 6;
	const uint8_t *at;

	memcpy(w, p->head + p->head_len - tail, tail);
	memcpy(w + tail, d, more);
	at = memmem(w, tail + more, STATUS_MARK, 7);
	if (!at || (size_t)(at - w) >= tail)
		return false;
	head_drop_prefix(p, p->head_len - tail + (size_t)(at - w));
	return true;
}

/*
 * RESYNC of responses: after a lost head, the body before the next status
 * line need not end with a line end, so "HTTP/1." is looked for anywhere
 * in a line (as Wireshark does), across pieces too, unless the line itself
 * starts with it. A line longer than a head keeps only its last 6 bytes
 * (where a split "HTTP/1." may begin).
 */
static size_t step_resync_response(struct http_parser *p, const uint8_t *d, size_t len)
{
	const uint8_t *nl = memchr(d, '\n', len), *mark;
	size_t take = nl ? (size_t)(nl - d) + 1 : len;

	p->line_drop = false;
	if (!head_starts_status(p) && !(p->head_len && status_across(p, d, take)) &&
	    (mark = memmem(d, take, STATUS_MARK, 7)) != NULL) {
		p->head_len = 0;
		if (mark > d)
			return (size_t)(mark - d);
	}
	if (take > HTTP_MAX_HEAD - p->head_len) {
		size_t keep = take < 6 ? take : 6;

		p->head_len = 0;
		if (!nl && head_add(p, d + take - keep, keep) < 0)
			head_drop(p, false);
		return take;
	}
	return resync_line(p, d, take, nl != NULL);
}

static size_t step_resync(struct http_parser *p, const uint8_t *d, size_t len)
{
	const uint8_t *nl = memchr(d, '\n', len);
	size_t take = nl ? (size_t)(nl - d) + 1 : len;

	if (!p->request)
		return step_resync_response(p, d, len);
	if (p->line_drop || take > HTTP_MAX_HEAD - p->head_len) {
		p->line_drop = !nl;
		p->head_len = 0;
		return take;
	}
	return resync_line(p, d, take, nl != NULL);
}

static size_t step_body(struct http_parser *p, const uint8_t *d, size_t len)
{
	size_t take = len;

	if (p->state != HTTP_S_BODY_EOF && p->remaining < take)
		take = (size_t)p->remaining;
	p->msg.body_len += take;
	emit(p, HTTP_EV_BODY, d, take);
	if (p->state == HTTP_S_BODY_EOF)
		return take;
	p->remaining -= take;
	if (p->remaining)
		return take;
	if (p->state == HTTP_S_BODY_LEN) {
		finish(p);
	} else {
		p->state = HTTP_S_CHUNK_END;
		p->cr_seen = false;
	}
	return take;
}

/* The chunk size line ended (LF consumed). */
static void chunk_size_done(struct http_parser *p)
{
	if (!p->have_digits) {
		fail(p, HTTP_ERR_CHUNK, false);
	} else if (p->remaining == 0) {
		p->state = HTTP_S_TRAILER;
		p->trailer_len = 0;
		p->line_dirty = false;
	} else {
		p->state = HTTP_S_CHUNK_DATA;
	}
}

static size_t step_chunk_size(struct http_parser *p, const uint8_t *d, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int h = hex_value(d[i]);

		if (d[i] == '\n') {
			chunk_size_done(p);
			return i + 1;
		}
		if (p->in_ext) {
			if (++p->ext_len > HTTP_MAX_CHUNK_EXT) {
				fail(p, HTTP_ERR_CHUNK, true);
				return i + 1;
			}
		} else if (h >= 0 && p->digits < 15) {
			p->remaining = p->remaining << 4 | (uint64_t)h;
			p->digits++;
			p->have_digits = true;
		} else if (p->have_digits && (d[i] == ';' || is_ws(d[i]) || d[i] == '\r')) {
			p->in_ext = true;
		} else {
			fail(p, HTTP_ERR_CHUNK, true);
			return i + 1;
		}
	}
	return len;
}

static size_t step_chunk_end(struct http_parser *p, const uint8_t *d)
{
	if (d[0] == '\r' && !p->cr_seen) {
		p->cr_seen = true;
		return 1;
	}
	if (d[0] == '\n') {
		chunk_size_begin(p);
		return 1;
	}
	fail(p, HTTP_ERR_CHUNK, true);
	return 0;
}

static size_t step_trailer(struct http_parser *p, const uint8_t *d, size_t len)
{
	bool blank = false;
	size_t used = skip_to_blank(p, d, len, &blank);

	p->trailer_len += (uint32_t)(used < HTTP_MAX_HEAD ? used : HTTP_MAX_HEAD);
	if (blank)
		finish(p);
	else if (p->trailer_len > HTTP_MAX_HEAD)
		fail(p, HTTP_ERR_HEAD_TOO_LONG, true);
	return used;
}

static size_t step_head_skip(struct http_parser *p, const uint8_t *d, size_t len)
{
	bool blank = false;
	size_t used = skip_to_blank(p, d, len, &blank);

	if (blank) { /* the body's framing is unknown: look for the next start line */
		head_reset(p);
		p->state = HTTP_S_RESYNC;
		p->line_drop = false;
	}
	return used;
}

static size_t step(struct http_parser *p, const uint8_t *d, size_t len)
{
	switch (p->state) {
	case HTTP_S_HEAD:
		return step_head(p, d, len);
	case HTTP_S_HEAD_SKIP:
		return step_head_skip(p, d, len);
	case HTTP_S_BODY_LEN:
	case HTTP_S_CHUNK_DATA:
	case HTTP_S_BODY_EOF:
		return step_body(p, d, len);
	case HTTP_S_CHUNK_SIZE:
		return step_chunk_size(p, d, len);
	case HTTP_S_CHUNK_END:
		return step_chunk_end(p, d);
	case HTTP_S_TRAILER:
		return step_trailer(p, d, len);
	case HTTP_S_RESYNC:
		return step_resync(p, d, len);
	default:
		return len; /* HTTP_S_STOPPED */
	}
}

/* ------------------------------------------------------------------ API */

void http_parser_init(struct http_parser *p, bool request, struct http_scratch *scratch,
		      http_event_fn cb, void *ctx)
{
	p->cb = cb;
	p->ctx = ctx;
	p->scratch = scratch;
	p->request = request;
	p->state = HTTP_S_HEAD;
	p->messages = 0;
	p->line_drop = false;
	p->head_in_input = false;
	p->head = NULL;
	p->head_buf = NULL;
	p->head_cap = 0;
	head_reset(p);
}

void http_parser_release(struct http_parser *p)
{
	if (!p)
		return;
	head_release(p);
	head_reset(p);
}

void http_parser_feed(struct http_parser *p, const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len)
		off += step(p, data + off, len - off);
	head_keep(p);
}

void http_parser_gap(struct http_parser *p)
{
	if (p->state == HTTP_S_STOPPED)
		return;
	fail(p, HTTP_ERR_GAP, false);
}

void http_parser_end(struct http_parser *p)
{
	switch (p->state) {
	case HTTP_S_BODY_EOF:
		finish(p);
		break;
	case HTTP_S_HEAD:
		if (p->head_len)
			fail(p, HTTP_ERR_TRUNCATED, false);
		break;
	case HTTP_S_BODY_LEN:
	case HTTP_S_CHUNK_SIZE:
	case HTTP_S_CHUNK_DATA:
	case HTTP_S_CHUNK_END:
	case HTTP_S_TRAILER:
		fail(p, HTTP_ERR_TRUNCATED, false);
		break;
	default:
		break;
	}
	if (p->state != HTTP_S_STOPPED) {
		head_reset(p);
		p->state = HTTP_S_HEAD;
	}
	head_release(p);
}

void http_parser_stop(struct http_parser *p)
{
	p->state = HTTP_S_STOPPED;
	head_forget(p);
}
