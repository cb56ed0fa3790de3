/* libFuzzer target: the synonym table (searcher/synonyms.c).  The input's
 * first line is a query, the rest a table file: the table is loaded (its
 * complaints go to /dev/null) and the parsed query expanded with it.
 * Checks that a loaded table expands without error and that the expanded
 * query keeps at least the words it had. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "query_parse.h"
#include "synonyms.h"

static int fd = -1;
static char path[64];
static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0) {
		fd = memfd_create("synonyms", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		devnull = fopen("/dev/null", "w");
	}
	const uint8_t *nl = memchr(data, '\n', size);
	size_t qlen = nl ? (size_t)(nl - data) : size;
	size_t tlen = nl ? size - qlen - 1 : 0;
	if (ftruncate(fd, 0) || (tlen && pwrite(fd, nl + 1, tlen, 0) != (ssize_t)tlen))
		abort();
	bidx_synonyms *syn = NULL;
	char why[256];
	bidx_err rc = bidx_synonyms_load(path, &syn, devnull, why, sizeof why);
	if (rc != BIDX_OK && rc != BIDX_ENOMEM)
		abort();   /* the file is there: only memory can fail */
	char *q = malloc(qlen + 1);
	if (!q)
		abort();
	memcpy(q, data, qlen);
	q[qlen] = 0;
	bidx_qnode *root = NULL;
	size_t errpos;
	if (syn && bidx_query_parse(q, &root, why, sizeof why, &errpos) == BIDX_OK) {
		size_t before = bidx_query_positive_terms(root);
		if (bidx_synonyms_expand(syn, &root) == BIDX_OK && bidx_query_positive_terms(root) < before)
			abort();
	}
	bidx_query_free(root);
	bidx_synonyms_free(syn);
	free(q);
	return 0;
}
