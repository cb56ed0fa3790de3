/*
 * facet.h - counts of field values over all hits (--facet org,year,...),
 * and the field values of one hit for display.  Everything is read from
 * the FIELDS and FIELDSTR columns of the mapping.
 */
#ifndef BIDX_FACET_H
#define BIDX_FACET_H

#include <stdio.h>
#include "query_eval.h"
#include "index.h"
#include "segment_reader.h"

/* 1 when name can be a facet: org, category, year, leaked, method,
 * authority, or any text field of the index. */
int bidx_facet_known(const char *name);

/* Prints the counts of field `name` over r's hits: human (top 10) or as a
 * JSON member "name":{"value":count,...}. */
bidx_err bidx_facet_print(bidx_index *ix, const bidx_result *r, const char *name, int json,
                          FILE *f);

/* Prints the fields of doc: human (one line: date · org · category ·
 * affected) or JSON members ,"date":...,"fields":[...],... */
bidx_err bidx_facet_doc_fields(bidx_segment *seg, uint32_t doc, int json, FILE *f);

#endif
