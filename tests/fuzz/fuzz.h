/* fuzz.h - what the libFuzzer targets share: reading a little-endian
 * parameter block off the front of an input, and the part of an input that
 * is text as the analysers get it. */
#ifndef BIDX_FUZZ_H
#define BIDX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Takes n bytes (0 when the input is shorter) off the front. */
static inline uint32_t fuzz_take(const uint8_t **data, size_t *size, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (*size == 0)
			return v;
		v |= (uint32_t)**data << (8 * i);
		(*data)++;
		(*size)--;
	}
	return v;
}

/* The length of the longest prefix of data that is valid UTF-8 without NUL
 * bytes: what bidx_text_decode() hands the analysers. */
static inline size_t fuzz_text_len(const uint8_t *data, size_t size)
{
	size_t n = bidx_utf8_check(data, size);
	const void *nul = memchr(data, 0, n);
	return nul ? (size_t)((const uint8_t *)nul - data) : n;
}

#endif
