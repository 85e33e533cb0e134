/*
 * http_parser.h - incremental HTTP/1.x message parser for one direction of
 * a TCP stream (requests from the client, responses from the server).
 *
 * A struct http_parser is fed the reassembled bytes of its direction in any
 * number of pieces (http_parser_feed), told about lost bytes
 * (http_parser_gap) and about the end of the direction (http_parser_end).
 * It reports what it finds through one callback, synchronously, from inside
 * those calls:
 *
 *   HTTP_EV_HEAD   the message head is complete: start line and headers
 *                  are in `msg`; its slices (but `protocol`) are valid
 *                  during the callback only: they point into the caller's
 *                  input, the parser's head buffer or the scratch, and are
 *                  cleared when the callback returns
 *   HTTP_EV_BODY   a piece of the (de-chunked) body: data/len point into the
 *                  caller's input and are valid during the callback only
 *   HTTP_EV_END    the message is complete (msg->body_len is final)
 *   HTTP_EV_ERROR  a parse error of kind `err`; the current message is
 *                  dropped and the parser resynchronises on the next line
 *                  that looks like a start line (HTTP_ERR_CL_AND_TE is only
 *                  an anomaly: parsing goes on with chunked framing)
 *
 * Pure: no global state, no logging; every byte is looked at a bounded
 * number of times (O(n) per byte fed). The head (start line and headers)
 * may be at most HTTP_MAX_HEAD bytes; a longer head is an error and its
 * message is skipped. Hostile input never reads out of bounds, never
 * overflows a length and never stops the parser for good.
 *
 * Memory: the struct itself is small (a few hundred bytes). A head that
 * lies whole in one piece fed is parsed where it lies, not copied. The
 * bytes of a head that spans pieces are kept in a buffer the parser
 * allocates, grows by doubling from HTTP_HEAD_BUF_MIN up to HTTP_MAX_HEAD,
 * and frees as soon as the head is complete (and at the end of the
 * direction, on stop and on release; it is kept, for reuse, while the
 * parser resynchronises after an error): at most a few allocations per
 * message, none while a body streams by. What a head yields that is not in
 * its bytes (normalised URI, unfolded Host and User-Agent) is built in a
 * struct http_scratch the caller shares between the parsers of one thread.
 * When the head buffer cannot grow, the message is dropped as after a gap
 * (without an error event) and scratch->no_memory counts it.
 *
 * Ownership: the parser is a plain struct owned by the caller (embed it or
 * allocate it), who calls http_parser_release before freeing it. It holds
 * no pointer to the caller's input after a call returns; it keeps the
 * scratch pointer given to http_parser_init, and uses the scratch only
 * during feed calls. The callback must not call back into the same parser.
 */
#ifndef PLUGINS_HTTP_PARSER_H
#define PLUGINS_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEAD	   8192 /* start line + headers + blank line */
#define HTTP_MAX_HOST	   255	/* normalised Host value kept */
#define HTTP_MAX_UA	   1024 /* unfolded User-Agent value kept */
#define HTTP_MAX_CHUNK_EXT 1024 /* bytes of chunk extensions on one size line */
#define HTTP_HEAD_BUF_MIN  1024 /* first allocation for a head spanning pieces */

enum http_err {
	HTTP_ERR_HEAD_TOO_LONG = 0, /* head longer than HTTP_MAX_HEAD */
	HTTP_ERR_REQUEST_LINE,	    /* malformed request line */
	HTTP_ERR_STATUS_LINE,	    /* malformed status line */
	HTTP_ERR_HEADER_LINE,	    /* header line without a name and colon (skipped) */
	HTTP_ERR_CONTENT_LENGTH,    /* bad or conflicting Content-Length */
	HTTP_ERR_CHUNK,		    /* bad chunk size line or chunk terminator */
	HTTP_ERR_CL_AND_TE,	    /* Content-Length beside chunked (chunked wins) */
	HTTP_ERR_GAP,		    /* bytes lost in the capture */
	HTTP_ERR_TRUNCATED,	    /* direction ended inside a message */
	HTTP_ERR_COUNT
};

/* Short names of the error kinds ("head_too_long", ...), for counters. */
extern const char *const http_err_names[HTTP_ERR_COUNT];

struct http_slice {
	const uint8_t *p;
	size_t len;
};

/* One message. The slices are set when the head is complete and valid
 * during the HTTP_EV_HEAD callback only, except `protocol`, which points
 * into the parser and stays valid until the message ends; the numbers and
 * flags stay valid until the message ends too. */
struct http_msg {
	bool request;
	/* request line */
	struct http_slice method, uri; /* uri as sent */
	struct http_slice uri_norm;    /* see http_uri_normalise */
	struct http_slice protocol;    /* "HTTP/1.1" (requests and responses) */
	/* status line */
	unsigned status;		 /* 100..999 */
	struct http_slice status_digits; /* the 3 digits */
	/* the whole head as received: start line, headers and blank line */
	struct http_slice head;
	struct http_slice start_line; /* without its line end */
	/* headers */
	struct http_slice headers;    /* header lines as received, after the
					 start line, without the blank line */
	struct http_slice host;	      /* lower case, port stripped; len 0 and
					 has_host false when absent */
	struct http_slice user_agent; /* unfolded, cut at HTTP_MAX_UA */
	bool has_host, has_user_agent;
	int64_t content_length; /* -1 when absent */
	bool chunked;		/* Transfer-Encoding ends in chunked */
	/* Transfer-Encoding for the app-layer events (http.c): present; its
	 * values hold "chunked" anywhere (any case, NUL bytes skipped); its
	 * one value is "chunked" (any case) and nothing else */
	bool te_present, te_has_chunked, te_only_chunked;
	bool conn_close; /* Connection: close */
	/* body */
	uint64_t body_len; /* de-chunked body bytes so far */
};

enum http_event_type { HTTP_EV_HEAD = 0, HTTP_EV_BODY, HTTP_EV_END, HTTP_EV_ERROR };

struct http_event {
	enum http_event_type type;
	const struct http_msg *msg; /* HEAD, BODY, END; NULL for ERROR */
	const uint8_t *data;	    /* BODY */
	size_t len;		    /* BODY */
	enum http_err err;	    /* ERROR */
};

/* What the callback returns for HTTP_EV_HEAD (0 for other events). */
enum {
	HTTP_CB_OK = 0,	     /* go on as the headers say */
	HTTP_CB_NO_BODY = 1, /* the message has no body (response to HEAD) */
	HTTP_CB_STOP = 2,    /* no more HTTP on this direction (upgrade,
				CONNECT tunnel): ignore every later byte */
};

typedef int (*http_event_fn)(void *ctx, const struct http_event *ev);

enum http_state {
	HTTP_S_HEAD = 0,   /* collecting a head */
	HTTP_S_HEAD_SKIP,  /* head too long: skipping to its blank line */
	HTTP_S_BODY_LEN,   /* Content-Length body */
	HTTP_S_CHUNK_SIZE, /* chunk size line */
	HTTP_S_CHUNK_DATA, /* chunk data */
	HTTP_S_CHUNK_END,  /* CRLF after chunk data */
	HTTP_S_TRAILER,	   /* trailer lines after the last chunk */
	HTTP_S_BODY_EOF,   /* body until the end of the direction */
	HTTP_S_RESYNC,	   /* looking for a start line */
	HTTP_S_STOPPED,	   /* not HTTP any more: everything ignored */
};

/*
 * What a head yields that is not in its bytes, built when the head is
 * complete and read during the HTTP_EV_HEAD callback only: one per thread,
 * shared by every parser that thread feeds (owned by the caller, it must
 * outlive them). Also the count of messages dropped for want of memory.
 */
struct http_scratch {
	uint8_t uri_norm[HTTP_MAX_HEAD]; /* msg.uri_norm */
	uint8_t host[HTTP_MAX_HOST];	 /* msg.host */
	uint8_t ua[HTTP_MAX_UA];	 /* msg.user_agent */
	uint64_t no_memory;		 /* heads dropped: head buffer not grown */
};

struct http_parser {
	http_event_fn cb;
	void *ctx;
	struct http_scratch *scratch;
	bool request; /* parses requests (else responses) */
	uint8_t state;
	bool first_line_done; /* HEAD: the start line is complete */
	bool line_dirty;      /* SKIP, TRAILER: current line has content */
	bool line_drop;	      /* RESYNC: current line too long, dropping it */
	bool have_digits;     /* CHUNK_SIZE */
	bool in_ext;	      /* CHUNK_SIZE: past the size digits */
	bool cr_seen;	      /* CHUNK_END */
	bool head_in_input;   /* HEAD, RESYNC: `head` points into the input
				 being fed (only during a feed call) */
	uint8_t proto[8];     /* msg.protocol */
	uint32_t ext_len;     /* CHUNK_SIZE */
	uint32_t digits;      /* CHUNK_SIZE */
	uint32_t trailer_len; /* TRAILER */
	uint32_t head_cap;    /* bytes allocated at head_buf */
	uint64_t remaining;   /* BODY_LEN, CHUNK_DATA, CHUNK_SIZE value */
	uint64_t messages;    /* start lines parsed so far */
	/* HEAD, RESYNC: the head so far is head[0..head_len); the start line
	 * ends at headers_off (HEAD, once first_line_done) */
	size_t head_len, line_start, headers_off;
	const uint8_t *head; /* head_buf, or the input being fed */
	uint8_t *head_buf;   /* owned; NULL unless a head spans pieces */
	struct http_msg msg;
};

/* Reset `p` to parse requests (request true) or responses, building head
 * values in `scratch` (kept, see struct http_scratch). `p` holds no buffer
 * afterwards: call http_parser_release first on a parser already used. */
void http_parser_init(struct http_parser *p, bool request, struct http_scratch *scratch,
		      http_event_fn cb, void *ctx);
/* Free the head buffer `p` may hold (p itself is the caller's); `p` may be
 * fed again afterwards. Accepts NULL. */
void http_parser_release(struct http_parser *p);
/* Parse the next `len` bytes of the direction. */
void http_parser_feed(struct http_parser *p, const uint8_t *data, size_t len);
/* Bytes were lost before the next feed: drop the current message. */
void http_parser_gap(struct http_parser *p);
/* The direction ended: a body running to the end completes; anything else
 * in progress is HTTP_ERR_TRUNCATED. */
void http_parser_end(struct http_parser *p);
/* Ignore every later byte (the other side switched protocols); frees the
 * head buffer. */
void http_parser_stop(struct http_parser *p);

/*
 * Normalise a request URI as sent into out (room for len bytes: the result
 * is never longer). Returns the length written.
 *   - split at the first '?' as sent: the path before it, the query after;
 *   - an absolute-form URI ("http://host/..." or "https://...", any case)
 *     keeps its scheme and authority as they are, its path is normalised;
 *   - %XX with two hex digits becomes the byte (both in path and query);
 *     an invalid escape ("%zz", a trailing "%4") is kept as sent; decoding
 *     is done once ("%252e" becomes "%2e");
 *   - in the decoded path (when it starts with '/'), "." segments are
 *     removed and ".." segments remove the segment before them (never
 *     above the root), as RFC 3986 section 5.2.4 says; empty segments
 *     (duplicate slashes) are kept; '\' is not a separator;
 *   - case is not changed, '+' is not decoded.
 */
size_t http_uri_normalise(const uint8_t *uri, size_t len, uint8_t *out);

#endif /* PLUGINS_HTTP_PARSER_H */
