/*
 * bench-wholeword - whether documents where a word stands whole rank above
 * documents where it is only part of a longer word (京都 in 京都大学前 vs
 * 東京都).
 *
 *   bench-wholeword --index DIR [--json] [WORD...]
 *
 * Each word (by default 15 common ones of news text) is evaluated as
 * bsearch does it without synonyms (--exact) and every hit ranked.  A hit
 * is "whole" when some occurrence of the word has a word boundary (MeCab,
 * as indexed) on both sides, else "part".  The pair rate is, over all pairs
 * of one whole and one part hit of the same word, the share where the whole
 * one ranks above; the total sums the pairs of every word.  The occurrences
 * come from the query's own explanation (bidx_query_explain), so the kinds
 * are those the ranking sees.
 */
#include "index.h"
#include "query_eval.h"
#include "query_parse.h"
#include "rank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_words[] = {
	"京都", "東京", "日本", "大阪", "会社", "大学", "警察", "北海道", "中国", "韓国",
	"映画", "女性", "携帯", "電話", "写真", "野球", "選手", "世界",
};

typedef struct tally {
	double above;     /* pairs where the whole hit ranks above */
	double pairs;     /* whole x part pairs */
	uint32_t whole, part;
} tally;

static int word_rate(bidx_index *ix, const char *word, tally *t)
{
	bidx_qnode *q;
	bidx_result r;
	char why[512];
	size_t errpos;
	if (bidx_query_parse(word, &q, why, sizeof why, &errpos)) {
		fprintf(stderr, "bench-wholeword: %s: %s\n", word, why);
		return -1;
	}
	if (bidx_query_eval(ix, q, &r, why, sizeof why)) {
		fprintf(stderr, "bench-wholeword: %s: %s\n", word, why);
		bidx_query_free(q);
		return -1;
	}
	bidx_rank_sort(r.hits, r.n, r.n);
	memset(t, 0, sizeof *t);
	for (uint32_t i = 0; i < r.n; i++) {
		bidx_explain x;
		if (bidx_query_explain(ix, q, r.hits[i].doc, &x, why, sizeof why)) {
			fprintf(stderr, "bench-wholeword: %s: %s\n", word, why);
			break;
		}
		int whole = 0;
		for (uint32_t k = 0; k < x.n; k++)
			whole |= x.t[k].whole > 0;
		bidx_explain_free(&x);
		if (whole) {
			t->whole++;
		} else {
			t->part++;
			t->above += t->whole;   /* every whole hit so far ranks above this one */
		}
	}
	t->pairs = (double)t->whole * t->part;
	bidx_result_free(&r);
	bidx_query_free(q);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int json = 0, first = 1;
	while (first < argc && argv[first][0] == '-') {
		if (!strcmp(argv[first], "--index") && first + 1 < argc)
			dir = argv[++first];
		else if (!strcmp(argv[first], "--json"))
			json = 1;
		else
			break;
		first++;
	}
	if (!dir) {
		fprintf(stderr, "usage: bench-wholeword --index DIR [--json] [WORD...]\n");
		return 2;
	}
	const char *const *words = default_words;
	size_t nw = sizeof default_words / sizeof *default_words;
	if (first < argc) {
		words = (const char *const *)argv + first;
		nw = (size_t)(argc - first);
	}
	bidx_index *ix;
	char why[512];
	if (bidx_index_open(dir, &ix, why, sizeof why)) {
		fprintf(stderr, "bench-wholeword: %s: %s\n", dir, why);
		return 2;
	}
	double above = 0, pairs = 0;
	if (json)
		fputs("{\"words\":[", stdout);
	for (size_t i = 0; i < nw; i++) {
		tally t;
		if (word_rate(ix, words[i], &t)) {
			bidx_index_close(ix);
			return 2;
		}
		above += t.above;
		pairs += t.pairs;
		double rate = t.pairs ? t.above / t.pairs : 1.0;
		if (json)
			printf("%s{\"word\":\"%s\",\"whole\":%u,\"part\":%u,\"rate\":%.4f}", i ? "," : "",
			       words[i], t.whole, t.part, rate);
		else
			printf("%-8s whole %5u  part %5u  pairs above %6.1f%%\n", words[i], t.whole, t.part,
			       100 * rate);
	}
	if (json)
		printf("],\"rate\":%.4f}\n", pairs ? above / pairs : 1.0);
	else
		printf("all pairs: %.1f%% of %.0f\n", pairs ? 100 * above / pairs : 100.0, pairs);
	bidx_index_close(ix);
	return 0;
}
