/*
 * bench_outputs - the cost of where records go: the same capture (N UDP
 * datagrams, each raising an alert and ending a flow, so 2N records) read
 * by the sensor writing to a file, to Redis (RPUSH, pipelined, over a unix
 * socket to a redis-server this program starts in WORKDIR), to both, and
 * to Redis as a stream (XADD). Prints records per second, best of 3 runs;
 * never a test. Needs redis-server and redis-cli (skips Redis otherwise).
 *
 *   bench_outputs SENSOR_BIN WORKDIR [DATAGRAMS]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pcapgen.h"
#include "run.h"

#define RUNS 3

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Best wall time of RUNS runs of the sensor with `conf`. */
static double best_run(const char *bin, const char *pcap, const char *conf, const char *rules,
		       const char *logdir)
{
	double best = 1e9;

	for (int r = 0; r < RUNS; r++) {
		struct run_result res = {0};
		const char *argv[] = {bin, "-r", pcap, "-c", conf, "-S", rules, "-l", logdir, NULL};
		char eve[4200];
		double t0 = now_s(), t;

		snprintf(eve, sizeof(eve), "%s/eve.json", logdir);
		unlink(eve);
		run_cmd(&res, argv);
		t = now_s() - t0;
		if (res.status != 0) {
			fprintf(stderr, "sensor failed: %s\n", res.err);
			exit(1);
		}
		run_result_free(&res);
		if (t < best)
			best = t;
	}
	return best;
}

static void redis_cli(const char *sock, const char *a1, const char *a2)
{
	struct run_result r = {0};
	const char *argv[] = {"/usr/bin/redis-cli", "-s", sock, a1, a2, NULL};

	run_cmd(&r, argv);
	run_result_free(&r);
}

/* The config of case k: file, redis list, both, redis stream. */
static void output_yaml(char *text, size_t len, int k, const char *sock)
{
	static const char head[] = "plugins:\n  - name: signature\noutputs:\n";
	static const char file[] = "  - eve: {name: f, filename: eve.json}\n";

	if (k == 0)
		snprintf(text, len, "%s%s", head, file);
	else if (k == 3)
		snprintf(text, len,
			 "%s  - eve: {name: r, sink: redis, redis: {socket: %s, mode: xadd, key: "
			 "eve, stream-maxlen: 100000}}\n",
			 head, sock);
	else
		snprintf(text, len,
			 "%s%s  - eve: {name: r, sink: redis, redis: {socket: %s, mode: rpush, "
			 "key: eve}}\n",
			 head, k == 2 ? file : "", sock);
}

int main(int argc, char **argv)
{
	char pcap[4096], rules[4096], logdir[4096], sock[4096], conf[4096], text[8192];
	long n = argc > 3 ? atol(argv[3]) : 200000;
	const char *dir;
	struct pcapgen g;
	double t_none, t;
	int redis = -1;
	const char *const names[] = {"file", "redis-list", "file+redis", "redis-stream"};

	if (argc < 3) {
		fprintf(stderr, "usage: bench_outputs SENSOR_BIN WORKDIR [DATAGRAMS]\n");
		return 1;
	}
	dir = argv[2];
	snprintf(pcap, sizeof(pcap), "%s/outputs.pcap", dir);
	snprintf(rules, sizeof(rules), "%s/outputs-rules.yaml", dir);
	snprintf(logdir, sizeof(logdir), "%s/outputs-log", dir);
	mkdir(logdir, 0755);
	write_text(rules,
		   "rules:\n  - {id: 1, msg: mark, proto: udp, patterns: [{content: MARK}]}\n");
	pg_open(&g, pcap, 1);
	for (long i = 0; i < n; i++)
		pg_udp(&g, "198.18.0.2", (uint16_t)(1024 + i % 60000), "198.18.1.53",
		       (uint16_t)(53 + i / 60000), "MARK payload of the benchmark", 29);
	pg_close(&g);
	printf("capture: %ld UDP datagrams, each an alert and a flow: %ld records\n", n, 2 * n);
	snprintf(conf, sizeof(conf), "%s/none.yaml", dir);
	write_text(conf, "plugins:\n  - name: signature\noutputs:\n  - eve: {enabled: false}\n");
	t_none = best_run(argv[1], pcap, conf, rules, logdir);
	printf("  %-13s %.3f s (no output: the baseline)\n", "none", t_none);
	redis = run_redis(dir, sock, sizeof(sock));
	for (int k = 0; k < 4; k++) {
		if (k && redis < 0) {
			printf("  %-13s skipped: redis-server not installed or did not start\n",
			       names[k]);
			continue;
		}
		snprintf(conf, sizeof(conf), "%s/%s.yaml", dir, names[k]);
		output_yaml(text, sizeof(text), k, sock);
		write_text(conf, text);
		redis_cli(sock, "FLUSHALL", NULL);
		t = best_run(argv[1], pcap, conf, rules, logdir);
		printf("  %-13s %.3f s, %.0f records/s (%.0f%% above the baseline)\n", names[k], t,
		       2.0 * n / t, 100.0 * (t - t_none) / t_none);
	}
	run_redis_stop(redis);
	return 0;
}
