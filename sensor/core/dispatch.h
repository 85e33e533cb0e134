/*
 * dispatch.h - running the workers over a capture file or live interfaces.
 *
 * With one worker the frames are processed on the calling thread. With N
 * workers on a classic pcap file (read from its memory map) every worker
 * walks the whole file itself and keeps the frames that belong to it; the
 * calling thread is worker 0 ("split" reading, capture.file-read: split).
 * Otherwise (libpcap's files: pcapng, pipes; or capture.file-read: reader)
 * the calling thread reads the file and hands every frame to the worker its
 * flow belongs to, through one single-producer single-consumer ring per
 * worker. Either way there is no lock, each flow's packets stay in capture
 * order on one worker, and the worker is chosen by a symmetric hash of the
 * address pair and protocol (dispatch_pick.h), so both directions of a flow
 * and every fragment of a datagram reach the same worker.
 */
#ifndef SENSOR_DISPATCH_H
#define SENSOR_DISPATCH_H

#include <stdint.h>

struct sensor_config;
struct run_ctl;
struct pcap_source;

struct dispatch_result {
	uint64_t packets, invalid, alerts;
};

/* Read `src` to its end (or until TERM/INT) through cfg->threads workers
 * running ctl->current's plugins, then write the stats record. Returns an
 * exit code (EXIT_OK, EXIT_CONFIG for a truncated capture, EXIT_RUNTIME)
 * and fills `res`. */
int dispatch_run(const struct sensor_config *cfg, struct run_ctl *ctl, struct pcap_source *src,
		 struct dispatch_result *res);

/*
 * Capture live from cfg->ifaces with cfg->threads workers, each on its own
 * thread with its own sockets (one fanout group per interface), until TERM
 * or INT; the calling thread handles the signals and writes a stats record
 * every cfg->stats_interval seconds. Privileges are dropped (run-as) once
 * the sockets are open. Returns an exit code: EXIT_CONFIG when the
 * interfaces cannot be opened (a message names the fix), EXIT_OK after a
 * clean stop.
 */
int dispatch_live(const struct sensor_config *cfg, struct run_ctl *ctl,
		  struct dispatch_result *res);

#endif
