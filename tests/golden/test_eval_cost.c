/* What a query costs the evaluator (searcher/query_eval.c), counted, never
 * timed: the work of matching a word must be linear in the positions of its
 * bigrams that the index holds, whatever the word's length and however its
 * bigrams repeat.
 *
 * A corpus of long lines of ■ and □ is written and indexed in-process: one
 * character repeated, two alternating, periodic patterns where a bigram
 * recurs at irregular offsets (■■■■□■: ■■ at 0, 2, 6, 8, 12 ...), and
 * random text.  Words cut from those lines (up to the longest a word may
 * be), and the same with one character changed, are evaluated; the hits
 * must equal a scan of the normalised texts, the positions decoded must not
 * exceed the occurrences of the word's distinct bigrams in the corpus (each
 * decoded at most once per document), and the matching steps must stay
 * within a small multiple of those occurrences. */
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

#define NDOCS 7
#define DOCLEN 30000   /* characters of each long line */

static bidx_norm text[NDOCS];
static char *tmp;
static bidx_index *ix;

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

/* DOCLEN characters: unit repeated, or (unit NULL) random ■/□ with ■ at
 * `dense` per mille. */
static char *line_of(const char *unit, uint64_t *s, uint32_t dense)
{
	char *r = malloc((size_t)DOCLEN * 3 + 2), *p = r;
	size_t ul = unit ? strlen(unit) : 0;
	for (uint32_t i = 0; i < DOCLEN; i++, p += 3)
		memcpy(p, unit ? unit + (i * 3) % ul : rnd(s) % 1000 < dense ? "■" : "□", 3);
	strcpy(p, "\n");
	return r;
}

static void build_and_open(void)
{
	uint64_t s = 7;
	char unit37[37 * 3 + 1] = "";
	for (int i = 0; i < 37; i++)
		strcat(unit37, rnd(&s) % 4 ? "■" : "□");
	char *docs[NDOCS] = {
		line_of("■■■■□■", &s, 0), line_of("■", &s, 0), line_of("■□", &s, 0),
		line_of(NULL, &s, 850), line_of("■■■■■■■□", &s, 0), line_of(unit37, &s, 0),
		strdup("お知らせ■□■■□ここまで\n"),
	};
	char dir[4096], path[4200], ixdir[4200], why[512];
	tmp = tu_tmpdir("eval_cost");
	snprintf(dir, sizeof dir, "%s/corpus", tmp);
	snprintf(ixdir, sizeof ixdir, "%s/ix", tmp);
	cr_assert_eq(mkdir(dir, 0777), 0);
	for (int i = 0; i < NDOCS; i++) {
		snprintf(path, sizeof path, "%s/d%d.txt", dir, i);
		FILE *f = fopen(path, "w");
		cr_assert(f, "%s", path);
		fputs(docs[i], f);
		cr_assert_eq(fclose(f), 0);
		cr_assert_eq(bidx_normalize(docs[i], strlen(docs[i]), 0, &text[i]), BIDX_OK);
		free(docs[i]);
	}
	const char *paths[] = {dir};
	bidx_build_opts o = {.index_dir = ixdir, .msg = stderr};
	bidx_build_stats st;
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "build: %s", why);
	cr_assert_eq(bidx_index_open(ixdir, &ix, why, sizeof why), BIDX_OK, "open: %s", why);
	cr_assert_eq(ix->ndocs, NDOCS);
}

static void teardown(void)
{
	bidx_index_close(ix);
	for (int i = 0; i < NDOCS; i++)
		bidx_norm_free(&text[i]);
	tu_rmtree(tmp);
	free(tmp);
}

/* Occurrences in the corpus of the distinct bigrams covering w (offsets 0,
 * 2, 4 ... and the last): what the index holds for w's postings. */
static uint64_t bigram_occurrences(const bidx_norm *w)
{
	uint32_t seen[4096][2], nseen = 0;
	uint64_t total = 0;
	for (uint32_t o = 0; o + 1 < w->nchars; o = o + 2 < w->nchars - 1 ? o + 2 : o + 1) {
		uint32_t a = w->cp[o], b = w->cp[o + 1], k = 0;
		while (k < nseen && (seen[k][0] != a || seen[k][1] != b))
			k++;
		if (k < nseen)
			continue;
		seen[nseen][0] = a, seen[nseen++][1] = b;
		for (int d = 0; d < NDOCS; d++)
			for (uint32_t i = 0; i + 1 < text[d].nchars; i++)
				total += text[d].cp[i] == a && text[d].cp[i + 1] == b;
	}
	return total;
}

/* Where w first stands in document d (a character offset), and how often
 * (overlapping); 0 occurrences when it does not. */
static uint32_t occurrences(int d, const bidx_norm *w, uint32_t *first)
{
	uint32_t n = 0;
	*first = UINT32_MAX;
	for (uint32_t i = 0; i + w->nchars <= text[d].nchars; i++)
		if (!memcmp(text[d].cp + i, w->cp, (size_t)w->nchars * sizeof *w->cp)) {
			*first = n++ ? *first : i;
		}
	return n;
}

/* Documents are collection ids in file order (d0.txt ...): one segment. */
static int doc_of(uint32_t coll)
{
	uint32_t local;
	const bidx_segment *seg = bidx_index_locate(ix, coll, &local);
	bidx_docrec r;
	cr_assert_eq(bidx_segment_doc(seg, local, &r), BIDX_OK);
	const char *p = bidx_segment_path(seg, &r);
	int d = p[r.path_len - 5] - '0';
	cr_assert(d >= 0 && d < NDOCS, "document %.*s", (int)r.path_len, p);
	return d;
}

/* Each hit of word (root) is where the scan finds it first, and --explain
 * counts as many occurrences as the scan: narrowing and scanning positions
 * find the same starts. */
static void check_places(const bidx_qnode *root, const bidx_result *r, const bidx_norm *w)
{
	char err[256];
	for (uint32_t i = 0; i < r->n; i++) {
		int d = doc_of(r->hits[i].doc);
		uint32_t first, n = occurrences(d, w, &first);
		cr_assert_gt(n, 0, "document %d does not hold the word of %u characters", d, w->nchars);
		cr_assert_eq(r->hits[i].pos, first, "document %d: first match at %u, not %u", d,
		             r->hits[i].pos, first);
		bidx_explain x;
		cr_assert_eq(bidx_query_explain(ix, root, r->hits[i].doc, &x, err, sizeof err), BIDX_OK,
		             "%s", err);
		cr_assert_eq(x.n, 1);
		uint32_t got = x.t[0].whole + x.t[0].edge + x.t[0].inside + x.t[0].across;
		cr_assert_eq(got, n, "document %d: %u occurrences of a word of %u characters, not %u",
		             d, got, w->nchars, n);
		bidx_explain_free(&x);
	}
}

/* Evaluates the word and checks its hits and its cost. */
static void check_word(const char *word)
{
	bidx_norm w;
	cr_assert_eq(bidx_normalize(word, strlen(word), 0, &w), BIDX_OK);
	int want = 0;
	for (int d = 0; d < NDOCS; d++)
		want += memmem(text[d].text, text[d].len, w.text, w.len) != NULL;
	uint64_t occ = bigram_occurrences(&w);
	bidx_qnode *root;
	bidx_result r;
	char err[256];
	size_t errpos;
	bidx_eval_counters c;
	cr_assert_eq(bidx_query_parse(word, &root, err, sizeof err, &errpos), BIDX_OK, "%s", err);
	bidx_eval_counters_get(&c, 1);
	cr_assert_eq(bidx_query_eval(ix, root, &r, err, sizeof err), BIDX_OK, "%s", err);
	bidx_eval_counters_get(&c, 1);
	cr_assert_eq(r.n, (uint32_t)want, "a word of %u characters: %u hits, the scan finds %d",
	             w.nchars, r.n, want);
	cr_assert_leq(c.positions, occ, "a word of %u characters decoded %llu positions of %llu "
	              "occurrences of its bigrams", w.nchars, (unsigned long long)c.positions,
	              (unsigned long long)occ);
	uint64_t most = 3 * occ + 2 * (uint64_t)w.nchars * NDOCS;
	cr_assert_leq(c.steps, most, "a word of %u characters took %llu steps over %llu "
	              "occurrences of its bigrams (at most %llu)", w.nchars,
	              (unsigned long long)c.steps, (unsigned long long)occ,
	              (unsigned long long)most);
	check_places(root, &r, &w);
	bidx_result_free(&r);
	bidx_query_free(root);
	bidx_norm_free(&w);
}

/* Characters [from, from + n) of document d's line, with the one at `flip`
 * (when < n) swapped between ■ and □. */
static char *cut(int d, uint32_t from, uint32_t n, uint32_t flip)
{
	char *r = malloc((size_t)n * 3 + 1);
	memcpy(r, text[d].text + text[d].byte_off[from], (size_t)n * 3);
	r[(size_t)n * 3] = 0;
	if (flip < n)
		memcpy(r + (size_t)flip * 3, r[(size_t)flip * 3 + 2] == "■"[2] ? "□" : "■", 3);
	return r;
}

Test(eval_cost, long_words_cost_their_positions, .init = build_and_open, .fini = teardown,
     .timeout = 600)
{
	static const uint32_t lens[] = {2, 3, 4, 7, 50, 301, 1000, 2047, 2500, 4095, 4096};
	uint64_t s = 11;
	for (int d = 0; d < NDOCS - 1; d++)
		for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
			uint32_t n = lens[i], from = rnd(&s) % (DOCLEN - n);
			for (int mutate = 0; mutate < 2; mutate++) {
				char *word = cut(d, from, n, mutate ? rnd(&s) % n : n);
				check_word(word);
				free(word);
			}
		}
}

/* The counters count: a word found in a document decodes its bigrams. */
Test(eval_cost, counters_see_the_work, .init = build_and_open, .fini = teardown)
{
	bidx_qnode *root;
	bidx_result r;
	char err[256];
	size_t errpos;
	bidx_eval_counters c;
	cr_assert_eq(bidx_query_parse("■□■■□", &root, err, sizeof err, &errpos), BIDX_OK);
	bidx_eval_counters_get(&c, 1);
	cr_assert_eq(bidx_query_eval(ix, root, &r, err, sizeof err), BIDX_OK, "%s", err);
	bidx_eval_counters_get(&c, 0);
	cr_assert_gt(r.n, 0);
	cr_assert_gt(c.positions, 0, "positions were decoded");
	cr_assert_gt(c.steps, 0, "candidates were examined");
	bidx_result_free(&r);
	bidx_query_free(root);
}

/* The documents of query qs, by bidx_query_eval (match 0) or
 * bidx_query_match (1), as a bit set of collection ids; *c gets the
 * counters of that evaluation. */
static unsigned docs_of(const char *qs, int match, bidx_eval_counters *c)
{
	bidx_qnode *root;
	bidx_result r;
	char err[256];
	size_t errpos;
	cr_assert_eq(bidx_query_parse(qs, &root, err, sizeof err, &errpos), BIDX_OK, "%s: %s", qs,
	             err);
	bidx_eval_counters_get(c, 1);
	bidx_err rc = match ? bidx_query_match(ix, root, &r, err, sizeof err)
	            : bidx_query_eval(ix, root, &r, err, sizeof err);
	cr_assert_eq(rc, BIDX_OK, "%s: %s", qs, err);
	bidx_eval_counters_get(c, 1);
	unsigned set = 0;
	for (uint32_t i = 0; i < r.n; i++) {
		cr_assert(i == 0 || r.hits[i - 1].doc < r.hits[i].doc, "%s: hits out of order", qs);
		set |= 1u << r.hits[i].doc;
	}
	bidx_result_free(&r);
	bidx_query_free(root);
	return set;
}

/* A count needs no positions for a two-character word (one bigram), and
 * under AND a word is matched only in the documents its siblings left. */
Test(eval_cost, a_count_reads_what_it_needs, .init = build_and_open, .fini = teardown)
{
	bidx_eval_counters ce, cm;
	cr_assert_eq(docs_of("■□", 1, &cm), docs_of("■□", 0, &ce));
	cr_assert_gt(ce.positions, 10000, "ranking decodes the positions (%llu)",
	             (unsigned long long)ce.positions);
	cr_assert_eq(cm.positions, 0, "a count of one bigram decoded %llu positions",
	             (unsigned long long)cm.positions);
	cr_assert_eq(docs_of("ここまで ■■■□", 1, &cm), docs_of("ここまで ■■■□", 0, &ce));
	cr_assert_lt(cm.positions, 100, "ここまで is in one short document, yet the count decoded "
	             "%llu positions", (unsigned long long)cm.positions);
	cr_assert_gt(ce.positions, 10000);
	cr_assert_eq(docs_of("ここまで -■□■", 1, &cm), docs_of("ここまで -■□■", 0, &ce));
	cr_assert_lt(cm.positions, 100);
	/* whether a longer word is in a document: its first occurrence decides
	 * (■□□ is thousands of times in the random line, and once in the short
	 * document) */
	cr_assert_eq(docs_of("■□□", 1, &cm), docs_of("■□□", 0, &ce));
	cr_assert_gt(ce.steps, 1000, "ranking examines every start (%llu)",
	             (unsigned long long)ce.steps);
	cr_assert_lt(cm.steps, 50, "a count examined %llu starts", (unsigned long long)cm.steps);
}

/* A word of the corpus's characters: 1 to 6 of ■ □, or こ ま で. */
static void random_word(uint64_t *s, char *w)
{
	static const char *const ch[] = {"■", "□", "■", "□", "こ", "ま", "で"};
	w[0] = 0;
	uint32_t n = 1 + rnd(s) % 6, k = rnd(s) % 4 ? 4 : 7;
	for (uint32_t i = 0; i < n; i++)
		strcat(w, ch[rnd(s) % k]);
}

static void random_query(uint64_t *s, int depth, char *q, size_t qlen)
{
	uint32_t kind = depth >= 3 ? 0 : rnd(s) % 5;
	char a[512], b[512];
	if (kind <= 1) {
		random_word(s, q);
		return;
	}
	random_query(s, depth + 1, a, sizeof a);
	random_query(s, depth + 1, b, sizeof b);
	snprintf(q, qlen, kind == 2 ? "(%.200s %.200s)" : kind == 3 ? "(%.200s OR %.200s)"
	         : "(%.200s -%.200s)", a, b);
}

/* bidx_query_match finds exactly the documents bidx_query_eval finds. */
Test(eval_cost, a_count_finds_what_ranking_finds, .init = build_and_open, .fini = teardown)
{
	uint64_t s = 5;
	int differ = 0;
	for (int i = 0; i < 300; i++) {
		char q[1024];
		bidx_eval_counters c;
		random_query(&s, 0, q, sizeof q);
		unsigned e = docs_of(q, 0, &c), m = docs_of(q, 1, &c);
		cr_assert_eq(m, e, "%s: the count finds %#x, ranking %#x", q, m, e);
		differ += e != 0 && e != (1u << NDOCS) - 1;
	}
	cr_assert_gt(differ, 50, "the queries must tell documents apart");
}
