/*
 * collect.c - a result page from an evaluated query (collect.h).
 *
 * The steps run in a fixed order, each over as little as the page needs:
 *
 *   order    relevance: only the first offset + limit hits are put in place
 *            (bidx_rank_sort's top-k); a field order (date, -date,
 *            affected) sorts all, keyed from the FIELDS column; --group
 *            sorts all too, since an incident's best hit may rank anywhere
 *   group    --group keeps the first (best) hit of each incident, in order
 *            (incidents joined over the whole index, notices.h)
 *   facets   counted over every hit left (facet.h), not only the page's:
 *            with --group one per incident, not per report
 *   page     for each hit of [offset, offset + limit): its document record
 *            and path, then, as asked, its title, its snippet, the parts
 *            of its score and the reports of its incident
 *
 * The snippet policy lives here alone: decompress a document only as far
 * as the snippet window around the known match reaches (snippet.h), and for
 * a one-term query first only as far as the narrower window tried first
 * (bidx_snippet_first: most snippets settle there); when
 * the match position is not known (a one-character word, a field-only
 * query), try its first few hundred characters (kept when they settle the
 * snippet, snippet.h), then, for a long document, its head, and the whole
 * text only when the head holds no match.
 */
#define _GNU_SOURCE /* memmem */
#include "collect.h"
#include "fault.h"
#include "markdown.h"
#include "notices.h"

#include <stdlib.h>
#include <string.h>

int bidx_sort_parse(const char *s, bidx_sort *out)
{
	static const char *const names[] = {"relevance", "date", "-date", "affected"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (bidx_sort)i;
			return 0;
		}
	return -1;
}

/* ---- order ---- */

/* Sort keys read from the FIELDS column: hits carry them while sorting, so
 * the order is key, then relevance, then doc id. */
typedef struct keyed {
	int64_t key;
	double score;
	uint32_t doc;
	uint32_t pos;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Orders hits by date (oldest first), -date (newest first) or affected
 * (largest first); documents without the value go last; ties keep
 * relevance order, then doc id. */
static bidx_err sort_by_field(bidx_index *ix, bidx_result *r, bidx_sort how)
{
	keyed *k = bidx_malloc((size_t)r->n * sizeof *k + 1);
	if (!k)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < r->n; i++) {
		bidx_fieldrec f;
		uint32_t local;
		bidx_segment *seg = bidx_index_locate(ix, r->hits[i].doc, &local);
		if (!seg || bidx_segment_fields(seg, local, &f)) {
			free(k);
			return BIDX_ECORRUPT;
		}
		int64_t key = INT64_MAX;
		if (how == BIDX_SORT_DATE && f.date_lo)
			key = f.date_lo;
		else if (how == BIDX_SORT_DATE_DESC && f.date_lo)
			key = -(int64_t)f.date_hi;
		else if (how == BIDX_SORT_AFFECTED && f.affected)
			key = -(int64_t)(f.affected > INT64_MAX ? INT64_MAX : f.affected);
		k[i] = (keyed){key, r->hits[i].score, r->hits[i].doc, r->hits[i].pos};
	}
	if (r->n)
		qsort(k, r->n, sizeof *k, cmp_keyed);
	for (uint32_t i = 0; i < r->n; i++)
		r->hits[i] = (bidx_hit){k[i].doc, k[i].score, k[i].pos};
	free(k);
	return BIDX_OK;
}

/* Puts r's hits in `sort` order; with relevance only the first k need be
 * in place. */
static bidx_err order(bidx_index *ix, bidx_result *r, bidx_sort sort, uint32_t k)
{
	bidx_rank_sort(r->hits, r->n, sort == BIDX_SORT_RELEVANCE ? k : r->n);
	return sort == BIDX_SORT_RELEVANCE ? BIDX_OK : sort_by_field(ix, r, sort);
}

/* ---- group ---- */

/* A hit's incident, read once for grouping and for its reports. */
typedef struct incident {
	uint32_t doc;
	int32_t date;
	char id[32], report[32];
} incident;

/* The hits in order with their incidents (*inc, r's order before
 * grouping) and, for kept hit k, the index in *inc where it stood
 * (*first).  Keeps the first (best) hit of each incident in r, in order;
 * a document without an incident is an incident of its own. */
static bidx_err group_hits(bidx_index *ix, const bidx_incidents *t, bidx_result *r,
                           incident **inc, uint32_t **first, uint32_t *ninc)
{
	incident *h = bidx_calloc(r->n + 1, sizeof *h);
	uint32_t *f = bidx_calloc(r->n + 1, sizeof *f);
	bidx_err rc = h && f ? BIDX_OK : BIDX_ENOMEM;
	for (uint32_t i = 0; i < r->n && !rc; i++) {
		h[i].doc = r->hits[i].doc;
		rc = bidx_notice_incident(t, ix, h[i].doc, h[i].id, sizeof h[i].id, h[i].report,
		                          sizeof h[i].report, &h[i].date);
	}
	if (rc) {
		free(h);
		free(f);
		return rc;
	}
	uint32_t kept = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		int seen = 0;
		for (uint32_t j = 0; h[i].id[0] && j < i && !seen; j++)
			seen = !strcmp(h[j].id, h[i].id);
		if (seen)
			continue;
		f[kept] = i;
		r->hits[kept++] = r->hits[i];
	}
	*ninc = r->n;
	r->n = kept;
	*inc = h;
	*first = f;
	return BIDX_OK;
}

static int cmp_report(const void *a, const void *b)
{
	const bidx_page_report *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return (x->doc > y->doc) - (x->doc < y->doc);
}

/* The reports of the incident of inc[at]: every hit from `at` on with its
 * id (itself alone when it has none), in date order, with their paths. */
static bidx_err reports_of(bidx_index *ix, const incident *inc, uint32_t ninc, uint32_t at,
                           bidx_page_text *t)
{
	const incident *me = &inc[at];
	uint32_t n = 0;
	for (uint32_t j = at; j < ninc; j++)
		n += j == at || (me->id[0] && !strcmp(inc[j].id, me->id));
	bidx_page_report *v = bidx_calloc(n, sizeof *v);
	if (!v)
		return BIDX_ENOMEM;
	t->reports = v;
	t->nreports = n;
	for (uint32_t j = at, k = 0; j < ninc; j++) {
		if (j != at && !(me->id[0] && !strcmp(inc[j].id, me->id)))
			continue;
		uint32_t local;
		bidx_docrec d;
		bidx_segment *seg = bidx_index_locate(ix, inc[j].doc, &local);
		bidx_err rc = seg ? bidx_segment_doc(seg, local, &d) : bidx_corrupt();
		if (rc)
			return rc;
		v[k] = (bidx_page_report){.doc = inc[j].doc, .path = bidx_segment_path(seg, &d),
		                          .path_len = d.path_len, .date = inc[j].date};
		memcpy(v[k].incident, inc[j].id, sizeof v[k].incident);
		memcpy(v[k].report, inc[j].report, sizeof v[k].report);
		k++;
	}
	qsort(v, n, sizeof *v, cmp_report);
	return BIDX_OK;
}

/* ---- a hit's title and snippet ---- */

/* Bytes of a long document's head tried first for a snippet when the match
 * position is not known. */
#define HEAD_TRY ((size_t)16 << 10)

/* Cuts a partial text back to its last line end (or character start), so
 * that nothing is normalised from half a line or half a character. */
static size_t line_cut(const char *t, size_t n)
{
	size_t k = n;
	while (k > n / 2 && t[k - 1] != '\n')
		k--;
	if (k > n / 2)
		return k;
	while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* The page (1-based) of byte `at` of a PDF's text, from its "pages" field
 * (page start offsets, docs/FORMAT.md FIELDSTR); 0 for other documents. */
static uint32_t page_of(bidx_segment *seg, uint32_t local, size_t at)
{
	bidx_fieldrec fr;
	bidx_fstr f;
	int have;
	if (bidx_segment_fields(seg, local, &fr))
		return 0;
	const uint8_t *p = bidx_segment_fieldstr(seg, &fr), *end = p + fr.str_len;
	/* an entry named "pages" holds these bytes (its name's length, 5, and
	 * its name): most documents have none, and walking every entry costs */
	if (!fr.str_len || !memmem(p, fr.str_len, "\x05pages", 6))
		return 0;
	while (!bidx_fstr_next(&p, end, &f, &have) && have) {
		if (f.nlen != 5 || memcmp(f.name, "pages", 5))
			continue;
		uint32_t page = 0;
		size_t i = 0;
		while (i < f.vlen) {
			size_t v = 0, k = i;
			while (k < f.vlen && f.value[k] >= '0' && f.value[k] <= '9')
				v = v * 10 + (size_t)(f.value[k++] - '0');
			if (k == i || v > at)
				break;
			page++;
			i = k + 1;
		}
		return page;
	}
	return 0;
}

/* A NUL-terminated copy of the title into t. */
static bidx_err keep_title(bidx_page_text *t, const char *title, size_t tlen)
{
	t->title = bidx_malloc(tlen + 1);
	if (!t->title)
		return BIDX_ENOMEM;
	if (tlen)
		memcpy(t->title, title, tlen);
	t->title[tlen] = 0;
	t->title_len = tlen;
	return BIDX_OK;
}

/* The title of hit h alone: the stored head, no text. */
static bidx_err fetch_title(bidx_segment *seg, const bidx_docrec *d, bidx_page_text *t)
{
	char *buf;
	const char *title, *text;
	size_t tlen, avail;
	bidx_err rc = bidx_segment_fetch_prefix(seg, d, 0, &buf, &title, &tlen, &text, &avail);
	if (!rc)
		rc = keep_title(t, title, tlen);
	free(buf);
	return rc;
}

/* The snippet of the head text[0..hb) of d, kept in t (with *buf, *title,
 * *tlen) when it settles the snippet (*settled); else nothing is kept. */
static bidx_err try_head(bidx_segment *seg, const bidx_docrec *d, size_t hb, const bidx_result *r,
                         bidx_page_text *t, char **buf, const char **title, size_t *tlen,
                         int *settled)
{
	const char *text;
	size_t avail;
	*settled = 0;
	bidx_err rc = bidx_segment_fetch_prefix(seg, d, hb, buf, title, tlen, &text, &avail);
	if (!rc)
		rc = bidx_snippet_make_head(text, d->text_len, avail, r->terms, r->nterms, 0, &t->snippet,
		                            settled);
	if (rc || !*settled) {
		free(*buf);
		*buf = NULL;
		bidx_snippet_free(&t->snippet);
	}
	return rc;
}

/* The first characters of a document tried for a snippet when no match
 * position is known, and how much longer each next head is. */
#define HEAD_FIRST 256u
#define HEAD_GROWTH 4u

/* The title and snippet of hit h (and the PDF page of its first match). */
static bidx_err fetch_snippet(bidx_segment *seg, uint32_t local, const bidx_docrec *d,
                              const bidx_result *r, const bidx_hit *h, bidx_page_text *t)
{
	const uint8_t *ck;
	uint32_t nck;
	size_t b0, b1, avail, tlen;
	const char *title, *text;
	char *buf = NULL;
	int settled = 0;
	bidx_err rc = bidx_segment_ckpts(seg, local, &ck, &nck);
	if (rc)
		return rc;
	bidx_snippet_window(d->text_len, h->pos, ck, nck, &b0, &b1);
	int md = bidx_md_path(bidx_segment_path(seg, d), d->path_len);
	int nopos = h->pos == BIDX_NOPOS && !md;
	/* no position: heads of growing length up to about HEAD_TRY, each kept
	 * only when it settles the snippet (snippet.h) */
	for (uint32_t c = HEAD_FIRST; nopos && !settled && c <= HEAD_TRY / 3; c *= HEAD_GROWTH) {
		size_t hb = bidx_snippet_head(d->text_len, c, ck, nck);
		if (hb >= d->text_len || hb > HEAD_TRY)
			break;
		if ((rc = try_head(seg, d, hb, r, t, &buf, &title, &tlen, &settled)) != 0)
			return rc;
	}
	if (settled)
		goto done;
	int head_only = h->pos == BIDX_NOPOS && d->text_len > HEAD_TRY;
	if (!head_only && h->pos != BIDX_NOPOS) {
		/* the narrower window's bytes first (snippet.h): the blocks past
		 * it are decoded only when it does not settle the snippet */
		int more = 0;
		size_t first = bidx_snippet_first(d->text_len, h->pos, r->nterms, ck, nck);
		for (int k = 0; k < 2 && (k == 0 || more); k++) {
			free(buf);
			buf = NULL;
			rc = bidx_segment_fetch_prefix(seg, d, k ? b1 : first, &buf, &title, &tlen, &text,
			                               &avail);
			if (!rc)
				rc = bidx_snippet_try_near(text, d->text_len, avail, r->terms, r->nterms, h->pos,
				                           ck, nck, md, &t->snippet, &more);
			if (rc) {
				free(buf);
				return rc;
			}
		}
		goto done;
	}
	rc = bidx_segment_fetch_prefix(seg, d, head_only ? HEAD_TRY : b1, &buf, &title, &tlen, &text,
	                               &avail);
	if (rc)
		return rc;
	if (head_only)
		avail = line_cut(text, avail);
	rc = bidx_snippet_make_near(text, d->text_len, avail, r->terms, r->nterms, h->pos, ck, nck,
	                            md, &t->snippet);
	if (!rc && head_only && !t->snippet.nmarks) {   /* not in the head: the whole text */
		bidx_snippet_free(&t->snippet);
		free(buf);
		buf = NULL;
		/* longer heads first, each kept when it settles the snippet, which
		 * is then the whole text's */
		for (uint32_t c = HEAD_TRY; nopos && !settled; c *= HEAD_GROWTH) {
			size_t hb = bidx_snippet_head(d->text_len, c, ck, nck);
			if (hb >= d->text_len || c > UINT32_MAX / HEAD_GROWTH)
				break;
			if (hb <= HEAD_TRY)
				continue;   /* inside the head that held no match */
			if ((rc = try_head(seg, d, hb, r, t, &buf, &title, &tlen, &settled)) != 0)
				return rc;
		}
		if (settled)
			goto done;
		rc = bidx_segment_fetch_prefix(seg, d, d->text_len, &buf, &title, &tlen, &text, &avail);
		if (rc)
			return rc;
		rc = bidx_snippet_make_near(text, d->text_len, avail, r->terms, r->nterms, h->pos, ck,
		                            nck, md, &t->snippet);
	}
done:
	if (!rc)
		rc = keep_title(t, title, tlen);
	free(buf);
	if (!rc && t->snippet.nmatches)
		t->pdf_page = page_of(seg, local, t->snippet.matches[0].start);
	return rc;
}

/* ---- the page ---- */

/* Fills page hit ph for r's hit i: what o wants of it. */
static bidx_err fill_hit(bidx_index *ix, const bidx_result *r, uint32_t i,
                         const bidx_collect_opts *o, bidx_page_hit *ph)
{
	bidx_docrec d;
	ph->hit = r->hits[i];
	ph->rank = i + 1;
	ph->seg = bidx_index_locate(ix, ph->hit.doc, &ph->local);
	bidx_err rc = ph->seg ? bidx_segment_doc(ph->seg, ph->local, &d) : bidx_corrupt();
	if (rc)
		return rc;
	ph->path = bidx_segment_path(ph->seg, &d);
	ph->path_len = d.path_len;
	bidx_page_text *t = ph->text;
	if (!t)
		return BIDX_OK;
	rc = o->want == BIDX_WANT_SNIPPET ? fetch_snippet(ph->seg, ph->local, &d, r, &ph->hit, t)
	                                  : fetch_title(ph->seg, &d, t);
	if (!rc && o->explain && r->query) {
		char why[512];
		rc = bidx_query_explain(ix, r->query, ph->hit.doc, &t->explain, why, sizeof why);
		t->explained = !rc;
	}
	return rc;
}

/* The facets over r's hits: with --group r holds one hit per incident (its
 * best report), so each incident counts once, however many reports it has. */
static bidx_err count_facets(bidx_index *ix, const bidx_result *r, const bidx_collect_opts *o,
                             bidx_page *p)
{
	int n = o->nfacets < BIDX_MAX_FACETS ? o->nfacets : BIDX_MAX_FACETS;
	p->facets_per_incident = o->group && n > 0;
	for (int i = 0; i < n; i++, p->nfacets++) {
		p->facets[i].name = o->facets[i];
		bidx_err rc = bidx_facet_counts(ix, r, o->facets[i], &p->facets[i].values, &p->facets[i].n);
		if (rc)
			return rc;
	}
	return BIDX_OK;
}

/* The hits of [o->offset, k) into p, with their texts when o wants them. */
static bidx_err fill_page(bidx_index *ix, const bidx_result *r, const bidx_collect_opts *o,
                          uint32_t k, const incident *inc, const uint32_t *first, uint32_t ninc,
                          bidx_page *p)
{
	uint32_t n = o->want != BIDX_WANT_NONE && k > o->offset ? k - o->offset : 0;
	int texts = o->want >= BIDX_WANT_TITLE;
	if (!n)
		return BIDX_OK;   /* bsearch -c allocates nothing at all */
	p->hits = bidx_calloc((size_t)n + 1, sizeof *p->hits);
	if (!p->hits || (texts && !(p->texts = bidx_calloc((size_t)n + 1, sizeof *p->texts))))
		return BIDX_ENOMEM;
	bidx_err rc = BIDX_OK;
	for (uint32_t i = 0; i < n && !rc; i++, p->n++) {
		bidx_page_hit *ph = &p->hits[i];
		ph->text = texts ? &p->texts[i] : NULL;
		rc = fill_hit(ix, r, o->offset + i, o, ph);
		if (!rc && texts && inc)
			rc = reports_of(ix, inc, ninc, first[o->offset + i], ph->text);
	}
	return rc;
}

uint32_t bidx_collect_topk(const bidx_collect_opts *o)
{
	uint64_t end = (uint64_t)o->offset + o->limit;
	if (o->sort != BIDX_SORT_RELEVANCE || o->group || o->want == BIDX_WANT_NONE || !o->limit ||
	    end >= UINT32_MAX)
		return 0;
	return (uint32_t)end;
}

bidx_err bidx_collect(bidx_index *ix, bidx_result *r, const bidx_collect_opts *o, bidx_page *p)
{
	memset(p, 0, sizeof *p);
	p->total = r->n;
	if (r->exact_top && (o->want != BIDX_WANT_NONE || o->group) &&
	    (!bidx_collect_topk(o) || bidx_collect_topk(o) > r->exact_top))
		return BIDX_EUSAGE;   /* the page would show scores left out */
	uint64_t end = (uint64_t)o->offset + o->limit;
	uint32_t k = end < r->n ? (uint32_t)end : r->n;
	incident *inc = NULL;
	uint32_t *first = NULL, ninc = 0;
	bidx_err rc = BIDX_OK;
	if (o->want != BIDX_WANT_NONE || o->group)   /* facets alone need no order */
		rc = order(ix, r, o->sort, o->group ? r->n : k);
	const bidx_incidents *t = NULL;   /* kept with the index: made once, not per query */
	if (!rc && (o->group || (o->incidents && o->want >= BIDX_WANT_TITLE)))   /* groups, ids */
		rc = bidx_incidents_of(ix, &t);
	if (!rc && o->group && !(rc = group_hits(ix, t, r, &inc, &first, &ninc)))
		k = end < r->n ? (uint32_t)end : r->n;
	p->ranked = r->n;
	if (!rc)
		rc = count_facets(ix, r, o, p);
	if (!rc)
		rc = fill_page(ix, r, o, k, inc, first, ninc, p);
	for (uint32_t i = 0; !rc && i < p->n; i++) {
		const char *id = bidx_incidents_id(t, p->hits[i].hit.doc);
		snprintf(p->hits[i].incident, sizeof p->hits[i].incident, "%s", id ? id : "");
	}
	free(inc);
	free(first);
	if (rc)
		bidx_page_free(p);
	return rc;
}

void bidx_page_free(bidx_page *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; p->texts && i < p->n; i++) {
		bidx_page_text *t = &p->texts[i];
		free(t->title);
		bidx_snippet_free(&t->snippet);
		bidx_explain_free(&t->explain);
		free(t->reports);
	}
	for (int i = 0; i < p->nfacets; i++)
		bidx_facet_counts_free(p->facets[i].values, p->facets[i].n);
	free(p->texts);
	free(p->hits);
	memset(p, 0, sizeof *p);
}
