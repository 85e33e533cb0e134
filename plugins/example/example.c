/*
 * example.c - a small detector written the way a third party would write
 * one: it includes <ids/plugin.h> and nothing else of the sensor's, and
 * builds in the tree or on its own against the installed headers
 * (standalone/CMakeLists.txt).
 *
 * What it detects: packets whose IPv4 TTL or IPv6 hop limit is below
 * `min-ttl`, a sign of traceroute probes or of TTL-based evasion (packets
 * meant to expire between the sensor and the host). Each such packet raises
 * the plugin's own alert (sid `sid`, no rule file needed). Rules with
 * `detector: example` are also evaluated, but only on those low-TTL
 * packets, which shows how a plugin uses the host's matcher.
 *
 * State: options and the compiled matcher are global, read-only after
 * init. Each worker counts its low-TTL packets in its own context and logs
 * the count when it stops: no locks, no shared writes.
 */
#include <stdint.h>
#include <stdlib.h>

#include <ids/plugin.h>

enum { OPT_MIN_TTL = 0, OPT_SID, OPT_COUNT };

static const struct ids_option_def example_options[OPT_COUNT] = {
	[OPT_MIN_TTL] = {"min-ttl", IDS_OPT_INT, "2", 1, 255,
			 "alert on packets whose TTL/hop limit is below this"},
	[OPT_SID] = {"sid", IDS_OPT_INT, "9000001", 1, 4294967295LL,
		     "signature id of the low-TTL alert"},
};

struct example_global {
	const struct ids_services *svc;
	struct ids_matcher *matcher; /* NULL without rules */
	unsigned min_ttl;
	struct ids_rule low_ttl_rule; /* the plugin's own signature */
};

struct example_thread {
	struct example_global *g;
	uint64_t low_ttl_packets;
};

struct example_scan {
	struct example_global *g;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
};

static int example_init(const struct ids_plugin_init_args *args, void **global)
{
	struct example_global *g = calloc(1, sizeof(*g));

	if (!g)
		return -1;
	g->svc = args->svc;
	g->min_ttl = (unsigned)args->opts[OPT_MIN_TTL].i;
	g->low_ttl_rule = (struct ids_rule){
		.id = (uint32_t)args->opts[OPT_SID].i,
		.rev = 1,
		.gid = 1,
		.severity = 3,
		.msg = "EXAMPLE packet with a low TTL",
		.category = "Misc activity",
		.detector = "example",
	};
	if (args->n_rules) {
		g->matcher = args->svc->matcher_compile(args->rules, args->n_rules, args->err,
							args->errlen);
		if (!g->matcher) {
			free(g);
			return -1;
		}
	}
	*global = g;
	return 0;
}

static int example_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	struct example_thread *t = calloc(1, sizeof(*t));

	(void)thr; /* this plugin keeps nothing per worker beyond its counter */
	if (!t)
		return -1;
	t->g = global;
	*thread_ctx = t;
	return 0;
}

static int example_on_match(const struct ids_rule *rule, void *ctx)
{
	struct example_scan *s = ctx;

	s->g->svc->alert(s->thr, s->pkt, rule);
	return 0;
}

static void example_on_packet(void *thread_ctx, struct ids_thread *thr,
			      const struct ids_packet *pkt)
{
	struct example_thread *t = thread_ctx;
	struct example_global *g = t->g;
	struct example_scan s = {g, thr, pkt};

	if (pkt->ttl >= g->min_ttl)
		return;
	t->low_ttl_packets++;
	g->svc->alert(thr, pkt, &g->low_ttl_rule);
	if (g->matcher)
		g->svc->matcher_scan(thr, g->matcher, pkt, pkt->payload, pkt->payload_len,
				     example_on_match, &s);
}

static void example_thread_fini(void *thread_ctx)
{
	struct example_thread *t = thread_ctx;

	if (!t)
		return;
	t->g->svc->log(IDS_LOG_INFO, "example: %llu packets below TTL %u",
		       (unsigned long long)t->low_ttl_packets, t->g->min_ttl);
	free(t);
}

static void example_fini(void *global)
{
	struct example_global *g = global;

	if (!g)
		return;
	if (g->matcher)
		g->svc->matcher_free(g->matcher);
	free(g);
}

static const struct ids_plugin example_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "example",
	.version = "1.0",
	.description = "alerts on packets with a low TTL or hop limit",
	.options = example_options,
	.n_options = OPT_COUNT,
	.init = example_init,
	.thread_init = example_thread_init,
	.on_packet = example_on_packet,
	.thread_fini = example_thread_fini,
	.fini = example_fini,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &example_plugin;
}
