/*
 * test_rules.c - the YAML rule loader: fields, defaults, variables, errors.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "detect/rules.h"

static struct diag d;
static struct ruleset rs;
static FILE *mem;
static char *membuf;
static size_t memlen;

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

TestSuite(rules, .init = setup, .fini = teardown);

/* Everything reported so far. */
static const char *out(void)
{
	fflush(mem);
	return membuf;
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

static bool addr_has(const struct addr_set *s, const char *text, unsigned prefix, bool neg)
{
	uint8_t want[16] = {0};
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;

	inet_pton(fam, text, want);
	for (size_t i = 0; i < s->n; i++) {
		const struct addr_block *b = &s->blocks[i];

		if (b->family == (fam == AF_INET ? 4 : 6) && b->prefix == prefix &&
		    b->negated == neg && memcmp(b->bytes, want, fam == AF_INET ? 4 : 16) == 0)
			return true;
	}
	return false;
}

static bool port_has(const struct port_set *s, unsigned lo, unsigned hi, bool neg)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ranges[i].lo == lo && s->ranges[i].hi == hi && s->ranges[i].negated == neg)
			return true;
	return false;
}

Test(rules, shipped_rule_file_loads_cleanly)
{
	const struct rule *r;

	cr_assert_eq(ruleset_load_file(&rs, SOURCE_DIR "/rules/signature.yaml", "signature", &d), 0,
		     "%s", out());
	cr_assert_eq(rs.n, 7);

	r = find(2100498);
	cr_assert_str_eq(r->pub.metadata_json,
			 "{\"created_at\":[\"2010-09-23\"],\"signature_severity\":[\"Major\"]}");
	cr_assert_eq(r->pub.rev, 7);
	cr_assert_eq(r->pub.severity, 2);
	cr_assert_eq(r->direction, RULE_DIR_TO_CLIENT);
	cr_assert_eq(r->pub.line, 10);

	r = find(2008187);
	cr_assert_eq(r->dport.n, 3);
	cr_assert(!r->dport.any);
	cr_assert(port_has(&r->dport, 80, 80, false));
	cr_assert(port_has(&r->dport, 8000, 8099, false));
	cr_assert(port_has(&r->dport, 8080, 8080, false));
	cr_assert(r->patterns[0].nocase);
	cr_assert(r->sport.any);

	r = find(2100001);
	cr_assert_eq(r->dst.n, 2);
	cr_assert(addr_has(&r->dst, "198.18.0.0", 16, false));
	cr_assert(addr_has(&r->dst, "2001:db8:1::", 48, false));
	cr_assert_eq(r->n_patterns, 1);
	cr_assert_eq(r->patterns[0].kind, PAT_REGEX);
	cr_assert_str_eq((const char *)r->patterns[0].bytes, "GET [^\\r\\n]*(\\.\\./)+etc/passwd");
	cr_assert_eq(r->scope, RULE_SCOPE_STREAM);

	r = find(2100002);
	cr_assert_eq(r->patterns[0].len, 19);
	cr_assert_eq(memcmp(r->patterns[0].bytes,
			    "\x0amalware-c2\x07"
			    "example",
			    19),
		     0);

	r = find(2100004);
	cr_assert_str_eq(r->pcre, "\\/bin\\/sh\\s+-[ic]");
	cr_assert_eq(r->pcre_options, 0);
	cr_assert(addr_has(&r->src, "2001:db8::", 32, false));
}

Test(rules, defaults)
{
	const struct rule *r;

	cr_assert_eq(load("rules:\n  - id: 1\n    msg: hello\n"), 0, "%s", out());
	cr_assert_eq(rs.n, 1);
	r = rs.rules[0];
	cr_assert_eq(r->pub.id, 1);
	cr_assert_eq(r->pub.rev, 1);
	cr_assert_eq(r->pub.gid, 1);
	cr_assert_eq(r->pub.severity, 3);
	cr_assert_str_eq(r->pub.msg, "hello");
	cr_assert_str_eq(r->pub.category, "");
	cr_assert_null(r->pub.metadata_json);
	cr_assert_str_eq(r->pub.detector, "signature");
	cr_assert_str_eq(r->pub.file, "r.yaml");
	cr_assert_eq(r->pub.line, 2);
	cr_assert_eq(r->pub.priv, r);
	cr_assert_eq(rule_from_pub(&r->pub), r);
	cr_assert_eq(r->proto, RULE_PROTO_IP);
	cr_assert_eq(r->direction, RULE_DIR_ANY);
	cr_assert(r->src.any && r->dst.any && r->sport.any && r->dport.any);
	cr_assert_eq(r->n_patterns, 0);
	cr_assert_null(r->pcre);
}

Test(rules, every_field)
{
	const char *text = "rules:\n"
			   "  - id: 4294967295\n"
			   "    rev: 9\n"
			   "    msg: 'all \"fields\"'\n"
			   "    category: Misc\n"
			   "    severity: 4\n"
			   "    detector: example\n"
			   "    proto: udp\n"
			   "    src: [198.18.0.0/15, '!198.18.1.1']\n"
			   "    dst: 2001:db8::1\n"
			   "    src_port: '1024:'\n"
			   "    dst_port: ['!53', 5353]\n"
			   "    direction: to_server\n"
			   "    patterns:\n"
			   "      - content: \"a\\x00b\"\n"
			   "        nocase: yes\n"
			   "        offset: 2\n"
			   "        depth: 10\n"
			   "      - regex: 'x+y'\n"
			   "    pcre: '/ab.c/imsxU'\n";
	const struct rule *r;

	cr_assert_eq(load(text), 0, "%s", out());
	r = rs.rules[0];
	cr_assert_eq(r->pub.id, 4294967295u);
	cr_assert_eq(r->pub.rev, 9);
	cr_assert_str_eq(r->pub.msg, "all \"fields\"");
	cr_assert_str_eq(r->pub.category, "Misc");
	cr_assert_eq(r->pub.severity, 4);
	cr_assert_str_eq(r->pub.detector, "example");
	cr_assert_eq(r->proto, RULE_PROTO_UDP);
	cr_assert_eq(r->direction, RULE_DIR_TO_SERVER);
	cr_assert_eq(r->src.n, 2);
	cr_assert(addr_has(&r->src, "198.18.0.0", 15, false));
	cr_assert(addr_has(&r->src, "198.18.1.1", 32, true));
	cr_assert(addr_has(&r->dst, "2001:db8::1", 128, false));
	cr_assert(port_has(&r->sport, 1024, 65535, false));
	cr_assert(port_has(&r->dport, 53, 53, true));
	cr_assert(port_has(&r->dport, 5353, 5353, false));
	cr_assert_eq(r->n_patterns, 2);
	cr_assert_eq(r->patterns[0].kind, PAT_CONTENT);
	cr_assert_eq(r->patterns[0].len, 3);
	cr_assert_eq(memcmp(r->patterns[0].bytes, "a\0b", 3), 0);
	cr_assert(r->patterns[0].nocase);
	cr_assert(r->patterns[0].has_offset && r->patterns[0].has_depth);
	cr_assert_eq(r->patterns[0].offset, 2);
	cr_assert_eq(r->patterns[0].depth, 10);
	cr_assert_eq(r->patterns[0].line, 15);
	cr_assert_eq(r->patterns[0].col, 18);
	cr_assert_eq(r->patterns[1].kind, PAT_REGEX);
	cr_assert(!r->patterns[1].has_offset && !r->patterns[1].has_depth);
	cr_assert_str_eq((const char *)r->patterns[1].bytes, "x+y");
	cr_assert_str_eq(r->pcre, "ab.c");
	cr_assert_eq(r->pcre_options, PCRE2_CASELESS | PCRE2_MULTILINE | PCRE2_DOTALL |
					      PCRE2_EXTENDED | PCRE2_UNGREEDY);
	cr_assert_eq(r->pcre_line, 20);
	cr_assert_eq(r->pcre_col, 11);
}

Test(rules, default_detector_comes_from_the_caller)
{
	const char *text = "rules:\n  - {id: 1, msg: a}\n";

	cr_assert_eq(ruleset_load_buffer(&rs, "r.yaml", text, strlen(text), "example", &d), 0);
	cr_assert_str_eq(rs.rules[0]->pub.detector, "example");
}

Test(rules, plain_pcre_and_single_flags)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: a, pcre: 'a(b|c)+'}\n"
			  "  - {id: 2, msg: a, pcre: '/x/i'}\n"
			  "  - {id: 3, msg: a, pcre: '/a/b/U'}\n"),
		     0, "%s", out());
	cr_assert_str_eq(find(1)->pcre, "a(b|c)+");
	cr_assert_eq(find(1)->pcre_options, 0);
	cr_assert_str_eq(find(2)->pcre, "x");
	cr_assert_eq(find(2)->pcre_options, PCRE2_CASELESS);
	cr_assert_str_eq(find(3)->pcre, "a/b");
	cr_assert_eq(find(3)->pcre_options, PCRE2_UNGREEDY);
}

Test(rules, bad_pcre_flag_and_delimiters)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: a, pcre: '/x/ig'}\n"
			  "  - {id: 2, msg: a, pcre: '/abc'}\n"
			  "  - {id: 3, msg: a, pcre: '//i'}\n"),
		     3);
	cr_assert_str_eq(
		out(), "r.yaml:2:32: error: rule 1: unknown pcre flag 'g' (valid: i, m, s, x, U)\n"
		       "r.yaml:3:27: error: rule 2: pcre starting with '/' needs a closing '/'\n"
		       "r.yaml:4:27: error: rule 3: pcre is empty\n");
	cr_assert_eq(rs.n, 0);
}

Test(rules, bad_regex_names_rule_and_column)
{
	cr_assert_eq(load("rules:\n"
			  "  - id: 5\n"
			  "    msg: x\n"
			  "    patterns:\n"
			  "      - regex: 'ab(c'\n"
			  "      - regex: \"\\x41(\"\n"
			  "    pcre: /a[b/s\n"),
		     3);
	cr_assert_str_eq(out(), "r.yaml:5:21: error: rule 5: bad regex: missing closing "
				"parenthesis at offset 4\n"
				"r.yaml:6:16: error: rule 5: bad regex: missing closing "
				"parenthesis at offset 2\n"
				"r.yaml:7:15: error: rule 5: bad regex: missing terminating ] "
				"for character class at offset 3\n");
	cr_assert_eq(rs.n, 0);
}

Test(rules, unknown_keys_list_the_valid_ones)
{
	cr_assert_eq(load("rules:\n"
			  "  - id: 1\n"
			  "    msg: x\n"
			  "    sevrity: 2\n"
			  "    patterns:\n"
			  "      - content: a\n"
			  "        nocse: true\n"
			  "rule:\n"),
		     3);
	cr_assert_str_eq(
		out(),
		"r.yaml:8:1: error: unknown key 'rule' in rule file (valid: vars, rules)\n"
		"r.yaml:4:5: error: unknown key 'sevrity' in rule (valid: id, rev, msg, "
		"category, severity, metadata, detector, proto, src, dst, src_port, "
		"dst_port, direction, patterns, pcre, scope, stream_alerts, buffer, "
		"stream_offsets, anomaly, bidirectional, gid, "
		"action, classtype, priority, reference, noalert, app_proto, flow, flowbits, "
		"threshold, detection_filter, suppress, dsize, ttl, itype, icode, ip_id, seq, "
		"ack, window, flags, tcp_flags, fragbits, sameip, icmp_id, icmp_seq, "
		"ip_proto, vlan_id, ip_only, stream_size, xbits, flowint)\n"
		"r.yaml:7:9: error: unknown key 'nocse' in pattern (valid: content, "
		"regex, hex, pcre, isdataat, byte_test, byte_jump, byte_extract, "
		"byte_math, bsize, nocase, offset, depth, buffer, distance, within, "
		"startswith, endswith, not, fast_pattern, rawbytes, relative, base64_decode, "
		"asn1, ftpbounce)\n");
}

Test(rules, metadata_json_is_escaped)
{
	cr_assert_eq(load("rules:\n"
			  "  - id: 1\n"
			  "    msg: x\n"
			  "    metadata:\n"
			  "      quote: 'say \"hi\"'\n"
			  "      list: [a, 'b\\c', 3]\n"
			  "      ctl: \"tab\\there\\x01\\n\"\n"
			  "      'odd \"key\"': []\n"
			  "      utf8: \"caf\\u00e9\"\n"),
		     0, "%s", out());
	cr_assert_str_eq(rs.rules[0]->pub.metadata_json,
			 "{\"quote\":[\"say \\\"hi\\\"\"],\"list\":[\"a\",\"b\\\\c\",\"3\"],"
			 "\"ctl\":[\"tab\\there\\u0001\\n\"],\"odd \\\"key\\\"\":[],"
			 "\"utf8\":[\"caf\xc3\xa9\"]}");
}

Test(rules, metadata_errors)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, metadata: [a]}\n"
			  "  - {id: 2, msg: x, metadata: {k: {a: b}}}\n"
			  "  - {id: 3, msg: x, metadata: {k: [[a]]}}\n"),
		     3);
	cr_assert_str_eq(out(), "r.yaml:2:31: error: rule 1: metadata must be a mapping\n"
				"r.yaml:3:35: error: rule 2: metadata 'k' must be a string or a "
				"list of strings\n"
				"r.yaml:4:36: error: rule 3: metadata 'k' must be a list of "
				"strings\n");
}

Test(rules, vars_negation_and_nesting)
{
	const struct rule *r;

	cr_assert_eq(load("vars:\n"
			  "  INNER: [198.18.5.0/24, '2001:db8::/32']\n"
			  "  HOME: [$INNER, '198.19.0.1']\n"
			  "  NOT_HOME: ['!$HOME']\n"
			  "  WEB: [80, '8000:8100']\n"
			  "  ANY: any\n"
			  "rules:\n"
			  "  - id: 1\n"
			  "    msg: x\n"
			  "    src: $NOT_HOME\n"
			  "    dst: [$HOME, '!198.18.5.7']\n"
			  "    src_port: '!$WEB'\n"
			  "    dst_port: $ANY\n"),
		     0, "%s", out());
	r = rs.rules[0];
	cr_assert_eq(r->src.n, 3);
	cr_assert(addr_has(&r->src, "198.18.5.0", 24, true));
	cr_assert(addr_has(&r->src, "2001:db8::", 32, true));
	cr_assert(addr_has(&r->src, "198.19.0.1", 32, true));
	cr_assert_eq(r->dst.n, 4);
	cr_assert(addr_has(&r->dst, "198.18.5.0", 24, false));
	cr_assert(addr_has(&r->dst, "198.18.5.7", 32, true));
	cr_assert_eq(r->sport.n, 2);
	cr_assert(port_has(&r->sport, 80, 80, true));
	cr_assert(port_has(&r->sport, 8000, 8100, true));
	cr_assert(r->dport.any);
	cr_assert_eq(r->dport.n, 0);
}

Test(rules, any_in_a_list_keeps_only_negations)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, src: [any, 198.18.0.1], dst: [any, '!198.18.0.2'],"
			  " dst_port: [any, '!22']}\n"),
		     0, "%s", out());
	cr_assert(rs.rules[0]->src.any);
	cr_assert_eq(rs.rules[0]->src.n, 0);
	cr_assert(!rs.rules[0]->dst.any);
	cr_assert_eq(rs.rules[0]->dst.n, 1);
	cr_assert(addr_has(&rs.rules[0]->dst, "198.18.0.2", 32, true));
	cr_assert(!rs.rules[0]->dport.any);
	cr_assert(port_has(&rs.rules[0]->dport, 22, 22, true));
}

Test(rules, var_errors)
{
	cr_assert_eq(load("vars:\n"
			  "  LOOP: [$LOOP2]\n"
			  "  LOOP2: $LOOP\n"
			  "  BAD: [198.18.0.300]\n"
			  "  NEG: ['!198.18.0.1']\n"
			  "  1X: 80\n"
			  "rules:\n"
			  "  - {id: 1, msg: x, src: $NOPE}\n"
			  "  - {id: 2, msg: x, src: $LOOP}\n"
			  "  - {id: 3, msg: x, src: $BAD}\n"
			  "  - {id: 4, msg: x, dst: $BAD}\n"
			  "  - {id: 5, msg: x, dst: '!$NEG'}\n"
			  "  - {id: 6, msg: x, dst: '!any'}\n"
			  "  - {id: 7, msg: x, dst: []}\n"
			  "  - {id: 8, msg: x, dst_port: '70000'}\n"),
		     8, "%s", out());
	cr_assert_str_eq(out(),
			 "r.yaml:6:3: error: bad variable name '1X' (letters, digits and '_', not "
			 "starting with a digit)\n"
			 "r.yaml:8:26: error: rule 1: unknown variable '$NOPE'\n"
			 "r.yaml:3:10: error: rule 2: variable '$LOOP' refers to itself\n"
			 "r.yaml:4:9: error: rule 3: '198.18.0.300' is not an IPv4 or IPv6 address "
			 "or CIDR block\n"
			 "r.yaml:5:9: error: rule 5: '!' applied to an item that is already "
			 "negated ('!198.18.0.1')\n"
			 "r.yaml:13:26: error: rule 6: '!any' matches nothing\n"
			 "r.yaml:14:26: error: rule 7: empty list\n"
			 "r.yaml:15:31: error: rule 8: '70000' is not a port (0..65535), a range "
			 "\"N:M\" or a negation \"!N\"\n");
	cr_assert_eq(rs.n, 0);
}

Test(rules, duplicate_ids_across_files)
{
	const char *a = "rules:\n  - id: 7\n    msg: first\n";
	const char *b = "rules:\n  - id: 8\n    msg: ok\n  - id: 7\n    msg: second\n";

	cr_assert_eq(ruleset_load_buffer(&rs, "a.yaml", a, strlen(a), "signature", &d), 0);
	cr_assert_eq(ruleset_load_buffer(&rs, "b.yaml", b, strlen(b), "signature", &d), 1);
	cr_assert_str_eq(out(),
			 "b.yaml:4:9: error: rule 7: duplicate id (first defined at a.yaml:2)\n");
	cr_assert_eq(rs.n, 2);
	cr_assert_str_eq(find(7)->pub.msg, "first");
	cr_assert_str_eq(find(7)->pub.file, "a.yaml");
}

Test(rules, duplicate_ids_in_one_file)
{
	cr_assert_eq(load("rules:\n  - {id: 3, msg: a}\n  - {id: 3, msg: b}\n"), 1);
	cr_assert_str_eq(out(), "r.yaml:3:10: error: rule 3: duplicate id (first defined at "
				"r.yaml:2)\n");
	cr_assert_eq(rs.n, 1);
}

Test(rules, every_problem_is_reported_and_good_rules_stay)
{
	cr_assert_eq(
		load("rules:\n"
		     "  - {msg: no id}\n"
		     "  - {id: 0, msg: zero}\n"
		     "  - {id: 2, msg: ''}\n"
		     "  - {id: 3}\n"
		     "  - {id: 4, msg: a, severity: 5, rev: 0, proto: sctp, direction: up}\n"
		     "  - {id: 5, msg: ok}\n"
		     "  - just text\n"
		     "  - {id: 6, msg: a, patterns: [{content: ''}, {content: a, regex: b}, {}]}\n"
		     "  - {id: 7, msg: a, patterns: [{content: abcd, depth: 3}, {content: a, "
		     "offset: -1}]}\n"
		     "  - {id: 8, msg: a, patterns: [{content: a, nocase: 1}], src: {a: b}}\n"
		     "  - {id: 9, msg: [a], patterns: x}\n"),
		17, "%s", out());
	cr_assert_str_eq(
		out(),
		"r.yaml:2:5: error: missing required key 'id'\n"
		"r.yaml:3:10: error: expected an integer from 1 to 4294967295, got '0'\n"
		"r.yaml:5:5: error: rule 3: missing required key 'msg'\n"
		"r.yaml:6:39: error: expected an integer from 1 to 4294967295, got '0'\n"
		"r.yaml:6:31: error: expected an integer from 1 to 4, got '5'\n"
		"r.yaml:6:49: error: rule 4: proto must be one of tcp, udp, icmp, ip, got 'sctp'\n"
		"r.yaml:6:66: error: rule 4: direction must be one of to_server, to_client, any, "
		"got 'up'\n"
		"r.yaml:8:5: error: expected a mapping for rule, got 'just text'\n"
		"r.yaml:9:42: error: rule 6: content must not be empty\n"
		"r.yaml:9:67: error: rule 6: 'regex' beside 'content': a pattern has exactly one "
		"kind key (content, hex, regex, pcre, isdataat, byte_test, byte_jump, "
		"byte_extract, byte_math, bsize, base64_decode, asn1 or ftpbounce); use two "
		"patterns\n"
		"r.yaml:9:71: error: rule 6: a pattern needs one of content, hex, regex, pcre, "
		"isdataat, byte_test, byte_jump, byte_extract, byte_math, bsize, base64_decode, "
		"asn1 or ftpbounce\n"
		"r.yaml:10:55: error: rule 7: depth 3 is shorter than the content (4 bytes)\n"
		"r.yaml:10:80: error: expected an integer from 0 to 4294967295, got '-1'\n"
		"r.yaml:11:63: error: rule 8: expected an address, a CIDR block, a list or any, "
		"got a mapping\n"
		"r.yaml:11:53: error: expected true or false, got '1'\n"
		"r.yaml:12:18: error: expected a string, got a list\n"
		"r.yaml:12:33: error: rule 9: patterns must be a list of mappings\n");
	/* an empty msg is valid (a Suricata rule without msg:) */
	cr_assert_eq(rs.n, 2);
	cr_assert_eq(rs.rules[0]->pub.id, 2);
	cr_assert_str_eq(rs.rules[0]->pub.msg, "");
	cr_assert_eq(rs.rules[1]->pub.id, 5);
}

/* Every byte value 0x00..0xff written as hex, in one pattern: the
 * pattern holds exactly those 256 bytes, a content with its options. */
Test(rules, hex_round_trips_every_byte)
{
	static const char digits[] = "0123456789abcdef";
	char text[1024];
	size_t n = (size_t)snprintf(text, sizeof(text),
				    "rules:\n  - id: 1\n    msg: x\n    patterns:\n"
				    "      - hex: \"");
	const struct rule_pattern *pat;

	for (unsigned b = 0; b < 256; b++) {
		text[n++] = (b & 1) ? digits[b >> 4] : (char)toupper(digits[b >> 4]);
		text[n++] = (b & 1) ? (char)toupper(digits[b & 15]) : digits[b & 15];
	}
	snprintf(text + n, sizeof(text) - n,
		 "\"\n        nocase: true\n        offset: 3\n"
		 "        depth: 300\n");
	cr_assert_eq(load(text), 0, "%s", out());
	pat = &rs.rules[0]->patterns[0];
	cr_assert_eq(pat->kind, PAT_CONTENT);
	cr_assert_eq(pat->len, 256);
	for (unsigned b = 0; b < 256; b++)
		cr_assert_eq(pat->bytes[b], b, "byte %u", b);
	cr_assert(pat->nocase);
	cr_assert_eq(pat->offset, 3);
	cr_assert_eq(pat->depth, 300);
	cr_assert_eq(pat->line, 5);
	cr_assert_eq(pat->col, 14);
}

/* Spaces are allowed between pairs, before and after; pairs may also be
 * written back to back. */
Test(rules, hex_spaces_between_pairs)
{
	cr_assert_eq(load("rules:\n"
			  "  - id: 1\n"
			  "    msg: x\n"
			  "    patterns:\n"
			  "      - hex: ff fe 00 01\n"
			  "      - hex: '  80ff   7F 0a '\n"
			  "      - hex: \"00\"\n"),
		     0, "%s", out());
	cr_assert_eq(rs.rules[0]->n_patterns, 3);
	cr_assert_eq(rs.rules[0]->patterns[0].len, 4);
	cr_assert_eq(memcmp(rs.rules[0]->patterns[0].bytes, "\xff\xfe\x00\x01", 4), 0);
	cr_assert_eq(rs.rules[0]->patterns[1].len, 4);
	cr_assert_eq(memcmp(rs.rules[0]->patterns[1].bytes, "\x80\xff\x7f\x0a", 4), 0);
	cr_assert_eq(rs.rules[0]->patterns[2].len, 1);
	cr_assert_eq(rs.rules[0]->patterns[2].bytes[0], 0);
	cr_assert(!rs.rules[0]->patterns[0].nocase);
}

/* An odd number of digits: the digit without a pair is named, whether the
 * value ends after it or a space follows. */
Test(rules, hex_odd_digit_count)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, patterns: [{hex: 'ff f'}]}\n"
			  "  - {id: 2, msg: x, patterns: [{hex: abc}]}\n"
			  "  - {id: 3, msg: x, patterns: [{hex: 0 12}]}\n"),
		     3);
	cr_assert_str_eq(out(), "r.yaml:2:42: error: rule 1: bad hex: 'f' has no second digit "
				"(digits go in pairs)\n"
				"r.yaml:3:40: error: rule 2: bad hex: 'c' has no second digit "
				"(digits go in pairs)\n"
				"r.yaml:4:38: error: rule 3: bad hex: '0' has no second digit "
				"(digits go in pairs)\n");
	cr_assert_eq(rs.n, 0);
}

/* Anything but hex digits and spaces is refused at its column: a letter
 * past f, a "0x" prefix, Suricata's |..| bars, a tab, a comma. */
Test(rules, hex_bad_character_column)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, patterns: [{hex: 'ff fg'}]}\n"
			  "  - {id: 2, msg: x, patterns: [{hex: 0x41}]}\n"
			  "  - {id: 3, msg: x, patterns: [{hex: '|41 42|'}]}\n"
			  "  - {id: 4, msg: x, patterns: [{hex: \"41\\t42\"}]}\n"
			  "  - {id: 5, msg: x, patterns: [{hex: '41,42'}]}\n"),
		     5);
	cr_assert_str_eq(out(),
			 "r.yaml:2:43: error: rule 1: bad hex: 'g' is not a hex digit\n"
			 "r.yaml:3:39: error: rule 2: bad hex: 'x' is not a hex digit\n"
			 "r.yaml:4:39: error: rule 3: bad hex: '|' is not a hex digit\n"
			 "r.yaml:5:38: error: rule 4: bad hex: byte 0x09 is not a hex digit\n"
			 "r.yaml:6:41: error: rule 5: bad hex: ',' is not a hex digit\n");
	cr_assert_eq(rs.n, 0);
}

/* No bytes: an empty value, only spaces; and hex with another value key,
 * or a depth shorter than its bytes. */
Test(rules, hex_empty_and_conflicts)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, patterns: [{hex: ''}]}\n"
			  "  - {id: 2, msg: x, patterns: [{hex: '   '}]}\n"
			  "  - {id: 3, msg: x, patterns: [{content: a, hex: '61'}]}\n"
			  "  - {id: 4, msg: x, patterns: [{hex: '61', regex: a}]}\n"
			  "  - {id: 5, msg: x, patterns: [{hex: 61 62 63, depth: 2}]}\n"
			  "  - {id: 6, msg: x, patterns: [{hex: [61]}]}\n"),
		     6);
	cr_assert_str_eq(
		out(), "r.yaml:2:38: error: rule 1: hex must not be empty\n"
		       "r.yaml:3:38: error: rule 2: hex must hold at least one byte\n"
		       "r.yaml:4:50: error: rule 3: 'hex' beside 'content': a pattern has exactly "
		       "one kind key (content, hex, regex, pcre, isdataat, byte_test, byte_jump, "
		       "byte_extract, byte_math, bsize, base64_decode, asn1 or ftpbounce); use two "
		       "patterns\n"
		       "r.yaml:5:38: error: rule 4: 'hex' beside 'regex': a pattern has exactly "
		       "one kind key (content, hex, regex, pcre, isdataat, byte_test, byte_jump, "
		       "byte_extract, byte_math, bsize, base64_decode, asn1 or ftpbounce); use two "
		       "patterns\n"
		       "r.yaml:6:55: error: rule 5: depth 2 is shorter than the content (3 bytes)\n"
		       "r.yaml:7:38: error: expected a string, got a list\n");
	cr_assert_eq(rs.n, 0);
}

Test(rules, at_most_64_patterns)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text),
				    "rules:\n  - id: 1\n    msg: x\n"
				    "    patterns:\n");

	for (int i = 0; i < RULE_MAX_PATTERNS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "      - content: p%d\n", i);
	cr_assert_eq(load(text), 0, "%s", out());
	cr_assert_eq(rs.rules[0]->n_patterns, RULE_MAX_PATTERNS);
	ruleset_free(&rs);
	snprintf(text + n, sizeof(text) - n, "      - content: extra\n");
	cr_assert_eq(load(text), 1);
	cr_assert_str_eq(out(), "r.yaml:69:9: error: rule 1: more than 64 patterns in one rule\n");
}

Test(rules, header_only_rule_is_allowed)
{
	cr_assert_eq(load("rules:\n  - {id: 1, msg: x, proto: icmp, patterns: []}\n"), 0);
	cr_assert_eq(rs.rules[0]->n_patterns, 0);
	cr_assert_eq(rs.rules[0]->proto, RULE_PROTO_ICMP);
}

Test(rules, bidirectional_key)
{
	cr_assert_eq(
		load("rules:\n"
		     "  - {id: 1, msg: a, src: 198.18.0.1, dst: 198.18.0.2, bidirectional: true}\n"
		     "  - {id: 2, msg: b}\n"),
		0, "%s", out());
	cr_assert(find(1)->bidirectional);
	cr_assert_not(find(2)->bidirectional);
	ruleset_free(&rs);
	cr_assert_eq(load("rules:\n  - {id: 1, msg: a, bidirectional: both}\n"), 1);
}

Test(rules, empty_and_broken_files)
{
	cr_assert_eq(load(""), 0);
	cr_assert_eq(load("rules:\n"), 0);
	cr_assert_eq(rs.n, 0);
	cr_assert_eq(load("rules: {a: 1}\n"), 1);
	cr_assert_eq(load("- a\n"), 1);
	cr_assert_eq(load("rules: [\n"), 1);
	cr_assert_str_eq(out(), "r.yaml:1:8: error: rules must be a list of rules\n"
				"r.yaml:1:1: error: expected a mapping for rule file, got a list\n"
				"r.yaml:2:1: error: did not find expected node content (while "
				"parsing a flow node)\n");
}

Test(rules, missing_file_is_one_error)
{
	cr_assert_eq(ruleset_load_file(&rs, "/nonexistent/r.yaml", "signature", &d), 1);
	cr_assert_str_eq(out(), "/nonexistent/r.yaml: error: cannot read: No such file or "
				"directory\n");
}

Test(rules, scope_defaults_by_protocol)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: a, proto: tcp}\n"
			  "  - {id: 2, msg: b, proto: udp}\n"
			  "  - {id: 3, msg: c}\n"
			  "  - {id: 4, msg: d, proto: tcp, scope: packet}\n"
			  "  - {id: 5, msg: e, scope: stream, stream_alerts: every}\n"),
		     0, "%s", out());
	cr_assert_eq(find(1)->scope, RULE_SCOPE_STREAM);
	cr_assert_eq(find(2)->scope, RULE_SCOPE_PACKET);
	cr_assert_eq(find(3)->scope, RULE_SCOPE_PACKET);
	cr_assert_eq(find(4)->scope, RULE_SCOPE_PACKET);
	cr_assert_eq(find(5)->scope, RULE_SCOPE_STREAM);
	cr_assert_not(find(1)->stream_every);
	cr_assert(find(5)->stream_every);
}

Test(rules, scope_errors)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: a, proto: udp, scope: stream}\n"
			  "  - {id: 2, msg: b, scope: flow}\n"
			  "  - {id: 3, msg: c, proto: udp, stream_alerts: every}\n"),
		     3);
	cr_assert_str_eq(
		out(), "r.yaml:2:40: error: rule 1: scope stream needs proto tcp or ip: udp "
		       "has no stream (use scope: packet)\n"
		       "r.yaml:3:28: error: rule 2: scope must be one of packet, stream, auto, got "
		       "'flow'\n"
		       "r.yaml:4:48: error: rule 3: stream_alerts applies to stream rules only "
		       "(add scope: stream)\n");
}

/* scope auto: a proto ip payload rule matches TCP data on the stream and
 * other packets one by one (tcp_stream); rules on a buffer or with header
 * keywords keep their scope, tcp rules are stream rules, udp packet ones,
 * and flow only_stream makes it a stream rule. */
Test(rules, scope_auto)
{
	cr_assert_eq(
		load("rules:\n"
		     "  - {id: 1, msg: a, scope: auto, patterns: [{content: x}]}\n"
		     "  - {id: 2, msg: b, scope: auto, buffer: dns.query, patterns: [{content: "
		     "x}]}\n"
		     "  - {id: 3, msg: c, scope: auto, dsize: 5, patterns: [{content: x}]}\n"
		     "  - {id: 4, msg: d, scope: auto, proto: tcp, patterns: [{content: x}]}\n"
		     "  - {id: 5, msg: e, scope: auto, proto: udp, patterns: [{content: x}]}\n"
		     "  - {id: 6, msg: f, scope: auto, flow: [only_stream], patterns: [{content: "
		     "x}]}\n"
		     "  - {id: 7, msg: g, scope: auto, stream_offsets: chunk, patterns: [{content: "
		     "x, depth: 4}]}\n"),
		0, "%s", out());
	cr_assert_eq(rs.n, 7);
	cr_expect(find(1)->tcp_stream);
	cr_expect_eq(find(1)->scope, RULE_SCOPE_PACKET);
	cr_expect_not(find(2)->tcp_stream);
	cr_expect_not(find(3)->tcp_stream);
	cr_expect_eq(find(3)->scope, RULE_SCOPE_PACKET);
	cr_expect_not(find(4)->tcp_stream);
	cr_expect_eq(find(4)->scope, RULE_SCOPE_STREAM);
	cr_expect_not(find(5)->tcp_stream);
	cr_expect_eq(find(5)->scope, RULE_SCOPE_PACKET);
	cr_expect_not(find(6)->tcp_stream);
	cr_expect_eq(find(6)->scope, RULE_SCOPE_STREAM);
	cr_expect(find(7)->tcp_stream);
	cr_expect(find(7)->stream_chunk);
}

Test(rules, buffer_names)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: a, buffer: http.uri, patterns: [{content: x}]}\n"
			  "  - {id: 2, msg: b, buffer: 'HTTP URI'}\n"
			  "  - {id: 3, msg: c, detector: http, buffer: dns.query}\n"),
		     1);
	cr_assert_str_eq(out(),
			 "r.yaml:3:29: error: rule 2: buffer 'HTTP URI' is not a buffer name "
			 "(lower-case letters, digits, '_' and '.', e.g. http.uri)\n");
	cr_assert_str_eq(find(1)->pub.buffer, "http.uri");
	cr_assert_not(find(1)->detector_explicit);
	cr_assert(find(3)->detector_explicit);
	cr_assert_str_eq(find(3)->buffer, "dns.query");
}
