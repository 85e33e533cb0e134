/*
 * tls_parser.c - TLS records to hellos, for the tls plugin.
 *
 * Design. tls_dir_feed is a byte-driven state machine over one direction
 * of a TCP stream: a 5-byte record header (which may arrive one byte at a
 * time), the record's payload, and inside handshake records a 4-byte
 * handshake header and the message body, each of which may span records
 * and feed calls. The direction's first handshake message must be a hello
 * (the ClientHello from the client, the ServerHello from the server); a
 * server direction the caller marks `follow` is read on through the rest
 * of its flight to hand out the Certificate message too (messages it does
 * not need are read past without being kept). Once the last wanted
 * message is complete, or once it is clear there is none (a
 * ChangeCipherSpec, encrypted data, ServerHelloDone), the direction ends
 * and every later byte is ignored, so the parser never looks at encrypted
 * data. A body that lies whole inside one input piece is handed out in
 * place; otherwise it is copied into one buffer of exactly its length
 * (at most max_len <= TLS_MAX_HANDSHAKE), allocated once per direction.
 *
 * The hello parsers read through a bounds-checked cursor: every length is
 * checked against what is left before anything is read, every list is
 * bounded by its TLS_MAX_* array, and an inconsistent length is a status,
 * never a crash. Each pass is O(n) in the body length.
 *
 * Invariants: d->status != 0 means the direction ended; d->body is NULL or
 * a buffer of d->hs_len bytes of which d->body_have are filled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_parser.h"

#define TLS_CT_CCS	 20
#define TLS_CT_ALERT	 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPDATA	 23

/* ------------------------------------------------------------ records */

void tls_dir_init(struct tls_dir *d, uint32_t max_len)
{
	memset(d, 0, sizeof(*d));
	d->max_len = max_len && max_len < TLS_MAX_HANDSHAKE ? max_len : TLS_MAX_HANDSHAKE;
}

void tls_dir_free(struct tls_dir *d)
{
	if (!d)
		return;
	free(d->body);
	d->body = NULL;
	d->body_have = 0;
}

bool tls_looks_like_tls(const uint8_t *data, size_t len)
{
	if (len < 1 || data[0] != TLS_CT_HANDSHAKE)
		return false;
	if (len >= 2 && data[1] != 3)
		return false;
	return len < 3 || data[2] <= 4;
}

static int dir_end(struct tls_dir *d, int status)
{
	d->status = (int8_t)status;
	return status;
}

/* Check the record header just read; 0 or a final status. */
static int record_start(struct tls_dir *d)
{
	const uint8_t *h = d->rec_hdr;
	uint32_t len = (uint32_t)h[3] << 8 | h[4];
	bool first = d->records == 0;

	d->rec_have = 0;
	if (d->records < 255)
		d->records++;
	if (h[0] < TLS_CT_CCS || h[0] > TLS_CT_APPDATA || h[1] != 3 || h[2] > 4 ||
	    len > TLS_MAX_RECORD)
		return first ? TLS_FEED_NOT_TLS : TLS_FEED_BAD_RECORD;
	if (h[0] == TLS_CT_APPDATA)
		return d->msgs ? TLS_FEED_DONE : TLS_FEED_OTHER; /* encrypted data */
	d->rec_type = h[0];
	d->rec_left = len;
	return 0;
}

#define TLS_MAX_FOLLOWED 8 /* handshake messages read in one direction */

/* The next message of a followed flight starts. */
static void hs_next(struct tls_dir *d)
{
	d->hs_have = 0;
	d->body_have = 0;
	d->skipping = false;
	free(d->body);
	d->body = NULL;
}

static int deliver(struct tls_dir *d, const uint8_t *body, struct tls_msg *msg)
{
	msg->type = d->hs_hdr[0];
	msg->body = body;
	msg->len = d->hs_len;
	if (d->follow && msg->type == TLS_HS_SERVER_HELLO && d->msgs < TLS_MAX_FOLLOWED) {
		d->hs_have = 0; /* the body stays until the next call (hs_next) */
		d->body_have = 0;
		return TLS_FEED_MSG;
	}
	dir_end(d, TLS_FEED_DONE);
	return TLS_FEED_MSG;
}

/* Which messages a direction takes: its first must be a hello; a
 * followed server flight then gives its Certificate and is read past
 * the rest up to ServerHelloDone. 0, 1 (skip it) or a final status. */
static int hs_wanted(struct tls_dir *d, uint8_t type)
{
	if (d->msgs++ == 0)
		return type == TLS_HS_CLIENT_HELLO || type == TLS_HS_SERVER_HELLO ? 0
										  : TLS_FEED_OTHER;
	if (d->msgs > TLS_MAX_FOLLOWED || type == TLS_HS_HELLO_DONE)
		return TLS_FEED_DONE;
	return type == TLS_HS_CERTIFICATE ? 0 : 1;
}

/* Read the handshake header; 0 when it is complete and a hello, 1 when
 * more bytes are needed, or a final status. */
static int hs_header(struct tls_dir *d, const uint8_t **p, size_t *n)
{
	size_t k = 4 - d->hs_have;
	int rc;

	if (k > *n)
		k = *n;
	memcpy(d->hs_hdr + d->hs_have, *p, k);
	d->hs_have += (uint8_t)k;
	*p += k;
	*n -= k;
	if (d->hs_have < 4)
		return 1;
	d->hs_len = (uint32_t)d->hs_hdr[1] << 16 | (uint32_t)d->hs_hdr[2] << 8 | d->hs_hdr[3];
	rc = hs_wanted(d, d->hs_hdr[0]);
	if (rc < 0)
		return rc;
	d->skipping = rc == 1;
	if (!d->skipping && d->hs_len > d->max_len)
		return TLS_FEED_TOO_LONG;
	return 0;
}

/* Bytes of a message that is read past. */
static size_t hs_skip(struct tls_dir *d, size_t n)
{
	size_t k = d->hs_len - d->body_have;

	if (k > n)
		k = n;
	d->body_have += (uint32_t)k;
	if (d->body_have == d->hs_len)
		hs_next(d);
	return k;
}

/* Handshake payload bytes p[0..n) of the current record; *used says how
 * many were consumed (all of them unless a message is handed out). */
static int hs_feed(struct tls_dir *d, const uint8_t *p, size_t n, struct tls_msg *msg, size_t *used)
{
	const uint8_t *start = p;
	size_t k;

	*used = n;
	if (d->hs_have == 0 && d->body)
		hs_next(d); /* the last message handed out is not needed any more */
	if (d->hs_have < 4) {
		int rc = hs_header(d, &p, &n);

		if (rc)
			return rc > 0 ? 0 : rc;
	}
	if (d->skipping) {
		*used = (size_t)(p - start) + hs_skip(d, n);
		return 0;
	}
	if (d->body_have == 0 && n >= d->hs_len) {
		*used = (size_t)(p - start) + d->hs_len;
		return deliver(d, p, msg); /* whole body here: no copy */
	}
	if (n == 0)
		return 0;
	if (!d->body && !(d->body = malloc(d->hs_len ? d->hs_len : 1)))
		return TLS_FEED_NO_MEMORY;
	k = d->hs_len - d->body_have;
	if (k > n)
		k = n;
	memcpy(d->body + d->body_have, p, k);
	d->body_have += (uint32_t)k;
	*used = (size_t)(p - start) + k;
	return d->body_have == d->hs_len ? deliver(d, d->body, msg) : 0;
}

/* Read (the rest of) a record header; 1 when more bytes are needed. */
static int rec_header(struct tls_dir *d, const uint8_t **data, size_t *len)
{
	size_t k = 5 - d->rec_have;

	if (k > *len)
		k = *len;
	memcpy(d->rec_hdr + d->rec_have, *data, k);
	d->rec_have += (uint8_t)k;
	*data += k;
	*len -= k;
	return d->rec_have < 5 ? 1 : record_start(d);
}

int tls_dir_next(struct tls_dir *d, const uint8_t **data, size_t *len, struct tls_msg *msg)
{
	int rc;

	if (d->status) {
		tls_dir_free(d);
		return TLS_FEED_DONE;
	}
	while (*len > 0) {
		size_t n, used;

		rc = 0;
		if (d->rec_left == 0) {
			rc = rec_header(d, data, len);
			if (rc < 0)
				return dir_end(d, rc);
			continue;
		}
		n = *len < d->rec_left ? *len : d->rec_left;
		used = n;
		if (d->rec_type == TLS_CT_HANDSHAKE) {
			rc = hs_feed(d, *data, n, msg, &used);
			if (rc < 0)
				return dir_end(d, rc);
		} else if (d->msgs) {
			return dir_end(d, TLS_FEED_DONE); /* CCS or an alert after a hello */
		}
		*data += used;
		*len -= used;
		d->rec_left -= (uint32_t)used;
		if (d->rec_type == TLS_CT_HANDSHAKE && rc == TLS_FEED_MSG)
			return rc;
	}
	return TLS_FEED_MORE;
}

int tls_dir_feed(struct tls_dir *d, const uint8_t *data, size_t len, struct tls_msg *msg)
{
	return tls_dir_next(d, &data, &len, msg);
}

/* -------------------------------------------------------------- hellos */

/* A bounds-checked cursor over a body. */
struct rd {
	const uint8_t *p;
	size_t left;
};

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->left < 1)
		return false;
	*v = r->p[0];
	r->p++;
	r->left--;
	return true;
}

static bool rd_u16(struct rd *r, uint16_t *v)
{
	if (r->left < 2)
		return false;
	*v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return true;
}

/* Split off the next n bytes as *sub. */
static bool rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	if (r->left < n)
		return false;
	sub->p = r->p;
	sub->left = n;
	r->p += n;
	r->left -= n;
	return true;
}

/* A vector with a 1- or 2-byte length prefix, as *sub. */
static int rd_vec(struct rd *r, int prefix, struct rd *sub)
{
	uint16_t n;
	uint8_t n8;

	if (prefix == 1) {
		if (!rd_u8(r, &n8))
			return TLS_PARSE_TRUNCATED;
		n = n8;
	} else if (!rd_u16(r, &n)) {
		return TLS_PARSE_TRUNCATED;
	}
	return rd_sub(r, n, sub) ? TLS_PARSE_OK : TLS_PARSE_TRUNCATED;
}

/* A list of 16-bit values with a length prefix that must fill `r`
 * exactly when `whole` is set. */
static int rd_u16_list(struct rd *r, int prefix, bool whole, uint16_t *out, size_t cap, uint16_t *n)
{
	struct rd v;
	int rc = rd_vec(r, prefix, &v);

	if (rc)
		return rc;
	if ((v.left & 1) || (whole && r->left))
		return TLS_PARSE_MALFORMED;
	if (v.left / 2 > cap)
		return TLS_PARSE_LIMIT;
	*n = 0;
	while (v.left)
		rd_u16(&v, &out[(*n)++]);
	return TLS_PARSE_OK;
}

static int ext_sni(struct rd e, struct tls_client_hello *ch)
{
	struct rd list, name;
	int rc = rd_vec(&e, 2, &list);

	if (rc)
		return rc;
	if (e.left)
		return TLS_PARSE_MALFORMED;
	while (list.left) {
		uint8_t type;

		if (!rd_u8(&list, &type))
			return TLS_PARSE_TRUNCATED;
		if ((rc = rd_vec(&list, 2, &name)))
			return rc;
		if (type == 0 && !ch->sni.p)
			ch->sni = (struct tls_span){name.p, (uint16_t)name.left};
	}
	return TLS_PARSE_OK;
}

static int ext_alpn(struct rd e, struct tls_client_hello *ch)
{
	struct rd list, proto;
	int rc = rd_vec(&e, 2, &list);

	if (rc)
		return rc;
	if (e.left)
		return TLS_PARSE_MALFORMED;
	ch->has_alpn = true;
	while (list.left) {
		if ((rc = rd_vec(&list, 1, &proto)))
			return rc;
		if (ch->n_alpn++ == 0)
			ch->alpn_first = (struct tls_span){proto.p, (uint16_t)proto.left};
	}
	return TLS_PARSE_OK;
}

static int ext_pointfmts(struct rd e, struct tls_client_hello *ch)
{
	struct rd v;
	int rc = rd_vec(&e, 1, &v);

	if (rc)
		return rc;
	if (e.left)
		return TLS_PARSE_MALFORMED;
	if (v.left > TLS_MAX_POINTFMTS)
		return TLS_PARSE_LIMIT;
	memcpy(ch->pointfmts, v.p, v.left);
	ch->n_pointfmts = (uint16_t)v.left;
	return TLS_PARSE_OK;
}

/* Decode the extensions the fingerprints use; others are only listed. */
static int client_ext(uint16_t type, struct rd e, struct tls_client_hello *ch)
{
	switch (type) {
	case TLS_EXT_SERVER_NAME:
		ch->has_sni = true;
		return ext_sni(e, ch);
	case TLS_EXT_SUPPORTED_GROUPS:
		return rd_u16_list(&e, 2, true, ch->groups, TLS_MAX_GROUPS, &ch->n_groups);
	case TLS_EXT_EC_POINT_FORMATS:
		return ext_pointfmts(e, ch);
	case TLS_EXT_SIG_ALGS:
		ch->has_sigalgs = true;
		return rd_u16_list(&e, 2, true, ch->sigalgs, TLS_MAX_SIGALGS, &ch->n_sigalgs);
	case TLS_EXT_ALPN:
		return ext_alpn(e, ch);
	case TLS_EXT_SUPPORTED_VERSIONS:
		ch->has_versions = true;
		return rd_u16_list(&e, 1, true, ch->versions, TLS_MAX_VERSIONS, &ch->n_versions);
	default:
		return TLS_PARSE_OK;
	}
}

/* True when extension `type` was already listed (only the first of a
 * repeated extension is decoded). */
static bool ext_seen(const struct tls_client_hello *ch, uint16_t type)
{
	for (uint16_t i = 0; i < ch->n_exts; i++)
		if (ch->exts[i] == type)
			return true;
	return false;
}

/* The extensions block, which must fill the rest of the body. */
static int read_extensions(struct rd *r, struct tls_client_hello *ch)
{
	struct rd block, e;
	int rc = rd_vec(r, 2, &block);

	if (rc)
		return rc;
	if (r->left)
		return TLS_PARSE_MALFORMED;
	while (block.left) {
		uint16_t type;
		bool dup;

		if (!rd_u16(&block, &type))
			return TLS_PARSE_TRUNCATED;
		if ((rc = rd_vec(&block, 2, &e)))
			return rc;
		if (ch->n_exts == TLS_MAX_EXTS)
			return TLS_PARSE_LIMIT;
		dup = ext_seen(ch, type);
		ch->exts[ch->n_exts++] = type;
		if (!dup && (rc = client_ext(type, e, ch)))
			return rc;
	}
	return TLS_PARSE_OK;
}

/* legacy_version, random and session id, common to both hellos. */
static int hello_start(struct rd *r, uint16_t *version)
{
	struct rd skip;
	uint8_t sid;

	if (!rd_u16(r, version) || !rd_sub(r, 32, &skip) || !rd_u8(r, &sid))
		return TLS_PARSE_TRUNCATED;
	if (sid > 32)
		return TLS_PARSE_MALFORMED;
	return rd_sub(r, sid, &skip) ? TLS_PARSE_OK : TLS_PARSE_TRUNCATED;
}

int tls_parse_client_hello(const uint8_t *body, size_t len, struct tls_client_hello *ch)
{
	struct rd r = {body, len}, comp;
	int rc;

	memset(ch, 0, sizeof(*ch));
	if ((rc = hello_start(&r, &ch->legacy_version)))
		return rc;
	if ((rc = rd_u16_list(&r, 2, false, ch->ciphers, TLS_MAX_CIPHERS, &ch->n_ciphers)))
		return rc;
	if ((rc = rd_vec(&r, 1, &comp)))
		return rc;
	if (comp.left == 0)
		return TLS_PARSE_MALFORMED;
	if (r.left == 0)
		return TLS_PARSE_OK; /* no extensions */
	return read_extensions(&r, ch);
}

/* ServerHello extensions: only supported_versions is read. */
static int server_exts(struct rd *r, struct tls_server_hello *sh)
{
	struct rd block, e;
	int rc = rd_vec(r, 2, &block);

	if (rc)
		return rc;
	if (r->left)
		return TLS_PARSE_MALFORMED;
	while (block.left) {
		uint16_t type;

		if (!rd_u16(&block, &type))
			return TLS_PARSE_TRUNCATED;
		if ((rc = rd_vec(&block, 2, &e)))
			return rc;
		if (sh->n_exts < TLS_MAX_EXTS)
			sh->exts[sh->n_exts++] = type;
		if (type != TLS_EXT_SUPPORTED_VERSIONS || sh->has_versions)
			continue;
		if (e.left != 2)
			return TLS_PARSE_MALFORMED;
		rd_u16(&e, &sh->selected_version);
		sh->has_versions = true;
	}
	return TLS_PARSE_OK;
}

int tls_parse_server_hello(const uint8_t *body, size_t len, struct tls_server_hello *sh)
{
	struct rd r = {body, len};
	uint8_t comp;
	int rc;

	memset(sh, 0, sizeof(*sh));
	if ((rc = hello_start(&r, &sh->legacy_version)))
		return rc;
	if (!rd_u16(&r, &sh->cipher) || !rd_u8(&r, &comp))
		return TLS_PARSE_TRUNCATED;
	if (r.left && (rc = server_exts(&r, sh)))
		return rc;
	if (!sh->has_versions)
		sh->selected_version = sh->legacy_version;
	return TLS_PARSE_OK;
}

/* -------------------------------------------------------------- names */

bool tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

const char *tls_version_name(uint16_t v, char buf[8])
{
	switch (v) {
	case 0:
		return "UNDETERMINED";
	case 0x0002:
		return "SSLv2";
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv1";
	case 0x0302:
		return "TLS 1.1";
	case 0x0303:
		return "TLS 1.2";
	case 0x0304:
		return "TLS 1.3";
	default:
		snprintf(buf, 8, "0x%04x", v);
		return buf;
	}
}
