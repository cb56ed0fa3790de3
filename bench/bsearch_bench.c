/*
 * bsearch-bench - query latency of bsearch, in process.
 *
 *   bsearch-bench --index DIR [--reps N] [--warmup N] [--json] [--hits FILE] [--any] QUERYFILE
 *
 * Opens the index once, then times for each query exactly what bsearch does
 * after opening: bidx_query_parse, bidx_query_eval_top (the page's best 10
 * scored exactly, collect.h), bidx_output (the result
 * page collected, collect.h: top 10 with titles and snippets, then rendered:
 * human format, written to /dev/null, or JSON with --extra json), freeing
 * everything each time.  --extra count prints
 * only the count (bsearch -c): parse and evaluate without ranking, titles or
 * snippets, to split the time.  --any times `bsearch --any` instead: each
 * line is a question, analysed (MeCab loaded once, before the run), ranked
 * by bidx_question_eval and shown like bsearch.  See benchlib.h for the run
 * and the report.
 */
#include "benchlib.h"
#include "output.h"
#include "index.h"
#include "query_eval.h"
#include "query_parse.h"
#include "question.h"
#include "segment.h"

#include <stdio.h>
#include <string.h>

typedef struct ctx {
	bidx_index *ix;
	bidx_outopts out;
	bidx_tokenizer *tok;  /* --any */
} ctx;

/* What bsearch --any does after opening the index. */
static int run_any(ctx *c, const char *q, uint64_t *hits, char *why, size_t whylen)
{
	bidx_question qs;
	bidx_result r;
	bidx_anymatch m;
	char msg[256];
	if (bidx_question_analyse(c->tok, q, &qs, msg, sizeof msg) ||
	    bidx_question_eval(c->ix, &qs, &r, &m, msg, sizeof msg)) {
		snprintf(why, whylen, "%s", msg);
		bidx_question_free(&qs);
		return -1;
	}
	c->out.json_extra = bidx_anymatch_json;
	c->out.json_ctx = &m;
	bidx_err rc = bidx_output(c->ix, &r, &c->out);
	*hits = r.n;
	bidx_result_free(&r);
	bidx_anymatch_free(&m);
	bidx_question_free(&qs);
	if (rc) {
		snprintf(why, whylen, "output: %s", bidx_strerror(rc));
		return -1;
	}
	return 0;
}

static int run(void *arg, const char *q, uint64_t *hits, double *self_us, char *why,
               size_t whylen)
{
	ctx *c = arg;
	(void)self_us;
	if (c->tok)
		return run_any(c, q, hits, why, whylen);
	bidx_qnode *n;
	size_t errpos = 0;
	char msg[256];
	if (bidx_query_parse(q, &n, msg, sizeof msg, &errpos)) {
		snprintf(why, whylen, "bad query at byte %zu: %s", errpos, msg);
		return -1;
	}
	bidx_result r;
	bidx_collect_opts co;
	bidx_output_collect(&c->out, &co);   /* the page shown: its best k scored exactly */
	bidx_err rc = c->out.mode == BIDX_OUT_COUNT ? bidx_query_match(c->ix, n, &r, msg, sizeof msg)
	            : bidx_query_eval_top(c->ix, n, bidx_collect_topk(&co), &r, msg, sizeof msg);
	if (rc) {
		if (rc == BIDX_ECORRUPT)   /* msg says where; other errors say it all */
			snprintf(why, whylen, "%s (%s)", bidx_strerror(rc), msg);
		else
			snprintf(why, whylen, "%s", msg[0] ? msg : bidx_strerror(rc));
		bidx_query_free(n);
		return -1;
	}
	rc = bidx_output(c->ix, &r, &c->out);
	*hits = r.n;
	bidx_result_free(&r);
	bidx_query_free(n);
	if (rc) {
		snprintf(why, whylen, "output: %s", bidx_strerror(rc));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	bench_opts o;
	int any = 0, n = 0;
	for (int i = 0; i < argc; i++)   /* --any is this program's own */
		if (strcmp(argv[i], "--any"))
			argv[n++] = argv[i];
		else
			any = 1;
	argc = n;
	if (bench_parse_args(argc, argv, "bsearch-bench", &o))
		return 2;
	const char *fmt = o.extra ? o.extra : "human";
	ctx c = {0};
	if (!strcmp(fmt, "human"))
		c.out.mode = BIDX_OUT_HUMAN;
	else if (!strcmp(fmt, "json"))
		c.out.mode = BIDX_OUT_JSON;
	else if (!strcmp(fmt, "count"))
		c.out.mode = BIDX_OUT_COUNT;
	else {
		fprintf(stderr, "bsearch-bench: --extra is the output format: human, json or count\n");
		return 2;
	}
	c.out.limit = 10;
	c.out.f = fopen("/dev/null", "w");
	if (!c.out.f) {
		perror("/dev/null");
		return 2;
	}
	char why[512];
	bidx_err rc = bidx_index_open(o.index, &c.ix, why, sizeof why);
	if (rc) {
		fprintf(stderr, "bsearch-bench: %s: %s\n", o.index, why);
		fclose(c.out.f);
		return 2;
	}
	if (any && (rc = bidx_tokenizer_new(&c.tok, why, sizeof why))) {
		fprintf(stderr, "bsearch-bench: --any: %s\n", why);
		bidx_index_close(c.ix);
		fclose(c.out.f);
		return 2;
	}
	bench_system sys = {any ? "bidx-any" : c.out.mode == BIDX_OUT_COUNT ? "bidx-count" : "bidx", &c,
	                    run, 1};
	int failed = bench_run(&sys, &o);
	bidx_tokenizer_free(c.tok);
	bidx_index_close(c.ix);
	fclose(c.out.f);
	return failed ? 1 : 0;
}
