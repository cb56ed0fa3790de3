/* libFuzzer target: the query parser on arbitrary bytes (NUL-terminated
 * copy; a NUL inside ends the query as it would in argv). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "query_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = malloc(size + 1);
	memcpy(q, data, size);
	q[size] = 0;
	bidx_qnode *n;
	char err[256];
	size_t pos;
	if (bidx_query_parse(q, &n, err, sizeof err, &pos) == BIDX_OK) {
		(void)bidx_query_positive_terms(n);
		bidx_query_free(n);
	} else if (pos > strlen(q)) {
		abort();   /* the error position must be inside the query */
	}
	free(q);
	return 0;
}
