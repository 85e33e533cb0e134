/*
 * test_http_parser.c - the http plugin's HTTP/1.x parser on its own: every
 * event it reports (heads with their fields, de-chunked bodies, message
 * ends, errors) is written to a text log, so a message fed whole, one byte
 * at a time or in random pieces must give the same log. Covers pipelining,
 * chunked bodies with split size lines, URI normalisation (percent-encoding
 * and dot segments), folding and odd whitespace, oversized heads, gaps,
 * response framing and hostile input.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parser.h"

struct rec {
	char log[1 << 16];
	size_t n;
	bool in_body;
	int head_ret; /* what the callback returns for heads */
	unsigned errors[HTTP_ERR_COUNT];
	unsigned heads, ends;
};

__attribute__((format(printf, 2, 3))) static void put(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->n + 1 >= sizeof(r->log))
		return; /* full: only hostile input gets here */
	va_start(ap, fmt);
	n = vsnprintf(r->log + r->n, sizeof(r->log) - r->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->n += (size_t)n < sizeof(r->log) - r->n ? (size_t)n : sizeof(r->log) - r->n - 1;
}

#define S(sl) (int)(sl).len, (const char *)(sl).p

static void put_head(struct rec *r, const struct http_msg *m)
{
	if (m->request)
		put(r, "REQ %.*s %.*s norm=%.*s %.*s", S(m->method), S(m->uri), S(m->uri_norm),
		    S(m->protocol));
	else
		put(r, "RESP %.*s %u [%.*s]", S(m->protocol), m->status, S(m->status_digits));
	if (m->has_host)
		put(r, " host=%.*s", S(m->host));
	if (m->has_user_agent)
		put(r, " ua=%.*s", S(m->user_agent));
	put(r, " cl=%lld chunked=%d close=%d headers=%zu\n", (long long)m->content_length,
	    m->chunked, m->conn_close, m->headers.len);
}

static int record(void *ctx, const struct http_event *ev)
{
	struct rec *r = ctx;

	if (ev->type != HTTP_EV_BODY && r->in_body) {
		put(r, "]\n");
		r->in_body = false;
	}
	switch (ev->type) {
	case HTTP_EV_HEAD:
		r->heads++;
		put_head(r, ev->msg);
		return r->head_ret;
	case HTTP_EV_BODY:
		cr_assert_gt(ev->len, 0);
		if (!r->in_body)
			put(r, "BODY[");
		r->in_body = true;
		put(r, "%.*s", (int)ev->len, (const char *)ev->data);
		break;
	case HTTP_EV_END:
		r->ends++;
		put(r, "END %llu\n", (unsigned long long)ev->msg->body_len);
		break;
	case HTTP_EV_ERROR:
		r->errors[ev->err]++;
		put(r, "ERROR %s\n", http_err_names[ev->err]);
		break;
	}
	return 0;
}

/* The parsers of a test share one scratch, as those of a worker do. */
static struct http_scratch scratch;

static struct http_parser *parser_new(struct rec *r, bool request)
{
	struct http_parser *p = malloc(sizeof(*p));

	cr_assert_not_null(p);
	memset(r, 0, sizeof(*r));
	http_parser_init(p, request, &scratch, record, r);
	return p;
}

static void parser_free(struct http_parser *p)
{
	http_parser_release(p);
	free(p);
}

/* Feed `text` in pieces of the given sizes (0-terminated list; the rest in
 * one piece), then end the direction. */
static void feed_pieces(struct http_parser *p, const char *text, size_t len, const size_t *sizes)
{
	size_t at = 0;

	for (; sizes && *sizes && at < len; sizes++) {
		size_t n = *sizes < len - at ? *sizes : len - at;

		http_parser_feed(p, (const uint8_t *)text + at, n);
		at += n;
	}
	http_parser_feed(p, (const uint8_t *)text + at, len - at);
	http_parser_end(p);
}

/* The log of `text` fed whole (request or response side). */
static char *log_whole(bool request, const char *text, size_t len)
{
	struct rec *r = malloc(sizeof(*r));
	struct http_parser *p = parser_new(r, request);
	char *out;

	feed_pieces(p, text, len, NULL);
	record(r, &(struct http_event){.type = HTTP_EV_END, .msg = &p->msg});
	out = strdup(r->log);
	parser_free(p);
	free(r);
	return out;
}

/* Same log whatever the splits: whole, each byte alone, every 2-way split,
 * and 50 random splits. */
static void assert_split_invariant(bool request, const char *text)
{
	size_t len = strlen(text);
	char *whole = log_whole(request, text, len);
	struct rec *r = malloc(sizeof(*r));
	size_t *sizes = calloc(len + 2, sizeof(*sizes));

	srand(7);
	for (int mode = 0; mode < 52 + (int)len; mode++) {
		struct http_parser *p = parser_new(r, request);

		memset(sizes, 0, (len + 2) * sizeof(*sizes));
		if (mode == 0) {
			for (size_t i = 0; i < len; i++)
				sizes[i] = 1;
		} else if (mode <= 50) {
			for (size_t i = 0, at = 0; at < len; i++) {
				sizes[i] = 1 + (size_t)rand() % 23;
				at += sizes[i];
			}
		} else {
			sizes[0] = (size_t)(mode - 51) + 1;
		}
		feed_pieces(p, text, len, sizes);
		record(r, &(struct http_event){.type = HTTP_EV_END, .msg = &p->msg});
		cr_assert_str_eq(r->log, whole, "split mode %d differs", mode);
		parser_free(p);
	}
	free(sizes);
	free(r);
	free(whole);
}

static const char get_request[] = "GET /index.html?q=1 HTTP/1.1\r\n"
				  "Host: www.Example.test:8080\r\n"
				  "User-Agent: curl/8.5.0\r\n"
				  "Accept: */*\r\n"
				  "\r\n";

Test(http_parser, simple_get_fields)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)get_request, strlen(get_request));
	cr_assert_str_eq(r.log, "REQ GET /index.html?q=1 norm=/index.html?q=1 HTTP/1.1 "
				"host=www.example.test ua=curl/8.5.0 cl=-1 chunked=0 close=0 "
				"headers=66\n"
				"END 0\n");
	cr_assert_eq(p->messages, 1);
	parser_free(p);
}

Test(http_parser, head_reported_at_its_last_line_feed)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)get_request, strlen(get_request) - 1);
	cr_assert_eq(r.heads, 0);
	http_parser_feed(p, (const uint8_t *)"\n", 1);
	cr_assert_eq(r.heads, 1);
	cr_assert_eq(r.ends, 1);
	parser_free(p);
}

static int check_headers(void *ctx, const struct http_event *ev)
{
	if (ev->type == HTTP_EV_HEAD) {
		const char *want = "Host: www.Example.test:8080\r\n"
				   "User-Agent: curl/8.5.0\r\n"
				   "Accept: */*\r\n";

		cr_assert_eq(ev->msg->headers.len, strlen(want));
		cr_assert_eq(memcmp(ev->msg->headers.p, want, strlen(want)), 0);
		(*(int *)ctx)++;
	}
	return 0;
}

Test(http_parser, header_slice_exact_bytes)
{
	struct http_parser *p = malloc(sizeof(*p));
	int seen = 0;

	http_parser_init(p, true, &scratch, check_headers, &seen);
	http_parser_feed(p, (const uint8_t *)get_request, strlen(get_request));
	cr_assert_eq(seen, 1);
	parser_free(p);
}

Test(http_parser, request_split_at_every_byte_boundary)
{
	assert_split_invariant(true, get_request);
}

static const char pipelined[] = "GET /one HTTP/1.1\r\nHost: a.test\r\n\r\n"
				"POST /two HTTP/1.1\r\nHost: b.test\r\nContent-Length: 11\r\n\r\n"
				"hello=world"
				"HEAD /three HTTP/1.0\r\nHost: c.test\r\nConnection: close\r\n\r\n";

Test(http_parser, pipelining_three_requests)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)pipelined, strlen(pipelined));
	http_parser_end(p);
	cr_assert_str_eq(r.log,
			 "REQ GET /one norm=/one HTTP/1.1 host=a.test cl=-1 chunked=0 close=0 "
			 "headers=14\n"
			 "END 0\n"
			 "REQ POST /two norm=/two HTTP/1.1 host=b.test cl=11 chunked=0 close=0 "
			 "headers=34\n"
			 "BODY[hello=world]\n"
			 "END 11\n"
			 "REQ HEAD /three norm=/three HTTP/1.0 host=c.test cl=-1 chunked=0 "
			 "close=1 headers=33\n"
			 "END 0\n");
	cr_assert_eq(p->messages, 3);
	parser_free(p);
}

Test(http_parser, pipelining_split_anywhere)
{
	assert_split_invariant(true, pipelined);
}

static const char chunked_req[] = "POST /upload HTTP/1.1\r\n"
				  "Host: up.test\r\n"
				  "Transfer-Encoding: gzip, Chunked\r\n"
				  "\r\n"
				  "4\r\nWiki\r\n"
				  "5;name=value\r\npedia\r\n"
				  "0000E\r\n in\r\n\r\nchunks.\r\n"
				  "0\r\n"
				  "X-Trailer: yes\r\n"
				  "\r\n"
				  "GET /after HTTP/1.1\r\n\r\n";

Test(http_parser, chunked_body_dechunked)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)chunked_req, strlen(chunked_req));
	cr_assert_str_eq(r.log,
			 "REQ POST /upload norm=/upload HTTP/1.1 host=up.test cl=-1 chunked=1 "
			 "close=0 headers=49\n"
			 "BODY[Wikipedia in\r\n\r\nchunks.]\n"
			 "END 23\n"
			 "REQ GET /after norm=/after HTTP/1.1 cl=-1 chunked=0 close=0 headers=0\n"
			 "END 0\n");
	parser_free(p);
}

Test(http_parser, chunk_size_lines_split_anywhere)
{
	assert_split_invariant(true, chunked_req);
}

Test(http_parser, bad_chunk_size_resyncs)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *t = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
			"zz\r\nabc\r\n"
			"GET /next HTTP/1.1\r\n\r\n";

	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	cr_assert_eq(r.errors[HTTP_ERR_CHUNK], 1);
	cr_assert_eq(r.heads, 2);
	cr_assert_eq(r.ends, 1);
	cr_assert(strstr(r.log, "ERROR chunk\nREQ GET /next") != NULL, "%s", r.log);
	parser_free(p);
}

Test(http_parser, chunk_size_overflow_is_an_error)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *t = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
			"10000000000000000\r\n";

	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	cr_assert_eq(r.errors[HTTP_ERR_CHUNK], 1);
	parser_free(p);
}

struct norm_case {
	const char *in, *out;
};

Test(http_parser, uri_normalisation)
{
	static const struct norm_case cases[] = {
		{"/a/./b/../c%2e%2e/etc/passwd", "/a/c../etc/passwd"},
		{"/a/b/%2e%2e/%2E%2E/etc/passwd", "/etc/passwd"},
		{"/x/../../../../etc/passwd", "/etc/passwd"},
		{"/cgi-bin/%2e%2e/%2e%2e/bin/sh", "/bin/sh"},
		{"//a//b///c", "//a//b///c"},
		{"/a//../b", "/a/b"},
		{"/a/b/..", "/a/"},
		{"/a/b/.", "/a/b/"},
		{"/./", "/"},
		{"/..", "/"},
		{"/.", "/"},
		{"/...", "/..."},
		{"/.hidden/..x", "/.hidden/..x"},
		{"/%zz%4g%4", "/%zz%4g%4"},
		{"/%", "/%"},
		{"/%41%42%43", "/ABC"},
		{"/%252e%252e/", "/%2e%2e/"},
		{"/a%2fb%2f..%2fc", "/a/c"},
		{"/p%3Fq=../x", "/p?q=../x"},
		{"/s?x=/../y&z=%41", "/s?x=/../y&z=A"},
		{"/a\\..\\b", "/a\\..\\b"},
		{"/a+b", "/a+b"},
		{"http://Host.test/a/../b?c=/./", "http://Host.test/b?c=/./"},
		{"HTTPS://h/./x", "HTTPS://h/x"},
		{"http://h", "http://h"},
		{"*", "*"},
		{"a/../b", "a/../b"},
	};
	uint8_t out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n =
			http_uri_normalise((const uint8_t *)cases[i].in, strlen(cases[i].in), out);

		cr_assert_leq(n, strlen(cases[i].in));
		cr_expect_eq(n, strlen(cases[i].out), "%s", cases[i].in);
		cr_expect_eq(memcmp(out, cases[i].out, n), 0, "%s -> %.*s", cases[i].in, (int)n,
			     out);
	}
}

Test(http_parser, uri_normalised_in_the_message)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *t = "GET /a/./b/../c%2e%2e/etc/passwd HTTP/1.1\r\n\r\n";

	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	cr_assert_str_eq(r.log, "REQ GET /a/./b/../c%2e%2e/etc/passwd norm=/a/c../etc/passwd "
				"HTTP/1.1 cl=-1 chunked=0 close=0 headers=0\nEND 0\n");
	parser_free(p);
}

static const char odd_space[] = "\r\n\n"
				"GET \t /odd   HTTP/1.1  \n"
				"Host :\t Mixed.CASE.test:443 \n"
				"User-Agent: Mozilla/5.0\r\n"
				"   (folded; line)\r\n"
				"\tand more\r\n"
				"Host: second.test\r\n"
				"no colon here\r\n"
				": empty name\r\n"
				"X-Empty:\r\n"
				"\n";

Test(http_parser, folding_and_odd_whitespace)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)odd_space, strlen(odd_space));
	cr_assert_str_eq(r.log, "ERROR header_line\n"
				"ERROR header_line\n"
				"REQ GET /odd norm=/odd HTTP/1.1 host=mixed.case.test "
				"ua=Mozilla/5.0 (folded; line) and more cl=-1 chunked=0 close=0 "
				"headers=142\n"
				"END 0\n");
	parser_free(p);
}

Test(http_parser, folding_split_anywhere)
{
	assert_split_invariant(true, odd_space);
}

Test(http_parser, host_forms)
{
	static const struct norm_case cases[] = {
		{"Host: [2001:DB8::1]:8080", "[2001:db8::1]"},
		{"Host: [2001:db8::1]", "[2001:db8::1]"},
		{"Host: EXAMPLE.test:", "example.test"},
		{"Host: a.test:80x", "a.test:80x"},
		{"Host: 198.18.0.1:8888", "198.18.0.1"},
		{"Host:", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rec r;
		struct http_parser *p = parser_new(&r, true);
		char text[256], want[256];

		snprintf(text, sizeof(text), "GET / HTTP/1.1\r\n%s\r\n\r\n", cases[i].in);
		snprintf(want, sizeof(want), " host=%s cl=", cases[i].out);
		http_parser_feed(p, (const uint8_t *)text, strlen(text));
		cr_expect(strstr(r.log, want) != NULL, "%s: %s", cases[i].in, r.log);
		parser_free(p);
	}
}

Test(http_parser, huge_header_block_rejected_then_next_request)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *next = "GET /next HTTP/1.1\r\nHost: n.test\r\n\r\n";
	char *big = malloc(20000);
	size_t n = 0;

	n += (size_t)sprintf(big, "GET /big HTTP/1.1\r\nHost: big.test\r\n");
	while (n < 9000)
		n += (size_t)sprintf(big + n, "X-Pad-%zu: %0100d\r\n", n, 0);
	n += (size_t)sprintf(big + n, "\r\n%s", next);
	for (size_t i = 0; i < n; i += 100) /* in segments */
		http_parser_feed(p, (const uint8_t *)big + i, n - i < 100 ? n - i : 100);
	cr_assert_str_eq(r.log, "ERROR head_too_long\n"
				"REQ GET /next norm=/next HTTP/1.1 host=n.test cl=-1 chunked=0 "
				"close=0 headers=14\n"
				"END 0\n");
	free(big);
	parser_free(p);
}

Test(http_parser, head_of_exactly_the_limit_is_accepted)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	char *t = malloc(HTTP_MAX_HEAD + 1);
	size_t n = (size_t)sprintf(t, "GET / HTTP/1.1\r\nX: ");

	memset(t + n, 'a', HTTP_MAX_HEAD - n - 4);
	memcpy(t + HTTP_MAX_HEAD - 4, "\r\n\r\n", 4);
	http_parser_feed(p, (const uint8_t *)t, HTTP_MAX_HEAD);
	cr_assert_eq(r.heads, 1);
	cr_assert_eq(r.errors[HTTP_ERR_HEAD_TOO_LONG], 0);
	parser_free(p);
	p = parser_new(&r, true);
	t[HTTP_MAX_HEAD - 4] = 'a';
	memcpy(t + HTTP_MAX_HEAD - 3, "\r\n\r\n", 4);
	http_parser_feed(p, (const uint8_t *)t, HTTP_MAX_HEAD + 1);
	cr_assert_eq(r.heads, 0);
	cr_assert_eq(r.errors[HTTP_ERR_HEAD_TOO_LONG], 1);
	free(t);
	parser_free(p);
}

Test(http_parser, gap_drops_message_and_resyncs)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *a = "POST /lost HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial";
	const char *b = "ody tail\r\nmore junk\r\nGET /found HTTP/1.1\r\n\r\n";

	http_parser_feed(p, (const uint8_t *)a, strlen(a));
	http_parser_gap(p);
	http_parser_feed(p, (const uint8_t *)b, strlen(b));
	cr_assert_str_eq(r.log, "REQ POST /lost norm=/lost HTTP/1.1 cl=100 chunked=0 close=0 "
				"headers=21\n"
				"BODY[partial]\n"
				"ERROR gap\n"
				"REQ GET /found norm=/found HTTP/1.1 cl=-1 chunked=0 close=0 "
				"headers=0\n"
				"END 0\n");
	parser_free(p);
}

Test(http_parser, gap_at_a_line_start_keeps_the_next_request)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *b = "GET /found HTTP/1.1\r\n\r\n";

	http_parser_gap(p);
	http_parser_feed(p, (const uint8_t *)b, strlen(b));
	cr_assert_eq(r.errors[HTTP_ERR_GAP], 1);
	cr_assert_eq(r.heads, 1);
	parser_free(p);
}

static const char responses[] = "HTTP/1.1 100 Continue\r\n\r\n"
				"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
				"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
				"3\r\nabc\r\n0\r\n\r\n"
				"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
				"HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n"
				"until the end";

Test(http_parser, response_framing)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, false);

	http_parser_feed(p, (const uint8_t *)responses, strlen(responses));
	http_parser_end(p);
	cr_assert_str_eq(r.log, "RESP HTTP/1.1 100 [100] cl=-1 chunked=0 close=0 headers=0\n"
				"END 0\n"
				"RESP HTTP/1.1 200 [200] cl=5 chunked=0 close=0 headers=19\n"
				"BODY[hello]\n"
				"END 5\n"
				"RESP HTTP/1.1 404 [404] cl=-1 chunked=1 close=0 headers=28\n"
				"BODY[abc]\n"
				"END 3\n"
				"RESP HTTP/1.1 304 [304] cl=99 chunked=0 close=0 headers=20\n"
				"END 0\n"
				"RESP HTTP/1.0 200 [200] cl=-1 chunked=0 close=1 headers=19\n"
				"BODY[until the end]\n"
				"END 13\n");
	parser_free(p);
}

Test(http_parser, responses_split_anywhere)
{
	assert_split_invariant(false, responses);
}

Test(http_parser, response_to_head_has_no_body)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, false);
	const char *t = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
			"HTTP/1.1 204 No Content\r\n\r\n";

	r.head_ret = HTTP_CB_NO_BODY;
	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	cr_assert_eq(r.heads, 2);
	cr_assert_eq(r.ends, 2);
	parser_free(p);
}

Test(http_parser, stop_ignores_the_rest)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, false);
	const char *t = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
			"\x81\x05hello HTTP/1.1 200 OK\r\n\r\n";

	r.head_ret = HTTP_CB_STOP;
	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	http_parser_end(p);
	cr_assert_eq(r.heads, 1);
	cr_assert_eq(r.ends, 0);
	cr_assert_eq(r.n, strlen(r.log));
	for (int i = 0; i < HTTP_ERR_COUNT; i++)
		cr_assert_eq(r.errors[i], 0);
	parser_free(p);
}

Test(http_parser, content_length_errors)
{
	static const char *bad[] = {
		"Content-Length: 12a",
		"Content-Length: -1",
		"Content-Length:",
		"Content-Length: 5\r\nContent-Length: 6",
		"Content-Length: 99999999999999999999",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rec r;
		struct http_parser *p = parser_new(&r, true);
		char text[256];

		snprintf(text, sizeof(text), "POST / HTTP/1.1\r\n%s\r\n\r\nGET /n HTTP/1.1\r\n\r\n",
			 bad[i]);
		http_parser_feed(p, (const uint8_t *)text, strlen(text));
		cr_expect_eq(r.errors[HTTP_ERR_CONTENT_LENGTH], 1, "%s", bad[i]);
		cr_expect_eq(r.heads, 1, "%s: %s", bad[i], r.log);
		parser_free(p);
	}
}

Test(http_parser, same_content_length_twice_is_fine)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *t = "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok";

	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	cr_assert_eq(r.errors[HTTP_ERR_CONTENT_LENGTH], 0);
	cr_assert_eq(r.ends, 1);
	parser_free(p);
}

Test(http_parser, content_length_beside_chunked)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);
	const char *t = "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
			"2\r\nab\r\n0\r\n\r\n";

	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	cr_assert_eq(r.errors[HTTP_ERR_CL_AND_TE], 1);
	cr_assert(strstr(r.log, "BODY[ab]\nEND 2\n") != NULL, "%s", r.log);
	parser_free(p);
}

Test(http_parser, not_http_fails_within_the_first_bytes)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)"\x16\x03\x01\x02", 4);
	cr_assert_eq(r.errors[HTTP_ERR_REQUEST_LINE], 1);
	cr_assert_eq(p->messages, 0);
	parser_free(p);
	p = parser_new(&r, false);
	http_parser_feed(p, (const uint8_t *)"220 smtp.test ESMTP\r\n", 21);
	cr_assert_eq(r.errors[HTTP_ERR_STATUS_LINE], 1);
	cr_assert_eq(p->messages, 0);
	parser_free(p);
	p = parser_new(&r, true);
	http_parser_feed(p, (const uint8_t *)"SSH-2.0-OpenSSH_9.6\r\n", 21);
	cr_assert_eq(r.errors[HTTP_ERR_REQUEST_LINE], 1);
	parser_free(p);
}

Test(http_parser, bad_start_lines)
{
	static const char *bad[] = {
		"GET /x\r\n",	      "GET /x HTTP/1\r\n",    "GET  HTTP/1.1\r\n",
		"G(T / HTTP/1.1\r\n", "GET / HTTP/1.1 x\r\n", " GET / HTTP/1.1\r\n",
		"GET / http/1.1\r\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rec r;
		struct http_parser *p = parser_new(&r, true);

		http_parser_feed(p, (const uint8_t *)bad[i], strlen(bad[i]));
		cr_expect_eq(r.errors[HTTP_ERR_REQUEST_LINE], 1, "%s", bad[i]);
		cr_expect_eq(r.heads, 0);
		parser_free(p);
	}
}

Test(http_parser, bad_status_lines)
{
	static const char *bad[] = {"HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n",
				    "HTTP/1.1 099 x\r\n", "HTTP/1.1\r\n", "HTTP/x.1 200 OK\r\n"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rec r;
		struct http_parser *p = parser_new(&r, false);

		http_parser_feed(p, (const uint8_t *)bad[i], strlen(bad[i]));
		cr_expect_eq(r.errors[HTTP_ERR_STATUS_LINE], 1, "%s", bad[i]);
		parser_free(p);
	}
}

Test(http_parser, truncated_at_every_length)
{
	size_t len = strlen(pipelined);

	for (size_t cut = 0; cut <= len; cut++) {
		struct rec r;
		struct http_parser *p = parser_new(&r, true);
		unsigned errs = 0;

		http_parser_feed(p, (const uint8_t *)pipelined, cut);
		http_parser_end(p);
		for (int i = 0; i < HTTP_ERR_COUNT; i++)
			errs += r.errors[i];
		cr_assert_eq(errs, r.errors[HTTP_ERR_TRUNCATED]);
		cr_assert_leq(r.errors[HTTP_ERR_TRUNCATED], 1);
		/* every message is either complete or reported truncated */
		cr_assert_eq(r.heads, r.ends + (r.errors[HTTP_ERR_TRUNCATED] && r.heads > r.ends));
		parser_free(p);
	}
}

Test(http_parser, hostile_garbage_never_breaks_it)
{
	struct rec *r = malloc(sizeof(*r));
	uint8_t buf[4096];
	static const char alphabet[] = "GET HTTP/1.1 \r\n:0123456789abcdefxX;%./\t\x00\xff";
	const size_t alen = sizeof(alphabet) - 1;

	srand(11);
	for (int round = 0; round < 300; round++) {
		struct http_parser *p = parser_new(r, round & 1);
		size_t n = (size_t)rand() % sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (round % 3) ? (uint8_t)alphabet[(size_t)rand() % alen]
					     : (uint8_t)rand();
		for (size_t at = 0; at < n;) {
			size_t part = 1 + (size_t)rand() % 64;

			if (part > n - at)
				part = n - at;
			if (rand() % 50 == 0)
				http_parser_gap(p);
			http_parser_feed(p, buf + at, part);
			at += part;
		}
		http_parser_end(p);
		cr_assert_leq(p->head_len, HTTP_MAX_HEAD);
		r->n = 0; /* keep the log from filling */
		parser_free(p);
	}
	free(r);
}

Test(http_parser, error_names)
{
	cr_assert_str_eq(http_err_names[HTTP_ERR_HEAD_TOO_LONG], "head_too_long");
	cr_assert_str_eq(http_err_names[HTTP_ERR_TRUNCATED], "truncated");
	for (int i = 0; i < HTTP_ERR_COUNT; i++)
		cr_assert_not_null(http_err_names[i]);
}

/* A PRNG of its own: assert_split_invariant reseeds rand(). */
static size_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (size_t)(*x >> 11);
}

/* Valid traffic with a few bytes changed: whatever the damage, the events
 * do not depend on how the bytes are split. */
Test(http_parser, mutated_messages_split_invariant)
{
	static const char *const samples[] = {pipelined, chunked_req, odd_space, get_request};
	static const char swaps[] = "\r\n :;0aF%/.\t";
	char text[1024];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int round = 0; round < 500; round++) {
		const char *src = samples[round % 4];
		size_t len = strlen(src);

		memcpy(text, src, len + 1);
		for (int k = 0; k < 1 + round % 4; k++)
			text[next_rand(&x) % len] = swaps[next_rand(&x) % (sizeof(swaps) - 1)];
		assert_split_invariant(true, text);
		memcpy(text, responses, sizeof(responses));
		text[next_rand(&x) % (sizeof(responses) - 1)] =
			swaps[next_rand(&x) % (sizeof(swaps) - 1)];
		assert_split_invariant(false, text);
	}
}

/* ------------------------------------------------- resynchronisation */

/* After a gap lost a response head, its body runs straight into the next
 * status line: "HTTP/1." is found in the middle of a line, as Wireshark
 * finds it, whatever the pieces. */
Test(http_parser, status_line_after_body_bytes_is_found)
{
	static const char after_gap[] = "the rest of a lost body, no line endHTTP/1.1 404 Not "
					 "Found\r\nContent-Length: 3\r\n\r\nabc";
	struct rec r;
	struct http_parser *p = parser_new(&r, false);

	http_parser_gap(p);
	http_parser_feed(p, (const uint8_t *)after_gap, strlen(after_gap));
	http_parser_end(p);
	cr_assert_str_eq(r.log, "ERROR gap\n"
				"RESP HTTP/1.1 404 [404] cl=3 chunked=0 close=0 headers=19\n"
				"BODY[abc]\n"
				"END 3\n");
	parser_free(p);
	assert_split_invariant(false, "xHTTP/1.1 200 OK\r\n\r\njunkHTTP/1.0 204 No\r\n\r\n");
	assert_split_invariant(false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc"
				      "defHTTP/1.1 301 Moved\r\n\r\n");
}

Test(http_parser, status_mark_split_over_pieces_and_long_lines)
{
	static char body[20000];
	struct rec r;
	struct http_parser *p = parser_new(&r, false);

	memset(body, 'x', sizeof(body));
	http_parser_gap(p);
	http_parser_feed(p, (const uint8_t *)body, sizeof(body)); /* longer than a head */
	http_parser_feed(p, (const uint8_t *)"zzHT", 4);
	http_parser_feed(p, (const uint8_t *)"TP/1.", 5);
	http_parser_feed(p, (const uint8_t *)"1 302 Found\r\n\r\n", 16);
	cr_assert_eq(r.heads, 1);
	cr_assert(strstr(r.log, "RESP HTTP/1.1 302 [302]") != NULL, "%s", r.log);
	parser_free(p);
}

Test(http_parser, a_status_line_is_not_looked_for_inside_a_status_line)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, false);
	const char *t = "HTTP/1.1 200 says HTTP/1.0 500\r\n\r\n";

	http_parser_gap(p);
	http_parser_feed(p, (const uint8_t *)t, strlen(t));
	cr_assert_eq(r.heads, 1);
	cr_assert(strstr(r.log, "RESP HTTP/1.1 200 [200]") != NULL, "%s", r.log);
	parser_free(p);
}

Test(http_parser, keepalive_nul_before_the_first_request)
{
	static const char t[] = "\0GET /after-keepalive HTTP/1.1\r\nHost: a\r\n\r\n"
				"\0GET /second HTTP/1.1\r\n\r\n";
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)t, sizeof(t) - 1);
	cr_assert_eq(r.heads, 1, "only before the connection's first request");
	cr_assert(strstr(r.log, "REQ GET /after-keepalive") != NULL, "%s", r.log);
	cr_assert_eq(r.errors[HTTP_ERR_REQUEST_LINE], 1);
	parser_free(p);
}

/* ---------------------------------------------------------------- memory */

/* What a parser costs: the struct, plus a head buffer only while a head
 * spans pieces; the scratch is per thread. Printed for docs/plugins/http.md
 * ("Limits"). */
Test(http_parser, memory_figures)
{
	cr_log_info("struct http_parser %zu bytes, struct http_scratch %zu bytes (per thread), "
		    "head buffer %d..%d bytes while a head spans pieces",
		    sizeof(struct http_parser), sizeof(struct http_scratch), HTTP_HEAD_BUF_MIN,
		    HTTP_MAX_HEAD);
	cr_assert_leq(sizeof(struct http_parser), 512);
}

/* What the callback sees of the parser and the input during a HEAD. */
struct probe {
	const struct http_parser *p;
	const uint8_t *in;
	size_t in_len;
	unsigned heads, bodies, ends;
	bool slices_in_input, values_in_scratch, no_head_buf;
	char proto_in_body[16];
};

static bool within(const uint8_t *x, const uint8_t *in, size_t len)
{
	return x >= in && x <= in + len;
}

static int probe_event(void *ctx, const struct http_event *ev)
{
	struct probe *pr = ctx;
	const struct http_msg *m = ev->msg;

	if (ev->type == HTTP_EV_HEAD) {
		pr->heads++;
		pr->slices_in_input = within(m->method.p, pr->in, pr->in_len) &&
				      within(m->uri.p, pr->in, pr->in_len) &&
				      within(m->headers.p, pr->in, pr->in_len);
		pr->values_in_scratch = m->uri_norm.p == scratch.uri_norm &&
					m->host.p == scratch.host && m->user_agent.p == scratch.ua;
		pr->no_head_buf = pr->p->head_buf == NULL && pr->p->head_cap == 0;
	} else if (ev->type == HTTP_EV_BODY) {
		pr->bodies++;
		snprintf(pr->proto_in_body, sizeof(pr->proto_in_body), "%.*s", (int)m->protocol.len,
			 (const char *)m->protocol.p);
	} else if (ev->type == HTTP_EV_END) {
		pr->ends++;
	}
	return 0;
}

static struct http_parser *probe_new(struct probe *pr, bool request)
{
	struct http_parser *p = malloc(sizeof(*p));

	cr_assert_not_null(p);
	memset(pr, 0, sizeof(*pr));
	pr->p = p;
	http_parser_init(p, request, &scratch, probe_event, pr);
	return p;
}

static void probe_feed(struct http_parser *p, struct probe *pr, const void *in, size_t len)
{
	pr->in = in;
	pr->in_len = len;
	http_parser_feed(p, in, len);
}

Test(http_parser, head_in_one_piece_is_parsed_where_it_lies)
{
	struct probe pr;
	struct http_parser *p = probe_new(&pr, true);
	const char *t = "POST /p HTTP/1.1\r\nHost: h.test\r\nContent-Length: 4\r\n\r\nab";

	probe_feed(p, &pr, t, strlen(t));
	cr_assert_eq(pr.heads, 1);
	cr_expect(pr.slices_in_input);
	cr_expect(pr.values_in_scratch);
	cr_expect(pr.no_head_buf);
	cr_expect_null(p->head_buf);
	/* in the body, only the protocol and the numbers stay */
	cr_expect_eq(p->msg.uri.len, 0);
	cr_expect_eq(p->msg.headers.len, 0);
	cr_expect_eq(p->msg.host.len, 0);
	cr_expect_eq(p->msg.content_length, 4);
	cr_expect_eq(p->msg.body_len, 2);
	cr_expect_eq(memcmp(p->msg.protocol.p, "HTTP/1.1", 8), 0);
	parser_free(p);
}

Test(http_parser, head_across_pieces_is_kept_then_freed)
{
	struct probe pr;
	struct http_parser *p = probe_new(&pr, true);
	size_t len = strlen(get_request), half = 40;
	uint8_t *a = malloc(half), *b = malloc(len - half);

	memcpy(a, get_request, half);
	memcpy(b, get_request + half, len - half);
	probe_feed(p, &pr, a, half);
	memset(a, 'z', half); /* the caller's input is not the parser's */
	cr_assert_eq(pr.heads, 0);
	cr_assert_eq(p->head_len, half);
	cr_assert_eq(p->head_cap, HTTP_HEAD_BUF_MIN);
	cr_assert_not_null(p->head_buf);
	free(a);
	probe_feed(p, &pr, b, len - half);
	cr_assert_eq(pr.heads, 1);
	cr_assert_eq(pr.ends, 1);
	cr_expect(pr.values_in_scratch);
	cr_expect_null(p->head_buf);
	cr_expect_eq(p->head_cap, 0);
	free(b);
	parser_free(p);
}

/* A head of exactly `total` bytes (start line, Host, X-Pad lines of at
 * most 100 bytes, blank line), then the request "GET /next". */
static size_t make_big_head(char *t, size_t total, const char *uri)
{
	size_t n = (size_t)sprintf(t, "GET %s HTTP/1.1\r\nHost: limit.test\r\n", uri);

	while (n + 2 < total) {
		size_t left = total - n - 2, line = left >= 200 ? 100 : left;

		memcpy(t + n, "X-Pad: ", 7);
		memset(t + n + 7, 'a', line - 9);
		memcpy(t + n + line - 2, "\r\n", 2);
		n += line;
	}
	memcpy(t + n, "\r\n", 2);
	n += 2;
	return n + (size_t)sprintf(t + n, "GET /next HTTP/1.1\r\n\r\n");
}

/* Feed `text` in pieces of `piece` bytes; every head buffer size seen
 * between pieces is a step of the doubling, at most HTTP_MAX_HEAD. Returns
 * how many times the buffer grew. */
static unsigned feed_watching_buffer(struct http_parser *p, const char *text, size_t len,
				     size_t piece)
{
	uint32_t last = 0;
	unsigned grew = 0;

	for (size_t at = 0; at < len; at += piece) {
		size_t n = len - at < piece ? len - at : piece;

		http_parser_feed(p, (const uint8_t *)text + at, n);
		cr_assert_leq(p->head_cap, HTTP_MAX_HEAD);
		cr_assert_leq(p->head_len, p->head_cap);
		cr_assert(p->head_cap == 0 || p->head_cap % HTTP_HEAD_BUF_MIN == 0);
		if (p->head_cap > last)
			grew++;
		last = p->head_cap;
	}
	http_parser_end(p);
	cr_assert_null(p->head_buf);
	return grew;
}

Test(http_parser, head_growing_over_many_pieces_up_to_the_limit)
{
	static const size_t pieces[] = {1, 7, 100, 1460};
	char *t = malloc(2 * HTTP_MAX_HEAD);
	size_t len = make_big_head(t, HTTP_MAX_HEAD, "/limit");
	char *whole = log_whole(true, t, len);

	cr_assert(strstr(whole, "REQ GET /limit norm=/limit HTTP/1.1 host=limit.test cl=-1 "
				"chunked=0 close=0 headers=8169\nEND 0\n"
				"REQ GET /next") != NULL,
		  "%s", whole);
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		struct rec r;
		struct http_parser *p = parser_new(&r, true);
		unsigned grew = feed_watching_buffer(p, t, len, pieces[i]);

		record(&r, &(struct http_event){.type = HTTP_EV_END, .msg = &p->msg});
		cr_expect_str_eq(r.log, whole, "pieces of %zu", pieces[i]);
		/* 1, 2, 4, 8 KiB for the big head, 1 KiB for the next one */
		cr_expect_leq(grew, 5, "pieces of %zu", pieces[i]);
		parser_free(p);
	}
	free(whole);
	free(t);
}

Test(http_parser, head_one_byte_over_the_limit_over_many_pieces)
{
	static const size_t pieces[] = {1, 7, 100, 1460};
	char *t = malloc(2 * HTTP_MAX_HEAD);
	size_t len = make_big_head(t, HTTP_MAX_HEAD + 1, "/over");

	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		struct rec r;
		struct http_parser *p = parser_new(&r, true);

		feed_watching_buffer(p, t, len, pieces[i]);
		cr_expect_str_eq(r.log,
				 "ERROR head_too_long\n"
				 "REQ GET /next norm=/next HTTP/1.1 cl=-1 chunked=0 close=0 "
				 "headers=0\nEND 0\n",
				 "pieces of %zu", pieces[i]);
		parser_free(p);
	}
	free(t);
}

Test(http_parser, head_buffer_freed_at_end_stop_and_release)
{
	struct rec r;
	struct http_parser *p = parser_new(&r, true);

	http_parser_feed(p, (const uint8_t *)get_request, 30);
	cr_assert_not_null(p->head_buf);
	http_parser_end(p);
	cr_expect_null(p->head_buf);
	cr_expect_eq(r.errors[HTTP_ERR_TRUNCATED], 1);
	http_parser_feed(p, (const uint8_t *)get_request, 30);
	cr_assert_not_null(p->head_buf);
	http_parser_stop(p);
	cr_expect_null(p->head_buf);
	cr_expect_eq(p->head_len, 0);
	parser_free(p);
	p = parser_new(&r, true);
	http_parser_feed(p, (const uint8_t *)get_request, 30);
	http_parser_release(p);
	cr_expect_null(p->head_buf);
	http_parser_feed(p, (const uint8_t *)get_request, strlen(get_request));
	cr_expect_eq(r.heads, 1); /* usable after release */
	parser_free(p);
}

/* http.c renders a response's protocol in alerts raised on its body,
 * pieces after the head's input is gone. */
Test(http_parser, response_protocol_outlives_the_head_input)
{
	struct probe pr;
	struct http_parser *p = probe_new(&pr, false);
	const char *head = "HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\n";
	char *in = strdup(head);

	probe_feed(p, &pr, in, strlen(in));
	memset(in, 'z', strlen(in));
	free(in);
	probe_feed(p, &pr, "body", 4);
	cr_assert_eq(pr.bodies, 1);
	cr_assert_eq(pr.ends, 1);
	cr_expect_str_eq(pr.proto_in_body, "HTTP/1.0");
	parser_free(p);
}

/* Whatever the input, between calls the head is in the parser's buffer,
 * which never exceeds HTTP_MAX_HEAD and is gone once the direction ends. */
Test(http_parser, hostile_pieces_keep_the_head_buffer_bounded)
{
	struct rec *r = malloc(sizeof(*r));
	static const char alphabet[] = "GET HTTP/1.1 \r\n\r\n:Host: 200 aaaaaaaaaaaaaaaa";
	uint8_t *buf = malloc(40000);
	uint64_t x = 0x2545f4914f6cdd1dULL;

	for (int round = 0; round < 60; round++) {
		struct http_parser *p = parser_new(r, round & 1);
		size_t n = next_rand(&x) % 40000;

		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)alphabet[next_rand(&x) % (sizeof(alphabet) - 1)];
		for (size_t at = 0; at < n;) {
			size_t part = 1 + next_rand(&x) % 3000;

			if (part > n - at)
				part = n - at;
			if (next_rand(&x) % 40 == 0)
				http_parser_gap(p);
			http_parser_feed(p, buf + at, part);
			at += part;
			cr_assert_leq(p->head_cap, HTTP_MAX_HEAD);
			cr_assert_leq(p->head_len, p->head_cap);
			cr_assert_eq(p->head_buf == NULL, p->head_cap == 0);
		}
		http_parser_end(p);
		cr_assert_null(p->head_buf);
		r->n = 0;
		parser_free(p);
	}
	free(buf);
	free(r);
}
