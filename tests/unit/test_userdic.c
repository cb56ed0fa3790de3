/*
 * test_userdic.c - the notice vocabulary of dict/ (a MeCab user dictionary
 * compiled by the build): every entry class segments as one word in context
 * where ipadic alone cuts it, the CSV is well formed and written in the
 * normal form MeCab is fed, and the dictionary is found from the build tree.
 *
 * Needs MeCab with ipadic-utf8 (Debian: mecab-ipadic-utf8) and the compiled
 * dictionary (the build makes it with mecab-dict-index, Debian: mecab-utils).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "tokenize.h"

static bidx_tokenizer *with, *without;

static void setup(void)
{
	char why[4200] = "";
	cr_assert_eq(bidx_tokenizer_new(&with, why, sizeof why), BIDX_OK,
	             "MeCab or the user dictionary missing (mecab-ipadic-utf8, mecab-utils): %s", why);
	cr_assert_eq(bidx_tokenizer_open(&without, "", why, sizeof why), BIDX_OK, "%s", why);
}

static void teardown(void)
{
	bidx_tokenizer_free(with);
	bidx_tokenizer_free(without);
}

TestSuite(userdic, .init = setup, .fini = teardown, .timeout = 120);

/* Whether the normal form of word is one word of the normal form of
 * sentence (a boundary before and after it and none inside). */
static int one_word(bidx_tokenizer *t, const char *sentence, const char *word)
{
	bidx_norm s, w;
	cr_assert_eq(bidx_normalize(sentence, strlen(sentence), 0, &s), BIDX_OK);
	cr_assert_eq(bidx_normalize(word, strlen(word), 0, &w), BIDX_OK);
	const char *at = strstr(s.text, w.text);
	cr_assert_not_null(at, "\"%s\" not in \"%s\"", w.text, s.text);
	uint32_t c0 = 0;
	while (s.byte_off[c0] < (uint32_t)(at - s.text))
		c0++;
	uint32_t c1 = c0 + w.nchars, ntok;
	uint8_t *bits = calloc((s.nchars + 8) / 8, 1);
	cr_assert_eq(bidx_tokenize(t, &s, bits, &ntok), BIDX_OK);
	int ok = 1;
	for (uint32_t i = c0; i <= c1; i++) {
		int b = bits[i >> 3] >> (i & 7) & 1;
		ok &= (i == c0 || i == c1) ? b : !b;
	}
	free(bits);
	bidx_norm_free(&s);
	bidx_norm_free(&w);
	return ok;
}

typedef struct entry {
	const char *sentence;
	const char *word;
	int ipadic_cuts;   /* ipadic alone does not make it one word here */
} entry;

/* Each word is one word with the user dictionary (and where said, ipadic
 * alone cuts it, so the entry is what makes the difference). */
static void check_class(const entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cr_expect(one_word(with, e[i].sentence, e[i].word), "%s: not one word in \"%s\"",
		          e[i].word, e[i].sentence);
		if (e[i].ipadic_cuts)
			cr_expect(!one_word(without, e[i].sentence, e[i].word),
			          "%s: one word without the user dictionary too", e[i].word);
	}
}

Test(userdic, security_and_incident_terms)
{
	static const entry e[] = {
		{"当社はサイバー攻撃を受けました。", "サイバー攻撃", 1},
		{"端末がマルウェアに感染した。", "マルウェア", 1},
		{"フィッシングサイトへの不正アクセスにより", "不正アクセス", 1},
		{"SQLインジェクションの脆弱性を悪用され", "SQLインジェクション", 1},
		{"SQLインジェクションの脆弱性を悪用され", "脆弱性", 1},
		{"ペイメントアプリケーションの改ざんにより", "ペイメントアプリケーション", 0},
		{"決済代行会社から連絡を受け", "決済代行会社", 1},
		{"標的型攻撃メールへの注意", "標的型攻撃", 1},
	};
	check_class(e, sizeof e / sizeof *e);
}

Test(userdic, institutions_and_laws)
{
	static const entry e[] = {
		{"個人情報保護委員会に報告いたしました。", "個人情報保護委員会", 1},
		{"経済産業省及び消費者庁へ", "経済産業省", 1},
		{"経済産業省及び消費者庁へ", "消費者庁", 1},
		{"国民生活センターに相談", "国民生活センター", 1},
		{"情報処理推進機構が公表した", "情報処理推進機構", 1},
		{"日本クレジット協会の調査", "日本クレジット協会", 1},
	};
	check_class(e, sizeof e / sizeof *e);
}

/* ipadic cuts 令和 only in some contexts; with the dictionary it is one
 * word everywhere, including where ipadic already had it right. */
Test(userdic, era_names)
{
	static const char *const s[] = {"令和6年5月21日", "は令和元年に", "令和2年度の予算", "発生日:令和5年"};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		cr_expect(one_word(with, s[i], "令和"), "令和 not one word in \"%s\"", s[i]);
}

/* MeCab reads normalised text, so every surface of dict/notice.csv must be its
 * own normal form (サイバー攻撃 is written サイバ攻撃, SQL as sql), and each
 * line must have ipadic's 13 columns with numeric ids and cost. */
Test(userdic, csv_is_well_formed_and_normalised)
{
	char path[4200], line[4096];
	snprintf(path, sizeof path, "%s/dict/notice.csv", BIDX_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		char *cols[16], *p = line;
		int n = 0;
		while (n < 16 && (cols[n++] = strsep(&p, ",")) != NULL && p)
			;
		cr_assert_eq(n, 13, "%s:%d: %d columns, ipadic has 13", path, lineno, n);
		for (int c = 1; c <= 3; c++) {
			const char *d = cols[c] + (c == 3 && cols[c][0] == '-');   /* a cost may be negative */
			cr_assert(d[0] && strspn(d, "0123456789") == strlen(d),
			          "%s:%d: column %d is not a number", path, lineno, c + 1);
		}
		cr_assert(!strcmp(cols[4], "名詞"), "%s:%d: not a noun", path, lineno);
		bidx_norm nm;
		cr_assert_eq(bidx_normalize(cols[0], strlen(cols[0]), 0, &nm), BIDX_OK);
		cr_expect_str_eq(nm.text, cols[0], "%s:%d: surface \"%s\" is not in normal form (\"%s\")",
		                 path, lineno, cols[0], nm.text);
		bidx_norm_free(&nm);
	}
	fclose(f);
	cr_assert_gt(lineno, 30);
}

Test(userdic, found_from_the_build_tree_and_overridable)
{
	char path[4200];
	cr_assert_eq(bidx_userdic_find(path, sizeof path), 0, "%s", path);
	cr_assert(strstr(path, "dict/" BIDX_USERDIC_NAME), "%s", path);
	setenv("BIDX_USERDIC", "none", 1);
	cr_assert_eq(bidx_userdic_find(path, sizeof path), 0);
	cr_assert_str_eq(path, "");
	setenv("BIDX_USERDIC", "/nonexistent/bidx.dic", 1);
	cr_assert_eq(bidx_userdic_find(path, sizeof path), -1);
	cr_assert(strstr(path, "/nonexistent/bidx.dic"), "%s", path);
	char why[4200];
	bidx_tokenizer *t;
	cr_assert_eq(bidx_tokenizer_new(&t, why, sizeof why), BIDX_EMECAB);
	cr_assert_null(t);
	cr_assert(strstr(why, "BIDX_USERDIC"), "%s", why);
	unsetenv("BIDX_USERDIC");
}
