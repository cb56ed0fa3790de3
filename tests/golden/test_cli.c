/*
 * The command lines of bidx and bsearch as people and scripts type them,
 * through the real binaries on the seed notices and the municipal CSV rows:
 * options in every spelling getopt_long takes, the count line of -n 0,
 * what `bidx optimize` says, field names (typos warned about, any case,
 * column aliases, a field over a group), --facet and --map refusals (a
 * --map column no CSV has, before anything is published), the
 * JSON shapes of docs/JSON.md, and the warning of a bsearch without its
 * synonym table.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char *ixdir;

static void setup(void)
{
	const char *s = tu_corpus("seeds"), *m = tu_corpus("municipal");
	cr_assert(s && m);
	ixdir = tu_tmpdir("cli");
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i %s/ix %s %s/csv 2>&1", BIDX_BINARY_DIR,
	         ixdir, s, m);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build failed: %s", o);
	free(o);
}

static void teardown(void)
{
	tu_rmtree(ixdir);
	free(ixdir);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 240);

/* bsearch -i IX ARGS (stderr too with err), its status in *st. */
static char *bs(const char *args, int err, int *st)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s/ix --color never %s %s", BIDX_BINARY_DIR,
	         ixdir, args, err ? "2>&1" : "2>/dev/null");
	return tu_run(cmd, st);
}

/* The count of -c ARGS. */
static int count(const char *args)
{
	char a[4096];
	int st;
	snprintf(a, sizeof a, "-c %s", args);
	char *o = bs(a, 0, &st);
	int n = atoi(o);
	free(o);
	return n;
}

/* Hits shown in human output: lines "  N. score  title". */
static int hits_shown(const char *out)
{
	int n = 0;
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		int rank;
		float score;
		if (sscanf(l, "%d. %f", &rank, &score) == 2)
			n++;
	}
	return n;
}

Test(cli, limit_in_every_spelling)
{
	static const char *const forms[] = {"-n3", "-n 3", "--limit=3", "--limit 3"};
	int st;
	cr_assert_gt(count("個人情報"), 3);
	char *first = NULL;
	for (int i = 0; i < 4; i++) {
		char a[256];
		snprintf(a, sizeof a, "%s 個人情報", forms[i]);
		char *o = bs(a, 0, &st);
		cr_assert_eq(st, 0, "%s", forms[i]);
		cr_assert_eq(hits_shown(o), 3, "%s showed %d hits:\n%s", forms[i], hits_shown(o), o);
		if (!first)
			first = o;
		else {
			cr_assert_str_eq(o, first, "%s differs from -n3", forms[i]);
			free(o);
		}
	}
	free(first);
	/* after the query too */
	char *o = bs("個人情報 -n3", 0, &st);
	cr_assert_eq(hits_shown(o), 3, "%s", o);
	free(o);
}

Test(cli, unknown_short_option_is_an_error)
{
	int st;
	char *o = bs("-x3 個人情報", 1, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "unknown option -x"), "%s", o);
	cr_assert(strstr(o, "put the query after --"), "%s", o);
	free(o);
	o = bs("--bogus 個人情報", 1, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "unknown option --bogus"), "%s", o);
	free(o);
	o = bs("個人情報 -n", 1, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "-n needs a value"), "%s", o);
	free(o);
}

Test(cli, long_options_take_equals)
{
	int st;
	char *a = bs("--offset 1 -n 1 --sort date --facet org 個人情報", 0, &st);
	char *b = bs("--offset=1 -n1 --sort=date --facet=org 個人情報", 0, &st);
	cr_assert_eq(st, 0);
	cr_assert_eq(hits_shown(a), 1, "%s", a);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%s/bsearch --index=%s/ix -c 個人情報", BIDX_BINARY_DIR, ixdir);
	a = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", a);
	cr_assert_eq(atoi(a), count("個人情報"));
	free(a);
}

Test(cli, not_words_and_double_dash)
{
	int st;
	int all = count("不正アクセス"), without = count("不正アクセス -セキュリティコード");
	cr_assert_gt(all, without, "a NOT word of Japanese is query");
	cr_assert_gt(without, 0);
	/* an ASCII -word needs -- before the query */
	cr_assert_eq(count("-- 不正アクセス -date:2016"), count("'不正アクセス -date:2016'"));
	cr_assert_lt(count("-- 不正アクセス -date:2016"), all);
	char *o = bs("不正アクセス -date:2016", 1, &st);
	cr_assert_eq(st, 2, "%s", o);
	free(o);
	/* -l and -c exclude each other, bundled or not; -l0 bundles */
	o = bs("-lc 個人情報", 1, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "exclude each other"), "%s", o);
	free(o);
	o = bs("-l0 個人情報", 0, &st);
	cr_assert_eq(st, 0);
	cr_assert(!strchr(o, '\n'), "-l0 ends paths with NUL");
	free(o);
}

Test(cli, limit_zero_says_the_count)
{
	int st;
	int n = count("個人情報");
	char *o = bs("-n 0 --facet org 個人情報", 0, &st);
	cr_assert_eq(st, 0);
	cr_assert(!strstr(o, "showing 1-0"), "%s", o);
	char want[64];
	snprintf(want, sizeof want, "(%d matching documents)\n", n);
	cr_assert(strstr(o, want), "%s", o);
	cr_assert(strstr(o, "org: "), "%s", o);
	free(o);
	o = bs("--offset 100000 個人情報", 0, &st);
	cr_assert(strstr(o, "is past the last"), "%s", o);
	free(o);
}

Test(cli, bidx_options)
{
	char cmd[8192];
	int st;
	const char *s = tu_corpus("seeds");
	snprintf(cmd, sizeof cmd, "%s/bidx build -j1 -i %s/b %s 2>&1 && %s/bidx build --threads=1 "
	         "--index=%s/b --full -q %s 2>&1", BIDX_BINARY_DIR, ixdir, s, BIDX_BINARY_DIR, ixdir,
	         s);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bidx build -x1 -i %s/b %s 2>&1", BIDX_BINARY_DIR, ixdir, s);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "unknown option -x"), "%s", o);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bidx check --index=%s/b 2>&1", BIDX_BINARY_DIR, ixdir);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bidx check --full -i %s/b 2>&1", BIDX_BINARY_DIR, ixdir);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "--full is not an option of check"), "%s", o);
	free(o);
	/* optimize reads no files: it says what it merged */
	snprintf(cmd, sizeof cmd, "%s/bidx optimize -i %s/b", BIDX_BINARY_DIR, ixdir);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	cr_assert(!strstr(o, "files:"), "%s", o);
	cr_assert(strstr(o, "optimize: "), "%s", o);
	free(o);
}

Test(cli, field_names)
{
	int st;
	int title = count("title:お詫び");
	cr_assert_gt(title, 0);
	cr_assert_eq(count("TITLE:お詫び"), title);
	cr_assert_eq(count("Title:お詫び"), title);
	cr_assert_eq(count("タイトル:お詫び"), title);
	int org = count("org:倉敷");
	cr_assert_gt(org, 0);
	cr_assert_eq(count("自治体名:倉敷"), org);
	int both = count("'org:九州商船 OR org:カゴヤ'");
	cr_assert_gt(both, count("org:九州商船"));
	cr_assert_eq(count("'org:(九州商船 OR カゴヤ)'"), both);
	/* a typo is searched as text, with a warning naming the fields */
	char *o = bs("-c titel:お詫び", 1, &st);
	cr_assert(strstr(o, "no field 'titel' (fields: title, date, org"), "%s", o);
	cr_assert(strstr(o, "searched as text"), "%s", o);
	free(o);
	/* text that only looks like a field is quiet */
	o = bs("-c 'https://www.example.jp 12:30 注意:x mailto:a'", 1, &st);
	cr_assert(!strstr(o, "no field"), "%s", o);
	free(o);
}

Test(cli, facet_and_map_refusals)
{
	int st;
	char *o = bs("--facet bogus 個人情報", 1, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "--facet bogus: no such field (facets: year, date, org, category"), "%s",
	          o);
	free(o);
	o = bs("-n0 --facet ORG,Year 個人情報", 0, &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(o, "  org: ") && strstr(o, "  year: "), "%s", o);
	free(o);
	char cmd[8192];
	const char *m = tu_corpus("municipal");
	snprintf(cmd, sizeof cmd, "%s/bidx build -q --map nosuch=affected -i %s/m %s/csv 2>&1",
	         BIDX_BINARY_DIR, ixdir, m);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "affected is a field bidx derives"), "%s", o);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bidx build -q --map 'nosuch=a b' -i %s/m %s/csv 2>&1",
	         BIDX_BINARY_DIR, ixdir, m);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 2, "%s", o);
	free(o);
}

/* The bytes of a file (malloc'd), its length in *n. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	char *p = malloc(1 << 20);
	cr_assert(p);
	*n = fread(p, 1, 1 << 20, f);
	fclose(f);
	return p;
}

/* bidx build -q -i IX ARGS, stdout and stderr; its status in *st. */
static char *bidx_build(const char *ix, const char *args, int *st)
{
	char cmd[16384];
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i %s/%s %s 2>&1", BIDX_BINARY_DIR, ixdir, ix,
	         args);
	return tu_run(cmd, st);
}

Test(cli, map_of_a_column_no_file_has_is_refused)
{
	int st;
	char args[8192], man[4096];
	const char *m = tu_corpus("municipal"), *s = tu_corpus("seeds");
	snprintf(man, sizeof man, "%s/ix/manifest", ixdir);
	size_t n0, n1;
	char *before = slurp(man, &n0);
	int title = count("title:お詫び"), muni = count("自治体名:市");
	cr_assert_gt(title, 0);
	cr_assert_gt(muni, 0);
	/* over the existing index (its roots: the seeds and the CSVs): refused,
	 * naming the column and the columns the CSVs have, and nothing changed */
	char *o = bidx_build("ix", "--map nosuch=title", &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "bidx: --map nosuch=title: no CSV or JSON Lines file has a column "
	                    "'nosuch' (columns: 自治体名, 公開年月, 発行号タイトル, 記事タイトル, "
	                    "カテゴリ, 記事本文)"), "%s", o);
	cr_assert(strstr(o, "the index was not changed"), "%s", o);
	free(o);
	char *after = slurp(man, &n1);
	cr_assert(n0 == n1 && !memcmp(before, after, n0), "the manifest changed");
	free(before);
	free(after);
	cr_assert_eq(count("title:お詫び"), title);
	cr_assert_eq(count("自治体名:市"), muni);
	/* a fresh index: no manifest is published */
	snprintf(args, sizeof args, "--map nosuch=title %s/csv", m);
	o = bidx_build("fresh", args, &st);
	cr_assert_eq(st, 2, "%s", o);
	free(o);
	snprintf(man, sizeof man, "%s/fresh/manifest", ixdir);
	cr_assert(access(man, F_OK) != 0, "a refused build published %s", man);
	/* a known column still works: read as a new field */
	snprintf(args, sizeof args, "--map カテゴリ=genre %s/csv", m);
	o = bidx_build("known", args, &st);
	cr_assert_eq(st, 0, "%s", o);
	cr_assert(!strstr(o, "--map"), "%s", o);
	free(o);
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s/known -c genre:イベント 2>&1", BIDX_BINARY_DIR,
	         ixdir);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	cr_assert_gt(atoi(o), 0, "%s", o);
	free(o);
	/* a known and an unknown column: refused, naming only the unknown one */
	snprintf(args, sizeof args, "--map カテゴリ=genre --map 'タイトル=title' %s/csv", m);
	o = bidx_build("mix", args, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "bidx: --map タイトル=title: no CSV or JSON Lines file has a column "
	                    "'タイトル' (columns: 自治体名,"), "%s", o);
	cr_assert(!strstr(o, "カテゴリ=genre"), "%s", o);
	free(o);
	snprintf(man, sizeof man, "%s/mix/manifest", ixdir);
	cr_assert(access(man, F_OK) != 0, "a refused build published %s", man);
	/* no CSV or JSON Lines file at all */
	snprintf(args, sizeof args, "--map 記事タイトル=title %s", s);
	o = bidx_build("txt", args, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "bidx: --map 記事タイトル=title: no CSV or JSON Lines file in the "
	                    "corpus"), "%s", o);
	free(o);
	/* an update with the same map that reads none of the CSVs again does not
	 * judge: the build that read them did */
	snprintf(args, sizeof args, "--map カテゴリ=genre %s/csv", m);
	o = bidx_build("known", args, &st);
	cr_assert_eq(st, 0, "%s", o);
	free(o);
}

/* The last line of s. */
static const char *last_line(const char *s)
{
	size_t n = strlen(s);
	cr_assert(n && s[n - 1] == '\n');
	const char *l = s + n - 1;
	while (l > s && l[-1] != '\n')
		l--;
	return l;
}

Test(cli, json_shapes)
{
	int st;
	int n = count("個人情報");
	char *o = bs("--json -n 2 個人情報", 0, &st);
	cr_assert_eq(st, 0);
	const char *t = last_line(o);
	char want[128];
	snprintf(want, sizeof want, "{\"total\":%d,\"took_us\":", n);
	cr_assert(!strncmp(t, want, strlen(want)), "%s", t);
	cr_assert(strstr(t, ",\"query\":\"個人情報\"}\n"), "%s", t);
	cr_assert(strstr(o, "\"snippet_truncated\":"), "%s", o);
	free(o);
	o = bs("--json -n 1000 個人情報", 0, &st);
	cr_assert(strstr(o, "\"affected\":null,\"leaked\":[]"), "%s", o);
	cr_assert(strstr(o, "\"snippet_truncated\":true"), "%s", o);
	free(o);
	o = bs("--json -n 0 --facet org 個人情報", 0, &st);
	cr_assert(!strstr(o, "{\"facets\":"), "facets on a line of their own:\n%s", o);
	t = last_line(o);
	cr_assert(t == o, "-n 0: only the total line:\n%s", o);
	cr_assert(strstr(t, ",\"facets\":{\"org\":{"), "%s", t);
	free(o);
	o = bs("--json -c 個人情報", 0, &st);
	snprintf(want, sizeof want, "{\"count\":%d}\n", n);
	cr_assert_str_eq(o, want);
	free(o);
	o = bs("--json --records 個人情報", 0, &st);   /* -l names each file once */
	int lines = 0;
	for (char *l = strtok(o, "\n"); l; l = strtok(NULL, "\n"), lines++)
		cr_assert(l[0] == '"' && l[strlen(l) - 1] == '"', "not a JSON string: %s", l);
	cr_assert_eq(lines, n);
	free(o);
}

Test(cli, missing_synonym_table_is_said)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "mkdir -p %s/x/y/z && cp %s/bsearch %s/x/y/z/", ixdir,
	         BIDX_BINARY_DIR, ixdir);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "env -u BIDX_SYNONYMS %s/x/y/z/bsearch -i %s/ix -c 漏えい 2>&1 "
	         ">/dev/null", ixdir, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert(strstr(o, "searching without synonyms"), "%s", o);
	cr_assert(!strstr(strstr(o, "without synonyms") + 1, "without synonyms"), "said twice: %s",
	          o);
	free(o);
	snprintf(cmd, sizeof cmd, "BIDX_SYNONYMS=none %s/x/y/z/bsearch -i %s/ix -c 漏えい 2>&1 "
	         ">/dev/null", ixdir, ixdir);
	o = tu_run(cmd, &st);
	cr_assert_str_empty(o, "%s", o);
	free(o);
	/* the real one finds its table: more hits */
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s/ix -c 漏えい 2>&1", BIDX_BINARY_DIR, ixdir);
	o = tu_run(cmd, &st);
	cr_assert(!strstr(o, "without synonyms"), "%s", o);
	free(o);
}
