/*
 * os_policy.c - target-based reassembly policies (see os_policy.h).
 */
#include "base/os_policy.h"

#include <string.h>

static const char *const policy_names[OS_POLICY_COUNT] = {
	[OS_POLICY_FIRST] = "first",	 [OS_POLICY_LAST] = "last",
	[OS_POLICY_BSD] = "bsd",	 [OS_POLICY_BSD_RIGHT] = "bsd-right",
	[OS_POLICY_LINUX] = "linux",	 [OS_POLICY_OLD_LINUX] = "old-linux",
	[OS_POLICY_WINDOWS] = "windows", [OS_POLICY_VISTA] = "vista",
	[OS_POLICY_SOLARIS] = "solaris",
};

const char *os_policy_name(enum os_policy p)
{
	return (unsigned)p < OS_POLICY_COUNT ? policy_names[p] : "unknown";
}

int os_policy_parse(const char *name, enum os_policy *out)
{
	for (unsigned i = 0; i < OS_POLICY_COUNT; i++) {
		if (strcmp(name, policy_names[i]) == 0) {
			*out = (enum os_policy)i;
			return 0;
		}
	}
	return -1;
}

const char *os_policy_names(void)
{
	return "first, last, bsd, bsd-right, linux, old-linux, windows, vista, solaris";
}

static bool net_holds(const struct addr_block *b, const struct ids_addr *a)
{
	unsigned full = b->prefix / 8, rest = b->prefix % 8;

	if (b->family != a->family)
		return false;
	if (memcmp(b->bytes, a->bytes, full) != 0)
		return false;
	return rest == 0 || ((a->bytes[full] ^ b->bytes[full]) & (0xff00 >> rest) & 0xff) == 0;
}

enum os_policy os_policy_lookup(const struct os_policy_map *m, const struct ids_addr *dst)
{
	enum os_policy best;
	int best_prefix = -1;

	if (!m)
		return OS_POLICY_BSD;
	best = m->def;
	for (size_t i = 0; i < m->n; i++) {
		const struct os_policy_net *n = &m->nets[i];

		if ((int)n->net.prefix > best_prefix && net_holds(&n->net, dst)) {
			best = n->policy;
			best_prefix = n->net.prefix;
		}
	}
	return best;
}
