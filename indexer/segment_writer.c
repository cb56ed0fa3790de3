#include "segment_writer.h"
#include "checksum.h"
#include "manifest.h"
#include "varint.h"

#include <string.h>

static void segw_free(bidx_segw *w)
{
	bidx_tdw_free(&w->td);
	XXH3_freeState(w->cs);
	w->cs = NULL;
	bidx_buf_free(&w->chunk_sums[0]);
	bidx_buf_free(&w->chunk_sums[1]);
}

bidx_err bidx_segw_open(bidx_segw *w, const char *dir, const char *name)
{
	static const uint8_t zero[BIDX_HEADER_SIZE];
	memset(w, 0, sizeof *w);
	bidx_out_cleanup_stale(dir, bidx_index_own_name);
	w->cs = XXH3_createState();
	if (!w->cs)
		return BIDX_ENOMEM;
	bidx_err rc = bidx_out_open(&w->out, dir, name);
	if (rc) {
		XXH3_freeState(w->cs);
		w->cs = NULL;
		return rc;
	}
	bidx_out_write(&w->out, zero, sizeof zero);
	rc = w->out.err;
	if (rc) {
		segw_free(w);
		bidx_out_abort(&w->out);
	}
	return rc;
}

/* Index into chunk_sums of a chunk-checksummed section, or -1. */
static int chunked(int id)
{
	return id == BIDX_SEC_POSTINGS ? 0 : id == BIDX_SEC_STORE ? 1 : -1;
}

static void chunk_done(bidx_segw *w)
{
	bidx_buf_put_u64le(&w->chunk_sums[chunked(w->cur)], (uint64_t)XXH3_64bits_digest(w->cs));
	XXH3_64bits_reset(w->cs);
	w->chunk_fill = 0;
}

static void end_section(bidx_segw *w)
{
	if (!w->cur)
		return;
	if (chunked(w->cur) >= 0 && w->chunk_fill > 0)
		chunk_done(w);
	w->sec_len[w->cur] = w->out.off - w->sec_off[w->cur];
	w->sec_sum[w->cur] = bidx_out_sum(&w->out);
	w->cur = 0;
}

void bidx_segw_begin(bidx_segw *w, int id)
{
	end_section(w);
	bidx_out_pad8(&w->out);
	bidx_out_sum_reset(&w->out);
	w->cur = id;
	w->sec_off[id] = w->out.off;
	XXH3_64bits_reset(w->cs);
	w->chunk_fill = 0;
}

void bidx_segw_write(bidx_segw *w, const void *p, size_t n)
{
	bidx_out_write(&w->out, p, n);
	if (chunked(w->cur) < 0)
		return;
	const uint8_t *c = p;
	while (n > 0) {
		size_t take = BIDX_CHUNK_SIZE - w->chunk_fill;
		if (take > n)
			take = n;
		XXH3_64bits_update(w->cs, c, take);
		w->chunk_fill += take;
		c += take;
		n -= take;
		if (w->chunk_fill == BIDX_CHUNK_SIZE)
			chunk_done(w);
	}
}

void bidx_segw_chunks(bidx_segw *w)
{
	uint8_t head[BIDX_CHUNKS_HEADER_SIZE];
	bidx_segw_begin(w, BIDX_SEC_CHUNKS);
	bidx_put_u32le(head, BIDX_CHUNK_SIZE);
	bidx_put_u32le(head + 4, 0);
	bidx_put_u32le(head + 8, (uint32_t)(w->chunk_sums[0].len / 8));
	bidx_put_u32le(head + 12, (uint32_t)(w->chunk_sums[1].len / 8));
	bidx_segw_write(w, head, sizeof head);
	for (int i = 0; i < 2; i++) {
		if (w->chunk_sums[i].err && !w->out.err)
			w->out.err = BIDX_ENOMEM;
		bidx_segw_write(w, w->chunk_sums[i].p, w->chunk_sums[i].len);
	}
}

bidx_err bidx_segw_term(uint64_t key, uint32_t df, const bidx_buf *post, void *arg)
{
	bidx_segw *w = arg;
	bidx_tdw_add(&w->td, key, df, post->len);
	bidx_segw_write(w, post->p, post->len);
	return w->td.err ? w->td.err : w->out.err;
}

void bidx_segw_terms(bidx_segw *w)
{
	bidx_buf b = BIDX_BUF_INIT;
	bidx_err rc = bidx_tdw_finish(&w->td, &b);
	if (rc && !w->out.err)
		w->out.err = rc;
	bidx_segw_write(w, b.p, b.len);
	bidx_buf_free(&b);
}

bidx_err bidx_segw_commit(bidx_segw *w, uint64_t *file_size)
{
	uint8_t rec[BIDX_TABLE_ENTRY_SIZE], foot[BIDX_FOOTER_SIZE], head[BIDX_HEADER_SIZE];
	uint8_t table[BIDX_SEC_MAX * BIDX_TABLE_ENTRY_SIZE];
	end_section(w);
	bidx_out_pad8(&w->out);
	uint64_t toff = w->out.off;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		memset(rec, 0, sizeof rec);
		bidx_put_u32le(rec, (uint32_t)id);
		bidx_put_u64le(rec + 8, w->sec_off[id]);
		bidx_put_u64le(rec + 16, w->sec_len[id]);
		bidx_put_u64le(rec + 24, w->sec_sum[id]);
		memcpy(table + (id - 1) * BIDX_TABLE_ENTRY_SIZE, rec, sizeof rec);
	}
	bidx_out_write(&w->out, table, sizeof table);
	bidx_put_u64le(foot, toff);
	bidx_put_u32le(foot + 8, BIDX_SEC_MAX);
	bidx_put_u32le(foot + 12, BIDX_FORMAT_VERSION);
	bidx_put_u64le(foot + 16, bidx_xxh3(table, sizeof table));
	memcpy(foot + 24, BIDX_END_MAGIC, 8);
	bidx_out_write(&w->out, foot, sizeof foot);
	memcpy(head, BIDX_MAGIC, 8);
	bidx_put_u32le(head + 8, BIDX_FORMAT_VERSION);
	bidx_put_u32le(head + 12, 0);
	bidx_put_u64le(head + 16, w->out.off);
	bidx_put_u64le(head + 24, bidx_xxh3(head, 24));
	bidx_out_pwrite(&w->out, head, sizeof head, 0);
	*file_size = w->out.off;
	segw_free(w);
	int renamed;
	return bidx_out_commit(&w->out, &renamed);
}

void bidx_segw_abort(bidx_segw *w)
{
	segw_free(w);
	bidx_out_abort(&w->out);
}
