/*
 * bench-faq - ranking quality of `bsearch --any` on a FAQ collection with
 * graded judgments (the localgovFAQ layout: faq.jsonl of {"id", "title",
 * "body"}, queries TSV "qid<TAB>text", qrels TSV "qid<TAB>faq id<TAB>grade").
 *
 *   bench-faq --index DIR --faq FAQ.jsonl --queries Q.tsv --qrels QRELS.tsv [--json]
 *             [--run FILE]
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
 * and the latency of a question (p50, p99).  --run writes the top 100 of
 * every query as "qid<TAB>rank<TAB>faq id" for a closer look.
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

int main(int argc, char **argv)
{
	const char *index = NULL, *faq = NULL, *qpath = NULL, *rpath = NULL, *runpath = NULL;
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
		else {
			fprintf(stderr, "usage: bench-faq --index DIR --faq FAQ.jsonl --queries Q.tsv "
			        "--qrels QRELS.tsv [--json] [--run FILE]\n");
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
	double ndcg = 0, mrr = 0, r10 = 0, r100 = 0;
	double *us = calloc(nq + 1, sizeof *us);
	size_t judged_q = 0;
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
		us[judged_q] = now_us() - t0;
		uint32_t k = r.n < DEPTH ? r.n : DEPTH;
		double dcg = 0, idcg = 0, rr = 0;
		int found10 = 0, found100 = 0;
		for (uint32_t h = 0; h < k; h++) {
			long id = faq_of(ix, r.hits[h].doc, ids, nlines);
			int g = grade_of(&qs[i], id);
			if (run)
				fprintf(run, "%ld\t%u\t%ld\t%d\n", qs[i].qid, h + 1, id, g);
			if (!g)
				continue;
			found100++;
			if (h < 10) {
				found10++;
				dcg += g / log2(h + 2.0);
				if (rr == 0)
					rr = 1.0 / (h + 1);
			}
		}
		int grades[MAXJ];
		for (int j = 0; j < qs[i].nj; j++)
			grades[j] = qs[i].j[j].grade;
		qsort(grades, (size_t)qs[i].nj, sizeof *grades, cmp_grade_desc);
		for (int j = 0; j < qs[i].nj && j < 10; j++)
			idcg += grades[j] / log2(j + 2.0);
		ndcg += idcg > 0 ? dcg / idcg : 0;
		mrr += rr;
		r10 += (double)found10 / qs[i].nj;
		r100 += (double)found100 / qs[i].nj;
		judged_q++;
		bidx_result_free(&r);
		bidx_question_free(&q);
	}
	if (run)
		fclose(run);
	qsort(us, judged_q, sizeof *us, cmp_double);
	double n = judged_q ? (double)judged_q : 1.0;
	double p50 = judged_q ? us[(judged_q - 1) / 2] : 0;
	double p99 = judged_q ? us[(size_t)ceil(0.99 * judged_q) - 1] : 0;
	if (json)
		printf("{\"queries\":%zu,\"ndcg10\":%.4f,\"mrr10\":%.4f,\"recall10\":%.4f,"
		       "\"recall100\":%.4f,\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
		       judged_q, ndcg / n, mrr / n, r10 / n, r100 / n, p50, p99);
	else
		printf("%zu queries: nDCG@10 %.4f  MRR@10 %.4f  Recall@10 %.4f  Recall@100 %.4f  "
		       "(question p50 %.0f us, p99 %.0f us)\n",
		       judged_q, ndcg / n, mrr / n, r10 / n, r100 / n, p50, p99);
	for (size_t i = 0; i < nq; i++)
		free(qs[i].text);
	free(qs);
	free(ids);
	free(us);
	bidx_tokenizer_free(t);
	bidx_index_close(ix);
	return 0;
}
