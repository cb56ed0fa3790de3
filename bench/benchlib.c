#include "benchlib.h"
#include "query_parse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s --index DIR [--reps N] [--warmup N] [--json] [--hits FILE] "
	        "[--extra VALUE] QUERYFILE\n", prog);
	return -1;
}

static int parse_count(const char *prog, const char *opt, const char *s, unsigned *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);
	if (!*s || *end || s[0] == '-' || x > 1000000) {
		fprintf(stderr, "%s: %s wants a number, not '%s'\n", prog, opt, s);
		return -1;
	}
	*v = (unsigned)x;
	return 0;
}

int bench_parse_args(int argc, char **argv, const char *prog, bench_opts *o)
{
	memset(o, 0, sizeof *o);
	o->reps = 20;
	o->warmup = 1;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = !strcmp(s, "--index") || !strcmp(s, "-i") || !strcmp(s, "--reps") ||
		            !strcmp(s, "--warmup") || !strcmp(s, "--hits") || !strcmp(s, "--extra");
		if (takes && !v) {
			fprintf(stderr, "%s: %s needs a value\n", prog, s);
			return usage(prog);
		}
		if (!strcmp(s, "--index") || !strcmp(s, "-i"))
			o->index = v, i++;
		else if (!strcmp(s, "--hits"))
			o->hits = v, i++;
		else if (!strcmp(s, "--extra"))
			o->extra = v, i++;
		else if (!strcmp(s, "--reps")) {
			if (parse_count(prog, s, v, &o->reps))
				return -1;
			i++;
		} else if (!strcmp(s, "--warmup")) {
			if (parse_count(prog, s, v, &o->warmup))
				return -1;
			i++;
		} else if (!strcmp(s, "--json"))
			o->json = 1;
		else if (s[0] == '-' && s[1])
			return fprintf(stderr, "%s: unknown option %s\n", prog, s), usage(prog);
		else if (o->queries)
			return fprintf(stderr, "%s: one query file only\n", prog), usage(prog);
		else
			o->queries = s;
	}
	if (!o->index || !o->queries)
		return usage(prog);
	if (o->reps == 0)
		o->reps = 1;
	return 0;
}

static int has_field(const bidx_qnode *n)
{
	if (n->type == BIDX_Q_TERM)
		return n->field != NULL;
	for (size_t i = 0; i < n->nkids; i++)
		if (has_field(n->kids[i]))
			return 1;
	return 0;
}

/* 1 when q has a field term; a query that does not parse is left to the
 * system, which reports it. */
static int is_field_query(const char *q)
{
	bidx_qnode *root;
	char why[256];
	size_t pos;
	if (bidx_query_parse(q, &root, why, sizeof why, &pos))
		return 0;
	int f = has_field(root);
	bidx_query_free(root);
	return f;
}

long bench_load_queries(const char *path, bench_query **out)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	bench_query *q = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		size_t lead = strspn(line, " \t");
		if (!line[lead] || line[lead] == '#')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			bench_query *nq = realloc(q, cap * sizeof *q);
			if (!nq)
				goto nomem;
			q = nq;
		}
		memset(&q[n], 0, sizeof *q);
		if (!(q[n].text = strdup(line + lead)))
			goto nomem;
		q[n].field = is_field_query(q[n].text);
		n++;
	}
	free(line);
	fclose(f);
	if (n == 0)
		fprintf(stderr, "%s: no queries\n", path);
	*out = q;
	return (long)n;
nomem:
	fprintf(stderr, "%s: line %zu: out of memory\n", path, lineno);
	free(line);
	fclose(f);
	bench_free_queries(q, n);
	return -1;
}

void bench_free_queries(bench_query *q, size_t n)
{
	for (size_t i = 0; q && i < n; i++) {
		free(q[i].text);
		free(q[i].us);
		free(q[i].rt_us);
	}
	free(q);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, size_t n, double p)
{
	if (!n)
		return 0;
	size_t k = (size_t)ceil(p / 100.0 * (double)n);
	return v[k ? k - 1 : 0];
}

typedef struct summary {
	double p50, p95, p99, max, mean;
} summary;

static summary summarize(double *v, size_t n)
{
	summary s = {0};
	qsort(v, n, sizeof *v, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s.p50 = pct(v, n, 50);
	s.p95 = pct(v, n, 95);
	s.p99 = pct(v, n, 99);
	s.max = n ? v[n - 1] : 0;
	s.mean = n ? sum / (double)n : 0;
	return s;
}

/* One pass over every query; timed passes store sample rep. */
static int pass(const bench_system *sys, bench_query *q, size_t nq, long rep)
{
	int failed = 0;
	for (size_t i = 0; i < nq; i++) {
		if (q[i].failed || q[i].skipped)
			continue;
		char why[512] = "";
		uint64_t hits = 0;
		double self = -1;
		double t0 = bench_now_us();
		int rc = sys->run(sys->ctx, q[i].text, &hits, &self, why, sizeof why);
		double t = bench_now_us() - t0;
		if (rc) {
			fprintf(stderr, "%s: query '%s' failed: %s\n", sys->name, q[i].text, why);
			q[i].failed = 1;
			failed = 1;
			continue;
		}
		q[i].hits = hits;
		if (rep >= 0) {
			q[i].us[rep] = self >= 0 ? self : t;
			if (self >= 0)
				q[i].rt_us[rep] = t;
		}
	}
	return failed;
}

static void print_json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

/* The samples of the queries that ran, plain or field ones, gathered. */
typedef struct samples {
	double *us, *rt;     /* owned */
	size_t n, nrt, nq;   /* samples, round-trip samples, queries */
	uint64_t hits;
} samples;

static int gather(samples *g, const bench_query *q, size_t nq, unsigned reps, int field)
{
	memset(g, 0, sizeof *g);
	size_t cap = nq * reps;
	g->us = malloc((cap ? cap : 1) * sizeof *g->us);
	g->rt = malloc((cap ? cap : 1) * sizeof *g->rt);
	if (!g->us || !g->rt)
		return -1;
	for (size_t i = 0; i < nq; i++) {
		if (q[i].failed || q[i].skipped || q[i].field != field)
			continue;
		memcpy(g->us + g->n, q[i].us, reps * sizeof *g->us);
		g->n += reps;
		if (q[i].rt_us[0] >= 0) {
			memcpy(g->rt + g->nrt, q[i].rt_us, reps * sizeof *g->rt);
			g->nrt += reps;
		}
		g->hits += q[i].hits;
		g->nq++;
	}
	return 0;
}

static void samples_free(samples *g)
{
	free(g->us);
	free(g->rt);
}

static void print_row(const char *hits, const summary *s, const char *q)
{
	if (s)
		printf("%-10s %9.1f %9.1f %9.1f %9.1f  %s\n", hits, s->p50, s->p95, s->p99, s->max, q);
	else
		printf("%-10s %9s %9s %9s %9s  %s\n", hits, "-", "-", "-", "-", q);
}

static void report_json(const bench_system *sys, const bench_opts *o, size_t nfail, samples *p,
                        samples *f, double qps)
{
	summary s = summarize(p->us, p->n);
	printf("{\"system\":");
	print_json_str(stdout, sys->name);
	printf(",\"queries\":%zu,\"failed\":%zu,\"reps\":%u,\"samples\":%zu,"
	       "\"p50_us\":%.1f,\"p95_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,"
	       "\"mean_us\":%.1f,\"qps\":%.0f,\"hits\":%llu",
	       p->nq, nfail, o->reps, p->n, s.p50, s.p95, s.p99, s.max, s.mean, qps,
	       (unsigned long long)p->hits);
	if (p->nrt) {
		summary r = summarize(p->rt, p->nrt);
		printf(",\"rt_p50_us\":%.1f,\"rt_p99_us\":%.1f", r.p50, r.p99);
	}
	if (f->nq) {
		summary fs = summarize(f->us, f->n);
		printf(",\"field_queries\":%zu,\"field_p50_us\":%.1f,\"field_p99_us\":%.1f,"
		       "\"field_hits\":%llu", f->nq, fs.p50, fs.p99, (unsigned long long)f->hits);
	}
	printf("}\n");
}

static void report_human(const bench_system *sys, const bench_opts *o, size_t nfail, samples *p,
                         samples *f, double qps)
{
	summary s = summarize(p->us, p->n);
	printf("\n%s: %zu plain queries x %u reps (%zu failed): p50 %.1f us, p95 %.1f us, "
	       "p99 %.1f us, max %.1f us, mean %.1f us, %.0f queries/s, %llu hits in all\n",
	       sys->name, p->nq, o->reps, nfail, s.p50, s.p95, s.p99, s.max, s.mean,
	       qps, (unsigned long long)p->hits);
	if (p->nrt) {
		summary r = summarize(p->rt, p->nrt);
		printf("(times as the system reports them; round trips: p50 %.1f us, p99 %.1f us)\n",
		       r.p50, r.p99);
	}
	if (f->nq) {
		summary fs = summarize(f->us, f->n);
		printf("%s: %zu field queries: p50 %.1f us, p99 %.1f us, %llu hits in all\n", sys->name,
		       f->nq, fs.p50, fs.p99, (unsigned long long)f->hits);
	}
}

/* Plain queries make the overall figures; field queries are summarised
 * apart (benchlib.h). */
static void report(const bench_system *sys, const bench_opts *o, bench_query *q, size_t nq,
                   double wall_us)
{
	samples p, f;
	if (gather(&p, q, nq, o->reps, 0) || gather(&f, q, nq, o->reps, 1)) {
		fprintf(stderr, "%s: out of memory\n", sys->name);
		goto done;
	}
	double qps = wall_us > 0 ? (double)(p.n + f.n) / (wall_us / 1e6) : 0;
	size_t nfail = 0;
	for (size_t i = 0; i < nq; i++)
		nfail += q[i].failed;
	if (o->json) {
		report_json(sys, o, nfail, &p, &f, qps);
		goto done;
	}
	printf("%-10s %9s %9s %9s %9s  %s\n", "hits", "p50_us", "p95_us", "p99_us", "max_us",
	       "query");
	for (size_t i = 0; i < nq; i++) {
		char h[24];
		if (q[i].failed || q[i].skipped) {
			print_row(q[i].failed ? "FAILED" : "n/a", NULL, q[i].text);
			continue;
		}
		summary s = summarize(q[i].us, o->reps);
		snprintf(h, sizeof h, "%llu", (unsigned long long)q[i].hits);
		print_row(h, &s, q[i].text);
	}
	report_human(sys, o, nfail, &p, &f, qps);
done:
	samples_free(&p);
	samples_free(&f);
}

static int write_hits(const char *path, const bench_query *q, size_t nq)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	for (size_t i = 0; i < nq; i++) {
		if (q[i].skipped)
			fprintf(f, "n/a\t%s\n", q[i].text);
		else if (q[i].failed)
			fprintf(f, "-\t%s\n", q[i].text);
		else
			fprintf(f, "%llu\t%s\n", (unsigned long long)q[i].hits, q[i].text);
	}
	return fclose(f) ? -1 : 0;
}

int bench_run(const bench_system *sys, const bench_opts *o)
{
	bench_query *q;
	long nq = bench_load_queries(o->queries, &q);
	if (nq <= 0)
		return 1;
	for (long i = 0; i < nq; i++) {
		q[i].us = calloc(o->reps, sizeof *q[i].us);
		q[i].rt_us = malloc(o->reps * sizeof *q[i].rt_us);
		if (!q[i].us || !q[i].rt_us) {
			fprintf(stderr, "%s: out of memory\n", sys->name);
			bench_free_queries(q, (size_t)nq);
			return 1;
		}
		for (unsigned r = 0; r < o->reps; r++)
			q[i].rt_us[r] = -1;
		q[i].skipped = q[i].field && !sys->fields;
	}
	int failed = 0;
	for (unsigned w = 0; w < o->warmup; w++)
		failed |= pass(sys, q, (size_t)nq, -1);
	double t0 = bench_now_us();
	for (unsigned r = 0; r < o->reps; r++)
		failed |= pass(sys, q, (size_t)nq, r);
	double wall = bench_now_us() - t0;
	report(sys, o, q, (size_t)nq, wall);
	if (o->hits && write_hits(o->hits, q, (size_t)nq))
		failed = 1;
	bench_free_queries(q, (size_t)nq);
	return failed;
}
