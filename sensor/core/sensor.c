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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture_pcap.h"
#include "core/config.h"
#include "core/diag.h"
#include "core/dispatch.h"
#include "core/log.h"
#include "core/plugin_loader.h"
#include "core/worker.h"
#include "detect/matcher.h"
#include "detect/rules.h"
#include "output/eve.h"

struct run {
	struct sensor_config cfg;
	struct plugin_set plugins;
	struct ruleset rules;
	struct diag diag;
};

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The build tree's binary uses the source tree's config; an installed one
 * the installed config; otherwise built-in defaults. */
static const char *default_config_path(void)
{
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
	if (o->n_rule_files && override_rule_files(c, o) < 0) {
		diag_error(&r->diag, NULL, 0, 0, "out of memory");
		return -1;
	}
	return 0;
}

static void load_rules(struct run *r)
{
	const struct sensor_config *c = &r->cfg;

	for (size_t i = 0; i < c->n_rule_files; i++)
		ruleset_load_file(&r->rules, c->rule_files[i], "signature", &r->diag);
	for (size_t p = 0; p < c->n_plugins; p++) {
		if (!c->plugins[p].enabled)
			continue;
		for (size_t i = 0; i < c->plugins[p].n_rule_files; i++)
			ruleset_load_file(&r->rules, c->plugins[p].rule_files[i],
					  c->plugins[p].name, &r->diag);
	}
}

/* Everything before the first packet. Returns 0 or -1 after reporting. */
static int setup(struct run *r, const struct sensor_opts *o)
{
	const struct sensor_config *c = &r->cfg;

	if (apply_options(r, o) < 0)
		return -1;
	plugins_load(&r->plugins, c->plugins, c->n_plugins, c->plugin_dir, c->file, &r->diag);
	load_rules(r);
	if (r->diag.errors)
		return -1;
	if (plugins_assign_rules(&r->plugins, &r->rules, &r->diag) != 0)
		return -1;
	if (plugins_init(&r->plugins, &sensor_services, c->threads, &r->diag) != 0)
		return -1;
	return 0;
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
	printf("%s\n", line);
}

static int make_log_dir(const char *dir)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

static int run_capture(struct run *r, const struct sensor_opts *o)
{
	const struct sensor_config *c = &r->cfg;
	char path[PATH_MAX], err[512];
	struct eve_writer *eve;
	struct pcap_source *src;
	struct dispatch_result res;
	int rc;

	src = pcap_source_open(o->pcap_file, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "sensor: error: %s\n", err);
		return EXIT_CONFIG;
	}
	snprintf(path, sizeof(path), "%s/%s", c->log_dir, c->eve.filename);
	if (make_log_dir(c->log_dir) < 0) {
		fprintf(stderr, "sensor: error: cannot create log folder %s: %s\n", c->log_dir,
			strerror(errno));
		pcap_source_close(src);
		return EXIT_RUNTIME;
	}
	eve = eve_writer_open(path, &c->eve, err, sizeof(err));
	if (!eve) {
		fprintf(stderr, "sensor: error: %s\n", err);
		pcap_source_close(src);
		return EXIT_RUNTIME;
	}
	rc = dispatch_run(c, &r->plugins, eve, src, &res);
	if (rc == EXIT_OK || res.packets) {
		char real[PATH_MAX];

		printf("sensor: read %llu packets (%llu invalid) from %s\n",
		       (unsigned long long)res.packets, (unsigned long long)res.invalid,
		       o->pcap_file);
		printf("sensor: %llu alerts written to %s\n", (unsigned long long)res.alerts,
		       realpath(path, real) ? real : path);
	}
	eve_writer_close(eve);
	pcap_source_close(src);
	return rc;
}

int sensor_run(const struct sensor_opts *o)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	diag_init(&r.diag, stderr);
	ruleset_init(&r.rules);
	if (setup(&r, o) < 0) {
		fprintf(stderr, "sensor: %u error%s, not started\n", r.diag.errors,
			r.diag.errors == 1 ? "" : "s");
		rc = EXIT_CONFIG;
	} else if (o->test_only) {
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
