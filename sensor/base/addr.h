/*
 * addr.h - address and port sets of rule headers.
 *
 * An address set is a list of IPv4/IPv6 CIDR blocks with per-block
 * negation, or "any". A port set is a list of inclusive ranges with
 * negation, or "any". Matching follows Suricata/Snort: a value matches
 * when it is in at least one positive element (or there are only negated
 * elements) and in no negated element. Built on the main thread, read-only
 * afterwards, matched on any thread without allocation.
 */
#ifndef SENSOR_ADDR_H
#define SENSOR_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids/packet.h"

struct addr_block {
	uint8_t family; /* 4 or 6 */
	uint8_t prefix; /* 0..32 / 0..128 */
	bool negated;
	uint8_t bytes[16]; /* masked to the prefix */
};

/* An IPv4 interval of a sealed set's index (both ends included). */
struct addr_span4 {
	uint32_t lo, hi;
};

struct addr_set {
	bool any;
	struct addr_block *blocks;
	size_t n;
	/* addr_set_seal: the IPv4 blocks as disjoint sorted intervals,
	 * positives [0, n_pos4) then negations [n_pos4, n_pos4 + n_neg4), so
	 * that an IPv4 address is matched by two binary searches; NULL when
	 * not sealed (few blocks, or blocks added since) */
	struct addr_span4 *span4;
	size_t n_pos4, n_neg4;
	bool has_pos; /* some positive block, of either family */
};

struct port_range {
	uint16_t lo, hi;
	bool negated;
};

struct port_set {
	bool any;
	struct port_range *ranges;
	size_t n;
};

/* Parse one element "198.18.0.0/15", "2001:db8::1", "!10.0.0.1" into `b`.
 * Returns 0 or -1 with a message in err. */
int addr_block_parse(const char *s, struct addr_block *b, char *err, size_t errlen);
/* Most blocks an address range can need (IPv6: two per prefix length). */
#define ADDR_RANGE_MAX_BLOCKS 256
/* An address range "A-B" (both ends included, one family, A <= B; no '!')
 * as the fewest CIDR blocks that cover exactly it, into out[0..*n); out
 * has room for ADDR_RANGE_MAX_BLOCKS. Returns 0 or -1 with a message. */
int addr_range_parse(const char *s, struct addr_block *out, size_t *n, char *err, size_t errlen);
/* "80", "1024:65535", ":1023", "1024:", "!22". */
int port_range_parse(const char *s, struct port_range *r, char *err, size_t errlen);

int addr_set_add(struct addr_set *set, const struct addr_block *b);
int port_set_add(struct port_set *set, const struct port_range *r);
void addr_set_free(struct addr_set *set);
void port_set_free(struct port_set *set);

bool addr_set_match(const struct addr_set *set, const struct ids_addr *a);
/* Sets of at least this many blocks are worth an index. */
#define ADDR_SEAL_MIN 8
/* Once a set is complete: with ADDR_SEAL_MIN blocks or more, index its
 * IPv4 blocks so that addr_set_match looks an IPv4 address up in
 * O(log n) instead of comparing every block (IP reputation lists of
 * hundreds of blocks). Main thread, before the set is shared. Out of
 * memory leaves the set unindexed (still correct). Adding a block drops
 * the index. */
void addr_set_seal(struct addr_set *set);
/* Does `set` hold the addresses of block b that lie in no smaller block of
 * a chosen family of blocks (b's "own region")? Decided by the blocks of
 * `set` that cover b entirely (their prefix no longer than b's): those are
 * exactly the ones that hold such an address. b's negation is ignored. */
bool addr_set_match_region(const struct addr_set *set, const struct addr_block *b);
bool port_set_match(const struct port_set *set, uint16_t port);

#endif
