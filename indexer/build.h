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

/* What a build does with the corpus roots the index remembers. */
typedef enum bidx_build_mode {
	BIDX_BUILD_ADD,          /* the paths given join the roots; none: the roots as they are */
	BIDX_BUILD_REPLACE,      /* the paths given become the roots (--replace) */
	BIDX_BUILD_REMOVE,       /* the paths given leave the roots (`bidx remove`) */
	BIDX_BUILD_OPTIMIZE      /* no corpus read: only merge (`bidx optimize`) */
} bidx_build_mode;

typedef struct bidx_build_opts {
	bidx_build_mode mode;
	const char *index_dir;   /* the index directory */
	int verbose;             /* a line per file indexed */
	int progress;            /* a progress line on stderr (a terminal) */
	FILE *msg;               /* skip notices and progress (stderr) */
	const struct bidx_colmap *map;   /* COL=FIELD overrides for CSV/JSONL, or NULL */
	int threads;             /* analysis threads; 0 = one per online CPU */
	int full;                /* analyse every file, reuse nothing */
	int follow;              /* follow symbolic links out of the corpus too */
	int optimize;            /* finish with one segment and no deletions */
	const char *const *exclude;   /* --exclude globs (ignore.h) */
	size_t nexclude;
} bidx_build_opts;

typedef struct bidx_build_stats {
	uint64_t files_seen;     /* files considered, indexed or not */
	uint64_t docs;           /* documents analysed by this build */
	uint64_t live_docs;      /* documents in the index afterwards */
	uint64_t skipped;        /* files, records and directories left out */
	uint64_t bytes;          /* bytes of text analysed by this build */
	uint64_t corpus_bytes;   /* bytes of text the index holds */
	uint64_t added, updated, removed, unchanged;   /* source files */
	uint64_t removed_roots;  /* of removed: files of roots this build dropped */
	uint64_t terms;          /* terms of the segment written, if any */
	uint64_t index_bytes;    /* bytes of all segments */
	uint32_t segments;       /* segments afterwards */
	uint32_t merged;         /* segments merged away by this build */
	int published;           /* 0 when nothing changed and nothing was written */
	double seconds;
} bidx_build_stats;

/* Builds or updates the index of the corpus paths in opts->index_dir.
 * Unusable files are reported on opts->msg and counted; the build goes on.
 * The corpus walked is the index's roots as opts->mode makes them of paths
 * (none for BIDX_BUILD_ADD: the roots remembered); they are kept in the new
 * manifest.  BIDX_BUILD_OPTIMIZE only merges what is there (`bidx
 * optimize`).  What the previous index had and this one drops is said on
 * opts->msg: one line per dropped root, one per file no longer found.  On failure the previous index is left exactly as it was
 * and why[] says what went wrong. */
bidx_err bidx_build(const char *const *paths, int npaths, const bidx_build_opts *opts,
                    bidx_build_stats *st, char *why, size_t whylen);

#endif
