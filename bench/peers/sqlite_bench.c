/*
 * bench-sqlite - the SQLite FTS5 peer: a trigram index of the same corpus,
 * queried in process with the same query file.
 *
 *   bench-sqlite --build DB CORPUS...        create DB (prints a JSON line;
 *                                            "seconds" leaves out reading the
 *                                            corpus, which runs MeCab)
 *   bench-sqlite --index DB [--reps N] [--json] [--hits FILE] QUERYFILE
 *
 * SQLite has no NFKC normaliser, so the table holds each document's text
 * normalised by bidx_normalize (the text bsearch matches against), and query
 * words are normalised the same way: hit counts are then comparable with the
 * ground truth.  Table: fts5(path UNINDEXED, title UNINDEXED, body,
 * tokenize='trigram').
 *
 * A query whose words all have 3 or more characters is one FTS5 MATCH
 * expression ("w" AND "w", OR, NOT), ranked by bm25 with snippet(): a count
 * and the top 10.  A trigram index cannot find a word of 1 or 2 characters,
 * so a query with such a word becomes a plain SQL condition (instr() on the
 * text for the short words, rowid IN (MATCH) for the others): a scan of
 * every row, unranked, the top 10 in rowid order with the start of the text.
 */
#include "benchcorpus.h"
#include "benchlib.h"
#include "normalize.h"
#include "query_parse.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable string; a failed append makes it NULL-text (checked once). */
typedef struct str {
	char *p;
	size_t len, cap;
	int oom;
} str;

static void put(str *s, const char *t, size_t n)
{
	if (s->oom)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t nc = (s->len + n + 1) * 2;
		char *np = realloc(s->p, nc);
		if (!np) {
			s->oom = 1;
			return;
		}
		s->p = np;
		s->cap = nc;
	}
	memcpy(s->p + s->len, t, n);
	s->len += n;
	s->p[s->len] = 0;
}

static void puts_(str *s, const char *t)
{
	put(s, t, strlen(t));
}

/* Appends t with every occurrence of quote doubled. */
static void put_quoted(str *s, const char *t, char quote)
{
	char q[2] = {quote, 0};
	puts_(s, q);
	for (; *t; t++) {
		put(s, t, 1);
		if (*t == quote)
			put(s, t, 1);
	}
	puts_(s, q);
}

static uint32_t nchars(const char *s)
{
	uint32_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Normalises every TERM in place (bsearch matches the normalised form);
 * returns the shortest term's length in characters, 0 when one is empty. */
static uint32_t normalise_terms(bidx_qnode *n)
{
	if (n->type == BIDX_Q_TERM) {
		bidx_norm nm;
		if (bidx_normalize(n->text, strlen(n->text), 0, &nm))
			return 0;
		free(n->text);
		n->text = nm.text;
		nm.text = NULL;
		uint32_t k = nm.nchars;
		bidx_norm_free(&nm);
		return k;
	}
	uint32_t m = UINT32_MAX;
	for (size_t i = 0; i < n->nkids; i++) {
		uint32_t k = normalise_terms(n->kids[i]);
		m = k < m ? k : m;
	}
	return m;
}

/* FTS5 query syntax: AND of the positive children, then NOT each negative. */
static void fts_expr(str *s, const bidx_qnode *n)
{
	if (n->type == BIDX_Q_TERM) {
		put_quoted(s, n->text, '"');
		return;
	}
	if (n->type == BIDX_Q_NOT) {   /* only at the top of a lone NOT; parser refuses */
		fts_expr(s, n->kids[0]);
		return;
	}
	puts_(s, "(");
	int first = 1;
	for (size_t i = 0; i < n->nkids; i++) {
		if (n->kids[i]->type == BIDX_Q_NOT)
			continue;
		if (!first)
			puts_(s, n->type == BIDX_Q_AND ? " AND " : " OR ");
		fts_expr(s, n->kids[i]);
		first = 0;
	}
	puts_(s, ")");
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->type == BIDX_Q_NOT) {
			puts_(s, " NOT ");
			fts_expr(s, n->kids[i]->kids[0]);
		}
}

/* A row condition in SQL, for queries with words under 3 characters. */
static void sql_expr(str *s, const bidx_qnode *n)
{
	if (n->type == BIDX_Q_TERM) {
		if (nchars(n->text) < 3) {
			puts_(s, "instr(body, ");
			put_quoted(s, n->text, '\'');
			puts_(s, ") > 0");
		} else {
			str f = {0};
			put_quoted(&f, n->text, '"');
			puts_(s, "rowid IN (SELECT rowid FROM t WHERE t MATCH ");
			put_quoted(s, f.oom ? "" : f.p, '\'');
			puts_(s, ")");
			s->oom |= f.oom;
			free(f.p);
		}
		return;
	}
	if (n->type == BIDX_Q_NOT) {
		puts_(s, "NOT (");
		sql_expr(s, n->kids[0]);
		puts_(s, ")");
		return;
	}
	puts_(s, "(");
	for (size_t i = 0; i < n->nkids; i++) {
		if (i)
			puts_(s, n->type == BIDX_Q_AND ? " AND " : " OR ");
		sql_expr(s, n->kids[i]);
	}
	puts_(s, ")");
}

typedef struct ctx {
	sqlite3 *db;
	FILE *null;
} ctx;

/* Runs sql (with one optional text parameter); counts rows, or returns the
 * first column of the first row as *count when count_only. */
static int exec(ctx *c, const char *sql, const char *param, int count_only, uint64_t *count,
                char *why, size_t whylen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, whylen, "%s: %s", sql, sqlite3_errmsg(c->db));
		return -1;
	}
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count_only) {
			*count = (uint64_t)sqlite3_column_int64(st, 0);
			continue;
		}
		/* print the hit as a result line, like bsearch does */
		fprintf(c->null, "%lld %s %s\n", sqlite3_column_int64(st, 0),
		        (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
	}
	if (rc != SQLITE_DONE) {
		snprintf(why, whylen, "%s", sqlite3_errmsg(c->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int run(void *arg, const char *q, uint64_t *hits, double *self_us, char *why,
               size_t whylen)
{
	ctx *c = arg;
	(void)self_us;
	bidx_qnode *n;
	size_t errpos;
	if (bidx_query_parse(q, &n, why, whylen, &errpos))
		return -1;
	int rc = -1;
	uint32_t shortest = normalise_terms(n);
	str e = {0}, count = {0}, top = {0};
	if (shortest == 0) {
		snprintf(why, whylen, "a word with nothing searchable in it");
	} else if (shortest >= 3) {
		fts_expr(&e, n);
		if (!e.oom && !exec(c, "SELECT count(*) FROM t WHERE t MATCH ?", e.p, 1, hits, why, whylen))
			rc = exec(c, "SELECT rowid, title, snippet(t, 2, '[', ']', '…', 24) FROM t "
			          "WHERE t MATCH ? ORDER BY rank LIMIT 10", e.p, 0, NULL, why, whylen);
	} else {
		sql_expr(&e, n);
		puts_(&count, "SELECT count(*) FROM t WHERE ");
		puts_(&top, "SELECT rowid, title, substr(body, 1, 120) FROM t WHERE ");
		puts_(&count, e.oom ? "" : e.p);
		puts_(&top, e.oom ? "" : e.p);
		puts_(&top, " LIMIT 10");
		if (!e.oom && !count.oom && !top.oom &&
		    !exec(c, count.p, NULL, 1, hits, why, whylen))
			rc = exec(c, top.p, NULL, 0, NULL, why, whylen);
	}
	if (e.oom || count.oom || top.oom)
		snprintf(why, whylen, "out of memory");
	free(e.p);
	free(count.p);
	free(top.p);
	bidx_query_free(n);
	return rc;
}

static int build(const char *path, char **corpus, int ncorpus)
{
	double t0 = bench_now_us();
	bench_corpus c;
	if (bench_corpus_load(corpus, ncorpus, &c))
		return 2;
	double load = (bench_now_us() - t0) / 1e6;
	t0 = bench_now_us();
	remove(path);
	sqlite3 *db;
	sqlite3_stmt *ins = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
	                 "CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, title UNINDEXED, body,"
	                 " tokenize='trigram');", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(path, title, body) VALUES (?, ?, ?)", -1, &ins,
	                       NULL) != SQLITE_OK)
		goto fail;
	size_t ndocs = 0;
	for (size_t i = 0; i < c.n; i++) {
		bench_doc *d = &c.docs[i];
		bidx_norm body, title;
		if (bidx_normalize(d->text, d->len, 0, &body))
			goto fail;
		if (bidx_normalize(d->text + d->title_start, d->title_end - d->title_start, 0, &title)) {
			bidx_norm_free(&body);
			goto fail;
		}
		if (body.len) {   /* bidx skips documents with no text left */
			sqlite3_bind_text(ins, 1, d->path, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, title.text, (int)title.len, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, body.text, (int)body.len, SQLITE_STATIC);
			int rc = sqlite3_step(ins);
			sqlite3_reset(ins);
			ndocs++;
			if (rc != SQLITE_DONE) {
				bidx_norm_free(&body);
				bidx_norm_free(&title);
				goto fail;
			}
		}
		bidx_norm_free(&body);
		bidx_norm_free(&title);
		bench_doc_drop(d);
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if (sqlite3_exec(db, "COMMIT; INSERT INTO t(t) VALUES('optimize');", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_close(db);
	printf("{\"documents\":%zu,\"bytes\":%zu,\"seconds\":%.3f,\"load_seconds\":%.3f}\n", ndocs,
	       c.bytes, (bench_now_us() - t0) / 1e6, load);
	bench_corpus_free(&c);
	return 0;
fail:
	fprintf(stderr, "bench-sqlite: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_finalize(ins);
	sqlite3_close(db);
	bench_corpus_free(&c);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "--build"))
		return build(argv[2], argv + 3, argc - 3);
	bench_opts o;
	if (bench_parse_args(argc, argv, "bench-sqlite", &o))
		return 2;
	ctx c = {0};
	if (sqlite3_open_v2(o.index, &c.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-sqlite: %s: %s\n", o.index, sqlite3_errmsg(c.db));
		sqlite3_close(c.db);
		return 2;
	}
	c.null = fopen("/dev/null", "w");
	if (!c.null) {
		sqlite3_close(c.db);
		return 2;
	}
	/* no fields: field queries are skipped (n/a) */
	bench_system sys = {"sqlite-fts5-trigram", &c, run, 0};
	int failed = bench_run(&sys, &o);
	fclose(c.null);
	sqlite3_close(c.db);
	return failed ? 1 : 0;
}
