/*
 * rules_suricata_kw.c - the option keywords of Suricata/Snort rules (see
 * rules_suricata.c for the whole parser and docs/suricata-rules.md for
 * what maps where).
 *
 * Design: one handler per keyword (the `keywords[]` table), called in the
 * rule's option order with the option's name and value; handlers add
 * patterns (content, pcre, payload keywords) in order, apply modifiers to
 * the last content, track the sticky buffer, and add rule-level keys.
 * Buffers: sticky buffers (`http.uri;`) set the buffer of the patterns
 * that follow; legacy modifiers (`content:"x"; http_uri;`) set the buffer
 * of the content before them. Snort 3 spells sticky buffers like Snort 2's
 * modifiers (`http_uri; content:"x";`): a rule that has `service:`, or
 * whose first buffer keyword comes before its first content, is read the
 * Snort 3 way. A keyword with no equivalent refuses the rule through
 * suri_refuse, naming the keyword. Main thread only.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rule_event.h"
#include "detect/rule_keys.h"
#include "detect/rules_suricata_conf.h"
#include "detect/rules_suricata_int.h"

/* --------------------------------------------------------------- buffers */

enum { BUF_STICKY = 1, BUF_LEGACY = 2 };

/* Suricata and Snort spellings -> the buffer names the plugins declare
 * (docs/suricata-rules.md). A NULL target is the packet payload. */
static const struct bufname {
	const char *name, *target;
	int kind;
} buf_names[] = {
	{"pkt_data", NULL, BUF_STICKY},
	{"raw_data", NULL, BUF_STICKY},
	{"http_uri", "http.uri", BUF_LEGACY},
	{"http.uri", "http.uri", BUF_STICKY},
	{"http_raw_uri", "http.uri.raw", BUF_LEGACY},
	{"http.uri.raw", "http.uri.raw", BUF_STICKY},
	{"http_method", "http.method", BUF_LEGACY},
	{"http.method", "http.method", BUF_STICKY},
	{"http_host", "http.host", BUF_LEGACY},
	{"http.host", "http.host", BUF_STICKY},
	{"http_raw_host", "http.host.raw", BUF_LEGACY},
	{"http.host.raw", "http.host.raw", BUF_STICKY},
	{"http_user_agent", "http.user_agent", BUF_LEGACY},
	{"http.user_agent", "http.user_agent", BUF_STICKY},
	{"http_header", "http.header", BUF_LEGACY},
	{"http.header", "http.header", BUF_STICKY},
	{"http_raw_header", "http.header.raw", BUF_LEGACY},
	{"http.header.raw", "http.header.raw", BUF_STICKY},
	{"http_cookie", "http.cookie", BUF_LEGACY},
	{"http.cookie", "http.cookie", BUF_STICKY},
	{"http_raw_cookie", "http.cookie", BUF_STICKY},
	{"http_client_body", "http.request_body", BUF_LEGACY},
	{"http.client_body", "http.request_body", BUF_STICKY},
	{"http.request_body", "http.request_body", BUF_STICKY},
	{"http_server_body", "http.response_body", BUF_LEGACY},
	{"http.server_body", "http.response_body", BUF_STICKY},
	{"http.response_body", "http.response_body", BUF_STICKY},
	{"file_data", "file.data", BUF_STICKY}, /* see file_data_buffer() */
	{"file.data", "file.data", BUF_STICKY},
	{"http_stat_code", "http.status", BUF_LEGACY},
	{"http.stat_code", "http.status", BUF_STICKY},
	{"http_stat_msg", "http.stat_msg", BUF_LEGACY},
	{"http.stat_msg", "http.stat_msg", BUF_STICKY},
	{"http_version", "http.protocol", BUF_STICKY},
	{"http.protocol", "http.protocol", BUF_STICKY},
	{"http_protocol", "http.protocol", BUF_STICKY},
	{"http.request_line", "http.request_line", BUF_STICKY},
	{"http_request_line", "http.request_line", BUF_STICKY},
	{"http.response_line", "http.response_line", BUF_STICKY},
	{"http_response_line", "http.response_line", BUF_STICKY},
	{"http.start", "http.start", BUF_STICKY},
	{"http_start", "http.start", BUF_STICKY},
	{"http.header_names", "http.header_names", BUF_STICKY},
	{"http_header_names", "http.header_names", BUF_STICKY},
	{"http.referer", "http.referer", BUF_STICKY},
	{"http_referer", "http.referer", BUF_STICKY},
	{"http.accept", "http.accept", BUF_STICKY},
	{"http_accept", "http.accept", BUF_STICKY},
	{"http.accept_lang", "http.accept_lang", BUF_STICKY},
	{"http_accept_lang", "http.accept_lang", BUF_STICKY},
	{"http.accept_enc", "http.accept_enc", BUF_STICKY},
	{"http_accept_enc", "http.accept_enc", BUF_STICKY},
	{"http.connection", "http.connection", BUF_STICKY},
	{"http_connection", "http.connection", BUF_STICKY},
	{"http.content_type", "http.content_type", BUF_STICKY},
	{"http_content_type", "http.content_type", BUF_STICKY},
	{"http.content_len", "http.content_len", BUF_STICKY},
	{"http_content_len", "http.content_len", BUF_STICKY},
	{"http.location", "http.location", BUF_STICKY},
	{"http.server", "http.server", BUF_STICKY},
	{"http.request_header", "http.request_header", BUF_STICKY},
	{"http.response_header", "http.response_header", BUF_STICKY},
	{"dns.query", "dns.query", BUF_STICKY},
	{"dns_query", "dns.query", BUF_STICKY},
	{"dns.answer.name", "dns.answer.name", BUF_STICKY},
	{"dns.answers.rrname", "dns.answer.name", BUF_STICKY},
	{"dns.queries.rrname", "dns.queries.rrname", BUF_STICKY},
	{"dns.query.name", "dns.query", BUF_STICKY},
	{"tls.sni", "tls.sni", BUF_STICKY},
	{"tls_sni", "tls.sni", BUF_STICKY},
	{"tls.cert_subject", "tls.cert_subject", BUF_STICKY},
	{"tls_cert_subject", "tls.cert_subject", BUF_STICKY},
	{"tls.cert_issuer", "tls.cert_issuer", BUF_STICKY},
	{"tls_cert_issuer", "tls.cert_issuer", BUF_STICKY},
	{"tls.cert_serial", "tls.cert_serial", BUF_STICKY},
	{"tls_cert_serial", "tls.cert_serial", BUF_STICKY},
	{"tls.cert_fingerprint", "tls.cert_fingerprint", BUF_STICKY},
	{"tls_cert_fingerprint", "tls.cert_fingerprint", BUF_STICKY},
	{"tls.certs", "tls.certs", BUF_STICKY},
	{"ja3.hash", "tls.ja3", BUF_STICKY},
	{"ja3_hash", "tls.ja3", BUF_STICKY},
	{"ja3.string", "tls.ja3_string", BUF_STICKY},
	{"ja3_string", "tls.ja3_string", BUF_STICKY},
	{"ja3s.hash", "tls.ja3s", BUF_STICKY},
	{"ja3s_hash", "tls.ja3s", BUF_STICKY},
	{"ja3s.string", "tls.ja3s_string", BUF_STICKY},
	{"ja3s_string", "tls.ja3s_string", BUF_STICKY},
	{"ja4.hash", "tls.ja4", BUF_STICKY},
	{"ssh.proto", "ssh.proto", BUF_STICKY},
	{"ssh_proto", "ssh.proto", BUF_STICKY},
	{"ssh.software", "ssh.software", BUF_STICKY},
	{"ssh_software", "ssh.software", BUF_STICKY},
	{"ssh.hassh", "ssh.hassh", BUF_STICKY},
	{"ssh.hassh.server", "ssh.hassh.server", BUF_STICKY},
	{"ssh.hassh.string", "ssh.hassh.string", BUF_STICKY},
	{"ssh.hassh.server.string", "ssh.hassh.server.string", BUF_STICKY},
	{"smb.named_pipe", "smb.named_pipe", BUF_STICKY},
	{"smb.share", "smb.share", BUF_STICKY},
};

static const struct bufname *buf_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(buf_names) / sizeof(buf_names[0]); i++)
		if (buf_names[i].name[0] == name[0] && strcmp(buf_names[i].name, name) == 0)
			return &buf_names[i];
	return NULL;
}

/* pcre buffer flags -> buffers (Suricata's meaning of each letter). */
static const char *pcre_flag_buffer(char c)
{
	switch (c) {
	case 'U':
		return "http.uri";
	case 'I':
		return "http.uri.raw";
	case 'H':
		return "http.header";
	case 'D':
		return "http.header.raw";
	case 'M':
		return "http.method";
	case 'C':
		return "http.cookie";
	case 'P':
		return "http.request_body";
	case 'Q':
		return "http.response_body";
	case 'S':
		return "http.status";
	case 'Y':
		return "http.stat_msg";
	case 'V':
		return "http.user_agent";
	case 'W':
		return "http.host";
	case 'Z':
		return "http.host.raw";
	}
	return NULL;
}

/* The protocol a buffer belongs to ("http" for "http.uri"), in `out`. */
void suri_buf_proto(const char *buf, char *out, size_t size)
{
	size_t n = strcspn(buf, ".");

	if (n >= size)
		n = size - 1;
	memcpy(out, buf, n);
	out[n] = '\0';
}

/* -------------------------------------------------------------- content */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode the quoted content at v[*i] (the opening quote): '\' escapes
 * ';', '"', '\' and ':'; |..| holds hex pairs. On return *i is just after
 * the closing quote. `out` has room for strlen(v) bytes. */
static int content_decode(struct srule *r, const struct sopt *o, size_t *i, uint8_t *out, size_t *n)
{
	const char *v = o->val;
	bool hex = false;
	int hi = -1;

	*n = 0;
	for ((*i)++; v[*i]; (*i)++) {
		unsigned char c = (unsigned char)v[*i];
		size_t off = o->val_off + *i;

		if (hex) {
			if (c == '|') {
				if (hi >= 0)
					return suri_refuse(r, off, o->name,
							   "odd number of hex digits");
				hex = false;
			} else if (c == ' ' || c == '\t') {
				if (hi >= 0)
					return suri_refuse(r, off, o->name,
							   "hex digits go in pairs");
			} else if (hexval(c) < 0) {
				return suri_refuse(r, off, o->name, "'%c' is not a hex digit", c);
			} else if (hi < 0) {
				hi = hexval(c);
			} else {
				out[(*n)++] = (uint8_t)(hi << 4 | hexval(c));
				hi = -1;
			}
			continue;
		}
		if (c == '"') {
			(*i)++;
			return *n ? 0 : suri_refuse(r, off, o->name, "empty content");
		}
		if (c == '|') {
			hex = true;
		} else if (c == '\\') {
			c = (unsigned char)v[++*i];
			if (c != ';' && c != '"' && c != '\\' && c != ':')
				return suri_refuse(r, off, o->name,
						   "invalid escape '\\%c' (only \\; \\\" \\\\ \\: "
						   "are allowed)",
						   c ? c : ' ');
			out[(*n)++] = c;
		} else if (c == ';') {
			return suri_refuse(r, off, o->name, "';' must be escaped as \\;");
		} else {
			out[(*n)++] = c;
		}
	}
	return suri_refuse(r, o->val_off, o->name,
			   hex ? "unterminated |hex|" : "missing closing quote");
}

/* Printable ASCII becomes `content`, anything else `hex` pairs; so do
 * bytes that start with '!' or hold a '|', which a YAML `content` reader
 * would take for a Suricata negation or hex pipes (and warn). */
struct ynode *suri_content_node(struct srule *r, size_t off, const uint8_t *b, size_t n,
				const char **kind)
{
	struct ynode *node;
	char *hex;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] < 0x20 || b[i] > 0x7e || b[i] == '|')
			break;
	if (i == n && !(n && b[0] == '!')) {
		*kind = "content";
		return suri_str(r, off, (const char *)b, n);
	}
	*kind = "hex";
	hex = malloc(n * 3 + 1);
	if (!hex)
		return NULL;
	for (i = 0; i < n; i++) {
		static const char digits[] = "0123456789abcdef";

		hex[i * 3] = digits[b[i] >> 4];
		hex[i * 3 + 1] = digits[b[i] & 15];
		hex[i * 3 + 2] = ' ';
	}
	hex[n * 3] = '\0';
	node = suri_str(r, off, hex, n * 3 - 1);
	free(hex);
	return node;
}

static int pat_push(struct srule *r, size_t off, const char *kind, struct ynode *v,
		    const char *buffer, struct spat **out)
{
	struct spat *p;
	struct ynode *map;

	if (r->n_pats == SURI_MAX_PATTERNS) {
		ynode_free_detached(v);
		return suri_refuse(r, off, kind, "more than %d patterns", SURI_MAX_PATTERNS);
	}
	map = suri_coll(r, off, YNODE_MAP);
	if (!map || ymap_add(map, kind, v) < 0) {
		ynode_free_detached(map);
		return suri_refuse(r, off, kind, "out of memory");
	}
	p = &r->pats[r->n_pats++];
	memset(p, 0, sizeof(*p));
	p->map = map;
	p->buffer = buffer;
	if (out)
		*out = p;
	return 0;
}

int suri_pat_opt(struct srule *r, struct spat *p, size_t off, const char *key, struct ynode *v)
{
	if (!v)
		return suri_refuse(r, off, key, "out of memory");
	if (ymap_get(p->map, key)) {
		ynode_free_detached(v);
		return suri_refuse(r, off, key, "given twice for one pattern");
	}
	if (ymap_add(p->map, key, v) < 0)
		return suri_refuse(r, off, key, "out of memory");
	return 0;
}

/* Snort 3 inline content options: `content:"x", nocase, offset 3;` */
static int content_inline(struct srule *r, const struct sopt *o, size_t i, struct spat *p)
{
	static const char *const with_arg[] = {"offset", "depth", "distance", "within", NULL};
	const char *v = o->val;

	while (v[i]) {
		char word[32], arg[64] = "";
		size_t at;
		int k;

		while (v[i] == ' ' || v[i] == '\t')
			i++;
		if (v[i] != ',')
			return suri_refuse(r, o->val_off + i, o->name,
					   "unexpected text after the content");
		i++;
		while (v[i] == ' ' || v[i] == '\t')
			i++;
		at = i;
		k = 0;
		while (v[i] && v[i] != ' ' && v[i] != ',' && k < 31)
			word[k++] = v[i++];
		word[k] = '\0';
		while (v[i] == ' ')
			i++;
		k = 0;
		while (v[i] && v[i] != ',' && v[i] != ' ' && k < 63)
			arg[k++] = v[i++];
		arg[k] = '\0';
		if (strcmp(word, "nocase") == 0 && !arg[0]) {
			if (suri_pat_opt(r, p, o->val_off + at, "nocase",
					 suri_plain(r, o->val_off + at, "true")))
				return -1;
			continue;
		}
		if (strcmp(word, "fast_pattern") == 0 && !arg[0]) {
			if (suri_pat_opt(r, p, o->val_off + at, "fast_pattern",
					 suri_plain(r, o->val_off + at, "true")))
				return -1;
			continue;
		}
		for (k = 0; with_arg[k] && strcmp(with_arg[k], word); k++)
			;
		if (!with_arg[k] || !arg[0])
			return suri_refuse(r, o->val_off + at, word[0] ? word : o->name,
					   "content option '%s' has no equivalent", word);
		if (suri_pat_opt(r, p, o->val_off + at, word,
				 suri_num_or_str(r, o->val_off + at, arg)))
			return -1;
	}
	return 0;
}

/* content:"..."; content:!"..."; uricontent:"..." */
static int kw_content(struct srule *r, const struct sopt *o)
{
	const char *v = o->val;
	size_t i = 0, n;
	uint8_t *bytes;
	const char *kind;
	struct ynode *node;
	struct spat *p;
	bool neg = false;
	int rc;

	if (!o->has_val)
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	if (v[i] == '!') {
		neg = true;
		for (i++; v[i] == ' '; i++)
			;
	}
	if (v[i] != '"')
		return suri_refuse(r, o->val_off + i, o->name,
				   "the value must be in double quotes");
	bytes = malloc(strlen(v) + 1);
	if (!bytes)
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	rc = content_decode(r, o, &i, bytes, &n);
	node = rc ? NULL : suri_content_node(r, o->val_off, bytes, n, &kind);
	if (rc || pat_push(r, o->val_off, kind, node,
			   strcmp(o->name, "uricontent") == 0 ? "http.uri" : r->sticky, &p) < 0) {
		free(bytes);
		return -1;
	}
	p->is_content = true;
	if (r->dotprefix) {
		p->dotprefix = true;
		p->raw = bytes;
		p->raw_len = n;
	} else {
		free(bytes);
	}
	r->last_content = (int)(r->n_pats - 1);
	if (neg && suri_pat_opt(r, p, o->val_off, "not", suri_plain(r, o->val_off, "true")))
		return -1;
	return content_inline(r, o, i, p);
}

static struct spat *last_content(struct srule *r, const struct sopt *o)
{
	if (r->last_content < 0) {
		suri_refuse(r, o->name_off, o->name, "'%s' without a content before it", o->name);
		return NULL;
	}
	return &r->pats[r->last_content];
}

/* nocase, rawbytes, startswith, endswith, fast_pattern, offset, ... */
/* A byte_extract/byte_math variable's name (a letter or '_', then
 * letters, digits, '_'), as offset/depth/distance/within may give. */
static bool is_var_name(const char *v)
{
	if (!isalpha((unsigned char)v[0]) && v[0] != '_')
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '_')
			return false;
	return true;
}

static int kw_content_mod(struct srule *r, const struct sopt *o)
{
	struct spat *p = last_content(r, o);
	const char *key = o->name;

	if (!p)
		return -1;
	if (strcmp(key, "rawbytes") == 0)
		return 0;
	if (strcmp(key, "nocase") == 0 || strcmp(key, "startswith") == 0 ||
	    strcmp(key, "endswith") == 0)
		return suri_pat_opt(r, p, o->name_off, key, suri_plain(r, o->name_off, "true"));
	if (strcmp(key, "fast_pattern") == 0 || strcmp(key, "prefilter") == 0) {
		if (!o->has_val)
			return suri_pat_opt(r, p, o->name_off, "fast_pattern",
					    suri_plain(r, o->name_off, "true"));
		return suri_pat_opt(r, p, o->val_off, "fast_pattern",
				    suri_str(r, o->val_off, o->val, strlen(o->val)));
	}
	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, key, "needs a value");
	if (is_var_name(o->val)) /* a byte_extract/byte_math variable */
		return suri_pat_opt(r, p, o->val_off, key, suri_plain(r, o->val_off, o->val));
	return suri_pat_opt(r, p, o->val_off, key, suri_num_or_str(r, o->val_off, o->val));
}

/* Legacy modifiers (`content:"x"; http_uri;`) and sticky buffers. */
/* Snort 3 `http_header:field NAME;`: the headers that have a buffer. */
static const char *snort3_header_field(const char *val)
{
	static const char *const fields[][2] = {
		{"user-agent", "http.user_agent"},
		{"host", "http.host"},
		{"cookie", "http.cookie"},
		{"referer", "http.referer"},
		{"content-type", "http.content_type"},
		{"content-length", "http.content_len"},
		{"accept", "http.accept"},
		{"accept-language", "http.accept_lang"},
		{"accept-encoding", "http.accept_enc"},
		{"connection", "http.connection"},
		{"location", "http.location"},
		{"server", "http.server"},
	};

	if (strncmp(val, "field ", 6) != 0)
		return NULL;
	val += 6 + strspn(val + 6, " ");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcasecmp(fields[i][0], val) == 0)
			return fields[i][1];
	return NULL;
}

static int kw_buffer(struct srule *r, const struct sopt *o, const struct bufname *b)
{
	bool modifier = b->kind == BUF_LEGACY && !r->snort3;

	if (o->has_val && r->snort3 && strcmp(o->name, "http_header") == 0 &&
	    snort3_header_field(o->val)) {
		r->sticky = snort3_header_field(o->val);
		r->dotprefix = false;
		return 0;
	}
	if (o->has_val)
		return suri_refuse(r, o->val_off, o->name, "'%s:%s' has no equivalent", o->name,
				   o->val);
	if (!modifier) {
		r->sticky = b->target;
		r->dotprefix = false;
		return 0;
	}
	if (!r->prev_is_content || r->last_content < 0)
		return suri_refuse(r, o->name_off, o->name, "'%s' without a content before it",
				   o->name);
	r->pats[r->last_content].buffer = b->target;
	return 0;
}

/* pcre:"/expr/flags"; pcre:!"/expr/flags"; */
static int kw_pcre(struct srule *r, const struct sopt *o)
{
	const char *v = o->val, *slash, *end;
	const char *buffer = r->sticky;
	char flags[32];
	size_t nf = 0, i = 0;
	bool neg = false;
	struct spat *p;
	char *text;
	int rc;

	if (!o->has_val)
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	if (v[i] == '!') {
		neg = true;
		for (i++; v[i] == ' '; i++)
			;
	}
	end = v + strlen(v);
	if (v[i] != '"' || end - (v + i) < 2 || end[-1] != '"' || v[i + 1] != '/')
		return suri_refuse(r, o->val_off + i, o->name, "expected \"/expression/flags\"");
	slash = end - 2;
	while (slash > v + i + 1 && *slash != '/')
		slash--;
	if (slash == v + i + 1)
		return suri_refuse(r, o->val_off + i, o->name, "no closing '/'");
	for (const char *f = slash + 1; f < end - 1; f++) {
		const char *fb = pcre_flag_buffer(*f);

		if (fb) {
			buffer = fb;
		} else if (strchr("imsxAEGROB", *f) && nf < sizeof(flags) - 1) {
			if (*f != 'B')
				flags[nf++] = *f;
		} else {
			return suri_refuse(r, o->val_off + (size_t)(f - v), "pcre",
					   "unknown pcre flag '%c'", *f);
		}
	}
	flags[nf] = '\0';
	text = malloc(strlen(v) + 1);
	if (!text)
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	snprintf(text, strlen(v) + 1, "%.*s%s", (int)(slash + 1 - (v + i + 1)), v + i + 1, flags);
	rc = pat_push(r, o->val_off, "pcre", suri_str(r, o->val_off + i, text, strlen(text)),
		      buffer, &p);
	free(text);
	if (rc < 0)
		return -1;
	p->is_pcre = true;
	if (neg)
		return suri_pat_opt(r, p, o->val_off, "not", suri_plain(r, o->val_off, "true"));
	return 0;
}

/* isdataat, byte_test, byte_jump, byte_extract, byte_math, bsize: the
 * option text as it is, in the current buffer. */
static int kw_pattern_text(struct srule *r, const struct sopt *o)
{
	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	return pat_push(r, o->val_off, o->name, suri_str(r, o->val_off, o->val, strlen(o->val)),
			r->sticky, NULL);
}

/* base64_decode[:bytes N, offset N, relative]: a pattern on the sticky
 * buffer, else on the buffer of the pattern before it (Suricata puts it
 * in the list of the last content); no option is "offset 0". */
static int kw_base64_decode(struct srule *r, const struct sopt *o)
{
	const char *text = o->has_val && o->val[0] ? o->val : "offset 0";
	const char *buffer = r->sticky;

	if (!buffer && r->n_pats)
		buffer = r->pats[r->n_pats - 1].buffer;
	return pat_push(r, o->has_val ? o->val_off : o->name_off, "base64_decode",
			suri_str(r, o->has_val ? o->val_off : o->name_off, text, strlen(text)),
			buffer, NULL);
}

/* base64_data: the patterns after it look at base64_decode's bytes, which
 * in a rule tree are the patterns after the base64_decode pattern, on its
 * buffer: so it must come right after base64_decode. */
static int kw_base64_data(struct srule *r, const struct sopt *o)
{
	const struct spat *last = r->n_pats ? &r->pats[r->n_pats - 1] : NULL;

	if (o->has_val)
		return suri_refuse(r, o->val_off, o->name, "'%s' takes no value", o->name);
	if (!last || !ymap_get(last->map, "base64_decode"))
		return suri_refuse(r, o->name_off, o->name,
				   "base64_data must follow base64_decode directly");
	r->sticky = last->buffer;
	return 0;
}

/* asn1: a pattern on the payload whatever the sticky buffer (Suricata
 * puts it in the payload list and inspects packets only). */
static int kw_asn1(struct srule *r, const struct sopt *o)
{
	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	r->packet_kw = "asn1";
	return pat_push(r, o->val_off, "asn1", suri_str(r, o->val_off, o->val, strlen(o->val)),
			NULL, NULL);
}

/* ftpbounce: a pattern at the cursor on the payload; as in Suricata the
 * rule becomes an FTP rule (app_proto ftp). */
static int kw_ftpbounce(struct srule *r, const struct sopt *o)
{
	if (o->has_val)
		return suri_refuse(r, o->val_off, o->name, "'%s' takes no value", o->name);
	if (suri_set_app_proto(r, o->name_off, "ftp") < 0)
		return -1;
	return pat_push(r, o->name_off, "ftpbounce", suri_plain(r, o->name_off, "true"), NULL,
			NULL);
}

/* tls.version:1.2 -> the content "TLS 1.2" in the tls.version buffer,
 * which holds the negotiated version under Suricata's names ("TLSv1",
 * "TLS 1.1", "TLS 1.2", "TLS 1.3"; none is inside another). */
static int kw_tls_version(struct srule *r, const struct sopt *o)
{
	static const char *const names[][2] = {
		{"1.0", "TLSv1"}, {"1.1", "TLS 1.1"}, {"1.2", "TLS 1.2"}, {"1.3", "TLS 1.3"}};

	for (size_t i = 0; o->has_val && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(o->val, names[i][0]) == 0)
			return pat_push(r, o->val_off, "content",
					suri_str(r, o->val_off, names[i][1], strlen(names[i][1])),
					"tls.version", NULL);
	return suri_refuse(r, o->has_val ? o->val_off : o->name_off, o->name,
			   "tls.version:%s has no equivalent", o->has_val ? o->val : "");
}

/* ------------------------------------------------- dns integer keywords */

/* DNS record type names Suricata's dns.rrtype accepts (the common ones). */
static const struct {
	const char *name;
	unsigned type;
} dns_types[] = {{"a", 1},	{"ns", 2},    {"cname", 5},  {"soa", 6},    {"ptr", 12},
		 {"hinfo", 13}, {"mx", 15},   {"txt", 16},   {"aaaa", 28},  {"srv", 33},
		 {"naptr", 35}, {"ds", 43},   {"rrsig", 46}, {"nsec", 47},  {"dnskey", 48},
		 {"nsec3", 50}, {"svcb", 64}, {"https", 65}, {"axfr", 252}, {"any", 255},
		 {"caa", 257}};

/* `v` with a type name after its operator replaced by the number, into
 * out; v itself when it has no name. */
static const char *dns_type_text(const char *v, char *out, size_t outlen)
{
	size_t op = strspn(v, "!<>= ");

	for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (strcasecmp(v + op, dns_types[i].name) == 0) {
			snprintf(out, outlen, "%.*s%u", (int)op, v, dns_types[i].type);
			return out;
		}
	return v;
}

/* One byte_test on the keyword's buffer: "NBYTES,OP,VALUE,0". */
static int dns_byte_test(struct srule *r, const struct sopt *o, const char *buf, unsigned nbytes,
			 const char *op, uint32_t value)
{
	char text[48];

	snprintf(text, sizeof(text), "%u,%s,%u,0", nbytes, op, value);
	return pat_push(r, o->val_off, "byte_test", suri_str(r, o->val_off, text, strlen(text)),
			buf, NULL);
}

/*
 * dns.opcode:[!]N, N-M, !N-M, <N, <=N, >N, >=N (Suricata's integer syntax,
 * ranges exclusive) and dns.rrtype (the same, 16 bits, or a type name) ->
 * byte_test on the dns plugin's binary buffers dns.opcode (one byte) and
 * dns.rrtype (two bytes, big endian); a range is two byte_tests, a negated
 * range of dns.opcode a pcre byte class.
 */
static int kw_dns_int(struct srule *r, const struct sopt *o)
{
	static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
	bool rrtype = strcmp(o->name, "dns.rrtype") == 0;
	const char *buf = rrtype ? "dns.rrtype" : "dns.opcode";
	unsigned nbytes = rrtype ? 2 : 1;
	struct rule_num_test t;
	char err[160], name[32], re[48];
	struct spat *p;

	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	if (rule_num_parse(rrtype ? dns_type_text(suri_trim(o->val), name, sizeof(name))
				  : suri_trim(o->val),
			   rrtype ? HF_ICMP_ID : HF_TTL, &t, err, sizeof(err)) < 0)
		return suri_refuse(r, o->val_off, o->name, "%s", err);
	if (t.op <= CMP_GE)
		return dns_byte_test(r, o, buf, nbytes, ops[t.op], t.a);
	if (t.op == CMP_RANGE)
		return dns_byte_test(r, o, buf, nbytes, ">", t.a) ||
		       dns_byte_test(r, o, buf, nbytes, "<", t.b);
	if (rrtype)
		return suri_refuse(r, o->val_off, o->name,
				   "a negated range of dns.rrtype has no equivalent");
	snprintf(re, sizeof(re), "/^[\\x00-\\x%02x\\x%02x-\\xff]/s", t.a, t.b);
	if (pat_push(r, o->val_off, "pcre", suri_str(r, o->val_off, re, strlen(re)), buf, &p) < 0)
		return -1;
	p->is_pcre = true;
	return 0;
}

/* Snort 3 bufferlen:N, <N, >N, N<>M is bsize (without `relative`). */
static int kw_bufferlen(struct srule *r, const struct sopt *o)
{
	if (!o->has_val || !o->val[0] || strchr(o->val, ','))
		return suri_refuse(r, o->has_val ? o->val_off : o->name_off, o->name,
				   "bufferlen:%s has no equivalent", o->has_val ? o->val : "");
	return pat_push(r, o->val_off, "bsize", suri_str(r, o->val_off, o->val, strlen(o->val)),
			r->sticky, NULL);
}

/* ------------------------------------------------------ rule-level keys */

/* Un-escape msg text: \; \" \\ \: give the character. */
static int kw_msg(struct srule *r, const struct sopt *o)
{
	const char *v = o->val ? o->val : "";
	size_t len = strlen(v), n = 0;
	struct ynode *node;
	char *out;

	if (len < 2 || v[0] != '"' || v[len - 1] != '"')
		return suri_refuse(r, o->val_off, o->name, "the value must be in double quotes");
	out = malloc(len);
	if (!out)
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	for (size_t i = 1; i + 1 < len; i++) {
		if (v[i] == '\\' && i + 2 < len)
			i++;
		out[n++] = v[i];
	}
	node = suri_str(r, o->val_off, out, n);
	free(out);
	if (!node || ymap_add(r->head, "msg", node) < 0)
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	return 0;
}

int suri_parse_u32(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return (errno || *end || *out > max) ? -1 : 0;
}

/* sid, gid, rev, priority */
static int kw_number(struct srule *r, const struct sopt *o)
{
	static const struct {
		const char *kw, *key;
		uint64_t min, max;
	} nums[] = {{"sid", "id", 1, UINT32_MAX},
		    {"gid", "gid", 0, UINT32_MAX},
		    {"rev", "rev", 0, UINT32_MAX},
		    {"priority", "priority", 1, 255}};
	uint64_t v;
	size_t k = 0;

	while (strcmp(nums[k].kw, o->name))
		k++;
	if (!o->has_val || suri_parse_u32(o->val, nums[k].max, &v) < 0 || v < nums[k].min)
		return suri_refuse(r, o->has_val ? o->val_off : o->name_off, o->name,
				   "expected an integer from %llu to %llu",
				   (unsigned long long)nums[k].min,
				   (unsigned long long)nums[k].max);
	if (k == 0 && r->sid_seen)
		return suri_refuse(r, o->name_off, o->name, "keyword given twice");
	if (k == 0) {
		r->sid = (uint32_t)v;
		r->has_sid = r->sid_seen = true;
	}
	if (k == 1)
		r->gid = (uint32_t)v;
	if (k == 1 && v == 1)
		return 0; /* the default */
	if (k == 2 && v == 0)
		v = 1; /* v1 revisions start at 1 */
	if (k <= 2) {
		char num[24];

		snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
		if (ymap_get(r->head, nums[k].key))
			return suri_refuse(r, o->name_off, o->name, "keyword given twice");
		if (ymap_add(r->head, nums[k].key, suri_plain(r, o->val_off, num)) < 0)
			return suri_refuse(r, o->val_off, o->name, "out of memory");
		return 0;
	}
	return suri_extra_add(r, o->val_off, nums[k].key, suri_num_or_str(r, o->val_off, o->val));
}

/* classtype: a name; reference: "type,value" into a list. */
static int kw_classtype(struct srule *r, const struct sopt *o)
{
	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	return suri_extra_add(r, o->val_off, "classtype",
			      suri_str(r, o->val_off, o->val, strlen(o->val)));
}

static int kw_reference(struct srule *r, const struct sopt *o)
{
	struct ynode *l = suri_extra_list(r, o->name_off, "reference");
	struct ynode *v;
	char *s, *d;

	if (!o->has_val || !strchr(o->val, ','))
		return suri_refuse(r, o->name_off, o->name, "expected TYPE,VALUE");
	if (!l)
		return suri_refuse(r, o->name_off, o->name, "out of memory");
	if (!suri_conf_ref_known(r->f->conf, o->val, strcspn(o->val, ","))) {
		int line, col;

		suri_pos_at(r, o->val_off, &line, &col);
		diag_warn(r->f->d, r->f->name, line, col,
			  "sid %u: reference type '%.*s' is not in reference.config", r->sid,
			  (int)strcspn(o->val, ","), o->val);
	}
	s = strdup(o->val);
	if (!s)
		return suri_refuse(r, o->name_off, o->name, "out of memory");
	/* "url, example.com" -> "url,example.com" */
	d = strchr(s, ',') + 1;
	memmove(d, d + strspn(d, " "), strlen(d + strspn(d, " ")) + 1);
	v = suri_str(r, o->val_off, s, strlen(s));
	free(s);
	if (!v || ynode_append(l, NULL, v) < 0) {
		ynode_free_detached(v);
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	}
	return 0;
}

char *suri_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* metadata: key value, key value -> {key: [value, ...]} */
static int metadata_add(struct srule *r, size_t off, struct ynode *md, char *item)
{
	char *key = suri_trim(item), *val = key + strcspn(key, " \t");
	struct ynode *l, *v;

	if (*val)
		*val++ = '\0';
	val = suri_trim(val);
	if (!*key)
		return 0;
	l = ymap_get(md, key);
	if (!l) {
		l = suri_coll(r, off, YNODE_SEQ);
		if (!l || ymap_add(md, key, l) < 0)
			return suri_refuse(r, off, "metadata", "out of memory");
	}
	v = suri_str(r, off, val, strlen(val));
	if (!v || ynode_append(l, NULL, v) < 0) {
		ynode_free_detached(v);
		return suri_refuse(r, off, "metadata", "out of memory");
	}
	return 0;
}

static int kw_metadata(struct srule *r, const struct sopt *o)
{
	struct ynode *md = ymap_get(r->extra, "metadata");
	char *copy, *save = NULL;
	int rc = 0;

	if (!o->has_val)
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	if (!md) {
		md = suri_coll(r, o->val_off, YNODE_MAP);
		if (!md || ymap_add(r->extra, "metadata", md) < 0)
			return suri_refuse(r, o->val_off, o->name, "out of memory");
	}
	copy = strdup(o->val);
	if (!copy)
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	for (char *it = strtok_r(copy, ",", &save); it && !rc; it = strtok_r(NULL, ",", &save))
		rc = metadata_add(r, o->val_off, md, it);
	free(copy);
	return rc;
}

/* A comma-separated option as a list of trimmed strings under `key`. */
static int comma_list(struct srule *r, const struct sopt *o, const char *key,
		      const char *const *allowed)
{
	struct ynode *l;
	char *copy, *save = NULL;

	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	l = suri_extra_list(r, o->val_off, key);
	copy = strdup(o->val);
	if (!l || !copy) {
		free(copy);
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	}
	for (char *it = strtok_r(copy, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		char *w = suri_trim(it);
		struct ynode *v;
		size_t k = 0;

		while (allowed && allowed[k] && strcmp(allowed[k], w))
			k++;
		if (allowed && !allowed[k]) {
			suri_refuse(r, o->val_off, o->name, "%s option '%s' has no equivalent",
				    o->name, w);
			free(copy);
			return -1;
		}
		v = suri_str(r, o->val_off, w, strlen(w));
		if (!v || ynode_append(l, NULL, v) < 0) {
			ynode_free_detached(v);
			free(copy);
			return suri_refuse(r, o->val_off, o->name, "out of memory");
		}
	}
	free(copy);
	return 0;
}

static int kw_flow(struct srule *r, const struct sopt *o)
{
	static const char *const opts[] = {
		"established", "not_established", "stateless",	 "to_server", "to_client",
		"from_server", "from_client",	  "only_stream", "no_stream", NULL};

	return comma_list(r, o, "flow", opts);
}

/* flowbits:set,name -> one string per option, names kept as written. */
static int kw_flowbits(struct srule *r, const struct sopt *o)
{
	static const char *const cmds[] = {"set",      "unset",	  "toggle", "isset",
					   "isnotset", "noalert", NULL};
	struct ynode *l = suri_extra_list(r, o->name_off, "flowbits");
	char *s;
	struct ynode *v;
	size_t k = 0, cl;

	if (!o->has_val)
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	cl = strcspn(o->val, ",");
	while (cmds[k] && (strlen(cmds[k]) != cl || strncmp(cmds[k], o->val, cl)))
		k++;
	if (!cmds[k])
		return suri_refuse(r, o->val_off, o->name,
				   "flowbits command '%.*s' has no equivalent", (int)cl, o->val);
	if (!l || !(s = strdup(o->val)))
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	if (s[cl]) {
		char *name = suri_trim(s + cl + 1);

		memmove(s + cl + 1, name, strlen(name) + 1);
	}
	v = suri_str(r, o->val_off, s, strlen(s));
	free(s);
	if (!v || ynode_append(l, NULL, v) < 0) {
		ynode_free_detached(v);
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	}
	return 0;
}

/* xbits:set,name,track ip_src,expire 10 (flowint:name,+,1, stream_size:
 * client,<,5) -> the option text, trimmed, one string per keyword in a
 * list named as the keyword (rule_xbits.c, rule_flowint.c,
 * rule_stream_size.c check it at load). */
static int kw_text_list(struct srule *r, const struct sopt *o)
{
	struct ynode *l = suri_extra_list(r, o->name_off, o->name);
	char *s, *t;
	struct ynode *v;

	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	if (!l || !(s = strdup(o->val)))
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	t = suri_trim(s);
	v = suri_str(r, o->val_off, t, strlen(t));
	free(s);
	if (!v || ynode_append(l, NULL, v) < 0) {
		ynode_free_detached(v);
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	}
	return 0;
}

static bool word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

/* threshold / detection_filter: "type limit, track by_src, count 1,
 * seconds 60" -> a mapping. */
static int kw_threshold(struct srule *r, const struct sopt *o)
{
	static const char *const keys[] = {"type", "track", "count", "seconds", "multiplier", NULL};
	static const char *const types[] = {"limit", "threshold", "both", "backoff", NULL};
	static const char *const tracks[] = {"by_src",	"by_dst",  "by_both",
					     "by_rule", "by_flow", NULL};
	bool df = strcmp(o->name, "detection_filter") == 0;
	struct ynode *m;
	char *copy, *save = NULL;

	if (!o->has_val)
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	m = suri_coll(r, o->val_off, YNODE_MAP);
	copy = strdup(o->val);
	if (!m || !copy)
		goto oom;
	for (char *it = strtok_r(copy, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		char *k = suri_trim(it), *v = k + strcspn(k, " \t");
		size_t i = df ? 1 : 0;

		if (*v)
			*v++ = '\0';
		v = suri_trim(v);
		while (keys[i] && strcmp(keys[i], k))
			i++;
		if (!keys[i] || !*v || ymap_get(m, k)) {
			suri_refuse(r, o->val_off, o->name, "'%s' is not an option of %s here", k,
				    o->name);
			goto fail;
		}
		if ((i == 0 && !word_in(v, types)) || (i == 1 && !word_in(v, tracks))) {
			suri_refuse(r, o->val_off, o->name, "%s %s '%s' has no equivalent", o->name,
				    k, v);
			goto fail;
		}
		if (ymap_add(m, k,
			     i >= 2 ? suri_num_or_str(r, o->val_off, v)
				    : suri_str(r, o->val_off, v, strlen(v))) < 0)
			goto oom;
	}
	free(copy);
	return suri_extra_add(r, o->name_off, df ? "detection_filter" : "threshold", m);
oom:
	suri_refuse(r, o->val_off, o->name, "out of memory");
fail:
	free(copy);
	ynode_free_detached(m);
	return -1;
}

static int kw_flag(struct srule *r, const struct sopt *o)
{
	const char *key = strcmp(o->name, "sameip") == 0 ? "sameip" : "noalert";

	if (o->has_val)
		return suri_refuse(r, o->val_off, o->name, "'%s' takes no value", o->name);
	return suri_extra_add(r, o->name_off, key, suri_plain(r, o->name_off, "true"));
}

/* Header keywords: the option text, or an integer. */
static int kw_header(struct srule *r, const struct sopt *o)
{
	static const struct {
		const char *kw, *key;
	} keys[] = {{"dsize", "dsize"},	      {"ttl", "ttl"},		{"itype", "itype"},
		    {"icode", "icode"},	      {"id", "ip_id"},		{"seq", "seq"},
		    {"ack", "ack"},	      {"window", "window"},	{"flags", "flags"},
		    {"tcp.flags", "flags"},   {"fragbits", "fragbits"}, {"icmp_id", "icmp_id"},
		    {"icmp_seq", "icmp_seq"}, {"ip_proto", "ip_proto"}, {"vlan.id", "vlan_id"}};
	size_t k = 0;

	while (strcmp(keys[k].kw, o->name))
		k++;
	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	if (strcmp(o->name, "dsize") == 0)
		r->packet_kw = "dsize";
	return suri_extra_add(r, o->val_off, keys[k].key, suri_num_or_str(r, o->val_off, o->val));
}

/* Protocol names as Suricata and Snort 3 spell them -> app_proto. */
static const char *app_name(const char *s)
{
	if (strcmp(s, "ssl") == 0)
		return "tls";
	if (strcmp(s, "http1") == 0)
		return "http";
	if (strcmp(s, "netbios-ssn") == 0)
		return "smb";
	return s;
}

int suri_set_app_proto(struct srule *r, size_t off, const char *name)
{
	if (r->app_proto && strcmp(r->app_proto, name))
		return suri_refuse(r, off, "app-layer-protocol",
				   "conflicting protocols '%s' and '%s'", r->app_proto, name);
	r->app_proto = name;
	suri_pos_at(r, off, &r->app_line, &r->app_col);
	return 0;
}

static int kw_app_proto(struct srule *r, const struct sopt *o)
{
	if (!o->has_val || !o->val[0] || strchr(o->val, ','))
		return suri_refuse(r, o->name_off, o->name, "expected one protocol name");
	if (strcmp(o->val, "failed") == 0 || strcmp(o->val, "unknown") == 0)
		return suri_refuse(r, o->val_off, o->name, "'%s' has no equivalent", o->val);
	/* keep the text (the value lives in the rule's option copy): extra */
	return suri_extra_add(r, o->val_off, "app_proto",
			      suri_str(r, o->val_off, o->val[0] == '!' ? o->val : app_name(o->val),
				       strlen(o->val[0] == '!' ? o->val : app_name(o->val))));
}

/* Snort 3 service:http -> app_proto */
static int kw_service(struct srule *r, const struct sopt *o)
{
	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	if (strchr(o->val, ',')) {
		suri_note(r, "service:%s names several protocols; the rule is not tied to one",
			  o->val);
		return 0;
	}
	return suri_extra_add(r, o->val_off, "app_proto",
			      suri_str(r, o->val_off, app_name(o->val), strlen(app_name(o->val))));
}

/* requires: feature X, version >= 7.0 -- versions up to 8 are met, no
 * feature is (the rule is skipped, as Suricata skips it). */
static int kw_requires(struct srule *r, const struct sopt *o)
{
	char *copy, *save = NULL;

	if (!o->has_val)
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	copy = strdup(o->val);
	if (!copy)
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	for (char *it = strtok_r(copy, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		char *w = suri_trim(it);

		if (strncmp(w, "feature", 7) == 0) {
			r->skip = true;
		} else if (strncmp(w, "version", 7) == 0) {
			const char *v = w + 7 + strspn(w + 7, " <>=");

			if (strstr(w, ">") && atoi(v) > 8)
				r->skip = true;
			if (strstr(w, "<") && atoi(v) < 8)
				r->skip = true;
		}
	}
	free(copy);
	return 0;
}

/* dotprefix: a transform of the sticky buffer (see dotprefix_rewrite). */
static int kw_dotprefix(struct srule *r, const struct sopt *o)
{
	if (o->has_val)
		return suri_refuse(r, o->val_off, o->name, "'%s' takes no value", o->name);
	r->dotprefix = true;
	return 0;
}

/* urilen:N, <N, >N, N<>M [,norm|,raw] is the size of the URI buffer. */
static int kw_urilen(struct srule *r, const struct sopt *o)
{
	char *v, *comma;
	const char *buf = "http.uri";
	int rc;

	if (!o->has_val || !o->val[0])
		return suri_refuse(r, o->name_off, o->name, "needs a value");
	v = strdup(o->val);
	if (!v)
		return suri_refuse(r, o->val_off, o->name, "out of memory");
	comma = strchr(v, ',');
	if (comma) {
		*comma++ = '\0';
		comma = suri_trim(comma);
		if (strcmp(comma, "raw") == 0)
			buf = "http.uri.raw";
		else if (strcmp(comma, "norm") != 0) {
			suri_refuse(r, o->val_off, o->name, "urilen option '%s' has no equivalent",
				    comma);
			free(v);
			return -1;
		}
	}
	rc = pat_push(r, o->val_off, "bsize",
		      suri_str(r, o->val_off, suri_trim(v), strlen(suri_trim(v))), buf, NULL);
	free(v);
	return rc;
}

/* decode-event:ipv4.trunc_pkt; stream-event:reassembly_seq_gap;
 * app-layer-event:applayer_mismatch_protocol_both_directions; -> the
 * sensor's anomaly name (`anomaly: decoder.ipv4.trunc_pkt`, rule_event.c
 * maps the names); an event the sensor never raises refuses the rule. */
static int kw_event(struct srule *r, const struct sopt *o)
{
	static const char *const kinds[] = {"decoder", "stream", "app-layer"};
	enum rule_event_kind kind = RULE_EVENT_DECODE;
	char name[128];

	if (strcmp(o->name, "stream-event") == 0)
		kind = RULE_EVENT_STREAM;
	else if (strcmp(o->name, "app-layer-event") == 0)
		kind = RULE_EVENT_APPLAYER;
	if (!o->has_val || !o->val[0] || strlen(o->val) > 96)
		return suri_refuse(r, o->name_off, o->name, "expected an event name");
	if (!rule_event_map(kind, suri_trim(o->val), name, sizeof(name)))
		return suri_refuse(r, o->val_off, o->name,
				   "%s event '%s' is not raised by this sensor", kinds[kind],
				   o->val);
	return suri_extra_add(r, o->val_off, "anomaly",
			      suri_str(r, o->val_off, name, strlen(name)));
}

/* Keywords that change nothing this sensor detects: kept out with a note. */
static int kw_note(struct srule *r, const struct sopt *o)
{
	suri_note(r, "'%s%s%s' dropped (no effect on detection here)", o->name,
		  o->has_val ? ":" : "", o->has_val ? o->val : "");
	return 0;
}

/* ------------------------------------------------------------ dispatch */

enum kw_class { KW_OTHER = 0, KW_CONTENT, KW_CONTENT_MOD };

static const struct keyword {
	const char *name;
	int (*fn)(struct srule *r, const struct sopt *o);
	enum kw_class cls;
} keywords[] = {
	{"msg", kw_msg, KW_OTHER},
	{"sid", kw_number, KW_OTHER},
	{"gid", kw_number, KW_OTHER},
	{"rev", kw_number, KW_OTHER},
	{"priority", kw_number, KW_OTHER},
	{"classtype", kw_classtype, KW_OTHER},
	{"reference", kw_reference, KW_OTHER},
	{"metadata", kw_metadata, KW_OTHER},
	{"content", kw_content, KW_CONTENT},
	{"uricontent", kw_content, KW_CONTENT},
	{"nocase", kw_content_mod, KW_CONTENT_MOD},
	{"rawbytes", kw_content_mod, KW_CONTENT_MOD},
	{"offset", kw_content_mod, KW_CONTENT_MOD},
	{"depth", kw_content_mod, KW_CONTENT_MOD},
	{"distance", kw_content_mod, KW_CONTENT_MOD},
	{"within", kw_content_mod, KW_CONTENT_MOD},
	{"startswith", kw_content_mod, KW_CONTENT_MOD},
	{"endswith", kw_content_mod, KW_CONTENT_MOD},
	{"fast_pattern", kw_content_mod, KW_CONTENT_MOD},
	{"pcre", kw_pcre, KW_OTHER},
	{"isdataat", kw_pattern_text, KW_OTHER},
	{"byte_test", kw_pattern_text, KW_OTHER},
	{"byte_jump", kw_pattern_text, KW_OTHER},
	{"byte_extract", kw_pattern_text, KW_OTHER},
	{"byte_math", kw_pattern_text, KW_OTHER},
	{"bsize", kw_pattern_text, KW_OTHER},
	{"base64_decode", kw_base64_decode, KW_OTHER},
	{"asn1", kw_asn1, KW_OTHER},
	{"ftpbounce", kw_ftpbounce, KW_OTHER},
	{"base64_data", kw_base64_data, KW_OTHER},
	{"bufferlen", kw_bufferlen, KW_OTHER},
	{"tls.version", kw_tls_version, KW_OTHER},
	{"dns.opcode", kw_dns_int, KW_OTHER},
	{"dns.rrtype", kw_dns_int, KW_OTHER},
	{"flow", kw_flow, KW_OTHER},
	{"flowbits", kw_flowbits, KW_OTHER},
	{"xbits", kw_text_list, KW_OTHER},
	{"flowint", kw_text_list, KW_OTHER},
	{"threshold", kw_threshold, KW_OTHER},
	{"detection_filter", kw_threshold, KW_OTHER},
	{"noalert", kw_flag, KW_OTHER},
	{"sameip", kw_flag, KW_OTHER},
	{"dsize", kw_header, KW_OTHER},
	{"ttl", kw_header, KW_OTHER},
	{"itype", kw_header, KW_OTHER},
	{"icode", kw_header, KW_OTHER},
	{"id", kw_header, KW_OTHER},
	{"seq", kw_header, KW_OTHER},
	{"ack", kw_header, KW_OTHER},
	{"window", kw_header, KW_OTHER},
	{"flags", kw_header, KW_OTHER},
	{"tcp.flags", kw_header, KW_OTHER},
	{"fragbits", kw_header, KW_OTHER},
	{"icmp_id", kw_header, KW_OTHER},
	{"icmp_seq", kw_header, KW_OTHER},
	{"ip_proto", kw_header, KW_OTHER},
	{"vlan.id", kw_header, KW_OTHER},
	{"stream_size", kw_text_list, KW_OTHER},
	{"app-layer-protocol", kw_app_proto, KW_OTHER},
	{"service", kw_service, KW_OTHER},
	{"requires", kw_requires, KW_OTHER},
	{"target", kw_note, KW_OTHER},
	{"dotprefix", kw_dotprefix, KW_OTHER},
	{"decode-event", kw_event, KW_OTHER},
	{"stream-event", kw_event, KW_OTHER},
	{"app-layer-event", kw_event, KW_OTHER},
	{"urilen", kw_urilen, KW_OTHER},
	{"tag", kw_note, KW_OTHER},
};

int suri_run_option(struct srule *r, const struct sopt *o)
{
	const struct bufname *b;
	int rc;

	/* `prefilter` after a content is its fast pattern; elsewhere a hint */
	if (strcmp(o->name, "prefilter") == 0)
		return r->prev_is_content ? kw_content_mod(r, o) : 0;
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
		if (keywords[k].name[0] != o->name[0] || strcmp(keywords[k].name, o->name))
			continue;
		rc = keywords[k].fn(r, o);
		r->prev_is_content = keywords[k].cls != KW_OTHER;
		return rc;
	}
	b = buf_lookup(o->name);
	if (b) {
		rc = kw_buffer(r, o, b);
		r->prev_is_content = b->kind == BUF_LEGACY && !r->snort3;
		return rc;
	}
	return suri_refuse(r, o->name_off, o->name, "keyword '%s' has no equivalent", o->name);
}

/* Snort 3: `service:`, or a buffer keyword before the first content. */
bool suri_is_snort3(const struct sopt *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(o[i].name, "service") == 0)
			return true;
	for (size_t i = 0; i < n; i++) {
		const struct bufname *b;

		if (strcmp(o[i].name, "content") == 0 || strcmp(o[i].name, "uricontent") == 0)
			break;
		b = buf_lookup(o[i].name);
		if (b && b->kind == BUF_LEGACY)
			return true;
	}
	return false;
}
