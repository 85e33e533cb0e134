/*
 * test_ssh.c - the ssh plugin in the real sensor: SSH sessions on port 22
 * and on another port, banners and KEXINITs cut over segments, a server
 * that sends lines before its banner, rules on every ssh buffer with exact
 * alert counts and exact `ssh` objects; flows that are not SSH and hostile
 * handshakes raise nothing; the hassh option.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "ssh");
	itest_config(&t, "plugins:\n  - name: ssh\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(ssh, .init = begin, .fini = end);

/* Client lists then server lists (RFC 4253 7.1 order). */
static const char *const client_lists[10] = {
	"curve25519-sha256,ext-info-c",
	"ssh-ed25519",
	"aes128-ctr,aes256-ctr",
	"aes128-ctr,aes256-ctr",
	"hmac-sha2-256",
	"hmac-sha2-256",
	"none",
	"none",
	"",
	"",
};
static const char *const server_lists[10] = {
	"curve25519-sha256",
	"rsa-sha2-512",
	"aes256-ctr",
	"chacha20-poly1305@openssh.com",
	"hmac-sha1",
	"hmac-sha2-512",
	"none",
	"zlib",
	"",
	"",
};

#define CLIENT_HASSH_STRING "curve25519-sha256,ext-info-c;aes128-ctr,aes256-ctr;hmac-sha2-256;none"
#define SERVER_HASSH_STRING "curve25519-sha256;chacha20-poly1305@openssh.com;hmac-sha2-512;zlib"
/* MD5 of the strings above (Python hashlib). */
#define CLIENT_HASSH "dbf9d92c1b608e8e98aafda4ea75bf92"
#define SERVER_HASSH "64dfad7b1a0fa6aa4c16e902102c1b96"

static size_t kexinit(uint8_t *out, const char *const lists[10])
{
	size_t at = 5, plen;

	out[at++] = 20;
	memset(out + at, 0x11, 16);
	at += 16;
	for (unsigned i = 0; i < 10; i++) {
		size_t n = strlen(lists[i]);

		out[at] = 0;
		out[at + 1] = 0;
		out[at + 2] = (uint8_t)(n >> 8);
		out[at + 3] = (uint8_t)n;
		memcpy(out + at + 4, lists[i], n);
		at += 4 + n;
	}
	memset(out + at, 0, 5 + 8); /* flags, reserved, 8 bytes of padding */
	at += 13;
	plen = at - 4;
	out[0] = 0;
	out[1] = 0;
	out[2] = (uint8_t)(plen >> 8);
	out[3] = (uint8_t)plen;
	out[4] = 8;
	return at;
}

/* One SSH session: banners, KEXINITs (the client's cut in two segments),
 * then some encrypted bytes each way. */
static void ssh_session(const char *cli, uint16_t cport, const char *srv, uint16_t port,
			const char *server_pre)
{
	static const char cbanner[] = "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n";
	static const char sbanner[] = "SSH-2.0-dropbear_2022.83\r\n";
	static const uint8_t enc[48] = {0x9c, 0x01, 0x77};
	uint8_t wire[2048];
	struct pg_tcp tcp;
	size_t n;

	pg_tcp_init(&tcp, &t.gen, cli, cport, srv, port);
	pg_tcp_handshake(&tcp);
	n = strlen(server_pre);
	memcpy(wire, server_pre, n);
	memcpy(wire + n, sbanner, strlen(sbanner));
	pg_tcp_send(&tcp, PG_TO_CLIENT, wire, n + strlen(sbanner));
	pg_tcp_send(&tcp, PG_TO_SERVER, cbanner, 10);
	n = strlen(cbanner) - 10;
	memcpy(wire, cbanner + 10, n);
	n += kexinit(wire + n, client_lists);
	pg_tcp_send(&tcp, PG_TO_SERVER, wire, n / 2);
	pg_tcp_send(&tcp, PG_TO_SERVER, wire + n / 2, n - n / 2);
	n = kexinit(wire, server_lists);
	pg_tcp_send(&tcp, PG_TO_CLIENT, wire, n);
	pg_tcp_send(&tcp, PG_TO_SERVER, enc, sizeof(enc));
	pg_tcp_send(&tcp, PG_TO_CLIENT, enc, sizeof(enc));
	pg_tcp_close(&tcp);
}

static const char every_buffer_rules[] =
	"rules:\n"
	"  - {id: 1, msg: proto, buffer: ssh.proto, direction: to_server, patterns: [{content: "
	"'2.0'}]}\n"
	"  - {id: 2, msg: openssh, buffer: ssh.software, patterns: [{content: OpenSSH_, depth: "
	"8}]}\n"
	"  - {id: 3, msg: dropbear, buffer: ssh.software, patterns: [{content: dropbear}]}\n"
	"  - {id: 4, msg: hassh, buffer: ssh.hassh, patterns: [{content: " CLIENT_HASSH "}]}\n"
	"  - {id: 5, msg: hassh string, buffer: ssh.hassh.string, patterns: [{content: "
	"'ext-info-c;aes128'}]}\n"
	"  - {id: 6, msg: hassh server, buffer: ssh.hassh.server, patterns: "
	"[{content: " SERVER_HASSH "}]}\n"
	"  - {id: 7, msg: hassh server string, buffer: ssh.hassh.server.string, patterns: "
	"[{content: ';zlib'}]}\n"
	"  - {id: 8, msg: comments are not software, buffer: ssh.software, patterns: [{content: "
	"Ubuntu}]}\n";

static void expect_ssh_object(const struct jr_val *a)
{
	cr_expect_str_eq(jr_str(a, "ssh.client.proto_version"), "2.0");
	cr_expect_str_eq(jr_str(a, "ssh.client.software_version"), "OpenSSH_9.6p1");
	cr_expect_str_eq(jr_str(a, "ssh.server.proto_version"), "2.0");
	cr_expect_str_eq(jr_str(a, "ssh.server.software_version"), "dropbear_2022.83");
}

Test(ssh, sessions_on_22_and_another_port)
{
	const struct jr_val *a;

	itest_capture(&t, 1);
	ssh_session("198.18.0.10", 40001, "198.18.1.1", 22, "");
	ssh_session("198.18.0.11", 40002, "198.18.1.2", 2222, "Authorised users only\r\n");
	itest_rules(&t, every_buffer_rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);

	cr_expect_eq(itest_alerts(&t, 1), 2, "client banners only (direction to_server)");
	cr_expect_eq(itest_alerts(&t, 2), 2);
	cr_expect_eq(itest_alerts(&t, 3), 2);
	cr_expect_eq(itest_alerts(&t, 4), 2);
	cr_expect_eq(itest_alerts(&t, 5), 2);
	cr_expect_eq(itest_alerts(&t, 6), 2);
	cr_expect_eq(itest_alerts(&t, 7), 2);
	cr_expect_eq(itest_alerts(&t, 8), 0);

	a = eve_find(&t.eve, "alert.signature_id=6 src_port=2222", 0);
	cr_assert_not_null(a, "the server's KEXINIT alerts from the server");
	expect_ssh_object(a);
	cr_expect_str_eq(jr_str(a, "ssh.client.hassh.hash"), CLIENT_HASSH);
	cr_expect_str_eq(jr_str(a, "ssh.client.hassh.string"), CLIENT_HASSH_STRING);
	cr_expect_str_eq(jr_str(a, "ssh.server.hassh.hash"), SERVER_HASSH);
	cr_expect_str_eq(jr_str(a, "ssh.server.hassh.string"), SERVER_HASSH_STRING);

	a = eve_find(&t.eve, "alert.signature_id=4 dest_port=22", 0);
	cr_assert_not_null(a);
	expect_ssh_object(a);
	cr_expect_str_eq(jr_str(a, "ssh.client.hassh.hash"), CLIENT_HASSH);
	cr_expect_null(jr_str(a, "ssh.server.hassh.hash"), "not sent yet");
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 14);
}

/* A client that sends `data` to port 22 and closes. */
static void client_sends(const char *cli, uint16_t cport, const void *data, size_t len)
{
	struct pg_tcp tcp;

	pg_tcp_init(&tcp, &t.gen, cli, cport, "198.18.1.9", 22);
	pg_tcp_handshake(&tcp);
	pg_tcp_send(&tcp, PG_TO_SERVER, data, len);
	pg_tcp_close(&tcp);
}

Test(ssh, hostile_handshakes_raise_nothing_and_the_next_flow_still_works)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n";
	static uint8_t big[300], bad_len[64], wire[2048];
	size_t n;

	memcpy(big, "SSH-2.0-", 8);
	memset(big + 8, 'O', sizeof(big) - 9);
	big[sizeof(big) - 1] = '\n';
	memcpy(bad_len, "SSH-2.0-OpenSSH_1\r\n\xff\xff\xff\xff\x04", 24);
	memcpy(wire, "SSH-2.0-OpenSSH_9\r\n", 19);
	n = 19 + kexinit(wire + 19, client_lists);
	itest_capture(&t, 1);
	client_sends("198.18.0.20", 40010, http, sizeof(http) - 1);
	client_sends("198.18.0.21", 40011, big, sizeof(big));
	client_sends("198.18.0.22", 40012, bad_len, sizeof(bad_len));
	client_sends("198.18.0.23", 40013, wire, n - 20); /* KEXINIT cut by the FIN */
	client_sends("198.18.0.24", 40014, wire, n);
	itest_rules(&t,
		    "rules:\n"
		    "  - {id: 2, msg: openssh, buffer: ssh.software, patterns: [{content: "
		    "OpenSSH_}]}\n"
		    "  - {id: 4, msg: hassh, buffer: ssh.hassh, patterns: [{content: " CLIENT_HASSH
		    "}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert src_ip=198.18.0.21"), 0, "too long");
	cr_expect_eq(eve_count(&t.eve, "event_type=alert src_ip=198.18.0.22"), 1, "banner only");
	cr_expect_eq(eve_count(&t.eve, "event_type=alert src_ip=198.18.0.23"), 1, "banner only");
	cr_expect_eq(eve_count(&t.eve, "event_type=alert src_ip=198.18.0.24"), 2);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 4);
}

Test(ssh, hassh_off_refuses_hassh_rules)
{
	itest_config(&t, "plugins:\n  - name: ssh\n    options: {hassh: false}\n");
	itest_capture(&t, 1);
	ssh_session("198.18.0.10", 40001, "198.18.1.1", 22, "");
	itest_rules(&t, "rules:\n  - {id: 4, msg: hassh, buffer: ssh.hassh, patterns: [{content: "
			"x}]}\n");
	cr_expect_eq(itest_run(&t, NULL), 1);
	cr_expect(strstr(t.res.err, "needs the ssh option hassh: true") != NULL, "%s", t.res.err);

	itest_rules(&t, "rules:\n  - {id: 2, msg: sw, buffer: ssh.software, patterns: [{content: "
			"dropbear}]}\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_null(
		jr_str(eve_find(&t.eve, "alert.signature_id=2", 0), "ssh.server.hassh.hash"));
}

/* A client with banner `software` to `port`, no KEXINIT. */
static void client_banner(const char *cli, uint16_t cport, uint16_t port, const char *software,
			  const char *server_proto)
{
	char line[256];
	struct pg_tcp tcp;
	int n;

	pg_tcp_init(&tcp, &t.gen, cli, cport, "198.18.1.1", port);
	pg_tcp_handshake(&tcp);
	n = snprintf(line, sizeof(line), "SSH-%s-srv\r\n", server_proto);
	pg_tcp_send(&tcp, PG_TO_CLIENT, line, (size_t)n);
	n = snprintf(line, sizeof(line), "SSH-2.0-%s\r\n", software);
	pg_tcp_send(&tcp, PG_TO_SERVER, line, (size_t)n);
	pg_tcp_close(&tcp);
}

Test(ssh, shipped_rules_load_and_fire_on_their_traffic)
{
	itest_capture(&t, 1);
	client_banner("198.18.0.30", 40030, 22, "libssh_0.9.6", "1.5");
	client_banner("198.18.0.31", 40031, 22, "Go", "1.99");
	client_banner("198.18.0.32", 40032, 22, "paramiko_3.4.0", "2.0");
	client_banner("198.18.0.33", 40033, 8022, "OpenSSH_9.6", "2.0");
	client_banner("198.18.0.34", 40034, 22, "libssh2_1.11.0", "2.0");
	snprintf(t.rules, sizeof(t.rules), "%s/rules/ssh.yaml", SOURCE_DIR);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 3400001), 1, "1.5, not 1.99");
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=3400001 src_ip=198.18.1.1"), 1);
	cr_expect_eq(itest_alerts(&t, 3400002), 2);
	cr_expect_eq(itest_alerts(&t, 3400003), 1);
	cr_expect_eq(itest_alerts(&t, 3400004), 1);
	cr_expect_eq(itest_alerts(&t, 3400005), 1);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=3400005 dest_port=8022"), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 6);
}
