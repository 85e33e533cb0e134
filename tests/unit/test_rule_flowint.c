/*
 * test_rule_flowint.c - Suricata's flowint: the option text (operators,
 * values, variable targets, every error's message) and the variables of a
 * flow (+ on an unset variable starts it, - on one does nothing,
 * comparisons need the variable set, isset/notset, another variable as the
 * value, wrap-around at 2^32, freed with the flow's detect state).
 * Rules end to end: tests/integration/test_flowint.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "detect/rule_keys.h"
#include "flow/flow.h"

static struct rule_fi_op op;
static char err[300];
static struct flow f;

static void teardown(void)
{
	rule_flow_state_free(&f);
	memset(&f, 0, sizeof(f));
}

TestSuite(rule_flowint, .fini = teardown);

static int parse(const char *text)
{
	err[0] = '\0';
	return rule_fi_parse(text, &op, err, sizeof(err));
}

static void run(const char *text)
{
	cr_assert_eq(parse(text), 0, "%s: %s", text, err);
	rule_fi_apply(&op, &f);
}

static bool check(const char *text)
{
	cr_assert_eq(parse(text), 0, "%s: %s", text, err);
	return rule_fi_check(&op, &f);
}

Test(rule_flowint, options)
{
	cr_assert_eq(parse("ET.infostealer.dll.download, +, 1"), 0, "%s", err);
	cr_expect_eq(op.op, FI_ADD);
	cr_expect_eq(op.value, 1);
	cr_expect_not(op.value_is_var);
	cr_assert_eq(parse("a,>=,other"), 0, "%s", err);
	cr_expect_eq(op.op, FI_GE);
	cr_expect(op.value_is_var);
	cr_assert_eq(parse(" a , isset "), 0, "%s", err);
	cr_expect_eq(op.op, FI_ISSET);
	cr_assert_eq(parse("a,notset"), 0);
	cr_expect_eq(op.op, FI_ISNOTSET);
	cr_assert_eq(parse("a,isnotset"), 0);
	cr_expect_eq(op.op, FI_ISNOTSET);
	cr_assert_eq(parse("a,=,4294967295"), 0);
	cr_expect_eq(op.value, 4294967295u);
}

Test(rule_flowint, bad_options)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"", "expected a name (a letter, then letters, digits, '_', '.'), got ''"},
		{"1a,+,1",
		 "expected a name (a letter, then letters, digits, '_', '.'), got '1a,+,1'"},
		{"a", "an operator must follow the name"},
		{"a,*,1", "operator '*' must be one of =, +, -, ==, !=, <, <=, >, >=, isset, "
			  "notset, isnotset"},
		{"a,+", "'+' needs a value"},
		{"a,+,4294967296", "value '4294967296' must be 0..4294967295 or a flowint name"},
		{"a,+,-1", "value '-1' must be 0..4294967295 or a flowint name"},
		{"a,isset,1", "isset takes no value"},
		{"a,+,1,2", "unexpected '2' after the value"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(parse(cases[i].text), -1, "%s", cases[i].text);
		cr_expect_str_eq(err, cases[i].msg, "%s", cases[i].text);
	}
}

Test(rule_flowint, variables_of_a_flow)
{
	cr_expect(check("n,notset"));
	cr_expect_not(check("n,isset"));
	cr_expect_not(check("n,!=,5")); /* comparisons need the variable */
	run("n,-,1");			/* nothing to subtract from */
	cr_expect(check("n,notset"));
	run("n,+,2"); /* starts at 2 */
	cr_expect(check("n,isset"));
	cr_expect(check("n,==,2"));
	run("n,+,3");
	cr_expect(check("n,==,5"));
	cr_expect(check("n,>,4"));
	cr_expect(check("n,>=,5"));
	cr_expect(check("n,<,6"));
	cr_expect(check("n,<=,5"));
	cr_expect(check("n,!=,4"));
	run("n,-,1");
	cr_expect(check("n,==,4"));
	cr_expect(check("n,>,m")); /* m not set: 0 */
	run("m,=,4");
	cr_expect(check("n,==,m"));
	run("n,-,n"); /* its own value */
	cr_expect(check("n,==,0"));
	run("n,-,1"); /* wraps */
	cr_expect(check("n,==,4294967295"));
	for (int i = 0; i < 20; i++) { /* many variables: the array grows */
		char t[32];

		snprintf(t, sizeof(t), "v%d,=,%d", i, i);
		run(t);
	}
	cr_expect(check("v19,==,19"));
	cr_expect(check("v0,==,0"));
	cr_expect(check("m,==,4"));
}

Test(rule_flowint, without_a_flow)
{
	cr_assert_eq(parse("n,notset"), 0);
	cr_expect(rule_fi_check(&op, NULL));
	cr_assert_eq(parse("n,+,1"), 0);
	rule_fi_apply(&op, NULL);
}
