/*
 * rule_keys.c - parsing the rule-level keys of rule language v2 into
 * struct rule_keys (see rule_keys.h and docs/rules.md).
 *
 * rules.c calls rule_keys_parse() for each rule after its own fields; every
 * key is parsed and every problem reported at its node ("rule N: ...") so
 * one pass lists them all, like the v1 fields. Header keyword values are
 * Suricata's option text (rule_header.c does the text), flowbits strings go
 * to rule_flowbits.c, classtype is looked up in the classification table
 * (rule_class.c).
 *
 * Scope: a header keyword (dsize, ttl, flags, ...) looks at one packet's
 * headers, so a rule using one is a packet rule; a TCP rule that did not
 * say `scope:` moves to scope packet, one that said `scope: stream` is an
 * error. flow: only_stream needs scope stream (given or the TCP default),
 * no_stream moves the rule to packets like a header keyword.
 *
 * Main thread only.
 */
#include "detect/rule_keys.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_detect.h"
#include "base/diag.h"
#include "base/log.h"
#include "base/yaml_tree.h"
#include "detect/rules.h"

static const char *const v2_keys[] = {"gid",
				      "action",
				      "classtype",
				      "priority",
				      "reference",
				      "noalert",
				      "app_proto",
				      "flow",
				      "flowbits",
				      "threshold",
				      "detection_filter",
				      "suppress",
				      "dsize",
				      "ttl",
				      "itype",
				      "icode",
				      "ip_id",
				      "seq",
				      "ack",
				      "window",
				      "flags",
				      "tcp_flags",
				      "fragbits",
				      "sameip",
				      "icmp_id",
				      "icmp_seq",
				      "ip_proto",
				      "vlan_id",
				      "ip_only",
				      "stream_size",
				      "xbits",
				      "flowint",
				      NULL};

/* Numeric header keywords and their fields. */
static const struct {
	const char *key;
	enum rule_hfield field;
} num_keys[] = {{"dsize", HF_DSIZE},	   {"ttl", HF_TTL},	      {"itype", HF_ITYPE},
		{"icode", HF_ICODE},	   {"ip_id", HF_IP_ID},	      {"seq", HF_SEQ},
		{"ack", HF_ACK},	   {"window", HF_WINDOW},     {"icmp_id", HF_ICMP_ID},
		{"icmp_seq", HF_ICMP_SEQ}, {"ip_proto", HF_IP_PROTO}, {"vlan_id", HF_VLAN_ID}};

#define N_NUM_KEYS (sizeof(num_keys) / sizeof(num_keys[0]))

/* One rule being parsed. */
struct kparse {
	struct rule *r;
	struct rule_keys *k;
	const struct ynode *map;
	struct diag *d;
};

__attribute__((format(printf, 3, 4))) static int kerr(struct kparse *p, const struct ynode *n,
						      const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(p->d, n->file, n->line, n->col, "rule %u: %s", p->r->pub.id, msg);
	return -1;
}

static bool uses_any(const struct ynode *map)
{
	for (size_t i = 0; v2_keys[i]; i++)
		if (ymap_get(map, v2_keys[i]))
			return true;
	return false;
}

/* A scalar's text; reports a collection. */
static int scalar(struct kparse *p, const struct ynode *n, const char *key, const char **out)
{
	*out = ""; /* also on an error: kerr's -1 is not known to the compiler */
	if (n->type != YNODE_SCALAR)
		return kerr(p, n, "%s takes a single value, got a collection", key);
	if (strlen(n->str) != n->len)
		return kerr(p, n, "%s must not contain NUL bytes", key);
	*out = n->str;
	return 0;
}

/* ------------------------------------------------------------- scalars */

static int key_gid_prio(struct kparse *p)
{
	const struct ynode *g = ymap_get(p->map, "gid"), *pr = ymap_get(p->map, "priority");
	int64_t v;
	int rc = 0;

	p->k->gid = 1;
	if (g && ynode_int(g, 1, UINT32_MAX, &v, p->d))
		p->k->gid = (uint32_t)v;
	else if (g)
		rc = -1;
	if (pr && ynode_int(pr, 1, 255, &v, p->d))
		p->k->priority = (int)v;
	else if (pr)
		rc = -1;
	return rc;
}

static int key_action(struct kparse *p)
{
	static const char *const names[] = {"alert", "pass", "drop", "reject", NULL};
	static bool noted;
	const struct ynode *n = ymap_get(p->map, "action");
	const char *s;

	if (!n)
		return 0;
	if (scalar(p, n, "action", &s) < 0)
		return -1;
	for (int i = 0; names[i]; i++) {
		if (strcmp(s, names[i]) != 0)
			continue;
		p->k->action = (uint8_t)i;
		if ((i == RULE_ACTION_DROP || i == RULE_ACTION_REJECT) && !noted) {
			noted = true;
			log_info("%s:%d: rules with action drop or reject raise alerts like alert: "
				 "this passive sensor drops and rejects nothing",
				 n->file, n->line);
		}
		return 0;
	}
	return kerr(p, n, "action must be one of alert, pass, drop, reject, got '%s'", s);
}

static int key_bool(struct kparse *p, const char *key, bool *out)
{
	const struct ynode *n = ymap_get(p->map, key);

	if (!n)
		return 0;
	return ynode_bool(n, out, p->d) ? 0 : -1;
}

static int key_classtype(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "classtype");
	const char *s, *desc;
	int prio;

	if (!n)
		return 0;
	if (scalar(p, n, "classtype", &s) < 0)
		return -1;
	if (!rule_class_find(s, &desc, &prio))
		return kerr(p, n,
			    "classtype '%s' is not in the classification file (set "
			    "classification-file: in sensor.yaml to a classification.config "
			    "that defines it)",
			    s);
	p->k->classtype = strdup(s);
	p->k->class_desc = strdup(desc);
	p->k->class_prio = prio;
	return p->k->classtype && p->k->class_desc ? 0 : kerr(p, n, "out of memory");
}

static int key_reference(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "reference");
	size_t cnt;

	if (!n)
		return 0;
	cnt = n->type == YNODE_SEQ ? n->n : 1;
	p->k->refs = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!p->k->refs)
		return kerr(p, n, "out of memory");
	for (size_t i = 0; i < cnt; i++) {
		const struct ynode *e = n->type == YNODE_SEQ ? n->items[i] : n;
		const char *s;

		if (scalar(p, e, "reference", &s) < 0)
			return -1;
		if (!strchr(s, ',') || s[0] == ',')
			return kerr(p, e,
				    "reference must be \"type,value\" (e.g. \"cve,2021-44228\"), "
				    "got '%s'",
				    s);
		p->k->refs[p->k->n_refs] = strdup(s);
		if (!p->k->refs[p->k->n_refs++])
			return kerr(p, e, "out of memory");
	}
	return 0;
}

static int key_app_proto(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "app_proto");
	const char *s;

	if (!n)
		return 0;
	if (scalar(p, n, "app_proto", &s) < 0)
		return -1;
	p->k->app_neg = s[0] == '!';
	s += p->k->app_neg;
	for (int a = APP_HTTP; a <= APP_RDP; a++)
		if (strcmp(s, app_proto_name((enum app_proto)a)) == 0) {
			p->k->has_app = true;
			p->k->app = (uint8_t)a;
			return 0;
		}
	return kerr(
		p, n,
		"app_proto '%s' is not a protocol this sensor recognises (known: http, tls, dns, "
		"ssh, smtp, ftp, imap, pop3, smb, rdp; '!' negates)",
		s);
}

/* ---------------------------------------------------------------- flow */

static const struct {
	const char *name;
	uint8_t bit;
} flow_opts[] = {{"established", RFLOW_ESTABLISHED}, {"not_established", RFLOW_NOT_ESTABLISHED},
		 {"stateless", RFLOW_STATELESS},     {"to_server", RFLOW_TO_SERVER},
		 {"from_client", RFLOW_TO_SERVER},   {"to_client", RFLOW_TO_CLIENT},
		 {"from_server", RFLOW_TO_CLIENT},   {"only_stream", RFLOW_ONLY_STREAM},
		 {"no_stream", RFLOW_NO_STREAM}};

static int flow_word(struct kparse *p, const struct ynode *n, const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(flow_opts) / sizeof(flow_opts[0]); i++)
		if (strlen(flow_opts[i].name) == len && strncmp(w, flow_opts[i].name, len) == 0) {
			p->k->flow |= flow_opts[i].bit;
			return 0;
		}
	return kerr(p, n,
		    "unknown flow option '%.*s' (valid: established, not_established, stateless, "
		    "to_server, to_client, from_server, from_client, only_stream, no_stream)",
		    (int)len, w);
}

/* One element: an option, or several separated by commas. */
static int flow_item(struct kparse *p, const struct ynode *n)
{
	const char *s, *e;

	if (scalar(p, n, "flow", &s) < 0)
		return -1;
	for (;; s = e + 1) {
		while (*s == ' ')
			s++;
		e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		while (len && s[len - 1] == ' ')
			len--;
		if (flow_word(p, n, s, len) < 0)
			return -1;
		if (!e)
			return 0;
	}
}

static int key_flow(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "flow");
	uint8_t f;

	if (!n)
		return 0;
	for (size_t i = 0; i < (n->type == YNODE_SEQ ? n->n : 1); i++)
		if (flow_item(p, n->type == YNODE_SEQ ? n->items[i] : n) < 0)
			return -1;
	f = p->k->flow;
	if ((f & RFLOW_ESTABLISHED) && (f & RFLOW_NOT_ESTABLISHED))
		return kerr(p, n, "flow: established and not_established exclude each other");
	if ((f & RFLOW_TO_SERVER) && (f & RFLOW_TO_CLIENT))
		return kerr(p, n, "flow: to_server and to_client exclude each other");
	if ((f & RFLOW_ONLY_STREAM) && (f & RFLOW_NO_STREAM))
		return kerr(p, n, "flow: only_stream and no_stream exclude each other");
	return 0;
}

/* ------------------------------------------------------------ flowbits */

static int fb_item(struct kparse *p, const struct ynode *n)
{
	struct rule_fb_op *op = &p->k->fb[p->k->n_fb];
	char err[300];
	const char *s;
	int rc;

	if (scalar(p, n, "flowbits", &s) < 0)
		return -1;
	rc = rule_fb_parse(s, op, err, sizeof(err));
	if (rc < 0) {
		free(op->bits);
		op->bits = NULL;
		return kerr(p, n, "%s", err);
	}
	if (rc == 1) {
		p->k->noalert = true;
		return 0;
	}
	p->k->n_fb++;
	if (op->cmd >= FB_ISSET)
		p->k->fb_checks = true;
	else
		p->k->fb_writes = true;
	return 0;
}

static int key_flowbits(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "flowbits");
	size_t cnt;
	int rc = 0;

	if (!n)
		return 0;
	cnt = n->type == YNODE_SEQ ? n->n : 1;
	p->k->fb = calloc(cnt ? cnt : 1, sizeof(*p->k->fb));
	if (!p->k->fb)
		return kerr(p, n, "out of memory");
	for (size_t i = 0; i < cnt; i++)
		rc |= fb_item(p, n->type == YNODE_SEQ ? n->items[i] : n);
	return rc;
}

/* --------------------------------------------------------------- xbits */

static int xb_item(struct kparse *p, const struct ynode *n)
{
	struct rule_xb_op *op = &p->k->xb[p->k->n_xb];
	char err[300];
	const char *s;
	int rc;

	if (scalar(p, n, "xbits", &s) < 0)
		return -1;
	rc = rule_xb_parse(s, op, err, sizeof(err));
	if (rc < 0)
		return kerr(p, n, "xbits: %s", err);
	if (rc == 1) {
		p->k->noalert = true;
		return 0;
	}
	p->k->n_xb++;
	if (op->cmd >= FB_ISSET)
		p->k->xb_checks = true;
	else
		p->k->xb_writes = true;
	return 0;
}

static int key_xbits(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "xbits");
	size_t cnt;
	int rc = 0;

	if (!n)
		return 0;
	cnt = n->type == YNODE_SEQ ? n->n : 1;
	p->k->xb = calloc(cnt ? cnt : 1, sizeof(*p->k->xb));
	if (!p->k->xb)
		return kerr(p, n, "out of memory");
	for (size_t i = 0; i < cnt; i++)
		rc |= xb_item(p, n->type == YNODE_SEQ ? n->items[i] : n);
	return rc;
}

/* ------------------------------------------------------------- flowint */

static int fi_item(struct kparse *p, const struct ynode *n)
{
	struct rule_fi_op *op = &p->k->fi[p->k->n_fi];
	char err[300];
	const char *s;

	if (scalar(p, n, "flowint", &s) < 0)
		return -1;
	if (rule_fi_parse(s, op, err, sizeof(err)) < 0)
		return kerr(p, n, "flowint: %s", err);
	p->k->n_fi++;
	if (op->op >= FI_EQ)
		p->k->fi_checks = true;
	else
		p->k->fi_writes = true;
	return 0;
}

static int key_flowint(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "flowint");
	size_t cnt;
	int rc = 0;

	if (!n)
		return 0;
	cnt = n->type == YNODE_SEQ ? n->n : 1;
	p->k->fi = calloc(cnt ? cnt : 1, sizeof(*p->k->fi));
	if (!p->k->fi)
		return kerr(p, n, "out of memory");
	for (size_t i = 0; i < cnt; i++)
		rc |= fi_item(p, n->type == YNODE_SEQ ? n->items[i] : n);
	return rc;
}

/* ----------------------------------------------------------- threshold */

static int thr_choice(struct kparse *p, const struct ynode *m, const char *key,
		      const char *const *names, int *out)
{
	const struct ynode *n = ymap_get(m, key);
	const char *s;
	char valid[120] = "";

	if (!n)
		return kerr(p, m, "missing '%s'", key);
	if (scalar(p, n, key, &s) < 0)
		return -1;
	for (int i = 0; names[i]; i++) {
		if (*names[i] && strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
		if (*names[i])
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
				 *valid ? ", " : "", names[i]);
	}
	return kerr(p, n, "%s must be one of %s, got '%s'", key, valid, s);
}

/* type backoff: track by_flow, count and multiplier, no seconds. */
static int thr_backoff(struct kparse *p, const struct ynode *m, int track, struct rule_thr *t)
{
	const struct ynode *c = ymap_get(m, "count"), *mul = ymap_get(m, "multiplier");
	int64_t count = 0, multiplier = 0;

	if (track != TRACK_BY_FLOW || !c || !mul || ymap_get(m, "seconds"))
		return kerr(p, m,
			    "threshold type backoff needs track by_flow, count and multiplier "
			    "(no seconds)");
	if (!ynode_int(c, 1, UINT32_MAX, &count, p->d) ||
	    !ynode_int(mul, 1, UINT32_MAX, &multiplier, p->d))
		return -1;
	*t = (struct rule_thr){true, THR_BACKOFF,	  TRACK_BY_FLOW, (uint32_t)count,
			       0,    (uint32_t)multiplier};
	return 0;
}

static int thr_parse(struct kparse *p, const char *key, struct rule_thr *t)
{
	static const char *const types[] = {"limit", "threshold", "both", "", "backoff", NULL};
	static const char *const tracks[] = {"by_src", "by_dst",  "by_both", "by_rule",
					     "",       "by_flow", NULL};
	static const char *const keys_thr[] = {"type",	  "track",	"count",
					       "seconds", "multiplier", NULL};
	static const char *const keys_df[] = {"track", "count", "seconds", NULL};
	const struct ynode *m = ymap_get(p->map, key), *c, *sec;
	bool df = strcmp(key, "detection_filter") == 0;
	int type = THR_DETECTION, track = 0, rc = 0;
	int64_t count = 0, seconds = 0;

	if (!m)
		return 0;
	if (ymap_check_keys(m, df ? keys_df : keys_thr, key, p->d))
		return -1;
	if (!df)
		rc |= thr_choice(p, m, "type", types, &type);
	rc |= thr_choice(p, m, "track", tracks, &track);
	if (rc == 0 && type == THR_BACKOFF)
		return thr_backoff(p, m, track, t);
	if (rc == 0 && track == TRACK_BY_FLOW)
		return kerr(p, m, "track by_flow is for threshold type backoff only");
	if (ymap_get(m, "multiplier"))
		return kerr(p, m, "multiplier is for threshold type backoff only");
	c = ymap_get(m, "count");
	sec = ymap_get(m, "seconds");
	if (!c || !sec)
		return kerr(p, m, "%s needs count and seconds", key);
	if (!ynode_int(c, 1, UINT32_MAX, &count, p->d) ||
	    !ynode_int(sec, 1, UINT32_MAX, &seconds, p->d))
		return -1;
	if (rc == 0 && rule_thr_table_init() < 0)
		return kerr(p, m, "out of memory");
	*t = (struct rule_thr){
		true, (uint8_t)type, (uint8_t)track, (uint32_t)count, (uint32_t)seconds, 0};
	return rc;
}

/* ------------------------------------------------------------ suppress */

/* One address element (may be "[a,b]" or "a,b"): into s->ips. */
static int supp_addrs(struct kparse *p, const struct ynode *n, struct rule_suppress *s)
{
	char buf[512], err[200], *tok, *save = NULL;
	const char *text;

	if (scalar(p, n, "ip", &text) < 0)
		return -1;
	if (strlen(text) >= sizeof(buf))
		return kerr(p, n, "suppress ip list too long");
	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, "[], ", &save); tok; tok = strtok_r(NULL, "[], ", &save)) {
		struct addr_block b;

		if (tok[0] == '$' || (tok[0] == '!' && tok[1] == '$'))
			return kerr(p, n, "suppress ip: variables are not expanded here ('%s')",
				    tok);
		if (addr_block_parse(tok, &b, err, sizeof(err)) < 0)
			return kerr(p, n, "suppress ip: %s", err);
		if (addr_set_add(&s->ips, &b) < 0)
			return kerr(p, n, "out of memory");
	}
	if (s->ips.n == 0)
		return kerr(p, n, "suppress ip: no address");
	return 0;
}

static int supp_item(struct kparse *p, const struct ynode *m, struct rule_suppress *s)
{
	static const char *const keys[] = {"track", "ip", NULL};
	static const char *const tracks[] = {"by_src", "by_dst", "", "", "by_either", NULL};
	const struct ynode *ip = ymap_get(m, "ip");
	int track = TRACK_BY_EITHER, rc = 0;

	if (ymap_check_keys(m, keys, "suppress", p->d))
		return -1;
	if (ymap_get(m, "track"))
		rc |= thr_choice(p, m, "track", tracks, &track);
	else if (ip)
		rc = kerr(p, m, "suppress with ip needs track (by_src, by_dst or by_either)");
	s->track = (uint8_t)track;
	s->all = ip == NULL;
	if (ip && ip->type == YNODE_SEQ) {
		for (size_t i = 0; i < ip->n && rc == 0; i++)
			rc |= supp_addrs(p, ip->items[i], s);
	} else if (ip) {
		rc |= supp_addrs(p, ip, s);
	}
	return rc;
}

static int key_suppress(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "suppress");
	size_t cnt;
	int rc = 0;

	if (!n)
		return 0;
	cnt = n->type == YNODE_SEQ ? n->n : 1;
	p->k->supp = calloc(cnt ? cnt : 1, sizeof(*p->k->supp));
	if (!p->k->supp)
		return kerr(p, n, "out of memory");
	for (size_t i = 0; i < cnt; i++, p->k->n_supp++)
		rc |= supp_item(p, n->type == YNODE_SEQ ? n->items[i] : n, &p->k->supp[i]);
	return rc;
}

/* ------------------------------------------------------ header keywords */

static int key_num(struct kparse *p, const char *key, enum rule_hfield field)
{
	const struct ynode *n = ymap_get(p->map, key);
	struct rule_num_test *t = &p->k->tests[p->k->n_tests];
	char err[200];
	const char *s;

	if (!n)
		return 0;
	if (scalar(p, n, key, &s) < 0)
		return -1;
	if (rule_num_parse(s, field, t, err, sizeof(err)) < 0)
		return kerr(p, n, "%s: %s", key, err);
	p->k->n_tests++;
	if (field != HF_IP_PROTO && field != HF_VLAN_ID)
		p->k->packet_only = true;
	return 0;
}

static int key_bits(struct kparse *p, const char *key, bool frag, struct rule_bits_test *t)
{
	const struct ynode *n = ymap_get(p->map, key);
	char err[200];
	const char *s;
	int rc;

	if (!n)
		return 0;
	if (t->on)
		return kerr(p, n, "flags and tcp_flags are the same keyword: give one");
	if (scalar(p, n, key, &s) < 0)
		return -1;
	rc = frag ? rule_fragbits_parse(s, t, err, sizeof(err))
		  : rule_flags_parse(s, t, err, sizeof(err));
	if (rc < 0)
		return kerr(p, n, "%s: %s", key, err);
	p->k->packet_only = true;
	return 0;
}

static int key_headers(struct kparse *p)
{
	int rc = 0;

	p->k->tests = calloc(N_NUM_KEYS, sizeof(*p->k->tests));
	if (!p->k->tests)
		return kerr(p, p->map, "out of memory");
	for (size_t i = 0; i < N_NUM_KEYS; i++)
		rc |= key_num(p, num_keys[i].key, num_keys[i].field);
	rc |= key_bits(p, "flags", false, &p->k->flags);
	rc |= key_bits(p, "tcp_flags", false, &p->k->flags);
	rc |= key_bits(p, "fragbits", true, &p->k->fragbits);
	rc |= key_bool(p, "sameip", &p->k->sameip);
	return rc;
}

static int ssize_item(struct kparse *p, const struct ynode *n)
{
	char err[200];
	const char *s;

	if (scalar(p, n, "stream_size", &s) < 0)
		return -1;
	if (rule_ssize_parse(s, &p->k->ssize[p->k->n_ssize], err, sizeof(err)) < 0)
		return kerr(p, n, "stream_size: %s", err);
	p->k->n_ssize++;
	return 0;
}

/* stream_size: one option string, or a list of them (all must hold). */
static int key_stream_size(struct kparse *p)
{
	const struct ynode *n = ymap_get(p->map, "stream_size");
	size_t cnt;
	int rc = 0;

	if (!n)
		return 0;
	cnt = n->type == YNODE_SEQ ? n->n : 1;
	p->k->ssize = calloc(cnt ? cnt : 1, sizeof(*p->k->ssize));
	if (!p->k->ssize)
		return kerr(p, n, "out of memory");
	for (size_t i = 0; i < cnt; i++)
		rc |= ssize_item(p, n->type == YNODE_SEQ ? n->items[i] : n);
	return rc;
}

/* ---------------------------------------------------------------- scope */

static void set_scope(struct rule *r, enum rule_scope s)
{
	r->scope = s;
	r->pub.scope = (uint8_t)(s == RULE_SCOPE_STREAM ? IDS_SCOPE_STREAM : IDS_SCOPE_PACKET);
}

static int key_scope(struct kparse *p)
{
	const struct ynode *sc = ymap_get(p->map, "scope");
	struct rule *r = p->r;
	bool packet = p->k->packet_only || (p->k->flow & RFLOW_NO_STREAM);

	if (packet)
		r->tcp_stream = false; /* scope auto: single packets after all */
	if ((p->k->flow & RFLOW_ONLY_STREAM) && r->tcp_stream) {
		r->tcp_stream = false;
		set_scope(r, RULE_SCOPE_STREAM);
	}
	if (packet && r->scope == RULE_SCOPE_STREAM) {
		if (sc)
			return kerr(p, sc,
				    "scope stream cannot be used with header keywords or flow "
				    "no_stream (they look at single packets): use scope: packet");
		set_scope(r, RULE_SCOPE_PACKET);
	}
	if ((p->k->flow & RFLOW_ONLY_STREAM) && r->scope != RULE_SCOPE_STREAM) {
		if (sc || r->proto == RULE_PROTO_UDP || r->proto == RULE_PROTO_ICMP)
			return kerr(p, ymap_get(p->map, "flow"),
				    "flow only_stream needs scope stream (proto tcp or ip)");
		set_scope(r, RULE_SCOPE_STREAM);
	}
	return 0;
}

/* ------------------------------------------------------------------ api */

/*
 * Does a pass rule pass the whole flow, whatever it matched on (Suricata's
 * action scope "auto")? Yes for an app-layer rule (a buffer), an IP-only
 * rule and a protocol-detection-only rule (no pattern, pcre, flowbits or
 * packet header keyword); a rule with patterns passes the flow only when it
 * matched stream data (rule_eval.c), else the packet.
 */
static bool pass_scope_flow(const struct rule *r)
{
	const struct rule_keys *k = r->keys;

	if (r->buffer)
		return true;
	return r->n_patterns == 0 && !r->pcre && !k->n_fb && !k->n_xb && !k->n_fi &&
	       !k->packet_only;
}

int rule_keys_parse(struct rule *r, const struct ynode *map, struct diag *d)
{
	struct kparse p = {r, NULL, map, d};
	int rc = 0;

	if (map->type != YNODE_MAP || !uses_any(map))
		return 0;
	r->keys = p.k = calloc(1, sizeof(*p.k));
	if (!p.k)
		return kerr(&p, map, "out of memory");
	rc |= key_gid_prio(&p);
	rc |= key_action(&p);
	rc |= key_bool(&p, "noalert", &p.k->noalert);
	rc |= key_bool(&p, "ip_only", &p.k->ip_only);
	rc |= key_classtype(&p);
	rc |= key_reference(&p);
	rc |= key_app_proto(&p);
	rc |= key_flow(&p);
	rc |= key_flowbits(&p);
	rc |= key_xbits(&p);
	rc |= key_flowint(&p);
	rc |= thr_parse(&p, "threshold", &p.k->threshold);
	rc |= thr_parse(&p, "detection_filter", &p.k->detection);
	rc |= key_suppress(&p);
	rc |= key_headers(&p);
	rc |= key_stream_size(&p);
	if (rc == 0)
		rc = key_scope(&p);
	p.k->severity_given = ymap_get(map, "severity") != NULL;
	p.k->category_given = ymap_get(map, "category") != NULL;
	p.k->flow_pass = p.k->action == RULE_ACTION_PASS && pass_scope_flow(r);
	return rc;
}

void rule_keys_apply(struct rule *r)
{
	const struct rule_keys *k = r->keys;

	if (!k)
		return;
	r->pub.gid = k->gid;
	if (!k->severity_given && k->priority)
		r->pub.severity = k->priority;
	else if (!k->severity_given && k->classtype)
		r->pub.severity = k->class_prio;
	if (!k->category_given && k->class_desc)
		r->pub.category = k->class_desc;
}

void rule_keys_free(struct rule_keys *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n_refs; i++)
		free(k->refs[i]);
	free(k->refs);
	for (size_t i = 0; i < k->n_fb; i++)
		free(k->fb[i].bits);
	free(k->fb);
	free(k->xb);
	free(k->ssize);
	free(k->fi);
	for (size_t i = 0; i < k->n_supp; i++)
		addr_set_free(&k->supp[i].ips);
	free(k->supp);
	free(k->tests);
	free(k->classtype);
	free((char *)k->class_desc);
	free(k);
}

/* The v1 names then the v2 names, and their set, made at the first check
 * (main thread, like every rule load) and again when v1 is another list. */
static struct {
	const char *const *v1;
	const char *all[96];
	struct ykeyset set;
} key_checks;

unsigned rule_keys_check(const struct ynode *map, const char *const *v1, struct diag *d)
{
	size_t n = 0;

	if (key_checks.v1 != v1 || !key_checks.set.ready) {
		for (size_t i = 0; v1[i] && n < 64; i++)
			key_checks.all[n++] = v1[i];
		for (size_t i = 0; v2_keys[i]; i++)
			key_checks.all[n++] = v2_keys[i];
		key_checks.all[n] = NULL;
		key_checks.v1 = ykeyset_init(&key_checks.set, key_checks.all) == 0 ? v1 : NULL;
	}
	if (key_checks.v1 == v1)
		return ymap_check_keyset(map, &key_checks.set, "rule", d);
	return ymap_check_keys(map, key_checks.all, "rule", d);
}

/* Evaluation rank: pass rules, flowbit writers, the rest, flowbit readers. */
static int rule_rank(const struct rule *r)
{
	const struct rule_keys *k = r->keys;
	bool writes, checks;

	if (!k)
		return 2;
	writes = k->fb_writes || k->xb_writes || k->fi_writes;
	checks = k->fb_checks || k->xb_checks || k->fi_checks;
	if (k->action == RULE_ACTION_PASS)
		return 0;
	if (writes && !checks)
		return 1;
	if (checks && !writes)
		return 3;
	return 2;
}

/* rules[0..ranked) are still what the last order left: counted ranks that
 * add up (a ruleset changed in between is ordered again from scratch). */
static size_t ranked_prefix(const struct ruleset *rs)
{
	if (rs->ranked > rs->n || rs->rank_end[3] != rs->ranked)
		return 0;
	for (int r = 1; r < 4; r++)
		if (rs->rank_end[r] < rs->rank_end[r - 1])
			return 0;
	return rs->ranked;
}

/* A stable merge by rank of the ordered prefix (its segments copied whole)
 * and the rules added since (ranked once each), so a load of many files
 * ranks each rule once. */
void rule_keys_order(struct ruleset *rs)
{
	size_t old = ranked_prefix(rs), add = rs->n - old, at = 0, from = 0;
	struct rule **sorted;
	uint8_t *rank;

	if (rs->n < 2 || !add)
		return;
	sorted = malloc(rs->n * sizeof(*sorted));
	rank = malloc(add);
	if (!sorted || !rank) {
		free(sorted);
		free(rank);
		return; /* file order: flowbits within a packet may then be missed */
	}
	if (!old)
		memset(rs->rank_end, 0, sizeof(rs->rank_end));
	for (size_t i = 0; i < add; i++)
		rank[i] = (uint8_t)rule_rank(rs->rules[old + i]);
	for (int r = 0; r < 4; r++) {
		memcpy(sorted + at, rs->rules + from, (rs->rank_end[r] - from) * sizeof(*sorted));
		at += rs->rank_end[r] - from;
		from = rs->rank_end[r];
		for (size_t i = 0; i < add; i++)
			if (rank[i] == r)
				sorted[at++] = rs->rules[old + i];
		rs->rank_end[r] = at;
	}
	memcpy(rs->rules, sorted, rs->n * sizeof(*sorted));
	rs->ranked = rs->n;
	free(rank);
	free(sorted);
}

/* ------------------------------------------------- option text helpers */

bool rule_text_item(const char **s, const char **w, size_t *n)
{
	const char *b = *s, *e;

	while (*b == ' ' || *b == '\t')
		b++;
	if (!*b)
		return false;
	e = b + strcspn(b, ",");
	*s = *e ? e + 1 : e;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*w = b;
	*n = (size_t)(e - b);
	return true;
}

uint64_t rule_name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
