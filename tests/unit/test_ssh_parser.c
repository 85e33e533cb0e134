/*
 * test_ssh_parser.c - the ssh plugin's parser: banners split as Suricata
 * and RFC 4253 split them, a direction fed in pieces of every size (one
 * byte at a time included) giving the same banner and KEXINIT, a server's
 * lines before its banner, and every way a direction ends early (a client
 * line that is not SSH, a banner longer than 255 bytes, packet lengths and
 * paddings a receiver refuses, a first packet that is not a KEXINIT, a
 * KEXINIT whose lists run past its end); HASSH strings and hashes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/digest.h"
#include "ssh/ssh_parser.h"

static bool span_is(struct ssh_span s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

Test(ssh_parser, banner_fields)
{
	static const char line[] = "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13";
	struct ssh_banner b;

	cr_assert_eq(ssh_parse_banner((const uint8_t *)line, strlen(line), &b), 0);
	cr_expect(span_is(b.proto, "2.0"));
	cr_expect(span_is(b.software, "OpenSSH_9.6p1"));
	cr_expect(span_is(b.comments, "Ubuntu-3ubuntu13"));

	cr_assert_eq(ssh_parse_banner((const uint8_t *)"SSH-1.99-Cisco-1.25", 19, &b), 0);
	cr_expect(span_is(b.proto, "1.99"));
	cr_expect(span_is(b.software, "Cisco-1.25"), "software runs to the space or the end");
	cr_expect_eq(b.comments.len, 0);
}

Test(ssh_parser, banners_that_are_not)
{
	static const char *const bad[] = {"SSH-",	"SSH-2.0",   "SSH--x",		"SSH-2.0-",
					  "SSH-2.0- x", "ssh-2.0-x", "HTTP/1.1 200 OK", "SS"};
	struct ssh_banner b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(ssh_parse_banner((const uint8_t *)bad[i], strlen(bad[i]), &b), -1,
			     "'%s'", bad[i]);
}

/* A name-list: uint32 length and the names. */
static size_t put_list(uint8_t *out, const char *s)
{
	size_t n = strlen(s);

	out[0] = (uint8_t)(n >> 24);
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	memcpy(out + 4, s, n);
	return 4 + n;
}

static const char *const lists[SSH_KEX_LISTS] = {
	"curve25519-sha256,diffie-hellman-group14-sha256",
	"ssh-ed25519,rsa-sha2-512",
	"chacha20-poly1305@openssh.com,aes128-ctr",
	"aes256-gcm@openssh.com,aes128-ctr",
	"umac-64-etm@openssh.com,hmac-sha2-256",
	"hmac-sha2-512",
	"none,zlib@openssh.com",
	"none",
	"",
	"",
};

/* A KEXINIT binary packet (length, padding length, payload, padding). */
static size_t kexinit_packet(uint8_t *out, uint8_t msg_type, uint8_t padding)
{
	size_t at = 5, plen;

	out[at++] = msg_type;
	memset(out + at, 0xc0, 16); /* cookie */
	at += 16;
	for (unsigned i = 0; i < SSH_KEX_LISTS; i++)
		at += put_list(out + at, lists[i]);
	memset(out + at, 0, 5); /* first_kex_packet_follows, reserved */
	at += 5;
	memset(out + at, 0xaa, padding);
	at += padding;
	plen = at - 4;
	out[0] = (uint8_t)(plen >> 24);
	out[1] = (uint8_t)(plen >> 16);
	out[2] = (uint8_t)(plen >> 8);
	out[3] = (uint8_t)plen;
	out[4] = padding;
	return at;
}

static uint8_t wire[4096];

/* A client stream: banner line then KEXINIT then encrypted-looking bytes. */
static size_t client_stream(void)
{
	static const char banner[] = "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3\r\n";
	size_t n = strlen(banner);

	memcpy(wire, banner, n);
	n += kexinit_packet(wire + n, SSH_MSG_KEXINIT, 6);
	memset(wire + n, 0x5a, 64);
	return n + 64;
}

struct seen {
	int banners, kexinits, end;
	char banner[SSH_BANNER_MAX + 1];
	struct ssh_kexinit k;
	char hassh[1024];
};

/* Feed `len` bytes in pieces of `piece`; collect what comes out. */
static void feed_all(struct ssh_dir *d, const uint8_t *p, size_t len, size_t piece, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t at = 0; at < len; at += piece) {
		const uint8_t *data = p + at;
		size_t n = len - at < piece ? len - at : piece;
		struct ssh_msg msg;
		int rc;

		while ((rc = ssh_dir_feed(d, &data, &n, &msg)) > 0) {
			if (rc == SSH_FEED_BANNER) {
				s->banners++;
				memcpy(s->banner, msg.p, msg.len);
				s->banner[msg.len] = '\0';
			} else {
				s->kexinits++;
				cr_assert_eq(ssh_parse_kexinit(msg.p, msg.len, &s->k), 0);
				ssh_hassh_string(&s->k, d->server, s->hassh, sizeof(s->hassh));
			}
		}
		if (rc < 0 && !s->end)
			s->end = rc;
	}
}

Test(ssh_parser, pieces_of_every_size_give_the_same_result)
{
	size_t len = client_stream();

	for (size_t piece = 1; piece <= len; piece++) {
		struct ssh_dir d;
		struct seen s;

		ssh_dir_init(&d, false);
		feed_all(&d, wire, len, piece, &s);
		cr_assert_eq(s.banners, 1, "piece %zu", piece);
		cr_assert_str_eq(s.banner, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3", "CR LF left out");
		cr_assert_eq(s.kexinits, 1, "piece %zu", piece);
		cr_assert_str_eq(s.hassh,
				 "curve25519-sha256,diffie-hellman-group14-sha256;"
				 "chacha20-poly1305@openssh.com,aes128-ctr;"
				 "umac-64-etm@openssh.com,hmac-sha2-256;none,zlib@openssh.com");
		cr_assert_eq(s.end, SSH_FEED_DONE, "the rest is not read (piece %zu)", piece);
		cr_assert_null(d.body, "the packet buffer is freed after the KEXINIT");
		ssh_dir_free(&d);
	}
}

Test(ssh_parser, server_lines_before_the_banner_and_bare_lf)
{
	static const char pre[] = "Welcome\r\nno SSH here\nSSH-2.0-dropbear_2022.83\n";
	size_t n = strlen(pre);
	struct ssh_dir d;
	struct seen s;

	memcpy(wire, pre, n);
	n += kexinit_packet(wire + n, SSH_MSG_KEXINIT, 4);
	ssh_dir_init(&d, true);
	feed_all(&d, wire, n, 3, &s);
	cr_expect_eq(s.banners, 1);
	cr_expect_str_eq(s.banner, "SSH-2.0-dropbear_2022.83");
	cr_expect_eq(s.kexinits, 1);
	cr_expect_str_eq(s.hassh,
			 "curve25519-sha256,diffie-hellman-group14-sha256;"
			 "aes256-gcm@openssh.com,aes128-ctr;hmac-sha2-512;none",
			 "HASSHServer takes the server-to-client lists");
	ssh_dir_free(&d);

	ssh_dir_init(&d, false);
	feed_all(&d, wire, n, 7, &s);
	cr_expect_eq(s.banners, 0, "a client sends no lines before its banner");
	cr_expect_eq(s.end, SSH_FEED_NOT_SSH);
	ssh_dir_free(&d);
}

Test(ssh_parser, too_many_lines_or_a_long_banner_end_the_direction)
{
	struct ssh_dir d;
	struct seen s;
	size_t n = 0;

	for (int i = 0; i <= SSH_MAX_PRE_LINES; i++)
		n += (size_t)sprintf((char *)wire + n, "line %d\n", i);
	ssh_dir_init(&d, true);
	feed_all(&d, wire, n, n, &s);
	cr_expect_eq(s.end, SSH_FEED_NOT_SSH);
	ssh_dir_free(&d);

	memcpy(wire, "SSH-2.0-", 8);
	memset(wire + 8, 'x', 300);
	wire[308] = '\n';
	ssh_dir_init(&d, false);
	feed_all(&d, wire, 309, 50, &s);
	cr_expect_eq(s.banners, 0);
	cr_expect_eq(s.end, SSH_FEED_NOT_SSH, "longer than RFC 4253's 255 bytes");
	ssh_dir_free(&d);
}

/* The client banner followed by a packet with header `hdr`. */
static int end_after_header(const uint8_t hdr[5])
{
	struct ssh_dir d;
	struct seen s;

	memcpy(wire, "SSH-2.0-x\n", 10);
	memcpy(wire + 10, hdr, 5);
	memset(wire + 15, 0, 64);
	ssh_dir_init(&d, false);
	feed_all(&d, wire, 79, 79, &s);
	ssh_dir_free(&d);
	return s.end;
}

Test(ssh_parser, packet_headers_a_receiver_refuses)
{
	static const uint8_t too_short[5] = {0, 0, 0, 4, 4};
	static const uint8_t too_long[5] = {0, 0, 0x88, 0xb9, 4}; /* 35001 */
	static const uint8_t small_pad[5] = {0, 0, 0, 40, 3};
	static const uint8_t pad_fills[5] = {0, 0, 0, 40, 39};
	static const uint8_t max_len[5] = {0, 0, 0x88, 0xb8, 4}; /* 35000 */

	cr_expect_eq(end_after_header(too_short), SSH_FEED_BAD_PACKET);
	cr_expect_eq(end_after_header(too_long), SSH_FEED_BAD_PACKET);
	cr_expect_eq(end_after_header(small_pad), SSH_FEED_BAD_PACKET);
	cr_expect_eq(end_after_header(pad_fills), SSH_FEED_BAD_PACKET, "no room for a payload");
	cr_expect_eq(end_after_header(max_len), 0, "35000 bytes are read (more data needed)");
}

Test(ssh_parser, first_packet_not_kexinit)
{
	struct ssh_dir d;
	struct seen s;
	size_t n;

	memcpy(wire, "SSH-2.0-x\r\n", 11);
	n = 11 + kexinit_packet(wire + 11, 21, 4);
	ssh_dir_init(&d, false);
	feed_all(&d, wire, n, n, &s);
	cr_expect_eq(s.banners, 1);
	cr_expect_eq(s.kexinits, 0);
	cr_expect_eq(s.end, SSH_FEED_OTHER);
	cr_expect_null(d.body);
	ssh_dir_free(&d);
}

Test(ssh_parser, kexinit_cut_anywhere_is_refused)
{
	size_t n = kexinit_packet(wire, SSH_MSG_KEXINIT, 4);
	size_t payload = n - 5 - 4;
	struct ssh_kexinit k;

	cr_assert_eq(ssh_parse_kexinit(wire + 5, payload, &k), 0);
	cr_expect(span_is(k.list[SSH_KEX_HOSTKEY], "ssh-ed25519,rsa-sha2-512"));
	cr_expect_eq(k.list[SSH_KEX_LANG_S2C].len, 0);
	for (size_t cut = 0; cut < payload; cut++)
		cr_expect_eq(ssh_parse_kexinit(wire + 5, cut, &k), -1, "cut at %zu", cut);
	wire[5 + 17 + 3] = 0xff; /* first list claims more than there is */
	cr_expect_eq(ssh_parse_kexinit(wire + 5, payload, &k), -1);
}

Test(ssh_parser, hassh_hash_and_a_short_output_buffer)
{
	size_t n = kexinit_packet(wire, SSH_MSG_KEXINIT, 4);
	struct ssh_kexinit k;
	struct digest_md5 c;
	uint8_t d[16];
	char s[1024], hex[33], small[10];

	cr_assert_eq(ssh_parse_kexinit(wire + 5, n - 9, &k), 0);
	cr_assert_eq(ssh_hassh_string(&k, false, s, sizeof(s)), strlen(s));
	cr_assert_eq(ssh_hassh_len(&k, false), strlen(s));
	digest_md5_init(&c);
	digest_md5_update(&c, s, strlen(s));
	digest_md5_final(&c, d);
	digest_hex(d, 16, hex);
	/* md5 of the string above, computed independently (Python hashlib) */
	cr_expect_str_eq(hex, "fc696bd4cd7984941d0ef79b47aca33a");
	cr_expect_eq(ssh_hassh_string(&k, false, small, sizeof(small)), strlen(s));
	cr_expect_str_eq(small, "curve2551", "cut to the buffer, NUL-terminated");
}
