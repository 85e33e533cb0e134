/*
 * test_multibuffer.c - rules whose patterns name several buffers of one
 * transaction, in the real sensor on crafted captures: an HTTP rule on
 * method + uri + header alerts once per matching request and not on a
 * request where only some buffers match; a request-uri + response
 * stat_code rule alerts once, at the response, with the request's tx_id;
 * a request body rule waits for the body; a byte_extract variable set on
 * one buffer (or the payload) and used on another; a dns query + answer
 * rule; a tls sni + version rule, one alert per handshake.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"
#include "tls_hello.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "multibuffer");
	itest_config(&t, "plugins:\n  - name: http\n  - name: dns\n  - name: tls\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(multibuffer, .init = begin, .fini = end);

/* One connection from port `sport`: requests and responses in order. */
static void http_conn(uint16_t sport, const char *const *msgs, size_t n)
{
	struct pg_tcp tcp;

	pg_tcp_init(&tcp, &t.gen, "198.18.0.10", sport, "198.18.1.1", 80);
	pg_tcp_handshake(&tcp);
	for (size_t i = 0; i < n; i++)
		pg_tcp_send(&tcp, i % 2 ? PG_TO_CLIENT : PG_TO_SERVER, msgs[i], strlen(msgs[i]));
	pg_tcp_close(&tcp);
}

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
static const char forbidden[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";

static const char rules_http[] =
	"rules:\n"
	"  - {id: 1, msg: method+uri+header, patterns: [{content: POST, buffer: http.method},"
	" {content: /upload.php, buffer: http.uri}, {content: \"X-Evil: yes\", buffer: "
	"http.header}]}\n"
	"  - {id: 2, msg: uri+stat_code, patterns: [{content: /admin, buffer: http.uri},"
	" {content: \"403\", buffer: http.stat_code}]}\n"
	"  - {id: 3, msg: method+body, patterns: [{content: POST, buffer: http.method},"
	" {content: \"cmd=\", buffer: http.request_body}]}\n";

Test(multibuffer, http_method_uri_header_alerts_once_per_matching_request)
{
	const char *msgs[] = {
		"POST /x/upload.php HTTP/1.1\r\nHost: a\r\nX-Evil: yes\r\nContent-Length: "
		"0\r\n\r\n",
		ok_resp,
		/* only two of three buffers match */
		"GET /x/upload.php HTTP/1.1\r\nHost: a\r\nX-Evil: yes\r\n\r\n",
		ok_resp,
		"POST /x/other.php HTTP/1.1\r\nHost: a\r\nX-Evil: yes\r\nContent-Length: 0\r\n\r\n",
		ok_resp,
		"POST /upload.php HTTP/1.1\r\nHost: a\r\nX-Good: yes\r\nContent-Length: 0\r\n\r\n",
		ok_resp,
		/* matches again: tx 4 */
		"POST /upload.php?a HTTP/1.1\r\nX-Evil: yes\r\nContent-Length: 0\r\n\r\n",
		ok_resp,
	};

	itest_capture(&t, 1);
	http_conn(40000, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rules_http);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 tx_id=0 src_ip=198.18.0.10"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 tx_id=4"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 http.http_method=POST"), 2);
	cr_expect_eq(itest_alerts(&t, 2), 0);
	cr_expect_eq(itest_alerts(&t, 3), 0);
}

/* A single-buffer rule on a request buffer that the multi-buffer rules
 * name (held, scanned once by the request step, ABI 1.5) alerts on every
 * request whose buffer matches, whatever the other buffers hold. */
Test(multibuffer, http_single_buffer_uri_rule_beside_multi_buffer_rules)
{
	const char *msgs[] = {
		"POST /x/upload.php HTTP/1.1\r\nHost: a\r\nX-Evil: yes\r\nContent-Length: "
		"0\r\n\r\n",
		ok_resp,
		"GET /x/upload.php HTTP/1.1\r\nHost: a\r\n\r\n",
		ok_resp,
		"GET /other HTTP/1.1\r\nHost: a\r\n\r\n",
		ok_resp,
	};
	char rules[1024];

	snprintf(rules, sizeof(rules),
		 "%s  - {id: 70, msg: uri, buffer: http.uri, patterns: [{content: upload}]}\n",
		 rules_http);
	itest_capture(&t, 1);
	http_conn(40005, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 70), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=70 tx_id=0"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=70 tx_id=1"), 1);
}

Test(multibuffer, http_request_uri_and_response_status)
{
	const char *msgs[] = {
		"GET /admin/panel HTTP/1.1\r\nHost: a\r\n\r\n", forbidden,
		"GET /admin/panel HTTP/1.1\r\nHost: a\r\n\r\n", ok_resp,
		"GET /public HTTP/1.1\r\nHost: a\r\n\r\n",	forbidden,
		"GET /admin/again HTTP/1.1\r\nHost: a\r\n\r\n", forbidden,
	};

	itest_capture(&t, 1);
	http_conn(40001, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rules_http);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2 tx_id=0 src_ip=198.18.1.1"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2 tx_id=3 http.status=403"), 1);
	cr_expect_eq(itest_alerts(&t, 1), 0);
}

Test(multibuffer, http_request_body_waits_for_the_body)
{
	const char *msgs[] = {
		"POST /run HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\ncmd=ls -l", ok_resp,
		"POST /run HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",	       ok_resp,
		"PUT /run HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\ncmd=ls",     ok_resp,
	};

	itest_capture(&t, 1);
	http_conn(40002, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, rules_http);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 3), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=3 tx_id=0"), 1);
}

/* Shared buffers only (http.header + file.data) with direction to_client:
 * matched at the response body step on the response's header and body,
 * not on a request carrying the same. */
Test(multibuffer, http_response_header_and_body)
{
	const char *msgs[] = {
		"POST /up HTTP/1.1\r\nContent-Type: app/x-evil\r\nContent-Length: 4\r\n\r\nMZ..",
		"HTTP/1.1 200 OK\r\nContent-Type: app/x-evil\r\nContent-Length: 4\r\n\r\nMZ..",
		"GET /a HTTP/1.1\r\nHost: a\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Type: app/x-evil\r\nContent-Length: 4\r\n\r\nPK..",
	};

	itest_capture(&t, 1);
	http_conn(40003, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 50, msg: evil download, direction: to_client, patterns: [{content: "
		    "\"Content-Type: app/x-evil\", buffer: http.header}, {content: MZ, buffer: "
		    "file.data, startswith: true}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 50), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=50 tx_id=0 src_ip=198.18.1.1"), 1);
}

/* Single-buffer rules on the bodies beside a multi-buffer rule naming
 * file.data: the bodies are scanned once, by the transaction steps (ABI
 * 1.5), with the alerts a scan of each body gives: file.data on both
 * sides, each body's own buffer on its side, a negated content on every
 * body that is there (never on a message without one). */
Test(multibuffer, http_single_buffer_body_rules_beside_a_multi_buffer_rule)
{
	const char *msgs[] = {
		"POST /up HTTP/1.1\r\nContent-Length: 10\r\n\r\nMZ..secret",
		"HTTP/1.1 200 OK\r\nContent-Type: app/x-evil\r\nContent-Length: "
		"10\r\n\r\nMZ..secret",
		"GET /a HTTP/1.1\r\nHost: a\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Type: app/x-evil\r\nContent-Length: 4\r\n\r\nPK..",
	};

	itest_capture(&t, 1);
	http_conn(40004, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(
		&t,
		"rules:\n"
		"  - {id: 50, msg: evil download, direction: to_client, patterns: [{content: "
		"\"Content-Type: app/x-evil\", buffer: http.header}, {content: MZ, buffer: "
		"file.data, startswith: true}]}\n"
		"  - {id: 60, msg: fd, buffer: file.data, patterns: [{content: secret}]}\n"
		"  - {id: 61, msg: rb, buffer: http.response_body, patterns: [{content: secret}]}\n"
		"  - {id: 62, msg: qb, buffer: http.request_body, patterns: [{content: secret}]}\n"
		"  - {id: 63, msg: neg, buffer: file.data, patterns: [{content: nothing, not: "
		"true}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 50), 1);
	cr_expect_eq(itest_alerts(&t, 60), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=60 tx_id=0 src_ip=198.18.0.10"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=60 tx_id=0 src_ip=198.18.1.1"), 1);
	cr_expect_eq(itest_alerts(&t, 61), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=61 tx_id=0 src_ip=198.18.1.1"), 1);
	cr_expect_eq(itest_alerts(&t, 62), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=62 tx_id=0 src_ip=198.18.0.10"), 1);
	cr_expect_eq(itest_alerts(&t, 63), 3);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=63 tx_id=1 src_ip=198.18.1.1"), 1);
}

/* Two ET Open rules as Suricata writes them (classtype, reference and
 * metadata left out): sticky buffers switching mid-rule, endswith, depth,
 * fast_pattern in the third buffer, a negated http.header_names. */
static const char et_rules[] =
	"alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\"ET HUNTING HTA Download with "
	"PowerShell User-Agent\"; flow:established,to_server; http.method; content:\"GET\"; "
	"http.uri; content:\".hta\"; endswith; http.user_agent; "
	"content:\"WindowsPowerShell/\"; fast_pattern; sid:2044624; rev:1;)\n"
	"alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\"ET P2P zzima_loader\"; "
	"flow:established, to_server; http.method; content: \"GET\"; http.uri; "
	"content:\"/zzima_loader/\"; fast_pattern; http.user_agent; content:\"zzima-nloader/ "
	"1.0.3.1\"; depth:22; http.header_names; content:!\"Referer|0d 0a|\"; sid:2018532; "
	"rev:5;)\n";

Test(multibuffer, et_open_rules_on_several_buffers)
{
	const char *msgs[] = {
		"GET /x/run.hta HTTP/1.1\r\nUser-Agent: Mozilla/5.0 WindowsPowerShell/5.1\r\n\r\n",
		ok_resp,
		"GET /x/run.hta?x HTTP/1.1\r\nUser-Agent: Mozilla/5.0 "
		"WindowsPowerShell/5.1\r\n\r\n",
		ok_resp,
		"GET /zzima_loader/a HTTP/1.1\r\nUser-Agent: zzima-nloader/ 1.0.3.1\r\nHost: "
		"z\r\n\r\n",
		ok_resp,
		"GET /zzima_loader/a HTTP/1.1\r\nUser-Agent: zzima-nloader/ 1.0.3.1\r\nReferer: "
		"http://r/\r\n\r\n",
		ok_resp,
	};

	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: http\nvars:\n  address-groups:\n"
			 "    HOME_NET: \"[198.18.0.0/24]\"\n");
	itest_capture(&t, 1);
	http_conn(40004, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, et_rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 2044624), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2044624 tx_id=0"), 1);
	cr_expect_eq(itest_alerts(&t, 2018532), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=2018532 tx_id=2"), 1);
}

/* A byte_extract variable carried from one buffer to a later one (a
 * .rules file): the header gives how many body bytes to skip before the
 * magic, used as the offset of a request_body content; and from the
 * payload to the uri. */
Test(multibuffer, byte_extract_variable_carried_across_buffers)
{
	const char *msgs[] = {
		/* tx 0: skip 4, MAGIC at 4 */
		"POST /up HTTP/1.1\r\nX-Skip: 04\r\nContent-Length: 9\r\n\r\nabcdMAGIC",
		ok_resp,
		/* tx 1: skip 3: MAGIC not in [3, 8) */
		"POST /up HTTP/1.1\r\nX-Skip: 03\r\nContent-Length: 9\r\n\r\nabcdMAGIC",
		ok_resp,
		/* tx 2: skip 4, MAGIC at 3 */
		"POST /up HTTP/1.1\r\nX-Skip: 04\r\nContent-Length: 9\r\n\r\nabcMAGICd",
		ok_resp,
		/* tx 3: no X-Skip */
		"POST /up HTTP/1.1\r\nContent-Length: 9\r\n\r\nabcdMAGIC",
		ok_resp,
		/* tx 4: skip 0 */
		"POST /up HTTP/1.1\r\nX-Skip: 00\r\nContent-Length: 5\r\n\r\nMAGIC",
		ok_resp,
		/* tx 5, 6: the payload's n=3 bounds the uri's "abc" after /q/ */
		"GET /q/abc HTTP/1.1\r\nN: 3\r\n\r\n",
		ok_resp,
		"GET /q/abc HTTP/1.1\r\nN: 2\r\n\r\n",
		ok_resp,
	};

	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_capture(&t, 1);
	http_conn(40010, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, "alert http any any -> any any (msg:\"skip\"; flow:to_server; "
			"http.header; content:\"X-Skip|3a 20|\"; "
			"byte_extract:2,0,skip,relative,string,dec; http.request_body; "
			"content:\"MAGIC\"; offset:skip; depth:5; sid:60;)\n"
			"alert http any any -> any any (msg:\"n\"; flow:to_server; "
			"content:\"N|3a 20|\"; byte_extract:1,0,n,relative,string,dec; http.uri; "
			"content:\"/q/\"; content:\"abc\"; distance:0; within:n; sid:61;)\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 60), 2, "%s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=60 tx_id=0"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=60 tx_id=4"), 1);
	cr_expect_eq(itest_alerts(&t, 61), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=61 tx_id=5"), 1);
}

/* A rule on shared buffers only and no direction is matched on the
 * request's and on the response's buffers: it still alerts once per
 * transaction. */
Test(multibuffer, http_shared_buffers_without_direction_alert_once_per_tx)
{
	const char *msgs[] = {
		"POST /up HTTP/1.1\r\nX-Tag: t1\r\nContent-Length: 4\r\n\r\nMZ..",
		"HTTP/1.1 200 OK\r\nX-Tag: t1\r\nContent-Length: 4\r\n\r\nMZ..",
		"GET /a HTTP/1.1\r\nHost: a\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX-Tag: t1\r\nContent-Length: 4\r\n\r\nMZ..",
	};

	itest_capture(&t, 1);
	http_conn(40005, msgs, sizeof(msgs) / sizeof(msgs[0]));
	itest_rules(&t, "rules:\n"
			"  - {id: 60, msg: tagged MZ, patterns: [{content: \"X-Tag: t1\", buffer: "
			"http.header}, {content: MZ, buffer: file.data, startswith: true}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 60), 2, "%s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=60 tx_id=0 src_ip=198.18.0.10"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=60 tx_id=1 src_ip=198.18.1.1"), 1);
}

/* ------------------------------------------------------------------ dns */

struct msg {
	uint8_t b[512];
	size_t n;
};

static void put16(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

static void put_bytes(struct msg *m, const void *p, size_t n)
{
	cr_assert_leq(m->n + n, sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A message with one question `qname` (type A) and, in a response, one A
 * answer `addr` (4 bytes) whose owner points at the question. */
static void dns_msg(struct msg *m, unsigned id, bool response, const char *qname, const char *addr)
{
	const char *p = qname;

	m->n = 0;
	put16(m, id);
	put16(m, response ? 0x8180 : 0x0100);
	put16(m, 1);
	put16(m, response ? 1 : 0);
	put16(m, 0);
	put16(m, 0);
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		m->b[m->n++] = (uint8_t)l;
		put_bytes(m, p, l);
		p += l + (dot ? 1 : 0);
	}
	m->b[m->n++] = 0;
	put16(m, 1);
	put16(m, 1);
	if (!response)
		return;
	put_bytes(m, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04", 12);
	put_bytes(m, addr, 4);
}

static void dns_exchange(uint16_t sport, unsigned id, const char *qname, const char *addr)
{
	struct msg m;

	dns_msg(&m, id, false, qname, addr);
	pg_udp(&t.gen, "198.18.0.10", sport, "198.18.1.53", 53, m.b, m.n);
	dns_msg(&m, id, true, qname, addr);
	pg_udp(&t.gen, "198.18.1.53", 53, "198.18.0.10", sport, m.b, m.n);
}

Test(multibuffer, dns_query_and_answer_of_one_transaction)
{
	itest_capture(&t, 1);
	dns_exchange(50000, 1, "bad.example", "\xc6\x12\x07\x07");  /* both match */
	dns_exchange(50001, 2, "bad.example", "\xc6\x12\x07\x08");  /* answer does not */
	dns_exchange(50002, 3, "good.example", "\xc6\x12\x07\x07"); /* query does not */
	itest_rules(&t, "rules:\n"
			"  - {id: 20, msg: dns both, patterns: [{content: bad.example, buffer: "
			"dns.query}, {content: \" A 198.18.7.7\", buffer: dns.answer}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 20), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=20 src_port=53 dest_port=50000 tx_id=0"),
		     1);
}

/* Suricata 8's dns keywords mix with the names: an answer's owner name
 * with its type (per answer record of a response), a query's name with the
 * opcode (per question of a query). */
Test(multibuffer, dns_keyword_buffers_mix_with_names)
{
	itest_capture(&t, 1);
	dns_exchange(50000, 1, "bad.example", "\xc6\x12\x07\x07");
	dns_exchange(50001, 2, "bad.example", "\xc6\x12\x07\x08");
	dns_exchange(50002, 3, "good.example", "\xc6\x12\x07\x07");
	itest_rules(
		&t,
		"rules:\n"
		"  - {id: 21, msg: name and type, patterns: [{content: bad.example, buffer: "
		"dns.answer.name}, {byte_test: '2,=,1,0', buffer: dns.rrtype}]}\n"
		"  - {id: 22, msg: name and type 28, patterns: [{content: bad.example, buffer: "
		"dns.answer.name}, {byte_test: '2,=,28,0', buffer: dns.rrtype}]}\n"
		"  - {id: 23, msg: query and opcode, direction: to_server, patterns: [{content: "
		"bad.example, buffer: dns.query}, {byte_test: '1,=,0,0', buffer: "
		"dns.opcode}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 21), 2);
	cr_expect_eq(itest_alerts(&t, 22), 0);
	cr_expect_eq(itest_alerts(&t, 23), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=23 dest_port=53 src_port=50001"), 1);
}

/* ------------------------------------------------------------------ tls */

static uint8_t body[8192], hs[8192], wire[16384];

/* A ClientHello with `sni`, then a ServerHello selecting `selected`
 * (0: TLS 1.2). */
static void tls_session(uint16_t cport, const char *sni, uint16_t selected)
{
	struct th_spec s = th_foxio(true, sni);
	struct pg_tcp tcp;
	size_t n =
		th_records(hs, th_handshake(1, body, th_client_hello(&s, body), hs), 16384, wire);

	pg_tcp_init(&tcp, &t.gen, "198.18.0.10", cport, "198.18.1.1", 443);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, wire, n);
	n = th_server_hello(0x0303, selected ? 0x1301 : 0xc02f, selected, body);
	n = th_records(hs, th_handshake(2, body, n, hs), 16384, wire);
	pg_tcp_send(&tcp, PG_TO_CLIENT, wire, n);
	pg_tcp_close(&tcp);
}

Test(multibuffer, tls_sni_and_version_of_one_handshake)
{
	itest_capture(&t, 1);
	tls_session(41000, "c2.example.net", 0x0304);  /* both */
	tls_session(41001, "c2.example.net", 0);       /* TLS 1.2 */
	tls_session(41002, "www.example.org", 0x0304); /* other name */
	itest_rules(&t, "rules:\n"
			"  - {id: 30, msg: tls both, patterns: [{content: c2.example, buffer: "
			"tls.sni}, {content: TLS 1.3, buffer: tls.version}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 30), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=30 dest_port=41000 tx_id=0"), 1);
}

/* The payload with tls buffers: pkt_data is the step's handshake message
 * (the ServerHello's cipher 0xc02f with its version; the ClientHello's
 * cipher list with its SNI, which the ServerHello of TLS 1.3 also holds:
 * still one alert per handshake). */
Test(multibuffer, tls_payload_with_buffers_once_per_handshake)
{
	itest_capture(&t, 1);
	tls_session(41010, "c2.example.net", 0x0304); /* 1.3: cipher 13 01 */
	tls_session(41011, "c2.example.net", 0);      /* 1.2: cipher c0 2f */
	tls_session(41012, "www.example.org", 0);
	itest_rules(&t, "rules:\n"
			"  - {id: 31, msg: tls 1.2 cipher, direction: to_client, patterns: "
			"[{content: TLS 1.2, buffer: tls.version}, {hex: c0 2f, buffer: "
			"pkt_data}]}\n"
			"  - {id: 32, msg: sni and a cipher, patterns: [{content: c2.example, "
			"buffer: tls.sni}, {hex: 13 01, buffer: pkt_data}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 31), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=31 dest_port=41011"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=31 dest_port=41012"), 1);
	cr_expect_eq(itest_alerts(&t, 32), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=32 src_port=41010 tx_id=0"), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=32 src_port=41011 tx_id=0"), 1);
}

/* ------------------------------------------------------------- loading */

Test(multibuffer, buffers_of_two_plugins_in_one_rule_are_refused)
{
	itest_capture(&t, 1);
	itest_rules(&t, "rules:\n"
			"  - {id: 40, msg: mixed, patterns: [{content: aaaa, buffer: http.uri},"
			" {content: b, buffer: dns.query}]}\n");
	cr_assert_eq(itest_run(&t, "-T", NULL), 1);
	cr_expect(strstr(t.res.err,
			 "rule 40: buffers 'http.uri' and 'dns.query' are not of the "
			 "same plugin ('http' provides the first): split the rule") != NULL,
		  "%s", t.res.err);
}
