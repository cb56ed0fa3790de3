/*
 * Spelling variants end to end: the real bidx and bsearch on a small corpus
 * where each notice uses one spelling only.  A query in the other spelling
 * finds it, and the snippet marks what the notice wrote.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *dir;
static char ixdir[4200];

static void put(const char *name, const char *text)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/corpus/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	char cmd[9000];
	int st;
	dir = tu_tmpdir("variants");
	cr_assert(dir);
	snprintf(cmd, sizeof cmd, "mkdir '%s/corpus'", dir);
	cr_assert_eq(system(cmd), 0);
	put("kana.txt", "個人情報の漏えいに関するお知らせ\n"
	                "当社のサーバーが第三者による不正アクセスを受け、お客様の情報が漏えいした"
	                "可能性があります。お問い合わせは窓口まで。\n");
	put("kanji.txt", "情報漏洩についてのご報告\n"
	                 "社内のサーバに保存された名簿が漏洩しました。お問合せ先は下記のとおりです。\n");
	put("other.txt", "システム保守のお知らせ\n定期保守のため、サービスを停止します。\n");
	snprintf(ixdir, sizeof ixdir, "%s/index", dir);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s/corpus'", BIDX_BINARY_DIR, ixdir, dir);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0, "bidx build failed");
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

TestSuite(variants, .init = setup, .fini = teardown);

static char *bs(const char *args, int *st)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "NO_COLOR=1 %s/bsearch -i '%s' %s", BIDX_BINARY_DIR, ixdir, args);
	return tu_run(cmd, st);
}

/* The base names of the -l output, space separated. */
static void files(const char *query, char *out, size_t n)
{
	char args[512];
	int st;
	snprintf(args, sizeof args, "-l '%s'", query);
	char *o = bs(args, &st);
	tu_base_names(o, 0, out, n);
	free(o);
}

static int has(const char *list, const char *name)
{
	return strstr(list, name) != NULL;
}

Test(variants, leak_in_either_spelling_finds_both)
{
	char r[512];
	files("漏洩", r, sizeof r);
	cr_assert(has(r, "kana.txt") && has(r, "kanji.txt") && !has(r, "other.txt"), "漏洩: %s", r);
	files("漏えい", r, sizeof r);
	cr_assert(has(r, "kana.txt") && has(r, "kanji.txt") && !has(r, "other.txt"), "漏えい: %s", r);
}

Test(variants, server_with_or_without_long_vowel_finds_both)
{
	char r[512];
	files("サーバ", r, sizeof r);
	cr_assert(has(r, "kana.txt") && has(r, "kanji.txt") && !has(r, "other.txt"), "サーバ: %s", r);
	files("サーバー", r, sizeof r);
	cr_assert(has(r, "kana.txt") && has(r, "kanji.txt") && !has(r, "other.txt"), "サーバー: %s", r);
	files("お問い合わせ", r, sizeof r);
	cr_assert(has(r, "kana.txt") && has(r, "kanji.txt"), "お問い合わせ: %s", r);
}

/* The snippet marks the notice's own spelling, not the query's. */
Test(variants, snippet_marks_the_document_spelling)
{
	int st;
	char *o = bs("'漏洩 サーバ' -n 5", &st);
	cr_assert_eq(st, 0, "%s", o);
	cr_assert(strstr(o, "[漏えい]"), "no [漏えい] in:\n%s", o);
	/* サーバ is a substring of サーバー: the match is what grep -F finds */
	cr_assert(strstr(o, "[サーバ]ー"), "no [サーバ]ー in:\n%s", o);
	cr_assert(strstr(o, "[漏洩]"), "no [漏洩] in:\n%s", o);
	cr_assert(strstr(o, "[サーバ]に"), "no [サーバ]に in:\n%s", o);
	free(o);
	o = bs("--json 漏洩", &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(o, "漏えい"), "%s", o);
	free(o);
}
