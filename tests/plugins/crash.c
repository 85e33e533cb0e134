/*
 * Test fixture: a plugin that crashes on purpose, for the fatal-signal
 * handler (sensor/core/crash.c). Option `where` says when: "init" aborts
 * in init (SIGABRT), "on_packet" writes to a page mapped PROT_NONE in
 * on_packet (SIGSEGV) on the first packet whose payload starts with
 * CRASH, "tick" raises SIGFPE in tick. Anything else: never.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <ids/plugin.h>

static const struct ids_option_def crash_options[] = {
	{.name = "where", .type = IDS_OPT_STRING, .def = "none", .help = "init, on_packet, tick"},
};

static char where[16];
static volatile int *volatile nowhere; /* a page nobody may touch */

static int crash_init(const struct ids_plugin_init_args *args, void **global)
{
	strncpy(where, args->opts[0].s ? args->opts[0].s : "none", sizeof(where) - 1);
	nowhere = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!strcmp(where, "init"))
		abort();
	*global = NULL;
	return 0;
}

static void crash_on_packet(void *ctx, struct ids_thread *thr, const struct ids_packet *pkt)
{
	(void)ctx;
	(void)thr;
	if (!strcmp(where, "on_packet") && pkt->payload_len >= 5 &&
	    !memcmp(pkt->payload, "CRASH", 5))
		*nowhere = 1; /* a real fault, not undefined behaviour a sanitizer stops first */
}

static void crash_tick(void *ctx, struct ids_thread *thr, int64_t now)
{
	volatile int zero = 0;

	(void)ctx;
	(void)thr;
	(void)now;
	if (!strcmp(where, "tick"))
		raise(SIGFPE + zero);
}

static const struct ids_plugin crash_plugin = {
	.abi_major = IDS_ABI_MAJOR,
	.abi_minor = IDS_ABI_MINOR,
	.struct_size = sizeof(struct ids_plugin),
	.name = "crash",
	.version = "1.0",
	.options = crash_options,
	.n_options = 1,
	.init = crash_init,
	.on_packet = crash_on_packet,
	.tick = crash_tick,
};

IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void)
{
	return &crash_plugin;
}
