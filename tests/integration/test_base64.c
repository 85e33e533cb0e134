/*
 * test_base64.c - Suricata's base64_decode / base64_data in the real
 * sensor, from a .rules file, on crafted HTTP POSTs: an ET-shaped rule
 * (method, then the request body: a marker, base64_decode relative to it,
 * contents on the decoded bytes), the legacy-modifier spelling (the decode
 * takes the buffer of the content before it), and bodies whose decoded
 * bytes do not match or do not decode. Every rule's alert count is exact.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "base64");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n  - name: http\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(base64, .init = begin, .fini = end);

/* One POST of `body` on its own connection, answered 200. */
static void post(uint16_t cport, const char *body)
{
	char req[1024];
	struct pg_tcp s;
	int n = snprintf(req, sizeof(req),
			 "POST /ews/x HTTP/1.1\r\nHost: a\r\nContent-Length: %zu\r\n\r\n%s",
			 strlen(body), body);

	pg_tcp_init(&s, &t.gen, "198.18.0.10", cport, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, req, (size_t)n);
	pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38);
	pg_tcp_close(&s);
}

static const char rules[] =
	"alert http any any -> any any (msg:\"b64 doctype\"; flow:established,to_server; "
	"http.method; content:\"POST\"; http.request_body; content:\"<data>\"; "
	"base64_decode:bytes 300, offset 0, relative; base64_data; content:\"<!DOCTYPE\"; "
	"content:\"SYSTEM\"; distance:0; sid:1;)\n"
	"alert http any any -> any any (msg:\"legacy\"; content:\"<data>\"; http_client_body; "
	"base64_decode:relative; base64_data; content:\"harmless\"; sid:2;)\n"
	"alert http any any -> any any (msg:\"absolute\"; http.request_body; "
	"base64_decode; base64_data; content:\"<data>\"; sid:3;)\n";

Test(base64, decoded_request_bodies)
{
	itest_capture(&t, 1);
	post(41000, "<data>PCFET0NUWVBFIHggU1lTVEVNICJ5Ij4=</data>");  /* 1 */
	post(41001, "<data>aGVsbG8gd29ybGQsIGhhcm1sZXNz</data>");      /* 2 */
	post(41002, "<data>!PCFET0NUWVBFIHggU1lTVEVNICJ5Ij4=</data>"); /* nothing decodes */
	post(41003, "<data>PCFET0NUWVBF</data>");		       /* "<!DOCTYPE" only */
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "src_port", 0), 41000);
	cr_assert_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2", 0), "src_port", 0), 41001);
	cr_expect_eq(itest_alerts(&t, 3), 0); /* "<data>" is not base64: nothing decodes */
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 2);
}

Test(base64, base64_data_without_decode_is_refused)
{
	itest_rules(&t, "alert http any any -> any any (msg:\"x\"; http.request_body; "
			"base64_data; content:\"a\"; sid:5;)\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "in.rules:1:60: error: sid 5: base64_data must follow "
				    "base64_decode directly (base64_data)") != NULL,
		  "%s", t.res.err);
}
