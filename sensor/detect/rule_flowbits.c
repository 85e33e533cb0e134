/*
 * rule_flowbits.c - flowbits (see rule_keys.h): parsing of Suricata's
 * option strings and the per-flow bits.
 *
 * Names are interned into one process-wide table at load time (main
 * thread): a rule keeps bit indexes, never names. The table only grows
 * (a rule reload adds new names after the old ones), so indexes held by
 * rules of an older generation stay valid; workers never read the table
 * itself.
 *
 * Per flow: struct rule_flow_state (f->detect_state) holds the bits as
 * 64-bit words, allocated the first time a rule sets a bit on the flow
 * (once per flow; grown only when a reload brought new names) and freed
 * when the flow ends. A bit beyond the words a flow has is unset. The
 * state is shared by both directions of the flow, so a bit set by a
 * request is seen by the response.
 *
 * Groups: "isset,a|b" holds when any of the names is set, "isset,a&b" when
 * all are; "isnotset,a|b" when any is unset, "isnotset,a&b" when all are.
 * set/unset/toggle take one name or an '&' list (each name).
 */
#include "detect/rule_keys.h"
#include "detect/rule_event.h"
#include "detect/rule_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"

#define FB_NAME_MAX 256

static char **fb_names;
static uint32_t fb_n, fb_cap;

static int fb_intern(const char *name, size_t len, uint32_t *idx)
{
	for (uint32_t i = 0; i < fb_n; i++)
		if (strlen(fb_names[i]) == len && memcmp(fb_names[i], name, len) == 0) {
			*idx = i;
			return 0;
		}
	if (fb_n == fb_cap) {
		uint32_t cap = fb_cap ? fb_cap * 2 : 64;
		char **n = realloc(fb_names, cap * sizeof(*n));

		if (!n)
			return -1;
		fb_names = n;
		fb_cap = cap;
	}
	fb_names[fb_n] = strndup(name, len);
	if (!fb_names[fb_n])
		return -1;
	*idx = fb_n++;
	return 0;
}

uint32_t rule_fb_names(void)
{
	return fb_n;
}

void rule_fb_names_free(void)
{
	for (uint32_t i = 0; i < fb_n; i++)
		free(fb_names[i]);
	free(fb_names);
	fb_names = NULL;
	fb_n = fb_cap = 0;
}

static const char *const fb_cmds[] = {[FB_SET] = "set",
				      [FB_UNSET] = "unset",
				      [FB_TOGGLE] = "toggle",
				      [FB_ISSET] = "isset",
				      [FB_ISNOTSET] = "isnotset"};

static bool name_char_ok(char c)
{
	return c > ' ' && c != ',' && c != '|' && c != '&' && c != ';' && c != '"' && c < 0x7f;
}

/* The names after the command: "a", "a|b|c" or "a&b". */
static int fb_names_parse(const char *s, struct rule_fb_op *op, char *err, size_t errlen)
{
	char sep = strchr(s, '|') ? '|' : '&';
	uint32_t n = 1;

	if (strchr(s, '|') && strchr(s, '&')) {
		snprintf(err, errlen, "flowbits: '|' and '&' cannot be mixed in one group");
		return -1;
	}
	for (const char *c = s; *c; c++)
		n += *c == sep;
	op->bits = calloc(n, sizeof(*op->bits));
	if (!op->bits)
		return -1;
	op->any = sep == '|';
	while (op->n < n) {
		size_t len = 0;

		while (*s == ' ')
			s++;
		while (name_char_ok(s[len]))
			len++;
		if (len == 0 || len > FB_NAME_MAX) {
			snprintf(err, errlen, "flowbits: bad or missing name at '%s'", s);
			return -1;
		}
		if (fb_intern(s, len, &op->bits[op->n++]) < 0)
			return -1;
		s += len;
		while (*s == ' ')
			s++;
		if (*s && *s != sep) {
			snprintf(err, errlen, "flowbits: unexpected '%s' after a name", s);
			return -1;
		}
		if (*s)
			s++;
	}
	return 0;
}

int rule_fb_parse(const char *text, struct rule_fb_op *op, char *err, size_t errlen)
{
	const char *comma = strchr(text, ',');
	size_t cl = comma ? (size_t)(comma - text) : strlen(text);

	memset(op, 0, sizeof(*op));
	if (!comma && strcmp(text, "noalert") == 0)
		return 1;
	for (int c = FB_SET; c <= FB_ISNOTSET; c++) {
		if (strlen(fb_cmds[c]) != cl || strncmp(text, fb_cmds[c], cl) != 0)
			continue;
		op->cmd = (uint8_t)c;
		if (!comma) {
			snprintf(err, errlen, "flowbits %s needs a name (\"%s,NAME\")", fb_cmds[c],
				 fb_cmds[c]);
			return -1;
		}
		if (fb_names_parse(comma + 1, op, err, errlen) < 0)
			return -1;
		if (op->any && c != FB_ISSET && c != FB_ISNOTSET) {
			snprintf(err, errlen, "flowbits %s: '|' is for isset and isnotset only",
				 fb_cmds[c]);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
		 "unknown flowbits command in '%s' (valid: set, unset, toggle, isset, isnotset, "
		 "noalert)",
		 text);
	return -1;
}

/* ---------------------------------------------------------- per flow */

static bool fb_get(const struct rule_flow_state *s, uint32_t bit)
{
	return s && bit / 64 < s->nwords && (s->w[bit / 64] >> (bit % 64)) & 1;
}

bool rule_fb_check(const struct rule_fb_op *op, const struct flow *f)
{
	const struct rule_flow_state *s = f ? f->detect_state : NULL;
	bool want = op->cmd == FB_ISSET;
	uint32_t hits = 0;

	for (uint32_t i = 0; i < op->n; i++)
		hits += fb_get(s, op->bits[i]) == want;
	return op->any ? hits > 0 : hits == op->n;
}

/* The flow's state with room for `bit`; NULL when memory ran out. */
struct rule_flow_state *rule_flow_state_get(struct flow *f, uint32_t bit)
{
	struct rule_flow_state *s = f->detect_state;
	uint32_t need = (bit == UINT32_MAX ? 0 : bit / 64 + 1);
	uint32_t names = (rule_fb_names() + 63) / 64;

	if (need < names)
		need = names;
	if (s && s->nwords >= need)
		return s;
	s = realloc(s, sizeof(*s) + need * sizeof(uint64_t));
	if (!s)
		return NULL;
	if (!f->detect_state)
		memset(s, 0, sizeof(*s));
	memset(s->w + s->nwords, 0, (need - s->nwords) * sizeof(uint64_t));
	s->nwords = need;
	f->detect_state = s;
	return s;
}

void rule_fb_apply(const struct rule_fb_op *op, struct flow *f)
{
	for (uint32_t i = 0; i < op->n; i++) {
		uint32_t bit = op->bits[i];
		struct rule_flow_state *s = rule_flow_state_get(f, bit);
		uint64_t m = UINT64_C(1) << (bit % 64);

		if (!s)
			return;
		if (op->cmd == FB_SET)
			s->w[bit / 64] |= m;
		else if (op->cmd == FB_UNSET)
			s->w[bit / 64] &= ~m;
		else if (op->cmd == FB_TOGGLE)
			s->w[bit / 64] ^= m;
	}
}

void rule_flow_state_free(struct flow *f)
{
	if (!f)
		return;
	if (f->detect_state) {
		rule_backoff_free(((struct rule_flow_state *)f->detect_state)->backoff);
		rule_flowint_free(((struct rule_flow_state *)f->detect_state)->ints);
		rule_event_state_free(((struct rule_flow_state *)f->detect_state)->apev);
	}
	free(f->detect_state);
	f->detect_state = NULL;
}
