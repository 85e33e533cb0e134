/*
 * replay.c - main() for a fuzz target built without libFuzzer (any
 * compiler, every build): how ctest runs the fuzz targets.
 *
 *   fuzz_<name>_replay [-n COUNT] [-t SECONDS] [-s SEED] PATH...
 *
 * Runs LLVMFuzzerTestOneInput on every file of each PATH (a folder: its
 * regular files in name order; a file: itself), then on COUNT (default
 * 4000) inputs made from a fixed seed: most are corpus files with a few
 * random mutations (bit flips, interesting values, byte runs inserted,
 * deleted, copied or spliced from another file), some are plain random
 * bytes. The generated inputs stop early after SECONDS (default 2) so a
 * target costs about that much even under ASan; the corpus always runs
 * whole. With COUNT 0 only the given files run (reproducing a crash).
 *
 * Each input is passed in a heap block of exactly its size, so reading one
 * byte past it is an error under ASan (an empty input gets a valid pointer
 * to a 1-byte block, as libFuzzer passes one). If an input crashes, it is written
 * to ./fuzz-crash-<name> first (from the sanitizer's death callback, or a
 * signal handler without one) so it can be replayed and kept as a
 * regression file.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_FILE (1u << 20) /* corpus files larger than this are skipped */
#define GEN_MAX	 8192u	    /* generated inputs */

struct blob {
	uint8_t *b;
	size_t n;
};

struct corpus {
	struct blob *v;
	size_t n, cap;
};

/* The input being run, for the crash handler. */
static const uint8_t *cur_data;
static size_t cur_size;
static char name[200], crash_path[300];

/* ------------------------------------------------------------ crashes */

static void save_current(void)
{
	int fd;

	if (!cur_data)
		return;
	fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (write(fd, cur_data, cur_size) == (ssize_t)cur_size)
		(void)!write(2, "replay: crashing input saved as ./", 34);
	(void)!write(2, crash_path, strlen(crash_path));
	(void)!write(2, "\n", 1);
	close(fd);
	cur_data = NULL;
}

static void on_signal(int sig)
{
	save_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Present when a sanitizer runtime is linked in. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void crash_setup(const char *prog)
{
	const char *base = strrchr(prog, '/');
	size_t n;

	base = base ? base + 1 : prog;
	n = strlen(base);
	if (n > 7 && strcmp(base + n - 7, "_replay") == 0)
		n -= 7;
	if (n > 5 && strncmp(base, "fuzz_", 5) == 0)
		base += 5, n -= 5;
	snprintf(name, sizeof(name), "%.*s", (int)n, base);
	snprintf(crash_path, sizeof(crash_path), "fuzz-crash-%s", name);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_current);
	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
}

/* ------------------------------------------------------------- corpus */

static void corpus_add(struct corpus *c, uint8_t *b, size_t n)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v) {
			perror("replay");
			exit(2);
		}
	}
	c->v[c->n++] = (struct blob){b, n};
}

static int load_file(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto close;
	if ((unsigned long)n > MAX_FILE) {
		fprintf(stderr, "replay: %s: larger than %u bytes, skipped\n", path, MAX_FILE);
		fclose(f);
		return 0;
	}
	b = malloc(n ? (size_t)n : 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		goto close;
	}
	fclose(f);
	corpus_add(c, b, (size_t)n);
	return 0;

close:
	fprintf(stderr, "replay: %s: cannot read\n", path);
	fclose(f);
	return -1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder's regular files in name order; dot files are left out. */
static int load_dir(struct corpus *c, const char *dir, DIR *d)
{
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0;
	struct dirent *e;
	struct stat st;
	int rc = 0;

	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
		}
		if (!names || !(names[n++] = strdup(e->d_name))) {
			perror("replay");
			exit(2);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && load_file(c, path) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int load_path(struct corpus *c, const char *path)
{
	DIR *d = opendir(path);

	return d ? load_dir(c, path, d) : load_file(c, path);
}

/* ---------------------------------------------------------- mutations */

static uint64_t rng;

static size_t below(size_t n)
{
	return n ? (size_t)(fuzz_rand(&rng) % n) : 0;
}

static const uint8_t interesting8[] = {0, 1, 2, 7, 8, 0x10, 0x20, 0x40, 0x7f, 0x80, 0xfe, 0xff};
static const uint16_t interesting16[] = {0, 1, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff};

/* One random edit of b[0..n) (room for GEN_MAX bytes); the new length. */
static size_t mutate_once(uint8_t *b, size_t n, const struct corpus *c)
{
	size_t at = below(n), len;
	uint16_t v;

	switch (below(10)) {
	case 0: /* flip a bit */
		if (n)
			b[at] ^= (uint8_t)(1u << below(8));
		return n;
	case 1: /* random byte */
		if (n)
			b[at] = (uint8_t)fuzz_rand(&rng);
		return n;
	case 2: /* interesting byte */
		if (n)
			b[at] = interesting8[below(sizeof(interesting8))];
		return n;
	case 3: /* interesting 16-bit value, big or little endian */
		v = interesting16[below(sizeof(interesting16) / sizeof(interesting16[0]))];
		if (n >= 2) {
			bool big = below(2);

			at = below(n - 1);
			b[at] = (uint8_t)(big ? v >> 8 : v);
			b[at + 1] = (uint8_t)(big ? v : v >> 8);
		}
		return n;
	case 4: /* small add or subtract */
		if (n)
			b[at] = (uint8_t)(b[at] + below(33) - 16);
		return n;
	case 5: /* delete a run */
		len = below(n - at + 1) % 64;
		memmove(b + at, b + at + len, n - at - len);
		return n - len;
	case 6: /* insert random bytes */
		len = below(GEN_MAX - n + 1) % 32;
		memmove(b + at + len, b + at, n - at);
		for (size_t i = 0; i < len; i++)
			b[at + i] = (uint8_t)fuzz_rand(&rng);
		return n + len;
	case 7: /* copy a run over another place */
		if (n) {
			size_t from = below(n), to = below(n);

			len = below(n - (from > to ? from : to)) + 1;
			memmove(b + to, b + from, len);
		}
		return n;
	case 8: /* truncate */
		return n ? below(n) + 1 : 0;
	default: { /* splice a run of another corpus file in */
		const struct blob *o;
		size_t from;

		if (!c->n)
			return n;
		o = &c->v[below(c->n)];
		if (!o->n)
			return n;
		from = below(o->n);
		len = below(o->n - from) % 256 + 1;
		if (len > o->n - from)
			len = o->n - from;
		if (len > GEN_MAX - n)
			len = GEN_MAX - n;
		memmove(b + at + len, b + at, n - at);
		memcpy(b + at, o->b + from, len);
		return n + len;
	}
	}
}

/* The next generated input into b; its length. */
static size_t generate(uint8_t *b, const struct corpus *c)
{
	const struct blob *s;
	size_t n, rounds;

	if (!c->n || below(16) == 0) { /* plain random bytes */
		n = below(below(4) ? 64 : 1024);
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)fuzz_rand(&rng);
		return n;
	}
	s = &c->v[below(c->n)];
	n = s->n < GEN_MAX ? s->n : GEN_MAX;
	memcpy(b, s->b, n);
	rounds = (size_t)1 << below(4); /* 1, 2, 4 or 8 edits */
	for (size_t i = 0; i < rounds; i++)
		n = mutate_once(b, n, c);
	return n;
}

/* --------------------------------------------------------------- main */

/* Run one input from an exact-size heap copy. */
static void run_one(const uint8_t *data, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	if (!copy) {
		perror("replay");
		exit(2);
	}
	if (n)
		memcpy(copy, data, n);
	cur_data = copy;
	cur_size = n;
	LLVMFuzzerTestOneInput(copy, n);
	cur_data = NULL;
	free(copy);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-n COUNT] [-t SECONDS] [-s SEED] PATH...\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct corpus c = {0};
	unsigned long count = 4000, seed = 0x5eed, done = 0;
	double budget = 2.0, start;
	uint8_t *buf;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "n:t:s:")) != -1) {
		if (opt == 'n')
			count = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			budget = strtod(optarg, NULL);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			usage(argv[0]);
	}
	if (optind == argc && count == 0)
		usage(argv[0]);
	crash_setup(argv[0]);
	for (int i = optind; i < argc; i++)
		if (load_path(&c, argv[i]) < 0)
			rc = 1;
	for (size_t i = 0; i < c.n; i++)
		run_one(c.v[i].b, c.v[i].n);
	buf = malloc(GEN_MAX);
	if (!buf) {
		perror("replay");
		return 2;
	}
	rng = seed;
	start = now_s();
	for (; done < count; done++) {
		if ((done & 15) == 0 && now_s() - start > budget)
			break;
		run_one(buf, generate(buf, &c));
	}
	printf("%s: %zu corpus files, %lu generated inputs (seed %#lx) in %.2f s\n", name, c.n,
	       done, seed, now_s() - start);
	free(buf);
	for (size_t i = 0; i < c.n; i++)
		free(c.v[i].b);
	free(c.v);
	return rc;
}
