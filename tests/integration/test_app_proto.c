/*
 * test_app_proto.c - application protocols recognised from first bytes in
 * the real sensor, as flow records show them: imap, pop3, smb and rdp on
 * their usual ports and on others; mDNS messages with several questions
 * or only answers are dns; NetBIOS name service on UDP 137 is not DNS, so
 * the dns plugin neither parses nor alerts on it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "app_proto");
	itest_config(&t, "plugins:\n  - name: signature\n  - name: dns\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(app_proto, .init = begin, .fini = end);

/* A TCP session where the server (first) or the client speaks first. */
static void session(const char *cli, uint16_t port, const void *srv_first, size_t srv_len,
		    const void *cli_first, size_t cli_len)
{
	struct pg_tcp tcp;

	pg_tcp_init(&tcp, &t.gen, cli, 40000, "198.18.1.1", port);
	pg_tcp_handshake(&tcp);
	if (srv_len)
		pg_tcp_send(&tcp, PG_TO_CLIENT, srv_first, srv_len);
	pg_tcp_send(&tcp, PG_TO_SERVER, cli_first, cli_len);
	pg_tcp_close(&tcp);
}

static const char *flow_app(const char *src)
{
	char filter[128];

	snprintf(filter, sizeof(filter), "event_type=flow src_ip=%s", src);
	return jr_str(eve_find(&t.eve, filter, 0), "app_proto");
}

Test(app_proto, mail_file_sharing_and_remote_desktop)
{
	static const char imap[] = "* OK [CAPABILITY IMAP4rev1] ready\r\n";
	static const char pop[] = "+OK POP3 ready\r\n";
	static const uint8_t smb[] = {0, 0, 0, 0x44, 0xfe, 'S', 'M', 'B', 64, 0, 0, 0};
	static const uint8_t rdp[] = {3, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 3, 0, 0, 0};

	itest_capture(&t, 1);
	session("198.18.0.1", 143, imap, strlen(imap), "a1 LOGIN u p\r\n", 14);
	session("198.18.0.2", 9143, NULL, 0, "a1 CAPABILITY\r\n", 15);
	session("198.18.0.3", 110, pop, strlen(pop), "USER u\r\n", 8);
	session("198.18.0.4", 445, NULL, 0, smb, sizeof(smb));
	session("198.18.0.5", 3389, NULL, 0, rdp, sizeof(rdp));
	session("198.18.0.6", 102, NULL, 0,
		(const uint8_t[]){3,	0, 0, 22, 17,	0xe0, 0, 0, 0,	  1, 0,
				  0xc1, 2, 1, 0,  0xc2, 2,    1, 2, 0xc0, 1, 10},
		22);
	itest_rules(&t, "rules: []\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_str_eq(flow_app("198.18.0.1"), "imap");
	cr_expect_str_eq(flow_app("198.18.0.2"), "imap", "whatever the port");
	cr_expect_str_eq(flow_app("198.18.0.3"), "pop3");
	cr_expect_str_eq(flow_app("198.18.0.4"), "smb");
	cr_expect_str_eq(flow_app("198.18.0.5"), "rdp");
	cr_expect_null(flow_app("198.18.0.6"), "ISO-TSAP (S7) is not RDP");
}

/* A DNS header then `rest`. */
static size_t dns_msg(uint8_t *out, uint16_t flags, uint16_t qd, uint16_t an, const void *rest,
		      size_t n)
{
	const uint8_t h[12] = {
		0, 0, (uint8_t)(flags >> 8), (uint8_t)flags, 0, (uint8_t)qd, 0, (uint8_t)an, 0, 0,
		0, 0};

	memcpy(out, h, 12);
	memcpy(out + 12, rest, n);
	return 12 + n;
}

Test(app_proto, mdns_is_dns_and_netbios_names_are_not)
{
	static const uint8_t two_q[] = {5, 'l', 'o',  'c', 'a', 'l', 0, 0, 12,
					0, 1,	0xc0, 12,  0,	33,  0, 1};
	uint8_t nb[1 + 32 + 1 + 4] = {32}, m[128];

	memcpy(nb + 1, "FHEPFCELEHFCEPFFFACACACACACACAAA", 32);
	nb[34] = 0, nb[35] = 0x20, nb[36] = 0, nb[37] = 1;
	itest_capture(&t, 1);
	pg_udp(&t.gen, "198.18.0.7", 5353, "198.18.0.255", 9999, m,
	       dns_msg(m, 0, 2, 0, two_q, sizeof(two_q)));
	pg_udp(&t.gen, "198.18.0.8", 137, "198.18.0.255", 137, m,
	       dns_msg(m, 0x0110, 1, 0, nb, sizeof(nb)));
	itest_rules(&t,
		    "rules:\n  - {id: 1, msg: q, buffer: dns.query, patterns: [{regex: '.'}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_str_eq(flow_app("198.18.0.7"), "dns", "two questions");
	cr_expect_null(flow_app("198.18.0.8"), "NetBIOS name service");
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 src_ip=198.18.0.7"), 1,
		     "a rule alerts once per message");
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 src_ip=198.18.0.8"), 0);
}
