/*
 * variants.h - spelling-variant folding, the last step of normalisation.
 *
 * Notices write the same word in several ways: 漏洩 and 漏えい (a kanji
 * outside the jōyō list spelt in kana), 問合せ and 問い合わせ (okurigana),
 * サーバ and サーバー (the trailing long vowel of a loanword), ヴァ and バ.
 * Folding them to one spelling in the normalised text makes a query in one
 * spelling match documents in the other, and since documents and queries
 * are normalised by the same code, the two can never disagree.  The folds:
 *
 *  1. Fixed spellings, longest first: 漏えい -> 漏洩, き損 -> 毀損 (not
 *     before じ ね な ず ぜ: 書き損じる, 聞き損ねる), 改ざん -> 改竄,
 *     ぜい弱 -> 脆弱, 隠ぺい -> 隠蔽, 補てん -> 補填, 破たん -> 破綻,
 *     ねつ造 -> 捏造, 問い合わせ / 問い合せ / 問合わせ -> 問合せ,
 *     ヴァ ヴィ ヴェ ヴォ -> バ ビ ベ ボ (bare ヴ is kept: ヴ alone has no
 *     one usual spelling).
 *  2. Long vowels: the trailing ー (one or more) of a run of katakana is
 *     dropped when the run has at least three morae before it (small ァィゥェォ
 *     ャュョヮ are not morae; ー and ッ are): サーバー -> サーバ,
 *     コンピューター -> コンピュータ, ユーザー -> ユーザ, but コピー, キー,
 *     カー keep theirs.  A run ends at the first character that is not
 *     katakana (U+30A1..U+30FA, U+30FC..U+30FE), so サーバーの -> サーバの
 *     while サーバーソフト keeps its ー (a query サーバ still finds it: it is
 *     a substring).
 *
 * The folded characters of a fixed spelling all map to the source bytes of
 * the whole spelling, like the characters of one composed cluster, so a
 * snippet highlights what the document wrote (漏えい for a query 漏洩); a
 * dropped ー joins the source bytes of the character before it.
 *
 * Folding is closed (its output contains nothing it would fold again), so
 * normalisation stays idempotent; it never lengthens the text.  The only
 * context it reads is the katakana run around a ー and the character after
 * き損: see bidx_variants_cut_ok().
 */
#ifndef BIDX_VARIANTS_H
#define BIDX_VARIANTS_H

#include <stddef.h>
#include <stdint.h>

/* Folds cp[0..n) in place and returns the new number of characters (<= n).
 * src_start/src_end (both NULL, or n entries each) are folded in step.
 * *changed is set to 1 when anything was folded, else 0. */
size_t bidx_variants_fold(uint32_t *cp, size_t n, uint32_t *src_start, uint32_t *src_end,
                          int *changed);

/* 1 when normalising a text cut between the folded characters prev and next
 * (each half on its own) gives the same characters as the whole text, as far
 * as folding is concerned: 0 inside a katakana run, and after an unfolded
 * き損 before one of the characters that block its fold.  (A cut inside a
 * folded spelling is excluded by its shared source bytes.) */
int bidx_variants_cut_ok(uint32_t prev, uint32_t next);

#endif
