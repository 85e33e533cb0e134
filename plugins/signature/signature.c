/*
 * signature.c - the generic payload signature plugin.
 *
 * Evaluates every rule whose `detector` is "signature" (the default). Rules
 * of scope `packet` are compiled into one block matcher and scanned over
 * each packet's payload; rules of scope `stream` (the default for TCP) into
 * one stream matcher fed with the reassembled data of each TCP flow
 * direction, so a pattern split over any number of segments, sent out of
 * order or hidden by overlaps is found as the destination host would see
 * it. Each packet or stream chunk costs one scan, whatever the number of
 * rules. At most `alerts-per-packet` alerts are raised for one packet or
 * chunk (Suricata keeps 15 by default). A `scope: auto` rule comes twice,
 * once per scope, and so lands in both matchers (the host keeps its packet
 * view off TCP packets).
 *
 * Global state (the matchers and options) is built in init on the main
 * thread and only read afterwards; the plugin keeps no per-thread or
 * per-flow state of its own (the matchers' scratch and stream state belong
 * to the host).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <ids/plugin.h>

struct sig_global {
	const struct ids_services *svc;
	struct ids_matcher *packets; /* scope packet, NULL without such rules */
	struct ids_matcher *streams; /* scope stream, NULL without such rules */
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
				   "most alerts raised for one packet or stream chunk"},
};

/* The rules of one scope, in their order. The array is the caller's. */
static size_t rules_of_scope(const struct ids_plugin_init_args *args, int scope,
			     const struct ids_rule **out)
{
	size_t n = 0;

	for (size_t i = 0; i < args->n_rules; i++)
		if (args->rules[i]->scope == scope)
			out[n++] = args->rules[i];
	return n;
}

static int sig_compile(struct sig_global *g, const struct ids_plugin_init_args *args)
{
	const struct ids_services *svc = args->svc;
	const struct ids_rule **subset = calloc(args->n_rules ? args->n_rules : 1, sizeof(*subset));
	size_t n;
	int rc = -1;

	if (!subset)
		return -1;
	n = rules_of_scope(args, IDS_SCOPE_PACKET, subset);
	if (n && !(g->packets = svc->matcher_compile(subset, n, args->err, args->errlen)))
		goto out;
	n = rules_of_scope(args, IDS_SCOPE_STREAM, subset);
	if (n && svc->struct_size < offsetof(struct ids_services, matcher_stream_scan) +
					    sizeof(svc->matcher_stream_scan)) {
		snprintf(args->err, args->errlen,
			 "this sensor cannot match streams (plugin ABI 1.0)");
		goto out;
	}
	if (n && !(g->streams = svc->matcher_compile_stream(subset, n, args->err, args->errlen)))
		goto out;
	rc = 0;
out:
	free(subset);
	return rc;
}

static void sig_fini(void *global)
{
	struct sig_global *g = global;

	if (!g)
		return;
	if (g->packets)
		g->svc->matcher_free(g->packets);
	if (g->streams)
		g->svc->matcher_free(g->streams);
	free(g);
}

static int sig_init(const struct ids_plugin_init_args *args, void **global)
{
	struct sig_global *g = calloc(1, sizeof(*g));

	if (!g)
		return -1;
	g->svc = args->svc;
	g->max_alerts = (unsigned)args->opts[OPT_ALERTS_PER_PACKET].i;
	if (sig_compile(g, args) < 0) {
		sig_fini(g);
		return -1;
	}
	*global = g;
	return 0;
}

static int sig_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	(void)thr;
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

	if (g->packets)
		g->svc->matcher_scan(thr, g->packets, pkt, pkt->payload, pkt->payload_len,
				     sig_on_match, &s);
}

static void sig_on_stream(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			  const struct ids_stream_chunk *chunk)
{
	const struct sig_global *g = thread_ctx;
	struct sig_scan s = {g, thr, pkt, 0};

	if (g->streams)
		g->svc->matcher_stream_scan(thr, g->streams, pkt, chunk, sig_on_match, &s);
}

static const struct ids_plugin sig_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "signature",
	.version = "1.1",
	.description = "generic payload signatures: contents, regexes and pcre over each packet "
		       "and over reassembled TCP streams",
	.options = sig_options,
	.n_options = sizeof(sig_options) / sizeof(sig_options[0]),
	.init = sig_init,
	.thread_init = sig_thread_init,
	.on_packet = sig_on_packet,
	.fini = sig_fini,
	.on_stream = sig_on_stream,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &sig_plugin;
}
