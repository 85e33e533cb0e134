/*
 * rules.c - YAML rule files, v1 and v2 (see rules.h and docs/rules.md): the
 * file, its variables, each rule's header and rule-level fields.
 *
 * Design: a file is parsed into a yaml_tree, then each entry of `rules:` is
 * turned into a struct rule field by field. Every field parser reports its
 * own problems at the offending node and returns -1; the rule parser runs
 * all of them so one pass lists every problem of a rule, then drops the
 * rule if any failed. Loading then goes on with the next rule. The number
 * of errors returned is the growth of the diag error count.
 *
 * Variables: `vars:` maps a name to a scalar or a list, referenced as $NAME
 * (or !$NAME) in src, dst, src_port and dst_port. A variable is parsed as
 * an address or a port list only where it is used, so one variable may
 * serve both. Lists are flattened: [A, !B, $V] is the set of A's elements,
 * B negated and V's elements. Negating a variable negates each of its
 * elements, which is only exact when none of them is negated already, so a
 * negated item under a negation is refused. Expansion is depth-limited and
 * cycles are reported. A broken element inside `vars:` is reported once,
 * not once per rule that uses it.
 *
 * Patterns (`patterns:`, `pcre:`) are parsed by rules_pattern.c; the
 * parse state both parts share is in rules_internal.h.
 *
 * "any" inside a list matches every value, so the list's positive elements
 * are dropped and only its negated ones remain; a set with nothing left is
 * `any`.
 *
 * Invariants: every pub string points into the rule's own storage; pub.priv
 * points to the rule; ids in a ruleset are unique (checked with a hash of
 * the ruleset's ids, kept in the ruleset from one load to the next). Main
 * thread only.
 */
#include "detect/rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rule_event.h"
#include "detect/matcher_prefilter.h"
#include "detect/rule_keys.h"
#include "detect/rules_byteop.h"
#include "detect/rules_internal.h"
#include "detect/rules_suricata.h"

#define VAR_MAX_DEPTH 16

enum set_kind { SET_ADDR, SET_PORT };

/* One address or port field being expanded. */
struct set_build {
	enum set_kind kind;
	void *set; /* struct addr_set or struct port_set */
	bool any_seen;
	const char *names[VAR_MAX_DEPTH]; /* variables being expanded */
	size_t depth;
};

/* ------------------------------------------------------------ messages */

/* Report at `n`, prefixed with the rule id when known. Inside a variable
 * (`in_var`), an element is reported only the first time. */
int rule_err(struct rparse *p, const struct ynode *n, bool in_var, const char *fmt, ...)
{
	struct rload *ld = p->ld;
	char msg[400];
	va_list ap;

	if (in_var) {
		for (size_t i = 0; i < ld->n_reported; i++)
			if (ld->reported[i] == n)
				return -1;
		const struct ynode **nr = realloc(ld->reported, (ld->n_reported + 1) * sizeof(*nr));
		if (nr) {
			nr[ld->n_reported++] = n;
			ld->reported = nr;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->has_id)
		diag_error(ld->d, n->file, n->line, n->col, "rule %u: %s", p->r->pub.id, msg);
	else
		diag_error(ld->d, n->file, n->line, n->col, "%s", msg);
	return -1;
}

/* Column of byte `off` of a scalar's value when it can be known (one line,
 * ASCII, no escapes), else the scalar's own column. */
int rule_scalar_col(const struct ynode *n, size_t off)
{
	int span = n->end_col - n->col;

	if (n->line != n->end_line)
		return n->col;
	for (size_t i = 0; i < n->len; i++)
		if ((unsigned char)n->str[i] >= 0x80)
			return n->col;
	if (!n->quoted && span == (int)n->len)
		return n->col + (int)off;
	if (n->quoted && span == (int)n->len + 2)
		return n->col + 1 + (int)off;
	return n->col;
}

bool rule_has_nul(const struct ynode *n)
{
	return strlen(n->str) != n->len;
}

/* -------------------------------------------------------------- id map */

static size_t idmap_slot(const struct idmap *m, uint32_t id)
{
	size_t i = (size_t)(id * 2654435761u) & (m->cap - 1);

	while (m->ids[i] && m->ids[i] != id)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int idmap_put(struct idmap *m, const struct rule *r);

static int idmap_grow(struct idmap *m)
{
	struct idmap bigger = {.cap = m->cap ? m->cap * 2 : 64};

	bigger.ids = calloc(bigger.cap, sizeof(*bigger.ids));
	bigger.rules = calloc(bigger.cap, sizeof(*bigger.rules));
	if (!bigger.ids || !bigger.rules) {
		free(bigger.ids);
		free(bigger.rules);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->ids[i])
			idmap_put(&bigger, m->rules[i]);
	free(m->ids);
	free(m->rules);
	*m = bigger;
	return 0;
}

static int idmap_put(struct idmap *m, const struct rule *r)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && idmap_grow(m) < 0)
		return -1;
	i = idmap_slot(m, r->pub.id);
	if (!m->ids[i])
		m->n++;
	m->ids[i] = r->pub.id;
	m->rules[i] = r;
	return 0;
}

static const struct rule *idmap_get(const struct idmap *m, uint32_t id)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = idmap_slot(m, id);
	return m->ids[i] ? m->rules[i] : NULL;
}

static void idmap_free(struct idmap *m)
{
	free(m->ids);
	free(m->rules);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------- address and ports */

static int set_expand(struct rparse *p, struct set_build *sb, const struct ynode *n, bool negate);

/* An address range "A-B" (Suricata's notation) as the CIDR blocks that
 * cover it; negated, each block is. */
static int set_add_range(struct rparse *p, struct set_build *sb, const struct ynode *n,
			 const char *text, bool negate)
{
	struct addr_block blocks[ADDR_RANGE_MAX_BLOCKS];
	char err[200];
	size_t nb;

	if (addr_range_parse(text, blocks, &nb, err, sizeof(err)) < 0)
		return rule_err(p, n, sb->depth > 0, "%s", err);
	for (size_t i = 0; i < nb; i++) {
		blocks[i].negated = negate;
		if (addr_set_add(sb->set, &blocks[i]) < 0)
			return rule_err(p, n, false, "out of memory");
	}
	return 0;
}

static int set_add_element(struct rparse *p, struct set_build *sb, const struct ynode *n,
			   const char *text, bool negate)
{
	bool in_var = sb->depth > 0;
	char err[200];
	int rc;

	if (sb->kind == SET_ADDR && strchr(text, '-'))
		return set_add_range(p, sb, n, text, negate);
	if (sb->kind == SET_ADDR) {
		struct addr_block b;

		if (addr_block_parse(text, &b, err, sizeof(err)) < 0)
			return rule_err(p, n, in_var, "%s", err);
		b.negated = negate;
		rc = addr_set_add(sb->set, &b);
	} else {
		struct port_range r;

		if (port_range_parse(text, &r, err, sizeof(err)) < 0)
			return rule_err(p, n, in_var, "%s", err);
		r.negated = negate;
		rc = port_set_add(sb->set, &r);
	}
	return rc < 0 ? rule_err(p, n, false, "out of memory") : 0;
}

static int set_expand_var(struct rparse *p, struct set_build *sb, const struct ynode *n,
			  const char *name, bool negate)
{
	bool in_var = sb->depth > 0;
	const struct ynode *val = ymap_get(p->ld->vars, name);
	int rc;

	if (!val)
		return rule_err(p, n, in_var, "unknown variable '$%s'", name);
	for (size_t i = 0; i < sb->depth; i++)
		if (strcmp(sb->names[i], name) == 0)
			return rule_err(p, n, in_var, "variable '$%s' refers to itself", name);
	if (sb->depth == VAR_MAX_DEPTH)
		return rule_err(p, n, in_var, "variables nested deeper than %d levels",
				VAR_MAX_DEPTH);
	sb->names[sb->depth++] = name;
	rc = set_expand(p, sb, val, negate);
	sb->depth--;
	return rc;
}

static int set_expand_scalar(struct rparse *p, struct set_build *sb, const struct ynode *n,
			     bool negate)
{
	bool in_var = sb->depth > 0;
	const char *s = n->str;

	if (rule_has_nul(n) || ynode_is_null(n))
		return rule_err(p, n, in_var, "expected %s, got '%s'",
				sb->kind == SET_ADDR ? "an address" : "a port", s);
	if (*s == '!') {
		if (negate || s[1] == '!')
			return rule_err(p, n, in_var,
					"'!' applied to an item that is already negated ('%s')", s);
		negate = true;
		s++;
	}
	if (*s == '$')
		return set_expand_var(p, sb, n, s + 1, negate);
	if (strcmp(s, "any") == 0) {
		if (negate)
			return rule_err(p, n, in_var, "'!any' matches nothing");
		sb->any_seen = true;
		return 0;
	}
	return set_add_element(p, sb, n, s, negate);
}

static int set_expand(struct rparse *p, struct set_build *sb, const struct ynode *n, bool negate)
{
	int rc = 0;

	if (n->type == YNODE_SCALAR)
		return set_expand_scalar(p, sb, n, negate);
	if (n->type == YNODE_MAP)
		return rule_err(p, n, sb->depth > 0, "expected %s, got a mapping",
				sb->kind == SET_ADDR ? "an address, a CIDR block, a list or any"
						     : "a port, a range \"N:M\", a list or any");
	if (n->n == 0)
		return rule_err(p, n, sb->depth > 0, "empty list");
	for (size_t i = 0; i < n->n; i++)
		rc |= set_expand(p, sb, n->items[i], negate);
	return rc;
}

/* "any" absorbs every positive element; nothing left means any. */
static void set_finish(struct set_build *sb)
{
	size_t kept = 0;

	if (sb->kind == SET_ADDR) {
		struct addr_set *s = sb->set;

		for (size_t i = 0; i < s->n; i++)
			if (!sb->any_seen || s->blocks[i].negated)
				s->blocks[kept++] = s->blocks[i];
		s->n = kept;
		s->any = kept == 0;
		addr_set_seal(s);
	} else {
		struct port_set *s = sb->set;

		for (size_t i = 0; i < s->n; i++)
			if (!sb->any_seen || s->ranges[i].negated)
				s->ranges[kept++] = s->ranges[i];
		s->n = kept;
		s->any = kept == 0;
	}
}

static int rule_set(struct rparse *p, const struct ynode *map, const char *key, enum set_kind kind,
		    void *set)
{
	const struct ynode *n = ymap_get(map, key);
	struct set_build sb = {.kind = kind, .set = set};

	if (!n)
		return 0;
	if (set_expand(p, &sb, n, false) < 0)
		return -1;
	set_finish(&sb);
	return 0;
}

/* ------------------------------------------------------------- scalars */

static int rule_id(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "id");
	const struct rule *first;
	int64_t v;

	if (!n)
		return rule_err(p, map, false, "missing required key 'id'");
	if (!ynode_int(n, 1, UINT32_MAX, &v, p->ld->d))
		return -1;
	p->r->pub.id = (uint32_t)v;
	p->has_id = true;
	first = idmap_get(&p->ld->rs->ids, p->r->pub.id);
	/* a .rules rule's duplicate is decided once its gid and rev are
	 * known (rule_duplicate) */
	if (first && !suri_is_rules_file(n->file))
		return rule_err(p, n, false, "duplicate id (first defined at %s:%d)",
				first->pub.file, first->pub.line);
	return 0;
}

static int rule_uint(struct rparse *p, const struct ynode *map, const char *key, int64_t min,
		     int64_t max, int64_t *out)
{
	const struct ynode *n = ymap_get(map, key);

	if (!n)
		return 0;
	return ynode_int(n, min, max, out, p->ld->d) ? 0 : -1;
}

/* A string field; `def` when absent (NULL: required). */
static int rule_text(struct rparse *p, const struct ynode *map, const char *key, const char *def,
		     char **out)
{
	const struct ynode *n = ymap_get(map, key);
	const char *s = def;

	if (!n && !def)
		return rule_err(p, map, false, "missing required key '%s'", key);
	if (n) {
		if (!ynode_str(n, &s, p->ld->d))
			return -1;
		if (rule_has_nul(n))
			return rule_err(p, n, false, "%s must not contain NUL bytes", key);
		/* msg may be empty: a Suricata rule without msg: is valid, and
		 * its alerts say "signature": "" */
		if (!*s && !def && strcmp(key, "msg") != 0)
			return rule_err(p, n, false, "%s must not be empty", key);
	}
	*out = strdup(s);
	return *out ? 0 : rule_err(p, map, false, "out of memory");
}

/* One of `names` (NULL-terminated); *out is its index. */
static int rule_choice(struct rparse *p, const struct ynode *map, const char *key,
		       const char *const *names, const char *valid, int *out)
{
	const struct ynode *n = ymap_get(map, key);

	if (!n)
		return 0;
	if (n->type == YNODE_SCALAR)
		for (int i = 0; names[i]; i++)
			if (strcmp(n->str, names[i]) == 0 && !rule_has_nul(n)) {
				*out = i;
				return 0;
			}
	return rule_err(p, n, false, "%s must be one of %s, got %s%s%s", key, valid,
			n->type == YNODE_SCALAR ? "'" : "",
			n->type == YNODE_SCALAR ? n->str : "a collection",
			n->type == YNODE_SCALAR ? "'" : "");
}

/* ------------------------------------------------------------ metadata */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* The JSON escape of byte c, or NULL when it goes as it is. */
static const char *json_escape(unsigned char c, char esc[8])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(esc, 8, "\\u%04x", c);
		return esc;
	}
	return NULL;
}

/* A JSON string. Input is UTF-8 (libyaml checked it), so bytes >= 0x80
 * pass through; quotes, backslashes and control bytes are escaped. Runs of
 * bytes that need no escape are copied at once. */
static void json_string(struct sbuf *b, const char *s, size_t n)
{
	char esc[8];
	size_t run = 0;

	sbuf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		const char *e = json_escape((unsigned char)s[i], esc);

		if (!e)
			continue;
		sbuf_add(b, s + run, i - run);
		sbuf_add(b, e, strlen(e));
		run = i + 1;
	}
	sbuf_add(b, s + run, n - run);
	sbuf_add(b, "\"", 1);
}

static int metadata_value(struct rparse *p, struct sbuf *b, const struct ynode *key,
			  const struct ynode *v)
{
	bool list = v->type == YNODE_SEQ;
	size_t n = list ? v->n : 1;

	if (v->type == YNODE_MAP || ynode_is_null(v))
		return rule_err(p, v, false, "metadata '%s' must be a string or a list of strings",
				key->str);
	sbuf_add(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		const struct ynode *item = list ? v->items[i] : v;

		if (item->type != YNODE_SCALAR)
			return rule_err(p, item, false, "metadata '%s' must be a list of strings",
					key->str);
		if (i)
			sbuf_add(b, ",", 1);
		json_string(b, item->str, item->len);
	}
	sbuf_add(b, "]", 1);
	return 0;
}

static int rule_metadata(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "metadata");
	struct sbuf b = {0};
	int rc = 0;

	if (!n || ynode_is_null(n))
		return 0;
	if (n->type != YNODE_MAP)
		return rule_err(p, n, false, "metadata must be a mapping");
	if (n->n == 0)
		return 0;
	sbuf_add(&b, "{", 1);
	for (size_t i = 0; i < n->n; i++) {
		if (i)
			sbuf_add(&b, ",", 1);
		json_string(&b, n->keys[i]->str, n->keys[i]->len);
		sbuf_add(&b, ":", 1);
		rc |= metadata_value(p, &b, n->keys[i], n->items[i]);
	}
	sbuf_add(&b, "}", 1);
	if (b.oom)
		rc = rule_err(p, n, false, "out of memory");
	if (rc < 0) {
		free(b.s);
		return -1;
	}
	p->r->metadata_json = b.s;
	return 0;
}

/* ---------------------------------------------------------------- rule */

static const char *const rule_keys[] = {"id",
					"rev",
					"msg",
					"category",
					"severity",
					"metadata",
					"detector",
					"proto",
					"src",
					"dst",
					"src_port",
					"dst_port",
					"direction",
					"patterns",
					"pcre",
					"scope",
					"stream_alerts",
					"buffer",
					"stream_offsets",
					"anomaly",
					"bidirectional",
					NULL};

static void rule_free(struct rule *r)
{
	if (!r)
		return;
	addr_set_free(&r->src);
	addr_set_free(&r->dst);
	port_set_free(&r->sport);
	port_set_free(&r->dport);
	for (size_t i = 0; i < r->n_patterns; i++) {
		free(r->patterns[i].bytes);
		free(r->patterns[i].op);
		free(r->patterns[i].buffer);
		rule_regex_unref(r->patterns[i].re);
	}
	free(r->patterns);
	free(r->pcre);
	free(r->msg);
	free(r->category);
	free(r->metadata_json);
	free(r->detector);
	free(r->buffer);
	free(r->buffers);
	free(r->file);
	free(r->anomaly);
	rule_regex_unref(r->pcre_re);
	rule_keys_free(r->keys);
	free(r);
}

/*
 * `scope:` (packet | stream | auto), `stream_alerts:` (once | every) and
 * `stream_offsets:` (stream | chunk). TCP rules
 * default to the stream; UDP and ICMP have no stream; an ip rule looks at
 * packets unless it asks for the stream (then it applies to TCP only) or
 * for auto (TCP data on the stream, other packets one by one:
 * r->tcp_stream, kept only for payload rules, see rule_fields).
 * Runs after proto is known.
 */
static int rule_scope(struct rparse *p, const struct ynode *map)
{
	static const char *const scopes[] = {"packet", "stream", "auto", NULL};
	enum { SCOPE_AUTO = 2 }; /* scopes[2]: decided here, not a rule_scope */
	static const char *const alerts[] = {"once", "every", NULL};
	static const char *const offsets[] = {"stream", "chunk", NULL};
	struct rule *r = p->r;
	int scope = r->proto == RULE_PROTO_TCP ? RULE_SCOPE_STREAM : RULE_SCOPE_PACKET;
	int every = 0, chunk = 0, rc = 0;
	const struct ynode *n = ymap_get(map, "scope");

	rc |= rule_choice(p, map, "scope", scopes, "packet, stream, auto", &scope);
	if (scope == SCOPE_AUTO) { /* TCP on the stream, the rest packet by packet */
		r->tcp_stream = r->proto == RULE_PROTO_IP;
		scope = r->proto == RULE_PROTO_TCP ? RULE_SCOPE_STREAM : RULE_SCOPE_PACKET;
	}
	rc |= rule_choice(p, map, "stream_alerts", alerts, "once, every", &every);
	rc |= rule_choice(p, map, "stream_offsets", offsets, "stream, chunk", &chunk);
	if (rc == 0 && n && scope == RULE_SCOPE_STREAM &&
	    (r->proto == RULE_PROTO_UDP || r->proto == RULE_PROTO_ICMP))
		rc = rule_err(
			p, n, false,
			"scope stream needs proto tcp or ip: %s has no stream (use scope: packet)",
			r->proto == RULE_PROTO_UDP ? "udp" : "icmp");
	if (rc == 0 && every && scope != RULE_SCOPE_STREAM)
		rc = rule_err(p, ymap_get(map, "stream_alerts"), false,
			      "stream_alerts applies to stream rules only (add scope: stream)");
	r->scope = (enum rule_scope)scope;
	r->pub.scope = (uint8_t)(scope == RULE_SCOPE_STREAM ? IDS_SCOPE_STREAM : IDS_SCOPE_PACKET);
	if (rc == 0 && chunk && scope != RULE_SCOPE_STREAM && !r->tcp_stream)
		rc = rule_err(p, ymap_get(map, "stream_offsets"), false,
			      "stream_offsets applies to stream rules only (add scope: stream)");
	r->stream_every = every == 1;
	r->stream_chunk = chunk == 1;
	return rc;
}

static int rule_header(struct rparse *p, const struct ynode *map)
{
	static const char *const protos[] = {"ip", "tcp", "udp", "icmp", NULL};
	static const char *const dirs[] = {"any", "to_server", "to_client", NULL};
	struct rule *r = p->r;
	int proto = RULE_PROTO_IP, dir = RULE_DIR_ANY, rc = 0;

	rc |= rule_choice(p, map, "proto", protos, "tcp, udp, icmp, ip", &proto);
	rc |= rule_choice(p, map, "direction", dirs, "to_server, to_client, any", &dir);
	r->proto = (enum rule_proto)proto;
	r->direction = (enum rule_direction)dir;
	rc |= rule_scope(p, map);
	rc |= rule_set(p, map, "src", SET_ADDR, &r->src);
	rc |= rule_set(p, map, "dst", SET_ADDR, &r->dst);
	rc |= rule_set(p, map, "src_port", SET_PORT, &r->sport);
	rc |= rule_set(p, map, "dst_port", SET_PORT, &r->dport);
	if (ymap_get(map, "bidirectional") &&
	    !ynode_bool(ymap_get(map, "bidirectional"), &r->bidirectional, p->ld->d))
		rc = -1;
	return rc;
}

/* `buffer:` "proto.field": lower-case letters, digits, '_' and '.'. Whether
 * a loaded plugin declares it is checked when rules are handed out. */
static int rule_buffer(struct rparse *p, const struct ynode *map)
{
	const struct ynode *n = ymap_get(map, "buffer");
	const char *s;

	if (!n)
		return 0;
	if (rule_text(p, map, "buffer", NULL, &p->r->buffer) < 0)
		return -1;
	for (s = p->r->buffer; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.'))
			return rule_err(
				p, n, false,
				"buffer '%s' is not a buffer name (lower-case letters, digits, "
				"'_' and '.', e.g. http.uri)",
				p->r->buffer);
	return 0;
}

static int rule_fields(struct rparse *p, const struct ynode *map)
{
	struct rule *r = p->r;
	const char *det = p->ld->default_detector && *p->ld->default_detector
				  ? p->ld->default_detector
				  : "signature";
	int64_t rev = 1, severity = 3;
	int rc = 0;

	rc |= rule_uint(p, map, "rev", 1, UINT32_MAX, &rev);
	/* Suricata rules may have no msg (an empty signature); YAML needs one */
	rc |= rule_text(p, map, "msg", suri_is_rules_file(map->file) ? "" : NULL, &r->msg);
	rc |= rule_text(p, map, "category", "", &r->category);
	rc |= rule_uint(p, map, "severity", 1, 4, &severity);
	rc |= rule_metadata(p, map);
	rc |= rule_text(p, map, "detector", det, &r->detector);
	if (r->detector && !*r->detector) /* only an explicit empty value */
		rc |= rule_err(p, ymap_get(map, "detector"), false, "detector must not be empty");
	r->detector_explicit = ymap_get(map, "detector") != NULL;
	rc |= rule_buffer(p, map);
	rc |= rule_header(p, map);
	rc |= rule_patterns(p, map);
	rc |= rule_pcre(p, map);
	rc |= rule_keys_parse(r, map, p->ld->d);
	if (rc == 0)
		rc |= rule_event_parse(r, map, p->ld->d);
	/* scope auto splits payload rules only: a buffer rule is its plugin's,
	 * a rule without patterns has nothing on the stream */
	if (r->buffer || (!r->n_patterns && !r->pcre) || r->scope != RULE_SCOPE_PACKET)
		r->tcp_stream = false;
	r->pub.rev = (uint32_t)rev;
	r->pub.severity = (int)severity;
	return rc;
}

static struct rule *rule_parse(struct rload *ld, const struct ynode *map)
{
	struct rparse p = {.ld = ld};
	struct rule *r;
	int rc = 0;

	if (map->type != YNODE_MAP) {
		ymap_check_keys(map, rule_keys, "rule", ld->d);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		diag_error(ld->d, map->file, map->line, map->col, "out of memory");
		return NULL;
	}
	r->src.any = r->dst.any = r->sport.any = r->dport.any = true;
	p.r = r;
	rc |= rule_id(&p, map);
	if (rule_keys_check(map, rule_keys, ld->d))
		rc = -1;
	rc |= rule_fields(&p, map);
	r->file = strdup(map->file);
	if (rc < 0 || !r->file) {
		rule_free(r);
		return NULL;
	}
	r->pub.gid = 1;
	r->pub.msg = r->msg;
	r->pub.category = r->category;
	r->pub.metadata_json = r->metadata_json;
	r->pub.detector = r->detector;
	r->pub.file = r->file;
	r->pub.buffer = r->buffer;
	r->pub.buffers = r->n_buffers ? r->buffers : (r->buffer ? &r->pub.buffer : NULL);
	r->pub.n_buffers = r->n_buffers ? r->n_buffers : (r->buffer ? 1 : 0);
	r->pub.line = map->n ? map->keys[0]->line : map->line;
	r->pub.priv = r;
	rule_keys_apply(r);
	return r;
}

/* ---------------------------------------------------------------- file */

static bool var_name_ok(const struct ynode *k)
{
	const char *s = k->str;

	if (k->len == 0 || rule_has_nul(k) || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* Shape of `vars:`; element values are checked where they are used. */
static void vars_check(struct rload *ld, const struct ynode *vars)
{
	struct rparse p = {.ld = ld};

	if (!vars || ynode_is_null(vars))
		return;
	if (vars->type != YNODE_MAP) {
		rule_err(&p, vars, false, "vars must be a mapping of NAME: value or list");
		return;
	}
	ld->vars = vars;
	for (size_t i = 0; i < vars->n; i++) {
		const struct ynode *k = vars->keys[i], *v = vars->items[i];

		if (!var_name_ok(k))
			rule_err(&p, k, false,
				 "bad variable name '%s' (letters, digits and '_', not starting "
				 "with a digit)",
				 k->str);
		if (v->type == YNODE_MAP)
			rule_err(&p, v, true, "variable '%s' must be a scalar or a list", k->str);
	}
}

static int ruleset_add(struct ruleset *rs, struct rule *r)
{
	/* capacity is the next power of two of n (at least 8) */
	if (rs->n >= 8 && (rs->n & (rs->n - 1)) == 0) {
		struct rule **nr = realloc(rs->rules, rs->n * 2 * sizeof(*nr));

		if (!nr)
			return -1;
		rs->rules = nr;
	} else if (!rs->rules) {
		rs->rules = calloc(8, sizeof(*rs->rules));
		if (!rs->rules)
			return -1;
	}
	rs->rules[rs->n++] = r;
	return 0;
}

/* Take `old` out of the ruleset and free it; the order by rank is made
 * again from scratch at the end of the load (rule_keys_order). */
static void ruleset_remove(struct ruleset *rs, const struct rule *old)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->rules[i] == old) {
			rule_free(rs->rules[i]);
			memmove(rs->rules + i, rs->rules + i + 1,
				(rs->n - i - 1) * sizeof(*rs->rules));
			rs->n--;
			rs->ranked = 0;
			return;
		}
}

/*
 * A .rules rule whose id is taken (rule_id leaves it here, once its gid and
 * rev are known), Suricata's way: with the same gid, a higher rev replaces
 * the rule loaded before (a warning names both file:line); an equal or
 * lower rev is a duplicate, refused, and the first stays. With another gid,
 * or against a YAML rule, ids stay unique (the plugin ABI's promise):
 * refused. Returns 0 when r is to be added, -1 after reporting.
 */
static int rule_duplicate(struct rload *ld, const struct ynode *item, struct rule *r)
{
	struct rparse p = {.ld = ld, .r = r, .has_id = true};
	const struct rule *first = idmap_get(&ld->rs->ids, r->pub.id);
	const struct ynode *n = ymap_get(item, "id");

	if (!first)
		return 0;
	if (!n)
		n = item;
	if (!suri_is_rules_file(first->pub.file) || first->pub.gid != r->pub.gid)
		return rule_err(&p, n, false, "duplicate id (first defined at %s:%d, gid %u)",
				first->pub.file, first->pub.line, first->pub.gid);
	if (r->pub.rev <= first->pub.rev)
		return rule_err(&p, n, false,
				"duplicate sid, rev %u (first defined at %s:%d with rev %u, which "
				"stays: Suricata keeps the higher rev, the first of equal ones)",
				r->pub.rev, first->pub.file, first->pub.line, first->pub.rev);
	diag_warn(ld->d, n->file, n->line, n->col,
		  "rule %u: rev %u here replaces rev %u at %s:%d (Suricata keeps the higher rev)",
		  r->pub.id, r->pub.rev, first->pub.rev, first->pub.file, first->pub.line);
	ruleset_remove(ld->rs, first);
	return 0;
}

static void rules_list(struct rload *ld, const struct ynode *list)
{
	struct rparse p = {.ld = ld};

	if (!list || ynode_is_null(list))
		return;
	if (list->type != YNODE_SEQ) {
		rule_err(&p, list, false, "rules must be a list of rules");
		return;
	}
	for (size_t i = 0; i < list->n; i++) {
		struct rule *r = rule_parse(ld, list->items[i]);

		if (!r) {
			ld->rs->n_failed++;
			continue;
		}
		if (rule_duplicate(ld, list->items[i], r) < 0) {
			rule_free(r);
			ld->rs->n_failed++;
			continue;
		}
		if (ruleset_add(ld->rs, r) < 0 || idmap_put(&ld->rs->ids, r) < 0) {
			if (ld->rs->n && ld->rs->rules[ld->rs->n - 1] == r)
				ld->rs->n--;
			rule_err(&p, list->items[i], false, "out of memory");
			rule_free(r);
			/* it may name a rule r replaced: rebuilt by the next load */
			idmap_free(&ld->rs->ids);
		}
	}
}

static void rules_tree(struct rload *ld, const struct ynode *root)
{
	static const char *const top_keys[] = {"vars", "rules", NULL};
	struct rparse p = {.ld = ld};

	if (root->type != YNODE_MAP) {
		ymap_check_keys(root, top_keys, "rule file", ld->d);
		return;
	}
	ymap_check_keys(root, top_keys, "rule file", ld->d);
	if (ld->rs->ids.n != ld->rs->n) {
		idmap_free(&ld->rs->ids);
		for (size_t i = 0; i < ld->rs->n; i++)
			if (idmap_put(&ld->rs->ids, ld->rs->rules[i]) < 0) {
				rule_err(&p, root, false, "out of memory");
				return;
			}
	}
	vars_check(ld, ymap_get(root, "vars"));
	rules_list(ld, ymap_get(root, "rules"));
}

static void rules_load_tree(struct ruleset *rs, struct ynode *root, const char *default_detector,
			    struct diag *d)
{
	struct rload ld = {.rs = rs, .default_detector = default_detector, .d = d};

	if (root)
		rules_tree(&ld, root);
	rule_keys_order(rs);
	free(ld.reported);
	ytree_free(root);
}

void ruleset_init(struct ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
}

unsigned ruleset_load_file(struct ruleset *rs, const char *path, const char *default_detector,
			   struct diag *d)
{
	unsigned before = d->errors;

	/* Suricata/Snort text rules: parsed into the same tree (rules_suricata.c) */
	if (suri_is_rules_file(path)) {
		unsigned refused = 0;

		rules_load_tree(rs, suri_load_tree(path, &refused, d), default_detector, d);
		rs->n_failed += refused; /* counted in the load summary */
		return d->errors - before;
	}
	rules_load_tree(rs, ytree_load_file(path, d), default_detector, d);
	return d->errors - before;
}

unsigned ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf, size_t len,
			     const char *default_detector, struct diag *d)
{
	unsigned before = d->errors;

	rules_load_tree(rs, ytree_load_buffer(name, buf, len, d), default_detector, d);
	return d->errors - before;
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	idmap_free(&rs->ids);
	rule_regex_table_free(&rs->regexes);
	memset(rs, 0, sizeof(*rs));
}
