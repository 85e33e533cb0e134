/*
 * test_stream_state.c - the TCP state machine against decoys, end to end:
 * each case is a crafted capture where an attacker adds a segment the
 * destination host (Linux, the default `bsd` policy agreeing) drops. The
 * `stream_dump` fixture plugin writes the bytes the sensor hands to
 * plugins; each test compares them with what a Linux receiver's
 * application reads (written in the test) and checks the alerts of a rule
 * matching only the real data and one matching only the decoy.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static const char rules[] =
	"rules:\n"
	"  - {id: 1, msg: real, proto: tcp, patterns: [{content: ATTACKPATTERN}]}\n"
	"  - {id: 2, msg: decoy, proto: tcp, patterns: [{content: DECOY}]}\n";

/* Signature plus the dump plugin, with `extra` lines of config. */
static void config(const char *extra)
{
	char conf[8192];

	snprintf(conf, sizeof(conf),
		 "%splugins:\n  - name: signature\n  - name: stream_dump\n"
		 "    path: %s/stream_dump.so\n    options: {dir: \"%s\"}\n",
		 extra, FIXTURE_PLUGIN_DIR, t.dir);
	itest_config(&t, conf);
}

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "stream_state");
	itest_rules(&t, rules);
	config("");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(stream_state, .init = begin, .fini = end);

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

/* The bytes of direction `d` of the flow whose client port is `port`, as
 * plugins got them ("" when none). The result is static. */
static const char *dumped(uint16_t port, int d)
{
	static char buf[4096];
	char path[4200];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%u.%d", t.dir, port, d);
	buf[0] = 0;
	f = fopen(path, "rb");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void session(struct pg_tcp *s, uint16_t cport)
{
	pg_tcp_init(s, &t.gen, "198.18.0.10", cport, "198.18.1.80", 80);
	pg_tcp_handshake(s);
}

static void expect_real_only(uint16_t port, int d, const char *anomaly)
{
	char filter[128];

	cr_expect_str_eq(dumped(port, d), "ATTACKPATTERN");
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 0);
	snprintf(filter, sizeof(filter), "event_type=anomaly anomaly.event=%s", anomaly);
	cr_expect_eq(eve_count(&t.eve, filter), 1, "%s", anomaly);
}

/* Linux drops a segment without ACK in a synchronized state. */
Test(stream_state, data_without_ack_loses_the_overlap)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 42001);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x08, 0, "DECOYDECOYDEC", 13); /* PSH only */
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_close(&s);
	run_ok();
	expect_real_only(42001, 0, "stream.pkt_without_ack");
}

/* Linux drops a segment acknowledging data the server never sent. */
Test(stream_state, segment_acking_unsent_data_loses_the_overlap)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 42002);
	s.sseq += 5000;
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "DECOYDECOYDEC", 13);
	s.sseq -= 5000;
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_close(&s);
	run_ok();
	expect_real_only(42002, 0, "stream.pkt_invalid_ack");
}

/* A bare FIN ahead of the data: Linux queues it out of order and drops it
 * once the real data covers its sequence number. */
Test(stream_state, fin_ahead_does_not_truncate)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 42003);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x11, 6, NULL, 0);
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_close(&s);
	run_ok();
	expect_real_only(42003, 0, "stream.fin_out_of_window");
}

/* Data on the SYN that the SYN+ACK does not acknowledge (no TFO cookie):
 * Linux discards it; the real data follows the handshake. */
Test(stream_state, syn_data_not_acked_is_not_the_stream)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 42004, "198.18.1.80", 80);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x02, 0, "DECOYDECOYDEC", 13);
	s.cseq++;
	pg_tcp_segment(&s, PG_TO_CLIENT, 0x12, 0, NULL, 0);
	s.sseq++;
	pg_tcp_segment(&s, PG_TO_SERVER, 0x10, 0, NULL, 0);
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_close(&s);
	run_ok();
	expect_real_only(42004, 0, "stream.3whs_synack_tfo_data_ignored");
}

/* A decoy SYN with another ISN (low TTL: it never reaches the host) before
 * the real one; the SYN+ACK names the real ISN. */
Test(stream_state, decoy_syn_isn_is_not_kept)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 42005, "198.18.1.80", 80);
	s.ttl = 2;
	pg_tcp_segment(&s, PG_TO_SERVER, 0x02, -40000, NULL, 0);
	s.ttl = 0;
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_close(&s);
	run_ok();
	expect_real_only(42005, 0, "stream.3whs_syn_resend_diff_seq");
}

/* A decoy SYN+ACK with another ISN; the client's ACK names the real one. */
Test(stream_state, decoy_synack_isn_is_not_kept)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 42006, "198.18.1.80", 80);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x02, 0, NULL, 0);
	s.cseq++;
	pg_tcp_segment(&s, PG_TO_CLIENT, 0x12, 70000, NULL, 0);
	pg_tcp_segment(&s, PG_TO_CLIENT, 0x12, 0, NULL, 0);
	s.sseq++;
	pg_tcp_segment(&s, PG_TO_SERVER, 0x10, 0, NULL, 0);
	pg_tcp_send(&s, PG_TO_CLIENT, "ATTACKPATTERN", 13);
	pg_tcp_close(&s);
	run_ok();
	expect_real_only(42006, 1, "stream.3whs_synack_resend_with_diff_seq");
}

/* An in-window RST not at the next sequence number: Linux (RFC 5961)
 * answers with a challenge ACK and the connection goes on. */
static void inexact_rst(uint16_t port)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, port);
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACK", 6);
	pg_tcp_segment(&s, PG_TO_CLIENT, 0x10, 0, NULL, 0);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x04, 100, NULL, 0);
	pg_tcp_send(&s, PG_TO_SERVER, "PATTERN", 7);
	pg_tcp_close(&s);
	run_ok();
}

Test(stream_state, inexact_rst_ignored_by_linux)
{
	config("host-os-policy: {default: linux}\n");
	inexact_rst(42007);
	expect_real_only(42007, 0, "stream.rst_invalid");
}

/* Windows resets on any in-window RST: the rest is not the stream. */
Test(stream_state, inexact_rst_taken_by_windows)
{
	config("host-os-policy: {default: windows}\n");
	inexact_rst(42008);
	cr_expect_str_eq(dumped(42008, 0), "ATTACK");
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(eve_count(&t.eve, "anomaly.event=stream.rst_invalid"), 0);
}

/* "ATTACKDPATTERN" with the urgent pointer on the D: Linux without
 * SO_OOBINLINE reads "ATTACKPATTERN". */
static void urgent(uint16_t port)
{
	struct pg_tcp s;
	struct pg_pkt p = {
		.src = "198.18.0.10",
		.dst = "198.18.1.80",
		.sport = port,
		.dport = 80,
		.proto = IPPROTO_TCP,
		.tcp_flags = 0x38, /* URG PSH ACK */
		.payload = "ATTACKDPATTERN",
		.len = 14,
		.urg_ptr = 7,
	};

	itest_capture(&t, 1);
	session(&s, port);
	p.seq = s.cseq;
	p.ack = s.sseq;
	pg_packet(&t.gen, &p);
	s.cseq += 14;
	pg_tcp_close(&s);
	run_ok();
}

Test(stream_state, urgent_byte_removed_by_default)
{
	urgent(42009);
	cr_expect_str_eq(dumped(42009, 0), "ATTACKPATTERN");
	cr_expect_eq(itest_alerts(&t, 1), 1);
}

Test(stream_state, urgent_byte_inline_by_config)
{
	config("stream: {reassembly: {urgent-policy: inline}}\n");
	urgent(42010);
	cr_expect_str_eq(dumped(42010, 0), "ATTACKDPATTERN");
	cr_expect_eq(itest_alerts(&t, 1), 0);
}

Test(stream_state, urgent_byte_as_a_gap)
{
	config("stream: {reassembly: {urgent-policy: gap}}\n");
	urgent(42011);
	cr_expect_str_eq(dumped(42011, 0), "ATTACK[gap 1]PATTERN");
	cr_expect_eq(itest_alerts(&t, 1), 0);
}

Test(stream_state, unknown_urgent_policy_is_a_config_error)
{
	config("stream: {reassembly: {urgent-policy: drop}}\n");
	itest_capture(&t, 1);
	cr_expect_neq(itest_run(&t, NULL), 0);
	cr_expect(strstr(t.res.err, "urgent-policy") != NULL, "%s", t.res.err);
}

/* ------------------------------------------------------------ session reuse */

/* The second connection on the client port of `s` (its ISN `isn`) carries
 * the pattern; it must get a flow of its own and alert there. */
static void second_connection(struct pg_tcp *s, uint32_t isn)
{
	s->cseq = isn;
	s->sseq = 880000;
	pg_tcp_handshake(s);
	pg_tcp_send(s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_close(s);
}

static void expect_reused(uint16_t port)
{
	const struct jr_val *old = eve_find(&t.eve, "event_type=flow flow.reason=tcp_reuse", 0);
	const struct jr_val *nw = eve_find(&t.eve, "event_type=flow flow.reason=shutdown", 0);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);

	cr_assert_eq(eve_count(&t.eve, "event_type=flow"), 2);
	cr_assert_not_null(old);
	cr_assert_not_null(nw);
	cr_assert_not_null(a);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_neq(jr_int(old, "flow_id", 0), jr_int(nw, "flow_id", 0));
	cr_expect_eq(jr_int(a, "flow_id", 0), jr_int(nw, "flow_id", 0));
	cr_expect_eq(jr_int(old, "src_port", 0), port);
	cr_expect_eq(jr_int(nw, "flow.pkts_toserver", 0), 5); /* SYN ACK data FIN ACK */
	cr_expect_str_eq(dumped(port, 0), "firstATTACKPATTERN");
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.flow.tcp_reuse", -1),
		     1);
}

Test(stream_state, reuse_after_fin)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 42101);
	pg_tcp_send(&s, PG_TO_SERVER, "first", 5);
	pg_tcp_close(&s);
	second_connection(&s, 100);
	run_ok();
	expect_reused(42101);
}

Test(stream_state, reuse_after_rst)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 42102);
	pg_tcp_send(&s, PG_TO_SERVER, "first", 5);
	pg_tcp_segment(&s, PG_TO_CLIENT, 0x14, 0, NULL, 0);
	second_connection(&s, 100);
	run_ok();
	expect_reused(42102);
}

/* The server closed first and sits in TIME_WAIT: a SYN with an ISN past
 * the old connection's starts a new one (Linux), an older one does not. */
static void server_closes_first(struct pg_tcp *s, uint16_t port)
{
	session(s, port);
	pg_tcp_send(s, PG_TO_SERVER, "first", 5);
	pg_tcp_segment(s, PG_TO_CLIENT, 0x11, 0, NULL, 0);
	s->sseq++;
	pg_tcp_segment(s, PG_TO_SERVER, 0x11, 0, NULL, 0);
	s->cseq++;
	pg_tcp_segment(s, PG_TO_CLIENT, 0x10, 0, NULL, 0);
}

Test(stream_state, reuse_in_time_wait)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	server_closes_first(&s, 42103);
	second_connection(&s, s.cseq + 1000000);
	run_ok();
	expect_reused(42103);
}

Test(stream_state, no_reuse_in_time_wait_with_an_old_isn)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	server_closes_first(&s, 42104);
	second_connection(&s, s.cseq - 1000);
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=flow"), 1);
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_str_eq(dumped(42104, 0), "first");
}

/* ------------------------------------------------------------ eviction */

/* `n` SYNs from spoofed clients 198.19.x.y to the server, one every
 * microsecond (well inside the new-flow timeout): flows of their own. */
static void syn_flood(unsigned n)
{
	int64_t step = t.gen.step_usec;

	t.gen.step_usec = 1;
	for (unsigned i = 0; i < n; i++) {
		char src[32];
		struct pg_pkt p = {
			.src = src,
			.dst = "198.18.1.80",
			.sport = (uint16_t)(1024 + i % 60000),
			.dport = 80,
			.proto = IPPROTO_TCP,
			.tcp_flags = 0x02,
			.seq = i * 7919u,
		};

		snprintf(src, sizeof(src), "198.19.%u.%u", (i / 250) % 250, i % 250 + 1);
		pg_packet(&t.gen, &p);
	}
	t.gen.step_usec = step;
}

/* An established session, idle while 100,000 spoofed SYNs fill the flow
 * table (65,536 flows): the embryonic flows go, the session stays and its
 * later data alerts. */
Test(stream_state, established_session_survives_a_syn_flood)
{
	const struct jr_val *st;
	struct pg_tcp s;

	/* 100,000 flow records would only slow the test down. */
	config("outputs: {eve: {types: [alert, anomaly, stats]}}\n");
	itest_capture(&t, 1);
	session(&s, 42201);
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACK", 6);
	pg_tcp_segment(&s, PG_TO_CLIENT, 0x10, 0, NULL, 0);
	syn_flood(100000);
	pg_tcp_send(&s, PG_TO_SERVER, "PATTERN", 7);
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_str_eq(dumped(42201, 0), "ATTACKPATTERN");
	st = eve_find(&t.eve, "event_type=stats", 0);
	cr_expect_eq(jr_int(st, "stats.flow.total", -1), 100001);
	cr_expect_eq(jr_int(st, "stats.flow.evicted", -1), 100001 - 65536);
	cr_expect_eq(jr_int(st, "stats.flow.evicted_embryonic", -1), 100001 - 65536);
	cr_expect_eq(jr_int(st, "stats.flow.evicted_established", -1), 0);
	cr_expect_eq(jr_int(st, "stats.flow.evicted_closed", -1), 0);
	cr_expect_eq(jr_int(st, "stats.tcp.sessions", -1), 100001);
}

/* An established session idle past its timeout (3600 s): the sensor ended
 * its flow itself, so when the session resumes it is picked up midstream
 * (midstream is off) and marked in its flow record. */
Test(stream_state, idle_session_resumed_after_its_timeout)
{
	const struct jr_val *old, *nw;
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 42202);
	pg_tcp_send(&s, PG_TO_SERVER, "first", 5);
	pg_tcp_segment(&s, PG_TO_CLIENT, 0x10, 0, NULL, 0);
	t.gen.ts_usec += INT64_C(4000) * 1000000;
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_str_eq(dumped(42202, 0), "firstATTACKPATTERN");
	old = eve_find(&t.eve, "event_type=flow flow.reason=timeout", 0);
	nw = eve_find(&t.eve, "event_type=flow flow.reason=shutdown", 0);
	cr_assert_not_null(old);
	cr_assert_not_null(nw);
	cr_expect_null(jr_get(old, "flow.lost_state"));
	cr_expect_str_eq(jr_str(nw, "flow.lost_state"), "timeout");
	cr_expect_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.tcp.midstream_pickups", -1),
		1);
	cr_expect_eq(eve_count(&t.eve, "anomaly.event=stream.midstream_ignored"), 0);
}

/* ------------------------------------------------------------ checksums */

/* One TCP segment 198.18.0.10:port <-> 198.18.1.80:80 written with its
 * TCP checksum broken when `bad`. */
static void tcp_csum(uint16_t port, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
		     const char *data, bool bad)
{
	uint8_t frame[256];
	struct pg_pkt p = {
		.src = dir ? "198.18.1.80" : "198.18.0.10",
		.dst = dir ? "198.18.0.10" : "198.18.1.80",
		.sport = dir ? 80 : port,
		.dport = dir ? port : 80,
		.proto = IPPROTO_TCP,
		.tcp_flags = flags,
		.seq = seq,
		.ack = ack,
		.payload = data,
		.len = data ? strlen(data) : 0,
	};
	size_t n = pg_build(&t.gen, &p, frame, sizeof(frame));

	if (bad)
		frame[14 + 20 + 16] ^= 0x55;
	pg_write(&t.gen, frame, n);
}

/* A whole session with `bad` checksums: "ATTACK", "PATTERN", close. */
static void csum_session(uint16_t port, bool bad)
{
	tcp_csum(port, 0, 0x02, 100, 0, NULL, bad);
	tcp_csum(port, 1, 0x12, 900, 101, NULL, bad);
	tcp_csum(port, 0, 0x10, 101, 901, NULL, bad);
	tcp_csum(port, 0, 0x18, 101, 901, "ATTACK", bad);
	tcp_csum(port, 0, 0x18, 107, 901, "PATTERN", bad);
	tcp_csum(port, 1, 0x10, 901, 114, NULL, bad);
	tcp_csum(port, 0, 0x11, 114, 901, NULL, bad);
	tcp_csum(port, 1, 0x11, 901, 115, NULL, bad);
	tcp_csum(port, 0, 0x10, 115, 902, NULL, bad);
}

/* Checksum offloading: every TCP checksum in the capture is wrong. The
 * default (auto) notices and stops validating, so the session is
 * inspected; with `yes` it is not. */
Test(stream_state, offloaded_checksums_still_inspected_with_auto)
{
	itest_capture(&t, 1);
	csum_session(42301, true);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_str_eq(dumped(42301, 0), "ATTACKPATTERN");
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0),
			    "stats.checksum_validation_off", -1),
		     1);
	cr_expect(strstr(t.res.err, "checksum offloading") != NULL, "%s", t.res.err);
	cr_expect(strstr(t.res.err, "checksum validation off") != NULL, "%s", t.res.err);
}

Test(stream_state, offloaded_checksums_not_inspected_with_yes)
{
	config("stream: {checksum-validation: yes}\n");
	itest_capture(&t, 1);
	csum_session(42302, true);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0),
			    "stats.checksum_validation_off", -1),
		     0);
}

/* Good traffic with one decoy whose checksum is bad: auto keeps
 * validating, so the decoy (first, which the bsd policy would keep) does
 * not win the overlap. */
Test(stream_state, bad_checksum_decoy_loses_with_auto)
{
	itest_capture(&t, 1);
	csum_session(42303, false);
	tcp_csum(42304, 0, 0x02, 100, 0, NULL, false);
	tcp_csum(42304, 1, 0x12, 900, 101, NULL, false);
	tcp_csum(42304, 0, 0x10, 101, 901, NULL, false);
	tcp_csum(42304, 0, 0x18, 101, 901, "DECOYDECOYDEC", true);
	tcp_csum(42304, 0, 0x18, 101, 901, "ATTACKPATTERN", false);
	tcp_csum(42304, 1, 0x10, 901, 114, NULL, false);
	run_ok();
	cr_expect_str_eq(dumped(42304, 0), "ATTACKPATTERN");
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.tcp.invalid_checksum", -1),
		1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0),
			    "stats.checksum_validation_off", -1),
		     0);
}
