/*
 * test_control.c - the control socket and sensorctl on a live sensor
 * (a veth pair in a namespace the test makes): every command, a reload
 * that fails and one that succeeds, reopen after a rename, the socket's
 * mode, concurrent clients, and garbage that is answered with error
 * objects while the sensor keeps running.
 *
 * Needs root (network namespaces, raw sockets): skipped otherwise.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "itest.h"
#include "vethns.h"

static struct itest t;
static struct vethns v;
static char sock[4200], errfile[4200], ctl_bin[4200];
static int pid;

static const char rules_one[] =
	"rules:\n  - {id: 1, msg: mark, proto: udp, patterns: [{content: UDPMARK}]}\n";

static void begin(void)
{
	char bin[4096];

	itest_begin(&t, SENSOR_BIN, "control");
	snprintf(bin, sizeof(bin), "%s", SENSOR_BIN);
	snprintf(ctl_bin, sizeof(ctl_bin), "%s/sensorctl", dirname(bin));
	snprintf(sock, sizeof(sock), "%s/ctl.sock", t.dir);
	snprintf(errfile, sizeof(errfile), "%s/stderr", t.dir);
	memset(&v, 0, sizeof(v));
	pid = 0;
	signal(SIGPIPE, SIG_IGN);
}

static void end(void)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		run_wait(pid, 10000);
	}
	vethns_destroy(&v);
	itest_end(&t);
}

TestSuite(control, .init = begin, .fini = end, .timeout = 90);

static void start(const char *mode)
{
	char conf[8192];

	if (geteuid() != 0)
		cr_skip_test("needs root (network namespaces, raw sockets); CI runs as root");
	cr_assert_eq(vethns_create(&v, "sensor-ctl", "sc", 208), 0);
	if (mode)
		snprintf(conf, sizeof(conf),
			 "plugins:\n  - name: signature\n"
			 "control-socket: {path: %s, mode: \"%s\"}\n",
			 sock, mode);
	else
		snprintf(conf, sizeof(conf),
			 "plugins:\n  - name: signature\ncontrol-socket: {path: %s}\n", sock);
	itest_config(&t, conf);
	itest_rules(&t, rules_one);
	{
		const char *argv[] = {SENSOR_BIN, "-v", "-i",  v.outer,	    "-c", t.conf, "-S",
				      t.rules,	  "-l", t.dir, "--threads", "1",  NULL};

		pid = run_spawn(argv, test_path(t.dir, "stdout"), errfile);
	}
	cr_assert(wait_for_text(errfile, "capturing on", 10000), "sensor did not start");
}

/* sensorctl COMMAND [ARG]: its exit status, its output in r. */
static int ctl(struct run_result *r, const char *cmd, const char *arg)
{
	const char *argv[] = {ctl_bin, "-s", sock, cmd, arg, NULL};

	run_cmd(r, argv);
	return r->status;
}

static void expect_ok(const char *cmd, const char *needle)
{
	struct run_result r = {0};

	cr_assert_eq(ctl(&r, cmd, NULL), 0, "%s: %s %s", cmd, r.out, r.err);
	cr_assert_not_null(strstr(r.out, needle), "%s: %s", cmd, r.out);
	run_result_free(&r);
}

Test(control, every_command)
{
	struct run_result r = {0};
	char moved[4200];
	struct stat st;

	start(NULL);
	cr_assert_eq(stat(sock, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0660);
	expect_ok("version", "{\"return\":\"OK\",\"message\":\"");
	expect_ok("uptime", "{\"return\":\"OK\",\"message\":");
	expect_ok("command-list", "\"reload-rules\"");
	expect_ok("ruleset-stats", "\"signature\":{\"version\":");
	expect_ok("ruleset-stats", "\"rules_loaded\":1,\"reloads\":0,\"reload_failures\":0}");
	expect_ok("dump-counters", "\"message\":{\"uptime\":");
	expect_ok("dump-counters", "\"capture\":{\"kernel_packets\":");
	expect_ok("iface-stat", "\"pkts\":");

	/* iface-stat with the interface, and with one not captured. */
	cr_assert_eq(ctl(&r, "iface-stat", v.outer), 0);
	cr_assert_not_null(strstr(r.out, v.outer), "%s", r.out);
	cr_assert_eq(ctl(&r, "iface-stat", "nosuch0"), 1);
	cr_assert_not_null(strstr(r.out, "\"return\":\"NOK\",\"message\":\"no such interface being "
					 "captured: nosuch0\""),
			   "%s", r.out);

	/* A reload with a broken rule file fails and says why... */
	itest_rules(&t, "rules:\n  - {id: 2, msg: bad, proto: udp, patterns: [{pcre: \"(\"}]}\n");
	cr_assert_eq(ctl(&r, "reload-rules", NULL), 1, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "rule reload failed with"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "rules.yaml"), "%s", r.out);
	expect_ok("ruleset-stats", "\"reload_failures\":1");
	/* ... a good one answers when done, with the counts. */
	itest_rules(&t, "rules:\n"
			"  - {id: 3, msg: a, proto: udp, patterns: [{content: AAA}]}\n"
			"  - {id: 4, msg: b, proto: udp, patterns: [{content: BBB}]}\n");
	cr_assert_eq(ctl(&r, "reload-rules", NULL), 0, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "\"rules_loaded\":2,\"rules_failed\":0,\"reloads\":1"),
			   "%s", r.out);
	/* One line at the default level for the reload. */
	cr_assert(wait_for_text(errfile,
				"sensor: notice: rule reload 1: 2 rules in force (per "
				"plugin: signature=2)",
				5000));

	/* reopen-log-files after a rename starts a new eve.json. */
	snprintf(moved, sizeof(moved), "%s/eve.json.1", t.dir);
	cr_assert_eq(rename(t.eve_path, moved), 0);
	expect_ok("reopen-log-files", "\"return\":\"OK\"");
	cr_assert_eq(stat(t.eve_path, &st), 0);

	/* Unknown commands are errors, not crashes. */
	cr_assert_eq(ctl(&r, "frobnicate", NULL), 1);
	cr_assert_not_null(strstr(r.out, "unknown command 'frobnicate'"), "%s", r.out);

	expect_ok("shutdown", "Closing the sensor");
	cr_assert_eq(run_wait(pid, 10000), 0);
	pid = 0;
	cr_assert_neq(stat(sock, &st), 0); /* removed at exit */
	run_result_free(&r);
}

Test(control, socket_mode_from_the_config)
{
	struct stat st;

	start("0600");
	cr_assert_eq(stat(sock, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

/* ------------------------------------------------------ raw clients */

static int raw_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct timeval tv = {20, 0};

	cr_assert_lt(strlen(sock), sizeof(sa.sun_path));
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static int read_reply(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap && read(fd, buf + n, 1) == 1)
		if (buf[n++] == '\n')
			break;
	buf[n] = '\0';
	return (int)n;
}

static void ask(int fd, const char *line, const char *expect)
{
	char buf[65536];

	cr_assert_eq(send(fd, line, strlen(line), MSG_NOSIGNAL), (ssize_t)strlen(line));
	cr_assert_gt(read_reply(fd, buf, sizeof(buf)), 0, "no reply to %s", line);
	cr_assert_not_null(strstr(buf, expect), "%s -> %s", line, buf);
}

static void *client_main(void *arg)
{
	int fd = raw_connect(), *ok = arg;
	char buf[65536];

	for (int i = 0; i < 25; i++) {
		const char *line =
			i % 2 ? "{\"command\":\"uptime\"}\n" : "{\"command\":\"ruleset-stats\"}\n";

		if (send(fd, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line) ||
		    read_reply(fd, buf, sizeof(buf)) <= 0 || !strstr(buf, "\"return\":\"OK\""))
			break;
		(*ok)++;
	}
	close(fd);
	return NULL;
}

Test(control, concurrent_clients_all_answered)
{
	pthread_t th[8];
	int ok[8] = {0};

	start(NULL);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, client_main, &ok[i]), 0);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(ok[i], 25, "client %d: %d answers", i, ok[i]);
	}
}

Test(control, garbage_gets_error_objects_and_the_sensor_lives_on)
{
	int fd;
	char deep[4200], big[70 * 1024], buf[1024];

	start(NULL);
	fd = raw_connect();
	ask(fd, "{\"version\": \"0.2\"}\n", "{\"return\":\"OK\"}");
	ask(fd, "not json at all\n", "\"return\":\"NOK\",\"message\":\"invalid JSON");
	ask(fd, "{\"command\": 5}\n", "no \\\"command\\\" string");
	ask(fd, "{\"command\":\"version\"\n", "invalid JSON");
	ask(fd, "{\"command\":\"version\"} trailing\n", "invalid JSON");
	ask(fd, "[1,2,3]\n", "invalid JSON");
	ask(fd, "{\"command\":\"\\u0000\\\"x\"}\n", "unknown command");
	ask(fd, "\x01\x02\xff\xfe{\n", "invalid JSON");
	memcpy(deep, "{\"a\":", 5); /* nested 4000 deep */
	memset(deep + 5, '[', 4000);
	snprintf(deep + 4005, sizeof(deep) - 4005, "\n");
	ask(fd, deep, "invalid JSON");
	ask(fd, "{\"command\":\"version\",\"arguments\":{\"x\":[1,{\"y\":null}]}}\n",
	    "\"return\":\"OK\"");
	close(fd);
	/* A line longer than 64 KiB: an error, then the client is closed. */
	fd = raw_connect();
	memset(big, 'a', sizeof(big));
	cr_assert_eq(send(fd, big, sizeof(big), MSG_NOSIGNAL), (ssize_t)sizeof(big));
	cr_assert_gt(read_reply(fd, buf, sizeof(buf)), 0);
	cr_assert_not_null(strstr(buf, "longer than 65536 bytes"), "%s", buf);
	close(fd);
	/* A client that connects and says nothing holds nobody up. */
	fd = raw_connect();
	expect_ok("version", "\"return\":\"OK\"");
	close(fd);
	cr_assert_eq(kill(pid, 0), 0, "the sensor died");
}
