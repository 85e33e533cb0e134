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

Test(app_detect, no_read_past_the_end_at_any_length)
{
	static const char *const inputs[] = {"GET / HTTP/1.1\r\n", "HTTP/1.0 200\r\n",
					     "220 x SMTP\r\n", "SSH-2.0-x\r\n"};

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
