/* libFuzzer target: dates (common/date.c) on arbitrary bytes.  Checks what
 * the fields and filters rely on: a parse or a find stays inside the input,
 * a date has a valid month and day for its precision, its span is ordered
 * and its ISO form fits. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "fuzz.h"

static void check(const bidx_date *d)
{
	static const int mdays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (d->prec < BIDX_DATE_YEAR || d->prec > BIDX_DATE_DAY)
		abort();
	if (d->prec >= BIDX_DATE_MONTH ? d->m < 1 || d->m > 12 : d->m != 0)
		abort();
	if (d->prec == BIDX_DATE_DAY ? d->d < 1 || d->d > mdays[d->m] : d->d != 0)
		abort();
	int32_t lo, hi;
	bidx_date_span(d, &lo, &hi);
	if (lo > hi)
		abort();
	char iso[11 + 16];
	memset(iso, 0x55, sizeof iso);
	bidx_date_iso(d, iso);
	if (!memchr(iso, 0, 11))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so that ASan sees any read past it */
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	bidx_date d;
	size_t n = bidx_date_parse(s, size, &d);
	if (n > size)
		abort();
	if (n)
		check(&d);
	size_t at = 0;
	n = bidx_date_find(s, size, &at, &d);
	if (n && (at > size || n > size - at))
		abort();
	if (n)
		check(&d);
	free(s);
	return 0;
}
