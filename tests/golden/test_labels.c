/*
 * test_labels.c - the labelled set (tests/golden/labels/notices.tsv): the
 * kind and the incident facts of every seed notice and its HTML/PDF
 * versions, of 100 municipal rows and of 100 livedoor articles, written
 * down from a reading of each.  Every kind must match; every seed fact
 * must be found; precision and recall per fact are printed (bench/README.md
 * keeps the figures).  Without the shared corpora the bundled seeds and
 * municipal rows are checked (livedoor is left out).  labels/orgs.tsv
 * gives the org each seed version is signed by.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define MAXROWS 512
#define NFACTS 4   /* affected, leaked, method, authority */

typedef struct row {
	char path[512];
	char kind[16];
	char facts[NFACTS][1024];
} row;

static const char *const fact_names[NFACTS] = {"affected", "leaked", "method", "authority"};

/* Splits a tab-separated line in place into at most max cells. */
static int cells(char *line, char **v, int max)
{
	int n = 0;
	v[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = 0;
			v[n++] = p + 1;
		}
	return n;
}

static int load_labels(row *r)
{
	char path[4096], line[8192];
	snprintf(path, sizeof path, "%s/tests/golden/labels/notices.tsv", BIDX_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	cr_assert(f, "%s", path);
	int n = 0;
	while (fgets(line, sizeof line, f) && n < MAXROWS) {
		line[strcspn(line, "\n")] = 0;
		char *v[8];
		if (line[0] == '#' || !line[0])
			continue;
		cr_assert_eq(cells(line, v, 8), 6, "a label line has 6 cells: %s", line);
		snprintf(r[n].path, sizeof r[n].path, "%s", v[0]);
		snprintf(r[n].kind, sizeof r[n].kind, "%s", v[1]);
		for (int k = 0; k < NFACTS; k++)
			snprintf(r[n].facts[k], sizeof r[n].facts[k], "%s", v[2 + k]);
		n++;
	}
	fclose(f);
	return n;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* The org every line of labels/orgs.tsv names must be the row's org. */
static int check_orgs(const char *path, const char *org)
{
	char file[4096], line[2048];
	snprintf(file, sizeof file, "%s/tests/golden/labels/orgs.tsv", BIDX_SOURCE_DIR);
	FILE *f = fopen(file, "r");
	cr_assert(f, "%s", file);
	int checked = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *v[4];
		if (line[0] == '#' || !line[0] || cells(line, v, 4) != 2 || !ends_with(path, v[0]))
			continue;
		cr_expect_str_eq(org, v[1], "%s: org", path);
		checked = 1;
	}
	fclose(f);
	return checked;
}

/* Items of a ;-list, counted against another: tp, fp (in got only), fn. */
static void compare(const char *want, const char *got, int *tp, int *fp, int *fn)
{
	char w[1024], g[1024];
	snprintf(w, sizeof w, ";%s;", want);
	snprintf(g, sizeof g, ";%s;", got);
	char item[256];
	for (const char *p = got; *p;) {
		size_t l = strcspn(p, ";");
		snprintf(item, sizeof item, ";%.*s;", (int)l, p);
		if (strstr(w, item))
			(*tp)++;
		else
			(*fp)++;
		p += l + (p[l] == ';');
	}
	for (const char *p = want; *p;) {
		size_t l = strcspn(p, ";");
		snprintf(item, sizeof item, ";%.*s;", (int)l, p);
		if (!strstr(g, item))
			(*fn)++;
		p += l + (p[l] == ';');
	}
}

/* Copies the labelled livedoor articles into dir/livedoor/text/CAT/. */
static int copy_livedoor(const row *r, int n, const char *ld, const char *dir)
{
	int copied = 0;
	for (int i = 0; i < n; i++) {
		if (strncmp(r[i].path, "livedoor/text/", 14))
			continue;
		char from[4096], to[4096], cmd[4200];
		snprintf(from, sizeof from, "%.3000s/%.500s", ld, r[i].path + 9);
		snprintf(to, sizeof to, "%.3000s/%.500s", dir, r[i].path);
		snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%.4000s')\"", to);
		cr_assert_eq(system(cmd), 0);
		tu_copy_file(from, to);
		copied++;
	}
	return copied;
}

Test(labels, kinds_and_facts, .timeout = 600)
{
	static row lab[MAXROWS];
	int nl = load_labels(lab);
	cr_assert_geq(nl, 100);
	const char *seeds = tu_corpus("seeds"), *mun = tu_corpus("municipal");
	cr_assert(seeds && mun);
	const char *ld = tu_no_shared() ? NULL : tu_corpus("livedoor");
	char *tmp = tu_tmpdir("labels"), *ix = tu_tmpdir("labels-ix");
	char cmd[16384];
	int st, nld = 0;
	if (ld)   /* only the shared corpora have livedoor */
		nld = copy_livedoor(lab, nl, ld, tmp);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i %s %s %s/corpus/seeds-html %s %s 2>&1",
	         BIDX_BINARY_DIR, ix, seeds, BIDX_SOURCE_DIR, mun, nld ? tmp : "");
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s --format tsv -n 1000000 "
	         "'kind:incident OR kind:notice OR kind:news OR kind:other'", BIDX_BINARY_DIR, ix);
	char *out = tu_run(cmd, &st);
	cr_assert_eq(st, 0);
	int tp[NFACTS] = {0}, fp[NFACTS] = {0}, fn[NFACTS] = {0}, checked = 0, kinds_ok = 0;
	int with_facts = 0, orgs = 0;
	char names[4096] = "";
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char *v[10];
		if (cells(line, v, 10) != 9 || !strcmp(v[0], "path"))
			continue;
		/* path title date org kind affected leaked method authority */
		orgs += check_orgs(v[0], v[3]);
		const char *mpath = strstr(v[0], "/csv/");
		if (mpath && !strstr(v[0], "/municipal/"))
			mpath = NULL;
		if (mpath && (v[5][0] || v[6][0] || v[7][0] || v[8][0])) {
			with_facts++;
			if (strlen(names) + strlen(mpath) + 4 < sizeof names)
				strcat(strcat(names, " "), mpath + 5);
		}
		for (int i = 0; i < nl; i++) {
			if (!ends_with(v[0], lab[i].path))
				continue;
			checked++;
			cr_expect_str_eq(v[4], lab[i].kind, "%s: kind", v[0]);
			kinds_ok += !strcmp(v[4], lab[i].kind);
			for (int k = 0; k < NFACTS; k++) {
				if (!strcmp(lab[i].facts[k], "*"))
					continue;
				int a = 0, b = 0, c = 0;
				compare(lab[i].facts[k], v[5 + k], &a, &b, &c);
				tp[k] += a, fp[k] += b, fn[k] += c;
				if (!strncmp(lab[i].path, "seeds", 5))
					cr_expect_str_eq(v[5 + k], lab[i].facts[k], "%s: %s", v[0], fact_names[k]);
			}
			break;
		}
	}
	fprintf(stderr, "labels: %d documents checked (%d livedoor), kind right for %d\n", checked,
	        nld, kinds_ok);
	for (int k = 0; k < NFACTS; k++)
		fprintf(stderr, "labels: %-9s precision %.3f recall %.3f (tp %d, fp %d, fn %d)\n",
		        fact_names[k], tp[k] + fp[k] ? (double)tp[k] / (tp[k] + fp[k]) : 1.0,
		        tp[k] + fn[k] ? (double)tp[k] / (tp[k] + fn[k]) : 1.0, tp[k], fp[k], fn[k]);
	fprintf(stderr, "labels: municipal rows with any incident fact: %d%s\n", with_facts, names);
	cr_assert_geq(checked, 100 + nld + 11, "labelled documents not found in the index");
	cr_assert_eq(orgs, 11, "the seeds of labels/orgs.tsv not found in the index");
	for (int k = 0; k < NFACTS; k++) {
		cr_assert_eq(fn[k], 0, "%s: a labelled fact was missed", fact_names[k]);
		/* security advice and columns on a law are not incident reports */
		cr_assert_geq(tp[k] + fp[k] ? (double)tp[k] / (tp[k] + fp[k]) : 1.0, 0.9,
		              "%s: precision below 0.9", fact_names[k]);
	}
	cr_assert_leq(with_facts, 5, "municipal rows with incident facts:%s", names);
	free(out);
	tu_rmtree(tmp);
	tu_rmtree(ix);
	free(tmp);
	free(ix);
}
