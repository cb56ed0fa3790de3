/*
 * build.c - `bidx build`.  Worker threads analyse files (analyze.c: decode,
 * cut into notices, normalise, MeCab, fields) up to BUILD_WINDOW files ahead;
 * the calling thread commits them strictly in file order (inverted index,
 * document store, columns), so doc ids, messages and the index bytes are the
 * same whatever the number of threads.  Then the index is written and
 * published atomically (segment_writer.c).
 */
#include "build.h"
#include "analyze.h"
#include "buf.h"
#include "corpus.h"
#include "docstore.h"
#include "fault.h"
#include "fields.h"
#include "format.h"
#include "invert.h"
#include "io.h"
#include "segment_writer.h"
#include "tokenize.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUILD_WINDOW 64       /* files analysed ahead of the commit point */
#define BUILD_MAX_THREADS 16

typedef struct builder {
	const bidx_build_opts *o;
	bidx_build_stats *st;
	bidx_inverter *inv;
	bidx_dsw *dsw;
	bidx_docrec *docs;       /* one per indexed document */
	size_t ndocs, cap;
	bidx_buf bounds;
	bidx_buf paths;
	bidx_buf fields;         /* FIELDS records */
	bidx_buf fieldstr;       /* FIELDSTR records */
	bidx_buf ckpt_off;       /* CKPTS: first pair of each document */
	bidx_buf ckpts;          /* CKPTS: the pairs */
	uint64_t nckpts;
	uint64_t total_tokens, total_chars, text_bytes;
	double t0, last_progress;
	int progress_shown;
} builder;

/* The work shared by the analysis threads and the committing thread. */
typedef struct pool {
	const bidx_filelist *fl;
	bidx_fileout *out;       /* one slot per file */
	char *ready;             /* slot i analysed */
	size_t next;             /* next file to hand out */
	size_t committed;        /* files committed so far */
	int stop;                /* the build failed: workers quit */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const bidx_build_opts *o;
	bidx_err rc;             /* first worker failure (MeCab load) */
	char why[256];
} pool;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void clear_progress(builder *b)
{
	if (b->progress_shown)
		fputs("\r\033[K", b->o->msg);
	b->progress_shown = 0;
}

static void on_skip(const char *path, const char *reason, void *arg)
{
	builder *b = arg;
	clear_progress(b);
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

/* Adds one analysed document under the next doc id. */
static bidx_err commit_doc(builder *b, bidx_adoc *a)
{
	bidx_docrec d = {0};
	uint32_t id = (uint32_t)b->ndocs;
	bidx_err rc = bidx_inv_add(b->inv, id, a->cp, a->nchars, a->bits, a->title_start, a->title_end);
	if (!rc)
		rc = bidx_dsw_add(b->dsw, a->text + a->tb, a->te - a->tb, a->text, a->len);
	if (rc)
		return rc;
	uint8_t rec[BIDX_FIELDS_SIZE];
	a->frec.str_off = b->fieldstr.len;
	a->frec.str_len = (uint32_t)a->fstr.len;
	bidx_buf_put(&b->fieldstr, a->fstr.p, a->fstr.len);
	bidx_fieldrec_encode(&a->frec, rec);
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
	d.path_len = (uint32_t)strlen(a->path);
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
	b->st->docs++;
	return BIDX_OK;
}

/* Commits one analysed file: its messages, then its documents. */
static bidx_err commit_file(builder *b, bidx_fileout *f)
{
	if (f->msgs.len) {
		clear_progress(b);
		fwrite(f->msgs.p, 1, f->msgs.len, b->o->msg);
	}
	b->st->skipped += f->skipped;
	b->st->bytes += f->bytes;
	bidx_err rc = f->rc;
	for (size_t i = 0; i < f->n && !rc; i++)
		rc = commit_doc(b, &f->docs[i]);
	return rc;
}

static void *worker(void *arg)
{
	pool *p = arg;
	char why[256];
	bidx_analyzer a = {NULL, p->o->map, p->o->verbose};
	bidx_err rc = bidx_tokenizer_new(&a.tok, why, sizeof why);
	pthread_mutex_lock(&p->mu);
	if (rc) {
		if (!p->rc) {
			p->rc = rc;
			snprintf(p->why, sizeof p->why, "%s", why);
		}
		p->stop = 1;
		pthread_cond_broadcast(&p->cv);
	}
	while (!p->stop) {
		if (p->next >= p->fl->n)
			break;
		if (p->next >= p->committed + BUILD_WINDOW) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		bidx_analyze_file(&a, p->fl->paths[i], &p->out[i]);
		pthread_mutex_lock(&p->mu);
		p->ready[i] = 1;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	bidx_tokenizer_free(a.tok);
	return NULL;
}

/* Commits files in order as the workers finish them. */
static bidx_err commit_all(builder *b, pool *p)
{
	bidx_err rc = BIDX_OK;
	for (size_t i = 0; i < p->fl->n && !rc; i++) {
		pthread_mutex_lock(&p->mu);
		while (!p->ready[i] && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		int stopped = !p->ready[i];
		pthread_mutex_unlock(&p->mu);
		if (stopped)
			return p->rc ? p->rc : BIDX_EMECAB;
		b->st->files_seen++;
		rc = commit_file(b, &p->out[i]);
		bidx_fileout_free(&p->out[i]);
		pthread_mutex_lock(&p->mu);
		p->committed = i + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		progress(b, i + 1, p->fl->n);
	}
	return rc;
}

static int thread_count(const bidx_build_opts *o, size_t nfiles)
{
	long n = o->threads;
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > BUILD_MAX_THREADS)
		n = BUILD_MAX_THREADS;
	if ((size_t)n > nfiles)
		n = nfiles ? (long)nfiles : 1;
	return (int)n;
}

/* Analyses and commits every file with the workers. */
static bidx_err run_pool(builder *b, const bidx_filelist *fl, char *why, size_t whylen)
{
	pool p = {.fl = fl, .o = b->o};
	pthread_t th[BUILD_MAX_THREADS];
	int nth = thread_count(b->o, fl->n), started = 0;
	bidx_err rc = BIDX_OK;
	p.out = bidx_calloc(fl->n + 1, sizeof *p.out);
	p.ready = bidx_calloc(fl->n + 1, 1);
	if (!p.out || !p.ready) {
		free(p.out);
		free(p.ready);
		return BIDX_ENOMEM;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	for (; started < nth; started++)
		if (pthread_create(&th[started], NULL, worker, &p))
			break;
	if (started == 0)
		rc = BIDX_ENOMEM;
	if (!rc)
		rc = commit_all(b, &p);
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (rc && p.why[0])
		snprintf(why, whylen, "%s", p.why);
	for (size_t i = 0; i < fl->n; i++)
		bidx_fileout_free(&p.out[i]);
	free(p.out);
	free(p.ready);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
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
	               bidx_inv_nterms(b->inv), (uint64_t)time(NULL), b->text_bytes};
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
	bidx_buf_put_u64le(&b->ckpt_off, b->nckpts);   /* the end of the last document */
	if (b->ckpt_off.err && !rc)
		rc = BIDX_ENOMEM;
	bidx_segw_begin(&w, BIDX_SEC_CKPTS);
	bidx_segw_write(&w, b->ckpt_off.p, b->ckpt_off.len);
	bidx_segw_write(&w, b->ckpts.p, b->ckpts.len);
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
	bidx_inv_free(b->inv);
	bidx_dsw_free(b->dsw);
	free(b->docs);
	bidx_buf_free(&b->bounds);
	bidx_buf_free(&b->paths);
	bidx_buf_free(&b->fields);
	bidx_buf_free(&b->fieldstr);
	bidx_buf_free(&b->ckpt_off);
	bidx_buf_free(&b->ckpts);
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
	rc = bidx_inv_new(&b.inv);
	if (!rc)
		rc = bidx_dsw_new(&b.dsw);
	if (!rc)
		rc = run_pool(&b, &fl, why, whylen);
	clear_progress(&b);
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
