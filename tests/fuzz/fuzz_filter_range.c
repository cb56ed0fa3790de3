/* libFuzzer target: the values of the date: and affected: filters
 * (searcher/filter.c) as a query may spell them.  A value is accepted with
 * an ordered range or refused; nothing is read past its NUL. */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1);
	if (!v)
		abort();
	memcpy(v, data, size);
	v[size] = 0;
	int32_t dlo, dhi;
	if (bidx_filter_date_range(v, &dlo, &dhi) == 0 && dlo > dhi)
		abort();
	uint64_t alo, ahi;
	if (bidx_filter_count_range(v, &alo, &ahi) == 0 && alo > ahi)
		abort();
	free(v);
	return 0;
}
