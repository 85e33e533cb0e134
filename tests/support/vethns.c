/*
 * vethns.c - network namespace and veth pair for live capture tests (see
 * vethns.h). The set-up runs the `ip` tool; entering the namespace uses
 * setns(2) on the calling thread only.
 */
#include "vethns.h"

#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 24

int vethns_ip(const char *arg, ...)
{
	const char *argv[MAX_ARGS + 2];
	va_list ap;
	int n = 0, status = 0;
	pid_t pid;

	argv[n++] = "ip";
	va_start(ap, arg);
	for (const char *a = arg; a && n <= MAX_ARGS; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execvp("ip", (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int step(int rc, const char *what)
{
	if (rc != 0)
		fprintf(stderr, "vethns: %s failed (ip exit %d)\n", what, rc);
	return rc;
}

static int make_pair(struct vethns *v)
{
	if (step(vethns_ip("netns", "add", v->ns, NULL), "netns add"))
		return -1;
	v->made_ns = true;
	if (step(vethns_ip("link", "add", v->outer, "address", VETHNS_OUTER_MAC, "type", "veth",
			   "peer", "name", v->inner, "address", VETHNS_INNER_MAC, NULL),
		 "veth add"))
		return -1;
	v->made_link = true;
	if (step(vethns_ip("link", "set", v->inner, "netns", v->ns, NULL), "move inner end"))
		return -1;
	return 0;
}

static int address_pair(struct vethns *v)
{
	char out_a[32], in_a[32], out_ip[32], in_ip[32];

	snprintf(out_a, sizeof(out_a), "198.18.%d.1/24", v->net);
	snprintf(in_a, sizeof(in_a), "198.18.%d.2/24", v->net);
	snprintf(out_ip, sizeof(out_ip), "198.18.%d.1", v->net);
	snprintf(in_ip, sizeof(in_ip), "198.18.%d.2", v->net);
	if (step(vethns_ip("addr", "add", out_a, "dev", v->outer, NULL), "outer address") ||
	    step(vethns_ip("-n", v->ns, "addr", "add", in_a, "dev", v->inner, NULL),
		 "inner address") ||
	    step(vethns_ip("link", "set", v->outer, "up", NULL), "outer up") ||
	    step(vethns_ip("-n", v->ns, "link", "set", v->inner, "up", NULL), "inner up") ||
	    step(vethns_ip("-n", v->ns, "link", "set", "lo", "up", NULL), "loopback up") ||
	    step(vethns_ip("neigh", "replace", in_ip, "lladdr", VETHNS_INNER_MAC, "dev", v->outer,
			   "nud", "permanent", NULL),
		 "outer neighbour") ||
	    step(vethns_ip("-n", v->ns, "neigh", "replace", out_ip, "lladdr", VETHNS_OUTER_MAC,
			   "dev", v->inner, "nud", "permanent", NULL),
		 "inner neighbour"))
		return -1;
	return 0;
}

int vethns_create(struct vethns *v, const char *tag, const char *prefix, int net)
{
	int pid = (int)getpid();

	memset(v, 0, sizeof(*v));
	snprintf(v->ns, sizeof(v->ns), "%s-%d", tag, pid);
	snprintf(v->outer, sizeof(v->outer), "%s%da", prefix, pid);
	snprintf(v->inner, sizeof(v->inner), "%s%db", prefix, pid);
	v->net = net;
	if (make_pair(v) < 0 || address_pair(v) < 0)
		return -1;
	return 0;
}

void vethns_destroy(struct vethns *v)
{
	if (v->made_link)
		vethns_ip("link", "del", v->outer, NULL); /* removes both ends */
	if (v->made_ns)
		vethns_ip("netns", "del", v->ns, NULL);
	v->made_link = false;
	v->made_ns = false;
}

int vethns_enter(const struct vethns *v)
{
	char path[96];
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd;

	snprintf(path, sizeof(path), "/var/run/netns/%s", v->ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (saved < 0 || fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		if (fd >= 0)
			close(fd);
		if (saved >= 0)
			close(saved);
		return -1;
	}
	close(fd);
	return saved;
}

int vethns_leave(int saved)
{
	int rc = setns(saved, CLONE_NEWNET);

	close(saved);
	return rc;
}

int vethns_socket(const struct vethns *v, int domain, int type, int proto)
{
	int saved = vethns_enter(v);
	int fd;

	if (saved < 0)
		return -1;
	fd = socket(domain, type, proto);
	if (vethns_leave(saved) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}
