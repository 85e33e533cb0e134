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

#include <stddef.h>
#include <stdint.h>

struct pcap_source;

struct capture_frame {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
	int64_t ts_usec;
	uint64_t pcap_cnt; /* 1-based */
	int linktype;      /* LINKTYPE_* of the frame's interface */
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

#endif
