/*
 * tls_cert.h - the server certificates of a TLS handshake (TLS 1.2 and
 * earlier send them in clear), for the tls plugin's buffers and alerts.
 *
 * Two layers, pure functions of their input:
 *
 *   tls_cert_list    walks a Certificate handshake message's list
 *                    (RFC 5246 7.4.2: uint24 total, then uint24-length
 *                    DER certificates);
 *   tls_cert_parse   reads the fields of one DER X.509 certificate
 *                    (RFC 5280 4.1) that Suricata logs and matches:
 *                    serial, issuer, validity, subject;
 *   tls_cert_*_text  render them as Suricata writes them: a name as
 *                    "C=US, O=Example, CN=www.example.org" (RDNs in their
 *                    encoded order), a serial as "00:1A:2B" (upper-case
 *                    hex bytes), a time as "2024-01-31T12:00:00", the
 *                    SHA-1 fingerprint of the DER as "ab:cd:..." (lower).
 *
 * The DER reader checks every tag and length against what is left before
 * reading anything, accepts only definite lengths of at most 4 bytes, and
 * returns an error status for anything it cannot walk; nothing is
 * allocated, every output is cut at the caller's capacity.
 */
#ifndef TLS_CERT_H
#define TLS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_HS_CERTIFICATE 11
#define TLS_CERT_MAX	   16 /* certificates of a chain looked at */

struct tls_der {
	const uint8_t *p;
	size_t len;
};

/* The DER certificates of a Certificate message body, at most
 * TLS_CERT_MAX; returns how many, or -1 when the list is malformed. */
int tls_cert_list(const uint8_t *body, size_t len, struct tls_der *out, size_t cap);

struct tls_cert_info {
	struct tls_der serial;		       /* INTEGER content bytes */
	struct tls_der issuer, subject;	       /* Name: SEQUENCE content */
	struct tls_der not_before, not_after;  /* Time content */
	uint8_t not_before_tag, not_after_tag; /* 0x17 UTCTime, 0x18 GeneralizedTime */
};

/* 0, or -1 when `der` is not a certificate this reader can walk. */
int tls_cert_parse(const uint8_t *der, size_t len, struct tls_cert_info *ci);

/* "C=US, ST=California, O=Example, CN=www.example.org"; an attribute type
 * without a short name is written as its dotted OID. Returns the length
 * written (at most cap - 1, NUL-terminated). */
size_t tls_cert_name_text(struct tls_der name, char *out, size_t cap);
/* "00:E4:A1" */
size_t tls_cert_serial_text(struct tls_der serial, char *out, size_t cap);
/* "2024-01-31T12:00:00" (UTCTime years 50..99 are 19xx); false when the
 * time is malformed (out is then ""). */
bool tls_cert_time_text(uint8_t tag, struct tls_der t, char out[20]);
/* SHA-1 of the DER as 20 lower-case hex pairs joined by ':' (60 bytes
 * with the NUL). */
void tls_cert_fingerprint(const uint8_t *der, size_t len, char out[60]);

#endif
