/*
 * index.h - opens a whole index: its manifest and every segment it lists.
 *
 * Searchers work on collection ids (manifest.h): the live documents numbered
 * in corpus order.  A segment's own ("local") ids map to collection ids
 * through the manifest; bidx_index_locate() goes the other way.  An index
 * of one segment without deletions, which is what a build from scratch or
 * `bidx optimize` leaves, maps every id to itself and costs nothing extra.
 */
#ifndef BIDX_INDEX_H
#define BIDX_INDEX_H

#include <stdatomic.h>
#include <stdint.h>
#include "error.h"
#include "manifest.h"
#include "segment.h"

/* Values derived from a whole index and kept with it (bidx_index_derived). */
enum { BIDX_DERIVED_INCIDENTS, BIDX_DERIVED_QUESTION, BIDX_DERIVED_MAX };
typedef struct bidx_derived bidx_derived;

typedef struct bidx_index {
	bidx_manifest man;       /* maps decoded, sources not */
	bidx_segment **seg;      /* man.nsegs segments, in manifest order */
	uint32_t nseg;
	uint32_t ndocs;          /* live documents */
	uint64_t total_tokens;   /* over live documents */
	int identity;            /* one segment, nothing deleted: ids are local ids */
	uint32_t *doc_seg;       /* collection id -> segment (NULL with identity) */
	uint32_t *doc_local;     /* collection id -> local id (NULL with identity) */
	char *dir;               /* owned */
	_Atomic(bidx_derived *) derived[BIDX_DERIVED_MAX];   /* made on first use; owned */
} bidx_index;

/* Opens the index in dir.  A build that publishes while this runs is
 * retried from its new manifest.  On failure returns BIDX_ENOINDEX, BIDX_EIO,
 * BIDX_ECORRUPT, BIDX_EVERSION or BIDX_ENOMEM with a one-line reason in why
 * (naming the segment file when one is at fault). */
bidx_err bidx_index_open(const char *dir, bidx_index **out, char *why, size_t whylen);
void bidx_index_close(bidx_index *ix);   /* NULL ok */

/* Opens the index that the manifest bytes man[0..len) describe over the
 * segments in dir, exactly as bidx_index_open would once they are published
 * (a build checks what it is about to publish); no retry. */
bidx_err bidx_index_open_encoded(const char *dir, const uint8_t *man, size_t len,
                                 bidx_index **out, char *why, size_t whylen);

/* An index of one segment opened on its own, every document live (for
 * tools and fuzzers that have a segment file but no manifest).  Takes
 * ownership of s, also on failure. */
bidx_err bidx_index_wrap(bidx_segment *s, bidx_index **out);

/* The value of slot `slot` derived from the whole index (say, its incident
 * groups): made by make(ix, &value) on first use and kept until
 * bidx_index_close, which frees it with drop.  An index is one manifest's
 * view, so a value never outlives the manifest it was made from: a reader
 * that opens a newer manifest gets a new index and makes it afresh.  Safe
 * to call from several threads (two first users may both make it; one value
 * is kept, the other dropped).  *out is shared: read it, never change or
 * free it; it lives as long as ix. */
bidx_err bidx_index_derived(bidx_index *ix, int slot, bidx_err (*make)(bidx_index *, void **),
                            void (*drop)(void *), void **out);

/* The segment holding collection id doc and its local id there; NULL when
 * doc is out of range. */
static inline bidx_segment *bidx_index_locate(const bidx_index *ix, uint32_t doc, uint32_t *local)
{
	*local = 0;
	if (doc >= ix->ndocs)
		return NULL;
	if (ix->identity) {
		*local = doc;
		return ix->seg[0];
	}
	*local = ix->doc_local[doc];
	return ix->seg[ix->doc_seg[doc]];
}

/* The collection id of local id d of segment s, or BIDX_DELETED. */
static inline uint32_t bidx_index_global(const bidx_index *ix, uint32_t s, uint32_t d)
{
	if (ix->identity)
		return d;
	return d < ix->man.segs[s].ndocs ? ix->man.segs[s].map[d] : BIDX_DELETED;
}

#endif
