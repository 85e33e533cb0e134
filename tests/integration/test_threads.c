/*
 * test_threads.c - capture-file mode with several workers: every alert
 * appears exactly once and the output is the same, record for record, as
 * with one worker; flows keep one flow_id whichever worker owns them. On
 * every corpus capture (real traffic and the suricata-verify cases) the
 * alerts of 1, 2 and 4 workers are the same, line for line (also on a
 * capture larger than the map's release chunk), with every
 * plugin but portscan: its counts of hosts and ports per scanner are per
 * worker, and a scanner's flows to different hosts are spread over the
 * workers (see sensor/capture/dev_notes.md).
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "threads");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(threads, .init = begin, .fini = end);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The alert lines of eve.json, sorted. */
static char **sorted_alert_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char **lines = NULL, *line = NULL;
	size_t cap = 0;

	*n = 0;
	cr_assert_not_null(f);
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, "\"event_type\":\"alert\""))
			continue;
		lines = realloc(lines, (*n + 1) * sizeof(*lines));
		lines[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	if (*n)
		qsort(lines, *n, sizeof(*lines), cmp_str);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* `n` HTTP sessions (with a reply when `reply`), each followed by a DNS
 * query for "evil.example"; one request in `every` asks for /evil. Hosts
 * come `per_net` to a /24. */
static void evil_sessions(int n, int per_net, int every, bool reply)
{
	char host[32], data[64];
	struct pg_tcp s;

	itest_capture(&t, 1);
	for (int i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "198.18.%d.%d", 1 + i / per_net, 1 + i % per_net);
		pg_tcp_init(&s, &t.gen, host, (uint16_t)(20000 + i), "198.19.0.1", 80);
		pg_tcp_handshake(&s);
		snprintf(data, sizeof(data), "GET /%s HTTP/1.0\r\n\r\n", i % every ? "ok" : "evil");
		pg_tcp_send(&s, PG_TO_SERVER, data, strlen(data));
		if (reply)
			pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.0 200 OK\r\n\r\nsecret", 25);
		pg_udp(&t.gen, host, 5353, "198.19.0.2", 53, "evil.example", 12);
		pg_tcp_close(&s);
	}
}

/* "evil" anywhere, "secret" in replies. */
static const char evil_secret_rules[] =
	"rules:\n"
	"  - {id: 1, msg: evil, patterns: [{content: evil}]}\n"
	"  - {id: 2, msg: secret, direction: to_client, patterns: [{content: secret}]}\n";

Test(threads, same_alerts_with_one_and_four_workers)
{
	char **one, **four;
	size_t n1, n4;

	evil_sessions(300, 200, 3, true);
	itest_rules(&t, evil_secret_rules);
	cr_assert_eq(itest_run(&t, "--threads", "1", NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 100 + 300);
	cr_expect_eq(itest_alerts(&t, 2), 300);
	one = sorted_alert_lines(t.eve_path, &n1);
	cr_assert_eq(itest_run(&t, "--threads", "4", NULL), 0, "%s", t.res.err);
	four = sorted_alert_lines(t.eve_path, &n4);
	cr_assert_eq(n1, 700);
	cr_assert_eq(n4, n1);
	for (size_t i = 0; i < n1; i++)
		cr_assert_str_eq(four[i], one[i]);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.flow.total", -1), 600);
	free_lines(one, n1);
	free_lines(four, n4);
}

/* Sessions carrying `segs` segments of 1,400 bytes each way; one session
 * in 3 has "evil" in the middle of its request and every reply ends in
 * "secret". */
static void bulk_sessions(int n, int segs)
{
	char host[32], data[1400];
	struct pg_tcp s;

	itest_capture(&t, 1);
	for (int i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "198.18.%d.%d", 1 + i / 200, 1 + i % 200);
		pg_tcp_init(&s, &t.gen, host, (uint16_t)(20000 + i), "198.19.0.1", 80);
		pg_tcp_handshake(&s);
		for (int k = 0; k < segs; k++) {
			memset(data, 'a' + (i + k) % 26, sizeof(data));
			if (i % 3 == 0 && k == segs / 2)
				memcpy(data + 700, "evil", 4);
			pg_tcp_send(&s, PG_TO_SERVER, data, sizeof(data));
			memset(data + 700, 'a' + (i + k) % 26, 4);
			if (k == segs - 1)
				memcpy(data + sizeof(data) - 6, "secret", 6);
			pg_tcp_send(&s, PG_TO_CLIENT, data, sizeof(data));
		}
		pg_tcp_close(&s);
	}
}

/* A capture several times the map's release chunk (32 MB): the workers
 * release the map behind the slowest of them, each of them at any time;
 * 2 and 4 workers give what one gives. */
Test(threads, file_larger_than_release_window_same_alerts_with_1_2_4_workers, .timeout = 600)
{
	static const char *const workers[] = {"2", "4"};
	char **one, **other;
	struct stat st;
	size_t n1, n;

	bulk_sessions(600, 50); /* 60,000 frames of 1,454 bytes: 87 MB */
	itest_rules(&t, evil_secret_rules);
	cr_assert_eq(itest_run(&t, "--threads", "1", NULL), 0, "%s", t.res.err);
	cr_assert_eq(stat(t.pcap, &st), 0);
	cr_assert_gt(st.st_size, 80 << 20);
	cr_expect_eq(itest_alerts(&t, 1), 200, "%zu 'evil' alerts", itest_alerts(&t, 1));
	cr_expect_eq(itest_alerts(&t, 2), 600, "%zu 'secret' alerts", itest_alerts(&t, 2));
	one = sorted_alert_lines(t.eve_path, &n1);
	cr_assert_eq(n1, 800);
	for (size_t k = 0; k < 2; k++) {
		cr_assert_eq(itest_run(&t, "--threads", workers[k], NULL), 0, "%s", t.res.err);
		other = sorted_alert_lines(t.eve_path, &n);
		cr_assert_eq(n, n1, "%s workers", workers[k]);
		for (size_t i = 0; i < n1; i++)
			cr_assert_str_eq(other[i], one[i], "%s workers", workers[k]);
		free_lines(other, n);
	}
	free_lines(one, n1);
}

/* The run's exit status, stderr's error line and sorted alert lines. */
struct outcome {
	int rc;
	char err[512];
	char **alerts;
	size_t n;
};

static void run_with(struct outcome *o, const char *workers, const char *file_read)
{
	char conf[256];
	const char *e;

	snprintf(conf, sizeof(conf), "plugins:\n  - name: signature\ncapture: {file-read: %s}\n",
		 file_read);
	itest_config(&t, conf);
	o->rc = itest_run(&t, "--threads", workers, NULL);
	e = strstr(t.res.err, "error: ");
	snprintf(o->err, sizeof(o->err), "%.*s", e ? (int)strcspn(e, "\n") : 0, e ? e : "");
	o->alerts = sorted_alert_lines(t.eve_path, &o->n);
}

static void same_outcome(const struct outcome *a, const struct outcome *b, const char *what)
{
	cr_assert_eq(b->rc, a->rc, "%s: exit status", what);
	cr_assert_str_eq(b->err, a->err, "%s", what);
	cr_assert_eq(b->n, a->n, "%s: alerts", what);
	for (size_t i = 0; i < a->n; i++)
		cr_assert_str_eq(b->alerts[i], a->alerts[i], "%s", what);
}

/* Workers walking the map themselves (split, the default) and one reader
 * thread handing frames out give what one worker gives: the same alerts
 * and, for a file cut inside its last record, the same alerts before the
 * cut, the same error and the same exit status. */
Test(threads, split_walks_and_reader_thread_agree_also_on_a_cut_file)
{
	struct outcome one, split, reader;
	struct stat st;

	evil_sessions(200, 100, 4, false);
	itest_rules(&t, "rules:\n  - {id: 1, msg: evil, patterns: [{content: evil}]}\n");
	for (int cut = 0; cut < 2; cut++) {
		if (cut) {
			cr_assert_eq(stat(t.pcap, &st), 0);
			cr_assert_eq(truncate(t.pcap, st.st_size - 30), 0);
		}
		run_with(&one, "1", "split");
		run_with(&split, "2", "split");
		run_with(&reader, "3", "reader");
		cr_assert_eq(one.n, 50 + 200, "cut %d: every 'evil' session and query once", cut);
		cr_assert_eq(one.rc, cut ? 1 : 0, "%s", t.res.err);
		if (cut)
			cr_assert_not_null(strstr(one.err, "truncated capture after packet"), "%s",
					   one.err);
		same_outcome(&one, &split, "2 workers walking the map");
		same_outcome(&one, &reader, "3 workers behind a reader thread");
		free_lines(one.alerts, one.n);
		free_lines(split.alerts, split.n);
		free_lines(reader.alerts, reader.n);
	}
}

/* ------------------------------------------------ the corpus, 1 2 4 */

#define MAX_CORPUS 512

static char *corpus[MAX_CORPUS];
static size_t n_corpus;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_F && (strstr(path, ".pcap") || strstr(path, ".cap")) &&
	    n_corpus < MAX_CORPUS)
		corpus[n_corpus++] = strdup(path);
	return 0;
}

/* The corpus beside the repository, or beside the folder of worktrees. */
static const char *corpus_dir(void)
{
	static const char *const dirs[] = {CORPUS_DIR, SOURCE_DIR "/../../shared/corpus"};
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (stat(dirs[i], &st) == 0)
			return dirs[i];
	return NULL;
}

/* Broad rules on top of the shipped ones, so that every capture has
 * alerts to compare: on streams (reassembly and flow state must agree), on
 * packets, both directions, and a regex. */
static const char broad_rules[] =
	"rules:\n"
	"  - {id: 9100001, msg: http request, proto: tcp, direction: to_server, "
	"patterns: [{content: \"HTTP/1.\"}]}\n"
	"  - {id: 9100002, msg: http answer, proto: tcp, direction: to_client, "
	"patterns: [{content: \"HTTP/1.\"}]}\n"
	"  - {id: 9100003, msg: host header, proto: tcp, scope: packet, "
	"patterns: [{content: \"host:\", nocase: true}]}\n"
	"  - {id: 9100004, msg: html, proto: tcp, patterns: [{regex: '<(html|body|div)'}]}\n"
	"  - {id: 9100005, msg: udp com, proto: udp, patterns: [{content: \"com\"}]}\n"
	"  - {id: 9100006, msg: any ip, proto: ip, patterns: [{content: "
	"\"\\x00\\x00\\x00\\x00\\x00\\x00\"}]}\n";

/* Run `pcap` with `workers`; its sorted alert lines. */
static char **run_workers(const char *pcap, const char *workers, char (*rules)[4096], size_t *n)
{
	snprintf(t.pcap, sizeof(t.pcap), "%s", pcap);
	cr_assert_lt(itest_run(&t, "--threads", workers, "-S", rules[0], "-S", rules[1], "-S",
			       rules[2], "-S", rules[3], NULL),
		     2, "%s, %s workers: exit %d: %s", pcap, workers, t.res.status, t.res.err);
	cr_assert_null(strstr(t.res.err, "Sanitizer"), "%s: %s", pcap, t.res.err);
	cr_assert_null(strstr(t.res.err, "runtime error"), "%s: %s", pcap, t.res.err);
	return sorted_alert_lines(t.eve_path, n);
}

static void same_alerts(const char *pcap, char (*rules)[4096], size_t *total)
{
	static const char *const more[] = {"2", "4"};
	size_t n1, n;
	char **one = run_workers(pcap, "1", rules, &n1), **other;

	*total += n1;
	for (size_t k = 0; k < 2; k++) {
		other = run_workers(pcap, more[k], rules, &n);
		cr_assert_eq(n, n1, "%s: %zu alerts with one worker, %zu with %s", pcap, n1, n,
			     more[k]);
		for (size_t i = 0; i < n1; i++)
			cr_assert_str_eq(other[i], one[i], "%s, %s workers", pcap, more[k]);
		free_lines(other, n);
	}
	free_lines(one, n1);
}

Test(threads, same_alerts_with_1_2_4_workers_on_every_corpus_capture, .timeout = 900)
{
	static const char *const files[] = {"signature", "http", "dns", "tls"};
	char rules[4][4096];
	const char *dir = corpus_dir();
	size_t total = 0;

	if (!dir) {
		cr_skip_test("corpus not found at %s: skipped", CORPUS_DIR);
		return;
	}
	for (size_t i = 0; i < 4; i++)
		snprintf(rules[i], sizeof(rules[i]), "%s/rules/%s.yaml", SOURCE_DIR, files[i]);
	itest_config(&t, "plugins:\n  - name: signature\n  - name: http\n  - name: dns\n"
			 "  - name: tls\n"
			 "outputs:\n  eve: {payload: true, packet: true}\n"
			 "stream: {midstream: true, checksum-validation: no}\n");
	itest_rules(&t, broad_rules);
	n_corpus = 0;
	cr_assert_eq(nftw(dir, collect, 16, 0), 0);
	cr_assert_gt(n_corpus, 50, "captures under %s", dir);
	for (size_t i = 0; i < n_corpus; i++) {
		same_alerts(corpus[i], rules, &total);
		free(corpus[i]);
	}
	cr_log_info("%zu captures, %zu alerts with one worker", n_corpus, total);
	cr_expect_gt(total, 1000);
}
