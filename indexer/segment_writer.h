/*
 * segment_writer.h - writes one segment file and publishes it atomically
 * (docs/FORMAT.md, "Segment file").
 *
 * The caller describes the whole segment (bidx_segw_input) and
 * bidx_segw_write emits its sections itself, in id order, through the
 * layout encoders of common/segment.h: POSTINGS streamed term by term as
 * the caller hands them over, TERMS built from them as they go, the
 * document records with their STORE frames, CHUNKS from the checksums taken
 * while POSTINGS and STORE went out, then the table, the footer and the
 * header.  The file is written as DIR/NAME.tmp-PID, fsynced and renamed.
 */
#ifndef BIDX_SEGMENT_WRITER_H
#define BIDX_SEGMENT_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "docstore.h"
#include "error.h"
#include "segment.h"

/* Takes one term's encoded postings (keys strictly increasing); w is the
 * writer's, passed through. */
typedef bidx_err (*bidx_segw_term_fn)(uint64_t key, uint32_t df, const bidx_buf *post, void *w);

typedef struct bidx_span {
	const void *p;
	size_t len;
} bidx_span;

/* Everything a segment holds.  Borrowed for the call. */
typedef struct bidx_segw_input {
	bidx_meta meta;                 /* META; meta.ndocs documents below */
	/* POSTINGS: calls fn(key, df, postings, w) once per term in key order
	 * and returns the first error of fn, or its own */
	bidx_err (*terms)(void *terms_arg, bidx_segw_term_fn fn, void *w);
	void *terms_arg;
	const bidx_docrec *docs;        /* DOCS; their frames are taken from store */
	bidx_dsw *store;                /* STORE and ZDICT; finished here */
	bidx_span bounds;               /* BOUNDS */
	bidx_span paths;                /* PATHS */
	bidx_span fields;               /* FIELDS */
	bidx_span fieldstr;             /* FIELDSTR */
	bidx_span ckpt_first;           /* CKPTS: each document's first pair, u64le */
	bidx_span ckpts;                /* CKPTS: the pairs */
	uint64_t nckpts;                /* pairs in ckpts */
} bidx_segw_input;

/* Writes the segment DIR/NAME; *file_size gets its size.  On any error the
 * tmp file is removed, the previous index stays as it was, and why says
 * what failed (naming DIR). */
bidx_err bidx_segw_write(const char *dir, const char *name, const bidx_segw_input *in,
                         uint64_t *file_size, char *why, size_t whylen);

#endif
