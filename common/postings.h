/*
 * postings.h - the postings codec (docs/FORMAT.md, "Postings").
 *
 * The indexer accumulates each term's documents in a "raw" stream (per doc:
 * varint gap from the previous doc of the term, -1 before the first, then
 * its payload: tf, then tf_title tf_word tf_edge or the tf position gaps,
 * varints) and bidx_postings_encode() cuts it into blocks of 128 docs with
 * skip headers, each field bit-packed (the position gaps with exceptions
 * for the few large ones).  The searcher walks postings with a
 * bidx_pcur, which checks every invariant against an end pointer.  The
 * steps inside a block (next, seek, a doc's positions) have inlined forms
 * here, for the loops of query evaluation; they read the fields the
 * functions read, with the same checks, and leave every other case (a
 * block's end, the next block, exceptions, a block too near the list's
 * end for an 8-byte load of each field) to the functions.
 */
#ifndef BIDX_POSTINGS_H
#define BIDX_POSTINGS_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

/* Set in a bigram block's w_pos byte when an exception list follows its tfs
 * (docs/FORMAT.md, "Postings"). */
#define BIDX_POS_EXCEPTIONS 0x80u

/* Appends the on-disk form of a raw stream holding df docs of an n-gram
 * (n = 1 or 2) to out.  Returns BIDX_ECORRUPT if raw is inconsistent. */
bidx_err bidx_postings_encode(bidx_buf *out, const uint8_t *raw, size_t rawlen,
                              uint32_t df, unsigned n);

/* The same with scratch memory kept from one call to the next (a writer
 * encoding many terms): bidx_penc_new returns NULL when out of memory;
 * bidx_penc_free accepts NULL. */
typedef struct bidx_penc bidx_penc;
bidx_penc *bidx_penc_new(void);
void bidx_penc_free(bidx_penc *e);
bidx_err bidx_postings_encode_with(bidx_penc *e, bidx_buf *out, const uint8_t *raw,
                                   size_t rawlen, uint32_t df, unsigned n);

/* Bytes a stream of count fields of width bits takes. */
static inline uint64_t bidx_stream_bytes(uint64_t count, unsigned width)
{
	return (count * width + 7) / 8;
}

/* Field i of width bits (<= 32) of the stream at s.  The caller has checked
 * that the field lies before lim; the fast path loads 8 bytes when lim
 * leaves room for them. */
static inline uint32_t bidx_pfield(const uint8_t *s, const uint8_t *lim, uint64_t i,
                                     unsigned width)
{
	if (width == 0)
		return 0;
	uint64_t bit = i * width;
	const uint8_t *p = s + bit / 8;
	uint64_t x;
	if (__builtin_expect(lim - p >= 8, 1)) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		__builtin_memcpy(&x, p, 8);
#else
		x = 0;
		for (unsigned k = 0; k < 8; k++)
			x |= (uint64_t)p[k] << (8 * k);
#endif
	} else {
		x = 0;
		for (unsigned k = 0; p + k < lim; k++)
			x |= (uint64_t)p[k] << (8 * k);
	}
	return (uint32_t)((x >> (bit % 8)) & ((1ull << width) - 1));
}

/* The same for a stream whose every field start leaves 8 bytes before the
 * list's end (bidx_pcur's fields_fast): one load, no branch (a width of 0
 * masks it to 0). */
static inline uint32_t bidx_pfield_room(const uint8_t *s, uint64_t i, unsigned width)
{
	uint64_t bit = i * width, x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__builtin_memcpy(&x, s + bit / 8, 8);
#else
	x = 0;
	for (unsigned k = 0; k < 8; k++)
		x |= (uint64_t)s[bit / 8 + k] << (8 * k);
#endif
	return (uint32_t)((x >> (bit % 8)) & ((1ull << width) - 1));
}

/* A cursor over one term's postings.  Pointers point into the mapped index
 * and live as long as the mapping. */
typedef struct bidx_pcur {
	const uint8_t *p, *end;      /* next block header .. end of the list */
	const uint8_t *bend;         /* end of the current block */
	const uint8_t *s[5];         /* the block's field streams: doc gap, tf - 1, then
	                              * tf_title, tf_word, tf_edge or the position gaps */
	uint8_t w[5];                /* their widths in bits */
	unsigned n;                  /* 1 or 2 */
	uint32_t left;               /* docs not yet returned, whole list */
	uint32_t block_left;         /* docs not yet returned in this block */
	uint32_t i;                  /* index in the block of the next doc */
	uint32_t ndocs;              /* doc ids must be below this */
	uint32_t base;               /* previous block's last doc + 1 */
	uint32_t block_last;         /* last doc of the current block (ndocs - 1 in the last) */
	uint64_t npos;               /* bigram: positions of the block's docs read so far */
	uint64_t pos_at;             /* bigram: the current doc's first position field */
	const uint8_t *xidx, *xhigh; /* bigram: the block's exceptions (indexes, high bits) */
	uint8_t xw_idx, xw_high;     /* their widths */
	uint32_t xn;                 /* how many */
	uint32_t xi;                 /* first exception not below an earlier doc's fields */
	uint64_t xnext;              /* its index (UINT64_MAX when there is none) */
	uint64_t pos_fast;           /* position bits below it: 8-byte loads stay in the list */
	uint64_t xlast;              /* index of the last exception (0 if none) */
	int fields_fast;             /* 8-byte loads of the per-doc fields (bigram: doc gaps
	                                and tfs) stay in the list (bidx_pfield_room) */
	int64_t doc;                 /* current doc, -1 before the first */
	uint32_t tf, tf_title, tf_word, tf_edge;  /* current doc's payload */
} bidx_pcur;

/* Starts a cursor on data[0..len) with df docs; BIDX_OK or BIDX_ECORRUPT.
 * Every decode below checks against the end pointer and returns
 * BIDX_ECORRUPT (through bidx_corrupt) rather than read past it; after an
 * error the cursor must not be used again. */
bidx_err bidx_pcur_init(bidx_pcur *c, const uint8_t *data, size_t len, uint32_t df,
                        unsigned n, uint32_t ndocs);

/* Moves to the next doc: *have is 1 on a doc (c->doc, c->tf... filled), 0 at
 * the end of the list.  BIDX_OK or BIDX_ECORRUPT (then *have is 0). */
bidx_err bidx_pcur_next(bidx_pcur *c, int *have);

/* The doc at field i of the cursor's block: its base plus the gap at the
 * first field, else prev + 1 plus the gap (bidx_pfield_room: the caller
 * knows there is room after the field). */
static inline int64_t bidx_pcur_doc_after(const bidx_pcur *c, uint32_t i, int64_t prev)
{
	uint64_t gap = bidx_pfield_room(c->s[0], i, c->w[0]);
	return i == 0 ? (int64_t)c->base + (int64_t)gap : prev + 1 + (int64_t)gap;
}

/* bidx_pcur_next inlined for a bigram cursor inside a block, short of its
 * last doc (whose end checks, and entering the next block, the function
 * does): the same fields read and the same checks. */
static inline bidx_err bidx_pcur_next_fast(bidx_pcur *c, int *have)
{
	if (c->n != 2 || c->block_left < 2 || !c->fields_fast)
		return bidx_pcur_next(c, have);
	uint32_t i = c->i;
	int64_t doc = bidx_pcur_doc_after(c, i, c->doc);
	uint64_t tf = (uint64_t)bidx_pfield_room(c->s[1], i, c->w[1]) + 1;
	*have = 0;
	if (doc > c->block_last || tf > UINT32_MAX ||
	    bidx_stream_bytes(c->npos + tf, c->w[2]) > (uint64_t)(c->bend - c->s[2]))
		return bidx_corrupt();
	c->doc = doc;
	c->tf = (uint32_t)tf;
	c->pos_at = c->npos;
	c->npos += tf;
	c->i = i + 1;
	c->block_left--;
	c->left--;
	*have = 1;
	return BIDX_OK;
}

/* bidx_pcur_next inlined for a unigram cursor (counts, no positions)
 * inside a block, short of its last doc: the same fields read with the
 * same checks. */
static inline bidx_err bidx_pcur_next_counts_fast(bidx_pcur *c, int *have)
{
	if (c->n != 1 || c->block_left < 2 || !c->fields_fast)
		return bidx_pcur_next(c, have);
	uint32_t i = c->i;
	/* enter_block checked that the fields lie in the block, and room after */
	int64_t doc = bidx_pcur_doc_after(c, i, c->doc);
	uint64_t tf = (uint64_t)bidx_pfield_room(c->s[1], i, c->w[1]) + 1;
	uint32_t tt = bidx_pfield_room(c->s[2], i, c->w[2]);
	uint32_t tw = bidx_pfield_room(c->s[3], i, c->w[3]);
	uint32_t te = bidx_pfield_room(c->s[4], i, c->w[4]);
	*have = 0;
	if (doc > c->block_last || tf > UINT32_MAX || tt > tf || (uint64_t)tw + te > tf)
		return bidx_corrupt();
	c->doc = doc;
	c->tf = (uint32_t)tf;
	c->tf_title = tt;
	c->tf_word = tw;
	c->tf_edge = te;
	c->i = i + 1;
	c->block_left--;
	c->left--;
	*have = 1;
	return BIDX_OK;
}

/* Moves to the first doc >= target (skipping whole blocks where it can):
 * *have is 1 on such a doc, 0 when the list ends first.  BIDX_OK or
 * BIDX_ECORRUPT (then *have is 0). */
bidx_err bidx_pcur_seek(bidx_pcur *c, uint32_t target, int *have);

/* bidx_pcur_seek inlined for a bigram cursor whose target lies in its
 * current block, short of the block's last doc (otherwise the function,
 * which hops over blocks and checks a block's end): the docs passed over
 * only move the position stream on, as there, with the same checks. */
static inline bidx_err bidx_pcur_seek_fast(bidx_pcur *c, uint32_t target, int *have)
{
	*have = 1;
	if (c->doc >= (int64_t)target)
		return BIDX_OK;
	if (c->n != 2 || c->block_left < 2 || target > c->block_last || !c->fields_fast)
		return bidx_pcur_seek(c, target, have);
	uint32_t i = c->i, stop = c->i + c->block_left - 1;
	int64_t doc = c->doc;
	uint64_t npos = c->npos;
	for (; i < stop; i++) {
		doc = bidx_pcur_doc_after(c, i, doc);
		if (doc >= (int64_t)target)
			break;
		npos += 1 + (uint64_t)bidx_pfield_room(c->s[1], i, c->w[1]);
	}
	if (i == stop)   /* the block's last doc, or past it */
		return bidx_pcur_seek(c, target, have);
	uint64_t tf = (uint64_t)bidx_pfield_room(c->s[1], i, c->w[1]) + 1;
	*have = 0;
	if (doc > c->block_last || tf > UINT32_MAX ||
	    bidx_stream_bytes(npos + tf, c->w[2]) > (uint64_t)(c->bend - c->s[2]))
		return bidx_corrupt();
	c->left -= i + 1 - c->i;
	c->block_left -= i + 1 - c->i;
	c->i = i + 1;
	c->doc = doc;
	c->tf = (uint32_t)tf;
	c->pos_at = npos;
	c->npos = npos + tf;
	*have = 1;
	return BIDX_OK;
}

/* Bigram cursors: decodes the current doc's tf positions into out[] (room for
 * c->tf entries), checking they increase and are < limit.  BIDX_OK or
 * BIDX_ECORRUPT. */
bidx_err bidx_pcur_positions(bidx_pcur *c, uint32_t *out, uint32_t limit);

/* The same, inlined where the current doc's fields hold no exception and
 * lie where 8-byte loads stay in the list, or are all 0 (width 0: the doc's
 * positions are 0, 1, 2..., a text that starts with the bigram, its
 * other occurrences exceptions), which is most docs of most bigrams: a
 * doc's few positions then cost no call; otherwise bidx_pcur_positions.
 * Every field is checked as there. */
static inline __attribute__((always_inline)) bidx_err
bidx_pcur_positions_fast(bidx_pcur *c, uint32_t *out, uint32_t limit)
{
	uint64_t at = c->pos_at, w = c->w[2], end = at + c->tf;
	if (c->n != 2 || c->doc < 0 || c->xnext < end)
		return bidx_pcur_positions(c, out, limit);
	if (w == 0) {   /* every gap 0 */
		if (c->tf > limit)   /* the first position at limit or past it */
			return bidx_corrupt();
		for (uint32_t i = 0; i < c->tf; i++)
			out[i] = i;
		return BIDX_OK;
	}
	if (end * w + 1 > c->pos_fast)
		return bidx_pcur_positions(c, out, limit);
	const uint8_t *s = c->s[2];
	uint64_t mask = (1ull << w) - 1, bit = at * w;
	int64_t pos = -1;
	for (uint32_t i = 0; i < c->tf; i++, bit += w) {
		uint64_t x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		__builtin_memcpy(&x, s + bit / 8, 8);
#else
		x = 0;
		for (unsigned k = 0; k < 8; k++)
			x |= (uint64_t)s[bit / 8 + k] << (8 * k);
#endif
		pos += 1 + (int64_t)((x >> (bit % 8)) & mask);
		if (pos >= (int64_t)limit)
			return bidx_corrupt();
		out[i] = (uint32_t)pos;
	}
	return BIDX_OK;
}

/* The current doc's positions by parts, for a caller that looks for one
 * position and stops at the first that answers: out[0..from) holds fields
 * 0..from-1 (from <= c->tf), as earlier calls for this doc decoded them;
 * decodes the next ones, as bidx_pcur_positions does and with its checks,
 * up to and including the first position >= upto, or to the last.  *n is
 * then how many of out are decoded (c->tf once the last is).  Fields past
 * *n are not read, so not checked either.  BIDX_OK or BIDX_ECORRUPT. */
bidx_err bidx_pcur_positions_part(bidx_pcur *c, uint32_t *out, uint32_t limit, uint32_t from,
                                  uint32_t upto, uint32_t *n);

/* The same, inlined where bidx_pcur_positions_fast is: a doc without an
 * exception whose fields 8-byte loads reach, or one of width 0. */
static inline bidx_err bidx_pcur_positions_part_fast(bidx_pcur *c, uint32_t *out, uint32_t limit,
                                                     uint32_t from, uint32_t upto, uint32_t *n)
{
	uint64_t at = c->pos_at, w = c->w[2], end = at + c->tf;
	if (c->n != 2 || c->doc < 0 || c->xnext < end || from > c->tf ||
	    (w && end * w + 1 > c->pos_fast))
		return bidx_pcur_positions_part(c, out, limit, from, upto, n);
	const uint8_t *s = c->s[2];
	uint64_t mask = (1ull << w) - 1, bit = (at + from) * w;
	int64_t pos = from ? (int64_t)out[from - 1] : -1;
	uint32_t i = from;
	*n = from;
	for (; i < c->tf; i++, bit += w) {
		uint64_t x = 0;   /* width 0: every gap 0, nothing to load */
		if (w) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			__builtin_memcpy(&x, s + bit / 8, 8);
#else
			for (unsigned k = 0; k < 8; k++)
				x |= (uint64_t)s[bit / 8 + k] << (8 * k);
#endif
		}
		pos += 1 + (int64_t)((x >> (bit % 8)) & mask);
		if (pos >= (int64_t)limit)
			return bidx_corrupt();
		out[i] = (uint32_t)pos;
		if (pos >= (int64_t)upto) {
			*n = i + 1;
			return BIDX_OK;
		}
	}
	*n = c->tf;
	return BIDX_OK;
}

#endif
