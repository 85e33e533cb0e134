/*
 * app_detect.c - application protocol from a flow's first bytes (see
 * app_detect.h).
 *
 * Each probe checks a signature a real peer always sends first and that
 * other protocols practically never start with; probes that need more
 * bytes than they have say APP_NEED_MORE rather than guess. Everything is
 * bounded by `len`: no byte past it is read.
 */
#include "app/app_detect.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool starts_with(const uint8_t *d, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len >= n && memcmp(d, s, n) == 0;
}

/* A prefix of `s` (the data so far could still become it). */
static bool could_start(const uint8_t *d, size_t len, const char *s)
{
	size_t n = strlen(s);

	return memcmp(d, s, len < n ? len : n) == 0;
}

static enum app_proto probe_http(const uint8_t *d, size_t len, int to_server)
{
	static const char *const methods[] = {"GET ",	 "POST ",     "HEAD ",	  "PUT ",
					      "DELETE ", "OPTIONS ",  "CONNECT ", "PATCH ",
					      "TRACE ",	 "PROPFIND ", NULL};
	bool maybe = false;

	if (!to_server)
		return starts_with(d, len, "HTTP/1.")	? APP_HTTP
		       : could_start(d, len, "HTTP/1.") ? APP_NEED_MORE
							: APP_UNKNOWN;
	for (unsigned i = 0; methods[i]; i++) {
		if (starts_with(d, len, methods[i]))
			return APP_HTTP;
		maybe |= could_start(d, len, methods[i]);
	}
	return maybe ? APP_NEED_MORE : APP_UNKNOWN;
}

/* A TLS record header of a handshake (22) carrying a ClientHello (1) or
 * ServerHello (2), record version 3.0 .. 3.4. */
static enum app_proto probe_tls(const uint8_t *d, size_t len)
{
	if (len < 6)
		return len == 0 || d[0] == 0x16 ? APP_NEED_MORE : APP_UNKNOWN;
	if (d[0] != 0x16 || d[1] != 3 || d[2] > 4)
		return APP_UNKNOWN;
	if ((d[3] << 8 | d[4]) < 4)
		return APP_UNKNOWN;
	return d[5] == 1 || d[5] == 2 ? APP_TLS : APP_UNKNOWN;
}

/* NetBIOS name service (UDP 137) looks like DNS, but its names are one
 * label of 32 letters A..P (RFC 1002 first-level encoding) asked with type
 * NB (0x20) or NBSTAT (0x21). */
static bool netbios_name(const uint8_t *d, size_t len, size_t at)
{
	if (d[at] != 32 || at + 1 + 32 + 1 + 2 > len)
		return false;
	for (size_t i = at + 1; i < at + 33; i++)
		if (d[i] < 'A' || d[i] > 'P')
			return false;
	return d[at + 33] == 0 && d[at + 34] == 0 && (d[at + 35] == 0x20 || d[at + 35] == 0x21);
}

/* A DNS message: header counts that fit, a first name (question, or
 * answer when there is no question) of labels. */
static bool dns_message(const uint8_t *d, size_t len)
{
	unsigned qd, an, ns, ar;
	size_t at = 12;

	if (len < 12 + 5)
		return false;
	qd = (unsigned)(d[4] << 8 | d[5]);
	an = (unsigned)(d[6] << 8 | d[7]);
	ns = (unsigned)(d[8] << 8 | d[9]);
	ar = (unsigned)(d[10] << 8 | d[11]);
	if (qd > 64 || an > 256 || ns > 256 || ar > 256 || (d[2] & 0x78) > 0x10)
		return false; /* opcode query/iquery/status */
	if (qd == 0 && an == 0)
		return false; /* nothing to ask or tell */
	if (netbios_name(d, len, at))
		return false;
	while (at < len && d[at] != 0) {
		if (d[at] > 63)
			return false; /* no compression in the first name */
		at += 1u + d[at];
	}
	return at + 5 <= len; /* root label, type, class */
}

static enum app_proto probe_dns(const uint8_t *d, size_t len, uint8_t ip_proto)
{
	if (ip_proto == 17)
		return dns_message(d, len) ? APP_DNS : APP_UNKNOWN;
	if (len < 2 + 17)
		return APP_NEED_MORE;
	if ((size_t)(d[0] << 8 | d[1]) < 17)
		return APP_UNKNOWN;
	return dns_message(d + 2, len - 2) ? APP_DNS : APP_UNKNOWN;
}

static bool has_word(const uint8_t *d, size_t len, const char *w)
{
	size_t n = strlen(w);

	for (size_t i = 0; i + n <= len && i < 512; i++)
		if (memcmp(d + i, w, n) == 0)
			return true;
	return false;
}

/* Text protocols that open with a banner from the server or a command. */
static enum app_proto probe_text(const uint8_t *d, size_t len, int to_server)
{
	size_t line = 0;

	if (starts_with(d, len, "SSH-"))
		return APP_SSH;
	if (!to_server && starts_with(d, len, "+OK"))
		return APP_POP3;
	while (line < len && d[line] != '\n')
		line++;
	if (to_server) {
		if (starts_with(d, len, "EHLO ") || starts_with(d, len, "HELO "))
			return APP_SMTP;
		if (starts_with(d, len, "USER ") && line < len)
			return APP_FTP;
		return APP_UNKNOWN;
	}
	if (!starts_with(d, len, "220"))
		return APP_UNKNOWN;
	if (line == len)
		return len < 512 ? APP_NEED_MORE : APP_UNKNOWN;
	if (has_word(d, line, "SMTP"))
		return APP_SMTP;
	if (has_word(d, line, "FTP"))
		return APP_FTP;
	return APP_UNKNOWN;
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* IMAP (RFC 9051): the server's greeting, or a tagged first command. */
static enum app_proto probe_imap(const uint8_t *d, size_t len, int to_server)
{
	static const char *const cmds[] = {"CAPABILITY", "LOGIN ", "AUTHENTICATE ",
					   "STARTTLS",	 "ID ",	   NULL};
	size_t tag = 0;

	if (!to_server)
		return starts_with(d, len, "* OK") || starts_with(d, len, "* PREAUTH")
			       ? APP_IMAP
			       : APP_UNKNOWN;
	while (tag < len && tag < 32 && is_alnum(d[tag]))
		tag++;
	if (tag == 0 || tag == len || d[tag] != ' ')
		return APP_UNKNOWN;
	for (unsigned i = 0; cmds[i]; i++) {
		size_t n = strlen(cmds[i]);

		if (len - tag - 1 >= n && strncasecmp((const char *)d + tag + 1, cmds[i], n) == 0)
			return APP_IMAP;
	}
	return APP_UNKNOWN;
}

/* SMB over a NetBIOS session message (RFC 1002 4.3.6, port 139 or 445):
 * type 0, a 17-bit length, then an SMB1 (0xFF), SMB2 (0xFE) or SMB3
 * transform (0xFD) header "?SMB". */
static enum app_proto probe_smb(const uint8_t *d, size_t len)
{
	if (len < 8)
		return len && d[0] == 0 ? APP_NEED_MORE : APP_UNKNOWN;
	if (d[0] != 0 || (d[1] & 0xfe) != 0 || (d[5] != 'S' || d[6] != 'M' || d[7] != 'B'))
		return APP_UNKNOWN;
	return d[4] == 0xff || d[4] == 0xfe || d[4] == 0xfd ? APP_SMB : APP_UNKNOWN;
}

/* RDP: a TPKT (version 3) holding an X.224 connection request (0xE0, from
 * the client) or confirm (0xD0, from the server) that is RDP's: no
 * parameters, a "Cookie:" routing token, or an RDP negotiation request
 * (type 1) / response (2) / failure (3) block of 8 bytes at the end.
 * ISO-TSAP (S7, MMS) connection requests carry TSAP parameters instead. */
static enum app_proto probe_rdp(const uint8_t *d, size_t len, int to_server)
{
	size_t tpkt, li;

	if (len < 11)
		return len && d[0] == 3 ? APP_NEED_MORE : APP_UNKNOWN;
	tpkt = (size_t)(d[2] << 8 | d[3]);
	li = d[4];
	if (d[0] != 3 || d[1] != 0 || tpkt < 11 || tpkt > len || li + 5 != tpkt)
		return APP_UNKNOWN;
	if (d[5] != (to_server ? 0xe0 : 0xd0))
		return APP_UNKNOWN;
	if (li == 6 || (to_server && tpkt > 19 && memcmp(d + 11, "Cookie: ", 8) == 0))
		return APP_RDP;
	if (tpkt >= 19 && d[tpkt - 8] >= 1 && d[tpkt - 8] <= 3 && d[tpkt - 6] == 8 &&
	    d[tpkt - 5] == 0)
		return APP_RDP;
	return APP_UNKNOWN;
}

enum app_proto app_detect(const uint8_t *data, size_t len, uint8_t ip_proto, int to_server)
{
	enum app_proto p, r = APP_UNKNOWN;

	if (!data || len == 0)
		return APP_NEED_MORE;
	if (ip_proto == 17)
		return probe_dns(data, len, ip_proto);
	if (ip_proto != 6)
		return APP_UNKNOWN;
	p = probe_http(data, len, to_server);
	if (p != APP_UNKNOWN)
		return p;
	p = probe_tls(data, len);
	if (p == APP_TLS)
		return p;
	if (p == APP_NEED_MORE)
		r = APP_NEED_MORE;
	p = probe_text(data, len, to_server);
	if (p != APP_UNKNOWN)
		return p;
	if ((p = probe_imap(data, len, to_server)) != APP_UNKNOWN ||
	    (p = probe_smb(data, len)) == APP_SMB ||
	    (p = probe_rdp(data, len, to_server)) == APP_RDP)
		return p;
	if (probe_smb(data, len) == APP_NEED_MORE ||
	    probe_rdp(data, len, to_server) == APP_NEED_MORE)
		r = APP_NEED_MORE;
	p = probe_dns(data, len, ip_proto);
	return p == APP_DNS ? p : r;
}

const char *app_proto_name(enum app_proto p)
{
	switch (p) {
	case APP_HTTP:
		return "http";
	case APP_TLS:
		return "tls";
	case APP_DNS:
		return "dns";
	case APP_SSH:
		return "ssh";
	case APP_SMTP:
		return "smtp";
	case APP_FTP:
		return "ftp";
	case APP_IMAP:
		return "imap";
	case APP_POP3:
		return "pop3";
	case APP_SMB:
		return "smb";
	case APP_RDP:
		return "rdp";
	default:
		return NULL;
	}
}

const char *app_event_name(enum app_event ev)
{
	switch (ev) {
	case APP_EV_MISMATCH_BOTH_DIRECTIONS:
		return "applayer.mismatch_protocol_both_directions";
	case APP_EV_MAX:
		break;
	}
	return NULL;
}
