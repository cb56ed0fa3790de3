/*
 * test_wordset.c - the one-pass word matcher (analysis/wordset.h): it
 * reports exactly what memmem finds at every byte offset, overlapping
 * occurrences, words of one bucket, truncated text and invalid UTF-8
 * included; bidx_wordset_any says whether memmem finds any.
 */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "wordset.h"

#define MAXHITS 4096

typedef struct hits {
	int id[MAXHITS];
	size_t at[MAXHITS];
	int n;
} hits;

static void record(void *ctx, int id, size_t at)
{
	hits *h = ctx;
	cr_assert_lt(h->n, MAXHITS);
	h->id[h->n] = id;
	h->at[h->n++] = at;
}

/* Was (id, at) reported? */
static int reported(const hits *h, int id, size_t at)
{
	for (int k = 0; k < h->n; k++)
		if (h->id[k] == id && h->at[k] == at)
			return 1;
	return 0;
}

/* Every occurrence memmem finds is reported, nothing else is, in order. */
static void check_against_memmem(const bidx_wordset *ws, const char *const *words, int nw,
                                 const char *s, size_t n)
{
	hits h = {.n = 0};
	int want = 0;

	bidx_wordset_scan(ws, s, n, record, &h);
	for (int w = 0; w < nw; w++) {
		size_t wl = strlen(words[w]);
		for (const char *p = s, *hit; p <= s + n &&
		     (hit = memmem(p, (size_t)(s + n - p), words[w], wl)) != NULL; p = hit + 1) {
			cr_assert(reported(&h, w, (size_t)(hit - s)), "%s at %td not reported", words[w],
			          hit - s);
			want++;
		}
	}
	cr_assert_eq(h.n, want, "%d reported, memmem finds %d", h.n, want);
	cr_assert_eq(bidx_wordset_any(ws, s, n), want > 0);
	for (int k = 1; k < h.n; k++)
		cr_assert_leq(h.at[k - 1], h.at[k]);
}

static const char *const words[] = {"流出", "漏えい", "について", "につい", "ご迷惑",
                                    "判明", "判明", "と発表した", "と発表", "ののの", "abc",
                                    "\xE3\x81\xAE\xE3", NULL};

static int load(bidx_wordset *ws)
{
	int n = 0;
	bidx_wordset_init(ws);
	for (; words[n]; n++)
		cr_assert_eq(bidx_wordset_add(ws, words[n]), n);
	return n;
}

Test(wordset, finds_what_memmem_finds)
{
	static bidx_wordset ws;
	int nw = load(&ws);
	const char *texts[] = {
		"", "の", "流出", "個人情報が流出したことが判明しました。ご迷惑をおかけし",
		"のののののの", "abcabcab", "についてについ", "と発表したと発表",
		"漏え", "\xE3\x81\xAE\xE3\x81\xAE\xE3", "x流出\n流出。流出",
	};
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
		check_against_memmem(&ws, words, nw, texts[t], strlen(texts[t]));
}

/* Random texts from pieces of the words and bytes that split characters. */
Test(wordset, random_texts_agree_with_memmem)
{
	static bidx_wordset ws;
	static const char *const pieces[] = {"流", "出", "漏", "えい", "につ", "いて", "の", "ご迷",
	                                     "惑", "判", "明", "と発表", "した", "a", "bc", "\xE3",
	                                     "\x81", "\xAE", "。", "\n", " "};
	const size_t np = sizeof pieces / sizeof *pieces;
	char buf[512];
	int nw = load(&ws);

	srand(20);
	for (int round = 0; round < 2000; round++) {
		size_t n = 0;
		while (n < sizeof buf - 8) {
			const char *p = pieces[(size_t)rand() % np];
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
			if (rand() % 40 == 0)
				break;
		}
		check_against_memmem(&ws, words, nw, buf, n);
	}
}

Test(wordset, refuses_short_words_and_a_full_set)
{
	static bidx_wordset ws;
	bidx_wordset_init(&ws);
	cr_expect_eq(bidx_wordset_add(&ws, "ab"), -1);
	cr_expect_eq(bidx_wordset_add(&ws, ""), -1);
	for (int k = 0; k < BIDX_WORDSET_MAX; k++)
		cr_assert_eq(bidx_wordset_add(&ws, "abc"), k);
	cr_expect_eq(bidx_wordset_add(&ws, "abc"), -1);
}

/* Random texts of pieces against a set of words, of every length up to a
 * few hundred bytes, each also cut at its first bytes (scans that start
 * inside a character). */
static void random_against_memmem(const char *const *set, const char *const *pieces,
                                  size_t np, unsigned seed)
{
	static bidx_wordset ws;
	char buf[300];
	int nw = 0;

	bidx_wordset_init(&ws);
	for (; set[nw]; nw++)
		cr_assert_eq(bidx_wordset_add(&ws, set[nw]), nw);
	srand(seed);
	for (int round = 0; round < 3000; round++) {
		size_t n = 0, want = (size_t)rand() % (sizeof buf - 8);
		while (n < want) {
			const char *p = pieces[(size_t)rand() % np];
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		}
		check_against_memmem(&ws, set, nw, buf, n);
		for (size_t cut = 1; cut < 12 && cut < n; cut++)   /* every start and end */
			check_against_memmem(&ws, set, nw, buf + cut, n - cut);
	}
}

static const char *const mixed_pieces[] = {"流", "出", "漏", "えい", "につ", "いて", "の", "ご迷",
                                           "惑", "判", "明", "と発表", "した", "a", "bc", "ID",
                                           "\xE3", "\x81", "\xAE", "\xC3\xA9", "。", "\n", " ",
                                           "0", "ＡＢ", "\xF0\x9F\x98\x80"};

/* No word starts with a continuation byte, and none with ASCII: the
 * continuation bytes are passed over, and what memmem finds is still found
 * past ASCII, stray bytes and characters of two and four bytes. */
Test(wordset, non_ascii_words_found_past_ascii_and_stray_bytes)
{
	static const char *const set[] = {"流出", "漏えい", "について", "の発表", "ののの",
	                                  "\xC3\xA9t", "\xE3\x81\xAE\xE3", "\xF0\x9F\x98\x80",
	                                  "ＡＢ", NULL};
	random_against_memmem(set, mixed_pieces, sizeof mixed_pieces / sizeof *mixed_pieces, 7);
}

/* Words that start with ASCII beside non-ASCII ones, and words of one
 * bucket's first three bytes. */
Test(wordset, ascii_and_non_ascii_words_found)
{
	static const char *const set[] = {"流出", "abc", "bca", "ID ", "0の", " につ", "判明",
	                                  "\n\n流", NULL};
	random_against_memmem(set, mixed_pieces, sizeof mixed_pieces / sizeof *mixed_pieces, 8);
}

/* A word that starts with a continuation byte (not UTF-8 on its own) is
 * found where memmem finds it, at every byte. */
Test(wordset, a_word_starting_inside_a_character_found)
{
	static const char *const set[] = {"\x81\xAE\xE3", "\xAE\xE3\x81", "流出", "abc", NULL};
	random_against_memmem(set, mixed_pieces, sizeof mixed_pieces / sizeof *mixed_pieces, 9);
}
