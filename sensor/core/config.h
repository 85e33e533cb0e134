/*
 * config.h - sensor.yaml: what the sensor runs with.
 *
 * The loader validates the whole file (unknown keys, wrong types, values out
 * of range are errors with file:line:column and the valid choices) and fills
 * struct sensor_config. Paths in the file are relative to the file's folder.
 * Command-line options override what the file says after loading. Main
 * thread only; the config lives for the whole run.
 *
 * Schema (every key optional):
 *   log-dir: PATH                 where eve.json goes (default ".")
 *   plugin-dir: PATH              where plugins are found (default: beside
 *                                 the binary, then the install folder)
 *   threads: N                    worker threads (default 1)
 *   outputs:
 *     eve:
 *       enabled: BOOL             (true)
 *       filename: NAME            (eve.json, relative to log-dir)
 *       payload: BOOL             base64 payload in alerts (false)
 *       payload-printable: BOOL   printable payload in alerts (false)
 *       packet: BOOL              base64 packet in alerts (false)
 *       types: [alert, anomaly, flow, stats]   records written (all)
 *   logging: { level: error|warning|info|debug (warning), file: PATH,
 *              syslog: BOOL, facility: NAME (daemon), identity: NAME }
 *   allow-no-rules: BOOL          zero rules is not an error (false)
 *   control-socket: { enabled: BOOL (false), path: PATH (log-dir/sensor.sock),
 *                     mode: "0660", group: NAME }
 *   outputs:                      or a list (docs/configuration.md):
 *     - eve: { name, enabled, sink: file|unix_dgram|unix_stream|syslog|redis,
 *              types, payload, payload-printable, packet, queue-size,
 *              filename, rotate-interval, limit, mode, owner, group,
 *              syslog: { facility, level, identity, socket },
 *              redis: { server, port, socket, password, mode, key,
 *                       stream-maxlen, batch-size } }
 *   flow:
 *     max-flows: N                per worker (65536)
 *     timeouts:                   seconds; a number sets every state
 *       tcp: { new: 60, established: 3600, closed: 60 }
 *       udp|icmp|other: { new: 30, established: 300 }
 *   host-os-policy:               overlap policy of defrag and reassembly
 *     default: NAME               (bsd)
 *     NAME: [CIDR, ...]           destinations using policy NAME
 *   stream:
 *     midstream: BOOL             (false)
 *     checksum-validation: auto|yes|no (auto; true/false = yes/no)
 *     memcap: SIZE                (64mb) bytes buffered per worker
 *     reassembly: { depth: SIZE (1mb, 0: no limit), max-unacked: SIZE (1mb) }
 *       urgent-policy: auto|inline|oob|gap (auto: the destination's OS policy)
 *   defrag:
 *     timeout: S (60), memcap: SIZE (32mb), max-trackers: N (65536)
 *   capture:                      live capture (sensor -i)
 *     file-read: split | reader   several workers on a pcap file (-r): each
 *                                 walks the file's map (split), or one
 *                                 reader thread hands frames out (reader)
 *     method: af-packet | raw     (af-packet)
 *     interfaces: [NAME, ...]     -i overrides
 *     bpf: FILTER                 --bpf overrides
 *     promisc: BOOL               (true)
 *     af-packet: { block-size: SIZE (1mb), block-count: N (64), frame-size: N (2048),
 *                  block-timeout: MS (10), fanout: hash|lb|cpu|qm (hash),
 *                  defrag: BOOL (true), group: N (from the pid) }
 *     raw: { batch: N (64), snaplen: N (65535) }
 *   stats: { interval: S }        stats records while capturing live (30, 0: off)
 *   pidfile: PATH
 *   run-as: { user: NAME, group: NAME }   drop privileges once capturing
 *   plugins:                      list; order is the order packets visit them
 *     - name: NAME                plugin name (file NAME.so in plugin-dir)
 *       path: PATH                optional explicit .so path
 *       enabled: BOOL             (true)
 *       rules: [PATH, ...]        rule files; their rules default
 *                                 `detector` to this plugin
 *       options: { ... }          validated against the plugin's table
 *   rule-files: [PATH, ...]       rule files loaded for every plugin
 *                                 (rules go to the plugin their `detector`
 *                                 names, default signature); -S replaces
 *                                 every rule file the config names
 */
#ifndef SENSOR_CONFIG_H
#define SENSOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture_live.h"
#include "core/control_socket.h"
#include "base/os_policy.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "flow/flow.h"
#include "output/eve.h"
#include "output/output.h"
#include "stream/stream_tcp.h"
#include "detect/rules_suricata.h"

struct diag;
struct ynode;

struct plugin_conf {
	char *name;
	char *path; /* explicit path or NULL */
	bool enabled;
	const struct ynode *options; /* the options map node, or NULL */
	char **rule_files;	     /* resolved paths; rules in them default their
					`detector` to this plugin */
	size_t n_rule_files;
	int line; /* of the list entry, for messages */
};

/* stream.checksum-validation. auto validates until a worker finds most
 * checksums bad (offloading on the interface or in the capture), then
 * stops (worker.c). */
enum checksum_mode { CHECKSUM_NO = 0, CHECKSUM_YES = 1, CHECKSUM_AUTO = 2 };

struct sensor_config {
	char *file; /* the config file loaded, or NULL for built-in defaults */
	char *log_dir;
	char *plugin_dir; /* NULL: find beside the binary */
	unsigned threads;
	struct eve_config eve;
	struct flow_config flow;
	struct plugin_conf *plugins;
	size_t n_plugins;
	char **rule_files; /* absolute or relative to cwd, resolved */
	size_t n_rule_files;
	/* Drop packets with bad IP/TCP/UDP/ICMP checksums from defrag and
	 * reassembly (`stream.checksum-validation`: enum checksum_mode, default
	 * auto; true/false are yes/no) */
	uint8_t checksum_validation;
	struct os_policy_map policies; /* `host-os-policy:` */
	struct stream_config stream;   /* stream.policies points to policies */
	struct defrag_config defrag;   /* defrag.policies points to policies */
	/* Live capture (`capture:`); live.ifaces points to ifaces, live.bpf
	 * to bpf. */
	struct live_config live;
	char **ifaces;
	size_t n_ifaces;
	char *bpf;
	unsigned threads_set;	 /* `threads:` was given (else one per CPU live) */
	bool file_reader_thread; /* capture.file-read: reader (not split) */
	uint32_t stats_interval; /* seconds between stats records live, 0: off (30) */
	char *pidfile;		 /* NULL: none */
	char *run_as_user;	 /* NULL: keep the starting user */
	char *run_as_group;
	struct ynode *tree; /* keeps option nodes alive */
	/* `classification-file:` (classtype in rules), resolved; NULL: none */
	char *classification_file;
	struct decode_config decoder; /* `decoder:` (tunnels) */
	/* `rules:` (detection engine) */
	bool rules_on_error_fail; /* on-error: fail (a broken rule stops the start) */
	char *rules_cache_dir;	  /* cache-dir: compiled databases; NULL: no cache */
	/* Suricata/Snort rule files' side files (issue 11): `vars:`,
	 * `reference-config-file:`, `threshold-file:`, `enable-file:`,
	 * `disable-file:`. suri's paths point to the strings below, its vars
	 * into tree. */
	struct suri_files suri;
	char *suri_reference, *suri_threshold, *suri_enable, *suri_disable;
	/* `outputs:` as a list (output/output.h); empty with the map form
	 * `outputs: eve:`, which is one file output made from `eve`. The
	 * list form also fills `eve` with what any output renders. */
	struct output_conf *outputs;
	size_t n_outputs;
	/* `control-socket:` (core/control_socket.h); off by default. */
	struct ctl_socket_config control_socket;
	/* `allow-no-rules:` starting with zero rules is intended (false:
	 * it is an error, unless -S named the rule files). */
	bool allow_no_rules;
	/* `logging:` where the sensor's own log lines go. */
	int log_level;	    /* LOG_LVL_* of base/log.h (warning) */
	char *log_file;	    /* NULL: stderr (unless log_syslog) */
	bool log_syslog;    /* to syslog(3) */
	int log_facility;   /* syslog facility number (daemon) */
	char *log_identity; /* syslog ident ("sensor") */
};

/* Fill built-in defaults: the signature plugin, no rule files. */
void config_defaults(struct sensor_config *c);
/* Load `path` over the defaults. Returns 0, or -1 after reporting every
 * problem through `d`. */
int config_load(struct sensor_config *c, const char *path, struct diag *d);
void config_free(struct sensor_config *c);

#endif
