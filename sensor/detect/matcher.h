/*
 * matcher.h - compiled rule sets: Hyperscan multi-pattern scanning with
 * PCRE2 confirmation. Implements the matcher slots of struct ids_services.
 *
 * One matcher holds every pattern of its rules in one Hyperscan block-mode
 * database. Contents become escaped literals (\xHH), nocase becomes
 * HS_FLAG_CASELESS, offset/depth become the extended parameters min_offset
 * and max_offset (for regexes whose width is not fixed, offset is checked on
 * the match start given by HS_FLAG_SOM_LEFTMOST). A regex Hyperscan cannot
 * compile exactly, and every rule's `pcre`, is compiled in prefilter mode
 * and confirmed with PCRE2 (JIT) on the same buffer within the same bounds.
 * Rules with no pattern at all are checked on every scan by header alone.
 *
 * Program rules (rule language v2 keys, contents longer than Hyperscan
 * takes, and in block mode v1 rules with a content common to many rules):
 * Hyperscan gets one prefilter pattern per rule (matcher_prefilter.c) and a
 * hit makes the rule a candidate that its program verifies exactly
 * (matcher_verify.c). Identical Hyperscan patterns of all rules share one
 * id. With a cache folder set (matcher_cache.h), compiled databases are
 * read from and written to disk.
 *
 * A rule is reported when all its patterns matched, its pcre matched and
 * its header accepts the packet; each rule at most once per scan.
 * Rules whose patterns name several buffers are refused here: they are
 * compiled by matcher_compile_tx (matcher_tx.c, below).
 *
 * Threads: compile/free on the main thread before workers start / after
 * they stop. matcher_thread_new() (per worker, after every matcher was
 * compiled) makes the scratch that matcher_scan needs: a Hyperscan scratch
 * big enough for every matcher, PCRE2 match data and the per-rule state.
 * matcher_scan allocates nothing.
 */
#ifndef SENSOR_MATCHER_H
#define SENSOR_MATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids/plugin.h"

struct matcher_thread;

struct ids_matcher *matcher_compile(const struct ids_rule *const *rules, size_t n, char *err,
				    size_t errlen);
void matcher_free(struct ids_matcher *m);

/* Per-worker scratch covering every matcher compiled so far. */
struct matcher_thread *matcher_thread_new(void);
void matcher_thread_free(struct matcher_thread *mt);

unsigned matcher_scan(struct matcher_thread *mt, const struct ids_matcher *m,
		      const struct ids_packet *pkt, const uint8_t *buf, size_t len, ids_match_fn cb,
		      void *ctx);

/* Rules in the database matcher_scan uses for this packet: a TCP or UDP
 * packet's protocol and port group (matcher_ports.c), else all of m's.
 * For tests and figures. */
size_t matcher_scan_rules(const struct ids_matcher *m, const struct ids_packet *pkt);

/* ------------------------------------------------------ stream mode */

/*
 * A stream matcher (matcher_compile_stream) holds the same kinds of rules in
 * a Hyperscan stream-mode database. Each flow direction scanned with it has
 * a struct matcher_stream: the Hyperscan stream, which patterns of which
 * rules have matched so far, which rules were reported, and (when some
 * pattern needs PCRE2 confirmation) a bounded window of the latest stream
 * bytes. Rules' offset/depth count from the start of the stream
 * (chunk->offset 0). A gap (IDS_STREAM_GAP) is never bridged: no pattern
 * matches across it, patterns after it still match, and bounds keep
 * counting from the stream start. A rule is reported once per stream
 * unless r->stream_every, then at most once per chunk.
 *
 * The state is allocated on the first chunk of a direction (the worker's
 * only allocation for a stream, bounded by the flow table) and freed by
 * matcher_stream_close. Worker thread only, like matcher_scan.
 */
struct matcher_stream;

struct ids_matcher *matcher_compile_stream(const struct ids_rule *const *rules, size_t n, char *err,
					   size_t errlen);

/* Scan the next chunk of one direction; *ms is NULL before the first
 * call. `pkt` is handed to rule_header_match and, through cb, to alerts.
 * Returns the number of rules reported. A chunk of length 0 is valid. */
unsigned matcher_stream_scan(struct matcher_thread *mt, const struct ids_matcher *m,
			     struct matcher_stream **ms, const struct ids_packet *pkt,
			     const struct ids_stream_chunk *chunk, ids_match_fn cb, void *ctx);

/* End of the direction: report what matches only at the end of data (a
 * pattern ending in `$`), then free *ms and set it to NULL. `pkt` as for
 * scans; cb may be NULL to discard (flow evicted). NULL *ms is a no-op. */
unsigned matcher_stream_close(struct matcher_thread *mt, const struct ids_matcher *m,
			      struct matcher_stream **ms, const struct ids_packet *pkt,
			      ids_match_fn cb, void *ctx);

/* True for a matcher made by matcher_compile_stream. */
bool matcher_is_stream(const struct ids_matcher *m);

/* Rules in the database a new stream of direction `dir` (IDS_DIR_*) and
 * that server port is scanned with: its port group's (matcher_ports.c),
 * else the direction's or the matcher's. For tests and figures. */
size_t matcher_stream_group_rules(const struct ids_matcher *m, unsigned dir, uint16_t server_port);

/* Bytes of one direction's state before any match (for memory figures). */
size_t matcher_stream_size(const struct ids_matcher *m);

/* ------------------------------------------------- transaction mode */

/*
 * Multi-buffer rules (see matcher_tx.c): compiled per buffer, scanned one
 * transaction step at a time with the buffers a plugin hands over. The
 * ids_services slots matcher_compile_tx / matcher_tx_scan.
 */
struct ids_matcher *matcher_compile_tx(const struct ids_rule *const *rules, size_t n,
				       const char *const *buf_names, size_t n_bufs, char *err,
				       size_t errlen);
/* matcher_compile_tx that also takes rules on one buffer (ids_rule.buffer
 * among buf_names), reported by matcher_tx_scan when their buffer is fresh
 * (the ids_services slot of ABI 1.5). */
struct ids_matcher *matcher_compile_tx_single(const struct ids_rule *const *rules, size_t n,
					      const char *const *buf_names, size_t n_bufs,
					      char *err, size_t errlen);
unsigned matcher_tx_scan(struct matcher_thread *mt, const struct ids_matcher *m,
			 const struct ids_packet *pkt, const struct ids_tx_buffer *bufs, size_t n,
			 ids_match_fn cb, void *ctx);

/* Number of Hyperscan patterns / rules in a matcher (for -T and tests). */
size_t matcher_pattern_count(const struct ids_matcher *m);
size_t matcher_rule_count(const struct ids_matcher *m);
/* Rules left out because Hyperscan refused their content (each was
 * logged as a warning naming file:line:col); the others work. */
size_t matcher_dropped_count(const struct ids_matcher *m);
/* Candidates of this thread whose program ran out of its work budget
 * (VERIFY_BUDGET) and so did not match. */
uint64_t matcher_thread_limit_hits(const struct matcher_thread *mt);

#endif
