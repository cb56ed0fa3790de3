/*
 * html.h - the text and fields of an HTML page (.html, .htm, .xhtml, and
 * .txt files that are HTML), for indexing as a notice.
 *
 * libxml2's HTML parser reads the page (tolerant of broken markup, no
 * network).  Encoding: a byte-order mark, else the charset the page declares
 * (<meta charset>, http-equiv Content-Type), else the detector of
 * encoding.h.  Only the content is kept: script, style, noscript, template,
 * nav, header, footer, aside, form and elements whose role, class or id
 * marks them as navigation, breadcrumbs, menus, share buttons or sidebars
 * are dropped (an <article>'s or <main>'s own header is kept), as are
 * link-dense blocks; the content is <main>, else the <article> with the
 * most text, else the block found by descending from <body> into the child
 * holding most of the text that is not links (the idea of Readability).
 * Blocks become lines (p, div, br, li, h1-h6, tr, dt, dd...), table cells
 * are separated by tabs.
 * Element names are compared without a namespace prefix (<html:p>).
 * Fields: title from the content's <h1>, else <title> without its site-name
 * suffix, unless that is not among the content's first lines while a
 * heading or bold run opens the content (or stands just before it); date
 * from <time datetime>, else the published-date metadata, else a line
 * labelled 掲載日, 公開日, 更新日... anywhere in the page's kept text; org
 * from og:site_name, else the copyright holder of the footer.
 */
#ifndef BIDX_HTML_H
#define BIDX_HTML_H

#include <stddef.h>
#include "error.h"
#include "extract.h"

/* Elements nested deeper than this make the page refused. */
#define BIDX_HTML_MAX_DEPTH 1000

/* 1 when data (UTF-8 text) is an HTML document rather than plain text: it
 * starts, after white space, with <!DOCTYPE html, <html or an HTML comment
 * followed by one of those. */
int bidx_html_sniff(const char *data, size_t len);

/* Extracts page data[0..len) into x (zeroed by the caller; free it with
 * bidx_extract_free either way).  utf8: the bytes are UTF-8 already (a
 * decoded .txt), a declared charset is then ignored.  BIDX_EINPUT with the
 * reason in why (encoding, nesting), BIDX_ENOMEM. */
bidx_err bidx_html_extract(const char *data, size_t len, int utf8, bidx_extract *x, char *why,
                           size_t whylen);

/* Sets libxml2 up once for the whole process (xmlInitParser), whichever
 * thread comes first; every user of libxml2 (HTML here, .docx) calls it
 * before parsing.  libxml2 2.9 otherwise sets up its dictionary lazily, and
 * two threads doing that at once can leave its lock taken for good: a build
 * with several HTML files could hang. */
void bidx_xml_init(void);

#endif
