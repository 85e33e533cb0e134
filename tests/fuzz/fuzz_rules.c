/*
 * fuzz_rules.c - the YAML rule loader (sensor/detect/rules.h) on a rule
 * file's bytes, and the header match of whatever rules it accepted.
 *
 * Input: the whole input is the file. It is loaded twice into one ruleset
 * (the second time every id is a duplicate, so that error path runs over
 * every accepted rule and nothing may be added), then every rule's header
 * is matched against an IPv4 and an IPv6 TCP packet in both directions.
 *
 * Checked: the error count is what diag counted; the second load adds no
 * rule and reports at least one error per rule; a rule that loaded has its
 * required fields (id >= 1, a message) and at most RULE_MAX_PATTERNS
 * patterns. Messages are counted but not printed.
 */
#include <netinet/in.h>
#include <string.h>

#include "base/diag.h"
#include "detect/rules.h"
#include "fuzz.h"

static void check_rule(const struct rule *r)
{
	FUZZ_CHECK(r->pub.id >= 1);
	FUZZ_CHECK(r->msg); /* may be empty: a Suricata rule without msg: */
	FUZZ_CHECK(r->n_patterns <= RULE_MAX_PATTERNS);
	for (size_t i = 0; i < r->n_patterns; i++)
		fuzz_touch(r->patterns[i].bytes, r->patterns[i].len);
}

static void match_headers(const struct ruleset *rs)
{
	struct ids_packet p[2];

	memset(p, 0, sizeof(p));
	p[0].ip_version = 4;
	p[0].src = (struct ids_addr){.family = 4, .bytes = {198, 18, 0, 1}};
	p[0].dst = (struct ids_addr){.family = 4, .bytes = {10, 1, 2, 3}};
	p[1].ip_version = 6;
	p[1].src = (struct ids_addr){.family = 6, .bytes = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
	p[1].dst = (struct ids_addr){.family = 6, .bytes = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
	for (int i = 0; i < 2; i++) {
		p[i].proto = IPPROTO_TCP;
		p[i].sport = 40000;
		p[i].dport = 80;
	}
	for (size_t i = 0; i < rs->n; i++)
		for (int k = 0; k < 4; k++) {
			p[k & 1].direction = (uint8_t)(k >> 1);
			(void)rule_header_match(rs->rules[i], &p[k & 1]);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset rs;
	struct diag d;
	unsigned errors;
	size_t n;

	diag_init(&d, NULL);
	d.quiet = 1;
	ruleset_init(&rs);
	errors = ruleset_load_buffer(&rs, "fuzz.yaml", (const char *)data, size, "signature", &d);
	FUZZ_CHECK(errors == d.errors);
	n = rs.n;
	for (size_t i = 0; i < rs.n; i++) {
		FUZZ_CHECK(rs.rules[i]->pub.priv == rs.rules[i]);
		check_rule(rs.rules[i]);
	}
	errors = ruleset_load_buffer(&rs, "again.yaml", (const char *)data, size, "signature", &d);
	FUZZ_CHECK(rs.n == n && errors >= n);
	match_headers(&rs);
	ruleset_free(&rs);
	return 0;
}
