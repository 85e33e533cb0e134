/*
 * test_defrag.c - IP defragmentation end to end: a pattern cut by IPv4 and
 * IPv6 fragments, in order, out of order, overlapping under two policies,
 * and an incomplete datagram timing out.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "defrag");
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 1, msg: cut, proto: udp, patterns: [{content: FRAGMENTEDPATTERN}]}\n"
		    "  - {id: 2, msg: good, proto: udp, patterns: [{content: GOODGOOD}]}\n"
		    "  - {id: 3, msg: evil, proto: udp, patterns: [{content: EVILEVIL}]}\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(defrag, .init = begin, .fini = end);

static struct pg_pkt datagram(const char *src, const char *dst, const char *payload)
{
	struct pg_pkt p = {.src = src,
			   .dst = dst,
			   .sport = 5000,
			   .dport = 6000,
			   .proto = IPPROTO_UDP,
			   .payload = payload,
			   .len = strlen(payload),
			   .ip_id = 0x4242};

	return p;
}

/* The datagram's transport bytes cut in 8-byte pieces, written in `order`. */
static size_t write_pieces(const struct pg_pkt *p, const int *order, size_t n_order)
{
	uint8_t l4[512];
	size_t len = pg_l4_bytes(&t.gen, p, l4, sizeof(l4));
	size_t pieces = (len + 7) / 8;

	cr_assert_eq(pieces, n_order);
	for (size_t i = 0; i < n_order; i++) {
		size_t at = (size_t)order[i] * 8;
		size_t n = at + 8 <= len ? 8 : len - at;

		pg_fragment(&t.gen, p, l4 + at, n, (uint16_t)at, at + n < len);
	}
	return pieces;
}

static void run_ok(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

Test(defrag, ipv4_pattern_cut_across_fragments_in_order)
{
	static const int order[] = {0, 1, 2, 3};
	struct pg_pkt p = datagram("198.18.0.1", "198.18.0.2", "xxFRAGMENTEDPATTERNxx");

	itest_capture(&t, 1);
	write_pieces(&p, order, 4); /* 8 UDP + 21 = 29 bytes */
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 1);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_str_eq(jr_str(a, "pkt_src"), "defrag");
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 4);
	cr_expect_eq(jr_int(a, "src_port", 0), 5000);
	cr_expect_eq(jr_int(a, "dest_port", 0), 6000);
	const struct jr_val *s = eve_find(&t.eve, "event_type=stats", 0);
	cr_expect_eq(jr_int(s, "stats.defrag.ipv4.fragments", -1), 4);
	cr_expect_eq(jr_int(s, "stats.defrag.ipv4.reassembled", -1), 1);
}

Test(defrag, ipv4_fragments_out_of_order)
{
	static const int order[] = {3, 1, 0, 2};
	struct pg_pkt p = datagram("198.18.0.1", "198.18.0.2", "xxFRAGMENTEDPATTERNxx");

	itest_capture(&t, 1);
	write_pieces(&p, order, 4);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=1", 0), "pcap_cnt", 0), 4);
}

Test(defrag, ipv6_fragments_out_of_order)
{
	static const int order[] = {1, 3, 2, 0};
	struct pg_pkt p = datagram("2001:db8::1", "2001:db8::2", "xxFRAGMENTEDPATTERNxx");

	itest_capture(&t, 1);
	write_pieces(&p, order, 4);
	run_ok();
	cr_assert_eq(itest_alerts(&t, 1), 1);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_str_eq(jr_str(a, "src_ip"), eve_ip("2001:db8::1"));
	cr_expect_str_eq(jr_str(a, "pkt_src"), "defrag");
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0),
			    "stats.defrag.ipv6.reassembled", -1),
		     1);
}

/* First fragment: UDP header + "GOODGOOD"; then the same bytes again with
 * "EVILEVIL"; then the last fragment. */
static void overlapping(const char *policy)
{
	char conf[200];
	struct pg_pkt p = datagram("198.18.0.1", "198.18.0.9", "GOODGOODtail");
	uint8_t l4[64], evil[64];
	size_t len;

	snprintf(conf, sizeof(conf),
		 "host-os-policy: {default: %s}\nplugins:\n  - name: signature\n", policy);
	itest_config(&t, conf);
	itest_capture(&t, 1);
	len = pg_l4_bytes(&t.gen, &p, l4, sizeof(l4));
	memcpy(evil, l4, len);
	memcpy(evil + 8, "EVILEVIL", 8);
	pg_fragment(&t.gen, &p, l4 + 8, 8, 8, true);
	pg_fragment(&t.gen, &p, evil + 8, 8, 8, true);
	pg_fragment(&t.gen, &p, l4, 8, 0, true);
	pg_fragment(&t.gen, &p, l4 + 16, len - 16, 16, false);
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly anomaly.type=decode "
				       "anomaly.event=decoder.ipv4.frag_overlap"),
		     1);
}

Test(defrag, overlap_first_policy_keeps_the_first_data)
{
	overlapping("first");
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(itest_alerts(&t, 3), 0);
}

Test(defrag, overlap_last_policy_takes_the_new_data)
{
	overlapping("last");
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 1);
}

Test(defrag, incomplete_datagram_times_out)
{
	struct pg_pkt p = datagram("198.18.0.1", "198.18.0.3", "xxFRAGMENTEDPATTERNxx");
	uint8_t l4[64];

	itest_config(&t, "defrag: {timeout: 5}\nplugins:\n  - name: signature\n");
	itest_capture(&t, 1);
	pg_l4_bytes(&t.gen, &p, l4, sizeof(l4));
	pg_fragment(&t.gen, &p, l4, 8, 0, true); /* the rest never comes */
	t.gen.ts_usec += 10 * 1000000;
	pg_udp(&t.gen, "198.18.0.7", 1, "198.18.0.8", 2, "later", 5);
	run_ok();
	cr_expect_eq(itest_alerts(&t, 1), 0);
	cr_expect_eq(eve_count(&t.eve, "anomaly.event=decoder.ipv4.frag_timeout"), 1);
}

/* A flood of datagrams timing out together writes one anomaly record per
 * second of packet time, not one each; the stats count them all. */
Test(defrag, timeouts_in_a_flood_are_one_record_per_second)
{
	uint8_t l4[64];

	itest_config(&t, "defrag: {timeout: 5}\nplugins:\n  - name: signature\n");
	itest_capture(&t, 1);
	t.gen.step_usec = 10;
	for (int i = 0; i < 500; i++) {
		struct pg_pkt p = datagram("198.18.0.1", "198.18.0.3", "xxFRAGMENTEDPATTERNxx");

		p.ip_id = (uint16_t)(i + 1);
		pg_l4_bytes(&t.gen, &p, l4, sizeof(l4));
		pg_fragment(&t.gen, &p, l4, 8, 0, true);
	}
	t.gen.ts_usec += 10 * 1000000;
	pg_udp(&t.gen, "198.18.0.7", 1, "198.18.0.8", 2, "later", 5);
	run_ok();
	cr_expect_eq(eve_count(&t.eve, "anomaly.event=decoder.ipv4.frag_timeout"), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0),
			    "stats.defrag.event.frag_timeout", -1),
		     500);
}
