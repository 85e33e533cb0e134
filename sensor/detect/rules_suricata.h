/*
 * rules_suricata.h - Suricata (7.x/8.x) and Snort 2.9/3 text rule files.
 *
 * A `.rules` file is parsed into the same struct ynode tree a rule file in
 * YAML (schema v2) gives: {vars: {...}, rules: [{id: ..., msg: ...}, ...]},
 * each node positioned at the line and column of the .rules text it comes
 * from, so the YAML rule loader (rules.c) loads it and its messages name
 * the .rules file. The converter (tools/sensor-rules) writes the same tree
 * out as YAML. See docs/suricata-rules.md for what maps where.
 *
 * A rule that uses a keyword with no equivalent is reported (file:line,
 * sid, keyword) through diag_error and left out; the rest of the file is
 * kept. Main thread only.
 */
#ifndef SENSOR_RULES_SURICATA_H
#define SENSOR_RULES_SURICATA_H

#include <stdbool.h>
#include <stddef.h>

struct diag;
struct ynode;

/* A keyword and how many rules it kept out. */
struct suri_fail {
	char keyword[40];
	unsigned count;
};

struct suri_result {
	/* {vars, rules}; owned by the caller (ytree_free) unless left here for
	 * suri_result_free. NULL only when the file could not be read or
	 * memory ran out. */
	struct ynode *root;
	unsigned parsed;	 /* rules turned into trees */
	unsigned failed;	 /* rules left out, reported */
	unsigned skipped;	 /* rules left out on purpose (`requires:` unmet, disabled) */
	struct suri_fail *fails; /* by keyword, in order of first failure */
	size_t n_fails;
	/* notes[i]: why rule i of root's `rules:` does not mean exactly what
	 * the .rules text says (NULL when it does); for the converter. */
	char **notes;
};

/* The files an operator keeps beside the rules (config keys `vars:`,
 * `reference-config-file:`, `threshold-file:`, `enable-file:`,
 * `disable-file:`); NULL members are not used. */
struct suri_files {
	const struct ynode *vars; /* address-groups/port-groups, or flat */
	const char *reference_file, *threshold_file, *enable_file, *disable_file;
};

/* Read the side files (each problem reported with file:line; a bad line is
 * ignored). NULL only when out of memory. Free with suri_conf_free. */
struct suri_conf *suri_conf_load(const struct suri_files *files, struct diag *d);
void suri_conf_free(struct suri_conf *c);

/* Parse a buffer; `name` is the file name used in messages and nodes.
 * `conf` (may be NULL: Suricata's default variables, nothing else) gives
 * the variables that override the defaults, and the side files. Returns 0,
 * or -1 when out of memory. */
int suri_parse_buffer(const char *name, const char *buf, size_t len, const struct suri_conf *conf,
		      struct suri_result *out, struct diag *d);
/* Parse a file; -1 (reported) when it cannot be read. */
int suri_parse_file(const char *path, const struct suri_conf *conf, struct suri_result *out,
		    struct diag *d);
void suri_result_free(struct suri_result *res);

/* True when `path` names a Suricata/Snort rule file (ends in ".rules"). */
bool suri_is_rules_file(const char *path);

/* The side files every later .rules load of ruleset_load_file uses (kept
 * by the caller until replaced; NULL: defaults only). */
void suri_set_conf(const struct suri_conf *conf);

/* Parse `path` with the configuration set above, report a summary line (rules
 * parsed, failures by keyword) as a warning when any rule failed, and hand
 * the tree over (NULL when nothing could be read); *failed (may be NULL)
 * gets the number of rules refused. */
struct ynode *suri_load_tree(const char *path, unsigned *failed, struct diag *d);
#endif
