/*
 * test_capture_mmap.c - the memory-mapped pcap reader (capture_mmap.c,
 * reached through pcap_source_open) held against libpcap's own reader:
 * every capture under tests/ and the shared corpus, files written here in
 * both byte orders with micro- and nanosecond timestamps, the same files
 * cut at every byte of their first records, corrupt length fields, a
 * file that grows while it is read, a file larger than the release window
 * read by 2 and 4 threads' cursors that release behind the slowest as the
 * workers do, and standard input (`-r -`) and a FIFO, which stay with
 * libpcap.
 *
 * "Same as libpcap" means: the same frames (bytes, caplen, wirelen),
 * timestamps, packet numbers and link type, the same end (0 or -1), and for
 * a malformed record the same error text.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/capture_pcap.h"

/* The corpus beside the repository, or beside the folder of worktrees. */
static const char *corpus_dir(void)
{
	static const char *const dirs[] = {SOURCE_DIR "/../shared/corpus",
					   SOURCE_DIR "/../../shared/corpus"};
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (stat(dirs[i], &st) == 0)
			return dirs[i];
	return NULL;
}

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/test_capture_mmap_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(capture_mmap, .init = make_dir, .fini = remove_dir);

/* ----------------------------------------------------- writing files */

struct buf {
	uint8_t b[4096];
	size_t n;
	int big; /* big-endian fields */
};

static void put32(struct buf *w, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		w->b[w->n++] = (uint8_t)(w->big ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(struct buf *w, uint16_t v)
{
	for (int i = 0; i < 2; i++)
		w->b[w->n++] = (uint8_t)(w->big ? v >> (8 - 8 * i) : v >> (8 * i));
}

static void file_header(struct buf *w, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
	put32(w, magic);
	put16(w, 2);
	put16(w, 4);
	put32(w, 0);
	put32(w, 0);
	put32(w, snaplen);
	put32(w, linktype);
}

static void record(struct buf *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
		   size_t data_len)
{
	put32(w, sec);
	put32(w, frac);
	put32(w, caplen);
	put32(w, wirelen);
	for (size_t i = 0; i < data_len; i++)
		w->b[w->n++] = (uint8_t)(i * 7 + caplen);
}

/* Three records of which the second is a small IPv4 header's worth. */
static void three_records(struct buf *w, uint32_t magic, int big)
{
	w->n = 0;
	w->big = big;
	file_header(w, magic, 65535, 1);
	record(w, 1700000000, 123456, 60, 60, 60);
	record(w, 1700000001, 999999, 20, 1500, 20);
	record(w, (uint32_t)-5, 7, 42, 42, 42);
}

static const char *write_file(const char *name, const void *data, size_t n)
{
	static char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(data, 1, n, fp), n);
	cr_assert_eq(fclose(fp), 0);
	return path;
}

/* ---------------------------------------------------- libpcap's view */

static int linktype_of(int dlt)
{
	return dlt == DLT_RAW ? 101 : dlt;
}

/*
 * Read `path` with pcap_source (the mapped reader when it takes the file)
 * and with libpcap side by side and require the same frames and end.
 * Returns the number of frames, or -1 when neither could open the file.
 * `*mapped` tells whether the mapped reader took it.
 */
static long compare_with_libpcap(const char *path, bool *mapped)
{
	char perr[PCAP_ERRBUF_SIZE] = "", err[512] = "", want[768];
	pcap_t *pc =
		pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	struct pcap_source *s = pcap_source_open(path, err, sizeof(err));
	struct pcap_cursor *c = NULL;
	char cerr[512] = "";
	long n = 0;

	if (!pc) {
		cr_assert_null(s, "%s: libpcap refuses it (%s), pcap_source takes it", path, perr);
		return -1;
	}
	cr_assert_not_null(s, "%s: %s", path, err);
	*mapped = pcap_source_stable(s);
	if (*mapped) {
		c = pcap_source_cursor(s); /* a second walk, as a worker's */
		cr_assert_not_null(c);
	} else {
		cr_assert_null(pcap_source_cursor(s), "%s: libpcap's reader has no cursors", path);
	}
	cr_assert_eq(pcap_source_linktype(s), linktype_of(pcap_datalink(pc)), "%s", path);
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		struct capture_frame f, cf;
		int lrc = pcap_next_ex(pc, &h, &d);
		int rc = pcap_source_next(s, &f, err, sizeof(err));

		if (c) {
			cr_assert_eq(pcap_cursor_next(c, &cf, cerr, sizeof(cerr)), rc,
				     "%s: the cursor and the source part at frame %ld", path,
				     n + 1);
			if (rc < 0)
				cr_assert_str_eq(cerr, err);
			if (rc > 0)
				cr_assert(cf.data == f.data && cf.caplen == f.caplen &&
						  cf.wirelen == f.wirelen &&
						  cf.ts_usec == f.ts_usec &&
						  cf.pcap_cnt == f.pcap_cnt &&
						  cf.linktype == f.linktype,
					  "%s: the cursor's frame %ld", path, n + 1);
		}

		if (lrc == PCAP_ERROR_BREAK) {
			cr_assert_eq(rc, 0, "%s: libpcap ends after %ld frames, rc %d (%s)", path,
				     n, rc, err);
			break;
		}
		if (lrc != 1) {
			snprintf(want, sizeof(want), "%s: truncated capture after packet %ld (%s)",
				 path, n, pcap_geterr(pc));
			cr_assert_eq(rc, -1, "%s: libpcap fails after %ld frames (%s)", path, n,
				     want);
			cr_assert_str_eq(err, want);
			break;
		}
		n++;
		cr_assert_eq(rc, 1, "%s: frame %ld missing (%s)", path, n, err);
		cr_assert_eq(f.caplen, h->caplen, "%s: frame %ld caplen", path, n);
		cr_assert_eq(f.wirelen, h->len, "%s: frame %ld wirelen", path, n);
		cr_assert_eq(f.ts_usec, (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec,
			     "%s: frame %ld time", path, n);
		cr_assert_eq(f.pcap_cnt, (uint64_t)n);
		cr_assert_eq(memcmp(f.data, d, h->caplen), 0, "%s: frame %ld bytes", path, n);
	}
	pcap_cursor_free(c);
	pcap_source_close(s);
	pcap_close(pc);
	return n;
}

struct walk {
	unsigned files, mapped;
};

static void walk_dir(const char *path, struct walk *w)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[1024];
		struct stat st;
		bool mapped = false;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk_dir(p, w);
			continue;
		}
		if (!strstr(e->d_name, ".pcap") && !strstr(e->d_name, ".cap"))
			continue;
		if (compare_with_libpcap(p, &mapped) >= 0) {
			w->files++;
			w->mapped += mapped;
		}
	}
	closedir(d);
}

/* ------------------------------------------------------------- tests */

Test(capture_mmap, same_as_libpcap_on_every_capture_in_tests)
{
	struct walk w = {0};

	walk_dir(SOURCE_DIR "/tests", &w);
	cr_assert_geq(w.files, 1);
	cr_assert_geq(w.mapped, 1, "the shipped sample.pcap is classic pcap");
}

Test(capture_mmap, same_as_libpcap_on_every_corpus_capture)
{
	struct walk w = {0};
	const char *corpus = corpus_dir();

	if (!corpus) {
		cr_skip_test("no corpus at %s/../shared/corpus", SOURCE_DIR);
		return;
	}
	walk_dir(corpus, &w);
	cr_log_info("%u corpus captures, %u through the map", w.files, w.mapped);
	cr_assert_geq(w.files, 50);
	cr_assert_geq(w.mapped, 10);
}

static void every_cut(uint32_t magic, int big, const char *name)
{
	struct buf w;

	three_records(&w, magic, big);
	for (size_t cut = 0; cut <= w.n; cut++) {
		const char *p = write_file(name, w.b, cut);
		bool mapped = false;

		compare_with_libpcap(p, &mapped);
		if (cut >= 24)
			cr_assert(mapped, "%s cut at %zu: through the map", name, cut);
	}
}

Test(capture_mmap, every_cut_point_little_endian_micro)
{
	every_cut(0xa1b2c3d4, 0, "le-us.pcap");
}

Test(capture_mmap, every_cut_point_big_endian_micro)
{
	every_cut(0xa1b2c3d4, 1, "be-us.pcap");
}

Test(capture_mmap, every_cut_point_little_endian_nano)
{
	every_cut(0xa1b23c4d, 0, "le-ns.pcap");
}

Test(capture_mmap, every_cut_point_big_endian_nano)
{
	every_cut(0xa1b23c4d, 1, "be-ns.pcap");
}

Test(capture_mmap, nanoseconds_become_microseconds)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256];

	w.big = 1;
	file_header(&w, 0xa1b23c4d, 0, 101);
	record(&w, 1700000000, 123456789, 20, 20, 20);
	s = pcap_source_open(write_file("ns.pcap", w.b, w.n), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert(pcap_source_stable(s));
	cr_assert_eq(pcap_source_linktype(s), 101);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	cr_assert_eq(f.ts_usec, INT64_C(1700000000123456));
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0);
	pcap_source_close(s);
}

/* Lengths: zero, above the snapshot length, absurd, beyond the end. */
static const char *lengths_file(const char *name, uint32_t snaplen, uint32_t caplen, size_t have)
{
	struct buf w = {.n = 0};

	file_header(&w, 0xa1b2c3d4, snaplen, 1);
	record(&w, 1, 1, 14, 14, 14);
	record(&w, 2, 2, caplen, 60, have);
	if (have >= caplen)
		record(&w, 3, 3, 14, 14, 14);
	return write_file(name, w.b, w.n);
}

Test(capture_mmap, corrupt_lengths_as_libpcap_with_counted_events)
{
	struct {
		uint32_t snaplen, caplen;
		size_t have;
		uint64_t zero, over, bad;
	} cases[] = {
		{65535, 0, 0, 1, 0, 0},		 /* zero caplen: delivered */
		{16, 40, 40, 0, 1, 0},		 /* above the snapshot length: cut */
		{0, 40, 40, 0, 0, 0},		 /* snaplen 0 counts as the maximum */
		{65535, 300000, 0, 0, 0, 1},	 /* absurd */
		{65535, 0xffffffff, 0, 0, 0, 1}, /* absurd */
		{65535, 200000, 10, 0, 0, 1},	 /* beyond the file's end */
		{16, 40, 20, 0, 0, 1},		 /* above the snaplen and beyond the end */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p =
			lengths_file("len.pcap", cases[i].snaplen, cases[i].caplen, cases[i].have);
		struct capture_file_events ev;
		struct capture_frame f;
		struct pcap_source *s;
		bool mapped = false;
		char err[512];

		compare_with_libpcap(p, &mapped);
		cr_assert(mapped, "case %zu", i);
		s = pcap_source_open(p, err, sizeof(err));
		cr_assert_not_null(s);
		while (pcap_source_next(s, &f, err, sizeof(err)) > 0)
			;
		pcap_source_events(s, &ev);
		cr_assert_eq(ev.zero_caplen, cases[i].zero, "case %zu", i);
		cr_assert_eq(ev.caplen_over_snaplen, cases[i].over, "case %zu", i);
		cr_assert_eq(ev.bad_records, cases[i].bad, "case %zu", i);
		cr_assert_eq(ev.bad_record_pcap_cnt, cases[i].bad ? 2u : 0u, "case %zu", i);
		pcap_source_close(s);
	}
}

static void append(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "ab");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(data, 1, n, fp), n);
	cr_assert_eq(fclose(fp), 0);
}

/* A file of one 30-byte record, opened; `*path` is where it is. */
static struct pcap_source *open_one_record(const char *name, const char **path)
{
	struct buf w = {.n = 0};
	struct pcap_source *s;
	char err[256];

	file_header(&w, 0xa1b2c3d4, 65535, 1);
	record(&w, 1, 0, 30, 30, 30);
	*path = write_file(name, w.b, w.n);
	s = pcap_source_open(*path, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	return s;
}

Test(capture_mmap, file_growing_while_read_ends_at_last_whole_record)
{
	struct buf more = {.n = 0};
	struct capture_file_events ev;
	struct capture_frame f;
	const char *p;
	struct pcap_source *s = open_one_record("grow.pcap", &p);
	char err[256];

	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	/* The writer adds two whole records and half of a third. */
	record(&more, 2, 0, 30, 30, 30);
	record(&more, 3, 0, 50, 50, 50);
	record(&more, 4, 0, 60, 60, 60);
	append(p, more.b, more.n - 40);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	cr_assert_eq(f.ts_usec, 2000000);
	cr_assert_eq(f.pcap_cnt, 2);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	cr_assert_eq(f.caplen, 50);
	cr_assert_eq(f.pcap_cnt, 3);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0, "%s", err);
	pcap_source_events(s, &ev);
	cr_assert_eq(ev.partial_tail, 1);
	cr_assert_eq(ev.bad_records, 0);
	pcap_source_close(s);
}

/* Two workers' cursors on a file that grows: the first to find the file
 * short ends it for both, so neither reads a record the other did not. */
Test(capture_mmap, cursors_of_a_growing_file_end_at_the_same_record)
{
	struct buf more = {.n = 0}, late = {.n = 0};
	struct capture_file_events ev;
	struct pcap_cursor *a, *b;
	struct capture_frame f;
	const char *p;
	struct pcap_source *s = open_one_record("grow2.pcap", &p);
	char err[256];

	a = pcap_source_cursor(s);
	b = pcap_source_cursor(s);
	cr_assert(a && b);
	/* Grown before either reached the end: both read the new records. */
	record(&more, 2, 0, 30, 30, 30);
	record(&more, 3, 0, 50, 50, 50);
	append(p, more.b, more.n - 20); /* record 3 cut short */
	for (int i = 1; i <= 2; i++) {
		cr_assert_eq(pcap_cursor_next(a, &f, err, sizeof(err)), 1);
		cr_assert_eq(f.pcap_cnt, (uint64_t)i);
	}
	cr_assert_eq(pcap_cursor_next(a, &f, err, sizeof(err)), 0, "%s", err);
	/* The writer finishes record 3 and adds 4 after `a` ended the file:
	 * `b` stops where `a` did. */
	record(&late, 4, 0, 40, 40, 40);
	append(p, more.b + more.n - 20, 20);
	append(p, late.b, late.n);
	for (int i = 1; i <= 2; i++)
		cr_assert_eq(pcap_cursor_next(b, &f, err, sizeof(err)), 1);
	cr_assert_eq(f.pcap_cnt, 2);
	cr_assert_eq(pcap_cursor_next(b, &f, err, sizeof(err)), 0, "%s", err);
	pcap_cursor_events(a, &ev);
	cr_assert_eq(ev.partial_tail, 1);
	pcap_cursor_events(b, &ev);
	cr_assert_eq(ev.partial_tail, 1);
	cr_assert_eq(ev.bad_records, 0);
	pcap_cursor_free(a);
	pcap_cursor_free(b);
	pcap_source_close(s);
}

Test(capture_mmap, released_frames_are_still_the_file)
{
	struct buf w = {.n = 0};
	struct capture_frame f, first;
	struct pcap_source *s;
	char err[256];

	three_records(&w, 0xa1b2c3d4, 0);
	s = pcap_source_open(write_file("rel.pcap", w.b, w.n), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_next(s, &first, err, sizeof(err)), 1);
	while (pcap_source_next(s, &f, err, sizeof(err)) > 0)
		pcap_source_release(s, f.data);
	pcap_source_release(s, NULL);
	cr_assert_eq(first.data[1], (uint8_t)(7 + 60));
	pcap_source_close(s);
}

/* ------------------------------- a large file, several cursors at once */

#define BIG_RECORDS 60000u /* 1,400-byte frames: 84 MB, several release chunks */
#define BIG_FRAME   1400u

/* A file of BIG_RECORDS frames whose first four bytes are the record's
 * index and whose other bytes depend on it. */
static const char *write_big_file(void)
{
	static char path[160];
	uint8_t rec[16 + BIG_FRAME];
	FILE *fp;
	struct buf w = {.n = 0};

	snprintf(path, sizeof(path), "%s/big.pcap", dir);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	file_header(&w, 0xa1b2c3d4, 65535, 1);
	cr_assert_eq(fwrite(w.b, 1, w.n, fp), w.n);
	for (uint32_t i = 0; i < BIG_RECORDS; i++) {
		uint32_t hdr[4] = {1700000000u + i / 1000, (i % 1000) * 1000, BIG_FRAME, BIG_FRAME};

		memcpy(rec, hdr, sizeof(hdr)); /* the test machine is little-endian */
		for (uint32_t j = 0; j < BIG_FRAME; j++)
			rec[16 + j] = (uint8_t)(i * 31 + j);
		memcpy(rec + 16, &i, 4);
		cr_assert_eq(fwrite(rec, 1, sizeof(rec), fp), sizeof(rec));
	}
	cr_assert_eq(fclose(fp), 0);
	return path;
}

/* A digest of what a walk saw: every frame's index, number, timestamp and
 * a sample of its bytes, in order. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

static uint64_t frame_digest(uint64_t h, const struct capture_frame *f)
{
	uint32_t idx;

	memcpy(&idx, f->data, 4);
	h = mix(h, idx);
	h = mix(h, f->pcap_cnt);
	h = mix(h, (uint64_t)f->ts_usec);
	h = mix(h, f->caplen);
	for (uint32_t j = 4; j < f->caplen; j += 97)
		h = mix(h, f->data[j]);
	return mix(h, f->data[f->caplen - 1]);
}

struct walker {
	struct pcap_source *s;
	struct pcap_cursor *c;
	struct walker *all;
	unsigned n;
	_Atomic uintptr_t at; /* frame reached; UINTPTR_MAX when done */
	uint64_t digest, frames, bad;
};

/* As dispatch.c's split_release: behind the slowest walker. */
static void release_behind_slowest(struct walker *w)
{
	uintptr_t low = UINTPTR_MAX;

	for (unsigned i = 0; i < w->n; i++) {
		uintptr_t at = atomic_load(&w->all[i].at);

		low = at < low ? at : low;
	}
	if (low != 0)
		pcap_source_release(w->s, low == UINTPTR_MAX ? NULL : (const uint8_t *)low);
}

static void *walk_and_release(void *arg)
{
	struct walker *w = arg;
	struct capture_frame f;
	char err[256];
	uint32_t idx;

	while (pcap_cursor_next(w->c, &f, err, sizeof(err)) > 0) {
		memcpy(&idx, f.data, 4);
		w->bad += idx != w->frames || f.data[5] != (uint8_t)(idx * 31 + 5);
		w->digest = frame_digest(w->digest, &f);
		if (++w->frames % 1024 == 0)
			atomic_store(&w->at, (uintptr_t)f.data);
		if (w->frames % 4096 == 0)
			release_behind_slowest(w);
	}
	atomic_store(&w->at, UINTPTR_MAX);
	release_behind_slowest(w);
	return NULL;
}

static void cursors_read_big_file(const char *path, unsigned n, uint64_t want)
{
	struct walker w[4];
	pthread_t tid[4];
	char err[256];
	struct pcap_source *s = pcap_source_open(path, err, sizeof(err));

	cr_assert_not_null(s, "%s", err);
	cr_assert(pcap_source_stable(s));
	for (unsigned i = 0; i < n; i++) {
		w[i] = (struct walker){.s = s, .c = pcap_source_cursor(s), .all = w, .n = n};
		cr_assert_not_null(w[i].c);
		atomic_init(&w[i].at, 0);
	}
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(pthread_create(&tid[i], NULL, walk_and_release, &w[i]), 0);
	for (unsigned i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(w[i].frames, BIG_RECORDS, "%u threads, cursor %u", n, i);
		cr_assert_eq(w[i].bad, 0, "%u threads, cursor %u", n, i);
		cr_assert_eq(w[i].digest, want, "%u threads, cursor %u", n, i);
		pcap_cursor_free(w[i].c);
	}
	pcap_source_close(s);
}

/* A file several release chunks long, read by 2 and then 4 threads, each
 * with its own cursor, each releasing the map behind the slowest (as the
 * split workers do, any of them at any time) while the others read:
 * every cursor sees every frame of the file, in order, exactly as one walk
 * on its own sees them. */
Test(capture_mmap, file_larger_than_release_window_same_for_2_and_4_threads, .timeout = 300)
{
	const char *path = write_big_file();
	struct capture_frame f;
	char err[256];
	uint64_t want = 0, frames = 0;
	struct pcap_source *s = pcap_source_open(path, err, sizeof(err));

	cr_assert_not_null(s, "%s", err);
	while (pcap_source_next(s, &f, err, sizeof(err)) > 0) {
		want = frame_digest(want, &f);
		if (++frames % 4096 == 0)
			pcap_source_release(s, f.data);
	}
	pcap_source_close(s);
	cr_assert_eq(frames, BIG_RECORDS);
	cursors_read_big_file(path, 2, want);
	cursors_read_big_file(path, 4, want);
}

Test(capture_mmap, pipes_and_pcapng_stay_with_libpcap)
{
	struct pcap_source *s;
	char err[256];
	uint8_t ng[48] = {0x0a, 0x0d, 0x0d, 0x0a, 28,	0,    0,    0,	  0x4d, 0x3c, 0x2b, 0x1a,
			  1,	0,    0,    0,	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			  28,	0,    0,    0,	  1,	0,    0,    0,	  20,	0,    0,    0,
			  1,	0,    0,    0,	  0,	0,    1,    0,	  20,	0,    0,    0};

	s = pcap_source_open(write_file("x.pcapng", ng, sizeof(ng)), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_not(pcap_source_stable(s));
	pcap_source_close(s);
}

Test(capture_mmap, standard_input_goes_through_libpcap)
{
	struct buf w;
	struct capture_frame f;
	struct pcap_source *s;
	char err[256];
	int n = 0;

	three_records(&w, 0xa1b2c3d4, 0);
	cr_assert_not_null(freopen(write_file("stdin.pcap", w.b, w.n), "rb", stdin));
	s = pcap_source_open("-", err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_not(pcap_source_stable(s));
	while (pcap_source_next(s, &f, err, sizeof(err)) > 0)
		n++;
	cr_assert_eq(n, 3);
	cr_assert_eq(f.caplen, 42);
	pcap_source_close(s);
}

Test(capture_mmap, a_fifo_goes_through_libpcap)
{
	struct buf w;
	struct capture_frame f;
	struct pcap_source *s;
	char path[160], err[256];
	int n = 0, st;
	pid_t pid;

	three_records(&w, 0xa1b23c4d, 1);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		FILE *fp = fopen(path, "wb");

		_exit(fp && fwrite(w.b, 1, w.n, fp) == w.n && fclose(fp) == 0 ? 0 : 1);
	}
	s = pcap_source_open(path, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_not(pcap_source_stable(s));
	while (pcap_source_next(s, &f, err, sizeof(err)) > 0)
		n++;
	pcap_source_close(s);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(n, 3);
}
