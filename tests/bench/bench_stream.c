/*
 * bench_stream.c - the matcher's stream mode against its packet mode.
 *
 * Builds 1,000 literal rules (a few of them hit now and then), generates
 * about 100 MB of HTTP-like payloads (300-1460 bytes each, fixed seed so runs
 * compare) and times:
 *   packet  matcher_scan over every payload with a block-mode matcher;
 *   stream  the same payloads as the chunks of TCP sessions of 8-12 chunks
 *           each, scanned with matcher_stream_scan on a stream-mode matcher
 *           of the same rules; 64 sessions are open at once and take turns
 *           chunk by chunk (as interleaved flows would), each closed with
 *           matcher_stream_close after its last chunk.
 * Each is run several times; the best rate is printed in Gbit/s of payload,
 * with the per-stream state size (matcher_stream_size). Usage: bench_stream
 * [megabytes] [rounds]. Single-threaded.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/matcher.h"
#include "detect/rules.h"

#define N_LITERALS 1000
#define N_HOT	   10 /* literal rules whose content some payloads carry */
#define N_OPEN	   64 /* sessions open at once */

struct corpus {
	uint8_t *data;
	size_t *off, *len;
	size_t n, bytes;
	size_t *session; /* first payload of each session, n_sessions + 1 entries */
	size_t n_sessions;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------- rules */

static void literal(char *s, size_t n, unsigned i)
{
	snprintf(s, n, "/%s/x%04u_%c%c.%s", i % 3 ? "cgi-bin" : "api/v2", i, 'a' + i % 26,
		 'a' + (i / 26) % 26, i % 2 ? "cgi" : "jsp");
}

static struct rule *make_rule(unsigned i)
{
	struct rule *r = calloc(1, sizeof(*r));
	char s[64];

	if (!r || !(r->patterns = calloc(1, sizeof(*r->patterns))))
		abort();
	r->pub = (struct ids_rule){.id = 1000000 + i,
				   .rev = 1,
				   .gid = 1,
				   .msg = "bench",
				   .file = "bench",
				   .line = (int)i,
				   .priv = r};
	r->proto = RULE_PROTO_TCP;
	r->scope = RULE_SCOPE_STREAM;
	r->src.any = r->dst.any = r->sport.any = r->dport.any = true;
	literal(s, sizeof(s), i);
	r->patterns[0] = (struct rule_pattern){.kind = PAT_CONTENT,
					       .bytes = (uint8_t *)strdup(s),
					       .len = strlen(s),
					       .nocase = i % 4 == 0,
					       .line = (int)i,
					       .col = 1};
	r->n_patterns = 1;
	return r;
}

static void free_rules(struct rule **rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rules[i]->patterns[0].bytes);
		free(rules[i]->patterns);
		free(rules[i]);
	}
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
	return put(p, room, words[rnd() % (sizeof(words) / sizeof(words[0]))]);
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
		literal(s, sizeof(s), (k / 97) % N_HOT);
		o += put(p + o, len - o, s);
	}
	snprintf(s, sizeof(s), "?id=%u&q=", rnd() % 100000);
	o += put(p + o, len - o, s);
	o += put_word(p + o, len - o);
	snprintf(s, sizeof(s), " HTTP/1.1\r\nHost: www%u.example.com\r\nUser-Agent: %s\r\n",
		 rnd() % 50, ua[rnd() % 4]);
	o += put(p + o, len - o, s);
	o += put(p + o, len - o,
		 "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n"
		 "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nCookie: sid=");
	while (o < len) {
		p[o] = (uint8_t) "abcdefghijklmnopqrstuvwxyz0123456789 =&;\r\n"[rnd() % 43];
		o++;
	}
}

/* Payloads, then sessions of 8-12 consecutive payloads. */
static int make_corpus(struct corpus *c, size_t megabytes)
{
	size_t target = megabytes << 20, cap = target / 300 + 1;

	c->data = malloc(target + 1460);
	c->off = malloc(cap * sizeof(*c->off));
	c->len = malloc(cap * sizeof(*c->len));
	c->session = malloc((cap / 8 + 2) * sizeof(*c->session));
	if (!c->data || !c->off || !c->len || !c->session)
		return -1;
	while (c->bytes < target && c->n < cap) {
		size_t len = 300 + rnd() % (1460 - 300 + 1);

		make_payload(c->data + c->bytes, len, (unsigned)c->n);
		c->off[c->n] = c->bytes;
		c->len[c->n++] = len;
		c->bytes += len;
	}
	for (size_t i = 0; i < c->n; i += 8 + rnd() % 5)
		c->session[c->n_sessions++] = i;
	c->session[c->n_sessions] = c->n;
	return 0;
}

/* --------------------------------------------------------------- timing */

static int count_rule(const struct ids_rule *r, void *ctx)
{
	(*(unsigned long long *)ctx)++;
	return 0;
}

static double time_packets(struct matcher_thread *mt, const struct ids_matcher *m,
			   const struct ids_packet *pkt, const struct corpus *c,
			   unsigned long long *alerts)
{
	double t0 = now_sec();

	*alerts = 0;
	for (size_t i = 0; i < c->n; i++)
		matcher_scan(mt, m, pkt, c->data + c->off[i], c->len[i], count_rule, alerts);
	return now_sec() - t0;
}

/* One open session: its payloads [next, end) and its stream state. */
struct slot {
	size_t next, end;
	uint64_t offset;
	struct matcher_stream *ms;
};

/* Scan the slot's next chunk; close and refill it from session `*s`. */
static void step(struct matcher_thread *mt, const struct ids_matcher *m,
		 const struct ids_packet *pkt, const struct corpus *c, struct slot *sl, size_t *s,
		 unsigned long long *alerts)
{
	struct ids_stream_chunk ch = {.data = c->data + c->off[sl->next],
				      .len = (uint32_t)c->len[sl->next],
				      .offset = sl->offset};

	matcher_stream_scan(mt, m, &sl->ms, pkt, &ch, count_rule, alerts);
	sl->offset += ch.len;
	if (++sl->next < sl->end)
		return;
	matcher_stream_close(mt, m, &sl->ms, pkt, count_rule, alerts);
	*sl = (struct slot){0};
	if (*s < c->n_sessions) {
		sl->next = c->session[*s];
		sl->end = c->session[*s + 1];
		++*s;
	}
}

static double time_streams(struct matcher_thread *mt, const struct ids_matcher *m,
			   const struct ids_packet *pkt, const struct corpus *c,
			   unsigned long long *alerts)
{
	struct slot slots[N_OPEN] = {{0}};
	size_t s = 0, open;
	double t0 = now_sec();

	*alerts = 0;
	for (int i = 0; i < N_OPEN && s < c->n_sessions; i++, s++) {
		slots[i].next = c->session[s];
		slots[i].end = c->session[s + 1];
	}
	do {
		open = 0;
		for (int i = 0; i < N_OPEN; i++) {
			if (slots[i].next == slots[i].end)
				continue;
			open++;
			step(mt, m, pkt, c, &slots[i], &s, alerts);
		}
	} while (open);
	return now_sec() - t0;
}

static struct ids_packet bench_packet(void)
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

static double gbps(size_t bytes, double sec)
{
	return sec > 0 ? (double)bytes * 8 / sec / 1e9 : 0;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
	unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 3;
	struct rule *rules[N_LITERALS];
	const struct ids_rule *pubs[N_LITERALS];
	struct corpus c = {0};
	struct ids_packet pkt = bench_packet();
	struct ids_matcher *mp, *msm;
	struct matcher_thread *mt;
	char err[512];
	double best_p = 1e30, best_s = 1e30;
	unsigned long long ap = 0, as = 0;

	for (unsigned i = 0; i < N_LITERALS; i++) {
		rules[i] = make_rule(i);
		pubs[i] = &rules[i]->pub;
	}
	mp = matcher_compile(pubs, N_LITERALS, err, sizeof(err));
	msm = mp ? matcher_compile_stream(pubs, N_LITERALS, err, sizeof(err)) : NULL;
	mt = msm ? matcher_thread_new() : NULL;
	if (!mt || make_corpus(&c, mb) < 0) {
		fprintf(stderr, "set-up failed: %s\n", err);
		return 1;
	}
	printf("rules %zu literals, payloads %zu (%.1f MB, 300-1460 bytes), sessions %zu "
	       "(8-12 chunks, %d open at once), best of %u rounds\n",
	       matcher_rule_count(mp), c.n, (double)c.bytes / (1 << 20), c.n_sessions, N_OPEN,
	       rounds);
	for (unsigned r = 0; r < rounds; r++) {
		double t = time_packets(mt, mp, &pkt, &c, &ap);

		best_p = t < best_p ? t : best_p;
		t = time_streams(mt, msm, &pkt, &c, &as);
		best_s = t < best_s ? t : best_s;
	}
	printf("matcher_scan        %7.2f Gbit/s  (%llu rules reported)\n", gbps(c.bytes, best_p),
	       ap);
	printf("matcher_stream_scan %7.2f Gbit/s  (%llu rules reported)\n", gbps(c.bytes, best_s),
	       as);
	printf("stream / packet     %7.1f %%\n", 100.0 * best_p / best_s);
	printf("stream state        %7zu bytes per direction before any match\n",
	       matcher_stream_size(msm));
	matcher_thread_free(mt);
	matcher_free(msm);
	matcher_free(mp);
	free_rules(rules, N_LITERALS);
	free(c.data);
	free(c.off);
	free(c.len);
	free(c.session);
	return 0;
}
