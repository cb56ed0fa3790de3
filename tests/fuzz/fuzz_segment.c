/* libFuzzer target: a whole segment file.  The input is written as
 * DIR/seg-000001.bidx after its checksums are recomputed (when its footer and
 * table are in place), so mutations reach the decoders instead of stopping
 * at a checksum; then it is opened, queried (hits ranked and rendered as
 * bsearch would), verified, and, under a manifest that lists it, checked
 * the way `bidx check` does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "checksum.h"
#include "format.h"
#include "fuzz.h"
#include "output.h"
#include "query_eval.h"
#include "query_parse.h"
#include "index.h"
#include "manifest.h"
#include "segment_reader.h"
#include "varint.h"

static char dir[256], file[300];

static void reseal(uint8_t *m, size_t sz)
{
	if (sz < BIDX_HEADER_SIZE + BIDX_FOOTER_SIZE)
		return;
	uint64_t toff = bidx_get_u64le(m + sz - BIDX_FOOTER_SIZE);
	uint64_t tlen = (uint64_t)BIDX_SEC_MAX * BIDX_TABLE_ENTRY_SIZE;
	if (toff < BIDX_HEADER_SIZE || toff + tlen != sz - BIDX_FOOTER_SIZE)
		return;
	uint64_t off[BIDX_SEC_MAX + 1], len[BIDX_SEC_MAX + 1];
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		const uint8_t *t = m + toff + (size_t)(id - 1) * BIDX_TABLE_ENTRY_SIZE;
		off[id] = bidx_get_u64le(t + 8);
		len[id] = bidx_get_u64le(t + 16);
		if (off[id] > toff || len[id] > toff - off[id])
			return;
	}
	uint64_t clen = len[BIDX_SEC_CHUNKS];
	uint8_t *sum = m + off[BIDX_SEC_CHUNKS] + BIDX_CHUNKS_HEADER_SIZE, *send = sum - 16 + clen;
	static const int which[2] = {BIDX_SEC_POSTINGS, BIDX_SEC_STORE};
	for (int k = 0; k < 2 && clen >= BIDX_CHUNKS_HEADER_SIZE; k++)
		for (uint64_t a = 0; a < len[which[k]] && sum + 8 <= send; a += BIDX_CHUNK_SIZE, sum += 8) {
			uint64_t n = len[which[k]] - a < BIDX_CHUNK_SIZE ? len[which[k]] - a : BIDX_CHUNK_SIZE;
			bidx_put_u64le(sum, bidx_xxh3(m + off[which[k]] + a, (size_t)n));
		}
	for (int id = 1; id <= BIDX_SEC_MAX; id++)
		bidx_put_u64le(m + toff + (size_t)(id - 1) * BIDX_TABLE_ENTRY_SIZE + 24,
		               bidx_xxh3(m + off[id], (size_t)len[id]));
	bidx_put_u64le(m + sz - BIDX_FOOTER_SIZE + 16, bidx_xxh3(m + toff, (size_t)tlen));
	bidx_put_u64le(m + 16, sz);
	bidx_put_u64le(m + 24, bidx_xxh3(m, 24));
}

static void ignore(const char *name, const char *sec, const char *msg, void *arg)
{
	(void)name;
	(void)sec;
	(void)msg;
	(void)arg;
}

static void query(bidx_index *ix, FILE *devnull, const char *text)
{
	bidx_qnode *q;
	bidx_result r;
	char why[256];
	size_t ep;
	if (bidx_query_parse(text, &q, why, sizeof why, &ep))
		return;
	if (bidx_query_eval(ix, q, &r, why, sizeof why) == BIDX_OK) {
		bidx_outopts o = {.mode = BIDX_OUT_JSON, .limit = 5, .f = devnull};
		(void)bidx_output(ix, &r, &o);
		bidx_result_free(&r);
	}
	bidx_query_free(q);
}

/* A manifest listing the segment with every document live, as one source;
 * 0 when there is none to write (no documents). */
static int write_manifest(const bidx_segment *seg)
{
	uint32_t n = seg->meta.ndocs;
	if (n == 0 || n > (1u << 24))
		return 0;
	uint32_t *map = malloc((size_t)n * sizeof *map);
	if (!map)
		abort();
	for (uint32_t i = 0; i < n; i++)
		map[i] = i;
	bidx_man_seg ms = {1, n, seg->size, seg->table_sum, map, n};
	bidx_source src = {(char *)"fuzz.txt", 0, 0, 0, seg->meta.corpus_bytes, 0, 0, n};
	bidx_manifest m = {1, 0, 2, n, seg->meta.total_tokens, seg->meta.total_chars,
	                   seg->meta.corpus_bytes, &ms, 1, &src, 1};
	int published;
	int ok = bidx_manifest_write(dir, &m, &published) == BIDX_OK;
	free(map);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/bidx-fuzz-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(dir))
			abort();
		snprintf(file, sizeof file, "%s/seg-000001.bidx", dir);
		devnull = fopen("/dev/null", "w");
	}
	uint8_t *m = malloc(size ? size : 1);
	memcpy(m, data, size);
	reseal(m, size);
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(m, 1, size, f) != size || fclose(f))
		abort();
	free(m);
	bidx_segment *seg;
	bidx_index *ix;
	char why[256];
	if (bidx_segment_open_file(file, &seg, why, sizeof why) == BIDX_OK) {
		(void)bidx_segment_verify(seg, why, sizeof why);
		int listed = write_manifest(seg);
		if (bidx_index_wrap(seg, &ix) == BIDX_OK) {
			query(ix, devnull, "クレジットカード");
			query(ix, devnull, "情 OR 報 -個人");
			query(ix, devnull, "\"不正 アクセス\" a");
			bidx_index_close(ix);
		}
		bidx_check_stats st;
		if (listed)
			(void)bidx_check(dir, ignore, NULL, 0, &st, why, sizeof why);
	}
	return 0;
}
