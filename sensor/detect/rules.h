/*
 * rules.h - YAML rule files (schema v1) and the rules they hold.
 *
 * A rule file is a mapping with optional `vars:` (named address or port
 * lists, referenced as $NAME, visible to that file) and `rules:` (a list).
 * Each rule is checked completely when loaded; every problem is reported
 * with file:line:column through struct diag and loading goes on, so one run
 * lists them all. Regexes are checked here with PCRE2 so a bad one is
 * reported at its exact column; Hyperscan compilation happens later in the
 * matcher.
 *
 * Rule fields (see docs/rules.md):
 *   id (required, 1..2^32-1, unique across all files), rev (1), msg
 *   (required), category (""), severity (1..4, 3), metadata (map of scalar
 *   or list of scalars), detector (plugin name; default given by the
 *   caller), proto (tcp|udp|icmp|ip, default ip), src, dst (any | address
 *   | CIDR | list | !negation | $VAR), src_port, dst_port (any | N | "N:M"
 *   | list | !negation | $VAR), direction (to_server|to_client|any),
 *   bidirectional (bool: the header matches either way, Suricata's `<>`),
 *   patterns (list of {content|hex|regex|pcre|isdataat|byte_test|byte_jump|
 *   byte_extract|byte_math|bsize} with the v2 options buffer, nocase,
 *   offset, depth, distance, within, startswith, endswith, not, relative,
 *   fast_pattern, rawbytes; byte keywords parsed by rules_byteop.c), pcre
 *   ('/expr/flags' or plain expr), scope (packet|stream), stream_alerts
 *   (once|every), buffer (a buffer a plugin declares: "http.uri"; checked
 *   against the loaded plugins by plugins_assign_rules).
 *
 * Patterns whose `buffer:` keys name several buffers make a multi-buffer
 * rule of one transaction: rule->buffers lists them, the prefilter
 * content's first, and rule->buffer is that one (matched by
 * detect/matcher_tx.c; the payload cannot be one of them).
 *
 * Rule language v2's rule-level keys (gid, action, classtype, priority,
 * reference, noalert, app_proto, flow, flowbits, threshold,
 * detection_filter, suppress, header keywords) are parsed by rule_keys.c
 * into rule->keys; see rule_keys.h.
 *
 * Main thread only. A ruleset owns its rules; rules live until
 * ruleset_free().
 */
#ifndef SENSOR_RULES_H
#define SENSOR_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "detect/rule_regex.h"
#include "ids/plugin.h"

struct diag;

enum rule_proto { RULE_PROTO_IP = 0, RULE_PROTO_TCP, RULE_PROTO_UDP, RULE_PROTO_ICMP };
enum rule_direction { RULE_DIR_ANY = 0, RULE_DIR_TO_SERVER, RULE_DIR_TO_CLIENT };
enum pattern_kind {
	PAT_CONTENT = 1,
	PAT_REGEX,
	/* v2 (checked by the rule's program, matcher_verify.c) */
	PAT_ISDATAAT,
	PAT_BYTE_TEST,
	PAT_BYTE_JUMP,
	PAT_BYTE_EXTRACT,
	PAT_BYTE_MATH,
	PAT_BSIZE,
	/* base64_decode (op: value = bytes, offset, relative): the patterns
	 * after it look at the decoded bytes (Suricata's base64_data) */
	PAT_BASE64,
	/* asn1 (op: asn1 checks, value = oversize_length, offset, relative):
	 * BER objects from a position checked for overflows */
	PAT_ASN1,
	/* ftpbounce (value "true"): the PORT arguments at the cursor name an
	 * IPv4 address other than the flow's client */
	PAT_FTPBOUNCE,
};
/* What a rule's patterns look at: each packet's payload, or the
 * reassembled byte stream of a TCP flow direction (`scope:`). */
enum rule_scope { RULE_SCOPE_PACKET = 0, RULE_SCOPE_STREAM };

#define RULE_MAX_PATTERNS 64
/* byte_extract/byte_math variables one rule may define */
#define RULE_MAX_VARS 8
/* A *_var field holds 1 + the index of the variable standing for a
 * number; PAT_NO_VAR (0) means the literal value is used. */
#define PAT_NO_VAR 0

/* Comparison of byte_test and bsize. */
enum byte_cmp { BCMP_LT = 0, BCMP_GT, BCMP_EQ, BCMP_LE, BCMP_GE, BCMP_AND, BCMP_XOR, BCMP_RANGE };
/* byte_math operator. */
enum byte_oper { OPER_ADD = 0, OPER_SUB, OPER_MUL, OPER_DIV, OPER_SHL, OPER_SHR };

/*
 * The parsed option text of isdataat, byte_test, byte_jump, byte_extract,
 * byte_math and bsize (Suricata's syntax and meaning, see docs/rules.md).
 * Numbers that may name a variable keep it in *_var (see PAT_NO_VAR).
 */
struct rule_byteop {
	uint8_t nbytes; /* bytes read: 1..8 (string: 1..23) */
	uint8_t base;	/* 0: binary; 8, 10, 16: `string` */
	bool little;	/* little endian (binary only) */
	bool relative;	/* from the end of the previous match */
	int64_t offset; /* where to read / isdataat position */
	uint8_t offset_var;
	enum byte_cmp cmp; /* byte_test, bsize */
	bool negate_cmp;   /* byte_test "!op" */
	uint64_t value;	   /* byte_test value, byte_math rvalue, bsize low bound */
	uint8_t value_var;
	uint64_t value2;	       /* bsize "N<>M" upper bound */
	uint64_t bitmask;	       /* 0: none */
	uint32_t multiplier;	       /* byte_jump / byte_extract (1 when absent) */
	uint32_t align;		       /* byte_jump `align` (4) / byte_extract `align N`; 0: none */
	bool from_beginning, from_end; /* byte_jump */
	int64_t post_offset;	       /* byte_jump */
	enum byte_oper oper;	       /* byte_math */
	uint8_t result_var;	       /* byte_extract / byte_math: index of the variable set */
	uint8_t asn1;		       /* asn1: RULE_ASN1_* checks (value: oversize_length) */
};

/* asn1's checks (PAT_ASN1). */
#define RULE_ASN1_BITSTRING 0x01 /* bitstring_overflow */
#define RULE_ASN1_DOUBLE    0x02 /* double_overflow */
#define RULE_ASN1_OVERSIZE  0x04 /* oversize_length N (op->value) */

struct rule_pattern {
	enum pattern_kind kind;
	uint8_t *bytes; /* content: exact bytes; regex: the expression, NUL-terminated */
	size_t len;
	bool nocase;
	bool has_offset, has_depth;
	uint32_t offset, depth;
	int line, col; /* of the content/regex scalar's first character */
	/* ---- rule language v2 (patterns); all zero in a v1 pattern ---- */
	bool v2;	 /* needs the exact program (matcher_verify.c) */
	bool negated;	 /* `not: true`: the rule matches when this does not */
	bool relative;	 /* regex `relative` / pcre R: from the previous match's end */
	bool startswith; /* content: at offset 0 (depth = its length) */
	bool endswith;	 /* content: ends at the end of the buffer */
	bool has_distance, has_within;
	int32_t distance; /* from the previous match's end (may be negative) */
	uint32_t within;  /* the match ends at most this far from that end */
	/* variables (byte_extract/byte_math) standing for offset, depth,
	 * distance, within (see PAT_NO_VAR) */
	uint8_t offset_var, depth_var, distance_var, within_var;
	uint8_t fast_pattern; /* 0 no, 1 yes, 2 "only" */
	bool fp_slice;	      /* fast_pattern "OFFSET,LENGTH" */
	uint32_t fp_offset, fp_len;
	uint32_t pcre_opts;	/* regex: PCRE2 options (pcre flags, nocase) */
	struct rule_byteop *op; /* isdataat, byte_*, bsize; owned */
	char *buffer;		/* `buffer:` of this pattern, or NULL (the rule's) */
	/* regex: the expression compiled at load with pcre_opts (one
	 * reference, shared with the ruleset's table; rule_regex.h), or NULL
	 * (then a matcher compiles its own); copies of the pattern borrow it */
	struct rule_regex *re;
};

struct rule {
	struct ids_rule pub; /* pub.priv points back to this struct */
	enum rule_proto proto;
	enum rule_direction direction;
	/* `bidirectional: true` (Suricata's `<>`): the header also matches
	 * with src/src_port and dst/dst_port swapped */
	bool bidirectional;
	struct addr_set src, dst;
	struct port_set sport, dport;
	struct rule_pattern *patterns;
	size_t n_patterns;
	char *pcre;	       /* expression without delimiters, or NULL */
	uint32_t pcre_options; /* PCRE2_* compile options from the flags */
	int pcre_line, pcre_col;
	/* `scope:`; default stream for proto tcp, packet otherwise (UDP and
	 * ICMP are always packet; proto ip rules with scope stream apply to
	 * TCP only) */
	enum rule_scope scope;
	/* `stream_alerts: every`: a stream rule may alert again in each later
	 * chunk it matches in; default (once) it alerts once per flow
	 * direction */
	bool stream_every;
	/* `detector:` was written in the rule (not a default) */
	bool detector_explicit;
	/* storage for pub strings; buffer is NULL without `buffer:` */
	char *msg, *category, *metadata_json, *detector, *file, *buffer;
	/* rule language v2, rule-level keys (rule_keys.h); NULL when the rule
	 * uses none */
	struct rule_keys *keys;
	/* ---- rule language v2 (patterns) ---- */
	/* some pattern needs the exact program (matcher_verify.c): v2 keys, or
	 * a content too long for a Hyperscan expression */
	bool v2;
	uint8_t n_vars; /* byte_extract/byte_math variables defined */
	/* `stream_offsets: chunk`: in a stream, absolute positions (offset,
	 * depth, startswith, endswith, absolute isdataat and byte reads)
	 * count from the first byte of each chunk of newly reassembled data,
	 * as Suricata's raw stream inspection has it, not from the stream's
	 * first byte; the rule is then verified by its program */
	bool stream_chunk;
	/* `anomaly:` the anomaly event the rule fires on (rule_event.h), or
	 * NULL; such a rule has no patterns and goes to no plugin, unless the
	 * event is a plugin's app-layer event: then patterns are allowed, the
	 * rule goes to its plugin and alerts only on a transaction that raised
	 * the event (rule_event_gate) */
	char *anomaly;
	/* ---- multi-buffer rules (matcher_tx.c) ---- */
	/* the distinct buffers of a rule whose patterns name several, the
	 * prefilter's first (r->buffer is that one); NULL / 0 otherwise.
	 * Points into the patterns' `buffer` strings (each pattern of such a
	 * rule has its own). */
	const char **buffers;
	size_t n_buffers;
	/* `pcre:` compiled at load with pcre_options (one reference), or NULL */
	struct rule_regex *pcre_re;
	/* `scope: auto` on a proto ip payload rule (Suricata's `alert dns`):
	 * TCP data is matched on the reassembled stream, other packets one
	 * by one. The rule is a packet rule whose header never accepts a TCP
	 * packet from the wire (rule_header_match), and goes to its plugin a
	 * second time as `stream_twin` (pub with scope stream, same priv). */
	bool tcp_stream;
	struct ids_rule stream_twin;
	/* a plugin's app-layer event in `anomaly`: its id in the plugin set
	 * (core/plugin_loader.c, 1 + ...), set when the rules are handed out;
	 * 0 for the host's own events */
	uint32_t anomaly_ev;
};

/* Rule id -> rule, open addressing (rules.c). */
struct idmap {
	uint32_t *ids;
	const struct rule **rules;
	size_t cap; /* power of two, at least twice the count */
	size_t n;
};

struct ruleset {
	struct rule **rules;
	size_t n;
	size_t n_failed; /* rules reported and left out by the loads so far */
	/* the ids of rules[0..n), kept from one load to the next (a load of
	 * many files does not rebuild it per file); rebuilt when it does not
	 * count n rules */
	struct idmap ids;
	/* rules[0..ranked) are in rule_keys_order's order, rank r ending at
	 * rank_end[r]: the next load places its rules without ranking these
	 * again */
	size_t ranked, rank_end[4];
	/* every regex of the rules loaded, each compiled once (rule_regex.h) */
	struct rule_regex_table regexes;
};

void ruleset_init(struct ruleset *rs);
/*
 * Load every rule of `path` into `rs`; rules without `detector:` get
 * `default_detector`. Duplicate ids (against rules already in rs) are
 * errors naming both places. Returns the number of errors reported.
 */
unsigned ruleset_load_file(struct ruleset *rs, const char *path, const char *default_detector,
			   struct diag *d);
/* Same from a buffer; `name` is used in messages. */
unsigned ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			     const char *default_detector, struct diag *d);
void ruleset_free(struct ruleset *rs);

/* The rule behind a public rule, or NULL for plugin-made rules. */
static inline const struct rule *rule_from_pub(const struct ids_rule *r)
{
	return (const struct rule *)r->priv;
}

/* True when the rule's header (proto, addresses, ports, direction) accepts
 * the packet. Any thread, no allocation. */
bool rule_header_match(const struct rule *r, const struct ids_packet *p);

/* The byte_extract/byte_math variables pattern p reads (offset, depth,
 * distance, within, byte keywords' offset and value) and sets, one bit
 * per variable index (rules_pattern.c). */
uint8_t rule_pattern_var_uses(const struct rule_pattern *p);
uint8_t rule_pattern_var_defs(const struct rule_pattern *p);

#endif
