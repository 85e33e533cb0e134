/*
 * tls_hello.h - TLS hellos built byte by byte, for the tls plugin's unit
 * and integration tests.
 *
 * A struct th_spec lists what a ClientHello carries (ciphers, extensions in
 * wire order, and the contents of the extensions the fingerprints read);
 * th_client_hello writes its body, th_handshake adds the handshake header,
 * th_records cuts handshake bytes into TLS records of a given size.
 * th_foxio() is the ClientHello of FoxIO's JA4 write-up (15 ciphers, 16
 * extensions, ALPN h2) with Chrome-like GREASE values mixed in when asked.
 * Test code only: buffers are the caller's and assumed large enough.
 */
#ifndef TESTS_TLS_HELLO_H
#define TESTS_TLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct th_spec {
	uint16_t legacy_version;
	const uint16_t *ciphers;
	size_t n_ciphers;
	const uint16_t *exts; /* wire order; contents below for known types */
	size_t n_exts;
	const char *sni;	 /* 0x0000 */
	const char *const *alpn; /* 0x0010 */
	size_t n_alpn;
	const uint16_t *groups; /* 0x000a */
	size_t n_groups;
	const uint8_t *pointfmts; /* 0x000b */
	size_t n_pointfmts;
	const uint16_t *sigalgs; /* 0x000d */
	size_t n_sigalgs;
	const uint16_t *versions; /* 0x002b */
	size_t n_versions;
};

struct th_buf {
	uint8_t *b;
	size_t n;
};

static inline void th_u8(struct th_buf *t, unsigned v)
{
	t->b[t->n++] = (uint8_t)v;
}

static inline void th_u16(struct th_buf *t, unsigned v)
{
	th_u8(t, v >> 8);
	th_u8(t, v);
}

static inline void th_bytes(struct th_buf *t, const void *p, size_t n)
{
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

/* Reserve a length prefix of `prefix` bytes; th_close fills it. */
static inline size_t th_open(struct th_buf *t, int prefix)
{
	size_t at = t->n;

	t->n += (size_t)prefix;
	return at;
}

static inline void th_close(struct th_buf *t, size_t at, int prefix)
{
	size_t len = t->n - at - (size_t)prefix;

	for (int i = prefix - 1; i >= 0; i--, len >>= 8)
		t->b[at + (size_t)i] = (uint8_t)len;
}

static inline void th_u16_list(struct th_buf *t, int prefix, const uint16_t *v, size_t n)
{
	size_t at = th_open(t, prefix);

	for (size_t i = 0; i < n; i++)
		th_u16(t, v[i]);
	th_close(t, at, prefix);
}

static inline void th_ext_body(struct th_buf *t, const struct th_spec *s, uint16_t type)
{
	size_t at;

	switch (type) {
	case 0x0000:
		at = th_open(t, 2);
		th_u8(t, 0);
		th_u16(t, (unsigned)strlen(s->sni));
		th_bytes(t, s->sni, strlen(s->sni));
		th_close(t, at, 2);
		break;
	case 0x0010:
		at = th_open(t, 2);
		for (size_t i = 0; i < s->n_alpn; i++) {
			th_u8(t, (unsigned)strlen(s->alpn[i]));
			th_bytes(t, s->alpn[i], strlen(s->alpn[i]));
		}
		th_close(t, at, 2);
		break;
	case 0x000a:
		th_u16_list(t, 2, s->groups, s->n_groups);
		break;
	case 0x000b:
		th_u8(t, (unsigned)s->n_pointfmts);
		th_bytes(t, s->pointfmts, s->n_pointfmts);
		break;
	case 0x000d:
		th_u16_list(t, 2, s->sigalgs, s->n_sigalgs);
		break;
	case 0x002b:
		th_u16_list(t, 1, s->versions, s->n_versions);
		break;
	case 0xff01:
		th_u8(t, 0); /* renegotiation_info: empty */
		break;
	default:
		break; /* empty extension */
	}
}

/* The ClientHello body of `s` into out; returns its length. */
static inline size_t th_client_hello(const struct th_spec *s, uint8_t *out)
{
	struct th_buf t = {out, 0};
	size_t exts;

	th_u16(&t, s->legacy_version);
	for (int i = 0; i < 32; i++)
		th_u8(&t, 0x40 + i); /* random */
	th_u8(&t, 32);		     /* session id */
	for (int i = 0; i < 32; i++)
		th_u8(&t, 0x80 + i);
	th_u16_list(&t, 2, s->ciphers, s->n_ciphers);
	th_u8(&t, 1); /* compression: null */
	th_u8(&t, 0);
	if (!s->n_exts)
		return t.n;
	exts = th_open(&t, 2);
	for (size_t i = 0; i < s->n_exts; i++) {
		size_t at;

		th_u16(&t, s->exts[i]);
		at = th_open(&t, 2);
		th_ext_body(&t, s, s->exts[i]);
		th_close(&t, at, 2);
	}
	th_close(&t, exts, 2);
	return t.n;
}

/* A ServerHello body: selected 0 sends no supported_versions. */
static inline size_t th_server_hello(uint16_t legacy, uint16_t cipher, uint16_t selected,
				     uint8_t *out)
{
	struct th_buf t = {out, 0};
	size_t exts, at;

	th_u16(&t, legacy);
	for (int i = 0; i < 32; i++)
		th_u8(&t, 0x20 + i);
	th_u8(&t, 0);
	th_u16(&t, cipher);
	th_u8(&t, 0);
	if (!selected)
		return t.n;
	exts = th_open(&t, 2);
	th_u16(&t, 0x002b);
	at = th_open(&t, 2);
	th_u16(&t, selected);
	th_close(&t, at, 2);
	th_close(&t, exts, 2);
	return t.n;
}

/* Handshake header (type, 24-bit length) and body; returns the length. */
static inline size_t th_handshake(uint8_t type, const uint8_t *body, size_t len, uint8_t *out)
{
	out[0] = type;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	memmove(out + 4, body, len);
	return len + 4;
}

/* Handshake bytes as records of at most `per` bytes (type 22, 0x0301). */
static inline size_t th_records(const uint8_t *hs, size_t len, size_t per, uint8_t *out)
{
	size_t n = 0;

	for (size_t at = 0; at < len; at += per) {
		size_t k = len - at < per ? len - at : per;

		out[n++] = 22;
		out[n++] = 3;
		out[n++] = 1;
		out[n++] = (uint8_t)(k >> 8);
		out[n++] = (uint8_t)k;
		memcpy(out + n, hs + at, k);
		n += k;
	}
	return n;
}

/* FoxIO's JA4 example ClientHello (JA4 t13d1516h2_8daaf6152771_e5627efa2ab1),
 * with GREASE in ciphers, extensions, groups and versions when `grease`. */
static inline struct th_spec th_foxio(bool grease, const char *sni)
{
	static const uint16_t ciphers_g[] = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
					     0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
					     0x009c, 0x009d, 0x002f, 0x0035};
	static const uint16_t exts_g[] = {0x3a3a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469,
					  0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
					  0x002b, 0xff01, 0x000b, 0x000a, 0x9a9a, 0x0015};
	static const uint16_t exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
					0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
					0xff01, 0x000b, 0x000a, 0x0015};
	static const uint16_t groups_g[] = {0x4a4a, 0x001d, 0x0017, 0x0018};
	static const uint16_t versions_g[] = {0x5a5a, 0x0304, 0x0303};
	static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
					   0x0805, 0x0501, 0x0806, 0x0601};
	static const uint8_t pointfmts[] = {0};
	static const char *const alpn[] = {"h2", "http/1.1"};
	int g = grease ? 0 : 1;

	return (struct th_spec){
		.legacy_version = 0x0303,
		.ciphers = ciphers_g + g,
		.n_ciphers = 16 - (size_t)g,
		.exts = grease ? exts_g : exts,
		.n_exts = grease ? 18 : 16,
		.sni = sni,
		.alpn = alpn,
		.n_alpn = 2,
		.groups = groups_g + g,
		.n_groups = 4 - (size_t)g,
		.pointfmts = pointfmts,
		.n_pointfmts = 1,
		.sigalgs = sigalgs,
		.n_sigalgs = 8,
		.versions = versions_g + g,
		.n_versions = 3 - (size_t)g,
	};
}

#define TH_FOXIO_JA4 "t13d1516h2_8daaf6152771_e5627efa2ab1"
#define TH_FOXIO_JA3                                                                               \
	"771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-"   \
	"51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
#define TH_FOXIO_JA3_HASH "c000e2caf3a25423f9de6c8a4b12a975"

#endif
