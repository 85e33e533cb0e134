/*
 * crash.h - naming the plugin that crashed the sensor.
 *
 * crash_install() (main thread, at start) sets handlers for SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL and SIGABRT. Around every plugin callback the
 * caller marks the site with crash_enter(plugin, callback) and
 * crash_leave(); the mark is thread-local. When one of those signals
 * arrives while a mark is set, the handler writes one line to stderr,
 *
 *   sensor: fatal: signal 11 (SIGSEGV) in plugin 'NAME', callback on_packet
 *
 * (or "outside any plugin callback"), with write(2) only (async-signal-
 * safe: no stdio, no allocation, no locks), then restores the default
 * action and raises the signal again so that the process dies as it would
 * have (exit status 128 + signal, a core dump where enabled).
 *
 * The handlers run on an alternate stack on the main thread only; a stack
 * overflow in a worker dies without the line.
 */
#ifndef SENSOR_CRASH_H
#define SENSOR_CRASH_H

struct crash_site {
	const char *plugin;   /* NULL: no plugin callback running */
	const char *callback; /* "on_packet", ... (static strings) */
};

extern _Thread_local struct crash_site crash_site;

void crash_install(void);

static inline void crash_enter(const char *plugin, const char *callback)
{
	crash_site.callback = callback;
	__atomic_store_n(&crash_site.plugin, plugin, __ATOMIC_RELEASE);
}

static inline void crash_leave(void)
{
	__atomic_store_n(&crash_site.plugin, (const char *)0, __ATOMIC_RELEASE);
}

#endif
