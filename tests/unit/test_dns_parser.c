/*
 * test_dns_parser.c - the DNS parser of the dns plugin (plugins/dns/
 * dns_parser.c): names with and without compression, hostile pointers
 * (forward, self, loops, long chains), name and label limits, truncation
 * at every length, many records, rdata of every rendered type.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_parser.h"

/* A message under construction. */
struct mb {
	uint8_t b[70000];
	size_t n;
};

static struct mb m;

static void begin(void)
{
	memset(&m, 0, sizeof(m));
}

TestSuite(dns_parser, .init = begin);

static void put8(unsigned v)
{
	cr_assert_lt(m.n, sizeof(m.b));
	m.b[m.n++] = (uint8_t)v;
}

static void put16(unsigned v)
{
	put8(v >> 8);
	put8(v & 0xff);
}

static void put32(uint32_t v)
{
	put16(v >> 16);
	put16(v & 0xffff);
}

static void put_bytes(const void *p, size_t n)
{
	cr_assert_leq(m.n + n, sizeof(m.b));
	memcpy(m.b + m.n, p, n);
	m.n += n;
}

static void header(unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	m.n = 0;
	put16(id);
	put16(flags);
	put16(qd);
	put16(an);
	put16(ns);
	put16(ar);
}

/* Labels of a dotted name, then the root byte unless `ptr` >= 0 (then a
 * compression pointer to `ptr`). Returns the name's offset. */
static size_t name_ptr(const char *dotted, int ptr)
{
	size_t at = m.n;
	const char *p = dotted;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		put8((unsigned)l);
		put_bytes(p, l);
		p += l + (dot ? 1 : 0);
	}
	if (ptr >= 0)
		put16(0xc000u | (unsigned)ptr);
	else
		put8(0);
	return at;
}

static size_t name(const char *dotted)
{
	return name_ptr(dotted, -1);
}

static void question(const char *dotted, unsigned type)
{
	name(dotted);
	put16(type);
	put16(1);
}

/* An RR's fixed part after its owner name. */
static void rr_fixed(unsigned type, uint32_t ttl, unsigned rdlen)
{
	put16(type);
	put16(1);
	put32(ttl);
	put16(rdlen);
}

static int next(struct dns_reader *r, struct dns_record *rec)
{
	return dns_reader_next(r, rec);
}

static long rdata(const struct dns_record *rec, char *out, size_t cap)
{
	return dns_rdata_text(m.b, m.n, rec, out, cap);
}

/* ------------------------------------------------------------- headers */

Test(dns_parser, header_fields_and_short_header)
{
	struct dns_header h;

	header(0x1234, 0x8180, 1, 2, 3, 4);
	cr_assert_eq(dns_header_parse(m.b, m.n, &h), DNS_OK);
	cr_expect_eq(h.id, 0x1234);
	cr_expect_eq(h.flags, 0x8180);
	cr_expect_eq(h.qdcount, 1);
	cr_expect_eq(h.ancount, 2);
	cr_expect_eq(h.nscount, 3);
	cr_expect_eq(h.arcount, 4);
	for (size_t len = 0; len < DNS_HEADER_LEN; len++)
		cr_expect_eq(dns_header_parse(m.b, len, &h), DNS_E_SHORT, "len %zu", len);
	cr_expect_eq(dns_header_parse(NULL, 12, &h), DNS_E_SHORT);
}

Test(dns_parser, unassigned_opcodes_are_not_dns)
{
	static const int expect[16] = {0,
				       0,
				       0,
				       DNS_E_OPCODE,
				       0,
				       0,
				       0,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE,
				       DNS_E_OPCODE};
	struct dns_header h;

	for (unsigned op = 0; op < 16; op++) {
		header(1, op << 11, 0, 0, 0, 0);
		cr_expect_eq(dns_header_parse(m.b, m.n, &h), expect[op], "opcode %u", op);
	}
}

/* ------------------------------------------------------------ questions */

Test(dns_parser, query_with_one_question_keeps_case)
{
	struct dns_reader r;
	struct dns_record rec;

	header(0xbeef, 0x0100, 1, 0, 0, 0);
	question("www.Example.COM", DNS_TYPE_AAAA);
	cr_assert_eq(dns_reader_init(&r, m.b, m.n), DNS_OK);
	cr_assert_eq(next(&r, &rec), 1);
	cr_expect_eq(rec.section, DNS_SEC_QUESTION);
	cr_expect_str_eq(rec.name, "www.Example.COM");
	cr_expect_eq(rec.name_len, 15);
	cr_expect_eq(rec.type, DNS_TYPE_AAAA);
	cr_expect_eq(rec.rclass, 1);
	cr_expect_eq(next(&r, &rec), 0);
	cr_expect_eq(next(&r, &rec), 0);
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_OK);
}

Test(dns_parser, root_name_is_empty)
{
	struct dns_reader r;
	struct dns_record rec;

	header(1, 0, 1, 0, 0, 0);
	question("", 2);
	cr_assert_eq(dns_reader_init(&r, m.b, m.n), DNS_OK);
	cr_assert_eq(next(&r, &rec), 1);
	cr_expect_str_eq(rec.name, "");
	cr_expect_eq(rec.name_len, 0);
	cr_expect_eq(rec.type, DNS_TYPE_NS);
}

Test(dns_parser, label_bytes_kept_as_sent)
{
	struct dns_reader r;
	struct dns_record rec;
	static const uint8_t odd[] = {3, 'a', '.', 0xff, 2, 0, 'Z', 0};

	header(1, 0, 1, 0, 0, 0);
	put_bytes(odd, sizeof(odd));
	put16(1);
	put16(1);
	cr_assert_eq(dns_reader_init(&r, m.b, m.n), DNS_OK);
	cr_assert_eq(next(&r, &rec), 1);
	cr_expect_eq(rec.name_len, 6);
	cr_expect_eq(memcmp(rec.name, "a.\xff.\0Z", 6), 0);
}

/* ----------------------------------------------------------- compression */

/* A response with compressed names in owners and rdata of every type. */
static void full_response(void)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	size_t q, ex;

	header(0x4242, 0x8180, 1, 7, 1, 0);
	q = name("www.example.com");
	ex = q + 4; /* "example.com" inside it */
	put16(DNS_TYPE_A);
	put16(1);
	/* CNAME www -> cdn.example.com */
	name_ptr("", (int)q);
	rr_fixed(DNS_TYPE_CNAME, 60, 6);
	name_ptr("cdn", (int)ex);
	/* A, AAAA for cdn.example.com (owner: the CNAME's rdata) */
	name_ptr("cdn", (int)ex);
	rr_fixed(DNS_TYPE_A, 300, 4);
	put_bytes("\xc6\x12\x00\x05", 4);
	name_ptr("", (int)q);
	rr_fixed(DNS_TYPE_AAAA, 301, 16);
	put_bytes(v6, 16);
	/* MX 10 mail.example.com */
	name_ptr("", (int)ex);
	rr_fixed(DNS_TYPE_MX, 3600, 9);
	put16(10);
	name_ptr("mail", (int)ex);
	/* TXT two strings */
	name_ptr("", (int)ex);
	rr_fixed(DNS_TYPE_TXT, 5, 12);
	put_bytes("\x05v=spf\x05 -all", 12);
	/* PTR, NS */
	name("5.0.18.198.in-addr.arpa");
	rr_fixed(DNS_TYPE_PTR, 7, 2);
	put16(0xc000u | (unsigned)q);
	name_ptr("", (int)ex);
	rr_fixed(DNS_TYPE_NS, 8, 6);
	name_ptr("ns1", (int)ex);
	/* authority: SOA (rdata not read) */
	name_ptr("", (int)ex);
	rr_fixed(DNS_TYPE_SOA, 9, 4);
	put32(0xdeadbeef);
}

Test(dns_parser, response_with_compression_and_every_rendered_type)
{
	static const struct {
		uint8_t section;
		uint16_t type;
		uint32_t ttl;
		const char *name, *text;
	} want[] = {
		{DNS_SEC_QUESTION, DNS_TYPE_A, 0, "www.example.com", NULL},
		{DNS_SEC_ANSWER, DNS_TYPE_CNAME, 60, "www.example.com", "cdn.example.com"},
		{DNS_SEC_ANSWER, DNS_TYPE_A, 300, "cdn.example.com", "198.18.0.5"},
		{DNS_SEC_ANSWER, DNS_TYPE_AAAA, 301, "www.example.com",
		 "2001:0db8:0000:0000:0000:0000:0000:0001"},
		{DNS_SEC_ANSWER, DNS_TYPE_MX, 3600, "example.com", "mail.example.com"},
		{DNS_SEC_ANSWER, DNS_TYPE_TXT, 5, "example.com", "v=spf -all"},
		{DNS_SEC_ANSWER, DNS_TYPE_PTR, 7, "5.0.18.198.in-addr.arpa", "www.example.com"},
		{DNS_SEC_ANSWER, DNS_TYPE_NS, 8, "example.com", "ns1.example.com"},
		{DNS_SEC_AUTHORITY, DNS_TYPE_SOA, 9, "example.com", NULL},
	};
	struct dns_reader r;
	struct dns_record rec;
	struct dns_header h;
	char text[300];

	full_response();
	cr_assert_eq(dns_message_check(m.b, m.n, &h), DNS_OK);
	cr_expect_eq(h.id, 0x4242);
	cr_assert_eq(dns_reader_init(&r, m.b, m.n), DNS_OK);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_eq(next(&r, &rec), 1, "record %zu", i);
		cr_expect_eq(rec.section, want[i].section, "record %zu", i);
		cr_expect_eq(rec.type, want[i].type, "record %zu", i);
		cr_expect_eq(rec.ttl, want[i].ttl, "record %zu", i);
		cr_expect_str_eq(rec.name, want[i].name, "record %zu", i);
		if (!want[i].text) {
			cr_expect_eq(rdata(&rec, text, sizeof(text)), -1, "record %zu", i);
			cr_expect_str_eq(text, "");
			continue;
		}
		cr_expect_eq(rdata(&rec, text, sizeof(text)), (long)strlen(want[i].text));
		cr_expect_str_eq(text, want[i].text, "record %zu", i);
	}
	cr_expect_eq(next(&r, &rec), 0);
}

Test(dns_parser, truncation_at_every_length_is_an_error)
{
	full_response();
	for (size_t len = 0; len < m.n; len++) {
		/* an exact-size copy, so a read past `len` trips ASan */
		uint8_t *cut = malloc(len ? len : 1);
		int rc;

		cr_assert_not_null(cut);
		memcpy(cut, m.b, len);
		rc = dns_message_check(cut, len, NULL);
		free(cut);
		cr_expect(rc < 0, "prefix of %zu bytes parsed", len);
		if (len < DNS_HEADER_LEN)
			cr_expect_eq(rc, DNS_E_SHORT);
		else
			cr_expect(rc == DNS_E_TRUNCATED || rc == DNS_E_RDATA, "len %zu: %s", len,
				  dns_error_name(rc));
	}
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_OK);
}

/* ------------------------------------------------------- hostile pointers */

Test(dns_parser, forward_pointer_rejected)
{
	header(1, 0, 1, 0, 0, 0);
	put16(0xc000u | 14); /* points at the type field after it */
	put16(1);
	put16(1);
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_E_PTR_FORWARD);
}

Test(dns_parser, pointer_to_itself_rejected)
{
	header(1, 0, 1, 0, 0, 0);
	put16(0xc000u | 12);
	put16(1);
	put16(1);
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_E_PTR_FORWARD);
}

Test(dns_parser, pointer_into_the_same_name_rejected)
{
	/* "a" then a pointer back to the "a": a loop if followed */
	header(1, 0, 1, 0, 0, 0);
	name_ptr("a", 12);
	put16(1);
	put16(1);
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_E_PTR_FORWARD);
}

Test(dns_parser, two_pointers_looping_rejected)
{
	size_t end = 0, len = 0;
	char out[DNS_NAME_TEXT_MAX + 1];

	/* offset 12: "x" + pointer to 20; offset 20: "y" + pointer to 12 */
	header(1, 0, 0, 0, 0, 0);
	name_ptr("x", 20);
	while (m.n < 20)
		put8(0);
	name_ptr("y", 12);
	cr_expect_eq(dns_name_decode(m.b, m.n, 20, out, &len, &end), DNS_E_PTR_FORWARD);
	cr_expect_eq(dns_name_decode(m.b, m.n, 12, out, &len, &end), DNS_E_PTR_FORWARD);
}

/* A chain of `hops` pointers, each to the one before, ending at a root
 * byte; returns the offset of the last pointer. */
static size_t pointer_chain(unsigned hops)
{
	size_t prev;

	header(1, 0, 0, 0, 0, 0);
	prev = m.n;
	put8(0);
	for (unsigned i = 0; i < hops; i++) {
		size_t at = m.n;

		put16(0xc000u | (unsigned)prev);
		prev = at;
	}
	return prev;
}

Test(dns_parser, pointer_hops_bounded)
{
	char out[DNS_NAME_TEXT_MAX + 1];
	size_t len = 99, end = 0, last;

	last = pointer_chain(DNS_MAX_HOPS);
	cr_expect_eq(dns_name_decode(m.b, m.n, last, out, &len, &end), DNS_OK);
	cr_expect_eq(len, 0);
	cr_expect_eq(end, last + 2);
	last = pointer_chain(DNS_MAX_HOPS + 1);
	cr_expect_eq(dns_name_decode(m.b, m.n, last, out, &len, &end), DNS_E_PTR_HOPS);
}

Test(dns_parser, pointer_past_the_end_and_cut_pointer)
{
	char out[DNS_NAME_TEXT_MAX + 1];
	size_t len, end;

	header(1, 0, 0, 0, 0, 0);
	put8(0xc0); /* a pointer's first byte, then nothing */
	cr_expect_eq(dns_name_decode(m.b, m.n, 12, out, &len, &end), DNS_E_TRUNCATED);
	/* label running past the end */
	header(1, 0, 0, 0, 0, 0);
	put8(5);
	put_bytes("abc", 3);
	cr_expect_eq(dns_name_decode(m.b, m.n, 12, out, &len, &end), DNS_E_TRUNCATED);
	/* name without its root byte */
	header(1, 0, 0, 0, 0, 0);
	put8(3);
	put_bytes("abc", 3);
	cr_expect_eq(dns_name_decode(m.b, m.n, 12, out, &len, &end), DNS_E_TRUNCATED);
	cr_expect_eq(dns_name_decode(m.b, m.n, m.n, out, &len, &end), DNS_E_TRUNCATED);
}

Test(dns_parser, reserved_label_types_rejected)
{
	static const uint8_t types[] = {0x40, 0x80, 0x7f, 0xbf};

	for (size_t i = 0; i < sizeof(types); i++) {
		header(1, 0, 1, 0, 0, 0);
		put8(types[i]);
		put_bytes("abc", 3);
		put8(0);
		put16(1);
		put16(1);
		cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_E_LABEL, "type 0x%02x",
			     types[i]);
	}
}

/* -------------------------------------------------------------- lengths */

static char *label_of(size_t n, char c, char *buf)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

Test(dns_parser, longest_name_is_255_octets)
{
	char l63[64], l61[64], dotted[300];
	struct dns_reader r;
	struct dns_record rec;

	label_of(63, 'a', l63);
	label_of(61, 'b', l61);
	/* 3 * (1 + 63) + (1 + 61) + 1 = 255 octets, 253 bytes of text */
	snprintf(dotted, sizeof(dotted), "%s.%s.%s.%s", l63, l63, l63, l61);
	header(1, 0, 1, 0, 0, 0);
	question(dotted, 1);
	cr_assert_eq(dns_reader_init(&r, m.b, m.n), DNS_OK);
	cr_assert_eq(next(&r, &rec), 1);
	cr_expect_eq(rec.name_len, DNS_NAME_TEXT_MAX);
	cr_expect_str_eq(rec.name, dotted);
	/* one more byte: 256 octets */
	label_of(62, 'b', l61);
	snprintf(dotted, sizeof(dotted), "%s.%s.%s.%s", l63, l63, l63, l61);
	header(1, 0, 1, 0, 0, 0);
	question(dotted, 1);
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_E_NAME_LONG);
}

Test(dns_parser, name_too_long_through_compression)
{
	char l63[64], dotted[300];
	size_t q;

	label_of(63, 'c', l63);
	snprintf(dotted, sizeof(dotted), "%s.%s.%s", l63, l63, l63); /* 193 octets */
	header(1, 0, 2, 0, 0, 0);
	q = name(dotted);
	put16(1);
	put16(1);
	name_ptr(l63, (int)q); /* 64 + 193 = 257 octets */
	put16(1);
	put16(1);
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_E_NAME_LONG);
}

Test(dns_parser, counts_larger_than_the_message_are_truncation)
{
	header(1, 0x8000, 1, 5, 0, 0);
	question("a.example", 1);
	for (int i = 0; i < 4; i++) {
		name_ptr("", 12);
		rr_fixed(DNS_TYPE_A, 1, 4);
		put32(0xc6120001);
	}
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_E_TRUNCATED);
}

Test(dns_parser, bytes_after_the_authority_section_ignored)
{
	header(1, 0x8000, 1, 0, 0, 3);
	question("a.example", 1);
	put_bytes("\xff\xff\xff garbage", 11);
	cr_expect_eq(dns_message_check(m.b, m.n, NULL), DNS_OK);
}

Test(dns_parser, many_records)
{
	struct dns_reader r;
	struct dns_record rec;
	unsigned answers = 0;
	char text[32];

	header(7, 0x8180, 1, 4000, 0, 0);
	question("many.example", 1);
	for (unsigned i = 0; i < 4000; i++) {
		name_ptr("", 12);
		rr_fixed(DNS_TYPE_A, i, 4);
		put32(0xc6120000u | i);
	}
	cr_assert_eq(dns_reader_init(&r, m.b, m.n), DNS_OK);
	cr_assert_eq(next(&r, &rec), 1);
	while (next(&r, &rec) == 1) {
		cr_assert_eq(rec.ttl, answers);
		cr_assert_str_eq(rec.name, "many.example");
		answers++;
	}
	cr_expect_eq(answers, 4000);
	cr_expect_eq(r.err, 0);
	rdata(&rec, text, sizeof(text));
	cr_expect_str_eq(text, "198.18.15.159"); /* 3999 = 0x0f9f */
}

/* ----------------------------------------------------------------- rdata */

Test(dns_parser, rdata_length_must_fit_the_type)
{
	static const struct {
		uint16_t type;
		const char *rdata;
		unsigned len;
		int rc;
	} cases[] = {
		{DNS_TYPE_A, "\1\2\3", 3, DNS_E_RDATA},
		{DNS_TYPE_A, "\1\2\3\4\5", 5, DNS_E_RDATA},
		{DNS_TYPE_AAAA, "\1\2\3\4", 4, DNS_E_RDATA},
		{DNS_TYPE_CNAME, "\1a\0\0", 4, DNS_E_RDATA},   /* name shorter than rdata */
		{DNS_TYPE_CNAME, "\3abc", 4, DNS_E_TRUNCATED}, /* name runs past the end */
		{DNS_TYPE_CNAME, "", 0, DNS_E_RDATA},
		{DNS_TYPE_MX, "\0\1", 2, DNS_E_RDATA},
		{DNS_TYPE_MX, "\0\1\0", 3, DNS_OK},
		{DNS_TYPE_TXT, "\5abc", 4, DNS_E_RDATA},
		{DNS_TYPE_TXT, "", 0, DNS_OK},
		{DNS_TYPE_TXT, "\0\0", 2, DNS_OK},
		{99, "\xff", 1, DNS_OK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		header(1, 0x8000, 0, 1, 0, 0);
		name("t.example");
		rr_fixed(cases[i].type, 1, cases[i].len);
		put_bytes(cases[i].rdata, cases[i].len);
		cr_expect_eq(dns_message_check(m.b, m.n, NULL), cases[i].rc, "case %zu: %s", i,
			     dns_error_name(dns_message_check(m.b, m.n, NULL)));
	}
}

Test(dns_parser, txt_strings_concatenated_and_cut_to_the_buffer)
{
	struct dns_reader r;
	struct dns_record rec;
	char text[8], big[1100];
	char s255[256];

	header(1, 0x8000, 0, 2, 0, 0);
	name("t.example");
	rr_fixed(DNS_TYPE_TXT, 1, 1 + 3 + 1 + 0 + 1 + 4);
	put_bytes("\3abc\0\4defg", 10);
	name("u.example");
	label_of(255, 'x', s255);
	rr_fixed(DNS_TYPE_TXT, 1, 4 * 256);
	for (int i = 0; i < 4; i++) {
		put8(255);
		put_bytes(s255, 255);
	}
	cr_assert_eq(dns_reader_init(&r, m.b, m.n), DNS_OK);
	cr_assert_eq(next(&r, &rec), 1);
	cr_expect_eq(rdata(&rec, text, sizeof(text)), 7);
	cr_expect_str_eq(text, "abcdefg");
	cr_expect_eq(rdata(&rec, text, 5), 7); /* cut, full length returned */
	cr_expect_str_eq(text, "abcd");
	cr_assert_eq(next(&r, &rec), 1);
	cr_expect_eq(rdata(&rec, big, sizeof(big)), 1020);
	cr_expect_eq(strlen(big), 1020);
	cr_expect_eq(next(&r, &rec), 0);
}

/* -------------------------------------------------------------- names */

Test(dns_parser, type_rcode_and_error_names)
{
	char tmp[6];

	cr_expect_str_eq(dns_type_name(1, tmp), "A");
	cr_expect_str_eq(dns_type_name(28, tmp), "AAAA");
	cr_expect_str_eq(dns_type_name(16, tmp), "TXT");
	cr_expect_str_eq(dns_type_name(252, tmp), "AXFR");
	cr_expect_str_eq(dns_type_name(65, tmp), "HTTPS");
	cr_expect_str_eq(dns_type_name(65280, tmp), "65280");
	cr_expect_str_eq(dns_rcode_name(0, tmp), "NOERROR");
	cr_expect_str_eq(dns_rcode_name(3, tmp), "NXDOMAIN");
	cr_expect_str_eq(dns_rcode_name(5, tmp), "REFUSED");
	cr_expect_str_eq(dns_rcode_name(10, tmp), "NOTZONE");
	cr_expect_str_eq(dns_rcode_name(11, tmp), "11");
	cr_expect_str_eq(dns_error_name(DNS_E_PTR_FORWARD), "pointer_forward");
	cr_expect_str_eq(dns_error_name(DNS_E_OPCODE), "bad_opcode");
	cr_expect_str_eq(dns_error_name(-42), "unknown");
}

/* ------------------------------------------------------------- garbage */

Test(dns_parser, random_garbage_never_crashes)
{
	uint32_t seed = 12345;
	unsigned ok = 0;

	for (int i = 0; i < 50000; i++) {
		size_t len;
		uint8_t *buf;
		int rc;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % 300;
		buf = malloc(len ? len : 1);
		cr_assert_not_null(buf);
		for (size_t j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = (uint8_t)(seed >> 16);
		}
		if (len >= DNS_HEADER_LEN) {
			buf[2] &= 0x87; /* opcode 0 */
			buf[4] = buf[6] = buf[8] = buf[9] = 0;
			buf[5] &= 1; /* 0 or 1 question, 0 or 1 answer */
			buf[7] &= 1;
		}
		rc = dns_message_check(buf, len, NULL);
		free(buf);
		cr_assert(rc <= 0 && rc > -DNS_ERROR_COUNT, "rc %d", rc);
		ok += rc == 0;
	}
	cr_expect_gt(ok, 0);
}
