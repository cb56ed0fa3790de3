/*
 * segment_writer.h - writes one segment file section by section and publishes
 * it atomically (docs/FORMAT.md).
 */
#ifndef BIDX_SEGMENT_WRITER_H
#define BIDX_SEGMENT_WRITER_H

#include <stdint.h>
#include "buf.h"
#include "format.h"
#include "io.h"
#include "termdict.h"
#include <xxhash.h>

typedef struct bidx_segw {
	bidx_out out;
	uint64_t sec_off[BIDX_SEC_MAX + 1];
	uint64_t sec_len[BIDX_SEC_MAX + 1];
	uint64_t sec_sum[BIDX_SEC_MAX + 1];
	int cur;                 /* section being written, 0 when none */
	XXH3_state_t *cs;        /* running checksum of the current chunk */
	uint64_t chunk_fill;     /* bytes in the current chunk */
	bidx_buf chunk_sums[2];  /* per-chunk XXH3 of POSTINGS and STORE */
	bidx_tdwriter td;        /* fed while POSTINGS streams out */
} bidx_segw;

/* Opens DIR/NAME.tmp-PID and writes a placeholder header. */
bidx_err bidx_segw_open(bidx_segw *w, const char *dir, const char *name);
/* Sections must be begun in id order; each ends when the next begins. */
void bidx_segw_begin(bidx_segw *w, int id);
void bidx_segw_write(bidx_segw *w, const void *p, size_t n);
/* POSTINGS helper: appends one term's postings and records it for TERMS. */
bidx_err bidx_segw_term(uint64_t key, uint32_t df, const bidx_buf *post, void *w);
/* Writes TERMS from the recorded terms (call right after POSTINGS). */
void bidx_segw_terms(bidx_segw *w);
/* Writes the CHUNKS section (call last, after STORE and ZDICT). */
void bidx_segw_chunks(bidx_segw *w);
/* Writes the table, footer and header, fsyncs and publishes.  On any error
 * the tmp file is removed and the previous index stays as it was. */
bidx_err bidx_segw_commit(bidx_segw *w, uint64_t *file_size);
void bidx_segw_abort(bidx_segw *w);

#endif
