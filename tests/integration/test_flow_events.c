/*
 * test_flow_events.c - EVE flow records: one per flow when it ends, with
 * Suricata's fields, and the record types switch.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "flows");
	itest_rules(&t, "rules:\n  - {id: 1, msg: hit, proto: tcp, patterns: [{content: hit}]}\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(flow_events, .init = begin, .fini = end);

Test(flow_events, tcp_flow_record)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 40000, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, "a hit", 5);
	pg_tcp_send(&s, PG_TO_CLIENT, "ok", 2);
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(eve_count(&t.eve, "event_type=flow"), 1);
	const struct jr_val *f = eve_find(&t.eve, "event_type=flow", 0);
	const struct jr_val *a = eve_find(&t.eve, "event_type=alert", 0);
	cr_expect_eq(jr_int(f, "flow_id", 0), jr_int(a, "flow_id", 1));
	cr_expect_str_eq(jr_str(f, "src_ip"), "198.18.0.10");
	cr_expect_eq(jr_int(f, "src_port", 0), 40000);
	cr_expect_str_eq(jr_str(f, "dest_ip"), "198.18.1.80");
	cr_expect_eq(jr_int(f, "dest_port", 0), 80);
	cr_expect_str_eq(jr_str(f, "proto"), "TCP");
	cr_expect_eq(jr_int(f, "flow.pkts_toserver", 0), 5);
	cr_expect_eq(jr_int(f, "flow.pkts_toclient", 0), 3);
	cr_expect_eq(jr_int(f, "flow.bytes_toserver", 0), 4 * 40 + 45);
	cr_expect_eq(jr_int(f, "flow.bytes_toclient", 0), 2 * 40 + 42);
	cr_expect_str_eq(jr_str(f, "flow.start"), "2026-11-18T11:06:40.000000+0000");
	cr_expect_str_eq(jr_str(f, "flow.end"), "2026-11-18T11:06:40.007000+0000");
	cr_expect_eq(jr_int(f, "flow.age", -1), 0);
	cr_expect_str_eq(jr_str(f, "flow.state"), "closed");
	cr_expect_str_eq(jr_str(f, "flow.reason"), "shutdown");
	cr_expect_str_eq(jr_text(jr_get(f, "flow.alerted")), "true");
	cr_expect_str_eq(jr_str(f, "tcp.tcp_flags"), "1b");
	cr_expect_str_eq(jr_str(f, "tcp.tcp_flags_ts"), "1b");
	cr_expect_str_eq(jr_str(f, "tcp.tcp_flags_tc"), "1b");
	cr_expect_str_eq(jr_text(jr_get(f, "tcp.syn")), "true");
	cr_expect_str_eq(jr_text(jr_get(f, "tcp.fin")), "true");
	cr_expect_null(jr_get(f, "tcp.rst"));
	cr_expect_str_eq(jr_str(f, "tcp.state"), "closed");
}

Test(flow_events, udp_flows_time_out_by_state)
{
	itest_config(&t, "flow:\n  timeouts:\n    udp: {new: 2, established: 10}\n"
			 "plugins:\n  - name: signature\n");
	itest_capture(&t, 1);
	pg_udp(&t.gen, "198.18.0.1", 1000, "198.18.0.2", 53, "q", 1);
	pg_udp(&t.gen, "198.18.0.1", 1001, "198.18.0.2", 53, "q", 1);
	pg_udp(&t.gen, "198.18.0.2", 53, "198.18.0.1", 1001, "a", 1);
	t.gen.ts_usec += 5 * 1000000; /* the unanswered one idles out */
	pg_udp(&t.gen, "198.18.0.5", 7, "198.18.0.6", 7, "x", 1);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(eve_count(&t.eve, "event_type=flow"), 3);
	const struct jr_val *f = eve_find(&t.eve, "event_type=flow src_port=1000", 0);
	cr_expect_str_eq(jr_str(f, "flow.state"), "new");
	cr_expect_str_eq(jr_str(f, "flow.reason"), "timeout");
	cr_expect_null(jr_get(f, "tcp"));
	f = eve_find(&t.eve, "event_type=flow src_port=1001", 0);
	cr_expect_str_eq(jr_str(f, "flow.state"), "established");
	cr_expect_str_eq(jr_str(f, "flow.reason"), "shutdown");
	cr_expect_eq(jr_int(f, "flow.pkts_toclient", 0), 1);
	cr_expect_str_eq(jr_text(jr_get(f, "flow.alerted")), "false");
}

Test(flow_events, record_types_can_be_switched_off)
{
	struct pg_tcp s;

	itest_config(&t, "outputs: {eve: {types: [alert]}}\nplugins:\n  - name: signature\n");
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 40000, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, "a hit", 5);
	pg_tcp_close(&s);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(t.eve.n, 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 1);
}
