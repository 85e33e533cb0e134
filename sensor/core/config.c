/*
 * config.c - sensor.yaml (see config.h for the schema and
 * docs/configuration.md for users).
 *
 * Design: the file becomes a yaml_tree, then each section is read by its
 * own function that reports every problem at its node and keeps going, so
 * one run lists them all. config_load() fails when the diag error count
 * grew. Paths are resolved against the config file's folder when they are
 * relative; an absolute path stays as written.
 *
 * Ownership: every string in struct sensor_config is malloc'd and freed by
 * config_free(). The tree stays in c->tree because plugin option nodes
 * (plugin_conf.options) point into it. A `plugins:` list in the file
 * replaces the built-in one. Main thread only.
 */
#include "core/config.h"

#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/yaml_tree.h"

#define THREADS_MAX   1024
#define MAX_FLOWS_MAX (1u << 26)
#define TIMEOUT_MAX   86400

struct cload {
	struct sensor_config *c;
	struct diag *d;
	char *dir; /* folder of the config file with a trailing '/', or "" */
};

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void plugins_free(struct plugin_conf *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].path);
		strv_free(p[i].rule_files, p[i].n_rule_files);
	}
	free(p);
}

void config_defaults(struct sensor_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_dir = strdup(".");
	c->threads = 1;
	c->eve.enabled = true;
	c->eve.filename = strdup("eve.json");
	c->flow.max_flows = 65536;
	c->flow.timeout_tcp = 3600;
	c->flow.timeout_udp = 30;
	c->flow.timeout_icmp = 30;
	c->flow.timeout_other = 30;
	c->plugins = calloc(1, sizeof(*c->plugins));
	if (c->plugins) {
		c->plugins[0].name = strdup("signature");
		c->plugins[0].enabled = true;
		c->n_plugins = 1;
	}
}

void config_free(struct sensor_config *c)
{
	if (!c)
		return;
	free(c->file);
	free(c->log_dir);
	free(c->plugin_dir);
	free(c->eve.filename);
	plugins_free(c->plugins, c->n_plugins);
	strv_free(c->rule_files, c->n_rule_files);
	ytree_free(c->tree);
	memset(c, 0, sizeof(*c));
}

static int oom(struct cload *l, const struct ynode *n)
{
	diag_error(l->d, n->file, n->line, n->col, "out of memory");
	return -1;
}

/* A non-empty string without NUL bytes. */
static int cfg_text(struct cload *l, const struct ynode *n, const char *what, const char **out)
{
	if (!ynode_str(n, out, l->d))
		return -1;
	if (n->len == 0 || ynode_is_null(n)) {
		diag_error(l->d, n->file, n->line, n->col, "%s must not be empty", what);
		return -1;
	}
	if (strlen(n->str) != n->len) {
		diag_error(l->d, n->file, n->line, n->col, "%s must not contain NUL bytes", what);
		return -1;
	}
	return 0;
}

/* A path, resolved against the config file's folder. */
static int cfg_path(struct cload *l, const struct ynode *n, const char *what, char **out)
{
	const char *s;
	char *p;

	if (cfg_text(l, n, what, &s) < 0)
		return -1;
	if (s[0] == '/')
		p = strdup(s);
	else if (asprintf(&p, "%s%s", l->dir, s) < 0)
		p = NULL;
	if (!p)
		return oom(l, n);
	free(*out);
	*out = p;
	return 0;
}

/* Replace *out when `key` is in `map`. */
static void cfg_uint(struct cload *l, const struct ynode *map, const char *key, int64_t min,
		     int64_t max, uint32_t *out)
{
	const struct ynode *n = ymap_get(map, key);
	int64_t v;

	if (n && ynode_int(n, min, max, &v, l->d))
		*out = (uint32_t)v;
}

static void cfg_bool(struct cload *l, const struct ynode *map, const char *key, bool *out)
{
	const struct ynode *n = ymap_get(map, key);

	if (n)
		ynode_bool(n, out, l->d);
}

/* A list of paths; an empty value is an empty list. */
static void cfg_paths(struct cload *l, const struct ynode *n, const char *what, char ***out,
		      size_t *nout)
{
	char **v;

	if (ynode_is_null(n))
		return;
	if (n->type != YNODE_SEQ) {
		diag_error(l->d, n->file, n->line, n->col, "%s must be a list of paths", what);
		return;
	}
	v = calloc(n->n ? n->n : 1, sizeof(*v));
	if (!v) {
		oom(l, n);
		return;
	}
	strv_free(*out, *nout);
	*out = v;
	*nout = 0;
	for (size_t i = 0; i < n->n; i++)
		if (cfg_path(l, n->items[i], "a rule file path", &v[*nout]) == 0)
			(*nout)++;
}

static void cfg_outputs(struct cload *l, const struct ynode *outputs)
{
	static const char *const out_keys[] = {"eve", NULL};
	static const char *const eve_keys[] = {"enabled",	    "filename", "payload",
					       "payload-printable", "packet",	NULL};
	struct eve_config *e = &l->c->eve;
	const struct ynode *eve, *fn;
	const char *s;

	if (ymap_check_keys(outputs, out_keys, "outputs", l->d) && outputs->type != YNODE_MAP)
		return;
	eve = ymap_get(outputs, "eve");
	if (!eve)
		return;
	if (ymap_check_keys(eve, eve_keys, "outputs.eve", l->d) && eve->type != YNODE_MAP)
		return;
	cfg_bool(l, eve, "enabled", &e->enabled);
	cfg_bool(l, eve, "payload", &e->payload);
	cfg_bool(l, eve, "payload-printable", &e->payload_printable);
	cfg_bool(l, eve, "packet", &e->packet);
	fn = ymap_get(eve, "filename");
	if (fn && cfg_text(l, fn, "filename", &s) == 0) {
		char *copy = strdup(s);

		if (!copy) {
			oom(l, fn);
			return;
		}
		free(e->filename);
		e->filename = copy;
	}
}

static void cfg_flow(struct cload *l, const struct ynode *flow)
{
	static const char *const flow_keys[] = {"max-flows", "timeouts", NULL};
	static const char *const to_keys[] = {"tcp", "udp", "icmp", "other", NULL};
	struct flow_config *f = &l->c->flow;
	const struct ynode *to;

	if (ymap_check_keys(flow, flow_keys, "flow", l->d) && flow->type != YNODE_MAP)
		return;
	cfg_uint(l, flow, "max-flows", 1, MAX_FLOWS_MAX, &f->max_flows);
	to = ymap_get(flow, "timeouts");
	if (!to)
		return;
	if (ymap_check_keys(to, to_keys, "flow.timeouts", l->d) && to->type != YNODE_MAP)
		return;
	cfg_uint(l, to, "tcp", 1, TIMEOUT_MAX, &f->timeout_tcp);
	cfg_uint(l, to, "udp", 1, TIMEOUT_MAX, &f->timeout_udp);
	cfg_uint(l, to, "icmp", 1, TIMEOUT_MAX, &f->timeout_icmp);
	cfg_uint(l, to, "other", 1, TIMEOUT_MAX, &f->timeout_other);
}

static bool plugin_name_ok(const char *s)
{
	for (; *s; s++)
		if (!(*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static void cfg_plugin_name(struct cload *l, const struct ynode *item, struct plugin_conf *pc,
			    const struct plugin_conf *done, size_t n_done)
{
	const struct ynode *n = ymap_get(item, "name");
	const char *s;

	if (!n) {
		diag_error(l->d, item->file, item->line, item->col, "plugin entry without 'name'");
		return;
	}
	if (cfg_text(l, n, "plugin name", &s) < 0)
		return;
	if (!plugin_name_ok(s)) {
		diag_error(l->d, n->file, n->line, n->col,
			   "plugin name '%s' may only contain letters, digits, '_' and '-'", s);
		return;
	}
	for (size_t i = 0; i < n_done; i++)
		if (done[i].name && strcmp(done[i].name, s) == 0) {
			diag_error(l->d, n->file, n->line, n->col,
				   "plugin '%s' is listed twice (first at line %d)", s,
				   done[i].line);
			return;
		}
	pc->name = strdup(s);
	if (!pc->name)
		oom(l, n);
}

static void cfg_plugin(struct cload *l, const struct ynode *item, struct plugin_conf *pc,
		       const struct plugin_conf *done, size_t n_done)
{
	static const char *const keys[] = {"name", "path", "enabled", "rules", "options", NULL};
	const struct ynode *n;

	pc->enabled = true;
	pc->line = item->line;
	if (ymap_check_keys(item, keys, "plugin", l->d) && item->type != YNODE_MAP)
		return;
	cfg_plugin_name(l, item, pc, done, n_done);
	n = ymap_get(item, "path");
	if (n)
		cfg_path(l, n, "plugin path", &pc->path);
	cfg_bool(l, item, "enabled", &pc->enabled);
	n = ymap_get(item, "rules");
	if (n)
		cfg_paths(l, n, "rules", &pc->rule_files, &pc->n_rule_files);
	pc->options = ymap_get(item, "options");
}

static void cfg_plugins(struct cload *l, const struct ynode *list)
{
	struct sensor_config *c = l->c;
	struct plugin_conf *p;
	size_t n = list->type == YNODE_SEQ ? list->n : 0;

	if (list->type != YNODE_SEQ && !ynode_is_null(list)) {
		diag_error(l->d, list->file, list->line, list->col,
			   "plugins must be a list of plugin entries");
		return;
	}
	p = calloc(n ? n : 1, sizeof(*p));
	if (!p) {
		oom(l, list);
		return;
	}
	plugins_free(c->plugins, c->n_plugins);
	c->plugins = p;
	c->n_plugins = n;
	for (size_t i = 0; i < n; i++)
		cfg_plugin(l, list->items[i], &p[i], p, i);
}

static void cfg_root(struct cload *l, const struct ynode *root)
{
	static const char *const keys[] = {"log-dir", "plugin-dir", "threads",	  "outputs",
					   "flow",    "plugins",    "rule-files", NULL};
	struct sensor_config *c = l->c;
	const struct ynode *n;
	uint32_t threads = c->threads;

	if (ymap_check_keys(root, keys, "the configuration", l->d) && root->type != YNODE_MAP)
		return;
	if ((n = ymap_get(root, "log-dir")))
		cfg_path(l, n, "log-dir", &c->log_dir);
	if ((n = ymap_get(root, "plugin-dir")))
		cfg_path(l, n, "plugin-dir", &c->plugin_dir);
	cfg_uint(l, root, "threads", 1, THREADS_MAX, &threads);
	c->threads = threads;
	if ((n = ymap_get(root, "outputs")))
		cfg_outputs(l, n);
	if ((n = ymap_get(root, "flow")))
		cfg_flow(l, n);
	if ((n = ymap_get(root, "plugins")))
		cfg_plugins(l, n);
	if ((n = ymap_get(root, "rule-files")))
		cfg_paths(l, n, "rule-files", &c->rule_files, &c->n_rule_files);
}

/* "dir/" of "dir/file.yaml", "" for "file.yaml". */
static char *config_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strndup(path, slash ? (size_t)(slash - path) + 1 : 0);
}

int config_load(struct sensor_config *c, const char *path, struct diag *d)
{
	struct cload l = {.c = c, .d = d};
	unsigned before = d->errors;
	struct ynode *tree;

	tree = ytree_load_file(path, d);
	if (!tree)
		return -1;
	/* Loading twice: option nodes of the old tree would dangle. */
	for (size_t i = 0; i < c->n_plugins; i++)
		c->plugins[i].options = NULL;
	ytree_free(c->tree);
	c->tree = tree;
	free(c->file);
	c->file = strdup(path);
	l.dir = config_dir(path);
	if (!c->file || !l.dir) {
		diag_error(d, path, 0, 0, "out of memory");
		free(l.dir);
		return -1;
	}
	cfg_root(&l, tree);
	free(l.dir);
	return d->errors == before ? 0 : -1;
}
