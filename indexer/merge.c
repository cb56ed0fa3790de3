/*
 * merge.c - size-tiered merging of the segments of a build (merge.h).
 *
 * The policy: a segment's tier is the power of ten of its live documents
 * (1-9: tier 0, 10-99: tier 1, ...); when MERGE_FACTOR segments share a
 * tier they merge into one, the smallest tier first, so small segments from
 * small updates do not pile up; else a segment more than half deleted is
 * rewritten alone.  `--optimize` merges everything into one segment with
 * no deletions.  A merge puts the live documents of the chosen segments,
 * in corpus order, into a new segment (assembly.h) and moves their sources
 * to it; the old segments then hold nothing live and leave with the next
 * manifest.  Merges repeat until the policy asks for none.
 *
 * The merge works on postings, as Tantivy's merger does: each source gets
 * a map from its doc ids to the merged ones (deleted documents map to
 * none), the union of the sources' terms is walked in key order, and each
 * term's lists are merged k-way through the postings cursors into one raw
 * stream (invert.h), encoded as a fresh build would encode it.  The other
 * records are copied, and the STORE frames of the sources that share the
 * largest source's dictionary too.  Should a segment's documents ever not
 * keep their order in the merged one, its lists could not be merged as
 * they are: that merge analyses the stored texts again instead (no MeCab).
 */
#include "merge.h"
#include "assembly.h"
#include "fault.h"
#include "format.h"
#include "invert.h"
#include "postings.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MERGE_FACTOR 10      /* segments of one size tier that trigger a merge */

/* Merges the segments flagged in pick into one new segment: their live
 * documents, in corpus order, each analysed again from its stored text.
 * The fallback when a segment's documents do not keep their order. */
static bidx_err merge_stored(bidx_catalogue *c, const uint8_t *pick, bidx_assembly *mb)
{
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < c->nsrc && !rc; i++) {
		bidx_source *s = &c->src[i];
		if (pick[s->seg])
			for (uint32_t k = 0; k < s->ndocs && !rc; k++)
				rc = bidx_assembly_add_stored(mb, c->segs[s->seg].s, s->first + k);
	}
	return rc;
}

/* One source segment of a postings-level merge. */
typedef struct msrc {
	bidx_segment *s;
	uint32_t *map;          /* local doc id -> merged doc id, NONE when dropped */
	bidx_term *t;           /* its terms, in key order */
	size_t nt, cap, at;     /* at: the next term to merge */
	bidx_pcur cur;          /* on the current term, when it has the key */
	int64_t doc;            /* merged id of cur's doc, -1 when done */
} msrc;

#define NONE UINT32_MAX

/* The merged postings: every term's encoded list, one after the other. */
typedef struct mpost {
	bidx_buf post;
	struct mterm { uint64_t key; uint32_t df; uint64_t len; } *t;
	size_t nt, cap;
	bidx_penc *enc;          /* the encoder's scratch, during merge_postings */
} mpost;

static int collect_term(const bidx_term *t, void *arg)
{
	msrc *m = arg;
	if (bidx_grow((void **)&m->t, &m->cap, m->nt + 1, sizeof *m->t))
		return 1;
	m->t[m->nt++] = *t;
	return 0;
}

/* Moves m's cursor to its next document that stays; m->doc -1 at the end. */
static bidx_err next_live(msrc *m)
{
	int have;
	bidx_err rc;
	while ((rc = bidx_pcur_next(&m->cur, &have)) == BIDX_OK && have) {
		uint32_t to = m->map[m->cur.doc];
		if (to != NONE) {
			m->doc = to;
			return BIDX_OK;
		}
	}
	m->doc = -1;
	return rc;
}

/* Merges the lists of key of the sources whose next term it is into one
 * raw stream, in merged doc-id order, and appends it encoded to out. */
static bidx_err merge_term(msrc *src, size_t n, uint64_t key, bidx_buf *raw, uint32_t **pos,
                           size_t *poscap, mpost *out)
{
	unsigned kn = bidx_key_n(key);
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		msrc *m = &src[i];
		m->doc = -1;
		if (m->at >= m->nt || m->t[m->at].key != key)
			continue;
		const bidx_term *t = &m->t[m->at++];
		if (!(rc = bidx_segment_need(m->s, BIDX_SEC_POSTINGS, t->post_off, t->post_len)) &&
		    !(rc = bidx_pcur_init(&m->cur, bidx_segment_postings(m->s, t), t->post_len, t->df,
		                          kn, bidx_segment_ndocs(m->s))))
			rc = next_live(m);
	}
	raw->len = 0;
	uint32_t df = 0;
	int64_t prev = -1;
	while (!rc) {
		msrc *m = NULL;
		for (size_t i = 0; i < n; i++)
			if (src[i].doc >= 0 && (!m || src[i].doc < m->doc))
				m = &src[i];
		if (!m)
			break;
		if (m->doc <= prev)
			return bidx_corrupt();
		uint32_t pay[3] = {m->cur.tf_title, m->cur.tf_word, m->cur.tf_edge};
		if (kn == 2) {
			if (bidx_grow((void **)pos, poscap, m->cur.tf, sizeof **pos))
				return BIDX_ENOMEM;
			if ((rc = bidx_pcur_positions(&m->cur, *pos, UINT32_MAX)) != BIDX_OK)
				break;
		}
		bidx_inv_raw_doc(raw, (uint32_t)(m->doc - prev - 1), kn, m->cur.tf, kn == 2 ? *pos : pay);
		prev = m->doc;
		df++;
		rc = next_live(m);
	}
	if (rc || !df)
		return rc;
	if (raw->err || bidx_grow((void **)&out->t, &out->cap, out->nt + 1, sizeof *out->t))
		return BIDX_ENOMEM;
	size_t at = out->post.len;
	if ((rc = bidx_postings_encode_with(out->enc, &out->post, raw->p, raw->len, df, kn)) != BIDX_OK)
		return rc;
	if (out->post.err)
		return BIDX_ENOMEM;
	out->t[out->nt++] = (struct mterm){key, df, out->post.len - at};
	return BIDX_OK;
}

/* The union of the sources' terms, in key order, each merged. */
static bidx_err merge_postings(msrc *src, size_t n, mpost *out)
{
	bidx_buf raw = BIDX_BUF_INIT;
	uint32_t *pos = NULL;
	size_t poscap = 0;
	bidx_err rc = (out->enc = bidx_penc_new()) ? BIDX_OK : BIDX_ENOMEM;
	while (!rc) {
		int any = 0;
		uint64_t key = 0;
		for (size_t i = 0; i < n; i++)
			if (src[i].at < src[i].nt && (!any || src[i].t[src[i].at].key < key)) {
				key = src[i].t[src[i].at].key;
				any = 1;
			}
		if (!any || (rc = merge_term(src, n, key, &raw, &pos, &poscap, out)) != BIDX_OK)
			break;
	}
	bidx_buf_free(&raw);
	free(pos);
	bidx_penc_free(out->enc);
	out->enc = NULL;
	return rc;
}

/* Hands the merged postings to the segment writer (bidx_segw_input.terms). */
static bidx_err mpost_terms(void *arg, bidx_segw_term_fn fn, void *w)
{
	mpost *mp = arg;
	bidx_buf one = BIDX_BUF_INIT;   /* a view of one term's bytes: not freed */
	uint64_t off = 0;
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < mp->nt && !rc; i++) {
		one.p = mp->post.p + off;
		one.len = one.cap = mp->t[i].len;
		rc = fn(mp->t[i].key, mp->t[i].df, &one, w);
		off += mp->t[i].len;
	}
	return rc;
}

/* Fills src[] with the picked segments: each one's doc-id map and terms.
 * *ordered is 0 when a segment's documents do not keep their order in the
 * merged segment (then its postings cannot be merged as they are). */
static bidx_err plan_sources(bidx_catalogue *c, const uint8_t *pick, msrc *src, uint32_t *seg2src,
                             size_t *nsrc, int *ordered)
{
	size_t n = 0;
	*ordered = 1;
	for (uint32_t i = 0; i < c->nsegs; i++) {
		seg2src[i] = NONE;
		if (!pick[i])
			continue;
		uint32_t nd = bidx_segment_ndocs(c->segs[i].s);
		msrc *m = &src[n];
		m->s = c->segs[i].s;
		if (!(m->map = bidx_malloc(((size_t)nd + 1) * sizeof *m->map)))
			return BIDX_ENOMEM;
		for (uint32_t k = 0; k < nd; k++)
			m->map[k] = NONE;
		seg2src[i] = (uint32_t)n++;
		*nsrc = n;
	}
	uint32_t next = 0;
	int64_t *last = bidx_malloc((n + 1) * sizeof *last);
	if (!last)
		return BIDX_ENOMEM;
	for (size_t i = 0; i < n; i++)
		last[i] = -1;
	for (size_t i = 0; i < c->nsrc; i++) {
		bidx_source *s = &c->src[i];
		if (!pick[s->seg])
			continue;
		uint32_t k = seg2src[s->seg];
		if ((int64_t)s->first <= last[k])
			*ordered = 0;
		if (s->ndocs)
			last[k] = (int64_t)s->first + s->ndocs - 1;
		for (uint32_t d = 0; d < s->ndocs; d++)
			src[k].map[s->first + d] = next++;
	}
	free(last);
	for (size_t i = 0; i < n && *ordered; i++) {
		int stopped = 0;
		bidx_err rc = bidx_termdict_each(bidx_segment_termdict(src[i].s), collect_term, &src[i],
		                                 &stopped);
		if (rc)
			return rc;
		if (stopped)
			return BIDX_ENOMEM;
	}
	return BIDX_OK;
}

/* The documents of a merge: what copy_docs works on. */
typedef struct docs_job {
	bidx_catalogue *c;
	const uint8_t *pick;
	bidx_assembly *mb;
	bidx_err rc;
} docs_job;

/* Adds the live documents of the picked segments to the assembly, in
 * corpus order, their records and frames copied (or compressed again). */
static void *copy_docs(void *arg)
{
	docs_job *j = arg;
	bidx_catalogue *c = j->c;
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < c->nsrc && !rc; i++) {
		bidx_source *s = &c->src[i];
		if (j->pick[s->seg])
			for (uint32_t k = 0; k < s->ndocs && !rc; k++)
				rc = bidx_assembly_add_copied(j->mb, c->segs[s->seg].s, s->first + k);
	}
	j->rc = rc;
	return NULL;
}

/* The documents on a thread of their own, the postings on this one: they
 * share nothing but the sources, which are read-only (segment.h), and
 * compressing the texts of sources with another dictionary costs about as
 * much as merging the postings.  One after the other when no thread can
 * be started. */
static bidx_err merge_both(bidx_catalogue *c, const uint8_t *pick, bidx_assembly *mb,
                           msrc *src, size_t n, mpost *mp)
{
	docs_job j = {c, pick, mb, BIDX_OK};
	pthread_t th;
	int threaded = pthread_create(&th, NULL, copy_docs, &j) == 0;
	if (!threaded)
		copy_docs(&j);
	bidx_err rc = threaded || !j.rc ? merge_postings(src, n, mp) : BIDX_OK;
	if (threaded)
		pthread_join(th, NULL);
	return j.rc ? j.rc : rc;
}

/* Merges at the postings level: the terms' lists k-way, documents remapped,
 * the other records copied, STORE frames too where the dictionary is the
 * adopted one (the largest source's).  *done is 0 when it cannot (a
 * segment's documents change order), and nothing was added. */
static bidx_err merge_copied(bidx_catalogue *c, const uint8_t *pick, bidx_assembly *mb, mpost *mp,
                             int *done)
{
	msrc *src = bidx_calloc(c->nsegs + 1, sizeof *src);
	uint32_t *seg2src = bidx_malloc((c->nsegs + 1) * sizeof *seg2src);
	size_t n = 0;
	int ordered = 0;
	bidx_err rc = src && seg2src ? BIDX_OK : BIDX_ENOMEM;
	*done = 0;
	if (!rc)
		rc = plan_sources(c, pick, src, seg2src, &n, &ordered);
	if (!rc && ordered) {
		*done = 1;
		size_t big = 0, big_len = 0;
		for (size_t i = 0; i < n; i++) {
			const uint8_t *p;
			size_t len;
			bidx_segment_section(src[i].s, BIDX_SEC_STORE, &p, &len);
			if (i == 0 || len > big_len)
				big = i, big_len = len;
		}
		rc = n ? bidx_assembly_adopt_dict(mb, src[big].s) : BIDX_OK;
		if (!rc)
			rc = merge_both(c, pick, mb, src, n, mp);
		if (!rc)
			bidx_assembly_set_postings(mb, mp->nt, mpost_terms, mp);
	}
	for (size_t i = 0; src && i < n; i++) {
		free(src[i].map);
		free(src[i].t);
	}
	free(src);
	free(seg2src);
	return rc;
}

/* A merge met damage somewhere in its sources, through the k-way walk or
 * the copying thread: the segments are verified one by one to name the
 * damaged one (the failure path only; a merge reads what it verifies). */
static void name_damaged(bidx_catalogue *c, const uint8_t *pick, char *why, size_t whylen)
{
	for (size_t i = 0; i < c->nsegs; i++) {
		char first[200] = "";
		bidx_findings f = {.why = first, .whylen = sizeof first};
		if (!pick[i] || bidx_segment_verify(c->segs[i].s, BIDX_VERIFY_STRUCTURE, &f) !=
		                BIDX_ECORRUPT)
			continue;
		snprintf(why, whylen, "segment %u is damaged (%s); rebuild with `bidx build --full`",
		         c->segs[i].seq, first);
		return;
	}
	snprintf(why, whylen, "a segment to merge is damaged; rebuild with `bidx build --full`");
}

/* Merges the segments flagged in pick into one new segment: their live
 * documents, in corpus order. */
static bidx_err merge(bidx_catalogue *c, const uint8_t *pick, char *why, size_t whylen)
{
	bidx_assembly *mb;
	mpost mp = {BIDX_BUF_INIT, NULL, 0, 0, NULL};
	int done = 0;
	bidx_err rc = bidx_assembly_new(&mb);
	if (!rc)
		rc = merge_copied(c, pick, mb, &mp, &done);
	if (!rc && !done)
		rc = merge_stored(c, pick, mb);
	if (rc == BIDX_ECORRUPT)
		name_damaged(c, pick, why, whylen);
	uint32_t to = (uint32_t)c->nsegs, first = 0;
	if (!rc)
		rc = bidx_catalogue_add_segment(c, mb, why, whylen);
	bidx_assembly_free(mb);
	bidx_buf_free(&mp.post);
	free(mp.t);
	if (rc)
		return rc;
	for (size_t i = 0; i < c->nsrc; i++) {
		bidx_source *s = &c->src[i];
		if (!pick[s->seg])
			continue;
		s->seg = to;
		s->first = first;
		first += s->ndocs;
	}
	for (uint32_t i = 0; i < to; i++)
		if (pick[i]) {
			c->segs[i].live = 0;
			c->st->merged++;
		}
	return BIDX_OK;
}

static unsigned tier_of(uint32_t live)
{
	unsigned t = 0;
	while (live >= 10)
		live /= 10, t++;
	return t;
}

/* Chooses segments to merge into pick[]; 0 when none.  optimize: all of
 * them, unless one already holds every document with none deleted.  Else
 * the smallest size tier (powers of ten of live documents) that has
 * MERGE_FACTOR segments, or a segment more than half deleted. */
static int choose_merge(const bidx_catalogue *c, uint8_t *pick)
{
	unsigned count[12] = {0};
	size_t nlive = 0;
	memset(pick, 0, c->nsegs);
	for (size_t i = 0; i < c->nsegs; i++)
		if (c->segs[i].live) {
			nlive++;
			count[tier_of(c->segs[i].live)]++;
		}
	if (c->o->optimize) {
		if (nlive == 0)
			return 0;
		int n = 0;
		for (size_t i = 0; i < c->nsegs; i++)
			if (c->segs[i].live) {
				pick[i] = 1;
				n++;
				if (nlive == 1 && c->segs[i].live == bidx_segment_ndocs(c->segs[i].s))
					return 0;
			}
		return n;
	}
	for (unsigned t = 0; t < 12; t++) {
		if (count[t] < MERGE_FACTOR)
			continue;
		for (size_t i = 0; i < c->nsegs; i++)
			pick[i] = c->segs[i].live && tier_of(c->segs[i].live) == t;
		return 1;
	}
	for (size_t i = 0; i < c->nsegs; i++)
		if (c->segs[i].live && (uint64_t)c->segs[i].live * 2 < bidx_segment_ndocs(c->segs[i].s)) {
			pick[i] = 1;
			return 1;
		}
	return 0;
}

bidx_err bidx_merge_segments(bidx_catalogue *c, char *why, size_t whylen)
{
	uint8_t *pick = bidx_malloc(c->nsegs + 64);
	bidx_err rc = pick ? BIDX_OK : BIDX_ENOMEM;
	while (!rc && choose_merge(c, pick)) {
		rc = merge(c, pick, why, whylen);
		uint8_t *np = rc ? NULL : bidx_realloc(pick, c->nsegs + 64);
		if (!rc && !np)
			rc = BIDX_ENOMEM;
		if (np)
			pick = np;
		if (!rc)
			bidx_catalogue_count_live(c);
	}
	free(pick);
	return rc;
}
