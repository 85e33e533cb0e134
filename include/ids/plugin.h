/*
 * ids/plugin.h - the detector plugin ABI.
 *
 * This header (with ids/packet.h, which it includes) is the whole public API
 * of the sensor: a plugin compiles against include/ alone and never sees the
 * sensor's own headers.
 *
 * A plugin is a shared object that exports one function, IDS_PLUGIN_ENTRY_NAME
 * ("ids_plugin_entry"), returning a pointer to a constant struct ids_plugin.
 * The host dlopen()s the object with RTLD_NOW | RTLD_LOCAL, calls the entry,
 * refuses the plugin when abi_major differs from IDS_ABI_MAJOR or when
 * struct_size is smaller than the 1.0 descriptor, and reads slots that a
 * later minor version added only when abi_minor says they are there.
 *
 * Lifecycle (every callback may be NULL, meaning "not supported"):
 *
 *   main thread      init(args, &global)           once, after the config and
 *                                                  the plugin's rules are loaded
 *   each worker      thread_init(global, ...)      once per worker thread
 *   each worker      on_packet(thread_ctx, ...)    for every decoded packet
 *   each worker      tick(thread_ctx, ...)         about once per second of
 *                                                  packet time
 *   each worker      thread_fini(thread_ctx)       when the worker stops
 *   main thread      fini(global)                  after every worker stopped
 *
 * Threading contract: init and fini run alone on the main thread. The
 * per-thread callbacks of one worker always run on that worker's thread and
 * never concurrently with each other; different workers run in parallel, so
 * anything reachable from `global` is read-only after init returns, and
 * anything a worker writes lives in its own thread_ctx. The host takes no
 * lock around any callback, and a plugin must not block in on_packet.
 *
 * ABI rules: structs only grow at the end. A minor version may add slots at
 * the end of struct ids_plugin, struct ids_services and struct ids_packet,
 * and new values to enums; anything else (removing, reordering, changing a
 * type or a meaning) needs a major bump. See docs/plugin-guide.md.
 */
#ifndef IDS_PLUGIN_H
#define IDS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "ids/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Minor 3: struct ids_packet.tunnel, IDS_FLOW_END_TCP_REUSE, the records
 * and counter services, alert_tx. Minor 4: multi-buffer rules
 * (ids_rule.buffers, the transaction matcher services matcher_compile_tx
 * and matcher_tx_scan). Minor 5: matcher_compile_tx_single. Minor 6:
 * app-layer events (ids_plugin.events, the app_event service); see
 * docs/plugin-guide.md. The two defines stay plain: cmake/SensorSdk.cmake
 * reads them for the SDK's version. */
#define IDS_ABI_MAJOR 1
#define IDS_ABI_MINOR 6

/* Name of the one symbol a plugin exports. */
#define IDS_PLUGIN_ENTRY_NAME "ids_plugin_entry"

#if defined(__GNUC__)
#define IDS_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define IDS_PLUGIN_EXPORT
#endif

/* Opaque host objects. */
struct ids_thread;  /* one per worker thread, owned by the host */
struct ids_matcher; /* a compiled rule set, see ids_services.matcher_* */
struct ids_json;    /* an EVE record being written, see ids_services.record_begin (1.3) */

/* ---------------------------------------------------------------- rules */

/*
 * A rule as the plugin sees it. The host parses every rule file, keeps the
 * rules whose `detector` names this plugin and hands them to init(). Rules
 * are owned by the host and live until after fini() returns. A plugin that
 * raises alerts of its own (no rule file behind them) may fill a struct
 * ids_rule itself with priv == NULL; it must then live as long as the plugin.
 */
struct ids_rule {
	uint32_t id;		   /* signature id, unique across all rule files */
	uint32_t rev;		   /* revision, default 1 */
	uint32_t gid;		   /* generator id, 1 for rule files */
	int severity;		   /* 1 (highest) .. 4, default 3 */
	const char *msg;	   /* alert.signature */
	const char *category;	   /* alert.category, "" when unset */
	const char *metadata_json; /* alert.metadata as a JSON object, or NULL */
	const char *detector;	   /* name of the plugin evaluating it */
	const char *file;	   /* rule file it came from, for messages */
	int line;		   /* line of the rule in that file */
	const void *priv;	   /* host-private, do not touch */
	/* ---- ABI 1.1 (host rules only) ---- */
	uint8_t scope; /* enum ids_rule_scope: what the rule's patterns look at */
	/* ---- ABI 1.2 (host rules only) ---- */
	const char *buffer; /* `buffer:` the rule's patterns look at (a name a
			       plugin declares, e.g. "http.uri"), or NULL for the
			       packet payload / the stream as `scope` says */
	/* ---- ABI 1.4 (host rules only; read when the host's services have
	 * matcher_tx_scan) ---- */
	/* The distinct buffers the rule's patterns name: 0 for payload and
	 * stream rules, 1 for a single-buffer rule (buffers[0] == buffer),
	 * more for a multi-buffer rule, which must be compiled with
	 * matcher_compile_tx (buffers[0] holds its prefilter and is `buffer`,
	 * unless it is "pkt_data": a rule mixing the payload with a plugin's
	 * buffers has `buffer` its first other buffer, and goes only to a
	 * plugin that declares a buffer named "pkt_data", see
	 * docs/plugin-guide.md). */
	const char *const *buffers;
	size_t n_buffers;
};

/* What a rule's patterns look at (`scope:` in rule files). A rule with
 * `scope: auto` (TCP data on the stream, other packets one by one) is
 * handed to its plugin twice, once with each scope (same id and priv);
 * the host never reports its packet view on a TCP packet. */
enum ids_rule_scope {
	IDS_SCOPE_PACKET = 0, /* each packet's payload: compile with matcher_compile */
	IDS_SCOPE_STREAM = 1, /* the reassembled TCP stream: matcher_compile_stream */
};

/* ------------------------------------------------------ buffers (1.2) */

/*
 * A named view of the traffic a plugin extracts and matches rules on
 * ("http.uri", "dns.query", "tls.sni", ...). A plugin lists the buffers it
 * provides in its descriptor; a rule saying `buffer: NAME` goes to the
 * plugin that declares NAME (its `detector` defaults to that plugin), and a
 * rule naming a buffer no loaded plugin declares is a load error at the
 * rule's file:line. The plugin compiles each buffer's rules with
 * matcher_compile (offset and depth count from the buffer's start) and
 * scans the buffer's bytes with matcher_scan.
 */
struct ids_buffer_def {
	const char *name; /* "proto.field": lower case, digits, '_' and '.' */
	const char *help; /* one line for docs */
};

/* ------------------------------------------------- transactions (1.4) */

/*
 * One buffer of a transaction handed to matcher_tx_scan. A transaction
 * (an HTTP request and its response, a DNS query and its answer, a TLS
 * handshake) makes its buffers available in steps; at each step the plugin
 * passes the buffers that became available (IDS_TXBUF_FRESH) and those of
 * earlier steps of the same transaction it still holds (flags 0). Each
 * buffer index is fresh at most once per transaction: then every
 * multi-buffer rule fires at most once per transaction. `data` is read
 * only during the call.
 */
#define IDS_TXBUF_FRESH 0x01

struct ids_tx_buffer {
	uint32_t buf;	     /* index in the names given to matcher_compile_tx */
	uint32_t flags;	     /* IDS_TXBUF_* */
	const uint8_t *data; /* may be NULL when len is 0 */
	size_t len;
};

/* Most buffer names one transaction matcher takes. */
#define IDS_TX_MAX_BUFFERS 64

/* --------------------------------------------- app-layer events (1.6) */

/*
 * An anomaly a plugin's parser finds in a protocol message, which the
 * plugin raises with the app_event service (Suricata's app-layer events:
 * `app-layer-event:http.invalid_transfer_encoding_value_in_request`). A
 * plugin lists the events it can raise in its descriptor; a rule on an
 * app-layer event that neither the host nor a loaded plugin raises is a
 * load error at the rule's file:line. For each raise the host writes an
 * EVE `anomaly` record (type "applayer", layer "proto_parser"), counts it
 * (stats plugins.PLUGIN.EVENT, EVENT the name after its protocol), fires
 * the rules on the event alone and lets the rules that combine the event
 * with patterns (matched by the plugin) alert on the flow's transaction
 * that raised it. See docs/plugin-guide.md and docs/events.md.
 */
struct ids_event_def {
	/* "proto.event" as rules name it: lower case letters, digits and
	 * '_', one '.' after the protocol; the part after the '.' at most
	 * IDS_COUNTER_NAME_MAX characters */
	const char *name;
	const char *help; /* one line for docs */
};

/* ------------------------------------------------------------- options */

enum ids_opt_type {
	IDS_OPT_BOOL = 1,
	IDS_OPT_INT = 2, /* int64, checked against [min, max] */
	IDS_OPT_STRING = 3,
};

/*
 * A plugin declares its options as a table; the host validates the
 * `options:` map of the plugin's entry in sensor.yaml against it (unknown
 * names, wrong types and out-of-range values are config errors) and hands
 * init() the values in the table's order, defaults filled in.
 */
struct ids_option_def {
	const char *name;
	enum ids_opt_type type;
	const char *def;  /* default as text: "true", "42", "abc" */
	int64_t min, max; /* range for IDS_OPT_INT */
	const char *help; /* one line for `sensor --list-options` and docs */
};

union ids_opt_value {
	int b;	       /* IDS_OPT_BOOL */
	int64_t i;     /* IDS_OPT_INT */
	const char *s; /* IDS_OPT_STRING, owned by the host, lives until fini */
};

/* ------------------------------------------------------ streams (1.1) */

/* Flags of a stream chunk. */
#define IDS_STREAM_GAP 0x01 /* gap_before bytes of the stream were lost just before data[0] */
#define IDS_STREAM_END 0x02 /* the direction ended (FIN, RST or flow end): no more data */

/*
 * In-order reassembled data of one direction of a TCP flow, as the
 * destination host sees it (overlaps resolved by its reassembly policy,
 * retransmissions delivered once). Chunks of a direction arrive in stream
 * order, each byte once. `data` is valid only during the callback.
 */
struct ids_stream_chunk {
	const uint8_t *data;
	uint32_t len;	     /* may be 0 with IDS_STREAM_END */
	uint32_t gap_before; /* bytes missing before data[0] (0 unless IDS_STREAM_GAP) */
	uint64_t offset;     /* stream offset of data[0]: 0 is the first byte after the SYN */
	uint8_t direction;   /* enum ids_direction */
	uint8_t flags;	     /* IDS_STREAM_* */
};

/* Why a flow ended (EVE flow.reason). */
enum ids_flow_end {
	IDS_FLOW_END_TIMEOUT = 0,  /* idle past its timeout ("timeout") */
	IDS_FLOW_END_EVICTED = 1,  /* dropped to make room ("forced") */
	IDS_FLOW_END_SHUTDOWN = 2, /* end of capture or sensor stop ("shutdown") */
	/* ABI 1.3 (a host of any minor may pass it; treat unknown values as
	 * timeout): */
	IDS_FLOW_END_TCP_REUSE = 3, /* a new connection reused the 5-tuple ("tcp_reuse") */
};

/* A flow that ended, for on_flow_end. Valid only during the callback. */
struct ids_flow_info {
	uint64_t flow_id;
	struct ids_addr client, server;
	uint16_t client_port, server_port;
	uint8_t proto;
	uint8_t end_reason;	    /* enum ids_flow_end */
	uint8_t alerted;	    /* an alert was raised on the flow */
	uint8_t tcp_flags[2];	    /* OR of TCP flags per direction */
	uint64_t pkts[2], bytes[2]; /* [IDS_DIR_TO_SERVER], [IDS_DIR_TO_CLIENT] */
	int64_t first_usec, last_usec;
};

/* ------------------------------------------------------ records (1.3) */

/*
 * The JSON builder of a record a plugin writes (record_begin .. record_end).
 * Each call appends one member to the object or array opened last (`key`
 * is NULL for array elements, a plain ASCII name otherwise). Strings are
 * escaped by the host (bytes that are not UTF-8 become \u00XX); a NULL
 * string is written as "". Nesting deeper than IDS_JSON_MAX_DEPTH drops
 * the record. Worker thread, between record_begin and record_end only.
 */
#define IDS_JSON_MAX_DEPTH 16

struct ids_json_ops {
	void (*open_object)(struct ids_json *j, const char *key);
	void (*close_object)(struct ids_json *j);
	void (*open_array)(struct ids_json *j, const char *key);
	void (*close_array)(struct ids_json *j);
	void (*str)(struct ids_json *j, const char *key, const char *s);
	void (*strn)(struct ids_json *j, const char *key, const char *s, size_t n);
	void (*u64)(struct ids_json *j, const char *key, uint64_t v);
	void (*i64)(struct ids_json *j, const char *key, int64_t v);
	void (*boolean)(struct ids_json *j, const char *key, int v);
	/* A pre-rendered JSON value (object, array, number), copied as is. */
	void (*raw)(struct ids_json *j, const char *key, const char *json);
};

/* ------------------------------------------------------------ services */

enum ids_log_level { IDS_LOG_ERROR = 0, IDS_LOG_WARN, IDS_LOG_INFO, IDS_LOG_DEBUG };

/*
 * Called for every rule of a matcher that matched a buffer completely:
 * all its patterns (within their offset/depth), its pcre, and its header
 * (proto, addresses, ports, direction) against the packet. Runs on the
 * scanning thread, inside matcher_scan. Return 0 to go on, non-zero to stop
 * the scan.
 */
typedef int (*ids_match_fn)(const struct ids_rule *rule, void *ctx);

/*
 * What the host offers a plugin. The table is owned by the host, constant,
 * and valid from init() until fini() returns.
 */
struct ids_services {
	uint32_t struct_size; /* sizeof the host's table: check before using
				 slots newer than your build */

	/* Log a message tagged with the plugin's name. Any thread; never per
	 * packet on the packet path. */
	void (*log)(enum ids_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 2, 3)))
#endif
		;

	/* Raise an alert for `pkt` on rule `rule`. Worker thread only, with
	 * the ids_thread the callback received. The host renders the EVE
	 * record; neither pointer is kept after the call returns. */
	void (*alert)(struct ids_thread *thr, const struct ids_packet *pkt,
		      const struct ids_rule *rule);

	/* Compile `rules` (patterns, pcre and headers) into one matcher.
	 * Main thread, from init() only. Returns NULL and fills err (a
	 * complete message naming file:line:column of the faulty rule) on
	 * failure. The matcher is owned by the plugin; free it in fini(). The
	 * rule pointers must stay valid as long as the matcher (host rules
	 * do). */
	struct ids_matcher *(*matcher_compile)(const struct ids_rule *const *rules, size_t n,
					       char *err, size_t errlen);
	void (*matcher_free)(struct ids_matcher *m);

	/* Scan `buf` (usually pkt->payload) and call `cb` once per rule that
	 * matches completely. Worker thread only; allocates nothing; the
	 * per-thread scratch comes from `thr`. Returns the number of rules
	 * reported. */
	unsigned (*matcher_scan)(struct ids_thread *thr, const struct ids_matcher *m,
				 const struct ids_packet *pkt, const uint8_t *buf, size_t len,
				 ids_match_fn cb, void *ctx);

	/* Worker index of `thr`, 0 .. thread_count-1. */
	unsigned (*thread_index)(const struct ids_thread *thr);

	/* ---- ABI 1.1: check struct_size before using these ---- */

	/* Compile `rules` into a matcher for streams (Hyperscan stream mode).
	 * Same contract as matcher_compile; free with matcher_free. Patterns'
	 * offset and depth count from the start of the stream. */
	struct ids_matcher *(*matcher_compile_stream)(const struct ids_rule *const *rules, size_t n,
						      char *err, size_t errlen);

	/* Scan the next chunk of a stream with a stream matcher, from
	 * on_stream. The host keeps the matcher's state for each flow
	 * direction (a pattern spanning any number of chunks is found, each
	 * byte is scanned once, nothing is copied) and releases it when the
	 * flow ends. `pkt` is the packet on_stream received: alerts raised
	 * from `cb` carry it. Each rule is reported at most once per flow
	 * direction unless it says `stream_alerts: every`. Worker thread
	 * only; returns the number of rules reported. */
	unsigned (*matcher_stream_scan)(struct ids_thread *thr, const struct ids_matcher *m,
					const struct ids_packet *pkt,
					const struct ids_stream_chunk *chunk, ids_match_fn cb,
					void *ctx);

	/* ---- ABI 1.2: check struct_size before using these ---- */

	/* The calling plugin's slot of per-flow data for the flow of the
	 * packet or chunk being processed: *slot is NULL until the plugin
	 * stores something; the plugin frees it in on_flow_end (the host
	 * never touches it). Worker thread, from on_packet, on_stream and
	 * on_flow_end; NULL when there is no flow (a fragment), or in
	 * on_flow_end when no plugin stored anything for the flow. */
	void **(*flow_data)(struct ids_thread *thr);

	/* Like alert, with protocol fields: `fields` is one or more JSON
	 * object members, already rendered ("\"http\":{\"hostname\":...}"),
	 * written after the `alert` object as Suricata writes its protocol
	 * objects; NULL for none. Use json_escape for every string. */
	void (*alert_fields)(struct ids_thread *thr, const struct ids_packet *pkt,
			     const struct ids_rule *rule, const char *fields);

	/* The application protocol the host recognised for the current flow
	 * from its first bytes ("http", "tls", "dns", "ssh", "smtp", "ftp",
	 * "imap", "pop3", "smb", "rdp"),
	 * or NULL while unknown. Worker thread. */
	const char *(*app_proto)(struct ids_thread *thr);

	/* Escape n bytes as the body of a JSON string (no quotes) into out,
	 * NUL-terminated; returns the length needed (like snprintf). Bytes
	 * that are not UTF-8 become \u00XX. Any thread. */
	size_t (*json_escape)(char *out, size_t outlen, const char *s, size_t n);

	/* ---- ABI 1.3: check struct_size before using these ---- */

	/* Start an EVE record of event_type `type` ("http", "dns", "tls", or a
	 * name of the plugin's own: lower case letters, digits and '_', at
	 * most 31) about `pkt` and its flow. The host writes the common
	 * header (timestamp of pkt, flow_id, in_iface, event_type, vlan,
	 * src_ip/src_port/dest_ip/dest_port oriented client to server as the
	 * flow's, proto, community_id, host, and tx_id when tx_id >= 0) and
	 * returns the builder the plugin adds its members to with `json`;
	 * record_end writes the record. Returns NULL when the record type is
	 * switched off in the config (`types:`; render nothing then) or for a
	 * bad type name. One record is open at a time per thread: raise
	 * alerts before record_begin or after record_end (a record still open
	 * when anything else is written is closed and written first). Worker
	 * thread, from on_packet, on_stream, on_flow_end or tick; the builder
	 * is valid until record_end. */
	struct ids_json *(*record_begin)(struct ids_thread *thr, const struct ids_packet *pkt,
					 const char *type, int64_t tx_id);
	void (*record_end)(struct ids_thread *thr, struct ids_json *j);
	const struct ids_json_ops *json;

	/* Like alert_fields, for a rule that matched in transaction `tx_id`
	 * (numbered from 0 per flow, as in the plugin's records; written as
	 * the alert's tx_id; -1: none). */
	void (*alert_tx)(struct ids_thread *thr, const struct ids_packet *pkt,
			 const struct ids_rule *rule, const char *fields, int64_t tx_id);

	/* Register a counter of the calling plugin: `name` is lower case
	 * letters, digits and '_' (at most IDS_COUNTER_NAME_MAX characters).
	 * Stats records show it as plugins.PLUGIN.NAME, per worker and summed
	 * over workers. Main thread, from init() only; the same name twice
	 * gives the same id. Returns the counter's id (0, 1, ...) or -1 (bad
	 * name, more than IDS_MAX_COUNTERS). */
	int (*counter_register)(const char *name);
	/* Add n to counter `id` of the calling plugin in this worker. Worker
	 * thread; no lock, nothing allocated; a bad id is ignored. Counters
	 * keep counting across rule reloads. */
	void (*counter_add)(struct ids_thread *thr, int id, uint64_t n);

	/* ---- ABI 1.4: check struct_size before using these ---- */

	/* Compile multi-buffer rules (ids_rule.n_buffers > 1) into one
	 * transaction matcher. `buf_names` (n_bufs <= IDS_TX_MAX_BUFFERS) are
	 * the buffers the plugin will pass, by index, to matcher_tx_scan;
	 * every buffer a rule names must be among them. Each rule gets one
	 * prefilter pattern, in its buffers[0]; the rest of its program
	 * (each buffer's patterns in their own cursor context) is verified
	 * when the prefilter hits and all its buffers are present. Same
	 * contract as matcher_compile otherwise (main thread, from init;
	 * free with matcher_free). */
	struct ids_matcher *(*matcher_compile_tx)(const struct ids_rule *const *rules, size_t n,
						  const char *const *buf_names, size_t n_bufs,
						  char *err, size_t errlen);
	/* One step of a transaction (see struct ids_tx_buffer): calls `cb`,
	 * in rule order, once per rule of `m` whose buffers are all in
	 * `bufs`, one of them fresh, whose patterns match in their buffers
	 * and whose header accepts `pkt`. Worker thread only; allocates
	 * nothing. Returns the number of rules reported. */
	unsigned (*matcher_tx_scan)(struct ids_thread *thr, const struct ids_matcher *m,
				    const struct ids_packet *pkt, const struct ids_tx_buffer *bufs,
				    size_t n, ids_match_fn cb, void *ctx);

	/* ---- ABI 1.5: check struct_size before using this ---- */

	/* matcher_compile_tx that also takes rules on ONE buffer
	 * (ids_rule.n_buffers <= 1, ids_rule.buffer among buf_names): the
	 * rules of a buffer, single- and multi-buffer, share one Hyperscan
	 * database, so a buffer the plugin holds for the multi-buffer rules
	 * is scanned once. matcher_tx_scan reports a single-buffer rule when
	 * its buffer is fresh, not empty, and the rule matches there (as
	 * matcher_scan of that buffer would), in rule order with the others. */
	struct ids_matcher *(*matcher_compile_tx_single)(const struct ids_rule *const *rules,
							 size_t n, const char *const *buf_names,
							 size_t n_bufs, char *err, size_t errlen);

	/* ---- ABI 1.6: check struct_size before using this ---- */

	/* Raise app-layer event `event` (an index in the calling plugin's
	 * ids_plugin.events) about `pkt`, the packet or stream chunk that
	 * completed the message, in transaction `tx_id` of the current flow
	 * (numbered as in the plugin's records; -1: none). Raise an event once
	 * per message, before the message's buffers are scanned, so that rules
	 * combining the event with patterns see it. The host writes the EVE
	 * anomaly record (nothing may be open from record_begin), counts the
	 * event and fires the rules on it. A bad index is ignored. Worker
	 * thread, from on_packet or on_stream. */
	void (*app_event)(struct ids_thread *thr, const struct ids_packet *pkt, unsigned event,
			  int64_t tx_id);
};

#define IDS_MAX_COUNTERS     32 /* counters per plugin (counter_register) */
#define IDS_MAX_EVENTS	     16 /* app-layer events per plugin (ids_plugin.events) */
#define IDS_COUNTER_NAME_MAX 47

/* ------------------------------------------------------------ descriptor */

/* What init() receives. Everything is owned by the host and lives until
 * fini() returns. */
struct ids_plugin_init_args {
	uint32_t struct_size;
	const struct ids_services *svc;
	const union ids_opt_value *opts;     /* one per options[] entry, in order */
	const struct ids_rule *const *rules; /* this plugin's rules */
	size_t n_rules;
	unsigned thread_count; /* how many workers will call thread_init */
	char *err;	       /* on failure, write a message here */
	size_t errlen;
};

struct ids_plugin {
	uint16_t abi_major;   /* IDS_ABI_MAJOR of the headers built against */
	uint16_t abi_minor;   /* IDS_ABI_MINOR of the headers built against */
	uint32_t struct_size; /* sizeof(struct ids_plugin) */
	const char *name;     /* matches `name:` in sensor.yaml and `detector:` in rules */
	const char *version;
	const char *description;
	const struct ids_option_def *options; /* may be NULL */
	size_t n_options;

	/* Main thread. Build the plugin's global state from its options and
	 * rules; store it in *global. Return 0, or -1 with args->err filled. */
	int (*init)(const struct ids_plugin_init_args *args, void **global);

	/* Worker thread. Build the thread's own state in *thread_ctx. Return
	 * 0 or -1 (the sensor then stops with an error). */
	int (*thread_init)(void *global, struct ids_thread *thr, void **thread_ctx);

	/* Worker thread, for every decoded packet, in capture order per flow.
	 * `pkt` and everything it points to are valid only during the call. */
	void (*on_packet)(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt);

	/* Worker thread, roughly once per second of packet time (capture
	 * time in file mode), with the current time in microseconds. */
	void (*tick)(void *thread_ctx, struct ids_thread *thr, int64_t now_usec);

	/* Worker thread: free the thread state. */
	void (*thread_fini)(void *thread_ctx);

	/* Main thread: free the global state. */
	void (*fini)(void *global);

	/* ---- ABI 1.1 (read only when abi_minor >= 1) ---- */

	/* Worker thread: reassembled TCP data of one flow direction (see
	 * struct ids_stream_chunk). `pkt` is the segment that carried the
	 * data (pkt_src IDS_PKT_SRC_STREAM, its own capture time and
	 * number, addresses and direction of the data's sender); with
	 * IDS_STREAM_END and no data, the packet that ended the direction or
	 * the flow's last packet. */
	void (*on_stream)(void *thread_ctx, struct ids_thread *thr, const struct ids_packet *pkt,
			  const struct ids_stream_chunk *chunk);

	/* Worker thread: a flow ended (after its last on_stream). */
	void (*on_flow_end)(void *thread_ctx, struct ids_thread *thr,
			    const struct ids_flow_info *flow);

	/* ---- ABI 1.2 (read only when abi_minor >= 2) ---- */

	/* The buffers this plugin provides (see struct ids_buffer_def). */
	const struct ids_buffer_def *buffers;
	size_t n_buffers;

	/* ---- ABI 1.6 (read only when abi_minor >= 6) ---- */

	/* The app-layer events this plugin raises (see struct
	 * ids_event_def), at most IDS_MAX_EVENTS; the index in this table is
	 * what app_event takes. */
	const struct ids_event_def *events;
	size_t n_events;

	/* Slots added by later minor versions go here, at the end. */
};

/* The entry point every plugin defines (declared here so that its
 * definition is checked against this prototype and exported). */
typedef const struct ids_plugin *(*ids_plugin_entry_fn)(void);
IDS_PLUGIN_EXPORT const struct ids_plugin *ids_plugin_entry(void);

#ifdef __cplusplus
}
#endif
#endif /* IDS_PLUGIN_H */
