/*
 * postings.c - block-structured postings: encode from the indexer's raw
 * per-term stream, decode with a bounds-checked cursor.  The layout is the
 * one of docs/FORMAT.md: a block of up to 128 docs starts with the gap to
 * its last doc and its body length, so seek() can hop over blocks whose last
 * doc is below the target without touching their bodies.
 */
#include "postings.h"
#include "format.h"
#include "varint.h"

/* Writes one doc: its gap with the "tf is 1" flag in the low bit (most
 * documents hold a bigram once, so that saves the tf byte), tf when it is
 * not 1, then the rest of the payload copied from raw. */
static int copy_doc(bidx_buf *out, uint64_t gap, const uint8_t **pp, const uint8_t *end,
                    unsigned n)
{
	uint64_t v, tf;
	if (bidx_varint_get(pp, end, &tf) || tf == 0 || gap > UINT64_MAX / 2)
		return -1;
	bidx_buf_put_varint(out, gap << 1 | (tf == 1));
	if (tf != 1)
		bidx_buf_put_varint(out, tf);
	uint64_t more = n == 1 ? 3 : tf;
	for (uint64_t i = 0; i < more; i++) {
		if (bidx_varint_get(pp, end, &v))
			return -1;
		bidx_buf_put_varint(out, v);
	}
	return 0;
}

bidx_err bidx_postings_encode(bidx_buf *out, const uint8_t *raw, size_t rawlen,
                              uint32_t df, unsigned n)
{
	const uint8_t *p = raw, *end = raw + rawlen;
	bidx_buf body = BIDX_BUF_INIT;
	int64_t prev = -1;       /* previous doc in the whole list */
	uint32_t base = 0;
	bidx_err rc = BIDX_OK;

	for (uint32_t done = 0; done < df;) {
		uint32_t cnt = df - done < BIDX_DOCS_PER_BLOCK ? df - done : BIDX_DOCS_PER_BLOCK;
		int64_t bprev = -1;
		body.len = 0;
		for (uint32_t i = 0; i < cnt; i++) {
			uint64_t gap;
			if (bidx_varint_get(&p, end, &gap)) {
				rc = bidx_corrupt();
				goto out;
			}
			int64_t doc = prev + 1 + (int64_t)gap;
			uint64_t g = bprev < 0 ? (uint64_t)(doc - base) : (uint64_t)(doc - bprev - 1);
			if (copy_doc(&body, g, &p, end, n)) {
				rc = bidx_corrupt();
				goto out;
			}
			prev = bprev = doc;
		}
		bidx_buf_put_varint(out, (uint64_t)(prev - base));
		bidx_buf_put_varint(out, body.len);
		bidx_buf_put(out, body.p, body.len);
		base = (uint32_t)(prev + 1);
		done += cnt;
	}
	if (p != end)
		rc = bidx_corrupt();
	if (!rc && (body.err || out->err))
		rc = BIDX_ENOMEM;
out:
	bidx_buf_free(&body);
	return rc;
}

bidx_err bidx_pcur_init(bidx_pcur *c, const uint8_t *data, size_t len, uint32_t df,
                        unsigned n, uint32_t ndocs)
{
	c->p = data;
	c->end = data + len;
	c->bp = c->bend = data;
	c->pos = NULL;
	c->n = n;
	c->left = df;
	c->block_left = 0;
	c->ndocs = ndocs;
	c->base = 0;
	c->block_last = 0;
	c->doc = -1;
	c->pos_pending = 0;
	c->tf = c->tf_title = c->tf_word = c->tf_edge = 0;
	BIDX_CORRUPT_IF(df == 0 || df > ndocs || (n != 1 && n != 2));
	return BIDX_OK;
}

/* Enters the next block: reads its header; the body is left undecoded. */
static bidx_err enter_block(bidx_pcur *c)
{
	uint64_t last_gap, body_len;
	BIDX_CORRUPT_IF(c->block_left == 0 && c->bp != c->bend);  /* body not consumed exactly */
	if (c->doc >= 0)
		c->base = c->block_last + 1;
	BIDX_CORRUPT_IF(bidx_varint_get(&c->p, c->end, &last_gap) ||
	                bidx_varint_get(&c->p, c->end, &body_len) ||
	                body_len > (uint64_t)(c->end - c->p) ||
	                last_gap >= (uint64_t)c->ndocs - c->base);
	c->block_last = c->base + (uint32_t)last_gap;
	c->bp = c->p;
	c->bend = c->p + body_len;
	c->p = c->bend;
	c->block_left = c->left < BIDX_DOCS_PER_BLOCK ? c->left : BIDX_DOCS_PER_BLOCK;
	return BIDX_OK;
}

/* Skips the positions of the current doc if nobody decoded them. */
static bidx_err skip_positions(bidx_pcur *c)
{
	uint64_t v;
	for (uint32_t i = 0; i < c->tf; i++)
		BIDX_CORRUPT_IF(bidx_varint_get(&c->bp, c->bend, &v));
	c->pos_pending = 0;
	return BIDX_OK;
}

/* Inlined into next() and seek(): the cursor is the hot path of every query. */
static inline __attribute__((always_inline)) bidx_err read_doc(bidx_pcur *c, int first_in_block)
{
	uint64_t v, gap;
	int64_t doc;
	BIDX_CORRUPT_IF(bidx_varint_get(&c->bp, c->bend, &v));
	gap = v >> 1;
	BIDX_CORRUPT_IF(gap > UINT32_MAX);
	doc = first_in_block ? (int64_t)c->base + (int64_t)gap : c->doc + 1 + (int64_t)gap;
	BIDX_CORRUPT_IF(doc > c->block_last || doc <= c->doc);
	c->doc = doc;
	if (v & 1)
		c->tf = 1;
	else   /* tf 1 must use the flag: one encoding per list */
		BIDX_CORRUPT_IF(bidx_varint_get32(&c->bp, c->bend, &c->tf) || c->tf <= 1);
	if (c->n == 1) {
		BIDX_CORRUPT_IF(bidx_varint_get32(&c->bp, c->bend, &c->tf_title) ||
		                bidx_varint_get32(&c->bp, c->bend, &c->tf_word) ||
		                bidx_varint_get32(&c->bp, c->bend, &c->tf_edge) ||
		                c->tf_title > c->tf || (uint64_t)c->tf_word + c->tf_edge > c->tf);
	} else {
		c->pos = c->bp;
		c->pos_pending = 1;
	}
	c->block_left--;
	c->left--;
	BIDX_CORRUPT_IF(c->block_left == 0 && c->doc != c->block_last);
	return BIDX_OK;
}

/* Leaves the current doc: skips undecoded positions and, after a block's
 * last doc, checks that the body ended exactly there. */
static inline __attribute__((always_inline)) bidx_err finish_doc(bidx_pcur *c)
{
	if (c->pos_pending)
		BIDX_TRY(skip_positions(c));
	BIDX_CORRUPT_IF(c->block_left == 0 && c->bp != c->bend);
	return BIDX_OK;
}

bidx_err bidx_pcur_next(bidx_pcur *c, int *have)
{
	*have = 0;
	BIDX_TRY(finish_doc(c));
	if (c->left == 0) {
		BIDX_CORRUPT_IF(c->p != c->end || c->bp != c->bend);
		return BIDX_OK;
	}
	int first = 0;
	if (c->block_left == 0) {
		BIDX_TRY(enter_block(c));
		first = 1;
	}
	BIDX_TRY(read_doc(c, first));
	*have = 1;
	return BIDX_OK;
}

bidx_err bidx_pcur_seek(bidx_pcur *c, uint32_t target, int *have)
{
	*have = 1;
	if (c->doc >= (int64_t)target)
		return BIDX_OK;
	*have = 0;
	BIDX_TRY(finish_doc(c));
	/* hop over whole blocks whose last doc is below the target */
	while (c->left > 0) {
		if (c->block_left > 0 && c->block_last >= target)
			break;
		if (c->block_left > 0) {       /* abandon the rest of this block */
			c->left -= c->block_left;
			c->block_left = 0;
			c->pos_pending = 0;
			c->doc = c->block_last;
			c->bp = c->bend;
			if (c->left == 0)
				break;
		}
		BIDX_TRY(enter_block(c));
		if (c->block_last < target) {
			c->left -= c->block_left;
			c->block_left = 0;
			c->doc = c->block_last;
			c->bp = c->bend;
		} else {
			/* decode from the block start */
			BIDX_TRY(read_doc(c, 1));
			if (c->doc >= (int64_t)target) {
				*have = 1;
				return BIDX_OK;
			}
			break;
		}
	}
	for (;;) {
		BIDX_TRY(bidx_pcur_next(c, have));
		if (!*have || c->doc >= (int64_t)target)
			return BIDX_OK;
	}
}

bidx_err bidx_pcur_positions(bidx_pcur *c, uint32_t *out, uint32_t limit)
{
	const uint8_t *p = c->pos;
	int64_t prev = -1;
	BIDX_CORRUPT_IF(c->n != 2 || !c->pos);
	for (uint32_t i = 0; i < c->tf; i++) {
		uint64_t g;
		BIDX_CORRUPT_IF(bidx_varint_get(&p, c->bend, &g) || g >= limit);
		int64_t pos = prev + 1 + (int64_t)g;
		BIDX_CORRUPT_IF(pos >= limit);
		out[i] = (uint32_t)pos;
		prev = pos;
	}
	if (c->pos_pending)   /* a second decode of the same doc leaves bp alone */
		c->bp = p;
	c->pos_pending = 0;
	return BIDX_OK;
}
