/*
 * community_id.h - Community ID v1 flow hashes (github corelight/community-id-spec).
 *
 * The hash names a flow the same way whichever direction a packet goes and
 * whichever tool (Zeek, Suricata, this sensor) computes it: SHA-1 over the
 * seed, the ordered addresses, the protocol, a zero byte and the ordered
 * ports (ICMP: type and code, or the type and its counterpart), base64,
 * prefixed with "1:". Pure functions, any thread.
 */
#ifndef SENSOR_COMMUNITY_ID_H
#define SENSOR_COMMUNITY_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids/packet.h"

/* "1:" + 28 base64 characters + NUL. */
#define COMMUNITY_ID_LEN 31

/*
 * The Community ID of a packet or flow: `sport`/`dport` are the ports for
 * TCP, UDP and SCTP and the ICMP type/code for ICMP (1) and ICMPv6 (58).
 * Writes "1:..." into out and returns true; false (out = "") for other
 * protocols, which carry neither, or for mismatched address families.
 */
bool community_id_v1(char out[COMMUNITY_ID_LEN], uint16_t seed, const struct ids_addr *src,
		     const struct ids_addr *dst, uint8_t proto, uint16_t sport, uint16_t dport);

/* SHA-1 of n bytes (FIPS 180-4) into digest. */
void community_sha1(const uint8_t *p, size_t n, uint8_t digest[20]);

#endif
