/*
 * A build that fails at any write, fsync, rename or allocation leaves the
 * previous index exactly as it was; a damaged index file is refused with an
 * error, never answered from.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "build.h"
#include "checksum.h"
#include "fault.h"
#include "io.h"
#include "query_eval.h"
#include "query_parse.h"
#include "index.h"
#include "manifest.h"
#include "segment.h"
#include "testutil.h"
#include "varint.h"

static char *dir;
static const char *seeds;

/* Builds `corpus` into dir: from scratch (full), or as an update that ends
 * with one segment (optimize: merges run too). */
static bidx_err build_of(const char *corpus, int full, int optimize)
{
	bidx_build_opts o = {.mode = BIDX_BUILD_REPLACE, .index_dir = dir, .msg = stderr, .full = full, .optimize = optimize};
	bidx_build_stats st;
	char why[512];
	const char *paths[] = {corpus};
	FILE *quiet = fopen("/dev/null", "w");
	o.msg = quiet;
	bidx_err rc = bidx_build(paths, 1, &o, &st, why, sizeof why);
	fclose(quiet);
	return rc;
}

static bidx_err build(void)
{
	return build_of(seeds, 1, 0);
}

/* Hits of a query, as a string of doc ids, from the index in dir. */
static bidx_err answer(const char *d, const char *query, char *out, size_t n)
{
	bidx_index *ix;
	bidx_qnode *q;
	bidx_result r;
	char why[256];
	size_t ep;
	bidx_err rc = bidx_index_open(d, &ix, why, sizeof why);
	if (rc)
		return rc;
	cr_assert_eq(bidx_query_parse(query, &q, why, sizeof why, &ep), BIDX_OK);
	rc = bidx_query_eval(ix, q, &r, why, sizeof why);
	out[0] = 0;
	if (!rc) {
		for (uint32_t i = 0; i < r.n; i++) {
			size_t l = strlen(out);
			snprintf(out + l, n - l, "%u:%.4f ", r.hits[i].doc, r.hits[i].score);
		}
		bidx_result_free(&r);
	}
	bidx_query_free(q);
	bidx_index_close(ix);
	return rc;
}

static int tmp_files_left(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		n += strstr(e->d_name, ".tmp-") != NULL;
	closedir(d);
	return n;
}

static void setup(void)
{
	seeds = tu_corpus("seeds");
	cr_assert(seeds);
	dir = tu_tmpdir("durable");
	cr_assert_eq(build(), BIDX_OK);
}

static void teardown(void)
{
	for (int k = 0; k < BIDX_FAULT_NKINDS; k++)
		bidx_fault_set(k, 0);
	tu_rmtree(dir);
	free(dir);
}

TestSuite(durability, .init = setup, .fini = teardown);

/* Fails call n of that kind, for up to `points` values of n spread over the
 * whole build. */
static void fault_loop(enum bidx_fault_kind kind, long points)
{
	char before[4096], after[4096];
	bidx_fault_set(kind, 0);
	cr_assert_eq(build(), BIDX_OK);   /* counts the calls of a whole build */
	long calls = bidx_fault_count(kind);
	cr_assert_eq(answer(dir, "クレジットカード", before, sizeof before), BIDX_OK);
	cr_assert_gt(calls, 0);
	int failed = 0;
	long step = calls / points + 1;
	for (long n = 1; n <= calls; n += step) {
		bidx_fault_set(kind, n);
		bidx_err rc = build();
		bidx_fault_set(kind, 0);
		failed += rc != BIDX_OK;
		cr_assert_eq(answer(dir, "クレジットカード", after, sizeof after), BIDX_OK,
		             "index unreadable after a fault at call %ld of kind %d", n, kind);
		cr_assert_str_eq(after, before, "fault at call %ld of kind %d changed the answers", n, kind);
		cr_assert_eq(tmp_files_left(), 0, "a temporary file was left behind");
	}
	cr_assert_gt(failed, 0, "no injected fault made the build fail");
	fprintf(stderr, "fault kind %d: %ld of %ld calls failed in turn, %d builds failed cleanly\n",
	        kind, (calls + step - 1) / step, calls, failed);
	TU_ASSERT_NO_LEAKS();   /* every failed build freed what it had */
}

Test(durability, write_faults_keep_the_previous_index) { fault_loop(BIDX_FAULT_WRITE, 1000); }
Test(durability, fsync_faults_keep_the_previous_index) { fault_loop(BIDX_FAULT_FSYNC, 1000); }
Test(durability, rename_faults_keep_the_previous_index) { fault_loop(BIDX_FAULT_RENAME, 1000); }
Test(durability, alloc_faults_keep_the_previous_index, .timeout = 600)
{
	fault_loop(BIDX_FAULT_ALLOC, 60);
}

static void put(const char *d, const char *name, const char *text)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", d, name);
	tu_write_file(path, text, strlen(text));
}

/* Every allocation, write, fsync and rename of an update (one file changed,
 * one added, one removed, then everything merged into one segment), one at
 * a time: a failed update leaves the previous state answering as before, a
 * successful one the new state; never a mix, never a stray file. */
Test(durability, faults_at_every_point_of_an_update, .timeout = 900)
{
	char *a = tu_tmpdir("update-a"), *b = tu_tmpdir("update-b");
	char before[4096], after[4096], got[4096];
	put(a, "1.txt", "クレジットカード情報の漏えいについて\n第三者による不正アクセス");
	put(a, "2.txt", "お知らせ\nクレジットカードの再発行");
	put(a, "3.txt", "個人情報の取扱い\n委託先");
	put(b, "1.txt", "クレジットカード情報の漏えいについて\n第三者による不正アクセス");
	put(b, "2.txt", "お知らせ\nクレジットカード会社への連絡と再発行");
	put(b, "4.txt", "クレジットカード不正利用のお詫び");
	cr_assert_eq(build_of(b, 1, 0), BIDX_OK);
	cr_assert_eq(answer(dir, "クレジットカード", after, sizeof after), BIDX_OK);
	for (int k = 0; k < BIDX_FAULT_NKINDS; k++) {
		cr_assert_eq(build_of(a, 1, 0), BIDX_OK);
		cr_assert_eq(answer(dir, "クレジットカード", before, sizeof before), BIDX_OK);
		cr_assert_str_neq(before, after);
		bidx_fault_set(k, 0);
		cr_assert_eq(build_of(b, 0, 1), BIDX_OK);   /* counts the calls of an update */
		long calls = bidx_fault_count(k);
		int failed = 0;
		for (long n = 1; n <= calls; n++) {
			cr_assert_eq(build_of(a, 1, 0), BIDX_OK);
			bidx_fault_set(k, n);
			bidx_err rc = build_of(b, 0, 1);
			bidx_fault_set(k, 0);
			failed += rc != BIDX_OK;
			cr_assert_eq(answer(dir, "クレジットカード", got, sizeof got), BIDX_OK,
			             "index unreadable after a fault at call %ld of kind %d", n, k);
			cr_assert_str_eq(got, rc ? before : after, "fault at call %ld of kind %d: "
			                 "the answers are neither the old nor the new ones", n, k);
			cr_assert_eq(tmp_files_left(), 0, "a temporary file was left behind");
		}
		cr_assert_gt(failed, 0, "no injected fault of kind %d made the update fail", k);
		fprintf(stderr, "update, fault kind %d: each of %ld calls failed in turn, %d updates "
		        "failed cleanly\n", k, calls, failed);
	}
	TU_ASSERT_NO_LEAKS();
	tu_rmtree(a);
	tu_rmtree(b);
	free(a);
	free(b);
}

/* Every allocation, write, fsync and rename of a whole (small) build, one at
 * a time. */
Test(durability, faults_at_every_point_of_a_small_build, .timeout = 900)
{
	char *small = tu_tmpdir("one-notice"), src[4200], dst[4300], *data;
	size_t len;
	snprintf(src, sizeof src, "%s/004_d9cd4af4c8fa6ca2.txt", seeds);
	snprintf(dst, sizeof dst, "%s/notice.txt", small);
	cr_assert_eq(bidx_read_file(src, &data, &len), BIDX_OK);
	tu_write_file(dst, data, len);
	free(data);
	const char *keep = seeds;
	seeds = small;   /* build() indexes `seeds` */
	for (int k = 0; k < BIDX_FAULT_NKINDS; k++)
		fault_loop(k, 1000000);   /* every call */
	seeds = keep;
	tu_rmtree(small);
	free(small);
}

static void copy_file(const char *from, const char *to, size_t keep, long flip_at)
{
	char *data;
	size_t len;
	cr_assert_eq(bidx_read_file(from, &data, &len), BIDX_OK);
	if (keep > len)
		keep = len;
	if (flip_at >= 0 && (size_t)flip_at < keep)
		data[flip_at] ^= 0x10;
	tu_write_file(to, data, keep);
	free(data);
}

Test(durability, damaged_index_is_refused)
{
	char src[4096], bad_dir[4096], bad[4200], out[4096], man[4200], bad_man[4200];
	snprintf(src, sizeof src, "%s/" TU_SEGMENT, dir);
	snprintf(bad_dir, sizeof bad_dir, "%s/bad", dir);
	mkdir(bad_dir, 0777);
	snprintf(bad, sizeof bad, "%s/" TU_SEGMENT, bad_dir);
	snprintf(man, sizeof man, "%s/manifest", dir);
	snprintf(bad_man, sizeof bad_man, "%s/manifest", bad_dir);
	tu_copy_file(man, bad_man);
	struct stat st;
	cr_assert_eq(stat(src, &st), 0);
	size_t size = (size_t)st.st_size;
	/* truncations */
	for (size_t keep = 0; keep < size; keep += size / 50 + 1) {
		copy_file(src, bad, keep, -1);
		cr_assert_eq(answer(bad_dir, "クレジットカード", out, sizeof out), BIDX_ECORRUPT,
		             "truncated to %zu of %zu bytes but accepted", keep, size);
	}
	/* single bit flips everywhere: header, sections, table, footer.  A query
	 * either is refused or, when it never reads the damaged chunk, gives the
	 * right answer; a full verification always notices. */
	char good[4096];
	cr_assert_eq(answer(dir, "クレジットカード", good, sizeof good), BIDX_OK);
	int refused = 0, flips = 0;
	for (size_t at = 0; at < size; at += size / 300 + 1, flips++) {
		copy_file(src, bad, size, (long)at);
		bidx_err rc = answer(bad_dir, "クレジットカード", out, sizeof out);
		cr_assert(rc == BIDX_ECORRUPT || rc == BIDX_EVERSION || (rc == BIDX_OK && !strcmp(out, good)),
		          "a flipped bit at byte %zu of %zu gave a wrong answer (rc %d)", at, size, rc);
		refused += rc != BIDX_OK;
		bidx_segment *seg;
		char why[256];
		rc = bidx_segment_open_file(bad, &seg, why, sizeof why);
		if (!rc) {
			bidx_findings f = {.why = why, .whylen = sizeof why};
			rc = bidx_segment_verify(seg, BIDX_VERIFY_SUMS, &f);
			bidx_segment_close(seg);
		}
		cr_assert(rc == BIDX_ECORRUPT || rc == BIDX_EVERSION,
		          "full verification missed a flipped bit at byte %zu", at);
	}
	cr_assert_gt(refused, flips / 3, "most flips should be refused by the query itself");
	/* zero-filled */
	FILE *f = fopen(bad, "wb");
	for (size_t i = 0; i < size; i++)
		fputc(0, f);
	fclose(f);
	cr_assert_eq(answer(bad_dir, "クレジットカード", out, sizeof out), BIDX_ECORRUPT);
}

/* Where a manifest's head_sum part ends (the maps' padding; docs/FORMAT.md,
 * "Manifest"). */
static size_t man_head_end(const char *path)
{
	char *data;
	size_t len;
	cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK);
	const uint8_t *p = (const uint8_t *)data;
	uint32_t nsegs = bidx_get_u32le(p + 12);
	size_t end = BIDX_MAN_HEADER_SIZE + (size_t)nsegs * BIDX_MAN_SEG_SIZE;
	for (uint32_t s = 0; s < nsegs; s++)
		end += 4 * (size_t)bidx_get_u32le(p + BIDX_MAN_HEADER_SIZE + s * BIDX_MAN_SEG_SIZE + 4);
	free(data);
	return (end + 7) & ~(size_t)7;
}

/* Makes the manifest at path one written before head_sum: zero there, msum
 * resealed; then flips a bit at flip_at (-1: none) without resealing.  With
 * version, writes that version instead and reseals msum only. */
static void edit_manifest(const char *path, long flip_at, uint32_t version)
{
	char *data;
	size_t len;
	cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK);
	uint8_t *p = (uint8_t *)data;
	if (version) {
		bidx_put_u32le(p + 8, version);
		bidx_put_u64le(p + len - 16, bidx_xxh3(p, len - 16));
	} else if (flip_at < 0) {
		memset(p + 72, 0, 8);
		bidx_put_u64le(p + len - 16, bidx_xxh3(p, len - 16));
	} else {
		p[flip_at] ^= 0x10;
	}
	tu_write_file(path, data, len);
	free(data);
}

Test(durability, damaged_manifest_is_refused)
{
	char src[4096], bad_dir[4096], bad[4200], seg[4200], bad_seg[4200], out[4096];
	snprintf(src, sizeof src, "%s/manifest", dir);
	snprintf(bad_dir, sizeof bad_dir, "%s/badman", dir);
	mkdir(bad_dir, 0777);
	snprintf(bad, sizeof bad, "%s/manifest", bad_dir);
	snprintf(seg, sizeof seg, "%s/" TU_SEGMENT, dir);
	snprintf(bad_seg, sizeof bad_seg, "%s/" TU_SEGMENT, bad_dir);
	tu_copy_file(seg, bad_seg);
	struct stat st;
	cr_assert_eq(stat(src, &st), 0);
	size_t size = (size_t)st.st_size;
	/* every truncation is refused */
	for (size_t keep = 0; keep < size; keep += size / 40 + 1) {
		copy_file(src, bad, keep, -1);
		cr_assert_eq(answer(bad_dir, "クレジットカード", out, sizeof out), BIDX_ECORRUPT,
		             "manifest truncated to %zu of %zu bytes but accepted", keep, size);
	}
	/* a flipped bit in what a search reads (the header, the segment list,
	 * the maps: head_sum's part) or in the end marker is refused; one in
	 * the source list or msum, which a search neither reads nor hashes,
	 * leaves the answer as it was; a reader of the sources refuses both */
	char good[4096];
	cr_assert_eq(answer(dir, "クレジットカード", good, sizeof good), BIDX_OK);
	size_t head = man_head_end(src);
	cr_assert_lt(head, size - 16, "the test manifest has sources");
	for (size_t at = 0, step = 1; at < size; at += step) {
		copy_file(src, bad, size, (long)at);
		bidx_err rc = answer(bad_dir, "クレジットカード", out, sizeof out);
		if (at < head || at >= size - 8)
			cr_assert(rc == BIDX_ECORRUPT || rc == BIDX_EVERSION,
			          "a flipped bit at byte %zu of the manifest was accepted (rc %d)", at, rc);
		else
			cr_assert(rc == BIDX_OK && !strcmp(out, good), "a flipped bit at byte %zu of the "
			          "source list changed a search (rc %d): it reads what it need not", at, rc);
		bidx_manifest m;
		char why[256];
		cr_assert_eq(bidx_manifest_read(bad_dir, 1, &m, why, sizeof why), BIDX_ECORRUPT,
		             "a flipped bit at byte %zu of the manifest was accepted with its sources", at);
		step = at < head + 64 ? 1 : size / 200 + 1;   /* every byte of the header and maps */
	}
	/* a manifest written before head_sum (zero there) is verified whole */
	copy_file(src, bad, size, -1);
	edit_manifest(bad, -1, 0);
	cr_assert_eq(answer(bad_dir, "クレジットカード", out, sizeof out), BIDX_OK);
	cr_assert_str_eq(out, good);
	edit_manifest(bad, (long)head + 3, 0);
	cr_assert_eq(answer(bad_dir, "クレジットカード", out, sizeof out), BIDX_ECORRUPT,
	             "a manifest without head_sum was not verified whole");
	/* another version is refused as such, not as damage: its head_sum may
	 * be another thing, its msum is the same */
	copy_file(src, bad, size, -1);
	edit_manifest(bad, -1, BIDX_FORMAT_VERSION + 1);
	bidx_index *ix;
	char why[256];
	cr_assert_eq(bidx_index_open(bad_dir, &ix, why, sizeof why), BIDX_EVERSION, "%s", why);
	cr_assert(strstr(why, "bidx build --full"), "%s", why);
	/* a segment the manifest lists is gone */
	copy_file(src, bad, size, -1);
	cr_assert_eq(unlink(bad_seg), 0);
	cr_assert_eq(answer(bad_dir, "クレジットカード", out, sizeof out), BIDX_ECORRUPT);
}
