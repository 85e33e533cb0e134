/*
 * capture_pcap.c - reading pcap and pcapng capture files (see
 * capture_pcap.h).
 *
 * A thin wrapper over libpcap's offline reader, opened with microsecond
 * precision so that nanosecond files are converted by libpcap. Frames are
 * not copied: capture_frame.data points into libpcap's buffer and is valid
 * until the next pcap_source_next or pcap_source_close.
 *
 * Link types are reported as LINKTYPE_* values (the numbers in the file),
 * not libpcap's DLT_* values, which differ for raw IP.
 *
 * Errors name the file: a path that cannot be opened gives the system's
 * reason, a file libpcap refuses is "not a pcap or pcapng capture" with
 * libpcap's own text, and a record cut short is "truncated capture after
 * packet N" where N frames were delivered before it.
 *
 * Classic pcap files are handed to capture_mmap.c instead (read in place,
 * frames valid until released or closed); the functions below pass through
 * to it when `mm` is set.
 *
 * Threads: a source is used by one thread at a time (the reader).
 */
#include "capture/capture_pcap.h"
#include "capture/capture_mmap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pcap_source {
	struct mmap_source *mm; /* the mapped reader, or NULL for libpcap */
	pcap_t *pc;
	char *path;	/* owned copy, for messages */
	uint64_t count; /* frames delivered so far */
	int linktype;
};

/* The LINKTYPE_* value of libpcap's DLT_* value: they are equal except for
 * raw IP, whose DLT value differs between platforms. */
static int linktype_of(int dlt)
{
	if (dlt == DLT_RAW)
		return 101; /* LINKTYPE_RAW */
	return dlt;
}

/* The reason `path` cannot be read at all, or 0 when it can be opened. */
static int open_errno(const char *path)
{
	struct stat st;
	FILE *fp;

	/* A FIFO is not opened twice: its writer would meet this reader, not
	 * libpcap's. */
	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		return access(path, R_OK) == 0 ? 0 : errno;
	fp = fopen(path, "rb");

	if (!fp)
		return errno ? errno : ENOENT;
	fclose(fp);
	return 0;
}

struct pcap_source *pcap_source_open(const char *path, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_source *s;
	int e = strcmp(path, "-") == 0 ? 0 : open_errno(path); /* "-": standard input */

	if (e) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto no_memory;
	s->path = strdup(path);
	if (!s->path)
		goto free_source;
	e = mmap_source_open(path, &s->mm, err, errlen);
	if (e < 0)
		goto free_path;
	if (e > 0) {
		s->linktype = mmap_source_linktype(s->mm);
		return s;
	}
	s->pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO,
							pcap_err);
	if (!s->pc) {
		snprintf(err, errlen, "%s: not a pcap or pcapng capture (%s)", path, pcap_err);
		goto free_path;
	}
	s->linktype = linktype_of(pcap_datalink(s->pc));
	return s;
free_path:
	free(s->path);
	free(s);
	return NULL;
free_source:
	free(s);
no_memory:
	snprintf(err, errlen, "%s: out of memory", path);
	return NULL;
}

static int mmap_next(struct pcap_source *s, struct capture_frame *f, char *err, size_t errlen)
{
	char why[256];
	int rc = mmap_source_next(s->mm, f, why, sizeof(why));

	if (rc < 0)
		snprintf(err, errlen, "%s: truncated capture after packet %llu (%s)", s->path,
			 (unsigned long long)s->count, why);
	else if (rc > 0)
		s->count++;
	return rc;
}

int pcap_source_next(struct pcap_source *s, struct capture_frame *f, char *err, size_t errlen)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	if (s->mm)
		return mmap_next(s, f, err, errlen);
	rc = pcap_next_ex(s->pc, &hdr, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err, errlen, "%s: truncated capture after packet %llu (%s)", s->path,
			 (unsigned long long)s->count, pcap_geterr(s->pc));
		return -1;
	}
	s->count++;
	f->data = data;
	f->caplen = hdr->caplen;
	f->wirelen = hdr->len;
	f->ts_usec = (int64_t)hdr->ts.tv_sec * 1000000 + (int64_t)hdr->ts.tv_usec;
	f->pcap_cnt = s->count;
	f->linktype = s->linktype;
	return 1;
}

int pcap_source_linktype(const struct pcap_source *s)
{
	return s->linktype;
}

void pcap_source_close(struct pcap_source *s)
{
	if (!s)
		return;
	mmap_source_close(s->mm);
	if (s->pc)
		pcap_close(s->pc);
	free(s->path);
	free(s);
}

bool pcap_source_stable(const struct pcap_source *s)
{
	return s->mm != NULL;
}

void pcap_source_release(struct pcap_source *s, const uint8_t *before)
{
	if (s->mm)
		mmap_source_release(s->mm, before);
}

void pcap_source_events(const struct pcap_source *s, struct capture_file_events *ev)
{
	if (s->mm) {
		mmap_source_events(s->mm, ev);
		return;
	}
	memset(ev, 0, sizeof(*ev));
}
