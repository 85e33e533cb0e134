/*
 * test_corpus.c - regression cases from OISF/suricata-verify, and every
 * capture of the shared corpus as a robustness run.
 *
 * The corpus lives outside the repository, in CORPUS_DIR (../shared/corpus
 * from the source tree; its MANIFEST.md describes it); captures are read
 * from there, never copied. Without it every test here is skipped.
 *
 * Cases: each test runs the sensor on one suricata-verify case's capture
 * with our translation of its rules (tests/data/corpus/<case>.yaml, same
 * sids, only the rules our language can say) and the configuration the
 * case needs, then asserts the alert counts of the case's test.yaml and
 * the fields it checks where our output means the same thing. Where our
 * documented behaviour differs (a stream alert's pkt_src and payload, the
 * flow record's byte counts, ...) the test asserts ours and the comment
 * says what Suricata writes; docs/corpus.md lists every case, used or not,
 * and why.
 *
 * Cases with app-layer rules (a sticky buffer -> `buffer:`) run with the
 * protocol plugins loaded (app_conf).
 *
 * Robustness: the sensor with every plugin of the shipped configuration,
 * the shipped rule files, one any-byte rule per plugin buffer, midstream
 * pickup and every EVE option on, run on all 77 captures of the corpus
 * (the 8 large ones of pcaps/ and every suricata-verify capture): exit
 * status 0, no sanitizer report, every eve.json line valid JSON, one stats
 * record whose packet count is the capture's, and every buffer scanned on
 * some capture. The whole corpus takes under half a minute under
 * ASan+UBSan, so no capture is cut short.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "itest.h"

#define SV_DIR CORPUS_DIR "/suricata-verify"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "corpus");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(corpus, .init = begin, .fini = end);

static void need_corpus(void)
{
	struct stat sb;

	if (stat(SV_DIR, &sb) != 0 || !S_ISDIR(sb.st_mode))
		cr_skip_test("corpus not found at %s: skipped", CORPUS_DIR);
}

/* Every case's alerts carry payload, printable payload and packet, as the
 * suricata.yaml of the eve-overlap cases asks. */
#define EVE_ALL "outputs:\n  eve: {payload: true, payload-printable: true, packet: true}\n"
/* The protocol plugins, for cases with app-layer rules: a rule's buffer
 * sends it to the plugin that declares it. */
#define APP_PLUGINS "plugins:\n  - name: signature\n  - name: http\n  - name: dns\n  - name: tls\n"

static const char base_conf[] = "plugins:\n  - name: signature\n" EVE_ALL;
static const char app_conf[] = APP_PLUGINS EVE_ALL;
/* The robustness run: every plugin of the shipped configuration. */
static const char robust_conf[] =
	APP_PLUGINS "  - name: portscan\n" EVE_ALL "stream: {midstream: true}\n";

static const char midstream_conf[] = "stream: {midstream: true}\n";

/*
 * Run the case `name` (a folder of suricata-verify) on its capture `pcap`
 * (relative to the case folder) with tests/data/corpus/<rules> and `base`
 * plus `extra` (may be NULL) as configuration.
 */
static void run_case_with(const char *base, const char *name, const char *pcap, const char *rules,
			  const char *extra)
{
	char conf[1024];

	need_corpus();
	snprintf(conf, sizeof(conf), "%s%s", base, extra ? extra : "");
	itest_config(&t, conf);
	snprintf(t.rules, sizeof(t.rules), "%s/tests/data/corpus/%s", SOURCE_DIR, rules);
	snprintf(t.pcap, sizeof(t.pcap), "%s/%s/%s", SV_DIR, name, pcap);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s: %s", name, t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
	cr_assert_not_null(eve_find(&t.eve, "event_type=stats", 0));
}

/* A case with the signature plugin alone (base_conf). */
static void run_case(const char *name, const char *pcap, const char *rules, const char *extra)
{
	run_case_with(base_conf, name, pcap, rules, extra);
}

/* Records matching `filter` (see eve_count). */
static size_t count(const char *filter)
{
	return eve_count(&t.eve, filter);
}

static size_t alerts(unsigned sid)
{
	return itest_alerts(&t, sid);
}

static int64_t stat_int(const char *path)
{
	char full[256];

	snprintf(full, sizeof(full), "stats.%s", path);
	return jr_int(eve_find(&t.eve, "event_type=stats", 0), full, -1);
}

/* Base64 of the frames the eve-overlap cases check (from their test.yaml). */
#define PKT_EVIL                                                                                   \
	"BQQDAgEAAAECAwQFgQAABggARQAALAABAABABnTGAQEBAQICAgIwOR+QAAAAAgAAA+lQEBAAt3QAAEVWSUw="
#define PKT_GOOD                                                                                   \
	"BQQDAgEAAAECAwQFgQAABggARQAALAABAABABnTGAQEBAQICAgIwOR+QAAAAAgAAA+lQEBAAr4MAAEdPT0Q="
#define PKT_XXX                                                                                    \
	"BQQDAgEAAAECAwQFgQAABggARQAAKwABAABABnTHAQEBAQICAgIwOR+QAAAAAwAAA+lQEBAAlb4AAFhYWA=="
#define PKT_VERY                                                                                   \
	"BQQDAgEAAAECAwQFgQAABggARQAALAABAABABnTGAQEBAQICAgIwOR+QAAAAAgAAA+lQEAQAqXgAAFZFUlk="
#define PKT_DATA                                                                                   \
	"BQQDAgEAAAECAwQFgQAABggARQAALAABAABABnTGAQEBAQICAgIwOR+QAAAACgAAA+lQEAQAuYwAAERBVEE="

/* ------------------------------------------------------------ stream overlaps and gaps */

/*
 * "GOOD" then "EVIL" at the same sequence number. Suricata writes the
 * stream alert with pkt_src "stream (flow timeout)" (it inspects at the
 * flow's end); ours says "stream" and names the segment (pcap_cnt 5).
 */
Test(corpus, eve_overlap_payload_01)
{
	run_case("eve-overlap-payload-01", "tcp-overlap.pcap", "eve-overlap-payload-01.yaml", NULL);
	cr_expect_eq(alerts(1), 0);
	cr_expect_eq(count("alert.signature_id=2 payload=R09PRA== payload_printable=GOOD "
			   "pkt_src=stream stream=1 pcap_cnt=5"),
		     1);
	cr_expect_eq(count("alert.signature_id=3 payload=RVZJTA== payload_printable=EVIL "
			   "stream=0 packet=" PKT_EVIL),
		     1);
	cr_expect_eq(count("alert.signature_id=4 payload=R09PRA== payload_printable=GOOD "
			   "stream=0 packet=" PKT_GOOD),
		     1);
	cr_expect_eq(count("event_type=alert"), 3);
}

/* Same capture, the server 2.2.2.2 is old-linux: the later EVIL wins. */
Test(corpus, eve_overlap_payload_02_policy_oldlinux)
{
	run_case("eve-overlap-payload-02-policy-oldlinux", "tcp-overlap.pcap",
		 "eve-overlap-payload-02-policy-oldlinux.yaml",
		 "host-os-policy:\n  default: bsd\n  windows: [0.0.0.0/0]\n"
		 "  old-linux: [2.2.2.2]\n");
	cr_expect_eq(count("alert.signature_id=1 payload=RVZJTA== payload_printable=EVIL "
			   "pkt_src=stream stream=1 pcap_cnt=6"),
		     1);
	cr_expect_eq(alerts(2), 0);
	cr_expect_eq(count("alert.signature_id=3 payload=RVZJTA== payload_printable=EVIL "
			   "packet=" PKT_EVIL),
		     1);
	cr_expect_eq(count("alert.signature_id=4 payload=R09PRA== payload_printable=GOOD "
			   "packet=" PKT_GOOD),
		     1);
	cr_expect_eq(count("event_type=alert"), 3);
}

/* "GOOD" at seq 2, then "XXX" at seq 3: the stream keeps GOOD. */
Test(corpus, eve_overlap_payload_04_partial_overlap)
{
	run_case("eve-overlap-payload-04-partial-overlap", "tcp-overlap2.pcap",
		 "eve-overlap-payload-04-partial-overlap.yaml", NULL);
	cr_expect_eq(alerts(1), 0);
	cr_expect_eq(count("alert.signature_id=2 stream=1 payload=R09PRA== payload_printable=GOOD "
			   "pkt_src=stream"),
		     1);
	cr_expect_eq(count("alert.signature_id=3 stream=0 payload=WFhY payload_printable=XXX "
			   "packet=" PKT_XXX),
		     1);
	cr_expect_eq(count("alert.signature_id=4 payload=R09PRA== payload_printable=GOOD "
			   "packet=" PKT_GOOD),
		     1);
	cr_expect_eq(count("event_type=anomaly "
			   "anomaly.event=stream.reassembly_overlap_different_data"),
		     1);
}

/*
 * "VERY", 4 bytes lost, "DATA". Suricata's stream alerts carry the
 * reassembled chunk, "VERY[4 bytes missing]DATA"; ours carry the segment
 * holding the match's last byte (docs/eve.md), so VERY and DATA.
 */
Test(corpus, eve_overlap_payload_05_gap)
{
	run_case("eve-overlap-payload-05-gap", "tcp-simple-gap2.pcap",
		 "eve-overlap-payload-05-gap.yaml", NULL);
	cr_expect_eq(count("alert.signature_id=1 stream=1 pkt_src=stream payload=VkVSWQ== "
			   "payload_printable=VERY pcap_cnt=5"),
		     1);
	cr_expect_eq(alerts(2), 0);
	cr_expect_eq(count("alert.signature_id=3 stream=1 pkt_src=stream payload=REFUQQ== "
			   "payload_printable=DATA pcap_cnt=6"),
		     1);
	cr_expect_eq(count("alert.signature_id=4 stream=0 payload=VkVSWQ== payload_printable=VERY "
			   "packet=" PKT_VERY),
		     1);
	cr_expect_eq(alerts(5), 0);
	cr_expect_eq(count("alert.signature_id=6 stream=0 payload=REFUQQ== payload_printable=DATA "
			   "packet=" PKT_DATA),
		     1);
	cr_expect_eq(alerts(7), 0);
	cr_expect_eq(stat_int("tcp.reassembly_gap"), 1);
	cr_expect_eq(stat_int("tcp.reassembly_gap_bytes"), 4);
}

/* The first data segment was never captured: the stream starts with a gap.
 * Suricata's stream alerts show "[4 bytes missing]GOODDATA"; ours the
 * segments, GOOD and DATA. */
Test(corpus, eve_payload_06_tcp_data_leading_gap)
{
	run_case("eve-payload-06-tcp-data-leading-gap", "tcp-leading-gap.pcap",
		 "eve-payload-06-tcp-data-leading-gap.yaml", NULL);
	cr_expect_eq(alerts(1), 0);
	cr_expect_eq(count("alert.signature_id=2 stream=1 payload_printable=GOOD"), 1);
	cr_expect_eq(count("alert.signature_id=3 stream=1 payload_printable=DATA"), 1);
	cr_expect_eq(alerts(4), 0);
	cr_expect_eq(count("alert.signature_id=5 stream=0 payload_printable=GOOD"), 1);
	cr_expect_eq(count("alert.signature_id=6 stream=0 payload_printable=DATA"), 1);
	cr_expect_eq(alerts(7), 0);
	cr_expect_eq(stat_int("tcp.reassembly_gap_bytes"), 4);
}

/* ------------------------------------------------------------ handshakes, RSTs, TFO */

/* Baseline of bug-3286: THIS_IS_A_TEST in the HTTP response body. */
Test(corpus, bug_3286_01_no_evasion)
{
	run_case("bug-3286-01-no-evasion", "without_evasion.pcap", "bug-3286-01-no-evasion.yaml",
		 NULL);
	cr_expect_eq(count("alert.signature_id=1 direction=to_client src_port=80"), 1);
	cr_expect_eq(count("event_type=alert"), 1);
}

/*
 * The TCP timestamp evasion of bug-3286: after the SYN, a RST+ACK (packet
 * 2) and a FIN+ACK (3) that ACK it but echo a timestamp the client never
 * sent. Both are not used (stream.pkt_invalid_timestamp, as Suricata's
 * stream-event sid 2210044 fires on them; that rule has no counterpart in
 * our language, the anomaly records are asserted instead), so the real
 * session is followed and THIS_IS_A_TEST in the response is inspected.
 */
static void bug_3286_evasion(const char *name, const char *pcap, const char *rules, int64_t cnt)
{
	char filter[96];

	run_case(name, pcap, rules, NULL);
	snprintf(filter, sizeof(filter), "alert.signature_id=1 direction=to_client pcap_cnt=%lld",
		 (long long)cnt);
	cr_expect_eq(count(filter), 1);
	cr_expect_eq(count("event_type=alert"), 1);
	cr_expect_eq(count("event_type=anomaly anomaly.type=stream "
			   "anomaly.event=stream.pkt_invalid_timestamp pcap_cnt=2"),
		     1);
	cr_expect_eq(count("event_type=anomaly anomaly.type=stream "
			   "anomaly.event=stream.pkt_invalid_timestamp pcap_cnt=3"),
		     1);
	cr_expect_eq(count("anomaly.event=stream.pkt_invalid_timestamp"), 2);
	cr_expect_eq(stat_int("tcp.event.pkt_invalid_timestamp"), 2);
	cr_expect_eq(count("event_type=flow tcp.state=established"), 1);
}

/* Linux client: it answers the bogus FIN+ACK with a RST (packet 4, seq
 * ISN+1, no ACK) that we ignore as the server had not answered yet (our
 * stream.rst_invalid; Suricata ignores it without an event). */
Test(corpus, bug_3286_02_linux_evasion)
{
	bug_3286_evasion("bug-3286-02-linux-evasion", "with_evasion_linux.pcap",
			 "bug-3286-02-linux-evasion.yaml", 9);
	cr_expect_eq(count("event_type=anomaly anomaly.event=stream.rst_invalid pcap_cnt=4"), 1);
	cr_expect_eq(count("event_type=anomaly"), 3);
}

/* Windows client: its SYN has no timestamps, so any echo is bogus. */
Test(corpus, bug_3286_03_windows_evasion)
{
	bug_3286_evasion("bug-3286-03-windows-evasion", "with_evasion_windows.pcap",
			 "bug-3286-03-windows-evasion.yaml", 8);
	cr_expect_eq(count("event_type=anomaly"), 2);
}

/* The bug-3286-02 capture again; the case checks the stats counter of the
 * event (Suricata's stats.stream.pkt_invalid_timestamp, ours
 * stats.tcp.event.pkt_invalid_timestamp) and the 2 alerts of its
 * stream-event rule (our 2 anomaly records). */
Test(corpus, 7858_stream_events)
{
	run_case("bug-3286-02-linux-evasion", "with_evasion_linux.pcap", "empty.yaml", NULL);
	cr_expect_eq(stat_int("tcp.event.pkt_invalid_timestamp"), 2);
	cr_expect_eq(count("anomaly.event=stream.pkt_invalid_timestamp"), 2);
	cr_expect_eq(count("event_type=alert"), 0);
}

static void split_handshake(const char *name, const char *pcap, const char *rules, int64_t cnt)
{
	char filter[96];

	run_case(name, pcap, rules, NULL);
	for (unsigned sid = 1; sid <= 3; sid++) {
		snprintf(filter, sizeof(filter), "alert.signature_id=%u pcap_cnt=%lld", sid,
			 (long long)cnt);
		cr_expect_eq(count(filter), 1, "sid %u", sid);
	}
	cr_expect_eq(count("event_type=alert"), 3);
	cr_expect_eq(count("alert.signature_id=2 pkt_src=stream"), 1);
	cr_expect_eq(count("alert.signature_id=3 pkt_src=wire/pcap"), 1);
}

/* SYN, SYN from the server, SYN+ACK from the client, ACK, then EVIL. */
Test(corpus, tcp_split_handshake_01_4whs)
{
	split_handshake("tcp-split-handshake-01-4whs", "split-handshake-4whs.pcap",
			"tcp-split-handshake-01-4whs.yaml", 5);
}

Test(corpus, tcp_split_handshake_02_5whs)
{
	split_handshake("tcp-split-handshake-02-5whs", "split-handshake-5whs.pcap",
			"tcp-split-handshake-02-5whs.yaml", 6);
}

/* The client resets before the server's 4 segments are ACKed: the unACKed
 * data is still inspected, "Let Me In" across 3 segments. */
Test(corpus, tcp_rst_unacked_stream_01_raw)
{
	run_case("tcp-rst-unacked-stream-01-raw", "input.pcap",
		 "tcp-rst-unacked-stream-01-raw.yaml", NULL);
	cr_expect_eq(count("alert.signature_id=1 pkt_src=stream direction=to_client"), 1);
	cr_expect_eq(stat_int("tcp.reassembly_gap"), 0);
}

/*
 * Same with "Let " never captured: "Me In" still matches. The hole was
 * never ACKed (the RST acknowledges up to it): no gap counted and no
 * stream.reassembly_seq_gap, as Suricata (docs/eve.md: tcp.reassembly_gap).
 */
Test(corpus, tcp_rst_unacked_stream_03_gap)
{
	run_case("tcp-rst-unacked-stream-03-gap", "input.pcap",
		 "tcp-rst-unacked-stream-03-gap.yaml", NULL);
	cr_expect_eq(count("alert.signature_id=1 pkt_src=stream"), 1);
	cr_expect_eq(alerts(2210048), 0);
	cr_expect_eq(count("event_type=anomaly anomaly.event=stream.reassembly_seq_gap"), 0);
	cr_expect_eq(stat_int("tcp.reassembly_gap"), 0);
	cr_expect_eq(stat_int("tcp.reassembly_gap_bytes"), 0);
}

/* An HTTP request with 16 bytes never captured, then a RST; the header
 * after the hole matches. No gap, as in -03. */
Test(corpus, tcp_rst_unacked_stream_07_http)
{
	run_case("tcp-rst-unacked-stream-07-http", "input.pcap",
		 "tcp-rst-unacked-stream-07-http.yaml", NULL);
	cr_expect_eq(count("alert.signature_id=1 pkt_src=stream direction=to_server"), 1);
	cr_expect_eq(alerts(2210048), 0);
	cr_expect_eq(stat_int("tcp.reassembly_gap"), 0);
	cr_expect_eq(stat_int("tcp.reassembly_gap_bytes"), 0);
}

/* A RST with data ("Access Denied"): its data is not part of the stream.
 * Suricata's total of 2 includes sid 1, which we cannot say. */
Test(corpus, bug_6244_tcp_rst_with_data)
{
	run_case("bug-6244-tcp-rst-with-data", "tcp-rst-with-data.pcap",
		 "bug-6244-tcp-rst-with-data.yaml", NULL);
	cr_expect_eq(alerts(2), 0);
	cr_expect_eq(alerts(4), 1);
	cr_expect_eq(count("event_type=alert"), 1);
	cr_expect_eq(count("event_type=anomaly anomaly.event=stream.rst_with_data"), 1);
}

Test(corpus, bug_6244_tcp_rst_with_data_02)
{
	run_case("bug-6244-tcp-rst-with-data-02", "tcp-rst-with-data.pcap",
		 "bug-6244-tcp-rst-with-data-02.yaml", NULL);
	cr_expect_eq(alerts(2), 0);
	cr_expect_eq(alerts(4), 1);
	cr_expect_eq(alerts(5), 0);
	cr_expect_eq(count("event_type=alert"), 1);
}

/* Two TCP Fast Open sessions; the server's "Hello!" in each. */
Test(corpus, tcp_fastopen_05)
{
	run_case("tcp-fastopen-05", "tfo.pcap", "tcp-fastopen-05.yaml", NULL);
	cr_expect_eq(alerts(1), 2);
	cr_expect_eq(count("event_type=flow proto=TCP"), 2);
	cr_expect_eq(count("event_type=flow proto=TCP flow.state=closed"), 2);
}

/* Only the server's side of an IMAP session, picked up midstream; the reply
 * spans segments. */
Test(corpus, tcp_async_01)
{
	run_case("tcp-async-01", "input.pcap", "tcp-async-01.yaml", midstream_conf);
	cr_expect_eq(count("event_type=alert src_port=143"), 1);
	cr_expect_eq(count("event_type=flow dest_port=143"), 1);
	cr_expect_eq(stat_int("tcp.midstream_pickups"), 1);
	cr_expect_eq(stat_int("tcp.reassembly_gap"), 0);
}

/* ------------------------------------------------------------ urgent data */

/*
 * "GET /malic", one urgent byte "X", "ious HTTP/1.1...". The case runs
 * Suricata with urgent.policy oob, which removes the urgent byte, so
 * "malicious" matches in the stream (sid 1000001) and in http.uri (sid
 * 1000002). Our default urgent-policy (auto: oob for the bsd policy, as
 * Linux and BSD hosts read it) does the same: both match, and the http
 * plugin's URI is the one the probe rule 9000001 (not the case's) shows.
 * The request fields agree with the capture.
 */
static void urgent_case(const char *name, const char *pcap, const char *rules, const char *url)
{
	char filter[256];

	run_case_with(app_conf, name, pcap, rules, NULL);
	cr_expect_eq(alerts(1000001), 1);
	cr_expect_eq(alerts(1000002), 1);
	snprintf(filter, sizeof(filter),
		 "alert.signature_id=9000001 pcap_cnt=8 pkt_src=stream direction=to_server "
		 "dest_port=9090 app_proto=http http.url=%s http.hostname=10.10.10.55 "
		 "http.http_method=GET http.protocol=HTTP/1.1 "
		 "http.http_user_agent=python-requests/2.31.0",
		 url);
	cr_expect_eq(count(filter), 1, "%s", filter);
	cr_expect_null(jr_get(eve_find(&t.eve, "alert.signature_id=9000001", 0), "http.status"));
	cr_expect_eq(count("event_type=alert"), 3);
	cr_expect_eq(count("event_type=flow app_proto=http tcp.urg=true"), 1);
}

Test(corpus, tcp_urgp_01_oob)
{
	urgent_case("tcp-urgp-01-oob", "tcp-urgent1.pcap", "tcp-urgp-01-oob.yaml", "/malicious");
}

/* Two urgent bytes "XY": the urgent pointer names the last one, which
 * oob removes ("malicXious" matches), as Suricata's oob policy does. */
Test(corpus, tcp_urgp_04_2byte_xy)
{
	urgent_case("tcp-urgp-04-2byte-XY", "tcp-urgent-2byte-XY.pcap", "tcp-urgp-04-2byte-XY.yaml",
		    "/malicXious");
}

/* ------------------------------------------------------------ plain payload rules */

/* uid=0(root) in an HTTP response (a full session). */
Test(corpus, alert_testmyids)
{
	run_case("alert-testmyids", "../flowbit-oring/input.pcap", "alert-testmyids.yaml", NULL);
	cr_expect_eq(count("event_type=alert"), 1);
	cr_expect_eq(count("alert.signature_id=2100498 src_port=80 pkt_src=wire/pcap"), 1);
}

/* The same response without the session's start. */
Test(corpus, alert_testmyids_midstream)
{
	run_case("alert-testmyids-midstream", "input.pcap", "alert-testmyids-midstream.yaml",
		 midstream_conf);
	cr_expect_eq(count("event_type=alert src_port=80"), 1);
}

/*
 * One IPv6 TCP segment without a handshake (midstream). Suricata (run in
 * IPS mode there) writes pkt_src wire/pcap; ours is a stream alert. IPv6
 * addresses in Suricata's expanded form, as its test.yaml has them. This case
 * found the bogus end-of-stream gap fixed in stream_tcp.c.
 */
Test(corpus, bug_4571_02)
{
	run_case("bug-4571-02", "ipv6.pcap", "bug-4571-02.yaml", midstream_conf);
	cr_expect_eq(count("alert.signature_id=1 proto=TCP "
			   "src_ip=2001:0db8:85a3:0000:0000:8a2e:0370:7334 "
			   "dest_ip=2001:0db8:85a3:0000:0000:8a2e:0370:7335 pkt_src=stream"),
		     1);
	cr_expect_eq(
		count("event_type=flow proto=TCP src_ip=2001:0db8:85a3:0000:0000:8a2e:0370:7334 "
		      "flow.alerted=true"),
		1);
	cr_expect_eq(stat_int("tcp.reassembly_gap"), 0);
	cr_expect_eq(count("event_type=anomaly anomaly.event=stream.reassembly_seq_gap"), 0);
}

/* An address range written as CIDR blocks; the source 2001:db8::10. */
Test(corpus, iponly_ipv6_range_01)
{
	run_case("iponly-ipv6-range-01", "input.pcap", "iponly-ipv6-range-01.yaml", NULL);
	cr_expect_eq(
		count("alert.signature_id=1000001 src_ip=2001:0db8:0000:0000:0000:0000:0000:0010"),
		1);
	cr_expect_eq(count("event_type=alert"), 1);
}

/* A DNS query carrying the name's wire form. */
Test(corpus, bug_2736_01)
{
	run_case("bug-2736-01", "23_6594.pcap", "bug-2736-01.yaml", NULL);
	cr_expect_eq(count("alert.signature_id=1 proto=UDP dest_port=53"), 1);
}

/*
 * DNS over TCP: "suricata\x02" in the first query and its answer. Suricata
 * reports them at pcap_cnt 7 and 9 (where it inspected); ours name the
 * segments holding the match, 4 and 6. Its flow record counts Ethernet
 * headers in bytes (627/575); ours counts IP bytes (docs/eve.md):
 * 14 bytes less per frame.
 */
Test(corpus, dns_task_7018_ids_dns_stream_rule)
{
	run_case("dns/task-7018-ids-dns-stream-rule", "../task-7018-ids-dns-keywords/input.pcap",
		 "task-7018-ids-dns-stream-rule.yaml", NULL);
	cr_expect_eq(count("alert.signature_id=1 direction=to_server src_ip=10.16.1.11 "
			   "src_port=36926 dest_ip=9.9.9.9 dest_port=53 pcap_cnt=4"),
		     1);
	cr_expect_eq(count("alert.signature_id=1 direction=to_client src_ip=9.9.9.9 src_port=53 "
			   "dest_ip=10.16.1.11 dest_port=36926 pcap_cnt=6"),
		     1);
	cr_expect_eq(alerts(1), 2);
	cr_expect_eq(count("event_type=flow dest_ip=9.9.9.9 dest_port=53 flow.pkts_toserver=8 "
			   "flow.pkts_toclient=6 flow.bytes_toserver=515 flow.bytes_toclient=491 "
			   "flow.age=0 flow.state=closed flow.reason=shutdown flow.alerted=true "
			   "tcp.tcp_flags=1b tcp.tcp_flags_ts=1b tcp.tcp_flags_tc=1b tcp.syn=true "
			   "tcp.fin=true tcp.psh=true tcp.ack=true tcp.state=closed"),
		     1);
}

/*
 * dns/task-7018-ids-dns-keywords (the capture of the test above; the case's
 * test.rules and test.yaml are not in the corpus, they are quoted here from
 * OISF/suricata-verify commit 1d28f16e). Rule: dns.queries.rrname;
 * content:"suricata" -> buffer dns.query. Three queries over one TCP
 * connection (suricata.io, oisf.net, suricata.org) and their answers: 4
 * alerts, on the queries and answers of the two suricata names, each with
 * the dns object the case checks. Differences: Suricata reports pcap_cnt
 * 7, 9, 12, 13 (where it inspected), ours the segments completing each
 * message, 4, 6, 10, 11; Suricata 8 counts requests and responses as
 * transactions (the third query is tx_id 4), ours a query and its response
 * as one (docs/plugins/dns.md): 2. One dns record per message.
 */
Test(corpus, dns_task_7018_ids_dns_keywords)
{
	const struct jr_val *a;

	run_case_with(app_conf, "dns/task-7018-ids-dns-keywords", "input.pcap",
		      "task-7018-ids-dns-keywords.yaml", NULL);
	cr_expect_eq(count("event_type=alert"), 4);
	cr_expect_eq(alerts(1), 4);
	a = eve_find(&t.eve, "event_type=alert", 0);
	cr_expect_str_eq(jr_str(a, "alert.signature"), "DNS suricata query.name");
	cr_expect_eq(count("alert.signature_id=1 pcap_cnt=4 proto=TCP src_ip=10.16.1.11 "
			   "src_port=36926 app_proto=dns dest_ip=9.9.9.9 dest_port=53 "
			   "direction=to_server dns.id=0 dns.opcode=0 "
			   "dns.queries.0.rrname=suricata.io dns.queries.0.rrtype=A "
			   "dns.tx_id=0 dns.type=request"),
		     1);
	cr_expect_eq(count("alert.signature_id=1 pcap_cnt=6 app_proto=dns proto=TCP src_ip=9.9.9.9 "
			   "src_port=53 dest_ip=10.16.1.11 dest_port=36926 direction=to_client "
			   "dns.flags=8180 dns.id=0 dns.opcode=0 "
			   "dns.qr=true dns.ra=true dns.rcode=NOERROR "
			   "dns.rd=true dns.queries.0.rrname=suricata.io dns.queries.0.rrtype=A "
			   "dns.type=response dns.version=3 "
			   "dns.answers.0.rdata=35.212.0.44 dns.answers.0.ttl=490"),
		     1);
	cr_expect_eq(count("alert.signature_id=1 pcap_cnt=10 proto=TCP src_ip=10.16.1.11 "
			   "src_port=36926 app_proto=dns dest_ip=9.9.9.9 dest_port=53 "
			   "direction=to_server dns.id=0 dns.opcode=0 "
			   "dns.queries.0.rrname=suricata.org dns.queries.0.rrtype=A "
			   "dns.tx_id=2 dns.type=request"),
		     1);
	cr_expect_eq(count("alert.signature_id=1 pcap_cnt=11 proto=TCP src_ip=9.9.9.9 src_port=53 "
			   "app_proto=dns dest_ip=10.16.1.11 dest_port=36926 direction=to_client "
			   "dns.flags=8180 dns.id=0 dns.opcode=0 "
			   "dns.qr=true dns.ra=true dns.rcode=NOERROR "
			   "dns.rd=true dns.queries.0.rrname=suricata.org dns.queries.0.rrtype=A "
			   "dns.type=response dns.version=3 "
			   "dns.grouped.A.0=15.197.148.33 dns.grouped.A.1=3.33.130.190"),
		     1);
	cr_expect_eq(count("event_type=alert dns.queries.0.rrname=oisf.net"), 0);
	/* one dns record per message: oisf.net's query and answer, tx 1 */
	cr_expect_eq(count("event_type=dns tx_id=1 dns.queries.0.rrname=oisf.net"), 2);
	cr_expect_eq(count("event_type=flow app_proto=dns proto=TCP src_ip=10.16.1.11 "
			   "src_port=36926 dest_ip=9.9.9.9 dest_port=53 flow.age=0 "
			   "flow.alerted=true flow.pkts_toclient=6 flow.pkts_toserver=8 "
			   "flow.reason=shutdown flow.state=closed tcp.state=closed"),
		     1);
}

/* ------------------------------------------------------------ decoder events */

/*
 * These cases check decode-event rules, which our rule language does not
 * have; the same events are our anomaly records and stats counters (same
 * names), so those are asserted instead.
 */

Test(corpus, udp_len_invalid)
{
	run_case("udp-5379/udp-len-invalid", "input.pcap", "empty.yaml", NULL);
	cr_expect_eq(stat_int("decoder.event.udp.len_invalid"), 1);
	cr_expect_eq(count("event_type=anomaly anomaly.type=decode "
			   "anomaly.event=decoder.udp.len_invalid pcap_cnt=1"),
		     1);
}

/* An IPv4 option with a bad length. Suricata reports opt_invalid_len twice
 * and opt_pad_required once on that packet; we stop at the first bad
 * option: one record. */
Test(corpus, bug_7414_decoder_event_01)
{
	run_case("bug-7414-decoder-event-01", "ip_secopt.pcap", "empty.yaml", NULL);
	cr_expect_eq(stat_int("decoder.invalid"), 1);
	cr_expect_eq(count("event_type=anomaly anomaly.type=decode "
			   "anomaly.event=decoder.ipv4.opt_invalid_len pcap_cnt=3"),
		     1);
}

/*
 * A truncated IPv4 header: one anomaly for packet 1, with only the
 * timestamp, pcap_cnt and the anomaly (the frame never decoded, so there
 * are no addresses to write).
 */
Test(corpus, ipv4_truncated)
{
	run_case("ipv4-truncated", "truncated.pcap", "empty.yaml", NULL);
	cr_expect_eq(count("event_type=anomaly anomaly.event=decoder.ipv4.trunc_pkt pcap_cnt=1"),
		     1);
	cr_expect_null(jr_get(eve_find(&t.eve, "event_type=anomaly", 0), "src_port"));
	cr_expect_null(jr_get(eve_find(&t.eve, "event_type=anomaly", 0), "flow_id"));
	cr_expect_null(jr_get(eve_find(&t.eve, "event_type=anomaly", 0), "src_ip"));
	cr_expect_null(jr_get(eve_find(&t.eve, "event_type=anomaly", 0), "proto"));
	cr_expect_null(jr_get(eve_find(&t.eve, "event_type=anomaly", 0), "direction"));
	cr_expect_eq(stat_int("decoder.event.ipv4.trunc_pkt"), 1);
}

/* Empty SACK options are valid: no opt_invalid_len (raw IP link type). */
Test(corpus, tcp_empty_sack)
{
	run_case("tcp-empty-sack", "tcp-opt.pcap", "empty.yaml", NULL);
	cr_expect_eq(stat_int("decoder.event.tcp.opt_invalid_len"), 0);
	cr_expect_eq(stat_int("decoder.pkts"), 42);
	cr_expect_eq(stat_int("decoder.invalid"), 0);
}

/* Short TCP, UDP and GRE headers over IPv4 and IPv6. */
Test(corpus, decode_too_small)
{
	run_case("decode-too-small", "test.pcap", "empty.yaml", NULL);
	cr_expect_eq(count("anomaly.event=decoder.tcp.pkt_too_small"), 2);
	cr_expect_eq(count("anomaly.event=decoder.udp.hlen_too_small"), 4);
	cr_expect_eq(stat_int("decoder.event.tcp.pkt_too_small"), 2);
	cr_expect_eq(stat_int("decoder.event.udp.hlen_too_small"), 4);
	cr_expect_eq(count("anomaly.event=decoder.gre.pkt_too_small"), 2);
	cr_expect_eq(stat_int("decoder.event.gre.pkt_too_small"), 2);
}

/* IPv6 fragments overlapping with different data. */
Test(corpus, ipv6_malformed_fragments_1)
{
	run_case("ipv6-evasion/ipv6-malformed-fragments-1", "frag-1.pcap", "empty.yaml", NULL);
	cr_expect_eq(count("event_type=anomaly anomaly.event=decoder.ipv6.frag_overlap"), 1);
	cr_expect_eq(stat_int("defrag.ipv6.reassembled"), 1);
}

/* Fragments adding up past 65,535 bytes. Suricata's event is
 * ipv6.frag_pkt_too_large; ours is named frag_too_large (docs/eve.md). */
Test(corpus, ipv6_malformed_fragments_15)
{
	run_case("ipv6-evasion/ipv6-malformed-fragments-15", "frag-15.pcap", "empty.yaml", NULL);
	cr_expect_eq(count("event_type=anomaly anomaly.event=decoder.ipv6.frag_too_large"), 1);
	cr_expect_eq(stat_int("defrag.ipv6.reassembled"), 0);
}

/* 16,384 IPv4/IPv6 fragments crafted to collide in a small defrag hash
 * (Suricata security ticket 8510); the stats check is the packet count. */
Test(corpus, security_8510)
{
	run_case("security-8510", "defrag-af-confusion-spray-h8.pcap", "empty.yaml", NULL);
	cr_expect_eq(stat_int("decoder.pkts"), 16384);
	cr_expect_eq(stat_int("defrag.ipv4.reassembled"), 4096);
	cr_expect_eq(stat_int("defrag.ipv6.reassembled"), 4096);
}

/* ----------------------------------------------------------------- tunnels */

/* The inner TCP packet of an IPv4-in-IPv4 tunnel, and the outer packet
 * as a flow of its own (proto IP-in-IP), as Suricata. Suricata writes the
 * inner alert's pkt_src as "ipv4 tunnel"; ours is the inner packet's own
 * (stream here, for a stream rule), with the outer layer in `tunnel` as
 * Suricata's. */
Test(corpus, bug_4571_01)
{
	run_case("bug-4571-01", "ipv4_over_ipv4.pcap", "bug-4571-01.yaml", midstream_conf);
	cr_expect_eq(count("alert.signature_id=1 proto=TCP src_ip=10.1.0.3 dest_ip=10.1.0.4 "
			   "tunnel.src_ip=10.1.0.1 tunnel.dest_ip=10.1.0.2 tunnel.proto=IP-in-IP "
			   "tunnel.depth=1"),
		     1);
	cr_expect_eq(count("event_type=flow proto=TCP src_ip=10.1.0.3 dest_ip=10.1.0.4 "
			   "flow.alerted=true"),
		     1);
	cr_expect_eq(count("event_type=flow proto=IP-in-IP src_ip=10.1.0.1 dest_ip=10.1.0.2 "
			   "flow.alerted=false"),
		     1);
	cr_expect_eq(count("event_type=flow"), 2);
	cr_expect_eq(stat_int("decoder.ipv4_in_ipv4"), 1);
	cr_expect_eq(count("event_type=anomaly anomaly.event=stream.reassembly_seq_gap"), 0);
}

/* IPv6 inside IPv4 (tunnel.proto IPv6). */
Test(corpus, bug_4571_04)
{
	run_case("bug-4571-04", "ipv6_over_ipv4.pcap", "bug-4571-04.yaml", midstream_conf);
	cr_expect_eq(count("alert.signature_id=1 proto=TCP "
			   "src_ip=2001:0db8:85a3:0000:0000:8a2e:0370:7334 "
			   "dest_ip=2001:0db8:85a3:0000:0000:8a2e:0370:7335 tunnel.src_ip=10.1.0.1 "
			   "tunnel.dest_ip=10.1.0.2 tunnel.proto=IPv6"),
		     1);
	cr_expect_eq(count("event_type=flow proto=TCP flow.alerted=true"), 1);
	cr_expect_eq(count("event_type=flow proto=IPv6 src_ip=10.1.0.1 dest_ip=10.1.0.2 "
			   "flow.alerted=false"),
		     1);
	cr_expect_eq(stat_int("decoder.ipv6_in_ipv4"), 1);
}

/* ICMP echo inside IP-in-IP: the inner rule alerts on every inner packet
 * (Suricata: once, then its drop verdict drops the flow); the outer rule
 * on every outer packet (both directions go to 10.0.0.0/8; Suricata's
 * IP-only rule once per direction of the outer flow), as a packet of its
 * own with proto IP-in-IP and an IP-in-IP flow. */
Test(corpus, bug_7725_01)
{
	run_case("bug-7725-01", "ip_in_ip.pcap", "bug-7725-01.yaml", NULL);
	cr_expect_eq(alerts(60000000), 6);
	cr_expect_eq(count("alert.signature_id=60000000 proto=IP-in-IP src_ip=10.0.0.94 "
			   "dest_ip=10.1.0.237 pkt_src=wire/pcap"),
		     3);
	cr_expect_eq(count("event_type=flow proto=IP-in-IP src_ip=10.0.0.94 dest_ip=10.1.0.237 "
			   "flow.alerted=true"),
		     1);
	cr_expect_eq(alerts(60000001), 6);
	cr_expect_eq(
		count("alert.signature_id=60000001 proto=ICMP src_ip=192.168.0.94 "
		      "dest_ip=192.168.0.237 tunnel.src_ip=10.0.0.94 tunnel.dest_ip=10.1.0.237 "
		      "tunnel.proto=IP-in-IP pkt_src=wire/pcap"),
		3);
	cr_expect_eq(count("event_type=flow proto=ICMP src_ip=192.168.0.94 flow.alerted=true"), 1);
}

/* ICMP echo in VXLAN: 4 alerts with tunnel.dest_port 4789 and one inner
 * ICMP flow of 4 + 4 packets, as Suricata; Suricata's 4 outer UDP flows
 * are not there (a UDP tunnel's outer datagrams are not inspected on
 * their own here, docs/tunnels.md). */
Test(corpus, vxlan_decoder_02)
{
	run_case("vxlan-decoder-02", "vxlan.pcap", "vxlan-decoder-02.yaml", NULL);
	cr_expect_eq(alerts(1), 4);
	cr_expect_eq(count("event_type=alert tunnel.dest_port=4789"), 4);
	cr_expect_eq(count("event_type=flow proto=ICMP flow.pkts_toserver=4 flow.pkts_toclient=4"),
		     1);
	cr_expect_eq(stat_int("decoder.vxlan"), 10);
}

/* ERSPAN type II mirroring a VLAN 23 ping: each rule twice with vlan[0]
 * 23, one established ICMP flow of 2 + 2 packets (bytes: ours count IP
 * bytes, 200 each way; Suricata counts the inner frames, 244). */
Test(corpus, decode_erspan_typeii_01)
{
	run_case("decode-erspan-typeII-01", "input.pcap", "decode-erspan-typeII-01.yaml", NULL);
	cr_expect_eq(count("alert.signature_id=2 src_ip=23.0.0.2 dest_ip=23.0.0.3 proto=ICMP "
			   "icmp_type=8 icmp_code=0 vlan.0=23"),
		     2);
	cr_expect_eq(count("alert.signature_id=1 src_ip=23.0.0.3 dest_ip=23.0.0.2 proto=ICMP "
			   "icmp_type=0 icmp_code=0 vlan.0=23"),
		     2);
	cr_expect_eq(
		count("event_type=flow dest_ip=23.0.0.3 flow.alerted=true flow.pkts_toclient=2 "
		      "flow.pkts_toserver=2 flow.reason=shutdown flow.state=established "
		      "vlan.0=23"),
		1);
	cr_expect_eq(stat_int("decoder.erspan"), 6);
}

/* A fuzzed MPLS pseudowire frame nesting Ethernet in MPLS over and over. */
Test(corpus, decode_too_many_layers)
{
	run_case("decode-too-many-layers", "input.pcap", "empty.yaml", NULL);
	cr_expect_eq(stat_int("decoder.event.decoder.too_many_layers"), 1);
	cr_expect_eq(count("event_type=anomaly anomaly.event=decoder.too_many_layers"), 1);
}

/* PPPoE session frames with a one-byte PPP protocol field carrying HTTP:
 * Suricata's check is its http record; ours, that the http plugin saw the
 * flow (app_proto) and that nothing was invalid. */
Test(corpus, bug_4810)
{
	run_case_with(app_conf, "bug-4810", "pppoe-session-http.pcap", "empty.yaml", NULL);
	cr_expect_eq(count("event_type=flow proto=TCP app_proto=http dest_port=80"), 1);
	cr_expect_eq(stat_int("decoder.pppoe"), 30);
	cr_expect_eq(stat_int("decoder.invalid"), 0);
}

/* IPv6 fragments on the PPP link type (the rule's dsize cannot be said):
 * the datagram is reassembled and its TCP flow seen. */
Test(corpus, defrag_bug_6887_defrag_ppp_ipv6_tcp)
{
	run_case("defrag/bug-6887-defrag-ppp-ipv6-tcp", "frag-ppp-ipv6-tcp.pcap", "empty.yaml",
		 NULL);
	cr_expect_eq(stat_int("defrag.ipv6.reassembled"), 1);
	cr_expect_eq(stat_int("decoder.ppp"), 3);
	cr_expect_eq(count("event_type=flow proto=TCP dest_port=8080"), 1);
}

/* A 64 KiB IPv4/UDP datagram in 1,024 fragments, each inside
 * Ethernet/IPv4/GRE/PPP: the inner fragments are reassembled (pkt_src
 * defrag) and keep their tunnel (whose own pkt_src is wire/pcap). */
Test(corpus, defrag_bug_6942_6887_defrag_eth_ip_gre_ppp_ip_udp_data)
{
	run_case("defrag/bug-6942-6887-defrag-eth-ip-gre-ppp-ip-udp-data",
		 "eth-ip-gre-ppp-max-ip-packet.pcap",
		 "bug-6942-6887-defrag-eth-ip-gre-ppp-ip-udp-data.yaml", NULL);
	cr_expect_eq(alerts(1), 1);
	cr_expect_eq(count("alert.signature_id=1 pkt_src=defrag src_ip=1.1.1.1 dest_ip=2.2.2.2 "
			   "tunnel.proto=GRE tunnel.src_ip=7.7.7.7 tunnel.pkt_src=wire/pcap"),
		     1);
	cr_expect_eq(stat_int("defrag.ipv4.reassembled"), 1);
	cr_expect_eq(stat_int("decoder.gre"), 1024);
	cr_expect_eq(stat_int("decoder.ppp"), 1024);
}

/* ------------------------------------------------------------ robustness */

#define MAX_PCAPS 256

static char *pcaps[MAX_PCAPS];
static size_t npcaps;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)sb;
	(void)ftw;
	if (type == FTW_F && n > 5 && strcmp(path + n - 5, ".pcap") == 0 && npcaps < MAX_PCAPS)
		pcaps[npcaps++] = strdup(path);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Packets in each large capture (MANIFEST.md); 0 for the others. */
static int64_t known_packets(const char *path)
{
	static const struct {
		const char *name;
		int64_t pkts;
	} known[] = {
		{"/ndpi-1kxun.pcap", 1723},
		{"/ppp-example.pcap", 4631},
		{"/ppp-http-packets.pcap", 1985},
		{"/ppp-ip-frag.pcap", 3000},
		{"/ppp-many-protocols.pcap", 4709},
		{"/ppp-tls2.pcap", 7451},
		{"/slips-test-cc-capture-1.pcap", 7931},
		{"/zeek-echo-connections.pcap", 82582},
	};
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t k = strlen(known[i].name);

		if (n >= k && strcmp(path + n - k, known[i].name) == 0)
			return known[i].pkts;
	}
	return 0;
}

/* One rule per buffer of the protocol plugins, matching any byte: each
 * parser's output is scanned on every capture. Ids 9000001 + index. */
static const char *const probe_buffers[] = {
	"http.method",	      "http.uri",    "http.uri.raw",	  "http.host",
	"http.user_agent",    "http.header", "http.request_body", "http.status",
	"http.response_body", "dns.query",   "dns.answer",	  "tls.sni",
	"tls.version",	      "tls.ja3",     "tls.ja3_string",	  "tls.ja4",
};
#define N_PROBES (sizeof(probe_buffers) / sizeof(probe_buffers[0]))

static size_t probe_hits[N_PROBES];

static void write_probes(void)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text), "rules:\n");

	for (size_t i = 0; i < N_PROBES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "  - {id: %zu, msg: probe, buffer: %s, patterns: [{regex: "
				      "'.'}]}\n",
				      9000001 + i, probe_buffers[i]);
	snprintf(t.rules, sizeof(t.rules), "%s/probes.yaml", t.dir);
	itest_rules(&t, text);
}

static void run_robust(const char *pcap)
{
	static char shipped[4][4096];
	static const char *const files[] = {"signature", "http", "dns", "tls"};
	int64_t want = known_packets(pcap), pkts;

	for (size_t i = 0; i < 4; i++)
		snprintf(shipped[i], sizeof(shipped[i]), "%s/rules/%s.yaml", SOURCE_DIR, files[i]);
	snprintf(t.pcap, sizeof(t.pcap), "%s", pcap);
	cr_expect_eq(itest_run(&t, "-S", shipped[0], "-S", shipped[1], "-S", shipped[2], "-S",
			       shipped[3], NULL),
		     0, "%s: exit %d: %s", pcap, t.res.status, t.res.err);
	cr_expect_null(strstr(t.res.err, "Sanitizer"), "%s: %s", pcap, t.res.err);
	cr_expect_null(strstr(t.res.err, "runtime error"), "%s: %s", pcap, t.res.err);
	cr_expect_gt(t.eve.n, 0, "%s: no eve.json", pcap);
	cr_expect_eq(t.eve.bad_lines, 0, "%s: invalid eve.json lines", pcap);
	cr_expect_eq(count("event_type=stats"), 1, "%s: stats record", pcap);
	pkts = stat_int("decoder.pkts");
	if (want)
		cr_expect_eq(pkts, want, "%s: %lld packets", pcap, (long long)pkts);
	else
		cr_expect_gt(pkts, 0, "%s: no packets", pcap);
	for (size_t i = 0; i < N_PROBES; i++)
		probe_hits[i] += alerts((unsigned)(9000001 + i));
}

/* ------------------------------------------------ rule language v2 patterns */

/* content "AllWorkAndNoPlayMakesWill" then "DullBoy" with distance 1,
 * within 7: Suricata writes 2 alerts (run with -k none: the capture's
 * checksums are not all good, and checksum-validation auto keeps
 * validating). */
Test(corpus, alert_distance_within_1)
{
	run_case("alert-distance-within-1", "input.pcap", "alert-distance-within-1.yaml",
		 "stream: {checksum-validation: no}\n");
	cr_expect_eq(count("event_type=alert"), 2);
	cr_expect_eq(alerts(2), 2);
}

/* distance/within with endswith on a 35-byte payload: one alert. */
Test(corpus, bug_docs_5030_01)
{
	run_case("bug-docs-5030-01", "35_bytes.pcap", "bug-docs-5030-01.yaml", NULL);
	cr_expect_eq(alerts(1), 1);
}

/* A byte_extract variable as distance of a negated content and of a later
 * one, and a negative distance: both rules alert once. */
Test(corpus, bug_7390)
{
	run_case("bug-7390", "input.pcap", "bug-7390.yaml", NULL);
	cr_expect_eq(alerts(1), 1);
	cr_expect_eq(alerts(2), 1);
}

/* Long relative chains over SMB2 (depth, distance/within, fast_pattern,
 * pcre /R): each of the seven rules alerts twice, as Suricata 8 does. */
Test(corpus, bug_5162)
{
	run_case("bug-5162", "input.pcap", "bug-5162.yaml", NULL);
	for (unsigned sid = 1; sid <= 7; sid++)
		cr_expect_eq(alerts(sid), 2, "sid %u", sid);
	cr_expect_eq(count("event_type=alert"), 14);
}

/* endswith on TCP data with trailing bytes: AAA ends the data, DDD not. */
Test(corpus, tcp_5379)
{
	run_case("tcp-5379", "input.pcap", "tcp-5379.yaml", NULL);
	cr_expect_eq(alerts(1), 1);
	cr_expect_eq(alerts(2), 0);
}

/* Every capture with every plugin of the shipped configuration, its shipped
 * rules and a probe on each buffer: each parser meets its protocol
 * somewhere in the corpus (the probes fire) and nothing breaks. */
Test(corpus, every_capture_runs_clean)
{
	need_corpus();
	itest_config(&t, robust_conf);
	write_probes();
	npcaps = 0;
	cr_assert_eq(nftw(CORPUS_DIR, collect, 16, 0) /* follows a linked corpus folder */, 0);
	qsort(pcaps, npcaps, sizeof(pcaps[0]), by_name);
	cr_expect_gt(npcaps, 0, "no capture found under %s", CORPUS_DIR);
	memset(probe_hits, 0, sizeof(probe_hits));
	for (size_t i = 0; i < npcaps; i++) {
		run_robust(pcaps[i]);
		free(pcaps[i]);
	}
	for (size_t i = 0; i < N_PROBES; i++)
		cr_expect_gt(probe_hits[i], 0, "buffer %s never scanned", probe_buffers[i]);
}
