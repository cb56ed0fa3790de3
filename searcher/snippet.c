/*
 * snippet.c - the snippet of a hit (snippet.h).
 *
 * The stored text (or a window of it) is normalised again with its offset
 * map, every occurrence of every query term is found in the normalised
 * characters, and the occurrence whose window holds the most distinct
 * terms is widened to its sentence; the original bytes of that span are
 * copied onto one line, with the matches' byte ranges.  The window comes
 * from the segment's checkpoints (character -> byte offsets, CKPTS) around
 * the first match position the evaluator recorded, so a long document is
 * decompressed and normalised only near its match; a window that misses
 * falls back to the whole text.  Normalising costs most of a snippet, so a
 * narrower window (or, with no position known, the document's head) is
 * tried first, and kept when it settles the snippet: every term is in the
 * chosen occurrence's window and that window ends well inside it, so a
 * longer text could not change it.  A one-term window is normalised only
 * from about BIDX_SNIPPET_BEFORE characters before its first match (the
 * snippet shows no more before it, and no match comes sooner), not from
 * its checkpoint.
 */
#define _GNU_SOURCE /* memmem */
#include "snippet.h"
#include "buf.h"
#include "fault.h"
#include "markdown.h"
#include "normalize.h"
#include "varint.h"

#include <stdlib.h>
#include <string.h>

/* Characters of a window before and after the known match position. */
#define SNIPPET_LEAD (BIDX_SNIPPET_BEFORE + 16)
#define SNIPPET_TAIL (BIDX_SNIPPET_AFTER + 160)
/* ... and after it in the narrower window tried first for a one-term query. */
#define SNIPPET_TIGHT (BIDX_SNIPPET_AFTER + 48)
/* Characters before the match past which a window's normalisation starts
 * later than its checkpoint (make_late). */
#define SNIPPET_SKIP_MIN (BIDX_SNIPPET_BEFORE + 8)

typedef struct occ {
	uint32_t start, end;   /* normalised characters */
	uint32_t term;
} occ;

typedef struct occs {
	occ *o;
	size_t n, cap;
} occs;

static int occ_push(occs *v, occ x)
{
	if (bidx_grow((void **)&v->o, &v->cap, v->n + 1, sizeof *v->o))
		return -1;
	v->o[v->n++] = x;
	return 0;
}

/* Character index of byte offset b (which starts a character). */
static uint32_t char_at(const bidx_norm *n, size_t b)
{
	uint32_t lo = 0, hi = n->nchars;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (n->byte_off[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_occ(const void *a, const void *b)
{
	const occ *x = a, *y = b;
	return x->start != y->start ? (x->start > y->start) - (x->start < y->start)
	                            : (x->end < y->end) - (x->end > y->end);
}

/* Every occurrence of every term (UTF-8 is self-synchronising, so a byte
 * match of a valid string starts on a character boundary). */
static int find_all(const bidx_norm *n, char *const *terms, size_t nterms, occs *v)
{
	for (size_t t = 0; t < nterms; t++) {
		size_t tl = strlen(terms[t]);
		const char *p = n->text, *end = n->text + n->len;
		while (tl && (p = memmem(p, (size_t)(end - p), terms[t], tl))) {
			uint32_t s = char_at(n, (size_t)(p - n->text));
			uint32_t e = char_at(n, (size_t)(p - n->text) + tl);
			if (occ_push(v, (occ){s, e, (uint32_t)t}))
				return -1;
			p += 1;
			while (p < end && (*p & 0xC0) == 0x80)
				p++;
		}
	}
	if (v->n)
		qsort(v->o, v->n, sizeof *v->o, cmp_occ);
	return 0;
}

/* Index of the occurrence whose window holds the most distinct terms;
 * *most is how many. */
static size_t best_occ(const occs *v, size_t nterms, size_t *most)
{
	size_t best = 0, best_cnt = 0;
	for (size_t i = 0; i < v->n && i < 512; i++) {
		uint64_t seen = 0;
		size_t cnt = 0;
		for (size_t j = i; j < v->n && v->o[j].start < v->o[i].start + BIDX_SNIPPET_AFTER; j++) {
			uint64_t bit = 1ull << (v->o[j].term % 64);
			if (!(seen & bit)) {
				seen |= bit;
				cnt++;
			}
		}
		if (cnt > best_cnt) {
			best = i;
			best_cnt = cnt;
			if (cnt == nterms)
				break;
		}
	}
	*most = best_cnt;
	return best;
}

static int sentence_end(uint32_t c)
{
	return c == 0x3002 || c == '!' || c == '?' || c == 0xFF01 || c == 0xFF1F;
}

/* The first of t[i..b) that may be a tab or a line end, eight bytes at a
 * time: none of a word's bytes is under 14 (below '\r'), or b. */
static size_t plain_to(const char *t, size_t i, size_t b)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	for (; i + 8 <= b; i += 8) {
		uint64_t w;
		memcpy(&w, t + i, 8);
		if ((w - 14 * ones) & ~w & high)
			break;   /* some byte is under 14 */
	}
	return i;
}

/* Copies original bytes [a, b) to out on one line: a line break (with the
 * spaces around it) vanishes between two non-ASCII bytes and becomes a
 * space otherwise; tabs become spaces. */
static void copy_line(bidx_buf *out, const char *t, size_t a, size_t b, const uint8_t *md)
{
	for (size_t i = a; i < b;) {
		char c = t[i];
		if (md && md[i] == BIDX_MD_DROP) {
			i++;
		} else if (c == '\n' || c == '\r') {
			while (out->len && out->p[out->len - 1] == ' ')
				out->len--;
			size_t j = i;
			while (j < b && (t[j] == '\n' || t[j] == '\r' || t[j] == ' ' || t[j] == '\t' ||
			                 (md && md[j] == BIDX_MD_DROP)))
				j++;
			int wide = out->len && (out->p[out->len - 1] & 0x80) && j < b && (t[j] & 0x80);
			if (!wide && out->len && j < b)
				bidx_buf_putc(out, ' ');
			i = j;
		} else if (c == '\t') {
			bidx_buf_putc(out, ' ');
			i++;
		} else {   /* a run of plain bytes, copied at once */
			size_t k = md ? i + 1 : plain_to(t, i + 1, b);
			while (k < b && t[k] != '\n' && t[k] != '\r' && t[k] != '\t' &&
			       !(md && md[k] == BIDX_MD_DROP))
				k++;
			bidx_buf_put(out, t + i, k - i);
			i = k;
		}
	}
}

/* Window [ws, we) of normalised characters around occurrence o. */
static void window(const bidx_norm *n, const occ *o, uint32_t *ws, uint32_t *we)
{
	uint32_t s = o->start, e = o->end;
	while (s > 0 && o->start - s < BIDX_SNIPPET_BEFORE && !sentence_end(n->cp[s - 1]))
		s--;
	while (e < n->nchars && e - o->end < BIDX_SNIPPET_AFTER && !sentence_end(n->cp[e - 1]))
		e++;
	*ws = s;
	*we = e;
}

/* md: the Markdown syntax of text (markdown.h), dropped outside the marks,
 * or NULL. */
static int build(const char *text, const uint8_t *md, const bidx_norm *n, const occs *v, size_t bi,
                 bidx_snippet *out)
{
	bidx_buf b = BIDX_BUF_INIT;
	uint32_t ws, we;
	window(n, &v->o[bi], &ws, &we);
	out->elided_before = ws > 0;
	out->elided_after = we < n->nchars;
	size_t pos = n->src_start[ws], stop = n->src_end[we - 1];
	/* at most one mark an occurrence: room for all at once */
	if (!(out->marks = bidx_malloc(v->n * sizeof *out->marks)))
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		const occ *o = &v->o[i];
		if (o->term == UINT32_MAX || o->start < ws || o->end > we ||
		    n->src_start[o->start] < pos)
			continue;   /* not a match, outside, or overlapping an earlier mark */
		copy_line(&b, text, pos, n->src_start[o->start], md);
		uint32_t ms = (uint32_t)b.len;
		copy_line(&b, text, n->src_start[o->start], n->src_end[o->end - 1], NULL);
		out->marks[out->nmarks++] = (bidx_span){ms, (uint32_t)b.len};
		pos = n->src_end[o->end - 1];
	}
	if (stop > pos)
		copy_line(&b, text, pos, stop, md);
	bidx_buf_putc(&b, 0);
	if (b.err) {
		bidx_buf_free(&b);
		return -1;
	}
	out->text = (char *)b.p;
	out->len = b.len - 1;
	return 0;
}

static int record_matches(const bidx_norm *n, const occs *v, size_t base, bidx_snippet *out)
{
	size_t k = v->n < BIDX_SNIPPET_MAX_MATCHES ? v->n : BIDX_SNIPPET_MAX_MATCHES;
	if (!k)
		return 0;
	if (!(out->matches = bidx_malloc(k * sizeof *out->matches)))
		return -1;
	for (size_t i = 0; i < k; i++)
		out->matches[out->nmatches++] =
		    (bidx_span){(uint32_t)(base + n->src_start[v->o[i].start]),
		                (uint32_t)(base + n->src_end[v->o[i].end - 1])};
	return 0;
}

/* Whether the snippet made from the window ending at n's last character is
 * the one a window reaching further would give (the same start): every
 * term is in the chosen occurrence's window, and that window and the
 * windows of the occurrences before it end well before the cut.  maxb:
 * the longest term's bytes, an upper bound of its characters. */
static int settles(const bidx_norm *n, const occs *v, size_t bi, size_t most, size_t nterms,
                   size_t maxb)
{
	return v->n && most == nterms &&
	       (uint64_t)v->o[bi].end + BIDX_SNIPPET_AFTER + maxb + 1 < n->nchars;
}

/* The snippet of text[b0, b1), a window of a document of len bytes.  With
 * settled, *settled says whether a window with the same start reaching
 * further (b1 at a checkpoint) would give the same snippet: always when b1
 * is the end. */
static bidx_err make_in(const char *doc, size_t len, size_t b0, size_t b1, char *const *terms,
                        size_t nterms, int markdown, bidx_snippet *out, int *settled,
                        uint32_t *first)
{
	bidx_norm n = {0};
	occs v = {0};
	const char *text = doc + b0;
	uint8_t *md = NULL;
	size_t most = 0, bi = 0, maxb = 0;
	memset(out, 0, sizeof *out);
	if (settled)
		*settled = b1 >= len;
	bidx_err rc = bidx_normalize(text, b1 - b0, 1, &n);
	if (rc)
		return rc;
	if (markdown && (md = bidx_malloc(b1 - b0 + 1)))
		bidx_md_mark(text, b1 - b0, b0 == 0 || doc[b0 - 1] == '\n', md);
	if (markdown && !md)
		rc = BIDX_ENOMEM;
	else if (find_all(&n, terms, nterms, &v))
		rc = BIDX_ENOMEM;
	else if (n.nchars == 0)
		rc = BIDX_OK;
	else if (v.n == 0)   /* no positive term found: the document's start, unmarked */
		rc = occ_push(&v, (occ){0, 1, UINT32_MAX}) || build(text, md, &n, &v, 0, out)
		   ? BIDX_ENOMEM : BIDX_OK;
	else if (bi = best_occ(&v, nterms, &most),
	         build(text, md, &n, &v, bi, out) || record_matches(&n, &v, b0, out))
		rc = BIDX_ENOMEM;
	for (size_t t = 0; settled && !*settled && t < nterms; t++)
		maxb = strlen(terms[t]) > maxb ? strlen(terms[t]) : maxb;
	/* Markdown's inline syntax pairs across a line: a cut inside one may mark
	 * the window differently, so only the whole text settles it */
	if (settled && !*settled && !rc && !markdown && n.nchars && v.o &&
	    v.o[0].term != UINT32_MAX)
		*settled = settles(&n, &v, bi, most, nterms, maxb);
	out->elided_before |= b0 > 0;
	out->elided_after |= b1 < len;
	if (first)
		*first = v.n && v.o[0].term != UINT32_MAX ? v.o[0].start : UINT32_MAX;
	free(v.o);
	free(md);
	bidx_norm_free(&n);
	if (rc)
		bidx_snippet_free(out);
	return rc;
}

bidx_err bidx_snippet_make(const char *text, size_t len, char *const *terms, size_t nterms,
                           bidx_snippet *out)
{
	return make_in(text, len, 0, len, terms, nterms, 0, out, NULL, NULL);
}

/* The window [*b0, *b1) for characters [pos - SNIPPET_LEAD, pos + tail),
 * widened to checkpoints. */
static void window_at(size_t len, uint32_t pos, uint32_t tail, const uint8_t *ckpt,
                      uint32_t nckpt, size_t *b0, size_t *b1, uint32_t *c0)
{
	uint32_t lo = pos > SNIPPET_LEAD ? pos - SNIPPET_LEAD : 0, hi = pos + tail;
	uint32_t prev_c = 0, prev_b = 0;
	*b0 = 0;
	*b1 = len;
	*c0 = 0;
	for (uint32_t i = 0; pos != UINT32_MAX && i < nckpt; i++) {
		uint32_t c = bidx_get_u32le(ckpt + 8 * i), b = bidx_get_u32le(ckpt + 8 * i + 4);
		if (c <= prev_c || b <= prev_b || b >= len) {
			*b0 = 0;   /* not a valid list: the whole document */
			*b1 = len;
			*c0 = 0;
			return;
		}
		prev_c = c;
		prev_b = b;
		if (c <= lo) {
			*b0 = b;
			*c0 = c;
		} else if (c >= hi) {
			*b1 = b;
			return;
		}
	}
}

/* window_at() without the first character. */
static void window_for(size_t len, uint32_t pos, uint32_t tail, const uint8_t *ckpt,
                       uint32_t nckpt, size_t *b0, size_t *b1)
{
	uint32_t c0;
	window_at(len, pos, tail, ckpt, nckpt, b0, b1, &c0);
}

void bidx_snippet_window(size_t len, uint32_t pos, const uint8_t *ckpt, uint32_t nckpt,
                         size_t *b0, size_t *b1)
{
	window_for(len, pos, SNIPPET_TAIL, ckpt, nckpt, b0, b1);
}

size_t bidx_snippet_head(size_t len, uint32_t chars, const uint8_t *ckpt, uint32_t nckpt)
{
	size_t b0, b1;
	window_for(len, 0, chars, ckpt, nckpt, &b0, &b1);
	return b1;
}

bidx_err bidx_snippet_make_head(const char *text, size_t len, size_t avail, char *const *terms,
                                size_t nterms, int markdown, bidx_snippet *out, int *settled)
{
	return make_in(text, len, 0, avail < len ? avail : len, terms, nterms, markdown, out, settled,
	               NULL);
}

/* The narrower window [*t0, *t1) tried first for pos inside the window
 * [b0, b1) (b1 cut to what the caller has): 1 when it applies (one term,
 * its first match known, a window that ends sooner). */
static int tight_window(size_t len, uint32_t pos, size_t nterms, const uint8_t *ckpt,
                        uint32_t nckpt, size_t b0, size_t b1, size_t *t0, size_t *t1)
{
	/* one term, its first match known: its window is in a narrower one,
	 * which is kept when it provably gives the same snippet */
	window_for(len, pos, SNIPPET_TIGHT, ckpt, nckpt, t0, t1);
	return nterms == 1 && pos != UINT32_MAX && *t0 == b0 && b0 < *t1 && *t1 < b1;
}

size_t bidx_snippet_first(size_t len, uint32_t pos, size_t nterms, const uint8_t *ckpt,
                          uint32_t nckpt)
{
	size_t b0, b1, t0, t1;
	bidx_snippet_window(len, pos, ckpt, nckpt, &b0, &b1);
	if (b0 >= b1)
		b0 = 0;
	return tight_window(len, pos, nterms, ckpt, nckpt, b0, b1, &t0, &t1) ? t1 : b1;
}

/* The snippet of the window [b0, b1) (b0 the window's start for pos, a
 * checkpoint, whose character gives pos's place in it).  For one term,
 * whose first match pos is (none comes before it), normalised from as late
 * as gives the same snippet and matches: from a cluster start with at
 * least BIDX_SNIPPET_BEFORE characters before pos (bidx_normalize_skip),
 * kept when the window's first match still has that many before it.  (With
 * several terms, pos is one term's first match: the others may come
 * sooner.)  Outside Markdown, whose syntax pairs across lines. */
static bidx_err make_late(const char *text, size_t len, size_t b0, size_t b1,
                          char *const *terms, size_t nterms, uint32_t pos, const uint8_t *ckpt,
                          uint32_t nckpt, int markdown, bidx_snippet *out, int *settled)
{
	size_t w0, w1, s0 = b0;
	uint32_t c0, first = 0, before = 0;
	window_at(len, pos, SNIPPET_TAIL, ckpt, nckpt, &w0, &w1, &c0);
	if (nterms == 1 && !markdown && pos != UINT32_MAX && w0 == b0 && pos >= c0 &&
	    pos - c0 > SNIPPET_SKIP_MIN)
		s0 = b0 + bidx_normalize_skip(text + b0, b1 - b0, pos - c0 - BIDX_SNIPPET_BEFORE,
		                              &before);
	bidx_err rc = make_in(text, len, s0, b1, terms, nterms, markdown, out, settled, &first);
	if (rc || s0 == b0 || (first != UINT32_MAX && first >= BIDX_SNIPPET_BEFORE))
		return rc;
	/* a match came sooner than pos said, or none came: the whole window */
	bidx_snippet_free(out);
	return make_in(text, len, b0, b1, terms, nterms, markdown, out, settled, NULL);
}

/* bidx_snippet_make_near(); with `more`, a window reaching past avail is
 * not cut: *more = 1 and nothing is made; and when *more is 1 already, the
 * narrower window is not tried again. */
static bidx_err make_near(const char *text, size_t len, size_t avail, char *const *terms,
                          size_t nterms, uint32_t pos, const uint8_t *ckpt, uint32_t nckpt,
                          int markdown, bidx_snippet *out, int *more)
{
	size_t b0, b1, t0, t1;
	int settled = 0;
	memset(out, 0, sizeof *out);
	bidx_snippet_window(len, pos, ckpt, nckpt, &b0, &b1);
	if (b1 > avail && !more)   /* the caller fetched less than the window: use what is there */
		b1 = avail;
	if (b0 >= b1)
		b0 = 0;
	if ((!more || !*more) && tight_window(len, pos, nterms, ckpt, nckpt, b0, b1, &t0, &t1) &&
	    t1 <= avail) {
		bidx_err rc = make_late(text, len, b0, t1, terms, 1, pos, ckpt, nckpt, markdown, out,
		                        &settled);
		if (rc || settled)
			return rc;
		bidx_snippet_free(out);
	}
	if (more && b1 > avail) {
		*more = 1;
		return BIDX_OK;
	}
	if (more)
		*more = 0;
	bidx_err rc = make_late(text, len, b0, b1, terms, nterms, pos, ckpt, nckpt, markdown, out,
	                        NULL);
	if (!rc && !out->nmarks && (b0 > 0 || b1 < len) && avail == len) {
		/* the window missed (cannot happen for a valid index): look everywhere */
		bidx_snippet_free(out);
		rc = make_in(text, len, 0, len, terms, nterms, markdown, out, NULL, NULL);
	}
	return rc;
}

bidx_err bidx_snippet_make_near(const char *text, size_t len, size_t avail, char *const *terms,
                                size_t nterms, uint32_t pos, const uint8_t *ckpt, uint32_t nckpt,
                                int markdown, bidx_snippet *out)
{
	return make_near(text, len, avail, terms, nterms, pos, ckpt, nckpt, markdown, out, NULL);
}

bidx_err bidx_snippet_try_near(const char *text, size_t len, size_t avail, char *const *terms,
                               size_t nterms, uint32_t pos, const uint8_t *ckpt, uint32_t nckpt,
                               int markdown, bidx_snippet *out, int *more)
{
	return make_near(text, len, avail, terms, nterms, pos, ckpt, nckpt, markdown, out, more);
}

void bidx_snippet_free(bidx_snippet *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->marks);
	free(s->matches);
	memset(s, 0, sizeof *s);
}
