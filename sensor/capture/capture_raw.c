/*
 * capture_raw.c - plain AF_PACKET raw sockets read with recvmmsg (see
 * capture_live.h and capture_live_impl.h).
 *
 * Design: the frames are copied by the kernel into `batch` buffers of
 * `snaplen` bytes each, allocated once at open together with their
 * message headers and control buffers, and one recvmmsg call reads up to
 * `batch` frames from a socket poll(2) found readable. MSG_TRUNC makes the
 * kernel report each frame's full length, so a frame cut to snaplen keeps
 * its wire length. Timestamps come from the kernel (SO_TIMESTAMPNS,
 * nanoseconds, one control message per frame); a frame without one gets
 * the time of the read.
 *
 * The socket's receive buffer is what absorbs bursts here, in place of the
 * ring: it is sized to the ring's memory (block_size x block_count), with
 * SO_RCVBUFFORCE when privileged and SO_RCVBUF (capped by
 * net.core.rmem_max) otherwise.
 *
 * Invariants: live_raw_drain allocates nothing; a frame's data is valid
 * until the next drain with the same buffers.
 *
 * Threads: check, setup, new and free on the main thread; drain on the
 * worker thread that owns the source (the buffers are that worker's).
 */
#include "capture/capture_live_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Control bytes per frame: one SCM_TIMESTAMPNS message, with room. */
#define CTL_LEN (CMSG_SPACE(sizeof(struct timespec)) + 32)

struct live_raw {
	uint32_t batch;
	uint32_t snaplen;
	struct mmsghdr *msgs; /* batch */
	struct iovec *iov;    /* batch */
	uint8_t *data;	      /* batch x snaplen */
	uint8_t *ctl;	      /* batch x CTL_LEN */
};

int live_raw_check(const struct live_config *cfg, char *err, size_t errlen)
{
	if (cfg->snaplen < 64 || cfg->snaplen > 262144) {
		snprintf(err, errlen, "raw capture snaplen %u must be between 64 and 262144",
			 cfg->snaplen);
		return -1;
	}
	if (cfg->batch == 0 || cfg->batch > 1024) {
		snprintf(err, errlen, "raw capture batch %u must be between 1 and 1024",
			 cfg->batch);
		return -1;
	}
	return 0;
}

/* The receive buffer to ask for: the ring's bytes, halved since the kernel
 * doubles the value it is given. */
static int rcvbuf_bytes(const struct live_config *cfg)
{
	uint64_t bytes = (uint64_t)cfg->block_size * cfg->block_count / 2;

	if (bytes > INT_MAX / 2)
		bytes = INT_MAX / 2;
	if (bytes < 65536)
		bytes = 65536;
	return (int)bytes;
}

int live_raw_setup(struct live_sock *ls, const struct live_config *cfg, char *err, size_t errlen)
{
	int on = 1;
	int bytes = rcvbuf_bytes(cfg);

	if (setsockopt(ls->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0) {
		snprintf(err, errlen, "interface '%s': cannot enable timestamps: %s", ls->iface,
			 strerror(errno));
		return -1;
	}
	if (setsockopt(ls->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0 &&
	    setsockopt(ls->fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0) {
		snprintf(err, errlen, "interface '%s': cannot set a %d-byte receive buffer: %s",
			 ls->iface, bytes, strerror(errno));
		return -1;
	}
	return 0;
}

struct live_raw *live_raw_new(const struct live_config *cfg)
{
	struct live_raw *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->batch = cfg->batch;
	b->snaplen = cfg->snaplen;
	b->msgs = calloc(b->batch, sizeof(*b->msgs));
	b->iov = calloc(b->batch, sizeof(*b->iov));
	b->data = malloc((size_t)b->batch * b->snaplen);
	b->ctl = malloc((size_t)b->batch * CTL_LEN);
	if (!b->msgs || !b->iov || !b->data || !b->ctl) {
		live_raw_free(b);
		return NULL;
	}
	return b;
}

void live_raw_free(struct live_raw *b)
{
	if (!b)
		return;
	free(b->ctl);
	free(b->data);
	free(b->iov);
	free(b->msgs);
	free(b);
}

/* Point every message of the batch at its buffers again (the kernel
 * shortens msg_controllen on each read). */
static void arm_batch(struct live_raw *b)
{
	for (uint32_t i = 0; i < b->batch; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;

		b->iov[i].iov_base = b->data + (size_t)i * b->snaplen;
		b->iov[i].iov_len = b->snaplen;
		memset(h, 0, sizeof(*h));
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->ctl + (size_t)i * CTL_LEN;
		h->msg_controllen = CTL_LEN;
		b->msgs[i].msg_len = 0;
	}
}

/* The frame's kernel timestamp in microseconds, or `now` without one. */
static int64_t frame_time(struct msghdr *h, int64_t now)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		struct timespec ts;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof(ts)))
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	}
	return now;
}

static int64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int live_raw_drain(struct live_raw *b, struct live_sock *ls, live_frame_fn cb, void *ctx, char *err,
		   size_t errlen)
{
	struct capture_frame f = {.pcap_cnt = 0, .linktype = LIVE_LINKTYPE_ETHERNET};
	int64_t now;
	int n;

	arm_batch(b);
	n = recvmmsg(ls->fd, b->msgs, b->batch, MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		snprintf(err, errlen, "interface '%s': cannot read: %s", ls->iface,
			 strerror(errno));
		return -1;
	}
	now = now_usec();
	for (int i = 0; i < n; i++) {
		uint32_t len = b->msgs[i].msg_len;

		f.data = b->iov[i].iov_base;
		f.wirelen = len;
		f.caplen = len < b->snaplen ? len : b->snaplen;
		f.ts_usec = frame_time(&b->msgs[i].msg_hdr, now);
		cb(ctx, &f, ls->iface);
	}
	return n;
}
