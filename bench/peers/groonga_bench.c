/*
 * bench-groonga - the Groonga peer: query latency of a long-lived `groonga DB`
 * process fed on stdin, and the corpus as Groonga load commands.
 *
 *   bench-groonga --export CORPUS...   print `load` commands (JSON) for Docs
 *   bench-groonga --index DB [--extra NAME] [--reps N] [--json] [--hits FILE] QUERYFILE
 *
 * The schema and the index are created by bench/peers/groonga.sh.  Each query
 * is sent as one select in URI form:
 *   /d/select?table=Docs&match_columns=body&query=Q&sort_keys=-_score&limit=10
 *            &output_columns=_key,_score,title,snippet_html(body)
 * with Q the bsearch query in Groonga's query syntax (words quoted, OR, a
 * leading '-' for NOT, parentheses), so it does the work bsearch does: the
 * count, the top 10 ranked, titles and snippets.  The latency is the elapsed
 * time Groonga reports in the response header (the command's own time,
 * without the pipe and the parsing here); round trips are reported beside
 * it.  `cache_limit 0` is sent first so no query is answered from the cache.
 */
#include "benchcorpus.h"
#include "benchlib.h"
#include "query_parse.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct ctx {
	FILE *to, *from;
	pid_t pid;
	char *line;
	size_t cap;
} ctx;

static void json_str(FILE *f, const char *s, size_t n)
{
	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

#define LOAD_BATCH 500

static int export_corpus(char **corpus, int n)
{
	bench_corpus c;
	if (bench_corpus_load(corpus, n, &c))
		return 2;
	for (size_t i = 0; i < c.n; i++) {
		const bench_doc *d = &c.docs[i];
		printf(i % LOAD_BATCH ? ",\n" : "load --table Docs\n[\n");
		fputs("{\"_key\":", stdout);
		json_str(stdout, d->path, strlen(d->path));
		fputs(",\"title\":", stdout);
		json_str(stdout, d->text + d->title_start, d->title_end - d->title_start);
		fputs(",\"body\":", stdout);
		json_str(stdout, d->text, d->len);
		putc('}', stdout);
		if (i % LOAD_BATCH == LOAD_BATCH - 1 || i + 1 == c.n)
			fputs("\n]\n", stdout);
	}
	fprintf(stderr, "bench-groonga: %zu documents, %zu bytes\n", c.n, c.bytes);
	bench_corpus_free(&c);
	return fflush(stdout) ? 2 : 0;
}

/* Appends the Groonga query syntax of n to out. */
static void gq(FILE *out, const bidx_qnode *n)
{
	if (n->type == BIDX_Q_TERM) {
		putc('"', out);
		for (const char *p = n->text; *p; p++) {
			if (*p == '"' || *p == '\\')
				putc('\\', out);
			putc(*p, out);
		}
		putc('"', out);
	} else if (n->type == BIDX_Q_NOT) {
		putc('-', out);
		gq(out, n->kids[0]);
	} else {
		fputs("(", out);
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				fputs(n->type == BIDX_Q_OR ? " OR " : " ", out);
			gq(out, n->kids[i]);
		}
		fputs(")", out);
	}
}

static void urlencode(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c))
			putc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

/* Sends one command line and reads the one-line response into c->line. */
static int call(ctx *c, const char *cmd, char *why, size_t whylen)
{
	if (fputs(cmd, c->to) < 0 || putc('\n', c->to) < 0 || fflush(c->to)) {
		snprintf(why, whylen, "groonga is gone (write failed)");
		return -1;
	}
	if (getline(&c->line, &c->cap, c->from) < 0) {
		snprintf(why, whylen, "groonga is gone (no response)");
		return -1;
	}
	return 0;
}

/* Response: [[rc,start,elapsed(,msg...)],[[[nhits],...]]] */
static int parse_response(const char *l, uint64_t *hits, double *elapsed_us, char *why,
                          size_t whylen)
{
	int rc;
	double start, el;
	int used = 0;
	if (sscanf(l, "[[%d,%lf,%lf%n", &rc, &start, &el, &used) < 3 || !used) {
		snprintf(why, whylen, "unreadable response: %.200s", l);
		return -1;
	}
	if (rc) {
		snprintf(why, whylen, "groonga error %d: %.300s", rc, l + used);
		return -1;
	}
	const char *p = strstr(l + used, "],[[[");
	unsigned long long h;
	if (!p || sscanf(p + 5, "%llu", &h) != 1) {
		snprintf(why, whylen, "no hit count in: %.200s", l);
		return -1;
	}
	*hits = h;
	*elapsed_us = el * 1e6;
	return 0;
}

static int run(void *arg, const char *q, uint64_t *hits, double *self_us, char *why,
               size_t whylen)
{
	ctx *c = arg;
	bidx_qnode *n;
	size_t errpos;
	if (bidx_query_parse(q, &n, why, whylen, &errpos))
		return -1;
	char *gqs = NULL, *cmd = NULL;
	size_t gl = 0, cl = 0;
	FILE *g = open_memstream(&gqs, &gl);
	if (!g) {
		bidx_query_free(n);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	gq(g, n);
	fclose(g);
	bidx_query_free(n);
	FILE *f = open_memstream(&cmd, &cl);
	if (!f) {
		free(gqs);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	fputs("/d/select?table=Docs&match_columns=body&query=", f);
	urlencode(f, gqs);
	fputs("&sort_keys=-_score&limit=10&output_columns=_key,_score,title,snippet_html(body)", f);
	fclose(f);
	free(gqs);
	int rc = call(c, cmd, why, whylen);
	free(cmd);
	if (rc)
		return -1;
	return parse_response(c->line, hits, self_us, why, whylen);
}

static int start(ctx *c, const char *db)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out)) {
		perror("bench-groonga: pipe");
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		perror("bench-groonga: fork");
		return -1;
	}
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		execlp("groonga", "groonga", db, (char *)NULL);
		perror("bench-groonga: groonga");
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to = fdopen(in[1], "w");
	c->from = fdopen(out[0], "r");
	return c->to && c->from ? 0 : -1;
}

static void stop(ctx *c)
{
	if (c->to) {
		fputs("quit\n", c->to);
		fclose(c->to);
	}
	if (c->from)
		fclose(c->from);
	if (c->pid > 0)
		waitpid(c->pid, NULL, 0);
	free(c->line);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--export"))
		return export_corpus(argv + 2, argc - 2);
	bench_opts o;
	if (bench_parse_args(argc, argv, "bench-groonga", &o))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	ctx c = {0};
	char why[512];
	if (start(&c, o.index) || call(&c, "cache_limit 0", why, sizeof why)) {
		fprintf(stderr, "bench-groonga: %s: cannot start groonga\n", o.index);
		stop(&c);
		return 2;
	}
	/* no fields loaded: field queries are skipped (n/a) */
	bench_system sys = {o.extra ? o.extra : "groonga", &c, run, 0};
	int failed = bench_run(&sys, &o);
	stop(&c);
	return failed ? 1 : 0;
}
