/*
 * notices.h - what bsearch shows of a notice beyond its hit: the kind and
 * the cues that decided it, every count with what it counts, the timeline,
 * the incident and its report (JSON members); hits as CSV or TSV rows; a
 * document's incident (--group: collect.h groups); a whole stored document
 * (--show).
 *
 * All of it reads the FIELDSTR entries analysis writes (docs/FORMAT.md):
 * kind, title_source, incident, affected_count, event.
 */
#ifndef BIDX_NOTICES_H
#define BIDX_NOTICES_H

#include <stdint.h>
#include <stdio.h>
#include "index.h"
#include "query_eval.h"

/* Writes ",\"kind\":...,\"kind_cues\":[...],\"affected_counts\":[...],
 * \"events\":[...],\"incident\":{...}" for a document. */
bidx_err bidx_notice_json(bidx_segment *seg, uint32_t local, FILE *f);

/* The header row of --format csv/tsv (sep ',' or '\t'). */
void bidx_table_header(FILE *f, char sep);

/* One row of the document at local in seg, with its path and title (as
 * collected): path, title, date, org, kind, affected, leaked, method,
 * authority.  CSV quotes as RFC 4180; TSV turns tabs and line ends into
 * spaces. */
bidx_err bidx_table_row(bidx_segment *seg, uint32_t local, const char *path, size_t plen,
                        const char *title, size_t tlen, char sep, FILE *f);

/* The incident id of a document into id (cap bytes; "" when it has none),
 * which report of it the document is into report (rcap bytes; "" when not
 * known; report may be NULL) and its date (YYYYMMDD, 0) into *date. */
bidx_err bidx_notice_incident(bidx_index *ix, uint32_t doc, char *id, size_t cap,
                              char *report, size_t rcap, int32_t *date);

/* --show SPEC: SPEC is a path as indexed (FILE or FILE:LINE) or a doc id;
 * prints the document's path, title, fields and whole text (json: one
 * object).  BIDX_ENOTFOUND-like result: returns 1 in *found = 0. */
bidx_err bidx_show(bidx_index *ix, const char *spec, int json, FILE *f, int *found);

#endif
