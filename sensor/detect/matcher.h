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
 * A rule is reported when all its patterns matched, its pcre matched and
 * its header accepts the packet; each rule at most once per scan.
 *
 * Threads: compile/free on the main thread before workers start / after
 * they stop. matcher_thread_new() (per worker, after every matcher was
 * compiled) makes the scratch that matcher_scan needs: a Hyperscan scratch
 * big enough for every matcher, PCRE2 match data and the per-rule state.
 * matcher_scan allocates nothing.
 */
#ifndef SENSOR_MATCHER_H
#define SENSOR_MATCHER_H

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

/* Number of Hyperscan patterns / rules in a matcher (for -T and tests). */
size_t matcher_pattern_count(const struct ids_matcher *m);
size_t matcher_rule_count(const struct ids_matcher *m);

#endif
