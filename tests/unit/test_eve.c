/*
 * test_eve.c - EVE records and the writer (sensor/output/eve.c): exact alert
 * and stats lines, the flush threshold, two workers on one file, reopen
 * after rotation, open and write errors.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "decode/decode.h"
#include "defrag/defrag.h"
#include "flow/flow.h"
#include "stream/stream_tcp.h"
#include "output/eve.h"

/* ------------------------------------------------------------ helpers */

static char dir[64];
static char path[128];

static void setup_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_eve.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/eve.json", dir);
}

static void remove_file(const char *name)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static void teardown_dir(void)
{
	remove_file("eve.json");
	for (int i = 0; i < 8; i++) {
		char name[32];

		snprintf(name, sizeof(name), "eve.json.%d", i);
		remove_file(name);
	}
	rmdir(dir);
}

TestSuite(eve, .init = setup_dir, .fini = teardown_dir);

/* The whole file, NUL-terminated; "" when it does not exist. Caller frees. */
static char *slurp(const char *p)
{
	FILE *f = fopen(p, "rb");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static struct eve_config cfg_on(bool payload, bool printable, bool packet)
{
	struct eve_config c = {.enabled = true,
			       .alert = true,
			       .anomaly = true,
			       .flow = true,
			       .stats = true,
			       .filename = NULL,
			       .payload = payload,
			       .payload_printable = printable,
			       .packet = packet};
	return c;
}

static struct eve_writer *open_writer(const struct eve_config *c)
{
	char err[256] = "";
	struct eve_writer *w = eve_writer_open(path, c, err, sizeof(err));

	cr_assert_not_null(w, "%s", err);
	return w;
}

static void set_addr4(struct ids_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->bytes[0] = b0;
	a->bytes[1] = b1;
	a->bytes[2] = b2;
	a->bytes[3] = b3;
}

static void set_addr6(struct ids_addr *a, const char *bytes16)
{
	memset(a, 0, sizeof(*a));
	a->family = 6;
	memcpy(a->bytes, bytes16, 16);
}

/* The alert of docs/eve.md. */
static void tcp_packet(struct ids_packet *p)
{
	memset(p, 0, sizeof(*p));
	p->ts_usec = INT64_C(1795460190123456);
	p->pcap_cnt = 7;
	p->flow_id = UINT64_C(1170733426271412);
	set_addr4(&p->src, 198, 18, 1, 80);
	set_addr4(&p->dst, 198, 18, 0, 10);
	p->sport = 80;
	p->dport = 49152;
	p->ip_version = 4;
	p->proto = 6;
	p->direction = IDS_DIR_TO_CLIENT;
	p->pkt_src = IDS_PKT_SRC_WIRE;
}

static const struct ids_rule gpl_rule = {
	.id = 2100498,
	.rev = 7,
	.gid = 1,
	.severity = 2,
	.msg = "GPL ATTACK_RESPONSE id check returned root",
	.category = "Potentially Bad Traffic",
	.metadata_json = "{\"created_at\":[\"2010-09-23\"],\"signature_severity\":[\"Major\"]}",
};

static const char gpl_line[] =
	"{\"timestamp\":\"2026-11-23T18:56:30.123456+0000\",\"flow_id\":1170733426271412,"
	"\"pcap_cnt\":7,\"event_type\":\"alert\",\"src_ip\":\"198.18.1.80\",\"src_port\":80,"
	"\"dest_ip\":\"198.18.0.10\",\"dest_port\":49152,\"proto\":\"TCP\",\"pkt_src\":"
	"\"wire/pcap\",\"direction\":\"to_client\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
	"\"signature_id\":2100498,\"rev\":7,\"signature\":\"GPL ATTACK_RESPONSE id check "
	"returned root\",\"category\":\"Potentially Bad Traffic\",\"severity\":2,\"metadata\":"
	"{\"created_at\":[\"2010-09-23\"],\"signature_severity\":[\"Major\"]}},\"stream\":0}\n";

/* One alert through a fresh writer; returns the file's text. */
static char *one_alert(const struct eve_config *c, const struct ids_packet *p,
		       const struct ids_rule *r, const char *iface)
{
	struct eve_writer *w = open_writer(c);
	struct eve_thread *t = eve_thread_new(w);

	cr_assert_not_null(t);
	eve_alert(t, p, r, iface);
	cr_assert_eq(file_size(path), 0); /* buffered until the flush */
	cr_assert_eq(eve_thread_flush(t), 0);
	cr_assert_eq(eve_writer_alerts(w), 1);
	cr_assert_eq(eve_writer_errors(w), 0);
	eve_thread_free(t);
	eve_writer_close(w);
	return slurp(path);
}

/* -------------------------------------------------------------- alerts */

Test(eve, tcp_alert_with_metadata)
{
	struct eve_config c = cfg_on(false, false, false);
	struct ids_packet p;
	char *text;

	tcp_packet(&p);
	text = one_alert(&c, &p, &gpl_rule, NULL);
	cr_assert_str_eq(text, gpl_line);
	free(text);
}

Test(eve, udp_alert_with_vlans_and_interface)
{
	struct eve_config c = cfg_on(false, false, false);
	struct ids_rule r = {.id = 1000001,
			     .rev = 1,
			     .gid = 1,
			     .severity = 3,
			     .msg = "DNS probe",
			     .category = ""};
	struct ids_packet p;
	char *text;

	memset(&p, 0, sizeof(p));
	p.ts_usec = INT64_C(1795460190000001);
	set_addr4(&p.src, 198, 18, 0, 53);
	set_addr4(&p.dst, 198, 19, 2, 2);
	p.sport = 53;
	p.dport = 33000;
	p.proto = 17;
	p.direction = IDS_DIR_TO_SERVER;
	p.vlan_count = 2;
	p.vlan[0] = 100;
	p.vlan[1] = 4094;
	text = one_alert(&c, &p, &r, "eth0");
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"2026-11-23T18:56:30.000001+0000\",\"event_type\":\"alert\","
		"\"in_iface\":\"eth0\",\"vlan\":[100,4094],\"src_ip\":\"198.18.0.53\","
		"\"src_port\":53,\"dest_ip\":\"198.19.2.2\",\"dest_port\":33000,\"proto\":"
		"\"UDP\",\"pkt_src\":\"wire/pcap\",\"direction\":\"to_server\",\"alert\":{"
		"\"action\":\"allowed\",\"gid\":1,\"signature_id\":1000001,\"rev\":1,"
		"\"signature\":\"DNS probe\",\"category\":\"\",\"severity\":3},\"stream\":0}\n");
	free(text);
}

Test(eve, icmpv6_alert_with_type_and_code)
{
	struct eve_config c = cfg_on(false, false, false);
	struct ids_rule r = {.id = 7,
			     .rev = 2,
			     .gid = 1,
			     .severity = 1,
			     .msg = "ping6",
			     .category = "Misc activity"};
	struct ids_packet p;
	char *text;

	memset(&p, 0, sizeof(p));
	p.ts_usec = INT64_C(1795460190500000);
	p.flow_id = 42;
	p.pcap_cnt = 3;
	set_addr6(&p.src, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01");
	set_addr6(&p.dst, "\x20\x01\x0d\xb8\0\0\0\0\0\x01\0\0\0\0\0\x01");
	p.ip_version = 6;
	p.proto = 58;
	p.icmp_type = 128;
	p.icmp_code = 0;
	p.pkt_src = IDS_PKT_SRC_DEFRAG;
	text = one_alert(&c, &p, &r, NULL);
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"2026-11-23T18:56:30.500000+0000\",\"flow_id\":42,"
		"\"pcap_cnt\":3,\"event_type\":\"alert\",\"src_ip\":"
		"\"2001:0db8:0000:0000:0000:0000:0000:0001\",\"dest_ip\":"
		"\"2001:0db8:0000:0000:0001:0000:0000:0001\",\"proto\":\"IPv6-ICMP\",\"icmp_type\":"
		"128,"
		"\"icmp_code\":0,\"pkt_src\":\"defrag\",\"direction\":\"to_server\",\"alert\":{"
		"\"action\":\"allowed\",\"gid\":1,\"signature_id\":7,\"rev\":2,\"signature\":"
		"\"ping6\",\"category\":\"Misc activity\",\"severity\":1},\"stream\":0}\n");
	free(text);
	/* ipv6-format: compressed */
	c.ipv6_compressed = true;
	unlink(path);
	text = one_alert(&c, &p, &r, NULL);
	cr_assert(strstr(text, "\"src_ip\":\"2001:db8::1\",\"dest_ip\":\"2001:db8::1:0:0:1\","));
	free(text);
}

Test(eve, payload_printable_and_packet)
{
	struct eve_config c = cfg_on(true, true, true);
	static const uint8_t frame[] = "\x01\x02\x03\x04GET /\r\n\x00\xff";
	struct ids_packet p;
	char *text;

	tcp_packet(&p);
	p.frame = frame;
	p.caplen = sizeof(frame) - 1;
	p.wirelen = p.caplen;
	p.payload = frame + 4;
	p.payload_len = p.caplen - 4;
	p.direction = IDS_DIR_TO_SERVER;
	text = one_alert(&c, &p, &gpl_rule, NULL);
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"2026-11-23T18:56:30.123456+0000\",\"flow_id\":1170733426271412,"
		"\"pcap_cnt\":7,\"event_type\":\"alert\",\"src_ip\":\"198.18.1.80\",\"src_port\":"
		"80,"
		"\"dest_ip\":\"198.18.0.10\",\"dest_port\":49152,\"proto\":\"TCP\",\"pkt_src\":"
		"\"wire/pcap\",\"direction\":\"to_server\",\"alert\":{\"action\":\"allowed\","
		"\"gid\":1,\"signature_id\":2100498,\"rev\":7,\"signature\":\"GPL ATTACK_RESPONSE "
		"id check returned root\",\"category\":\"Potentially Bad Traffic\",\"severity\":2,"
		"\"metadata\":{\"created_at\":[\"2010-09-23\"],\"signature_severity\":[\"Major\"]}}"
		","
		"\"payload\":\"R0VUIC8NCgD/\",\"payload_printable\":\"GET /\\r\\n..\",\"stream\":0,"
		"\"packet\":\"AQIDBEdFVCAvDQoA/w==\"}\n");
	free(text);
}

Test(eve, strings_escaped_and_unknown_protocol_as_number)
{
	struct eve_config c = cfg_on(true, false, false);
	struct ids_rule r = {.id = 9,
			     .rev = 1,
			     .gid = 1,
			     .severity = 4,
			     .msg = "say \"hi\"\tto\x01 C:\\ \xc3\xa9\xff",
			     .category = "a\nb"};
	struct ids_packet p;
	char *text;

	memset(&p, 0, sizeof(p));
	set_addr4(&p.src, 198, 18, 0, 1);
	set_addr4(&p.dst, 198, 18, 0, 2);
	p.proto = 99;
	p.sport = 1; /* no ports for this protocol, whatever the packet says */
	p.dport = 2;
	text = one_alert(&c, &p, &r, "br\"0");
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"1970-01-01T00:00:00.000000+0000\",\"event_type\":\"alert\","
		"\"in_iface\":\"br\\\"0\",\"src_ip\":\"198.18.0.1\",\"dest_ip\":\"198.18.0.2\","
		"\"proto\":\"99\",\"pkt_src\":\"wire/pcap\",\"direction\":\"to_server\","
		"\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":9,\"rev\":1,"
		"\"signature\":\"say \\\"hi\\\"\\tto\\u0001 C:\\\\ \xc3\xa9\\u00ff\","
		"\"category\":\"a\\nb\",\"severity\":4},\"payload\":\"\",\"stream\":0}\n");
	free(text);
}

/* --------------------------------------------------------------- stats */

Test(eve, stats_record_exact)
{
	struct eve_config c = cfg_on(false, false, false);
	struct eve_writer *w = open_writer(&c);
	struct eve_thread *t = eve_thread_new(w);
	struct decode_stats ds;
	struct flow_stats fs;
	struct eve_stats_input in;
	struct stream_stats ss;
	struct defrag_stats dfs;
	char *text;

	memset(&ds, 0, sizeof(ds));
	memset(&fs, 0, sizeof(fs));
	ds.pkts = 120;
	ds.bytes = 15230;
	ds.invalid = 5;
	ds.ethernet = 120;
	ds.ipv4 = 110;
	ds.ipv6 = 8;
	ds.tcp = 90;
	ds.udp = 20;
	ds.icmpv4 = 6;
	ds.icmpv6 = 2;
	ds.vlan = 4;
	ds.frag_ipv4 = 3;
	ds.events[EV_IPV4_TRUNC_PKT] = 1;
	ds.events[EV_TCP_HLEN_TOO_SMALL] = 1;
	ds.events[EV_UNKNOWN_ETHERTYPE] = 3;
	fs.created = 30;
	fs.expired = 29;
	fs.evicted = 1;
	fs.lookups = 118;
	memset(&ss, 0, sizeof(ss));
	memset(&dfs, 0, sizeof(dfs));
	ss.sessions = 12;
	ss.segments = 40;
	ss.retransmissions = 1;
	ss.bytes_delivered = 52311;
	ss.gaps = 2;
	ss.gap_bytes = 8;
	ss.events[STREAM_EV_OVERLAP_DIFF] = 1;
	ss.events[STREAM_EV_GAP] = 2;
	ss.memuse_peak = 9216;
	dfs.reassembled[0] = 1;
	dfs.events[DEFRAG_EV_OVERLAP] = 2;
	dfs.memuse_peak = 1620;
	in = (struct eve_stats_input){.ts_usec = INT64_C(1795460202000000),
				      .uptime_s = 12.9,
				      .decoder = &ds,
				      .flow = &fs,
				      .stream = &ss,
				      .defrag = &dfs,
				      .invalid_checksum_ip = 1,
				      .invalid_checksum_tcp = 2,
				      .alerts = 9};
	eve_stats(t, &in);
	cr_assert_eq(eve_thread_flush(t), 0);
	cr_assert_eq(eve_writer_alerts(w), 0); /* a stats record is not an alert */
	eve_thread_free(t);
	eve_writer_close(w);
	text = slurp(path);
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"2026-11-23T18:56:42.000000+0000\",\"event_type\":\"stats\","
		"\"stats\":{\"uptime\":12,\"decoder\":{\"pkts\":120,\"bytes\":15230,\"invalid\":5,"
		"\"ipv4\":110,\"ipv6\":8,\"ethernet\":120,\"raw\":0,\"sll\":0,\"sll2\":0,\"tcp\":"
		"90,"
		"\"udp\":20,\"icmpv4\":6,\"icmpv6\":2,\"vlan\":4,\"vlan_qinq\":0,\"other_ip\":0,"
		"\"gre\":0,\"erspan\":0,\"vxlan\":0,\"geneve\":0,\"teredo\":0,\"mpls\":0,"
		"\"pppoe\":0,\"ppp\":0,\"ipv4_in_ipv4\":0,\"ipv6_in_ipv4\":0,\"ipv4_in_ipv6\":0,"
		"\"ipv6_in_ipv6\":0,"
		"\"event\":{"
		"\"ethernet\":{\"pkt_too_small\":0,\"unknown_ethertype\":3},"
		"\"vlan\":{\"header_too_small\":0,\"too_many_layers\":0},"
		"\"sll\":{\"pkt_too_small\":0},"
		"\"sll2\":{\"pkt_too_small\":0},"
		"\"ipv4\":{\"pkt_too_small\":0,\"hlen_too_small\":0,\"iplen_smaller_than_hlen\":0,"
		"\"trunc_pkt\":1,\"opt_invalid\":0,\"opt_invalid_len\":0,\"wrong_ip_version\":0},"
		"\"ipv6\":{\"pkt_too_small\":0,\"trunc_pkt\":0,\"trunc_exthdr\":0,"
		"\"wrong_ip_version\":0,\"exthdr_dupl_fh\":0,\"rh_type_0\":0,\"exthdr_dupl_hh\":0,"
		"\"exthdr_useless_fh\":0,\"fh_non_zero_reserved_field\":0,"
		"\"hopopts_unknown_opt\":0,\"hopopts_only_padding\":0,\"dstopts_unknown_opt\":0,"
		"\"dstopts_only_padding\":0,\"zero_len_padn\":0,\"exthdr_invalid_optlen\":0,"
		"\"ipv4_in_ipv6_too_small\":0,\"ipv4_in_ipv6_wrong_version\":0,"
		"\"ipv6_in_ipv6_too_small\":0,\"ipv6_in_ipv6_wrong_version\":0},"
		"\"tcp\":{\"pkt_too_small\":0,\"hlen_too_small\":1,\"invalid_optlen\":0,"
		"\"opt_invalid_len\":0},"
		"\"udp\":{\"pkt_too_small\":0,\"hlen_too_small\":0,\"hlen_invalid\":0,\"len_"
		"invalid\":0},"
		"\"icmpv4\":{\"pkt_too_small\":0},"
		"\"icmpv6\":{\"pkt_too_small\":0},"
		"\"decoder\":{\"unknown_link_type\":0,\"too_many_layers\":0},"
		"\"ltnull\":{\"pkt_too_small\":0},"
		"\"gre\":{\"pkt_too_small\":0,\"wrong_version\":0,\"version0_recur\":0,"
		"\"version0_flags\":0,\"version0_hdr_too_big\":0,\"version0_malformed_sre_hdr\":0,"
		"\"version1_chksum\":0,\"version1_route\":0,\"version1_recur\":0,"
		"\"version1_flags\":0,\"version1_no_key\":0,\"version1_wrong_protocol\":0,"
		"\"version1_hdr_too_big\":0},"
		"\"erspan\":{\"header_too_small\":0,\"unsupported_version\":0,"
		"\"too_many_vlan_layers\":0},"
		"\"vxlan\":{\"unknown_payload_type\":0},"
		"\"geneve\":{\"unknown_payload_type\":0},"
		"\"mpls\":{\"header_too_small\":0,\"pkt_too_small\":0,\"bad_label_router_alert\":0,"
		"\"bad_label_implicit_null\":0,\"bad_label_reserved\":0,\"unknown_payload_type\":0}"
		","
		"\"pppoe\":{\"pkt_too_small\":0,\"wrong_code\":0,\"malformed_tags\":0},"
		"\"ppp\":{\"pkt_too_small\":0,\"vju_pkt_too_small\":0,\"wrong_type\":0,"
		"\"unsup_proto\":0}}},"
		"\"invalid_checksum\":3,\"checksum_validation_off\":0,"
		"\"defrag\":{\"ipv4\":{\"fragments\":3,\"reassembled\":1},"
		"\"ipv6\":{\"fragments\":0,\"reassembled\":0},\"memuse\":0,\"memuse_peak\":1620,"
		"\"event\":{\"frag_overlap\":2,\"frag_tiny\":0,\"frag_too_large\":0,"
		"\"frag_timeout\":0,\"frag_memcap_drop\":0,\"frag_bad_length\":0}},"
		"\"flow\":{\"total\":30,\"active\":0,\"evicted\":1,\"expired\":29,"
		"\"tcp_reuse\":0,\"evicted_closed\":0,\"evicted_embryonic\":0,"
		"\"evicted_established\":0},"
		"\"tcp\":{\"sessions\":12,\"midstream_pickups\":0,\"invalid_checksum\":2,"
		"\"segments\":40,\"retransmissions\":1,\"reassembled_bytes\":52311,"
		"\"reassembly_gap\":2,\"reassembly_gap_bytes\":8,\"overlap_diff_data\":1,"
		"\"memuse\":0,\"memuse_peak\":9216,\"urgent_bytes\":0,\"memcap_reclaimed\":0,"
		"\"event\":{\"reassembly_overlap_different_data\":1,\"pkt_out_of_window\":0,"
		"\"rst_invalid\":0,\"rst_with_data\":0,\"reassembly_seq_gap\":2,"
		"\"reassembly_depth_reached\":0,\"reassembly_memcap\":0,\"midstream_ignored\":0,"
		"\"pkt_invalid_timestamp\":0,\"pkt_without_ack\":0,\"pkt_invalid_ack\":0,"
		"\"fin_out_of_window\":0,\"3whs_synack_tfo_data_ignored\":0,"
		"\"3whs_syn_resend_diff_seq\":0,\"3whs_synack_resend_with_diff_seq\":0,"
		"\"3whs_excessive_different_syns\":0}},"
		"\"detect\":{\"alert\":9}}}\n");
	free(text);
}

Test(eve, stats_after_alerts_each_on_its_own_line)
{
	struct eve_config c = cfg_on(false, false, false);
	struct eve_writer *w = open_writer(&c);
	struct eve_thread *t = eve_thread_new(w);
	struct eve_stats_input in = {.ts_usec = 0, .uptime_s = -3, .alerts = 1};
	struct ids_packet p;
	char *text;

	tcp_packet(&p);
	eve_alert(t, &p, &gpl_rule, NULL);
	eve_stats(t, &in);
	eve_thread_free(t); /* flushes */
	cr_assert_eq(eve_writer_alerts(w), 1);
	eve_writer_close(w);
	text = slurp(path);
	cr_assert_eq(strncmp(text, gpl_line, strlen(gpl_line)), 0);
	cr_assert_str_eq(text + strlen(gpl_line),
			 "{\"timestamp\":\"1970-01-01T00:00:00.000000+0000\",\"event_type\":"
			 "\"stats\",\"stats\":{\"uptime\":0,\"detect\":{\"alert\":1}}}\n");
	free(text);
}

/* ------------------------------------------------------- the writer */

Test(eve, flush_threshold_writes_whole_lines)
{
	struct eve_config c = cfg_on(false, false, false);
	struct eve_writer *w = open_writer(&c);
	struct eve_thread *t = eve_thread_new(w);
	struct ids_packet p;
	long line = (long)strlen(gpl_line), k;
	char *text;

	tcp_packet(&p);
	k = (64 * 1024 + line - 1) / line; /* the record that reaches 64 KiB */
	for (long i = 1; i < k; i++)
		eve_alert(t, &p, &gpl_rule, NULL);
	cr_assert_eq(file_size(path), 0);
	eve_alert(t, &p, &gpl_rule, NULL);
	cr_assert_eq(file_size(path), k * line);
	cr_assert_eq(eve_writer_alerts(w), (uint64_t)k);
	eve_alert(t, &p, &gpl_rule, NULL);
	cr_assert_eq(file_size(path), k * line);
	eve_thread_free(t);
	cr_assert_eq(file_size(path), (k + 1) * line);
	eve_writer_close(w);
	text = slurp(path);
	for (long i = 0; i <= k; i++)
		cr_assert_eq(memcmp(text + i * line, gpl_line, (size_t)line), 0);
	free(text);
}

#define PER_THREAD 3000

struct worker_arg {
	struct eve_writer *w;
	struct ids_rule rule;
	int flush_every; /* 0: only the threshold */
};

static void *worker_main(void *arg)
{
	struct worker_arg *a = arg;
	struct eve_thread *t = eve_thread_new(a->w);
	struct ids_packet p;

	tcp_packet(&p);
	for (int i = 1; i <= PER_THREAD; i++) {
		eve_alert(t, &p, &a->rule, NULL);
		if (a->flush_every && i % a->flush_every == 0)
			eve_thread_flush(t);
	}
	eve_thread_free(t);
	return NULL;
}

/* The expected line of gpl_line with another signature text. */
static char *line_with_msg(const char *msg)
{
	const char *at = strstr(gpl_line, gpl_rule.msg);
	size_t head = (size_t)(at - gpl_line), old = strlen(gpl_rule.msg);
	char *out = malloc(strlen(gpl_line) + strlen(msg) + 1);

	cr_assert_not_null(out);
	memcpy(out, gpl_line, head);
	strcpy(out + head, msg);
	strcat(out, at + old);
	return out;
}

/* Counts the lines of `text` equal to a or b; fails on any other line. */
static void count_lines(const char *text, const char *a, const char *b, long *na, long *nb)
{
	size_t la = strlen(a), lb = strlen(b);

	while (*text) {
		if (!strncmp(text, a, la)) {
			(*na)++;
			text += la;
		} else if (!strncmp(text, b, lb)) {
			(*nb)++;
			text += lb;
		} else {
			cr_assert_fail("unexpected line at: %.80s", text);
		}
	}
}

Test(eve, two_threads_never_interleave_within_a_line)
{
	struct eve_config c = cfg_on(false, false, false);
	struct eve_writer *w = open_writer(&c);
	struct worker_arg a = {.w = w, .rule = gpl_rule}, b = {.w = w, .rule = gpl_rule};
	pthread_t ta, tb;
	char *la, *lb, *text;
	long na = 0, nb = 0;

	a.rule.msg = "worker A says \"x\"";
	b.rule.msg = "worker B";
	cr_assert_eq(pthread_create(&ta, NULL, worker_main, &a), 0);
	cr_assert_eq(pthread_create(&tb, NULL, worker_main, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	cr_assert_eq(eve_writer_alerts(w), 2 * PER_THREAD);
	eve_writer_close(w);
	la = line_with_msg("worker A says \\\"x\\\"");
	lb = line_with_msg("worker B");
	text = slurp(path);
	count_lines(text, la, lb, &na, &nb);
	cr_assert_eq(na, PER_THREAD);
	cr_assert_eq(nb, PER_THREAD);
	free(text);
	free(la);
	free(lb);
}

static void rotate(int n)
{
	char to[192];

	snprintf(to, sizeof(to), "%s/eve.json.%d", dir, n);
	cr_assert_eq(rename(path, to), 0);
}

Test(eve, reopen_after_rename_goes_to_the_new_file)
{
	struct eve_config c = cfg_on(false, false, false);
	struct eve_writer *w = open_writer(&c);
	struct eve_thread *t = eve_thread_new(w);
	struct ids_packet p;
	char old[192];
	size_t line = strlen(gpl_line);

	tcp_packet(&p);
	for (int i = 0; i < 10; i++)
		eve_alert(t, &p, &gpl_rule, NULL);
	cr_assert_eq(eve_thread_flush(t), 0);
	rotate(0);
	for (int i = 0; i < 4; i++) /* buffered across the reopen */
		eve_alert(t, &p, &gpl_rule, NULL);
	cr_assert_eq(eve_writer_reopen(w), 0);
	cr_assert_eq(file_size(path), 0);
	eve_alert(t, &p, &gpl_rule, NULL);
	cr_assert_eq(eve_thread_flush(t), 0);
	cr_assert_str_eq(eve_writer_path(w), path);
	eve_thread_free(t);
	eve_writer_close(w);
	snprintf(old, sizeof(old), "%s/eve.json.0", dir);
	cr_assert_eq(file_size(old), (long)(10 * line));
	cr_assert_eq(file_size(path), (long)(5 * line));
}

Test(eve, reopen_racing_flushes_loses_no_line)
{
	struct eve_config c = cfg_on(false, false, false);
	struct eve_writer *w = open_writer(&c);
	struct worker_arg a = {.w = w, .rule = gpl_rule, .flush_every = 7};
	const struct timespec nap = {0, 200000};
	size_t line = strlen(gpl_line);
	long total = 0;
	pthread_t ta;

	cr_assert_eq(pthread_create(&ta, NULL, worker_main, &a), 0);
	for (int i = 0; i < 4; i++) {
		nanosleep(&nap, NULL);
		rotate(i);
		cr_assert_eq(eve_writer_reopen(w), 0);
	}
	pthread_join(ta, NULL);
	eve_writer_close(w);
	for (int i = 0; i <= 4; i++) {
		char p[192], *text;
		long n = 0, none = 0;

		if (i < 4)
			snprintf(p, sizeof(p), "%s/eve.json.%d", dir, i);
		else
			snprintf(p, sizeof(p), "%s", path);
		text = slurp(p);
		count_lines(text, gpl_line, gpl_line, &n, &none);
		cr_assert_eq((size_t)file_size(p), (size_t)n * line);
		total += n;
		free(text);
	}
	cr_assert_eq(total, PER_THREAD);
}

Test(eve, open_missing_folder_names_the_path)
{
	struct eve_config c = cfg_on(false, false, false);
	char missing[192], err[256] = "", expected[300];

	snprintf(missing, sizeof(missing), "%s/no/such/eve.json", dir);
	cr_assert_null(eve_writer_open(missing, &c, err, sizeof(err)));
	snprintf(expected, sizeof(expected), "cannot open %s: No such file or directory", missing);
	cr_assert_str_eq(err, expected);
}

Test(eve, created_mode_0640)
{
	struct eve_config c = cfg_on(false, false, false);
	mode_t old = umask(0);
	struct eve_writer *w = open_writer(&c);
	struct stat st;

	umask(old);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640);
	eve_writer_close(w);
}

Test(eve, write_error_returns_errno_and_is_counted)
{
	struct eve_config c = cfg_on(false, false, false);
	char err[256] = "";
	struct eve_writer *w;
	struct eve_thread *t;
	struct ids_packet p;

	w = eve_writer_open("/dev/full", &c, err, sizeof(err));
	if (!w)
		cr_skip_test("/dev/full not available: %s", err);
	t = eve_thread_new(w);
	tcp_packet(&p);
	eve_alert(t, &p, &gpl_rule, NULL);
	errno = 0;
	cr_assert_eq(eve_thread_flush(t), -1);
	cr_assert_eq(errno, ENOSPC);
	cr_assert_eq(eve_writer_errors(w), 1);
	cr_assert_eq(eve_writer_alerts(w), 0);
	cr_assert_eq(eve_thread_flush(t), 0); /* the failed lines were dropped */
	eve_alert(t, &p, &gpl_rule, NULL);
	cr_assert_eq(eve_thread_flush(t), -1);
	cr_assert_eq(eve_writer_errors(w), 2);
	eve_thread_free(t);
	eve_writer_close(w);
}

Test(eve, disabled_writes_nothing)
{
	struct eve_config c = cfg_on(true, true, true);
	struct eve_writer *w;
	struct eve_thread *t;
	struct eve_stats_input in = {.alerts = 1};
	struct ids_packet p;

	c.enabled = false;
	w = open_writer(&c);
	t = eve_thread_new(w);
	cr_assert_not_null(t);
	tcp_packet(&p);
	eve_alert(t, &p, &gpl_rule, NULL);
	eve_stats(t, &in);
	cr_assert_eq(eve_thread_flush(t), 0);
	cr_assert_eq(eve_writer_reopen(w), 0);
	eve_thread_free(t);
	cr_assert_eq(eve_writer_alerts(w), 0);
	eve_writer_close(w);
	cr_assert_eq(file_size(path), -1);
}

/* ------------------------------------------- host, community_id, flow */

static struct eve_config cfg_records(void)
{
	struct eve_config c = cfg_on(false, false, false);

	c.host = "tap-7";
	c.community_id = true;
	return c;
}

Test(eve, alert_with_host_community_id_flow_and_tx_id)
{
	struct eve_config c = cfg_records();
	struct eve_writer *w = open_writer(&c);
	struct eve_thread *t = eve_thread_new(w);
	struct ids_flow_info fi;
	struct ids_packet p;
	struct eve_alert_input in;
	char *text;

	tcp_packet(&p);
	memset(&fi, 0, sizeof(fi));
	fi.pkts[IDS_DIR_TO_SERVER] = 3;
	fi.pkts[IDS_DIR_TO_CLIENT] = 2;
	fi.bytes[IDS_DIR_TO_SERVER] = 300;
	fi.bytes[IDS_DIR_TO_CLIENT] = 1500;
	fi.first_usec = INT64_C(1795460189000000);
	in = (struct eve_alert_input){&p,  &gpl_rule, "eth1", "http", "\"http\":{\"status\":200}",
				      &fi, 4};
	eve_alert_record(t, &in);
	cr_assert_eq(eve_thread_flush(t), 0);
	eve_thread_free(t);
	eve_writer_close(w);
	text = slurp(path);
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"2026-11-23T18:56:30.123456+0000\",\"flow_id\":1170733426271412,"
		"\"pcap_cnt\":7,\"event_type\":\"alert\",\"in_iface\":\"eth1\",\"src_ip\":"
		"\"198.18.1.80\",\"src_port\":80,\"dest_ip\":\"198.18.0.10\",\"dest_port\":49152,"
		"\"proto\":\"TCP\",\"community_id\":\"1:Z5rKYJbvrJbvwdqR8tzmdkOF/mE=\",\"host\":"
		"\"tap-7\",\"pkt_src\":\"wire/pcap\",\"direction\":\"to_client\",\"tx_id\":4,"
		"\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2100498,\"rev\":7,"
		"\"signature\":\"GPL ATTACK_RESPONSE id check returned root\",\"category\":"
		"\"Potentially Bad Traffic\",\"severity\":2,\"metadata\":{\"created_at\":"
		"[\"2010-09-23\"],\"signature_severity\":[\"Major\"]}},\"http\":{\"status\":200},"
		"\"app_proto\":\"http\",\"flow\":{\"pkts_toserver\":3,\"pkts_toclient\":2,"
		"\"bytes_toserver\":300,\"bytes_toclient\":1500,\"start\":"
		"\"2026-11-23T18:56:29.000000+0000\"},\"stream\":0}\n");
	free(text);
}

Test(eve, community_id_same_both_ways_and_seeded)
{
	struct eve_config c = cfg_records();
	struct ids_packet p;
	char *text;

	tcp_packet(&p);
	c.community_id_seed = 0;
	text = one_alert(&c, &p, &gpl_rule, NULL);
	cr_assert_not_null(strstr(text, "\"community_id\":\"1:Z5rKYJbvrJbvwdqR8tzmdkOF/mE=\""));
	free(text);
	unlink(path);
	/* The reverse direction hashes the same. */
	set_addr4(&p.src, 198, 18, 0, 10);
	set_addr4(&p.dst, 198, 18, 1, 80);
	p.sport = 49152;
	p.dport = 80;
	text = one_alert(&c, &p, &gpl_rule, NULL);
	cr_assert_not_null(strstr(text, "\"community_id\":\"1:Z5rKYJbvrJbvwdqR8tzmdkOF/mE=\""));
	free(text);
	unlink(path);
	c.community_id = false;
	text = one_alert(&c, &p, &gpl_rule, NULL);
	cr_assert_null(strstr(text, "community_id"));
	free(text);
}

Test(eve, icmp_flow_record_with_community_id_and_host)
{
	struct eve_config c = cfg_records();
	struct eve_writer *w = open_writer(&c);
	struct eve_thread *t = eve_thread_new(w);
	struct ids_flow_info fi;
	struct eve_flow_input in;
	char *text;

	memset(&fi, 0, sizeof(fi));
	fi.flow_id = 9;
	set_addr4(&fi.client, 198, 18, 0, 1);
	set_addr4(&fi.server, 198, 18, 0, 2);
	fi.proto = 1;
	fi.pkts[0] = fi.pkts[1] = 1;
	fi.bytes[0] = fi.bytes[1] = 84;
	fi.first_usec = fi.last_usec = INT64_C(1795460190000000);
	memset(&in, 0, sizeof(in));
	in.info = &fi;
	in.state = "established";
	in.icmp_type = 8;
	eve_flow(t, &in);
	eve_anomaly(t, fi.first_usec, NULL, "stream", "stream.pkt_invalid_timestamp", NULL);
	cr_assert_eq(eve_thread_flush(t), 0);
	eve_thread_free(t);
	eve_writer_close(w);
	text = slurp(path);
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"2026-11-23T18:56:30.000000+0000\",\"flow_id\":9,\"event_type\":"
		"\"flow\",\"src_ip\":\"198.18.0.1\",\"dest_ip\":\"198.18.0.2\",\"proto\":\"ICMP\","
		"\"community_id\":\"1:HD2u7eCsZfe372oT897kzbcfjuY=\",\"host\":\"tap-7\",\"flow\":{"
		"\"pkts_toserver\":1,\"pkts_toclient\":1,\"bytes_toserver\":84,\"bytes_toclient\":"
		"84,"
		"\"start\":\"2026-11-23T18:56:30.000000+0000\",\"end\":"
		"\"2026-11-23T18:56:30.000000+0000\",\"age\":0,\"state\":\"established\","
		"\"reason\":"
		"\"timeout\",\"alerted\":false}}\n"
		"{\"timestamp\":\"2026-11-23T18:56:30.000000+0000\",\"event_type\":\"anomaly\","
		"\"host\":\"tap-7\",\"anomaly\":{\"type\":\"stream\",\"event\":"
		"\"stream.pkt_invalid_timestamp\"}}\n");
	free(text);
}

/* ---------------------------------------------------- protocol records */

#include "output/eve_json.h"

static struct eve_record_input dns_input(struct ids_addr *cli, struct ids_addr *srv)
{
	struct eve_record_input in = {0};

	set_addr4(cli, 198, 18, 0, 10);
	set_addr4(srv, 198, 18, 0, 53);
	in.ts_usec = INT64_C(1795460190000001);
	in.flow_id = 77;
	in.src = cli;
	in.dst = srv;
	in.sport = 40000;
	in.dport = 53;
	in.proto = 17;
	in.type = "dns";
	in.tx_id = 0;
	return in;
}

Test(eve, protocol_record_header_and_members)
{
	struct eve_config c = cfg_records();
	struct eve_writer *w;
	struct eve_thread *t;
	struct ids_addr cli, srv;
	struct eve_record_input in = dns_input(&cli, &srv);
	const struct ids_json_ops *o = &eve_json_ops;
	struct ids_json *b;
	char *text;

	c.dns = true;
	w = open_writer(&c);
	t = eve_thread_new(w);
	in.in_iface = "eth0";
	b = eve_record_begin(t, &in);
	cr_assert_not_null(b);
	o->open_object(b, "dns");
	o->i64(b, "version", 3);
	o->str(b, "type", "request");
	o->open_array(b, "queries");
	o->open_object(b, NULL);
	o->strn(b, "rrname", "a\"b\xff", 4);
	o->boolean(b, "truncated", 0);
	o->u64(b, "id", 4660);
	o->raw(b, "flags", "[1,2]");
	o->str(b, "none", NULL);
	/* left open: closed by record_end */
	eve_record_end(t, b);
	cr_assert_eq(eve_thread_flush(t), 0);
	eve_thread_free(t);
	eve_writer_close(w);
	text = slurp(path);
	cr_assert_str_eq(
		text,
		"{\"timestamp\":\"2026-11-23T18:56:30.000001+0000\",\"flow_id\":77,\"in_iface\":"
		"\"eth0\",\"event_type\":\"dns\",\"src_ip\":\"198.18.0.10\",\"src_port\":40000,"
		"\"dest_ip\":\"198.18.0.53\",\"dest_port\":53,\"proto\":\"UDP\",\"community_id\":"
		"\"1:g2PrBRKFm3ybWG7WcrhxFc3OdkE=\",\"host\":\"tap-7\",\"tx_id\":0,\"dns\":{"
		"\"version\":3,\"type\":\"request\",\"queries\":[{\"rrname\":\"a\\\"b\\u00ff\","
		"\"truncated\":false,\"id\":4660,\"flags\":[1,2],\"none\":\"\"}]}}\n");
	free(text);
}

Test(eve, protocol_record_switched_off_bad_name_or_too_deep)
{
	struct eve_config c = cfg_records();
	struct eve_writer *w;
	struct eve_thread *t;
	struct ids_addr cli, srv;
	struct eve_record_input in = dns_input(&cli, &srv);
	struct ids_json *b;
	char *text;

	c.dns = false;
	c.tls = true;
	w = open_writer(&c);
	t = eve_thread_new(w);
	cr_assert_null(eve_record_begin(t, &in)); /* dns not in types */
	in.type = "Bad-Name";
	cr_assert_null(eve_record_begin(t, &in));
	in.type = "alert";
	cr_assert_null(eve_record_begin(t, &in));
	in.type = "tls";
	b = eve_record_begin(t, &in);
	cr_assert_not_null(b);
	for (int i = 0; i < IDS_JSON_MAX_DEPTH + 1; i++)
		eve_json_ops.open_array(b, i ? NULL : "deep");
	eve_record_end(t, b);
	eve_json_ops.str(b, "late", "ignored"); /* after the end: nothing */
	cr_assert_eq(eve_writer_errors(w), 1);
	in.type = "mything";
	b = eve_record_begin(t, &in);
	cr_assert_not_null(b);
	eve_json_ops.close_object(b); /* nothing open: ignored */
	eve_json_ops.open_object(b, "x");
	/* An alert while the record is open: the record is written first. */
	{
		struct ids_packet p;

		tcp_packet(&p);
		eve_alert(t, &p, &gpl_rule, NULL);
	}
	cr_assert_eq(eve_thread_flush(t), 0);
	eve_thread_free(t);
	eve_writer_close(w);
	text = slurp(path);
	cr_assert(strncmp(text,
			  "{\"timestamp\":\"2026-11-23T18:56:30.000001+0000\",\"flow_id\":77,"
			  "\"event_type\":\"mything\",",
			  76) == 0,
		  "%s", text);
	cr_assert_not_null(strstr(text, "\"tx_id\":0,\"x\":{}}\n{\"timestamp\""));
	cr_assert_not_null(strstr(text, "\"event_type\":\"alert\""));
	free(text);
}
