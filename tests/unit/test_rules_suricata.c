/*
 * test_rules_suricata.c - Suricata/Snort .rules files into v2 rule trees:
 * every construct of the parser, the messages of bad input, the variables,
 * loading through the YAML rule loader, and the ET Open corpus count.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rule_keys.h"
#include "detect/rules.h"
#include "detect/rules_suricata.h"

static struct diag d;
static FILE *mem;
static char *membuf;
static size_t memlen;
static struct suri_result res;
static char *yaml; /* the last conversion, as YAML */

static void setup(void)
{
	mem = open_memstream(&membuf, &memlen);
	diag_init(&d, mem);
	memset(&res, 0, sizeof(res));
	yaml = NULL;
}

static void teardown(void)
{
	suri_result_free(&res);
	fclose(mem);
	free(membuf);
	free(yaml);
}

TestSuite(rules_suricata, .init = setup, .fini = teardown);

/* Everything reported so far. */
static const char *out(void)
{
	fflush(mem);
	return membuf ? membuf : "";
}

/* Parse `text` as t.rules; returns the `rules:` list written as YAML. */
static const char *conv(const char *text)
{
	size_t len = 0;
	FILE *f;

	suri_result_free(&res);
	free(yaml);
	yaml = NULL;
	cr_assert_eq(suri_parse_buffer("t.rules", text, strlen(text), NULL, &res, &d), 0);
	f = open_memstream(&yaml, &len);
	ytree_write(f, ymap_get(res.root, "rules"), 0);
	fclose(f);
	return yaml;
}

/* The rule `i` of the last conversion. */
/* Write `text` to a new temporary .rules file (its name in `path`), and
 * load it into `rs` (initialised here); the loader's return value. The
 * caller unlinks `path` and frees `rs`. */
#define RULES_PATH_LEN 40
static int load_rules_text(struct ruleset *rs, char *path, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, RULES_PATH_LEN, "/tmp/test_rules_suricata_XXXXXX.rules");
	fd = mkstemps(path, 6);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	ruleset_init(rs);
	return ruleset_load_file(rs, path, "signature", &d);
}

static const struct ynode *rule(size_t i)
{
	const struct ynode *l = ymap_get(res.root, "rules");

	cr_assert(l && i < l->n, "no rule %zu in:\n%s\n%s", i, yaml, out());
	return l->items[i];
}

#define HDR "alert tcp any any -> any any "

Test(rules_suricata, escapes_hex_and_negation)
{
	cr_assert_str_eq(conv(HDR "(msg:\"m \\\"q\\\" \\; s\"; content:\"a\\;b\\\"c\\\\d\\:e\"; "
				  "content:\"GET |20|/x|0D 0a|\"; content:!\"no\"; sid:1;)\n"),
			 "- id: 1\n"
			 "  msg: \"m \\\"q\\\" ; s\"\n"
			 "  proto: tcp\n"
			 "  patterns:\n"
			 "    - content: \"a;b\\\"c\\\\d:e\"\n"
			 "    - hex: \"47 45 54 20 20 2f 78 0d 0a\"\n"
			 "    - content: \"no\"\n"
			 "      not: true\n");
	cr_expect_str_eq(out(), "");
}

/* Bytes that start with '!' or hold a '|' are written as hex: a YAML
 * `content` would read as a Suricata negation or hex pipes (and the loader
 * warns about both), although the bytes are what the rule means. */
Test(rules_suricata, bang_and_pipe_bytes_are_written_as_hex)
{
	cr_assert_str_eq(conv(HDR "(msg:\"m\"; content:\"|21 3e|Q\"; content:\"a|7c|b\"; "
				  "content:\"x!\"; sid:1;)\n"),
			 "- id: 1\n"
			 "  msg: \"m\"\n"
			 "  proto: tcp\n"
			 "  patterns:\n"
			 "    - hex: \"21 3e 51\"\n"
			 "    - hex: \"61 7c 62\"\n"
			 "    - content: \"x!\"\n");
	cr_expect_str_eq(out(), "");
}

Test(rules_suricata, positions_point_into_the_rules_file)
{
	const struct ynode *pats;

	conv("# comment\n\n" HDR "(msg:\"x\"; content:\"abc\"; sid:7;)\n");
	cr_assert_eq(rule(0)->line, 3);
	pats = ymap_get(rule(0), "patterns");
	cr_expect_eq(pats->items[0]->items[0]->line, 3);
	cr_expect_eq(pats->items[0]->items[0]->col, 48); /* the opening quote */
	cr_expect_str_eq(rule(0)->file, "t.rules");
}

Test(rules_suricata, multi_line_comments_and_disabled_rules)
{
	conv("# alert tcp any any -> any any (msg:\"disabled\"; sid:5;)\n"
	     "   # indented comment\n"
	     "alert tcp any any -> any any (msg:\"two lines\"; \\\n"
	     "    content:\"abc\"; \\\r\n"
	     "    sid:2;)\r\n"
	     "\n" HDR "(msg:\"after\"; sid:3;)\n");
	cr_assert_eq(res.parsed, 2);
	cr_expect_eq(res.failed, 0);
	cr_expect_str_eq(ymap_get(rule(0), "id")->str, "2");
	cr_expect_eq(ymap_get(rule(0), "patterns")->items[0]->items[0]->line, 4);
	cr_expect_str_eq(ymap_get(rule(1), "id")->str, "3");
}

Test(rules_suricata, addresses_ports_groups_and_variables)
{
	cr_assert_str_eq(conv("alert tcp [$HOME_NET,!10.0.0.0/8] [80,443,8000:] -> "
			      "![1.2.3.4,5.6.7.0/24] !$HTTP_PORTS (msg:\"g\"; sid:1;)\n"
			      "alert udp [1.1.1.1,[2.2.2.2, 3.3.3.3]] :1023 -> 2001:db8::/32 any "
			      "(msg:\"n\"; sid:2;)\n"),
			 "- id: 1\n"
			 "  msg: \"g\"\n"
			 "  proto: tcp\n"
			 "  src: [\"$HOME_NET\", \"!10.0.0.0/8\"]\n"
			 "  src_port: [\"80\", \"443\", \"8000:\"]\n"
			 "  dst: [\"!1.2.3.4\", \"!5.6.7.0/24\"]\n"
			 "  dst_port: \"!$HTTP_PORTS\"\n"
			 "  scope: packet\n"
			 "- id: 2\n"
			 "  msg: \"n\"\n"
			 "  proto: udp\n"
			 "  src: [\"1.1.1.1\", [\"2.2.2.2\", \"3.3.3.3\"]]\n"
			 "  src_port: \":1023\"\n"
			 "  dst: \"2001:db8::/32\"\n");
}

Test(rules_suricata, default_variables_and_config_overrides)
{
	static const char cfg[] = "address-groups:\n  HOME_NET: \"[198.18.0.0/15]\"\n"
				  "port-groups:\n  HTTP_PORTS: [80, 8080]\n"
				  "MY_NET: 198.19.0.0/16\n";
	struct ynode *vars = ytree_load_buffer("sensor.yaml", cfg, strlen(cfg), &d);
	struct suri_files files = {.vars = vars};
	struct suri_conf *conf = suri_conf_load(&files, &d);
	const struct ynode *v;

	cr_assert_not_null(vars);
	cr_assert_eq(suri_parse_buffer("t.rules", "", 0, conf, &res, &d), 0);
	v = ymap_get(res.root, "vars");
	cr_assert_eq(ymap_get(v, "HOME_NET")->n, 1);
	cr_assert_str_eq(ymap_get(v, "HOME_NET")->items[0]->str, "198.18.0.0/15");
	cr_expect_eq(ymap_get(v, "HTTP_PORTS")->n, 2);
	cr_expect_str_eq(ymap_get(v, "HTTP_PORTS")->items[1]->str, "8080");
	cr_expect_str_eq(ymap_get(v, "MY_NET")->str, "198.19.0.0/16");
	cr_expect_str_eq(ymap_get(v, "EXTERNAL_NET")->str, "!$HOME_NET");
	cr_expect_str_eq(ymap_get(v, "SHELLCODE_PORTS")->str, "!80");
	cr_expect_not_null(ymap_get(v, "DNS_SERVERS"));
	suri_result_free(&res);
	suri_conf_free(conf);
	ytree_free(vars);
	cr_assert_eq(suri_parse_buffer("t.rules", "", 0, NULL, &res, &d), 0);
	v = ymap_get(res.root, "vars");
	cr_expect_eq(ymap_get(v, "HOME_NET")->n, 3);
	cr_expect_str_eq(ymap_get(v, "HOME_NET")->items[0]->str, "192.168.0.0/16");
}

Test(rules_suricata, bidirectional_and_actions)
{
	conv("alert tcp $HOME_NET any <> $HOME_NET any (msg:\"b\"; sid:1;)\n"
	     "pass tcp any any -> any any (msg:\"p\"; sid:2;)\n"
	     "drop tcp any any -> any any (msg:\"d\"; sid:3;)\n"
	     "reject tcp any any -> any any (msg:\"r\"; sid:4;)\n"
	     "alert tcp 1.1.1.1 any <> 2.2.2.2 any (msg:\"x\"; sid:5;)\n"
	     "block tcp any any -> any any (msg:\"x\"; sid:6;)\n");
	cr_assert_eq(res.parsed, 5);
	cr_expect_null(ymap_get(rule(0), "action"));
	/* the same sides: '->' already matches both ways */
	cr_expect_null(ymap_get(rule(0), "bidirectional"));
	/* different sides: the header matches either way */
	cr_expect_str_eq(ymap_get(rule(4), "bidirectional")->str, "true");
	cr_expect_str_eq(ymap_get(rule(4), "src")->str, "1.1.1.1");
	cr_expect_str_eq(ymap_get(rule(4), "dst")->str, "2.2.2.2");
	cr_expect_str_eq(ymap_get(rule(1), "action")->str, "pass");
	cr_expect_null(res.notes[1]);
	cr_expect_str_eq(ymap_get(rule(2), "action")->str, "drop");
	cr_expect_str_eq(res.notes[2], "action drop: this passive sensor alerts instead");
	cr_expect_str_eq(ymap_get(rule(3), "action")->str, "reject");
	cr_expect_str_eq(out(),
			 "t.rules:6:1: error: sid 6: action 'block' has no equivalent (action)\n");
}

Test(rules_suricata, rule_level_keywords)
{
	cr_assert_str_eq(
		conv("alert http any any -> any any (msg:\"k\"; flow:established,to_server; "
		     "flowbits:set,foo; flowbits:isset,a|b; flowbits:noalert; "
		     "threshold:type limit, track by_src, count 1, seconds 60; "
		     "detection_filter:track by_dst, count 5, seconds 10; noalert; sid:4; gid:3; "
		     "rev:7; priority:2; reference:url, example.com/x; reference:cve,2021-44228; "
		     "classtype:trojan-activity; target:dest_ip; "
		     "metadata: created_at 2010_01_01, former_category MALWARE, created_at "
		     "2011;)\n"),
		"- id: 4\n"
		"  gid: 3\n"
		"  rev: 7\n"
		"  msg: \"k\"\n"
		"  proto: tcp\n"
		"  app_proto: http\n"
		"  flow: [\"established\", \"to_server\"]\n"
		"  flowbits: [\"set,foo\", \"isset,a|b\", \"noalert\"]\n"
		"  threshold:\n"
		"    type: \"limit\"\n"
		"    track: \"by_src\"\n"
		"    count: 1\n"
		"    seconds: 60\n"
		"  detection_filter:\n"
		"    track: \"by_dst\"\n"
		"    count: 5\n"
		"    seconds: 10\n"
		"  noalert: true\n"
		"  priority: 2\n"
		"  reference: [\"url,example.com/x\", \"cve,2021-44228\"]\n"
		"  classtype: \"trojan-activity\"\n"
		"  metadata:\n"
		"    created_at: [\"2010_01_01\", \"2011\"]\n"
		"    former_category: [\"MALWARE\"]\n"
		"  scope: packet\n");
	cr_expect_str_eq(res.notes[0], "'target:dest_ip' dropped (no effect on detection here)");
}

Test(rules_suricata, content_modifiers_and_fast_pattern)
{
	cr_assert_str_eq(conv(HDR "(msg:\"m\"; content:\"x\"; nocase; offset:1; depth:9; "
				  "content:\"y\"; distance:-2; within:5; content:\"z\"; "
				  "fast_pattern:only; content:\"w\"; fast_pattern:2,3; rawbytes; "
				  "content:\"v\"; startswith; endswith; content:\"u\"; prefilter; "
				  "byte_extract:2,0,len; content:\"t\"; offset:len; sid:2;)\n"),
			 "- id: 2\n"
			 "  msg: \"m\"\n"
			 "  proto: tcp\n"
			 "  stream_offsets: chunk\n"
			 "  patterns:\n"
			 "    - content: \"x\"\n"
			 "      nocase: true\n"
			 "      offset: 1\n"
			 "      depth: 9\n"
			 "    - content: \"y\"\n"
			 "      distance: -2\n"
			 "      within: 5\n"
			 "    - content: \"z\"\n"
			 "      fast_pattern: \"only\"\n"
			 "    - content: \"w\"\n"
			 "      fast_pattern: \"2,3\"\n"
			 "    - content: \"v\"\n"
			 "      startswith: true\n"
			 "      endswith: true\n"
			 "    - content: \"u\"\n"
			 "      fast_pattern: true\n"
			 "    - byte_extract: \"2,0,len\"\n"
			 "    - content: \"t\"\n"
			 "      offset: len\n");
}

Test(rules_suricata, payload_keywords_keep_their_text)
{
	cr_assert_str_eq(conv(HDR "(msg:\"p\"; content:\"a\"; isdataat:!1,relative; "
				  "byte_test:4,>,1000,0,relative,little; byte_jump:4,0,relative; "
				  "byte_math:bytes 4, offset 0, oper +, rvalue 10, result var; "
				  "bsize:>3; sid:3;)\n"),
			 "- id: 3\n"
			 "  msg: \"p\"\n"
			 "  proto: tcp\n"
			 "  stream_offsets: chunk\n"
			 "  patterns:\n"
			 "    - content: \"a\"\n"
			 "    - isdataat: \"!1,relative\"\n"
			 "    - byte_test: \"4,>,1000,0,relative,little\"\n"
			 "    - byte_jump: \"4,0,relative\"\n"
			 "    - byte_math: \"bytes 4, offset 0, oper +, rvalue 10, result var\"\n"
			 "    - bsize: \">3\"\n");
}

/* Every legacy content modifier names the buffer the plugins declare. */
Test(rules_suricata, legacy_modifiers_map_to_buffers)
{
	static const char *const map[][2] = {
		{"http_uri", "http.uri"},
		{"http_raw_uri", "http.uri.raw"},
		{"http_header", "http.header"},
		{"http_raw_header", "http.header.raw"},
		{"http_cookie", "http.cookie"},
		{"http_method", "http.method"},
		{"http_client_body", "http.request_body"},
		{"http_server_body", "http.response_body"},
		{"http_stat_code", "http.status"},
		{"http_stat_msg", "http.stat_msg"},
		{"http_user_agent", "http.user_agent"},
		{"http_host", "http.host"},
		{"http_raw_host", "http.host.raw"},
	};
	char text[256];

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		snprintf(text, sizeof(text), HDR "(msg:\"l\"; content:\"x\"; %s; sid:1;)\n",
			 map[i][0]);
		conv(text);
		cr_assert_eq(res.parsed, 1, "%s: %s", map[i][0], out());
		cr_expect_str_eq(ymap_get(rule(0), "buffer")->str, map[i][1], "%s", map[i][0]);
	}
}

/* file.data is the body of the rule's direction. */
Test(rules_suricata, file_data_follows_the_flow_direction)
{
	conv("alert http any any -> any any (msg:\"req\"; flow:established,to_server; "
	     "file.data; content:\"a\"; sid:1;)\n"
	     "alert http any any -> any any (msg:\"resp\"; flow:established,to_client; "
	     "file_data; content:\"b\"; sid:2;)\n"
	     "alert http any any -> any any (msg:\"none\"; file.data; content:\"c\"; sid:3;)\n");
	cr_assert_eq(res.parsed, 3);
	cr_expect_str_eq(ymap_get(rule(0), "buffer")->str, "http.request_body");
	cr_expect_str_eq(ymap_get(rule(1), "buffer")->str, "http.response_body");
	cr_expect_str_eq(ymap_get(rule(2), "buffer")->str, "http.response_body");
	cr_expect_null(ymap_get(rule(0), "app_proto"));
}

/* Every pcre buffer flag names its buffer; the flag leaves the regex. */
Test(rules_suricata, pcre_buffer_flags_map_to_buffers)
{
	static const char *const map[][2] = {
		{"U", "http.uri"},	    {"I", "http.uri.raw"},	 {"H", "http.header"},
		{"D", "http.header.raw"},   {"M", "http.method"},	 {"C", "http.cookie"},
		{"P", "http.request_body"}, {"Q", "http.response_body"}, {"S", "http.status"},
		{"Y", "http.stat_msg"},	    {"V", "http.user_agent"},	 {"W", "http.host"},
		{"Z", "http.host.raw"},
	};
	char text[256];

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		snprintf(text, sizeof(text), HDR "(msg:\"f\"; pcre:\"/a\\;b/%si\"; sid:1;)\n",
			 map[i][0]);
		conv(text);
		cr_assert_eq(res.parsed, 1, "%s: %s", map[i][0], out());
		cr_expect_str_eq(ymap_get(rule(0), "buffer")->str, map[i][1], "%s", map[i][0]);
		cr_expect_str_eq(ymap_get(rule(0), "pcre")->str, "/a\\;b/i", "%s", map[i][0]);
	}
}

/* R, O, B and the other PCRE flags stay (B is Snort's, dropped); a lone
 * pcre with v1 flags becomes the rule-level pcre, others stay patterns. */
Test(rules_suricata, pcre_flags_relative_and_negation)
{
	cr_assert_str_eq(conv(HDR "(msg:\"r\"; content:\"a\"; pcre:\"/b/RBsmx\"; "
				  "pcre:!\"/c/OAEG\"; sid:1;)\n" HDR
				  "(msg:\"lone\"; pcre:\"/^abc/smi\"; sid:2;)\n"),
			 "- id: 1\n"
			 "  msg: \"r\"\n"
			 "  proto: tcp\n"
			 "  patterns:\n"
			 "    - content: \"a\"\n"
			 "    - pcre: \"/b/Rsmx\"\n"
			 "    - pcre: \"/c/OAEG\"\n"
			 "      not: true\n"
			 "- id: 2\n"
			 "  msg: \"lone\"\n"
			 "  proto: tcp\n"
			 "  pcre: \"/^abc/smi\"\n");
	conv(HDR "(msg:\"x\"; pcre:\"/b/K\"; sid:12;)\n" HDR "(msg:\"x\"; pcre:\"b\"; sid:13;)\n");
	cr_expect_str_eq(out(),
			 "t.rules:1:49: error: sid 12: unknown pcre flag 'K' (pcre)\n"
			 "t.rules:2:45: error: sid 13: expected \"/expression/flags\" (pcre)\n");
}

Test(rules_suricata, sticky_buffers_and_mixed_buffers)
{
	cr_assert_str_eq(
		conv(HDR
		     "(msg:\"s\"; http.uri; content:\"abc\"; http.header; content:\"h\"; "
		     "pkt_data; content:\"p\"; sid:1;)\n"
		     "alert dns any any -> any any (msg:\"d\"; dns_query; content:\"evil\"; "
		     "nocase; "
		     "sid:2;)\n"
		     "alert tls any any -> any any (msg:\"t\"; tls.sni; content:\"x\"; ja3.hash; "
		     "content:\"y\"; sid:3;)\n"),
		"- id: 1\n"
		"  msg: \"s\"\n"
		"  proto: tcp\n"
		"  patterns:\n"
		"    - content: \"abc\"\n"
		"      buffer: http.uri\n"
		"    - content: \"h\"\n"
		"      buffer: http.header\n"
		"    - content: \"p\"\n"
		"- id: 2\n"
		"  msg: \"d\"\n"
		"  buffer: dns.query\n"
		"  patterns:\n"
		"    - content: \"evil\"\n"
		"      nocase: true\n"
		"- id: 3\n"
		"  msg: \"t\"\n"
		"  proto: tcp\n"
		"  patterns:\n"
		"    - content: \"x\"\n"
		"      buffer: tls.sni\n"
		"    - content: \"y\"\n"
		"      buffer: tls.ja3\n");
}

Test(rules_suricata, snort3_spellings_and_service)
{
	cr_assert_str_eq(conv("alert http (msg:\"s3\"; http_uri; content:\"/a\", nocase, offset 1; "
			      "http_header; content:\"b\"; sid:11;)\n"
			      "alert tcp any any -> any any (msg:\"svc\"; service:http; "
			      "http_method; content:\"GET\"; uricontent:\"/x\"; sid:12;)\n"),
			 "- id: 11\n"
			 "  msg: \"s3\"\n"
			 "  proto: tcp\n"
			 "  patterns:\n"
			 "    - content: \"/a\"\n"
			 "      nocase: true\n"
			 "      offset: 1\n"
			 "      buffer: http.uri\n"
			 "    - content: \"b\"\n"
			 "      buffer: http.header\n"
			 "- id: 12\n"
			 "  msg: \"svc\"\n"
			 "  proto: tcp\n"
			 "  app_proto: \"http\"\n"
			 "  patterns:\n"
			 "    - content: \"GET\"\n"
			 "      buffer: http.method\n"
			 "    - content: \"/x\"\n"
			 "      buffer: http.uri\n");
}

Test(rules_suricata, tls_version_keyword)
{
	cr_assert_str_eq(
		conv("alert tls any any -> any any (msg:\"v\"; tls.version:1.0; sid:1;)\n"
		     "alert tls any any -> any any (msg:\"v\"; tls.version:1.2; tls.sni; "
		     "content:\"x\"; sid:2;)\n"
		     "alert tls any any -> any any (msg:\"v\"; tls.version:0x7f12; sid:3;)\n"),
		"- id: 1\n"
		"  msg: \"v\"\n"
		"  proto: tcp\n"
		"  buffer: tls.version\n"
		"  patterns:\n"
		"    - content: \"TLSv1\"\n"
		"- id: 2\n"
		"  msg: \"v\"\n"
		"  proto: tcp\n"
		"  patterns:\n"
		"    - content: \"TLS 1.2\"\n"
		"      buffer: tls.version\n"
		"    - content: \"x\"\n"
		"      buffer: tls.sni\n");
	cr_expect_str_eq(out(), "t.rules:3:52: error: sid 3: tls.version:0x7f12 has no equivalent "
				"(tls.version)\n");
}

Test(rules_suricata, snort3_header_fields_and_bufferlen)
{
	cr_assert_str_eq(conv("alert http (msg:\"ua\"; http_header:field user-agent; "
			      "content:\"curl\"; bufferlen:<20; service:http; sid:1;)\n"
			      "alert http (msg:\"x\"; http_header:field x-foo; content:\"a\"; "
			      "service:http; sid:2;)\n"),
			 "- id: 1\n"
			 "  msg: \"ua\"\n"
			 "  proto: tcp\n"
			 "  app_proto: \"http\"\n"
			 "  buffer: http.user_agent\n"
			 "  patterns:\n"
			 "    - content: \"curl\"\n"
			 "    - bsize: \"<20\"\n");
	cr_expect_str_eq(out(), "t.rules:2:34: error: sid 2: 'http_header:field x-foo' has no "
				"equivalent (http_header)\n");
}

Test(rules_suricata, header_protocols_and_keywords)
{
	cr_assert_str_eq(
		conv("alert tcp-pkt any any -> any any (msg:\"h\"; dsize:>100; ttl:<5; id:31337; "
		     "seq:0; ack:0; window:55808; flags:S,12; sid:5;)\n"
		     "alert icmpv6 any any -> any any (msg:\"i\"; itype:8; icode:0<>3; icmp_id:0; "
		     "icmp_seq:7; sid:6;)\n"
		     "alert pkthdr any any -> any any (msg:\"p\"; ip_proto:47; vlan.id:100; "
		     "fragbits:M+; sameip; sid:7;)\n"
		     "alert tcp-stream any any -> any any (msg:\"s\"; app-layer-protocol:!tls; "
		     "tcp.flags:A; sid:8;)\n"
		     "alert tcp any any -> any any (msg:\"d\"; dsize:10; content:\"a\"; sid:9;)\n"),
		"- id: 5\n"
		"  msg: \"h\"\n"
		"  proto: tcp\n"
		"  scope: packet\n"
		"  dsize: \">100\"\n"
		"  ttl: \"<5\"\n"
		"  ip_id: 31337\n"
		"  seq: 0\n"
		"  ack: 0\n"
		"  window: 55808\n"
		"  flags: \"S,12\"\n"
		"- id: 6\n"
		"  msg: \"i\"\n"
		"  proto: icmp\n"
		"  ip_proto: 58\n"
		"  itype: 8\n"
		"  icode: \"0<>3\"\n"
		"  icmp_id: 0\n"
		"  icmp_seq: 7\n"
		"- id: 7\n"
		"  msg: \"p\"\n"
		"  ip_proto: 47\n"
		"  vlan_id: 100\n"
		"  fragbits: \"M+\"\n"
		"  sameip: true\n"
		"- id: 8\n"
		"  msg: \"s\"\n"
		"  proto: tcp\n"
		"  scope: stream\n"
		"  app_proto: \"!tls\"\n"
		"  flags: \"A\"\n"
		"- id: 9\n"
		"  msg: \"d\"\n"
		"  proto: tcp\n"
		"  dsize: 10\n"
		"  scope: packet\n"
		"  patterns:\n"
		"    - content: \"a\"\n");
	cr_expect_str_eq(res.notes[4],
			 "dsize: the patterns look at single packets (scope: packet)");
}

/* `alert http` needs no app_proto when the rule looks at an http buffer. */
Test(rules_suricata, app_layer_headers)
{
	static const char *const protos[] = {"http", "dns", "tls", "ssh", "smtp", "ftp", "smb"};
	char text[256];

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		snprintf(text, sizeof(text), "alert %s any any -> any any (msg:\"a\"; sid:1;)\n",
			 protos[i]);
		conv(text);
		cr_assert_eq(res.parsed, 1, "%s", out());
		cr_expect_str_eq(ymap_get(rule(0), "app_proto")->str, protos[i]);
	}
	conv("alert http any any -> any any (msg:\"a\"; http.uri; content:\"x\"; sid:1;)\n");
	cr_expect_null(ymap_get(rule(0), "app_proto"));
	cr_expect_null(ymap_get(rule(0), "proto") ? NULL : rule(0), "proto tcp");
}

Test(rules_suricata, requires_skips_rules_silently)
{
	conv(HDR "(msg:\"r\"; requires: feature geoip; sid:9;)\n" HDR
		 "(msg:\"r2\"; requires: version >= 7.0.0; content:\"q\"; sid:10;)\n" HDR
		 "(msg:\"r3\"; requires: version >= 9; sid:11;)\n");
	cr_assert_eq(res.parsed, 1);
	cr_expect_eq(res.skipped, 2);
	cr_expect_eq(res.failed, 0);
	cr_expect_str_eq(out(), "");
}

Test(rules_suricata, dotprefix_and_urilen)
{
	cr_assert_str_eq(conv("alert dns any any -> any any (msg:\"d\"; dns.query; dotprefix; "
			      "content:\".ex-a.com\"; nocase; endswith; fast_pattern; sid:1;)\n"
			      "alert http any any -> any any (msg:\"u\"; urilen:<100; "
			      "http.uri; content:\"/x\"; sid:2;)\n"),
			 "- id: 1\n"
			 "  msg: \"d\"\n"
			 "  buffer: dns.query\n"
			 "  pcre: \"/(?:^|\\\\.)ex\\\\x2da\\\\x2ecom$/i\"\n"
			 "  patterns:\n"
			 "    - content: \"ex-a.com\"\n"
			 "      nocase: true\n"
			 "      fast_pattern: true\n"
			 "- id: 2\n"
			 "  msg: \"u\"\n"
			 "  proto: tcp\n"
			 "  buffer: http.uri\n"
			 "  patterns:\n"
			 "    - bsize: \"<100\"\n"
			 "    - content: \"/x\"\n");
}

/* Each failure names file:line:col, the sid and the keyword; the other
 * rules of the file load; the summary counts failures by keyword. */
Test(rules_suricata, bad_input_exact_messages)
{
	conv(HDR "(msg:\"x\"; content:\"a|4\"; sid:1;)\n" HDR
		 "(msg:\"x\"; content:\"a\\x\"; sid:2;)\n" HDR
		 "(msg:\"x\"; content:\"abc; sid:3;)\n" HDR
		 "(msg:\"x\"; content:\"abc\"; sid:4;\n" HDR "(msg:\"x\"; nocase; sid:5;)\n" HDR
		 "(msg:\"x\"; content:\"a\";)\n"
		 "alert tcp any any => any any (msg:\"x\"; sid:7;)\n"
		 "alert tcp ![1.1.1.1,!2.2.2.2] any -> any any (msg:\"x\"; sid:8;)\n"
		 "alert sctp any any -> any any (msg:\"x\"; sid:10;)\n" HDR
		 "(msg:\"x\"; content:\"abc\"; sid:14;) junk\n" HDR
		 "(msg:\"x\"; luajit:foo.lua; sid:15;)\n" HDR
		 "(msg:\"x\"; luajit:bar.lua; sid:16;)\n" HDR
		 "(msg:\"ok\"; content:\"fine\"; sid:17;)\n" HDR
		 "(msg:\"x\"; flow:to_server,only_frag; sid:18;)\n");
	cr_expect_str_eq(
		out(),
		"t.rules:1:52: error: sid 1: '\"' is not a hex digit (content)\n"
		"t.rules:2:50: error: sid 2: invalid escape '\\x' (only \\; \\\" \\\\ \\: are "
		"allowed) (content)\n"
		"t.rules:3:48: error: sid 3: missing closing quote (content)\n"
		"t.rules:4:60: error: sid 4: missing ')' at the end of the rule (syntax)\n"
		"t.rules:5:40: error: sid 5: 'nocase' without a content before it (nocase)\n"
		"t.rules:6:1: error: rule without a sid (sid)\n"
		"t.rules:7:19: error: sid 7: expected '->' or '<>' (syntax)\n"
		"t.rules:8:22: error: sid 8: '!' inside a negated group cannot be expressed (src)\n"
		"t.rules:9:7: error: sid 10: protocol 'sctp' has no equivalent (protocol)\n"
		"t.rules:10:64: error: sid 14: text after the closing ')' (syntax)\n"
		"t.rules:11:40: error: sid 15: keyword 'luajit' has no equivalent (luajit)\n"
		"t.rules:12:40: error: sid 16: keyword 'luajit' has no equivalent (luajit)\n"
		"t.rules:14:45: error: sid 18: flow option 'only_frag' has no equivalent (flow)\n");
	cr_expect_eq(res.parsed, 1);
	cr_expect_str_eq(ymap_get(rule(0), "id")->str, "17");
	cr_expect_eq(res.failed, 13);
	cr_assert_geq(res.n_fails, 3);
	cr_expect_str_eq(res.fails[0].keyword, "content");
	cr_expect_eq(res.fails[0].count, 3);
	for (size_t i = 0; i < res.n_fails; i++)
		if (strcmp(res.fails[i].keyword, "luajit") == 0)
			cr_expect_eq(res.fails[i].count, 2);
}

/* Hostile text never crashes: every prefix of a rich rule, and bytes. */
Test(rules_suricata, hostile_input_is_reported)
{
	static const char rich[] =
		"alert tcp [$HOME_NET,![1.1.1.1,2.2.2.2]] [80:90,!85] -> any any (msg:\"a\\;b\"; "
		"content:\"a|00 01|b\\\\\"; nocase; http_uri; pcre:\"/x/Ui\"; flow:established; "
		"metadata:a b, c d; sid:1;)\n";
	char buf[sizeof(rich)];

	for (size_t n = 0; n < sizeof(rich) - 1; n++) {
		memcpy(buf, rich, n);
		suri_result_free(&res);
		cr_assert_eq(suri_parse_buffer("h.rules", buf, n, NULL, &res, &d), 0);
		cr_assert_leq(res.parsed, 1);
	}
	suri_result_free(&res);
	cr_assert_eq(suri_parse_buffer("h.rules", "alert\0tcp", 9, NULL, &res, &d), 0);
	cr_expect_eq(res.failed, 1);
}

/* A .rules file goes through the YAML rule loader: v1 fields land in the
 * rule, errors of the loader name the .rules file. */
Test(rules_suricata, loads_through_the_rule_loader)
{
	static const char text[] =
		"alert tcp $HOME_NET any -> !$HOME_NET [80,8080] (msg:\"ET x\\; y\"; "
		"content:\"GET |2f|\"; depth:5; http_uri; content:\"evil\"; nocase; "
		"http_uri; "
		"sid:2000001; "
		"rev:3; metadata:created_at 2020_01_01;)\n"
		"alert udp any any -> any 53 (msg:\"p\"; pcre:\"/a+b/i\"; sid:2000002;)\n";
	char path[RULES_PATH_LEN];
	struct ruleset rs;
	const struct rule *r;

	cr_assert_eq(load_rules_text(&rs, path, text), 0, "%s", out());
	unlink(path);
	cr_assert_eq(rs.n, 2);
	r = rs.rules[0];
	cr_expect_eq(r->pub.id, 2000001);
	cr_expect_eq(r->pub.rev, 3);
	cr_expect_str_eq(r->pub.msg, "ET x; y");
	cr_expect_eq(r->proto, RULE_PROTO_TCP);
	cr_expect_eq(r->n_patterns, 2);
	cr_expect_eq(r->patterns[0].len, 5);
	cr_expect_eq(memcmp(r->patterns[0].bytes, "GET /", 5), 0);
	cr_expect(r->patterns[0].has_depth);
	cr_expect_eq(r->patterns[0].depth, 5);
	cr_expect(r->patterns[1].nocase);
	cr_expect_str_eq(r->buffer, "http.uri");
	cr_expect_eq(r->src.n, 3);
	cr_expect_eq(r->dport.n, 2);
	cr_expect_str_eq(r->pub.file, path);
	cr_expect_eq(r->pub.line, 1);
	cr_expect_str_eq(rs.rules[1]->pcre, "a+b");
	ruleset_free(&rs);
}

/* `alert dns` payload rules get scope auto (TCP on the stream, UDP per
 * packet, as Suricata inspects them); on a buffer, or with dsize, not. */
static const char *key_text(const struct ynode *r, const char *key)
{
	const struct ynode *n = ymap_get(r, key);

	return n && n->type == YNODE_SCALAR ? n->str : "(none)";
}

Test(rules_suricata, alert_dns_payload_rules_get_scope_auto)
{
	conv("alert dns any any -> any any (msg:\"a\"; content:\"x\"; sid:1;)\n"
	     "alert dns any any -> any any (msg:\"b\"; dns.query; content:\"x\"; sid:2;)\n"
	     "alert dns any any -> any any (msg:\"c\"; content:\"x\"; dsize:>4; sid:3;)\n"
	     "alert dns any any -> any any (msg:\"d\"; content:\"x\"; depth:4; sid:4;)\n"
	     "alert udp any any -> any any (msg:\"e\"; content:\"x\"; sid:5;)\n");
	cr_expect_str_eq(key_text(rule(0), "scope"), "auto");
	cr_expect_str_eq(key_text(rule(1), "scope"), "(none)");
	cr_expect_str_eq(key_text(rule(2), "scope"), "(none)");
	cr_expect_str_eq(key_text(rule(3), "scope"), "auto");
	cr_expect_str_eq(key_text(rule(3), "stream_offsets"), "chunk");
	cr_expect_str_eq(key_text(rule(4), "scope"), "(none)");
	cr_expect_str_eq(out(), "");
}

/* Suricata's address ranges, plain and negated, become the CIDR blocks
 * that cover them; a reversed range is reported with its place. */
Test(rules_suricata, address_ranges_load_as_cidr_blocks)
{
	const char *text =
		"alert ip 2001:db8::1-2001:db8::ff any -> any any (sid:1;)\n"
		"alert ip [198.18.0.0/16,!198.18.0.4-198.18.0.7] any -> any any (sid:2;)\n"
		"alert ip 198.18.0.9-198.18.0.1 any -> any any (sid:3;)\n";
	char path[RULES_PATH_LEN];
	struct ruleset rs;

	cr_assert_eq(load_rules_text(&rs, path, text), 1, "%s", out());
	cr_assert_eq(rs.n, 2);
	cr_expect_eq(rs.rules[0]->src.n, 8);
	cr_expect_eq(rs.rules[1]->src.n, 2);
	cr_expect(rs.rules[1]->src.blocks[1].negated);
	cr_expect_eq(rs.rules[1]->src.blocks[1].prefix, 30);
	cr_expect(strstr(out(), ":3:10: error: rule 3: address range '198.18.0.9-198.18.0.1' ends "
				"before it starts"),
		  "%s", out());
	unlink(path);
	ruleset_free(&rs);
}

/* Sticky buffers switching mid-rule and legacy modifiers make one
 * multi-buffer rule: each pattern keeps its buffer, relative keywords stay
 * in theirs, the rule's buffer is its fast_pattern's. */
Test(rules_suricata, several_buffers_make_one_multi_buffer_rule)
{
	static const char text[] =
		"alert http any any -> any any (msg:\"sticky\"; "
		"flow:established,to_server; "
		"http.method; content:\"POST\"; http.uri; content:\"/gate.php\"; "
		"content:\"id=\"; distance:0; http.header; content:\"X-Bot|3a 20|\"; "
		"fast_pattern; sid:3000001;)\n"
		"alert http any any -> any any (msg:\"legacy\"; "
		"flow:established,to_client; "
		"content:\"/admin\"; http_uri; content:\"403\"; http_stat_code; "
		"sid:3000002;)\n";
	char path[RULES_PATH_LEN];
	struct ruleset rs;
	const struct rule *r;

	cr_assert_eq(load_rules_text(&rs, path, text), 0, "%s", out());
	unlink(path);
	cr_assert_eq(rs.n, 2);
	r = rs.rules[0];
	cr_expect_eq(r->n_buffers, 3);
	cr_expect_str_eq(r->buffer, "http.header");
	cr_expect_str_eq(r->patterns[0].buffer, "http.method");
	cr_expect_str_eq(r->patterns[1].buffer, "http.uri");
	cr_expect_str_eq(r->patterns[2].buffer, "http.uri");
	cr_expect(r->patterns[2].has_distance);
	cr_expect_str_eq(r->patterns[3].buffer, "http.header");
	r = rs.rules[1];
	cr_expect_eq(r->n_buffers, 2);
	cr_expect_str_eq(r->buffers[0], "http.uri");
	cr_expect_str_eq(r->buffers[1], "http.status");
	cr_expect_eq(r->pub.n_buffers, 2);
	ruleset_free(&rs);
}

/* Contents before the first sticky buffer are on the payload: with
 * buffers they make a multi-buffer rule naming pkt_data (ET Open sid
 * 2012129's shape); the rule goes to the plugin of its first other
 * buffer, and a payload fast_pattern keeps the prefilter on pkt_data. */
Test(rules_suricata, payload_with_buffers_is_a_multi_buffer_rule)
{
	static const char text[] =
		"alert http any any -> any any (msg:\"mixed\"; flow:established,to_server; "
		"content:\"../\"; depth:200; http.method; content:\"GET\"; http.uri; "
		"content:\"/modules/x.php?\"; nocase; content:\"name=\"; sid:3000003;)\n"
		"alert http any any -> any any (msg:\"fp\"; flow:established,to_client; "
		"content:\"|0d 0a 0d 0a|MZ\"; fast_pattern; http.stat_code; "
		"content:\"200\"; "
		"file.data; content:\"PE\"; sid:3000004;)\n";
	char path[RULES_PATH_LEN];
	struct ruleset rs;
	const struct rule *r;

	cr_assert_eq(load_rules_text(&rs, path, text), 0, "%s", out());
	unlink(path);
	cr_assert_eq(rs.n, 2);
	r = rs.rules[0];
	cr_expect_eq(r->n_buffers, 3);
	cr_expect_str_eq(r->buffers[0], "http.uri");
	cr_expect_str_eq(r->buffers[1], "pkt_data");
	cr_expect_str_eq(r->buffers[2], "http.method");
	cr_expect_str_eq(r->buffer, "http.uri");
	cr_expect_str_eq(r->patterns[0].buffer, "pkt_data");
	cr_expect(r->patterns[0].has_depth);
	cr_expect_eq(r->patterns[0].depth, 200);
	cr_expect_str_eq(r->patterns[1].buffer, "http.method");
	cr_expect_str_eq(r->patterns[2].buffer, "http.uri");
	cr_expect(r->patterns[2].nocase);
	cr_expect_str_eq(r->patterns[3].buffer, "http.uri");
	r = rs.rules[1];
	cr_expect_eq(r->n_buffers, 3);
	cr_expect_str_eq(r->buffers[0], "pkt_data");
	cr_expect_str_eq(r->buffer, "http.status");
	cr_expect_str_eq(r->pub.buffer, "http.status");
	cr_expect_eq(r->pub.n_buffers, 3);
	ruleset_free(&rs);
}

#ifndef CORPUS_DIR
#define CORPUS_DIR SOURCE_DIR "/../shared/corpus"
#endif

/* The enabled ET Open set: at least the figure of docs/corpus.md parses. */
Test(rules_suricata, et_open_parses)
{
	static const char *const dirs[] = {"/rules/et-open-suricata-5.0"};
	const char *base = getenv("SENSOR_CORPUS_DIR") ? getenv("SENSOR_CORPUS_DIR") : CORPUS_DIR;
	char dir[4096], cmd[8300];
	unsigned parsed = 0, failed = 0;
	FILE *ls;
	char line[4096];

	snprintf(dir, sizeof(dir), "%s%s", base, dirs[0]);
	if (access(dir, R_OK) != 0)
		cr_skip_test("ET Open not found at %s (set SENSOR_CORPUS_DIR): skipped", dir);
	snprintf(cmd, sizeof(cmd), "ls '%s'/*.rules", dir);
	ls = popen(cmd, "r");
	cr_assert_not_null(ls);
	d.quiet = 1;
	while (fgets(line, sizeof(line), ls)) {
		line[strcspn(line, "\n")] = '\0';
		suri_result_free(&res);
		cr_assert_eq(suri_parse_file(line, NULL, &res, &d), 0, "%s", line);
		parsed += res.parsed;
		failed += res.failed;
	}
	pclose(ls);
	printf("ET Open: %u rules parsed into trees, %u failed\n", parsed, failed);
	cr_expect_eq(parsed + failed, 24827);
	cr_expect_geq(parsed, 24827);
}

/* The enabled ET Open set through the rule loader (rules.c, with the
 * classification file the set ships): at least the figure of
 * docs/corpus.md loads, multi-buffer rules included. */
Test(rules_suricata, et_open_loads)
{
	const char *base = getenv("SENSOR_CORPUS_DIR") ? getenv("SENSOR_CORPUS_DIR") : CORPUS_DIR;
	char dir[4000], cmd[8300], line[4200];
	struct ruleset rs;
	size_t multi = 0;
	FILE *ls;

	snprintf(dir, sizeof(dir), "%s/rules/et-open-suricata-5.0", base);
	if (access(dir, R_OK) != 0)
		cr_skip_test("ET Open not found at %s (set SENSOR_CORPUS_DIR): skipped", dir);
	snprintf(line, sizeof(line), "%s/classification.config", dir);
	cr_assert_eq(rule_class_load(line, &d), 0);
	snprintf(cmd, sizeof(cmd), "ls '%s'/*.rules", dir);
	ls = popen(cmd, "r");
	cr_assert_not_null(ls);
	d.quiet = 1;
	ruleset_init(&rs);
	while (fgets(line, sizeof(line), ls)) {
		line[strcspn(line, "\n")] = '\0';
		ruleset_load_file(&rs, line, "signature", &d);
	}
	pclose(ls);
	for (size_t i = 0; i < rs.n; i++)
		multi += rs.rules[i]->n_buffers > 1;
	printf("ET Open: %zu rules loaded (%zu on several buffers)\n", rs.n, multi);
	cr_expect_geq(rs.n, 24819);
	cr_expect_geq(multi, 5415);
	ruleset_free(&rs);
	rule_class_free();
}

/* ------------------------------------------------------------ side files */

static const char *tmp_file(const char *name, const char *text)
{
	static char paths[4][256];
	static int next;
	char *p = paths[next++ % 4];
	FILE *f;

	snprintf(p, 256, "/tmp/test_rules_suricata_%d_%s", (int)getpid(), name);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* Parse with side files; returns the conf (freed by the caller). */
static struct suri_conf *conv_with(const struct suri_files *files, const char *text)
{
	struct suri_conf *conf = suri_conf_load(files, &d);
	size_t len = 0;
	FILE *f;

	cr_assert_not_null(conf);
	suri_result_free(&res);
	free(yaml);
	cr_assert_eq(suri_parse_buffer("t.rules", text, strlen(text), conf, &res, &d), 0);
	f = open_memstream(&yaml, &len);
	ytree_write(f, ymap_get(res.root, "rules"), 0);
	fclose(f);
	return conf;
}

Test(rules_suricata, reference_config_validates_types)
{
	struct suri_files files = {
		.reference_file =
			tmp_file("reference.config",
				 "# comment\nconfig reference: url https://\n"
				 "config reference: cve https://cve.example/?\nbroken line\n")};
	struct suri_conf *conf = conv_with(
		&files, HDR "(msg:\"r\"; reference:url,example.com; reference:CVE,2021-1; "
			    "reference:foo,bar; sid:1;)\n");

	cr_expect_eq(res.parsed, 1);
	cr_expect_eq(ymap_get(rule(0), "reference")->n, 3);
	cr_expect_not_null(strstr(out(), "reference.config:4: error: expected 'config reference: "
					 "NAME URL-PREFIX' (line ignored)\n"),
			   "%s", out());
	cr_expect_not_null(strstr(out(), "t.rules:1:99: warning: sid 1: reference type 'foo' is "
					 "not in reference.config\n"),
			   "%s", out());
	cr_expect_eq(d.warnings, 1);
	unlink(files.reference_file);
	suri_conf_free(conf);
}

Test(rules_suricata, threshold_config_thresholds_and_suppressions)
{
	struct suri_files files = {
		.threshold_file = tmp_file(
			"threshold.config",
			"threshold gen_id 1, sig_id 1, type limit, track by_src, count 1, seconds "
			"60\n"
			"threshold gen_id 0, sig_id 0, type both, track by_dst, count 5, seconds "
			"10\n"
			"suppress gen_id 1, sig_id 2, track by_src, ip 198.18.0.0/15\n"
			"suppress gen_id 1, sig_id 3\n"
			"rate_filter gen_id 1, sig_id 4, track by_rule, count 100, seconds 60, "
			"new_action drop, timeout 30\n"
			"threshold gen_id 1, sig_id 5, type sometimes, track by_src, count 1, "
			"seconds 1\n"
			"limit everything\n")};
	struct suri_conf *conf = conv_with(
		&files,
		HDR "(msg:\"own\"; threshold:type threshold, track by_src, count 9, "
		    "seconds 9; sid:1;)\n" HDR "(msg:\"s\"; sid:2;)\n" HDR
		    "(msg:\"n\"; detection_filter:track by_src, count 2, seconds 5; sid:3;)\n");

	cr_assert_eq(res.parsed, 3);
	cr_expect_str_eq(yaml, "- id: 1\n"
			       "  msg: \"own\"\n"
			       "  proto: tcp\n"
			       "  threshold:\n"
			       "    type: \"limit\"\n"
			       "    track: \"by_src\"\n"
			       "    count: 1\n"
			       "    seconds: 60\n"
			       "  scope: packet\n"
			       "- id: 2\n"
			       "  msg: \"s\"\n"
			       "  proto: tcp\n"
			       "  scope: packet\n"
			       "  threshold:\n"
			       "    type: \"both\"\n"
			       "    track: \"by_dst\"\n"
			       "    count: 5\n"
			       "    seconds: 10\n"
			       "  suppress:\n"
			       "    - track: \"by_src\"\n"
			       "      ip: \"198.18.0.0/15\"\n"
			       "- id: 3\n"
			       "  msg: \"n\"\n"
			       "  proto: tcp\n"
			       "  detection_filter:\n"
			       "    track: \"by_src\"\n"
			       "    count: 2\n"
			       "    seconds: 5\n"
			       "  scope: packet\n"
			       "  noalert: true\n");
	cr_expect_not_null(strstr(out(), "threshold.config:5: warning: rate_filter only changes"),
			   "%s", out());
	cr_expect_not_null(strstr(out(), "threshold.config:6: error: bad option 'type sometimes' "
					 "(line ignored)\n"),
			   "%s", out());
	cr_expect_not_null(strstr(out(), "threshold.config:7: error: 'limit' is not threshold, "
					 "event_filter, suppress or rate_filter (line ignored)\n"),
			   "%s", out());
	unlink(files.threshold_file);
	suri_conf_free(conf);
}

Test(rules_suricata, enable_and_disable_lists)
{
	struct suri_files files = {
		.enable_file = tmp_file("enable.conf", "# enable these\n10\n1:11\nre:heartbleed\n"),
		.disable_file = tmp_file("disable.conf", "2\n3:4\nre:ET\\s+POLICY\n11\n"
							 "group:emerging-info.rules\n")};
	struct suri_conf *conf = conv_with(
		&files, HDR "(msg:\"keep\"; sid:1;)\n" HDR "(msg:\"off by sid\"; sid:2;)\n" HDR
			    "(msg:\"gid 3\"; gid:3; sid:4;)\n" HDR "(msg:\"gid 1\"; sid:4;)\n" HDR
			    "(msg:\"et policy thing\"; sid:5;)\n"
			    "# alert tcp any any -> any any (msg:\"on by sid\"; sid:10;)\n"
			    "#alert tcp any any -> any any (msg:\"on then off\"; sid:11;)\n"
			    "# alert tcp any any -> any any (msg:\"HeartBleed\"; sid:12;)\n"
			    "# alert tcp any any -> any any (msg:\"stays off\"; sid:13;)\n");

	cr_assert_eq(res.parsed, 4, "%s", yaml);
	cr_expect_str_eq(ymap_get(rule(0), "id")->str, "1");
	cr_expect_str_eq(ymap_get(rule(1), "id")->str, "4");
	cr_expect_str_eq(ymap_get(rule(1), "msg")->str, "gid 1");
	cr_expect_str_eq(ymap_get(rule(2), "id")->str, "10");
	cr_expect_eq(ymap_get(rule(2), "id")->line, 6);
	cr_expect_str_eq(ymap_get(rule(3), "id")->str, "12");
	cr_expect_eq(res.skipped, 4);
	cr_expect_not_null(strstr(out(),
				  "disable.conf:5: error: expected SID, GID:SID or re:REGEX "
				  "(group: and file names are not supported; line ignored)\n"),
			   "%s", out());
	unlink(files.enable_file);
	unlink(files.disable_file);
	suri_conf_free(conf);
}

/* decode-event / stream-event name the sensor's anomaly events;
 * app-layer-event also a plugin's event. */
Test(rules_suricata, event_rules_name_anomalies)
{
	conv("alert pkthdr any any -> any any (msg:\"t\"; decode-event:ipv4.trunc_pkt; sid:1;)\n"
	     "alert ipv6 any any -> any any (msg:\"f\"; decode-event:ipv6.frag_pkt_too_large; "
	     "sid:2;)\n"
	     "alert tcp any any -> any any (msg:\"o\"; "
	     "stream-event:reassembly_overlap_different_data; "
	     "sid:3;)\n"
	     "alert tcp any any -> any any (msg:\"w\"; stream-event:est_packet_out_of_window; "
	     "sid:4;)\n"
	     "alert igmp any any -> any any (msg:\"g\"; decode-event:ipv4.trunc_pkt; sid:5;)\n"
	     "alert ipv6 any any -> any any (msg:\"u\"; decode-event:ipv6.unknown_next_header; "
	     "sid:6;)\n"
	     "alert tcp any any -> any any (msg:\"a\"; "
	     "app-layer-event:http.request_field_too_long; "
	     "sid:7;)\n");
	cr_assert_eq(res.parsed, 6, "%s", out());
	cr_expect_str_eq(ymap_get(rule(0), "anomaly")->str, "decoder.ipv4.trunc_pkt");
	/* a plugin's app-layer event: checked against the plugins later */
	cr_expect_str_eq(ymap_get(rule(5), "anomaly")->str, "http.request_field_too_long");
	cr_expect_str_eq(ymap_get(rule(1), "anomaly")->str, "decoder.ipv6.frag_too_large");
	cr_expect_str_eq(res.notes[1], "protocol ipv6: the rule applies to IPv4 and IPv6");
	cr_expect_str_eq(ymap_get(rule(2), "anomaly")->str,
			 "stream.reassembly_overlap_different_data");
	cr_expect_str_eq(ymap_get(rule(3), "anomaly")->str, "stream.pkt_out_of_window");
	cr_expect_str_eq(ymap_get(rule(4), "ip_proto")->str, "2");
	cr_expect_str_eq(out(),
			 "t.rules:6:54: error: sid 6: decoder event 'ipv6.unknown_next_header' "
			 "is not raised by this sensor (decode-event)\n");
}

/* The loader's own errors on a .rules tree point at the .rules column. */
Test(rules_suricata, loader_errors_name_the_rules_column)
{
	static const char text[] =
		"alert tcp any any -> any any (msg:\"x\"; pcre:\"/ab(c/i\"; sid:2;)\n";
	char path[RULES_PATH_LEN];
	char want[512];
	struct ruleset rs;

	cr_expect_eq(load_rules_text(&rs, path, text), 1);
	snprintf(want, sizeof(want),
		 "%s:1:51: error: rule 2: bad regex: missing closing parenthesis at offset 4\n",
		 path);
	cr_expect_str_eq(out(), want);
	unlink(path);
	ruleset_free(&rs);
}

/* dns.opcode and dns.rrtype become byte_test (a negated opcode range a
 * pcre byte class) on the dns plugin's binary buffers; Suricata 8's dns
 * name buffers map to the plugin's. */
Test(rules_suricata, dns_integer_keywords_and_name_buffers)
{
	cr_assert_str_eq(conv("alert dns any any -> any any (msg:\"a\"; dns.opcode:!0; sid:1;)\n"
			      "alert dns any any -> any any (msg:\"b\"; dns.opcode:!3-5; sid:2;)\n"
			      "alert dns any any -> any any (msg:\"c\"; dns.rrtype:AAAA; sid:3;)\n"
			      "alert dns any any -> any any (msg:\"d\"; dns.rrtype:7-15; sid:4;)\n"
			      "alert dns any any -> any any (msg:\"e\"; dns.answers.rrname; "
			      "content:\"x\"; sid:5;)\n"
			      "alert dns any any -> any any (msg:\"f\"; dns.queries.rrname; "
			      "content:\"y\"; sid:6;)\n"
			      "alert dns any any -> any any (msg:\"g\"; dns.rrtype:!1-5; sid:7;)\n"
			      "alert dns any any -> any any (msg:\"h\"; dns.opcode:256; sid:8;)\n"),
			 "- id: 1\n"
			 "  msg: \"a\"\n"
			 "  buffer: dns.opcode\n"
			 "  patterns:\n"
			 "    - byte_test: \"1,!=,0,0\"\n"
			 "- id: 2\n"
			 "  msg: \"b\"\n"
			 "  buffer: dns.opcode\n"
			 "  pcre: \"/^[\\\\x00-\\\\x03\\\\x05-\\\\xff]/s\"\n"
			 "- id: 3\n"
			 "  msg: \"c\"\n"
			 "  buffer: dns.rrtype\n"
			 "  patterns:\n"
			 "    - byte_test: \"2,=,28,0\"\n"
			 "- id: 4\n"
			 "  msg: \"d\"\n"
			 "  buffer: dns.rrtype\n"
			 "  patterns:\n"
			 "    - byte_test: \"2,>,7,0\"\n"
			 "    - byte_test: \"2,<,15,0\"\n"
			 "- id: 5\n"
			 "  msg: \"e\"\n"
			 "  buffer: dns.answer.name\n"
			 "  patterns:\n"
			 "    - content: \"x\"\n"
			 "- id: 6\n"
			 "  msg: \"f\"\n"
			 "  buffer: dns.queries.rrname\n"
			 "  patterns:\n"
			 "    - content: \"y\"\n");
	cr_expect_eq(res.failed, 2);
	cr_expect_str_eq(out(),
			 "t.rules:7:51: error: sid 7: a negated range of dns.rrtype has no "
			 "equivalent (dns.rrtype)\n"
			 "t.rules:8:51: error: sid 8: number out of range (0..255) (dns.opcode)\n");
}

/* base64_decode becomes a pattern on the current buffer (the sticky one,
 * else the last content's); base64_data adds nothing: the patterns after
 * the decode look at its bytes, on its buffer. */
Test(rules_suricata, base64_decode_and_base64_data)
{
	cr_assert_str_eq(
		conv("alert http any any -> any any (msg:\"b\"; http.request_body; "
		     "content:\"<d>\"; base64_decode:bytes 30, offset 0, relative; base64_data; "
		     "content:\"x\"; sid:1;)\n"
		     "alert http any any -> any any (msg:\"b\"; content:\"<d>\"; http_client_body; "
		     "base64_decode; base64_data; content:\"y\"; sid:2;)\n"),
		"- id: 1\n"
		"  msg: \"b\"\n"
		"  proto: tcp\n"
		"  buffer: http.request_body\n"
		"  patterns:\n"
		"    - content: \"<d>\"\n"
		"    - base64_decode: \"bytes 30, offset 0, relative\"\n"
		"    - content: \"x\"\n"
		"- id: 2\n"
		"  msg: \"b\"\n"
		"  proto: tcp\n"
		"  buffer: http.request_body\n"
		"  patterns:\n"
		"    - content: \"<d>\"\n"
		"    - base64_decode: \"offset 0\"\n"
		"    - content: \"y\"\n");
	conv(HDR "(msg:\"x\"; content:\"a\"; base64_data; content:\"b\"; sid:3;)\n");
	cr_expect_str_eq(out(), "t.rules:1:53: error: sid 3: base64_data must follow base64_decode "
				"directly (base64_data)\n");
}

/* ------------------------------------------------------ duplicate sids */

/* The rule of id `id` in rs, or NULL. */
static const struct rule *rule_by_id(const struct ruleset *rs, uint32_t id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->rules[i]->pub.id == id)
			return rs->rules[i];
	return NULL;
}

/* Suricata's way with a sid twice in .rules files: the higher rev replaces
 * the lower (a warning names both lines), an equal or lower rev is refused
 * (the first stays), another gid is refused (ids stay unique here). */
Test(rules_suricata, duplicate_sid_higher_rev_replaces)
{
	static const char text[] =
		HDR "(msg:\"one\"; content:\"a\"; sid:1;)\n"		  /* rev 1 */
		HDR "(msg:\"one v2\"; content:\"b\"; sid:1; rev:2;)\n"	  /* replaces */
		HDR "(msg:\"one again\"; content:\"c\"; sid:1; rev:2;)\n" /* refused */
		HDR "(msg:\"one old\"; content:\"d\"; sid:1; rev:1;)\n"	  /* refused */
		HDR "(msg:\"two\"; content:\"e\"; sid:2;)\n" HDR
		    "(msg:\"two gid 3\"; content:\"f\"; gid:3; sid:2; rev:5;)\n"; /* refused */
	char path[RULES_PATH_LEN], want[2048];
	struct ruleset rs;
	const struct rule *r;

	cr_assert_eq(load_rules_text(&rs, path, text), 3, "%s", out());
	unlink(path);
	cr_assert_eq(rs.n, 2);
	cr_expect_eq(rs.n_failed, 3);
	r = rule_by_id(&rs, 1);
	cr_assert_not_null(r);
	cr_expect_eq(r->pub.rev, 2);
	cr_expect_str_eq(r->pub.msg, "one v2");
	cr_expect_eq(r->pub.line, 2);
	cr_expect_eq(rule_by_id(&rs, 2)->pub.gid, 1);
	snprintf(want, sizeof(want),
		 "%s:2:%d: warning: rule 1: rev 2 here replaces rev 1 at %s:1 (Suricata keeps "
		 "the higher rev)\n"
		 "%s:3:%d: error: rule 1: duplicate sid, rev 2 (first defined at %s:2 with rev "
		 "2, which stays: Suricata keeps the higher rev, the first of equal ones)\n"
		 "%s:4:%d: error: rule 1: duplicate sid, rev 1 (first defined at %s:2 with rev "
		 "2, which stays: Suricata keeps the higher rev, the first of equal ones)\n"
		 "%s:6:%d: error: rule 2: duplicate id (first defined at %s:5, gid 1)\n",
		 path, 62, path, path, 65, path, path, 63, path, path, 72, path);
	cr_expect_str_eq(out(), want);
	ruleset_free(&rs);
}

/* The replacement keeps the rank order (pass rules first) of the set. */
Test(rules_suricata, duplicate_sid_replacement_keeps_the_order)
{
	static const char text[] =
		HDR "(msg:\"a\"; content:\"a\"; sid:1;)\n"
		    "pass tcp any any -> any any (msg:\"p\"; content:\"p\"; sid:2;)\n" HDR
		    "(msg:\"c\"; content:\"c\"; sid:3;)\n"
		    "pass tcp any any -> any any (msg:\"a2\"; content:\"a\"; sid:1; "
		    "rev:2;)\n";
	char path[RULES_PATH_LEN];
	struct ruleset rs;

	cr_assert_eq(load_rules_text(&rs, path, text), 0, "%s", out());
	unlink(path);
	cr_assert_eq(rs.n, 3);
	cr_expect_eq(rs.rules[0]->pub.id, 2);
	cr_expect_eq(rs.rules[1]->pub.id, 1);
	cr_expect_str_eq(rs.rules[1]->pub.msg, "a2");
	cr_expect_eq(rs.rules[2]->pub.id, 3);
	ruleset_free(&rs);
}
