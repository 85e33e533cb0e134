/*
 * plugin_loader.c - finding, loading and checking detector plugins.
 *
 * Order of checks for each plugin, every failure reported at the config
 * entry's file:line with the fix: the file exists and dlopen()s (RTLD_NOW
 * so a missing symbol fails here, RTLD_LOCAL so plugins cannot see each
 * other), it exports IDS_PLUGIN_ENTRY_NAME, the descriptor's ABI major equals
 * ours and its struct_size covers the 1.0 descriptor, its name is the one
 * the config asked for, and its `options:` map fits its option table.
 *
 * Everything here runs on the main thread before the workers start or
 * after they stopped.
 */
#include "core/plugin_loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/crash.h"
#include "base/diag.h"
#include "base/log.h"
#include "base/yaml_tree.h"
#include "detect/rule_event.h"
#include "detect/rules.h"

/* The 1.0 descriptor ends with the fini slot. */
#define PLUGIN_DESC_MIN_SIZE (offsetof(struct ids_plugin, fini) + sizeof(void (*)(void *)))

const char *plugin_default_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return SENSOR_PLUGIN_RELDIR;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(dir, sizeof(dir), "%s/%s", exe, SENSOR_PLUGIN_RELDIR) >= (int)sizeof(dir))
		return SENSOR_PLUGIN_RELDIR;
	return dir;
}

static const struct ids_option_def *option_find(const struct ids_plugin *desc, const char *name,
						size_t *index)
{
	for (size_t i = 0; i < desc->n_options; i++) {
		if (strcmp(desc->options[i].name, name) == 0) {
			*index = i;
			return &desc->options[i];
		}
	}
	return NULL;
}

static void option_list(const struct ids_plugin *desc, char *out, size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < desc->n_options && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s%s", i ? ", " : "",
					 desc->options[i].name);
	if (desc->n_options == 0)
		snprintf(out, outlen, "none");
}

/* Parse an option's default text; a bad default is the plugin's bug. */
static int option_default(struct loaded_plugin *lp, size_t i, struct diag *d)
{
	const struct ids_option_def *def = &lp->desc->options[i];
	const char *text = def->def ? def->def : "";
	char *end;

	switch (def->type) {
	case IDS_OPT_BOOL:
		lp->opts[i].b = strcmp(text, "true") == 0;
		return 0;
	case IDS_OPT_INT:
		errno = 0;
		lp->opts[i].i = strtoll(text, &end, 0);
		if (errno || *end || end == text) {
			diag_error(d, lp->path, 0, 0, "plugin option '%s' has a bad default '%s'",
				   def->name, text);
			return -1;
		}
		return 0;
	case IDS_OPT_STRING:
		lp->opts[i].s = text;
		return 0;
	}
	diag_error(d, lp->path, 0, 0, "plugin option '%s' has an unknown type %d", def->name,
		   (int)def->type);
	return -1;
}

static int option_set(struct loaded_plugin *lp, size_t i, const struct ynode *val, struct diag *d)
{
	const struct ids_option_def *def = &lp->desc->options[i];
	const char *s;
	bool b;

	switch (def->type) {
	case IDS_OPT_BOOL:
		if (!ynode_bool(val, &b, d))
			return -1;
		lp->opts[i].b = b;
		return 0;
	case IDS_OPT_INT:
		return ynode_int(val, def->min, def->max, &lp->opts[i].i, d) ? 0 : -1;
	case IDS_OPT_STRING:
		if (!ynode_str(val, &s, d))
			return -1;
		lp->opts[i].s = s; /* the config tree outlives the plugins */
		return 0;
	}
	return -1;
}

static unsigned plugin_options(struct loaded_plugin *lp, const struct plugin_conf *pc,
			       struct diag *d)
{
	const struct ids_plugin *desc = lp->desc;
	const struct ynode *map = pc->options;
	unsigned errors = 0;
	char valid[256];

	lp->opts = calloc(desc->n_options ? desc->n_options : 1, sizeof(*lp->opts));
	if (!lp->opts) {
		diag_error(d, NULL, 0, 0, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < desc->n_options; i++)
		errors += option_default(lp, i, d) < 0;
	if (!map || ynode_is_null(map))
		return errors;
	if (map->type != YNODE_MAP) {
		diag_error(d, map->file, map->line, map->col,
			   "options of plugin '%s' must be a mapping", desc->name);
		return errors + 1;
	}
	option_list(desc, valid, sizeof(valid));
	for (size_t k = 0; k < map->n; k++) {
		const struct ynode *key = map->keys[k];
		size_t idx;

		if (!option_find(desc, key->str, &idx)) {
			diag_error(d, key->file, key->line, key->col,
				   "plugin '%s' has no option '%s' (valid: %s)", desc->name,
				   key->str, valid);
			errors++;
			continue;
		}
		errors += option_set(lp, idx, map->items[k], d) < 0;
	}
	return errors;
}

static int plugin_check_desc(const struct ids_plugin *desc, const struct plugin_conf *pc,
			     const char *path, const char *cfile, struct diag *d)
{
	if (desc->abi_major != IDS_ABI_MAJOR) {
		diag_error(
			d, cfile, pc->line, 0,
			"plugin '%s' (%s) was built for plugin ABI %u.%u, this sensor has %u.%u: "
			"rebuild it against this sensor's headers",
			pc->name, path, desc->abi_major, desc->abi_minor, IDS_ABI_MAJOR,
			IDS_ABI_MINOR);
		return -1;
	}
	if (desc->struct_size < PLUGIN_DESC_MIN_SIZE) {
		diag_error(d, cfile, pc->line, 0,
			   "plugin '%s' (%s) has a descriptor of %u bytes, smaller than ABI %u.0's "
			   "%zu: "
			   "rebuild it against this sensor's headers",
			   pc->name, path, desc->struct_size, IDS_ABI_MAJOR, PLUGIN_DESC_MIN_SIZE);
		return -1;
	}
	if (!desc->name || strcmp(desc->name, pc->name) != 0) {
		diag_error(d, cfile, pc->line, 0,
			   "%s calls itself '%s', but the config loads it as '%s': fix `name:`",
			   path, desc->name ? desc->name : "(null)", pc->name);
		return -1;
	}
	if (desc->n_options && !desc->options) {
		diag_error(d, cfile, pc->line, 0, "plugin '%s' declares %zu options but no table",
			   pc->name, desc->n_options);
		return -1;
	}
	return 0;
}

/* Slots a later minor version added are read only when the plugin was
 * built with them: its abi_minor says so and its descriptor is big
 * enough to hold them. */
static void plugin_minor_slots(struct loaded_plugin *lp)
{
	const struct ids_plugin *desc = lp->desc;
	size_t end_1_1 = offsetof(struct ids_plugin, on_flow_end) + sizeof(desc->on_flow_end);

	size_t end_1_2 = offsetof(struct ids_plugin, n_buffers) + sizeof(desc->n_buffers);
	size_t end_1_6 = offsetof(struct ids_plugin, n_events) + sizeof(desc->n_events);

	if (desc->abi_minor >= 1 && desc->struct_size >= end_1_1) {
		lp->on_stream = desc->on_stream;
		lp->on_flow_end = desc->on_flow_end;
	}
	if (desc->abi_minor >= 2 && desc->struct_size >= end_1_2 && desc->buffers) {
		lp->buffers = desc->buffers;
		lp->n_buffers = desc->n_buffers;
	}
	if (desc->abi_minor >= 6 && desc->struct_size >= end_1_6 && desc->events) {
		lp->events = desc->events;
		lp->n_events = desc->n_events;
	}
}

/* An event name a plugin declares: "proto.event" as rule_event_plugin_name
 * wants it, the part after the '.' a valid counter name. */
static bool event_name_ok(const char *name)
{
	const char *dot = name ? strchr(name, '.') : NULL;

	return dot && rule_event_plugin_name(name) && strlen(dot + 1) <= IDS_COUNTER_NAME_MAX;
}

/* The events a plugin declares: at most IDS_MAX_EVENTS, each well named. */
static int plugin_events_check(const struct loaded_plugin *lp, const struct plugin_conf *pc,
			       const char *cfile, struct diag *d)
{
	if (lp->n_events > IDS_MAX_EVENTS) {
		diag_error(d, cfile, pc->line, 0, "plugin '%s' declares %zu events (at most %d)",
			   pc->name, lp->n_events, IDS_MAX_EVENTS);
		return -1;
	}
	for (size_t i = 0; i < lp->n_events; i++)
		if (!event_name_ok(lp->events[i].name)) {
			diag_error(d, cfile, pc->line, 0,
				   "plugin '%s' declares event '%s': want proto.event, lower case "
				   "letters, digits and '_', not an event the sensor raises itself",
				   pc->name, lp->events[i].name ? lp->events[i].name : "(null)");
			return -1;
		}
	return 0;
}

static unsigned plugin_load_one(struct loaded_plugin *lp, const struct plugin_conf *pc,
				const char *dir, const char *cfile, struct diag *d)
{
	char path[PATH_MAX];
	ids_plugin_entry_fn entry;
	const struct ids_plugin *desc;

	int n;

	if (pc->path)
		n = snprintf(path, sizeof(path), "%s", pc->path);
	else
		n = snprintf(path, sizeof(path), "%s/%s.so", dir, pc->name);
	lp->path = strdup(path);
	if (n >= (int)sizeof(path)) {
		diag_error(d, cfile, pc->line, 0, "plugin '%s': path too long", pc->name);
		return 1;
	}
	if (access(path, F_OK) != 0) {
		diag_error(d, cfile, pc->line, 0,
			   "unknown plugin '%s': %s does not exist (set `plugin-dir:` or the "
			   "plugin's `path:`)",
			   pc->name, path);
		return 1;
	}
	lp->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lp->handle) {
		diag_error(d, cfile, pc->line, 0, "cannot load plugin '%s': %s", pc->name,
			   dlerror());
		return 1;
	}
	*(void **)&entry = dlsym(lp->handle, IDS_PLUGIN_ENTRY_NAME);
	if (!entry) {
		diag_error(d, cfile, pc->line, 0,
			   "%s is not a sensor plugin: it does not export '%s' (see "
			   "docs/plugin-guide.md)",
			   path, IDS_PLUGIN_ENTRY_NAME);
		return 1;
	}
	desc = entry();
	if (!desc) {
		diag_error(d, cfile, pc->line, 0, "plugin '%s': %s() returned NULL", pc->name,
			   IDS_PLUGIN_ENTRY_NAME);
		return 1;
	}
	if (plugin_check_desc(desc, pc, path, cfile, d) < 0)
		return 1;
	lp->desc = desc;
	plugin_minor_slots(lp);
	if (plugin_events_check(lp, pc, cfile, d) < 0)
		return 1;
	return plugin_options(lp, pc, d);
}

unsigned plugins_load(struct plugin_set *set, const struct plugin_conf *confs, size_t n,
		      const char *plugin_dir, const char *config_file, struct diag *d)
{
	const char *dir = plugin_dir ? plugin_dir : plugin_default_dir();
	const char *cfile = config_file ? config_file : "built-in configuration";
	unsigned errors = 0;

	set->p = calloc(n ? n : 1, sizeof(*set->p));
	set->n = 0;
	if (!set->p) {
		diag_error(d, NULL, 0, 0, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t base =
			set->n ? set->p[set->n - 1].ev_base + (uint32_t)set->p[set->n - 1].n_events
			       : 0;

		if (!confs[i].enabled)
			continue;
		errors += plugin_load_one(&set->p[set->n], &confs[i], dir, cfile, d);
		set->p[set->n++].ev_base = base;
	}
	return errors;
}

static struct loaded_plugin *plugin_by_name(struct plugin_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->p[i].desc && strcmp(set->p[i].desc->name, name) == 0)
			return &set->p[i];
	return NULL;
}

static bool plugin_declares(const struct loaded_plugin *lp, const char *buffer)
{
	for (size_t i = 0; i < lp->n_buffers; i++)
		if (lp->buffers[i].name && strcmp(lp->buffers[i].name, buffer) == 0)
			return true;
	return false;
}

static struct loaded_plugin *plugin_by_buffer(struct plugin_set *set, const char *buffer)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->p[i].desc && plugin_declares(&set->p[i], buffer))
			return &set->p[i];
	return NULL;
}

/* Whether buffer `name` is of the family of `want` (the same text up to
 * and including the first '.': "tls.sni" and "tls.ja3s"); a name without
 * '.' is a family of its own. */
static bool same_family(const char *name, const char *want)
{
	const char *dot = strchr(want, '.');
	size_t n = dot ? (size_t)(dot - want) + 1 : strlen(want) + 1;

	return strncmp(name, want, n) == 0;
}

#define BUFFER_LIST_MORE ", ... (sensor --list-buffers lists them all)"

/* Appends `name` to the list in out whole, or the "more" mark once when it
 * does not fit with room left for that mark; false when full. */
static bool list_add(char *out, size_t outlen, size_t *used, const char *name)
{
	size_t need = strlen(name) + (*used ? 2 : 0);

	if (*used + need + sizeof(BUFFER_LIST_MORE) > outlen) {
		snprintf(out + *used, outlen - *used, "%s", BUFFER_LIST_MORE);
		return false;
	}
	*used += (size_t)snprintf(out + *used, outlen - *used, "%s%s", *used ? ", " : "", name);
	return true;
}

/* The buffers of every loaded plugin a rule on `want` may have meant: those
 * of its family when there are any, else all of them; each name whole,
 * ending with a pointer to --list-buffers when they do not all fit; "none"
 * without buffers. outlen must exceed sizeof(BUFFER_LIST_MORE). */
static void buffer_list(const struct plugin_set *set, const char *want, char *out, size_t outlen)
{
	bool family = false, room = true;
	size_t used = 0;

	for (size_t i = 0; i < set->n; i++)
		for (size_t b = 0; b < set->p[i].n_buffers; b++)
			family = family || same_family(set->p[i].buffers[b].name, want);
	out[0] = '\0';
	for (size_t i = 0; i < set->n && room; i++)
		for (size_t b = 0; b < set->p[i].n_buffers && room; b++)
			if (strcmp(set->p[i].buffers[b].name, "pkt_data") != 0 &&
			    (!family || same_family(set->p[i].buffers[b].name, want)))
				room = list_add(out, outlen, &used, set->p[i].buffers[b].name);
	if (!out[0])
		snprintf(out, outlen, "none: no loaded plugin declares buffers");
}

/* The id (1 + ...) of the plugin event `name`, 0 when no plugin declares it. */
static uint32_t event_id(const struct plugin_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t e = 0; e < set->p[i].n_events; e++)
			if (strcmp(set->p[i].events[e].name, name) == 0)
				return set->p[i].ev_base + (uint32_t)e + 1;
	return 0;
}

/* The events of every loaded plugin, for a message ("none" without). */
static void event_list(const struct plugin_set *set, char *out, size_t outlen)
{
	size_t used = 0;
	bool room = true;

	out[0] = '\0';
	for (size_t i = 0; i < set->n && room; i++)
		for (size_t e = 0; e < set->p[i].n_events && room; e++)
			room = list_add(out, outlen, &used, set->p[i].events[e].name);
	if (!out[0])
		snprintf(out, outlen, "none: no loaded plugin raises app-layer events");
}

/*
 * A rule on an event the host does not raise: a plugin's app-layer event.
 * Sets its id; false after reporting when no loaded plugin declares it.
 */
static bool rule_event_resolve(const struct plugin_set *set, struct rule *r, struct diag *d)
{
	char valid[512];

	if (rule_event_raised(r->anomaly))
		return true;
	r->anomaly_ev = event_id(set, r->anomaly);
	if (r->anomaly_ev)
		return true;
	event_list(set, valid, sizeof(valid));
	diag_error(d, r->pub.file, r->pub.line, 0,
		   "rule %u: app-layer event '%s' is raised by no loaded plugin (plugins' events: "
		   "%s; the sensor's own: docs/events.md)",
		   r->pub.id, r->anomaly, valid);
	return false;
}

/* A multi-buffer rule needs every buffer from the same plugin, built
 * against ABI 1.4 or later (matcher_compile_tx); the payload (`pkt_data`)
 * with them only when the plugin declares it (it passes the message as
 * the transaction's payload). lp is the plugin of r->buffer. */
static bool multi_buffer_ok(const struct loaded_plugin *lp, const struct rule *r, struct diag *d)
{
	const struct ids_rule *pub = &r->pub;

	if (r->n_buffers < 2)
		return true;
	for (size_t b = 0; b < r->n_buffers; b++) {
		if (plugin_declares(lp, r->buffers[b]))
			continue;
		if (strcmp(r->buffers[b], "pkt_data") == 0)
			diag_error(d, pub->file, pub->line, 0,
				   "rule %u: the payload (pkt_data) cannot be matched with "
				   "buffer '%s' in one rule: plugin '%s' does not pass its "
				   "transactions' payload: split the rule",
				   pub->id, r->buffer, lp->desc->name);
		else
			diag_error(d, pub->file, pub->line, 0,
				   "rule %u: buffers '%s' and '%s' are not of the same plugin "
				   "('%s' provides the first): split the rule",
				   pub->id, r->buffer, r->buffers[b], lp->desc->name);
		return false;
	}
	if (lp->desc->abi_minor >= 4)
		return true;
	diag_error(d, pub->file, pub->line, 0,
		   "rule %u: plugin '%s' (ABI 1.%u) cannot match rules on several buffers "
		   "(needs ABI 1.4): split the rule",
		   pub->id, lp->desc->name, (unsigned)lp->desc->abi_minor);
	return false;
}

/* The plugin a rule goes to, or NULL after reporting why. */
static struct loaded_plugin *rule_plugin(struct plugin_set *set, const struct rule *r,
					 struct diag *d)
{
	const struct ids_rule *pub = &r->pub;
	struct loaded_plugin *lp = NULL;
	char valid[512];

	if (r->buffer && !r->detector_explicit)
		lp = plugin_by_buffer(set, r->buffer);
	if (!lp)
		lp = plugin_by_name(set, pub->detector);
	if (!lp) {
		diag_error(d, pub->file, pub->line, 0,
			   "rule %u: detector '%s' is not a loaded plugin (add it to `plugins:` "
			   "in the config, or fix `detector:`)",
			   pub->id, pub->detector);
		return NULL;
	}
	if (r->buffer && !plugin_declares(lp, r->buffer)) {
		buffer_list(set, r->buffer, valid, sizeof(valid));
		diag_error(d, pub->file, pub->line, 0,
			   "rule %u: no loaded plugin provides buffer '%s' (buffers: %s)", pub->id,
			   r->buffer, valid);
		return NULL;
	}
	return multi_buffer_ok(lp, r, d) ? lp : NULL;
}

/* Rules for the table: on an event alone (not gated). */
static bool has_anomaly_rules(const struct ruleset *rs)
{
	for (size_t r = 0; r < rs->n; r++)
		if (rs->rules[r]->anomaly && !rule_event_gated(rs->rules[r]))
			return true;
	return false;
}

/* A `scope: auto` rule's second view for its plugin: the same rule (priv)
 * as a stream rule, so the plugin compiles it into its stream matcher too
 * (rule_header_match keeps its packet view off TCP packets). */
static const struct ids_rule *stream_twin(struct rule *r)
{
	r->stream_twin = r->pub;
	r->stream_twin.scope = IDS_SCOPE_STREAM;
	return &r->stream_twin;
}

unsigned plugins_assign_rules(struct plugin_set *set, const struct ruleset *rs, struct diag *d)
{
	unsigned errors = 0;

	for (size_t i = 0; i < set->n; i++) {
		/* twice: a scope auto rule goes as a packet and a stream rule */
		set->p[i].rules = calloc(rs->n ? 2 * rs->n : 1, sizeof(*set->p[i].rules));
		if (!set->p[i].rules) {
			diag_error(d, NULL, 0, 0, "out of memory");
			return errors + 1;
		}
	}
	rule_events_free(set->events);
	set->events = rule_events_build(rs);
	if (!set->events && has_anomaly_rules(rs)) {
		diag_error(d, NULL, 0, 0, "out of memory");
		return errors + 1;
	}
	for (size_t r = 0; r < rs->n; r++) {
		struct loaded_plugin *lp;

		if (rs->rules[r]->anomaly && !rule_event_resolve(set, rs->rules[r], d)) {
			errors++;
			continue;
		}
		if (rs->rules[r]->anomaly && !rule_event_gated(rs->rules[r]))
			continue; /* fired by the worker on its event */
		lp = rule_plugin(set, rs->rules[r], d);

		if (!lp) {
			errors++;
			continue;
		}
		/* The detector a buffer rule went to, for messages and plugins. */
		rs->rules[r]->pub.detector = lp->desc->name;
		lp->rules[lp->n_rules++] = &rs->rules[r]->pub;
		if (rs->rules[r]->tcp_stream) {
			lp->rules[lp->n_rules++] = stream_twin(rs->rules[r]);
			lp->n_twins++;
		}
	}
	return errors;
}

/* The plugin whose init is running, for counter_register. */
static struct loaded_plugin *registering;

static bool counter_name_ok(const char *name)
{
	size_t n = 0;

	if (!name)
		return false;
	for (; name[n]; n++)
		if (n == IDS_COUNTER_NAME_MAX ||
		    !((name[n] >= 'a' && name[n] <= 'z') || (name[n] >= '0' && name[n] <= '9') ||
		      name[n] == '_'))
			return false;
	return n > 0;
}

int plugin_counter_register(const char *name)
{
	struct loaded_plugin *lp = registering;

	if (!lp || !counter_name_ok(name))
		return -1;
	for (unsigned i = 0; i < lp->n_counters; i++)
		if (!strcmp(lp->counter_names[i], name))
			return (int)i;
	if (lp->n_counters == IDS_MAX_COUNTERS ||
	    !(lp->counter_names[lp->n_counters] = strdup(name)))
		return -1;
	return (int)lp->n_counters++;
}

static void counters_free(struct loaded_plugin *lp)
{
	for (unsigned i = 0; i < lp->n_counters; i++)
		free(lp->counter_names[i]);
	lp->n_counters = 0;
}

/* A counter for each event of lp, named for it without its protocol (after
 * the plugin's own, which its init registered). */
static void event_counters_register(struct loaded_plugin *lp)
{
	registering = lp;
	for (size_t e = 0; e < lp->n_events; e++) {
		lp->event_counter[e] = plugin_counter_register(strchr(lp->events[e].name, '.') + 1);
		if (lp->event_counter[e] < 0)
			log_warn("plugin '%s': no counter left for event '%s' (at most %d "
				 "counters): not counted",
				 lp->desc->name, lp->events[e].name, IDS_MAX_COUNTERS);
	}
	registering = NULL;
}

unsigned plugins_init(struct plugin_set *set, const struct ids_services *svc, unsigned threads,
		      struct diag *d)
{
	unsigned errors = 0;

	for (size_t i = 0; i < set->n; i++) {
		struct loaded_plugin *lp = &set->p[i];
		char err[512] = "";
		int rc;
		struct ids_plugin_init_args args = {
			.struct_size = sizeof(args),
			.svc = svc,
			.opts = lp->opts,
			.rules = lp->rules,
			.n_rules = lp->n_rules,
			.thread_count = threads,
			.err = err,
			.errlen = sizeof(err),
		};

		if (!lp->desc->init) {
			lp->initialised = 1;
			counters_free(lp);
			event_counters_register(lp);
			continue;
		}
		counters_free(lp); /* a reload registers them again */
		registering = lp;
		crash_enter(lp->desc->name, "init");
		rc = lp->desc->init(&args, &lp->global);
		crash_leave();
		registering = NULL;
		if (rc != 0) {
			diag_error(d, NULL, 0, 0, "plugin '%s' failed to start: %s", lp->desc->name,
				   err[0] ? err : "(no reason given)");
			errors++;
			continue;
		}
		lp->initialised = 1;
		event_counters_register(lp);
	}
	return errors;
}

/* fini the globals of every initialised plugin, last first. */
static void plugins_fini(struct plugin_set *set)
{
	for (size_t i = set->n; i-- > 0;) {
		struct loaded_plugin *lp = &set->p[i];

		if (lp->initialised && lp->desc && lp->desc->fini) {
			crash_enter(lp->desc->name, "fini");
			lp->desc->fini(lp->global);
			crash_leave();
		}
		lp->initialised = 0;
		lp->global = NULL;
		free(lp->rules);
		lp->rules = NULL;
		lp->n_rules = lp->n_twins = 0;
		counters_free(lp);
	}
	set->n_stream_matchers = 0;
	rule_events_free(set->events);
	set->events = NULL;
}

void plugins_retire(struct plugin_set *set)
{
	if (!set)
		return;
	plugins_fini(set);
	if (!set->clone)
		return;
	if (set->ruleset)
		ruleset_free(set->ruleset);
	free(set->ruleset);
	free(set->p);
	free(set);
}

void plugins_unload(struct plugin_set *set)
{
	if (!set || !set->p)
		return;
	if (set->clone) {
		plugins_retire(set);
		return;
	}
	plugins_fini(set);
	for (size_t i = set->n; i-- > 0;) {
		struct loaded_plugin *lp = &set->p[i];

		/* Under ASan keep modules mapped so leak reports can name
		 * their frames. */
#ifndef SENSOR_KEEP_PLUGINS_MAPPED
		if (lp->handle)
			dlclose(lp->handle);
#endif
		free(lp->opts);
		free(lp->path);
	}
	free(set->p);
	set->p = NULL;
	set->n = 0;
}

struct plugin_set *plugins_clone(const struct plugin_set *orig)
{
	struct plugin_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->p = calloc(orig->n ? orig->n : 1, sizeof(*set->p));
	if (!set->p) {
		free(set);
		return NULL;
	}
	set->n = orig->n;
	set->clone = true;
	for (size_t i = 0; i < orig->n; i++) {
		set->p[i] = orig->p[i]; /* modules, options, slots: shared */
		set->p[i].rules = NULL;
		set->p[i].n_rules = set->p[i].n_twins = 0;
		set->p[i].global = NULL;
		set->p[i].initialised = 0;
		/* its init registers the counters again, in names of its own */
		memset(set->p[i].counter_names, 0, sizeof(set->p[i].counter_names));
		set->p[i].n_counters = 0;
	}
	return set;
}
