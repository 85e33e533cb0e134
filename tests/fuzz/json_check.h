/*
 * json_check.h - a strict JSON validator for the fuzz targets that check
 * what the EVE writer wrote (fuzz_packet_path.c, fuzz_eve_writer.c).
 *
 * json_check(text, len) is true when the bytes are exactly one JSON value
 * by RFC 8259: the grammar (no trailing commas, no leading zeros, no bare
 * control characters in strings, only the escapes the RFC lists, \u with
 * four hex digits), and, since JSON text is UTF-8 (RFC 8259 section 8.1),
 * every byte sequence in it valid UTF-8 (shortest form, no surrogates,
 * nothing above U+10FFFF). Nesting deeper than JSON_CHECK_DEPTH is refused
 * (EVE records are a few levels deep). No allocation, no recursion on the
 * input's whim beyond that depth.
 */
#ifndef TESTS_FUZZ_JSON_CHECK_H
#define TESTS_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JSON_CHECK_DEPTH 64

struct json_cur {
	const uint8_t *p, *end;
};

static inline void jc_ws(struct json_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline bool jc_lit(struct json_cur *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

static inline bool jc_digits(struct json_cur *c)
{
	const uint8_t *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

static inline bool jc_number(struct json_cur *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!jc_digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!jc_digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!jc_digits(c))
			return false;
	}
	return true;
}

/* One UTF-8 sequence of 2-4 bytes starting at c->p (a byte >= 0x80). */
static inline bool jc_utf8(struct json_cur *c)
{
	uint8_t b = *c->p;
	size_t n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
	uint32_t cp = b & (n == 4 ? 0x07 : n == 3 ? 0x0f : 0x1f);
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};

	if (n == 0 || b > 0xf4 || (size_t)(c->end - c->p) < n)
		return false;
	for (size_t i = 1; i < n; i++) {
		if ((c->p[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (c->p[i] & 0x3f);
	}
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	c->p += n;
	return true;
}

static inline bool jc_hex4(struct json_cur *c)
{
	if (c->end - c->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		uint8_t h = c->p[i];

		if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
			return false;
	}
	c->p += 4;
	return true;
}

static inline bool jc_string(struct json_cur *c)
{
	c->p++; /* the opening quote */
	while (c->p < c->end && *c->p != '"') {
		uint8_t b = *c->p;

		if (b < 0x20)
			return false;
		if (b >= 0x80) {
			if (!jc_utf8(c))
				return false;
			continue;
		}
		c->p++;
		if (b != '\\')
			continue;
		if (c->p >= c->end || !strchr("\"\\/bfnrtu", *c->p) || !*c->p)
			return false;
		if (*c->p++ == 'u' && !jc_hex4(c))
			return false;
	}
	if (c->p >= c->end)
		return false;
	c->p++;
	return true;
}

static inline bool jc_value(struct json_cur *c, int depth);

/* An array or object after its opening bracket. */
static inline bool jc_container(struct json_cur *c, int depth, bool object)
{
	uint8_t close = object ? '}' : ']';

	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return true;
	}
	for (;;) {
		if (object) {
			jc_ws(c);
			if (c->p >= c->end || *c->p != '"' || !jc_string(c))
				return false;
			jc_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return false;
		}
		if (!jc_value(c, depth + 1))
			return false;
		jc_ws(c);
		if (c->p >= c->end)
			return false;
		if (*c->p == close) {
			c->p++;
			return true;
		}
		if (*c->p++ != ',')
			return false;
	}
}

static inline bool jc_value(struct json_cur *c, int depth)
{
	if (depth > JSON_CHECK_DEPTH)
		return false;
	jc_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '{':
		return jc_container(c, depth, true);
	case '[':
		return jc_container(c, depth, false);
	case '"':
		return jc_string(c);
	case 't':
		return jc_lit(c, "true");
	case 'f':
		return jc_lit(c, "false");
	case 'n':
		return jc_lit(c, "null");
	default:
		return jc_number(c);
	}
}

/* True when text[0, len) is exactly one valid JSON value (with white space
 * around it). */
static inline bool json_check(const void *text, size_t len)
{
	struct json_cur c = {text, (const uint8_t *)text + len};

	if (!jc_value(&c, 0))
		return false;
	jc_ws(&c);
	return c.p == c.end;
}

/* True when text[0, len) is a JSON object (an EVE record). */
static inline bool json_check_object(const void *text, size_t len)
{
	const uint8_t *b = text;
	size_t i = 0;

	while (i < len && (b[i] == ' ' || b[i] == '\t'))
		i++;
	return i < len && b[i] == '{' && json_check(text, len);
}

#endif
