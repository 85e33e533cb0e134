/*
 * test_json.c - the JSON builder (sensor/output/json.c): escaping, UTF-8
 * handling, commas and nesting, base64, payload_printable, time and address
 * text, and the no-growth steady state; the builder's 8-byte fast path
 * against the byte-at-a-time escaper (json_escape) with every special byte
 * at every place of a block.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/json.h"

/* The escaped body of n bytes, in a static buffer. */
static const char *esc(const char *s, size_t n)
{
	static char out[256];
	size_t len = json_escape(out, sizeof(out), s, n);

	cr_assert_lt(len, sizeof(out));
	cr_assert_eq(strlen(out), len);
	return out;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

/* One string value rendered by the builder at top level. */
static void check_str(const char *s, size_t n, const char *expected)
{
	struct jbuf j;

	jbuf_init(&j);
	jbuf_strn(&j, NULL, s, n);
	cr_assert_not(j.oom);
	cr_assert_str_eq(j.buf, expected);
	cr_assert_eq(j.len, strlen(expected));
	jbuf_free(&j);
}

Test(json, escapes_rfc8259_short_forms)
{
	cr_assert_str_eq(ESC("a\"b"), "a\\\"b");
	cr_assert_str_eq(ESC("a\\b"), "a\\\\b");
	cr_assert_str_eq(ESC("\b\f\n\r\t"), "\\b\\f\\n\\r\\t");
	cr_assert_str_eq(ESC("/path/x"), "/path/x");
	cr_assert_str_eq(ESC("plain text ~!"), "plain text ~!");
}

Test(json, escapes_other_controls_and_del_as_u00xx)
{
	cr_assert_str_eq(ESC("\x01"), "\\u0001");
	cr_assert_str_eq(ESC("\x1f"), "\\u001f");
	cr_assert_str_eq(ESC("\x0b"), "\\u000b");
	cr_assert_str_eq(ESC("\x7f"), "\\u007f");
	cr_assert_str_eq(esc("a\0b", 3), "a\\u0000b");
}

Test(json, keeps_valid_multibyte_utf8)
{
	cr_assert_str_eq(ESC("caf\xc3\xa9"), "caf\xc3\xa9");	       /* U+00E9 */
	cr_assert_str_eq(ESC("\xe2\x82\xac"), "\xe2\x82\xac");	       /* U+20AC */
	cr_assert_str_eq(ESC("\xed\x9f\xbf"), "\xed\x9f\xbf");	       /* U+D7FF */
	cr_assert_str_eq(ESC("\xee\x80\x80"), "\xee\x80\x80");	       /* U+E000 */
	cr_assert_str_eq(ESC("\xf0\x9d\x84\x9e"), "\xf0\x9d\x84\x9e"); /* U+1D11E */
	cr_assert_str_eq(ESC("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	cr_assert_str_eq(ESC("\xc2\x80"), "\xc2\x80");		       /* U+0080 */
}

Test(json, escapes_each_invalid_utf8_byte)
{
	/* lone continuation byte, invalid leads */
	cr_assert_str_eq(ESC("\x80"), "\\u0080");
	cr_assert_str_eq(ESC("a\xbf"
			     "b"),
			 "a\\u00bfb");
	cr_assert_str_eq(ESC("\xf5\xff\xfe"), "\\u00f5\\u00ff\\u00fe");
	/* overlong forms */
	cr_assert_str_eq(ESC("\xc0\xaf"), "\\u00c0\\u00af");
	cr_assert_str_eq(ESC("\xc1\xbf"), "\\u00c1\\u00bf");
	cr_assert_str_eq(ESC("\xe0\x80\xaf"), "\\u00e0\\u0080\\u00af");
	cr_assert_str_eq(ESC("\xf0\x80\x80\xaf"), "\\u00f0\\u0080\\u0080\\u00af");
	/* surrogates U+D800, U+DFFF */
	cr_assert_str_eq(ESC("\xed\xa0\x80"), "\\u00ed\\u00a0\\u0080");
	cr_assert_str_eq(ESC("\xed\xbf\xbf"), "\\u00ed\\u00bf\\u00bf");
	/* above U+10FFFF */
	cr_assert_str_eq(ESC("\xf4\x90\x80\x80"), "\\u00f4\\u0090\\u0080\\u0080");
	/* truncated at the end and before ASCII */
	cr_assert_str_eq(ESC("\xe2\x82"), "\\u00e2\\u0082");
	cr_assert_str_eq(ESC("\xe2\x82"
			     "A"),
			 "\\u00e2\\u0082A");
	cr_assert_str_eq(ESC("\xf0\x9d\x84"), "\\u00f0\\u009d\\u0084");
	/* invalid byte followed by a valid sequence: the sequence is kept */
	cr_assert_str_eq(ESC("\xff\xc3\xa9"), "\\u00ff\xc3\xa9");
}

Test(json, json_escape_truncates_like_snprintf)
{
	char out[8];

	memset(out, 'X', sizeof(out));
	cr_assert_eq(json_escape(out, 5, "ab\"c", 4), 5);
	cr_assert_str_eq(out, "ab\\\"");
	cr_assert_eq(json_escape(out, 4, "ab\"c", 4), 5);
	cr_assert_str_eq(out, "ab"); /* never half an escape */
	cr_assert_eq(json_escape(out, 7, "ab\"c", 4), 5);
	cr_assert_str_eq(out, "ab\\\"c");
	cr_assert_eq(json_escape(NULL, 0, "\x01", 1), 6);
}

Test(json, builder_quotes_and_escapes_strings_and_keys)
{
	struct jbuf j;

	check_str("say \"hi\"\n", 9, "\"say \\\"hi\\\"\\n\"");
	check_str("\xc3\xa9\xc3", 3, "\"\xc3\xa9\\u00c3\"");
	jbuf_init(&j);
	jbuf_open_object(&j, NULL);
	jbuf_str(&j, "k\"e\ty", "v");
	jbuf_str(&j, "nul", NULL);
	jbuf_close_object(&j);
	cr_assert_str_eq(j.buf, "{\"k\\\"e\\ty\":\"v\",\"nul\":\"\"}");
	jbuf_free(&j);
}

Test(json, nesting_and_commas)
{
	struct jbuf j;

	jbuf_init(&j);
	jbuf_open_object(&j, NULL);
	jbuf_u64(&j, "a", 1);
	jbuf_open_array(&j, "b");
	jbuf_u64(&j, NULL, 1);
	jbuf_i64(&j, NULL, -2);
	jbuf_open_object(&j, NULL);
	jbuf_bool(&j, "c", true);
	jbuf_bool(&j, "d", false);
	jbuf_close_object(&j);
	jbuf_open_array(&j, NULL);
	jbuf_close_array(&j);
	jbuf_close_array(&j);
	jbuf_open_object(&j, "e");
	jbuf_close_object(&j);
	jbuf_open_array(&j, "f");
	jbuf_close_array(&j);
	jbuf_raw(&j, "g", "{\"x\":[\"y\"]}");
	jbuf_u64(&j, "max", UINT64_MAX);
	jbuf_i64(&j, "min", INT64_MIN);
	jbuf_str(&j, "h", "x");
	jbuf_close_object(&j);
	cr_assert_not(j.oom);
	cr_assert_str_eq(j.buf,
			 "{\"a\":1,\"b\":[1,-2,{\"c\":true,\"d\":false},[]],\"e\":{},\"f\":[],"
			 "\"g\":{\"x\":[\"y\"]},\"max\":18446744073709551615,"
			 "\"min\":-9223372036854775808,\"h\":\"x\"}");
	jbuf_free(&j);
}

Test(json, top_level_array_of_objects)
{
	struct jbuf j;

	jbuf_init(&j);
	jbuf_open_array(&j, NULL);
	jbuf_open_object(&j, NULL);
	jbuf_close_object(&j);
	jbuf_open_object(&j, NULL);
	jbuf_u64(&j, "n", 0);
	jbuf_close_object(&j);
	jbuf_str(&j, NULL, "s");
	jbuf_close_array(&j);
	jbuf_append(&j, "\n", 1);
	cr_assert_str_eq(j.buf, "[{},{\"n\":0},\"s\"]\n");
	jbuf_free(&j);
}

static const char *b64(const char *s)
{
	static char out[64];
	struct jbuf j;

	jbuf_init(&j);
	jbuf_base64(&j, NULL, (const uint8_t *)s, strlen(s));
	cr_assert_not(j.oom);
	snprintf(out, sizeof(out), "%s", j.buf);
	jbuf_free(&j);
	return out;
}

Test(json, base64_rfc4648_vectors)
{
	cr_assert_str_eq(b64(""), "\"\"");
	cr_assert_str_eq(b64("f"), "\"Zg==\"");
	cr_assert_str_eq(b64("fo"), "\"Zm8=\"");
	cr_assert_str_eq(b64("foo"), "\"Zm9v\"");
	cr_assert_str_eq(b64("foob"), "\"Zm9vYg==\"");
	cr_assert_str_eq(b64("fooba"), "\"Zm9vYmE=\"");
	cr_assert_str_eq(b64("foobar"), "\"Zm9vYmFy\"");
	cr_assert_str_eq(b64("\xff\xfe\xfd"), "\"//79\"");
	cr_assert_str_eq(b64("\xfb\xff"), "\"+/8=\"");
}

Test(json, base64_with_key_and_null_bytes)
{
	struct jbuf j;
	const uint8_t bytes[] = {0, 0, 0, 0};

	jbuf_init(&j);
	jbuf_open_object(&j, NULL);
	jbuf_base64(&j, "p", bytes, sizeof(bytes));
	jbuf_base64(&j, "q", NULL, 5);
	jbuf_close_object(&j);
	cr_assert_str_eq(j.buf, "{\"p\":\"AAAAAA==\",\"q\":\"\"}");
	jbuf_free(&j);
}

Test(json, printable_as_suricata)
{
	struct jbuf j;
	const char in[] = "GET /\r\n\t\0\x7f\"\\\xc3\xa9~ ";

	jbuf_init(&j);
	jbuf_open_object(&j, NULL);
	jbuf_printable(&j, "payload_printable", (const uint8_t *)in, sizeof(in) - 1);
	jbuf_close_object(&j);
	cr_assert_str_eq(j.buf, "{\"payload_printable\":\"GET /\\r\\n...\\\"\\\\..~ \"}");
	jbuf_free(&j);
}

Test(json, time_format_utc_microseconds)
{
	char out[32];

	eve_format_time(out, sizeof(out), INT64_C(1795460190123456));
	cr_assert_str_eq(out, "2026-11-23T18:56:30.123456+0000");
	eve_format_time(out, sizeof(out), 0);
	cr_assert_str_eq(out, "1970-01-01T00:00:00.000000+0000");
	eve_format_time(out, sizeof(out), -1);
	cr_assert_str_eq(out, "1969-12-31T23:59:59.999999+0000");
	eve_format_time(out, sizeof(out), INT64_C(951782400000001)); /* leap day 2000 */
	cr_assert_str_eq(out, "2000-02-29T00:00:00.000001+0000");
}

static const char *addr_text_as(int family, const char *bytes, bool compress_ipv6)
{
	static char out[64];
	struct ids_addr a;

	memset(&a, 0, sizeof(a));
	a.family = (uint8_t)family;
	memcpy(a.bytes, bytes, family == 4 ? 4 : 16);
	eve_format_addr(out, sizeof(out), &a, compress_ipv6);
	return out;
}

static const char *addr_text(int family, const char *bytes)
{
	return addr_text_as(family, bytes, true);
}

Test(json, addresses_canonical)
{
	cr_assert_str_eq(addr_text(4, "\xc6\x12\x00\x01"), "198.18.0.1");
	cr_assert_str_eq(addr_text(6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"), "2001:db8::1");
	cr_assert_str_eq(addr_text(6, "\x20\x01\x0d\xb8\0\0\0\0\0\x01\0\0\0\0\0\x01"),
			 "2001:db8::1:0:0:1");
	cr_assert_str_eq(addr_text(6, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc6\x12\x00\x01"),
			 "::ffff:198.18.0.1");
	/* a single zero group is not compressed (RFC 5952 4.2.2) */
	cr_assert_str_eq(addr_text(6, "\x20\x01\x0d\xb8\0\0\0\x01\0\x01\0\x01\0\x01\0\x01"),
			 "2001:db8:0:1:1:1:1:1");
	cr_assert_str_eq(addr_text(6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), "::");
	cr_assert_str_eq(addr_text(5, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), "");
}

/* Suricata's EVE form (the default): 8 groups of 4 lowercase hex digits,
 * as in suricata-verify bug-4571-02. */
Test(json, addresses_expanded_as_suricata)
{
	char small[8];
	struct ids_addr a = {.family = 6};

	cr_assert_str_eq(addr_text_as(4, "\xc6\x12\x00\x01", false), "198.18.0.1");
	cr_assert_str_eq(
		addr_text_as(6, "\x20\x01\x0d\xb8\x85\xa3\0\0\0\0\x8a\x2e\x03\x70\x73\x34", false),
		"2001:0db8:85a3:0000:0000:8a2e:0370:7334");
	cr_assert_str_eq(addr_text_as(6, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc6\x12\x00\x01", false),
			 "0000:0000:0000:0000:0000:ffff:c612:0001");
	cr_assert_str_eq(addr_text_as(6, "\xfe\x80\0\0\0\0\0\0\xAB\xCD\0\0\0\0\0\x01", false),
			 "fe80:0000:0000:0000:abcd:0000:0000:0001");
	cr_assert_str_eq(addr_text_as(5, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", false), "");
	/* a short buffer is truncated, never overrun */
	eve_format_addr(small, sizeof(small), &a, false);
	cr_assert_str_eq(small, "0000:00");
}

static void render_record(struct jbuf *j)
{
	jbuf_open_object(j, NULL);
	jbuf_str(j, "timestamp", "2026-11-23T18:56:30.123456+0000");
	jbuf_open_array(j, "vlan");
	for (int i = 0; i < 100; i++)
		jbuf_u64(j, NULL, (uint64_t)i * 1000);
	jbuf_close_array(j);
	jbuf_strn(j, "bytes", "\x01\x02\xff\xc3\xa9", 5);
	jbuf_close_object(j);
	jbuf_append(j, "\n", 1);
}

Test(json, steady_state_does_not_grow)
{
	struct jbuf j;
	char *first_buf;
	size_t cap, len;

	jbuf_init(&j);
	render_record(&j);
	first_buf = j.buf;
	cap = j.cap;
	len = j.len;
	for (int i = 0; i < 50; i++) {
		jbuf_reset(&j);
		cr_assert_eq(j.len, 0);
		cr_assert_not(j.need_comma);
		render_record(&j);
		cr_assert_eq(j.len, len);
		cr_assert_eq(j.cap, cap);
		cr_assert_eq(j.buf, first_buf);
	}
	jbuf_free(&j);
}

Test(json, grows_past_initial_capacity)
{
	struct jbuf j;
	char big[20000];

	memset(big, 'a', sizeof(big));
	jbuf_init(&j);
	jbuf_strn(&j, NULL, big, sizeof(big));
	cr_assert_not(j.oom);
	cr_assert_eq(j.len, sizeof(big) + 2);
	cr_assert_eq(j.buf[0], '"');
	cr_assert_eq(j.buf[sizeof(big)], 'a');
	cr_assert_eq(j.buf[sizeof(big) + 1], '"');
	cr_assert_eq(j.buf[sizeof(big) + 2], '\0');
	jbuf_free(&j);
}

Test(json, impossible_size_sets_oom_and_reset_clears_it)
{
	struct jbuf j;

	jbuf_init(&j);
	jbuf_open_object(&j, NULL);
	jbuf_strn(&j, "x", "a", SIZE_MAX / 2); /* refused before reading */
	cr_assert(j.oom);
	jbuf_u64(&j, "y", 1); /* dropped */
	cr_assert(j.oom);
	jbuf_reset(&j);
	cr_assert_not(j.oom);
	jbuf_u64(&j, NULL, 7);
	cr_assert_str_eq(j.buf, "7");
	jbuf_free(&j);
}

/* The builder copies blocks of 8 plain bytes whole: every byte that needs
 * more (each control, '"', '\\', 0x7f, each byte of 0x80 and above, alone
 * or starting UTF-8) at every position of strings of 0-40 bytes, and random
 * strings, come out as json_escape writes them one unit at a time. */
Test(json, block_copy_same_as_byte_at_a_time)
{
	char s[48], want[48 * 6 + 3], body[48 * 6 + 1];
	unsigned seed = 5;

	for (unsigned special = 0; special < 256; special++) {
		bool plain = special >= 0x20 && special < 0x7f && special != '"' && special != '\\';

		if (plain && special != 'a')
			continue;
		for (size_t n = 1; n <= 40; n++) {
			for (size_t at = 0; at < n; at++) {
				memset(s, 'a' + (int)(n % 26), n);
				s[at] = (char)special;
				json_escape(body, sizeof(body), s, n);
				snprintf(want, sizeof(want), "\"%s\"", body);
				check_str(s, n, want);
			}
		}
	}
	for (int k = 0; k < 20000; k++) {
		size_t n = (size_t)rand_r(&seed) % 41;

		for (size_t i = 0; i < n; i++) /* mostly plain, now and then anything */
			s[i] = (char)(rand_r(&seed) % 8 ? 0x20 + rand_r(&seed) % 0x5f
							: rand_r(&seed) % 256);
		json_escape(body, sizeof(body), s, n);
		snprintf(want, sizeof(want), "\"%s\"", body);
		check_str(s, n, want);
	}
}
