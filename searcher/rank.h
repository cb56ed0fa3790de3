/*
 * rank.h - BM25 over words, with title and word-boundary weights.
 *
 * A query term's weighted frequency in a document sums its occurrences, each
 * weighted by how it sits among the document's words (MeCab morphemes, ASCII
 * runs; enum bidx_mkind): a whole word (boundary before and after) counts 1,
 * a match with a boundary on one side BIDX_W_EDGE, one inside a word
 * BIDX_W_INSIDE, one that runs through a boundary with an end inside a word
 * BIDX_W_ACROSS; a match inside the title counts BIDX_W_TITLE times as much.
 * So 京都 ranks 京都府警察 (京都 / 府警 / 察) and 京都大学 above 東京都
 * (東京 / 都).  The weights were set on livedoor with bench-wholeword (a
 * document with the word whole above one with it only in a longer word in
 * 90 % of pairs; bench/README.md), BM25 unchanged within each kind.  The document length is
 * its word count.  Ties break by doc id, so results are deterministic.
 */
#ifndef BIDX_RANK_H
#define BIDX_RANK_H

#include <stdint.h>

#define BIDX_BM25_K1 1.2
#define BIDX_BM25_B 0.75
#define BIDX_W_EDGE 0.4
#define BIDX_W_INSIDE 0.2
#define BIDX_W_ACROSS 0.1
#define BIDX_W_TITLE 3.0

/* Weight of one occurrence. */
double bidx_occ_weight(int bound_before, int bound_after, int in_title);

/* How a match of len characters at s sits among the words of a document
 * whose boundary bitmap is bits (segment.h). */
enum bidx_mkind {
	BIDX_KIND_WHOLE,    /* a boundary before and after */
	BIDX_KIND_EDGE,     /* one of them, and no boundary inside the match unless
	                       both ends have one: 京都 in 京都大学 */
	BIDX_KIND_INSIDE,   /* inside one word: 都 in 京都府 */
	BIDX_KIND_ACROSS    /* through a boundary with an end inside a word: 京都 in
	                       東京都 (東京 / 都) */
};
enum bidx_mkind bidx_match_kind(const uint8_t *bits, uint32_t s, uint32_t len);

/* The weight of an occurrence of kind k (1, BIDX_W_EDGE, BIDX_W_INSIDE,
 * BIDX_W_ACROSS), BIDX_W_TITLE times as much in the title. */
double bidx_mkind_weight(enum bidx_mkind k, int in_title);

/* idf of a term matching df of ndocs documents (always > 0). */
double bidx_idf(uint32_t df, uint32_t ndocs);

/* BM25 of a weighted frequency wtf in a document of dl words:
 * idf * wtf * (k1 + 1) / (wtf + norm), norm = bidx_bm25_norm(dl, avgdl). */
double bidx_bm25(double idf, double wtf, double dl, double avgdl);

/* BM25's length norm k1 * (1 - b + b * dl / avgdl). */
double bidx_bm25_norm(double dl, double avgdl);

#define BIDX_NOPOS UINT32_MAX

typedef struct bidx_hit {
	uint32_t doc;
	double score;
	uint32_t pos;     /* a match's first normalised character, for the
	                     snippet; BIDX_NOPOS when not known */
} bidx_hit;

/* Sorts hits best first: score descending, then doc id ascending.  Only the
 * first k positions need to be right (k >= n sorts all). */
void bidx_rank_sort(bidx_hit *hits, uint32_t n, uint32_t k);

#endif
