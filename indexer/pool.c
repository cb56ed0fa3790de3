/*
 * pool.c - the analysis threads of a build (pool.h).
 *
 * One mutex and one condition variable guard the list: a worker takes the
 * next file unless it is BUILD_WINDOW files ahead of the commit point, and
 * marks its slot ready when done; the calling thread waits for slot i,
 * commits it, frees it and moves the commit point on.  Each worker has its
 * own MeCab tagger.  The window bounds the memory of analysed files waiting
 * for their turn; the order of commits never depends on the threads.
 */
#include "pool.h"
#include "fault.h"
#include "tokenize.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BUILD_WINDOW 64       /* files analysed ahead of the commit point */
#define BUILD_MAX_THREADS 16

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
	const bidx_pool_calls *calls;
	bidx_err rc;             /* first worker failure (MeCab load) */
	char why[256];
} pool;

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
		bidx_analyze_file(&a, p->fl->paths[i], p->calls->previous(p->calls->arg, p->fl->paths[i]),
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
static bidx_err commit_all(pool *p)
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
		rc = p->calls->commit(p->calls->arg, i, p->fl->paths[i], &p->out[i]);
		bidx_fileout_free(&p->out[i]);
		pthread_mutex_lock(&p->mu);
		p->committed = i + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
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

bidx_err bidx_pool_run(const bidx_filelist *fl, const bidx_build_opts *o,
                       const bidx_pool_calls *calls, char *why, size_t whylen)
{
	pool p = {.fl = fl, .o = o, .calls = calls};
	pthread_t th[BUILD_MAX_THREADS];
	int nth = thread_count(o, fl->n), started = 0;
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
		rc = commit_all(&p);
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
