/*
 * markdown.h - the Markdown syntax of a notice read from a .md file, so that
 * fields and snippets show its text without the markup.
 *
 * Only what is shown loses the syntax: the indexed text keeps every byte, so
 * a query for `**` or `#` finds what grep -F finds.  Recognised: ATX headings
 * (`#`..`######` and closing #s), setext underlines and thematic breaks
 * (lines of `=`, `-`, `*` or `_` only), blockquote markers (`> `), list markers
 * (`- `, `* `, `+ `, `1. `, `1) `), emphasis and strong (`*x*`, `_x_`,
 * `**x**`, `__x__`, `~~x~~`), inline code backticks (their content kept
 * verbatim), links and images (`[text](url)`, `![alt](url)`, `[text][ref]`:
 * the text or alt), autolinks (`<https://...>`, `<mailto:...>`: the address)
 * and backslash escapes (`\*`: the `*`).  HTML tags are kept as text: in a
 * Japanese notice `<` and `>` are as often brackets around words as tags.
 */
#ifndef BIDX_MARKDOWN_H
#define BIDX_MARKDOWN_H

#include <stddef.h>
#include <stdint.h>

#define BIDX_MD_KEEP 0      /* text */
#define BIDX_MD_DROP 1      /* syntax */
#define BIDX_MD_LITERAL 2   /* text that is never syntax (escaped, code) */

/* Sets mark[i] for each byte of s[0..n) to one of BIDX_MD_*.  line_start:
 * s starts a line (else the first line's block markers are not looked for). */
void bidx_md_mark(const char *s, size_t n, int line_start, uint8_t *mark);

/* Copies s[0..n) without its syntax into out (n bytes at least), white space
 * at both ends trimmed; returns the length.  mark is scratch of n bytes. */
size_t bidx_md_strip(const char *s, size_t n, uint8_t *mark, char *out);

/* Whether path (plen bytes) names a Markdown file (.md, any case). */
int bidx_md_path(const char *path, size_t plen);

#endif
