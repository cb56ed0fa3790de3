/*
 * buf.h - a growable byte buffer with a sticky error.
 *
 * Once an allocation fails, buf->err is set and every later append is a
 * no-op, so a writer appends freely and checks once at the end (SQLite's
 * p->rc idea).
 */
#ifndef BIDX_BUF_H
#define BIDX_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct bidx_buf {
	uint8_t *p;      /* bytes; owned, NULL while empty */
	size_t len;      /* bytes used */
	size_t cap;      /* bytes allocated */
	bidx_err err;    /* sticky: first failure */
} bidx_buf;

#define BIDX_BUF_INIT {NULL, 0, 0, BIDX_OK}

void bidx_buf_free(bidx_buf *b);          /* frees and resets; NULL ok */
int bidx_buf_reserve(bidx_buf *b, size_t extra); /* 0 on success */
void bidx_buf_put(bidx_buf *b, const void *p, size_t n);
void bidx_buf_putc(bidx_buf *b, uint8_t c);
void bidx_buf_put_u32le(bidx_buf *b, uint32_t v);
void bidx_buf_put_u64le(bidx_buf *b, uint64_t v);
void bidx_buf_put_varint(bidx_buf *b, uint64_t v);
void bidx_buf_pad(bidx_buf *b, size_t align);   /* zero-pad to a multiple */

#endif
