/*
 * termdict.h - the term dictionary (docs/FORMAT.md, "Terms").
 *
 * Sorted u64 keys cut into blocks of 64 entries; a fixed-size block index is
 * binary-searched straight from the mapping, so opening costs nothing and a
 * lookup decodes at most one block.
 */
#ifndef BIDX_TERMDICT_H
#define BIDX_TERMDICT_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

typedef struct bidx_tdwriter {
	bidx_buf idx;        /* block index records */
	bidx_buf ent;        /* entries */
	uint32_t nterms;
	uint64_t prev_key;
	uint64_t post_off;   /* where the next term's postings start */
	bidx_err err;        /* sticky */
} bidx_tdwriter;

#define BIDX_TDWRITER_INIT {BIDX_BUF_INIT, BIDX_BUF_INIT, 0, 0, 0, BIDX_OK}

/* Adds a term; keys must strictly increase.  Errors are sticky. */
void bidx_tdw_add(bidx_tdwriter *w, uint64_t key, uint32_t df, uint64_t post_len);
/* Appends the TERMS section to out and frees w's buffers. */
bidx_err bidx_tdw_finish(bidx_tdwriter *w, bidx_buf *out);
void bidx_tdw_free(bidx_tdwriter *w);

typedef struct bidx_termdict {
	const uint8_t *idx;      /* block index, in the mapping */
	const uint8_t *ent;      /* entries area */
	const uint8_t *ent_end;
	uint32_t nterms;
	uint32_t nblocks;
	uint64_t post_size;      /* bytes of the POSTINGS section */
	/* When set, called before a block's entries are read, with their byte
	 * range within the TERMS data (a reader verifying them first);
	 * bidx_termdict_open clears it. */
	bidx_err (*need)(const void *arg, uint64_t off, uint64_t len);
	const void *need_arg;
	const uint8_t *data;     /* the TERMS data */
} bidx_termdict;

typedef struct bidx_term {
	uint64_t key;
	uint32_t df;
	uint64_t post_off;       /* within POSTINGS */
	uint64_t post_len;
} bidx_term;

/* Checks the TERMS header and sizes; BIDX_OK or BIDX_ECORRUPT. */
bidx_err bidx_termdict_open(bidx_termdict *td, const uint8_t *data, size_t len, uint64_t post_size);

/* Looks key up: *found is 1 and *t filled when it is there, 0 when absent.
 * BIDX_ECORRUPT (and *found 0) when the block it lands in is corrupt. */
bidx_err bidx_termdict_find(const bidx_termdict *td, uint64_t key, bidx_term *t, int *found);

/* Visits every term in key order (for `bidx check`); stops early when fn
 * returns non-zero and puts that value in *stopped (0 when every term was
 * visited; stopped may be NULL).  BIDX_ECORRUPT when a block is undecodable
 * or keys/postings do not follow each other; the terms before it were
 * visited. */
bidx_err bidx_termdict_each(const bidx_termdict *td,
                            int (*fn)(const bidx_term *t, void *arg), void *arg, int *stopped);

#endif
