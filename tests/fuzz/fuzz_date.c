/* libFuzzer target: dates (common/date.c) on arbitrary bytes.  Checks what
 * the fields and filters rely on: a parse or a find stays inside the input,
 * a date has a valid month and day for its precision (fiscal years and
 * ten-day spans included), its span is ordered, its ISO form fits, and a
 * range as a query writes it is ordered. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "fuzz.h"

static void check(const bidx_date *d)
{
	static const int mdays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (d->prec < BIDX_DATE_YEAR || d->prec > BIDX_DATE_TENDAY)
		abort();
	int has_month = d->prec == BIDX_DATE_MONTH || d->prec == BIDX_DATE_DAY ||
	                d->prec == BIDX_DATE_TENDAY;
	if (has_month ? d->m < 1 || d->m > 12 : d->m != 0)
		abort();
	if (d->prec == BIDX_DATE_DAY ? d->d < 1 || d->d > mdays[d->m]
	    : d->prec == BIDX_DATE_TENDAY ? d->d != 1 && d->d != 11 && d->d != 21 : d->d != 0)
		abort();
	int32_t lo, hi;
	bidx_date_span(d, &lo, &hi);
	if (lo > hi)
		abort();
	char iso[BIDX_DATE_ISO_SIZE + 16];
	memset(iso, 0x55, sizeof iso);
	bidx_date_iso(d, iso);
	if (!memchr(iso, 0, BIDX_DATE_ISO_SIZE))
		abort();
}

/* A range as a query writes it stays ordered. */
static void check_range(const char *s, size_t n)
{
	int32_t lo, hi;
	if (bidx_date_range(s, n, &lo, &hi) == 0 && lo > hi)
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
	check_range(s, size);
	free(s);
	return 0;
}
