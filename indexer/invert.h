/*
 * invert.h - in-memory inversion: character n-gram -> postings.
 *
 * Documents are added in doc-id order.  Each term keeps a "raw" postings
 * stream (see postings.h) that grows as documents arrive, so memory stays
 * close to the size of the final postings.  bidx_inv_write() sorts the terms
 * by key and streams each term's on-disk postings through a callback.
 */
#ifndef BIDX_INVERT_H
#define BIDX_INVERT_H

#include <stdint.h>
#include "buf.h"
#include "error.h"

typedef struct bidx_inverter bidx_inverter;

bidx_err bidx_inv_new(bidx_inverter **out);
void bidx_inv_free(bidx_inverter *inv);   /* NULL ok */

/* Adds document doc (greater than every earlier one): its normalised code
 * points, word-boundary bitmap and title character range. */
bidx_err bidx_inv_add(bidx_inverter *inv, uint32_t doc, const uint32_t *cp, uint32_t nchars,
                      const uint8_t *bits, uint32_t title_start, uint32_t title_end);

/* Appends one document to a raw postings stream (postings.h) built outside
 * the inverter, as a merge of segments does: gap is the doc id minus the
 * previous doc of the term minus 1 (the doc id itself for the first), n the
 * term's n-gram length, tf its count; pay holds a unigram's tf_title,
 * tf_word and tf_edge, or a bigram's tf positions, increasing.  Errors stay
 * in raw->err. */
void bidx_inv_raw_doc(bidx_buf *raw, uint32_t gap, unsigned n, uint32_t tf, const uint32_t *pay);

uint64_t bidx_inv_nterms(const bidx_inverter *inv);

/* Calls fn once per term in key order with the term's encoded postings
 * (encoded on the calling thread and a second thread; fn runs on the calling
 * thread only).  Stops at the first non-OK return of fn and returns it. */
bidx_err bidx_inv_write(bidx_inverter *inv,
                        bidx_err (*fn)(uint64_t key, uint32_t df, const bidx_buf *post, void *arg),
                        void *arg);

#endif
