/*
 * facet.h - counts of field values over all hits (--facet org,year,...),
 * and the field values of one hit for display.  Everything is read from
 * the FIELDS and FIELDSTR columns of the mapping.  collect.h counts a
 * page's facets with bidx_facet_counts; output.h prints them.
 */
#ifndef BIDX_FACET_H
#define BIDX_FACET_H

#include <stdio.h>
#include "query_eval.h"
#include "index.h"
#include "segment.h"

/* One value of a facet and how many hits have it. */
typedef struct bidx_facet_count {
	char *value;       /* NUL-terminated; owned */
	size_t len;
	uint32_t count;
} bidx_facet_count;

/* The counts of field `name` over r's hits, largest first, ties by value
 * (byte order): *out is malloc'd, freed with bidx_facet_counts_free(*out,
 * *n); NULL and 0 on failure. */
bidx_err bidx_facet_counts(bidx_index *ix, const bidx_result *r, const char *name,
                           bidx_facet_count **out, size_t *n);
void bidx_facet_counts_free(bidx_facet_count *c, size_t n);   /* NULL ok */

/* Prints the fields of doc: human (one line: date · org · category ·
 * affected) or JSON members ,"date":...,"fields":[...],... */
bidx_err bidx_facet_doc_fields(bidx_segment *seg, uint32_t doc, int json, FILE *f);

#endif
