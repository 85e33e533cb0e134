/*
 * os_policy.h - target-based reassembly policies.
 *
 * Hosts disagree about which bytes win when IP fragments or TCP segments
 * overlap with different data; an IDS must resolve overlaps the way the
 * destination host does or an attacker hides a payload in the difference.
 * The configuration (`host-os-policy:`) names one policy by default and
 * optionally one per destination network; defrag and TCP reassembly look
 * the destination up here and apply their own reading of the policy (see
 * defrag.c and stream_tcp.c for what each policy means at each layer).
 *
 * Built on the main thread, read-only afterwards; lookups from any thread
 * without allocation.
 */
#ifndef SENSOR_OS_POLICY_H
#define SENSOR_OS_POLICY_H

#include <stddef.h>

#include "base/addr.h"
#include "ids/packet.h"

enum os_policy {
	OS_POLICY_FIRST = 0, /* the data seen first always wins */
	OS_POLICY_LAST,	     /* the data seen last always wins */
	OS_POLICY_BSD,	     /* FreeBSD, OpenBSD, NetBSD, HP-UX 10, AIX, IRIX */
	OS_POLICY_BSD_RIGHT, /* HP JetDirect (fragments); BSD for TCP */
	OS_POLICY_LINUX,     /* Linux 2.4 and later */
	OS_POLICY_OLD_LINUX, /* Linux 2.2 and earlier */
	OS_POLICY_WINDOWS,   /* Windows 95 to XP, 2003 */
	OS_POLICY_VISTA,     /* Windows Vista and later */
	OS_POLICY_SOLARIS,   /* Solaris, HP-UX 11 */
	OS_POLICY_COUNT
};

/* "first", "last", "bsd", "bsd-right", "linux", "old-linux", "windows",
 * "vista", "solaris". */
const char *os_policy_name(enum os_policy p);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int os_policy_parse(const char *name, enum os_policy *out);
/* The valid names, comma-separated, for messages. */
const char *os_policy_names(void);

struct os_policy_net {
	struct addr_block net; /* negated is never set */
	enum os_policy policy;
};

struct os_policy_map {
	enum os_policy def; /* for destinations in no listed network */
	struct os_policy_net *nets;
	size_t n;
};

/* The policy of the most specific listed network holding `dst`, else the
 * default. A NULL map gives OS_POLICY_BSD. */
enum os_policy os_policy_lookup(const struct os_policy_map *m, const struct ids_addr *dst);

#endif
