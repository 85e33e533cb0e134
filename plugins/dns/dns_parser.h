/*
 * dns_parser.h - DNS messages (RFC 1035) as pure functions of the bytes.
 *
 * A message is read with a struct dns_reader: dns_reader_init checks the
 * 12-byte header, then each dns_reader_next returns the next record of the
 * question, answer and authority sections (the additional section is not
 * read: nothing the plugin matches or logs lives there, and bytes after the
 * authority section are ignored as resolvers ignore them). Every name is
 * decompressed into the record, every length is checked against the
 * message, and the rdata of the types the plugin renders (A, AAAA, CNAME,
 * NS, PTR, MX, TXT) is checked against its type. Nothing is allocated:
 * the reader points into the caller's bytes and the record is the
 * caller's; the cost is O(len) with a constant factor bounded by the name
 * limits below.
 *
 * Names: labels are joined with '.', their bytes kept as sent (no case
 * folding, no escaping); the root is the empty string. A label's top two
 * bits must be 00 (a length of 0..63) or 11 (a compression pointer); 01
 * and 10 are refused. A name is at most 255 octets on the wire (length
 * bytes included, RFC 1035 2.3.4), so its text is at most 253 bytes. A
 * compression pointer must point strictly before the start of the labels
 * being read (the name's own start, then each earlier pointer's target),
 * so targets strictly decrease and no loop is possible; at most
 * DNS_MAX_HOPS pointers are followed per name.
 *
 * Errors are negative enum dns_error values; dns_error_name names them for
 * counters. Hostile input never reads outside [buf, buf + len).
 */
#ifndef PLUGINS_DNS_PARSER_H
#define PLUGINS_DNS_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN	  12
#define DNS_LABEL_MAX	  63
#define DNS_NAME_WIRE_MAX 255			  /* octets on the wire, with length bytes */
#define DNS_NAME_TEXT_MAX (DNS_NAME_WIRE_MAX - 2) /* dotted text, without NUL */
#define DNS_MAX_HOPS	  127			  /* compression pointers followed per name */

/* Header flag bits (host order). */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_Z  0x0040

#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags)  ((flags)&0xf)

/* Record types the parser knows the rdata of. */
enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
};

enum dns_error {
	DNS_OK = 0,
	DNS_E_SHORT = -1,	/* fewer than 12 bytes */
	DNS_E_TRUNCATED = -2,	/* a name, record or rdata runs past the end */
	DNS_E_LABEL = -3,	/* label type 01 or 10 */
	DNS_E_PTR_FORWARD = -4, /* compression pointer not strictly backwards */
	DNS_E_PTR_HOPS = -5,	/* more than DNS_MAX_HOPS pointers in a name */
	DNS_E_NAME_LONG = -6,	/* name over 255 octets */
	DNS_E_RDATA = -7,	/* rdata does not fit its type or its length */
	DNS_E_OPCODE = -8,	/* not a DNS message: unassigned opcode */
};
#define DNS_ERROR_COUNT 9 /* DNS_OK and the 8 errors: -e indexes a counter array */

enum dns_section {
	DNS_SEC_QUESTION = 0,
	DNS_SEC_ANSWER = 1,
	DNS_SEC_AUTHORITY = 2,
	DNS_SEC_END = 3, /* past the authority section */
};

struct dns_header {
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
};

/* One record (a question has no ttl and no rdata). */
struct dns_record {
	uint8_t section; /* enum dns_section */
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_off;		  /* offset of the rdata in the message */
	size_t name_len;		  /* bytes of name, without the NUL */
	char name[DNS_NAME_TEXT_MAX + 1]; /* owner name, dotted, NUL-terminated */
	size_t target_len;		  /* CNAME, NS, PTR, MX: the name in the rdata */
	char target[DNS_NAME_TEXT_MAX + 1];
};

/* Reads one message. Points into the caller's bytes, which must outlive it. */
struct dns_reader {
	const uint8_t *msg;
	size_t len;
	size_t pos; /* next record's offset */
	uint8_t section;
	uint32_t left; /* records left in `section` */
	int err;       /* the error that stopped the reader, or 0 */
	struct dns_header hdr;
};

/* Parse the header; DNS_E_SHORT under 12 bytes, DNS_E_OPCODE for an
 * unassigned opcode (3, 7..15): such a payload is not taken for DNS. */
int dns_header_parse(const uint8_t *buf, size_t len, struct dns_header *h);

/* Start reading `buf`: 0 or the header's error. */
int dns_reader_init(struct dns_reader *r, const uint8_t *buf, size_t len);

/* The next record of the question, answer and authority sections into
 * *rec: 1 when one was read, 0 after the last, or a negative enum
 * dns_error (and every later call returns the same error). */
int dns_reader_next(struct dns_reader *r, struct dns_record *rec);

/* Read every record of the three sections: 0 or the first error. */
int dns_message_check(const uint8_t *buf, size_t len, struct dns_header *h);

/*
 * Decode the name at `off` of the message into out (DNS_NAME_TEXT_MAX + 1
 * bytes), its length into *out_len and the offset just after the name as
 * it sits at `off` (after its root byte or its first pointer) into *end.
 * Returns 0 or a negative enum dns_error.
 */
int dns_name_decode(const uint8_t *msg, size_t len, size_t off, char *out, size_t *out_len,
		    size_t *end);

/*
 * The rdata of `rec` (a record dns_reader_next returned for `msg`) as text
 * into out, NUL-terminated, at most cap - 1 bytes (cap >= 1): A as
 * dotted quad; AAAA as eight groups of four hex digits
 * ("2001:0db8:0000:...", as Suricata writes it); CNAME, NS, PTR the name;
 * MX the exchange name (the preference is left out, as Suricata does); TXT
 * the character-strings concatenated. Returns the text's full length
 * (larger than cap - 1 when it was cut), or -1 for a question or a type
 * without a text form (out is then "").
 */
long dns_rdata_text(const uint8_t *msg, size_t len, const struct dns_record *rec, char *out,
		    size_t cap);

/* The mnemonic of a record type ("A", "AAAA", ...) or its number in
 * decimal written into tmp (at least 6 bytes). */
const char *dns_type_name(uint16_t type, char *tmp);

/* The mnemonic of an rcode ("NOERROR", "NXDOMAIN", ...) or its number in
 * decimal written into tmp (at least 6 bytes). */
const char *dns_rcode_name(unsigned rcode, char *tmp);

/* A short name for a counter of `err` ("truncated", "pointer_loop", ...). */
const char *dns_error_name(int err);

#endif
