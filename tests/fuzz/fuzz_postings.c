/* libFuzzer target: the postings cursor on arbitrary bytes.
 * Input: n (1 byte: low bit 0 = unigram, 1 = bigram), df (2), ndocs (2),
 * then the postings bytes.  Walks with next, with seek, and decodes
 * positions, whole and by parts; every path must stay inside the input, and what a walk returns
 * must hold the invariants the cursor promises (doc ids increasing and
 * below ndocs, tf >= 1, positions increasing and below the limit). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "postings.h"

/* The current doc's positions decoded by parts (the function and its
 * inlined form in turn) must be what one whole decoding gives, refusal
 * included, each part ending at the first position at or past its bound. */
static void by_parts(bidx_pcur *c, uint32_t *pos)
{
	uint32_t whole[64], from = 0, n;
	bidx_err r = BIDX_OK;
	for (unsigned k = 0; !r && from < c->tf; k++) {
		uint32_t upto = (from ? pos[from - 1] + 1 : 0) + (k * 37) % 50;
		r = k % 2 ? bidx_pcur_positions_part(c, pos, 1u << 20, from, upto, &n)
		          : bidx_pcur_positions_part_fast(c, pos, 1u << 20, from, upto, &n);
		if (!r && (n <= from || n > c->tf || (n < c->tf && pos[n - 1] < upto) ||
		           (n - 1 > from && pos[n - 2] >= upto)))
			abort();
		if (!r)
			from = n;
	}
	bidx_err w = bidx_pcur_positions(c, whole, 1u << 20);
	if (w != r || (!w && memcmp(whole, pos, c->tf * sizeof *pos)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = (fuzz_take(&data, &size, 1) & 1) + 1;
	uint32_t df = fuzz_take(&data, &size, 2);
	uint32_t ndocs = fuzz_take(&data, &size, 2);
	/* a private copy, so reading past the end is caught by ASan */
	uint8_t *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	uint32_t pos[64];
	for (int pass = 0; pass < 2; pass++) {
		bidx_pcur c;
		if (bidx_pcur_init(&c, p, size, df, n, ndocs))
			break;
		int have;
		uint32_t target = 0;
		int64_t prev = -1;
		for (;;) {
			bidx_err r = pass == 0 ? bidx_pcur_next(&c, &have) : bidx_pcur_seek(&c, target, &have);
			if (r && (r != BIDX_ECORRUPT || have))
				abort();   /* a refusal is a corruption, with no doc */
			if (r || !have)
				break;
			if (c.doc <= prev || c.doc >= ndocs || c.tf == 0 ||
			    (pass == 1 && c.doc < (int64_t)target))
				abort();
			prev = c.doc;
			if (n == 2 && c.tf <= 64 && c.doc % 2 == 0 &&
			    bidx_pcur_positions(&c, pos, 1u << 20) == BIDX_OK)
				for (uint32_t k = 1; k < c.tf; k++)
					if (pos[k] <= pos[k - 1])
						abort();
			if (n == 2 && c.tf <= 64 && c.doc % 2 == 1)
				by_parts(&c, pos);
			target = (uint32_t)c.doc + 1 + (uint32_t)(c.doc % 3) * 60;
		}
	}
	free(p);
	return 0;
}
