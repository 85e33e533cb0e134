/*
 * Test fixture: a plugin using the ABI 1.2 services. It declares the buffer
 * "demo.first_line" (the first line of each TCP stream direction), keeps
 * per-flow state in flow_data (how many bytes of each direction it has
 * seen), scans the line with the rules that name the buffer, and raises
 * alerts with a `demo` object through alert_fields. It frees its flow data
 * in on_flow_end and counts the flows it saw end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ids/plugin.h>

struct demo_global {
	const struct ids_services *svc;
	struct ids_matcher *m;
};

struct demo_flow {
	uint32_t line_len[2];
	uint8_t done[2];
	char line[2][128];
};

struct demo_scan {
	const struct demo_global *g;
	struct ids_thread *thr;
	const struct ids_packet *pkt;
	const char *line;
};

static const struct ids_buffer_def demo_buffers[] = {
	{"demo.first_line", "the first line of each TCP stream direction"},
};

static int demo_init(const struct ids_plugin_init_args *args, void **global)
{
	struct demo_global *g = calloc(1, sizeof(*g));

	if (!g)
		return -1;
	g->svc = args->svc;
	if (args->n_rules && !(g->m = args->svc->matcher_compile(args->rules, args->n_rules,
								 args->err, args->errlen))) {
		free(g);
		return -1;
	}
	*global = g;
	return 0;
}

static int demo_thread_init(void *global, struct ids_thread *thr, void **ctx)
{
	(void)thr;
	*ctx = global;
	return 0;
}

static int demo_match(const struct ids_rule *rule, void *ctx)
{
	struct demo_scan *s = ctx;
	char esc[300], fields[400];

	s->g->svc->json_escape(esc, sizeof(esc), s->line, strlen(s->line));
	snprintf(fields, sizeof(fields), "\"demo\":{\"line\":\"%s\"}", esc);
	s->g->svc->alert_fields(s->thr, s->pkt, rule, fields);
	return 0;
}

static void demo_on_stream(void *ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			   const struct ids_stream_chunk *c)
{
	const struct demo_global *g = ctx;
	void **slot = g->svc->flow_data(thr);
	struct demo_flow *f;
	unsigned d = c->direction & 1;
	struct demo_scan s = {g, thr, pkt, NULL};

	if (!slot || !g->m)
		return;
	if (!*slot)
		*slot = calloc(1, sizeof(struct demo_flow));
	f = *slot;
	if (!f || f->done[d])
		return;
	for (uint32_t i = 0; i < c->len && !f->done[d]; i++) {
		if (c->data[i] == '\n' || f->line_len[d] == sizeof(f->line[d]) - 1)
			f->done[d] = 1;
		else
			f->line[d][f->line_len[d]++] = (char)c->data[i];
	}
	if (!f->done[d] && !(c->flags & IDS_STREAM_END))
		return;
	f->done[d] = 1;
	s.line = f->line[d];
	g->svc->matcher_scan(thr, g->m, pkt, (const uint8_t *)f->line[d], f->line_len[d],
			     demo_match, &s);
}

static void demo_on_flow_end(void *ctx, struct ids_thread *thr, const struct ids_flow_info *fi)
{
	const struct demo_global *g = ctx;
	void **slot = g->svc->flow_data(thr);

	(void)fi;
	if (slot) {
		free(*slot);
		*slot = NULL;
	}
}

static void demo_fini(void *global)
{
	struct demo_global *g = global;

	if (g && g->m)
		g->svc->matcher_free(g->m);
	free(g);
}

static const struct ids_plugin demo_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "buffers",
	.version = "1.0",
	.init = demo_init,
	.thread_init = demo_thread_init,
	.fini = demo_fini,
	.on_stream = demo_on_stream,
	.on_flow_end = demo_on_flow_end,
	.buffers = demo_buffers,
	.n_buffers = 1,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &demo_plugin;
}
