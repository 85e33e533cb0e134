/*
 * rule_xbits.c - Suricata's xbits (YAML `xbits:` list of option strings):
 * bits kept per host (`track ip_src`, `track ip_dst`: the packet's source
 * or destination address; both name the same host's bits, so a bit set
 * with ip_dst is seen by an isset with ip_src on the answer) or per
 * address pair (`track ip_pair`, whatever the direction), each with an
 * expiry in packet time.
 *
 * Semantics (Suricata's detect-xbits and host-bit): `set` makes the bit
 * live until the packet's time plus `expire` seconds (default 30) and
 * leaves a bit that is already live as it is (its expiry is not pushed
 * back); `unset` removes it; `toggle` removes a live bit, else sets it;
 * `isset` holds while the packet's time is at or before the expiry,
 * `isnotset` otherwise. `isset`/`isnotset` are conditions of the match,
 * `set`/`unset`/`toggle` run once the rule matched completely
 * (rule_eval.c), as flowbits. `noalert` alone is the rule's noalert.
 * `track tx` is refused. Bit names are kept as a 64-bit FNV-1a hash of
 * the name (no name table to share between reloads).
 *
 * Storage: one table per worker (struct rule_xbits, hung off the worker's
 * struct rule_alert_ctx, allocated at the first `set`), so with several
 * workers a bit is seen by the packets of the worker that set it only
 * (docs/rules.md says which flows share a worker). The table has
 * XB_BUCKETS buckets of XB_WAYS entries (XB_BUCKETS * XB_WAYS bits live at
 * most, about 50 bytes each); an expired entry is free. A set that finds
 * its bucket full of live bits is dropped and counted
 * (detect.xbits_full).
 *
 * Threads: parse on the main thread; everything else on the worker that
 * owns the table, without a lock.
 */
#include "detect/rule_keys.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XB_BUCKETS	  4096
#define XB_WAYS		  8
#define XB_EXPIRE_DEFAULT 30
#define USEC_PER_SEC	  1000000LL

enum xb_kind { XB_FREE = 0, XB_HOST, XB_PAIR };

struct xb_entry {
	uint64_t name;
	int64_t expire_usec;  /* live while the packet's time is <= this */
	struct ids_addr a, b; /* host: a; pair: the lower address in a */
	uint8_t kind;	      /* enum xb_kind */
};

struct rule_xbits {
	struct xb_entry e[XB_BUCKETS][XB_WAYS];
};

/* ------------------------------------------------------------- parsing */

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && strncmp(w, lit, n) == 0;
}

static int xb_cmd(const char *w, size_t n, struct rule_xb_op *op, char *err, size_t errlen)
{
	static const char *const cmds[] = {"set", "unset", "toggle", "isset", "isnotset"};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (word_is(w, n, cmds[i])) {
			op->cmd = (uint8_t)i; /* the order of enum rule_fb_cmd */
			return 0;
		}
	snprintf(err, errlen, "command '%.*s' must be one of set, unset, toggle, isset, isnotset",
		 (int)n, w);
	return -1;
}

static int xb_track(const char *v, size_t n, struct rule_xb_op *op, char *err, size_t errlen)
{
	if (word_is(v, n, "ip_src"))
		op->track = XB_TRACK_SRC;
	else if (word_is(v, n, "ip_dst"))
		op->track = XB_TRACK_DST;
	else if (word_is(v, n, "ip_pair"))
		op->track = XB_TRACK_PAIR;
	else {
		snprintf(err, errlen, "track '%.*s' must be ip_src, ip_dst or ip_pair%s", (int)n, v,
			 word_is(v, n, "tx") ? " (track tx is not supported)" : "");
		return -1;
	}
	return 0;
}

static int xb_expire(const char *v, size_t n, struct rule_xb_op *op, char *err, size_t errlen)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]) || x > UINT32_MAX) {
			x = 0;
			break;
		}
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x == 0 || x > UINT32_MAX) {
		snprintf(err, errlen, "expire '%.*s' must be 1..4294967295 seconds", (int)n, v);
		return -1;
	}
	op->expire = (uint32_t)x;
	return 0;
}

/* "track ip_src" or "expire 10": the option word and its value. */
static int xb_option(const char *w, size_t n, struct rule_xb_op *op, unsigned *seen, char *err,
		     size_t errlen)
{
	size_t k = strcspn(w, " \t");
	const char *v = w + k;
	size_t vn;

	if (k > n)
		k = n;
	while (v < w + n && (*v == ' ' || *v == '\t'))
		v++;
	vn = (size_t)(w + n - v);
	if (word_is(w, k, "track") && vn && !(*seen & 1)) {
		*seen |= 1;
		return xb_track(v, vn, op, err, errlen);
	}
	if (word_is(w, k, "expire") && vn && !(*seen & 2)) {
		*seen |= 2;
		return xb_expire(v, vn, op, err, errlen);
	}
	snprintf(err, errlen, "unexpected '%.*s' (expected track ip_src|ip_dst|ip_pair, expire N)",
		 (int)n, w);
	return -1;
}

int rule_xb_parse(const char *text, struct rule_xb_op *op, char *err, size_t errlen)
{
	const char *s = text, *w;
	size_t n;
	unsigned seen = 0;

	memset(op, 0, sizeof(*op));
	op->expire = XB_EXPIRE_DEFAULT;
	if (!rule_text_item(&s, &w, &n)) {
		snprintf(err, errlen, "empty xbits option");
		return -1;
	}
	if (word_is(w, n, "noalert"))
		return rule_text_item(&s, &w, &n)
			       ? (snprintf(err, errlen, "noalert takes nothing after it"), -1)
			       : 1;
	if (xb_cmd(w, n, op, err, errlen) < 0)
		return -1;
	if (!rule_text_item(&s, &w, &n) || strcspn(w, " \t") < n) {
		snprintf(err, errlen, "a bit name must follow the command");
		return -1;
	}
	op->name = rule_name_hash(w, n);
	while (rule_text_item(&s, &w, &n))
		if (xb_option(w, n, op, &seen, err, errlen) < 0)
			return -1;
	if (!(seen & 1)) {
		snprintf(err, errlen, "track ip_src, ip_dst or ip_pair is required");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ the table */

static int addr_cmp(const struct ids_addr *a, const struct ids_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

/* The key of op for packet p: kind and addresses (a pair ordered). */
static void key_of(const struct rule_xb_op *op, const struct ids_packet *p, struct xb_entry *k)
{
	memset(k, 0, sizeof(*k));
	k->name = op->name;
	if (op->track != XB_TRACK_PAIR) {
		k->kind = XB_HOST;
		k->a = op->track == XB_TRACK_SRC ? p->src : p->dst;
		return;
	}
	k->kind = XB_PAIR;
	k->a = addr_cmp(&p->src, &p->dst) <= 0 ? p->src : p->dst;
	k->b = addr_cmp(&p->src, &p->dst) <= 0 ? p->dst : p->src;
}

static size_t bucket_of(const struct xb_entry *k)
{
	uint64_t h = k->name ^ k->kind;

	for (size_t i = 0; i < sizeof(k->a.bytes); i++)
		h = (h ^ k->a.bytes[i] ^ ((uint64_t)k->b.bytes[i] << 8)) * 0x100000001b3ull;
	h ^= h >> 29;
	return (size_t)(h % XB_BUCKETS);
}

static bool same_key(const struct xb_entry *e, const struct xb_entry *k)
{
	return e->kind == k->kind && e->name == k->name && addr_cmp(&e->a, &k->a) == 0 &&
	       (k->kind == XB_HOST || addr_cmp(&e->b, &k->b) == 0);
}

/* The live entry of key k at time now, or NULL. */
static struct xb_entry *find_live(struct rule_xbits *t, const struct xb_entry *k, int64_t now)
{
	struct xb_entry *b = t->e[bucket_of(k)];

	for (int i = 0; i < XB_WAYS; i++)
		if (b[i].kind != XB_FREE && b[i].expire_usec >= now && same_key(&b[i], k))
			return &b[i];
	return NULL;
}

/* A slot for a new bit: a free or expired one of the bucket, else NULL. */
static struct xb_entry *free_slot(struct rule_xbits *t, const struct xb_entry *k, int64_t now)
{
	struct xb_entry *b = t->e[bucket_of(k)];

	for (int i = 0; i < XB_WAYS; i++)
		if (b[i].kind == XB_FREE || b[i].expire_usec < now)
			return &b[i];
	return NULL;
}

bool rule_xb_check(const struct rule_xb_op *op, struct rule_xbits *t, const struct ids_packet *p)
{
	struct xb_entry k;
	bool live;

	key_of(op, p, &k);
	live = t && find_live(t, &k, p->ts_usec);
	return op->cmd == FB_ISSET ? live : !live;
}

static void xb_set(struct rule_xbits *t, const struct xb_entry *k, uint32_t expire, int64_t now,
		   uint64_t *full)
{
	struct xb_entry *e = free_slot(t, k, now);

	if (!e) {
		(*full)++;
		return;
	}
	*e = *k;
	e->expire_usec = now + (int64_t)expire * USEC_PER_SEC;
}

void rule_xb_apply(const struct rule_xb_op *op, struct rule_xbits **tp, const struct ids_packet *p,
		   uint64_t *full)
{
	struct xb_entry k, *live;

	key_of(op, p, &k);
	if (!*tp && (op->cmd == FB_UNSET || !(*tp = calloc(1, sizeof(**tp))))) {
		*full += op->cmd != FB_UNSET; /* no memory: the set is lost, counted */
		return;
	}
	live = find_live(*tp, &k, p->ts_usec);
	if (op->cmd == FB_SET && !live)
		xb_set(*tp, &k, op->expire, p->ts_usec, full);
	else if (op->cmd == FB_UNSET && live)
		live->kind = XB_FREE;
	else if (op->cmd == FB_TOGGLE && live)
		live->kind = XB_FREE;
	else if (op->cmd == FB_TOGGLE)
		xb_set(*tp, &k, op->expire, p->ts_usec, full);
}

void rule_xbits_free(struct rule_xbits *t)
{
	free(t);
}
