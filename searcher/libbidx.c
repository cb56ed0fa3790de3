/*
 * libbidx.c - the public library (bidx.h): a thin layer over the searcher.
 *
 * A search runs what bsearch runs (query_parse, synonyms, query_eval, then
 * collect.h's result page: order, facets, each hit's title and snippet)
 * and copies that page into a bidx_hits that owns every byte it points
 * to, so that no pointer handed out depends on the mapping or on the db
 * staying open.  The internal error values are the public ones (checked
 * below), so mapping an error is a cast.  Only the functions of bidx.h leave the shared object (built with
 * -fvisibility=hidden and searcher/libbidx.map).
 */
#define _GNU_SOURCE   /* dladdr */
#include "bidx.h"
#include "collect.h"
#include "fault.h"
#include "index.h"
#include "io.h"
#include "query_eval.h"
#include "query_parse.h"
#include "synonyms.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert((int)BIDX_ERR_NOMEM == (int)BIDX_ENOMEM && (int)BIDX_ERR_IO == (int)BIDX_EIO &&
               (int)BIDX_ERR_CORRUPT == (int)BIDX_ECORRUPT &&
               (int)BIDX_ERR_VERSION == (int)BIDX_EVERSION &&
               (int)BIDX_ERR_NOINDEX == (int)BIDX_ENOINDEX &&
               (int)BIDX_ERR_QUERY == (int)BIDX_EQUERY && (int)BIDX_ERR_INPUT == (int)BIDX_EINPUT &&
               (int)BIDX_ERR_MECAB == (int)BIDX_EMECAB &&
               (int)BIDX_ERR_TOOBIG == (int)BIDX_ETOOBIG &&
               (int)BIDX_ERR_INVAL == (int)BIDX_EUSAGE,
               "bidx.h's status values are error.h's");
_Static_assert((int)BIDX_ORDER_DATE == (int)BIDX_SORT_DATE &&
               (int)BIDX_ORDER_DATE_DESC == (int)BIDX_SORT_DATE_DESC &&
               (int)BIDX_ORDER_AFFECTED == (int)BIDX_SORT_AFFECTED, "orders are collect.h's sorts");

struct bidx_db {
	bidx_index *ix;
	char *dir;   /* as given, for messages; owned */
};

struct bidx_hits {
	uint32_t total;
	bidx_doc *docs;       /* n of them; owned */
	size_t n;
	bidx_facet *facets;   /* nfacets of them; owned */
	size_t nfacets;
	void **owned;         /* every other block the docs and facets point to */
	size_t nowned, capowned;
};

/* Fills err (when there is one); returns code. */
static bidx_status set_error(bidx_error *err, bidx_status code, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bidx_status set_error(bidx_error *err, bidx_status code, size_t pos, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	err->pos = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return code;
}

static void ok(bidx_error *err)
{
	if (err) {
		err->code = BIDX_SUCCESS;
		err->pos = 0;
		err->message[0] = 0;
	}
}

const char *bidx_status_str(bidx_status code)
{
	if (code == BIDX_ERR_INVAL)
		return "invalid argument";
	if ((int)code < 0 || code > BIDX_ERR_INVAL)
		return "unknown error";
	return bidx_strerror((bidx_err)code);
}

const char *bidx_lib_version(void)
{
	return BIDX_VERSION;
}

bidx_status bidx_db_open(const char *dir, bidx_db **db, bidx_error *err)
{
	char why[512];
	if (db)
		*db = NULL;
	if (!dir || !db)
		return set_error(err, BIDX_ERR_INVAL, 0, "bidx_db_open: %s is NULL", dir ? "db" : "dir");
	bidx_db *d = bidx_calloc(1, sizeof *d);
	char *copy = d ? bidx_malloc(strlen(dir) + 1) : NULL;
	if (!copy) {
		free(d);
		return set_error(err, BIDX_ERR_NOMEM, 0, "%s: out of memory", dir);
	}
	strcpy(copy, dir);
	d->dir = copy;
	bidx_err rc = bidx_index_open(dir, &d->ix, why, sizeof why);
	if (rc) {
		free(d->dir);
		free(d);
		if (rc == BIDX_ECORRUPT)
			return set_error(err, BIDX_ERR_CORRUPT, 0,
			            "%s: index is corrupt (%s); rebuild it with `bidx build --full`", dir, why);
		return set_error(err, (bidx_status)rc, 0, "%s: %s", dir, why);
	}
	*db = d;
	ok(err);
	return BIDX_SUCCESS;
}

void bidx_db_close(bidx_db *db)
{
	if (!db)
		return;
	bidx_index_close(db->ix);
	free(db->dir);
	free(db);
}

uint32_t bidx_db_ndocs(const bidx_db *db)
{
	return db ? db->ix->ndocs : 0;
}

void bidx_search_opts_init(bidx_search_opts *opts)
{
	if (!opts)
		return;
	memset(opts, 0, sizeof *opts);
	opts->limit = 10;
	opts->order = BIDX_ORDER_RELEVANCE;
}

void bidx_hits_free(bidx_hits *hits)
{
	if (!hits)
		return;
	for (size_t i = 0; i < hits->nowned; i++)
		free(hits->owned[i]);
	free(hits->owned);
	free(hits->docs);
	free(hits->facets);
	free(hits);
}

uint32_t bidx_hits_total(const bidx_hits *hits)
{
	return hits ? hits->total : 0;
}

size_t bidx_hits_count(const bidx_hits *hits)
{
	return hits ? hits->n : 0;
}

const bidx_doc *bidx_hits_get(const bidx_hits *hits, size_t i)
{
	return hits && i < hits->n ? &hits->docs[i] : NULL;
}

size_t bidx_hits_nfacets(const bidx_hits *hits)
{
	return hits ? hits->nfacets : 0;
}

const bidx_facet *bidx_hits_facet(const bidx_hits *hits, size_t i)
{
	return hits && i < hits->nfacets ? &hits->facets[i] : NULL;
}

/* Takes ownership of block p (freed with hits); NULL when p is NULL or
 * keeping it failed (then p is freed). */
static void *keep(bidx_hits *h, void *p)
{
	if (!p)
		return NULL;
	if (bidx_grow((void **)&h->owned, &h->capowned, h->nowned + 1, sizeof *h->owned)) {
		free(p);
		return NULL;
	}
	h->owned[h->nowned++] = p;
	return p;
}

/* A NUL-terminated copy of s[0..n) owned by h, or NULL. */
static const char *copy_str(bidx_hits *h, const char *s, size_t n)
{
	char *c = keep(h, bidx_malloc(n + 1));
	if (c) {
		if (n)
			memcpy(c, s, n);
		c[n] = 0;
	}
	return c;
}

static const bidx_range *copy_spans(bidx_hits *h, const bidx_span *v, size_t n)
{
	bidx_range *c = keep(h, bidx_malloc(n * sizeof *c + 1));
	for (size_t i = 0; c && i < n; i++)
		c[i] = (bidx_range){v[i].start, v[i].end};
	return c;
}

/* Copies the FIELDSTR entries of a document into out. */
static bidx_err copy_fields(bidx_hits *hh, bidx_segment *seg, uint32_t local, bidx_doc *out)
{
	bidx_fieldrec fr;
	bidx_fstr f;
	bidx_err rc = bidx_segment_fields(seg, local, &fr);
	if (rc)
		return rc;
	out->affected = fr.affected;
	const uint8_t *base = bidx_segment_fieldstr(seg, &fr), *end = base + fr.str_len;
	const uint8_t *p = base;
	size_t n = 0;
	int have;
	do {
		BIDX_TRY(bidx_fstr_next(&p, end, &f, &have));
		n += (size_t)have;
	} while (have);
	bidx_field *v = keep(hh, bidx_calloc(n + 1, sizeof *v));
	if (!v)
		return BIDX_ENOMEM;
	p = base;
	for (size_t i = 0; i < n && !bidx_fstr_next(&p, end, &f, &have) && have; i++) {
		v[i] = (bidx_field){copy_str(hh, f.name, f.nlen), f.nlen, copy_str(hh, f.value, f.vlen),
		                    f.vlen, copy_str(hh, f.source ? f.source : "", f.slen), f.slen};
		if (!v[i].name || !v[i].value || !v[i].source)
			return BIDX_ENOMEM;
	}
	out->fields = v;
	out->nfields = n;
	return BIDX_OK;
}

/* Fills out with page hit h. */
static bidx_err copy_doc(bidx_hits *hh, const bidx_page_hit *h, bidx_doc *out)
{
	const bidx_snippet *s = &h->text->snippet;
	out->rank = h->rank;
	out->doc = h->hit.doc;
	out->score = h->hit.score;
	out->path = copy_str(hh, h->path, h->path_len);
	out->path_len = h->path_len;
	out->title = copy_str(hh, h->text->title, h->text->title_len);
	out->title_len = h->text->title_len;
	out->snippet = copy_str(hh, s->text ? s->text : "", s->text ? s->len : 0);
	out->snippet_len = s->text ? s->len : 0;
	out->marks = copy_spans(hh, s->marks, s->nmarks);
	out->nmarks = s->nmarks;
	out->matches = copy_spans(hh, s->matches, s->nmatches);
	out->nmatches = s->nmatches;
	if (!out->path || !out->title || !out->snippet || !out->marks || !out->matches)
		return BIDX_ENOMEM;
	return copy_fields(hh, h->seg, h->local, out);
}

/* Moves the counts of page facet pf into out (their strings now hh's). */
static bidx_err copy_facet(bidx_hits *hh, bidx_page_facet *pf, bidx_facet *out)
{
	bidx_facet_value *v = keep(hh, bidx_calloc(pf->n + 1, sizeof *v));
	out->field = copy_str(hh, pf->name, strlen(pf->name));
	for (size_t i = 0; v && i < pf->n; i++) {
		v[i] = (bidx_facet_value){keep(hh, pf->values[i].value), pf->values[i].len,
		                          pf->values[i].count};
		pf->values[i].value = NULL;   /* owned by hh now (or freed by keep) */
		if (!v[i].value)
			v = NULL;
	}
	if (!v || !out->field)
		return BIDX_ENOMEM;
	out->values = v;
	out->nvalues = pf->n;
	return BIDX_OK;
}

/* The synonym table of an installed libbidx: share/bidx/ of its prefix
 * (the library is in PREFIX/lib or PREFIX/lib/<multiarch>). */
static int synonyms_beside_lib(char *path, size_t n)
{
	Dl_info info;
	if (!dladdr((void *)bidx_search, &info) || !info.dli_fname || info.dli_fname[0] != '/')
		return -1;
	for (int up = 1; up <= 2; up++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", info.dli_fname);
		for (int k = 0; k < up; k++) {
			char *slash = strrchr(dir, '/');
			if (!slash)
				return -1;
			*slash = 0;
		}
		if ((size_t)snprintf(path, n, "%s/../share/bidx/%s", dir, BIDX_SYNONYMS_NAME) < n &&
		    access(path, R_OK) == 0)
			return 0;
	}
	return -1;
}

/* Expands *q with the synonym table the options name or the lookup finds. */
static bidx_status apply_synonyms(const bidx_search_opts *o, bidx_qnode **q, bidx_error *err)
{
	char path[4096], why[512];
	bidx_synonyms *s;
	int given = o->synonyms != NULL;
	if (given)
		snprintf(path, sizeof path, "%s", o->synonyms);
	else if (bidx_synonyms_find(path, sizeof path) && synonyms_beside_lib(path, sizeof path))
		return BIDX_SUCCESS;   /* no table: search without */
	if (!path[0])
		return BIDX_SUCCESS;
	bidx_err rc = bidx_synonyms_load(path, &s, NULL, why, sizeof why);
	if (rc == BIDX_EIO)
		return given ? set_error(err, BIDX_ERR_IO, 0, "%s", why) : BIDX_SUCCESS;
	if (!rc)
		rc = bidx_synonyms_expand(s, q);
	bidx_synonyms_free(s);
	return rc ? set_error(err, (bidx_status)rc, 0, "synonyms: %s", bidx_strerror(rc)) : BIDX_SUCCESS;
}

static bidx_status check_opts(const bidx_search_opts *o, bidx_error *err)
{
	if ((int)o->order < BIDX_ORDER_RELEVANCE || o->order > BIDX_ORDER_AFFECTED)
		return set_error(err, BIDX_ERR_INVAL, 0, "bidx_search: unknown order %d", (int)o->order);
	if (o->nfacets > BIDX_SEARCH_MAX_FACETS || (o->nfacets && !o->facets))
		return set_error(err, BIDX_ERR_INVAL, 0, "bidx_search: at most %d facets",
		            BIDX_SEARCH_MAX_FACETS);
	for (size_t i = 0; i < o->nfacets; i++)
		if (!o->facets[i] || !o->facets[i][0])
			return set_error(err, BIDX_ERR_INVAL, 0, "bidx_search: facet %zu has no name", i);
	return BIDX_SUCCESS;
}

/* Collects the page of r that o asks for and copies it into a new
 * bidx_hits. */
static bidx_err make_page(bidx_index *ix, bidx_result *r, const bidx_search_opts *o,
                          bidx_hits **out)
{
	bidx_collect_opts c = {.sort = (bidx_sort)o->order, .offset = o->offset, .limit = o->limit,
	                       .want = BIDX_WANT_SNIPPET, .facets = o->facets,
	                       .nfacets = (int)o->nfacets};
	bidx_page p;
	bidx_err rc = bidx_collect(ix, r, &c, &p);
	if (rc)
		return rc;
	bidx_hits *h = bidx_calloc(1, sizeof *h);
	if (!h || !(h->docs = bidx_calloc((size_t)p.n + 1, sizeof *h->docs)) ||
	    !(h->facets = bidx_calloc((size_t)p.nfacets + 1, sizeof *h->facets)))
		rc = BIDX_ENOMEM;
	if (!rc)
		h->total = p.total;
	for (uint32_t i = 0; !rc && i < p.n; i++, h->n++)
		rc = copy_doc(h, &p.hits[i], &h->docs[i]);
	for (int i = 0; !rc && i < p.nfacets; i++, h->nfacets++)
		rc = copy_facet(h, &p.facets[i], &h->facets[i]);
	bidx_page_free(&p);
	if (rc) {
		bidx_hits_free(h);
		return rc;
	}
	*out = h;
	return BIDX_OK;
}

bidx_status bidx_search(bidx_db *db, const char *query, const bidx_search_opts *opts,
                        bidx_hits **hits, bidx_error *err)
{
	char why[512];
	size_t pos = 0;
	bidx_qnode *q = NULL;
	bidx_search_opts defaults;
	if (hits)
		*hits = NULL;
	if (!db || !query || !hits)
		return set_error(err, BIDX_ERR_INVAL, 0, "bidx_search: %s is NULL",
		            !db ? "db" : !query ? "query" : "hits");
	if (!opts) {
		bidx_search_opts_init(&defaults);
		opts = &defaults;
	}
	bidx_status st = check_opts(opts, err);
	if (st)
		return st;
	if (bidx_query_parse(query, &q, why, sizeof why, &pos))
		return set_error(err, BIDX_ERR_QUERY, pos, "bad query at byte %zu: %s", pos, why);
	if (!opts->exact && (st = apply_synonyms(opts, &q, err))) {
		bidx_query_free(q);
		return st;
	}
	bidx_result r;
	bidx_err rc = bidx_query_eval(db->ix, q, &r, why, sizeof why);
	bidx_query_free(q);
	if (rc == BIDX_EQUERY) {   /* the evaluator's message starts "at byte N: " */
		unsigned at = 0;
		int used = 0;
		if (sscanf(why, "at byte %u: %n", &at, &used) == 1 && used > 0)
			return set_error(err, BIDX_ERR_QUERY, at, "bad query at byte %u: %s", at, why + used);
		return set_error(err, BIDX_ERR_QUERY, 0, "bad query: %s", why);
	}
	if (rc == BIDX_ECORRUPT)
		return set_error(err, BIDX_ERR_CORRUPT, 0,
		            "%s: index is corrupt (%s); rebuild it with `bidx build --full`", db->dir, why);
	if (rc)
		return set_error(err, (bidx_status)rc, 0, "%s: %s", db->dir, why);
	rc = make_page(db->ix, &r, opts, hits);
	bidx_result_free(&r);
	if (rc == BIDX_ECORRUPT)
		return set_error(err, BIDX_ERR_CORRUPT, 0,
		            "%s: index is corrupt (a document record or stored text); rebuild it with "
		            "`bidx build --full`", db->dir);
	if (rc)
		return set_error(err, (bidx_status)rc, 0, "%s: %s", db->dir, bidx_strerror(rc));
	ok(err);
	return BIDX_SUCCESS;
}
