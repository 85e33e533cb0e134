/*
 * tls_fp.c - MD5, SHA-256, JA3 and JA4 for the tls plugin.
 *
 * The hashes follow their public definitions (RFC 1321, FIPS 180-4): a
 * 64-byte block buffer, a compression function per block, padding with
 * 0x80, zeros and the bit length (little-endian for MD5, big-endian for
 * SHA-256). Their constants are the published tables (MD5: integer part
 * of |sin(i+1)| * 2^32; SHA-256: fractional parts of the cube roots of the
 * first 64 primes). The unit tests check them against the RFC and NIST
 * vectors.
 *
 * JA3 builds its string into the caller's buffer (bounded by TLS_JA3_MAX,
 * which the parser's list caps guarantee) and hashes it. JA4 sorts copies
 * of the cipher and extension lists (qsort: O(n log n) for the at most
 * TLS_MAX_* entries) and feeds the SHA-256 piece by piece, so no string is
 * built. Nothing here allocates or keeps state between calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_fp.h"

/* ---------------------------------------------------------------- MD5 */

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
	0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
	0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
	0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
	0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
	0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
	0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
	0xeb86d391,
};

static const uint8_t md5_s[4][4] = {
	{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static uint32_t rol32(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static uint32_t ror32(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

/* The round function and message word of step i. */
static uint32_t md5_f(unsigned i, uint32_t b, uint32_t c, uint32_t d, unsigned *g)
{
	switch (i / 16) {
	case 0:
		*g = i;
		return (b & c) | (~b & d);
	case 1:
		*g = (5 * i + 1) % 16;
		return (d & b) | (~d & c);
	case 2:
		*g = (3 * i + 5) % 16;
		return b ^ c ^ d;
	default:
		*g = (7 * i) % 16;
		return c ^ (b | ~d);
	}
}

static void md5_block(uint32_t h[4], const uint8_t *p)
{
	uint32_t m[16], a = h[0], b = h[1], c = h[2], d = h[3];

	for (unsigned i = 0; i < 16; i++)
		m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (unsigned i = 0; i < 64; i++) {
		unsigned g;
		uint32_t f = md5_f(i, b, c, d, &g) + a + md5_k[i] + m[g];

		a = d;
		d = c;
		c = b;
		b += rol32(f, md5_s[i / 16][i % 4]);
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void tls_md5_init(struct tls_md5 *c)
{
	static const uint32_t iv[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
}

/* Feed `len` bytes through the 64-byte block buffer of an MD5/SHA-256
 * state whose byte count is *count. */
static void md_update(uint8_t *buf, uint64_t *count, const void *data, size_t len,
		      void (*block)(void *, const uint8_t *), void *state)
{
	const uint8_t *p = data;

	while (len > 0) {
		size_t used = *count % 64, k = 64 - used < len ? 64 - used : len;

		memcpy(buf + used, p, k);
		*count += k;
		p += k;
		len -= k;
		if (*count % 64 == 0)
			block(state, buf);
	}
}

/* Pad to 56 mod 64 and append the bit length in `big` or little endian. */
static void md_pad(uint8_t *buf, uint64_t len, int big, void (*block)(void *, const uint8_t *),
		   void *state)
{
	size_t used = len % 64;
	uint64_t bits = len * 8;

	buf[used++] = 0x80;
	if (used > 56) {
		memset(buf + used, 0, 64 - used);
		block(state, buf);
		used = 0;
	}
	memset(buf + used, 0, 56 - used);
	for (int i = 0; i < 8; i++)
		buf[56 + i] = (uint8_t)(bits >> (big ? 56 - 8 * i : 8 * i));
	block(state, buf);
}

static void md5_block_cb(void *state, const uint8_t *p)
{
	md5_block(state, p);
}

void tls_md5_update(struct tls_md5 *c, const void *data, size_t len)
{
	md_update(c->buf, &c->len, data, len, md5_block_cb, c->h);
}

void tls_md5_final(struct tls_md5 *c, uint8_t out[16])
{
	md_pad(c->buf, c->len, 0, md5_block_cb, c->h);
	for (int i = 0; i < 16; i++)
		out[i] = (uint8_t)(c->h[i / 4] >> (8 * (i % 4)));
}

/* ------------------------------------------------------------ SHA-256 */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static void sha_schedule(uint32_t w[64], const uint8_t *p)
{
	for (unsigned i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (unsigned i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
}

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], v[8];

	sha_schedule(w, p);
	memcpy(v, h, sizeof(v));
	for (unsigned i = 0; i < 64; i++) {
		uint32_t s1 = ror32(v[4], 6) ^ ror32(v[4], 11) ^ ror32(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + s1 + ch + sha_k[i] + w[i];
		uint32_t s0 = ror32(v[0], 2) ^ ror32(v[0], 13) ^ ror32(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);

		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + s0 + maj;
	}
	for (unsigned i = 0; i < 8; i++)
		h[i] += v[i];
}

static void sha256_block_cb(void *state, const uint8_t *p)
{
	sha256_block(state, p);
}

void tls_sha256_init(struct tls_sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
}

void tls_sha256_update(struct tls_sha256 *c, const void *data, size_t len)
{
	md_update(c->buf, &c->len, data, len, sha256_block_cb, c->h);
}

void tls_sha256_final(struct tls_sha256 *c, uint8_t out[32])
{
	md_pad(c->buf, c->len, 1, sha256_block_cb, c->h);
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

void tls_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---------------------------------------------------------------- JA3 */

/* Append v in decimal; returns the new length. */
static size_t put_dec(char *out, size_t at, unsigned v)
{
	char tmp[6];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out[at++] = tmp[--n];
	return at;
}

/* Append a '-'-joined list of the non-GREASE values. */
static size_t put_list(char *out, size_t at, const uint16_t *v, size_t n)
{
	int first = 1;

	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (!first)
			out[at++] = '-';
		at = put_dec(out, at, v[i]);
		first = 0;
	}
	return at;
}

size_t tls_ja3_string(const struct tls_client_hello *ch, char out[TLS_JA3_MAX])
{
	size_t at = put_dec(out, 0, ch->legacy_version);

	out[at++] = ',';
	at = put_list(out, at, ch->ciphers, ch->n_ciphers);
	out[at++] = ',';
	at = put_list(out, at, ch->exts, ch->n_exts);
	out[at++] = ',';
	at = put_list(out, at, ch->groups, ch->n_groups);
	out[at++] = ',';
	for (uint16_t i = 0; i < ch->n_pointfmts; i++) {
		if (i)
			out[at++] = '-';
		at = put_dec(out, at, ch->pointfmts[i]);
	}
	out[at] = '\0';
	return at;
}

size_t tls_ja3s_string(const struct tls_server_hello *sh, char out[TLS_JA3S_MAX])
{
	size_t at = put_dec(out, 0, sh->legacy_version);

	out[at++] = ',';
	at = put_dec(out, at, sh->cipher);
	out[at++] = ',';
	at = put_list(out, at, sh->exts, sh->n_exts);
	out[at] = '\0';
	return at;
}

void tls_ja3_hash(const char *ja3, size_t len, char out[TLS_JA3_HASH_LEN + 1])
{
	struct tls_md5 c;
	uint8_t d[16];

	tls_md5_init(&c);
	tls_md5_update(&c, ja3, len);
	tls_md5_final(&c, d);
	tls_hex(d, sizeof(d), out);
}

/* ---------------------------------------------------------------- JA4 */

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Copy the non-GREASE values (and not `skip1`/`skip2` when skip is set)
 * into out; returns how many. */
static size_t filter(const uint16_t *v, size_t n, uint16_t *out, int skip, uint16_t skip1,
		     uint16_t skip2)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!tls_is_grease(v[i]) && !(skip && (v[i] == skip1 || v[i] == skip2)))
			out[k++] = v[i];
	return k;
}

/* Feed "xxxx,xxxx,..." of n values into the hash. */
static void sha_hex_list(struct tls_sha256 *c, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t be[2] = {(uint8_t)(v[i] >> 8), (uint8_t)v[i]};
		char hex[5];

		tls_hex(be, 2, hex);
		if (i)
			tls_sha256_update(c, ",", 1);
		tls_sha256_update(c, hex, 4);
	}
}

/* The first 12 hex digits of a finished hash, or 12 zeros when empty. */
static void sha_trunc(struct tls_sha256 *c, int empty, char *out)
{
	uint8_t d[32];
	char hex[65];

	if (empty) {
		memset(out, '0', 12);
		return;
	}
	tls_sha256_final(c, d);
	tls_hex(d, sizeof(d), hex);
	memcpy(out, hex, 12);
}

static char ja4_version_a(uint16_t v)
{
	switch (v) {
	case 0x0304:
	case 0x0303:
	case 0x0302:
	case 0x0301:
		return '1';
	case 0x0300:
	case 0x0002:
		return 's';
	case 0xfeff:
	case 0xfefd:
	case 0xfefc:
		return 'd';
	default:
		return '0';
	}
}

static char ja4_version_b(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return '3';
	case 0x0303:
		return '2';
	case 0x0302:
		return '1';
	case 0x0301:
		return '0';
	case 0x0300:
		return '3';
	case 0x0002:
		return '2';
	case 0xfeff:
		return '1';
	case 0xfefd:
		return '2';
	case 0xfefc:
		return '3';
	default:
		return '0';
	}
}

/* Highest non-GREASE supported_versions value, else legacy_version. */
static uint16_t ja4_version(const struct tls_client_hello *ch)
{
	uint16_t best = 0;

	if (!ch->has_versions)
		return ch->legacy_version;
	for (uint16_t i = 0; i < ch->n_versions; i++)
		if (!tls_is_grease(ch->versions[i]) && ch->versions[i] > best)
			best = ch->versions[i];
	return best;
}

static int is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* First and last character of the first ALPN value. */
static void ja4_alpn(const struct tls_client_hello *ch, char out[2])
{
	const struct tls_span *a = &ch->alpn_first;
	char hex[3];
	uint8_t first, last;

	if (!ch->n_alpn || a->len == 0) {
		out[0] = out[1] = '0';
		return;
	}
	first = a->p[0];
	last = a->p[a->len - 1];
	if (is_alnum(first) && is_alnum(last)) {
		out[0] = (char)first;
		out[1] = (char)last;
		return;
	}
	tls_hex(&first, 1, hex);
	out[0] = hex[0];
	tls_hex(&last, 1, hex);
	out[1] = hex[1];
}

static void put2(char *out, size_t n)
{
	if (n > 99)
		n = 99;
	out[0] = (char)('0' + n / 10);
	out[1] = (char)('0' + n % 10);
}

void tls_ja4(const struct tls_client_hello *ch, char out[TLS_JA4_LEN + 1])
{
	uint16_t ciphers[TLS_MAX_CIPHERS], exts[TLS_MAX_EXTS], sigalgs[TLS_MAX_SIGALGS];
	size_t nc = filter(ch->ciphers, ch->n_ciphers, ciphers, 0, 0, 0);
	size_t ne_all = filter(ch->exts, ch->n_exts, exts, 0, 0, 0);
	size_t ne = filter(ch->exts, ch->n_exts, exts, 1, TLS_EXT_SERVER_NAME, TLS_EXT_ALPN);
	size_t ns = filter(ch->sigalgs, ch->n_sigalgs, sigalgs, 0, 0, 0);
	uint16_t v = ja4_version(ch);
	struct tls_sha256 c;

	out[0] = 't';
	out[1] = ja4_version_a(v);
	out[2] = ja4_version_b(v);
	out[3] = ch->has_sni ? 'd' : 'i';
	put2(out + 4, nc);
	put2(out + 6, ne_all);
	ja4_alpn(ch, out + 8);
	out[10] = '_';
	qsort(ciphers, nc, sizeof(ciphers[0]), cmp_u16);
	tls_sha256_init(&c);
	sha_hex_list(&c, ciphers, nc);
	sha_trunc(&c, nc == 0, out + 11);
	out[23] = '_';
	qsort(exts, ne, sizeof(exts[0]), cmp_u16);
	tls_sha256_init(&c);
	sha_hex_list(&c, exts, ne);
	if (ns) {
		tls_sha256_update(&c, "_", 1);
		sha_hex_list(&c, sigalgs, ns);
	}
	sha_trunc(&c, ne == 0, out + 24);
	out[TLS_JA4_LEN] = '\0';
}
