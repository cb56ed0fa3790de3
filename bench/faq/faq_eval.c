/*
 * bench-faq - ranking quality of `bsearch --any` on a FAQ collection with
 * graded judgments (the localgovFAQ layout: faq.jsonl of {"id", "title",
 * "body"}, queries TSV "qid<TAB>text", qrels TSV "qid<TAB>faq id<TAB>grade").
 *
 *   bench-faq --index DIR --faq FAQ.jsonl --queries Q.tsv --qrels QRELS.tsv [--json]
 *             [--run FILE] [--per-query FILE]
 *
 * The index is `bidx build` of FAQ.jsonl (title = question, body = answer);
 * a hit's path ends in ":LINE", the record's line, which maps to its id.
 * Each query goes through exactly what `bsearch --any` does after opening
 * (question analysis, bidx_question_eval, ranking), in process, with MeCab
 * loaded once.  Reported over the queries that have judgments:
 *   nDCG@10    gains = the grades (2 answers it, 1 related), the ideal
 *              ordering of all judged entries of the query;
 *   MRR@10     1/rank of the first judged entry in the top 10, else 0;
 *   Recall@10, Recall@100   the share of judged entries retrieved;
 * and the latency of a question (p50, p99).  Each figure is given over all
 * the queries and over two halves of them, even and odd query ids: a change
 * of method is kept only when it helps both halves, a guard against tuning
 * to the queries at hand.  --run writes the top 100 of every query as
 * "qid<TAB>rank<TAB>faq id<TAB>grade", --per-query each query's figures
 * "qid<TAB>nDCG@10<TAB>RR@10<TAB>R@10<TAB>R@100<TAB>text", for a closer look.
 */
#include "index.h"
#include "question.h"
#include "rank.h"
#include "segment.h"
#include "tokenize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXJ 64        /* judgments kept per query */
#define DEPTH 100

typedef struct judged {
	long faq;
	int grade;
} judged;

typedef struct query {
	long qid;
	char *text;
	judged j[MAXJ];
	int nj;
} query;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The id of each line of the FAQ file (line numbers from 1), -1 when none. */
static long *read_ids(const char *path, long *nlines)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return NULL;
	}
	long cap = 4096, n = 0;
	long *ids = malloc((size_t)cap * sizeof *ids);
	char *line = NULL;
	size_t lc = 0;
	ids[n++] = -1;   /* line 0 */
	while (getline(&line, &lc, f) > 0) {
		if (n == cap)
			ids = realloc(ids, (size_t)(cap *= 2) * sizeof *ids);
		const char *p = strstr(line, "\"id\"");
		long id = -1;
		if (p) {
			p += 4;
			while (*p == ' ' || *p == ':' || *p == '"')
				p++;
			id = strtol(p, NULL, 10);
		}
		ids[n++] = id;
	}
	free(line);
	fclose(f);
	*nlines = n;
	return ids;
}

static query *read_queries(const char *qpath, const char *rpath, size_t *nq)
{
	FILE *f = fopen(qpath, "r");
	if (!f) {
		perror(qpath);
		return NULL;
	}
	size_t cap = 1024, n = 0;
	query *q = calloc(cap, sizeof *q);
	char *line = NULL;
	size_t lc = 0;
	ssize_t len;
	while ((len = getline(&line, &lc, f)) > 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		char *tab = strchr(line, '\t');
		if (!tab || n == cap)
			continue;
		q[n].qid = strtol(line, NULL, 10);
		q[n].text = strdup(tab + 1);
		n++;
	}
	fclose(f);
	if (!(f = fopen(rpath, "r"))) {
		perror(rpath);
		return NULL;
	}
	while (getline(&line, &lc, f) > 0) {
		long qid, faq;
		int grade;
		if (sscanf(line, "%ld\t%ld\t%d", &qid, &faq, &grade) != 3 || grade <= 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (q[i].qid == qid && q[i].nj < MAXJ)
				q[i].j[q[i].nj++] = (judged){faq, grade};
	}
	free(line);
	fclose(f);
	*nq = n;
	return q;
}

static int grade_of(const query *q, long faq)
{
	for (int i = 0; i < q->nj; i++)
		if (q->j[i].faq == faq)
			return q->j[i].grade;
	return 0;
}

static int cmp_grade_desc(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

/* The FAQ id of collection doc id d. */
static long faq_of(bidx_index *ix, uint32_t d, const long *ids, long nlines)
{
	uint32_t local;
	bidx_docrec rec;
	bidx_segment *seg = bidx_index_locate(ix, d, &local);
	if (!seg || bidx_segment_doc(seg, local, &rec))
		return -1;
	const char *p = bidx_segment_path(seg, &rec);
	size_t k = rec.path_len;
	while (k > 0 && p[k - 1] != ':')
		k--;
	long line = 0;
	for (size_t i = k; i < rec.path_len && p[i] >= '0' && p[i] <= '9'; i++)
		line = line * 10 + (p[i] - '0');
	return line > 0 && line < nlines ? ids[line] : -1;
}

/* Sums of the figures over a set of queries. */
typedef struct tally {
	double ndcg, mrr, r10, r100;
	size_t n;
} tally;

static void tally_add(tally *t, double ndcg, double rr, double r10, double r100)
{
	t->ndcg += ndcg;
	t->mrr += rr;
	t->r10 += r10;
	t->r100 += r100;
	t->n++;
}

static void tally_print(const char *name, const tally *t, int json)
{
	double n = t->n ? (double)t->n : 1.0;
	if (json)
		printf("\"%s\":{\"queries\":%zu,\"ndcg10\":%.4f,\"mrr10\":%.4f,\"recall10\":%.4f,"
		       "\"recall100\":%.4f}", name, t->n, t->ndcg / n, t->mrr / n, t->r10 / n,
		       t->r100 / n);
	else
		printf("%-5s %3zu queries: nDCG@10 %.4f  MRR@10 %.4f  Recall@10 %.4f  Recall@100 %.4f\n",
		       name, t->n, t->ndcg / n, t->mrr / n, t->r10 / n, t->r100 / n);
}

/* Scores one query's ranking: its top DEPTH hits against its judgments. */
static void judge(bidx_index *ix, const query *q, const bidx_result *r, const long *ids,
                  long nlines, FILE *run, double *ndcg, double *rr, double *r10, double *r100)
{
	uint32_t k = r->n < DEPTH ? r->n : DEPTH;
	double dcg = 0, idcg = 0;
	int found10 = 0, found100 = 0;
	*rr = 0;
	for (uint32_t h = 0; h < k; h++) {
		long id = faq_of(ix, r->hits[h].doc, ids, nlines);
		int g = grade_of(q, id);
		if (run)
			fprintf(run, "%ld\t%u\t%ld\t%d\n", q->qid, h + 1, id, g);
		if (!g)
			continue;
		found100++;
		if (h < 10) {
			found10++;
			dcg += g / log2(h + 2.0);
			if (*rr == 0)
				*rr = 1.0 / (h + 1);
		}
	}
	int grades[MAXJ];
	for (int j = 0; j < q->nj; j++)
		grades[j] = q->j[j].grade;
	qsort(grades, (size_t)q->nj, sizeof *grades, cmp_grade_desc);
	for (int j = 0; j < q->nj && j < 10; j++)
		idcg += grades[j] / log2(j + 2.0);
	*ndcg = idcg > 0 ? dcg / idcg : 0;
	*r10 = (double)found10 / q->nj;
	*r100 = (double)found100 / q->nj;
}

int main(int argc, char **argv)
{
	const char *index = NULL, *faq = NULL, *qpath = NULL, *rpath = NULL, *runpath = NULL;
	const char *perpath = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (v && !strcmp(argv[i], "--index"))
			index = v, i++;
		else if (v && !strcmp(argv[i], "--faq"))
			faq = v, i++;
		else if (v && !strcmp(argv[i], "--queries"))
			qpath = v, i++;
		else if (v && !strcmp(argv[i], "--qrels"))
			rpath = v, i++;
		else if (v && !strcmp(argv[i], "--run"))
			runpath = v, i++;
		else if (v && !strcmp(argv[i], "--per-query"))
			perpath = v, i++;
		else {
			fprintf(stderr, "usage: bench-faq --index DIR --faq FAQ.jsonl --queries Q.tsv "
			        "--qrels QRELS.tsv [--json] [--run FILE] [--per-query FILE]\n");
			return 2;
		}
	}
	if (!index || !faq || !qpath || !rpath) {
		fprintf(stderr, "bench-faq: --index, --faq, --queries and --qrels are needed\n");
		return 2;
	}
	long nlines;
	long *ids = read_ids(faq, &nlines);
	size_t nq;
	query *qs = ids ? read_queries(qpath, rpath, &nq) : NULL;
	if (!qs)
		return 2;
	char why[4400];
	bidx_index *ix;
	bidx_tokenizer *t;
	if (bidx_index_open(index, &ix, why, sizeof why)) {
		fprintf(stderr, "bench-faq: %s: %s\n", index, why);
		return 2;
	}
	if (bidx_tokenizer_new(&t, why, sizeof why)) {
		fprintf(stderr, "bench-faq: %s\n", why);
		return 2;
	}
	FILE *run = runpath ? fopen(runpath, "w") : NULL;
	FILE *per = perpath ? fopen(perpath, "w") : NULL;
	if ((runpath && !run) || (perpath && !per)) {
		perror(run ? perpath : runpath);
		return 2;
	}
	tally all = {0}, fold[2] = {{0}};
	double *us = calloc(nq + 1, sizeof *us);
	for (size_t i = 0; i < nq; i++) {
		if (!qs[i].nj)
			continue;
		double t0 = now_us();
		bidx_question q;
		bidx_result r;
		if (bidx_question_analyse(t, qs[i].text, &q, why, sizeof why) ||
		    bidx_question_eval(ix, &q, &r, NULL, why, sizeof why)) {
			fprintf(stderr, "bench-faq: query %ld: %s\n", qs[i].qid, why);
			return 2;
		}
		bidx_rank_sort(r.hits, r.n, DEPTH);
		us[all.n] = now_us() - t0;
		double ndcg, rr, r10, r100;
		judge(ix, &qs[i], &r, ids, nlines, run, &ndcg, &rr, &r10, &r100);
		tally_add(&all, ndcg, rr, r10, r100);
		tally_add(&fold[qs[i].qid & 1], ndcg, rr, r10, r100);
		if (per)
			fprintf(per, "%ld\t%.4f\t%.4f\t%.4f\t%.4f\t%s\n", qs[i].qid, ndcg, rr, r10, r100,
			        qs[i].text);
		bidx_result_free(&r);
		bidx_question_free(&q);
	}
	if (run)
		fclose(run);
	if (per)
		fclose(per);
	qsort(us, all.n, sizeof *us, cmp_double);
	double p50 = all.n ? us[(all.n - 1) / 2] : 0;
	double p99 = all.n ? us[(size_t)ceil(0.99 * all.n) - 1] : 0;
	if (json) {
		double n = all.n ? (double)all.n : 1.0;
		printf("{\"queries\":%zu,\"ndcg10\":%.4f,\"mrr10\":%.4f,\"recall10\":%.4f,"
		       "\"recall100\":%.4f,\"p50_us\":%.0f,\"p99_us\":%.0f,",
		       all.n, all.ndcg / n, all.mrr / n, all.r10 / n, all.r100 / n, p50, p99);
		tally_print("even", &fold[0], 1);
		putchar(',');
		tally_print("odd", &fold[1], 1);
		puts("}");
	} else {
		tally_print("all", &all, 0);
		tally_print("even", &fold[0], 0);
		tally_print("odd", &fold[1], 0);
		printf("question p50 %.0f us, p99 %.0f us\n", p50, p99);
	}
	for (size_t i = 0; i < nq; i++)
		free(qs[i].text);
	free(qs);
	free(ids);
	free(us);
	bidx_tokenizer_free(t);
	bidx_index_close(ix);
	return 0;
}
