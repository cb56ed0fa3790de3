/*
 * The recall contract: the hits of a query word are a superset of the
 * documents whose normalised text (NFKC + case folding) contains its
 * normalised form, the set `grep -F` gives over that text, whatever MeCab
 * made of the string in context; and every extra hit holds a declared
 * variant of the word (variants.h: the canonical spellings agree, or it
 * holds one of the word's alternatives).  Hundreds of random substrings of
 * 1 to 12 characters of the livedoor corpus, substrings that cut through
 * spellings the variants know (サーバー, 漏えい, 問い合わせ, numbers), the
 * cases of issue 15 and strings that occur nowhere are looked up in a real
 * index and compared with a brute-force scan of every document, both ways.
 * Without the shared corpus it runs on the bundled seeds and says so.
 */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "build.h"
#include "encoding.h"
#include "io.h"
#include "normalize.h"
#include "query_eval.h"
#include "query_parse.h"
#include "index.h"
#include "segment.h"
#include "variants.h"
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
	char **nfkc;         /* utf8proc's NFKC + case folding of each, for grep -F */
	uint32_t n;
	char *dir;
} corpus;

/* NFKC with case folding by utf8proc alone, the text `grep -F` is run on
 * (independent of bidx_normalize). */
static char *nfkc(const char *s, size_t len)
{
	char *z = strndup(s, len);
	cr_assert(z);
	char *out = (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)z);
	free(z);
	return out ? out : strdup("");
}

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
	c->n = bidx_segment_ndocs(c->seg);
	c->docs = calloc(c->n, sizeof *c->docs);
	c->nfkc = calloc(c->n, sizeof *c->nfkc);
	for (uint32_t i = 0; i < c->n; i++) {
		bidx_docrec d;
		bidx_text t;
		char path[4096];
		cr_assert_eq(bidx_segment_doc(c->seg, i, &d), BIDX_OK);
		snprintf(path, sizeof path, "%.*s", (int)d.path_len, bidx_segment_path(c->seg, &d));
		/* the file's text as the build decoded it */
		cr_assert_eq(bidx_text_load(path, BIDX_MAX_FILE_BYTES, &t, why, sizeof why), BIDX_OK,
		             "%s: %s", path, why);
		cr_assert_eq(bidx_normalize(t.p, t.len, 0, &c->docs[i]), BIDX_OK);
		c->nfkc[i] = nfkc(t.p, t.len);
		bidx_text_free(&t);
	}
	fprintf(stderr, "recall: %u documents from %s\n", c->n, src);
}

static void unload(corpus *c)
{
	for (uint32_t i = 0; i < c->n; i++) {
		bidx_norm_free(&c->docs[i]);
		free(c->nfkc[i]);
	}
	free(c->docs);
	free(c->nfkc);
	bidx_index_close(c->ix);
	tu_rmtree(c->dir);
	free(c->dir);
}

/* text in canonical spelling (bidx_variants_fold); malloc'd. */
static char *canon(const bidx_norm *n)
{
	uint32_t *cp = malloc((n->nchars + 1) * sizeof *cp);
	char *out = malloc(n->len + 1);
	int changed;
	cr_assert(cp && out);
	memcpy(cp, n->cp, n->nchars * sizeof *cp);
	size_t k = bidx_variants_fold(cp, n->nchars, NULL, NULL, &changed), o = 0;
	for (size_t i = 0; i < k; i++)
		o += (size_t)bidx_utf8_encode(cp[i], (uint8_t *)out + o);
	out[o] = 0;
	free(cp);
	return out;
}

static size_t extra_hits, extra_canonical;

/* Compares the index's answer for term with a brute-force scan: every
 * document grep -F finds is a hit, and every other hit is explained by a
 * variant.  Returns the number of documents grep -F finds. */
static uint32_t check_term(corpus *c, const char *term)
{
	bidx_qnode q = {.type = BIDX_Q_TERM, .text = (char *)(uintptr_t)term};
	bidx_result r;
	char why[256];
	cr_assert_eq(bidx_query_eval(c->ix, &q, &r, why, sizeof why), BIDX_OK, "%s: %s", term, why);
	bidx_norm nt;
	cr_assert_eq(bidx_normalize(term, strlen(term), 0, &nt), BIDX_OK);
	bidx_alts alts;
	cr_assert_eq(bidx_variants_expand(nt.cp, nt.nchars, 4096, &alts), BIDX_OK);
	char *ct = canon(&nt), *tk = nfkc(term, strlen(term));
	uint32_t j = 0, expect = 0;
	for (uint32_t d = 0; d < c->n; d++) {
		const bidx_norm *dn = &c->docs[d];
		int has = memmem(dn->text, dn->len, nt.text, nt.len) != NULL ||
		          (tk[0] && strstr(c->nfkc[d], tk));
		int got = j < r.n && r.hits[j].doc == d;
		cr_assert(got || !has, "query \"%s\": doc %u missed (grep -F finds it)", term, d);
		if (got && !has) {
			char *cd = canon(dn);
			int same_canon = strstr(cd, ct) != NULL, alt = 0;
			for (uint32_t a = 0; a < alts.n && !alt; a++)
				alt = memmem(dn->text, dn->len, alts.text[a], strlen(alts.text[a])) != NULL;
			free(cd);
			cr_assert(alt, "query \"%s\": doc %u matched without containing it or one "
			          "of its variants", term, d);
			extra_hits++;
			extra_canonical += same_canon;
		}
		j += got;
		expect += has;
	}
	cr_assert_eq(j, r.n);
	free(ct);
	free(tk);
	bidx_alts_free(&alts);
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

/* Issue 15: parts of words that folding used to rewrite. */
static const char *const issue15[] = {
	"シー", "ルパー", "ー犯罪対策課", "キーで", "ビュー", "タビュー", "合わせ", "問い",
	"い合わせ", "えい", "いした可能性", "ざん", "タクシー", "ヘルパー", "サイバー犯罪対策課",
	"マスターキーで", "インタビュー", "お問い合わせ", "漏えいした可能性", "改ざん",
};

/* The first character of a spelling the variants rewrite (a trailing ー,
 * a kana spelling, a number) at or after from, or n. */
static uint32_t fold_site(const bidx_norm *d, uint32_t from)
{
	static const uint32_t starts[] = {0x30FC, 0x6F0F, 0x554F, 0x6539, 0x304D, 0x30F4, 0x4E00,
	                                  0x4E8C, 0x4E09, 0x5341, ','};
	for (uint32_t i = from; i < d->nchars; i++) {
		for (size_t k = 0; k < sizeof starts / sizeof *starts; k++)
			if (d->cp[i] == starts[k] || (d->cp[i] >= '0' && d->cp[i] <= '9'))
				return i;
	}
	return d->nchars;
}

/* A substring around a spelling the variants rewrite: it starts or ends
 * inside it or just by it, like シー of タクシー or い合わせ of 問い合わせ. */
static int pick_straddling(corpus *c, char *out, size_t outlen)
{
	const bidx_norm *d = &c->docs[rnd(c->n)];
	if (d->nchars < 2)
		return 0;
	uint32_t k = fold_site(d, rnd(d->nchars));
	if (k >= d->nchars)
		return 0;
	uint32_t before = rnd(6), after = rnd(6);
	uint32_t s = k > before ? k - before : 0, e = k + 1 + after;
	if (e > d->nchars)
		e = d->nchars;
	if (d->cp[s] == ' ' || d->cp[e - 1] == ' ')
		return 0;
	size_t b0 = d->byte_off[s], b1 = d->byte_off[e];
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

Test(recall, substrings_across_variant_spellings, .timeout = 1200)
{
	corpus c = {0};
	load(&c, "livedoor");
	int found = 0;
	for (size_t i = 0; i < sizeof issue15 / sizeof *issue15; i++)
		found += check_term(&c, issue15[i]) > 0;
	int n = 0, present = 0, kata = 0;
	char s[128];
	while (n < 400) {
		if (!pick_straddling(&c, s, sizeof s))
			continue;
		present += check_term(&c, s) > 0;
		n++;
	}
	/* katakana words ending in ー, cut anywhere before it */
	for (int tries = 0; kata < 120 && tries < 200000; tries++) {
		const bidx_norm *d = &c.docs[rnd(c.n)];
		if (d->nchars < 3)
			continue;
		uint32_t e = rnd(d->nchars - 1) + 1, b = e, back = rnd(5);
		if (d->cp[e] != 0x30FC || d->cp[e - 1] < 0x30A1 || d->cp[e - 1] > 0x30FA)
			continue;
		while (b > 0 && e - b < back + 1 && d->cp[b - 1] >= 0x30A1 && d->cp[b - 1] <= 0x30FC)
			b--;
		size_t b0 = d->byte_off[b], b1 = d->byte_off[e + 1];
		if (b1 - b0 >= sizeof s)
			continue;
		memcpy(s, d->text + b0, b1 - b0);
		s[b1 - b0] = 0;
		cr_assert_gt(check_term(&c, s), 0, "\"%s\" found nothing", s);
		kata++;
	}
	fprintf(stderr, "recall: %d of %zu issue-15 cases occur, %d straddling substrings, %d "
	        "katakana words ending in ー: no miss; %zu extra hits, all variants (%zu with the "
	        "same canonical spelling)\n", found, sizeof issue15 / sizeof *issue15, n, kata,
	        extra_hits, extra_canonical);
	cr_assert_eq(present, n, "every substring comes from a document");
	cr_assert_gt(found, 0);
	unload(&c);
}

/* A character of a number as variants.h reads one: a digit, a digit-group
 * comma, a kanji numeral, 十 百 千 or a large unit. */
static int number_char(uint32_t c)
{
	static const uint32_t kanji[] = {0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D,
	                                 0x4E03, 0x516B, 0x4E5D, 0x5341, 0x767E, 0x5343, 0x4E07,
	                                 0x5104, 0x5146};
	if ((c >= '0' && c <= '9') || c == ',')
		return 1;
	for (size_t i = 0; i < sizeof kanji / sizeof *kanji; i++)
		if (c == kanji[i])
			return 1;
	return 0;
}

/* Issue 15, point 4, on real text: a number a document writes in one of
 * the usual forms (2012年, 48,685件, 3万人, 第一報, 1万2千円), with the
 * character after it, is found by a query that writes the same value in
 * every other form (Arabic, digit groups, kanji numerals, the large units
 * with Arabic digits, 千 for whole thousands, kanji digits one by one for
 * a year), so both directions are tried across the samples. */
Test(recall, numbers_found_in_every_form, .timeout = 1200)
{
	corpus c = {0};
	load(&c, "livedoor");
	int samples = 0, queries = 0, other_script = 0;
	for (int tries = 0; samples < 150 && tries < 400000; tries++) {
		const bidx_norm *d = &c.docs[rnd(c.n)];
		if (d->nchars < 2)
			continue;
		uint32_t s = rnd(d->nchars), e;
		if (!number_char(d->cp[s]))
			continue;
		while (s > 0 && number_char(d->cp[s - 1]))
			s--;
		for (e = s; e < d->nchars && number_char(d->cp[e]);)
			e++;
		if ((s > 0 && d->cp[s - 1] == '.') || e >= d->nchars || d->cp[e] == '.' ||
		    d->cp[e] == ' ' || d->cp[s] == ',')
			continue;
		size_t b0 = d->byte_off[s], b1 = d->byte_off[e], b2 = d->byte_off[e + 1], len;
		char run[96], unit[8], f[128], q[160];
		if (b1 - b0 >= sizeof run)
			continue;
		memcpy(run, d->text + b0, b1 - b0);
		run[b1 - b0] = 0;
		memcpy(unit, d->text + b1, b2 - b1);
		unit[b2 - b1] = 0;
		unsigned long long v = tu_number_value(run, &len);
		if (len != b1 - b0 || v == 0 || v >= 10000000000000ull)
			continue;
		int form = -1;   /* the document writes it in one of the forms */
		for (int i = 0; i < 7 && form < 0; i++) {
			tu_number_write(v, i, f, sizeof f);
			if (!strcmp(f, run))
				form = i;
		}
		if (form < 0)
			continue;
		samples++;
		for (int i = 0; i < 7; i++) {
			if ((i == 5 && (v < 10 || v > 9999)) || (i == 6 && v < 10000000))
				continue;
			tu_number_write(v, i, f, sizeof f);
			snprintf(q, sizeof q, "%s%s", f, unit);
			bidx_qnode qn = {.type = BIDX_Q_TERM, .text = q};
			bidx_result r;
			char why[256];
			cr_assert_eq(bidx_query_eval(c.ix, &qn, &r, why, sizeof why), BIDX_OK, "%s: %s", q,
			             why);
			uint32_t doc = (uint32_t)(d - c.docs), j = 0;
			while (j < r.n && r.hits[j].doc != doc)
				j++;
			cr_assert_lt(j, r.n, "query \"%s\" misses doc %u, which writes \"%s%s\"", q, doc,
			             run, unit);
			bidx_result_free(&r);
			queries++;
			other_script += (form == 2 || form == 5) != (i == 2 || i == 5);
		}
	}
	fprintf(stderr, "recall: %d numbers of the corpus, %d queries in their other forms (%d "
	        "across Arabic and kanji): no miss\n", samples, queries, other_script);
	cr_assert_geq(samples, 20, "too few numbers in the corpus (%d)", samples);
	cr_assert_gt(other_script, 0);
	unload(&c);
}
