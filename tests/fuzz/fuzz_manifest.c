/* libFuzzer target: the manifest decoder.  The input's checksum is
 * recomputed (when its end marker is in place), so mutations reach the
 * checks of the maps and the sources instead of stopping at the checksum;
 * each input is decoded as it is (head_sum checked) and with head_sum
 * zeroed (then msum alone is checked, so mutations of the head get past
 * it). */
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "format.h"
#include "fuzz.h"
#include "manifest.h"
#include "varint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *m = malloc(size ? size : 1);
	if (!m)
		abort();
	memcpy(m, data, size);
	for (int pass = 0; pass < 4; pass++) {
		int want = pass & 1;
		if (pass == 2 && size >= BIDX_MAN_HEADER_SIZE)
			memset(m + BIDX_MAN_HEADER_SIZE - 8, 0, 8);   /* head_sum */
		if (size >= 16 && !memcmp(m + size - 8, BIDX_END_MAGIC, 8))
			bidx_put_u64le(m + size - 16, bidx_xxh3(m, size - 16));
		bidx_manifest man;
		char why[256];
		if (bidx_manifest_decode(m, size, want, &man, why, sizeof why) == BIDX_OK) {
			/* what a reader relies on: every map entry live below ndocs */
			for (uint32_t s = 0; s < man.nsegs; s++)
				for (uint32_t d = 0; d < man.segs[s].ndocs; d++)
					if (man.segs[s].map[d] != BIDX_DELETED && man.segs[s].map[d] >= man.ndocs)
						abort();
			for (uint32_t i = 0; want && i < man.nsrc; i++)
				if (man.src[i].seg >= man.nsegs || !man.src[i].path)
					abort();
		}
		bidx_manifest_free(&man);
	}
	free(m);
	return 0;
}
