/*
 * assembly.h - one segment in the making: documents go in one by one under
 * consecutive doc ids (0, 1, ...), and come out as one segment file.
 *
 * A document comes either from an analysis (a new or changed file) or from
 * a segment being merged, read back as it was analysed; both feed the same
 * inverter, document store and per-document sections, so a merged segment
 * holds exactly what a build of its documents from scratch would.
 */
#ifndef BIDX_ASSEMBLY_H
#define BIDX_ASSEMBLY_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"
#include "error.h"
#include "segment.h"

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

/* Writes the documents as segment file DIR/NAME, published atomically
 * (segment_writer.h); call once, after the last document.  On failure
 * why[] says what went wrong; the file may be in place if only the
 * directory fsync failed. */
bidx_err bidx_assembly_write(bidx_assembly *b, const char *dir, const char *name, char *why,
                             size_t whylen);

#endif
