/*
 * sensor_list.c - `sensor --list-plugins`, `--list-buffers` and
 * `--dump-config`: what the loaded configuration and plugins amount to,
 * printed once set-up succeeded (see sensor_list.h).
 *
 * --dump-config prints YAML that the loader reads back to the same
 * configuration: every key with its value, defaults filled in, paths as
 * resolved. Main thread only.
 */
#include "core/sensor_list.h"

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/plugin_loader.h"

static const char *opt_type(enum ids_opt_type t)
{
	return t == IDS_OPT_BOOL ? "bool" : t == IDS_OPT_INT ? "int" : "string";
}

void sensor_list_plugins(const struct plugin_set *ps, FILE *out)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct loaded_plugin *lp = &ps->p[i];
		const struct ids_plugin *d = lp->desc;

		fprintf(out, "%s %s (ABI %u.%u) %s\n", d->name, d->version ? d->version : "",
			d->abi_major, d->abi_minor, lp->path ? lp->path : "");
		if (d->description)
			fprintf(out, "  %s\n", d->description);
		fprintf(out, "  rules: %zu, buffers: %zu\n", lp->n_rules, lp->n_buffers);
		for (size_t k = 0; d->options && k < d->n_options; k++) {
			const struct ids_option_def *o = &d->options[k];

			fprintf(out, "  option %s (%s, default %s", o->name, opt_type(o->type),
				o->def ? o->def : "none");
			if (o->type == IDS_OPT_INT)
				fprintf(out, ", %lld..%lld", (long long)o->min, (long long)o->max);
			fprintf(out, "): %s\n", o->help ? o->help : "");
		}
	}
}

void sensor_list_buffers(const struct plugin_set *ps, FILE *out)
{
	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ps->p[i].n_buffers; k++)
			fprintf(out, "%-24s %-10s %s\n", ps->p[i].buffers[k].name,
				ps->p[i].desc->name,
				ps->p[i].buffers[k].help ? ps->p[i].buffers[k].help : "");
}

/* A YAML double-quoted scalar. */
static void q(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void key_str(FILE *out, const char *indent, const char *key, const char *v)
{
	if (!v)
		return;
	fprintf(out, "%s%s: ", indent, key);
	q(out, v);
	fputc('\n', out);
}

static void str_list(FILE *out, const char *indent, const char *key, char *const *v, size_t n)
{
	fprintf(out, "%s%s: [", indent, key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		q(out, v[i]);
	}
	fputs("]\n", out);
}

static const char *const redis_modes[] = {"lpush", "rpush", "publish", "xadd"};
static const char *const facilities[] = {
	"kern",	  "user",   "mail",	"daemon", "auth",   "syslog", "lpr",	"news",
	"uucp",	  "cron",   "authpriv", "ftp",	  "-",	    "-",      "-",	"-",
	"local0", "local1", "local2",	"local3", "local4", "local5", "local6", "local7"};
static const char *const levels[] = {"emerg",	"alert",  "crit", "err",
				     "warning", "notice", "info", "debug"};

static void dump_output(FILE *out, const struct output_conf *o)
{
	fprintf(out, "  - eve:\n");
	key_str(out, "      ", "name", o->name);
	fprintf(out, "      enabled: %s\n      sink: %s\n", o->enabled ? "true" : "false",
		output_sink_name(o->sink));
	if (o->n_types)
		str_list(out, "      ", "types", o->types, o->n_types);
	fprintf(out, "      queue-size: %llu\n", (unsigned long long)o->queue_size);
	key_str(out, "      ", "filename", o->filename);
	if (o->sink == SINK_FILE)
		fprintf(out, "      limit: %llu\n      rotate-interval: %u\n      mode: \"0%o\"\n",
			(unsigned long long)o->rotate_limit, o->rotate_interval, o->mode);
	key_str(out, "      ", "owner", o->owner);
	key_str(out, "      ", "group", o->group);
	if (o->sink == SINK_SYSLOG) {
		fprintf(out, "      syslog:\n        facility: %s\n        level: %s\n",
			facilities[(unsigned)o->facility % 24], levels[o->level & 7]);
		key_str(out, "        ", "identity", o->identity);
		key_str(out, "        ", "socket", o->socket_path);
	}
	if (o->sink == SINK_REDIS) {
		fprintf(out, "      redis:\n");
		key_str(out, "        ", "server", o->host ? o->host : "127.0.0.1");
		fprintf(out, "        port: %u\n", o->port);
		key_str(out, "        ", "socket", o->socket_path);
		key_str(out, "        ", "password", o->password ? "(set)" : NULL);
		fprintf(out, "        mode: %s\n", redis_modes[o->redis_mode & 3]);
		key_str(out, "        ", "key", o->key ? o->key : "sensor");
		fprintf(out,
			"        stream-maxlen: %llu\n        stream-trim-exact: %s\n"
			"        batch-size: %u\n",
			(unsigned long long)o->stream_maxlen,
			o->stream_trim_exact ? "true" : "false", o->batch);
	}
}

static void dump_outputs(FILE *out, const struct sensor_config *c)
{
	const struct eve_config *e = &c->eve;

	if (!c->n_outputs) {
		fprintf(out, "outputs:\n  eve:\n    enabled: %s\n", e->enabled ? "true" : "false");
		key_str(out, "    ", "filename", e->filename);
		fprintf(out, "    payload: %s\n    payload-printable: %s\n    packet: %s\n",
			e->payload ? "true" : "false", e->payload_printable ? "true" : "false",
			e->packet ? "true" : "false");
		fprintf(out, "    types: [%s%s%s%s]\n", e->alert ? "alert, " : "",
			e->anomaly ? "anomaly, " : "", e->flow ? "flow, " : "",
			e->stats ? "stats" : "");
		return;
	}
	fprintf(out, "outputs:\n");
	for (size_t i = 0; i < c->n_outputs; i++)
		dump_output(out, &c->outputs[i]);
}

static void dump_engine(FILE *out, const struct sensor_config *c)
{
	const struct flow_config *f = &c->flow;

	fprintf(out, "flow:\n  max-flows: %u\n  timeouts:\n", f->max_flows);
	fprintf(out, "    tcp: {new: %u, established: %u, closed: %u}\n", f->new_tcp,
		f->timeout_tcp, f->closed_tcp);
	fprintf(out, "    udp: {new: %u, established: %u}\n", f->new_udp, f->timeout_udp);
	fprintf(out, "    icmp: {new: %u, established: %u}\n", f->new_icmp, f->timeout_icmp);
	fprintf(out, "    other: {new: %u, established: %u}\n", f->new_other, f->timeout_other);
	fprintf(out, "stream:\n  midstream: %s\n  checksum-validation: %s\n  memcap: %llu\n",
		c->stream.midstream ? "true" : "false", c->checksum_validation ? "true" : "false",
		(unsigned long long)c->stream.memcap);
	fprintf(out, "  reassembly: {depth: %u, max-unacked: %u}\n", c->stream.depth,
		c->stream.max_unacked);
	fprintf(out, "defrag:\n  timeout: %u\n  memcap: %llu\n  max-trackers: %u\n",
		c->defrag.timeout_s, (unsigned long long)c->defrag.memcap, c->defrag.max_trackers);
	fprintf(out, "capture:\n  method: %s\n", c->live.method == LIVE_RAW ? "raw" : "af-packet");
	str_list(out, "  ", "interfaces", c->ifaces, c->n_ifaces);
	key_str(out, "  ", "bpf", c->bpf);
	fprintf(out, "  promisc: %s\n", c->live.promisc ? "true" : "false");
	fprintf(out, "stats:\n  interval: %u\n", c->stats_interval);
}

static void dump_plugins(FILE *out, const struct sensor_config *c)
{
	fprintf(out, "plugins:\n");
	for (size_t i = 0; i < c->n_plugins; i++) {
		const struct plugin_conf *p = &c->plugins[i];

		fprintf(out, "  - name: ");
		q(out, p->name);
		fputc('\n', out);
		key_str(out, "    ", "path", p->path);
		fprintf(out, "    enabled: %s\n", p->enabled ? "true" : "false");
		str_list(out, "    ", "rules", p->rule_files, p->n_rule_files);
	}
	str_list(out, "", "rule-files", c->rule_files, c->n_rule_files);
}

void sensor_dump_config(const struct sensor_config *c, FILE *out)
{
	static const char *const log_levels[] = {"error", "warning", "info", "debug"};

	fprintf(out, "# configuration: %s\n", c->file ? c->file : "(built-in defaults)");
	key_str(out, "", "log-dir", c->log_dir);
	key_str(out, "", "plugin-dir", c->plugin_dir);
	fprintf(out, "threads: %u\nallow-no-rules: %s\n", c->threads,
		c->allow_no_rules ? "true" : "false");
	fprintf(out, "logging:\n  level: %s\n  syslog: %s\n  facility: %s\n",
		log_levels[c->log_level & 3], c->log_syslog ? "true" : "false",
		facilities[(unsigned)c->log_facility % 24]);
	key_str(out, "  ", "file", c->log_file);
	key_str(out, "  ", "identity", c->log_identity);
	if (c->control_socket.enabled) {
		fprintf(out, "control-socket:\n  enabled: true\n");
		key_str(out, "  ", "path", c->control_socket.path);
		fprintf(out, "  mode: \"0%o\"\n", c->control_socket.mode);
		key_str(out, "  ", "group", c->control_socket.group);
	}
	dump_outputs(out, c);
	dump_engine(out, c);
	key_str(out, "", "pidfile", c->pidfile);
	if (c->run_as_user || c->run_as_group) {
		fprintf(out, "run-as:\n");
		key_str(out, "  ", "user", c->run_as_user);
		key_str(out, "  ", "group", c->run_as_group);
	}
	dump_plugins(out, c);
}
