/*
 * test_tokenize.c - word boundaries: MeCab's cuts on Japanese, ASCII runs and
 * digit groups kept whole, the word count, input far larger than one MeCab
 * chunk, and bidx_bounds_finish() on hand-made bitmaps.
 *
 * MeCab's arguments: dictionary paths with spaces, quotes, commas and '-'
 * reach MeCab as paths, an option-like BIDX_MECAB_DICDIR is a path, and a
 * user's mecabrc changes nothing.
 *
 * Needs MeCab with the ipadic-utf8 dictionary (Debian: mecab-ipadic-utf8);
 * without it the MeCab tests are skipped with a message saying so.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "normalize.h"
#include "testutil.h"
#include "tokenize.h"

static bidx_tokenizer *tok;

static void setup(void)
{
	char why[512] = "";
	if (bidx_tokenizer_new(&tok, why, sizeof why) != BIDX_OK) {
		tok = NULL;
		cr_skip_test("MeCab dictionary missing (install mecab-ipadic-utf8): %s", why);
	}
}

static void teardown(void)
{
	bidx_tokenizer_free(tok);
	tok = NULL;
}

TestSuite(tokenize, .init = setup, .fini = teardown, .timeout = 300);

/* A tokenised text: the normalised form, its bitmap and word count. */
typedef struct toks {
	bidx_norm n;
	uint8_t *bits;
	uint32_t ntokens;
} toks;

static toks run_len(const char *s, size_t len)
{
	toks t;
	cr_assert_eq(bidx_normalize(s, len, 0, &t.n), BIDX_OK);
	size_t nb = (t.n.nchars + 8) / 8;
	t.bits = calloc(nb, 1);
	cr_assert_not_null(t.bits);
	t.ntokens = 12345;
	cr_assert_eq(bidx_tokenize(tok, &t.n, t.bits, &t.ntokens), BIDX_OK);
	cr_assert(t.bits[0] & 1, "bit 0 must be set");
	cr_assert(t.bits[t.n.nchars >> 3] >> (t.n.nchars & 7) & 1, "bit nchars must be set");
	return t;
}

static toks run(const char *s)
{
	return run_len(s, strlen(s));
}

static void drop(toks *t)
{
	bidx_norm_free(&t->n);
	free(t->bits);
}

static int bit(const uint8_t *bits, uint32_t i)
{
	return bits[i >> 3] >> (i & 7) & 1;
}

/* The text with '|' at every boundary, e.g. "|東京|都|", for messages and
 * exact comparisons. */
static char *show(const toks *t)
{
	char *s = malloc(t->n.len + t->n.nchars + 2), *o = s;
	for (uint32_t i = 0; i <= t->n.nchars; i++) {
		if (bit(t->bits, i))
			*o++ = '|';
		if (i < t->n.nchars) {
			uint32_t a = t->n.byte_off[i], b = t->n.byte_off[i + 1];
			memcpy(o, t->n.text + a, b - a);
			o += b - a;
		}
	}
	*o = 0;
	return s;
}

/* Words counted from the bitmap: boundaries not sitting on a space. */
static uint32_t count_words(const toks *t)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < t->n.nchars; i++)
		w += bit(t->bits, i) && t->n.cp[i] != ' ';
	return w;
}

static void expect_split(const char *in, const char *want, uint32_t words)
{
	toks t = run(in);
	char *got = show(&t);
	cr_assert_str_eq(got, want, "%s", in);
	cr_assert_eq(t.ntokens, words, "%s: %s has %u words, not %u", in, got, t.ntokens, words);
	free(got);
	drop(&t);
}

/* No boundary strictly inside normalised characters [a, b). */
static void expect_whole(const char *in, uint32_t a, uint32_t b)
{
	toks t = run(in);
	char *got = show(&t);
	cr_assert(bit(t.bits, a) && bit(t.bits, b), "%s: [%u, %u) is not bounded: %s", in, a, b, got);
	for (uint32_t i = a + 1; i < b; i++)
		cr_assert_not(bit(t.bits, i), "%s: cut at %u inside [%u, %u): %s", in, i, a, b, got);
	free(got);
	drop(&t);
}

Test(tokenize, katakana_compound_then_kanji)
{
	toks t = run("クレジットカード情報");
	char *got = show(&t);
	cr_assert_eq(t.n.nchars, 10);
	cr_assert(bit(t.bits, 8), "no boundary between ド and 情: %s", got);
	cr_assert_not(bit(t.bits, 9), "情報 is one word: %s", got);
	cr_assert_geq(t.ntokens, 2);
	cr_assert_eq(t.ntokens, count_words(&t));
	free(got);
	drop(&t);
}

Test(tokenize, tokyo_to)
{
	expect_split("東京都", "|東京|都|", 2);
}

Test(tokenize, ascii_words)
{
	expect_split("pci dss", "|pci| |dss|", 2);
	expect_split("PCI DSS", "|pci| |dss|", 2);      /* case folded first */
	expect_split("ＰＣＩ　ＤＳＳ", "|pci| |dss|", 2);   /* full-width, U+3000 */
	expect_split("iphone5", "|iphone5|", 1);
	expect_split("a b c", "|a| |b| |c|", 3);
}

Test(tokenize, ascii_runs_inside_japanese)
{
	/* indexes into the normalised text */
	expect_whole("最新のiphone5を購入", 3, 10);
	expect_whole("カード番号とpcidss準拠", 6, 12);
	expect_whole("ver2を公開", 0, 4);
}

Test(tokenize, digit_groups)
{
	toks t = run("48,685件");
	char *got = show(&t);
	cr_assert_eq(t.n.nchars, 7);
	for (uint32_t i = 1; i < 6; i++)
		cr_assert_not(bit(t.bits, i), "cut inside 48,685 at %u: %s", i, got);
	cr_assert(bit(t.bits, 6), "件 is its own word: %s", got);
	cr_assert_eq(t.ntokens, 2, "%s", got);
	free(got);
	drop(&t);

	expect_split("3.14", "|3.14|", 1);
	expect_whole("円周率は3.14です", 4, 8);
	expect_whole("約１２，３４５人", 1, 7);   /* full-width digits and comma */
	expect_whole("合計1,234,567円", 2, 11);
}

Test(tokenize, separators_not_between_digits_split)
{
	/* ',' or '.' is part of a number only with a digit on both sides */
	toks t = run("abc,def");
	cr_assert(bit(t.bits, 3) && bit(t.bits, 4), "'abc,def' kept whole");
	drop(&t);
	t = run("1.");
	cr_assert(bit(t.bits, 1), "a trailing '.' is not part of the number");
	drop(&t);
}

Test(tokenize, word_count_skips_spaces)
{
	const char *texts[] = {"pci dss 準拠", "東京都 の 天気", "a b", "個人情報の漏えい"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		toks t = run(texts[i]);
		cr_assert_eq(t.ntokens, count_words(&t), "%s", texts[i]);
		drop(&t);
	}
	toks t = run("pci dss");
	cr_assert_eq(t.ntokens, 2);
	drop(&t);
}

Test(tokenize, empty_text)
{
	toks t = run("");
	cr_assert_eq(t.n.nchars, 0);
	cr_assert_eq(t.ntokens, 0);
	drop(&t);
}

Test(tokenize, same_result_twice)
{
	const char *s = "平素より弊社インターネット予約をご利用いただき誠にありがとうございます。";
	toks a = run(s), b = run(s);
	cr_assert_eq(a.ntokens, b.ntokens);
	cr_assert_eq(memcmp(a.bits, b.bits, (a.n.nchars + 8) / 8), 0);
	drop(&a);
	drop(&b);
}

/* --- input far larger than one MeCab chunk --- */

static char *seed_text(size_t *len)
{
	const char *dir = tu_corpus("seeds");
	cr_assert_not_null(dir, "no seed corpus found");
	char path[4096];
	snprintf(path, sizeof path, "%s/000_da7de96949e8aa49.txt", dir);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	char *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	cr_assert_gt(*len, 1000);
	return b;
}

Test(tokenize, three_megabytes_of_text)
{
	size_t slen;
	char *seed = seed_text(&slen);
	toks one = run_len(seed, slen);
	size_t copies = (3u << 20) / slen + 1, len = copies * slen;
	char *big = malloc(len);
	for (size_t i = 0; i < copies; i++)
		memcpy(big + i * slen, seed, slen);

	toks t = run_len(big, len);
	cr_assert_gt(t.n.nchars, copies * (one.n.nchars - 2));
	cr_assert_eq(t.ntokens, count_words(&t));
	/* cut into chunks, the copies still read almost like the one seed:
	 * chunk cuts fall after sentence ends, so at most a few words differ */
	double want = (double)copies * one.ntokens;
	cr_assert(t.ntokens > want * 0.99 && t.ntokens < want * 1.01,
	          "%zu copies of %u words gave %u words", copies, one.ntokens, t.ntokens);
	drop(&t);
	drop(&one);
	free(big);
	free(seed);
}

/* 100 KB of text with no punctuation and no spaces: chunks are cut at a
 * character boundary. */
Test(tokenize, no_sentence_ends_at_all)
{
	static const char *const words[] = {"東京", "都", "の", "個人", "情報", "漏えい",
	                                    "カード", "ひらがな", "調査", "会社"};
	size_t cap = 100 * 1024 + 64, len = 0;
	char *s = malloc(cap);
	uint32_t r = 1;
	while (len < 100 * 1024) {
		r = r * 1103515245u + 12345u;
		const char *w = words[(r >> 16) % 10];
		memcpy(s + len, w, strlen(w));
		len += strlen(w);
	}
	toks t = run_len(s, len);
	cr_assert_gt(t.n.nchars, 30000);
	cr_assert_gt(t.ntokens, t.n.nchars / 8, "only %u words in %u chars", t.ntokens, t.n.nchars);
	cr_assert_leq(t.ntokens, t.n.nchars);
	cr_assert_eq(t.ntokens, count_words(&t));
	drop(&t);
	free(s);
}

/* An ASCII run is one word even when it spans many MeCab chunks. */
Test(tokenize, one_ascii_word_across_chunks)
{
	size_t len = 100 * 1024;
	char *s = malloc(len);
	for (size_t i = 0; i < len; i++)
		s[i] = "abcdefghij0123456789"[i % 20];
	toks t = run_len(s, len);
	cr_assert_eq(t.n.nchars, len);
	cr_assert_eq(t.ntokens, 1);
	for (uint32_t i = 1; i < t.n.nchars; i++)
		cr_assert_not(bit(t.bits, i), "cut at %u", i);
	drop(&t);

	/* a digit group too: 1,234,234,...,234 */
	memcpy(s, "1", 1);
	for (size_t i = 1; i + 4 <= len; i += 4)
		memcpy(s + i, ",234", 4);
	t = run_len(s, 1 + (len - 1) / 4 * 4);
	cr_assert_eq(t.ntokens, 1);
	drop(&t);
	free(s);
}

/* --- bidx_bounds_finish on hand-made bitmaps (no MeCab) --- */

/* Runs bounds_finish on the code points of an ASCII/UTF-8 string with the
 * given boundary positions set (-1 ends the list; "all" sets every bit);
 * returns the word count and the bitmap rendered as "0101...". */
static uint32_t finish(const char *s, const int *set, int all, char *out)
{
	uint32_t cp[64], n = 0;
	for (size_t i = 0, k; s[i]; i += k) {
		k = (size_t)bidx_utf8_decode((const uint8_t *)s + i, strlen(s + i), &cp[n++]);
		cr_assert_gt(k, 0);
	}
	uint8_t bits[16] = {0};
	for (uint32_t i = 0; all && i <= n; i++)
		bits[i >> 3] |= (uint8_t)(1u << (i & 7));
	for (; set && *set >= 0; set++)
		bits[*set >> 3] |= (uint8_t)(1u << (*set & 7));
	uint32_t w = bidx_bounds_finish(cp, n, bits);
	for (uint32_t i = 0; i <= n; i++)
		out[i] = (char)('0' + bit(bits, i));
	out[n + 1] = 0;
	return w;
}

static void expect_finish(const char *s, const int *set, int all, const char *bits, uint32_t words)
{
	char got[80];
	uint32_t w = finish(s, set, all, got);
	cr_assert_str_eq(got, bits, "'%s'", s);
	cr_assert_eq(w, words, "'%s': %u words, not %u", s, w, words);
}

Test(bounds_finish, forces_ends)
{
	int none[] = {-1};
	expect_finish("東京", none, 0, "101", 1);
	expect_finish("", none, 0, "1", 0);
	int mid[] = {2, -1};
	expect_finish("東京都", mid, 0, "1011", 2);
}

Test(bounds_finish, joins_ascii_runs)
{
	expect_finish("ab12", NULL, 1, "10001", 1);
	expect_finish("AbC", NULL, 1, "1001", 1);
	expect_finish("a b", NULL, 1, "1111", 2);      /* the space is no word */
	expect_finish("x東y", NULL, 1, "1111", 3);
	expect_finish("ｘｙ", NULL, 1, "111", 2);       /* not ASCII: left alone */
}

Test(bounds_finish, joins_digit_groups)
{
	expect_finish("48,685", NULL, 1, "1000001", 1);
	expect_finish("3.14", NULL, 1, "10001", 1);
	expect_finish("v1.2", NULL, 1, "10001", 1);
	expect_finish("0.5件", NULL, 1, "10011", 2);
	/* a separator needs a digit on both sides */
	expect_finish("1,a", NULL, 1, "1111", 3);
	expect_finish("a,1", NULL, 1, "1111", 3);
	expect_finish("1.", NULL, 1, "111", 2);
	expect_finish(".5", NULL, 1, "111", 2);
	expect_finish("1..2", NULL, 1, "11111", 4);
	expect_finish("1, 2", NULL, 1, "11111", 3);
}

Test(bounds_finish, keeps_other_cuts)
{
	int cuts[] = {2, 3, 5, -1};
	/* 東京|都|pci|: the cut between 都 and p stays, none inside pci */
	expect_finish("東京都pci", cuts, 0, "1011001", 3);
}

/* MeCab's arguments: paths reach MeCab as paths whatever characters they
 * hold, and nothing in the environment adds options. */
#define IPADIC "/var/lib/mecab/dic/ipadic-utf8"

static char *argtmp;

static void args_setup(void)
{
	if (access(IPADIC "/sys.dic", R_OK) != 0)
		cr_skip_test("MeCab dictionary missing (install mecab-ipadic-utf8)");
	argtmp = tu_tmpdir("mecab-args");
	cr_assert_not_null(argtmp);
}

static void args_teardown(void)
{
	tu_rmtree(argtmp);
	free(argtmp);
	argtmp = NULL;
}

TestSuite(mecab_args, .init = args_setup, .fini = args_teardown, .timeout = 300);

/* A directory under argtmp named `name`, holding links to every file of
 * ipadic-utf8: a MeCab dictionary directory at an awkward path. */
static void link_ipadic(const char *dir)
{
	cr_assert_eq(mkdir(dir, 0777), 0, "%s", dir);
	DIR *d = opendir(IPADIC);
	cr_assert_not_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char from[4096], to[8192];
		snprintf(from, sizeof from, "%s/%s", IPADIC, e->d_name);
		snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
		cr_assert_eq(symlink(from, to), 0, "%s", to);
	}
	closedir(d);
}

/* Whether サイバー攻撃 (a user dictionary word that ipadic cuts) is one word. */
static int cyber_attack_whole(bidx_tokenizer *t)
{
	bidx_tokenizer *keep = tok;
	tok = t;
	toks r = run("サイバー攻撃を受けました");
	tok = keep;
	char *s = show(&r);
	int whole = strncmp(s, "|サイバー攻撃|", strlen("|サイバー攻撃|")) == 0;
	free(s);
	drop(&r);
	return whole;
}

Test(mecab_args, dictionary_paths_with_spaces_quotes_and_shell_characters)
{
	char dicdir[1024], udir[1024], udic[2048], corpus[1024], doc[2048], cmd[8192], why[8192];
	snprintf(dicdir, sizeof dicdir, "%s/ipa dic -O wakati =x $x'\",d", argtmp);
	link_ipadic(dicdir);
	snprintf(udir, sizeof udir, "%s/sp ace $x'\",y -u =z", argtmp);
	cr_assert_eq(mkdir(udir, 0777), 0);
	snprintf(udic, sizeof udic, "%s/bidx \"notice\", $HOME.dic", udir);
	tu_copy_file(BIDX_BINARY_DIR "/dict/" BIDX_USERDIC_NAME, udic);
	setenv("BIDX_MECAB_DICDIR", dicdir, 1);
	bidx_tokenizer *with = NULL, *without = NULL;
	cr_assert_eq(bidx_tokenizer_open(&with, udic, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(bidx_tokenizer_open(&without, "", why, sizeof why), BIDX_OK, "%s", why);
	cr_assert(cyber_attack_whole(with), "the user dictionary at %s was not loaded", udic);
	cr_assert(!cyber_attack_whole(without), "ipadic alone should cut サイバー攻撃");
	bidx_tokenizer_free(with);
	bidx_tokenizer_free(without);
	/* the same through the bidx binary, the paths given in the environment */
	setenv("BIDX_USERDIC", udic, 1);
	snprintf(corpus, sizeof corpus, "%s/corpus", argtmp);
	cr_assert_eq(mkdir(corpus, 0777), 0);
	snprintf(doc, sizeof doc, "%s/a.txt", corpus);
	FILE *f = fopen(doc, "w");
	cr_assert_not_null(f);
	fputs("弊社サーバへのサイバー攻撃について\n", f);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s/ix' '%s' 2>&1", BIDX_BINARY_DIR, argtmp, corpus);
	int st;
	char *log = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build with dictionaries at awkward paths failed:\n%s", log);
	free(log);
	unsetenv("BIDX_USERDIC");
	unsetenv("BIDX_MECAB_DICDIR");
}

/* A value that looks like options is one (nonexistent) path, named in the
 * error. */
Test(mecab_args, dicdir_value_is_a_path_not_options)
{
	static const char *const vals[] = {
		(IPADIC " -O wakati"), (IPADIC " -u /nonexistent.dic"), "-O wakati", ("--dicdir=" IPADIC),
	};
	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		char why[8192] = "";
		bidx_tokenizer *t = NULL;
		setenv("BIDX_MECAB_DICDIR", vals[i], 1);
		cr_assert_eq(bidx_tokenizer_open(&t, "", why, sizeof why), BIDX_EMECAB,
		             "BIDX_MECAB_DICDIR=%s was not taken as a path", vals[i]);
		cr_assert_null(t);
		char want[4200];
		snprintf(want, sizeof want, "BIDX_MECAB_DICDIR=%s", vals[i]);
		cr_assert(strstr(why, want), "the error should name %s: %s", want, why);
	}
	unsetenv("BIDX_MECAB_DICDIR");
	/* and a user dictionary path with a comma is one path, not a list */
	char why[8192] = "";
	bidx_tokenizer *t = NULL;
	cr_assert_eq(bidx_tokenizer_open(&t, BIDX_BINARY_DIR "/dict/" BIDX_USERDIC_NAME ",/nonexistent.dic",
	                                 why, sizeof why), BIDX_EMECAB);
	cr_assert_null(t);
}

/* ~/.mecabrc and $MECABRC cannot add a user dictionary or other settings to
 * an index's analysis. */
Test(mecab_args, mecabrc_of_the_user_is_not_read)
{
	char rc[4096], why[8192];
	snprintf(rc, sizeof rc, "%s/.mecabrc", argtmp);
	FILE *f = fopen(rc, "w");
	cr_assert_not_null(f);
	fputs("dicdir = /nonexistent\nuserdic = /nonexistent/user.dic\n", f);
	cr_assert_eq(fclose(f), 0);
	setenv("HOME", argtmp, 1);
	setenv("MECABRC", rc, 1);
	bidx_tokenizer *t = NULL;
	cr_assert_eq(bidx_tokenizer_open(&t, "", why, sizeof why), BIDX_OK,
	             "a ~/.mecabrc changed what bidx loads: %s", why);
	cr_assert(!cyber_attack_whole(t));
	bidx_tokenizer_free(t);
}
