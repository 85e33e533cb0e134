/*
 * test_stream.c - TCP reassembly end to end: the classic evasions against
 * stream rules, each on a crafted capture with the exact alerts the
 * destination host's view of the stream gives.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static const char rules[] =
	"rules:\n"
	"  - {id: 1, msg: attack, proto: tcp, patterns: [{content: ATTACKPATTERN}]}\n"
	"  - {id: 2, msg: good, proto: tcp, patterns: [{content: GOOD}]}\n"
	"  - {id: 3, msg: evil, proto: tcp, patterns: [{content: EVIL}]}\n"
	"  - {id: 4, msg: evil in a packet, proto: tcp, scope: packet, "
	"patterns: [{content: EVIL}]}\n"
	"  - {id: 5, msg: across a gap, proto: tcp, patterns: [{content: VERYDATA}]}\n"
	"  - {id: 6, msg: after a gap, proto: tcp, patterns: [{content: DATA}]}\n";

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "stream");
	itest_rules(&t, rules);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(stream, .init = begin, .fini = end);

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

static int64_t stats_int(const char *path)
{
	char full[256];

	snprintf(full, sizeof(full), "stats.%s", path);
	return jr_int(eve_find(&t.eve, "event_type=stats", 0), full, -1);
}

/* A session on its own client port with a handshake. */
static void session(struct pg_tcp *s, uint16_t cport)
{
	pg_tcp_init(s, &t.gen, "198.18.0.10", cport, "198.18.1.80", 80);
	pg_tcp_handshake(s);
}

/* The client sends `text` cut into `n` segments of (almost) equal size. */
static void send_split(struct pg_tcp *s, const char *text, size_t n)
{
	size_t len = strlen(text), at = 0;

	for (size_t i = 0; i < n; i++) {
		size_t part = len / n + (i < len % n);

		pg_tcp_send(s, PG_TO_SERVER, text + at, part);
		at += part;
	}
}

Test(stream, pattern_split_over_2_to_13_segments)
{
	uint64_t last_segment[14];
	struct pg_tcp s;

	itest_capture(&t, 1);
	for (size_t n = 2; n <= 13; n++) {
		session(&s, (uint16_t)(40000 + n));
		send_split(&s, "ATTACKPATTERN", n); /* 13 bytes: n = 13 is 1 byte each */
		last_segment[n] = t.gen.frames;
		pg_tcp_close(&s);
	}
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 12);
	for (size_t n = 2; n <= 13; n++) {
		char filter[96];
		const struct jr_val *a;

		snprintf(filter, sizeof(filter), "alert.signature_id=1 src_port=%zu", 40000 + n);
		a = eve_find(&t.eve, filter, 0);
		cr_assert_not_null(a, "no alert for %zu segments", n);
		cr_expect_eq(jr_int(a, "pcap_cnt", 0), (int64_t)last_segment[n]);
		cr_expect_str_eq(jr_str(a, "pkt_src"), "stream");
		cr_expect_eq(jr_int(a, "stream", -1), 1);
		cr_expect_str_eq(jr_str(a, "direction"), "to_server");
		cr_expect_str_eq(jr_str(a, "dest_ip"), "198.18.1.80");
	}
}

Test(stream, segments_out_of_order)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 41000);
	/* "ATTACK" "PATT" "ERN" sent last first */
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 10, "ERN", 3);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 6, "PATT", 4);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "ATTACK", 6);
	s.cseq += 13;
	pg_tcp_close(&s);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 1);
	/* The alert names the segment holding the pattern's last byte. */
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 4);
}

Test(stream, retransmission_alerts_once)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 41001);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "xxATTACKPATTERNxx", 17);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "xxATTACKPATTERNxx", 17);
	s.cseq += 17;
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(stats_int("tcp.retransmissions"), 1);
}

/* "GOOD" then "EVIL" at the same sequence number, under `policy`. */
static void exact_overlap(const char *policy)
{
	char conf[256];
	struct pg_tcp s;

	snprintf(conf, sizeof(conf),
		 "host-os-policy: {default: %s}\nplugins:\n  - name: signature\n", policy);
	itest_config(&t, conf);
	itest_capture(&t, 1);
	session(&s, 41002);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "GOOD", 4);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "EVIL", 4);
	s.cseq += 4;
	pg_tcp_close(&s);
	run_ok();
	/* The packet rule sees the second segment whatever the policy. */
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly "
				       "anomaly.event=stream.reassembly_overlap_different_data"),
		     1);
}

Test(stream, overlap_policy_bsd_keeps_the_first_data)
{
	exact_overlap("bsd");
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
}

Test(stream, overlap_policy_first_keeps_the_first_data)
{
	exact_overlap("first");
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
}

Test(stream, overlap_policy_last_takes_the_new_data)
{
	exact_overlap("last");
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 1);
}

Test(stream, overlap_policy_old_linux_takes_the_new_data)
{
	exact_overlap("old-linux");
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 1);
}

Test(stream, policy_per_destination_network)
{
	struct pg_tcp s;

	itest_config(&t, "host-os-policy:\n  default: bsd\n  last: [198.18.1.0/24]\n"
			 "plugins:\n  - name: signature\n");
	itest_capture(&t, 1);
	session(&s, 41003); /* server 198.18.1.80: last */
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "GOOD", 4);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 0, "EVIL", 4);
	s.cseq += 4;
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 1);
}

Test(stream, segment_beyond_the_window_is_not_reassembled)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 41004);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x18, 5000000, "ATTACKPATTERN", 13);
	pg_tcp_send(&s, PG_TO_SERVER, "hello", 5);
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly anomaly.type=stream "
				       "anomaly.event=stream.pkt_out_of_window"),
		     1);
}

Test(stream, injected_rst_outside_the_window_does_not_stop_inspection)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 41005);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x04, 3000000, NULL, 0); /* bogus RST */
	send_split(&s, "ATTACKPATTERN", 3);
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(eve_count(&t.eve, "anomaly.event=stream.rst_invalid"), 1);
}

Test(stream, rst_data_is_never_part_of_the_stream)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 41006);
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACK", 6);
	/* An in-window RST carrying the rest: the host discards its data. */
	pg_tcp_segment(&s, PG_TO_SERVER, 0x14, 0, "PATTERN EVIL", 12);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_expect_eq(itest_alerts(&t, 4), 1); /* the packet rule sees the RST */
	cr_expect_eq(eve_count(&t.eve, "anomaly.event=stream.rst_with_data"), 1);
}

Test(stream, unacknowledged_data_is_inspected_at_rst_and_at_the_end)
{
	struct pg_tcp s, s2;

	itest_capture(&t, 1);
	session(&s, 41007);
	pg_tcp_send(&s, PG_TO_CLIENT, "ATTACKPAT", 9);
	pg_tcp_send(&s, PG_TO_CLIENT, "TERN", 4);
	pg_tcp_segment(&s, PG_TO_SERVER, 0x04, 0, NULL, 0); /* the client resets */
	session(&s2, 41008);
	pg_tcp_send(&s2, PG_TO_SERVER, "GOOD", 4); /* never acknowledged */
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=1", 0), "direction"),
			 "to_client");
	cr_expect_eq(itest_alerts(&t, 2), 1);
}

Test(stream, gap_is_reported_not_bridged)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	session(&s, 41009);
	pg_tcp_send(&s, PG_TO_SERVER, "VERY", 4);
	s.cseq += 4; /* "GOOD" lost */
	pg_tcp_send(&s, PG_TO_SERVER, "DATA", 4);
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 5), 0);
	cr_expect_eq(itest_alerts(&t, 6), 1);
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(stats_int("tcp.reassembly_gap"), 1);
	cr_expect_eq(stats_int("tcp.reassembly_gap_bytes"), 4);
	cr_expect_eq(eve_count(&t.eve, "anomaly.event=stream.reassembly_seq_gap"), 1);
}

Test(stream, interleaved_sessions)
{
	struct pg_tcp a, b;
	const char *text = "ATTACKPATTERN";

	itest_capture(&t, 1);
	session(&a, 42000);
	session(&b, 42001);
	for (int i = 0; i < 13; i++) {
		pg_tcp_send(&a, PG_TO_SERVER, text + i, 1);
		pg_tcp_send(&b, PG_TO_SERVER, text + 12 - i, 1); /* b sends it reversed */
	}
	pg_tcp_close(&a);
	pg_tcp_close(&b);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "src_port", 0), 42000);
}

Test(stream, midstream_pickup_is_off_by_default)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 43000, "198.18.1.80", 80); /* no handshake */
	pg_tcp_send(&s, PG_TO_SERVER, "ATTACKPATTERN", 13);
	pg_tcp_send(&s, PG_TO_CLIENT, "ok", 2);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 0);
	itest_config(&t, "stream: {midstream: true}\nplugins:\n  - name: signature\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(stats_int("tcp.midstream_pickups"), 1);
}

Test(stream, reassembly_depth)
{
	char big[300];
	struct pg_tcp s;

	memset(big, '.', sizeof(big));
	memcpy(big + 20, "GOOD", 4);
	memcpy(big + 250, "EVIL", 4);
	itest_config(&t, "stream: {reassembly: {depth: 100}}\nplugins:\n  - name: signature\n");
	itest_capture(&t, 1);
	session(&s, 43001);
	pg_tcp_send(&s, PG_TO_SERVER, big, sizeof(big));
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_expect_eq(itest_alerts(&t, 4), 1);
}

Test(stream, bad_checksum_segment_is_not_used_when_validating)
{
	uint8_t frame[256];
	struct pg_tcp s;
	struct pg_pkt evil = {.src = "198.18.0.10",
			      .dst = "198.18.1.80",
			      .sport = 43002,
			      .dport = 80,
			      .proto = IPPROTO_TCP,
			      .tcp_flags = 0x18,
			      .payload = "EVIL",
			      .len = 4};
	size_t n;

	itest_config(&t, "stream: {checksum-validation: true}\nplugins:\n  - name: signature\n");
	itest_capture(&t, 1);
	session(&s, 43002);
	evil.seq = s.cseq;
	evil.ack = s.sseq;
	n = pg_build(&t.gen, &evil, frame, sizeof(frame));
	frame[14 + 20 + 16] ^= 0x55; /* the TCP checksum */
	pg_write(&t.gen, frame, n);
	pg_tcp_send(&s, PG_TO_SERVER, "GOOD", 4);
	pg_tcp_close(&s);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
	cr_expect_eq(stats_int("tcp.invalid_checksum"), 1);
	/* Without validation the first copy wins (bsd). */
	itest_config(&t, "stream: {checksum-validation: no}\nplugins:\n  - name: signature\n");
	run_ok();
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 1);
}
