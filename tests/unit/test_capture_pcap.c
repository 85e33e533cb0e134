/*
 * test_capture_pcap.c - the pcap/pcapng reader on files written byte by
 * byte here: pcap with microsecond and nanosecond timestamps, pcapng with
 * SHB, IDB and EPB blocks, a text file, a missing file and a file cut in
 * the middle of a record.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture_pcap.h"

static char dir[64];
static char path[128];

static void make_dir(void)
{
	strcpy(dir, "/tmp/test_capture_pcap_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char p[160];
	const char *names[] = {"micro.pcap", "nano.pcap",     "ng.pcapng",    "text.txt",
			       "cut.pcap",   "cutng.pcapng",  "multi.pcapng", "orphan.pcapng",
			       "be.pcapng",  "hostile.pcapng"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

TestSuite(capture_pcap, .init = make_dir, .fini = remove_dir);

/* A growing little-endian byte buffer. */
struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put8(struct buf *w, uint8_t v)
{
	w->b[w->n++] = v;
}

static void put16(struct buf *w, uint16_t v)
{
	put8(w, (uint8_t)v);
	put8(w, (uint8_t)(v >> 8));
}

static void put32(struct buf *w, uint32_t v)
{
	put16(w, (uint16_t)v);
	put16(w, (uint16_t)(v >> 16));
}

static void put_bytes(struct buf *w, const uint8_t *b, size_t n)
{
	memcpy(w->b + w->n, b, n);
	w->n += n;
}

static const char *write_file(const char *name, const void *data, size_t n)
{
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(data, 1, n, fp), n);
	cr_assert_eq(fclose(fp), 0);
	return path;
}

static void pcap_header(struct buf *w, uint32_t magic, uint32_t linktype)
{
	put32(w, magic);
	put16(w, 2);
	put16(w, 4);
	put32(w, 0);	 /* thiszone */
	put32(w, 0);	 /* sigfigs */
	put32(w, 65535); /* snaplen */
	put32(w, linktype);
}

static void pcap_record(struct buf *w, uint32_t sec, uint32_t frac, const uint8_t *data,
			uint32_t caplen, uint32_t wirelen)
{
	put32(w, sec);
	put32(w, frac);
	put32(w, caplen);
	put32(w, wirelen);
	put_bytes(w, data, caplen);
}

static const uint8_t frame_a[20] = {0x45, 0, 0,	  20, 0, 1, 0,	 0,  64, 17,
				    0,	  0, 198, 18, 0, 1, 198, 18, 0,	 2};
static const uint8_t frame_b[7] = {1, 2, 3, 4, 5, 6, 7};

static void expect_frame(const struct capture_frame *f, const uint8_t *data, uint32_t caplen,
			 uint32_t wirelen, int64_t ts, uint64_t cnt, int linktype)
{
	cr_assert_eq(f->caplen, caplen);
	cr_assert_eq(f->wirelen, wirelen);
	cr_assert_eq(memcmp(f->data, data, caplen), 0);
	cr_assert_eq(f->ts_usec, ts);
	cr_assert_eq(f->pcap_cnt, cnt);
	cr_assert_eq(f->linktype, linktype);
}

Test(capture_pcap, reads_microsecond_pcap)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "";

	pcap_header(&w, 0xa1b2c3d4, 1);
	pcap_record(&w, 1700000000, 123456, frame_a, 20, 20);
	pcap_record(&w, 1700000001, 999999, frame_b, 7, 1500);
	s = pcap_source_open(write_file("micro.pcap", w.b, w.n), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_linktype(s), 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_a, 20, 20, INT64_C(1700000000123456), 1, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_b, 7, 1500, INT64_C(1700000001999999), 2, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0);
	pcap_source_close(s);
}

Test(capture_pcap, converts_nanosecond_pcap)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "";

	pcap_header(&w, 0xa1b23c4d, 101);
	pcap_record(&w, 1700000000, 123456789, frame_a, 20, 20);
	s = pcap_source_open(write_file("nano.pcap", w.b, w.n), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_linktype(s), 101);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_a, 20, 20, INT64_C(1700000000123456), 1, 101);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0);
	pcap_source_close(s);
}

static void pcapng_shb_idb(struct buf *w, uint16_t linktype)
{
	put32(w, 0x0a0d0d0a); /* section header block */
	put32(w, 28);
	put32(w, 0x1a2b3c4d);
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xffffffff); /* section length: unknown */
	put32(w, 0xffffffff);
	put32(w, 28);
	put32(w, 1); /* interface description block */
	put32(w, 20);
	put16(w, linktype);
	put16(w, 0);
	put32(w, 65535);
	put32(w, 20);
}

static void pcapng_epb(struct buf *w, uint64_t ts_usec, const uint8_t *data, uint32_t caplen,
		       uint32_t wirelen)
{
	uint32_t padded = (caplen + 3) & ~3u;

	put32(w, 6); /* enhanced packet block */
	put32(w, 32 + padded);
	put32(w, 0); /* interface 0 */
	put32(w, (uint32_t)(ts_usec >> 32));
	put32(w, (uint32_t)ts_usec);
	put32(w, caplen);
	put32(w, wirelen);
	put_bytes(w, data, caplen);
	for (uint32_t i = caplen; i < padded; i++)
		put8(w, 0);
	put32(w, 32 + padded);
}

Test(capture_pcap, reads_pcapng)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "";

	pcapng_shb_idb(&w, 1);
	pcapng_epb(&w, UINT64_C(1700000000000001), frame_b, 7, 64);
	pcapng_epb(&w, UINT64_C(1700000002500000), frame_a, 20, 20);
	s = pcap_source_open(write_file("ng.pcapng", w.b, w.n), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_linktype(s), 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_b, 7, 64, INT64_C(1700000000000001), 1, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_a, 20, 20, INT64_C(1700000002500000), 2, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0);
	pcap_source_close(s);
}

Test(capture_pcap, text_file_is_not_a_capture)
{
	static const char text[] = "this is not a capture file, just some text\n";
	char err[256] = "", want[256];
	const char *p = write_file("text.txt", text, sizeof(text) - 1);

	cr_assert_null(pcap_source_open(p, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: not a pcap or pcapng capture (unknown file format)", p);
	cr_assert_str_eq(err, want);
}

Test(capture_pcap, missing_file_cannot_open)
{
	char err[256] = "", p[160], want[256];

	snprintf(p, sizeof(p), "%s/absent.pcap", dir);
	cr_assert_null(pcap_source_open(p, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", p);
	cr_assert_str_eq(err, want);
}

Test(capture_pcap, truncated_record_after_delivered_frames)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "", want[256];
	const char *p;

	pcap_header(&w, 0xa1b2c3d4, 1);
	pcap_record(&w, 10, 1, frame_a, 20, 20);
	pcap_record(&w, 11, 2, frame_b, 7, 7);
	pcap_record(&w, 12, 3, frame_a, 20, 20);
	w.n -= 10; /* the third record loses half its data */
	p = write_file("cut.pcap", w.b, w.n);
	s = pcap_source_open(p, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_a, 20, 20, INT64_C(10000001), 1, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_b, 7, 7, INT64_C(11000002), 2, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: truncated capture after packet 2 (truncated dump file; tried to read 20 "
		 "captured bytes, only got 10)",
		 p);
	cr_assert_str_eq(err, want);
	pcap_source_close(s);
}

Test(capture_pcap, truncated_pcapng_block)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "", want[256];
	const char *p;

	pcapng_shb_idb(&w, 1);
	pcapng_epb(&w, 5, frame_a, 20, 20);
	pcapng_epb(&w, 6, frame_a, 20, 20);
	w.n -= 30;
	p = write_file("cutng.pcapng", w.b, w.n);
	s = pcap_source_open(p, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1);
	expect_frame(&f, frame_a, 20, 20, 5, 1, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: truncated capture after packet 1 (truncated pcapng dump file; tried to "
		 "read 44 bytes, only got 14)",
		 p);
	cr_assert_str_eq(err, want);
	pcap_source_close(s);
}

/* An interface description block with if_tsresol `tsresol` (0: none). */
static void pcapng_idb(struct buf *w, uint16_t linktype, uint8_t tsresol)
{
	put32(w, 1);
	put32(w, tsresol ? 32 : 20);
	put16(w, linktype);
	put16(w, 0);
	put32(w, 65535);
	if (tsresol) {
		put16(w, 9); /* if_tsresol */
		put16(w, 1);
		put8(w, tsresol);
		put8(w, 0);
		put16(w, 0);
		put32(w, 0); /* opt_endofopt */
	}
	put32(w, tsresol ? 32 : 20);
}

static void pcapng_epb_if(struct buf *w, uint32_t ifn, uint64_t ts, const uint8_t *data,
			  uint32_t caplen)
{
	uint32_t padded = (caplen + 3) & ~3u;

	put32(w, 6);
	put32(w, 32 + padded);
	put32(w, ifn);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put32(w, caplen);
	put32(w, caplen);
	put_bytes(w, data, caplen);
	for (uint32_t i = caplen; i < padded; i++)
		put8(w, 0);
	put32(w, 32 + padded);
}

/* Interfaces of different link types (libpcap refuses these files): each
 * packet carries its interface's link type and timestamp resolution; a
 * simple packet block belongs to interface 0. */
Test(capture_pcap, pcapng_interfaces_with_different_link_types)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "";

	pcapng_shb_idb(&w, 1);
	pcapng_idb(&w, 101, 9); /* raw IP, nanoseconds */
	pcapng_epb_if(&w, 1, UINT64_C(1700000000123456789), frame_a, 20);
	pcapng_epb_if(&w, 0, UINT64_C(1700000001000002), frame_b, 7);
	put32(&w, 3); /* simple packet block */
	put32(&w, 16 + 8);
	put32(&w, 7);
	put_bytes(&w, frame_b, 7);
	put8(&w, 0);
	put32(&w, 16 + 8);
	s = pcap_source_open(write_file("multi.pcapng", w.b, w.n), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_linktype(s), 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1, "%s", err);
	expect_frame(&f, frame_a, 20, 20, INT64_C(1700000000123456), 1, 101);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1, "%s", err);
	expect_frame(&f, frame_b, 7, 7, INT64_C(1700000001000002), 2, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1, "%s", err);
	expect_frame(&f, frame_b, 7, 7, 0, 3, 1);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0);
	pcap_source_close(s);
}

/* What is still refused says what is wrong and how to rewrite the file. */
Test(capture_pcap, pcapng_packet_of_an_undescribed_interface_names_the_fix)
{
	struct buf w = {.n = 0};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "", want[300];
	const char *p;

	pcapng_shb_idb(&w, 1);
	pcapng_epb_if(&w, 3, 5, frame_a, 20);
	p = write_file("orphan.pcapng", w.b, w.n);
	s = pcap_source_open(p, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: packet 1 belongs to interface 3, which no interface description block "
		 "before it describes; rewrite it with `editcap FILE NEW.pcapng` or `tshark -r "
		 "FILE -w NEW.pcap`",
		 p);
	cr_assert_str_eq(err, want);
	pcap_source_close(s);
}

/* A big-endian section reads the same. */
Test(capture_pcap, pcapng_big_endian_section)
{
	static const uint8_t be[] = {
		0x0a, 0x0d, 0x0d, 0x0a, 0,    0,    0,	  28,	0x1a, 0x2b, 0x3c,
		0x4d, 0,    1,	  0,	0,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0,	  0,	0,    28, /* SHB */
		0,    0,    0,	  1,	0,    0,    0,	  20,	0,    101,  0,
		0,    0,    0,	  0xff, 0xff, 0,    0,	  0,	20, /* IDB */
		0,    0,    0,	  6,	0,    0,    0,	  52,	0,    0,    0,
		0,    0,    0,	  0,	0,    0,    0,	  0,	9,    0,    0,
		0,    20,   0,	  0,	0,    20,   0x45, 0,	0,    20,   0,
		1,    0,    0,	  64,	17,   0,    0,	  198,	18,   0,    1,
		198,  18,   0,	  2,	0,    0,    0,	  52, /* EPB */
	};
	struct capture_frame f;
	struct pcap_source *s;
	char err[256] = "";

	s = pcap_source_open(write_file("be.pcapng", be, sizeof(be)), err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(pcap_source_linktype(s), 101);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 1, "%s", err);
	expect_frame(&f, frame_a, 20, 20, 9, 1, 101);
	cr_assert_eq(pcap_source_next(s, &f, err, sizeof(err)), 0);
	pcap_source_close(s);
}

/* Read a whole file; frames stay inside the block they came from. */
static void read_all(const char *p)
{
	char err[512];
	struct capture_frame f;
	struct pcap_source *s = pcap_source_open(p, err, sizeof(err));
	int rc;

	if (!s)
		return;
	while ((rc = pcap_source_next(s, &f, err, sizeof(err))) == 1)
		cr_assert(f.caplen < 1024);
	cr_assert(rc == 0 || rc == -1);
	pcap_source_close(s);
}

/* Every truncation and byte flips of a pcapng file with two interfaces:
 * only clean ends or errors, never a crash or a read past a block (ASan). */
Test(capture_pcap, pcapng_hostile_bytes)
{
	struct buf w = {.n = 0};
	uint8_t copy[1024];
	uint32_t rng = 12345;

	pcapng_shb_idb(&w, 1);
	pcapng_idb(&w, 101, 9);
	pcapng_epb_if(&w, 1, 77, frame_a, 20);
	pcapng_epb_if(&w, 0, 78, frame_b, 7);
	for (size_t len = 0; len <= w.n; len++)
		read_all(write_file("hostile.pcapng", w.b, len));
	for (int i = 0; i < 400; i++) {
		memcpy(copy, w.b, w.n);
		for (int k = 0; k < 3; k++) {
			rng = rng * 1103515245u + 12345u;
			copy[8 + (rng >> 8) % (w.n - 8)] = (uint8_t)(rng >> 24);
		}
		read_all(write_file("hostile.pcapng", copy, w.n));
	}
}

Test(capture_pcap, close_null)
{
	pcap_source_close(NULL);
}
