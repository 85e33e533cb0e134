/*
 * test_deploy.c - what an operator sees: `--list-plugins`,
 * `--list-buffers`, `--dump-config` (read back to the same
 * configuration), the start-up summary at the default level and
 * timestamps on every log line, written to the log file the config names.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "deploy");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(deploy, .init = begin, .fini = end, .timeout = 60);

static const char rules[] =
	"rules:\n"
	"  - {id: 7, msg: mark, proto: udp, patterns: [{content: UDPMARK}]}\n"
	"  - {id: 8, msg: uri, buffer: http.uri, patterns: [{content: /admin}]}\n";

static void config(const char *extra)
{
	static char conf[16384];

	snprintf(
		conf, sizeof(conf),
		"%splugins:\n  - name: signature\n  - name: http\n    options: {body-limit: 4096}\n"
		"rule-files: [%s]\n",
		extra, t.rules);
	itest_rules(&t, rules);
	itest_config(&t, conf);
}

Test(deploy, list_plugins_and_buffers)
{
	config("");
	run_sensor(&t.res, SENSOR_BIN, "--list-plugins", "-c", t.conf, NULL);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.out, "signature "), "%s", t.res.out);
	cr_assert_not_null(strstr(t.res.out, "  rules: 1, buffers: 0\n"), "%s", t.res.out);
	cr_assert_not_null(
		strstr(t.res.out, "  option body-limit (int, default 65536, 0..16777216)"), "%s",
		t.res.out);
	run_sensor(&t.res, SENSOR_BIN, "--list-buffers", "-c", t.conf, NULL);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.out, "http.uri                 http       "), "%s",
			   t.res.out);
}

Test(deploy, dump_config_reads_back_to_the_same_configuration)
{
	char dumped[4200];
	FILE *f;

	config("threads: 3\noutputs:\n  - eve: {name: a, filename: a.json, types: [alert],"
	       " limit: 1mb}\n  - eve: {name: r, sink: redis, redis: {mode: xadd, key: k}}\n");
	run_sensor(&t.res, SENSOR_BIN, "--dump-config", "-c", t.conf, NULL);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.out, "threads: 3\n"), "%s", t.res.out);
	cr_assert_not_null(strstr(t.res.out, "      types: [\"alert\"]\n      queue-size: 4194304\n"
					     "      filename: \"a.json\"\n      limit: 1048576\n"),
			   "%s", t.res.out);
	cr_assert_not_null(strstr(t.res.out, "        mode: xadd\n        key: \"k\"\n"), "%s",
			   t.res.out);
	cr_assert_not_null(strstr(t.res.out, "  - name: \"http\"\n"), "%s", t.res.out);
	snprintf(dumped, sizeof(dumped), "%s/dumped.yaml", t.dir);
	f = fopen(dumped, "w");
	cr_assert_not_null(f);
	fputs(t.res.out, f);
	fclose(f);
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", dumped, NULL);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	cr_assert_str_eq(t.res.out,
			 "configuration OK: 2 rules; rules per plugin: signature=1 http=1\n");
}

Test(deploy, startup_summary_and_timestamps_in_the_log_file)
{
	char extra[4300], *log, *line, *save;
	regex_t re;
	int lines = 0;
	struct pcapgen *g;

	snprintf(extra, sizeof(extra), "logging: {file: %s/sensor.log}\n", t.dir);
	config(extra);
	g = itest_capture(&t, 1);
	pg_udp(g, "198.18.0.2", 40000, "198.18.0.53", 53, "UDPMARK", 7);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 7), 1);
	log = NULL;
	{
		FILE *f = fopen(test_path(t.dir, "sensor.log"), "r");
		size_t cap = 0;
		ssize_t n;

		cr_assert_not_null(f, "no log file");
		n = getdelim(&log, &cap, '\0', f);
		fclose(f);
		cr_assert_gt(n, 0);
	}
	cr_assert_not_null(strstr(log, "sensor: notice: sensor "), "%s", log);
	cr_assert_not_null(strstr(log, "configuration /"), "%s", log);
	cr_assert_not_null(strstr(log, "sensor: notice: plugin signature "), "%s", log);
	cr_assert_not_null(strstr(log, ": 1 rules loaded, 0 failed\n"), "%s", log);
	cr_assert_not_null(strstr(log, "sensor: notice: input: capture file "), "%s", log);
	cr_assert_not_null(strstr(log, "sensor: notice: output eve: file "), "%s", log);
	cr_assert_not_null(strstr(log, "sensor: notice: running as "), "%s", log);
	cr_assert_eq(regcomp(&re,
			     "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}"
			     "[+-][0-9]{4} sensor: (notice|error|warning|info|debug): ",
			     REG_EXTENDED | REG_NOSUB),
		     0);
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cr_assert_eq(regexec(&re, line, 0, NULL, 0), 0, "no timestamp: %s", line);
		lines++;
	}
	cr_assert_geq(lines, 6);
	regfree(&re);
	free(log);
	/* Nothing of that on stderr: the log file replaces it. */
	cr_assert_null(strstr(t.res.err, "notice"), "%s", t.res.err);
}
