/*
 * test_suricata_rules.c - Suricata .rules files end to end: the real sensor
 * loads a .rules file (-S) and alerts on a crafted capture; a keyword with
 * no equivalent is reported with file:line:col, sid and keyword; the
 * converter (sensor-rules convert) writes YAML that gives the same alerts.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "surirules");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n  - name: http\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(suricata_rules, .init = begin, .fini = end);

/* sensor-rules sits next to the sensor binary. */
static const char *converter(void)
{
	static char path[4096];
	char bin[4096];

	snprintf(bin, sizeof(bin), "%s", SENSOR_BIN);
	snprintf(path, sizeof(path), "%s/sensor-rules", dirname(bin));
	return path;
}

static void send_str(struct pg_tcp *s, int dir, const char *text)
{
	pg_tcp_send(s, dir, text, strlen(text));
}

/* Two UDP datagrams, one HTTP session. */
static void capture(void)
{
	struct pg_tcp s;

	itest_capture(&t, 1);
	pg_udp(&t.gen, "198.18.0.1", 40000, "198.18.0.2", 5000, "xxHello", 7);
	pg_udp(&t.gen, "198.18.0.1", 40000, "198.18.0.2", 5000, "xxHELLO\x00;", 9);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41000, "198.18.1.80", 8080);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_SERVER,
		 "GET /cgi/../etc/passwd HTTP/1.1\r\nHost: Evil.Test\r\nUser-Agent: "
		 "sqlmap/1.7\r\n\r\n");
	send_str(&s, PG_TO_CLIENT, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	pg_tcp_close(&s);
}

static const char rules_v1[] =
	"# ET-style rules that only use v1 features\n"
	"alert udp any any -> any 5000 (msg:\"hello\\; any case\"; content:\"hello\"; nocase; "
	"sid:100; rev:2;)\n"
	"alert udp any any -> any !5000 (msg:\"wrong port\"; content:\"Hello\"; sid:101;)\n"
	"alert udp !$HOME_NET any -> [198.18.0.0/15,!198.18.0.3] 5000 (msg:\"nul semicolon\"; "
	"content:\"O|00 3b|\"; sid:102;)\n"
	"# alert udp any any -> any any (msg:\"disabled\"; content:\"Hello\"; sid:103;)\n"
	"alert tcp any any -> any any (msg:\"passwd in uri\"; flow_placeholder_removed; \\\n"
	"    content:\"/etc/passwd\"; http_uri; sid:104;)\n"
	"alert http any any -> any any (msg:\"evil host\"; http.host; content:\"evil.test\"; "
	"sid:105;)\n"
	"alert tcp any any -> any any (msg:\"pcre U\"; pcre:\"/passwd$/U\"; sid:106;)\n"
	"alert tcp any any -> any any (msg:\"ua\"; content:\"sqlmap\"; http_user_agent; "
	"content:\"/1.7\"; http_user_agent; sid:107;)\n"
	"alert tcp any any -> any any (msg:\"status\"; content:\"404\"; http_stat_code; "
	"sid:108;)\n";

/* The rules above without the placeholder option (it checks that a bad
 * keyword is reported, in the next test). */
static void write_rules(char *out, size_t size, const char *extra)
{
	const char *ph = strstr(rules_v1, " flow_placeholder_removed;");
	size_t head = (size_t)(ph - rules_v1);

	snprintf(out, size, "%.*s%s%s", (int)head, rules_v1,
		 ph + strlen(" flow_placeholder_removed;"), extra ? extra : "");
}

static void expect_alerts(void)
{
	cr_expect_eq(itest_alerts(&t, 100), 2);
	cr_expect_eq(itest_alerts(&t, 101), 0);
	cr_expect_eq(itest_alerts(&t, 102), 1);
	cr_expect_eq(itest_alerts(&t, 103), 0);
	cr_expect_eq(itest_alerts(&t, 104), 1);
	cr_expect_eq(itest_alerts(&t, 105), 1);
	cr_expect_eq(itest_alerts(&t, 106), 1);
	cr_expect_eq(itest_alerts(&t, 107), 1);
	cr_expect_eq(itest_alerts(&t, 108), 1);
}

Test(suricata_rules, rules_file_loads_and_alerts)
{
	char rules[4096];
	const struct jr_val *a;

	capture();
	write_rules(rules, sizeof(rules), NULL);
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
	expect_alerts();
	a = eve_find(&t.eve, "alert.signature_id=100", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "alert.signature"), "hello; any case");
	cr_expect_eq(jr_int(a, "alert.rev", 0), 2);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=102", 0), "pcap_cnt", 0), 2);
}

/* A keyword with no equivalent: file:line:col, sid, keyword, a summary;
 * the rule is left out and the rest run (rules.on-error: skip). */
Test(suricata_rules, unsupported_keyword_is_reported)
{
	char rules[4096];

	capture();
	write_rules(rules, sizeof(rules),
		    "alert tcp any any -> any any (msg:\"x\"; luajit:a.lua; "
		    "sid:200;)\n");
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0);
	cr_expect_eq(itest_alerts(&t, 200), 0);
	cr_expect_not_null(strstr(t.res.err, "in.rules:12:40: error: sid 200: keyword 'luajit' has "
					     "no equivalent (luajit)\n"),
			   "%s", t.res.err);
	cr_expect_not_null(strstr(t.res.err, "in.rules: warning: 8 rules parsed, 1 failed (by "
					     "keyword: luajit 1)\n"),
			   "%s", t.res.err);
}

/* The converter's YAML gives the same alerts; notes and failures are
 * comments; exit status 1 when a rule could not be converted. */
Test(suricata_rules, converter_output_gives_the_same_alerts)
{
	char rules[4096], yaml_path[4096];
	const char *argv[6];
	struct run_result r = {0};
	FILE *f;
	char *text;
	long len;

	capture();
	write_rules(rules, sizeof(rules),
		    "drop tcp any any -> any any (msg:\"x\"; content:\"zzz-never\"; sid:300;)\n"
		    "alert tcp any any -> any any (msg:\"x\"; luajit:a.lua; "
		    "sid:301;)\n");
	itest_rules(&t, rules);
	snprintf(yaml_path, sizeof(yaml_path), "%s/out.yaml", t.dir);
	argv[0] = converter();
	argv[1] = "convert";
	argv[2] = t.rules;
	argv[3] = "-o";
	argv[4] = yaml_path;
	argv[5] = NULL;
	run_cmd(&r, argv);
	cr_assert_eq(r.status, 1, "%s", r.err);
	f = fopen(yaml_path, "r");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	cr_expect_not_null(strstr(text, "# Converted by sensor-rules from 1 Suricata/Snort rule "
					"file: 9 rules, 1 not converted.\n"));
	cr_expect_not_null(
		strstr(text, "# Rules not converted (error), and other messages:\n#   "));
	cr_expect_not_null(strstr(text, "error: sid 301: keyword 'luajit' has no equivalent"));
	cr_expect_not_null(strstr(text, "  # note: action drop: this passive sensor alerts "
					"instead\n  - id: 300\n"),
			   "%s", text);
	free(text);
	run_result_free(&r);
	/* the YAML without the drop rule (action is a v2 key) */
	write_rules(rules, sizeof(rules), NULL);
	itest_rules(&t, rules);
	argv[2] = t.rules;
	run_cmd(&r, argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_result_free(&r);
	snprintf(t.rules, sizeof(t.rules), "%s", yaml_path);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	expect_alerts();
}

/* The config's vars override Suricata's defaults; a disable list drops a
 * rule. (threshold.config gives v2 `threshold:` keys, tested in the unit
 * tests until the rule-level keys land.) */
Test(suricata_rules, config_vars_disable_and_threshold_files)
{
	char conf[2048];

	capture();
	snprintf(conf, sizeof(conf),
		 "plugins:\n  - name: signature\n"
		 "vars:\n"
		 "  address-groups:\n"
		 "    HOME_NET: \"[198.18.0.0/24]\"\n"
		 "  port-groups:\n"
		 "    MY_PORTS: [5000, 6000]\n"
		 "disable-file: %s/disable.conf\n",
		 t.dir);
	itest_config(&t, conf);
	write_file(test_path(t.dir, "disable.conf"), "# off\n402\n");
	itest_rules(&t,
		    "alert udp $HOME_NET any -> $HOME_NET $MY_PORTS (msg:\"home\"; "
		    "content:\"xx\"; sid:400;)\n"
		    "alert udp $EXTERNAL_NET any -> any any (msg:\"external\"; content:\"xx\"; "
		    "sid:401;)\n"
		    "alert udp any any -> any any (msg:\"disabled\"; content:\"xx\"; sid:402;)\n"
		    "alert udp any any -> any any (msg:\"limited\"; content:\"xx\"; sid:403;)\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 400), 2);
	cr_expect_eq(itest_alerts(&t, 401), 0);
	cr_expect_eq(itest_alerts(&t, 402), 0);
}

/* -c: the config's vars and disable list apply to the conversion. */
Test(suricata_rules, converter_reads_the_config)
{
	char conf[1024], yaml_path[4096];
	const char *argv[8];
	struct run_result r = {0};

	snprintf(conf, sizeof(conf),
		 "vars:\n  address-groups:\n    HOME_NET: \"[198.18.0.0/15]\"\n"
		 "disable-file: disable.conf\n");
	itest_config(&t, conf);
	write_file(test_path(t.dir, "disable.conf"), "2\n");
	itest_rules(&t, "alert tcp $HOME_NET any -> any any (msg:\"a\"; sid:1;)\n"
			"alert tcp any any -> any any (msg:\"b\"; sid:2;)\n");
	snprintf(yaml_path, sizeof(yaml_path), "%s/out.yaml", t.dir);
	argv[0] = converter();
	argv[1] = "convert";
	argv[2] = "-c";
	argv[3] = t.conf;
	argv[4] = t.rules;
	argv[5] = "-o";
	argv[6] = "-";
	argv[7] = NULL;
	run_cmd(&r, argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_not_null(strstr(r.out, "  HOME_NET: [\"198.18.0.0/15\"]\n"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "  - id: 1\n"), "%s", r.out);
	cr_expect_null(strstr(r.out, "  - id: 2\n"), "%s", r.out);
	run_result_free(&r);
	argv[3] = "/nonexistent/sensor.yaml";
	run_cmd(&r, argv);
	cr_expect_eq(r.status, 2);
	run_result_free(&r);
}

/* A .rules entry of the config's rule-files (no -S) loads the same way. */
Test(suricata_rules, rules_file_in_the_config)
{
	char conf[1024], rules[4096];
	const char *argv[8];

	capture();
	write_rules(rules, sizeof(rules), NULL);
	itest_rules(&t, rules);
	snprintf(conf, sizeof(conf),
		 "plugins:\n  - name: signature\n  - name: http\nrule-files:\n  - in.rules\n");
	itest_config(&t, conf);
	argv[0] = SENSOR_BIN;
	argv[1] = "-c";
	argv[2] = t.conf;
	argv[3] = "-r";
	argv[4] = t.pcap;
	argv[5] = "-l";
	argv[6] = t.dir;
	argv[7] = NULL;
	if (t.gen.f)
		pg_close(&t.gen);
	run_cmd(&t.res, argv);
	cr_assert_eq(t.res.status, 0, "%s", t.res.err);
	eve_load(&t.eve, t.eve_path);
	expect_alerts();
}

/* `<>` with different sides (bidirectional: true): the rule matches the
 * datagram each way, with the addresses and ports of one way together. */
Test(suricata_rules, bidirectional_with_different_sides)
{
	itest_capture(&t, 1);
	pg_udp(&t.gen, "198.18.0.1", 40000, "198.18.0.2", 5000, "ping", 4);
	pg_udp(&t.gen, "198.18.0.2", 5000, "198.18.0.1", 40000, "pong", 4);
	pg_udp(&t.gen, "198.18.0.3", 5000, "198.18.0.1", 40000, "pong", 4);
	itest_rules(&t, "alert udp 198.18.0.1 any <> 198.18.0.2 5000 (msg:\"both\"; sid:300;)\n"
			"alert udp 198.18.0.1 any -> 198.18.0.2 5000 (msg:\"one\"; sid:301;)\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 300), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=300 src_ip=198.18.0.2 src_port=5000"),
		     1);
	cr_expect_eq(itest_alerts(&t, 301), 1);
}

/* A DNS message for a.test, TXT: the query, or the response whose answer
 * is `txt` (under 64 bytes); its length into *len. */
static size_t dns_txt(uint8_t *m, bool response, const char *txt)
{
	static const uint8_t q[] = {1, 'a', 4, 't', 'e', 's', 't', 0, 0, 16, 0, 1};
	size_t n = 0, tl = strlen(txt);
	const uint8_t head[] = {0x12,
				0x34,
				response ? 0x81 : 0x01,
				response ? 0x80 : 0x00,
				0,
				1,
				0,
				response ? 1 : 0,
				0,
				0,
				0,
				0};

	memcpy(m, head, sizeof(head));
	n = sizeof(head);
	memcpy(m + n, q, sizeof(q));
	n += sizeof(q);
	if (!response)
		return n;
	memcpy(m + n, (const uint8_t[]){0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0}, 12);
	m[n + 11] = (uint8_t)(tl + 1);
	n += 12;
	m[n++] = (uint8_t)tl;
	memcpy(m + n, txt, tl);
	return n + tl;
}

/* `alert dns` with payload contents (ET's TXT rules): over TCP the
 * reassembled stream is matched, so a content split over two segments is
 * found, and a pattern before the protocol is known too; over UDP each
 * datagram. */
Test(suricata_rules, alert_dns_payload_on_the_tcp_stream_and_udp_packets)
{
	uint8_t m[256], tcp[258];
	size_t n;
	struct pg_tcp s;

	itest_config(&t, "plugins:\n  - name: signature\n  - name: dns\n");
	itest_capture(&t, 1);
	n = dns_txt(m, false, "");
	pg_udp(&t.gen, "198.18.0.1", 40000, "198.18.0.53", 53, m, n);
	n = dns_txt(m, true, "EVILTXTDATA");
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.1", 40000, m, n);
	pg_tcp_init(&s, &t.gen, "198.18.0.2", 41000, "198.18.0.53", 53);
	pg_tcp_handshake(&s);
	n = dns_txt(m, false, "");
	tcp[0] = 0;
	tcp[1] = (uint8_t)n;
	memcpy(tcp + 2, m, n);
	pg_tcp_send(&s, PG_TO_SERVER, tcp, n + 2);
	n = dns_txt(m, true, "EVILTXTDATA");
	tcp[1] = (uint8_t)n;
	memcpy(tcp + 2, m, n);
	/* "EVILTXT" is split between the two segments */
	pg_tcp_send(&s, PG_TO_CLIENT, tcp, n + 2 - 8);
	pg_tcp_send(&s, PG_TO_CLIENT, tcp + n + 2 - 8, 8);
	pg_tcp_close(&s);
	itest_rules(&t,
		    "alert dns any any -> any any (msg:\"txt\"; content:\"EVILTXT\"; sid:400;)\n"
		    "alert dns any any -> any any (msg:\"query\"; content:\"|01|a|04|test|00 00 "
		    "10|\"; sid:401;)\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 400), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=400 proto=UDP pkt_src=wire/pcap"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=400 proto=TCP pkt_src=stream"), 1);
	/* the query name: in both UDP datagrams, in each TCP direction once */
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=401 proto=UDP"), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=401 proto=TCP pkt_src=stream"), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=401 proto=TCP pkt_src=wire/pcap"), 0);
}
