/*
 * benchlib.h - what every latency benchmark of bench/ shares: the query file,
 * the timing loop, the percentiles and the report, so that bsearch-bench and
 * the peer drivers measure and print exactly alike.
 *
 * A query file has one query per line in bsearch syntax; blank lines and
 * lines starting with '#' are left out.  A run is: `warmup` passes over every
 * query (untimed), then `reps` timed passes, query after query, so that each
 * query's samples are spread over the whole run.  Percentiles are
 * nearest-rank over all timed samples (per query, and over every query).
 *
 * A field query (one with a term such as date:2018 or org:厚木市: any word
 * NAME:VALUE, so plain words in a query file must not contain ':') is timed
 * only by systems that evaluate fields, and summarised apart: the overall
 * figures cover the plain queries, which every system answers, so they
 * compare across systems.  A system that cannot evaluate fields skips field
 * queries and writes "n/a" as their hit count.
 */
#ifndef BIDX_BENCHLIB_H
#define BIDX_BENCHLIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct bench_query {
	char *text;          /* the line as written; owned */
	uint64_t hits;       /* documents matched (last timed run) */
	double *us;          /* reps latencies in microseconds; owned */
	double *rt_us;       /* round trips when a system reports its own time; owned */
	int failed;          /* the system refused or failed the query */
	int field;           /* the query has a field term (NAME:VALUE) */
	int skipped;         /* a field query the system cannot evaluate */
} bench_query;

/* One system under test.  run() answers q completely (the same work as its
 * command-line search: top 10 with titles and snippets) and stores the
 * number of matching documents in *hits.  A system that measures itself
 * (a server reporting its elapsed time) stores that in *self_us, else leaves
 * it negative.  Returns 0, or -1 with a one-line message in why. */
typedef struct bench_system {
	const char *name;
	void *ctx;
	int (*run)(void *ctx, const char *q, uint64_t *hits, double *self_us, char *why,
	           size_t whylen);
	int fields;          /* 1 when the system evaluates field terms */
} bench_system;

typedef struct bench_opts {
	const char *index;   /* --index DIR (meaning is the system's) */
	const char *queries; /* QUERYFILE */
	const char *hits;    /* --hits FILE: "hits<TAB>query" per query */
	const char *extra;   /* the system's own option value (--extra), may be NULL */
	unsigned reps;       /* --reps N (default 20) */
	unsigned warmup;     /* --warmup N (default 1) */
	int json;            /* --json */
} bench_opts;

/* Parses the shared command line; prints usage and returns -1 on error. */
int bench_parse_args(int argc, char **argv, const char *prog, bench_opts *o);

/* Reads the queries of path and marks the field queries; returns the count
 * or -1 (message printed). */
long bench_load_queries(const char *path, bench_query **out);
void bench_free_queries(bench_query *q, size_t n);

/* Runs warm-up and timed passes; prints the report to stdout.  Returns 0,
 * or 1 when some query failed (reported on stderr). */
int bench_run(const bench_system *sys, const bench_opts *o);

/* Microseconds on CLOCK_MONOTONIC. */
double bench_now_us(void);

#endif
