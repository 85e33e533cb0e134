/*
 * test_http_resync.c - the http plugin where the capture lost bytes, as on
 * a real tap: a response whose head was lost does not shift every later
 * response onto the request before its own (their alerts carry no request
 * until the requests sent after the loss are answered); a status line
 * following the rest of a lost body on the same line is found; a
 * keep-alive probe's byte before a capture's first request does not hide
 * the connection's HTTP.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "http_resync");
	itest_config(&t, "stream: {midstream: true}\nplugins:\n  - name: http\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(http_resync, .init = begin, .fini = end);

/* Bytes the server sent that the capture lost. */
static void lost(struct pg_tcp *tcp, size_t n)
{
	tcp->sseq += (uint32_t)n;
}

static const char status_rules[] =
	"rules:\n"
	"  - {id: 1, msg: ok, buffer: http.status, patterns: [{content: '200'}]}\n"
	"  - {id: 2, msg: not found, buffer: http.status, patterns: [{content: '404'}]}\n";

Test(http_resync, a_lost_response_head_does_not_shift_the_pairing)
{
	static const char r1[] = "GET /one HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static const char r2[] = "GET /two HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static const char r3[] = "GET /three HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static const char h1[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n";
	static const char h2[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	struct pg_tcp tcp;
	const struct jr_val *a;

	itest_capture(&t, 1);
	pg_tcp_init(&tcp, &t.gen, "198.18.0.10", 40001, "198.18.1.1", 80);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, r1, strlen(r1));
	pg_tcp_send(&tcp, PG_TO_SERVER, r2, strlen(r2));
	lost(&tcp, strlen(h1)); /* the head of /one's response */
	pg_tcp_send(&tcp, PG_TO_CLIENT, "body", 4);
	pg_tcp_send(&tcp, PG_TO_CLIENT, h2, strlen(h2));
	pg_tcp_send(&tcp, PG_TO_SERVER, r3, strlen(r3));
	pg_tcp_send(&tcp, PG_TO_CLIENT, h1, strlen(h1));
	pg_tcp_send(&tcp, PG_TO_CLIENT, "done", 4);
	pg_tcp_close(&tcp);
	itest_rules(&t, status_rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);

	cr_assert_eq(itest_alerts(&t, 2), 1);
	a = eve_find(&t.eve, "alert.signature_id=2", 0);
	cr_expect_null(jr_str(a, "http.url"), "which request it answers is unknown, not /one");
	cr_expect_eq(jr_int(a, "http.status", 0), 404);
	cr_assert_eq(itest_alerts(&t, 1), 1);
	a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_str_eq(jr_str(a, "http.url"), "/three", "a request sent after the loss pairs");
}

Test(http_resync, status_line_after_the_rest_of_a_lost_body)
{
	static const char req[] = "GET /a HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
	static const char tail_and_next[] = "rest-no-lfHTTP/1.1 404 Not Found\r\n"
					    "Content-Length: 0\r\n\r\n";
	struct pg_tcp tcp;

	itest_capture(&t, 1);
	pg_tcp_init(&tcp, &t.gen, "198.18.0.11", 40002, "198.18.1.1", 80);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, req, strlen(req));
	lost(&tcp, strlen(head) + 4);
	pg_tcp_send(&tcp, PG_TO_CLIENT, tail_and_next, strlen(tail_and_next));
	pg_tcp_close(&tcp);
	itest_rules(&t, status_rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 2), 1, "the 404 after body bytes on the same line");
	cr_expect_eq(itest_alerts(&t, 1), 0);
}

Test(http_resync, keepalive_byte_before_a_midstream_request)
{
	static const char req[] = "\0GET /evil HTTP/1.1\r\nHost: a.example\r\n\r\n";
	struct pg_tcp tcp;

	itest_capture(&t, 1);
	pg_tcp_init(&tcp, &t.gen, "198.18.0.12", 40003, "198.18.1.1", 80);
	/* no handshake: the capture starts mid-connection */
	pg_tcp_send(&tcp, PG_TO_SERVER, req, sizeof(req) - 1);
	pg_tcp_send(&tcp, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38);
	pg_tcp_close(&tcp);
	itest_rules(&t, "rules:\n  - {id: 3, msg: evil, buffer: http.uri, patterns: [{content: "
			"/evil}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "event_type=flow", 0), "app_proto"), "http");
}
