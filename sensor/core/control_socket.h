/*
 * control_socket.h - the control socket: a unix stream socket speaking
 * JSON lines, as Suricata's unix socket does, for `sensorctl` and scripts.
 *
 * A client sends one JSON object per line, {"command": "NAME"} with an
 * optional "arguments" object, and gets one JSON object per line back:
 * {"return": "OK", "message": ...} or {"return": "NOK", "message": "why"}.
 * A first line {"version": "..."} without a command (Suricata's handshake)
 * is answered {"return": "OK"}. Commands: version, uptime, reload-rules,
 * reopen-log-files, dump-counters, ruleset-stats, iface-stat, shutdown,
 * command-list. Anything else, and any line that is not a JSON object, is
 * answered with a NOK object; nothing a client sends stops the sensor
 * except `shutdown`.
 *
 * Threads: a thread of its own accepts and reads clients (poll, up to
 * CTL_SOCKET_MAX_CLIENTS at once, a line at most 64 KiB); every command
 * runs on the main thread, which the socket thread wakes with SIGUSR1 and
 * which answers from ctl_poll() through ctl_socket_serve(). One command
 * runs at a time; the other clients' lines wait for it.
 */
#ifndef SENSOR_CONTROL_SOCKET_H
#define SENSOR_CONTROL_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_SOCKET_MAX_CLIENTS 32
#define CTL_SOCKET_MAX_LINE    (64 * 1024)

/* `control-socket:` of sensor.yaml. */
struct ctl_socket_config {
	bool enabled;
	char *path;    /* resolved; default "sensor.sock" in log-dir */
	uint32_t mode; /* of the socket file (0660) */
	char *group;   /* group of the socket file; NULL: the process's */
};

struct run_ctl;
struct ctl_socket;

/* Bind, listen and start the socket thread. `ifaces` are the interfaces
 * captured (iface-stat), borrowed for the socket's life. NULL with err. */
struct ctl_socket *ctl_socket_start(struct run_ctl *c, const struct ctl_socket_config *cfg,
				    const char *const *ifaces, size_t n_ifaces, char *err,
				    size_t errlen);
/* Stop the thread, close the clients, remove the socket file. NULL ok. */
void ctl_socket_stop(struct ctl_socket *s);
/* Main thread (from ctl_poll): run the pending command, if any. */
void ctl_socket_serve(struct ctl_socket *s);

#endif
