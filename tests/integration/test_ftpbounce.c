/*
 * test_ftpbounce.c - Suricata's ftpbounce in the real sensor, from a
 * .rules file (ET's "GPL FTP PORT bounce attempt" shape), on crafted FTP
 * control connections: a PORT naming the client itself, a PORT naming a
 * third host (the bounce), and the same bounce on a connection that is not
 * FTP (as in Suricata, the keyword makes the rule an FTP rule). Exact
 * alert counts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "ftpbounce");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(ftpbounce, .init = begin, .fini = end);

static void send_str(struct pg_tcp *s, int dir, const char *text)
{
	pg_tcp_send(s, dir, text, strlen(text));
}

/* A control connection from 198.18.0.10 to port 21 (FTP when `ftp`, else
 * a connection whose first bytes are not FTP's) sending `port`. */
static void session(uint16_t cport, bool ftp, const char *port)
{
	struct pg_tcp s;

	pg_tcp_init(&s, &t.gen, "198.18.0.10", cport, "198.18.1.21", 21);
	pg_tcp_handshake(&s);
	send_str(&s, PG_TO_CLIENT, ftp ? "220 FTP server ready\r\n" : "HELLO\r\n");
	send_str(&s, PG_TO_SERVER, ftp ? "USER anonymous\r\n" : "HI there\r\n");
	send_str(&s, PG_TO_CLIENT, "331 ok\r\n");
	send_str(&s, PG_TO_SERVER, port);
	send_str(&s, PG_TO_CLIENT, "200 PORT command successful\r\n");
	pg_tcp_close(&s);
}

Test(ftpbounce, port_naming_another_host)
{
	itest_capture(&t, 1);
	session(41000, true, "PORT 198,18,0,10,4,1\r\n"); /* the client itself */
	session(41001, true, "PORT 10,0,0,1,0,21\r\n");	  /* a bounce */
	session(41002, false, "PORT 10,0,0,1,0,21\r\n");  /* not FTP */
	itest_rules(&t, "alert tcp any any -> any 21 (msg:\"GPL FTP PORT bounce attempt\"; "
			"flow:to_server,established; content:\"PORT\"; nocase; ftpbounce; "
			"pcre:\"/^PORT/smi\"; sid:2103441;)\n");
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 2103441), 1);
	cr_expect_eq(jr_int(eve_find(&t.eve, "alert.signature_id=2103441", 0), "src_port", 0),
		     41001);
	cr_expect_str_eq(jr_str(eve_find(&t.eve, "alert.signature_id=2103441", 0), "app_proto"),
			 "ftp");
}
