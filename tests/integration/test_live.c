/*
 * test_live.c - the sensor on a live interface: a veth pair whose inner end
 * sits in a network namespace the test makes; captures are replayed into
 * the inner end with tcpreplay while the sensor captures on the outer end.
 * Checks alerts with AF_PACKET and raw sockets, 1 and 2 workers; the
 * signals (TERM stops with flows flushed, HUP reopens eve.json after a
 * rename, USR2 reloads rules, a bad reload keeps the running rules);
 * periodic stats records; the pidfile; dropping privileges; and the
 * errors for a missing interface, a bad filter and a start without root.
 *
 * Needs root (network namespaces, raw sockets): skipped otherwise. Only
 * the namespace's own 198.18.201.0/24 addresses are used.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"
#include "vethns.h"

static struct itest t;
static struct vethns v;
static char errfile[4200], outfile[4200], pidfile[4200];

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "live");
	snprintf(errfile, sizeof(errfile), "%s/stderr", t.dir);
	snprintf(outfile, sizeof(outfile), "%s/stdout", t.dir);
	snprintf(pidfile, sizeof(pidfile), "%s/sensor.pid", t.dir);
	memset(&v, 0, sizeof(v));
	if (geteuid() != 0)
		return;
	cr_assert_eq(vethns_create(&v, "sensor-live", "sl", 201), 0);
}

static void end(void)
{
	vethns_destroy(&v);
	itest_end(&t);
}

TestSuite(live, .init = begin, .fini = end, .timeout = 60);

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (network namespaces, raw sockets); CI runs as root");
}

/* `n` TCP sessions whose request carries ATTACKPATTERN split over two
 * segments, and `n` UDP datagrams carrying UDPMARK, into `path`. */
static void write_batch(const char *path, int n, uint16_t first_port)
{
	struct pcapgen g;
	struct pg_tcp s;

	pg_open(&g, path, 1);
	for (int i = 0; i < n; i++) {
		pg_tcp_init(&s, &g, "198.18.201.2", (uint16_t)(first_port + i), "198.18.201.50",
			    80);
		pg_tcp_handshake(&s);
		pg_tcp_send(&s, PG_TO_SERVER, "GET /ATTACK", 11);
		pg_tcp_send(&s, PG_TO_SERVER, "PATTERN HTTP/1.0\r\n\r\n", 20);
		pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.0 200 OK\r\n\r\n", 19);
		pg_tcp_close(&s);
		pg_udp(&g, "198.18.201.2", (uint16_t)(first_port + i), "198.18.201.53", 53,
		       "UDPMARK", 7);
	}
	pg_close(&g);
}

static const char rules_a[] =
	"rules:\n"
	"  - {id: 1, msg: split attack, proto: tcp, patterns: [{content: ATTACKPATTERN}]}\n"
	"  - {id: 2, msg: udp mark, proto: udp, patterns: [{content: UDPMARK}]}\n";

/* Start the sensor on the outer end; returns its pid once it captures. */
static int start_sensor(const char *method, const char *threads)
{
	const char *argv[] = {SENSOR_BIN,
			      "-v",
			      "-i",
			      v.outer,
			      "-c",
			      t.conf,
			      "-S",
			      t.rules,
			      "-l",
			      t.dir,
			      "--threads",
			      threads,
			      "--capture-method",
			      method,
			      "--pidfile",
			      pidfile,
			      NULL};
	int pid = run_spawn(argv, outfile, errfile);

	cr_assert(wait_for_text(errfile, "capturing on", 10000), "sensor did not start");
	return pid;
}

static void replay(const char *pcap)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s tcpreplay -q -t -i %s %s >/dev/null 2>&1",
		 v.ns, v.inner, pcap);
	cr_assert_eq(system(cmd), 0, "tcpreplay failed: %s", cmd);
	usleep(800 * 1000); /* let the workers drain the rings, even on a loaded machine */
}

static int stop_sensor(int pid)
{
	kill(pid, SIGTERM);
	return run_wait(pid, 10000);
}

static void load_eve(void)
{
	eve_free(&t.eve);
	cr_assert_eq(eve_load(&t.eve, t.eve_path), 0);
	cr_assert_eq(t.eve.bad_lines, 0);
}

/* Wait up to 30 s for eve.json to hold n records matching `filter` (a
 * line being written is not counted). */
static void wait_records(const char *filter, size_t n)
{
	for (int i = 0; i < 300; i++) {
		struct eve_log e;
		size_t got = 0;

		memset(&e, 0, sizeof(e));
		if (eve_load(&e, t.eve_path) == 0)
			got = eve_count(&e, filter);
		eve_free(&e);
		if (got >= n)
			return;
		usleep(100 * 1000);
	}
}

static void capture_batch(const char *method, const char *threads)
{
	char pcap[4200];
	int pid;

	need_root();
	snprintf(pcap, sizeof(pcap), "%s/batch.pcap", t.dir);
	write_batch(pcap, 20, 30000);
	itest_rules(&t, rules_a);
	pid = start_sensor(method, threads);
	replay(pcap);
	cr_assert_eq(stop_sensor(pid), 0);
	load_eve();
	cr_expect_eq(itest_alerts(&t, 1), 20);
	cr_expect_eq(itest_alerts(&t, 2), 20);
	cr_expect_eq(eve_count(&t.eve, "event_type=flow flow.reason=shutdown proto=UDP"), 20);
	cr_expect_eq(eve_count(&t.eve, "event_type=flow proto=TCP flow.state=closed"), 20);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_str_eq(jr_str(a, "in_iface"), v.outer);
	cr_expect_null(jr_get(a, "pcap_cnt"));
	const struct jr_val *st = eve_find(&t.eve, "event_type=stats", 0);
	cr_expect_geq(jr_int(st, "stats.capture.kernel_packets", -1), 20 * 10);
	cr_expect_eq(jr_int(st, "stats.capture.kernel_drops", -1), 0);
	cr_expect_not_null(jr_get(st, "stats.threads.W#01"));
}

Test(live, afpacket_one_worker)
{
	capture_batch("af-packet", "1");
}

Test(live, afpacket_two_workers)
{
	capture_batch("af-packet", "2");
	cr_expect_not_null(jr_get(eve_find(&t.eve, "event_type=stats", 0), "stats.threads.W#02"));
}

Test(live, raw_sockets_one_worker)
{
	capture_batch("raw", "1");
}

Test(live, raw_sockets_two_workers)
{
	capture_batch("raw", "2");
}

Test(live, pidfile_exists_while_running)
{
	char text[64] = "";
	FILE *f;
	int pid;

	need_root();
	pid = start_sensor("af-packet", "1");
	f = fopen(pidfile, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(text, sizeof(text), f));
	fclose(f);
	cr_expect_eq(atoi(text), pid);
	cr_assert_eq(stop_sensor(pid), 0);
	cr_expect_neq(access(pidfile, F_OK), 0);
}

Test(live, hup_reopens_eve_after_rotation)
{
	char first[4200], second[4200], rotated[4200];
	struct eve_log old;
	int pid;

	need_root();
	snprintf(first, sizeof(first), "%s/first.pcap", t.dir);
	snprintf(second, sizeof(second), "%s/second.pcap", t.dir);
	snprintf(rotated, sizeof(rotated), "%s/eve.json.1", t.dir);
	write_batch(first, 10, 31000);
	write_batch(second, 7, 32000);
	itest_rules(&t, rules_a);
	pid = start_sensor("af-packet", "2");
	replay(first);
	wait_records("alert.signature_id=2", 10); /* the first batch is out, however loaded */
	cr_assert_eq(rename(t.eve_path, rotated), 0);
	kill(pid, SIGHUP);
	cr_assert(wait_for_text(errfile, "reopened", 5000));
	replay(second);
	cr_assert_eq(stop_sensor(pid), 0);
	load_eve();
	cr_assert_eq(eve_load(&old, rotated), 0);
	cr_expect_eq(eve_count(&old, "alert.signature_id=1") + itest_alerts(&t, 1), 17);
	cr_expect_eq(eve_count(&old, "alert.signature_id=2") + itest_alerts(&t, 2), 17);
	cr_expect_eq(itest_alerts(&t, 2), 7); /* the second batch all went to the new file */
	eve_free(&old);
}

Test(live, usr2_reloads_rules_and_keeps_them_when_the_new_ones_are_bad)
{
	char first[4200], second[4200], third[4200];
	int pid;

	need_root();
	snprintf(first, sizeof(first), "%s/first.pcap", t.dir);
	snprintf(second, sizeof(second), "%s/second.pcap", t.dir);
	snprintf(third, sizeof(third), "%s/third.pcap", t.dir);
	write_batch(first, 5, 33000);
	write_batch(second, 6, 34000);
	write_batch(third, 4, 35000);
	itest_rules(&t, rules_a);
	pid = start_sensor("af-packet", "2");
	replay(first);
	/* New rules: sid 1 gone, sid 3 on the same pattern. */
	itest_rules(&t, "rules:\n"
			"  - {id: 3, msg: reloaded, proto: tcp, patterns: [{content: ATTACK}]}\n"
			"  - {id: 2, msg: udp mark, proto: udp, patterns: [{content: UDPMARK}]}\n");
	kill(pid, SIGUSR2);
	cr_assert(wait_for_text(errfile, "rule reload 1 complete", 5000));
	replay(second);
	itest_rules(&t, "rules:\n  - {id: 4, msg: broken, patterns: [{regex: 'a(b'}]}\n");
	kill(pid, SIGUSR2);
	cr_assert(wait_for_text(errfile, "rule reload failed", 5000));
	replay(third);
	cr_assert_eq(stop_sensor(pid), 0);
	load_eve();
	cr_expect_eq(itest_alerts(&t, 1), 5);
	cr_expect_eq(itest_alerts(&t, 3), 6 + 4);
	cr_expect_eq(itest_alerts(&t, 2), 5 + 6 + 4);
	cr_expect_eq(itest_alerts(&t, 4), 0);
}

Test(live, periodic_stats_records)
{
	int pid;

	need_root();
	itest_config(&t, "stats: {interval: 1}\nplugins:\n  - name: signature\n");
	pid = start_sensor("af-packet", "1");
	wait_records("event_type=stats", 2); /* two periodic records, however slow the machine */
	cr_assert_eq(stop_sensor(pid), 0);
	load_eve();
	cr_expect_geq(eve_count(&t.eve, "event_type=stats"), 3); /* 2 periodic + the final */
	cr_expect_not_null(jr_get(eve_find(&t.eve, "event_type=stats", 0), "stats.capture"));
}

Test(live, privileges_dropped_after_the_sockets_open)
{
	char status[64], line[256], want[64];
	FILE *f;
	int pid, uid = -1;

	need_root();
	itest_config(&t, "run-as: {user: nobody}\nplugins:\n  - name: signature\n");
	chmod(t.dir, 0777);
	pid = start_sensor("af-packet", "1");
	snprintf(status, sizeof(status), "/proc/%d/status", pid);
	f = fopen(status, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %d", &uid) == 1)
			break;
	fclose(f);
	snprintf(want, sizeof(want), "%d", uid);
	cr_expect_neq(uid, 0, "still root");
	cr_assert_eq(stop_sensor(pid), 0);
}

Test(live, errors_missing_interface_bad_filter_no_root)
{
	need_root();
	run_sensor(&t.res, SENSOR_BIN, "-i", "nosuch0", "-c", t.conf, "-S", t.rules, "-l", t.dir,
		   NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "no interface 'nosuch0'") != NULL, "%s", t.res.err);
	run_result_free(&t.res);
	run_sensor(&t.res, SENSOR_BIN, "-i", v.outer, "--bpf", "tcp port", "-c", t.conf, "-S",
		   t.rules, "-l", t.dir, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "bad capture filter 'tcp port'") != NULL, "%s", t.res.err);
	run_result_free(&t.res);
	/* As nobody: sockets refused (nobody must be able to read the config). */
	chmod(t.dir, 0755);
	const char *argv[] = {"/usr/bin/setpriv",
			      "--reuid=65534",
			      "--regid=65534",
			      "--clear-groups",
			      SENSOR_BIN,
			      "-i",
			      v.outer,
			      "-c",
			      t.conf,
			      "-S",
			      t.rules,
			      "-l",
			      "/tmp",
			      NULL};
	run_cmd(&t.res, argv);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "capturing needs root or CAP_NET_RAW and CAP_NET_ADMIN") !=
			  NULL,
		  "%s", t.res.err);
}
