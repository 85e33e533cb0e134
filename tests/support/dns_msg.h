/*
 * dns_msg.h - DNS messages built byte by byte for the dns plugin's
 * integration tests (test_dns.c, test_dns_keywords.c): a header, names in
 * labels, questions, answers whose owner points at the question, a query,
 * and the response to www.Evil.example (a CNAME to c2.example, then its
 * A record). Test code only; each helper asserts the message stays within
 * its buffer.
 */
#ifndef TESTS_DNS_MSG_H
#define TESTS_DNS_MSG_H

#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct msg {
	uint8_t b[1024];
	size_t n;
};

static inline void put8(struct msg *m, unsigned v)
{
	cr_assert_lt(m->n, sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static inline void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static inline void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static inline void put_bytes(struct msg *m, const void *p, size_t n)
{
	cr_assert_leq(m->n + n, sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static inline void header(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

static inline void name(struct msg *m, const char *dotted)
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

static inline void question(struct msg *m, const char *dotted, unsigned type)
{
	name(m, dotted);
	put16(m, type);
	put16(m, 1);
}

/* An answer whose owner is a pointer to the question's name (offset 12). */
static inline void answer(struct msg *m, unsigned type, uint32_t ttl, const void *rdata, size_t len)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, (unsigned)len);
	put_bytes(m, rdata, len);
}

static inline void query(struct msg *m, unsigned id, const char *dotted, unsigned type)
{
	header(m, id, 0x0100, 1, 0);
	question(m, dotted, type);
}

/* The response to www.Evil.example: CNAME c2.example, then its A. */
static inline void evil_response(struct msg *m)
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

#endif
