/*
 * eve_json.c - the record builder of the plugin ABI (see eve_json.h).
 *
 * Every op checks that the record is open and that nesting stays within
 * IDS_JSON_MAX_DEPTH; a close that does not match what is open is
 * ignored, so a plugin bug cannot make a line invalid JSON. Calls on a
 * closed builder (after record_end) do nothing.
 */
#include "output/eve_json.h"

#include <string.h>

static bool usable(const struct ids_json *b)
{
	return b && b->open && !b->bad;
}

static void open_level(struct ids_json *b, const char *key, char kind)
{
	if (!usable(b))
		return;
	if (b->depth == IDS_JSON_MAX_DEPTH) {
		b->bad = true;
		return;
	}
	b->stack[b->depth++] = kind;
	if (kind == 'o')
		jbuf_open_object(b->j, key);
	else
		jbuf_open_array(b->j, key);
}

static void close_level(struct ids_json *b, char kind)
{
	if (!usable(b) || b->depth == 0 || b->stack[b->depth - 1] != kind)
		return;
	b->depth--;
	if (kind == 'o')
		jbuf_close_object(b->j);
	else
		jbuf_close_array(b->j);
}

static void op_open_object(struct ids_json *b, const char *key)
{
	open_level(b, key, 'o');
}

static void op_close_object(struct ids_json *b)
{
	close_level(b, 'o');
}

static void op_open_array(struct ids_json *b, const char *key)
{
	open_level(b, key, 'a');
}

static void op_close_array(struct ids_json *b)
{
	close_level(b, 'a');
}

static void op_strn(struct ids_json *b, const char *key, const char *s, size_t n)
{
	if (usable(b))
		jbuf_strn(b->j, key, s ? s : "", s ? n : 0);
}

static void op_str(struct ids_json *b, const char *key, const char *s)
{
	op_strn(b, key, s, s ? strlen(s) : 0);
}

static void op_u64(struct ids_json *b, const char *key, uint64_t v)
{
	if (usable(b))
		jbuf_u64(b->j, key, v);
}

static void op_i64(struct ids_json *b, const char *key, int64_t v)
{
	if (usable(b))
		jbuf_i64(b->j, key, v);
}

static void op_bool(struct ids_json *b, const char *key, int v)
{
	if (usable(b))
		jbuf_bool(b->j, key, v != 0);
}

static void op_raw(struct ids_json *b, const char *key, const char *json)
{
	if (usable(b) && json && json[0])
		jbuf_raw(b->j, key, json);
}

const struct ids_json_ops eve_json_ops = {
	.open_object = op_open_object,
	.close_object = op_close_object,
	.open_array = op_open_array,
	.close_array = op_close_array,
	.str = op_str,
	.strn = op_strn,
	.u64 = op_u64,
	.i64 = op_i64,
	.boolean = op_bool,
	.raw = op_raw,
};

void eve_json_close_all(struct ids_json *b)
{
	while (b->depth > 0) {
		if (b->stack[--b->depth] == 'o')
			jbuf_close_object(b->j);
		else
			jbuf_close_array(b->j);
	}
}
