/*
 * test_http_buffers.c - the http plugin's buffers of Suricata's http
 * keywords, in the real sensor: one request and one response carrying
 * every header they read, a rule on each buffer with its exact alert
 * count (a rule on a request buffer alerts on the request, one on a
 * response buffer on the response); file.data of gzip and deflate bodies,
 * a decompression bomb cut at the body limit.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "http_buffers");
	itest_config(&t, "plugins:\n  - name: http\n    options: {body-limit: 8192}\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(http_buffers, .init = begin, .fini = end);

static void exchange(const char *cli, const void *req, size_t req_len, const void *resp,
		     size_t resp_len)
{
	struct pg_tcp tcp;

	pg_tcp_init(&tcp, &t.gen, cli, 40000, "198.18.1.1", 80);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, req, req_len);
	pg_tcp_send(&tcp, PG_TO_CLIENT, resp, resp_len);
	pg_tcp_close(&tcp);
}

static const char request[] = "POST /upload.php?id=1 HTTP/1.1\r\n"
			      "Host: Files.Example.ORG:8080\r\n"
			      "User-Agent: agent/2.0\r\n"
			      "Accept: text/html\r\n"
			      "Accept-Language: de-CH\r\n"
			      "Accept-Encoding: gzip, deflate\r\n"
			      "Referer: http://ref.example/page\r\n"
			      "Cookie: session=abc123\r\n"
			      "Connection: keep-alive\r\n"
			      "Content-Type: application/x-www-form-urlencoded\r\n"
			      "Content-Length: 7\r\n"
			      "\r\n"
			      "a=b&c=d";
static const char response[] = "HTTP/1.1 302 Moved Elsewhere\r\n"
			       "Server: nginx/1.25.3\r\n"
			       "Location: http://next.example/x\r\n"
			       "Set-Cookie: track=zz9\r\n"
			       "Content-Type: text/plain\r\n"
			       "Content-Length: 4\r\n"
			       "\r\n"
			       "gone";

/* buffer, content, expected alerts, 1: from the server */
static const struct {
	const char *buffer, *content;
	unsigned want;
	int from_server;
} cases[] = {
	{"http.protocol", "HTTP/1.1", 2, -1},
	{"http.request_line", "POST /upload.php?id=1 HTTP/1.1", 1, 0},
	{"http.response_line", "HTTP/1.1 302 Moved Elsewhere", 1, 1},
	{"http.start", "HTTP/1.1\\r\\nHost: Files", 1, 0},
	{"http.header", "Host: Files.Example.ORG:8080\\r\\nUser-Agent", 1, 0},
	{"http.header", "session=abc123", 0, 0},
	{"http.header.raw", "session=abc123", 1, 0},
	{"http.header_names", "\\r\\nServer\\r\\nLocation\\r\\nSet-Cookie\\r\\n", 1, 1},
	{"http.host", "files.example.org", 1, 0},
	{"http.host.raw", "Files.Example.ORG:8080", 1, 0},
	{"http.cookie", "session=abc123", 1, 0},
	{"http.cookie", "track=zz9", 1, 1},
	{"http.referer", "ref.example/page", 1, 0},
	{"http.accept", "text/html", 1, 0},
	{"http.accept_lang", "de-CH", 1, 0},
	{"http.accept_enc", "gzip, deflate", 1, 0},
	{"http.connection", "keep-alive", 1, 0},
	{"http.content_type", "text/plain", 1, 1},
	{"http.content_type", "x-www-form-urlencoded", 1, 0},
	{"http.content_len", "7", 1, 0},
	{"http.stat_code", "302", 1, 1},
	{"http.stat_msg", "Moved Elsewhere", 1, 1},
	{"http.location", "next.example", 1, 1},
	{"http.server", "nginx/1", 1, 1},
	{"file.data", "a=b&c=d", 1, 0},
	{"file.data", "gone", 1, 1},
};

Test(http_buffers, every_buffer_on_one_exchange)
{
	char rules[8192];
	size_t at = (size_t)snprintf(rules, sizeof(rules), "rules:\n");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		at += (size_t)snprintf(rules + at, sizeof(rules) - at,
				       "  - {id: %zu, msg: '%s', buffer: %s, patterns: [{content: "
				       "\"%s\"}]}\n",
				       i + 1, cases[i].buffer, cases[i].buffer, cases[i].content);
	itest_capture(&t, 1);
	exchange("198.18.0.10", request, strlen(request), response, strlen(response));
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char filter[96];

		cr_expect_eq(itest_alerts(&t, (unsigned)(i + 1)), cases[i].want, "%s '%s'",
			     cases[i].buffer, cases[i].content);
		if (cases[i].want != 1 || cases[i].from_server < 0)
			continue;
		snprintf(filter, sizeof(filter), "alert.signature_id=%zu src_ip=%s", i + 1,
			 cases[i].from_server ? "198.18.1.1" : "198.18.0.10");
		cr_expect_eq(eve_count(&t.eve, filter), 1, "%s from the %s", cases[i].buffer,
			     cases[i].from_server ? "server" : "client");
	}
}

static size_t squeeze(const void *in, size_t n, int wbits, uint8_t *z, size_t cap)
{
	z_stream s;

	memset(&s, 0, sizeof(s));
	cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)n;
	s.next_out = z;
	s.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	n = s.total_out;
	deflateEnd(&s);
	return n;
}

/* A response with `body` encoded as `coding` (windowBits wbits). */
static void coded_response(const char *cli, const char *coding, int wbits, const void *body,
			   size_t n)
{
	static const char req[] = "GET /f HTTP/1.1\r\nHost: a.example\r\n\r\n";
	static uint8_t z[65536], wire[70000];
	size_t zn = squeeze(body, n, wbits, z, sizeof(z));
	int h = snprintf((char *)wire, sizeof(wire),
			 "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
			 coding, zn);

	memcpy(wire + h, z, zn);
	exchange(cli, req, strlen(req), wire, (size_t)h + zn);
}

Test(http_buffers, file_data_is_decoded_and_a_bomb_is_cut)
{
	static const char page[] = "<script>document.write('ms-evil-payload')</script>";
	static char bomb[1 << 20];

	memset(bomb, 'A', sizeof(bomb));
	memcpy(bomb + sizeof(bomb) - 16, "after-the-limit", 15);
	itest_capture(&t, 1);
	coded_response("198.18.0.20", "gzip", 31, page, strlen(page));
	coded_response("198.18.0.21", "deflate", 15, page, strlen(page));
	coded_response("198.18.0.22", "deflate", -15, page, strlen(page));
	coded_response("198.18.0.23", "gzip", 31, bomb, sizeof(bomb));
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 1, msg: decoded, buffer: file.data, patterns: [{content: "
		    "ms-evil-payload}]}\n"
		    "  - {id: 2, msg: raw body, buffer: http.response_body, patterns: [{content: "
		    "ms-evil-payload}]}\n"
		    "  - {id: 3, msg: bomb head, buffer: file.data, patterns: [{content: AAAA, "
		    "depth: 4}]}\n"
		    "  - {id: 4, msg: bomb tail, buffer: file.data, patterns: [{content: "
		    "after-the-limit}]}\n");
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 3, "gzip, zlib deflate and raw deflate");
	cr_expect_eq(itest_alerts(&t, 2), 0, "http.response_body stays as sent");
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(itest_alerts(&t, 4), 0, "output stops at body-limit");
	cr_expect(strstr(t.res.err, "http: 4 bodies decoded for file.data, 1 cut at body-limit, "
				    "0 corrupt") != NULL,
		  "%s", t.res.err);
}
