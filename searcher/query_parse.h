/*
 * query_parse.h - the bsearch query language, parsed into a tree.
 *
 * Grammar (whitespace = ASCII space/tab/newline and U+3000 IDEOGRAPHIC SPACE):
 *
 *   query   := orexpr ( orexpr )*            implicit AND between items
 *   orexpr  := unary ( "OR" unary )*         OR binds tighter than AND:
 *                                            `a b OR c` is a AND (b OR c)
 *   unary   := "-" primary | primary         leading '-' is NOT
 *   primary := "(" query ")" | FIELD | PHRASE | WORD
 *   FIELD   := NAME ":" ( PHRASE | WORD | "(" query ")" )
 *                                            e.g. title:お詫び  org:"九州 商船"
 *              NAME:( query ) gives NAME to each term of the group that
 *              names no field itself: org:(a OR b) = org:a OR org:b.
 *              NAME is the text before the first ':' (no spaces); whether it
 *              names a field is decided against the index (fieldname.h:
 *              any case, a column name as an alias): an unknown name
 *              (http://..., 12:30) makes the whole word a plain term.  A
 *              WORD NAME: with nothing after the ':' is a field term with
 *              an empty value: an error for a field of the index (date:,
 *              org:), the plain term "NAME:" otherwise.
 *   PHRASE  := '"' ( [^"\\] | '\\' any )* '"' a quoted string, may hold spaces
 *   WORD    := a run of non-whitespace characters, stopped by '(' ')' '"';
 *              the bare word OR (upper case, alone) is the operator.
 *
 * A '-' that is not followed by a primary (alone, or at the end) is a literal
 * word "-".  Full-width （）＂ are ordinary characters.
 *
 * Every word or phrase is a TERM: it is matched as one contiguous string
 * after normalisation (never as a bag of its morphemes).
 *
 * Checked here, with the byte position of the fault: unbalanced parentheses
 * or quotes, an empty group "()", OR with a missing side, a group or query
 * whose items are all negative (nothing to subtract from), NOT inside OR,
 * nesting deeper than BIDX_QUERY_MAX_DEPTH, more than BIDX_QUERY_MAX_TERMS
 * terms, a query longer than BIDX_QUERY_MAX_BYTES, invalid UTF-8.
 */
#ifndef BIDX_QUERY_PARSE_H
#define BIDX_QUERY_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define BIDX_QUERY_MAX_DEPTH 64
#define BIDX_QUERY_MAX_TERMS 256
#define BIDX_QUERY_MAX_BYTES 65536
/* Longest word or phrase, in characters after normalisation (checked by the
 * evaluator, which bounds a word's work by it, and by the synonym table). */
#define BIDX_QUERY_MAX_TERM_CHARS 4096

typedef enum bidx_qtype { BIDX_Q_TERM, BIDX_Q_AND, BIDX_Q_OR, BIDX_Q_NOT } bidx_qtype;

typedef struct bidx_qnode {
	bidx_qtype type;
	char *text;                /* TERM: the word or phrase as typed, quotes and
	                              escapes removed, NUL-terminated; owned; for a
	                              field term, the value after the ':' */
	char *field;               /* TERM: the field name before ':', or NULL; owned */
	uint32_t pos;              /* byte offset in the query where it starts */
	double weight;             /* TERM: factor on its scores, < 1 for a synonym
	                              added by synonyms.c; 0 (as parsed) means 1 */
	struct bidx_qnode **kids;  /* AND, OR: >= 2 children; NOT: exactly 1; owned */
	size_t nkids;
} bidx_qnode;

/* Parses q.  On success *out is the root (an AND or OR with one child is
 * collapsed to the child) and must be freed with bidx_query_free().
 * On a syntax error returns BIDX_EQUERY, leaves *out NULL, writes a one-line
 * English message into err[errlen] (e.g. "unbalanced '(' ") and the byte
 * offset of the fault into *errpos. */
bidx_err bidx_query_parse(const char *q, bidx_qnode **out,
                          char *err, size_t errlen, size_t *errpos);

void bidx_query_free(bidx_qnode *n);   /* NULL-safe, frees the whole tree */

/* Counts TERM nodes that are not under a NOT (the words that must be found). */
size_t bidx_query_positive_terms(const bidx_qnode *n);

#endif
