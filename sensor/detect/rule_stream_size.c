/*
 * rule_stream_size.c - Suricata's `stream_size:<side>,<op>,<number>`
 * (YAML `stream_size: "client,<,100"`): a condition on how far each
 * direction of the flow's TCP session has gone, in sequence numbers.
 *
 * Semantics (Suricata's detect-stream_size): the size of a side is its
 * next sequence number minus its ISN, so the SYN counts one, every payload
 * byte one and a FIN one (a client that sent its SYN and 4 bytes: 5); a
 * side whose ISN is unknown is 0. `client` tests the client's side,
 * `server` the server's, `both` needs both to pass, `either` one of them.
 * Ops: `=`, `!=`, `<`, `<=`, `>`, `>=`; the number is 0..2^32-1.
 * A packet that is not TCP, or without a session, never matches, except a
 * SYN opening one (Suricata has created the session by then: client 1,
 * server 0).
 *
 * Detection runs before the reassembler sees a packet, while Suricata's
 * stream engine runs first: the packet's own bytes are counted when it
 * continues its side in order (stream_tcp_sizes). Rules on reassembled
 * stream data see the session as it is when the chunk is delivered (once
 * the receiver acknowledged it), so a size may already include a few
 * segments past the chunk.
 *
 * Parse on the main thread; match on worker threads, pure (reads the
 * flow's session, writes nothing).
 */
#include "detect/rule_keys.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow.h"
#include "stream/stream_tcp.h"

static const char *const side_names[] = {"client", "server", "both", "either"};

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* One comma-separated field of text starting at *s: [*start, *start+*len),
 * trimmed; *s moves past the comma (or to the end). */
static void field(const char **s, const char **start, size_t *len)
{
	const char *b = skip_spaces(*s), *e = b + strcspn(b, ",");

	*s = *e ? e + 1 : e;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*start = b;
	*len = (size_t)(e - b);
}

static int side_parse(const char *w, size_t n, struct rule_ssize *z, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(side_names) / sizeof(side_names[0]); i++)
		if (strlen(side_names[i]) == n && strncmp(side_names[i], w, n) == 0) {
			z->side = (uint8_t)i;
			return 0;
		}
	snprintf(err, errlen, "side '%.*s' must be one of client, server, both, either", (int)n, w);
	return -1;
}

static bool op_valid(const char *w, size_t n)
{
	static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i]) == n && strncmp(ops[i], w, n) == 0)
			return true;
	return false;
}

int rule_ssize_parse(const char *text, struct rule_ssize *z, char *err, size_t errlen)
{
	const char *s = text, *w[3];
	size_t n[3];
	char num[48];

	memset(z, 0, sizeof(*z));
	for (int i = 0; i < 3; i++)
		field(&s, &w[i], &n[i]);
	if (*s || !n[2]) {
		snprintf(err, errlen,
			 "expected <client|server|both|either>,<op>,<number>, got '%s'", text);
		return -1;
	}
	if (side_parse(w[0], n[0], z, err, errlen) < 0)
		return -1;
	if (!op_valid(w[1], n[1])) {
		snprintf(err, errlen,
			 "operator '%.*s' must be one of =, !=, <, <=, >, >=", (int)n[1], w[1]);
		return -1;
	}
	for (size_t i = 0; i < n[2]; i++)
		if (!isdigit((unsigned char)w[2][i])) {
			snprintf(err, errlen, "'%.*s' is not a number", (int)n[2], w[2]);
			return -1;
		}
	snprintf(num, sizeof(num), "%.*s%.*s", (int)n[1], w[1], (int)(n[2] > 20 ? 21 : n[2]), w[2]);
	if (rule_num_parse(num, HF_SEQ, &z->test, err, errlen) < 0)
		return -1;
	z->on = true;
	return 0;
}

/* The sizes Suricata's stream engine would show for packet p of flow f. */
static bool sizes_for(const struct flow *f, const struct ids_packet *p, uint32_t sizes[2])
{
	bool stream = p->pkt_src == IDS_PKT_SRC_STREAM;
	uint32_t len = p->payload_len + ((p->tcp_flags & IDS_TCP_FIN) ? 1 : 0);
	int dir = stream ? -1 : p->direction;

	if (f && stream_tcp_sizes(f, dir, p->tcp_seq, len, sizes))
		return true;
	if (stream || (p->tcp_flags & (IDS_TCP_SYN | IDS_TCP_ACK)) != IDS_TCP_SYN)
		return false;
	sizes[p->direction] = 1; /* the SYN that opens the session */
	sizes[!p->direction] = 0;
	return true;
}

bool rule_ssize_match(const struct rule_ssize *z, const struct flow *f, const struct ids_packet *p)
{
	uint32_t sizes[2];
	bool c, s;

	if (p->proto != IPPROTO_TCP || !sizes_for(f, p, sizes))
		return false;
	c = rule_num_eval(&z->test, sizes[IDS_DIR_TO_SERVER]);
	s = rule_num_eval(&z->test, sizes[IDS_DIR_TO_CLIENT]);
	switch ((enum rule_ssize_side)z->side) {
	case SSIZE_CLIENT:
		return c;
	case SSIZE_SERVER:
		return s;
	case SSIZE_BOTH:
		return c && s;
	case SSIZE_EITHER:
		return c || s;
	}
	return false;
}
