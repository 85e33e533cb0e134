/*
 * test_outputs.c - the sensor's `outputs:` list end to end: records split
 * by type over two files, per-output counters in the stats record, a real
 * redis-server (started by the test on a unix socket in its folder) fed
 * by the sensor, a sink that is down counted as drops, the configuration
 * errors, and, live on a veth pair, one alert on an otherwise idle link
 * reaching its sink within a second while the sensor keeps running.
 *
 * The live test needs root (skipped otherwise); redis tests skip with a
 * message when redis-server is not installed.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"
#include "vethns.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "outputs");
}

/* Processes a live test started, killed at the end even when it failed. */
static int sensor_pid, redis_pid;
static struct vethns v; /* the live tests' namespace, removed at the end */

static void end(void)
{
	if (sensor_pid > 0)
		kill(sensor_pid, SIGKILL), run_wait(sensor_pid, 10000);
	if (redis_pid > 0)
		kill(redis_pid, SIGKILL), run_wait(redis_pid, 10000);
	sensor_pid = redis_pid = 0;
	vethns_destroy(&v);
	memset(&v, 0, sizeof(v));
	itest_end(&t);
}

TestSuite(outputs, .init = begin, .fini = end, .timeout = 90);

static const char rules[] = "rules:\n"
			    "  - {id: 7, msg: mark, proto: udp, patterns: [{content: UDPMARK}]}\n";

/* Three UDP datagrams carrying the mark, from three flows. */
static void three_alerts(void)
{
	struct pcapgen *g = itest_capture(&t, 1);

	for (int i = 0; i < 3; i++)
		pg_udp(g, "198.18.0.2", (uint16_t)(40000 + i), "198.18.0.53", 53, "UDPMARK", 7);
	itest_rules(&t, rules);
}

static size_t lines_of(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[65536];
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!needle || strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

Test(outputs, a_list_splits_records_by_type)
{
	const struct jr_val *st;

	three_alerts();
	itest_config(&t, "plugins:\n  - name: signature\n"
			 "outputs:\n"
			 "  - eve: {name: alerts, filename: alerts.json, types: [alert]}\n"
			 "  - eve: {name: all, filename: eve.json}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(lines_of(test_path(t.dir, "alerts.json"), NULL), 3);
	cr_assert_eq(lines_of(test_path(t.dir, "alerts.json"), "\"event_type\":\"alert\""), 3);
	cr_assert_eq(itest_alerts(&t, 7), 3);
	cr_assert_eq(eve_count(&t.eve, "event_type=flow"), 3);
	cr_assert_eq(eve_count(&t.eve, "event_type=stats"), 1);
	st = eve_find(&t.eve, "event_type=stats", 0);
	/* Counted when the stats record was rendered: the 3 alerts and 3
	 * flows ahead of it, nothing dropped. */
	cr_assert_eq(jr_int(st, "stats.outputs.alerts.dropped", -1), 0);
	cr_assert_eq(jr_int(st, "stats.outputs.all.dropped", -1), 0);
	cr_assert_eq(jr_int(st, "stats.outputs.all.errors", -1), 0);
	cr_assert_not_null(strstr(t.res.out, "3 alerts written to "), "%s", t.res.out);
}

Test(outputs, the_map_form_is_one_file_output_named_eve)
{
	three_alerts();
	itest_config(&t, "plugins:\n  - name: signature\n"
			 "outputs:\n  eve:\n    filename: eve.json\n    types: [alert, stats]\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 7), 3);
	cr_assert_eq(eve_count(&t.eve, "event_type=flow"), 0);
	cr_assert_eq(
		jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.outputs.eve.dropped", -1),
		0);
}

Test(outputs, a_sink_that_is_down_is_counted_not_waited_for)
{
	three_alerts();
	itest_config(&t, "plugins:\n  - name: signature\n"
			 "outputs:\n"
			 "  - eve: {name: file, filename: eve.json}\n"
			 "  - eve: {name: gone, sink: unix_stream, filename: nobody.sock,\n"
			 "          types: [alert]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 7), 3);
	cr_assert_not_null(strstr(t.res.err, "output gone: cannot connect to "), "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.err, "output gone: 0 records written, 3 dropped"), "%s",
			   t.res.err);
}

Test(outputs, configuration_errors_name_the_line)
{
	three_alerts();
	itest_config(&t, "outputs:\n"
			 "  - eve: {sink: kafka}\n"
			 "  - eve: {types: [alert, bogus]}\n"
			 "  - eve: {rotate-interval: 3 weeks}\n"
			 "  - eve: {name: a}\n"
			 "  - eve: {name: a, redis: {mode: zadd}}\n"
			 "  - eve: {sink: unix_dgram}\n");
	cr_assert_eq(itest_run(&t, NULL), 1);
	cr_assert_not_null(strstr(t.res.err, ":2:17: error: unknown sink 'kafka'"), "%s",
			   t.res.err);
	cr_assert_not_null(strstr(t.res.err, "unknown record type 'bogus'"), "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.err, "rotate-interval must be seconds"), "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.err, "two outputs are named 'a'"), "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.err, "unknown redis mode 'zadd'"), "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.err, "a unix_dgram output needs filename"), "%s",
			   t.res.err);
}

/* community-id keys on a list entry hold for every output (a record is
 * rendered once); the seeded value is the Community ID spec's (computed
 * with the spec's algorithm for 198.18.0.2:40000 -> 198.18.0.53:53/udp). */
Test(outputs, community_id_seed_on_a_list_entry_holds_for_every_output)
{
	three_alerts();
	itest_config(&t, "plugins:\n  - name: signature\n"
			 "outputs:\n"
			 "  - eve: {name: alerts, filename: alerts.json, types: [alert]}\n"
			 "  - eve: {name: all, filename: eve.json, community-id-seed: 1}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(lines_of(test_path(t.dir, "alerts.json"),
			      "\"community_id\":\"1:dnyeo0Ie9clk2EYBvEYLz16Oqug=\""),
		     1);
	cr_assert_str_eq(
		jr_str(eve_find(&t.eve, "event_type=alert src_port=40000", 0), "community_id"),
		"1:dnyeo0Ie9clk2EYBvEYLz16Oqug=");
	cr_assert_str_eq(
		jr_str(eve_find(&t.eve, "event_type=flow src_port=40000", 0), "community_id"),
		"1:dnyeo0Ie9clk2EYBvEYLz16Oqug=");
}

Test(outputs, community_id_that_differs_between_outputs_is_an_error)
{
	three_alerts();
	itest_config(&t, "plugins:\n  - name: signature\n"
			 "outputs:\n"
			 "  - eve: {name: a, filename: a.json, community-id: false}\n"
			 "  - eve: {name: b, filename: b.json, community-id: true}\n");
	cr_assert_eq(itest_run(&t, NULL), 1);
	cr_assert_not_null(strstr(t.res.err, ":5:"), "%s", t.res.err);
	cr_assert_not_null(strstr(t.res.err, "community-id and community-id-seed differ from an "
					     "earlier output"),
			   "%s", t.res.err);
}

/* ------------------------------------------------------------- redis */

Test(outputs, alerts_to_redis_and_everything_to_a_file)
{
	char conf[8192], sock[4200], *llen;
	const char *server[] = {"/usr/bin/redis-server", "--port", "0",	    "--save", "",
				"--unixsocket",		 sock,	   "--dir", t.dir,    NULL};
	const char *cli[] = {"/usr/bin/redis-cli", "-s", sock, "LLEN", "alerts", NULL};
	struct run_result r = {0};
	int pid;

	if (access(server[0], X_OK) != 0)
		cr_skip_test("redis-server is not installed (tests/setup-deps.sh installs it)");
	snprintf(sock, sizeof(sock), "%s/redis.sock", t.dir);
	pid = run_spawn(server, test_path(t.dir, "redis.out"), test_path(t.dir, "redis.err"));
	cr_assert(
		wait_for_text(test_path(t.dir, "redis.out"), "eady to accept connections", 10000));
	three_alerts();
	snprintf(conf, sizeof(conf),
		 "plugins:\n  - name: signature\n"
		 "outputs:\n"
		 "  - eve: {name: all, filename: eve.json}\n"
		 "  - eve:\n"
		 "      name: siem\n"
		 "      sink: redis\n"
		 "      types: [alert]\n"
		 "      redis: {socket: %s, mode: rpush, key: alerts}\n",
		 sock);
	itest_config(&t, conf);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	run_cmd(&r, cli);
	llen = r.out;
	/* the sensor's log says why when the list is short (a drop at exit) */
	cr_assert_eq(atoi(llen), 3, "LLEN %s%s; sensor: %s", llen, r.err, t.res.err);
	run_result_free(&r);
	kill(pid, SIGKILL);
	run_wait(pid, 10000);
}

/* -------------------------------------------------------------- live */

Test(outputs, live_alert_reaches_its_sink_within_a_second_on_an_idle_link)
{
	char errfile[4200], alerts[4200], conf[1024];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9999)};
	int pid, fd;

	if (geteuid() != 0)
		cr_skip_test("needs root (network namespaces, raw sockets); CI runs as root");
	cr_assert_eq(vethns_create(&v, "sensor-out", "so", 207), 0);
	snprintf(errfile, sizeof(errfile), "%s/stderr", t.dir);
	snprintf(alerts, sizeof(alerts), "%s/alerts.json", t.dir);
	snprintf(conf, sizeof(conf),
		 "plugins:\n  - name: signature\n"
		 "outputs:\n  - eve: {name: alerts, filename: alerts.json, types: [alert]}\n");
	itest_config(&t, conf);
	itest_rules(&t, rules);
	{
		const char *argv[] = {SENSOR_BIN, "-v", "-i",  v.outer,	    "-c", t.conf, "-S",
				      t.rules,	  "-l", t.dir, "--threads", "1",  NULL};

		pid = sensor_pid = run_spawn(argv, test_path(t.dir, "stdout"), errfile);
	}
	cr_assert(wait_for_text(errfile, "capturing on", 10000), "sensor did not start");
	/* One datagram from inside the namespace; nothing else follows it. */
	fd = vethns_socket(&v, AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	inet_pton(AF_INET, "198.18.207.1", &to.sin_addr);
	cr_assert_eq(sendto(fd, "UDPMARK", 7, 0, (struct sockaddr *)&to, sizeof(to)), 7);
	close(fd);
	/* The requirement itself: the alert is in its sink within one
	 * second, with the sensor still running and the link idle. */
	cr_expect(wait_for_text(alerts, "\"signature_id\":7", 1000),
		  "the alert did not reach alerts.json within a second");
	kill(pid, SIGTERM);
	cr_assert_eq(run_wait(pid, 10000), 0);
	sensor_pid = 0;
	cr_assert_eq(lines_of(alerts, "\"signature_id\":7"), 1);
}

/* One datagram with the mark from inside the namespace. */
static void send_mark(const struct vethns *ns)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9999)};
	char addr[32];
	int fd = vethns_socket(ns, AF_INET, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	snprintf(addr, sizeof(addr), "198.18.%d.1", ns->net);
	inet_pton(AF_INET, addr, &to.sin_addr);
	cr_assert_eq(sendto(fd, "UDPMARK", 7, 0, (struct sockaddr *)&to, sizeof(to)), 7);
	close(fd);
}

static int start_redis(const char *sock)
{
	const char *server[] = {"/usr/bin/redis-server", "--port", "0",	    "--save", "",
				"--unixsocket",		 sock,	   "--dir", t.dir,    NULL};
	int pid = run_spawn(server, test_path(t.dir, "redis.out"), test_path(t.dir, "redis.err"));

	redis_pid = pid;
	cr_assert(
		wait_for_text(test_path(t.dir, "redis.out"), "eady to accept connections", 10000));
	return pid;
}

static long llen(const char *sock)
{
	const char *cli[] = {"/usr/bin/redis-cli", "-s", sock, "LLEN", "alerts", NULL};
	struct run_result r = {0};
	long n;

	run_cmd(&r, cli);
	n = r.out ? atol(r.out) : -1;
	run_result_free(&r);
	return n;
}

static bool wait_llen(const char *sock, long want)
{
	for (int i = 0; i < 250; i++) {
		if (llen(sock) >= want)
			return true;
		usleep(20000);
	}
	return false;
}

Test(outputs, live_redis_killed_and_restarted_mid_run)
{
	char errfile[4200], sock[4200], conf[8192];
	const struct jr_val *st;
	int pid, redis;

	if (geteuid() != 0)
		cr_skip_test("needs root (network namespaces, raw sockets); CI runs as root");
	if (access("/usr/bin/redis-server", X_OK) != 0)
		cr_skip_test("redis-server is not installed (tests/setup-deps.sh installs it)");
	cr_assert_eq(vethns_create(&v, "sensor-rd", "sr", 209), 0);
	snprintf(errfile, sizeof(errfile), "%s/stderr", t.dir);
	snprintf(sock, sizeof(sock), "%s/redis.sock", t.dir);
	redis = start_redis(sock);
	snprintf(conf, sizeof(conf),
		 "plugins:\n  - name: signature\n"
		 "outputs:\n"
		 "  - eve: {name: all, filename: eve.json}\n"
		 "  - eve: {name: r, sink: redis, types: [alert],\n"
		 "          redis: {socket: %s, mode: rpush, key: alerts}}\n",
		 sock);
	itest_config(&t, conf);
	itest_rules(&t, rules);
	{
		const char *argv[] = {SENSOR_BIN, "-v", "-i",  v.outer,	    "-c", t.conf, "-S",
				      t.rules,	  "-l", t.dir, "--threads", "1",  NULL};

		pid = sensor_pid = run_spawn(argv, test_path(t.dir, "stdout"), errfile);
	}
	cr_assert(wait_for_text(errfile, "capturing on", 10000), "sensor did not start");
	send_mark(&v);
	cr_assert(wait_llen(sock, 1), "the first alert did not reach redis");
	/* Redis dies: the file output goes on, nothing waits for Redis. */
	kill(redis, SIGKILL);
	run_wait(redis, 10000);
	redis_pid = 0;
	send_mark(&v);
	for (int i = 0; i < 250 && lines_of(t.eve_path, "\"event_type\":\"alert\"") < 2; i++)
		usleep(20000);
	cr_assert_eq(lines_of(t.eve_path, "\"event_type\":\"alert\""), 2, "%s", t.eve_path);
	cr_assert(wait_for_text(errfile, "sensor: error: output r: ", 5000),
		  "the failure was not logged");
	/* Redis comes back (empty): sending resumes. */
	redis = start_redis(sock);
	send_mark(&v);
	cr_assert(wait_llen(sock, 1), "sending did not resume");
	kill(pid, SIGTERM);
	cr_assert_eq(run_wait(pid, 10000), 0);
	sensor_pid = 0;
	cr_assert_eq(lines_of(t.eve_path, "\"event_type\":\"alert\""), 3);
	cr_assert(wait_for_text(errfile, "is back; sending again", 1));
	/* The alert sent while Redis was down is counted, in the last stats
	 * record and at exit. */
	cr_assert_eq(eve_load(&t.eve, t.eve_path), 0);
	st = eve_find(&t.eve, "event_type=stats", eve_count(&t.eve, "event_type=stats") - 1);
	cr_assert_eq(jr_int(st, "stats.outputs.r.dropped", -1), 1);
	cr_assert_geq(jr_int(st, "stats.outputs.r.errors", -1), 1);
	cr_assert_eq(jr_int(st, "stats.outputs.all.dropped", -1), 0);
	cr_assert(wait_for_text(errfile, "output r: 2 records written, 1 dropped", 1));
	kill(redis, SIGKILL);
	run_wait(redis, 10000);
	redis_pid = 0;
}
