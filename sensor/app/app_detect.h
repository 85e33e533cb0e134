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
 * 2-byte length), ssh ("SSH-" banner), smtp ("220 " banner then ESMTP/SMTP,
 * or EHLO/HELO), ftp ("220 " banner with FTP, or USER/PASS commands).
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
	APP_UNKNOWN,   /* looked at, nothing known */
	APP_NEED_MORE, /* app_detect's answer only: not enough bytes yet */
};

/* `ip_proto` 6 (TCP) or 17 (UDP); `to_server` whether the bytes go to the
 * server. */
enum app_proto app_detect(const uint8_t *data, size_t len, uint8_t ip_proto, int to_server);

/* "http", "tls", "dns", "ssh", "smtp", "ftp"; NULL for none/unknown. */
const char *app_proto_name(enum app_proto p);

#endif
