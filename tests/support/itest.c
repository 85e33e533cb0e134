/*
 * itest.c - one integration-test run (see itest.h).
 */
#include "itest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void itest_begin(struct itest *t, const char *bin, const char *tag)
{
	memset(t, 0, sizeof(*t));
	t->bin = bin ? bin : getenv("SENSOR_BIN");
	if (!t->bin) {
		fprintf(stderr, "itest: no sensor binary: pass one or set SENSOR_BIN\n");
		abort();
	}
	t->dir = test_dir_new(tag);
	snprintf(t->pcap, sizeof(t->pcap), "%s/in.pcap", t->dir);
	snprintf(t->rules, sizeof(t->rules), "%s/rules.yaml", t->dir);
	snprintf(t->conf, sizeof(t->conf), "%s/sensor.yaml", t->dir);
	snprintf(t->eve_path, sizeof(t->eve_path), "%s/eve.json", t->dir);
	write_file(t->conf, "plugins:\n  - name: signature\n");
	write_file(t->rules, "rules: []\n");
}

void itest_end(struct itest *t)
{
	if (t->gen.f)
		pg_close(&t->gen);
	run_result_free(&t->res);
	eve_free(&t->eve);
	if (!getenv("ITEST_KEEP"))
		test_dir_remove(t->dir);
	else
		free(t->dir);
	t->dir = NULL;
}

struct pcapgen *itest_capture(struct itest *t, int linktype)
{
	pg_open(&t->gen, t->pcap, linktype);
	return &t->gen;
}

void itest_rules(struct itest *t, const char *yaml)
{
	write_file(t->rules, yaml);
}

void itest_config(struct itest *t, const char *yaml)
{
	write_file(t->conf, yaml);
}

void itest_plugin(struct itest *t, const char *name, const char *so_path, const char *options)
{
	size_t cap = 256 + strlen(name) + strlen(so_path) + (options ? 8 * strlen(options) : 0);
	char *yaml = malloc(cap), *w;
	const char *line = options, *nl;

	if (!yaml)
		abort();
	w = yaml + snprintf(yaml, cap, "plugins:\n  - name: %s\n    path: %s\n", name, so_path);
	if (options && *options)
		w += snprintf(w, cap - (size_t)(w - yaml), "    options:\n");
	while (line && *line) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		w += snprintf(w, cap - (size_t)(w - yaml), "      %.*s\n", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
	write_file(t->conf, yaml);
	free(yaml);
}

int itest_run(struct itest *t, ...)
{
	const char *argv[64] = {t->bin, "-c", t->conf, "-S", t->rules, "-r", t->pcap, "-l", t->dir};
	size_t n = 9;
	const char *a;
	va_list ap;

	if (t->gen.f)
		pg_close(&t->gen);
	va_start(ap, t);
	while ((a = va_arg(ap, const char *)) && n < 63)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	run_result_free(&t->res);
	eve_free(&t->eve);
	unlink(t->eve_path);
	run_cmd(&t->res, argv);
	if (t->res.status != 0)
		fprintf(stderr, "sensor exited %d:\n%s%s", t->res.status, t->res.out, t->res.err);
	eve_load(&t->eve, t->eve_path);
	return t->res.status;
}

size_t itest_alerts(const struct itest *t, unsigned sid)
{
	char filter[64];

	snprintf(filter, sizeof(filter), "event_type=alert alert.signature_id=%u", sid);
	return eve_count(&t->eve, filter);
}
