/*
 * variants.c - spelling-variant folding (see variants.h for the rules).
 *
 * Two passes over the code points, each compacting in place: the fixed
 * spellings first, then the long vowels.  The first pass keeps the
 * katakana-ness and the mora count of what it rewrites (ヴァ and バ are one
 * katakana mora each; every other spelling is kanji and hiragana), so the
 * second pass sees the same runs it would have seen on the unfolded text.
 * A text with no character that can start a fold (the usual case) is left
 * alone after one scan.
 */
#include "variants.h"

#include <uchar.h>

#define CHOON 0x30FC   /* ー KATAKANA-HIRAGANA PROLONGED SOUND MARK */

typedef struct variant {
	const char32_t *from;        /* the spelling folded, NUL-terminated */
	const char32_t *to;          /* its canonical form, never longer */
	const char32_t *not_before;  /* no fold when one of these follows, or NULL */
} variant;

/* Longest first among spellings that share a first character. */
static const variant variants[] = {
	{U"問い合わせ", U"問合せ", NULL},
	{U"問い合せ", U"問合せ", NULL},
	{U"問合わせ", U"問合せ", NULL},
	{U"漏えい", U"漏洩", NULL},
	{U"き損", U"毀損", U"じねなずぜ"},
	{U"改ざん", U"改竄", NULL},
	{U"ぜい弱", U"脆弱", NULL},
	{U"隠ぺい", U"隠蔽", NULL},
	{U"補てん", U"補填", NULL},
	{U"破たん", U"破綻", NULL},
	{U"ねつ造", U"捏造", NULL},
	{U"ヴァ", U"バ", NULL},
	{U"ヴィ", U"ビ", NULL},
	{U"ヴェ", U"ベ", NULL},
	{U"ヴォ", U"ボ", NULL},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

static size_t u32len(const char32_t *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int in_set(const char32_t *set, uint32_t c)
{
	for (; set && *set; set++)
		if (*set == c)
			return 1;
	return 0;
}

static int is_kata(uint32_t c)
{
	return (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x30FC && c <= 0x30FE);
}

/* Small kana that share the mora of the character before them. */
static int is_small_kata(uint32_t c)
{
	switch (c) {
	case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9:  /* ァィゥェォ */
	case 0x30E3: case 0x30E5: case 0x30E7: case 0x30EE:               /* ャュョヮ */
		return 1;
	default:
		return 0;
	}
}

/* Whether a variant starts with c: a switch, since every character of every
 * document asks (test_normalize folds every spelling of the table). */
static int starts_variant(uint32_t c)
{
	switch (c) {
	case 0x554F: case 0x6F0F: case 0x304D: case 0x6539: case 0x305C:  /* 問漏き改ぜ */
	case 0x96A0: case 0x88DC: case 0x7834: case 0x306D: case 0x30F4:  /* 隠補破ねヴ */
		return 1;
	default:
		return 0;
	}
}

/* The variant spelled at cp[i..n), or NULL. */
static const variant *match_at(const uint32_t *cp, size_t i, size_t n)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char32_t *f = variants[v].from;
		size_t k = 0;
		while (f[k] && i + k < n && cp[i + k] == f[k])
			k++;
		if (f[k])
			continue;
		if (i + k < n && in_set(variants[v].not_before, cp[i + k]))
			continue;
		return &variants[v];
	}
	return NULL;
}

/* Pass 1: the fixed spellings.  Returns the new length. */
static size_t fold_spellings(uint32_t *cp, size_t n, uint32_t *ss, uint32_t *se, int *changed)
{
	size_t r = 0, w = 0;
	while (r < n) {
		const variant *v = starts_variant(cp[r]) ? match_at(cp, r, n) : NULL;
		if (!v) {
			if (w != r) {   /* nothing moves until the first fold */
				cp[w] = cp[r];
				if (ss) {
					ss[w] = ss[r];
					se[w] = se[r];
				}
			}
			w++;
			r++;
			continue;
		}
		size_t flen = u32len(v->from), tlen = u32len(v->to);
		uint32_t start = ss ? ss[r] : 0, end = ss ? se[r + flen - 1] : 0;
		for (size_t k = 0; k < tlen; k++, w++) {
			cp[w] = v->to[k];
			if (ss) {
				ss[w] = start;
				se[w] = end;
			}
		}
		r += flen;
		*changed = 1;
	}
	return w;
}

/* Pass 2: trailing long vowels of katakana runs of three morae or more. */
static size_t fold_long_vowels(uint32_t *cp, size_t n, uint32_t *ss, uint32_t *se, int *changed)
{
	size_t r = 0, w = 0;
	while (r < n) {
		if (!is_kata(cp[r])) {
			if (w != r) {
				cp[w] = cp[r];
				if (ss) {
					ss[w] = ss[r];
					se[w] = se[r];
				}
			}
			w++;
			r++;
			continue;
		}
		size_t e = r, t, morae = 0;
		while (e < n && is_kata(cp[e]))
			e++;
		t = e;
		while (t > r && cp[t - 1] == CHOON)
			t--;
		for (size_t k = r; k < t; k++)
			morae += !is_small_kata(cp[k]);
		size_t keep = t < e && t > r && morae >= 3 ? t : e;
		for (size_t k = r; k < keep; k++, w++) {
			if (w == k)
				continue;
			cp[w] = cp[k];
			if (ss) {
				ss[w] = ss[k];
				se[w] = se[k];
			}
		}
		if (keep < e) {
			if (ss)
				se[w - 1] = se[e - 1];
			*changed = 1;
		}
		r = e;
	}
	return w;
}

size_t bidx_variants_fold(uint32_t *cp, size_t n, uint32_t *src_start, uint32_t *src_end,
                          int *changed)
{
	size_t i;
	*changed = 0;
	for (i = 0; i < n; i++)
		if (cp[i] == CHOON || starts_variant(cp[i]))
			break;
	if (i == n)
		return n;
	n = fold_spellings(cp, n, src_start, src_end, changed);
	return fold_long_vowels(cp, n, src_start, src_end, changed);
}

int bidx_variants_cut_ok(uint32_t prev, uint32_t next)
{
	if (is_kata(prev) && is_kata(next))
		return 0;
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char32_t *f = variants[v].from;
		if (variants[v].not_before && f[u32len(f) - 1] == prev && in_set(variants[v].not_before, next))
			return 0;
	}
	return 1;
}
