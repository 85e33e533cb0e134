/*
 * test_rule_event.c - anomaly rules (detect/rule_event.c): Suricata's event
 * names mapped to the sensor's, the `anomaly:` key of YAML rules, the
 * per-event table, and Suricata's own decoder-events.rules and
 * stream-events.rules loaded from the Suricata mirror (skipped without it).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "detect/rule_event.h"
#include "detect/rule_keys.h"
#include "detect/rules.h"
#include "detect/rules_suricata.h"
#include "flow/flow.h"

static struct diag d;
static FILE *mem;
static char *membuf;
static size_t memlen;
static struct ruleset rs;

static void setup(void)
{
	mem = open_memstream(&membuf, &memlen);
	diag_init(&d, mem);
	ruleset_init(&rs);
}

static void teardown(void)
{
	ruleset_free(&rs);
	fclose(mem);
	free(membuf);
}

TestSuite(rule_event, .init = setup, .fini = teardown);

static const char *out(void)
{
	fflush(mem);
	return membuf ? membuf : "";
}

static unsigned load(const char *yaml)
{
	return ruleset_load_buffer(&rs, "r.yaml", yaml, strlen(yaml), NULL, &d);
}

Test(rule_event, suricata_names_map_to_ours)
{
	char n[128];

	cr_expect(rule_event_map(RULE_EVENT_DECODE, "ipv4.wrong_ip_version", n, sizeof(n)));
	cr_expect_str_eq(n, "decoder.ipv4.wrong_ip_version");
	cr_expect(rule_event_map(RULE_EVENT_DECODE, "ipv6.frag_pkt_too_large", n, sizeof(n)));
	cr_expect_str_eq(n, "decoder.ipv6.frag_too_large");
	cr_expect(rule_event_map(RULE_EVENT_DECODE, "ipv6.frag_invalid_length", n, sizeof(n)));
	cr_expect_str_eq(n, "decoder.ipv6.frag_bad_length");
	cr_expect(rule_event_map(RULE_EVENT_DECODE, "too_many_layers", n, sizeof(n)));
	cr_expect_str_eq(n, "decoder.too_many_layers");
	cr_expect(rule_event_map(RULE_EVENT_STREAM, "est_packet_out_of_window", n, sizeof(n)));
	cr_expect_str_eq(n, "stream.pkt_out_of_window");
	cr_expect(rule_event_map(RULE_EVENT_STREAM, "reassembly_overlap_different_data", n,
				 sizeof(n)));
	cr_expect_str_eq(n, "stream.reassembly_overlap_different_data");
	cr_expect(rule_event_map(RULE_EVENT_APPLAYER, "applayer_mismatch_protocol_both_directions",
				 n, sizeof(n)));
	cr_expect_str_eq(n, "applayer.mismatch_protocol_both_directions");
}

Test(rule_event, events_not_raised_are_false)
{
	char n[128];

	cr_expect_not(rule_event_map(RULE_EVENT_DECODE, "ipv6.unknown_next_header", n, sizeof(n)));
	cr_expect_str_eq(n, "decoder.ipv6.unknown_next_header");
	cr_expect_not(rule_event_map(RULE_EVENT_STREAM, "3whs_syn_flood", n, sizeof(n)));
	/* a plugin's, perhaps: checked against the loaded plugins later */
	cr_expect(rule_event_map(RULE_EVENT_APPLAYER, "dns.malformed_data", n, sizeof(n)));
	cr_expect_str_eq(n, "dns.malformed_data");
	cr_expect_not(rule_event_raised("dns.malformed_data"));
	cr_expect_not(rule_event_map(RULE_EVENT_APPLAYER, "applayer_no_such_event", n, sizeof(n)));
	cr_expect_not(rule_event_raised("decoder.decoder.too_many_layers"));
	cr_expect(rule_event_raised("decoder.ipv4.frag_overlap"));
	cr_expect(rule_event_raised("decoder.ipv6.frag_timeout"));
	cr_expect(rule_event_raised("stream.reassembly_seq_gap"));
}

Test(rule_event, yaml_anomaly_key_loads)
{
	cr_assert_eq(load("rules:\n"
			  "  - id: 1\n"
			  "    msg: bad version\n"
			  "    anomaly: decoder.ipv4.wrong_ip_version\n"
			  "  - id: 2\n"
			  "    msg: overlap\n"
			  "    proto: tcp\n"
			  "    anomaly: stream.reassembly_overlap_different_data\n"),
		     0, "%s", out());
	cr_assert_eq(rs.n, 2);
	cr_expect_str_eq(rs.rules[0]->anomaly, "decoder.ipv4.wrong_ip_version");
	cr_expect_eq(rs.rules[1]->scope, RULE_SCOPE_PACKET);
	cr_expect_eq(rs.rules[1]->pub.scope, IDS_SCOPE_PACKET);
}

Test(rule_event, yaml_unknown_event_and_patterns_refused)
{
	cr_assert_eq(load("rules:\n"
			  "  - id: 1\n"
			  "    msg: x\n"
			  "    anomaly: decoder.ipv6.unknown_next_header\n"
			  "  - id: 2\n"
			  "    msg: y\n"
			  "    anomaly: decoder.ipv4.trunc_pkt\n"
			  "    patterns:\n"
			  "      - content: a\n"
			  "  - id: 3\n"
			  "    msg: z\n"
			  "    anomaly: [a]\n"),
		     3);
	cr_expect_eq(rs.n, 0);
	cr_expect_eq(rs.n_failed, 3);
	cr_expect_str_eq(out(),
			 "r.yaml:4:14: error: rule 1: anomaly 'decoder.ipv6.unknown_next_header' "
			 "is not raised by this sensor (events: docs/events.md)\n"
			 "r.yaml:7:14: error: rule 2: an anomaly rule on the sensor's own event "
			 "takes no patterns, pcre or buffer (it fires on the event alone; a "
			 "plugin's app-layer event may have them)\n"
			 "r.yaml:12:14: error: rule 3: anomaly must name an anomaly event "
			 "(decoder.ipv4.trunc_pkt)\n");
}

Test(rule_event, table_groups_rules_per_event_in_order)
{
	struct rule_events *t;
	struct rule *const *r;

	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: a, anomaly: stream.reassembly_seq_gap}\n"
			  "  - {id: 2, msg: b, patterns: [{content: x}]}\n"
			  "  - {id: 3, msg: c, anomaly: decoder.ipv4.trunc_pkt}\n"
			  "  - {id: 4, msg: d, anomaly: stream.reassembly_seq_gap}\n"),
		     0, "%s", out());
	t = rule_events_build(&rs);
	cr_assert_not_null(t);
	cr_expect_eq(rule_events_count(t), 3);
	cr_assert_eq(rule_events_find(t, "stream.reassembly_seq_gap", &r), 2);
	cr_expect_eq(r[0]->pub.id, 1);
	cr_expect_eq(r[1]->pub.id, 4);
	cr_assert_eq(rule_events_find(t, "decoder.ipv4.trunc_pkt", &r), 1);
	cr_expect_eq(r[0]->pub.id, 3);
	cr_expect_eq(rule_events_find(t, "decoder.ipv4.frag_overlap", &r), 0);
	cr_expect_eq(rule_events_find(NULL, "decoder.ipv4.trunc_pkt", &r), 0);
	rule_events_free(t);
}

Test(rule_event, no_anomaly_rules_no_table)
{
	cr_assert_eq(load("rules:\n  - {id: 1, msg: b, patterns: [{content: x}]}\n"), 0);
	cr_expect_null(rule_events_build(&rs));
}

/* ------------------------------------------- Suricata's own rule files */

#define SURI_MIRROR "/work/.mirror/OISF+suricata/repo"
/* The mirror commit the counts below were taken at. */
#define SURI_COMMIT "398687d5d4a98c5a641dd77165766fd7732276e7"

/* NAME (a path in the tree) of the mirror at SURI_COMMIT into a .rules file; false (the
 * test skips) when the mirror or the commit is absent. */
static bool mirror_file(const char *name, char *path, size_t pathlen)
{
	char cmd[512];
	int fd;

	if (access(SURI_MIRROR, R_OK) != 0)
		return false;
	snprintf(path, pathlen, "/tmp/test_rule_event_XXXXXX.rules");
	fd = mkstemps(path, 6);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(cmd, sizeof(cmd), "git -C %s show %s:%s > %s 2>/dev/null", SURI_MIRROR,
		 SURI_COMMIT, name, path);
	if (system(cmd) != 0) {
		unlink(path);
		return false;
	}
	return true;
}

/* The mirror's classification.config (the classtypes of its rules). */
static void mirror_classes(void)
{
	char path[64];

	cr_assert(mirror_file("etc/classification.config", path, sizeof(path)));
	cr_assert_eq(rule_class_load(path, &d), 0, "%s", out());
	unlink(path);
}

/* How many rules of `name` failed on keyword `kw`. */
static unsigned fails_on(const struct suri_result *res, const char *kw)
{
	for (size_t i = 0; i < res->n_fails; i++)
		if (strcmp(res->fails[i].keyword, kw) == 0)
			return res->fails[i].count;
	return 0;
}

static void suricata_file(const char *name, unsigned parsed, unsigned failed, const char *kw,
			  unsigned kw_failed, size_t loaded)
{
	char path[64];
	struct suri_result res = {0};

	if (!mirror_file(name, path, sizeof(path)))
		cr_skip_test("Suricata mirror %s (commit %s) is absent: not checked", SURI_MIRROR,
			     SURI_COMMIT);
	mirror_classes();
	cr_assert_eq(suri_parse_file(path, NULL, &res, &d), 0);
	cr_expect_eq(res.parsed, parsed, "%s: parsed %u\n%s", name, res.parsed, out());
	cr_expect_eq(res.failed, failed, "%s: failed %u", name, res.failed);
	cr_expect_eq(fails_on(&res, kw), kw_failed, "%s: %s %u", name, kw, fails_on(&res, kw));
	suri_result_free(&res);
	ruleset_load_file(&rs, path, "signature", &d);
	cr_expect_eq(rs.n, loaded, "%s: loaded %zu\n%s", name, rs.n, out());
	cr_expect_eq(rs.n_failed, failed, "%s: n_failed %zu", name, rs.n_failed);
	unlink(path);
	rule_class_free();
}

Test(rule_event, suricata_decoder_events_rules)
{
	suricata_file("rules/decoder-events.rules", 73, 50, "decode-event", 42, 73);
}

Test(rule_event, suricata_stream_events_rules)
{
	suricata_file("rules/stream-events.rules", 9, 50, "stream-event", 50, 9);
}

/* What can name a plugin's app-layer event. */
Test(rule_event, plugin_event_names)
{
	cr_expect(rule_event_plugin_name("http.invalid_transfer_encoding_value_in_request"));
	cr_expect(rule_event_plugin_name("smb2.x"));
	cr_expect_not(rule_event_plugin_name("http"));
	cr_expect_not(rule_event_plugin_name(".x"));
	cr_expect_not(rule_event_plugin_name("http."));
	cr_expect_not(rule_event_plugin_name("http.a.b"));
	cr_expect_not(rule_event_plugin_name("Http.x"));
	cr_expect_not(rule_event_plugin_name("http.x-y"));
	cr_expect_not(rule_event_plugin_name("decoder.ipv6.unknown_next_header"));
	cr_expect_not(rule_event_plugin_name("stream.no_such"));
	cr_expect_not(rule_event_plugin_name("applayer.mismatch_protocol_both_directions"));
}

/* A plugin's event with patterns loads as a gated rule (its plugin matches
 * it; not in the table); alone, it is in the table. The gate lets the
 * rule's alerts through on the transaction that raised the event only. */
Test(rule_event, plugin_event_rules_gated_by_the_flow)
{
	struct rule_events *t;
	struct rule *const *r;
	struct flow f;

	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: a, anomaly: http.bad_te}\n"
			  "  - {id: 2, msg: b, anomaly: http.bad_te, buffer: http.uri,\n"
			  "     patterns: [{content: x}]}\n"),
		     0, "%s", out());
	cr_assert_eq(rs.n, 2);
	cr_expect_not(rule_event_gated(rs.rules[0]));
	cr_expect(rule_event_gated(rs.rules[1]));
	t = rule_events_build(&rs);
	cr_assert_eq(rule_events_count(t), 1);
	cr_expect_eq(rule_events_find(t, "http.bad_te", &r), 1);
	cr_expect_eq(r[0], rs.rules[0]);
	rule_events_free(t);

	memset(&f, 0, sizeof(f));
	rs.rules[1]->anomaly_ev = 3;
	cr_expect_not(rule_event_gate(&f, &rs.rules[1]->pub, 0));
	rule_event_record(&f, 2, 0); /* another event */
	rule_event_record(&f, 3, 1);
	cr_expect_not(rule_event_gate(&f, &rs.rules[1]->pub, 0));
	cr_expect(rule_event_gate(&f, &rs.rules[1]->pub, 1));
	cr_expect(rule_event_gate(&f, &rs.rules[1]->pub, -1));
	cr_expect(rule_event_gate(NULL, &rs.rules[0]->pub, 5)); /* not gated */
	for (int i = 0; i < RULE_EVENT_KEEP; i++)
		rule_event_record(&f, 2, 7); /* pushes the oldest out */
	cr_expect_not(rule_event_gate(&f, &rs.rules[1]->pub, 1));
	rule_flow_state_free(&f);
}
