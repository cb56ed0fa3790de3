/*
 * query_eval.h - evaluates a parsed query against an index.
 *
 * Each TERM is normalised like the documents and matched as a substring of
 * the documents' normalised text: a one-character term reads its unigram
 * postings; a longer one intersects the positional postings of bigrams that
 * cover every character, then keeps the documents where they line up at one
 * start position.  That is exact, so the hits are the documents `grep -F`
 * would find in the normalised text, whatever MeCab made of the words.
 * A term's work is bounded by the postings it reads, not by its length:
 * each distinct bigram is decoded once per document, the start positions
 * are narrowed bigram by bigram (stopping when none is left), and the
 * offsets of a bigram the term repeats are checked in one pass over runs of
 * its positions; a term whose bigrams repeat at irregular offsets, where
 * narrowing would cost more than the positions, is matched by one scan of
 * them instead, so a document costs time and memory linear in the
 * positions of the term's bigrams, whatever the term's length.  A term
 * longer than BIDX_QUERY_MAX_TERM_CHARS is refused.
 * AND intersects, OR unites, NOT subtracts; a document's score is the sum
 * of the BM25 scores of the terms it matches (rank.h).  Under AND, a field
 * filter and a NOT look only at the documents the words left, and so does
 * a word after the first whose count the term dictionary gives (one or two
 * characters, one spelling, one segment without deletions), which is then
 * scored only in the documents left; the words' scores are added in the
 * query's order, whatever order they were evaluated in.
 */
#ifndef BIDX_QUERY_EVAL_H
#define BIDX_QUERY_EVAL_H

#include <stdint.h>
#include "error.h"
#include "query_parse.h"
#include "rank.h"
#include "index.h"

typedef struct bidx_result {
	bidx_hit *hits;       /* matching documents, in doc id order until sorted */
	uint32_t n;
	char **terms;         /* normalised positive terms, for snippets; owned */
	size_t nterms;
	const bidx_qnode *query;   /* the query evaluated (for explanations); the
	                              caller's, which must outlive the result */
	uint32_t exact_top;   /* 0: every score exact; else only the hits that rank
	                         among the best exact_top are sure to be (the others
	                         may score 0, below them: bidx_query_eval_top) */
} bidx_result;

/* Evaluates q.  On success *r holds every matching document (possibly none).
 * A term with nothing searchable in it, or longer than
 * BIDX_QUERY_MAX_TERM_CHARS, or a field named with no value (date:), gives
 * BIDX_EQUERY with a message in why (with the byte position); damaged data
 * gives BIDX_ECORRUPT with the segment named in why (never just "index is
 * corrupt", which the caller says itself). */
bidx_err bidx_query_eval(bidx_index *ix, const bidx_qnode *q, bidx_result *r,
                         char *why, size_t whylen);
void bidx_result_free(bidx_result *r);

/* The same documents as bidx_query_eval, for a caller that shows only the
 * best k by relevance (bidx_collect_topk): the count is exact, and so are
 * the scores and match positions of every hit that ranks among the best
 * k, ties included; a hit that provably cannot may be left with score 0
 * and no position (r->exact_top is then k).  Only a query of one plain
 * word (alone, or less NOT terms: WORD -A -B, the NOTs matched first so
 * that their documents never count among the best) is pruned so far,
 * when none of the word's spelling variants occurs (whether one does is
 * asked first, documents only): each document's score is bounded from
 * the fewest positions of one of the word's bigrams and its lengths and
 * title length (a two-character word's first from its length alone),
 * then, if that leaves it in reach, from the starts that bigram's
 * positions leave and how many of them fall in the title, all before
 * its whole record is read and the bigrams are lined up; a document out
 * of reach is only checked for one occurrence (a two-character word, one
 * bigram, not even that).  A one-character word's weight comes whole
 * from its unigram counts: a document is out of reach from that weight
 * and its length, with no division.  k = 0 is bidx_query_eval. */
bidx_err bidx_query_eval_top(bidx_index *ix, const bidx_qnode *q, uint32_t k, bidx_result *r,
                             char *why, size_t whylen);

/* The same documents as bidx_query_eval, for a caller that needs only which
 * documents match (bsearch -c): scores are meaningless and pos is not
 * always known.  It skips what only ranking needs (BM25, match kinds, the
 * positions of a two-character word, which is one bigram, a longer
 * word's occurrences after the first it finds, and of each document's
 * record all but its length), and a term under AND is matched only in
 * the documents its siblings left. */
bidx_err bidx_query_match(bidx_index *ix, const bidx_qnode *q, bidx_result *r,
                          char *why, size_t whylen);

/* What evaluation did in the calling thread, counted since the last reset:
 * work to be checked against the postings read (tests, benchmarks). */
typedef struct bidx_eval_counters {
	uint64_t positions;   /* bigram positions decoded */
	uint64_t steps;       /* candidate start positions examined, and positions
	                         scanned, while matching terms */
	uint64_t docs;        /* documents a term's postings led to and matched it in */
	uint64_t records;     /* ... whose whole document records were read for that
	                         (where the bitmap is; not the lengths alone) */
	uint64_t fields;      /* documents whose field records a filter read */
} bidx_eval_counters;

/* Copies the counters into *out; with reset, zeroes them after. */
void bidx_eval_counters_get(bidx_eval_counters *out, int reset);

/* Why a document ranked: one part per query word that matched it (its
 * variants and its synonyms count with it, the synonyms weighted), whose
 * scores sum to the document's score. */
typedef struct bidx_xterm {
	char *word;           /* the query word as typed; owned */
	double weight;        /* 1 (a synonym counts in its word's syn_wtf) */
	uint32_t whole;       /* occurrences that are whole words */
	uint32_t edge;        /* ... with a word boundary on one side only */
	uint32_t inside;      /* ... inside a word */
	uint32_t across;      /* ... through a boundary, an end inside a word (rank.h) */
	uint32_t title;       /* of all those, the ones in the title */
	uint32_t syn;         /* occurrences of its synonyms (synonyms.h), any kind */
	double syn_wtf;       /* their part of wtf, BIDX_SYNONYM_WEIGHT included */
	double wtf;           /* weighted frequency (rank.h), syn_wtf included */
	uint32_t df;          /* documents the word matches */
	double idf;
	double dl, avgdl;     /* the document's length in words; the average */
	double norm;          /* BM25's length norm, bidx_bm25_norm(dl, avgdl) */
	double tfpart;        /* wtf * (k1 + 1) / (wtf + norm) */
	double score;         /* weight * idf * tfpart */
} bidx_xterm;

typedef struct bidx_explain {
	bidx_xterm *t;        /* the parts, in query order; owned */
	uint32_t n;
	double score;         /* their sum */
} bidx_explain;

/* Explains collection document doc's score for query q (evaluated as
 * bidx_query_eval does).  Free with bidx_explain_free.  Errors as for
 * bidx_query_eval. */
bidx_err bidx_query_explain(bidx_index *ix, const bidx_qnode *q, uint32_t doc, bidx_explain *x,
                            char *why, size_t whylen);
void bidx_explain_free(bidx_explain *x);   /* NULL ok */

#endif
