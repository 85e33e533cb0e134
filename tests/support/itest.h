/*
 * itest.h - one integration-test run: a temporary folder with a rule file,
 * a config and a capture, the sensor run on them, and its eve.json parsed.
 *
 *   struct itest t;
 *   itest_begin(&t, "detect");
 *   struct pcapgen *g = itest_capture(&t, 1);   ... write packets ...
 *   itest_rules(&t, "rules:\n  - id: 1\n ...");
 *   itest_run(&t, NULL);                          sensor -c -S -r -l
 *   cr_assert_eq(eve_count(&t.eve, "alert.signature_id=1"), 1);
 *   itest_end(&t);
 *
 * Outside the sensor's tree (the plugin SDK installs this as the test kit,
 * <sensor-testkit/itest.h> in libsensor-testkit.a), a plugin author's test
 * runs the installed sensor on the plugin being built:
 *
 *   itest_begin(&t, SENSOR_BIN, "mine");   SENSOR_BIN: from Sensor::testkit
 *                                          or sensor-testkit.pc
 *   itest_plugin(&t, "mine", "/path/to/mine.so", "threshold: 3\n");
 *   ...capture, rules, itest_run as above
 */
#ifndef TESTS_ITEST_H
#define TESTS_ITEST_H

#include "json_read.h"
#include "pcapgen.h"
#include "run.h"

struct itest {
	char *dir;
	const char *bin; /* the sensor binary */
	struct pcapgen gen;
	char pcap[4096], rules[4096], conf[4096], eve_path[4096];
	struct run_result res;
	struct eve_log eve;
};

/* Start a run in a new temporary folder named after `tag`. `bin` is the
 * sensor binary; NULL means the SENSOR_BIN environment variable (the test
 * aborts when neither names one). */
void itest_begin(struct itest *t, const char *bin, const char *tag);
void itest_end(struct itest *t);
/* Start writing dir/in.pcap with a link type (1 Ethernet, 101 raw). */
struct pcapgen *itest_capture(struct itest *t, int linktype);
/* Write dir/rules.yaml. */
void itest_rules(struct itest *t, const char *yaml);
/* Write dir/sensor.yaml (default when never called: the signature plugin
 * with outputs as built in). */
void itest_config(struct itest *t, const char *yaml);
/*
 * Write dir/sensor.yaml loading one plugin `name` from `so_path` (a plugin
 * built anywhere), with `options` as "key: value" lines (NULL for none):
 *   itest_plugin(&t, "example", "out/example.so", "min-ttl: 2\nsid: 9100001\n");
 */
void itest_plugin(struct itest *t, const char *name, const char *so_path, const char *options);
/*
 * Close the capture if open, run `sensor -c CONF -S RULES -r PCAP -l DIR`
 * plus the extra arguments (NULL-terminated list, may be empty), and load
 * eve.json. Returns the exit status.
 */
int itest_run(struct itest *t, ...);
/* The number of alert records with signature_id `sid`. */
size_t itest_alerts(const struct itest *t, unsigned sid);

#endif
