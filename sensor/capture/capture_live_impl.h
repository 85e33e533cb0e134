/*
 * capture_live_impl.h - what capture_live.c shares with the two capture
 * methods (capture_afpacket.c, capture_raw.c). Private to sensor/capture:
 * the contract for the rest of the sensor is capture_live.h.
 *
 * capture_live.c owns the source and every socket's set-up that does not
 * depend on the method (interface lookup, link type check, bind,
 * promiscuous mode, fanout, filter, statistics). A method adds what it
 * needs before the socket is bound (the ring, or timestamps and buffer
 * size), drains a socket that poll(2) found readable, and undoes its
 * set-up at close.
 *
 * Threads: as capture_live.h (set-up and close on the main thread, drain
 * on the source's worker thread).
 */
#ifndef SENSOR_CAPTURE_LIVE_IMPL_H
#define SENSOR_CAPTURE_LIVE_IMPL_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture_live.h"

/* The link type of every live frame: LINKTYPE_ETHERNET, decode.h's
 * LINK_ETHERNET (loopback interfaces have Ethernet framing on AF_PACKET). */
#define LIVE_LINKTYPE_ETHERNET 1

/* One interface's socket of a worker. */
struct live_sock {
	int fd; /* -1 when not open */
	char iface[IF_NAMESIZE];
	int ifindex;
	uint8_t *ring; /* AF_PACKET: the mapped ring (owned), NULL for raw */
	size_t ring_len;
	uint32_t block_size; /* AF_PACKET ring geometry */
	uint32_t block_count;
	uint32_t cur;	       /* AF_PACKET: next block to read */
	struct live_stats acc; /* kernel counters accumulated so far */
};

/* AF_PACKET TPACKET_V3 (capture_afpacket.c). */

/* Check the ring sizes of cfg; 0, or -1 with the sizes named in err. */
int live_afpacket_check(const struct live_config *cfg, char *err, size_t errlen);
/* Switch the unbound socket to TPACKET_V3, create and map its ring. */
int live_afpacket_setup(struct live_sock *ls, const struct live_config *cfg, char *err,
			size_t errlen);
/* Deliver the frames of every block the kernel handed over, give the
 * blocks back; the number of frames delivered. */
int live_afpacket_drain(struct live_sock *ls, live_frame_fn cb, void *ctx);
/* Unmap the ring (the socket is closed by the caller). */
void live_afpacket_unmap(struct live_sock *ls);

/* Raw sockets with recvmmsg (capture_raw.c). */

struct live_raw; /* one worker's batch buffers */

/* Check snaplen and batch of cfg; 0, or -1 with the value named in err. */
int live_raw_check(const struct live_config *cfg, char *err, size_t errlen);
/* Ask for kernel timestamps and a receive buffer on the unbound socket. */
int live_raw_setup(struct live_sock *ls, const struct live_config *cfg, char *err, size_t errlen);
/* The batch buffers for cfg (snaplen x batch), or NULL without memory. */
struct live_raw *live_raw_new(const struct live_config *cfg);
/* Read one batch from the socket and deliver it; the number of frames, or
 * -1 on a socket error (err). */
int live_raw_drain(struct live_raw *b, struct live_sock *ls, live_frame_fn cb, void *ctx, char *err,
		   size_t errlen);
void live_raw_free(struct live_raw *b);

#endif
