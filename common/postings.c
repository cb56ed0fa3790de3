/*
 * postings.c - block-structured, bit-packed postings: encode from the
 * indexer's raw per-term stream, decode with a bounds-checked cursor.  The
 * layout is the one of docs/FORMAT.md.  A block of up to 128 docs holds
 * each field of its docs (doc gap, tf, the unigram counts, the bigram
 * position gaps) as its own stream of fixed-width little-endian bit fields,
 * the width being the smallest that holds the block's largest value (frame
 * of reference).  The bigram position gaps are the exception: their width
 * is the one that makes the block smallest, and the few gaps that do not
 * fit keep their high bits in a list apart, sorted by field index (patched
 * frame of reference), so one long gap in a novel does not widen every
 * field of the block.  A field of doc i is then at bit i * width of its
 * stream: the cursor reads it with one load and a shift, and skipping a
 * doc's positions is an addition.  Every block but the last starts with
 * the gap to its last doc and its body length, so seek() hops over blocks
 * whose last doc is below the target without touching their bodies; the
 * last block runs to the end of the list and needs neither.
 */
#include "postings.h"
#include "format.h"
#include "varint.h"

#include <stdlib.h>
#include <string.h>

/* ---- bit streams -------------------------------------------------------- */

/* A bit stream written straight into its buffer: bitw_init reserves room
 * for all its bits at once, so a field costs no call; after a failed
 * reservation (the buffer's sticky error is set) nothing is written. */
typedef struct bitw {
	bidx_buf *out;
	uint8_t *p;      /* next byte in out, or NULL */
	uint64_t acc;    /* pending bits, low first */
	unsigned n;      /* how many */
} bitw;

static void bitw_init(bitw *w, bidx_buf *out, uint64_t nbits)
{
	w->out = out;
	w->p = nbits && !bidx_buf_reserve(out, (size_t)((nbits + 7) / 8)) ? out->p + out->len : NULL;
	w->acc = 0;
	w->n = 0;
}

static inline void bitw_put(bitw *w, uint32_t v, unsigned width)
{
	if (width == 0)
		return;
	w->acc |= (uint64_t)v << w->n;
	w->n += width;
	while (w->n >= 8) {
		if (w->p)
			*w->p++ = (uint8_t)w->acc;
		w->acc >>= 8;
		w->n -= 8;
	}
}

static void bitw_flush(bitw *w)   /* pads the last byte with zero bits */
{
	if (w->n > 0 && w->p)
		*w->p++ = (uint8_t)w->acc;
	if (w->p)
		w->out->len = (size_t)(w->p - w->out->p);
	w->acc = 0;
	w->n = 0;
}

static unsigned width_of(uint32_t max)
{
	return max ? 32u - (unsigned)__builtin_clz(max) : 0;
}

/* ---- encoding ----------------------------------------------------------- */

/* One block's docs, parsed from the raw stream. */
typedef struct rawblock {
	uint32_t cnt;
	uint32_t gap[BIDX_DOCS_PER_BLOCK];     /* first: doc - base; later: doc - prev - 1 */
	uint32_t tf1[BIDX_DOCS_PER_BLOCK];     /* tf - 1 */
	uint32_t cnts[3][BIDX_DOCS_PER_BLOCK]; /* unigram: tf_title, tf_word, tf_edge */
	uint32_t *pos;                         /* bigram: position gaps, all docs */
	size_t npos, cap;
} rawblock;

static int get32(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	return bidx_varint_get32(pp, end, v);
}

static int push_pos(rawblock *b, uint32_t v)
{
	if (b->npos == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		uint32_t *np = realloc(b->pos, cap * sizeof *np);
		if (!np)
			return -1;
		b->pos = np;
		b->cap = cap;
	}
	b->pos[b->npos++] = v;
	return 0;
}

/* Reads doc i's payload from raw into b; BIDX_ECORRUPT or BIDX_ENOMEM. */
static bidx_err parse_payload(rawblock *b, uint32_t i, const uint8_t **pp, const uint8_t *end,
                              unsigned n)
{
	uint32_t tf, v;
	BIDX_CORRUPT_IF(get32(pp, end, &tf) || tf == 0);
	b->tf1[i] = tf - 1;
	if (n == 1) {
		for (int k = 0; k < 3; k++)
			BIDX_CORRUPT_IF(get32(pp, end, &b->cnts[k][i]));
		return BIDX_OK;
	}
	for (uint32_t k = 0; k < tf; k++) {
		BIDX_CORRUPT_IF(get32(pp, end, &v));
		if (push_pos(b, v))
			return BIDX_ENOMEM;
	}
	return BIDX_OK;
}

static uint32_t max_of(const uint32_t *v, size_t n)
{
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static void put_stream(bidx_buf *out, const uint32_t *v, size_t n, unsigned width)
{
	bitw w;
	bitw_init(&w, out, (uint64_t)n * width);
	for (size_t i = 0; i < n; i++)
		bitw_put(&w, v[i], width);
	bitw_flush(&w);
}

/* Patched frame of reference for the position gaps: the low width b that
 * makes the stream smallest, the fields >= 2^b being exceptions whose
 * index and high bits are stored apart.  Fills the exception header's
 * values; returns b. */
typedef struct excplan {
	unsigned b, w_idx, w_high;
	uint32_t nexc;
} excplan;

static uint64_t exc_bytes(uint32_t nexc, unsigned w_idx, unsigned w_high)
{
	if (nexc == 0)
		return 0;
	unsigned vlen = 1;
	for (uint32_t v = nexc; v >= 0x80; v >>= 7)
		vlen++;
	return vlen + 2 + bidx_stream_bytes(nexc, w_idx) + bidx_stream_bytes(nexc, w_high);
}

static excplan plan_exceptions(const uint32_t *v, size_t n)
{
	uint64_t count[33] = {0};   /* values of each width */
	uint64_t last[33] = {0};    /* 1 + the last index of a value of that width */
	unsigned maxw = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned w = width_of(v[i]);
		count[w]++;
		last[w] = i + 1;
		maxw = w > maxw ? w : maxw;
	}
	excplan best = {maxw, 0, 0, 0};
	uint64_t best_bytes = bidx_stream_bytes(n, maxw);
	uint64_t nexc = 0, lastidx = 0;   /* values of width > b */
	for (unsigned b = maxw; b-- > 0;) {
		nexc += count[b + 1];
		lastidx = last[b + 1] > lastidx ? last[b + 1] : lastidx;
		if (nexc > UINT32_MAX)
			break;
		unsigned w_idx = width_of((uint32_t)(lastidx - 1)), w_high = maxw - b;
		uint64_t bytes = bidx_stream_bytes(n, b) + exc_bytes((uint32_t)nexc, w_idx, w_high);
		if (bytes < best_bytes) {
			best_bytes = bytes;
			best = (excplan){b, w_idx, w_high, (uint32_t)nexc};
		}
	}
	return best;
}

/* The body of a block: widths, then each field's stream. */
static void put_body(bidx_buf *out, const rawblock *b, unsigned n)
{
	uint8_t wd[5];
	size_t nw = 0;
	excplan x = {0, 0, 0, 0};
	wd[nw++] = (uint8_t)width_of(max_of(b->gap, b->cnt));
	wd[nw++] = (uint8_t)width_of(max_of(b->tf1, b->cnt));
	if (n == 1) {
		for (int k = 0; k < 3; k++)
			wd[nw++] = (uint8_t)width_of(max_of(b->cnts[k], b->cnt));
	} else {
		x = plan_exceptions(b->pos, b->npos);
		wd[nw++] = (uint8_t)(x.b | (x.nexc ? BIDX_POS_EXCEPTIONS : 0));
	}
	bidx_buf_put(out, wd, nw);
	put_stream(out, b->gap, b->cnt, wd[0]);
	put_stream(out, b->tf1, b->cnt, wd[1]);
	if (n == 1) {
		for (int k = 0; k < 3; k++)
			put_stream(out, b->cnts[k], b->cnt, wd[2 + k]);
		return;
	}
	if (x.nexc) {
		uint8_t xw[2] = {(uint8_t)x.w_idx, (uint8_t)x.w_high};
		bitw w;
		bidx_buf_put_varint(out, x.nexc);
		bidx_buf_put(out, xw, 2);
		bitw_init(&w, out, (uint64_t)x.nexc * x.w_idx);
		for (size_t i = 0; i < b->npos; i++)
			if (b->pos[i] >> x.b)
				bitw_put(&w, (uint32_t)i, x.w_idx);
		bitw_flush(&w);
		bitw_init(&w, out, (uint64_t)x.nexc * x.w_high);
		for (size_t i = 0; i < b->npos; i++)
			if (b->pos[i] >> x.b)
				bitw_put(&w, b->pos[i] >> x.b, x.w_high);
		bitw_flush(&w);
	}
	bitw w;
	bitw_init(&w, out, (uint64_t)b->npos * x.b);
	for (size_t i = 0; i < b->npos; i++)
		bitw_put(&w, x.b < 32 ? b->pos[i] & ((1u << x.b) - 1) : b->pos[i], x.b);
	bitw_flush(&w);
}

/* The encoder's scratch: one block and its body, reused from term to term. */
struct bidx_penc {
	rawblock b;
	bidx_buf body;
};

bidx_penc *bidx_penc_new(void)
{
	return calloc(1, sizeof(bidx_penc));
}

void bidx_penc_free(bidx_penc *e)
{
	if (!e)
		return;
	free(e->b.pos);
	bidx_buf_free(&e->body);
	free(e);
}

bidx_err bidx_postings_encode_with(bidx_penc *e, bidx_buf *out, const uint8_t *raw,
                                   size_t rawlen, uint32_t df, unsigned n)
{
	const uint8_t *p = raw, *end = raw + rawlen;
	bidx_buf *body = &e->body;
	rawblock *b = &e->b;
	int64_t prev = -1;       /* previous doc in the whole list */
	uint64_t base = 0;
	bidx_err rc = BIDX_OK;

	if (body->err)
		bidx_buf_free(body);
	for (uint32_t done = 0; done < df && !rc;) {
		uint32_t cnt = df - done < BIDX_DOCS_PER_BLOCK ? df - done : BIDX_DOCS_PER_BLOCK;
		b->cnt = cnt;
		b->npos = 0;
		for (uint32_t i = 0; i < cnt && !rc; i++) {
			uint64_t gap;
			if (bidx_varint_get(&p, end, &gap) || gap >= UINT32_MAX) {
				rc = bidx_corrupt();
				break;
			}
			int64_t doc = prev + 1 + (int64_t)gap;
			if (doc > UINT32_MAX) {
				rc = bidx_corrupt();
				break;
			}
			b->gap[i] = (uint32_t)(i == 0 ? (uint64_t)doc - base : gap);
			prev = doc;
			rc = parse_payload(b, i, &p, end, n);
		}
		if (rc)
			break;
		done += cnt;
		body->len = 0;
		put_body(body, b, n);
		if (done < df) {   /* the last block has no header */
			bidx_buf_put_varint(out, (uint64_t)prev - base);
			bidx_buf_put_varint(out, body->len);
		}
		bidx_buf_put(out, body->p, body->len);
		base = (uint64_t)prev + 1;
	}
	if (!rc && p != end)
		rc = bidx_corrupt();
	if (!rc && (body->err || out->err))
		rc = BIDX_ENOMEM;
	return rc;
}

bidx_err bidx_postings_encode(bidx_buf *out, const uint8_t *raw, size_t rawlen,
                              uint32_t df, unsigned n)
{
	bidx_penc *e = bidx_penc_new();
	if (!e)
		return BIDX_ENOMEM;
	bidx_err rc = bidx_postings_encode_with(e, out, raw, rawlen, df, n);
	bidx_penc_free(e);
	return rc;
}

/* ---- decoding ----------------------------------------------------------- */

bidx_err bidx_pcur_init(bidx_pcur *c, const uint8_t *data, size_t len, uint32_t df,
                        unsigned n, uint32_t ndocs)
{
	memset(c, 0, sizeof *c);
	c->p = data;
	c->end = data + len;
	c->bend = data;
	c->n = n;
	c->left = df;
	c->ndocs = ndocs;
	c->doc = -1;
	BIDX_CORRUPT_IF(df == 0 || df > ndocs || (n != 1 && n != 2));
	return BIDX_OK;
}

/* A bigram block's exception list, at *qp: its count, widths and streams.
 * The indexes must increase (checked here, once per block); the last must
 * fall inside the position stream (checked at the end of the block). */
static bidx_err enter_exceptions(bidx_pcur *c, const uint8_t **qp)
{
	const uint8_t *q = *qp;
	uint64_t nexc;
	BIDX_CORRUPT_IF(bidx_varint_get(&q, c->bend, &nexc) || nexc == 0 ||
	                nexc > UINT32_MAX || (size_t)(c->bend - q) < 2);
	c->xw_idx = q[0];
	c->xw_high = q[1];
	q += 2;
	BIDX_CORRUPT_IF(c->xw_idx > 32 || c->xw_high > 32);
	uint64_t li = bidx_stream_bytes(nexc, c->xw_idx), lh = bidx_stream_bytes(nexc, c->xw_high);
	BIDX_CORRUPT_IF(li > (uint64_t)(c->bend - q) || lh > (uint64_t)(c->bend - q) - li);
	c->xidx = q;
	c->xhigh = q + li;
	c->xn = (uint32_t)nexc;
	uint64_t prev = 0;
	for (uint32_t k = 0; k < c->xn; k++) {
		uint64_t at = bidx_pfield(c->xidx, c->bend, k, c->xw_idx);
		BIDX_CORRUPT_IF(k > 0 && at <= prev);
		prev = at;
	}
	c->xlast = prev;
	*qp = q + li + lh;
	return BIDX_OK;
}

/* Enters the next block: reads its header and widths and places its
 * streams; the fields themselves are read as the docs are. */
static bidx_err enter_block(bidx_pcur *c)
{
	uint64_t last_gap, body_len;
	BIDX_CORRUPT_IF(c->block_left != 0 || c->p != c->bend);
	if (c->doc >= 0)
		c->base = c->block_last + 1;
	c->block_left = c->left < BIDX_DOCS_PER_BLOCK ? c->left : BIDX_DOCS_PER_BLOCK;
	if (c->left > BIDX_DOCS_PER_BLOCK) {
		BIDX_CORRUPT_IF(bidx_varint_get(&c->p, c->end, &last_gap) ||
		                bidx_varint_get(&c->p, c->end, &body_len) ||
		                body_len > (uint64_t)(c->end - c->p) ||
		                last_gap >= (uint64_t)c->ndocs - c->base);
		c->block_last = c->base + (uint32_t)last_gap;
		c->bend = c->p + body_len;
	} else {          /* the last block: up to the end of the list */
		BIDX_CORRUPT_IF(c->base >= c->ndocs);
		c->block_last = c->ndocs - 1;
		c->bend = c->end;
	}
	const uint8_t *q = c->p;
	unsigned nw = c->n == 1 ? 5 : 3;
	BIDX_CORRUPT_IF((size_t)(c->bend - q) < nw);
	for (unsigned k = 0; k < nw; k++) {
		c->w[k] = q[k];
		if (c->n == 2 && k == 2)
			c->w[k] &= (uint8_t)~BIDX_POS_EXCEPTIONS;
		BIDX_CORRUPT_IF(c->w[k] > 32);
	}
	int has_exc = c->n == 2 && (q[2] & BIDX_POS_EXCEPTIONS);
	q += nw;
	for (unsigned k = 0; k + 1 < nw; k++) {   /* the per-doc streams */
		uint64_t len = bidx_stream_bytes(c->block_left, c->w[k]);
		BIDX_CORRUPT_IF(len > (uint64_t)(c->bend - q));
		c->s[k] = q;
		q += len;
	}
	c->xn = 0;
	c->xi = 0;
	c->xlast = 0;
	if (has_exc)
		BIDX_TRY(enter_exceptions(c, &q));
	c->xnext = c->xn ? bidx_pfield(c->xidx, c->bend, 0, c->xw_idx) : UINT64_MAX;
	c->s[nw - 1] = q;   /* positions (bigram) or tf_edge (unigram) */
	/* a field of the position stream starting below this bit can be read
	 * with an 8-byte load that stays in the list */
	c->pos_fast = c->end - q >= 8 ? (uint64_t)(c->end - q - 8) * 8 + 1 : 0;
	/* the last per-doc stream's last byte (or its start, when empty) and
	 * the 7 after it lie in the list: so does any 8-byte load of a field
	 * of it or of the streams before it (bigram: the tfs; unigram: the
	 * edge counts, followed by the next block's header, if any) */
	unsigned last = c->n == 2 ? 1 : 4;
	c->fields_fast = (uint64_t)(c->end - c->s[last]) >=
	                 bidx_stream_bytes(c->block_left, c->w[last]) + 8;
	if (c->n == 1)
		BIDX_CORRUPT_IF(bidx_stream_bytes(c->block_left, c->w[4]) != (uint64_t)(c->bend - q));
	c->i = 0;
	c->npos = 0;
	c->p = c->bend;
	return BIDX_OK;
}

/* The doc id of the block's next doc, from its gap.  Inlined into next()
 * and seek(): the cursor is the hot path of every query. */
static inline __attribute__((always_inline)) bidx_err read_gap(bidx_pcur *c)
{
	uint64_t gap = bidx_pfield(c->s[0], c->end, c->i, c->w[0]);
	int64_t doc = c->i == 0 ? (int64_t)c->base + (int64_t)gap : c->doc + 1 + (int64_t)gap;
	BIDX_CORRUPT_IF(doc > c->block_last);
	c->doc = doc;
	return BIDX_OK;
}

/* The rest of the doc: its tf, and its counts or where its positions are. */
static inline __attribute__((always_inline)) bidx_err read_payload(bidx_pcur *c)
{
	const uint8_t *lim = c->end;   /* fields were checked to lie in the block */
	uint64_t tf = (uint64_t)bidx_pfield(c->s[1], lim, c->i, c->w[1]) + 1;
	BIDX_CORRUPT_IF(tf > UINT32_MAX);
	c->tf = (uint32_t)tf;
	if (c->n == 2) {
		/* this doc's positions are fields npos .. npos+tf-1 of the stream */
		c->pos_at = c->npos;
		c->npos += c->tf;
		BIDX_CORRUPT_IF(bidx_stream_bytes(c->npos, c->w[2]) > (uint64_t)(c->bend - c->s[2]));
	} else {
		c->tf_title = bidx_pfield(c->s[2], lim, c->i, c->w[2]);
		c->tf_word = bidx_pfield(c->s[3], lim, c->i, c->w[3]);
		c->tf_edge = bidx_pfield(c->s[4], lim, c->i, c->w[4]);
		BIDX_CORRUPT_IF(c->tf_title > c->tf || (uint64_t)c->tf_word + c->tf_edge > c->tf);
	}
	c->i++;
	c->block_left--;
	c->left--;
	if (c->block_left == 0) {   /* the block must end exactly here */
		BIDX_CORRUPT_IF(c->left > 0 && c->doc != c->block_last);
		BIDX_CORRUPT_IF(c->n == 2 &&
		                (bidx_stream_bytes(c->npos, c->w[2]) != (uint64_t)(c->bend - c->s[2]) ||
		                 (c->xn > 0 && c->xlast >= c->npos)));
	}
	return BIDX_OK;
}

bidx_err bidx_pcur_next(bidx_pcur *c, int *have)
{
	*have = 0;
	if (c->left == 0) {
		BIDX_CORRUPT_IF(c->p != c->end);
		return BIDX_OK;
	}
	if (c->block_left == 0)
		BIDX_TRY(enter_block(c));
	BIDX_TRY(read_gap(c));
	BIDX_TRY(read_payload(c));
	*have = 1;
	return BIDX_OK;
}

/* Leaves the rest of the current block unread. */
static void abandon_block(bidx_pcur *c)
{
	c->left -= c->block_left;
	c->block_left = 0;
	c->doc = c->block_last;
	c->p = c->bend;
}

/* Hops over whole blocks whose last doc is below the target (their
 * headers say so: their bodies are not read) and enters the block that may
 * hold it; at the end of the list block_left is 0. */
static bidx_err hop(bidx_pcur *c, uint32_t target)
{
	while (c->left > 0 && !(c->block_left > 0 && c->block_last >= target)) {
		if (c->block_left > 0) {
			abandon_block(c);
			continue;
		}
		if (c->left <= BIDX_DOCS_PER_BLOCK)   /* the last block: decode it */
			return enter_block(c);
		uint64_t last_gap, body_len;
		const uint8_t *q = c->p;
		uint32_t base = c->doc >= 0 ? c->block_last + 1 : 0;
		BIDX_CORRUPT_IF(bidx_varint_get(&q, c->end, &last_gap) ||
		                bidx_varint_get(&q, c->end, &body_len) ||
		                body_len > (uint64_t)(c->end - q) ||
		                last_gap >= (uint64_t)c->ndocs - base);
		if (base + last_gap >= target)
			return enter_block(c);
		c->base = base;
		c->block_last = base + (uint32_t)last_gap;
		c->doc = c->block_last;
		c->left -= BIDX_DOCS_PER_BLOCK;
		c->p = c->bend = q + body_len;
	}
	return BIDX_OK;
}

/* In the entered block: reads doc gaps alone up to the first doc >= target
 * (*have 1, its payload read), or to the end of the block (*have 0); the
 * tfs of the docs passed over only move the position stream on. */
static bidx_err seek_in_block(bidx_pcur *c, uint32_t target, int *have)
{
	uint32_t i = c->i, stop = c->i + c->block_left;
	int64_t doc = c->doc;
	*have = 0;
	for (; i < stop; i++) {
		uint64_t gap = c->fields_fast ? bidx_pfield_room(c->s[0], i, c->w[0])
		                              : bidx_pfield(c->s[0], c->end, i, c->w[0]);
		doc = i == 0 ? (int64_t)c->base + (int64_t)gap : doc + 1 + (int64_t)gap;
		if (doc >= (int64_t)target)
			break;
	}
	BIDX_CORRUPT_IF(doc > c->block_last);   /* doc ids increase: the last read is the largest */
	uint32_t passed = i - c->i;
	if (c->n == 2) {
		uint64_t npos = c->npos + passed;
		if (c->w[1] && c->fields_fast)
			for (uint32_t k = c->i; k < i; k++)
				npos += bidx_pfield_room(c->s[1], k, c->w[1]);
		else if (c->w[1])
			for (uint32_t k = c->i; k < i; k++)
				npos += bidx_pfield(c->s[1], c->end, k, c->w[1]);
		c->npos = npos;
		BIDX_CORRUPT_IF(bidx_stream_bytes(npos, c->w[2]) > (uint64_t)(c->bend - c->s[2]));
	}
	c->i = i;
	c->left -= passed;
	c->block_left -= passed;
	c->doc = doc;
	if (i < stop) {
		BIDX_TRY(read_payload(c));
		*have = 1;
	} else {   /* the block must end exactly here */
		BIDX_CORRUPT_IF(c->left > 0 && c->doc != c->block_last);
		BIDX_CORRUPT_IF(c->n == 2 &&
		                (bidx_stream_bytes(c->npos, c->w[2]) != (uint64_t)(c->bend - c->s[2]) ||
		                 (c->xn > 0 && c->xlast >= c->npos)));
	}
	return BIDX_OK;
}

bidx_err bidx_pcur_seek(bidx_pcur *c, uint32_t target, int *have)
{
	*have = 1;
	if (c->doc >= (int64_t)target)
		return BIDX_OK;
	*have = 0;
	for (;;) {
		BIDX_TRY(hop(c, target));
		if (c->block_left == 0)   /* the list ends below the target */
			return bidx_pcur_next(c, have);
		BIDX_TRY(seek_in_block(c, target, have));
		if (*have)
			return BIDX_OK;
	}
}

/* Exception k of the block: its index in the position stream, its high bits. */
static inline uint64_t exc_at(const bidx_pcur *c, uint32_t k)
{
	return k < c->xn ? bidx_pfield(c->xidx, c->bend, k, c->xw_idx) : UINT64_MAX;
}

/* Decodes fields from .. of the current doc's positions into out[from..]
 * (out[0..from) holding the ones before), checking they increase and are
 * < limit; with partial, stops after the first position >= upto.  *n is
 * then how many of out are decoded.  One body for the whole decoder and
 * the one by parts, so the two read the same fields with the same checks. */
static inline __attribute__((always_inline)) bidx_err
decode_positions(bidx_pcur *c, uint32_t *out, uint32_t limit, uint32_t from, uint32_t upto,
                 uint32_t *n, const int partial)
{
	BIDX_CORRUPT_IF(c->n != 2 || c->doc < 0 || from > c->tf);
	const uint8_t *s = c->s[2];
	unsigned w = c->w[2];
	uint32_t tf = c->tf;
	uint64_t at = c->pos_at;
	uint64_t bit = (at + from) * w, mask = (1ull << w) - 1, fast = c->pos_fast;
	int64_t pos = from ? (int64_t)out[from - 1] : -1;
	/* the exceptions below this doc's fields are earlier docs': the next
	 * one's index is kept, so a doc without any costs one comparison */
	uint64_t xnext = c->xnext;
	if (__builtin_expect(xnext < at, 0)) {
		uint32_t xi = c->xi;
		do
			xnext = exc_at(c, ++xi);
		while (xnext < at);
		c->xi = xi;
		c->xnext = xnext;
	}
	uint32_t xi = c->xi;
	if (partial)   /* this doc's exceptions below field from are decoded already */
		while (xnext < at + from)
			xnext = exc_at(c, ++xi);
	uint64_t xrel = xnext - at;   /* field of this doc, or past its tf */
	/* read_payload checked that the fields lie in the block; 8-byte loads
	 * while the list leaves room for them */
	uint32_t i = from;
	*n = from;
	for (;;) {
		/* the fields up to the next exception, in the loop of plain ones */
		uint32_t stop = xrel < tf ? (uint32_t)xrel : tf;
		if (w == 0)
			for (; i < stop; i++) {
				pos++;
				BIDX_CORRUPT_IF(pos >= limit);
				out[i] = (uint32_t)pos;
				if (partial && pos >= upto)
					goto done;
			}
		for (; i < stop && bit < fast; i++, bit += w) {
			uint64_t x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			memcpy(&x, s + bit / 8, 8);
#else
			x = bidx_get_u64le(s + bit / 8);
#endif
			pos += 1 + (int64_t)((x >> (bit % 8)) & mask);
			BIDX_CORRUPT_IF(pos >= limit);
			out[i] = (uint32_t)pos;
			if (partial && pos >= upto)
				goto done;
		}
		for (; i < stop; i++, bit += w) {
			pos += 1 + (int64_t)bidx_pfield(s, c->end, at + i, w);
			BIDX_CORRUPT_IF(pos >= limit);
			out[i] = (uint32_t)pos;
			if (partial && pos >= upto)
				goto done;
		}
		if (i == tf)
			break;
		/* field i is exception xi: its high bits above the low ones */
		uint64_t g = bidx_pfield(s, c->end, at + i, w) |
		             (uint64_t)bidx_pfield(c->xhigh, c->bend, xi, c->xw_high) << w;
		BIDX_CORRUPT_IF(g >= limit);
		pos += 1 + (int64_t)g;
		BIDX_CORRUPT_IF(pos >= limit);
		out[i] = (uint32_t)pos;
		if (partial && pos >= upto)
			goto done;
		i++;
		bit += w;
		xi++;
		xrel = exc_at(c, xi) - at;
	}
	*n = tf;
	return BIDX_OK;
done:
	*n = i + 1;
	return BIDX_OK;
}

bidx_err bidx_pcur_positions(bidx_pcur *c, uint32_t *out, uint32_t limit)
{
	uint32_t n;
	return decode_positions(c, out, limit, 0, UINT32_MAX, &n, 0);
}

bidx_err bidx_pcur_positions_part(bidx_pcur *c, uint32_t *out, uint32_t limit, uint32_t from,
                                  uint32_t upto, uint32_t *n)
{
	*n = from;
	return decode_positions(c, out, limit, from, upto, n, 1);
}
