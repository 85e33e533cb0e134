/*
 * matcher_verify.h - a rule's program: exact verification of its patterns
 * in keyword order, with Suricata's relative semantics and backtracking
 * (see matcher_verify.c). The matcher runs it on candidates its Hyperscan
 * prefilter found, and on every scan for rules without a prefilter.
 */
#ifndef SENSOR_MATCHER_VERIFY_H
#define SENSOR_MATCHER_VERIFY_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/rules.h"

/* Content/regex attempts one candidate may spend (Suricata's inspection
 * recursion limit is of the same order). */
#define VERIFY_BUDGET 3000

/* Contents longer than this are never given to Hyperscan whole: the rule
 * runs as a program with a slice of the content as its prefilter. */
#define VERIFY_LONG_CONTENT 255

struct vprog;

/* Per-thread state a run needs; owned by the caller's thread. */
struct verify_env {
	pcre2_match_data *md;	   /* at least one ovector pair */
	pcre2_match_context *mctx; /* may be NULL */
	unsigned budget;	   /* set by each run */
	bool limit_hit;		   /* the last run ran out of budget */
	uint64_t limit_hits;	   /* runs that ran out of budget (stats) */
	/* base64_decode's output, VERIFY_B64_MAX bytes; NULL: such rules do
	 * not match */
	uint8_t *b64;
	/* the packet being scanned (ftpbounce reads its flow's client), or
	 * NULL; set by each matcher scan */
	const struct ids_packet *pkt;
};

/* Most bytes base64_decode yields: 65535 encoded bytes, decoded. */
#define VERIFY_B64_MAX (65535 / 4 * 3 + 3)

/* Compile rule `r`'s program (its regexes with PCRE2). `r` must outlive
 * it. NULL with a message in err when a regex does not compile, or out of
 * memory (err may then be empty). Main thread. */
struct vprog *verify_prog_new(const struct rule *r, char *err, size_t errlen);
void verify_prog_free(struct vprog *vp);

/* True when buf[0..len) (stream offset `base` of buf[0]; 0 for a packet or
 * a buffer) satisfies every pattern of the rule and its v1 pcre. Any
 * thread, with that thread's env; allocates nothing. */
bool verify_prog_run(const struct vprog *vp, const uint8_t *buf, size_t len, uint64_t base,
		     struct verify_env *env);

/* verify_prog_run with the variables (byte_extract/byte_math) starting at
 * vars[] rather than 0; on a match vars[] gets their values on the
 * matching path (unchanged otherwise). For the parts of a multi-buffer
 * rule, which carry variables from one buffer to the next. */
bool verify_prog_run_vars(const struct vprog *vp, const uint8_t *buf, size_t len, uint64_t base,
			  struct verify_env *env, uint64_t vars[RULE_MAX_VARS]);

/* True when the rule is matched by a program rather than by v1's
 * all-patterns-anywhere logic: v2 patterns, or a content too long for
 * Hyperscan. */
bool verify_rule_needs_prog(const struct rule *r);

#endif
