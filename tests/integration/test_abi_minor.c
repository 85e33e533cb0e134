/*
 * test_abi_minor.c - plugins built against older minor versions of the
 * plugin ABI keep working: tests/plugins/minor1.c (ABI 1.1: on_stream and
 * on_flow_end, the 1.1 descriptor size) loads, its on_stream sees the
 * reassembled data and its alerts carry the stream's packets.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	char so[4200];

	itest_begin(&t, SENSOR_BIN, "abi-minor");
	snprintf(so, sizeof(so), "%s/minor1.so", FIXTURE_PLUGIN_DIR);
	itest_plugin(&t, "minor1", so, NULL);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(abi_minor, .init = begin, .fini = end);

Test(abi_minor, minor1_plugin_loads)
{
	itest_capture(&t, 1);
	cr_assert_eq(itest_run(&t, "-T", NULL), 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out, "configuration OK: 0 rules; rules per plugin: minor1=0\n");
}

Test(abi_minor, minor1_on_stream_and_on_flow_end_run)
{
	struct pg_tcp s;

	pg_tcp_init(&s, itest_capture(&t, 1), "198.18.0.1", 40000, "198.18.0.2", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, "GET / HTTP/1.0\r\n\r\n", 18);
	pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.0 200 OK\r\n\r\n", 19);
	pg_tcp_send(&s, PG_TO_SERVER, "more", 4);
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	/* One alert per direction, on the segment that carried its first data;
	 * 3 data chunks and the end of each direction. */
	cr_assert_eq(itest_alerts(&t, 9200001), 2);
	const struct jr_val *a =
		eve_find(&t.eve, "alert.signature_id=9200001 src_ip=198.18.0.1", 0);
	const struct jr_val *b =
		eve_find(&t.eve, "alert.signature_id=9200001 src_ip=198.18.0.2", 0);
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 4);
	cr_expect_eq(jr_int(b, "pcap_cnt", 0), 5);
	cr_expect_eq(jr_int(a, "stream", -1), 1);
	cr_expect(strstr(t.res.err, "minor1: 5 stream chunks, 1 flow ends\n") != NULL, "%s",
		  t.res.err);
}

/* A 1.3 plugin with two buffers gets its single-buffer rules; a rule on
 * both its buffers is refused at its line (multi-buffer rules need 1.4). */
Test(abi_minor, minor3_plugin_refuses_multi_buffer_rules)
{
	char so[4200];

	snprintf(so, sizeof(so), "%s/minor3.so", FIXTURE_PLUGIN_DIR);
	itest_plugin(&t, "minor3", so, NULL);
	itest_capture(&t, 1);
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 1, msg: one, buffer: demo.one, patterns: [{content: a}]}\n"
		    "  - {id: 2, msg: both, patterns: [{content: a, buffer: demo.one}, {content: "
		    "b, buffer: demo.two}]}\n");
	cr_assert_eq(itest_run(&t, "-T", NULL), 1);
	cr_expect(strstr(t.res.err, "rule 2: plugin 'minor3' (ABI 1.3) cannot match rules on "
				    "several buffers (needs ABI 1.4): split the rule") != NULL,
		  "%s", t.res.err);
	cr_expect(strstr(t.res.err, "sensor: 1 rule failed to load") != NULL, "%s", t.res.err);
}
