/*
 * test_stream_linux.c - the decoy cases against a real Linux receiver.
 *
 * A listening socket in a network namespace (vethns) is the destination
 * host. The test plays the client by hand on the outer veth end (an
 * AF_PACKET socket; the client address 198.18.211.3 belongs to no stack,
 * so nothing answers for it): each script sends its handshake, the decoy
 * and the real data, reading the server's SYN+ACK to learn its ISN. Every
 * frame both ways is written to a capture. Then the server's application
 * reads what the kernel delivered, the sensor runs on the capture with the
 * `stream_dump` fixture, and the test checks that the bytes the sensor
 * hands plugins are exactly what the Linux application read, and that the
 * rule matching the real data alerts while the one matching the decoy
 * does not. Needs root; skipped otherwise.
 *
 * The decoy SYN and SYN+ACK with other ISNs are left out here: their
 * premise is a decoy that never reaches the host (low TTL).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"
#include "vethns.h"

#define CLI	  "198.18.211.3"
#define SRV	  "198.18.211.2"
#define SRV_PORT  8080
#define N_SCRIPTS 6

static struct itest t;
static struct vethns v;
static int raw_fd = -1, listen_fd = -1;

static const char rules[] =
	"rules:\n"
	"  - {id: 1, msg: real, proto: tcp, patterns: [{content: ATTACKPATTERN}]}\n"
	"  - {id: 2, msg: decoy, proto: tcp, patterns: [{content: DECOY}]}\n";

static void begin(void)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(SRV_PORT)};
	char conf[8192];
	int one = 1;

	if (geteuid() != 0)
		cr_skip_test("needs root (network namespaces, raw sockets)");
	itest_begin(&t, SENSOR_BIN, "stream_linux");
	itest_rules(&t, rules);
	snprintf(conf, sizeof(conf),
		 "host-os-policy: {default: linux}\nstream: {checksum-validation: no}\n"
		 "plugins:\n  - name: signature\n  - name: stream_dump\n"
		 "    path: %s/stream_dump.so\n    options: {dir: \"%s\"}\n",
		 FIXTURE_PLUGIN_DIR, t.dir);
	itest_config(&t, conf);
	cr_assert_eq(vethns_create(&v, "tcpstate-lx", "tl", 211), 0);
	cr_assert_eq(vethns_ip("-n", v.ns, "neigh", "replace", CLI, "lladdr", VETHNS_OUTER_MAC,
			       "dev", v.inner, "nud", "permanent", NULL),
		     0);
	listen_fd = vethns_socket(&v, AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(listen_fd, 0);
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, SRV, &sa.sin_addr);
	cr_assert_eq(bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(listen_fd, 16), 0);
	raw_fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	cr_assert_geq(raw_fd, 0);
	sll.sll_ifindex = (int)if_nametoindex(v.outer);
	cr_assert_eq(bind(raw_fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
}

static void end(void)
{
	if (raw_fd >= 0)
		close(raw_fd);
	if (listen_fd >= 0)
		close(listen_fd);
	vethns_destroy(&v);
	itest_end(&t);
}

TestSuite(stream_linux, .init = begin, .fini = end);

/* ------------------------------------------------------------ the client */

struct conn {
	uint16_t port;
	uint32_t cnxt, snxt; /* next sequence numbers */
};

/* Write the frames that arrive within `ms` (from the server) to the
 * capture; the server's SYN+ACK for `c` sets c->snxt. */
static void collect(struct conn *c, int ms)
{
	uint8_t buf[2048];
	struct pollfd pfd = {.fd = raw_fd, .events = POLLIN};

	while (poll(&pfd, 1, ms) > 0) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(raw_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n < 54 || from.sll_pkttype == PACKET_OUTGOING || buf[12] != 0x08 ||
		    buf[13] != 0 || buf[23] != IPPROTO_TCP)
			continue;
		pg_write(&t.gen, buf, (size_t)n);
		if ((buf[14 + 20 + 13] & 0x12) == 0x12 && c)
			c->snxt = ((uint32_t)buf[38] << 24 | (uint32_t)buf[39] << 16 |
				   (uint32_t)buf[40] << 8 | buf[41]) +
				  1;
		ms = 50;
	}
}

/* Send one client segment (and write it to the capture). */
static void send_seg(struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack, const char *data,
		     uint16_t urg)
{
	static const uint8_t dst[6] = {0x02, 0x00, 0xc6, 0x12, 0x00, 0x02};
	static const uint8_t src[6] = {0x02, 0x00, 0xc6, 0x12, 0x00, 0x01};
	uint8_t frame[2048];
	struct pg_pkt p = {
		.src = CLI,
		.dst = SRV,
		.sport = c->port,
		.dport = SRV_PORT,
		.proto = IPPROTO_TCP,
		.tcp_flags = flags,
		.seq = seq,
		.ack = ack,
		.payload = data,
		.len = data ? strlen(data) : 0,
		.urg_ptr = urg,
	};
	size_t n = pg_build(&t.gen, &p, frame, sizeof(frame));

	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	pg_write(&t.gen, frame, n);
	cr_assert_eq(send(raw_fd, frame, n, 0), (ssize_t)n);
	collect(c, 30);
}

static void handshake(struct conn *c, const char *syn_data)
{
	c->cnxt = 100000u * c->port;
	send_seg(c, 0x02, c->cnxt, 0, syn_data, 0);
	collect(c, 300);
	cr_assert_neq(c->snxt, 0, "no SYN+ACK on port %u", c->port);
	c->cnxt++;
	send_seg(c, 0x10, c->cnxt, c->snxt, NULL, 0);
}

static void data(struct conn *c, const char *text)
{
	send_seg(c, 0x18, c->cnxt, c->snxt, text, 0);
	c->cnxt += (uint32_t)strlen(text);
}

static void fin(struct conn *c)
{
	send_seg(c, 0x11, c->cnxt, c->snxt, NULL, 0);
	c->cnxt++;
	collect(c, 100);
}

/* ------------------------------------------------------------ the scripts */

static void no_ack(struct conn *c)
{
	handshake(c, NULL);
	send_seg(c, 0x08, c->cnxt, 0, "DECOYDECOYDEC", 0);
	data(c, "ATTACKPATTERN");
	fin(c);
}

static void ack_unsent(struct conn *c)
{
	handshake(c, NULL);
	send_seg(c, 0x18, c->cnxt, c->snxt + 5000, "DECOYDECOYDEC", 0);
	data(c, "ATTACKPATTERN");
	fin(c);
}

static void fin_ahead(struct conn *c)
{
	handshake(c, NULL);
	send_seg(c, 0x11, c->cnxt + 6, c->snxt, NULL, 0);
	data(c, "ATTACKPATTERN");
	fin(c);
}

static void syn_data(struct conn *c)
{
	handshake(c, "DECOYDECOYDEC");
	data(c, "ATTACKPATTERN");
	fin(c);
}

static void rst_inexact(struct conn *c)
{
	handshake(c, NULL);
	data(c, "ATTACK");
	send_seg(c, 0x04, c->cnxt + 100, 0, NULL, 0);
	data(c, "PATTERN");
	fin(c);
}

static void urgent(struct conn *c)
{
	handshake(c, NULL);
	send_seg(c, 0x38, c->cnxt, c->snxt, "ATTACKXPATTERN", 7);
	c->cnxt += 14;
	fin(c);
}

/* What the server's application read on each connection (in accept
 * order, which is the scripts' order). */
static void server_reads(char out[N_SCRIPTS][256])
{
	for (int i = 0; i < N_SCRIPTS; i++) {
		struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};
		size_t len = 0;
		int fd;

		out[i][0] = 0;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		for (;;) {
			struct pollfd q = {.fd = fd, .events = POLLIN};
			ssize_t n;

			if (poll(&q, 1, 500) <= 0)
				break;
			n = read(fd, out[i] + len, 255 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		out[i][len] = 0;
		close(fd);
	}
}

static const char *dumped(uint16_t port)
{
	static char buf[256];
	char path[4200];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%u.0", t.dir, port);
	buf[0] = 0;
	f = fopen(path, "rb");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

Test(stream_linux, sensor_delivers_what_linux_reads)
{
	static void (*const scripts[N_SCRIPTS])(struct conn *) = {no_ack,   ack_unsent,	 fin_ahead,
								  syn_data, rst_inexact, urgent};
	static const char *const names[N_SCRIPTS] = {"no_ack",	 "ack_unsent",	"fin_ahead",
						     "syn_data", "rst_inexact", "urgent"};
	char read_by_linux[N_SCRIPTS][256];

	itest_capture(&t, 1);
	for (int i = 0; i < N_SCRIPTS; i++) {
		struct conn c = {.port = (uint16_t)(43001 + i)};

		scripts[i](&c);
	}
	server_reads(read_by_linux);
	collect(NULL, 100);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	for (int i = 0; i < N_SCRIPTS; i++) {
		char filter[64];

		cr_expect_str_eq(read_by_linux[i], "ATTACKPATTERN", "%s: Linux read", names[i]);
		cr_expect_str_eq(dumped((uint16_t)(43001 + i)), read_by_linux[i], "%s: the sensor",
				 names[i]);
		snprintf(filter, sizeof(filter), "alert.signature_id=1 src_port=%d", 43001 + i);
		cr_expect_eq(eve_count(&t.eve, filter), 1, "%s", names[i]);
	}
	cr_expect_eq(itest_alerts(&t, 2), 0);
}
