#include "build.h"
#include "buf.h"
#include "corpus.h"
#include "docstore.h"
#include "encoding.h"
#include "fault.h"
#include "fields.h"
#include "format.h"
#include "invert.h"
#include "notice.h"
#include "rows.h"
#include "io.h"
#include "normalize.h"
#include "segment_writer.h"
#include "tokenize.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct builder {
	const bidx_build_opts *o;
	bidx_build_stats *st;
	bidx_tokenizer *tok;
	bidx_inverter *inv;
	bidx_dsw *dsw;
	bidx_docrec *docs;       /* one per indexed document */
	size_t ndocs, cap;
	bidx_buf bounds;
	bidx_buf paths;
	bidx_buf bits;           /* scratch bitmap */
	bidx_buf fields;         /* FIELDS records */
	bidx_buf fieldstr;       /* FIELDSTR records */
	bidx_buf scratch;        /* one document's FIELDSTR record */
	uint64_t total_tokens, total_chars;
	double t0, last_progress;
	int progress_shown;
} builder;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_skip(const char *path, const char *reason, void *arg)
{
	builder *b = arg;
	if (b->progress_shown)
		fputs("\r\033[K", b->o->msg);
	fprintf(b->o->msg, "bidx: %s: %s\n", path, reason);
	b->st->skipped++;
}

static void progress(builder *b, size_t i, size_t n)
{
	double t = now();
	if (!b->o->progress || t - b->t0 < 1.0 || t - b->last_progress < 0.1)
		return;
	b->last_progress = t;
	b->progress_shown = 1;
	fprintf(b->o->msg, "\r\033[Kbidx: %zu/%zu files, %.1f MB, %.1f MB/s", i, n,
	        b->st->bytes / 1e6, b->st->bytes / 1e6 / (t - b->t0));
	fflush(b->o->msg);
}

/* The title's character range: the normalised characters whose source bytes
 * lie inside the title line. */
static void title_range(const bidx_norm *n, size_t tb, size_t te, uint32_t *ts, uint32_t *tend)
{
	uint32_t i = 0;
	*ts = *tend = 0;
	if (tb == te)
		return;
	while (i < n->nchars && n->src_start[i] < tb)
		i++;
	uint32_t j = i;
	while (j < n->nchars && n->src_end[j] <= te)
		j++;
	*ts = i;
	*tend = j;
}

/* Appends one named string field, normalised for matching. */
static bidx_err put_fstr(builder *b, const char *name, const char *v, size_t vl, const char *src)
{
	bidx_norm n;
	bidx_err rc = bidx_normalize(v, vl, 0, &n);
	if (rc)
		return rc;
	bidx_fstr_put(&b->scratch, name, v, vl, n.text, n.len, src);
	bidx_norm_free(&n);
	return b->scratch.err;
}

static bidx_err put_facts_strings(builder *b, const bidx_facts *f)
{
	bidx_err rc = BIDX_OK;
	char iso[11], iso2[11], period[32];
	for (int i = 0; i < f->nphones && !rc; i++)
		rc = put_fstr(b, "phone", f->phones[i], strlen(f->phones[i]), "text");
	for (int i = 0; i < f->nemails && !rc; i++)
		rc = put_fstr(b, "email", f->emails[i], strlen(f->emails[i]), "text");
	if (!rc && f->period_from.prec) {
		bidx_date_iso(&f->period_from, iso);
		iso2[0] = 0;
		if (f->period_to.prec)
			bidx_date_iso(&f->period_to, iso2);
		snprintf(period, sizeof period, "%s..%s", iso, iso2);
		rc = put_fstr(b, "period", period, strlen(period), "text");
	}
	return rc;
}

/* The FIELDS and FIELDSTR records of a notice. */
static bidx_err add_fields(builder *b, const bidx_notice *nt)
{
	bidx_fieldrec r = {0};
	uint8_t rec[BIDX_FIELDS_SIZE];
	char iso[11];
	bidx_err rc = BIDX_OK;
	b->scratch.len = 0;
	if (nt->date.prec) {
		bidx_date_span(&nt->date, &r.date_lo, &r.date_hi);
		r.date_prec = (uint8_t)nt->date.prec;
		bidx_date_iso(&nt->date, iso);
		rc = put_fstr(b, "date", iso, strlen(iso), nt->date_source);
	}
	for (int i = 0; i < nt->nfields && !rc; i++)
		rc = put_fstr(b, nt->fields[i].name, nt->fields[i].value, nt->fields[i].vlen,
		              nt->fields[i].source);
	if (!rc)
		rc = put_facts_strings(b, &nt->facts);
	if (rc)
		return rc;
	r.affected = nt->facts.affected;
	r.unit = (uint8_t)nt->facts.unit;
	r.qual = (uint8_t)nt->facts.qual;
	r.leaked = nt->facts.leaked;
	r.method = nt->facts.method;
	r.authorities = nt->facts.authorities;
	r.str_off = b->fieldstr.len;
	r.str_len = (uint32_t)b->scratch.len;
	bidx_buf_put(&b->fieldstr, b->scratch.p, b->scratch.len);
	bidx_fieldrec_encode(&r, rec);
	bidx_buf_put(&b->fields, rec, sizeof rec);
	return b->fieldstr.err ? b->fieldstr.err : b->fields.err;
}

static bidx_err add_notice(builder *b, const char *path, const bidx_notice *nt)
{
	bidx_norm n = {0};
	const char *text = nt->text;
	size_t len = nt->len, tb = nt->title_start, te = nt->title_end;
	bidx_err rc = bidx_normalize(text, len, 1, &n);
	if (rc)
		return rc;
	if (n.nchars == 0) {
		bidx_norm_free(&n);
		on_skip(path, "no text after normalisation; skipped", b);
		return BIDX_OK;
	}
	bidx_docrec d = {0};
	title_range(&n, tb, te, &d.title_start, &d.title_end);
	size_t blen = ((size_t)n.nchars + 8) / 8;
	b->bits.len = 0;
	if (bidx_buf_reserve(&b->bits, blen)) {
		rc = BIDX_ENOMEM;
		goto out;
	}
	memset(b->bits.p, 0, blen);
	rc = bidx_tokenize(b->tok, &n, b->bits.p, &d.ntokens);
	if (!rc)
		rc = bidx_inv_add(b->inv, (uint32_t)b->ndocs, n.cp, n.nchars, b->bits.p,
		                  d.title_start, d.title_end);
	if (!rc)
		rc = bidx_dsw_add(b->dsw, text + tb, te - tb, text, len);
	if (!rc)
		rc = add_fields(b, nt);
	if (rc)
		goto out;
	d.nchars = n.nchars;
	d.text_len = (uint32_t)len;
	d.bound_off = b->bounds.len;
	bidx_buf_put(&b->bounds, b->bits.p, blen);
	d.path_off = (uint32_t)b->paths.len;
	d.path_len = (uint32_t)strlen(path);
	bidx_buf_put(&b->paths, path, d.path_len);
	if (b->bounds.err || b->paths.err) {
		rc = BIDX_ENOMEM;
		goto out;
	}
	if (b->ndocs == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 1024;
		bidx_docrec *nd = bidx_realloc(b->docs, nc * sizeof *nd);
		if (!nd) {
			rc = BIDX_ENOMEM;
			goto out;
		}
		b->docs = nd;
		b->cap = nc;
	}
	b->docs[b->ndocs++] = d;
	b->total_tokens += d.ntokens;
	b->total_chars += n.nchars;
	b->st->docs++;
out:
	bidx_norm_free(&n);
	return rc;
}

static int has_ext(const char *path, const char *ext)
{
	size_t pl = strlen(path), el = strlen(ext);
	return pl > el && !strcasecmp(path + pl - el, ext);
}

/* One CSV or JSON Lines file: a notice per record, shown as FILE:LINE. */
static bidx_err add_rows(builder *b, const char *path, const char *text, size_t len, int json)
{
	bidx_rows *r;
	bidx_row row;
	char why[256], rowpath[4200];
	bidx_err rc = bidx_rows_open(json ? BIDX_ROWS_JSONL : BIDX_ROWS_CSV, text, len, &r, why, sizeof why);
	if (rc == BIDX_EINPUT) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s; skipped", why);
		on_skip(path, msg, b);
		return BIDX_OK;
	}
	if (rc)
		return rc;
	int got;
	while (!rc && (got = bidx_rows_next(r, &row, why, sizeof why)) != 0) {
		if (got < 0) {
			char msg[300];
			snprintf(msg, sizeof msg, "%s; record skipped", why);
			on_skip(path, msg, b);
			continue;
		}
		bidx_notice nt;
		snprintf(rowpath, sizeof rowpath, "%s:%u", path, row.line);
		rc = bidx_notice_from_row(&nt, &row, b->o->map, json, why, sizeof why);
		if (rc == BIDX_EINPUT) {
			char msg[300];
			snprintf(msg, sizeof msg, "%s; record skipped", why);
			on_skip(rowpath, msg, b);
			rc = BIDX_OK;
		} else if (!rc) {
			rc = add_notice(b, rowpath, &nt);
		}
		bidx_notice_free(&nt);
	}
	bidx_rows_free(r);
	if (!rc)
		b->st->bytes += len;
	return rc;
}

/* Indexes one file's UTF-8 text: rows of a CSV/JSON Lines file, or one
 * plain-text notice. */
static bidx_err add_doc(builder *b, const char *path, const char *text, size_t len)
{
	if (has_ext(path, ".csv"))
		return add_rows(b, path, text, len, 0);
	if (has_ext(path, ".jsonl") || has_ext(path, ".ndjson"))
		return add_rows(b, path, text, len, 1);
	bidx_notice nt;
	bidx_notice_from_text(&nt, path, text, len);
	bidx_err rc = add_notice(b, path, &nt);
	if (!rc)
		b->st->bytes += len;
	bidx_notice_free(&nt);
	return rc;
}

/* Reads and indexes one file; problems with the file itself are skips. */
static bidx_err index_file(builder *b, const char *path)
{
	char why[192], msg[224];
	bidx_text t;
	size_t bad = bidx_utf8_check((const uint8_t *)path, strlen(path));
	if (bad < strlen(path)) {
		snprintf(msg, sizeof msg, "file name is not valid UTF-8 (byte %zu); skipped", bad);
		on_skip(path, msg, b);
		return BIDX_OK;
	}
	bidx_err rc = bidx_text_load(path, BIDX_MAX_FILE_BYTES, &t, why, sizeof why);
	if (rc == BIDX_EIO || rc == BIDX_EINPUT) {
		snprintf(msg, sizeof msg, "%s; skipped", why);
		on_skip(path, msg, b);
		return BIDX_OK;
	}
	if (rc)
		return rc;
	if (t.len > UINT32_MAX) {
		on_skip(path, "larger than 4 GiB; skipped", b);
		bidx_text_free(&t);
		return BIDX_OK;
	}
	rc = add_doc(b, path, t.p, t.len);
	if (!rc && b->o->verbose)
		fprintf(b->o->msg, "bidx: %s: indexed (%zu bytes, %s)\n", path, t.raw_len, t.encoding);
	bidx_text_free(&t);
	return rc;
}

static void write_docs(builder *b, bidx_segw *w)
{
	uint8_t rec[BIDX_DOC_SIZE];
	for (size_t i = 0; i < b->ndocs; i++) {
		bidx_docrec *d = &b->docs[i];
		bidx_dsw_frame(b->dsw, (uint32_t)i, &d->store_off, &d->store_len);
		bidx_docrec_encode(d, rec);
		bidx_segw_write(w, rec, sizeof rec);
	}
}

static bidx_err write_index(builder *b, char *why, size_t whylen)
{
	bidx_segw w;
	uint8_t meta[BIDX_META_SIZE];
	bidx_err rc = bidx_dsw_finish(b->dsw);
	if (!rc)
		rc = bidx_segw_open(&w, b->o->index_dir);
	if (rc) {
		snprintf(why, whylen, "cannot create the index in %s: %s", b->o->index_dir,
		         rc == BIDX_EIO ? strerror(errno) : bidx_strerror(rc));
		return rc;
	}
	bidx_meta m = {(uint32_t)b->ndocs, b->total_tokens, b->total_chars,
	               bidx_inv_nterms(b->inv), (uint64_t)time(NULL), b->st->bytes};
	bidx_meta_encode(&m, meta);
	bidx_segw_begin(&w, BIDX_SEC_META);
	bidx_segw_write(&w, meta, sizeof meta);
	bidx_segw_begin(&w, BIDX_SEC_POSTINGS);
	rc = bidx_inv_write(b->inv, bidx_segw_term, &w);
	bidx_segw_begin(&w, BIDX_SEC_TERMS);
	bidx_segw_terms(&w);
	bidx_segw_begin(&w, BIDX_SEC_DOCS);
	write_docs(b, &w);
	bidx_segw_begin(&w, BIDX_SEC_BOUNDS);
	bidx_segw_write(&w, b->bounds.p, b->bounds.len);
	bidx_segw_begin(&w, BIDX_SEC_PATHS);
	bidx_segw_write(&w, b->paths.p, b->paths.len);
	bidx_segw_begin(&w, BIDX_SEC_STORE);
	bidx_segw_write(&w, bidx_dsw_store(b->dsw)->p, bidx_dsw_store(b->dsw)->len);
	bidx_segw_begin(&w, BIDX_SEC_ZDICT);
	bidx_segw_write(&w, bidx_dsw_dict(b->dsw)->p, bidx_dsw_dict(b->dsw)->len);
	bidx_segw_chunks(&w);
	bidx_segw_begin(&w, BIDX_SEC_FIELDS);
	bidx_segw_write(&w, b->fields.p, b->fields.len);
	bidx_segw_begin(&w, BIDX_SEC_FIELDSTR);
	bidx_segw_write(&w, b->fieldstr.p, b->fieldstr.len);
	if (rc) {
		bidx_segw_abort(&w);
	} else {
		rc = bidx_segw_commit(&w, &b->st->index_bytes);
	}
	if (rc)
		snprintf(why, whylen, "cannot write the index in %s: %s", b->o->index_dir,
		         rc == BIDX_EIO ? strerror(errno) : bidx_strerror(rc));
	b->st->terms = m.nterms;
	return rc;
}

static void builder_free(builder *b)
{
	bidx_tokenizer_free(b->tok);
	bidx_inv_free(b->inv);
	bidx_dsw_free(b->dsw);
	free(b->docs);
	bidx_buf_free(&b->bounds);
	bidx_buf_free(&b->paths);
	bidx_buf_free(&b->bits);
	bidx_buf_free(&b->fields);
	bidx_buf_free(&b->fieldstr);
	bidx_buf_free(&b->scratch);
}

bidx_err bidx_build(const char *const *paths, int npaths, const bidx_build_opts *opts,
                    bidx_build_stats *st, char *why, size_t whylen)
{
	builder b = {0};
	bidx_filelist fl = {0};
	bidx_err rc = BIDX_OK;
	memset(st, 0, sizeof *st);
	b.o = opts;
	b.st = st;
	b.t0 = now();
	why[0] = 0;
	for (int i = 0; i < npaths && rc != BIDX_ENOMEM; i++)
		rc = bidx_corpus_walk(paths[i], &fl, on_skip, &b);
	if (rc == BIDX_ENOMEM)
		goto fail;
	rc = bidx_tokenizer_new(&b.tok, why, whylen);
	if (!rc)
		rc = bidx_inv_new(&b.inv);
	if (!rc)
		rc = bidx_dsw_new(&b.dsw);
	for (size_t i = 0; i < fl.n && !rc; i++) {
		st->files_seen++;
		rc = index_file(&b, fl.paths[i]);
		progress(&b, i + 1, fl.n);
	}
	if (b.progress_shown)
		fputs("\r\033[K", opts->msg);
	if (rc)
		goto fail;
	if (b.ndocs == 0) {
		snprintf(why, whylen, "no documents to index; the index was not changed");
		rc = BIDX_EINPUT;
		goto fail;
	}
	rc = write_index(&b, why, whylen);
	st->seconds = now() - b.t0;
fail:
	if (rc && !why[0])
		snprintf(why, whylen, "%s", bidx_strerror(rc));
	bidx_filelist_free(&fl);
	builder_free(&b);
	return rc;
}
