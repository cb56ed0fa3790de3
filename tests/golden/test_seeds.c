/*
 * End-to-end golden tests on the five seed breach notices: the real bidx and
 * bsearch binaries, expected hits, their order and their snippets.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *ixdir;
static char seeds[4096];

static void setup(void)
{
	const char *s = tu_corpus("seeds");
	cr_assert(s, "no seed corpus found");
	snprintf(seeds, sizeof seeds, "%s", s);
	ixdir = tu_tmpdir("golden");
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i %s %s", BIDX_BINARY_DIR, ixdir, seeds);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0, "bidx build failed");
}

static void teardown(void)
{
	tu_rmtree(ixdir);
	free(ixdir);
}

/* Runs bsearch with args; returns stdout, sets *st. */
static char *bs(const char *args, int *st)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "NO_COLOR=1 %s/bsearch -i %s %s", BIDX_BINARY_DIR, ixdir, args);
	return tu_run(cmd, st);
}

/* The -l output as seed numbers "003 001 ..." (first 3 chars of the names). */
static void ranked(const char *query, char *out, size_t n)
{
	char args[1024];
	int st;
	snprintf(args, sizeof args, "-l '%s'", query);
	char *o = bs(args, &st);
	tu_base_names(o, 3, out, n);
	free(o);
}

TestSuite(seeds, .init = setup, .fini = teardown);

Test(seeds, credit_card_hits_and_order)
{
	char r[256];
	ranked("クレジットカード", r, sizeof r);
	/* 004 (カゴヤ) never mentions credit cards; e-ながさき says it most often */
	cr_assert_str_eq(r, "003 001 002 000");
}

Test(seeds, unauthorized_access_in_every_notice)
{
	char r[256];
	ranked("不正アクセス", r, sizeof r);
	cr_assert_eq(strlen(r), 19, "all five seeds expected, got '%s'", r);
	/* カゴヤ has 不正アクセス in its title: first */
	cr_assert(!strncmp(r, "004", 3), "got '%s'", r);
}

Test(seeds, ppc_commission)
{
	char r[256];
	ranked("個人情報保護委員会", r, sizeof r);
	cr_assert_str_eq(r, "003 001 000");
}

Test(seeds, security_code)
{
	char r[256];
	ranked("セキュリティコード", r, sizeof r);
	cr_assert_str_eq(r, "003 001");
}

Test(seeds, fullwidth_query_matches_halfwidth_text)
{
	char a[256], b[256], c[256];
	ranked("ＰＣＩ　ＤＳＳ", a, sizeof a);
	ranked("\"PCI DSS\"", b, sizeof b);
	ranked("pci", c, sizeof c);
	cr_assert_str_eq(a, "002");
	cr_assert_str_eq(b, "002");
	cr_assert_str_eq(c, "002");
}

Test(seeds, match_across_a_pdf_line_break)
{
	/* 003 breaks "…可能性があるお客様" / "2021年3月10日…" across two lines */
	char r[256];
	ranked("お客様2021年3月10日", r, sizeof r);
	cr_assert_str_eq(r, "003");
	/* 002 spaces out its date: "平成 28 年 9 月 16 日" */
	ranked("平成28年9月16日", r, sizeof r);
	cr_assert_str_eq(r, "002");
}

Test(seeds, snippet_marks_the_match)
{
	int st;
	char *o = bs("-n 1 セキュリティコード", &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(o, "[セキュリティコード]"), "no marked match in:\n%s", o);
	cr_assert(strstr(o, "003_5a5215cd65d3f6e3.txt"), "%s", o);
	free(o);
}

Test(seeds, json_output)
{
	int st;
	char *o = bs("--json -n 2 クレジットカード", &st);
	cr_assert_eq(st, 0);
	char *second = strchr(o, '\n');
	cr_assert(second && strchr(second + 1, '\n'), "two JSON lines expected:\n%s", o);
	cr_assert(!strncmp(o, "{\"rank\":1,", 10), "%s", o);
	cr_assert(strstr(o, "\"path\":\"") && strstr(o, "\"title\":\"") &&
	          strstr(o, "\"snippet\":\"") && strstr(o, "\"matches\":[["), "%s", o);
	free(o);
}

Test(seeds, exit_status_like_grep)
{
	int st;
	free(bs("-c クレジットカード", &st));
	cr_assert_eq(st, 0);
	char *o = bs("-c 存在しない語句ですよ", &st);
	cr_assert_eq(st, 1);
	cr_assert_str_eq(o, "0\n");
	free(o);
	free(bs("'(unbalanced'", &st));
	cr_assert_eq(st, 2);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s/bsearch -i /nonexistent/dir x 2>&1", BIDX_BINARY_DIR);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 2);
	cr_assert(strstr(o, "bidx build"), "%s", o);
	free(o);
}

Test(seeds, count_and_paging)
{
	int st;
	char *o = bs("-c お客様", &st);
	int n = atoi(o);
	free(o);
	cr_assert_eq(n, 4);
	char all[256], page[256];
	ranked("お客様", all, sizeof all);
	o = bs("--json -n 1 --offset 1 お客様", &st);
	cr_assert(!strncmp(o, "{\"rank\":2,", 10), "%s", o);
	snprintf(page, sizeof page, "%.3s", strstr(o, "seeds/") + 6);
	cr_assert(!strncmp(all + 4, page, 3), "offset 1 gave %s, ranking is %s", page, all);
	free(o);
}

Test(seeds, boolean_queries)
{
	char r[256];
	ranked("クレジットカード -セキュリティコード", r, sizeof r);
	cr_assert_str_eq(r, "002 000");
	ranked("PCI OR 京都", r, sizeof r);
	cr_assert(!strcmp(r, "002 004") || !strcmp(r, "004 002"), "got %s", r);
	ranked("(PCI OR 京都) 不正アクセス", r, sizeof r);
	cr_assert(strlen(r) == 7, "got %s", r);
}
