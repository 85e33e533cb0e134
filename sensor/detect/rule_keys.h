/*
 * rule_keys.h - rule language v2: the rule-level keys (docs/rules.md,
 * "Rule-level keys"): gid, action, classtype, priority, reference,
 * noalert, app_proto, flow, flowbits, threshold, detection_filter,
 * suppress and the header keywords (dsize, ttl, flags, ...).
 *
 * A rule that uses any of them gets a struct rule_keys (rule->keys),
 * parsed by rule_keys_parse() from the rule's YAML mapping while rules.c
 * parses the rest; NULL when the rule uses none, so v1 rules cost nothing.
 *
 * Evaluation has two halves:
 *   - conditions (header keywords, flow, app_proto, flowbits isset and
 *     isnotset) are pure tests, run by rule_header_match() through
 *     rule_keys_match(): a rule failing one is not a match;
 *   - actions (flowbits set/unset/toggle, noalert, pass, suppress,
 *     threshold, detection_filter) run once a rule matched completely, at
 *     the moment its alert is raised, through rule_alert_filter() (called by
 *     the worker's alert service): it decides whether the alert is written.
 *
 * The per-flow state (flowbits, flow-level pass) hangs off struct flow's
 * `detect_state`, allocated the first time a rule writes to the flow (once
 * per flow, never per packet) and freed by rule_flow_state_free() when the
 * flow ends. Conditions reach the current flow through a per-thread pointer
 * the worker binds before it hands a packet to the plugins
 * (rule_keys_bind_flow); everything here runs on worker threads without a
 * lock, except thresholds (rule_threshold.c: a shared bounded table with
 * per-bucket locks).
 *
 * Parsing, the classification table and the flowbit name table belong to
 * the main thread; they are read-only while workers run.
 */
#ifndef SENSOR_RULE_KEYS_H
#define SENSOR_RULE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "ids/plugin.h"

struct diag;
struct ynode;
struct rule;
struct ruleset;
struct flow;

enum rule_action { RULE_ACTION_ALERT = 0, RULE_ACTION_PASS, RULE_ACTION_DROP, RULE_ACTION_REJECT };

/* ------------------------------------------------------ header keywords */

/* Comparison of an unsigned packet field (Suricata's integer keywords;
 * ranges are exclusive). */
enum rule_cmp {
	CMP_EQ = 0, /* N, =N */
	CMP_NE,	    /* !N, !=N */
	CMP_LT,	    /* <N */
	CMP_LE,	    /* <=N */
	CMP_GT,	    /* >N */
	CMP_GE,	    /* >=N */
	CMP_RANGE,  /* N<>M, N-M: N < v < M */
	CMP_NRANGE, /* !N<>M, !N-M: v <= N or v >= M */
};

enum rule_hfield {
	HF_DSIZE = 0,
	HF_TTL,
	HF_ITYPE,
	HF_ICODE,
	HF_IP_ID,
	HF_SEQ,
	HF_ACK,
	HF_WINDOW,
	HF_ICMP_ID,
	HF_ICMP_SEQ,
	HF_IP_PROTO,
	HF_VLAN_ID,
	HF_COUNT
};

/* Which VLAN layers a vlan_id test looks at (Suricata's ",layer"). */
enum rule_vlan_layers { VLAN_ANY = 0, VLAN_ALL, VLAN_ONE };

struct rule_num_test {
	uint8_t field;	     /* enum rule_hfield */
	uint8_t op;	     /* enum rule_cmp */
	uint8_t vlan_layers; /* enum rule_vlan_layers (vlan_id only) */
	int8_t vlan_layer;   /* VLAN_ONE: 0.. outermost first, -1.. innermost first */
	uint32_t a, b;
};

/* flags / fragbits modifiers. */
enum rule_bits_mod {
	BITS_EXACT = 0, /* no modifier or '=': exactly these (after the ignore mask) */
	BITS_ALL,	/* '+': all of these, others allowed */
	BITS_ANY,	/* '*': any of these */
	BITS_NOT,	/* '!' or '-': not all of these */
};

struct rule_bits_test {
	bool on;
	uint8_t mod;	 /* enum rule_bits_mod */
	uint16_t bits;	 /* wanted bits */
	uint16_t ignore; /* bits masked off before comparing (flags only) */
};

/* ------------------------------------------------------------ flow */

#define RFLOW_ESTABLISHED     0x01
#define RFLOW_NOT_ESTABLISHED 0x02
#define RFLOW_STATELESS	      0x04
#define RFLOW_TO_SERVER	      0x08
#define RFLOW_TO_CLIENT	      0x10
#define RFLOW_ONLY_STREAM     0x20
#define RFLOW_NO_STREAM	      0x40

/* ------------------------------------------------------------ flowbits */

enum rule_fb_cmd { FB_SET = 0, FB_UNSET, FB_TOGGLE, FB_ISSET, FB_ISNOTSET };

struct rule_fb_op {
	uint8_t cmd;	/* enum rule_fb_cmd */
	bool any;	/* names joined with '|' (any of); else all of */
	uint32_t n;	/* names */
	uint32_t *bits; /* flowbit indexes (rule_flowbits.c) */
};

/* ------------------------------------------------------------- flowint */

/* Suricata's flowint (rule_flowint.c): actions up to FI_SUB, conditions
 * from FI_EQ on. */
enum rule_fi_opcode {
	FI_SET = 0,
	FI_ADD,
	FI_SUB,
	FI_EQ,
	FI_NE,
	FI_LT,
	FI_LE,
	FI_GT,
	FI_GE,
	FI_ISSET,
	FI_ISNOTSET
};

struct rule_fi_op {
	uint8_t op; /* enum rule_fi_opcode */
	bool value_is_var;
	uint32_t value;	     /* the number, unless value_is_var */
	uint64_t name;	     /* hash of the variable's name */
	uint64_t value_name; /* hash of the other variable's name */
};

/* A flow's flowints (rule_flowint.c); opaque. */
struct rule_flowint_state;

/* --------------------------------------------------------------- xbits */

/* Suricata's xbits (rule_xbits.c): cmd is an enum rule_fb_cmd. */
enum rule_xb_track { XB_TRACK_SRC = 0, XB_TRACK_DST, XB_TRACK_PAIR };

struct rule_xb_op {
	uint8_t cmd;	 /* enum rule_fb_cmd */
	uint8_t track;	 /* enum rule_xb_track */
	uint32_t expire; /* seconds (set, toggle) */
	uint64_t name;	 /* hash of the bit's name */
};

/* A worker's host and ip-pair bits (rule_xbits.c); opaque. */
struct rule_xbits;

/* ---------------------------------------------------------- stream_size */

/* Suricata's stream_size (rule_stream_size.c). */
enum rule_ssize_side { SSIZE_CLIENT = 0, SSIZE_SERVER, SSIZE_BOTH, SSIZE_EITHER };

struct rule_ssize {
	bool on;
	uint8_t side;		   /* enum rule_ssize_side */
	struct rule_num_test test; /* op and number (HF_SEQ range) */
};

/* ----------------------------------------------------------- threshold */

/* THR_BACKOFF (rule_backoff.c): alert on the count-th match of the flow,
 * then each time the match count reaches the last one times multiplier. */
enum rule_thr_type { THR_LIMIT = 0, THR_THRESHOLD, THR_BOTH, THR_DETECTION, THR_BACKOFF };
enum rule_track {
	TRACK_BY_SRC = 0,
	TRACK_BY_DST,
	TRACK_BY_BOTH,
	TRACK_BY_RULE,
	TRACK_BY_EITHER,
	TRACK_BY_FLOW /* backoff only */
};

struct rule_thr {
	bool on;
	uint8_t type;  /* enum rule_thr_type */
	uint8_t track; /* enum rule_track (not by_either) */
	uint32_t count;
	uint32_t seconds;
	uint32_t multiplier; /* backoff */
};

struct rule_suppress {
	uint8_t track; /* TRACK_BY_SRC, TRACK_BY_DST, TRACK_BY_EITHER */
	bool all;      /* no `ip:`: every alert of the rule */
	struct addr_set ips;
};

/* ----------------------------------------------------------- the keys */

struct rule_keys {
	uint32_t gid;
	uint8_t action; /* enum rule_action */
	bool noalert;	/* `noalert: true` or flowbits noalert */
	/* `ip_only: true`: checked on the first packet of each direction of a
	 * flow only, as Suricata's IP-only rules */
	bool ip_only;
	bool flow_pass; /* a pass rule that passes the whole flow (IP-only,
			   protocol-detection-only, app-layer) */
	int priority;	/* 1..255 when given, else 0 */
	char *classtype;
	char **refs; /* `reference:` strings "type,value" */
	size_t n_refs;
	/* app_proto: enum app_proto, negated with '!' */
	bool has_app;
	bool app_neg;
	uint8_t app;
	uint8_t flow;	  /* RFLOW_* */
	bool packet_only; /* uses a keyword that looks at the packet's headers */
	struct rule_num_test *tests;
	size_t n_tests;
	struct rule_bits_test flags, fragbits;
	bool sameip;
	struct rule_fb_op *fb;
	size_t n_fb;
	bool fb_checks, fb_writes;
	struct rule_thr threshold, detection;
	struct rule_suppress *supp;
	size_t n_supp;
	/* category / severity from classtype or priority, applied to pub */
	const char *class_desc;
	int class_prio;
	bool severity_given, category_given;
	struct rule_ssize *ssize; /* stream_size tests, all must hold */
	size_t n_ssize;
	struct rule_xb_op *xb; /* xbits */
	size_t n_xb;
	bool xb_checks, xb_writes;
	struct rule_fi_op *fi; /* flowint */
	size_t n_fi;
	bool fi_checks, fi_writes;
};

/* ----------------------------------------------------------- loading */

/*
 * Parse every v2 rule-level key of `map` into r->keys (left NULL when the
 * rule uses none). Reports each problem through `d` at its node, prefixed
 * with the rule id; returns 0 or -1. Runs after proto and scope are known
 * (it may move a rule with packet-only keywords to scope packet). Main
 * thread.
 */
int rule_keys_parse(struct rule *r, const struct ynode *map, struct diag *d);
/* Copy gid, severity and category into r->pub once pub points into the
 * rule (the last step of parsing a rule). */
void rule_keys_apply(struct rule *r);
void rule_keys_free(struct rule_keys *k);
/* ymap_check_keys over the v1 keys `v1` plus the v2 keys. */
unsigned rule_keys_check(const struct ynode *map, const char *const *v1, struct diag *d);
/* Order rs as Suricata evaluates rules: pass rules first, then rules that
 * set flowbits before the rules that test them; otherwise file order. */
void rule_keys_order(struct ruleset *rs);

/* The classification table (`classification-file:`): load it before the
 * rules that use classtype. Main thread; replaces the previous table.
 * Returns 0 or -1 after reporting. NULL path: no table. */
int rule_class_load(const char *path, struct diag *d);
/* Same from a buffer (tests); `name` for messages. */
int rule_class_load_buffer(const char *name, const char *buf, size_t len, struct diag *d);
/* A class's description and priority; false when unknown. */
bool rule_class_find(const char *name, const char **desc, int *prio);
void rule_class_free(void);

/* ------------------------------------------------ header keyword texts */

/* Parse a header keyword's value (`text`, the Suricata option text) into
 * a test of `field`; returns 0 or -1 with a message in err. */
int rule_num_parse(const char *text, enum rule_hfield field, struct rule_num_test *t, char *err,
		   size_t errlen);
int rule_flags_parse(const char *text, struct rule_bits_test *t, char *err, size_t errlen);
int rule_fragbits_parse(const char *text, struct rule_bits_test *t, char *err, size_t errlen);
bool rule_num_eval(const struct rule_num_test *t, uint32_t v);
bool rule_bits_eval(const struct rule_bits_test *t, uint16_t v);
/* All header tests of k against p (dsize, ttl, flags, ...). */
bool rule_header_keys_match(const struct rule_keys *k, const struct ids_packet *p);

/* ---------------------------------------------------------- stream_size */

/* "client,<,100" into z; 0, or -1 with a message in err. Main thread. */
int rule_ssize_parse(const char *text, struct rule_ssize *z, char *err, size_t errlen);
/* Whether packet p of flow f (NULL: none) passes z; worker threads, pure. */
bool rule_ssize_match(const struct rule_ssize *z, const struct flow *f, const struct ids_packet *p);

/* ------------------------------------------------------------- flowint */

/* Parse one flowint option string ("name, +, 1"); 0, or -1 with err. */
/* Option text helpers of xbits and flowint: the next comma-separated item
 * of *s, blanks trimmed, as [*w, *w + *n) (false at the end); FNV-1a of a
 * name. */
bool rule_text_item(const char **s, const char **w, size_t *n);
uint64_t rule_name_hash(const char *s, size_t n);

int rule_fi_parse(const char *text, struct rule_fi_op *op, char *err, size_t errlen);
/* A comparison, isset or notset of op on flow f (NULL: no flow). */
bool rule_fi_check(const struct rule_fi_op *op, const struct flow *f);
/* =, + or - of op on flow f (its detect state is made on demand). */
void rule_fi_apply(const struct rule_fi_op *op, struct flow *f);
void rule_flowint_free(struct rule_flowint_state *st);

/* --------------------------------------------------------------- xbits */

/* Parse one xbits option string ("set,a,track ip_src,expire 10",
 * "noalert"). Returns 0, 1 for "noalert", or -1 with err. */
int rule_xb_parse(const char *text, struct rule_xb_op *op, char *err, size_t errlen);
/* isset / isnotset of op for p against table t (NULL: no bit set yet). */
bool rule_xb_check(const struct rule_xb_op *op, struct rule_xbits *t, const struct ids_packet *p);
/* set / unset / toggle of op for p; *t is allocated at the first set
 * (owned by the caller, freed with rule_xbits_free); a set that finds no
 * room adds one to *full. */
void rule_xb_apply(const struct rule_xb_op *op, struct rule_xbits **t, const struct ids_packet *p,
		   uint64_t *full);
void rule_xbits_free(struct rule_xbits *t);

/* ----------------------------------------------------------- flowbits */

/* Parse one flowbits option string ("set,a", "isset,a|b", "noalert").
 * Interns names (main thread). Returns 0, 1 for "noalert", or -1 with err. */
int rule_fb_parse(const char *text, struct rule_fb_op *op, char *err, size_t errlen);
/* Number of distinct flowbit names so far. */
uint32_t rule_fb_names(void);
void rule_fb_names_free(void);

/* ------------------------------------------------------ the packet path */

/* Per-worker counters of what rule_alert_filter() kept from being written. */
struct rule_alert_counters {
	uint64_t thresholded; /* threshold / detection_filter said no */
	uint64_t suppressed;  /* a suppress entry matched */
	uint64_t passed;      /* a pass rule matched the packet or the flow */
	uint64_t noalert;     /* noalert rules that matched */
	uint64_t xbits_full;  /* xbits sets dropped: their table bucket was full */
};

/* Per-worker state of the alert filter: which packet a pass rule
 * matched, and the counters. Zero it at start. */
struct rule_alert_ctx {
	const struct ids_packet *passed_pkt;
	uint64_t passed_cnt;
	int64_t passed_ts;
	uint8_t passed_dir;
	struct rule_alert_counters n;
	struct rule_xbits *xbits; /* owned: the worker's xbits, NULL until a set */
};

/* Free what the context owns (its xbits); the worker's thread or after
 * it ended. */
void rule_alert_ctx_free(struct rule_alert_ctx *ctx);

/* Bind the worker's alert context for this thread (the xbits that
 * conditions read), NULL: none. Worker thread. */
void rule_keys_bind_ctx(struct rule_alert_ctx *ctx);

/* Bind the current flow for this thread: `cur` points to the worker's
 * "flow being processed" variable (NULL: none). Worker thread. */
void rule_keys_bind_flow(struct flow *const *cur);

/* The conditions of r->keys for p (and the bound flow). Any thread, no
 * allocation. */
bool rule_keys_match(const struct rule *r, const struct ids_packet *p);

/*
 * A rule matched completely and its alert is about to be written: run its
 * actions (flowbits, pass) and tell whether the alert is written (noalert,
 * pass, suppress, threshold, detection_filter). `rule` may be a plugin's
 * own rule (priv NULL): then only the pass state applies. `f` may be NULL.
 * Worker thread.
 */
bool rule_alert_filter(struct rule_alert_ctx *ctx, struct flow *f, const struct ids_packet *p,
		       const struct ids_rule *rule);

/* The flow ends: free its detect state. */
void rule_flow_state_free(struct flow *f);

/* --------------------------------------------------------- thresholds */

/* Decide a threshold/detection_filter for one match at p->ts_usec: true
 * when the alert may be written. Any worker thread. */
bool rule_thr_check(const struct rule *r, const struct rule_thr *t, const struct ids_packet *p);
/* Allocate the shared table (main thread, when the first rule with a
 * threshold or detection_filter loads). 0 or -1. */
int rule_thr_table_init(void);
/* Forget every threshold entry (tests, reloads). Main thread, no worker
 * running rules. */
void rule_thr_reset(void);
/* threshold type backoff (track by_flow) for one match on flow `f`: true
 * when the alert may be written (always without a flow). Worker thread of
 * the flow; allocates the flow's backoff counters on first use. */
bool rule_backoff_check(const struct rule *r, const struct rule_thr *t, struct flow *f);

/* Entries replaced because their bucket was full (a stats figure). */
uint64_t rule_thr_evictions(void);

#endif
