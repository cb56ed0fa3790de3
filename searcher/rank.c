/*
 * rank.c - scoring and ordering of hits (rank.h).  The weight of one
 * occurrence comes from the word boundaries around it and from the title;
 * BM25 turns weighted frequencies into scores.  bidx_rank_sort orders by
 * score, then by doc id, so the order never depends on the sort; when a page
 * needs only the first k of many hits, quickselect moves those k to the
 * front and only they are sorted.
 */
#include "rank.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>

#include "segment.h"

double bidx_occ_weight(int bound_before, int bound_after, int in_title)
{
	double w = bound_before && bound_after ? 1.0
	         : bound_before || bound_after ? BIDX_W_EDGE : BIDX_W_INSIDE;
	return in_title ? w * BIDX_W_TITLE : w;
}

enum bidx_mkind bidx_match_kind(const uint8_t *bits, uint32_t s, uint32_t len)
{
	int before = bidx_bits_get(bits, s), after = bidx_bits_get(bits, s + len);
	if (before && after)
		return BIDX_KIND_WHOLE;
	for (uint32_t i = s + 1; i < s + len; i++)
		if (bidx_bits_get(bits, i))
			return BIDX_KIND_ACROSS;
	return before || after ? BIDX_KIND_EDGE : BIDX_KIND_INSIDE;
}

double bidx_mkind_weight(enum bidx_mkind k, int in_title)
{
	double w = k == BIDX_KIND_WHOLE ? 1.0 : k == BIDX_KIND_EDGE ? BIDX_W_EDGE
	         : k == BIDX_KIND_INSIDE ? BIDX_W_INSIDE : BIDX_W_ACROSS;
	return in_title ? w * BIDX_W_TITLE : w;
}

double bidx_idf(uint32_t df, uint32_t ndocs)
{
	return log(1.0 + ((double)ndocs - df + 0.5) / (df + 0.5));
}

double bidx_bm25_norm(double dl, double avgdl)
{
	return BIDX_BM25_K1 * (1.0 - BIDX_BM25_B + BIDX_BM25_B * (avgdl > 0 ? dl / avgdl : 1.0));
}

double bidx_bm25(double idf, double wtf, double dl, double avgdl)
{
	return idf * wtf * (BIDX_BM25_K1 + 1.0) / (wtf + bidx_bm25_norm(dl, avgdl));
}

static int better(const bidx_hit *a, const bidx_hit *b)
{
	return a->score > b->score || (a->score == b->score && a->doc < b->doc);
}

static int cmp_hit(const void *pa, const void *pb)
{
	const bidx_hit *a = pa, *b = pb;
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* Moves the k best hits to the front (unordered) by quickselect. */
static void select_k(bidx_hit *h, uint32_t n, uint32_t k)
{
	uint32_t lo = 0, hi = n;
	while (hi - lo > 1) {
		bidx_hit pivot = h[lo + (hi - lo) / 2], t;
		uint32_t i = lo, j = hi - 1;
		while (i <= j) {
			while (better(&h[i], &pivot))
				i++;
			while (better(&pivot, &h[j]))
				j--;
			if (i <= j) {
				t = h[i]; h[i] = h[j]; h[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j + 1;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* Moves the k best hits to the front (unordered) for a small k: h[0..k)
 * is kept as a heap whose root is the worst of them, and a later hit only
 * better than the root is swapped in.  One comparison for most hits, where
 * quickselect partitions them all (and many ties, as a top k's unscored
 * hits are, cost it more). */
static void heap_k(bidx_hit *h, uint32_t n, uint32_t k)
{
	if (k == 0)
		return;
	for (uint32_t i = 1; i < k; i++)   /* sift up: the worst at the root */
		for (uint32_t c = i; c > 0 && better(&h[(c - 1) / 2], &h[c]); c = (c - 1) / 2) {
			bidx_hit t = h[c]; h[c] = h[(c - 1) / 2]; h[(c - 1) / 2] = t;
		}
	for (uint32_t i = k; i < n; i++) {
		if (!better(&h[i], &h[0]))
			continue;
		bidx_hit x = h[i];
		h[i] = h[0];
		uint32_t c = 0;
		for (;;) {   /* sift x down from the root */
			uint32_t l = 2 * c + 1, m = l;
			if (l >= k)
				break;
			if (l + 1 < k && better(&h[l], &h[l + 1]))
				m = l + 1;
			if (!better(&x, &h[m]))
				break;
			h[c] = h[m];
			c = m;
		}
		h[c] = x;
	}
}

void bidx_rank_sort(bidx_hit *hits, uint32_t n, uint32_t k)
{
	if (k < n && n > 256) {
		if (k <= 64)
			heap_k(hits, n, k);
		else
			select_k(hits, n, k);
		n = k;
	}
	if (n)
		qsort(hits, n, sizeof *hits, cmp_hit);
}
