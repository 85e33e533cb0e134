/*
 * test_matcher.c - the matcher (sensor/detect/matcher.c): contents, regexes,
 * pcre confirmation, offset/depth bounds, rule headers, report order and
 * per-thread scratch. Rules are built by hand (the YAML loader is tested on
 * its own, helpers in matcher_fixture.h); the packet is TCP
 * 198.18.0.1:40000 -> 198.18.0.2:80 to_server unless a test changes it.
 */
#include "matcher_fixture.h"

TestSuite(matcher, .fini = fix_fini);

/* ------------------------------------------------------------ contents */

Test(matcher, content_matches_exact_bytes_only)
{
	struct ids_matcher *m;
	struct hits h;
	struct ids_packet p = packet();

	content(rule_new(1001), "GET /admin");
	m = compile_all();
	cr_assert_eq(scan_pkt(m, &p, "xxGET /adminyy", 14, &h), 1);
	cr_assert_eq(h.ids[0], 1001);
	cr_assert_eq(hits_on(m, "GET /admi"), 0);
	cr_assert_eq(hits_on(m, "get /admin"), 0);
	cr_assert_eq(hits_on(m, ""), 0);
	cr_assert_eq(matcher_pattern_count(m), 1);
	cr_assert_eq(matcher_rule_count(m), 1);
}

Test(matcher, content_nocase_ignores_case)
{
	struct ids_matcher *m;

	content(rule_new(1), "GET /admin")->nocase = true;
	content(rule_new(2), "GET /admin");
	m = compile_all();
	cr_assert_eq(hits_on(m, "get /ADMIN"), 1);
	cr_assert_eq(hits_on(m, "GET /admin"), 2);
	cr_assert_eq(hits_on(m, "get /ADMI"), 0);
}

Test(matcher, content_with_nul_bytes)
{
	static const uint8_t pat[] = {0x00, 0x01, 0x00, 'a', 0xff};
	static const uint8_t yes[] = {'x', 0x00, 0x01, 0x00, 'a', 0xff, 'y'};
	static const uint8_t no[] = {0x00, 0x01, 'a', 0xff, 0x00, 0x01, 0x00, 'a'};
	struct ids_packet p = packet();
	struct ids_matcher *m;
	struct hits h;

	pat_add(rule_new(7), PAT_CONTENT, pat, sizeof(pat));
	m = compile_all();
	cr_assert_eq(scan_pkt(m, &p, yes, sizeof(yes), &h), 1);
	cr_assert_eq(scan_pkt(m, &p, no, sizeof(no), &h), 0);
}

Test(matcher, all_patterns_must_match)
{
	struct rule *r = rule_new(5);
	struct ids_matcher *m;

	content(r, "USER ");
	content(r, "PASS ");
	regex(r, "SITE [0-9]+");
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 3);
	cr_assert_eq(hits_on(m, "USER a\r\nPASS b\r\nSITE 12\r\n"), 1);
	cr_assert_eq(hits_on(m, "SITE 12 PASS b USER a"), 1);
	cr_assert_eq(hits_on(m, "USER a\r\nPASS b\r\nSITE x\r\n"), 0);
	cr_assert_eq(hits_on(m, "USER a\r\nSITE 1\r\n"), 0);
	cr_assert_eq(hits_on(m, "PASS b SITE 1"), 0);
}

/* --------------------------------------------------- offset and depth */

/* offset 4, depth 5: the match lies in bytes [4, 9). */
Test(matcher, content_offset_depth_limits)
{
	struct ids_matcher *m;

	bounds(content(rule_new(1), "abc"), 4, 5);
	m = compile_all();
	cr_assert_eq(hits_on(m, "----abc---"), 1); /* starts exactly at the offset */
	cr_assert_eq(hits_on(m, "---abc----"), 0); /* one byte before */
	cr_assert_eq(hits_on(m, "------abc-"), 1); /* ends exactly at offset+depth */
	cr_assert_eq(hits_on(m, "-------abc"), 0); /* ends one byte past it */
	cr_assert_eq(hits_on(m, "---abc-abc"), 0); /* neither occurrence in bounds */
	cr_assert_eq(hits_on(m, "---abcabc-"), 1); /* the second one is */
}

Test(matcher, content_offset_only_and_depth_only)
{
	struct ids_matcher *m;

	bounds(content(rule_new(1), "abc"), 3, -1);
	bounds(content(rule_new(2), "abc"), -1, 4);
	m = compile_all();
	cr_assert_eq(hits_on(m, "---------abc"), 1);
	cr_assert_eq(hits_on(m, "-abc"), 1);
	cr_assert_eq(hits_on(m, "--abc"), 0);
	cr_assert_eq(hits_on(m, "abc"), 1);
}

Test(matcher, fixed_width_regex_offset_depth_limits)
{
	struct ids_matcher *m;

	bounds(regex(rule_new(1), "a[0-9]c"), 4, 5);
	m = compile_all();
	cr_assert_eq(hits_on(m, "----a1c---"), 1);
	cr_assert_eq(hits_on(m, "---a1c----"), 0);
	cr_assert_eq(hits_on(m, "------a1c-"), 1);
	cr_assert_eq(hits_on(m, "-------a1c"), 0);
}

/* x+y, offset 4, depth 6: start >= 4, end <= 10. */
Test(matcher, variable_width_regex_offset_depth_limits)
{
	struct ids_matcher *m;

	bounds(regex(rule_new(1), "x+y"), 4, 6);
	m = compile_all();
	cr_assert_eq(hits_on(m, "----xy"), 1);	    /* starts exactly at the offset */
	cr_assert_eq(hits_on(m, "---xy-"), 0);	    /* one byte before */
	cr_assert_eq(hits_on(m, "---xxy"), 1);	    /* leftmost start 3, but "xy" at 4 */
	cr_assert_eq(hits_on(m, "----xxxxxy"), 1);  /* ends exactly at 10 */
	cr_assert_eq(hits_on(m, "----xxxxxxy"), 0); /* ends at 11 */
	cr_assert_eq(hits_on(m, "-----"), 0);
}

Test(matcher, variable_width_regex_offset_only)
{
	struct ids_matcher *m;

	bounds(regex(rule_new(1), "ab+c"), 2, -1);
	m = compile_all();
	cr_assert_eq(hits_on(m, "--abbbbbbbbbbbbbbc"), 1);
	cr_assert_eq(hits_on(m, "-abbbc"), 0);
	cr_assert_eq(hits_on(m, "-abbbc-abc"), 1);
}

/* ------------------------------------------- prefilter and PCRE2 checks */

Test(matcher, backreference_regex_confirmed_by_pcre2)
{
	struct ids_matcher *m;

	regex(rule_new(1), "(ab+)\\1");
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 1);
	cr_assert_eq(hits_on(m, "xxabbabbyy"), 1);
	cr_assert_eq(hits_on(m, "xxabbabyy"), 0);
	cr_assert_eq(hits_on(m, "abba"), 0);
}

Test(matcher, lookbehind_regex_confirmed_by_pcre2)
{
	struct ids_matcher *m;

	regex(rule_new(1), "(?<=user=)admin");
	m = compile_all();
	cr_assert_eq(hits_on(m, "GET /?user=admin"), 1);
	cr_assert_eq(hits_on(m, "GET /?name=admin"), 0);
}

Test(matcher, prefiltered_regex_offset_depth_limits)
{
	struct ids_matcher *m;

	bounds(regex(rule_new(1), "(a)\\1"), 2, 3);
	bounds(regex(rule_new(2), "(?<=x)ab"), 1, -1);
	m = compile_all();
	cr_assert_eq(hits_on(m, "--aa"), 1);   /* bytes [2, 4) */
	cr_assert_eq(hits_on(m, "-aa-"), 0);   /* starts before the offset */
	cr_assert_eq(hits_on(m, "---aa-"), 1); /* ends exactly at offset+depth */
	cr_assert_eq(hits_on(m, "----aa"), 0); /* ends one byte past it */
	cr_assert_eq(hits_on(m, "xab"), 1);    /* lookbehind sees the byte before the offset */
	cr_assert_eq(hits_on(m, "-ab"), 0);
}

Test(matcher, pcre_confirms_rule)
{
	struct rule *r = rule_new(1);
	struct ids_matcher *m;

	content(r, "GET ");
	set_pcre(r, "^GET\\s+/[a-z]+\\.php$", 0);
	set_pcre(rule_new(2), "^get\\s+/", PCRE2_CASELESS);
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 3);
	cr_assert_eq(hits_on(m, "GET /index.php"), 2);
	cr_assert_eq(hits_on(m, "GET /index.php5"), 1);
	cr_assert_eq(hits_on(m, "xGET /index.php"), 0);
}

Test(matcher, pcre_with_backreference)
{
	struct ids_matcher *m;

	set_pcre(rule_new(1), "(\\w+)=\\1", 0);
	m = compile_all();
	cr_assert_eq(hits_on(m, "a=1&key=key"), 1);
	cr_assert_eq(hits_on(m, "a=1&key=val"), 0);
}

Test(matcher, regex_inline_flags)
{
	struct ids_matcher *m;

	regex(rule_new(1), "(?i)hello");
	regex(rule_new(2), "hello");
	m = compile_all();
	cr_assert_eq(hits_on(m, "say HELLO"), 1);
	cr_assert_eq(hits_on(m, "say hello"), 2);
}

/* A UTF pcre has no Hyperscan form: PCRE2 checks it on every scan. */
Test(matcher, pcre_only_rule_checked_every_scan)
{
	struct ids_matcher *m;

	set_pcre(rule_new(1), "^.$", PCRE2_UTF);
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 0);
	cr_assert_eq(hits_on(m, "\xc3\xa9"), 1);
	cr_assert_eq(hits_on(m, "ab"), 0);
	cr_assert_eq(hits_on(m, "\xff"), 0); /* invalid UTF-8 is no match */
}

/* ------------------------------------------------------------- headers */

Test(matcher, header_only_rule_matches_every_scan)
{
	struct ids_matcher *m;
	struct ids_packet p = packet();
	struct hits h;

	content(rule_new(1), "abc");
	rule_new(2)->proto = RULE_PROTO_TCP;
	content(rule_new(3), "xyz");
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 2);
	cr_assert_eq(scan_pkt(m, &p, "", 0, &h), 1);
	cr_assert_eq(h.ids[0], 2);
	cr_assert_eq(scan_pkt(m, &p, NULL, 0, &h), 1);
	cr_assert_eq(scan_pkt(m, &p, "xyz abc", 7, &h), 3);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(h.ids[1], 2);
	cr_assert_eq(h.ids[2], 3);
	p.proto = IPPROTO_UDP;
	cr_assert_eq(scan_pkt(m, &p, "xyz abc", 7, &h), 2);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(h.ids[1], 3);
}

static struct addr_block block(const char *s)
{
	struct addr_block b;
	char err[128];

	cr_assert_eq(addr_block_parse(s, &b, err, sizeof(err)), 0, "%s", err);
	return b;
}

static struct port_range prange(const char *s)
{
	struct port_range r;
	char err[128];

	cr_assert_eq(port_range_parse(s, &r, err, sizeof(err)), 0, "%s", err);
	return r;
}

Test(matcher, header_mismatch_suppresses_report)
{
	struct rule *r = rule_new(9);
	struct ids_matcher *m;
	struct ids_packet p = packet(), q;
	struct addr_block b = block("198.18.0.0/24");
	struct port_range pr = prange("80");
	struct hits h;

	content(r, "attack");
	r->proto = RULE_PROTO_TCP;
	r->direction = RULE_DIR_TO_SERVER;
	cr_assert_eq(addr_set_add(&r->dst, &b), 0);
	cr_assert_eq(port_set_add(&r->dport, &pr), 0);
	m = compile_all();
	cr_assert_eq(scan_pkt(m, &p, "an attack", 9, &h), 1);
	q = p;
	q.direction = IDS_DIR_TO_CLIENT;
	cr_assert_eq(scan_pkt(m, &q, "an attack", 9, &h), 0);
	q = p;
	q.dport = 8080;
	cr_assert_eq(scan_pkt(m, &q, "an attack", 9, &h), 0);
	q = p;
	q.dst.bytes[2] = 1; /* 198.18.1.2 */
	cr_assert_eq(scan_pkt(m, &q, "an attack", 9, &h), 0);
	q = p;
	q.proto = IPPROTO_UDP;
	cr_assert_eq(scan_pkt(m, &q, "an attack", 9, &h), 0);
	cr_assert_eq(scan_pkt(m, &p, "an attack", 9, &h), 1);
}

/* ------------------------------------------------- reporting semantics */

Test(matcher, reports_in_rule_order_once_per_scan)
{
	struct ids_matcher *m;
	struct ids_packet p = packet();
	struct hits h;
	const char *buf = "ccc aaa bbb aaa ccc ddd bbb aaa";

	content(rule_new(300), "aaa");
	bounds(regex(rule_new(100), "b+"), 1, -1); /* SOM: many callbacks */
	content(rule_new(200), "ccc");
	content(rule_new(50), "zzz");
	content(rule_new(400), "ddd");
	m = compile_all();
	cr_assert_eq(scan_pkt(m, &p, buf, strlen(buf), &h), 4);
	cr_assert_eq(h.ids[0], 300);
	cr_assert_eq(h.ids[1], 100);
	cr_assert_eq(h.ids[2], 200);
	cr_assert_eq(h.ids[3], 400);
	/* the state was reset: the same scan again gives the same answer */
	cr_assert_eq(scan_pkt(m, &p, buf, strlen(buf), &h), 4);
	cr_assert_eq(scan_pkt(m, &p, "ddd", 3, &h), 1);
	cr_assert_eq(h.ids[0], 400);
}

Test(matcher, callback_nonzero_stops_reporting)
{
	struct ids_matcher *m;
	struct hits h = {.stop_after = 2};
	struct ids_packet p = packet();

	content(rule_new(1), "a");
	rule_new(2);
	content(rule_new(3), "c");
	m = compile_all();
	cr_assert_eq(matcher_scan(fx.mt, m, &p, (const uint8_t *)"ac", 2, collect, &h), 2);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.ids[0], 1);
	cr_assert_eq(h.ids[1], 2);
	/* nothing is left over for the next scan */
	cr_assert_eq(hits_on(m, "c"), 2);
}

Test(matcher, several_matchers_share_one_thread_scratch)
{
	struct ids_matcher *m1, *m2, *m3;
	struct ids_packet p = packet();
	struct hits h;
	char big[4000];

	content(rule_new(1), "alpha");
	m1 = compile_from(0, 0);
	for (int i = 0; i < 40; i++) {
		char s[32];

		snprintf(s, sizeof(s), "beta%02d", i);
		bounds(regex(rule_new(100 + (uint32_t)i), s), 2, -1);
	}
	set_pcre(rule_new(200), "(gam+a)\\1", 0);
	m2 = compile_from(1, 1);
	m3 = compile_from(fx.n, 2); /* empty rule set */
	fx.mt = matcher_thread_new();
	cr_assert_not_null(fx.mt);
	cr_assert_eq(matcher_rule_count(m2), 41);
	cr_assert_eq(matcher_rule_count(m3), 0);
	cr_assert_eq(matcher_pattern_count(m3), 0);
	cr_assert_eq(hits_on(m1, "xx alpha beta07"), 1);
	cr_assert_eq(hits_on(m2, "xx alpha beta07"), 1);
	cr_assert_eq(hits_on(m2, "beta07 beta39 gammagamma"), 2);
	cr_assert_eq(hits_on(m3, "alpha"), 0);
	memset(big, 'z', sizeof(big));
	memcpy(big + 3000, "alpha", 5);
	cr_assert_eq(scan_pkt(m1, &p, big, sizeof(big), &h), 1);
	cr_assert_eq(h.ids[0], 1);
}

Test(matcher, thousand_literal_rules_only_hits_report)
{
	struct ids_matcher *m;
	struct ids_packet p = packet();
	struct hits h;
	const char *buf = "GET /sig-0007-marker?q=sig-0993-marker&x=sig-10000 HTTP/1.1";

	for (uint32_t i = 0; i < 1000; i++) {
		char s[32];

		snprintf(s, sizeof(s), "sig-%04u-marker", i);
		content(rule_new(10000 + i), s);
	}
	m = compile_all();
	cr_assert_eq(matcher_rule_count(m), 1000);
	cr_assert_eq(matcher_pattern_count(m), 1000);
	cr_assert_eq(scan_pkt(m, &p, buf, strlen(buf), &h), 2);
	cr_assert_eq(h.ids[0], 10007);
	cr_assert_eq(h.ids[1], 10993);
	cr_assert_eq(hits_on(m, "sig-1000-marker sig-999-marker"), 0);
}

/* -------------------------------------------------------------- errors */

Test(matcher, bad_regex_error_names_file_line_column)
{
	struct rule *r = rule_new(1001);

	r->pub.line = 11;
	content(r, "ok");
	regex(r, "a(b");
	cr_assert_str_eq(compile_error(), "rules.yaml:12:18: rule 1001: Hyperscan cannot compile "
					  "regex: Missing close parenthesis for group started at "
					  "index 1.");
}

Test(matcher, bad_pcre_error_names_file_line_column)
{
	struct rule *r = rule_new(42);

	set_pcre(r, "ab(", 0);
	cr_assert_str_eq(compile_error(),
			 "rules.yaml:44:10: rule 42: PCRE2 cannot compile pcre: missing closing "
			 "parenthesis at offset 3");
}

Test(matcher, depth_shorter_than_content_is_an_error)
{
	bounds(content(rule_new(3), "abcdef"), 0, 4);
	cr_assert_str_eq(compile_error(), "rules.yaml:4:18: rule 3: depth 4 is shorter than the "
					  "content (6 bytes): it can never match");
}

Test(matcher, plugin_made_rule_is_refused)
{
	struct ids_rule own = {.id = 9000001, .msg = "own", .file = "plugin", .line = 0};
	const struct ids_rule *pubs[] = {&own};

	cr_assert_null(matcher_compile(pubs, 1, fx.err, sizeof(fx.err)));
	cr_assert_str_eq(fx.err,
			 "plugin:0: rule 9000001: not a rule from a rule file, cannot be compiled");
}

Test(matcher, empty_rule_set_reports_nothing)
{
	struct ids_matcher *m;

	m = compile_all();
	cr_assert_eq(matcher_rule_count(m), 0);
	cr_assert_eq(hits_on(m, "anything"), 0);
}

/* A match deeper than PCRE2's default 32 KiB JIT stack still succeeds. */
Test(matcher, pcre_deep_match_uses_thread_jit_stack)
{
	struct ids_matcher *m;
	struct ids_packet p = packet();
	struct hits h;
	static char buf[20001];

	set_pcre(rule_new(1), "^(?:a|(b))+$", 0);
	m = compile_all();
	memset(buf, 'a', sizeof(buf) - 1);
	cr_assert_eq(scan_pkt(m, &p, buf, sizeof(buf) - 1, &h), 1);
	buf[sizeof(buf) - 2] = 'c';
	cr_assert_eq(scan_pkt(m, &p, buf, sizeof(buf) - 1, &h), 0);
}

/* A thread made before a matcher has no room for it: nothing is reported,
 * nothing is overrun. */
Test(matcher, thread_older_than_matcher_reports_nothing)
{
	struct ids_matcher *m;

	fx.mt = matcher_thread_new();
	cr_assert_not_null(fx.mt);
	content(rule_new(1), "abc");
	content(rule_new(2), "abd");
	m = compile_from(0, 0);
	cr_assert_eq(hits_on(m, "abc abd"), 0);
}

/* \K and subroutine calls: Hyperscan refuses them even as prefilters. */
Test(matcher, regex_hyperscan_refuses_is_checked_by_pcre2)
{
	struct rule *r = rule_new(2);
	struct ids_matcher *m;

	regex(rule_new(1), "x(a(?1)?b)y");
	content(r, "key=");
	regex(r, "key=\\Kval");
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 1);
	cr_assert_eq(hits_on(m, "xaabby"), 1);
	cr_assert_eq(hits_on(m, "xaaby"), 0);
	cr_assert_eq(hits_on(m, "key=val"), 1);
	cr_assert_eq(hits_on(m, "key=var"), 0);
}

/* (*UTF) would put Hyperscan in UTF-8 mode: PCRE2 alone checks it, and
 * invalid UTF-8 is no match. */
Test(matcher, utf_verb_regex_is_left_to_pcre2)
{
	struct ids_matcher *m;

	regex(rule_new(1), "(*UTF)^\\x{e9}$");
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 0);
	cr_assert_eq(hits_on(m, "\xc3\xa9"), 1);
	cr_assert_eq(hits_on(m, "\xc3"), 0);
}

/* With 64 patterns no bit is left for the pcre: PCRE2 checks it once the
 * patterns matched. */
Test(matcher, pcre_beside_64_patterns)
{
	struct rule *r = rule_new(64);
	struct ids_matcher *m;
	char all[64 * 4 + 2] = ""; /* room to shift it right by one */

	for (int i = 0; i < RULE_MAX_PATTERNS; i++) {
		char s[8];

		snprintf(s, sizeof(s), "p%02d", i);
		content(r, s);
		strcat(all, s);
		strcat(all, " ");
	}
	set_pcre(r, "^p00 .* p63 $", 0);
	m = compile_all();
	cr_assert_eq(matcher_pattern_count(m), 64);
	cr_assert_eq(hits_on(m, all), 1);
	all[0] = 'q'; /* p00 is gone */
	cr_assert_eq(hits_on(m, all), 0);
	all[0] = 'p';
	memmove(all + 1, all, strlen(all) + 1);
	all[0] = '-'; /* every pattern still there, the pcre's ^ is not */
	cr_assert_eq(hits_on(m, all), 0);
}
