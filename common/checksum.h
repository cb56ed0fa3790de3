/* checksum.h - XXH3-64 (seed 0), the one checksum of the format.
 *
 * On x86 the hash goes through libxxhash's run-time dispatch, which picks
 * the widest vector unit the CPU has (AVX2 or AVX-512; SSE2 is all the
 * plain entry point uses): the same values, about a third of the
 * instructions.  Opening an index and the first read of every chunk hash
 * megabytes per process, so this is most of what a short search costs. */
#ifndef BIDX_CHECKSUM_H
#define BIDX_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__has_include)
#if __has_include(<xxh_x86dispatch.h>)
#define XXH_DISPATCH_DISABLE_REPLACE 1   /* only bidx_xxh3 goes through it */
#include <xxh_x86dispatch.h>
#define BIDX_XXH3_64 XXH3_64bits_dispatch
#endif
#endif
#ifndef BIDX_XXH3_64
#define BIDX_XXH3_64 XXH3_64bits
#endif

static inline uint64_t bidx_xxh3(const void *p, size_t n)
{
	return (uint64_t)BIDX_XXH3_64(p, n);
}

#endif
