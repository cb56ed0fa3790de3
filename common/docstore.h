/*
 * docstore.h - the document store codec (docs/FORMAT.md, "STORE").
 *
 * Each document is one zstd frame, so showing a hit decompresses only that
 * document.  Small frames compress poorly on their own, so frames share a
 * dictionary trained (ZDICT) on the first few megabytes of the corpus.
 */
#ifndef BIDX_DOCSTORE_H
#define BIDX_DOCSTORE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

typedef struct bidx_dsw bidx_dsw;   /* writer, see indexer side use */

/* Creates a writer; frames go to an internal buffer. */
bidx_err bidx_dsw_new(bidx_dsw **out);
/* Adds document `id` (ids must be 0, 1, 2, ... in order). */
bidx_err bidx_dsw_add(bidx_dsw *w, const char *title, size_t tlen,
                      const char *text, size_t len);
/* From now on (before any document) the training and the compression run on
 * a thread of the writer's own, so bidx_dsw_add only queues a copy of the
 * record (waiting while a few megabytes are queued) and returns the
 * thread's first failure, if any, on a later call or from finish.  The
 * frames and the dictionary are the same as without it.  If the thread
 * cannot start, everything stays in the caller. */
void bidx_dsw_background(bidx_dsw *w);
/* No more documents: the thread, if any, compresses what is queued (and
 * trains, if it had not yet) without the caller waiting; finish then waits
 * for it.  No bidx_dsw_add after this. */
void bidx_dsw_close(bidx_dsw *w);
/* Compresses whatever is still buffered (ends the thread); after this,
 * frames and dict are final. */
bidx_err bidx_dsw_finish(bidx_dsw *w);
/* After finish: the frame of doc id, the STORE bytes and the dictionary. */
void bidx_dsw_frame(const bidx_dsw *w, uint32_t id, uint64_t *off, uint32_t *len);
const bidx_buf *bidx_dsw_store(const bidx_dsw *w);
const bidx_buf *bidx_dsw_dict(const bidx_dsw *w);
/* Copies a frame compressed with dictionary dict[0..dlen) (dlen 0: none) as
 * the next document's frame (a merge).  The first call, before any
 * document, makes dict the writer's dictionary: no training, and documents
 * added later with bidx_dsw_add are compressed with it; later calls must
 * pass the same bytes.  frame NULL only adopts dict.  BIDX_EUSAGE when dict
 * is not the writer's or documents came first. */
bidx_err bidx_dsw_add_frame(bidx_dsw *w, const uint8_t *dict, size_t dlen, const uint8_t *frame,
                            size_t flen);
void bidx_dsw_free(bidx_dsw *w);   /* NULL ok */

typedef struct bidx_dsr bidx_dsr;   /* reader: a decompression context */

/* dict may be empty (len 0); the reader keeps a copy of it (dict may go). */
bidx_err bidx_dsr_new(const uint8_t *dict, size_t len, bidx_dsr **out);
void bidx_dsr_free(bidx_dsr *r);

/* Decompresses one frame that must hold exactly a title and text_len bytes
 * of text.  *buf is malloc'd (free it); *title and *text point into it. */
bidx_err bidx_dsr_get(bidx_dsr *r, const uint8_t *frame, size_t flen, uint32_t text_len,
                      char **buf, const char **title, size_t *tlen,
                      const char **text);

/* The same, decompressing only until the first `want` bytes of the text are
 * out (the whole frame when want >= text_len); *avail gets the text bytes
 * that are there.  A partial read skips the frame's own checksum: callers
 * read frames the segment has verified (STORE chunk checksums). */
bidx_err bidx_dsr_get_prefix(bidx_dsr *r, const uint8_t *frame, size_t flen, uint32_t text_len,
                             size_t want, char **buf, const char **title, size_t *tlen,
                             const char **text, size_t *avail);

#endif
