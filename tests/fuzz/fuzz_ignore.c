/* libFuzzer target: the .bidxignore matcher (indexer/ignore.c) on arbitrary
 * bytes.  The input is a .bidxignore (up to the first NUL) and then paths
 * to match, one a line: every line is added, every path matched as a file
 * and as a directory, and each glob matched against each path, with no
 * read past a line and a rule that matched naming its line. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ignore.h"

/* A NUL-terminated copy of s[0..n) of exactly n + 1 bytes. */
static char *dup_n(const uint8_t *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = 0;
	}
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t rl = nul ? (size_t)(nul - data) : size;
	bidx_ignore *ig = bidx_ignore_new();
	if (!ig)
		return 0;
	for (size_t i = 0; i < rl;) {
		const uint8_t *nl = memchr(data + i, '\n', rl - i);
		size_t e = nl ? (size_t)(nl - data) : rl;
		char *line = dup_n(data + i, e - i);   /* exact size: ASan sees overreads */
		if (line && bidx_ignore_add(ig, "/c", line, e - i, "fuzz") == BIDX_ENOMEM) {
			free(line);
			break;
		}
		free(line);
		i = e + 1;
	}
	const uint8_t *p = nul ? nul + 1 : data + size, *end = data + size;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *path = malloc(n + 4);
		if (path) {
			memcpy(path, "/c/", 3);
			memcpy(path + 3, p, n);
			path[n + 3] = 0;
			for (int dir = 0; dir < 2; dir++) {
				const char *pat = NULL, *src = NULL;
				if (bidx_ignore_match(ig, path, dir, &pat, &src) && (!pat || !src))
					abort();   /* a rule that ignores a path names its line */
			}
			char *glob = dup_n(data, rl < 256 ? rl : 256);
			if (glob) {
				(void)bidx_ignore_glob(glob, path + 3);
				free(glob);
			}
			free(path);
		}
		p += n + 1;
	}
	bidx_ignore_free(ig);
	return 0;
}
