/*
 * test_buffers.c - the ABI 1.2 host services end to end, through the
 * `buffers` fixture plugin: rules on a plugin's buffer, per-flow plugin
 * data, alerts with protocol fields, app_proto in alerts and flow records,
 * and the errors for buffers no plugin provides.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	char conf[4096];

	itest_begin(&t, SENSOR_BIN, "buffers");
	snprintf(conf, sizeof(conf),
		 "plugins:\n  - name: signature\n  - name: buffers\n    path: %s/buffers.so\n",
		 FIXTURE_PLUGIN_DIR);
	itest_config(&t, conf);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(buffers, .init = begin, .fini = end);

static void session_on_port(uint16_t port, const char *request, const char *response)
{
	struct pg_tcp s;

	pg_tcp_init(&s, &t.gen, "198.18.0.10", (uint16_t)(40000 + port % 1000), "198.18.1.80",
		    port);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, request, strlen(request));
	pg_tcp_send(&s, PG_TO_CLIENT, response, strlen(response));
	pg_tcp_close(&s);
}

Test(buffers, rules_on_a_plugin_buffer_with_protocol_fields_and_app_proto)
{
	itest_capture(&t, 1);
	session_on_port(8888, "GET /admin \"x\" HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 200 OK\r\n\r\n");
	session_on_port(80, "HELLO /admin\r\n", "ERR\r\n"); /* port 80, but not HTTP */
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: admin line, buffer: demo.first_line, "
			"patterns: [{content: /admin, offset: 4, depth: 6}]}\n"
			"  - {id: 2, msg: anywhere, patterns: [{content: Host}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 1), 1); /* at 4..9 of the line: GET only */
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_str_eq(jr_str(a, "demo.line"), "GET /admin \"x\" HTTP/1.1\r");
	cr_expect_str_eq(jr_str(a, "app_proto"), "http");
	cr_expect_eq(jr_int(a, "dest_port", 0), 8888);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "event_type=flow dest_port=8888", 0), "app_proto"),
			 "http");
	cr_expect_null(jr_get(eve_find(&t.eve, "event_type=flow dest_port=80", 0), "app_proto"));
	cr_expect_eq(itest_alerts(&t, 2), 1); /* the signature plugin still gets its rules */
}

Test(buffers, unknown_buffer_is_a_load_error)
{
	itest_rules(&t,
		    "rules:\n  - {id: 7, msg: x, buffer: http.uri, patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err,
			 ":2: error: rule 7: no loaded plugin provides buffer 'http.uri' "
			 "(buffers: demo.first_line)") != NULL,
		  "%s", t.res.err);
}

Test(buffers, detector_that_does_not_provide_the_buffer)
{
	itest_rules(&t, "rules:\n  - {id: 8, msg: x, detector: signature, buffer: demo.first_line,"
			" patterns: [{content: a}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "rule 8: no loaded plugin provides buffer 'demo.first_line'") !=
			  NULL,
		  "%s", t.res.err);
}

Test(buffers, test_mode_counts_rules_per_plugin)
{
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: a, buffer: demo.first_line, patterns: [{content: a}]}\n"
			"  - {id: 2, msg: b, patterns: [{content: b}]}\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out, "configuration OK: 2 rules; rules per plugin: signature=1 "
				    "buffers=1\n");
}

/* Rule language v2 on a plugin buffer: the buffer named on the patterns,
 * a relative chain verified by the rule's program. */
Test(buffers, v2_patterns_on_a_plugin_buffer)
{
	itest_capture(&t, 1);
	session_on_port(8888, "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n");
	session_on_port(8889, "GET /x/admin HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 200 OK\r\n\r\n");
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: v2, patterns: [{content: GET, buffer: demo.first_line, "
			"startswith: true}, {content: admin, buffer: demo.first_line, distance: 1, "
			"within: 6}, {content: secret, buffer: demo.first_line, not: true}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "dest_port", 0), 8888);
}

/* Outside -T, a rule whose buffer no plugin provides is left out like any
 * rule that cannot load (rules.on-error: skip); the others work. */
Test(buffers, unknown_buffer_rule_is_skipped_when_running)
{
	itest_capture(&t, 1);
	session_on_port(8888, "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n");
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: ok, patterns: [{content: Host}]}\n"
			"  - {id: 7, msg: x, buffer: http.urii, patterns: [{content: a}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect(strstr(t.res.err, "no loaded plugin provides buffer 'http.urii'") &&
			  strstr(t.res.err, "1 rule failed to load (1 error); going on"),
		  "%s", t.res.err);
	cr_expect_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.detect.rules_failed", -1),
		1);
	cr_expect_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.detect.rules_loaded", -1),
		1);
}
