/*
 * bench_rules.c - what big rule sets cost: load + compile time and peak
 * RSS, cold and from the Hyperscan cache, and matcher_scan throughput.
 *
 *   bench_rules [MEGABYTES] [WORKDIR]
 *
 * Two YAML rule sets are generated into WORKDIR (default /tmp/bench_rules):
 *   1k     1,000 literal rules (bench_literal paths, as in bench_matcher)
 *          plus 5 regexes and 3 pcres: today's benchmark shape;
 *   et25k  25,000 rules with ET Open's shape: most rules pair a common
 *          short content ("GET ", "POST ", "\r\n", "Host: ") with a rarer
 *          one, 31 % use distance/within, 6 % a relative pcre, 5 % a
 *          negated content, 2 % byte_test/isdataat, 40 % nocase.
 * Each set is loaded and compiled in a child process twice: with an empty
 * cache folder (cold), then with the entry the first run stored (cached);
 * the child prints the seconds spent loading and compiling and its peak
 * RSS (getrusage) right after compiling. The cached child then scans about
 * MEGABYTES (default 100) of HTTP-like payloads as packets (best of 3) and
 * prints Gbit/s. Figures only: nothing passes or fails. Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/diag.h"
#include "bench_common.h"
#include "detect/matcher.h"
#include "detect/matcher_cache.h"
#include "detect/rules.h"

static void write_1k(FILE *f)
{
	static const char *const regexes[] = {
		"User-Agent: [a-z]+bot/[0-9]{2}\\\\.[0-9]", "/etc/(passwd|shadow)",
		"cmd=[a-z]{2,8}%20", "\\\\.\\\\./\\\\.\\\\./", "select\\\\s+.{1,40}\\\\s+from"};
	static const char *const pcres[] = {"/^POST \\\\/upload\\\\/[a-z0-9]+\\\\.php/",
					    "/(sess[0-9])=\\\\1/", "/<script[^>]*>evil/i"};
	char s[64];

	fprintf(f, "rules:\n");
	for (unsigned i = 0; i < 1000; i++) {
		bench_literal(s, sizeof(s), i);
		fprintf(f, "  - {id: %u, msg: m, patterns: [{content: \"%s\", nocase: %s}]}\n",
			1000000 + i, s, i % 4 == 0 ? "true" : "false");
	}
	for (unsigned i = 0; i < 5; i++)
		fprintf(f, "  - {id: %u, msg: m, patterns: [{regex: \"%s\"}]}\n", 2000000 + i,
			regexes[i]);
	for (unsigned i = 0; i < 3; i++)
		fprintf(f, "  - {id: %u, msg: m, patterns: [{pcre: \"%s\"}]}\n", 3000000 + i,
			pcres[i]);
}

/* The rarer content of ET-shaped rule i: 6-30 bytes. */
static void et_content(char *s, size_t n, unsigned i)
{
	static const char *const parts[] = {"/wp-", "admin",   ".php?", "id=",	 "cmd", "/api/",
					    "user", "Mozilla", "x-",	"token", "cfg", "/cgi"};
	unsigned len = 6 + bench_rnd() % 25, o = 0;

	o += (unsigned)snprintf(s, n, "%s%05x", parts[i % 12], i);
	while (o < len && o + 1 < n)
		s[o++] = (char)('a' + bench_rnd() % 26);
	s[o] = '\0';
}

static void write_et(FILE *f, unsigned n)
{
	static const char *const common[] = {"GET ", "POST ", "\\r\\n", "Host: "};
	char c[64];

	fprintf(f, "rules:\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = bench_rnd() % 100;
		const char *nc = bench_rnd() % 10 < 4 ? "true" : "false";

		et_content(c, sizeof(c), i);
		fprintf(f,
			"  - {id: %u, msg: m, patterns: [{content: \"%s\"}, {content: \"%s\", "
			"nocase: %s",
			i + 1, common[i % 4], c, nc);
		if (k < 31)
			fprintf(f,
				", distance: 0}, {content: \"\\r\\n\", distance: 0, within: 200}");
		else if (k < 37)
			fprintf(f, "}, {pcre: \"/^[a-z0-9]{1,16}=/Ri\"}");
		else if (k < 42)
			fprintf(f, "}, {content: \"Referer\", not: true}");
		else if (k < 44)
			fprintf(f, "}, {isdataat: \"4,relative\"}, {byte_test: "
				   "\"1,>,32,0,relative\"}");
		else
			fprintf(f, "}");
		fprintf(f, "]}\n");
	}
}

static double rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static struct ids_matcher *load_compile(const char *path, struct ruleset *rs, double *load_s,
					double *compile_s)
{
	const struct ids_rule **pubs;
	struct ids_matcher *m;
	struct diag d;
	double t0 = bench_now_sec(), t1;
	char err[512];

	diag_init(&d, stderr);
	ruleset_init(rs);
	if (ruleset_load_file(rs, path, "signature", &d)) {
		fprintf(stderr, "bench_rules: %s has errors\n", path);
		return NULL;
	}
	t1 = bench_now_sec();
	pubs = malloc(rs->n * sizeof(*pubs));
	if (!pubs)
		return NULL;
	for (size_t i = 0; i < rs->n; i++)
		pubs[i] = &rs->rules[i]->pub;
	m = matcher_compile(pubs, rs->n, err, sizeof(err));
	free(pubs);
	if (!m)
		fprintf(stderr, "bench_rules: compile failed: %s\n", err);
	*load_s = t1 - t0;
	*compile_s = bench_now_sec() - t1;
	return m;
}

static void scan_figures(struct ids_matcher *m, size_t megabytes)
{
	struct bench_corpus c = {0};
	struct matcher_thread *mt = matcher_thread_new();
	struct ids_packet pkt = bench_packet();
	unsigned long long alerts = 0;
	double best = 0;

	if (!mt || bench_make_corpus(&c, megabytes) < 0) {
		fprintf(stderr, "bench_rules: out of memory\n");
		return;
	}
	for (int r = 0; r < 3; r++) {
		double sec = bench_time_packets(mt, m, &pkt, &c, &alerts);

		if (best == 0 || sec < best)
			best = sec;
	}
	printf("  matcher_scan  %.2f Gbit/s  (%llu alerts, %zu payloads, %.0f MB)\n",
	       bench_gbps(c.bytes, best), alerts, c.n, (double)c.bytes / 1e6);
	bench_free_corpus(&c);
	matcher_thread_free(mt);
}

/* One child: compile `path` with cache folder `cache`; scan when asked. */
static void child(const char *path, const char *cache, const char *what, size_t scan_mb)
{
	struct ruleset rs;
	struct matcher_cache_counts cc;
	double load_s = 0, compile_s = 0;
	struct ids_matcher *m;

	matcher_cache_set_dir(cache);
	m = load_compile(path, &rs, &load_s, &compile_s);
	if (!m)
		exit(1);
	matcher_cache_counts(&cc);
	printf("  %-6s rules %zu, Hyperscan patterns %zu: load %.2f s, compile %.2f s%s, "
	       "peak RSS %.0f MB\n",
	       what, rs.n, matcher_pattern_count(m), load_s, compile_s,
	       cc.hits ? " (cache hit)" : "", rss_mb());
	fflush(stdout);
	if (scan_mb)
		scan_figures(m, scan_mb);
	matcher_free(m);
	ruleset_free(&rs);
	exit(0);
}

static void run_child(const char *path, const char *cache, const char *what, size_t scan_mb)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child(path, cache, what, scan_mb);
	if (pid > 0)
		waitpid(pid, &st, 0);
}

static void one_set(const char *dir, const char *name, void (*gen)(FILE *), size_t scan_mb)
{
	char path[512], cache[512], cmd[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	snprintf(cache, sizeof(cache), "%s/cache-%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	gen(f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache);
	if (system(cmd) != 0)
		return;
	printf("%s:\n", name);
	run_child(path, cache, "cold", 0);
	run_child(path, cache, "cached", scan_mb);
}

static void gen_et25k(FILE *f)
{
	write_et(f, 25000);
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 100;
	const char *dir = argc > 2 ? argv[2] : "/tmp/bench_rules";

	mkdir(dir, 0755);
	one_set(dir, "1k", write_1k, mb);
	one_set(dir, "et25k", gen_et25k, mb);
	return 0;
}
