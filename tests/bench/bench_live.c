/*
 * bench_live.c - the highest packet rate live capture keeps up with, with
 * no kernel drops, per method and worker count. Not a test: it prints
 * figures. Needs root.
 *
 *   bench_live [--sensor BIN RULES [--config CONF]] [--seconds S] [--frames FILE]
 *                                   the table:
 *                                   af-packet and raw, 1 and 2 workers
 *   bench_live [--sensor ...] [--frames FILE] af-packet|raw N         one of them
 *
 * --seconds S: each step sends for S seconds (0.5 by default). With the
 * whole sensor a step must outlast what its ring absorbs (64 MB: at 100,000
 * packets/s of 800 bytes, about 0.8 s of traffic above its rate), or
 * the figure is the ring's and not the sensor's.
 *
 * --frames FILE sends the frames of a capture file (the core benchmark's
 * WORKDIR/bench.pcap: HTTP-like sessions, TLS, DNS-like datagrams; up to
 * 65,536 frames of at most 1,514 bytes, in file order) instead of the
 * built-in 64 flows, and captures with the filter "ip".
 *
 * --sensor BIN RULES runs the whole sensor instead of the capture layer
 * alone: for each step `BIN -v -i OUTER -S RULES --threads N
 * --capture-method M` is started, the step is sent once it logs
 * "capturing on", and after a TERM its final stats record gives the
 * kernel's drops (capture.kernel_drops); the step is clean when there are
 * none. (Whether every frame was processed is not checked in this mode.)
 * RULES may be `-` when --config CONF names the rules (`rule-files:`):
 * `-c CONF` is then passed too, e.g. the ET Open set with its
 * classification file (tests/bench/bench_etopen.sh writes such a config),
 * a rule set heavy enough that the sender outruns the sensor.
 *
 * The sender writes into an AF_PACKET transmit ring (tests/bench/txring.c,
 * qdisc bypassed) and kicks the kernel every BATCH frames, so that it
 * outruns the capture side; before each configuration the sender's own
 * ceiling is measured (unpaced, nothing capturing) and printed beside it.
 *
 * Set-up: a network namespace joined by a veth pair (tests/support/
 * vethns.h, addresses 198.18.201.1/24 outside, .2/24 inside). A sender
 * thread writes prepared Ethernet frames (64 flows, UDP and TCP, 128
 * bytes of payload, to a MAC address no one owns so that the outer host
 * does not process or answer them, like traffic seen on a tap) with an
 * AF_PACKET socket created inside the namespace, paced with
 * clock_nanosleep at a target rate for STEP_SECONDS (transmit ring, see
 * above). N worker threads run
 * live_open/live_poll on the outer end (filter "ip src 198.18.201.2").
 * The rate goes up step by step until a step shows kernel drops, frames
 * missing, or a sender that cannot reach the target; after kernel drops
 * the gap between the last clean rate and the dropping one is halved
 * REFINE times; the figure is the highest clean step's achieved rate.
 *
 * Threads: main (set-up, steps, results), one sender, N capture workers
 * each owning its source; the workers' counters are read with relaxed
 * atomics, the sources' statistics after the workers stopped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>

#include "capture/capture_live.h"
#include "capture/capture_pcap.h"
#include "txring.h"
#include "vethns.h"

#define FLOWS	  64
#define PAYLOAD	  128
#define FRAME_LEN (14 + 20 + 20 + PAYLOAD) /* the TCP frames; UDP ones are shorter */
#define BATCH	  32
/* Seconds per step: 0.5 by default; --seconds S for the whole sensor,
 * whose ring (64 MB by default) absorbs a short burst above its rate. */
static double step_seconds = 0.5;
#define STEP_SECONDS step_seconds
#define MAX_WORKERS  2

static const uint64_t rates[] = {25000,	  50000,   100000,  150000,  200000,
				 300000,  400000,  600000,  800000,  1000000,
				 1200000, 1600000, 2000000, 2500000, 3000000};

#define MAX_FILE_FRAMES 65536
#define MAX_FRAME	1514

static struct vethns net;
static uint8_t frames[FLOWS][FRAME_LEN];
static size_t frame_len[FLOWS];

/* What the sender sends: the built-in flows or a capture's frames. */
static const uint8_t **send_data;
static size_t *send_len;
static unsigned n_send;
static const char *capture_filter = "ip src 198.18.201.2";
static const char *sensor_bin, *sensor_rules; /* --sensor: the whole sensor */
static const char *sensor_conf;		      /* --config: its -c, or NULL */
static char sensor_dir[64];

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Flow i: UDP for even i, TCP (ACK with data) for odd i; source port
 * varies per flow. */
static void build_frame(int i)
{
	static const uint8_t dst_mac[6] = {0x02, 0x00, 0xc6, 0x12, 0x00, 0x99};
	static const uint8_t src_mac[6] = {0x02, 0x00, 0xc6, 0x12, 0x00, 0x02};
	uint8_t *f = frames[i], *ip = f + 14, *l4 = ip + 20;
	bool tcp = i % 2 == 1;
	size_t l4len = (tcp ? 20 : 8) + PAYLOAD;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = tcp ? 6 : 17;
	memcpy(ip + 12, "\xc6\x12\xc9\x02\xc6\x12\xc9\x01", 8); /* .201.2 -> .201.1 */
	put16(ip + 10, ip_checksum(ip, 20));
	put16(l4, (uint16_t)(20000 + i));
	put16(l4 + 2, tcp ? 80 : 53);
	if (tcp) {
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH ACK */
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint16_t)l4len);
	}
	memset(l4 + (tcp ? 20 : 8), 'a' + i % 26, PAYLOAD);
	frame_len[i] = 14 + 20 + l4len;
}

/* A transmit ring inside the namespace, on the inner end. */
static struct txring *open_sender(void)
{
	int saved = vethns_enter(&net);
	struct txring *t;
	int ifindex;

	if (saved < 0)
		return NULL;
	ifindex = (int)if_nametoindex(net.inner);
	t = ifindex ? txring_open(ifindex) : NULL;
	if (vethns_leave(saved) < 0) {
		txring_close(t);
		return NULL;
	}
	return t;
}

struct sender {
	struct txring *tx;
	uint64_t rate;	 /* target frames per second; 0: as fast as it goes */
	uint64_t sent;	 /* frames queued to the kernel */
	uint64_t failed; /* frames refused (wrong format) */
	double seconds;	 /* how long sending took */
};

/* Queue `n` frames starting at *next, waiting for free slots. */
static void send_frames(struct sender *s, uint64_t n, unsigned *next)
{
	while (n > 0) {
		int r = txring_put(s->tx, send_data[*next], send_len[*next], BATCH);

		if (r < 0) {
			s->failed++;
		} else if (r == 0) {
			sched_yield(); /* ring full: the kernel is the limit */
			continue;
		} else {
			s->sent++;
		}
		*next = (*next + 1) % n_send;
		n--;
	}
}

/* Every millisecond, send what the target rate says is due by now; with
 * no target, send unpaced for STEP_SECONDS. */
static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint64_t total = (uint64_t)(s->rate * STEP_SECONDS), done = 0;
	double start = now_sec();
	struct timespec tick;
	unsigned next = 0;

	if (s->rate == 0) {
		while (now_sec() - start < STEP_SECONDS)
			send_frames(s, 4096, &next);
		txring_kick(s->tx, 1);
		s->seconds = now_sec() - start;
		s->failed += txring_refused(s->tx);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &tick);
	while (done < total) {
		double due = (now_sec() - start) * (double)s->rate;
		uint64_t want = due > (double)total ? total : (uint64_t)due;

		if (want > done) {
			send_frames(s, want - done, &next);
			done = want;
		}
		tick.tv_nsec += 1000000;
		if (tick.tv_nsec >= 1000000000) {
			tick.tv_nsec -= 1000000000;
			tick.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
	}
	txring_kick(s->tx, 1);
	s->seconds = now_sec() - start;
	return NULL;
}

/* The frames of `path` to send (at most MAX_FILE_FRAMES, each at most
 * MAX_FRAME bytes); 0, or -1 with a message. */
static int load_frames(const char *path)
{
	struct capture_frame f;
	struct pcap_source *src;
	char err[512];

	src = pcap_source_open(path, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "bench_live: %s\n", err);
		return -1;
	}
	send_data = calloc(MAX_FILE_FRAMES, sizeof(*send_data));
	send_len = calloc(MAX_FILE_FRAMES, sizeof(*send_len));
	while (send_data && send_len && n_send < MAX_FILE_FRAMES &&
	       pcap_source_next(src, &f, err, sizeof(err)) > 0) {
		uint8_t *copy;

		if (f.caplen < 14 || f.caplen > MAX_FRAME || !(copy = malloc(f.caplen)))
			continue;
		memcpy(copy, f.data, f.caplen);
		send_data[n_send] = copy;
		send_len[n_send++] = f.caplen;
	}
	pcap_source_close(src);
	capture_filter = "ip";
	return n_send ? 0 : -1;
}

static void builtin_frames(void)
{
	static const uint8_t *data[FLOWS];
	static size_t len[FLOWS];

	for (int i = 0; i < FLOWS; i++) {
		build_frame(i);
		data[i] = frames[i];
		len[i] = frame_len[i];
	}
	send_data = data;
	send_len = len;
	n_send = FLOWS;
}

struct worker {
	struct live_source *src;
	uint64_t frames; /* written by the worker, read by main (relaxed) */
	bool *stop;
	bool failed;
};

static void count_frame(void *ctx, const struct capture_frame *f, const char *iface)
{
	struct worker *w = ctx;

	__atomic_store_n(&w->frames, w->frames + 1, __ATOMIC_RELAXED);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char err[256];

	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		if (live_poll(w->src, 50, count_frame, w, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench_live: %s\n", err);
			w->failed = true;
			break;
		}
	}
	return NULL;
}

struct step {
	uint64_t sent, failed, captured, drops;
	double rate; /* achieved send rate */
};

static uint64_t captured(struct worker *w, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += __atomic_load_n(&w[i].frames, __ATOMIC_RELAXED);
	return sum;
}

/* Wait until everything sent was captured, or nothing more came for
 * 300 ms. */
static void wait_drained(struct worker *w, unsigned n, uint64_t sent)
{
	uint64_t last = captured(w, n);
	double since = now_sec();

	while (last < sent && now_sec() - since < 0.3) {
		struct timespec ms = {0, 10000000};
		uint64_t c;

		nanosleep(&ms, NULL);
		c = captured(w, n);
		if (c != last) {
			last = c;
			since = now_sec();
		}
	}
}

static int open_workers(enum live_method m, unsigned n, struct worker *w, bool *stop)
{
	const char *ifaces[] = {net.outer};
	struct live_config c;
	char err[256];

	live_config_defaults(&c);
	c.ifaces = ifaces;
	c.n_ifaces = 1;
	c.method = m;
	c.workers = n;
	c.bpf = capture_filter;
	for (unsigned i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].stop = stop;
		if (live_open(&c, i, &w[i].src, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench_live: %s\n", err);
			while (i-- > 0)
				live_close(w[i].src);
			return -1;
		}
	}
	return 0;
}

static int run_step(struct txring *tx, enum live_method m, unsigned n, uint64_t rate,
		    struct step *r)
{
	struct worker w[MAX_WORKERS];
	pthread_t wt[MAX_WORKERS], st;
	struct sender s = {.tx = tx, .rate = rate};
	bool stop = false;

	if (open_workers(m, n, w, &stop) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		pthread_create(&wt[i], NULL, worker_main, &w[i]);
	pthread_create(&st, NULL, sender_main, &s);
	pthread_join(st, NULL);
	wait_drained(w, n, s.sent);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < n; i++) {
		struct live_stats ls;

		pthread_join(wt[i], NULL);
		live_stats(w[i].src, &ls); /* the worker stopped: main owns the source now */
		r->drops += ls.drops;
		live_close(w[i].src);
	}
	r->captured = captured(w, n);
	r->sent = s.sent;
	r->failed = s.failed;
	r->rate = s.seconds > 0 ? (double)s.sent / s.seconds : 0;
	return 0;
}

/* No kernel drops, nothing refused, every frame sent captured. */
static bool clean(const struct step *r)
{
	return r->drops == 0 && r->failed == 0 && r->captured == r->sent;
}

static void print_step(enum live_method m, unsigned n, uint64_t target, const struct step *r)
{
	fprintf(stderr,
		"  %s x%u, target %llu/s: sent %llu (%.0f/s), refused %llu, captured %llu, "
		"kernel drops %llu\n",
		m == LIVE_AFPACKET ? "af-packet" : "raw", n, (unsigned long long)target,
		(unsigned long long)r->sent, r->rate, (unsigned long long)r->failed,
		(unsigned long long)r->captured, (unsigned long long)r->drops);
}

/* Run the steps for one configuration and print its line: the best
 * achieved rate of a clean step. The steps stop at the first step that is
 * not clean, or once the sender falls short of its target (the kernel's
 * transmit path, which on a veth also runs the receive side, is then the
 * limit and higher targets cannot go faster). */
/* --sensor: start BIN on the outer end and wait until it captures. */
static pid_t sensor_start(enum live_method m, unsigned n)
{
	char workers[16], errpath[128], line[512];
	pid_t pid;

	snprintf(workers, sizeof(workers), "%u", n);
	snprintf(errpath, sizeof(errpath), "%s/err", sensor_dir);
	unlink(errpath);
	fflush(stdout); /* or the child's freopen writes our buffered lines */
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		if (!freopen(errpath, "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(126);
		const char *args[16] = {sensor_bin,
					"-v",
					"-i",
					net.outer,
					"-l",
					sensor_dir,
					"--threads",
					workers,
					"--capture-method",
					m == LIVE_AFPACKET ? "af-packet" : "raw"};
		int k = 10;

		if (strcmp(sensor_rules, "-") != 0)
			args[k++] = "-S", args[k++] = sensor_rules;
		if (sensor_conf)
			args[k++] = "-c", args[k++] = sensor_conf;
		args[k] = NULL;
		execv(sensor_bin, (char *const *)args);
		_exit(127);
	}
	for (int i = 0; pid > 0 && i < 300; i++) {
		FILE *f = fopen(errpath, "r");
		bool up = false;

		while (f && fgets(line, sizeof(line), f))
			up = up || strstr(line, "capturing on");
		if (f)
			fclose(f);
		if (up)
			return pid;
		usleep(100000);
	}
	fprintf(stderr, "bench_live: the sensor did not start capturing (see %s)\n", errpath);
	if (pid > 0)
		kill(pid, SIGKILL), waitpid(pid, NULL, 0);
	return -1;
}

/* --sensor: stop it and read the kernel's drops from its last stats. */
static uint64_t sensor_stop(pid_t pid)
{
	char path[128], line[65536];
	const char *at;
	uint64_t drops = 0;
	FILE *f;

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(path, sizeof(path), "%s/eve.json", sensor_dir);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "\"event_type\":\"stats\"") &&
		    (at = strstr(line, "\"kernel_drops\":")))
			drops = strtoull(at + 15, NULL, 10);
	if (f)
		fclose(f);
	unlink(path);
	return drops;
}

/* --sensor: one step with the whole sensor capturing. */
static int run_sensor_step(struct txring *tx, enum live_method m, unsigned n, uint64_t rate,
			   struct step *r)
{
	struct sender s = {.tx = tx, .rate = rate};
	pid_t pid = sensor_start(m, n);

	if (pid < 0)
		return -1;
	sender_main(&s);
	usleep(500000);
	memset(r, 0, sizeof(*r));
	r->drops = sensor_stop(pid);
	r->sent = s.sent;
	r->captured = s.sent; /* not checked in this mode */
	r->failed = s.failed;
	r->rate = s.seconds > 0 ? (double)s.sent / s.seconds : 0;
	return 0;
}

/* The sender alone: unpaced for STEP_SECONDS, nothing capturing. */
static double sender_ceiling(struct txring *tx)
{
	struct sender s = {.tx = tx, .rate = 0};

	sender_main(&s);
	return s.seconds > 0 ? (double)s.sent / s.seconds : 0;
}

static int step(struct txring *tx, enum live_method m, unsigned n, uint64_t rate, struct step *r)
{
	if ((sensor_bin ? run_sensor_step(tx, m, n, rate, r) : run_step(tx, m, n, rate, r)) < 0)
		return -1;
	print_step(m, n, rate, r);
	return 0;
}

/* Steps of REFINE between the last clean rate and the first that dropped:
 * halve the gap this many times. */
#define REFINE 3

static int bench(struct txring *tx, enum live_method m, unsigned n)
{
	struct step r;
	double best = 0, ceiling = sender_ceiling(tx);
	const char *why = "all steps clean";
	uint64_t lo = 0, hi = 0;

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		if (step(tx, m, n, rates[i], &r) < 0)
			return -1;
		if (!clean(&r)) {
			why = r.drops	 ? "kernel drops"
			      : r.failed ? "frames refused by sender"
					 : "frames missing";
			hi = r.drops ? rates[i] : 0;
			break;
		}
		if (r.rate > best)
			best = r.rate;
		lo = rates[i];
		if (r.rate < 0.9 * (double)rates[i]) {
			why = "sender limit, no drops";
			break;
		}
	}
	/* A drop: narrow the gap between the last clean rate and it. */
	for (int k = 0; hi && lo && k < REFINE; k++) {
		uint64_t mid = (lo + hi) / 2;

		if (step(tx, m, n, mid, &r) < 0)
			return -1;
		if (clean(&r) && r.rate >= 0.9 * (double)mid) {
			lo = mid;
			if (r.rate > best)
				best = r.rate;
		} else {
			hi = mid;
		}
	}
	printf("%-10s %7u %22.0f %18.0f   %s\n", m == LIVE_AFPACKET ? "af-packet" : "raw", n, best,
	       ceiling, why);
	fflush(stdout);
	return 0;
}

static int parse_args(int argc, char **argv, enum live_method *m, unsigned *n)
{
	if (argc != 3)
		return -1;
	if (strcmp(argv[1], "af-packet") == 0)
		*m = LIVE_AFPACKET;
	else if (strcmp(argv[1], "raw") == 0)
		*m = LIVE_RAW;
	else
		return -1;
	*n = (unsigned)atoi(argv[2]);
	return *n >= 1 && *n <= MAX_WORKERS ? 0 : -1;
}

int main(int argc, char **argv)
{
	enum live_method m = LIVE_AFPACKET;
	unsigned n = 1;
	struct txring *tx;
	int rc = 0;

	if (argc > 3 && strcmp(argv[1], "--sensor") == 0) {
		sensor_bin = argv[2], sensor_rules = argv[3];
		strcpy(sensor_dir, "/tmp/bench_live_XXXXXX");
		if (!mkdtemp(sensor_dir))
			return 1;
		argc -= 3, argv += 3;
		if (argc > 2 && strcmp(argv[1], "--config") == 0) {
			sensor_conf = argv[2];
			argc -= 2, argv += 2;
		}
	}
	if (argc > 2 && strcmp(argv[1], "--seconds") == 0) {
		step_seconds = atof(argv[2]);
		if (step_seconds < 0.1 || step_seconds > 60)
			step_seconds = 0.5;
		argc -= 2, argv += 2;
	}
	if (argc > 2 && strcmp(argv[1], "--frames") == 0) {
		if (load_frames(argv[2]) < 0)
			return 1;
		argc -= 2, argv += 2;
	} else {
		builtin_frames();
	}
	if (argc > 1 && parse_args(argc, argv, &m, &n) < 0) {
		fprintf(stderr,
			"usage: bench_live [--sensor BIN RULES [--config CONF]] [--seconds S] "
			"[--frames FILE] "
			"[af-packet|raw WORKERS(1-%d)]\n",
			MAX_WORKERS);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench_live: needs root (network namespace, packet sockets)\n");
		return 2;
	}
	if (vethns_create(&net, "sensor-bench", "sb", 201) < 0 || !(tx = open_sender())) {
		fprintf(stderr, "bench_live: cannot set up the namespace, veth pair and ring\n");
		vethns_destroy(&net);
		return 1;
	}
	printf("%u frames to send; %s\n", n_send, capture_filter);
	printf("%-10s %7s %22s %18s   %s\n", "method", "workers", "max pkt/s, 0 drops",
	       "sender alone/s", "stopped by");
	if (argc > 1) {
		rc = bench(tx, m, n);
	} else {
		for (int i = 0; i < 4 && rc == 0; i++)
			rc = bench(tx, i < 2 ? LIVE_AFPACKET : LIVE_RAW, (unsigned)(i % 2 + 1));
	}
	txring_close(tx);
	vethns_destroy(&net);
	if (sensor_bin) {
		char err[96];

		snprintf(err, sizeof(err), "%s/err", sensor_dir);
		unlink(err);
		rmdir(sensor_dir);
	}
	return rc < 0 ? 1 : 0;
}
