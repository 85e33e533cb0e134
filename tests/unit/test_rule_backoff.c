/*
 * test_rule_backoff.c - threshold type backoff (detect/rule_backoff.c):
 * alerts on the count-th match of a flow, then at count * multiplier^n;
 * counted per flow and per rule; the key's errors.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "detect/rule_keys.h"
#include "detect/rules.h"
#include "flow/flow.h"

static struct diag d;
static FILE *mem;
static char *membuf;
static size_t memlen;
static struct ruleset rs;
static struct flow flow, flow2;
static struct flow *cur;
static struct rule_alert_ctx ctx;

static void setup(void)
{
	mem = open_memstream(&membuf, &memlen);
	diag_init(&d, mem);
	ruleset_init(&rs);
	memset(&flow, 0, sizeof(flow));
	memset(&flow2, 0, sizeof(flow2));
	memset(&ctx, 0, sizeof(ctx));
	cur = &flow;
	rule_keys_bind_flow(&cur);
}

static void teardown(void)
{
	rule_flow_state_free(&flow);
	rule_flow_state_free(&flow2);
	rule_keys_bind_flow(NULL);
	ruleset_free(&rs);
	fclose(mem);
	free(membuf);
}

TestSuite(rule_backoff, .init = setup, .fini = teardown);

static const char *out(void)
{
	fflush(mem);
	return membuf ? membuf : "";
}

static unsigned load(const char *text)
{
	return ruleset_load_buffer(&rs, "r.yaml", text, strlen(text), "signature", &d);
}

/* Matches 1..n of rule i on flow f: a bit per match that alerted. */
static uint64_t run(size_t i, struct flow *f, unsigned n)
{
	struct ids_packet p;
	uint64_t bits = 0;

	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.proto = IPPROTO_TCP;
	for (unsigned m = 1; m <= n; m++)
		if (rule_alert_filter(&ctx, f, &p, &rs.rules[i]->pub))
			bits |= UINT64_C(1) << (m - 1);
	return bits;
}

#define BIT(m) (UINT64_C(1) << ((m)-1))

Test(rule_backoff, count_1_multiplier_2_alerts_at_powers_of_two)
{
	cr_assert_eq(load("rules:\n  - {id: 1, msg: x, threshold: {type: backoff, track: by_flow, "
			  "count: 1, multiplier: 2}}\n"),
		     0, "%s", out());
	cr_expect_eq(run(0, &flow, 40), BIT(1) | BIT(2) | BIT(4) | BIT(8) | BIT(16) | BIT(32));
	cr_expect_eq(ctx.n.thresholded, 34);
}

Test(rule_backoff, count_5_multiplier_5_and_per_flow_per_rule)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, threshold: {type: backoff, track: by_flow, "
			  "count: 5, multiplier: 5}}\n"
			  "  - {id: 2, msg: y, threshold: {type: backoff, track: by_flow, "
			  "count: 1, multiplier: 10}}\n"),
		     0, "%s", out());
	cr_expect_eq(run(0, &flow, 30), BIT(5) | BIT(25));
	cr_expect_eq(run(1, &flow, 12), BIT(1) | BIT(10));
	cr_expect_eq(run(0, &flow2, 6), BIT(5));	/* another flow counts anew */
	cr_expect_eq(run(0, NULL, 2), BIT(1) | BIT(2)); /* no flow: every match alerts */
}

Test(rule_backoff, multiplier_1_alerts_once)
{
	cr_assert_eq(load("rules:\n  - {id: 1, msg: x, threshold: {type: backoff, track: by_flow, "
			  "count: 3, multiplier: 1}}\n"),
		     0);
	cr_expect_eq(run(0, &flow, 10), BIT(3));
}

Test(rule_backoff, key_errors)
{
	cr_assert_eq(load("rules:\n"
			  "  - {id: 1, msg: x, threshold: {type: backoff, track: by_src, count: 1, "
			  "multiplier: 2}}\n"
			  "  - {id: 2, msg: x, threshold: {type: limit, track: by_flow, count: 1, "
			  "seconds: 2}}\n"
			  "  - {id: 3, msg: x, threshold: {type: limit, track: by_src, count: 1, "
			  "seconds: 2, multiplier: 2}}\n"),
		     3);
	cr_expect_eq(rs.n, 0);
	cr_expect_not_null(strstr(out(), "threshold type backoff needs track by_flow, count and "
					 "multiplier (no seconds)"),
			   "%s", out());
	cr_expect_not_null(strstr(out(), "track by_flow is for threshold type backoff only"));
	cr_expect_not_null(strstr(out(), "multiplier is for threshold type backoff only"));
}
