/*
 * test_dns_tcp.c - the dns plugin's DNS-over-TCP framing (plugins/dns/
 * dns_tcp.c): messages split at every byte and coalesced, empty and
 * oversized prefixes, a direction ending inside a prefix or a message.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dns_tcp.h"

struct got {
	unsigned n;
	size_t len[8];
	uint8_t first[8];
};

static void on_msg(void *ctx, const uint8_t *msg, size_t len)
{
	struct got *g = ctx;

	cr_assert(g->n < 8);
	g->len[g->n] = len;
	g->first[g->n++] = msg[0];
}

/* prefix 3 "abc", prefix 0, prefix 5 "hello" */
static const uint8_t stream[] = {0, 3, 'a', 'b', 'c', 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};

Test(dns_tcp, split_at_every_byte_delivers_each_message_once)
{
	for (size_t cut = 0; cut <= sizeof(stream); cut++) {
		struct dns_tcp_dir d = {0};
		struct dns_tcp_counts c = {0};
		struct got g = {0};

		dns_tcp_feed(&d, 65535, stream, (uint32_t)cut, &c, on_msg, &g);
		dns_tcp_feed(&d, 65535, stream + cut, (uint32_t)(sizeof(stream) - cut), &c, on_msg,
			     &g);
		cr_expect_eq(g.n, 2, "cut %zu", cut);
		cr_expect_eq(g.len[0], 3);
		cr_expect_eq(g.first[0], 'a');
		cr_expect_eq(g.len[1], 5);
		cr_expect_eq(g.first[1], 'h');
		cr_expect_eq(c.empty, 1);
		cr_expect_not(dns_tcp_pending(&d));
		dns_tcp_reset(&d);
	}
}

Test(dns_tcp, one_byte_pieces)
{
	struct dns_tcp_dir d = {0};
	struct dns_tcp_counts c = {0};
	struct got g = {0};

	for (size_t i = 0; i < sizeof(stream); i++)
		dns_tcp_feed(&d, 65535, stream + i, 1, &c, on_msg, &g);
	cr_expect_eq(g.n, 2);
	cr_expect_eq(g.len[1], 5);
	cr_expect_eq(d.cap, 5); /* the buffer grew to the longest split message */
	dns_tcp_reset(&d);
	cr_expect_null(d.buf);
}

Test(dns_tcp, oversized_is_skipped_and_framing_kept)
{
	struct dns_tcp_dir d = {0};
	struct dns_tcp_counts c = {0};
	struct got g = {0};

	dns_tcp_feed(&d, 4, stream, sizeof(stream), &c, on_msg, &g);
	cr_expect_eq(g.n, 1);
	cr_expect_eq(g.len[0], 3);
	cr_expect_eq(c.oversized, 1);
	cr_expect_not(dns_tcp_pending(&d));
	cr_expect_null(d.buf);
}

Test(dns_tcp, pending_inside_prefix_or_message)
{
	struct dns_tcp_dir d = {0};
	struct dns_tcp_counts c = {0};
	struct got g = {0};

	dns_tcp_feed(&d, 65535, stream, 1, &c, on_msg, &g);
	cr_expect(dns_tcp_pending(&d));
	dns_tcp_feed(&d, 65535, stream + 1, 3, &c, on_msg, &g);
	cr_expect(dns_tcp_pending(&d));
	cr_expect_eq(g.n, 0);
	dns_tcp_reset(&d);
	cr_expect_not(dns_tcp_pending(&d));
}
