/*
 * rows.h - structured notice files: CSV (RFC 4180) and JSON Lines.
 *
 * One CSV record or one JSON object is one notice.  CSV: the first record is
 * the header (column names); fields may be quoted, quoted fields may span
 * lines and hold doubled quotes; CRLF or LF; a UTF-8 BOM is skipped.  JSON
 * Lines: one object per line; string, number, true/false values become
 * text (null and empty strings are absent cells); nested arrays/objects are
 * kept as their JSON text.  A bad record (a CSV record with a different
 * number of fields than the header, unterminated quote, invalid JSON) is
 * reported with its line and skipped; the rest of the file goes on.  A name
 * that repeats (two CSV columns, two members of one object) keeps its first
 * column or member; the later ones are left out, with a note.
 *
 * Messages (why) say what is wrong and what happens, without the place:
 * the caller prefixes "FILE:LINE: " from row->line ("FILE: " for the
 * header), so every message reads `f.csv:3: 3 fields, the header has 2;
 * skipped`.
 */
#ifndef BIDX_ROWS_H
#define BIDX_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct bidx_row {
	uint32_t line;          /* 1-based line where the record starts */
	size_t ncells;
	const char *const *names;  /* ncells column names, NUL-terminated */
	const char *const *values; /* ncells values, NUL-terminated, UTF-8 */
	const size_t *lens;        /* ncells value lengths in bytes */
} bidx_row;

typedef struct bidx_rows bidx_rows;

typedef enum bidx_rows_kind { BIDX_ROWS_CSV, BIDX_ROWS_JSONL } bidx_rows_kind;

/* Starts reading data[0..len) (valid UTF-8, kept by the caller until
 * bidx_rows_free).  For CSV reads the header; an empty file or a header
 * without columns is BIDX_EINPUT with a reason in why.  On success why is
 * empty, or a note about the header (repeated column names). */
bidx_err bidx_rows_open(bidx_rows_kind kind, const char *data, size_t len, bidx_rows **out,
                        char *why, size_t whylen);

/* Next record: BIDX_OK with *have 1 and *row filled (valid until the next
 * call), why empty or a note about the record (a repeated key left out);
 * BIDX_OK with *have 0 at the end; BIDX_EINPUT for a bad record, with
 * row->line its line and the reason and its consequence in why ("...;
 * skipped"; call again to go on with the next one). */
bidx_err bidx_rows_next(bidx_rows *r, bidx_row *row, int *have, char *why, size_t whylen);

void bidx_rows_free(bidx_rows *r);   /* NULL ok */

#endif
