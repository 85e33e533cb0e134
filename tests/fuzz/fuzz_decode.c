/*
 * fuzz_decode.c - the frame decoder (sensor/decode/decode.h).
 *
 * Input: byte 0 picks the link type (low 3 bits: Ethernet, raw IP, Linux
 * SLL, SLL2, BSD loopback, raw IPv4, raw IPv6, PPP) and a
 * wire length above the captured one (high 5 bits, in steps of 64); the
 * rest is the captured frame, in a block of exactly its size.
 *
 * Checked: every range a decoded packet points at (IP header and length,
 * transport header, payload) lies inside the captured bytes and inside the
 * IP length, which excludes trailers; a dropped frame names a valid event
 * (a frame whose tunnel carries something other than IP may be dropped
 * without being invalid, naming an outer layer's counted note); tunnels
 * nest no deeper than the limit.
 * The checksum helpers then run on what decoded.
 */
#include <string.h>

#include "decode/decode.h"
#include "fuzz.h"

static const int link_types[8] = {LINK_ETHERNET, LINK_RAW,  LINK_SLL,  LINK_SLL2,
				  LINK_NULL,	 LINK_IPV4, LINK_IPV6, LINK_PPP};

static void check_packet(const struct packet *p, const uint8_t *frame, uint32_t caplen)
{
	const struct ids_packet *pub = &p->pub;

	FUZZ_CHECK(pub->frame == frame && pub->caplen == caplen);
	FUZZ_CHECK(pub->ip_version == 4 || pub->ip_version == 6);
	FUZZ_CHECK(pub->src.family == pub->ip_version && pub->dst.family == pub->ip_version);
	FUZZ_CHECK(pub->vlan_count <= IDS_MAX_VLAN);
	FUZZ_CHECK(pub->tunnel.depth == p->depth && p->depth <= p->cfg->max_depth);
	FUZZ_CHECK(pub->l3 && fuzz_within(pub->l3, pub->l3_len, frame, caplen));
	fuzz_touch(pub->l3, pub->l3_len);
	if (pub->payload_len) {
		FUZZ_CHECK(fuzz_within(pub->payload, pub->payload_len, pub->l3, pub->l3_len));
		fuzz_touch(pub->payload, pub->payload_len);
	}
	if (p->l4) {
		FUZZ_CHECK(!p->is_fragment);
		FUZZ_CHECK(fuzz_within(p->l4, p->l4_len, pub->l3, pub->l3_len));
		if (pub->payload_len)
			FUZZ_CHECK(fuzz_within(pub->payload, pub->payload_len, p->l4, p->l4_len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_stats st;
	struct packet p;
	uint32_t caplen, wirelen;
	const uint8_t *frame;
	int link;

	if (size < 1 || size > UINT32_MAX / 2)
		return 0;
	memset(&st, 0, sizeof(st));
	link = link_types[data[0] & 7];
	frame = data + 1;
	caplen = (uint32_t)(size - 1);
	wirelen = caplen + (uint32_t)(data[0] >> 3) * 64;
	if (decode_frame(&p, link, frame, caplen, wirelen, 1, 1, &st) != 0) {
		FUZZ_CHECK(p.last_event >= -1 && p.last_event < EV_MAX);
		FUZZ_CHECK(st.invalid <= 1);
		if (p.last_event >= 0) {
			FUZZ_CHECK(st.events[p.last_event] >= 1);
			FUZZ_CHECK(decode_event_name(p.last_event) != NULL);
		} else {
			FUZZ_CHECK(st.invalid == 0);
		}
		return 0;
	}
	check_packet(&p, frame, caplen);
	(void)decode_ipv4_csum_ok(&p);
	(void)decode_l4_csum_ok(&p);
	return 0;
}
