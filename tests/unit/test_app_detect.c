/*
 * test_app_detect.c - application protocols from first bytes, not ports.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "app/app_detect.h"

static enum app_proto tcp(const char *s, int to_server)
{
	return app_detect((const uint8_t *)s, strlen(s), 6, to_server);
}

Test(app_detect, http_requests_and_responses)
{
	cr_assert_eq(tcp("GET /index.html HTTP/1.1\r\n", 1), APP_HTTP);
	cr_assert_eq(tcp("PROPFIND /dav HTTP/1.1\r\n", 1), APP_HTTP);
	cr_assert_eq(tcp("HTTP/1.1 200 OK\r\n", 0), APP_HTTP);
	cr_assert_eq(tcp("GE", 1), APP_NEED_MORE);
	cr_assert_eq(tcp("GETX / HTTP/1.1", 1), APP_UNKNOWN);
	cr_assert_eq(tcp("HTTP/1.1 200 OK\r\n", 1),
		     APP_UNKNOWN); /* a server line sent by a client */
	cr_assert_str_eq(app_proto_name(APP_HTTP), "http");
}

Test(app_detect, tls_client_and_server_hello)
{
	static const uint8_t ch[] = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c};
	static const uint8_t sh[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02};
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

	cr_assert_eq(app_detect(ch, sizeof(ch), 6, 1), APP_TLS);
	cr_assert_eq(app_detect(sh, sizeof(sh), 6, 0), APP_TLS);
	cr_assert_eq(app_detect(ch, 3, 6, 1), APP_NEED_MORE);
	cr_assert_eq(app_detect(alert, sizeof(alert), 6, 0), APP_UNKNOWN);
	cr_assert_str_eq(app_proto_name(APP_TLS), "tls");
}

Test(app_detect, dns_over_udp_and_tcp)
{
	static const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0,	 1,   0, 0,   0,   0,
				    0,	  0,	3,    'w',  'w', 'w', 7, 'e', 'x', 'a',
				    'm',  'p',	'l',  'e',  0,	 0,   1, 0,   1};
	uint8_t tcpq[2 + sizeof(q)] = {0, sizeof(q)};

	memcpy(tcpq + 2, q, sizeof(q));
	cr_assert_eq(app_detect(q, sizeof(q), 17, 1), APP_DNS);
	cr_assert_eq(app_detect(tcpq, sizeof(tcpq), 6, 1), APP_DNS);
	cr_assert_eq(app_detect((const uint8_t *)"hello there, not dns", 20, 17, 1), APP_UNKNOWN);
}

Test(app_detect, banners)
{
	cr_assert_eq(tcp("SSH-2.0-OpenSSH_9.2\r\n", 0), APP_SSH);
	cr_assert_eq(tcp("220 mail.example ESMTP ready\r\n", 0), APP_SMTP);
	cr_assert_eq(tcp("EHLO client.example\r\n", 1), APP_SMTP);
	cr_assert_eq(tcp("220 ProFTPD Server (FTP)\r\n", 0), APP_FTP);
	cr_assert_eq(tcp("220 welcome", 0), APP_NEED_MORE);
	cr_assert_eq(tcp("220 something else\r\n", 0), APP_UNKNOWN);
	cr_assert_eq(app_detect(NULL, 0, 6, 1), APP_NEED_MORE);
	cr_assert_null(app_proto_name(APP_UNKNOWN));
}

/* A DNS header (id, flags, counts) then `rest`. */
static size_t dns_msg(uint8_t *out, uint16_t flags, uint16_t qd, uint16_t an, const void *rest,
		      size_t n)
{
	const uint8_t h[12] = {0x12,
			       0x34,
			       (uint8_t)(flags >> 8),
			       (uint8_t)flags,
			       0,
			       (uint8_t)qd,
			       0,
			       (uint8_t)an,
			       0,
			       0,
			       0,
			       0};

	memcpy(out, h, 12);
	memcpy(out + 12, rest, n);
	return 12 + n;
}

Test(app_detect, mdns_several_questions_or_only_answers)
{
	static const uint8_t two_q[] = {5, 'l', 'o',  'c', 'a', 'l', 0, 0, 12,
					0, 1,	0xc0, 12,  0,	33,  0, 1};
	static const uint8_t answer[] = {4, 'h',  'o', 's', 't', 5, 'l', 'o', 'c', 'a', 'l', 0, 0,
					 1, 0x80, 1,   0,   0,	 0, 120, 0,   4,   198, 18,  0, 1};
	uint8_t m[128];

	cr_expect_eq(app_detect(m, dns_msg(m, 0, 2, 0, two_q, sizeof(two_q)), 17, 1), APP_DNS);
	cr_expect_eq(app_detect(m, dns_msg(m, 0x8400, 0, 1, answer, sizeof(answer)), 17, 0),
		     APP_DNS, "an mDNS announcement has answers and no question");
	cr_expect_eq(app_detect(m, dns_msg(m, 0x8400, 0, 0, answer, sizeof(answer)), 17, 0),
		     APP_UNKNOWN, "no question and no answer");
}

Test(app_detect, netbios_name_service_is_not_dns)
{
	uint8_t name[1 + 32 + 1 + 4] = {32};
	uint8_t m[128];

	memcpy(name + 1, "FHEPFCELEHFCEPFFFACACACACACACAAA", 32); /* "WORKGROUP" <00> */
	name[34] = 0, name[35] = 0x20, name[36] = 0, name[37] = 1;
	cr_expect_eq(app_detect(m, dns_msg(m, 0x0110, 1, 0, name, sizeof(name)), 17, 1),
		     APP_UNKNOWN, "NB query");
	name[35] = 0x21;
	cr_expect_eq(app_detect(m, dns_msg(m, 0x0000, 1, 0, name, sizeof(name)), 17, 1),
		     APP_UNKNOWN, "NBSTAT query");
	name[35] = 0x01;
	cr_expect_eq(app_detect(m, dns_msg(m, 0x0100, 1, 0, name, sizeof(name)), 17, 1), APP_DNS,
		     "the same letters asked as an A record are a DNS name");
}

Test(app_detect, mail_greetings_and_commands)
{
	cr_expect_eq(tcp("* OK [CAPABILITY IMAP4rev1] ready\r\n", 0), APP_IMAP);
	cr_expect_eq(tcp("* PREAUTH logged in\r\n", 0), APP_IMAP);
	cr_expect_eq(tcp("a001 CAPABILITY\r\n", 1), APP_IMAP);
	cr_expect_eq(tcp("A2 login user pass\r\n", 1), APP_IMAP, "commands in any case");
	cr_expect_eq(tcp("a001 FETCH 1\r\n", 1), APP_UNKNOWN, "not a first command");
	cr_expect_eq(tcp("+OK POP3 server ready\r\n", 0), APP_POP3);
	cr_expect_eq(tcp("+OK", 1), APP_UNKNOWN, "a greeting comes from the server");
	cr_expect_str_eq(app_proto_name(APP_IMAP), "imap");
	cr_expect_str_eq(app_proto_name(APP_POP3), "pop3");
}

Test(app_detect, smb_over_netbios_session)
{
	static const uint8_t smb2[] = {0, 0, 0, 0x44, 0xfe, 'S', 'M', 'B', 64, 0};
	static const uint8_t smb1[] = {0, 0, 0, 0x2f, 0xff, 'S', 'M', 'B', 0x72};
	static const uint8_t other[] = {0, 0, 0, 0x2f, 0xfc, 'S', 'M', 'B', 0x72};

	cr_expect_eq(app_detect(smb2, sizeof(smb2), 6, 1), APP_SMB);
	cr_expect_eq(app_detect(smb1, sizeof(smb1), 6, 0), APP_SMB);
	cr_expect_eq(app_detect(other, sizeof(other), 6, 1), APP_UNKNOWN);
	cr_expect_eq(app_detect(smb2, 5, 6, 1), APP_NEED_MORE);
	cr_expect_str_eq(app_proto_name(APP_SMB), "smb");
}

Test(app_detect, rdp_connection_request_and_confirm_not_iso_tsap)
{
	/* TPKT, X.224 CR (li 0x26), cookie, rdpNegReq (TLS | CredSSP) */
	static const char cookie[] = "Cookie: mstshash=user\r\n";
	uint8_t cr[64] = {3, 0, 0, 0, 0, 0xe0, 0, 0, 0, 0, 0};
	uint8_t cc[19] = {3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0, 8, 0, 1, 0, 0, 0};
	static const uint8_t tsap[22] = {3,    0, 0, 22, 17,   0xe0, 0, 0, 0,	 1, 0,
					 0xc1, 2, 1, 0,	 0xc2, 2,    1, 2, 0xc0, 1, 10};
	size_t n = 11;

	memcpy(cr + n, cookie, strlen(cookie));
	n += strlen(cookie);
	memcpy(cr + n, (const uint8_t[]){1, 0, 8, 0, 3, 0, 0, 0}, 8);
	n += 8;
	cr[3] = (uint8_t)n;
	cr[4] = (uint8_t)(n - 5);
	cr_expect_eq(app_detect(cr, n, 6, 1), APP_RDP);
	cr_expect_eq(app_detect(cc, sizeof(cc), 6, 0), APP_RDP, "rdpNegRsp");
	cr_expect_eq(app_detect(tsap, sizeof(tsap), 6, 1), APP_UNKNOWN, "S7/ISO-TSAP");
	cr_expect_eq(app_detect(cr, 4, 6, 1), APP_NEED_MORE);
	cr_expect_str_eq(app_proto_name(APP_RDP), "rdp");
}

Test(app_detect, no_read_past_the_end_at_any_length)
{
	static const char *const inputs[] = {
		"GET / HTTP/1.1\r\n", "HTTP/1.0 200\r\n", "220 x SMTP\r\n", "SSH-2.0-x\r\n",
		"a1 CAPABILITY\r\n",  "* OK\r\n",	  "+OK\r\n"};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		for (size_t n = 0; n <= strlen(inputs[i]); n++) {
			uint8_t *copy = malloc(n ? n : 1);

			memcpy(copy, inputs[i], n);
			(void)app_detect(copy, n, 6, 0);
			(void)app_detect(copy, n, 6, 1);
			(void)app_detect(copy, n, 17, 1);
			free(copy);
		}
}

Test(app_detect, binary_probes_read_nothing_past_the_end)
{
	static const uint8_t inputs[][12] = {
		{3, 0, 0, 11, 6, 0xe0, 0, 0, 0, 0, 0},		   /* RDP CR without parameters */
		{0, 0, 0, 0x10, 0xfe, 'S', 'M', 'B', 64, 0, 0, 0}, /* SMB2 */
		{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0},	   /* DNS header, no name */
	};
	static const size_t lens[] = {11, 12, 12};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (size_t n = 0; n <= lens[i]; n++) {
			uint8_t *copy = malloc(n ? n : 1);

			memcpy(copy, inputs[i], n);
			(void)app_detect(copy, n, 6, 0);
			(void)app_detect(copy, n, 6, 1);
			(void)app_detect(copy, n, 17, 1);
			free(copy);
		}
	cr_expect_eq(app_detect(inputs[0], 11, 6, 1), APP_RDP);
	cr_expect_eq(app_detect(inputs[1], 12, 6, 1), APP_SMB);
}
