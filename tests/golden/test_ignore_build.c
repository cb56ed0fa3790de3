/*
 * .bidxignore files and --exclude through the real bidx and bsearch
 * binaries: nested files stacked with their parents', negation, directory
 * patterns, anchoring, --exclude at the corpus root, and an update that
 * drops files ignored since the last build.  Each file holds one place
 * name, so the hits of that name say whether it is indexed.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *tmp;

static void setup(void)
{
	tmp = tu_tmpdir("ignore");
	cr_assert(tmp);
}

static void teardown(void)
{
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(ignore_build, .init = setup, .fini = teardown, .timeout = 300);

/* Runs a shell command in tmp, stdout and stderr together. */
static char *sh(int *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sh(int *st, const char *fmt, ...)
{
	char cmd[8192], full[9000];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	snprintf(full, sizeof full, "cd '%s' && { %s ; } 2>&1", tmp, cmd);
	char *out = tu_run(full, st);
	cr_assert(out, "cannot run %s", cmd);
	return out;
}

static void put(const char *rel, const char *text)
{
	char p[4096], cmd[4200];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	cr_assert_eq(system(cmd), 0);
	FILE *f = fopen(p, "wb");
	cr_assert(f, "cannot write %s", p);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

/* bidx build --json -i idx ARGS (in tmp); asserts exit 0, returns the log. */
static char *build_ok(const char *args)
{
	int st;
	char *out = sh(&st, "%s/bidx build --json -i idx %s", BIDX_BINARY_DIR, args);
	cr_assert_eq(st, 0, "bidx build %s: exit %d\n%s", args, st, out);
	return out;
}

static long hits(const char *query)
{
	int st;
	char *out = sh(&st, "%s/bsearch -i idx -c '%s'", BIDX_BINARY_DIR, query);
	cr_assert(st == 0 || st == 1, "bsearch -c %s: exit %d\n%s", query, st, out);
	long n = strtol(out, NULL, 10);
	free(out);
	return n;
}

typedef struct place {
	const char *rel, *word;
	int indexed;
} place;

static void expect(const place *p, size_t n, const char *when)
{
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(hits(p[i].word), p[i].indexed, "%s: %s should %sbe indexed", when,
		             p[i].rel, p[i].indexed ? "" : "not ");
}

Test(ignore_build, nested_files_negation_directories_and_exclude)
{
	place p[] = {
		{"c/a.txt", "札幌", 1},
		{"c/notes.md", "仙台", 0},            /* *.md */
		{"c/keep.md", "東京", 1},             /* !keep.md */
		{"c/drafts/d.txt", "横浜", 0},        /* drafts/ */
		{"c/sub/deep/drafts/x.txt", "那覇", 0},   /* drafts/ at any depth */
		{"c/top-only.txt", "京都", 0},        /* /top-only.txt */
		{"c/sub/top-only.txt", "大阪", 1},    /* ... anchored: not below */
		{"c/sub/notes.md", "神戸", 1},        /* sub's !notes.md wins */
		{"c/sub/local.txt", "広島", 0},       /* sub's local.txt */
		{"c/local.txt", "福岡", 1},           /* ... applies below sub only */
		{"c/arch/old.txt", "金沢", 1},        /* until --exclude arch/ */
		{"c/sub/deep/y.txt", "熊本", 1},      /* until sub/deep is ignored */
	};
	size_t n = sizeof p / sizeof *p;
	for (size_t i = 0; i < n; i++) {
		char text[256];
		snprintf(text, sizeof text, "%sの市役所からのお知らせ\n%sで個人情報の漏えいがありました。\n",
		         p[i].word, p[i].word);
		put(p[i].rel, text);
	}
	put("c/.bidxignore", "# not notices\n*.md\n!keep.md\n\ndrafts/\n/top-only.txt\n");
	put("c/sub/.bidxignore", "!notes.md\nlocal.txt\n");
	char *out = build_ok("c");
	cr_assert(strstr(out, "\"added\":7,"), "seven files indexed:\n%s", out);
	cr_assert(strstr(out, "\"skipped\":0,"), "ignored files are not skipped:\n%s", out);
	cr_assert_not(strstr(out, "notes.md") || strstr(out, "drafts") || strstr(out, "local.txt"),
	              "ignored files are left out silently:\n%s", out);
	free(out);
	expect(p, n, "first build");

	/* --exclude at the root, winning over a .bidxignore's ! ; what is newly
	 * ignored leaves the index like a vanished file */
	out = build_ok("--exclude arch/ --exclude=keep.md c");
	cr_assert(strstr(out, "\"removed\":2,"), "arch/old.txt and keep.md removed:\n%s", out);
	cr_assert(strstr(out, "\"skipped\":0,"), "%s", out);
	free(out);
	p[2].indexed = p[10].indexed = 0;
	expect(p, n, "--exclude");

	/* a folder's .bidxignore ignoring a subfolder and a file below by
	 * anchored paths; sub's own `!notes.md` still wins over the parent's
	 * `*.md`, being deeper */
	put("c/.bidxignore", "*.md\n!keep.md\ndrafts/\n/top-only.txt\nsub/deep\n/sub/top-*\n");
	out = build_ok("c");
	free(out);
	p[2].indexed = p[10].indexed = 1;   /* no --exclude this time */
	p[6].indexed = p[11].indexed = 0;
	expect(p, n, "edited .bidxignore");
}

Test(ignore_build, exclude_needs_a_glob_and_is_documented)
{
	int st;
	char *out = sh(&st, "%s/bidx build -i idx --exclude '' c", BIDX_BINARY_DIR);
	cr_assert_eq(st, 2, "%s", out);
	cr_assert(strstr(out, "--exclude wants a glob"), "%s", out);
	free(out);
	out = sh(&st, "%s/bidx build --help", BIDX_BINARY_DIR);
	cr_assert(strstr(out, "--exclude GLOB") && strstr(out, ".bidxignore"), "%s", out);
	free(out);
}
