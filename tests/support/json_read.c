/*
 * json_read.c - the tests' JSON reader (see json_read.h): a recursive
 * descent parser over one text, depth-limited.
 */
#include "json_read.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jr_in {
	const char *p, *end;
	int depth;
};

static struct jr_val *jr_value(struct jr_in *in);

static void skip_ws(struct jr_in *in)
{
	while (in->p < in->end && strchr(" \t\r\n", *in->p) && *in->p)
		in->p++;
}

static struct jr_val *jr_new(enum jr_type t)
{
	struct jr_val *v = calloc(1, sizeof(*v));

	if (!v)
		abort();
	v->type = t;
	return v;
}

static bool jr_lit(struct jr_in *in, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, lit, n) != 0)
		return false;
	in->p += n;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

static int jr_escape(struct jr_in *in, char *out, size_t *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	unsigned cp = 0;

	if (in->p >= in->end)
		return -1;
	hit = strchr(from, *in->p);
	if (hit && *in->p) {
		out[(*o)++] = to[hit - from];
		in->p++;
		return 0;
	}
	if (*in->p != 'u' || in->end - in->p < 5)
		return -1;
	for (int i = 1; i <= 4; i++) {
		int h = hexval(in->p[i]);

		if (h < 0)
			return -1;
		cp = cp << 4 | (unsigned)h;
	}
	in->p += 5;
	/* \u00XX below 0x100 stands for the byte itself (how the sensor
	 * writes bytes that are not UTF-8); the tests compare bytes. */
	if (cp < 0x100 && cp >= 0x80)
		out[(*o)++] = (char)cp;
	else
		*o += put_utf8(out + *o, cp);
	return 0;
}

static struct jr_val *jr_string(struct jr_in *in)
{
	struct jr_val *v;
	char *out;
	size_t o = 0;

	in->p++; /* opening quote */
	out = malloc((size_t)(in->end - in->p) * 3 + 1);
	if (!out)
		abort();
	while (in->p < in->end && *in->p != '"') {
		unsigned char c = (unsigned char)*in->p;

		if (c < 0x20)
			goto bad;
		if (c == '\\') {
			in->p++;
			if (jr_escape(in, out, &o) < 0)
				goto bad;
			continue;
		}
		out[o++] = (char)c;
		in->p++;
	}
	if (in->p >= in->end)
		goto bad;
	in->p++;
	out[o] = '\0';
	v = jr_new(JR_STR);
	v->text = out;
	v->len = o;
	return v;
bad:
	free(out);
	return NULL;
}

static struct jr_val *jr_number(struct jr_in *in)
{
	const char *start = in->p;
	struct jr_val *v;
	char *end;

	while (in->p < in->end && strchr("+-0123456789.eE", *in->p) && *in->p)
		in->p++;
	if (in->p == start)
		return NULL;
	v = jr_new(JR_NUM);
	v->text = strndup(start, (size_t)(in->p - start));
	v->num = strtod(v->text, &end);
	if (*end) {
		jr_free(v);
		return NULL;
	}
	return v;
}

static void jr_push(struct jr_val *v, char *key, struct jr_val *item)
{
	v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
	v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
	if (!v->items || !v->keys)
		abort();
	v->items[v->n] = item;
	v->keys[v->n] = key;
	v->n++;
}

static struct jr_val *jr_container(struct jr_in *in, bool obj)
{
	struct jr_val *v = jr_new(obj ? JR_OBJ : JR_ARR);
	char close = obj ? '}' : ']';

	in->p++;
	skip_ws(in);
	if (in->p < in->end && *in->p == close) {
		in->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jr_val *item;

		skip_ws(in);
		if (obj) {
			struct jr_val *k = in->p < in->end && *in->p == '"' ? jr_string(in) : NULL;

			skip_ws(in);
			if (!k || in->p >= in->end || *in->p != ':') {
				jr_free(k);
				goto bad;
			}
			in->p++;
			key = k->text;
			k->text = NULL;
			jr_free(k);
		}
		item = jr_value(in);
		if (!item) {
			free(key);
			goto bad;
		}
		jr_push(v, key, item);
		skip_ws(in);
		if (in->p < in->end && *in->p == ',') {
			in->p++;
			continue;
		}
		if (in->p < in->end && *in->p == close) {
			in->p++;
			return v;
		}
		goto bad;
	}
bad:
	jr_free(v);
	return NULL;
}

static struct jr_val *jr_value(struct jr_in *in)
{
	struct jr_val *v = NULL;

	skip_ws(in);
	if (in->p >= in->end || ++in->depth > 64)
		return NULL;
	if (*in->p == '{' || *in->p == '[')
		v = jr_container(in, *in->p == '{');
	else if (*in->p == '"')
		v = jr_string(in);
	else if (jr_lit(in, "true") || jr_lit(in, "false")) {
		v = jr_new(JR_BOOL);
		v->b = in->p[-1] == 'e' && in->p[-2] == 'u';
	} else if (jr_lit(in, "null"))
		v = jr_new(JR_NULL);
	else
		v = jr_number(in);
	in->depth--;
	return v;
}

struct jr_val *jr_parse(const char *text, size_t len)
{
	struct jr_in in = {text, text + len, 0};
	struct jr_val *v = jr_value(&in);

	skip_ws(&in);
	if (v && in.p != in.end) {
		jr_free(v);
		return NULL;
	}
	return v;
}

void jr_free(struct jr_val *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		jr_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	free(v);
}

const struct jr_val *jr_get(const struct jr_val *v, const char *path)
{
	char part[128];

	while (v && *path) {
		size_t n = strcspn(path, ".");
		const struct jr_val *next = NULL;

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		path += n + (path[n] == '.');
		if (v->type == JR_OBJ) {
			for (size_t i = 0; i < v->n && !next; i++)
				if (strcmp(v->keys[i], part) == 0)
					next = v->items[i];
		} else if (v->type == JR_ARR) {
			char *end;
			unsigned long idx = strtoul(part, &end, 10);

			if (!*end && idx < v->n)
				next = v->items[idx];
		}
		v = next;
	}
	return v;
}

const char *jr_str(const struct jr_val *v, const char *path)
{
	const struct jr_val *x = jr_get(v, path);

	return x && x->type == JR_STR ? x->text : NULL;
}

int64_t jr_int(const struct jr_val *v, const char *path, int64_t dflt)
{
	const struct jr_val *x = jr_get(v, path);

	return x && x->type == JR_NUM ? (int64_t)x->num : dflt;
}

const char *jr_text(const struct jr_val *v)
{
	if (!v)
		return NULL;
	switch (v->type) {
	case JR_NULL:
		return "null";
	case JR_BOOL:
		return v->b ? "true" : "false";
	case JR_NUM:
	case JR_STR:
		return v->text;
	default:
		return NULL;
	}
}

int eve_load(struct eve_log *log, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	memset(log, 0, sizeof(*log));
	if (!f)
		return -1;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct jr_val *v;

		if (line[n - 1] == '\n')
			n--;
		v = jr_parse(line, (size_t)n);
		if (!v || v->type != JR_OBJ) {
			jr_free(v);
			log->bad_lines++;
			continue;
		}
		log->recs = realloc(log->recs, (log->n + 1) * sizeof(*log->recs));
		if (!log->recs)
			abort();
		log->recs[log->n++] = v;
	}
	free(line);
	fclose(f);
	return 0;
}

void eve_free(struct eve_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		jr_free(log->recs[i]);
	free(log->recs);
	memset(log, 0, sizeof(*log));
}

/* Does `rec` satisfy every "path=value" term of `filter`? */
static bool eve_match(const struct jr_val *rec, const char *filter)
{
	char term[512];

	while (*filter) {
		size_t n = strcspn(filter, " ");
		char *eq;
		const char *text;

		if (n >= sizeof(term))
			return false;
		memcpy(term, filter, n);
		term[n] = '\0';
		filter += n;
		while (*filter == ' ')
			filter++;
		if (n == 0)
			continue;
		eq = strchr(term, '=');
		if (!eq) {
			if (!jr_get(rec, term))
				return false;
			continue;
		}
		*eq = '\0';
		text = jr_text(jr_get(rec, term));
		if (!text || strcmp(text, eq + 1) != 0)
			return false;
	}
	return true;
}

size_t eve_count(const struct eve_log *log, const char *filter)
{
	size_t n = 0;

	for (size_t i = 0; i < log->n; i++)
		n += eve_match(log->recs[i], filter);
	return n;
}

const struct jr_val *eve_find(const struct eve_log *log, const char *filter, size_t nth)
{
	for (size_t i = 0; i < log->n; i++)
		if (eve_match(log->recs[i], filter) && nth-- == 0)
			return log->recs[i];
	return NULL;
}

const char *eve_ip(const char *text)
{
	static char ring[8][48];
	static unsigned next;
	char *out = ring[next++ % 8];
	unsigned char b[16];

	if (!text || inet_pton(AF_INET6, text, b) != 1)
		return text;
	for (int i = 0; i < 8; i++)
		snprintf(out + i * 5, 6, "%02x%02x%s", b[2 * i], b[2 * i + 1], i < 7 ? ":" : "");
	return out;
}
