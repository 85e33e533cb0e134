/*
 * ids/plugin_util.h - helpers every protocol plugin needs, as inline
 * functions over the plugin API (nothing here is part of the ABI: a plugin
 * that includes this header carries its own copy).
 *
 * A plugin that declares buffers typically checks that each of its rules
 * names one of them, compiles one matcher per buffer with the rules naming
 * it, scans a buffer's bytes with that buffer's matcher, and frees the
 * matchers in fini:
 *
 *   static const struct ids_buffer_def bufs[BUF_COUNT] = {...};
 *   struct ids_matcher *m[BUF_COUNT];
 *
 *   init:  if (ids_require_abi(args, "mine", 2) < 0 ||
 *              ids_rules_need_buffers(args, "mine", bufs, BUF_COUNT) < 0 ||
 *              ids_compile_buffers(args, bufs, BUF_COUNT, m) < 0) { fini; return -1; }
 *   fini:  ids_free_matchers(svc, m, BUF_COUNT);
 *
 * Main thread (init/fini), like the services they call.
 */
#ifndef IDS_PLUGIN_UTIL_H
#define IDS_PLUGIN_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids/plugin.h"

/* The index of buffer `name` in a plugin's table, -1 when absent. */
static inline int ids_buffer_index(const struct ids_buffer_def *bufs, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(bufs[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* "a, b, c" of the table's names into out. */
static inline void ids_buffer_names(const struct ids_buffer_def *bufs, size_t n, char *out,
				    size_t len)
{
	size_t at = 0;

	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		int w;

		if (strcmp(bufs[i].name, "pkt_data") == 0)
			continue; /* the payload, passed with a plugin's buffers only */
		w = snprintf(out + at, len - at, "%s%s", at ? ", " : "", bufs[i].name);
		if (w < 0)
			break;
		at += (size_t)w;
	}
}

/* Does the host offer the services of ABI minor `minor` (2 or 3)? For a
 * plugin that uses them when there and works without them. */
static inline int ids_has_abi(const struct ids_services *svc, int minor)
{
	size_t need =
		minor >= 3 ? offsetof(struct ids_services, counter_add) + sizeof(svc->counter_add)
			   : offsetof(struct ids_services, json_escape) + sizeof(svc->json_escape);

	if (svc->struct_size < need)
		return 0;
	return minor < 3 || (svc->record_begin && svc->record_end && svc->json && svc->alert_tx &&
			     svc->counter_register && svc->counter_add);
}

/* The host has the transaction matcher (ABI 1.4): multi-buffer rules
 * exist and ids_rule.buffers can be read. */
static inline int ids_has_tx(const struct ids_services *svc)
{
	size_t need = offsetof(struct ids_services, matcher_tx_scan) + sizeof(svc->matcher_tx_scan);

	return svc->struct_size >= need && svc->matcher_compile_tx && svc->matcher_tx_scan;
}

/* The host can put rules on one buffer into a transaction matcher (ABI
 * 1.5, matcher_compile_tx_single). */
static inline int ids_has_tx_single(const struct ids_services *svc)
{
	size_t need = offsetof(struct ids_services, matcher_compile_tx_single) +
		      sizeof(svc->matcher_compile_tx_single);

	return ids_has_tx(svc) && svc->struct_size >= need && svc->matcher_compile_tx_single;
}

/* The host has the app_event service (ABI 1.6). */
static inline int ids_has_app_event(const struct ids_services *svc)
{
	size_t need = offsetof(struct ids_services, app_event) + sizeof(svc->app_event);

	return svc->struct_size >= need && svc->app_event;
}

/* A rule whose patterns name several buffers (compile it with
 * matcher_compile_tx, see ids_compile_tx). */
static inline int ids_rule_multi(const struct ids_services *svc, const struct ids_rule *r)
{
	return ids_has_tx(svc) && r->n_buffers > 1;
}

/* The bit of each buffer of rule r in bufs (a rule naming a buffer that is
 * not there gets none for it; the compile then reports it). */
static inline uint64_t ids_rule_buffer_mask(const struct ids_rule *r,
					    const struct ids_buffer_def *bufs, size_t n)
{
	uint64_t mask = 0;

	for (size_t b = 0; b < r->n_buffers; b++) {
		int i = ids_buffer_index(bufs, n, r->buffers[b]);

		if (i >= 0 && i < 64)
			mask |= 1ULL << i;
	}
	return mask;
}

/*
 * A plugin's counters published through counter_register/counter_add: the
 * names (a table of n), their ids from ids_counters_register (in init),
 * and, per worker, what was published so far. ids_counters_publish (from
 * tick, which the host also calls once at the end) adds what each counter
 * grew since.
 */
static inline int ids_counters_register(const struct ids_services *svc, const char *const *names,
					size_t n, int *ids)
{
	for (size_t i = 0; i < n; i++)
		if ((ids[i] = svc->counter_register(names[i])) < 0)
			return -1;
	return 0;
}

static inline void ids_counters_publish(const struct ids_services *svc, struct ids_thread *thr,
					const int *ids, const uint64_t *now, uint64_t *published,
					size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (now[i] != published[i]) {
			svc->counter_add(thr, ids[i], now[i] - published[i]);
			published[i] = now[i];
		}
}

/*
 * The services this plugin needs were added by ABI minor `minor` (1: stream
 * matching, 2: buffers, flow_data, alert_fields, app_proto, json_escape,
 * 3: records, alert_tx and counters):
 * 0, or -1 with a message naming the plugin when the sensor is older.
 */
static inline int ids_require_abi(const struct ids_plugin_init_args *args, const char *plugin,
				  int minor)
{
	const struct ids_services *svc = args->svc;
	size_t need =
		minor >= 3   ? offsetof(struct ids_services, alert_tx) + sizeof(svc->alert_tx)
		: minor == 2 ? offsetof(struct ids_services, json_escape) + sizeof(svc->json_escape)
		: minor == 1
			? offsetof(struct ids_services, matcher_stream_scan) +
				  sizeof(svc->matcher_stream_scan)
			: offsetof(struct ids_services, thread_index) + sizeof(svc->thread_index);

	if (svc->struct_size >= need)
		return 0;
	snprintf(args->err, args->errlen, "the %s plugin needs a sensor with plugin ABI 1.%d",
		 plugin, minor);
	return -1;
}

/* Every rule names one of the buffers: 0, or -1 with a message naming the
 * first rule that does not (its file and line) and the valid buffers. */
static inline int ids_rules_need_buffers(const struct ids_plugin_init_args *args,
					 const char *plugin, const struct ids_buffer_def *bufs,
					 size_t n)
{
	char names[512];

	for (size_t i = 0; i < args->n_rules; i++) {
		const struct ids_rule *r = args->rules[i];

		if (r->buffer && ids_buffer_index(bufs, n, r->buffer) >= 0)
			continue;
		ids_buffer_names(bufs, n, names, sizeof(names));
		if (!r->buffer)
			snprintf(
				args->err, args->errlen,
				"rule %u (%s:%d): the %s plugin matches rules on its buffers only: "
				"add `buffer:` (%s)",
				r->id, r->file ? r->file : "?", r->line, plugin, names);
		else
			snprintf(args->err, args->errlen,
				 "rule %u (%s:%d): the %s plugin has no buffer '%s' (%s)", r->id,
				 r->file ? r->file : "?", r->line, plugin, r->buffer, names);
		return -1;
	}
	return 0;
}

/*
 * One matcher per buffer: out[b] (n entries, zeroed by the caller) gets
 * the rules naming bufs[b], NULL for a buffer without rules. Returns 0, or
 * -1 with args->err filled; matchers compiled before the failure stay in
 * out[] for ids_free_matchers.
 */
/* A single-buffer rule on a buffer of `mask` (bits of bufs) that goes to
 * the transaction matchers (ids_compile_tx_single), not to out[b]. */
static inline int ids_rule_single_in(const struct ids_plugin_init_args *args,
				     const struct ids_rule *r, const struct ids_buffer_def *bufs,
				     size_t n, uint64_t mask)
{
	int b = ids_buffer_index(bufs, n, r->buffer);

	return mask && b >= 0 && b < 64 && (mask & (1ULL << b)) && !ids_rule_multi(args->svc, r) &&
	       ids_has_tx_single(args->svc);
}

/* ids_compile_buffers leaving out the rules of ids_rule_single_in(mask). */
static inline int ids_compile_buffers_but(const struct ids_plugin_init_args *args,
					  const struct ids_buffer_def *bufs, size_t n,
					  uint64_t mask, struct ids_matcher **out)
{
	size_t nr = args->n_rules ? args->n_rules : 1;
	const struct ids_rule **subset = calloc(nr, sizeof(*subset));
	int *idx = calloc(nr, sizeof(*idx)); /* each rule's buffer, -1: not here */
	int rc = -1;

	if (!subset || !idx) {
		snprintf(args->err, args->errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < args->n_rules; i++) {
		const struct ids_rule *r = args->rules[i];

		idx[i] = ids_rule_multi(args->svc, r) || ids_rule_single_in(args, r, bufs, n, mask)
				 ? -1
				 : ids_buffer_index(bufs, n, r->buffer);
	}
	for (size_t b = 0; b < n; b++) {
		size_t k = 0;

		for (size_t i = 0; i < args->n_rules; i++)
			if (idx[i] == (int)b)
				subset[k++] = args->rules[i];
		if (k && !(out[b] = args->svc->matcher_compile(subset, k, args->err, args->errlen)))
			goto done;
	}
	rc = 0;
done:
	free(idx);
	free(subset);
	return rc;
}

static inline int ids_compile_buffers(const struct ids_plugin_init_args *args,
				      const struct ids_buffer_def *bufs, size_t n,
				      struct ids_matcher **out)
{
	return ids_compile_buffers_but(args, bufs, n, 0, out);
}

/*
 * The multi-buffer rules (ids_rule_multi) for which keep(rule, mask of its
 * buffers in bufs, arg) says yes, into one transaction matcher *out (NULL
 * when there are none); buffers are then passed to matcher_tx_scan by
 * their index in bufs (n <= IDS_TX_MAX_BUFFERS). Returns 0, or -1 with
 * args->err filled. ids_compile_tx_single also takes the single-buffer
 * rules of the buffers in `single` (bits of bufs; with a host of ABI 1.5,
 * see ids_rule_single_in; keep sees their buffer's bit), which the plugin
 * then compiles apart with ids_compile_buffers_but(..., single, ...) and
 * hands to matcher_tx_scan (held) instead of matcher_scan: one Hyperscan
 * scan of such a buffer serves both kinds of rules.
 */
static inline int
ids_compile_tx_single(const struct ids_plugin_init_args *args, const struct ids_buffer_def *bufs,
		      size_t n, uint64_t single,
		      int (*keep)(const struct ids_rule *r, uint64_t mask, void *arg), void *arg,
		      struct ids_matcher **out)
{
	const struct ids_rule **subset;
	const char *names[IDS_TX_MAX_BUFFERS];
	size_t k = 0;
	int rc = 0;

	*out = NULL;
	if (!ids_has_tx(args->svc) || n > IDS_TX_MAX_BUFFERS)
		return 0;
	subset = calloc(args->n_rules ? args->n_rules : 1, sizeof(*subset));
	if (!subset) {
		snprintf(args->err, args->errlen, "out of memory");
		return -1;
	}
	for (size_t b = 0; b < n; b++)
		names[b] = bufs[b].name;
	for (size_t i = 0; i < args->n_rules; i++) {
		const struct ids_rule *r = args->rules[i];

		int one = ids_rule_single_in(args, r, bufs, n, single);
		uint64_t mask = one ? 1ULL << ids_buffer_index(bufs, n, r->buffer)
				    : ids_rule_buffer_mask(r, bufs, n);

		if ((one || ids_rule_multi(args->svc, r)) && (!keep || keep(r, mask, arg)))
			subset[k++] = r;
	}
	if (k && single && ids_has_tx_single(args->svc))
		*out = args->svc->matcher_compile_tx_single(subset, k, names, n, args->err,
							    args->errlen);
	else if (k)
		*out = args->svc->matcher_compile_tx(subset, k, names, n, args->err, args->errlen);
	if (k && !*out)
		rc = -1;
	free(subset);
	return rc;
}

static inline int ids_compile_tx(const struct ids_plugin_init_args *args,
				 const struct ids_buffer_def *bufs, size_t n,
				 int (*keep)(const struct ids_rule *r, uint64_t mask, void *arg),
				 void *arg, struct ids_matcher **out)
{
	return ids_compile_tx_single(args, bufs, n, 0, keep, arg, out);
}

static inline void ids_free_matchers(const struct ids_services *svc, struct ids_matcher **m,
				     size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i]) {
			svc->matcher_free(m[i]);
			m[i] = NULL;
		}
}

#endif /* IDS_PLUGIN_UTIL_H */
