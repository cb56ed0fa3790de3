/*
 * Query-time synonyms: the table (dict/synonyms.txt format, malformed lines
 * reported with file and line and skipped), the rewrite of the parsed query,
 * and end to end with the real bsearch: a synonym finds a notice that lacks
 * the word typed and ranks it below one that has it, --exact turns that
 * off, and an edit of the table changes the results without rebuilding.
 */
#define _GNU_SOURCE /* open_memstream */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "query_parse.h"
#include "synonyms.h"
#include "testutil.h"

static char *dir;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	dir = tu_tmpdir("synonyms");
	cr_assert(dir);
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

TestSuite(synonyms, .init = setup, .fini = teardown, .timeout = 120);

/* Loads text as a table; the warnings go to *warned (malloc'd). */
static bidx_synonyms *load(const char *text, char **warned)
{
	char path[4200], why[4400];
	size_t wl;
	snprintf(path, sizeof path, "%s/syn.txt", dir);
	write_file(path, text);
	FILE *w = open_memstream(warned, &wl);
	bidx_synonyms *s;
	cr_assert_eq(bidx_synonyms_load(path, &s, w, why, sizeof why), BIDX_OK, "%s", why);
	fclose(w);
	return s;
}

/* The query after expansion, printed as a tree: (OR a b*0.5) */
static void show(const bidx_qnode *n, char *out, size_t cap)
{
	size_t l = strlen(out);
	if (n->type == BIDX_Q_TERM) {
		snprintf(out + l, cap - l, n->weight > 0 ? "%s*%.1f" : "%s", n->text, n->weight);
		return;
	}
	static const char *const op[] = {"", "AND", "OR", "NOT"};
	snprintf(out + l, cap - l, "(%s", op[n->type]);
	for (size_t i = 0; i < n->nkids; i++) {
		l = strlen(out);
		snprintf(out + l, cap - l, " ");
		show(n->kids[i], out, cap);
	}
	l = strlen(out);
	snprintf(out + l, cap - l, ")");
}

static void expect_rewrite(const bidx_synonyms *s, const char *query, const char *want)
{
	bidx_qnode *q;
	char why[256], got[1024] = "";
	size_t ep;
	cr_assert_eq(bidx_query_parse(query, &q, why, sizeof why, &ep), BIDX_OK, "%s", why);
	cr_assert_eq(bidx_synonyms_expand(s, &q), BIDX_OK);
	show(q, got, sizeof got);
	cr_expect_str_eq(got, want, "%s", query);
	bidx_query_free(q);
}

Test(synonyms, table_groups_and_rewrite)
{
	char *warned;
	bidx_synonyms *s = load("# a comment\n流出 漏えい\n\nカード情報　クレジットカード情報  # full-width space\n"
	                        "個人情報 個人データ\n", &warned);
	cr_assert_str_eq(warned, "");
	cr_assert_eq(bidx_synonyms_groups(s), 3);
	expect_rewrite(s, "流出", "(OR 流出 漏洩*0.5)");
	/* 漏えい and 漏洩 are one word after normalisation */
	expect_rewrite(s, "漏洩", "(OR 漏洩 流出*0.5)");
	expect_rewrite(s, "漏えい 対策", "(AND (OR 漏えい 流出*0.5) 対策)");
	expect_rewrite(s, "カード情報 OR 口座", "(OR (OR カード情報 クレジットカード情報*0.5) 口座)");
	/* words under NOT, field values and words of no group stay as typed */
	expect_rewrite(s, "お詫び -流出", "(AND お詫び (NOT 流出))");
	expect_rewrite(s, "title:流出", "流出");
	expect_rewrite(s, "流出した", "流出した");
	bidx_synonyms_free(s);
	free(warned);
}

Test(synonyms, malformed_lines_are_reported_and_skipped)
{
	char *warned;
	bidx_synonyms *s = load("流出 漏えい\n"
	                        "ひとつだけ\n"
	                        "漏えい 漏洩\n"
	                        "カード (情報 クレジット\n"
	                        "\xff\xfe 漏れ\n"
	                        "\xe2\x80\x8b 個人情報\n"
	                        "個人情報 個人データ\n", &warned);
	cr_assert_eq(bidx_synonyms_groups(s), 2, "%s", warned);
	static const char *const want[] = {
		"syn.txt:2: a group needs two different words (\"ひとつだけ\" is alone); line skipped",
		"syn.txt:3: a group needs two different words (\"漏洩\" is alone); line skipped",
		"syn.txt:4: word \"(情報\" has query syntax ( ) \" in it; line skipped",
		"syn.txt:5: not UTF-8; line skipped",
		"syn.txt:6: word \"\xe2\x80\x8b\" has nothing searchable in it; line skipped",
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		cr_expect(strstr(warned, want[i]), "no \"%s\" in:\n%s", want[i], warned);
	cr_expect_eq(strncmp(warned, "bsearch: ", 9), 0, "%s", warned);
	expect_rewrite(s, "個人データ", "(OR 個人データ 個人情報*0.5)");
	bidx_synonyms_free(s);
	free(warned);
}

Test(synonyms, missing_table_and_allocation_failures)
{
	char why[4400], path[4200];
	bidx_synonyms *s;
	snprintf(path, sizeof path, "%s/none.txt", dir);
	cr_assert_eq(bidx_synonyms_load(path, &s, NULL, why, sizeof why), BIDX_EIO);
	cr_assert_null(s);
	cr_assert(strstr(why, "none.txt") && strstr(why, "cannot read"), "%s", why);
	snprintf(path, sizeof path, "%s/syn.txt", dir);
	write_file(path, "流出 漏えい 情報流出\nカード情報 クレジットカード情報\n");
	int done = 0;
	for (long at = 1; at < 200 && !done; at++) {
		bidx_qnode *q;
		size_t ep;
		cr_assert_eq(bidx_query_parse("流出 カード情報", &q, why, sizeof why, &ep), BIDX_OK);
		bidx_fault_set(BIDX_FAULT_ALLOC, at);
		bidx_err rc = bidx_synonyms_load(path, &s, NULL, why, sizeof why);
		if (!rc) {
			rc = bidx_synonyms_expand(s, &q);
			bidx_synonyms_free(s);
		}
		done = bidx_fault_count(BIDX_FAULT_ALLOC) < at;
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		cr_assert(rc == BIDX_OK || rc == BIDX_ENOMEM, "allocation %ld: error %d", at, rc);
		bidx_query_free(q);   /* whole, expanded or not */
	}
	cr_assert(done, "never ran out of allocations to fail");
	TU_ASSERT_NO_LEAKS();
}

/* ---- end to end ---- */

static char ixdir[4300], table[4300];

static void build_corpus(void)
{
	char cmd[9000], path[4300];
	int st;
	snprintf(cmd, sizeof cmd, "mkdir '%s/corpus'", dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof path, "%s/corpus/a_ryushutsu.txt", dir);
	write_file(path, "顧客情報流出のお知らせ\n当社の顧客情報が外部に流出しました。\n");
	snprintf(path, sizeof path, "%s/corpus/b_roei.txt", dir);
	write_file(path, "個人情報の漏えいについて\n会員の個人情報が漏えいした可能性があります。\n");
	snprintf(path, sizeof path, "%s/corpus/c_other.txt", dir);
	write_file(path, "営業時間変更のお知らせ\n年末年始の営業時間を変更します。\n");
	snprintf(ixdir, sizeof ixdir, "%s/index", dir);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s/corpus'", BIDX_BINARY_DIR, ixdir, dir);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0, "bidx build failed");
	snprintf(table, sizeof table, "%s/synonyms.txt", dir);
}

/* bsearch -l with the table given; the base names, space separated. */
static void files(const char *opts, const char *query, char *out, size_t n)
{
	char cmd[9000];
	int st;
	snprintf(cmd, sizeof cmd, "BIDX_SYNONYMS='%s' %s/bsearch -i '%s' -l %s '%s' 2>&1", table,
	         BIDX_BINARY_DIR, ixdir, opts, query);
	char *o = tu_run(cmd, &st);
	tu_base_names(o, 0, out, n);
	free(o);
}

Test(synonyms, a_synonym_finds_and_ranks_below_the_word)
{
	char r[1024];
	build_corpus();
	write_file(table, "流出 漏えい\n");
	files("", "流出", r, sizeof r);
	cr_assert_str_eq(r, "a_ryushutsu.txt b_roei.txt");
	files("", "漏洩", r, sizeof r);
	cr_assert_str_eq(r, "b_roei.txt a_ryushutsu.txt");
	files("--exact", "流出", r, sizeof r);
	cr_assert_str_eq(r, "a_ryushutsu.txt");
	/* the snippet marks the synonym that hit */
	char cmd[9000];
	int st;
	snprintf(cmd, sizeof cmd, "BIDX_SYNONYMS='%s' NO_COLOR=1 %s/bsearch -i '%s' 流出", table,
	         BIDX_BINARY_DIR, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(o, "[漏えい]"), "%s", o);
	free(o);
}

Test(synonyms, editing_the_table_needs_no_rebuild)
{
	char r[1024];
	build_corpus();
	write_file(table, "流出 漏えい\n");
	files("", "営業時間", r, sizeof r);
	cr_assert_str_eq(r, "c_other.txt");
	write_file(table, "流出 漏えい\n営業時間 個人情報\n");
	files("", "営業時間", r, sizeof r);
	cr_assert_str_eq(r, "c_other.txt b_roei.txt");
	/* a broken line is named and skipped; the rest of the table still works */
	write_file(table, "営業時間\n流出 漏えい\n");
	char cmd[9000];
	int st;
	snprintf(cmd, sizeof cmd, "BIDX_SYNONYMS='%s' %s/bsearch -i '%s' -c 流出 2>&1", table,
	         BIDX_BINARY_DIR, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	cr_assert(strstr(o, "synonyms.txt:1: a group needs two different words"), "%s", o);
	cr_assert(strstr(o, "\n2\n") || !strncmp(strstr(o, "skipped\n") + 8, "2", 1), "%s", o);
	free(o);
}

/* The table of the source tree is the one the build links to, and it is
 * well formed. */
Test(synonyms, shipped_table_is_well_formed)
{
	char path[4200], why[4400], *warned;
	size_t wl;
	snprintf(path, sizeof path, "%s/dict/synonyms.txt", BIDX_SOURCE_DIR);
	FILE *w = open_memstream(&warned, &wl);
	bidx_synonyms *s;
	cr_assert_eq(bidx_synonyms_load(path, &s, w, why, sizeof why), BIDX_OK, "%s", why);
	fclose(w);
	cr_assert_str_eq(warned, "");
	cr_assert_geq(bidx_synonyms_groups(s), 3);
	expect_rewrite(s, "流出", "(OR 流出 漏洩*0.5)");
	bidx_synonyms_free(s);
	free(warned);
	unsetenv("BIDX_SYNONYMS");
	cr_assert_eq(bidx_synonyms_find(path, sizeof path), 0, "%s", path);
	cr_assert(strstr(path, "dict/synonyms.txt"), "%s", path);
}
