/* libFuzzer target: the thesaurus table (searcher/thesaurus.c).  The input's
 * first line is a word, the rest a table file: the table is loaded and the
 * word looked up.  Checks that a readable table loads (or runs out of
 * memory), that every word reported is non-empty, inside the table, never
 * the word itself, and reported once. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "thesaurus.h"

static int fd = -1;
static char path[64];

typedef struct seen {
	const char *w;
	size_t n;
	const char *s[64];
	size_t l[64];
	size_t k;
} seen;

static int check(void *ctx, const char *word, size_t len, bidx_threl rel)
{
	seen *c = ctx;
	if (!len || (rel != BIDX_TH_SAME && rel != BIDX_TH_NEAR) ||
	    (len == c->n && !memcmp(word, c->w, len)) || c->k == 64)
		abort();
	for (size_t i = 0; i < c->k; i++)
		if (c->l[i] == len && !memcmp(c->s[i], word, len))
			abort();
	c->s[c->k] = word;
	c->l[c->k++] = len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0) {
		fd = memfd_create("thesaurus", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	const uint8_t *nl = memchr(data, '\n', size);
	size_t wlen = nl ? (size_t)(nl - data) : size;
	size_t tlen = nl ? size - wlen - 1 : 0;
	if (ftruncate(fd, 0) || (tlen && pwrite(fd, nl + 1, tlen, 0) != (ssize_t)tlen))
		abort();
	bidx_thesaurus *th = NULL;
	char why[256];
	bidx_err rc = bidx_thesaurus_load(path, &th, why, sizeof why);
	if (rc != BIDX_OK && rc != BIDX_ENOMEM)
		abort();   /* the file is there: only memory can fail */
	seen c = {(const char *)data, wlen, {0}, {0}, 0};
	size_t calls = bidx_thesaurus_each(th, (const char *)data, wlen, check, &c);
	if (calls != c.k)
		abort();
	bidx_thesaurus_free(th);
	return 0;
}
