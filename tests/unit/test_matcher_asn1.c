/*
 * test_matcher_asn1.c - Suricata's asn1 checks on BER bytes
 * (sensor/detect/matcher_asn1.c): oversize_length, bitstring_overflow,
 * double_overflow on top-level and nested objects, definite and
 * indefinite lengths, long tags; objects that do not read (cut short,
 * malformed BOOLEAN/NULL/BIT STRING, indefinite primitive) are not
 * checked, with what was read before them; more than 30 top-level objects
 * is no match; hostile bytes never read past the end.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "detect/matcher_asn1.h"

static struct rule_byteop op;

static void checks(uint8_t asn1, uint64_t oversize)
{
	memset(&op, 0, sizeof(op));
	op.asn1 = asn1;
	op.value = oversize;
}

static bool hit(const void *b, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any overread */
	bool r;

	memcpy(copy, b, n);
	r = asn1_check(copy, n, &op);
	free(copy);
	return r;
}

#define HIT(s) hit(s, sizeof(s) - 1)

Test(asn1, oversize_length)
{
	uint8_t b[4 + 256];

	memset(b, 'A', sizeof(b));
	memcpy(b, "\x04\x82\x01\x00", 4); /* OCTET STRING of 256 bytes */
	checks(RULE_ASN1_OVERSIZE, 100);
	cr_expect(hit(b, sizeof(b)));
	checks(RULE_ASN1_OVERSIZE, 256);
	cr_expect_not(hit(b, sizeof(b)));
	checks(RULE_ASN1_OVERSIZE, 100);
	cr_expect_not(hit(b, sizeof(b) - 1)); /* cut short: does not read, not checked */
	checks(RULE_ASN1_BITSTRING | RULE_ASN1_DOUBLE, 0);
	cr_expect_not(hit(b, sizeof(b)));
}

Test(asn1, bitstring_overflow)
{
	checks(RULE_ASN1_BITSTRING, 0);
	cr_expect(HIT("\x03\x02\xff\x00"));	    /* 255 unused bits in 2 bytes */
	cr_expect_not(HIT("\x03\x02\x07\x00"));	    /* 7 */
	cr_expect(HIT("\x30\x04\x03\x02\x11\x00")); /* nested: 17 > 16 */
	cr_expect_not(HIT("\x03\x00"));		    /* empty: does not read */
	cr_expect(HIT("\x23\x04\x03\x02\xff\x00")); /* its primitive child */
	cr_expect_not(HIT("\x83\x02\xff\x00"));	    /* context class, not a BIT STRING */
}

Test(asn1, double_overflow)
{
	uint8_t b[4 + 257];

	memset(b, '1', sizeof(b));
	memcpy(b, "\x09\x82\x01\x01\x01", 5); /* REAL, decimal encoding, 257 bytes */
	checks(RULE_ASN1_DOUBLE, 0);
	cr_expect(hit(b, sizeof(b)));
	b[4] = 0x80; /* binary encoding */
	cr_expect_not(hit(b, sizeof(b)));
	b[4] = 0x01;
	b[3] = 0x00; /* 256 bytes */
	cr_expect_not(hit(b, sizeof(b) - 1));
}

Test(asn1, unreadable_objects_are_not_checked)
{
	checks(RULE_ASN1_OVERSIZE, 0);
	cr_expect_not(HIT("\x30\x04\x01\x02\x00\x00"));		/* BOOLEAN of 2 bytes */
	cr_expect_not(HIT("\x30\x03\x05\x01\x00"));		/* NULL of 1 byte */
	cr_expect_not(HIT("\x04\x80\x41\x00\x00"));		/* indefinite primitive */
	cr_expect(HIT("\x04\x85\x00\x00\x00\x00\x01\x41"));	/* BER: a long form of 1 */
	cr_expect(HIT("\x04\x01\x41\x30\x04\x01\x02\x00\x00")); /* the first was read */
	cr_expect_not(HIT("\x04"));
	cr_expect_not(HIT(""));
}

Test(asn1, indefinite_lengths_and_long_tags)
{
	checks(RULE_ASN1_OVERSIZE, 0);
	cr_expect(HIT("\x30\x80\x04\x01\x41\x00\x00"));		/* its child has a length */
	cr_expect_not(HIT("\x30\x80\x04\x00\x00\x00"));		/* none above 0 */
	cr_expect_not(HIT("\x30\x80\x04\x01\x41"));		/* no end-of-contents */
	cr_expect(HIT("\x1f\x81\x00\x01\x41"));			/* tag 128 */
	cr_expect(HIT("\x04\x81\x01\x41"));			/* long form of 1 */
	cr_expect_not(HIT("\x1f\x81\x81\x81\x81\x81\x01\x41")); /* tag too long */
}

Test(asn1, at_most_30_top_level_objects)
{
	uint8_t b[31 * 3];

	for (int i = 0; i < 31; i++)
		memcpy(b + 3 * i, "\x04\x01\x41", 3);
	checks(RULE_ASN1_OVERSIZE, 0);
	cr_expect(hit(b, 30 * 3));
	cr_expect_not(hit(b, 31 * 3)); /* Suricata: too many frames */
}

Test(asn1, deep_nesting_does_not_read)
{
	uint8_t b[2 * 40 + 2];

	for (int i = 0; i < 40; i++) {
		b[2 * i] = 0x30;
		b[2 * i + 1] = 0x80;
	}
	b[80] = b[81] = 0;
	checks(RULE_ASN1_OVERSIZE, 0);
	cr_expect_not(hit(b, sizeof(b)));
}

/* Every prefix and byte-flip of a rich input: no read past the end. */
Test(asn1, hostile_bytes)
{
	static const uint8_t rich[] = "\x30\x80\x1f\x81\x00\x03\x02\xff\x00\x09\x02\x01\x31\x23\x80"
				      "\x03\x02\x07\x00\x00\x00\x00\x00\x04\x84\xff\xff\xff\xff";
	uint8_t b[sizeof(rich)];

	checks(RULE_ASN1_OVERSIZE | RULE_ASN1_BITSTRING | RULE_ASN1_DOUBLE, 1);
	for (size_t n = 0; n < sizeof(rich); n++)
		(void)hit(rich, n);
	for (size_t i = 0; i < sizeof(rich); i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(b, rich, sizeof(b));
			b[i] ^= (uint8_t)(1 << bit);
			(void)hit(b, sizeof(b));
		}
	cr_expect(hit(rich + 5, 4)); /* the BIT STRING inside, alone */
}
