/*
 * control.c - signals, rule reloads, stats records, pidfile and privileges
 * (see control.h).
 *
 * Everything here runs on the main thread. The only state shared with the
 * workers is `current` (written here with release ordering, read by each
 * worker between packets) and each worker's `gen_seen` and counter
 * snapshot (written by the worker, read here).
 */
#include "core/control.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "core/control_socket.h"
#include "core/plugin_loader.h"
#include "core/worker.h"
#include "output/eve.h"

static void control_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGUSR1); /* control socket requests (control_socket.c) */
}

void ctl_block_signals(void)
{
	sigset_t set;

	control_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int64_t ctl_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Has every worker moved to the current generation? */
static bool all_moved(const struct run_ctl *c)
{
	struct plugin_set *cur = atomic_load_explicit(&c->current, memory_order_relaxed);

	for (unsigned i = 0; i < c->n_workers; i++)
		if (atomic_load_explicit(&c->workers[i]->gen_seen, memory_order_acquire) != cur)
			return false;
	return true;
}

static void retire_if_done(struct run_ctl *c)
{
	if (!c->retiring || !all_moved(c))
		return;
	plugins_retire(c->retiring);
	c->retiring = NULL;
	log_info("rule reload %u complete: every worker runs the new rules", c->reloads);
}

/* The one line a successful reload leaves at the default level. */
static void log_reload(const struct run_ctl *c, const struct plugin_set *ps)
{
	char line[700];
	size_t used = 0, total = 0;

	for (size_t i = 0; i < ps->n && used < sizeof(line); i++) {
		used += (size_t)snprintf(line + used, sizeof(line) - used, " %s=%zu",
					 ps->p[i].desc->name, ps->p[i].n_rules - ps->p[i].n_twins);
		total += ps->p[i].n_rules - ps->p[i].n_twins;
	}
	log_notice("rule reload %u: %zu rules in force (per plugin:%s)", c->reloads, total,
		   used ? line : " none");
}

int ctl_reload(struct run_ctl *c)
{
	struct plugin_set *next;

	if (c->retiring) {
		log_warn("rule reload requested while the previous one is still being taken up; "
			 "send USR2 again in a moment");
		return 1;
	}
	log_debug("reloading rules");
	next = c->reload ? c->reload(c->reload_arg) : NULL;
	if (!next) {
		c->reload_failures++;
		log_error("rule reload failed: the running rules stay in force (fix the errors "
			  "above and send USR2 again)");
		return -1;
	}
	c->retiring = atomic_load_explicit(&c->current, memory_order_relaxed);
	atomic_store_explicit(&c->current, next, memory_order_release);
	c->reloads++;
	log_reload(c, next);
	return 0;
}

static void handle(struct run_ctl *c, int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: stopping", sig);
		c->stop = true;
		break;
	case SIGHUP:
		if (log_reopen() < 0)
			log_error("cannot reopen the log file: %s", strerror(errno));
		if (eve_writer_reopen(c->eve) < 0)
			log_error("cannot reopen the output files (see above)");
		else
			log_info("reopened the output files");
		break;
	case SIGUSR2:
		ctl_reload(c);
		break;
	case SIGUSR1: /* the control socket has a request */
		break;
	}
}

bool ctl_poll(struct run_ctl *c, int timeout_ms)
{
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
	sigset_t set;
	int sig;

	control_set(&set);
	sig = sigtimedwait(&set, NULL, &ts);
	while (sig > 0) {
		handle(c, sig);
		ts.tv_sec = ts.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &ts);
	}
	ctl_socket_serve(c->sock);
	retire_if_done(c);
	return c->stop;
}

/* ------------------------------------------------------------- stats */

static void sum_u64(uint64_t *acc, const uint64_t *add, size_t n)
{
	for (size_t i = 0; i < n; i++)
		acc[i] += add[i];
}

/* The counters plugins registered: names and how many, per plugin in
 * config order (the plugins' names are those of plugin_names). */
struct counter_names {
	const char *const *names[WORKER_MAX_PLUGIN_COUNTERS];
	unsigned n[WORKER_MAX_PLUGIN_COUNTERS];
};

static void counter_names_of(const struct run_ctl *c, struct counter_names *cn)
{
	const struct plugin_set *ps = atomic_load_explicit(&c->current, memory_order_relaxed);

	memset(cn, 0, sizeof(*cn));
	for (size_t i = 0; ps && i < ps->n && i < WORKER_MAX_PLUGIN_COUNTERS; i++) {
		cn->names[i] = (const char *const *)ps->p[i].counter_names;
		cn->n[i] = ps->p[i].n_counters;
	}
}

static void counters_input(struct eve_stats_input *in, const struct worker_snapshot *s,
			   const struct counter_names *cn)
{
	in->counter_names = cn->names;
	in->n_counters = cn->n;
	in->counters = &s->plugin_counters[0][0];
	in->counters_stride = IDS_MAX_COUNTERS;
}

/* The record's input for one worker's counters; `names` are the plugins'
 * names in config order (n of them). */
static void snapshot_input(struct eve_stats_input *in, const struct worker_snapshot *s, bool live,
			   const char *const *names, unsigned n)
{
	memset(in, 0, sizeof(*in));
	in->decoder = &s->decoder;
	in->flow = &s->flow;
	in->stream = &s->stream;
	in->defrag = &s->defrag;
	in->invalid_checksum_ip = s->csum_bad_ip;
	in->invalid_checksum_tcp = s->csum_bad_tcp;
	in->invalid_checksum_other = s->csum_bad_other;
	in->checksum_validation_off = s->csum_validation_off;
	in->alerts = s->alerts;
	in->capture = live;
	in->kernel_packets = s->kernel_packets;
	in->kernel_drops = s->kernel_drops;
	in->kernel_freezes = s->kernel_freezes;
	in->plugin_names = names;
	in->plugin_alerts = s->plugin_alerts;
	in->n_plugins = n;
	in->rule_thresholded = s->rule_filter.thresholded;
	in->rule_suppressed = s->rule_filter.suppressed;
	in->rule_passed = s->rule_filter.passed;
	in->rule_noalert = s->rule_filter.noalert;
	in->rule_xbits_full = s->rule_filter.xbits_full;
}

/* Every counter struct summed here holds nothing but uint64_t counters
 * (their unit tests check it); peaks add up to a bound on the process's
 * peak. */
static void sum_snapshot(struct worker_snapshot *t, const struct worker_snapshot *s)
{
	sum_u64((uint64_t *)&t->decoder, (const uint64_t *)&s->decoder, sizeof(t->decoder) / 8);
	sum_u64((uint64_t *)&t->flow, (const uint64_t *)&s->flow, sizeof(t->flow) / 8);
	sum_u64((uint64_t *)&t->stream, (const uint64_t *)&s->stream, sizeof(t->stream) / 8);
	sum_u64((uint64_t *)&t->defrag, (const uint64_t *)&s->defrag, sizeof(t->defrag) / 8);
	t->alerts += s->alerts;
	for (unsigned i = 0; i < WORKER_MAX_PLUGIN_COUNTERS; i++)
		t->plugin_alerts[i] += s->plugin_alerts[i];
	sum_u64(&t->plugin_counters[0][0], &s->plugin_counters[0][0],
		sizeof(t->plugin_counters) / 8);
	t->csum_bad_ip += s->csum_bad_ip;
	t->csum_bad_tcp += s->csum_bad_tcp;
	t->csum_bad_other += s->csum_bad_other;
	t->csum_validation_off += s->csum_validation_off;
	t->kernel_packets += s->kernel_packets;
	t->kernel_drops += s->kernel_drops;
	t->kernel_freezes += s->kernel_freezes;
	sum_u64((uint64_t *)&t->rule_filter, (const uint64_t *)&s->rule_filter,
		sizeof(t->rule_filter) / 8);
	t->verify_limit += s->verify_limit;
	if (s->first_usec && (!t->first_usec || s->first_usec < t->first_usec))
		t->first_usec = s->first_usec;
	if (s->last_usec > t->last_usec)
		t->last_usec = s->last_usec;
}

/* The plugins' names, in config order (the same in every generation). */
static unsigned plugin_names(const struct run_ctl *c, const char **names)
{
	const struct plugin_set *ps = atomic_load_explicit(&c->current, memory_order_relaxed);
	unsigned n = 0;

	for (size_t i = 0; ps && i < ps->n && n < WORKER_MAX_PLUGIN_COUNTERS; i++)
		names[n++] = ps->p[i].desc->name;
	return n;
}

/* The stats record's input from the workers' counters (see
 * ctl_write_stats); the totals in snaps[n_workers]. false on no memory. */
struct stats_build {
	struct worker_snapshot *snaps;
	struct eve_stats_input *threads;
	struct eve_stats_input in;
	const char *names[WORKER_MAX_PLUGIN_COUNTERS];
	struct counter_names cn;
};

static bool stats_build(struct run_ctl *c, bool final, struct stats_build *b)
{
	struct worker_snapshot *total;
	int64_t now = ctl_now_usec();
	unsigned n_names = plugin_names(c, b->names);

	b->snaps = calloc(c->n_workers + 1, sizeof(*b->snaps));
	b->threads = calloc(c->n_workers ? c->n_workers : 1, sizeof(*b->threads));
	if (!b->snaps || !b->threads)
		return false;
	counter_names_of(c, &b->cn);
	total = &b->snaps[c->n_workers];
	for (unsigned i = 0; i < c->n_workers; i++) {
		if (final)
			worker_counters(c->workers[i], &b->snaps[i]);
		else
			worker_snapshot(c->workers[i], &b->snaps[i]);
		sum_snapshot(total, &b->snaps[i]);
		snapshot_input(&b->threads[i], &b->snaps[i], c->live, b->names, n_names);
		counters_input(&b->threads[i], &b->snaps[i], &b->cn);
	}
	snapshot_input(&b->in, total, c->live, b->names, n_names);
	b->in.rules = true;
	b->in.verify_limit = total->verify_limit;
	b->in.rules_loaded = c->rules_loaded;
	b->in.rules_failed = c->rules_failed;
	counters_input(&b->in, total, &b->cn);
	if (c->live) {
		b->in.ts_usec = now;
		b->in.uptime_s = (double)(now - c->start_usec) / 1e6;
	} else {
		b->in.ts_usec = total->last_usec;
		b->in.uptime_s = total->last_usec > total->first_usec
					 ? (double)(total->last_usec - total->first_usec) / 1e6
					 : 0;
	}
	if (c->live || c->n_workers > 1) {
		b->in.threads = b->threads;
		b->in.n_threads = c->n_workers;
	}
	return true;
}

void ctl_write_stats(struct run_ctl *c, bool final, uint64_t *packets, uint64_t *invalid,
		     uint64_t *alerts)
{
	struct stats_build b;
	struct worker_snapshot *total;

	memset(&b, 0, sizeof(b));
	if (!stats_build(c, final, &b))
		goto out;
	total = &b.snaps[c->n_workers];
	eve_stats(c->eve_main, &b.in);
	eve_thread_flush(c->eve_main);
	if (packets)
		*packets = total->decoder.pkts;
	if (invalid)
		*invalid = total->decoder.invalid;
	if (alerts)
		*alerts = total->alerts;
out:
	free(b.snaps);
	free(b.threads);
}

int ctl_stats_json(struct run_ctl *c, struct jbuf *j, const char *key)
{
	struct stats_build b;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	if (stats_build(c, false, &b)) {
		eve_stats_object(j, key, &b.in, c->outputs);
		rc = 0;
	}
	free(b.snaps);
	free(b.threads);
	return rc;
}

/* ----------------------------------------------------- pidfile, user */

/* Is there a live process with the pid written in `path`? */
static bool pidfile_alive(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (!f)
		return false;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int ctl_pidfile_write(const char *path, char *err, size_t errlen)
{
	char text[32];
	int fd, n;

	if (pidfile_alive(path)) {
		snprintf(err, errlen,
			 "%s names a running process: another sensor is running (stop it, or use "
			 "another pidfile)",
			 path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (write(fd, text, (size_t)n) != n) {
		snprintf(err, errlen, "cannot write pidfile %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void ctl_pidfile_remove(const char *path)
{
	if (path)
		unlink(path);
}

static int lookup_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group *g = getgrnam(name);
	char *end;
	long v;

	if (g) {
		*gid = g->gr_gid;
		return 0;
	}
	v = strtol(name, &end, 10);
	if (*name && !*end && v >= 0) {
		*gid = (gid_t)v;
		return 0;
	}
	snprintf(err, errlen, "run-as: no group '%s'", name);
	return -1;
}

int ctl_drop_privileges(const char *user, const char *group, char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	gid_t gid = getgid();
	uid_t uid = getuid();

	if (!user && !group)
		return 0;
	if (user) {
		pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "run-as: no user '%s'", user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (group && lookup_group(group, &gid, err, errlen) < 0)
		return -1;
	if ((pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) != 0 || setgid(gid) != 0 ||
	    setuid(uid) != 0) {
		snprintf(err, errlen, "run-as: cannot become %s:%s: %s", user ? user : "(same)",
			 group ? group : "(same)", strerror(errno));
		return -1;
	}
	return 0;
}
