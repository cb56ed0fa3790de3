/*
 * Documents from other producers than the templates of test_formats.c
 * (tests/fixtures/producers, HTML written by hand, PDFs made by
 * make_producers.py): a WordPress post with widgets, comments and share
 * buttons; a municipal CMS page with breadcrumbs and a left menu; a 1990s
 * EUC-JP page of <font> and <center> without <main>, <article> or <h1>; an
 * XHTML page whose elements carry a namespace prefix; a PDF drawn by
 * ReportLab with a CID font it does not embed (text through poppler-data's
 * CMaps); and that PDF encrypted with an owner password only (indexed) and
 * with a user password (reported and skipped).
 * Each gets its title, date and org, its content is found (across the
 * PDF's line ends too) and no navigation, sidebar, comment, footer or
 * script word is.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PRODUCERS BIDX_SOURCE_DIR "/tests/fixtures/producers"

static char *ixdir, *build_out;

static void setup(void)
{
	char cmd[4096];
	int st;
	ixdir = tu_tmpdir("producers");
	snprintf(cmd, sizeof cmd, "%s/bidx build -i '%s/ix' '%s' 2>&1", BIDX_BINARY_DIR, ixdir,
	         PRODUCERS);
	build_out = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build failed: %s", build_out);
}

static void teardown(void)
{
	free(build_out);
	tu_rmtree(ixdir);
	free(ixdir);
}

TestSuite(producers, .init = setup, .fini = teardown, .timeout = 300);

static char *bsearch_out(const char *args)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s/ix' %s", BIDX_BINARY_DIR, ixdir, args);
	char *out = tu_run(cmd, &st);
	cr_assert(st == 0 || st == 1, "bsearch %s failed", args);   /* 1: no hits */
	return out;
}

/* The --json line of file `name` for query q (NULL when it is not hit). */
static char *hit_line(const char *q, const char *name)
{
	char args[1024];
	snprintf(args, sizeof args, "--json -n 1000 '%s'", q);
	char *out = bsearch_out(args), *line = NULL;
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		char want[300];
		snprintf(want, sizeof want, "/%s\"", name);
		if (strstr(l, want))
			line = strdup(l);
	}
	free(out);
	return line;
}

static void expect_in(const char *line, const char *what, const char *name)
{
	cr_expect(line && strstr(line, what), "%s: no %s in\n%s", name, what, line ? line : "(not found)");
}

typedef struct page {
	const char *name, *query, *title, *date, *org;
	const char *absent[10];   /* words of its navigation, sidebars, comments, footers, scripts */
} page;

static const page pages[] = {
	{"wp-blog.html", "配信システム", "メールマガジン配信システムへの不正アクセスについて",
	 "2023-11-08", "ひまわり書房",
	 {"WPN", "WPS", "WPR", "WPC", "WPW", "WPF", "WPJ", NULL}},
	{"city-page.html", "誤交付", "住民票の写し等の誤交付について", "2024-03-15", NULL,
	 {"CTH", "CTN", "CTB", "CTL", "CTE", "CTF", "CTZ", NULL}},
	/* its date is the signature's (平成15年6月2日, after the text's other
	 * dates): the rule for plain text decides, not checked here */
	{"old-1999.html", "掲示板", "ホームページ改ざんに関するお詫び", NULL, NULL,
	 {"OLN", "OLC", NULL}},
	{"xhtml-ns.xhtml", "通信装置", "窓口業務システムの障害と復旧のお知らせ", "2022-07-04",
	 "北浜信用金庫", {"XHH", "XHN", "XHF", NULL}},
	{"notice.pdf", "ランサムウェア", "業務委託先における個人情報の漏えいについて", "2024-02-09",
	 "株式会社さくら精機", {NULL}},
	{"owner-only.pdf", "ランサムウェア", "業務委託先における個人情報の漏えいについて",
	 "2024-02-09", "株式会社さくら精機", {NULL}},
};

Test(producers, title_date_org_and_content)
{
	for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
		const page *p = &pages[i];
		char *l = hit_line(p->query, p->name);
		cr_expect(l, "%s: \"%s\" does not find it", p->name, p->query);
		char want[1024];
		snprintf(want, sizeof want, "\"title\":\"%s\"", p->title);
		expect_in(l, want, p->name);
		if (p->date) {
			snprintf(want, sizeof want, "{\"name\":\"date\",\"value\":\"%s\"", p->date);
			expect_in(l, want, p->name);
		}
		if (p->org) {
			snprintf(want, sizeof want, "{\"name\":\"org\",\"value\":\"%s\"", p->org);
			expect_in(l, want, p->name);
		}
		free(l);
		for (int k = 0; p->absent[k]; k++) {
			l = hit_line(p->absent[k], p->name);
			cr_expect_null(l, "%s: %s found:\n%s", p->name, p->absent[k], l);
			free(l);
		}
	}
}

Test(producers, pdf_text_across_line_ends_and_pages)
{
	/* words cut by the PDF's line ends (ReportLab draws fixed-width lines) */
	static const char *const across[] = {"株式会社ミドリ集計サービス", "流出した可能性があること",
	                                     "委託先との間のデータ授受", "業務に必要な最小限", NULL};
	for (int k = 0; across[k]; k++) {
		char q[256];
		snprintf(q, sizeof q, "\"%s\"", across[k]);
		char *l = hit_line(q, "notice.pdf");
		cr_expect(l, "%s not found in the PDF", across[k]);
		free(l);
	}
	/* the second page's text names page 2; the running header is gone */
	char *l = hit_line("個人情報保護委員会", "notice.pdf");
	expect_in(l, "\"page\":2", "notice.pdf");
	free(l);
	l = hit_line("お客様各位", "notice.pdf");
	cr_expect_null(l, "the running header is indexed:\n%s", l);
	free(l);
}

Test(producers, encrypted_pdfs)
{
	cr_assert(strstr(build_out, "user-password.pdf: encrypted"), "%s", build_out);
	char *at = strstr(build_out, "user-password.pdf: encrypted");
	char *eol = strchr(at, '\n');
	char *sk = strstr(at, "; skipped");
	cr_expect(sk && (!eol || sk < eol), "%s", build_out);
	cr_expect_null(strstr(build_out, "owner-only.pdf"), "the owner-password PDF was refused:\n%s",
	               build_out);
	cr_expect(strstr(build_out, "skipped 1"), "not counted:\n%s", build_out);
	char *line = hit_line("ランサムウェア", "user-password.pdf");
	cr_expect_null(line);
	free(line);
}
