/*
 * bench_matcher_tx.c - what multi-buffer rules cost per transaction: N
 * rules on http.method + http.uri + http.header (ET Open's commonest
 * shape: a common method, a rarer URI path as the prefilter, a header
 * content), compiled with matcher_compile_tx and scanned one request step
 * at a time (matcher_tx_scan), against single-buffer rules holding the URI
 * content only, scanned on the URI (matcher_scan): the difference is what
 * the method and header parts and the transaction step add.
 *
 *   bench_matcher_tx [RULES] [TRANSACTIONS]
 *
 * Defaults: 5,000 rules, 200,000 transactions (URIs from bench_literal;
 * one transaction in 97 carries the URI of one of the first ten rules,
 * half of those with the header that completes it). Prints transactions
 * per second, Gbit/s of buffer bytes and the alerts; figures only, nothing
 * passes or fails. Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "bench_common.h"
#include "detect/matcher.h"
#include "detect/rules.h"

enum { B_METHOD = 0, B_URI, B_HEADER, B_COUNT };
static const char *const names[B_COUNT] = {"http.method", "http.uri", "http.header"};

/* The rules as YAML: multi-buffer when `multi`, else the URI content alone. */
static char *rules_text(unsigned n, bool multi)
{
	size_t cap = (size_t)n * 256 + 64, at = 0;
	char *text = malloc(cap), s[64];

	if (!text)
		return NULL;
	at += (size_t)snprintf(text + at, cap - at, "rules:\n");
	for (unsigned i = 0; i < n; i++) {
		bench_literal(s, sizeof(s), i);
		if (multi)
			at += (size_t)snprintf(
				text + at, cap - at,
				"  - {id: %u, msg: m, patterns: [{content: %s, buffer: "
				"http.method}, {content: \"%s\", buffer: http.uri}, "
				"{content: \"X-Id: %u\\r\\n\", buffer: http.header}]}\n",
				1000000 + i, i % 3 ? "GET" : "POST", s, i);
		else
			at += (size_t)snprintf(text + at, cap - at,
					       "  - {id: %u, msg: m, buffer: http.uri, patterns: "
					       "[{content: \"%s\"}]}\n",
					       1000000 + i, s);
	}
	return text;
}

static struct ids_matcher *compile(struct ruleset *rs, unsigned n, bool multi)
{
	const struct ids_rule **pubs;
	struct ids_matcher *m = NULL;
	struct diag d;
	char err[512], *text = rules_text(n, multi);

	diag_init(&d, stderr);
	ruleset_init(rs);
	pubs = calloc(n, sizeof(*pubs));
	if (!text || !pubs || ruleset_load_buffer(rs, "bench", text, strlen(text), "http", &d))
		goto done;
	for (size_t i = 0; i < rs->n; i++)
		pubs[i] = &rs->rules[i]->pub;
	m = multi ? matcher_compile_tx(pubs, rs->n, names, B_COUNT, err, sizeof(err))
		  : matcher_compile(pubs, rs->n, err, sizeof(err));
	if (!m)
		fprintf(stderr, "compile: %s\n", err);
done:
	free(text);
	free(pubs);
	return m;
}

/* Transaction k's three buffers into bufs (text in store). */
static size_t make_tx(unsigned k, char store[B_COUNT][256], struct ids_tx_buffer *bufs)
{
	char path[64];
	unsigned hot = (k / 97) % 10;
	size_t total = 0;

	bench_literal(path, sizeof(path), k % 97 == 0 ? hot : 100000 + k % 5000);
	snprintf(store[B_METHOD], 256, "%s", hot % 3 ? "GET" : "POST");
	snprintf(store[B_URI], 256, "%s?id=%u&q=x", path, k);
	snprintf(
		store[B_HEADER], 256,
		"Host: www.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nX-Id: %u%s\r\n",
		hot, k % 194 == 0 ? "" : "-no");
	for (unsigned b = 0; b < B_COUNT; b++) {
		bufs[b] = (struct ids_tx_buffer){b, IDS_TXBUF_FRESH, (const uint8_t *)store[b],
						 strlen(store[b])};
		total += bufs[b].len;
	}
	return total;
}

static void run(unsigned n_rules, unsigned n_tx, bool multi)
{
	struct ruleset rs;
	struct ids_matcher *m = compile(&rs, n_rules, multi);
	struct matcher_thread *mt = m ? matcher_thread_new() : NULL;
	struct ids_packet pkt = bench_packet();
	char store[B_COUNT][256];
	struct ids_tx_buffer bufs[B_COUNT];
	unsigned long long alerts = 0;
	size_t bytes = 0;
	double t0, sec;

	if (!mt) {
		fprintf(stderr, "setup failed\n");
		goto done;
	}
	t0 = bench_now_sec();
	for (unsigned k = 0; k < n_tx; k++) {
		bytes += make_tx(k, store, bufs);
		if (multi)
			matcher_tx_scan(mt, m, &pkt, bufs, B_COUNT, bench_count_rule, &alerts);
		else
			matcher_scan(mt, m, &pkt, bufs[B_URI].data, bufs[B_URI].len,
				     bench_count_rule, &alerts);
	}
	sec = bench_now_sec() - t0;
	printf("%-34s %6u rules %8u tx  %9.0f tx/s  %6.2f Gbit/s  %llu alerts\n",
	       multi ? "multi-buffer (matcher_tx_scan)" : "uri content only (matcher_scan)",
	       n_rules, n_tx, sec > 0 ? n_tx / sec : 0.0, bench_gbps(bytes, sec), alerts);
done:
	matcher_thread_free(mt);
	matcher_free(m);
	ruleset_free(&rs);
}

int main(int argc, char **argv)
{
	unsigned n_rules = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 5000;
	unsigned n_tx = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 200000;

	if (!n_rules || !n_tx) {
		fprintf(stderr, "usage: bench_matcher_tx [RULES] [TRANSACTIONS]\n");
		return 2;
	}
	printf("(timing includes building each transaction's buffers)\n");
	run(n_rules, n_tx, false);
	run(n_rules, n_tx, true);
	return 0;
}
