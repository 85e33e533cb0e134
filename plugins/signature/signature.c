/*
 * signature.c - the generic payload signature plugin.
 *
 * Evaluates every rule whose `detector` is "signature" (the default) against
 * each packet's payload: all rules are compiled into one matcher at start-up
 * and each packet costs one scan, whatever the number of rules. A matching
 * rule raises one alert for the packet; at most `alerts-per-packet` alerts
 * are raised for one packet (Suricata keeps 15 by default).
 *
 * Global state (the matcher and options) is built in init on the main
 * thread and only read afterwards; the plugin keeps no per-thread state of
 * its own (the matcher's scratch belongs to the host's ids_thread).
 */
#include <stdlib.h>

#include <ids/plugin.h>

struct sig_global {
	const struct ids_services *svc;
	struct ids_matcher *matcher;
	unsigned max_alerts;
};

struct sig_scan {
	const struct sig_global *g;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
	unsigned alerts;
};

enum { OPT_ALERTS_PER_PACKET = 0 };

static const struct ids_option_def sig_options[] = {
	[OPT_ALERTS_PER_PACKET] = {"alerts-per-packet", IDS_OPT_INT, "15", 1, 1000,
				   "most alerts raised for one packet"},
};

static int sig_init(const struct ids_plugin_init_args *args, void **global)
{
	struct sig_global *g = calloc(1, sizeof(*g));

	if (!g)
		return -1;
	g->svc = args->svc;
	g->max_alerts = (unsigned)args->opts[OPT_ALERTS_PER_PACKET].i;
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

static int sig_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	*thread_ctx = global;
	return 0;
}

static int sig_on_match(const struct ids_rule *rule, void *ctx)
{
	struct sig_scan *s = ctx;

	s->g->svc->alert(s->thr, s->pkt, rule);
	return ++s->alerts >= s->g->max_alerts;
}

static void sig_on_packet(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt)
{
	const struct sig_global *g = thread_ctx;
	struct sig_scan s = {g, thr, pkt, 0};

	if (!g->matcher)
		return;
	g->svc->matcher_scan(thr, g->matcher, pkt, pkt->payload, pkt->payload_len, sig_on_match,
			     &s);
}

static void sig_fini(void *global)
{
	struct sig_global *g = global;

	if (!g)
		return;
	if (g->matcher)
		g->svc->matcher_free(g->matcher);
	free(g);
}

static const struct ids_plugin sig_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "signature",
	.version = "1.0",
	.description = "generic payload signatures: contents, regexes and pcre over each packet",
	.options = sig_options,
	.n_options = sizeof(sig_options) / sizeof(sig_options[0]),
	.init = sig_init,
	.thread_init = sig_thread_init,
	.on_packet = sig_on_packet,
	.fini = sig_fini,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &sig_plugin;
}
