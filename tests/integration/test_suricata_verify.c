/*
 * test_suricata_verify.c - every suricata-verify case of the shared corpus
 * run as Suricata runs it: the case's own rule file (test.rules, loaded
 * unmodified with -S) on its own capture, and the alert checks of its
 * test.yaml asserted.
 *
 * For each case folder of CORPUS_DIR/suricata-verify with a test.yaml (at
 * the top, or one level down as in `defrag/bug-6887-...`):
 *   - the capture is test.yaml's `pcap:`, else input.pcap, else the
 *     folder's only *.pcap; the rules test.rules, else the folder's only
 *     *.rules file (named by the case's suricata.yaml);
 *   - the sensor runs with every shipped plugin (signature, http, dns, tls,
 *     ssh) and the shipped classification.config (Suricata runs the cases
 *     with its own), checksum validation off when the case's `args` say
 *     `-k none`, midstream pickup when they set stream.midstream=true;
 *   - each `filter` check whose match is about alerts (event_type: alert)
 *     is evaluated on the fields both sensors write with one meaning:
 *     event_type, alert.signature_id, alert.gid, alert.rev, src_ip,
 *     dest_ip, src_port, dest_port, proto (a field matched against null
 *     must be absent), and pcap_cnt on alerts about one packet (ours
 *     without `pkt_src: stream`: a stream alert names the segment with
 *     the match, Suricata the packet that made it inspect); its `count`
 *     is compared exactly (a filter without count needs at least one
 *     record; a filter whose `requires` excludes Suricata 8.0, the version
 *     whose keywords the sensor reads, is left out). Checks on other
 *     record types, and fields whose documented meaning differs (pkt_src,
 *     payload of stream alerts), are not evaluated here: test_corpus.c
 *     asserts them per case where our output means the same thing.
 *
 * A case's status: `pass` (every rule loaded, every alert check holds),
 * `fail` (every rule loaded, an alert check does not hold), `rules` (a
 * rule did not load: the first reason is kept), `no-rules` (the case has
 * no rule file), `no-checks` (no alert check). The statuses go to
 * BINARY_DIR/suricata-verify-results.txt, one line per case, and
 * docs/corpus.md lists them with the reasons. The test fails when a case
 * that tests/data/suricata-verify-pass.txt lists does not pass (so a
 * regression is caught), and says which cases pass without being listed.
 * Skipped with a message when the corpus is absent.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "itest.h"

#define SV_DIR CORPUS_DIR "/suricata-verify"

static const char sv_conf[] = "plugins:\n  - name: signature\n  - name: http\n  - name: dns\n"
			      "  - name: tls\n  - name: ssh\n";

struct sv_result {
	char name[128];
	char status[16];
	char detail[256];
};

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* The case's capture into out; false when there is none. */
static bool case_pcap(const char *dir, const struct ynode *root, char *out, size_t len)
{
	const struct ynode *p = ymap_get(root, "pcap");
	struct dirent *e;
	DIR *d;
	int found = 0;

	if (p && p->type == YNODE_SCALAR) {
		snprintf(out, len, "%s/%s", dir, p->str);
		return exists(out);
	}
	snprintf(out, len, "%s/input.pcap", dir);
	if (exists(out))
		return true;
	if (!(d = opendir(dir)))
		return false;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".pcap") && !found++)
			snprintf(out, len, "%s/%s", dir, e->d_name);
	closedir(d);
	return found == 1;
}

/* The case's rule file into out: test.rules, else the folder's only
 * *.rules file (the one its suricata.yaml names); false when none. */
static bool case_rules(const char *dir, char *out, size_t len)
{
	struct dirent *e;
	DIR *d;
	int found = 0;

	snprintf(out, len, "%s/test.rules", dir);
	if (exists(out))
		return true;
	if (!(d = opendir(dir)))
		return false;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 6 && strcmp(e->d_name + n - 6, ".rules") == 0 && !found++)
			snprintf(out, len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	return found == 1;
}

/* Whether one of the case's args contains `what`. */
static bool has_arg(const struct ynode *root, const char *what)
{
	const struct ynode *args = ymap_get(root, "args");

	for (size_t i = 0; args && args->type == YNODE_SEQ && i < args->n; i++)
		if (args->items[i]->type == YNODE_SCALAR && strstr(args->items[i]->str, what))
			return true;
	return false;
}

/* The stream settings the case's args ask for: checksum validation off
 * (-k none), midstream pickup (--set stream.midstream=true). */
static void stream_conf(const struct ynode *root, char *out, size_t len)
{
	bool csum_off = has_arg(root, "-k none");
	bool midstream = has_arg(root, "stream.midstream=true");

	if (!csum_off && !midstream) {
		*out = '\0';
		return;
	}
	snprintf(out, len, "stream: {%s%s%s}\n", csum_off ? "checksum-validation: false" : "",
		 csum_off && midstream ? ", " : "", midstream ? "midstream: true" : "");
}

static const char *const checked_keys[] = {
	"event_type", "alert.signature_id", "alert.gid", "alert.rev", "src_ip",
	"dest_ip",    "src_port",	    "dest_port", "proto",     NULL};

static bool is_checked(const char *key)
{
	for (unsigned i = 0; checked_keys[i]; i++)
		if (strcmp(key, checked_keys[i]) == 0)
			return true;
	return false;
}

/* Flatten a match map into "key=value" terms of the keys evaluated here;
 * keys matched against null (the field must be absent) go to `nulls`. */
static void flatten(const struct ynode *m, const char *prefix, char *out, size_t len, char *nulls,
		    size_t nlen)
{
	for (size_t i = 0; m && m->type == YNODE_MAP && i < m->n; i++) {
		char key[256];
		size_t at = strlen(out), nat = strlen(nulls);

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", m->keys[i]->str);
		if (m->items[i]->type == YNODE_MAP)
			flatten(m->items[i], key, out, len, nulls, nlen);
		else if (ynode_is_null(m->items[i]) && is_checked(key))
			snprintf(nulls + nat, nlen - nat, "%s%s", nat ? " " : "", key);
		else if (m->items[i]->type == YNODE_SCALAR && is_checked(key) &&
			 !strchr(m->items[i]->str, ' '))
			snprintf(out + at, len - at, "%s%s=%s", at ? " " : "", key,
				 m->items[i]->str);
	}
}

/* Whether rec is at packet `pcap_cnt` (-1: any); a stream alert's
 * pcap_cnt means another packet than Suricata's and is not compared. */
static bool at_packet(const struct jr_val *rec, int64_t pcap_cnt)
{
	const char *src = jr_str(rec, "pkt_src");

	if (pcap_cnt < 0 || (src && strcmp(src, "stream") == 0))
		return true;
	return jr_int(rec, "pcap_cnt", -1) == pcap_cnt;
}

/* Records matching `filter`, at packet `pcap_cnt` (see at_packet), that
 * have none of the space-separated fields of `nulls`. */
static size_t count_matches(const struct eve_log *eve, const char *filter, int64_t pcap_cnt,
			    const char *nulls)
{
	const struct jr_val *rec;
	size_t n = 0;

	for (size_t i = 0; (rec = eve_find(eve, filter, i)); i++) {
		char keys[512], *save = NULL;
		bool absent = at_packet(rec, pcap_cnt);

		snprintf(keys, sizeof(keys), "%s", nulls);
		for (char *k = strtok_r(keys, " ", &save); k && absent;
		     k = strtok_r(NULL, " ", &save))
			absent = jr_get(rec, k) == NULL;
		n += absent;
	}
	return n;
}

/* Suricata's version the sensor stands for (the rule keywords of 8.0):
 * a check that `requires` another is not evaluated. */
#define SV_VERSION 800 /* major * 100 + minor */

static int version_num(const char *s)
{
	int major = 0, minor = 0;

	sscanf(s, "%d.%d", &major, &minor);
	return major * 100 + minor;
}

/* Whether a filter's `requires` (min-version, lt-version) admits
 * SV_VERSION; a filter without one does. */
static bool filter_applies(const struct ynode *f)
{
	const struct ynode *req = ymap_get(f, "requires");
	const struct ynode *min = ymap_get(req, "min-version");
	const struct ynode *lt = ymap_get(req, "lt-version");

	if (min && min->type == YNODE_SCALAR && SV_VERSION < version_num(min->str))
		return false;
	if (lt && lt->type == YNODE_SCALAR && SV_VERSION >= version_num(lt->str))
		return false;
	return true;
}

/* Evaluate the alert filters; returns the number that did not hold and
 * counts the alert filters in *n. */
static unsigned check_alerts(const struct ynode *root, const struct eve_log *eve, unsigned *n,
			     char *detail, size_t dlen)
{
	const struct ynode *checks = ymap_get(root, "checks");
	unsigned bad = 0;

	*n = 0;
	for (size_t i = 0; checks && checks->type == YNODE_SEQ && i < checks->n; i++) {
		const struct ynode *f = ymap_get(checks->items[i], "filter");
		const struct ynode *cnt = ymap_get(f, "count");
		const struct ynode *at = ymap_get(ymap_get(f, "match"), "pcap_cnt");
		char filter[1024] = "", nulls[512] = "";
		int64_t want = -1, pcap_cnt = -1;
		size_t got;

		flatten(ymap_get(f, "match"), "", filter, sizeof(filter), nulls, sizeof(nulls));
		if (!strstr(filter, "event_type=alert") || !filter_applies(f))
			continue;
		(*n)++;
		if (cnt && cnt->type == YNODE_SCALAR)
			want = strtoll(cnt->str, NULL, 10);
		if (at && at->type == YNODE_SCALAR)
			pcap_cnt = strtoll(at->str, NULL, 10);
		got = count_matches(eve, filter, pcap_cnt, nulls);
		if (want < 0 ? got > 0 : (int64_t)got == want)
			continue;
		if (!bad++)
			snprintf(detail, dlen, "%s: %zu, want %lld", filter, got, (long long)want);
	}
	return bad;
}

/* The first error line of the sensor's output, for the status. */
static void first_error(const char *err, char *out, size_t len)
{
	const char *e = err ? strstr(err, "error") : NULL;
	const char *start = e, *end;

	if (!e) {
		snprintf(out, len, "%s", "exit status not 0");
		return;
	}
	while (start > err && start[-1] != '\n')
		start--;
	end = strchr(e, '\n');
	snprintf(out, len, "%.*s", (int)(end ? end - start : (long)strlen(start)), start);
}

static void run_case(const char *name, struct sv_result *r)
{
	char dir[512], path[1024], conf[1024], stream[128];
	struct itest t;
	struct diag d;
	struct ynode *root;
	unsigned n_alerts, bad;
	int rc;

	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(dir, sizeof(dir), "%s/%s", SV_DIR, name);
	snprintf(path, sizeof(path), "%s/test.yaml", dir);
	diag_init(&d, NULL);
	d.quiet = 1;
	root = ytree_load_file(path, &d);
	if (!root || !case_rules(dir, path, sizeof(path))) {
		snprintf(r->status, sizeof(r->status), "%s", root ? "no-rules" : "bad-yaml");
		ytree_free(root);
		return;
	}
	itest_begin(&t, SENSOR_BIN, "sv");
	/* Suricata runs its cases with its classification.config */
	stream_conf(root, stream, sizeof(stream));
	snprintf(conf, sizeof(conf), "%sclassification-file: %s/rules/classification.config\n%s",
		 sv_conf, SOURCE_DIR, stream);
	itest_config(&t, conf);
	snprintf(t.rules, sizeof(t.rules), "%s", path);
	if (!case_pcap(dir, root, t.pcap, sizeof(t.pcap))) {
		snprintf(r->status, sizeof(r->status), "no-pcap");
		goto out;
	}
	rc = itest_run(&t, NULL);
	if (rc != 0 || (t.res.err && strstr(t.res.err, "error"))) {
		snprintf(r->status, sizeof(r->status), "rules");
		first_error(t.res.err, r->detail, sizeof(r->detail));
		goto out;
	}
	bad = check_alerts(root, &t.eve, &n_alerts, r->detail, sizeof(r->detail));
	snprintf(r->status, sizeof(r->status), "%s",
		 !n_alerts ? "no-checks"
		 : bad	   ? "fail"
			   : "pass");
out:
	itest_end(&t);
	ytree_free(root);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_name(char ***names, size_t *n, const char *name)
{
	char **grown = realloc(*names, (*n + 1) * sizeof(**names));

	cr_assert_not_null(grown);
	*names = grown;
	(*names)[(*n)++] = strdup(name);
}

/* Case folders (with a test.yaml) under SV_DIR/`sub` ("" for the top),
 * named by their path below SV_DIR; folders without one are looked into
 * once (`defrag/bug-6887-...`). */
static void scan_cases(const char *sub, char ***names, size_t *n)
{
	char dir[1024];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s%s%s", SV_DIR, *sub ? "/" : "", sub);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char name[512], path[1600];

		if (e->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s%s%s", sub, *sub ? "/" : "", e->d_name);
		snprintf(path, sizeof(path), "%s/%s/test.yaml", SV_DIR, name);
		if (exists(path))
			add_name(names, n, name);
		else if (!*sub && e->d_type == DT_DIR)
			scan_cases(name, names, n);
	}
	closedir(d);
}

/* The case folders, sorted; *n of them. */
static char **case_names(size_t *n)
{
	char **names = NULL;

	*n = 0;
	scan_cases("", &names, n);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

/* Whether `name` is listed in tests/data/suricata-verify-pass.txt. */
static bool listed_pass(const char *name)
{
	FILE *f = fopen(SOURCE_DIR "/tests/data/suricata-verify-pass.txt", "r");
	char line[256];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\r\n#")] = '\0';
		found = strcmp(line, name) == 0;
	}
	if (f)
		fclose(f);
	return found;
}

Test(suricata_verify, every_case_with_its_own_rules, .timeout = 1800)
{
	size_t n, pass = 0, regress = 0;
	char **names;
	FILE *out;

	if (!exists(SV_DIR))
		cr_skip_test("corpus not found at %s: skipped", CORPUS_DIR);
	names = case_names(&n);
	out = fopen(BINARY_DIR "/suricata-verify-results.txt", "w");
	cr_assert_not_null(out);
	for (size_t i = 0; i < n; i++) {
		struct sv_result r = {0};
		bool want = listed_pass(names[i]);

		run_case(names[i], &r);
		fprintf(out, "%s %s %s\n", r.name, r.status, r.detail);
		pass += strcmp(r.status, "pass") == 0;
		if (want && strcmp(r.status, "pass") != 0) {
			regress++;
			cr_log_error("%s was passing and is now %s: %s", r.name, r.status,
				     r.detail);
		} else if (!want && strcmp(r.status, "pass") == 0) {
			cr_log_info("%s passes: add it to tests/data/suricata-verify-pass.txt",
				    r.name);
		}
		free(names[i]);
	}
	fclose(out);
	free(names);
	cr_log_info("suricata-verify: %zu of %zu cases pass with their own rules (results in %s)",
		    pass, n, BINARY_DIR "/suricata-verify-results.txt");
	cr_expect_eq(regress, 0, "%zu listed cases no longer pass", regress);
}
