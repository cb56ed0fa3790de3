/* checksum.h - XXH3-64 (seed 0), the one checksum of the format. */
#ifndef BIDX_CHECKSUM_H
#define BIDX_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

static inline uint64_t bidx_xxh3(const void *p, size_t n)
{
	return (uint64_t)XXH3_64bits(p, n);
}

#endif
