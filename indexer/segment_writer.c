/*
 * segment_writer.c - writes a segment file (see segment_writer.h).
 *
 * One loop over the section ids decides the order of the file: each section
 * begins 8-aligned where the previous one ended, its XXH3 is taken as it
 * streams out, and for each section CHUNKS covers so is one XXH3 per 64 KiB
 * chunk (those after CHUNKS in the file, from their bytes in memory before
 * CHUNKS is written).
 * Where the bytes of the frame go (table entries, footer, header, the
 * CHUNKS header, META and DOCS records) is common/segment.c's to say; this
 * file only puts them in order.  Errors are sticky in the output stream, so
 * the loop runs to the end and the caller checks once.
 */
#include "segment_writer.h"
#include "checksum.h"
#include "io.h"
#include "manifest.h"
#include "termdict.h"
#include "varint.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

typedef struct segw {
	bidx_out out;
	bidx_secent sec[BIDX_SEC_MAX + 1];   /* where each section went, its XXH3 */
	int cur;                 /* section being written, 0 when none */
	XXH3_state_t *cs;        /* running checksum of the current chunk */
	uint64_t chunk_fill;     /* bytes in the current chunk */
	bidx_buf chunk_sums[BIDX_SEC_MAX + 1];  /* per-chunk XXH3, by section id */
	int presummed[BIDX_SEC_MAX + 1];        /* its chunk sums are taken already */
	bidx_tdwriter td;        /* fed while POSTINGS streams out */
} segw;

static void segw_free(segw *w)
{
	bidx_tdw_free(&w->td);
	XXH3_freeState(w->cs);
	w->cs = NULL;
	for (int id = 0; id <= BIDX_SEC_MAX; id++)
		bidx_buf_free(&w->chunk_sums[id]);
}

/* Opens DIR/NAME.tmp-PID and writes a placeholder header. */
static bidx_err segw_open(segw *w, const char *dir, const char *name)
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

static void chunk_done(segw *w, int id)
{
	bidx_buf_put_u64le(&w->chunk_sums[id], (uint64_t)XXH3_64bits_digest(w->cs));
	XXH3_64bits_reset(w->cs);
	w->chunk_fill = 0;
}

/* Feeds n bytes of section id to the chunk sums. */
static void chunk_feed(segw *w, int id, const void *p, size_t n)
{
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
			chunk_done(w, id);
	}
}

static void end_section(segw *w)
{
	if (!w->cur)
		return;
	if (bidx_section_chunked(w->cur) >= 0 && !w->presummed[w->cur] && w->chunk_fill > 0)
		chunk_done(w, w->cur);
	w->sec[w->cur].len = w->out.off - w->sec[w->cur].off;
	w->sec[w->cur].sum = bidx_out_sum(&w->out);
	w->cur = 0;
}

static void begin(segw *w, int id)
{
	end_section(w);
	bidx_out_pad8(&w->out);
	bidx_out_sum_reset(&w->out);
	w->cur = id;
	w->sec[id].off = w->out.off;
	XXH3_64bits_reset(w->cs);
	w->chunk_fill = 0;
}

static void put(segw *w, const void *p, size_t n)
{
	bidx_out_write(&w->out, p, n);
	if (bidx_section_chunked(w->cur) >= 0 && !w->presummed[w->cur])
		chunk_feed(w, w->cur, p, n);
}

static void put_buf(segw *w, const bidx_buf *b)
{
	if (b->err && !w->out.err)
		w->out.err = BIDX_ENOMEM;
	put(w, b->p, b->len);
}

/* POSTINGS: one term's list, recorded for TERMS. */
static bidx_err put_term(uint64_t key, uint32_t df, const bidx_buf *post, void *arg)
{
	segw *w = arg;
	bidx_tdw_add(&w->td, key, df, post->len);
	put(w, post->p, post->len);
	return w->td.err ? w->td.err : w->out.err;
}

static void put_terms(segw *w)
{
	bidx_buf b = BIDX_BUF_INIT;
	bidx_err rc = bidx_tdw_finish(&w->td, &b);
	if (rc && !w->out.err)
		w->out.err = rc;
	put(w, b.p, b.len);
	bidx_buf_free(&b);
}

static void put_docs(segw *w, const bidx_segw_input *in)
{
	uint8_t rec[BIDX_DOC_SIZE];
	for (uint32_t i = 0; i < in->meta.ndocs; i++) {
		bidx_docrec d = in->docs[i];
		bidx_dsw_frame(in->store, i, &d.store_off, &d.store_len);
		bidx_docrec_encode(&d, rec);
		put(w, rec, sizeof rec);
	}
}

/* The pieces of CKPTS: the per-document index, its end, the pairs. */
static int ckpts_pieces(const bidx_segw_input *in, uint8_t end[8], const void **p, size_t *n)
{
	bidx_put_u64le(end, in->nckpts);   /* the end of the last document's pairs */
	p[0] = in->ckpt_first.p;
	n[0] = in->ckpt_first.len;
	p[1] = end;
	n[1] = 8;
	p[2] = in->ckpts.p;
	n[2] = in->ckpts.len;
	return 3;
}

/* The pieces of section id, for the sections after CHUNKS. */
static int pieces_of(const bidx_segw_input *in, int id, uint8_t end[8], const void **p, size_t *n)
{
	switch (id) {
	case BIDX_SEC_FIELDS: p[0] = in->fields.p; n[0] = in->fields.len; return 1;
	case BIDX_SEC_FIELDSTR: p[0] = in->fieldstr.p; n[0] = in->fieldstr.len; return 1;
	case BIDX_SEC_CKPTS: return ckpts_pieces(in, end, p, n);
	default: return 0;
	}
}

static void put_chunks(segw *w, const bidx_segw_input *in)
{
	uint8_t head[BIDX_CHUNKS_HEADER_SIZE];
	uint32_t count[BIDX_SEC_MAX + 1] = {0};
	/* the sections still to come are in memory: their chunk sums now */
	for (int id = BIDX_SEC_CHUNKS + 1; id <= BIDX_SEC_MAX; id++) {
		if (bidx_section_chunked(id) < 0)
			continue;
		uint8_t end[8];
		const void *p[3];
		size_t n[3];
		int k = pieces_of(in, id, end, p, n);
		XXH3_64bits_reset(w->cs);
		w->chunk_fill = 0;
		for (int i = 0; i < k; i++)
			chunk_feed(w, id, p[i], n[i]);
		if (w->chunk_fill > 0)
			chunk_done(w, id);
		w->presummed[id] = 1;
	}
	for (int id = 1; id <= BIDX_SEC_MAX; id++)
		count[id] = (uint32_t)(w->chunk_sums[id].len / 8);
	bidx_segment_encode_chunks(count, head);
	put(w, head, sizeof head);
	for (int id = 1; id <= BIDX_SEC_MAX; id++)
		put_buf(w, &w->chunk_sums[id]);
}

static void put_ckpts(segw *w, const bidx_segw_input *in)
{
	uint8_t end[8];
	const void *p[3];
	size_t n[3];
	int k = ckpts_pieces(in, end, p, n);
	for (int i = 0; i < k; i++)
		put(w, p[i], n[i]);
}

/* Writes section id's bytes; returns what the caller's terms() returned
 * for POSTINGS, else the stream's sticky error. */
static bidx_err put_section(segw *w, int id, const bidx_segw_input *in)
{
	uint8_t meta[BIDX_META_SIZE];
	switch (id) {
	case BIDX_SEC_META:
		bidx_meta_encode(&in->meta, meta);
		put(w, meta, sizeof meta);
		break;
	case BIDX_SEC_POSTINGS: {
		bidx_err rc = in->terms(in->terms_arg, put_term, w);
		if (rc)
			return rc;
		break;
	}
	case BIDX_SEC_TERMS: put_terms(w); break;
	case BIDX_SEC_DOCS: {   /* the first section that needs the store: its
	                         * thread compressed while POSTINGS was written */
		bidx_err rc = bidx_dsw_finish(in->store);
		if (rc)
			return rc;
		put_docs(w, in);
		break;
	}
	case BIDX_SEC_BOUNDS: put(w, in->bounds.p, in->bounds.len); break;
	case BIDX_SEC_PATHS: put(w, in->paths.p, in->paths.len); break;
	case BIDX_SEC_STORE: put_buf(w, bidx_dsw_store(in->store)); break;
	case BIDX_SEC_ZDICT: put_buf(w, bidx_dsw_dict(in->store)); break;
	case BIDX_SEC_CHUNKS: put_chunks(w, in); break;
	case BIDX_SEC_FIELDS: put(w, in->fields.p, in->fields.len); break;
	case BIDX_SEC_FIELDSTR: put(w, in->fieldstr.p, in->fieldstr.len); break;
	case BIDX_SEC_CKPTS: put_ckpts(w, in); break;
	}
	return w->out.err;
}

/* The table, the footer and the header, then fsync and rename. */
static bidx_err seal(segw *w, uint64_t *file_size)
{
	uint8_t table[BIDX_TABLE_SIZE], foot[BIDX_FOOTER_SIZE], head[BIDX_HEADER_SIZE];
	end_section(w);
	bidx_out_pad8(&w->out);
	uint64_t toff = w->out.off;
	bidx_segment_encode_table(w->sec, table);
	bidx_out_write(&w->out, table, sizeof table);
	bidx_segment_encode_footer(toff, table, foot);
	bidx_out_write(&w->out, foot, sizeof foot);
	bidx_segment_encode_header(w->out.off, head);
	bidx_out_pwrite(&w->out, head, sizeof head, 0);
	*file_size = w->out.off;
	segw_free(w);
	int renamed;
	return bidx_out_commit(&w->out, &renamed);
}

bidx_err bidx_segw_write(const char *dir, const char *name, const bidx_segw_input *in,
                         uint64_t *file_size, char *why, size_t whylen)
{
	segw w;
	*file_size = 0;
	bidx_dsw_close(in->store);   /* the store's thread finishes during POSTINGS */
	bidx_err rc = segw_open(&w, dir, name);
	if (rc) {
		snprintf(why, whylen, "cannot create the index in %s: %s", dir,
		         rc == BIDX_EIO ? strerror(errno) : bidx_strerror(rc));
		return rc;
	}
	/* the sections in id order: TERMS right after the POSTINGS it indexes,
	 * CHUNKS after the sections it covers but FIELDS, FIELDSTR and CKPTS
	 * (whose sums it takes from memory) */
	for (int id = 1; id <= BIDX_SEC_MAX && !rc; id++) {
		begin(&w, id);
		rc = put_section(&w, id, in);
	}
	if (rc) {
		int se = w.out.saved_errno ? w.out.saved_errno : errno;
		segw_free(&w);
		bidx_out_abort(&w.out);
		errno = se;   /* the write's, for the message */
	} else {
		rc = seal(&w, file_size);
	}
	if (rc)
		snprintf(why, whylen, "cannot write the index in %s: %s", dir,
		         rc == BIDX_EIO ? strerror(errno) : bidx_strerror(rc));
	return rc;
}
