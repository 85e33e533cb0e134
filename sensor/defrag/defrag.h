/*
 * defrag.h - IPv4 and IPv6 fragment reassembly, target-based.
 *
 * The worker hands every fragment (struct packet with is_fragment set, as
 * decode_frame() left it) to defrag_packet(). Fragments are grouped into
 * trackers by (family, source, destination, protocol/next header, id, VLAN
 * ids); when a tracker holds the whole datagram it is rebuilt into one
 * contiguous IP packet (header of the first fragment, fragment fields
 * cleared, lengths and the IPv4 header checksum recomputed; for IPv6 the
 * fragment header removed and the next-header chain fixed) that the worker
 * decodes with decode_ip(). The completing fragment's capture fields
 * (pcap_cnt, time) are what the reassembled packet carries.
 *
 * Overlaps are resolved by the destination's policy (os_policy.h): first,
 * last, bsd, bsd-right, linux (old-linux reads as linux), windows (vista
 * reads as windows), solaris, as described in Novak's "Target-Based
 * Fragmentation Reassembly". Anomalies are counted and reported through the
 * event callback so the worker can write EVE `anomaly` records: overlap with
 * different data, tiny (non-last) fragments, fragments past the 65,535-byte
 * limit, timeouts of incomplete datagrams, and trackers dropped under
 * memory pressure.
 *
 * Memory: fragment data is copied into the tracker (the capture buffer is
 * reused for the next frame). Everything counts against `memcap`; when a
 * new fragment would pass it, the oldest incomplete datagrams are dropped
 * (counted) until it fits, so a fragment flood keeps memory within the cap.
 * Trackers time out `timeout` seconds after their first fragment.
 *
 * Threads: one struct defrag per worker; nothing shared, no lock. All
 * fragments of a datagram reach the same worker (dispatch hashes on the
 * address pair and protocol only).
 */
#ifndef SENSOR_DEFRAG_H
#define SENSOR_DEFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/os_policy.h"

struct packet;

struct defrag_config {
	uint32_t timeout_s;		      /* default 60 */
	uint64_t memcap;		      /* bytes, default 32 MiB */
	uint32_t max_trackers;		      /* incomplete datagrams at once, default 65536 */
	const struct os_policy_map *policies; /* may be NULL: bsd everywhere */
};

/* Anomalies, named as in EVE (`anomaly.event`). */
enum defrag_event {
	DEFRAG_EV_OVERLAP = 0,	 /* "frag_overlap": overlap with different data */
	DEFRAG_EV_TINY_FRAGMENT, /* "frag_tiny": non-last fragment of <= 100 data bytes */
	DEFRAG_EV_TOO_LARGE,	 /* "frag_too_large": data past 65,535 bytes */
	DEFRAG_EV_TIMEOUT,	 /* "frag_timeout": incomplete datagram timed out */
	DEFRAG_EV_MEMCAP_DROP,	 /* "frag_memcap_drop": dropped to stay under a cap */
	DEFRAG_EV_BAD_LENGTH,	 /* "frag_bad_length": empty, non-last not a multiple of 8,
				    or contradicting the datagram's end; dropped */
	DEFRAG_EV_MAX
};

/* "frag_overlap", "frag_tiny", "frag_too_large", "frag_timeout", "frag_memcap_drop",
 * "frag_bad_length"; EVE prefixes "ipv4." or "ipv6." by family. */
const char *defrag_event_name(enum defrag_event ev);

struct defrag_stats {
	uint64_t fragments[2];	 /* [0] IPv4, [1] IPv6: fragments received */
	uint64_t reassembled[2]; /* datagrams completed */
	uint64_t events[DEFRAG_EV_MAX];
	uint64_t memuse, memuse_peak; /* bytes now / at most */
	uint64_t trackers;	      /* incomplete datagrams now */
};

/*
 * Called for each anomaly with the fragment that caused it (`p`, NULL for
 * timeouts and memcap drops, which happen outside any packet) and the
 * tracker's addresses. Runs on the worker thread inside defrag calls.
 */
typedef void (*defrag_event_fn)(void *ctx, enum defrag_event ev, int family,
				const struct packet *p);

struct defrag;

struct defrag *defrag_new(const struct defrag_config *cfg, defrag_event_fn cb, void *ctx);
void defrag_free(struct defrag *d);

/*
 * Add fragment `p` (p->is_fragment). Returns 1 when it completed a datagram:
 * *out and *out_len are the rebuilt IP packet, owned by `d` and valid until the
 * next defrag call. Returns 0 when the datagram is still incomplete or the
 * fragment was dropped (an anomaly was reported where one applies).
 */
int defrag_packet(struct defrag *d, const struct packet *p, const uint8_t **out, uint32_t *out_len);

/* Drop datagrams older than the timeout at `now_usec` (reported). */
void defrag_expire(struct defrag *d, int64_t now_usec);

const struct defrag_stats *defrag_stats(const struct defrag *d);

#endif
