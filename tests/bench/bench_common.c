/*
 * bench_common.c - random numbers, clock, literal contents, HTTP-like
 * payloads, packet-mode timing, packet header and Gbit/s for the matcher
 * benchmarks (see bench_common.h).
 *
 * A payload is a request line with a few random path words (now and then
 * a hot literal), a query, Host, User-Agent, Accept, Accept-Encoding,
 * Connection and a Cookie header whose value fills the rest of the payload
 * with random characters; everything is cut at the payload's length.
 */
#include "bench_common.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_HOT 10 /* literal rules whose content some payloads carry */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

uint32_t bench_rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

double bench_now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_literal(char *s, size_t n, unsigned i)
{
	snprintf(s, n, "/%s/x%04u_%c%c.%s", i % 3 ? "cgi-bin" : "api/v2", i, 'a' + i % 26,
		 'a' + (i / 26) % 26, i % 2 ? "cgi" : "jsp");
}

/* ------------------------------------------------------------ payloads */

static const char *const words[] = {
	"index", "login", "static", "img",   "css",   "js",   "user", "profile", "search",
	"news",	 "2024",  "assets", "video", "thumb", "cart", "item", "lang",	 "en-US",
};

static size_t put(uint8_t *p, size_t room, const char *s)
{
	size_t n = strlen(s);

	if (n > room)
		n = room;
	memcpy(p, s, n);
	return n;
}

static size_t put_word(uint8_t *p, size_t room)
{
	return put(p, room, words[bench_rnd() % (sizeof(words) / sizeof(words[0]))]);
}

/* One HTTP-like payload of exactly `len` bytes. */
static void make_payload(uint8_t *p, size_t len, unsigned k)
{
	static const char *const ua[] = {"Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0",
					 "curl/8.5.0", "python-requests/2.31",
					 "Mozilla/5.0 (Windows NT 10.0) Chrome/125.0"};
	size_t o = 0;
	char s[160];

	o += put(p + o, len - o, k % 7 ? "GET /" : "POST /");
	for (int i = 0; i < 3; i++) {
		o += put_word(p + o, len - o);
		o += put(p + o, len - o, "/");
	}
	if (k % 97 == 0) { /* a hot literal now and then */
		bench_literal(s, sizeof(s), (k / 97) % N_HOT);
		o += put(p + o, len - o, s);
	}
	snprintf(s, sizeof(s), "?id=%u&q=", bench_rnd() % 100000);
	o += put(p + o, len - o, s);
	o += put_word(p + o, len - o);
	snprintf(s, sizeof(s), " HTTP/1.1\r\nHost: www%u.example.com\r\nUser-Agent: %s\r\n",
		 bench_rnd() % 50, ua[bench_rnd() % 4]);
	o += put(p + o, len - o, s);
	o += put(p + o, len - o,
		 "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n"
		 "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nCookie: sid=");
	while (o < len) {
		p[o] = (uint8_t) "abcdefghijklmnopqrstuvwxyz0123456789 =&;\r\n"[bench_rnd() % 43];
		o++;
	}
}

int bench_make_corpus(struct bench_corpus *c, size_t megabytes)
{
	size_t target = megabytes << 20, cap = target / 300 + 1;

	c->data = malloc(target + 1460);
	c->off = malloc(cap * sizeof(*c->off));
	c->len = malloc(cap * sizeof(*c->len));
	if (!c->data || !c->off || !c->len)
		return -1;
	while (c->bytes < target && c->n < cap) {
		size_t len = 300 + bench_rnd() % (1460 - 300 + 1);

		make_payload(c->data + c->bytes, len, (unsigned)c->n);
		c->off[c->n] = c->bytes;
		c->len[c->n++] = len;
		c->bytes += len;
	}
	return 0;
}

void bench_free_corpus(struct bench_corpus *c)
{
	free(c->data);
	free(c->off);
	free(c->len);
}

/* --------------------------------------------------------------- timing */

int bench_count_rule(const struct ids_rule *r, void *ctx)
{
	(*(unsigned long long *)ctx)++;
	return 0;
}

double bench_time_packets(struct matcher_thread *mt, const struct ids_matcher *m,
			  const struct ids_packet *pkt, const struct bench_corpus *c,
			  unsigned long long *alerts)
{
	double t0 = bench_now_sec();

	*alerts = 0;
	for (size_t i = 0; i < c->n; i++)
		matcher_scan(mt, m, pkt, c->data + c->off[i], c->len[i], bench_count_rule, alerts);
	return bench_now_sec() - t0;
}

/* ------------------------------------------------------ header, rate */

struct ids_packet bench_packet(void)
{
	struct ids_packet p = {0};
	const uint8_t src[4] = {198, 18, 0, 1}, dst[4] = {198, 19, 0, 80};

	p.src.family = p.dst.family = 4;
	memcpy(p.src.bytes, src, 4);
	memcpy(p.dst.bytes, dst, 4);
	p.sport = 51000;
	p.dport = 80;
	p.ip_version = 4;
	p.proto = IPPROTO_TCP;
	return p;
}

double bench_gbps(size_t bytes, double sec)
{
	return sec > 0 ? (double)bytes * 8 / sec / 1e9 : 0;
}
