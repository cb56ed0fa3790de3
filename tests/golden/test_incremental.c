/*
 * Incremental builds against builds from scratch.
 *
 * A working corpus of real notices (the seeds, municipal CSVs, livedoor
 * articles) goes through a random sequence of changes: files added,
 * removed, edited, rewritten with the same bytes, renamed, and now and then
 * `optimize`.  After every step the index updated in place must answer a
 * set of queries exactly as an index built from scratch of the same files:
 * the same hits, in the same order, with bit-identical scores and the same
 * collection ids, and the same rendered JSON (snippets, fields, facets).
 * The update's summary must count what the step did.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "check.h"
#include "format.h"
#include "index.h"
#include "io.h"
#include "notice.h"
#include "output.h"
#include "query_eval.h"
#include "query_parse.h"
#include "testutil.h"
#include "varint.h"

#define MAX_POOL 64

static char *tmp, work[1024], inc[1024], ref[1024];
static char *pool[MAX_POOL];     /* source files, paths relative to pool_root[] */
static char *pool_src[MAX_POOL]; /* where each comes from */
static int npool;
static int present[MAX_POOL];    /* in the working corpus now */
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void add_pool(const char *src, const char *rel)
{
	cr_assert_lt(npool, MAX_POOL);
	pool_src[npool] = strdup(src);
	pool[npool] = strdup(rel);
	npool++;
}

/* Up to max files of dir (sorted names, every step-th), under prefix. */
static void pool_dir(const char *dir, const char *prefix, const char *ext, int max, int step)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return;
	int taken = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t l = strlen(nm);
		if (taken < max && i % step == 0 && l > strlen(ext) && !strcmp(nm + l - strlen(ext), ext) &&
		    strcmp(nm, "LICENSE.txt")) {
			char src[4096], rel[4096];
			snprintf(src, sizeof src, "%s/%s", dir, nm);
			snprintf(rel, sizeof rel, "%s/%s", prefix, nm);
			add_pool(src, rel);
			taken++;
		}
		free(names[i]);
	}
	free(names);
}

static void mkdirs(const char *path)
{
	char p[4096];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0777);
			*s = '/';
		}
}

static void work_path(int i, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", work, pool[i]);
}

static void write_file(const char *path, const char *data, size_t len)
{
	mkdirs(path);
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void put_pool(int i)
{
	char *data, dst[4096];
	size_t len;
	cr_assert_eq(bidx_read_file(pool_src[i], &data, &len), BIDX_OK, "%s", pool_src[i]);
	work_path(i, dst, sizeof dst);
	write_file(dst, data, len);
	free(data);
	present[i] = 1;
}

static void setup(void)
{
	const char *seeds = tu_corpus("seeds"), *muni = tu_corpus("municipal");
	cr_assert(seeds && muni);
	pool_dir(seeds, "seeds", ".txt", 5, 1);
	char csv[4096];
	snprintf(csv, sizeof csv, "%s/csv", muni);
	pool_dir(csv, "municipal", ".csv", 4, 7);
	const char *ld = tu_corpus("livedoor");
	if (ld) {
		char d[4096];
		snprintf(d, sizeof d, "%s/text/it-life-hack", ld);
		pool_dir(d, "livedoor/text/it-life-hack", ".txt", 25, 31);
		snprintf(d, sizeof d, "%s/text/topic-news", ld);
		pool_dir(d, "livedoor/text/topic-news", ".txt", 25, 29);
	} else {
		/* a plain clone: more CSVs, and the seeds again under new names, so
		 * that one-file updates still fill a size tier */
		pool_dir(csv, "municipal-more", ".csv", 6, 5);
		int nseeds = 5;
		for (int c = 0; c < 30; c++) {
			char rel[4096];
			const char *base = strrchr(pool_src[c % nseeds], '/');
			snprintf(rel, sizeof rel, "copies/%02d_%s", c, base ? base + 1 : pool_src[c % nseeds]);
			add_pool(pool_src[c % nseeds], rel);
		}
		fprintf(stderr, "incremental: no livedoor corpus; the pool is the seeds, municipal "
		        "CSVs and renamed copies of the seeds (%d files)\n", npool);
	}
	cr_assert_geq(npool, 40);
	tmp = tu_tmpdir("incremental");
	snprintf(work, sizeof work, "%s/corpus", tmp);
	snprintf(inc, sizeof inc, "%s/inc", tmp);
	snprintf(ref, sizeof ref, "%s/ref", tmp);
	mkdir(work, 0777);
}

static void teardown(void)
{
	for (int i = 0; i < npool; i++) {
		free(pool[i]);
		free(pool_src[i]);
	}
	npool = 0;
	memset(present, 0, sizeof present);
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(incremental, .init = setup, .fini = teardown, .timeout = 900);

static bidx_build_stats build(const char *dir, int full, int optimize)
{
	FILE *quiet = fopen("/dev/null", "w");
	bidx_build_opts o = {.index_dir = dir, .msg = quiet, .full = full, .optimize = optimize,
	                     .threads = 2};
	bidx_build_stats st;
	char why[512];
	const char *paths[] = {work};
	bidx_err rc = bidx_build(paths, 1, &o, &st, why, sizeof why);
	fclose(quiet);
	cr_assert_eq(rc, BIDX_OK, "build of %s: %s", dir, why);
	return st;
}

static const char *const queries[] = {
	"情報", "の", "個人情報 漏えい", "クレジットカード", "\"不正 アクセス\"",
	"発表 OR お知らせ", "サービス -無料", "title:の", "date:>=2012-06-01", "(市 OR 町) 子ども",
	"a", "iphone", "category:くらし",
};

/* Every hit of every query (id, exact score, path), then the rendered JSON
 * of the top 20 with facets, once by relevance and once by date. */
static char *answers(const char *dir)
{
	bidx_index *ix;
	char why[256], *out = NULL;
	size_t n = 0;
	cr_assert_eq(bidx_index_open(dir, &ix, why, sizeof why), BIDX_OK, "%s: %s", dir, why);
	FILE *f = open_memstream(&out, &n);
	fprintf(f, "documents %u, words %llu\n", ix->ndocs, (unsigned long long)ix->total_tokens);
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		bidx_qnode *q;
		size_t ep;
		cr_assert_eq(bidx_query_parse(queries[i], &q, why, sizeof why, &ep), BIDX_OK);
		for (int pass = 0; pass < 3; pass++) {
			bidx_result r;
			cr_assert_eq(bidx_query_eval(ix, q, &r, why, sizeof why), BIDX_OK, "%s", why);
			fprintf(f, "== %s (%u)\n", queries[i], r.n);
			if (pass == 0) {
				bidx_rank_sort(r.hits, r.n, r.n);
				for (uint32_t k = 0; k < r.n; k++) {
					uint32_t local;
					bidx_docrec d;
					bidx_segment *s = bidx_index_locate(ix, r.hits[k].doc, &local);
					cr_assert(s);
					cr_assert_eq(bidx_segment_doc(s, local, &d), BIDX_OK);
					fprintf(f, "%u %a %.*s\n", r.hits[k].doc, r.hits[k].score, (int)d.path_len,
					        bidx_segment_path(s, &d));
				}
			} else {
				bidx_outopts o = {.mode = BIDX_OUT_JSON, .limit = 20, .f = f,
				                  .sort = pass == 1 ? BIDX_SORT_RELEVANCE : BIDX_SORT_DATE,
				                  .facets = {"org", "year", "category"}, .nfacets = 3};
				cr_assert_eq(bidx_output(ix, &r, &o), BIDX_OK);
			}
			bidx_result_free(&r);
		}
		bidx_query_free(q);
	}
	fclose(f);
	bidx_index_close(ix);
	return out;
}

static void ignore(const char *file, const char *sec, const char *msg, void *arg)
{
	(void)arg;
	cr_log_error("%s: %s: %s", file, sec, msg);
}

static int present_count(void)
{
	int n = 0;
	for (int i = 0; i < npool; i++)
		n += present[i];
	return n;
}

static int touched[MAX_POOL];   /* changed by the current step: one change per file */

static int pick(int want_present)
{
	for (int tries = 0; tries < 1000; tries++) {
		int i = (int)rnd((uint32_t)npool);
		if (present[i] == want_present && !touched[i]) {
			touched[i] = 1;
			return i;
		}
	}
	return -1;
}

Test(incremental, random_changes_answer_like_a_build_from_scratch)
{
	/* start from about half of the pool */
	for (int i = 0; i < npool; i++)
		if (rnd(2))
			put_pool(i);
	bidx_build_stats st = build(inc, 0, 0);
	cr_assert_eq(st.added, (uint64_t)present_count());
	int steps = 18, merged = 0, max_segments = 0, optimized = 0;
	for (int step = 0; step < steps; step++) {
		uint64_t want_add = 0, want_upd = 0, want_rm = 0;
		int ops = 1 + (int)rnd(4);
		char op_log[512] = "";
		memset(touched, 0, sizeof touched);
		for (int k = 0; k < ops; k++) {
			int i, what = (int)rnd(5);
			char path[4096];
			size_t l = strlen(op_log);
			if (what == 0 && (i = pick(0)) >= 0) {            /* add */
				put_pool(i);
				want_add++;
				snprintf(op_log + l, sizeof op_log - l, " add %d", i);
			} else if (what == 1 && present_count() > 3 && (i = pick(1)) >= 0) {   /* remove */
				work_path(i, path, sizeof path);
				cr_assert_eq(unlink(path), 0);
				present[i] = 0;
				want_rm++;
				snprintf(op_log + l, sizeof op_log - l, " rm %d", i);
			} else if (what == 2 && (i = pick(1)) >= 0) {     /* edit: a line more */
				char *data;
				size_t len;
				work_path(i, path, sizeof path);
				cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK);
				char line[128];
				int ll = snprintf(line, sizeof line, "\n追記 %d: 個人情報の取扱いについてお知らせします。\n", step);
				data = realloc(data, len + (size_t)ll);
				memcpy(data + len, line, (size_t)ll);
				write_file(path, data, len + (size_t)ll);
				free(data);
				want_upd++;
				snprintf(op_log + l, sizeof op_log - l, " edit %d", i);
			} else if (what == 3 && (i = pick(1)) >= 0) {     /* same bytes, new mtime */
				char *data;
				size_t len;
				work_path(i, path, sizeof path);
				cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK);
				usleep(2000);
				write_file(path, data, len);
				free(data);
				snprintf(op_log + l, sizeof op_log - l, " touch %d", i);
			} else if (what == 4 && (i = pick(1)) >= 0) {     /* content of another file */
				int j = (int)rnd((uint32_t)npool);
				char *data, *cur;
				size_t len, clen;
				if ((strstr(pool[i], ".csv") == NULL) != (strstr(pool[j], ".csv") == NULL))
					continue;
				cr_assert_eq(bidx_read_file(pool_src[j], &data, &len), BIDX_OK);
				work_path(i, path, sizeof path);
				cr_assert_eq(bidx_read_file(path, &cur, &clen), BIDX_OK);
				int same = clen == len && !memcmp(cur, data, len);
				free(cur);
				if (same) {
					free(data);
					continue;
				}
				write_file(path, data, len);
				free(data);
				want_upd++;
				snprintf(op_log + l, sizeof op_log - l, " replace %d<-%d", i, j);
			}
		}
		int opt = step % 7 == 6;
		st = build(inc, 0, opt);
		optimized += opt;
		cr_assert_eq(st.added, want_add, "step %d (%s): %llu added, expected %llu", step,
		             op_log, (unsigned long long)st.added, (unsigned long long)want_add);
		cr_assert_eq(st.updated, want_upd, "step %d (%s): %llu updated, expected %llu", step,
		             op_log, (unsigned long long)st.updated, (unsigned long long)want_upd);
		cr_assert_eq(st.removed, want_rm, "step %d (%s): %llu removed, expected %llu", step,
		             op_log, (unsigned long long)st.removed, (unsigned long long)want_rm);
		cr_assert_eq(st.unchanged, (uint64_t)present_count() - want_add - want_upd);
		if (opt)
			cr_assert_eq(st.segments, 1, "optimize left %u segments", st.segments);
		merged += (int)st.merged;
		if ((int)st.segments > max_segments)
			max_segments = (int)st.segments;
		tu_rmtree(ref);
		bidx_build_stats rs = build(ref, 1, 0);
		cr_assert_eq(st.live_docs, rs.live_docs);
		char *a = answers(inc), *b = answers(ref);
		cr_assert_str_eq(a, b, "step %d (%s, %u segments): the updated index answers "
		                 "differently from a build from scratch", step, op_log, st.segments);
		free(a);
		free(b);
	}
	/* the whole history is sound by `bidx check` */
	bidx_check_stats cs;
	char why[256];
	cr_assert_eq(bidx_check(inc, ignore, NULL, 20, &cs, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(cs.problems, 0);
	cr_assert_gt(merged, 0, "no merge happened in %d steps", steps);
	fprintf(stderr, "incremental: %d steps over %d files, up to %d segments, %d merged away, "
	        "%d optimize runs: every answer identical to a build from scratch\n", steps, npool,
	        max_segments, merged, optimized);
}

Test(incremental, nothing_changed_writes_nothing_and_new_settings_reanalyse_everything)
{
	for (int i = 0; i < npool; i += 2)
		put_pool(i);
	build(inc, 0, 0);
	char man[1100];
	snprintf(man, sizeof man, "%s/manifest", inc);
	struct stat a, b;
	cr_assert_eq(stat(man, &a), 0);
	bidx_build_stats st = build(inc, 0, 0);
	cr_assert_eq(st.published, 0, "an update with nothing to do rewrote the manifest");
	cr_assert_eq(st.unchanged, (uint64_t)present_count());
	cr_assert_eq(stat(man, &b), 0);
	cr_assert_eq(a.st_ino, b.st_ino);
	/* a settings change (another --map) means analysing everything again */
	bidx_colmap map = {{"記事本文"}, {"body"}, 1};
	FILE *quiet = fopen("/dev/null", "w");
	bidx_build_opts o = {.index_dir = inc, .msg = quiet, .map = &map};
	char why[512];
	const char *paths[] = {work};
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "%s", why);
	fclose(quiet);
	cr_assert_eq(st.added, (uint64_t)present_count());
	cr_assert_eq(st.unchanged, 0);
	/* files of an old layout: a format-1 index.bidx (magic, version 1) is
	 * removed by the next build; another file of that name is not ours */
	char old[1100], head[16] = BIDX_MAGIC;
	snprintf(old, sizeof old, "%s/index.bidx", inc);
	write_file(old, "old", 3);
	put_pool(1);
	build(inc, 0, 0);
	cr_assert_eq(access(old, F_OK), 0, "a file that is no index was removed");
	bidx_put_u32le((uint8_t *)head + 8, 1);
	write_file(old, head, 12);
	put_pool(3);
	build(inc, 0, 0);
	cr_assert_neq(access(old, F_OK), 0, "the format-1 file was left behind");
}

Test(incremental, small_updates_are_merged_by_size_tier)
{
	/* one big segment, then one-file updates: each adds a one-document
	 * segment; the tenth of a tier is merged with the others of its tier */
	for (int i = 0; i < npool / 2; i++)
		put_pool(i);
	build(inc, 0, 0);
	int most = 0, merged = 0, i = npool / 2;
	for (int step = 0; step < 14 && i < npool; step++, i++) {
		put_pool(i);
		bidx_build_stats st = build(inc, 0, 0);
		cr_assert_eq(st.added, 1);
		most = (int)st.segments > most ? (int)st.segments : most;
		merged += (int)st.merged;
	}
	cr_assert_gt(merged, 0, "no size-tier merge in 14 one-file updates");
	cr_assert_leq(most, 11, "segments pile up: %d", most);
	char *a = answers(inc);
	tu_rmtree(ref);
	build(ref, 1, 0);
	char *b = answers(ref);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	/* a segment with more than half its documents deleted is rewritten (all
	 * but the first file of the first segment go) */
	for (int k = 1; k < npool / 2; k++) {
		char path[4096];
		work_path(k, path, sizeof path);
		cr_assert_eq(unlink(path), 0);
		present[k] = 0;
	}
	bidx_build_stats st = build(inc, 0, 0);
	cr_assert_gt(st.merged, 0, "the mostly deleted segment was kept");
	bidx_index *ix;
	char why[256];
	cr_assert_eq(bidx_index_open(inc, &ix, why, sizeof why), BIDX_OK);
	for (uint32_t s = 0; s < ix->man.nsegs; s++)
		cr_assert_geq(2 * ix->man.segs[s].live, ix->man.segs[s].ndocs,
		              "segment %u keeps %u of %u documents", s, ix->man.segs[s].live,
		              ix->man.segs[s].ndocs);
	bidx_index_close(ix);
}

/* The worked example of docs/FORMAT.md, manifest side. */
Test(incremental, format_worked_example_manifest)
{
	char p[1200];
	snprintf(p, sizeof p, "%s/a.txt", work);
	write_file(p, "個人情報", strlen("個人情報"));
	bidx_build_stats st = build(inc, 0, 0);
	cr_assert_eq(st.live_docs, 1);
	bidx_manifest m;
	char why[256];
	cr_assert_eq(bidx_manifest_read(inc, 1, &m, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(m.nsegs, 1);
	cr_assert_eq(m.segs[0].seq, 1);
	cr_assert_eq(m.segs[0].ndocs, 1);
	cr_assert_eq(m.segs[0].map[0], 0);
	cr_assert_eq(m.ndocs, 1);
	cr_assert_eq(m.nsrc, 1);
	size_t pl = strlen(m.src[0].path);
	cr_assert(pl >= 6 && !strcmp(m.src[0].path + pl - 6, "/a.txt"), "%s", m.src[0].path);
	cr_assert_eq(m.src[0].size, 12);
	cr_assert_eq(m.src[0].seg, 0);
	cr_assert_eq(m.src[0].first, 0);
	cr_assert_eq(m.src[0].ndocs, 1);
	cr_assert_eq(m.total_chars, 4);
	bidx_manifest_free(&m);
}

/* The bytes of section id of segment s of ix, copied (the caller frees them). */
static uint8_t *section_of(bidx_index *ix, uint32_t s, int id, size_t *len)
{
	const uint8_t *p;
	bidx_segment_section(ix->seg[s], id, &p, len);
	uint8_t *copy = malloc(*len + 1);
	cr_assert(copy);
	if (*len)
		memcpy(copy, p, *len);
	return copy;
}

Test(incremental, optimize_merges_postings_and_copies_frames)
{
	/* one big segment, three one-file segments, then deletions: a file of
	 * the big segment removed, one edited (its new version in a segment of
	 * its own), one of the small segments removed */
	int half = npool / 2;
	for (int i = 0; i < half; i++)
		put_pool(i);
	build(inc, 0, 0);
	for (int i = half; i < half + 3; i++) {
		put_pool(i);
		build(inc, 0, 0);
	}
	char path[4096];
	work_path(1, path, sizeof path);
	cr_assert_eq(unlink(path), 0);
	present[1] = 0;
	work_path(half + 1, path, sizeof path);
	cr_assert_eq(unlink(path), 0);
	present[half + 1] = 0;
	char *data;
	size_t len;
	work_path(3, path, sizeof path);
	cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK);
	data = realloc(data, len + 64);
	int ll = snprintf(data + len, 64, "\n追記: 個人情報の取扱いについて。\n");
	write_file(path, data, len + (size_t)ll);
	free(data);
	bidx_build_stats st = build(inc, 0, 0);
	cr_assert_geq(st.segments, 4, "%u segments before optimize", st.segments);

	/* the biggest segment's dictionary and the frame of its first live
	 * document, before optimize */
	bidx_index *ix;
	char why[256];
	cr_assert_eq(bidx_index_open(inc, &ix, why, sizeof why), BIDX_OK, "%s", why);
	uint32_t big = 0;
	size_t big_len = 0, dict_len, frame_len = 0;
	for (uint32_t s = 0; s < ix->nseg; s++) {
		const uint8_t *p;
		size_t l;
		bidx_segment_section(ix->seg[s], BIDX_SEC_STORE, &p, &l);
		if (l > big_len)
			big = s, big_len = l;
	}
	uint8_t *dict = section_of(ix, big, BIDX_SEC_ZDICT, &dict_len), *frame = NULL;
	cr_assert_gt(dict_len, 0, "the biggest segment has no dictionary");
	uint32_t first_id = UINT32_MAX;
	for (uint32_t d = 0; d < ix->man.segs[big].ndocs && first_id == UINT32_MAX; d++)
		first_id = bidx_index_global(ix, big, d);
	cr_assert_neq(first_id, UINT32_MAX);
	{
		uint32_t local;
		bidx_docrec rec;
		bidx_segment *s = bidx_index_locate(ix, first_id, &local);
		const uint8_t *p;
		size_t l;
		cr_assert_eq(bidx_segment_doc(s, local, &rec), BIDX_OK);
		bidx_segment_section(s, BIDX_SEC_STORE, &p, &l);
		frame = malloc(rec.store_len);
		memcpy(frame, p + rec.store_off, rec.store_len);
		frame_len = rec.store_len;
	}
	bidx_index_close(ix);

	st = build(inc, 0, 1);
	cr_assert_eq(st.segments, 1);
	tu_rmtree(ref);
	build(ref, 1, 0);

	/* the postings and every per-document record are those of a fresh
	 * build, byte for byte */
	bidx_index *a, *b;
	cr_assert_eq(bidx_index_open(inc, &a, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(bidx_index_open(ref, &b, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(a->nseg, 1);
	cr_assert_eq(b->nseg, 1);
	static const int same[] = {BIDX_SEC_POSTINGS, BIDX_SEC_TERMS, BIDX_SEC_BOUNDS,
	                           BIDX_SEC_PATHS, BIDX_SEC_FIELDS, BIDX_SEC_FIELDSTR,
	                           BIDX_SEC_CKPTS};
	for (size_t k = 0; k < sizeof same / sizeof *same; k++) {
		size_t la, lb;
		uint8_t *pa = section_of(a, 0, same[k], &la), *pb = section_of(b, 0, same[k], &lb);
		cr_assert(la == lb && !memcmp(pa, pb, la), "%s differs from a fresh build's "
		          "(%zu and %zu bytes)", bidx_section_name(same[k]), la, lb);
		free(pa);
		free(pb);
	}
	cr_assert_eq(bidx_segment_meta(a->seg[0])->nterms, bidx_segment_meta(b->seg[0])->nterms);
	cr_assert_eq(bidx_segment_meta(a->seg[0])->total_tokens,
	             bidx_segment_meta(b->seg[0])->total_tokens);

	/* the stored texts were not compressed again: the biggest source's
	 * dictionary and frames are the merged segment's */
	size_t l;
	uint8_t *nd = section_of(a, 0, BIDX_SEC_ZDICT, &l);
	cr_assert(l == dict_len && !memcmp(nd, dict, l),
	          "the merged segment has a new dictionary (%zu bytes, the source's %zu)", l,
	          dict_len);
	{
		uint32_t local;
		bidx_docrec rec;
		bidx_segment *s = bidx_index_locate(a, first_id, &local);
		const uint8_t *p;
		cr_assert_eq(bidx_segment_doc(s, local, &rec), BIDX_OK);
		bidx_segment_section(s, BIDX_SEC_STORE, &p, &l);
		cr_assert(rec.store_len == frame_len && !memcmp(p + rec.store_off, frame, frame_len),
		          "document %u was compressed again", first_id);
	}
	free(nd);
	free(dict);
	free(frame);
	bidx_index_close(a);
	bidx_index_close(b);

	char *x = answers(inc), *y = answers(ref);
	cr_assert_str_eq(x, y, "the optimized index answers differently from a fresh build");
	free(x);
	free(y);
	bidx_check_stats cs;
	cr_assert_eq(bidx_check(inc, ignore, NULL, 20, &cs, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(cs.problems, 0);
}
