/*
 * rule_header.c - header keywords of rule language v2 (see rule_keys.h):
 * the Suricata option text of dsize, ttl, itype, icode, ip_id, seq, ack,
 * window, icmp_id, icmp_seq, ip_proto, vlan_id, flags/tcp_flags and
 * fragbits parsed into tests, and the tests run against a packet.
 *
 * Integers follow Suricata's integer keywords: "N" or "=N" (equal), "!N"
 * or "!=N", "<N", "<=N", ">N", ">=N", and exclusive ranges "N<>M" or "N-M"
 * (N < v < M), negated with a leading '!'. Numbers are decimal or 0x hex
 * and must fit the field (dsize 16 bits, ttl/itype/icode/ip_proto 8, ...).
 * vlan_id may end in Suricata's ",layer": any (the default), all, 0..2
 * from the outermost or -3..-1 from the innermost.
 *
 * flags: "[modifier]FLAGS[,IGNORE]" with FLAGS from F S R P A U C E (1 and
 * 2 are the old names of C and E) or 0 (no flag at all); the modifier is
 * '+' (these and maybe others), '*' (any of these), '!' or '-' (not all of
 * these), '=' or none (exactly these). The IGNORE flags are masked off the
 * packet's flags first. fragbits: the same with M (more fragments), D
 * (don't fragment) and R (reserved), IPv4 only.
 *
 * dsize follows Suricata: a test that excludes 0 ("!N", ranges, ">N", ">=N")
 * never matches a packet without payload ("!9" is not true of an empty
 * ACK).
 *
 * A test of a field the packet does not have (ttl is everywhere; seq on a
 * UDP packet, itype on TCP, ip_id on IPv6, anything that needs the IP
 * header on a reassembled stream chunk) does not match, negated or not, as
 * in Suricata. Evaluation is allocation-free and runs on any thread.
 */
#include "detect/rule_keys.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t field_max[HF_COUNT] = {
	[HF_DSIZE] = 65535,   [HF_TTL] = 255,	     [HF_ITYPE] = 255,	    [HF_ICODE] = 255,
	[HF_IP_ID] = 65535,   [HF_SEQ] = UINT32_MAX, [HF_ACK] = UINT32_MAX, [HF_WINDOW] = 65535,
	[HF_ICMP_ID] = 65535, [HF_ICMP_SEQ] = 65535, [HF_IP_PROTO] = 255,   [HF_VLAN_ID] = 4095,
};

static const struct {
	const char *name;
	uint8_t num;
} proto_names[] = {{"tcp", 6},	   {"udp", 17}, {"icmp", 1}, {"ipv6-icmp", 58},
		   {"icmpv6", 58}, {"gre", 47}, {"esp", 50}, {"ah", 51},
		   {"sctp", 132},  {"igmp", 2}, {"ipip", 4}, {"ipv6", 41}};

/* ------------------------------------------------------------ integers */

/* One number at *s; advances *s. */
static int num_read(const char **s, uint32_t max, uint32_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	while (**s == ' ')
		(*s)++;
	if (!isdigit((unsigned char)**s)) {
		snprintf(err, errlen, "expected a number at '%s'", *s);
		return -1;
	}
	errno = 0;
	v = strtoull(*s, &end, 0);
	if (errno || v > max) {
		snprintf(err, errlen, "number out of range (0..%u)", max);
		return -1;
	}
	*s = end;
	while (**s == ' ')
		(*s)++;
	*out = (uint32_t)v;
	return 0;
}

static int proto_name(const char *s, struct rule_num_test *t)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (strcmp(s, proto_names[i].name) == 0) {
			t->op = CMP_EQ;
			t->a = proto_names[i].num;
			return 0;
		}
	return -1;
}

/* The operator at the start of s; advances s. */
static enum rule_cmp cmp_prefix(const char **s, bool *neg)
{
	const char *p = *s;
	enum rule_cmp op = CMP_EQ;

	*neg = false;
	if (p[0] == '!' && p[1] == '=') {
		*s = p + 2;
		return CMP_NE;
	}
	if (p[0] == '!') {
		*neg = true;
		p++;
	} else if (p[0] == '<' && p[1] == '=') {
		op = CMP_LE, p += 2;
	} else if (p[0] == '>' && p[1] == '=') {
		op = CMP_GE, p += 2;
	} else if (p[0] == '<') {
		op = CMP_LT, p++;
	} else if (p[0] == '>') {
		op = CMP_GT, p++;
	} else if (p[0] == '=') {
		p++;
	}
	*s = p;
	return op;
}

/* After the first number: nothing, or a range "<>M" / "-M". */
static int num_tail(const char *s, bool neg, uint32_t max, struct rule_num_test *t, char *err,
		    size_t errlen)
{
	if (*s == 0) {
		t->op = neg ? CMP_NE : t->op;
		return 0;
	}
	if (t->op != CMP_EQ || !((s[0] == '<' && s[1] == '>') || s[0] == '-')) {
		snprintf(err, errlen, "unexpected '%s'", s);
		return -1;
	}
	s += s[0] == '-' ? 1 : 2;
	if (num_read(&s, max, &t->b, err, errlen) < 0)
		return -1;
	if (*s) {
		snprintf(err, errlen, "unexpected '%s' after the range", s);
		return -1;
	}
	if (t->b <= t->a + 1ull) {
		snprintf(err, errlen, "empty range %u<>%u (ranges exclude both ends)", t->a, t->b);
		return -1;
	}
	t->op = neg ? CMP_NRANGE : CMP_RANGE;
	return 0;
}

/* vlan_id's ",layer" at s: any, all, 0..2 or -3..-1 (Suricata holds
 * three layers; the sensor's packets hold IDS_MAX_VLAN). */
static int vlan_layer_parse(const char *s, struct rule_num_test *t, char *err, size_t errlen)
{
	char *end;
	long v;

	while (*s == ' ')
		s++;
	if (strcmp(s, "any") == 0)
		return 0;
	if (strcmp(s, "all") == 0) {
		t->vlan_layers = VLAN_ALL;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (end == s || *end || v < -3 || v > 2) {
		snprintf(err, errlen, "VLAN layer '%s' is not any, all, 0..2 or -3..-1", s);
		return -1;
	}
	t->vlan_layers = VLAN_ONE;
	t->vlan_layer = (int8_t)v;
	return 0;
}

static int num_parse(const char *text, enum rule_hfield field, struct rule_num_test *t, char *err,
		     size_t errlen)
{
	const char *s = text;
	uint32_t max = field_max[field];
	bool neg;

	memset(t, 0, sizeof(*t));
	t->field = (uint8_t)field;
	while (*s == ' ')
		s++;
	if (field == HF_IP_PROTO && isalpha((unsigned char)*s) && proto_name(s, t) == 0)
		return 0;
	t->op = (uint8_t)cmp_prefix(&s, &neg);
	if (num_read(&s, max, &t->a, err, errlen) < 0)
		return -1;
	if (neg && t->op != CMP_EQ) {
		snprintf(err, errlen, "'!' cannot be combined with '%s'", text);
		return -1;
	}
	return num_tail(s, neg, max, t, err, errlen);
}

int rule_num_parse(const char *text, enum rule_hfield field, struct rule_num_test *t, char *err,
		   size_t errlen)
{
	const char *comma = field == HF_VLAN_ID ? strchr(text, ',') : NULL;
	char head[64];

	if (!comma)
		return num_parse(text, field, t, err, errlen);
	if ((size_t)(comma - text) >= sizeof(head)) {
		snprintf(err, errlen, "'%s' is too long", text);
		return -1;
	}
	memcpy(head, text, (size_t)(comma - text));
	head[comma - text] = '\0';
	if (num_parse(head, field, t, err, errlen) < 0)
		return -1;
	return vlan_layer_parse(comma + 1, t, err, errlen);
}

bool rule_num_eval(const struct rule_num_test *t, uint32_t v)
{
	switch ((enum rule_cmp)t->op) {
	case CMP_EQ:
		return v == t->a;
	case CMP_NE:
		return v != t->a;
	case CMP_LT:
		return v < t->a;
	case CMP_LE:
		return v <= t->a;
	case CMP_GT:
		return v > t->a;
	case CMP_GE:
		return v >= t->a;
	case CMP_RANGE:
		return v > t->a && v < t->b;
	case CMP_NRANGE:
		return v <= t->a || v >= t->b;
	}
	return false;
}

/* ---------------------------------------------------------------- bits */

struct bit_name {
	char c;
	uint16_t bit;
};

static const struct bit_name tcp_bits[] = {{'F', IDS_TCP_FIN},
					   {'S', IDS_TCP_SYN},
					   {'R', IDS_TCP_RST},
					   {'P', IDS_TCP_PSH},
					   {'A', IDS_TCP_ACK},
					   {'U', IDS_TCP_URG},
					   {'C', IDS_TCP_CWR},
					   {'E', IDS_TCP_ECE},
					   {'1', IDS_TCP_CWR},
					   {'2', IDS_TCP_ECE},
					   {0, 0}};

#define FRAG_R 0x8000
#define FRAG_D 0x4000
#define FRAG_M 0x2000

static const struct bit_name frag_bits[] = {{'M', FRAG_M}, {'D', FRAG_D}, {'R', FRAG_R}, {0, 0}};

static int bit_of(const struct bit_name *names, char c, uint16_t *bit)
{
	c = (char)toupper((unsigned char)c);
	for (; names->c; names++)
		if (names->c == c) {
			*bit = names->bit;
			return 0;
		}
	return -1;
}

static int mod_of(char c)
{
	switch (c) {
	case '+':
		return BITS_ALL;
	case '*':
		return BITS_ANY;
	case '!':
	case '-':
		return BITS_NOT;
	case '=':
		return BITS_EXACT;
	}
	return -1;
}

/* "[mod]BITS" up to `stop` (',' or end), modifier allowed anywhere once. */
static int bits_main(const char **sp, const struct bit_name *names, bool zero_ok,
		     struct rule_bits_test *t, char *err, size_t errlen)
{
	const char *s = *sp;
	bool zero = false, mod_seen = false;

	for (; *s && *s != ','; s++) {
		uint16_t bit;
		int m = mod_of(*s);

		if (*s == ' ')
			continue;
		if (m >= 0 && !mod_seen) {
			t->mod = (uint8_t)m;
			mod_seen = true;
		} else if (zero_ok && *s == '0') {
			zero = true;
		} else if (bit_of(names, *s, &bit) == 0) {
			t->bits |= bit;
		} else {
			snprintf(err, errlen, "unknown flag '%c'", *s);
			return -1;
		}
	}
	*sp = s;
	if (zero && t->bits) {
		snprintf(err, errlen, "'0' (no flags) cannot be combined with other flags");
		return -1;
	}
	if (!zero && !t->bits) {
		snprintf(err, errlen, "no flags given");
		return -1;
	}
	return 0;
}

static int bits_parse(const char *text, const struct bit_name *names, bool is_flags,
		      struct rule_bits_test *t, char *err, size_t errlen)
{
	const char *s = text;

	memset(t, 0, sizeof(*t));
	if (bits_main(&s, names, is_flags, t, err, errlen) < 0)
		return -1;
	if (*s == ',') {
		if (!is_flags) {
			snprintf(err, errlen, "fragbits takes no ignore mask");
			return -1;
		}
		for (s++; *s; s++) {
			uint16_t bit;

			if (*s == ' ')
				continue;
			if (bit_of(names, *s, &bit) < 0) {
				snprintf(err, errlen, "unknown flag '%c' in the ignore mask", *s);
				return -1;
			}
			t->ignore |= bit;
		}
	}
	t->on = true;
	return 0;
}

int rule_flags_parse(const char *text, struct rule_bits_test *t, char *err, size_t errlen)
{
	return bits_parse(text, tcp_bits, true, t, err, errlen);
}

int rule_fragbits_parse(const char *text, struct rule_bits_test *t, char *err, size_t errlen)
{
	return bits_parse(text, frag_bits, false, t, err, errlen);
}

bool rule_bits_eval(const struct rule_bits_test *t, uint16_t v)
{
	v &= (uint16_t)~t->ignore;
	switch ((enum rule_bits_mod)t->mod) {
	case BITS_EXACT:
		return v == t->bits;
	case BITS_ALL:
		return (v & t->bits) == t->bits;
	case BITS_ANY:
		return (v & t->bits) != 0;
	case BITS_NOT:
		return (v & t->bits) != t->bits;
	}
	return false;
}

/* ------------------------------------------------------------ packets */

static bool is_tcp(const struct ids_packet *p)
{
	return p->proto == IPPROTO_TCP && p->pkt_src != IDS_PKT_SRC_STREAM;
}

static bool is_icmp(const struct ids_packet *p)
{
	return p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6;
}

/* The IPv4 header when the packet carries one. */
static const uint8_t *ipv4_header(const struct ids_packet *p)
{
	if (p->ip_version != 4 || !p->l3 || p->l3_len < 20 || p->pkt_src == IDS_PKT_SRC_STREAM)
		return NULL;
	return p->l3;
}

/* ICMP echo-style id and sequence (the 4 bytes before the payload). */
static bool icmp_idseq(const struct ids_packet *p, uint16_t *id, uint16_t *seq)
{
	uint8_t t = p->icmp_type;
	bool v6 = p->proto == IPPROTO_ICMPV6;
	bool echo = v6 ? (t == 128 || t == 129)
		       : (t == 0 || t == 8 || t == 13 || t == 14 || t == 15 || t == 16 || t == 17 ||
			  t == 18);

	if (!is_icmp(p) || !echo || !p->payload || !p->l3 || p->payload < p->l3 + 4)
		return false;
	*id = (uint16_t)(p->payload[-4] << 8 | p->payload[-3]);
	*seq = (uint16_t)(p->payload[-2] << 8 | p->payload[-1]);
	return true;
}

/* The packet's value of a field; false when it has none. */
static bool field_value(const struct ids_packet *p, enum rule_hfield f, uint32_t *v)
{
	const uint8_t *ip4 = ipv4_header(p);
	uint16_t id, seq;

	switch (f) {
	case HF_DSIZE:
		*v = p->payload_len;
		return p->pkt_src != IDS_PKT_SRC_STREAM;
	case HF_TTL:
		*v = p->ttl;
		return p->pkt_src != IDS_PKT_SRC_STREAM;
	case HF_ITYPE:
		*v = p->icmp_type;
		return is_icmp(p);
	case HF_ICODE:
		*v = p->icmp_code;
		return is_icmp(p);
	case HF_IP_ID:
		*v = ip4 ? (uint32_t)(ip4[4] << 8 | ip4[5]) : 0;
		return ip4 != NULL;
	case HF_SEQ:
		*v = p->tcp_seq;
		return is_tcp(p);
	case HF_ACK:
		*v = p->tcp_ack;
		return is_tcp(p);
	case HF_WINDOW:
		*v = p->tcp_win;
		return is_tcp(p);
	case HF_ICMP_ID:
	case HF_ICMP_SEQ:
		if (!icmp_idseq(p, &id, &seq))
			return false;
		*v = f == HF_ICMP_ID ? id : seq;
		return true;
	case HF_IP_PROTO:
		*v = p->proto;
		return true;
	case HF_VLAN_ID:
	case HF_COUNT:
		break;
	}
	return false;
}

/* Any layer (the default), all of them (at least one), or the one layer
 * named (counted from the innermost when negative); a packet without
 * that layer does not match. */
static bool vlan_match(const struct rule_num_test *t, const struct ids_packet *p)
{
	int n = p->vlan_count < IDS_MAX_VLAN ? p->vlan_count : IDS_MAX_VLAN;
	int at = t->vlan_layer < 0 ? n + t->vlan_layer : t->vlan_layer;

	switch ((enum rule_vlan_layers)t->vlan_layers) {
	case VLAN_ONE:
		return at >= 0 && at < n && rule_num_eval(t, p->vlan[at]);
	case VLAN_ALL:
		for (int i = 0; i < n; i++)
			if (!rule_num_eval(t, p->vlan[i]))
				return false;
		return n > 0;
	case VLAN_ANY:
		break;
	}
	for (int i = 0; i < n; i++)
		if (rule_num_eval(t, p->vlan[i]))
			return true;
	return false;
}

/* Suricata's dsize tests that exclude 0 (!N, ranges, >, >=; = N > 0)
 * never match an empty packet. */
static bool dsize_needs_payload(const struct rule_num_test *t)
{
	return t->op == CMP_NE || t->op == CMP_RANGE || t->op == CMP_GT || t->op == CMP_GE ||
	       (t->op == CMP_EQ && t->a > 0);
}

static bool num_match(const struct rule_num_test *t, const struct ids_packet *p)
{
	uint32_t v;

	if (t->field == HF_VLAN_ID)
		return vlan_match(t, p);
	if (t->field == HF_DSIZE && p->payload_len == 0 && dsize_needs_payload(t))
		return false;
	return field_value(p, (enum rule_hfield)t->field, &v) && rule_num_eval(t, v);
}

static bool sameip_match(const struct ids_packet *p)
{
	return p->src.family == p->dst.family &&
	       memcmp(p->src.bytes, p->dst.bytes, sizeof(p->src.bytes)) == 0;
}

bool rule_header_keys_match(const struct rule_keys *k, const struct ids_packet *p)
{
	for (size_t i = 0; i < k->n_tests; i++)
		if (!num_match(&k->tests[i], p))
			return false;
	if (k->flags.on && !(is_tcp(p) && rule_bits_eval(&k->flags, p->tcp_flags)))
		return false;
	if (k->fragbits.on) {
		const uint8_t *ip4 = ipv4_header(p);

		if (!ip4 || !rule_bits_eval(&k->fragbits, (uint16_t)(ip4[6] << 8) & 0xE000))
			return false;
	}
	return !k->sameip || sameip_match(p);
}
