/*
 * assembly.h - one segment in the making: documents go in one by one under
 * consecutive doc ids (0, 1, ...), and come out as one segment file.
 *
 * A document comes either from an analysis (a new or changed file) or from
 * a segment being merged.  An analysed one feeds the inverter, the
 * document store and the per-document sections; a merged one its records
 * as they are, its frame copied or compressed again, while the merge hands
 * over the postings (bidx_assembly_set_postings); a merged segment holds
 * what a build of its documents from scratch would.
 */
#ifndef BIDX_ASSEMBLY_H
#define BIDX_ASSEMBLY_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"
#include "error.h"
#include "segment.h"
#include "segment_writer.h"

typedef struct bidx_assembly bidx_assembly;

/* An empty assembly in *out (NULL on failure); the caller frees it. */
bidx_err bidx_assembly_new(bidx_assembly **out);
void bidx_assembly_free(bidx_assembly *b);   /* NULL ok */

/* Documents added so far: the doc id the next one gets. */
uint32_t bidx_assembly_ndocs(const bidx_assembly *b);

/* Adds one analysed document (its buffers are copied). */
bidx_err bidx_assembly_add_analysed(bidx_assembly *b, const bidx_adoc *a);

/* Adds document `local` of segment s as it was analysed: the stored text
 * normalised again (cheap next to MeCab), the boundaries, checkpoints and
 * fields as they are.  BIDX_ECORRUPT when s does not hold together. */
bidx_err bidx_assembly_add_stored(bidx_assembly *b, bidx_segment *s, uint32_t local);

/* A merge at the postings level (merge.c) gives the postings itself and
 * adds each document with bidx_assembly_add_copied, which leaves the
 * inverter out.  First, before any document, the dictionary of the source
 * s whose frames are to be copied becomes the store's. */
bidx_err bidx_assembly_adopt_dict(bidx_assembly *b, const bidx_segment *s);

/* Adds document `local` of segment s without inverting it: its records as
 * they are, its STORE frame copied when s's dictionary is the adopted one,
 * else decompressed and compressed again.  BIDX_ECORRUPT when s does not
 * hold together. */
bidx_err bidx_assembly_add_copied(bidx_assembly *b, bidx_segment *s, uint32_t local);

/* POSTINGS and TERMS from terms(arg, fn, w), which hands fn nterms terms
 * in key order (see bidx_segw_input), instead of from the inverter.  arg
 * must live until bidx_assembly_write. */
void bidx_assembly_set_postings(bidx_assembly *b, uint64_t nterms,
                                bidx_err (*terms)(void *arg, bidx_segw_term_fn fn, void *w),
                                void *arg);

/* Writes the documents as segment file DIR/NAME, published atomically
 * (segment_writer.h); call once, after the last document.  On failure
 * why[] says what went wrong; the file may be in place if only the
 * directory fsync failed. */
bidx_err bidx_assembly_write(bidx_assembly *b, const char *dir, const char *name, char *why,
                             size_t whylen);

#endif
