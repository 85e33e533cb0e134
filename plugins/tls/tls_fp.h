/*
 * tls_fp.h - TLS client fingerprints (JA3, JA4) for the tls plugin; the
 * hashes they need (MD5, SHA-256) are in plugins/common/digest.h.
 *
 * Pure functions of their input: no global state, nothing allocated, the
 * caller owns every output buffer. Hex output is lower case.
 */
#ifndef TLS_FP_H
#define TLS_FP_H

#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"
#include "tls_parser.h"

/* Longest JA3 string of a hello the parser accepts, NUL included. */
#define TLS_JA3_MAX                                                                                \
	(6 + 6 * TLS_MAX_CIPHERS + 6 * TLS_MAX_EXTS + 6 * TLS_MAX_GROUPS + 4 * TLS_MAX_POINTFMTS + \
	 8)
#define TLS_JA3_HASH_LEN 32
#define TLS_JA4_LEN	 36

/*
 * The JA3 string "SSLVersion,Ciphers,Extensions,EllipticCurves,
 * EllipticCurvePointFormats": decimal values joined by '-', GREASE values
 * left out, an empty field when a list is empty or absent. Writes it with a
 * NUL into out (TLS_JA3_MAX bytes) and returns its length.
 */
size_t tls_ja3_string(const struct tls_client_hello *ch, char out[TLS_JA3_MAX]);
/* MD5 of `len` bytes of a JA3 string, as 32 hex digits and a NUL. */
void tls_ja3_hash(const char *ja3, size_t len, char out[TLS_JA3_HASH_LEN + 1]);

/* The JA3S string of a ServerHello ("version,cipher,extensions", decimal,
 * extensions '-'-separated, GREASE left out) and its length; hash it with
 * tls_ja3_hash. */
#define TLS_JA3S_MAX (16 + 6 * TLS_MAX_EXTS)
size_t tls_ja3s_string(const struct tls_server_hello *sh, char out[TLS_JA3S_MAX]);
/*
 * JA4 (FoxIO): "t" (TLS over TCP), version (highest of supported_versions,
 * else legacy_version), "d"/"i" (SNI extension or not), cipher and
 * extension counts (GREASE left out, at most 99), first and last character
 * of the first ALPN value ("00" without), "_", the first 12 hex digits of
 * the SHA-256 of the sorted cipher list, "_", same of the sorted extension
 * list (SNI and ALPN left out) "_" the signature algorithms in their
 * order. Writes 36 characters and a NUL.
 */
void tls_ja4(const struct tls_client_hello *ch, char out[TLS_JA4_LEN + 1]);

#endif
