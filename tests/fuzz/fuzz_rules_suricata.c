/*
 * fuzz_rules_suricata.c - the Suricata/Snort rule parser
 * (sensor/detect/rules_suricata.h) on a .rules file's bytes, and the YAML
 * writer on the tree it gives.
 *
 * Input: the whole input is the file. Checked: every rule the parser kept
 * is a mapping with an `id`; parsed + failed + skipped never exceeds the
 * number of lines; the counts by keyword add up to the failures; writing
 * the tree as YAML and reading it back gives a tree again. Messages are
 * counted but not printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rules_suricata.h"
#include "fuzz.h"

static void check_tree(const struct suri_result *res)
{
	const struct ynode *rules = ymap_get(res->root, "rules");
	unsigned by_kw = 0;

	FUZZ_CHECK(rules && rules->type == YNODE_SEQ && rules->n == res->parsed);
	for (size_t i = 0; i < rules->n; i++)
		FUZZ_CHECK(rules->items[i]->type == YNODE_MAP && ymap_get(rules->items[i], "id"));
	for (size_t i = 0; i < res->n_fails; i++)
		by_kw += res->fails[i].count;
	FUZZ_CHECK(by_kw == res->failed);
}

/* Write the tree as YAML and read it back. */
static void round_trip(const struct ynode *root, struct diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct ynode *back;

	if (!f)
		return;
	ytree_write(f, root, 0);
	fclose(f);
	back = ytree_load_buffer("back.yaml", text, len, d);
	FUZZ_CHECK(back != NULL);
	ytree_free(back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suri_result res;
	struct diag d;
	size_t lines = 1;

	diag_init(&d, NULL);
	d.quiet = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (suri_parse_buffer("fuzz.rules", (const char *)data, size, NULL, &res, &d) < 0) {
		suri_result_free(&res);
		return 0;
	}
	FUZZ_CHECK(res.parsed + res.failed + res.skipped <= lines);
	check_tree(&res);
	round_trip(res.root, &d);
	suri_result_free(&res);
	return 0;
}
