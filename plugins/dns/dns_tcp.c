/*
 * dns_tcp.c - DNS-over-TCP framing; see dns_tcp.h for the contract.
 *
 * State machine per direction: need == 0 while the 2-byte prefix is read
 * (hdr_len bytes of it so far); then need bytes of message, `have` of
 * them seen. A message is handed over in place when its first byte and
 * its last are in the same chunk, else assembled in `buf`. `skip` drops
 * the bytes of a message too long for `max` or whose buffer could not be
 * allocated, keeping the framing.
 */
#include "dns_tcp.h"

#include <stdlib.h>
#include <string.h>

void dns_tcp_reset(struct dns_tcp_dir *d)
{
	free(d->buf);
	d->buf = NULL;
	d->cap = 0;
	d->need = d->have = 0;
	d->hdr_len = 0;
	d->skip = 0;
}

bool dns_tcp_pending(const struct dns_tcp_dir *d)
{
	return d->hdr_len || d->need;
}

/* Bytes of the current message: hand it over in place when whole, else
 * copy. */
static void tcp_body(struct dns_tcp_dir *d, const uint8_t *data, uint32_t take,
		     struct dns_tcp_counts *c, dns_tcp_msg_fn fn, void *ctx)
{
	if (d->skip)
		return;
	if (d->have == 0 && take == d->need) {
		fn(ctx, data, take);
		return;
	}
	if (d->cap < d->need) {
		uint8_t *nb = realloc(d->buf, d->need);

		if (!nb) {
			c->no_memory++;
			d->skip = 1;
			return;
		}
		d->buf = nb;
		d->cap = d->need;
	}
	memcpy(d->buf + d->have, data, take);
	if (d->have + take == d->need)
		fn(ctx, d->buf, d->need);
}

/* Start a message of the length in the prefix. */
static void tcp_prefix_done(struct dns_tcp_dir *d, uint32_t max, struct dns_tcp_counts *c)
{
	d->need = (uint32_t)d->hdr[0] << 8 | d->hdr[1];
	d->hdr_len = 0;
	d->have = 0;
	d->skip = 0;
	if (d->need == 0)
		c->empty++;
	else if (d->need > max) {
		c->oversized++;
		d->skip = 1;
	}
}

void dns_tcp_feed(struct dns_tcp_dir *d, uint32_t max, const uint8_t *data, uint32_t len,
		  struct dns_tcp_counts *c, dns_tcp_msg_fn fn, void *ctx)
{
	while (len) {
		uint32_t take;

		if (d->need == 0) {
			d->hdr[d->hdr_len++] = *data++;
			len--;
			if (d->hdr_len == 2)
				tcp_prefix_done(d, max, c);
			continue;
		}
		take = d->need - d->have < len ? d->need - d->have : len;
		tcp_body(d, data, take, c, fn, ctx);
		d->have += take;
		data += take;
		len -= take;
		if (d->have == d->need)
			d->need = d->have = 0;
	}
}
