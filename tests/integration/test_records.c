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

/* The corpus: $SENSOR_CORPUS_DIR, else CORPUS_DIR (../shared/corpus). */
static const char *corpus_dir(void)
{
	const char *env = getenv("SENSOR_CORPUS_DIR");

	return env && env[0] ? env : CORPUS_DIR;
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
