/*
 * build.c - `bidx build` and `bidx optimize`.  Worker threads analyse files
 * (analyze.c: decode, cut into notices, normalise, MeCab, fields) up to
 * BUILD_WINDOW files ahead; the calling thread commits them strictly in file
 * order into a new segment, so doc ids, messages and the index bytes are the
 * same whatever the number of threads.  Files the previous build saw with
 * the same content keep their documents where they are; the documents of
 * changed and vanished files are left out of the new manifest's maps
 * (deleted).  Segments are merged by size tier, and the manifest is
 * published last (manifest.h), so a failed or killed build changes nothing.
 */
#include "build.h"
#include "analyze.h"
#include "buf.h"
#include "checksum.h"
#include "corpus.h"
#include "docstore.h"
#include "fault.h"
#include "fields.h"
#include "index.h"
#include "format.h"
#include "invert.h"
#include "io.h"
#include "manifest.h"
#include "normalize.h"
#include "notice.h"
#include "pathshow.h"
#include "segment.h"
#include "segment_writer.h"
#include "termsafe.h"
#include "tokenize.h"
#include "varint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

typedef struct ctx ctx;

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
	ctx *c;                  /* the previous build's sources, read-only here */
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
	size_t n;
	const char *shown = bidx_path_shown(path, strlen(path), &n);
	clear_progress(b);
	bidx_ts_msg(b->o->msg, "bidx: %.*s: %s", (int)n, shown, reason);
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

/* One document as committed: from an analysis, or read back from a
 * segment being merged. */
typedef struct docview {
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
} docview;

/* Adds one document under the next doc id. */
static bidx_err commit_doc(builder *b, const docview *a)
{
	bidx_docrec d = {0};
	uint32_t id = (uint32_t)b->ndocs;
	bidx_err rc = bidx_inv_add(b->inv, id, a->cp, a->nchars, a->bits, a->title_start, a->title_end);
	if (!rc)
		rc = bidx_dsw_add(b->dsw, a->title, a->tlen, a->text, a->len);
	if (rc)
		return rc;
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

static bidx_err commit_adoc(builder *b, const bidx_adoc *a)
{
	docview v = {a->path, strlen(a->path), a->title ? a->title : a->text + a->tb, a->text,
	             a->title ? a->tlen : a->te - a->tb, a->len,
	             a->cp, a->nchars, a->ntokens, a->title_start, a->title_end, a->bits,
	             a->ckpt, a->nckpt, a->frec, a->fstr.p, a->fstr.len};
	bidx_err rc = commit_doc(b, &v);
	if (!rc)
		b->st->docs++;
	return rc;
}

/* A segment of the index being built: one the previous manifest listed, one
 * written by this build, or (live == 0) one on its way out. */
typedef struct segent {
	uint32_t seq;
	bidx_segment *s;         /* owned */
	uint32_t live;           /* documents the catalogue still refers to */
	int is_new;              /* written by this build: removed if it fails */
} segent;

/* The whole build: the previous state, the catalogue being made, segments. */
struct ctx {
	const bidx_build_opts *o;
	bidx_build_stats *st;
	bidx_manifest prev;      /* with sources; empty when there is none to reuse */
	uint32_t *phash;         /* open-addressing table over prev.src paths */
	size_t phcap;
	uint8_t *seen;           /* prev sources met by this walk */
	bidx_source *src;        /* the new catalogue, in corpus order */
	size_t nsrc, srccap;
	segent *segs;
	size_t nsegs, segcap;
	uint32_t next_seq;
	int touched;             /* a source's size or mtime changed, not its bytes */
	uint64_t settings;       /* bidx_build_settings() of this build */
	char **roots;            /* the corpus roots of the new manifest; owned */
	uint32_t nroots;
	char **gone_roots;       /* roots the previous manifest had and this one drops */
	uint32_t ngone;
	uint32_t last_write_terms;
};

#define NOSRC UINT32_MAX
#define MERGE_FACTOR 10      /* segments of one size tier that trigger a merge */

static uint64_t path_hash(const char *p)
{
	return bidx_xxh3(p, strlen(p));
}

/* Index of prev's source with this path, or NOSRC. */
static uint32_t prev_find(const ctx *c, const char *path)
{
	if (!c->phcap)
		return NOSRC;
	for (size_t h = path_hash(path) & (c->phcap - 1);; h = (h + 1) & (c->phcap - 1)) {
		uint32_t k = c->phash[h];
		if (k == NOSRC || !strcmp(c->prev.src[k].path, path))
			return k;
	}
}

static bidx_err prev_index(ctx *c)
{
	c->phcap = 16;
	while (c->phcap < 2 * (size_t)c->prev.nsrc + 1)
		c->phcap *= 2;
	c->phash = bidx_malloc(c->phcap * sizeof *c->phash);
	c->seen = bidx_calloc((size_t)c->prev.nsrc + 1, 1);
	if (!c->phash || !c->seen)
		return BIDX_ENOMEM;
	memset(c->phash, 0xff, c->phcap * sizeof *c->phash);
	for (uint32_t i = 0; i < c->prev.nsrc; i++) {
		size_t h = path_hash(c->prev.src[i].path) & (c->phcap - 1);
		while (c->phash[h] != NOSRC)
			h = (h + 1) & (c->phcap - 1);
		c->phash[h] = i;
	}
	return BIDX_OK;
}

/* Appends s to the catalogue under (a copy of) path. */
static bidx_err add_source(ctx *c, const bidx_source *s, const char *path)
{
	if (bidx_grow((void **)&c->src, &c->srccap, c->nsrc + 1, sizeof *c->src))
		return BIDX_ENOMEM;
	c->src[c->nsrc] = *s;
	c->src[c->nsrc].path = strdup(path);
	if (!c->src[c->nsrc].path)
		return BIDX_ENOMEM;
	c->nsrc++;
	return BIDX_OK;
}

/* Commits one analysed file: its messages, then its documents, into the
 * new segment (which will sit at index c->prev.nsegs of c->segs). */
static bidx_err commit_file(ctx *c, builder *b, const char *path, bidx_fileout *f)
{
	uint32_t k = c->prev.nsrc ? prev_find(c, path) : NOSRC;
	bidx_err rc = BIDX_OK;
	if (k != NOSRC)
		c->seen[k] = 1;
	if (f->unchanged) {
		bidx_source s = c->prev.src[k];
		c->touched |= s.size != f->size || s.mtime_ns != f->mtime_ns;
		s.size = f->size;
		s.mtime_ns = f->mtime_ns;
		c->st->unchanged++;
		return add_source(c, &s, s.path);
	}
	if (f->msgs.len) {
		clear_progress(b);
		bidx_ts_lines(b->o->msg, (const char *)f->msgs.p, f->msgs.len);
	}
	b->st->skipped += f->skipped;
	b->st->bytes += f->bytes;
	rc = f->rc;
	if (!rc && f->n) {
		bidx_source s = {NULL, f->size, f->mtime_ns, f->hash, f->bytes,
		                 c->prev.nsegs, (uint32_t)b->ndocs, (uint32_t)f->n};
		rc = add_source(c, &s, path);
	}
	for (size_t i = 0; i < f->n && !rc; i++)
		rc = commit_adoc(b, &f->docs[i]);
	if (k != NOSRC && f->n)
		c->st->updated++;
	else if (k != NOSRC)
		c->seen[k] = 0;      /* gives nothing now: removed (report_removed) */
	else if (f->n)
		c->st->added++;
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
		uint32_t k = p->c->prev.nsrc ? prev_find(p->c, p->fl->paths[i]) : NOSRC;
		bidx_analyze_file(&a, p->fl->paths[i], k == NOSRC ? NULL : &p->c->prev.src[k],
		                  &p->out[i]);
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
		rc = commit_file(p->c, b, p->fl->paths[i], &p->out[i]);
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
static bidx_err run_pool(ctx *c, builder *b, const bidx_filelist *fl, char *why, size_t whylen)
{
	pool p = {.fl = fl, .o = b->o, .c = c};
	pthread_t th[BUILD_MAX_THREADS];
	int nth = thread_count(b->o, fl->n), started = 0;
	bidx_err rc = BIDX_OK;
	if (fl->n == 0)
		return BIDX_OK;
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

static bidx_err inv_terms(void *inv, bidx_segw_term_fn fn, void *w)
{
	return bidx_inv_write(inv, fn, w);
}

/* Writes the builder's documents as segment file `name`. */
static bidx_err write_segment(builder *b, const char *name, char *why, size_t whylen)
{
	uint64_t size;
	bidx_segw_input in = {
		{(uint32_t)b->ndocs, b->total_tokens, b->total_chars, bidx_inv_nterms(b->inv),
		 (uint64_t)time(NULL), b->text_bytes},
		inv_terms, b->inv, b->docs, b->dsw,
		{b->bounds.p, b->bounds.len}, {b->paths.p, b->paths.len},
		{b->fields.p, b->fields.len}, {b->fieldstr.p, b->fieldstr.len},
		{b->ckpt_off.p, b->ckpt_off.len}, {b->ckpts.p, b->ckpts.len}, b->nckpts};
	return bidx_segw_write(b->o->index_dir, name, &in, &size, why, whylen);
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
	memset(b, 0, sizeof *b);
}

static bidx_err builder_init(builder *b, const bidx_build_opts *o, bidx_build_stats *st)
{
	memset(b, 0, sizeof *b);
	b->o = o;
	b->st = st;
	b->t0 = now();
	bidx_err rc = bidx_inv_new(&b->inv);
	if (!rc)
		rc = bidx_dsw_new(&b->dsw);
	return rc;
}

static char *seg_path(const char *dir, uint32_t seq)
{
	char name[32];
	bidx_segment_name(seq, name, sizeof name);
	return bidx_path_join(dir, name);
}

/* Writes the builder as the next segment, opens it and appends it to c->segs. */
static bidx_err finish_segment(ctx *c, builder *b, char *why, size_t whylen)
{
	char name[32], swhy[256];
	if (c->next_seq >= UINT32_MAX) {
		/* load_prev renumbers long before this; never wrap round */
		snprintf(why, whylen, "segment numbers are used up in %s; rebuild it with "
		         "`bidx build --full`", c->o->index_dir);
		return BIDX_EINPUT;
	}
	uint32_t seq = c->next_seq++;
	if (bidx_grow((void **)&c->segs, &c->segcap, c->nsegs + 1, sizeof *c->segs))
		return BIDX_ENOMEM;
	bidx_segment_name(seq, name, sizeof name);
	bidx_err rc = write_segment(b, name, why, whylen);
	if (rc) {
		/* the file may be in place if only the directory fsync failed;
		 * nothing refers to it */
		char *path = bidx_path_join(c->o->index_dir, name);
		if (path)
			unlink(path);
		free(path);
		return rc;
	}
	segent *e = &c->segs[c->nsegs++];
	*e = (segent){seq, NULL, (uint32_t)b->ndocs, 1};
	c->last_write_terms = (uint32_t)bidx_inv_nterms(b->inv);
	char *path = bidx_path_join(c->o->index_dir, name);
	if (!path)
		return BIDX_ENOMEM;
	rc = bidx_segment_open_file(path, &e->s, swhy, sizeof swhy);
	free(path);
	bidx_findings f = {.why = swhy, .whylen = sizeof swhy};
	if (!rc)
		rc = bidx_segment_verify(e->s, BIDX_VERIFY_SUMS, &f);
	if (rc && rc != BIDX_ENOMEM)
		snprintf(why, whylen, "cannot read back the segment just written (%s): %s", name, swhy);
	return rc;
}

/* Adds document `local` of segment s to b as it was analysed: the stored
 * text normalised again (cheap next to MeCab), the boundaries, checkpoints
 * and fields as they are. */
static bidx_err replay_doc(bidx_segment *s, uint32_t local, builder *b)
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
	bidx_err rc = bidx_segment_doc(s, local, &d);
	if (!rc)
		rc = bidx_segment_fields(s, local, &fr);
	if (!rc)
		rc = bidx_segment_ckpts(s, local, &pairs, &npairs);
	if (!rc)
		rc = bidx_segment_fetch(s, &d, &buf, &title, &tlen, &text);
	if (!rc)
		rc = bidx_normalize(text, d.text_len, 0, &n);
	if (!rc && n.nchars != d.nchars)
		rc = bidx_corrupt();
	if (!rc && !(ck = bidx_malloc(((size_t)npairs * 2 + 1) * sizeof *ck)))
		rc = BIDX_ENOMEM;
	if (!rc) {
		for (uint32_t k = 0; k < 2 * npairs; k++)
			ck[k] = bidx_get_u32le(pairs + 4 * (size_t)k);
		docview v = {bidx_segment_path(s, &d), d.path_len, title, text, tlen, d.text_len,
		             n.cp, d.nchars, d.ntokens, d.title_start, d.title_end,
		             bidx_segment_bounds(s, &d), ck, npairs, fr,
		             bidx_segment_fieldstr(s, &fr), fr.str_len};
		rc = commit_doc(b, &v);
	}
	free(ck);
	bidx_norm_free(&n);
	free(buf);
	return rc;
}

/* Merges the segments flagged in pick into one new segment: their live
 * documents, in corpus order. */
static bidx_err merge(ctx *c, const uint8_t *pick, char *why, size_t whylen)
{
	builder mb;
	bidx_build_stats dummy = {0};
	bidx_err rc = builder_init(&mb, c->o, &dummy);
	uint32_t to = (uint32_t)c->nsegs;
	for (size_t i = 0; i < c->nsrc && !rc; i++) {
		bidx_source *s = &c->src[i];
		if (!pick[s->seg])
			continue;
		uint32_t first = (uint32_t)mb.ndocs;
		for (uint32_t k = 0; k < s->ndocs && !rc; k++)
			rc = replay_doc(c->segs[s->seg].s, s->first + k, &mb);
		if (rc == BIDX_ECORRUPT)
			snprintf(why, whylen, "segment %u is damaged (document %u); rebuild with "
			         "`bidx build --full`", c->segs[s->seg].seq, s->first);
		s->seg = to;
		s->first = first;
	}
	if (!rc)
		rc = finish_segment(c, &mb, why, whylen);
	builder_free(&mb);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < to; i++)
		if (pick[i]) {
			c->segs[i].live = 0;
			c->st->merged++;
		}
	return BIDX_OK;
}

static unsigned tier_of(uint32_t live)
{
	unsigned t = 0;
	while (live >= 10)
		live /= 10, t++;
	return t;
}

/* Chooses segments to merge into pick[]; 0 when none.  optimize: all of
 * them, unless one already holds every document with none deleted.  Else
 * the smallest size tier (powers of ten of live documents) that has
 * MERGE_FACTOR segments, or a segment more than half deleted. */
static int choose_merge(const ctx *c, uint8_t *pick)
{
	unsigned count[12] = {0};
	size_t nlive = 0;
	memset(pick, 0, c->nsegs);
	for (size_t i = 0; i < c->nsegs; i++)
		if (c->segs[i].live) {
			nlive++;
			count[tier_of(c->segs[i].live)]++;
		}
	if (c->o->optimize) {
		if (nlive == 0)
			return 0;
		int n = 0;
		for (size_t i = 0; i < c->nsegs; i++)
			if (c->segs[i].live) {
				pick[i] = 1;
				n++;
				if (nlive == 1 && c->segs[i].live == bidx_segment_ndocs(c->segs[i].s))
					return 0;
			}
		return n;
	}
	for (unsigned t = 0; t < 12; t++) {
		if (count[t] < MERGE_FACTOR)
			continue;
		for (size_t i = 0; i < c->nsegs; i++)
			pick[i] = c->segs[i].live && tier_of(c->segs[i].live) == t;
		return 1;
	}
	for (size_t i = 0; i < c->nsegs; i++)
		if (c->segs[i].live && (uint64_t)c->segs[i].live * 2 < bidx_segment_ndocs(c->segs[i].s)) {
			pick[i] = 1;
			return 1;
		}
	return 0;
}

/* Counts what the catalogue refers to in each segment. */
static void count_live(ctx *c)
{
	for (size_t i = 0; i < c->nsegs; i++)
		c->segs[i].live = 0;
	for (size_t i = 0; i < c->nsrc; i++)
		c->segs[c->src[i].seg].live += c->src[i].ndocs;
}

/* The new manifest: the segments still referred to, their maps (corpus
 * order), the live totals. */
static bidx_err make_manifest(ctx *c, bidx_manifest *m)
{
	uint32_t *renum = bidx_malloc((c->nsegs + 1) * sizeof *renum);
	if (!renum)
		return BIDX_ENOMEM;
	memset(m, 0, sizeof *m);
	m->generation = c->prev.generation + 1;
	m->settings = c->settings;
	m->next_seq = c->next_seq;
	m->segs = bidx_calloc(c->nsegs + 1, sizeof *m->segs);
	bidx_err rc = m->segs ? BIDX_OK : BIDX_ENOMEM;
	for (size_t i = 0; i < c->nsegs && !rc; i++) {
		renum[i] = NOSRC;
		if (!c->segs[i].live)
			continue;
		bidx_man_seg *ms = &m->segs[m->nsegs];
		ms->seq = c->segs[i].seq;
		bidx_segment_pin(c->segs[i].s, ms);
		ms->map = bidx_malloc(((size_t)ms->ndocs + 1) * sizeof *ms->map);
		if (!ms->map) {
			rc = BIDX_ENOMEM;
			break;
		}
		memset(ms->map, 0xff, (size_t)ms->ndocs * sizeof *ms->map);
		renum[i] = m->nsegs++;
	}
	uint32_t g = 0;
	for (size_t i = 0; i < c->nsrc && !rc; i++) {
		bidx_source *s = &c->src[i];
		bidx_segment *seg = c->segs[s->seg].s;
		for (uint32_t k = 0; k < s->ndocs && !rc; k++) {
			bidx_docrec d;
			rc = bidx_segment_doc(seg, s->first + k, &d);
			m->segs[renum[s->seg]].map[s->first + k] = g++;
			m->total_tokens += d.ntokens;
			m->total_chars += d.nchars;
		}
		m->corpus_bytes += s->bytes;
	}
	m->ndocs = g;
	m->roots = c->roots;     /* moves into m too */
	m->nroots = c->nroots;
	c->roots = NULL;
	c->nroots = 0;
	/* the catalogue, its segment numbers renumbered, moves into m */
	for (size_t i = 0; i < c->nsrc && !rc; i++)
		c->src[i].seg = renum[c->src[i].seg];
	if (!rc) {
		m->src = c->src;
		m->nsrc = (uint32_t)c->nsrc;
		c->src = NULL;
		c->nsrc = c->srccap = 0;
	}
	free(renum);
	return rc;
}

/* Whether DIR/index.bidx is an index an older bidx wrote (format 1: the
 * segment magic, then version 1), not some file of the same name. */
static int is_format1_index(const char *dir)
{
	char *p = bidx_path_join(dir, BIDX_OLD_INDEX_FILE);
	uint8_t h[BIDX_HEADER_SIZE];
	int fd = p ? open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW) : -1;
	ssize_t got = fd >= 0 ? read(fd, h, sizeof h) : -1;
	int yes = got > 0 && bidx_segment_magic_version(h, (size_t)got) == 1;
	if (fd >= 0)
		close(fd);
	free(p);
	return yes;
}

/* After a publish: the segment files the manifest no longer lists (exactly
 * the names a build writes), and a format-1 index, go.  Nothing else in the
 * directory is ours to remove. */
static void remove_unlisted(const char *dir, const bidx_manifest *m)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	int old = is_format1_index(dir);
	while ((e = readdir(d))) {
		uint32_t seq;
		int listed = 0;
		if (old && !strcmp(e->d_name, BIDX_OLD_INDEX_FILE))
			old = 0;
		else if (!bidx_segment_parse_name(e->d_name, strlen(e->d_name), &seq))
			continue;
		else
			for (uint32_t i = 0; i < m->nsegs; i++)
				listed |= m->segs[i].seq == seq;
		if (listed)
			continue;
		char *p = bidx_path_join(dir, e->d_name);
		if (p)
			unlink(p);
		free(p);
	}
	closedir(d);
}

/* Writes the new manifest, but first opens the index it describes the way
 * bsearch will, and decodes its sources the way the next build will:
 * nothing that fails to open is published. */
static bidx_err publish(const ctx *c, const bidx_manifest *m, char *why, size_t whylen)
{
	const char *dir = c->o->index_dir;
	bidx_buf b = BIDX_BUF_INIT;
	bidx_index *ix = NULL;
	bidx_manifest back;
	char rwhy[512];
	int published = 0;
	bidx_err rc = bidx_manifest_encode(m, &b);
	if (!rc)
		rc = bidx_index_open_encoded(dir, b.p, b.len, &ix, rwhy, sizeof rwhy);
	bidx_index_close(ix);
	if (!rc) {
		rc = bidx_manifest_decode(b.p, b.len, 1, &back, rwhy, sizeof rwhy);
		bidx_manifest_free(&back);
	}
	if (rc && rc != BIDX_ENOMEM) {
		snprintf(why, whylen, "the index this build made in %s does not open (%s); nothing "
		         "was published", dir, rwhy);
		bidx_buf_free(&b);
		return rc;
	}
	if (!rc)
		rc = bidx_manifest_write_encoded(dir, b.p, b.len, &published);
	bidx_buf_free(&b);
	if (rc && published) {
		/* in place, but the rename may not survive a power cut */
		bidx_ts_msg(c->o->msg, "bidx: %s: the new index is in place, but syncing the "
		        "directory failed (%s)", dir, strerror(errno));
		rc = BIDX_OK;
	}
	if (rc)
		snprintf(why, whylen, "cannot write the manifest in %s: %s", dir,
		         rc == BIDX_EIO ? strerror(errno) : bidx_strerror(rc));
	return rc;
}

static bidx_err lock_dir(const char *dir, int *fd, char *why, size_t whylen)
{
	char *path = bidx_path_join(dir, "lock");
	if (!path)
		return BIDX_ENOMEM;
	if (mkdir(dir, 0777) && errno != EEXIST) {
		snprintf(why, whylen, "cannot create the index directory %s: %s", dir, strerror(errno));
		free(path);
		return BIDX_EIO;
	}
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(path);
	if (*fd < 0) {
		snprintf(why, whylen, "cannot create %s/lock: %s", dir, strerror(errno));
		return BIDX_EIO;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		snprintf(why, whylen, "another bidx is updating the index in %s; try again when it "
		         "has finished", dir);
		close(*fd);
		*fd = -1;
		return BIDX_EIO;
	}
	return BIDX_OK;
}

uint64_t bidx_build_settings(const struct bidx_colmap *map)
{
	bidx_buf b = BIDX_BUF_INIT;
	char head[96], dic[4096];
	snprintf(head, sizeof head, "bidx %s format %u normaliser %u analysis %u;", BIDX_VERSION,
	         BIDX_FORMAT_VERSION, BIDX_NORM_REVISION, BIDX_ANALYSIS_REVISION);
	bidx_buf_put(&b, head, strlen(head));
	/* the words MeCab finds depend on the user dictionary's content */
	if (bidx_userdic_find(dic, sizeof dic) == 0 && dic[0]) {
		char *data;
		size_t len;
		if (bidx_read_file(dic, &data, &len) == BIDX_OK) {
			bidx_buf_put_u64le(&b, bidx_xxh3(data, len));
			free(data);
		}
	}
	for (int i = 0; map && i < map->n; i++) {
		bidx_buf_put(&b, map->col[i], strlen(map->col[i]) + 1);
		bidx_buf_put(&b, map->field[i], strlen(map->field[i]) + 1);
	}
	uint64_t h = b.err ? 0 : bidx_xxh3(b.p, b.len);
	bidx_buf_free(&b);
	return h;
}

/* Segment numbers a build may need beyond next_seq: its new segment and
 * one per merge (fewer than two per segment it starts with, and a spare). */
static uint64_t seq_headroom(uint32_t nsegs)
{
	return 2 * ((uint64_t)nsegs + 2);
}

/* Opens segment i of the previous manifest and checks every byte of it
 * against the manifest's pin (its table checksum covers every section
 * checksum, which cover every byte): a build keeps, and vouches for, only
 * segments that are sound. */
static bidx_err open_prev_segment(ctx *c, uint32_t i, char *swhy, size_t n)
{
	const bidx_man_seg *ms = &c->prev.segs[i];
	char *path = seg_path(c->o->index_dir, ms->seq);
	if (!path)
		return BIDX_ENOMEM;
	c->segs[i] = (segent){ms->seq, NULL, 0, 0};
	c->nsegs = i + 1;
	bidx_err rc = bidx_segment_open_file(path, &c->segs[i].s, swhy, n);
	free(path);
	if (!rc)
		rc = bidx_segment_pin_check(c->segs[i].s, ms, swhy, n);
	bidx_findings f = {.why = swhy, .whylen = n};
	if (!rc)
		rc = bidx_segment_verify(c->segs[i].s, BIDX_VERIFY_SUMS, &f);
	return rc;
}

/* Reads what the previous build left and opens its segments; anything
 * unusable means starting afresh (said on o->msg), or for `bidx optimize`,
 * which has no corpus to start from, an error. */
static bidx_err load_prev(ctx *c, int no_corpus, char *ewhy, size_t ewhylen)
{
	char why[512];
	const char *dir = c->o->index_dir;
	bidx_err rc = bidx_manifest_read(dir, 1, &c->prev, why, sizeof why);
	if (rc == BIDX_ENOMEM)
		return rc;
	if (rc && rc != BIDX_ENOINDEX)
		bidx_ts_msg(c->o->msg, "bidx: %s: the previous index cannot be reused (%s); "
		        "indexing every file", dir, why);
	if (!rc && c->o->full)
		rc = BIDX_ENOINDEX;
	if (!rc && c->prev.nsrc && c->prev.src[0].path[0] != '/') {
		bidx_ts_msg(c->o->msg, "bidx: %s: the index keeps relative paths (an older bidx); "
		        "indexing every file once, under absolute paths", dir);
		rc = BIDX_ENOINDEX;
	}
	if (!rc && c->prev.settings != c->settings) {
		bidx_ts_msg(c->o->msg, "bidx: %s: built by another version or with other --map "
		        "options; indexing every file", dir);
		rc = BIDX_ENOINDEX;
	}
	c->segs = bidx_calloc((size_t)c->prev.nsegs + 1, sizeof *c->segs);
	if (!c->segs)
		return BIDX_ENOMEM;
	c->segcap = (size_t)c->prev.nsegs + 1;
	for (uint32_t i = 0; !rc && i < c->prev.nsegs; i++) {
		char swhy[256];
		rc = open_prev_segment(c, i, swhy, sizeof swhy);
		if (rc == BIDX_ENOMEM)
			return rc;
		if (rc && no_corpus) {
			snprintf(ewhy, ewhylen, "segment %u %s (%s); rebuild the index with `bidx build "
			         "--full CORPUS`", c->prev.segs[i].seq, rc == BIDX_ECORRUPT ?
			         "is damaged" : "cannot be read", swhy);
			return rc;
		}
		if (rc) {
			bidx_ts_msg(c->o->msg, "bidx: %s: segment %u %s (%s); indexing every file", dir,
			        c->prev.segs[i].seq, rc == BIDX_ECORRUPT ? "is damaged" : "cannot be read",
			        swhy);
			rc = BIDX_ENOINDEX;
		}
	}
	/* Numbers come from the manifest alone (it is above every number it
	 * lists), never from other files in the directory; a fresh start goes
	 * on from there too, so a reader of the previous manifest never finds
	 * one of its segment names reused.  Near the end of the numbers the
	 * index starts afresh from 1 instead of wrapping round. */
	c->next_seq = c->prev.next_seq ? c->prev.next_seq : 1;
	uint32_t keep = rc ? 0 : c->prev.nsegs;
	if (UINT32_MAX - (uint64_t)c->next_seq < seq_headroom(keep)) {
		if (!rc && no_corpus) {
			snprintf(ewhy, ewhylen, "segment numbers are nearly used up in %s; renumber them "
			         "with `bidx build --full CORPUS`", dir);
			return BIDX_EINPUT;
		}
		bidx_ts_msg(c->o->msg, "bidx: %s: segment numbers are nearly used up; renumbering "
		        "from 1%s", dir, rc ? "" : " and indexing every file");
		c->next_seq = 1;
		rc = BIDX_ENOINDEX;
	}
	if (rc) {
		/* start afresh: nothing of the previous index is referred to */
		for (size_t i = 0; i < c->nsegs; i++)
			bidx_segment_close(c->segs[i].s);
		c->nsegs = 0;
		uint64_t gen = c->prev.generation;
		bidx_manifest_free(&c->prev);
		c->prev.generation = gen;
		return BIDX_OK;
	}
	return prev_index(c);
}

static void ctx_free(ctx *c, int failed)
{
	for (size_t i = 0; i < c->nsegs; i++) {
		if (failed && c->segs[i].is_new) {
			char *p = seg_path(c->o->index_dir, c->segs[i].seq);
			if (p)
				unlink(p);
			free(p);
		}
		bidx_segment_close(c->segs[i].s);
	}
	free(c->segs);
	for (size_t i = 0; i < c->nsrc; i++)
		free(c->src[i].path);
	free(c->src);
	free(c->phash);
	free(c->seen);
	for (uint32_t i = 0; i < c->nroots; i++)
		free(c->roots[i]);
	free(c->roots);
	for (uint32_t i = 0; i < c->ngone; i++)
		free(c->gone_roots[i]);
	free(c->gone_roots);
	bidx_manifest_free(&c->prev);
}

/* Whether the new roots differ from those the previous manifest kept. */
static int roots_differ(const ctx *c)
{
	if (c->nroots != c->prev.nroots)
		return 1;
	for (uint32_t i = 0; i < c->nroots; i++)
		if (strcmp(c->roots[i], c->prev.roots[i]))
			return 1;
	return 0;
}

/* Whether absolute path p is root r or lies below it. */
static int under(const char *p, const char *r)
{
	size_t l = strlen(r);
	return !strncmp(p, r, l) && (p[l] == 0 || p[l] == '/' || (l && r[l - 1] == '/'));
}

static const char *shown(const char *p)
{
	size_t n;
	return bidx_path_shown(p, strlen(p), &n);
}

static bidx_err root_add(char ***v, uint32_t *n, const char *p)
{
	size_t cap = *n;
	char *d = strdup(p);
	if (!d || bidx_grow((void **)v, &cap, (size_t)*n + 1, sizeof **v)) {
		free(d);
		return BIDX_ENOMEM;
	}
	(*v)[(*n)++] = d;
	return BIDX_OK;
}

/* Adds p to roots unless a root holds it already; roots below p go (p
 * covers them).  Returns 1 when p was added. */
static int root_merge(ctx *c, const char *p, bidx_err *rc)
{
	for (uint32_t i = 0; i < c->nroots; i++)
		if (under(p, c->roots[i]))
			return 0;
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->nroots; i++) {
		if (under(c->roots[i], p))
			free(c->roots[i]);
		else
			c->roots[k++] = c->roots[i];
	}
	c->nroots = k;
	*rc = root_add(&c->roots, &c->nroots, p);
	return 1;
}

/* The corpus roots of this build (docs/FORMAT.md, roots): the previous
 * manifest's, with the paths given added (ADD), exactly the paths given
 * (REPLACE), or without them (REMOVE); also the roots that go. */
static bidx_err plan_roots(ctx *c, const char *const *paths, int npaths, char *why,
                           size_t whylen)
{
	const bidx_build_opts *o = c->o;
	bidx_manifest old = {0};
	char mwhy[512];
	bidx_err rc = BIDX_OK;
	if (bidx_manifest_read(o->index_dir, 1, &old, mwhy, sizeof mwhy) == BIDX_ENOMEM)
		return BIDX_ENOMEM;
	char **abs = bidx_calloc((size_t)npaths + 1, sizeof *abs);
	for (int i = 0; abs && i < npaths; i++)
		if (!(abs[i] = bidx_corpus_abspath(paths[i])))
			rc = BIDX_ENOMEM;
	if (!abs)
		rc = BIDX_ENOMEM;
	if (!rc && (o->mode == BIDX_BUILD_ADD || o->mode == BIDX_BUILD_REMOVE ||
	            o->mode == BIDX_BUILD_OPTIMIZE))
		for (uint32_t i = 0; i < old.nroots && !rc; i++)
			rc = root_add(&c->roots, &c->nroots, old.roots[i]);
	if (!rc && o->mode == BIDX_BUILD_ADD && npaths == 0 && c->nroots == 0) {
		snprintf(why, whylen, "no corpus given, and the index in %s remembers none: name it "
		         "(bidx build CORPUS...)", o->index_dir);
		rc = BIDX_EINPUT;
	}
	for (int i = 0; !rc && i < npaths && o->mode != BIDX_BUILD_REMOVE; i++) {
		int added = root_merge(c, abs[i], &rc);
		if (!rc && added && old.nroots && o->mode == BIDX_BUILD_ADD)
			bidx_ts_msg(o->msg, "bidx: %s: added to the corpus of the index in %s", shown(abs[i]),
			            o->index_dir);
	}
	for (int i = 0; !rc && i < npaths && o->mode == BIDX_BUILD_REMOVE; i++) {
		uint32_t k = 0, before = c->nroots;
		for (uint32_t j = 0; j < c->nroots; j++) {
			if (under(c->roots[j], abs[i]))
				free(c->roots[j]);
			else
				c->roots[k++] = c->roots[j];
		}
		c->nroots = k;
		if (k == before) {
			size_t w = (size_t)snprintf(why, whylen, "%s is not a corpus root of the index in %s "
			                            "(roots:", shown(abs[i]), o->index_dir);
			for (uint32_t j = 0; j < before && w < whylen; j++)
				w += (size_t)snprintf(why + w, whylen - w, " %s", shown(c->roots[j]));
			if (w < whylen)
				snprintf(why + w, whylen - w, "%s)", before ? "" : " none");
			rc = BIDX_EINPUT;
		}
	}
	if (!rc && old.nsrc && !old.nroots && npaths && o->mode != BIDX_BUILD_REMOVE)
		bidx_ts_msg(o->msg, "bidx: %s: the index remembered no corpus roots (an older bidx); "
		            "its corpus is now the paths given", o->index_dir);
	for (uint32_t i = 0; i < old.nroots && !rc; i++) {
		int kept = 0;
		for (uint32_t j = 0; j < c->nroots && !kept; j++)
			kept = under(old.roots[i], c->roots[j]);
		if (!kept)
			rc = root_add(&c->gone_roots, &c->ngone, old.roots[i]);
	}
	for (int i = 0; abs && i < npaths; i++)
		free(abs[i]);
	free(abs);
	bidx_manifest_free(&old);
	return rc;
}

/* Counts and says what the previous index had that this one has not: the
 * files of roots that were dropped (one line a root), and files no longer
 * found under the roots (one line each). */
static void report_removed(ctx *c)
{
	uint64_t *per = bidx_calloc((size_t)c->ngone + 1, sizeof *per);
	for (uint32_t i = 0; i < c->prev.nsrc; i++) {
		if (c->seen[i])
			continue;
		c->st->removed++;
		uint32_t g = 0;
		while (g < c->ngone && !under(c->prev.src[i].path, c->gone_roots[g]))
			g++;
		if (g < c->ngone) {
			c->st->removed_roots++;
			if (per)
				per[g]++;
		} else {
			bidx_ts_msg(c->o->msg, "bidx: %s: no longer in the corpus; removed from the index",
			            shown(c->prev.src[i].path));
		}
	}
	for (uint32_t g = 0; per && g < c->ngone; g++)
		bidx_ts_msg(c->o->msg, "bidx: %s: no longer a corpus root; %llu file%s removed from "
		            "the index", shown(c->gone_roots[g]), (unsigned long long)per[g],
		            per[g] == 1 ? "" : "s");
	free(per);
}

bidx_err bidx_build(const char *const *paths, int npaths, const bidx_build_opts *opts,
                    bidx_build_stats *st, char *why, size_t whylen)
{
	builder b = {0};
	bidx_filelist fl = {0};
	ctx c = {0};
	bidx_manifest m = {0};
	uint8_t *pick = NULL;
	int lockfd = -1;
	memset(st, 0, sizeof *st);
	c.o = opts;
	c.st = st;
	b.o = opts;              /* for on_skip during the walk */
	b.st = st;
	why[0] = 0;
	double t0 = now();
	c.settings = bidx_build_settings(opts->map);
	bidx_err rc = lock_dir(opts->index_dir, &lockfd, why, whylen);
	if (!rc)   /* under the lock, a tmp file of a build not running is stale */
		bidx_out_cleanup_stale(opts->index_dir, bidx_index_own_name);
	int optimize_only = opts->mode == BIDX_BUILD_OPTIMIZE;
	if (!rc)
		rc = plan_roots(&c, paths, npaths, why, whylen);
	if (!rc && optimize_only) {
		/* optimize reads no file: the index keeps its settings */
		rc = bidx_manifest_read(opts->index_dir, 0, &c.prev, why, whylen);
		c.settings = c.prev.settings;
		bidx_manifest_free(&c.prev);
		if (rc == BIDX_ENOINDEX)
			snprintf(why, whylen, "no index in %s to optimize", opts->index_dir);
	}
	if (!rc)
		rc = load_prev(&c, optimize_only, why, whylen);
	if (!rc && !optimize_only) {
		bidx_walk_opts wo = {opts->follow, opts->index_dir, opts->exclude, opts->nexclude};
		rc = bidx_corpus_walk_with((const char *const *)c.roots, (int)c.nroots, &wo, &fl,
		                           on_skip, &b);
		if (rc == BIDX_EIO)
			rc = BIDX_OK;   /* reported; the other arguments were walked */
	}
	if (!rc)
		rc = builder_init(&b, opts, st);
	if (!rc && optimize_only) {
		/* optimize: the catalogue as it is */
		for (uint32_t i = 0; i < c.prev.nsrc && !rc; i++) {
			c.seen[i] = 1;
			rc = add_source(&c, &c.prev.src[i], c.prev.src[i].path);
		}
	} else if (!rc) {
		rc = run_pool(&c, &b, &fl, why, whylen);
	}
	clear_progress(&b);
	if (!rc)
		report_removed(&c);
	if (rc)
		goto done;
	count_live(&c);
	uint64_t live = 0;
	for (size_t i = 0; i < c.nsrc; i++)
		live += c.src[i].ndocs;
	if (live == 0) {
		snprintf(why, whylen, "no documents to index; the index was not changed");
		rc = BIDX_EINPUT;
		goto done;
	}
	if (b.ndocs)
		rc = finish_segment(&c, &b, why, whylen);
	builder_free(&b);
	count_live(&c);
	pick = bidx_malloc(c.nsegs + 64);
	if (!pick && !rc)
		rc = BIDX_ENOMEM;
	while (!rc && choose_merge(&c, pick)) {
		rc = merge(&c, pick, why, whylen);
		uint8_t *np = rc ? NULL : bidx_realloc(pick, c.nsegs + 64);
		if (!rc && !np)
			rc = BIDX_ENOMEM;
		if (np)
			pick = np;
		if (!rc)
			count_live(&c);
	}
	if (rc)
		goto done;
	int changed = st->added || st->updated || st->removed || c.touched || st->merged ||
	              c.prev.nsegs == 0 || c.ngone || roots_differ(&c);
	for (size_t i = 0; i < c.nsegs; i++) {
		if (!c.segs[i].live)
			continue;
		st->segments++;
		st->index_bytes += bidx_segment_size(c.segs[i].s);
		st->terms += bidx_segment_meta(c.segs[i].s)->nterms;
	}
	rc = make_manifest(&c, &m);
	st->live_docs = m.ndocs;
	st->corpus_bytes = m.corpus_bytes;
	if (!rc && changed) {
		rc = publish(&c, &m, why, whylen);
		st->published = !rc;
	}
	if (!rc && changed)
		remove_unlisted(opts->index_dir, &m);
done:
	if (rc && !why[0])
		snprintf(why, whylen, "%s", bidx_strerror(rc));
	st->seconds = now() - t0;
	free(pick);
	bidx_manifest_free(&m);
	bidx_filelist_free(&fl);
	builder_free(&b);
	ctx_free(&c, rc != BIDX_OK);
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}
