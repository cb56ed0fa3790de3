/*
 * html.h - a snippet as HTML for the search service (serve.h): its text
 * HTML-escaped and its matches in <mark>, written as one JSON string.
 *
 * Browsers cannot use byte offsets into UTF-8 (JavaScript strings count
 * UTF-16 units), so the server does the marking; everything of the
 * document's bytes is escaped (& < > " '), and the only tags in the result
 * are <mark> and </mark>, which the page inserts as HTML while every other
 * piece of document text reaches the DOM through textContent.
 */
#ifndef BIDX_HTML_H
#define BIDX_HTML_H

#include <stddef.h>
#include <stdio.h>
#include "snippet.h"

/* Writes text[0..len) HTML-escaped, the byte ranges marks[0..nmarks) (in
 * order, inside len) wrapped in <mark>...</mark>, as a quoted JSON string
 * (json.h).  Returns 0, or -1 when out of memory (nothing written). */
int bidx_html_snippet_json(FILE *f, const char *text, size_t len, const bidx_span *marks,
                           size_t nmarks);

/* Appends s[0..n) HTML-escaped to f. */
void bidx_html_escape(FILE *f, const char *s, size_t n);

#endif
