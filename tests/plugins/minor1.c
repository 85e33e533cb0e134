/*
 * Test fixture: a plugin as built against ABI 1.1 headers. It fills the 1.0
 * slots and the two 1.1 ones (on_stream, on_flow_end), states the 1.1
 * descriptor size and never reads a services slot past the 1.1 ones, as a
 * binary built before 1.2 would; it must keep loading, and its on_stream
 * must keep running, in every later 1.x sensor.
 *
 * Behaviour the test checks: the first data chunk of each flow direction
 * raises the fixture's own alert (sid 9200001, on the chunk's packet); each
 * worker counts its chunks and flow ends and logs them once, as a warning,
 * when it stops.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <ids/plugin.h>

/* The 1.1 services table ends after matcher_stream_scan. */
#define MINOR1_SVC_SIZE                                                                            \
	(offsetof(struct ids_services, matcher_stream_scan) +                                      \
	 sizeof(((struct ids_services *)0)->matcher_stream_scan))

struct minor1_global {
	const struct ids_services *svc;
	struct ids_rule rule;
};

struct minor1_thread {
	const struct minor1_global *g;
	uint64_t chunks, flow_ends;
};

static int minor1_init(const struct ids_plugin_init_args *args, void **global)
{
	struct minor1_global *g;

	if (args->svc->struct_size < MINOR1_SVC_SIZE)
		return -1;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->svc = args->svc;
	g->rule = (struct ids_rule){.id = 9200001,
				    .rev = 1,
				    .gid = 1,
				    .severity = 3,
				    .msg = "MINOR1 first stream data",
				    .category = "",
				    .detector = "minor1"};
	*global = g;
	return 0;
}

static int minor1_thread_init(void *global, struct ids_thread *thr, void **thread_ctx)
{
	struct minor1_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->g = global;
	*thread_ctx = t;
	return 0;
}

static void minor1_on_stream(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			     const struct ids_stream_chunk *chunk)
{
	struct minor1_thread *t = thread_ctx;

	t->chunks++;
	if (chunk->offset == 0 && chunk->len > 0)
		t->g->svc->alert(thr, pkt, &t->g->rule);
}

static void minor1_on_flow_end(void *thread_ctx, struct ids_thread *thr,
			       const struct ids_flow_info *flow)
{
	struct minor1_thread *t = thread_ctx;

	t->flow_ends++;
}

static void minor1_thread_fini(void *thread_ctx)
{
	struct minor1_thread *t = thread_ctx;

	if (!t)
		return;
	t->g->svc->log(IDS_LOG_WARN, "minor1: %llu stream chunks, %llu flow ends",
		       (unsigned long long)t->chunks, (unsigned long long)t->flow_ends);
	free(t);
}

static void minor1_fini(void *global)
{
	free(global);
}

static const struct ids_plugin minor1_plugin = {
	.abi_major = 1,
	.abi_minor = 1,
	.struct_size = offsetof(struct ids_plugin, on_flow_end) +
		       sizeof(((struct ids_plugin *)0)->on_flow_end),
	.name = "minor1",
	.version = "1.1",
	.init = minor1_init,
	.thread_init = minor1_thread_init,
	.thread_fini = minor1_thread_fini,
	.fini = minor1_fini,
	.on_stream = minor1_on_stream,
	.on_flow_end = minor1_on_flow_end,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &minor1_plugin;
}
