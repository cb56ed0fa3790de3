/*
 * synonyms.h - query-time synonyms from a plain table (dict/synonyms.txt).
 *
 * The table holds one group per line: words that mean the same in notices,
 * separated by spaces (ASCII or U+3000), e.g. `流出 漏えい`.  `#` starts a
 * comment; blank lines are ignored.  Words are compared in normal form
 * (normalize.h), so `漏えい` in the table also stands for 漏洩.
 *
 * Expansion rewrites the parsed query: every plain word (no field, not under
 * a NOT) that belongs to a group becomes (word OR synonym...), each synonym
 * a TERM of weight BIDX_SYNONYM_WEIGHT, so a document that only has a
 * synonym matches.  query_eval scores such a group as one term: a
 * synonym's weighted frequency times its weight, added to the word's before
 * one BM25 saturation.  A word gets
 * at most BIDX_SYNONYM_MAX_ALTS synonyms (the first ones in table order), so
 * one long line cannot blow a query up; looking a word up is a binary
 * search, so a large table costs a query O(log n), not O(n).  The table
 * is read at each query, so editing it needs no rebuild of anything.
 *
 * Where the table is: $BIDX_SYNONYMS when set (empty or "none": no table),
 * else dict/synonyms.txt beside the program or up to two directories above
 * it (the build tree links it to the source's), else ../share/bidx/.
 */
#ifndef BIDX_SYNONYMS_H
#define BIDX_SYNONYMS_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"
#include "query_parse.h"

#define BIDX_SYNONYM_WEIGHT 0.5
#define BIDX_SYNONYM_MAX_ALTS 64
#define BIDX_SYNONYMS_NAME "synonyms.txt"

typedef struct bidx_synonyms bidx_synonyms;

/* The table's path into path[0..n): 0 when found ("" when $BIDX_SYNONYMS
 * turns it off), -1 when there is none (path holds the reason). */
int bidx_synonyms_find(char *path, size_t n);

/* Reads the table at path.  A malformed line (a single word, a word with
 * query syntax in it or nothing searchable, a word longer than
 * BIDX_QUERY_MAX_TERM_CHARS characters, invalid UTF-8) is reported on
 * warn (when not NULL) as `bsearch: PATH:LINE: reason; line skipped` and
 * skipped.  Returns BIDX_OK with *out set (free with bidx_synonyms_free),
 * BIDX_EIO when the file cannot be read (why says so), or BIDX_ENOMEM. */
bidx_err bidx_synonyms_load(const char *path, bidx_synonyms **out, FILE *warn, char *why,
                            size_t whylen);
void bidx_synonyms_free(bidx_synonyms *s);   /* NULL ok */

/* Number of groups loaded. */
size_t bidx_synonyms_groups(const bidx_synonyms *s);

/* Rewrites *root as described above (the root itself may be replaced).  On
 * BIDX_ENOMEM the tree is still whole, perhaps partly expanded. */
bidx_err bidx_synonyms_expand(bidx_synonyms *s, bidx_qnode **root);

/* Word comparisons made so far by loading and expanding (to check by
 * counting that the work stays near-linear in the table). */
size_t bidx_synonyms_probes(const bidx_synonyms *s);

/* What bsearch does without --exact: find the table, load it (problems
 * reported on warn), expand *root.  No table: nothing happens, BIDX_OK;
 * when none is found (and $BIDX_SYNONYMS does not say none), the first call
 * of the process says so on warn. */
bidx_err bidx_synonyms_apply(bidx_qnode **root, FILE *warn);

#endif
