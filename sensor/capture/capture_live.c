/*
 * capture_live.c - capturing from network interfaces: what both methods
 * share (see capture_live.h; the methods are capture_afpacket.c and
 * capture_raw.c behind capture_live_impl.h).
 *
 * Opening a worker's source checks the configuration, resolves every
 * interface and compiles the capture filter before it opens any socket,
 * so those mistakes are reported the same with or without privileges.
 * Each interface's socket is then set up in an order that never lets a
 * frame in before the socket is complete:
 *
 *   socket(AF_PACKET, SOCK_RAW, 0)   protocol 0: receives nothing yet
 *   link type and state checks       Ethernet or loopback, interface up
 *   drop-all filter                  so frames arriving during set-up are
 *                                    dropped (and not counted)
 *   method set-up                    TPACKET_V3 ring, or timestamps and
 *                                    receive buffer
 *   bind(ETH_P_ALL, ifindex)
 *   PACKET_MR_PROMISC                released by the kernel at close
 *   PACKET_FANOUT                    with several workers (or an explicit
 *                                    group), once the socket is bound
 *   the capture filter               replaces the drop-all one (or the
 *                                    drop-all one is detached)
 *
 * So a worker's socket that joined its fanout group late never received
 * frames meant for another worker. Frames the host sends on the interface
 * (PACKET_OUTGOING) are captured too: a sensor watches both directions,
 * like on a tap. Their checksums may not be filled in yet when the
 * interface offloads checksumming.
 *
 * Fanout group ids are per interface: the sockets of interface i use
 * (group + i) mod 65536, where group is fanout_group or, when that is 0,
 * the low 16 bits of the process id, since the kernel refuses one group
 * spanning two devices.
 *
 * The kernel's PACKET_STATISTICS counters reset on every read; live_stats
 * adds each read to the socket's running total. `packets` counts the
 * frames that passed the filter, drops included (the kernel adds them).
 *
 * Threads: live_open, live_close and live_check_filter on the main thread
 * (libpcap's compiler is used there only); live_poll and live_stats on
 * the source's worker thread. live_poll allocates nothing.
 */
#include "capture/capture_live_impl.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The snap length filters are compiled with: the largest libpcap knows,
 * so that the kernel never trims an accepted frame (which would lose its
 * wire length); methods cut frames themselves. */
#define FILTER_SNAPLEN 262144

struct live_source {
	enum live_method method;
	size_t n;		 /* sockets, one per interface */
	struct live_sock *socks; /* n, owned */
	struct pollfd *pfds;	 /* n, owned; pfds[i].fd == socks[i].fd */
	struct live_raw *raw;	 /* raw method's batch buffers (owned), else NULL */
};

void live_config_defaults(struct live_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ifaces = NULL;
	c->n_ifaces = 0;
	c->method = LIVE_AFPACKET;
	c->workers = 1;
	c->block_size = 1u << 20;
	c->block_count = 64;
	c->frame_size = 2048;
	c->block_timeout_ms = 10;
	c->fanout = FANOUT_MODE_HASH;
	c->fanout_defrag = true;
	c->fanout_group = 0;
	c->bpf = NULL;
	c->promisc = true;
	c->snaplen = 65535;
	c->batch = 64;
}

/* Compile `filter` for Ethernet into prog (freed with pcap_freecode). */
static int compile_filter(const char *filter, struct bpf_program *prog, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, FILTER_SNAPLEN);

	if (!p) {
		snprintf(err, errlen, "cannot compile capture filter '%s': out of memory", filter);
		return -1;
	}
	if (pcap_compile(p, prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad capture filter '%s': %s", filter, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

int live_check_filter(const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (compile_filter(filter, &prog, err, errlen) < 0)
		return -1;
	pcap_freecode(&prog);
	return 0;
}

static int check_config(const struct live_config *cfg, unsigned worker, char *err, size_t errlen)
{
	unsigned workers = cfg->workers ? cfg->workers : 1;

	if (cfg->n_ifaces == 0 || !cfg->ifaces) {
		snprintf(err, errlen, "no interface to capture from");
		return -1;
	}
	if (worker >= workers) {
		snprintf(err, errlen, "capture worker %u out of range (%u workers)", worker,
			 workers);
		return -1;
	}
	if (cfg->fanout > FANOUT_MODE_QM) {
		snprintf(err, errlen, "unknown fanout mode %d", (int)cfg->fanout);
		return -1;
	}
	if (cfg->method == LIVE_AFPACKET)
		return live_afpacket_check(cfg, err, errlen);
	if (cfg->method == LIVE_RAW)
		return live_raw_check(cfg, err, errlen);
	snprintf(err, errlen, "unknown capture method %d", (int)cfg->method);
	return -1;
}

/* Name and index of interface `name` into ls. */
static int resolve_iface(const char *name, struct live_sock *ls, char *err, size_t errlen)
{
	unsigned idx = 0;

	if (name && strlen(name) < sizeof(ls->iface))
		idx = if_nametoindex(name);
	if (idx == 0) {
		snprintf(err, errlen, "no interface '%s' (see `ip link`)", name ? name : "");
		return -1;
	}
	strcpy(ls->iface, name);
	ls->ifindex = (int)idx;
	return 0;
}

static int open_socket(struct live_sock *ls, char *err, size_t errlen)
{
	ls->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (ls->fd >= 0)
		return 0;
	if (errno == EPERM || errno == EACCES)
		snprintf(err, errlen, "capturing needs root or CAP_NET_RAW and CAP_NET_ADMIN");
	else
		snprintf(err, errlen, "interface '%s': cannot open a packet socket: %s", ls->iface,
			 strerror(errno));
	return -1;
}

/* Refuse interfaces without Ethernet framing, and interfaces that are down. */
static int check_link(const struct live_sock *ls, char *err, size_t errlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ls->iface);
	if (ioctl(ls->fd, SIOCGIFHWADDR, &ifr) < 0) {
		snprintf(err, errlen, "interface '%s': cannot read its link type: %s", ls->iface,
			 strerror(errno));
		return -1;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER &&
	    ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK) {
		snprintf(err, errlen,
			 "interface '%s' has link type %u (ARPHRD), not Ethernet; only Ethernet "
			 "and loopback interfaces can be captured",
			 ls->iface, (unsigned)ifr.ifr_hwaddr.sa_family);
		return -1;
	}
	if (ioctl(ls->fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP)) {
		snprintf(err, errlen, "interface '%s' is down (`ip link set %s up`)", ls->iface,
			 ls->iface);
		return -1;
	}
	return 0;
}

static int attach_filter(const struct live_sock *ls, struct sock_filter *insns, unsigned len,
			 char *err, size_t errlen)
{
	struct sock_fprog prog = {.len = (unsigned short)len, .filter = insns};

	if (len > BPF_MAXINSNS ||
	    setsockopt(ls->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
		snprintf(err, errlen, "interface '%s': the kernel refused the capture filter: %s",
			 ls->iface, len > BPF_MAXINSNS ? "too long" : strerror(errno));
		return -1;
	}
	return 0;
}

static int drop_all(const struct live_sock *ls, char *err, size_t errlen)
{
	struct sock_filter ret0 = BPF_STMT(BPF_RET | BPF_K, 0);

	return attach_filter(ls, &ret0, 1, err, errlen);
}

/* The capture filter in place of the drop-all one; prog NULL: none. */
static int final_filter(const struct live_sock *ls, const struct bpf_program *prog, char *err,
			size_t errlen)
{
	int dummy = 0;

	if (prog)
		return attach_filter(ls, (struct sock_filter *)prog->bf_insns, prog->bf_len, err,
				     errlen);
	if (setsockopt(ls->fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy)) < 0) {
		snprintf(err, errlen, "interface '%s': cannot remove the set-up filter: %s",
			 ls->iface, strerror(errno));
		return -1;
	}
	return 0;
}

static int bind_iface(const struct live_sock *ls, char *err, size_t errlen)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ls->ifindex;
	if (bind(ls->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(err, errlen, "interface '%s': cannot bind: %s", ls->iface,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int set_promisc(const struct live_sock *ls, char *err, size_t errlen)
{
	struct packet_mreq mr;

	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ls->ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(ls->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		snprintf(err, errlen, "interface '%s': cannot set promiscuous mode: %s", ls->iface,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int fanout_type(const struct live_config *cfg)
{
	switch (cfg->fanout) {
	case FANOUT_MODE_LB:
		return PACKET_FANOUT_LB;
	case FANOUT_MODE_CPU:
		return PACKET_FANOUT_CPU;
	case FANOUT_MODE_QM:
		return PACKET_FANOUT_QM;
	case FANOUT_MODE_HASH:
		break;
	}
	return PACKET_FANOUT_HASH | (cfg->fanout_defrag ? PACKET_FANOUT_FLAG_DEFRAG : 0);
}

/* Join the fanout group of interface number `nth` of the configuration. */
static int join_fanout(const struct live_sock *ls, const struct live_config *cfg, size_t nth,
		       char *err, size_t errlen)
{
	unsigned base = cfg->fanout_group ? cfg->fanout_group : (unsigned)getpid();
	unsigned id = (unsigned)((base + nth) & 0xffff);
	int arg = (int)(id | ((unsigned)fanout_type(cfg) << 16));

	if (setsockopt(ls->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0) {
		snprintf(err, errlen,
			 "interface '%s': cannot join fanout group %u: %s (another capture may "
			 "use this group id; choose another fanout group)",
			 ls->iface, id, strerror(errno));
		return -1;
	}
	return 0;
}

/* Everything after the socket exists, in the order the file header gives. */
static int setup_socket(struct live_sock *ls, const struct live_config *cfg, size_t nth,
			const struct bpf_program *prog, char *err, size_t errlen)
{
	if (check_link(ls, err, errlen) < 0 || drop_all(ls, err, errlen) < 0)
		return -1;
	if (cfg->method == LIVE_AFPACKET && live_afpacket_setup(ls, cfg, err, errlen) < 0)
		return -1;
	if (cfg->method == LIVE_RAW && live_raw_setup(ls, cfg, err, errlen) < 0)
		return -1;
	if (bind_iface(ls, err, errlen) < 0)
		return -1;
	if (cfg->promisc && set_promisc(ls, err, errlen) < 0)
		return -1;
	if ((cfg->workers > 1 || cfg->fanout_group) && join_fanout(ls, cfg, nth, err, errlen) < 0)
		return -1;
	return final_filter(ls, prog, err, errlen);
}

static void close_socket(struct live_sock *ls)
{
	live_afpacket_unmap(ls);
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
}

static struct live_source *source_new(const struct live_config *cfg)
{
	struct live_source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->method = cfg->method;
	s->n = cfg->n_ifaces;
	s->socks = calloc(s->n, sizeof(*s->socks));
	s->pfds = calloc(s->n, sizeof(*s->pfds));
	if (cfg->method == LIVE_RAW)
		s->raw = live_raw_new(cfg);
	if (!s->socks || !s->pfds || (cfg->method == LIVE_RAW && !s->raw)) {
		live_raw_free(s->raw);
		free(s->pfds);
		free(s->socks);
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++)
		s->socks[i].fd = -1;
	return s;
}

static int open_sockets(struct live_source *s, const struct live_config *cfg,
			const struct bpf_program *prog, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n; i++) {
		struct live_sock *ls = &s->socks[i];

		if (open_socket(ls, err, errlen) < 0 ||
		    setup_socket(ls, cfg, i, prog, err, errlen) < 0)
			return -1;
		s->pfds[i].fd = ls->fd;
		s->pfds[i].events = POLLIN;
	}
	return 0;
}

int live_open(const struct live_config *cfg, unsigned worker, struct live_source **out, char *err,
	      size_t errlen)
{
	struct bpf_program prog = {0, NULL};
	struct live_source *s;

	*out = NULL;
	if (check_config(cfg, worker, err, errlen) < 0)
		return -1;
	s = source_new(cfg);
	if (!s) {
		snprintf(err, errlen, "capture: out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->n; i++)
		if (resolve_iface(cfg->ifaces[i], &s->socks[i], err, errlen) < 0)
			goto close_source;
	if (cfg->bpf && compile_filter(cfg->bpf, &prog, err, errlen) < 0)
		goto close_source;
	if (open_sockets(s, cfg, cfg->bpf ? &prog : NULL, err, errlen) < 0)
		goto free_filter;
	if (cfg->bpf)
		pcap_freecode(&prog);
	*out = s;
	return 0;
free_filter:
	if (cfg->bpf)
		pcap_freecode(&prog);
close_source:
	live_close(s);
	return -1;
}

/* The pending error of a socket poll(2) flagged, as a message. */
static int socket_error(const struct live_sock *ls, short revents, char *err, size_t errlen)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (revents & POLLNVAL)
		e = EBADF;
	else if (getsockopt(ls->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e == 0)
		return 0; /* already cleared: nothing to report */
	snprintf(err, errlen, "interface '%s': capture error: %s", ls->iface, strerror(e));
	return -1;
}

static int drain(struct live_source *s, struct live_sock *ls, live_frame_fn cb, void *ctx,
		 char *err, size_t errlen)
{
	if (s->method == LIVE_AFPACKET)
		return live_afpacket_drain(ls, cb, ctx);
	return live_raw_drain(s->raw, ls, cb, ctx, err, errlen);
}

int live_poll(struct live_source *s, int timeout_ms, live_frame_fn cb, void *ctx, char *err,
	      size_t errlen)
{
	int total = 0;
	int rc = poll(s->pfds, (nfds_t)s->n, timeout_ms);

	if (rc < 0) {
		if (errno == EINTR)
			return 0;
		snprintf(err, errlen, "capture: poll: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; rc > 0 && i < s->n; i++) {
		short ev = s->pfds[i].revents;
		int n;

		if ((ev & (POLLERR | POLLNVAL)) && socket_error(&s->socks[i], ev, err, errlen) < 0)
			return -1;
		if (!(ev & POLLIN))
			continue;
		n = drain(s, &s->socks[i], cb, ctx, err, errlen);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

/* Add the kernel's counters since the last read to the socket's totals. */
static void read_counters(struct live_sock *ls)
{
	struct tpacket_stats_v3 k;
	socklen_t len = sizeof(k);

	memset(&k, 0, sizeof(k)); /* raw sockets fill only packets and drops */
	if (getsockopt(ls->fd, SOL_PACKET, PACKET_STATISTICS, &k, &len) < 0)
		return;
	ls->acc.packets += k.tp_packets;
	ls->acc.drops += k.tp_drops;
	ls->acc.freezes += k.tp_freeze_q_cnt;
}

void live_stats(struct live_source *s, struct live_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < s->n; i++) {
		read_counters(&s->socks[i]);
		st->packets += s->socks[i].acc.packets;
		st->drops += s->socks[i].acc.drops;
		st->freezes += s->socks[i].acc.freezes;
	}
}

void live_close(struct live_source *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		close_socket(&s->socks[i]);
	live_raw_free(s->raw);
	free(s->pfds);
	free(s->socks);
	free(s);
}
