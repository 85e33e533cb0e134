/*
 * rules_suricata_conf.h - inside the Suricata rule parser: the operator's
 * side files as rules_suricata_conf.c reads them (reference.config,
 * threshold.config, enable/disable lists). Main thread only.
 */
#ifndef SENSOR_RULES_SURICATA_CONF_H
#define SENSOR_RULES_SURICATA_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ynode;

enum { SURI_TH_THRESHOLD = 0, SURI_TH_SUPPRESS, SURI_TH_RATE };

/* One threshold.config line; sid 0 (or gid 0) names every rule. */
struct suri_thresh {
	int kind;
	uint32_t gid, sid, count, seconds;
	char type[16], track[16];
	char *ip; /* suppress: the addresses, or NULL (every alert) */
	int line;
};

/* One enable/disable entry: gid:sid, or a regex over the rule's text. */
struct suri_filter {
	uint32_t gid, sid;
	void *re; /* pcre2_code, or NULL */
};

struct suri_filters {
	struct suri_filter *f;
	size_t n;
};

struct suri_conf {
	const struct ynode *vars; /* the config's `vars:`, or NULL */
	bool have_refs;		  /* a reference.config was read */
	char **ref_types;
	size_t n_refs;
	struct suri_thresh *th;
	size_t n_th;
	struct suri_filters enable, disable;
};

/* True when the reference type (len bytes) is in reference.config, or
 * when none was configured. */
bool suri_conf_ref_known(const struct suri_conf *c, const char *type, size_t len);
/* True when an entry of `fl` names the rule (gid, sid) or its text. */
bool suri_filter_match(const struct suri_filters *fl, uint32_t gid, uint32_t sid, const char *text,
		       size_t len);

#endif
