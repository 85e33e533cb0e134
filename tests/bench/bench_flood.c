/*
 * bench_flood.c - the flow table under a SYN flood.
 *
 *   bench_flood SENSOR_BIN WORKDIR [SYNS]
 *
 * Writes a capture of SYNS (default 10,000,000) spoofed SYNs from distinct
 * sources (each its own flow, none answered) to one server, with one
 * established session to that server running through it: it sends a
 * segment carrying a pattern of its own (ROUND<k>MARK, one rule each)
 * before the flood and after every million SYNs. The sensor runs on it with the default flow table
 * (65,536 flows per worker), one worker, alerts and stats only. Prints the peak RSS, the run time,
 * the evictions by kind, and whether the session kept alerting (one alert per segment expected).
 * Figures only; the capture is deleted afterwards.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json_read.h"
#include "pcapgen.h"

#define PER_ROUND 1000000u

static void syn(struct pcapgen *g, unsigned i)
{
	char src[32];
	struct pg_pkt p = {
		.src = src,
		.dst = "198.18.1.80",
		.sport = (uint16_t)(1024 + i % 50000),
		.dport = 80,
		.proto = IPPROTO_TCP,
		.tcp_flags = 0x02,
		.seq = i * 2654435761u,
	};

	/* 198.19.0.0/16 and 198.18.128.0/17: ~98,000 addresses x 50,000 ports */
	snprintf(src, sizeof(src), "198.%u.%u.%u", 19 - (i / 65536 % 3 == 2), i / 256 % 256,
		 i % 256);
	pg_packet(g, &p);
}

/* Returns the number of pattern segments the session sent. */
static unsigned write_capture(const char *path, unsigned syns)
{
	struct pcapgen g;
	struct pg_tcp s;
	unsigned rounds = 0;

	pg_open(&g, path, 1);
	g.step_usec = 1; /* 1 M packets per second: well inside the timeouts */
	pg_tcp_init(&s, &g, "198.18.0.10", 40000, "198.18.1.80", 80);
	pg_tcp_handshake(&s);
	for (unsigned i = 0; i <= syns; i++) {
		if (i % PER_ROUND == 0) {
			char text[40];
			int n = snprintf(text, sizeof(text), "xxROUND%uMARKxx", rounds);

			pg_tcp_send(&s, PG_TO_SERVER, text, (size_t)n);
			pg_tcp_segment(&s, PG_TO_CLIENT, 0x10, 0, NULL, 0);
			rounds++;
		}
		if (i < syns)
			syn(&g, i);
	}
	pg_tcp_close(&s);
	pg_close(&g);
	return rounds;
}

static void write_file_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* One rule per round: ROUND<k>MARK, ids 1.. */
static void write_rules(const char *path, unsigned rounds)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs("rules:\n", f);
	for (unsigned k = 0; k < rounds; k++)
		fprintf(f,
			"  - {id: %u, msg: r%u, proto: tcp, patterns: [{content: ROUND%uMARK}]}\n",
			k + 1, k, k);
	if (fclose(f) != 0)
		abort();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak RSS in KiB of `sensor -c conf -S rules -r pcap -l logdir`. */
static long run(const char *bin, const char *conf, const char *rules, const char *pcap,
		const char *logdir)
{
	struct rusage ru;
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execl(bin, bin, "-c", conf, "-S", rules, "-r", pcap, "-l", logdir, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "sensor failed on %s\n", pcap);
		exit(1);
	}
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	char conf[4096], rules[4096], pcap[4096], logdir[4096], eve[4200];
	unsigned syns = argc > 3 ? (unsigned)atol(argv[3]) : 10000000u, rounds;
	struct eve_log log;
	const struct jr_val *st;
	double t0, t1;
	long rss;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_flood SENSOR_BIN WORKDIR [SYNS]\n");
		return 1;
	}
	snprintf(conf, sizeof(conf), "%s/flood.yaml", argv[2]);
	snprintf(rules, sizeof(rules), "%s/flood-rules.yaml", argv[2]);
	snprintf(pcap, sizeof(pcap), "%s/flood.pcap", argv[2]);
	snprintf(logdir, sizeof(logdir), "%s", argv[2]);
	snprintf(eve, sizeof(eve), "%s/eve.json", argv[2]);
	write_file_text(conf, "threads: 1\noutputs: {eve: {types: [alert, stats]}}\n"
			      "plugins:\n  - name: signature\n");
	write_rules(rules, syns / PER_ROUND + 1);
	unlink(eve);
	rounds = write_capture(pcap, syns);
	t0 = now_s();
	rss = run(argv[1], conf, rules, pcap, logdir);
	t1 = now_s();
	unlink(pcap);
	if (eve_load(&log, eve) != 0) {
		fprintf(stderr, "cannot read %s\n", eve);
		return 1;
	}
	st = eve_find(&log, "event_type=stats", 0);
	printf("%u spoofed SYNs, default flow table (65536 flows), 1 worker\n", syns);
	printf("peak RSS %ld MB, run time %.1f s (%.2f M packets/s)\n", rss / 1024, t1 - t0,
	       (syns + rounds * 2.0 + 6) / (t1 - t0) / 1e6);
	printf("flows %lld, evicted %lld: closed %lld, embryonic %lld, established %lld\n",
	       (long long)jr_int(st, "stats.flow.total", -1),
	       (long long)jr_int(st, "stats.flow.evicted", -1),
	       (long long)jr_int(st, "stats.flow.evicted_closed", -1),
	       (long long)jr_int(st, "stats.flow.evicted_embryonic", -1),
	       (long long)jr_int(st, "stats.flow.evicted_established", -1));
	printf("established session: %zu alerts of %u pattern segments (%s)\n",
	       eve_count(&log, "event_type=alert src_port=40000"), rounds,
	       eve_count(&log, "event_type=alert src_port=40000") == rounds ? "kept alerting"
									    : "MISSED");
	eve_free(&log);
	return 0;
}
