/*
 * test_tls_certs.c - the server certificate of TLS 1.2 handshakes in the
 * real sensor: a server flight (ServerHello, Certificate with a chain of
 * two, ServerKeyExchange, ServerHelloDone) cut over records and segments,
 * rules on the certificate buffers and on Suricata's names of the
 * fingerprint buffers with exact alert counts, and the `tls` object's
 * subject, issuerdn, serial, fingerprint, notbefore and notafter.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "itest.h"
#include "tls_certs.h"
#include "tls_hello.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "tls_certs");
	itest_config(&t, "plugins:\n  - name: tls\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(tls_certs, .init = begin, .fini = end);

static uint8_t hs[8192], body[4096], wire[16384];

static size_t cert_msg(uint8_t *out)
{
	const uint8_t *ders[2] = {tc_server_der, tc_root_der};
	const size_t lens[2] = {TC_SERVER_DER_LEN, TC_ROOT_DER_LEN};
	size_t at = 3;

	for (size_t i = 0; i < 2; i++) {
		out[at] = 0, out[at + 1] = (uint8_t)(lens[i] >> 8), out[at + 2] = (uint8_t)lens[i];
		memcpy(out + at + 3, ders[i], lens[i]);
		at += 3 + lens[i];
	}
	out[0] = 0, out[1] = (uint8_t)((at - 3) >> 8), out[2] = (uint8_t)(at - 3);
	return at;
}

static void session(const char *cli, uint16_t cport, size_t per_record)
{
	static const uint8_t ske[64] = {3, 0, 0x17};
	struct th_spec s = th_foxio(false, "www.example.org");
	struct pg_tcp tcp;
	size_t n =
		th_records(hs, th_handshake(1, body, th_client_hello(&s, body), hs), 16384, wire);

	pg_tcp_init(&tcp, &t.gen, cli, cport, "198.18.1.1", 443);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, wire, n);
	n = th_handshake(2, body, th_server_hello(0x0303, 0xc02f, 0, body), hs);
	n += th_handshake(11, body, cert_msg(body), hs + n);
	n += th_handshake(12, ske, sizeof(ske), hs + n);
	n += th_handshake(14, ske, 0, hs + n);
	n = th_records(hs, n, per_record, wire);
	pg_tcp_send(&tcp, PG_TO_CLIENT, wire, n / 3);
	pg_tcp_send(&tcp, PG_TO_CLIENT, wire + n / 3, n - n / 3);
	pg_tcp_send(&tcp, PG_TO_SERVER, (const uint8_t[]){20, 3, 3, 0, 1, 1}, 6);
	pg_tcp_close(&tcp);
}

Test(tls_certs, certificate_buffers_and_the_tls_object)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	session("198.18.0.10", 40001, 16384);
	session("198.18.0.11", 40002, 300); /* the Certificate over several records */
	itest_rules(&t, "rules:\n"
			"  - {id: 1, msg: subject, buffer: tls.cert_subject, patterns: [{content: "
			"'CN=www.example.org'}]}\n"
			"  - {id: 2, msg: issuer, buffer: tls.cert_issuer, patterns: [{content: "
			"'O=Test CA'}]}\n"
			"  - {id: 3, msg: serial, buffer: tls.cert_serial, patterns: [{content: "
			"'00:E4:A1'}]}\n"
			"  - {id: 4, msg: fingerprint, buffer: tls.cert_fingerprint, patterns: "
			"[{content: '62:12:d8:50'}]}\n"
			"  - {id: 5, msg: chain, buffer: tls.certs, patterns: [{content: 'Test "
			"Root'}]}\n"
			"  - {id: 6, msg: ja3 by Suricata's name, buffer: ja3.hash, patterns: "
			"[{regex: '^[0-9a-f]{32}$'}]}\n"
			"  - {id: 7, msg: ja4 by Suricata's name, buffer: ja4.hash, patterns: "
			"[{content: t13, depth: 3}]}\n");
	cr_assert_eq(itest_run(&t, "-v", NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(itest_alerts(&t, 3), 2);
	cr_expect_eq(itest_alerts(&t, 4), 2);
	cr_expect_eq(itest_alerts(&t, 5), 4, "both certificates of each chain hold 'Test Root'");
	cr_expect_eq(itest_alerts(&t, 6), 2);
	cr_expect_eq(itest_alerts(&t, 7), 2);
	a = eve_find(&t.eve, "alert.signature_id=1 src_port=443", 0);
	cr_assert_not_null(a, "certificate alerts come from the server");
	cr_expect_str_eq(jr_str(a, "tls.subject"),
			 "C=CH, ST=Bern, O=Example Org, OU=Sensor Tests, CN=www.example.org, "
			 "emailAddress=ops@example.org");
	cr_expect_str_eq(jr_str(a, "tls.issuerdn"), "C=US, O=Test CA, CN=Test Root");
	cr_expect_str_eq(jr_str(a, "tls.serial"), "00:E4:A1:B2:C3:D4:E5:F6:07");
	cr_expect_str_eq(jr_str(a, "tls.fingerprint"),
			 "62:12:d8:50:a4:21:b2:93:94:50:32:a1:44:b7:30:ba:55:44:f4:60");
	cr_expect_str_eq(jr_str(a, "tls.notbefore"), "2026-12-03T10:29:23");
	cr_expect_str_eq(jr_str(a, "tls.notafter"), "2029-03-07T10:29:23");
	cr_expect_str_eq(jr_str(a, "tls.sni"), "www.example.org");
	cr_expect_str_eq(jr_str(a, "tls.version"), "TLS 1.2");
	cr_expect(strstr(t.res.err,
			 "2 TLS flows, 2 client hellos, 2 server hellos, 2 certificates;") != NULL,
		  "%s", t.res.err);
}
