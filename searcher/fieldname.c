/*
 * fieldname.c - field names of an index, and a query's names resolved
 * against them (fieldname.h).  The names are gathered from every
 * document's FIELDSTR record once per query; there are few distinct ones,
 * so a linear list is enough.
 */
#include "fieldname.h"
#include "colnames.h"
#include "fault.h"
#include "fields.h"
#include "segment.h"
#include "termsafe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const builtin[] = {"title", "date", "org", "category", "affected", "leaked",
                                      "method", "authority", "url", NULL};

static int has_name(const bidx_fieldnames *fn, const char *s, size_t n)
{
	for (size_t i = 0; i < fn->n; i++)
		if (strlen(fn->name[i]) == n && !memcmp(fn->name[i], s, n))
			return 1;
	return 0;
}

static bidx_err add_name(bidx_fieldnames *fn, const char *s, size_t n)
{
	if (has_name(fn, s, n))
		return BIDX_OK;
	if (bidx_grow((void **)&fn->name, &fn->cap, fn->n + 1, sizeof *fn->name))
		return BIDX_ENOMEM;
	char *c = bidx_malloc(n + 1);
	if (!c)
		return BIDX_ENOMEM;
	memcpy(c, s, n);
	c[n] = 0;
	fn->name[fn->n++] = c;
	return BIDX_OK;
}

static bidx_err seg_names(bidx_segment *seg, bidx_fieldnames *fn)
{
	bidx_err rc = BIDX_OK;
	for (uint32_t d = 0; !rc && d < bidx_segment_ndocs(seg); d++) {
		bidx_fieldrec r;
		bidx_fstr f;
		if ((rc = bidx_segment_fields(seg, d, &r)))
			return rc;
		const uint8_t *p = bidx_segment_fieldstr(seg, &r), *end = p + r.str_len;
		int have;
		while (!rc && !(rc = bidx_fstr_next(&p, end, &f, &have)) && have)
			if (!(f.nlen == 5 && !memcmp(f.name, "pages", 5)))   /* page offsets */
				rc = add_name(fn, f.name, f.nlen);
	}
	return rc;
}

bidx_err bidx_fieldnames_get(bidx_index *ix, bidx_fieldnames *fn)
{
	bidx_err rc = BIDX_OK;
	memset(fn, 0, sizeof *fn);
	for (int i = 0; builtin[i] && !rc; i++)
		rc = add_name(fn, builtin[i], strlen(builtin[i]));
	for (uint32_t s = 0; s < ix->nseg && !rc; s++)
		rc = seg_names(ix->seg[s], fn);
	if (rc)
		bidx_fieldnames_free(fn);
	return rc;
}

void bidx_fieldnames_free(bidx_fieldnames *fn)
{
	if (!fn)
		return;
	for (size_t i = 0; i < fn->n; i++)
		free(fn->name[i]);
	free(fn->name);
	memset(fn, 0, sizeof *fn);
}

const char *bidx_fieldnames_find(const bidx_fieldnames *fn, const char *name)
{
	for (size_t i = 0; i < fn->n; i++)
		if (!strcmp(fn->name[i], name))
			return fn->name[i];
	for (size_t i = 0; i < fn->n; i++)
		if (!strcasecmp(fn->name[i], name))
			return fn->name[i];
	const char *alias = bidx_colname_field(name);
	if (alias && !strcmp(alias, "body"))
		return "";
	return alias;
}

const char *bidx_fieldnames_facet(const bidx_fieldnames *fn, const char *name)
{
	if (!strcasecmp(name, "year"))
		return "year";
	const char *f = bidx_fieldnames_find(fn, name);
	return f && *f && strcmp(f, "title") && strcmp(f, "affected") ? f : NULL;
}

/* 1 when name:value is text that only looks like a field (a URL, a time,
 * a Japanese phrase with a colon), 0 when it looks like a misspelt field. */
static int looks_like_text(const char *name, const char *value)
{
	static const char *const schemes[] = {"http", "https", "ftp", "ftps", "sftp", "mailto",
	                                      "tel", "fax", "file", "data", "urn", "ws", "wss",
	                                      "git", "ssh", "irc", "news", "sip", "about", NULL};
	size_t n = 0;
	for (const char *c = name; *c; c++, n++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return 1;
	if (n < 2 || !strncmp(value, "//", 2))
		return 1;
	for (int i = 0; schemes[i]; i++)
		if (!strcasecmp(name, schemes[i]))
			return 1;
	return 0;
}

void bidx_fieldnames_list(const bidx_fieldnames *fn, int facets, char *out, size_t n)
{
	size_t used = 0;
	out[0] = 0;
	if (facets)
		used += (size_t)snprintf(out, n, "year");
	for (size_t i = 0; i < fn->n && used < n; i++) {
		if (facets && (!strcmp(fn->name[i], "title") || !strcmp(fn->name[i], "affected")))
			continue;
		used += (size_t)snprintf(out + used, n - used, "%s%s", used ? ", " : "", fn->name[i]);
	}
	if (used >= n && n > 4)
		strcpy(out + n - 4, "...");
}

int bidx_fieldnames_needed(const bidx_qnode *q)
{
	if (!q)
		return 0;
	if (q->type == BIDX_Q_TERM)
		return q->field != NULL;
	for (size_t i = 0; i < q->nkids; i++)
		if (bidx_fieldnames_needed(q->kids[i]))
			return 1;
	return 0;
}

/* Warns once per name: seen[] holds the names warned about. */
static bidx_err resolve(const bidx_fieldnames *fn, bidx_qnode *q, FILE *warn,
                        bidx_fieldnames *seen)
{
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < q->nkids && !rc; i++)
		rc = resolve(fn, q->kids[i], warn, seen);
	if (rc || q->type != BIDX_Q_TERM || !q->field)
		return rc;
	const char *f = bidx_fieldnames_find(fn, q->field);
	if (f && !*f) {   /* body: the text itself */
		free(q->field);
		q->field = NULL;
	} else if (f && strcmp(f, q->field)) {
		char *c = strdup(f);
		if (!c)
			return BIDX_ENOMEM;
		free(q->field);
		q->field = c;
	} else if (!f && warn && !looks_like_text(q->field, q->text) &&
	           !has_name(seen, q->field, strlen(q->field))) {
		char list[600];
		bidx_fieldnames_list(fn, 0, list, sizeof list);
		bidx_ts_msg(warn, "bsearch: no field '%s' (fields: %s); searched as text", q->field,
		            list);
		rc = add_name(seen, q->field, strlen(q->field));
	}
	return rc;
}

bidx_err bidx_fieldnames_resolve(const bidx_fieldnames *fn, bidx_qnode *q, FILE *warn)
{
	bidx_fieldnames seen = {0};
	bidx_err rc = resolve(fn, q, warn, &seen);
	bidx_fieldnames_free(&seen);
	return rc;
}
