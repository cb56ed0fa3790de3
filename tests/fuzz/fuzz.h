/* fuzz.h - what the libFuzzer targets share: reading a little-endian
 * parameter block off the front of an input. */
#ifndef BIDX_FUZZ_H
#define BIDX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

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

#endif
