/* libFuzzer target: a whole segment file.  The input is written as
 * DIR/seg-000001.bidx after its checksums are recomputed by the codec (when
 * its footer and table are in place), so mutations reach the decoders
 * instead of stopping at a checksum; then it is opened, queried (hits ranked
 * and rendered as bsearch would), verified to every depth, and, under a
 * manifest that lists it, checked the way `bidx check` does.  Reading only:
 * the target links the searcher and common/, not the indexer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "format.h"
#include "fuzz.h"
#include "output.h"
#include "query_eval.h"
#include "query_parse.h"
#include "index.h"
#include "manifest.h"
#include "segment.h"

static char dir[256], file[300];

static void ignore(const char *name, const char *sec, const char *msg, void *arg)
{
	(void)name;
	(void)sec;
	(void)msg;
	(void)arg;
}

static void ignore_seg(const char *sec, const char *msg, void *arg)
{
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
	uint32_t n = bidx_segment_ndocs(seg);
	const bidx_meta *meta = bidx_segment_meta(seg);
	if (n == 0 || n > (1u << 24))
		return 0;
	uint32_t *map = malloc((size_t)n * sizeof *map);
	if (!map)
		abort();
	for (uint32_t i = 0; i < n; i++)
		map[i] = i;
	bidx_man_seg ms = {1, n, 0, 0, map, n};
	bidx_segment_pin(seg, &ms);
	char path[] = "fuzz.txt";
	bidx_source src = {path, 0, 0, 0, meta->corpus_bytes, 0, 0, n};
	bidx_manifest m = {1, 0, 2, n, meta->total_tokens, meta->total_chars, meta->corpus_bytes,
	                   &ms, 1, &src, 1, NULL, 0};
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
	(void)bidx_segment_reseal(m, size, 1);
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(m, 1, size, f) != size || fclose(f))
		abort();
	free(m);
	bidx_segment *seg;
	bidx_index *ix;
	char why[256];
	if (bidx_segment_open_file(file, &seg, why, sizeof why) == BIDX_OK) {
		for (int depth = BIDX_VERIFY_SUMS; depth <= BIDX_VERIFY_DEEP; depth++) {
			bidx_findings found = {.fn = ignore_seg};
			(void)bidx_segment_verify(seg, depth, &found);
		}
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
