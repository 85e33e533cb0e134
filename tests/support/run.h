/*
 * run.h - running the built sensor from integration tests.
 *
 * run_sensor() forks and execs the binary with the given arguments and
 * collects its exit status, stdout and stderr; test_dir_new() makes a
 * fresh temporary folder for a test's captures, configs and logs. Test code
 * only.
 */
#ifndef TESTS_RUN_H
#define TESTS_RUN_H

#include <stddef.h>

struct run_result {
	int status; /* exit status, or 128 + signal when killed */
	char *out;  /* everything written to stdout, NUL-terminated */
	char *err;  /* everything written to stderr */
};

/* Run `argv` (NULL-terminated; argv[0] is the program path). `r` must be
 * zeroed or hold an earlier result, which is freed. */
void run_cmd(struct run_result *r, const char *const *argv);
/* Run SENSOR_BIN with the arguments (NULL-terminated). */
void run_sensor(struct run_result *r, const char *bin, ...);
void run_result_free(struct run_result *r);

/* Start argv in the background, stdout and stderr into the given files;
 * returns the pid. */
int run_spawn(const char *const *argv, const char *out_path, const char *err_path);
/* Wait up to timeout_ms for pid to exit: its exit status (128 + signal when
 * killed), or -1 on timeout (the process is then killed). */
int run_wait(int pid, int timeout_ms);
/* Wait up to timeout_ms until file `path` contains `text`; true if it does. */
int wait_for_text(const char *path, const char *text, int timeout_ms);

/* Start /usr/bin/redis-server on the unix socket DIR/redis.sock (its path
 * in `sock`; no TCP port, nothing saved), its log in DIR/redis.out, and
 * wait until it accepts connections: the pid, or -1 when redis-server is
 * not installed or did not start. run_redis_stop kills it. */
int run_redis(const char *dir, char *sock, size_t socklen);
void run_redis_stop(int pid);

/* A new empty folder under $TMPDIR (or /tmp); the caller frees the path
 * and removes the folder with test_dir_remove(). */
char *test_dir_new(const char *tag);
void test_dir_remove(char *dir);
/* dir + "/" + name in a static buffer (one of 8 rotating buffers). */
const char *test_path(const char *dir, const char *name);
/* Write `text` to a file (aborts on failure). */
void write_file(const char *path, const char *text);

#endif
