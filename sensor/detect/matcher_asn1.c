/*
 * matcher_asn1.c - Suricata's asn1 keyword (its rust/src/asn1 semantics,
 * with its BER reader's rules as far as they decide what is checked).
 *
 * From the start of the given bytes, BER objects are read one after the
 * other until one does not read (then the ones read so far are checked, as
 * Suricata stops silently) or the bytes end; more than ASN1_MAX_FRAMES
 * top-level objects is no match at all (Suricata's MaxFrames error). An
 * object is an identifier (class, constructed bit, tag, long tags in
 * base 128 up to 32 bits), a length (short form, long form of 1..8 bytes,
 * or indefinite 0x80 for a constructed object, its content then ending at
 * an end-of-contents 00 00), and a content that must lie inside the bytes;
 * a constructed object's content is itself objects, nested at most
 * ASN1_MAX_FRAMES deep. Content checks of the reader that make an object
 * unreadable: a BOOLEAN is one byte, a NULL none, a BIT STRING at least
 * one (its unused-bits count), and a primitive object's length is never
 * indefinite. An object that does not read takes its whole top-level
 * object with it.
 *
 * The checks, on every object read, parents before children, each only
 * with a definite length: oversize_length N: its length (or content) is
 * above N; bitstring_overflow: a universal primitive BIT STRING whose
 * unused-bits count exceeds 8 times its length; double_overflow: a
 * universal primitive REAL of more than 256 bytes in decimal encoding
 * (first content byte's top two bits clear).
 *
 * Deviation: Suricata's reader also refuses other malformed primitives
 * (INTEGER, OID, strings, times, REAL encodings ...); those are read here
 * and checked, so a check may hit where Suricata reads nothing.
 *
 * Reads only buf[0..len); recursion is bounded by ASN1_MAX_FRAMES.
 */
#include "detect/matcher_asn1.h"

enum { ASN1_BAD = -1, ASN1_OK = 0, ASN1_HIT = 1 };

struct ber_obj {
	uint8_t cls;	  /* 0 universal */
	bool constructed; /* bit 0x20 */
	uint32_t tag;
	bool indefinite;
	uint64_t len; /* content length when definite */
	size_t hdr;   /* identifier and length bytes */
};

/* The identifier and length at b[0..n); false when they do not read. */
static bool ber_header(const uint8_t *b, size_t n, struct ber_obj *o)
{
	size_t at = 1;
	unsigned nl;

	if (n < 2)
		return false;
	o->cls = b[0] >> 6;
	o->constructed = b[0] & 0x20;
	o->tag = b[0] & 0x1f;
	if (o->tag == 0x1f) {
		o->tag = 0;
		do {
			if (at >= n || at > 5 || (o->tag >> 25))
				return false;
			o->tag = o->tag << 7 | (b[at] & 0x7f);
		} while (b[at++] & 0x80);
	}
	if (at >= n)
		return false;
	o->indefinite = b[at] == 0x80;
	o->len = 0;
	if (b[at] < 0x80 || o->indefinite) {
		o->len = o->indefinite ? 0 : b[at];
		o->hdr = at + 1;
		return !(o->indefinite && !o->constructed);
	}
	nl = b[at++] & 0x7f;
	if (nl > 8 || nl == 0x7f || at + nl > n)
		return false;
	for (unsigned i = 0; i < nl; i++)
		o->len = o->len << 8 | b[at + i];
	o->hdr = at + nl;
	return true;
}

/* The reader's content rules for universal primitives. */
static bool content_ok(const struct ber_obj *o)
{
	if (o->cls != 0 || o->constructed)
		return true;
	if (o->tag == 1)
		return o->len == 1; /* BOOLEAN */
	if (o->tag == 5)
		return o->len == 0; /* NULL */
	if (o->tag == 3)
		return o->len >= 1; /* BIT STRING */
	return true;
}

static bool checks_hit(const struct ber_obj *o, const uint8_t *c, const struct rule_byteop *op)
{
	bool uprim = o->cls == 0 && !o->constructed;

	if (o->indefinite)
		return false;
	if ((op->asn1 & RULE_ASN1_OVERSIZE) && o->len > op->value)
		return true;
	if ((op->asn1 & RULE_ASN1_BITSTRING) && uprim && o->tag == 3 && o->len > 0 &&
	    (uint64_t)c[0] > o->len * 8)
		return true;
	return (op->asn1 & RULE_ASN1_DOUBLE) && uprim && o->tag == 9 && o->len > 256 &&
	       (c[0] & 0xc0) == 0;
}

static int ber_object(const uint8_t *b, size_t n, int depth, const struct rule_byteop *op,
		      size_t *used, bool *hit);

/* A constructed content: objects up to n bytes (definite), or up to an
 * end-of-contents (indefinite; *used then covers it). */
static int ber_children(const uint8_t *b, size_t n, bool indefinite, int depth,
			const struct rule_byteop *op, size_t *used, bool *hit)
{
	size_t at = 0, u;

	for (;;) {
		if (indefinite && at + 2 <= n && b[at] == 0 && b[at + 1] == 0) {
			*used = at + 2;
			return ASN1_OK;
		}
		if (!indefinite && at == n) {
			*used = at;
			return ASN1_OK;
		}
		if (ber_object(b + at, n - at, depth, op, &u, hit) == ASN1_BAD)
			return ASN1_BAD;
		at += u;
	}
}

/* One object at b[0..n) at nesting `depth`: its size in *used; *hit set
 * when a check hits it or one of its children. ASN1_BAD when it does not
 * read. */
static int ber_object(const uint8_t *b, size_t n, int depth, const struct rule_byteop *op,
		      size_t *used, bool *hit)
{
	struct ber_obj o;
	size_t room, u;

	if (depth >= ASN1_MAX_FRAMES || !ber_header(b, n, &o))
		return ASN1_BAD;
	room = n - o.hdr;
	if (!o.indefinite && o.len > room)
		return ASN1_BAD;
	if (!o.indefinite && !content_ok(&o))
		return ASN1_BAD;
	if (!*hit && checks_hit(&o, b + o.hdr, op))
		*hit = true;
	if (!o.constructed) {
		*used = o.hdr + (size_t)o.len;
		return ASN1_OK;
	}
	if (ber_children(b + o.hdr, o.indefinite ? room : (size_t)o.len, o.indefinite, depth + 1,
			 op, &u, hit) == ASN1_BAD)
		return ASN1_BAD;
	*used = o.hdr + (o.indefinite ? u : (size_t)o.len);
	return ASN1_OK;
}

bool asn1_check(const uint8_t *buf, size_t len, const struct rule_byteop *op)
{
	size_t at = 0, used;
	bool any = false;

	for (int frames = 0; at < len; frames++) {
		bool hit = false;

		if (frames >= ASN1_MAX_FRAMES)
			return false; /* Suricata: too many frames, nothing checked */
		if (ber_object(buf + at, len - at, 0, op, &used, &hit) == ASN1_BAD)
			break;
		any = any || hit;
		at += used;
	}
	return any;
}
