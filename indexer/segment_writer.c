#include "segment_writer.h"
#include "checksum.h"
#include "varint.h"

#include <string.h>

bidx_err bidx_segw_open(bidx_segw *w, const char *dir)
{
	static const uint8_t zero[BIDX_HEADER_SIZE];
	memset(w, 0, sizeof *w);
	bidx_out_cleanup_stale(dir);
	bidx_err rc = bidx_out_open(&w->out, dir);
	if (rc)
		return rc;
	bidx_out_write(&w->out, zero, sizeof zero);
	rc = w->out.err;
	if (rc)
		bidx_out_abort(&w->out);
	return rc;
}

static void end_section(bidx_segw *w)
{
	if (!w->cur)
		return;
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
}

void bidx_segw_write(bidx_segw *w, const void *p, size_t n)
{
	bidx_out_write(&w->out, p, n);
}

bidx_err bidx_segw_term(uint64_t key, uint32_t df, const bidx_buf *post, void *arg)
{
	bidx_segw *w = arg;
	bidx_tdw_add(&w->td, key, df, post->len);
	bidx_out_write(&w->out, post->p, post->len);
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
	bidx_tdw_free(&w->td);
	return bidx_out_commit(&w->out);
}

void bidx_segw_abort(bidx_segw *w)
{
	bidx_tdw_free(&w->td);
	bidx_out_abort(&w->out);
}
