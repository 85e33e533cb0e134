/*
 * test_threads.c - capture-file mode with several workers: every alert
 * appears exactly once and the output is the same, record for record, as
 * with one worker; flows keep one flow_id whichever worker owns them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	qsort(lines, *n, sizeof(*lines), cmp_str);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

Test(threads, same_alerts_with_one_and_four_workers)
{
	char host[32], data[64];
	struct pg_tcp s;
	char **one, **four;
	size_t n1, n4;

	itest_capture(&t, 1);
	for (int i = 0; i < 300; i++) {
		snprintf(host, sizeof(host), "198.18.%d.%d", 1 + i / 200, 1 + i % 200);
		pg_tcp_init(&s, &t.gen, host, (uint16_t)(20000 + i), "198.19.0.1", 80);
		pg_tcp_handshake(&s);
		snprintf(data, sizeof(data), "GET /%s HTTP/1.0\r\n\r\n", i % 3 ? "ok" : "evil");
		pg_tcp_send(&s, PG_TO_SERVER, data, strlen(data));
		pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.0 200 OK\r\n\r\nsecret", 25);
		pg_udp(&t.gen, host, 5353, "198.19.0.2", 53, "evil.example", 12);
		pg_tcp_close(&s);
	}
	itest_rules(
		&t,
		"rules:\n"
		"  - {id: 1, msg: evil, patterns: [{content: evil}]}\n"
		"  - {id: 2, msg: secret, direction: to_client, patterns: [{content: secret}]}\n");
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
