/* libFuzzer target: the document store reader on arbitrary bytes.
 * Input: text_len (4 bytes), dict_len (2 bytes), the dictionary, then one
 * frame. */
#include <stdlib.h>
#include <string.h>

#include "docstore.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t text_len = fuzz_take(&data, &size, 4) & 0xFFFFF;
	size_t dlen = fuzz_take(&data, &size, 2);
	if (dlen > size)
		dlen = size;
	uint8_t *dict = malloc(dlen ? dlen : 1), *frame = malloc(size - dlen + 1);
	memcpy(dict, data, dlen);
	memcpy(frame, data + dlen, size - dlen);
	bidx_dsr *r;
	if (bidx_dsr_new(dict, dlen, &r) == BIDX_OK) {
		char *buf;
		const char *title, *text;
		size_t tlen;
		if (bidx_dsr_get(r, frame, size - dlen, text_len, &buf, &title, &tlen, &text) == BIDX_OK) {
			/* touch every byte handed back */
			volatile char x = 0;
			for (size_t i = 0; i < tlen; i++)
				x ^= title[i];
			for (size_t i = 0; i < text_len; i++)
				x ^= text[i];
			(void)x;
			free(buf);
		}
		bidx_dsr_free(r);
	}
	free(dict);
	free(frame);
	return 0;
}
