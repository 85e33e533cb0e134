/*
 * stream_tcp.c - TCP session tracking and stream reassembly (see stream_tcp.h).
 *
 * Design
 * ------
 * A session (struct tcp_session, f->tcp) has two halves, one per direction
 * of data: half[IDS_DIR_TO_SERVER] holds what the client sends,
 * half[IDS_DIR_TO_CLIENT] what the server sends. Each half keeps the
 * sender's ISN and highest sequence seen, the receiver's highest ACK and
 * window, the FIN, and a sorted, doubly linked list of pieces: runs of
 * buffered bytes that do not overlap, each with the timestamp and frame
 * number of the packet whose bytes it holds.
 *
 * Sequence numbers are 32-bit and compared modulo 2^32 (SEQ_LT and friends:
 * the signed difference). Inside a half everything is a 64-bit stream
 * offset, 0 being the byte after the SYN (ISN + 1); a sequence number is
 * mapped to an offset relative to the delivery point (`delivered`), which
 * never lags the data by more than a window, so the 32-bit signed distance
 * is enough.
 *
 * Insertion: a segment is clipped to [delivered, FIN or depth). If it
 * starts at or past the end of the last piece (the in-order case) it is
 * copied once into a new piece appended at the tail: O(1). Otherwise the
 * list is searched from the head or the tail for the first piece it
 * overlaps, each overlapped piece is compared byte for byte and the
 * receiver's policy picks which bytes stay (below); where the new bytes
 * win, the old piece is cut (trimmed, split or freed); the parts of the
 * segment that no piece covers then become new pieces.
 *
 * Overlap policies (the receiver's, from os_policy_lookup on the data's
 * destination address; this is how Suricata documents and implements its
 * target-based TCP reassembly). For a new segment N overlapping an old one
 * O with different bytes, the new bytes win the overlapping part when:
 *   first, vista  never: the bytes seen first always stay.
 *   last          always: the bytes seen last always win.
 *   bsd, bsd-right, windows
 *                 N starts before O.
 *   linux         N starts before O, or at the same byte and ends after O.
 *   old-linux     N starts before O, or at the same byte and ends at or
 *                 after O's end (an exact resend replaces the data).
 *   solaris       N ends after O, or ends at the same byte and starts at or
 *                 before O's start (N covers O's end).
 * The geometry is that of the pieces held, which is the original segments'
 * until an earlier overlap cut one. Bytes already delivered never change:
 * a segment reaching back before the delivery point is trimmed there.
 * Those bytes were acknowledged by the receiver (or the direction was
 * flushed), so a host would discard a resend of them, and their memory is
 * already back in the pool: they are not compared.
 *
 * Delivery: bytes are final once the receiver ACKs them. An ACK delivers
 * the pieces below it in order, one data() call per piece (a piece only
 * partly acknowledged gives its acknowledged part). A piece that starts
 * after the delivery point (a hole the ACK passed: bytes the receiver got
 * and we never saw) carries gap_before = the hole, counted as a gap
 * (tcp.reassembly_gap, stream.reassembly_seq_gap). More than max_unacked
 * bytes held in a half deliver pieces from the head without waiting for
 * the ACK; a FIN acknowledged, a valid RST or the flow end deliver
 * everything, holes included, then call data() with end=true (len 0; its
 * gap_before is a trailing hole the receiver acknowledged). A hole handed
 * out that way carries its gap_before too, but is counted and raised only
 * when the receiver acknowledged bytes past its start (hole_acked), as
 * Suricata raises its gap event only for acknowledged data it missed.
 * The ACK is capped at the highest sequence the sender was seen to use,
 * so a bogus ACK cannot invent a gap.
 *
 * Handshake: SYN, SYN+ACK (whose ACK must be ISN+1, or cover data sent on
 * the SYN with TCP Fast Open; otherwise ignored), ACK. Data on a SYN is
 * held, not delivered, until the SYN+ACK: one that acknowledges only ISN+1
 * did not take it (a host without TFO discards it; the client resends it
 * after the handshake), so it is removed from the stream
 * (STREAM_EV_SYN_DATA_IGNORED). A SYN (or SYN+ACK) with another ISN than
 * the half's does not replace it: up to MAX_ALT_ISN other ISNs are kept as
 * candidates (STREAM_EV_SYN_DIFF_SEQ / _SYNACK_DIFF_SEQ, and
 * STREAM_EV_SYN_EXCESSIVE past them) until the handshake says which one the
 * host took: the SYN+ACK's ACK names the client's, the completing ACK's
 * sequence and acknowledgement numbers name both. Taking a candidate
 * empties what the half held for the other ISN (nothing is delivered
 * before the handshake completes). So a decoy SYN with a low TTL, sent
 * before or after the real one, cannot fix the ISN. A half is known once
 * its SYN is seen; the session is established once both ISNs are
 * acknowledged, whatever the order, so simultaneous open (SYN both ways,
 * then SYN+ACK both ways) and split handshakes (SYN, SYN, SYN+ACK, ACK)
 * work too. Data on a SYN starts the stream at offset 0. Window scaling
 * applies only when both SYNs carried the option; SYN windows are never
 * scaled. Without a SYN, sessions start only with `midstream`: each half's
 * ISN is then inferred from the first segment of that direction (ISN = seq
 * - 1), and the window check is off because the scale factor is unknown.
 * After the handshake, SYNs are ignored.
 *
 * Window: a data segment starting at or beyond the receiver's last ACK +
 * its window is dropped (STREAM_EV_OUT_OF_WINDOW). Before the receiver
 * has ACKed anything, there is nothing to check against.
 *
 * Segments the receiver drops whole, before anything else is looked at
 * (RFC 9293 3.10.7.4; Linux tcp_rcv_state_process and tcp_ack), and
 * neither does the module use them (no ACK, data, FIN or handshake):
 * - no SYN, no RST and no ACK bit (STREAM_EV_NO_ACK): every state past
 *   LISTEN wants the ACK bit;
 * - an ACK of data the receiver never sent, beyond its highest sequence
 *   seen + 1 (STREAM_EV_INVALID_ACK). A capture that lost a segment of
 *   the other side makes the ACKs past it look like this until that side
 *   sends again; this is the price of not letting an ACK carry a decoy.
 * Neither applies to a session picked up midstream: the sensor may see one
 * side only, whose ACKs cover bytes it never shows.
 * A FIN that starts past the receiver's next expected byte (the end of
 * the bytes held without a hole, or its last ACK) is not the end of the
 * stream (STREAM_EV_FIN_OUT_OF_WINDOW): Linux queues it out of order and
 * discards it when real data covers its sequence number, so a bare FIN
 * ahead of the data cannot truncate it. The segment is not used; the FIN
 * is remembered and taken only if the receiver acknowledges exactly it
 * (the receiver had the bytes the sensor missed).
 *
 * Urgent data: the byte an urgent pointer names (seq + pointer - 1, the
 * BSD reading Linux uses; a later pointer replaces a pending one, an
 * earlier one is ignored, as in Linux tcp_check_urg) is taken out of the
 * stream at delivery for the `oob` policy (the bytes around it join up,
 * offsets given to data() shrink by the urgent bytes removed), replaced by
 * a 1-byte gap for `gap`, kept for `inline`. `auto` follows the receiver's
 * OS policy: oob for every OS (Linux and the BSDs read it out of band
 * without SO_OOBINLINE; RFC 6093 3.4 reports the same of Windows), inline
 * for the generic first and last policies.
 *
 * RST: valid when its sequence number is the sender's next sequence number
 * or the receiver's last ACK (the exact match of RFC 5961 3.2). For linux
 * (Linux 3.6 and later), bsd and bsd-right (FreeBSD, OpenBSD, NetBSD and
 * macOS with their default net.inet.tcp.insecure_rst=0) only that: an
 * in-window but inexact RST gets a challenge ACK and the connection lives
 * on. For the other policies (old-linux, windows, vista, solaris, first,
 * last) any RST in the receiver's window [last ACK, last ACK + window)
 * resets (RFC 793). In SYN_SENT, a RST from the responder is valid
 * when it ACKs the SYN. A RST from the initiator is invalid while the
 * responder has neither sent its SYN nor ACKed the initiator's: as far as
 * the traffic shows the responder is still listening, and a listening host
 * ignores RSTs (RFC 9293 3.10.7.2). Such a RST is what a client's stack
 * sends in SYN-SENT to answer a segment it found unacceptable (Linux: a
 * bad timestamp echo; RFC 793: an unacceptable ACK; seq = that segment's
 * ACK, no ACK bit); it does not abort the client's own connection attempt
 * (a client aborting in SYN-SENT sends no RST at all). Should it reach a
 * responder that had answered (a SYN+ACK the sensor has not seen yet) and
 * drop its half-open connection, that responder answers the client's next
 * segment with a RST, which closes the session then. A
 * valid RST flushes both halves and closes the session; an invalid one is
 * ignored (STREAM_EV_RST_INVALID).
 *
 * Timestamps (RFC 7323), checked the way Linux checks them, since that is
 * what the evasions this defeats aim at; a segment that fails is not used
 * at all (no ACK, data, FIN, RST or handshake) and is reported
 * (STREAM_EV_INVALID_TIMESTAMP, Suricata's stream.pkt_invalid_timestamp):
 * - Answer to the SYN. In SYN_SENT, a segment with the ACK bit and a
 *   timestamp option from the responder (before its own SYN) must echo a
 *   TSval the initiator sent: its TSecr must lie in [TSval of the first
 *   SYN, the initiator's latest TSval (its last SYN's)] (Linux accepts any
 *   echo between the first SYN's clock and now; Suricata wants the last
 *   SYN's exactly, or that of an earlier SYN it queued). A TSecr of 0
 *   means "no echo" and passes (Linux and Suricata). When the SYN carried
 *   no timestamp, any non-zero TSecr is invalid: nothing was sent to echo
 *   (Suricata's rule). This applies to RSTs too: Linux checks the echo
 *   before it looks at the RST bit.
 * - PAWS (RFC 7323 5.3 R1). Once both SYNs carried the option, each half
 *   keeps TS.Recent (`last_ts`): the sender's TSval recorded from its SYN,
 *   then from every accepted segment with SEG.TSval >= TS.Recent and
 *   SEG.SEQ <= the receiver's last ACK (R3, Last.ACK.sent). A segment whose
 *   TSval is older than TS.Recent is dropped. "Older" is the wrap-around
 *   comparison of RFC 7323: the signed 32-bit difference TS.Recent - TSval
 *   is > 0; for a linux or old-linux receiver > 1, as Linux's PAWS window of
 *   1 tick (Suricata does the same for linux). TS.Recent 0 is not checked
 *   against (Linux and FreeBSD). Exceptions: a RST is never dropped for its
 *   timestamp (RFC 7323 5.2 recommends that RSTs be acceptable whatever
 *   their timestamp; Linux: "Reset is accepted even if it did not pass
 *   PAWS"; FreeBSD handles RST before PAWS), only its sequence number
 *   decides; Suricata differs here (it applies its timestamp check to RSTs
 *   as well). A segment without the option is not checked (Linux, FreeBSD
 *   and Suricata accept it, though RFC 7323 says to drop it). Sessions
 *   picked up midstream, or whose SYNs did not both carry the option, are
 *   never checked. Not modelled: TS.Recent older than 24 days stops
 *   counting (RFC 7323 5.5) - a flow idle that long has ended long before
 *   (flow timeouts are at most a day), so only a half that sends for 24
 *   days without one accepted in-order segment would differ; and Linux's
 *   leniency for a reordered duplicate pure ACK (tcp_disordered_ack), which
 *   carries nothing the module uses, so dropping it only adds an event.
 *
 * FIN: the first FIN of a half fixes where its data ends; bytes after it
 * are dropped. When the receiver ACKs the FIN, the half is flushed and
 * ended. Both FINs acknowledged (or a valid RST): closed; later packets
 * are ignored.
 *
 * States are named as the server (the responder) sees them, as Suricata
 * does: client FIN first -> close_wait, then the server's FIN -> last_ack;
 * server FIN first -> fin_wait1, ACKed -> fin_wait2, then the client's FIN
 * -> time_wait (closing if the server's FIN was not ACKed yet); both FINs
 * ACKed -> closed.
 *
 * Memory: sessions come from a free list grown 64 at a time; piece memory
 * from per-size-class free lists (64 B to 64 KiB blocks, 48 bytes of
 * header) carved from 64 KiB slabs. Nothing is returned to malloc before
 * stream_tcp_free, so the steady state allocates nothing. `memuse` counts
 * the payload bytes held in pieces; a segment whose new bytes would take it
 * past `memcap` first has the worker end other flows holding data (closed,
 * embryonic, then least recently seen; at most RECLAIM_MAX per segment),
 * and is not stored (STREAM_EV_MEMCAP) if that is not enough; it later
 * shows up as a gap. Payloads larger than a block are stored as several pieces.
 *
 * Invariants:
 * - Pieces of a half are sorted, never overlap, hold at least one byte, lie
 *   in [delivered, FIN offset) and below `depth` when set.
 * - h->buffered is the sum of the half's piece lengths; stats.memuse the
 *   sum over all live halves.
 * - data() gets each byte of a direction at most once, in offset order;
 *   end=true exactly once per direction of a session.
 *
 * Threads: everything runs on the worker thread that owns `st` and the flows.
 */
#include "stream/stream_tcp.h"

#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow.h"

#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LE(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GE(a, b) SEQ_LE(b, a)

#define SESSIONS_PER_CHUNK 64
#define SLAB_BYTES	   65536u
#define SEG_CLASSES	   11 /* blocks of 64 << c bytes: 64 B .. 64 KiB */
#define MIN_BLOCK	   64u

/* ------------------------------------------------------------ types */

struct seg {
	struct seg *next, *prev;
	uint64_t off; /* stream offset of data[0] */
	int64_t ts_usec;
	uint64_t pcap_cnt;
	uint32_t len;
	uint8_t cls; /* size class of the block */
	uint8_t data[];
};

enum half_flag {
	HF_ISN = 1 << 0,       /* isn known */
	HF_ISN_ACKED = 1 << 1, /* the receiver ACKed ISN + 1 */
	HF_ACK = 1 << 2,       /* ack and rwin are set */
	HF_FIN = 1 << 3,       /* fin_seq is set */
	HF_FIN_ACKED = 1 << 4,
	HF_ENDED = 1 << 5,     /* end=true delivered */
	HF_DEPTH = 1 << 6,     /* depth event raised */
	HF_WS = 1 << 7,	       /* the sender's SYN carried window scale */
	HF_POLICY = 1 << 8,    /* policy looked up */
	HF_TS = 1 << 9,	       /* the sender's first SYN carried a timestamp */
	HF_SYN_DATA = 1 << 10, /* syn_data bytes came on the SYN, not yet ACKed */
	HF_URG = 1 << 11,      /* urg_seq names an urgent byte not yet delivered */
	HF_FIN_AHEAD = 1 << 12 /* fin_seq: a FIN seen past the receiver's next byte */
};

#define MAX_ALT_ISN 2 /* other ISNs kept per half during the handshake */
#define NO_WSCALE   0xff

/* The data one side sends, and what the other side says about it. */
struct tcp_half {
	struct seg *head, *tail; /* owned: buffered pieces, sorted */
	uint64_t delivered;	 /* stream offset of the next byte to deliver */
	uint32_t isn;		 /* sender's ISN: offset 0 is isn + 1 */
	uint32_t next_seq;	 /* highest sequence the sender used, + 1 */
	uint32_t ack;		 /* receiver's highest ACK of this data */
	uint32_t rwin;		 /* receiver's window, scaled */
	uint32_t fin_seq;	 /* sequence number of the FIN */
	uint32_t buffered;	 /* bytes in pieces */
	uint32_t last_ts;	 /* TS.Recent: the sender's last valid TSval, 0: none */
	uint16_t flags;		 /* enum half_flag */
	uint8_t wscale;		 /* shift from the sender's SYN option */
	uint8_t policy;		 /* enum os_policy of the receiver */
	/* Other ISNs this side's SYNs carried, until the handshake says which
	 * one the receiver took (their window scale: NO_WSCALE for none). */
	uint32_t alt_isn[MAX_ALT_ISN];
	uint8_t alt_ws[MAX_ALT_ISN];
	uint8_t n_alt;
	uint16_t syn_data;  /* bytes on the SYN (HF_SYN_DATA) */
	uint32_t urg_seq;   /* sequence number of the urgent byte (HF_URG) */
	uint32_t urg_shift; /* urgent bytes taken out (oob): offsets given to data() shrink by it */
};

enum sess_state { SS_NEW = 0, SS_SYN_SENT, SS_SYN_RECV, SS_ESTABLISHED };

enum sess_flag {
	SF_MIDSTREAM = 1 << 0,
	SF_WSCALE = 1 << 1,	 /* both SYNs carried window scale */
	SF_RST = 1 << 2,	 /* closed by a valid RST */
	SF_SRV_FIN_1ST = 1 << 3, /* the server sent the first FIN */
	SF_TS = 1 << 4		 /* both SYNs carried timestamps: PAWS applies */
};

struct tcp_session {
	struct tcp_half half[2]; /* [enum ids_direction of the data] */
	struct tcp_session *next_free;
	uint8_t state;	    /* enum sess_state */
	uint8_t flags;	    /* enum sess_flag */
	uint32_t syn_tsval; /* TSval of the session's first SYN (its sender's HF_TS) */
};

struct sess_chunk {
	struct sess_chunk *next;
	struct tcp_session s[SESSIONS_PER_CHUNK];
};

struct slab {
	struct slab *next;
	size_t pad; /* keeps the blocks 16-byte aligned */
};

struct stream_tcp {
	struct stream_config cfg;
	struct stream_out out;
	struct stream_stats stats;
	struct tcp_session *free_sessions;
	struct sess_chunk *chunks; /* owned */
	struct seg *free_segs[SEG_CLASSES];
	struct slab *slabs; /* owned */
};

/* ------------------------------------------------------------ names */

static const char *const event_names[STREAM_EV_MAX] = {
	[STREAM_EV_OVERLAP_DIFF] = "stream.reassembly_overlap_different_data",
	[STREAM_EV_OUT_OF_WINDOW] = "stream.pkt_out_of_window",
	[STREAM_EV_RST_INVALID] = "stream.rst_invalid",
	[STREAM_EV_RST_WITH_DATA] = "stream.rst_with_data",
	[STREAM_EV_GAP] = "stream.reassembly_seq_gap",
	[STREAM_EV_DEPTH_REACHED] = "stream.reassembly_depth_reached",
	[STREAM_EV_MEMCAP] = "stream.reassembly_memcap",
	[STREAM_EV_NO_HANDSHAKE] = "stream.midstream_ignored",
	[STREAM_EV_INVALID_TIMESTAMP] = "stream.pkt_invalid_timestamp",
	[STREAM_EV_NO_ACK] = "stream.pkt_without_ack",
	[STREAM_EV_INVALID_ACK] = "stream.pkt_invalid_ack",
	[STREAM_EV_FIN_OUT_OF_WINDOW] = "stream.fin_out_of_window",
	[STREAM_EV_SYN_DATA_IGNORED] = "stream.3whs_synack_tfo_data_ignored",
	[STREAM_EV_SYN_DIFF_SEQ] = "stream.3whs_syn_resend_diff_seq",
	[STREAM_EV_SYNACK_DIFF_SEQ] = "stream.3whs_synack_resend_with_diff_seq",
	[STREAM_EV_SYN_EXCESSIVE] = "stream.3whs_excessive_different_syns",
};

static const char *const urgent_names[STREAM_URGENT_COUNT] = {"auto", "inline", "oob", "gap"};

const char *stream_urgent_name(enum stream_urgent u)
{
	return (unsigned)u < STREAM_URGENT_COUNT ? urgent_names[u] : "unknown";
}

int stream_urgent_parse(const char *name, enum stream_urgent *out)
{
	for (unsigned i = 0; i < STREAM_URGENT_COUNT; i++)
		if (strcmp(name, urgent_names[i]) == 0) {
			*out = (enum stream_urgent)i;
			return 0;
		}
	return -1;
}

const char *stream_event_name(enum stream_event ev)
{
	return (unsigned)ev < STREAM_EV_MAX ? event_names[ev] : "unknown";
}

/* ------------------------------------------------------------ pools */

static uint32_t class_capacity(unsigned cls)
{
	return (MIN_BLOCK << cls) - (uint32_t)sizeof(struct seg);
}

/* The smallest class holding `len` bytes, or the largest. */
static unsigned class_for(uint32_t len)
{
	unsigned c = 0;

	while (c + 1 < SEG_CLASSES && class_capacity(c) < len)
		c++;
	return c;
}

/* Carve a new slab into blocks of class `cls`. Returns 0 or -1. */
static int slab_grow(struct stream_tcp *st, unsigned cls)
{
	size_t block = (size_t)MIN_BLOCK << cls;
	size_t n = SLAB_BYTES / block;
	struct slab *sl = malloc(sizeof(*sl) + n * block);
	uint8_t *base;

	if (!sl)
		return -1;
	sl->next = st->slabs;
	st->slabs = sl;
	base = (uint8_t *)(sl + 1);
	for (size_t i = 0; i < n; i++) {
		struct seg *s = (struct seg *)(void *)(base + i * block);

		s->cls = (uint8_t)cls;
		s->next = st->free_segs[cls];
		st->free_segs[cls] = s;
	}
	return 0;
}

/* A piece able to hold min(len, largest capacity) bytes, or NULL. */
static struct seg *seg_get(struct stream_tcp *st, uint32_t len)
{
	unsigned cls = class_for(len);
	struct seg *s;

	if (!st->free_segs[cls] && slab_grow(st, cls) != 0)
		return NULL;
	s = st->free_segs[cls];
	st->free_segs[cls] = s->next;
	s->next = s->prev = NULL;
	s->cls = (uint8_t)cls;
	s->len = 0;
	return s;
}

static void seg_put(struct stream_tcp *st, struct seg *s)
{
	s->next = st->free_segs[s->cls];
	st->free_segs[s->cls] = s;
}

static struct tcp_session *session_get(struct stream_tcp *st)
{
	struct tcp_session *s = st->free_sessions;

	if (!s) {
		struct sess_chunk *c = malloc(sizeof(*c));

		if (!c)
			return NULL;
		c->next = st->chunks;
		st->chunks = c;
		for (unsigned i = SESSIONS_PER_CHUNK; i-- > 0;) {
			c->s[i].next_free = st->free_sessions;
			st->free_sessions = &c->s[i];
		}
		s = st->free_sessions;
	}
	st->free_sessions = s->next_free;
	memset(s, 0, sizeof(*s));
	return s;
}

/* ------------------------------------------------------------ pieces */

static uint64_t seg_end(const struct seg *s)
{
	return s->off + s->len;
}

static void seg_unlink(struct tcp_half *h, struct seg *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		h->tail = s->prev;
}

/* Link `s` before `at` (at the tail when `at` is NULL). */
static void seg_link_before(struct tcp_half *h, struct seg *s, struct seg *at)
{
	s->next = at;
	s->prev = at ? at->prev : h->tail;
	if (s->prev)
		s->prev->next = s;
	else
		h->head = s;
	if (at)
		at->prev = s;
	else
		h->tail = s;
}

static void account(struct stream_tcp *st, struct tcp_half *h, int64_t delta)
{
	h->buffered = (uint32_t)((int64_t)h->buffered + delta);
	st->stats.memuse = (uint64_t)((int64_t)st->stats.memuse + delta);
	if (st->stats.memuse > st->stats.memuse_peak)
		st->stats.memuse_peak = st->stats.memuse;
}

static void seg_free(struct stream_tcp *st, struct tcp_half *h, struct seg *s)
{
	seg_unlink(h, s);
	account(st, h, -(int64_t)s->len);
	seg_put(st, s);
}

/* Drop the first `n` bytes of `s` (n < s->len). */
static void seg_trim_front(struct stream_tcp *st, struct tcp_half *h, struct seg *s, uint32_t n)
{
	memmove(s->data, s->data + n, s->len - n);
	s->off += n;
	s->len -= n;
	account(st, h, -(int64_t)n);
}

/* ------------------------------------------------------------ helpers */

static void emit_event(struct stream_tcp *st, struct flow *f, enum stream_event ev,
		       const struct packet *p)
{
	st->stats.events[ev]++;
	if (st->out.event)
		st->out.event(st->out.ctx, f, ev, p);
}

/* Stream offset of sequence number `seq` in half `h` (may be negative
 * for bytes before the ISN). */
static int64_t seq_off(const struct tcp_half *h, uint32_t seq)
{
	uint32_t ref = h->isn + 1 + (uint32_t)h->delivered;

	return (int64_t)h->delivered + (int32_t)(seq - ref);
}

/* Where data of `h` ends for good: the FIN, or the depth. */
static uint64_t data_limit(const struct stream_tcp *st, const struct tcp_half *h)
{
	uint64_t lim = UINT64_MAX;

	if (h->flags & HF_FIN) {
		int64_t fo = seq_off(h, h->fin_seq);

		lim = fo < 0 ? 0 : (uint64_t)fo;
	}
	if (st->cfg.depth && st->cfg.depth < lim)
		lim = st->cfg.depth;
	return lim;
}

/* ------------------------------------------------------------ delivery */

static const uint8_t no_bytes[1];

/* Whether the receiver acknowledged bytes past the delivery point of `h`:
 * then a hole there is data it got and the sensor never saw, a gap
 * (Suricata's condition for its reassembly_seq_gap event and
 * tcp.reassembly_gap). A hole it never acknowledged (data after it handed
 * out at a RST or the flow's end) is delivered as a hole but not counted:
 * the receiver may never have had those bytes either. */
static bool hole_acked(const struct tcp_half *h)
{
	return (h->flags & HF_ACK) && seq_off(h, h->ack) > (int64_t)h->delivered;
}

/* Hand `len` bytes at `off` to the worker; the hole since the delivery
 * point is the gap before them (counted and raised when acknowledged). */
static void emit(struct stream_tcp *st, struct flow *f, int dir, const uint8_t *data, uint32_t len,
		 uint64_t off, int64_t ts, uint64_t cnt, bool end, const struct packet *p)
{
	struct tcp_half *h = &f->tcp->half[dir];
	uint64_t hole = off - h->delivered;
	uint32_t gap = hole > UINT32_MAX ? UINT32_MAX : (uint32_t)hole;

	if (hole && hole_acked(h)) {
		st->stats.gaps++;
		st->stats.gap_bytes += hole;
		emit_event(st, f, STREAM_EV_GAP, p);
	}
	h->delivered = off + len;
	st->stats.bytes_delivered += len;
	if (st->out.data)
		st->out.data(st->out.ctx, f, dir, data ? data : no_bytes, len, off - h->urg_shift,
			     gap, ts, cnt, end);
}

/* What becomes of the urgent byte of half `h` (its receiver's policy for
 * auto: every modelled OS takes it out of the stream, as RFC 6093 3.4
 * reports of BSD, Linux and Windows stacks without SO_OOBINLINE; the
 * generic first/last policies keep it). */
static enum stream_urgent urgent_mode(const struct stream_tcp *st, const struct tcp_half *h)
{
	if (st->cfg.urgent_policy != STREAM_URGENT_AUTO)
		return (enum stream_urgent)st->cfg.urgent_policy;
	if (h->policy == OS_POLICY_FIRST || h->policy == OS_POLICY_LAST)
		return STREAM_URGENT_INLINE;
	return STREAM_URGENT_OOB;
}

/* Hand out `n` bytes of piece `s`, leaving out the urgent byte if it is
 * among them: oob joins the bytes around it, gap leaves a 1-byte hole. */
static void emit_piece(struct stream_tcp *st, struct flow *f, int dir, const struct seg *s,
		       uint32_t n, const struct packet *p)
{
	struct tcp_half *h = &f->tcp->half[dir];
	int64_t u = (h->flags & HF_URG) ? seq_off(h, h->urg_seq) : -1;
	uint32_t k;

	if (u < (int64_t)s->off || u >= (int64_t)(s->off + n)) {
		emit(st, f, dir, s->data, n, s->off, s->ts_usec, s->pcap_cnt, false, p);
		return;
	}
	k = (uint32_t)((uint64_t)u - s->off);
	if (k)
		emit(st, f, dir, s->data, k, s->off, s->ts_usec, s->pcap_cnt, false, p);
	h->flags &= ~HF_URG;
	st->stats.urgent_bytes++;
	if (urgent_mode(st, h) == STREAM_URGENT_OOB) {
		h->delivered = (uint64_t)u + 1;
		h->urg_shift++;
	}
	if (k + 1 < n)
		emit(st, f, dir, s->data + k + 1, n - k - 1, (uint64_t)u + 1, s->ts_usec,
		     s->pcap_cnt, false, p);
}

/* Deliver the buffered bytes below offset `limit`, piece by piece. */
static void deliver_until(struct stream_tcp *st, struct flow *f, int dir, uint64_t limit,
			  const struct packet *p)
{
	struct tcp_half *h = &f->tcp->half[dir];
	struct seg *s;

	while ((s = h->head) && s->off < limit) {
		uint64_t room = limit - s->off;
		uint32_t n = room < s->len ? (uint32_t)room : s->len;

		emit_piece(st, f, dir, s, n, p);
		if (n == s->len)
			seg_free(st, h, s);
		else
			seg_trim_front(st, h, s, n);
	}
}

/* Deliver everything of `dir`, then end it (once). */
static void finish_half(struct stream_tcp *st, struct flow *f, int dir, const struct packet *p)
{
	struct tcp_half *h = &f->tcp->half[dir];
	int64_t ts = p ? p->pub.ts_usec : f->last_usec;
	uint64_t cnt = p ? p->pub.pcap_cnt : 0;
	uint64_t end;

	if (h->flags & HF_ENDED)
		return;
	deliver_until(st, f, dir, UINT64_MAX, p);
	end = h->delivered; /* after the delivery: no hole unless an ACK shows one */
	if ((h->flags & (HF_ISN | HF_ACK)) == (HF_ISN | HF_ACK)) {
		int64_t acked = seq_off(h, h->ack);
		uint64_t lim = data_limit(st, h);

		if (acked > 0 && (uint64_t)acked > end)
			end = (uint64_t)acked < lim ? (uint64_t)acked : lim;
		if (end < h->delivered)
			end = h->delivered;
	}
	h->flags |= HF_ENDED;
	emit(st, f, dir, NULL, 0, end, ts, cnt, true, p);
}

/* More than max_unacked bytes wait: deliver from the head. */
static void deliver_excess(struct stream_tcp *st, struct flow *f, int dir, const struct packet *p)
{
	struct tcp_half *h = &f->tcp->half[dir];

	while (h->buffered > st->cfg.max_unacked && h->head)
		deliver_until(st, f, dir, seg_end(h->head), p);
}

/* ------------------------------------------------------------ overlaps */

/* Do the new bytes [ns, ne) win over the old piece [os, oe)? */
static bool new_wins(enum os_policy pol, uint64_t ns, uint64_t ne, uint64_t os, uint64_t oe)
{
	switch (pol) {
	case OS_POLICY_LAST:
		return true;
	case OS_POLICY_BSD:
	case OS_POLICY_BSD_RIGHT:
	case OS_POLICY_WINDOWS:
		return ns < os;
	case OS_POLICY_LINUX:
		return ns < os || (ns == os && ne > oe);
	case OS_POLICY_OLD_LINUX:
		return ns < os || (ns == os && ne >= oe);
	case OS_POLICY_SOLARIS:
		return ne > oe || (ne == oe && ns <= os);
	case OS_POLICY_FIRST:
	case OS_POLICY_VISTA:
	default:
		return false;
	}
}

/* The first piece ending after `lo`, or NULL. Checks the head first
 * (segments arriving in reverse), else walks back from the tail. */
static struct seg *first_after(const struct tcp_half *h, uint64_t lo)
{
	struct seg *s = h->tail;

	if (!s || seg_end(s) <= lo)
		return NULL;
	if (seg_end(h->head) > lo)
		return h->head;
	while (s->prev && seg_end(s->prev) > lo)
		s = s->prev;
	return s;
}

/* Remove [rs, re) from piece `s` (it overlaps it). Returns -1 when a
 * split needed memory that was not there (the old bytes then stay). */
static int seg_cut(struct stream_tcp *st, struct tcp_half *h, struct seg *s, uint64_t rs,
		   uint64_t re)
{
	uint64_t se = seg_end(s);
	struct seg *r;

	if (rs <= s->off && re >= se) {
		seg_free(st, h, s);
		return 0;
	}
	if (rs <= s->off) {
		seg_trim_front(st, h, s, (uint32_t)(re - s->off));
		return 0;
	}
	if (re < se) {
		r = seg_get(st, (uint32_t)(se - re));
		if (!r)
			return -1;
		r->off = re;
		r->len = (uint32_t)(se - re);
		r->ts_usec = s->ts_usec;
		r->pcap_cnt = s->pcap_cnt;
		memcpy(r->data, s->data + (re - s->off), r->len);
		seg_link_before(h, r, s->next);
		account(st, h, r->len);
	}
	account(st, h, -(int64_t)(se - rs));
	s->len = (uint32_t)(rs - s->off);
	return 0;
}

/* A new segment: its bytes, full range [off, end) and the clipped part
 * [lo, hi) that may be stored. */
struct newseg {
	const uint8_t *data; /* data[0] is at offset off */
	uint64_t off, end, lo, hi;
	const struct packet *p;
};

/* Walk the pieces overlapping [lo, hi): how many of its bytes they hold
 * already, whether any of those differ, and where the new bytes win (those
 * pieces are cut when `apply`). Returns the bytes the segment will write. */
static uint64_t resolve(struct stream_tcp *st, struct tcp_half *h, const struct newseg *n,
			uint64_t *covered, bool *diff, bool apply)
{
	uint64_t write = n->hi - n->lo;
	struct seg *s = first_after(h, n->lo), *next;

	*covered = 0;
	for (; s && s->off < n->hi; s = next) {
		uint64_t rs = s->off > n->lo ? s->off : n->lo;
		uint64_t re = seg_end(s) < n->hi ? seg_end(s) : n->hi;
		bool differ = memcmp(s->data + (rs - s->off), n->data + (rs - n->off), re - rs);

		next = s->next;
		*covered += re - rs;
		*diff |= differ;
		if (!differ ||
		    !new_wins((enum os_policy)h->policy, n->off, n->end, s->off, seg_end(s))) {
			write -= re - rs;
			continue;
		}
		if (apply && seg_cut(st, h, s, rs, re) != 0)
			write -= re - rs;
	}
	return write;
}

/* Store [pos, end) of the new segment as pieces before `at`. */
static int store_run(struct stream_tcp *st, struct tcp_half *h, const struct newseg *n,
		     uint64_t pos, uint64_t end, struct seg *at)
{
	while (pos < end) {
		uint64_t want = end - pos;
		struct seg *s = seg_get(st, want > UINT32_MAX ? UINT32_MAX : (uint32_t)want);

		if (!s)
			return -1;
		s->len = want < class_capacity(s->cls) ? (uint32_t)want : class_capacity(s->cls);
		s->off = pos;
		s->ts_usec = n->p->pub.ts_usec;
		s->pcap_cnt = n->p->pub.pcap_cnt;
		memcpy(s->data, n->data + (pos - n->off), s->len);
		seg_link_before(h, s, at);
		account(st, h, s->len);
		pos += s->len;
	}
	return 0;
}

/* Fill the parts of [lo, hi) no piece covers with the new bytes. */
static int fill(struct stream_tcp *st, struct tcp_half *h, const struct newseg *n)
{
	uint64_t pos = n->lo;
	struct seg *s = first_after(h, pos);

	while (pos < n->hi) {
		uint64_t run_end;

		if (s && s->off <= pos) {
			pos = seg_end(s);
			s = s->next;
			continue;
		}
		run_end = s && s->off < n->hi ? s->off : n->hi;
		if (store_run(st, h, n, pos, run_end, s) != 0)
			return -1;
		pos = run_end;
	}
	return 0;
}

/* ------------------------------------------------------------ data */

static void count_depth(struct stream_tcp *st, struct flow *f, struct tcp_half *h, uint64_t end,
			const struct packet *p)
{
	if (st->cfg.depth && end > st->cfg.depth && !(h->flags & HF_DEPTH)) {
		h->flags |= HF_DEPTH;
		emit_event(st, f, STREAM_EV_DEPTH_REACHED, p);
	}
}

#define RECLAIM_MAX 16 /* flows ended per segment at most */

/* The memcap is reached: have the worker end other flows holding data
 * (closed, embryonic, then the least recently seen) until `need` more
 * bytes fit. Returns whether they do. */
static bool reclaim(struct stream_tcp *st, struct flow *f, uint64_t need)
{
	for (unsigned i = 0; i < RECLAIM_MAX && st->out.reclaim; i++) {
		if (!st->out.reclaim(st->out.ctx, f))
			break;
		st->stats.reclaimed++;
		if (st->stats.memuse + need <= st->cfg.memcap)
			return true;
	}
	return st->stats.memuse + need <= st->cfg.memcap;
}

/* Buffer the payload of `p`, whose first byte has sequence `seq`. */
static void insert(struct stream_tcp *st, struct flow *f, int dir, uint32_t seq,
		   const struct packet *p)
{
	struct tcp_half *h = &f->tcp->half[dir];
	int64_t off = seq_off(h, seq), end = off + (int64_t)p->pub.payload_len;
	uint64_t lim = data_limit(st, h), covered;
	struct newseg n = {.data = p->pub.payload, .p = p};
	bool diff = false;

	if (end <= 0) /* all before the ISN: hostile */
		return;
	if (off < 0)
		n.data += -off;
	n.off = off < 0 ? 0 : (uint64_t)off;
	n.end = (uint64_t)end;
	count_depth(st, f, h, n.end, p);
	n.lo = n.off > h->delivered ? n.off : h->delivered;
	n.hi = n.end < lim ? n.end : lim;
	if (n.lo >= n.hi) {
		if (n.end <= h->delivered)
			st->stats.retransmissions++;
		return;
	}
	if (resolve(st, h, &n, &covered, &diff, false) == 0) {
		st->stats.retransmissions++;
		if (diff)
			emit_event(st, f, STREAM_EV_OVERLAP_DIFF, p);
		return;
	}
	if (n.lo - n.off + covered == n.hi - n.off)
		st->stats.retransmissions++;
	if (diff)
		emit_event(st, f, STREAM_EV_OVERLAP_DIFF, p);
	if (st->stats.memuse + (n.hi - n.lo - covered) > st->cfg.memcap &&
	    !reclaim(st, f, n.hi - n.lo - covered)) {
		emit_event(st, f, STREAM_EV_MEMCAP, p);
		return;
	}
	resolve(st, h, &n, &covered, &diff, true);
	if (fill(st, h, &n) != 0)
		emit_event(st, f, STREAM_EV_MEMCAP, p);
	st->stats.segments++;
}

/* ------------------------------------------------------------ TCP */

/* The TCP options the module uses. */
struct tcp_opts {
	bool ws, ts;	       /* window scale (kind 3), timestamps (kind 8) present */
	uint8_t wscale;	       /* shift, capped at 14 */
	uint32_t tsval, tsecr; /* when ts */
};

static uint32_t get_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Walk the options of `p` (hostile: stops at the end of the header, at EOL
 * or at the first malformed option; the first of each kind counts). */
static void parse_opts(const struct packet *p, struct tcp_opts *o)
{
	uint32_t hl = (uint32_t)(p->l4[12] >> 4) * 4;
	uint32_t i = 20;

	memset(o, 0, sizeof(*o));
	if (hl > p->l4_len)
		hl = p->l4_len;
	while (i < hl) {
		const uint8_t *opt = p->l4 + i;

		if (opt[0] == 0)
			break;
		if (opt[0] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= hl || opt[1] < 2 || i + opt[1] > hl)
			break;
		if (opt[0] == 3 && opt[1] == 3 && !o->ws) {
			o->ws = true;
			o->wscale = opt[2] > 14 ? 14 : opt[2];
		} else if (opt[0] == 8 && opt[1] == 10 && !o->ts) {
			o->ts = true;
			o->tsval = get_be32(opt + 2);
			o->tsecr = get_be32(opt + 6);
		}
		i += opt[1];
	}
}

/* The receiver of half `h` is the destination of `p` (data) or its
 * source (an ACK): look its policy up once. */
static void half_policy(struct stream_tcp *st, struct tcp_half *h, const struct ids_addr *rcv)
{
	if (!(h->flags & HF_POLICY)) {
		h->policy = (uint8_t)os_policy_lookup(st->cfg.policies, rcv);
		h->flags |= HF_POLICY;
	}
}

static void half_start(struct tcp_half *h, uint32_t isn)
{
	h->isn = isn;
	h->next_seq = isn + 1;
	h->flags |= HF_ISN;
}

static void update_established(struct tcp_session *s)
{
	if (s->state < SS_ESTABLISHED && (s->half[0].flags & HF_ISN_ACKED) &&
	    (s->half[1].flags & HF_ISN_ACKED)) {
		s->state = SS_ESTABLISHED;
		s->half[0].n_alt = s->half[1].n_alt = 0; /* the ISNs are settled */
	}
}

/* The options of a half's first SYN. */
static void half_syn_opts(struct tcp_session *s, struct tcp_half *h, const struct tcp_opts *o)
{
	if (o->ws) {
		h->flags |= HF_WS;
		h->wscale = o->wscale;
	}
	if (o->ts) {
		h->flags |= HF_TS;
		if (s->state == SS_NEW)
			s->syn_tsval = o->tsval;
	}
}

static void update_wscale(struct tcp_session *s)
{
	if ((s->half[0].flags & HF_WS) && (s->half[1].flags & HF_WS))
		s->flags |= SF_WSCALE;
	else
		s->flags &= (uint8_t)~SF_WSCALE;
}

/* Which ISN of half `h` the handshake acknowledgement `ack` names: -1 the
 * current one (any ACK in (isn, next_seq], SYN data included), i >= 0 the
 * alternative i (exactly its ISN + 1), -2 none. */
static int isn_named(const struct tcp_half *h, uint32_t ack)
{
	if (SEQ_GT(ack, h->isn) && SEQ_LE(ack, h->next_seq))
		return -1;
	for (int i = 0; i < h->n_alt; i++)
		if (ack == h->alt_isn[i] + 1)
			return i;
	return -2;
}

/* The receiver took alternative ISN `i` of half `h`: it becomes the ISN
 * (the one it replaces becomes an alternative) and what the half held for
 * the old one goes. Nothing is delivered before the handshake ends, so
 * the stream starts afresh; a half that delivered already keeps its ISN. */
static void switch_isn(struct stream_tcp *st, struct tcp_session *s, struct tcp_half *h, int i)
{
	uint32_t isn = h->alt_isn[i];
	uint8_t ws = h->alt_ws[i];

	if (h->delivered)
		return;
	h->alt_isn[i] = h->isn;
	h->alt_ws[i] = (h->flags & HF_WS) ? h->wscale : NO_WSCALE;
	while (h->head)
		seg_free(st, h, h->head);
	h->flags &= (uint16_t) ~(HF_WS | HF_ACK | HF_ISN_ACKED | HF_FIN | HF_FIN_ACKED |
				 HF_SYN_DATA | HF_URG);
	h->syn_data = 0;
	half_start(h, isn);
	if (ws != NO_WSCALE) {
		h->flags |= HF_WS;
		h->wscale = ws;
	}
	update_wscale(s);
}

/* A SYN (or SYN+ACK) of half `h` with another ISN than the one held: kept
 * as a candidate until the handshake says which one the receiver took. */
static void add_candidate(struct stream_tcp *st, struct flow *f, struct tcp_half *h,
			  const struct packet *p, const struct tcp_opts *o)
{
	bool synack = p->pub.tcp_flags & IDS_TCP_ACK;

	for (int i = 0; i < h->n_alt; i++)
		if (h->alt_isn[i] == p->pub.tcp_seq)
			return; /* a resend of a candidate */
	if (h->n_alt == MAX_ALT_ISN) {
		emit_event(st, f, STREAM_EV_SYN_EXCESSIVE, p);
		return;
	}
	h->alt_isn[h->n_alt] = p->pub.tcp_seq;
	h->alt_ws[h->n_alt] = o->ws ? o->wscale : NO_WSCALE;
	h->n_alt++;
	emit_event(st, f, synack ? STREAM_EV_SYNACK_DIFF_SEQ : STREAM_EV_SYN_DIFF_SEQ, p);
}

/* The SYN+ACK acknowledges `ack` of the initiator's half `h`: data the SYN
 * carried and the SYN+ACK does not cover never reached the host's stream
 * (no TCP Fast Open there): it goes, and the client will resend it. */
static void syn_data_acked(struct stream_tcp *st, struct flow *f, struct tcp_half *h, uint32_t ack,
			   const struct packet *p)
{
	if (!(h->flags & HF_SYN_DATA))
		return;
	h->flags &= (uint16_t)~HF_SYN_DATA;
	if (SEQ_GE(ack, h->isn + 1 + h->syn_data))
		return;
	while (h->head && h->head->off < h->syn_data)
		if (seg_cut(st, h, h->head, 0, h->syn_data) != 0)
			break;
	emit_event(st, f, STREAM_EV_SYN_DATA_IGNORED, p);
}

/* A SYN or SYN+ACK during the handshake. Returns -1 to ignore the rest of
 * the packet. */
static int handle_syn(struct stream_tcp *st, struct flow *f, int dir, const struct packet *p,
		      const struct tcp_opts *o)
{
	struct tcp_session *s = f->tcp;
	struct tcp_half *hx = &s->half[dir], *hy = &s->half[dir ^ 1];
	bool synack = p->pub.tcp_flags & IDS_TCP_ACK;
	int k;

	if (s->state >= SS_ESTABLISHED)
		return -1;
	if (synack) {
		if (!(hy->flags & HF_ISN) || (k = isn_named(hy, p->pub.tcp_ack)) == -2)
			return -1;
		if (k >= 0)
			switch_isn(st, s, hy, k);
		syn_data_acked(st, f, hy, p->pub.tcp_ack, p);
	}
	if (hx->flags & HF_ISN) {
		if (p->pub.tcp_seq != hx->isn) {
			add_candidate(st, f, hx, p, o);
			return -1;
		}
	} else {
		half_start(hx, p->pub.tcp_seq);
		half_syn_opts(s, hx, o);
	}
	update_wscale(s);
	if ((hx->flags & HF_TS) && (hy->flags & HF_TS))
		s->flags |= SF_TS;
	if (synack)
		s->state = SS_SYN_RECV;
	else if (s->state == SS_NEW)
		s->state = SS_SYN_SENT;
	return 0;
}

/* Before the session is established, an ACK (not a SYN) says which ISN
 * candidates the two hosts took: its sequence number the sender's, its
 * acknowledgement the receiver's. */
static void handshake_ack(struct stream_tcp *st, struct tcp_session *s, int dir,
			  const struct packet *p)
{
	struct tcp_half *hx = &s->half[dir], *hy = &s->half[dir ^ 1];

	for (int i = 0; i < hy->n_alt; i++)
		if ((hy->flags & HF_ISN) && p->pub.tcp_ack == hy->alt_isn[i] + 1 &&
		    p->pub.tcp_ack != hy->isn + 1) {
			switch_isn(st, s, hy, i);
			break;
		}
	for (int i = 0; i < hx->n_alt; i++)
		if ((hx->flags & HF_ISN) && p->pub.tcp_seq == hx->alt_isn[i] + 1 &&
		    p->pub.tcp_seq != hx->isn + 1) {
			switch_isn(st, s, hx, i);
			break;
		}
}

/* Does `p` (ACK bit, no SYN) acknowledge data its receiver never sent?
 * The receiver's host drops such a segment whole (RFC 9293 3.10.7.4). */
static bool ack_unsent(const struct tcp_session *s, int dir, const struct packet *p)
{
	const struct tcp_half *hy = &s->half[dir ^ 1];

	if (!(hy->flags & HF_ISN) || !SEQ_GT(p->pub.tcp_ack, hy->next_seq))
		return false;
	return isn_named(hy, p->pub.tcp_ack) < 0 || s->state >= SS_ESTABLISHED;
}

/* The ACK and window of `p` about the data of half `h` (the other side's). */
static void handle_ack(struct stream_tcp *st, struct flow *f, int dir, const struct packet *p)
{
	struct tcp_session *s = f->tcp;
	struct tcp_half *h = &s->half[dir], *sender = &s->half[dir ^ 1];
	uint32_t ack = p->pub.tcp_ack, win = p->pub.tcp_win;
	int64_t ack_off;
	uint64_t lim;

	if (!(h->flags & HF_ISN) || SEQ_LE(ack, h->isn))
		return;
	if ((h->flags & HF_ACK) && SEQ_LT(ack, h->ack))
		return;
	if (SEQ_GT(ack, h->next_seq))
		ack = h->next_seq;
	if (!(p->pub.tcp_flags & IDS_TCP_SYN) && (s->flags & SF_WSCALE))
		win <<= sender->wscale;
	h->ack = ack;
	h->rwin = win;
	h->flags |= HF_ACK | HF_ISN_ACKED;
	half_policy(st, h, &p->pub.src);
	if ((h->flags & (HF_FIN | HF_FIN_AHEAD)) == HF_FIN_AHEAD && ack == h->fin_seq + 1)
		h->flags |= HF_FIN; /* the receiver took that FIN after all: it got the hole */
	if ((h->flags & HF_FIN) && SEQ_GT(ack, h->fin_seq))
		h->flags |= HF_FIN_ACKED;
	update_established(s);
	ack_off = seq_off(h, ack);
	lim = data_limit(st, h);
	if (ack_off > 0)
		deliver_until(st, f, dir, (uint64_t)ack_off < lim ? (uint64_t)ack_off : lim, p);
}

static bool in_window(const struct tcp_session *s, const struct tcp_half *h, uint32_t seq)
{
	if (!(h->flags & HF_ACK) || (s->flags & SF_MIDSTREAM))
		return true;
	return SEQ_LT(seq, h->ack + h->rwin);
}

/* The receiver's next expected byte of half `h`, as a stream offset: the
 * end of the bytes held without a hole from the delivery point, or its
 * last ACK when that is further (bytes the sensor missed). */
static uint64_t rcv_next(const struct tcp_half *h)
{
	uint64_t pos = h->delivered;

	for (const struct seg *g = h->head; g && g->off <= pos; g = g->next)
		if (seg_end(g) > pos)
			pos = seg_end(g);
	if (h->flags & HF_ACK) {
		int64_t a = seq_off(h, h->ack);

		if (a > 0 && (uint64_t)a > pos)
			pos = (uint64_t)a;
	}
	return pos;
}

/* The urgent pointer of `p` (URG bit) names the byte at seq + pointer - 1
 * (Linux and BSD). Like Linux, only a pointer past the receiver's next
 * expected byte and past the pending urgent byte counts; it replaces it. */
static void note_urgent(struct stream_tcp *st, struct tcp_half *h, uint32_t seq,
			const struct packet *p)
{
	uint16_t ptr = (uint16_t)(p->l4[18] << 8 | p->l4[19]);
	uint32_t u = seq + ptr - 1;
	int64_t off = seq_off(h, u);

	if (!ptr || urgent_mode(st, h) == STREAM_URGENT_INLINE || off < 0 ||
	    (uint64_t)off < h->delivered)
		return;
	if ((h->flags & HF_URG) && SEQ_LE(u, h->urg_seq))
		return;
	h->urg_seq = u;
	h->flags |= HF_URG;
}

/* Payload and FIN of `p`, sent by direction `dir`. */
static void handle_data(struct stream_tcp *st, struct flow *f, int dir, const struct packet *p)
{
	struct tcp_session *s = f->tcp;
	struct tcp_half *h = &s->half[dir];
	uint32_t seq = p->pub.tcp_seq + ((p->pub.tcp_flags & IDS_TCP_SYN) ? 1 : 0);
	uint32_t len = p->pub.payload_len, end = seq + len;
	bool fin = p->pub.tcp_flags & IDS_TCP_FIN;

	if (h->flags & HF_ENDED)
		return;
	if (!(h->flags & HF_ISN)) {
		if (!(s->flags & SF_MIDSTREAM))
			return; /* a side that never sent its SYN */
		half_start(h, seq - 1);
	}
	half_policy(st, h, &p->pub.dst);
	if (len && !in_window(s, h, seq)) {
		emit_event(st, f, STREAM_EV_OUT_OF_WINDOW, p);
		return;
	}
	if (fin && !(h->flags & HF_FIN) && seq_off(h, seq) > (int64_t)rcv_next(h)) {
		/* Ahead of what the receiver holds: not the end of its stream. */
		emit_event(st, f, STREAM_EV_FIN_OUT_OF_WINDOW, p);
		if (SEQ_GT(end + 1, h->next_seq))
			h->next_seq = end + 1;
		h->fin_seq = end;
		h->flags |= HF_FIN_AHEAD;
		return;
	}
	if (fin && !(h->flags & HF_FIN)) {
		h->fin_seq = end;
		h->flags |= HF_FIN;
		if (dir == IDS_DIR_TO_CLIENT && !(s->half[0].flags & HF_FIN))
			s->flags |= SF_SRV_FIN_1ST;
	}
	if (SEQ_GT(end + (fin ? 1 : 0), h->next_seq))
		h->next_seq = end + (fin ? 1 : 0);
	if ((h->flags & HF_FIN) && SEQ_GT(h->next_seq, h->fin_seq + 1))
		h->next_seq = h->fin_seq + 1;
	if (!len)
		return;
	if ((p->pub.tcp_flags & (IDS_TCP_SYN | IDS_TCP_ACK)) == IDS_TCP_SYN) {
		h->flags |= HF_SYN_DATA; /* until the SYN+ACK says whether it took it */
		h->syn_data = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
	}
	if (p->pub.tcp_flags & IDS_TCP_URG)
		note_urgent(st, h, seq, p);
	insert(st, f, dir, seq, p);
	deliver_excess(st, f, dir, p);
}

/* Hosts that reset only on the exact next sequence number (RFC 5961 3.2;
 * an in-window one gets a challenge ACK): Linux since 3.6; FreeBSD, the
 * other BSDs and macOS, whose default (net.inet.tcp.insecure_rst=0) wants
 * the receiver's last ACK exactly. The others reset on any in-window RST
 * (RFC 793): Linux before 3.6, Solaris, Windows, and the generic first and
 * last policies. */
static bool rst_exact_only(enum os_policy pol)
{
	return pol == OS_POLICY_LINUX || pol == OS_POLICY_BSD || pol == OS_POLICY_BSD_RIGHT;
}

static bool rst_valid(const struct tcp_session *s, int dir, const struct packet *p)
{
	const struct tcp_half *hx = &s->half[dir], *hy = &s->half[dir ^ 1];
	uint32_t seq = p->pub.tcp_seq, ref, win;

	if (!(hx->flags & HF_ISN))
		return s->state == SS_SYN_SENT && (p->pub.tcp_flags & IDS_TCP_ACK) &&
		       (hy->flags & HF_ISN) && p->pub.tcp_ack == hy->isn + 1;
	if (s->state == SS_SYN_SENT && !(hy->flags & HF_ISN) && !(hx->flags & HF_ISN_ACKED))
		return false; /* the initiator's, to a responder still listening */
	if (seq == hx->next_seq || ((hx->flags & HF_ACK) && seq == hx->ack))
		return true;
	if (rst_exact_only((enum os_policy)hx->policy))
		return false;
	ref = (hx->flags & HF_ACK) ? hx->ack : hx->next_seq;
	win = (hx->flags & HF_ACK) ? hx->rwin : 0;
	return SEQ_GE(seq, ref) && (uint32_t)(seq - ref) < (win ? win : 1);
}

static void handle_rst(struct stream_tcp *st, struct flow *f, int dir, const struct packet *p)
{
	struct tcp_session *s = f->tcp;

	half_policy(st, &s->half[dir], &p->pub.dst);
	if (!rst_valid(s, dir, p)) {
		emit_event(st, f, STREAM_EV_RST_INVALID, p);
		return;
	}
	if (p->pub.payload_len)
		emit_event(st, f, STREAM_EV_RST_WITH_DATA, p);
	s->flags |= SF_RST;
	finish_half(st, f, dir, p);
	finish_half(st, f, dir ^ 1, p);
}

/* ------------------------------------------------------------ timestamps */

/* Timestamps compare like sequence numbers: modulo 2^32 (RFC 7323). */

/* In SYN_SENT, an answer from the responder (ACK bit, before its own SYN)
 * whose TSecr echoes no TSval of the initiator's SYNs. */
static bool bad_syn_echo(const struct tcp_session *s, int dir, const struct packet *p,
			 const struct tcp_opts *o)
{
	const struct tcp_half *hx = &s->half[dir], *ini = &s->half[dir ^ 1];

	if (s->state != SS_SYN_SENT || (s->flags & SF_MIDSTREAM) || (hx->flags & HF_ISN) ||
	    !(ini->flags & HF_ISN) || !(p->pub.tcp_flags & IDS_TCP_ACK) || !o->ts || !o->tsecr)
		return false;
	if (!(ini->flags & HF_TS))
		return true; /* nothing was sent to echo */
	return SEQ_LT(o->tsecr, s->syn_tsval) || SEQ_GT(o->tsecr, ini->last_ts);
}

/* PAWS: the TSval of `p` (not a RST) is older than TS.Recent of its sender
 * half `h`, by more than the receiver's tolerance. */
static bool paws_reject(const struct tcp_session *s, const struct tcp_half *h,
			const struct packet *p, const struct tcp_opts *o)
{
	int32_t older_by;

	if (!(s->flags & SF_TS) || !o->ts || !h->last_ts || (p->pub.tcp_flags & IDS_TCP_RST))
		return false;
	older_by = (int32_t)(h->last_ts - o->tsval);
	if (h->policy == OS_POLICY_LINUX || h->policy == OS_POLICY_OLD_LINUX)
		return older_by > 1;
	return older_by > 0;
}

/* Whether the timestamp of `p`, from direction `dir`, lets it be used. */
static bool timestamp_valid(struct stream_tcp *st, struct tcp_session *s, int dir,
			    const struct packet *p, const struct tcp_opts *o)
{
	struct tcp_half *h = &s->half[dir];

	if (!o->ts)
		return true;
	half_policy(st, h, &p->pub.dst);
	return !bad_syn_echo(s, dir, p, o) && !paws_reject(s, h, p, o);
}

/* RFC 7323 R3: an accepted segment with SEG.TSval >= TS.Recent and SEG.SEQ
 * <= the receiver's last ACK (any, before the receiver ACKed anything:
 * the SYNs) sets TS.Recent of its sender half `h`. */
static void ts_update(struct tcp_half *h, const struct packet *p, const struct tcp_opts *o)
{
	if (!o->ts || (h->last_ts && SEQ_LT(o->tsval, h->last_ts)))
		return;
	if ((h->flags & HF_ACK) && SEQ_GT(p->pub.tcp_seq, h->ack))
		return;
	h->last_ts = o->tsval;
}

/* ------------------------------------------------------------ sessions */

/* The first packet of a flow with no session: start one, or say why not. */
static struct tcp_session *session_start(struct stream_tcp *st, struct flow *f,
					 const struct packet *p)
{
	uint8_t fl = p->pub.tcp_flags;
	bool syn = (fl & (IDS_TCP_SYN | IDS_TCP_ACK | IDS_TCP_RST)) == IDS_TCP_SYN;
	bool synack =
		(fl & (IDS_TCP_SYN | IDS_TCP_ACK | IDS_TCP_RST)) == (IDS_TCP_SYN | IDS_TCP_ACK);
	struct tcp_session *s;

	if (fl & IDS_TCP_RST)
		return NULL;
	/* A session whose state the sensor dropped itself (flow evicted or
	 * timed out while established) is picked up midstream anyway. */
	if (!syn && !st->cfg.midstream && !f->lost_state) {
		if (p->pub.payload_len)
			emit_event(st, f, STREAM_EV_NO_HANDSHAKE, p);
		return NULL;
	}
	s = session_get(st);
	if (!s)
		return NULL;
	f->tcp = s;
	st->stats.sessions++;
	if (syn)
		return s;
	st->stats.midstream++;
	s->flags |= SF_MIDSTREAM;
	if (synack) { /* the SYN was missed: its ISN is the ACK - 1 */
		half_start(&s->half[p->pub.direction ^ 1], p->pub.tcp_ack - 1);
		s->state = SS_SYN_SENT;
		return s;
	}
	s->state = SS_ESTABLISHED;
	return s;
}

static bool session_closed(const struct tcp_session *s)
{
	return (s->flags & SF_RST) ||
	       ((s->half[0].flags & HF_FIN_ACKED) && (s->half[1].flags & HF_FIN_ACKED));
}

/* What the receiver drops whole before it looks at anything else (RFC 9293
 * 3.10.7.4, Linux tcp_rcv_state_process and tcp_ack): a segment without
 * SYN or ACK, and one acknowledging data its receiver never sent. Settles
 * the handshake's ISN candidates on the way. Not for sessions picked up
 * midstream: without the handshake the sensor may be seeing one side only
 * (the other side's bytes, which the ACKs cover, never show). */
static bool segment_acceptable(struct stream_tcp *st, struct flow *f, int dir,
			       const struct packet *p)
{
	struct tcp_session *s = f->tcp;
	uint8_t fl = p->pub.tcp_flags;

	if (fl & IDS_TCP_SYN)
		return true;
	if (s->flags & SF_MIDSTREAM)
		return true; /* what the hosts' state is, the sensor cannot tell */
	if (!(fl & IDS_TCP_ACK)) {
		emit_event(st, f, STREAM_EV_NO_ACK, p);
		return false;
	}
	if (s->state < SS_ESTABLISHED)
		handshake_ack(st, s, dir, p);
	if (ack_unsent(s, dir, p)) {
		emit_event(st, f, STREAM_EV_INVALID_ACK, p);
		return false;
	}
	return true;
}

void stream_tcp_packet(struct stream_tcp *st, struct flow *f, const struct packet *p)
{
	struct tcp_session *s = f->tcp;
	int dir = p->pub.direction ? 1 : 0;
	uint8_t fl = p->pub.tcp_flags;
	struct tcp_opts o;

	if (!p->l4 || p->l4_len < 20 || p->pub.proto != 6)
		return;
	if (!s && !(s = session_start(st, f, p)))
		return;
	if (session_closed(s))
		return;
	parse_opts(p, &o);
	if (!timestamp_valid(st, s, dir, p, &o)) {
		emit_event(st, f, STREAM_EV_INVALID_TIMESTAMP, p);
		return;
	}
	if (fl & IDS_TCP_RST) {
		handle_rst(st, f, dir, p);
		return;
	}
	if (!segment_acceptable(st, f, dir, p))
		return;
	if ((fl & IDS_TCP_SYN) && handle_syn(st, f, dir, p, &o) != 0)
		return;
	ts_update(&s->half[dir], p, &o);
	if (fl & IDS_TCP_ACK)
		handle_ack(st, f, dir ^ 1, p);
	handle_data(st, f, dir, p);
	for (int d = 0; d < 2; d++)
		if (s->half[d].flags & HF_FIN_ACKED)
			finish_half(st, f, d, p);
}

void stream_tcp_flow_end(struct stream_tcp *st, struct flow *f)
{
	struct tcp_session *s = f->tcp;

	if (!s)
		return;
	finish_half(st, f, IDS_DIR_TO_SERVER, NULL);
	finish_half(st, f, IDS_DIR_TO_CLIENT, NULL);
	for (int d = 0; d < 2; d++)
		while (s->half[d].head)
			seg_free(st, &s->half[d], s->half[d].head);
	f->tcp = NULL;
	s->next_free = st->free_sessions;
	st->free_sessions = s;
}

const char *stream_tcp_state_name(const struct flow *f)
{
	static const char *const hs[] = {"new", "syn_sent", "syn_recv"};
	const struct tcp_session *s = f->tcp;
	const struct tcp_half *c, *sv;

	if (!s)
		return NULL;
	if (session_closed(s))
		return "closed";
	c = &s->half[IDS_DIR_TO_SERVER];
	sv = &s->half[IDS_DIR_TO_CLIENT];
	if (!(c->flags & HF_FIN) && !(sv->flags & HF_FIN))
		return s->state < SS_ESTABLISHED ? hs[s->state] : "established";
	if (!(sv->flags & HF_FIN))
		return "close_wait";
	if (!(c->flags & HF_FIN))
		return (sv->flags & HF_FIN_ACKED) ? "fin_wait2" : "fin_wait1";
	if (!(s->flags & SF_SRV_FIN_1ST))
		return "last_ack";
	return (sv->flags & HF_FIN_ACKED) ? "time_wait" : "closing";
}

bool stream_tcp_reuse(const struct flow *f, const struct packet *p, int dir)
{
	const struct tcp_session *s = f->tcp;
	const struct tcp_half *snd, *rcv;
	bool rcv_is_server = dir == IDS_DIR_TO_SERVER;
	struct tcp_opts o;

	if (!s || !p->l4 || p->l4_len < 20 ||
	    (p->pub.tcp_flags & (IDS_TCP_SYN | IDS_TCP_ACK | IDS_TCP_RST)) != IDS_TCP_SYN)
		return false;
	if (s->flags & SF_RST)
		return true;
	snd = &s->half[dir & 1];
	rcv = &s->half[(dir & 1) ^ 1];
	if (!(snd->flags & HF_FIN) || !(rcv->flags & HF_FIN))
		return false;
	if (rcv_is_server != ((s->flags & SF_SRV_FIN_1ST) != 0))
		return (rcv->flags & HF_FIN_ACKED) != 0; /* LAST_ACK done: CLOSED */
	/* TIME_WAIT (Linux tcp_timewait_state_process). */
	if (SEQ_GT(p->pub.tcp_seq, snd->next_seq))
		return true;
	parse_opts(p, &o);
	return (s->flags & SF_TS) && o.ts && snd->last_ts && SEQ_LT(snd->last_ts, o.tsval);
}

bool stream_tcp_established(const struct flow *f)
{
	const struct tcp_session *s = f->tcp;

	if (!s || s->state < SS_ESTABLISHED)
		return false;
	if (!(s->flags & SF_MIDSTREAM))
		return true;
	return (s->half[0].flags & HF_ISN) && (s->half[1].flags & HF_ISN);
}

bool stream_tcp_sizes(const struct flow *f, int dir, uint32_t seq, uint32_t len, uint32_t sizes[2])
{
	const struct tcp_session *s = f->tcp;

	if (!s)
		return false;
	for (int d = 0; d < 2; d++) {
		const struct tcp_half *h = &s->half[d];
		uint32_t next = h->next_seq;

		if (!(h->flags & HF_ISN)) {
			sizes[d] = 0;
			continue;
		}
		if (d == dir && SEQ_LE(seq, next) && SEQ_GT(seq + len, next))
			next = seq + len;
		sizes[d] = next - h->isn;
	}
	return true;
}

bool stream_tcp_buffered(const struct flow *f)
{
	return f->tcp && (f->tcp->half[0].buffered || f->tcp->half[1].buffered);
}

bool stream_tcp_closed(const struct flow *f)
{
	return f->tcp && session_closed(f->tcp);
}

/* ------------------------------------------------------------ module */

struct stream_tcp *stream_tcp_new(const struct stream_config *cfg, const struct stream_out *out)
{
	struct stream_tcp *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->cfg = *cfg;
	if (out)
		st->out = *out;
	return st;
}

void stream_tcp_free(struct stream_tcp *st)
{
	if (!st)
		return;
	while (st->chunks) {
		struct sess_chunk *c = st->chunks;

		st->chunks = c->next;
		free(c);
	}
	while (st->slabs) {
		struct slab *sl = st->slabs;

		st->slabs = sl->next;
		free(sl);
	}
	free(st);
}

const struct stream_stats *stream_tcp_stats(const struct stream_tcp *st)
{
	return &st->stats;
}

size_t stream_tcp_session_size(void)
{
	return sizeof(struct tcp_session);
}
