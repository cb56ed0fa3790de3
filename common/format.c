#include "format.h"
#include "normalize.h"
#include "varint.h"

#include <string.h>

void bidx_docrec_encode(const bidx_docrec *d, uint8_t out[BIDX_DOC_SIZE])
{
	bidx_put_u64le(out, d->store_off);
	bidx_put_u64le(out + 8, d->bound_off);
	bidx_put_u32le(out + 16, d->store_len);
	bidx_put_u32le(out + 20, d->path_off);
	bidx_put_u32le(out + 24, d->path_len);
	bidx_put_u32le(out + 28, d->nchars);
	bidx_put_u32le(out + 32, d->ntokens);
	bidx_put_u32le(out + 36, d->title_start);
	bidx_put_u32le(out + 40, d->title_end);
	bidx_put_u32le(out + 44, d->text_len);
}

void bidx_docrec_decode(const uint8_t in[BIDX_DOC_SIZE], bidx_docrec *d)
{
	d->store_off = bidx_get_u64le(in);
	d->bound_off = bidx_get_u64le(in + 8);
	d->store_len = bidx_get_u32le(in + 16);
	d->path_off = bidx_get_u32le(in + 20);
	d->path_len = bidx_get_u32le(in + 24);
	d->nchars = bidx_get_u32le(in + 28);
	d->ntokens = bidx_get_u32le(in + 32);
	d->title_start = bidx_get_u32le(in + 36);
	d->title_end = bidx_get_u32le(in + 40);
	d->text_len = bidx_get_u32le(in + 44);
}

void bidx_meta_encode(const bidx_meta *m, uint8_t out[BIDX_META_SIZE])
{
	memset(out, 0, BIDX_META_SIZE);
	bidx_put_u32le(out, m->ndocs);
	bidx_put_u32le(out + 4, BIDX_NORM_REVISION);  /* the writer's own normaliser */
	bidx_put_u64le(out + 8, m->total_tokens);
	bidx_put_u64le(out + 16, m->total_chars);
	bidx_put_u64le(out + 24, m->nterms);
	bidx_put_u64le(out + 32, m->build_time);
	bidx_put_u64le(out + 40, m->corpus_bytes);
}

void bidx_meta_decode(const uint8_t in[BIDX_META_SIZE], bidx_meta *m)
{
	m->ndocs = bidx_get_u32le(in);
	m->total_tokens = bidx_get_u64le(in + 8);
	m->total_chars = bidx_get_u64le(in + 16);
	m->nterms = bidx_get_u64le(in + 24);
	m->build_time = bidx_get_u64le(in + 32);
	m->corpus_bytes = bidx_get_u64le(in + 40);
}

uint32_t bidx_meta_norm_rev(const uint8_t in[BIDX_META_SIZE])
{
	return bidx_get_u32le(in + 4);
}
