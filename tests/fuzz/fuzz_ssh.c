/*
 * fuzz_ssh.c - the ssh plugin's direction reader, banner and KEXINIT
 * parsers and HASSH strings (plugins/ssh/ssh_parser.h).
 *
 * Input:
 *   byte 0   bit 0: the direction is the server's (lines before the banner
 *            allowed)
 *   byte 1   seeds how the rest is cut into pieces (fuzz_piece)
 *   rest     one direction of a TCP stream, fed to ssh_dir_feed piece by
 *            piece; the banner and KEXINIT it hands out are parsed. The
 *            same bytes are then parsed directly as a banner and as a
 *            KEXINIT payload.
 *
 * Checked, as the header promises: the bytes fed in pieces end the same
 * way as fed whole (same events, same bytes, same final status); a banner
 * comes at most once, before any KEXINIT, no longer than SSH_BANNER_MAX;
 * a KEXINIT at most once, no longer than SSH_MAX_PACKET; after a negative
 * status every feed is SSH_FEED_DONE; parsed spans lie in their input; a
 * HASSH string has the length ssh_hassh_len says.
 */
#include <string.h>

#include "fuzz.h"
#include "ssh_parser.h"

static void check_span(struct ssh_span s, const uint8_t *p, size_t len)
{
	if (s.len)
		FUZZ_CHECK(fuzz_within(s.p, s.len, p, len));
}

static void banner(const uint8_t *p, size_t len)
{
	struct ssh_banner b;

	if (ssh_parse_banner(p, len, &b) == 0) {
		FUZZ_CHECK(b.proto.len > 0 && b.software.len > 0);
		check_span(b.proto, p, len);
		check_span(b.software, p, len);
		check_span(b.comments, p, len);
	}
}

static void kexinit(const uint8_t *p, size_t len)
{
	struct ssh_kexinit k;

	if (ssh_parse_kexinit(p, len, &k) < 0)
		return;
	for (unsigned i = 0; i < SSH_KEX_LISTS; i++)
		check_span(k.list[i], p, len);
	for (int server = 0; server < 2; server++) {
		size_t n = ssh_hassh_len(&k, server);
		char *s = malloc(n + 1);

		if (!s)
			return;
		FUZZ_CHECK(ssh_hassh_string(&k, server, s, n + 1) == n && strlen(s) <= n);
		free(s);
	}
}

/* Feed in pieces cut by `split` (0: in one piece); a digest of the
 * outcome (events, their bytes, the first final status). */
static uint64_t feed(const uint8_t *data, size_t len, bool server, uint64_t split)
{
	uint64_t digest = FUZZ_HASH_INIT;
	int banners = 0, kexinits = 0;
	bool ended = false;
	struct ssh_dir d;

	ssh_dir_init(&d, server);
	for (size_t at = 0; at < len;) {
		size_t n = split ? fuzz_piece(&split, len - at) : len - at;
		const uint8_t *p = data + at;
		size_t left = n;
		struct ssh_msg msg;
		int rc;

		while ((rc = ssh_dir_feed(&d, &p, &left, &msg)) > 0) {
			FUZZ_CHECK(!ended);
			digest = fuzz_hash(fuzz_hash_u64(digest, (uint64_t)rc), msg.p, msg.len);
			if (rc == SSH_FEED_BANNER) {
				FUZZ_CHECK(++banners == 1 && kexinits == 0);
				FUZZ_CHECK(msg.len <= SSH_BANNER_MAX);
				banner(msg.p, msg.len);
			} else {
				FUZZ_CHECK(++kexinits == 1 && banners == 1);
				FUZZ_CHECK(msg.len < SSH_MAX_PACKET);
				kexinit(msg.p, msg.len);
			}
		}
		FUZZ_CHECK(rc >= SSH_FEED_NO_MEMORY);
		if (ended)
			FUZZ_CHECK(rc == SSH_FEED_DONE);
		if (rc < 0 && !ended) {
			ended = true;
			if (rc != SSH_FEED_DONE) /* DONE after a KEXINIT comes with the next byte */
				digest = fuzz_hash_u64(digest, (uint64_t)(rc + 16));
		}
		if (rc == 0)
			FUZZ_CHECK(left == 0);
		at += n;
	}
	ssh_dir_free(&d);
	return digest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	bool server;
	uint64_t split;
	const uint8_t *rest;
	size_t len;

	fuzz_in_init(&in, data, size);
	server = fuzz_u8(&in) & 1;
	split = fuzz_u8(&in);
	rest = fuzz_bytes(&in, size, &len);
	FUZZ_CHECK(feed(rest, len, server, split | 0x100) == feed(rest, len, server, 0));
	banner(rest, len);
	kexinit(rest, len);
	return 0;
}
