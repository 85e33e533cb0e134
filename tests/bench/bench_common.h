/*
 * bench_common.h - what the matcher benchmarks (bench_matcher, bench_stream)
 * share: a seeded random number generator, a monotonic clock, the contents
 * of their literal rules, a corpus of HTTP-like packet payloads, the packet
 * header they scan with, the packet-mode matcher_scan timing loop with its
 * counting callback, and the Gbit/s figure they print.
 *
 * The corpus is the same on every run, and in both benchmarks: the
 * generator starts from a fixed seed and the payloads depend on nothing
 * else, as long as nothing draws from it before bench_make_corpus. Payload k carries the
 * content of literal (k / 97) % 10 when k % 97 == 0, so the first ten
 * literal rules hit now and then and the others never do.
 *
 * Single-threaded: the generator state is one process-wide variable.
 */
#ifndef TESTS_BENCH_COMMON_H
#define TESTS_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "detect/matcher.h"
#include "ids/packet.h"

/* Payloads back to back in `data`; payload i is len[i] bytes at off[i]. */
struct bench_corpus {
	uint8_t *data;
	size_t *off, *len;
	size_t n, bytes;
};

/* The next number of the fixed-seed xorshift generator. */
uint32_t bench_rnd(void);

/* Seconds on the monotonic clock. */
double bench_now_sec(void);

/* Writes the content of literal rule `i` (a URL path) into s[n]. */
void bench_literal(char *s, size_t n, unsigned i);

/*
 * Fills the zeroed `c` with about `megabytes` MB of HTTP-like payloads of
 * 300-1460 bytes each. Returns 0, or -1 when out of memory. The arrays
 * belong to `c` until bench_free_corpus, also after a failure.
 */
int bench_make_corpus(struct bench_corpus *c, size_t megabytes);

/* Frees what bench_make_corpus allocated; a zeroed corpus is fine. */
void bench_free_corpus(struct bench_corpus *c);

/* A match callback that counts: ctx is an unsigned long long. */
int bench_count_rule(const struct ids_rule *r, void *ctx);

/*
 * Seconds taken by matcher_scan of every payload of `c` as one packet
 * `pkt`; *alerts is set to the rules reported. mt must have been made
 * (matcher_thread_new) after m was compiled.
 */
double bench_time_packets(struct matcher_thread *mt, const struct ids_matcher *m,
			  const struct ids_packet *pkt, const struct bench_corpus *c,
			  unsigned long long *alerts);

/* An IPv4 TCP packet header from 198.18.0.1:51000 to 198.19.0.80:80. */
struct ids_packet bench_packet(void);

/* `bytes` in `sec` seconds as Gbit/s; 0 when no time passed. */
double bench_gbps(size_t bytes, double sec);

#endif
