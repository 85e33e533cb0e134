/*
 * decode_ppp.c - PPP (RFC 1661, the PPP link type and inside PPTP's GRE)
 * and PPPoE (RFC 2516) session and discovery frames.
 *
 * PPP: the HDLC address and control bytes (0xff 0x03) are optional, the
 * protocol field is one byte when its low bit is set (RFC 1661 protocol
 * field compression), two otherwise. 0x0021 is IPv4 and 0x0057 IPv6;
 * Van Jacobson compressed TCP/IP (0x002d, 0x002f) cannot be decoded
 * (ppp.vju_pkt_too_small when too short, ppp.unsup_proto otherwise); the
 * control protocols (0x8000 and above: LCP, IPCP, CHAP ...) are not IP and
 * return -1 without an event; any other protocol is ppp.wrong_type.
 *
 * PPPoE session (0x8864): version and type 1, code 0 (else
 * pppoe.wrong_code), a payload length within the frame (else
 * pppoe.pkt_too_small), then PPP without address and control bytes (its
 * protocol field compressed or not).
 * Discovery (0x8863): a known code (PADI, PADO, PADR, PADS, PADT; else
 * pppoe.wrong_code) and tags that fit (else pppoe.malformed_tags); a valid
 * discovery frame is not IP (-1, no event). PPP and PPPoE are link layers,
 * not tunnels: no layer is entered, nothing is reset.
 */
#include "decode/decode_internal.h"

#define PPPOE_HLEN   6
#define PPP_IPV4     0x0021
#define PPP_IPV6     0x0057
#define PPP_VJ_COMP  0x002d
#define PPP_VJ_UCOMP 0x002f
#define PPP_VJ_MIN   3 /* smallest VJ header worth a look */

/* After the protocol field. */
static int ppp_payload(struct packet *p, uint16_t proto, const uint8_t *b, uint32_t len,
		       struct decode_stats *st)
{
	switch (proto) {
	case PPP_IPV4:
		return decode_ipv4(p, b, len, st);
	case PPP_IPV6:
		return decode_ipv6(p, b, len, st);
	case PPP_VJ_COMP:
	case PPP_VJ_UCOMP:
		if (len < PPP_VJ_MIN)
			return decode_drop(p, st, EV_PPP_VJU_PKT_TOO_SMALL);
		return decode_drop(p, st, EV_PPP_UNSUP_PROTO);
	default:
		if (proto >= 0x8000)
			return -1; /* a control protocol: not IP, not invalid */
		return decode_drop(p, st, EV_PPP_WRONG_TYPE);
	}
}

/* The protocol field at b (1 byte when compressed, else 2): its length, or
 * 0 when it does not fit. */
static uint32_t ppp_proto(const uint8_t *b, uint32_t len, uint16_t *proto)
{
	if (len >= 1 && (b[0] & 1)) {
		*proto = b[0];
		return 1;
	}
	if (len < 2)
		return 0;
	*proto = decode_rd16(b);
	return 2;
}

int decode_ppp(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	uint16_t proto;
	uint32_t n;

	st->ppp++;
	if (len >= 2 && b[0] == 0xff && b[1] == 0x03) {
		b += 2;
		len -= 2;
	}
	n = ppp_proto(b, len, &proto);
	if (n == 0)
		return decode_drop(p, st, EV_PPP_PKT_TOO_SMALL);
	return ppp_payload(p, proto, b + n, len - n, st);
}

int decode_pppoe_session(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	uint32_t plen, n;
	uint16_t proto;

	st->pppoe++;
	if (decode_layer_enter(p, st) != 0)
		return -1;
	if (len < PPPOE_HLEN + 1)
		return decode_drop(p, st, EV_PPPOE_PKT_TOO_SMALL);
	if (b[1] != 0)
		return decode_drop(p, st, EV_PPPOE_WRONG_CODE);
	plen = decode_rd16(b + 4);
	if (plen > len - PPPOE_HLEN)
		return decode_drop(p, st, EV_PPPOE_PKT_TOO_SMALL);
	n = ppp_proto(b + PPPOE_HLEN, plen, &proto);
	if (n == 0)
		return decode_drop(p, st, EV_PPPOE_PKT_TOO_SMALL);
	return ppp_payload(p, proto, b + PPPOE_HLEN + n, plen - n, st);
}

static bool pppoe_disc_code_ok(uint8_t code)
{
	return code == 0x09 || code == 0x07 || code == 0x19 || code == 0x65 || code == 0xa7;
}

int decode_pppoe_discovery(struct packet *p, const uint8_t *b, uint32_t len,
			   struct decode_stats *st)
{
	uint32_t plen, off = 0;

	st->pppoe++;
	if (len < PPPOE_HLEN)
		return decode_drop(p, st, EV_PPPOE_PKT_TOO_SMALL);
	if (!pppoe_disc_code_ok(b[1]))
		return decode_drop(p, st, EV_PPPOE_WRONG_CODE);
	plen = decode_rd16(b + 4);
	if (plen > len - PPPOE_HLEN)
		return decode_drop(p, st, EV_PPPOE_PKT_TOO_SMALL);
	b += PPPOE_HLEN;
	while (off < plen) {
		if (plen - off < 4 || decode_rd16(b + off + 2) > plen - off - 4)
			return decode_drop(p, st, EV_PPPOE_MALFORMED_TAGS);
		off += 4 + decode_rd16(b + off + 2);
	}
	return -1; /* discovery is not IP */
}
