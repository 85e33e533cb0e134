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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "detect/matcher.h"
#include "detect/rules.h"

#define N_LITERALS 1000
#define N_OPEN	   64 /* sessions open at once */

/* The payloads, cut into sessions of 8-12 consecutive payloads. */
struct corpus {
	struct bench_corpus pl;
	size_t *session; /* first payload of each session, n_sessions + 1 entries */
	size_t n_sessions;
};

/* ------------------------------------------------------------- rules */

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
	bench_literal(s, sizeof(s), i);
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

/* Payloads, then sessions of 8-12 consecutive payloads. */
static int make_corpus(struct corpus *c, size_t megabytes)
{
	if (bench_make_corpus(&c->pl, megabytes) < 0)
		return -1;
	c->session = malloc((c->pl.n / 8 + 2) * sizeof(*c->session));
	if (!c->session)
		return -1;
	for (size_t i = 0; i < c->pl.n; i += 8 + bench_rnd() % 5)
		c->session[c->n_sessions++] = i;
	c->session[c->n_sessions] = c->pl.n;
	return 0;
}

/* --------------------------------------------------------------- timing */

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
	struct ids_stream_chunk ch = {.data = c->pl.data + c->pl.off[sl->next],
				      .len = (uint32_t)c->pl.len[sl->next],
				      .offset = sl->offset};

	matcher_stream_scan(mt, m, &sl->ms, pkt, &ch, bench_count_rule, alerts);
	sl->offset += ch.len;
	if (++sl->next < sl->end)
		return;
	matcher_stream_close(mt, m, &sl->ms, pkt, bench_count_rule, alerts);
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
	double t0 = bench_now_sec();

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
	return bench_now_sec() - t0;
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
	       matcher_rule_count(mp), c.pl.n, (double)c.pl.bytes / (1 << 20), c.n_sessions, N_OPEN,
	       rounds);
	for (unsigned r = 0; r < rounds; r++) {
		double t = bench_time_packets(mt, mp, &pkt, &c.pl, &ap);

		best_p = t < best_p ? t : best_p;
		t = time_streams(mt, msm, &pkt, &c, &as);
		best_s = t < best_s ? t : best_s;
	}
	printf("matcher_scan        %7.2f Gbit/s  (%llu rules reported)\n",
	       bench_gbps(c.pl.bytes, best_p), ap);
	printf("matcher_stream_scan %7.2f Gbit/s  (%llu rules reported)\n",
	       bench_gbps(c.pl.bytes, best_s), as);
	printf("stream / packet     %7.1f %%\n", 100.0 * best_p / best_s);
	printf("stream state        %7zu bytes per direction before any match\n",
	       matcher_stream_size(msm));
	matcher_thread_free(mt);
	matcher_free(msm);
	matcher_free(mp);
	free_rules(rules, N_LITERALS);
	bench_free_corpus(&c.pl);
	free(c.session);
	return 0;
}
