/*
 * capture_pcap.c - reading pcap and pcapng capture files (see
 * capture_pcap.h).
 *
 * Classic pcap files go through libpcap's offline reader, opened with
 * microsecond precision so that nanosecond files are converted by libpcap.
 * pcapng files are read here, block by block, because libpcap refuses a
 * file whose interfaces have different link types: each interface
 * description block (IDB) adds an interface with its link type and
 * timestamp resolution (if_tsresol), each enhanced, simple or obsolete
 * packet block is delivered with its interface's link type, a new section
 * header block (SHB, with its own byte order) starts a new interface list,
 * and other blocks are skipped. Frames are not copied: capture_frame.data
 * points into the reader's buffer (libpcap's or ours) and is valid until
 * the next pcap_source_next or pcap_source_close.
 *
 * Link types are reported as LINKTYPE_* values (the numbers in the file),
 * not libpcap's DLT_* values, which differ for raw IP.
 *
 * Errors name the file: a path that cannot be opened gives the system's
 * reason, a file libpcap refuses is "not a pcap or pcapng capture" with
 * libpcap's own text, and a record cut short is "truncated capture after
 * packet N" where N frames were delivered before it. A pcapng file that is
 * still refused (a packet of an interface not described, a block length
 * that is not a multiple of 4 or above 64 MiB) says what was wrong and how
 * to rewrite the file (editcap).
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A pcapng interface: link type and timestamp units per second. */
struct ng_iface {
	int linktype;
	uint64_t units;
	uint32_t snaplen;
};

struct pcap_source {
	struct mmap_source *mm; /* the mapped reader of a classic pcap file, or NULL */
	pcap_t *pc;		/* libpcap (pipes, compressed, ...), or NULL */
	char *path;		/* owned copy, for messages */
	uint64_t count;		/* frames delivered so far */
	int linktype;
	/* pcapng */
	FILE *fp;
	bool swap; /* the section's byte order differs from ours */
	uint8_t *buf;
	size_t cap;
	struct ng_iface *ifs;
	size_t n_ifs;
};

/* The LINKTYPE_* value of libpcap's DLT_* value: they are equal except for
 * raw IP, whose DLT value differs between platforms. */
static int linktype_of(int dlt)
{
	if (dlt == DLT_RAW)
		return 101; /* LINKTYPE_RAW */
	return dlt;
}

/* ------------------------------------------------------------- pcapng */

#define NG_SHB	       0x0a0d0d0au
#define NG_IDB	       1u
#define NG_OPB	       2u /* obsolete packet block */
#define NG_SPB	       3u
#define NG_EPB	       6u
#define NG_BOM	       0x1a2b3c4du
#define NG_MAX_BLOCK   (64u << 20)
#define NG_OPT_TSRESOL 9
#define NG_REWRITE     "rewrite it with `editcap FILE NEW.pcapng` or `tshark -r FILE -w NEW.pcap`"

/* A regular file that starts with a pcapng section header. Pipes and
 * FIFOs are not looked into (reading would take their first bytes): they
 * go to libpcap, which reads pcapng from a stream too. */
static bool is_pcapng(const char *path)
{
	uint8_t m[4] = {0};
	struct stat sb;
	FILE *fp = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? fopen(path, "rb") : NULL;
	size_t n = fp ? fread(m, 1, 4, fp) : 0;

	if (fp)
		fclose(fp);
	return n == 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

static uint32_t ng32(const struct pcap_source *s, const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return s->swap ? __builtin_bswap32(v) : v;
}

static uint16_t ng16(const struct pcap_source *s, const uint8_t *b)
{
	uint16_t v;

	memcpy(&v, b, 2);
	return s->swap ? __builtin_bswap16(v) : v;
}

/* Read the next block into s->buf (header included): its type and total
 * length, 0 at the end of the file, -1 with `err` filled. */
static int ng_block(struct pcap_source *s, uint32_t *type, uint32_t *len, char *err, size_t errlen)
{
	uint8_t hdr[12];
	size_t got = fread(hdr, 1, 8, s->fp), n;

	if (got == 0)
		return 0;
	if (got < 8)
		goto truncated;
	memcpy(type, hdr, 4);
	if (*type == NG_SHB) { /* byte order from the byte-order magic */
		if (fread(hdr + 8, 1, 4, s->fp) != 4)
			goto truncated;
		memcpy(len, hdr + 8, 4);
		s->swap = *len != NG_BOM;
		got = 12;
	}
	*type = ng32(s, hdr);
	*len = ng32(s, hdr + 4);
	if (*len < 12 || *len % 4 || *len > NG_MAX_BLOCK) {
		snprintf(err, errlen,
			 "%s: bad pcapng block length %u after packet %llu; " NG_REWRITE, s->path,
			 *len, (unsigned long long)s->count);
		return -1;
	}
	if (*len > s->cap) {
		uint8_t *nb = realloc(s->buf, *len);

		if (!nb) {
			snprintf(err, errlen, "%s: out of memory", s->path);
			return -1;
		}
		s->buf = nb;
		s->cap = *len;
	}
	memcpy(s->buf, hdr, got);
	n = fread(s->buf + got, 1, *len - got, s->fp);
	if (n == *len - got)
		return 1;
	snprintf(err, errlen,
		 "%s: truncated capture after packet %llu (truncated pcapng dump file; tried to "
		 "read %u bytes, only got %zu)",
		 s->path, (unsigned long long)s->count, *len - 8, got - 8 + n);
	return -1;
truncated:
	snprintf(err, errlen,
		 "%s: truncated capture after packet %llu (truncated pcapng block header)", s->path,
		 (unsigned long long)s->count);
	return -1;
}

/* Timestamp units per second of an if_tsresol value. */
static uint64_t ng_units(uint8_t v)
{
	uint64_t u = 1;
	unsigned e = v & 0x7f;

	if (v & 0x80)
		return e < 63 ? UINT64_C(1) << e : 0;
	if (e > 19)
		return 0;
	while (e--)
		u *= 10;
	return u;
}

/* An interface description block. */
static int ng_idb(struct pcap_source *s, uint32_t len, char *err, size_t errlen)
{
	struct ng_iface *ifs = realloc(s->ifs, (s->n_ifs + 1) * sizeof(*ifs));
	struct ng_iface *in;
	uint32_t off = 16;

	if (!ifs) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	s->ifs = ifs;
	in = &ifs[s->n_ifs];
	if (len < 20) {
		snprintf(err, errlen, "%s: interface description block too short; " NG_REWRITE,
			 s->path);
		return -1;
	}
	in->linktype = ng16(s, s->buf + 8);
	in->snaplen = ng32(s, s->buf + 12);
	in->units = 1000000;
	while (off + 4 <= len - 4) { /* options, up to the trailing length */
		uint16_t code = ng16(s, s->buf + off), olen = ng16(s, s->buf + off + 2);

		if (code == 0 || off + 4 + olen > len - 4)
			break;
		if (code == NG_OPT_TSRESOL && olen >= 1)
			in->units = ng_units(s->buf[off + 4]);
		off += 4 + ((olen + 3u) & ~3u);
	}
	if (in->units == 0) {
		snprintf(err, errlen,
			 "%s: interface %zu has a timestamp resolution we cannot read; " NG_REWRITE,
			 s->path, s->n_ifs);
		return -1;
	}
	if (s->n_ifs == 0)
		s->linktype = in->linktype;
	s->n_ifs++;
	return 0;
}

static int64_t ng_usec(uint64_t ts, uint64_t units)
{
	uint64_t sec = ts / units, frac = ts % units;

	return (int64_t)(sec * 1000000 + (uint64_t)((unsigned __int128)frac * 1000000 / units));
}

/* A packet block: fill `f`; -1 with `err` when it cannot be read. */
static int ng_packet(struct pcap_source *s, uint32_t type, uint32_t len, struct capture_frame *f,
		     char *err, size_t errlen)
{
	uint32_t ifn = 0, caplen, wirelen, at;
	uint64_t ts = 0;

	if (type == NG_SPB) {
		if (len < 16)
			goto bad;
		wirelen = ng32(s, s->buf + 8);
		at = 12;
		caplen = wirelen < len - 16 ? wirelen : len - 16;
	} else {
		if (len < 32)
			goto bad;
		ifn = type == NG_EPB ? ng32(s, s->buf + 8) : ng16(s, s->buf + 8);
		ts = (uint64_t)ng32(s, s->buf + 12) << 32 | ng32(s, s->buf + 16);
		caplen = ng32(s, s->buf + 20);
		wirelen = ng32(s, s->buf + 24);
		at = 28;
		if (caplen > len - 32)
			goto bad;
	}
	if (ifn >= s->n_ifs) {
		snprintf(err, errlen,
			 "%s: packet %llu belongs to interface %u, which no interface description "
			 "block before it describes; " NG_REWRITE,
			 s->path, (unsigned long long)s->count + 1, ifn);
		return -1;
	}
	if (type == NG_SPB && s->ifs[0].snaplen && caplen > s->ifs[0].snaplen)
		caplen = s->ifs[0].snaplen;
	s->count++;
	f->data = s->buf + at;
	f->caplen = caplen;
	f->wirelen = wirelen;
	f->ts_usec = ng_usec(ts, s->ifs[ifn].units);
	f->pcap_cnt = s->count;
	f->linktype = s->ifs[ifn].linktype;
	return 1;
bad:
	snprintf(err, errlen,
		 "%s: packet block after packet %llu is shorter than its header; " NG_REWRITE,
		 s->path, (unsigned long long)s->count);
	return -1;
}

/* The next packet of a pcapng file (same contract as pcap_source_next). */
static int ng_next(struct pcap_source *s, struct capture_frame *f, char *err, size_t errlen)
{
	uint32_t type, len;
	int rc;

	while ((rc = ng_block(s, &type, &len, err, errlen)) == 1) {
		if (type == NG_SHB) {
			s->n_ifs = 0; /* a new section describes its interfaces again */
			continue;
		}
		if (type == NG_IDB) {
			if (ng_idb(s, len, err, errlen) != 0)
				return -1;
			continue;
		}
		if (type == NG_EPB || type == NG_SPB || type == NG_OPB)
			return ng_packet(s, type, len, f, err, errlen);
	}
	return rc;
}

/* Open a pcapng file: read up to its first interface. */
static int ng_open(struct pcap_source *s, char *err, size_t errlen)
{
	uint32_t type, len;
	int rc;

	s->fp = fopen(s->path, "rb");
	if (!s->fp) {
		snprintf(err, errlen, "%s: cannot open: %s", s->path, strerror(errno));
		return -1;
	}
	while ((rc = ng_block(s, &type, &len, err, errlen)) == 1) {
		if (type == NG_IDB)
			return ng_idb(s, len, err, errlen);
		if (type == NG_EPB || type == NG_SPB || type == NG_OPB) {
			snprintf(err, errlen,
				 "%s: a packet comes before any interface description "
				 "block; " NG_REWRITE,
				 s->path);
			return -1;
		}
	}
	if (rc == 0)
		snprintf(err, errlen, "%s: not a pcap or pcapng capture (no interface described)",
			 s->path);
	return -1;
}

/* -------------------------------------------------------------- sources */

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
	if (is_pcapng(path)) {
		if (ng_open(s, err, errlen) == 0)
			return s;
		pcap_source_close(s);
		return NULL;
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

/* "FILE: truncated capture after packet N (why)", the one text of a cut
 * file whichever reader found it. */
static void truncated(char *err, size_t errlen, const char *path, uint64_t after, const char *why)
{
	snprintf(err, errlen, "%s: truncated capture after packet %llu (%s)", path,
		 (unsigned long long)after, why);
}

static int mmap_next(struct pcap_source *s, struct capture_frame *f, char *err, size_t errlen)
{
	char why[256];
	int rc = mmap_source_next(s->mm, f, why, sizeof(why));

	if (rc < 0)
		truncated(err, errlen, s->path, s->count, why);
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
	if (!s->pc)
		return ng_next(s, f, err, errlen);
	rc = pcap_next_ex(s->pc, &hdr, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		truncated(err, errlen, s->path, s->count, pcap_geterr(s->pc));
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
	if (s->fp)
		fclose(s->fp);
	free(s->buf);
	free(s->ifs);
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

/* ---------------------------------------------------------- cursors */

struct pcap_cursor {
	const char *path;
	struct mmap_cursor *mc;
};

struct pcap_cursor *pcap_source_cursor(struct pcap_source *s)
{
	struct pcap_cursor *c;

	if (!s->mm)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->path = s->path;
	c->mc = mmap_source_cursor(s->mm);
	if (!c->mc) {
		free(c);
		return NULL;
	}
	return c;
}

int pcap_cursor_next(struct pcap_cursor *c, struct capture_frame *f, char *err, size_t errlen)
{
	char why[256];
	int rc = mmap_cursor_next(c->mc, f, why, sizeof(why));
	struct capture_file_events ev;

	if (rc < 0) {
		mmap_cursor_events(c->mc, &ev);
		truncated(err, errlen, c->path, ev.bad_record_pcap_cnt - 1, why);
	}
	return rc;
}

void pcap_cursor_events(const struct pcap_cursor *c, struct capture_file_events *ev)
{
	mmap_cursor_events(c->mc, ev);
}

void pcap_cursor_free(struct pcap_cursor *c)
{
	if (!c)
		return;
	mmap_cursor_free(c->mc);
	free(c);
}
