/*
 * decode_gre.c - GRE (RFC 2784/2890, and the enhanced GRE of PPTP, RFC
 * 2637) and the ERSPAN mirroring it carries (types I, II and III).
 *
 * Version 0: the optional checksum, key and sequence fields are stepped
 * over (RFC 1701 source routes too, walked to their terminating entry);
 * recursion bits or reserved flags set are Suricata's version0 events.
 * Version 1 (PPTP): no checksum, no routing, a key (payload length and
 * call id), optional sequence and acknowledgement numbers, PPP inside.
 * Any other version is gre.wrong_version. Every check is a drop with its
 * event: a GRE header that fails one is not something a tunnel endpoint
 * would decapsulate.
 *
 * The payload type says what follows: IPv4, IPv6, a VLAN tag or MPLS (as
 * after an Ethernet header), an Ethernet frame (transparent bridging,
 * 0x6558), ERSPAN (0x88be: type II when the GRE sequence bit is set, type I
 * when it is not; 0x22eb: type III) or PPP (0x880b). Another type is
 * delivered as a GRE packet of its own (IP protocol 47, its payload the GRE
 * packet) without an event, as an IP protocol the sensor does not know is.
 *
 * The tunnel id is the GRE key (version 0), the call id (version 1) or the
 * ERSPAN session id.
 */
#include "decode/decode_internal.h"

#define GRE_HLEN     4
#define GRE_C	     0x8000
#define GRE_R	     0x4000
#define GRE_K	     0x2000
#define GRE_S	     0x1000
#define GRE_SSR	     0x0800
#define GRE_RECUR    0x0700
#define GRE_A	     0x0080
#define GRE_FLAGS    0x0078
#define GRE_VERSION  0x0007
#define ERSPAN2_HLEN 8
#define ERSPAN3_HLEN 12
#define ERSPAN3_SUB  8 /* platform-specific subheader when the O bit is set */

/* The GRE header's parsed fields. */
struct gre {
	uint32_t hlen, id;
	uint16_t flags, type;
};

/* RFC 1701 source route entries from b[off]; the offset after them. */
static int gre_sre_walk(const uint8_t *b, uint32_t len, uint32_t *off)
{
	for (;;) {
		uint32_t sre_len;

		if (len - *off < 4)
			return -1;
		sre_len = b[*off + 3];
		if (decode_rd16(b + *off) == 0 && sre_len == 0) {
			*off += 4;
			return 0;
		}
		if (len - *off - 4 < sre_len)
			return -1;
		*off += 4 + sre_len;
	}
}

static int gre_v0(struct packet *p, const uint8_t *b, uint32_t len, struct gre *g,
		  struct decode_stats *st)
{
	uint32_t off = GRE_HLEN;

	if (g->flags & GRE_RECUR)
		return decode_drop(p, st, EV_GRE_V0_RECUR);
	if (g->flags & (GRE_FLAGS | GRE_A))
		return decode_drop(p, st, EV_GRE_V0_FLAGS);
	off += (g->flags & (GRE_C | GRE_R)) ? 4 : 0;
	if (g->flags & GRE_K) {
		if (off + 4 <= len)
			g->id = decode_rd32(b + off);
		off += 4;
	}
	off += (g->flags & GRE_S) ? 4 : 0;
	if (off > len)
		return decode_drop(p, st, EV_GRE_V0_HDR_TOO_BIG);
	if ((g->flags & GRE_R) && gre_sre_walk(b, len, &off) != 0)
		return decode_drop(p, st, EV_GRE_V0_MALFORMED_SRE);
	g->hlen = off;
	return 0;
}

static int gre_v1(struct packet *p, const uint8_t *b, uint32_t len, struct gre *g,
		  struct decode_stats *st)
{
	uint32_t off = GRE_HLEN + 4;

	if (g->flags & GRE_C)
		return decode_drop(p, st, EV_GRE_V1_CHKSUM);
	if (g->flags & GRE_R)
		return decode_drop(p, st, EV_GRE_V1_ROUTE);
	if (g->flags & GRE_RECUR)
		return decode_drop(p, st, EV_GRE_V1_RECUR);
	if (g->flags & (GRE_FLAGS | GRE_SSR))
		return decode_drop(p, st, EV_GRE_V1_FLAGS);
	if (!(g->flags & GRE_K))
		return decode_drop(p, st, EV_GRE_V1_NO_KEY);
	if (g->type != ETHERTYPE_PPP)
		return decode_drop(p, st, EV_GRE_V1_WRONG_PROTOCOL);
	off += (g->flags & GRE_S) ? 4 : 0;
	off += (g->flags & GRE_A) ? 4 : 0;
	if (off > len)
		return decode_drop(p, st, EV_GRE_V1_HDR_TOO_BIG);
	g->id = decode_rd16(b + 6); /* call id */
	g->hlen = off;
	return 0;
}

/* The ERSPAN header of `type` (1, 2 or 3) at b: its length, the mirrored
 * VLAN and the session id. */
static int erspan_header(struct packet *p, const uint8_t *b, uint32_t len, int type, uint32_t *hlen,
			 uint16_t *vlan, uint32_t *session, struct decode_stats *st)
{
	*hlen = 0;
	*vlan = 0;
	*session = 0;
	if (type == 1)
		return 0;
	*hlen = type == 2 ? ERSPAN2_HLEN : ERSPAN3_HLEN;
	if (len < *hlen)
		return decode_drop(p, st, EV_ERSPAN_HEADER_TOO_SMALL);
	if (b[0] >> 4 != (type == 2 ? 1 : 2))
		return decode_drop(p, st, EV_ERSPAN_UNSUPPORTED_VERSION);
	*vlan = decode_rd16(b) & 0x0fff;
	*session = decode_rd16(b + 2) & 0x03ff;
	if (type == 3 && (b[11] & 0x01))
		*hlen += ERSPAN3_SUB;
	if (len < *hlen)
		return decode_drop(p, st, EV_ERSPAN_HEADER_TOO_SMALL);
	return 0;
}

static int erspan(struct packet *p, const uint8_t *b, uint32_t len, int type,
		  struct decode_stats *st)
{
	struct ids_packet *pub = &p->pub;
	uint32_t hlen, session;
	uint16_t vlan;

	if (erspan_header(p, b, len, type, &hlen, &vlan, &session, st) != 0)
		return -1;
	st->erspan++;
	if (decode_tunnel_enter(p, st, session, true) != 0)
		return -1;
	if (vlan && pub->vlan_count == IDS_MAX_VLAN) /* outer tags filled the ids */
		decode_note(p, st, EV_ERSPAN_TOO_MANY_VLAN_LAYERS);
	else if (vlan)
		pub->vlan[pub->vlan_count++] = vlan;
	return decode_ether(p, b + hlen, len - hlen, st);
}

/* Is `type` a payload this decoder follows? */
static bool gre_type_known(const struct packet *p, uint16_t type)
{
	switch (type) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
	case ETHERTYPE_TEB:
	case ETHERTYPE_PPP:
	case 0x8100: /* VLAN tag */
		return true;
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		return p->cfg->mpls;
	case ETHERTYPE_ERSPAN:
	case ETHERTYPE_ERSPAN3:
		return p->cfg->erspan;
	default:
		return false;
	}
}

static int gre_payload(struct packet *p, const struct gre *g, const uint8_t *b, uint32_t len,
		       struct decode_stats *st)
{
	if (g->type == ETHERTYPE_ERSPAN)
		return erspan(p, b, len, (g->flags & GRE_S) ? 2 : 1, st);
	if (g->type == ETHERTYPE_ERSPAN3)
		return erspan(p, b, len, 3, st);
	if (decode_tunnel_enter(p, st, g->id, false) != 0)
		return -1;
	if (g->type == ETHERTYPE_TEB)
		return decode_ether(p, b, len, st);
	if (g->type == ETHERTYPE_PPP)
		return decode_ppp(p, b, len, st);
	return decode_ethertype(p, g->type, b, len, st);
}

int decode_gre(struct packet *p, const uint8_t *b, uint32_t len, struct decode_stats *st)
{
	struct gre g = {0};
	int rc;

	st->gre++;
	if (len < GRE_HLEN)
		return decode_drop(p, st, EV_GRE_PKT_TOO_SMALL);
	g.flags = decode_rd16(b);
	g.type = decode_rd16(b + 2);
	switch (g.flags & GRE_VERSION) {
	case 0:
		rc = gre_v0(p, b, len, &g, st);
		break;
	case 1:
		rc = gre_v1(p, b, len, &g, st);
		break;
	default:
		return decode_drop(p, st, EV_GRE_WRONG_VERSION);
	}
	if (rc != 0)
		return -1;
	if (!gre_type_known(p, g.type)) {
		st->other_ip++;
		p->pub.payload = b;
		p->pub.payload_len = len;
		return 0;
	}
	return gre_payload(p, &g, b + g.hlen, len - g.hlen, st);
}
