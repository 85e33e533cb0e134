/*
 * test_sample.c - the README's demo: the shipped capture with the shipped
 * configuration, plugins and rules. Every signature the capture was made
 * for fires exactly once, on the packet the capture generator put it in,
 * with Suricata's EVE fields and the protocol plugins' objects.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void run_sample(void)
{
	itest_begin(&t, SENSOR_BIN, "sample");
	/* Default config: the build tree's binary uses conf/sensor.yaml. */
	const char *argv[] = {SENSOR_BIN, "-r",	 SOURCE_DIR "/tests/data/sample.pcap",
			      "-l",	  t.dir, NULL};
	run_cmd(&t.res, argv);
	cr_assert_eq(t.res.status, 0, "sensor failed: %s", t.res.err);
	cr_assert_eq(eve_load(&t.eve, t.eve_path), 0);
	cr_assert_eq(t.eve.bad_lines, 0);
}

static void done(void)
{
	itest_end(&t);
}

TestSuite(sample, .init = run_sample, .fini = done);

Test(sample, every_shipped_signature_fires_once)
{
	static const unsigned sids[] = {2100498, 2008187, 2100001, 2100002, 2100003, 2100004,
					2100005, 3100001, 3100003, 3100009, 3300003, 3200005};

	cr_assert_eq(eve_count(&t.eve, "event_type=alert"), 12);
	for (size_t i = 0; i < sizeof(sids) / sizeof(sids[0]); i++)
		cr_expect_eq(itest_alerts(&t, sids[i]), 1, "sid %u", sids[i]);
}

Test(sample, tcp_alert_has_suricata_fields)
{
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=2100498", 0);

	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "timestamp"), "2026-11-18T11:06:40.013000+0000");
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 14);
	cr_expect_str_eq(jr_str(a, "event_type"), "alert");
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.1.80");
	cr_expect_eq(jr_int(a, "src_port", 0), 80);
	cr_expect_str_eq(jr_str(a, "dest_ip"), "198.18.0.10");
	cr_expect_eq(jr_int(a, "dest_port", 0), 49153);
	cr_expect_str_eq(jr_str(a, "proto"), "TCP");
	cr_expect_str_eq(jr_str(a, "pkt_src"), "stream"); /* TCP rules look at the stream */
	cr_expect_eq(jr_int(a, "stream", -1), 1);
	cr_expect_str_eq(jr_str(a, "direction"), "to_client");
	cr_expect_str_eq(jr_str(a, "alert.action"), "allowed");
	cr_expect_eq(jr_int(a, "alert.gid", 0), 1);
	cr_expect_eq(jr_int(a, "alert.rev", 0), 7);
	cr_expect_str_eq(jr_str(a, "alert.signature"),
			 "GPL ATTACK_RESPONSE id check returned root");
	cr_expect_str_eq(jr_str(a, "alert.category"), "Potentially Bad Traffic");
	cr_expect_eq(jr_int(a, "alert.severity", 0), 2);
	cr_expect_str_eq(jr_str(a, "alert.metadata.created_at.0"), "2010-09-23");
	cr_expect_str_eq(jr_str(a, "alert.metadata.signature_severity.0"), "Major");
	cr_expect_null(jr_get(a, "vlan"));
	cr_expect_null(jr_get(a, "in_iface"));
	cr_expect_null(jr_get(a, "payload"));
}

Test(sample, flow_id_is_shared_by_both_directions_and_fits_51_bits)
{
	const struct jr_val *resp = eve_find(&t.eve, "alert.signature_id=2100498", 0);
	const struct jr_val *sqlmap = eve_find(&t.eve, "alert.signature_id=2008187", 0);
	int64_t id = jr_int(resp, "flow_id", 0);

	cr_assert_gt(id, 0);
	cr_expect_lt(id, INT64_C(1) << 51);
	cr_expect_neq(id, jr_int(sqlmap, "flow_id", 0));
	cr_expect_str_eq(jr_str(sqlmap, "direction"), "to_server");
}

Test(sample, ipv6_and_icmp_alerts)
{
	const struct jr_val *v6 = eve_find(&t.eve, "alert.signature_id=2100004", 0);
	const struct jr_val *icmp = eve_find(&t.eve, "alert.signature_id=2100005", 0);

	cr_assert_not_null(v6);
	cr_expect_str_eq(jr_str(v6, "src_ip"), eve_ip("2001:db8:2::20"));
	cr_expect_str_eq(jr_str(v6, "dest_ip"), eve_ip("2001:db8:1::10"));
	cr_expect_eq(jr_int(v6, "pcap_cnt", 0), 49);
	cr_assert_not_null(icmp);
	cr_expect_str_eq(jr_str(icmp, "proto"), "ICMP");
	cr_expect_eq(jr_int(icmp, "icmp_type", -1), 8);
	cr_expect_eq(jr_int(icmp, "icmp_code", -1), 0);
	cr_expect_null(jr_get(icmp, "src_port"));
}

Test(sample, stats_record_counts_the_truncated_frame)
{
	const struct jr_val *s = eve_find(&t.eve, "event_type=stats", 0);

	cr_assert_not_null(s);
	cr_expect_eq(eve_count(&t.eve, "event_type=stats"), 1);
	cr_expect_eq(jr_int(s, "stats.decoder.pkts", -1), 74);
	cr_expect_eq(jr_int(s, "stats.decoder.invalid", -1), 1);
	cr_expect_eq(jr_int(s, "stats.decoder.ipv6", -1), 7);
	cr_expect_eq(jr_int(s, "stats.decoder.vlan", -1), 8);
	cr_expect_eq(jr_int(s, "stats.decoder.event.ipv4.trunc_pkt", -1), 1);
	cr_expect_eq(jr_int(s, "stats.detect.alert", -1), 12);
	cr_expect_eq(jr_int(s, "stats.detect.plugins.signature.alerts", -1), 7);
	cr_expect_eq(jr_int(s, "stats.detect.plugins.http.alerts", -1), 3);
	cr_expect_eq(jr_int(s, "stats.detect.plugins.dns.alerts", -1), 1);
	cr_expect_eq(jr_int(s, "stats.detect.plugins.tls.alerts", -1), 1);
	cr_expect_eq(jr_int(s, "stats.detect.plugins.portscan.alerts", -1), 0);
	cr_expect_eq(jr_int(s, "stats.flow.total", -1), 13);
}

Test(sample, summary_names_the_eve_file)
{
	cr_expect(strstr(t.res.out, "read 74 packets (1 invalid)") != NULL, "%s", t.res.out);
	cr_expect(strstr(t.res.out, "12 alerts written to ") != NULL, "%s", t.res.out);
	cr_expect(strstr(t.res.out, "/eve.json") != NULL, "%s", t.res.out);
}

Test(sample, protocol_plugins_add_their_objects)
{
	const struct jr_val *h = eve_find(&t.eve, "alert.signature_id=3100009", 0);
	const struct jr_val *tl = eve_find(&t.eve, "alert.signature_id=3300003", 0);
	const struct jr_val *d = eve_find(&t.eve, "alert.signature_id=3200005", 0);

	cr_assert_not_null(h);
	cr_expect_str_eq(jr_str(h, "app_proto"), "http");
	cr_expect_str_eq(jr_str(h, "http.hostname"), "shop.example");
	cr_expect_str_eq(jr_str(h, "http.url"), "/item.php?id=1%27");
	cr_expect_str_eq(jr_str(h, "http.http_method"), "GET");
	cr_expect_eq(jr_int(h, "http.status", 0), 500);
	cr_assert_not_null(tl);
	cr_expect_str_eq(jr_str(tl, "app_proto"), "tls");
	cr_expect_str_eq(jr_str(tl, "tls.sni"), "pastebin.com");
	cr_expect_str_eq(jr_str(tl, "tls.ja4"), "t13d1516h2_8daaf6152771_e5627efa2ab1");
	cr_expect_eq(jr_int(tl, "dest_port", 0), 443);
	cr_assert_not_null(d);
	cr_expect_str_eq(jr_str(d, "app_proto"), "dns");
	cr_expect_str_eq(jr_str(d, "dns.queries.0.rrname"), "pool.supportxmr.com");
	cr_expect_str_eq(jr_str(d, "dns.queries.0.rrtype"), "A");
}
