/*
 * benchcorpus.h - the corpus as bidx indexes it, for the ground truth and for
 * the peers: the indexer's own walk (bidx_corpus_walk) and per-file analysis
 * (analysis/, bidx_analyze_file), without the writer, so every document
 * here is a notice bidx indexes, with the same path (FILE, or FILE:LINE for
 * a CSV/JSON Lines record), the same stored text (decoded to UTF-8; for a
 * record, title line + body) and the same title bytes.  Analysis runs MeCab (one tokenizer), so loading costs
 * about what one core of a bidx build costs.
 */
#ifndef BIDX_BENCHCORPUS_H
#define BIDX_BENCHCORPUS_H

#include <stddef.h>

typedef struct bench_doc {
	char *path;          /* as bidx prints it; owned */
	char *data;          /* the stored text, NUL-terminated; owned */
	const char *text;    /* = data (NULL once dropped) */
	size_t len;          /* bytes of text */
	size_t title_start;  /* title byte range within text (empty when none) */
	size_t title_end;
} bench_doc;

typedef struct bench_corpus {
	bench_doc *docs;
	size_t n;
	size_t bytes;        /* sum of len */
} bench_corpus;

/* Loads every notice bidx indexes under the npaths arguments, in bidx's
 * order.  Returns 0, or -1 with a message printed when an argument cannot be
 * read, MeCab cannot be loaded or memory runs out. */
int bench_corpus_load(char **paths, int npaths, bench_corpus *c);

/* Frees one document's text (its path and title range stay). */
void bench_doc_drop(bench_doc *d);
void bench_corpus_free(bench_corpus *c);

#endif
