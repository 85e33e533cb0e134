/*
 * txring.h - a packet sender on an AF_PACKET transmit ring (PACKET_TX_RING,
 * TPACKET_V2, qdisc bypassed), for the live benchmarks: frames are copied
 * into ring slots and the kernel is kicked once per batch, so one thread
 * sends far more frames per second than with one sendmmsg() per batch.
 * Bench code only: errors are returned, not logged.
 *
 * Threads: a ring belongs to one sending thread.
 */
#ifndef TESTS_TXRING_H
#define TESTS_TXRING_H

#include <stddef.h>
#include <stdint.h>

struct txring;

/* A ring on a new AF_PACKET socket bound to interface `ifindex` (in the
 * caller's current network namespace). NULL with errno set on failure. */
struct txring *txring_open(int ifindex);

/* Queue `len` bytes (at most 2,000) and kick the kernel every `batch`
 * frames. 1 when queued, 0 when the ring is full (the caller retries
 * after txring_kick), -1 on error. */
int txring_put(struct txring *t, const uint8_t *frame, size_t len, unsigned batch);

/* Ask the kernel to send what is queued; with `wait`, until every slot is
 * free again. Returns 0 or -1. */
int txring_kick(struct txring *t, int wait);

/* Frames the kernel refused (wrong format) so far. */
uint64_t txring_refused(const struct txring *t);

void txring_close(struct txring *t);

#endif
