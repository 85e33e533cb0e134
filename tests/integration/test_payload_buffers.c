/*
 * test_payload_buffers.c - rules that match the payload (pkt_data: the
 * contents before a Suricata rule's first sticky buffer) together with a
 * protocol plugin's buffers, in the real sensor on crafted captures, from
 * a .rules file as ET Open writes them: an http rule fires once per
 * transaction when payload and buffers all match, not when only one side
 * does, not past the payload content's depth, and only in the rule's
 * direction; a payload content across the head and the body of a request
 * sent in two segments; a response rule; CONNECT and 101 messages, which
 * end with their head; a dns rule on the request's message and dns.query
 * (not on the response); ET Open's sid 2012129 read from the corpus
 * (skipped without it).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_msg.h"
#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "payloadbuf");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n  - name: http\n  - name: dns\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(payload_buffers, .init = begin, .fini = end);

static const char rules[] =
	/* ET Open's shape (sid 2012129) */
	"alert http any any -> any any (msg:\"dotdot get vuln\"; flow:established,to_server; "
	"content:\"../\"; depth:200; http.method; content:\"GET\"; http.uri; "
	"content:\"/vuln.php?\"; nocase; sid:1;)\n"
	/* a payload content across the head and the body */
	"alert http any any -> any any (msg:\"login post\"; flow:established,to_server; "
	"content:\"|0d 0a 0d 0a|user=\"; http.method; content:\"POST\"; sid:2;)\n"
	/* a response: its head and body as the payload */
	"alert http any any -> any any (msg:\"exe download\"; flow:established,to_client; "
	"content:\"|0d 0a 0d 0a|MZ\"; http.stat_code; content:\"200\"; sid:3;)\n"
	/* shared buffer (http.header): the direction decides */
	"alert http any any -> any any (msg:\"secret header\"; flow:established,to_server; "
	"content:\"secret\"; http.header; content:\"X-A: 1\"; sid:4;)\n"
	/* the payload after a buffer (pkt_data resets to it) */
	"alert http any any -> any any (msg:\"uri then payload\"; flow:to_server; "
	"http.uri; content:\"/p.cgi\"; pkt_data; content:\"Cookie: s=1\"; sid:5;)\n"
	/* messages that end with their head: CONNECT, 101 */
	"alert http any any -> any any (msg:\"connect\"; flow:to_server; "
	"content:\"CONNECT evil\"; http.method; content:\"CONNECT\"; sid:7;)\n"
	"alert http any any -> any any (msg:\"websocket\"; flow:to_client; "
	"content:\"Upgrade: websocket\"; http.stat_code; content:\"101\"; sid:8;)\n"
	/* ET Open sid 2030547's shape */
	"alert dns any any -> any any (msg:\"sig query\"; content:\"|00 00 18 00 01|\"; "
	"fast_pattern; dns.query; pcre:\"/^\\d/\"; sid:6;)\n";

static void send_str(struct pg_tcp *s, int dir, const char *text)
{
	pg_tcp_send(s, dir, text, strlen(text));
}

static void http_conn(uint16_t sport, const char *const *msgs, size_t n)
{
	struct pg_tcp tcp;

	pg_tcp_init(&tcp, &t.gen, "198.18.0.10", sport, "198.18.1.1", 80);
	pg_tcp_handshake(&tcp);
	for (size_t i = 0; i < n; i++)
		send_str(&tcp, i % 2 ? PG_TO_CLIENT : PG_TO_SERVER, msgs[i]);
	pg_tcp_close(&tcp);
}

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

static void run(void)
{
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
}

Test(payload_buffers, fires_when_payload_and_buffers_match_once_per_transaction)
{
	char far[400];
	const char *msgs[] = {
		/* tx 0: all match */
		"GET /vuln.php?a=1 HTTP/1.1\r\nHost: a\r\nReferer: ../x\r\n\r\n",
		ok_resp,
		/* tx 1: the buffers match, the payload has no ../ */
		"GET /vuln.php?a=1 HTTP/1.1\r\nHost: a\r\n\r\n",
		/* ... which the response has: not its direction */
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n../",
		/* tx 2: the payload matches, the method does not */
		"POST /vuln.php?a=1 HTTP/1.1\r\nHost: a\r\nReferer: ../x\r\nContent-Length: "
		"0\r\n\r\n",
		ok_resp,
		/* tx 3: ../ past depth 200 */
		far,
		ok_resp,
		/* tx 4: all match again */
		"GET /VULN.php?b HTTP/1.1\r\nReferer: ../../y\r\n\r\n",
		ok_resp,
	};

	snprintf(far, sizeof(far),
		 "GET /vuln.php?c HTTP/1.1\r\nX-Pad: %0200d\r\nReferer: ../\r\n\r\n", 0);
	itest_capture(&t, 1);
	http_conn(40100, msgs, sizeof(msgs) / sizeof(msgs[0]));
	run();
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 tx_id=0 src_ip=198.18.0.10"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 tx_id=4 http.url=/VULN.php?b"), 1);
}

Test(payload_buffers, payload_across_head_and_body_in_two_segments)
{
	struct pg_tcp tcp;

	itest_capture(&t, 1);
	pg_tcp_init(&tcp, &t.gen, "198.18.0.10", 40101, "198.18.1.1", 80);
	pg_tcp_handshake(&tcp);
	/* tx 0: head and body in two segments */
	send_str(&tcp, PG_TO_SERVER,
		 "POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\n\r\n");
	send_str(&tcp, PG_TO_SERVER, "user=bob&pw=x");
	send_str(&tcp, PG_TO_CLIENT, ok_resp);
	/* tx 1: a GET carrying the same bytes: the method does not match */
	send_str(&tcp, PG_TO_SERVER, "GET /login HTTP/1.1\r\nContent-Length: 8\r\n\r\nuser=bob");
	send_str(&tcp, PG_TO_CLIENT, ok_resp);
	/* tx 2: a POST whose body starts otherwise */
	send_str(&tcp, PG_TO_SERVER, "POST /login HTTP/1.1\r\nContent-Length: 9\r\n\r\nname=user");
	send_str(&tcp, PG_TO_CLIENT, ok_resp);
	/* tx 3: chunked: the body de-chunked follows the head */
	send_str(&tcp, PG_TO_SERVER,
		 "POST /login HTTP/1.1\r\nTransfer-Encoding: "
		 "chunked\r\n\r\n8\r\nuser=eve\r\n0\r\n\r\n");
	send_str(&tcp, PG_TO_CLIENT, ok_resp);
	pg_tcp_close(&tcp);
	run();
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2 tx_id=0 http.http_method=POST"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2 tx_id=3"), 1);
}

Test(payload_buffers, response_rule_and_direction_of_shared_buffers)
{
	const char *msgs[] = {
		/* tx 0: the response's head and body match sid 3; the request
		 * carries "secret" and X-A: 1 (sid 4 fires on it) */
		"GET /a HTTP/1.1\r\nX-A: 1\r\nCookie: secret\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nMZ..",
		/* tx 1: status 404: not sid 3; the response has secret + X-A: 1,
		 * the request neither: not sid 4 */
		"GET /b HTTP/1.1\r\nHost: a\r\n\r\n",
		"HTTP/1.1 404 Not Found\r\nX-A: 1\r\nX-S: secret\r\nContent-Length: 2\r\n\r\nMZ",
		/* tx 2: header X-A: 1 in the request, secret in the response */
		"GET /c HTTP/1.1\r\nX-A: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-S: secret\r\nContent-Length: 2\r\n\r\nPK",
	};

	itest_capture(&t, 1);
	http_conn(40102, msgs, sizeof(msgs) / sizeof(msgs[0]));
	run();
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=3 tx_id=0 src_ip=198.18.1.1"), 1);
	cr_expect_eq(itest_alerts(&t, 4), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=4 tx_id=0 src_ip=198.18.0.10"), 1);
}

Test(payload_buffers, payload_after_a_buffer)
{
	const char *msgs[] = {
		"GET /p.cgi HTTP/1.1\r\nCookie: s=1\r\n\r\n", ok_resp,
		"GET /q.cgi HTTP/1.1\r\nCookie: s=1\r\n\r\n", ok_resp,
		"GET /p.cgi HTTP/1.1\r\nCookie: s=2\r\n\r\n", ok_resp,
	};

	itest_capture(&t, 1);
	http_conn(40103, msgs, sizeof(msgs) / sizeof(msgs[0]));
	run();
	cr_expect_eq(itest_alerts(&t, 5), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=5 tx_id=0"), 1);
}

/* A CONNECT request and a 101 response end with their head: the rule
 * fires at the head, the tunnel after it is not HTTP. */
Test(payload_buffers, messages_that_end_with_their_head)
{
	const char *tunnel[] = {
		"CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
		"HTTP/1.1 200 Connection established\r\n\r\n",
		"\x16\x03\x01 CONNECT evil",
	};
	const char *upgrade[] = {
		"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
		"Upgrade\r\n\r\n",
	};

	itest_capture(&t, 1);
	http_conn(40104, tunnel, 3);
	http_conn(40105, upgrade, 2);
	run();
	cr_expect_eq(itest_alerts(&t, 7), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=7 tx_id=0 src_port=40104"), 1);
	cr_expect_eq(itest_alerts(&t, 8), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=8 tx_id=0 dest_port=40105"), 1);
}

/* The rule of the ET Open set in the corpus whose sid is `sid`, from
 * `file` (emerging-*.rules), into out; false when the corpus is absent. */
static bool corpus_rule(const char *file, unsigned sid, char *out, size_t len)
{
	const char *base = getenv("SENSOR_CORPUS_DIR") ? getenv("SENSOR_CORPUS_DIR") : CORPUS_DIR;
	char path[4096], key[32];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/rules/et-open-suricata-5.0/%s", base, file);
	snprintf(key, sizeof(key), "sid:%u;", sid);
	if (!(f = fopen(path, "r")))
		return false;
	while (!found && fgets(out, (int)len, f))
		found = out[0] == 'a' && strstr(out, key) != NULL;
	fclose(f);
	return found;
}

/* ET Open's own sid 2012129 (payload ../ within 200 bytes, GET, the uri)
 * from the corpus, unmodified: once on the attack, not on the same uri
 * without ../ nor on a POST. */
Test(payload_buffers, et_open_rule_from_the_corpus)
{
	char rule[4096];
	const char *msgs[] = {
		"GET /shop/modules/maticmarket/bleu/gold/bas.php?modulename=../../../../etc/passwd "
		"HTTP/1.1\r\nHost: shop\r\n\r\n",
		ok_resp,
		"GET /shop/modules/maticmarket/bleu/gold/bas.php?modulename=home HTTP/1.1\r\nHost: "
		"shop\r\n\r\n",
		ok_resp,
		"POST /shop/modules/maticmarket/bleu/gold/bas.php?modulename=../x HTTP/1.1\r\n"
		"Content-Length: 0\r\n\r\n",
		ok_resp,
	};

	if (!corpus_rule("emerging-web_specific_apps.rules", 2012129, rule, sizeof(rule)))
		cr_skip_test("ET Open not found in the corpus (set SENSOR_CORPUS_DIR): skipped");
	itest_config(&t, "classification-file: " SOURCE_DIR "/rules/classification.config\n"
			 "plugins:\n  - name: http\nvars:\n  address-groups:\n"
			 "    HOME_NET: \"[198.18.1.0/24]\"\n");
	itest_capture(&t, 1);
	http_conn(40106, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rule);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 2012129), 1, "%s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2012129 tx_id=0 dest_port=80"), 1);
}

static void dns_udp(uint16_t sport, const char *qname, unsigned type, bool response)
{
	struct msg m;

	header(&m, 0x1234, response ? 0x8180 : 0x0100, 1, 0);
	question(&m, qname, type);
	if (response)
		pg_udp(&t.gen, "198.18.1.53", 53, "198.18.0.10", sport, m.b, m.n);
	else
		pg_udp(&t.gen, "198.18.0.10", sport, "198.18.1.53", 53, m.b, m.n);
}

Test(payload_buffers, dns_request_message_and_query)
{
	itest_capture(&t, 1);
	dns_udp(41000, "1abc.example", 24, false); /* SIG query, name from a digit */
	dns_udp(41000, "1abc.example", 24, true);  /* its response: not a request */
	dns_udp(41001, "abc.example", 24, false);  /* dns.query does not match */
	dns_udp(41002, "1abc.example", 1, false);  /* type A: the payload does not */
	run();
	cr_expect_eq(itest_alerts(&t, 6), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=6 src_port=41000 dest_port=53"), 1);
}
