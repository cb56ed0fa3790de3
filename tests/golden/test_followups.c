/*
 * test_followups.c - follow-up reports grouped into one incident
 * (tests/fixtures/followups: a first report, a 第2報 and a 最終報 of one
 * breach published in three months, and a misdirected e-mail of the same
 * company later on).  The three share an incident id in --json, --group
 * lists them under one hit, incident:ID finds them and nothing else, and
 * with --group a facet counts incidents, not reports.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *ix;

static void build(void)
{
	int st;
	ix = tu_tmpdir("followups-ix");
	free(tu_sh(".", &st, "%s/bidx build -q -i %s %s/tests/fixtures/followups", BIDX_BINARY_DIR,
	           ix, BIDX_SOURCE_DIR));
	cr_assert_eq(st, 0);
}

static void done(void)
{
	tu_rmtree(ix);
	free(ix);
}

static char *run_bsearch(const char *args, int *st)
{
	return tu_sh(".", st, "%s/bsearch -i %s %s", BIDX_BINARY_DIR, ix, args);
}

/* The "id" of the incident of the --json line naming file, into id. */
static void incident_of(const char *out, const char *file, char *id, size_t cap)
{
	id[0] = 0;
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *nl = strchr(l, '\n'), *f = strstr(l, file), *i = strstr(l, "\"incident\":{\"id\":\"");
		if (f && i && (!nl || (f < nl && i < nl))) {
			i += strlen("\"incident\":{\"id\":\"");
			snprintf(id, cap, "%.*s", (int)strcspn(i, "\""), i);
			return;
		}
	}
}

static int count(const char *s, const char *w)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, w)) != NULL; p += strlen(w))
		n++;
	return n;
}

Test(followups, one_incident_three_reports, .init = build, .fini = done)
{
	int st;
	char *out = run_bsearch("--json みなと書房", &st);
	cr_assert_eq(st, 0);
	char a[64], b[64], c[64], d[64];
	incident_of(out, "2023-10-02_first.txt", a, sizeof a);
	incident_of(out, "2023-11-17_second.txt", b, sizeof b);
	incident_of(out, "2024-01-19_final.txt", c, sizeof c);
	incident_of(out, "2024-03-08_other.txt", d, sizeof d);
	cr_assert(a[0] && d[0], "%s", out);
	cr_expect_str_eq(b, a, "the 第2報 (another month) joins the first report");
	cr_expect_str_eq(c, a, "the 最終報 joins the first report");
	cr_expect_str_neq(d, a, "the misdirected e-mail is another incident");
	free(out);

	char q[256];
	snprintf(q, sizeof q, "-l incident:%s", a);
	out = run_bsearch(q, &st);
	cr_assert_eq(st, 0);
	cr_expect_eq(count(out, "\n"), 3, "incident:ID finds the three reports: %s", out);
	cr_expect(!strstr(out, "other.txt"), "%s", out);
	free(out);

	out = run_bsearch("--json --group みなと書房", &st);
	cr_assert_eq(st, 0);
	cr_expect_eq(count(out, "\"score\""), 2, "two incidents: %s", out);
	char *nl = strchr(out, '\n');
	cr_assert(nl, "%s", out);
	*nl = 0;   /* the first hit: the first report, its follow-ups listed under it */
	cr_expect(strstr(out, "2023-11-17_second.txt") && strstr(out, "2024-01-19_final.txt") &&
	          !strstr(out, "2024-03-08_other.txt"), "%s", out);
	cr_expect(strstr(out, "\"report\":\"第2報\"") && strstr(out, "\"report\":\"第3報\""),
	          "%s", out);
	free(out);
}

Test(followups, facets_count_incidents_with_group, .init = build, .fini = done)
{
	int st;
	char *out = run_bsearch("--json -n 0 --group --facet kind みなと書房", &st);
	cr_assert_eq(st, 0);
	cr_expect(strstr(out, "\"facets_count\":\"incidents\""), "%s", out);
	cr_expect(strstr(out, "\"kind\":{\"incident\":2}"), "two incidents: %s", out);
	free(out);
	out = run_bsearch("--json -n 0 --facet kind みなと書房", &st);
	cr_assert_eq(st, 0);
	cr_expect(!strstr(out, "facets_count"), "%s", out);
	cr_expect(strstr(out, "\"kind\":{\"incident\":4}"), "four reports without --group: %s",
	          out);
	free(out);
	out = run_bsearch("--group --facet kind みなと書房", &st);
	cr_expect(strstr(out, "facets over all incidents"), "%s", out);
	free(out);
}
