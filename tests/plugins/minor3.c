/*
 * Test fixture: a plugin as built against ABI 1.3 headers that declares two
 * buffers. The host hands it single-buffer rules as before and refuses a
 * rule on both its buffers (multi-buffer rules need ABI 1.4), naming the
 * rule.
 */
#include <stddef.h>

#include <ids/plugin.h>

static const struct ids_buffer_def minor3_buffers[] = {
	{"demo.one", "first demo buffer"},
	{"demo.two", "second demo buffer"},
};

static const struct ids_plugin minor3_plugin = {
	.abi_major = 1,
	.abi_minor = 3,
	.struct_size = sizeof(struct ids_plugin),
	.name = "minor3",
	.version = "1.0",
	.buffers = minor3_buffers,
	.n_buffers = 2,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &minor3_plugin;
}
