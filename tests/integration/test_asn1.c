/*
 * test_asn1.c - Suricata's asn1 keyword in the real sensor, from a .rules
 * file, on crafted TCP packets to port 139: an OCTET STRING longer than
 * oversize_length after the content (relative_offset), one shorter, one
 * whose length runs past the packet (not read, so not checked), and a
 * BIT STRING with more unused bits than it has (absolute_offset). The
 * rules look at single packets (Suricata inspects asn1 on packets only).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "asn1");
	snprintf(t.rules, sizeof(t.rules), "%s/in.rules", t.dir);
	itest_config(&t, "plugins:\n  - name: signature\n");
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(asn1, .init = begin, .fini = end);

static const char rules[] =
	"alert tcp any any -> any 139 (msg:\"asn1 big\"; flow:established,to_server; "
	"content:\"|FF|SMB\"; asn1:oversize_length 100, relative_offset 0; sid:1;)\n"
	"alert tcp any any -> any 139 (msg:\"bits\"; content:\"BITS\"; "
	"asn1:bitstring_overflow, absolute_offset 4; sid:2;)\n";

Test(asn1, ber_overflows_in_packets)
{
	uint8_t big[4 + 3 + 200];
	struct pg_tcp s;

	memcpy(big, "\xffSMB\x04\x81\xc8", 7);
	memset(big + 7, 'A', 200);
	itest_capture(&t, 1);
	pg_tcp_init(&s, &t.gen, "198.18.0.10", 41000, "198.18.1.80", 139);
	pg_tcp_handshake(&s);
	pg_tcp_send(&s, PG_TO_SERVER, big, sizeof(big)); /* 1 */
	pg_tcp_send(&s, PG_TO_SERVER,
		    "\xffSMB\x04\x05"
		    "AAAAA",
		    11); /* short */
	pg_tcp_send(&s, PG_TO_SERVER,
		    "\xffSMB\x04\x82\x10\x00"
		    "AAAAAAAAAA",
		    18);					  /* cut */
	pg_tcp_send(&s, PG_TO_SERVER, "BITS\x03\x02\xff\x00", 8); /* 2 */
	pg_tcp_send(&s, PG_TO_SERVER, "BITS\x03\x02\x07\x00", 8);
	pg_tcp_close(&s);
	itest_rules(&t, rules);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 1);
	cr_expect_eq(itest_alerts(&t, 2), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=alert"), 2);
}

Test(asn1, bad_option_is_reported_with_its_place)
{
	itest_rules(&t,
		    "alert tcp any any -> any any (msg:\"x\"; asn1:relative_offset 1; sid:3;)\n");
	run_sensor(&t.res, SENSOR_BIN, "-T", "-c", t.conf, "-S", t.rules, NULL);
	cr_expect_eq(t.res.status, 1);
	cr_expect(strstr(t.res.err, "rule 3: asn1: needs at least one check: bitstring_overflow, "
				    "double_overflow or oversize_length N") != NULL,
		  "%s", t.res.err);
}
