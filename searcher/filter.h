/*
 * filter.h - field terms: org:九州商船, category:イベント, leaked:カード,
 * method:インジェクション, authority:警察, date:2016, date:2018-01..2019-03,
 * date:>=2020-01-01, date:平成28年, affected:>=10000, affected:1000..50000,
 * and any extra field by its name (url:, phone:, 発行号タイトル:...).
 *
 * Text fields match like body text (substring of the normalised value);
 * leaked/method/authority match the vocabulary entries the value names
 * through their display names and the spellings extraction reads
 * (bidx_vocab_mask, common/vocab.h); date and affected take a value or a
 * range.  Filters read the per-document FIELDS columns and FIELDSTR strings
 * of the mapping, never the document store.  title: is handled by the evaluator (it needs postings).
 */
#ifndef BIDX_FILTER_H
#define BIDX_FILTER_H

#include <stdint.h>
#include "error.h"
#include "segment.h"

/* Evaluates field:value.  *docs receives the matching doc ids in increasing
 * order (malloc'd, caller frees) and *n their count.  *known is set to 0 (and
 * nothing else done) when `field` names no field of this index, so the
 * caller can take field:value as plain text.  A malformed range or date is
 * BIDX_EQUERY with a message in why. */
bidx_err bidx_filter_eval(bidx_segment *seg, const char *field, const char *value,
                          uint32_t **docs, uint32_t *n, int *known, char *why, size_t whylen);

/* The same over the documents in[0..nin) only (local ids, increasing):
 * what a filter under AND needs once its siblings have matched, reading
 * only those documents' field records.  *known is still the segment's. */
bidx_err bidx_filter_eval_in(bidx_segment *seg, const char *field, const char *value,
                             const uint32_t *in, uint32_t nin, uint32_t **docs, uint32_t *n,
                             int *known, char *why, size_t whylen);

/* Whether field is a filter in every index, whether or not a document sets
 * it (date, affected, org, category, url, kind, leaked, method, authority;
 * not incident:, which the evaluator groups itself). */
int bidx_filter_builtin(const char *field);

/* Checks value the way bidx_filter_eval does before it reads a document:
 * BIDX_EQUERY with the same message for a malformed date or count, or a
 * value with nothing searchable in it. */
bidx_err bidx_filter_check(const char *field, const char *value, char *why, size_t whylen);

/* *known = 1 when `field` is a field of this segment: one every index has
 * (date, affected, org, category, url, leaked, method, authority) or one
 * some document sets.  BIDX_ECORRUPT on a damaged FIELDSTR. */
bidx_err bidx_filter_known(bidx_segment *seg, const char *field, int *known);

/* Vocabulary fields: the table for "leaked", "method" or "authority"
 * (NULL for other names), and the field's bit set of doc from its record. */
const char *const *bidx_filter_vocab(const char *field);
uint32_t bidx_filter_vocab_bits(const char *field, const bidx_fieldrec *r);

/* Parses a date query value ("2016", "2018-01..2019-03", "2016-2018",
 * "2016～2018", ">=2020-01-01", "平成28年", "令和6年度", "R6", "2024年5月上旬";
 * bidx_date_range in date.h) into an inclusive yyyymmdd range; -1 when
 * malformed. */
int bidx_filter_date_range(const char *v, int32_t *lo, int32_t *hi);

/* Parses an affected-count value ("10000", ">=10000", "1000..50000",
 * "1万"); -1 when malformed, -2 when a count in it is past BIDX_COUNT_MAX
 * (checked arithmetic: never wrapped around). */
int bidx_filter_count_range(const char *v, uint64_t *lo, uint64_t *hi);

#endif
