/* libFuzzer target: the term dictionary on arbitrary bytes.
 * Input: post_size (4 bytes), then the TERMS section.  Opens it, walks every
 * term and looks up keys found and not found. */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "fuzz.h"
#include "termdict.h"

static int visit(const bidx_term *t, void *arg)
{
	uint64_t *keys = arg;
	keys[keys[0] % 7 + 1] = t->key;
	keys[0]++;
	return keys[0] > 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t post_size = fuzz_take(&data, &size, 4);
	uint8_t *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	bidx_termdict td;
	if (bidx_termdict_open(&td, p, size, post_size) == 0) {
		uint64_t keys[8] = {0};
		(void)bidx_termdict_each(&td, visit, keys, NULL);
		bidx_term t;
		int found;
		for (int i = 1; i < 8; i++) {
			(void)bidx_termdict_find(&td, keys[i], &t, &found);
			(void)bidx_termdict_find(&td, keys[i] + 1, &t, &found);
		}
		(void)bidx_termdict_find(&td, bidx_key2(0x30AF, 0x30EC), &t, &found);
		(void)bidx_termdict_find(&td, 0, &t, &found);
		(void)bidx_termdict_find(&td, UINT64_MAX, &t, &found);
	}
	free(p);
	return 0;
}
