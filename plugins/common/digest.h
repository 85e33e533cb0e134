/*
 * digest.h - MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180-4), and hex output,
 * for the plugins that fingerprint handshakes (tls, ssh). Compiled into each
 * plugin that uses it (plugins export nothing but their entry symbol).
 *
 * Pure functions of their input: no global state, nothing allocated, the
 * caller owns every context and output buffer. Hex output is lower case.
 */
#ifndef PLUGIN_DIGEST_H
#define PLUGIN_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct digest_md5 {
	uint32_t h[4];
	uint64_t len; /* bytes hashed */
	uint8_t buf[64];
};

struct digest_sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
};

struct digest_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
};

void digest_md5_init(struct digest_md5 *c);
void digest_md5_update(struct digest_md5 *c, const void *data, size_t len);
void digest_md5_final(struct digest_md5 *c, uint8_t out[16]);

void digest_sha1_init(struct digest_sha1 *c);
void digest_sha1_update(struct digest_sha1 *c, const void *data, size_t len);
void digest_sha1_final(struct digest_sha1 *c, uint8_t out[20]);

void digest_sha256_init(struct digest_sha256 *c);
void digest_sha256_update(struct digest_sha256 *c, const void *data, size_t len);
void digest_sha256_final(struct digest_sha256 *c, uint8_t out[32]);

/* n bytes as 2n lower-case hex digits and a NUL. */
void digest_hex(const uint8_t *in, size_t n, char *out);

#endif
