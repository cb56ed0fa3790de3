/*
 * extract.h - what the document extractors (html.h, pdf.h, docx.h) hand to
 * analysis: the text as lines, and the fields the document itself states
 * (title, date, organisation, PDF page starts).  The text then goes through
 * the same notice, normalisation and tokenisation path as a .txt file.
 *
 * The text is built block by block: bidx_extract_text() appends inline text
 * with its white space collapsed (HTML rules: a run of spaces, tabs and
 * newlines is one space, none at the start or end of a line), and
 * bidx_extract_break() ends the current line, so a heading never runs into
 * the paragraph after it.  Table cells are separated by a tab.
 */
#ifndef BIDX_EXTRACT_H
#define BIDX_EXTRACT_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

#define BIDX_EXTRACT_FIELD 512   /* bytes kept of a title, date or org */

typedef struct bidx_extract {
	bidx_buf text;                     /* UTF-8 lines, '\n' separated */
	char title[BIDX_EXTRACT_FIELD];    /* "" when the document states none */
	char title_src[32];                /* "<h1>", "<title>", "PDF Title"... */
	char date[BIDX_EXTRACT_FIELD];     /* as written: "2024-05-21T10:00", "2024年5月21日" */
	char date_src[48];
	char org[BIDX_EXTRACT_FIELD];
	char org_src[32];
	uint32_t *pages;                   /* byte offset in text where each page starts; owned */
	uint32_t npages;
	int pending_space;                 /* white space seen since the last text */
	int pending_tab;                   /* a cell ended: a tab before more text */
} bidx_extract;

/* Appends inline text s[0..n), collapsing white space (not inside <pre>). */
void bidx_extract_text(bidx_extract *x, const char *s, size_t n);
/* Appends s[0..n) as it stands (preformatted text). */
void bidx_extract_raw(bidx_extract *x, const char *s, size_t n);
/* Ends the current line (no empty lines are made). */
void bidx_extract_break(bidx_extract *x);
/* Ends a table cell: the next text on the line follows a tab. */
void bidx_extract_cell(bidx_extract *x);
/* Records that a page starts at the current end of the text. */
void bidx_extract_page(bidx_extract *x);

/* Copies s[0..n) into a field (dst of BIDX_EXTRACT_FIELD bytes), white space
 * collapsed and trimmed, cut at a character boundary. */
void bidx_extract_set(char *dst, const char *s, size_t n);

/* Removes a site-name suffix from a page title: 「件名 | 株式会社○○」,
 * 「件名｜○○市」, 「件名 - サイト名」 give 件名; a title that is only the
 * site name (site, may be "") becomes "". */
void bidx_extract_title_cut(char *title, const char *site);

/* The errors of the buffer (BIDX_ENOMEM) or BIDX_OK. */
bidx_err bidx_extract_status(const bidx_extract *x);

void bidx_extract_free(bidx_extract *x);   /* NULL ok; zeroes it */

#endif
