/*
 * output.h - what bsearch prints: a ranked list for people, JSON lines for
 * scripts, the API's JSON members (serve.h), paths (-l), a count (-c), or
 * CSV/TSV rows (--format).
 *
 * Collect, then render: collect.h builds the result page (order, groups,
 * facet counts, each hit's title and snippet); this module only formats a
 * page it is given, and reads nothing but the fields of a page's hits from
 * the mapping (facet.h, notices.h).  bidx_output is the two together, the
 * whole answer of one query: the page a mode needs (bidx_output_collect),
 * then that page rendered (bidx_output_page).
 *
 * Text from the index (titles, snippets, fields, paths) reaches people
 * through termsafe.h, so control and invisible format characters show as
 * \x1b or \u{202e} and cannot act on the terminal; JSON escapes them
 * (json.h) and -l -0 prints the paths' exact bytes.
 */
#ifndef BIDX_OUTPUT_H
#define BIDX_OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include "collect.h"
#include "query_eval.h"
#include "index.h"

typedef enum bidx_outmode { BIDX_OUT_HUMAN, BIDX_OUT_JSON, BIDX_OUT_PATHS, BIDX_OUT_COUNT,
                             BIDX_OUT_CSV, BIDX_OUT_TSV } bidx_outmode;

typedef struct bidx_outopts {
	bidx_outmode mode;
	int color;           /* ANSI colours in human output */
	uint32_t limit;      /* hits shown (human, JSON) */
	uint32_t offset;     /* hits skipped first */
	FILE *f;
	bidx_sort sort;      /* order of the hits */
	const char *facets[BIDX_MAX_FACETS];   /* fields to count over all hits */
	int nfacets;
	int api;             /* with BIDX_OUT_JSON: the members "hits":[...],"facets":{...}
	                        of one object (serve.h), each hit one line as --json
	                        prints it plus a last member snippet_html (html.h) */
	int null;            /* -l -0: paths as they are, each ended by a NUL */
	int group;           /* --group: one hit per incident, its reports under it */
	int explain;         /* --explain: each hit's score in parts (bidx_query_explain),
	                        under it, or as the member "explain" in JSON */
	int records;         /* -l --records: FILE:LINE per record, not each file once */
	int json;            /* with BIDX_OUT_PATHS: each path a JSON string on its
	                        line; with BIDX_OUT_COUNT: {"count":N} (docs/JSON.md) */
	const char *query;   /* BIDX_OUT_JSON (not api): the query, for the last
	                        line {"total":N,"took_us":T,"query":...}; NULL
	                        leaves took_us and query out of it */
	int64_t t0_us;       /* when the search began (CLOCK_MONOTONIC, µs) */
	/* JSON: adds members to each hit's object (",\"name\":value..."), or NULL */
	void (*json_extra)(void *ctx, const bidx_hit *h, FILE *f);
	void *json_ctx;
} bidx_outopts;

/* The page o's mode shows: HUMAN and JSON a page of hits with snippets and
 * the facets, CSV/TSV one with titles, PATHS every hit with its path,
 * COUNT the total alone (no document read). */
void bidx_output_collect(const bidx_outopts *o, bidx_collect_opts *c);

/* Microseconds of CLOCK_MONOTONIC, for took_us. */
int64_t bidx_output_now_us(void);

/* Writes v into out (room for 32 bytes) exactly as printf's "%*.3f" with
 * width w does, NUL-terminated; returns its length.  The score of a hit's
 * human line. */
size_t bidx_output_score(char *out, double v, int w);

/* Prints page p as o says: the hits, then the facet counts (human output),
 * or the total line with the facet counts (--json: one last object
 * {"total":N,"took_us":T,"query":Q[,"facets":{...}]}, docs/JSON.md), or
 * with o->api the members "hits":[...],"facets":{...}.  BIDX_ECORRUPT if
 * a hit's field record is damaged, BIDX_EIO if writing failed (it stops at
 * the first failed write; bidx_ostream_error() tells why). */
bidx_err bidx_output_page(const bidx_page *p, const bidx_outopts *o);

/* One facet's counts: a human line (the top 10) or the JSON member
 * "name":{"value":count,...}. */
void bidx_output_facet(FILE *f, const bidx_page_facet *pf, int json);

/* The whole answer: collects the page of r that o's mode needs
 * (bidx_output_collect, bidx_collect: r is ordered, and grouped, in place)
 * and prints it (bidx_output_page).  Errors as for both. */
bidx_err bidx_output(bidx_index *ix, bidx_result *r, const bidx_outopts *o);

#endif
