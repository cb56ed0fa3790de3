/*
 * pool.h - the analysis threads of a build.
 *
 * Worker threads analyse the files of a list (analyze.h) up to a window of
 * files ahead; the calling thread hands each one, strictly in list order, to
 * a commit function.  So what the commit does (doc ids, messages, the index
 * bytes) is the same whatever the number of threads.
 */
#ifndef BIDX_POOL_H
#define BIDX_POOL_H

#include <stddef.h>
#include "analyze.h"
#include "build.h"
#include "corpus.h"
#include "error.h"

typedef struct bidx_pool_calls {
	/* What the previous build recorded of path, or NULL: called on the
	 * worker threads while commit runs, so it must only read. */
	const bidx_source *(*previous)(void *arg, const char *path);
	/* Commits file i of the list, on the calling thread, in list order;
	 * a non-OK return stops the pool.  f is freed after the call. */
	bidx_err (*commit)(void *arg, size_t i, const char *path, bidx_fileout *f);
	void *arg;
} bidx_pool_calls;

/* Analyses every file of fl on o->threads threads (0: one per online CPU)
 * with o->map and o->verbose, and commits them in order.  Returns the first
 * commit failure, or the workers' (MeCab cannot load: why[] says why). */
bidx_err bidx_pool_run(const bidx_filelist *fl, const bidx_build_opts *o,
                       const bidx_pool_calls *calls, char *why, size_t whylen);

#endif
