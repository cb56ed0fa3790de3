/*
 * varint.h - little-endian fixed ints and LEB128 varints, bounds-checked.
 *
 * A varint stores 7 bits per byte, low bits first, high bit set on every byte
 * but the last (as in protobuf and SQLite FTS5's poslists).  Decoders take an
 * end pointer and fail instead of reading past it.
 */
#ifndef BIDX_VARINT_H
#define BIDX_VARINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BIDX_VARINT_MAX 10

/* Writes v at p (room for BIDX_VARINT_MAX bytes); returns bytes written. */
static inline size_t bidx_varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Decodes one varint from [*pp, end).  On success advances *pp and returns 0;
 * on truncated or over-long input returns -1 and leaves *pp unchanged. */
static inline int bidx_varint_get(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	if (p < end && *p < 0x80) {   /* fast path: one byte */
		*out = *p;
		*pp = p + 1;
		return 0;
	}
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t c = *p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			if (shift == 63 && c > 1)
				return -1;
			*out = v;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

/* Same, for values that must fit in 32 bits. */
static inline int bidx_varint_get32(const uint8_t **pp, const uint8_t *end, uint32_t *out)
{
	uint64_t v;
	const uint8_t *p = *pp;
	if (bidx_varint_get(&p, end, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	*pp = p;
	return 0;
}

static inline void bidx_put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static inline void bidx_put_u64le(uint8_t *p, uint64_t v)
{
	bidx_put_u32le(p, (uint32_t)v);
	bidx_put_u32le(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t bidx_get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t bidx_get_u64le(const uint8_t *p)
{
	return (uint64_t)bidx_get_u32le(p) | (uint64_t)bidx_get_u32le(p + 4) << 32;
}

#endif
