/* libFuzzer target: the fields of a plain-text notice (analysis/notice.c:
 * title, date, organisation, the web-article layout) and its facts.  The
 * first byte picks the path the file is read under (the directory names a
 * category in the livedoor layout); the rest, cut to its valid UTF-8
 * prefix, is the text.  Checks that the title and every field lie inside the
 * text and the date is a date. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "notice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"corpus/seeds/000_notice.txt", "corpus/livedoor/it-life-hack/it-life-hack-6292880.txt",
		"notice.md", "a/b/c/d.txt",
	};
	const char *path = paths[fuzz_take(&data, &size, 1) % 4];
	size_t n = fuzz_text_len(data, size);
	char *s = malloc(n ? n : 1);
	if (!s)
		return 0;
	memcpy(s, data, n);
	bidx_notice nt;
	bidx_notice_from_text(&nt, path, s, n);
	if (nt.text != s || nt.len != n || nt.title_start > nt.title_end || nt.title_end > n)
		abort();
	if (nt.nfields < 0 || nt.nfields > BIDX_NOTICE_MAX_FIELDS)
		abort();
	for (int i = 0; i < nt.nfields; i++) {
		const bidx_nfield *f = &nt.fields[i];
		if (!memchr(f->name, 0, sizeof f->name) || !f->value)
			abort();
		uintptr_t v = (uintptr_t)f->value, t = (uintptr_t)s, p = (uintptr_t)path;
		int inside = v >= t && v + f->vlen <= t + n;
		int in_path = v >= p && v + f->vlen <= p + strlen(path);
		if (!inside && !in_path && !nt.owned)
			abort();
	}
	if (nt.date.prec != BIDX_DATE_NONE &&
	    (nt.date.prec > BIDX_DATE_DAY || nt.date.m > 12 || nt.date.d > 31))
		abort();
	bidx_notice_free(&nt);
	free(s);
	return 0;
}
