/*
 * notice.h - one notice ready to index: its text, title, date, named fields
 * and incident facts, from a plain-text file or from one CSV/JSON Lines row.
 *
 * Plain text: the title is the heading line near the top, else the first
 * sentence cut at a natural boundary (title_source says which); the date
 * the issue date, a line of the head or of the signature block that is a
 * date, else the latest date of the incident timeline (marked estimated),
 * else the first date in the head; the issuing organisation a short line
 * near the top or the bottom naming a company, association or municipality
 * (株式会社…, …協会, …市), or the company of a contact block at the end
 * (「…株式会社 …窓口」).  Every notice gets a kind (kind.h); incident facts
 * are kept only for incidents and for news about one, and an incident gets
 * an incident id shared by its follow-up reports.  Files laid
 * out as URL / date / title (web articles such as the livedoor corpus) give
 * their url, date and title lines and their directory as category.
 * Rows: columns map to fields by header name, in Japanese or English, or by
 * explicit COL=FIELD maps; other columns become extra fields under their own
 * names.  Every field records where it came from.
 */
#ifndef BIDX_NOTICE_H
#define BIDX_NOTICE_H

#include <stddef.h>
#include "date.h"
#include "error.h"
#include "facts.h"
#include "kind.h"
#include "rows.h"

#define BIDX_NOTICE_MAX_FIELDS 32

typedef struct bidx_nfield {
	char name[64];
	const char *value;     /* points into the notice's text, its row or its
	                          `shown`; not owned */
	size_t vlen;
	char source[96];
} bidx_nfield;

typedef struct bidx_notice {
	const char *text;      /* what is indexed and stored */
	size_t len;
	char *owned;           /* text built from a row; owned */
	bidx_norm *norm;       /* text normalised with the offset map (the facts read it, the
	                          analysis may take its contents), or NULL; owned */
	size_t title_start, title_end;   /* the title's bytes within text */
	const char *title;     /* the title as shown: NULL for text[title_start..title_end) */
	size_t title_len;
	char *shown;           /* title and field values without Markdown syntax; owned */
	bidx_date date;
	char date_source[96];
	bidx_nfield fields[BIDX_NOTICE_MAX_FIELDS];   /* org, category, url, extras */
	int nfields;
	bidx_facts facts;
	bidx_kindinfo kind;
	const char *title_source;   /* "heading", "first sentence", a column... (static) */
	char incident[32];          /* incident id ("" for other kinds) */
	char report[32];            /* which report of it: 第2報, 続報, 最終報, 訂正, 第1報 */
	char cites[64];             /* earlier reports it cites, "MM-DD MM-DD" ("" none) */
} bidx_notice;

/* A user's COL=FIELD overrides (from --map). */
typedef struct bidx_colmap {
	const char *col[32];
	const char *field[32];
	int n;
} bidx_colmap;

/* Parses "COL=FIELD" into m: FIELD is a field of a notice (title, date,
 * org, category, body, in any case, or a column name that is one's alias:
 * タイトル) or a new extra-field name (letters, digits, '_' and '-'; not
 * one of the derived fields affected, year, leaked, method, authority,
 * pages).  Returns -1 when malformed or full, -2 when FIELD is not a name
 * a field can have (why[] says so). */
int bidx_colmap_add(bidx_colmap *m, const char *spec, char *why, size_t whylen);

/* The index i of the map entry whose COL is col (exact bytes, as a row
 * names it), or -1; m NULL: -1. */
int bidx_colmap_find(const bidx_colmap *m, const char *col);

/* Reads a plain-text notice; text must outlive n. */
void bidx_notice_from_text(bidx_notice *n, const char *path, const char *text, size_t len);

/* Reads a notice extracted from an HTML, PDF or Word document (extract.h):
 * the text as for a plain-text notice, then the document's own title, date
 * and org.  Stated fields (strong) replace what the text gives; otherwise
 * they fill only what the text does not give (PDF Title, CreationDate).  A
 * title that is not a line near the top of the text is put before the text
 * as its first line (*owned_text, to free after n).  x must outlive n. */
struct bidx_extract;
bidx_err bidx_notice_from_extract(bidx_notice *n, const char *path, const struct bidx_extract *x,
                                  int strong);

/* Builds a notice from a row; the row must outlive n.  BIDX_EINPUT (with a
 * reason) when the row has neither a title nor a body. */
bidx_err bidx_notice_from_row(bidx_notice *n, const bidx_row *row, const bidx_colmap *map,
                              int json, char *why, size_t whylen);

/* For a notice read from a Markdown file: its title and every field value
 * become copies without Markdown syntax (markdown.h), in n->shown; the text
 * (what is indexed) is unchanged.  BIDX_ENOMEM leaves n as it was. */
bidx_err bidx_notice_strip_markdown(bidx_notice *n);

void bidx_notice_free(bidx_notice *n);   /* NULL ok */

/* The field name a column header maps to ("title", "date", "org",
 * "category", "body"), or NULL for an extra column. */
const char *bidx_notice_column_field(const char *col);

#endif
