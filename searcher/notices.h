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
 * \"events\":[...],\"incident\":{...}" for a document; incident is its
 * group id (bidx_incidents_id), NULL for the id analysis stored. */
bidx_err bidx_notice_json(bidx_segment *seg, uint32_t local, const char *incident, FILE *f);

/* The header row of --format csv/tsv (sep ',' or '\t'). */
void bidx_table_header(FILE *f, char sep);

/* One row of the document at local in seg, with its path and title (as
 * collected): path, title, date, org, kind, affected, leaked, method,
 * authority.  CSV quotes as RFC 4180; TSV turns tabs and line ends into
 * spaces. */
bidx_err bidx_table_row(bidx_segment *seg, uint32_t local, const char *path, size_t plen,
                        const char *title, size_t tlen, char sep, FILE *f);

/* The incidents of a whole index: its incident notices joined into groups
 * by overlapping evidence (notices.c), each group named by the id analysis
 * gave its first report.  Built at query time from the stored fields, so an
 * incremental build and a build from scratch of the same files give the
 * same groups.  Owned by the caller; free with bidx_incidents_free. */
typedef struct bidx_incidents bidx_incidents;

bidx_err bidx_incidents_load(bidx_index *ix, bidx_incidents **out);
void bidx_incidents_free(bidx_incidents *t);   /* NULL ok */

/* The same groups, made once per opened index and kept with it
 * (bidx_index_derived): *out is shared and lives as long as ix; do not
 * free it. */
bidx_err bidx_incidents_of(bidx_index *ix, const bidx_incidents **out);

/* The group id of collection doc, NULL when it reports no incident; the
 * pointer lives as long as t. */
const char *bidx_incidents_id(const bidx_incidents *t, uint32_t doc);

/* The collection ids, ascending, of every report of the incident `id`
 * (a group id, or the id analysis gave any of its reports; any case) into
 * *docs (malloc'd; NULL, 0 when none). */
bidx_err bidx_incidents_docs(const bidx_incidents *t, const char *id, uint32_t **docs,
                             uint32_t *n);

/* The group id of a document (from t) into id (cap bytes; "" when it has
 * none), which report of it the document is into report (rcap bytes; ""
 * when not known; report may be NULL) and its date (YYYYMMDD, 0) into
 * *date. */
bidx_err bidx_notice_incident(const bidx_incidents *t, bidx_index *ix, uint32_t doc, char *id,
                              size_t cap, char *report, size_t rcap, int32_t *date);

/* --show SPEC: SPEC is a path as indexed (FILE or FILE:LINE) or a doc id;
 * prints the document's path, title, fields and whole text (json: one
 * object).  BIDX_ENOTFOUND-like result: returns 1 in *found = 0. */
bidx_err bidx_show(bidx_index *ix, const char *spec, int json, FILE *f, int *found);

#endif
