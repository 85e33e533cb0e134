/*
 * test_http_fields.c - the http plugin's header buffers and body decoding:
 * values by name in any case, repeated and folded headers, header names
 * and the normalised block as Suricata builds them, reason phrases,
 * Content-Encoding lists; gzip, zlib-wrapped and raw deflate bodies,
 * bodies cut at the limit, a decompression bomb capped, corrupt data.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/http_fields.h"

static struct http_slice sl(const char *s)
{
	return (struct http_slice){(const uint8_t *)s, strlen(s)};
}

static const char hdrs[] = "Host: Www.Example.com:8080\r\n"
			   "accept: text/html\r\n"
			   "Cookie: a=1\r\n"
			   "X-Long: first\r\n"
			   " second  \r\n"
			   "\tthird\r\n"
			   "ACCEPT: */*\r\n"
			   "User-Agent: tool/1.0   \r\n"
			   "no colon line\r\n"
			   "Empty:\r\n";

static char out[1024];

static const char *field(const char *name, bool *found)
{
	size_t n = http_field(sl(hdrs), name, (uint8_t *)out, sizeof(out), found);

	out[n] = '\0';
	return out;
}

Test(http_fields, values_by_name_repeated_and_folded)
{
	bool found;

	cr_expect_str_eq(field("host", &found), "Www.Example.com:8080");
	cr_expect(found);
	cr_expect_str_eq(field("Accept", &found), "text/html, */*", "repeated: joined");
	cr_expect_str_eq(field("x-long", &found), "first second third", "folded: unfolded");
	cr_expect_str_eq(field("user-agent", &found), "tool/1.0", "trailing spaces trimmed");
	cr_expect_str_eq(field("empty", &found), "");
	cr_expect(found, "an empty value is there");
	cr_expect_str_eq(field("referer", &found), "");
	cr_expect_not(found);
	cr_expect_eq(http_field(sl(hdrs), "accept", (uint8_t *)out, 6, &found), 6, "cut at cap");
}

Test(http_fields, header_names_as_suricata)
{
	size_t n = http_header_names(sl(hdrs), (uint8_t *)out, sizeof(out));

	out[n] = '\0';
	cr_expect_str_eq(out, "\r\nHost\r\naccept\r\nCookie\r\nX-Long\r\nACCEPT\r\nUser-Agent\r\n"
			      "Empty\r\n\r\n");
	n = http_header_names(sl(""), (uint8_t *)out, sizeof(out));
	cr_expect_eq(n, 4);
	cr_expect_eq(memcmp(out, "\r\n\r\n", 4), 0);
}

Test(http_fields, normalised_header_block)
{
	size_t n = http_header_norm(sl(hdrs), (uint8_t *)out, sizeof(out));

	out[n] = '\0';
	cr_expect_str_eq(out,
			 "Host: Www.Example.com:8080\r\n"
			 "accept: text/html\r\n"
			 "X-Long: first second third\r\n"
			 "ACCEPT: */*\r\n"
			 "User-Agent: tool/1.0\r\n"
			 "Empty: \r\n",
			 "no Cookie, values trimmed and unfolded");
	n = http_header_norm(sl("Set-Cookie: x\r\nServer: y\r\n"), (uint8_t *)out, sizeof(out));
	out[n] = '\0';
	cr_expect_str_eq(out, "Server: y\r\n");
}

Test(http_fields, reason_phrases)
{
	struct http_slice r = http_reason(sl("HTTP/1.1 404 Not Found"));

	cr_expect_eq(r.len, 9);
	cr_expect_eq(memcmp(r.p, "Not Found", 9), 0);
	cr_expect_eq(http_reason(sl("HTTP/1.1 200")).len, 0);
	cr_expect_eq(http_reason(sl("HTTP/1.0  204   ")).len, 0);
}

Test(http_fields, content_codings)
{
	cr_expect_eq(http_content_coding(sl("Content-Encoding: gzip\r\n")), HTTP_CODING_GZIP);
	cr_expect_eq(http_content_coding(sl("content-encoding: X-GZIP\r\n")), HTTP_CODING_GZIP);
	cr_expect_eq(http_content_coding(sl("Content-Encoding: deflate\r\n")), HTTP_CODING_DEFLATE);
	cr_expect_eq(http_content_coding(sl("Content-Encoding: gzip, br\r\n")), HTTP_CODING_OTHER,
		     "the last coding applied is the one to undo first");
	cr_expect_eq(http_content_coding(sl("Content-Encoding: identity\r\n")), HTTP_CODING_NONE);
	cr_expect_eq(http_content_coding(sl("Content-Type: text/html\r\n")), HTTP_CODING_NONE);
}

/* Compress `n` bytes with windowBits `wbits` (31 gzip, 15 zlib, -15 raw). */
static size_t squeeze(const void *in, size_t n, int wbits, uint8_t *z, size_t cap)
{
	z_stream s;

	memset(&s, 0, sizeof(s));
	cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)n;
	s.next_out = z;
	s.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	n = s.total_out;
	deflateEnd(&s);
	return n;
}

static uint8_t z[1 << 16], plain[1 << 16];

Test(http_fields, gzip_and_both_deflates_decode)
{
	static const char text[] = "<html>var payload = 'evil.example/drop.exe';</html>";
	const int wbits[3] = {31, 15, -15};
	const enum http_coding codings[3] = {HTTP_CODING_GZIP, HTTP_CODING_DEFLATE,
					     HTTP_CODING_DEFLATE};

	for (int i = 0; i < 3; i++) {
		size_t zn = squeeze(text, strlen(text), wbits[i], z, sizeof(z)), n;

		cr_assert_eq(http_decode_body(codings[i], z, zn, plain, sizeof(plain), &n),
			     HTTP_DECODE_OK, "windowBits %d", wbits[i]);
		cr_expect_eq(n, strlen(text));
		cr_expect_eq(memcmp(plain, text, n), 0);
		cr_expect_eq(http_decode_body(codings[i], z, zn / 2, plain, sizeof(plain), &n),
			     HTTP_DECODE_PARTIAL, "cut at the body limit");
	}
}

Test(http_fields, a_bomb_is_capped_and_corrupt_data_reported)
{
	static uint8_t zeros[1 << 20];
	size_t zn = squeeze(zeros, sizeof(zeros), 31, z, sizeof(z)), n;

	cr_assert_lt(zn, 2048, "a megabyte of zeros compresses to little");
	cr_expect_eq(http_decode_body(HTTP_CODING_GZIP, z, zn, plain, 4096, &n),
		     HTTP_DECODE_CAPPED);
	cr_expect_eq(n, 4096, "no more than the limit comes out");
	memset(z + 10, 0xff, 32);
	cr_expect_eq(http_decode_body(HTTP_CODING_GZIP, z, zn, plain, sizeof(plain), &n),
		     HTTP_DECODE_ERROR);
	cr_expect_eq(http_decode_body(HTTP_CODING_OTHER, z, zn, plain, sizeof(plain), &n),
		     HTTP_DECODE_ERROR);
}
