/*
 * test_config.c - sensor.yaml: defaults, every key, paths, errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "base/diag.h"
#include "base/yaml_tree.h"

static struct diag d;
static struct sensor_config c;
static FILE *mem;
static char *membuf;
static size_t memlen;
static char dir[] = "/tmp/test_config_XXXXXX";
static char path[128];

static void setup(void)
{
	mem = open_memstream(&membuf, &memlen);
	diag_init(&d, mem);
	config_defaults(&c);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sensor.yaml", dir);
}

static void teardown(void)
{
	config_free(&c);
	fclose(mem);
	free(membuf);
	unlink(path);
	rmdir(dir);
}

TestSuite(config, .init = setup, .fini = teardown);

static const char *out(void)
{
	fflush(mem);
	return membuf;
}

/* The messages with the config's path shown as "F". */
static const char *out_f(void)
{
	static char buf[8192];
	const char *s = out();
	size_t n = 0, plen = strlen(path);

	while (*s && n + 2 < sizeof(buf)) {
		if (strncmp(s, path, plen) == 0) {
			buf[n++] = 'F';
			s += plen;
		} else {
			buf[n++] = *s++;
		}
	}
	buf[n] = '\0';
	return buf;
}

static int load(const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return config_load(&c, path, &d);
}

Test(config, defaults)
{
	cr_assert_null(c.file);
	cr_assert_str_eq(c.log_dir, ".");
	cr_assert_null(c.plugin_dir);
	cr_assert_eq(c.threads, 1);
	cr_assert(c.eve.enabled);
	cr_assert_str_eq(c.eve.filename, "eve.json");
	cr_assert(!c.eve.payload && !c.eve.payload_printable && !c.eve.packet);
	cr_assert_eq(c.flow.max_flows, 65536);
	cr_assert_eq(c.flow.new_tcp, 60);
	cr_assert_eq(c.flow.timeout_tcp, 3600);
	cr_assert_eq(c.flow.closed_tcp, 60);
	cr_assert_eq(c.flow.new_udp, 30);
	cr_assert_eq(c.flow.timeout_udp, 300);
	cr_assert_eq(c.flow.timeout_icmp, 300);
	cr_assert_eq(c.flow.timeout_other, 300);
	cr_assert(c.eve.alert && c.eve.anomaly && c.eve.flow && c.eve.stats);
	cr_assert_eq(c.checksum_validation, CHECKSUM_AUTO);
	cr_assert_eq(c.policies.def, OS_POLICY_BSD);
	cr_assert_eq(c.policies.n, 0);
	cr_assert_not(c.stream.midstream);
	cr_assert_eq(c.stream.depth, 1 << 20);
	cr_assert_eq(c.stream.memcap, 64 << 20);
	cr_assert_eq(c.stream.max_unacked, 1 << 20);
	cr_assert_eq(c.stream.policies, &c.policies);
	cr_assert_eq(c.defrag.timeout_s, 60);
	cr_assert_eq(c.defrag.memcap, 32 << 20);
	cr_assert_eq(c.defrag.max_trackers, 65536);
	cr_assert_eq(c.defrag.policies, &c.policies);
	cr_assert_eq(c.n_plugins, 1);
	cr_assert_str_eq(c.plugins[0].name, "signature");
	cr_assert(c.plugins[0].enabled);
	cr_assert_null(c.plugins[0].path);
	cr_assert_null(c.plugins[0].options);
	cr_assert_eq(c.plugins[0].n_rule_files, 0);
	cr_assert_eq(c.n_rule_files, 0);
	cr_assert_null(c.tree);
}

Test(config, free_tolerates_zeroed_and_defaults)
{
	struct sensor_config z;

	memset(&z, 0, sizeof(z));
	config_free(&z);
	config_free(&z);
	config_defaults(&z);
	config_free(&z);
	cr_assert_null(z.log_dir);
}

Test(config, shipped_config_loads_cleanly)
{
	cr_assert_eq(config_load(&c, SOURCE_DIR "/conf/sensor.yaml", &d), 0, "%s", out());
	cr_assert_str_eq(c.file, SOURCE_DIR "/conf/sensor.yaml");
	cr_assert_str_eq(c.log_dir, "."); /* unset: the current folder */
	cr_assert_eq(c.n_plugins, 6);
	cr_assert_str_eq(c.plugins[0].name, "signature");
	cr_assert_eq(c.plugins[0].n_rule_files, 1);
	cr_assert_str_eq(c.plugins[0].rule_files[0], SOURCE_DIR "/conf/../rules/signature.yaml");
	cr_assert_eq(c.plugins[0].line, 77);
	cr_assert_str_eq(c.plugins[1].name, "http");
	cr_assert_str_eq(c.plugins[2].name, "dns");
	cr_assert_str_eq(c.plugins[3].name, "tls");
	cr_assert_str_eq(c.plugins[4].name, "ssh");
	cr_assert_str_eq(c.plugins[5].name, "portscan");
	cr_assert_not_null(c.plugins[5].options);
	cr_assert_eq(d.errors, 0);
}

Test(config, every_key)
{
	char want[256];

	cr_assert_eq(load("log-dir: logs\n"
			  "plugin-dir: /opt/plugins\n"
			  "threads: 4\n"
			  "outputs:\n"
			  "  eve:\n"
			  "    enabled: false\n"
			  "    filename: alerts.json\n"
			  "    payload: true\n"
			  "    payload-printable: yes\n"
			  "    packet: on\n"
			  "flow:\n"
			  "  max-flows: 67108864\n"
			  "  timeouts: {tcp: 86400, udp: 1, icmp: 2, other: 3}\n"
			  "plugins:\n"
			  "  - name: example\n"
			  "    path: lib/example.so\n"
			  "    enabled: false\n"
			  "    rules: [a.yaml, /etc/b.yaml]\n"
			  "    options: {min-ttl: 3}\n"
			  "  - name: signature\n"
			  "rule-files: [r/c.yaml]\n"),
		     0, "%s", out());
	snprintf(want, sizeof(want), "%s/logs", dir);
	cr_assert_str_eq(c.log_dir, want);
	cr_assert_str_eq(c.plugin_dir, "/opt/plugins");
	cr_assert_eq(c.threads, 4);
	cr_assert(!c.eve.enabled);
	cr_assert_str_eq(c.eve.filename, "alerts.json");
	cr_assert(c.eve.payload && c.eve.payload_printable && c.eve.packet);
	cr_assert_eq(c.flow.max_flows, 67108864);
	cr_assert_eq(c.flow.timeout_tcp, 86400);
	cr_assert_eq(c.flow.new_tcp, 86400);
	cr_assert_eq(c.flow.closed_tcp, 86400);
	cr_assert_eq(c.flow.timeout_udp, 1);
	cr_assert_eq(c.flow.timeout_icmp, 2);
	cr_assert_eq(c.flow.timeout_other, 3);
	cr_assert_eq(c.n_plugins, 2);
	cr_assert_str_eq(c.plugins[0].name, "example");
	snprintf(want, sizeof(want), "%s/lib/example.so", dir);
	cr_assert_str_eq(c.plugins[0].path, want);
	cr_assert(!c.plugins[0].enabled);
	cr_assert_eq(c.plugins[0].n_rule_files, 2);
	snprintf(want, sizeof(want), "%s/a.yaml", dir);
	cr_assert_str_eq(c.plugins[0].rule_files[0], want);
	cr_assert_str_eq(c.plugins[0].rule_files[1], "/etc/b.yaml");
	cr_assert_eq(c.plugins[0].line, 15);
	cr_assert_not_null(c.plugins[0].options);
	cr_assert_eq(c.plugins[0].options->type, YNODE_MAP);
	cr_assert_str_eq(ymap_get(c.plugins[0].options, "min-ttl")->str, "3");
	cr_assert_str_eq(c.plugins[1].name, "signature");
	cr_assert(c.plugins[1].enabled);
	cr_assert_null(c.plugins[1].options);
	cr_assert_eq(c.n_rule_files, 1);
	snprintf(want, sizeof(want), "%s/r/c.yaml", dir);
	cr_assert_str_eq(c.rule_files[0], want);
}

Test(config, relative_config_path_resolves_against_its_folder)
{
	char cwd[512];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	load("rule-files: [x.yaml]\nlog-dir: out\n");
	config_free(&c);
	config_defaults(&c);
	cr_assert_eq(config_load(&c, "sensor.yaml", &d), 0, "%s", out());
	cr_assert_str_eq(c.rule_files[0], "x.yaml");
	cr_assert_str_eq(c.log_dir, "out");
	cr_assert_eq(chdir(cwd), 0);
}

Test(config, empty_file_keeps_defaults)
{
	cr_assert_eq(load(""), 0);
	cr_assert_eq(c.n_plugins, 1);
	cr_assert_str_eq(c.plugins[0].name, "signature");
	cr_assert_str_eq(c.eve.filename, "eve.json");
}

Test(config, empty_plugin_list_replaces_the_default)
{
	cr_assert_eq(load("plugins: []\n"), 0);
	cr_assert_eq(c.n_plugins, 0);
}

Test(config, every_problem_is_reported)
{
	cr_assert_eq(load("threads: 0\n"
			  "log-dir: ''\n"
			  "outputs:\n"
			  "  eve: {enabled: maybe, filenme: x}\n"
			  "  syslog: {}\n"
			  "flow:\n"
			  "  max-flows: 67108865\n"
			  "  timeouts: {tcp: 0, udp: 86401, ftp: 3}\n"
			  "plugins:\n"
			  "  - name: signature\n"
			  "  - name: signature\n"
			  "  - path: x.so\n"
			  "  - name: ../evil\n"
			  "  - just-a-name\n"
			  "  - {name: x, rules: a.yaml, colour: red}\n"
			  "rule-files: [[a]]\n"
			  "extra: 1\n"),
		     -1);
	cr_assert_str_eq(
		out_f(),
		"F:17:1: error: unknown key 'extra' in the configuration (valid: log-dir, "
		"plugin-dir, threads, outputs, flow, plugins, rule-files, stream, defrag, "
		"host-os-policy, capture, stats, pidfile, run-as, classification-file, decoder, "
		"rules, vars, reference-config-file, threshold-file, enable-file, disable-file, "
		"sensor-name, control-socket, allow-no-rules, logging)\n"
		"F:2:10: error: log-dir must not be empty\n"
		"F:1:10: error: expected an integer from 1 to 1024, got '0'\n"
		"F:5:3: error: unknown key 'syslog' in outputs (valid: eve)\n"
		"F:4:25: error: unknown key 'filenme' in outputs.eve (valid: enabled, filename, "
		"payload, payload-printable, packet, types, community-id, community-id-seed, "
		"ipv6-format)\n"
		"F:4:18: error: expected true or false, got 'maybe'\n"
		"F:7:14: error: expected an integer from 1 to 67108864, got '67108865'\n"
		"F:8:34: error: unknown key 'ftp' in flow.timeouts (valid: tcp, udp, icmp, other)\n"
		"F:8:19: error: expected an integer from 1 to 86400, got '0'\n"
		"F:8:27: error: expected an integer from 1 to 86400, got '86401'\n"
		"F:11:11: error: plugin 'signature' is listed twice (first at line 10)\n"
		"F:12:5: error: plugin entry without 'name'\n"
		"F:13:11: error: plugin name '../evil' may only contain letters, digits, '_' and "
		"'-'\n"
		"F:14:5: error: expected a mapping for plugin, got 'just-a-name'\n"
		"F:15:30: error: unknown key 'colour' in plugin (valid: name, path, enabled, "
		"rules, "
		"options)\n"
		"F:15:22: error: rules must be a list of paths\n"
		"F:16:14: error: expected a string, got a list\n");
	cr_assert_eq(d.errors, 17);
	/* the defaults stay where the file was wrong */
	cr_assert_eq(c.threads, 1);
	cr_assert_eq(c.flow.max_flows, 65536);
}

Test(config, syntax_error_and_missing_file)
{
	cr_assert_eq(load("threads: [1\n"), -1);
	cr_assert_str_eq(out_f(), "F:2:1: error: did not find expected ',' or ']' (while parsing "
				  "a flow sequence)\n");
	cr_assert_eq(config_load(&c, "/nonexistent/sensor.yaml", &d), -1);
	cr_assert_str_eq(d.last, "/nonexistent/sensor.yaml: error: cannot read: No such file or "
				 "directory");
	cr_assert_eq(c.threads, 1);
}

Test(config, stream_defrag_policies_and_types)
{
	cr_assert_eq(load("stream:\n"
			  "  midstream: true\n"
			  "  checksum-validation: yes\n"
			  "  memcap: 128mb\n"
			  "  reassembly: {depth: 64kb, max-unacked: 4096}\n"
			  "defrag: {timeout: 30, memcap: 1gb, max-trackers: 100}\n"
			  "host-os-policy:\n"
			  "  default: linux\n"
			  "  windows: [198.18.10.0/24, '2001:db8:10::/48']\n"
			  "  first: 198.18.20.1\n"
			  "flow:\n"
			  "  timeouts:\n"
			  "    tcp: {new: 5, established: 50, closed: 2}\n"
			  "    udp: {new: 7}\n"
			  "outputs:\n"
			  "  eve: {types: [alert, flow]}\n"),
		     0, "%s", out());
	cr_assert(c.stream.midstream);
	cr_assert_eq(c.checksum_validation, CHECKSUM_YES);
	cr_assert_eq(c.stream.memcap, UINT64_C(128) << 20);
	cr_assert_eq(c.stream.depth, 65536);
	cr_assert_eq(c.stream.max_unacked, 4096);
	cr_assert_eq(c.defrag.timeout_s, 30);
	cr_assert_eq(c.defrag.memcap, UINT64_C(1) << 30);
	cr_assert_eq(c.defrag.max_trackers, 100);
	cr_assert_eq(c.policies.def, OS_POLICY_LINUX);
	cr_assert_eq(c.policies.n, 3);
	cr_assert_eq(c.policies.nets[0].policy, OS_POLICY_WINDOWS);
	cr_assert_eq(c.policies.nets[1].net.family, 6);
	cr_assert_eq(c.policies.nets[2].policy, OS_POLICY_FIRST);
	cr_assert_eq(c.policies.nets[2].net.prefix, 32);
	cr_assert_eq(c.flow.new_tcp, 5);
	cr_assert_eq(c.flow.timeout_tcp, 50);
	cr_assert_eq(c.flow.closed_tcp, 2);
	cr_assert_eq(c.flow.new_udp, 7);
	cr_assert_eq(c.flow.timeout_udp, 300);
	cr_assert(c.eve.alert && c.eve.flow);
	cr_assert(!c.eve.anomaly && !c.eve.stats);
}

Test(config, bad_sizes_policies_and_types)
{
	cr_assert_eq(load("stream: {memcap: lots, reassembly: {depth: 5gb}}\n"
			  "host-os-policy: {default: beos, amiga: [198.18.0.0/16], "
			  "linux: ['!198.18.1.0/24', 300.1.1.1]}\n"
			  "flow: {timeouts: {udp: {closed: 3}}}\n"
			  "outputs: {eve: {types: [alert, dnz]}}\n"),
		     -1);
	cr_assert_str_eq(
		out_f(),
		"F:4:32: error: unknown record type 'dnz' (valid: alert, anomaly, flow, stats, "
		"http, dns, tls)\n"
		"F:3:25: error: unknown key 'closed' in flow.timeouts.udp (valid: new, "
		"established)\n"
		"F:1:18: error: memcap must be a size in bytes (e.g. 65536, 64kb, 32mb, 1gb) of at "
		"most 1099511627776 bytes, got 'lots'\n"
		"F:1:44: error: depth must be a size in bytes (e.g. 65536, 64kb, 32mb, 1gb) of at "
		"most 4294967295 bytes, got '5gb'\n"
		"F:2:27: error: unknown policy 'beos' (valid: first, last, bsd, bsd-right, linux, "
		"old-linux, windows, vista, solaris)\n"
		"F:2:33: error: unknown policy 'amiga' (valid: first, last, bsd, bsd-right, linux, "
		"old-linux, windows, vista, solaris)\n"
		"F:2:65: error: host-os-policy: a network cannot be negated here\n"
		"F:2:83: error: host-os-policy: '300.1.1.1' is not an IPv4 or IPv6 address or CIDR "
		"block\n");
}

Test(config, live_capture_and_daemon_keys)
{
	cr_assert_eq(load("threads: 3\n"
			  "capture:\n"
			  "  method: raw\n"
			  "  interfaces: [eth1, eth2]\n"
			  "  bpf: 'not port 22'\n"
			  "  promisc: false\n"
			  "  af-packet: {block-size: 2mb, block-count: 32, frame-size: 4096,\n"
			  "              block-timeout: 5, fanout: lb, defrag: false, group: 77}\n"
			  "  raw: {batch: 16, snaplen: 1600}\n"
			  "stats: {interval: 10}\n"
			  "pidfile: /run/sensor.pid\n"
			  "run-as: {user: sensor, group: adm}\n"),
		     0, "%s", out());
	cr_assert_eq(c.threads, 3);
	cr_assert(c.threads_set);
	cr_assert_eq(c.live.method, LIVE_RAW);
	cr_assert_eq(c.n_ifaces, 2);
	cr_assert_str_eq(c.ifaces[1], "eth2");
	cr_assert_str_eq(c.bpf, "not port 22");
	cr_assert_not(c.live.promisc);
	cr_assert_eq(c.live.block_size, 2 << 20);
	cr_assert_eq(c.live.block_count, 32);
	cr_assert_eq(c.live.frame_size, 4096);
	cr_assert_eq(c.live.block_timeout_ms, 5);
	cr_assert_eq(c.live.fanout, FANOUT_MODE_LB);
	cr_assert_not(c.live.fanout_defrag);
	cr_assert_eq(c.live.fanout_group, 77);
	cr_assert_eq(c.live.batch, 16);
	cr_assert_eq(c.live.snaplen, 1600);
	cr_assert_eq(c.stats_interval, 10);
	cr_assert_str_eq(c.pidfile, "/run/sensor.pid");
	cr_assert_str_eq(c.run_as_user, "sensor");
	cr_assert_str_eq(c.run_as_group, "adm");
}

Test(config, live_capture_errors)
{
	cr_assert_eq(
		load("capture: {method: pf_ring, interfaces: eth0, af-packet: {fanout: rr}}\n"),
		-1);
	cr_assert_str_eq(out_f(),
			 "F:1:19: error: method must be one of af-packet, raw, got 'pf_ring'\n"
			 "F:1:40: error: interfaces must be a list of names\n"
			 "F:1:66: error: fanout must be one of hash, lb, cpu, qm, got 'rr'\n");
}

/* `decoder:` (tunnels): defaults, every key, and the errors. */
Test(config, decoder_tunnel_keys)
{
	cr_assert_eq(c.decoder.vxlan.n, 1);
	cr_assert_eq(c.decoder.vxlan.port[0], 4789);
	cr_assert_eq(c.decoder.geneve.port[0], 6081);
	cr_assert_eq(c.decoder.teredo.port[0], 3544);
	cr_assert(c.decoder.gre && c.decoder.ipip && c.decoder.mpls && c.decoder.erspan);
	cr_assert_eq(c.decoder.max_depth, 8);
	cr_assert(c.decoder.track_by_id);
	cr_assert_eq(load("decoder:\n"
			  "  vxlan: {ports: [4789, 8472]}\n"
			  "  geneve: {enabled: false}\n"
			  "  teredo: {ports: 3545}\n"
			  "  gre: {enabled: no}\n"
			  "  max-tunnel-depth: 3\n"
			  "  track-tunnel-id: false\n"),
		     0, "%s", out());
	cr_assert_eq(c.decoder.vxlan.n, 2);
	cr_assert_eq(c.decoder.vxlan.port[1], 8472);
	cr_assert_eq(c.decoder.geneve.n, 0);
	cr_assert_eq(c.decoder.teredo.n, 1);
	cr_assert_eq(c.decoder.teredo.port[0], 3545);
	cr_assert_not(c.decoder.gre);
	cr_assert(c.decoder.ipip);
	cr_assert_eq(c.decoder.max_depth, 3);
	cr_assert_not(c.decoder.track_by_id);
	cr_assert_eq(load("decoder:\n  vxlan: {ports: [0]}\n  max-tunnel-depth: 40\n"
			  "  mpls: {ports: [1]}\n"),
		     -1);
	cr_assert_eq(d.errors, 3, "%s", out());
}

Test(config, checksum_validation_auto)
{
	cr_assert_eq(load("stream: {checksum-validation: auto}\n"), 0, "%s", out());
	cr_assert_eq(c.checksum_validation, CHECKSUM_AUTO);
}

Test(config, checksum_validation_false_is_no)
{
	cr_assert_eq(load("stream: {checksum-validation: false}\n"), 0, "%s", out());
	cr_assert_eq(c.checksum_validation, CHECKSUM_NO);
}

Test(config, checksum_validation_unknown_value)
{
	cr_assert_neq(load("stream: {checksum-validation: sometimes}\n"), 0);
	cr_assert(strstr(out(), "expected true or false") != NULL, "%s", out());
}

Test(config, urgent_policy)
{
	cr_assert_eq(c.stream.urgent_policy, STREAM_URGENT_AUTO);
	cr_assert_eq(load("stream: {reassembly: {urgent-policy: gap}}\n"), 0, "%s", out());
	cr_assert_eq(c.stream.urgent_policy, STREAM_URGENT_GAP);
}

Test(config, urgent_policy_unknown_value)
{
	cr_assert_neq(load("stream: {reassembly: {urgent-policy: drop}}\n"), 0);
	cr_assert(strstr(out(), "urgent-policy") != NULL, "%s", out());
}

/* Records: host, community_id and protocol record types (issue 9). */
Test(config, record_defaults_and_keys)
{
	char host[256];

	cr_assert_eq(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	cr_assert_str_eq(c.eve.host, host);
	cr_assert(c.eve.community_id);
	cr_assert_eq(c.eve.community_id_seed, 0);
	cr_assert(c.eve.http && c.eve.dns && c.eve.tls);
	cr_assert_eq(load("sensor-name: tap-7\n"
			  "outputs: {eve: {community-id: false, community-id-seed: 513,\n"
			  "                types: [alert, tls]}}\n"),
		     0, "%s", out());
	cr_assert_str_eq(c.eve.host, "tap-7");
	cr_assert_not(c.eve.community_id);
	cr_assert_eq(c.eve.community_id_seed, 513);
	cr_assert(c.eve.alert && c.eve.tls);
	cr_assert(!c.eve.http && !c.eve.dns && !c.eve.flow);
}

/* ipv6-format: expanded (Suricata's EVE form) by default; compressed on
 * request; in the list form every output must agree. */
Test(config, ipv6_format)
{
	cr_assert_not(c.eve.ipv6_compressed);
	cr_assert_eq(load("outputs: {eve: {ipv6-format: compressed}}\n"), 0, "%s", out());
	cr_assert(c.eve.ipv6_compressed);
	cr_assert_eq(load("outputs: {eve: {ipv6-format: expanded}}\n"), 0, "%s", out());
	cr_assert_not(c.eve.ipv6_compressed);
	cr_assert_eq(load("outputs:\n"
			  "  - eve: {filename: a.json}\n"
			  "  - eve: {filename: b.json, ipv6-format: compressed}\n"),
		     0, "%s", out());
	cr_assert(c.eve.ipv6_compressed);
	cr_assert_eq(load("outputs: {eve: {ipv6-format: short}}\n"), -1);
	cr_assert_str_eq(out_f(), "F:1:30: error: ipv6-format must be one of expanded, compressed, "
				  "got 'short'\n");
	cr_assert_eq(load("outputs:\n"
			  "  - eve: {filename: a.json, ipv6-format: compressed}\n"
			  "  - eve: {filename: b.json, ipv6-format: expanded}\n"),
		     -1);
	cr_assert(strstr(out_f(), "F:3:"));
	cr_assert(strstr(out_f(), "ipv6-format differs from an earlier output"));
}

Test(config, record_key_errors)
{
	cr_assert_eq(load("sensor-name: ''\noutputs: {eve: {community-id-seed: 65536}}\n"), -1);
	cr_assert_str_eq(out_f(),
			 "F:2:36: error: expected an integer from 0 to 65535, got '65536'\n"
			 "F:1:14: error: sensor-name must not be empty\n");
}
