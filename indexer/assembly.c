/*
 * assembly.c - one segment in the making (assembly.h).
 *
 * Each document added goes at once into the inverter (postings) and the
 * document store writer; its small records (DOCS, BOUNDS, PATHS, FIELDS,
 * FIELDSTR, CKPTS) are appended to growing buffers.  Nothing reaches the
 * disk before the segment is written: the sections then stream out in
 * order, the postings straight from the inverter, the term dictionary as
 * they pass, then the buffers.
 */
#include "assembly.h"
#include "buf.h"
#include "docstore.h"
#include "fault.h"
#include "fields.h"
#include "format.h"
#include "invert.h"
#include "normalize.h"
#include "segment_writer.h"
#include "varint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bidx_assembly {
	bidx_inverter *inv;      /* POSTINGS and TERMS */
	bidx_dsw *dsw;           /* STORE and ZDICT */
	bidx_docrec *docs;       /* one per indexed document */
	size_t ndocs, cap;
	bidx_buf bounds;
	bidx_buf paths;
	bidx_buf fields;         /* FIELDS records */
	bidx_buf fieldstr;       /* FIELDSTR records */
	bidx_buf ckpt_off;       /* CKPTS: first pair of each document */
	bidx_buf ckpts;          /* CKPTS: the pairs */
	uint64_t nckpts;         /* pairs in ckpts */
	uint64_t total_tokens, total_chars, text_bytes;   /* for META */
	/* a merge at the postings level: POSTINGS from terms, not inv */
	bidx_err (*terms)(void *arg, bidx_segw_term_fn fn, void *w);
	void *terms_arg;
	uint64_t nterms;
	const uint8_t *dict;     /* the dictionary adopted from a source */
	size_t dict_len;
	const bidx_segment *cmp_seg;  /* the last source compared with dict */
	int cmp_same;                 /* whether its dictionary is dict */
};

/* One document as committed: from an analysis, or read back from a
 * segment being merged. */
typedef struct doc_input {
	const char *path;
	size_t path_len;
	const char *title, *text;
	size_t tlen, len;
	const uint32_t *cp;
	uint32_t nchars, ntokens, title_start, title_end;
	const uint8_t *bits;
	const uint32_t *ckpt;    /* nckpt (char, byte) pairs */
	uint32_t nckpt;
	bidx_fieldrec frec;
	const uint8_t *fstr;
	size_t fstr_len;
} doc_input;

bidx_err bidx_assembly_new(bidx_assembly **out)
{
	bidx_assembly *b = bidx_calloc(1, sizeof *b);
	*out = NULL;
	if (!b)
		return BIDX_ENOMEM;
	bidx_err rc = bidx_inv_new(&b->inv);
	if (!rc)
		rc = bidx_dsw_new(&b->dsw);
	if (!rc)   /* STORE compresses while documents are inverted and postings encoded */
		bidx_dsw_background(b->dsw);
	if (rc)
		bidx_assembly_free(b);
	else
		*out = b;
	return rc;
}

void bidx_assembly_free(bidx_assembly *b)
{
	if (!b)
		return;
	bidx_inv_free(b->inv);
	bidx_dsw_free(b->dsw);
	free(b->docs);
	bidx_buf_free(&b->bounds);
	bidx_buf_free(&b->paths);
	bidx_buf_free(&b->fields);
	bidx_buf_free(&b->fieldstr);
	bidx_buf_free(&b->ckpt_off);
	bidx_buf_free(&b->ckpts);
	free(b);
}

uint32_t bidx_assembly_ndocs(const bidx_assembly *b)
{
	return (uint32_t)b->ndocs;
}

static bidx_err commit_records(bidx_assembly *b, const doc_input *a);

/* Adds one document under the next doc id. */
static bidx_err commit_doc(bidx_assembly *b, const doc_input *a)
{
	uint32_t id = (uint32_t)b->ndocs;
	bidx_err rc = bidx_inv_add(b->inv, id, a->cp, a->nchars, a->bits, a->title_start, a->title_end);
	if (!rc)
		rc = bidx_dsw_add(b->dsw, a->title, a->tlen, a->text, a->len);
	return rc ? rc : commit_records(b, a);
}

/* Appends a document's small records (all but POSTINGS and STORE). */
static bidx_err commit_records(bidx_assembly *b, const doc_input *a)
{
	bidx_docrec d = {0};
	uint8_t rec[BIDX_FIELDS_SIZE];
	bidx_fieldrec fr = a->frec;
	fr.str_off = b->fieldstr.len;
	fr.str_len = (uint32_t)a->fstr_len;
	bidx_buf_put(&b->fieldstr, a->fstr, a->fstr_len);
	bidx_fieldrec_encode(&fr, rec);
	bidx_buf_put(&b->fields, rec, sizeof rec);
	d.nchars = a->nchars;
	d.ntokens = a->ntokens;
	d.title_start = a->title_start;
	d.title_end = a->title_end;
	d.text_len = (uint32_t)a->len;
	d.bound_off = b->bounds.len;
	bidx_buf_put(&b->bounds, a->bits, ((size_t)a->nchars + 8) / 8);
	bidx_buf_put_u64le(&b->ckpt_off, b->nckpts);
	for (uint32_t k = 0; k < 2 * a->nckpt; k++)
		bidx_buf_put_u32le(&b->ckpts, a->ckpt[k]);
	b->nckpts += a->nckpt;
	d.path_off = (uint32_t)b->paths.len;
	d.path_len = (uint32_t)a->path_len;
	bidx_buf_put(&b->paths, a->path, d.path_len);
	if (b->bounds.err || b->paths.err || b->fields.err || b->fieldstr.err || b->ckpts.err ||
	    b->ckpt_off.err)
		return BIDX_ENOMEM;
	if (bidx_grow((void **)&b->docs, &b->cap, b->ndocs + 1, sizeof *b->docs))
		return BIDX_ENOMEM;
	b->docs[b->ndocs++] = d;
	b->total_tokens += d.ntokens;
	b->total_chars += a->nchars;
	b->text_bytes += a->len;
	return BIDX_OK;
}

bidx_err bidx_assembly_add_analysed(bidx_assembly *b, const bidx_adoc *a)
{
	doc_input v = {a->path, strlen(a->path), a->title ? a->title : a->text + a->tb, a->text,
	               a->title ? a->tlen : a->te - a->tb, a->len,
	               a->cp, a->nchars, a->ntokens, a->title_start, a->title_end, a->bits,
	               a->ckpt, a->nckpt, a->frec, a->fstr.p, a->fstr.len};
	return commit_doc(b, &v);
}

/* A stored document's checkpoints (CKPTS pairs) as the u32s commit_doc takes. */
static bidx_err copy_ckpts(const uint8_t *pairs, uint32_t npairs, uint32_t **out)
{
	uint32_t *ck = bidx_malloc(((size_t)npairs * 2 + 1) * sizeof *ck);
	if (!ck)
		return BIDX_ENOMEM;
	for (uint32_t k = 0; k < 2 * npairs; k++)
		ck[k] = bidx_get_u32le(pairs + 4 * (size_t)k);
	*out = ck;
	return BIDX_OK;
}

bidx_err bidx_assembly_add_stored(bidx_assembly *b, bidx_segment *s, uint32_t local)
{
	bidx_docrec d;
	bidx_fieldrec fr;
	const uint8_t *pairs;
	uint32_t npairs;
	char *buf = NULL;
	const char *title, *text;
	size_t tlen;
	bidx_norm n = {0};
	uint32_t *ck = NULL;
	bidx_err rc;
	if ((rc = bidx_segment_doc(s, local, &d)) != BIDX_OK ||
	    (rc = bidx_segment_fields(s, local, &fr)) != BIDX_OK ||
	    (rc = bidx_segment_ckpts(s, local, &pairs, &npairs)) != BIDX_OK ||
	    (rc = bidx_segment_fetch(s, &d, &buf, &title, &tlen, &text)) != BIDX_OK ||
	    (rc = bidx_normalize(text, d.text_len, 0, &n)) != BIDX_OK)
		goto out;
	if (n.nchars != d.nchars) {
		rc = bidx_corrupt();
		goto out;
	}
	if ((rc = copy_ckpts(pairs, npairs, &ck)) != BIDX_OK)
		goto out;
	doc_input v = {bidx_segment_path(s, &d), d.path_len, title, text, tlen, d.text_len,
	               n.cp, d.nchars, d.ntokens, d.title_start, d.title_end,
	               bidx_segment_bounds(s, &d), ck, npairs, fr,
	               bidx_segment_fieldstr(s, &fr), fr.str_len};
	rc = commit_doc(b, &v);
out:
	free(ck);
	bidx_norm_free(&n);
	free(buf);
	return rc;
}

bidx_err bidx_assembly_adopt_dict(bidx_assembly *b, const bidx_segment *s)
{
	const uint8_t *p;
	size_t len;
	bidx_segment_section(s, BIDX_SEC_ZDICT, &p, &len);
	bidx_err rc = bidx_dsw_add_frame(b->dsw, p, len, NULL, 0);
	if (!rc) {
		b->dict = p;
		b->dict_len = len;
		b->cmp_seg = NULL;
	}
	return rc;
}

/* Whether the frames of s were compressed with the adopted dictionary. */
static int same_dict(bidx_assembly *b, const bidx_segment *s)
{
	if (s != b->cmp_seg) {
		const uint8_t *p;
		size_t len;
		bidx_segment_section(s, BIDX_SEC_ZDICT, &p, &len);
		b->cmp_seg = s;
		b->cmp_same = b->dict && len == b->dict_len && (!len || !memcmp(p, b->dict, len));
	}
	return b->cmp_same;
}

bidx_err bidx_assembly_add_copied(bidx_assembly *b, bidx_segment *s, uint32_t local)
{
	bidx_docrec d;
	bidx_fieldrec fr;
	const uint8_t *pairs, *store;
	size_t store_len;
	uint32_t npairs;
	char *buf = NULL;
	const char *title, *text;
	size_t tlen;
	uint32_t *ck = NULL;
	bidx_err rc;
	if ((rc = bidx_segment_doc(s, local, &d)) != BIDX_OK ||
	    (rc = bidx_segment_fields(s, local, &fr)) != BIDX_OK ||
	    (rc = bidx_segment_ckpts(s, local, &pairs, &npairs)) != BIDX_OK)
		goto out;
	if (same_dict(b, s)) {
		bidx_segment_section(s, BIDX_SEC_STORE, &store, &store_len);
		if ((rc = bidx_segment_need(s, BIDX_SEC_STORE, d.store_off, d.store_len)) != BIDX_OK)
			goto out;
		rc = bidx_dsw_add_frame(b->dsw, b->dict, b->dict_len, store + d.store_off, d.store_len);
	} else {
		if ((rc = bidx_segment_fetch(s, &d, &buf, &title, &tlen, &text)) == BIDX_OK)
			rc = bidx_dsw_add(b->dsw, title, tlen, text, d.text_len);
	}
	if (rc)
		goto out;
	if ((rc = copy_ckpts(pairs, npairs, &ck)) != BIDX_OK)
		goto out;
	doc_input v = {bidx_segment_path(s, &d), d.path_len, NULL, NULL, 0, d.text_len,
	               NULL, d.nchars, d.ntokens, d.title_start, d.title_end,
	               bidx_segment_bounds(s, &d), ck, npairs, fr,
	               bidx_segment_fieldstr(s, &fr), fr.str_len};
	rc = commit_records(b, &v);
out:
	free(ck);
	free(buf);
	return rc;
}

void bidx_assembly_set_postings(bidx_assembly *b, uint64_t nterms,
                                bidx_err (*terms)(void *arg, bidx_segw_term_fn fn, void *w),
                                void *arg)
{
	b->nterms = nterms;
	b->terms = terms;
	b->terms_arg = arg;
}

static bidx_err inv_terms(void *inv, bidx_segw_term_fn fn, void *w)
{
	return bidx_inv_write(inv, fn, w);
}

bidx_err bidx_assembly_write(bidx_assembly *b, const char *dir, const char *name, char *why,
                             size_t whylen)
{
	uint64_t size;
	bidx_segw_input in = {
		{(uint32_t)b->ndocs, b->total_tokens, b->total_chars,
		 b->terms ? b->nterms : bidx_inv_nterms(b->inv), (uint64_t)time(NULL), b->text_bytes},
		b->terms ? b->terms : inv_terms, b->terms ? b->terms_arg : b->inv, b->docs, b->dsw,
		{b->bounds.p, b->bounds.len}, {b->paths.p, b->paths.len},
		{b->fields.p, b->fields.len}, {b->fieldstr.p, b->fieldstr.len},
		{b->ckpt_off.p, b->ckpt_off.len}, {b->ckpts.p, b->ckpts.len}, b->nckpts};
	return bidx_segw_write(dir, name, &in, &size, why, whylen);
}
