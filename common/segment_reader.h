/*
 * segment_reader.h - opens a segment file read-only and hands out its parts.
 *
 * Opening maps the file, checks the header, footer and section table, and
 * verifies the XXH3 checksum of every section but the two large ones,
 * POSTINGS and STORE; nothing else is parsed.  Those two are verified 64 KiB
 * chunk by chunk, the first time a query touches a chunk
 * (bidx_segment_need), so opening costs the same for any corpus size and
 * nothing is ever answered from unverified bytes.  All
 * pointers handed out point into the mapping and live until
 * bidx_segment_close().  Every accessor checks its bounds and reports
 * corruption instead of reading outside the section.
 *
 * Threads: any number of threads may query one open segment at once.  The
 * only state that changes after opening is the chunk-verified bitmaps
 * (atomic bit sets: a chunk verified twice by two threads is harmless) and
 * the pool of decompression contexts (a mutex around taking and returning
 * one; decompression itself runs unlocked, one context per thread).
 */
#ifndef BIDX_SEGMENT_READER_H
#define BIDX_SEGMENT_READER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "docstore.h"
#include "error.h"
#include "format.h"
#include "fields.h"
#include "termdict.h"

typedef struct bidx_section_ref {
	const uint8_t *p;   /* in the mapping */
	size_t len;
} bidx_section_ref;

#define BIDX_DSR_POOL 16   /* idle decompression contexts kept per segment */

typedef struct bidx_segment {
	const uint8_t *map;
	size_t size;
	bidx_section_ref sec[BIDX_SEC_MAX + 1];   /* indexed by section id */
	bidx_meta meta;
	bidx_termdict td;
	bidx_dsr *dsr[BIDX_DSR_POOL];   /* idle decompression contexts, made on demand */
	int ndsr;                       /* of them in dsr[] */
	pthread_mutex_t dsr_lock;       /* guards dsr[] and ndsr */
	const uint8_t *chunk_sum[2];   /* per-chunk XXH3 of POSTINGS, STORE (CHUNKS) */
	uint32_t nchunks[2];
	uint8_t *chunk_ok[2];          /* bitmaps: chunk verified (atomic bit sets); owned */
	char *path;           /* the segment file; owned */
	uint64_t table_sum;   /* XXH3 of the section table (from the footer) */
} bidx_segment;

/* Opens one segment file (index.h opens a whole index).  On failure returns
 * BIDX_ENOINDEX (no such file), BIDX_EIO, BIDX_ECORRUPT or BIDX_EVERSION
 * and writes a one-line reason (without the path) into why[whylen]. */
bidx_err bidx_segment_open_file(const char *path, bidx_segment **out, char *why, size_t whylen);
void bidx_segment_close(bidx_segment *s);   /* NULL ok */

/* Verifies every section checksum, POSTINGS and STORE included (for
 * `bidx check` and tests). */
bidx_err bidx_segment_verify(const bidx_segment *s, char *why, size_t whylen);

/* Makes sure bytes [off, off+len) of section id (POSTINGS or STORE) have
 * been verified against their chunk checksums; BIDX_ECORRUPT when not. */
bidx_err bidx_segment_need(bidx_segment *s, int id, uint64_t off, uint64_t len);

/* Document record of id, checked against the sections it points into. */
bidx_err bidx_segment_doc(const bidx_segment *s, uint32_t id, bidx_docrec *d);

/* Field record of document id, checked against FIELDSTR.  Its strings are
 * s->sec[BIDX_SEC_FIELDSTR].p + f->str_off, f->str_len bytes. */
bidx_err bidx_segment_fields(const bidx_segment *s, uint32_t id, bidx_fieldrec *f);

/* The normalisation checkpoints of document id: *n pairs of u32le
 * (character, byte) at *pairs (see docs/FORMAT.md, CKPTS); not checked
 * against the document (callers check char < nchars, byte < text_len). */
bidx_err bidx_segment_ckpts(const bidx_segment *s, uint32_t id, const uint8_t **pairs, uint32_t *n);

/* The word-boundary bitmap of a checked record (ceil((nchars+1)/8) bytes). */
const uint8_t *bidx_segment_bounds(const bidx_segment *s, const bidx_docrec *d);

/* The path of a checked record (not NUL-terminated; length d->path_len). */
const char *bidx_segment_path(const bidx_segment *s, const bidx_docrec *d);

/* Decompresses a document: *buf is malloc'd (caller frees), title and text
 * point into it; text is d->text_len bytes. */
bidx_err bidx_segment_fetch(bidx_segment *s, const bidx_docrec *d, char **buf,
                            const char **title, size_t *tlen, const char **text);

/* Decompresses only the first `want` bytes of a document's text (all of it
 * when want >= d->text_len); *avail gets how many are there. */
bidx_err bidx_segment_fetch_prefix(bidx_segment *s, const bidx_docrec *d, size_t want, char **buf,
                                   const char **title, size_t *tlen, const char **text,
                                   size_t *avail);

/* The postings bytes of a term found in the dictionary. */
static inline const uint8_t *bidx_segment_postings(const bidx_segment *s, const bidx_term *t)
{
	return s->sec[BIDX_SEC_POSTINGS].p + t->post_off;
}

static inline int bidx_bit(const uint8_t *bits, uint32_t i)
{
	return bits[i >> 3] >> (i & 7) & 1;
}

#endif
