/*
 * check.h - `bidx check`: a full verification of an index, read only.
 *
 * The manifest: its checksum, that its maps give every live document one
 * collection id, that its sources account for them in order (manifest.h),
 * that each segment file is the one it pins (its size, document count and
 * table checksum), and that its live totals are those of the live
 * documents.  Then each segment, as deep as bidx_segment_verify goes
 * (segment.h, verify.h):
 *  - every checksum: header, table, each section, each 64 KiB chunk of
 *    every section CHUNKS covers, reporting every mismatch rather than the first;
 *    padding between sections is zero;
 *  - META agrees with what it summarises (documents, terms, characters,
 *    words, corpus bytes);
 *  - every document record points inside its sections, frames, bitmaps and
 *    paths follow each other without gaps or overlaps, every stored document
 *    decompresses to text_len bytes whose normalised form has nchars
 *    characters, boundary bitmaps have bits 0 and nchars set and nothing
 *    after;
 *  - the term dictionary: keys strictly increasing and well formed, postings
 *    contiguous and exactly covering POSTINGS;
 *  - every postings list decodes with df documents, doc ids increasing and
 *    below ndocs, unigram counts consistent, bigram positions increasing and
 *    inside the document, and, when the texts fit in memory, every bigram
 *    occurrence is the pair of characters at that position and each
 *    document's occurrences add up to its length.
 * Each problem is reported with where it is (file, section, term, doc id,
 * offset).
 */
#ifndef BIDX_CHECK_H
#define BIDX_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* Called once per problem: the file (a segment's name, or "manifest"), the
 * section it was found in and a one-line description naming the term,
 * document or offset. */
typedef void (*bidx_check_fn)(const char *file, const char *section, const char *msg,
                              void *arg);

typedef struct bidx_check_stats {
	uint64_t problems;       /* problems found (all of them, reported or not) */
	uint32_t docs;           /* documents checked, deleted ones included */
	uint32_t live_docs;      /* documents the manifest keeps */
	uint32_t segments;
	uint64_t terms;          /* terms checked */
	uint64_t postings;       /* (term, doc) pairs decoded */
	uint64_t file_bytes;     /* size of the segment files */
	int content_checked;     /* bigram positions were compared with the texts */
} bidx_check_stats;

/* Checks the index in DIR.  Returns BIDX_OK when it could be examined
 * (st->problems says whether it is sound), BIDX_ENOINDEX or BIDX_EIO when
 * it cannot be read (why says so), BIDX_ENOMEM.  At most max_reports
 * problems are passed to fn; all are counted. */
bidx_err bidx_check(const char *dir, bidx_check_fn fn, void *arg, uint64_t max_reports,
                    bidx_check_stats *st, char *why, size_t whylen);

#endif
