/*
 * output.h - what bsearch prints: a ranked list for people, JSON lines for
 * scripts, paths (-l) or a count (-c).
 */
#ifndef BIDX_OUTPUT_H
#define BIDX_OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include "query_eval.h"
#include "index.h"

typedef enum bidx_outmode { BIDX_OUT_HUMAN, BIDX_OUT_JSON, BIDX_OUT_PATHS, BIDX_OUT_COUNT } bidx_outmode;

typedef enum bidx_sort { BIDX_SORT_RELEVANCE, BIDX_SORT_DATE, BIDX_SORT_DATE_DESC,
                         BIDX_SORT_AFFECTED } bidx_sort;

#define BIDX_MAX_FACETS 8

typedef struct bidx_outopts {
	bidx_outmode mode;
	int color;           /* ANSI colours in human output */
	uint32_t limit;      /* hits shown (human, JSON) */
	uint32_t offset;     /* hits skipped first */
	FILE *f;
	bidx_sort sort;      /* order of the hits */
	const char *facets[BIDX_MAX_FACETS];   /* fields to count over all hits */
	int nfacets;
	/* JSON: adds members to each hit's object (",\"name\":value..."), or NULL */
	void (*json_extra)(void *ctx, const bidx_hit *h, FILE *f);
	void *json_ctx;
} bidx_outopts;

/* Parses "relevance", "date", "-date" or "affected"; -1 when unknown. */
int bidx_sort_parse(const char *s, bidx_sort *out);

/* Ranks (or sorts) r's hits and prints them, then the facet counts.  Returns BIDX_ECORRUPT if a document
 * record or stored text is damaged, BIDX_EIO if writing failed. */
bidx_err bidx_output(bidx_index *ix, bidx_result *r, const bidx_outopts *o);

#endif
