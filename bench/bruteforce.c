#define _GNU_SOURCE /* memmem */
/*
 * bruteforce - the ground truth for hit counts: every document's text is
 * normalised with bidx_normalize (NFKC, case folding, the white-space rule of
 * normalize.h) and every query word is looked for in it with memmem, the
 * word and each of its declared variants (variants.h: 漏えい 漏洩, 第1報
 * 第一報), so a count here is what `grep -F` over the normalised text gives
 * for any of them.  AND, OR, NOT
 * and phrases follow bsearch's query language (query_parse.h).
 *
 *   bruteforce QUERYFILE CORPUS...
 *
 * The documents are the notices bidx indexes (benchcorpus.h).  Field terms
 * (date:2018, org:厚木市) need the fields bidx extracts, which a text scan
 * does not have: such queries are "n/a" here.
 *
 * Prints "hits<TAB>query" per query ("-" when the query has no searchable
 * word, "n/a" for a field query), and the document count on stderr.
 */
#include "benchcorpus.h"
#include "benchlib.h"
#include "normalize.h"
#include "query_parse.h"
#include "variants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ndoc {
	char *text;   /* normalised; owned */
	size_t len;
} ndoc;

/* The query tree with every TERM normalised once. */
typedef struct nquery {
	const bidx_qnode *node;
	bidx_alts *terms; /* parallel to a pre-order walk of TERM nodes: each
	                     word's alternatives */
	size_t nterms;
	int empty;        /* some term normalises to nothing */
} nquery;

static int collect(const bidx_qnode *n, nquery *q)
{
	if (n->type == BIDX_Q_TERM) {
		bidx_norm nm;
		if (bidx_normalize(n->text, strlen(n->text), 0, &nm))
			return -1;
		if (!nm.len)
			q->empty = 1;
		bidx_err rc = nm.nchars ? bidx_variants_expand(nm.cp, nm.nchars, BIDX_QUERY_MAX_TERM_CHARS,
		                                               &q->terms[q->nterms]) : BIDX_OK;
		q->nterms++;
		bidx_norm_free(&nm);
		return rc ? -1 : 0;
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (collect(n->kids[i], q))
			return -1;
	return 0;
}

static size_t count_terms(const bidx_qnode *n)
{
	if (n->type == BIDX_Q_TERM)
		return 1;
	size_t k = 0;
	for (size_t i = 0; i < n->nkids; i++)
		k += count_terms(n->kids[i]);
	return k;
}

/* Evaluates n on d; *t walks the terms in the order collect() stored them. */
static int eval(const bidx_qnode *n, const nquery *q, size_t *t, const ndoc *d)
{
	if (n->type == BIDX_Q_TERM) {
		const bidx_alts *a = &q->terms[(*t)++];
		for (uint32_t k = 0; k < a->n; k++)
			if (memmem(d->text, d->len, a->text[k], strlen(a->text[k])))
				return 1;
		return 0;
	}
	int v = n->type == BIDX_Q_AND;
	for (size_t i = 0; i < n->nkids; i++) {
		int k = eval(n->kids[i], q, t, d);   /* no short cut: keep *t in step */
		if (n->type == BIDX_Q_AND)
			v = v && k;
		else if (n->type == BIDX_Q_OR)
			v = v || k;
		else
			v = !k;
	}
	return v;
}

static long count_hits(const char *query, const ndoc *docs, size_t n)
{
	bidx_qnode *root;
	char why[256];
	size_t pos;
	if (bidx_query_parse(query, &root, why, sizeof why, &pos)) {
		fprintf(stderr, "bruteforce: bad query '%s': %s\n", query, why);
		return -1;
	}
	nquery q = {root, NULL, 0, 0};
	size_t nt = count_terms(root);
	q.terms = calloc(nt, sizeof *q.terms);
	long hits = -1;
	if (q.terms && !collect(root, &q) && !q.empty) {
		hits = 0;
		for (size_t i = 0; i < n; i++) {
			size_t t = 0;
			hits += eval(root, &q, &t, &docs[i]);
		}
	}
	for (size_t i = 0; i < q.nterms; i++)
		bidx_alts_free(&q.terms[i]);
	free(q.terms);
	bidx_query_free(root);
	return hits;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bruteforce QUERYFILE CORPUS...\n");
		return 2;
	}
	bench_query *qs;
	long nq = bench_load_queries(argv[1], &qs);
	if (nq <= 0)
		return 2;
	bench_corpus c;
	if (bench_corpus_load(argv + 2, argc - 2, &c))
		return 2;
	ndoc *docs = calloc(c.n ? c.n : 1, sizeof *docs);
	size_t nd = 0;
	for (size_t i = 0; docs && i < c.n; i++) {
		bidx_norm nm;
		if (bidx_normalize(c.docs[i].text, c.docs[i].len, 0, &nm)) {
			fprintf(stderr, "bruteforce: %s: cannot normalise\n", c.docs[i].path);
			return 2;
		}
		bench_doc_drop(&c.docs[i]);
		if (nm.len) {   /* bidx skips documents with no text left */
			docs[nd].text = nm.text;
			docs[nd++].len = nm.len;
			nm.text = NULL;
		}
		bidx_norm_free(&nm);
	}
	if (!docs)
		return 2;
	fprintf(stderr, "bruteforce: %zu documents, %zu bytes\n", nd, c.bytes);
	for (long i = 0; i < nq; i++) {
		long h = qs[i].field ? -2 : count_hits(qs[i].text, docs, nd);
		if (h == -2)
			printf("n/a\t%s\n", qs[i].text);
		else if (h < 0)
			printf("-\t%s\n", qs[i].text);
		else
			printf("%ld\t%s\n", h, qs[i].text);
	}
	for (size_t i = 0; i < nd; i++)
		free(docs[i].text);
	free(docs);
	bench_corpus_free(&c);
	bench_free_queries(qs, (size_t)nq);
	return 0;
}
