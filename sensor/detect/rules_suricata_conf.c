/*
 * rules_suricata_conf.c - the files an operator keeps beside Suricata rule
 * files: reference.config, threshold.config and suricata-update style
 * enable.conf/disable.conf lists (see rules_suricata.h and
 * docs/suricata-rules.md).
 *
 * Design: each file is read once per rule load (startup and every USR2
 * reload) into a struct suri_conf; the .rules parser consults it while it
 * builds trees: enable lists bring commented-out rules back, disable lists
 * drop rules before they are parsed, thresholds and suppressions become the
 * v2 `threshold:` and `suppress:` keys of the rules they name, and
 * reference types are checked against reference.config. Every problem in
 * these files is reported with file:line and the line is ignored; the rest
 * of the file applies. Main thread only.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rules_suricata.h"
#include "detect/rules_suricata_conf.h"

/* ------------------------------------------------------------- reading */

/* Call fn for each line of `path` (without its newline, comments and
 * blank lines skipped). Returns -1 when the file cannot be read. */
static int each_line(const char *path, struct diag *d, void *arg,
		     void (*fn)(void *arg, const char *path, int line, char *text, struct diag *d))
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	int line = 0;

	if (!f) {
		diag_error(d, path, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *s = buf, *e;

		line++;
		s += strspn(s, " \t");
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		fn(arg, path, line, s, d);
	}
	fclose(f);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* ------------------------------------------------------ reference.config */

/* "config reference: url https://" */
static void ref_line(void *arg, const char *path, int line, char *text, struct diag *d)
{
	struct suri_conf *c = arg;
	char name[64], url[1024];
	char **nt;

	if (sscanf(text, "config reference: %63s %1023s", name, url) != 2) {
		diag_error(d, path, line, 0,
			   "expected 'config reference: NAME URL-PREFIX' (line ignored)");
		return;
	}
	nt = realloc(c->ref_types, (c->n_refs + 1) * sizeof(*nt));
	if (!nt)
		return;
	c->ref_types = nt;
	nt[c->n_refs] = strdup(name);
	if (nt[c->n_refs])
		c->n_refs++;
}

bool suri_conf_ref_known(const struct suri_conf *c, const char *type, size_t len)
{
	if (!c || !c->have_refs)
		return true;
	for (size_t i = 0; i < c->n_refs; i++)
		if (strlen(c->ref_types[i]) == len && strncasecmp(c->ref_types[i], type, len) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------ threshold.config */

static int th_number(char *v, uint32_t *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > UINT32_MAX)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static bool one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return true;
	return false;
}

/* One "key value" of a threshold.config line into `t`. */
static int th_field(struct suri_thresh *t, char *k, char *v)
{
	static const char *const types[] = {"limit", "threshold", "both", NULL};
	static const char *const tracks[] = {"by_src",	"by_dst",    "by_both",
					     "by_rule", "by_either", NULL};

	if (strcmp(k, "gen_id") == 0)
		return th_number(v, &t->gid);
	if (strcmp(k, "sig_id") == 0)
		return th_number(v, &t->sid);
	if (strcmp(k, "count") == 0)
		return th_number(v, &t->count);
	if (strcmp(k, "seconds") == 0)
		return th_number(v, &t->seconds);
	if (strcmp(k, "type") == 0 && one_of(v, types))
		return snprintf(t->type, sizeof(t->type), "%s", v) > 0 ? 0 : -1;
	if (strcmp(k, "track") == 0 && one_of(v, tracks))
		return snprintf(t->track, sizeof(t->track), "%s", v) > 0 ? 0 : -1;
	if (strcmp(k, "ip") == 0 && t->kind == SURI_TH_SUPPRESS) {
		t->ip = strdup(v);
		return t->ip ? 0 : -1;
	}
	if (t->kind == SURI_TH_RATE && (strcmp(k, "new_action") == 0 || strcmp(k, "timeout") == 0))
		return 0;
	return -1;
}

static int th_kind(const char *word)
{
	if (strcmp(word, "threshold") == 0 || strcmp(word, "event_filter") == 0)
		return SURI_TH_THRESHOLD;
	if (strcmp(word, "suppress") == 0)
		return SURI_TH_SUPPRESS;
	if (strcmp(word, "rate_filter") == 0)
		return SURI_TH_RATE;
	return -1;
}

/* "threshold gen_id 1, sig_id 2, type limit, track by_src, count 1, seconds 60" */
static void th_line(void *arg, const char *path, int line, char *text, struct diag *d)
{
	struct suri_conf *c = arg;
	struct suri_thresh t = {.line = line}, *nt;
	char *save = NULL, *rest = text + strcspn(text, " \t");
	int kind;

	if (*rest)
		*rest++ = '\0';
	kind = th_kind(text);
	if (kind < 0) {
		diag_error(d, path, line, 0,
			   "'%s' is not threshold, event_filter, suppress or rate_filter (line "
			   "ignored)",
			   text);
		return;
	}
	t.kind = kind;
	for (char *it = strtok_r(rest, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		char *k = trim(it), *v = k + strcspn(k, " \t");

		if (*v)
			*v++ = '\0';
		v = trim(v);
		if (th_field(&t, k, v) < 0) {
			diag_error(d, path, line, 0, "bad option '%s %s' (line ignored)", k, v);
			free(t.ip);
			return;
		}
	}
	if (kind == SURI_TH_RATE) {
		diag_warn(d, path, line, 0,
			  "rate_filter only changes the action of rules, which a passive sensor "
			  "does not apply: ignored");
		return;
	}
	if (kind == SURI_TH_THRESHOLD && (!t.type[0] || !t.track[0] || !t.count || !t.seconds)) {
		diag_error(d, path, line, 0,
			   "threshold needs type, track, count and seconds (line ignored)");
		return;
	}
	if (kind == SURI_TH_SUPPRESS && t.ip && !t.track[0]) {
		diag_error(d, path, line, 0, "suppress with ip needs track (line ignored)");
		free(t.ip);
		return;
	}
	nt = realloc(c->th, (c->n_th + 1) * sizeof(*nt));
	if (!nt) {
		free(t.ip);
		return;
	}
	c->th = nt;
	nt[c->n_th++] = t;
}

/* -------------------------------------------------- enable/disable lists */

/* "2000001", "1:2000001" or "re:REGEX" (matched without case against the
 * rule's text). Other suricata-update forms (group:, filename) are
 * reported. */
static void filter_line(void *arg, const char *path, int line, char *text, struct diag *d)
{
	struct suri_filters *fl = arg;
	struct suri_filter f = {.gid = 1}, *nf;
	char *colon = strchr(text, ':');

	if (strncmp(text, "re:", 3) == 0) {
		int code;
		PCRE2_SIZE off;

		f.re = pcre2_compile((PCRE2_SPTR)trim(text + 3), PCRE2_ZERO_TERMINATED,
				     PCRE2_CASELESS, &code, &off, NULL);
		if (!f.re) {
			diag_error(d, path, line, (int)off + 4, "bad regex (line ignored)");
			return;
		}
	} else if (colon && th_number(trim(colon + 1), &f.sid) == 0) {
		*colon = '\0';
		if (th_number(trim(text), &f.gid) < 0) {
			diag_error(d, path, line, 0, "expected SID, GID:SID or re:REGEX");
			return;
		}
	} else if (th_number(text, &f.sid) < 0) {
		diag_error(d, path, line, 0,
			   "expected SID, GID:SID or re:REGEX (group: and file names are not "
			   "supported; line ignored)");
		return;
	}
	nf = realloc(fl->f, (fl->n + 1) * sizeof(*nf));
	if (!nf) {
		pcre2_code_free(f.re);
		return;
	}
	fl->f = nf;
	nf[fl->n++] = f;
}

bool suri_filter_match(const struct suri_filters *fl, uint32_t gid, uint32_t sid, const char *text,
		       size_t len)
{
	for (size_t i = 0; fl && i < fl->n; i++) {
		const struct suri_filter *f = &fl->f[i];

		if (!f->re) {
			if (f->sid == sid && f->gid == gid)
				return true;
			continue;
		}
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(f->re, NULL);
		int rc = md ? pcre2_match(f->re, (PCRE2_SPTR)text, len, 0, 0, md, NULL) : -1;

		pcre2_match_data_free(md);
		if (rc >= 0)
			return true;
	}
	return false;
}

/* ----------------------------------------------------------- lifecycle */

struct suri_conf *suri_conf_load(const struct suri_files *files, struct diag *d)
{
	struct suri_conf *c = calloc(1, sizeof(*c));

	if (!c) {
		diag_error(d, NULL, 0, 0, "out of memory");
		return NULL;
	}
	if (!files)
		return c;
	c->vars = files->vars;
	if (files->reference_file)
		c->have_refs = each_line(files->reference_file, d, c, ref_line) == 0;
	if (files->threshold_file)
		each_line(files->threshold_file, d, c, th_line);
	if (files->enable_file)
		each_line(files->enable_file, d, &c->enable, filter_line);
	if (files->disable_file)
		each_line(files->disable_file, d, &c->disable, filter_line);
	return c;
}

static void filters_free(struct suri_filters *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		pcre2_code_free(fl->f[i].re);
	free(fl->f);
}

void suri_conf_free(struct suri_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_refs; i++)
		free(c->ref_types[i]);
	free(c->ref_types);
	for (size_t i = 0; i < c->n_th; i++)
		free(c->th[i].ip);
	free(c->th);
	filters_free(&c->enable);
	filters_free(&c->disable);
	free(c);
}
