/*
 * stream_tcp.h - TCP session tracking and stream reassembly.
 *
 * For every TCP packet of a flow the worker calls stream_tcp_packet(). The
 * module follows the session (three-way handshake, sequence and
 * acknowledgement numbers of both sides, window with scaling, FIN and RST),
 * buffers each side's payload as segments, and hands the data to the worker
 * in stream order, each byte once, the way the destination host would
 * assemble it:
 *
 * - Out-of-order segments wait until the hole before them fills.
 * - Retransmitted bytes are delivered once. Overlapping bytes that differ
 *   are resolved by the destination's policy (os_policy.h) and reported
 *   (STREAM_EV_OVERLAP_DIFF).
 * - Data is final, and delivered, once the receiver acknowledged it: until
 *   then a conflicting retransmission can still change it. Data that is
 *   never acknowledged is delivered when the direction closes (FIN
 *   acknowledged, or RST), when the flow ends, or when more than
 *   `max_unacked` bytes wait in one direction (one-sided captures).
 * - Bytes lost for good (a hole the sender never filled, seen once later
 *   data is acknowledged or the flow ends) are reported as a gap
 *   (gap_before > 0) and not papered over; data after the gap is still
 *   delivered.
 * - A RST is accepted as the destination's OS would: at the exact next
 *   sequence number for RFC 5961 hosts (linux, bsd), anywhere in the window
 *   for the others (an attacker injecting an out-of-window RST never stops
 *   inspection); its payload is never added to the stream. Pending data of
 *   both sides is delivered, then the session is closed.
 * - Segments the receiver drops are not used (STREAM_EV_NO_ACK,
 *   STREAM_EV_INVALID_ACK); a FIN ahead of the receiver's next byte does
 *   not end the stream (STREAM_EV_FIN_OUT_OF_WINDOW); SYN data the SYN+ACK
 *   does not acknowledge is removed (STREAM_EV_SYN_DATA_IGNORED); SYNs with
 *   other ISNs stay candidates until the handshake settles which one the
 *   host took.
 * - The urgent byte is handled per `urgent_policy` (enum stream_urgent).
 * - A segment outside the receiver's window is not added (the host would
 *   drop it) and is reported (STREAM_EV_OUT_OF_WINDOW).
 * - TCP timestamps (RFC 7323), checked as Linux does: while the client
 *   waits for the SYN+ACK, an answer carrying a timestamp echo that is not
 *   one of its SYN's is not used at all (an injected RST or FIN cannot end
 *   the session); once both SYNs carried the option, a segment older than
 *   its sender's last valid timestamp is dropped (PAWS), RSTs excepted.
 *   Both are reported (STREAM_EV_INVALID_TIMESTAMP). A RST from the client
 *   before the server answered its SYN is ignored (STREAM_EV_RST_INVALID):
 *   a listening host ignores RSTs.
 * - Sessions whose SYN was not seen are tracked only when `midstream` is
 *   set (default off, as in Suricata); otherwise their payload is not
 *   reassembled (packet-scope rules still see it).
 * - `depth` bounds how many bytes of each direction are delivered; past it
 *   the direction is no longer buffered (STREAM_EV_DEPTH_REACHED, once).
 *   `memcap` bounds the bytes buffered by one worker; a segment that would
 *   pass it is not buffered (STREAM_EV_MEMCAP, counted) and shows up as a
 *   gap.
 *
 * Threads: one struct stream_tcp per worker; sessions belong to flows of
 * that worker's table. The packet path allocates nothing in steady state:
 * sessions and segment memory come from per-worker pools that grow up to
 * the memcap and are reused.
 */
#ifndef SENSOR_STREAM_TCP_H
#define SENSOR_STREAM_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/os_policy.h"

struct flow;
struct packet;

struct stream_config {
	bool midstream;	      /* pick up sessions without a handshake (false) */
	uint32_t depth;	      /* bytes per direction delivered, 0: no limit (1 MiB) */
	uint64_t memcap;      /* bytes of buffered data per worker (64 MiB) */
	uint32_t max_unacked; /* deliver without ACK past this many bytes per direction (1 MiB) */
	const struct os_policy_map *policies; /* NULL: bsd everywhere */
	uint8_t urgent_policy;		      /* enum stream_urgent (auto) */
};

/* `stream.reassembly.urgent-policy`: what becomes of the byte a TCP urgent
 * pointer names (seq + urgent pointer - 1, the BSD reading Linux uses). */
enum stream_urgent {
	STREAM_URGENT_AUTO = 0, /* the receiver's OS policy: oob, inline for first/last */
	STREAM_URGENT_INLINE,	/* kept in the stream (SO_OOBINLINE) */
	STREAM_URGENT_OOB,	/* taken out; the bytes around it join up (Linux, BSD) */
	STREAM_URGENT_GAP,	/* taken out, leaving a 1-byte gap in the stream */
	STREAM_URGENT_COUNT
};

/* "auto", "inline", "oob", "gap"; parse returns 0 or -1. */
const char *stream_urgent_name(enum stream_urgent u);
int stream_urgent_parse(const char *name, enum stream_urgent *out);

/* Anomalies, named as in EVE (`anomaly.event`, Suricata's names). */
enum stream_event {
	STREAM_EV_OVERLAP_DIFF = 0,  /* "stream.reassembly_overlap_different_data" */
	STREAM_EV_OUT_OF_WINDOW,     /* "stream.pkt_out_of_window" */
	STREAM_EV_RST_INVALID,	     /* "stream.rst_invalid": RST not accepted (above), ignored */
	STREAM_EV_RST_WITH_DATA,     /* "stream.rst_with_data": payload of a RST, not added */
	STREAM_EV_GAP,		     /* "stream.reassembly_seq_gap" */
	STREAM_EV_DEPTH_REACHED,     /* "stream.reassembly_depth_reached" */
	STREAM_EV_MEMCAP,	     /* "stream.reassembly_memcap" */
	STREAM_EV_NO_HANDSHAKE,	     /* "stream.midstream_ignored": data without a session */
	STREAM_EV_INVALID_TIMESTAMP, /* "stream.pkt_invalid_timestamp": segment not used */
	/* Segments the receiver drops (the segment is not used at all): */
	STREAM_EV_NO_ACK,	     /* "stream.pkt_without_ack": no ACK bit once synchronized */
	STREAM_EV_INVALID_ACK,	     /* "stream.pkt_invalid_ack": acknowledges unsent data */
	STREAM_EV_FIN_OUT_OF_WINDOW, /* "stream.fin_out_of_window": FIN past the next expected seq
				      */
	STREAM_EV_SYN_DATA_IGNORED,  /* "stream.3whs_synack_tfo_data_ignored": SYN data not ACKed */
	STREAM_EV_SYN_DIFF_SEQ,	     /* "stream.3whs_syn_resend_diff_seq": SYN ISN candidate */
	STREAM_EV_SYNACK_DIFF_SEQ,   /* "stream.3whs_synack_resend_with_diff_seq": same, SYN+ACK */
	STREAM_EV_SYN_EXCESSIVE,     /* "stream.3whs_excessive_different_syns": past 3 candidates */
	STREAM_EV_MAX
};

const char *stream_event_name(enum stream_event ev);

struct stream_stats {
	uint64_t sessions;	  /* sessions created */
	uint64_t midstream;	  /* of which picked up midstream */
	uint64_t segments;	  /* data segments buffered */
	uint64_t retransmissions; /* segments whose data was all seen already */
	uint64_t bytes_delivered; /* bytes handed to the data callback */
	uint64_t gaps, gap_bytes; /* holes reported and their total length */
	uint64_t events[STREAM_EV_MAX];
	uint64_t memuse, memuse_peak; /* buffered bytes now / at most */
	uint64_t urgent_bytes;	      /* urgent bytes taken out of the stream (oob, gap) */
	uint64_t reclaimed;	      /* flows ended to free memory at the memcap */
};

/*
 * What the module calls, on the worker thread, from inside
 * stream_tcp_packet / stream_tcp_flow_end:
 *
 * data(): the next in-order bytes of direction `dir` (enum ids_direction)
 * of flow `f`: `offset` is the stream offset of data[0] (0 = first byte
 * after the SYN), `gap_before` the bytes lost right before it, `ts_usec`
 * and `pcap_cnt` those of the packet that carried these bytes (so an alert
 * names the segment that completed a match), `end` true on the last call
 * for the direction (len may then be 0). Data is delivered segment by
 * segment: one call never mixes bytes of two packets.
 *
 * event(): an anomaly; `p` is the packet that caused it (NULL when none,
 * e.g. a gap found at flow end).
 */
struct stream_out {
	void *ctx;
	void (*data)(void *ctx, struct flow *f, int dir, const uint8_t *data, uint32_t len,
		     uint64_t offset, uint32_t gap_before, int64_t ts_usec, uint64_t pcap_cnt,
		     bool end);
	void (*event)(void *ctx, struct flow *f, enum stream_event ev, const struct packet *p);
	/* reclaim(): the memcap is reached while buffering data of `keep`:
	 * end one other flow that holds buffered data (stream_tcp_buffered),
	 * in the flow table's eviction order; false when there is none. NULL:
	 * the segment is not buffered (STREAM_EV_MEMCAP). */
	bool (*reclaim)(void *ctx, struct flow *keep);
};

struct stream_tcp;

struct stream_tcp *stream_tcp_new(const struct stream_config *cfg, const struct stream_out *out);
void stream_tcp_free(struct stream_tcp *st);

/* A decoded TCP packet (p->pub.proto TCP, p->l4 set) of flow `f`, with
 * p->pub.direction set by the flow table. Creates f->tcp when a session
 * starts. */
void stream_tcp_packet(struct stream_tcp *st, struct flow *f, const struct packet *p);

/* The flow ends: deliver what is still buffered (unacknowledged data too,
 * holes as gaps), signal the end of both directions, release f->tcp. */
void stream_tcp_flow_end(struct stream_tcp *st, struct flow *f);

/* Suricata's names for the session state ("new", "syn_sent", "syn_recv",
 * "established", "fin_wait1", "fin_wait2", "time_wait", "close_wait",
 * "last_ack", "closing", "closed"), or NULL when the flow has no session. */
const char *stream_tcp_state_name(const struct flow *f);
/* Session reuse: does `p`, going `dir` on flow `f`, start a new connection
 * on its 5-tuple? A SYN (no ACK, no RST) after a valid RST; after both FINs
 * when the SYN's receiver closed second and its FIN was acknowledged (it is
 * CLOSED); or, when the receiver closed first (it is in TIME_WAIT), with
 * an ISN past the old connection's sequence numbers or a newer timestamp,
 * which is what Linux accepts in TIME_WAIT. Usable as the flow table's
 * reuse callback (flow_table_set_reuse_cb). */
bool stream_tcp_reuse(const struct flow *f, const struct packet *p, int dir);
/* True once the session's handshake completed (a session picked up
 * midstream: once both directions were seen): the flow table then treats
 * the flow as established rather than embryonic. */
bool stream_tcp_established(const struct flow *f);
/* True once the session is closed (both FINs acknowledged, or a valid RST):
 * the flow table then uses the short `closed` timeout. */
bool stream_tcp_closed(const struct flow *f);

const struct stream_stats *stream_tcp_stats(const struct stream_tcp *st);

/* Suricata's stream size of each direction of the session of `f`
 * (sizes[enum ids_direction of the data]): the sender's next sequence
 * number minus its ISN, so the SYN counts one and a FIN one; 0 for a side
 * whose ISN is not known. When dir is 0 or 1, a packet of that direction
 * at sequence seq taking len sequence numbers (payload, + 1 for a FIN) that
 * the reassembler has not seen yet is counted as if it had (detection runs
 * before reassembly), when it starts at or before the sender's next
 * sequence number (a packet after a hole is not). False when the flow has
 * no session. */
bool stream_tcp_sizes(const struct flow *f, int dir, uint32_t seq, uint32_t len, uint32_t sizes[2]);

/* Whether the session of `f` holds buffered bytes (a reclaim candidate). */
bool stream_tcp_buffered(const struct flow *f);

/* Bytes a session costs before any data is buffered (for memory figures). */
size_t stream_tcp_session_size(void);

#endif
