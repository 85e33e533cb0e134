/*
 * control.h - running the sensor as a daemon: signals, rule reloads, stats
 * records, the pidfile and dropping privileges.
 *
 * Signals are handled on the main thread only: ctl_block_signals() blocks
 * TERM, INT, HUP and USR2 before any worker thread exists (workers inherit
 * the mask), and ctl_poll() takes them with sigtimedwait:
 *
 *   TERM, INT  stop: capture ends, workers flush their flows (flow records
 *              with reason "shutdown") and the final stats record is written
 *   HUP        reopen eve.json (log rotation: rename it, then send HUP)
 *   USR2       reload the rule files: a new generation of the plugins is
 *              initialised with the new rules beside the running one; if
 *              anything fails, the errors are logged and the running rules
 *              stay; otherwise it is published in `current` and each worker
 *              moves to it between two packets (no packet goes uninspected),
 *              and the old generation is retired once every worker left it
 *
 * Main thread only; workers only read `current`.
 */
#ifndef SENSOR_CONTROL_H
#define SENSOR_CONTROL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct plugin_set;
struct ids_thread;
struct eve_writer;
struct eve_thread;
struct output_set;
struct ctl_socket;

struct run_ctl {
	_Atomic(struct plugin_set *) current; /* the generation workers are to use */
	struct plugin_set *retiring;	      /* an older one some worker may still run */
	struct ids_thread **workers;	      /* set once they exist */
	unsigned n_workers;
	struct eve_writer *eve;
	struct eve_thread *eve_main; /* the main thread's buffer, for stats records */
	bool live;		     /* capturing from interfaces */
	bool stop;
	int64_t start_usec; /* wall clock at start, for uptime */
	unsigned reloads, reload_failures;
	/* Build a new generation from the rule files; NULL after logging why. */
	struct plugin_set *(*reload)(void *arg);
	void *reload_arg;
	/* rules loaded and left out at start (stats detect.rules_*) */
	uint64_t rules_loaded, rules_failed;
	struct output_set *outputs; /* where eve's lines go (output/output.h) */
	struct ctl_socket *sock;    /* the control socket, NULL when off */
	/* The last rule reload's report (control socket reload-rules):
	 * rules compiled, errors, their messages. Main thread. */
	size_t reload_rules_n;
	unsigned reload_errors;
	char reload_text[2048];
};

/* Main thread, before any other thread starts. */
void ctl_block_signals(void);

/* Act on the control signals that arrived, waiting up to timeout_ms for
 * one (0: do not wait). Returns true once the run must stop. */
bool ctl_poll(struct run_ctl *c, int timeout_ms);

/* One stats record summing the workers: from their last published
 * counters while they run, from their own counters after they stopped
 * (`final`). Returns the totals' packets/alerts through the pointers when
 * not NULL. */
void ctl_write_stats(struct run_ctl *c, bool final, uint64_t *packets, uint64_t *invalid,
		     uint64_t *alerts);

/* Reload the rule files now (as USR2 does): 0 when the new rules are in
 * force, 1 when a previous reload is still being taken up, -1 when the
 * new rules failed (the running ones stay). Main thread. */
int ctl_reload(struct run_ctl *c);

/* The counters of a stats record, from the workers' last published
 * snapshots, as member `key` of `j`. 0, or -1 on no memory. */
struct jbuf;
int ctl_stats_json(struct run_ctl *c, struct jbuf *j, const char *key);

/* Wall-clock microseconds. */
int64_t ctl_now_usec(void);

/* Write the pid to `path` (refusing when another live process holds it).
 * 0, or -1 with a message. */
int ctl_pidfile_write(const char *path, char *err, size_t errlen);
void ctl_pidfile_remove(const char *path);

/* Become `user` / `group` (names or numbers; NULL: keep). 0, or -1 with a
 * message. */
int ctl_drop_privileges(const char *user, const char *group, char *err, size_t errlen);

#endif
