/*
 * vocab.h - the fixed vocabularies of incident facts (leaked items,
 * methods, authorities): the entries' display names and the spellings a
 * notice uses for each.  Extraction (analysis/facts.c) files what a notice
 * says under an entry through these synonyms, and a filter (leaked:,
 * method:, authority:) finds an entry through the same ones, so that every
 * spelling extraction accepts is also one the filter accepts.
 *
 * The order of each names table is part of the index format (documents
 * store bit sets over it): append only, never reorder.
 */
#ifndef BIDX_VOCAB_H
#define BIDX_VOCAB_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

extern const char *const bidx_leaked_names[];     /* NULL-terminated, <= 32 */
extern const char *const bidx_method_names[];     /* NULL-terminated, <= 32 */
extern const char *const bidx_authority_names[];  /* NULL-terminated, <= 32 */

/* One spelling of an entry, in normalised form (normalize.h, no gap
 * rule).  A word that starts with an ASCII letter or digit matches only
 * as an ASCII word (bidx_str_find_word): "id" is not in "idea". */
typedef struct bidx_vocab_syn {
	const char *word;
	int entry;         /* index in the vocabulary's names */
} bidx_vocab_syn;

/* The spellings of each vocabulary, {NULL, 0}-terminated; every entry has
 * at least one.  Extraction looks for them in a notice's sentences. */
extern const bidx_vocab_syn bidx_leaked_syns[];
extern const bidx_vocab_syn bidx_method_syns[];
extern const bidx_vocab_syn bidx_authority_syns[];

typedef struct bidx_vocab {
	const char *field;                  /* the filter's field: "leaked" */
	const char *const *names;
	const bidx_vocab_syn *syns;
} bidx_vocab;

/* The vocabulary a filter field names ("leaked", "method", "authority"),
 * or NULL. */
const bidx_vocab *bidx_vocab_of(const char *field);

/* The entries (bit i for names[i]) a filter value names; q is the value
 * normalised (normalize.h, no gap rule).  An entry is named when its
 * display name contains q (leaked:カード, every card item), when one of
 * its spellings holds q, or when q holds one of its spellings
 * (leaked:クレジットカード情報, through カード情報); spellings are held as
 * extraction finds them in a text (bidx_str_find_word: leaked:mail finds
 * e-mail, leaked:c is not in cvv).
 * BIDX_ENOMEM leaves *mask 0. */
bidx_err bidx_vocab_mask(const bidx_vocab *v, const char *q, uint32_t *mask);

#endif
