/*
 * test_portscan.c - the portscan plugin in the real sensor: scanners of
 * ports and of hosts among benign traffic just below the thresholds, a
 * flood of spoofed sources in a small table, windows, options and the
 * refusal of rules.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

#define SID_PORTS 3400001
#define SID_HOSTS 3400002

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "portscan");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(portscan, .init = begin, .fini = end);

static void config(const char *options)
{
	char conf[1024];

	/* Alerts and stats only: the flood's 100,000 flow records would make
	 * eve.json 50 MB. */
	snprintf(conf, sizeof(conf),
		 "outputs:\n  eve:\n    types: [alert, stats]\n"
		 "plugins:\n  - name: portscan\n    options:\n%s",
		 options);
	itest_config(&t, conf);
}

static void syn(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct pg_pkt p = {.src = src,
			   .dst = dst,
			   .sport = sport,
			   .dport = dport,
			   .proto = IPPROTO_TCP,
			   .tcp_flags = 0x02,
			   .seq = 1000};

	pg_packet(&t.gen, &p);
}

/* 198.18.0.0/15 address number n as text (one of 8 rotating buffers). */
static const char *ip4_n(unsigned n)
{
	static char buf[8][32];
	static unsigned k;
	char *b = buf[k++ % 8];
	unsigned v = (198u << 24 | 18u << 16) + n;

	snprintf(b, 32, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
	return b;
}

/* The port scanner: SYNs to ports 1..50 of one host. */
static void port_scanner(void)
{
	for (uint16_t port = 1; port <= 50; port++)
		syn("198.18.0.10", 40000, "198.18.1.1", port);
}

/* The host scanner: SNMP datagrams to 30 hosts. */
static void host_scanner(void)
{
	for (unsigned i = 1; i <= 30; i++)
		pg_udp(&t.gen, "198.18.0.11", 50000, ip4_n(0x200 + i), 161, "\x30\x26", 2);
}

/* Benign traffic, each source at or below the thresholds of 20. Counted
 * events: 5 + 20 + 20 + 10 + 10 = 65 from 5 sources. */
static void benign(void)
{
	struct pg_tcp s;

	for (uint16_t i = 0; i < 5; i++) { /* 5 web sessions: 5 SYNs */
		pg_tcp_init(&s, &t.gen, "198.18.0.20", (uint16_t)(41000 + i), "198.18.1.2", 80);
		pg_tcp_handshake(&s);
		pg_tcp_send(&s, PG_TO_SERVER, "GET / HTTP/1.1\r\n\r\n", 18);
		pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.1 200 OK\r\n\r\n", 19);
		pg_tcp_close(&s);
	}
	for (uint16_t port = 1; port <= 20; port++) /* exactly 20 ports */
		syn("198.18.0.21", 40001, "198.18.1.3", port);
	for (unsigned i = 1; i <= 20; i++) /* exactly 20 hosts */
		pg_udp(&t.gen, "198.18.0.22", 123, ip4_n(0x300 + i), 123, "\x23", 1);
	for (uint16_t i = 0; i < 10; i++) { /* DNS: 10 queries, 10 replies */
		pg_udp(&t.gen, "198.18.0.23", (uint16_t)(53000 + i), "198.18.1.53", 53, "q", 1);
		pg_udp(&t.gen, "198.18.1.53", 53, "198.18.0.23", (uint16_t)(53000 + i), "r", 1);
	}
}

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

static void expect_alert(unsigned sid, const char *src, const char *dst, int64_t dport,
			 const char *msg)
{
	char filter[64];
	const struct jr_val *a;

	snprintf(filter, sizeof(filter), "event_type=alert alert.signature_id=%u", sid);
	a = eve_find(&t.eve, filter, 0);
	cr_assert_not_null(a, "no alert %u", sid);
	cr_expect_str_eq(jr_str(a, "src_ip"), eve_ip(src));
	cr_expect_str_eq(jr_str(a, "dest_ip"), eve_ip(dst));
	cr_expect_eq(jr_int(a, "dest_port", -1), dport);
	cr_expect_str_eq(jr_str(a, "alert.signature"), msg);
	cr_expect_str_eq(jr_str(a, "alert.category"), "Detection of a Network Scan");
	cr_expect_eq(jr_int(a, "alert.severity", 0), 2);
	cr_expect_eq(jr_int(a, "alert.gid", 0), 1);
	cr_expect_eq(jr_int(a, "alert.rev", 0), 1);
}

Test(portscan, scanners_among_benign_traffic_and_a_spoofed_flood)
{
	struct pcapgen *g = itest_capture(&t, 1);

	config("      max-sources: 1000\n");
	port_scanner();
	host_scanner();
	benign();
	/* 100,000 spoofed sources, one SYN each, 10 us apart (one second). */
	g->step_usec = 10;
	for (unsigned i = 0; i < 100000; i++)
		syn(ip4_n(1000 + i), 1024, "198.18.1.80", 80);
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 2);
	cr_expect_eq(itest_alerts(&t, SID_PORTS), 1);
	cr_expect_eq(itest_alerts(&t, SID_HOSTS), 1);
	/* The 21st port and the 21st host cross the thresholds. */
	expect_alert(SID_PORTS, "198.18.0.10", "198.18.1.1", 21, "portscan: many ports");
	expect_alert(SID_HOSTS, "198.18.0.11", "198.18.2.21", 161, "portscan: many hosts");
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=3400001", 0), "pcap_cnt", 0), 21);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=3400002", 0), "pcap_cnt", 0),
		     50 + 21);
	/* 2 scanners + 5 benign + 100,000 spoofed sources in 1,000 entries;
	 * counted: 50 + 30 + 65 + 100,000. Evictions are a warning. */
	cr_expect(strstr(t.res.err,
			 "sensor: warning: portscan: worker 0: 100145 packets counted, 100007 "
			 "sources, 99007 evicted (max-sources 1000), 0 expired, 1 port "
			 "alerts, 1 host alerts\n") != NULL,
		  "%s", t.res.err);
}

Test(portscan, ipv6_scanner)
{
	itest_capture(&t, 1);
	config("      ports: 10\n");
	for (uint16_t port = 1000; port < 1025; port++)
		syn("2001:db8::66", 40000, "2001:db8:1::1", port);
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 1);
	expect_alert(SID_PORTS, "2001:db8::66", "2001:db8:1::1", 1010, "portscan: many ports");
}

Test(portscan, tcp_syn_only_ignores_datagrams)
{
	itest_capture(&t, 1);
	config("      tcp-syn-only: true\n");
	port_scanner();
	host_scanner();
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 1);
	cr_expect_eq(itest_alerts(&t, SID_PORTS), 1);
}

Test(portscan, replies_and_established_traffic_do_not_count)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	config("      ports: 2\n      hosts: 2\n");
	/* One server answering 10 clients on 10 ports: SYN+ACKs and data. */
	for (unsigned i = 0; i < 10; i++) {
		pg_tcp_init(&s, &t.gen, ip4_n(0x400 + i), 40000, "198.18.1.9",
			    (uint16_t)(8000 + i));
		pg_tcp_handshake(&s);
		pg_tcp_send(&s, PG_TO_CLIENT, "hello", 5);
	}
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 0);
}

Test(portscan, one_alert_per_window)
{
	struct pcapgen *g = itest_capture(&t, 1);

	config("      window: 60\n");
	port_scanner();				      /* alert at port 21 */
	for (uint16_t port = 100; port < 200; port++) /* same window: no more */
		syn("198.18.0.10", 40000, "198.18.1.1", port);
	g->ts_usec += 61 * 1000000LL; /* next window: alerts again */
	port_scanner();
	run_ok();
	cr_expect_eq(itest_alerts(&t, SID_PORTS), 2);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=3400001", 1), "pcap_cnt", 0),
		     150 + 21);
}

Test(portscan, refuses_rules)
{
	itest_capture(&t, 1);
	config("      ports: 20\n");
	itest_rules(&t, "rules:\n  - {id: 7, msg: x, detector: portscan}\n");
	cr_expect_eq(itest_run(&t, "-T", NULL), 1);
	cr_expect(strstr(t.res.err, "rule 7 (") != NULL, "%s", t.res.err);
	cr_expect(strstr(t.res.err, "rules.yaml:2): the portscan plugin takes no rules: it "
				    "raises its own alerts 3400001 and 3400002") != NULL,
		  "%s", t.res.err);
}

Test(portscan, option_out_of_range)
{
	itest_capture(&t, 1);
	config("      max-sources: 0\n");
	cr_expect_eq(itest_run(&t, "-T", NULL), 1);
	cr_expect(strstr(t.res.err, "sensor.yaml:7:20: error: expected an integer from 1 to "
				    "16777216, got '0'") != NULL,
		  "%s", t.res.err);
}
