#include "benchcorpus.h"
#include "analyze.h"
#include "corpus.h"
#include "tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ignore_skip(const char *path, const char *reason, void *arg)
{
	(void)path, (void)reason, (void)arg;
}

static int grow(bench_corpus *c, size_t *cap, size_t more)
{
	if (c->n + more <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 1024;
	while (nc < c->n + more)
		nc *= 2;
	bench_doc *nd = realloc(c->docs, nc * sizeof *nd);
	if (!nd)
		return -1;
	c->docs = nd;
	*cap = nc;
	return 0;
}

/* Analyses one file and moves its notices' paths and texts into c; files
 * and records bidx skips are skipped here too (bidx reports them). */
static int add_file(bench_corpus *c, size_t *cap, bidx_analyzer *a, const char *path)
{
	bidx_fileout out;
	memset(&out, 0, sizeof out);
	bidx_err rc = bidx_analyze_file(a, path, NULL, &out);
	if (rc) {
		fprintf(stderr, "bench: %s: %s\n", path, bidx_strerror(rc));
		bidx_fileout_free(&out);
		return -1;
	}
	if (grow(c, cap, out.n)) {
		bidx_fileout_free(&out);
		fprintf(stderr, "bench: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < out.n; i++) {
		bidx_adoc *ad = &out.docs[i];
		bench_doc *d = &c->docs[c->n++];
		d->path = ad->path;
		d->data = ad->text;
		d->text = ad->text;
		d->len = ad->len;
		d->title_start = ad->tb;
		d->title_end = ad->te;
		ad->path = ad->text = NULL;   /* now c's */
		c->bytes += d->len;
	}
	bidx_fileout_free(&out);
	return 0;
}

int bench_corpus_load(char **paths, int npaths, bench_corpus *c)
{
	memset(c, 0, sizeof *c);
	char why[256];
	bidx_analyzer a = {0};
	if (bidx_tokenizer_new(&a.tok, why, sizeof why)) {
		fprintf(stderr, "bench: cannot load MeCab: %s\n", why);
		return -1;
	}
	size_t cap = 0;
	int rc = 0;
	for (int i = 0; i < npaths && !rc; i++) {
		bidx_filelist fl = {0};
		if (bidx_corpus_walk((const char *const *)&paths[i], 1, 0, &fl, ignore_skip, NULL)) {
			fprintf(stderr, "bench: %s: cannot read\n", paths[i]);
			rc = -1;
		}
		for (size_t f = 0; f < fl.n && !rc; f++)
			rc = add_file(c, &cap, &a, fl.paths[f]);
		bidx_filelist_free(&fl);
	}
	bidx_tokenizer_free(a.tok);
	if (rc)
		bench_corpus_free(c);
	return rc;
}

void bench_doc_drop(bench_doc *d)
{
	free(d->data);
	d->data = NULL;
	d->text = NULL;
}

void bench_corpus_free(bench_corpus *c)
{
	for (size_t i = 0; c && i < c->n; i++) {
		free(c->docs[i].path);
		free(c->docs[i].data);
	}
	if (c) {
		free(c->docs);
		memset(c, 0, sizeof *c);
	}
}
