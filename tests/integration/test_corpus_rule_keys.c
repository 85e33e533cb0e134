/*
 * test_corpus_rule_keys.c - suricata-verify cases whose rules need the
 * rule-level keys of rule language v2 (dsize, icmp_id, icmp_seq, itype,
 * icode, tcp.flags, flow, classtype, priority), run like the cases of
 * test_corpus.c: the case's capture from the corpus (CORPUS_DIR, skipped
 * when absent), our translation of its rules in
 * tests/data/corpus/<case>.yaml (same sids), the alert counts of its
 * test.yaml and the alert fields it checks where ours mean the same.
 * docs/corpus.md lists the cases and the differences.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "itest.h"

#define SV_DIR CORPUS_DIR "/suricata-verify"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "corpus_keys");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(corpus_keys, .init = begin, .fini = end);

/* The signature plugin with the shipped classification table. */
static void run_case(const char *name, const char *pcap, const char *rules)
{
	char conf[1024];
	struct stat sb;

	if (stat(SV_DIR, &sb) != 0 || !S_ISDIR(sb.st_mode))
		cr_skip_test("corpus not found at %s: skipped", CORPUS_DIR);
	snprintf(conf, sizeof(conf),
		 "classification-file: %s/rules/classification.config\n"
		 "plugins:\n  - name: signature\n",
		 SOURCE_DIR);
	itest_config(&t, conf);
	snprintf(t.rules, sizeof(t.rules), "%s/tests/data/corpus/%s", SOURCE_DIR, rules);
	snprintf(t.pcap, sizeof(t.pcap), "%s/%s/%s", SV_DIR, name, pcap);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s: %s", name, t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

static size_t alerts(unsigned sid)
{
	return itest_alerts(&t, sid);
}

static size_t count(const char *filter)
{
	return eve_count(&t.eve, filter);
}

/* dsize with each operator; "!9" skips empty packets as Suricata does. */
Test(corpus_keys, test_dsize_values)
{
	run_case("test-dsize-values", "input.pcap", "test-dsize-values.yaml");
	cr_expect_eq(alerts(1), 1);
	cr_expect_eq(alerts(2), 4);
	cr_expect_eq(alerts(3), 5);
	cr_expect_eq(alerts(4), 1);
	cr_expect_eq(alerts(5), 1);
	cr_expect_eq(alerts(6), 1);
	cr_expect_eq(alerts(7), 1);
}

Test(corpus_keys, detect_icmp_id_01)
{
	run_case("detect-icmp-id-01", "input.pcap", "detect-icmp-id-01.yaml");
	cr_expect_eq(alerts(1), 1);
	cr_expect_eq(alerts(2), 0);
	cr_expect_eq(count("event_type=flow"), 1);
	cr_expect_eq(count("event_type=stats"), 1);
}

Test(corpus_keys, detect_icmp_seq)
{
	run_case("detect-icmp-seq", "input.pcap", "detect-icmp-seq.yaml");
	cr_expect_eq(alerts(1), 1);
	cr_expect_eq(alerts(2), 0);
	cr_expect_eq(count("event_type=flow"), 1);
	cr_expect_eq(count("event_type=stats"), 1);
}

Test(corpus_keys, detect_itype_prefilter)
{
	run_case("detect-itype-prefilter", "icmpv4-ping.pcap", "detect-itype-prefilter.yaml");
	cr_expect_eq(alerts(1), 75);
	cr_expect_eq(alerts(2), 75);
	cr_expect_eq(alerts(3), 150);
	cr_expect_eq(alerts(4), 75);
	cr_expect_eq(alerts(5), 75);
}

/* Data without a handshake is never established. */
Test(corpus_keys, alert_no_3whs_established)
{
	run_case("alert-no-3whs-established", "no-3whs.pcap", "alert-no-3whs-established.yaml");
	cr_expect_eq(alerts(13371340), 0);
}

/* One packet of a flow: not established (sid 2 fires, sid 1 not). */
Test(corpus_keys, alert_testmyids_not_established)
{
	run_case("alert-testmyids-not-established", "input.pcap",
		 "alert-testmyids-not-established.yaml");
	const struct jr_val *a = eve_find(&t.eve, "event_type=alert alert.signature_id=2", 0);

	cr_expect_eq(count("event_type=alert"), 1);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "alert.category"), "Potentially Bad Traffic");
	cr_expect_eq(jr_int(a, "alert.severity", 0), 2);
}

/*
 * flow:to_client,established and classtype on stream rules: each rule
 * alerts once with its class's category and priority. Suricata's alerts
 * name pcap_cnt 14 (where it inspected the stream), ours the segment with
 * the match (6); see docs/corpus.md, "Stream alert fields".
 */
Test(corpus_keys, bug_130)
{
	static const unsigned sids[] = {9000000, 9000001, 9000002};

	run_case("bug-130", "input.pcap", "bug-130.yaml");
	cr_expect_eq(count("event_type=alert"), 3);
	for (size_t i = 0; i < 3; i++) {
		char f[400];
		const struct jr_val *a;

		snprintf(f, sizeof(f),
			 "alert.signature_id=%u alert.action=allowed alert.gid=1 alert.rev=1 "
			 "alert.severity=2 src_ip=162.2.41.200 src_port=80 dest_ip=10.100.0.8 "
			 "dest_port=44270 proto=TCP pcap_cnt=6",
			 sids[i]);
		cr_expect_eq(count(f), 1, "sid %u", sids[i]);
		a = eve_find(&t.eve, f, 0);
		cr_assert_not_null(a);
		cr_expect_str_eq(jr_str(a, "alert.category"),
				 "access to a potentially vulnerable web application");
	}
}

/* tcp.flags:S on a SYN reassembled from IPv4 fragments. */
Test(corpus_keys, bug_6887_defrag_ipv4_tcp_syn)
{
	run_case("defrag/bug-6887-defrag-ipv4-tcp-syn", "frag-ip-tcp-syn.pcap",
		 "bug-6887-defrag-tcp-syn.yaml");
	cr_expect_eq(alerts(1), 1);
}

Test(corpus_keys, bug_6887_defrag_eth_vlan_ipv4_tcp_syn)
{
	run_case("defrag/bug-6887-defrag-eth-vlan-ipv4-tcp-syn", "frag-eth-vlan-ip-tcp-syn.pcap",
		 "bug-6887-defrag-tcp-syn.yaml");
	cr_expect_eq(alerts(1), 1);
}

/* dsize:1000 on a TCP segment reassembled from IPv6 fragments. */
Test(corpus_keys, bug_6887_defrag_ipv6_tcp)
{
	run_case("defrag/bug-6887-defrag-ipv6-tcp", "frag-ip-tcp.pcap",
		 "bug-6887-defrag-ipv6-tcp.yaml");
	cr_expect_eq(alerts(1), 1);
}

/* itype/icode on ICMPv6 errors among malformed fragments. */
Test(corpus_keys, ipv6_malformed_fragments_30)
{
	run_case("ipv6-evasion/ipv6-malformed-fragments-30", "frag-30.pcap",
		 "ipv6-malformed-fragments-30.yaml");
	cr_expect_eq(alerts(1), 1);
}

Test(corpus_keys, ipv6_malformed_fragments_35)
{
	run_case("ipv6-evasion/ipv6-malformed-fragments-35", "frag-35.pcap",
		 "ipv6-malformed-fragments-35.yaml");
	cr_expect_eq(alerts(1), 1);
}

Test(corpus_keys, ipv6_dos_with_ext_headers_5)
{
	run_case("ipv6-evasion/ipv6-dos-with-ext-headers-5", "denial6-5.pcap",
		 "ipv6-dos-with-ext-headers-5.yaml");
	cr_expect_eq(alerts(1), 15);
}
