/* libFuzzer target: CSV and JSON Lines records (analysis/rows.c) and the
 * notices built from them (analysis/notice.c, facts.c).  The first byte
 * picks CSV (even) or JSON Lines (odd); the rest, cut to its valid UTF-8
 * prefix as the encoding step guarantees, is the file.  Checks that every
 * record is well formed (NUL-terminated values of the stated length, valid
 * UTF-8, line numbers that never go back), that a bad record says why, and
 * that each notice's title lies inside its text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "notice.h"
#include "rows.h"

static void check_notice(const bidx_notice *n)
{
	if (n->title_start > n->title_end || n->title_end > n->len)
		abort();
	if (n->nfields < 0 || n->nfields > BIDX_NOTICE_MAX_FIELDS)
		abort();
	for (int i = 0; i < n->nfields; i++)
		if (!memchr(n->fields[i].name, 0, sizeof n->fields[i].name) || !n->fields[i].value)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int json = fuzz_take(&data, &size, 1) & 1;
	size_t n = fuzz_text_len(data, size);
	char *in = malloc(n ? n : 1);
	if (!in)
		return 0;
	memcpy(in, data, n);
	bidx_rows *r = NULL;
	char why[512];
	if (bidx_rows_open(json ? BIDX_ROWS_JSONL : BIDX_ROWS_CSV, in, n, &r, why, sizeof why)) {
		free(in);
		return 0;
	}
	uint32_t line = 0;
	for (;;) {
		bidx_row row;
		why[0] = 0;
		int have;
		bidx_err k = bidx_rows_next(r, &row, &have, why, sizeof why);
		if (k != BIDX_OK && (k != BIDX_EINPUT || have))
			abort();
		if (!k && !have)
			break;
		if (k) {
			if (!why[0])
				abort();
			continue;
		}
		if (row.line < line || row.line == 0)
			abort();
		line = row.line;
		for (size_t i = 0; i < row.ncells; i++) {
			if (!row.names[i] || !row.values[i] || row.values[i][row.lens[i]] != 0)
				abort();
			if (bidx_utf8_check((const uint8_t *)row.values[i], row.lens[i]) != row.lens[i])
				abort();
		}
		bidx_notice nt;
		if (bidx_notice_from_row(&nt, &row, NULL, json, why, sizeof why) == BIDX_OK)
			check_notice(&nt);
		bidx_notice_free(&nt);
	}
	bidx_rows_free(r);
	free(in);
	return 0;
}
