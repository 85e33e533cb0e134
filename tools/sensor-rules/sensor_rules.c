/*
 * sensor_rules.c - `sensor-rules convert IN.rules... -o OUT.yaml`.
 *
 * Parses each Suricata/Snort rule file with the parser the sensor loads
 * them with (detect/rules_suricata.c) and writes the trees as one YAML rule
 * file: the variables of the first file, then every rule in order. With
 * `-c sensor.yaml` the config's `vars:` and side files (threshold.config,
 * enable/disable lists, reference.config) apply as when the sensor loads
 * the files. A rule whose meaning needed a change gets a `# note:` comment
 * above it; rules that could not be converted are listed (file:line, sid,
 * keyword) on stderr and as comments at the top of the output. Exit
 * status: 0 when every rule converted, 1 when some did not, 2 on usage,
 * configuration or I/O errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "core/config.h"
#include "detect/rules_suricata.h"

static int usage(void)
{
	fprintf(stderr, "usage: sensor-rules convert [-c sensor.yaml] IN.rules... -o OUT.yaml\n"
			"       (-o - writes to standard output; -c: the config's vars and side\n"
			"       files: reference-config-file, threshold-file, enable-file,\n"
			"       disable-file)\n");
	return 2;
}

/* The diag messages (one per line) as YAML comments. */
static void write_comments(FILE *out, const char *text)
{
	if (text && *text)
		fputs("# Rules not converted (error), and other messages:\n", out);
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		fprintf(out, "#   %.*s\n", (int)n, text);
		text += n + (nl ? 1 : 0);
	}
}

static void write_rules(FILE *out, const struct suri_result *res)
{
	const struct ynode *rules = ymap_get(res->root, "rules");

	for (size_t i = 0; rules && i < rules->n; i++) {
		struct ynode *item = rules->items[i];
		struct ynode one = {.type = YNODE_SEQ, .items = &item, .n = 1};

		if (res->notes[i])
			fprintf(out, "  # note: %s\n", res->notes[i]);
		ytree_write(out, &one, 2);
	}
}

static int convert(char **in, int n_in, const char *out_path, const char *conf_path)
{
	struct sensor_config cfg;
	struct suri_conf *sc = NULL;
	struct suri_result *res = calloc((size_t)n_in, sizeof(*res));
	char *msgs = NULL;
	size_t msgs_len = 0;
	FILE *mem = open_memstream(&msgs, &msgs_len), *out;
	struct diag d;
	unsigned failed = 0, parsed = 0;
	int rc = 0;

	if (!res || !mem)
		return 2;
	diag_init(&d, mem);
	config_defaults(&cfg);
	if (conf_path && config_load(&cfg, conf_path, &d) < 0)
		rc = 2;
	sc = suri_conf_load(&cfg.suri, &d);
	for (int i = 0; rc == 0 && i < n_in; i++)
		if (suri_parse_file(in[i], sc, &res[i], &d) < 0)
			rc = 2;
	fclose(mem);
	fputs(msgs ? msgs : "", stderr);
	if (rc)
		goto done;
	out = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "w");
	if (!out) {
		perror(out_path);
		rc = 2;
		goto done;
	}
	for (int i = 0; i < n_in; i++) {
		parsed += res[i].parsed;
		failed += res[i].failed;
	}
	fprintf(out,
		"# Converted by sensor-rules from %d Suricata/Snort rule file%s: %u rules, %u not "
		"converted.\n",
		n_in, n_in == 1 ? "" : "s", parsed, failed);
	write_comments(out, msgs);
	if (res[0].root && ymap_get(res[0].root, "vars")) {
		fputs("vars:\n", out);
		ytree_write(out, ymap_get(res[0].root, "vars"), 2);
	}
	fputs("rules:\n", out);
	for (int i = 0; i < n_in; i++)
		if (res[i].root)
			write_rules(out, &res[i]);
	if (out != stdout && fclose(out) != 0) {
		perror(out_path);
		rc = 2;
	}
	if (!rc && failed)
		rc = 1;
done:
	suri_conf_free(sc);
	config_free(&cfg);
	for (int i = 0; i < n_in; i++)
		suri_result_free(&res[i]);
	free(res);
	free(msgs);
	return rc;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *conf = NULL;
	char **in;
	int n_in = 0;

	if (argc < 2 || strcmp(argv[1], "convert") != 0)
		return usage();
	in = calloc((size_t)argc, sizeof(*in));
	if (!in)
		return 2;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return usage();
		else
			in[n_in++] = argv[i];
	}
	if (!out || !n_in) {
		free(in);
		return usage();
	}
	{
		int rc = convert(in, n_in, out, conf);

		free(in);
		return rc;
	}
}
