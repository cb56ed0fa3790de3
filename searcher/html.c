/*
 * html.c - HTML-escaped snippets with <mark>ed matches, as JSON strings.
 * The HTML is built in a memory stream first, then written through the one
 * JSON string writer (json.h), so invalid UTF-8 still becomes U+FFFD.
 */
#include "html.h"
#include "json.h"

#include <stdlib.h>

void bidx_html_escape(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: putc(s[i], f);
		}
	}
}

int bidx_html_snippet_json(FILE *f, const char *text, size_t len, const bidx_span *marks,
                           size_t nmarks)
{
	char *html = NULL;
	size_t hlen = 0, pos = 0;
	FILE *m = open_memstream(&html, &hlen);
	if (!m)
		return -1;
	for (size_t i = 0; i < nmarks; i++) {
		size_t a = marks[i].start, b = marks[i].end;
		if (a < pos || b < a || b > len)
			continue;   /* marks come sorted and inside the text; never trust it */
		bidx_html_escape(m, text + pos, a - pos);
		fputs("<mark>", m);
		bidx_html_escape(m, text + a, b - a);
		fputs("</mark>", m);
		pos = b;
	}
	bidx_html_escape(m, text + pos, len - pos);
	if (fclose(m)) {
		free(html);
		return -1;
	}
	bidx_json_str(f, html, hlen);
	free(html);
	return 0;
}
