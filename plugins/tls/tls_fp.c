/*
 * tls_fp.c - JA3 and JA4 for the tls plugin (the hashes they need are in
 * plugins/common/digest.c).
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
	struct digest_md5 c;
	uint8_t d[16];

	digest_md5_init(&c);
	digest_md5_update(&c, ja3, len);
	digest_md5_final(&c, d);
	digest_hex(d, sizeof(d), out);
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
static void sha_hex_list(struct digest_sha256 *c, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t be[2] = {(uint8_t)(v[i] >> 8), (uint8_t)v[i]};
		char hex[5];

		digest_hex(be, 2, hex);
		if (i)
			digest_sha256_update(c, ",", 1);
		digest_sha256_update(c, hex, 4);
	}
}

/* The first 12 hex digits of a finished hash, or 12 zeros when empty. */
static void sha_trunc(struct digest_sha256 *c, int empty, char *out)
{
	uint8_t d[32];
	char hex[65];

	if (empty) {
		memset(out, '0', 12);
		return;
	}
	digest_sha256_final(c, d);
	digest_hex(d, sizeof(d), hex);
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
	digest_hex(&first, 1, hex);
	out[0] = hex[0];
	digest_hex(&last, 1, hex);
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
	struct digest_sha256 c;

	out[0] = 't';
	out[1] = ja4_version_a(v);
	out[2] = ja4_version_b(v);
	out[3] = ch->has_sni ? 'd' : 'i';
	put2(out + 4, nc);
	put2(out + 6, ne_all);
	ja4_alpn(ch, out + 8);
	out[10] = '_';
	qsort(ciphers, nc, sizeof(ciphers[0]), cmp_u16);
	digest_sha256_init(&c);
	sha_hex_list(&c, ciphers, nc);
	sha_trunc(&c, nc == 0, out + 11);
	out[23] = '_';
	qsort(exts, ne, sizeof(exts[0]), cmp_u16);
	digest_sha256_init(&c);
	sha_hex_list(&c, exts, ne);
	if (ns) {
		digest_sha256_update(&c, "_", 1);
		sha_hex_list(&c, sigalgs, ns);
	}
	sha_trunc(&c, ne == 0, out + 24);
	out[TLS_JA4_LEN] = '\0';
}
