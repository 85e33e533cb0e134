/*
 * rule_class.c - the classification table behind `classtype:` (see
 * rule_keys.h), read from a file in Suricata's classification.config
 * format: one class per line,
 *
 *     config classification: NAME,DESCRIPTION,PRIORITY
 *
 * blank lines and lines starting with '#' ignored. NAME is letters, digits,
 * '-', '_' and '.'; DESCRIPTION is the alert's category (it may hold
 * commas: the priority is the text after the last one); PRIORITY is 1..255.
 * A later line with the same name replaces the earlier one, as in
 * Suricata. A malformed line is an error at file:line and the file is not
 * used.
 *
 * One process-wide table, replaced by each load (main thread, before the
 * rules that use it are parsed). Rules copy what they need, so the table
 * may be replaced while rules of an older generation are still in use.
 */
#include "detect/rule_keys.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"

#define CLASS_LINE_MAX 1024

struct class_entry {
	char *name, *desc;
	int prio;
};

struct class_table {
	struct class_entry *e;
	size_t n, cap;
};

static struct class_table classes;

static void table_free(struct class_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].name);
		free(t->e[i].desc);
	}
	free(t->e);
	memset(t, 0, sizeof(*t));
}

void rule_class_free(void)
{
	table_free(&classes);
}

static int table_put(struct class_table *t, const char *name, size_t nlen, const char *desc,
		     size_t dlen, int prio)
{
	struct class_entry *e = NULL;

	for (size_t i = 0; i < t->n && !e; i++)
		if (strlen(t->e[i].name) == nlen && memcmp(t->e[i].name, name, nlen) == 0)
			e = &t->e[i];
	if (!e) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 32;
			struct class_entry *ne = realloc(t->e, cap * sizeof(*ne));

			if (!ne)
				return -1;
			t->e = ne;
			t->cap = cap;
		}
		e = &t->e[t->n++];
		e->name = strndup(name, nlen);
	} else {
		free(e->desc);
	}
	e->desc = strndup(desc, dlen);
	e->prio = prio;
	return e->name && e->desc ? 0 : -1;
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

/* One "config classification:" line's value. */
static int class_line(struct class_table *t, const char *v, const char **why)
{
	const char *c1 = strchr(v, ','), *c2 = strrchr(v, ',');
	char *end;
	long prio;

	while (*v == ' ' || *v == '\t')
		v++;
	c1 = strchr(v, ',');
	if (!c1 || c1 == c2) {
		*why = "expected NAME,DESCRIPTION,PRIORITY";
		return -1;
	}
	if (!name_ok(v, (size_t)(c1 - v))) {
		*why = "bad class name (letters, digits, '-', '_', '.')";
		return -1;
	}
	errno = 0;
	prio = strtol(c2 + 1, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (errno || end == c2 + 1 || *end || prio < 1 || prio > 255) {
		*why = "priority must be an integer 1..255";
		return -1;
	}
	if (table_put(t, v, (size_t)(c1 - v), c1 + 1, (size_t)(c2 - c1 - 1), (int)prio) < 0) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

static int class_text(struct class_table *t, const char *name, const char *buf, size_t len,
		      struct diag *d)
{
	static const char key[] = "config classification:";
	char line[CLASS_LINE_MAX];
	size_t pos = 0;
	int lineno = 0, errs = 0;

	while (pos < len) {
		size_t e = pos;
		const char *s = line, *why = NULL;
		size_t ll;

		while (e < len && buf[e] != '\n')
			e++;
		ll = e - pos;
		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)(e - pos), buf + pos);
		pos = e + 1;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == 0 || *s == '#' || *s == '\r')
			continue;
		if (ll >= sizeof(line))
			why = "line too long";
		else if (strncmp(s, key, sizeof(key) - 1) != 0)
			why = "expected 'config classification: NAME,DESCRIPTION,PRIORITY'";
		else if (class_line(t, s + sizeof(key) - 1, &why) == 0)
			continue;
		diag_error(d, name, lineno, 1, "%s", why);
		errs++;
	}
	return errs ? -1 : 0;
}

int rule_class_load_buffer(const char *name, const char *buf, size_t len, struct diag *d)
{
	struct class_table t = {0};

	if (class_text(&t, name, buf, len, d) < 0) {
		table_free(&t);
		return -1;
	}
	table_free(&classes);
	classes = t;
	return 0;
}

int rule_class_load(const char *path, struct diag *d)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	if (!path || !*path) {
		table_free(&classes);
		return 0;
	}
	f = fopen(path, "r");
	if (!f) {
		diag_error(d, path, 0, 0, "cannot open classification file: %s", strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				diag_error(d, path, 0, 0, "out of memory");
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	rc = rule_class_load_buffer(path, buf ? buf : "", len, d);
	free(buf);
	return rc;
}

bool rule_class_find(const char *name, const char **desc, int *prio)
{
	for (size_t i = 0; i < classes.n; i++)
		if (strcmp(classes.e[i].name, name) == 0) {
			*desc = classes.e[i].desc;
			*prio = classes.e[i].prio;
			return true;
		}
	return false;
}
