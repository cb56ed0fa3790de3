/*
 * fields.c - the per-document field records (fields.h, docs/FORMAT.md
 * "FIELDS" and "FIELDSTR").  A FIELDS record is fixed-size, little-endian,
 * so a filter or a sort reads a document's date, count and vocabulary bits
 * without decoding anything else.  A FIELDSTR record is a list of (name,
 * value, normalised value, source) strings, each a varint length and bytes;
 * the walk over it checks every length against the end of the record.
 */
#include "fields.h"
#include "varint.h"

#include <string.h>

void bidx_fieldrec_encode(const bidx_fieldrec *r, uint8_t out[BIDX_FIELDS_SIZE])
{
	memset(out, 0, BIDX_FIELDS_SIZE);
	bidx_put_u32le(out, (uint32_t)r->date_lo);
	bidx_put_u32le(out + 4, (uint32_t)r->date_hi);
	out[8] = r->date_prec;
	out[9] = r->unit;
	out[10] = r->qual;
	bidx_put_u64le(out + 12, r->affected);
	bidx_put_u32le(out + 20, r->leaked);
	bidx_put_u32le(out + 24, r->method);
	bidx_put_u32le(out + 28, r->authorities);
	bidx_put_u64le(out + 32, r->str_off);
	bidx_put_u32le(out + 40, r->str_len);
}

void bidx_fieldrec_decode(const uint8_t in[BIDX_FIELDS_SIZE], bidx_fieldrec *r)
{
	r->date_lo = (int32_t)bidx_get_u32le(in);
	r->date_hi = (int32_t)bidx_get_u32le(in + 4);
	r->date_prec = in[8];
	r->unit = in[9];
	r->qual = in[10];
	r->affected = bidx_get_u64le(in + 12);
	r->leaked = bidx_get_u32le(in + 20);
	r->method = bidx_get_u32le(in + 24);
	r->authorities = bidx_get_u32le(in + 28);
	r->str_off = bidx_get_u64le(in + 32);
	r->str_len = bidx_get_u32le(in + 40);
}

static void put_str(bidx_buf *b, const char *s, size_t n)
{
	bidx_buf_put_varint(b, n);
	bidx_buf_put(b, s, n);
}

void bidx_fstr_put(bidx_buf *b, const char *name, const char *value, size_t vlen,
                   const char *norm, size_t normlen, const char *source)
{
	put_str(b, name, strlen(name));
	put_str(b, value, vlen);
	put_str(b, norm, normlen);
	put_str(b, source, strlen(source));
}

static int get_str(const uint8_t **p, const uint8_t *end, const char **s, size_t *n)
{
	uint64_t l;
	if (bidx_varint_get(p, end, &l) || l > (uint64_t)(end - *p))
		return -1;
	*s = (const char *)*p;
	*n = (size_t)l;
	*p += l;
	return 0;
}

bidx_err bidx_fstr_next(const uint8_t **p, const uint8_t *end, bidx_fstr *f, int *have)
{
	*have = 0;
	if (*p == end)
		return BIDX_OK;
	BIDX_CORRUPT_IF(get_str(p, end, &f->name, &f->nlen) ||
	                get_str(p, end, &f->value, &f->vlen) ||
	                get_str(p, end, &f->norm, &f->normlen) ||
	                get_str(p, end, &f->source, &f->slen));
	*have = 1;
	return BIDX_OK;
}
