/*
 * test_os_policy.c - policy names and the per-destination lookup.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "base/os_policy.h"

static struct ids_addr addr(const char *s)
{
	struct ids_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = 6;
	return a;
}

static struct os_policy_net net(const char *cidr, enum os_policy p)
{
	struct os_policy_net n = {.policy = p};
	char err[128];

	cr_assert_eq(addr_block_parse(cidr, &n.net, err, sizeof(err)), 0, "%s", err);
	return n;
}

Test(os_policy, names_round_trip)
{
	enum os_policy p;

	for (unsigned i = 0; i < OS_POLICY_COUNT; i++) {
		cr_assert_eq(os_policy_parse(os_policy_name((enum os_policy)i), &p), 0);
		cr_assert_eq(p, (enum os_policy)i);
	}
	cr_assert_eq(os_policy_parse("beos", &p), -1);
	cr_assert_str_eq(os_policy_name(OS_POLICY_OLD_LINUX), "old-linux");
	cr_assert_str_eq(os_policy_names(),
			 "first, last, bsd, bsd-right, linux, old-linux, windows, vista, solaris");
}

Test(os_policy, most_specific_network_wins)
{
	struct os_policy_net nets[] = {
		net("198.18.0.0/16", OS_POLICY_WINDOWS),
		net("198.18.1.0/24", OS_POLICY_LINUX),
		net("198.18.1.7", OS_POLICY_LAST),
		net("2001:db8:10::/48", OS_POLICY_SOLARIS),
	};
	struct os_policy_map m = {OS_POLICY_FIRST, nets, 4};
	struct ids_addr a;

	a = addr("198.18.2.1");
	cr_assert_eq(os_policy_lookup(&m, &a), OS_POLICY_WINDOWS);
	a = addr("198.18.1.1");
	cr_assert_eq(os_policy_lookup(&m, &a), OS_POLICY_LINUX);
	a = addr("198.18.1.7");
	cr_assert_eq(os_policy_lookup(&m, &a), OS_POLICY_LAST);
	a = addr("198.19.0.1");
	cr_assert_eq(os_policy_lookup(&m, &a), OS_POLICY_FIRST);
	a = addr("2001:db8:10:ffff::1");
	cr_assert_eq(os_policy_lookup(&m, &a), OS_POLICY_SOLARIS);
	a = addr("2001:db8:11::1");
	cr_assert_eq(os_policy_lookup(&m, &a), OS_POLICY_FIRST);
	cr_assert_eq(os_policy_lookup(NULL, &a), OS_POLICY_BSD);
}
