/*
 * tls_cert.c - Certificate messages and X.509 certificates (see
 * tls_cert.h).
 *
 * A small DER walker: der_next reads one tag-length-value from a cursor
 * (single-byte tags, definite lengths of at most 4 bytes, each checked
 * against what is left) and advances past it. tls_cert_parse walks
 * Certificate -> tbsCertificate -> [0] version (optional), serialNumber,
 * signature, issuer, validity, subject, and stops there: the rest is not
 * needed for what Suricata logs. Names are rendered from their RDNs in
 * encoded order with the short names of RFC 4514 (and emailAddress, as
 * OpenSSL and Suricata write it); values of 8-bit string types are copied,
 * BMPString values are turned into UTF-8.
 */
#include "tls_cert.h"

#include <stdio.h>
#include <string.h>

#include "common/digest.h"

#define DER_INT	     0x02
#define DER_OID	     0x06
#define DER_BMP	     0x1e
#define DER_SEQ	     0x30
#define DER_SET	     0x31
#define DER_UTCTIME  0x17
#define DER_GENTIME  0x18
#define DER_VERSION0 0xa0

/* One element: its tag and content; the cursor moves past it. */
static bool der_next(struct tls_der *cur, uint8_t *tag, struct tls_der *val)
{
	size_t n, at = 2;

	if (cur->len < 2 || (cur->p[0] & 0x1f) == 0x1f)
		return false;
	*tag = cur->p[0];
	n = cur->p[1];
	if (n & 0x80) {
		unsigned k = n & 0x7f;

		if (k == 0 || k > 4 || cur->len < 2 + k)
			return false;
		n = 0;
		for (unsigned i = 0; i < k; i++)
			n = n << 8 | cur->p[2 + i];
		at += k;
	}
	if (n > cur->len - at)
		return false;
	val->p = cur->p + at;
	val->len = n;
	cur->p += at + n;
	cur->len -= at + n;
	return true;
}

/* The next element, which must have tag `want`. */
static bool der_expect(struct tls_der *cur, uint8_t want, struct tls_der *val)
{
	uint8_t tag;

	return der_next(cur, &tag, val) && tag == want;
}

static uint32_t u24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

int tls_cert_list(const uint8_t *body, size_t len, struct tls_der *out, size_t cap)
{
	size_t at = 3, n = 0;

	if (len < 3 || u24(body) != len - 3)
		return -1;
	while (at < len) {
		uint32_t clen;

		if (len - at < 3 || (clen = u24(body + at)) > len - at - 3)
			return -1;
		if (n < cap)
			out[n++] = (struct tls_der){body + at + 3, clen};
		at += 3 + clen;
	}
	return (int)n;
}

int tls_cert_parse(const uint8_t *der, size_t len, struct tls_cert_info *ci)
{
	struct tls_der cur = {der, len}, cert, tbs, skip, validity;
	uint8_t tag;

	memset(ci, 0, sizeof(*ci));
	if (!der_expect(&cur, DER_SEQ, &cert) || !der_expect(&cert, DER_SEQ, &tbs))
		return -1;
	if (tbs.len && tbs.p[0] == DER_VERSION0 && !der_next(&tbs, &tag, &skip))
		return -1;
	if (!der_expect(&tbs, DER_INT, &ci->serial) || !der_expect(&tbs, DER_SEQ, &skip) ||
	    !der_expect(&tbs, DER_SEQ, &ci->issuer) || !der_expect(&tbs, DER_SEQ, &validity))
		return -1;
	if (!der_next(&validity, &ci->not_before_tag, &ci->not_before) ||
	    !der_next(&validity, &ci->not_after_tag, &ci->not_after))
		return -1;
	return der_expect(&tbs, DER_SEQ, &ci->subject) ? 0 : -1;
}

/* ---------------------------------------------------------------- text */

struct text {
	char *out;
	size_t cap, at;
};

static void put(struct text *t, const void *s, size_t n)
{
	size_t room = t->cap - 1 - t->at;

	if (n > room)
		n = room;
	memcpy(t->out + t->at, s, n);
	t->at += n;
	t->out[t->at] = '\0';
}

static void put_str(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* Short name of an attribute type OID (its DER content), or NULL. */
static const char *attr_name(struct tls_der oid)
{
	static const struct {
		const char *name;
		uint8_t len, bytes[10];
	} names[] = {
		{"CN", 3, {0x55, 4, 3}},
		{"SN", 3, {0x55, 4, 4}},
		{"serialNumber", 3, {0x55, 4, 5}},
		{"C", 3, {0x55, 4, 6}},
		{"L", 3, {0x55, 4, 7}},
		{"ST", 3, {0x55, 4, 8}},
		{"street", 3, {0x55, 4, 9}},
		{"O", 3, {0x55, 4, 10}},
		{"OU", 3, {0x55, 4, 11}},
		{"title", 3, {0x55, 4, 12}},
		{"GN", 3, {0x55, 4, 42}},
		{"emailAddress", 9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 9, 1}},
		{"DC", 10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 1, 25}},
		{"UID", 10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 1, 1}},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (oid.len == names[i].len && memcmp(oid.p, names[i].bytes, oid.len) == 0)
			return names[i].name;
	return NULL;
}

/* An OID as dotted decimal (the first sub-identifier holds two arcs). */
static void put_oid(struct text *t, struct tls_der oid)
{
	unsigned long long v = 0;
	bool first = true;
	char num[48];

	for (size_t i = 0; i < oid.len; i++) {
		if (v >> 56)
			return; /* an absurd arc: stop */
		v = v << 7 | (oid.p[i] & 0x7f);
		if (oid.p[i] & 0x80)
			continue;
		if (first)
			snprintf(num, sizeof(num), "%llu.%llu", v < 80 ? v / 40 : 2,
				 v < 80 ? v % 40 : v - 80);
		else
			snprintf(num, sizeof(num), ".%llu", v);
		put_str(t, num);
		first = false;
		v = 0;
	}
}

/* A BMPString (UCS-2, big-endian) as UTF-8. */
static void put_bmp(struct text *t, struct tls_der v)
{
	for (size_t i = 0; i + 1 < v.len; i += 2) {
		unsigned c = (unsigned)v.p[i] << 8 | v.p[i + 1];
		char u[3];

		if (c < 0x80) {
			u[0] = (char)c;
			put(t, u, 1);
		} else if (c < 0x800) {
			u[0] = (char)(0xc0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3f));
			put(t, u, 2);
		} else {
			u[0] = (char)(0xe0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f));
			put(t, u, 3);
		}
	}
}

/* One AttributeTypeAndValue: "TYPE=value". */
static bool put_attr(struct text *t, struct tls_der atv)
{
	struct tls_der oid, val;
	uint8_t tag;
	const char *name;

	if (!der_expect(&atv, DER_OID, &oid) || !der_next(&atv, &tag, &val))
		return false;
	if ((name = attr_name(oid)))
		put_str(t, name);
	else
		put_oid(t, oid);
	put(t, "=", 1);
	if (tag == DER_BMP)
		put_bmp(t, val);
	else
		put(t, val.p, val.len);
	return true;
}

size_t tls_cert_name_text(struct tls_der name, char *out, size_t cap)
{
	struct text t = {out, cap, 0};
	struct tls_der rdn, atv;

	if (!cap)
		return 0;
	out[0] = '\0';
	while (name.len && der_expect(&name, DER_SET, &rdn)) {
		bool first = true;

		while (rdn.len && der_expect(&rdn, DER_SEQ, &atv)) {
			if (t.at)
				put_str(&t, first ? ", " : "+");
			if (!put_attr(&t, atv))
				return t.at;
			first = false;
		}
	}
	return t.at;
}

size_t tls_cert_serial_text(struct tls_der serial, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	struct text t = {out, cap, 0};

	if (!cap)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; i < serial.len; i++) {
		char b[3] = {':', hex[serial.p[i] >> 4], hex[serial.p[i] & 15]};

		put(&t, i ? b : b + 1, i ? 3 : 2);
	}
	return t.at;
}

static bool digits(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

bool tls_cert_time_text(uint8_t tag, struct tls_der t, char out[20])
{
	size_t y = tag == DER_GENTIME ? 4 : 2;
	char year[5];

	out[0] = '\0';
	if ((tag != DER_UTCTIME && tag != DER_GENTIME) || t.len < y + 10 || !digits(t.p, y + 10) ||
	    t.p[y + 10] != 'Z')
		return false;
	if (y == 2)
		snprintf(year, sizeof(year), "%s%.2s", t.p[0] >= '5' ? "19" : "20",
			 (const char *)t.p);
	else
		snprintf(year, sizeof(year), "%.4s", (const char *)t.p);
	snprintf(out, 20, "%s-%.2s-%.2sT%.2s:%.2s:%.2s", year, (const char *)t.p + y,
		 (const char *)t.p + y + 2, (const char *)t.p + y + 4, (const char *)t.p + y + 6,
		 (const char *)t.p + y + 8);
	return true;
}

void tls_cert_fingerprint(const uint8_t *der, size_t len, char out[60])
{
	static const char hex[] = "0123456789abcdef";
	struct digest_sha1 c;
	uint8_t d[20];

	digest_sha1_init(&c);
	digest_sha1_update(&c, der, len);
	digest_sha1_final(&c, d);
	for (int i = 0; i < 20; i++) {
		out[3 * i] = hex[d[i] >> 4];
		out[3 * i + 1] = hex[d[i] & 15];
		out[3 * i + 2] = i < 19 ? ':' : '\0';
	}
}
