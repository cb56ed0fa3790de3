/* libFuzzer target: the string helpers of common/text.c on arbitrary bytes.
 * They take (pointer, length) strings cut out of larger texts, so what is
 * checked is that they stay inside the range they are given: a trim narrows
 * it and leaves no space at either end, a find returns a place inside it
 * that holds the word, a word found whole has no letter or digit beside it. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte says how long the word looked for is */
	size_t wlen = fuzz_take(&data, &size, 1) % 16;
	if (wlen > size)
		wlen = size;
	char *w = malloc(wlen + 1), *t = malloc(size - wlen + 1);
	if (!w || !t)
		abort();
	memcpy(w, data, wlen);
	w[wlen] = 0;
	size_t n = size - wlen;   /* the text: the rest of the input */
	memcpy(t, data + wlen, n);
	t[n] = 0;
	wlen = strlen(w);   /* the helpers take C-string words */

	size_t s = 0, e = n;
	bidx_str_trim(t, &s, &e);
	if (s > e || e > n)
		abort();
	if (s < e && (t[s] == ' ' || t[s] == '\t' || t[e - 1] == ' ' || t[e - 1] == '\t' ||
	              t[s] == '\r' || t[e - 1] == '\r'))
		abort();

	if (wlen) {
		const char *f = bidx_str_find(t, n, w);
		if (f && (f < t || f + wlen > t + n || memcmp(f, w, wlen)))
			abort();
		if ((f != NULL) != (bidx_str_has(t, n, w) != 0))
			abort();
		for (size_t from = 0; from <= n; from += 1 + n / 8) {
			long at = bidx_str_find_word(t, n, from, w);
			if (at >= 0 && ((size_t)at < from || (size_t)at + wlen > n ||
			                memcmp(t + at, w, wlen)))
				abort();
		}
		if (bidx_str_starts(t, n, w) && memcmp(t, w, wlen))
			abort();
		if (bidx_str_ends(t, n, w) && memcmp(t + n - wlen, w, wlen))
			abort();
	}
	free(w);
	free(t);
	return 0;
}
