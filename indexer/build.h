/*
 * build.h - `bidx build` and `bidx optimize`: corpus -> normalise ->
 * tokenize -> invert -> segments, published by a new manifest.
 *
 * A build over an existing index analyses only the files that are new or
 * whose content changed (size and mtime first, then an XXH3 of the bytes),
 * puts their documents in a new segment, marks the documents of changed and
 * vanished files deleted, and merges segments by a size-tiered policy.  It
 * keeps only segments whose every byte matches its checksums (a damaged one
 * means a build from scratch), and publishes only a manifest that opens the
 * way bsearch opens it, over segment numbers that never wrap round.  The
 * result answers every query exactly as a build from scratch of the same
 * files would (manifest.h: collection ids are corpus order).
 */
#ifndef BIDX_BUILD_H
#define BIDX_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include "error.h"

typedef struct bidx_build_opts {
	const char *index_dir;   /* the index directory */
	int verbose;             /* a line per file indexed */
	int progress;            /* a progress line on stderr (a terminal) */
	FILE *msg;               /* skip notices and progress (stderr) */
	const struct bidx_colmap *map;   /* COL=FIELD overrides for CSV/JSONL, or NULL */
	int threads;             /* analysis threads; 0 = one per online CPU */
	int full;                /* analyse every file, reuse nothing */
	int follow;              /* follow symbolic links out of the corpus too */
	int optimize;            /* finish with one segment and no deletions */
} bidx_build_opts;

typedef struct bidx_build_stats {
	uint64_t files_seen;     /* files considered, indexed or not */
	uint64_t docs;           /* documents analysed by this build */
	uint64_t live_docs;      /* documents in the index afterwards */
	uint64_t skipped;        /* files, records and directories left out */
	uint64_t bytes;          /* bytes of text analysed by this build */
	uint64_t corpus_bytes;   /* bytes of text the index holds */
	uint64_t added, updated, removed, unchanged;   /* source files */
	uint64_t terms;          /* terms of the segment written, if any */
	uint64_t index_bytes;    /* bytes of all segments */
	uint32_t segments;       /* segments afterwards */
	uint32_t merged;         /* segments merged away by this build */
	int published;           /* 0 when nothing changed and nothing was written */
	double seconds;
} bidx_build_stats;

/* Builds or updates the index of the corpus paths in opts->index_dir.
 * Unusable files are reported on opts->msg and counted; the build goes on.
 * With npaths == 0 and opts->optimize, only merges what is there (`bidx
 * optimize`).  On failure the previous index is left exactly as it was
 * and why[] says what went wrong. */
bidx_err bidx_build(const char *const *paths, int npaths, const bidx_build_opts *opts,
                    bidx_build_stats *st, char *why, size_t whylen);

/* Settings fingerprint of a build (program version, format, normaliser
 * revision, the user dictionary's content, column map):
 * an index built with other settings is rebuilt in full. */
uint64_t bidx_build_settings(const struct bidx_colmap *map);

#endif
