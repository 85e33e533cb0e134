/*
 * test_stream_size.c - Suricata's stream_size in the real sensor, from a
 * .rules file, on a crafted session: SYN, SYN+ACK, ACK, "hello" from the
 * client (5 bytes), "0123456789" from the server (10), "again" from the
 * client (5), FINs. Sizes count the SYN and FIN (client 1, 6, 11, 12;
 * server 1, 11, 12) and include the packet being inspected; every rule's
 * alert count is exact.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "ssize");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(stream_size, .init = begin, .fini = end);

static void send_str(struct pg_tcp *s, int dir, const char *text)
{
	pg_tcp_send(s, dir, text, strlen(text));
}

static const char rules[] =
	"alert tcp-pkt any any -> any any (msg:\"1\"; content:\"hello\"; "
	"stream_size:client,=,6; sid:1;)\n"
	"alert tcp-pkt any any -> any any (msg:\"2\"; content:\"hello\"; "
	"stream_size:server,=,1; sid:2;)\n"
	"alert tcp-pkt any any -> any any (msg:\"3\"; content:\"again\"; "
	"stream_size:server,<,5; sid:3;)\n"
	"alert tcp-pkt any any -> any any (msg:\"4\"; content:\"again\"; "
	"stream_size:both,=,11; sid:4;)\n"
	"alert tcp-pkt any any -> any any (msg:\"5\"; content:\"0123456789\"; "
	"stream_size: either , = , 11; sid:5;)\n"
	"alert tcp any any -> any any (msg:\"6\"; flow:established,to_server; content:\"hello\"; "
	"stream_size:client,<,10000; sid:6;)\n"
	"alert tcp any any -> any any (msg:\"7\"; flags:S; stream_size:client,=,1; sid:7;)\n"
	"alert tcp any any -> any any (msg:\"8\"; flow:to_server; flags:FA; "
	"stream_size:client,=,12; sid:8;)\n"
	"alert udp any any -> any any (msg:\"9\"; stream_size:client,>,0; sid:9;)\n"
	"alert tcp-pkt any any -> any any (msg:\"10\"; content:\"again\"; "
	"stream_size:client,=,6; sid:10;)\n"
	"alert tcp any any -> any any (msg:\"11\"; flow:to_client; flags:FA; "
	"stream_size:server,=,12; sid:11;)\n";

Test(stream_size, sizes_of_a_crafted_session)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41000, "198.18.1.80", 8080);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER, "hello");
	send_str(&s, PG_TO_CLIENT, "0123456789");
	send_str(&s, PG_TO_SERVER, "again");
	pg_tcp_close(&s);
	pg_udp(&t.gen, "198.18.0.1", 40000, "198.18.0.2", 5000, "xx", 2);
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(itest_alerts(&t, 5), 1);
	cr_expect_eq(itest_alerts(&t, 6), 1);
	cr_expect_eq(itest_alerts(&t, 7), 1);
	cr_expect_eq(itest_alerts(&t, 8), 1);
	cr_expect_eq(itest_alerts(&t, 9), 0);
	cr_expect_eq(itest_alerts(&t, 10), 0);
	cr_expect_eq(itest_alerts(&t, 11), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 8);
}

Test(stream_size, bad_option_is_reported_with_its_place)
{
	itest_rules(&t,
		    "alert tcp any any -> any any (msg:\"x\"; stream_size:sideways,<,5; sid:3;)\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "in.rules:1:52: error: rule 3: stream_size: side 'sideways' "
				    "must be one of client, server, both, either") != NULL,
		  "%s", t.res.err);
}
