/*
 * test_tls_fp.c - MD5 and SHA-256 against their RFC 1321 and FIPS 180
 * (NIST) vectors; JA3 and JA4 of ClientHellos built byte by byte against
 * the values published by Salesforce and FoxIO; GREASE and ALPN rules.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tls/tls_fp.h"
#include "tls/tls_parser.h"
#include "tls_hello.h"

static void md5_hex(const char *s, size_t len, char out[33])
{
	struct digest_md5 c;
	uint8_t d[16];

	digest_md5_init(&c);
	digest_md5_update(&c, s, len);
	digest_md5_final(&c, d);
	digest_hex(d, 16, out);
}

static void sha_hex(const char *s, size_t len, size_t piece, char out[65])
{
	struct digest_sha256 c;
	uint8_t d[32];

	digest_sha256_init(&c);
	for (size_t at = 0; at < len; at += piece)
		digest_sha256_update(&c, s + at, len - at < piece ? len - at : piece);
	digest_sha256_final(&c, d);
	digest_hex(d, 32, out);
}

Test(tls_fp, md5_rfc1321_vectors)
{
	static const char *const v[][2] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"a", "0cc175b9c0f1b6a831c399e269772661"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		 "d174ab98d277d9f5a5611c2c9f419d9f"},
		{"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
		 "0",
		 "57edf4a22be3c955ac49da2e2107b67a"},
	};
	char out[33];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		md5_hex(v[i][0], strlen(v[i][0]), out);
		cr_expect_str_eq(out, v[i][1], "MD5(\"%s\")", v[i][0]);
	}
}

Test(tls_fp, sha256_nist_vectors)
{
	char out[65];
	char *million = malloc(1000000);

	sha_hex("abc", 3, 64, out);
	cr_expect_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha_hex("", 0, 64, out);
	cr_expect_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 64, out);
	cr_expect_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
		"klmnopqrlmnopqrsmnopqrstnopqrstu",
		112, 7, out);
	cr_expect_str_eq(out, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	cr_assert_not_null(million);
	memset(million, 'a', 1000000);
	sha_hex(million, 1000000, 1000, out);
	cr_expect_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

Test(tls_fp, sha256_of_every_length_across_the_padding_boundary)
{
	/* 55, 56 and 64 bytes exercise the one- and two-block padding; fed
	 * whole and one byte at a time the result must be the same. */
	static const char *const want[] = {
		[55] = "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
		[56] = "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
		[64] = "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
	};
	char a[64], whole[65], bytewise[65];

	memset(a, 'a', sizeof(a));
	for (size_t n = 55; n <= 64; n++) {
		sha_hex(a, n, 64, whole);
		sha_hex(a, n, 1, bytewise);
		cr_expect_str_eq(whole, bytewise, "length %zu", n);
		if (want[n])
			cr_expect_str_eq(whole, want[n], "length %zu", n);
	}
}

static void parse_spec(const struct th_spec *s, struct tls_client_hello *ch, uint8_t *buf)
{
	size_t n = th_client_hello(s, buf);

	cr_assert_eq(tls_parse_client_hello(buf, n, ch), TLS_PARSE_OK);
}

Test(tls_fp, ja3_of_the_salesforce_example)
{
	static const uint16_t ciphers[] = {47,	  53,	 5,  10, 49161, 49162,
					   49171, 49172, 50, 56, 19,	4};
	static const uint16_t exts[] = {0, 10, 11};
	static const uint16_t groups[] = {23, 24, 25};
	static const uint8_t pf[] = {0};
	struct th_spec s = {.legacy_version = 0x0301,
			    .ciphers = ciphers,
			    .n_ciphers = 12,
			    .exts = exts,
			    .n_exts = 3,
			    .sni = "www.example.org",
			    .groups = groups,
			    .n_groups = 3,
			    .pointfmts = pf,
			    .n_pointfmts = 1};
	static struct tls_client_hello ch;
	static uint8_t buf[4096];
	static char ja3[TLS_JA3_MAX];
	char hash[33];
	size_t n;

	parse_spec(&s, &ch, buf);
	n = tls_ja3_string(&ch, ja3);
	cr_assert_str_eq(ja3,
			 "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
	cr_assert_eq(n, strlen(ja3));
	tls_ja3_hash(ja3, n, hash);
	cr_assert_str_eq(hash, "ada70206e40642a3e4461f35503241d5");
}

Test(tls_fp, ja3_and_ja4_of_the_foxio_example_ignore_grease)
{
	static struct tls_client_hello ch;
	static uint8_t buf[4096];
	static char ja3[TLS_JA3_MAX];
	char hash[33], ja4[TLS_JA4_LEN + 1];

	for (int grease = 0; grease <= 1; grease++) {
		struct th_spec s = th_foxio(grease, "www.example.org");

		parse_spec(&s, &ch, buf);
		cr_assert_eq(ch.n_ciphers, grease ? 16 : 15);
		tls_ja3_hash(ja3, tls_ja3_string(&ch, ja3), hash);
		cr_expect_str_eq(ja3, TH_FOXIO_JA3, "grease %d", grease);
		cr_expect_str_eq(hash, TH_FOXIO_JA3_HASH, "grease %d", grease);
		tls_ja4(&ch, ja4);
		cr_expect_str_eq(ja4, TH_FOXIO_JA4, "grease %d", grease);
	}
}

Test(tls_fp, ja4_without_signature_algorithms_matches_foxio_value)
{
	static const uint16_t exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
					0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
					0xff01, 0x000b, 0x000a, 0x0015};
	static struct tls_client_hello ch;
	char ja4[TLS_JA4_LEN + 1];

	memset(&ch, 0, sizeof(ch));
	memcpy(ch.exts, exts, sizeof(exts));
	ch.n_exts = 16;
	ch.legacy_version = 0x0303;
	tls_ja4(&ch, ja4);
	/* no ciphers, no SNI, no ALPN, TLS 1.2 from legacy_version */
	cr_assert_str_eq(ja4, "t12i001600_000000000000_6d807ffa2a79");
}

static void alpn_case(const uint8_t *v, uint16_t len, const char *want)
{
	static struct tls_client_hello ch;
	char ja4[TLS_JA4_LEN + 1];

	memset(&ch, 0, sizeof(ch));
	ch.has_alpn = true;
	ch.n_alpn = 1;
	ch.alpn_first = (struct tls_span){v, len};
	tls_ja4(&ch, ja4);
	cr_expect(memcmp(ja4 + 8, want, 2) == 0, "ALPN of %u bytes: got %.2s, want %s", len,
		  ja4 + 8, want);
}

Test(tls_fp, ja4_alpn_characters_follow_the_spec)
{
	alpn_case((const uint8_t *)"h2", 2, "h2");
	alpn_case((const uint8_t *)"http/1.1", 8, "h1");
	alpn_case((const uint8_t *)"x", 1, "xx");
	alpn_case((const uint8_t *)"", 0, "00");
	alpn_case((const uint8_t[]){0xab}, 1, "ab");
	alpn_case((const uint8_t[]){0xab, 0xcd}, 2, "ad");
	alpn_case((const uint8_t[]){0x30, 0xab}, 2, "3b");
	alpn_case((const uint8_t[]){0x30, 0x31, 0xab, 0xcd}, 4, "3d");
	alpn_case((const uint8_t[]){0x30, 0xab, 0xcd, 0x31}, 4, "01");
}

Test(tls_fp, ja4_version_counts_and_sni)
{
	static struct tls_client_hello ch;
	char ja4[TLS_JA4_LEN + 1];

	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 0x0303;
	ch.has_versions = true;
	ch.versions[0] = 0x2a2a; /* GREASE is ignored even when highest */
	ch.versions[1] = 0x0302;
	ch.n_versions = 2;
	ch.has_sni = true;
	for (int i = 0; i < 120; i++)
		ch.ciphers[i] = (uint16_t)(0x0100 + i);
	ch.n_ciphers = 120;
	tls_ja4(&ch, ja4);
	cr_assert_eq(memcmp(ja4, "t11d9900", 8), 0, "got %s", ja4);
	cr_assert_str_eq(ja4 + 23, "_000000000000"); /* no extensions */

	ch.has_versions = false;
	ch.legacy_version = 0x0300;
	tls_ja4(&ch, ja4);
	cr_assert_eq(memcmp(ja4, "ts3d", 4), 0, "got %s", ja4);
	ch.legacy_version = 0x1234;
	tls_ja4(&ch, ja4);
	cr_assert_eq(memcmp(ja4, "t00d", 4), 0, "got %s", ja4);
}

Test(tls_fp, grease_values_are_exactly_the_sixteen_of_rfc8701)
{
	unsigned n = 0;

	for (unsigned v = 0; v <= 0xffff; v++)
		n += tls_is_grease((uint16_t)v);
	cr_assert_eq(n, 16);
	for (unsigned i = 0; i < 16; i++)
		cr_assert(tls_is_grease((uint16_t)(i << 12 | 0x0a00 | i << 4 | 0x0a)));
	cr_assert_not(tls_is_grease(0x0a1a));
}

Test(tls_fp, ja3_of_the_largest_hello_fits_its_bound)
{
	static struct tls_client_hello ch;
	static char ja3[TLS_JA3_MAX];
	size_t n;

	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 65535;
	ch.n_ciphers = TLS_MAX_CIPHERS;
	ch.n_exts = TLS_MAX_EXTS;
	ch.n_groups = TLS_MAX_GROUPS;
	ch.n_pointfmts = TLS_MAX_POINTFMTS;
	for (int i = 0; i < TLS_MAX_CIPHERS; i++)
		ch.ciphers[i] = 65535;
	for (int i = 0; i < TLS_MAX_EXTS; i++)
		ch.exts[i] = ch.groups[i] = 65534;
	memset(ch.pointfmts, 255, sizeof(ch.pointfmts));
	n = tls_ja3_string(&ch, ja3);
	cr_assert_lt(n, (size_t)TLS_JA3_MAX);
	cr_assert_eq(strlen(ja3), n);
}
