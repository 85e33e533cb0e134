/*
 * example_plugin_test.c - a plugin author's test, built outside the
 * sensor's tree against the installed SDK: Criterion + the sensor's test
 * kit (libsensor-testkit.a) run the installed sensor on captures this test
 * writes, with the example plugin built beside it, and check its alerts in
 * eve.json. docs/plugin-tutorial.md walks through it;
 * tests/integration/test_example_standalone.sh builds and runs it both
 * with the CMake package (tests/sdk/CMakeLists.txt) and with pkg-config.
 *
 * Built with:
 *   SENSOR_BIN      the installed sensor (Sensor::testkit defines it; with
 *                   pkg-config: the sensor_bin variable of sensor-testkit)
 *   EXAMPLE_PLUGIN  the example.so under test
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include <sensor-testkit/itest.h>

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "example-plugin");
	itest_plugin(&t, "example", EXAMPLE_PLUGIN, "min-ttl: 2\nsid: 9100001\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(example_plugin, .init = begin, .fini = end);

/* One UDP datagram from 198.18.0.1 to 198.18.0.2:53 with a TTL. */
static void datagram(uint8_t ttl, const char *payload)
{
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.18.0.2",
			   .sport = 40000,
			   .dport = 53,
			   .proto = IPPROTO_UDP,
			   .ttl = ttl,
			   .payload = payload,
			   .len = strlen(payload)};

	pg_packet(&t.gen, &p);
}

Test(example_plugin, configuration_checks)
{
	itest_capture(&t, 1);
	cr_assert_eq(itest_run(&t, "-T", NULL), 0, "%s", t.res.err);
	cr_expect_str_eq(t.res.out, "configuration OK: 0 rules; rules per plugin: example=0\n");
}

Test(example_plugin, alerts_on_low_ttl_only)
{
	itest_capture(&t, 1);
	datagram(64, "normal");
	datagram(1, "probe");
	datagram(2, "at the limit");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 1);
	cr_assert_eq(itest_alerts(&t, 9100001), 1);

	const struct jr_val *a = eve_find(&t.eve, "event_type=alert", 0);
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 2);
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.0.1");
	cr_expect_eq(jr_int(a, "dest_port", 0), 53);
	cr_expect_str_eq(jr_str(a, "alert.signature"), "EXAMPLE packet with a low TTL");
}

Test(example_plugin, evaluates_its_rules_on_low_ttl_packets)
{
	itest_capture(&t, 1);
	datagram(64, "secret");
	datagram(1, "secret");
	datagram(1, "public");
	itest_rules(&t, "rules:\n"
			"  - {id: 9100100, msg: secret probe, detector: example,\n"
			"     patterns: [{content: secret}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 9100001), 2);
	cr_assert_eq(itest_alerts(&t, 9100100), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=9100100", 0), "pcap_cnt", 0), 2);
}
