/*
 * dispatch.h - running the workers over a capture file.
 *
 * With one worker the frames are processed on the calling thread. With N
 * workers the calling thread reads the file and hands every frame to the
 * worker its flow belongs to, through one single-producer single-consumer
 * ring per worker: no lock, and each flow's packets stay in capture order on
 * one worker. Frames are chosen by a symmetric hash of the address pair and
 * protocol, so both directions of a flow and every fragment of a datagram
 * reach the same worker.
 */
#ifndef SENSOR_DISPATCH_H
#define SENSOR_DISPATCH_H

#include <stdint.h>

struct sensor_config;
struct plugin_set;
struct eve_writer;
struct pcap_source;

struct dispatch_result {
	uint64_t packets, invalid, alerts;
};

/* Read `src` to its end through cfg->threads workers, then write the stats
 * record. Returns an exit code (EXIT_OK, EXIT_CONFIG for a truncated
 * capture, EXIT_RUNTIME) and fills `res`. */
int dispatch_run(const struct sensor_config *cfg, const struct plugin_set *plugins,
		 struct eve_writer *eve, struct pcap_source *src, struct dispatch_result *res);

#endif
