#include "benchcorpus.h"
#include "corpus.h"
#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ignore_skip(const char *path, const char *reason, void *arg)
{
	(void)path, (void)reason, (void)arg;
}

static int add_file(bench_corpus *c, size_t *cap, const char *path)
{
	char *data;
	size_t len, skip;
	char why[256];
	if (bidx_read_file(path, &data, &len)) {
		fprintf(stderr, "bench: %s: cannot read: %s; skipped\n", path, strerror(errno));
		return 0;
	}
	if (bidx_corpus_check(data, len, &skip, why, sizeof why)) {
		free(data);
		return 0;
	}
	if (c->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		bench_doc *nd = realloc(c->docs, nc * sizeof *nd);
		if (!nd)
			goto nomem;
		c->docs = nd;
		*cap = nc;
	}
	bench_doc *d = &c->docs[c->n];
	memset(d, 0, sizeof *d);
	if (!(d->path = strdup(path)))
		goto nomem;
	d->data = data;
	d->text = data + skip;
	d->len = len - skip;
	bidx_corpus_title(d->text, d->len, &d->title_start, &d->title_end);
	c->bytes += d->len;
	c->n++;
	return 0;
nomem:
	free(data);
	fprintf(stderr, "bench: out of memory\n");
	return -1;
}

int bench_corpus_load(char **paths, int npaths, bench_corpus *c)
{
	memset(c, 0, sizeof *c);
	size_t cap = 0;
	for (int a = 0; a < npaths; a++) {
		bidx_filelist fl = {0};
		if (bidx_corpus_walk(paths[a], &fl, ignore_skip, NULL)) {
			fprintf(stderr, "bench: %s: cannot read\n", paths[a]);
			bidx_filelist_free(&fl);
			return -1;
		}
		for (size_t i = 0; i < fl.n; i++)
			if (bidx_corpus_is_text(fl.paths[i]) && add_file(c, &cap, fl.paths[i])) {
				bidx_filelist_free(&fl);
				return -1;
			}
		bidx_filelist_free(&fl);
	}
	return 0;
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
