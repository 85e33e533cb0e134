/*
 * sensor.c - one run of the sensor: configuration, plugins and rules, the
 * capture loop, and the summary.
 *
 * Set-up validates everything before any packet is read and reports every
 * problem at once (exit 1). `-T` stops after set-up with a one-line summary.
 * The capture loop reads frames and hands each to a worker (see
 * dispatch.c); at end of input every worker ends its flows and flushes its
 * output, and one stats record summing all workers closes eve.json.
 *
 * Main thread only; worker threads exist only inside dispatch_run().
 */
#include "core/sensor.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture_live.h"
#include "capture/capture_pcap.h"
#include "core/config.h"
#include "core/control.h"
#include "core/control_socket.h"
#include "core/crash.h"
#include "base/diag.h"
#include "core/dispatch.h"
#include "base/log.h"
#include "core/plugin_loader.h"
#include "core/sensor_list.h"
#include "core/worker.h"
#include "detect/matcher.h"
#include "detect/rule_event.h"
#include "detect/rule_keys.h"
#include "detect/matcher_cache.h"
#include "detect/rules.h"
#include "output/eve.h"
#include "output/output.h"

/* At the end of a run, how long queued records may take to reach sinks
 * that are up. */
#define OUTPUT_DRAIN_MS 10000

struct run {
	struct sensor_config cfg;
	struct plugin_set plugins;
	struct ruleset rules;
	struct diag diag;
	struct run_ctl *ctl; /* while capturing: for the reload report */
	/* -T: errors of rules that failed to load; the others are still
	 * compiled, so that a Hyperscan refusal shows too, and -T exits 1 */
	unsigned test_rule_errors;
};

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The build tree's binary uses the source tree's config; an installed one
 * the config installed beside it (found from the binary's own folder, so
 * that an installed tree works wherever it was installed or moved), then
 * the configured install path; otherwise built-in defaults. */
static const char *default_config_path(void)
{
	static char beside[PATH_MAX + 64];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		if (strcmp(exe, SENSOR_BUILD_BINDIR) == 0 && file_exists(SENSOR_SOURCE_CONF))
			return SENSOR_SOURCE_CONF;
		snprintf(beside, sizeof(beside), "%s/%s", exe, SENSOR_CONF_RELPATH);
		if (file_exists(beside))
			return beside;
	}
	if (file_exists(SENSOR_INSTALL_CONF))
		return SENSOR_INSTALL_CONF;
	return NULL;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* -S replaces every rule file the config names. */
static int override_rule_files(struct sensor_config *c, const struct sensor_opts *o)
{
	strv_free(c->rule_files, c->n_rule_files);
	c->rule_files = calloc(o->n_rule_files ? o->n_rule_files : 1, sizeof(char *));
	c->n_rule_files = 0;
	if (!c->rule_files)
		return -1;
	for (size_t i = 0; i < o->n_rule_files; i++) {
		c->rule_files[i] = strdup(o->rule_files[i]);
		if (!c->rule_files[i])
			return -1;
		c->n_rule_files++;
	}
	for (size_t i = 0; i < c->n_plugins; i++) {
		strv_free(c->plugins[i].rule_files, c->plugins[i].n_rule_files);
		c->plugins[i].rule_files = NULL;
		c->plugins[i].n_rule_files = 0;
	}
	return 0;
}

/* Live capture: one worker per CPU unless the config or --threads say. */
static unsigned live_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

static char *dup_or_oom(struct run *r, const char *s)
{
	char *d = strdup(s);

	if (!d)
		diag_error(&r->diag, NULL, 0, 0, "out of memory");
	return d;
}

/* -i, --bpf, --capture-method, --pidfile over the config. */
static int apply_live_options(struct run *r, const struct sensor_opts *o)
{
	struct sensor_config *c = &r->cfg;

	if (o->n_ifaces) {
		for (size_t i = 0; i < c->n_ifaces; i++)
			free(c->ifaces[i]);
		free(c->ifaces);
		c->n_ifaces = 0;
		c->ifaces = calloc(o->n_ifaces, sizeof(char *));
		if (!c->ifaces)
			return -1;
		for (size_t i = 0; i < o->n_ifaces; i++)
			if (!(c->ifaces[c->n_ifaces++] = dup_or_oom(r, o->ifaces[i])))
				return -1;
	}
	if (o->bpf) {
		free(c->bpf);
		if (!(c->bpf = dup_or_oom(r, o->bpf)))
			return -1;
	}
	if (o->capture_method)
		c->live.method = strcmp(o->capture_method, "raw") == 0 ? LIVE_RAW : LIVE_AFPACKET;
	if (o->pidfile) {
		free(c->pidfile);
		if (!(c->pidfile = dup_or_oom(r, o->pidfile)))
			return -1;
	}
	return 0;
}

static int apply_options(struct run *r, const struct sensor_opts *o)
{
	struct sensor_config *c = &r->cfg;
	const char *path = o->config_file ? o->config_file : default_config_path();

	config_defaults(c);
	if (path) {
		if (!file_exists(path)) {
			diag_error(&r->diag, path, 0, 0, "configuration file not found");
			return -1;
		}
		if (config_load(c, path, &r->diag) < 0)
			return -1;
	}
	if (o->log_dir) {
		free(c->log_dir);
		c->log_dir = strdup(o->log_dir);
	}
	if (o->threads)
		c->threads = o->threads;
	else if (o->n_ifaces && !c->threads_set)
		c->threads = live_default_threads();
	if (o->n_rule_files && override_rule_files(c, o) < 0) {
		diag_error(&r->diag, NULL, 0, 0, "out of memory");
		return -1;
	}
	return apply_live_options(r, o);
}

static void load_rules(struct run *r, struct ruleset *rs, struct diag *d)
{
	const struct sensor_config *c = &r->cfg;
	/* side files of .rules files, read again at each load (USR2 too) */
	struct suri_conf *suri = suri_conf_load(&c->suri, d);

	rule_class_load(c->classification_file, d);
	suri_set_conf(suri);
	for (size_t i = 0; i < c->n_rule_files; i++)
		ruleset_load_file(rs, c->rule_files[i], "signature", d);
	for (size_t p = 0; p < c->n_plugins; p++) {
		if (!c->plugins[p].enabled)
			continue;
		for (size_t i = 0; i < c->plugins[p].n_rule_files; i++)
			ruleset_load_file(rs, c->plugins[p].rule_files[i], c->plugins[p].name, d);
	}
	suri_set_conf(NULL);
	suri_conf_free(suri);
}

static void check_filter(struct run *r)
{
	const char *where = r->cfg.file ? r->cfg.file : "the command line";
	char err[512];

	if (r->cfg.bpf && live_check_filter(r->cfg.bpf, err, sizeof(err)) < 0)
		diag_error(&r->diag, where, 0, 0, "%s", err);
}

/*
 * Rules that failed to load (each reported with file:line:column): with
 * `rules.on-error: skip` (the default) the sensor goes on with the others
 * and says how many failed; on-error fail keeps the errors, so the start
 * fails. `-T` goes on too, so that the other rules are compiled and
 * checked, and fails at its end. `before` is the error count before
 * loading.
 */
static void rules_skip_failed(struct run *r, size_t failed, struct diag *d, unsigned before,
			      bool test_only)
{
	unsigned errs = d->errors - before;
	bool skip = !r->cfg.rules_on_error_fail;

	if (!errs)
		return;
	fprintf(stderr, "sensor: %zu rule%s failed to load (%u error%s)%s\n", failed,
		failed == 1 ? "" : "s", errs, errs == 1 ? "" : "s",
		!skip	    ? ""
		: test_only ? "; checking the others"
			    : "; going on with the others (rules.on-error: skip)");
	if (!skip)
		return;
	d->errors = before;
	if (test_only)
		r->test_rule_errors += errs;
}

/* A sensor that would run with no rule at all is a mistake (a config
 * that names no rule file, rules not found after an install) unless the
 * config says `allow-no-rules: true` or -S named the rule files. */
static void check_some_rules(struct run *r, const struct sensor_opts *o)
{
	if (r->rules.n || r->cfg.allow_no_rules || o->n_rule_files || r->diag.errors)
		return;
	diag_error(&r->diag,
		   r->cfg.file ? r->cfg.file
			       : "(built-in defaults: no configuration "
				 "file found)",
		   0, 0,
		   "no rules loaded: name rule files (rule-files:, plugins[].rules:, -S), or set "
		   "allow-no-rules: true if that is intended");
}

/* Everything before the first packet. Returns 0 or -1 after reporting. */
static int setup(struct run *r, const struct sensor_opts *o)
{
	const struct sensor_config *c = &r->cfg;
	unsigned before, unassigned;

	if (apply_options(r, o) < 0)
		return -1;
	check_filter(r);
	plugins_load(&r->plugins, c->plugins, c->n_plugins, c->plugin_dir, c->file, &r->diag);
	before = r->diag.errors;
	load_rules(r, &r->rules, &r->diag);
	rules_skip_failed(r, r->rules.n_failed, &r->diag, before, o->test_only);
	check_some_rules(r, o);
	if (r->diag.errors)
		return -1;
	before = r->diag.errors;
	unassigned = plugins_assign_rules(&r->plugins, &r->rules, &r->diag);
	r->rules.n_failed += unassigned;
	rules_skip_failed(r, unassigned, &r->diag, before, o->test_only);
	if (r->diag.errors)
		return -1;
	worker_compiling(&r->plugins);
	matcher_cache_set_dir(c->rules_cache_dir);
	if (plugins_init(&r->plugins, &sensor_services, c->threads, &r->diag) != 0)
		return -1;
	return 0;
}

/* The reload's diagnostics, captured in memory: to stderr as before, and
 * to the run's control state for the control socket's answer. */
static void reload_report(struct run *r, const struct diag *d, FILE *mem, char **text,
			  size_t n_rules)
{
	if (!mem)
		return;
	fclose(mem);
	if (*text)
		fputs(*text, stderr);
	if (r->ctl) {
		r->ctl->reload_rules_n = n_rules;
		r->ctl->reload_errors = d->errors;
		snprintf(r->ctl->reload_text, sizeof(r->ctl->reload_text), "%s",
			 *text ? *text : "");
	}
	free(*text);
	*text = NULL;
}

/*
 * SIGUSR2: the rule files again, into a new generation of the plugins
 * beside the running one. Every problem is logged as at start-up; the
 * running generation stays when there is any.
 */
static struct plugin_set *reload_rules(void *arg)
{
	struct run *r = arg;
	struct plugin_set *next = plugins_clone(&r->plugins);
	struct ruleset *rs = calloc(1, sizeof(*rs));
	char *text = NULL;
	size_t text_len = 0;
	FILE *mem = open_memstream(&text, &text_len);
	struct diag d;

	diag_init(&d, mem ? mem : stderr);
	if (!next || !rs) {
		log_error("rule reload: out of memory");
		goto fail;
	}
	ruleset_init(rs);
	next->ruleset = rs;
	/* A reload is all or nothing: with any broken rule the running
	 * generation stays (rules.on-error applies to the start only). */
	load_rules(r, rs, &d);
	if (d.errors || plugins_assign_rules(next, rs, &d) != 0)
		goto fail;
	worker_compiling(next);
	if (plugins_init(next, &sensor_services, r->cfg.threads, &d) != 0)
		goto fail;
	log_debug("rule reload: %zu rules compiled", rs->n);
	reload_report(r, &d, mem, &text, rs->n);
	return next;
fail:
	if (next)
		plugins_retire(next);
	else if (rs)
		free(rs);
	log_error("rule reload: %u error%s", d.errors, d.errors == 1 ? "" : "s");
	reload_report(r, &d, mem, &text, 0);
	return NULL;
}

static void print_test_summary(const struct run *r)
{
	char line[1024];
	size_t used = 0;

	used += (size_t)snprintf(line + used, sizeof(line) - used,
				 "configuration OK: %zu rules; rules per plugin:", r->rules.n);
	for (size_t i = 0; i < r->plugins.n && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, " %s=%zu",
					 r->plugins.p[i].desc->name, r->plugins.p[i].n_rules);
	/* rules on anomaly events go to no plugin (detect/rule_event.h) */
	if (rule_events_count(r->plugins.events) && used < sizeof(line))
		snprintf(line + used, sizeof(line) - used, "; anomaly rules: %zu",
			 rule_events_count(r->plugins.events));
	printf("%s\n", line);
}

static int make_log_dir(const char *dir)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* The map form `outputs: eve:` (or none): one file output from `eve`. */
static int legacy_output(const struct sensor_config *c, struct output_conf *o)
{
	output_conf_init(o, "eve");
	o->enabled = c->eve.enabled;
	o->filename = strdup(c->eve.filename ? c->eve.filename : "eve.json");
	return o->name && o->filename ? 0 : -1;
}

/* Start the outputs and the EVE writer feeding them; the path of the
 * first file output goes to `path` for the summary. */
static struct eve_writer *open_eve(const struct sensor_config *c, struct output_set **outs,
				   char *path, size_t pathlen)
{
	char err[512];
	struct output_conf legacy;
	const struct output_conf *confs = c->outputs;
	size_t n = c->n_outputs;
	struct eve_writer *eve = NULL;

	if (make_log_dir(c->log_dir) < 0) {
		fprintf(stderr, "sensor: error: cannot create log folder %s: %s\n", c->log_dir,
			strerror(errno));
		return NULL;
	}
	memset(&legacy, 0, sizeof(legacy));
	if (!n) {
		if (legacy_output(c, &legacy) < 0)
			goto out;
		confs = &legacy;
		n = 1;
	}
	*outs = output_set_open(confs, n, c->log_dir, err, sizeof(err));
	if (!*outs) {
		fprintf(stderr, "sensor: error: %s\n", err);
		goto out;
	}
	snprintf(path, pathlen, "(no file output)");
	for (size_t i = output_set_count(*outs); i-- > 0;)
		if (!strncmp(output_set_target(*outs, i), "file ", 5))
			snprintf(path, pathlen, "%s", output_set_target(*outs, i) + 5);
	eve = eve_writer_open_outputs(*outs, &c->eve);
	if (!eve) {
		output_set_close(*outs, 0);
		*outs = NULL;
	}
out:
	output_conf_free(&legacy);
	return eve;
}

static void print_summary(const struct dispatch_result *res, const char *what, const char *path)
{
	char real[PATH_MAX];

	printf("sensor: read %llu packets (%llu invalid) from %s\n",
	       (unsigned long long)res->packets, (unsigned long long)res->invalid, what);
	printf("sensor: %llu alerts written to %s\n", (unsigned long long)res->alerts,
	       realpath(path, real) ? real : path);
}

/* The capture itself, file or live, with the run's control state. */
static int capture(struct run *r, const struct sensor_opts *o, struct run_ctl *ctl,
		   const char *path)
{
	const struct sensor_config *c = &r->cfg;
	struct dispatch_result res;
	struct pcap_source *src;
	char err[512];
	int rc;

	if (!o->pcap_file) {
		rc = dispatch_live(c, ctl, &res);
		if (rc == EXIT_OK)
			print_summary(&res, "the interfaces", path);
		return rc;
	}
	src = pcap_source_open(o->pcap_file, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "sensor: error: %s\n", err);
		return EXIT_CONFIG;
	}
	rc = dispatch_run(c, ctl, src, &res);
	if (rc == EXIT_OK || res.packets)
		print_summary(&res, o->pcap_file, path);
	pcap_source_close(src);
	return rc;
}

/* `logging:`: the level (raised by -v), and a file or syslog. */
static int start_logging(const struct sensor_config *c)
{
	log_verbosity += c->log_level - LOG_LVL_WARN; /* main set warning + the -v count */
	if (c->log_syslog) {
		log_to_syslog(c->log_identity ? c->log_identity : "sensor", c->log_facility << 3);
	} else if (c->log_file && log_to_file(c->log_file) < 0) {
		fprintf(stderr, "sensor: error: cannot open log file %s: %s\n", c->log_file,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Who the process runs as now, and who it becomes once capturing. */
static void log_user(const struct sensor_config *c)
{
	struct passwd *pw = getpwuid(geteuid());

	if (c->run_as_user || c->run_as_group)
		log_notice("running as %s (uid %ld); dropping to %s:%s once capturing",
			   pw ? pw->pw_name : "?", (long)geteuid(),
			   c->run_as_user ? c->run_as_user : "-",
			   c->run_as_group ? c->run_as_group : "-");
	else
		log_notice("running as %s (uid %ld)", pw ? pw->pw_name : "?", (long)geteuid());
}

/* The start-up summary, at the default level: config, plugins and rules,
 * capture, outputs, user. */
static void startup_summary(const struct run *r, const struct sensor_opts *o,
			    const struct output_set *outs)
{
	const struct sensor_config *c = &r->cfg;
	char ifaces[512] = "";
	size_t used = 0;

	log_notice("sensor %s starting (pid %ld), configuration %s", SENSOR_VERSION, (long)getpid(),
		   c->file ? c->file : "(built-in defaults)");
	for (size_t i = 0; i < r->plugins.n; i++)
		log_notice("plugin %s %s: %zu rules loaded, 0 failed", r->plugins.p[i].desc->name,
			   r->plugins.p[i].desc->version ? r->plugins.p[i].desc->version : "",
			   r->plugins.p[i].n_rules);
	for (size_t i = 0; i < c->n_ifaces && used < sizeof(ifaces); i++)
		used += (size_t)snprintf(ifaces + used, sizeof(ifaces) - used, "%s%s", i ? "," : "",
					 c->ifaces[i]);
	if (o->pcap_file)
		log_notice("input: capture file %s, %u worker(s)", o->pcap_file, c->threads);
	else
		log_notice("input: interface(s) %s (%s), %u worker(s)", ifaces,
			   c->live.method == LIVE_RAW ? "raw" : "af-packet", c->threads);
	for (size_t i = 0; i < output_set_count(outs); i++)
		log_notice("output %s: %s", output_set_name(outs, i), output_set_target(outs, i));
	log_user(c);
}

/* `control-socket:` when enabled; its path defaults to log-dir. */
static int start_control_socket(struct run *r, struct run_ctl *ctl)
{
	struct ctl_socket_config cs = r->cfg.control_socket;
	char path[PATH_MAX], err[512] = "";

	if (!cs.enabled)
		return 0;
	if (!cs.path) {
		snprintf(path, sizeof(path), "%s/sensor.sock", r->cfg.log_dir);
		cs.path = path;
	}
	ctl->sock = ctl_socket_start(ctl, &cs, (const char *const *)r->cfg.ifaces, r->cfg.n_ifaces,
				     err, sizeof(err));
	if (!ctl->sock)
		fprintf(stderr, "sensor: error: %s\n", err);
	return ctl->sock ? 0 : -1;
}

static int run_capture(struct run *r, const struct sensor_opts *o)
{
	const struct sensor_config *c = &r->cfg;
	char path[PATH_MAX], err[512];
	struct run_ctl ctl;
	struct plugin_set *last;
	int rc;

	memset(&ctl, 0, sizeof(ctl));
	atomic_init(&ctl.current, &r->plugins);
	ctl.reload = reload_rules;
	ctl.reload_arg = r;
	ctl.start_usec = ctl_now_usec();
	for (size_t i = 0; i < r->plugins.n; i++)
		ctl.rules_loaded += r->plugins.p[i].n_rules;
	ctl.rules_failed = r->rules.n_failed;
	ctl.eve = open_eve(c, &ctl.outputs, path, sizeof(path));
	if (!ctl.eve)
		return EXIT_RUNTIME;
	output_set_offline(ctl.outputs, o->pcap_file != NULL);
	eve_writer_set_live(ctl.eve, o->pcap_file == NULL);
	ctl.eve_main = eve_thread_new(ctl.eve);
	if (!ctl.eve_main) {
		eve_writer_close(ctl.eve);
		output_set_close(ctl.outputs, 0);
		return EXIT_RUNTIME;
	}
	if (c->pidfile && ctl_pidfile_write(c->pidfile, err, sizeof(err)) < 0) {
		fprintf(stderr, "sensor: error: %s\n", err);
		rc = EXIT_CONFIG;
		goto out;
	}
	r->ctl = &ctl;
	if (start_logging(c) < 0) {
		rc = EXIT_CONFIG;
		goto out;
	}
	startup_summary(r, o, ctl.outputs);
	if (start_control_socket(r, &ctl) < 0) {
		rc = EXIT_CONFIG;
		goto out;
	}
	rc = capture(r, o, &ctl, path);
	ctl_socket_stop(ctl.sock);
	ctl.sock = NULL;
	ctl_pidfile_remove(c->pidfile);
out:
	/* Generations other than the original, last first. */
	last = atomic_load(&ctl.current);
	if (ctl.retiring && ctl.retiring != &r->plugins)
		plugins_retire(ctl.retiring);
	if (last != &r->plugins)
		plugins_retire(last);
	eve_thread_free(ctl.eve_main);
	output_set_close(ctl.outputs, OUTPUT_DRAIN_MS);
	eve_writer_close(ctl.eve);
	return rc;
}

int sensor_run(const struct sensor_opts *o)
{
	struct run r;
	int rc;

	/* Before any thread exists, so that workers inherit the mask and the
	 * main thread alone takes TERM, INT, HUP and USR2. */
	ctl_block_signals();
	crash_install();
	/* A sink's peer going away (hiredis writes without MSG_NOSIGNAL)
	 * must be an error the output handles, not the end of the process. */
	signal(SIGPIPE, SIG_IGN);
	memset(&r, 0, sizeof(r));
	diag_init(&r.diag, stderr);
	ruleset_init(&r.rules);
	if (setup(&r, o) < 0) {
		fprintf(stderr, "sensor: %u error%s, not started\n", r.diag.errors,
			r.diag.errors == 1 ? "" : "s");
		rc = EXIT_CONFIG;
	} else if (o->test_only && r.test_rule_errors) {
		fprintf(stderr, "sensor: %u error%s, not started (the other rules compile)\n",
			r.test_rule_errors, r.test_rule_errors == 1 ? "" : "s");
		rc = EXIT_CONFIG;
	} else if (o->test_only) {
		if (o->list == LIST_PLUGINS)
			sensor_list_plugins(&r.plugins, stdout);
		else if (o->list == LIST_BUFFERS)
			sensor_list_buffers(&r.plugins, stdout);
		else if (o->list == DUMP_CONFIG)
			sensor_dump_config(&r.cfg, stdout);
		else
			print_test_summary(&r);
		rc = EXIT_OK;
	} else {
		rc = run_capture(&r, o);
	}
	plugins_unload(&r.plugins);
	ruleset_free(&r.rules);
	config_free(&r.cfg);
	return rc;
}
