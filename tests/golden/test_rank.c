/*
 * test_rank.c - ranking: top-k selection against a full sort (random hits,
 * and random words of a real corpus, whose scores must be the ones
 * bidx_query_explain adds up), the shape of
 * idf, BM25 and the occurrence weights, and end-to-end rankings on small
 * built indexes (a whole-word match beats a match inside a word, a title
 * match beats a body match, ties go to the lower doc id).
 *
 * The end-to-end tests run MeCab through bidx_build and need the ipadic-utf8
 * dictionary (Debian: mecab-ipadic-utf8); without it they are skipped.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "collect.h"
#include "index.h"
#include "normalize.h"
#include "query_eval.h"
#include "query_parse.h"
#include "rank.h"
#include "segment.h"
#include "testutil.h"
#include "tokenize.h"

static uint64_t rnd64(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	uint64_t x = *s;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/* ---------------------------------------------------------------- top k */

static int ref_cmp(const void *pa, const void *pb)
{
	const bidx_hit *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->doc > b->doc) - (a->doc < b->doc);
}

static int doc_cmp(const void *pa, const void *pb)
{
	const bidx_hit *a = pa, *b = pb;
	return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Sorts a copy of h[0..n) with bidx_rank_sort(k) and checks it against qsort:
 * the first min(k, n) exactly, and the whole array still a permutation. */
static void check_topk(const bidx_hit *h, uint32_t n, uint32_t k, const char *what)
{
	bidx_hit *got = malloc((size_t)n * sizeof *got + 1), *ref = malloc((size_t)n * sizeof *ref + 1);
	if (n) {   /* a word with no hits has no array at all */
		memcpy(got, h, (size_t)n * sizeof *got);
		memcpy(ref, h, (size_t)n * sizeof *ref);
	}
	bidx_rank_sort(got, n, k);
	qsort(ref, n, sizeof *ref, ref_cmp);
	uint32_t m = k < n ? k : n;
	for (uint32_t i = 0; i < m; i++) {
		cr_assert(got[i].doc == ref[i].doc && got[i].score == ref[i].score,
		          "%s n=%u k=%u: position %u holds doc %u (%g), want doc %u (%g)", what, n, k, i,
		          got[i].doc, got[i].score, ref[i].doc, ref[i].score);
	}
	qsort(got, n, sizeof *got, doc_cmp);
	qsort(ref, n, sizeof *ref, doc_cmp);
	for (uint32_t i = 0; i < n; i++)
		cr_assert(got[i].doc == ref[i].doc && got[i].score == ref[i].score,
		          "%s n=%u k=%u: hits lost or duplicated", what, n, k);
	free(got);
	free(ref);
}

/* n hits with distinct doc ids in random order; scores drawn from `levels`
 * values (few levels: many ties) or continuous when levels is 0. */
static void random_hits(bidx_hit *h, uint32_t n, uint32_t levels, uint64_t *s)
{
	for (uint32_t i = 0; i < n; i++)
		h[i].doc = i * 3 + 7;
	for (uint32_t i = n; i > 1; i--) {   /* Fisher-Yates */
		uint32_t j = (uint32_t)(rnd64(s) % i);
		uint32_t t = h[i - 1].doc;
		h[i - 1].doc = h[j].doc;
		h[j].doc = t;
	}
	for (uint32_t i = 0; i < n; i++)
		h[i].score = levels ? (double)(rnd64(s) % levels) * 0.25
		                    : (double)(rnd64(s) >> 11) / 9007199254740992.0 * 40.0;
}

Test(rank_sort, topk_matches_full_sort, .timeout = 300)
{
	uint32_t sizes[] = {257, 258, 300, 511, 1000, 4096, 20000};
	uint32_t levels[] = {0, 1, 2, 3, 10, 1000};
	uint64_t s = 1;
	bidx_hit *h = malloc(20000 * sizeof *h);
	for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++) {
		uint32_t n = sizes[a];
		uint32_t ks[] = {0, 1, 2, 3, 10, 100, 256, 257, n / 2, n - 2, n - 1, n, n + 5};
		for (size_t b = 0; b < sizeof levels / sizeof *levels; b++)
			for (size_t c = 0; c < sizeof ks / sizeof *ks; c++)
				for (int rep = 0; rep < (n <= 1000 ? 6 : 1); rep++) {
					random_hits(h, n, levels[b], &s);
					check_topk(h, n, ks[c], "random");
				}
	}
	free(h);
}

Test(rank_sort, topk_on_ordered_inputs)
{
	uint32_t n = 1000;
	bidx_hit *h = malloc(n * sizeof *h);
	uint32_t ks[] = {1, 5, 50, 500, 999};
	for (size_t c = 0; c < sizeof ks / sizeof *ks; c++) {
		for (uint32_t i = 0; i < n; i++)
			h[i] = (bidx_hit){i, 1.0, 0};              /* all tied, docs ascending */
		check_topk(h, n, ks[c], "tied ascending");
		for (uint32_t i = 0; i < n; i++)
			h[i] = (bidx_hit){n - i, 1.0, 0};          /* all tied, docs descending */
		check_topk(h, n, ks[c], "tied descending");
		for (uint32_t i = 0; i < n; i++)
			h[i] = (bidx_hit){i, (double)i, 0};        /* best last */
		check_topk(h, n, ks[c], "ascending scores");
		for (uint32_t i = 0; i < n; i++)
			h[i] = (bidx_hit){i, (double)(n - i), 0};  /* already sorted */
		check_topk(h, n, ks[c], "descending scores");
		for (uint32_t i = 0; i < n; i++)
			h[i] = (bidx_hit){i, (double)(i % 2), 0};  /* alternating */
		check_topk(h, n, ks[c], "alternating");
		for (uint32_t i = 0; i < n; i++)
			h[i] = (bidx_hit){i ^ 0x155, (double)(i % 7 == 0), 0};   /* few winners */
		check_topk(h, n, ks[c], "sparse winners");
	}
	free(h);
}

Test(rank_sort, small_or_full_sorts_everything)
{
	uint64_t s = 5;
	bidx_hit h[300];
	uint32_t sizes[] = {0, 1, 2, 17, 256};
	for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++) {
		random_hits(h, sizes[a], 3, &s);
		check_topk(h, sizes[a], 1, "small");
		random_hits(h, sizes[a], 3, &s);
		check_topk(h, sizes[a], sizes[a], "small, k = n");
	}
	random_hits(h, 300, 4, &s);
	check_topk(h, 300, 300, "k = n");
	random_hits(h, 300, 4, &s);
	check_topk(h, 300, UINT32_MAX, "k huge");
}

/* ------------------------------------------------------------- formulas */

Test(formula, idf_positive_and_decreasing)
{
	uint32_t ndocs[] = {1, 2, 10, 1000, 1000000, UINT32_MAX};
	for (size_t a = 0; a < sizeof ndocs / sizeof *ndocs; a++) {
		uint32_t n = ndocs[a];
		double prev = INFINITY;
		uint32_t steps[] = {1, 2, 3, n / 3, n / 2, n - 1, n}, last = 0;
		for (size_t b = 0; b < sizeof steps / sizeof *steps; b++) {
			uint32_t df = steps[b];
			if (df <= last || df > n)
				continue;
			last = df;
			double v = bidx_idf(df, n);
			cr_assert(isfinite(v) && v > 0, "idf(%u, %u) = %g", df, n, v);
			cr_assert_lt(v, prev, "idf(%u, %u) = %g not below the previous %g", df, n, v, prev);
			prev = v;
		}
	}
	for (uint32_t df = 1; df < 1000; df++)
		cr_assert_lt(bidx_idf(df + 1, 1000), bidx_idf(df, 1000), "df %u", df);
}

Test(formula, bm25_shape)
{
	double idf = bidx_idf(3, 100), avg = 50;
	cr_assert_eq(bidx_bm25(idf, 0, 40, avg), 0.0);
	/* increasing in the weighted frequency */
	double prev = 0;
	for (double wtf = 0.3; wtf < 200; wtf *= 1.5) {
		double v = bidx_bm25(idf, wtf, 40, avg);
		cr_assert_gt(v, prev, "wtf %g", wtf);
		cr_assert_lt(v, idf * (BIDX_BM25_K1 + 1), "saturates below idf*(k1+1)");
		prev = v;
	}
	/* decreasing in the document length */
	prev = INFINITY;
	for (double dl = 1; dl < 1e6; dl *= 2) {
		double v = bidx_bm25(idf, 2.0, dl, avg);
		cr_assert_lt(v, prev, "dl %g", dl);
		cr_assert_gt(v, 0);
		prev = v;
	}
	/* proportional to idf */
	cr_assert_float_eq(bidx_bm25(2 * idf, 1.6, 40, avg), 2 * bidx_bm25(idf, 1.6, 40, avg), 1e-12);
	/* an empty corpus average must not divide by zero */
	cr_assert(isfinite(bidx_bm25(idf, 1.0, 10, 0)) && bidx_bm25(idf, 1.0, 10, 0) > 0);
}

Test(formula, occurrence_weights)
{
	for (int title = 0; title < 2; title++) {
		double whole = bidx_occ_weight(1, 1, title), before = bidx_occ_weight(1, 0, title),
		       after = bidx_occ_weight(0, 1, title), inside = bidx_occ_weight(0, 0, title);
		cr_assert_gt(whole, before);
		cr_assert_eq(before, after, "both edges weigh the same");
		cr_assert_gt(before, inside);
		cr_assert_gt(inside, 0);
	}
	for (int b = 0; b < 2; b++)
		for (int a = 0; a < 2; a++) {
			cr_assert_gt(bidx_occ_weight(b, a, 1), bidx_occ_weight(b, a, 0));
			cr_assert_float_eq(bidx_occ_weight(b, a, 1), BIDX_W_TITLE * bidx_occ_weight(b, a, 0),
			                   1e-12);
		}
	cr_assert_float_eq(bidx_occ_weight(1, 1, 0), 1.0, 1e-12);
	cr_assert_float_eq(bidx_occ_weight(1, 0, 0), BIDX_W_EDGE, 1e-12);
	cr_assert_float_eq(bidx_occ_weight(0, 0, 0), BIDX_W_INSIDE, 1e-12);
}

/* ----------------------------------------------------------- end to end */

static char *corpus_dir, *index_dir;
static bidx_index *ix;
static bidx_segment *seg;   /* ix's one segment */

static void need_mecab(void)
{
	bidx_tokenizer *t;
	char why[512] = "";
	if (bidx_tokenizer_new(&t, why, sizeof why) != BIDX_OK)
		cr_skip_test("MeCab dictionary missing (install mecab-ipadic-utf8): %s", why);
	bidx_tokenizer_free(t);
}

static void e2e_setup(void)
{
	need_mecab();
	corpus_dir = tu_tmpdir("rank-corpus");
	index_dir = tu_tmpdir("rank-index");
	cr_assert(corpus_dir && index_dir, "cannot make temporary directories");
}

static void e2e_teardown(void)
{
	bidx_index_close(ix);
	ix = NULL;
	seg = NULL;
	tu_rmtree(corpus_dir);
	tu_rmtree(index_dir);
	free(corpus_dir);
	free(index_dir);
	corpus_dir = index_dir = NULL;
}

TestSuite(e2e, .init = e2e_setup, .fini = e2e_teardown, .timeout = 300);

static void put_file(const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", corpus_dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

static void build_and_open(void)
{
	const char *paths[] = {corpus_dir};
	bidx_build_opts o = {.index_dir = index_dir, .msg = stderr};
	bidx_build_stats st;
	char why[512];
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "build: %s", why);
	cr_assert_eq(bidx_index_open(index_dir, &ix, why, sizeof why), BIDX_OK, "open: %s", why);
	seg = ix->seg[0];
}

/* Evaluates q and ranks the hits (reversed first, so that an order that
 * merely survives from evaluation proves nothing). */
static bidx_result search(const char *q, uint32_t k)
{
	bidx_qnode *root;
	bidx_result r;
	char err[256];
	size_t errpos;
	cr_assert_eq(bidx_query_parse(q, &root, err, sizeof err, &errpos), BIDX_OK, "%s: %s", q, err);
	cr_assert_eq(bidx_query_eval(ix, root, &r, err, sizeof err), BIDX_OK, "%s: %s", q, err);
	for (uint32_t i = 0; i < r.n / 2; i++) {
		bidx_hit t = r.hits[i];
		r.hits[i] = r.hits[r.n - 1 - i];
		r.hits[r.n - 1 - i] = t;
	}
	bidx_rank_sort(r.hits, r.n, k);
	bidx_query_free(root);
	return r;
}

/* The file name (after the last '/') of doc id. */
static const char *name_of(uint32_t doc)
{
	static char buf[512];
	bidx_docrec d;
	cr_assert_eq(bidx_segment_doc(seg, doc, &d), BIDX_OK);
	const char *p = bidx_segment_path(seg, &d);
	snprintf(buf, sizeof buf, "%.*s", (int)d.path_len, p);
	const char *slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

Test(e2e, whole_word_beats_inside_word)
{
	put_file("a.txt", "東京都の天気は晴れです。");
	put_file("b.txt", "京都府警察が発表しました。");
	build_and_open();
	bidx_result r = search("京都", 10);
	cr_assert_eq(r.n, 2, "京都 is a substring of both documents");
	cr_assert_str_eq(name_of(r.hits[0].doc), "b.txt", "京都府警察 must rank above 東京都");
	cr_assert_str_eq(name_of(r.hits[1].doc), "a.txt");
	cr_assert_gt(r.hits[0].score, r.hits[1].score);
	bidx_result_free(&r);

	/* and the other way round: 東京 is a whole word only in a.txt */
	r = search("東京", 10);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(name_of(r.hits[0].doc), "a.txt");
	bidx_result_free(&r);
}

/* Filler sentences shared by both documents of the title test. */
#define FILLER \
	"本日は晴天なり。\n" \
	"弊社の営業所では通常どおり業務を行っております。\n" \
	"お客様にはご不便をおかけしますが、ご理解のほどお願い申し上げます。\n" \
	"詳細は担当窓口までお問い合わせください。\n" \
	"今後とも変わらぬご愛顧を賜りますようお願い申し上げます。\n"

Test(e2e, title_match_beats_body_match)
{
	/* same length, same words; the word 地震 is in the title of one and deep
	 * in the body of the other */
	put_file("body.txt", "本日の記録\n" FILLER FILLER "昨夜は地震がありました。\n");
	put_file("title.txt", "地震の記録\n" FILLER FILLER "昨夜は本日がありました。\n");
	put_file("other.txt", "無関係の記録\n" FILLER);
	build_and_open();

	bidx_docrec d;
	for (uint32_t i = 0; i < 3; i++) {
		cr_assert_eq(bidx_segment_doc(seg, i, &d), BIDX_OK);
		cr_assert_gt(d.title_end, d.title_start, "%s has a title", name_of(i));
	}
	bidx_result r = search("地震", 10);
	cr_assert_eq(r.n, 2);
	cr_assert_str_eq(name_of(r.hits[0].doc), "title.txt", "the title match ranks first");
	cr_assert_str_eq(name_of(r.hits[1].doc), "body.txt");
	cr_assert_gt(r.hits[0].score, r.hits[1].score);
	bidx_result_free(&r);
}

Test(e2e, ties_break_by_doc_id)
{
	const char *text = "個人情報の漏えいに関するお知らせ\n不正アクセスにより個人情報が流出しました。\n";
	put_file("c.txt", text);
	put_file("a.txt", text);
	put_file("b.txt", "関係のない文書です。\n");
	put_file("d.txt", text);
	build_and_open();
	bidx_result r = search("個人情報", 10);
	cr_assert_eq(r.n, 3);
	cr_assert_eq(r.hits[0].score, r.hits[1].score, "identical files score the same");
	cr_assert_eq(r.hits[1].score, r.hits[2].score);
	cr_assert(r.hits[0].doc < r.hits[1].doc && r.hits[1].doc < r.hits[2].doc,
	          "ties in doc id order: %u %u %u", r.hits[0].doc, r.hits[1].doc, r.hits[2].doc);
	/* doc ids follow the byte order of the names */
	cr_assert_str_eq(name_of(r.hits[0].doc), "a.txt");
	cr_assert_str_eq(name_of(r.hits[1].doc), "c.txt");
	cr_assert_str_eq(name_of(r.hits[2].doc), "d.txt");
	bidx_result_free(&r);
}

/* More than 256 tied hits: the top-k selection path must keep doc id order. */
Test(e2e, many_ties_topk)
{
	char name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "n%03d.txt", i);
		put_file(name, i % 3 == 1 ? "雨の日の記録です。\n" : "晴れの日の記録です。\n");
	}
	build_and_open();
	bidx_result r = search("晴れ", 10);
	cr_assert_eq(r.n, 200);
	for (uint32_t i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "n%03u.txt", i / 2 * 3 + i % 2 * 2);
		cr_assert_str_eq(name_of(r.hits[i].doc), name, "position %u", i);
		cr_assert_eq(r.hits[i].score, r.hits[0].score);
	}
	bidx_result_free(&r);
}

/* ------------------------------------------------- a real corpus, random words */

/* bidx_query_eval_top(k) against bidx_query_eval on query text q: the same
 * documents, and after ranking the same best k (doc, score, position),
 * ties included.  Returns 1 when the top-k evaluation left hits unscored. */
static int same_top(bidx_index *x, const char *q, uint32_t k)
{
	bidx_qnode *root;
	bidx_result full, top;
	char why[512];
	size_t ep;
	cr_assert_eq(bidx_query_parse(q, &root, why, sizeof why, &ep), BIDX_OK, "%s", q);
	cr_assert_eq(bidx_query_eval(x, root, &full, why, sizeof why), BIDX_OK, "%s: %s", q, why);
	cr_assert_eq(bidx_query_eval_top(x, root, k, &top, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(full.exact_top, 0);
	cr_assert_eq(top.n, full.n, "%s: %u hits, want %u", q, top.n, full.n);
	for (uint32_t i = 0; i < full.n; i++)
		cr_assert_eq(top.hits[i].doc, full.hits[i].doc, "%s: hit %u", q, i);
	int pruned = top.exact_top != 0;
	if (pruned)
		cr_assert_eq(top.exact_top, k);
	bidx_rank_sort(full.hits, full.n, k);
	bidx_rank_sort(top.hits, top.n, k);
	for (uint32_t i = 0; i < k && i < full.n; i++)
		cr_assert(top.hits[i].doc == full.hits[i].doc && top.hits[i].score == full.hits[i].score &&
		          top.hits[i].pos == full.hits[i].pos,
		          "%s k=%u: rank %u is doc %u (%.17g), want doc %u (%.17g)", q, k, i + 1,
		          top.hits[i].doc, top.hits[i].score, full.hits[i].doc, full.hits[i].score);
	bidx_result_free(&full);
	bidx_result_free(&top);
	bidx_query_free(root);
	return pruned;
}

/* A word of 2 to 5 characters at a random place of a random document of x,
 * quoted, with anything the query syntax reads replaced. */
static void random_word(bidx_index *x, uint64_t *s, uint32_t minlen, char *word, size_t cap)
{
	for (;;) {
		uint32_t loc, doc = (uint32_t)(rnd64(s) % x->ndocs);
		bidx_segment *sg = bidx_index_locate(x, doc, &loc);
		bidx_docrec d;
		char *buf;
		const char *title, *text;
		size_t tlen;
		cr_assert_eq(bidx_segment_doc(sg, loc, &d), BIDX_OK);
		cr_assert_eq(bidx_segment_fetch(sg, &d, &buf, &title, &tlen, &text), BIDX_OK);
		bidx_norm n;
		cr_assert_eq(bidx_normalize(text, d.text_len, 0, &n), BIDX_OK);
		uint32_t len = minlen + (uint32_t)(rnd64(s) % (6 - minlen));
		int long_enough = n.nchars > len + 1;
		if (long_enough) {
			uint32_t at = (uint32_t)(rnd64(s) % (n.nchars - len));
			size_t wl = 1;
			word[0] = '"';
			for (uint32_t c = at; c < at + len && wl + 8 < cap; c++) {
				uint32_t cp = n.cp[c];
				if (cp < 0x21 || cp == '"' || cp == '\\' || cp == '(' || cp == ')' ||
				    cp == ':' || cp == '-' || cp == '\'')
					cp = 0x3042;   /* nothing the query syntax reads: あ */
				wl += (size_t)bidx_utf8_encode(cp, (uint8_t *)word + wl);
			}
			word[wl++] = '"';
			word[wl] = 0;
		}
		bidx_norm_free(&n);
		free(buf);
		if (long_enough)
			return;
	}
}

/* The best k of one plain word, with documents out of reach left
 * unscored, are the full evaluation's: on a real corpus, in one
 * segment and in an index of two segments with deleted documents (whose
 * exact scores must not raise the bar for live ones). */
Test(rank_sort, top_k_evaluation_matches_the_full_one, .timeout = 600)
{
	const char *src = tu_corpus("livedoor");
	char from[4200], cmd[9000], why[512];
	if (src)
		snprintf(from, sizeof from, "%s/text/it-life-hack", src);
	else   /* the bundled notices and municipal records */
		snprintf(from, sizeof from, "%s/corpus", BIDX_SOURCE_DIR);
	char *docs = tu_tmpdir("topk-docs"), *dir = tu_tmpdir("topk-index");
	snprintf(cmd, sizeof cmd, "cp -r '%s'/. '%s'/", from, docs);
	cr_assert_eq(system(cmd), 0);
	const char *paths[] = {docs};
	bidx_build_opts o = {.index_dir = dir, .msg = stderr};
	bidx_build_stats st;
	static const char *const common[] = {"する", "して", "こと", "ある", "いる", "した", "情報",
	                                     "です", "ます", "これ", "iP", "20", "の", "\"スマ\""};
	/* longer words, each with bigrams to line up; 2012 and 1,000 have
	 * spelling variants (2,012 and 1000) */
	static const char *const longer[] = {"http", "2012", "について", "している", "ください",
	                                     "ことが", "情報を", "iPhone", "1,000", "ますが"};
	/* a word less others: only the word scores, the NOTs' documents never
	 * raise the bar */
	static const char *const nots[] = {"する -こと", "http -2012", "情報 -する -ある",
	                                   "している -ます", "の -\"ください\"", "ことが -(情報 OR です)",
	                                   "に -の", "日 -\"ください\""};
	/* one character: each document's weight from its unigram counts */
	static const char *const one[] = {"の", "に", "る", "日", "情", "7", "1", "a", "e", "。"};
	int pruned = 0, pruned_longer = 0, pruned_not = 0, pruned_one = 0, queries = 0;
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "%s", why);
		bidx_index *x;
		cr_assert_eq(bidx_index_open(dir, &x, why, sizeof why), BIDX_OK, "%s", why);
		if (round == 1)
			cr_assert_gt(x->nseg, 1, "the update made no segment of its own");
		uint64_t s = 7 + (uint64_t)round;
		uint32_t ks[] = {1, 3, 10, 25};
		for (size_t i = 0; i < sizeof common / sizeof *common; i++, queries++)
			for (size_t k = 0; k < sizeof ks / sizeof *ks; k++)
				pruned += same_top(x, common[i], ks[k]);
		for (size_t i = 0; i < sizeof longer / sizeof *longer; i++, queries++)
			for (size_t k = 0; k < sizeof ks / sizeof *ks; k++)
				pruned_longer += same_top(x, longer[i], ks[k]);
		for (size_t i = 0; i < sizeof nots / sizeof *nots; i++, queries++)
			for (size_t k = 0; k < sizeof ks / sizeof *ks; k++)
				pruned_not += same_top(x, nots[i], ks[k]);
		for (size_t i = 0; i < sizeof one / sizeof *one; i++, queries++)
			for (size_t k = 0; k < sizeof ks / sizeof *ks; k++)
				pruned_one += same_top(x, one[i], ks[k]);
		for (int q = 0; q < 60; q++, queries++) {
			char word[64];
			random_word(x, &s, 2, word, sizeof word);
			pruned += same_top(x, word, ks[q % 4]);
		}
		bidx_index_close(x);
		/* round 2: a third of the documents made much longer, so their old
		 * copies, deleted in the first segment, score above their new ones
		 * (and must not raise the bar for the live documents) */
		snprintf(cmd, sizeof cmd, "n=0; for f in $(find '%s' -type f -name '*.txt' | sort); do "
		         "n=$((n+1)); [ $((n %% 3)) = 0 ] && printf '%%.0sゑゐ、' $(seq 400) >> \"$f\"; "
		         "done; true", docs);
		cr_assert_eq(system(cmd), 0);
	}
	fprintf(stderr, "top-k evaluation: %d queries, %d left hits unscored (%d of longer words, "
	        "%d with NOT, %d of one character)\n", queries,
	        pruned + pruned_longer + pruned_not + pruned_one, pruned_longer, pruned_not, pruned_one);
	cr_assert_gt(pruned, 10, "the top-k evaluation never pruned");
	cr_assert_gt(pruned_longer, 10, "the top-k evaluation never pruned a longer word");
	cr_assert_gt(pruned_not, 5, "the top-k evaluation never pruned a word less others");
	cr_assert_gt(pruned_one, 10, "the top-k evaluation never pruned a one-character word");
	tu_rmtree(docs);
	tu_rmtree(dir);
	free(docs);
	free(dir);
}

/* Random words of a real corpus (2 to 5 characters of some document's
 * normalised text, so most match several documents, many with equal
 * scores): the top k of bidx_rank_sort are a full sort's, ties included,
 * and every ranked hit's score is, to the last bit, the one
 * bidx_query_explain adds up from its occurrences one by one (the slow
 * path of the evaluation, which counts each occurrence's kind). */
Test(rank_sort, topk_and_scores_on_random_words_of_a_corpus, .timeout = 300)
{
	const char *src = tu_corpus("livedoor");
	char sub[4200], why[512];
	if (src)
		snprintf(sub, sizeof sub, "%s/text/it-life-hack", src);
	else   /* the bundled notices and municipal records */
		snprintf(sub, sizeof sub, "%s/corpus", BIDX_SOURCE_DIR);
	char *dir = tu_tmpdir("rankrnd");
	const char *paths[] = {sub};
	bidx_build_opts o = {.index_dir = dir, .msg = stderr};
	bidx_build_stats st;
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "%s", why);
	bidx_index *rix;
	cr_assert_eq(bidx_index_open(dir, &rix, why, sizeof why), BIDX_OK, "%s", why);
	bidx_segment *rs = rix->seg[0];
	uint64_t s = 20;
	int queries = 0, tied = 0, explained = 0;
	for (int q = 0; q < 120; q++) {
		uint32_t doc = (uint32_t)(rnd64(&s) % rix->ndocs);
		bidx_docrec d;
		char *buf;
		const char *title, *text;
		size_t tlen;
		cr_assert_eq(bidx_segment_doc(rs, doc, &d), BIDX_OK);
		cr_assert_eq(bidx_segment_fetch(rs, &d, &buf, &title, &tlen, &text), BIDX_OK);
		bidx_norm n;
		cr_assert_eq(bidx_normalize(text, d.text_len, 0, &n), BIDX_OK);
		uint32_t len = 2 + (uint32_t)(rnd64(&s) % 4);
		if (n.nchars < len + 1) {
			bidx_norm_free(&n);
			free(buf);
			continue;
		}
		uint32_t at = (uint32_t)(rnd64(&s) % (n.nchars - len));
		char word[64] = "\"";
		size_t wl = 1;
		for (uint32_t c = at; c < at + len; c++) {
			uint32_t cp = n.cp[c];
			if (cp < 0x21 || cp == '"' || cp == '\\' || cp == '(' || cp == ')' || cp == ':' ||
			    cp == '-' || cp == '\'')
				cp = 0x3042;   /* nothing the query syntax reads: あ */
			wl += (size_t)bidx_utf8_encode(cp, (uint8_t *)word + wl);
		}
		word[wl++] = '"';
		word[wl] = 0;
		bidx_norm_free(&n);
		free(buf);
		bidx_qnode *root;
		bidx_result r;
		size_t ep;
		cr_assert_eq(bidx_query_parse(word, &root, why, sizeof why, &ep), BIDX_OK, "%s", word);
		cr_assert_eq(bidx_query_eval(rix, root, &r, why, sizeof why), BIDX_OK, "%s: %s", word, why);
		queries++;
		check_topk(r.hits, r.n, 10, word);
		check_topk(r.hits, r.n, 50, word);
		bidx_rank_sort(r.hits, r.n, 20);
		for (uint32_t i = 0; i + 1 < r.n && i < 20; i++)
			tied += r.hits[i].score == r.hits[i + 1].score;
		for (uint32_t i = 0; i < r.n && i < 20; i++) {
			bidx_explain x;
			cr_assert_eq(bidx_query_explain(rix, root, r.hits[i].doc, &x, why, sizeof why), BIDX_OK);
			cr_assert_eq(x.n, 1, "%s: doc %u", word, r.hits[i].doc);
			cr_assert(x.score == r.hits[i].score, "%s: doc %u scores %.17g, explained %.17g",
			          word, r.hits[i].doc, r.hits[i].score, x.score);
			explained++;
			bidx_explain_free(&x);
		}
		bidx_result_free(&r);
		bidx_query_free(root);
	}
	fprintf(stderr, "random words: %d queries, %d ranked hits explained, %d ties in the top 20\n",
	        queries, explained, tied);
	cr_assert_gt(queries, 50);
	cr_assert_gt(explained, 200);
	cr_assert_gt(tied, 0, "no tie among the ranked hits");
	bidx_index_close(rix);
	tu_rmtree(dir);
	free(dir);
}

/* A deleted document's exact score does not raise the bar of the top-k
 * evaluation: a.txt had the word most, then lost it in an update (its old
 * copy is deleted in the first segment, before b.txt and c.txt there). */
Test(e2e, top_k_evaluation_ignores_deleted_documents)
{
	char body[4096] = "お知らせ\n";
	for (int i = 0; i < 40; i++)
		strcat(body, "今日は晴れでした。");
	char b[4200], c[4200];
	snprintf(b, sizeof b, "%s情報があります。", body);
	snprintf(c, sizeof c, "%s%s情報です。", body, "明日も晴れます。");
	put_file("a.txt", "お知らせ\n情報、情報、情報の情報。");
	put_file("b.txt", b);
	put_file("c.txt", c);
	build_and_open();
	bidx_index_close(ix);
	put_file("a.txt", "お知らせ\n今日は雨です。");
	build_and_open();
	cr_assert_gt(ix->nseg, 1, "the update made no segment of its own");
	same_top(ix, "情報", 1);
	same_top(ix, "情報", 2);
	/* a page asking for more than the best k scored is refused, not shown wrong */
	bidx_qnode *q;
	bidx_result r;
	bidx_page p;
	char why[256];
	size_t ep;
	cr_assert_eq(bidx_query_parse("今日", &q, why, sizeof why, &ep), BIDX_OK);
	cr_assert_eq(bidx_query_eval_top(ix, q, 1, &r, why, sizeof why), BIDX_OK);
	cr_assert_eq(r.exact_top, 1, "nothing was left unscored");
	bidx_collect_opts co = {.limit = 10, .want = BIDX_WANT_PATH};
	cr_assert_eq(bidx_collect_topk(&co), 10);
	cr_assert_eq(bidx_collect(ix, &r, &co, &p), BIDX_EUSAGE);
	co.limit = 1;
	cr_assert_eq(bidx_collect(ix, &r, &co, &p), BIDX_OK);
	cr_assert_eq(p.total, 3);
	cr_assert_eq(p.n, 1);
	bidx_page_free(&p);
	bidx_result_free(&r);
	bidx_query_free(q);
	bidx_index_close(ix);
	ix = NULL;
}

/* The top-k evaluation of WORD -NOT matches the NOTs first, yet a query
 * whose word and NOT are both wrong names the word, as the full one does. */
Test(e2e, top_k_evaluation_names_the_first_bad_word)
{
	put_file("a.txt", "お知らせ\n情報があります。");
	build_and_open();
	char q[16384] = "\"\xe2\x80\x8b\" -";   /* nothing searchable, less a word too long */
	for (int i = 0; i < 4100; i++)
		strcat(q, "\xe3\x81\x82");
	bidx_qnode *root;
	bidx_result r;
	char full[512], top[512];
	size_t ep;
	cr_assert_eq(bidx_query_parse(q, &root, full, sizeof full, &ep), BIDX_OK, "%s", full);
	cr_assert_eq(bidx_query_eval(ix, root, &r, full, sizeof full), BIDX_EQUERY);
	cr_assert_eq(bidx_query_eval_top(ix, root, 10, &r, top, sizeof top), BIDX_EQUERY);
	cr_assert(!strncmp(full, "at byte 0:", 10), "%s", full);
	cr_assert_str_eq(top, full);
	bidx_query_free(root);
	bidx_index_close(ix);
	ix = NULL;
}

/* Query q on x by bidx_query_eval, or by bidx_query_eval_top for the best
 * k when k > 0; *c gets the counters of it. */
static bidx_result eval_counted_k(bidx_index *x, const char *q, uint32_t k, bidx_eval_counters *c)
{
	bidx_qnode *root;
	bidx_result r;
	char why[512];
	size_t ep;
	cr_assert_eq(bidx_query_parse(q, &root, why, sizeof why, &ep), BIDX_OK, "%s", q);
	bidx_eval_counters_get(c, 1);
	bidx_err rc = k ? bidx_query_eval_top(x, root, k, &r, why, sizeof why)
	                : bidx_query_eval(x, root, &r, why, sizeof why);
	cr_assert_eq(rc, BIDX_OK, "%s: %s", q, why);
	bidx_eval_counters_get(c, 1);
	r.query = NULL;
	bidx_query_free(root);
	return r;
}

static bidx_result eval_counted(bidx_index *x, const char *q, bidx_eval_counters *c)
{
	return eval_counted_k(x, q, 0, c);
}

/* Which documents q matches (bidx_query_match: no scores), counted. */
static bidx_result match_counted(bidx_index *x, const char *q, bidx_eval_counters *c)
{
	bidx_qnode *root;
	bidx_result r;
	char why[512];
	size_t ep;
	cr_assert_eq(bidx_query_parse(q, &root, why, sizeof why, &ep), BIDX_OK, "%s", q);
	bidx_eval_counters_get(c, 1);
	cr_assert_eq(bidx_query_match(x, root, &r, why, sizeof why), BIDX_OK, "%s: %s", q, why);
	bidx_eval_counters_get(c, 1);
	r.query = NULL;
	bidx_query_free(root);
	return r;
}

/* r holds the documents of the full evaluation all, in its order. */
static void same_documents(const bidx_result *r, const bidx_result *all, const char *q)
{
	cr_assert_eq(r->n, all->n, "%s: %u hits, %u in full", q, r->n, all->n);
	for (uint32_t j = 0; j < r->n; j++)
		cr_assert_eq(r->hits[j].doc, all->hits[j].doc, "%s: hit %u", q, j);
}

/* An AND of words: the documents all of them match and no NOT does, each
 * scoring the sum of the words' scores alone, added in the query's order
 * (to the last bit), with the first place of the first word that has
 * one.  words[0..nw) are the query's words, nots its NOT terms. */
static void check_and(bidx_index *x, const char *const *words, int nw, const char *nots)
{
	char q[1024] = "";
	for (int i = 0; i < nw; i++)
		snprintf(q + strlen(q), sizeof q - strlen(q), "%s%s", i ? " " : "", words[i]);
	if (nots)
		snprintf(q + strlen(q), sizeof q - strlen(q), " -(%s)", nots);
	bidx_eval_counters c;
	bidx_result r = eval_counted(x, q, &c), w[3], no = {0};
	for (int i = 0; i < nw; i++)
		w[i] = eval_counted(x, words[i], &c);
	if (nots)
		no = eval_counted(x, nots, &c);
	uint32_t at[4] = {0}, n = 0;
	for (uint32_t d = 0; d < w[0].n; d++) {
		uint32_t doc = w[0].hits[d].doc;
		double score = w[0].hits[d].score;
		uint32_t pos = w[0].hits[d].pos;
		int in = 1;
		for (int i = 1; i < nw && in; i++) {
			while (at[i] < w[i].n && w[i].hits[at[i]].doc < doc)
				at[i]++;
			in = at[i] < w[i].n && w[i].hits[at[i]].doc == doc;
			if (in) {
				score += w[i].hits[at[i]].score;
				pos = pos != BIDX_NOPOS ? pos : w[i].hits[at[i]].pos;
			}
		}
		while (nots && at[3] < no.n && no.hits[at[3]].doc < doc)
			at[3]++;
		if (!in || (nots && at[3] < no.n && no.hits[at[3]].doc == doc))
			continue;
		cr_assert_lt(n, r.n, "%s: too few hits", q);
		cr_assert(r.hits[n].doc == doc && r.hits[n].score == score && r.hits[n].pos == pos,
		          "%s: hit %u is doc %u (%.17g at %u), want doc %u (%.17g at %u)", q, n,
		          r.hits[n].doc, r.hits[n].score, r.hits[n].pos, doc, score, pos);
		n++;
	}
	cr_assert_eq(r.n, n, "%s: %u hits, want %u", q, r.n, n);
	for (int i = 0; i < nw; i++)
		bidx_result_free(&w[i]);
	bidx_result_free(&no);
	bidx_result_free(&r);
}

static bidx_index *and_index(char **dir)
{
	const char *src = tu_corpus("livedoor");
	char sub[4200], why[512];
	if (src)
		snprintf(sub, sizeof sub, "%s/text/it-life-hack", src);
	else   /* the bundled notices and municipal records */
		snprintf(sub, sizeof sub, "%s/corpus", BIDX_SOURCE_DIR);
	*dir = tu_tmpdir("rank-and");
	const char *paths[] = {sub};
	bidx_build_opts o = {.index_dir = *dir, .msg = stderr};
	bidx_build_stats st;
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "%s", why);
	bidx_index *x;
	cr_assert_eq(bidx_index_open(*dir, &x, why, sizeof why), BIDX_OK, "%s", why);
	return x;
}

/* AND of two or three words, fixed and random (one and two characters,
 * whose counts the term dictionary gives, and longer ones), with and
 * without NOT terms: hits, scores and first places are those of the
 * words evaluated alone. */
Test(rank_sort, and_of_words_scores_the_sum_of_the_words, .timeout = 600)
{
	char *dir;
	bidx_index *x = and_index(&dir);
	static const char *const fixed[][3] = {
		{"iPhone", "発売", NULL}, {"windows", "7", NULL}, {"映画", "公開", NULL},
		{"の", "する", "こと"}, {"http", "20", "の"}, {"情報", "の", NULL},
		{"個人情報", "の", "で"}, {"title:iPhone", "の", NULL}, {"の", "iPhone", NULL},
	};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		int nw = fixed[i][2] ? 3 : 2;
		check_and(x, fixed[i], nw, NULL);
		check_and(x, fixed[i], nw, "Android OR 2012");
	}
	static const char *const one[] = {"の", "に", "る", "7", "1", "a", "日", "情", "た", "で"};
	uint64_t s = 11;
	for (int q = 0; q < 80; q++) {
		char buf[3][64];
		const char *words[3];
		int nw = 2 + (int)(rnd64(&s) % 2);
		for (int i = 0; i < nw; i++) {
			if (rnd64(&s) % 3 == 0)
				snprintf(buf[i], sizeof buf[i], "%s", one[rnd64(&s) % 10]);
			else
				random_word(x, &s, 2, buf[i], sizeof buf[i]);
			words[i] = buf[i];
		}
		check_and(x, words, nw, q % 4 == 0 ? "する" : NULL);
	}
	bidx_index_close(x);
	tu_rmtree(dir);
	free(dir);
}

/* A word after the first of an AND whose count the term dictionary gives
 * (windows 7: 7 is in most documents) is matched only in the documents
 * the words before it left, then scored in those that are left. */
Test(rank_sort, and_matches_a_frequent_word_only_where_the_others_are, .timeout = 300)
{
	char *dir;
	bidx_index *x = and_index(&dir);
	bidx_eval_counters ca, cb, cq;
	static const char *const rare[] = {"windows", "iPhone", "個人情報", "お詫び", "不正アクセス"};
	int tried = 0;
	for (size_t i = 0; i < sizeof rare / sizeof *rare; i++) {
		bidx_result a = eval_counted(x, rare[i], &ca), b = eval_counted(x, "の", &cb);
		if (a.n < 2 || (uint64_t)a.n * 8 > b.n) {
			bidx_result_free(&a);
			bidx_result_free(&b);
			continue;
		}
		char q[256];
		snprintf(q, sizeof q, "%s の", rare[i]);
		bidx_result r = eval_counted(x, q, &cq);
		cr_assert_leq(cq.docs, ca.docs + 2 * (uint64_t)a.n, "%s: %llu documents reached; %s "
		              "alone %llu, の alone %llu", q, (unsigned long long)cq.docs, rare[i],
		              (unsigned long long)ca.docs, (unsigned long long)cb.docs);
		tried++;
		bidx_result_free(&a);
		bidx_result_free(&b);
		bidx_result_free(&r);
	}
	cr_assert_gt(tried, 0, "no word rare enough beside の");
	bidx_index_close(x);
	tu_rmtree(dir);
	free(dir);
}

/* The best k of a longer word read the whole document record (where its
 * bitmap is) only of the documents that could reach them: the others are
 * ruled out from their lengths and title, then only checked for one
 * occurrence (every document its bigrams led to read it before).  The
 * hits are the full evaluation's. */
Test(rank_sort, top_k_of_a_longer_word_reads_few_records, .timeout = 300)
{
	char *dir;
	bidx_index *x = and_index(&dir);
	static const char *const words[] = {"ください", "について", "http", "情報を"};
	uint64_t records = 0, docs = 0, hits = 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		bidx_eval_counters c, cf;
		bidx_result r = eval_counted_k(x, words[i], 1, &c), all = eval_counted(x, words[i], &cf);
		same_documents(&r, &all, words[i]);
		records += c.records;
		docs += c.docs;
		hits += r.n;
		bidx_result_free(&r);
		bidx_result_free(&all);
	}
	cr_assert_gt(hits, 300, "too few hits to tell (%llu)", (unsigned long long)hits);
	cr_assert_lt(records * 2, docs, "%llu records read for %llu documents reached",
	             (unsigned long long)records, (unsigned long long)docs);
	bidx_index_close(x);
	tu_rmtree(dir);
	free(dir);
}

/* The best k of a word leave nearly every other document unscored: one
 * whose lengths and title leave it in reach is still out of it from the
 * starts its rarest bigram's positions allow (and how many of them fall
 * in the title), known before its record is read or anything is lined
 * up.  The scored documents are the full evaluation's scores. */
Test(rank_sort, top_k_scores_few_documents, .timeout = 300)
{
	char *dir;
	bidx_index *x = and_index(&dir);
	static const char *const words[] = {"ください", "について", "http", "情報を", "する",
	                                    "して"};
	uint64_t scored = 0, hits = 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		bidx_eval_counters c;
		bidx_result r = eval_counted_k(x, words[i], 10, &c), all = eval_counted(x, words[i], &c);
		same_documents(&r, &all, words[i]);
		for (uint32_t j = 0; j < r.n; j++) {
			cr_assert(r.hits[j].score == 0 || r.hits[j].score == all.hits[j].score,
			          "%s: hit %u scores %.17g, %.17g in full", words[i], j, r.hits[j].score,
			          all.hits[j].score);
			scored += r.hits[j].score != 0;
		}
		hits += r.n;
		bidx_result_free(&r);
		bidx_result_free(&all);
	}
	cr_assert_gt(hits, 300, "too few hits to tell (%llu)", (unsigned long long)hits);
	cr_assert_lt(scored * 5, hits, "%llu of %llu hits scored", (unsigned long long)scored,
	             (unsigned long long)hits);
	bidx_index_close(x);
	tu_rmtree(dir);
	free(dir);
}

/* Which documents a longer word matches (a count, a NOT, the spelling
 * variants a top k looks for before it prunes) needs only each document's
 * length of its record, never the rest of it: the same documents as the
 * full evaluation, no whole record read. */
Test(rank_sort, matching_a_longer_word_reads_no_record, .timeout = 300)
{
	char *dir;
	bidx_index *x = and_index(&dir);
	static const char *const words[] = {"ください", "について", "http", "情報を", "2012",
	                                    "サーバー"};
	uint64_t records = 0, docs = 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		bidx_eval_counters c;
		bidx_result r = match_counted(x, words[i], &c);
		records += c.records;
		docs += c.docs;
		bidx_result all = eval_counted(x, words[i], &c);
		same_documents(&r, &all, words[i]);
		bidx_result_free(&r);
		bidx_result_free(&all);
	}
	cr_assert_gt(docs, 300, "too few documents to tell (%llu)", (unsigned long long)docs);
	cr_assert_eq(records, 0, "%llu records read for %llu documents", (unsigned long long)records,
	             (unsigned long long)docs);
	bidx_index_close(x);
	tu_rmtree(dir);
	free(dir);
}

/* Matching a longer word (a count) decodes its other bigrams' positions
 * only up to the first start where all of them line up: a tenth fewer
 * positions at least than its full evaluation decodes (as many before),
 * the same documents. */
Test(rank_sort, matching_a_longer_word_decodes_few_positions, .timeout = 300)
{
	char *dir;
	bidx_index *x = and_index(&dir);
	static const char *const words[] = {"ください", "について", "http", "情報を", "2012",
	                                    "サーバー", "セキュリティ"};
	uint64_t matched = 0, full = 0, docs = 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		bidx_eval_counters c;
		bidx_result r = match_counted(x, words[i], &c);
		matched += c.positions;
		docs += c.docs;
		bidx_result all = eval_counted(x, words[i], &c);
		full += c.positions;
		same_documents(&r, &all, words[i]);
		bidx_result_free(&r);
		bidx_result_free(&all);
	}
	cr_assert_gt(docs, 300, "too few documents to tell (%llu)", (unsigned long long)docs);
	cr_assert_lt(matched * 10, full * 9, "%llu positions decoded matching, %llu in full",
	             (unsigned long long)matched, (unsigned long long)full);
	bidx_index_close(x);
	tu_rmtree(dir);
	free(dir);
}

/* The best k of a two-character word read the document record only of
 * the documents that could reach them were every occurrence in the title:
 * the others are left unscored from their length alone. */
Test(rank_sort, top_k_of_a_short_word_reads_few_records, .timeout = 300)
{
	char *dir;
	bidx_index *x = and_index(&dir);
	static const char *const words[] = {"する", "して", "こと", "です", "ます", "情報"};
	uint64_t records = 0, hits = 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		bidx_eval_counters c;
		bidx_result r = eval_counted_k(x, words[i], 1, &c);
		records += c.records;
		hits += r.n;
		bidx_result_free(&r);
	}
	cr_assert_gt(hits, 300, "too few hits to tell (%llu)", (unsigned long long)hits);
	cr_assert_lt(records * 2, hits, "%llu records read for %llu hits",
	             (unsigned long long)records, (unsigned long long)hits);
	bidx_index_close(x);
	tu_rmtree(dir);
	free(dir);
}
