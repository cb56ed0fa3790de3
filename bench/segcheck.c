/*
 * segcheck - how consistently MeCab segments a word in context and alone,
 * with ipadic alone and with the user dictionary of dict/.
 *
 *   segcheck [--vocab CSV] CORPUS...
 *
 * A query is a word typed alone; a document has the word in a sentence.
 * Whole-word ranking works when both are cut the same way.  Over every
 * notice bidx indexes under the arguments (normalised as the index does),
 * two measures, each with ipadic alone and with ipadic + bidx.dic:
 *
 *  - words: every MeCab word in context of two or more characters, not
 *    plain ASCII; consistent when segmenting that word alone gives that one
 *    word (so the query matches it as a whole word);
 *  - runs: every maximal run of two or more kanji, or of katakana (what a
 *    reader would type as one query: 個人情報保護委員会, ランサムウェア);
 *    consistent when the cuts MeCab makes inside the run, and at its two
 *    edges, are the same in context as alone;
 *  - vocab (with --vocab dict/notice.csv): every occurrence of a surface of
 *    the CSV that is not part of a longer run of its script (サイバ in
 *    サイバーエージェント is left out); consistent when it is one word in
 *    context and one word alone.
 *
 * Output: one line per measure and dictionary with the count and the share
 * that is consistent.  bench/README.md has the figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchcorpus.h"
#include "normalize.h"
#include "text.h"
#include "tokenize.h"

typedef struct tally {
	unsigned long words, words_ok, runs, runs_ok, vocab, vocab_ok;
} tally;

static char **vocab;     /* surfaces of --vocab, normal form */
static size_t nvocab;

static int is_kanji(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3005;
}

static int is_kata(uint32_t c)
{
	return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC;
}

static int script(uint32_t c)
{
	return is_kanji(c) ? 1 : is_kata(c) ? 2 : 0;
}

/* Segments n->text bytes of chars [a, b) alone; bits of (b - a + 8) / 8
 * bytes, zeroed here.  Returns the characters of its normal form (the
 * query's), which may differ from b - a. */
static uint32_t alone(bidx_tokenizer *t, const bidx_norm *n, uint32_t a, uint32_t b,
                      uint8_t *bits, size_t cap)
{
	bidx_norm q;
	uint32_t ntok;
	if (bidx_normalize(n->text + n->byte_off[a], n->byte_off[b] - n->byte_off[a], 0, &q))
		return 0;
	uint32_t nc = q.nchars;
	memset(bits, 0, cap);
	if (nc + 8 > cap * 8 || bidx_tokenize(t, &q, bits, &ntok))
		nc = 0;
	bidx_norm_free(&q);
	return nc;
}

static int ascii_only(const bidx_norm *n, uint32_t a, uint32_t b)
{
	for (uint32_t i = a; i < b; i++)
		if (n->cp[i] >= 0x80)
			return 0;
	return 1;
}

static void words(bidx_tokenizer *t, const bidx_norm *n, const uint8_t *ctx, tally *y)
{
	uint8_t bits[64];
	for (uint32_t a = 0, b; a < n->nchars; a = b) {
		b = a + 1;
		while (b < n->nchars && !bidx_bits_get(ctx, b))
			b++;
		if (b - a < 2 || b - a > 64 || n->cp[a] == ' ' || ascii_only(n, a, b))
			continue;
		uint32_t nc = alone(t, n, a, b, bits, sizeof bits);
		int one = nc > 0;
		for (uint32_t i = 1; i < nc; i++)
			one &= !bidx_bits_get(bits, i);
		y->words++;
		y->words_ok += one;
	}
}

static void runs(bidx_tokenizer *t, const bidx_norm *n, const uint8_t *ctx, tally *y)
{
	uint8_t bits[64];
	for (uint32_t a = 0, b; a < n->nchars; a = b) {
		int s = script(n->cp[a]);
		b = a + 1;
		while (b < n->nchars && s && script(n->cp[b]) == s)
			b++;
		if (!s || b - a < 2 || b - a > 64)
			continue;
		uint32_t nc = alone(t, n, a, b, bits, sizeof bits);
		int same = nc == b - a && bidx_bits_get(ctx, a) && bidx_bits_get(ctx, b);
		for (uint32_t i = 1; same && i < nc; i++)
			same = bidx_bits_get(bits, i) == bidx_bits_get(ctx, a + i);
		y->runs++;
		y->runs_ok += same;
	}
}

/* Occurrences of the vocabulary: one word in context and alone. */
static void vocab_hits(bidx_tokenizer *t, const bidx_norm *n, const uint8_t *ctx, tally *y)
{
	uint8_t bits[64];
	for (size_t v = 0; v < nvocab; v++) {
		size_t vl = strlen(vocab[v]);
		for (const char *p = n->text; (p = strstr(p, vocab[v])) != NULL; p += vl) {
			uint32_t a = 0;
			while (n->byte_off[a] < (uint32_t)(p - n->text))
				a++;
			uint32_t b = a;
			while (b < n->nchars && n->byte_off[b] < (uint32_t)(p - n->text) + vl)
				b++;
			if ((a > 0 && script(n->cp[a]) && script(n->cp[a - 1]) == script(n->cp[a])) ||
			    (b < n->nchars && script(n->cp[b - 1]) && script(n->cp[b]) == script(n->cp[b - 1])))
				continue;   /* part of a longer run (サイバーエージェント): no word of its own */
			int one = bidx_bits_get(ctx, a) && bidx_bits_get(ctx, b);
			for (uint32_t i = a + 1; one && i < b; i++)
				one = !bidx_bits_get(ctx, i);
			uint32_t nc = alone(t, n, a, b, bits, sizeof bits);
			for (uint32_t i = 1; one && i < nc; i++)
				one = !bidx_bits_get(bits, i);
			y->vocab++;
			y->vocab_ok += one && nc > 0;
		}
	}
}

static int load_vocab(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	if (!f) {
		fprintf(stderr, "segcheck: cannot read %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *comma = strchr(line, ',');
		if (!comma || comma == line)
			continue;
		*comma = 0;
		char **nv = realloc(vocab, (nvocab + 1) * sizeof *nv);
		if (!nv || !(nv[nvocab] = strdup(line))) {
			fclose(f);
			return -1;
		}
		vocab = nv;
		nvocab++;
	}
	fclose(f);
	return 0;
}

static int check_doc(bidx_tokenizer *t, const bench_doc *d, tally *y)
{
	bidx_norm n;
	uint32_t ntok;
	if (bidx_normalize(d->text, d->len, 0, &n))
		return -1;
	uint8_t *ctx = calloc(((size_t)n.nchars + 8) / 8, 1);
	int rc = ctx && (n.nchars == 0 || !bidx_tokenize(t, &n, ctx, &ntok)) ? 0 : -1;
	if (!rc && n.nchars) {
		words(t, &n, ctx, y);
		runs(t, &n, ctx, y);
		vocab_hits(t, &n, ctx, y);
	}
	free(ctx);
	bidx_norm_free(&n);
	return rc;
}

static double pct(unsigned long a, unsigned long b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 2 && !strcmp(argv[1], "--vocab")) {
		if (load_vocab(argv[2]))
			return 2;
		first = 3;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: segcheck [--vocab CSV] CORPUS...\n");
		return 2;
	}
	char user[4200], why[8400];
	if (bidx_userdic_find(user, sizeof user) || !user[0]) {
		fprintf(stderr, "segcheck: %s\n", user[0] ? user : "BIDX_USERDIC=none: nothing to compare");
		return 2;
	}
	bench_corpus c;
	if (bench_corpus_load(argv + first, argc - first, &c))
		return 2;
	const char *names[2] = {"ipadic", "ipadic + dict/notice.csv"};
	const char *dics[2] = {"", user};
	tally y[2] = {{0}};
	for (int k = 0; k < 2; k++) {
		bidx_tokenizer *t;
		if (bidx_tokenizer_open(&t, dics[k], why, sizeof why)) {
			fprintf(stderr, "segcheck: %s\n", why);
			return 2;
		}
		for (size_t i = 0; i < c.n; i++)
			if (check_doc(t, &c.docs[i], &y[k])) {
				fprintf(stderr, "segcheck: %s: cannot segment\n", c.docs[i].path);
				return 2;
			}
		bidx_tokenizer_free(t);
	}
	printf("%zu notices (%zu bytes)\n", c.n, c.bytes);
	printf("%-26s %10s %8s %10s %8s %8s %8s\n", "dictionary", "words", "same", "runs", "same",
	       "vocab", "same");
	for (int k = 0; k < 2; k++)
		printf("%-26s %10lu %7.2f%% %10lu %7.2f%% %8lu %7.2f%%\n", names[k], y[k].words,
		       pct(y[k].words_ok, y[k].words), y[k].runs, pct(y[k].runs_ok, y[k].runs),
		       y[k].vocab, pct(y[k].vocab_ok, y[k].vocab));
	bench_corpus_free(&c);
	for (size_t v = 0; v < nvocab; v++)
		free(vocab[v]);
	free(vocab);
	return 0;
}
