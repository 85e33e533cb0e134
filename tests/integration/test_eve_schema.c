/*
 * test_eve_schema.c - every record the sensor writes for the shipped
 * capture and the corpus captures (pcaps/ and the suricata-verify cases')
 * validates against Suricata 8's EVE JSON
 * schema (etc/schema.json of Suricata's source tree; not in this
 * repository: it is Suricata's file). The schema is read from
 * $SENSOR_EVE_SCHEMA, default /work/ref/suricata-eve-schema.json; the test
 * is skipped with a message when it is absent or python3-jsonschema is not
 * installed. tests/tools/validate_eve.py does the checking; counters of
 * our own in stats records are not errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

#define VALIDATOR SOURCE_DIR "/tests/tools/validate_eve.py"

/* Every option that adds fields is on. */
static const char schema_conf[] =
	"sensor-name: tap-7\n"
	"outputs: {eve: {payload: true, payload-printable: true, packet: true,\n"
	"                types: [alert, anomaly, flow, stats, http, dns, tls]}}\n"
	"plugins:\n"
	"  - {name: signature, rules: [" SOURCE_DIR "/rules/signature.yaml]}\n"
	"  - {name: http, rules: [" SOURCE_DIR "/rules/http.yaml], options: {log-headers: true}}\n"
	"  - {name: dns, rules: [" SOURCE_DIR "/rules/dns.yaml]}\n"
	"  - {name: tls, rules: [" SOURCE_DIR "/rules/tls.yaml]}\n"
	"  - {name: portscan, options: {ports: 20, hosts: 20, window: 60}}\n";

static const char *schema_path(void)
{
	const char *env = getenv("SENSOR_EVE_SCHEMA");

	return env && env[0] ? env : "/work/ref/suricata-eve-schema.json";
}

static const char *corpus_dir(void)
{
	const char *env = getenv("SENSOR_CORPUS_DIR");

	return env && env[0] ? env : CORPUS_DIR;
}

static void need_schema(void)
{
	if (access(schema_path(), R_OK) != 0)
		cr_skip_test("Suricata's EVE schema not found at %s (set SENSOR_EVE_SCHEMA): "
			     "skipped",
			     schema_path());
	if (system("python3 -c 'import jsonschema' >/dev/null 2>&1") != 0)
		cr_skip_test("python3-jsonschema is not installed: skipped");
}

/* Run the sensor on `pcap`, validate its eve.json; returns the number of
 * records checked. */
static long validate(const char *pcap)
{
	struct itest t;
	char cmd[8192], line[1024], last[1024] = "";
	long records = -1, errors = -1;
	FILE *out;

	itest_begin(&t, SENSOR_BIN, "schema");
	itest_config(&t, schema_conf);
	const char *argv[] = {SENSOR_BIN, "-c", t.conf, "-r", pcap, "-l", t.dir, NULL};
	run_cmd(&t.res, argv);
	cr_assert_eq(t.res.status, 0, "sensor failed on %s: %s", pcap, t.res.err);
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s' '%s' 2>&1", VALIDATOR, schema_path(),
		 t.eve_path);
	out = popen(cmd, "r");
	cr_assert_not_null(out);
	while (fgets(line, sizeof(line), out)) {
		if (sscanf(line, "%ld records, %ld errors", &records, &errors) == 2)
			continue;
		cr_expect_fail("%s: %s", pcap, line); /* one record that does not validate */
		snprintf(last, sizeof(last), "%s", line);
	}
	cr_expect_eq(pclose(out), 0, "validator failed on %s: %s", pcap, last);
	cr_expect_eq(errors, 0, "%s", pcap);
	itest_end(&t);
	return records;
}

Test(eve_schema, sample_capture_records_validate)
{
	need_schema();
	cr_expect_gt(validate(SOURCE_DIR "/tests/data/sample.pcap"), 30);
}

Test(eve_schema, corpus_capture_records_validate, .timeout = 900)
{
	char dir[4096], cmd[8300], path[4096];
	long total = 0;
	FILE *ls;

	need_schema();
	snprintf(dir, sizeof(dir), "%s/pcaps", corpus_dir());
	if (access(dir, R_OK) != 0)
		cr_skip_test("corpus not present at %s: skipped", dir);
	/* the real captures, and the suricata-verify cases' captures */
	snprintf(cmd, sizeof(cmd),
		 "find %s %s/../suricata-verify -name '*.pcap' -o -name '*.pcapng' 2>/dev/null | "
		 "sort",
		 dir, dir);
	ls = popen(cmd, "r");
	cr_assert_not_null(ls);
	while (fgets(path, sizeof(path), ls)) {
		path[strcspn(path, "\n")] = '\0';
		total += validate(path);
	}
	pclose(ls);
	cr_expect_gt(total, 10000);
}
