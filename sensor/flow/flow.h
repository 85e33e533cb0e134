/*
 * flow.h - per-worker flow table.
 *
 * Flows are keyed by the bidirectional 5-tuple (protocol, both addresses,
 * both ports) plus the VLAN ids; the client is the side that sent the
 * flow's first packet. Each worker owns one table: nothing here is shared
 * or locked. Flows come from a pool allocated at creation (max-flows), so
 * the packet path allocates nothing; when the pool is empty a flow is
 * evicted: closed first, then embryonic, then established, least recently
 * seen first (counted in flow_stats.evicted and by kind).
 *
 * flow_id is a pure function of the key and the flow's first timestamp
 * (a 64-bit mix masked to 51 bits, never 0), so the same capture gives the
 * same ids whatever the number of workers.
 */
#ifndef SENSOR_FLOW_H
#define SENSOR_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "ids/packet.h"

struct packet;
struct tcp_session;

#define FLOW_ID_MASK ((UINT64_C(1) << 51) - 1)

/* Same values as enum ids_flow_end. */
enum flow_end_reason {
	FLOW_END_TIMEOUT = 0,
	FLOW_END_EVICTED,
	FLOW_END_SHUTDOWN,
	FLOW_END_TCP_REUSE /* a SYN started a new connection on the 5-tuple */
};

/* EVE flow.state; each state has its own timeout. */
enum flow_state { FLOW_STATE_NEW = 0, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED };

/* `flow:` of sensor.yaml; filled by the config loader. */
struct flow_config {
	uint32_t max_flows; /* per worker */
	/* Idle seconds before a flow ends, established state (packets seen
	 * both ways). */
	uint32_t timeout_tcp, timeout_udp, timeout_icmp, timeout_other;
	/* Same while only one direction was seen; 0: as established. */
	uint32_t new_tcp, new_udp, new_icmp, new_other;
	/* A TCP session that closed (FIN both ways, or RST); 0: as
	 * established. */
	uint32_t closed_tcp;
};

struct flow_key {
	uint8_t addr[2][16]; /* [0] the lower (address, port), [1] the higher */
	uint16_t port[2];
	uint16_t vlan[IDS_MAX_VLAN];
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	uint8_t pad[2];
	uint32_t tunnel_id; /* the VNI / ERSPAN session of the tunnels around the
			       flow with decoder.track-tunnel-id (struct
			       packet.track_id), else 0 */
};

struct flow {
	struct flow_key key;
	uint64_t hash;
	uint64_t flow_id;
	uint8_t client_side; /* which key side (0/1) is the client */
	uint8_t timeout_class;
	uint8_t state; /* enum flow_state */
	uint8_t alerted;
	uint8_t tcp_flags[2]; /* OR of TCP flags seen per direction (to_server, to_client) */
	uint64_t pkts[2];     /* [IDS_DIR_TO_SERVER], [IDS_DIR_TO_CLIENT] */
	uint64_t bytes[2];
	int64_t first_usec, last_usec;
	struct tcp_session *tcp; /* TCP state and buffered segments (stream_tcp.c), or NULL */
	void **mstreams;	 /* per stream matcher: its state for each direction
				    (worker.c), or NULL before the flow has stream data */
	uint8_t end_reason;	 /* enum flow_end_reason, set when the flow ends */
	uint8_t app_proto;	 /* enum app_proto (app/app_detect.h) */
	uint8_t app_tries;	 /* data packets looked at to find it */
	uint8_t lost_state;	 /* see below */
	void **plugin_data;	 /* one slot per plugin (flow_data service), or NULL */
	/* table internals */
	struct flow *hnext;		  /* hash chain */
	struct flow *lru_prev, *lru_next; /* per timeout class, oldest first */
	/* detect's per-flow state (flowbits, pass: detect/rule_state.h), or
	 * NULL; freed by rule_flow_state_free when the flow ends */
	void *detect_state;
	/* the tunnel around the flow's latest packet (worker.c), for the
	 * stream data it releases later */
	struct ids_tunnel tunnel;
	/* ICMP flows: type and code of the first packet (community_id of the
	 * flow record), set by the worker. */
	uint8_t icmp_type, icmp_code;
	/* app-layer events (worker.c): 1 + the direction app_proto was
	 * recognised in (0: none yet), and whether the other direction's first
	 * data was looked at since */
	uint8_t app_dir;
	uint8_t app_other_seen;
};

/*
 * flow.lost_state: 1 + the enum flow_end_reason (evicted, timeout) with
 * which the sensor itself ended this 5-tuple's previous, established TCP
 * session; 0 when it did not. The session's state was lost, so it is
 * picked up midstream when it resumes (stream_tcp.c), and the flow record
 * says so.
 */

struct flow_stats {
	uint64_t created, expired, evicted, active, lookups;
	uint64_t tcp_reuse; /* flows ended because a new connection reused their 5-tuple */
	/* Evictions by kind, in the order they are chosen: closed TCP
	 * sessions, embryonic flows (state new: no completed handshake, or one
	 * direction only), then established flows, least recently seen first. */
	uint64_t evicted_closed, evicted_embryonic, evicted_established;
};

typedef void (*flow_end_fn)(struct flow *f, enum flow_end_reason why, void *ctx);

/* Does packet `p` (a TCP packet of live flow `f`, going `dir`, enum
 * ids_direction) start a new connection on f's 5-tuple? Called on the
 * worker thread from flow_table_update, before the packet is accounted. */
typedef bool (*flow_reuse_fn)(const struct flow *f, const struct packet *p, int dir, void *ctx);

struct flow_table;

/* Allocate a table with cfg->max_flows flows. NULL on allocation failure. */
struct flow_table *flow_table_new(const struct flow_config *cfg);
/* Who hears about flows evicted to make room (flow_table_update may evict
 * one); NULL: nobody. */
void flow_table_set_end_cb(struct flow_table *t, flow_end_fn cb, void *ctx);
/* Who decides TCP session reuse (NULL: nobody, the default). When it says
 * yes, flow_table_update ends the old flow (FLOW_END_TCP_REUSE, through the
 * end callback) and gives the packet a new flow with its own flow_id. */
void flow_table_set_reuse_cb(struct flow_table *t, flow_reuse_fn cb, void *ctx);
/* A TCP flow with a session becomes established only when the session
 * says its handshake completed (flows without a session: once both
 * directions were seen); until then it is embryonic: `new` timeout, evicted
 * before established flows. */
void flow_table_set_established(struct flow_table *t, struct flow *f);
/* Memory is short elsewhere (stream memcap): evict one TCP flow other than
 * `keep` for which `pred` is true, in the eviction order (closed, embryonic,
 * established; least recently seen first, looking at most at the 256 least
 * recently seen of each), through the end callback. False when none. */
bool flow_table_evict_tcp(struct flow_table *t, const struct flow *keep,
			  bool (*pred)(const struct flow *f, void *ctx), void *ctx);
/* Mark a flow closed (its TCP session ended): it now idles out after the
 * `closed` timeout. */
void flow_table_set_closed(struct flow_table *t, struct flow *f);
/* "new", "established", "closed". */
const char *flow_state_name(const struct flow *f);
void flow_table_free(struct flow_table *t);

/*
 * Find or create the flow of `p` and account the packet to it: sets
 * p->pub.flow_id and p->pub.direction, updates counters and last_usec.
 * Returns the flow, or NULL for a packet without a flow (never for IP).
 */
struct flow *flow_table_update(struct flow_table *t, struct packet *p);

/* End the flows idle longer than their timeout at `now_usec`, calling `cb`
 * for each before it is recycled. */
void flow_table_expire(struct flow_table *t, int64_t now_usec, flow_end_fn cb, void *ctx);

/* End every flow (end of capture / shutdown). */
void flow_table_flush(struct flow_table *t, flow_end_fn cb, void *ctx);

/* Call fn for every live flow (a rule reload releasing per-flow matcher
 * state); fn must not end or create flows. */
void flow_table_foreach(struct flow_table *t, void (*fn)(struct flow *f, void *ctx), void *ctx);

const struct flow_stats *flow_table_stats(const struct flow_table *t);

/* Key of a packet, normalised; *swapped tells whether the packet's source
 * is key side 1. Exposed for tests. */
void flow_key_from_packet(struct flow_key *k, const struct packet *p, bool *swapped);
uint64_t flow_key_hash(const struct flow_key *k);

#endif
