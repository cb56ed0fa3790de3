/* libFuzzer target: incident facts (analysis/facts.c) on arbitrary text.
 * Checks that the contacts fit their arrays as C strings, the counts stay
 * inside their bounds and the period dates are dates. */
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "fuzz.h"

static void check_date(const bidx_date *d)
{
	if (d->prec != BIDX_DATE_NONE && (d->prec > BIDX_DATE_DAY || d->m > 12 || d->d > 31))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = fuzz_text_len(data, size);
	char *s = malloc(n ? n : 1);
	if (!s)
		return 0;
	memcpy(s, data, n);
	bidx_facts f;
	memset(&f, 0x5a, sizeof f);   /* everything must be set, not left over */
	bidx_facts_extract(s, n, &f);
	if (f.nphones < 0 || f.nphones > BIDX_FACTS_MAX_CONTACTS || f.nemails < 0 ||
	    f.nemails > BIDX_FACTS_MAX_CONTACTS)
		abort();
	for (int i = 0; i < f.nphones; i++)
		if (!memchr(f.phones[i], 0, sizeof f.phones[i]))
			abort();
	for (int i = 0; i < f.nemails; i++)
		if (!memchr(f.emails[i], 0, sizeof f.emails[i]))
			abort();
	if (f.unit > BIDX_UNIT_MEI || f.qual > BIDX_QUAL_OVER)
		abort();
	check_date(&f.period_from);
	check_date(&f.period_to);
	free(s);
	return 0;
}
