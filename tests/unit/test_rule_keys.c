/*
 * test_rule_keys.c - loading the rule-level keys of rule language v2: what
 * each key sets in the rule and the alert fields, the errors at
 * file:line:column, the classification file, the evaluation order.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "detect/rule_keys.h"
#include "detect/rules.h"

static struct diag d;
static struct ruleset rs;
static FILE *mem;
static char *membuf;
static size_t memlen;

static const char classes[] = "# test classes\n"
			      "config classification: trojan-activity,A Network Trojan was "
			      "detected, 1\n"
			      "\n"
			      "config classification: misc-activity,Misc activity,3\n";

static void setup(void)
{
	mem = open_memstream(&membuf, &memlen);
	diag_init(&d, mem);
	ruleset_init(&rs);
	cr_assert_eq(rule_class_load_buffer("c.config", classes, strlen(classes), &d), 0);
}

static void teardown(void)
{
	ruleset_free(&rs);
	rule_class_free();
	rule_thr_reset();
	fclose(mem);
	free(membuf);
}

TestSuite(rule_keys, .init = setup, .fini = teardown);

static const char *out(void)
{
	fflush(mem);
	return membuf ? membuf : "";
}

static unsigned load(const char *text)
{
	return ruleset_load_buffer(&rs, "r.yaml", text, strlen(text), "signature", &d);
}

static const struct rule *find(uint32_t id)
{
	for (size_t i = 0; i < rs.n; i++)
		if (rs.rules[i]->pub.id == id)
			return rs.rules[i];
	return NULL;
}

Test(rule_keys, v1_rules_have_no_keys)
{
	cr_assert_eq(load("rules:\n  - {id: 1, msg: x}\n"), 0, "%s", out());
	cr_assert_null(find(1)->keys);
	cr_assert_eq(find(1)->pub.gid, 1);
}

Test(rule_keys, gid_priority_classtype_set_the_alert_fields)
{
	cr_assert_eq(
		load("rules:\n"
		     "  - {id: 1, msg: x, gid: 3, priority: 2}\n"
		     "  - {id: 2, msg: x, classtype: trojan-activity}\n"
		     "  - {id: 3, msg: x, classtype: misc-activity, priority: 2}\n"
		     "  - {id: 4, msg: x, classtype: misc-activity, severity: 1, category: c}\n"),
		0, "%s", out());
	cr_assert_eq(find(1)->pub.gid, 3);
	cr_assert_eq(find(1)->pub.severity, 2);
	cr_assert_str_eq(find(2)->pub.category, "A Network Trojan was detected");
	cr_assert_eq(find(2)->pub.severity, 1);
	cr_assert_str_eq(find(3)->pub.category, "Misc activity");
	cr_assert_eq(find(3)->pub.severity, 2);
	cr_assert_str_eq(find(4)->pub.category, "c");
	cr_assert_eq(find(4)->pub.severity, 1);
	cr_assert_str_eq(find(2)->keys->classtype, "trojan-activity");
}

Test(rule_keys, unknown_classtype_names_the_fix)
{
	cr_assert_eq(load("rules:\n  - {id: 1, msg: x, classtype: nope}\n"), 1);
	cr_assert_str_eq(out(), "r.yaml:2:32: error: rule 1: classtype 'nope' is not in the "
				"classification file (set classification-file: in sensor.yaml to a "
				"classification.config that defines it)\n");
}

Test(rule_keys, classification_file_errors_name_the_line)
{
	static const char bad[] = "config classification: a,b,1\n"
				  "config classification: x y,b,1\n"
				  "config classification: c,d,0\n"
				  "classification: e,f,1\n";

	cr_assert_eq(rule_class_load_buffer("bad.config", bad, strlen(bad), &d), -1);
	cr_assert_str_eq(out(), "bad.config:2:1: error: bad class name (letters, digits, '-', "
				"'_', '.')\n"
				"bad.config:3:1: error: priority must be an integer 1..255\n"
				"bad.config:4:1: error: expected 'config classification: "
				"NAME,DESCRIPTION,PRIORITY'\n");
	/* the good table stays */
	const char *desc;
	int prio;
	cr_assert(rule_class_find("misc-activity", &desc, &prio));
	cr_assert_not(rule_class_find("a", &desc, &prio));
}

Test(rule_keys, the_shipped_classification_file_loads)
{
	const char *desc;
	int prio;

	cr_assert_eq(rule_class_load(SOURCE_DIR "/rules/classification.config", &d), 0, "%s",
		     out());
	cr_assert(rule_class_find("bad-unknown", &desc, &prio));
	cr_assert_str_eq(desc, "Potentially Bad Traffic");
	cr_assert_eq(prio, 2);
	cr_assert(rule_class_find("command-and-control", &desc, &prio));
	cr_assert_eq(prio, 1);
}

Test(rule_keys, action_reference_noalert)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, action: pass}\n"
			  "  - {id: 2, msg: x, action: drop, noalert: true}\n"
			  "  - id: 3\n"
			  "    msg: x\n"
			  "    reference: [\"url,example.com/x\", \"cve,2021-44228\"]\n"),
		     0, "%s", out());
	cr_assert_eq(find(1)->keys->action, RULE_ACTION_PASS);
	cr_assert(find(1)->keys->flow_pass);
	cr_assert_eq(find(2)->keys->action, RULE_ACTION_DROP);
	cr_assert(find(2)->keys->noalert);
	cr_assert_eq(find(3)->keys->n_refs, 2);
	cr_assert_str_eq(find(3)->keys->refs[1], "cve,2021-44228");
}

Test(rule_keys, bad_values_are_reported_at_their_node)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, action: block}\n"
			  "  - {id: 2, msg: x, reference: [nocomma]}\n"
			  "  - {id: 3, msg: x, priority: 256}\n"
			  "  - {id: 4, msg: x, app_proto: nfs}\n"
			  "  - {id: 5, msg: x, gid: 0}\n"),
		     5);
	cr_assert_str_eq(
		out(),
		"r.yaml:2:29: error: rule 1: action must be one of alert, pass, drop, reject, got "
		"'block'\n"
		"r.yaml:3:33: error: rule 2: reference must be \"type,value\" (e.g. "
		"\"cve,2021-44228\"), got 'nocomma'\n"
		"r.yaml:4:31: error: expected an integer from 1 to 255, got '256'\n"
		"r.yaml:5:32: error: rule 4: app_proto 'nfs' is not a protocol this sensor "
		"recognises (known: http, tls, dns, ssh, smtp, ftp, imap, pop3, smb, rdp; '!' "
		"negates)\n"
		"r.yaml:6:26: error: expected an integer from 1 to 4294967295, got '0'\n");
	cr_assert_eq(rs.n, 0);
}

Test(rule_keys, flow_options)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, flow: [established, to_server]}\n"
			  "  - {id: 2, msg: x, flow: \"from_server,not_established\"}\n"
			  "  - {id: 3, msg: x, proto: tcp, flow: [no_stream]}\n"
			  "  - {id: 4, msg: x, proto: ip, flow: [only_stream]}\n"),
		     0, "%s", out());
	cr_assert_eq(find(1)->keys->flow, RFLOW_ESTABLISHED | RFLOW_TO_SERVER);
	cr_assert_eq(find(2)->keys->flow, RFLOW_TO_CLIENT | RFLOW_NOT_ESTABLISHED);
	cr_assert_eq(find(3)->scope, RULE_SCOPE_PACKET);
	cr_assert_eq(find(4)->scope, RULE_SCOPE_STREAM);
	cr_assert_eq(find(4)->pub.scope, IDS_SCOPE_STREAM);
}

Test(rule_keys, flow_errors)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, flow: [established, not_established]}\n"
			  "  - {id: 2, msg: x, flow: [to_server, from_server]}\n"
			  "  - {id: 3, msg: x, flow: [sideways]}\n"
			  "  - {id: 4, msg: x, proto: udp, flow: [only_stream]}\n"),
		     4);
	cr_assert_str_eq(out(),
			 "r.yaml:2:27: error: rule 1: flow: established and not_established "
			 "exclude each other\n"
			 "r.yaml:3:27: error: rule 2: flow: to_server and to_client exclude each "
			 "other\n"
			 "r.yaml:4:28: error: rule 3: unknown flow option 'sideways' (valid: "
			 "established, not_established, stateless, to_server, to_client, "
			 "from_server, from_client, only_stream, no_stream)\n"
			 "r.yaml:5:39: error: rule 4: flow only_stream needs scope stream (proto "
			 "tcp or ip)\n");
}

Test(rule_keys, header_keywords_make_tcp_rules_packet_rules)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, proto: tcp, flags: S, dsize: 0}\n"
			  "  - {id: 2, msg: x, proto: tcp, scope: stream, ttl: 3}\n"
			  "  - {id: 3, msg: x, proto: tcp, flags: S, tcp_flags: S}\n"
			  "  - {id: 4, msg: x, proto: tcp, dsize: \">x\"}\n"),
		     3);
	cr_assert_str_eq(out(),
			 "r.yaml:3:40: error: rule 2: scope stream cannot be used with header "
			 "keywords or flow no_stream (they look at single packets): use scope: "
			 "packet\n"
			 "r.yaml:4:54: error: rule 3: flags and tcp_flags are the same keyword: "
			 "give one\n"
			 "r.yaml:5:40: error: rule 4: dsize: expected a number at 'x'\n");
	cr_assert_eq(find(1)->scope, RULE_SCOPE_PACKET);
	cr_assert_eq(find(1)->pub.scope, IDS_SCOPE_PACKET);
	cr_assert_eq(find(1)->keys->n_tests, 1);
	cr_assert(find(1)->keys->flags.on);
}

Test(rule_keys, flowbits_parse)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, flowbits: [\"set,a\", noalert]}\n"
			  "  - {id: 2, msg: x, flowbits: [\"isset,a|b\", \"unset,a\"]}\n"
			  "  - {id: 3, msg: x, flowbits: \"isnotset,a&b\"}\n"),
		     0, "%s", out());
	cr_assert(find(1)->keys->noalert);
	cr_assert_eq(find(1)->keys->n_fb, 1);
	cr_assert(find(2)->keys->fb[0].any);
	cr_assert_eq(find(2)->keys->fb[0].n, 2);
	cr_assert_eq(find(2)->keys->fb[0].bits[0], find(1)->keys->fb[0].bits[0]);
	cr_assert_not(find(3)->keys->fb[0].any);
	cr_assert_eq(find(3)->keys->fb[0].cmd, FB_ISNOTSET);
}

Test(rule_keys, flowbits_errors)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, flowbits: [\"set,a|b\"]}\n"
			  "  - {id: 2, msg: x, flowbits: [isset]}\n"
			  "  - {id: 3, msg: x, flowbits: [\"flip,a\"]}\n"
			  "  - {id: 4, msg: x, flowbits: [\"isset,a|b&c\"]}\n"),
		     4);
	cr_assert_str_eq(
		out(), "r.yaml:2:32: error: rule 1: flowbits set: '|' is for isset and isnotset "
		       "only\n"
		       "r.yaml:3:32: error: rule 2: flowbits isset needs a name (\"isset,NAME\")\n"
		       "r.yaml:4:32: error: rule 3: unknown flowbits command in 'flip,a' (valid: "
		       "set, unset, toggle, isset, isnotset, noalert)\n"
		       "r.yaml:5:32: error: rule 4: flowbits: '|' and '&' cannot be mixed in one "
		       "group\n");
}

Test(rule_keys, threshold_and_suppress_parse)
{
	cr_assert_eq(load("rules:\n"
			  "  - id: 1\n"
			  "    msg: x\n"
			  "    threshold: {type: both, track: by_dst, count: 3, seconds: 60}\n"
			  "    detection_filter: {track: by_rule, count: 2, seconds: 5}\n"
			  "    suppress:\n"
			  "      - {track: by_src, ip: \"[198.18.0.1, 198.19.0.0/16]\"}\n"
			  "      - {}\n"),
		     0, "%s", out());
	const struct rule_keys *k = find(1)->keys;
	cr_assert(k->threshold.on);
	cr_assert_eq(k->threshold.type, THR_BOTH);
	cr_assert_eq(k->threshold.track, TRACK_BY_DST);
	cr_assert_eq(k->threshold.count, 3);
	cr_assert_eq(k->threshold.seconds, 60);
	cr_assert_eq(k->detection.type, THR_DETECTION);
	cr_assert_eq(k->detection.track, TRACK_BY_RULE);
	cr_assert_eq(k->n_supp, 2);
	cr_assert_eq(k->supp[0].ips.n, 2);
	cr_assert(k->supp[1].all);
}

Test(rule_keys, threshold_errors)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, threshold: {type: some, track: by_src, count: 1, "
			  "seconds: 1}}\n"
			  "  - {id: 2, msg: x, threshold: {type: limit, track: by_src}}\n"
			  "  - {id: 3, msg: x, detection_filter: {track: by_either, count: 1, "
			  "seconds: 1}}\n"
			  "  - {id: 4, msg: x, suppress: [{track: by_src, ip: \"$HOME_NET\"}]}\n"),
		     4);
	cr_assert_str_eq(
		out(), "r.yaml:2:39: error: rule 1: type must be one of limit, threshold, both, "
		       "backoff, got 'some'\n"
		       "r.yaml:3:32: error: rule 2: threshold needs count and seconds\n"
		       "r.yaml:4:47: error: rule 3: track must be one of by_src, by_dst, by_both, "
		       "by_rule, by_flow, got 'by_either'\n"
		       "r.yaml:5:52: error: rule 4: suppress ip: variables are not expanded here "
		       "('$HOME_NET')\n");
}

Test(rule_keys, order_puts_pass_then_setters_before_checkers)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, flowbits: [\"isset,a\"]}\n"
			  "  - {id: 2, msg: x}\n"
			  "  - {id: 3, msg: x, flowbits: [\"isset,a\", \"set,b\"]}\n"
			  "  - {id: 4, msg: x, flowbits: [\"set,a\"]}\n"
			  "  - {id: 5, msg: x, action: pass}\n"),
		     0, "%s", out());
	cr_assert_eq(rs.n, 5);
	cr_assert_eq(rs.rules[0]->pub.id, 5);
	cr_assert_eq(rs.rules[1]->pub.id, 4);
	cr_assert_eq(rs.rules[2]->pub.id, 2);
	cr_assert_eq(rs.rules[3]->pub.id, 3);
	cr_assert_eq(rs.rules[4]->pub.id, 1);
}

/* A second file's rules join the order of the first's (the loads of a
 * set of files rank each rule once), and its duplicate ids are found. */
Test(rule_keys, order_holds_across_files)
{
	static const unsigned want[] = {5, 15, 4, 14, 2, 3, 12, 1, 11};

	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, flowbits: [\"isset,a\"]}\n"
			  "  - {id: 2, msg: x}\n"
			  "  - {id: 3, msg: x, flowbits: [\"isset,a\", \"set,b\"]}\n"
			  "  - {id: 4, msg: x, flowbits: [\"set,a\"]}\n"
			  "  - {id: 5, msg: x, action: pass}\n"),
		     0, "%s", out());
	cr_assert_eq(load("rules:\n"
			  "  - {id: 11, msg: x, flowbits: [\"isset,a\"]}\n"
			  "  - {id: 12, msg: x}\n"
			  "  - {id: 14, msg: x, flowbits: [\"set,a\"]}\n"
			  "  - {id: 15, msg: x, action: pass}\n"
			  "  - {id: 4, msg: x}\n"),
		     1, "%s", out());
	cr_assert(strstr(out(), "duplicate id"), "%s", out());
	cr_assert_eq(rs.n, 9);
	for (size_t i = 0; i < 9; i++)
		cr_assert_eq(rs.rules[i]->pub.id, want[i], "rule %zu: %u", i, rs.rules[i]->pub.id);
}
