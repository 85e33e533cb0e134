/*
 * tls_parser.h - TLS record and hello parsing for the tls plugin.
 *
 * Two layers, both pure functions of their input (and of the caller's
 * state for the first), with no global set-up, so unit tests and fuzzers
 * call them directly:
 *
 *   tls_dir_feed        reads the records of one direction of a TCP stream,
 *                       in pieces of any size, and reassembles the first
 *                       handshake message of the direction across records
 *                       and pieces (bounded by a caller-given maximum, at
 *                       most TLS_MAX_HANDSHAKE bytes);
 *   tls_parse_client_hello / tls_parse_server_hello
 *                       decode a complete hello body into a fixed-size
 *                       struct (lists capped, see TLS_MAX_*).
 *
 * Hostile input never reads out of bounds, never allocates more than the
 * message length (once per direction, freed by tls_dir_free or as soon as
 * the message was handed out and the next feed call is made), and ends as a
 * status code the caller counts.
 */
#ifndef TLS_PARSER_H
#define TLS_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_MAX_HANDSHAKE 65536 /* largest hello body reassembled */
#define TLS_MAX_RECORD	  18432 /* 2^14 + 2048: largest TLSCiphertext */
#define TLS_MAX_CIPHERS	  1024
#define TLS_MAX_EXTS	  256
#define TLS_MAX_GROUPS	  256
#define TLS_MAX_SIGALGS	  256
#define TLS_MAX_POINTFMTS 64
#define TLS_MAX_VERSIONS  64

/* Handshake message types the parser hands out. */
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE  11
#define TLS_HS_HELLO_DONE   14

/* Extension numbers the parser decodes. */
#define TLS_EXT_SERVER_NAME	   0x0000
#define TLS_EXT_SUPPORTED_GROUPS   0x000a
#define TLS_EXT_EC_POINT_FORMATS   0x000b
#define TLS_EXT_SIG_ALGS	   0x000d
#define TLS_EXT_ALPN		   0x0010
#define TLS_EXT_SUPPORTED_VERSIONS 0x002b

/* Results of tls_dir_feed; the negative ones end the direction. */
enum tls_feed_status {
	TLS_FEED_MORE = 0,	  /* everything consumed, no message yet */
	TLS_FEED_MSG = 1,	  /* a hello is complete: see struct tls_msg */
	TLS_FEED_DONE = -1,	  /* direction already ended: bytes ignored */
	TLS_FEED_NOT_TLS = -2,	  /* the first bytes are not a TLS record */
	TLS_FEED_OTHER = -3,	  /* first message is not a hello, or data came
				     encrypted before it: nothing to parse */
	TLS_FEED_BAD_RECORD = -4, /* a later record header is invalid */
	TLS_FEED_TOO_LONG = -5,	  /* hello longer than the maximum */
	TLS_FEED_NO_MEMORY = -6,  /* the reassembly buffer could not be had */
};

/* Reassembly state of one direction. Zero-initialise (or tls_dir_init). */
struct tls_dir {
	uint8_t rec_hdr[5];
	uint8_t rec_have;  /* bytes of rec_hdr read */
	uint8_t rec_type;  /* content type of the current record */
	uint8_t hs_hdr[4]; /* handshake header, may span records */
	uint8_t hs_have;   /* bytes of hs_hdr read */
	uint8_t records;   /* records started, saturating at 255 */
	int8_t status;	   /* 0 while reading, then a final tls_feed_status */
	uint32_t rec_left; /* payload bytes left in the current record */
	uint32_t hs_len;   /* body length from the handshake header */
	uint32_t body_have;
	uint32_t max_len; /* largest body accepted (0: TLS_MAX_HANDSHAKE) */
	uint8_t *body;	  /* owned: reassembly buffer of hs_len bytes */
	/* Set by the caller on a server direction: after the ServerHello,
	 * read on through the handshake messages of the same flight and hand
	 * out the Certificate message too (tls_dir_next). */
	bool follow;
	bool skipping; /* the current message is read past, not kept */
	uint8_t msgs;  /* handshake messages started */
};

/* A complete hello (or, following, a Certificate message), for
 * TLS_FEED_MSG. `body` points into the caller's input or into the
 * direction's buffer: valid until the next call on the direction or
 * tls_dir_free. */
struct tls_msg {
	uint8_t type; /* TLS_HS_CLIENT_HELLO, TLS_HS_SERVER_HELLO, TLS_HS_CERTIFICATE */
	const uint8_t *body;
	uint32_t len;
};

void tls_dir_init(struct tls_dir *d, uint32_t max_len);
/* Release the buffer; the direction stays ended. Accepts NULL. */
void tls_dir_free(struct tls_dir *d);
/*
 * Feed the next `len` bytes of the direction. Returns TLS_FEED_MSG once,
 * with *msg filled, when the direction's first handshake message is a hello
 * and is complete; afterwards the direction is ended (TLS_FEED_DONE) and
 * further bytes are ignored.
 */
int tls_dir_feed(struct tls_dir *d, const uint8_t *data, size_t len, struct tls_msg *msg);
/*
 * The same, resumable: consumes bytes up to the end of the message it
 * hands out and advances *data and *len past them, so that a direction
 * with `follow` set gives its ServerHello, then (call again with the rest)
 * its Certificate message. The direction ends after the Certificate, at a
 * ServerHelloDone, a ChangeCipherSpec or encrypted data (TLS 1.3, resumed
 * sessions: no certificate in clear), or after 8 messages. Returns
 * TLS_FEED_MSG, TLS_FEED_MORE (every byte consumed) or a final status.
 */
int tls_dir_next(struct tls_dir *d, const uint8_t **data, size_t *len, struct tls_msg *msg);
/* True when `data` (the first `len` bytes of a direction, len >= 1) could
 * start a TLS handshake record. */
bool tls_looks_like_tls(const uint8_t *data, size_t len);

/* Results of the hello parsers. */
enum tls_parse_status {
	TLS_PARSE_OK = 0,
	TLS_PARSE_TRUNCATED = -1, /* a length runs past the end of the body */
	TLS_PARSE_MALFORMED = -2, /* inconsistent lengths, odd list sizes, ... */
	TLS_PARSE_LIMIT = -3,	  /* more list entries than TLS_MAX_* */
};

/* A span of the hello body (valid as long as the body). */
struct tls_span {
	const uint8_t *p;
	uint16_t len;
};

struct tls_client_hello {
	uint16_t legacy_version;
	bool has_sni, has_alpn, has_versions, has_sigalgs;
	struct tls_span sni;	    /* first host_name of server_name */
	struct tls_span alpn_first; /* first protocol of ALPN */
	uint16_t n_alpn;
	uint16_t n_ciphers, n_exts, n_groups, n_sigalgs, n_pointfmts, n_versions;
	uint16_t ciphers[TLS_MAX_CIPHERS]; /* all in wire order, GREASE kept */
	uint16_t exts[TLS_MAX_EXTS];
	uint16_t groups[TLS_MAX_GROUPS];
	uint16_t sigalgs[TLS_MAX_SIGALGS];
	uint8_t pointfmts[TLS_MAX_POINTFMTS];
	uint16_t versions[TLS_MAX_VERSIONS]; /* supported_versions */
};

struct tls_server_hello {
	uint16_t legacy_version;
	uint16_t selected_version; /* supported_versions if sent, else legacy */
	uint16_t cipher;
	bool has_versions;
	uint16_t n_exts; /* extension types in wire order (JA3S), at most TLS_MAX_EXTS */
	uint16_t exts[TLS_MAX_EXTS];
};

int tls_parse_client_hello(const uint8_t *body, size_t len, struct tls_client_hello *ch);
int tls_parse_server_hello(const uint8_t *body, size_t len, struct tls_server_hello *sh);

/* GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
bool tls_is_grease(uint16_t v);
/* Suricata's name of a version: "TLS 1.3", "TLS 1.2", "TLS 1.1", "TLSv1",
 * "SSLv3", "SSLv2", "UNDETERMINED" for 0, else "0x%04x" into buf. */
const char *tls_version_name(uint16_t v, char buf[8]);

#endif
