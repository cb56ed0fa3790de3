/* libFuzzer target: the normaliser and its offset map on arbitrary bytes.
 * Checks the contracts the snippets rely on: output valid UTF-8, nchars
 * code points, source ranges inside the input and non-decreasing.  The
 * query-side alternatives of the text (spellings, long vowels, numbers) are
 * few, valid UTF-8 and never empty. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "normalize.h"
#include "variants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);
	memcpy(in, data, size);
	bidx_norm n = {0};
	if (bidx_normalize(in, size, 1, &n) == BIDX_OK) {
		if (bidx_utf8_check((const uint8_t *)n.text, n.len) != n.len)
			abort();
		for (uint32_t i = 0; i < n.nchars; i++) {
			if (n.src_start[i] > n.src_end[i] || n.src_end[i] > size)
				abort();
			if (i && n.src_start[i] < n.src_start[i - 1])
				abort();
			if (n.byte_off[i] >= n.byte_off[i + 1] || n.byte_off[i + 1] > n.len)
				abort();
		}
		bidx_alts a;
		if (n.nchars && bidx_variants_expand(n.cp, n.nchars, 4096, &a) == BIDX_OK) {
			if (a.n < 1 || a.n > BIDX_ALTS_MAX)
				abort();
			for (uint32_t i = 0; i < a.n; i++) {
				size_t l = strlen(a.text[i]);
				if (!l || bidx_utf8_check((const uint8_t *)a.text[i], l) != l)
					abort();
			}
			bidx_alts_free(&a);
		}
	}
	bidx_norm_free(&n);
	(void)bidx_utf8_check((const uint8_t *)in, size);
	free(in);
	return 0;
}
