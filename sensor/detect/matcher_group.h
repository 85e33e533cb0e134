/*
 * matcher_group.h - block-mode rules without a Hyperscan pattern, grouped
 * by protocol and destination port (see matcher_group.c).
 */
#ifndef SENSOR_MATCHER_GROUP_H
#define SENSOR_MATCHER_GROUP_H

#include <stddef.h>
#include <stdint.h>

struct ids_matcher;

struct mgroup_slot {
	uint32_t key;	   /* proto << 16 | port */
	uint32_t first, n; /* its rules: rules[first .. first + n); n 0: free slot */
};

struct mgroups {
	uint32_t *generic; /* checked on every scan, ascending */
	size_t n_generic;
	struct mgroup_slot *slots; /* open addressing, cap a power of two */
	size_t cap;
	uint32_t *rules; /* every bucket's rules, bucket after bucket, ascending within */
};

/* From the matcher's `always` rules; 0, or -1 when out of memory. */
int mgroups_build(struct mgroups *g, const struct ids_matcher *m);
void mgroups_free(struct mgroups *g);
/* The rules of bucket (proto, port), ascending; NULL and *n 0 when none. */
const uint32_t *mgroups_find(const struct mgroups *g, uint8_t proto, uint16_t port, size_t *n);

#endif
