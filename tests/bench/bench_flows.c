/*
 * bench_flows.c - memory per tracked TCP flow.
 *
 *   bench_flows SENSOR_BIN WORKDIR [FLOWS]
 *
 * Writes two captures of FLOWS (default 1,000,000) concurrent TCP
 * connections that never close: one where each connection only completes
 * its handshake (idle flows), one where each also carries a request and a
 * response that get acknowledged (flows whose streams were inspected, with
 * nothing left buffered). The sensor runs on each with a flow table big
 * enough to hold them all and the core benchmark's kind of stream rules, and
 * the peak RSS over that of a run on a single connection with a 16-flow
 * table, divided by FLOWS, is the memory one tracked flow costs (the flow
 * table's entry included). Also prints the sizes of the
 * structures behind it. Figures only.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flow/flow.h"
#include "pcapgen.h"
#include "stream/stream_tcp.h"

static void write_capture(const char *path, unsigned flows, int with_data)
{
	struct pcapgen g;
	char host[32];
	struct pg_tcp s;

	pg_open(&g, path, 1);
	g.step_usec = 1;
	for (unsigned i = 0; i < flows; i++) {
		snprintf(host, sizeof(host), "198.18.%u.%u", i >> 8 & 0xff, i & 0xff);
		pg_tcp_init(&s, &g, host, (uint16_t)(1024 + (i >> 16)), "198.19.0.1", 80);
		pg_tcp_handshake(&s);
		if (with_data) {
			pg_tcp_send(&s, PG_TO_SERVER, "GET / HTTP/1.0\r\n\r\n", 18);
			pg_tcp_send(&s, PG_TO_CLIENT, "HTTP/1.0 200 OK\r\n\r\n", 19);
			pg_tcp_segment(&s, PG_TO_SERVER, 0x10, 0, NULL, 0);
		}
	}
	pg_close(&g);
}

static void write_file_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* Peak RSS in KiB of `sensor -c conf -S rules -r pcap`. */
static long run(const char *bin, const char *conf, const char *rules, const char *pcap,
		const char *logdir)
{
	struct rusage ru;
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execl(bin, bin, "-c", conf, "-S", rules, "-r", pcap, "-l", logdir, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "sensor failed on %s\n", pcap);
		exit(1);
	}
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	char conf[4096], conf1[4096], rules[4096], pcap[4096], one[4096], logdir[4096], text[512];
	unsigned flows = argc > 3 ? (unsigned)atol(argv[3]) : 1000000;
	long base, rss;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_flows SENSOR_BIN WORKDIR [FLOWS]\n");
		return 1;
	}
	snprintf(conf, sizeof(conf), "%s/flows.yaml", argv[2]);
	snprintf(conf1, sizeof(conf1), "%s/one-flow.yaml", argv[2]);
	snprintf(rules, sizeof(rules), "%s/flows-rules.yaml", argv[2]);
	snprintf(pcap, sizeof(pcap), "%s/flows.pcap", argv[2]);
	snprintf(one, sizeof(one), "%s/one-flow.pcap", argv[2]);
	snprintf(logdir, sizeof(logdir), "%s/log", argv[2]);
	snprintf(text, sizeof(text),
		 "flow: {max-flows: %u}\noutputs: {eve: {types: [alert, stats]}}\n"
		 "plugins:\n  - name: signature\n",
		 flows + 16);
	write_file_text(conf, text);
	/* The baseline: the same sensor with a table of 16 flows, so the
	 * difference holds the flow table's pool too. */
	write_file_text(conf1, "flow: {max-flows: 16}\noutputs: {eve: {types: [alert, stats]}}\n"
			       "plugins:\n  - name: signature\n");
	write_file_text(rules,
			"rules:\n"
			"  - {id: 1, msg: a, proto: tcp, patterns: [{content: /admin/login}]}\n"
			"  - {id: 2, msg: b, proto: tcp, patterns: [{content: X-Evil}]}\n"
			"  - {id: 3, msg: c, proto: tcp, patterns: [{regex: 'cmd=[0-9]+x'}]}\n");
	printf("struct flow: %zu bytes; TCP session: %zu bytes (buffered data apart)\n",
	       sizeof(struct flow), stream_tcp_session_size());
	for (int with_data = 0; with_data < 2; with_data++) {
		write_capture(one, 1, with_data);
		write_capture(pcap, flows, with_data);
		base = run(argv[1], conf1, rules, one, logdir);
		rss = run(argv[1], conf, rules, pcap, logdir);
		printf("%u %s: peak RSS %ld MB (one flow: %ld MB): %.0f bytes per flow\n", flows,
		       with_data ? "flows whose request and response were inspected"
				 : "idle flows (handshake only)",
		       rss / 1024, base / 1024, (double)(rss - base) * 1024 / flows);
	}
	unlink(pcap);
	unlink(one);
	return 0;
}
