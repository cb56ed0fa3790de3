/* libFuzzer target: the Markdown marker (common/markdown.c) on arbitrary
 * bytes.  Checks what fields and snippets rely on: every byte gets one of
 * the three marks, a stripped copy is no longer than its input and made
 * only of the input's kept bytes in order, and no read goes past it. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1), *out = malloc(size ? size : 1);
	uint8_t *mark = malloc(size ? size : 1);
	if (!s || !out || !mark)
		goto done;
	memcpy(s, data, size);
	for (int start = 0; start < 2; start++) {
		bidx_md_mark(s, size, start, mark);
		for (size_t i = 0; i < size; i++)
			if (mark[i] != BIDX_MD_KEEP && mark[i] != BIDX_MD_DROP && mark[i] != BIDX_MD_LITERAL)
				abort();
	}
	size_t n = bidx_md_strip(s, size, mark, out);
	if (n > size)
		abort();
	/* the copy is a subsequence of the input */
	size_t j = 0;
	for (size_t i = 0; i < size && j < n; i++)
		if (s[i] == out[j])
			j++;
	if (j != n)
		abort();
done:
	free(s);
	free(out);
	free(mark);
	return 0;
}
