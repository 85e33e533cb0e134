/*
 * json_read.h - a small JSON reader for the tests: parse eve.json and ask
 * for fields by dotted path ("alert.signature_id", "vlan.0").
 *
 * Strict RFC 8259 parsing, so a malformed EVE line fails the test that
 * reads it. Test code only; not used by the sensor.
 */
#ifndef TESTS_JSON_READ_H
#define TESTS_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jr_type { JR_NULL, JR_BOOL, JR_NUM, JR_STR, JR_ARR, JR_OBJ };

struct jr_val {
	enum jr_type type;
	bool b;
	double num;
	char *text;	       /* JR_NUM: the number as written; JR_STR: decoded bytes */
	size_t len;	       /* JR_STR: decoded length */
	char **keys;	       /* JR_OBJ */
	struct jr_val **items; /* JR_OBJ values / JR_ARR items */
	size_t n;
};

/* Parse one JSON text; NULL when it is not valid JSON. */
struct jr_val *jr_parse(const char *text, size_t len);
void jr_free(struct jr_val *v);

/* The value at a dotted path ("a.b.0.c"); NULL when absent. */
const struct jr_val *jr_get(const struct jr_val *v, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *jr_str(const struct jr_val *v, const char *path);
/* The integer at path, or `dflt` when absent or not a number. */
int64_t jr_int(const struct jr_val *v, const char *path, int64_t dflt);
/* The value as text: strings as they are, numbers as written, true/false/null. */
const char *jr_text(const struct jr_val *v);

/* Every line of an eve.json file. */
struct eve_log {
	struct jr_val **recs;
	size_t n;
	size_t bad_lines; /* lines that were not valid JSON objects */
};

/* Read `path`; returns -1 when it cannot be read. */
int eve_load(struct eve_log *log, const char *path);
void eve_free(struct eve_log *log);
/*
 * Records matching a filter: space-separated "path=value" terms, all of
 * which must hold (value compared with jr_text), e.g.
 * "event_type=alert alert.signature_id=1001".
 */
size_t eve_count(const struct eve_log *log, const char *filter);
/* The nth (0-based) matching record, or NULL. */
const struct jr_val *eve_find(const struct eve_log *log, const char *filter, size_t nth);

/* An address as EVE writes it by default (`ipv6-format: expanded`):
 * IPv6 text ("2001:db8::1") in Suricata's expanded form
 * ("2001:0db8:0000:0000:0000:0000:0000:0001"), anything else as given.
 * The result lives in one of 8 static buffers used in turn (valid until
 * the 8th next call; not thread-safe: tests call it from one thread). */
const char *eve_ip(const char *text);

#endif
