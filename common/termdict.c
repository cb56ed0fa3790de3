/*
 * termdict.c - the term dictionary codec (termdict.h, docs/FORMAT.md
 * "Terms").  The writer takes terms in strictly increasing key order and
 * cuts them into blocks of 64 entries: inside a block each entry is the
 * key's gap from the previous key, the df and the postings length, as
 * varints; a fixed-size index entry per block holds its first key, its
 * postings offset and where its entries start.  A lookup binary-searches
 * that index straight from the mapping and decodes one block, checking
 * every varint and offset against the section's end and the postings size.
 */
#include "termdict.h"
#include "format.h"
#include "varint.h"

void bidx_tdw_add(bidx_tdwriter *w, uint64_t key, uint32_t df, uint64_t post_len)
{
	if (w->err)
		return;
	if (w->nterms > 0 && key <= w->prev_key) {
		w->err = bidx_corrupt();
		return;
	}
	if (w->nterms % BIDX_TERMS_PER_BLOCK == 0) {
		bidx_buf_put_u64le(&w->idx, key);
		bidx_buf_put_u64le(&w->idx, w->post_off);
		bidx_buf_put_u32le(&w->idx, (uint32_t)w->ent.len);
		bidx_buf_put_u32le(&w->idx, 0);
		bidx_buf_put_varint(&w->ent, 0);
		if (w->ent.len > UINT32_MAX)
			w->err = BIDX_ETOOBIG;
	} else {
		bidx_buf_put_varint(&w->ent, key - w->prev_key);
	}
	bidx_buf_put_varint(&w->ent, df);
	bidx_buf_put_varint(&w->ent, post_len);
	w->prev_key = key;
	w->post_off += post_len;
	w->nterms++;
	if (w->idx.err || w->ent.err)
		w->err = BIDX_ENOMEM;
}

void bidx_tdw_free(bidx_tdwriter *w)
{
	if (!w)
		return;
	bidx_buf_free(&w->idx);
	bidx_buf_free(&w->ent);
}

bidx_err bidx_tdw_finish(bidx_tdwriter *w, bidx_buf *out)
{
	bidx_err rc = w->err;
	if (!rc) {
		uint32_t nblocks = (w->nterms + BIDX_TERMS_PER_BLOCK - 1) / BIDX_TERMS_PER_BLOCK;
		bidx_buf_put_u32le(out, w->nterms);
		bidx_buf_put_u32le(out, nblocks);
		bidx_buf_put_u32le(out, BIDX_TERMS_PER_BLOCK);
		bidx_buf_put_u32le(out, 0);
		bidx_buf_put(out, w->idx.p, w->idx.len);
		bidx_buf_put(out, w->ent.p, w->ent.len);
		if (out->err)
			rc = out->err;
	}
	bidx_tdw_free(w);
	return rc;
}

bidx_err bidx_termdict_open(bidx_termdict *td, const uint8_t *data, size_t len, uint64_t post_size)
{
	BIDX_CORRUPT_IF(len < BIDX_TERMS_HEADER_SIZE);
	td->nterms = bidx_get_u32le(data);
	td->nblocks = bidx_get_u32le(data + 4);
	BIDX_CORRUPT_IF(bidx_get_u32le(data + 8) != BIDX_TERMS_PER_BLOCK);
	BIDX_CORRUPT_IF(td->nblocks !=
	                ((uint64_t)td->nterms + BIDX_TERMS_PER_BLOCK - 1) / BIDX_TERMS_PER_BLOCK);
	BIDX_CORRUPT_IF((len - BIDX_TERMS_HEADER_SIZE) / BIDX_BLOCKIDX_SIZE < td->nblocks);
	td->idx = data + BIDX_TERMS_HEADER_SIZE;
	td->ent = td->idx + (size_t)td->nblocks * BIDX_BLOCKIDX_SIZE;
	td->ent_end = data + len;
	td->post_size = post_size;
	td->need = NULL;
	td->need_arg = NULL;
	td->data = data;
	return BIDX_OK;
}

/* Decodes block b's entries, calling fn on each; stops at a non-zero fn,
 * whose value goes to *stop (0 when fn never stopped the walk). */
static bidx_err walk_block(const bidx_termdict *td, uint32_t b,
                           int (*fn)(const bidx_term *t, void *arg), void *arg, int *stop)
{
	const uint8_t *rec = td->idx + (size_t)b * BIDX_BLOCKIDX_SIZE;
	uint64_t key = bidx_get_u64le(rec);
	uint64_t off = bidx_get_u64le(rec + 8);
	uint32_t eoff = bidx_get_u32le(rec + 16);
	uint32_t cnt = BIDX_TERMS_PER_BLOCK;
	*stop = 0;
	if (b == td->nblocks - 1)
		cnt = td->nterms - b * BIDX_TERMS_PER_BLOCK;
	size_t eend = (size_t)(td->ent_end - td->ent);   /* the block's entries end */
	if (b + 1 < td->nblocks)
		eend = bidx_get_u32le(rec + BIDX_BLOCKIDX_SIZE + 16);
	BIDX_CORRUPT_IF(eoff > eend || eend > (size_t)(td->ent_end - td->ent));
	if (td->need)
		BIDX_TRY(td->need(td->need_arg, (uint64_t)(td->ent + eoff - td->data), eend - eoff));
	const uint8_t *p = td->ent + eoff, *end = td->ent + eend;
	for (uint32_t i = 0; i < cnt; i++) {
		uint64_t delta, df, plen;
		BIDX_CORRUPT_IF(bidx_varint_get(&p, end, &delta) ||
		                bidx_varint_get(&p, end, &df) ||
		                bidx_varint_get(&p, end, &plen));
		BIDX_CORRUPT_IF((i == 0) != (delta == 0) || df == 0 || df > UINT32_MAX ||
		                plen > td->post_size || off > td->post_size - plen ||
		                key + delta < key);
		key += delta;
		bidx_term t = {key, (uint32_t)df, off, plen};
		if ((*stop = fn(&t, arg)) != 0)
			return BIDX_OK;
		off += plen;
	}
	return BIDX_OK;
}

struct find_arg {
	uint64_t key;
	bidx_term *out;
};

static int find_cb(const bidx_term *t, void *arg)
{
	struct find_arg *a = arg;
	if (t->key < a->key)
		return 0;
	if (t->key == a->key) {
		*a->out = *t;
		return 1;
	}
	return 2;   /* passed it: absent */
}

bidx_err bidx_termdict_find(const bidx_termdict *td, uint64_t key, bidx_term *t, int *found)
{
	uint32_t lo = 0, hi = td->nblocks;
	*found = 0;
	/* last block whose first key <= key */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (bidx_get_u64le(td->idx + (size_t)mid * BIDX_BLOCKIDX_SIZE) <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return BIDX_OK;
	struct find_arg a = {key, t};
	int stop;
	BIDX_TRY(walk_block(td, lo - 1, find_cb, &a, &stop));
	*found = stop == 1;
	return BIDX_OK;
}

/* each() checks what no single block can: keys increase across blocks and
 * postings follow each other without gaps or overlaps. */
struct each_arg {
	int (*fn)(const bidx_term *t, void *arg);
	void *arg;
	uint64_t prev_key;
	uint64_t next_off;
	int started;
	int broken;      /* the invariant above failed */
};

static int each_cb(const bidx_term *t, void *arg)
{
	struct each_arg *a = arg;
	if ((a->started && t->key <= a->prev_key) || t->post_off != a->next_off) {
		a->broken = 1;
		return 1;
	}
	a->started = 1;
	a->prev_key = t->key;
	a->next_off = t->post_off + t->post_len;
	return a->fn(t, a->arg);
}

bidx_err bidx_termdict_each(const bidx_termdict *td,
                            int (*fn)(const bidx_term *t, void *arg), void *arg, int *stopped)
{
	struct each_arg a = {fn, arg, 0, 0, 0, 0};
	int stop = 0;
	if (stopped)
		*stopped = 0;
	for (uint32_t b = 0; b < td->nblocks && !stop; b++) {
		BIDX_TRY(walk_block(td, b, each_cb, &a, &stop));
		BIDX_CORRUPT_IF(a.broken);
	}
	if (stopped)
		*stopped = stop;
	return BIDX_OK;
}
