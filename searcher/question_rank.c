/*
 * question_rank.c - candidates and coverage ranking of the best-match mode
 * (question.h).  Each form of each word is found as a substring of the
 * normalised text, segment by segment, the way query_eval.c finds a word
 * (unigram postings, or bigrams lined up at one start), but every
 * occurrence is kept apart by field, title or body, weighted by how it sits
 * among the document's words (rank.h).  A word's occurrences over its forms
 * are summed per document; the scores are accumulated in arrays indexed by
 * collection id, so the candidates cost O(matches), whatever their order.
 */
#include "question.h"
#include "text.h"
#include "fault.h"
#include "format.h"
#include "json.h"
#include "normalize.h"
#include "query_parse.h"
#include "variants.h"
#include "postings.h"
#include "rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parameters, each measured on the FAQ dev split (bench/README.md). */
#define BIDX_ANY_K1 1.2           /* BM25 saturation, words and bigrams */
#define BIDX_ANY_B_TITLE 1.0      /* length norm of the title field */
#define BIDX_ANY_B_BODY 0.75      /* length norm of the body field */
#define BIDX_ANY_W_COMPOUND 0.5   /* a compound's own score, over its parts' */
#define BIDX_ANY_W_GRAMS 0.3      /* the bigram signal, against the words' */
#define BIDX_ANY_TITLE_PRIOR 0.3  /* a title of half the average length: + 0.3 ln 2 */
#define BIDX_ANY_TITLE_SIM 0.12   /* a title the question has all of, in order:
                                     + 0.12 x the top score */
#define BIDX_ANY_RERANK 20        /* candidates the title similarity reorders */
#define BIDX_ANY_TAIL_W 0.3       /* a word always at the end of the titles: idf x 0.7 */
#define BIDX_ANY_TAIL_FROM 0.4    /* mean place in the titles up to which a word
                                     keeps its whole weight */
#define BIDX_ANY_TAIL_PRIOR 5.0   /* occurrences at the middle (0.5) added to a
                                     word's own, so a rare word is not judged on
                                     one title */

/* One word in one document. */
typedef struct occ {
	uint32_t doc;         /* collection id */
	float tt, tb;         /* weighted occurrences in the title, the body */
	uint32_t pos;         /* first occurrence (normalised character) */
} occ;

/* One document's accumulators for one question, by collection id. */
typedef struct dacc {
	double score;         /* BM25 sum */
	double gscore;        /* the bigram signal */
	double best;          /* the highest idf matched, for the snippet position */
	uint64_t mask;        /* the words matched, bit i for q->w[i] */
	uint32_t pos;         /* the snippet position */
	uint32_t slot;        /* its entry + 1 in the list of the word being found, 0 none */
} dacc;

/* The live documents of a bigram's list in one segment and their
 * frequencies, in list order, as the walk of a two-character form read
 * them: the bigram signal of the same bigram adds them up without walking
 * the list again. */
typedef struct gseen {
	uint64_t key;
	uint32_t si;
	int whole;            /* 1 once the walk has read the whole list */
	uint32_t (*dt)[2];    /* collection id, tf */
	size_t n, cap;
} gseen;

/* The bigram lists walked whole for one question, those of its bigram
 * signal (q->grams) only. */
typedef struct gmemo {
	const bidx_question *q;
	gseen *s;
	size_t n, cap;
} gmemo;

/* A word's documents, one entry each, in the order first found; the slot
 * of a document's accumulators maps it to its entry while the word is
 * being found, so the occurrences of all its forms and segments add up
 * without sorting. */
typedef struct olist {
	occ *o;
	size_t n, cap;
	dacc *d;              /* not owned; the slots reset when the list is done */
	gmemo *gm;            /* not owned */
	double rsum;          /* where it stands in the titles: the sum over its
	                         occurrences of start / last possible start */
	uint32_t rn;          /* the occurrences in rsum */
} olist;

/* What matching needs of a document, read once for every document of the
 * index (make_docs), so a candidate's record is not decoded again. */
typedef struct dinfo {
	const uint8_t *bits;  /* word boundaries (segment.h); NULL: a bad record */
	uint32_t nchars;
	uint32_t title_start, title_end;
	uint32_t twords;      /* words in the title, 0 for none */
} dinfo;

typedef struct gram {
	uint32_t off;
	bidx_pcur cur;
	uint32_t *pos;
	uint32_t cap;
	uint32_t df;
} gram;

static int push(olist *l, uint32_t doc, double tt, double tb, uint32_t pos)
{
	uint32_t k = l->d[doc].slot;
	if (k) {
		occ *o = &l->o[k - 1];
		o->tt += (float)tt;
		o->tb += (float)tb;
		if (pos < o->pos)
			o->pos = pos;
		return 0;
	}
	if (l->n == l->cap && bidx_grow((void **)&l->o, &l->cap, l->n + 1, sizeof *l->o))
		return -1;
	l->o[l->n++] = (occ){doc, (float)tt, (float)tb, pos};
	l->d[doc].slot = (uint32_t)l->n;
	return 0;
}

static bidx_err find_unigram(const bidx_index *ix, uint32_t si, uint32_t c, olist *out)
{
	bidx_segment *seg = ix->seg[si];
	bidx_term t;
	bidx_pcur cur;
	int r;
	BIDX_TRY(bidx_termdict_find(bidx_segment_termdict(seg), bidx_key1(c), &t, &r));
	if (!r)
		return BIDX_OK;
	if (bidx_segment_need(seg, BIDX_SEC_POSTINGS, t.post_off, t.post_len) ||
	    bidx_pcur_init(&cur, bidx_segment_postings(seg, &t), t.post_len, t.df, 1,
	                   bidx_segment_ndocs(seg)))
		return bidx_corrupt();
	bidx_err e;
	while (!(e = bidx_pcur_next(&cur, &r)) && r) {
		uint32_t g = bidx_index_global(ix, si, (uint32_t)cur.doc);
		if (g == BIDX_DELETED || !cur.tf)
			continue;
		uint32_t inside = cur.tf - cur.tf_word - cur.tf_edge;
		double w = cur.tf_word + BIDX_W_EDGE * cur.tf_edge + BIDX_W_INSIDE * inside;
		double tt = cur.tf_title * (w / cur.tf);
		if (push(out, g, tt, w - tt, BIDX_NOPOS))
			return BIDX_ENOMEM;
	}
	return e;
}

static int has_pos(const uint32_t *p, uint32_t n, uint32_t v)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo] == v;
}

/* The occurrences of a form of len characters in the doc all grams sit on
 * (its record read by make_docs: d); where each one in the title stands is
 * added to out->rsum and out->rn (tail_weight). */
static bidx_err match_doc(const dinfo *dp, gram *g, uint32_t ng, uint32_t len, double *tt,
                          double *tb, uint32_t *first, olist *out)
{
	dinfo d = *dp;
	*tt = *tb = 0;
	*first = BIDX_NOPOS;
	if (!d.bits || d.nchars < 2)
		return bidx_corrupt();
	for (uint32_t k = 0; k < ng; k++) {
		if (g[k].cur.tf > g[k].cap) {
			uint32_t *np = bidx_realloc(g[k].pos, (size_t)g[k].cur.tf * sizeof *np);
			if (!np)
				return BIDX_ENOMEM;
			g[k].pos = np;
			g[k].cap = g[k].cur.tf;
		}
		if (bidx_pcur_positions(&g[k].cur, g[k].pos, d.nchars - 1))
			return bidx_corrupt();
	}
	const uint8_t *bits = d.bits;
	for (uint32_t i = 0; i < g[0].cur.tf; i++) {
		if (g[0].pos[i] < g[0].off)
			continue;
		uint32_t s = g[0].pos[i] - g[0].off, k = 1;
		while (k < ng && has_pos(g[k].pos, g[k].cur.tf, s + g[k].off))
			k++;
		if (k < ng || s + len > d.nchars)
			continue;
		double w = bidx_mkind_weight(bidx_match_kind(bits, s, len), 0);
		if (s >= d.title_start && s + len <= d.title_end) {
			*tt += w;
			uint32_t te = d.title_end < d.nchars ? d.title_end : d.nchars;
			if (te > d.title_start + len) {
				out->rsum += (double)(s - d.title_start) / (te - d.title_start - len);
				out->rn++;
			}
		} else
			*tb += w;
		if (s < *first)
			*first = s;
	}
	return BIDX_OK;
}

static int cmp_gram_df(const void *a, const void *b)
{
	const gram *x = a, *y = b;
	return x->df < y->df ? -1 : x->df > y->df ? 1 : (x->off > y->off) - (x->off < y->off);
}

/* The entry of gm to fill with bigram key's list of df documents in
 * segment si, when the bigram signal has that bigram and the list is not
 * kept already; NULL otherwise (or out of memory: the signal walks the list
 * then). */
static gseen *memo_start(gmemo *gm, uint32_t si, uint64_t key, uint32_t df)
{
	int wanted = 0;
	for (uint32_t g = 0; g < gm->q->ngrams && !wanted; g++)
		wanted = bidx_key2(gm->q->grams[2 * g], gm->q->grams[2 * g + 1]) == key;
	for (size_t i = 0; i < gm->n && wanted; i++)
		wanted = !(gm->s[i].si == si && gm->s[i].key == key);
	if (!wanted || bidx_grow((void **)&gm->s, &gm->cap, gm->n + 1, sizeof *gm->s))
		return NULL;
	gseen *e = &gm->s[gm->n];
	*e = (gseen){key, si, 0, bidx_malloc(((size_t)df + 1) * sizeof *e->dt), 0, (size_t)df + 1};
	if (!e->dt)
		return NULL;
	gm->n++;
	return e;
}

static const gseen *memo_find(const gmemo *gm, uint32_t si, uint64_t key)
{
	for (size_t i = 0; i < gm->n; i++)
		if (gm->s[i].si == si && gm->s[i].key == key && gm->s[i].whole)
			return &gm->s[i];
	return NULL;
}

/* Leapfrog join of the gram cursors (g[0] the rarest); with one gram, its
 * live documents and frequencies into rec (may be NULL). */
static bidx_err join(const bidx_index *ix, const dinfo *di, uint32_t si, gram *g, uint32_t ng,
                     uint32_t len, olist *out, gseen *rec)
{
	int r;
	BIDX_TRY(bidx_pcur_next(&g[0].cur, &r));
	while (r == 1) {
		uint32_t target = (uint32_t)g[0].cur.doc, k = 1;
		for (; k < ng; k++) {
			BIDX_TRY(bidx_pcur_seek(&g[k].cur, target, &r));
			if (!r)
				return BIDX_OK;
			if (g[k].cur.doc > (int64_t)target)
				break;
		}
		if (k < ng) {
			BIDX_TRY(bidx_pcur_seek(&g[0].cur, (uint32_t)g[k].cur.doc, &r));
			continue;
		}
		uint32_t gd = bidx_index_global(ix, si, target);
		if (gd != BIDX_DELETED && rec) {
			if (rec->n == rec->cap)
				return bidx_corrupt();   /* more documents than the list's df */
			rec->dt[rec->n][0] = gd;
			rec->dt[rec->n++][1] = g[0].cur.tf;
		}
		if (gd != BIDX_DELETED) {
			double tt, tb;
			uint32_t first;
			bidx_err rc = match_doc(&di[gd], g, ng, len, &tt, &tb, &first, out);
			if (rc)
				return rc;
			if (tt + tb > 0 && push(out, gd, tt, tb, first))
				return BIDX_ENOMEM;
		}
		BIDX_TRY(bidx_pcur_next(&g[0].cur, &r));
	}
	return BIDX_OK;
}

static bidx_err find_ngram(const bidx_index *ix, const dinfo *di, uint32_t si, const bidx_norm *q,
                           olist *out)
{
	bidx_segment *seg = ix->seg[si];
	uint32_t cap = q->nchars / 2 + 2, ng = 0;
	gram *g = bidx_calloc(cap, sizeof *g);
	bidx_err rc = BIDX_OK;
	if (!g)
		return BIDX_ENOMEM;
	/* the bigrams at 0, 2, 4, ... and the last cover every character */
	for (uint32_t o = 0; o + 1 < q->nchars; o = o + 3 < q->nchars ? o + 2 : q->nchars - 2) {
		bidx_term t;
		int r;
		rc = bidx_termdict_find(bidx_segment_termdict(seg), bidx_key2(q->cp[o], q->cp[o + 1]),
		                        &t, &r);
		if (rc || !r)
			goto out;   /* an absent bigram: no match in this segment */
		g[ng].off = o;
		g[ng].df = t.df;
		if (bidx_segment_need(seg, BIDX_SEC_POSTINGS, t.post_off, t.post_len) ||
		    bidx_pcur_init(&g[ng].cur, bidx_segment_postings(seg, &t), t.post_len, t.df, 2,
		                   bidx_segment_ndocs(seg))) {
			rc = bidx_corrupt();
			goto out;
		}
		ng++;
		if (o + 2 >= q->nchars)
			break;
	}
	qsort(g, ng, sizeof *g, cmp_gram_df);
	/* a list in over BIDX_ANY_MAX_DF of the documents is not the signal's */
	int kept = ng == 1 && q->nchars == 2 && out->gm && g[0].df <= BIDX_ANY_MAX_DF * ix->ndocs;
	gseen *rec = kept ? memo_start(out->gm, si, bidx_key2(q->cp[0], q->cp[1]), g[0].df) : NULL;
	rc = join(ix, di, si, g, ng, q->nchars, out, rec);
	if (rec)
		rec->whole = !rc;
out:
	for (uint32_t k = 0; k < cap; k++)
		free(g[k].pos);
	free(g);
	return rc;
}

/* 1 when every form of w is one character that more than BIDX_ANY_MAX_DF
 * of the documents have, by the unigram dictionaries alone (one such
 * character, a suffix 店 or a part 庫, walks the longest postings of all,
 * and its fields would mostly be left out as too common anyway). */
static int common_chars(const bidx_index *ix, const bidx_qword *w)
{
	for (uint32_t f = 0; f < w->nforms; f++) {
		uint32_t c, df = 0;
		size_t len = strlen(w->forms[f]);
		int l = bidx_utf8_decode((const uint8_t *)w->forms[f], len, &c);
		if (!l || (size_t)l != len)
			return 0;   /* a longer form (or not one character once normalised) */
		for (uint32_t si = 0; si < ix->nseg; si++) {
			bidx_term t;
			int r;
			if (!bidx_termdict_find(bidx_segment_termdict(ix->seg[si]), bidx_key1(c), &t, &r) && r)
				df += t.df;
		}
		if (df <= BIDX_ANY_MAX_DF * ix->ndocs)
			return 0;
	}
	return w->nforms > 0;
}

/* Every document with a form of w, one entry per document. */
static bidx_err find_word(const bidx_index *ix, const dinfo *di, const bidx_qword *w, olist *out)
{
	bidx_err rc = BIDX_OK;
	for (uint32_t f = 0; f < w->nforms && !rc; f++) {
		bidx_norm q = {0};
		bidx_alts alts = {0};
		rc = bidx_normalize(w->forms[f], strlen(w->forms[f]), 0, &q);
		if (!rc && q.nchars)   /* the form and its variants (variants.h) */
			rc = bidx_variants_expand(q.cp, q.nchars, BIDX_QUERY_MAX_TERM_CHARS, &alts);
		for (uint32_t a = 0; !rc && a < alts.n; a++) {
			bidx_norm v = {0};
			rc = bidx_normalize(alts.text[a], strlen(alts.text[a]), 0, &v);
			for (uint32_t si = 0; !rc && si < ix->nseg; si++)
				rc = v.nchars == 1 ? find_unigram(ix, si, v.cp[0], out)
				   : v.nchars > 1 ? find_ngram(ix, di, si, &v, out) : BIDX_OK;
			bidx_norm_free(&v);
		}
		bidx_alts_free(&alts);
		bidx_norm_free(&q);
	}
	for (size_t i = 0; i < out->n; i++)
		out->d[out->o[i].doc].slot = 0;
	return rc;
}

/* The boundary bits set in bits[from..to): the words that start there. */
static uint32_t count_bits(const uint8_t *bits, uint32_t from, uint32_t to)
{
	if (from >= to)
		return 0;
	uint32_t first = from >> 3, last = (to - 1) >> 3, n = 0;
	for (uint32_t b = first; b <= last; b++) {   /* a byte at a time, ends masked */
		unsigned v = bits[b];
		if (b == first)
			v &= 0xffu << (from & 7);
		if (b == last)
			v &= 0xffu >> (7 - ((to - 1) & 7));
		v = v - ((v >> 1) & 0x55);
		v = (v & 0x33) + ((v >> 2) & 0x33);
		n += (v + (v >> 4)) & 0x0f;
	}
	return n;
}

/* What ranking needs of every document, by collection id, whatever the
 * question: made once for an index (bidx_index_derived, by make_docs), as
 * reading every record costs as much as a question's words. */
typedef struct qdocs {
	dinfo *di;            /* what matching needs */
	double *nt, *nb;      /* BM25's length norm of the title, of the body */
	double *ndl;          /* the bigram signal's, of the whole text */
	double *prior;        /* title_prior */
	double avgtl;         /* words in a title, on average */
} qdocs;

static void drop_docs(void *p)
{
	qdocs *x = p;
	if (!x)
		return;
	free(x->di);
	free(x->nt);
	free(x->nb);
	free(x->ndl);
	free(x->prior);
	free(x);
}

static double title_prior(const dinfo *d, double avgtl);

/* Every document's length in words, in its title (tl) and in the rest
 * (bl), and what matching needs of it, by collection id; from them the
 * length norms and the title prior. */
static bidx_err make_docs(bidx_index *ix, void **out)
{
	uint32_t N = ix->ndocs;
	size_t n1 = (size_t)N + 1;
	qdocs *x = bidx_calloc(1, sizeof *x);
	if (!x)
		return BIDX_ENOMEM;
	x->di = bidx_malloc(n1 * sizeof *x->di);
	x->nt = bidx_malloc(n1 * sizeof(double));
	x->nb = bidx_malloc(n1 * sizeof(double));
	x->ndl = bidx_malloc(n1 * sizeof(double));
	x->prior = bidx_malloc(n1 * sizeof(double));
	if (!x->di || !x->nt || !x->nb || !x->ndl || !x->prior) {
		drop_docs(x);
		return BIDX_ENOMEM;
	}
	double *tl = x->nt, *bl = x->nb, sumtl = 0, sumbl = 0;   /* the lengths first */
	for (uint32_t g = 0; g < N; g++) {
		uint32_t local, t = 0;
		bidx_docrec d;
		const bidx_segment *seg = bidx_index_locate(ix, g, &local);
		tl[g] = bl[g] = 1.0;
		x->di[g] = (dinfo){0};
		if (seg && !bidx_segment_doc(seg, local, &d)) {
			uint32_t end = d.title_end < d.nchars ? d.title_end : d.nchars;
			x->di[g] = (dinfo){bidx_segment_bounds(seg, &d), d.nchars, d.title_start,
			                   d.title_end, 0};
			if (d.title_start < end)
				t = count_bits(x->di[g].bits, d.title_start, end);
			x->di[g].twords = t;
			tl[g] = t ? t : 1.0;
			bl[g] = d.ntokens > t ? d.ntokens - t : 1.0;
		}
		sumtl += tl[g];
		sumbl += bl[g];
	}
	double avgtl = 1.0, avgbl = 1.0, avgdl = 1.0;
	if (N) {
		avgtl = sumtl / N;
		avgbl = sumbl / N;
		avgdl = (sumtl + sumbl) / N;
	}
	double k1 = BIDX_ANY_K1, bt = BIDX_ANY_B_TITLE, bb = BIDX_ANY_B_BODY;
	for (uint32_t g = 0; g < N; g++) {
		x->ndl[g] = k1 * (1.0 - bb + bb * (tl[g] + bl[g]) / avgdl);
		x->nt[g] = k1 * (1.0 - bt + bt * tl[g] / avgtl);
		x->nb[g] = k1 * (1.0 - bb + bb * bl[g] / avgbl);
		x->prior[g] = title_prior(&x->di[g], avgtl);
	}
	x->avgtl = avgtl;
	*out = x;
	return BIDX_OK;
}

typedef struct acc {
	dacc *d;              /* by collection id */
	const qdocs *docs;
	const gmemo *gm;
} acc;

/* The weight of a word by where it stands in the titles of the collection:
 * a FAQ's question names its subject first and asks last (…の手続きを教えて
 * ください, …について知りたい, …は必要ですか), so a word that stands near
 * the end of the titles it is in is the question's template, not its
 * subject, whatever the question.  Its mean place t (0 the title's start, 1
 * its end; smoothed towards the middle by BIDX_ANY_TAIL_PRIOR occurrences)
 * above BIDX_ANY_TAIL_FROM takes up to BIDX_ANY_TAIL_W of its idf.  A word
 * never found in a title by its positions (one character: no positions
 * read) keeps its weight. */
static double tail_weight(const olist *l)
{
	if (!l->rn)
		return 1;
	double t = (l->rsum + 0.5 * BIDX_ANY_TAIL_PRIOR) / (l->rn + BIDX_ANY_TAIL_PRIOR);
	if (t <= BIDX_ANY_TAIL_FROM)
		return 1;
	return 1 - BIDX_ANY_TAIL_W * (t - BIDX_ANY_TAIL_FROM) / (1 - BIDX_ANY_TAIL_FROM);
}

/* A prior for short titles: a title shorter than the average is the more
 * general question (in a FAQ, the entry more questions ask for), so a
 * document gains BIDX_ANY_TITLE_PRIOR x ln(average / its title's words),
 * and loses as much for a longer title; none without a title. */
static double title_prior(const dinfo *d, double avgtl)
{
	return d->twords ? BIDX_ANY_TITLE_PRIOR * log(avgtl / d->twords) : 0;
}

static int add_terms(bidx_result *r, const bidx_question *q)
{
	for (uint32_t i = 0; i < q->n; i++)
		for (uint32_t k = 0; k < q->w[i].nforms; k++) {
			char **nt = bidx_realloc(r->terms, (r->nterms + 1) * sizeof *nt);
			if (!nt)
				return -1;
			r->terms = nt;
			if (!(r->terms[r->nterms] = strdup(q->w[i].forms[k])))
				return -1;
			r->nterms++;
		}
	return 0;
}

/* Scores one word's documents into the accumulators, with idft and idfb
 * the word's idf in the titles and in the bodies (0: that field left out);
 * returns how many of them no word before it matched. */
static uint32_t score_word(const bidx_qword *w, uint32_t wi, const olist *l, double idft,
                           double idfb, acc *a)
{
	double qw = (1.0 + log((double)w->qtf)) * w->weight;
	if (w->kind == BIDX_QW_COMPOUND)
		qw *= BIDX_ANY_W_COMPOUND;
	double k1 = BIDX_ANY_K1;
	double best = idft > idfb ? idft : idfb;
	uint32_t fresh = 0;   /* documents it is the first word of */
	for (size_t i = 0; i < l->n; i++) {
		uint32_t d = l->o[i].doc;
		dacc *x = &a->d[d];
		if (w->kind == BIDX_QW_ANSWER && !x->mask)
			continue;   /* a feature of the documents the question's words find */
		double tt = l->o[i].tt, tb = l->o[i].tb;
		double nt = a->docs->nt[d], nb = a->docs->nb[d];
		x->score += qw * (idft * tt * (k1 + 1) / (tt + nt) + idfb * tb * (k1 + 1) / (tb + nb));
		if (!x->mask || best > x->best) {
			fresh += !x->mask;
			x->best = best;
			x->pos = l->o[i].pos;
		}
		x->mask |= (uint64_t)1 << wi;
	}
	return fresh;
}

/* The bigram signal: BM25 over the question's character bigrams, title
 * and body apart, each bigram's df summed over the segments; weight w. */
static bidx_err score_gram(const bidx_index *ix, uint64_t key, double w, acc *a)
{
	const gmemo *gm = a->gm;
	uint32_t N = ix->ndocs;
	double k1 = BIDX_ANY_K1;
	uint32_t df = 0;
	for (uint32_t si = 0; si < ix->nseg; si++) {
		bidx_term t;
		int r;
		BIDX_TRY(bidx_termdict_find(bidx_segment_termdict(ix->seg[si]), key, &t, &r));
		df += r ? t.df : 0;
	}
	if (!df || df > BIDX_ANY_MAX_DF * N)
		return BIDX_OK;
	double idf = bidx_idf(df, N);
	for (uint32_t si = 0; si < ix->nseg; si++) {
		bidx_segment *seg = ix->seg[si];
		bidx_term t;
		bidx_pcur cur;
		int r;
		if (bidx_termdict_find(bidx_segment_termdict(seg), key, &t, &r) || !r)
			continue;
		const gseen *seen = memo_find(gm, si, key);
		for (size_t i = 0; seen && i < seen->n; i++) {   /* the same sum, the list read once */
			uint32_t d = seen->dt[i][0];
			double tf = seen->dt[i][1], nb = a->docs->ndl[d];
			a->d[d].gscore += w * idf * tf * (k1 + 1) / (tf + nb);
		}
		if (seen)
			continue;
		if (bidx_segment_need(seg, BIDX_SEC_POSTINGS, t.post_off, t.post_len) ||
		    bidx_pcur_init(&cur, bidx_segment_postings(seg, &t), t.post_len, t.df, 2,
		                   bidx_segment_ndocs(seg)))
			return bidx_corrupt();
		bidx_err e;
		while (!(e = bidx_pcur_next(&cur, &r)) && r) {
			uint32_t d = bidx_index_global(ix, si, (uint32_t)cur.doc);
			if (d == BIDX_DELETED)
				continue;
			/* positions are not read: the whole text as one field (a title
			 * split measured no better, at several times the cost) */
			double tf = cur.tf, nb = a->docs->ndl[d];
			a->d[d].gscore += w * idf * tf * (k1 + 1) / (tf + nb);
		}
		if (e)
			return e;
	}
	return BIDX_OK;
}

static bidx_err score_grams(const bidx_index *ix, const bidx_question *q, acc *a)
{
	bidx_err rc = BIDX_OK;
	for (uint32_t g = 0; g < q->ngrams && !rc; g++)
		rc = score_gram(ix, bidx_key2(q->grams[2 * g], q->grams[2 * g + 1]), BIDX_ANY_W_GRAMS, a);
	return rc;
}

#define TITLE_CHARS 256   /* a title's characters the similarity compares, at most */

/* 1 for the characters of q->chars: those of the bigram signal (kanji,
 * katakana, letters, digits; bidx_question_gram) but hiragana. */
static int title_char(uint32_t c)
{
	return !(c >= 0x3041 && c <= 0x309F) && bidx_question_gram(c, 0x30A2);
}

/* How much of document doc's title the question has in the same order:
 * the longest common subsequence of the title's characters but hiragana
 * (TITLE_CHARS at most) and the question's, q->chars, over the former's
 * number; 0 without a title.  Particles and endings are left out, so
 * 犬と猫の写真 and 犬や猫の写真 are the same title; the order of the subject
 * and the predicate is kept, and the title's words the question lacks
 * lower the share. */
static bidx_err title_share(const bidx_index *ix, const bidx_question *q, uint32_t doc,
                            double *share)
{
	*share = 0;
	uint32_t local;
	bidx_docrec d;
	bidx_segment *seg = bidx_index_locate(ix, doc, &local);
	if (!seg || bidx_segment_doc(seg, local, &d))
		return bidx_corrupt();
	char *buf = NULL;
	const char *title, *text;
	size_t tlen, avail;
	bidx_norm t = {0};
	bidx_err rc = bidx_segment_fetch_prefix(seg, &d, 0, &buf, &title, &tlen, &text, &avail);
	if (!rc && tlen)
		rc = bidx_normalize(title, tlen, 0, &t);
	uint32_t tc[TITLE_CHARS], n = 0;
	for (uint32_t i = 0; !rc && i < t.nchars && n < TITLE_CHARS; i++)
		if (title_char(t.cp[i]))
			tc[n++] = t.cp[i];
	bidx_norm_free(&t);
	free(buf);
	if (rc || !n)
		return rc;
	uint32_t prev[TITLE_CHARS + 1] = {0}, cur[TITLE_CHARS + 1] = {0};
	for (uint32_t i = 0; i < q->nchars; i++) {   /* one row of the table a question character */
		for (uint32_t j = 0; j < n; j++)
			cur[j + 1] = q->chars[i] == tc[j] ? prev[j] + 1
			           : cur[j] > prev[j + 1] ? cur[j] : prev[j + 1];
		memcpy(prev, cur, (n + 1) * sizeof *cur);
	}
	*share = (double)prev[n] / n;
	return BIDX_OK;
}

/* 1 when hit x ranks above hit y (bidx_rank_sort's order). */
static int above(const bidx_hit *x, const bidx_hit *y)
{
	return x->score > y->score || (x->score == y->score && x->doc < y->doc);
}

/* Title similarity: each of the BIDX_ANY_RERANK best candidates gains
 * BIDX_ANY_TITLE_SIM x the best score x its title_share, so among entries
 * that score alike, the one whose question reads like the one asked (its
 * words, in the same order) comes first; the others cannot pass them,
 * since the reordered only gain. */
static bidx_err rerank_titles(const bidx_index *ix, const bidx_question *q, bidx_result *r)
{
	uint32_t top[BIDX_ANY_RERANK], nt = 0;
	for (uint32_t i = 0; i < r->n; i++) {   /* the best, best first */
		if (nt == BIDX_ANY_RERANK && !above(&r->hits[i], &r->hits[top[nt - 1]]))
			continue;
		uint32_t k = nt < BIDX_ANY_RERANK ? nt++ : nt - 1;
		for (; k > 0 && above(&r->hits[i], &r->hits[top[k - 1]]); k--)
			top[k] = top[k - 1];
		top[k] = i;
	}
	if (!nt || r->hits[top[0]].score <= 0 || !q->nchars)
		return BIDX_OK;
	double gain = BIDX_ANY_TITLE_SIM * r->hits[top[0]].score;
	bidx_err rc = BIDX_OK;
	for (uint32_t k = 0; k < nt && !rc; k++) {
		double share;
		rc = title_share(ix, q, r->hits[top[k]].doc, &share);
		r->hits[top[k]].score += gain * share;
	}
	return rc;
}

bidx_err bidx_question_eval(bidx_index *ix, const bidx_question *q, bidx_result *r,
                            bidx_anymatch *m, char *why, size_t whylen)
{
	memset(r, 0, sizeof *r);
	if (m)
		memset(m, 0, sizeof *m);
	why[0] = 0;
	uint32_t N = ix->ndocs;
	olist *lists = bidx_calloc((size_t)q->n + 1, sizeof *lists);
	acc a = {.d = bidx_calloc((size_t)N + 1, sizeof *a.d)};
	gmemo gm = {.q = q};
	a.gm = &gm;
	void *docs = NULL;
	bidx_err rc = BIDX_OK;
	if (!lists || !a.d) {
		rc = BIDX_ENOMEM;
		goto out;
	}
	if ((rc = bidx_index_derived(ix, BIDX_DERIVED_QUESTION, make_docs, drop_docs, &docs)))
		goto out;
	a.docs = docs;
	const dinfo *di = a.docs->di;
	for (uint32_t i = 0; i < q->n && !rc; i++) {
		lists[i].d = a.d;
		lists[i].gm = &gm;
		if (q->w[i].kind == BIDX_QW_RELATED &&
		    lists[q->w[i].from].n > BIDX_ANY_RELATED_MAX_DF * N)
			continue;   /* a word that common is no mismatch; its synonyms cost most */
		if (q->w[i].kind == BIDX_QW_RELATED && common_chars(ix, &q->w[i]))
			continue;   /* a related word of one common character: left out unread */
		rc = find_word(ix, di, &q->w[i], &lists[i]);
	}
	if (rc)
		goto out;
	/* a field in which a word is in too many documents says nothing of it,
	 * unless every word is that common */
	uint32_t (*df)[2] = bidx_calloc((size_t)q->n + 1, sizeof *df);
	if (!df) {
		rc = BIDX_ENOMEM;
		goto out;
	}
	int informative = 0;
	double maxdf = BIDX_ANY_MAX_DF * N;
	for (uint32_t i = 0; i < q->n; i++) {
		for (size_t k = 0; k < lists[i].n; k++) {
			df[i][0] += lists[i].o[k].tt > 0;
			df[i][1] += lists[i].o[k].tb > 0;
		}
		informative |= (df[i][0] && df[i][0] <= maxdf) || (df[i][1] && df[i][1] <= maxdf);
	}
	uint32_t n = 0;   /* the candidates */
	for (uint32_t i = 0; i < q->n; i++) {
		if (!lists[i].n)
			continue;
		double idft = informative && df[i][0] > maxdf ? 0 : bidx_idf(df[i][0], N);
		double idfb = informative && df[i][1] > maxdf ? 0 : bidx_idf(df[i][1], N);
		/* the answer words are the asking part of a title (…はどこですか):
		 * where they stand says nothing against them */
		double tw = q->w[i].kind == BIDX_QW_ANSWER ? 1 : tail_weight(&lists[i]);
		n += score_word(&q->w[i], i, &lists[i], tw * idft, tw * idfb, &a);
	}
	free(df);
	if ((rc = score_grams(ix, q, &a)))
		goto out;
	r->hits = bidx_malloc((size_t)n * sizeof *r->hits + 1);
	if (m) {
		m->q = q;
		m->docs = bidx_malloc((size_t)n * sizeof *m->docs + 1);
		m->masks = bidx_malloc((size_t)n * sizeof *m->masks + 1);
	}
	if (!r->hits || (m && (!m->docs || !m->masks)) || add_terms(r, q)) {
		rc = BIDX_ENOMEM;
		goto out;
	}
	for (uint32_t d = 0; d < N && r->n < n; d++) {
		const dacc *x = &a.d[d];
		if (!x->mask)
			continue;
		r->hits[r->n] = (bidx_hit){d, x->score + x->gscore + a.docs->prior[d], x->pos};
		if (m) {
			m->docs[m->n] = d;
			m->masks[m->n++] = x->mask;
		}
		r->n++;
	}
	rc = rerank_titles(ix, q, r);
out:
	for (uint32_t i = 0; lists && i < q->n; i++)
		free(lists[i].o);
	free(lists);
	free(a.d);
	for (size_t i = 0; i < gm.n; i++)
		free(gm.s[i].dt);
	free(gm.s);
	if (rc) {
		snprintf(why, whylen, "%s", bidx_strerror(rc));
		bidx_result_free(r);
		bidx_anymatch_free(m);
	}
	return rc;
}

void bidx_anymatch_free(bidx_anymatch *m)
{
	if (!m)
		return;
	free(m->docs);
	free(m->masks);
	memset(m, 0, sizeof *m);
}

static uint64_t mask_of(const bidx_anymatch *m, uint32_t doc)
{
	uint32_t lo = 0, hi = m->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (m->docs[mid] < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->docs[lo] == doc ? m->masks[lo] : 0;
}

void bidx_anymatch_json(void *ctx, const bidx_hit *h, FILE *f)
{
	const bidx_anymatch *m = ctx;
	uint64_t mask = mask_of(m, h->doc);
	int first = 1;
	fputs(",\"matched_words\":[", f);
	for (uint32_t i = 0; i < m->q->n; i++)
		if (mask >> i & 1) {
			fputs(first ? "" : ",", f);
			bidx_json_str(f, m->q->w[i].label, strlen(m->q->w[i].label));
			first = 0;
		}
	putc(']', f);
}

void bidx_anymatch_words(const bidx_anymatch *m, uint32_t doc, char *out, size_t n)
{
	uint64_t mask = mask_of(m, doc);
	size_t l = 0;
	out[0] = 0;
	for (uint32_t i = 0; i < m->q->n && l < n; i++)
		if (mask >> i & 1) {
			int k = snprintf(out + l, n - l, "%s%s", l ? " " : "", m->q->w[i].label);
			if (k < 0)
				break;
			l += (size_t)k;
		}
}
