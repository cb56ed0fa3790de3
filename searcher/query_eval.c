/*
 * query_eval.c - the query tree against an index (query_eval.h).
 *
 * Every node evaluates to a hitset: documents in collection id order, each
 * with a score and the position of a first match.  A text term runs segment
 * by segment on local ids (each_segment) and the per-segment runs are merged
 * under collection ids; a one-character term walks its unigram postings, a
 * longer one leapfrogs the cursors of the bigrams covering it, rarest
 * first, and keeps the documents where all of them line up at one start
 * (line_up).  A term's spelling variants are united into it, and so are
 * its synonyms (synonyms.h: weighted, in eval_group).  Term frequencies
 * become BM25 scores (rank.h) once per term; AND and NOT are
 * merges of sorted hitsets, OR a union, with scores added.  A field term
 * other than title: is a filter (filter.h) whose hits score 0.
 */
#include "query_eval.h"
#include "notices.h"
#include "fault.h"
#include "filter.h"
#include "format.h"
#include "normalize.h"
#include "postings.h"
#include "text.h"
#include "variants.h"
#include "varint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A set of documents with scores, in doc id order. */
typedef struct hitset {
	bidx_hit *h;
	uint32_t n;
	size_t cap;
} hitset;

typedef struct eval_state {
	bidx_index *ix;
	bidx_segment *seg;    /* the segment being evaluated (local doc ids) */
	double avgdl;
	bidx_result *res;
	char *why;
	size_t whylen;
	int title_only;       /* count only occurrences inside titles (title:) */
	int docs_only;        /* only which documents match (bidx_query_match): no
	                         scores, match kinds or first places */
	const hitset *within; /* docs_only: a term need only be matched in these
	                         documents (collection ids), its AND siblings' hits */
	uint32_t *wloc;       /* within's documents in seg, as local ids, sorted */
	uint32_t nwloc;
	uint32_t wat;         /* the first of wloc not yet passed */
	bidx_xterm *xt;       /* explaining: the term whose occurrences in x_local of
	                         x_seg are counted, else NULL */
	const bidx_segment *x_seg;
	uint32_t x_local;
	uint32_t x_doc;       /* the same document's collection id */
	uint32_t si;          /* the index of seg in the index */
	uint32_t topk;        /* bidx_query_eval_top's k (0: every score exact) */
	int prune;            /* the term being matched may leave hits out of reach
	                         of the best topk unscored */
	double *best;         /* min-heap of the best topk exact BM25 tf parts so far */
	uint32_t nbest;
	double bar_of;        /* the best[0] the lin_ coefficients are of (0: none) */
	double lin_w, lin_0, lin_dl; /* one character's cut (unigram_out_of_reach) */
	int pruned;           /* some hit was left unscored (score 0) */
	const hitset *exclude; /* top k of WORD -NOT...: the documents the NOTs will
	                          subtract, whose scores must not raise the bar */
	int has_df;           /* the term scored next is matched only within its AND
	                         siblings' documents: its idf is of df, not of its hits */
	uint32_t df;
} eval_state;

/* What evaluation did in this thread (bidx_eval_counters). */
static _Thread_local bidx_eval_counters counters;

/* Counts one occurrence of the term being explained. */
static void x_count(eval_state *cx, uint32_t doc, enum bidx_mkind k, int in_title)
{
	bidx_xterm *x = cx->xt;
	if (!x || cx->seg != cx->x_seg || doc != cx->x_local)
		return;
	x->whole += k == BIDX_KIND_WHOLE;
	x->edge += k == BIDX_KIND_EDGE;
	x->inside += k == BIDX_KIND_INSIDE;
	x->across += k == BIDX_KIND_ACROSS;
	x->title += in_title != 0;
}

static void hitset_free(hitset *s)
{
	free(s->h);
	s->h = NULL;
	s->n = s->cap = 0;
}

static int hitset_push(hitset *s, uint32_t doc, double score, uint32_t pos)
{
	if (s->n == s->cap && bidx_grow((void **)&s->h, &s->cap, (size_t)s->n + 1, sizeof *s->h))
		return -1;
	s->h[s->n++] = (bidx_hit){doc, score, pos};
	return 0;
}

/* Document length in words, straight from the DOCS record of collection
 * id doc (always a live document: it came from a segment's map). */
static inline __attribute__((always_inline)) double doc_len(const bidx_index *ix, uint32_t doc)
{
	uint32_t local;
	const bidx_segment *seg = bidx_index_locate(ix, doc, &local);
	return (double)bidx_segment_ntokens(seg, local);
}

/* Turns weighted frequencies (in score) into BM25 scores, with the
 * statistics of the whole collection (live documents of every segment). */
static void score_term(eval_state *cx, hitset *s)
{
	double idf = bidx_idf(cx->has_df ? cx->df : s->n, cx->ix->ndocs);
	cx->has_df = 0;
	if (cx->pruned) {   /* a hit left unscored stays 0: no length to look up */
		for (uint32_t i = 0; i < s->n; i++)
			if (s->h[i].score != 0)
				s->h[i].score = bidx_bm25(idf, s->h[i].score, doc_len(cx->ix, s->h[i].doc),
				                          cx->avgdl);
		return;
	}
	for (uint32_t i = 0; i < s->n; i++)
		s->h[i].score = bidx_bm25(idf, s->h[i].score, doc_len(cx->ix, s->h[i].doc), cx->avgdl);
}

static int cmp_hit_doc(const void *a, const void *b)
{
	const bidx_hit *x = a, *y = b;
	return (x->doc > y->doc) - (x->doc < y->doc);
}

/* What one segment contributes to a term: evaluated on local ids. */
typedef bidx_err (*seg_eval_fn)(eval_state *cx, const void *arg, hitset *out);

/* Merges runs sorted by doc (no doc in two runs) into out, emptying them.
 * The runs are few (one per segment): each step takes the least head. */
static bidx_err merge_runs(hitset *runs, uint32_t nr, hitset *out)
{
	size_t total = 0;
	uint32_t nonempty = 0, last = 0;
	for (uint32_t i = 0; i < nr; i++)
		if (runs[i].n) {
			total += runs[i].n;
			nonempty++;
			last = i;
		}
	if (nonempty <= 1) {
		if (nonempty) {
			*out = runs[last];
			runs[last] = (hitset){0};
		}
		return BIDX_OK;
	}
	uint32_t *at = bidx_calloc((size_t)nr + 1, sizeof *at);
	out->h = bidx_malloc(total * sizeof *out->h);
	if (!at || !out->h) {
		free(at);
		hitset_free(out);
		return BIDX_ENOMEM;
	}
	out->cap = total;
	for (size_t k = 0; k < total; k++) {
		uint32_t best = UINT32_MAX, bdoc = UINT32_MAX;
		for (uint32_t i = 0; i < nr; i++)
			if (at[i] < runs[i].n && runs[i].h[at[i]].doc < bdoc) {
				bdoc = runs[i].h[at[i]].doc;
				best = i;
			}
		out->h[k] = runs[best].h[at[best]++];
	}
	out->n = (uint32_t)total;
	free(at);
	for (uint32_t i = 0; i < nr; i++)
		hitset_free(&runs[i]);
	return BIDX_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* First index >= from of p[0..n) whose value is >= v (n when none):
 * galloping, so a walk over increasing v costs O(log gap) a step. */
static uint32_t gallop(const uint32_t *p, uint32_t n, uint32_t from, uint64_t v)
{
	if (from >= n || p[from] >= v)
		return from;
	uint32_t lo = from, step = 1;   /* p[lo] < v */
	uint32_t hi = lo + 1;
	while (hi < n && p[hi] < v) {
		lo = hi;
		step = step < UINT32_MAX / 2 ? step * 2 : step;
		hi = n - lo > step ? lo + step : n;
	}
	lo++;   /* answer in [lo, hi] */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* cx->wloc: the documents of cx->within in segment si, local ids, sorted. */
static bidx_err within_segment(eval_state *cx, uint32_t si)
{
	free(cx->wloc);
	cx->wloc = NULL;
	cx->nwloc = cx->wat = 0;
	if (!cx->within)
		return BIDX_OK;
	cx->wloc = bidx_malloc(((size_t)cx->within->n + 1) * sizeof *cx->wloc);
	if (!cx->wloc)
		return BIDX_ENOMEM;
	int sorted = 1;
	for (uint32_t i = 0; i < cx->within->n; i++) {
		uint32_t local;
		if (bidx_index_locate(cx->ix, cx->within->h[i].doc, &local) != cx->ix->seg[si])
			continue;
		sorted &= cx->nwloc == 0 || cx->wloc[cx->nwloc - 1] < local;
		cx->wloc[cx->nwloc++] = local;
	}
	if (!sorted)
		qsort(cx->wloc, cx->nwloc, sizeof *cx->wloc, cmp_u32);
	return BIDX_OK;
}

/* With cx->within, moves c (on a doc, *have 1) to the first doc that is in
 * it; *have 0 when none is left. */
static bidx_err within_seek(eval_state *cx, bidx_pcur *c, int *have)
{
	while (cx->within && *have) {
		cx->wat = gallop(cx->wloc, cx->nwloc, cx->wat, (uint64_t)c->doc);
		if (cx->wat == cx->nwloc) {
			*have = 0;
			return BIDX_OK;
		}
		if (cx->wloc[cx->wat] == c->doc)
			return BIDX_OK;
		BIDX_TRY(bidx_pcur_seek(c, cx->wloc[cx->wat], have));
	}
	return BIDX_OK;
}

static bidx_err seg_run(eval_state *cx, uint32_t si, seg_eval_fn fn, const void *arg,
                        hitset *out)
{
	cx->seg = cx->ix->seg[si];
	cx->si = si;
	bidx_err rc = within_segment(cx, si);
	if (!rc)
		rc = fn(cx, arg, out);
	free(cx->wloc);
	cx->wloc = NULL;
	return rc;
}

/* Runs fn on every segment and gathers the hits under collection ids, in
 * order, leaving deleted documents out. */
static bidx_err each_segment(eval_state *cx, seg_eval_fn fn, const void *arg, hitset *out)
{
	const bidx_index *ix = cx->ix;
	if (ix->identity)
		return seg_run(cx, 0, fn, arg, out);
	hitset *runs = bidx_calloc((size_t)ix->nseg + 1, sizeof *runs);
	if (!runs)
		return BIDX_ENOMEM;
	bidx_err rc = BIDX_OK;
	for (uint32_t si = 0; si < ix->nseg && !rc; si++) {
		hitset *part = &runs[si];
		rc = seg_run(cx, si, fn, arg, part);
		uint32_t o = 0;
		int sorted = 1;
		for (uint32_t i = 0; i < part->n && !rc; i++) {
			uint32_t g = bidx_index_global(ix, si, part->h[i].doc);
			if (g == BIDX_DELETED)
				continue;
			part->h[o] = part->h[i];
			part->h[o].doc = g;
			sorted &= o == 0 || part->h[o - 1].doc < g;
			o++;
		}
		part->n = o;
		if (!rc && !sorted)   /* a segment whose files changed order */
			qsort(part->h, part->n, sizeof *part->h, cmp_hit_doc);
	}
	if (!rc)
		rc = merge_runs(runs, ix->nseg, out);
	for (uint32_t si = 0; si < ix->nseg; si++)
		hitset_free(&runs[si]);
	free(runs);
	return rc;
}

static int stays(const eval_state *cx, uint32_t g);
static double tf_part(double wtf, double norm);
static void keep_best(eval_state *cx, double x);

/* Whether local doc, where a one-character word weighs w (exact: the
 * counts of its unigram postings give it whole), is out of reach of the
 * best topk exact tf parts so far; if not, its own is noted among them.
 * With bar = best[0] * (1 - 1e-9) (out_of_reach's margin), tf_part(w, norm)
 * < bar is w (k1 + 1 - bar) - bar k1 (1 - b) < bar k1 b / avgdl * dl, norm
 * being linear in dl: no division for a document ruled out (the
 * coefficients change only with the bar). */
static int unigram_out_of_reach(eval_state *cx, uint32_t doc, double w)
{
	double dl = (double)bidx_segment_ntokens(cx->seg, doc);
	if (cx->nbest == cx->topk) {
		if (cx->best[0] != cx->bar_of) {
			double bar = cx->best[0] * (1.0 - 1e-9), k1 = BIDX_BM25_K1, b = BIDX_BM25_B;
			cx->bar_of = cx->best[0];
			cx->lin_w = k1 + 1.0 - bar;
			cx->lin_0 = cx->avgdl > 0 ? bar * k1 * (1.0 - b) : bar * k1;
			cx->lin_dl = cx->avgdl > 0 ? bar * k1 * b / cx->avgdl : 0;
		}
		if (w * cx->lin_w - cx->lin_0 < cx->lin_dl * dl)
			return 1;
	}
	if (stays(cx, bidx_index_global(cx->ix, cx->si, doc)))
		keep_best(cx, tf_part(w, bidx_bm25_norm(dl, cx->avgdl)));
	return 0;
}

static bidx_err eval_unigram(eval_state *cx, const void *arg, hitset *out)
{
	uint32_t c = *(const uint32_t *)arg;
	bidx_term t;
	bidx_pcur cur;
	int have;
	BIDX_TRY(bidx_termdict_find(bidx_segment_termdict(cx->seg), bidx_key1(c), &t, &have));
	if (!have)
		return BIDX_OK;
	if (bidx_segment_need(cx->seg, BIDX_SEC_POSTINGS, t.post_off, t.post_len))
		return BIDX_ECORRUPT;
	BIDX_TRY(bidx_pcur_init(&cur, bidx_segment_postings(cx->seg, &t), t.post_len, t.df, 1,
	                        bidx_segment_ndocs(cx->seg)));
	for (;;) {
		BIDX_TRY(bidx_pcur_next_counts_fast(&cur, &have));
		if (cx->within)
			BIDX_TRY(within_seek(cx, &cur, &have));
		if (!have)
			break;
		counters.docs++;
		uint32_t inside = cur.tf - cur.tf_word - cur.tf_edge;
		double w = cur.tf_word + BIDX_W_EDGE * cur.tf_edge + BIDX_W_INSIDE * inside;
		if (cur.tf_title)   /* else it adds 0.0: w unchanged, without a division */
			w += (BIDX_W_TITLE - 1.0) * cur.tf_title * (w / cur.tf);
		if (cx->title_only)
			w = cur.tf_title ? BIDX_W_TITLE * cur.tf_title : 0;
		if (w == 0)
			continue;
		if (cx->prune && unigram_out_of_reach(cx, (uint32_t)cur.doc, w)) {
			cx->pruned = 1;
			w = 0;   /* matches, scored 0 */
		}
		if (cx->xt && cx->seg == cx->x_seg && cur.doc == cx->x_local) {
			cx->xt->whole += cur.tf_word;
			cx->xt->edge += cur.tf_edge;
			cx->xt->inside += inside;
			cx->xt->title += cur.tf_title;
		}
		if (hitset_push(out, (uint32_t)cur.doc, w, BIDX_NOPOS))
			return BIDX_ENOMEM;
	}
	return BIDX_OK;
}

/* One distinct bigram of a term: the cover offsets where it stands in the
 * term, its postings cursor, and its positions in the document being
 * matched.  A term that repeats a bigram (■■■■...) has one gram for it, so
 * each document's positions of that bigram are decoded once, however long
 * the term, and only while some start position is still possible. */
typedef struct gram {
	uint32_t first;       /* its offsets are offs[first .. first + noffs) */
	uint32_t noffs;
	uint32_t df;
	bidx_pcur cur;
	uint32_t *pos;        /* positions in the current doc; owned */
	uint32_t cap;         /* room in pos */
	uint32_t npos;        /* decoded positions of the current doc */
	int64_t pos_doc;      /* the doc pos holds, -1 for none */
	int part;             /* pos holds only the first npos of its tf (gram_upto) */
	uint32_t *run;        /* run[i]: how many of pos[i]+d, pos[i]+2d... follow; owned */
	uint32_t run_cap;
	uint32_t run_d;       /* the step d of run */
	int64_t run_doc;      /* the doc run was made for, -1 for none */
} gram;

/* A term of two or more characters being matched in one segment. */
typedef struct ngram {
	gram *g;              /* its distinct bigrams, rarest first */
	uint32_t ng;
	uint32_t *offs;       /* cover offsets, grouped by gram, increasing in each */
	uint32_t len;         /* the term's characters */
	uint32_t *cand;       /* start positions still possible in the current doc */
	size_t ccap;
	uint64_t work;        /* candidates examined in the current doc ... */
	uint64_t budget;      /* ... and how many before it scans instead (scan_doc) */
	uint32_t *pat;        /* pat[i]: the gram at even cover offset 2i (len / 2 of
	                         them); NULL until a scan needs it; owned */
	uint32_t *fail;       /* pat's KMP failure function; owned */
	uint32_t odd;         /* odd len: the gram at offset len - 2, else UINT32_MAX */
	uint64_t *merged;     /* a doc's positions of every gram, pos << 32 | gram; owned */
	size_t mcap;
	uint32_t *heap;       /* grams by their next position, for the merge; owned */
	uint32_t *at;         /* at[k]: the next position of gram k to merge; owned */
	uint32_t *look;       /* look[k]: where the last lookup in gram k's positions
	                         stopped (stands_in); owned */
	int distinct;         /* no bigram twice in the cover (each gram one offset) */
	double weight[2][4];  /* bidx_mkind_weight(kind, in_title), [in_title][kind] */
} ngram;


void bidx_eval_counters_get(bidx_eval_counters *out, int reset)
{
	*out = counters;
	if (reset)
		memset(&counters, 0, sizeof counters);
}

/* A bigram of the cover: its key and where it starts in the term. */
typedef struct keyoff {
	uint64_t key;
	uint32_t off;
} keyoff;

static int cmp_keyoff(const void *a, const void *b)
{
	const keyoff *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->off > y->off) - (x->off < y->off);
}

static int cmp_gram_df(const void *a, const void *b)
{
	const gram *x = a, *y = b;
	return x->df < y->df ? -1 : x->df > y->df ? 1 : (x->first > y->first) - (x->first < y->first);
}

/* Keeps the candidates s with s + off among the positions p. */
static uint32_t keep_aligned(uint32_t *cand, uint32_t n, const uint32_t *p, uint32_t np,
                             uint32_t off)
{
	uint32_t o = 0, j = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = (uint64_t)cand[i] + off;
		j = gallop(p, np, j, v);
		if (j == np)
			break;
		if (p[j] == v)
			cand[o++] = cand[i];
	}
	return o;
}

static int gram_rest(gram *g, uint32_t nchars);

/* Room in g->pos for the current doc's positions: 0, -2 out of memory. */
static inline int gram_room(gram *g)
{
	if (g->cur.tf > g->cap) {
		uint32_t *np = bidx_realloc(g->pos, (size_t)g->cur.tf * sizeof *np);
		if (!np)
			return -2;
		g->pos = np;
		g->cap = g->cur.tf;
	}
	return 0;
}

/* Decodes the positions of g in doc (once per doc; the rest of them when
 * gram_upto decoded a part).  0, -1 corrupt, -2 out of memory. */
static inline __attribute__((always_inline)) int gram_positions(gram *g, uint32_t doc,
                                                                uint32_t nchars)
{
	if (g->pos_doc == (int64_t)doc)
		return g->part ? gram_rest(g, nchars) : 0;
	if (gram_room(g))
		return -2;
	if (bidx_pcur_positions_fast(&g->cur, g->pos, nchars - 1))
		return -1;
	g->npos = g->cur.tf;
	counters.positions += g->npos;
	g->pos_doc = doc;
	g->part = 0;
	return 0;
}

static int gram_more(gram *g, uint32_t doc, uint32_t nchars, uint64_t v);

/* Up to this many positions in a doc, a gram's are decoded whole: as cheap
 * as a part, and without a call. */
#define GRAM_WHOLE 4

/* Decodes g's positions in doc at least up to the first >= v, or all of
 * them: whether v is among them is then known, and the positions after it
 * are left undecoded (a word's count stops at its first start).  0, -1
 * corrupt, -2 out of memory. */
static inline __attribute__((always_inline)) int gram_upto(gram *g, uint32_t doc,
                                                           uint32_t nchars, uint64_t v)
{
	if (g->pos_doc == (int64_t)doc && (!g->part || (g->npos && g->pos[g->npos - 1] >= v)))
		return 0;
	if (g->pos_doc != (int64_t)doc && g->cur.tf <= GRAM_WHOLE)
		return gram_positions(g, doc, nchars);   /* a few: all at once, inlined */
	return gram_more(g, doc, nchars, v);
}

/* gram_upto's decoding, out of the loops that call it. */
static __attribute__((noinline)) int gram_more(gram *g, uint32_t doc, uint32_t nchars, uint64_t v)
{
	if (g->pos_doc != (int64_t)doc) {
		if (gram_room(g))
			return -2;
		g->npos = 0;
		g->part = 1;
		g->pos_doc = doc;
	}
	uint32_t n, upto = v < UINT32_MAX ? (uint32_t)v : UINT32_MAX;
	if (bidx_pcur_positions_part_fast(&g->cur, g->pos, nchars - 1, g->npos, upto, &n)) {
		g->pos_doc = -1;
		return -1;
	}
	counters.positions += n - g->npos;
	g->npos = n;
	g->part = n < g->cur.tf;
	return 0;
}

/* The positions of a gram gram_upto left decoded in part: the rest. */
static int gram_rest(gram *g, uint32_t nchars)
{
	uint32_t n;
	if (bidx_pcur_positions_part(&g->cur, g->pos, nchars - 1, g->npos, UINT32_MAX, &n)) {
		g->pos_doc = -1;
		return -1;
	}
	counters.positions += n - g->npos;
	g->npos = n;
	g->part = 0;
	return 0;
}

/* Keeps the candidates s with s + off, s + off + d, ... s + off + steps*d
 * all among the positions p, reading run (the steps of d after each). */
static uint32_t keep_runs(uint32_t *cand, uint32_t n, const uint32_t *p, const uint32_t *run,
                          uint32_t np, uint32_t off, uint32_t steps)
{
	uint32_t o = 0, j = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = (uint64_t)cand[i] + off;
		j = gallop(p, np, j, v);
		if (j == np)
			break;
		if (p[j] == v && run[j] >= steps)
			cand[o++] = cand[i];
	}
	return o;
}

/* Fills g->run for step d in the current doc: one backward pass. */
static int gram_runs(gram *g, uint32_t d)
{
	if (g->run_doc == g->pos_doc && g->run_d == d)
		return 0;
	if (g->npos > g->run_cap) {
		uint32_t *nr = bidx_realloc(g->run, (size_t)g->npos * sizeof *nr);
		if (!nr)
			return -2;
		g->run = nr;
		g->run_cap = g->npos;
	}
	uint32_t k = g->npos;   /* the index of pos[i] + d, when there is one */
	for (uint32_t i = g->npos; i-- > 0;) {
		uint64_t next = (uint64_t)g->pos[i] + d;
		while (k > i + 1 && g->pos[k - 1] >= next)
			k--;
		g->run[i] = k < g->npos && k > i && g->pos[k] == next ? g->run[k] + 1 : 0;
	}
	g->run_d = d;
	g->run_doc = g->pos_doc;
	return 0;
}

/* Narrows the candidates (*n of them) by the offsets of gram g from index
 * `from` on.  Offsets in arithmetic progression (a repeated bigram: ■■■■,
 * abab...) are checked in one pass through the runs of g's positions, so a
 * term that repeats one bigram a thousand times costs a few passes, not a
 * thousand.  Each pass examines every candidate left: when the passes have
 * examined more than t->budget, it stops (1) and the caller scans instead,
 * which costs the positions, not the passes.  0, 1 or -2 (out of memory). */
static int narrow(ngram *t, gram *g, uint32_t *n, uint32_t from)
{
	const uint32_t *o = t->offs + g->first;
	uint32_t j = from;
	while (j < g->noffs && *n) {
		t->work += *n;
		counters.steps += *n;
		if (t->work > t->budget)
			return 1;
		uint32_t e = j + 1;   /* o[j..e) step by d */
		uint32_t d = e < g->noffs ? o[e] - o[j] : 0;
		while (e < g->noffs && o[e] - o[e - 1] == d)
			e++;
		if (e - j < 3) {
			*n = keep_aligned(t->cand, *n, g->pos, g->npos, o[j]);
			j++;
			continue;
		}
		if (gram_runs(g, d))
			return -2;
		*n = keep_runs(t->cand, *n, g->pos, g->run, g->npos, o[j], e - j - 1);
		j = e;
	}
	return 0;
}

/* pat and its failure function (pat[0..i] 's longest proper border), made
 * once per segment, the first time a document needs a scan. */
static int make_pattern(ngram *t)
{
	uint32_t m = t->len / 2;
	t->pat = bidx_malloc((size_t)m * sizeof *t->pat);
	t->fail = bidx_malloc((size_t)m * sizeof *t->fail);
	t->heap = bidx_malloc((size_t)t->ng * sizeof *t->heap);
	t->at = bidx_malloc((size_t)t->ng * sizeof *t->at);
	if (!t->pat || !t->fail || !t->heap || !t->at)
		return -2;
	t->odd = UINT32_MAX;
	for (uint32_t k = 0; k < t->ng; k++)
		for (uint32_t j = 0; j < t->g[k].noffs; j++) {
			uint32_t off = t->offs[t->g[k].first + j];
			if (off % 2 == 0)
				t->pat[off / 2] = k;
			else
				t->odd = k;   /* the last bigram of an odd-length term */
		}
	t->fail[0] = 0;
	for (uint32_t i = 1, b = 0; i < m; i++) {
		while (b && t->pat[i] != t->pat[b])
			b = t->fail[b - 1];
		b += t->pat[i] == t->pat[b];
		t->fail[i] = b;
	}
	return 0;
}

/* Restores the heap order below slot i (keyed by each gram's next position). */
static void heap_down(ngram *t, uint32_t nh, uint32_t i)
{
	uint32_t *h = t->heap;
	for (;;) {
		uint32_t l = 2 * i + 1, best = i;
		if (l < nh && t->g[h[l]].pos[t->at[h[l]]] < t->g[h[best]].pos[t->at[h[best]]])
			best = l;
		if (l + 1 < nh && t->g[h[l + 1]].pos[t->at[h[l + 1]]] < t->g[h[best]].pos[t->at[h[best]]])
			best = l + 1;
		if (best == i)
			return;
		uint32_t x = h[i];
		h[i] = h[best];
		h[best] = x;
		i = best;
	}
}

/* Every position of every gram in the current doc (all decoded), in
 * increasing order, into t->merged: a heap merge of the grams' lists.  No
 * two grams share a position (a position holds one bigram). */
static int merge_positions(ngram *t, size_t total)
{
	if (bidx_grow((void **)&t->merged, &t->mcap, total, sizeof *t->merged))
		return -2;
	uint32_t nh = 0;
	for (uint32_t k = 0; k < t->ng; k++) {
		t->at[k] = 0;
		if (t->g[k].npos)
			t->heap[nh++] = k;
	}
	for (uint32_t i = nh / 2; i-- > 0;)
		heap_down(t, nh, i);
	for (size_t o = 0; nh; o++) {
		uint32_t k = t->heap[0];
		t->merged[o] = (uint64_t)t->g[k].pos[t->at[k]] << 32 | k;
		if (++t->at[k] == t->g[k].npos)
			t->heap[0] = t->heap[--nh];
		heap_down(t, nh, 0);
	}
	return 0;
}

/* The start positions in doc where the term stands, by one scan of all its
 * grams' positions: along each parity of position, the grams at p, p + 2,
 * p + 4 ... are a string over the term's grams, and the term's even cover
 * offsets (pat) are matched in it by Knuth-Morris-Pratt, a run broken where
 * a position holds none of the grams.  An odd-length term's last bigram is
 * then looked up at s + len - 2.  Time and memory are linear in the
 * positions, whatever the term's length and however its bigrams repeat.
 * 0, -1 corrupt, -2 out of memory. */
static int scan_doc(ngram *t, uint32_t doc, uint32_t nchars, uint32_t *ncand)
{
	size_t total = 0;
	*ncand = 0;
	if (!t->pat && make_pattern(t))
		return -2;
	for (uint32_t k = 0; k < t->ng; k++) {
		int r = gram_positions(&t->g[k], doc, nchars);
		if (r)
			return r;
		total += t->g[k].npos;
	}
	if (merge_positions(t, total) ||
	    bidx_grow((void **)&t->cand, &t->ccap, total, sizeof *t->cand))
		return -2;
	counters.steps += total;
	uint32_t m = t->len / 2, state[2] = {0, 0}, n = 0, xj = 0;
	uint64_t prev[2] = {0, 0};
	const gram *x = t->odd != UINT32_MAX ? &t->g[t->odd] : NULL;
	for (size_t i = 0; i < total; i++) {
		uint32_t p = (uint32_t)(t->merged[i] >> 32), k = (uint32_t)t->merged[i];
		uint32_t b = state[p & 1];
		if (b && p != prev[p & 1] + 2)
			b = 0;   /* a position between holds none of the grams */
		while (b && t->pat[b] != k)
			b = t->fail[b - 1];
		b += t->pat[b] == k;
		if (b == m) {
			uint32_t s = p - 2 * (m - 1);
			int ok = 1;
			if (x) {
				xj = gallop(x->pos, x->npos, xj, (uint64_t)s + t->len - 2);
				ok = xj < x->npos && x->pos[xj] == (uint64_t)s + t->len - 2;
			}
			if (ok)
				t->cand[n++] = s;
			b = t->fail[m - 1];
		}
		state[p & 1] = b;
		prev[p & 1] = p;
	}
	*ncand = n;
	return 0;
}

/* The start positions in doc where all grams line up: starts from the gram
 * with the fewest positions in doc and narrows by the others, decoding a
 * gram only while candidates are left.  Narrowing costs the candidates
 * times the passes; when that passes the positions of all the grams (a term
 * whose bigrams repeat at irregular offsets, over a document full of them),
 * it scans those positions instead (scan_doc), so a document costs at most
 * about twice its positions.  Memory: the positions of the grams it decodes,
 * one candidate array and, for a scan, one merged array of the positions. */
static inline __attribute__((always_inline))   /* the hot path of every longer word */
int line_up(ngram *t, uint32_t doc, uint32_t nchars, const uint32_t **starts, uint32_t *ncand)
{
	gram *g = t->g;
	uint32_t lead = 0;
	*ncand = 0;
	*starts = t->cand;   /* set again below: a scan may move it */
	if (t->ng == 1 && g[0].noffs == 1 && t->offs[g[0].first] == 0) {
		/* one bigram once (a two-character word): its positions are the starts */
		int r = gram_positions(&g[0], doc, nchars);
		*starts = g[0].pos;
		*ncand = r ? 0 : g[0].npos;
		return r;
	}
	t->work = 0;
	t->budget = t->len;
	for (uint32_t k = 0; k < t->ng; k++) {
		t->budget += g[k].cur.tf;
		if (g[k].cur.tf < g[lead].cur.tf)
			lead = k;
	}
	int r = gram_positions(&g[lead], doc, nchars);
	if (r)
		return r;
	if (bidx_grow((void **)&t->cand, &t->ccap, g[lead].npos, sizeof *t->cand))
		return -2;
	uint32_t n = 0, off0 = t->offs[g[lead].first];
	for (uint32_t i = 0; i < g[lead].npos; i++)
		if (g[lead].pos[i] >= off0)
			t->cand[n++] = g[lead].pos[i] - off0;
	r = narrow(t, &g[lead], &n, 1);
	for (uint32_t k = 0; k < t->ng && n && !r; k++) {
		if (k == lead)
			continue;
		if ((r = gram_positions(&g[k], doc, nchars)) != 0)
			return r;
		r = narrow(t, &g[k], &n, 0);
	}
	if (r == 1) {
		r = scan_doc(t, doc, nchars, ncand);
		*starts = t->cand;
		return r;
	}
	if (r)
		return r;
	*starts = t->cand;
	*ncand = n;
	return 0;
}

/* The kind of a two-character match from the boundary bits before it (1),
 * between its characters (2) and after it (4), as bidx_match_kind says. */
static const uint8_t kind2[8] = {
	BIDX_KIND_INSIDE, BIDX_KIND_EDGE, BIDX_KIND_ACROSS, BIDX_KIND_ACROSS,
	BIDX_KIND_EDGE, BIDX_KIND_WHOLE, BIDX_KIND_ACROSS, BIDX_KIND_WHOLE,
};

/* Weighted frequency of the term in the doc all grams sit on; 0 if the
 * bigrams never line up.  The occurrences' weights are added one by one in
 * the order of the starts, each bidx_mkind_weight's value, so the sum is
 * the same to the last bit however the kinds are found.  0, 1 when the
 * document matches but is left unscored (out_of_reach), -1 corrupt, -2
 * out of memory. */
/* BM25's frequency part wtf * (k1 + 1) / (wtf + norm): a term's score
 * over its idf, which is the same for all its documents. */
static double tf_part(double wtf, double norm)
{
	return wtf * (BIDX_BM25_K1 + 1.0) / (wtf + norm);
}

/* Notes an exact tf part among the best topk (a min-heap). */
static void keep_best(eval_state *cx, double x)
{
	double *h = cx->best;
	uint32_t n = cx->nbest, i = 0;
	if (n < cx->topk) {   /* sift up */
		for (i = cx->nbest++; i > 0 && h[(i - 1) / 2] > x; i = (i - 1) / 2)
			h[i] = h[(i - 1) / 2];
		h[i] = x;
		return;
	}
	if (x <= h[0])
		return;
	for (;;) {   /* replace the least, sift down */
		uint32_t l = 2 * i + 1, m = l;
		if (l >= n)
			break;
		if (l + 1 < n && h[l + 1] < h[l])
			m = l + 1;
		if (h[m] >= x)
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = x;
}

/* Whether doc (record d) cannot rank among the best topk of a one-word
 * query when the word (len characters) occurs at most tf times in it:
 * even with every occurrence a whole word, and as many as fit in the
 * title weighted as title matches, its tf part stays below the topk-th
 * best exact one seen among live documents (with a margin far above
 * rounding: every segment's scores are the same function).  idf, the same
 * for every document, does not change the order. */
static int out_of_reach(const eval_state *cx, const bidx_docshape *d, uint32_t len, uint32_t tf,
                        double norm)
{
	if (cx->nbest < cx->topk)
		return 0;
	uint32_t tl = d->title_end - d->title_start;
	uint32_t room = tl >= len ? tl - len + 1 : 0;   /* starts whose match fits in the title */
	double ub = (double)tf + (BIDX_W_TITLE - 1.0) * (double)(tf < room ? tf : room);
	return tf_part(ub, norm) < cx->best[0] * (1.0 - 1e-9);
}

/* The gram with the fewest positions in the document all the grams'
 * cursors are on (the first of them): each start s puts every gram at its
 * own s + offset, so the term has no more occurrences there than it has
 * positions. */
static inline uint32_t lead_gram(const ngram *t)
{
	uint32_t lead = 0;
	for (uint32_t k = 1; k < t->ng; k++)
		if (t->g[k].cur.tf < t->g[lead].cur.tf)
			lead = k;
	return lead;
}

/* Whether the term stands anywhere in doc (whole inside its nchars), for a
 * document that counts but is not scored.  A term whose bigrams are all
 * distinct is checked start by start from its gram lead (lead_gram), each
 * other gram looked up at the start's offset and the start given up at the
 * first that is missing; positions are decoded for a gram only once some
 * start reaches it, and only up to the position that start asks for
 * (gram_upto).  Others line up as usual.  1, 0, -1 corrupt, -2 out of
 * memory. */
static inline __attribute__((always_inline))   /* in match_doc and doc_has alike */
int stands_in(ngram *t, uint32_t doc, uint32_t nchars, uint32_t lead)
{
	gram *g = t->g;
	uint32_t n;
	const uint32_t *starts;
	if (!t->distinct) {
		int r = line_up(t, doc, nchars, &starts, &n);
		if (r)
			return r;
		for (uint32_t i = 0; i < n; i++)
			if ((uint64_t)starts[i] + t->len <= nchars)
				return 1;
		return 0;
	}
	int r = gram_positions(&g[lead], doc, nchars);
	if (r)
		return r;
	uint32_t off0 = t->offs[g[lead].first], *at = t->look;
	for (uint32_t k = 0; k < t->ng; k++)   /* a few: no call */
		at[k] = 0;
	for (uint32_t i = 0; i < g[lead].npos; i++) {
		uint32_t p = g[lead].pos[i];
		if (p < off0)
			continue;
		uint64_t s = p - off0;
		if (s + t->len > nchars)
			return 0;   /* starts increase: none later fits either */
		counters.steps++;
		uint32_t k = 0;
		for (; k < t->ng; k++) {
			if (k == lead)
				continue;
			uint64_t v = s + t->offs[g[k].first];
			if ((r = gram_upto(&g[k], doc, nchars, v)) != 0)
				return r;
			at[k] = gallop(g[k].pos, g[k].npos, at[k], v);
			if (at[k] == g[k].npos)
				return 0;   /* all decoded: no later start can have this gram either */
			if (g[k].pos[at[k]] != v)
				break;
		}
		if (k == t->ng)
			return 1;
	}
	return 0;
}

/* Whether collection document g (BIDX_DELETED for a deleted one) is among
 * the hits of the query: live, and not subtracted by a NOT. */
static int stays(const eval_state *cx, uint32_t g)
{
	if (g == BIDX_DELETED)
		return 0;
	if (!cx->exclude)
		return 1;
	uint32_t lo = 0, hi = cx->exclude->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cx->exclude->h[mid].doc < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == cx->exclude->n || cx->exclude->h[lo].doc != g;
}

/* Whether doc, not out of reach from its lengths and title, is from the
 * starts its gram with the fewest positions leaves: every occurrence puts
 * that gram at start + its offset, so there are no more occurrences than
 * such starts that fit in the text, and none in the title but those that
 * fit there (each occurrence weighing at most 1, BIDX_W_TITLE there).
 * Those positions are decoded once for the document, whatever comes next
 * (line_up and stands_in start from the same gram).  1, 0, -1 corrupt, -2
 * out of memory. */
static inline __attribute__((always_inline))
int starts_out_of_reach(const eval_state *cx, ngram *t, uint32_t doc, const bidx_docshape *d,
                        double norm, uint32_t lead)
{
	gram *g = t->g;
	uint32_t len = t->len;
	int r = gram_positions(&g[lead], doc, d->nchars);
	if (r)
		return r;
	uint32_t off0 = t->offs[g[lead].first], n = 0, nt = 0;
	for (uint32_t i = 0; i < g[lead].npos; i++) {
		uint32_t p = g[lead].pos[i];
		if (p < off0)
			continue;
		uint64_t s = p - off0;
		if (s + len > d->nchars)
			break;   /* starts increase: none later fits either */
		n++;
		nt += s >= d->title_start && s + len <= d->title_end;
	}
	double ub = (double)n + (BIDX_W_TITLE - 1.0) * (double)nt;
	return tf_part(ub, norm) < cx->best[0] * (1.0 - 1e-9);
}

static inline __attribute__((always_inline))   /* in join_grams, its one caller */
int match_doc(eval_state *cx, ngram *t, uint32_t doc, double *wtf, uint32_t *first)
{
	bidx_docrec d;
	uint32_t n;
	const uint32_t *starts;
	*wtf = 0;
	*first = BIDX_NOPOS;
	int prune = cx->prune;
	double norm = 0;
	if (prune) {
		/* its lengths and title decide whether it can rank: the rest of
		 * its record (where its bitmap is) only for one that can */
		bidx_docshape sh;
		if (bidx_segment_doc_shape(cx->seg, doc, &sh) || sh.nchars < 2)
			return -1;
		norm = bidx_bm25_norm((double)sh.ntokens, cx->avgdl);
		uint32_t lead = lead_gram(t);
		int out = out_of_reach(cx, &sh, t->len, t->g[lead].cur.tf, norm);
		if (!out && cx->nbest == cx->topk)   /* then from the starts its positions leave */
			out = starts_out_of_reach(cx, t, doc, &sh, norm, lead);
		if (out < 0)
			return out;
		if (out) {
			if (t->len == 2)
				return 1;   /* matches (the bigram is there), scored 0 */
			return stands_in(t, doc, sh.nchars, lead);   /* 1: matches, scored 0 */
		}
	}
	counters.records++;
	if (bidx_segment_doc_bounds(cx->seg, doc, &d) || d.nchars < 2)
		return -1;
	int r = line_up(t, doc, d.nchars, &starts, &n);
	if (r)
		return r;
	const uint8_t *bits = cx->docs_only ? NULL : bidx_segment_bounds(cx->seg, &d);
	uint32_t len = t->len, f = BIDX_NOPOS;
	double w = 0;
	if (bits && len == 2 && !cx->title_only && !cx->xt) {
		/* the common case, a two-character word ranked, in a loop of its own
		 * (explaining takes the general one: test_rank checks they agree) */
		uint32_t nc = d.nchars, ts = d.title_start, te = d.title_end;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t s = starts[i];
			if (s + 2 > nc)
				continue;
			unsigned b = bits[s >> 3] >> (s & 7);
			if ((s & 7) > 5)   /* the bit after is in the next byte, which exists */
				b |= (unsigned)bits[(s >> 3) + 1] << (8 - (s & 7));
			w += t->weight[s >= ts && s + 2 <= te][kind2[b & 7]];
			if (s < f)
				f = s;
		}
		n = 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s = starts[i];
		if ((uint64_t)s + len > d.nchars)
			continue;
		int in_title = s >= d.title_start && s + len <= d.title_end;
		if (cx->title_only && !in_title)
			continue;
		if (!bits) {   /* one occurrence decides */
			*wtf = 1;
			return 0;
		}
		enum bidx_mkind k = bidx_match_kind(bits, s, len);
		w += t->weight[in_title][k];
		if (cx->xt)
			x_count(cx, doc, k, in_title);
		if (s < f)
			f = s;
	}
	*wtf = w;
	*first = f;
	if (prune && w > 0 && stays(cx, bidx_index_global(cx->ix, cx->si, doc)))
		keep_best(cx, tf_part(w, norm));
	return 0;
}

/* Whether a two-character word's document is out of reach of the best
 * topk were every occurrence of it in the title (so beyond any title
 * length), from its length alone: its record need not be read. */
static inline int out_of_reach_quick(const eval_state *cx, const ngram *t, uint32_t doc)
{
	if (cx->nbest < cx->topk)
		return 0;
	double norm = bidx_bm25_norm((double)bidx_segment_ntokens(cx->seg, doc), cx->avgdl);
	return tf_part((double)t->g[0].cur.tf * BIDX_W_TITLE, norm) < cx->best[0] * (1.0 - 1e-9);
}

/* Whether the term stands in doc, for a caller that needs only which
 * documents match (docs_only, not title: only): one occurrence decides,
 * found as stands_in finds it.  0 or 1, -1 corrupt, -2 out of memory. */
static int doc_has(eval_state *cx, ngram *t, uint32_t doc)
{
	bidx_docshape d;   /* its length is all it needs of the record */
	if (bidx_segment_doc_shape(cx->seg, doc, &d) || d.nchars < 2)
		return -1;
	return stands_in(t, doc, d.nchars, lead_gram(t));
}

/* Leapfrog join of the gram cursors (g[0] the rarest). */
static bidx_err join_grams(eval_state *cx, ngram *t, hitset *out)
{
	gram *g = t->g;
	uint32_t ng = t->ng;
	int have, quick = cx->prune && t->len == 2;
	BIDX_TRY(bidx_pcur_next_fast(&g[0].cur, &have));
	while (have) {
		if (cx->within) {
			BIDX_TRY(within_seek(cx, &g[0].cur, &have));
			if (!have)
				break;
		}
		uint32_t target = (uint32_t)g[0].cur.doc;
		uint32_t k = 1;
		for (; k < ng; k++) {
			BIDX_TRY(bidx_pcur_seek_fast(&g[k].cur, target, &have));
			if (!have)
				return BIDX_OK;
			if (g[k].cur.doc > (int64_t)target)
				break;
		}
		if (k < ng) {
			BIDX_TRY(bidx_pcur_seek_fast(&g[0].cur, (uint32_t)g[k].cur.doc, &have));
			continue;
		}
		double wtf;
		uint32_t first;
		counters.docs++;
		int m;
		if (quick && out_of_reach_quick(cx, t, target)) {
			m = 1;   /* matches (the bigram is there), scored 0 */
			wtf = 0, first = BIDX_NOPOS;
		} else if (cx->docs_only && !cx->title_only) {
			m = doc_has(cx, t, target);
			wtf = m > 0, first = BIDX_NOPOS;
			m = m < 0 ? m : 0;
		} else {
			m = match_doc(cx, t, target, &wtf, &first);
		}
		if (m == -2)
			return BIDX_ENOMEM;
		if (m < 0)
			return bidx_corrupt();
		cx->pruned |= m == 1;
		if ((wtf > 0 || m == 1) && hitset_push(out, target, wtf, first))
			return BIDX_ENOMEM;
		BIDX_TRY(bidx_pcur_next_fast(&g[0].cur, &have));
	}
	return BIDX_OK;
}

/* The documents of a two-character word, which is one bigram: every
 * document of its postings, found without decoding a position. */
static bidx_err every_doc(eval_state *cx, bidx_pcur *c, hitset *out)
{
	int have;
	for (;;) {
		BIDX_TRY(bidx_pcur_next_fast(c, &have));
		if (cx->within)
			BIDX_TRY(within_seek(cx, c, &have));
		if (!have)
			return BIDX_OK;
		counters.docs++;
		if (hitset_push(out, (uint32_t)c->doc, 1.0, BIDX_NOPOS))
			return BIDX_ENOMEM;
	}
}

/* The bigrams that cover every character, at offsets 0, 2, 4, ... and the
 * last, sorted by key so that equal bigrams sit together. */
static uint32_t cover(const bidx_norm *q, keyoff *ko)
{
	uint32_t n = 0, nchars = q->nchars;
	for (uint32_t o = 0; o + 1 < nchars; o += 2)
		ko[n++] = (keyoff){bidx_key2(q->cp[o], q->cp[o + 1]), o};
	if (nchars % 2 == 1)
		ko[n++] = (keyoff){bidx_key2(q->cp[nchars - 2], q->cp[nchars - 1]), nchars - 2};
	qsort(ko, n, sizeof *ko, cmp_keyoff);
	return n;
}

/* Groups the cover into distinct grams and opens their cursors.  A bigram
 * the segment lacks leaves t->ng 0: no document can match. */
static bidx_err open_grams(eval_state *cx, const bidx_norm *q, ngram *t, keyoff *ko)
{
	uint32_t nko = cover(q, ko);
	for (uint32_t i = 0; i < nko; i++) {
		t->offs[i] = ko[i].off;
		if (i > 0 && ko[i].key == ko[i - 1].key) {
			t->g[t->ng - 1].noffs++;
			continue;
		}
		bidx_term term;
		int found;
		bidx_err rc = bidx_termdict_find(bidx_segment_termdict(cx->seg), ko[i].key, &term, &found);
		if (rc || !found) {
			t->ng = 0;
			return rc;   /* absent bigram: no match */
		}
		gram *g = &t->g[t->ng++];
		g->first = i;
		g->noffs = 1;
		g->df = term.df;
		g->pos_doc = g->run_doc = -1;
		if (bidx_segment_need(cx->seg, BIDX_SEC_POSTINGS, term.post_off, term.post_len) ||
		    bidx_pcur_init(&g->cur, bidx_segment_postings(cx->seg, &term), term.post_len,
		                   term.df, 2, bidx_segment_ndocs(cx->seg))) {
			t->ng = 0;
			return bidx_corrupt();
		}
	}
	qsort(t->g, t->ng, sizeof *t->g, cmp_gram_df);
	t->distinct = 1;
	for (uint32_t k = 0; k < t->ng; k++)
		t->distinct &= t->g[k].noffs == 1;
	return BIDX_OK;
}

static bidx_err eval_ngram(eval_state *cx, const void *arg, hitset *out)
{
	const bidx_norm *q = arg;
	size_t most = (size_t)q->nchars / 2 + 2;
	ngram t = {.len = q->nchars};
	for (int k = 0; k < 4; k++)
		for (int in_title = 0; in_title < 2; in_title++)
			t.weight[in_title][k] = bidx_mkind_weight((enum bidx_mkind)k, in_title);
	keyoff *ko = bidx_malloc(most * sizeof *ko);
	t.offs = bidx_malloc(most * sizeof *t.offs);
	t.g = bidx_calloc(most, sizeof *t.g);
	t.look = bidx_malloc(most * sizeof *t.look);
	bidx_err rc = ko && t.offs && t.g && t.look ? open_grams(cx, q, &t, ko) : BIDX_ENOMEM;
	if (!rc && t.ng && t.len == 2 && cx->docs_only && !cx->title_only)
		rc = every_doc(cx, &t.g[0].cur, out);
	else if (!rc && t.ng)
		rc = join_grams(cx, &t, out);
	if (t.g)
		for (uint32_t k = 0; k < most; k++) {
			free(t.g[k].pos);
			free(t.g[k].run);
		}
	free(t.g);
	free(t.offs);
	free(t.cand);
	free(t.pat);
	free(t.fail);
	free(t.merged);
	free(t.heap);
	free(t.at);
	free(t.look);
	free(ko);
	return rc;
}

static int remember_term(bidx_result *r, const char *text)
{
	char **nt = bidx_realloc(r->terms, (r->nterms + 1) * sizeof *nt);
	if (!nt)
		return -1;
	r->terms = nt;
	r->terms[r->nterms] = strdup(text);
	if (!r->terms[r->nterms])
		return -1;
	r->nterms++;
	return 0;
}

typedef struct filter_arg {
	const bidx_qnode *n;
	int known;            /* some segment has the field */
} filter_arg;

static bidx_err eval_filter_seg(eval_state *cx, const void *arg, hitset *out)
{
	filter_arg *fa = (filter_arg *)(uintptr_t)arg;
	uint32_t *docs, nd;
	int known;
	/* under AND, only the documents its siblings left (within) */
	bidx_err rc = bidx_filter_eval_in(cx->seg, fa->n->field, fa->n->text,
	                                  cx->within ? cx->wloc : NULL, cx->nwloc, &docs, &nd,
	                                  &known, cx->why, cx->whylen);
	if (rc || !known)
		return rc;
	fa->known = 1;
	counters.fields += cx->within ? cx->nwloc : bidx_segment_ndocs(cx->seg);
	for (uint32_t i = 0; i < nd && !rc; i++)
		if (hitset_push(out, docs[i], 0.0, BIDX_NOPOS))
			rc = BIDX_ENOMEM;
	free(docs);
	return rc;
}

/* A field term other than title: a filter, every hit scoring 0. *known is 0
 * when the index has no such field. */
static bidx_err eval_filter(eval_state *cx, const bidx_qnode *n, hitset *out, int *known)
{
	filter_arg fa = {n, 0};
	bidx_err rc = each_segment(cx, eval_filter_seg, &fa, out);
	*known = fa.known;
	if (rc == BIDX_EQUERY) {   /* a malformed value: say where it is */
		char msg[512];
		snprintf(msg, sizeof msg, "%s", cx->why);
		snprintf(cx->why, cx->whylen, "at byte %u: %s", n->pos, msg);
	}
	return rc;
}

/* incident:ID: every report of the incident, as grouped over the whole
 * index (notices.h), so it finds what --group lists. */
static bidx_err eval_incident(eval_state *cx, const bidx_qnode *n, hitset *out)
{
	const bidx_incidents *t;
	uint32_t *docs = NULL, nd = 0;
	bidx_err rc = bidx_incidents_of(cx->ix, &t);   /* made once per opened index */
	if (!rc)
		rc = bidx_incidents_docs(t, n->text, &docs, &nd);
	for (uint32_t i = 0; !rc && i < nd; i++)
		if (hitset_push(out, docs[i], 0.0, BIDX_NOPOS))
			rc = BIDX_ENOMEM;
	free(docs);
	return rc;
}

static bidx_err eval_text(eval_state *cx, const bidx_qnode *n, const char *text, int positive,
                          hitset *out);
static int unite(hitset *a, hitset *b);

static bidx_err eval_term(eval_state *cx, const bidx_qnode *n, int positive, hitset *out)
{
	if (!n->field)
		return eval_text(cx, n, n->text, positive, out);
	if (!strcmp(n->field, "title")) {
		cx->title_only = 1;
		bidx_err rc = eval_text(cx, n, n->text, positive, out);
		cx->title_only = 0;
		return rc;
	}
	if (!strcmp(n->field, "incident") && n->text[0])
		return eval_incident(cx, n, out);
	int known = 0;
	bidx_err rc = n->text[0] ? eval_filter(cx, n, out, &known) : BIDX_OK;   /* "" : not a field */
	if (rc || known)
		return rc;
	/* not a field of this index: the word as typed, colon included */
	size_t fl = strlen(n->field), vl = strlen(n->text);
	char *whole = bidx_malloc(fl + vl + 2);
	if (!whole)
		return BIDX_ENOMEM;
	memcpy(whole, n->field, fl);
	whole[fl] = ':';
	memcpy(whole + fl + 1, n->text, vl + 1);
	rc = eval_text(cx, n, whole, positive, out);
	free(whole);
	return rc;
}

/* One spelling of a word, its weighted frequencies into *s. */
static bidx_err eval_spelling(eval_state *cx, const char *text, bidx_norm *v, hitset *s)
{
	bidx_err rc = bidx_normalize(text, strlen(text), 0, v);
	if (!rc && v->nchars)
		rc = v->nchars == 1 ? each_segment(cx, eval_unigram, &v->cp[0], s)
		   : each_segment(cx, eval_ngram, v, s);
	return rc;
}

/* The weighted frequencies of one normalised word: its own and those of
 * its variants (variants.h), united as one term, in their order
 * (remembered for snippets when positive).  The variants after the first
 * are matched first: when none of them occurs, the word's score is its
 * first spelling's alone, which bidx_query_eval_top may prune (a word
 * whose variants add up before BM25 saturates is scored whole). */
static bidx_err eval_alts(eval_state *cx, const bidx_norm *q, int positive, hitset *out)
{
	bidx_alts a;
	bidx_err rc = bidx_variants_expand(q->cp, q->nchars, BIDX_QUERY_MAX_TERM_CHARS, &a);
	if (rc) {
		bidx_alts_free(&a);
		return rc;
	}
	bidx_norm *v = bidx_calloc((size_t)a.n + 1, sizeof *v);
	hitset *s = bidx_calloc((size_t)a.n + 1, sizeof *s);
	int others = 0;   /* some later spelling occurs */
	/* a top k may prune the word when they do not: whether they do is
	 * asked first (documents only), one that does is then weighed */
	int may_prune = cx->topk && !cx->title_only && !cx->docs_only && !cx->xt;
	rc = v && s ? BIDX_OK : BIDX_ENOMEM;
	for (uint32_t i = 1; !rc && i < a.n; i++) {
		int docs_only = cx->docs_only;
		cx->docs_only |= may_prune;
		rc = eval_spelling(cx, a.text[i], &v[i], &s[i]);
		cx->docs_only = docs_only;
		if (!rc && may_prune && s[i].n) {
			hitset_free(&s[i]);
			bidx_norm_free(&v[i]);
			rc = eval_spelling(cx, a.text[i], &v[i], &s[i]);
		}
		others |= s[i].n > 0;
	}
	cx->prune = !rc && may_prune && !others;
	if (!rc && a.n)
		rc = eval_spelling(cx, a.text[0], &v[0], &s[0]);
	cx->prune = 0;
	for (uint32_t i = 0; !rc && i < a.n; i++) {
		if (unite(out, &s[i]))
			rc = BIDX_ENOMEM;
		else if (positive && remember_term(cx->res, v[i].text))
			rc = BIDX_ENOMEM;
	}
	for (uint32_t i = 0; i < a.n && v && s; i++) {
		hitset_free(&s[i]);
		bidx_norm_free(&v[i]);
	}
	free(v);
	free(s);
	bidx_alts_free(&a);
	return rc;
}

/* The weighted frequencies of a text term, before BM25. */
static bidx_err text_wtf(eval_state *cx, const bidx_qnode *n, const char *text, int positive,
                         hitset *out)
{
	bidx_norm q = {0};
	bidx_err rc = bidx_normalize(text, strlen(text), 0, &q);
	if (rc)
		return rc;
	if (q.nchars == 0) {
		snprintf(cx->why, cx->whylen, "at byte %u: \"%s\" has nothing searchable in it",
		         n->pos, text);
		rc = BIDX_EQUERY;
	} else if (q.nchars > BIDX_QUERY_MAX_TERM_CHARS) {
		snprintf(cx->why, cx->whylen, "at byte %u: a word of %u characters is longer than the "
		         "%d a word may have; search for a part of it", n->pos, q.nchars,
		         BIDX_QUERY_MAX_TERM_CHARS);
		rc = BIDX_EQUERY;
	} else {
		rc = eval_alts(cx, &q, positive, out);
	}
	bidx_norm_free(&q);
	return rc;
}

/* Weighted frequencies into BM25 scores, noting the explained document's. */
static void score_wtf(eval_state *cx, hitset *out)
{
	for (uint32_t i = 0; cx->xt && i < out->n; i++)
		if (out->h[i].doc == cx->x_doc)
			cx->xt->wtf = out->h[i].score;   /* before it becomes BM25 */
	if (!cx->docs_only)
		score_term(cx, out);
}

static bidx_err eval_text(eval_state *cx, const bidx_qnode *n, const char *text, int positive,
                          hitset *out)
{
	bidx_err rc = text_wtf(cx, n, text, positive, out);
	if (!rc)
		score_wtf(cx, out);
	for (uint32_t i = 0; !rc && n->weight > 0 && i < out->n; i++)
		out->h[i].score *= n->weight;   /* a lone synonym term scores below a word */
	return rc;
}

/* A word and its synonyms as synonyms.h expands it: (word OR syn...), the
 * first kid the word typed, every other a plain term of weight > 0. */
static int syn_group(const bidx_qnode *n)
{
	if (n->type != BIDX_Q_OR || n->nkids < 2)
		return 0;
	for (size_t i = 0; i < n->nkids; i++) {
		const bidx_qnode *k = n->kids[i];
		if (k->type != BIDX_Q_TERM || k->field || (i == 0) != (k->weight == 0))
			return 0;
	}
	return 1;
}

/* A word and its synonyms scored as one term, the way its spelling variants
 * are: each synonym's weighted frequency times its weight, added to the
 * word's before one saturation, with the idf of the documents that have any
 * of them.  So a notice that says 流出 thirteen times ranks for 漏えい with
 * the documents that say 漏えい often, not below every passing mention.
 * When explaining, the synonyms' occurrences and their part of the
 * frequency go to the part's syn and syn_wtf. */
static bidx_err eval_group(eval_state *cx, const bidx_qnode *n, int positive, hitset *out)
{
	bidx_err rc = BIDX_OK;
	bidx_xterm *xt = cx->xt, scratch;
	for (size_t i = 0; i < n->nkids && !rc; i++) {
		const bidx_qnode *k = n->kids[i];
		double w = k->weight > 0 ? k->weight : 1.0;
		hitset s = {0};
		memset(&scratch, 0, sizeof scratch);
		cx->xt = xt && i > 0 ? &scratch : xt;
		rc = text_wtf(cx, k, k->text, positive, &s);
		for (uint32_t j = 0; !rc && j < s.n; j++) {
			s.h[j].score *= w;
			if (xt && i > 0 && s.h[j].doc == cx->x_doc)
				xt->syn_wtf += s.h[j].score;
		}
		if (xt && i > 0)
			xt->syn += scratch.whole + scratch.edge + scratch.inside + scratch.across;
		if (!rc && unite(out, &s))
			rc = BIDX_ENOMEM;
		hitset_free(&s);
	}
	cx->xt = xt;
	if (!rc)
		score_wtf(cx, out);
	return rc;
}

/* a AND b (scores add); with `minus`, a AND NOT b (a's scores kept). */
static int intersect(hitset *a, const hitset *b, int minus)
{
	uint32_t i = 0, j = 0, o = 0;
	while (i < a->n) {
		while (j < b->n && b->h[j].doc < a->h[i].doc)
			j++;
		int in_b = j < b->n && b->h[j].doc == a->h[i].doc;
		if (in_b != minus) {
			a->h[o] = a->h[i];
			if (!minus) {
				a->h[o].score += b->h[j].score;
				if (a->h[o].pos == BIDX_NOPOS)
					a->h[o].pos = b->h[j].pos;
			}
			o++;
		}
		i++;
	}
	a->n = o;
	return 0;
}

/* a OR b into a (scores add, the first place kept); b is left empty when
 * a was (its hits are moved, not copied). */
static int unite(hitset *a, hitset *b)
{
	hitset o = {0};
	uint32_t i = 0, j = 0;
	if (!b->n)
		return 0;
	if (!a->n) {
		hitset_free(a);
		*a = *b;
		*b = (hitset){0};
		return 0;
	}
	o.h = bidx_malloc(((size_t)a->n + b->n) * sizeof *o.h);
	if (!o.h)
		return -1;
	o.cap = (size_t)a->n + b->n;
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->h[i].doc < b->h[j].doc))
			o.h[o.n++] = a->h[i++];
		else if (i == a->n || b->h[j].doc < a->h[i].doc)
			o.h[o.n++] = b->h[j++];
		else {
			o.h[o.n] = a->h[i];
			o.h[o.n].score += b->h[j].score;
			if (b->h[j].pos < o.h[o.n].pos)
				o.h[o.n].pos = b->h[j].pos;
			o.n++, i++, j++;
		}
	}
	hitset_free(a);
	*a = o;
	return 0;
}

static bidx_err eval_node(eval_state *cx, const bidx_qnode *n, int positive, hitset *out);

/* Keeps the documents of a that are in b, with a's scores and places. */
static void keep_common(hitset *a, const hitset *b)
{
	uint32_t j = 0, o = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		while (j < b->n && b->h[j].doc < a->h[i].doc)
			j++;
		if (j < b->n && b->h[j].doc == a->h[i].doc)
			a->h[o++] = a->h[i];
	}
	a->n = o;
}

/* *df: the documents plain word n matches, when the term dictionary says
 * it without a walk: a word of one or two characters with no other
 * spelling, in an index of one segment without deletions, matches every
 * document of its unigram's or bigram's postings (an occurrence of the
 * term is one of the word: nothing to line up, nothing cut off at the
 * end).  0 when that does not apply. */
static int known_df(eval_state *cx, const bidx_qnode *n, uint32_t *df)
{
	if (!cx->ix->identity || n->type != BIDX_Q_TERM || n->field)
		return 0;
	bidx_norm q = {0}, v = {0};
	bidx_alts a = {0};
	int ok = !bidx_normalize(n->text, strlen(n->text), 0, &q) &&
	         (q.nchars == 1 || q.nchars == 2) &&
	         !bidx_variants_expand(q.cp, q.nchars, BIDX_QUERY_MAX_TERM_CHARS, &a) && a.n == 1 &&
	         !bidx_normalize(a.text[0], strlen(a.text[0]), 0, &v) && v.nchars == q.nchars;
	if (ok) {
		bidx_term t;
		int found;
		uint64_t key = v.nchars == 1 ? bidx_key1(v.cp[0]) : bidx_key2(v.cp[0], v.cp[1]);
		ok = !bidx_termdict_find(bidx_segment_termdict(cx->ix->seg[0]), key, &t, &found);
		*df = ok && found ? t.df : 0;
	}
	bidx_alts_free(&a);
	bidx_norm_free(&v);
	bidx_norm_free(&q);
	return ok;
}

/* Top k of WORD -NOT... (top_query): the NOTs first, only which documents
 * they match, so that the word's best k so far leave their documents out. */
static bidx_err eval_and_top(eval_state *cx, const bidx_qnode *n, int positive, hitset *out)
{
	hitset minus = {0};
	const bidx_qnode *word = NULL;
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < n->nkids && !rc; i++) {
		const bidx_qnode *k = n->kids[i];
		if (k->type != BIDX_Q_NOT) {
			word = k;
			continue;
		}
		hitset s = {0};
		cx->docs_only = 1;
		rc = eval_node(cx, k->kids[0], 0, &s);
		cx->docs_only = 0;
		if (!rc && unite(&minus, &s))
			rc = BIDX_ENOMEM;
		hitset_free(&s);
	}
	cx->exclude = &minus;
	if (!rc)
		rc = eval_node(cx, word, positive, out);
	cx->exclude = NULL;
	if (!rc)
		intersect(out, &minus, 1);
	hitset_free(&minus);
	return rc;
}

/* Whether n is a field filter every index has (filter.h): matched from
 * the field records of the documents it is given, whatever the segment. */
static int builtin_filter(const bidx_qnode *n)
{
	return n->type == BIDX_Q_TERM && n->field && n->text[0] && strcmp(n->field, "title") &&
	       bidx_filter_builtin(n->field);
}

/* Whether n is such a filter of a text field (org:, category:...), which
 * reads each document's field strings: a count matches it after the words,
 * in their documents (a date or a count is read from the field record
 * itself, cheaper than matching the words in every document). */
static int text_filter(const bidx_qnode *n)
{
	return strcmp(n->field, "date") && strcmp(n->field, "affected") &&
	       !bidx_filter_vocab(n->field);
}

/* Whether a positive child of AND n after the i-th is not such a filter. */
static int word_after(const bidx_qnode *n, size_t i)
{
	for (size_t j = i + 1; j < n->nkids; j++)
		if (n->kids[j]->type != BIDX_Q_NOT && !builtin_filter(n->kids[j]))
			return 1;
	return 0;
}

/* A filter's value checked as evaluating it would (eval_filter's message). */
static bidx_err check_filter(eval_state *cx, const bidx_qnode *n)
{
	bidx_err rc = bidx_filter_check(n->field, n->text, cx->why, cx->whylen);
	if (rc == BIDX_EQUERY) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", cx->why);
		snprintf(cx->why, cx->whylen, "at byte %u: %s", n->pos, msg);
	}
	return rc;
}

/* The filters f[0..nf) of an AND, in order, over the documents of out
 * (with `whole`, the first over every document, into out): out keeps the
 * documents all of them match. */
static bidx_err apply_filters(eval_state *cx, const bidx_qnode **f, size_t nf, hitset *out,
                              int whole)
{
	bidx_err rc = BIDX_OK;
	const hitset *within = cx->within;
	for (size_t j = 0; j < nf && !rc; j++) {
		int into = whole && j == 0;
		if (!into && out->n == 0)
			break;
		hitset s = {0};
		cx->within = into ? within : out;
		rc = eval_node(cx, f[j], 0, &s);
		if (!rc && into)
			*out = s, s.h = NULL;
		else if (!rc)
			intersect(out, &s, 0);
		hitset_free(&s);
	}
	cx->within = within;
	return rc;
}

/* Query error rc arose at a child of an AND after the filters f[0..nf),
 * which were only checked so far: were they to leave nothing, evaluating
 * them first would never have reached that child.  Then out is empty and
 * BIDX_OK, else rc with its message. */
static bidx_err unless_filters_empty(eval_state *cx, const bidx_qnode **f, size_t nf,
                                     hitset *out, bidx_err rc)
{
	char msg[512];
	if (rc != BIDX_EQUERY || !nf)
		return rc;
	snprintf(msg, sizeof msg, "%s", cx->why);
	bidx_err frc = apply_filters(cx, f, nf, out, 1);
	int empty = !out->n;
	hitset_free(out);
	if (frc)
		return frc;
	if (empty) {
		cx->why[0] = 0;
		return BIDX_OK;
	}
	snprintf(cx->why, cx->whylen, "%s", msg);
	return rc;
}

/* The scores of the words of AND n after the first, added to out's in
 * the query's order: part[i] (kind 1), or the word scored now in out's
 * documents, each of which has it, with the idf of its df[i] (kind 2). */
static bidx_err add_later_words(eval_state *cx, const bidx_qnode *n, hitset *part,
                                const uint32_t *df, const unsigned char *kind, hitset *out)
{
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < n->nkids && !rc && out->n; i++) {
		if (kind[i] == 2) {
			const hitset *within = cx->within;
			cx->within = out;
			cx->has_df = 1;
			cx->df = df[i];
			rc = eval_node(cx, n->kids[i], 0, &part[i]);
			cx->within = within;
			cx->has_df = 0;
			if (!rc && part[i].n != out->n)
				rc = bidx_corrupt();
		}
		if (!rc && kind[i])
			intersect(out, &part[i], 0);
	}
	return rc;
}

static bidx_err eval_and(eval_state *cx, const bidx_qnode *n, int positive, hitset *out)
{
	if (cx->topk && !cx->docs_only) {
		bidx_err rc = eval_and_top(cx, n, positive, out);
		if (rc != BIDX_EQUERY)
			return rc;
		/* a word that is wrong too is named first, as below (every score
		 * exact there: nothing is left to subtract from the bar) */
		hitset_free(out);
		cx->why[0] = 0;
		cx->topk = 0;
	}
	int first = 1;
	bidx_err rc = BIDX_OK;
	/* filters before the first word, matched in the documents it leaves */
	const bidx_qnode **later = bidx_calloc(n->nkids + 1, sizeof *later);
	size_t nlater = 0;
	/* ranked: the scores of the words after the first, added at the end in
	 * their order (part[i], or a word of known df scored then, in the
	 * documents left: kind 1 a part, 2 scored at the end) */
	hitset *part = bidx_calloc(n->nkids + 1, sizeof *part);
	uint32_t *df = bidx_calloc(n->nkids + 1, sizeof *df);
	unsigned char *kind = bidx_calloc(n->nkids + 1, 1);
	if (!later || !part || !df || !kind) {
		free(later);
		free(part);
		free(df);
		free(kind);
		return BIDX_ENOMEM;
	}
	/* positive children first, so NOTs have something to subtract from */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (size_t i = 0; i < n->nkids && !rc; i++) {
			const bidx_qnode *k = n->kids[i];
			int neg = k->type == BIDX_Q_NOT;
			if (neg != pass)
				continue;
			if (!first && !neg && out->n == 0)
				continue;   /* already empty: nothing can come back */
			if (first && !neg && builtin_filter(k) && word_after(n, i) &&
			    (!cx->docs_only || text_filter(k))) {
				/* checked here, where evaluating it would have failed */
				bidx_err crc = check_filter(cx, k);
				if (!crc) {
					later[nlater++] = k;
					continue;
				}
				rc = unless_filters_empty(cx, later, nlater, out, crc);
				nlater = 0;
				first = 0;   /* OK: empty, as the filters before left it */
				continue;
			}
			hitset s = {0};
			const hitset *within = cx->within;
			int docs_only = cx->docs_only;
			int sum = !first && !neg && !docs_only && !builtin_filter(k);
			/* a word of known df is matched in out's documents first, then
			 * scored in those left; worth it when they are fewer than its
			 * own by a margin (each one costs a seek, then the scoring) */
			int known = sum && known_df(cx, k, &df[i]) && (uint64_t)out->n * 4 < (uint64_t)df[i] * 3;
			/* only out's documents can stay: a filter, a NOT or a word of
			 * known df need not look at others (a word's idf needs all of
			 * its own) */
			if (!first && (docs_only || neg || builtin_filter(k) || known))
				cx->within = out;
			if (!first && (neg || known))
				cx->docs_only = 1;   /* what a NOT matches scores nothing */
			rc = eval_node(cx, neg ? k->kids[0] : k, positive && !neg, &s);
			cx->within = within;
			cx->docs_only = docs_only;
			if (!rc && first) {
				*out = s, s.h = NULL;
				rc = apply_filters(cx, later, nlater, out, 0);
			} else if (!rc && sum) {
				keep_common(out, &s);
				kind[i] = known ? 2 : 1;
				if (!known)
					part[i] = s, s = (hitset){0};
			} else if (!rc) {
				intersect(out, &s, neg);
			} else if (first) {
				/* OK when the filters before leave nothing: out empty */
				rc = unless_filters_empty(cx, later, nlater, out, rc);
			}
			nlater = first ? 0 : nlater;
			first = 0;
			hitset_free(&s);
		}
	}
	if (!rc)
		rc = add_later_words(cx, n, part, df, kind, out);
	for (size_t i = 0; i < n->nkids; i++)
		hitset_free(&part[i]);
	free(part);
	free(df);
	free(kind);
	free(later);
	return rc;
}

static bidx_err eval_node(eval_state *cx, const bidx_qnode *n, int positive, hitset *out)
{
	bidx_err rc = BIDX_OK;
	switch (n->type) {
	case BIDX_Q_TERM:
		return eval_term(cx, n, positive, out);
	case BIDX_Q_AND:
		return eval_and(cx, n, positive, out);
	case BIDX_Q_OR:
		if (syn_group(n))
			return eval_group(cx, n, positive, out);
		for (size_t i = 0; i < n->nkids && !rc; i++) {
			hitset s = {0};
			rc = eval_node(cx, n->kids[i], positive, &s);
			if (!rc && unite(out, &s))
				rc = BIDX_ENOMEM;
			hitset_free(&s);
		}
		return rc;
	case BIDX_Q_NOT:
		/* the parser never leaves a NOT outside an AND */
		snprintf(cx->why, cx->whylen, "at byte %u: nothing to subtract from", n->pos);
		return BIDX_EQUERY;
	}
	return BIDX_EQUERY;
}

/* NAME: with nothing after it, where NAME is a field of the index, is a
 * query error (checked before evaluating, so it does not depend on what the
 * rest of the query matches); for any other NAME it is the text "NAME:". */
static bidx_err check_values(eval_state *cx, const bidx_qnode *n)
{
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < n->nkids && !rc; i++)
		rc = check_values(cx, n->kids[i]);
	if (rc || n->type != BIDX_Q_TERM || !n->field || n->text[0])
		return rc;
	int known = !strcmp(n->field, "title");
	for (uint32_t si = 0; si < cx->ix->nseg && !known && !rc; si++) {
		cx->seg = cx->ix->seg[si];
		rc = bidx_filter_known(cx->seg, n->field, &known);
	}
	if (!rc && known) {
		snprintf(cx->why, cx->whylen, "at byte %u: %s: needs a value (%s:VALUE; to search "
		         "for the text, quote it: \"%s:\")", n->pos, n->field, n->field, n->field);
		rc = BIDX_EQUERY;
	}
	return rc;
}

/* Whether q's score is that of one plain word: the word alone, or the
 * word AND NOT others (WORD -NOT...), which score nothing. */
static int top_query(const bidx_qnode *q)
{
	if (q->type == BIDX_Q_TERM)
		return !q->field;
	if (q->type != BIDX_Q_AND)
		return 0;
	int words = 0;
	for (size_t i = 0; i < q->nkids; i++) {
		const bidx_qnode *k = q->kids[i];
		if (k->type == BIDX_Q_TERM && !k->field)
			words++;
		else if (k->type != BIDX_Q_NOT)
			return 0;
	}
	return words == 1;
}

/* The most hits bidx_query_eval_top leaves the others unscored for. */
#define EVAL_TOPK_MAX 1024

static bidx_err query_eval(bidx_index *ix, const bidx_qnode *q, int docs_only, uint32_t topk,
                           bidx_result *r, char *why, size_t whylen)
{
	memset(r, 0, sizeof *r);
	why[0] = 0;
	eval_state cx = {.ix = ix, .res = r, .why = why, .whylen = whylen, .docs_only = docs_only,
	              .avgdl = ix->ndocs ? (double)ix->total_tokens / ix->ndocs : 1.0};
	hitset s = {0};
	/* one plain word: its score is one BM25 term, whose order idf does not change */
	if (topk && topk <= EVAL_TOPK_MAX && !docs_only && top_query(q)) {
		cx.best = bidx_malloc((size_t)topk * sizeof *cx.best);
		cx.topk = cx.best ? topk : 0;   /* without room, every score exact */
	}
	bidx_err rc = check_values(&cx, q);
	if (!rc)
		rc = eval_node(&cx, q, 1, &s);
	free(cx.best);
	if (rc) {
		/* the caller says "index is corrupt" itself: say where, not that again */
		const char *file = cx.seg ? bidx_segment_file(cx.seg) : NULL;
		const char *seg = file ? strrchr(file, '/') : NULL;
		if (!why[0] && rc == BIDX_ECORRUPT)
			snprintf(why, whylen, "%s: a term's postings, a document record or the fields "
			         "fail a check", seg ? seg + 1 : file ? file : "a segment");
		else if (!why[0])
			snprintf(why, whylen, "%s", bidx_strerror(rc));
		hitset_free(&s);
		bidx_result_free(r);
		return rc;
	}
	r->hits = s.h;
	r->n = s.n;
	r->query = q;
	r->exact_top = cx.pruned ? topk : 0;
	return BIDX_OK;
}

bidx_err bidx_query_eval(bidx_index *ix, const bidx_qnode *q, bidx_result *r,
                         char *why, size_t whylen)
{
	return query_eval(ix, q, 0, 0, r, why, whylen);
}

bidx_err bidx_query_eval_top(bidx_index *ix, const bidx_qnode *q, uint32_t k, bidx_result *r,
                             char *why, size_t whylen)
{
	return query_eval(ix, q, 0, k, r, why, whylen);
}

bidx_err bidx_query_match(bidx_index *ix, const bidx_qnode *q, bidx_result *r,
                          char *why, size_t whylen)
{
	return query_eval(ix, q, 1, 0, r, why, whylen);
}

void bidx_result_free(bidx_result *r)
{
	if (!r)
		return;
	free(r->hits);
	for (size_t i = 0; i < r->nterms; i++)
		free(r->terms[i]);
	free(r->terms);
	memset(r, 0, sizeof *r);
}

/* ---- why a hit ranked (bidx_query_explain) ---- */

static int x_push(bidx_explain *x, const char *word, double weight)
{
	bidx_xterm *t = bidx_realloc(x->t, (x->n + 1) * sizeof *t);
	if (!t)
		return -1;
	x->t = t;
	memset(&t[x->n], 0, sizeof *t);
	t[x->n].word = strdup(word);
	t[x->n].weight = weight > 0 ? weight : 1.0;
	return t[x->n].word ? (int)x->n++ : -1;
}

/* The score doc got from term or synonym group n, with its parts, appended
 * to x when it matched the document. */
static bidx_err explain_term(eval_state *cx, const bidx_qnode *n, uint32_t doc, bidx_explain *x)
{
	int group = n->type == BIDX_Q_OR;
	const bidx_qnode *w = group ? n->kids[0] : n;
	if (w->field && strcmp(w->field, "title"))
		return BIDX_OK;   /* a filter scores nothing */
	int k = x_push(x, w->text, w->weight);
	if (k < 0)
		return BIDX_ENOMEM;
	bidx_xterm *t = &x->t[k];
	hitset s = {0};
	cx->xt = t;
	bidx_err rc = group ? eval_group(cx, n, 0, &s) : eval_term(cx, n, 0, &s);
	cx->xt = NULL;
	uint32_t lo = 0, hi = s.n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s.h[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!rc && lo < s.n && s.h[lo].doc == doc) {
		t = &x->t[k];
		t->df = s.n;
		t->idf = bidx_idf(s.n, cx->ix->ndocs);
		t->dl = doc_len(cx->ix, doc);
		t->avgdl = cx->avgdl;
		t->norm = bidx_bm25_norm(t->dl, t->avgdl);
		t->tfpart = t->wtf * (BIDX_BM25_K1 + 1.0) / (t->wtf + t->norm);
		t->score = s.h[lo].score;
		x->score += t->score;
	} else if (!rc) {
		free(x->t[k].word);
		x->n--;   /* the word did not match this document */
	}
	hitset_free(&s);
	return rc;
}

static bidx_err explain_node(eval_state *cx, const bidx_qnode *n, uint32_t doc, bidx_explain *x)
{
	bidx_err rc = BIDX_OK;
	if (n->type == BIDX_Q_TERM || syn_group(n))
		return explain_term(cx, n, doc, x);
	if (n->type == BIDX_Q_NOT)
		return BIDX_OK;   /* what is left out adds nothing */
	for (size_t i = 0; i < n->nkids && !rc; i++)
		rc = explain_node(cx, n->kids[i], doc, x);
	return rc;
}

bidx_err bidx_query_explain(bidx_index *ix, const bidx_qnode *q, uint32_t doc, bidx_explain *x,
                            char *why, size_t whylen)
{
	memset(x, 0, sizeof *x);
	why[0] = 0;
	bidx_result scratch = {0};
	eval_state cx = {.ix = ix, .res = &scratch, .why = why, .whylen = whylen,
	              .avgdl = ix->ndocs ? (double)ix->total_tokens / ix->ndocs : 1.0};
	cx.x_seg = bidx_index_locate(ix, doc, &cx.x_local);
	cx.x_doc = doc;
	bidx_err rc = cx.x_seg ? explain_node(&cx, q, doc, x) : BIDX_EQUERY;
	bidx_result_free(&scratch);
	if (rc)
		bidx_explain_free(x);
	return rc;
}

void bidx_explain_free(bidx_explain *x)
{
	if (!x)
		return;
	for (uint32_t i = 0; i < x->n; i++)
		free(x->t[i].word);
	free(x->t);
	memset(x, 0, sizeof *x);
}
