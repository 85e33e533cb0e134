/*
 * test_rule_stream_size.c - Suricata's stream_size: the option text (sides,
 * operators, numbers, spaces, every error's message), the YAML key through
 * the rule loader, the .rules keyword, and the match without a session
 * (non-TCP packets never match; the opening SYN counts one for the client).
 * Matches on real sessions: tests/integration/test_stream_size.c.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/yaml_tree.h"
#include "detect/rule_keys.h"
#include "detect/rules.h"
#include "detect/rules_suricata.h"
#include "flow/flow.h"

static struct rule_ssize z;
static char err[200];

static int parse(const char *text)
{
	err[0] = '\0';
	return rule_ssize_parse(text, &z, err, sizeof(err));
}

Test(rule_stream_size, sides_operators_and_spaces)
{
	cr_assert_eq(parse("client,<,100"), 0, "%s", err);
	cr_expect(z.on);
	cr_expect_eq(z.side, SSIZE_CLIENT);
	cr_expect_eq(z.test.op, CMP_LT);
	cr_expect_eq(z.test.a, 100);
	cr_assert_eq(parse(" server , >= , 4294967295 "), 0, "%s", err);
	cr_expect_eq(z.side, SSIZE_SERVER);
	cr_expect_eq(z.test.op, CMP_GE);
	cr_expect_eq(z.test.a, 4294967295u);
	cr_assert_eq(parse("both,!=,0"), 0, "%s", err);
	cr_expect_eq(z.side, SSIZE_BOTH);
	cr_expect_eq(z.test.op, CMP_NE);
	cr_assert_eq(parse("either,=,1"), 0, "%s", err);
	cr_expect_eq(z.side, SSIZE_EITHER);
	cr_expect_eq(z.test.op, CMP_EQ);
	cr_assert_eq(parse("client,<=,5"), 0);
	cr_expect_eq(z.test.op, CMP_LE);
	cr_assert_eq(parse("client,>,5"), 0);
	cr_expect_eq(z.test.op, CMP_GT);
}

Test(rule_stream_size, errors_say_what_is_wrong)
{
	cr_expect_eq(parse("clients,<,1"), -1);
	cr_expect_str_eq(err, "side 'clients' must be one of client, server, both, either");
	cr_expect_eq(parse("client,=>,1"), -1);
	cr_expect_str_eq(err, "operator '=>' must be one of =, !=, <, <=, >, >=");
	cr_expect_eq(parse("client,<,1x"), -1);
	cr_expect_str_eq(err, "'1x' is not a number");
	cr_expect_eq(parse("client,<"), -1);
	cr_expect_str_eq(err, "expected <client|server|both|either>,<op>,<number>, got 'client,<'");
	cr_expect_eq(parse("client,<,1,2"), -1);
	cr_expect_eq(parse(""), -1);
	cr_expect_eq(parse("client,<,4294967296"), -1);
	cr_expect_eq(parse("client,<,99999999999999999999999999"), -1);
	cr_expect_not(z.on);
}

/* Every prefix of a valid text is refused or parsed, never more. */
Test(rule_stream_size, prefixes_never_crash)
{
	static const char full[] = "either , != , 123";
	char buf[sizeof(full)];

	for (size_t n = 0; n < sizeof(full); n++) {
		memcpy(buf, full, n);
		buf[n] = '\0';
		(void)parse(buf);
	}
	cr_expect_eq(parse(full), 0);
}

static struct ids_packet tcp_packet(uint8_t flags, uint8_t dir)
{
	struct ids_packet p;

	memset(&p, 0, sizeof(p));
	p.proto = IPPROTO_TCP;
	p.tcp_flags = flags;
	p.direction = dir;
	p.pkt_src = IDS_PKT_SRC_WIRE;
	return p;
}

Test(rule_stream_size, without_a_session)
{
	struct flow f;
	struct ids_packet syn = tcp_packet(IDS_TCP_SYN, IDS_DIR_TO_SERVER);
	struct ids_packet ack = tcp_packet(IDS_TCP_ACK, IDS_DIR_TO_SERVER);
	struct ids_packet udp = syn;

	memset(&f, 0, sizeof(f));
	udp.proto = IPPROTO_UDP;
	cr_assert_eq(parse("client,=,1"), 0);
	cr_expect(rule_ssize_match(&z, &f, &syn));
	cr_expect(rule_ssize_match(&z, NULL, &syn));
	cr_expect_not(rule_ssize_match(&z, &f, &ack));
	cr_expect_not(rule_ssize_match(&z, &f, &udp));
	cr_assert_eq(parse("server,<,5"), 0);
	cr_expect(rule_ssize_match(&z, &f, &syn));
	cr_assert_eq(parse("both,=,1"), 0);
	cr_expect_not(rule_ssize_match(&z, &f, &syn));
	cr_assert_eq(parse("either,=,0"), 0);
	cr_expect(rule_ssize_match(&z, &f, &syn));
}

static struct diag d;
static FILE *mem;
static char *membuf;
static size_t memlen;

static void open_diag(void)
{
	mem = open_memstream(&membuf, &memlen);
	diag_init(&d, mem);
}

static const char *out(void)
{
	fflush(mem);
	return membuf ? membuf : "";
}

static void close_diag(void)
{
	fclose(mem);
	free(membuf);
	membuf = NULL;
}

Test(rule_stream_size, yaml_key_and_its_errors, .init = open_diag, .fini = close_diag)
{
	static const char text[] = "rules:\n"
				   "  - {id: 1, msg: x, proto: tcp, stream_size: 'client,<,100',"
				   " patterns: [{content: abc}]}\n"
				   "  - {id: 2, msg: x, proto: tcp, stream_size: 'client,<<,100'}\n"
				   "  - {id: 3, msg: x, proto: tcp, stream_size: {a: 1}}\n";
	struct ruleset rs;

	ruleset_init(&rs);
	cr_expect_eq(ruleset_load_buffer(&rs, "r.yaml", text, strlen(text), "signature", &d), 2);
	cr_assert_eq(rs.n, 1);
	cr_assert_not_null(rs.rules[0]->keys);
	cr_assert_eq(rs.rules[0]->keys->n_ssize, 1);
	cr_expect(rs.rules[0]->keys->ssize[0].on);
	cr_expect_eq(rs.rules[0]->scope, RULE_SCOPE_STREAM);
	cr_expect(strstr(out(), "r.yaml:3:46: error: rule 2: stream_size: operator '<<' must be "
				"one of =, !=, <, <=, >, >=\n") != NULL,
		  "%s", out());
	cr_expect(strstr(out(), "r.yaml:4:46: error: rule 3: stream_size takes a single value, got "
				"a collection\n") != NULL,
		  "%s", out());
	ruleset_free(&rs);
}

Test(rule_stream_size, suricata_keyword_becomes_the_key, .init = open_diag, .fini = close_diag)
{
	static const char text[] = "alert tcp-pkt any any -> any any (msg:\"s\"; flow:to_server; "
				   "stream_size:server,<,5; stream_size: client , > , 1; "
				   "content:\"x\"; sid:7;)\n";
	struct suri_result res;
	const struct ynode *r;

	memset(&res, 0, sizeof(res));
	cr_assert_eq(suri_parse_buffer("t.rules", text, strlen(text), NULL, &res, &d), 0);
	cr_assert_eq(res.parsed, 1, "%s", out());
	r = ymap_get(res.root, "rules")->items[0];
	cr_assert_eq(ymap_get(r, "stream_size")->n, 2);
	cr_expect_str_eq(ymap_get(r, "stream_size")->items[0]->str, "server,<,5");
	cr_expect_str_eq(ymap_get(r, "stream_size")->items[1]->str, "client , > , 1");
	suri_result_free(&res);
}
