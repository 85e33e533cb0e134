/*
 * test_dns_keywords.c - Suricata 8's dns keywords end to end: dns.opcode
 * (with `!` and ranges), dns.rrtype (numbers and names) and the
 * dns.answer.name / dns.answers.rrname / dns.queries.rrname buffers, in a
 * .rules file loaded by the real sensor with the dns plugin; exact alert
 * counts on a crafted capture (a query, its response, a NOTIFY).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "dnskw");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n  - name: dns\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(dns_keywords, .init = begin, .fini = end);

/* ------------------------------------------------------ message builder */

struct msg {
	uint8_t b[1024];
	size_t n;
};

static void put8(struct msg *m, unsigned v)
{
	cr_assert_lt(m->n, sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void put_bytes(struct msg *m, const void *p, size_t n)
{
	cr_assert_leq(m->n + n, sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void header(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

static void name(struct msg *m, const char *dotted)
{
	const char *p = dotted;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		put8(m, (unsigned)l);
		put_bytes(m, p, l);
		p += l + (dot ? 1 : 0);
	}
	put8(m, 0);
}

static void question(struct msg *m, const char *dotted, unsigned type)
{
	name(m, dotted);
	put16(m, type);
	put16(m, 1);
}

/* An answer whose owner is a pointer to the question's name (offset 12). */
static void answer(struct msg *m, unsigned type, uint32_t ttl, const void *rdata, size_t len)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, (unsigned)len);
	put_bytes(m, rdata, len);
}

static void query(struct msg *m, unsigned id, const char *dotted, unsigned type)
{
	header(m, id, 0x0100, 1, 0);
	question(m, dotted, type);
}

/* The response to www.Evil.example: CNAME c2.example, then its A. */
static void evil_response(struct msg *m)
{
	size_t c2;

	header(m, 0x1a2b, 0x8180, 1, 2);
	question(m, "www.Evil.example", 1);
	c2 = m->n + 12; /* the CNAME's rdata */
	answer(m, 5, 60,
	       "\x02"
	       "c2\xc0\x15",
	       5); /* c2 + pointer to "example" */
	put16(m, (unsigned)(0xc000 | c2));
	put16(m, 1);
	put16(m, 1);
	put32(m, 300);
	put16(m, 4);
	put_bytes(m, "\xc6\x12\x07\x07", 4);
}

/* A query for www.Evil.example (A), its response (CNAME c2.example, then
 * c2.example A), and a NOTIFY (opcode 4) for zone.example (SOA). */
static void capture(void)
{
	struct msg m;

	itest_capture(&t, 1);
	query(&m, 0x1a2b, "www.Evil.example", 1);
	pg_udp(&t.gen, "198.18.0.10", 40000, "198.18.0.53", 53, m.b, m.n);
	evil_response(&m);
	pg_udp(&t.gen, "198.18.0.53", 53, "198.18.0.10", 40000, m.b, m.n);
	header(&m, 0x0707, 0x2000, 1, 0);
	question(&m, "zone.example", 6);
	pg_udp(&t.gen, "198.18.0.11", 40001, "198.18.0.53", 53, m.b, m.n);
}

#define R(sid, opts) "alert dns any any -> any any (msg:\"" #sid "\"; " opts " sid:" #sid ";)\n"

static const char rules[] = R(10, "dns.opcode:4;") R(11, "dns.opcode:!0;") R(12, "dns.opcode:0;") R(
	13, "dns.opcode:3-5;") R(14, "dns.opcode:!3-5;") R(15, "dns.opcode:>=4;")
	R(20, "dns.rrtype:A;") R(21, "dns.rrtype:5;") R(22, "dns.rrtype:SOA;") R(23,
										 "dns.rrtype:!1;")
		R(24, "dns.rrtype:28;") R(30, "dns.answer.name; content:\"c2.example\";")
			R(31, "dns.answer.name; content:\"www.evil.example\"; nocase; endswith;")
				R(32, "dns.answers.rrname; content:\"c2.ex\"; startswith;") R(
					33, "dns.queries.rrname; content:\"zone.example\";")
					R(34, "dns.answer.name; content:\"198.18\";") R(
						35, "dns.query.name; content:\"Evil\";")
						R(36, "dns.queries.rrname; content:\"Evil\";");

Test(dns_keywords, opcode_rrtype_and_answer_name)
{
	capture();
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(t.eve.bad_lines, 0);
	cr_expect_null(strstr(t.res.err, "error"), "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 10), 1);
	cr_expect_eq(itest_alerts(&t, 11), 1);
	cr_expect_eq(itest_alerts(&t, 12), 2);
	cr_expect_eq(itest_alerts(&t, 13), 1);
	cr_expect_eq(itest_alerts(&t, 14), 2);
	cr_expect_eq(itest_alerts(&t, 15), 1);
	cr_expect_eq(itest_alerts(&t, 20), 2);
	cr_expect_eq(itest_alerts(&t, 21), 1);
	cr_expect_eq(itest_alerts(&t, 22), 1);
	cr_expect_eq(itest_alerts(&t, 23), 2);
	cr_expect_eq(itest_alerts(&t, 24), 0);
	cr_expect_eq(itest_alerts(&t, 30), 1);
	cr_expect_eq(itest_alerts(&t, 31), 1);
	cr_expect_eq(itest_alerts(&t, 32), 1);
	cr_expect_eq(itest_alerts(&t, 33), 1);
	cr_expect_eq(itest_alerts(&t, 34), 0);
	cr_expect_eq(itest_alerts(&t, 35), 1); /* requests only, as Suricata's dns.query */
	cr_expect_eq(itest_alerts(&t, 36), 2); /* question names of query and response */
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=10", 0), "pcap_cnt", 0), 3);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=21", 0), "pcap_cnt", 0), 2);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=30", 0), "dns.type"),
			 "response");
}
