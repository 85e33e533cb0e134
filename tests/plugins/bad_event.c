/* Test fixture: a plugin (ABI 1.6) declaring an app-layer event named like
 * one of the sensor's own: refused at load. */
#include <ids/plugin.h>

static const struct ids_event_def bad_events[] = {
	{"stream.reassembly_seq_gap", "not a plugin's name"},
};

static const struct ids_plugin bad_event_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "bad_event",
	.version = "0",
	.events = bad_events,
	.n_events = 1,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &bad_event_plugin;
}
