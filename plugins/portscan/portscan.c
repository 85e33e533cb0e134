/*
 * portscan.c - a behavioural detector with no patterns: a source that
 * touches more than `ports` distinct destination ports, or more than
 * `hosts` distinct destination hosts, within `window` seconds raises the
 * plugin's own alert (sid 3400001 "portscan: many ports", 3400002
 * "portscan: many hosts"), once per source, kind and window.
 *
 * What counts: TCP SYNs without ACK (connection attempts) and, unless
 * `tcp-syn-only`, UDP datagrams. Replies, established traffic and ICMP are
 * not counted.
 *
 * State: options and the two alert rules are global, read-only after
 * init. Each worker owns a struct ps_table (portscan_track.c) of
 * `max-sources` entries, allocated once in thread_init: a flood of spoofed
 * sources evicts the least recently seen source (counted) and never
 * allocates. A flow's packets always reach the same worker, but one
 * source's flows may be spread over several workers, so with --threads N
 * each worker counts the flows it sees. Windows restart lazily on a
 * source's next event, and tick drops sources idle for a whole window.
 * Each worker reports its counters once, in thread_fini.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include <ids/plugin.h>
#include <ids/plugin_util.h>

#include "portscan_track.h"

#define PORTSCAN_SID_PORTS	 3400001u
#define PORTSCAN_SID_HOSTS	 3400002u
#define PORTSCAN_MAX_TABLE_BYTES ((size_t)1 << 30) /* per worker */

enum { OPT_PORTS = 0, OPT_HOSTS, OPT_WINDOW, OPT_MAX_SOURCES, OPT_TCP_SYN_ONLY, OPT_COUNT };

static const struct ids_option_def portscan_options[OPT_COUNT] = {
	[OPT_PORTS] = {"ports", IDS_OPT_INT, "20", 1, PS_MAX_THRESHOLD,
		       "alert when a source touches more distinct destination ports than this"},
	[OPT_HOSTS] = {"hosts", IDS_OPT_INT, "20", 1, PS_MAX_THRESHOLD,
		       "alert when a source touches more distinct destination hosts than this"},
	[OPT_WINDOW] = {"window", IDS_OPT_INT, "60", 1, 86400,
			"seconds from a source's first counted packet in which it is counted"},
	[OPT_MAX_SOURCES] = {"max-sources", IDS_OPT_INT, "65536", 1, PS_MAX_SOURCES,
			     "sources tracked per worker; the least recently seen is evicted"},
	[OPT_TCP_SYN_ONLY] = {"tcp-syn-only", IDS_OPT_BOOL, "false", 0, 0,
			      "count TCP SYNs only, not UDP datagrams"},
};

/* Its counters in stats records (plugins.portscan.*), struct ps_stats'
 * members in order. */
static const char *const ps_counter_names[] = {"packets", "sources",	 "evicted",    "expired",
					       "windows", "port_alerts", "host_alerts"};
#define PS_COUNTERS (sizeof(ps_counter_names) / sizeof(ps_counter_names[0]))
_Static_assert(sizeof(struct ps_stats) == PS_COUNTERS * sizeof(uint64_t),
	       "a ps_stats member without a counter name");

struct portscan_global {
	const struct ids_services *svc;
	int counters; /* the host has the counter services (ABI 1.3) */
	int counter_id[PS_COUNTERS];
	struct ps_config cfg; /* seed set per worker */
	int tcp_syn_only;
	struct ids_rule ports_rule, hosts_rule; /* the plugin's own signatures */
};

struct portscan_thread {
	const struct portscan_global *g;
	struct ps_table *table;
	uint64_t published[PS_COUNTERS];
	unsigned index; /* worker index, for the log line */
};

static struct ids_rule portscan_rule(uint32_t sid, const char *msg)
{
	return (struct ids_rule){
		.id = sid,
		.rev = 1,
		.gid = 1,
		.severity = 2,
		.msg = msg,
		.category = "Detection of a Network Scan",
		.detector = "portscan",
	};
}

static int portscan_no_rules(const struct ids_plugin_init_args *args)
{
	const struct ids_rule *r;

	if (!args->n_rules)
		return 0;
	r = args->rules[0];
	snprintf(args->err, args->errlen,
		 "rule %u (%s:%d): the portscan plugin takes no rules: it raises its own "
		 "alerts %u and %u",
		 r->id, r->file ? r->file : "?", r->line, PORTSCAN_SID_PORTS, PORTSCAN_SID_HOSTS);
	return -1;
}

static int portscan_check_size(const struct ids_plugin_init_args *args, const struct ps_config *c)
{
	size_t bytes = ps_table_bytes(c);

	if (bytes && bytes <= PORTSCAN_MAX_TABLE_BYTES)
		return 0;
	snprintf(args->err, args->errlen,
		 "portscan: max-sources %u with ports %u and hosts %u needs %zu MiB per worker, "
		 "more than %zu: lower one of them",
		 c->max_sources, c->max_ports, c->max_hosts, bytes >> 20,
		 PORTSCAN_MAX_TABLE_BYTES >> 20);
	return -1;
}

static int portscan_init(const struct ids_plugin_init_args *args, void **global)
{
	const union ids_opt_value *o = args->opts;
	struct portscan_global *g;
	struct ps_config c = {
		.max_ports = (uint32_t)o[OPT_PORTS].i,
		.max_hosts = (uint32_t)o[OPT_HOSTS].i,
		.window_usec = o[OPT_WINDOW].i * 1000000,
		.max_sources = (uint32_t)o[OPT_MAX_SOURCES].i,
	};

	if (portscan_no_rules(args) < 0 || portscan_check_size(args, &c) < 0)
		return -1;
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(args->err, args->errlen, "portscan: out of memory");
		return -1;
	}
	g->svc = args->svc;
	g->cfg = c;
	g->tcp_syn_only = o[OPT_TCP_SYN_ONLY].b;
	g->ports_rule = portscan_rule(PORTSCAN_SID_PORTS, "portscan: many ports");
	g->hosts_rule = portscan_rule(PORTSCAN_SID_HOSTS, "portscan: many hosts");
	g->counters =
		ids_has_abi(args->svc, 3) &&
		ids_counters_register(args->svc, ps_counter_names, PS_COUNTERS, g->counter_id) == 0;
	*global = g;
	return 0;
}

/* A seed spoofed sources cannot predict, so they cannot pile into one
 * hash chain. */
static uint64_t portscan_seed(const void *salt)
{
	uint64_t seed = 0;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)salt;
}

static int portscan_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	const struct portscan_global *g = global;
	struct portscan_thread *t = calloc(1, sizeof(*t));
	struct ps_config c = g->cfg;

	if (!t)
		return -1;
	c.seed = portscan_seed(t);
	t->g = g;
	t->index = g->svc->thread_index(thr);
	t->table = ps_table_new(&c);
	if (!t->table) {
		g->svc->log(IDS_LOG_ERROR, "portscan: no memory for %zu bytes of sources",
			    ps_table_bytes(&c));
		free(t);
		return -1;
	}
	*thread_ctx = t;
	return 0;
}

/* A connection attempt or a datagram: what a scanner sends. */
static int portscan_counts(const struct portscan_global *g, const struct ids_packet *pkt)
{
	if (pkt->pkt_src == IDS_PKT_SRC_STREAM)
		return 0;
	if (pkt->proto == 6)
		return (pkt->tcp_flags & (IDS_TCP_SYN | IDS_TCP_ACK)) == IDS_TCP_SYN;
	return pkt->proto == 17 && !g->tcp_syn_only;
}

static void portscan_on_packet(void *thread_ctx, struct ids_thread *thr,
			       const struct ids_packet *pkt)
{
	struct portscan_thread *t = thread_ctx;
	const struct portscan_global *g = t->g;
	unsigned hit;

	if (!portscan_counts(g, pkt))
		return;
	hit = ps_track(t->table, &pkt->src, &pkt->dst, pkt->dport, pkt->ts_usec);
	if (hit & PS_HIT_PORTS)
		g->svc->alert(thr, pkt, &g->ports_rule);
	if (hit & PS_HIT_HOSTS)
		g->svc->alert(thr, pkt, &g->hosts_rule);
}

static void portscan_tick(void *thread_ctx, struct ids_thread *thr, int64_t now_usec)
{
	struct portscan_thread *t = thread_ctx;

	ps_expire(t->table, now_usec);
	if (t->g->counters)
		ids_counters_publish(t->g->svc, thr, t->g->counter_id,
				     (const uint64_t *)ps_table_stats(t->table), t->published,
				     PS_COUNTERS);
}

static void portscan_thread_fini(void *thread_ctx)
{
	struct portscan_thread *t = thread_ctx;
	const struct ps_stats *st;

	if (!t)
		return;
	st = ps_table_stats(t->table);
	t->g->svc->log(st->evictions ? IDS_LOG_WARN : IDS_LOG_INFO,
		       "portscan: worker %u: %llu packets counted, %llu sources, %llu evicted "
		       "(max-sources %u), %llu expired, %llu port alerts, %llu host alerts",
		       t->index, (unsigned long long)st->events, (unsigned long long)st->sources,
		       (unsigned long long)st->evictions, t->g->cfg.max_sources,
		       (unsigned long long)st->expired, (unsigned long long)st->port_alerts,
		       (unsigned long long)st->host_alerts);
	ps_table_free(t->table);
	free(t);
}

static void portscan_fini(void *global)
{
	free(global);
}

static const struct ids_plugin portscan_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "portscan",
	.version = "1.0",
	.description = "alerts on sources touching many ports or hosts within a window",
	.options = portscan_options,
	.n_options = OPT_COUNT,
	.init = portscan_init,
	.thread_init = portscan_thread_init,
	.on_packet = portscan_on_packet,
	.tick = portscan_tick,
	.thread_fini = portscan_thread_fini,
	.fini = portscan_fini,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &portscan_plugin;
}
