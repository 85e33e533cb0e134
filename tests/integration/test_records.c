/*
 * test_records.c - what every record says (issue 9, records): `host` from
 * sensor-name, `community_id` (checked against tshark's Community ID
 * dissector when tshark is installed, and against values it gave for the
 * shipped capture), the `flow` object of alerts, and the same fields on
 * the corpus captures.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

#define SAMPLE SOURCE_DIR "/tests/data/sample.pcap"

/* %s: more keys of outputs.eve (", key: value"). */
static const char records_conf[] =
	"sensor-name: tap-7\n"
	"outputs: {eve: {types: [alert, anomaly, flow, stats, http, dns, tls]%s}}\n"
	"plugins:\n"
	"  - {name: signature, rules: [" SOURCE_DIR "/rules/signature.yaml]}\n"
	"  - {name: http, rules: [" SOURCE_DIR "/rules/http.yaml]}\n"
	"  - {name: dns, rules: [" SOURCE_DIR "/rules/dns.yaml]}\n"
	"  - {name: tls, rules: [" SOURCE_DIR "/rules/tls.yaml]}\n"
	"  - {name: portscan, options: {ports: 20, hosts: 20, window: 60}}\n";

/* Run the sensor with records_conf (`eve_keys` added to outputs.eve) on
 * `pcap`. */
static void run_on(struct itest *t, const char *pcap, const char *eve_keys)
{
	char conf[4096];

	itest_begin(t, SENSOR_BIN, "records");
	snprintf(conf, sizeof(conf), records_conf, eve_keys ? eve_keys : "");
	itest_config(t, conf);
	const char *argv[] = {SENSOR_BIN, "-c", t->conf, "-r", pcap, "-l", t->dir, NULL};
	run_cmd(&t->res, argv);
	cr_assert_eq(t->res.status, 0, "sensor failed: %s", t->res.err);
	cr_assert_eq(eve_load(&t->eve, t->eve_path), 0);
	cr_assert_eq(t->eve.bad_lines, 0);
}

static bool has_ports_or_icmp(const char *proto)
{
	return proto && (!strcmp(proto, "TCP") || !strcmp(proto, "UDP") || !strcmp(proto, "SCTP") ||
			 !strcmp(proto, "ICMP") || !strcmp(proto, "IPv6-ICMP"));
}

/* The corpus: $SENSOR_CORPUS_DIR, else CORPUS_DIR (../shared/corpus). */
static const char *corpus_dir(void)
{
	const char *env = getenv("SENSOR_CORPUS_DIR");

	return env && env[0] ? env : CORPUS_DIR;
}

Test(records, host_in_every_record_and_community_id_where_defined)
{
	struct itest t;
	size_t with_id = 0;

	run_on(&t, SAMPLE, NULL);
	cr_assert_gt(t.eve.n, 20);
	for (size_t i = 0; i < t.eve.n; i++) {
		const struct jr_val *r = t.eve.recs[i];
		const char *proto = jr_str(r, "proto");

		cr_expect_str_eq(jr_str(r, "host"), "tap-7", "record %zu", i);
		if (has_ports_or_icmp(proto)) {
			cr_expect_not_null(jr_str(r, "community_id"), "record %zu", i);
			with_id++;
		} else {
			cr_expect_null(jr_str(r, "community_id"), "record %zu", i);
		}
	}
	cr_expect_gt(with_id, 20);
	itest_end(&t);
}

/* Values tshark 4.0's Community ID dissector gives for these frames. */
Test(records, community_id_of_sample_alerts_as_tshark)
{
	struct itest t;
	const struct jr_val *a;

	run_on(&t, SAMPLE, NULL);
	a = eve_find(&t.eve, "alert.signature_id=2100498", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "community_id"), "1:dmeprBEEWqwdWxcwJkcm6Cs70oE=");
	a = eve_find(&t.eve, "alert.signature_id=2008187", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "community_id"), "1:g7Eb1aK5suypQb5QWB1/5GBytdU=");
	a = eve_find(&t.eve, "alert.signature_id=2100005", 0); /* ICMP echo */
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "community_id"), "1:M8bR9dvvZ6fZ2Iz14cJiFvlBvCw=");
	a = eve_find(&t.eve, "event_type=flow proto=ICMP", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "community_id"), "1:M8bR9dvvZ6fZ2Iz14cJiFvlBvCw=");
	itest_end(&t);
}

/* The alert's `flow` object: the flow as it stood when the alert was raised
 * (the response of frame 14 reaches the stream once frame 15 acknowledged
 * it: 4 packets to the server, 2 to the client). */
Test(records, alert_flow_object)
{
	struct itest t;
	const struct jr_val *a;

	run_on(&t, SAMPLE, NULL);
	a = eve_find(&t.eve, "alert.signature_id=2100498", 0);
	cr_assert_not_null(a);
	cr_expect_eq(jr_int(a, "flow.pkts_toserver", -1), 4);
	cr_expect_eq(jr_int(a, "flow.pkts_toclient", -1), 2);
	cr_expect_eq(jr_int(a, "flow.bytes_toserver", -1), 216);
	cr_expect_eq(jr_int(a, "flow.bytes_toclient", -1), 158);
	cr_expect_str_eq(jr_str(a, "flow.start"), "2026-11-18T11:06:40.009000+0000");
	a = eve_find(&t.eve, "alert.signature_id=2100005", 0);
	cr_assert_not_null(a);
	cr_expect_eq(jr_int(a, "flow.pkts_toserver", -1), 1);
	cr_expect_eq(jr_int(a, "flow.pkts_toclient", -1), 0);
	cr_expect_eq(jr_int(a, "flow.bytes_toserver", -1), 84);
	itest_end(&t);
}

Test(records, community_id_off_and_seeded)
{
	struct itest t;
	const struct jr_val *a;

	run_on(&t, SAMPLE, ", community-id: false");
	cr_assert_gt(t.eve.n, 0);
	for (size_t i = 0; i < t.eve.n; i++)
		cr_expect_null(jr_get(t.eve.recs[i], "community_id"));
	itest_end(&t);
	/* Seed 1: what `tshark -o communityid.seed:1` gives for frame 14. */
	run_on(&t, SAMPLE, ", community-id-seed: 1");
	a = eve_find(&t.eve, "alert.signature_id=2100498", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "community_id"), "1:fpYCKYgT2xVnW4s3/VfOJwyH8Ec=");
	itest_end(&t);
}

/* tshark's Community ID of every frame of `pcap` (index: frame number),
 * or NULL when tshark is not installed. */
static char **tshark_ids(const char *pcap, size_t *n)
{
	char cmd[4096], line[256];
	char **ids = NULL;
	FILE *f;

	*n = 0;
	if (system("command -v tshark >/dev/null 2>&1") != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd),
		 "tshark -r '%s' --enable-protocol communityid -T fields -e frame.number "
		 "-e communityid 2>/dev/null",
		 pcap);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		size_t num = strtoul(line, NULL, 10);

		if (!tab || num == 0)
			continue;
		tab[strcspn(tab, "\r\n")] = '\0';
		if (num >= *n) {
			char **grown = realloc(ids, (num + 1024) * sizeof(*ids));

			cr_assert_not_null(grown);
			memset(grown + *n, 0, (num + 1024 - *n) * sizeof(*ids));
			ids = grown;
			*n = num + 1024;
		}
		ids[num] = strdup(tab + 1);
	}
	pclose(f);
	return ids;
}

/* Every record of `pcap` naming a frame (pcap_cnt) of a flow with ports or
 * ICMP has tshark's community_id for that frame; returns how many were
 * compared. Records of tunnelled or fragmented frames, which tshark hashes
 * on another layer, are left out. */
static size_t compare_with_tshark(const char *pcap)
{
	struct itest t;
	size_t n = 0, checked = 0;
	char **ids = tshark_ids(pcap, &n);

	if (!ids)
		return 0;
	run_on(&t, pcap, NULL);
	for (size_t i = 0; i < t.eve.n; i++) {
		const struct jr_val *r = t.eve.recs[i];
		int64_t cnt = jr_int(r, "pcap_cnt", 0);
		const char *mine = jr_str(r, "community_id"), *src = jr_str(r, "pkt_src");

		if (!mine || cnt <= 0 || (size_t)cnt >= n || !ids[cnt] || !ids[cnt][0])
			continue;
		if (src && strcmp(src, "wire/pcap") != 0 && strcmp(src, "stream") != 0)
			continue;
		if (strchr(ids[cnt], ','))
			continue; /* tunnelled: one id per layer */
		cr_expect_str_eq(mine, ids[cnt], "%s frame %lld", pcap, (long long)cnt);
		checked++;
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	itest_end(&t);
	return checked;
}

Test(records, community_id_matches_tshark_on_sample)
{
	if (system("command -v tshark >/dev/null 2>&1") != 0)
		cr_skip_test("tshark is not installed");
	cr_expect_gt(compare_with_tshark(SAMPLE), 10);
}

Test(records, community_id_matches_tshark_on_corpus, .timeout = 600)
{
	char cmd[4200], path[4096];
	size_t files = 0, checked = 0;
	FILE *ls;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		cr_skip_test("tshark is not installed");
	snprintf(path, sizeof(path), "%s/pcaps", corpus_dir());
	if (access(path, R_OK) != 0)
		cr_skip_test("corpus not present at %s", path);
	snprintf(cmd, sizeof(cmd), "ls %s/*.pcap 2>/dev/null", path);
	ls = popen(cmd, "r");
	cr_assert_not_null(ls);
	while (fgets(path, sizeof(path), ls)) {
		path[strcspn(path, "\n")] = '\0';
		checked += compare_with_tshark(path);
		files++;
	}
	pclose(ls);
	cr_expect_gt(files, 0);
	cr_expect_gt(checked, 100);
}

/* ------------------------------------------------------ protocol records */

Test(records, http_record_of_the_sample)
{
	struct itest t;
	const struct jr_val *r;

	run_on(&t, SAMPLE, NULL);
	cr_expect_eq(eve_count(&t.eve, "event_type=http"), 5);
	r = eve_find(&t.eve, "event_type=http http.url=/cgi-bin/id.cgi", 0);
	cr_assert_not_null(r);
	/* the client to the server, whichever packet wrote it */
	cr_expect_str_eq(jr_str(r, "src_ip"), "198.18.0.10");
	cr_expect_eq(jr_int(r, "src_port", 0), 49153);
	cr_expect_str_eq(jr_str(r, "dest_ip"), "198.18.1.80");
	cr_expect_eq(jr_int(r, "dest_port", 0), 80);
	cr_expect_str_eq(jr_str(r, "proto"), "TCP");
	cr_expect_str_eq(jr_str(r, "community_id"), "1:dmeprBEEWqwdWxcwJkcm6Cs70oE=");
	cr_expect_str_eq(jr_str(r, "host"), "tap-7");
	cr_expect_eq(jr_int(r, "tx_id", -1), 0);
	cr_expect_str_eq(jr_str(r, "http.hostname"), "intranet.example");
	cr_expect_str_eq(jr_str(r, "http.http_method"), "GET");
	cr_expect_str_eq(jr_str(r, "http.protocol"), "HTTP/1.1");
	cr_expect_eq(jr_int(r, "http.status", 0), 200);
	cr_expect_eq(jr_int(r, "http.length", -1), 39);
	cr_expect_null(jr_get(r, "http.request_headers"));
	/* its alert names the same transaction */
	r = eve_find(&t.eve, "alert.signature_id=2100498", 0);
	cr_assert_not_null(r);
	cr_expect_null(jr_get(r, "tx_id")); /* a stream rule: no transaction */
	r = eve_find(&t.eve, "alert.signature_id=3100003", 0);
	cr_assert_not_null(r);
	cr_expect_eq(jr_int(r, "tx_id", -1), 0);
	itest_end(&t);
}

Test(records, dns_record_of_the_sample)
{
	struct itest t;
	const struct jr_val *r;

	run_on(&t, SAMPLE, NULL);
	r = eve_find(&t.eve, "event_type=dns dns.queries.0.rrname=pool.supportxmr.com", 0);
	cr_assert_not_null(r);
	cr_expect_str_eq(jr_str(r, "proto"), "UDP");
	cr_expect_eq(jr_int(r, "dest_port", 0), 53);
	cr_expect_eq(jr_int(r, "tx_id", -1), 0);
	cr_expect_eq(jr_int(r, "dns.version", 0), 3);
	cr_expect_str_eq(jr_str(r, "dns.type"), "request");
	cr_expect_eq(jr_int(r, "dns.id", -1), 3);
	cr_expect_str_eq(jr_str(r, "dns.flags"), "100");
	cr_expect_str_eq(jr_text(jr_get(r, "dns.rd")), "true");
	cr_expect_str_eq(jr_str(r, "dns.rcode"), "NOERROR");
	cr_expect_str_eq(jr_str(r, "dns.queries.0.rrtype"), "A");
	cr_expect_null(jr_get(r, "dns.answers"));
	/* the alert on it carries the same object, dns.version included */
	r = eve_find(&t.eve, "event_type=alert dns.queries.0.rrname=pool.supportxmr.com", 0);
	cr_assert_not_null(r);
	cr_expect_eq(jr_int(r, "dns.version", 0), 3);
	cr_expect_eq(jr_int(r, "tx_id", -1), 0);
	itest_end(&t);
}

Test(records, types_switch_protocol_records_off)
{
	struct itest t;

	itest_begin(&t, SENSOR_BIN, "records");
	itest_config(&t, "outputs: {eve: {types: [alert, flow]}}\n"
			 "plugins:\n"
			 "  - {name: http, rules: [" SOURCE_DIR "/rules/http.yaml]}\n"
			 "  - {name: dns, rules: [" SOURCE_DIR "/rules/dns.yaml]}\n"
			 "  - {name: tls, rules: [" SOURCE_DIR "/rules/tls.yaml]}\n");
	const char *argv[] = {SENSOR_BIN, "-c", t.conf, "-r", SAMPLE, "-l", t.dir, NULL};
	run_cmd(&t.res, argv);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_eq(eve_load(&t.eve, t.eve_path), 0);
	cr_expect_gt(eve_count(&t.eve, "event_type=alert"), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=http"), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=dns"), 0);
	cr_expect_eq(eve_count(&t.eve, "event_type=tls"), 0);
	itest_end(&t);
}

Test(records, http_headers_with_log_headers)
{
	struct itest t;
	const struct jr_val *r;

	itest_begin(&t, SENSOR_BIN, "records");
	itest_config(&t, "allow-no-rules: true\n"
			 "plugins:\n"
			 "  - {name: http, options: {log-headers: true}}\n");
	const char *argv[] = {SENSOR_BIN, "-c", t.conf, "-r", SAMPLE, "-l", t.dir, NULL};
	run_cmd(&t.res, argv);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_eq(eve_load(&t.eve, t.eve_path), 0);
	r = eve_find(&t.eve, "event_type=http http.url=/cgi-bin/id.cgi", 0);
	cr_assert_not_null(r);
	cr_expect_str_eq(jr_str(r, "http.request_headers.0.name"), "Host");
	cr_expect_str_eq(jr_str(r, "http.request_headers.0.value"), "intranet.example");
	cr_expect_str_eq(jr_str(r, "http.response_headers.0.name"), "Content-Length");
	cr_expect_str_eq(jr_str(r, "http.response_headers.0.value"), "39");
	itest_end(&t);
}

/* A corpus capture, or skip. */
static const char *corpus_pcap(const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/pcaps/%s", corpus_dir(), name);
	if (access(buf, R_OK) != 0)
		return NULL;
	return buf;
}

/* Values checked with tshark 4.0 (tls.handshake.ja3, ja3s, ja3s_full,
 * http.content_type, http.content_length, dns.a). */
Test(records, tls_http_dns_records_of_corpus_captures, .timeout = 120)
{
	char path[4096];
	struct itest t;
	const struct jr_val *r;

	if (!corpus_pcap("slips-test-cc-capture-1.pcap", path, sizeof(path)))
		cr_skip_test("corpus not present at %s", corpus_dir());
	run_on(&t, path, NULL);
	cr_expect_eq(eve_count(&t.eve, "event_type=tls"), 299); /* 299 ServerHellos */
	r = eve_find(&t.eve, "event_type=tls src_port=39210", 0);
	cr_assert_not_null(r);
	cr_expect_str_eq(jr_str(r, "dest_ip"), "141.193.213.21");
	cr_expect_eq(jr_int(r, "dest_port", 0), 443);
	cr_expect_eq(jr_int(r, "tx_id", -1), 0);
	cr_expect_str_eq(jr_str(r, "tls.sni"), "testing.com");
	cr_expect_str_eq(jr_str(r, "tls.version"), "TLS 1.3");
	cr_expect_str_eq(jr_str(r, "tls.ja3.hash"), "f436b9416f37d134cadd04886327d3e8");
	cr_expect_str_eq(jr_str(r, "tls.ja3s.hash"), "907bf3ecef1c987c889946b737b43de8");
	cr_expect_str_eq(jr_str(r, "tls.ja3s.string"), "771,4866,51-43");
	cr_expect_str_eq(jr_str(r, "tls.ja4"), "t13d3113h2_e8f1e7e78f70_ce5650b735ce");
	itest_end(&t);

	if (!corpus_pcap("ppp-example.pcap", path, sizeof(path)))
		return;
	run_on(&t, path, NULL);
	r = eve_find(&t.eve, "event_type=http http.url=/home/0,7340,L-8,00.html", 0);
	cr_assert_not_null(r);
	cr_expect_eq(jr_int(r, "tx_id", -1), 1);
	cr_expect_str_eq(jr_str(r, "http.hostname"), "www.ynet.co.il");
	cr_expect_str_eq(jr_str(r, "http.http_content_type"), "text/html");
	cr_expect_eq(jr_int(r, "http.status", 0), 200);
	cr_expect_eq(jr_int(r, "http.length", 0), 94527);
	r = eve_find(&t.eve, "event_type=dns dns.type=response dns.id=14631", 0);
	cr_assert_not_null(r);
	cr_expect_str_eq(jr_str(r, "dns.queries.0.rrname"), "daisy.ubuntu.com");
	cr_expect_str_eq(jr_str(r, "dns.answers.0.rdata"), "91.189.95.54");
	cr_expect_eq(jr_int(r, "dns.answers.0.ttl", 0), 68);
	cr_expect_str_eq(jr_str(r, "dns.grouped.A.1"), "91.189.95.55");
	itest_end(&t);
}

/* ------------------------------------------------------ plugin counters */

/* plugins.NAME.COUNTER of the stats record: in the totals and summed over
 * the workers' objects, the same. */
Test(records, plugin_counters_in_stats_totals_and_threads)
{
	static const char *const keys[] = {
		"plugins.http.requests",     "plugins.http.records",	  "plugins.http.not_http",
		"plugins.dns.messages",	     "plugins.dns.queries",	  "plugins.dns.records",
		"plugins.tls.client_hellos", "plugins.tls.server_hellos", "plugins.tls.records",
		"plugins.portscan.packets",  "plugins.portscan.sources"};
	/* portscan sources: per worker, and one scanner's flows go to both
	 * workers (the flow hash takes the ports), so 6 over 5 hosts */
	static const int64_t want[] = {5, 5, 3, 3, 3, 3, 1, 1, 1, 12, 6};
	struct itest t;
	const struct jr_val *st;
	char key[128];

	char conf[4096];

	itest_begin(&t, SENSOR_BIN, "records");
	snprintf(conf, sizeof(conf), records_conf, "");
	itest_config(&t, conf);
	const char *argv[] = {SENSOR_BIN, "-c",	 t.conf,      "-r", SAMPLE,
			      "-l",	  t.dir, "--threads", "2",  NULL};
	run_cmd(&t.res, argv);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_eq(eve_load(&t.eve, t.eve_path), 0);
	st = eve_find(&t.eve, "event_type=stats", 0);
	cr_assert_not_null(st);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int64_t sum = 0;

		snprintf(key, sizeof(key), "stats.%s", keys[i]);
		cr_expect_eq(jr_int(st, key, -1), want[i], "%s", key);
		for (int w = 1; w <= 2; w++) {
			snprintf(key, sizeof(key), "stats.threads.W#%02d.%s", w, keys[i]);
			sum += jr_int(st, key, -1000);
		}
		cr_expect_eq(sum, want[i], "%s summed over the workers", keys[i]);
	}
	cr_expect_eq(jr_int(st, "stats.plugins.dns.error_short", -1), 0);
	cr_expect_eq(jr_int(st, "stats.plugins.http.error_gap", -1), 0);
	cr_expect_null(jr_get(st, "stats.plugins.signature")); /* registers none */
	itest_end(&t);
}
