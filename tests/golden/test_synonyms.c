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

static void expect_rewrite(bidx_synonyms *s, const char *query, const char *want)
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

/* A line of n words: 流出 漏えい zz00000 zz00001 ... (malloc'd). */
static char *long_line(size_t n)
{
	char *t = malloc(n * 8 + 32), *p = t;
	p += sprintf(p, "流出 漏えい");
	for (size_t i = 2; i < n; i++)
		p += sprintf(p, " zz%05zu", i - 2);
	strcpy(p, "\n");
	return t;
}

static size_t kids_of(const bidx_qnode *q)
{
	return q->type == BIDX_Q_OR ? q->nkids : 1;
}

/* Loading used to compare each word with every word before it in its line
 * (40,000 words: 800 million comparisons, 6.6 s a query); the sorted
 * index makes it n log n.  An expansion stops at BIDX_SYNONYM_MAX_ALTS. */
Test(synonyms, a_40000_word_line_costs_n_log_n_and_expands_capped)
{
	const size_t n = 40000;
	char *text = long_line(n), *warned;
	bidx_synonyms *s = load(text, &warned);
	cr_assert_str_eq(warned, "");
	cr_assert_eq(bidx_synonyms_groups(s), 1);
	size_t loaded = bidx_synonyms_probes(s);
	cr_assert_lt(loaded, 2 * n * 17, "%zu comparisons to load %zu words", loaded, n);
	static const char *const words[] = {"流出", "漏洩", "zz20000", "zz39997"};
	for (size_t i = 0; i < 4; i++) {
		bidx_qnode *q;
		char why[256];
		size_t ep, before = bidx_synonyms_probes(s);
		cr_assert_eq(bidx_query_parse(words[i], &q, why, sizeof why, &ep), BIDX_OK);
		cr_assert_eq(bidx_synonyms_expand(s, &q), BIDX_OK);
		cr_assert_eq(kids_of(q), 1 + BIDX_SYNONYM_MAX_ALTS, "%s: %zu alternatives", words[i],
		             kids_of(q) - 1);
		size_t spent = bidx_synonyms_probes(s) - before;
		cr_assert_lt(spent, 64 * BIDX_SYNONYM_MAX_ALTS + 64, "%s: %zu comparisons", words[i], spent);
		bidx_query_free(q);
	}
	/* the first synonyms in table order: 流出 gets 漏えい first */
	expect_rewrite(s, "流出 -a", "(AND (OR 流出 漏洩*0.5 zz00000*0.5 zz00001*0.5 zz00002*0.5 "
	               "zz00003*0.5 zz00004*0.5 zz00005*0.5 zz00006*0.5 zz00007*0.5 zz00008*0.5 "
	               "zz00009*0.5 zz00010*0.5 zz00011*0.5 zz00012*0.5 zz00013*0.5 zz00014*0.5 "
	               "zz00015*0.5 zz00016*0.5 zz00017*0.5 zz00018*0.5 zz00019*0.5 zz00020*0.5 "
	               "zz00021*0.5 zz00022*0.5 zz00023*0.5 zz00024*0.5 zz00025*0.5 zz00026*0.5 "
	               "zz00027*0.5 zz00028*0.5 zz00029*0.5 zz00030*0.5 zz00031*0.5 zz00032*0.5 "
	               "zz00033*0.5 zz00034*0.5 zz00035*0.5 zz00036*0.5 zz00037*0.5 zz00038*0.5 "
	               "zz00039*0.5 zz00040*0.5 zz00041*0.5 zz00042*0.5 zz00043*0.5 zz00044*0.5 "
	               "zz00045*0.5 zz00046*0.5 zz00047*0.5 zz00048*0.5 zz00049*0.5 zz00050*0.5 "
	               "zz00051*0.5 zz00052*0.5 zz00053*0.5 zz00054*0.5 zz00055*0.5 zz00056*0.5 "
	               "zz00057*0.5 zz00058*0.5 zz00059*0.5 zz00060*0.5 zz00061*0.5 zz00062*0.5) "
	               "(NOT a))");
	/* a word that repeats within the line counts once; one in two groups
	 * gets the words of both */
	bidx_synonyms_free(s);
	free(warned);
	s = load("流出 漏えい 流出 漏洩 情報流出\n流出 リーク\n", &warned);
	cr_assert_str_eq(warned, "");
	expect_rewrite(s, "流出", "(OR 流出 漏洩*0.5 情報流出*0.5 リーク*0.5)");
	expect_rewrite(s, "リーク", "(OR リーク 流出*0.5)");
	bidx_synonyms_free(s);
	free(warned);
	free(text);
}

/* Words used to be cut at 256 bytes, so a long one never matched. */
Test(synonyms, long_words_are_kept_whole_or_reported)
{
	char *text = NULL, *warned;
	size_t cap = 0;
	FILE *f = open_memstream(&text, &cap);
	fputs("流出 ", f);
	for (int i = 0; i < 100; i++)
		fputs("漏", f);   /* 300 bytes */
	fputs("\n個人情報 ", f);
	for (int i = 0; i < BIDX_QUERY_MAX_TERM_CHARS + 1; i++)
		fputs("個", f);
	fputs(" 個人データ\n", f);
	fclose(f);
	bidx_synonyms *s = load(text, &warned);
	cr_assert_eq(bidx_synonyms_groups(s), 1, "%s", warned);
	cr_assert(strstr(warned, "syn.txt:2: word \"個個個"), "%s", warned);
	cr_assert(strstr(warned, "is too long (4097 characters, at most 4096); line skipped"), "%s",
	          warned);
	cr_assert_lt(strlen(warned), 300, "%s", warned);
	bidx_qnode *q;
	char why[256];
	size_t ep;
	cr_assert_eq(bidx_query_parse("流出", &q, why, sizeof why, &ep), BIDX_OK);
	cr_assert_eq(bidx_synonyms_expand(s, &q), BIDX_OK);
	cr_assert_eq(kids_of(q), 2);
	cr_assert_eq(strlen(q->kids[1]->text), 300, "the synonym has %zu bytes",
	             strlen(q->kids[1]->text));
	bidx_query_free(q);
	bidx_synonyms_free(s);
	free(warned);
	free(text);
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

/* A word and its synonyms are one term: a notice that says 流出 five times
 * ranks for 漏えい above one that says 漏えい once in as many words (each
 * synonym scored apart, halved and saturated on its own, could never), and
 * --explain gives it one part, the synonyms' occurrences in it. */
Test(synonyms, a_word_and_its_synonyms_saturate_as_one_term)
{
	char cmd[9000], path[4300], r[1024];
	int st;
	snprintf(cmd, sizeof cmd, "mkdir '%s/corpus'", dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof path, "%s/corpus/x_many.txt", dir);
	write_file(path, "顧客情報についてのお知らせ\n顧客情報が流出しました。流出の範囲、流出の原因、"
	           "流出した件数を調べ、流出について報告します。\n");
	snprintf(path, sizeof path, "%s/corpus/y_once.txt", dir);
	write_file(path, "会員情報についてのお知らせ\n会員情報が漏えいしました。範囲と原因と件数を"
	           "調べて、この件について後日に報告します。\n");
	snprintf(path, sizeof path, "%s/corpus/z_other.txt", dir);
	write_file(path, "営業時間変更のお知らせ\n年末年始の営業時間を変更します。\n");
	snprintf(ixdir, sizeof ixdir, "%s/index", dir);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s/corpus'", BIDX_BINARY_DIR, ixdir, dir);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0, "bidx build failed");
	snprintf(table, sizeof table, "%s/synonyms.txt", dir);
	write_file(table, "流出 漏えい\n");
	files("", "漏えい", r, sizeof r);
	cr_assert_str_eq(r, "x_many.txt y_once.txt");
	files("--exact", "漏えい", r, sizeof r);
	cr_assert_str_eq(r, "y_once.txt");
	snprintf(cmd, sizeof cmd, "BIDX_SYNONYMS='%s' %s/bsearch -i '%s' --json --explain -n 1 漏えい",
	         table, BIDX_BINARY_DIR, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(o, "x_many.txt"), "%s", o);
	char *w = strstr(o, "\"words\":[{\"word\":\"漏えい\"");
	cr_assert(w, "%s", o);
	cr_assert(!strstr(strstr(w, "{\"word\"") + 1, "{\"word\""), "more than one part: %s", w);
	cr_assert(strstr(w, "\"whole\":0,") && strstr(w, "\"synonyms\":5,") &&
	          strstr(w, "\"synonym_tf\":2.500000,\"tf\":2.500000,"), "%s", w);
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

/* A table of one 40,000-word line answers like a table of its two words
 * that match anything. */
Test(synonyms, a_40000_word_line_answers_like_a_small_table)
{
	char small[1024], large[1024];
	build_corpus();
	write_file(table, "流出 漏えい\n");
	files("", "流出", small, sizeof small);
	char *text = long_line(40000);
	write_file(table, text);
	free(text);
	files("", "流出", large, sizeof large);
	cr_assert_str_eq(large, small);
	cr_assert_str_eq(large, "a_ryushutsu.txt b_roei.txt");
	files("", "zz39000", large, sizeof large);
	cr_assert_str_eq(large, "a_ryushutsu.txt b_roei.txt");
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
