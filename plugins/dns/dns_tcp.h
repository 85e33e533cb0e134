/*
 * dns_tcp.h - DNS-over-TCP framing (RFC 1035 4.2.2) of one flow direction:
 * each message is preceded by a 2-byte big-endian length. The prefix and
 * the message may be split over any number of chunks, and a chunk may hold
 * several messages: dns_tcp_feed hands each complete message to a callback
 * exactly once, in stream order, whatever the split. A message lying
 * whole inside one chunk is handed over where it is; one split over chunks
 * is copied into the direction's buffer, allocated on first need and
 * grown to the message's length (never beyond `max`). A message longer
 * than `max` is skipped (its length still keeps the framing) and counted;
 * a zero length is counted and skipped.
 *
 * Pure: no global state, no I/O; the only allocation is the buffer, freed
 * by dns_tcp_reset. Gaps and the start of a direction are the caller's
 * business (after a gap the framing is lost; see dns.c). One struct per
 * flow direction, touched by the worker owning the flow.
 */
#ifndef PLUGINS_DNS_TCP_H
#define PLUGINS_DNS_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Framing of one direction; all zero before its first byte. */
struct dns_tcp_dir {
	uint8_t started; /* the direction's first chunk was seen (dns.c) */
	uint8_t lost;	 /* framing lost (gap, or first seen mid-stream) (dns.c) */
	uint8_t skip;	 /* the current message is too long: skip it */
	uint8_t hdr_len; /* bytes of the length prefix read */
	uint8_t hdr[2];
	uint32_t need; /* length of the current message, 0 while reading the prefix */
	uint32_t have; /* bytes of it seen */
	uint8_t *buf;  /* owned; NULL until a message spans chunks */
	uint32_t cap;
};

/* What dns_tcp_feed counted (added to, never reset). */
struct dns_tcp_counts {
	uint64_t empty;	    /* zero-length prefixes */
	uint64_t oversized; /* messages longer than max, skipped */
	uint64_t no_memory; /* messages skipped for lack of memory */
};

/* Called once per complete message; `msg` is valid during the call only. */
typedef void (*dns_tcp_msg_fn)(void *ctx, const uint8_t *msg, size_t len);

/* The next `len` bytes of the direction. */
void dns_tcp_feed(struct dns_tcp_dir *d, uint32_t max, const uint8_t *data, uint32_t len,
		  struct dns_tcp_counts *c, dns_tcp_msg_fn fn, void *ctx);

/* True when the bytes fed so far end inside a prefix or a message (a
 * direction ending now is truncated). */
bool dns_tcp_pending(const struct dns_tcp_dir *d);

/* Free the buffer and forget the message in progress (started and lost
 * stay). */
void dns_tcp_reset(struct dns_tcp_dir *d);

#endif
