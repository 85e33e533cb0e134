/*
 * fuzz_classification.c - the classification file reader behind
 * `classtype:` (sensor/detect/rule_class.c) on a file's bytes, then the
 * header keyword parsers (sensor/detect/rule_header.c) on its lines.
 *
 * Input: the whole input is the classification file. It is loaded with
 * rule_class_load_buffer; each line (up to 200 bytes) is also handed to
 * rule_num_parse for every field, rule_flags_parse and rule_fragbits_parse,
 * and a test that parsed is evaluated on a few values.
 *
 * Checked: a load that succeeded finds every class name it accepted with a
 * priority 1..255; a parse that failed wrote a message; the table is freed
 * before returning.
 */
#include <string.h>

#include "base/diag.h"
#include "detect/rule_keys.h"
#include "fuzz.h"

static void check_classes(const uint8_t *data, size_t size)
{
	static const char key[] = "config classification:";
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *c;
		const char *le = nl ? nl : end, *desc;
		char name[64];
		int prio;

		c = p + sizeof(key) - 1;
		if ((size_t)(le - p) > sizeof(key) && memcmp(p, key, sizeof(key) - 1) == 0) {
			while (c < le && (*c == ' ' || *c == '\t'))
				c++;
			const char *comma = memchr(c, ',', (size_t)(le - c));
			if (comma && comma - c > 0 && comma - c < (long)sizeof(name)) {
				memcpy(name, c, (size_t)(comma - c));
				name[comma - c] = 0;
				if (rule_class_find(name, &desc, &prio))
					FUZZ_CHECK(prio >= 1 && prio <= 255 && desc);
			}
		}
		p = le + 1;
	}
}

static void parse_line(const char *line)
{
	char err[256];
	struct rule_num_test t;
	struct rule_bits_test b;

	for (int f = 0; f < HF_COUNT; f++) {
		err[0] = 0;
		if (rule_num_parse(line, (enum rule_hfield)f, &t, err, sizeof(err)) == 0) {
			(void)rule_num_eval(&t, 0);
			(void)rule_num_eval(&t, t.a);
			(void)rule_num_eval(&t, UINT32_MAX);
		} else {
			FUZZ_CHECK(err[0]);
		}
	}
	err[0] = 0;
	if (rule_flags_parse(line, &b, err, sizeof(err)) == 0)
		(void)rule_bits_eval(&b, 0x12);
	else
		FUZZ_CHECK(err[0]);
	err[0] = 0;
	if (rule_fragbits_parse(line, &b, err, sizeof(err)) == 0)
		(void)rule_bits_eval(&b, 0x4000);
	else
		FUZZ_CHECK(err[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	const uint8_t *p = data, *end = data + size;

	diag_init(&d, NULL);
	d.quiet = true;
	if (rule_class_load_buffer("fuzz.config", (const char *)data, size, &d) == 0)
		check_classes(data, size);
	else
		FUZZ_CHECK(d.errors > 0);
	rule_class_free();
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char line[201];

		if (n > 200)
			n = 200;
		memcpy(line, p, n);
		line[n] = 0;
		parse_line(line);
		p = nl ? nl + 1 : end;
	}
	return 0;
}
