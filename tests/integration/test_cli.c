/*
 * test_cli.c - the command line, -T, and every bad input of set-up: each
 * gets a message naming the file (and line and column where there is one)
 * and exit status 1, never a crash.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "cli");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(cli, .init = begin, .fini = end);

/* stderr of the last run contains `text`. */
static void expect_err(const char *text)
{
	cr_expect(strstr(t.res.err, text) != NULL, "expected in stderr: %s\n--- got:\n%s", text,
		  t.res.err);
}

static void run_test_mode(void)
{
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
}

Test(cli, version_and_help)
{
	run_sensor(&t.res, SENSOR_BIN, "-V", NULL);
	cr_expect_eq(t.res.status, 0);
	cr_expect(strncmp(t.res.out, "sensor 0.1.0 (plugin ABI 1.", 27) == 0, "%s", t.res.out);
	run_result_free(&t.res);
	run_sensor(&t.res, SENSOR_BIN, "-h", NULL);
	cr_expect_eq(t.res.status, 0);
	cr_expect(strstr(t.res.out, "usage: sensor -r FILE") != NULL);
}

Test(cli, nothing_to_do_and_bad_threads)
{
	run_sensor(&t.res, SENSOR_BIN, NULL);
	cr_expect_eq(t.res.status, 1);
	expect_err("nothing to do");
	run_result_free(&t.res);
	run_sensor(&t.res, SENSOR_BIN, "-r", "x.pcap", "--threads", "0", NULL);
	cr_expect_eq(t.res.status, 1);
	expect_err("--threads takes a number from 1 to 1024, not '0'");
}

Test(cli, test_mode_on_shipped_config)
{
	run_sensor(&t.res, SENSOR_BIN, "-T", NULL);
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out,
			 "configuration OK: 37 rules; rules per plugin: signature=7 http=9 "
			 "dns=9 tls=7 ssh=5 portscan=0\n");
}

Test(cli, test_mode_with_rules_from_the_command_line)
{
	itest_rules(&t, "rules:\n"
			"  - id: 10\n    msg: a\n    patterns: [{content: abc}]\n"
			"  - id: 11\n    msg: b\n    patterns: [{regex: 'a[0-9]+b'}]\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out, "configuration OK: 2 rules; rules per plugin: signature=2\n");
}

Test(cli, unknown_config_key_names_file_line_column)
{
	char want[4200];

	itest_config(&t, "threads: 1\nlog-dri: /tmp\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	snprintf(want, sizeof(want), "%s:2:1: error: unknown key 'log-dri'", t.conf);
	expect_err(want);
	expect_err("log-dir");
}

Test(cli, wrong_type_in_config)
{
	char want[4200];

	itest_config(&t, "threads: many\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	snprintf(want, sizeof(want), "%s:1:10: error: ", t.conf);
	expect_err(want);
	expect_err("'many'");
}

Test(cli, yaml_syntax_error)
{
	char want[4200];

	itest_rules(&t, "rules:\n  - id: 1\n    msg: [unclosed\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	snprintf(want, sizeof(want), "%s:", t.rules);
	expect_err(want);
}

Test(cli, bad_regex_names_rule_and_position)
{
	char want[4200];

	itest_rules(&t, "rules:\n"
			"  - id: 1001\n"
			"    msg: broken\n"
			"    patterns:\n"
			"      - regex: 'ab(c'\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	snprintf(want, sizeof(want), "%s:5:", t.rules);
	expect_err(want);
	expect_err("rule 1001");
	expect_err("regex");
}

Test(cli, every_problem_is_listed)
{
	itest_rules(&t, "rules:\n"
			"  - id: 1\n    msg: one\n"
			"  - id: 2\n    msg: two\n    severity: 9\n    sevrity: 2\n"
			"  - id: 1\n    msg: again\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	expect_err(":6:15: error: expected an integer from 1 to 4, got '9'");
	expect_err(":7:5: error: unknown key 'sevrity' in rule (valid: id, rev, msg, ");
	expect_err(":8:");
	expect_err("duplicate");
	expect_err("3 errors, not started (the other rules compile)");
}

Test(cli, unknown_plugin)
{
	itest_config(&t, "plugins:\n  - name: signature\n  - name: nosuch\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	expect_err(":3: error: unknown plugin 'nosuch'");
}

Test(cli, rule_for_a_plugin_not_loaded)
{
	itest_rules(&t, "rules:\n  - id: 5\n    msg: m\n    detector: http\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	expect_err(":2: error: rule 5: detector 'http' is not a loaded plugin");
}

static void plugin_config(const char *name)
{
	char conf[4200];

	snprintf(conf, sizeof(conf), "plugins:\n  - name: %s\n    path: %s/%s.so\n", name,
		 FIXTURE_PLUGIN_DIR, name);
	itest_config(&t, conf);
}

Test(cli, plugin_with_another_abi_major)
{
	plugin_config("bad_abi");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	expect_err(":2: error: plugin 'bad_abi'");
	expect_err("was built for plugin ABI 2.0, this sensor has 1.");
}

/* An app-layer event (ABI 1.6) named like one of the sensor's own refuses
 * the plugin at its config line. */
Test(cli, plugin_with_a_bad_event_name)
{
	plugin_config("bad_event");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	expect_err(":2: error: plugin 'bad_event' declares event 'stream.reassembly_seq_gap': "
		   "want proto.event");
}

Test(cli, plugin_without_entry_symbol)
{
	plugin_config("no_entry");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	expect_err("no_entry.so is not a sensor plugin: it does not export 'ids_plugin_entry'");
}

Test(cli, plugin_of_an_older_minor_version_loads)
{
	plugin_config("old_minor");
	run_test_mode();
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out, "configuration OK: 0 rules; rules per plugin: old_minor=0\n");
}

Test(cli, bad_plugin_option)
{
	itest_config(&t, "plugins:\n  - name: signature\n    options:\n"
			 "      alerts-per-packet: 0\n      colour: red\n");
	run_test_mode();
	cr_expect_eq(t.res.status, 1);
	expect_err(":4:26: error: ");
	expect_err(":5:7: error: plugin 'signature' has no option 'colour' (valid: "
		   "alerts-per-packet)");
}

Test(cli, capture_that_is_not_a_capture)
{
	write_file(t.pcap, "this is not a capture file\n");
	cr_expect_eq(itest_run(&t, NULL), 1);
	expect_err("not a pcap or pcapng capture");
	expect_err(t.pcap);
}

Test(cli, missing_capture)
{
	cr_expect_eq(itest_run(&t, NULL), 1);
	expect_err(t.pcap);
}

Test(cli, missing_config_file)
{
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", "/nonexistent/sensor.yaml", NULL);
	cr_expect_eq(t.res.status, 1);
	expect_err("/nonexistent/sensor.yaml: error: configuration file not found");
}

Test(cli, truncated_capture_keeps_what_was_read)
{
	struct pcapgen *g = itest_capture(&t, 1);
	FILE *f;
	long size;

	itest_rules(&t, "rules:\n  - id: 1\n    msg: hit\n    patterns: [{content: MARK}]\n");
	pg_udp(g, "198.18.0.1", 1000, "198.18.0.2", 2000, "MARK", 4);
	pg_udp(g, "198.18.0.1", 1000, "198.18.0.2", 2000, "MARK again", 10);
	pg_close(g);
	f = fopen(t.pcap, "r+");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	cr_assert_eq(truncate(t.pcap, size - 5), 0);
	cr_expect_eq(itest_run(&t, NULL), 1);
	expect_err("truncated");
	cr_expect_eq(itest_alerts(&t, 1), 1);
}

Test(cli, live_capture_options)
{
	run_sensor(&t.res, SENSOR_BIN, "-r", "x.pcap", "-i", "eth0", NULL);
	cr_expect_eq(t.res.status, 1);
	expect_err("-r and -i exclude each other");
	run_result_free(&t.res);
	run_sensor(&t.res, SENSOR_BIN, "-i", "eth0", "--capture-method", "pfring", NULL);
	cr_expect_eq(t.res.status, 1);
	expect_err("--capture-method takes af-packet or raw, not 'pfring'");
	run_result_free(&t.res);
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "--bpf", "udp port", NULL);
	cr_expect_eq(t.res.status, 1);
	expect_err("bad capture filter 'udp port'");
	run_result_free(&t.res);
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, "--bpf", "udp port 53",
		   NULL);
	cr_expect_eq(t.res.status, 0, "%s", t.res.err);
}
