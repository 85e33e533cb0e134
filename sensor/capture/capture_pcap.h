/*
 * capture_pcap.h - reading pcap and pcapng capture files.
 *
 * Wraps libpcap's offline reader. The frame handed to the callback points
 * into libpcap's buffer and is valid only during the callback (no copy is
 * made). A file that is not a capture, or is truncated in the middle of a
 * record, is an error with a message naming the file; frames read before a
 * truncation have been delivered.
 */
#ifndef SENSOR_CAPTURE_PCAP_H
#define SENSOR_CAPTURE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcap_source;

struct capture_frame {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
	int64_t ts_usec;
	uint64_t pcap_cnt; /* 1-based */
	int linktype;	   /* LINKTYPE_* of the frame's interface */
};

/* Open `path`. Returns NULL with `err` filled ("FILE: not a pcap or pcapng
 * capture (...)") on failure. */
struct pcap_source *pcap_source_open(const char *path, char *err, size_t errlen);

/* Next frame: 1 when `f` is filled, 0 at end of file, -1 on a read error
 * (truncated file) with `err` filled. */
int pcap_source_next(struct pcap_source *s, struct capture_frame *f, char *err, size_t errlen);

/* The link type of the capture (the first interface for pcapng). */
int pcap_source_linktype(const struct pcap_source *s);

void pcap_source_close(struct pcap_source *s);

/* -------------------------------------------- the memory-mapped reader
 * Classic pcap files (regular files, not `-`) are read in place from a
 * memory map (capture_mmap.c); everything else goes through libpcap. */

/* Malformed or unusual records met so far (the mapped reader counts them;
 * libpcap's path reports only the error that ends the file). */
struct capture_file_events {
	uint64_t zero_caplen;	      /* records with no byte captured (delivered) */
	uint64_t caplen_over_snaplen; /* cut to the snapshot length (delivered) */
	uint64_t bad_records;	      /* a cut-short or absurd record that ended the file */
	uint64_t bad_record_pcap_cnt; /* its packet number (1-based), 0 when none */
	uint64_t partial_tail;	      /* a growing file's unfinished last record, left */
};

/* Whether frames stay valid after the next read, until pcap_source_release
 * passes them or the source is closed (true for the mapped reader). */
bool pcap_source_stable(const struct pcap_source *s);

/* Frames before `before` (a frame's data pointer; NULL: every frame read so
 * far) will not be looked at again. Any thread may call it, also while
 * cursors read; it never waits (see mmap_source_release). No-op for
 * libpcap's reader. */
void pcap_source_release(struct pcap_source *s, const uint8_t *before);

void pcap_source_events(const struct pcap_source *s, struct capture_file_events *ev);

/* A walk of its own through a stable source's frames (see mmap_cursor in
 * capture_mmap.h): the same frames, packet numbers, events and error texts
 * as pcap_source_next, for one thread each. NULL when the source is not
 * stable (libpcap's reader) or memory is short. Freed before the source. */
struct pcap_cursor;

struct pcap_cursor *pcap_source_cursor(struct pcap_source *s);
int pcap_cursor_next(struct pcap_cursor *c, struct capture_frame *f, char *err, size_t errlen);
void pcap_cursor_events(const struct pcap_cursor *c, struct capture_file_events *ev);
void pcap_cursor_free(struct pcap_cursor *c);

#endif
