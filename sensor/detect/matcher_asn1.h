/*
 * matcher_asn1.h - Suricata's asn1 keyword: BER objects read from a
 * position of a buffer and checked for overflows (matcher_asn1.c). A pure
 * function of its bytes, run by the rule program (matcher_verify.c).
 */
#ifndef SENSOR_MATCHER_ASN1_H
#define SENSOR_MATCHER_ASN1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/rules.h"

/* Most top-level objects read, and most nesting (Suricata's
 * asn1-max-frames default). */
#define ASN1_MAX_FRAMES 30

/* True when one of op's checks (op->asn1, op->value for oversize_length)
 * hits an object of the BER objects at buf[0..len). Any thread; allocates
 * nothing; reads only buf[0..len). */
bool asn1_check(const uint8_t *buf, size_t len, const struct rule_byteop *op);

#endif
