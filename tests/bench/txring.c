/*
 * txring.c - AF_PACKET transmit ring sender (see txring.h).
 *
 * Ring: TX_FRAMES slots of TX_SLOT bytes (TPACKET_V2), one block per slot
 * group. A slot is ours when its tp_status is TP_STATUS_AVAILABLE (or
 * WRONG_FORMAT: the kernel refused it, counted and reused); we fill it,
 * set TP_STATUS_SEND_REQUEST with a release store, and a send() with no
 * data makes the kernel walk the ring. PACKET_QDISC_BYPASS skips the
 * queueing discipline, as a traffic generator does.
 */
#include "txring.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define TX_SLOT	    2048u
#define TX_FRAMES   4096u
#define TX_BLOCK    (64u * 1024u)
#define TX_DATA_OFF (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))

struct txring {
	int fd;
	uint8_t *ring;
	size_t ring_len;
	unsigned next;	 /* next slot to fill */
	unsigned queued; /* filled since the last kick */
	uint64_t refused;
};

static struct tpacket2_hdr *slot(struct txring *t, unsigned i)
{
	return (struct tpacket2_hdr *)(t->ring + (size_t)i * TX_SLOT);
}

static int setup_ring(struct txring *t, int ifindex)
{
	struct tpacket_req req = {.tp_block_size = TX_BLOCK,
				  .tp_block_nr = TX_FRAMES * TX_SLOT / TX_BLOCK,
				  .tp_frame_size = TX_SLOT,
				  .tp_frame_nr = TX_FRAMES};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = ifindex};
	int v2 = TPACKET_V2, one = 1;

	if (setsockopt(t->fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2)) < 0 ||
	    setsockopt(t->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		return -1;
	(void)setsockopt(t->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	t->ring_len = (size_t)TX_FRAMES * TX_SLOT;
	t->ring = mmap(NULL, t->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (t->ring == MAP_FAILED) {
		t->ring = NULL;
		return -1;
	}
	return bind(t->fd, (struct sockaddr *)&sll, sizeof(sll));
}

struct txring *txring_open(int ifindex)
{
	struct txring *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (t->fd < 0 || setup_ring(t, ifindex) < 0) {
		int e = errno;

		txring_close(t);
		errno = e;
		return NULL;
	}
	return t;
}

int txring_kick(struct txring *t, int wait)
{
	t->queued = 0;
	if (send(t->fd, NULL, 0, wait ? 0 : MSG_DONTWAIT) < 0 && errno != EAGAIN &&
	    errno != ENOBUFS)
		return -1;
	while (wait) {
		unsigned busy = 0;

		for (unsigned i = 0; i < TX_FRAMES; i++) {
			uint32_t st = __atomic_load_n(&slot(t, i)->tp_status, __ATOMIC_ACQUIRE);

			busy += st == TP_STATUS_SEND_REQUEST || st == TP_STATUS_SENDING;
		}
		if (!busy)
			break;
		usleep(100);
	}
	return 0;
}

int txring_put(struct txring *t, const uint8_t *frame, size_t len, unsigned batch)
{
	struct tpacket2_hdr *h = slot(t, t->next);
	uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

	if (len > TX_SLOT - TX_DATA_OFF)
		return -1;
	if (st == TP_STATUS_WRONG_FORMAT) {
		t->refused++;
	} else if (st != TP_STATUS_AVAILABLE) {
		if (t->queued && txring_kick(t, 0) < 0)
			return -1;
		return 0;
	}
	memcpy((uint8_t *)h + TX_DATA_OFF, frame, len);
	h->tp_len = (uint32_t)len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	t->next = (t->next + 1) % TX_FRAMES;
	if (++t->queued >= batch && txring_kick(t, 0) < 0)
		return -1;
	return 1;
}

uint64_t txring_refused(const struct txring *t)
{
	return t->refused;
}

void txring_close(struct txring *t)
{
	if (!t)
		return;
	if (t->ring)
		munmap(t->ring, t->ring_len);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}
