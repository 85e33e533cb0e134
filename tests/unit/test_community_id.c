/*
 * test_community_id.c - Community ID v1 (sensor/output/community_id.c)
 * against the baseline vectors published with the specification
 * (github corelight/community-id-spec, baseline/baseline_deflt.json for
 * seed 0 and baseline_seed1.json for seed 1), plus SHA-1 itself against
 * FIPS 180 examples.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "output/community_id.h"

struct vec {
	uint8_t proto;
	const char *saddr, *daddr;
	uint16_t sport, dport; /* ICMP: type and code (or counterpart) */
	const char *seed0, *seed1;
};

/* The spec's baselines (its ICMP entries give the type and the port
 * equivalent it maps to, which for one-way types is the code). */
static const struct vec vecs[] = {
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
	 "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
	 "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
	 "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135,
	 "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
	{58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	 "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4="},
	{58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	 "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8="},
	{58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129,
	 "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
	{58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128,
	 "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
	{58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=",
	 "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="},
	{58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00=",
	 "1:K/ee5UCqAMAQXDorP5nSa2CGLjc="},
	{1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=",
	 "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
	{1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=",
	 "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
	{1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=",
	 "1:XjUibYHaafLQ3pxQeiMI8g25q20="},
	{6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
	{6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
	{132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
	 "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
	{132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
	 "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
	{6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
	 "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
	 "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
	 "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
	{17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
	 "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
};

static struct ids_addr addr(const char *text)
{
	struct ids_addr a;

	memset(&a, 0, sizeof(a));
	if (strchr(text, ':')) {
		a.family = 6;
		cr_assert_eq(inet_pton(AF_INET6, text, a.bytes), 1, "%s", text);
	} else {
		a.family = 4;
		cr_assert_eq(inet_pton(AF_INET, text, a.bytes), 1, "%s", text);
	}
	return a;
}

static void check(uint16_t seed)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		struct ids_addr s = addr(v->saddr), d = addr(v->daddr);
		char id[COMMUNITY_ID_LEN];

		cr_assert(community_id_v1(id, seed, &s, &d, v->proto, v->sport, v->dport));
		cr_assert_str_eq(id, seed ? v->seed1 : v->seed0, "vector %zu (%s -> %s)", i,
				 v->saddr, v->daddr);
	}
}

Test(community_id, spec_baseline_seed_0)
{
	check(0);
}

Test(community_id, spec_baseline_seed_1)
{
	check(1);
}

/* The baselines' ICMP entries with the code instead of the counterpart
 * (as a packet carries them): a request and its reply share an id. */
Test(community_id, icmp_echo_request_and_reply_from_type_and_code)
{
	struct ids_addr a = addr("192.168.0.89"), b = addr("192.168.0.1");
	char req[COMMUNITY_ID_LEN], rep[COMMUNITY_ID_LEN];

	cr_assert(community_id_v1(req, 0, &a, &b, 1, 8, 0));
	cr_assert(community_id_v1(rep, 0, &b, &a, 1, 0, 0));
	cr_assert_str_eq(req, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
	cr_assert_str_eq(rep, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
}

Test(community_id, protocols_without_ports_have_none)
{
	struct ids_addr a = addr("10.1.12.1"), b = addr("10.1.12.2"), c = addr("2001:db8::1");
	char id[COMMUNITY_ID_LEN] = "x";

	cr_assert_not(community_id_v1(id, 0, &a, &b, 46, 0, 0));
	cr_assert_str_eq(id, "");
	cr_assert_not(community_id_v1(id, 0, &a, &c, 6, 1, 2));
}

static void hex(char *out, const uint8_t *d)
{
	for (int i = 0; i < 20; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

Test(community_id, sha1_fips_examples)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[20];
	char h[41];

	community_sha1((const uint8_t *)"abc", 3, d);
	hex(h, d);
	cr_assert_str_eq(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	community_sha1((const uint8_t *)two_blocks, strlen(two_blocks), d);
	hex(h, d);
	cr_assert_str_eq(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	community_sha1((const uint8_t *)"", 0, d);
	hex(h, d);
	cr_assert_str_eq(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}
