/*
 * matcher_cache.h - compiled Hyperscan databases kept on disk, so that a
 * restart or a reload with unchanged rules deserializes instead of
 * compiling (see matcher_cache.c). Main thread only.
 */
#ifndef SENSOR_MATCHER_CACHE_H
#define SENSOR_MATCHER_CACHE_H

#include <hs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A 128-bit key: the compile input, the Hyperscan version and platform. */
struct mcache_key {
	uint64_t a, b;
};

/* Start a key; it already holds the Hyperscan version and the platform. */
void mcache_key_init(struct mcache_key *k);
void mcache_key_add(struct mcache_key *k, const void *data, size_t len);

/* The folder entries live in (created when missing); NULL turns the cache
 * off (the default). The string is copied. */
int matcher_cache_set_dir(const char *dir);

/* True when a folder is set. */
bool mcache_enabled(void);

/*
 * The database stored under `k` with its `n` per-spec bytes (copied to
 * info[]), or NULL: no entry, or one that is corrupt, truncated, for
 * another key or that Hyperscan refuses (each counted as rejected, then
 * replaced by the next store).
 */
hs_database_t *mcache_load(const struct mcache_key *k, uint8_t *info, size_t n);

/* Store `db` and its per-spec bytes under `k` (write to a temporary file,
 * then rename). Failures are logged once and otherwise ignored. */
void mcache_store(const struct mcache_key *k, const uint8_t *info, size_t n,
		  const hs_database_t *db);

/* Counters since start (for tests and -T). */
struct matcher_cache_counts {
	uint64_t hits, misses, rejected, stored;
};
void matcher_cache_counts(struct matcher_cache_counts *out);

#endif
