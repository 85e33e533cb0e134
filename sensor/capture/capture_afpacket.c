/*
 * capture_afpacket.c - AF_PACKET TPACKET_V3 receive rings (see
 * capture_live.h and capture_live_impl.h).
 *
 * Design: each socket has one receive ring of block_count blocks of
 * block_size bytes, mapped once at open. The kernel fills a block with
 * several frames and hands it over by setting TP_STATUS_USER in its
 * block_status, either when the block is full or when block_timeout_ms
 * passed since its first frame (so a quiet link still delivers within the
 * timeout). The reader walks the blocks in ring order from `cur`: for
 * each block the kernel handed over it delivers every frame in place (no
 * copy) and gives the block back by storing TP_STATUS_KERNEL.
 *
 * Invariants:
 * - block_status is read with acquire and written with release ordering:
 *   the frames are read only after the kernel's hand-over is seen, and the
 *   kernel sees the block free only after the reader stopped reading it.
 * - A block is given back only after all its frames were delivered, and
 *   `cur` only moves past a block that was given back, so ring order is
 *   frame order.
 * - The kernel writes the ring but the reader still checks every offset
 *   against the block before touching a frame: a block whose headers
 *   point outside it is given back without reading further.
 * - frame_size is only a hint with TPACKET_V3 (frames are packed one
 *   after the other); it must still satisfy the kernel's checks.
 *
 * Threads: setup and unmap on the main thread, drain on the worker thread
 * that owns the source.
 */
#include "capture/capture_live_impl.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* The smallest frame slot the kernel accepts for TPACKET_V3. */
#define FRAME_MIN TPACKET_ALIGN(TPACKET3_HDRLEN)

static int check_block_size(uint32_t size, char *err, size_t errlen)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		page = 4096;
	if (size < (unsigned long)page || (size & (size - 1)) != 0) {
		snprintf(err, errlen,
			 "af-packet block size %u is not a power of 2 of at least %ld bytes", size,
			 page);
		return -1;
	}
	return 0;
}

int live_afpacket_check(const struct live_config *cfg, char *err, size_t errlen)
{
	uint64_t frames;

	if (check_block_size(cfg->block_size, err, errlen) < 0)
		return -1;
	if (cfg->block_count == 0) {
		snprintf(err, errlen, "af-packet block count must be at least 1");
		return -1;
	}
	if (cfg->frame_size < FRAME_MIN || cfg->frame_size % TPACKET_ALIGNMENT != 0 ||
	    cfg->frame_size > cfg->block_size) {
		snprintf(err, errlen,
			 "af-packet frame size %u must be a multiple of %d between %u and the "
			 "block size (%u)",
			 cfg->frame_size, TPACKET_ALIGNMENT, (unsigned)FRAME_MIN, cfg->block_size);
		return -1;
	}
	frames = (uint64_t)(cfg->block_size / cfg->frame_size) * cfg->block_count;
	if (frames > UINT32_MAX || (uint64_t)cfg->block_size * cfg->block_count > SIZE_MAX / 2) {
		snprintf(err, errlen, "af-packet ring of %u blocks of %u bytes is too large",
			 cfg->block_count, cfg->block_size);
		return -1;
	}
	return 0;
}

static int set_ring(struct live_sock *ls, const struct live_config *cfg, char *err, size_t errlen)
{
	struct tpacket_req3 req;
	int version = TPACKET_V3;

	if (setsockopt(ls->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0) {
		snprintf(err, errlen,
			 "interface '%s': TPACKET_V3 is not available (%s); use the "
			 "raw capture method",
			 ls->iface, strerror(errno));
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.tp_block_size = cfg->block_size;
	req.tp_block_nr = cfg->block_count;
	req.tp_frame_size = cfg->frame_size;
	req.tp_frame_nr = (cfg->block_size / cfg->frame_size) * cfg->block_count;
	req.tp_retire_blk_tov = cfg->block_timeout_ms;
	if (setsockopt(ls->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0) {
		snprintf(err, errlen,
			 "interface '%s': the kernel refused a ring of %u blocks of %u bytes "
			 "(frame size %u): %s; lower the block size or block count",
			 ls->iface, cfg->block_count, cfg->block_size, cfg->frame_size,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int live_afpacket_setup(struct live_sock *ls, const struct live_config *cfg, char *err,
			size_t errlen)
{
	size_t len = (size_t)cfg->block_size * cfg->block_count;
	void *ring;

	if (set_ring(ls, cfg, err, errlen) < 0)
		return -1;
	ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ls->fd, 0);
	if (ring == MAP_FAILED) {
		snprintf(err, errlen,
			 "interface '%s': cannot map the ring of %u blocks of %u bytes: %s; lower "
			 "the block size or block count",
			 ls->iface, cfg->block_count, cfg->block_size, strerror(errno));
		return -1;
	}
	ls->ring = ring;
	ls->ring_len = len;
	ls->block_size = cfg->block_size;
	ls->block_count = cfg->block_count;
	ls->cur = 0;
	return 0;
}

static struct tpacket_block_desc *block_at(const struct live_sock *ls, uint32_t i)
{
	return (struct tpacket_block_desc *)(ls->ring + (size_t)i * ls->block_size);
}

static int block_ready(struct tpacket_block_desc *bd)
{
	return (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) != 0;
}

static void block_release(struct tpacket_block_desc *bd)
{
	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

/* The frame at `off` in the block, or NULL when its header or data would
 * reach past the block's end. */
static const struct tpacket3_hdr *frame_at(const struct live_sock *ls, const uint8_t *base,
					   size_t off)
{
	const struct tpacket3_hdr *h;

	if (off > ls->block_size || ls->block_size - off < sizeof(*h))
		return NULL;
	h = (const struct tpacket3_hdr *)(base + off);
	if ((size_t)h->tp_mac + h->tp_snaplen > ls->block_size - off)
		return NULL;
	return h;
}

/* Deliver the frames of one handed-over block; the number delivered. */
static int walk_block(const struct live_sock *ls, const struct tpacket_block_desc *bd,
		      live_frame_fn cb, void *ctx)
{
	const uint8_t *base = (const uint8_t *)bd;
	uint32_t n = bd->hdr.bh1.num_pkts;
	size_t off = bd->hdr.bh1.offset_to_first_pkt;
	struct capture_frame f = {.pcap_cnt = 0, .linktype = LIVE_LINKTYPE_ETHERNET};
	int delivered = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct tpacket3_hdr *h = frame_at(ls, base, off);

		if (!h)
			break;
		f.data = (const uint8_t *)h + h->tp_mac;
		f.caplen = h->tp_snaplen;
		f.wirelen = h->tp_len;
		f.ts_usec = (int64_t)h->tp_sec * 1000000 + h->tp_nsec / 1000;
		cb(ctx, &f, ls->iface);
		delivered++;
		if (h->tp_next_offset == 0)
			break;
		off += h->tp_next_offset;
	}
	return delivered;
}

int live_afpacket_drain(struct live_sock *ls, live_frame_fn cb, void *ctx)
{
	int delivered = 0;

	/* At most one lap, so a fast link cannot keep the reader here. */
	for (uint32_t i = 0; i < ls->block_count; i++) {
		struct tpacket_block_desc *bd = block_at(ls, ls->cur);

		if (!block_ready(bd))
			break;
		delivered += walk_block(ls, bd, cb, ctx);
		block_release(bd);
		ls->cur = (ls->cur + 1) % ls->block_count;
	}
	return delivered;
}

void live_afpacket_unmap(struct live_sock *ls)
{
	if (ls->ring)
		munmap(ls->ring, ls->ring_len);
	ls->ring = NULL;
	ls->ring_len = 0;
}
