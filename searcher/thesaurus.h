/*
 * thesaurus.h - a general-domain thesaurus for the best-match mode
 * (question.h): the words that mean what a question's word means, so a
 * question finds a notice written in other words (亡くなった: 死亡,
 * シングルマザー: 一人親, 国保: 国民健康保険).
 *
 * The table (dict/thesaurus.txt, made from Sudachi's synonym dictionary by
 * dict/make_thesaurus.py; see dict/README.md) holds one group of words per
 * line, in normal form (normalize.h), separated by spaces; " | " separates
 * the group's vocabularies: the words of one vocabulary are one word
 * written otherwise (spellings, abbreviations: 国保 国民健康保険), the
 * vocabularies of a group are near synonyms (死亡 | 逝去 | 亡くなる).  A word
 * led by `~` is found through the others but finds nothing itself (理由 in
 * the group of 経緯: too broad to stand for it).  `#` starts a comment.
 *
 * Loading hashes the words, so a lookup costs O(1) and loading one pass.
 * Where the table is: $BIDX_THESAURUS when set (empty or "none": no
 * table), else dict/thesaurus.txt beside the program or up to two
 * directories above it, else ../share/bidx/ (io.h, bidx_dict_find).
 */
#ifndef BIDX_THESAURUS_H
#define BIDX_THESAURUS_H

#include <stddef.h>
#include "error.h"

#define BIDX_THESAURUS_NAME "thesaurus.txt"

typedef struct bidx_thesaurus bidx_thesaurus;

/* The table's path into path[0..n): 0 when found ("" when $BIDX_THESAURUS
 * turns it off), -1 when there is none (path holds the reason). */
int bidx_thesaurus_find(char *path, size_t n);

/* Reads the table at path into *out (set to NULL first; free with
 * bidx_thesaurus_free).  BIDX_EIO when it cannot be read (why says so),
 * BIDX_ENOMEM. */
bidx_err bidx_thesaurus_load(const char *path, bidx_thesaurus **out, char *why, size_t whylen);
void bidx_thesaurus_free(bidx_thesaurus *t);   /* NULL ok */

typedef enum bidx_threl {
	BIDX_TH_SAME,   /* the same vocabulary: another spelling, an abbreviation */
	BIDX_TH_NEAR,   /* another vocabulary of the group: a near synonym */
} bidx_threl;

/* Calls fn for every other word of each group in which the normalised word
 * w[0..n) finds words (each word once, its closest relation), in table
 * order; word[0..len) points into the table and lives as long as it.
 * fn returning nonzero stops.  Returns the number of calls. */
size_t bidx_thesaurus_each(const bidx_thesaurus *t, const char *w, size_t n,
                           int (*fn)(void *ctx, const char *word, size_t len, bidx_threl rel),
                           void *ctx);

#endif
