/*
 * rule_match.c - does a rule's header accept a packet (see rules.h).
 *
 * Called by the matcher only for rules whose patterns all matched, so it is
 * off the per-byte hot path; still allocation-free and lock-free.
 */
#include "detect/rules.h"
#include "detect/rule_keys.h"

#include <netinet/in.h>

static bool rule_proto_match(enum rule_proto proto, const struct ids_packet *p)
{
	switch (proto) {
	case RULE_PROTO_IP:
		return true;
	case RULE_PROTO_TCP:
		return p->proto == IPPROTO_TCP;
	case RULE_PROTO_UDP:
		return p->proto == IPPROTO_UDP;
	case RULE_PROTO_ICMP:
		return p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6;
	}
	return false;
}

static bool rule_has_ports(const struct ids_packet *p)
{
	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP || p->proto == IPPROTO_SCTP;
}

/* The rule's src and dst addresses against `s` and `d`. */
static bool addrs_match(const struct rule *r, const struct ids_addr *s, const struct ids_addr *d)
{
	return addr_set_match(&r->src, s) && addr_set_match(&r->dst, d);
}

static bool ports_match(const struct rule *r, uint16_t sport, uint16_t dport)
{
	return port_set_match(&r->sport, sport) && port_set_match(&r->dport, dport);
}

/* `bidirectional` (Suricata's `<>`): the packet's source may match the
 * rule's dst side and its destination the src side; addresses and ports
 * of one way go together. */
bool rule_header_match(const struct rule *r, const struct ids_packet *p)
{
	bool fwd, rev;

	if (!rule_proto_match(r->proto, p))
		return false;
	/* scope auto: TCP data only on the stream (the rule's stream twin) */
	if (r->tcp_stream && p->proto == IPPROTO_TCP && p->pkt_src != IDS_PKT_SRC_STREAM)
		return false;
	if (r->direction == RULE_DIR_TO_SERVER && p->direction != IDS_DIR_TO_SERVER)
		return false;
	if (r->direction == RULE_DIR_TO_CLIENT && p->direction != IDS_DIR_TO_CLIENT)
		return false;
	fwd = addrs_match(r, &p->src, &p->dst);
	rev = r->bidirectional && addrs_match(r, &p->dst, &p->src);
	if (!fwd && !rev)
		return false;
	if (r->keys && !rule_keys_match(r, p))
		return false;
	if (r->sport.any && r->dport.any)
		return true;
	/* A port list never matches a protocol without ports. */
	if (!rule_has_ports(p))
		return false;
	return (fwd && ports_match(r, p->sport, p->dport)) ||
	       (rev && ports_match(r, p->dport, p->sport));
}
