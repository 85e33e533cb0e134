/*
 * json.h - an append-only JSON text builder.
 *
 * Writes into a caller-owned growable buffer; the steady state allocates
 * nothing (the buffer keeps its capacity between records). Strings are
 * escaped per RFC 8259: ", \ and control characters, with \uXXXX for other
 * bytes below 0x20; invalid UTF-8 bytes are written as \u00XX of the byte
 * (so the output is always valid UTF-8 and valid JSON). Any thread; one
 * builder per thread.
 */
#ifndef SENSOR_JSON_H
#define SENSOR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids/packet.h"

struct jbuf {
	char *buf;
	size_t len, cap;
	bool need_comma; /* a value was written at the current level */
	bool oom;	 /* an allocation failed: the record is incomplete */
};

void jbuf_init(struct jbuf *j);
void jbuf_free(struct jbuf *j);
void jbuf_reset(struct jbuf *j); /* len = 0, keeps capacity */

void jbuf_open_object(struct jbuf *j, const char *key); /* key NULL inside arrays/top */
void jbuf_close_object(struct jbuf *j);
void jbuf_open_array(struct jbuf *j, const char *key);
void jbuf_close_array(struct jbuf *j);
void jbuf_str(struct jbuf *j, const char *key, const char *s);
void jbuf_strn(struct jbuf *j, const char *key, const char *s, size_t n);
void jbuf_u64(struct jbuf *j, const char *key, uint64_t v);
void jbuf_i64(struct jbuf *j, const char *key, int64_t v);
void jbuf_bool(struct jbuf *j, const char *key, bool v);
/* Insert pre-rendered JSON (an object, array or number) as a value. */
void jbuf_raw(struct jbuf *j, const char *key, const char *json);
/* base64 (RFC 4648, padded) of the bytes, as a string value. */
void jbuf_base64(struct jbuf *j, const char *key, const uint8_t *p, size_t n);
/* Suricata's payload_printable: printable ASCII and \r \n kept (as
 * Suricata's PrintStringsToBuffer does), everything else '.'. */
void jbuf_printable(struct jbuf *j, const char *key, const uint8_t *p, size_t n);
/* Append raw text (for "\n" between records). */
void jbuf_append(struct jbuf *j, const char *s, size_t n);

/* Escape `n` bytes of `s` as a JSON string body (no quotes) into out;
 * returns bytes written or needed. For tests and the rule loader.
 * snprintf-like: NUL-terminated when outlen > 0, never ends inside an
 * escape; a result >= outlen means the text was truncated. */
size_t json_escape(char *out, size_t outlen, const char *s, size_t n);

/* "2026-11-23T18:56:30.123456+0000" (UTC) into out (at least 32 bytes). */
void eve_format_time(char *out, size_t outlen, int64_t ts_usec);
/* Text of an address into out (at least 40 bytes for IPv6): IPv4 dotted;
 * IPv6 as Suricata writes it in EVE (every group as 4 lowercase hex
 * digits: "2001:0db8:0000:...:0001"), or with `compress_ipv6` in
 * RFC 5952's compressed form ("2001:db8::1", inet_ntop's). Anything else
 * gives "". */
void eve_format_addr(char *out, size_t outlen, const struct ids_addr *a, bool compress_ipv6);

#endif
