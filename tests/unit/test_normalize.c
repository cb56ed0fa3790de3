/*
 * test_normalize.c - the normaliser: NFKC + case folding, the gap rule, the
 * offset map, idempotence, agreement with utf8proc_NFKC_Casefold() on real
 * text, UTF-8 helpers and allocation failures.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "fault.h"
#include "testutil.h"
#include "normalize.h"
#include "variants.h"

/* --- helpers --- */

/* The invariants every result must keep, whatever the input. */
static void check_invariants(const bidx_norm *n, size_t in_len)
{
	uint32_t i, c;
	int k;

	cr_assert_not_null(n->text);
	cr_assert_eq(strlen(n->text), n->len);
	cr_assert_eq(bidx_utf8_check((const uint8_t *)n->text, n->len), n->len);
	cr_assert_eq(n->byte_off[0], 0);
	cr_assert_eq(n->byte_off[n->nchars], n->len);
	for (i = 0; i < n->nchars; i++) {
		k = bidx_utf8_decode((const uint8_t *)n->text + n->byte_off[i],
		                     n->len - n->byte_off[i], &c);
		cr_assert_eq(c, n->cp[i], "char %u", i);
		cr_assert_eq(n->byte_off[i + 1] - n->byte_off[i], (uint32_t)k);
		if (n->src_start == NULL)
			continue;
		cr_assert_lt(n->src_start[i], n->src_end[i]);
		cr_assert_leq(n->src_end[i], in_len);
		if (i > 0) {
			cr_assert_geq(n->src_start[i], n->src_start[i - 1]);
			cr_assert_geq(n->src_end[i], n->src_end[i - 1]);
		}
	}
}

static bidx_norm norm_len(const char *s, size_t len)
{
	bidx_norm n;

	cr_assert_eq(bidx_normalize(s, len, 1, &n), BIDX_OK);
	check_invariants(&n, len);
	return n;
}

static bidx_norm norm(const char *s)
{
	return norm_len(s, strlen(s));
}

static void expect_norm(const char *in, const char *want)
{
	bidx_norm n = norm(in);

	cr_expect_str_eq(n.text, want, "normalize(\"%s\") = \"%s\", want \"%s\"", in, n.text, want);
	bidx_norm_free(&n);
}

static void expect_idempotent(const char *s, size_t len)
{
	bidx_norm a = norm_len(s, len), b = norm_len(a.text, a.len);

	cr_expect_str_eq(b.text, a.text, "not idempotent: \"%.*s\"", (int)len, s);
	bidx_norm_free(&a);
	bidx_norm_free(&b);
}

/* Each output character, except the spaces that stand for gaps, appears
 * when the source bytes it maps to are normalised alone. */
static void expect_map_sound(const char *s, size_t len)
{
	bidx_norm n = norm_len(s, len), part;
	uint8_t enc[5];
	uint32_t i;

	for (i = 0; i < n.nchars; i++) {
		if (n.cp[i] == 0x20)
			continue;
		part = norm_len(s + n.src_start[i], n.src_end[i] - n.src_start[i]);
		enc[bidx_utf8_encode(n.cp[i], enc)] = '\0';
		cr_expect_not_null(strstr(part.text, (const char *)enc),
		                   "char %u U+%04X maps to [%u,%u) = \"%s\"", i, n.cp[i],
		                   n.src_start[i], n.src_end[i], part.text);
		bidx_norm_free(&part);
	}
	bidx_norm_free(&n);
}

static int is_gap_cp(int32_t c)
{
	utf8proc_category_t cat = utf8proc_category(c);

	return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	       cat == UTF8PROC_CATEGORY_ZP || cat == UTF8PROC_CATEGORY_CC;
}

static int has_gap(const char *s)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t k;

	for (; *s; s += k) {
		k = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c);
		if (k <= 0 || is_gap_cp(c))
			return 1;
	}
	return 0;
}

/* s in canonical spelling (bidx_variants_fold, how synonyms compare); malloc'd. */
static char *fold_utf8(const char *s)
{
	size_t len = strlen(s), n = 0, i = 0, o = 0;
	uint32_t *cp = malloc((len + 1) * sizeof *cp), c;
	char *out = malloc(len + 1);
	int k, changed;

	cr_assert(cp && out);
	while (i < len) {
		k = bidx_utf8_decode((const uint8_t *)s + i, len - i, &c);
		cr_assert_gt(k, 0);
		cp[n++] = c;
		i += (size_t)k;
	}
	n = bidx_variants_fold(cp, n, NULL, NULL, &changed);
	for (i = 0; i < n; i++)
		o += (size_t)bidx_utf8_encode(cp[i], (uint8_t *)out + o);
	out[o] = '\0';
	free(cp);
	return out;
}

/* Compares with utf8proc_NFKC_Casefold() when the gap
 * rule cannot apply; returns 1 when compared. */
static int compare_utf8proc(const char *s, size_t len)
{
	char *z = strndup(s, len);
	utf8proc_uint8_t *ref;
	bidx_norm n;
	int compared = 0;

	cr_assert_not_null(z);
	ref = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)z);
	if (ref != NULL && !has_gap((const char *)ref)) {
		n = norm_len(s, len);
		cr_expect_str_eq(n.text, (const char *)ref, "input \"%s\"", z);
		bidx_norm_free(&n);
		compared = 1;
	}
	free(ref);
	free(z);
	return compared;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	cr_assert_not_null(f, "cannot open %s", path);
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		cr_assert_not_null(buf);
		*len = fread(buf, 1, (size_t)size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	cr_assert_not_null(buf, "cannot read %s", path);
	return buf;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *seeds_dir(void)
{
	const char *dir = tu_corpus("seeds");

	return dir && is_dir(dir) ? dir : NULL;
}

/* Calls fn on every .txt file of the seeds corpus; skips the test when there is no corpus. */
static void for_each_seed(void (*fn)(const char *text, size_t len))
{
	const char *dir = seeds_dir();
	char path[8192];
	struct dirent *e;
	size_t len, nfiles = 0, nl;
	DIR *d;
	char *text;

	if (dir == NULL)
		cr_skip_test("no seeds corpus under %s or %s/corpus", BIDX_SHARED_CORPUS,
		             BIDX_SOURCE_DIR);
	d = opendir(dir);
	cr_assert_not_null(d, "cannot list %s", dir);
	while ((e = readdir(d)) != NULL) {
		nl = strlen(e->d_name);
		if (nl < 5 || strcmp(e->d_name + nl - 4, ".txt") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		text = slurp(path, &len);
		fn(text, len);
		free(text);
		nfiles++;
	}
	closedir(d);
	if (nfiles == 0)
		cr_skip_test("no .txt files in %s", dir);
}

/* --- NFKC and case folding --- */

Test(normalize, fullwidth_and_halfwidth)
{
	expect_norm("ＰＣＩ　ＤＳＳ", "pci dss");
	expect_norm("ｸﾚｼﾞｯﾄ", "クレジット");
	expect_norm("ﾊﾟｽﾜｰﾄﾞ", "パスワード");
	expect_norm("１２３４５", "12345");
	expect_norm("①②", "12");
	expect_norm("㍻", "平成");
	expect_norm("ﬁle", "file");
}

Test(normalize, halfwidth_voiced_mark_composes)
{
	bidx_norm n = norm("ｶﾞ");

	cr_assert_eq(n.nchars, 1);
	cr_assert_eq(n.cp[0], 0x30AC);  /* ガ */
	bidx_norm_free(&n);
	n = norm("ﾊﾟ");
	cr_assert_eq(n.nchars, 1);
	cr_assert_eq(n.cp[0], 0x30D1);  /* パ */
	bidx_norm_free(&n);
}

Test(normalize, case_folding)
{
	expect_norm("Hello WORLD", "hello world");
	expect_norm("ÀÉÎ", "àéî");
	expect_norm("Straße", "strasse");
	expect_norm("ΣΑΣ", "σασ");
	expect_norm("Ⅻ", "xii");
	expect_norm("ｈｔｔｐ：／／ＥＸＡＭＰＬＥ．ｊｐ", "http://example.jp");
}

Test(normalize, combining_marks)
{
	bidx_norm n = norm("e\xcc\x81");  /* e U+0301 */

	cr_assert_eq(n.nchars, 1);
	cr_assert_eq(n.cp[0], 0xE9);
	bidx_norm_free(&n);
	expect_norm("E\xcc\x81", "\xc3\xa9");
	expect_norm("か\xe3\x82\x99", "が");
	/* out of canonical order: dot below (220) sorts before acute (230) */
	expect_norm("e\xcc\x81\xcc\xa3", "\xe1\xba\xb9\xcc\x81");
	expect_norm("\xcc\x81" "a", "\xcc\x81" "a");  /* leading mark stays */
	expect_norm("한국어", "한국어");
	expect_norm("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "한");  /* jamo compose */
}

Test(normalize, ignorables_removed)
{
	expect_norm("葛\xf3\xa0\x84\x80", "葛");  /* U+E0100 */
	expect_norm("葛\xef\xb8\x80", "葛");      /* U+FE00 */
	expect_norm("\xef\xbb\xbf" "abc", "abc"); /* BOM */
	expect_norm("co\xc2\xad" "op", "coop");  /* soft hyphen */
	expect_norm("a\xe2\x80\x8b" "b", "ab");  /* zero width space */
	expect_norm("👨\xe2\x80\x8d👩", "👨👩"); /* ZWJ */
}

Test(normalize, emoji_and_replacement_kept)
{
	expect_norm("😀", "😀");
	expect_norm("👍🏽", "👍🏽");
	expect_norm("\xef\xbf\xbd", "\xef\xbf\xbd");
}

/* --- the gap rule --- */

Test(normalize, gaps_next_to_wide_characters_dropped)
{
	expect_norm("個人\n情報", "個人情報");
	expect_norm("平成 28 年", "平成28年");
	expect_norm("日本　語", "日本語");
	expect_norm("日本\r\n語", "日本語");
	expect_norm("個人 \t\n 情報", "個人情報");
	expect_norm("日本 English", "日本english");
	expect_norm("ＰＣＩ\u3000ＤＳＳ準拠", "pci dss準拠");
	expect_norm("a\x01漢", "a漢");
	/* the character before the gap is the composed one */
	expect_norm("か\xe3\x82\x99 x", "がx");
	expect_norm("ｶﾞ\nx", "ガx");
	expect_norm("か\xcc\x81\xe3\x82\x99 x", "が\xcc\x81 x");
}

Test(normalize, gaps_between_narrow_characters_become_one_space)
{
	expect_norm("PCI\nDSS", "pci dss");
	expect_norm("abc\r\ndef", "abc def");
	expect_norm("a \t\r\n  b", "a b");
	expect_norm("a\xc2\xa0" "b", "a b");           /* NBSP */
	expect_norm("a\xe2\x80\xa8" "b", "a b");       /* LINE SEPARATOR */
	expect_norm("a\xc2\x85" "b", "a b");           /* NEL */
	expect_norm("a\x01\x02\x7f" "b", "a b");       /* C0 and DEL */
	expect_norm("a\xc2\x9f" "b", "a b");           /* C1 */
	expect_norm("한국 어", "한국 어");              /* Hangul is spaced */
	expect_norm("a\xe2\x80\x8b \xe2\x80\x8b" "b", "a b");
}

Test(normalize, leading_and_trailing_gaps_dropped)
{
	bidx_norm n;

	expect_norm("  \r\n abc \r\n", "abc");
	expect_norm("\xe3\x80\x80" "日本\xe3\x80\x80", "日本");
	expect_norm("\xef\xbb\xbf \n x", "x");
	n = norm(" \t\r\n\xe3\x80\x80");
	cr_assert_eq(n.nchars, 0);
	cr_assert_eq(n.len, 0);
	cr_assert_str_eq(n.text, "");
	bidx_norm_free(&n);
	n = norm_len(NULL, 0);
	cr_assert_eq(n.nchars, 0);
	cr_assert_str_eq(n.text, "");
	bidx_norm_free(&n);
}

/* NFKC turns U+309B KATAKANA-HIRAGANA VOICED SOUND MARK into a space and
 * U+3099; the space is a gap next to a wide character, so the mark joins
 * the kana, as it would on a second pass. */
Test(normalize, spacing_marks_made_by_nfkc)
{
	expect_norm("か\xe3\x82\x9b", "が");
	expect_norm("a\xc2\xb4", "a \xcc\x81");
	expect_norm("\xc2\xb4" "a", "\xcc\x81" "a");
}

/* --- invalid UTF-8 --- */

Test(normalize, invalid_bytes_become_replacement_characters)
{
	bidx_norm n = norm("a\xff" "b");

	cr_assert_str_eq(n.text, "a\xef\xbf\xbd" "b");
	cr_assert_eq(n.src_start[1], 1);
	cr_assert_eq(n.src_end[1], 2);
	bidx_norm_free(&n);
	expect_norm("\xe3\x81", "\xef\xbf\xbd\xef\xbf\xbd");  /* truncated */
	expect_norm("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");  /* overlong */
	expect_norm("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  /* surrogate */
	expect_norm("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_norm("漢\x80字", "漢\xef\xbf\xbd字");
}

/* --- the offset map --- */

Test(normalize, map_of_expanded_character)
{
	bidx_norm n = norm("x㍻y");

	cr_assert_str_eq(n.text, "x平成y");
	cr_assert_eq(n.nchars, 4);
	cr_assert_eq(n.src_start[1], 1);
	cr_assert_eq(n.src_end[1], 4);
	cr_assert_eq(n.src_start[2], 1);
	cr_assert_eq(n.src_end[2], 4);
	cr_assert_eq(n.src_start[3], 4);
	cr_assert_eq(n.src_end[3], 5);
	bidx_norm_free(&n);
}

Test(normalize, map_of_composed_character)
{
	bidx_norm n = norm("aｶﾞb");

	cr_assert_eq(n.nchars, 3);
	cr_assert_eq(n.cp[1], 0x30AC);
	cr_assert_eq(n.src_start[1], 1);
	cr_assert_eq(n.src_end[1], 7);
	cr_assert_eq(n.src_start[2], 7);
	bidx_norm_free(&n);
}

Test(normalize, map_of_gaps_and_fullwidth)
{
	bidx_norm n = norm(" Ａb \r\n c");

	cr_assert_str_eq(n.text, "ab c");
	cr_assert_eq(n.src_start[0], 1);
	cr_assert_eq(n.src_end[0], 4);
	cr_assert_eq(n.src_start[1], 4);
	cr_assert_eq(n.src_end[1], 5);
	cr_assert_eq(n.src_start[2], 5);  /* the space: the whole gap */
	cr_assert_eq(n.src_end[2], 9);
	cr_assert_eq(n.src_start[3], 9);
	bidx_norm_free(&n);
}

Test(normalize, map_not_asked)
{
	bidx_norm n;

	cr_assert_eq(bidx_normalize("ＡＢ", 6, 0, &n), BIDX_OK);
	cr_assert_str_eq(n.text, "ab");
	cr_assert_null(n.src_start);
	cr_assert_null(n.src_end);
	check_invariants(&n, 6);
	bidx_norm_free(&n);
	bidx_norm_free(&n);  /* zeroed, so a second free is harmless */
	bidx_norm_free(NULL);
}

static const char *const tricky[] = {
	"ＰＣＩ　ＤＳＳ", "ｸﾚｼﾞｯﾄｶｰﾄﾞ", "平成 28 年 ㍻", "個人\n情報", "e\xcc\x81\xcc\xa3 x",
	"か\xe3\x82\x9b か\n\xe3\x82\x99", "(\xc2\xb4・ω・`)", "Straße ΣΑΣ ǅ", ("a\xff\xfe" "b"),
	"한국 어 \xe1\x84\x92\xe1\x85\xa1", "\xef\xb7\xba", "葛\xf3\xa0\x84\x80城",
	"漢\xcc\x81 x", "か\xcc\x81\xe3\x82\x99 a", "\xe2\x80\x8b \n", "ｱ\nﾞ", "\xcd\x85\xce\xb1",
	"漏\nえい", "サーバー\nの", "ｻｰﾊﾞｰ", "お問い合わせ", "書き損じ名誉き損", "サーヴァー。",
	"サーバーー", "ーーー", "ウ\xe3\x82\x99ァ",
};

Test(normalize, map_sound_on_tricky_inputs)
{
	size_t i;

	for (i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
		expect_map_sound(tricky[i], strlen(tricky[i]));
}

/* --- spelling variants --- */

static uint32_t lcg_next(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static void expect_fold(const char *in, const char *want)
{
	char *f = fold_utf8(in);
	cr_expect_str_eq(f, want, "fold(\"%s\") = \"%s\", want \"%s\"", in, f, want);
	free(f);
}

Test(normalize, variant_spellings_fold_both_ways)
{
	static const char *const pairs[][2] = {
		{"漏えい", "漏洩"}, {"き損", "毀損"}, {"改ざん", "改竄"}, {"ぜい弱性", "脆弱性"},
		{"隠ぺい", "隠蔽"}, {"補てん", "補填"}, {"破たん", "破綻"}, {"ねつ造", "捏造"},
		{"問い合わせ", "問合せ"}, {"問い合せ", "問合せ"}, {"問合わせ", "問合せ"},
		{"ヴァイオリン", "バイオリン"}, {"ヴィ", "ビ"}, {"ヴェ", "ベ"}, {"ヴォ", "ボ"},
		{"サーバー", "サーバ"}, {"コンピューター", "コンピュータ"}, {"ユーザー", "ユーザ"},
		{"serverサーバー。", "serverサーバ。"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		expect_fold(pairs[i][0], pairs[i][1]);
		expect_fold(pairs[i][1], pairs[i][1]);
	}
	expect_fold("個人情報が漏えいしたおそれ", "個人情報が漏洩したおそれ");
	expect_fold("お問い合わせ窓口", "お問合せ窓口");
}

Test(normalize, variant_folds_only_where_safe)
{
	/* き損 of 書き損じる, 聞き損ねる is no 毀損 */
	expect_fold("書き損じ", "書き損じ");
	expect_fold("聞き損ねる", "聞き損ねる");
	/* bare ヴ has no one usual spelling */
	expect_fold("ヴ", "ヴ");
	/* long vowels: only the trailing ー of a run of three morae or more */
	expect_fold("コピー", "コピー");
	expect_fold("キー", "キー");
	expect_fold("カーの", "カーの");
	expect_fold("ジャー", "ジャー");    /* ャ is no mora */
	expect_fold("サーバーソフト", "サーバーソフト");
	expect_fold("サーバーの設定", "サーバの設定");
	expect_fold("サーバー・クライアント", "サーバ・クライアント");
	expect_fold("サーバーー", "サーバ");
	expect_fold("ーーー", "ーーー");
	expect_fold("ひらがなー", "ひらがなー");
}

/* The text keeps what was written: no spelling is folded, so every
 * substring of it (シー of タクシー, えい of 漏えい) is a substring of the
 * normal form. */
Test(normalize, spellings_kept_as_written)
{
	static const char *const kept[] = {
		"タクシー", "お問い合わせ", "漏えいした可能性", "改ざん", "サーバーの設定",
		"ヴァイオリン", "第一報", "48,685件", "書き損じ",
	};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		expect_norm(kept[i], kept[i]);
	expect_norm("ｻｰﾊﾞｰ", "サーバー");
	expect_norm("３万", "3万");
}

/* Whether some alternative of query q is a substring of d's normal form. */
static int alt_found(const char *q, const char *d)
{
	bidx_norm nq = norm(q), nd = norm(d);
	bidx_alts a;
	cr_assert_eq(bidx_variants_expand(nq.cp, nq.nchars, 4096, &a), BIDX_OK);
	int found = 0;
	for (uint32_t i = 0; i < a.n; i++)
		found |= strstr(nd.text, a.text[i]) != NULL;
	bidx_alts_free(&a);
	bidx_norm_free(&nq);
	bidx_norm_free(&nd);
	return found;
}

/* A query in either spelling matches a document in the other through its
 * alternatives, numbers included. */
Test(normalize, query_in_one_spelling_finds_the_other)
{
	static const char *const cases[][2] = {
		{"漏洩", "お客様の個人情報が漏えいした可能性"},
		{"漏えい", "情報漏洩の発生について"},
		{"サーバ", "当社のサーバーに不正アクセス"},
		{"サーバー", "当社サーバに不正アクセス"},
		{"サーバの", "当社サーバーの設定"},
		{"サーバー", "サーバーソフトウェアの脆弱性"},
		{"問い合わせ", "お問合せ先"},
		{"問合せ", "お問い合わせ先"},
		{"改竄", "ウェブサイトの改ざん"},
		{"バイオリン", "ヴァイオリン教室"},
		{"第1報", "障害について(第一報)"},
		{"第一報", "障害について(第1報)"},
		{"憲法9条", "憲法九条の会"},
		{"憲法九条", "憲法9条の会"},
		{"19条", "第十九条"},
		{"第十九条", "第19条"},
		{"2024年", "二〇二四年"},
		{"二千二十四年", "2024年"},
		{"二〇二四年", "2024年"},
		{"3万", "３万人"},
		{"48685", "48,685件"},
		{"48,685件", "48685件"},
		{"1234567", "1,234,567"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect(alt_found(cases[i][0], cases[i][1]), "\"%s\" does not find \"%s\"",
		          cases[i][0], cases[i][1]);
}

/* What is no variant finds nothing more. */
Test(normalize, no_variant_where_none_is_declared)
{
	static const char *const cases[][2] = {
		{"コピの", "コピーの"},      /* two morae: コピー has no variant */
		{"9", "九州"},               /* a bare number is no number word */
		{"九", "9月"},
		{"毀損じ", "書き損じ"},
		{"3.5万", "3.五万"},
		{"ヴ", "ブ"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect(!alt_found(cases[i][0], cases[i][1]), "\"%s\" finds \"%s\"",
		          cases[i][0], cases[i][1]);
}

/* Alternatives are few, distinct, and none contains another. */
Test(normalize, alternatives_bounded_and_minimal)
{
	static const char *const qs[] = {
		"サーバー", "バビブベボバビブベボバビブベボ", "第1報第2報第3報第4報第5報",
		"漏えい漏洩漏えい", "a", "2024年12月31日", "問い合わせ",
	};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		bidx_norm nq = norm(qs[i]);
		bidx_alts a;
		cr_assert_eq(bidx_variants_expand(nq.cp, nq.nchars, 4096, &a), BIDX_OK);
		cr_assert(a.n >= 1 && a.n <= BIDX_ALTS_MAX, "%s: %u", qs[i], a.n);
		for (uint32_t x = 0; x < a.n; x++)
			for (uint32_t y = 0; y < a.n; y++)
				cr_assert(x == y || !strstr(a.text[x], a.text[y]), "%s: %s holds %s",
				          qs[i], a.text[x], a.text[y]);
		bidx_alts_free(&a);
		bidx_norm_free(&nq);
	}
	bidx_norm nq = norm("サーバー");
	bidx_alts a;
	cr_assert_eq(bidx_variants_expand(nq.cp, nq.nchars, 4096, &a), BIDX_OK);
	cr_assert_eq(a.n, 2, "%u: %s", a.n, a.text[0]);   /* サーバ, ヴァ of ヴァ/バ */
	cr_assert_str_eq(a.text[0], "サーバ");
	cr_assert_str_eq(a.text[1], "サーヴァ");
	bidx_alts_free(&a);
	bidx_norm_free(&nq);
}

/* Wherever the index may put a checkpoint (a character that starts its
 * source bytes), normalising the text before it and the text after it,
 * apart, gives the same characters as the whole. */
static const char *const fold_pool[] = {
	"漏", "え", "い", "き", "損", "じ", "改", "ざ", "ん", "問", "合", "わ", "せ",
	"ヴ", "ァ", "ィ", "サ", "バ", "ー", "ソ", "ャ", "の", "。", "a", "ｰ", "ﾊﾞ", "\n",
};

Test(normalize, normal_form_survives_checkpoint_cuts)
{
	uint32_t seed = 4242;
	char buf[16 * 8 + 1];
	size_t cuts = 0;

	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + lcg_next(&seed) % 16, n = 0;
		for (size_t j = 0; j < len; j++) {
			const char *p = fold_pool[lcg_next(&seed) % (sizeof fold_pool / sizeof *fold_pool)];
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		}
		buf[n] = '\0';
		bidx_norm w = norm_len(buf, n);
		expect_idempotent(buf, n);
		for (uint32_t k = 1; k < w.nchars; k++) {
			uint32_t b = w.src_start[k];
			if (b == w.src_start[k - 1] || w.cp[k] == ' ' || buf[b] == '\n' || buf[b - 1] == '\n')
				continue;
			bidx_norm head = norm_len(buf, b), tail = norm_len(buf + b, n - b);
			cr_assert_eq(head.nchars, k, "\"%s\" cut at byte %u", buf, b);
			cr_assert_eq(tail.nchars, w.nchars - k, "\"%s\" cut at byte %u", buf, b);
			cr_assert(!memcmp(head.cp, w.cp, k * sizeof *w.cp), "\"%s\" cut at %u", buf, b);
			cr_assert(!memcmp(tail.cp, w.cp + k, (w.nchars - k) * sizeof *w.cp),
			          "\"%s\" cut at %u", buf, b);
			bidx_norm_free(&head);
			bidx_norm_free(&tail);
			cuts++;
		}
		bidx_norm_free(&w);
	}
	cr_expect_gt(cuts, 10000);
}

/* --- idempotence and agreement with utf8proc --- */

Test(normalize, idempotent_on_tricky_inputs)
{
	size_t i;

	for (i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
		expect_idempotent(tricky[i], strlen(tricky[i]));
}

static void seed_idempotent(const char *text, size_t len)
{
	expect_idempotent(text, len);
	expect_map_sound(text, len < 20000 ? len : 20000);
}

Test(normalize, idempotent_on_corpus)
{
	for_each_seed(seed_idempotent);
}

/* Splits text at white space and controls and compares every chunk. */
static void seed_compare(const char *text, size_t len)
{
	size_t i = 0, start = 0, compared = 0, chunks = 0;
	uint32_t c;
	int k;

	while (i <= len) {
		k = i < len ? bidx_utf8_decode((const uint8_t *)text + i, len - i, &c) : 1;
		if (k == 0)
			cr_assert_fail("seed is not UTF-8 at byte %zu", i);
		if (i == len || is_gap_cp((int32_t)c)) {
			if (i > start) {
				compared += (size_t)compare_utf8proc(text + start, i - start);
				chunks++;
			}
			start = i + (size_t)k;
		}
		i += (size_t)k;
	}
	cr_expect_geq(compared * 10, chunks * 9, "only %zu of %zu chunks compared", compared, chunks);
}

Test(normalize, agrees_with_utf8proc_on_corpus)
{
	for_each_seed(seed_compare);
}

/* Random strings over characters that decompose, compose, reorder, fold
 * or vanish. */
static const uint32_t pool[] = {
	'a', 'E', 'o', 0xDF, 0x130, 0x1C5, 0x300, 0x301, 0x308, 0x31B, 0x323, 0x345,
	0x3A3, 0x3B1, 0x1E9B, 0x212B, 0x2126, 0xFB01, 0x3099, 0x309A, 0x304B, 0x30CF,
	0x30A6, 0x3046, 0xFF76, 0xFF8A, 0xFF9E, 0xFF9F, 0x337B, 0x2460, 0xFF21, 0x1100,
	0x1161, 0x11A8, 0x11A7, 0xAC00, 0x0B47, 0x0B3E, 0x0B57, 0x0DD9, 0x0DCF, 0x1025,
	0x102E, 0xFE00, 0xE0100, 0x200D, 0xAD, 0x845B, 0x1F600, 0x1F3FD, 0xFFFD, 0x0F73,
	0x0F71, 0x0F72, 0x0F80, 0x1D15E, 0x1D165, 0x2ADC, 0x0338, 0x3C, 0x3D, 0xFDFA,
};

static uint32_t lcg(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

Test(normalize, random_strings_agree_and_are_idempotent)
{
	uint32_t seed = 12345, len, j;
	uint8_t buf[12 * 4 + 1];
	size_t n, compared = 0;
	int round;

	for (round = 0; round < 20000; round++) {
		len = 1 + lcg(&seed) % 12;
		n = 0;
		for (j = 0; j < len; j++)
			n += (size_t)bidx_utf8_encode(pool[lcg(&seed) % (sizeof pool / sizeof pool[0])],
			                              buf + n);
		buf[n] = '\0';
		compared += (size_t)compare_utf8proc((const char *)buf, n);
		expect_idempotent((const char *)buf, n);
		if (round % 16 == 0)
			expect_map_sound((const char *)buf, n);
	}
	cr_expect_gt(compared, 10000);
}

/* --- wide characters and UTF-8 helpers --- */

Test(normalize, is_wide)
{
	cr_expect_not(bidx_is_wide('a'));
	cr_expect_not(bidx_is_wide(0xE9));
	cr_expect(bidx_is_wide(0x3042));   /* あ */
	cr_expect(bidx_is_wide(0x6F22));   /* 漢 */
	cr_expect(bidx_is_wide(0x3002));   /* 。 */
	cr_expect(bidx_is_wide(0x2E80));
	cr_expect(bidx_is_wide(0xA4CF));
	cr_expect_not(bidx_is_wide(0xA4D0));
	cr_expect_not(bidx_is_wide(0x3131)); /* Hangul compatibility jamo */
	cr_expect_not(bidx_is_wide(0x318F));
	cr_expect(bidx_is_wide(0x3190));
	cr_expect_not(bidx_is_wide(0xAC00)); /* Hangul syllable */
	cr_expect(bidx_is_wide(0xF900));
	cr_expect(bidx_is_wide(0xFE30));
	cr_expect(bidx_is_wide(0xFF01));
	cr_expect_not(bidx_is_wide(0xFFF0));
	cr_expect(bidx_is_wide(0x20000));
	cr_expect(bidx_is_wide(0x3FFFF));
	cr_expect_not(bidx_is_wide(0x1F600));
}

Test(normalize, utf8_round_trip)
{
	uint8_t b[4];
	uint32_t c, d;
	int k;

	for (c = 0; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		k = bidx_utf8_encode(c, b);
		cr_assert_eq(bidx_utf8_decode(b, (size_t)k, &d), k, "U+%04X", c);
		cr_assert_eq(d, c);
		cr_assert_eq(bidx_utf8_decode(b, (size_t)k - 1, &d), 0);
	}
}

Test(normalize, utf8_rejects_invalid)
{
	uint32_t c;

	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\xc0\x80", 2, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\xe0\x9f\xbf", 3, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\xf0\x8f\xbf\xbf", 4, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\xed\xbf\xbf", 3, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\xf4\x90\x80\x80", 4, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\xf8\x88\x80\x80", 4, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\x80", 1, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"\xe3\x41\x81", 3, &c), 0);
	cr_expect_eq(bidx_utf8_decode((const uint8_t *)"", 0, &c), 0);
	cr_expect_eq(bidx_utf8_check((const uint8_t *)"abc", 3), 3);
	cr_expect_eq(bidx_utf8_check((const uint8_t *)"a漢\xe3\x81", 6), 4);
	cr_expect_eq(bidx_utf8_check((const uint8_t *)"ab\xff", 3), 2);
}

/* --- limits and allocation failures --- */

Test(normalize, too_big_refused)
{
	bidx_norm n;

	/* refused before the input is read */
	cr_assert_eq(bidx_normalize("x", ((size_t)1 << 31) + 1, 1, &n), BIDX_ETOOBIG);
	cr_assert_null(n.text);
	cr_assert_null(n.cp);
	cr_assert_eq(n.nchars, 0);
}

/* Input that makes every buffer grow: expansions past the size guess and a
 * cluster longer than its first allocation. */
static char *growing_input(size_t *len)
{
	static const char unit[] = "㍻ｶﾞ\xef\xb7\xba" "A\n";
	size_t i, n = 0, cap = 200 * sizeof unit + 400;
	char *s = malloc(cap);

	cr_assert_not_null(s);
	for (i = 0; i < 200; i++, n += sizeof unit - 1)
		memcpy(s + n, unit, sizeof unit - 1);
	s[n++] = 'e';
	for (i = 0; i < 150; i++, n += 2)
		memcpy(s + n, "\xcc\x81", 2);
	*len = n;
	return s;
}

Test(normalize, allocation_failures)
{
	size_t len;
	char *in = growing_input(&len);
	bidx_norm want, got;
	bidx_err e;
	long at;

	want = norm_len(in, len);
	for (at = 1; at < 1000; at++) {
		bidx_fault_set(BIDX_FAULT_ALLOC, at);
		e = bidx_normalize(in, len, 1, &got);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		if (e == BIDX_OK)
			break;
		cr_assert_eq(e, BIDX_ENOMEM, "allocation %ld", at);
		cr_assert_null(got.text);
		cr_assert_null(got.cp);
		cr_assert_null(got.src_start);
	}
	cr_assert_eq(e, BIDX_OK);
	cr_assert_gt(at, 6, "too few allocations to exercise growth");
	cr_assert_str_eq(got.text, want.text);
	cr_assert_eq(memcmp(got.src_end, want.src_end, want.nchars * sizeof *want.src_end), 0);
	bidx_norm_free(&got);
	bidx_norm_free(&want);
	free(in);
}

/* The inline fast path decodes every three-byte string (all lengths) as the
 * full decoder does: same length, same code point, same refusals. */
Test(normalize, utf8_fast_path_agrees_with_full_decoder)
{
	uint8_t b[3];
	uint32_t c1, c2;

	for (uint32_t v = 0; v < 1u << 24; v++) {
		if ((v >> 16) < 0x80 && (v & 0xFFFF) != 0)
			continue;   /* an ASCII first byte: the rest is never read */
		b[0] = (uint8_t)(v >> 16), b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)v;
		for (size_t n = 0; n <= 3; n++) {
			c1 = c2 = 0xFFFFFFFF;
			int k1 = bidx_utf8_decode(b, n, &c1), k2 = bidx_utf8_decode_any(b, n, &c2);
			if (k1 != k2 || (k1 && c1 != c2))
				cr_assert_fail("%02X %02X %02X, n %zu: %d U+%04X against %d U+%04X", b[0],
				               b[1], b[2], n, k1, c1, k2, c2);
		}
	}
}

/* --- the short paths against the general path --- */

/* bidx_normalize() (plain, composed and single-mapped characters, gaps
 * settled inline) gives exactly what the general path gives: text, code
 * points, offsets and the offset map. */
static void expect_same_as_general(const char *s, size_t len)
{
	bidx_norm a, b;

	cr_assert_eq(bidx_normalize(s, len, 1, &a), BIDX_OK);
	cr_assert_eq(bidx_normalize_general(s, len, 1, &b), BIDX_OK);
	cr_assert_eq(a.len, b.len, "%zu bytes: %zu, general %zu", len, a.len, b.len);
	cr_assert_eq(a.nchars, b.nchars);
	cr_assert(!memcmp(a.text, b.text, a.len), "\"%.*s\"", (int)(len < 200 ? len : 200), s);
	cr_assert(!memcmp(a.cp, b.cp, a.nchars * sizeof *a.cp));
	cr_assert(!memcmp(a.byte_off, b.byte_off, (a.nchars + 1) * sizeof *a.byte_off));
	cr_assert(!memcmp(a.src_start, b.src_start, a.nchars * sizeof *a.src_start),
	          "map of \"%.*s\"", (int)(len < 200 ? len : 200), s);
	cr_assert(!memcmp(a.src_end, b.src_end, a.nchars * sizeof *a.src_end));
	bidx_norm_free(&a);
	bidx_norm_free(&b);
}

static void seed_same_as_general(const char *text, size_t len)
{
	expect_same_as_general(text, len);
}

Test(normalize, short_paths_match_the_general_path_on_corpus)
{
	for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
		expect_same_as_general(tricky[i], strlen(tricky[i]));
	for_each_seed(seed_same_as_general);
}

/* Voiced kana, fullwidth forms and the ideographic space next to gaps,
 * ASCII capitals, and joiners after them (U+0334 and U+093C sort before
 * U+3099, U+0301 after it; U+FF9E is a halfwidth voiced mark; U+0323 after
 * U+1EBD, e U+0303, sorts before its mark and composes with the e). */
static const uint32_t short_pool[] = {
	'a', 'Q', '1', ' ', '\n', '\t', 0x304C, 0x3067, 0x30D7, 0x30D1, 0x30FC, 0x3001, 0x3002,
	0x304B, 0x3099, 0x309A, 0x0301, 0x0334, 0x093C, 0xFF01, 0xFF08, 0xFF21, 0xFF41, 0xFF10,
	0xFF76, 0xFF9E, 0xFF70, 0xFFE5, 0x3000, 0xE9, 0x65E5, 0x2260, 0x3D, 0x338, 0x1E9B,
	0x212B, 0xAC00, 0x200D, 0xFE0F, 0x1EBD, 0x0323,
};

Test(normalize, short_paths_match_the_general_path_on_random_strings)
{
	uint32_t seed = 4242;
	uint8_t buf[16 * 4 + 1];

	for (int round = 0; round < 50000; round++) {
		uint32_t len = 1 + lcg(&seed) % 16;
		size_t n = 0;
		for (uint32_t j = 0; j < len; j++)
			n += (size_t)bidx_utf8_encode(
			    short_pool[lcg(&seed) % (sizeof short_pool / sizeof short_pool[0])], buf + n);
		buf[n] = '\0';
		expect_same_as_general((const char *)buf, n);
	}
}

/* --- a later start (bidx_normalize_skip) --- */

/* Normalising s[j..len), j = bidx_normalize_skip(s, len, max, &k), gives
 * the characters normalising s[0..len) gives from the bytes at and after
 * j, and k <= max come from before j.  Returns j. */
static size_t expect_skip_sound(const char *s, size_t len, uint32_t max)
{
	bidx_norm all, part;
	uint32_t said;
	size_t j = bidx_normalize_skip(s, len, max, &said);
	cr_assert_leq(j, len);
	cr_assert_eq(bidx_normalize(s, len, 1, &all), BIDX_OK);
	cr_assert_eq(bidx_normalize(s + j, len - j, 1, &part), BIDX_OK);
	uint32_t k = 0;
	while (k < all.nchars && all.src_start[k] < j)
		k++;
	cr_assert_leq(k, max, "%u characters before byte %zu of \"%.*s\", max %u", k, j,
	              (int)(len < 200 ? len : 200), s);
	cr_assert_eq(k, said, "%u characters before byte %zu of \"%.*s\", not %u", k, j,
	             (int)(len < 200 ? len : 200), s);
	cr_assert_eq(all.nchars - k, part.nchars, "skip to byte %zu of \"%.*s\"", j,
	             (int)(len < 200 ? len : 200), s);
	for (uint32_t i = 0; i < part.nchars; i++) {
		cr_assert_eq(all.cp[k + i], part.cp[i], "char %u after byte %zu of \"%.*s\"", i, j,
		             (int)(len < 200 ? len : 200), s);
		cr_assert_eq(all.src_start[k + i], part.src_start[i] + j);
		cr_assert_eq(all.src_end[k + i], part.src_end[i] + j);
	}
	cr_assert(!memcmp(all.text + all.byte_off[k], part.text, part.len));
	bidx_norm_free(&all);
	bidx_norm_free(&part);
	return j;
}

static size_t skipped_far;

static void seed_skip_sound(const char *text, size_t len)
{
	uint32_t seed = (uint32_t)len;
	for (int r = 0; r < 40 && len; r++) {
		/* from a character's start, as the snippet's windows are */
		size_t at = lcg(&seed) % len, n = len - at < 4000 ? len - at : 4000;
		while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80)
			at--;
		uint32_t max = lcg(&seed) % 300;
		skipped_far += expect_skip_sound(text + at, n, max) > 0;
	}
}

Test(normalize, skip_starts_a_cluster_on_corpus)
{
	for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
		for (uint32_t max = 0; max < 12; max++)
			expect_skip_sound(tricky[i], strlen(tricky[i]), max);
	skipped_far = 0;
	for_each_seed(seed_skip_sound);
	cr_assert_gt(skipped_far, 0, "no skip found on the corpus");
}

/* Gaps next to wide characters (dropped, or joining "か\n゛"), capitals,
 * joiners after plain characters, composed and fullwidth characters. */
Test(normalize, skip_starts_a_cluster_on_random_strings)
{
	static const uint32_t skip_pool[] = {
		'a', 'Q', '1', ' ', '\n', '\t', 0x3000, 0x304B, 0x3099, 0x309A, 0x0301, 0x304C, 0x30D7,
		0x65E5, 0x672C, 0x3002, 0xFF21, 0xFF76, 0xFF9E, 0x337B, 0xE9, 0x200D, 0xFE0F, 0xAC00,
		0x1161, 0x2460,
	};
	uint32_t seed = 777;
	uint8_t buf[24 * 4 + 1];
	size_t far = 0;

	for (int round = 0; round < 30000; round++) {
		uint32_t len = 1 + lcg(&seed) % 24;
		size_t n = 0;
		for (uint32_t j = 0; j < len; j++)
			n += (size_t)bidx_utf8_encode(skip_pool[lcg(&seed) % (sizeof skip_pool / sizeof skip_pool[0])],
			                              buf + n);
		buf[n] = '\0';
		far += expect_skip_sound((const char *)buf, n, lcg(&seed) % 26) > 0;
	}
	cr_assert_gt(far, 1000);
}
