/*
 * The recall contract: a query word matches exactly the documents whose
 * normalised text contains its normalised form, the set `grep -F` gives over that text,
 * whatever MeCab made of the string in context.  Hundreds of random
 * substrings of 1 to 12 characters of the livedoor corpus (and strings
 * that occur nowhere) are looked up in a real index and compared with a
 * brute-force scan of every document: zero misses, zero false hits.
 * Without the shared corpus it runs on the bundled seeds and says so.
 */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "corpus.h"
#include "io.h"
#include "normalize.h"
#include "query_eval.h"
#include "query_parse.h"
#include "index.h"
#include "segment_reader.h"
#include "testutil.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

typedef struct corpus {
	bidx_index *ix;
	bidx_segment *seg;   /* its one segment (built from scratch) */
	bidx_norm *docs;     /* normalised text of every indexed document */
	uint32_t n;
	char *dir;
} corpus;

static void load(corpus *c, const char *set)
{
	const char *src = tu_corpus(set);
	if (!src)
		src = tu_corpus("seeds");
	cr_assert(src, "no corpus");
	c->dir = tu_tmpdir("recall");
	bidx_build_opts o = {.index_dir = c->dir, .msg = stderr};
	bidx_build_stats st;
	char why[512];
	const char *paths[] = {src};
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "%s", why);
	cr_assert_eq(bidx_index_open(c->dir, &c->ix, why, sizeof why), BIDX_OK, "%s", why);
	c->seg = c->ix->seg[0];
	c->n = c->seg->meta.ndocs;
	c->docs = calloc(c->n, sizeof *c->docs);
	for (uint32_t i = 0; i < c->n; i++) {
		bidx_docrec d;
		char path[4096], *data, cbuf[128];
		size_t len, skip;
		cr_assert_eq(bidx_segment_doc(c->seg, i, &d), BIDX_OK);
		snprintf(path, sizeof path, "%.*s", (int)d.path_len, bidx_segment_path(c->seg, &d));
		cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK, "%s", path);
		cr_assert_null(bidx_corpus_check(data, len, &skip, cbuf, sizeof cbuf));
		cr_assert_eq(bidx_normalize(data + skip, len - skip, 0, &c->docs[i]), BIDX_OK);
		free(data);
	}
	fprintf(stderr, "recall: %u documents from %s\n", c->n, src);
}

static void unload(corpus *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		bidx_norm_free(&c->docs[i]);
	free(c->docs);
	bidx_index_close(c->ix);
	tu_rmtree(c->dir);
	free(c->dir);
}

/* Compares the index's answer for term with a brute-force scan; returns the
 * number of matching documents. */
static uint32_t check_term(corpus *c, const char *term)
{
	bidx_qnode q = {.type = BIDX_Q_TERM, .text = (char *)(uintptr_t)term};
	bidx_result r;
	char why[256];
	cr_assert_eq(bidx_query_eval(c->ix, &q, &r, why, sizeof why), BIDX_OK, "%s: %s", term, why);
	bidx_norm nt;   /* the query word's normal form (サイバー is サイバ) */
	cr_assert_eq(bidx_normalize(term, strlen(term), 0, &nt), BIDX_OK);
	uint32_t j = 0, expect = 0;
	for (uint32_t d = 0; d < c->n; d++) {
		int has = memmem(c->docs[d].text, c->docs[d].len, nt.text, nt.len) != NULL;
		int got = j < r.n && r.hits[j].doc == d;
		cr_assert_eq(got, has, "query \"%s\": doc %u %s", term, d,
		             has ? "missed (false negative)" : "matched without containing it");
		j += got;
		expect += has;
	}
	cr_assert_eq(j, r.n);
	bidx_norm_free(&nt);
	bidx_result_free(&r);
	return expect;
}

/* A random substring of 1..12 characters that is its own normal form. */
static int pick_substring(corpus *c, char *out, size_t outlen)
{
	const bidx_norm *d = &c->docs[rnd(c->n)];
	if (d->nchars == 0)
		return 0;
	uint32_t len = 1 + rnd(12), s = rnd(d->nchars);
	if (s + len > d->nchars)
		len = d->nchars - s;
	if (d->cp[s] == ' ' || d->cp[s + len - 1] == ' ')
		return 0;
	size_t b0 = d->byte_off[s], b1 = d->byte_off[s + len];
	if (b1 - b0 + 1 > outlen)
		return 0;
	memcpy(out, d->text + b0, b1 - b0);
	out[b1 - b0] = 0;
	bidx_norm n;
	cr_assert_eq(bidx_normalize(out, b1 - b0, 0, &n), BIDX_OK);
	int same = n.len == b1 - b0 && !memcmp(n.text, out, n.len);
	bidx_norm_free(&n);
	return same;
}

/* Replaces one character of s with a character taken from elsewhere, which
 * usually makes a string that occurs nowhere. */
static void mutate(corpus *c, char *s, size_t cap)
{
	const bidx_norm *d = &c->docs[rnd(c->n)];
	if (!d->nchars)
		return;
	uint32_t k = rnd(d->nchars);
	char rep[8];
	size_t rl = d->byte_off[k + 1] - d->byte_off[k];
	memcpy(rep, d->text + d->byte_off[k], rl);
	size_t sl = strlen(s);
	if (rep[0] == ' ' || sl + rl + 1 > cap)
		return;
	/* replace the last character */
	size_t last = sl;
	do
		last--;
	while (last > 0 && ((unsigned char)s[last] & 0xC0) == 0x80);
	memcpy(s + last, rep, rl);
	s[last + rl] = 0;
}

Test(recall, random_substrings_match_brute_force, .timeout = 1200)
{
	corpus c = {0};
	load(&c, "livedoor");
	/* strings MeCab cuts differently in different contexts */
	const char *fixed[] = {"サイバー", "ながさき", "京都", "東京都", "iphone", "スマホ",
	                       "情報", "の", "2012", "ー", "、", "!?", "サーバー", "サーバ",
	                       "漏えい", "漏洩", "問い合わせ", "ユーザー"};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		check_term(&c, fixed[i]);
	int substrings = 0, absent = 0, present = 0;
	char s[128];
	while (substrings < 400) {
		if (!pick_substring(&c, s, sizeof s))
			continue;
		present += check_term(&c, s) > 0;
		substrings++;
	}
	for (int i = 0; i < 150;) {
		if (!pick_substring(&c, s, sizeof s) || strlen(s) < 4)
			continue;
		mutate(&c, s, sizeof s);
		bidx_norm n;
		cr_assert_eq(bidx_normalize(s, strlen(s), 0, &n), BIDX_OK);
		int ok = n.nchars > 0 && !strcmp(n.text, s);
		bidx_norm_free(&n);
		if (!ok)
			continue;
		absent += check_term(&c, s) == 0;
		i++;
	}
	fprintf(stderr, "recall: %d substrings (all found where grep finds them), "
	        "150 mutated strings (%d occur nowhere): no miss, no false hit\n", substrings, absent);
	cr_assert_eq(present, substrings, "every substring comes from a document");
	cr_assert_gt(absent, 50, "the mutated strings should mostly be absent");
	unload(&c);
}
