/*
 * yaml_tree.c - a YAML document as a tree of nodes with positions (see
 * yaml_tree.h).
 *
 * Design: libyaml's event parser drives a recursive builder, one call per
 * node. Recursion is bounded by YTREE_MAX_DEPTH collection levels so a
 * hostile file cannot exhaust the stack; libyaml itself keeps its own
 * state on the heap. The whole input is read into memory first so reader
 * errors (bad UTF-8), which libyaml reports as a byte offset, can be turned
 * into a line and column too.
 *
 * Structural problems stop the parse and return NULL after one message:
 * libyaml syntax errors, anchors and aliases, tags, non-scalar keys, too
 * deep nesting. A duplicate key is reported but the parse goes on (the
 * second value is dropped) so a loader can still report the rest of the
 * file; callers compare diag error counts to know whether anything failed.
 *
 * Invariants: every node's `file` points to the root's copy of the name,
 * freed last by ytree_free(). Scalars always have a NUL after `len` bytes.
 * A document whose root is a null scalar (an empty file, only comments, a
 * lone "---") becomes an empty mapping.
 *
 * Trees built by hand (ytree_new_root, the Suricata rule parser: some
 * 40 nodes per rule, 24,827 rules for ET Open) take their nodes, strings
 * and arrays from an arena the root owns, so building and freeing them
 * costs no malloc/free per node; parsed trees use malloc, as their nodes
 * are few. ynode_free walks both kinds and frees only malloc'd ones;
 * ytree_free of an arena tree walks it only when ynode_append was given a
 * node of another origin (a malloc'd node put in place by hand, without
 * ynode_append, would leak).
 *
 * Booleans: true/false, yes/no, on/off in any letter case, unquoted only:
 * a quoted "true" is a string. Integers: optional sign, then decimal digits
 * or 0x and hex digits; quoted integers are accepted too.
 */
#include "base/yaml_tree.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "base/diag.h"

#define YTREE_MAX_DEPTH 64

struct ybuild {
	yaml_parser_t parser;
	const char *name; /* the root's copy of the file name */
	const unsigned char *buf;
	size_t len;
	struct diag *d;
};

/* ---------------------------------------------------------- the arena */

/* The memory of a tree built by hand: blocks chained from the newest,
 * each carved from its start; a request larger than a block gets a block
 * of its own. Nothing is freed before the whole arena. */
#define YARENA_BLOCK (64 * 1024)

struct yblock {
	struct yblock *next;
	size_t used, size;
	max_align_t data[]; /* size bytes */
};

struct yarena {
	struct yblock *head;
	bool foreign; /* a node not of this arena was appended (walk at free) */
};

static void *yarena_alloc(struct yarena *a, size_t len)
{
	size_t need = (len + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	struct yblock *b = a->head;

	if (!b || b->size - b->used < need) {
		size_t size = need > YARENA_BLOCK ? need : YARENA_BLOCK;

		if (!(b = malloc(sizeof(*b) + size)))
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = a->head;
		a->head = b;
	}
	b->used += need;
	return (char *)b->data + b->used - need;
}

static void yarena_free(struct yarena *a)
{
	struct yblock *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/* The arena's nodes own nothing apart: only malloc'd nodes below them are
 * freed one by one. */
static void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			ynode_free(n->keys[i]);
		ynode_free(n->items[i]);
	}
	if (n->arena)
		return;
	free(n->keys);
	free(n->items);
	free(n->str);
	free(n);
}

void ytree_free(struct ynode *root)
{
	struct yarena *arena;
	char *file;

	if (!root)
		return;
	file = (char *)root->file;
	arena = root->arena;
	root->arena = NULL; /* the root itself is malloc'd */
	if (arena) {
		for (size_t i = 0; arena->foreign && i < root->n; i++) {
			ynode_free(root->keys[i]);
			ynode_free(root->items[i]);
		}
		root->n = 0;
		root->keys = root->items = NULL; /* in the arena */
	}
	ynode_free(root);
	yarena_free(arena);
	free(file);
}

/* Line and column (1-based) of byte `off` of the input. */
static void ybuild_offset_pos(const struct ybuild *b, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < b->len; i++) {
		if (b->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if ((b->buf[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static void ybuild_syntax_error(struct ybuild *b)
{
	const yaml_parser_t *p = &b->parser;
	const char *problem = p->problem ? p->problem : "cannot parse YAML";
	int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;

	if (p->error == YAML_READER_ERROR) {
		ybuild_offset_pos(b, p->problem_offset, &line, &col);
		diag_error(b->d, b->name, line, col, "%s", problem);
	} else if (p->error == YAML_MEMORY_ERROR) {
		diag_error(b->d, b->name, 0, 0, "out of memory");
	} else if (p->context) {
		diag_error(b->d, b->name, line, col, "%s (%s)", problem, p->context);
	} else {
		diag_error(b->d, b->name, line, col, "%s", problem);
	}
}

static int ybuild_next(struct ybuild *b, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&b->parser, ev)) {
		ybuild_syntax_error(b);
		return -1;
	}
	return 0;
}

static struct ynode *ynode_new(const struct ybuild *b, enum ynode_type type, const yaml_event_t *ev)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n) {
		diag_error(b->d, b->name, 0, 0, "out of memory");
		return NULL;
	}
	n->type = type;
	n->file = b->name;
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	n->end_line = (int)ev->end_mark.line + 1;
	n->end_col = (int)ev->end_mark.column + 1;
	return n;
}

/* Anchors, aliases and tags are refused where they appear. */
static int ybuild_check_props(struct ybuild *b, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;

	if (ev->type == YAML_ALIAS_EVENT)
		anchor = ev->data.alias.anchor;
	else if (ev->type == YAML_SCALAR_EVENT) {
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT) {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else if (ev->type == YAML_MAPPING_START_EVENT) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	if (anchor || ev->type == YAML_ALIAS_EVENT) {
		diag_error(b->d, b->name, line, col, "anchors and aliases are not supported");
		return -1;
	}
	if (tag) {
		diag_error(b->d, b->name, line, col,
			   "tags ('%s') are not supported; quote a value that starts with '!'",
			   (const char *)tag);
		return -1;
	}
	return 0;
}

static struct ynode *ybuild_scalar(struct ybuild *b, const yaml_event_t *ev)
{
	struct ynode *n = ynode_new(b, YNODE_SCALAR, ev);

	if (!n)
		return NULL;
	n->len = ev->data.scalar.length;
	n->str = malloc(n->len + 1);
	if (!n->str) {
		diag_error(b->d, b->name, 0, 0, "out of memory");
		free(n);
		return NULL;
	}
	memcpy(n->str, ev->data.scalar.value, n->len);
	n->str[n->len] = '\0';
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	return n;
}

/* Append keys[n] (may be NULL for sequences) and items[n]. */
static int ynode_push(struct ybuild *b, struct ynode *parent, struct ynode *key, struct ynode *item)
{
	size_t cap = parent->n + 1;
	struct ynode **items = realloc(parent->items, cap * sizeof(*items));

	if (!items)
		goto oom;
	parent->items = items;
	if (parent->type == YNODE_MAP) {
		struct ynode **keys = realloc(parent->keys, cap * sizeof(*keys));

		if (!keys)
			goto oom;
		parent->keys = keys;
		keys[parent->n] = key;
	}
	items[parent->n++] = item;
	return 0;
oom:
	diag_error(b->d, b->name, 0, 0, "out of memory");
	return -1;
}

static struct ynode *ybuild_node(struct ybuild *b, yaml_event_t *ev, int depth);
static const char *ynode_show(const struct ynode *n, char *buf, size_t size);

/* Builds the node that starts with the next event. */
static struct ynode *ybuild_next_node(struct ybuild *b, int depth)
{
	yaml_event_t ev;
	struct ynode *n;

	if (ybuild_next(b, &ev) < 0)
		return NULL;
	n = ybuild_node(b, &ev, depth);
	yaml_event_delete(&ev);
	return n;
}

static const struct ynode *ymap_find(const struct ynode *map, const char *s, size_t len)
{
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == len && memcmp(map->keys[i]->str, s, len) == 0)
			return map->keys[i];
	return NULL;
}

/* Reads key/value pairs up to the end of the mapping. */
static int ybuild_map_items(struct ybuild *b, struct ynode *map, int depth)
{
	for (;;) {
		yaml_event_t ev;
		struct ynode *key, *val;
		const struct ynode *first;

		if (ybuild_next(b, &ev) < 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			map->end_line = (int)ev.end_mark.line + 1;
			map->end_col = (int)ev.end_mark.column + 1;
			yaml_event_delete(&ev);
			return 0;
		}
		key = ybuild_node(b, &ev, depth);
		yaml_event_delete(&ev);
		if (!key)
			return -1;
		if (key->type != YNODE_SCALAR) {
			diag_error(b->d, b->name, key->line, key->col,
				   "mapping keys must be scalars");
			ynode_free(key);
			return -1;
		}
		val = ybuild_next_node(b, depth);
		if (!val) {
			ynode_free(key);
			return -1;
		}
		first = ymap_find(map, key->str, key->len);
		if (first) {
			char shown[96];

			diag_error(b->d, b->name, key->line, key->col,
				   "duplicate key %s (first at line %d)",
				   ynode_show(key, shown, sizeof(shown)), first->line);
			ynode_free(key);
			ynode_free(val);
			continue;
		}
		if (ynode_push(b, map, key, val) < 0) {
			ynode_free(key);
			ynode_free(val);
			return -1;
		}
	}
}

static int ybuild_seq_items(struct ybuild *b, struct ynode *seq, int depth)
{
	for (;;) {
		yaml_event_t ev;
		struct ynode *item;

		if (ybuild_next(b, &ev) < 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			seq->end_line = (int)ev.end_mark.line + 1;
			seq->end_col = (int)ev.end_mark.column + 1;
			yaml_event_delete(&ev);
			return 0;
		}
		item = ybuild_node(b, &ev, depth);
		yaml_event_delete(&ev);
		if (!item)
			return -1;
		if (ynode_push(b, seq, NULL, item) < 0) {
			ynode_free(item);
			return -1;
		}
	}
}

static struct ynode *ybuild_collection(struct ybuild *b, yaml_event_t *ev, int depth)
{
	bool is_map = ev->type == YAML_MAPPING_START_EVENT;
	struct ynode *n;
	int rc;

	if (depth >= YTREE_MAX_DEPTH) {
		diag_error(b->d, b->name, (int)ev->start_mark.line + 1,
			   (int)ev->start_mark.column + 1, "nesting deeper than %d levels",
			   YTREE_MAX_DEPTH);
		return NULL;
	}
	n = ynode_new(b, is_map ? YNODE_MAP : YNODE_SEQ, ev);
	if (!n)
		return NULL;
	if (is_map)
		rc = ybuild_map_items(b, n, depth + 1);
	else
		rc = ybuild_seq_items(b, n, depth + 1);
	if (rc < 0) {
		ynode_free(n);
		return NULL;
	}
	return n;
}

static struct ynode *ybuild_node(struct ybuild *b, yaml_event_t *ev, int depth)
{
	if (ybuild_check_props(b, ev) < 0)
		return NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return ybuild_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return ybuild_collection(b, ev, depth);
	default:
		break;
	}
	diag_error(b->d, b->name, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
		   "unexpected YAML event %d", (int)ev->type);
	return NULL;
}

static struct ynode *ynode_empty_map(const struct ybuild *b, int line, int col)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n) {
		diag_error(b->d, b->name, 0, 0, "out of memory");
		return NULL;
	}
	n->type = YNODE_MAP;
	n->file = b->name;
	n->line = n->end_line = line;
	n->col = n->end_col = col;
	return n;
}

/* The first document's root, or an empty map for an empty stream. */
static struct ynode *ybuild_document(struct ybuild *b)
{
	yaml_event_t ev;
	struct ynode *root;

	if (ybuild_next(b, &ev) < 0) /* stream start */
		return NULL;
	yaml_event_delete(&ev);
	if (ybuild_next(b, &ev) < 0)
		return NULL;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return ynode_empty_map(b, 1, 1);
	}
	yaml_event_delete(&ev); /* document start */
	root = ybuild_next_node(b, 0);
	if (root && ynode_is_null(root)) {
		struct ynode *map = ynode_empty_map(b, root->line, root->col);

		ynode_free(root);
		root = map;
	}
	return root;
}

struct ynode *ytree_load_buffer(const char *name, const char *buf, size_t len, struct diag *d)
{
	/* libyaml asserts on a NULL input even of length 0. */
	struct ybuild b = {
		.buf = (const unsigned char *)(buf ? buf : ""), .len = buf ? len : 0, .d = d};
	char *copy = strdup(name ? name : "<buffer>");
	struct ynode *root;

	if (!copy) {
		diag_error(d, name, 0, 0, "out of memory");
		return NULL;
	}
	b.name = copy;
	if (!yaml_parser_initialize(&b.parser)) {
		diag_error(d, name, 0, 0, "out of memory");
		free(copy);
		return NULL;
	}
	yaml_parser_set_input_string(&b.parser, b.buf, len);
	root = ybuild_document(&b);
	yaml_parser_delete(&b.parser);
	if (!root) {
		free(copy);
		return NULL;
	}
	return root;
}

/* Reads the whole file; returns 0 or -1 with errno set. */
static int read_file(const char *path, char **out, size_t *outlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int err;

	if (!f)
		return -1;
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 8192);

			if (!nb)
				goto fail_nomem;
			buf = nb;
			cap = cap ? cap * 2 : 8192;
		}
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		err = EIO;
		goto fail;
	}
	fclose(f);
	*out = buf;
	*outlen = len;
	return 0;
fail_nomem:
	err = ENOMEM;
fail:
	free(buf);
	fclose(f);
	errno = err;
	return -1;
}

struct ynode *ytree_load_file(const char *path, struct diag *d)
{
	char *buf;
	size_t len;
	struct ynode *root;

	if (read_file(path, &buf, &len) < 0) {
		diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	root = ytree_load_buffer(path, buf, len, d);
	free(buf);
	return root;
}

struct ynode *ymap_getn(const struct ynode *map, const char *key, size_t len)
{
	if (!map || map->type != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->keys[i];

		if (k->len == len &&
		    (!len || (k->str[0] == key[0] && memcmp(k->str, key, len) == 0)))
			return map->items[i];
	}
	return NULL;
}

/* "a list" / "a mapping" / "'text'" for messages; printable and short. */
static const char *ynode_show(const struct ynode *n, char *buf, size_t size)
{
	size_t o = 0;

	if (n->type == YNODE_SEQ)
		return "a list";
	if (n->type == YNODE_MAP)
		return "a mapping";
	buf[o++] = '\'';
	for (size_t i = 0; i < n->len && o + 8 < size; i++) {
		unsigned char c = (unsigned char)n->str[i];

		if (c >= 0x20 && c != 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (o + 8 >= size)
		o += (size_t)snprintf(buf + o, size - o, "...");
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

static bool parse_int(const char *s, size_t len, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	int base = 10;
	char *end;
	unsigned long long v;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
		return false;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno || end != s + len)
		return false;
	if (neg ? v > (unsigned long long)INT64_MAX + 1 : v > (unsigned long long)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool ynode_int(const struct ynode *n, int64_t min, int64_t max, int64_t *out, struct diag *d)
{
	char shown[96];
	int64_t v;

	if (n->type == YNODE_SCALAR && parse_int(n->str, n->len, &v) && v >= min && v <= max) {
		*out = v;
		return true;
	}
	diag_error(d, n->file, n->line, n->col, "expected an integer from %lld to %lld, got %s",
		   (long long)min, (long long)max, ynode_show(n, shown, sizeof(shown)));
	return false;
}

bool ynode_bool(const struct ynode *n, bool *out, struct diag *d)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	char shown[96];

	if (n->type == YNODE_SCALAR && !n->quoted) {
		for (size_t i = 0; i < 3; i++) {
			if (strcasecmp(n->str, yes[i]) == 0 || strcasecmp(n->str, no[i]) == 0) {
				*out = strcasecmp(n->str, yes[i]) == 0;
				return true;
			}
		}
	}
	diag_error(d, n->file, n->line, n->col, "expected true or false%s, got %s",
		   n->type == YNODE_SCALAR && n->quoted ? " (without quotes)" : "",
		   ynode_show(n, shown, sizeof(shown)));
	return false;
}

bool ynode_str(const struct ynode *n, const char **out, struct diag *d)
{
	char shown[96];

	if (n->type == YNODE_SCALAR) {
		*out = n->str;
		return true;
	}
	diag_error(d, n->file, n->line, n->col, "expected a string, got %s",
		   ynode_show(n, shown, sizeof(shown)));
	return false;
}

bool ynode_is_null(const struct ynode *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

	if (!n || n->type != YNODE_SCALAR || n->quoted)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(n->str, nulls[i]) == 0 && n->len == strlen(nulls[i]))
			return true;
	return false;
}

static void keys_list(const char *const *allowed, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; allowed[i] && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", allowed[i]);
}

/* Is the key one of allowed[]? (compared without strlen: the allowed
 * names are NUL-terminated, the key's bytes may hold a NUL) */
static bool key_allowed(const struct ynode *key, const char *const *allowed)
{
	if (!key->str)
		return false;
	for (size_t i = 0; allowed[i]; i++) {
		const char *a = allowed[i];
		size_t j = 0;

		while (j < key->len && a[j] && a[j] == key->str[j])
			j++;
		if (j == key->len && !a[j])
			return true;
	}
	return false;
}

static uint32_t keyset_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

int ykeyset_init(struct ykeyset *set, const char *const *names)
{
	memset(set, 0, sizeof(*set));
	set->names = names;
	for (size_t i = 0; names[i]; i++) {
		size_t len = strlen(names[i]);
		uint32_t j = keyset_hash(names[i], len) % YKEYSET_SLOTS;

		if (i + 1 >= YKEYSET_SLOTS / 2)
			return -1;
		while (set->slot[j])
			j = (j + 1) % YKEYSET_SLOTS;
		set->slot[j] = (uint16_t)(i + 1);
	}
	set->ready = true;
	return 0;
}

/* Is the key one of the set's names? One hash, a probe or two. */
static bool keyset_has(const struct ykeyset *set, const struct ynode *key)
{
	uint32_t j;

	if (!key->str)
		return false;
	for (j = keyset_hash(key->str, key->len) % YKEYSET_SLOTS; set->slot[j];
	     j = (j + 1) % YKEYSET_SLOTS) {
		const char *a = set->names[set->slot[j] - 1];

		if (strlen(a) == key->len && memcmp(a, key->str, key->len) == 0)
			return true;
	}
	return false;
}

/* The checks of ymap_check_keys with the names as a list or as a set. */
static unsigned check_keys(const struct ynode *map, const char *const *allowed,
			   const struct ykeyset *set, const char *what, struct diag *d)
{
	char valid[1000], shown[96];
	unsigned bad = 0;

	if (map->type != YNODE_MAP) {
		diag_error(d, map->file, map->line, map->col, "expected a mapping for %s, got %s",
			   what, ynode_show(map, shown, sizeof(shown)));
		return 1;
	}
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *key = map->keys[i];

		if (set ? keyset_has(set, key) : key_allowed(key, allowed))
			continue;
		if (!bad) /* the list of valid keys only for a message */
			keys_list(allowed, valid, sizeof(valid));
		diag_error(d, key->file, key->line, key->col, "unknown key %s in %s (valid: %s)",
			   ynode_show(key, shown, sizeof(shown)), what, valid);
		bad++;
	}
	return bad;
}

unsigned ymap_check_keys(const struct ynode *map, const char *const *allowed, const char *what,
			 struct diag *d)
{
	return check_keys(map, allowed, NULL, what, d);
}

unsigned ymap_check_keyset(const struct ynode *map, const struct ykeyset *set, const char *what,
			   struct diag *d)
{
	return check_keys(map, set->names, set, what, d);
}

/* ------------------------------------------------------ building by hand */

struct ynode *ytree_new_root(const char *file)
{
	struct ynode *n = calloc(1, sizeof(*n));
	char *name = strdup(file ? file : "");
	struct yarena *arena = calloc(1, sizeof(*arena));

	if (!n || !name || !arena) {
		free(n);
		free(name);
		free(arena);
		return NULL;
	}
	n->type = YNODE_MAP;
	n->file = name;
	n->line = n->end_line = 1;
	n->col = n->end_col = 1;
	n->arena = arena;
	return n;
}

struct ynode *ynode_new_coll(const struct ynode *root, enum ynode_type type, int line, int col)
{
	struct ynode *n = root->arena ? yarena_alloc(root->arena, sizeof(*n)) : malloc(sizeof(*n));

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->file = root->file;
	n->line = n->end_line = line;
	n->col = n->end_col = col;
	n->arena = root->arena;
	return n;
}

/* A copy of s[0..len) with a NUL after it, from n's arena or malloc. */
static char *ynode_strdup(const struct ynode *n, const char *s, size_t len)
{
	char *str = n->arena ? yarena_alloc(n->arena, len + 1) : malloc(len + 1);

	if (!str)
		return NULL;
	memcpy(str, s, len);
	str[len] = '\0';
	return str;
}

struct ynode *ynode_new_scalar(const struct ynode *root, int line, int col, const char *s,
			       size_t len, bool quoted)
{
	struct ynode *n = ynode_new_coll(root, YNODE_SCALAR, line, col);

	if (!n)
		return NULL;
	n->str = ynode_strdup(n, s, len);
	if (!n->str) {
		ynode_free(n);
		return NULL;
	}
	n->len = len;
	n->quoted = quoted;
	n->end_col = col + (int)len + (quoted ? 2 : 0);
	return n;
}

int ynode_set_str(struct ynode *n, const char *s, size_t len)
{
	char *str = ynode_strdup(n, s, len);

	if (!str)
		return -1;
	if (!n->arena)
		free(n->str);
	n->str = str;
	n->len = len;
	return 0;
}

/* Room for one more item (and key) in an arena node: the arrays double,
 * the old ones stay in the arena. */
static int ynode_grow_arena(struct ynode *parent)
{
	size_t cap = parent->cap ? 2 * parent->cap : 4;
	struct ynode **items = yarena_alloc(parent->arena, cap * sizeof(*items));
	struct ynode **keys = NULL;

	if (!items)
		return -1;
	if (parent->type == YNODE_MAP && !(keys = yarena_alloc(parent->arena, cap * sizeof(*keys))))
		return -1;
	if (parent->n) {
		memcpy(items, parent->items, parent->n * sizeof(*items));
		if (keys)
			memcpy(keys, parent->keys, parent->n * sizeof(*keys));
	}
	parent->items = items;
	parent->keys = keys;
	parent->cap = cap;
	return 0;
}

static int ynode_grow_heap(struct ynode *parent)
{
	struct ynode **items = realloc(parent->items, (parent->n + 1) * sizeof(*items));

	if (!items)
		return -1;
	parent->items = items;
	if (parent->type == YNODE_MAP) {
		struct ynode **keys = realloc(parent->keys, (parent->n + 1) * sizeof(*keys));

		if (!keys)
			return -1;
		parent->keys = keys;
	}
	return 0;
}

int ynode_append(struct ynode *parent, struct ynode *key, struct ynode *item)
{
	if (parent->arena ? parent->n == parent->cap && ynode_grow_arena(parent) < 0
			  : ynode_grow_heap(parent) < 0)
		return -1;
	if (parent->arena && (item->arena != parent->arena || (key && key->arena != parent->arena)))
		parent->arena->foreign = true;
	if (parent->type == YNODE_MAP)
		parent->keys[parent->n] = key;
	parent->items[parent->n++] = item;
	return 0;
}

int ymap_add(struct ynode *map, const char *key, struct ynode *item)
{
	struct ynode *k;

	if (!item)
		return -1;
	k = ynode_new_scalar(map, item->line, item->col, key, strlen(key), false);
	if (!k || ynode_append(map, k, item) < 0) {
		ynode_free(k);
		ynode_free(item);
		return -1;
	}
	return 0;
}

void ynode_free_detached(struct ynode *n)
{
	ynode_free(n);
}

/* ------------------------------------------------------------- writing */

/* Length of the valid UTF-8 sequence at s (n bytes left) that encodes a
 * character above 0x7f, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (s[0] >= 0xf5 || len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((len == 3 && s[0] == 0xe0 && s[1] < 0xa0) ||
	    (len == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (len == 4 && s[0] == 0xf0 && s[1] < 0x90) || (len == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/* A scalar: plain when it was plain, else double-quoted; bytes that are not
 * UTF-8 are written as \xNN (read back as that code point). */
static void write_scalar(FILE *f, const struct ynode *n)
{
	if (!n->quoted && n->len && strlen(n->str) == n->len) {
		fputs(n->str, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n->len; i++) {
		const unsigned char *u = (const unsigned char *)n->str + i;
		size_t seq = u[0] >= 0x80 ? utf8_seq(u, n->len - i) : 0;

		if (seq) {
			fwrite(u, 1, seq, f);
			i += seq - 1;
		} else if (u[0] == '"' || u[0] == '\\') {
			fprintf(f, "\\%c", u[0]);
		} else if (u[0] < 0x20 || u[0] >= 0x7f) {
			fprintf(f, "\\x%02x", u[0]);
		} else {
			fputc(u[0], f);
		}
	}
	fputc('"', f);
}

/* Nested sequences (address groups) are written in flow style. */
static void write_flow_seq(FILE *f, const struct ynode *n)
{
	fputc('[', f);
	for (size_t i = 0; i < n->n; i++) {
		if (i)
			fputs(", ", f);
		if (n->items[i]->type == YNODE_SEQ)
			write_flow_seq(f, n->items[i]);
		else if (n->items[i]->type == YNODE_SCALAR)
			write_scalar(f, n->items[i]);
		else
			fputs("{}", f);
	}
	fputc(']', f);
}

static void write_value(FILE *f, const struct ynode *v, int indent);

static void write_map(FILE *f, const struct ynode *n, int indent, bool first_inline)
{
	for (size_t i = 0; i < n->n; i++) {
		if (i || !first_inline)
			fprintf(f, "%*s", indent, "");
		write_scalar(f, n->keys[i]);
		fputc(':', f);
		write_value(f, n->items[i], indent);
	}
}

static void write_seq(FILE *f, const struct ynode *n, int indent)
{
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->items[i];

		fprintf(f, "%*s- ", indent, "");
		if (it->type == YNODE_MAP && it->n) {
			write_map(f, it, indent + 2, true);
			continue;
		}
		if (it->type == YNODE_SEQ)
			write_flow_seq(f, it);
		else if (it->type == YNODE_MAP)
			fputs("{}", f);
		else
			write_scalar(f, it);
		fputc('\n', f);
	}
}

/* After "key:" */
static void write_value(FILE *f, const struct ynode *v, int indent)
{
	if (v->type == YNODE_SCALAR) {
		fputc(' ', f);
		write_scalar(f, v);
		fputc('\n', f);
	} else if (!v->n) {
		fputs(v->type == YNODE_MAP ? " {}\n" : " []\n", f);
	} else if (v->type == YNODE_SEQ && v->items[0]->type != YNODE_MAP) {
		fputc(' ', f);
		write_flow_seq(f, v);
		fputc('\n', f);
	} else {
		fputc('\n', f);
		if (v->type == YNODE_MAP)
			write_map(f, v, indent + 2, false);
		else
			write_seq(f, v, indent + 2);
	}
}

int ytree_write(FILE *f, const struct ynode *n, int indent)
{
	if (n->type == YNODE_MAP)
		write_map(f, n, indent, false);
	else if (n->type == YNODE_SEQ)
		write_seq(f, n, indent);
	else {
		write_scalar(f, n);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}
