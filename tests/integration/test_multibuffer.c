/*
 * test_multibuffer.c - rules whose patterns name several buffers of one
 * transaction, in the real sensor on crafted captures: an HTTP rule on
 * method + uri + header alerts once per matching request and not on a
 * request where only some buffers match; a request-uri + response
 * stat_code rule alerts once, at the response, with the request's tx_id;
 * a request body rule waits for the body. (DNS and TLS: see the end.)
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "multibuffer");
	itest_config(&t, "plugins:\n  - name: http\n  - name: dns\n  - name: tls\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(multibuffer, .init = begin, .fini = end);

/* One connection from port `sport`: requests and responses in order. */
static void http_conn(uint16_t sport, const char *const *msgs, size_t n)
{
	struct pg_tcp tcp;

	pg_tcp_init(&tcp, &t.gen, "198.18.0.10", sport, "198.18.1.1", 80);
	pg_tcp_handshake(&tcp);
	for (size_t i = 0; i < n; i++)
		pg_tcp_send(&tcp, i % 2 ? PG_TO_CLIENT : PG_TO_SERVER, msgs[i], strlen(msgs[i]));
	pg_tcp_close(&tcp);
}

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char forbidden[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";

static const char rules_http[] =
	"rules:\n"
	"  - {id: 1, msg: method+uri+header, patterns: [{content: POST, buffer: http.method},"
	" {content: /upload.php, buffer: http.uri}, {content: \"X-Evil: yes\", buffer: "
	"http.header}]}\n"
	"  - {id: 2, msg: uri+stat_code, patterns: [{content: /admin, buffer: http.uri},"
	" {content: \"403\", buffer: http.stat_code}]}\n"
	"  - {id: 3, msg: method+body, patterns: [{content: POST, buffer: http.method},"
	" {content: \"cmd=\", buffer: http.request_body}]}\n";

Test(multibuffer, http_method_uri_header_alerts_once_per_matching_request)
{
	const char *msgs[] = {
		"POST /x/upload.php HTTP/1.1\r\nHost: a\r\nX-Evil: yes\r\nContent-Length: "
		"0\r\n\r\n",
		ok_resp,
		/* only two of three buffers match */
		"GET /x/upload.php HTTP/1.1\r\nHost: a\r\nX-Evil: yes\r\n\r\n",
		ok_resp,
		"POST /x/other.php HTTP/1.1\r\nHost: a\r\nX-Evil: yes\r\nContent-Length: 0\r\n\r\n",
		ok_resp,
		"POST /upload.php HTTP/1.1\r\nHost: a\r\nX-Good: yes\r\nContent-Length: 0\r\n\r\n",
		ok_resp,
		/* matches again: tx 4 */
		"POST /upload.php?a HTTP/1.1\r\nX-Evil: yes\r\nContent-Length: 0\r\n\r\n",
		ok_resp,
	};

	itest_capture(&t, 1);
	http_conn(40000, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rules_http);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 tx_id=0 src_ip=198.18.0.10"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 tx_id=4"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 http.http_method=POST"), 2);
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 0);
}

Test(multibuffer, http_request_uri_and_response_status)
{
	const char *msgs[] = {
		"GET /admin/panel HTTP/1.1\r\nHost: a\r\n\r\n", forbidden,
		"GET /admin/panel HTTP/1.1\r\nHost: a\r\n\r\n", ok_resp,
		"GET /public HTTP/1.1\r\nHost: a\r\n\r\n",	forbidden,
		"GET /admin/again HTTP/1.1\r\nHost: a\r\n\r\n", forbidden,
	};

	itest_capture(&t, 1);
	http_conn(40001, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rules_http);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2 tx_id=0 src_ip=198.18.1.1"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2 tx_id=3 http.status=403"), 1);
	cr_expect_eq(itest_alerts(&t, 1), 0);
}

Test(multibuffer, http_request_body_waits_for_the_body)
{
	const char *msgs[] = {
		"POST /run HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\ncmd=ls -l", ok_resp,
		"POST /run HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",	       ok_resp,
		"PUT /run HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\ncmd=ls",     ok_resp,
	};

	itest_capture(&t, 1);
	http_conn(40002, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rules_http);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=3 tx_id=0"), 1);
}
