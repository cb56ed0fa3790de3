/*
 * A .md notice: its title and org come out without Markdown syntax in
 * --json and in the human output, its snippet too with the marks on the
 * matched text, while the index still finds the markup itself.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#define BIDX BIDX_BINARY_DIR "/bidx"
#define BSEARCH BIDX_BINARY_DIR "/bsearch"

static char *dir;

static void setup(void)
{
	char path[4096];
	dir = tu_tmpdir("md");
	snprintf(path, sizeof path, "%s/c", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/c/a.md", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("# ランサムウェア被害に関するお詫び\n\n**株式会社テスト**\n\n2024年5月1日\n\n"
	      "当社サーバーが**ランサムウェア**に感染し、[お客様情報](https://example.jp/info)が"
	      "流出した可能性があります。\n\n- 氏名\n- 住所\n", f);
	fclose(f);
	char cmd[8192];
	snprintf(cmd, sizeof cmd, BIDX " build -i %s/idx %s/c 2>&1", dir, dir);
	int st;
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0);
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

static char *search(const char *opts, const char *q)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, BSEARCH " -i %s/idx %s '%s' 2>&1", dir, opts, q);
	char *out = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", out);
	return out;
}

TestSuite(markdown_fields, .init = setup, .fini = teardown);

Test(markdown_fields, json_fields_and_snippet)
{
	char *out = search("--json", "ランサムウェア");
	cr_assert(strstr(out, "\"title\":\"ランサムウェア被害に関するお詫び\""), "%s", out);
	cr_assert(strstr(out, "{\"name\":\"org\",\"value\":\"株式会社テスト\""), "%s", out);
	char *sn = strstr(out, "\"snippet\":\"");
	cr_assert(sn, "%s", out);
	sn += strlen("\"snippet\":\"");
	char *end = strchr(sn, '"');
	*end = 0;
	cr_assert(!strstr(sn, "**") && !strstr(sn, "# ") && !strstr(sn, "](") && !strchr(sn, '['),
	          "%s", sn);
	cr_assert(strstr(sn, "お客様情報"), "%s", sn);
	/* every mark is the query's text in the shown snippet */
	char *m = strstr(end + 1, "\"snippet_marks\":[");
	cr_assert(m);
	m += strlen("\"snippet_marks\":[");
	int a, b, k = 0, used;
	while (sscanf(m, "[%d,%d]%n", &a, &b, &used) == 2) {
		cr_assert_eq(b - a, (int)strlen("ランサムウェア"));
		cr_assert(!memcmp(sn + a, "ランサムウェア", (size_t)(b - a)), "mark %d in %s", k, sn);
		k++;
		m += used + (m[used] == ',');
	}
	cr_assert_eq(k, 2, "%s", out);
	free(out);
}

Test(markdown_fields, human_output)
{
	char *out = search("", "ランサムウェア");
	cr_assert(strstr(out, "ランサムウェア被害に関するお詫び\n"), "%s", out);
	cr_assert(strstr(out, "株式会社テスト"), "%s", out);
	cr_assert(!strstr(out, "**") && !strstr(out, "# "), "%s", out);
	free(out);
}

Test(markdown_fields, markup_still_indexed)
{
	char *out = search("--json", "**");   /* what grep -F finds */
	cr_assert(strstr(out, "\"total\":1"), "%s", out);
	free(out);
	out = search("--json", "example.jp");   /* inside a link's URL */
	cr_assert(strstr(out, "\"total\":1"), "%s", out);
	free(out);
}
