/*
 * test_yaml_tree.c - YAML nodes, positions, refusals and conversions.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"

static struct diag d;

static void quiet_diag(void)
{
	diag_init(&d, NULL);
	d.quiet = 1;
}

TestSuite(yaml_tree, .init = quiet_diag);

static struct ynode *load(const char *text)
{
	return ytree_load_buffer("t.yaml", text, strlen(text), &d);
}

Test(yaml_tree, positions_are_one_based)
{
	struct ynode *r = load("a: 1\nlist:\n  - x\n  - \"y\"\nm: {k: v}\n");
	struct ynode *list, *m;

	cr_assert_not_null(r);
	cr_assert_eq(r->type, YNODE_MAP);
	cr_assert_eq(r->n, 3);
	cr_assert_eq(r->keys[0]->line, 1);
	cr_assert_eq(r->keys[0]->col, 1);
	cr_assert_eq(r->items[0]->line, 1);
	cr_assert_eq(r->items[0]->col, 4);
	list = ymap_get(r, "list");
	cr_assert_eq(list->type, YNODE_SEQ);
	cr_assert_eq(list->n, 2);
	cr_assert_eq(list->line, 3);
	cr_assert_eq(list->col, 3);
	cr_assert_eq(list->items[1]->line, 4);
	cr_assert_eq(list->items[1]->col, 5);
	cr_assert(list->items[1]->quoted);
	cr_assert(!list->items[0]->quoted);
	cr_assert_eq(list->items[1]->end_col, 8);
	m = ymap_get(r, "m");
	cr_assert_eq(m->type, YNODE_MAP);
	cr_assert_eq(m->line, 5);
	cr_assert_eq(m->col, 4);
	cr_assert_str_eq(ymap_get(m, "k")->str, "v");
	cr_assert_null(ymap_get(r, "absent"));
	cr_assert_null(ymap_get(list, "x"));
	cr_assert_eq(r->items[0]->file, r->file);
	cr_assert_str_eq(r->file, "t.yaml");
	cr_assert_eq(d.errors, 0);
	ytree_free(r);
}

Test(yaml_tree, escapes_keep_nul_bytes)
{
	struct ynode *r = load("a: \"x\\x00y\\n\\t\\\"\"\nb: 'it''s'\nc: |\n  line\n");
	struct ynode *a;

	cr_assert_not_null(r);
	a = ymap_get(r, "a");
	cr_assert_eq(a->len, 6);
	cr_assert_eq(memcmp(a->str, "x\0y\n\t\"", 6), 0);
	cr_assert_eq(a->str[6], '\0');
	cr_assert_str_eq(ymap_get(r, "b")->str, "it's");
	cr_assert(ymap_get(r, "b")->quoted);
	cr_assert_str_eq(ymap_get(r, "c")->str, "line\n");
	cr_assert(ymap_get(r, "c")->quoted);
	ytree_free(r);
}

Test(yaml_tree, empty_inputs_give_an_empty_map)
{
	const char *inputs[] = {"", "# only a comment\n", "---\n", "~\n"};

	for (size_t i = 0; i < 4; i++) {
		struct ynode *r = load(inputs[i]);

		cr_assert_not_null(r, "input %zu", i);
		cr_assert_eq(r->type, YNODE_MAP);
		cr_assert_eq(r->n, 0);
		ytree_free(r);
	}
	cr_assert_eq(d.errors, 0);
}

Test(yaml_tree, only_the_first_document)
{
	struct ynode *r = load("a: 1\n---\nb: [\n");

	cr_assert_not_null(r);
	cr_assert_eq(r->n, 1);
	cr_assert_eq(d.errors, 0);
	ytree_free(r);
}

Test(yaml_tree, anchors_and_aliases_are_refused)
{
	cr_assert_null(load("a: &x 1\nb: 2\n"));
	cr_assert_str_eq(d.last, "t.yaml:1:4: error: anchors and aliases are not supported");
	cr_assert_null(load("a: 1\nb:\n  - *x\n"));
	cr_assert_str_eq(d.last, "t.yaml:3:5: error: anchors and aliases are not supported");
	cr_assert_eq(d.errors, 2);
}

Test(yaml_tree, tags_are_refused)
{
	cr_assert_null(load("src: !198.18.0.1\n"));
	cr_assert_str_eq(d.last, "t.yaml:1:6: error: tags ('!198.18.0.1') are not supported; "
				 "quote a value that starts with '!'");
}

Test(yaml_tree, duplicate_keys_name_the_first)
{
	struct ynode *r = load("a: 1\nb: 2\na: 3\n");

	cr_assert_not_null(r);
	cr_assert_eq(d.errors, 1);
	cr_assert_str_eq(d.last, "t.yaml:3:1: error: duplicate key 'a' (first at line 1)");
	cr_assert_eq(r->n, 2);
	cr_assert_str_eq(ymap_get(r, "a")->str, "1");
	ytree_free(r);
}

Test(yaml_tree, non_scalar_keys_are_refused)
{
	cr_assert_null(load("? [a, b]\n: 1\n"));
	cr_assert_str_eq(d.last, "t.yaml:1:3: error: mapping keys must be scalars");
}

Test(yaml_tree, syntax_errors_have_positions)
{
	cr_assert_null(load("a: 1\nb: [1, 2\n"));
	cr_assert_eq(d.errors, 1);
	cr_assert_str_eq(d.last, "t.yaml:3:1: error: did not find expected ',' or ']' (while "
				 "parsing a flow sequence)");
	cr_assert_null(load("a: 1\n  b: 2\n"));
	cr_assert_str_eq(d.last, "t.yaml:2:4: error: mapping values are not allowed in this "
				 "context");
	cr_assert_null(load("a: \"\xff\"\n"));
	cr_assert_str_eq(d.last, "t.yaml:1:5: error: invalid leading UTF-8 octet");
}

Test(yaml_tree, nesting_is_bounded)
{
	char buf[300];
	size_t n = 0;

	for (int i = 0; i < 70; i++)
		buf[n++] = '[';
	for (int i = 0; i < 70; i++)
		buf[n++] = ']';
	buf[n++] = '\n';
	buf[n] = '\0';
	cr_assert_null(load(buf));
	cr_assert_str_eq(d.last, "t.yaml:1:65: error: nesting deeper than 64 levels");

	n = 0;
	for (int i = 0; i < 64; i++)
		buf[n++] = '[';
	for (int i = 0; i < 64; i++)
		buf[n++] = ']';
	buf[n] = '\0';
	struct ynode *r = load(buf);
	cr_assert_not_null(r);
	ytree_free(r);
}

Test(yaml_tree, missing_file)
{
	cr_assert_null(ytree_load_file("/nonexistent/x.yaml", &d));
	cr_assert_str_eq(d.last, "/nonexistent/x.yaml: error: cannot read: No such file or "
				 "directory");
}

Test(yaml_tree, int_conversion)
{
	struct ynode *r = load("a: 42\nb: \"7\"\nc: 0x1F\nd: -3\ne: abc\nf: 5\ng: [1]\n"
			       "h: 99999999999999999999\ni: 12abc\nj: ''\nk: 0x\n");
	int64_t v = 0;

	cr_assert(ynode_int(ymap_get(r, "a"), 1, 100, &v, &d));
	cr_assert_eq(v, 42);
	cr_assert(ynode_int(ymap_get(r, "b"), 1, 100, &v, &d));
	cr_assert_eq(v, 7);
	cr_assert(ynode_int(ymap_get(r, "c"), 0, 100, &v, &d));
	cr_assert_eq(v, 31);
	cr_assert(ynode_int(ymap_get(r, "d"), -5, 5, &v, &d));
	cr_assert_eq(v, -3);
	cr_assert_eq(d.errors, 0);
	cr_assert(!ynode_int(ymap_get(r, "e"), 1, 4, &v, &d));
	cr_assert_str_eq(d.last, "t.yaml:5:4: error: expected an integer from 1 to 4, got 'abc'");
	cr_assert(!ynode_int(ymap_get(r, "f"), 1, 4, &v, &d));
	cr_assert_str_eq(d.last, "t.yaml:6:4: error: expected an integer from 1 to 4, got '5'");
	cr_assert(!ynode_int(ymap_get(r, "g"), 1, 4, &v, &d));
	cr_assert_str_eq(d.last, "t.yaml:7:4: error: expected an integer from 1 to 4, got a list");
	cr_assert(!ynode_int(ymap_get(r, "h"), 0, INT64_MAX, &v, &d));
	cr_assert_str_eq(d.last, "t.yaml:8:4: error: expected an integer from 0 to "
				 "9223372036854775807, got '99999999999999999999'");
	cr_assert(!ynode_int(ymap_get(r, "i"), 0, 100, &v, &d));
	cr_assert(!ynode_int(ymap_get(r, "j"), 0, 100, &v, &d));
	cr_assert_str_eq(d.last, "t.yaml:10:4: error: expected an integer from 0 to 100, got ''");
	cr_assert(!ynode_int(ymap_get(r, "k"), 0, 100, &v, &d));
	cr_assert_eq(d.errors, 7);
	cr_assert_eq(v, -3);
	ytree_free(r);
}

Test(yaml_tree, int_limits)
{
	struct ynode *r = load("a: -9223372036854775808\nb: 9223372036854775807\n"
			       "c: -9223372036854775809\n");
	int64_t v;

	cr_assert(ynode_int(ymap_get(r, "a"), INT64_MIN, INT64_MAX, &v, &d));
	cr_assert_eq(v, INT64_MIN);
	cr_assert(ynode_int(ymap_get(r, "b"), INT64_MIN, INT64_MAX, &v, &d));
	cr_assert_eq(v, INT64_MAX);
	cr_assert(!ynode_int(ymap_get(r, "c"), INT64_MIN, INT64_MAX, &v, &d));
	ytree_free(r);
}

Test(yaml_tree, bool_conversion)
{
	struct ynode *r = load("- true\n- FALSE\n- Yes\n- no\n- on\n- Off\n- \"true\"\n- 1\n"
			       "- {a: b}\n");
	const bool want[6] = {true, false, true, false, true, false};
	bool b;

	for (size_t i = 0; i < 6; i++) {
		cr_assert(ynode_bool(r->items[i], &b, &d), "item %zu", i);
		cr_assert_eq(b, want[i], "item %zu", i);
	}
	cr_assert_eq(d.errors, 0);
	cr_assert(!ynode_bool(r->items[6], &b, &d));
	cr_assert_str_eq(d.last,
			 "t.yaml:7:3: error: expected true or false (without quotes), got 'true'");
	cr_assert(!ynode_bool(r->items[7], &b, &d));
	cr_assert_str_eq(d.last, "t.yaml:8:3: error: expected true or false, got '1'");
	cr_assert(!ynode_bool(r->items[8], &b, &d));
	cr_assert_str_eq(d.last, "t.yaml:9:3: error: expected true or false, got a mapping");
	ytree_free(r);
}

Test(yaml_tree, str_and_null)
{
	struct ynode *r = load("a: text\nb: [1]\nc:\nd: ~\ne: null\nf: ''\ng: \"null\"\n");
	const char *s;

	cr_assert(ynode_str(ymap_get(r, "a"), &s, &d));
	cr_assert_str_eq(s, "text");
	cr_assert(!ynode_str(ymap_get(r, "b"), &s, &d));
	cr_assert_str_eq(d.last, "t.yaml:2:4: error: expected a string, got a list");
	cr_assert(ynode_is_null(ymap_get(r, "c")));
	cr_assert(ynode_is_null(ymap_get(r, "d")));
	cr_assert(ynode_is_null(ymap_get(r, "e")));
	cr_assert(!ynode_is_null(ymap_get(r, "f")));
	cr_assert(!ynode_is_null(ymap_get(r, "g")));
	cr_assert(!ynode_is_null(ymap_get(r, "a")));
	cr_assert(!ynode_is_null(NULL));
	ytree_free(r);
}

Test(yaml_tree, check_keys_lists_valid_ones)
{
	static const char *const allowed[] = {"id", "rev", "msg", NULL};
	struct ynode *r = load("id: 1\nsevrity: 2\nmsg: x\nfoo: 1\n");
	struct ynode *l = load("[1]\n");

	cr_assert_eq(ymap_check_keys(r, allowed, "rule", &d), 2);
	cr_assert_str_eq(d.last, "t.yaml:4:1: error: unknown key 'foo' in rule (valid: id, rev, "
				 "msg)");
	cr_assert_eq(ymap_check_keys(l, allowed, "rule", &d), 1);
	cr_assert_str_eq(d.last, "t.yaml:1:1: error: expected a mapping for rule, got a list");
	cr_assert_eq(d.errors, 3);
	ytree_free(r);
	ytree_free(l);
}

/* The set made from the names answers as the list does: the same counts,
 * the same messages; keys holding a NUL or a prefix of a name are unknown. */
Test(yaml_tree, check_keyset_answers_as_the_list)
{
	static const char *const allowed[] = {"id", "rev", "msg", "metadata", "detector", NULL};
	struct ynode *r = load("id: 1\nsevrity: 2\nmsg: x\nfoo: 1\nmeta: 1\n\"id\\0\": 1\n"
			       "detector: a\n");
	struct ynode *l = load("[1]\n");
	struct ykeyset set;
	char last[sizeof(d.last)];

	cr_assert_eq(ykeyset_init(&set, allowed), 0);
	cr_assert_eq(ymap_check_keys(r, allowed, "rule", &d), 4);
	memcpy(last, d.last, sizeof(last));
	cr_assert_eq(ymap_check_keyset(r, &set, "rule", &d), 4);
	cr_assert_str_eq(d.last, last);
	cr_assert_str_eq(d.last, "t.yaml:6:1: error: unknown key 'id\\x00' in rule (valid: id, "
				 "rev, msg, metadata, detector)");
	cr_assert_eq(ymap_check_keyset(l, &set, "rule", &d), 1);
	cr_assert_str_eq(d.last, "t.yaml:1:1: error: expected a mapping for rule, got a list");
	cr_assert_eq(d.errors, 9);
	ytree_free(r);
	ytree_free(l);
}

Test(yaml_tree, null_buffer_is_an_empty_document, .init = quiet_diag)
{
	struct ynode *root = ytree_load_buffer("empty", NULL, 0, &d);

	cr_assert_not_null(root);
	cr_assert_eq(root->type, YNODE_MAP);
	cr_assert_eq(root->n, 0);
	cr_assert_eq(d.errors, 0);
	ytree_free(root);
}
