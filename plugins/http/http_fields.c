/*
 * http_fields.c - header values, header names, the normalised header
 * block, reason phrases and body decoding for the http plugin's buffers
 * (see http_fields.h).
 *
 * Headers are walked line by line over the head's header slice (lines end
 * with LF, a CR before it is dropped); a line that starts with a space or
 * a tab continues the header before it. Bodies are decoded with zlib's
 * inflate: gzip with windowBits 15+16, deflate first as RFC 1950 (zlib
 * wrapper) and, when its header is not a zlib header, as raw RFC 1951 data
 * (what some servers send for "deflate", and what browsers accept).
 * Output stops at the caller's capacity, so a bomb costs at most that.
 */
#include "http_fields.h"

#include <string.h>
#include <zlib.h>

struct hdr_line {
	struct http_slice name, value; /* value: first line only, trimmed */
	const uint8_t *next;	       /* the line after (continuations not skipped) */
};

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static struct http_slice trim(const uint8_t *p, size_t n)
{
	while (n && is_ws(*p))
		p++, n--;
	while (n && (is_ws(p[n - 1]) || p[n - 1] == '\r'))
		n--;
	return (struct http_slice){p, n};
}

static bool name_is(struct http_slice n, const char *want)
{
	size_t len = strlen(want);

	if (n.len != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint8_t a = n.p[i], b = (uint8_t)want[i];

		if (a >= 'A' && a <= 'Z')
			a = (uint8_t)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (uint8_t)(b + 32);
		if (a != b)
			return false;
	}
	return true;
}

/* The line at p (before end): a header line (*l filled, true) or a
 * continuation or a line without a colon (false). Always sets l->next. */
static bool line_at(const uint8_t *p, const uint8_t *end, struct hdr_line *l)
{
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p)), *colon;
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

	l->next = nl ? nl + 1 : end;
	if (n == 0 || is_ws(p[0]) || !(colon = memchr(p, ':', n)))
		return false;
	l->name = trim(p, (size_t)(colon - p));
	l->value = trim(colon + 1, n - (size_t)(colon + 1 - p));
	return l->name.len > 0;
}

/* A continuation line at p: its trimmed content, true. */
static bool continuation(const uint8_t *p, const uint8_t *end, struct http_slice *v,
			 const uint8_t **next)
{
	const uint8_t *nl;
	size_t n;

	if (p >= end || !is_ws(p[0]))
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	*v = trim(p, n);
	*next = nl ? nl + 1 : end;
	return true;
}

static size_t put(uint8_t *out, size_t cap, size_t at, const void *s, size_t n)
{
	if (at < cap)
		memcpy(out + at, s, n < cap - at ? n : cap - at);
	return at + n < cap ? at + n : cap;
}

/* Append the value of the header line l, continuations joined by a
 * space; returns the new length and moves *p past the continuations. */
static size_t put_value(const struct hdr_line *l, const uint8_t **p, const uint8_t *end,
			uint8_t *out, size_t cap, size_t at)
{
	struct http_slice more;
	const uint8_t *next;

	at = put(out, cap, at, l->value.p, l->value.len);
	*p = l->next;
	while (continuation(*p, end, &more, &next)) {
		if (more.len)
			at = put(out, cap, put(out, cap, at, " ", 1), more.p, more.len);
		*p = next;
	}
	return at;
}

size_t http_field(struct http_slice headers, const char *name, uint8_t *out, size_t cap,
		  bool *found)
{
	const uint8_t *p = headers.p, *end = headers.p + headers.len;
	size_t at = 0;

	*found = false;
	while (p && p < end) {
		struct hdr_line l;

		if (!line_at(p, end, &l) || !name_is(l.name, name)) {
			p = l.next;
			continue;
		}
		if (*found)
			at = put(out, cap, at, ", ", 2);
		*found = true;
		at = put_value(&l, &p, end, out, cap, at);
	}
	return at;
}

size_t http_header_names(struct http_slice headers, uint8_t *out, size_t cap)
{
	const uint8_t *p = headers.p, *end = headers.p + headers.len;
	size_t at = put(out, cap, 0, "\r\n", 2);

	while (p && p < end) {
		struct hdr_line l;

		if (line_at(p, end, &l))
			at = put(out, cap, put(out, cap, at, l.name.p, l.name.len), "\r\n", 2);
		p = l.next;
	}
	return put(out, cap, at, "\r\n", 2);
}

size_t http_header_norm(struct http_slice headers, uint8_t *out, size_t cap)
{
	const uint8_t *p = headers.p, *end = headers.p + headers.len;
	size_t at = 0;

	while (p && p < end) {
		struct hdr_line l;

		if (!line_at(p, end, &l) || name_is(l.name, "cookie") ||
		    name_is(l.name, "set-cookie")) {
			p = l.next;
			continue;
		}
		at = put(out, cap, put(out, cap, at, l.name.p, l.name.len), ": ", 2);
		at = put(out, cap, put_value(&l, &p, end, out, cap, at), "\r\n", 2);
	}
	return at;
}

struct http_slice http_reason(struct http_slice line)
{
	size_t i = 8; /* "HTTP/d.d" */

	while (i < line.len && is_ws(line.p[i]))
		i++;
	i += 3; /* the status digits */
	if (i >= line.len)
		return (struct http_slice){line.p + line.len, 0};
	return trim(line.p + i, line.len - i);
}

enum http_coding http_content_coding(struct http_slice headers)
{
	uint8_t v[256];
	bool found;
	size_t n = http_field(headers, "content-encoding", v, sizeof(v), &found), end = n;
	struct http_slice last;

	if (!found)
		return HTTP_CODING_NONE;
	while (end && v[end - 1] != ',')
		end--;
	last = trim(v + end, n - end);
	if (name_is(last, "gzip") || name_is(last, "x-gzip"))
		return HTTP_CODING_GZIP;
	if (name_is(last, "deflate"))
		return HTTP_CODING_DEFLATE;
	if (last.len == 0 || name_is(last, "identity"))
		return HTTP_CODING_NONE;
	return HTTP_CODING_OTHER;
}

/* Inflate with windowBits `wbits`; *out_len is what came out. */
static enum http_decode_status inflate_all(int wbits, const uint8_t *in, size_t n, uint8_t *out,
					   size_t cap, size_t *out_len)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK)
		return HTTP_DECODE_NO_MEMORY;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)(n < UINT32_MAX ? n : UINT32_MAX);
	z.next_out = out;
	z.avail_out = (uInt)(cap < UINT32_MAX ? cap : UINT32_MAX);
	rc = inflate(&z, Z_SYNC_FLUSH);
	*out_len = z.total_out;
	inflateEnd(&z);
	if (rc == Z_STREAM_END)
		return HTTP_DECODE_OK;
	if (rc == Z_MEM_ERROR)
		return HTTP_DECODE_NO_MEMORY;
	if (rc == Z_OK || rc == Z_BUF_ERROR)
		return z.avail_out == 0 ? HTTP_DECODE_CAPPED : HTTP_DECODE_PARTIAL;
	return HTTP_DECODE_ERROR;
}

/* RFC 1950: CMF says deflate with a window up to 32 KiB, FCHECK holds. */
static bool zlib_header(const uint8_t *in, size_t n)
{
	return n >= 2 && (in[0] & 0x0f) == 8 && (in[0] >> 4) <= 7 &&
	       ((in[0] << 8) | in[1]) % 31 == 0;
}

enum http_decode_status http_decode_body(enum http_coding c, const uint8_t *in, size_t n,
					 uint8_t *out, size_t cap, size_t *out_len)
{
	*out_len = 0;
	if (c == HTTP_CODING_GZIP)
		return inflate_all(15 + 16, in, n, out, cap, out_len);
	if (c == HTTP_CODING_DEFLATE)
		return inflate_all(zlib_header(in, n) ? 15 : -15, in, n, out, cap, out_len);
	return HTTP_DECODE_ERROR;
}
