/*
 * app_detect.h - recognising a flow's application protocol from its first
 * bytes, whatever the ports (HTTP on port 8888 is HTTP; something else on
 * port 80 is not).
 *
 * app_detect() looks at the first payload bytes of one direction of a flow
 * and answers with a protocol, APP_UNKNOWN (these bytes are no protocol it
 * knows) or APP_NEED_MORE (too few bytes to tell). It is a pure function of
 * its arguments; the worker calls it on the first data of each direction
 * until one direction is recognised or a few packets went by, and keeps
 * the answer in the flow (EVE `app_proto`).
 *
 * Recognised: http (a request line with a known method, or an "HTTP/1.x"
 * status line), tls (a handshake record of SSL 3.0 .. TLS 1.3 whose first
 * message is a ClientHello or ServerHello), dns (over UDP: a header with
 * sane counts and a question that parses; over TCP the same behind the
 * 2-byte length; several questions, or none with answers, as mDNS sends;
 * NetBIOS name service, whose names are 32 letters A..P, is not DNS), ssh
 * ("SSH-" banner), smtp ("220 " banner then ESMTP/SMTP, or EHLO/HELO), ftp
 * ("220 " banner with FTP, or USER/PASS commands), imap ("* OK"/"* PREAUTH"
 * greeting, or a tagged CAPABILITY/LOGIN/AUTHENTICATE/STARTTLS command), pop3
 * ("+OK" greeting), smb (a NetBIOS session message carrying an SMB1, SMB2
 * or SMB3-transform header), rdp (a TPKT with an X.224 connection request or
 * confirm that is RDP's: a cookie, an RDP negotiation block, or no
 * parameters, unlike ISO-TSAP's).
 */
#ifndef SENSOR_APP_DETECT_H
#define SENSOR_APP_DETECT_H

#include <stddef.h>
#include <stdint.h>

enum app_proto {
	APP_NONE = 0, /* not looked at yet */
	APP_HTTP,
	APP_TLS,
	APP_DNS,
	APP_SSH,
	APP_SMTP,
	APP_FTP,
	APP_IMAP,
	APP_POP3,
	APP_SMB,
	APP_RDP,
	APP_UNKNOWN,   /* looked at, nothing known */
	APP_NEED_MORE, /* app_detect's answer only: not enough bytes yet */
};

/* `ip_proto` 6 (TCP) or 17 (UDP); `to_server` whether the bytes go to the
 * server. */
enum app_proto app_detect(const uint8_t *data, size_t len, uint8_t ip_proto, int to_server);

/* "http", "tls", "dns", "ssh", "smtp", "ftp", "imap", "pop3", "smb",
 * "rdp" (Suricata's names); NULL for none/unknown. */
const char *app_proto_name(enum app_proto p);

/* App-layer anomalies the worker raises (EVE `anomaly` records of type
 * "applayer"; app-layer-event rules, docs/events.md):
 * mismatch_protocol_both_directions: each direction's first data was
 * recognised, as two different protocols. */
enum app_event { APP_EV_MISMATCH_BOTH_DIRECTIONS = 0, APP_EV_MAX };

/* "applayer.mismatch_protocol_both_directions", ...; NULL out of range. */
const char *app_event_name(enum app_event ev);

#endif
