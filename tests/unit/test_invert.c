/* The inverter (indexer/invert.c): documents in, one postings list per
 * term out through the callback, in key order.  Every list is decoded with
 * the searcher's cursor and held against a brute-force scan of the same
 * documents: a unigram's documents with tf and its title, whole-word and
 * edge counts, a bigram's documents with their positions. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "invert.h"
#include "postings.h"
#include "text.h"

#define MAXCH 600

typedef struct doc {
	uint32_t id;
	uint32_t cp[MAXCH];
	uint32_t n;
	uint8_t bits[MAXCH / 8 + 2];   /* boundary before character i, i <= n */
	uint32_t ts, te;               /* title characters [ts, te) */
} doc;

typedef struct corpus {
	doc *d;
	uint32_t n;
	uint32_t ndocs;   /* doc ids are below this */
} corpus;

typedef struct seen {
	const corpus *c;
	uint64_t prev;
	uint32_t nterms;
	int have_prev;
} seen;

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

/* Small alphabets repeat n-grams a lot; one astral and one ASCII character
 * check that keys keep every bit of a code point; U+0000, U+FFFF and
 * U+10000 sit at the edges of the bigrams the hash tells apart by their
 * slot alone (two BMP characters, the first not U+0000). */
static const uint32_t alphabet[] = {0x6F0F, 0x3048, 0x1F600, 'a', 0x10FFFF, 0x30FC,
                                    0, 0xFFFF, 0x10000};
#define NALPHA (sizeof alphabet / sizeof *alphabet)

/* When set, letters are drawn from this many kanji instead: thousands of
 * distinct bigrams, more terms than the writer encodes at a time. */
static uint32_t wide_alphabet;

static void make_corpus(corpus *c, uint32_t ndoc, uint32_t maxlen, uint64_t seed)
{
	uint64_t s = seed;
	c->d = calloc(ndoc, sizeof *c->d);
	c->n = ndoc;
	uint32_t id = 0;
	for (uint32_t i = 0; i < ndoc; i++) {
		doc *d = &c->d[i];
		id += 1 + (rnd(&s) % 4 == 0 ? rnd(&s) % 5 : 0);   /* gaps between ids */
		d->id = id;
		d->n = i % 17 == 3 ? 0 : rnd(&s) % (maxlen + 1);   /* some empty */
		uint32_t k = 2 + rnd(&s) % (NALPHA - 1);   /* letters of this doc's alphabet */
		for (uint32_t j = 0; j < d->n; j++)
			d->cp[j] = wide_alphabet ? 0x4E00 + rnd(&s) % wide_alphabet : alphabet[rnd(&s) % k];
		for (uint32_t j = 0; j <= d->n; j++)
			if (rnd(&s) % 3 == 0)
				bidx_bits_set(d->bits, j);
		d->ts = d->n ? rnd(&s) % d->n : 0;
		d->te = d->n ? d->ts + rnd(&s) % (d->n - d->ts + 1) : 0;
	}
	c->ndocs = id + 1;
}

static uint64_t key_at(const doc *d, uint32_t p, unsigned n)
{
	return n == 1 ? bidx_key1(d->cp[p]) : bidx_key2(d->cp[p], d->cp[p + 1]);
}

/* Checks one term's postings against the documents. */
static bidx_err check_term(uint64_t key, uint32_t df, const bidx_buf *post, void *arg)
{
	seen *sn = arg;
	const corpus *c = sn->c;
	unsigned n = bidx_key_n(key);
	cr_assert(n == 1 || n == 2, "key %llx is neither a unigram nor a bigram",
	          (unsigned long long)key);
	cr_assert(!sn->have_prev || key > sn->prev, "terms not in increasing key order");
	sn->prev = key;
	sn->have_prev = 1;
	sn->nterms++;

	bidx_pcur cur;
	cr_assert_eq(bidx_pcur_init(&cur, post->p, post->len, df, n, c->ndocs), 0);
	uint32_t want_df = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		const doc *d = &c->d[i];
		uint32_t tf = 0, title = 0, word = 0, edge = 0, pos[MAXCH];
		for (uint32_t p = 0; p + n <= d->n; p++) {
			if (key_at(d, p, n) != key)
				continue;
			pos[tf++] = p;
			int a = bidx_bits_get(d->bits, p), b = bidx_bits_get(d->bits, p + 1);
			title += p >= d->ts && p < d->te;
			word += a && b;
			edge += a != b;
		}
		if (!tf)
			continue;
		want_df++;
		int have = 0;
		cr_assert_eq(bidx_pcur_next(&cur, &have), BIDX_OK);
		cr_assert_eq(have, 1, "key %llx: doc %u missing", (unsigned long long)key, d->id);
		cr_assert_eq(cur.doc, (int64_t)d->id, "key %llx: doc %lld where %u was due",
		             (unsigned long long)key, (long long)cur.doc, d->id);
		cr_assert_eq(cur.tf, tf, "key %llx doc %u: tf", (unsigned long long)key, d->id);
		if (n == 1) {
			cr_assert_eq(cur.tf_title, title, "doc %u: title count", d->id);
			cr_assert_eq(cur.tf_word, word, "doc %u: whole-word count", d->id);
			cr_assert_eq(cur.tf_edge, edge, "doc %u: edge count", d->id);
		} else {
			uint32_t got[MAXCH];
			cr_assert_eq(bidx_pcur_positions(&cur, got, d->n), 0);
			for (uint32_t k = 0; k < tf; k++)
				cr_assert_eq(got[k], pos[k], "key %llx doc %u: position %u",
				             (unsigned long long)key, d->id, k);
		}
	}
	cr_assert_eq(df, want_df, "key %llx: df", (unsigned long long)key);
	int more = 1;
	cr_assert_eq(bidx_pcur_next(&cur, &more), BIDX_OK);
	cr_assert_eq(more, 0, "key %llx: documents past the last", (unsigned long long)key);
	return BIDX_OK;
}

/* Distinct n-grams of the corpus, counted by brute force. */
static uint32_t distinct_terms(const corpus *c)
{
	uint64_t *keys = NULL;
	size_t nk = 0;
	for (uint32_t i = 0; i < c->n; i++)
		for (unsigned n = 1; n <= 2; n++)
			for (uint32_t p = 0; p + n <= c->d[i].n; p++) {
				uint64_t k = key_at(&c->d[i], p, n);
				size_t j = 0;
				while (j < nk && keys[j] != k)
					j++;
				if (j == nk) {
					keys = realloc(keys, (nk + 1) * sizeof *keys);
					keys[nk++] = k;
				}
			}
	free(keys);
	return (uint32_t)nk;
}

static void run(uint32_t ndoc, uint32_t maxlen, uint64_t seed)
{
	corpus c;
	make_corpus(&c, ndoc, maxlen, seed);
	bidx_inverter *inv;
	cr_assert_eq(bidx_inv_new(&inv), BIDX_OK);
	for (uint32_t i = 0; i < c.n; i++)
		cr_assert_eq(bidx_inv_add(inv, c.d[i].id, c.d[i].cp, c.d[i].n, c.d[i].bits, c.d[i].ts,
		                          c.d[i].te), BIDX_OK);
	uint32_t want = distinct_terms(&c);
	cr_assert_eq(bidx_inv_nterms(inv), want);
	seen sn = {.c = &c};
	cr_assert_eq(bidx_inv_write(inv, check_term, &sn), BIDX_OK);
	cr_assert_eq(sn.nterms, want, "%u terms written, %u distinct in the documents", sn.nterms,
	             want);
	bidx_inv_free(inv);
	free(c.d);
}

Test(invert, few_short_documents)
{
	run(12, 20, 1);
}

/* Past 128 documents a term's postings span several blocks. */
Test(invert, many_documents_across_blocks)
{
	run(700, 40, 7);
}

/* Long documents repeat each bigram hundreds of times. */
Test(invert, long_documents)
{
	run(30, MAXCH, 42);
}

static bidx_err stop_at_third(uint64_t key, uint32_t df, const bidx_buf *post, void *arg)
{
	(void)key, (void)df, (void)post;
	return ++*(int *)arg == 3 ? BIDX_EIO : BIDX_OK;
}

/* The callback's first error ends the walk and is returned. */
Test(invert, callback_error_stops_the_walk)
{
	static const uint32_t text[] = {'a', 'b', 'c', 'd'};
	uint8_t bits[1] = {0};
	bidx_inverter *inv;
	cr_assert_eq(bidx_inv_new(&inv), BIDX_OK);
	cr_assert_eq(bidx_inv_add(inv, 0, text, 4, bits, 0, 0), BIDX_OK);
	int calls = 0;
	cr_assert_eq(bidx_inv_write(inv, stop_at_third, &calls), BIDX_EIO);
	cr_assert_eq(calls, 3);
	bidx_inv_free(inv);
}

/* Thousands of terms: they are encoded a chunk at a time, on two threads,
 * and still reach the callback complete and in key order. */
Test(invert, many_terms_in_key_order)
{
	wide_alphabet = 400;
	run(60, 300, 5);
	wide_alphabet = 0;
}

static bidx_err stop_at_5000th(uint64_t key, uint32_t df, const bidx_buf *post, void *arg)
{
	(void)key, (void)df, (void)post;
	return ++*(int *)arg == 5000 ? BIDX_EIO : BIDX_OK;
}

/* An error from the callback deep into the terms stops the writer and its
 * second thread; what was encoded ahead is freed (the ASan tier checks). */
Test(invert, callback_error_stops_many_terms)
{
	corpus c;
	wide_alphabet = 400;
	make_corpus(&c, 60, 300, 9);
	wide_alphabet = 0;
	bidx_inverter *inv;
	cr_assert_eq(bidx_inv_new(&inv), BIDX_OK);
	for (uint32_t i = 0; i < c.n; i++)
		cr_assert_eq(bidx_inv_add(inv, c.d[i].id, c.d[i].cp, c.d[i].n, c.d[i].bits, c.d[i].ts,
		                          c.d[i].te), BIDX_OK);
	cr_assert_gt(bidx_inv_nterms(inv), 6000);
	int calls = 0;
	cr_assert_eq(bidx_inv_write(inv, stop_at_5000th, &calls), BIDX_EIO);
	cr_assert_eq(calls, 5000);
	bidx_inv_free(inv);
	free(c.d);
}
