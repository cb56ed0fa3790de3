/*
 * snippet.h - the sentence around the best match, with the matches marked.
 *
 * The stored original text is normalised again with its offset map; the
 * query's normalised terms are found in the normalised text, the window with
 * the most distinct terms (earliest on ties, body before title) is widened to
 * its sentence (at most BIDX_SNIPPET_BEFORE characters before the match and
 * BIDX_SNIPPET_AFTER after it), and the original bytes of that span are
 * returned on one line (line breaks inside Japanese dropped, others turned
 * into a space), with the byte ranges of the matches inside it.
 */
#ifndef BIDX_SNIPPET_H
#define BIDX_SNIPPET_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define BIDX_SNIPPET_BEFORE 40
#define BIDX_SNIPPET_AFTER 80
#define BIDX_SNIPPET_MAX_MATCHES 64

typedef struct bidx_span {
	uint32_t start, end;   /* byte range */
} bidx_span;

typedef struct bidx_snippet {
	char *text;             /* one line of original text, NUL-terminated; owned */
	size_t len;
	bidx_span *marks;       /* matches within text, in order; owned */
	size_t nmarks;
	bidx_span *matches;     /* the matches in the document's original bytes, in order
	                           (in the window examined; at most
	                           BIDX_SNIPPET_MAX_MATCHES); owned */
	size_t nmatches;
	int elided_before;      /* the text starts after the document start */
	int elided_after;
} bidx_snippet;

/* Builds the snippet of doc text[0..len) for the normalised terms. */
bidx_err bidx_snippet_make(const char *text, size_t len, char *const *terms, size_t nterms,
                           bidx_snippet *out);
/* The same, normalising only a window around pos (a match's first normalised
 * character, or UINT32_MAX when unknown) cut at the document's checkpoints
 * (nckpt (char, byte) u32le pairs, see docs/FORMAT.md CKPTS); `matches` then
 * lists the matches inside that window.  Only text[0..avail) need be there
 * (avail <= len, the document's length).  markdown: the document is
 * Markdown, and the snippet shows it without its syntax (markdown.h) except
 * inside the matches; the marks are ranges of the text shown. */
bidx_err bidx_snippet_make_near(const char *text, size_t len, size_t avail, char *const *terms,
                                size_t nterms, uint32_t pos, const uint8_t *ckpt, uint32_t nckpt,
                                int markdown, bidx_snippet *out);

/* The byte range [*b0, *b1) of a document of len bytes that
 * bidx_snippet_make_near() normalises for pos: a caller that decompresses
 * only the first *b1 bytes passes avail = *b1. */
void bidx_snippet_window(size_t len, uint32_t pos, const uint8_t *ckpt, uint32_t nckpt,
                         size_t *b0, size_t *b1);

/* The bytes bidx_snippet_make_near() needs first for pos, text[0..end):
 * for a one-term query whose first match is known, the end of the
 * narrower window it tries first, else *b1 of bidx_snippet_window(). */
size_t bidx_snippet_first(size_t len, uint32_t pos, size_t nterms, const uint8_t *ckpt,
                          uint32_t nckpt);

/* bidx_snippet_make_near() from text[0..avail), avail from
 * bidx_snippet_first() and *more 0: the snippet when that settles it or
 * avail covers the whole window (*more = 0); else *more = 1 and nothing is
 * made: the caller calls it again, *more still 1 (the narrower window is
 * not tried twice), with the bytes of bidx_snippet_window().  The snippet
 * is always the one bidx_snippet_make_near() gives with the whole window:
 * a window is never cut. */
bidx_err bidx_snippet_try_near(const char *text, size_t len, size_t avail, char *const *terms,
                               size_t nterms, uint32_t pos, const uint8_t *ckpt, uint32_t nckpt,
                               int markdown, bidx_snippet *out, int *more);

/* The end of a document's head of at least `chars` normalised characters:
 * the first checkpoint there, or len.  A snippet is tried there first when
 * no match position is known. */
size_t bidx_snippet_head(size_t len, uint32_t chars, const uint8_t *ckpt, uint32_t nckpt);

/* The snippet of the head text[0..avail) (avail from bidx_snippet_head,
 * or len).  *settled is 1 when the whole text gives the same snippet and
 * marks (`matches` then lists those of the head); else the caller makes
 * it from more of the text. */
bidx_err bidx_snippet_make_head(const char *text, size_t len, size_t avail, char *const *terms,
                                size_t nterms, int markdown, bidx_snippet *out, int *settled);

void bidx_snippet_free(bidx_snippet *s);

#endif
