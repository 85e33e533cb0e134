/*
 * bench_sensor.c - the core benchmark: the sensor end to end on one worker
 * against the raw Hyperscan scan of the same patterns over the same bytes.
 *
 *   bench_sensor SENSOR_BIN WORKDIR [MEGABYTES]
 *
 * Writes WORKDIR/bench.pcap (default 256 MB of HTTP-like TCP sessions, one
 * TLS session in ten, and DNS-like UDP) and WORKDIR/bench-rules.yaml (1,000
 * rules: mostly literals, some regexes, a few that hit), runs `sensor
 * --threads 1` on them with the signature plugin alone (the rules on
 * streams, then on packets) and with every shipped plugin and its rules, and
 * prints Mbit/s, packets/s, peak RSS and CPU time; the every-plugin run is
 * repeated with alerts as the only record type and without the protocol
 * records, to print what records cost, and once more to a Redis list (a
 * redis-server of its own in WORKDIR, when installed); then compiles the same patterns
 * into one Hyperscan block database and scans every payload once, which is
 * the ceiling the sensor's per-packet work is measured against. Last, the
 * same sessions are written again inside VXLAN (WORKDIR/bench-vxlan.pcap,
 * Ethernet/IPv4/UDP 4789/VXLAN around each frame) and the stream-rule run
 * is repeated on them, to show what decoding the tunnel costs. Figures
 * only: nothing here passes or fails.
 */
#include <hs/hs.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pcapgen.h"
#include "run.h"
#include "tls_hello.h"

#define N_RULES	  1000
#define N_REGEX	  50
#define N_HITTING 10

struct payloads {
	uint8_t *buf; /* every payload back to back */
	size_t len, cap;
	uint32_t *off; /* start of payload i; off[n] = len */
	size_t n, ncap;
};

static uint32_t rng = 0x9e3779b9u;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void keep_payload(struct payloads *p, const void *data, size_t len)
{
	if (p->len + len > p->cap) {
		p->cap = (p->cap + len) * 2;
		p->buf = realloc(p->buf, p->cap);
	}
	if (p->n + 2 > p->ncap) {
		p->ncap = p->ncap ? p->ncap * 2 : 4096;
		p->off = realloc(p->off, p->ncap * sizeof(*p->off));
	}
	if (!p->buf || !p->off)
		abort();
	memcpy(p->buf + p->len, data, len);
	p->off[p->n++] = (uint32_t)p->len;
	p->len += len;
	p->off[p->n] = (uint32_t)p->len;
}

static const char *const words[] = {
	"the",	 "session", "value",  "content", "script",  "window",  "function", "return",
	"class", "style",   "header", "button",	 "account", "request", "server",   "data",
	"image", "index",   "token",  "user",	 "search",  "price",   "cart",	   "order",
};

/* HTML-like text of `len` bytes. */
static void fill_text(char *out, size_t len)
{
	size_t at = 0;

	while (at < len) {
		const char *w = words[next_rand() % (sizeof(words) / sizeof(words[0]))];
		size_t n = strlen(w);
		int tag = next_rand() % 7 == 0;

		if (tag && at + 2 < len)
			out[at++] = '<';
		for (size_t i = 0; i < n && at < len; i++)
			out[at++] = w[i];
		if (at < len)
			out[at++] = tag ? '>' : ' ';
	}
}

/* The response's head at the start of its first segment, the body
 * filling the rest of the 8 segments, so that the http plugin parses a
 * whole transaction and writes its record. */
static void response_head(char *seg)
{
	char head[160];
	int n = 0, len;

	/* two passes: the head's own length is part of Content-Length's sum */
	for (int pass = 0; pass < 2; pass++) {
		len = 8 * 1460 - n;
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
			     "Content-Length: %5d\r\n\r\n",
			     len);
	}
	memcpy(seg, head, (size_t)n);
}

static void http_session(struct pcapgen *g, struct payloads *pl, unsigned i)
{
	char host[32], req[600], body[1460];
	struct pg_tcp s;
	int n;

	snprintf(host, sizeof(host), "198.18.%u.%u", 1 + (i >> 8) % 250, 1 + i % 250);
	pg_tcp_init(&s, g, host, (uint16_t)(10000 + i % 50000), "198.19.0.80", 80);
	pg_tcp_handshake(&s);
	n = snprintf(req, sizeof(req),
		     "GET /shop/item/%u?ref=%u HTTP/1.1\r\nHost: www.shop%u.example\r\n"
		     "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
		     "Firefox/128.0\r\nAccept: text/html,application/xhtml+xml\r\n"
		     "Accept-Language: en-US,en;q=0.5\r\nCookie: session=%08x%08x\r\n\r\n",
		     i, next_rand() % 100000, i % 97, next_rand(), next_rand());
	/* One session in 5,000 carries what the hitting rules look for. */
	if (i % 5000 == 1)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "benchmark-hit-%u",
			      i / 5000 % N_HITTING);
	pg_tcp_send(&s, PG_TO_SERVER, req, (size_t)n);
	keep_payload(pl, req, (size_t)n);
	for (int seg = 0; seg < 8; seg++) {
		fill_text(body, sizeof(body));
		if (seg == 0)
			response_head(body);
		pg_tcp_send(&s, PG_TO_CLIENT, body, sizeof(body));
		keep_payload(pl, body, sizeof(body));
	}
	pg_tcp_close(&s);
}

static void dns_like(struct pcapgen *g, struct payloads *pl, unsigned i)
{
	static const uint8_t question[] = "\x03www\x06shop00\x07"
					  "example\x00\x00\x01\x00\x01";
	uint8_t msg[64] = {(uint8_t)(i >> 8), (uint8_t)i, 1, 0, 0, 1};
	size_t n = 12 + sizeof(question) - 1;

	memcpy(msg + 12, question, sizeof(question) - 1);
	msg[12 + 8] = (uint8_t)('0' + i / 10 % 10);
	msg[12 + 9] = (uint8_t)('0' + i % 10);
	pg_udp(g, "198.18.0.10", (uint16_t)(30000 + i % 20000), "198.19.0.53", 53, msg, n);
	keep_payload(pl, msg, n);
}

/* Rule i's pattern as written in YAML and as a Hyperscan expression. */
static void rule_pattern(unsigned i, char *yaml, size_t ylen, char *hs, size_t hlen,
			 unsigned *flags)
{
	*flags = HS_FLAG_SINGLEMATCH;
	if (i < N_HITTING) {
		snprintf(yaml, ylen, "{content: \"benchmark-hit-%u\"}", i);
		snprintf(hs, hlen, "benchmark\\-hit\\-%u", i);
	} else if (i < N_HITTING + N_REGEX) {
		snprintf(yaml, ylen, "{regex: 'cmd%u\\.(exe|dll)\\?[a-z]{2,8}=[0-9]+'}", i);
		snprintf(hs, hlen, "cmd%u\\.(exe|dll)\\?[a-z]{2,8}=[0-9]+", i);
	} else if (i % 4 == 0) {
		snprintf(yaml, ylen, "{content: \"X-Trojan-%05u:\", nocase: true}", i);
		snprintf(hs, hlen, "X\\-Trojan\\-%05u:", i);
		*flags |= HS_FLAG_CASELESS;
	} else {
		snprintf(yaml, ylen, "{content: \"/beacon/%05u/%c%c%c.php\"}", i, 'a' + i % 26,
			 'a' + i / 26 % 26, 'a' + i / 676 % 26);
		snprintf(hs, hlen, "/beacon/%05u/%c%c%c\\.php", i, 'a' + i % 26, 'a' + i / 26 % 26,
			 'a' + i / 676 % 26);
	}
}

/* The rule file; TCP rules look at reassembled streams (their default)
 * or, with `packet_only`, at each packet. */
static void write_rules(const char *path, bool packet_only, char **exprs, unsigned *flags)
{
	FILE *f = fopen(path, "w");
	char yaml[256];

	if (!f)
		abort();
	fprintf(f, "rules:\n");
	for (unsigned i = 0; i < N_RULES; i++) {
		exprs[i] = malloc(256);
		rule_pattern(i, yaml, sizeof(yaml), exprs[i], 256, &flags[i]);
		fprintf(f,
			"  - {id: %u, msg: \"bench rule %u\", proto: %s, scope: %s, "
			"patterns: [%s]}\n",
			100000 + i, i, i % 10 == 9 ? "udp" : "tcp",
			packet_only || i % 10 == 9 ? "packet" : "stream", yaml);
	}
	fclose(f);
}

static void free_exprs(char **exprs)
{
	for (unsigned r = 0; r < N_RULES; r++)
		free(exprs[r]);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
		    void *ctx)
{
	++*(unsigned long long *)ctx;
	return 0;
}

static double raw_scan(const struct payloads *pl, char **exprs, unsigned *flags)
{
	unsigned ids[N_RULES];
	hs_database_t *db;
	hs_compile_error_t *cerr;
	hs_scratch_t *scratch = NULL;
	unsigned long long matches = 0;
	double t0, dt;

	for (unsigned i = 0; i < N_RULES; i++)
		ids[i] = i;
	if (hs_compile_multi((const char *const *)exprs, flags, ids, N_RULES, HS_MODE_BLOCK, NULL,
			     &db, &cerr) != HS_SUCCESS) {
		fprintf(stderr, "hs_compile_multi: %s\n", cerr->message);
		exit(1);
	}
	hs_alloc_scratch(db, &scratch);
	t0 = now_s();
	for (size_t i = 0; i < pl->n; i++)
		hs_scan(db, (const char *)pl->buf + pl->off[i], pl->off[i + 1] - pl->off[i], 0,
			scratch, on_match, &matches);
	dt = now_s() - t0;
	printf("raw Hyperscan block scan: %zu payloads, %.1f MB in %.3f s = %.2f Gbit/s "
	       "(%llu matches)\n",
	       pl->n, pl->len / 1e6, dt, pl->len * 8 / dt / 1e9, matches);
	hs_free_scratch(scratch);
	hs_free_database(db);
	return dt;
}

/*
 * The sensor runs are forked before the benchmark fills its memory with the
 * payloads, and wait on a pipe: Linux carries a process's peak RSS across
 * exec, so a child forked later would report the parent's memory as its own.
 */
struct launcher {
	pid_t pid;
	int go; /* write end of the pipe the child waits on */
};

static void launcher_new(struct launcher *l, const char *const *argv)
{
	int fds[2];
	char c;

	if (pipe(fds) < 0)
		abort();
	fflush(stdout);
	l->pid = fork();
	if (l->pid < 0)
		abort();
	if (l->pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(126);
		/* stdout and the start-up summary on stderr: a failed run says
		 * "sensor failed"; run its command by hand to see why */
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[0]);
	l->go = fds[1];
}

/* Start the waiting sensor; returns its wall time in seconds. */
static double launcher_run(struct launcher *l, struct rusage *ru)
{
	double t0 = now_s();
	int st;

	if (write(l->go, "g", 1) != 1)
		abort();
	close(l->go);
	if (wait4(l->pid, &st, 0, ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "sensor failed (status %d)\n", st);
		exit(1);
	}
	return now_s() - t0;
}

#define RUNS 3

/* CPU time of the last report()'s least run: on a shared machine wall
 * times vary too much to compare two configurations. */
static double last_cpu;

/* ------------------------------------------- scaling across workers */

#define SCALE_RUNS 5
#define MAX_ALERTS 100000

/* Run argv once now, its output thrown away; wall seconds, CPU in *cpu. */
static double run_once(const char *const *argv, double *cpu)
{
	struct launcher l;
	struct rusage ru;
	double dt;

	launcher_new(&l, argv);
	dt = launcher_run(&l, &ru);
	*cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
	return dt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t field_u64(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* The alerts of an EVE file as sorted (signature_id, pcap_cnt) keys. */
static size_t read_alerts(const char *path, uint64_t *keys)
{
	FILE *f = fopen(path, "r");
	char line[65536];
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < MAX_ALERTS) {
		if (!strstr(line, "\"event_type\":\"alert\""))
			continue;
		keys[n++] = field_u64(line, "\"signature_id\":") << 40 |
			    field_u64(line, "\"pcap_cnt\":");
	}
	fclose(f);
	qsort(keys, n, sizeof(*keys), cmp_u64);
	return n;
}

/*
 * The sensor with 1, 2 and 4 workers on the stream rules (several workers
 * walking the file's map themselves, the default), and 2 workers behind a
 * reader thread (capture.file-read: reader) to compare, SCALE_RUNS runs
 * of each taken in turn (1 2 4 2r 1 2 4 2r ...) so that a change in the machine's
 * load touches all alike; medians after start-up (the median `sensor -T`),
 * and the alerts of every run compared with those of the first.
 */
static void scaling(const char *bin, const char *pcap, const char *conf, const char *rules,
		    const char *workdir, uint64_t bytes)
{
	/* the last: 2 workers behind the reader thread (capture.file-read) */
	static const char *const counts[] = {"1", "2", "4", "2"};
	enum { N_CONF = 4 };
	static uint64_t first[MAX_ALERTS], keys[MAX_ALERTS];
	double wall[N_CONF][SCALE_RUNS], cpu[N_CONF][SCALE_RUNS], t[SCALE_RUNS], c, setup, base = 0;
	const char *check_argv[] = {bin, "-T", "-c", conf, "-S", rules, NULL};
	char logdir[4096], eve[4200], rconf[4200];
	size_t n_first = 0, n;
	bool same = true;

	snprintf(logdir, sizeof(logdir), "%s/log-scale", workdir);
	snprintf(eve, sizeof(eve), "%s/eve.json", logdir);
	snprintf(rconf, sizeof(rconf), "%s/signature-reader.yaml", workdir);
	write_text(rconf, "plugins:\n  - name: signature\ncapture: {file-read: reader}\n");
	for (int r = 0; r < SCALE_RUNS; r++)
		t[r] = run_once(check_argv, &c);
	setup = median(t, SCALE_RUNS);
	for (int r = 0; r < SCALE_RUNS; r++) {
		for (int k = 0; k < N_CONF; k++) {
			const char *argv[] = {bin,	 "-r",	pcap, "-c",   k == 3 ? rconf : conf,
					      "-S",	 rules, "-l", logdir, "--threads",
					      counts[k], NULL};

			unlink(eve);
			wall[k][r] = run_once(argv, &cpu[k][r]) - setup;
			n = read_alerts(eve, k == 0 && r == 0 ? first : keys);
			if (k == 0 && r == 0)
				n_first = n;
			else if (n != n_first || memcmp(first, keys, n * sizeof(*keys)) != 0)
				same = false;
		}
	}
	printf("scaling: stream rules, signature plugin, %d runs of each taken in turn; medians "
	       "after start-up (%.3f s)\n",
	       SCALE_RUNS, setup);
	for (int k = 0; k < N_CONF; k++) {
		double w = median(wall[k], SCALE_RUNS), cp = median(cpu[k], SCALE_RUNS);

		if (k == 0)
			base = w;
		printf("  %s worker%s%s: %.3f s (min %.3f, max %.3f), %.2f Gbit/s, %.2fx one "
		       "worker; "
		       "CPU %.3f s\n",
		       counts[k], k ? "s" : "", k == 3 ? " behind a reader thread" : "", w,
		       wall[k][0], wall[k][SCALE_RUNS - 1], bytes * 8 / w / 1e9, base / w, cp);
	}
	printf("  alerts: %zu in every run, %s\n", n_first,
	       same ? "identical for 1, 2 and 4 workers" : "DIFFERENT between runs");
}

/* Reading the file alone: map it and touch every cache line once (the
 * floor's first half; the second is the raw Hyperscan scan). */
static double read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	volatile uint8_t sink = 0;
	const uint8_t *m;
	double t0 = now_s();

	if (fd < 0 || fstat(fd, &st) < 0)
		abort();
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		abort();
	madvise((void *)m, (size_t)st.st_size, MADV_SEQUENTIAL);
	for (off_t i = 0; i < st.st_size; i += 64)
		sink ^= m[i];
	munmap((void *)m, (size_t)st.st_size);
	close(fd);
	(void)sink;
	return now_s() - t0;
}

static double report(const char *what, struct launcher *check, struct launcher *runs,
		     uint64_t bytes, uint64_t frames, const struct payloads *pl)
{
	struct rusage ru;
	double setup = launcher_run(check, &ru), best = 0, dt, cpu;
	long rss = 0;

	last_cpu = 0;
	for (int i = 0; i < RUNS; i++) {
		dt = launcher_run(&runs[i], &ru);
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		if (i == 0 || dt < best)
			best = dt;
		if (i == 0 || cpu < last_cpu)
			last_cpu = cpu;
		if (ru.ru_maxrss > rss)
			rss = ru.ru_maxrss;
	}
	printf("%s\n", what);
	printf("  start-up (config, 1,000 rules compiled; sensor -T): %.3f s\n", setup);
	printf("  1 worker, best of %d: %.3f s in all, %.3f s after start-up\n", RUNS, best,
	       best - setup);
	dt = best - setup > 0 ? best - setup : best;
	printf("  %.2f Gbit/s of capture (%.0f packets/s), %.2f Gbit/s of payload; peak RSS %ld "
	       "MB\n",
	       bytes * 8 / dt / 1e9, frames / dt, pl->len * 8 / dt / 1e9, rss / 1024);
	printf("  CPU time (user + system, start-up included), least of %d: %.3f s\n", RUNS,
	       last_cpu);
	return dt;
}

/* The -T check and the timed runs of one rule file, waiting to start. */
/* The -T check and the timed runs with config `conf` and the rule files
 * `rules` (NULL-terminated, at most 6), waiting to start. */
static void launchers(const char *bin, const char *pcap, const char *conf, const char *const *rules,
		      const char *logdir, struct launcher *check, struct launcher *runs)
{
	const char *check_argv[24] = {bin, "-T", "-c", conf};
	const char *run_argv[24] = {bin, "-r", pcap, "-c", conf, "-l", logdir, "--threads", "1"};
	size_t nc = 4, nr = 9;

	for (size_t i = 0; rules[i] && i < 6; i++) {
		check_argv[nc++] = "-S";
		check_argv[nc++] = rules[i];
		run_argv[nr++] = "-S";
		run_argv[nr++] = rules[i];
	}
	launcher_new(check, check_argv);
	for (int r = 0; r < RUNS; r++)
		launcher_new(&runs[r], run_argv);
}

/* One TLS session (as in the wild: the handshake, then encrypted
 * application data), every tenth session. */
static void tls_session(struct pcapgen *g, struct payloads *pl, unsigned i)
{
	static uint8_t body[2048], hs[2048], rec[2100], data[1460];
	static const char *const snis[] = {"www.shop.example", "cdn.example", "api.example"};
	struct th_spec spec = th_foxio(i % 2, snis[i % 3]);
	char host[32];
	struct pg_tcp s;
	size_t n;

	snprintf(host, sizeof(host), "198.18.%u.%u", 1 + (i >> 8) % 250, 1 + i % 250);
	pg_tcp_init(&s, g, host, (uint16_t)(10000 + i % 50000), "198.19.0.43", 443);
	pg_tcp_handshake(&s);
	n = th_records(hs, th_handshake(1, body, th_client_hello(&spec, body), hs), 16384, rec);
	pg_tcp_send(&s, PG_TO_SERVER, rec, n);
	keep_payload(pl, rec, n);
	n = th_records(hs, th_handshake(2, body, th_server_hello(0x0303, 0x1301, 0x0304, body), hs),
		       16384, rec);
	pg_tcp_send(&s, PG_TO_CLIENT, rec, n);
	keep_payload(pl, rec, n);
	for (int seg = 0; seg < 8; seg++) {
		data[0] = 23, data[1] = 3, data[2] = 3, data[3] = (1460 - 5) >> 8,
		data[4] = (1460 - 5) & 0xff;
		for (size_t k = 5; k < sizeof(data); k++)
			data[k] = (uint8_t)next_rand();
		pg_tcp_send(&s, PG_TO_CLIENT, data, sizeof(data));
		keep_payload(pl, data, sizeof(data));
	}
	pg_tcp_close(&s);
}

/* The capture's sessions, until the file has `mb` megabytes or, when *n
 * is not 0, *n sessions; `pl` collects their payloads. */
static long write_sessions(struct pcapgen *g, struct payloads *pl, long mb, unsigned *n)
{
	unsigned i = 0, want = *n;
	long size;

	g->step_usec = 10;
	do {
		if (i % 10 == 5)
			tls_session(g, pl, i);
		else
			http_session(g, pl, i);
		dns_like(g, pl, i);
		i++;
	} while ((size = ftell(g->f)), want ? i < want : size < mb * 1000000L);
	*n = i;
	return size;
}

/* The same sessions (same random numbers) inside VXLAN. */
static void vxlan_capture(const char *path, unsigned sessions, uint32_t seed,
			  struct launcher *check, struct launcher *runs, uint64_t plain_frames)
{
	static const struct pg_tunnel vx = {
		PG_TUN_VXLAN, "198.18.200.1", "198.18.200.2", 4242, 0, 0, NULL};
	struct payloads pl = {0};
	struct pcapgen g;
	unsigned n = sessions;
	long size;

	rng = seed;
	pg_open(&g, path, 1);
	g.tunnel = &vx;
	size = write_sessions(&g, &pl, 0, &n);
	pg_close(&g);
	printf("VXLAN capture: %s, %.1f MB, %llu frames (%s the plain capture's), %u sessions\n",
	       path, size / 1e6, (unsigned long long)g.frames,
	       g.frames == plain_frames ? "the same as" : "NOT", n);
	report("TCP rules on streams, the same sessions inside VXLAN:", check, runs, (uint64_t)size,
	       g.frames, &pl);
	free(pl.buf);
	free(pl.off);
}

/* Every record type to a Redis list (RPUSH, pipelined) on a redis-server
 * of our own on a unix socket in `dir`, the same plugins and rules. */
static void records_to_redis(const char *bin, const char *pcap, const char *dir,
			     const char *const *files, const char *logdir, const char *plugins,
			     uint64_t size, uint64_t frames, const struct payloads *pl)
{
	char sock[4096], conf[4096], text[8192];
	struct launcher check, runs[RUNS];
	int redis = run_redis(dir, sock, sizeof(sock));

	if (redis < 0) {
		printf("every record type to Redis: skipped (redis-server not installed or did "
		       "not start)\n");
		return;
	}
	snprintf(conf, sizeof(conf), "%s/to-redis.yaml", dir);
	snprintf(text, sizeof(text),
		 "outputs:\n  - eve: {name: r, sink: redis, redis: {socket: %s, mode: rpush, "
		 "key: eve}}\n%s",
		 sock, plugins);
	write_text(conf, text);
	launchers(bin, pcap, conf, files, logdir, &check, runs);
	report("the same plugins and rules, every record type to a Redis list (RPUSH):", &check,
	       runs, size, frames, pl);
	run_redis_stop(redis);
}

/*
 * What records cost: every plugin and rule as in the "every shipped
 * plugin" run, once with alerts as the only record type and once with
 * every type but the protocol records (http, dns, tls); compared by CPU
 * time with that run (`all_cpu`).
 */
static void records_cost(const char *bin, const char *pcap, const char *dir,
			 const char *const *files, const char *logdir, double all_cpu,
			 uint64_t size, uint64_t frames, const struct payloads *pl)
{
	static const char plugins[] = "plugins:\n  - name: signature\n  - name: http\n"
				      "  - name: dns\n  - name: tls\n  - name: portscan\n"
				      "    options: {ports: 20, hosts: 20, window: 60}\n";
	char aconf[4096], nconf[4096], text[1024];
	struct launcher acheck, aruns[RUNS], ncheck, nruns[RUNS];
	double alerts_cpu, noproto_cpu;

	snprintf(aconf, sizeof(aconf), "%s/alerts-only.yaml", dir);
	snprintf(text, sizeof(text), "outputs: {eve: {types: [alert]}}\n%s", plugins);
	write_text(aconf, text);
	snprintf(nconf, sizeof(nconf), "%s/no-protocol-records.yaml", dir);
	snprintf(text, sizeof(text), "outputs: {eve: {types: [alert, anomaly, flow, stats]}}\n%s",
		 plugins);
	write_text(nconf, text);
	launchers(bin, pcap, aconf, files, logdir, &acheck, aruns);
	launchers(bin, pcap, nconf, files, logdir, &ncheck, nruns);
	report("the same plugins and rules, alerts the only record type:", &acheck, aruns, size,
	       frames, pl);
	alerts_cpu = last_cpu;
	report("the same, every record type but the protocol records (http, dns, tls):", &ncheck,
	       nruns, size, frames, pl);
	noproto_cpu = last_cpu;
	printf("records' cost in CPU time: protocol records %.1f %% of the run without them; "
	       "every record type %.1f %% of alerts only\n",
	       (all_cpu - noproto_cpu) / noproto_cpu * 100,
	       (all_cpu - alerts_cpu) / alerts_cpu * 100);
	records_to_redis(bin, pcap, dir, files, logdir, plugins, size, frames, pl);
}

int main(int argc, char **argv)
{
	struct payloads pl = {0};
	struct pcapgen g;
	char pcap[4096], rules[4096], prules[4096], logdir[4096], sigconf[4096], vpcap[4096];
	struct launcher check, runs[RUNS], pcheck, pruns[RUNS], acheck, aruns[RUNS];
	struct launcher vcheck, vruns[RUNS];
	const char *const stream_files[] = {rules, NULL};
	const char *const packet_files[] = {prules, NULL};
	const char *const all_files[] = {rules,
					 SOURCE_DIR "/rules/signature.yaml",
					 SOURCE_DIR "/rules/http.yaml",
					 SOURCE_DIR "/rules/dns.yaml",
					 SOURCE_DIR "/rules/tls.yaml",
					 NULL};
	char *exprs[N_RULES];
	unsigned flags[N_RULES];
	long mb = argc > 3 ? atol(argv[3]) : 256;
	double best_stream, floor_s, read_s;
	unsigned i = 0;
	uint32_t seed;
	long size;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_sensor SENSOR_BIN WORKDIR [MEGABYTES]\n");
		return 1;
	}
	snprintf(pcap, sizeof(pcap), "%s/bench.pcap", argv[2]);
	snprintf(vpcap, sizeof(vpcap), "%s/bench-vxlan.pcap", argv[2]);
	snprintf(rules, sizeof(rules), "%s/bench-rules.yaml", argv[2]);
	snprintf(prules, sizeof(prules), "%s/bench-rules-packet.yaml", argv[2]);
	snprintf(logdir, sizeof(logdir), "%s/log", argv[2]);
	snprintf(sigconf, sizeof(sigconf), "%s/signature-only.yaml", argv[2]);
	write_text(sigconf, "plugins:\n  - name: signature\n");
	launchers(argv[1], pcap, sigconf, stream_files, logdir, &check, runs);
	launchers(argv[1], pcap, sigconf, packet_files, logdir, &pcheck, pruns);
	launchers(argv[1], pcap, SOURCE_DIR "/conf/sensor.yaml", all_files, logdir, &acheck, aruns);
	launchers(argv[1], vpcap, sigconf, stream_files, logdir, &vcheck, vruns);
	write_rules(prules, true, exprs, flags);
	free_exprs(exprs);
	write_rules(rules, false, exprs, flags);
	pg_open(&g, pcap, 1);
	seed = rng;
	size = write_sessions(&g, &pl, mb, &i);
	pg_close(&g);
	printf("capture: %s, %.1f MB, %llu frames, %u sessions; rules: %d (%d regex, %d hitting)\n",
	       pcap, size / 1e6, (unsigned long long)g.frames, i, N_RULES, N_REGEX, N_HITTING);
	best_stream =
		report("TCP rules on reassembled streams (scope: stream, the default):", &check,
		       runs, (uint64_t)size, g.frames, &pl);
	report("the same rules on each packet (scope: packet):", &pcheck, pruns, (uint64_t)size,
	       g.frames, &pl);
	report("every shipped plugin (http, dns, tls, portscan) and their rules, plus the 1,000 "
	       "stream rules:",
	       &acheck, aruns, (uint64_t)size, g.frames, &pl);
	records_cost(argv[1], pcap, argv[2], all_files, logdir, last_cpu, (uint64_t)size, g.frames,
		     &pl);
	scaling(argv[1], pcap, sigconf, rules, argv[2], (uint64_t)size);
	read_s = read_file(pcap);
	floor_s = read_s + raw_scan(&pl, exprs, flags);
	printf("floor (reading the file from its map, %.3f s, plus the raw scan): %.3f s; "
	       "sensor, 1 worker, stream rules: %.2fx the floor\n",
	       read_s, floor_s, best_stream / floor_s);
	free_exprs(exprs);
	free(pl.buf);
	free(pl.off);
	vxlan_capture(vpcap, i, seed, &vcheck, vruns, g.frames);
	return 0;
}
