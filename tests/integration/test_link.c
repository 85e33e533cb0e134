/*
 * test_link.c - capture formats and link layers end to end: the same UDP
 * datagram in pcap and pcapng files, behind Ethernet, 802.1Q, QinQ, Linux
 * cooked v1 and v2 and raw IP headers, always gives the same alert, with
 * the VLAN ids when tagged.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "itest.h"

static struct itest t;

static const char rules[] = "rules:\n  - {id: 1, msg: seen, patterns: [{content: LINKTEST}]}\n";

static void begin(void)
{
	itest_begin(&t, SENSOR_BIN, "link");
	itest_rules(&t, rules);
}

static void end(void)
{
	itest_end(&t);
}

TestSuite(link, .init = begin, .fini = end);

static struct pg_pkt datagram(void)
{
	struct pg_pkt p = {.src = "198.18.0.1",
			   .dst = "198.18.0.2",
			   .sport = 1234,
			   .dport = 4321,
			   .proto = IPPROTO_UDP,
			   .payload = "LINKTEST",
			   .len = 8};

	return p;
}

static const struct jr_val *the_alert(void)
{
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_assert_eq(itest_alerts(&t, 1), 1);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_expect_str_eq(jr_str(a, "src_ip"), "198.18.0.1");
	cr_expect_eq(jr_int(a, "dest_port", 0), 4321);
	cr_expect_str_eq(jr_str(a, "proto"), "UDP");
	return a;
}

Test(link, ethernet)
{
	struct pg_pkt p = datagram();

	pg_packet(itest_capture(&t, 1), &p);
	cr_expect_null(jr_get(the_alert(), "vlan"));
}

Test(link, vlan_8021q)
{
	struct pg_pkt p = datagram();

	p.vlan[0] = 42;
	p.n_vlan = 1;
	pg_packet(itest_capture(&t, 1), &p);
	const struct jr_val *a = the_alert();
	cr_expect_eq(jr_int(a, "vlan.0", -1), 42);
	cr_expect_null(jr_get(a, "vlan.1"));
}

Test(link, qinq_8021ad)
{
	struct pg_pkt p = datagram();

	p.vlan[0] = 200;
	p.vlan[1] = 300;
	p.n_vlan = 2;
	p.vlan_outer_tpid = 0x88a8;
	pg_packet(itest_capture(&t, 1), &p);
	const struct jr_val *a = the_alert();
	cr_expect_eq(jr_int(a, "vlan.0", -1), 200);
	cr_expect_eq(jr_int(a, "vlan.1", -1), 300);
	cr_expect_eq(jr_int(eve_find(&t.eve, "event_type=stats", 0), "stats.decoder.vlan_qinq", -1),
		     1);
}

Test(link, raw_ip)
{
	struct pg_pkt p = datagram();

	pg_packet(itest_capture(&t, 101), &p);
	the_alert();
}

/* A cooked header (v1 or v2) in front of the bare IP packet. */
static void write_cooked(int v2)
{
	struct pcapgen *g = itest_capture(&t, v2 ? 276 : 113);
	struct pg_pkt p = datagram();
	struct pcapgen raw = {.linktype = 101};
	uint8_t frame[2048];
	size_t hl = v2 ? 20 : 16, n;

	memset(frame, 0, hl);
	n = pg_build(&raw, &p, frame + hl, sizeof(frame) - hl);
	if (v2) {
		frame[0] = 0x08; /* protocol 0x0800 */
		frame[7] = 3;	 /* ifindex */
		frame[9] = 1;	 /* ARPHRD_ETHER */
		frame[11] = 6;	 /* address length */
	} else {
		frame[3] = 1; /* ARPHRD_ETHER */
		frame[5] = 6;
		frame[14] = 0x08;
	}
	pg_write(g, frame, hl + n);
}

Test(link, linux_cooked_v1)
{
	write_cooked(0);
	the_alert();
}

Test(link, linux_cooked_v2)
{
	write_cooked(1);
	the_alert();
}

/* pcapng: section header, interface description, one enhanced packet. */
static void put_block(FILE *f, uint32_t type, const void *body, uint32_t len)
{
	uint32_t total = 12 + ((len + 3) & ~3u);
	static const uint8_t pad[4];

	fwrite(&type, 4, 1, f);
	fwrite(&total, 4, 1, f);
	fwrite(body, 1, len, f);
	fwrite(pad, 1, total - 12 - len, f);
	fwrite(&total, 4, 1, f);
}

Test(link, pcapng)
{
	struct pcapgen eth = {.linktype = 1};
	struct pg_pkt p = datagram();
	uint8_t frame[2048], epb[2100];
	uint32_t shb[4] = {0x1a2b3c4d, 0x00000001, 0xffffffff, 0xffffffff};
	uint32_t idb[2] = {1 /* Ethernet */, 262144};
	uint64_t ts = UINT64_C(1795000000123456);
	uint32_t hdr[5];
	size_t n = pg_build(&eth, &p, frame, sizeof(frame));
	FILE *f = fopen(t.pcap, "wb");

	cr_assert_not_null(f);
	hdr[0] = 0;
	hdr[1] = (uint32_t)(ts >> 32);
	hdr[2] = (uint32_t)ts;
	hdr[3] = hdr[4] = (uint32_t)n;
	memcpy(epb, hdr, sizeof(hdr));
	memcpy(epb + sizeof(hdr), frame, n);
	put_block(f, 0x0a0d0d0a, shb, sizeof(shb));
	put_block(f, 1, idb, sizeof(idb));
	put_block(f, 6, epb, (uint32_t)(sizeof(hdr) + n));
	fclose(f);
	const struct jr_val *a = the_alert();
	cr_expect_str_eq(jr_str(a, "timestamp"), "2026-11-18T11:06:40.123456+0000");
	cr_expect_eq(jr_int(a, "pcap_cnt", 0), 1);
}

/* pcapng with an Ethernet and a raw-IP interface (libpcap refuses such
 * files): each packet is decoded with its interface's link type. */
Test(link, pcapng_interfaces_of_different_link_types)
{
	struct pcapgen eth = {.linktype = 1}, raw = {.linktype = 101};
	struct pg_pkt p = datagram();
	uint8_t frame[2048], epb[2100];
	uint32_t shb[4] = {0x1a2b3c4d, 0x00000001, 0xffffffff, 0xffffffff};
	uint32_t idb_eth[2] = {1, 262144}, idb_raw[2] = {101, 262144};
	uint64_t ts = UINT64_C(1795000000123456);
	uint32_t hdr[5];
	FILE *f = fopen(t.pcap, "wb");

	cr_assert_not_null(f);
	put_block(f, 0x0a0d0d0a, shb, sizeof(shb));
	put_block(f, 1, idb_eth, sizeof(idb_eth));
	put_block(f, 1, idb_raw, sizeof(idb_raw));
	for (uint32_t ifn = 0; ifn < 2; ifn++) {
		size_t n = pg_build(ifn ? &raw : &eth, &p, frame, sizeof(frame));

		hdr[0] = ifn;
		hdr[1] = (uint32_t)(ts >> 32);
		hdr[2] = (uint32_t)ts;
		hdr[3] = hdr[4] = (uint32_t)n;
		memcpy(epb, hdr, sizeof(hdr));
		memcpy(epb + sizeof(hdr), frame, n);
		put_block(f, 6, epb, (uint32_t)(sizeof(hdr) + n));
	}
	fclose(f);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	cr_expect_eq(itest_alerts(&t, 1), 2);
	cr_expect_eq(eve_count(&t.eve, "alert.signature_id=1 pcap_cnt=2 src_ip=198.18.0.1"), 1);
	cr_expect_eq(eve_count(&t.eve, "event_type=anomaly"), 0);
}

Test(link, ipv6_extension_headers_before_udp)
{
	/* hop-by-hop (8 bytes) -> destination options (8 bytes) -> UDP */
	static const uint8_t ext[16] = {60, 0, 1, 4, 0, 0, 0, 0, IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0};
	struct pg_pkt p = datagram();

	p.src = "2001:db8::10";
	p.dst = "2001:db8::20";
	p.ip6_ext = ext;
	p.ip6_ext_len = sizeof(ext);
	p.ip6_ext_first = 0;
	pg_packet(itest_capture(&t, 1), &p);
	cr_assert_eq(itest_run(&t, NULL), 0, "%s", t.res.err);
	const struct jr_val *a = eve_find(&t.eve, "alert.signature_id=1", 0);
	cr_assert_not_null(a);
	cr_expect_str_eq(jr_str(a, "src_ip"), eve_ip("2001:db8::10"));
	cr_expect_eq(jr_int(a, "src_port", 0), 1234);
}
