/* Test fixture: a plugin built for another ABI major version. */
#include <ids/plugin.h>

static const struct ids_plugin bad_abi_plugin = {
	.abi_major = IDS_ABI_MAJOR + 1,
	.abi_minor = 0,
	.struct_size = sizeof(struct ids_plugin),
	.name = "bad_abi",
	.version = "0",
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &bad_abi_plugin;
}
