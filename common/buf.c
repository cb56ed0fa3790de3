/*
 * buf.c - the growable byte buffer of buf.h.
 *
 * Capacity doubles from 64 bytes, so appending n bytes costs O(n) amortised.
 * The first failed allocation is kept in b->err and turns every later
 * append into a no-op: encoders append without checking and look at the
 * error once, when they are done.  Fixed-width integers go out little-endian
 * and varints in the encoding of varint.h, the byte order of every file.
 */
#include "buf.h"
#include "varint.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

void bidx_buf_free(bidx_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = BIDX_OK;
}

int bidx_buf_reserve(bidx_buf *b, size_t extra)
{
	if (b->err)
		return -1;
	if (b->len + extra <= b->cap)
		return 0;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap < b->len + extra)
		ncap *= 2;
	uint8_t *np = bidx_realloc(b->p, ncap);
	if (!np) {
		b->err = BIDX_ENOMEM;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

void bidx_buf_put(bidx_buf *b, const void *p, size_t n)
{
	if (n == 0 || bidx_buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void bidx_buf_putc(bidx_buf *b, uint8_t c)
{
	if (bidx_buf_reserve(b, 1))
		return;
	b->p[b->len++] = c;
}

void bidx_buf_put_u32le(bidx_buf *b, uint32_t v)
{
	uint8_t t[4];
	bidx_put_u32le(t, v);
	bidx_buf_put(b, t, 4);
}

void bidx_buf_put_u64le(bidx_buf *b, uint64_t v)
{
	uint8_t t[8];
	bidx_put_u64le(t, v);
	bidx_buf_put(b, t, 8);
}

void bidx_buf_put_varint(bidx_buf *b, uint64_t v)
{
	if (bidx_buf_reserve(b, BIDX_VARINT_MAX))
		return;
	b->len += bidx_varint_put(b->p + b->len, v);
}

void bidx_buf_pad(bidx_buf *b, size_t align)
{
	while (b->len % align && !b->err)
		bidx_buf_putc(b, 0);
}
