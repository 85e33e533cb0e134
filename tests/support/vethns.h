/*
 * vethns.h - a network namespace joined to the test's namespace by a veth
 * pair, for live capture tests and benchmarks. Test code only; needs root.
 *
 * vethns_create() makes namespace `<tag>-<pid>`, a veth pair whose outer
 * end `<prefix><pid>a` stays in the caller's namespace and whose inner end
 * `<prefix><pid>b` moves into the new one, gives them 198.18.<net>.1/24
 * (outer) and 198.18.<net>.2/24 (inner), fixed MAC addresses and
 * permanent neighbour entries on both sides (so no ARP delays the first
 * datagrams), and brings both ends and the namespace's loopback up.
 * Names carry the process id so parallel runs do not clash. Only the two
 * ends' addresses are used; nothing is routed anywhere else.
 */
#ifndef TESTS_VETHNS_H
#define TESTS_VETHNS_H

#include <net/if.h>
#include <stdbool.h>

struct vethns {
	char ns[48];		 /* namespace name */
	char outer[IF_NAMESIZE]; /* veth end in the caller's namespace */
	char inner[IF_NAMESIZE]; /* veth end in the namespace */
	int net;		 /* third byte of the addresses */
	bool made_ns;		 /* what vethns_destroy removes */
	bool made_link;
};

#define VETHNS_OUTER_MAC "02:00:c6:12:00:01"
#define VETHNS_INNER_MAC "02:00:c6:12:00:02"

/* 0, or -1 with what failed on stderr (whatever was made is kept for
 * vethns_destroy). */
int vethns_create(struct vethns *v, const char *tag, const char *prefix, int net);
/* Remove the veth pair and the namespace; safe on a partly made one. */
void vethns_destroy(struct vethns *v);
/* Run `ip` with the arguments (NULL-terminated), output discarded; its
 * exit status. */
int vethns_ip(const char *arg, ...);
/* Switch the calling thread into the namespace (enter) and back (leave,
 * with the fd enter returned). -1 on failure. */
int vethns_enter(const struct vethns *v);
int vethns_leave(int saved);
/* A socket created inside the namespace (it stays there), or -1. */
int vethns_socket(const struct vethns *v, int domain, int type, int proto);

#endif
