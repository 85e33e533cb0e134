/*
 * decode_mpls.c - MPLS label stacks (RFC 3032) after an Ethernet type
 * 0x8847/0x8848 or inside GRE.
 *
 * Labels are 4 bytes each, walked until the bottom-of-stack bit; what
 * follows the bottom label carries no type, so it is guessed as Suricata
 * does:
 * - label 0 (IPv4 explicit null) is IPv4, label 2 (IPv6 explicit null)
 *   IPv6;
 * - label 1 (router alert) and 3 (implicit null, never on the wire) at the
 *   bottom raise mpls.bad_label_router_alert / bad_label_implicit_null,
 *   the other reserved labels (4-15) mpls.bad_label_reserved; these are
 *   counted and the guess below still made;
 * - otherwise the first nibble: 4 IPv4, 6 IPv6, 0 an Ethernet pseudowire
 *   behind a 4-byte control word; anything else is
 *   mpls.unknown_payload_type, a drop.
 * The stack is not a tunnel layer (no outer IP addresses): the inner packet
 * keeps the frame's addresses as its own, and nothing is reset.
 */
#include "decode/decode_internal.h"

#define MPLS_HLEN	    4
#define MPLS_BOTTOM	    0x00000100u
#define MPLS_CW_LEN	    4
#define LABEL_IPV4	    0
#define LABEL_ROUTER_ALERT  1
#define LABEL_IPV6	    2
#define LABEL_IMPLICIT_NULL 3
#define LABEL_MAX_RESERVED  16

/* What follows the bottom label, from its first nibble. */
static int mpls_guess(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	if (len == 0)
		return decode_drop(p, st, EV_MPLS_PKT_TOO_SMALL);
	switch (b[0] >> 4) {
	case 4:
		return decode_ipv4(p, b, len, st);
	case 6:
		return decode_ipv6(p, b, len, st);
	case 0:
		if (len < MPLS_CW_LEN + DECODE_ETH_HLEN)
			return decode_drop(p, st, EV_MPLS_PKT_TOO_SMALL);
		return decode_ether(p, b + MPLS_CW_LEN, len - MPLS_CW_LEN, st);
	default:
		return decode_drop(p, st, EV_MPLS_UNKNOWN_PAYLOAD_TYPE);
	}
}

int decode_mpls(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	uint32_t entry, label;

	st->mpls++;
	if (decode_layer_enter(p, st) != 0)
		return -1;
	do {
		if (len < MPLS_HLEN)
			return decode_drop(p, st, EV_MPLS_HEADER_TOO_SMALL);
		entry = decode_rd32(b);
		b += MPLS_HLEN;
		len -= MPLS_HLEN;
	} while (!(entry & MPLS_BOTTOM));
	label = entry >> 12;
	if (label == LABEL_IPV4)
		return decode_ipv4(p, b, len, st);
	if (label == LABEL_IPV6)
		return decode_ipv6(p, b, len, st);
	if (label == LABEL_ROUTER_ALERT)
		decode_note(p, st, EV_MPLS_BAD_LABEL_ROUTER_ALERT);
	else if (label == LABEL_IMPLICIT_NULL)
		decode_note(p, st, EV_MPLS_BAD_LABEL_IMPLICIT_NULL);
	else if (label < LABEL_MAX_RESERVED)
		decode_note(p, st, EV_MPLS_BAD_LABEL_RESERVED);
	return mpls_guess(p, b, len, st);
}
