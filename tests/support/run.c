/*
 * run.c - running the built sensor from integration tests (see run.h).
 */
#include "run.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		abort();
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[len] = '\0';
	return buf;
}

static int temp_fd(void)
{
	char tmpl[] = "/tmp/sensor-test-out-XXXXXX";
	int fd = mkstemp(tmpl);

	if (fd < 0)
		abort();
	unlink(tmpl);
	return fd;
}

void run_cmd(struct run_result *r, const char *const *argv)
{
	int out, err, st;

	run_result_free(r); /* a result reused for a second run */
	out = temp_fd();
	err = temp_fd();
	pid_t pid = fork();

	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = slurp_fd(out);
	r->err = slurp_fd(err);
	close(out);
	close(err);
}

void run_sensor(struct run_result *r, const char *bin, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;
	const char *a;

	argv[n++] = bin;
	va_start(ap, bin);
	while ((a = va_arg(ap, const char *)) && n < 63)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	run_cmd(r, argv);
}

void run_result_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int run_spawn(const char *const *argv, const char *out_path, const char *err_path)
{
	pid_t pid = fork();

	if (pid < 0)
		abort();
	if (pid == 0) {
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (out < 0 || err < 0)
			_exit(126);
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return (int)pid;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int run_wait(int pid, int timeout_ms)
{
	int st;

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

int wait_for_text(const char *path, const char *text, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		FILE *f = fopen(path, "r");
		char buf[65536];
		size_t n = 0;

		if (f) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
		}
		buf[n] = '\0';
		if (strstr(buf, text))
			return 1;
		sleep_ms(20);
	}
	return 0;
}

int run_redis(const char *dir, char *sock, size_t socklen)
{
	char out[4200];
	int pid;

	snprintf(sock, socklen, "%s/redis.sock", dir);
	if (access("/usr/bin/redis-server", X_OK) != 0)
		return -1;
	const char *argv[] = {"/usr/bin/redis-server",
			      "--port",
			      "0",
			      "--unixsocket",
			      sock,
			      "--save",
			      "",
			      "--dir",
			      dir,
			      NULL};
	snprintf(out, sizeof(out), "%s/redis.out", dir);
	pid = run_spawn(argv, out, "/dev/null");
	if (!wait_for_text(out, "eady to accept connections", 10000)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

void run_redis_stop(int pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

char *test_dir_new(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/sensor-%s-XXXXXX", base && *base ? base : "/tmp", tag) < 0)
		abort();
	if (!mkdtemp(dir))
		abort();
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void test_dir_remove(char *dir)
{
	if (!dir)
		return;
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

const char *test_path(const char *dir, const char *name)
{
	static char bufs[8][4096];
	static unsigned next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}
