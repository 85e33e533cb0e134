/*
 * test_tls_parser.c - TLS records and hellos: the fields of a ClientHello
 * and a ServerHello built byte by byte; a ClientHello split at every byte,
 * cut into records of every size, fed a byte at a time; truncation at
 * every length; garbage; limits; the ends of a direction.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tls/tls_parser.h"
#include "tls_hello.h"

static uint8_t body[8192], hs[8192], wire[16384];
static struct tls_client_hello ch, ch2;

/* The FoxIO hello with GREASE as handshake bytes; returns their length. */
static size_t foxio_handshake(void)
{
	struct th_spec s = th_foxio(true, "www.example.org");
	size_t n = th_client_hello(&s, body);

	return th_handshake(TLS_HS_CLIENT_HELLO, body, n, hs);
}

static void expect_foxio(const struct tls_client_hello *c)
{
	cr_assert_eq(c->legacy_version, 0x0303);
	cr_assert_eq(c->n_ciphers, 16);
	cr_assert_eq(c->ciphers[0], 0x0a0a);
	cr_assert_eq(c->ciphers[15], 0x0035);
	cr_assert_eq(c->n_exts, 18);
	cr_assert_eq(c->exts[2], 0x0000);
	cr_assert(c->has_sni);
	cr_assert_eq(c->sni.len, 15);
	cr_assert_eq(memcmp(c->sni.p, "www.example.org", 15), 0);
	cr_assert(c->has_alpn);
	cr_assert_eq(c->n_alpn, 2);
	cr_assert_eq(c->alpn_first.len, 2);
	cr_assert_eq(memcmp(c->alpn_first.p, "h2", 2), 0);
	cr_assert_eq(c->n_groups, 4);
	cr_assert_eq(c->groups[1], 0x001d);
	cr_assert_eq(c->n_pointfmts, 1);
	cr_assert_eq(c->pointfmts[0], 0);
	cr_assert_eq(c->n_sigalgs, 8);
	cr_assert_eq(c->sigalgs[7], 0x0601);
	cr_assert(c->has_versions);
	cr_assert_eq(c->n_versions, 3);
	cr_assert_eq(c->versions[1], 0x0304);
}

Test(tls_parser, client_hello_fields)
{
	size_t n = foxio_handshake();

	cr_assert_eq(tls_parse_client_hello(hs + 4, n - 4, &ch), TLS_PARSE_OK);
	expect_foxio(&ch);
}

Test(tls_parser, one_record_is_handed_out_in_place)
{
	size_t n = th_records(hs, foxio_handshake(), 16384, wire);
	struct tls_dir d;
	struct tls_msg m;

	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_feed(&d, wire, n, &m), TLS_FEED_MSG);
	cr_assert_eq(m.type, TLS_HS_CLIENT_HELLO);
	cr_assert_eq(m.body, wire + 9, "no copy when the body is whole in the input");
	cr_assert_eq(m.len, n - 9);
	cr_assert_null(d.body);
	cr_assert_eq(tls_dir_feed(&d, wire, n, &m), TLS_FEED_DONE);
	tls_dir_free(&d);
}

/* Feed `n` bytes of wire in pieces cut at `cuts` (ascending, < n) and
 * check the hello comes out whole at the last piece. */
static void feed_cut(size_t n, const size_t *cuts, size_t n_cuts)
{
	struct tls_dir d;
	struct tls_msg m;
	size_t at = 0;
	int rc = TLS_FEED_MORE;

	tls_dir_init(&d, 0);
	for (size_t i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : n;

		cr_assert_eq(rc, TLS_FEED_MORE, "piece %zu", i);
		rc = tls_dir_feed(&d, wire + at, end - at, &m);
		at = end;
	}
	cr_assert_eq(rc, TLS_FEED_MSG);
	cr_assert_eq(tls_parse_client_hello(m.body, m.len, &ch2), TLS_PARSE_OK);
	expect_foxio(&ch2);
	tls_dir_free(&d);
}

Test(tls_parser, split_at_every_byte)
{
	size_t n = th_records(hs, foxio_handshake(), 16384, wire);

	for (size_t cut = 1; cut < n; cut++)
		feed_cut(n, &cut, 1);
}

Test(tls_parser, one_byte_at_a_time)
{
	size_t n = th_records(hs, foxio_handshake(), 16384, wire);
	size_t cuts[8192];

	for (size_t i = 0; i + 1 < n; i++)
		cuts[i] = i + 1;
	feed_cut(n, cuts, n - 1);
}

Test(tls_parser, records_of_every_size_from_1_to_the_message)
{
	size_t hn = foxio_handshake();

	for (size_t per = 1; per <= hn; per++) {
		size_t n = th_records(hs, hn, per, wire);
		size_t cuts[3] = {n / 3, n / 2, n - 1}; /* and several segments */

		feed_cut(n, NULL, 0);
		feed_cut(n, cuts, 3);
	}
}

Test(tls_parser, other_records_before_the_hello_are_skipped)
{
	static const uint8_t alert[] = {21, 3, 3, 0, 2, 1, 0};
	size_t hn = foxio_handshake();
	size_t n;

	memcpy(wire, alert, sizeof(alert));
	n = sizeof(alert) + th_records(hs, hn, 100, wire + sizeof(alert));
	feed_cut(n, (size_t[]){3}, 1);
}

Test(tls_parser, truncated_client_hello_at_every_length)
{
	size_t n = foxio_handshake() - 4;
	/* version, random, session id, ciphers, compression: the hello may
	 * end right there, without extensions. */
	size_t no_ext = 2 + 32 + 1 + 32 + 2 + 32 + 2;

	for (size_t len = 0; len < n; len++) {
		int rc = tls_parse_client_hello(hs + 4, len, &ch);

		if (len == no_ext) {
			cr_expect_eq(rc, TLS_PARSE_OK);
			cr_expect_eq(ch.n_exts, 0);
		} else {
			cr_expect(rc == TLS_PARSE_TRUNCATED || rc == TLS_PARSE_MALFORMED,
				  "length %zu: %d", len, rc);
		}
	}
}

Test(tls_parser, truncated_stream_gives_no_message)
{
	size_t n = th_records(hs, foxio_handshake(), 200, wire);

	for (size_t len = 1; len < n; len++) {
		struct tls_dir d;
		struct tls_msg m;

		tls_dir_init(&d, 0);
		cr_assert_eq(tls_dir_feed(&d, wire, len, &m), TLS_FEED_MORE, "length %zu", len);
		tls_dir_free(&d);
	}
}

Test(tls_parser, server_hello_versions_and_cipher)
{
	struct tls_server_hello sh;
	size_t n = th_server_hello(0x0303, 0x1301, 0x0304, body);

	cr_assert_eq(tls_parse_server_hello(body, n, &sh), TLS_PARSE_OK);
	cr_assert_eq(sh.legacy_version, 0x0303);
	cr_assert_eq(sh.selected_version, 0x0304);
	cr_assert_eq(sh.cipher, 0x1301);
	n = th_server_hello(0x0302, 0xc013, 0, body);
	cr_assert_eq(tls_parse_server_hello(body, n, &sh), TLS_PARSE_OK);
	cr_assert_eq(sh.selected_version, 0x0302);
	cr_assert_eq(sh.cipher, 0xc013);
	for (size_t len = 0; len < 2 + 32 + 1 + 2 + 1; len++)
		cr_assert_eq(tls_parse_server_hello(body, len, &sh), TLS_PARSE_TRUNCATED);
}

Test(tls_parser, malformed_client_hellos)
{
	size_t n = foxio_handshake() - 4;
	uint8_t *b = hs + 4;

	b[34] = 33; /* session id longer than 32 */
	cr_assert_eq(tls_parse_client_hello(b, n, &ch), TLS_PARSE_MALFORMED);
	foxio_handshake();
	b[2 + 32 + 1 + 32 + 1] = 31; /* odd cipher suites length */
	cr_assert_eq(tls_parse_client_hello(b, n, &ch), TLS_PARSE_MALFORMED);
	foxio_handshake();
	b[n] = 0; /* a trailing byte after the extensions */
	cr_assert_eq(tls_parse_client_hello(b, n + 1, &ch), TLS_PARSE_MALFORMED);
}

Test(tls_parser, compression_methods_must_not_be_empty)
{
	static const uint16_t ciphers[] = {0x002f};
	struct th_spec s = {.legacy_version = 0x0303, .ciphers = ciphers, .n_ciphers = 1};
	size_t n = th_client_hello(&s, body);

	cr_assert_eq(tls_parse_client_hello(body, n, &ch), TLS_PARSE_OK);
	body[n - 2] = 0; /* compression methods: none */
	cr_assert_eq(tls_parse_client_hello(body, n - 1, &ch), TLS_PARSE_MALFORMED);
}

Test(tls_parser, more_ciphers_than_the_limit)
{
	static uint16_t ciphers[TLS_MAX_CIPHERS + 1];
	struct th_spec s = {.legacy_version = 0x0303, .ciphers = ciphers};
	size_t n;

	for (int i = 0; i <= TLS_MAX_CIPHERS; i++)
		ciphers[i] = (uint16_t)i;
	s.n_ciphers = TLS_MAX_CIPHERS;
	n = th_client_hello(&s, body);
	cr_assert_eq(tls_parse_client_hello(body, n, &ch), TLS_PARSE_OK);
	cr_assert_eq(ch.n_ciphers, TLS_MAX_CIPHERS);
	s.n_ciphers = TLS_MAX_CIPHERS + 1;
	n = th_client_hello(&s, body);
	cr_assert_eq(tls_parse_client_hello(body, n, &ch), TLS_PARSE_LIMIT);
}

Test(tls_parser, not_tls_first_bytes)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct tls_dir d;
	struct tls_msg m;

	cr_assert_not(tls_looks_like_tls((const uint8_t *)http, 3));
	cr_assert(tls_looks_like_tls((const uint8_t[]){22}, 1));
	cr_assert(tls_looks_like_tls((const uint8_t[]){22, 3, 1}, 3));
	cr_assert_not(tls_looks_like_tls((const uint8_t[]){22, 3, 5}, 3));
	cr_assert_not(tls_looks_like_tls((const uint8_t[]){22, 2}, 2));
	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_feed(&d, (const uint8_t *)http, sizeof(http) - 1, &m),
		     TLS_FEED_NOT_TLS);
	cr_assert_eq(tls_dir_feed(&d, (const uint8_t *)http, 1, &m), TLS_FEED_DONE);
}

Test(tls_parser, record_longer_than_tls_allows)
{
	static const uint8_t first[] = {22, 3, 1, 0x48, 0x01};
	static const uint8_t later[] = {21, 3, 3, 0, 2, 1, 0, 22, 3, 3, 0x48, 0x01};
	struct tls_dir d;
	struct tls_msg m;

	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_feed(&d, first, sizeof(first), &m), TLS_FEED_NOT_TLS);
	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_feed(&d, later, sizeof(later), &m), TLS_FEED_BAD_RECORD);
}

Test(tls_parser, hello_longer_than_the_maximum)
{
	static const uint8_t huge[] = {22, 3, 1, 0, 4, 1, 0x01, 0x00, 0x01};
	size_t n = th_records(hs, foxio_handshake(), 16384, wire);
	struct tls_dir d;
	struct tls_msg m;

	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_feed(&d, huge, sizeof(huge), &m), TLS_FEED_TOO_LONG);
	tls_dir_init(&d, (uint32_t)(n - 10)); /* body is n - 9 bytes */
	cr_assert_eq(tls_dir_feed(&d, wire, n, &m), TLS_FEED_TOO_LONG);
	tls_dir_init(&d, (uint32_t)(n - 9));
	cr_assert_eq(tls_dir_feed(&d, wire, n, &m), TLS_FEED_MSG);
}

Test(tls_parser, first_message_not_a_hello_or_encrypted_data)
{
	static const uint8_t cert[] = {22, 3, 3, 0, 4, 11, 0, 0, 0};
	static const uint8_t appdata[] = {23, 3, 3, 0, 1, 0};
	struct tls_dir d;
	struct tls_msg m;

	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_feed(&d, cert, sizeof(cert), &m), TLS_FEED_OTHER);
	tls_dir_init(&d, 0);
	cr_assert_eq(tls_dir_feed(&d, appdata, sizeof(appdata), &m), TLS_FEED_OTHER);
}

/* A small deterministic generator (xorshift) for garbage. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

Test(tls_parser, garbage_never_crashes)
{
	static uint8_t g[4096];
	uint32_t seed = 0x2545f491;

	for (int round = 0; round < 3000; round++) {
		size_t len = rnd(&seed) % sizeof(g);
		struct tls_server_hello sh;
		struct tls_dir d;
		struct tls_msg m;
		int rc;

		for (size_t i = 0; i < len; i++)
			g[i] = (uint8_t)rnd(&seed);
		if (round & 1) { /* make it get past the record header */
			memcpy(g, (const uint8_t[]){22, 3, 3, 0x0f, 0xf0, 1, 0, 0x0f, 0xec}, 9);
		}
		rc = tls_parse_client_hello(g, len, &ch);
		cr_assert(rc <= 0 && rc >= TLS_PARSE_LIMIT);
		rc = tls_parse_server_hello(g, len, &sh);
		cr_assert(rc <= 0 && rc >= TLS_PARSE_LIMIT);
		tls_dir_init(&d, 0);
		rc = tls_dir_feed(&d, g, len / 2, &m);
		if (rc == TLS_FEED_MORE)
			rc = tls_dir_feed(&d, g + len / 2, len - len / 2, &m);
		if (rc == TLS_FEED_MSG)
			tls_parse_client_hello(m.body, m.len, &ch);
		cr_assert(rc >= TLS_FEED_NO_MEMORY && rc <= TLS_FEED_MSG);
		tls_dir_free(&d);
	}
}

Test(tls_parser, suricata_version_names)
{
	char buf[8];

	cr_assert_str_eq(tls_version_name(0x0304, buf), "TLS 1.3");
	cr_assert_str_eq(tls_version_name(0x0303, buf), "TLS 1.2");
	cr_assert_str_eq(tls_version_name(0x0302, buf), "TLS 1.1");
	cr_assert_str_eq(tls_version_name(0x0301, buf), "TLSv1");
	cr_assert_str_eq(tls_version_name(0x0300, buf), "SSLv3");
	cr_assert_str_eq(tls_version_name(0, buf), "UNDETERMINED");
	cr_assert_str_eq(tls_version_name(0x7f1c, buf), "0x7f1c");
}
