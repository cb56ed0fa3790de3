/*
 * Paths and corpora, through the real bidx and bsearch binaries: printed
 * paths open from wherever bsearch runs, -l names each file once, a build
 * never walks into an index directory, and an index remembers its corpus
 * roots (a new path is added, removing one takes --replace or `bidx
 * remove`, and the summary says what was removed).
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "testutil.h"

static char *tmp;            /* its real path */

static void setup(void)
{
	char *t = tu_tmpdir("paths");
	cr_assert(t);
	tmp = realpath(t, NULL);
	free(t);
	cr_assert(tmp);
}

static void teardown(void)
{
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(paths, .init = setup, .fini = teardown, .timeout = 300);

/* Runs a shell command in tmp, stdout and stderr together (testutil.h). */
#define sh(st, ...) tu_sh(tmp, st, __VA_ARGS__)

static char *ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *ok(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st;
	char *out = sh(&st, "%s", cmd);
	cr_assert_eq(st, 0, "%s: exit %d\n%s", cmd, st, out);
	return out;
}

static void put(const char *rel, const char *text)
{
	char p[4096], cmd[4200];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	cr_assert_eq(system(cmd), 0);
	FILE *f = fopen(p, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

/* A small corpus: two notices and a CSV of three records. */
static void corpus(void)
{
	put("c/a.txt", "カゴヤのお知らせ\n個人情報の漏えいについて。\n");
	put("c/sub/b.txt", "市役所のお知らせ\n個人情報の取り扱いについて。\n");
	put("c/rows.csv", "title,body\n一つ目,個人情報の件\n二つ目,個人情報の件その二\n三つ目,個人情報の件その三\n");
}

Test(paths, printed_paths_open_from_where_bsearch_runs)
{
	corpus();
	free(ok("cd c && %s/bidx build -q .", BIDX_BINARY_DIR));
	/* from /, the absolute path; from c, relative to it; from elsewhere under
	 * tmp, relative to that */
	char *out = ok("cd / && %s/bsearch -i '%s/c/index' -l カゴヤ", BIDX_BINARY_DIR, tmp);
	char want[4200];
	snprintf(want, sizeof want, "%s/c/a.txt\n", tmp + 1);   /* below /: relative to it */
	cr_assert_str_eq(out, want);
	free(out);
	out = ok("cd c && %s/bsearch -l カゴヤ", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "a.txt\n");
	free(out);
	out = ok("%s/bsearch -i c/index -l カゴヤ", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "c/a.txt\n");
	free(out);
	out = ok("mkdir -p elsewhere && cd elsewhere && %s/bsearch -i ../c/index -l カゴヤ && "
	         "cat \"$(%s/bsearch -i ../c/index -l カゴヤ)\"", BIDX_BINARY_DIR, BIDX_BINARY_DIR);
	snprintf(want, sizeof want, "%s/c/a.txt\n", tmp);
	cr_assert(!strncmp(out, want, strlen(want)), "outside the current directory: absolute\n%s",
	          out);
	cr_assert(strstr(out, "個人情報の漏えい"), "the printed path opens: %s", out);
	free(out);
	/* --json: the same path as -l, and the absolute one */
	out = ok("%s/bsearch -i c/index --json カゴヤ", BIDX_BINARY_DIR);
	snprintf(want, sizeof want, "\"path\":\"c/a.txt\",\"abspath\":\"%s/c/a.txt\"", tmp);
	cr_assert(strstr(out, want), "%s", out);
	free(out);
	/* human output */
	out = ok("%s/bsearch -i c/index --color never カゴヤ", BIDX_BINARY_DIR);
	cr_assert(strstr(out, "     c/a.txt\n"), "%s", out);
	free(out);
}

Test(paths, l_names_each_file_once_and_records_list_each_record)
{
	corpus();
	free(ok("%s/bidx build -q -i idx c", BIDX_BINARY_DIR));
	char *out = ok("%s/bsearch -i idx -c 個人情報", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "5\n");
	free(out);
	out = ok("%s/bsearch -i idx -l 個人情報 | sort", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "c/a.txt\nc/rows.csv\nc/sub/b.txt\n", "each file once");
	free(out);
	out = ok("%s/bsearch -i idx --records 個人情報 | sort", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "c/a.txt\nc/rows.csv:2\nc/rows.csv:3\nc/rows.csv:4\nc/sub/b.txt\n");
	free(out);
	out = ok("%s/bsearch -i idx -l -0 個人情報 | tr '\\0' '\\n' | sort", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "c/a.txt\nc/rows.csv\nc/sub/b.txt\n", "-0 too");
	free(out);
	out = ok("%s/bsearch -i idx -l -0 個人情報 | xargs -0 cat | grep -c 個人情報", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "5\n", "xargs opens each file once");
	free(out);
}

Test(paths, a_build_never_walks_into_an_index_directory)
{
	corpus();
	free(ok("%s/bidx build -q -i other c", BIDX_BINARY_DIR));   /* a second index, in the corpus' parent */
	free(ok("mv other c/other"));
	int st;
	char *out = sh(&st, "cd c && %s/bidx build .", BIDX_BINARY_DIR);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "3 added"), "%s", out);
	cr_assert(!strstr(out, "skipped;") && !strstr(out, "manifest") && !strstr(out, "lock"),
	          "nothing of an index is reported:\n%s", out);
	free(out);
	out = sh(&st, "cd c && %s/bidx build .", BIDX_BINARY_DIR);   /* the second time too */
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "0 added, 0 updated, 0 removed, 3 unchanged; skipped 0"), "%s", out);
	free(out);
}

Test(paths, an_index_remembers_its_roots)
{
	corpus();
	put("d/one.csv", "title,body\n追加の件,追加のお知らせ\n");
	free(ok("%s/bidx build -q -i idx c", BIDX_BINARY_DIR));
	/* a path not among the roots is added, and it says so */
	char *out = ok("%s/bidx build -i idx d/one.csv", BIDX_BINARY_DIR);
	cr_assert(strstr(out, "d/one.csv: added to the corpus"), "%s", out);
	cr_assert(strstr(out, "1 added, 0 updated, 0 removed, 3 unchanged"), "%s", out);
	free(out);
	bidx_manifest m;
	char dir[4200], why[256];
	snprintf(dir, sizeof dir, "%s/idx", tmp);
	cr_assert_eq(bidx_manifest_read(dir, 1, &m, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(m.nroots, 2);
	char want[4200];
	snprintf(want, sizeof want, "%s/c", tmp);
	cr_assert_str_eq(m.roots[0], want);
	snprintf(want, sizeof want, "%s/d/one.csv", tmp);
	cr_assert_str_eq(m.roots[1], want);
	bidx_manifest_free(&m);
	/* no path: the roots remembered, from anywhere */
	put("c/new.txt", "新しいお知らせ\n");
	out = ok("cd / && %s/bidx build -i '%s/idx'", BIDX_BINARY_DIR, tmp);
	cr_assert(strstr(out, "1 added, 0 updated, 0 removed, 4 unchanged"), "%s", out);
	free(out);
	/* a file gone is said */
	out = ok("rm c/new.txt && %s/bidx build -i idx", BIDX_BINARY_DIR);
	cr_assert(strstr(out, "c/new.txt: no longer in the corpus"), "%s", out);
	cr_assert(strstr(out, "1 removed (0 of roots dropped, 1 no longer found)"), "%s", out);
	free(out);
	/* removing a root takes bidx remove, which says what went */
	int st;
	out = sh(&st, "%s/bidx remove -i idx d/nosuch.csv", BIDX_BINARY_DIR);
	cr_assert_eq(st, 2, "%s", out);
	cr_assert(strstr(out, "is not a corpus root") && strstr(out, "roots: c d/one.csv"), "%s", out);
	free(out);
	out = ok("%s/bidx remove -i idx d/one.csv", BIDX_BINARY_DIR);
	cr_assert(strstr(out, "d/one.csv: no longer a corpus root; 1 file removed"), "%s", out);
	cr_assert(strstr(out, "1 removed (1 of roots dropped"), "%s", out);
	free(out);
	out = ok("%s/bsearch -i idx -c 追加 || true", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "0\n");
	free(out);
	/* or --replace */
	out = ok("%s/bidx build -i idx --replace d", BIDX_BINARY_DIR);
	cr_assert(strstr(out, "c: no longer a corpus root; 3 files removed"), "%s", out);
	cr_assert(strstr(out, "1 added, 0 updated, 3 removed (3 of roots dropped"), "%s", out);
	free(out);
	out = ok("%s/bsearch -i idx -l お知らせ", BIDX_BINARY_DIR);
	cr_assert_str_eq(out, "d/one.csv\n");
	free(out);
	/* an index with no roots and no path given: a clear error */
	out = sh(&st, "%s/bidx build -i fresh", BIDX_BINARY_DIR);
	cr_assert_eq(st, 2, "%s", out);
	cr_assert(strstr(out, "no corpus given"), "%s", out);
	free(out);
}
