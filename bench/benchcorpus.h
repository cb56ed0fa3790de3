/*
 * benchcorpus.h - the corpus as bidx reads it, for the ground truth and for
 * the peers: the same walk (bidx_corpus_walk), the same files (.txt and .md
 * that pass bidx_corpus_check, a UTF-8 BOM dropped), the same titles
 * (bidx_corpus_title).  Files of other kinds are left out here even when a
 * later bidx reads them; bench/run.sh warns when the document counts differ.
 */
#ifndef BIDX_BENCHCORPUS_H
#define BIDX_BENCHCORPUS_H

#include <stddef.h>

typedef struct bench_doc {
	char *path;          /* as bidx prints it; owned */
	char *data;          /* the whole file; owned */
	const char *text;    /* into data, after the BOM */
	size_t len;          /* bytes of text */
	size_t title_start;  /* title byte range within text (empty when none) */
	size_t title_end;
} bench_doc;

typedef struct bench_corpus {
	bench_doc *docs;
	size_t n;
	size_t bytes;        /* sum of len */
} bench_corpus;

/* Loads every indexable file under the npaths arguments.  Returns 0, or -1
 * with a message printed when an argument cannot be read. */
int bench_corpus_load(char **paths, int npaths, bench_corpus *c);

/* Frees one document's file data (its path and title range stay). */
void bench_doc_drop(bench_doc *d);
void bench_corpus_free(bench_corpus *c);

#endif
