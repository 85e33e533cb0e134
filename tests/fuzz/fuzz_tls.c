/*
 * fuzz_tls.c - the tls plugin's record reassembly and hello parsers
 * (plugins/tls/tls_parser.h), and the JA3/JA4 fingerprints (tls_fp.h) of
 * every ClientHello they accept.
 *
 * Input:
 *   byte 0   bits 0-1: the largest hello accepted: TLS_MAX_HANDSHAKE (0),
 *            64, 512 or 4096 bytes; bit 2: the direction is followed
 *            through the server flight to its Certificate message
 *   byte 1   seeds how the rest is cut into pieces (fuzz_piece)
 *   rest     one direction of a TCP stream, fed to tls_dir_feed piece by
 *            piece; the hello it hands out is parsed as its type says.
 *            The same bytes are then parsed directly as a ClientHello
 *            body and as a ServerHello body.
 *
 * Certificate messages handed out are walked (tls_cert_list) and each
 * certificate read and rendered (tls_cert.h); the same bytes are also read
 * directly as a DER certificate.
 *
 * Checked, as the header promises: the bytes fed in pieces end the same
 * way as fed whole (same final status, same hello); TLS_FEED_MSG comes at
 * most once, with
 * a hello type and a body no longer than the maximum; after a message or
 * an error every feed is TLS_FEED_DONE; spans of a parsed hello lie in its
 * body and list counts within their TLS_MAX_*; a fingerprint's strings
 * have the length and the NUL they are documented with.
 */
#include <string.h>

#include "fuzz.h"
#include "tls_cert.h"
#include "tls_fp.h"
#include "tls_parser.h"

static const uint32_t max_lens[4] = {0, 64, 512, 4096};

static void check_span(struct tls_span s, const uint8_t *body, size_t len)
{
	if (s.len)
		FUZZ_CHECK(fuzz_within(s.p, s.len, body, len));
}

static void fingerprint(const struct tls_client_hello *ch)
{
	char *ja3 = malloc(TLS_JA3_MAX), hash[TLS_JA3_HASH_LEN + 1], ja4[TLS_JA4_LEN + 1];
	size_t n;

	if (!ja3)
		return;
	n = tls_ja3_string(ch, ja3);
	FUZZ_CHECK(n < TLS_JA3_MAX && ja3[n] == '\0' && strlen(ja3) == n);
	tls_ja3_hash(ja3, n, hash);
	FUZZ_CHECK(strlen(hash) == TLS_JA3_HASH_LEN);
	tls_ja4(ch, ja4);
	FUZZ_CHECK(strlen(ja4) == TLS_JA4_LEN);
	free(ja3);
}

static void client_hello(const uint8_t *body, size_t len)
{
	struct tls_client_hello *ch = malloc(sizeof(*ch));
	char vbuf[8];

	if (!ch)
		return;
	if (tls_parse_client_hello(body, len, ch) == TLS_PARSE_OK) {
		if (ch->has_sni)
			check_span(ch->sni, body, len);
		if (ch->has_alpn)
			check_span(ch->alpn_first, body, len);
		FUZZ_CHECK(ch->n_ciphers <= TLS_MAX_CIPHERS && ch->n_exts <= TLS_MAX_EXTS);
		FUZZ_CHECK(ch->n_groups <= TLS_MAX_GROUPS && ch->n_sigalgs <= TLS_MAX_SIGALGS);
		FUZZ_CHECK(ch->n_pointfmts <= TLS_MAX_POINTFMTS);
		FUZZ_CHECK(ch->n_versions <= TLS_MAX_VERSIONS);
		FUZZ_CHECK(tls_version_name(ch->legacy_version, vbuf) != NULL);
		fingerprint(ch);
	}
	free(ch);
}

/* Read and render a DER certificate; spans stay inside it. */
static void certificate(const uint8_t *der, size_t len)
{
	struct tls_cert_info ci;
	char text[256], t[20], fp[60];

	if (tls_cert_parse(der, len, &ci) < 0)
		return;
	FUZZ_CHECK(fuzz_within(ci.subject.p, ci.subject.len, der, len));
	FUZZ_CHECK(fuzz_within(ci.serial.p, ci.serial.len, der, len));
	FUZZ_CHECK(tls_cert_name_text(ci.subject, text, sizeof(text)) < sizeof(text));
	FUZZ_CHECK(tls_cert_name_text(ci.issuer, text, sizeof(text)) >=
		   strlen(text)); /* NULs may be in values */
	FUZZ_CHECK(tls_cert_serial_text(ci.serial, text, sizeof(text)) < sizeof(text));
	if (tls_cert_time_text(ci.not_before_tag, ci.not_before, t))
		FUZZ_CHECK(strlen(t) == 19);
	tls_cert_fingerprint(der, len, fp);
	FUZZ_CHECK(strlen(fp) == 59);
}

static void certificates(const uint8_t *body, size_t len)
{
	struct tls_der chain[TLS_CERT_MAX];
	int n = tls_cert_list(body, len, chain, TLS_CERT_MAX);

	FUZZ_CHECK(n <= TLS_CERT_MAX);
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(fuzz_within(chain[i].p, chain[i].len, body, len));
		certificate(chain[i].p, chain[i].len);
	}
}

static void server_hello(const uint8_t *body, size_t len)
{
	struct tls_server_hello sh;
	char vbuf[8];

	if (tls_parse_server_hello(body, len, &sh) == TLS_PARSE_OK)
		FUZZ_CHECK(tls_version_name(sh.selected_version, vbuf) != NULL);
}

/* Feed the direction in pieces cut by `split` (0: in one piece) and parse
 * what it hands out; a digest of the outcome (the first final status, the
 * hello's type and bytes). */
static uint64_t feed(const uint8_t *data, size_t len, uint32_t max_len, uint64_t split)
{
	uint64_t digest = FUZZ_HASH_INIT;
	struct tls_dir d;
	struct tls_msg msg;
	bool ended = false;

	tls_dir_init(&d, max_len);
	for (size_t at = 0; at < len;) {
		size_t n = split ? fuzz_piece(&split, len - at) : len;
		int rc = tls_dir_feed(&d, data + at, n, &msg);

		FUZZ_CHECK(rc >= TLS_FEED_NO_MEMORY && rc <= TLS_FEED_MSG);
		if (ended)
			FUZZ_CHECK(rc == TLS_FEED_DONE);
		if (!ended && rc != TLS_FEED_MORE)
			digest = fuzz_hash_u64(digest, (uint64_t)(rc + 16));
		if (rc < 0 || rc == TLS_FEED_MSG)
			ended = true;
		if (rc == TLS_FEED_MSG) {
			FUZZ_CHECK(msg.type == TLS_HS_CLIENT_HELLO ||
				   msg.type == TLS_HS_SERVER_HELLO);
			FUZZ_CHECK(msg.len <= (max_len ? max_len : TLS_MAX_HANDSHAKE));
			digest = fuzz_hash(fuzz_hash_u64(digest, msg.type), msg.body, msg.len);
			if (msg.type == TLS_HS_CLIENT_HELLO)
				client_hello(msg.body, msg.len);
			else
				server_hello(msg.body, msg.len);
		}
		at += n;
	}
	tls_dir_free(&d);
	return digest;
}

/* A followed server direction through tls_dir_next: every message it
 * hands out (a ServerHello first, then at most a Certificate), digested;
 * the first final status too. */
static uint64_t feed_follow(const uint8_t *data, size_t len, uint32_t max_len, uint64_t split)
{
	uint64_t digest = FUZZ_HASH_INIT;
	struct tls_dir d;
	unsigned msgs = 0;
	bool ended = false;

	tls_dir_init(&d, max_len);
	d.follow = true;
	for (size_t at = 0; at < len;) {
		size_t n = split ? fuzz_piece(&split, len - at) : len - at;
		const uint8_t *p = data + at;
		size_t left = n;
		struct tls_msg msg;
		int rc;

		while ((rc = tls_dir_next(&d, &p, &left, &msg)) == TLS_FEED_MSG) {
			FUZZ_CHECK(!ended && ++msgs <= 2);
			FUZZ_CHECK(msgs == 1 ? (msg.type == TLS_HS_CLIENT_HELLO ||
						msg.type == TLS_HS_SERVER_HELLO)
					     : msg.type == TLS_HS_CERTIFICATE);
			digest = fuzz_hash(fuzz_hash_u64(digest, msg.type), msg.body, msg.len);
			if (msg.type == TLS_HS_CERTIFICATE)
				certificates(msg.body, msg.len);
		}
		FUZZ_CHECK(rc >= TLS_FEED_NO_MEMORY && rc <= TLS_FEED_MORE);
		if (rc == TLS_FEED_MORE)
			FUZZ_CHECK(left == 0);
		if (rc < 0 && !ended) {
			ended = true;
			if (rc != TLS_FEED_DONE)
				digest = fuzz_hash_u64(digest, (uint64_t)(rc + 16));
		}
		at += n;
	}
	tls_dir_free(&d);
	return digest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	uint8_t mode;
	uint32_t max_len;
	uint64_t split;
	const uint8_t *rest;
	size_t len;

	fuzz_in_init(&in, data, size);
	mode = fuzz_u8(&in);
	max_len = max_lens[mode & 3];
	split = fuzz_u8(&in);
	rest = fuzz_bytes(&in, size, &len);
	if (len)
		(void)tls_looks_like_tls(rest, len);
	FUZZ_CHECK(feed(rest, len, max_len, split | 0x100) == feed(rest, len, max_len, 0));
	if (mode & 4)
		FUZZ_CHECK(feed_follow(rest, len, max_len, split | 0x100) ==
			   feed_follow(rest, len, max_len, 0));
	certificate(rest, len);
	client_hello(rest, len);
	server_hello(rest, len);
	return 0;
}
