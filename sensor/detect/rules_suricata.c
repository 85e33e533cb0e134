/*
 * rules_suricata.c - Suricata/Snort text rules into v2 rule trees (see
 * rules_suricata.h and docs/suricata-rules.md).
 *
 * Design: the text is cut into logical rules (a line ending in '\' goes on
 * with the next one; blank lines and lines starting with '#', disabled
 * rules included, are skipped). Each logical rule keeps, for every byte,
 * the line and column it came from, so every node points into the file.
 * A rule is: action, protocol, source, source port, direction, destination,
 * destination port (Snort 3 may stop after the protocol), then options in
 * parentheses, each `name;` or `name:value;` where value runs to the next
 * ';' not escaped with '\'. Options are handled in order by a keyword
 * table; the handlers fill a rule state (patterns in order, the current
 * sticky buffer, rule-level keys) and the state is assembled into a map
 * at the end, keys in a fixed order so converted files read alike.
 *
 * The keyword handlers are in rules_suricata_kw.c. When all patterns look
 * at one buffer the rule gets a rule-level `buffer:` (v1), otherwise each
 * pattern gets its own; a lone v1-compatible pcre becomes the rule-level
 * `pcre:`; dotprefix contents are rewritten (dotprefix_rewrite).
 *
 * Invariants: a rule's nodes are appended to the tree only when the rule
 * parsed completely; a failed rule is freed and counted under the keyword
 * that failed it. Hostile text (unbalanced quotes or brackets, huge
 * lines) gives a reported failure, never a crash. Main thread only.
 */
#include "detect/rules_suricata.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rules_suricata_conf.h"
#include "detect/rules_suricata_int.h"

#define SURI_MAX_RULE (1u << 20) /* bytes of one logical rule */

/* ------------------------------------------------------------ positions */

void suri_pos_at(const struct srule *r, size_t off, int *line, int *col)
{
	if (off >= r->ln->len)
		off = r->ln->len ? r->ln->len - 1 : 0;
	*line = r->ln->len ? r->ln->line[off] : 0;
	*col = r->ln->len ? r->ln->col[off] : 0;
}

struct ynode *suri_str(struct srule *r, size_t off, const char *s, size_t len)
{
	int line, col;

	suri_pos_at(r, off, &line, &col);
	return ynode_new_scalar(r->f->root, line, col, s, len, true);
}

struct ynode *suri_plain(struct srule *r, size_t off, const char *s)
{
	int line, col;

	suri_pos_at(r, off, &line, &col);
	return ynode_new_scalar(r->f->root, line, col, s, strlen(s), false);
}

struct ynode *suri_coll(struct srule *r, size_t off, enum ynode_type t)
{
	int line, col;

	suri_pos_at(r, off, &line, &col);
	return ynode_new_coll(r->f->root, t, line, col);
}

/* ------------------------------------------------------------- messages */

static void count_fail(struct sfile *f, const char *kw)
{
	struct suri_result *res = f->res;
	struct suri_fail *nf;

	for (size_t i = 0; i < res->n_fails; i++)
		if (strcmp(res->fails[i].keyword, kw) == 0) {
			res->fails[i].count++;
			return;
		}
	nf = realloc(res->fails, (res->n_fails + 1) * sizeof(*nf));
	if (!nf)
		return;
	res->fails = nf;
	snprintf(nf[res->n_fails].keyword, sizeof(nf->keyword), "%s", kw);
	nf[res->n_fails++].count = 1;
}

/* Report the rule as failing at `off` because of keyword `kw`. Only the
 * first failure of a rule is reported. Returns -1. */
__attribute__((format(printf, 4, 5))) int suri_refuse(struct srule *r, size_t off, const char *kw,
						      const char *fmt, ...)
{
	char msg[400], sid[32] = "";
	int line, col;
	va_list ap;

	if (r->failkw[0])
		return -1;
	snprintf(r->failkw, sizeof(r->failkw), "%s", kw);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->has_sid)
		snprintf(sid, sizeof(sid), "sid %u: ", r->sid);
	suri_pos_at(r, off, &line, &col);
	diag_error(r->f->d, r->f->name, line, col, "%s%s (%s)", sid, msg, kw);
	return -1;
}

__attribute__((format(printf, 2, 3))) void suri_note(struct srule *r, const char *fmt, ...)
{
	size_t used = strlen(r->note);
	va_list ap;

	if (used + 3 >= sizeof(r->note))
		return;
	if (used)
		r->note[used++] = ';', r->note[used++] = ' ', r->note[used] = '\0';
	va_start(ap, fmt);
	vsnprintf(r->note + used, sizeof(r->note) - used, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------- rule-level keys */

int suri_extra_add(struct srule *r, size_t off, const char *key, struct ynode *v)
{
	if (!v)
		return suri_refuse(r, off, key, "out of memory");
	if (ymap_get(r->extra, key)) {
		ynode_free_detached(v);
		return suri_refuse(r, off, key, "keyword given twice");
	}
	if (ymap_add(r->extra, key, v) < 0)
		return suri_refuse(r, off, key, "out of memory");
	return 0;
}

/* The list under `key` in extra, created on first use. */
struct ynode *suri_extra_list(struct srule *r, size_t off, const char *key)
{
	struct ynode *l = ymap_get(r->extra, key);

	if (l)
		return l;
	l = suri_coll(r, off, YNODE_SEQ);
	if (!l || ymap_add(r->extra, key, l) < 0)
		return NULL;
	return l;
}

static bool all_digits(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* An integer stays an integer, anything else a string. */
struct ynode *suri_num_or_str(struct srule *r, size_t off, const char *v)
{
	if (all_digits(v) && strlen(v) < 12)
		return suri_plain(r, off, v[0] == '+' ? v + 1 : v);
	return suri_str(r, off, v, strlen(v));
}

/* ------------------------------------------------------------- options */

static void opts_free(struct sopt *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].name);
		free(o[i].val);
	}
	free(o);
}

static char *dup_trim(const char *s, size_t len, size_t *lead)
{
	size_t a = 0;
	char *out;

	while (a < len && isspace((unsigned char)s[a]))
		a++;
	while (len > a && isspace((unsigned char)s[len - 1]))
		len--;
	out = malloc(len - a + 1);
	if (out) {
		memcpy(out, s + a, len - a);
		out[len - a] = '\0';
	}
	if (lead)
		*lead = a;
	return out;
}

/* One option starting at text[*i]; *i ends after its ';'. */
static int option_next(struct srule *r, size_t *i, struct sopt *o)
{
	const char *t = r->ln->text;
	size_t len = r->ln->len, start = *i, j = *i, colon = 0, lead;

	memset(o, 0, sizeof(*o));
	while (j < len && t[j] != ';') {
		if (t[j] == '\\' && j + 1 < len)
			j++;
		else if (t[j] == ':' && !colon)
			colon = j;
		j++;
	}
	if (j == len)
		return suri_refuse(r, start, "syntax", "option without a closing ';'");
	o->name = dup_trim(t + start, (colon ? colon : j) - start, &lead);
	o->name_off = start + lead;
	if (colon) {
		o->has_val = true;
		o->val = dup_trim(t + colon + 1, j - colon - 1, &lead);
		o->val_off = colon + 1 + lead;
	}
	*i = j + 1;
	if (!o->name || (colon && !o->val))
		return suri_refuse(r, start, "syntax", "out of memory");
	if (!o->name[0])
		return suri_refuse(r, start, "syntax", "empty option");
	return 0;
}

/* Cut "(...)" from `*i` into options; *i ends after ')'. */
static int options_split(struct srule *r, size_t *i, struct sopt **out, size_t *n)
{
	const char *t = r->ln->text;
	size_t len = r->ln->len, cap = 0;

	*out = NULL;
	*n = 0;
	for (;;) {
		while (*i < len && isspace((unsigned char)t[*i]))
			(*i)++;
		if (*i == len)
			return suri_refuse(r, len, "syntax", "missing ')' at the end of the rule");
		if (t[*i] == ')') {
			(*i)++;
			return 0;
		}
		if (*n == cap) {
			struct sopt *no = realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof(*no));

			if (!no)
				return suri_refuse(r, *i, "syntax", "out of memory");
			*out = no;
		}
		if (option_next(r, i, &(*out)[*n]) < 0) {
			(*n)++;
			return -1;
		}
		(*n)++;
	}
}

/* -------------------------------------------------------------- header */

/* The next whitespace-separated token from *i (brackets may hold spaces);
 * stops before '(' outside brackets. Returns false at the end or '('. */
static bool token_next(const struct sline *ln, size_t *i, size_t *start, size_t *end)
{
	int depth = 0;

	while (*i < ln->len && isspace((unsigned char)ln->text[*i]))
		(*i)++;
	*start = *i;
	while (*i < ln->len) {
		char c = ln->text[*i];

		if (depth == 0 && (isspace((unsigned char)c) || c == '('))
			break;
		if (c == '[')
			depth++;
		else if (c == ']' && depth > 0)
			depth--;
		(*i)++;
	}
	*end = *i;
	return *end > *start;
}

/* One item of an address or port group at t[*i] into `seq`. A negated
 * group negates each item; an item negated again inside it cannot be
 * written as a list of items, so it fails. */
static int grp_item(struct srule *r, size_t *i, size_t end, bool neg, struct ynode *seq,
		    const char *kw, int depth)
{
	const char *t = r->ln->text;
	bool bang = false;

	while (*i < end && isspace((unsigned char)t[*i]))
		(*i)++;
	if (*i < end && t[*i] == '!') {
		bang = true;
		(*i)++;
	}
	if (neg && bang)
		return suri_refuse(r, *i, kw, "'!' inside a negated group cannot be expressed");
	if (depth > 16)
		return suri_refuse(r, *i, kw, "groups nested too deep");
	if (*i < end && t[*i] == '[') {
		struct ynode *sub = suri_coll(r, *i, YNODE_SEQ);

		if (!sub || ynode_append(seq, NULL, sub) < 0) {
			ynode_free_detached(sub);
			return suri_refuse(r, *i, kw, "out of memory");
		}
		for ((*i)++;;) {
			if (grp_item(r, i, end, neg || bang, sub, kw, depth + 1) < 0)
				return -1;
			while (*i < end && isspace((unsigned char)t[*i]))
				(*i)++;
			if (*i < end && t[*i] == ',') {
				(*i)++;
				continue;
			}
			if (*i < end && t[*i] == ']') {
				(*i)++;
				return 0;
			}
			return suri_refuse(r, *i, kw, "expected ',' or ']' in the group");
		}
	}
	{
		size_t a = *i, n;
		char buf[256];
		struct ynode *v;

		while (*i < end && t[*i] != ',' && t[*i] != ']' && !isspace((unsigned char)t[*i]))
			(*i)++;
		n = *i - a;
		if (n == 0 || n > 200)
			return suri_refuse(r, a, kw, "expected an address, a port or a variable");
		snprintf(buf, sizeof(buf), "%s%.*s", (neg || bang) ? "!" : "", (int)n, t + a);
		v = suri_str(r, a - (bang ? 1 : 0), buf, strlen(buf));
		if (!v || ynode_append(seq, NULL, v) < 0) {
			ynode_free_detached(v);
			return suri_refuse(r, a, kw, "out of memory");
		}
	}
	return 0;
}

/* An address or port field: a scalar, or a (nested) list. */
static struct ynode *grp_parse(struct srule *r, size_t start, size_t end, const char *kw)
{
	struct ynode *seq = suri_coll(r, start, YNODE_SEQ), *one;
	size_t i = start;

	if (!seq) {
		suri_refuse(r, start, kw, "out of memory");
		return NULL;
	}
	if (grp_item(r, &i, end, false, seq, kw, 0) < 0 || i != end) {
		if (i != end)
			suri_refuse(r, i, kw, "unexpected text after the %s", kw);
		ynode_free_detached(seq);
		return NULL;
	}
	/* ![a,b] gives one list, [a] one list: unwrap one level */
	one = seq->items[0];
	seq->n = 0;
	ynode_free_detached(seq);
	return one;
}

static const struct {
	const char *name, *proto, *app;
	const char *scope;
} protos[] = {
	{"ip", "ip", NULL, NULL},
	{"pkthdr", "ip", NULL, NULL},
	{"tcp", "tcp", NULL, NULL},
	{"tcp-pkt", "tcp", NULL, "packet"},
	{"tcp-stream", "tcp", NULL, "stream"},
	{"udp", "udp", NULL, NULL},
	{"icmp", "icmp", NULL, NULL},
	{"icmpv4", "icmp", NULL, NULL},
	{"icmpv6", "icmp", NULL, NULL},
	{"http", "tcp", "http", NULL},
	{"http1", "tcp", "http", NULL},
	{"http2", "tcp", "http2", NULL},
	{"dns", "ip", "dns", NULL},
	{"tls", "tcp", "tls", NULL},
	{"ssl", "tcp", "tls", NULL},
	{"ssh", "tcp", "ssh", NULL},
	{"smtp", "tcp", "smtp", NULL},
	{"ftp", "tcp", "ftp", NULL},
	{"ftp-data", "tcp", "ftp-data", NULL},
	{"smb", "tcp", "smb", NULL},
	{"dcerpc", "ip", "dcerpc", NULL},
	{"imap", "tcp", "imap", NULL},
	{"pop3", "tcp", "pop3", NULL},
	{"rdp", "tcp", "rdp", NULL},
	{"dhcp", "udp", "dhcp", NULL},
	{"ntp", "udp", "ntp", NULL},
	{"snmp", "udp", "snmp", NULL},
	{"sip", "ip", "sip", NULL},
	{"krb5", "ip", "krb5", NULL},
	{"tftp", "udp", "tftp", NULL},
	{"nfs", "ip", "nfs", NULL},
	{"mqtt", "tcp", "mqtt", NULL},
	{"modbus", "tcp", "modbus", NULL},
	{"dnp3", "tcp", "dnp3", NULL},
	{"enip", "ip", "enip", NULL},
	{"ike", "udp", "ike", NULL},
	{"quic", "udp", "quic", NULL},
	{"telnet", "tcp", "telnet", NULL},
	{"rfb", "tcp", "rfb", NULL},
	{"ldap", "tcp", "ldap", NULL},
	{"ipv4", "ip", NULL, NULL},
	{"ipv6", "ip", NULL, NULL},
	{"igmp", "ip", NULL, NULL},
};

static int header_proto(struct srule *r, size_t a, size_t b)
{
	char name[32];

	snprintf(name, sizeof(name), "%.*s", (int)(b - a < 31 ? b - a : 31), r->ln->text + a);
	for (size_t k = 0; k < sizeof(protos) / sizeof(protos[0]); k++) {
		if (strcmp(protos[k].name, name))
			continue;
		r->tcp = strcmp(protos[k].proto, "tcp") == 0;
		/* an app protocol on TCP and UDP: payload rules get scope auto */
		r->auto_scope = strcmp(protos[k].proto, "ip") == 0 && protos[k].app;
		if (protos[k].app && suri_set_app_proto(r, a, protos[k].app) < 0)
			return -1;
		if (protos[k].scope &&
		    suri_extra_add(r, a, "scope", suri_plain(r, a, protos[k].scope)))
			return -1;
		if (strcmp(name, "igmp") == 0 &&
		    suri_extra_add(r, a, "ip_proto", suri_plain(r, a, "2")))
			return -1;
		/* proto icmp is ICMP and ICMPv6; the version-specific names are exact */
		if (strcmp(name, "icmpv4") == 0 &&
		    suri_extra_add(r, a, "ip_proto", suri_plain(r, a, "1")))
			return -1;
		if (strcmp(name, "icmpv6") == 0 &&
		    suri_extra_add(r, a, "ip_proto", suri_plain(r, a, "58")))
			return -1;
		if (strcmp(name, "ipv4") == 0 || strcmp(name, "ipv6") == 0)
			suri_note(r, "protocol %s: the rule applies to IPv4 and IPv6", name);
		if (strcmp(protos[k].proto, "ip") == 0)
			return 0; /* the default */
		return ymap_add(r->head, "proto", suri_plain(r, a, protos[k].proto)) < 0
			       ? suri_refuse(r, a, "protocol", "out of memory")
			       : 0;
	}
	return suri_refuse(r, a, "protocol", "protocol '%s' has no equivalent", name);
}

static int header_action(struct srule *r, size_t a, size_t b)
{
	static const char *const acts[] = {"alert",	"pass",	      "drop", "reject", "rejectsrc",
					   "rejectdst", "rejectboth", "log",  NULL};
	char name[16];
	size_t k = 0;

	snprintf(name, sizeof(name), "%.*s", (int)(b - a < 15 ? b - a : 15), r->ln->text + a);
	while (acts[k] && strcmp(acts[k], name))
		k++;
	if (!acts[k])
		return suri_refuse(r, a, "action", "action '%s' has no equivalent", name);
	if (k == 0 || k == 7)
		return 0;
	if (k >= 2)
		suri_note(r, "action %s: this passive sensor alerts instead", name);
	return ymap_add(r->head, "action",
			suri_plain(r, a,
				   k == 1   ? "pass"
				   : k == 2 ? "drop"
					    : "reject")) < 0
		       ? suri_refuse(r, a, "action", "out of memory")
		       : 0;
}

static bool same_text(const struct sline *ln, size_t a1, size_t b1, size_t a2, size_t b2)
{
	return b1 - a1 == b2 - a2 && memcmp(ln->text + a1, ln->text + a2, b1 - a1) == 0;
}

/* `<>` with different sides: `bidirectional: true` in the rule. */
static int header_bidirectional(struct srule *r, size_t at)
{
	/* ymap_add frees v on failure */
	if (ymap_add(r->head, "bidirectional", suri_plain(r, at, "true")) < 0)
		return suri_refuse(r, at, "<>", "out of memory");
	return 0;
}

/* action proto src sport -> dst dport, or Snort 3's "action proto". */
static int header_parse(struct srule *r, size_t *i)
{
	static const char *const keys[] = {"src", "src_port", NULL, "dst", "dst_port"};
	size_t a[7], b[7];
	int n = 0;

	while (n < 7 && token_next(r->ln, i, &a[n], &b[n]))
		n++;
	while (*i < r->ln->len && isspace((unsigned char)r->ln->text[*i]))
		(*i)++;
	if (n < 2)
		return suri_refuse(r, *i, "syntax",
				   "expected ACTION PROTO SRC SPORT -> DST DPORT (");
	if (header_action(r, a[0], b[0]) < 0 || header_proto(r, a[1], b[1]) < 0)
		return -1;
	if (n == 2)
		return 0; /* Snort 3: any to any */
	if (n != 7)
		return suri_refuse(r, a[n - 1], "syntax",
				   "expected ACTION PROTO SRC SPORT -> DST DPORT (");
	if (b[4] - a[4] == 2 && strncmp(r->ln->text + a[4], "<>", 2) == 0) {
		/* the same sides: '->' already matches both ways */
		if ((!same_text(r->ln, a[2], b[2], a[5], b[5]) ||
		     !same_text(r->ln, a[3], b[3], a[6], b[6])) &&
		    header_bidirectional(r, a[4]) < 0)
			return -1;
	} else if (b[4] - a[4] != 2 || strncmp(r->ln->text + a[4], "->", 2)) {
		return suri_refuse(r, a[4], "syntax", "expected '->' or '<>'");
	}
	for (int k = 2; k < 7; k++) {
		struct ynode *v;

		if (k == 4)
			continue;
		v = grp_parse(r, a[k], b[k], keys[k - 2]);
		if (!v)
			return -1;
		if (v->type == YNODE_SCALAR && strcmp(v->str, "any") == 0) {
			ynode_free_detached(v);
			continue;
		}
		if (ymap_add(r->head, keys[k - 2], v) < 0)
			return suri_refuse(r, a[k], keys[k - 2], "out of memory");
	}
	return 0;
}

/* ------------------------------------------------------------ assembly */

static bool buf_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Move key `key` of `from` (if there) to the end of `to`. */
static int move_key(struct ynode *to, struct ynode *from, const char *key)
{
	for (size_t i = 0; i < from->n; i++) {
		if (!from->keys[i] || strcmp(from->keys[i]->str, key))
			continue;
		if (ynode_append(to, from->keys[i], from->items[i]) < 0)
			return -1;
		from->keys[i] = from->items[i] = NULL;
		return 0;
	}
	return 0;
}

static int move_all(struct ynode *to, struct ynode *from)
{
	for (size_t i = 0; i < from->n; i++) {
		if (!from->keys[i])
			continue;
		if (ynode_append(to, from->keys[i], from->items[i]) < 0)
			return -1;
		from->keys[i] = from->items[i] = NULL;
	}
	return 0;
}

/* A lone pcre with v1 flags in the rule's one buffer becomes the v1
 * rule-level `pcre:` key; returns its pattern index or -1. */
static int lone_pcre(const struct srule *r)
{
	const char *flags;
	int found = -1;

	for (size_t i = 0; i < r->n_pats; i++) {
		if (!r->pats[i].is_pcre)
			continue;
		if (found >= 0)
			return -1;
		found = (int)i;
	}
	if (found < 0 || ymap_get(r->pats[found].map, "not"))
		return -1;
	flags = strrchr(r->pats[found].map->items[0]->str, '/') + 1;
	return strspn(flags, "imsx") == strlen(flags) ? found : -1;
}

/* file.data is the HTTP body of the rule's direction: the request body
 * with flow to_server/from_client, else the response body. */
static void file_data_buffer(struct srule *r)
{
	const struct ynode *flow = ymap_get(r->extra, "flow");
	const char *body = "http.response_body";

	for (size_t i = 0; flow && i < flow->n; i++)
		if (strcmp(flow->items[i]->str, "to_server") == 0 ||
		    strcmp(flow->items[i]->str, "from_client") == 0)
			body = "http.request_body";
	for (size_t i = 0; i < r->n_pats; i++)
		if (r->pats[i].buffer && strcmp(r->pats[i].buffer, "file.data") == 0)
			r->pats[i].buffer = body;
}

/* Buffers: one for the whole rule when they agree, else per pattern. */
static int assemble_buffers(struct srule *r, struct ynode *rule)
{
	bool same = true;
	const char *common;
	int lp;

	common = r->n_pats ? r->pats[0].buffer : NULL;

	for (size_t i = 1; i < r->n_pats; i++)
		same = same && buf_eq(r->pats[i].buffer, common);
	if (!same) {
		for (size_t i = 0; i < r->n_pats; i++)
			if (r->pats[i].buffer &&
			    suri_pat_opt(r, &r->pats[i], 0, "buffer",
					 ynode_new_scalar(r->f->root, r->pats[i].map->line,
							  r->pats[i].map->col, r->pats[i].buffer,
							  strlen(r->pats[i].buffer), false)) < 0)
				return -1;
		return 0;
	}
	if (common &&
	    ymap_add(rule, "buffer",
		     ynode_new_scalar(r->f->root, r->pats[0].map->line, r->pats[0].map->col, common,
				      strlen(common), false)) < 0)
		return -1;
	lp = lone_pcre(r);
	if (lp >= 0) {
		struct ynode *m = r->pats[lp].map;

		if (ynode_append(rule, m->keys[0], m->items[0]) < 0)
			return -1;
		m->keys[0] = m->items[0] = NULL;
		ynode_free_detached(m);
		memmove(&r->pats[lp], &r->pats[lp + 1],
			(r->n_pats - (size_t)lp - 1) * sizeof(r->pats[0]));
		r->n_pats--;
	}
	return 0;
}

/* `alert http` needs no app_proto when a buffer of that protocol is used. */
static int assemble_app_proto(struct srule *r, struct ynode *rule)
{
	char proto[16];

	if (!r->app_proto || ymap_get(r->extra, "app_proto"))
		return 0;
	for (size_t i = 0; i < r->n_pats; i++) {
		if (!r->pats[i].buffer)
			continue;
		suri_buf_proto(r->pats[i].buffer, proto, sizeof(proto));
		if (strcmp(proto, r->app_proto) == 0)
			return 0;
	}
	return ymap_add(rule, "app_proto",
			ynode_new_scalar(r->f->root, r->app_line, r->app_col, r->app_proto,
					 strlen(r->app_proto), false));
}

/* Remove key `key` of `map` (if there). */
static void map_del(struct ynode *map, const char *key)
{
	for (size_t i = 0; i < map->n; i++) {
		if (strcmp(map->keys[i]->str, key))
			continue;
		ynode_free_detached(map->keys[i]);
		ynode_free_detached(map->items[i]);
		memmove(&map->keys[i], &map->keys[i + 1], (map->n - i - 1) * sizeof(*map->keys));
		memmove(&map->items[i], &map->items[i + 1], (map->n - i - 1) * sizeof(*map->items));
		map->n--;
		return;
	}
}

/*
 * dotprefix: the buffer seen with a '.' before it. A content ".x.com"
 * then matches where the buffer has "x.com" at its start or ".x.com"
 * anywhere, which is the content "x.com" (the prefilter keeps working)
 * plus the regex (?:^|\.)x\.com, anchored at the end with endswith. With
 * startswith it is simply "x.com" at the start. A content that does not
 * start with '.' is not changed by the transform (unless it must start
 * the buffer, which then never matches).
 */
static int dotprefix_rewrite(struct srule *r, size_t i)
{
	struct spat *p = &r->pats[i], *q;
	struct ynode *m = p->map, *v;
	bool sw = ymap_get(m, "startswith") != NULL, ew = ymap_get(m, "endswith") != NULL;
	bool nc = ymap_get(m, "nocase") != NULL;
	const char *kind;
	char *re;
	size_t n = 0;

	for (size_t k = 1; k < m->n; k++)
		if (strcmp(m->keys[k]->str, "nocase") && strcmp(m->keys[k]->str, "startswith") &&
		    strcmp(m->keys[k]->str, "endswith") && strcmp(m->keys[k]->str, "fast_pattern"))
			return suri_refuse(r, 0, "dotprefix",
					   "dotprefix with '%s' has no equivalent",
					   m->keys[k]->str);
	if (p->raw_len < 2 || p->raw[0] != '.')
		return sw ? suri_refuse(r, 0, "dotprefix",
					"dotprefix with startswith and a content "
					"not starting with '.' never matches")
			  : 0;
	v = suri_content_node(r, 0, p->raw + 1, p->raw_len - 1, &kind);
	if (!v)
		return suri_refuse(r, 0, "dotprefix", "out of memory");
	v->line = m->items[0]->line;
	v->col = m->items[0]->col;
	ynode_free_detached(m->items[0]);
	m->items[0] = v;
	if (ynode_set_str(m->keys[0], kind, strlen(kind)) < 0)
		return suri_refuse(r, 0, "dotprefix", "out of memory");
	if (sw)
		return 0;
	map_del(m, "endswith");
	re = malloc(p->raw_len * 4 + 16);
	if (!re)
		return suri_refuse(r, 0, "dotprefix", "out of memory");
	n += (size_t)sprintf(re, "/(?:^|\\.)");
	for (size_t k = 1; k < p->raw_len; k++)
		n += (size_t)(isalnum(p->raw[k]) ? sprintf(re + n, "%c", p->raw[k])
						 : sprintf(re + n, "\\x%02x", p->raw[k]));
	sprintf(re + n, "%s/%s", ew ? "$" : "", nc ? "i" : "");
	v = ynode_new_scalar(r->f->root, m->line, m->col, re, strlen(re), true);
	free(re);
	if (r->n_pats == SURI_MAX_PATTERNS) {
		ynode_free_detached(v);
		return suri_refuse(r, 0, "dotprefix", "too many patterns");
	}
	memmove(&r->pats[i + 2], &r->pats[i + 1], (r->n_pats - i - 1) * sizeof(*p));
	r->n_pats++;
	q = &r->pats[i + 1];
	memset(q, 0, sizeof(*q));
	q->buffer = p->buffer;
	q->is_pcre = true;
	q->map = ynode_new_coll(r->f->root, YNODE_MAP, m->line, m->col);
	if (!q->map)
		ynode_free_detached(v);
	if (!q->map || ymap_add(q->map, "pcre", v) < 0)
		return suri_refuse(r, 0, "dotprefix", "out of memory");
	return 0;
}

/* Does pattern `m` hold a position counted from the buffer's start
 * (offset, depth, startswith, endswith, isdataat or a byte keyword
 * without `relative`)? */
static bool absolute_position(const struct ynode *m)
{
	static const char *const pos[] = {"offset", "depth", "startswith", "endswith", NULL};
	static const char *const ops[] = {"isdataat",	  "byte_test", "byte_jump",
					  "byte_extract", "byte_math", NULL};
	const struct ynode *v;

	for (size_t k = 0; pos[k]; k++)
		if (ymap_get(m, pos[k]))
			return true;
	for (size_t k = 0; ops[k]; k++)
		if ((v = ymap_get(m, ops[k])) && v->str && !strstr(v->str, "relative"))
			return true;
	return false;
}

/* No pattern of r names a buffer: all look at the payload. */
static bool payload_only(const struct srule *r)
{
	for (size_t i = 0; i < r->n_pats; i++)
		if (r->pats[i].buffer)
			return false;
	return true;
}

/* A tcp rule on the payload with absolute positions: Suricata inspects
 * the stream in chunks of newly reassembled data, offset and depth
 * counting from each chunk's start (its raw stream inspection), so the
 * rule says `stream_offsets: chunk`. Without absolute positions both
 * readings agree, and the rule keeps finding patterns across chunks. */
static int stream_chunk(struct srule *r, struct ynode *rule)
{
	const struct ynode *scope = ymap_get(rule, "scope");
	bool absolute = false;

	if ((!r->tcp && !r->auto_scope) || !r->n_pats || !payload_only(r) ||
	    (scope && scope->str && strcmp(scope->str, "packet") == 0))
		return 0;
	for (size_t i = 0; i < r->n_pats; i++)
		absolute |= absolute_position(r->pats[i].map);
	if (!absolute)
		return 0;
	return ymap_add(rule, "stream_offsets",
			ynode_new_scalar(r->f->root, rule->line, rule->col, "chunk", 5, false));
}

/* `alert dns` (and other app protocols on TCP and UDP) with payload
 * patterns: Suricata inspects a TCP flow's reassembled stream and other
 * packets one by one, so `scope: auto`. Rules on buffers, or whose
 * keywords look at single packets, keep their scope. */
static int auto_scope(struct srule *r, struct ynode *rule)
{
	if (r->auto_scope && (!r->n_pats || !payload_only(r) || r->packet_kw ||
			      ymap_get(rule, "buffer") || ymap_get(rule, "scope")))
		r->auto_scope = false;
	if (!r->auto_scope)
		return 0;
	return ymap_add(rule, "scope",
			ynode_new_scalar(r->f->root, rule->line, rule->col, "auto", 4, false));
}

/* A rule Suricata checks with its IP-only engine (protocol ip, any ports,
 * nothing but addresses and rule-level labels): on the first packet of
 * each direction of a flow only, so `ip_only: true`. */
static int ip_only(struct srule *r, struct ynode *rule)
{
	static const char *const keys[] = {
		"proto",   "src_port", "dst_port",	"app_proto",   "flow",	   "flowbits",
		"dsize",   "ttl",      "itype",		"icode",       "ip_id",	   "seq",
		"ack",	   "window",   "flags",		"tcp_flags",   "fragbits", "sameip",
		"icmp_id", "icmp_seq", "ip_proto",	"vlan_id",     "anomaly",  "scope",
		"pcre",	   "buffer",   "bidirectional", "stream_size", "xbits",	   "flowint",
		NULL};

	if (r->n_pats)
		return 0;
	for (size_t k = 0; keys[k]; k++)
		if (ymap_get(rule, keys[k]))
			return 0;
	return ymap_add(rule, "ip_only",
			ynode_new_scalar(r->f->root, rule->line, rule->col, "true", 4, false));
}

static struct ynode *assemble(struct srule *r)
{
	static const char *const head_keys[] = {"id",	  "gid",      "rev",	       "msg",
						"action", "proto",    "src",	       "src_port",
						"dst",	  "dst_port", "bidirectional", NULL};
	struct ynode *rule = ynode_new_coll(r->f->root, YNODE_MAP, r->head->line, r->head->col);
	struct ynode *pats;

	if (!rule)
		return NULL;
	file_data_buffer(r);
	for (size_t k = 0; head_keys[k]; k++)
		if (move_key(rule, r->head, head_keys[k]) < 0)
			goto fail;
	if (assemble_app_proto(r, rule) < 0 || move_all(rule, r->extra) < 0)
		goto fail;
	if (r->tcp && !r->n_pats && !ymap_get(rule, "scope")) {
		/* header keywords only: Suricata checks them on every packet */
		if (ymap_add(rule, "scope",
			     ynode_new_scalar(r->f->root, rule->line, rule->col, "packet", 6,
					      false)) < 0)
			goto fail;
	} else if (r->tcp && r->packet_kw && !ymap_get(rule, "scope")) {
		suri_note(r, "%s: the patterns look at single packets (scope: packet)",
			  r->packet_kw);
		if (ymap_add(rule, "scope",
			     ynode_new_scalar(r->f->root, rule->line, rule->col, "packet", 6,
					      false)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < r->n_pats; i++)
		if (r->pats[i].dotprefix && dotprefix_rewrite(r, i) < 0)
			goto fail;
	if (assemble_buffers(r, rule) < 0 || auto_scope(r, rule) < 0 || stream_chunk(r, rule) < 0 ||
	    ip_only(r, rule) < 0)
		goto fail;
	if (!r->n_pats)
		return rule;
	pats = ynode_new_coll(r->f->root, YNODE_SEQ, r->pats[0].map->line, r->pats[0].map->col);
	if (!pats || ymap_add(rule, "patterns", pats) < 0)
		goto fail;
	for (size_t i = 0; i < r->n_pats; i++) {
		if (ynode_append(pats, NULL, r->pats[i].map) < 0)
			goto fail;
		r->pats[i].map = NULL;
		free(r->pats[i].raw);
		r->pats[i].raw = NULL;
	}
	r->n_pats = 0;
	return rule;
fail:
	ynode_free_detached(rule);
	return NULL;
}

static void srule_free(struct srule *r)
{
	ynode_free_detached(r->head);
	ynode_free_detached(r->extra);
	for (size_t i = 0; i < r->n_pats; i++) {
		ynode_free_detached(r->pats[i].map);
		free(r->pats[i].raw);
	}
	r->n_pats = 0;
}

/* ---------------------------------------------------------------- rules */

static int rule_options(struct srule *r, size_t *i)
{
	struct sopt *opts;
	size_t n;
	int rc = options_split(r, i, &opts, &n);

	if (rc == 0)
		r->snort3 = suri_is_snort3(opts, n);
	for (size_t k = 0; k < n && rc == 0; k++)
		rc = suri_run_option(r, &opts[k]);
	opts_free(opts, n);
	if (rc == 0) {
		while (*i < r->ln->len && isspace((unsigned char)r->ln->text[*i]))
			(*i)++;
		if (*i < r->ln->len)
			rc = suri_refuse(r, *i, "syntax", "text after the closing ')'");
	}
	return rc;
}

static void rule_store(struct sfile *f, struct srule *r, struct ynode *rule)
{
	struct suri_result *res = f->res;

	if (res->parsed == f->notes_cap) {
		size_t cap = f->notes_cap ? f->notes_cap * 2 : 64;
		char **nn = realloc(res->notes, cap * sizeof(*nn));

		if (!nn)
			goto oom;
		res->notes = nn;
		f->notes_cap = cap;
	}
	if (ynode_append(f->rules, NULL, rule) < 0)
		goto oom;
	res->notes[res->parsed++] = r->note[0] ? strdup(r->note) : NULL;
	return;
oom:
	diag_error(f->d, f->name, rule->line, 0, "out of memory");
	ynode_free_detached(rule);
}

/* The number after "KEY:" where the option follows '(' or ';' (and
 * blanks), or 0. */
static uint32_t text_option_u32(const char *t, const char *key)
{
	const char *p = t;
	uint64_t v;

	while ((p = strstr(p, key)) != NULL) {
		const char *b = p;
		char num[16];
		size_t n;

		while (b > t && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		p += strlen(key);
		if (b == t || (b[-1] != ';' && b[-1] != '('))
			continue;
		p += strspn(p, " \t");
		n = strspn(p, "0123456789");
		if (n == 0 || n >= sizeof(num))
			return 0;
		memcpy(num, p, n);
		num[n] = '\0';
		return suri_parse_u32(num, UINT32_MAX, &v) == 0 ? (uint32_t)v : 0;
	}
	return 0;
}

/* The sid and gid, looked up before parsing so that every message can
 * name the sid and the enable/disable lists can apply. */
static void sid_prescan(struct srule *r)
{
	r->sid = text_option_u32(r->ln->text, "sid:");
	r->has_sid = r->sid != 0;
	r->gid = text_option_u32(r->ln->text, "gid:");
	if (!r->gid)
		r->gid = 1;
}

/* threshold.config: `threshold` lines replace the rule's own threshold
 * (sid 0 lines apply only to rules without one), `suppress` lines add to
 * the rule's `suppress:` list. */
static int th_map(struct srule *r, struct ynode *rule, const struct suri_thresh *t)
{
	struct ynode *m = ynode_new_coll(r->f->root, YNODE_MAP, rule->line, rule->col);
	char num[2][16];

	snprintf(num[0], sizeof(num[0]), "%u", t->count);
	snprintf(num[1], sizeof(num[1]), "%u", t->seconds);
	if (!m ||
	    ymap_add(m, "type",
		     ynode_new_scalar(r->f->root, rule->line, rule->col, t->type, strlen(t->type),
				      true)) ||
	    ymap_add(m, "track",
		     ynode_new_scalar(r->f->root, rule->line, rule->col, t->track, strlen(t->track),
				      true)) ||
	    ymap_add(m, "count",
		     ynode_new_scalar(r->f->root, rule->line, rule->col, num[0], strlen(num[0]),
				      false)) ||
	    ymap_add(m, "seconds",
		     ynode_new_scalar(r->f->root, rule->line, rule->col, num[1], strlen(num[1]),
				      false))) {
		ynode_free_detached(m);
		return -1;
	}
	for (size_t i = 0; i < rule->n; i++)
		if (strcmp(rule->keys[i]->str, "threshold") == 0) {
			ynode_free_detached(rule->items[i]);
			rule->items[i] = m;
			return 0;
		}
	return ymap_add(rule, "threshold", m);
}

static int th_suppress(struct srule *r, struct ynode *rule, const struct suri_thresh *t)
{
	struct ynode *l = ymap_get(rule, "suppress");
	struct ynode *m = ynode_new_coll(r->f->root, YNODE_MAP, rule->line, rule->col);

	if (!m || !t->track[0] ||
	    ymap_add(m, "track",
		     ynode_new_scalar(r->f->root, rule->line, rule->col, t->track, strlen(t->track),
				      true)))
		goto fail;
	if (t->ip && ymap_add(m, "ip",
			      ynode_new_scalar(r->f->root, rule->line, rule->col, t->ip,
					       strlen(t->ip), true)))
		goto fail;
	if (!l) {
		l = ynode_new_coll(r->f->root, YNODE_SEQ, rule->line, rule->col);
		if (!l || ymap_add(rule, "suppress", l) < 0)
			goto fail;
	}
	if (ynode_append(l, NULL, m) < 0)
		goto fail;
	return 0;
fail:
	ynode_free_detached(m);
	return -1;
}

static int apply_thresholds(struct srule *r, struct ynode *rule)
{
	const struct suri_conf *c = r->f->conf;
	bool own = ymap_get(rule, "threshold") || ymap_get(rule, "detection_filter");

	for (size_t i = 0; i < c->n_th; i++) {
		const struct suri_thresh *t = &c->th[i];
		bool all = t->sid == 0,
		     mine = t->sid == r->sid && (t->gid == r->gid || t->gid == 0);
		int rc = 0;

		if (!all && !mine)
			continue;
		if (t->kind == SURI_TH_THRESHOLD && (mine || !own))
			rc = th_map(r, rule, t);
		else if (t->kind == SURI_TH_SUPPRESS && !t->ip)
			rc = ymap_get(rule, "noalert")
				     ? 0
				     : ymap_add(rule, "noalert",
						ynode_new_scalar(r->f->root, rule->line, rule->col,
								 "true", 4, false));
		else if (t->kind == SURI_TH_SUPPRESS)
			rc = th_suppress(r, rule, t);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void rule_parse(struct sfile *f, const struct sline *ln)
{
	struct srule r = {.f = f, .ln = ln, .pats = f->pats, .last_content = -1};
	struct ynode *rule;
	size_t i = 0;
	int rc;

	r.head = suri_coll(&r, 0, YNODE_MAP);
	r.extra = suri_coll(&r, 0, YNODE_MAP);
	if (!r.head || !r.extra)
		rc = suri_refuse(&r, 0, "syntax", "out of memory");
	else if (memchr(ln->text, '\0', ln->len))
		rc = suri_refuse(&r, 0, "syntax", "NUL byte in the rule");
	else {
		sid_prescan(&r);
		if (suri_filter_match(&f->conf->disable, r.gid, r.sid, ln->text, ln->len)) {
			f->res->skipped++;
			srule_free(&r);
			return;
		}
		rc = header_parse(&r, &i);
	}
	if (rc == 0 && (i == ln->len || ln->text[i] != '('))
		rc = suri_refuse(&r, i, "syntax", "expected '(' after the header");
	i++;
	if (rc == 0)
		rc = rule_options(&r, &i);
	if (rc == 0 && !r.skip && !r.sid_seen)
		rc = suri_refuse(&r, 0, "sid", "rule without a sid");
	if (rc == 0 && !r.skip && !ymap_get(r.head, "msg"))
		rc = ymap_add(r.head, "msg", suri_str(&r, 0, "", 0));
	if (rc < 0 || r.skip) {
		if (rc < 0) {
			f->res->failed++;
			count_fail(f, r.failkw[0] ? r.failkw : "syntax");
		} else {
			f->res->skipped++;
		}
		srule_free(&r);
		return;
	}
	rule = assemble(&r);
	if (rule && apply_thresholds(&r, rule) < 0) {
		ynode_free_detached(rule);
		rule = NULL;
	}
	srule_free(&r);
	if (!rule) {
		diag_error(f->d, f->name, ln->line[0], 0, "out of memory");
		return;
	}
	rule_store(f, &r, rule);
}

/* ------------------------------------------------------------ variables */

/* Suricata's defaults (suricata.yaml), overridden by the config's vars. */
static const struct {
	const char *name, *value;
} default_vars[] = {
	{"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
	{"EXTERNAL_NET", "!$HOME_NET"},
	{"HTTP_SERVERS", "$HOME_NET"},
	{"SMTP_SERVERS", "$HOME_NET"},
	{"SQL_SERVERS", "$HOME_NET"},
	{"DNS_SERVERS", "$HOME_NET"},
	{"TELNET_SERVERS", "$HOME_NET"},
	{"AIM_SERVERS", "$EXTERNAL_NET"},
	{"DC_SERVERS", "$HOME_NET"},
	{"DNP3_SERVER", "$HOME_NET"},
	{"DNP3_CLIENT", "$HOME_NET"},
	{"MODBUS_CLIENT", "$HOME_NET"},
	{"MODBUS_SERVER", "$HOME_NET"},
	{"ENIP_CLIENT", "$HOME_NET"},
	{"ENIP_SERVER", "$HOME_NET"},
	{"HTTP_PORTS", "80"},
	{"SHELLCODE_PORTS", "!80"},
	{"ORACLE_PORTS", "1521"},
	{"SSH_PORTS", "22"},
	{"DNP3_PORTS", "20000"},
	{"MODBUS_PORTS", "502"},
	{"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
	{"FTP_PORTS", "21"},
	{"GENEVE_PORTS", "6081"},
	{"VXLAN_PORTS", "4789"},
	{"TEREDO_PORTS", "3544"},
};

/* Room for `need` characters and the NUL after them. */
static int sline_reserve(struct sline *ln, size_t need)
{
	size_t cap = ln->cap ? ln->cap : 256;
	char *t;
	int *l, *k;

	if (need < ln->cap)
		return 0;
	while (cap <= need)
		cap *= 2;
	if (!(t = realloc(ln->text, cap)))
		return -1;
	ln->text = t;
	if (!(l = realloc(ln->line, cap * sizeof(int))))
		return -1;
	ln->line = l;
	if (!(k = realloc(ln->col, cap * sizeof(int))))
		return -1;
	ln->col = k;
	ln->cap = cap;
	return 0;
}

/* Append n characters of one source line, the first at column col (each
 * next one column further; col 0: all at column 0). */
static int sline_add(struct sline *ln, const char *s, size_t n, int line, int col)
{
	if (sline_reserve(ln, ln->len + n) < 0)
		return -1;
	memcpy(ln->text + ln->len, s, n);
	for (size_t i = 0; i < n; i++) {
		ln->line[ln->len + i] = line;
		ln->col[ln->len + i] = col ? col + (int)i : 0;
	}
	ln->len += n;
	ln->text[ln->len] = '\0';
	return 0;
}

static void sline_free(struct sline *ln)
{
	free(ln->text);
	free(ln->line);
	free(ln->col);
	memset(ln, 0, sizeof(*ln));
}

/* A variable's value text (at line/col) parsed like a header field. */
static struct ynode *var_value(struct sfile *f, const char *name, const char *text, int line,
			       int col)
{
	struct sline ln = {0};
	struct srule r = {.f = f, .ln = &ln};
	struct ynode *v = NULL;

	if (sline_add(&ln, text, strlen(text), line, 0) < 0)
		goto out;
	for (size_t i = 0; i < ln.len; i++)
		ln.col[i] = col;
	if (!ln.len) {
		diag_error(f->d, f->name, line, col, "variable %s is empty", name);
		goto out;
	}
	v = grp_parse(&r, 0, ln.len, name);
out:
	sline_free(&ln);
	return v;
}

/* A config variable: a scalar, or a list of scalars. */
static const char *config_var_text(const struct ynode *v, char *buf, size_t size)
{
	size_t used = 0;

	if (v->type == YNODE_SCALAR)
		return v->str;
	if (v->type != YNODE_SEQ)
		return NULL;
	used += (size_t)snprintf(buf, size, "[");
	for (size_t i = 0; i < v->n && used < size; i++)
		if (v->items[i]->type == YNODE_SCALAR)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "",
						 v->items[i]->str);
	if (used < size)
		snprintf(buf + used, size - used, "]");
	return buf;
}

static int vars_add(struct sfile *f, struct ynode *vars, const char *name, struct ynode *val)
{
	if (!val)
		return -1;
	if (ymap_get(vars, name)) {
		ynode_free_detached(val);
		return 0;
	}
	return ymap_add(vars, name, val);
}

/* Config vars (address-groups/port-groups, or flat) first, then defaults. */
static int vars_build(struct sfile *f, const struct ynode *cfg)
{
	struct ynode *vars = ynode_new_coll(f->root, YNODE_MAP, 1, 1);
	const char *const groups[] = {"address-groups", "port-groups"};
	char buf[4096];

	if (!vars || ymap_add(f->root, "vars", vars) < 0)
		return -1;
	for (size_t g = 0; cfg && cfg->type == YNODE_MAP && g < 2; g++) {
		const struct ynode *m = ymap_get(cfg, groups[g]);

		for (size_t i = 0; m && m->type == YNODE_MAP && i < m->n; i++) {
			const char *t = config_var_text(m->items[i], buf, sizeof(buf));

			if (t)
				vars_add(f, vars, m->keys[i]->str,
					 var_value(f, m->keys[i]->str, t, m->items[i]->line,
						   m->items[i]->col));
		}
	}
	for (size_t i = 0; cfg && cfg->type == YNODE_MAP && i < cfg->n; i++) {
		const char *t;

		if (strcmp(cfg->keys[i]->str, groups[0]) == 0 ||
		    strcmp(cfg->keys[i]->str, groups[1]) == 0)
			continue;
		t = config_var_text(cfg->items[i], buf, sizeof(buf));
		if (t)
			vars_add(f, vars, cfg->keys[i]->str,
				 var_value(f, cfg->keys[i]->str, t, cfg->items[i]->line,
					   cfg->items[i]->col));
	}
	for (size_t i = 0; i < sizeof(default_vars) / sizeof(default_vars[0]); i++)
		vars_add(f, vars, default_vars[i].name,
			 var_value(f, default_vars[i].name, default_vars[i].value, 0, 0));
	return 0;
}

/* ----------------------------------------------------------------- file */

static bool blank_or_comment(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	return i == n || s[i] == '#';
}

/* A commented-out rule ("# alert ...") that the enable list names: the
 * offset of its action word, else 0. */
static size_t enabled_comment(struct sfile *f, const char *s, size_t n)
{
	static const char *const acts[] = {"alert ", "pass ", "drop ", "reject ", NULL};
	char text[65536];
	size_t i = strspn(s, " \t");

	if (!f->conf->enable.n || i >= n || s[i] != '#' || n >= sizeof(text))
		return 0;
	i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '#'))
		i++;
	for (size_t k = 0; acts[k]; k++) {
		uint32_t sid, gid;

		if (n - i < strlen(acts[k]) || strncmp(s + i, acts[k], strlen(acts[k])))
			continue;
		memcpy(text, s + i, n - i);
		text[n - i] = '\0';
		sid = text_option_u32(text, "sid:");
		gid = text_option_u32(text, "gid:");
		return suri_filter_match(&f->conf->enable, gid ? gid : 1, sid, text, n - i) ? i : 0;
	}
	return 0;
}

/* Cut the text into logical rules and parse each. */
static int file_lines(struct sfile *f, const char *buf, size_t len)
{
	struct sline ln = {0};
	size_t pos = 0;
	int lineno = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;
		bool cont;

		lineno++;
		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (!ln.len && blank_or_comment(buf + pos, n)) {
			size_t skip = enabled_comment(f, buf + pos, n);

			if (!skip) {
				pos = end + 1;
				continue;
			}
			if (sline_add(&ln, buf + pos + skip, n - skip, lineno, (int)skip + 1) < 0)
				goto oom;
			rule_parse(f, &ln);
			ln.len = 0;
			pos = end + 1;
			continue;
		}
		while (n && (buf[pos + n - 1] == ' ' || buf[pos + n - 1] == '\t'))
			n--;
		cont = n && buf[pos + n - 1] == '\\';
		if (cont)
			n--;
		if (ln.len < SURI_MAX_RULE &&
		    sline_add(&ln, buf + pos,
			      n < SURI_MAX_RULE - ln.len ? n : SURI_MAX_RULE - ln.len, lineno,
			      1) < 0)
			goto oom;
		pos = end + 1;
		if (cont && pos < len)
			continue;
		if (ln.len)
			rule_parse(f, &ln);
		ln.len = 0;
	}
	sline_free(&ln);
	return 0;
oom:
	sline_free(&ln);
	diag_error(f->d, f->name, lineno, 0, "out of memory");
	return -1;
}

int suri_parse_buffer(const char *name, const char *buf, size_t len, const struct suri_conf *conf,
		      struct suri_result *out, struct diag *d)
{
	static const struct suri_conf none;
	struct sfile f = {.name = name, .d = d, .res = out, .conf = conf ? conf : &none};
	int rc;

	memset(out, 0, sizeof(*out));
	f.root = ytree_new_root(name);
	f.pats = malloc(SURI_MAX_PATTERNS * sizeof(*f.pats));
	if (!f.root || !f.pats)
		goto oom;
	f.name = f.root->file;
	out->root = f.root;
	if (vars_build(&f, conf ? conf->vars : NULL) < 0)
		goto oom;
	f.rules = ynode_new_coll(f.root, YNODE_SEQ, 1, 1);
	if (!f.rules || ymap_add(f.root, "rules", f.rules) < 0)
		goto oom;
	rc = file_lines(&f, buf, len);
	free(f.pats);
	return rc;
oom:
	if (!out->root)
		ytree_free(f.root);
	free(f.pats);
	diag_error(d, name, 0, 0, "out of memory");
	return -1;
}

int suri_parse_file(const char *path, const struct suri_conf *conf, struct suri_result *out,
		    struct diag *d)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!fp) {
		diag_error(d, path, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	do {
		if (len + 65536 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 65536);

			if (!nb) {
				free(buf);
				fclose(fp);
				diag_error(d, path, 0, 0, "out of memory");
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	rc = ferror(fp) ? -1 : 0;
	fclose(fp);
	if (rc < 0) {
		free(buf);
		diag_error(d, path, 0, 0, "read error");
		return -1;
	}
	rc = suri_parse_buffer(path, buf, len, conf, out, d);
	free(buf);
	return rc;
}

void suri_result_free(struct suri_result *res)
{
	if (!res)
		return;
	ytree_free(res->root);
	for (size_t i = 0; i < res->parsed; i++)
		free(res->notes ? res->notes[i] : NULL);
	free(res->notes);
	free(res->fails);
	memset(res, 0, sizeof(*res));
}

bool suri_is_rules_file(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 6 && strcmp(path + n - 6, ".rules") == 0;
}

static const struct suri_conf *load_conf;

void suri_set_conf(const struct suri_conf *conf)
{
	load_conf = conf;
}

struct ynode *suri_load_tree(const char *path, unsigned *failed, struct diag *d)
{
	struct suri_result res;
	struct ynode *root;
	char summary[512] = "";
	size_t used = 0;

	if (suri_parse_file(path, load_conf, &res, d) < 0) {
		suri_result_free(&res);
		return NULL;
	}
	for (size_t i = 0; i < res.n_fails && used < sizeof(summary); i++)
		used += (size_t)snprintf(summary + used, sizeof(summary) - used, "%s%s %u",
					 i ? ", " : "", res.fails[i].keyword, res.fails[i].count);
	if (res.failed)
		diag_warn(d, path, 0, 0, "%u rules parsed, %u failed (by keyword: %s)", res.parsed,
			  res.failed, summary);
	if (failed)
		*failed = res.failed;
	root = res.root;
	res.root = NULL;
	suri_result_free(&res);
	return root;
}
