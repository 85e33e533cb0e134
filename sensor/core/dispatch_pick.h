/*
 * dispatch_pick.h - which worker a frame read from a file goes to.
 *
 * The reader does not decode frames: it reads the outermost IP header
 * straight from the frame and picks a worker from a symmetric hash of the
 * address pair and protocol, and of the port pair for TCP, UDP and SCTP.
 * Both directions of a flow reach one worker, and flows between the same
 * two hosts (a resolver and its clients, a NAT gateway) are spread.
 *
 * Fragments carry no ports after the first, so a small table remembers the
 * worker each fragmented datagram (addresses, protocol, IP id) went to:
 * the first fragment picks as an unfragmented packet of its flow would,
 * later fragments follow it. A fragment seen before its datagram's first
 * fragment (out of order) picks by addresses alone and the rest of the
 * datagram follows it, so a datagram is not split (unless more than
 * PICK_FRAG_SLOTS fragmented datagrams are in flight and two share a slot).
 */
#ifndef SENSOR_DISPATCH_PICK_H
#define SENSOR_DISPATCH_PICK_H

#include <stdint.h>

#define PICK_FRAG_SLOTS 1024

/* The reader's memory of fragmented datagrams; zeroed to start. */
struct pick_state {
	struct {
		uint64_t tag; /* hash of addresses, protocol and IP id; 0: free */
		unsigned worker;
	} frag[PICK_FRAG_SLOTS];
};

/* The worker (0 to n-1) of a frame of LINKTYPE_* `linktype`. Frames that
 * are not IP (or too short to tell) go to worker 0. Pure but for `ps`. */
unsigned dispatch_pick(struct pick_state *ps, int linktype, const uint8_t *b, uint32_t len,
		       unsigned n);

#endif
