/*
 * manifest.h - the file that says which segments make up an index
 * (docs/FORMAT.md, "MANIFEST").
 *
 * An index directory holds immutable segment files (seg-SEQ.bidx, each in
 * the format of segment.h) and one small manifest.  The manifest
 * lists the segments and, for every document of every segment, its
 * collection-wide id or the mark that it is deleted; and it lists the source
 * files with what an update needs to know about them (size, mtime, content
 * hash, where their documents are).  Collection ids number the live
 * documents 0..ndocs-1 in corpus order (the order of the files as walked,
 * then of the records in a file), exactly the doc ids a build from scratch
 * would give them, so hits, ties and scores do not depend on how the index
 * came to be.  Publishing a new manifest (write, fsync, rename) is what
 * publishes a build: a reader sees either the old set of segments or the
 * new one.
 */
#ifndef BIDX_MANIFEST_H
#define BIDX_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct bidx_buf;

#define BIDX_MANIFEST_FILE "manifest"
#define BIDX_MAN_MAGIC "BIDXMAN\n"
#define BIDX_MAN_HEADER_SIZE 80
#define BIDX_MAN_SEG_SIZE 24
#define BIDX_MAN_SRC_SIZE 48     /* a source entry before its path */
#define BIDX_DELETED UINT32_MAX  /* map entry of a deleted document */

typedef struct bidx_man_seg {
	uint32_t seq;         /* the file is seg-SEQ.bidx (six digits at least) */
	uint32_t ndocs;       /* documents in the segment, live or deleted */
	uint64_t size;        /* bytes of the segment file */
	uint64_t sum;         /* its table_sum: pins every checksum, so every byte */
	uint32_t *map;        /* ndocs collection ids or BIDX_DELETED; owned */
	uint32_t live;        /* entries that are not BIDX_DELETED */
} bidx_man_seg;

typedef struct bidx_source {
	char *path;           /* as printed by the build; owned */
	uint64_t size;        /* file size and mtime when it was read */
	int64_t mtime_ns;
	uint64_t hash;        /* XXH3 of the file's bytes */
	uint64_t bytes;       /* bytes of text it gave */
	uint32_t seg;         /* index into segs of its documents */
	uint32_t first;       /* its first document in that segment */
	uint32_t ndocs;       /* its documents: first .. first+ndocs-1 */
} bidx_source;

typedef struct bidx_manifest {
	uint64_t generation;  /* +1 at every publish */
	uint64_t settings;    /* fingerprint of what analysis depends on */
	uint32_t next_seq;    /* the next segment file number */
	uint32_t ndocs;       /* live documents */
	uint64_t total_tokens;   /* over live documents, for BM25 */
	uint64_t total_chars;
	uint64_t corpus_bytes;
	bidx_man_seg *segs;   /* owned */
	uint32_t nsegs;
	bidx_source *src;     /* in corpus order; owned (NULL when not decoded) */
	uint32_t nsrc;
	char **roots;         /* the corpus roots (absolute paths) a build with no path
	                         walks; owned; decoded with the sources; none in a
	                         manifest written before roots were kept */
	uint32_t nroots;
} bidx_manifest;

/* Decodes and checks a manifest: magic, version, checksum, sizes, and that
 * the maps give every collection id 0..ndocs-1 exactly once.  Sources are
 * decoded only with want_sources (a searcher does not need them) and are
 * then checked against the maps.  On failure returns BIDX_ECORRUPT or
 * BIDX_EVERSION (or BIDX_ENOMEM) with a reason in why. */
bidx_err bidx_manifest_decode(const uint8_t *p, size_t len, int want_sources, bidx_manifest *m,
                              char *why, size_t whylen);

/* Checks the live totals m records against the ones counted from its live
 * documents (tokens and chars, from their segments) and from its sources
 * (bytes; m must have been decoded with its sources).  BIDX_OK, or
 * BIDX_ECORRUPT with both sets of totals in why. */
bidx_err bidx_manifest_check_totals(const bidx_manifest *m, uint64_t tokens, uint64_t chars,
                                    char *why, size_t whylen);

/* Reads DIR/manifest and decodes it.  BIDX_ENOINDEX when there is none. */
bidx_err bidx_manifest_read(const char *dir, int want_sources, bidx_manifest *m, char *why,
                            size_t whylen);

/* Appends the bytes of m, as written to DIR/manifest, to b; b->err on
 * failure. */
bidx_err bidx_manifest_encode(const bidx_manifest *m, struct bidx_buf *b);

/* Writes encoded manifest bytes to DIR/manifest atomically, as below. */
bidx_err bidx_manifest_write_encoded(const char *dir, const uint8_t *p, size_t len,
                                     int *published);

/* Writes m to DIR/manifest atomically (tmp file, fsync, rename, directory
 * fsync).  On failure the previous manifest is untouched, unless
 * *published says the rename was done (only the directory fsync failed). */
bidx_err bidx_manifest_write(const char *dir, const bidx_manifest *m, int *published);

void bidx_manifest_free(bidx_manifest *m);   /* NULL ok; zeroes it */

/* "seg-000012.bidx" for seq 12; out must hold 32 bytes. */
void bidx_segment_name(uint32_t seq, char *out, size_t outlen);

/* 1 when name[0..len) is exactly a name bidx_segment_name gives (then *seq
 * is its number): "seg-000012.bidx", not "seg-12.bidx" nor "seg-000012.bidx.bak". */
int bidx_segment_parse_name(const char *name, size_t len, uint32_t *seq);

/* 1 for the names of the files a build writes in an index directory: the
 * manifest and the segments (exactly as above).  Nothing else there is
 * removed by a build. */
int bidx_index_own_name(const char *name, size_t len);

#endif
