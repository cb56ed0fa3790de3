/*
 * docstore.c - the document store (docstore.h): one zstd frame per document.
 *
 * The writer holds the first DSW_TRAIN_BYTES of records back, trains a
 * dictionary of at most DSW_DICT_BYTES on them (when there are enough to
 * learn from; fastCover with fixed parameters, on the first three quarters
 * of the records), then compresses the held records and every later one with
 * it; each frame carries zstd's own checksum and its content size, and ends
 * a block after the first DSW_FIRST_BLOCK bytes of record, then every
 * DSW_BLOCK bytes (zstd decodes whole blocks from the frame's start: a
 * frame of one block costs its whole text even for a snippet near its
 * start; 2 KiB blocks cost about 2% of STORE's size on livedoor, and a
 * first block of 1,280 bytes holds the title and the first snippet window
 * of most news articles).  Level 6 with a lazy match finder of depth 2 and
 * matches of at least 5 bytes: fewer, longer sequences, which decode
 * faster (zstd decodes at a cost per sequence; its entropy tables are the
 * dictionary's in almost every block already) in a STORE smaller than
 * level 6's own, at about the same compression cost (bench/README.md,
 * "Snippets of a few characters, ..."; a search of 2^6 candidates, 6-byte
 * matches and a dictionary of 112 KiB decode a twelfth faster but made the
 * Aozora sample's build a quarter longer: "Decoding a stored record: ...").
 * A record
 * is varint(title length), title, text.  The reader decompresses a whole
 * frame, or decodes only the blocks of a prefix of it (zstd's buffer-less
 * decoder, straight into a buffer of the frame's stated size, of which only
 * the bytes decoded are touched), so a snippet near the start of a long
 * document does not pay for the rest; it checks the frame's stated size
 * against the text length the DOCS record gives before allocating.  The
 * reader copies the dictionary once and decodes a record of up to DSR_ROOM
 * bytes right after it, then copies the bytes decoded out: zstd sees the
 * dictionary and the record as one history, so a match into the dictionary
 * (most of a first block's) is copied as any other instead of through the
 * separate-dictionary path and a call of memmove (a tenth of the decoding's
 * instructions on the livedoor workload).  A prefix read turns off zstd's
 * checksum, which it never reaches (docstore.h).
 */
#include "docstore.h"
#include "fault.h"
#include "varint.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#define ZSTD_STATIC_LINKING_ONLY   /* the buffer-less decoder, a DDict by reference */
#include <zstd.h>

#define DSW_LEVEL 6
#define DSW_TRAIN_BYTES (4u << 20)  /* sample this much before training */
#define DSW_DICT_BYTES (64u << 10)
#define DSW_TRAIN_K 537             /* fastCover segment size (bytes) */
#define DSW_TRAIN_D 8               /* fastCover d-mer size */
#define DSW_BLOCK ((size_t)2 << 10)  /* record bytes per zstd block (see above) */
#define DSW_FIRST_BLOCK ((size_t)1280)  /* ... in the first block (see above) */
/* The match finder: lazy matching of depth 2, matches of at least 5 bytes
 * (level 6 alone with the dictionary: depth 1, 4 bytes); see above */
#define DSW_STRATEGY ZSTD_lazy2
#define DSW_MIN_MATCH 5
#define DSW_QUEUE_BYTES (4u << 20)  /* records queued for the thread before add waits */

/* Records handed to the compressing thread, in order: one buffer fills while
 * the thread empties the other. */
typedef struct dsw_queue {
	bidx_buf recs;         /* records, back to back */
	size_t *len;           /* their lengths */
	size_t n, cap;
} dsw_queue;

struct bidx_dsw {
	ZSTD_CCtx *cctx;
	ZSTD_CDict *cdict;
	bidx_buf store;        /* compressed frames */
	bidx_buf dict;         /* trained dictionary (may stay empty) */
	bidx_buf pending;      /* raw records waiting for the dictionary */
	size_t *pend_len;      /* their lengths */
	size_t npend, pend_cap;
	struct dsw_frame { uint64_t off; uint32_t len; } *frames;  /* per doc */
	size_t ndocs, cap;
	int trained;           /* dictionary decided (possibly empty) */
	bidx_buf rec;          /* scratch for one record */
	bidx_buf frame;        /* scratch for one frame */
	/* bidx_dsw_background: the training and the compression on a thread */
	int threaded;          /* the thread runs; only it touches the fields above */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	dsw_queue q[2];        /* q[0] fills (add), q[1] is the thread's */
	int closing;           /* finish: the thread ends once q[0] is empty */
	bidx_err async_rc;     /* the thread's first failure (sticky) */
};

bidx_err bidx_dsw_new(bidx_dsw **out)
{
	*out = NULL;
	bidx_dsw *w = bidx_calloc(1, sizeof *w);
	if (!w)
		return BIDX_ENOMEM;
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx) {
		free(w);
		return BIDX_ENOMEM;
	}
	*out = w;
	return BIDX_OK;
}

static bidx_err stop_thread(bidx_dsw *w);

void bidx_dsw_free(bidx_dsw *w)
{
	if (!w)
		return;
	stop_thread(w);
	for (int i = 0; i < 2; i++) {
		bidx_buf_free(&w->q[i].recs);
		free(w->q[i].len);
	}
	ZSTD_freeCCtx(w->cctx);
	ZSTD_freeCDict(w->cdict);
	bidx_buf_free(&w->store);
	bidx_buf_free(&w->dict);
	bidx_buf_free(&w->pending);
	bidx_buf_free(&w->rec);
	bidx_buf_free(&w->frame);
	free(w->pend_len);
	free(w->frames);
	free(w);
}

/* Compresses one record and appends its frame to the store. */
static bidx_err compress_one(bidx_dsw *w, const uint8_t *rec, size_t n)
{
	size_t bound = ZSTD_compressBound(n);
	w->frame.len = 0;
	if (bidx_buf_reserve(&w->frame, bound))
		return BIDX_ENOMEM;
	/* frames carry their own checksum: damage that keeps the section and
	 * chunk checksums valid still cannot return a wrong text */
	ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, DSW_LEVEL);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	/* the dictionary's match finder (make_cdict), which every frame
	 * compressed with it uses, for frames without one too */
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_strategy, DSW_STRATEGY);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_minMatch, DSW_MIN_MATCH);
	if (w->cdict)
		ZSTD_CCtx_refCDict(w->cctx, w->cdict);
	ZSTD_CCtx_setPledgedSrcSize(w->cctx, n);   /* the frame states its content size */
	ZSTD_outBuffer out = {w->frame.p, bound, 0};
	ZSTD_inBuffer in = {rec, 0, 0};
	ZSTD_EndDirective how = ZSTD_e_flush;
	while (how != ZSTD_e_end) {   /* a block ends at DSW_FIRST_BLOCK, then every DSW_BLOCK */
		size_t step = in.size ? DSW_BLOCK : DSW_FIRST_BLOCK;
		in.size += n - in.size < step ? n - in.size : step;
		how = in.size == n ? ZSTD_e_end : ZSTD_e_flush;
		size_t left;
		do   /* out has room for the whole frame: this ends at once */
			left = ZSTD_compressStream2(w->cctx, &out, &in, how);
		while (!ZSTD_isError(left) && left && out.pos < out.size);
		if (ZSTD_isError(left) || left)
			return BIDX_ENOMEM;
	}
	size_t z = out.pos;
	if (z > UINT32_MAX)
		return BIDX_ETOOBIG;
	if (bidx_grow((void **)&w->frames, &w->cap, w->ndocs + 1, sizeof *w->frames))
		return BIDX_ENOMEM;
	w->frames[w->ndocs].off = w->store.len;
	w->frames[w->ndocs].len = (uint32_t)z;
	w->ndocs++;
	bidx_buf_put(&w->store, w->frame.p, z);
	return w->store.err;
}

/* The writer's dictionary for compressing: level 6's parameters for a
 * frame of a few KiB with it (those ZSTD_createCDict picks: with them the
 * STORE is byte for byte the same) but the match finder of DSW_STRATEGY
 * and DSW_MIN_MATCH.  A dictionary made so has no level, and zstd
 * compresses every frame, however long, with its parameters. */
static int make_cdict(bidx_dsw *w, const void *dict, size_t n)
{
	ZSTD_compressionParameters cp = ZSTD_getCParams(DSW_LEVEL, 4096, n);
	cp.strategy = DSW_STRATEGY;
	cp.minMatch = DSW_MIN_MATCH;
	w->cdict = ZSTD_createCDict_advanced(dict, n, ZSTD_dlm_byCopy, ZSTD_dct_auto, cp,
	                                     ZSTD_defaultCMem);
	return w->cdict ? 0 : -1;
}

/* The first three quarters of the samples: what the search trained on. */
static unsigned train_samples(size_t n)
{
	return (unsigned)((double)n * 0.75);
}

/* Trains the dictionary on the pending records, then compresses them. */
static bidx_err train_and_flush(bidx_dsw *w)
{
	w->trained = 1;
	if (w->npend >= 16 && w->pending.len >= 64 * 1024) {
		if (bidx_buf_reserve(&w->dict, DSW_DICT_BYTES))
			return BIDX_ENOMEM;
		/* fastCover with the parameters ZDICT_trainFromBuffer's search
		 * picks on livedoor and the municipal notices (it tries five k
		 * and keeps the best on the last quarter of the samples): one
		 * training instead of five, the same dictionary there, and a
		 * STORE 0.5 % smaller on localgovfaq, where the search picked
		 * k = 50 (bench/README.md, "Building: analysis and dictionary training") */
		ZDICT_fastCover_params_t fp;
		memset(&fp, 0, sizeof fp);
		fp.k = DSW_TRAIN_K;
		fp.d = DSW_TRAIN_D;
		fp.f = 20;
		fp.accel = 1;
		fp.zParams.compressionLevel = ZSTD_CLEVEL_DEFAULT;
		size_t d = ZDICT_trainFromBuffer_fastCover(w->dict.p, DSW_DICT_BYTES, w->pending.p,
		                                           w->pend_len, train_samples(w->npend), fp);
		if (!ZDICT_isError(d)) {
			w->dict.len = d;
			if (make_cdict(w, w->dict.p, d))
				return BIDX_ENOMEM;
		}
	}
	const uint8_t *p = w->pending.p;
	for (size_t i = 0; i < w->npend; i++) {
		bidx_err rc = compress_one(w, p, w->pend_len[i]);
		if (rc)
			return rc;
		p += w->pend_len[i];
	}
	bidx_buf_free(&w->pending);
	w->npend = 0;
	return BIDX_OK;
}

/* Adds one record (varint title length, title, text) in the calling thread. */
static bidx_err add_record(bidx_dsw *w, const uint8_t *rec, size_t n)
{
	if (w->trained)
		return compress_one(w, rec, n);
	if (bidx_grow((void **)&w->pend_len, &w->pend_cap, w->npend + 1, sizeof *w->pend_len))
		return BIDX_ENOMEM;
	bidx_buf_put(&w->pending, rec, n);
	if (w->pending.err)
		return w->pending.err;
	w->pend_len[w->npend++] = n;
	if (w->pending.len >= DSW_TRAIN_BYTES)
		return train_and_flush(w);
	return BIDX_OK;
}

/* The compressing thread: takes the filled queue, adds its records, until
 * finish has closed an empty queue.  After a failure it only empties. */
static void *dsw_thread(void *arg)
{
	bidx_dsw *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->q[0].n && !w->closing)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->q[0].n)
			break;
		dsw_queue t = w->q[0];
		w->q[0] = w->q[1];
		w->q[1] = t;
		bidx_err rc = w->async_rc;
		pthread_cond_broadcast(&w->cv);   /* room for add again */
		pthread_mutex_unlock(&w->mu);
		dsw_queue *b = &w->q[1];
		const uint8_t *p = b->recs.p;
		for (size_t i = 0; i < b->n && !rc; i++) {
			rc = add_record(w, p, b->len[i]);
			p += b->len[i];
		}
		b->recs.len = 0;
		b->n = 0;
		pthread_mutex_lock(&w->mu);
		if (rc && !w->async_rc)
			w->async_rc = rc;
	}
	bidx_err rc = w->async_rc;
	pthread_mutex_unlock(&w->mu);
	if (!rc && !w->trained && w->npend)   /* a store under DSW_TRAIN_BYTES: trained here too */
		rc = train_and_flush(w);
	pthread_mutex_lock(&w->mu);
	if (rc && !w->async_rc)
		w->async_rc = rc;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void bidx_dsw_background(bidx_dsw *w)
{
	if (w->threaded || w->trained || w->ndocs || w->npend)
		return;
	if (pthread_mutex_init(&w->mu, NULL))
		return;
	if (pthread_cond_init(&w->cv, NULL)) {
		pthread_mutex_destroy(&w->mu);
		return;
	}
	w->closing = 0;
	if (pthread_create(&w->th, NULL, dsw_thread, w)) {   /* then all in the caller */
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		return;
	}
	w->threaded = 1;
}

void bidx_dsw_close(bidx_dsw *w)
{
	if (!w->threaded)
		return;
	pthread_mutex_lock(&w->mu);
	w->closing = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Ends the thread once it has added every queued record (and trained, if
 * it had not); its failure. */
static bidx_err stop_thread(bidx_dsw *w)
{
	if (!w->threaded)
		return BIDX_OK;
	bidx_dsw_close(w);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	w->threaded = 0;
	return w->async_rc;
}

/* Queues one record for the thread; waits while the queue is full. */
static bidx_err queue_record(bidx_dsw *w, const char *title, size_t tlen, const char *text,
                             size_t len)
{
	bidx_err rc;
	pthread_mutex_lock(&w->mu);
	while (w->q[0].recs.len >= DSW_QUEUE_BYTES && !w->async_rc)
		pthread_cond_wait(&w->cv, &w->mu);
	dsw_queue *q = &w->q[0];
	size_t at = q->recs.len;
	rc = w->async_rc;
	if (!rc && bidx_grow((void **)&q->len, &q->cap, q->n + 1, sizeof *q->len))
		rc = BIDX_ENOMEM;
	if (!rc) {
		bidx_buf_put_varint(&q->recs, tlen);
		bidx_buf_put(&q->recs, title, tlen);
		bidx_buf_put(&q->recs, text, len);
		if (q->recs.err) {   /* a later record may still fit: not sticky */
			rc = q->recs.err;
			q->recs.err = BIDX_OK;
			q->recs.len = at;
		}
	}
	if (!rc) {
		q->len[q->n++] = q->recs.len - at;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

bidx_err bidx_dsw_add(bidx_dsw *w, const char *title, size_t tlen,
                      const char *text, size_t len)
{
	if (w->threaded)
		return queue_record(w, title, tlen, text, len);
	w->rec.len = 0;
	bidx_buf_put_varint(&w->rec, tlen);
	bidx_buf_put(&w->rec, title, tlen);
	bidx_buf_put(&w->rec, text, len);
	if (w->rec.err)
		return w->rec.err;
	return add_record(w, w->rec.p, w->rec.len);
}

bidx_err bidx_dsw_finish(bidx_dsw *w)
{
	bidx_err rc = stop_thread(w);
	if (rc)
		return rc;
	return w->trained ? BIDX_OK : train_and_flush(w);
}

void bidx_dsw_frame(const bidx_dsw *w, uint32_t id, uint64_t *off, uint32_t *len)
{
	*off = w->frames[id].off;
	*len = w->frames[id].len;
}

const bidx_buf *bidx_dsw_store(const bidx_dsw *w)
{
	return &w->store;
}

const bidx_buf *bidx_dsw_dict(const bidx_dsw *w)
{
	return &w->dict;
}

bidx_err bidx_dsw_add_frame(bidx_dsw *w, const uint8_t *dict, size_t dlen, const uint8_t *frame,
                            size_t flen)
{
	bidx_err rc = stop_thread(w);   /* the queued documents come first */
	if (rc)
		return rc;
	if (!w->trained) {
		if (w->ndocs || w->npend)
			return BIDX_EUSAGE;
		w->trained = 1;
		if (dlen) {
			bidx_buf_put(&w->dict, dict, dlen);
			if (w->dict.err)
				return w->dict.err;
			if (make_cdict(w, w->dict.p, dlen))
				return BIDX_ENOMEM;
		}
	} else if (dlen != w->dict.len || (dlen && memcmp(dict, w->dict.p, dlen))) {
		return BIDX_EUSAGE;
	}
	if (!frame)
		return BIDX_OK;
	if (flen > UINT32_MAX)
		return BIDX_ETOOBIG;
	if (bidx_grow((void **)&w->frames, &w->cap, w->ndocs + 1, sizeof *w->frames))
		return BIDX_ENOMEM;
	w->frames[w->ndocs].off = w->store.len;
	w->frames[w->ndocs].len = (uint32_t)flen;
	w->ndocs++;
	bidx_buf_put(&w->store, frame, flen);
	return w->store.err;
}

/* Room for a record right after the reader's copy of the dictionary. */
#define DSR_ROOM ((size_t)60 << 10)

struct bidx_dsr {
	ZSTD_DCtx *dctx;
	ZSTD_DDict *ddict;     /* on win's dictionary */
	uint8_t *win;          /* the dictionary, then DSR_ROOM bytes of record */
	size_t dlen;           /* dictionary bytes */
};

/* The window's pages, faulted in by one call rather than one fault a page
 * (the dictionary's copy touches them all at once anyway); NULL if none. */
static uint8_t *map_window(size_t n)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_POPULATE
	flags |= MAP_POPULATE;
#endif
	void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, flags, -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

bidx_err bidx_dsr_new(const uint8_t *dict, size_t len, bidx_dsr **out)
{
	*out = NULL;
	bidx_dsr *r = bidx_calloc(1, sizeof *r);
	if (!r)
		return BIDX_ENOMEM;
	r->dctx = ZSTD_createDCtx();
	/* a record decoded right after the dictionary's bytes (win) is one with
	 * it: zstd copies a match into the dictionary as any other, not apart
	 * from its own buffer by a call of memmove */
	r->dlen = len;
	if (len && !bidx_fault_hit(BIDX_FAULT_ALLOC))
		r->win = map_window(len + DSR_ROOM);
	if (r->win) {
		memcpy(r->win, dict, len);
		r->ddict = ZSTD_createDDict_advanced(r->win, len, ZSTD_dlm_byRef, ZSTD_dct_auto,
		                                     ZSTD_defaultCMem);
	}
	if (!r->dctx || (len && !r->ddict)) {
		/* the dictionary refused (its allocations rarely fail): corrupt */
		bidx_err rc = r->dctx && r->win ? bidx_corrupt() : BIDX_ENOMEM;
		bidx_dsr_free(r);
		return rc;
	}
	*out = r;
	return BIDX_OK;
}

void bidx_dsr_free(bidx_dsr *r)
{
	if (!r)
		return;
	ZSTD_freeDCtx(r->dctx);
	ZSTD_freeDDict(r->ddict);
	if (r->win)
		munmap(r->win, r->dlen + DSR_ROOM);
	free(r);
}

bidx_err bidx_dsr_get(bidx_dsr *r, const uint8_t *frame, size_t flen, uint32_t text_len,
                      char **buf, const char **title, size_t *tlen,
                      const char **text)
{
	*buf = NULL;
	*title = *text = NULL;
	*tlen = 0;
	unsigned long long n = ZSTD_getFrameContentSize(frame, flen);
	if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN ||
	    n < text_len || n - text_len > 1u << 20 /* a title is short */)
		return bidx_corrupt();
	/* the whole frame's checksum is checked (a prefix read turns it off) */
	if (ZSTD_isError(ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_forceIgnoreChecksum,
	                                        ZSTD_d_validateChecksum)))
		return BIDX_ENOMEM;
	char *b = bidx_malloc((size_t)n + 1);
	if (!b)
		return BIDX_ENOMEM;
	size_t got;
	if (r->win && n <= DSR_ROOM) {   /* after the dictionary, then copied out */
		got = ZSTD_decompress_usingDDict(r->dctx, r->win + r->dlen, n, frame, flen, r->ddict);
		if (!ZSTD_isError(got))
			memcpy(b, r->win + r->dlen, got);
	} else {
		got = r->ddict ? ZSTD_decompress_usingDDict(r->dctx, b, n, frame, flen, r->ddict)
		               : ZSTD_decompressDCtx(r->dctx, b, n, frame, flen);
	}
	const uint8_t *p = (const uint8_t *)b, *end = p + (ZSTD_isError(got) ? 0 : got);
	uint64_t tl;
	if (ZSTD_isError(got) || got != n || bidx_varint_get(&p, end, &tl) ||
	    tl != (uint64_t)(end - p) - text_len) {
		free(b);
		return bidx_corrupt();
	}
	b[n] = 0;
	*buf = b;
	*title = (const char *)p;
	*tlen = (size_t)tl;
	*text = (const char *)p + tl;
	return BIDX_OK;
}

/* Decompresses the frame block by block straight into out[0..cap) (zstd's
 * buffer-less decoder: no window buffer of its own to allocate and copy
 * through; only the bytes decoded are touched) until at least `want` bytes
 * are there or the frame ends; returns the bytes produced, or 0 on a zstd
 * error. */
static size_t stream_prefix(bidx_dsr *r, const uint8_t *frame, size_t flen, char *out, size_t want,
                            size_t cap)
{
	/* a prefix never reaches the frame's checksum (docstore.h): its XXH64
	 * of every byte decoded would be work for nothing */
	size_t rc = ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_forceIgnoreChecksum,
	                                   ZSTD_d_ignoreChecksum);
	if (!ZSTD_isError(rc))
		rc = r->ddict ? ZSTD_decompressBegin_usingDDict(r->dctx, r->ddict)
		              : ZSTD_decompressBegin(r->dctx);
	if (ZSTD_isError(rc))
		return 0;
	size_t pos = 0, at = 0;
	while (pos < want) {
		size_t step = ZSTD_nextSrcSizeToDecompress(r->dctx);
		if (!step)
			break;   /* the frame is complete */
		if (step > flen - at)
			return 0;
		size_t got = ZSTD_decompressContinue(r->dctx, out + pos, cap - pos, frame + at, step);
		if (ZSTD_isError(got))
			return 0;
		pos += got;
		at += step;
	}
	return pos;
}

bidx_err bidx_dsr_get_prefix(bidx_dsr *r, const uint8_t *frame, size_t flen, uint32_t text_len,
                             size_t want, char **buf, const char **title, size_t *tlen,
                             const char **text, size_t *avail)
{
	if (want >= text_len) {
		*avail = text_len;
		return bidx_dsr_get(r, frame, flen, text_len, buf, title, tlen, text);
	}
	*buf = NULL;
	*title = *text = NULL;
	*tlen = 0;
	*avail = 0;
	unsigned long long n = ZSTD_getFrameContentSize(frame, flen);
	if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN ||
	    n < text_len || n - text_len > 1u << 20)
		return bidx_corrupt();
	/* the record is title_len, title, text: the title is n - text_len
	 * bytes with its length, so the prefix wanted is known up front */
	size_t need = (size_t)(n - text_len) + want;
	/* room for the whole record (zstd decodes whole blocks, of any size),
	 * of which only the blocks up to the prefix's end are written */
	char *b = bidx_malloc((size_t)n + 1);
	if (!b)
		return BIDX_ENOMEM;
	size_t got;
	if (r->win && n <= DSR_ROOM) {
		got = stream_prefix(r, frame, flen, (char *)r->win + r->dlen, need, (size_t)n);
		memcpy(b, r->win + r->dlen, got);
	} else {
		got = stream_prefix(r, frame, flen, b, need, (size_t)n);
	}
	const uint8_t *p = (const uint8_t *)b, *end = p + got;
	uint64_t tl;
	if (got < need || bidx_varint_get(&p, end, &tl) ||
	    tl != (uint64_t)(n - text_len) - (uint64_t)(p - (const uint8_t *)b)) {
		free(b);
		return bidx_corrupt();
	}
	b[need] = 0;
	*buf = b;
	*title = (const char *)p;
	*tlen = (size_t)tl;
	*text = (const char *)p + tl;
	*avail = want;
	return BIDX_OK;
}
