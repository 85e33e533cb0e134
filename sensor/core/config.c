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

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/yaml_tree.h"

#define THREADS_MAX   1024
#define MAX_FLOWS_MAX (1u << 26)
#define TIMEOUT_MAX   86400
#define MiB	      (UINT64_C(1) << 20)
#define SIZE_MAX_CFG  (UINT64_C(1) << 40) /* 1 TiB: a typo, not a size */

struct cload {
	struct sensor_config *c;
	struct diag *d;
	char *dir;	       /* folder of the config file with a trailing '/', or "" */
	bool community_id_set; /* an outputs entry gave community-id (-seed) */
	bool ipv6_format_set;  /* an outputs entry gave ipv6-format */
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

/* Records: protocol records and community_id on, `host` the hostname. */
static void config_record_defaults(struct eve_config *e)
{
	char name[256];

	e->http = e->dns = e->tls = true;
	e->community_id = true;
	e->community_id_seed = 0;
	if (gethostname(name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = '\0';
		e->host = strdup(name);
	}
}

void config_defaults(struct sensor_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_dir = strdup(".");
	c->threads = 1;
	c->eve.enabled = true;
	c->eve.filename = strdup("eve.json");
	c->eve.alert = c->eve.anomaly = c->eve.flow = c->eve.stats = true;
	config_record_defaults(&c->eve);
	c->flow.max_flows = 65536;
	c->flow.new_tcp = 60;
	c->flow.timeout_tcp = 3600;
	c->flow.closed_tcp = 60;
	c->flow.new_udp = c->flow.new_icmp = c->flow.new_other = 30;
	c->flow.timeout_udp = c->flow.timeout_icmp = c->flow.timeout_other = 300;
	c->policies.def = OS_POLICY_BSD;
	c->stream.depth = (uint32_t)MiB;
	c->stream.memcap = 64 * MiB;
	c->stream.max_unacked = (uint32_t)MiB;
	c->stream.policies = &c->policies;
	decode_config_defaults(&c->decoder);
	c->checksum_validation = CHECKSUM_AUTO;
	c->defrag.timeout_s = 60;
	c->defrag.memcap = 32 * MiB;
	c->defrag.max_trackers = 65536;
	c->defrag.policies = &c->policies;
	live_config_defaults(&c->live);
	c->stats_interval = 30;
	c->log_level = 1;    /* LOG_LVL_WARN */
	c->log_facility = 3; /* daemon */
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
	free(c->eve.host);
	free(c->policies.nets);
	strv_free(c->ifaces, c->n_ifaces);
	free(c->bpf);
	free(c->pidfile);
	free(c->rules_cache_dir);
	free(c->run_as_user);
	free(c->run_as_group);
	plugins_free(c->plugins, c->n_plugins);
	strv_free(c->rule_files, c->n_rule_files);
	free(c->classification_file);
	free(c->suri_reference);
	free(c->suri_threshold);
	free(c->suri_enable);
	free(c->suri_disable);
	ytree_free(c->tree);
	for (size_t i = 0; i < c->n_outputs; i++)
		output_conf_free(&c->outputs[i]);
	free(c->outputs);
	free(c->control_socket.path);
	free(c->control_socket.group);
	free(c->log_file);
	free(c->log_identity);
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

/* A name: a non-empty string without NUL bytes, copied into *out. */
static int cfg_name(struct cload *l, const struct ynode *n, const char *what, char **out)
{
	const char *s;

	if (cfg_text(l, n, what, &s) < 0)
		return -1;
	*out = strdup(s);
	return *out ? 0 : oom(l, n);
}

/* A list of paths (resolved against the config's folder) or of plain
 * names (interfaces), replacing *out; an empty value is an empty list. */
static void cfg_list(struct cload *l, const struct ynode *n, const char *what, bool paths,
		     char ***out, size_t *nout)
{
	char **v;

	if (ynode_is_null(n))
		return;
	if (n->type != YNODE_SEQ) {
		diag_error(l->d, n->file, n->line, n->col, "%s must be a list of %s", what,
			   paths ? "paths" : "names");
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
		if ((paths ? cfg_path(l, n->items[i], "a rule file path", &v[*nout])
			   : cfg_name(l, n->items[i], what, &v[*nout])) == 0)
			(*nout)++;
}

/* `types: [alert, anomaly, flow, stats, http, dns, tls]`: the records
 * written. */
static void cfg_eve_types(struct cload *l, const struct ynode *n)
{
	static const char *const names[] = {"alert", "anomaly", "flow", "stats",
					    "http",  "dns",	"tls",	NULL};
	struct eve_config *e = &l->c->eve;
	bool *flags[] = {&e->alert, &e->anomaly, &e->flow, &e->stats, &e->http, &e->dns, &e->tls};
	bool on[7] = {false, false, false, false, false, false, false};

	if (!n)
		return;
	if (n->type != YNODE_SEQ && !ynode_is_null(n)) {
		diag_error(l->d, n->file, n->line, n->col,
			   "types must be a list of record types (alert, anomaly, flow, stats, "
			   "http, dns, tls)");
		return;
	}
	for (size_t i = 0; n->type == YNODE_SEQ && i < n->n; i++) {
		const struct ynode *t = n->items[i];
		size_t k = 0;

		while (names[k] && (t->type != YNODE_SCALAR || strcmp(t->str, names[k]) != 0))
			k++;
		if (!names[k]) {
			diag_error(
				l->d, t->file, t->line, t->col,
				"unknown record type %s%s%s (valid: alert, anomaly, flow, stats, "
				"http, dns, tls)",
				t->type == YNODE_SCALAR ? "'" : "",
				t->type == YNODE_SCALAR ? t->str : "(a collection)",
				t->type == YNODE_SCALAR ? "'" : "");
			continue;
		}
		on[k] = true;
	}
	for (size_t k = 0; k < 7; k++)
		*flags[k] = on[k];
}

static void cfg_choice(struct cload *l, const struct ynode *map, const char *key,
		       const char *const *names, const char *valid, int *out);

/* `community-id`, `community-id-seed` of outputs.eve (as Suricata's
 * eve-log). */
static void cfg_eve_records(struct cload *l, const struct ynode *eve)
{
	uint32_t seed = l->c->eve.community_id_seed;

	cfg_bool(l, eve, "community-id", &l->c->eve.community_id);
	cfg_uint(l, eve, "community-id-seed", 0, UINT16_MAX, &seed);
	l->c->eve.community_id_seed = (uint16_t)seed;
}

/* `ipv6-format: expanded|compressed` of outputs.eve: how IPv6 addresses
 * are written (expanded as Suricata does by default). */
static void cfg_eve_ipv6_format(struct cload *l, const struct ynode *eve)
{
	static const char *const formats[] = {"expanded", "compressed", NULL};
	int f = l->c->eve.ipv6_compressed ? 1 : 0;

	cfg_choice(l, eve, "ipv6-format", formats, "expanded, compressed", &f);
	l->c->eve.ipv6_compressed = f == 1;
}
static void cfg_outputs_list(struct cload *l, const struct ynode *list);

static void cfg_outputs(struct cload *l, const struct ynode *outputs)
{
	static const char *const out_keys[] = {"eve", NULL};
	static const char *const eve_keys[] = {
		"enabled", "filename",	   "payload",		"payload-printable", "packet",
		"types",   "community-id", "community-id-seed", "ipv6-format",	     NULL};
	struct eve_config *e = &l->c->eve;
	const struct ynode *eve, *fn;
	const char *s;

	if (outputs->type == YNODE_SEQ) {
		cfg_outputs_list(l, outputs);
		return;
	}
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
	cfg_eve_types(l, ymap_get(eve, "types"));
	cfg_eve_records(l, eve);
	cfg_eve_ipv6_format(l, eve);
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

/* A protocol's timeouts: one number for every state, or a map of states
 * (`closed` for TCP only). */
static void cfg_timeouts(struct cload *l, const struct ynode *n, const char *what, uint32_t *new_s,
			 uint32_t *est_s, uint32_t *closed_s)
{
	static const char *const tcp_keys[] = {"new", "established", "closed", NULL};
	static const char *const keys[] = {"new", "established", NULL};
	int64_t v;

	if (!n)
		return;
	if (n->type == YNODE_SCALAR) {
		if (ynode_int(n, 1, TIMEOUT_MAX, &v, l->d)) {
			*new_s = *est_s = (uint32_t)v;
			if (closed_s)
				*closed_s = (uint32_t)v;
		}
		return;
	}
	if (ymap_check_keys(n, closed_s ? tcp_keys : keys, what, l->d) && n->type != YNODE_MAP)
		return;
	cfg_uint(l, n, "new", 1, TIMEOUT_MAX, new_s);
	cfg_uint(l, n, "established", 1, TIMEOUT_MAX, est_s);
	if (closed_s)
		cfg_uint(l, n, "closed", 1, TIMEOUT_MAX, closed_s);
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
	cfg_timeouts(l, ymap_get(to, "tcp"), "flow.timeouts.tcp", &f->new_tcp, &f->timeout_tcp,
		     &f->closed_tcp);
	cfg_timeouts(l, ymap_get(to, "udp"), "flow.timeouts.udp", &f->new_udp, &f->timeout_udp,
		     NULL);
	cfg_timeouts(l, ymap_get(to, "icmp"), "flow.timeouts.icmp", &f->new_icmp, &f->timeout_icmp,
		     NULL);
	cfg_timeouts(l, ymap_get(to, "other"), "flow.timeouts.other", &f->new_other,
		     &f->timeout_other, NULL);
}

/* A byte size: an integer, or a number with kb, mb or gb (powers of 1024). */
static void cfg_size(struct cload *l, const struct ynode *map, const char *key, uint64_t max,
		     uint64_t *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {{"", 0}, {"b", 0}, {"kb", 10}, {"mb", 20}, {"gb", 30}};
	const struct ynode *n = ymap_get(map, key);
	unsigned long long v;
	char *end;

	if (!n)
		return;
	errno = 0;
	v = n->type == YNODE_SCALAR && isdigit((unsigned char)n->str[0])
		    ? strtoull(n->str, &end, 10)
		    : 0;
	if (n->type == YNODE_SCALAR && isdigit((unsigned char)n->str[0]) && !errno)
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcasecmp(end, units[i].suffix) == 0 && v <= (max >> units[i].shift)) {
				*out = (uint64_t)v << units[i].shift;
				return;
			}
	diag_error(l->d, n->file, n->line, n->col,
		   "%s must be a size in bytes (e.g. 65536, 64kb, 32mb, 1gb) of at most %llu "
		   "bytes, got %s%s%s",
		   key, (unsigned long long)max, n->type == YNODE_SCALAR ? "'" : "",
		   n->type == YNODE_SCALAR ? n->str : "a collection",
		   n->type == YNODE_SCALAR ? "'" : "");
}

static void cfg_size32(struct cload *l, const struct ynode *map, const char *key, uint32_t *out)
{
	uint64_t v = *out;

	cfg_size(l, map, key, UINT32_MAX, &v);
	*out = (uint32_t)v;
}

/* stream.checksum-validation: auto, or a boolean (yes/no, true/false). */
static void cfg_checksum(struct cload *l, const struct ynode *st)
{
	const struct ynode *n = ymap_get(st, "checksum-validation");
	bool on;

	if (!n)
		return;
	if (n->type == YNODE_SCALAR && !n->quoted && strcasecmp(n->str, "auto") == 0) {
		l->c->checksum_validation = CHECKSUM_AUTO;
		return;
	}
	if (ynode_bool(n, &on, l->d))
		l->c->checksum_validation = on ? CHECKSUM_YES : CHECKSUM_NO;
}

/* stream.reassembly.urgent-policy: auto, inline, oob or gap. */
static void cfg_stream_urgent(struct cload *l, const struct ynode *r)
{
	const struct ynode *n = ymap_get(r, "urgent-policy");
	enum stream_urgent u;
	const char *s;

	if (!n || cfg_text(l, n, "stream.reassembly.urgent-policy", &s) < 0)
		return;
	if (stream_urgent_parse(s, &u) < 0) {
		diag_error(l->d, n->file, n->line, n->col,
			   "stream.reassembly.urgent-policy: unknown value '%s' (valid: auto, "
			   "inline, oob, gap)",
			   s);
		return;
	}
	l->c->stream.urgent_policy = (uint8_t)u;
}

/* ------------------------------------------------- outputs as a list */

/* Index of `s` in the NULL-terminated `names`, or -1 after an error
 * listing the valid ones. */
static int cfg_pick(struct cload *l, const struct ynode *n, const char *what,
		    const char *const *names, const char *valid)
{
	const char *s;

	if (cfg_text(l, n, what, &s) < 0)
		return -1;
	for (int i = 0; names[i]; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	diag_error(l->d, n->file, n->line, n->col, "unknown %s '%s' (valid: %s)", what, s, valid);
	return -1;
}

static void cfg_out_str(struct cload *l, const struct ynode *map, const char *key, char **out)
{
	const struct ynode *n = ymap_get(map, key);

	if (n) {
		free(*out);
		*out = NULL;
		cfg_name(l, n, key, out);
	}
}

/* `types:` of one output: names kept as given, checked against the
 * record types an output can take. */
static void cfg_out_types(struct cload *l, const struct ynode *n, struct output_conf *o)
{
	if (!n || ynode_is_null(n))
		return;
	if (n->type != YNODE_SEQ || n->n > OUTPUT_MAX_TYPES) {
		diag_error(l->d, n->file, n->line, n->col,
			   "types must be a list of at most %d record types", OUTPUT_MAX_TYPES);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *t = n->items[i];
		char *name = NULL;

		if (cfg_name(l, t, "a record type", &name) < 0)
			continue;
		if (!output_known_type(name)) {
			diag_error(l->d, t->file, t->line, t->col,
				   "unknown record type '%s' (valid: alert, anomaly, flow, stats, "
				   "http, dns, tls)",
				   name);
			free(name);
			continue;
		}
		o->types[o->n_types++] = name;
	}
}

/* `rotate-interval`: seconds, N with s/m/h/d, or minute/hour/day. */
static void cfg_interval(struct cload *l, const struct ynode *map, const char *key, uint32_t *out)
{
	static const char *const words[] = {"minute", "hour", "day"};
	static const uint32_t word_s[] = {60, 3600, 86400};
	const struct ynode *n = ymap_get(map, key);
	unsigned long v;
	char *end;

	if (!n)
		return;
	if (n->type == YNODE_SCALAR && strcmp(n->str, "0") == 0) {
		*out = 0; /* no rotation by time */
		return;
	}
	for (size_t i = 0; n->type == YNODE_SCALAR && i < 3; i++)
		if (strcasecmp(n->str, words[i]) == 0) {
			*out = word_s[i];
			return;
		}
	v = n->type == YNODE_SCALAR && isdigit((unsigned char)n->str[0]) ? strtoul(n->str, &end, 10)
									 : 0;
	if (v && v <= 86400 * 366) {
		unsigned long mul = !*end || !strcmp(end, "s") ? 1
				    : !strcmp(end, "m")	       ? 60
				    : !strcmp(end, "h")	       ? 3600
				    : !strcmp(end, "d")	       ? 86400
							       : 0;

		if (mul && v * mul <= 86400 * 366) {
			*out = (uint32_t)(v * mul);
			return;
		}
	}
	diag_error(l->d, n->file, n->line, n->col,
		   "%s must be seconds, a number with s, m, h or d (30s, 5m, 1h), or minute, hour "
		   "or day",
		   key);
}

/* `mode:` of new files: octal, e.g. 0640. */
static void cfg_mode(struct cload *l, const struct ynode *map, uint32_t *out)
{
	const struct ynode *n = ymap_get(map, "mode");
	unsigned long v = 01000;
	char *end = NULL;

	if (!n)
		return;
	if (n->type == YNODE_SCALAR && n->str[0])
		v = strtoul(n->str, &end, 8);
	if (!end || *end || v > 0777) {
		diag_error(l->d, n->file, n->line, n->col,
			   "mode must be octal permissions such as 0640");
		return;
	}
	*out = (uint32_t)v;
}

static void cfg_out_syslog(struct cload *l, const struct ynode *n, struct output_conf *o)
{
	static const char *const keys[] = {"facility", "level", "identity", "socket", NULL};
	static const char *const facilities[] = {"kern",     "user",   "mail",	 "daemon", "auth",
						 "syslog",   "lpr",    "news",	 "uucp",   "cron",
						 "authpriv", "ftp",    "-",	 "-",	   "-",
						 "-",	     "local0", "local1", "local2", "local3",
						 "local4",   "local5", "local6", "local7", NULL};
	static const char *const levels[] = {"emerg",  "alert", "crit",	 "err", "warning",
					     "notice", "info",	"debug", NULL};
	const struct ynode *v;
	int k;

	if (ymap_check_keys(n, keys, "syslog", l->d) && n->type != YNODE_MAP)
		return;
	if ((v = ymap_get(n, "facility")) &&
	    (k = cfg_pick(l, v, "syslog facility", facilities,
			  "kern, user, mail, daemon, auth, syslog, ..., local0 to local7")) >= 0)
		o->facility = k;
	if ((v = ymap_get(n, "level")) &&
	    (k = cfg_pick(l, v, "syslog level", levels,
			  "emerg, alert, crit, err, warning, notice, info, debug")) >= 0)
		o->level = k;
	cfg_out_str(l, n, "identity", &o->identity);
	if ((v = ymap_get(n, "socket")))
		cfg_path(l, v, "syslog.socket", &o->socket_path);
}

static void cfg_out_redis(struct cload *l, const struct ynode *n, struct output_conf *o)
{
	static const char *const keys[] = {
		"server",     "port", "socket",	       "password",
		"mode",	      "key",  "stream-maxlen", "stream-trim-exact",
		"batch-size", NULL};
	static const char *const modes[] = {"list",    "lpush",	 "rpush", "channel",
					    "publish", "stream", "xadd",  NULL};
	static const enum redis_mode mode_of[] = {REDIS_LPUSH,	 REDIS_LPUSH,	REDIS_RPUSH,
						  REDIS_PUBLISH, REDIS_PUBLISH, REDIS_XADD,
						  REDIS_XADD};
	const struct ynode *v;
	uint32_t port = o->port, maxlen = 0;
	int k;

	if (ymap_check_keys(n, keys, "redis", l->d) && n->type != YNODE_MAP)
		return;
	cfg_out_str(l, n, "server", &o->host);
	cfg_uint(l, n, "port", 1, 65535, &port);
	o->port = (uint16_t)port;
	if ((v = ymap_get(n, "socket")))
		cfg_path(l, v, "redis.socket", &o->socket_path);
	cfg_out_str(l, n, "password", &o->password);
	cfg_out_str(l, n, "key", &o->key);
	if ((v = ymap_get(n, "mode")) &&
	    (k = cfg_pick(l, v, "redis mode", modes,
			  "list, lpush, rpush, channel, publish, stream, xadd")) >= 0)
		o->redis_mode = mode_of[k];
	cfg_uint(l, n, "stream-maxlen", 0, UINT32_MAX, &maxlen);
	o->stream_maxlen = maxlen;
	cfg_bool(l, n, "stream-trim-exact", &o->stream_trim_exact);
	cfg_uint(l, n, "batch-size", 1, 100000, &o->batch);
}

/* The rendering options and types of every output add up in `eve`: a
 * record is rendered once, with what any output asks for. */
static void cfg_out_union(struct eve_config *e, const struct output_conf *o, bool payload,
			  bool printable, bool packet)
{
	if (!o->enabled)
		return;
	e->enabled = true;
	e->payload |= payload;
	e->payload_printable |= printable;
	e->packet |= packet;
	for (size_t i = 0; i < o->n_types || (i == 0 && !o->n_types); i++) {
		const char *t = o->n_types ? o->types[i] : NULL;

		e->alert |= !t || !strcmp(t, "alert");
		e->anomaly |= !t || !strcmp(t, "anomaly");
		e->flow |= !t || !strcmp(t, "flow");
		e->stats |= !t || !strcmp(t, "stats");
		e->http |= !t || !strcmp(t, "http");
		e->dns |= !t || !strcmp(t, "dns");
		e->tls |= !t || !strcmp(t, "tls");
	}
}

static void cfg_out_sink(struct cload *l, const struct ynode *eve, struct output_conf *o)
{
	static const char *const sinks[] = {"file",   "regular", "unix_dgram", "unix_stream",
					    "syslog", "redis",	 NULL};
	static const enum sink_kind kind_of[] = {SINK_FILE,	   SINK_FILE,	SINK_UNIX_DGRAM,
						 SINK_UNIX_STREAM, SINK_SYSLOG, SINK_REDIS};
	const struct ynode *v = ymap_get(eve, "sink");
	int k;

	if (!v)
		v = ymap_get(eve, "filetype");
	if (v && (k = cfg_pick(l, v, "sink", sinks,
			       "file, unix_dgram, unix_stream, syslog, redis")) >= 0)
		o->sink = kind_of[k];
	if ((v = ymap_get(eve, "filename")))
		cfg_name(l, v, "filename", &o->filename);
	if (o->sink == SINK_FILE && !o->filename)
		o->filename = strdup("eve.json");
	if ((o->sink == SINK_UNIX_DGRAM || o->sink == SINK_UNIX_STREAM) && !o->filename)
		diag_error(l->d, eve->file, eve->line, eve->col,
			   "a %s output needs filename: the socket's path",
			   output_sink_name(o->sink));
	if ((v = ymap_get(eve, "syslog")))
		cfg_out_syslog(l, v, o);
	if ((v = ymap_get(eve, "redis")))
		cfg_out_redis(l, v, o);
}

/* `community-id` and `community-id-seed` of a list entry. A record is
 * rendered once for every output, so they hold for all outputs: two
 * entries that disagree are an error. */
static void cfg_out_community_id(struct cload *l, const struct ynode *eve)
{
	struct eve_config *e = &l->c->eve;
	bool on = e->community_id;
	uint16_t seed = e->community_id_seed;
	const struct ynode *n;

	if (!ymap_get(eve, "community-id") && !ymap_get(eve, "community-id-seed"))
		return;
	cfg_eve_records(l, eve);
	n = ymap_get(eve, "community-id") ? ymap_get(eve, "community-id")
					  : ymap_get(eve, "community-id-seed");
	if (l->community_id_set && (on != e->community_id || seed != e->community_id_seed))
		diag_error(l->d, n->file, n->line, n->col,
			   "community-id and community-id-seed differ from an earlier output; "
			   "records are rendered once for every output, so give every output "
			   "the same values (or set them on one output only)");
	l->community_id_set = true;
}

/* `ipv6-format` of a list entry: like community-id, the same for every
 * output that gives it. */
static void cfg_out_ipv6_format(struct cload *l, const struct ynode *eve)
{
	const struct ynode *n = ymap_get(eve, "ipv6-format");
	bool was = l->c->eve.ipv6_compressed;

	if (!n)
		return;
	cfg_eve_ipv6_format(l, eve);
	if (l->ipv6_format_set && was != l->c->eve.ipv6_compressed)
		diag_error(l->d, n->file, n->line, n->col,
			   "ipv6-format differs from an earlier output; records are rendered "
			   "once for every output, so give every output the same value (or set "
			   "it on one output only)");
	l->ipv6_format_set = true;
}

/* One `- eve: {...}` entry. */
static void cfg_output(struct cload *l, const struct ynode *item, struct output_conf *o,
		       size_t index)
{
	static const char *const item_keys[] = {"eve", NULL};
	static const char *const keys[] = {"name",
					   "enabled",
					   "sink",
					   "filetype",
					   "filename",
					   "types",
					   "payload",
					   "payload-printable",
					   "packet",
					   "queue-size",
					   "rotate-interval",
					   "limit",
					   "mode",
					   "owner",
					   "group",
					   "syslog",
					   "redis",
					   "community-id",
					   "community-id-seed",
					   "ipv6-format",
					   NULL};
	const struct ynode *eve;
	bool payload = false, printable = false, packet = false;
	char name[32];

	snprintf(name, sizeof(name), "eve-%zu", index + 1);
	output_conf_init(o, name);
	if (ymap_check_keys(item, item_keys, "an outputs entry", l->d) && item->type != YNODE_MAP)
		return;
	eve = ymap_get(item, "eve");
	if (!eve || (ymap_check_keys(eve, keys, "outputs[].eve", l->d) && eve->type != YNODE_MAP))
		return;
	cfg_out_str(l, eve, "name", &o->name);
	cfg_bool(l, eve, "enabled", &o->enabled);
	cfg_bool(l, eve, "payload", &payload);
	cfg_bool(l, eve, "payload-printable", &printable);
	cfg_bool(l, eve, "packet", &packet);
	cfg_out_types(l, ymap_get(eve, "types"), o);
	cfg_size(l, eve, "queue-size", UINT32_MAX, &o->queue_size);
	cfg_size(l, eve, "limit", SIZE_MAX_CFG, &o->rotate_limit);
	cfg_interval(l, eve, "rotate-interval", &o->rotate_interval);
	cfg_mode(l, eve, &o->mode);
	cfg_out_str(l, eve, "owner", &o->owner);
	cfg_out_str(l, eve, "group", &o->group);
	cfg_out_sink(l, eve, o);
	cfg_out_community_id(l, eve);
	cfg_out_ipv6_format(l, eve);
	cfg_out_union(&l->c->eve, o, payload, printable, packet);
}

static void cfg_outputs_list(struct cload *l, const struct ynode *list)
{
	struct sensor_config *c = l->c;
	struct output_conf *o = calloc(list->n ? list->n : 1, sizeof(*o));

	if (!o) {
		oom(l, list);
		return;
	}
	for (size_t i = 0; i < c->n_outputs; i++)
		output_conf_free(&c->outputs[i]);
	free(c->outputs);
	c->outputs = o;
	c->n_outputs = list->n;
	c->eve.enabled = c->eve.payload = c->eve.payload_printable = c->eve.packet = false;
	c->eve.alert = c->eve.anomaly = c->eve.flow = c->eve.stats = false;
	c->eve.http = c->eve.dns = c->eve.tls = false;
	for (size_t i = 0; i < list->n; i++) {
		cfg_output(l, list->items[i], &o[i], i);
		for (size_t k = 0; k < i; k++)
			if (o[k].name && o[i].name && !strcmp(o[k].name, o[i].name))
				diag_error(l->d, list->items[i]->file, list->items[i]->line,
					   list->items[i]->col, "two outputs are named '%s'",
					   o[i].name);
	}
}

/* `control-socket:` (core/control_socket.h). */
static void cfg_control_socket(struct cload *l, const struct ynode *n)
{
	static const char *const keys[] = {"enabled", "path", "mode", "group", NULL};
	struct ctl_socket_config *cs = &l->c->control_socket;
	const struct ynode *v;

	cs->mode = 0660;
	cs->enabled = true;
	if (ymap_check_keys(n, keys, "control-socket", l->d) && n->type != YNODE_MAP)
		return;
	cfg_bool(l, n, "enabled", &cs->enabled);
	if ((v = ymap_get(n, "path")))
		cfg_path(l, v, "control-socket.path", &cs->path);
	cfg_mode(l, n, &cs->mode);
	cfg_out_str(l, n, "group", &cs->group);
}

/* `logging:` (base/log.h). */
static void cfg_logging(struct cload *l, const struct ynode *n)
{
	static const char *const keys[] = {"level", "file", "syslog", "facility", "identity", NULL};
	static const char *const levels[] = {"error", "warning", "info", "debug", NULL};
	static const char *const facilities[] = {"kern",     "user",   "mail",	 "daemon", "auth",
						 "syslog",   "lpr",    "news",	 "uucp",   "cron",
						 "authpriv", "ftp",    "-",	 "-",	   "-",
						 "-",	     "local0", "local1", "local2", "local3",
						 "local4",   "local5", "local6", "local7", NULL};
	struct sensor_config *c = l->c;
	const struct ynode *v;
	int k;

	if (ymap_check_keys(n, keys, "logging", l->d) && n->type != YNODE_MAP)
		return;
	if ((v = ymap_get(n, "level")) &&
	    (k = cfg_pick(l, v, "log level", levels, "error, warning, info, debug")) >= 0)
		c->log_level = k;
	if ((v = ymap_get(n, "file")))
		cfg_path(l, v, "logging.file", &c->log_file);
	cfg_bool(l, n, "syslog", &c->log_syslog);
	if ((v = ymap_get(n, "facility")) &&
	    (k = cfg_pick(l, v, "syslog facility", facilities,
			  "daemon, user, local0 to local7, ...")) >= 0)
		c->log_facility = k;
	cfg_out_str(l, n, "identity", &c->log_identity);
}

static void cfg_stream(struct cload *l, const struct ynode *st)
{
	static const char *const keys[] = {"midstream", "checksum-validation", "memcap",
					   "reassembly", NULL};
	static const char *const rkeys[] = {"depth", "max-unacked", "urgent-policy", NULL};
	struct stream_config *sc = &l->c->stream;
	const struct ynode *r;

	if (ymap_check_keys(st, keys, "stream", l->d) && st->type != YNODE_MAP)
		return;
	cfg_bool(l, st, "midstream", &sc->midstream);
	cfg_checksum(l, st);
	cfg_size(l, st, "memcap", SIZE_MAX_CFG, &sc->memcap);
	r = ymap_get(st, "reassembly");
	if (!r || (ymap_check_keys(r, rkeys, "stream.reassembly", l->d) && r->type != YNODE_MAP))
		return;
	cfg_size32(l, r, "depth", &sc->depth);
	cfg_size32(l, r, "max-unacked", &sc->max_unacked);
	cfg_stream_urgent(l, r);
}

static void cfg_defrag(struct cload *l, const struct ynode *df)
{
	static const char *const keys[] = {"timeout", "memcap", "max-trackers", NULL};
	struct defrag_config *dc = &l->c->defrag;

	if (ymap_check_keys(df, keys, "defrag", l->d) && df->type != YNODE_MAP)
		return;
	cfg_uint(l, df, "timeout", 1, TIMEOUT_MAX, &dc->timeout_s);
	cfg_size(l, df, "memcap", SIZE_MAX_CFG, &dc->memcap);
	cfg_uint(l, df, "max-trackers", 1, MAX_FLOWS_MAX, &dc->max_trackers);
}

/* One network of `host-os-policy: NAME: [...]`. */
static void cfg_policy_net(struct cload *l, const struct ynode *n, enum os_policy pol)
{
	struct os_policy_map *m = &l->c->policies;
	struct os_policy_net *nets;
	char err[160];
	const char *s;

	if (!ynode_str(n, &s, l->d))
		return;
	nets = realloc(m->nets, (m->n + 1) * sizeof(*nets));
	if (!nets) {
		oom(l, n);
		return;
	}
	m->nets = nets;
	if (addr_block_parse(s, &nets[m->n].net, err, sizeof(err)) < 0 || nets[m->n].net.negated) {
		diag_error(l->d, n->file, n->line, n->col, "host-os-policy: %s",
			   nets[m->n].net.negated ? "a network cannot be negated here" : err);
		return;
	}
	nets[m->n++].policy = pol;
}

static void cfg_policies(struct cload *l, const struct ynode *map)
{
	enum os_policy pol;

	if (map->type != YNODE_MAP) {
		diag_error(l->d, map->file, map->line, map->col,
			   "host-os-policy must be a mapping of policy names to networks");
		return;
	}
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->keys[i], *v = map->items[i];
		bool is_def = strcmp(k->str, "default") == 0;
		const char *name = is_def && v->type == YNODE_SCALAR ? v->str : k->str;

		if (os_policy_parse(name, &pol) < 0) {
			const struct ynode *at = is_def ? v : k;

			diag_error(l->d, at->file, at->line, at->col,
				   "unknown policy '%s' (valid: %s)", name, os_policy_names());
			continue;
		}
		if (is_def)
			l->c->policies.def = pol;
		else if (v->type == YNODE_SEQ)
			for (size_t j = 0; j < v->n; j++)
				cfg_policy_net(l, v->items[j], pol);
		else
			cfg_policy_net(l, v, pol);
	}
}

/* A string value into *out (replacing it). */
static void cfg_string(struct cload *l, const struct ynode *map, const char *key, char **out)
{
	const struct ynode *n = ymap_get(map, key);
	const char *s;
	char *copy;

	if (!n || cfg_text(l, n, key, &s) < 0)
		return;
	copy = strdup(s);
	if (!copy) {
		oom(l, n);
		return;
	}
	free(*out);
	*out = copy;
}

/* One of `names`: *out is its index. */
static void cfg_choice(struct cload *l, const struct ynode *map, const char *key,
		       const char *const *names, const char *valid, int *out)
{
	const struct ynode *n = ymap_get(map, key);

	if (!n)
		return;
	for (int i = 0; n->type == YNODE_SCALAR && names[i]; i++)
		if (strcmp(n->str, names[i]) == 0) {
			*out = i;
			return;
		}
	diag_error(l->d, n->file, n->line, n->col, "%s must be one of %s, got %s%s%s", key, valid,
		   n->type == YNODE_SCALAR ? "'" : "",
		   n->type == YNODE_SCALAR ? n->str : "a collection",
		   n->type == YNODE_SCALAR ? "'" : "");
}

static void cfg_afpacket(struct cload *l, const struct ynode *af)
{
	static const char *const keys[] = {"block-size",    "block-count", "frame-size",
					   "block-timeout", "fanout",	   "defrag",
					   "group",	    NULL};
	static const char *const fanouts[] = {"hash", "lb", "cpu", "qm", NULL};
	struct live_config *lc = &l->c->live;
	uint32_t group = lc->fanout_group;
	int fanout = (int)lc->fanout;

	if (ymap_check_keys(af, keys, "capture.af-packet", l->d) && af->type != YNODE_MAP)
		return;
	cfg_size32(l, af, "block-size", &lc->block_size);
	cfg_uint(l, af, "block-count", 2, 65536, &lc->block_count);
	cfg_uint(l, af, "frame-size", 64, 1 << 20, &lc->frame_size);
	cfg_uint(l, af, "block-timeout", 1, 10000, &lc->block_timeout_ms);
	cfg_choice(l, af, "fanout", fanouts, "hash, lb, cpu, qm", &fanout);
	cfg_bool(l, af, "defrag", &lc->fanout_defrag);
	cfg_uint(l, af, "group", 0, 65535, &group);
	lc->fanout = (enum live_fanout)fanout;
	lc->fanout_group = (uint16_t)group;
}

static void cfg_capture(struct cload *l, const struct ynode *cap)
{
	static const char *const keys[] = {"method",	"interfaces", "bpf",	   "promisc",
					   "af-packet", "raw",	      "file-read", NULL};
	static const char *const reads[] = {"split", "reader", NULL};
	static const char *const rkeys[] = {"batch", "snaplen", NULL};
	static const char *const methods[] = {"af-packet", "raw", NULL};
	struct live_config *lc = &l->c->live;
	const struct ynode *n;
	int method = (int)lc->method, reader = l->c->file_reader_thread;

	if (ymap_check_keys(cap, keys, "capture", l->d) && cap->type != YNODE_MAP)
		return;
	cfg_choice(l, cap, "method", methods, "af-packet, raw", &method);
	lc->method = (enum live_method)method;
	cfg_choice(l, cap, "file-read", reads, "split, reader", &reader);
	l->c->file_reader_thread = reader != 0;
	cfg_bool(l, cap, "promisc", &lc->promisc);
	cfg_string(l, cap, "bpf", &l->c->bpf);
	if ((n = ymap_get(cap, "interfaces")))
		cfg_list(l, n, "interfaces", false, &l->c->ifaces, &l->c->n_ifaces);
	if ((n = ymap_get(cap, "af-packet")))
		cfg_afpacket(l, n);
	if ((n = ymap_get(cap, "raw")) &&
	    !(ymap_check_keys(n, rkeys, "capture.raw", l->d) && n->type != YNODE_MAP)) {
		cfg_uint(l, n, "batch", 1, 1024, &lc->batch);
		cfg_uint(l, n, "snaplen", 64, 262144, &lc->snaplen);
	}
}

static void cfg_stats(struct cload *l, const struct ynode *st)
{
	static const char *const keys[] = {"interval", NULL};

	if (ymap_check_keys(st, keys, "stats", l->d) && st->type != YNODE_MAP)
		return;
	cfg_uint(l, st, "interval", 0, TIMEOUT_MAX, &l->c->stats_interval);
}

/* `rules: {on-error: skip|fail, cache-dir: DIR}` (detection engine). */
static void cfg_rules(struct cload *l, const struct ynode *rn)
{
	static const char *const keys[] = {"on-error", "cache-dir", NULL};
	static const char *const modes[] = {"skip", "fail", NULL};
	const struct ynode *dir = ymap_get(rn, "cache-dir");
	int mode = l->c->rules_on_error_fail;

	if (ymap_check_keys(rn, keys, "rules", l->d) && rn->type != YNODE_MAP)
		return;
	cfg_choice(l, rn, "on-error", modes, "skip, fail", &mode);
	l->c->rules_on_error_fail = mode == 1;
	if (dir)
		cfg_path(l, dir, "cache-dir", &l->c->rules_cache_dir);
}

static void cfg_run_as(struct cload *l, const struct ynode *ra)
{
	static const char *const keys[] = {"user", "group", NULL};

	if (ymap_check_keys(ra, keys, "run-as", l->d) && ra->type != YNODE_MAP)
		return;
	cfg_string(l, ra, "user", &l->c->run_as_user);
	cfg_string(l, ra, "group", &l->c->run_as_group);
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
		cfg_list(l, n, "rules", true, &pc->rule_files, &pc->n_rule_files);
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

/* Rule-level keys of the detect layer: `classification-file:`. */
static void cfg_detect(struct cload *l, const struct ynode *root)
{
	const struct ynode *n = ymap_get(root, "classification-file");

	if (n)
		cfg_path(l, n, "classification-file", &l->c->classification_file);
}

/* ------------------------------------------------------------ decoder */

/* `ports:` of a UDP tunnel: one port or a list of up to DECODE_MAX_PORTS. */
static void cfg_decoder_ports(struct cload *l, const struct ynode *n, struct decode_port_list *pl)
{
	size_t count = n->type == YNODE_SEQ ? n->n : 1;
	int64_t v;

	if (count > DECODE_MAX_PORTS) {
		diag_error(l->d, n->file, n->line, n->col, "at most %d ports", DECODE_MAX_PORTS);
		return;
	}
	pl->n = 0;
	for (size_t i = 0; i < count; i++) {
		const struct ynode *item = n->type == YNODE_SEQ ? n->items[i] : n;

		if (ynode_int(item, 1, 65535, &v, l->d))
			pl->port[pl->n++] = (uint16_t)v;
	}
}

/* `vxlan:`, `geneve:`, `teredo:` (enabled, ports) or `gre:` ... (enabled). */
static void cfg_decoder_tunnel(struct cload *l, const struct ynode *map, const char *key,
			       bool *enabled, struct decode_port_list *pl)
{
	static const char *const keys[] = {"enabled", "ports", NULL};
	static const char *const keys_np[] = {"enabled", NULL};
	const struct ynode *t = ymap_get(map, key), *n;
	bool on = true;

	if (!t || (ymap_check_keys(t, pl ? keys : keys_np, key, l->d) && t->type != YNODE_MAP))
		return;
	cfg_bool(l, t, "enabled", &on);
	if (pl && (n = ymap_get(t, "ports")))
		cfg_decoder_ports(l, n, pl);
	if (pl && !on)
		pl->n = 0;
	if (enabled)
		*enabled = on;
}

static void cfg_decoder(struct cload *l, const struct ynode *dn)
{
	static const char *const keys[] = {
		"vxlan", "geneve",	     "teredo",		"gre", "erspan", "ipip",
		"mpls",	 "max-tunnel-depth", "track-tunnel-id", NULL};
	struct decode_config *dc = &l->c->decoder;
	uint32_t depth = dc->max_depth;

	if (ymap_check_keys(dn, keys, "decoder", l->d) && dn->type != YNODE_MAP)
		return;
	cfg_decoder_tunnel(l, dn, "vxlan", NULL, &dc->vxlan);
	cfg_decoder_tunnel(l, dn, "geneve", NULL, &dc->geneve);
	cfg_decoder_tunnel(l, dn, "teredo", NULL, &dc->teredo);
	cfg_decoder_tunnel(l, dn, "gre", &dc->gre, NULL);
	cfg_decoder_tunnel(l, dn, "erspan", &dc->erspan, NULL);
	cfg_decoder_tunnel(l, dn, "ipip", &dc->ipip, NULL);
	cfg_decoder_tunnel(l, dn, "mpls", &dc->mpls, NULL);
	cfg_uint(l, dn, "max-tunnel-depth", 1, 32, &depth);
	dc->max_depth = (uint8_t)depth;
	cfg_bool(l, dn, "track-tunnel-id", &dc->track_by_id);
}

/* `vars:` (address-groups/port-groups, or NAME: value) and the side files
 * of Suricata rule files (detect/rules_suricata.h). */
static void cfg_suricata(struct cload *l, const struct ynode *root)
{
	struct sensor_config *c = l->c;
	const struct ynode *n = ymap_get(root, "vars");

	if (n && !ynode_is_null(n) && n->type != YNODE_MAP)
		diag_error(l->d, n->file, n->line, n->col, "vars must be a mapping");
	else if (n && !ynode_is_null(n))
		c->suri.vars = n;
	for (size_t i = 0; c->suri.vars && i < n->n; i++)
		if (n->items[i]->type == YNODE_MAP && strcmp(n->keys[i]->str, "address-groups") &&
		    strcmp(n->keys[i]->str, "port-groups"))
			diag_error(l->d, n->items[i]->file, n->items[i]->line, n->items[i]->col,
				   "vars.%s: only address-groups and port-groups hold variables; a "
				   "variable is an address, a port or a list",
				   n->keys[i]->str);
	if ((n = ymap_get(root, "reference-config-file")))
		cfg_path(l, n, "reference-config-file", &c->suri_reference);
	if ((n = ymap_get(root, "threshold-file")))
		cfg_path(l, n, "threshold-file", &c->suri_threshold);
	if ((n = ymap_get(root, "enable-file")))
		cfg_path(l, n, "enable-file", &c->suri_enable);
	if ((n = ymap_get(root, "disable-file")))
		cfg_path(l, n, "disable-file", &c->suri_disable);
	c->suri.reference_file = c->suri_reference;
	c->suri.threshold_file = c->suri_threshold;
	c->suri.enable_file = c->suri_enable;
	c->suri.disable_file = c->suri_disable;
}

static void cfg_root(struct cload *l, const struct ynode *root)
{
	static const char *const keys[] = {
		"log-dir", "plugin-dir", "threads", "outputs", "flow", "plugins", "rule-files",
		"stream", "defrag", "host-os-policy", "capture", "stats", "pidfile", "run-as",
		"classification-file", "decoder", "rules",
		/* Suricata rule files (cfg_suricata) */
		"vars", "reference-config-file", "threshold-file", "enable-file", "disable-file",
		"sensor-name", "control-socket", "allow-no-rules", "logging", NULL};
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
	c->threads_set = ymap_get(root, "threads") != NULL;
	if ((n = ymap_get(root, "outputs")))
		cfg_outputs(l, n);
	if ((n = ymap_get(root, "flow")))
		cfg_flow(l, n);
	if ((n = ymap_get(root, "stream")))
		cfg_stream(l, n);
	if ((n = ymap_get(root, "defrag")))
		cfg_defrag(l, n);
	if ((n = ymap_get(root, "host-os-policy")))
		cfg_policies(l, n);
	if ((n = ymap_get(root, "capture")))
		cfg_capture(l, n);
	if ((n = ymap_get(root, "stats")))
		cfg_stats(l, n);
	if ((n = ymap_get(root, "pidfile")))
		cfg_path(l, n, "pidfile", &c->pidfile);
	if ((n = ymap_get(root, "run-as")))
		cfg_run_as(l, n);
	if ((n = ymap_get(root, "decoder")))
		cfg_decoder(l, n);
	if ((n = ymap_get(root, "rules")))
		cfg_rules(l, n);
	cfg_string(l, root, "sensor-name", &c->eve.host);
	if ((n = ymap_get(root, "plugins")))
		cfg_plugins(l, n);
	if ((n = ymap_get(root, "rule-files")))
		cfg_list(l, n, "rule-files", true, &c->rule_files, &c->n_rule_files);
	cfg_detect(l, root);
	cfg_suricata(l, root);
	if ((n = ymap_get(root, "control-socket")))
		cfg_control_socket(l, n);
	cfg_bool(l, root, "allow-no-rules", &c->allow_no_rules);
	if ((n = ymap_get(root, "logging")))
		cfg_logging(l, n);
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
