/*
 * json.c - the append-only JSON text builder (see json.h).
 *
 * Design: a record is written front to back into one growable buffer; the
 * builder never goes back. Growth doubles the capacity, so after the first
 * few records a thread's buffer is big enough and the steady state allocates
 * nothing (jbuf_reset keeps the capacity).
 *
 * Commas: one flag is enough because the builder is strictly nested. Every
 * open sets need_comma = false (the new container is empty); every value and
 * every close sets it to true (the closed container is a value of its
 * parent, which therefore holds at least one value). A key or value writes
 * a ',' first when the flag is set.
 *
 * Strings (keys too) are escaped per RFC 8259: \" \\ \b \f \n \r \t, other
 * bytes below 0x20 and 0x7f as \u00xx (lowercase hex); well-formed UTF-8
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF) is copied
 * as it is; every byte that does not start a well-formed sequence becomes
 * \u00xx of that byte and the scan resumes at the next byte. So whatever the
 * packet holds, the output is valid JSON and valid UTF-8. Speed: blocks of
 * 8 bytes with none of these (the usual key or value) are copied whole.
 *
 * Invariants: buf is NUL-terminated whenever it is non-NULL; after an
 * allocation failure oom is set and every later append is dropped until
 * jbuf_reset, so a caller checks oom once per record.
 */
#include "output/json.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JBUF_MIN_CAP 4096

/* ------------------------------------------------------------- buffer */

void jbuf_init(struct jbuf *j)
{
	memset(j, 0, sizeof(*j));
}

void jbuf_free(struct jbuf *j)
{
	if (!j)
		return;
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

void jbuf_reset(struct jbuf *j)
{
	j->len = 0;
	j->need_comma = false;
	j->oom = false;
	if (j->buf)
		j->buf[0] = '\0';
}

/* Make room for `extra` more bytes plus the NUL. Returns false (and sets
 * oom) when that is impossible. */
static bool jbuf_reserve(struct jbuf *j, size_t extra)
{
	size_t need, cap;
	char *nb;

	if (j->oom)
		return false;
	if (extra > SIZE_MAX - j->len - 1)
		goto fail;
	need = j->len + extra + 1;
	if (need <= j->cap)
		return true;
	cap = j->cap ? j->cap : JBUF_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	nb = realloc(j->buf, cap);
	if (!nb)
		goto fail;
	j->buf = nb;
	j->cap = cap;
	return true;
fail:
	j->oom = true;
	return false;
}

static void put(struct jbuf *j, const char *s, size_t n)
{
	if (!jbuf_reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void put_c(struct jbuf *j, char c)
{
	put(j, &c, 1);
}

void jbuf_append(struct jbuf *j, const char *s, size_t n)
{
	put(j, s, n);
}

/* ----------------------------------------------------------- escaping */

static const char hexdig[] = "0123456789abcdef";

/* Length of the well-formed UTF-8 sequence starting at s[0] (2..4), or 0
 * when s[0] does not start one within n bytes. */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates U+D800..U+DFFF */
	else if (c == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* The escaped text of the unit starting at s[*i] into out (at most 6
 * bytes); advances *i past the unit. Returns the length written. */
static size_t escape_unit(const uint8_t *s, size_t n, size_t *i, char out[8])
{
	uint8_t c = s[*i];
	size_t seq;

	if (c >= 0x80) {
		seq = utf8_seq_len(s + *i, n - *i);
		if (seq) {
			memcpy(out, s + *i, seq);
			*i += seq;
			return seq;
		}
	}
	(*i)++;
	switch (c) {
	case '"':
	case '\\':
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	case '\b':
		memcpy(out, "\\b", 2);
		return 2;
	case '\f':
		memcpy(out, "\\f", 2);
		return 2;
	case '\n':
		memcpy(out, "\\n", 2);
		return 2;
	case '\r':
		memcpy(out, "\\r", 2);
		return 2;
	case '\t':
		memcpy(out, "\\t", 2);
		return 2;
	default:
		break;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	memcpy(out, "\\u00", 4);
	out[4] = hexdig[c >> 4];
	out[5] = hexdig[c & 0xf];
	return 6;
}

/* snprintf-like: writes at most outlen - 1 bytes, never a partial escape,
 * NUL-terminates when outlen > 0; returns the length of the whole escaped
 * text (so a result >= outlen means it was truncated). */
size_t json_escape(char *out, size_t outlen, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0, total = 0;
	bool full = outlen == 0;
	char unit[8];

	while (i < n) {
		size_t k = escape_unit(u, n, &i, unit);

		if (!full && total + k < outlen)
			memcpy(out + total, unit, k);
		else if (!full) {
			out[total] = '\0';
			full = true;
		}
		total += k;
	}
	if (!full)
		out[total] = '\0';
	return total;
}

/* The quoted, escaped string. Reserves the worst case (6 bytes per input
 * byte) once, then writes without further checks; blocks of 8 bytes that
 * need no escape are copied whole. */
/* Whether any of the 8 bytes of `x` needs more than a copy: below 0x20,
 * 0x7f and above, '"' or '\\' (the classic "has a zero byte" test, on
 * x itself for the bytes below 0x20 and on x XOR the byte for the others;
 * a false alarm only sends the block down the byte path). */
static bool block_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t below = (x - 0x20 * ones) & ~x;
	uint64_t quote = x ^ (0x22 * ones), bslash = x ^ (0x5c * ones), del = x ^ (0x7f * ones);

	below |= (quote - ones) & ~quote;
	below |= (bslash - ones) & ~bslash;
	below |= (del - ones) & ~del;
	return ((below | x) & high) != 0;
}

static void put_string(struct jbuf *j, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0;
	char *o;

	if (n > (SIZE_MAX - 8) / 6 || !jbuf_reserve(j, n * 6 + 2)) {
		j->oom = true;
		return;
	}
	o = j->buf + j->len;
	*o++ = '"';
	while (i < n) {
		uint64_t x;
		uint8_t c;

		if (i + 8 <= n) { /* 8 plain bytes at a time: keys, most values */
			memcpy(&x, u + i, 8);
			if (!block_needs_escape(x)) {
				memcpy(o, &x, 8);
				o += 8;
				i += 8;
				continue;
			}
		}
		c = u[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*o++ = (char)c;
			i++;
			continue;
		}
		o += escape_unit(u, n, &i, o);
	}
	*o++ = '"';
	*o = '\0';
	j->len = (size_t)(o - j->buf);
}

/* ----------------------------------------------------- keys and values */

/* The comma and the key (when given) before a value. */
static void put_key(struct jbuf *j, const char *key)
{
	if (j->need_comma)
		put_c(j, ',');
	if (key) {
		put_string(j, key, strlen(key));
		put_c(j, ':');
	}
	j->need_comma = true;
}

void jbuf_open_object(struct jbuf *j, const char *key)
{
	put_key(j, key);
	put_c(j, '{');
	j->need_comma = false;
}

void jbuf_close_object(struct jbuf *j)
{
	put_c(j, '}');
	j->need_comma = true;
}

void jbuf_open_array(struct jbuf *j, const char *key)
{
	put_key(j, key);
	put_c(j, '[');
	j->need_comma = false;
}

void jbuf_close_array(struct jbuf *j)
{
	put_c(j, ']');
	j->need_comma = true;
}

void jbuf_strn(struct jbuf *j, const char *key, const char *s, size_t n)
{
	put_key(j, key);
	put_string(j, s ? s : "", s ? n : 0);
}

void jbuf_str(struct jbuf *j, const char *key, const char *s)
{
	jbuf_strn(j, key, s, s ? strlen(s) : 0);
}

/* Decimal digits of v, right-aligned ending at end; returns the first.
 * (Numbers are on every record: this is the hot path snprintf was.) */
static char *digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void jbuf_u64(struct jbuf *j, const char *key, uint64_t v)
{
	char num[24], *start = digits(num + sizeof(num), v);

	put_key(j, key);
	put(j, start, (size_t)(num + sizeof(num) - start));
}

void jbuf_i64(struct jbuf *j, const char *key, int64_t v)
{
	char num[24], *start;

	/* The magnitude as unsigned: INT64_MIN has no positive int64. */
	start = digits(num + sizeof(num), v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--start = '-';
	put_key(j, key);
	put(j, start, (size_t)(num + sizeof(num) - start));
}

void jbuf_bool(struct jbuf *j, const char *key, bool v)
{
	put_key(j, key);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

/* The text is trusted to be one complete JSON value; NULL writes null. */
void jbuf_raw(struct jbuf *j, const char *key, const char *json)
{
	put_key(j, key);
	if (json)
		put(j, json, strlen(json));
	else
		put(j, "null", 4);
}

static const char b64dig[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void jbuf_base64(struct jbuf *j, const char *key, const uint8_t *p, size_t n)
{
	size_t out_len, i;
	char *o;

	put_key(j, key);
	if (!p)
		n = 0;
	if (n > (SIZE_MAX - 8) / 4 * 3 || !jbuf_reserve(j, (n + 2) / 3 * 4 + 2)) {
		j->oom = true;
		return;
	}
	out_len = (n + 2) / 3 * 4;
	o = j->buf + j->len;
	*o++ = '"';
	for (i = 0; i + 3 <= n; i += 3, o += 4) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		o[0] = b64dig[v >> 18];
		o[1] = b64dig[(v >> 12) & 0x3f];
		o[2] = b64dig[(v >> 6) & 0x3f];
		o[3] = b64dig[v & 0x3f];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);

		o[0] = b64dig[v >> 18];
		o[1] = b64dig[(v >> 12) & 0x3f];
		o[2] = i + 1 < n ? b64dig[(v >> 6) & 0x3f] : '=';
		o[3] = '=';
		o += 4;
	}
	*o++ = '"';
	*o = '\0';
	j->len += out_len + 2;
}

/* As Suricata's payload_printable (PrintStringsToBuffer): printable ASCII
 * 0x20..0x7e and \r \n are kept, every other byte becomes '.'; the result
 * is then escaped like any string (so \r \n appear as \r \n, " as \"). */
void jbuf_printable(struct jbuf *j, const char *key, const uint8_t *p, size_t n)
{
	char *o;

	put_key(j, key);
	if (!p)
		n = 0;
	if (n > (SIZE_MAX - 8) / 2 || !jbuf_reserve(j, n * 2 + 2)) {
		j->oom = true;
		return;
	}
	o = j->buf + j->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\n' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : 'r';
		} else {
			*o++ = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
	}
	*o++ = '"';
	*o = '\0';
	j->len = (size_t)(o - j->buf);
}

/* ------------------------------------------------------ time, address */

/* "YYYY-MM-DDTHH:MM:SS" of a second, cached per thread: records of one
 * second share it, so gmtime_r and the formatting run once a second. */
static const char *second_text(int64_t sec, int64_t *usec)
{
	static _Thread_local int64_t cached_sec = INT64_MIN;
	static _Thread_local char cached[64];
	time_t t = (time_t)sec;
	struct tm tm;

	if (sec == cached_sec)
		return cached;
	if (!gmtime_r(&t, &tm)) {
		t = 0;
		*usec = 0;
		gmtime_r(&t, &tm);
	}
	snprintf(cached, sizeof(cached), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	cached_sec = t == (time_t)sec ? sec : INT64_MIN;
	return cached;
}

void eve_format_time(char *out, size_t outlen, int64_t ts_usec)
{
	int64_t sec = ts_usec / 1000000, usec = ts_usec % 1000000;
	char text[96];
	const char *date;
	size_t n;

	if (!out || outlen == 0)
		return;
	if (usec < 0) { /* floor towards the past: -1 us is 23:59:59.999999 */
		usec += 1000000;
		sec -= 1;
	}
	date = second_text(sec, &usec);
	n = strlen(date);
	memcpy(text, date, n);
	text[n++] = '.';
	for (int i = 5; i >= 0; i--, usec /= 10)
		text[n + (size_t)i] = (char)('0' + usec % 10);
	memcpy(text + n + 6, "+0000", 6);
	n = strlen(text);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, text, n);
	out[n] = '\0';
}

/* Dotted quad into out (at least 16 bytes): inet_ntop's formatting cost
 * showed up on every record. */
static void format_ipv4(char *out, const uint8_t b[4])
{
	char *o = out;

	for (int i = 0; i < 4; i++) {
		char num[4], *d = digits(num + sizeof(num), b[i]);

		while (d < num + sizeof(num))
			*o++ = *d++;
		*o++ = i < 3 ? '.' : '\0';
	}
}

/* Suricata's expanded IPv6 form into out (at least 40 bytes): 8 groups
 * of 4 lowercase hex digits. */
static void format_ipv6_expanded(char *out, const uint8_t b[16])
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;

	for (int i = 0; i < 16; i++) {
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 0x0f];
		if (i % 2 == 1)
			*o++ = i < 15 ? ':' : '\0';
	}
}

void eve_format_addr(char *out, size_t outlen, const struct ids_addr *a, bool compress_ipv6)
{
	char text[INET6_ADDRSTRLEN];
	const char *r = NULL;

	if (!out || outlen == 0)
		return;
	if (a && a->family == 4 && outlen >= 16) {
		format_ipv4(out, a->bytes);
		return;
	}
	if (a && a->family == 6 && !compress_ipv6 && outlen >= 40) {
		format_ipv6_expanded(out, a->bytes);
		return;
	}
	if (a && a->family == 4) {
		r = inet_ntop(AF_INET, a->bytes, text, sizeof(text));
	} else if (a && a->family == 6 && !compress_ipv6) {
		format_ipv6_expanded(text, a->bytes);
		r = text;
	} else if (a && a->family == 6) {
		r = inet_ntop(AF_INET6, a->bytes, text, sizeof(text));
	}
	snprintf(out, outlen, "%s", r ? r : "");
}
