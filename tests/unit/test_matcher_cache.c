/*
 * test_matcher_cache.c - compiled databases cached on disk
 * (sensor/detect/matcher_cache.c): a second compile of the same rules is a
 * hit and matches the same; a corrupt, truncated or foreign entry is
 * rejected, compiled again and replaced; other rules miss.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "detect/matcher.h"
#include "detect/matcher_cache.h"
#include "detect/rules.h"

static struct {
	char dir[64];
	struct diag d;
	struct ruleset rs;
	struct ids_matcher *m;
	struct matcher_thread *mt;
} cx;

static void setup(void)
{
	strcpy(cx.dir, "/tmp/mcacheXXXXXX");
	cr_assert_not_null(mkdtemp(cx.dir));
	cr_assert_eq(matcher_cache_set_dir(cx.dir), 0);
	diag_init(&cx.d, stderr);
	ruleset_init(&cx.rs);
}

static void drop(void)
{
	matcher_thread_free(cx.mt);
	matcher_free(cx.m);
	cx.mt = NULL;
	cx.m = NULL;
}

static void teardown(void)
{
	char cmd[128];

	drop();
	ruleset_free(&cx.rs);
	matcher_cache_set_dir(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cx.dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(mcache, .init = setup, .fini = teardown);

static const char rules_text[] =
	"rules:\n"
	"  - {id: 1, msg: a, patterns: [{content: abc}, {regex: '(x)\\1y'}]}\n"
	"  - {id: 2, msg: b, patterns: [{content: 'GET '}, {content: admin, distance: 0}]}\n"
	"  - {id: 3, msg: c, pcre: '/ev[i1]l/i'}\n";

static void compile(void)
{
	const struct ids_rule *pubs[8];
	char err[256];

	for (size_t i = 0; i < cx.rs.n; i++)
		pubs[i] = &cx.rs.rules[i]->pub;
	cx.m = matcher_compile(pubs, cx.rs.n, err, sizeof(err));
	cr_assert_not_null(cx.m, "%s", err);
	cx.mt = matcher_thread_new();
	cr_assert_not_null(cx.mt);
}

static int count(const struct ids_rule *r, void *ctx)
{
	(void)r;
	(*(unsigned *)ctx)++;
	return 0;
}

static unsigned hits(const char *s)
{
	struct ids_packet p = {.proto = IPPROTO_TCP};
	unsigned n = 0;

	matcher_scan(cx.mt, cx.m, &p, (const uint8_t *)s, strlen(s), count, &n);
	return n;
}

static void load(const char *text)
{
	cr_assert_eq(ruleset_load_buffer(&cx.rs, "r.yaml", text, strlen(text), "signature", &cx.d),
		     0);
}

/* The one entry file of the cache folder. */
static void entry(char *path, size_t len)
{
	DIR *dir = opendir(cx.dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(dir);
	while ((e = readdir(dir)))
		if (strstr(e->d_name, ".hsdb")) {
			snprintf(path, len, "%s/%s", cx.dir, e->d_name);
			n++;
		}
	closedir(dir);
	cr_assert_eq(n, 1);
}

static void expect_matching(void)
{
	cr_assert_eq(hits("abc xxy"), 1);
	cr_assert_eq(hits("abc xy"), 0);
	cr_assert_eq(hits("GET /admin"), 1);
	cr_assert_eq(hits("admin GET "), 0);
	cr_assert_eq(hits("EV1L"), 1);
}

Test(mcache, miss_then_hit_matches_the_same)
{
	struct matcher_cache_counts c0, c;

	matcher_cache_counts(&c0);
	load(rules_text);
	compile();
	matcher_cache_counts(&c);
	cr_assert_eq(c.misses - c0.misses, 1);
	cr_assert_eq(c.stored - c0.stored, 1);
	expect_matching();
	drop();
	compile();
	matcher_cache_counts(&c);
	cr_assert_eq(c.hits - c0.hits, 1);
	cr_assert_eq(c.stored - c0.stored, 1);
	expect_matching();
}

static void corrupt_and_check(long at, bool truncate_it)
{
	struct matcher_cache_counts c0, c;
	char path[512];
	FILE *f;

	load(rules_text);
	compile();
	drop();
	entry(path, sizeof(path));
	if (truncate_it) {
		cr_assert_eq(truncate(path, at), 0);
	} else {
		int ch;

		f = fopen(path, "r+b");
		cr_assert_not_null(f);
		fseek(f, at, at < 0 ? SEEK_END : SEEK_SET);
		ch = fgetc(f);
		fseek(f, -1, SEEK_CUR);
		fputc(ch ^ 0x5a, f);
		fclose(f);
	}
	matcher_cache_counts(&c0);
	compile();
	matcher_cache_counts(&c);
	cr_assert_eq(c.rejected - c0.rejected, 1);
	cr_assert_eq(c.hits - c0.hits, 0);
	cr_assert_eq(c.stored - c0.stored, 1);
	expect_matching();
	drop();
	compile(); /* the replaced entry is good again */
	matcher_cache_counts(&c);
	cr_assert_eq(c.hits - c0.hits, 1);
	expect_matching();
}

Test(mcache, corrupt_database_bytes_are_rejected_and_recompiled)
{
	corrupt_and_check(-20, false);
}

Test(mcache, corrupt_header_is_rejected)
{
	corrupt_and_check(9, false);
}

Test(mcache, truncated_entry_is_rejected)
{
	corrupt_and_check(100, true);
}

Test(mcache, other_rules_miss)
{
	struct matcher_cache_counts c0, c;

	load(rules_text);
	compile();
	drop();
	ruleset_free(&cx.rs);
	ruleset_init(&cx.rs);
	load("rules:\n  - {id: 1, msg: a, patterns: [{content: abd}]}\n");
	matcher_cache_counts(&c0);
	compile();
	matcher_cache_counts(&c);
	cr_assert_eq(c.misses - c0.misses, 1);
	cr_assert_eq(c.hits - c0.hits, 0);
	cr_assert_eq(hits("xabdx"), 1);
}
