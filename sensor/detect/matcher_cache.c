/*
 * matcher_cache.c - compiled Hyperscan databases cached on disk
 * (`rules.cache-dir`).
 *
 * Design. The matcher computes a key over everything its Hyperscan compile
 * reads (every expression, its flags, bounds and mode, block or stream),
 * to which mcache_key_init adds the Hyperscan version and the CPU platform
 * (hs_populate_platform), so an entry is only ever found by the exact same
 * compile on the same kind of machine. The key is 128 bits: two
 * independent 64-bit hashes (FNV-1a and a multiply-xorshift mix).
 *
 * File DIR/<32 hex digits of the key>.hsdb:
 *   "SNSRHSC1" | key.a | key.b | n (u64) | info[n] | db_len (u64) |
 *   checksum (u64, of info and db bytes) | db bytes (hs_serialize_database)
 * info[] holds what the compile decided per spec (its final mode, whether
 * its rule was left out), so a hit rebuilds the same matcher. A read
 * checks magic, key, sizes against the file size and the checksum before
 * hs_deserialize_database (which checks version and platform again);
 * anything wrong is counted as rejected and the caller compiles and
 * stores a fresh entry over it: a cache entry is never trusted blindly.
 * Writes go to a temporary file renamed into place, so readers never see a
 * half-written entry.
 *
 * Threads: main thread only (compiles happen there); the counters and the
 * folder name are plain globals.
 */
#include "detect/matcher_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

static const char magic[8] = {'S', 'N', 'S', 'R', 'H', 'S', 'C', '1'};

static char *cache_dir;
static struct matcher_cache_counts counts;

/* ----------------------------------------------------------------- key */

void mcache_key_add(struct mcache_key *k, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		k->a = (k->a ^ p[i]) * 1099511628211ULL;
		k->b = (k->b + p[i] + 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
		k->b ^= k->b >> 31;
	}
	/* the length too, so that "ab"+"c" and "a"+"bc" differ */
	k->a = (k->a ^ len) * 1099511628211ULL;
	k->b = (k->b ^ (len + 1)) * 0x94d049bb133111ebULL;
}

void mcache_key_init(struct mcache_key *k)
{
	hs_platform_info_t plat;
	const char *ver = hs_version();

	k->a = 14695981039346656037ULL;
	k->b = 0x2545f4914f6cdd1dULL;
	mcache_key_add(k, ver, strlen(ver));
	memset(&plat, 0, sizeof(plat));
	if (hs_populate_platform(&plat) == HS_SUCCESS)
		mcache_key_add(k, &plat, sizeof(plat));
}

static uint64_t checksum(const void *a, size_t alen, const void *b, size_t blen)
{
	struct mcache_key k = {14695981039346656037ULL, 1};

	mcache_key_add(&k, a, alen);
	mcache_key_add(&k, b, blen);
	return k.a ^ (k.b << 1);
}

/* -------------------------------------------------------------- folder */

int matcher_cache_set_dir(const char *dir)
{
	free(cache_dir);
	cache_dir = NULL;
	if (!dir || !*dir)
		return 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("rules.cache-dir %s: %s; compiling without a cache", dir, strerror(errno));
		return -1;
	}
	cache_dir = strdup(dir);
	return cache_dir ? 0 : -1;
}

bool mcache_enabled(void)
{
	return cache_dir != NULL;
}

void matcher_cache_counts(struct matcher_cache_counts *out)
{
	*out = counts;
}

static void entry_path(const struct mcache_key *k, char *path, size_t len)
{
	snprintf(path, len, "%s/%016llx%016llx.hsdb", cache_dir, (unsigned long long)k->a,
		 (unsigned long long)k->b);
}

/* ---------------------------------------------------------------- load */

/* The whole file into a buffer; NULL when missing or unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (buf = malloc((size_t)st.st_size)) &&
	    fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)st.st_size : 0;
	fclose(f);
	return buf;
}

/* Header fields at fixed places: magic 0, key 8 and 16, n 24, info 32. */
static hs_database_t *parse_entry(const char *buf, size_t len, const struct mcache_key *k,
				  uint8_t *info, size_t n)
{
	size_t head = 32 + n + 16;
	uint64_t ka, kb, nn, dblen, sum;
	hs_database_t *db = NULL;

	if (len < head || memcmp(buf, magic, sizeof(magic)) != 0)
		return NULL;
	memcpy(&ka, buf + 8, 8);
	memcpy(&kb, buf + 16, 8);
	memcpy(&nn, buf + 24, 8);
	if (ka != k->a || kb != k->b || nn != n)
		return NULL;
	memcpy(&dblen, buf + 32 + n, 8);
	memcpy(&sum, buf + 40 + n, 8);
	if (dblen != len - head || sum != checksum(buf + 32, n, buf + head, (size_t)dblen))
		return NULL;
	if (hs_deserialize_database(buf + head, (size_t)dblen, &db) != HS_SUCCESS)
		return NULL;
	memcpy(info, buf + 32, n);
	return db;
}

hs_database_t *mcache_load(const struct mcache_key *k, uint8_t *info, size_t n)
{
	char path[4096];
	size_t len;
	char *buf;
	hs_database_t *db;

	if (!cache_dir)
		return NULL;
	entry_path(k, path, sizeof(path));
	buf = slurp(path, &len);
	if (!buf) {
		counts.misses++;
		return NULL;
	}
	db = parse_entry(buf, len, k, info, n);
	free(buf);
	if (!db) {
		counts.rejected++;
		log_warn("rule cache entry %s is corrupt or stale: compiling again", path);
		return NULL;
	}
	counts.hits++;
	return db;
}

/* --------------------------------------------------------------- store */

static bool write_entry(FILE *f, const struct mcache_key *k, const uint8_t *info, size_t n,
			const char *bytes, size_t len)
{
	uint64_t nn = n, dblen = len, sum = checksum(info, n, bytes, len);

	return fwrite(magic, sizeof(magic), 1, f) == 1 && fwrite(&k->a, 8, 1, f) == 1 &&
	       fwrite(&k->b, 8, 1, f) == 1 && fwrite(&nn, 8, 1, f) == 1 &&
	       (n == 0 || fwrite(info, n, 1, f) == 1) && fwrite(&dblen, 8, 1, f) == 1 &&
	       fwrite(&sum, 8, 1, f) == 1 && fwrite(bytes, len, 1, f) == 1;
}

void mcache_store(const struct mcache_key *k, const uint8_t *info, size_t n,
		  const hs_database_t *db)
{
	char path[4096], tmp[4200];
	char *bytes = NULL;
	size_t len = 0;
	FILE *f;
	bool ok;

	if (!cache_dir || !db)
		return;
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	entry_path(k, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	f = fopen(tmp, "wb");
	ok = f && write_entry(f, k, info, n, bytes, len);
	if (f && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, path) == 0)
		counts.stored++;
	else {
		log_warn("cannot write rule cache entry %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(bytes);
}
