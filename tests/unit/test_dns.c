/*
 * test_dns.c - the dns plugin's glue (plugins/dns/dns.c) loaded through
 * its descriptor with a fake services table: the rendered `dns` object
 * stays valid JSON whatever the number of records when the object is cut
 * to its cap (built here with DNS_FIELDS_MAX 600), the TCP framing keeps
 * per-flow state and frees it at flow end, and the init errors.
 *
 * The fake matcher reports every rule on every scan, so the first scan of
 * a message renders its object; alert_fields parses it with the tests'
 * JSON reader.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ids/plugin.h>

#include "json_read.h"

static struct {
	char fields[4096];
	unsigned alerts, bad_json, scans[2];
	void *slot;
	int no_flow;
	struct jr_val *last;
} fk;

static struct ids_matcher *const FAKE_QUERY = (struct ids_matcher *)&fk.scans[0];
static struct ids_matcher *const FAKE_ANSWER = (struct ids_matcher *)&fk.scans[1];

static void fake_log(enum ids_log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static void fake_alert_fields(struct ids_thread *thr, const struct ids_packet *pkt,
			      const struct ids_rule *rule, const char *fields)
{
	char obj[4200];

	(void)thr;
	(void)pkt;
	(void)rule;
	fk.alerts++;
	snprintf(fk.fields, sizeof(fk.fields), "%s", fields);
	snprintf(obj, sizeof(obj), "{%s}", fields);
	jr_free(fk.last);
	fk.last = jr_parse(obj, strlen(obj));
	fk.bad_json += !fk.last;
}

static struct ids_matcher *fake_compile(const struct ids_rule *const *rules, size_t n, char *err,
					size_t errlen)
{
	(void)n;
	(void)err;
	(void)errlen;
	return strcmp(rules[0]->buffer, "dns.queries.rrname") == 0 ? FAKE_QUERY : FAKE_ANSWER;
}

static void fake_free(struct ids_matcher *m)
{
	(void)m;
}

static const struct ids_rule *fake_rules[2];

static unsigned fake_scan(struct ids_thread *thr, const struct ids_matcher *m,
			  const struct ids_packet *pkt, const uint8_t *buf, size_t len,
			  ids_match_fn cb, void *ctx)
{
	int which = m == FAKE_ANSWER;

	(void)thr;
	(void)pkt;
	(void)buf;
	(void)len;
	fk.scans[which]++;
	cb(fake_rules[which], ctx);
	return 1;
}

static void **fake_flow_data(struct ids_thread *thr)
{
	(void)thr;
	return fk.no_flow ? NULL : &fk.slot;
}

static const char *fake_app_proto(struct ids_thread *thr)
{
	(void)thr;
	return NULL;
}

/* JSON string body: quotes, backslashes and bytes outside printable ASCII
 * escaped. */
static size_t fake_escape(char *out, size_t outlen, const char *s, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char unit[8];
		size_t k;

		if (c == '"' || c == '\\')
			k = (size_t)snprintf(unit, sizeof(unit), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			k = (size_t)snprintf(unit, sizeof(unit), "\\u%04x", c);
		else
			k = (size_t)snprintf(unit, sizeof(unit), "%c", c);
		if (total + k < outlen)
			memcpy(out + total, unit, k);
		total += k;
	}
	if (outlen)
		out[total < outlen ? total : outlen - 1] = '\0';
	return total;
}

static const struct ids_services svc = {
	.struct_size = sizeof(struct ids_services),
	.log = fake_log,
	.matcher_compile = fake_compile,
	.matcher_free = fake_free,
	.matcher_scan = fake_scan,
	.flow_data = fake_flow_data,
	.alert_fields = fake_alert_fields,
	.app_proto = fake_app_proto,
	.json_escape = fake_escape,
};

static const struct ids_rule rule_query = {
	.id = 1, .msg = "q", .file = "r.yaml", .line = 2, .buffer = "dns.queries.rrname"};
static const struct ids_rule rule_answer = {
	.id = 2, .msg = "a", .file = "r.yaml", .line = 3, .buffer = "dns.answer"};

static const struct ids_plugin *plugin;
static void *global, *thread_ctx;

static int start(const struct ids_rule *const *rules, size_t n, const union ids_opt_value *opts,
		 char *err)
{
	struct ids_plugin_init_args args = {
		.struct_size = sizeof(args),
		.svc = &svc,
		.opts = opts,
		.rules = rules,
		.n_rules = n,
		.thread_count = 1,
		.err = err,
		.errlen = 256,
	};

	return plugin->init(&args, &global);
}

static void setup(void)
{
	static const union ids_opt_value opts[2] = {{.i = 1000}, {.i = 65535}};
	const struct ids_rule *rules[2] = {&rule_query, &rule_answer};
	char err[256] = "";

	memset(&fk, 0, sizeof(fk));
	fake_rules[0] = &rule_query;
	fake_rules[1] = &rule_answer;
	plugin = ids_plugin_entry();
	cr_assert_eq(start(rules, 2, opts, err), 0, "%s", err);
	cr_assert_eq(plugin->thread_init(global, NULL, &thread_ctx), 0);
}

static void teardown(void)
{
	if (plugin && fk.slot)
		plugin->on_flow_end(thread_ctx, NULL, NULL);
	if (plugin && thread_ctx)
		plugin->thread_fini(thread_ctx);
	if (plugin && global)
		plugin->fini(global);
	jr_free(fk.last);
	thread_ctx = global = NULL;
}

TestSuite(dns, .init = setup, .fini = teardown);

/* ------------------------------------------------------------- messages */

static uint8_t msg[4096];
static size_t msg_len;

static void put(const void *p, size_t n)
{
	cr_assert_leq(msg_len + n, sizeof(msg));
	memcpy(msg + msg_len, p, n);
	msg_len += n;
}

/* A response to "name.example" A with `an` A records and `ns` NS records. */
static void response(unsigned an, unsigned ns)
{
	static const uint8_t q[] = {4,	 'n', 'a', 'm', 'e', 7, 'e', 'x', 'a',
				    'm', 'p', 'l', 'e', 0,   0, 1,   0,	  1};
	uint8_t h[12] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};

	h[7] = (uint8_t)an;
	h[9] = (uint8_t)ns;
	msg_len = 0;
	put(h, sizeof(h));
	put(q, sizeof(q));
	for (unsigned i = 0; i < an; i++) {
		uint8_t rr[16] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 9, 0, 4, 198, 18, 1, 0};

		rr[15] = (uint8_t)i;
		put(rr, sizeof(rr));
	}
	for (unsigned i = 0; i < ns; i++) {
		uint8_t rr[17] = {0xc0, 17, 0, 2, 0, 1, 0, 0, 0, 9, 0, 5, 2, 'n', 's', 0xc0, 17};

		put(rr, sizeof(rr));
	}
}

static void udp_packet(const uint8_t *data, size_t len)
{
	struct ids_packet p = {.proto = 17, .sport = 53, .dport = 40000};

	p.payload = data;
	p.payload_len = (uint32_t)len;
	plugin->on_packet(thread_ctx, NULL, &p);
}

Test(dns, object_stays_valid_json_when_cut)
{
	for (unsigned an = 0; an <= 30; an++) {
		for (unsigned ns = 0; ns <= 6; ns += 3) {
			const struct jr_val *list;

			response(an, ns);
			fk.alerts = 0;
			udp_packet(msg, msg_len);
			cr_assert_eq(fk.alerts, an ? 2 : 1, "an %u", an);
			cr_assert_not_null(fk.last, "an %u ns %u: %s", an, ns, fk.fields);
			cr_assert_leq(strlen(fk.fields), 599);
			cr_expect_str_eq(jr_str(fk.last, "dns.rcode"), "NOERROR");
			list = jr_get(fk.last, "dns.answers");
			if (an <= 3 && ns == 0) /* room for all */
				cr_expect_eq(list ? list->n : 0, an, "an %u", an);
			else if (an)
				cr_expect_gt(list ? list->n : 0, 0, "an %u", an);
		}
	}
	cr_expect_eq(fk.bad_json, 0);
}

Test(dns, short_object_is_exact)
{
	response(1, 1);
	udp_packet(msg, msg_len);
	cr_expect_str_eq(fk.fields,
			 "\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":0,\"id\":4660,"
			 "\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,"
			 "\"rcode\":\"NOERROR\",\"queries\":[{\"rrname\":\"name.example\","
			 "\"rrtype\":\"A\"}],\"answers\":[{\"rrname\":\"name.example\",\"rrtype\":"
			 "\"A\",\"ttl\":9,\"rdata\":\"198.18.1.0\"}],\"grouped\":{\"A\":["
			 "\"198.18.1.0\"]},\"authorities\":[{\"rrname\":\"example\",\"rrtype\":"
			 "\"NS\",\"ttl\":9,\"rdata\":\"ns.example\"}]}");
	cr_expect_not_null(fk.slot); /* the flow numbers its transactions */
}

/* ------------------------------------------------------------------ TCP */

static void tcp_chunk(const uint8_t *data, size_t len, uint64_t off, uint8_t flags)
{
	struct ids_packet p = {.proto = 6, .sport = 40000, .dport = 53};
	struct ids_stream_chunk c = {.data = data,
				     .len = (uint32_t)len,
				     .offset = off,
				     .direction = IDS_DIR_TO_SERVER,
				     .flags = flags};

	plugin->on_stream(thread_ctx, NULL, &p, &c);
}

static const uint8_t tcp_query[] = {0,	 30,  0,   7,	1,   0,	  0,   1,   0, 0,   0,
				    0,	 0,   0,   4,	'e', 'v', 'i', 'l', 7, 'e', 'x',
				    'a', 'm', 'p', 'l', 'e', 0,	  0,   16,  0, 1};

Test(dns, tcp_every_split_point)
{
	for (size_t cut = 1; cut < sizeof(tcp_query); cut++) {
		fk.scans[0] = 0;
		tcp_chunk(tcp_query, cut, 0, 0);
		tcp_chunk(tcp_query + cut, sizeof(tcp_query) - cut, cut, IDS_STREAM_END);
		cr_expect_eq(fk.scans[0], 1, "cut at %zu", cut);
		cr_expect_str_eq(jr_str(fk.last, "dns.queries.0.rrname"), "evil.example");
		cr_expect_str_eq(jr_str(fk.last, "dns.queries.0.rrtype"), "TXT");
		plugin->on_flow_end(thread_ctx, NULL, NULL);
		cr_assert_null(fk.slot);
	}
}

Test(dns, tcp_gap_and_mid_stream_start_lose_the_framing)
{
	tcp_chunk(tcp_query, 5, 0, 0);
	tcp_chunk(tcp_query + 10, sizeof(tcp_query) - 10, 10, IDS_STREAM_GAP);
	tcp_chunk(tcp_query, sizeof(tcp_query), sizeof(tcp_query), 0);
	cr_expect_eq(fk.scans[0], 0);
	plugin->on_flow_end(thread_ctx, NULL, NULL);
	tcp_chunk(tcp_query, sizeof(tcp_query), 100, 0); /* first seen at offset 100 */
	cr_expect_eq(fk.scans[0], 0);
	plugin->on_flow_end(thread_ctx, NULL, NULL);
	tcp_chunk(tcp_query, sizeof(tcp_query), 0, 0);
	tcp_chunk(tcp_query, sizeof(tcp_query), sizeof(tcp_query), 0);
	cr_expect_eq(fk.scans[0], 2);
	cr_expect_eq(jr_int(fk.last, "dns.tx_id", -1), 1);
}

Test(dns, no_flow_no_tcp_but_udp_queries_still_parsed)
{
	fk.no_flow = 1;
	tcp_chunk(tcp_query, sizeof(tcp_query), 0, 0);
	cr_expect_eq(fk.scans[0], 0);
	udp_packet(tcp_query + 2, sizeof(tcp_query) - 2);
	cr_expect_eq(fk.scans[0], 1);
	cr_expect_eq(jr_int(fk.last, "dns.tx_id", -1), 0);
}

/* ----------------------------------------------------------------- init */

Test(dns, init_errors)
{
	static const union ids_opt_value opts[2] = {{.i = 15}, {.i = 65535}};
	static const struct ids_rule bare = {.id = 7, .file = "x.yaml", .line = 4};
	static const struct ids_rule other = {
		.id = 8, .file = "x.yaml", .line = 9, .buffer = "http.uri"};
	const struct ids_rule *r1[1] = {&bare}, *r2[1] = {&other};
	void *saved = global;
	char err[256] = "";

	cr_expect_eq(start(r1, 1, opts, err), -1);
	cr_expect_str_eq(err, "rule 7 (x.yaml:4): the dns plugin matches rules on its buffers "
			      "only: add `buffer:` (dns.query, dns.answer, dns.answer.name, "
			      "dns.opcode, dns.rrtype, dns.queries.rrname)");
	cr_expect_eq(start(r2, 1, opts, err), -1);
	cr_expect_str_eq(err, "rule 8 (x.yaml:9): the dns plugin has no buffer 'http.uri' "
			      "(dns.query, dns.answer, dns.answer.name, dns.opcode, dns.rrtype, "
			      "dns.queries.rrname)");
	global = saved;
}
