/*
 * build.h - `bidx build`: corpus -> normalise -> tokenize -> invert ->
 * postings + term dictionary + document store -> one published index file.
 */
#ifndef BIDX_BUILD_H
#define BIDX_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include "error.h"

typedef struct bidx_build_opts {
	const char *index_dir;   /* where index.bidx goes */
	int verbose;             /* a line per file indexed */
	int progress;            /* a progress line on stderr (a terminal) */
	FILE *msg;               /* skip notices and progress (stderr) */
	const struct bidx_colmap *map;   /* COL=FIELD overrides for CSV/JSONL, or NULL */
	int threads;             /* analysis threads; 0 = one per online CPU */
} bidx_build_opts;

typedef struct bidx_build_stats {
	uint64_t files_seen;     /* files considered, indexed or not */
	uint64_t docs;           /* documents indexed */
	uint64_t skipped;        /* files and directories left out */
	uint64_t bytes;          /* bytes of the indexed documents */
	uint64_t terms;
	uint64_t index_bytes;    /* size of the published index file */
	double seconds;
} bidx_build_stats;

/* Builds an index of the corpus paths into opts->index_dir.  Unusable files
 * are reported on opts->msg and counted; the build goes on.  On failure the
 * previous index is left exactly as it was and why[] says what went wrong. */
bidx_err bidx_build(const char *const *paths, int npaths, const bidx_build_opts *opts,
                    bidx_build_stats *st, char *why, size_t whylen);

#endif
