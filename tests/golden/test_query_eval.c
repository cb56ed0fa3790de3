/* The query evaluator (searcher/query_eval.c) against a brute-force scan.
 *
 * A small corpus is written and indexed in-process: text files of random
 * runs of ten kanji (so every query word repeats across documents, and
 * across line ends the normaliser joins), and CSV rows with an org field
 * and none of those kanji.  Random queries of words, phrases, org: filters,
 * AND, OR and NOT are evaluated by bsearch's evaluator and, separately, by
 * a scan of each document's normalised text (or org value); the two sets
 * of documents must be equal. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "index.h"
#include "normalize.h"
#include "query_eval.h"
#include "query_parse.h"
#include "segment.h"
#include "testutil.h"

#define NTEXT 60
#define NROWS 24
#define NDOCS (NTEXT + NROWS)

static const char *const kanji[] = {"山", "川", "海", "空", "森", "花", "雨", "雪", "風", "星"};
static const char *const orgs[] = {"大阪市", "京都市", "大阪府", "京都府", "奈良県"};
static const char *const org_values[] = {"大阪", "京都", "市", "府", "大阪市", "奈良", "県庁"};

typedef struct truth {
	bidx_norm text[NDOCS];   /* the text files' normalised text (rows: none) */
	const char *org[NDOCS];  /* the rows' org (text files: NULL) */
} truth;

static truth T;
static char *tmp;
static bidx_index *ix;
static uint32_t coll_of[NDOCS];   /* document (file, then row) -> collection id */

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void make_corpus(void)
{
	uint64_t s = 2024;
	char path[4096], text[4096];
	tmp = tu_tmpdir("query_eval");
	snprintf(path, sizeof path, "%s/corpus", tmp);
	cr_assert_eq(mkdir(path, 0777), 0);
	for (int i = 0; i < NTEXT; i++) {
		size_t n = 0;
		uint32_t len = 20 + rnd(&s) % 120, k = 3 + rnd(&s) % 7;
		for (uint32_t j = 0; j < len; j++) {
			n += (size_t)snprintf(text + n, sizeof text - n, "%s", kanji[rnd(&s) % k]);
			if (j % 23 == 22)
				n += (size_t)snprintf(text + n, sizeof text - n, j % 2 ? "。" : "\n");
		}
		snprintf(text + n, sizeof text - n, "。\n");
		cr_assert_eq(bidx_normalize(text, strlen(text), 0, &T.text[i]), BIDX_OK);
		snprintf(path, sizeof path, "%s/corpus/d%03d.txt", tmp, i);
		write_file(path, text);
	}
	size_t n = (size_t)snprintf(text, sizeof text, "件名,組織,本文\n");
	for (int r = 0; r < NROWS; r++) {
		T.org[NTEXT + r] = orgs[rnd(&s) % 5];
		n += (size_t)snprintf(text + n, sizeof text - n, "おしらせ%d,%s,おしらせです\n", r,
		                      T.org[NTEXT + r]);
	}
	snprintf(path, sizeof path, "%s/corpus/rows.csv", tmp);
	write_file(path, text);
}

/* Which document of make_corpus a local doc is, from its path. */
static int doc_of_path(const char *p, size_t len)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%.*s", (int)len, p);
	const char *base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	int i, line;
	if (sscanf(base, "d%3d.txt", &i) == 1 && i >= 0 && i < NTEXT)
		return i;
	if (sscanf(base, "rows.csv:%d", &line) == 1 && line >= 2 && line - 2 < NROWS)
		return NTEXT + line - 2;
	cr_assert_fail("unexpected document %s", buf);
	return -1;
}

static void build_and_open(void)
{
	char dir[4096], ixdir[4096], why[512];
	make_corpus();
	snprintf(dir, sizeof dir, "%s/corpus", tmp);
	snprintf(ixdir, sizeof ixdir, "%s/ix", tmp);
	const char *paths[] = {dir};
	bidx_build_opts o = {.index_dir = ixdir, .msg = stderr};
	bidx_build_stats st;
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "build: %s", why);
	cr_assert_eq(bidx_index_open(ixdir, &ix, why, sizeof why), BIDX_OK, "open: %s", why);
	cr_assert_eq(ix->ndocs, NDOCS, "one document per file and per row");
	cr_assert_eq(ix->nseg, 1, "a build from scratch writes one segment");
	int seen[NDOCS] = {0};
	for (uint32_t d = 0; d < NDOCS; d++) {
		bidx_docrec r;
		cr_assert_eq(bidx_segment_doc(ix->seg[0], d, &r), BIDX_OK);
		int k = doc_of_path(bidx_segment_path(ix->seg[0], &r), r.path_len);
		cr_assert(!seen[k]++, "document %d twice", k);
		coll_of[k] = d;   /* one segment, no deletions: local ids are collection ids */
	}
}

static void teardown(void)
{
	bidx_index_close(ix);
	for (int i = 0; i < NTEXT; i++)
		bidx_norm_free(&T.text[i]);
	tu_rmtree(tmp);
	free(tmp);
}

/* A random query: its text and, per document, whether it matches. */
typedef struct q {
	char text[1024];
	unsigned char match[NDOCS];
} q;

static void term_truth(const char *word, q *out)
{
	bidx_norm w;
	cr_assert_eq(bidx_normalize(word, strlen(word), 0, &w), BIDX_OK);
	for (int d = 0; d < NDOCS; d++)
		out->match[d] = d < NTEXT && memmem(T.text[d].text, T.text[d].len, w.text, w.len);
	bidx_norm_free(&w);
}

static void gen(uint64_t *s, int depth, q *out)
{
	uint32_t kind = depth >= 3 ? rnd(s) % 3 : rnd(s) % 7;
	char w[64] = "";
	switch (kind) {
	case 0:   /* a word of one to three characters */
		for (uint32_t j = 0, n = 1 + rnd(s) % 3; j < n; j++)
			strcat(w, kanji[rnd(s) % 10]);
		snprintf(out->text, sizeof out->text, "%s", w);
		term_truth(w, out);
		return;
	case 1: {  /* a phrase: its spaces are gaps between wide characters */
		char a[16], b[16];
		snprintf(a, sizeof a, "%s%s", kanji[rnd(s) % 10], kanji[rnd(s) % 10]);
		snprintf(b, sizeof b, "%s", kanji[rnd(s) % 10]);
		snprintf(out->text, sizeof out->text, "\"%s %s\"", a, b);
		snprintf(w, sizeof w, "%s%s", a, b);
		term_truth(w, out);
		return;
	}
	case 2: {  /* a field */
		const char *v = org_values[rnd(s) % 7];
		snprintf(out->text, sizeof out->text, "org:%s", v);
		for (int d = 0; d < NDOCS; d++)
			out->match[d] = T.org[d] && strstr(T.org[d], v);
		return;
	}
	}
	q *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	gen(s, depth + 1, a);
	gen(s, depth + 1, b);
	if (kind <= 4) {   /* AND, implicit */
		snprintf(out->text, sizeof out->text, "(%.500s %.500s)", a->text, b->text);
		for (int d = 0; d < NDOCS; d++)
			out->match[d] = a->match[d] && b->match[d];
	} else if (kind == 5) {
		snprintf(out->text, sizeof out->text, "(%.500s OR %.500s)", a->text, b->text);
		for (int d = 0; d < NDOCS; d++)
			out->match[d] = a->match[d] || b->match[d];
	} else {
		snprintf(out->text, sizeof out->text, "(%.500s -%.500s)", a->text, b->text);
		for (int d = 0; d < NDOCS; d++)
			out->match[d] = a->match[d] && !b->match[d];
	}
	free(a);
	free(b);
}

static void check_query(const q *want)
{
	bidx_qnode *root;
	bidx_result r;
	char err[256];
	size_t errpos;
	cr_assert_eq(bidx_query_parse(want->text, &root, err, sizeof err, &errpos), BIDX_OK, "%s: %s",
	             want->text, err);
	cr_assert_eq(bidx_query_eval(ix, root, &r, err, sizeof err), BIDX_OK, "%s: %s", want->text,
	             err);
	unsigned char got[NDOCS] = {0};
	for (uint32_t i = 0; i < r.n; i++) {
		cr_assert_lt(r.hits[i].doc, NDOCS);
		cr_assert(i == 0 || r.hits[i - 1].doc < r.hits[i].doc, "%s: hits not in doc order",
		          want->text);
		got[r.hits[i].doc] = 1;
	}
	for (int d = 0; d < NDOCS; d++)
		cr_assert_eq(got[coll_of[d]], want->match[d], "%s: document %d %s", want->text, d,
		             want->match[d] ? "missing" : "found, but it does not match");
	bidx_result_free(&r);
	bidx_query_free(root);
}

Test(query_eval, words_and_phrases, .init = build_and_open, .fini = teardown)
{
	static const char *const words[] = {"山", "山川", "川山海", "星星", "雪風花"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		q want;
		snprintf(want.text, sizeof want.text, "%s", words[i]);
		term_truth(words[i], &want);
		check_query(&want);
	}
	uint32_t hits = 0;
	q want;
	snprintf(want.text, sizeof want.text, "雪");
	term_truth("雪", &want);
	for (int d = 0; d < NDOCS; d++)
		hits += want.match[d];
	cr_assert(hits > 10 && hits < NTEXT, "the corpus must make 雪 discriminate (%u)", hits);
}

Test(query_eval, random_boolean_queries, .init = build_and_open, .fini = teardown)
{
	uint64_t s = 99;
	int nonempty = 0;
	for (int i = 0; i < 400; i++) {
		q *want = malloc(sizeof *want);
		gen(&s, 0, want);
		for (int d = 0; d < NDOCS; d++)
			if (want->match[d]) {
				nonempty++;
				break;
			}
		check_query(want);
		free(want);
	}
	cr_assert_gt(nonempty, 100, "most random queries must find something");
}

Test(query_eval, field_filters_and_text, .init = build_and_open, .fini = teardown)
{
	static const char *const queries[] = {"org:大阪", "org:市 -org:京都", "org:府 OR 山",
	                                      "(org:京都 OR org:奈良) -org:府", "org:大阪 山"};
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		q want;
		snprintf(want.text, sizeof want.text, "%s", queries[i]);
		/* the same queries, built as trees from their parts */
		q a, b;
		memset(&want.match, 0, sizeof want.match);
		switch (i) {
		case 0:
			for (int d = 0; d < NDOCS; d++)
				want.match[d] = T.org[d] && strstr(T.org[d], "大阪");
			break;
		case 1:
			for (int d = 0; d < NDOCS; d++)
				want.match[d] = T.org[d] && strstr(T.org[d], "市") && !strstr(T.org[d], "京都");
			break;
		case 2:
			term_truth("山", &a);
			for (int d = 0; d < NDOCS; d++)
				want.match[d] = a.match[d] || (T.org[d] && strstr(T.org[d], "府"));
			break;
		case 3:
			for (int d = 0; d < NDOCS; d++)
				want.match[d] = T.org[d] && (strstr(T.org[d], "京都") || strstr(T.org[d], "奈良")) &&
				                !strstr(T.org[d], "府");
			break;
		case 4:
			term_truth("山", &b);
			for (int d = 0; d < NDOCS; d++)
				want.match[d] = b.match[d] && T.org[d] && strstr(T.org[d], "大阪");
			break;
		}
		check_query(&want);
	}
}

/* The hits of query qs by bidx_query_eval, and the counters of it. */
static bidx_result eval_counted(const char *qs, bidx_eval_counters *c, bidx_qnode **root)
{
	bidx_result r;
	char err[256];
	size_t errpos;
	cr_assert_eq(bidx_query_parse(qs, root, err, sizeof err, &errpos), BIDX_OK, "%s: %s", qs,
	             err);
	bidx_eval_counters_get(c, 1);
	cr_assert_eq(bidx_query_eval(ix, *root, &r, err, sizeof err), BIDX_OK, "%s: %s", qs, err);
	bidx_eval_counters_get(c, 1);
	return r;
}

/* A filter under AND reads the field records of the documents its words
 * left, not of every document, wherever it stands in the AND (a NOT too),
 * and the hits and their scores are those of the words intersected with
 * the filters evaluated alone. */
Test(query_eval, a_filter_reads_only_what_the_words_left, .init = build_and_open,
     .fini = teardown)
{
	static const struct { const char *q, *word, *filter; int neg; } cases[] = {
		{"org:大阪 おしらせ1", "おしらせ1", "org:大阪", 0},
		{"おしらせ1 org:大阪", "おしらせ1", "org:大阪", 0},
		{"org:大阪 org:市 おしらせ1", "おしらせ1", "(org:大阪 org:市)", 0},
		{"おしらせ1 -org:京都", "おしらせ1", "org:京都", 1},
		{"org:府 おしらせ1 -org:京都", "おしらせ1 -org:京都", "org:府", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		bidx_eval_counters c, cw, cf;
		bidx_qnode *qa, *qw, *qf;
		bidx_result a = eval_counted(cases[i].q, &c, &qa);
		bidx_result w = eval_counted(cases[i].word, &cw, &qw);
		bidx_result f = eval_counted(cases[i].filter, &cf, &qf);
		cr_assert_gt(w.n, 1, "%s: the word must match", cases[i].word);
		cr_assert_lt(w.n, NDOCS / 4, "%s: the word must leave few documents", cases[i].word);
		cr_assert_leq(c.fields, (uint64_t)w.n * 2, "%s: %llu field records read for %u "
		              "documents of the word", cases[i].q, (unsigned long long)c.fields, w.n);
		uint32_t n = 0, j = 0;
		for (uint32_t k = 0; k < w.n; k++) {
			while (j < f.n && f.hits[j].doc < w.hits[k].doc)
				j++;
			int in_f = j < f.n && f.hits[j].doc == w.hits[k].doc;
			if (in_f == cases[i].neg)
				continue;
			cr_assert_lt(n, a.n, "%s: too few hits", cases[i].q);
			cr_assert_eq(a.hits[n].doc, w.hits[k].doc, "%s: hit %u", cases[i].q, n);
			cr_assert(a.hits[n].score == w.hits[k].score, "%s: a score differs", cases[i].q);
			n++;
		}
		cr_assert_eq(a.n, n, "%s: %u hits, not %u", cases[i].q, a.n, n);
		cr_assert_gt(n, 0, "%s: something must match", cases[i].q);
		bidx_result_free(&a);
		bidx_result_free(&w);
		bidx_result_free(&f);
		bidx_query_free(qa);
		bidx_query_free(qw);
		bidx_query_free(qf);
	}
}

/* Where a filter is checked but matched later, a query error is what it
 * was: a malformed value or a bad word after filters that leave nothing
 * is never reached; after filters that leave something, it is reported. */
Test(query_eval, errors_after_a_deferred_filter, .init = build_and_open, .fini = teardown)
{
	char longw[4100 * 3 + 1] = "";
	for (int i = 0; i < 4100; i++)
		strcat(longw, "山");
	char qs[16384];
	static const struct { const char *pre; int lw; bidx_err rc; } cases[] = {
		{"org:県庁 ", 1, BIDX_OK},          /* no row's org has 県庁 */
		{"org:大阪 ", 1, BIDX_EQUERY},
		{"org:県庁 date:2018-13 ", 1, BIDX_OK},
		{"org:大阪 date:2018-13 山", 0, BIDX_EQUERY},
		{"date:2018-13 org:県庁 山", 0, BIDX_EQUERY},
		{"org:県庁 山 -", 1, BIDX_EQUERY},   /* a NOT is always evaluated */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		bidx_qnode *root;
		bidx_result r;
		char err[256];
		size_t errpos;
		snprintf(qs, sizeof qs, "%s%s", cases[i].pre, cases[i].lw ? longw : "");
		cr_assert_eq(bidx_query_parse(qs, &root, err, sizeof err, &errpos), BIDX_OK);
		bidx_err rc = bidx_query_eval(ix, root, &r, err, sizeof err);
		cr_assert_eq(rc, cases[i].rc, "%.60s: %d (%s)", qs, rc, err);
		if (rc == BIDX_OK)
			cr_assert_eq(r.n, 0, "%.60s", qs);
		else
			cr_assert(strstr(err, "at byte "), "%.60s: %s", qs, err);
		bidx_result_free(&r);
		bidx_query_free(root);
	}
}
