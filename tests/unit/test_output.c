/*
 * test_output.c - the outputs and their sinks (sensor/output/output.c,
 * sink_*.c) against real peers: files (routing by type, rotation by size
 * and by interval, mode and group of new files), a unix_stream and a
 * unix_dgram listener run by the test, a syslog socket the test listens
 * on, and a real redis-server started by the test in its own folder
 * (every mode, a password on a loopback port, killed and restarted
 * mid-run), and a full queue that drops without blocking.
 *
 * Waits poll for an outcome with a generous bound; nothing asserts on
 * how long something took.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "output/output.h"
#include "run.h"

static char *dir;

static void setup(void)
{
	dir = test_dir_new("output");
	signal(SIGPIPE, SIG_IGN);
}

static void teardown(void)
{
	test_dir_remove(dir);
	dir = NULL;
}

TestSuite(output, .init = setup, .fini = teardown, .timeout = 60);

static const char alert_line[] = "{\"timestamp\":\"t\",\"event_type\":\"alert\",\"x\":1}\n";
static const char flow_line[] = "{\"timestamp\":\"t\",\"flow_id\":3,\"event_type\":\"flow\"}\n";
static const char stats_line[] = "{\"timestamp\":\"t\",\"event_type\":\"stats\",\"stats\":{}}\n";

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	cr_assert_not_null(buf);
	if (!f)
		return buf;
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Files in dir whose name starts with `prefix`. */
static unsigned files_with_prefix(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static struct output_set *open_one(struct output_conf *c)
{
	char err[512] = "";
	struct output_set *s = output_set_open(c, 1, dir, err, sizeof(err));

	cr_assert_not_null(s, "%s", err);
	return s;
}

static struct output_counters counters(struct output_set *s, size_t i)
{
	struct output_counters c;

	cr_assert(output_set_counters(s, i, &c));
	return c;
}

/* Wait until output i's sink is up (or down), up to 10 s. */
static void wait_up(struct output_set *s, size_t i, bool up)
{
	for (int k = 0; k < 500 && counters(s, i).up != up; k++)
		sleep_ms(20);
	cr_assert_eq(counters(s, i).up, up);
}

/* ------------------------------------------------------------- files */

Test(output, routes_each_type_to_the_outputs_taking_it)
{
	struct output_conf c[2];
	char err[512] = "", *a, *b;
	struct output_set *s;

	output_conf_init(&c[0], "alerts");
	c[0].filename = strdup("alerts.json");
	c[0].types[c[0].n_types++] = strdup("alert");
	output_conf_init(&c[1], "all");
	c[1].filename = strdup("all.json");
	s = output_set_open(c, 2, dir, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	output_set_submit(s, alert_line, strlen(alert_line));
	output_set_submit(s, flow_line, strlen(flow_line));
	output_set_submit(s, stats_line, strlen(stats_line));
	cr_assert(output_set_drain(s, 10000));
	cr_assert_eq(counters(s, 0).written, 1);
	cr_assert_eq(counters(s, 1).written, 3);
	cr_assert_str_eq(output_set_name(s, 0), "alerts");
	output_set_close(s, 1000);
	a = slurp(test_path(dir, "alerts.json"));
	b = slurp(test_path(dir, "all.json"));
	cr_assert_str_eq(a, alert_line);
	cr_assert_eq(strlen(b), strlen(alert_line) + strlen(flow_line) + strlen(stats_line));
	free(a);
	free(b);
	output_conf_free(&c[0]);
	output_conf_free(&c[1]);
}

Test(output, file_rotates_by_size)
{
	struct output_conf c;
	struct output_set *s;
	struct stat st;

	output_conf_init(&c, "rot");
	c.filename = strdup("eve.json");
	c.rotate_limit = 2 * strlen(alert_line);
	s = open_one(&c);
	for (int i = 0; i < 5; i++) {
		output_set_submit(s, alert_line, strlen(alert_line));
		cr_assert(output_set_drain(s, 10000));
	}
	output_set_close(s, 1000);
	/* 2 + 2 lines rotated away, 1 in the current file. */
	cr_assert_eq(files_with_prefix("eve.json."), 2);
	cr_assert_eq(stat(test_path(dir, "eve.json"), &st), 0);
	cr_assert_eq((size_t)st.st_size, strlen(alert_line));
	output_conf_free(&c);
}

Test(output, file_rotates_by_interval)
{
	struct output_conf c;
	struct output_set *s;
	struct stat st;

	output_conf_init(&c, "rot");
	c.filename = strdup("eve.json");
	c.rotate_interval = 1;
	s = open_one(&c);
	output_set_submit(s, alert_line, strlen(alert_line));
	cr_assert(output_set_drain(s, 10000));
	for (int k = 0; k < 250 && files_with_prefix("eve.json.") == 0; k++)
		sleep_ms(20);
	cr_assert_eq(files_with_prefix("eve.json."), 1);
	output_set_submit(s, flow_line, strlen(flow_line));
	cr_assert(output_set_drain(s, 10000));
	output_set_close(s, 1000);
	cr_assert_eq(stat(test_path(dir, "eve.json"), &st), 0);
	cr_assert_eq((size_t)st.st_size, strlen(flow_line));
	output_conf_free(&c);
}

static void assert_mode_group(const char *path, mode_t mode, gid_t gid)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s", path);
	cr_assert_eq(st.st_mode & 0777, mode, "%s: %o", path, st.st_mode & 0777);
	cr_assert_eq(st.st_gid, gid);
}

Test(output, new_files_keep_mode_and_group_across_rotation_and_reopen)
{
	struct output_conf c;
	struct output_set *s;
	char gid[32], to[4200];
	gid_t g = getgid();

	snprintf(gid, sizeof(gid), "%u", (unsigned)g);
	output_conf_init(&c, "perm");
	c.filename = strdup("eve.json");
	c.mode = 0604;
	c.group = strdup(gid);
	c.rotate_limit = strlen(alert_line);
	s = open_one(&c);
	assert_mode_group(test_path(dir, "eve.json"), 0604, g);
	output_set_submit(s, alert_line, strlen(alert_line)); /* rotates */
	cr_assert(output_set_drain(s, 10000));
	cr_assert_eq(files_with_prefix("eve.json."), 1);
	assert_mode_group(test_path(dir, "eve.json"), 0604, g);
	snprintf(to, sizeof(to), "%s", test_path(dir, "moved.json"));
	cr_assert_eq(rename(test_path(dir, "eve.json"), to), 0);
	cr_assert_eq(output_set_reopen(s), 0);
	assert_mode_group(test_path(dir, "eve.json"), 0604, g);
	output_set_close(s, 1000);
	output_conf_free(&c);
}

/* ----------------------------------------------------- unix sockets */

static int listener(const char *path, int type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type, 0);

	cr_assert_geq(fd, 0);
	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	if (type == SOCK_STREAM)
		cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

static int accept_within(int lfd, int ms)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};

	cr_assert_eq(poll(&p, 1, ms), 1, "no connection");
	return accept(lfd, NULL, NULL);
}

/* Read from fd until `want` bytes or 10 s. */
static size_t read_some(int fd, char *buf, size_t want)
{
	size_t got = 0;

	while (got < want) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t k;

		if (poll(&p, 1, 10000) != 1)
			break;
		k = read(fd, buf + got, want - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	buf[got] = '\0';
	return got;
}

Test(output, unix_stream_sends_lines_and_reconnects)
{
	const char *path = test_path(dir, "stream.sock");
	struct output_conf c;
	struct output_set *s;
	int lfd = listener(path, SOCK_STREAM), cfd;
	char buf[4096];
	size_t two = strlen(alert_line) + strlen(flow_line);

	output_conf_init(&c, "us");
	c.sink = SINK_UNIX_STREAM;
	c.filename = strdup("stream.sock");
	s = open_one(&c);
	cfd = accept_within(lfd, 10000);
	output_set_submit(s, alert_line, strlen(alert_line));
	output_set_submit(s, flow_line, strlen(flow_line));
	cr_assert_eq(read_some(cfd, buf, two), two);
	cr_assert_eq(strncmp(buf, alert_line, strlen(alert_line)), 0);
	/* The collector goes away... */
	close(cfd);
	close(lfd);
	unlink(path);
	for (int k = 0; k < 500 && counters(s, 0).up; k++) {
		output_set_submit(s, alert_line, strlen(alert_line));
		sleep_ms(20);
	}
	cr_assert_eq(counters(s, 0).up, false);
	cr_assert_geq(counters(s, 0).errors, 1);
	/* ... and comes back: sending resumes. */
	lfd = listener(path, SOCK_STREAM);
	cfd = accept_within(lfd, 10000);
	wait_up(s, 0, true);
	output_set_submit(s, stats_line, strlen(stats_line));
	cr_assert_eq(read_some(cfd, buf, strlen(stats_line)), strlen(stats_line));
	cr_assert_str_eq(buf, stats_line);
	output_set_close(s, 1000);
	close(cfd);
	close(lfd);
	output_conf_free(&c);
}

/* A run that ends while the collector is away (or before the output's
 * thread first connected) sends what is queued if the collector is back
 * by the close: the close tries the sink at once instead of dropping. */
Test(output, close_tries_a_sink_that_is_down_before_dropping_what_is_queued)
{
	const char *path = test_path(dir, "late.sock");
	size_t two = strlen(alert_line) + strlen(flow_line);
	struct output_conf c;
	struct output_set *s;
	char buf[4096];
	int lfd, cfd;

	output_conf_init(&c, "late");
	c.sink = SINK_UNIX_STREAM;
	c.filename = strdup("late.sock");
	s = open_one(&c);
	sleep_ms(200); /* the thread's first try has failed: nobody listens */
	cr_assert_eq(counters(s, 0).up, false);
	output_set_submit(s, alert_line, strlen(alert_line));
	output_set_submit(s, flow_line, strlen(flow_line));
	lfd = listener(path, SOCK_STREAM);
	output_set_close(s, 10000);
	cfd = accept_within(lfd, 10000);
	cr_assert_eq(read_some(cfd, buf, two), two);
	cr_assert_eq(strncmp(buf, alert_line, strlen(alert_line)), 0);
	cr_assert_str_eq(buf + strlen(alert_line), flow_line);
	close(cfd);
	close(lfd);
	output_conf_free(&c);
}

Test(output, unix_dgram_one_datagram_per_record)
{
	const char *path = test_path(dir, "dgram.sock");
	int fd = listener(path, SOCK_DGRAM);
	struct output_conf c;
	struct output_set *s;
	char buf[4096];
	ssize_t n;

	output_conf_init(&c, "ud");
	c.sink = SINK_UNIX_DGRAM;
	c.filename = strdup(path);
	s = open_one(&c);
	wait_up(s, 0, true);
	output_set_submit(s, alert_line, strlen(alert_line));
	output_set_submit(s, flow_line, strlen(flow_line));
	n = recv(fd, buf, sizeof(buf), 0);
	cr_assert_eq((size_t)n, strlen(alert_line) - 1);
	cr_assert_eq(memcmp(buf, alert_line, (size_t)n), 0);
	n = recv(fd, buf, sizeof(buf), 0);
	cr_assert_eq((size_t)n, strlen(flow_line) - 1);
	output_set_close(s, 1000);
	close(fd);
	output_conf_free(&c);
}

Test(output, syslog_facility_level_identity)
{
	const char *path = test_path(dir, "log.sock");
	int fd = listener(path, SOCK_DGRAM);
	struct output_conf c;
	struct output_set *s;
	char buf[4096], expect[128];
	ssize_t n;

	output_conf_init(&c, "sl");
	c.sink = SINK_SYSLOG;
	c.socket_path = strdup(path);
	c.facility = 16; /* local0 */
	c.level = 4;	 /* warning */
	c.identity = strdup("idsx");
	s = open_one(&c);
	wait_up(s, 0, true);
	output_set_submit(s, alert_line, strlen(alert_line));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert_eq(strncmp(buf, "<132>", 5), 0, "%s", buf);
	snprintf(expect, sizeof(expect), " idsx[%ld]: {\"timestamp\"", (long)getpid());
	cr_assert_not_null(strstr(buf, expect), "%s", buf);
	cr_assert_eq(buf[n - 1], '}'); /* no newline */
	output_set_close(s, 1000);
	close(fd);
	output_conf_free(&c);
}

Test(output, full_queue_drops_and_counts_without_blocking)
{
	const char *path = test_path(dir, "slow.sock");
	int lfd = listener(path, SOCK_STREAM), cfd;
	struct output_conf c;
	struct output_set *s;
	char line[1024];
	struct output_counters k;
	const int total = 20000;

	memset(line, 'x', sizeof(line));
	memcpy(line, "{\"event_type\":\"alert\",\"p\":\"", 27);
	memcpy(line + sizeof(line) - 3, "\"}\n", 3);
	output_conf_init(&c, "slow");
	c.sink = SINK_UNIX_STREAM;
	c.filename = strdup(path);
	c.queue_size = OUTPUT_QUEUE_MIN;
	s = open_one(&c);
	cfd = accept_within(lfd, 10000); /* accepted, never read */
	wait_up(s, 0, true);
	for (int i = 0; i < total; i++) /* 20 MB into a 64 KiB queue */
		output_set_submit(s, line, sizeof(line));
	k = counters(s, 0);
	cr_assert_gt(k.dropped, 0);
	output_set_close(s, 0);
	close(cfd);
	close(lfd);
	output_conf_free(&c);
}

/* ------------------------------------------------------------- redis */

static bool have_redis(void)
{
	return access("/usr/bin/redis-server", X_OK) == 0 ||
	       access("/usr/local/bin/redis-server", X_OK) == 0;
}

static const char *redis_bin(const char *name)
{
	static char b[2][64];
	int i = name[6] == 's'; /* redis-server vs redis-cli */

	snprintf(b[i], sizeof(b[i]), "%s/%s",
		 access("/usr/bin/redis-server", X_OK) == 0 ? "/usr/bin" : "/usr/local/bin", name);
	return b[i];
}

/* A redis-server on a unix socket in the test's folder (port 0: no TCP),
 * or on 127.0.0.1:port with a password. Returns its pid once it answers. */
static int redis_start(int port, const char *password)
{
	char portbuf[16], sock[4200];
	const char *argv[16];
	int n = 0, pid;

	snprintf(portbuf, sizeof(portbuf), "%d", port);
	snprintf(sock, sizeof(sock), "%s", test_path(dir, "redis.sock"));
	argv[n++] = redis_bin("redis-server");
	argv[n++] = "--port";
	argv[n++] = portbuf;
	argv[n++] = "--bind";
	argv[n++] = "127.0.0.1";
	argv[n++] = "--save";
	argv[n++] = "";
	argv[n++] = "--appendonly";
	argv[n++] = "no";
	argv[n++] = "--dir";
	argv[n++] = dir;
	if (password) {
		argv[n++] = "--requirepass";
		argv[n++] = password;
	} else {
		argv[n++] = "--unixsocket";
		argv[n++] = sock;
	}
	argv[n] = NULL;
	pid = run_spawn(argv, test_path(dir, "redis.out"), test_path(dir, "redis.err"));
	/* "Ready to accept connections" (TCP) or "... at PATH" (socket only). */
	cr_assert(wait_for_text(test_path(dir, "redis.out"), "eady to accept connections", 10000),
		  "redis-server did not start");
	return pid;
}

static void redis_stop(int pid)
{
	kill(pid, SIGKILL);
	run_wait(pid, 10000);
}

/* redis-cli's answer to one command, on the unix socket or the port. */
static char *cli(int port, const char *password, const char *a1, const char *a2, const char *a3,
		 const char *a4)
{
	struct run_result r = {0};
	char portbuf[16];
	const char *argv[16];
	int n = 0;
	char *out;

	argv[n++] = redis_bin("redis-cli");
	if (port) {
		snprintf(portbuf, sizeof(portbuf), "%d", port);
		argv[n++] = "-p";
		argv[n++] = portbuf;
	} else {
		argv[n++] = "-s";
		argv[n++] = test_path(dir, "redis.sock");
	}
	if (password) {
		argv[n++] = "-a";
		argv[n++] = password;
		argv[n++] = "--no-auth-warning";
	}
	argv[n++] = a1;
	if (a2)
		argv[n++] = a2;
	if (a3)
		argv[n++] = a3;
	if (a4)
		argv[n++] = a4;
	argv[n] = NULL;
	run_cmd(&r, argv);
	out = strdup(r.out ? r.out : "");
	run_result_free(&r);
	return out;
}

static long cli_num(int port, const char *password, const char *cmd, const char *key)
{
	char *s = cli(port, password, cmd, key, NULL, NULL);
	long v = atol(s);

	free(s);
	return v;
}

static struct output_set *redis_output(struct output_conf *c, enum redis_mode mode, int port,
				       const char *password)
{
	struct output_set *s;

	output_conf_init(c, "redis");
	c->sink = SINK_REDIS;
	c->redis_mode = mode;
	c->key = strdup("eve");
	if (port) {
		c->host = strdup("127.0.0.1");
		c->port = (uint16_t)port;
	} else {
		c->socket_path = strdup(test_path(dir, "redis.sock"));
	}
	if (password)
		c->password = strdup(password);
	s = open_one(c);
	wait_up(s, 0, true);
	return s;
}

static void submit3(struct output_set *s)
{
	output_set_submit(s, alert_line, strlen(alert_line));
	output_set_submit(s, flow_line, strlen(flow_line));
	output_set_submit(s, stats_line, strlen(stats_line));
	cr_assert(output_set_drain(s, 10000));
	cr_assert_eq(counters(s, 0).written, 3);
}

Test(output, redis_lpush_and_rpush)
{
	struct output_conf c;
	struct output_set *s;
	int pid;
	char *first;

	if (!have_redis())
		cr_skip_test("redis-server is not installed (tests/setup-deps.sh installs it)");
	pid = redis_start(0, NULL);
	for (int m = 0; m < 2; m++) {
		s = redis_output(&c, m ? REDIS_RPUSH : REDIS_LPUSH, 0, NULL);
		submit3(s);
		output_set_close(s, 1000);
		output_conf_free(&c);
		cr_assert_eq(cli_num(0, NULL, "LLEN", "eve"), 3);
		first = cli(0, NULL, "LINDEX", "eve", "0", NULL);
		/* LPUSH: the last record is first; RPUSH: the first is. */
		cr_assert_not_null(strstr(first, m ? "\"alert\"" : "\"stats\""), "%s", first);
		free(first);
		free(cli(0, NULL, "DEL", "eve", NULL, NULL));
	}
	redis_stop(pid);
}

Test(output, redis_xadd_with_exact_maxlen)
{
	struct output_conf c;
	struct output_set *s;
	int pid;
	char *rec;

	if (!have_redis())
		cr_skip_test("redis-server is not installed (tests/setup-deps.sh installs it)");
	pid = redis_start(0, NULL);
	output_conf_init(&c, "redis");
	c.sink = SINK_REDIS;
	c.redis_mode = REDIS_XADD;
	c.key = strdup("eve");
	c.socket_path = strdup(test_path(dir, "redis.sock"));
	c.stream_maxlen = 2;
	c.stream_trim_exact = true;
	s = open_one(&c);
	wait_up(s, 0, true);
	submit3(s);
	output_set_close(s, 1000);
	cr_assert_eq(cli_num(0, NULL, "XLEN", "eve"), 2);
	rec = cli(0, NULL, "XRANGE", "eve", "-", "+");
	cr_assert_not_null(strstr(rec, "eve\n{\"timestamp\":\"t\",\"event_type\":\"stats\""), "%s",
			   rec);
	cr_assert_null(strstr(rec, "\"alert\""));
	free(rec);
	output_conf_free(&c);
	redis_stop(pid);
}

Test(output, redis_publish_reaches_a_subscriber)
{
	struct output_conf c;
	struct output_set *s;
	const char *argv[6];
	int pid, sub;

	if (!have_redis())
		cr_skip_test("redis-server is not installed (tests/setup-deps.sh installs it)");
	pid = redis_start(0, NULL);
	argv[0] = redis_bin("redis-cli");
	argv[1] = "-s";
	argv[2] = test_path(dir, "redis.sock");
	argv[3] = "SUBSCRIBE";
	argv[4] = "eve";
	argv[5] = NULL;
	sub = run_spawn(argv, test_path(dir, "sub.out"), test_path(dir, "sub.err"));
	cr_assert(wait_for_text(test_path(dir, "sub.out"), "subscribe", 10000));
	s = redis_output(&c, REDIS_PUBLISH, 0, NULL);
	submit3(s);
	cr_assert(wait_for_text(test_path(dir, "sub.out"), "\"event_type\":\"stats\"", 10000));
	cr_assert(wait_for_text(test_path(dir, "sub.out"), "\"event_type\":\"alert\"", 10000));
	output_set_close(s, 1000);
	output_conf_free(&c);
	kill(sub, SIGKILL);
	run_wait(sub, 10000);
	redis_stop(pid);
}

Test(output, redis_password_on_a_port_killed_and_restarted)
{
	struct output_conf c;
	struct output_set *s;
	int port = 20000 + (int)(getpid() % 20000), pid;
	struct output_counters k;
	long n = 0;

	if (!have_redis())
		cr_skip_test("redis-server is not installed (tests/setup-deps.sh installs it)");
	pid = redis_start(port, "s3cret");
	s = redis_output(&c, REDIS_RPUSH, port, "s3cret");
	submit3(s);
	cr_assert_eq(cli_num(port, "s3cret", "LLEN", "eve"), 3);
	/* The server dies: submitting never blocks, what is lost is counted. */
	redis_stop(pid);
	for (int i = 0; i < 500 && counters(s, 0).up; i++) {
		output_set_submit(s, alert_line, strlen(alert_line));
		sleep_ms(20);
	}
	k = counters(s, 0);
	cr_assert_eq(k.up, false);
	cr_assert_geq(k.errors, 1);
	cr_assert_geq(k.dropped, 1);
	/* It comes back (empty: no persistence); sending resumes. */
	pid = redis_start(port, "s3cret");
	for (int i = 0; i < 500 && n == 0; i++) {
		output_set_submit(s, flow_line, strlen(flow_line));
		sleep_ms(20);
		n = cli_num(port, "s3cret", "LLEN", "eve");
	}
	cr_assert_gt(n, 0);
	cr_assert(counters(s, 0).up);
	output_set_close(s, 1000);
	output_conf_free(&c);
	redis_stop(pid);
}

struct producer {
	struct output_set *s;
	const char *line;
	size_t len;
	int n;
	volatile int done;
};

static void *produce(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < p->n; i++)
		output_set_submit(p->s, p->line, p->len);
	p->done = 1;
	return NULL;
}

Test(output, reading_a_file_waits_for_room_until_the_sink_fails)
{
	const char *path = test_path(dir, "wait.sock");
	int lfd = listener(path, SOCK_STREAM), cfd;
	struct output_conf c;
	struct output_set *s;
	static char line[1024];
	struct producer p = {.line = line, .len = sizeof(line), .n = 20000};
	pthread_t th;

	memset(line, 'x', sizeof(line));
	memcpy(line, "{\"event_type\":\"alert\",\"p\":\"", 27);
	memcpy(line + sizeof(line) - 3, "\"}\n", 3);
	output_conf_init(&c, "wait");
	c.sink = SINK_UNIX_STREAM;
	c.filename = strdup(path);
	c.queue_size = OUTPUT_QUEUE_MIN;
	s = open_one(&c);
	p.s = s;
	output_set_offline(s, true);
	cfd = accept_within(lfd, 10000); /* accepted, not read: the queue fills */
	wait_up(s, 0, true);
	cr_assert_eq(pthread_create(&th, NULL, produce, &p), 0);
	sleep_ms(300);
	cr_assert_eq(p.done, 0, "the producer should be waiting for room");
	cr_assert_eq(counters(s, 0).dropped, 0);
	/* The collector goes away: the waiting producer drops instead. */
	close(cfd);
	close(lfd);
	pthread_join(th, NULL);
	cr_assert_eq(p.done, 1);
	cr_assert_gt(counters(s, 0).dropped, 0);
	output_set_close(s, 0);
	output_conf_free(&c);
}
