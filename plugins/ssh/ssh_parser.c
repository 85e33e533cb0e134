/*
 * ssh_parser.c - SSH banner and KEXINIT parsing (see ssh_parser.h).
 *
 * The direction reader is a small state machine: LINE (the identification
 * line, or for a server the lines before it, which are skipped without
 * being stored), HDR (the 5 bytes that open a binary packet), BODY (the
 * rest of the first packet, copied into one buffer of exactly its length),
 * END. Packet headers are judged as a receiver judges them (OpenSSH drops
 * the connection on a length below 5 or a padding below 4): what a peer
 * would refuse is SSH_FEED_BAD_PACKET here, never parsed.
 */
#include "ssh_parser.h"

#include <stdlib.h>
#include <string.h>

enum { ST_LINE = 0, ST_SKIP, ST_HDR, ST_BODY, ST_END };

void ssh_dir_init(struct ssh_dir *d, bool server)
{
	memset(d, 0, sizeof(*d));
	d->server = server;
}

void ssh_dir_free(struct ssh_dir *d)
{
	free(d->body);
	d->body = NULL;
	d->body_len = d->body_have = 0;
}

static int end(struct ssh_dir *d, int status)
{
	ssh_dir_free(d);
	d->state = ST_END;
	d->status = (int8_t)status;
	return status;
}

static bool is_banner_start(const uint8_t *p, size_t n)
{
	static const char want[] = "SSH-";

	return memcmp(p, want, n < 4 ? n : 4) == 0;
}

/* A line that is not the banner: a server may send some, a client not. */
static int other_line(struct ssh_dir *d)
{
	if (!d->server || d->pre_lines >= SSH_MAX_PRE_LINES)
		return end(d, SSH_FEED_NOT_SSH);
	d->pre_lines++;
	d->line_len = 0;
	return 0;
}

/* The banner line is complete (LF seen): hand it out without CR LF. */
static int banner_done(struct ssh_dir *d, struct ssh_msg *msg)
{
	size_t n = d->line_len;

	if (n && d->line[n - 1] == '\r')
		n--;
	if (n < 4 || !is_banner_start(d->line, n))
		return other_line(d);
	msg->p = d->line;
	msg->len = n;
	d->state = ST_HDR;
	return SSH_FEED_BANNER;
}

static int feed_line(struct ssh_dir *d, const uint8_t **data, size_t *len, struct ssh_msg *msg)
{
	while (*len) {
		uint8_t c = **data;

		(*data)++;
		(*len)--;
		if (c == '\n')
			return banner_done(d, msg);
		if (d->line_len == SSH_BANNER_MAX)
			return end(d, SSH_FEED_NOT_SSH); /* longer than any banner */
		d->line[d->line_len++] = c;
		if (!is_banner_start(d->line, d->line_len)) {
			int rc = other_line(d);

			if (rc)
				return rc;
			d->state = ST_SKIP;
			return 0;
		}
	}
	return 0;
}

/* Skip a server's pre-banner line up to its LF. */
static void feed_skip(struct ssh_dir *d, const uint8_t **data, size_t *len)
{
	const uint8_t *lf = memchr(*data, '\n', *len);
	size_t n = lf ? (size_t)(lf - *data) + 1 : *len;

	*data += n;
	*len -= n;
	if (lf)
		d->state = ST_LINE;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int feed_hdr(struct ssh_dir *d, const uint8_t **data, size_t *len)
{
	size_t n = sizeof(d->hdr) - d->hdr_len;
	uint32_t plen;

	if (n > *len)
		n = *len;
	memcpy(d->hdr + d->hdr_len, *data, n);
	d->hdr_len = (uint8_t)(d->hdr_len + n);
	*data += n;
	*len -= n;
	if (d->hdr_len < sizeof(d->hdr))
		return 0;
	plen = be32(d->hdr);
	if (plen < 5 || plen > SSH_MAX_PACKET || d->hdr[4] < 4 || (uint32_t)d->hdr[4] + 2 > plen)
		return end(d, SSH_FEED_BAD_PACKET);
	d->body_len = plen - 1;
	if (!(d->body = malloc(d->body_len)))
		return end(d, SSH_FEED_NO_MEMORY);
	d->state = ST_BODY;
	return 0;
}

static int feed_body(struct ssh_dir *d, const uint8_t **data, size_t *len, struct ssh_msg *msg)
{
	size_t n = d->body_len - d->body_have;

	if (n > *len)
		n = *len;
	memcpy(d->body + d->body_have, *data, n);
	d->body_have += (uint32_t)n;
	*data += n;
	*len -= n;
	if (d->body_have < d->body_len)
		return 0;
	if (d->body[0] != SSH_MSG_KEXINIT)
		return end(d, SSH_FEED_OTHER);
	msg->p = d->body;
	msg->len = d->body_len - d->hdr[4];
	d->state = ST_END; /* the body is freed at the next call */
	return SSH_FEED_KEXINIT;
}

int ssh_dir_feed(struct ssh_dir *d, const uint8_t **data, size_t *len, struct ssh_msg *msg)
{
	int rc = 0;

	if (d->status)
		return SSH_FEED_DONE;
	while (*len && rc == 0) {
		switch (d->state) {
		case ST_LINE:
			rc = feed_line(d, data, len, msg);
			break;
		case ST_SKIP:
			feed_skip(d, data, len);
			break;
		case ST_HDR:
			rc = feed_hdr(d, data, len);
			break;
		case ST_BODY:
			rc = feed_body(d, data, len, msg);
			break;
		default:
			end(d, SSH_FEED_DONE);
			return SSH_FEED_DONE;
		}
	}
	return rc;
}

/* -------------------------------------------------------------- messages */

int ssh_parse_banner(const uint8_t *line, size_t len, struct ssh_banner *b)
{
	const uint8_t *dash, *sp;
	size_t at;

	memset(b, 0, sizeof(*b));
	if (len < 4 || memcmp(line, "SSH-", 4) != 0)
		return -1;
	dash = memchr(line + 4, '-', len - 4);
	if (!dash || dash == line + 4)
		return -1;
	b->proto.p = line + 4;
	b->proto.len = (size_t)(dash - b->proto.p);
	at = (size_t)(dash - line) + 1;
	sp = memchr(line + at, ' ', len - at);
	b->software.p = line + at;
	b->software.len = sp ? (size_t)(sp - b->software.p) : len - at;
	if (b->software.len == 0)
		return -1;
	if (sp) {
		b->comments.p = sp + 1;
		b->comments.len = len - (size_t)(sp + 1 - line);
	}
	return 0;
}

int ssh_parse_kexinit(const uint8_t *p, size_t len, struct ssh_kexinit *k)
{
	size_t at = 17; /* message number, 16-byte cookie */

	memset(k, 0, sizeof(*k));
	if (len < at || p[0] != SSH_MSG_KEXINIT)
		return -1;
	for (unsigned i = 0; i < SSH_KEX_LISTS; i++) {
		uint32_t n;

		if (len - at < 4)
			return -1;
		n = be32(p + at);
		at += 4;
		if (n > len - at)
			return -1;
		k->list[i].p = p + at;
		k->list[i].len = n;
		at += n;
	}
	return len - at < 5 ? -1 : 0; /* first_kex_packet_follows, reserved */
}

static const unsigned hassh_lists[2][4] = {
	{SSH_KEX_ALGS, SSH_KEX_ENC_C2S, SSH_KEX_MAC_C2S, SSH_KEX_COMP_C2S},
	{SSH_KEX_ALGS, SSH_KEX_ENC_S2C, SSH_KEX_MAC_S2C, SSH_KEX_COMP_S2C},
};

size_t ssh_hassh_len(const struct ssh_kexinit *k, bool server)
{
	size_t n = 3; /* the separators */

	for (unsigned i = 0; i < 4; i++)
		n += k->list[hassh_lists[server][i]].len;
	return n;
}

size_t ssh_hassh_string(const struct ssh_kexinit *k, bool server, char *out, size_t outlen)
{
	size_t need = ssh_hassh_len(k, server), at = 0;

	if (outlen == 0)
		return need;
	for (unsigned i = 0; i < 4; i++) {
		const struct ssh_span *s = &k->list[hassh_lists[server][i]];
		size_t n;

		if (i && at < outlen - 1)
			out[at++] = ';';
		n = s->len < outlen - 1 - at ? s->len : outlen - 1 - at;
		if (n)
			memcpy(out + at, s->p, n);
		at += n;
	}
	out[at] = '\0';
	return need;
}
