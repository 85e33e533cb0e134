/*
 * test_tls_cert.c - the tls plugin's certificate reader: a version 1 and a
 * version 3 certificate made with OpenSSL (tests/support/tls_certs.h) read
 * into the strings Suricata writes (names in encoded order, serial,
 * validity, SHA-1 fingerprint, all as `openssl x509` prints them); the
 * Certificate message's list; every truncation and a corrupted length
 * refused; SHA-1 against the FIPS 180 vectors; a server flight followed
 * through to its Certificate in pieces of every size.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/digest.h"
#include "tls/tls_cert.h"
#include "tls/tls_parser.h"
#include "tls_certs.h"
#include "tls_hello.h"

static void sha1_hex(const char *s, char out[41])
{
	struct digest_sha1 c;
	uint8_t d[20];

	digest_sha1_init(&c);
	digest_sha1_update(&c, s, strlen(s));
	digest_sha1_final(&c, d);
	digest_hex(d, 20, out);
}

Test(tls_cert, sha1_fips_vectors)
{
	char out[41];

	sha1_hex("abc", out);
	cr_expect_str_eq(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1_hex("", out);
	cr_expect_str_eq(out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", out);
	cr_expect_str_eq(out, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

Test(tls_cert, server_certificate_fields)
{
	struct tls_cert_info ci;
	char text[512], t[20];

	cr_assert_eq(tls_cert_parse(tc_server_der, TC_SERVER_DER_LEN, &ci), 0);
	tls_cert_name_text(ci.subject, text, sizeof(text));
	cr_expect_str_eq(text, "C=CH, ST=Bern, O=Example Org, OU=Sensor Tests, CN=www.example.org, "
			       "emailAddress=ops@example.org");
	tls_cert_name_text(ci.issuer, text, sizeof(text));
	cr_expect_str_eq(text, "C=US, O=Test CA, CN=Test Root");
	tls_cert_serial_text(ci.serial, text, sizeof(text));
	cr_expect_str_eq(text, "00:E4:A1:B2:C3:D4:E5:F6:07", "the INTEGER's bytes, 00 included");
	cr_expect(tls_cert_time_text(ci.not_before_tag, ci.not_before, t));
	cr_expect_str_eq(t, "2026-12-03T10:29:23");
	cr_expect(tls_cert_time_text(ci.not_after_tag, ci.not_after, t));
	cr_expect_str_eq(t, "2029-03-07T10:29:23");
	tls_cert_fingerprint(tc_server_der, TC_SERVER_DER_LEN, text);
	cr_expect_str_eq(text, "62:12:d8:50:a4:21:b2:93:94:50:32:a1:44:b7:30:ba:55:44:f4:60");
}

Test(tls_cert, version_3_certificate_and_short_outputs)
{
	struct tls_cert_info ci;
	char text[512], small[8];

	cr_assert_eq(tls_cert_parse(tc_root_der, TC_ROOT_DER_LEN, &ci), 0, "[0] version skipped");
	tls_cert_name_text(ci.subject, text, sizeof(text));
	cr_expect_str_eq(text, "C=US, O=Test CA, CN=Test Root");
	tls_cert_serial_text(ci.serial, text, sizeof(text));
	cr_expect_str_eq(text, "07");
	cr_expect_eq(tls_cert_name_text(ci.subject, small, sizeof(small)), 7);
	cr_expect_str_eq(small, "C=US, O", "cut, NUL-terminated");
}

Test(tls_cert, every_truncation_and_a_bad_length_are_refused)
{
	static uint8_t der[TC_SERVER_DER_LEN];
	struct tls_cert_info ci;

	for (size_t n = 0; n < 300; n++) /* the subject ends before byte 300 */
		cr_expect_eq(tls_cert_parse(tc_server_der, n, &ci), -1, "cut at %zu", n);
	memcpy(der, tc_server_der, sizeof(der));
	der[5] = 0x7f; /* tbsCertificate longer than the certificate */
	cr_expect_eq(tls_cert_parse(der, sizeof(der), &ci), -1);
	der[5] = 0x4d;
	der[1] = 0x85; /* a 5-byte length */
	cr_expect_eq(tls_cert_parse(der, sizeof(der), &ci), -1);
}

Test(tls_cert, names_with_unknown_types_and_bmp_strings)
{
	/* SET { SEQ { OID 1.2.3.4, UTF8 "x" } }, SET { SEQ { CN, BMP "é" } } */
	static const uint8_t name[] = {0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x2a, 0x03, 0x04,
				       0x0c, 0x01, 'x',	 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03,
				       0x55, 0x04, 0x03, 0x1e, 0x02, 0x00, 0xe9};
	char text[64];

	tls_cert_name_text((struct tls_der){name, sizeof(name)}, text, sizeof(text));
	cr_expect_str_eq(text, "1.2.3.4=x, CN=\xc3\xa9");
}

/* A Certificate message body of the given DER certificates. */
static size_t cert_msg(uint8_t *out, const uint8_t *const *ders, const size_t *lens, size_t n)
{
	size_t at = 3;

	for (size_t i = 0; i < n; i++) {
		out[at] = 0, out[at + 1] = (uint8_t)(lens[i] >> 8), out[at + 2] = (uint8_t)lens[i];
		memcpy(out + at + 3, ders[i], lens[i]);
		at += 3 + lens[i];
	}
	out[0] = 0, out[1] = (uint8_t)((at - 3) >> 8), out[2] = (uint8_t)(at - 3);
	return at;
}

Test(tls_cert, certificate_message_list)
{
	const uint8_t *ders[2] = {tc_server_der, tc_root_der};
	const size_t lens[2] = {TC_SERVER_DER_LEN, TC_ROOT_DER_LEN};
	static uint8_t body[2048];
	struct tls_der out[TLS_CERT_MAX];
	size_t n = cert_msg(body, ders, lens, 2);

	cr_assert_eq(tls_cert_list(body, n, out, TLS_CERT_MAX), 2);
	cr_expect_eq(out[1].len, TC_ROOT_DER_LEN);
	cr_expect_eq(out[0].p, body + 6);
	cr_expect_eq(tls_cert_list(body, n - 1, out, TLS_CERT_MAX), -1);
	cr_expect_eq(tls_cert_list(body, n, out, 1), 1, "only as many as asked");
}

/* A TLS 1.2 server flight: ServerHello, Certificate, ServerKeyExchange,
 * ServerHelloDone in records of `per` bytes, then a ChangeCipherSpec. */
static size_t server_flight(uint8_t *wire, size_t per)
{
	static uint8_t hs[4096], body[2048];
	const uint8_t *ders[2] = {tc_server_der, tc_root_der};
	const size_t lens[2] = {TC_SERVER_DER_LEN, TC_ROOT_DER_LEN};
	static const uint8_t ske[40] = {3, 0, 0x17};
	size_t n = th_handshake(2, body, th_server_hello(0x0303, 0xc02f, 0, body), hs);

	n += th_handshake(11, body, cert_msg(body, ders, lens, 2), hs + n);
	n += th_handshake(12, ske, sizeof(ske), hs + n);
	n += th_handshake(14, ske, 0, hs + n);
	n = th_records(hs, n, per, wire);
	memcpy(wire + n, (const uint8_t[]){20, 3, 3, 0, 1, 1}, 6);
	return n + 6;
}

Test(tls_cert, server_flight_followed_to_its_certificate_in_any_pieces)
{
	static uint8_t wire[8192];
	size_t len = server_flight(wire, 1000);

	for (size_t piece = 1; piece <= len; piece += piece < 40 ? 1 : 97) {
		struct tls_dir d;
		unsigned types = 0, certs = 0;
		int last = 0;

		tls_dir_init(&d, 0);
		d.follow = true;
		for (size_t at = 0; at < len; at += piece) {
			const uint8_t *p = wire + at;
			size_t n = len - at < piece ? len - at : piece;
			struct tls_msg msg;
			int rc;

			while ((rc = tls_dir_next(&d, &p, &n, &msg)) == TLS_FEED_MSG) {
				types = types * 100 + msg.type;
				if (msg.type == 11) {
					struct tls_der out[TLS_CERT_MAX];

					certs = (unsigned)tls_cert_list(msg.body, msg.len, out,
									TLS_CERT_MAX);
				}
			}
			if (rc < 0 && !last)
				last = rc;
		}
		cr_assert_eq(types, 211, "ServerHello then Certificate (piece %zu)", piece);
		cr_assert_eq(certs, 2);
		cr_assert_eq(last, TLS_FEED_DONE, "ended after the Certificate");
		tls_dir_free(&d);
	}
}

Test(tls_cert, without_follow_only_the_hello)
{
	static uint8_t wire[8192];
	size_t len = server_flight(wire, 16384);
	struct tls_dir d;
	struct tls_msg msg;
	const uint8_t *p = wire;

	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_next(&d, &p, &len, &msg), TLS_FEED_MSG);
	cr_expect_eq(msg.type, 2);
	cr_expect_eq(tls_dir_next(&d, &p, &len, &msg), TLS_FEED_DONE);
	tls_dir_free(&d);
}
