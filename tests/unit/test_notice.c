/*
 * Field extraction from plain-text notices: every seed notice's title, date
 * and organisation written down, the web-article layout of livedoor, and a
 * measurement over livedoor (printed, not asserted).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "notice.h"
#include "testutil.h"

typedef struct expect {
	const char *file;
	const char *title;   /* "" = none */
	const char *date;    /* ISO, "" = none */
	const char *org;     /* "" = none */
} expect;

static const expect seeds[] = {
	{"000_da7de96949e8aa49.txt", "インターネット会員の皆様へ", "2018-01-15", "九州商船株式会社"},
	/* ななつ星: no date line, so the latest date of its timeline; the org
	 * from the contact block at the end */
	{"001_2b508cbf938dd260.txt",
	 "通販サイト「ななつ星 Gallery」における個人情報流出に関するお詫びとご報告について",
	 "2019-03-28", "九州旅客鉄道株式会社"},
	{"002_a11ea7e3654a911b.txt", "「クラブゲッツ」お客様情報漏洩に関する改善・再発防止策について",
	 "2016-09-16", "札幌通運株式会社"},
	/* e-ながさき: no heading, so its first sentence cut at a comma; no date
	 * line, so the latest date of its timeline (the end of the
	 * investigation), not the first (when the police called); signed only
	 * 当協会, so the service it says it runs */
	{"003_5a5215cd65d3f6e3.txt", "当協会が運営する通販サイト「e-ながさきどっとこむ」におきまして",
	 "2024-06-22", "e-ながさきどっとこむ"},
	{"004_d9cd4af4c8fa6ca2.txt", "不正アクセスによるお客様契約情報流出に関するお詫びとご報告",
	 "2016-11-09", "カゴヤ・ジャパン株式会社"},
};

static void field(const bidx_notice *n, const char *name, char *out, size_t cap)
{
	out[0] = 0;
	for (int i = 0; i < n->nfields; i++)
		if (!strcmp(n->fields[i].name, name)) {
			snprintf(out, cap, "%.*s", (int)n->fields[i].vlen, n->fields[i].value);
			return;
		}
}

static void load(const char *path, char **d, size_t *n, bidx_notice *nt)
{
	cr_assert_eq(bidx_read_file(path, d, n), BIDX_OK, "%s", path);
	bidx_notice_from_text(nt, path, *d, *n);
}

Test(notice, seed_titles_dates_orgs)
{
	const char *dir = tu_corpus("seeds");
	cr_assert(dir);
	for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
		char path[4200], got[512], iso[BIDX_DATE_ISO_SIZE] = "";
		char *d;
		size_t n;
		bidx_notice nt;
		snprintf(path, sizeof path, "%s/%s", dir, seeds[i].file);
		load(path, &d, &n, &nt);
		snprintf(got, sizeof got, "%.*s", (int)(nt.title_end - nt.title_start), d + nt.title_start);
		cr_assert_str_eq(got, seeds[i].title, "%s title", seeds[i].file);
		if (nt.date.prec)
			bidx_date_iso(&nt.date, iso);
		cr_assert_str_eq(iso, seeds[i].date, "%s date", seeds[i].file);
		field(&nt, "org", got, sizeof got);
		cr_assert_str_eq(got, seeds[i].org, "%s org", seeds[i].file);
		bidx_notice_free(&nt);
		free(d);
	}
}

/* A notice that calls itself 当協会 is signed by the full name of that
 * kind of body when the text writes one, else by the service it runs. */
Test(notice, self_reference_org)
{
	static const char named[] =
	    "当協会が運営する通販サイト「ながさき市場」におきまして、不正アクセスを受けました。\n"
	    "2024年5月22日当協会はサイトを停止いたしました。\n"
	    "長崎県物産振興協会は、再発防止に努めてまいります。\n";
	static const char contact[] = "当協会が運営する通販サイトにおきまして、不正アクセスを受けました。\n"
	                              "お問い合わせ：一般社団法人長崎県物産振興協会 お客様係\n";
	static const char service[] =
	    "このたび、当組合が運営するオンラインショップ「みかんの里」におきまして、"
	    "第三者による不正アクセスを受けました。\n深くお詫び申し上げます。\n";
	static const char plain[] = "本社の移転について。\n本社は4月1日に移転します。\n";
	bidx_notice nt;
	char v[256];
	bidx_notice_from_text(&nt, "a.txt", named, sizeof named - 1);
	field(&nt, "org", v, sizeof v);
	cr_assert_str_eq(v, "長崎県物産振興協会");
	bidx_notice_free(&nt);
	bidx_notice_from_text(&nt, "d.txt", contact, sizeof contact - 1);   /* a labelled contact */
	field(&nt, "org", v, sizeof v);
	cr_assert_str_eq(v, "一般社団法人長崎県物産振興協会");
	bidx_notice_free(&nt);
	bidx_notice_from_text(&nt, "b.txt", service, sizeof service - 1);
	field(&nt, "org", v, sizeof v);
	cr_assert_str_eq(v, "みかんの里");
	bidx_notice_free(&nt);
	bidx_notice_from_text(&nt, "c.txt", plain, sizeof plain - 1);   /* 本社 is no self-reference */
	field(&nt, "org", v, sizeof v);
	cr_assert_str_eq(v, "");
	bidx_notice_free(&nt);
}

Test(notice, web_article_layout)
{
	static const char text[] = "http://news.livedoor.com/article/detail/1/\n"
	                           "2012-09-04T12:45:00+0900\n"
	                           "見出しの行\n本文です。\n";
	bidx_notice nt;
	char v[256], iso[BIDX_DATE_ISO_SIZE];
	bidx_notice_from_text(&nt, "corpus/news/topic-1.txt", text, sizeof text - 1);
	bidx_date_iso(&nt.date, iso);
	cr_assert_str_eq(iso, "2012-09-04");
	cr_assert_str_eq(nt.date_source, "line 2");
	field(&nt, "url", v, sizeof v);
	cr_assert_str_eq(v, "http://news.livedoor.com/article/detail/1/");
	field(&nt, "category", v, sizeof v);
	cr_assert_str_eq(v, "news");
	snprintf(v, sizeof v, "%.*s", (int)(nt.title_end - nt.title_start), text + nt.title_start);
	cr_assert_str_eq(v, "見出しの行");
}

/* Measures how many livedoor articles get a title, a date and an org. */
Test(notice, livedoor_measurement, .timeout = 300)
{
	const char *dir = tu_corpus("livedoor");
	char sub[4200];
	DIR *top = NULL;
	if (dir) {
		snprintf(sub, sizeof sub, "%s/text", dir);
		top = opendir(sub);
	}
	if (!top)
		cr_skip_test("livedoor corpus not available");
	struct dirent *e;
	int docs = 0, titles = 0, dates = 0, orgs = 0;
	while ((e = readdir(top))) {
		if (e->d_name[0] == '.')
			continue;
		char cat[4700];
		snprintf(cat, sizeof cat, "%s/%s", sub, e->d_name);
		DIR *d = opendir(cat);
		struct dirent *f;
		while (d && (f = readdir(d))) {
			if (!strstr(f->d_name, ".txt") || !strncmp(f->d_name, "LICENSE", 7))
				continue;
			char path[5000], *data, v[256];
			size_t n;
			bidx_notice nt;
			snprintf(path, sizeof path, "%s/%s", cat, f->d_name);
			load(path, &data, &n, &nt);
			docs++;
			titles += nt.title_end > nt.title_start;
			dates += nt.date.prec != BIDX_DATE_NONE;
			field(&nt, "org", v, sizeof v);
			orgs += v[0] != 0;
			bidx_notice_free(&nt);
			free(data);
		}
		if (d)
			closedir(d);
	}
	closedir(top);
	fprintf(stderr, "notice extraction on livedoor: %d articles, %d with a title, %d with a date, "
	        "%d with an org\n", docs, titles, dates, orgs);
	/* every livedoor article has the URL / date / title layout */
	cr_assert_eq(titles, docs);
	cr_assert_eq(dates, docs);
}
