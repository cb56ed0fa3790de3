/*
 * settings.c - the build-settings fingerprint (settings.h): an XXH3 over
 * everything besides a file's bytes that decides what a build makes of it.
 * The manifest keeps it; a build whose fingerprint differs from the one
 * kept reuses nothing, so an index never mixes documents analysed two
 * ways.  The user dictionary counts by content, not by path: editing it
 * changes the words MeCab finds.
 */
#include "settings.h"
#include "analyze.h"
#include "buf.h"
#include "checksum.h"
#include "format.h"
#include "io.h"
#include "normalize.h"
#include "notice.h"
#include "tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
