/*
 * capture_live.h - capturing from network interfaces.
 *
 * Two methods behind one interface:
 *
 * - AF_PACKET with TPACKET_V3 (capture_afpacket.c): one memory-mapped
 *   receive ring per worker and interface (block size, block count and
 *   frame size configurable), every worker's socket of an interface joined
 *   to one PACKET_FANOUT group so the kernel spreads packets by flow (mode
 *   hash by default, with PACKET_FANOUT_FLAG_DEFRAG so fragments of one
 *   datagram reach one worker; lb, cpu and qm selectable). Frames are read
 *   in place from the ring, no copy; a block is handed back to the kernel
 *   once all its frames were processed.
 * - Plain raw sockets (capture_raw.c): SOCK_RAW / ETH_P_ALL read with
 *   recvmmsg in batches into buffers allocated at open, for systems or
 *   interfaces where the ring is unavailable. With several workers each
 *   worker has its own socket in the same fanout group when the kernel
 *   supports fanout on plain sockets (it does since 3.1), so flows stay on
 *   one worker here too.
 *
 * Both bind to the interface (several interfaces: one socket per interface
 * per worker), set promiscuous mode with PACKET_MR_PROMISC (released when
 * the socket closes), attach the BPF filter compiled with libpcap
 * (pcap_compile_nopcap for DLT_EN10MB) in the kernel with
 * SO_ATTACH_FILTER, and read PACKET_STATISTICS (packets, drops, and for
 * TPACKET_V3 the freeze count) which they accumulate, since the kernel
 * resets them on every read.
 *
 * Threads: a struct live_source belongs to one worker thread, which is
 * the only one to call live_poll and live_stats on it; open and close run
 * on the main thread before the worker starts / after it stopped.
 * live_poll allocates nothing.
 */
#ifndef SENSOR_CAPTURE_LIVE_H
#define SENSOR_CAPTURE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture_pcap.h"

enum live_method { LIVE_AFPACKET = 0, LIVE_RAW };
enum live_fanout { FANOUT_MODE_HASH = 0, FANOUT_MODE_LB, FANOUT_MODE_CPU, FANOUT_MODE_QM };

struct live_config {
	const char *const *ifaces; /* interface names */
	size_t n_ifaces;
	enum live_method method;   /* default AF_PACKET */
	unsigned workers;	   /* sockets per interface (one per worker) */
	uint32_t block_size;	   /* TPACKET_V3 block bytes (default 1 MiB, power of 2, >= page) */
	uint32_t block_count;	   /* blocks per ring (default 64) */
	uint32_t frame_size;	   /* frame slot size (default 2048; a TPACKET_V3 hint) */
	uint32_t block_timeout_ms; /* retire a partly filled block after this (default 10) */
	enum live_fanout fanout;   /* default hash */
	bool fanout_defrag;	   /* PACKET_FANOUT_FLAG_DEFRAG with hash (default true) */
	uint16_t fanout_group;	   /* group id; 0: derived from the process id */
	const char *bpf;	   /* capture filter or NULL */
	bool promisc;		   /* default true */
	uint32_t snaplen;	   /* bytes kept per frame, raw sockets (default 65535) */
	uint32_t batch;		   /* recvmmsg batch, raw sockets (default 64) */
};

/* Fill the defaults above (ifaces left empty). */
void live_config_defaults(struct live_config *c);

struct live_source;

/*
 * Open worker `worker`'s sockets on every interface. Returns 0, or -1
 * with a message naming the interface and the fix in err: an interface
 * that does not exist ("no interface 'eth9' (see `ip link`)"), missing
 * privileges ("capturing needs root or CAP_NET_RAW and CAP_NET_ADMIN"), a
 * filter that does not compile ("bad capture filter 'tcp port': <libpcap's
 * message>"), a ring the kernel refuses (sizes named).
 */
int live_open(const struct live_config *cfg, unsigned worker, struct live_source **out, char *err,
	      size_t errlen);

/*
 * Wait up to timeout_ms for frames, then call cb for each frame available
 * now (in ring order per interface). The frame is valid only during the
 * callback; f->pcap_cnt is 0 and `iface` names the interface. Returns the
 * number of frames delivered, 0 on timeout, -1 on a socket error (err).
 */
typedef void (*live_frame_fn)(void *ctx, const struct capture_frame *f, const char *iface);
int live_poll(struct live_source *s, int timeout_ms, live_frame_fn cb, void *ctx, char *err,
	      size_t errlen);

struct live_stats {
	uint64_t packets; /* received by the kernel for these sockets */
	uint64_t drops;	  /* dropped by the kernel (ring full) */
	uint64_t freezes; /* TPACKET_V3 queue freezes */
};
/* Counters since open, summed over the source's interfaces. */
void live_stats(struct live_source *s, struct live_stats *st);

void live_close(struct live_source *s);

/* Compile `filter` for Ethernet to check it (sensor -T); 0 or -1 with
 * libpcap's message in err. */
int live_check_filter(const char *filter, char *err, size_t errlen);

#endif
