/*
 * yaml_tree.h - a YAML document as a tree of nodes with source positions.
 *
 * Built with libyaml's event API. Config and rule loaders walk the tree and
 * report problems at the exact line and column of the offending node. Anchors
 * and aliases are refused (a rule file has no use for them and they allow
 * billion-laughs expansion). Only the first document of a stream is read.
 * Main thread only; nodes are owned by the tree and freed with ytree_free().
 */
#ifndef SENSOR_YAML_TREE_H
#define SENSOR_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct diag;

enum ynode_type { YNODE_SCALAR = 1, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_type type;
	const char *file; /* owned by the tree's root */
	int line, col;	  /* 1-based position of the node's first character */
	/* YNODE_SCALAR: the decoded value, NUL-terminated; may contain NUL
	 * bytes (from "\x00" escapes), so len is authoritative. */
	char *str;
	size_t len;
	bool quoted; /* written in quotes (or block style): never null/bool/int */
	/* YNODE_SEQ: items[0..n); YNODE_MAP: keys[i] -> items[i] */
	struct ynode **keys;
	struct ynode **items;
	size_t n;
	/* 1-based position just after the node's last character (for a quoted
	 * scalar, after the closing quote); lets a loader map an offset inside
	 * a one-line scalar to a column. */
	int end_line, end_col;
	/* trees built by hand: the root's arena the node, its string and its
	 * arrays come from (NULL: each is malloc'd); cap: room in items/keys */
	struct yarena *arena;
	size_t cap;
};

/* Parse `path`. On a syntax error, reports it through `d` (file:line:col)
 * and returns NULL. An empty file gives an empty map. */
struct ynode *ytree_load_file(const char *path, struct diag *d);
/* Parse a buffer; `name` is used in messages. */
struct ynode *ytree_load_buffer(const char *name, const char *buf, size_t len, struct diag *d);
void ytree_free(struct ynode *root);

/* Map lookup by key (len bytes); NULL when absent or `map` is not a map. */
struct ynode *ymap_getn(const struct ynode *map, const char *key, size_t len);
/* Same with a NUL-terminated key (the length of a literal key is known at
 * compile time: loaders look up keys by literal names a lot). */
static inline struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	return ymap_getn(map, key, __builtin_strlen(key));
}

/* Scalar conversions. Each returns false (and reports "expected ..." at the
 * node through `d`) when the node is of the wrong type or out of range. */
bool ynode_int(const struct ynode *n, int64_t min, int64_t max, int64_t *out, struct diag *d);
bool ynode_bool(const struct ynode *n, bool *out, struct diag *d);
/* A scalar as a string (any scalar is accepted). */
bool ynode_str(const struct ynode *n, const char **out, struct diag *d);
/* True when a plain scalar spells null ("", "~", "null"). */
bool ynode_is_null(const struct ynode *n);

/*
 * Check that every key of `map` is one of the NULL-terminated `allowed`
 * names; report each unknown key at its position with the list of valid
 * ones. Returns the number of unknown keys. Reports and returns 1 when
 * `map` is not a map ("expected a mapping").
 */
unsigned ymap_check_keys(const struct ynode *map, const char *const *allowed, const char *what,
			 struct diag *d);

/*
 * The same check against a set made once from the names (a hash of them),
 * for a loader that checks many maps against a long list: the rule loader
 * checks every rule against some 90 names. The names must outlive the
 * set; at most YKEYSET_SLOTS / 2 - 1 of them (ykeyset_init returns -1).
 */
#define YKEYSET_SLOTS 512
struct ykeyset {
	const char *const *names;
	bool ready;
	uint16_t slot[YKEYSET_SLOTS]; /* index + 1 into names, 0 empty */
};
int ykeyset_init(struct ykeyset *set, const char *const *names);
unsigned ymap_check_keyset(const struct ynode *map, const struct ykeyset *set, const char *what,
			   struct diag *d);

#endif

/*
 * Building trees by hand (the Suricata rule parser makes the same trees a
 * YAML file gives). A root made by ytree_new_root() owns a copy of `file`;
 * nodes made with ynode_new_*() from it share that name and belong to
 * whichever node they are appended to. ynode_free_detached() frees a node
 * that was never appended. Constructors return NULL when out of memory.
 * The nodes of such a tree (their strings and arrays too) are carved from
 * an arena the root owns, in 64 KiB blocks, and freed all at once by
 * ytree_free(root): a detached node's memory stays in the arena until
 * then. A node made elsewhere (malloc'd) may still be appended: it is
 * freed on its own.
 */
struct ynode *ytree_new_root(const char *file);
/* A scalar of `len` bytes (copied). `quoted` scalars are never read as
 * null, booleans or integers. */
struct ynode *ynode_new_scalar(const struct ynode *root, int line, int col, const char *s,
			       size_t len, bool quoted);
struct ynode *ynode_new_coll(const struct ynode *root, enum ynode_type type, int line, int col);
/* Append `item` (under `key` for a map; key NULL for a sequence). On
 * failure returns -1 and frees neither. */
int ynode_append(struct ynode *parent, struct ynode *key, struct ynode *item);
/* Add key -> item to `map`, the key a plain scalar at the item's position;
 * frees `item` and returns -1 on failure (or when item is NULL). */
int ymap_add(struct ynode *map, const char *key, struct ynode *item);
void ynode_free_detached(struct ynode *n);
/* Replace a scalar's value with a copy of `len` bytes of s: 0, or -1 when
 * out of memory (the old value stays). */
int ynode_set_str(struct ynode *n, const char *s, size_t len);

/* Write `n` as block-style YAML at `indent` spaces; strings are written
 * double-quoted with escapes when needed, so reading the output back gives
 * the same tree. Returns 0 or -1 on a write error. */
int ytree_write(FILE *f, const struct ynode *n, int indent);
