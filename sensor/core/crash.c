/*
 * crash.c - the fatal-signal handler that names the running plugin
 * callback (see crash.h).
 *
 * Everything the handler does is async-signal-safe: it reads the
 * thread-local mark, builds the line in a stack buffer with its own
 * number formatting, write()s it to fd 2, resets the action to SIG_DFL
 * and raises the signal again.
 */
#include "core/crash.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Thread_local struct crash_site crash_site;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGFPE:
		return "SIGFPE";
	case SIGILL:
		return "SIGILL";
	case SIGABRT:
		return "SIGABRT";
	default:
		return "?";
	}
}

/* Append `s` at *at within out[0..cap); never overflows. */
static void put(char *out, size_t cap, size_t *at, const char *s)
{
	while (*s && *at + 1 < cap)
		out[(*at)++] = *s++;
}

static void put_num(char *out, size_t cap, size_t *at, unsigned v)
{
	char digits[12];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof(digits));
	while (n && *at + 1 < cap)
		out[(*at)++] = digits[--n];
}

static void on_fatal(int sig)
{
	const char *plugin = __atomic_load_n(&crash_site.plugin, __ATOMIC_ACQUIRE);
	char line[512];
	size_t at = 0;
	ssize_t rc;

	put(line, sizeof(line), &at, "sensor: fatal: signal ");
	put_num(line, sizeof(line), &at, (unsigned)sig);
	put(line, sizeof(line), &at, " (");
	put(line, sizeof(line), &at, signal_name(sig));
	if (plugin) {
		put(line, sizeof(line), &at, ") in plugin '");
		put(line, sizeof(line), &at, plugin);
		put(line, sizeof(line), &at, "', callback ");
		put(line, sizeof(line), &at, crash_site.callback ? crash_site.callback : "?");
	} else {
		put(line, sizeof(line), &at, ") outside any plugin callback");
	}
	line[at++] = '\n';
	rc = write(2, line, at);
	(void)rc;
	signal(sig, SIG_DFL);
	raise(sig);
}

void crash_install(void)
{
	static char alt[64 * 1024];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt)};
	struct sigaction sa;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}
