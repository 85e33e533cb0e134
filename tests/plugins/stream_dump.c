/*
 * Test fixture: writes the stream bytes the sensor hands to plugins, so
 * integration tests compare them with what the destination host reads.
 * Each direction of each flow goes to its own file, `<dir>/<client
 * port>.<d>` (d = 0 to_server, 1 to_client), appended chunk by chunk; a
 * gap is written as "[gap N]". Option `dir` (a folder that exists). One
 * worker only: files are opened, appended and closed per chunk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ids/plugin.h>

static const struct ids_option_def dump_options[] = {
	{"dir", IDS_OPT_STRING, "", 0, 0, "folder the stream files go to"},
};

static int dump_init(const struct ids_plugin_init_args *args, void **global)
{
	*global = (void *)args->opts[0].s;
	return 0;
}

static int dump_thread_init(void *global, struct ids_thread *thr, void **ctx)
{
	(void)thr;
	*ctx = global;
	return 0;
}

static void dump_on_stream(void *ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			   const struct ids_stream_chunk *c)
{
	unsigned d = c->direction & 1;
	char path[4096];
	FILE *f;

	(void)thr;
	if (!c->len && !c->gap_before)
		return; /* an end without bytes: nothing to write */
	snprintf(path, sizeof(path), "%s/%u.%u", (const char *)ctx,
		 (unsigned)(d ? pkt->dport : pkt->sport), d);
	f = fopen(path, "ab");
	if (!f)
		return;
	if (c->gap_before)
		fprintf(f, "[gap %u]", c->gap_before);
	if (c->len)
		fwrite(c->data, 1, c->len, f);
	fclose(f);
}

static void dump_fini(void *global)
{
	(void)global;
}

static const struct ids_plugin dump_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "stream_dump",
	.version = "1.0",
	.options = dump_options,
	.n_options = 1,
	.init = dump_init,
	.thread_init = dump_thread_init,
	.fini = dump_fini,
	.on_stream = dump_on_stream,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &dump_plugin;
}
