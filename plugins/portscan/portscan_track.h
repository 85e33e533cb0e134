/*
 * portscan_track.h - the portscan plugin's core: per-source counts of
 * distinct destination ports and hosts within a time window, in a table of
 * fixed capacity.
 *
 * Pure functions over one struct ps_table (no globals, no host services),
 * so the unit tests and a fuzzer drive it directly. A table belongs to one
 * worker thread; nothing in it is locked.
 *
 * Memory: ps_table_new() makes the one allocation of the table's life
 * (ps_table_bytes() says how big); ps_track() and ps_expire() allocate
 * nothing, so a flood of spoofed sources costs evictions, never memory.
 */
#ifndef PORTSCAN_TRACK_H
#define PORTSCAN_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include <ids/packet.h>

/* Bits ps_track() returns: a threshold the source crossed just now. */
#define PS_HIT_PORTS 0x01
#define PS_HIT_HOSTS 0x02

/* Largest thresholds and table the tracker accepts (ps_table_bytes()
 * returns 0 beyond them). */
#define PS_MAX_THRESHOLD 1024
#define PS_MAX_SOURCES	 (1u << 24)

struct ps_config {
	uint32_t max_ports;   /* alert when a source touches more distinct ports */
	uint32_t max_hosts;   /* ... or more distinct destination hosts */
	int64_t window_usec;  /* within this long from its first counted event */
	uint32_t max_sources; /* capacity of the table; the least recently seen
				 source is evicted to make room */
	uint64_t seed;	      /* hash seed: random in the plugin, fixed in tests */
};

/* Counters of one table, for the plugin's thread_fini log line. */
struct ps_stats {
	uint64_t events;      /* calls of ps_track */
	uint64_t sources;     /* sources entered into the table */
	uint64_t evictions;   /* sources dropped to make room */
	uint64_t expired;     /* sources dropped by ps_expire (idle a whole window) */
	uint64_t windows;     /* windows restarted for a source still in the table */
	uint64_t port_alerts; /* PS_HIT_PORTS returned */
	uint64_t host_alerts; /* PS_HIT_HOSTS returned */
};

struct ps_table;

/* Bytes ps_table_new() allocates for `c`, or 0 when a value is out of range
 * (a threshold or max_sources of 0 or above the limits, window <= 0). */
size_t ps_table_bytes(const struct ps_config *c);

/* A new empty table, or NULL (bad config or no memory). Owned by the
 * caller; free with ps_table_free (accepts NULL). */
struct ps_table *ps_table_new(const struct ps_config *c);
void ps_table_free(struct ps_table *t);

/*
 * Count one event: `src` sent something counted (a SYN, a datagram) to
 * port `dport` of `dst` at `now_usec`. A source seen for the first time
 * takes a free entry or the least recently seen one's. When the source's
 * window (window_usec from its first event in it) is over, its counts
 * restart. Returns the PS_HIT_* bits for thresholds this event crossed;
 * each bit is returned at most once per source per window.
 */
unsigned ps_track(struct ps_table *t, const struct ids_addr *src, const struct ids_addr *dst,
		  uint16_t dport, int64_t now_usec);

/* Drop every source idle for a whole window at `now_usec` (its last event
 * at or before now_usec - window_usec). Costs the number dropped. */
void ps_expire(struct ps_table *t, int64_t now_usec);

/* Sources in the table now. */
size_t ps_table_count(const struct ps_table *t);
const struct ps_stats *ps_table_stats(const struct ps_table *t);

#endif
