/*
 * matcher_internal.h - what matcher.c (compile, block scans) and
 * matcher_stream.c (stream scans) share: the compiled matcher's layout and
 * the per-thread state. Not for use outside sensor/detect/matcher*.c.
 * The design is described at the top of matcher.c.
 */
#ifndef SENSOR_MATCHER_INTERNAL_H
#define SENSOR_MATCHER_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <hs.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/matcher_group.h"
#include "detect/matcher_verify.h"
#include "detect/rules.h"

/* How a pattern is matched, from most to least Hyperscan. */
enum pat_mode {
	MODE_EXACT = 0, /* Hyperscan alone decides (SOM patterns: when start >= O) */
	MODE_PREFILTER, /* Hyperscan prefilter, PCRE2 confirms */
	MODE_PCRE_ONLY, /* no Hyperscan pattern; PCRE2 on every candidate scan */
};

/* PCRE2 options Hyperscan can ignore or express while staying a superset
 * of the pcre's matches (it is confirmed by PCRE2 anyway). */
#define PCRE_OPTS_HS_SAFE                                                                          \
	(PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_MULTILINE | PCRE2_EXTENDED | PCRE2_UNGREEDY |       \
	 PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY | PCRE2_NO_AUTO_CAPTURE | PCRE2_DUPNAMES)

/* How the stream callback judges a Hyperscan match (see "Stream mode"). */
enum mpat_kind {
	MP_END = 0, /* sure when min_end <= end <= max_end (fixed width, or offset 0) */
	MP_SOM,	    /* sure when start >= min_from and end <= max_end, else "maybe" */
	MP_CONFIRM, /* prefilter: always "maybe", PCRE2 confirms */
};

/* A (rule, bit) a Hyperscan pattern stands for. */
struct mtarget {
	uint32_t rule; /* index in the matcher's rules */
	uint64_t bit;  /* the pattern's bit in that rule's masks */
};

/* One Hyperscan pattern id: all the match callbacks read. Identical
 * patterns (same expression, flags and bounds) share one id, which stands
 * for targets[first .. first + n) (see "Dedup" in the file header). */
struct mpat {
	uint32_t first, n; /* its targets in the matcher's targets[] */
	uint32_t min_from; /* a match starting before this only marks "maybe" (0: none) */
	/* stream mode only: bounds in stream offsets, checked by the callback */
	uint64_t min_end, max_end; /* O + width, O + D (UINT64_MAX: no depth) */
	uint8_t kind;		   /* enum mpat_kind */
	bool anchor;		   /* may hold ^ or \A: "maybe" once the stream restarted */
};

/* A PCRE2 check of one rule pattern or pcre. */
struct mcheck {
	struct rule_regex *re; /* a reference (rule_regex.h); matched with rule_regex_code */
	uint64_t bit;	       /* confirms this bit; 0 for a pcre without a bit */
	bool always;	       /* no Hyperscan pattern: run whenever the rule is a candidate */
	uint32_t start;	       /* offset O */
	size_t end;	       /* O + D, or SIZE_MAX without depth */
	struct vprog *prog;    /* owned: the rule's program runs instead of `re` */
};

struct mrule {
	const struct ids_rule *pub; /* caller's, outlives the matcher */
	const struct rule *r;
	uint64_t need;	       /* bits Hyperscan must have reported (got or maybe) */
	uint64_t confirm;      /* bits whose Hyperscan match PCRE2 must confirm */
	uint64_t sneed;	       /* stream mode: need plus the bits of `always` checks */
	struct mcheck *checks; /* owned */
	uint32_t n_checks;
	bool every;   /* stream mode: r->stream_every */
	bool prog;    /* verified by its program (checks[0].prog) */
	bool dropped; /* Hyperscan refused its prefilter: never reported */
};

/* Port groups of one direction of a stream matcher (matcher_ports.c). */
#define PORT_GROUPS_MAX 24 /* ports with a group of their own, per direction */

struct mport_groups {
	uint16_t ports[PORT_GROUPS_MAX]; /* ascending */
	size_t n_ports;
	/* per port of ports[], then [n_ports] for every other port: the
	 * matcher a stream of that server port is scanned with (owned[] or
	 * `all`) */
	const struct ids_matcher *pick[PORT_GROUPS_MAX + 1];
	struct ids_matcher *owned[PORT_GROUPS_MAX + 1]; /* the distinct ones made here */
	size_t n_owned;
	const struct ids_matcher *all; /* the direction's matcher of all its rules */
};

/* A block matcher's rules that a TCP or UDP packet of one direction can
 * match, and their port groups (matcher_ports.c). */
struct mpkt_class {
	const struct ids_matcher *m; /* NULL: the whole matcher's rules */
	struct ids_matcher *owned;   /* m, when made for this class alone */
	struct mport_groups *ports;  /* or NULL */
};

/* Address classes of a block matcher (matcher_addr.c): per class
 * (src in home) | (dst in home) << 1, the matcher a packet of that class
 * is scanned with (owned[], or the whole matcher). */
#define ADDR_CLASSES 4

struct maddr {
	struct addr_set home; /* owned blocks */
	const struct ids_matcher *pick[ADDR_CLASSES];
	struct ids_matcher *owned[ADDR_CLASSES];
	size_t n_owned;
	bool whole_used; /* some class uses the whole matcher */
};

struct ids_matcher {
	hs_database_t *db; /* NULL when no pattern went to Hyperscan */
	struct mpat *pats; /* indexed by Hyperscan id */
	size_t n_pats;
	struct mtarget *targets; /* of all ids, grouped by id */
	struct mrule *rules;
	size_t n_rules;
	uint32_t *always; /* rules without a Hyperscan pattern (stream mode: or with an
			     `always` check), ascending */
	size_t n_always;
	bool stream;	  /* made by matcher_compile_stream */
	bool need_ring;	  /* stream mode: some pattern needs PCRE2, streams keep a ring */
	size_t n_dropped; /* rules left out (Hyperscan refused them) */
	/* block mode: the `always` rules by protocol and destination port */
	struct mgroups groups;
	bool grouped;
	/* made by matcher_compile_tx: everything is in here (matcher_tx.c) */
	struct matcher_tx *tx;
	/* stream mode with directional rules (matcher_compile_stream): one
	 * stream matcher per chunk direction (IDS_DIR_*), each without the
	 * rules of the other direction; this one holds nothing else */
	struct ids_matcher *by_dir[2];
	/* and, with it, each direction's port groups (NULL: none) */
	struct mport_groups *ports[2];
	/* block mode: [0 TCP, 1 UDP][packet direction] (pkt_grouped) */
	struct mpkt_class pkt[2][2];
	bool pkt_grouped;
	/* address classes (NULL: none): block mode, picked before pkt[][];
	 * stream mode, a by_dir matcher's, picked before its port groups */
	struct maddr *addr;
};

struct rstate {
	uint64_t got, maybe;
	uint64_t lo; /* stream mode: stream offset of the first "maybe" match end */
};

struct matcher_thread {
	hs_scratch_t *scratch; /* NULL when no database existed */
	pcre2_match_data *md;
	pcre2_jit_stack *jit_stack; /* so deep JIT matches do not hit the 32 KiB default */
	pcre2_match_context *mctx;
	struct rstate *state; /* per rule, all zero between scans */
	uint32_t *touched;    /* rules hit during the running scan */
	size_t cap;	      /* rules state[] and touched[] hold */
	uint32_t *by_addr;    /* address-indexed rules of the running scan (2 * cap) */
	const struct mpat *pats;
	const struct mtarget *targets;
	size_t n_touched;
	struct verify_env venv; /* programs' match data and work-limit count */
	uint64_t base;		/* stream mode: stream offset of the Hyperscan stream's byte 0 */
	uint8_t *window;	/* stream mode: 2 * STREAM_WINDOW bytes to join ring and chunk */
	uint32_t *txcand;	/* transaction scans: candidate rules (cap entries) */
	size_t n_txcand;
};

#define JIT_STACK_MAX (1024 * 1024)

/* Bytes of stream history a stream keeps for PCRE2 confirmation (see the
 * file header): a confirmed match longer than this is not found. */
#define STREAM_WINDOW 4096

struct matcher_tx;
/* Transaction matchers (matcher_tx.c): free the inside; rules one holds,
 * for the per-thread candidate list. */
void matcher_tx_free(struct matcher_tx *tx);
/* An empty matcher counted like compiled ones, holding `tx`; NULL when
 * out of memory. `n_rules` sizes the threads' candidate lists. */
struct ids_matcher *matcher_wrap_tx(struct matcher_tx *tx, size_t n_rules);

/* matcher.c's compile of one database (block or stream mode). */
struct ids_matcher *matcher_compile_set(const struct ids_rule *const *rules, size_t n, char *err,
					size_t errlen, bool stream);

/* One address class's matcher (matcher_addr.c): dir < 0, a block
 * matcher (without protocol and port groups: see matcher_addr.c); else a
 * stream matcher of direction dir's rules with its port groups in
 * ports[dir]. */
struct ids_matcher *matcher_compile_group_set(const struct ids_rule *const *rules, size_t n,
					      int dir, char *err, size_t errlen);

/* Address classes (matcher_addr.c). Split matcher m of `rules` (block
 * mode: dir < 0; stream mode: the rules of direction dir) by the home set
 * the rules name most: 0 (m->addr set, or left NULL when no split is
 * worth it) or -1 with err. */
int maddr_build(struct ids_matcher *m, const struct ids_rule *const *rules, size_t n, int dir,
		char *err, size_t errlen);
void maddr_free(struct maddr *ma);
/* The matcher an IP packet is scanned with (m->addr set); m otherwise. */
const struct ids_matcher *maddr_pick(const struct ids_matcher *m, const struct ids_packet *pkt);
/* Can rule r's header accept a packet of class cls of that home set. */
bool maddr_rule_in_class(const struct rule *r, const struct addr_set *home, unsigned cls);

/* A rule never reported on data or packets of direction `dir`
 * (`direction:` or `flow:` naming the other one). */
bool matcher_only_other_direction(const struct ids_rule *pub, unsigned dir);

/* Port groups (matcher_ports.c). Build the groups of direction `dir` of
 * `rules` (a stream matcher's rules of that direction, `all` compiled from
 * them): 0 with *out NULL when no port is worth a group, -1 with err. */
int mport_groups_build(struct mport_groups **out, const struct ids_rule *const *rules, size_t n,
		       unsigned dir, const struct ids_matcher *all, const char *kind, char *err,
		       size_t errlen);
void mport_groups_free(struct mport_groups *pg);
/* Block matcher m of `rules`: its per-protocol, per-direction subsets and
 * their port groups (m->pkt); 0 or -1 with err. Freed by
 * mport_packet_free. */
int mport_packet_build(struct ids_matcher *m, const struct ids_rule *const *rules, size_t n,
		       char *err, size_t errlen);
void mport_packet_free(struct ids_matcher *m);
/* The matcher a packet is scanned with: m's, or its class's port group's. */
const struct ids_matcher *mport_packet_pick(const struct ids_matcher *m,
					    const struct ids_packet *pkt);
/* The matcher of a stream of that server port; never NULL. */
const struct ids_matcher *mport_groups_pick(const struct mport_groups *pg, uint16_t port);
/* Can rule r be reported on data of direction dir with that server port;
 * does its key side hold a port outside chosen[n_chosen] (ascending). */
bool mport_key_has(const struct rule *r, unsigned dir, uint16_t port);
bool mport_key_escapes(const struct rule *r, unsigned dir, const uint16_t *chosen, size_t n_chosen);

/* Forget the rules touched by the running scan (their state back to 0). */
void matcher_drop_touched(struct matcher_thread *mt);
/* Sort rule indexes ascending. */
void matcher_sort_indexes(uint32_t *a, size_t n);

#endif
