/*
 * bench_decode.c - the frame decoder alone, plain against VXLAN.
 *
 *   bench_decode [FRAMES]
 *
 * Builds FRAMES (default 200,000) Ethernet/IPv4 frames in memory, TCP
 * segments of 0 to 1,460 bytes and one UDP datagram in ten, then the same
 * frames each wrapped in Ethernet/IPv4/UDP/VXLAN, and times decode_frame
 * over each set (best of 5 passes). Prints frames/s, Gbit/s of frames and
 * the cost of the tunnel per frame. Figures only.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "pcapgen.h"

#define PASSES 5

struct frames {
	uint8_t *buf;
	uint32_t *off, *len;
	size_t n, used, cap;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add(struct frames *f, const uint8_t *b, size_t len)
{
	if (f->used + len > f->cap) {
		f->cap = (f->cap + len) * 2;
		f->buf = realloc(f->buf, f->cap);
		if (!f->buf)
			abort();
	}
	memcpy(f->buf + f->used, b, len);
	f->off[f->n] = (uint32_t)f->used;
	f->len[f->n++] = (uint32_t)len;
	f->used += len;
}

/* Frames/s over the best of PASSES passes; *bytes the bytes decoded per pass. */
static double time_decode(const struct frames *f, uint64_t *ok)
{
	static struct packet p;
	struct decode_stats st;
	double best = 0;

	for (int pass = 0; pass < PASSES; pass++) {
		double t0 = now_s(), dt;

		memset(&st, 0, sizeof(st));
		*ok = 0;
		for (size_t i = 0; i < f->n; i++)
			*ok += decode_frame(&p, 1, f->buf + f->off[i], f->len[i], f->len[i], 1, i,
					    &st) == 0;
		dt = now_s() - t0;
		if (pass == 0 || dt < best)
			best = dt;
	}
	return f->n / best;
}

int main(int argc, char **argv)
{
	static const struct pg_tunnel vx = {
		PG_TUN_VXLAN, "198.18.200.1", "198.18.200.2", 4242, 0, 0, NULL};
	static uint8_t payload[1460], frame[PG_MAX_FRAME], wrapped[PG_MAX_FRAME];
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 200000;
	struct frames plain = {0}, tun = {0};
	struct pcapgen eth = {.linktype = 1};
	uint64_t ok_p, ok_t;
	double fps_p, fps_t;

	plain.off = malloc(n * 4), plain.len = malloc(n * 4);
	tun.off = malloc(n * 4), tun.len = malloc(n * 4);
	if (!plain.off || !plain.len || !tun.off || !tun.len)
		return 1;
	memset(payload, 'x', sizeof(payload));
	for (size_t i = 0; i < n; i++) {
		struct pg_pkt p = {.src = "198.18.0.1",
				   .dst = "198.19.0.2",
				   .sport = (uint16_t)(10000 + i % 50000),
				   .dport = 80,
				   .proto = i % 10 == 3 ? IPPROTO_UDP : IPPROTO_TCP,
				   .tcp_flags = 0x18,
				   .payload = payload,
				   .len = (i * 7919) % (sizeof(payload) + 1)};
		size_t len = pg_build(&eth, &p, frame, sizeof(frame));

		add(&plain, frame, len);
		add(&tun, wrapped, pg_tunnel_wrap(&vx, frame, len, wrapped, sizeof(wrapped)));
	}
	fps_p = time_decode(&plain, &ok_p);
	fps_t = time_decode(&tun, &ok_t);
	printf("decode_frame, best of %d passes over %zu frames (%zu decoded plain, %zu in "
	       "VXLAN):\n",
	       PASSES, n, (size_t)ok_p, (size_t)ok_t);
	printf("  plain:  %.2f M frames/s, %.2f Gbit/s of frames (%.1f ns/frame)\n", fps_p / 1e6,
	       fps_p * plain.used / n * 8 / 1e9, 1e9 / fps_p);
	printf("  VXLAN:  %.2f M frames/s, %.2f Gbit/s of frames (%.1f ns/frame)\n", fps_t / 1e6,
	       fps_t * tun.used / n * 8 / 1e9, 1e9 / fps_t);
	printf("  the tunnel costs %.1f ns a frame (%.0f%% more time per frame)\n",
	       1e9 / fps_t - 1e9 / fps_p, (fps_p / fps_t - 1) * 100);
	return 0;
}
