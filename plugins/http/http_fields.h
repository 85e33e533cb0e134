/*
 * http_fields.h - what the http plugin's buffers hold beyond the parser's
 * own fields: header values by name, the header names, the normalised
 * header block, the status line's reason phrase, and bodies decoded from
 * their Content-Encoding (gzip, deflate) with zlib.
 *
 * Pure functions over a message head's slices (struct http_msg, valid
 * during the HTTP_EV_HEAD callback) or a body's bytes: no global state,
 * nothing allocated; every output goes into a caller's buffer of a given
 * capacity and is cut there (the return value says how much was written).
 *
 * Header values are read as libhtp and Suricata present them: the name
 * matched in any case, the value with its surrounding spaces and tabs
 * removed, continuation lines (obsolete folding) joined with one space,
 * and repeated headers joined with ", " in their order.
 */
#ifndef PLUGINS_HTTP_FIELDS_H
#define PLUGINS_HTTP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_parser.h"

/* The value of header `name` (any case) in `headers`, repeated headers
 * joined with ", ". Returns the bytes written to out (at most cap);
 * *found says whether the header is there at all (an empty value is). */
size_t http_field(struct http_slice headers, const char *name, uint8_t *out, size_t cap,
		  bool *found);

/* Suricata's http.header_names: "\r\n", then each header name followed by
 * "\r\n", then "\r\n". Returns the length written (at most cap). */
size_t http_header_names(struct http_slice headers, uint8_t *out, size_t cap);

/* Suricata's http.header: "Name: value\r\n" per header line, values
 * trimmed and unfolded, Cookie and Set-Cookie left out (they have their
 * own buffer). Returns the length written (at most cap). */
size_t http_header_norm(struct http_slice headers, uint8_t *out, size_t cap);

/* The reason phrase of a status line ("OK" in "HTTP/1.1 200 OK"); empty
 * when there is none. Points into start_line. */
struct http_slice http_reason(struct http_slice start_line);

/* Content-Encoding a body is decoded from (the last coding listed). */
enum http_coding {
	HTTP_CODING_NONE = 0, /* no Content-Encoding, or identity */
	HTTP_CODING_GZIP,     /* gzip, x-gzip */
	HTTP_CODING_DEFLATE,  /* deflate: zlib-wrapped, or raw as some servers send */
	HTTP_CODING_OTHER,    /* br, compress, anything else: not decoded */
};

enum http_coding http_content_coding(struct http_slice headers);

/* Outcome of http_decode_body. */
enum http_decode_status {
	HTTP_DECODE_OK = 0,	 /* the input decoded completely */
	HTTP_DECODE_PARTIAL = 1, /* the input ended inside the stream (a body cut at
				    the body limit): what came out is kept */
	HTTP_DECODE_CAPPED = 2,	 /* the output reached cap before the input ended
				    (a decompression bomb or a large body): cut */
	HTTP_DECODE_ERROR = -1,	 /* corrupt data: what came out before is kept */
	HTTP_DECODE_NO_MEMORY = -2,
};

/* Decode `n` bytes of a body in coding `c` (gzip or deflate) into out, at
 * most cap bytes; *out_len says how many came out. */
enum http_decode_status http_decode_body(enum http_coding c, const uint8_t *in, size_t n,
					 uint8_t *out, size_t cap, size_t *out_len);

#endif
