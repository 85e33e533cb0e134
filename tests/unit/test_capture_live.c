/*
 * test_capture_live.c - live capture (capture_live.c, capture_afpacket.c,
 * capture_raw.c): defaults, filter checks and error messages without
 * privileges, then, as root, real captures on the outer end of a veth pair
 * whose inner end sits in a network namespace made for the test
 * (tests/support/vethns.h). Datagrams are sent from inside the namespace
 * through UDP sockets created there, to 198.18.200.1 only, and counted
 * one by one on the capture side: with one and two workers (fanout hash),
 * with a capture filter, for both methods; plus the namespace's loopback
 * (both directions captured) and a tun interface (refused).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture_live.h"
#include "vethns.h"

#define FLOWS	   16
#define PER_FLOW   20
#define PORT_MATCH 9999
#define PORT_OTHER 8888
#define SPORT_BASE 40000

static struct vethns net;
static int64_t ts_lo; /* before the first datagram was sent */

static void net_setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(vethns_create(&net, "sensor-test", "st", 200), 0, "namespace set-up failed");
}

static void net_teardown(void)
{
	vethns_destroy(&net);
}

/* What the capture callbacks saw. */
struct seen {
	unsigned got[FLOWS][PER_FLOW]; /* port 9999 datagrams by (flow, seq) */
	int flow_worker[FLOWS];	       /* -1 none yet, -2 several workers */
	unsigned matched;	       /* port 9999 datagrams */
	unsigned other;		       /* port 8888 datagrams */
	unsigned bad;		       /* frames with a wrong field */
	unsigned copies;	       /* times each datagram is expected */
	const char *iface;
	int64_t ts_min, ts_max; /* of the UDP frames, microseconds */
};

struct worker_ctx {
	struct seen *seen;
	int worker;
};

static int64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void seen_init(struct seen *s, const char *iface)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < FLOWS; i++)
		s->flow_worker[i] = -1;
	s->iface = iface;
	s->copies = 1;
	s->ts_min = INT64_MAX;
	s->ts_max = INT64_MIN;
}

static void note_flow(struct seen *s, unsigned flow, unsigned seq, int worker)
{
	s->got[flow][seq]++;
	s->matched++;
	if (s->flow_worker[flow] == -1)
		s->flow_worker[flow] = worker;
	else if (s->flow_worker[flow] != worker)
		s->flow_worker[flow] = -2;
}

/* An IPv4/UDP datagram from 198.18.200.2 to 198.18.200.1 or .2: its ports
 * and payload. */
static bool parse_udp(const uint8_t *p, uint32_t len, uint16_t *sport, uint16_t *dport,
		      char *payload, size_t plen)
{
	size_t ihl, n;

	if (len < 14 + 20 + 8 || p[12] != 0x08 || p[13] != 0x00 || (p[14] >> 4) != 4)
		return false;
	ihl = (size_t)(p[14] & 0x0f) * 4;
	if (p[23] != 17 || memcmp(p + 26, "\xc6\x12\xc8\x02\xc6\x12\xc8", 7) != 0 ||
	    (p[33] != 1 && p[33] != 2) || len < 14 + ihl + 8)
		return false;
	*sport = (uint16_t)(p[14 + ihl] << 8 | p[14 + ihl + 1]);
	*dport = (uint16_t)(p[14 + ihl + 2] << 8 | p[14 + ihl + 3]);
	n = len - 14 - ihl - 8;
	if (n >= plen)
		n = plen - 1;
	memcpy(payload, p + 14 + ihl + 8, n);
	payload[n] = '\0';
	return true;
}

static void on_frame(void *ctx, const struct capture_frame *f, const char *iface)
{
	struct worker_ctx *w = ctx;
	struct seen *s = w->seen;
	uint16_t sport, dport;
	unsigned flow, seq;
	char payload[64], want[64];

	if (f->linktype != 1 || f->pcap_cnt != 0 || strcmp(iface, s->iface) != 0 ||
	    f->caplen != f->wirelen)
		s->bad++;
	if (!parse_udp(f->data, f->caplen, &sport, &dport, payload, sizeof(payload)))
		return;
	if (f->ts_usec < s->ts_min)
		s->ts_min = f->ts_usec;
	if (f->ts_usec > s->ts_max)
		s->ts_max = f->ts_usec;
	if (dport == PORT_OTHER) {
		s->other++;
		return;
	}
	flow = (unsigned)(sport - SPORT_BASE);
	if (dport != PORT_MATCH || flow >= FLOWS || sscanf(payload, "live %*u %u", &seq) != 1 ||
	    seq >= PER_FLOW) {
		s->bad++;
		return;
	}
	snprintf(want, sizeof(want), "live %u %u", flow, seq);
	if (strcmp(payload, want) != 0)
		s->bad++;
	note_flow(s, flow, seq, w->worker);
}

/* Send PER_FLOW datagrams on each of `flows` flows from 198.18.200.2
 * inside the namespace, to `to`:`port`; interleaved so that flows share
 * the batches. */
static void send_flows(unsigned flows, const char *to, uint16_t port)
{
	int fds[FLOWS];
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};

	inet_pton(AF_INET, to, &dst.sin_addr);
	for (unsigned f = 0; f < flows; f++) {
		struct sockaddr_in src = {.sin_family = AF_INET,
					  .sin_port = htons((uint16_t)(SPORT_BASE + f))};

		inet_pton(AF_INET, "198.18.200.2", &src.sin_addr);
		fds[f] = vethns_socket(&net, AF_INET, SOCK_DGRAM, 0);
		cr_assert_geq(fds[f], 0);
		cr_assert_eq(bind(fds[f], (struct sockaddr *)&src, sizeof(src)), 0);
	}
	for (unsigned seq = 0; seq < PER_FLOW; seq++) {
		for (unsigned f = 0; f < flows; f++) {
			char msg[64];
			int n = snprintf(msg, sizeof(msg), "live %u %u", f, seq);

			cr_assert_eq(sendto(fds[f], msg, (size_t)n, 0, (struct sockaddr *)&dst,
					    sizeof(dst)),
				     n);
		}
	}
	for (unsigned f = 0; f < flows; f++)
		close(fds[f]);
}

static void base_config(struct live_config *c, enum live_method m, unsigned workers,
			const char *const *ifaces)
{
	live_config_defaults(c);
	c->ifaces = ifaces;
	c->n_ifaces = 1;
	c->method = m;
	c->workers = workers;
	c->block_size = 1u << 16; /* small rings: 16 x 64 KiB per socket */
	c->block_count = 16;
	c->batch = 16;
}

static void open_workers(const struct live_config *c, struct live_source **src, unsigned n)
{
	char err[256] = "";

	for (unsigned w = 0; w < n; w++)
		cr_assert_eq(live_open(c, w, &src[w], err, sizeof(err)), 0, "%s", err);
}

/* Poll every worker until `want` port-9999 datagrams arrived (bounded, so
 * a lost datagram fails the count instead of hanging). */
static void poll_until(struct live_source **src, unsigned n, struct seen *s, unsigned want)
{
	struct worker_ctx ctx[2];
	char err[256] = "";

	for (unsigned w = 0; w < n; w++)
		ctx[w] = (struct worker_ctx){.seen = s, .worker = (int)w};
	for (int round = 0; round < 400 && s->matched < want; round++) {
		for (unsigned w = 0; w < n; w++)
			cr_assert_geq(live_poll(src[w], 25, on_frame, &ctx[w], err, sizeof(err)), 0,
				      "%s", err);
	}
	/* Whatever else is queued now (nothing should be). */
	for (unsigned w = 0; w < n; w++)
		cr_assert_geq(live_poll(src[w], 30, on_frame, &ctx[w], err, sizeof(err)), 0, "%s",
			      err);
}

static void assert_all_once(const struct seen *s, unsigned flows)
{
	for (unsigned f = 0; f < flows; f++)
		for (unsigned q = 0; q < PER_FLOW; q++)
			cr_assert_eq(s->got[f][q], s->copies, "flow %u seq %u seen %u times", f, q,
				     s->got[f][q]);
	cr_assert_eq(s->matched, flows * PER_FLOW * s->copies);
	cr_assert_eq(s->bad, 0);
	/* Stamped by the kernel between the first send and the delivery. */
	cr_assert_geq(s->ts_min, ts_lo);
	cr_assert_leq(s->ts_max, now_usec());
}

static void capture_flows(enum live_method m, unsigned workers)
{
	const char *ifaces[] = {net.outer};
	struct live_source *src[2] = {NULL, NULL};
	struct live_config c;
	struct live_stats st, sum = {0, 0, 0};
	struct seen *s = calloc(1, sizeof(*s));

	cr_assert_not_null(s);
	base_config(&c, m, workers, ifaces);
	open_workers(&c, src, workers);
	seen_init(s, net.outer);
	ts_lo = now_usec();
	send_flows(FLOWS, "198.18.200.1", PORT_MATCH);
	poll_until(src, workers, s, FLOWS * PER_FLOW);
	assert_all_once(s, FLOWS);
	for (unsigned f = 0; f < FLOWS; f++)
		cr_assert_geq(s->flow_worker[f], 0, "flow %u split across workers", f);
	for (unsigned w = 0; w < workers; w++) {
		live_stats(src[w], &st);
		sum.packets += st.packets;
		sum.drops += st.drops;
		live_close(src[w]);
	}
	cr_assert_geq(sum.packets, FLOWS * PER_FLOW);
	cr_assert_eq(sum.drops, 0);
	free(s);
}

static void capture_filtered(enum live_method m)
{
	const char *ifaces[] = {net.outer};
	struct live_source *src = NULL;
	struct live_config c;
	struct live_stats st;
	struct seen *s = calloc(1, sizeof(*s));

	cr_assert_not_null(s);
	base_config(&c, m, 1, ifaces);
	c.bpf = "udp port 9999";
	open_workers(&c, &src, 1);
	seen_init(s, net.outer);
	ts_lo = now_usec();
	send_flows(4, "198.18.200.1", PORT_OTHER);
	send_flows(4, "198.18.200.1", PORT_MATCH);
	poll_until(&src, 1, s, 4 * PER_FLOW);
	assert_all_once(s, 4);
	cr_assert_eq(s->other, 0);
	live_stats(src, &st);
	cr_assert_eq(st.packets, 4 * PER_FLOW);
	cr_assert_eq(st.drops, 0);
	cr_assert_eq(st.freezes, 0);
	/* Counters accumulate across reads: the kernel reset them above. */
	live_stats(src, &st);
	cr_assert_eq(st.packets, 4 * PER_FLOW);
	live_close(src);
	free(s);
}

TestSuite(capture_live);

Test(capture_live, defaults)
{
	struct live_config c;

	memset(&c, 0xa5, sizeof(c));
	live_config_defaults(&c);
	cr_assert_null(c.ifaces);
	cr_assert_eq(c.n_ifaces, 0);
	cr_assert_eq(c.method, LIVE_AFPACKET);
	cr_assert_eq(c.workers, 1);
	cr_assert_eq(c.block_size, 1048576);
	cr_assert_eq(c.block_count, 64);
	cr_assert_eq(c.frame_size, 2048);
	cr_assert_eq(c.block_timeout_ms, 10);
	cr_assert_eq(c.fanout, FANOUT_MODE_HASH);
	cr_assert(c.fanout_defrag);
	cr_assert_eq(c.fanout_group, 0);
	cr_assert_null(c.bpf);
	cr_assert(c.promisc);
	cr_assert_eq(c.snaplen, 65535);
	cr_assert_eq(c.batch, 64);
}

Test(capture_live, check_filter_good)
{
	char err[256] = "";

	cr_assert_eq(live_check_filter("udp port 9999", err, sizeof(err)), 0);
	cr_assert_eq(
		live_check_filter("tcp and net 198.18.0.0/15 and not port 22", err, sizeof(err)),
		0);
	cr_assert_str_empty(err);
}

Test(capture_live, check_filter_bad)
{
	char err[256] = "";

	cr_assert_eq(live_check_filter("tcp port", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bad capture filter 'tcp port': can't parse filter expression: "
			      "syntax error");
	cr_assert_eq(live_check_filter("port 99999", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bad capture filter 'port 99999': illegal port number 99999 > "
			      "65535");
}

Test(capture_live, open_missing_interface)
{
	const char *ifaces[] = {"lo", "nosuch9"};
	struct live_source *s = (struct live_source *)&s;
	struct live_config c;
	char err[256] = "";

	live_config_defaults(&c);
	c.ifaces = ifaces;
	c.n_ifaces = 2;
	cr_assert_eq(live_open(&c, 0, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	cr_assert_str_eq(err, "no interface 'nosuch9' (see `ip link`)");
	ifaces[1] = "a-name-far-too-long-for-linux";
	cr_assert_eq(live_open(&c, 0, &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no interface 'a-name-far-too-long-for-linux' (see `ip link`)");
}

Test(capture_live, open_bad_filter)
{
	const char *ifaces[] = {"lo"};
	struct live_source *s = NULL;
	struct live_config c;
	char err[256] = "";

	live_config_defaults(&c);
	c.ifaces = ifaces;
	c.n_ifaces = 1;
	c.bpf = "tcp port";
	cr_assert_eq(live_open(&c, 0, &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "bad capture filter 'tcp port': can't parse filter expression: "
			      "syntax error");
}

Test(capture_live, open_bad_sizes)
{
	const char *ifaces[] = {"lo"};
	struct live_source *s = NULL;
	struct live_config c;
	char want[256], err[256] = "";

	live_config_defaults(&c);
	c.ifaces = ifaces;
	c.n_ifaces = 1;
	c.block_size = 100000;
	cr_assert_eq(live_open(&c, 0, &s, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "af-packet block size 100000 is not a power of 2 of at least %ld bytes",
		 sysconf(_SC_PAGESIZE));
	cr_assert_str_eq(err, want);
	c.block_size = 1u << 20;
	c.frame_size = 2050;
	cr_assert_eq(live_open(&c, 0, &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "af-packet frame size 2050 must be a multiple of 16 between 80 and "
			      "the block size (1048576)");
	c.frame_size = 2048;
	c.workers = 2;
	cr_assert_eq(live_open(&c, 2, &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "capture worker 2 out of range (2 workers)");
	c.method = LIVE_RAW;
	c.workers = 1;
	c.batch = 0;
	cr_assert_eq(live_open(&c, 0, &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "raw capture batch 0 must be between 1 and 1024");
}

/* In a child that dropped root (and so its capabilities): the exit status
 * says whether live_open failed with the privileges message. */
static int open_unprivileged(void)
{
	const char *ifaces[] = {"lo"};
	struct live_source *s = NULL;
	struct live_config c;
	char err[256] = "";

	live_config_defaults(&c);
	c.ifaces = ifaces;
	c.n_ifaces = 1;
	if (setgid(65534) < 0 || setuid(65534) < 0)
		return 2;
	if (live_open(&c, 0, &s, err, sizeof(err)) != -1 || s != NULL)
		return 3;
	return strcmp(err, "capturing needs root or CAP_NET_RAW and CAP_NET_ADMIN") == 0 ? 0 : 1;
}

Test(capture_live, no_privileges)
{
	int status = 0;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(open_unprivileged());
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0);
}

/* live_open with the calling thread inside the test's namespace. */
static int open_in_ns(const struct live_config *c, struct live_source **s, char *err, size_t errlen)
{
	int saved = vethns_enter(&net);
	int rc;

	cr_assert_geq(saved, 0);
	rc = live_open(c, 0, s, err, errlen);
	cr_assert_eq(vethns_leave(saved), 0);
	return rc;
}

/* On loopback both directions of each datagram are captured (outgoing and
 * incoming), with Ethernet framing. */
static void capture_loopback(enum live_method m)
{
	const char *ifaces[] = {"lo"};
	struct live_source *src = NULL;
	struct live_config c;
	struct live_stats st;
	char err[256] = "";
	struct seen *s = calloc(1, sizeof(*s));

	cr_assert_not_null(s);
	base_config(&c, m, 1, ifaces);
	c.bpf = "udp port 9999";
	cr_assert_eq(open_in_ns(&c, &src, err, sizeof(err)), 0, "%s", err);
	seen_init(s, "lo");
	s->copies = 2;
	ts_lo = now_usec();
	send_flows(4, "198.18.200.2", PORT_MATCH);
	poll_until(&src, 1, s, 2 * 4 * PER_FLOW);
	assert_all_once(s, 4);
	live_stats(src, &st);
	cr_assert_eq(st.packets, 2 * 4 * PER_FLOW);
	cr_assert_eq(st.drops, 0);
	live_close(src);
	free(s);
}

Test(capture_live, afpacket_loopback, .init = net_setup, .fini = net_teardown)
{
	capture_loopback(LIVE_AFPACKET);
}

Test(capture_live, raw_loopback, .init = net_setup, .fini = net_teardown)
{
	capture_loopback(LIVE_RAW);
}

Test(capture_live, refuses_non_ethernet, .init = net_setup, .fini = net_teardown)
{
	char tun[IF_NAMESIZE], want[256], err[256] = "";
	const char *ifaces[] = {tun};
	struct live_source *src = NULL;
	struct live_config c;

	snprintf(tun, sizeof(tun), "st%dt", (int)getpid());
	cr_assert_eq(vethns_ip("-n", net.ns, "tuntap", "add", "dev", tun, "mode", "tun", NULL), 0);
	live_config_defaults(&c);
	c.ifaces = ifaces;
	c.n_ifaces = 1;
	cr_assert_eq(open_in_ns(&c, &src, err, sizeof(err)), -1);
	cr_assert_null(src);
	snprintf(want, sizeof(want),
		 "interface '%s' has link type 65534 (ARPHRD), not Ethernet; only Ethernet and "
		 "loopback interfaces can be captured",
		 tun);
	cr_assert_str_eq(err, want);
}

Test(capture_live, refuses_down_interface, .init = net_setup, .fini = net_teardown)
{
	const char *ifaces[] = {net.outer};
	struct live_source *src = NULL;
	struct live_config c;
	char want[256], err[256] = "";

	cr_assert_eq(vethns_ip("link", "set", net.outer, "down", NULL), 0);
	live_config_defaults(&c);
	c.ifaces = ifaces;
	c.n_ifaces = 1;
	cr_assert_eq(live_open(&c, 0, &src, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "interface '%s' is down (`ip link set %s up`)", net.outer,
		 net.outer);
	cr_assert_str_eq(err, want);
}

Test(capture_live, afpacket_one_worker, .init = net_setup, .fini = net_teardown)
{
	capture_flows(LIVE_AFPACKET, 1);
}

Test(capture_live, afpacket_two_workers_fanout, .init = net_setup, .fini = net_teardown)
{
	capture_flows(LIVE_AFPACKET, 2);
}

Test(capture_live, afpacket_filter, .init = net_setup, .fini = net_teardown)
{
	capture_filtered(LIVE_AFPACKET);
}

Test(capture_live, raw_one_worker, .init = net_setup, .fini = net_teardown)
{
	capture_flows(LIVE_RAW, 1);
}

Test(capture_live, raw_two_workers_fanout, .init = net_setup, .fini = net_teardown)
{
	capture_flows(LIVE_RAW, 2);
}

Test(capture_live, raw_filter, .init = net_setup, .fini = net_teardown)
{
	capture_filtered(LIVE_RAW);
}
