/*
 * fuzz_packet_path.c - the whole packet path of a file run, in process: a
 * capture read by pcap_source (sensor/capture), dispatch_run with one
 * worker (sensor/core: decode, defrag, flows, TCP reassembly, app-protocol
 * detection, every shipped plugin - signature, http, dns, tls, ssh,
 * portscan - with the shipped rules, the EVE writer) and the final stats
 * record, as `sensor -r` runs it.
 *
 * Set-up once per process (the only target that keeps state between
 * inputs, because loading six plugins and compiling their rules takes far
 * longer than one input): the config below (absolute paths, the plugins
 * built beside this binary, FUZZ_PLUGIN_DIR), plugins_load, the rule files,
 * plugins_assign_rules, plugins_init. Nothing of one input stays for the
 * next: each gets its own workers (flows, streams, plugin thread state),
 * EVE writer and output file. The plugins are the ordinary modules,
 * loaded with dlopen: the libFuzzer build instruments the core, not them.
 *
 * Input:
 *   byte 0   bits 0-2: link type (Ethernet, raw IP, Linux SLL, SLL2, BSD
 *            loopback, raw IPv4, raw IPv6, PPP); bit 3: the rest is a
 *            whole capture file (pcap or pcapng) read as it is
 *   else the rest is frame records, written into a pcap file of that link
 *   type, each:
 *     step   the clock moves (step & 0x7f) ms, or (step & 0x7f) s with
 *            bit 7 (so flows and fragments time out)
 *     len    u16: bytes of the frame (fewer at the end of the input)
 *     frame  the bytes
 *
 * Checked: nothing crashes; every line the EVE writer wrote is one valid
 * JSON object (json_check.h: strict RFC 8259, valid UTF-8); the last line
 * is the stats record; and no write failed. With FUZZ_EVE_DUMP set in
 * the environment every EVE line is also printed on stderr (to see what a
 * seed reaches).
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "capture/capture_pcap.h"
#include "core/config.h"
#include "core/control.h"
#include "core/dispatch.h"
#include "core/plugin_loader.h"
#include "core/worker.h"
#include "detect/rules.h"
#include "fuzz.h"
#include "json_check.h"
#include "output/eve.h"

#define MAX_CAPTURE (1u << 20)

static const char config_fmt[] =
	"plugin-dir: %s\n"
	"threads: 1\n"
	"sensor-name: fuzz\n"
	"classification-file: %s/rules/classification.config\n"
	"outputs:\n"
	"  eve:\n"
	"    payload: true\n"
	"    payload-printable: true\n"
	"    packet: true\n"
	"    types: [alert, anomaly, flow, stats, http, dns, tls]\n"
	"flow:\n"
	"  max-flows: 64\n"
	"stream:\n"
	"  midstream: true\n"
	"  checksum-validation: no\n"
	"  memcap: 1mb\n"
	"  reassembly: {depth: 64kb, max-unacked: 64kb}\n"
	"defrag: {memcap: 1mb, max-trackers: 64}\n"
	"plugins:\n"
	"  - name: signature\n"
	"    rules: [%s/rules/signature.yaml, %s/tests/fuzz/packet_path_rules.yaml]\n"
	"  - name: http\n"
	"    rules: [%s/rules/http.yaml]\n"
	"  - name: dns\n"
	"    rules: [%s/rules/dns.yaml]\n"
	"  - name: tls\n"
	"    rules: [%s/rules/tls.yaml]\n"
	"  - name: ssh\n"
	"    rules: [%s/rules/ssh.yaml]\n"
	"  - name: portscan\n"
	"    options: {ports: 4, hosts: 4, window: 10}\n";

/* LINKTYPE_* of byte 0's link type index. */
static const uint32_t link_types[8] = {1, 101, 113, 276, 0, 228, 229, 9};

static struct {
	bool tried, ready;
	struct sensor_config cfg;
	struct plugin_set plugins;
	struct ruleset rules;
	struct diag diag;
} g;

/* ---------------------------------------------------------------- set-up */

/* An anonymous file holding `len` bytes; its path is /proc/self/fd/N. */
static int memfd_with(const char *name, const void *data, size_t len, char *path, size_t plen)
{
	int fd = memfd_create(name, 0);

	if (fd < 0)
		return -1;
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	snprintf(path, plen, "/proc/self/fd/%d", fd);
	return fd;
}

static void load_rules(void)
{
	const struct sensor_config *c = &g.cfg;

	rule_class_load(c->classification_file, &g.diag);
	for (size_t p = 0; p < c->n_plugins; p++)
		for (size_t i = 0; i < c->plugins[p].n_rule_files; i++)
			ruleset_load_file(&g.rules, c->plugins[p].rule_files[i], c->plugins[p].name,
					  &g.diag);
}

/* What sensor_run does before the first packet; false after reporting. */
static bool set_up(void)
{
	static char text[4096];
	char path[64];
	int fd;
	const char *s = FUZZ_SOURCE_DIR;

	snprintf(text, sizeof(text), config_fmt, FUZZ_PLUGIN_DIR, s, s, s, s, s, s, s);
	diag_init(&g.diag, stderr);
	ruleset_init(&g.rules);
	fd = memfd_with("sensor.yaml", text, strlen(text), path, sizeof(path));
	if (fd < 0)
		return false;
	config_defaults(&g.cfg);
	config_load(&g.cfg, path, &g.diag);
	close(fd);
	if (g.diag.errors)
		return false;
	plugins_load(&g.plugins, g.cfg.plugins, g.cfg.n_plugins, g.cfg.plugin_dir, g.cfg.file,
		     &g.diag);
	load_rules();
	if (g.diag.errors)
		return false;
	plugins_assign_rules(&g.plugins, &g.rules, &g.diag);
	if (g.diag.errors)
		return false;
	worker_compiling(&g.plugins);
	return plugins_init(&g.plugins, &sensor_services, 1, &g.diag) == 0;
}

/* ------------------------------------------------------------ the capture */

static void put32(uint8_t *b, uint32_t v)
{
	memcpy(b, &v, 4);
}

/* A pcap file (host byte order, microseconds) of the frame records. */
static size_t records_to_pcap(struct fuzz_in *in, uint32_t linktype, uint8_t *out)
{
	int64_t ts = INT64_C(1795000000000000);
	size_t n = 24;

	put32(out, 0xa1b2c3d4);
	put32(out + 4, 2 | 4u << 16);
	put32(out + 8, 0);
	put32(out + 12, 0);
	put32(out + 16, 65535);
	put32(out + 20, linktype);
	while (!fuzz_in_empty(in)) {
		uint8_t step = fuzz_u8(in);
		size_t want = fuzz_u16(in), got;
		const uint8_t *frame = fuzz_bytes(in, want, &got);

		if (n + 16 + got > MAX_CAPTURE)
			break;
		ts += (int64_t)(step & 0x7f) * (step & 0x80 ? 1000000 : 1000);
		put32(out + n, (uint32_t)(ts / 1000000));
		put32(out + n + 4, (uint32_t)(ts % 1000000));
		put32(out + n + 8, (uint32_t)got);
		put32(out + n + 12, (uint32_t)(got + (step & 1)));
		memcpy(out + n + 16, frame, got);
		n += 16 + got;
	}
	return n;
}

/* ------------------------------------------------------------- the check */

/* Every line of the EVE file is a JSON object; the last is stats. */
static void check_eve(int fd)
{
	struct stat st;
	const char *text, *line, *nl, *last = NULL;
	size_t len;

	FUZZ_CHECK(fstat(fd, &st) == 0);
	len = (size_t)st.st_size;
	if (len == 0)
		return;
	text = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	FUZZ_CHECK(text != MAP_FAILED);
	FUZZ_CHECK(text[len - 1] == '\n');
	for (line = text; line < text + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (!json_check_object(line, (size_t)(nl - line))) {
			fprintf(stderr, "not JSON: %.*s\n", (int)(nl - line), line);
			FUZZ_CHECK(!"an EVE line is not valid JSON");
		}
		if (getenv("FUZZ_EVE_DUMP"))
			fprintf(stderr, "%.*s\n", (int)(nl - line), line);
		last = line;
	}
	FUZZ_CHECK(strstr(last, "\"event_type\":\"stats\"") != NULL);
	munmap((void *)text, len);
}

static void run(const char *cap_path)
{
	struct run_ctl ctl;
	struct dispatch_result res;
	struct pcap_source *src;
	char eve_path[64], err[512];
	int eve_fd;

	src = pcap_source_open(cap_path, err, sizeof(err));
	if (!src)
		return;
	eve_fd = memfd_with("eve.json", NULL, 0, eve_path, sizeof(eve_path));
	FUZZ_CHECK(eve_fd >= 0);
	memset(&ctl, 0, sizeof(ctl));
	atomic_init(&ctl.current, &g.plugins);
	ctl.eve = eve_writer_open(eve_path, &g.cfg.eve, err, sizeof(err));
	FUZZ_CHECK(ctl.eve != NULL);
	ctl.eve_main = eve_thread_new(ctl.eve);
	FUZZ_CHECK(ctl.eve_main != NULL);
	(void)dispatch_run(&g.cfg, &ctl, src, &res);
	eve_thread_free(ctl.eve_main);
	FUZZ_CHECK(eve_writer_errors(ctl.eve) == 0);
	eve_writer_close(ctl.eve);
	pcap_source_close(src);
	check_eve(eve_fd);
	close(eve_fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t cap[MAX_CAPTURE];
	struct fuzz_in in;
	uint8_t head;
	size_t len;
	char path[64];
	int fd;

	if (!g.tried) {
		g.tried = true;
		g.ready = set_up();
		if (!g.ready)
			fprintf(stderr, "fuzz_packet_path: set-up failed (plugins in %s?)\n",
				FUZZ_PLUGIN_DIR);
	}
	FUZZ_CHECK(g.ready);
	fuzz_in_init(&in, data, size);
	head = fuzz_u8(&in);
	if (head & 8) {
		fd = memfd_with("capture", in.p, in.left, path, sizeof(path));
	} else {
		len = records_to_pcap(&in, link_types[head & 7], cap);
		fd = memfd_with("capture.pcap", cap, len, path, sizeof(path));
	}
	FUZZ_CHECK(fd >= 0);
	run(path);
	close(fd);
	return 0;
}
