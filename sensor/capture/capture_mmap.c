/*
 * capture_mmap.c - classic pcap files read in place from a memory map (see
 * capture_mmap.h).
 *
 * Design: the file is opened read-only and mapped MAP_SHARED/PROT_READ over
 * its size plus a large reserve of address space (MMAP_RESERVE), so a file
 * that grows while it is read needs no new mapping: pages past the old end
 * become readable as the file covers them, and a frame already handed out
 * never moves. Where the reserve cannot be had (a limit on address space)
 * the map covers the file as opened and later growth is not read. The size is looked at again
 * (fstat) only when the reader reaches the end it knows. The map is advised MADV_SEQUENTIAL
 * (read-ahead, early reclaim); mmap_source_release drops the pages behind the slowest consumer
 * (MADV_DONTNEED) in aligned chunks of RELEASE_STEP, so a file larger than memory streams through
 * a bounded resident set.
 *
 * Who pays for the pages: no thread in particular. A release is taken by whichever thread calls
 * mmap_source_release when a whole chunk is behind the point it names, under a try-lock: a thread
 * that finds another releasing goes on reading, nobody waits. The pages are mapped by the faults
 * of whichever cursor is ahead (the kernel's fault-around maps 16 pages a fault). Mapping them
 * ahead in one call (MADV_POPULATE_READ, 4 MB a step) was tried and cost 7-19 % more kernel time
 * than the faults in four measured series (docs/performance.md), so it is not done.
 *
 * Which files: magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), in
 * either byte order, version 2.4, and a link type the decoder knows. Every
 * other file (pcapng, gzip, older pcap versions with swapped length fields,
 * the "patched" Kuznetzov format, pipes) is left to libpcap.
 *
 * Records are checked as libpcap checks them, with libpcap's error texts,
 * so that both readers give the same frames and the same errors:
 * - a record header cut short ends the file with an error;
 * - caplen above 262,144 (libpcap's sane maximum for these link types) is
 *   an error;
 * - caplen above the file's snapshot length (0 or above the maximum counts
 *   as the maximum) is cut to the snapshot length and the rest skipped;
 * - caplen beyond the file's end is an error ("only got N");
 * - caplen 0 is delivered (the decoder counts it as too small).
 * Each is also counted in struct capture_file_events. The one exception to
 * libpcap: when the file grew since it was opened, a cut-short last record
 * is a writer still at work, so the file ends cleanly at the last whole
 * record (counted as partial_tail).
 *
 * Timestamps: seconds and the fraction are 32-bit, signed in a file of the
 * machine's byte order and unsigned in a swapped one, as libpcap reads
 * them; nanoseconds are divided by 1,000 (truncating), as libpcap does at
 * microsecond precision.
 *
 * Cursors: the walk (offset, packet count, events) is a struct mmap_cursor;
 * the source keeps one for mmap_source_next and hands out more, one per
 * thread that reads the whole file itself. What cursors share is the map
 * and the file's size: a cursor that runs short takes `grow`, looks at the
 * size again and, when the file is still short, marks it ended for all, so
 * every cursor stops at the same record.
 *
 * Threads: a cursor (and mmap_source_next) on one thread at a time;
 * cursors of one source on as many threads as there are cursors;
 * mmap_source_release from any of them, at any time (try-lock); frames are
 * read by any thread until released or the source is closed.
 */
#include "capture/capture_mmap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_HDR_LEN  24u
#define REC_HDR_LEN   16u
#define MAGIC_USEC    0xa1b2c3d4u
#define MAGIC_NSEC    0xa1b23c4du
#define MAX_SNAPLEN   262144u		   /* libpcap's maximum for these link types */
#define MMAP_RESERVE  ((size_t)1 << 36)	   /* address space for growth: 64 GB */
#define RELEASE_STEP  ((uint64_t)32 << 20) /* released in aligned chunks of this */
#define LINKTYPE_MASK 0x03ffffffu

/* One walk through the records; a source has its own (mmap_source_next)
 * and hands out more (mmap_source_cursor), one per reading thread. */
struct mmap_cursor {
	struct mmap_source *s;
	uint64_t off;	/* next record header */
	uint64_t count; /* frames delivered */
	bool failed;
	struct capture_file_events ev;
};

struct mmap_source {
	int fd;
	const uint8_t *map;
	size_t map_len;		   /* address space mapped */
	_Atomic uint64_t size;	   /* file size as last seen */
	uint64_t size0;		   /* file size at open */
	_Atomic uint64_t released; /* bytes before this were released (stored under `release`) */
	pthread_mutex_t release;   /* one releasing thread at a time (try-lock) */
	pthread_mutex_t grow;	   /* looking at the size again; `ended` */
	bool ended;		   /* a cursor found the file too short: no more growth */
	uint32_t snaplen;
	int linktype;
	bool swapped, nsec;
	struct mmap_cursor own; /* mmap_source_next's */
};

static uint32_t rd32(const struct mmap_source *s, const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return s->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct mmap_source *s, const uint8_t *b)
{
	uint16_t v;

	memcpy(&v, b, 2);
	return s->swapped ? __builtin_bswap16(v) : v;
}

static bool known_linktype(uint32_t lt)
{
	return lt == 0 || lt == 1 || lt == 101 || lt == 113 || lt == 228 || lt == 229 || lt == 276;
}

/* Whether the 24-byte file header is one this reader takes; fills `s`. */
static bool take_header(struct mmap_source *s, const uint8_t *h)
{
	uint32_t magic;

	memcpy(&magic, h, 4);
	if (magic == __builtin_bswap32(MAGIC_USEC) || magic == __builtin_bswap32(MAGIC_NSEC)) {
		s->swapped = true;
		magic = __builtin_bswap32(magic);
	}
	if (magic != MAGIC_USEC && magic != MAGIC_NSEC)
		return false;
	s->nsec = magic == MAGIC_NSEC;
	if (rd16(s, h + 4) != 2 || rd16(s, h + 6) != 4)
		return false;
	s->snaplen = rd32(s, h + 16);
	if (s->snaplen == 0 || s->snaplen > MAX_SNAPLEN)
		s->snaplen = MAX_SNAPLEN;
	s->linktype = (int)(rd32(s, h + 20) & LINKTYPE_MASK);
	return known_linktype((uint32_t)s->linktype);
}

/* Read the file header with pread; 1 taken, 0 for libpcap, -1 error. */
static int check_file(struct mmap_source *s, const char *path, char *err, size_t errlen)
{
	uint8_t h[FILE_HDR_LEN];
	ssize_t got = pread(s->fd, h, sizeof(h), 0);

	if (got < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if ((size_t)got < sizeof(h))
		return 0; /* libpcap says what is wrong with it */
	return take_header(s, h) ? 1 : 0;
}

static int map_file(struct mmap_source *s, const char *path, char *err, size_t errlen)
{
	struct stat st;
	void *m;

	if (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	s->size0 = (uint64_t)st.st_size;
	atomic_init(&s->size, s->size0);
	s->map_len = (size_t)st.st_size + MMAP_RESERVE;
	m = mmap(NULL, s->map_len, PROT_READ, MAP_SHARED, s->fd, 0);
	if (m == MAP_FAILED && st.st_size > 0) {
		/* No room for the reserve (a limit on address space, valgrind):
		 * the file as it is, growth unseen. */
		s->map_len = (size_t)st.st_size;
		m = mmap(NULL, s->map_len, PROT_READ, MAP_SHARED, s->fd, 0);
	}
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "%s: cannot map: %s", path, strerror(errno));
		return -1;
	}
	s->map = m;
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	atomic_init(&s->released, 0);
	s->own.s = s;
	s->own.off = FILE_HDR_LEN;
	return 1;
}

int mmap_source_open(const char *path, struct mmap_source **out, char *err, size_t errlen)
{
	struct mmap_source *s;
	struct stat st;
	int rc;

	*out = NULL;
	/* Pipes, FIFOs and devices are libpcap's: not even opened here (a
	 * FIFO's writer would see this reader come and go). */
	if (strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		free(s);
		return -1;
	}
	rc = check_file(s, path, err, errlen);
	if (rc == 1)
		rc = map_file(s, path, err, errlen);
	if (rc == 1 && pthread_mutex_init(&s->grow, NULL) != 0) {
		munmap((void *)s->map, s->map_len);
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -1;
	} else if (rc == 1 && pthread_mutex_init(&s->release, NULL) != 0) {
		pthread_mutex_destroy(&s->grow);
		munmap((void *)s->map, s->map_len);
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -1;
	}
	if (rc == 1) {
		*out = s;
		return 1;
	}
	close(s->fd);
	free(s);
	return rc;
}

/* At least `need` bytes from `off` in the file? Looks at the file's size
 * again when the known size falls short (a file that grows). The first
 * cursor that still finds it short ends the file for every cursor, so
 * that all of them stop at the same record whatever the writer does
 * afterwards. `*size` is the size the answer rests on. */
static bool have(struct mmap_source *s, uint64_t off, uint64_t need, uint64_t *size)
{
	struct stat st;

	*size = atomic_load_explicit(&s->size, memory_order_acquire);
	if (*size >= off + need)
		return true;
	pthread_mutex_lock(&s->grow);
	*size = atomic_load_explicit(&s->size, memory_order_relaxed);
	if (*size < off + need && !s->ended) {
		if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_size > *size) {
			uint64_t cap = s->map_len;

			*size = (uint64_t)st.st_size < cap ? (uint64_t)st.st_size : cap;
			atomic_store_explicit(&s->size, *size, memory_order_release);
		}
		if (*size < off + need)
			s->ended = true;
	}
	pthread_mutex_unlock(&s->grow);
	return *size >= off + need;
}

/* The end of a file with a cut-short record: clean when the file grew
 * since it was opened (a writer at work), an error otherwise. */
static int cut_short(struct mmap_cursor *c, uint64_t size, char *err, size_t errlen,
		     const char *what, uint32_t tried, uint64_t got)
{
	if (size > c->s->size0) {
		c->ev.partial_tail++;
		return 0;
	}
	snprintf(err, errlen, "truncated dump file; tried to read %u %s bytes, only got %llu",
		 tried, what, (unsigned long long)got);
	return -1;
}

static void fill(struct mmap_cursor *c, struct capture_frame *f, const uint8_t *h, uint32_t caplen)
{
	const struct mmap_source *s = c->s;
	/* libpcap: signed in the machine's byte order, unsigned swapped */
	int64_t sec = s->swapped ? (int64_t)rd32(s, h) : (int64_t)(int32_t)rd32(s, h);
	int64_t frac = s->swapped ? (int64_t)rd32(s, h + 4) : (int64_t)(int32_t)rd32(s, h + 4);

	if (s->nsec)
		frac /= 1000;
	f->data = h + REC_HDR_LEN;
	f->caplen = caplen;
	f->wirelen = rd32(s, h + 12);
	f->ts_usec = sec * 1000000 + frac;
	f->pcap_cnt = ++c->count;
	f->linktype = s->linktype;
}

/* The record at c->off: 1 delivered, 0 end, -1 malformed (err set). */
static int next_record(struct mmap_cursor *c, struct capture_frame *f, char *err, size_t errlen)
{
	const struct mmap_source *s = c->s;
	const uint8_t *h = s->map + c->off;
	uint64_t data = c->off + REC_HDR_LEN, left, size;
	uint32_t caplen, keep;

	if (!have(c->s, c->off, REC_HDR_LEN, &size)) {
		if (size == c->off)
			return 0;
		return cut_short(c, size, err, errlen, "header", REC_HDR_LEN, size - c->off);
	}
	caplen = rd32(s, h + 8);
	if (caplen > MAX_SNAPLEN) {
		snprintf(err, errlen, "invalid packet capture length %u, bigger than snaplen of %u",
			 caplen, s->snaplen);
		return -1;
	}
	keep = caplen > s->snaplen ? s->snaplen : caplen;
	if (!have(c->s, data, caplen, &size)) {
		left = size - data;
		if (caplen > s->snaplen && left >= s->snaplen)
			return cut_short(c, size, err, errlen, "captured", caplen, left);
		return cut_short(c, size, err, errlen, "captured", keep, left);
	}
	if (caplen != keep)
		c->ev.caplen_over_snaplen++;
	if (caplen == 0)
		c->ev.zero_caplen++;
	fill(c, f, h, keep);
	c->off = data + caplen;
	return 1;
}

int mmap_cursor_next(struct mmap_cursor *c, struct capture_frame *f, char *err, size_t errlen)
{
	int rc;

	if (c->failed)
		return 0;
	rc = next_record(c, f, err, errlen);
	if (rc < 0) {
		c->ev.bad_records++;
		c->ev.bad_record_pcap_cnt = c->count + 1;
	}
	if (rc <= 0)
		c->failed = true; /* stay at the end */
	return rc;
}

int mmap_source_next(struct mmap_source *s, struct capture_frame *f, char *err, size_t errlen)
{
	return mmap_cursor_next(&s->own, f, err, errlen);
}

struct mmap_cursor *mmap_source_cursor(struct mmap_source *s)
{
	struct mmap_cursor *c = calloc(1, sizeof(*c));

	if (c) {
		c->s = s;
		c->off = FILE_HDR_LEN;
	}
	return c;
}

void mmap_cursor_events(const struct mmap_cursor *c, struct capture_file_events *ev)
{
	*ev = c->ev;
}

void mmap_cursor_free(struct mmap_cursor *c)
{
	free(c);
}

void mmap_source_release(struct mmap_source *s, const uint8_t *before)
{
	uint64_t upto = before ? (uint64_t)(before - s->map) : s->own.off;
	uint64_t from;

	upto -= upto % RELEASE_STEP; /* whole chunks only (page-aligned: the map is) */
	if (upto <= atomic_load_explicit(&s->released, memory_order_relaxed))
		return;
	if (pthread_mutex_trylock(&s->release) != 0)
		return; /* another thread is releasing: it or a later call takes this */
	from = atomic_load_explicit(&s->released, memory_order_relaxed);
	if (upto > from) {
		(void)madvise((void *)(s->map + from), (size_t)(upto - from), MADV_DONTNEED);
		atomic_store_explicit(&s->released, upto, memory_order_relaxed);
	}
	pthread_mutex_unlock(&s->release);
}

int mmap_source_linktype(const struct mmap_source *s)
{
	return s->linktype;
}

void mmap_source_events(const struct mmap_source *s, struct capture_file_events *ev)
{
	*ev = s->own.ev;
}

void mmap_source_close(struct mmap_source *s)
{
	if (!s)
		return;
	munmap((void *)s->map, s->map_len);
	pthread_mutex_destroy(&s->release);
	pthread_mutex_destroy(&s->grow);
	close(s->fd);
	free(s);
}
