/*
 * fieldname.h - the field names a query or --facet may use, resolved
 * against the index.
 *
 * A name matches a field of the index without regard to ASCII case
 * (TITLE: is title:), and a CSV column's own name is an alias of the field
 * it was read as (タイトル:, 自治体名:, common/colnames.h).  A name that
 * is no field stays as typed, and the evaluator searches NAME:value as
 * text; when the name looks like a field name that was meant (ASCII
 * letters only, at least two, not a URL scheme such as http or mailto, and
 * the value does not start with //) a warning names the fields there are.
 * Text such as https://..., 12:30 or 注意:... is searched quietly.
 */
#ifndef BIDX_FIELDNAME_H
#define BIDX_FIELDNAME_H

#include <stddef.h>
#include <stdio.h>
#include "index.h"
#include "query_parse.h"

/* The names of the fields of an index: the built-in ones (title, date,
 * org, category, affected, leaked, method, authority, url) and every
 * named field a document of it has, each once. */
typedef struct bidx_fieldnames {
	char **name;     /* owned */
	size_t n, cap;
} bidx_fieldnames;

/* Collects ix's field names into *fn (zeroed first); BIDX_ECORRUPT or
 * BIDX_ENOMEM on failure (*fn is then empty). */
bidx_err bidx_fieldnames_get(bidx_index *ix, bidx_fieldnames *fn);
void bidx_fieldnames_free(bidx_fieldnames *fn);   /* NULL ok */

/* The field of the index that name denotes (exactly, in another case, or
 * as a column's alias), pointing into fn or static; "" for the alias body
 * (the text itself); NULL when it is none. */
const char *bidx_fieldnames_find(const bidx_fieldnames *fn, const char *name);

/* 1 when q (NULL: none) has a field term, so that its names need
 * resolving; gathering the names reads every document's field record. */
int bidx_fieldnames_needed(const bidx_qnode *q);

/* Rewrites every field term of q to the field it denotes (body: becomes
 * a plain term); warns on warn (NULL: quietly) once per name that is no
 * field and looks like a meant one.  BIDX_ENOMEM on failure. */
bidx_err bidx_fieldnames_resolve(const bidx_fieldnames *fn, bidx_qnode *q, FILE *warn);

/* Writes "a, b, c" (the names, with year when facets) into out[n]. */
void bidx_fieldnames_list(const bidx_fieldnames *fn, int facets, char *out, size_t n);

/* The facet name denotes (as bidx_fieldnames_find, plus year); NULL when
 * it is no field of the index. */
const char *bidx_fieldnames_facet(const bidx_fieldnames *fn, const char *name);

#endif
