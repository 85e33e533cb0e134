/*
 * Unit tests for plugins/portscan/portscan_track.c: distinct ports and
 * hosts per source and window, alerts once per window, LRU eviction and
 * expiry in a table of fixed capacity.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "portscan_track.h"

#define SEC 1000000LL
#define T0  (1795000000LL * SEC)

static struct ids_addr ip(const char *text)
{
	struct ids_addr a;

	memset(&a, 0, sizeof(a));
	if (strchr(text, ':')) {
		a.family = 6;
		cr_assert_eq(inet_pton(AF_INET6, text, a.bytes), 1);
	} else {
		a.family = 4;
		cr_assert_eq(inet_pton(AF_INET, text, a.bytes), 1);
	}
	return a;
}

/* 198.18.0.0/15 address number n. */
static struct ids_addr ip4_n(uint32_t n)
{
	struct ids_addr a;
	uint32_t be = htonl((198u << 24 | 18u << 16) + n);

	memset(&a, 0, sizeof(a));
	a.family = 4;
	memcpy(a.bytes, &be, 4);
	return a;
}

static struct ps_table *table(uint32_t ports, uint32_t hosts, int64_t window_sec, uint32_t max)
{
	struct ps_config c = {ports, hosts, window_sec * SEC, max, 42};
	struct ps_table *t = ps_table_new(&c);

	cr_assert_not_null(t);
	return t;
}

/* `src` sends to ports first .. first+n-1 of dst; returns the OR of hits
 * and counts the calls that returned something in *calls_hit. */
static unsigned sweep_ports(struct ps_table *t, const char *src, const char *dst, uint16_t first,
			    unsigned n, int64_t now, unsigned *calls_hit)
{
	struct ids_addr s = ip(src), d = ip(dst);
	unsigned all = 0, h;

	for (unsigned i = 0; i < n; i++) {
		h = ps_track(t, &s, &d, (uint16_t)(first + i), now);
		all |= h;
		if (calls_hit && h)
			(*calls_hit)++;
	}
	return all;
}

Test(portscan_track, rejects_bad_configs)
{
	struct ps_config ok = {20, 20, 60 * SEC, 1000, 1};
	struct ps_config c;

	cr_expect_gt(ps_table_bytes(&ok), 0);
	c = ok, c.max_ports = 0;
	cr_expect_eq(ps_table_bytes(&c), 0);
	c = ok, c.max_hosts = PS_MAX_THRESHOLD + 1;
	cr_expect_eq(ps_table_bytes(&c), 0);
	c = ok, c.max_sources = 0;
	cr_expect_eq(ps_table_bytes(&c), 0);
	c = ok, c.max_sources = PS_MAX_SOURCES + 1;
	cr_expect_eq(ps_table_bytes(&c), 0);
	c = ok, c.window_usec = 0;
	cr_expect_eq(ps_table_bytes(&c), 0);
	cr_expect_null(ps_table_new(&c));
}

Test(portscan_track, default_table_is_bounded)
{
	struct ps_config c = {20, 20, 60 * SEC, 65536, 1};

	/* 65,536 sources with both sets of 32 slots: under 16 MiB a worker. */
	cr_expect_lt(ps_table_bytes(&c), (size_t)16 << 20);
	cr_expect_gt(ps_table_bytes(&c), (size_t)65536 * (32 * 2 + 32 * 4));
}

Test(portscan_track, the_21st_distinct_port_crosses_20)
{
	struct ps_table *t = table(20, 20, 60, 100);
	unsigned calls = 0;

	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 1000, 20, T0, &calls), 0);
	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 1020, 1, T0, &calls), PS_HIT_PORTS);
	cr_expect_eq(calls, 1);
	cr_expect_eq(ps_table_stats(t)->port_alerts, 1);
	cr_expect_eq(ps_table_stats(t)->host_alerts, 0);
	ps_table_free(t);
}

Test(portscan_track, one_alert_per_source_per_window)
{
	struct ps_table *t = table(20, 20, 60, 100);
	unsigned calls = 0;

	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 1, 50, T0, &calls), PS_HIT_PORTS);
	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 100, 500, T0 + 30 * SEC, &calls),
		     0);
	cr_expect_eq(calls, 1);
	cr_expect_eq(ps_table_stats(t)->events, 550);
	ps_table_free(t);
}

Test(portscan_track, repeats_of_one_port_count_once)
{
	struct ps_table *t = table(5, 5, 60, 100);
	unsigned calls = 0;

	for (int i = 0; i < 100; i++)
		sweep_ports(t, "198.18.0.1", "198.18.1.1", 80, 1, T0 + i, &calls);
	/* 80 and 81..84, four times over: 5 distinct ports, not more than 5. */
	for (int i = 0; i < 4; i++)
		sweep_ports(t, "198.18.0.1", "198.18.1.1", 81, 4, T0 + 200 + i, &calls);
	cr_expect_eq(calls, 0);
	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 85, 1, T0 + 300, &calls),
		     PS_HIT_PORTS);
	ps_table_free(t);
}

Test(portscan_track, many_hosts_on_one_port)
{
	struct ps_table *t = table(20, 20, 60, 100);
	struct ids_addr s = ip("198.18.0.2");
	unsigned hits = 0, at = 0;

	for (uint32_t i = 1; i <= 30; i++) {
		struct ids_addr d = ip4_n(0x100 + i);
		unsigned h = ps_track(t, &s, &d, 161, T0 + i);

		if (h) {
			hits++;
			at = i;
			cr_expect_eq(h, PS_HIT_HOSTS);
		}
	}
	cr_expect_eq(hits, 1);
	cr_expect_eq(at, 21);
	ps_table_free(t);
}

Test(portscan_track, ipv6_hosts_and_sources)
{
	struct ps_table *t = table(20, 3, 60, 100);
	struct ids_addr s = ip("2001:db8::66");
	const char *dsts[] = {"2001:db8:1::1", "2001:db8:1::2", "2001:db8:1::3", "2001:db8:1::3",
			      "2001:db8:1::4"};
	unsigned h = 0;

	for (int i = 0; i < 4; i++) {
		struct ids_addr d = ip(dsts[i]);

		cr_expect_eq(ps_track(t, &s, &d, 22, T0), 0);
	}
	{
		struct ids_addr d = ip(dsts[4]);

		h = ps_track(t, &s, &d, 22, T0);
	}
	cr_expect_eq(h, PS_HIT_HOSTS);
	cr_expect_eq(ps_table_count(t), 1);
	ps_table_free(t);
}

Test(portscan_track, port_zero_and_host_zero_are_values)
{
	struct ps_table *t = table(1, 1, 60, 10);
	struct ids_addr s = ip("198.18.0.1"), zero = ip("0.0.0.0"), d = ip("198.18.1.1");

	cr_expect_eq(ps_track(t, &s, &zero, 0, T0), 0);
	cr_expect_eq(ps_track(t, &s, &zero, 0, T0), 0);
	cr_expect_eq(ps_track(t, &s, &d, 1, T0), PS_HIT_PORTS | PS_HIT_HOSTS);
	ps_table_free(t);
}

Test(portscan_track, a_new_window_counts_again)
{
	struct ps_table *t = table(20, 20, 60, 100);
	unsigned calls = 0;

	sweep_ports(t, "198.18.0.1", "198.18.1.1", 1, 30, T0, &calls);
	/* 59.999999 s later: still the first window. */
	sweep_ports(t, "198.18.0.1", "198.18.1.1", 100, 30, T0 + 60 * SEC - 1, &calls);
	cr_expect_eq(calls, 1);
	/* At 60 s the window restarts: 20 ports are not enough, 21 are. */
	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 1, 20, T0 + 60 * SEC, &calls), 0);
	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 21, 1, T0 + 61 * SEC, &calls),
		     PS_HIT_PORTS);
	cr_expect_eq(calls, 2);
	cr_expect_eq(ps_table_stats(t)->windows, 1);
	ps_table_free(t);
}

Test(portscan_track, full_table_evicts_least_recently_seen)
{
	struct ps_table *t = table(20, 20, 60, 3);
	struct ids_addr d = ip("198.18.1.1");
	struct ids_addr a = ip4_n(1), b = ip4_n(2), c = ip4_n(3), e = ip4_n(4);

	ps_track(t, &a, &d, 1, T0);
	ps_track(t, &b, &d, 1, T0 + 1);
	ps_track(t, &c, &d, 1, T0 + 2);
	ps_track(t, &a, &d, 2, T0 + 3); /* a is the most recent again */
	ps_track(t, &e, &d, 1, T0 + 4); /* evicts b */
	cr_expect_eq(ps_table_count(t), 3);
	cr_expect_eq(ps_table_stats(t)->evictions, 1);
	cr_expect_eq(ps_table_stats(t)->sources, 4);
	ps_track(t, &a, &d, 3, T0 + 5); /* still there: no new source */
	cr_expect_eq(ps_table_stats(t)->sources, 4);
	ps_track(t, &b, &d, 1, T0 + 6); /* gone: enters again, evicting c */
	cr_expect_eq(ps_table_stats(t)->sources, 5);
	cr_expect_eq(ps_table_stats(t)->evictions, 2);
	ps_track(t, &a, &d, 4, T0 + 7);
	cr_expect_eq(ps_table_stats(t)->sources, 5);
	ps_table_free(t);
}

Test(portscan_track, eviction_forgets_counts)
{
	struct ps_table *t = table(20, 20, 60, 2);
	struct ids_addr s = ip("198.18.0.9"), d = ip("198.18.1.1");
	struct ids_addr x = ip4_n(100), y = ip4_n(101);
	unsigned calls = 0;

	sweep_ports(t, "198.18.0.9", "198.18.1.1", 1, 20, T0, &calls);
	ps_track(t, &x, &d, 1, T0 + 1);
	ps_track(t, &y, &d, 1, T0 + 2); /* evicts 198.18.0.9 */
	cr_expect_eq(ps_track(t, &s, &d, 21, T0 + 3), 0);
	cr_expect_eq(calls, 0);
	ps_table_free(t);
}

Test(portscan_track, spoofed_flood_stays_in_the_table)
{
	struct ps_table *t = table(20, 20, 60, 1000);
	struct ids_addr d = ip("198.18.1.1");
	unsigned hits = 0;

	for (uint32_t i = 0; i < 100000; i++) {
		struct ids_addr s = ip4_n(1000 + i);

		hits |= ps_track(t, &s, &d, 80, T0 + i);
	}
	cr_expect_eq(hits, 0);
	cr_expect_eq(ps_table_count(t), 1000);
	cr_expect_eq(ps_table_stats(t)->sources, 100000);
	cr_expect_eq(ps_table_stats(t)->evictions, 99000);
	ps_table_free(t);
}

Test(portscan_track, expire_drops_sources_idle_a_whole_window)
{
	struct ps_table *t = table(20, 20, 60, 100);
	struct ids_addr d = ip("198.18.1.1");
	struct ids_addr a = ip4_n(1), b = ip4_n(2), c = ip4_n(3);

	ps_track(t, &a, &d, 1, T0);
	ps_track(t, &b, &d, 1, T0 + 10 * SEC);
	ps_track(t, &c, &d, 1, T0 + 20 * SEC);
	ps_track(t, &a, &d, 2, T0 + 30 * SEC);
	ps_expire(t, T0 + 70 * SEC - 1);
	cr_expect_eq(ps_table_count(t), 3);
	ps_expire(t, T0 + 70 * SEC); /* b: idle since T0 + 10 s */
	cr_expect_eq(ps_table_count(t), 2);
	ps_expire(t, T0 + 90 * SEC); /* a (30 s) and c (20 s) */
	cr_expect_eq(ps_table_count(t), 0);
	cr_expect_eq(ps_table_stats(t)->expired, 3);
	/* The table is usable after it emptied. */
	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 1, 21, T0 + 100 * SEC, NULL),
		     PS_HIT_PORTS);
	cr_expect_eq(ps_table_count(t), 1);
	ps_table_free(t);
}

Test(portscan_track, largest_thresholds_fill_their_sets)
{
	struct ps_table *t = table(PS_MAX_THRESHOLD, PS_MAX_THRESHOLD, 60, 2);
	unsigned calls = 0;

	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 1, PS_MAX_THRESHOLD, T0, &calls),
		     0);
	cr_expect_eq(sweep_ports(t, "198.18.0.1", "198.18.1.1", 60000, 3000, T0, &calls),
		     PS_HIT_PORTS);
	cr_expect_eq(calls, 1);
	ps_table_free(t);
}

Test(portscan_track, free_accepts_null)
{
	ps_table_free(NULL);
}
