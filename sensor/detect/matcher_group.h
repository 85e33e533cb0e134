/*
 * matcher_group.h - block-mode rules without a Hyperscan pattern, grouped
 * by protocol and destination port (see matcher_group.c).
 */
#ifndef SENSOR_MATCHER_GROUP_H
#define SENSOR_MATCHER_GROUP_H

#include <stddef.h>
#include <stdint.h>

struct ids_addr;
struct ids_matcher;

struct mgroup_slot {
	uint32_t key;	   /* proto << 16 | port */
	uint32_t first, n; /* its rules: rules[first .. first + n); n 0: free slot */
};

/* One address block of an indexed rule, as a range of keys: an IPv4
 * address, or the first 64 bits of an IPv6 address. */
struct maddr_entry {
	uint64_t lo, hi;
	uint32_t rule;
};

/* A side's blocks sorted by lo; no block spans more than `width` keys. */
struct maddr_index {
	struct maddr_entry *e;
	size_t n;
	uint64_t width;
};

struct mgroups {
	uint32_t *generic; /* checked on every scan, ascending */
	size_t n_generic;
	/* rules found through the packet's source ([0] IPv4, [1] IPv6) or
	 * destination address instead */
	struct maddr_index src[2], dst[2];
	/* the same for wider blocks, keyed by their first 8 / 16 bits */
	struct maddr_index wsrc[2], wdst[2];
	struct mgroup_slot *slots; /* open addressing, cap a power of two */
	size_t cap;
	uint32_t *rules; /* every bucket's rules, bucket after bucket, ascending within */
};

/* From the matcher's `always` rules; 0, or -1 when out of memory. */
int mgroups_build(struct mgroups *g, const struct ids_matcher *m);
void mgroups_free(struct mgroups *g);
/* The address-indexed rules whose source or destination blocks hold the
 * packet's addresses, ascending and without repeats, into out[0..cap):
 * their count. `cap` must be at least twice the matcher's rule count. */
size_t mgroups_by_addr(const struct mgroups *g, const struct ids_addr *src,
		       const struct ids_addr *dst, uint32_t *out, size_t cap);
/* The rules of bucket (proto, port), ascending; NULL and *n 0 when none. */
const uint32_t *mgroups_find(const struct mgroups *g, uint8_t proto, uint16_t port, size_t *n);

#endif
