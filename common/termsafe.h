/*
 * termsafe.h - text shown to people, on a terminal or in a log.
 *
 * Titles, snippets, field values, file names and queries come from the
 * corpus or the command line, and a terminal obeys the control characters
 * in them: ESC starts sequences that set the window title, clear the
 * screen or recolour the output, a newline in a file name forges a line,
 * and Unicode's bidirectional overrides reorder what is shown.  Everything
 * such text passes through one renderer that makes those characters
 * visible instead:
 *
 *   - a C0 control (U+0000..U+001F), DEL, and each byte of an invalid UTF-8
 *     sequence as \xHH (ESC is \x1b, a newline \x0a);
 *   - a C1 control (U+0080..U+009F), a format character (Unicode category
 *     Cf: the bidi embeddings, overrides and isolates U+202A..U+202E and
 *     U+2066..U+2069, the marks U+200E/U+200F, zero-width spaces and
 *     joiners, U+FEFF...) and the line and paragraph separators U+2028 and
 *     U+2029 as \u{HHHH};
 *   - everything else, backslashes included, as it is.
 *
 * The rendering is for reading, not reversible (a name that really holds
 * the four characters \x1b looks the same); programs that need the exact
 * bytes use --json (where bidx_json_str escapes the same characters as
 * \u00XX) or bsearch -l -0.  The escapes are printable ASCII, so rendering
 * rendered text again changes nothing.
 */
#ifndef BIDX_TERMSAFE_H
#define BIDX_TERMSAFE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "buf.h"

/* Writes s[0..n) to f rendered as above.  Errors show in ferror(f). */
void bidx_ts_write(FILE *f, const char *s, size_t n);

/* The same, but '\n' passes through: for text that is already a sequence
 * of lines (messages gathered in a buffer), whose pieces were rendered. */
void bidx_ts_lines(FILE *f, const char *s, size_t n);

/* Appends s[0..n) rendered to b (b's sticky error on failure). */
void bidx_ts_put(bidx_buf *b, const char *s, size_t n);

/* Renders s[0..n) into dst[0..cap), NUL-terminated and cut at a whole
 * escape or character when it does not fit (cap > 0); returns the length
 * the whole rendering takes, like snprintf. */
size_t bidx_ts_render(char *dst, size_t cap, const char *s, size_t n);

/* Terminal columns the rendering of s[0..n) takes (wide characters count
 * two): where a caret goes under a quoted query. */
size_t bidx_ts_columns(const char *s, size_t n);

/* 1 for a character (not ASCII) rendered as \u{HHHH}: a C1 control, a
 * format character, U+2028 or U+2029.  JSON output escapes the same ones. */
int bidx_ts_hidden(uint32_t cp);

/* Formats a message, renders all of it (a newline inside becomes \x0a)
 * and writes it to f as one line, with its '\n'. */
void bidx_ts_msg(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
