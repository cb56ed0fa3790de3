/*
 * variants.h - spelling variants and numbers: the other ways a word is written.
 *
 * Notices write the same word in several ways: 漏洩 and 漏えい (a kanji
 * outside the jōyō list spelt in kana), 問合せ and 問い合わせ (okurigana),
 * サーバ and サーバー (the trailing long vowel of a loanword), ヴァ and バ,
 * 第1報 and 第一報, 48685 and 48,685.  Documents are indexed as they are
 * written (NFKC and case folding only, normalize.h), so every query finds
 * whatever `grep -F` finds in that text, inside longer words too (シー in
 * タクシー, えい in 漏えい); a query word also finds the other spellings
 * through bidx_variants_expand(), which turns it into a few alternatives
 * that the search unites as one word.  The declared variants:
 *
 *  1. Fixed spellings, one class each (the first is the canonical one):
 *     漏洩 漏えい, 毀損 き損 (not before じ ね な ず ぜ: 書き損じる, 聞き損ねる),
 *     改竄 改ざん, 脆弱 ぜい弱, 隠蔽 隠ぺい, 補填 補てん, 破綻 破たん,
 *     捏造 ねつ造, 問合せ 問い合わせ 問い合せ 問合わせ, バ ヴァ, ビ ヴィ,
 *     ベ ヴェ, ボ ヴォ (bare ヴ is kept: ヴ alone has no one usual spelling).
 *  2. Long vowels: a katakana run of at least three morae (small ァィゥェォ
 *     ャュョヮ are not morae; ー and ッ are) with a trailing ー also stands
 *     without it (サーバー: サーバ, which finds サーバー too), and one without
 *     it, followed by more of the query, with it (サーバの: サーバーの).
 *     コピー, キー, カー have no variant.
 *  3. Numbers, in a query word that has more than the number: a run of
 *     Arabic digits, kanji numerals and the large units 万 億 兆 after them
 *     is read as one value and written the other ways (第1報 第一報, 憲法9条
 *     憲法九条, 2024年 二千二十四年 二〇二四年, 十九条 19条, 1万2千人 12000人
 *     12,000人 一万二千人 1万2000人, 1,200万円 千二百万円 12,000,000円); a run
 *     with a large unit counts as more than a number (3万 三万 30,000); digit
 *     groups with and without commas (48685 48,685), in any word.  A run that
 *     is no one number (2〇24, 二十四五) and a decimal (3.5万) have no
 *     variant.  Full-width digits are NFKC's already (３万 is 3万).
 *
 * bidx_variants_fold() gives the canonical spelling of a text (the folds of
 * 1 and 2, never lengthening), which is how the synonym table compares
 * words: 漏えい in the table stands for 漏洩 too.
 */
#ifndef BIDX_VARIANTS_H
#define BIDX_VARIANTS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* Folds cp[0..n) in place to canonical spellings and returns the new number
 * of characters (<= n).  src_start/src_end (both NULL, or n entries each)
 * are folded in step.  *changed is set to 1 when anything was folded. */
size_t bidx_variants_fold(uint32_t *cp, size_t n, uint32_t *src_start, uint32_t *src_end,
                          int *changed);

#define BIDX_ALTS_MAX 16

typedef struct bidx_alts {
	uint32_t n;                    /* alternatives, 1..BIDX_ALTS_MAX */
	char *text[BIDX_ALTS_MAX];     /* normalised UTF-8, NUL-terminated; owned */
} bidx_alts;

/* The alternatives of the normalised query word cp[0..n) (n >= 1): the
 * word itself and its variants (above), fewest changes first, none longer
 * than maxchars.  Every document that contains the word contains one of
 * them: an alternative that contains another is left out (サーバー gives
 * サーバ alone), so their matches never count one occurrence twice.  Free
 * with bidx_alts_free().  BIDX_OK or BIDX_ENOMEM (out zeroed). */
bidx_err bidx_variants_expand(const uint32_t *cp, uint32_t n, uint32_t maxchars, bidx_alts *out);
void bidx_alts_free(bidx_alts *a);   /* NULL ok; zeroes it */

#endif
