/*
 * tokenize.h - word boundaries of normalised text, from MeCab (ipadic).
 *
 * The index matches on characters, so what it needs of MeCab is where words
 * start and end: bidx_tokenize() sets bit i of a bitmap when a word starts or
 * ends before normalised character i.  Runs of ASCII letters and digits (and
 * digit groups like 48,685 or 3.14) are single words, whatever MeCab made of
 * them.  MeCab is fed bounded chunks (at most BIDX_MECAB_CHUNK bytes, cut after
 * a sentence end or a space when there is one) so input of any size works.
 */
#ifndef BIDX_TOKENIZE_H
#define BIDX_TOKENIZE_H

#include <stdint.h>
#include "error.h"
#include "normalize.h"

#define BIDX_MECAB_CHUNK 4096

typedef struct bidx_tokenizer bidx_tokenizer;

/* Loads MeCab with the ipadic-utf8 dictionary (BIDX_MECAB_DICDIR overrides
 * the dictionary directory) and bidx's user dictionary of notice vocabulary
 * (dict/, see bidx_userdic_find()).  Both paths reach MeCab as argv values,
 * whatever characters they hold; with a known dictionary directory MeCab's
 * rc files (~/.mecabrc, $MECABRC) are not read.  One tokenizer per thread.
 * On failure returns BIDX_EMECAB with the reason in why. */
bidx_err bidx_tokenizer_new(bidx_tokenizer **out, char *why, size_t whylen);

/* The same with an explicit user dictionary: a compiled .dic path, or "" for
 * ipadic alone (segcheck compares the two). */
bidx_err bidx_tokenizer_open(bidx_tokenizer **out, const char *userdic, char *why, size_t whylen);

/* The user dictionary the tokenizer loads, into path[0..n): $BIDX_USERDIC
 * when set ("none" or empty: no user dictionary, path ""), else the first
 * BIDX_USERDIC_NAME found in dict/ beside the running program or up to two
 * directories above it (the build tree: bidx, tests/test_*, bench/...), or
 * in ../share/bidx/ (an installed tree).  Returns 0, or -1 when there is
 * none, with a message naming the places looked at in path. */
#define BIDX_USERDIC_NAME "bidx.dic"
int bidx_userdic_find(char *path, size_t n);
void bidx_tokenizer_free(bidx_tokenizer *t);   /* NULL ok */

/* bits: (n->nchars + 8) / 8 bytes, zeroed by the caller.  *ntokens receives
 * the number of words (space characters are not words). */
bidx_err bidx_tokenize(bidx_tokenizer *t, const bidx_norm *n, uint8_t *bits, uint32_t *ntokens);

/* Calls fn for each MeCab morpheme of text[0..len) (normalised text, cut
 * into chunks as above): its surface (not NUL-terminated, len bytes, a
 * pointer into text) and its ipadic feature string (品詞,細分類1,細分類2,
 * 細分類3,活用型,活用形,原形,読み,発音; NUL-terminated, valid during the
 * call).  A non-zero return from fn stops the walk and is returned. */
typedef int (*bidx_morph_fn)(void *ctx, const char *surface, size_t len, const char *feature);
int bidx_tokenize_morphs(bidx_tokenizer *t, const char *text, size_t len, bidx_morph_fn fn,
                         void *ctx);

/* The boundary rules applied to a bitmap that already holds MeCab's cuts:
 * forces bits 0 and nchars, removes cuts inside ASCII alphanumeric runs and
 * digit groups, and returns the word count.  Exposed for tests. */
uint32_t bidx_bounds_finish(const uint32_t *cp, uint32_t nchars, uint8_t *bits);

#endif
