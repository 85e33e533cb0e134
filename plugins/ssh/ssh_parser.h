/*
 * ssh_parser.h - SSH banner and key-exchange-init parsing for the ssh
 * plugin.
 *
 * An SSH connection opens in clear text (RFC 4253): each side sends an
 * identification line "SSH-protoversion-softwareversion [SP comments]"
 * ended by LF (CR LF in the RFC; a bare LF is accepted, as OpenSSH does),
 * the server possibly after other lines; then each side sends binary
 * packets (uint32 packet_length, byte padding_length, payload, padding), the
 * first of which is SSH_MSG_KEXINIT with the algorithm name-lists that HASSH
 * fingerprints. After NEWKEYS everything is encrypted, so the parser stops
 * after the KEXINIT.
 *
 * Two layers, both pure functions of their input (and of the caller's
 * state for the first), so unit tests and fuzzers call them directly:
 *
 *   ssh_dir_feed      reads one direction of a TCP stream in pieces of any
 *                     size and hands out the banner line, then the KEXINIT
 *                     payload (bounded by SSH_MAX_PACKET);
 *   ssh_parse_banner / ssh_parse_kexinit / ssh_hassh_string
 *                     decode them.
 *
 * Hostile input never reads out of bounds, never allocates more than one
 * packet's length (once per direction, freed by ssh_dir_free or once the
 * KEXINIT was handed out and the next feed call is made), and ends as a
 * status code the caller counts.
 */
#ifndef SSH_PARSER_H
#define SSH_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSH_BANNER_MAX	  255	/* RFC 4253 4.2: the line, CR LF included */
#define SSH_MAX_PRE_LINES 32	/* lines a server may send before its banner */
#define SSH_MAX_PACKET	  35000 /* RFC 4253 6.1: packets every peer handles */
#define SSH_MSG_KEXINIT	  20
#define SSH_KEX_LISTS	  10

/* Results of ssh_dir_feed; the negative ones end the direction. */
enum ssh_feed_status {
	SSH_FEED_MORE = 0,	  /* everything consumed, nothing complete */
	SSH_FEED_BANNER = 1,	  /* the identification line is complete */
	SSH_FEED_KEXINIT = 2,	  /* the KEXINIT payload is complete */
	SSH_FEED_DONE = -1,	  /* direction already ended: bytes ignored */
	SSH_FEED_NOT_SSH = -2,	  /* no "SSH-" line where one must be */
	SSH_FEED_BAD_PACKET = -3, /* a packet header is impossible */
	SSH_FEED_OTHER = -4,	  /* first packet is not a KEXINIT */
	SSH_FEED_NO_MEMORY = -5,  /* the packet buffer could not be had */
};

/* What ssh_dir_feed hands out: the banner line without its line end, or
 * the KEXINIT payload from its message number on. Points into the
 * direction's state; valid until the next feed or free. */
struct ssh_msg {
	const uint8_t *p;
	size_t len;
};

/* One direction of a connection. Zero it, or ssh_dir_init, before use. */
struct ssh_dir {
	bool server;   /* the server may send lines before its banner */
	uint8_t state; /* internal */
	int8_t status; /* 0 while reading, else the enum ssh_feed_status that
			  ended the direction */
	uint8_t pre_lines;
	uint16_t line_len;
	uint8_t line[SSH_BANNER_MAX];
	uint8_t hdr[5];
	uint8_t hdr_len;
	uint8_t *body; /* payload + padding of the packet being read */
	uint32_t body_len, body_have;
};

void ssh_dir_init(struct ssh_dir *d, bool server);
void ssh_dir_free(struct ssh_dir *d);

/*
 * Feed up to *len bytes at *data; consumes bytes up to the next event and
 * advances *data and *len past them. Returns SSH_FEED_BANNER or
 * SSH_FEED_KEXINIT with *msg filled (call again with the rest), 0 when
 * every byte was consumed without an event, or a negative status that ends
 * the direction (later calls return SSH_FEED_DONE).
 */
int ssh_dir_feed(struct ssh_dir *d, const uint8_t **data, size_t *len, struct ssh_msg *msg);

struct ssh_span {
	const uint8_t *p;
	size_t len;
};

/* "SSH-2.0-OpenSSH_9.6p1 Debian-4" -> proto "2.0", software
 * "OpenSSH_9.6p1", comments "Debian-4" (empty span without). */
struct ssh_banner {
	struct ssh_span proto, software, comments;
};

/* Parse a banner line (no line end). Returns 0, or -1 when it is not
 * "SSH-" proto "-" software with non-empty proto and software. */
int ssh_parse_banner(const uint8_t *line, size_t len, struct ssh_banner *b);

/* The name-lists of a KEXINIT, in RFC 4253 7.1 order. */
enum ssh_kex_list {
	SSH_KEX_ALGS = 0,
	SSH_KEX_HOSTKEY,
	SSH_KEX_ENC_C2S,
	SSH_KEX_ENC_S2C,
	SSH_KEX_MAC_C2S,
	SSH_KEX_MAC_S2C,
	SSH_KEX_COMP_C2S,
	SSH_KEX_COMP_S2C,
	SSH_KEX_LANG_C2S,
	SSH_KEX_LANG_S2C,
};

struct ssh_kexinit {
	struct ssh_span list[SSH_KEX_LISTS];
};

/* Parse a KEXINIT payload (message number 20, cookie, ten name-lists).
 * Returns 0, or -1 when a list runs past the end. */
int ssh_parse_kexinit(const uint8_t *p, size_t len, struct ssh_kexinit *k);

/*
 * The HASSH string of a KEXINIT: "kex;enc;mac;comp" with the client-to-
 * server lists (`server` false: HASSH) or the server-to-client ones
 * (`server` true: HASSHServer). Writes at most outlen-1 bytes and a NUL;
 * returns the full length (like snprintf). ssh_hassh_len says how much to
 * allocate.
 */
size_t ssh_hassh_string(const struct ssh_kexinit *k, bool server, char *out, size_t outlen);
size_t ssh_hassh_len(const struct ssh_kexinit *k, bool server);

#endif
