/*
 * capture_mmap.h - reading classic pcap files through a read-only memory
 * map, without copying a byte (used by capture_pcap.c; not for other
 * callers).
 *
 * A frame handed out points into the map and stays valid until
 * mmap_source_close, or until the caller releases the part of the map it
 * lies in with mmap_source_release. Frames, timestamps, packet numbers and
 * error texts are those libpcap gives for the same file (libpcap's rules for
 * a record longer than the snapshot length included), so the two readers
 * are interchangeable; tests/unit/test_capture_mmap.c holds them side by
 * side.
 */
#ifndef SENSOR_CAPTURE_MMAP_H
#define SENSOR_CAPTURE_MMAP_H

#include <stddef.h>
#include <stdint.h>

#include "capture/capture_pcap.h"

struct mmap_source;

/*
 * Open `path` if it is a regular file holding a classic pcap capture this
 * reader takes (pcap 2.4, either byte order, micro- or nanosecond
 * timestamps, a link type the decoder knows). Returns 1 with `*out` set, 0
 * when the file is for libpcap instead (pcapng, compressed, a pipe, another
 * pcap variant), -1 with `err` filled when the file cannot be read or its
 * header is cut short.
 */
int mmap_source_open(const char *path, struct mmap_source **out, char *err, size_t errlen);

/* Next frame: 1 when `f` is filled, 0 at the end (or at the last whole
 * record of a file that grew while read), -1 with `err` set to libpcap's
 * text for a malformed record ("truncated dump file; ...", "invalid packet
 * capture length ..."), after which the source stays at its end. */
int mmap_source_next(struct mmap_source *s, struct capture_frame *f, char *err, size_t errlen);

/* The frames before `before` (a pointer handed out in a frame, or NULL for
 * every frame delivered so far) will not be read again: their pages may
 * leave memory. Cheap when called often; it acts in aligned chunks of
 * 32 MB, on any thread (try-lock). */
void mmap_source_release(struct mmap_source *s, const uint8_t *before);

/*
 * Cursors: each walks every record of the file from the first, on its own
 * thread, giving the same frames, packet numbers, events and errors as
 * mmap_source_next (so several workers can each read the whole file and
 * keep their own frames). All cursors of a source end at the same record,
 * also when the file grows while read. mmap_source_release is then the
 * caller's to call behind the slowest cursor, from any cursor's thread (it
 * never waits: a call that finds another thread releasing returns). A
 * cursor is freed before its source is closed.
 */
struct mmap_cursor;

struct mmap_cursor *mmap_source_cursor(struct mmap_source *s); /* NULL: out of memory */
int mmap_cursor_next(struct mmap_cursor *c, struct capture_frame *f, char *err, size_t errlen);
void mmap_cursor_events(const struct mmap_cursor *c, struct capture_file_events *ev);
void mmap_cursor_free(struct mmap_cursor *c);

int mmap_source_linktype(const struct mmap_source *s);
void mmap_source_events(const struct mmap_source *s, struct capture_file_events *ev);
void mmap_source_close(struct mmap_source *s);

#endif
