/*
 * main.c - the sensor's command line.
 *
 *   sensor -r FILE [-c CONF] [-S RULES]... [-l LOGDIR] [--threads N] [-v]
 *   sensor -i IFACE [-i IFACE]... [--bpf FILTER] [--capture-method M] [--pidfile F] ...
 *   sensor -T [-c CONF] [-S RULES]...
 *   sensor -V | -h
 *
 * Exit codes: 0 success, 1 bad configuration, rules, plugins or capture
 * file, 2 runtime failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/sensor.h"
#include "ids/plugin.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sensor -r FILE [-c CONF] [-S RULES]... [-l LOGDIR] [--threads N] [-v]\n"
		"       sensor -i IFACE [-i IFACE]... [--bpf FILTER] [--capture-method "
		"af-packet|raw]\n"
		"              [--pidfile FILE] [-c CONF] [-S RULES]... [-l LOGDIR] [--threads N]\n"
		"       sensor -T [-c CONF] [-S RULES]...\n"
		"       sensor --list-plugins | --list-buffers | --dump-config [-c CONF]\n"
		"       sensor -V | -h\n"
		"\n"
		"  -r, --read FILE      read packets from a pcap or pcapng capture file\n"
		"  -i, --interface IF   capture live from interface IF (repeat for several)\n"
		"      --bpf FILTER     capture filter (BPF syntax), replaces the config's\n"
		"      --capture-method af-packet (memory-mapped rings, default) or raw\n"
		"      --pidfile FILE   write the process id to FILE while running\n"
		"  -c, --config CONF    configuration file (default: the shipped sensor.yaml)\n"
		"  -S, --rules RULES    rule file; repeat for several; replaces the config's\n"
		"  -l, --log-dir DIR    where eve.json is written (default: the config's)\n"
		"      --threads N      worker threads (default: the config's)\n"
		"  -T, --test           validate configuration, plugins and rules, then exit\n"
		"      --list-plugins   the plugins loaded: versions, options, rules\n"
		"      --list-buffers   the named buffers rules can match, by plugin\n"
		"      --dump-config    the configuration in force, defaults filled in\n"
		"  -v, --verbose        more log output (repeat for debug)\n"
		"  -V, --version        print the version\n"
		"  -h, --help           this help\n"
		"\n"
		"Signals while running: TERM/INT stop (flows flushed, stats written), HUP reopens\n"
		"the output files (log rotation), USR2 reloads the rule files.\n"
		"\n"
		"Exit status: 0 success, 1 bad configuration, rules, plugins or capture file,\n"
		"2 runtime failure.\n");
}

static int parse_threads(const char *s, unsigned *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 1 || v > 1024)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct sensor_opts *o)
{
	static const struct option longopts[] = {
		{"read", required_argument, NULL, 'r'},
		{"interface", required_argument, NULL, 'i'},
		{"bpf", required_argument, NULL, 'b'},
		{"capture-method", required_argument, NULL, 'm'},
		{"pidfile", required_argument, NULL, 'p'},
		{"config", required_argument, NULL, 'c'},
		{"rules", required_argument, NULL, 'S'},
		{"log-dir", required_argument, NULL, 'l'},
		{"threads", required_argument, NULL, 't'},
		{"test", no_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"list-plugins", no_argument, NULL, 1},
		{"list-buffers", no_argument, NULL, 2},
		{"dump-config", no_argument, NULL, 3},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "r:i:c:S:l:TvVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->pcap_file = optarg;
			break;
		case 'i':
			o->ifaces[o->n_ifaces++] = optarg;
			break;
		case 'b':
			o->bpf = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "af-packet") != 0 && strcmp(optarg, "raw") != 0) {
				fprintf(stderr,
					"sensor: --capture-method takes af-packet or raw, not "
					"'%s'\n",
					optarg);
				return -1;
			}
			o->capture_method = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'c':
			o->config_file = optarg;
			break;
		case 'S':
			o->rule_files[o->n_rule_files++] = optarg;
			break;
		case 'l':
			o->log_dir = optarg;
			break;
		case 't':
			if (parse_threads(optarg, &o->threads) < 0) {
				fprintf(stderr,
					"sensor: --threads takes a number from 1 to 1024, "
					"not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'T':
			o->test_only = true;
			break;
		case 1:
		case 2:
		case 3:
			o->test_only = true;
			o->list = c == 1 ? LIST_PLUGINS : c == 2 ? LIST_BUFFERS : DUMP_CONFIG;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			printf("sensor %s (plugin ABI %d.%d)\n", SENSOR_VERSION, IDS_ABI_MAJOR,
			       IDS_ABI_MINOR);
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sensor: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->test_only && !o->pcap_file && !o->n_ifaces) {
		fprintf(stderr,
			"sensor: nothing to do: give -r FILE to read a capture, -i IFACE to "
			"capture live, or -T to test the configuration (see -h)\n");
		return -1;
	}
	if (o->pcap_file && o->n_ifaces) {
		fprintf(stderr, "sensor: -r and -i exclude each other: read a file or capture "
				"live\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sensor_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.rule_files = calloc((size_t)argc, sizeof(char *));
	o.ifaces = calloc((size_t)argc, sizeof(char *));
	if (!o.rule_files || !o.ifaces) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (parse_args(argc, argv, &o) < 0) {
		rc = EXIT_CONFIG;
		goto out;
	}
	log_verbosity = LOG_LVL_WARN + o.verbose;
	rc = sensor_run(&o);
	log_rate_flush(); /* rate-limited lines still held back */
out:
	free(o.rule_files);
	free(o.ifaces);
	return rc;
}
