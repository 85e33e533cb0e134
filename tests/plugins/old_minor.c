/*
 * Test fixture: a plugin as built against ABI 1.0 headers. It fills only
 * the 1.0 slots and states the 1.0 descriptor size, as an old binary would;
 * it must keep loading in every 1.x sensor.
 */
#include <stddef.h>

#include <ids/plugin.h>

static void old_on_packet(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt)
{
}

static const struct ids_plugin old_minor_plugin = {
	.abi_major = 1,
	.abi_minor = 0,
	.struct_size = offsetof(struct ids_plugin, fini) + sizeof(void (*)(void *)),
	.name = "old_minor",
	.version = "1.0",
	.on_packet = old_on_packet,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &old_minor_plugin;
}
