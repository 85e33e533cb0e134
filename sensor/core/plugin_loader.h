/*
 * plugin_loader.h - finding, loading and checking detector plugins.
 *
 * Each enabled entry of the config's `plugins:` list is loaded with
 * dlopen(RTLD_NOW | RTLD_LOCAL) from `path:` or <plugin-dir>/<name>.so. The
 * loader checks the entry symbol, the ABI major version, the descriptor's
 * size and name, validates the entry's `options:` against the plugin's
 * option table and resolves them into values. Every problem is reported
 * through struct diag with the config file and line. Main thread only.
 */
#ifndef SENSOR_PLUGIN_LOADER_H
#define SENSOR_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "ids/plugin.h"

struct diag;
struct plugin_conf;
struct ruleset;

struct loaded_plugin {
	const struct ids_plugin *desc;
	void *handle; /* dlopen handle */
	char *path;
	union ids_opt_value *opts;     /* desc->n_options values */
	const struct ids_rule **rules; /* this plugin's rules */
	size_t n_rules;
	size_t n_twins; /* of them, stream views of `scope: auto` rules (not counted as rules) */
	void *global;	/* from desc->init */
	int initialised;
	/* ABI 1.1 slots, NULL when the plugin predates them or leaves them
	 * out: read through these, never through desc. */
	void (*on_stream)(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			  const struct ids_stream_chunk *chunk);
	void (*on_flow_end)(void *thread_ctx, struct ids_thread *thr,
			    const struct ids_flow_info *flow);
	/* ABI 1.2: the buffers the plugin declares (n_buffers 0 before) */
	const struct ids_buffer_def *buffers;
	size_t n_buffers;
	/* ABI 1.3: the counters it registered in init (owned names) */
	char *counter_names[IDS_MAX_COUNTERS];
	unsigned n_counters;
	/* ABI 1.6: the app-layer events it raises (n_events 0 before); event
	 * i has id ev_base + i + 1 in the set (rule.anomaly_ev) and counter
	 * event_counter[i] (-1: not counted, no room), registered after init */
	const struct ids_event_def *events;
	size_t n_events;
	uint32_t ev_base;
	int event_counter[IDS_MAX_EVENTS];
};

#define PLUGIN_MAX_STREAM_MATCHERS 16

/*
 * The loaded plugins with one generation of rules: their globals from
 * init, the rules each got, and the stream matchers they compiled (a flow
 * keeps its stream-matcher state by slot in this table). A rule reload
 * builds a clone: the same modules (owned by the original set, which
 * stays until exit), new rules, new globals; workers move to it between
 * two packets and the old generation is retired once none uses it.
 */
struct plugin_set {
	struct loaded_plugin *p;
	size_t n;
	bool clone;		 /* shares the original's modules */
	struct ruleset *ruleset; /* owned by a clone; NULL for the original */
	const struct ids_matcher *stream_matchers[PLUGIN_MAX_STREAM_MATCHERS];
	unsigned n_stream_matchers;
	/* The anomaly rules of this generation per event (detect/rule_event.h;
	 * NULL: none), built by plugins_assign_rules. */
	struct rule_events *events;
};

/* The folder plugins are loaded from when the config names none: beside
 * the executable at ../<libdir>/sensor/plugins. Returns a static buffer. */
const char *plugin_default_dir(void);

/* Load every enabled plugin of `confs`. Returns the number of errors. */
unsigned plugins_load(struct plugin_set *set, const struct plugin_conf *confs, size_t n,
		      const char *plugin_dir, const char *config_file, struct diag *d);

/* Hand each plugin its rules (by `detector`); a rule naming no loaded
 * plugin is an error at the rule's file:line. A rule on a plugin's
 * app-layer event (rule.anomaly, detect/rule_event.h) gets the event's id
 * (an error when no loaded plugin declares it); on the event alone it
 * stays with the host (set->events), with patterns it goes to its plugin
 * as any rule. A rule with `buffer:` goes to
 * the plugin declaring that buffer (its detector unless the rule names
 * one, which must then declare it); a buffer no loaded plugin declares is
 * an error listing the buffers there are. Returns the number of errors. */
unsigned plugins_assign_rules(struct plugin_set *set, const struct ruleset *rs, struct diag *d);

/* counter_register of the plugin whose init is running (main thread):
 * its id, or -1. */
int plugin_counter_register(const char *name);

/* Call every plugin's init. Returns the number of errors. */
unsigned plugins_init(struct plugin_set *set, const struct ids_services *svc, unsigned threads,
		      struct diag *d);

/* fini every initialised plugin and dlclose them all (the original set;
 * for a clone, what plugins_retire does). */
void plugins_unload(struct plugin_set *set);

/* A new generation of `orig`'s plugins, without rules or globals yet: hand
 * it rules with plugins_assign_rules and start it with plugins_init. NULL
 * when out of memory. */
struct plugin_set *plugins_clone(const struct plugin_set *orig);

/* End a generation no worker uses any more: fini its globals and free its
 * rules (and, for a clone, the set itself; the original set keeps its
 * modules loaded until plugins_unload). */
void plugins_retire(struct plugin_set *set);

#endif
