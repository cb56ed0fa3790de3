/*
 * collect.h - from an evaluated query to a result page.
 *
 * query_eval hands back every matching document, unordered.  collect turns
 * that into the page a caller shows, in plain structs: the total, the hits
 * of [offset, offset + limit) in order with their rank, path, title, the
 * snippet with its marks, the PDF page of its first match, the parts of
 * the score (--explain) and the reports of their incident (--group), and
 * the facet counts over all hits.  Ordering (top-k by relevance, or by a
 * field), grouping, facet counting and the choice and fetching of each
 * hit's snippet happen here and nowhere else, so bsearch's human and JSON
 * output, the HTTP API (serve.h) and libbidx (bidx.h) show the same page.
 * output.h formats a page; it does not sort, count or fetch.
 *
 * A page is as lazy as its caller asks: BIDX_WANT_NONE (bsearch -c) reads
 * no document at all, BIDX_WANT_PATH (-l) only the document records in the
 * mapping, BIDX_WANT_TITLE (CSV rows) decompresses the stored title only,
 * and BIDX_WANT_SNIPPET decompresses a hit's text only as far as its
 * snippet window reaches (snippet.h).
 */
#ifndef BIDX_COLLECT_H
#define BIDX_COLLECT_H

#include <stddef.h>
#include <stdint.h>
#include "facet.h"
#include "index.h"
#include "query_eval.h"
#include "snippet.h"

typedef enum bidx_sort { BIDX_SORT_RELEVANCE, BIDX_SORT_DATE, BIDX_SORT_DATE_DESC,
                         BIDX_SORT_AFFECTED } bidx_sort;

#define BIDX_MAX_FACETS 8

/* Parses "relevance", "date", "-date" or "affected"; -1 when unknown. */
int bidx_sort_parse(const char *s, bidx_sort *out);

/* What each hit of the page carries besides its doc, score and rank; each
 * level includes the ones before it. */
typedef enum bidx_want {
	BIDX_WANT_NONE,      /* no hits: the total and the facets only */
	BIDX_WANT_PATH,      /* the stored path (from the document record) */
	BIDX_WANT_TITLE,     /* and the title (the stored head only) */
	BIDX_WANT_SNIPPET,   /* and the snippet with its marks, and the PDF page */
} bidx_want;

typedef struct bidx_collect_opts {
	bidx_sort sort;
	uint32_t offset;          /* hits skipped before the page */
	uint32_t limit;           /* hits on the page at most */
	bidx_want want;
	const char *const *facets;   /* fields to count over all hits; nfacets of them */
	int nfacets;
	int group;                /* one hit per incident, its reports with it */
	int explain;              /* each hit's score in parts (bidx_query_explain) */
	int incidents;            /* each hit's incident id (JSON): the incidents of the
	                             whole index are grouped first, which reads every
	                             document's fields; --group does it anyway */
} bidx_collect_opts;

/* One report of a hit's incident (--group). */
typedef struct bidx_page_report {
	uint32_t doc;
	const char *path;         /* into the mapping; path_len bytes */
	size_t path_len;
	char incident[32];        /* the incident id; "" for a document of its own */
	char report[32];          /* which report it is (第1報...); "" when not known */
	int32_t date;             /* YYYYMMDD, 0 when undated */
} bidx_page_report;

/* What a hit shows beyond its path: for BIDX_WANT_TITLE and up, --explain
 * and --group (NULL otherwise). */
typedef struct bidx_page_text {
	char *title;              /* NUL-terminated, "" when none; owned */
	size_t title_len;
	bidx_snippet snippet;     /* owned; text NULL below BIDX_WANT_SNIPPET */
	uint32_t pdf_page;        /* 1-based page of the snippet's first match; 0 */
	int explained;            /* explain holds the parts of the score */
	bidx_explain explain;     /* owned */
	bidx_page_report *reports;   /* the incident's hits in date order; owned */
	uint32_t nreports;
} bidx_page_text;

typedef struct bidx_page_hit {
	bidx_hit hit;             /* doc (collection id), score, match position */
	uint32_t rank;            /* 1-based over all hits */
	bidx_segment *seg;        /* the document's segment and local id: its */
	uint32_t local;           /* fields are read from there (facet.h, notices.h) */
	const char *path;         /* into the mapping; path_len bytes */
	size_t path_len;
	bidx_page_text *text;     /* NULL when nothing beyond the path was asked */
	char incident[32];        /* its incident's group id (notices.h); "" none or not asked */
} bidx_page_hit;

typedef struct bidx_page_facet {
	const char *name;         /* as asked (the caller's string) */
	bidx_facet_count *values; /* largest first, ties by value; owned */
	size_t n;
} bidx_page_facet;

typedef struct bidx_page {
	uint32_t total;           /* matching documents */
	uint32_t ranked;          /* hits ranked: total, or the incidents with --group */
	bidx_page_hit *hits;      /* the page, in order; owned */
	uint32_t n;
	bidx_page_facet facets[BIDX_MAX_FACETS];   /* in the order asked */
	int nfacets;
	int facets_per_incident;  /* --group: each facet counts incidents, not reports */
	bidx_page_text *texts;    /* the hits' texts, one block; owned */
} bidx_page;

/* How many best hits by relevance the page o asks for needs scored
 * exactly (bidx_query_eval_top's k): offset + limit, or 0 when it needs
 * every score (an order by a field, --group, every hit). */
uint32_t bidx_collect_topk(const bidx_collect_opts *o);

/* Builds the page of r that o asks for into *p (zeroed first).  Orders r's
 * hits in place (with --group also keeps only the best hit of each
 * incident, so r->n becomes p->ranked); r->query must be set for explain.
 * The page points into ix's mapping and lives no longer than ix.
 * BIDX_ECORRUPT when a record or stored text is damaged, BIDX_ENOMEM;
 * BIDX_EUSAGE when r->exact_top is set and the page needs more exact
 * scores than that (bidx_collect_topk); on failure *p holds nothing. */
bidx_err bidx_collect(bidx_index *ix, bidx_result *r, const bidx_collect_opts *o, bidx_page *p);

void bidx_page_free(bidx_page *p);   /* NULL ok; leaves *p empty */

#endif
