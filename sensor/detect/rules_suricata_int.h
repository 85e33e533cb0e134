/*
 * rules_suricata_int.h - inside the Suricata rule parser: the state of one
 * rule shared by rules_suricata.c (text, header, assembly, files) and
 * rules_suricata_kw.c (the option keywords). Main thread only.
 */
#ifndef SENSOR_RULES_SURICATA_INT_H
#define SENSOR_RULES_SURICATA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/yaml_tree.h"

struct diag;
struct suri_conf;
struct suri_result;

#define SURI_MAX_PATTERNS 256

/* One logical rule: its text and where each byte came from. */
struct sline {
	char *text;
	int *line, *col;
	size_t len, cap;
};

/* One file being parsed. */
struct sfile {
	const char *name;
	const struct suri_conf *conf; /* never NULL */
	struct diag *d;
	struct ynode *root, *rules;
	struct suri_result *res;
	size_t notes_cap;
	/* SURI_MAX_PATTERNS pattern slots lent to each rule in turn (a rule
	 * used to hold them itself, and zeroing 10 KB per rule was 8 % of an
	 * ET Open start-up) */
	struct spat *pats;
};

/* One option of a rule: copies of its name and value. */
struct sopt {
	char *name, *val;
	size_t name_off, val_off; /* offsets in the logical rule */
	bool has_val;
};

/* A pattern being built and the buffer it looks at. */
struct spat {
	struct ynode *map;
	const char *buffer; /* static string, NULL: payload */
	bool is_content, is_pcre;
	bool dotprefix; /* content under Suricata's dotprefix transform */
	uint8_t *raw;	/* dotprefix: the content's bytes */
	size_t raw_len;
};

/* One rule being parsed. */
struct srule {
	struct sfile *f;
	const struct sline *ln;
	struct ynode *head;  /* id, gid, rev, msg, action, proto, addresses */
	struct ynode *extra; /* the other rule-level keys, in keyword order */
	/* SURI_MAX_PATTERNS slots (the file's, sfile.pats, or NULL for a rule
	 * that takes no patterns); [0, n_pats) in use, each zeroed when taken */
	struct spat *pats;
	size_t n_pats;
	int last_content;      /* index of the last content, -1 */
	bool prev_is_content;  /* the option before was content or its modifier */
	const char *sticky;    /* current sticky buffer, NULL: payload */
	bool dotprefix;	       /* `dotprefix` applies to the sticky buffer */
	bool snort3;	       /* underscore buffer names are sticky */
	const char *app_proto; /* from the header or app-layer-protocol */
	int app_line, app_col;
	bool tcp;	       /* proto tcp (for scope) */
	bool auto_scope;       /* an app protocol on TCP and UDP: scope auto */
	const char *packet_kw; /* dsize or asn1: Suricata inspects packets only */
	uint32_t sid, gid;
	bool has_sid;  /* sid known (for messages) */
	bool sid_seen; /* the sid option was handled */
	bool skip;     /* `requires:` not met */
	char note[400];
	char failkw[40];
};

/* rules_suricata.c: nodes positioned at byte `off` of the rule's text
 * (quoted strings, plain scalars, collections); NULL when out of memory. */
void suri_pos_at(const struct srule *r, size_t off, int *line, int *col);
struct ynode *suri_str(struct srule *r, size_t off, const char *s, size_t len);
struct ynode *suri_plain(struct srule *r, size_t off, const char *s);
struct ynode *suri_coll(struct srule *r, size_t off, enum ynode_type t);
/* An integer stays a plain scalar, anything else a string. */
struct ynode *suri_num_or_str(struct srule *r, size_t off, const char *v);
/* Refuse the rule at `off` for keyword `kw` (reported once per rule);
 * returns -1. */
__attribute__((format(printf, 4, 5))) int suri_refuse(struct srule *r, size_t off, const char *kw,
						      const char *fmt, ...);
/* Add to the note on what the rule's conversion changed. */
__attribute__((format(printf, 2, 3))) void suri_note(struct srule *r, const char *fmt, ...);
/* A rule-level key (refused when given twice; frees v on failure). */
int suri_extra_add(struct srule *r, size_t off, const char *key, struct ynode *v);
/* The list under `key`, created on first use. */
struct ynode *suri_extra_list(struct srule *r, size_t off, const char *key);

/* rules_suricata_kw.c */
int suri_run_option(struct srule *r, const struct sopt *o);
/* Snort 3 reading: `service:`, or a buffer keyword before any content. */
bool suri_is_snort3(const struct sopt *o, size_t n);
/* Printable ASCII as `content`, else `hex` pairs; *kind names which. */
struct ynode *suri_content_node(struct srule *r, size_t off, const uint8_t *b, size_t n,
				const char **kind);
/* An option of pattern p (refused when given twice). */
int suri_pat_opt(struct srule *r, struct spat *p, size_t off, const char *key, struct ynode *v);
int suri_set_app_proto(struct srule *r, size_t off, const char *name);
int suri_parse_u32(const char *s, uint64_t max, uint64_t *out);
/* The protocol of a buffer ("http" of "http.uri"). */
void suri_buf_proto(const char *buf, char *out, size_t size);
char *suri_trim(char *s);

#endif
