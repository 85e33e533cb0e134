/*
 * sensor.h - the run: options, set-up, the capture loop and tear-down.
 */
#ifndef SENSOR_SENSOR_H
#define SENSOR_SENSOR_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes. */
enum { EXIT_OK = 0, EXIT_CONFIG = 1, EXIT_RUNTIME = 2 };

struct sensor_opts {
	const char *pcap_file; /* -r */
	const char **ifaces;   /* -i, repeatable: live capture */
	size_t n_ifaces;
	const char *bpf;	    /* --bpf */
	const char *capture_method; /* --capture-method */
	const char *pidfile;	    /* --pidfile */
	const char *config_file;    /* -c, NULL: default */
	const char **rule_files;    /* -S, replaces the config's */
	size_t n_rule_files;
	const char *log_dir; /* -l */
	unsigned threads;    /* --threads, 0: config */
	bool test_only;	     /* -T */
	int verbose;	     /* -v count */
	/* --list-plugins, --list-buffers, --dump-config: set up as -T, then
	 * print that instead of the summary. */
	enum { LIST_NONE, LIST_PLUGINS, LIST_BUFFERS, DUMP_CONFIG } list;
};

/* Run with `o`; returns the process exit code. */
int sensor_run(const struct sensor_opts *o);

#endif
