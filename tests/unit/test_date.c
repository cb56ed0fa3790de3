/*
 * test_date.c - the date parser: every form of common/date.h, eras, kanji
 * and full-width numerals, PDF spacing, invalid dates, dates inside running
 * Japanese text (the seed notices), span and ISO output.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "testutil.h"

/* Parses s (all of it must be consumed unless want_len > 0) and checks the
 * ISO text. */
static void expect(const char *s, const char *iso, size_t want_len)
{
	bidx_date d;
	char buf[BIDX_DATE_ISO_SIZE];
	size_t n = bidx_date_parse(s, strlen(s), &d);

	cr_assert_eq(n, want_len ? want_len : strlen(s), "%s: consumed %zu", s, n);
	bidx_date_iso(&d, buf);
	cr_assert_str_eq(buf, iso, "%s -> %s, want %s", s, buf, iso);
}

static void expect_none(const char *s)
{
	bidx_date d;
	size_t n = bidx_date_parse(s, strlen(s), &d);

	cr_assert_eq(n, 0, "%s: parsed %zu bytes as %d-%d-%d", s, n, d.y, d.m, d.d);
	cr_assert_eq(d.prec, BIDX_DATE_NONE);
}

static void expect_find(const char *text, const char *match, const char *iso)
{
	bidx_date d;
	size_t at, n = bidx_date_find(text, strlen(text), &at, &d);
	char buf[BIDX_DATE_ISO_SIZE];

	if (match == NULL) {
		cr_assert_eq(n, 0, "%s: found %.*s", text, (int)n, text + at);
		return;
	}
	cr_assert_gt(n, 0, "%s: no date", text);
	cr_assert_eq(n, strlen(match), "%s: found '%.*s'", text, (int)n, text + at);
	cr_assert_eq(memcmp(text + at, match, n), 0, "%s: found '%.*s'", text, (int)n,
	             text + at);
	bidx_date_iso(&d, buf);
	cr_assert_str_eq(buf, iso);
}

Test(date, header_examples)
{
	expect("2018年1月15日", "2018-01-15", 0);
	expect("2018年1月", "2018-01", 0);
	expect("2018年", "2018", 0);
	expect("平成28年9月16日", "2016-09-16", 0);
	expect("平成二十八年", "2016", 0);
	expect("令和元年5月1日", "2019-05-01", 0);
	expect("昭和64年", "1989", 0);
	expect("H28.9.16", "2016-09-16", 0);
	expect("R6.5.1", "2024-05-01", 0);
	expect("2024.04.15", "2024-04-15", 0);
	expect("2024/4/15", "2024-04-15", 0);
	expect("2024-04-15", "2024-04-15", 0);
	expect("2024-04", "2024-04", 0);
	expect("2012-09-04T12:45:00+0900", "2012-09-04", 0);
}

Test(date, eras)
{
	expect("明治元年", "1868", 0);
	expect("明治45年7月29日", "1912-07-29", 0);
	expect("大正15年", "1926", 0);
	expect("昭和二十年八月十五日", "1945-08-15", 0);
	expect("平成31年4月30日", "2019-04-30", 0);
	expect("令和6年", "2024", 0);
	expect("S64.1.7", "1989-01-07", 0);
	expect("H31.4.30", "2019-04-30", 0);
	expect("Ｈ２８．９．１６", "2016-09-16", 0);
	expect("Ｒ６．５．１", "2024-05-01", 0);
	expect("H28年9月", "2016-09", 0);
	expect("平成 28 年 9 月 16 日", "2016-09-16", 0);
	expect("平成　二十八年　九月", "2016-09", 0);
	expect("令和元年", "2019", 0);
	expect("平成元年1月8日", "1989-01-08", 0);
}

Test(date, numerals)
{
	expect("２０１８年１月１５日", "2018-01-15", 0);
	expect("２０２４／４／１５", "2024-04-15", 0);
	expect("２０２４－０４", "2024-04", 0);
	expect("二〇一八年一月十五日", "2018-01-15", 0);
	expect("千九百八十九年", "1989", 0);
	expect("二千十八年十二月三十一日", "2018-12-31", 0);
	expect("2018 年 1 月 15 日", "2018-01-15", 0);
	expect("2018年１２月", "2018-12", 0);
}

Test(date, partial_consumption)
{
	/* The date ends where its last part ends; what follows is not eaten. */
	expect("2018年度は", "2018-04/2019-03", strlen("2018年度"));
	expect("2018年頃", "2018", strlen("2018年"));
	expect("2018年1月15日(月)", "2018-01-15", strlen("2018年1月15日"));
	expect("2018年1月に", "2018-01", strlen("2018年1月"));
	expect("2018年 3件", "2018", strlen("2018年"));
	expect("2024-04-15 の", "2024-04-15", strlen("2024-04-15"));
	expect("2024/4/15です", "2024-04-15", strlen("2024/4/15"));
	expect("2012-09-04T12:45:00Z;", "2012-09-04", strlen("2012-09-04T12:45:00Z"));
	expect("2012-09-04T12:45:00+09:00 x", "2012-09-04",
	       strlen("2012-09-04T12:45:00+09:00"));
	expect("2024-04 号", "2024-04", strlen("2024-04"));
	expect("平成28年9月16日現在", "2016-09-16", strlen("平成28年9月16日"));
}

Test(date, bare_year)
{
	expect("2016", "2016", 0);
	expect(" 2016 ", "2016", 0);
	expect("２０１６", "2016", 0);
	expect("1868", "1868", 0);
	expect("2100", "2100", 0);
	expect_none("1867");
	expect_none("2101");
	expect_none("2016x");
	expect_none("2024件");
	expect_none("20160");
	expect_none("216");
}

Test(date, invalid)
{
	expect_none("2018年13月");
	expect_none("2018年0月");
	expect_none("平成31年2月30日");
	expect_none("2019年2月29日");
	expect_none("2018年4月31日");
	expect_none("2024-13-01");
	expect_none("2024-02-30");
	expect_none("2024.04 号");     /* inside text a dotted year.month reads like a decimal */
	expect_none("2024-04-155");
	expect_none("平成32年");       /* 平成 ended in its 31st year */
	expect_none("昭和65年");
	expect_none("令和0年");
	expect_none("平成28");
	expect_none("H28 の");        /* an era letter and a year alone: only a whole input */
	expect_none("H28.9");
	expect_none("0120-102-291");
	expect_none("03-3456-4071");
	expect_none("20180年");
	expect_none("28年9月16日");   /* no era, no four-digit year */
	expect_none("十年");
	expect_none("");
	expect_none("年");
	expect("2020年2月29日", "2020-02-29", 0);
	expect("2000年2月29日", "2000-02-29", 0);
	expect_none("1900年2月29日");
	expect("平成28年2月29日", "2016-02-29", 0);
}

/* Long digit runs are never cut to a shorter number that happens to be a
 * date: the parser counts every digit it reads. */
Test(date, long_numbers_are_not_dates)
{
	expect_none("000000002016年");
	expect_none("201600000000000000001年");
	expect_none("令和999999999999年");
	expect_none("令和00000000000001年");
	expect_none("平成九九九九九九九九九九九九九年");
	expect("2016年0000000000001月", "2016", strlen("2016年"));   /* the year alone */
	expect_none("2016-000000000001-01");
	expect_none("2016-01-0000000000001");
	expect_none("H28.000000000009.16");
	expect("2016年01月", "2016-01", 0);
}

Test(date, find_in_text)
{
	expect_find("インターネット会員の皆様へ\n\n2018年1月15日\n九州商船株式会社", "2018年1月15日",
	            "2018-01-15");
	expect_find("\n\n平成 28 年 9 月 16 日\n\nお客様各位", "平成 28 年 9 月 16 日",
	            "2016-09-16");
	expect_find("発生件数は2024件、電話03-2018-1234", NULL, NULL);
	expect_find("第12018年", NULL, NULL);
	expect_find("電話 0120-2018-12 まで。2016年11月9日", "2016年11月9日", "2016-11-09");
	expect_find("ver1.2018.04.01 then 2019/1/2", "2019/1/2", "2019-01-02");
	expect_find("PH28.9.16 と H28.9.16", "H28.9.16", "2016-09-16");
	expect_find("本日（令和元年5月1日）", "令和元年5月1日", "2019-05-01");
	expect_find("一部の会員様、二千十八年", "二千十八年", "2018");
	expect_find("Copyright 2016 bidx", NULL, NULL);
	expect_find("2016", "2016", "2016");
	expect_find("本年 6 月に公表", NULL, NULL);
	expect_find("1月14日（日）の時点", NULL, NULL);
	expect_find("平成31年2月30日と2018年13月のあと2019年3月", "2019年3月", "2019-03");
}

/* The first date of each seed notice. */
Test(date, seeds)
{
	static const struct { const char *file, *iso; } want[] = {
		{"000_da7de96949e8aa49.txt", "2018-01-15"},
		{"001_2b508cbf938dd260.txt", "2013-10-05"},
		{"002_a11ea7e3654a911b.txt", "2016-09-16"},
		{"003_5a5215cd65d3f6e3.txt", "2024-05-21"},
		{"004_d9cd4af4c8fa6ca2.txt", "2016-11-09"},
	};
	char path[4096], *text, buf[BIDX_DATE_ISO_SIZE];
	size_t i, n, at;
	bidx_date d;
	FILE *f;
	long len;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		snprintf(path, sizeof path, "%s/corpus/seeds/%s", BIDX_SOURCE_DIR, want[i].file);
		f = fopen(path, "rb");
		cr_assert_not_null(f, "%s", path);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = malloc((size_t)len + 1);
		cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		n = bidx_date_find(text, (size_t)len, &at, &d);
		cr_assert_gt(n, 0, "%s", want[i].file);
		bidx_date_iso(&d, buf);
		cr_assert_str_eq(buf, want[i].iso, "%s", want[i].file);
		free(text);
	}
}

Test(date, span)
{
	bidx_date d;
	int32_t lo, hi;

	bidx_date_parse("2016", 4, &d);
	bidx_date_span(&d, &lo, &hi);
	cr_assert_eq(lo, 20160101);
	cr_assert_eq(hi, 20161231);
	bidx_date_parse("2018-02", 7, &d);
	bidx_date_span(&d, &lo, &hi);
	cr_assert_eq(lo, 20180201);
	cr_assert_eq(hi, 20180228);
	bidx_date_parse("2024-02", 7, &d);
	bidx_date_span(&d, &lo, &hi);
	cr_assert_eq(hi, 20240229);
	bidx_date_parse("H28.9.16", 8, &d);
	bidx_date_span(&d, &lo, &hi);
	cr_assert_eq(lo, 20160916);
	cr_assert_eq(hi, 20160916);
	memset(&d, 0, sizeof d);
	bidx_date_span(&d, &lo, &hi);
	cr_assert_eq(lo, 0);
	cr_assert_eq(hi, 0);
}

Test(date, iso)
{
	bidx_date d = {2016, 9, 16, BIDX_DATE_DAY};
	char buf[BIDX_DATE_ISO_SIZE];

	bidx_date_iso(&d, buf);
	cr_assert_str_eq(buf, "2016-09-16");
	d.prec = BIDX_DATE_MONTH;
	bidx_date_iso(&d, buf);
	cr_assert_str_eq(buf, "2016-09");
	d.prec = BIDX_DATE_YEAR;
	bidx_date_iso(&d, buf);
	cr_assert_str_eq(buf, "2016");
	d.prec = BIDX_DATE_NONE;
	bidx_date_iso(&d, buf);
	cr_assert_str_eq(buf, "");
}

/* Every byte prefix of a date is parsed without reading past its end. */
Test(date, prefixes_stay_in_bounds)
{
	static const char *const s[] = {"平成二十八年九月十六日", "2012-09-04T12:45:00+0900",
	                                "Ｈ２８．９．１６", "令和元年5月1日"};
	size_t i, k, n;
	bidx_date d;
	char *copy;

	for (i = 0; i < sizeof s / sizeof s[0]; i++) {
		for (k = 0; k <= strlen(s[i]); k++) {
			copy = malloc(k ? k : 1);
			memcpy(copy, s[i], k);
			n = bidx_date_parse(copy, k, &d);
			cr_assert_leq(n, k);
			free(copy);
		}
	}
}

static void expect_span(const char *s, int32_t want_lo, int32_t want_hi)
{
	bidx_date d;
	int32_t lo, hi;

	cr_assert_eq(bidx_date_parse(s, strlen(s), &d), strlen(s), "%s: not all parsed", s);
	bidx_date_span(&d, &lo, &hi);
	cr_assert_eq(lo, want_lo, "%s: from %d, want %d", s, lo, want_lo);
	cr_assert_eq(hi, want_hi, "%s: to %d, want %d", s, hi, want_hi);
}

Test(date, fiscal_years)
{
	expect("令和6年度", "2024-04/2025-03", 0);
	expect("2024年度", "2024-04/2025-03", 0);
	expect("R6年度", "2024-04/2025-03", 0);
	expect("平成三十年度", "2018-04/2019-03", 0);
	expect("令和元年度", "2019-04/2020-03", 0);
	expect_span("令和6年度", 20240401, 20250331);
	expect_span("２０１９年度", 20190401, 20200331);
	/* in running text: the fiscal year, not the calendar year */
	expect_find("令和6年度の予算について", "令和6年度", "2024-04/2025-03");
	/* 年 followed by another word is still the calendar year */
	expect_find("2024年度々の", "2024年度", "2024-04/2025-03");
	expect("2024年頃", "2024", strlen("2024年"));
}

Test(date, ten_day_spans)
{
	expect("2024年5月上旬", "2024-05-01/2024-05-10", 0);
	expect("2024年5月初旬", "2024-05-01/2024-05-10", 0);
	expect("令和6年5月中旬", "2024-05-11/2024-05-20", 0);
	expect("2024年2月下旬", "2024-02-21/2024-02-29", 0);
	expect("2023年2月下旬", "2023-02-21/2023-02-28", 0);
	expect_span("2024年11月下旬", 20241121, 20241130);
	expect_find("2024年6月上旬に判明しました", "2024年6月上旬", "2024-06-01/2024-06-10");
	/* 中 alone is no span: the month */
	expect("2024年5月中に", "2024-05", strlen("2024年5月"));
}

Test(date, era_letters_alone_only_as_the_whole_input)
{
	expect("R6", "2024", 0);
	expect("H28", "2016", 0);
	expect("S63", "1988", 0);
	expect("Ｒ６", "2024", 0);
	expect("R6.5.1", "2024-05-01", 0);
	expect_none("R100");
	expect_none("H32");   /* 平成 ended in its 31st year */
	/* never in running text: model numbers, sizes */
	expect_find("型式 R6 を導入", NULL, NULL);
	expect_find("H28 サイズ", NULL, NULL);
}

Test(date, year_dot_month)
{
	expect("2024.11", "2024-11", 0);
	expect("2024.11.15", "2024-11-15", 0);
	expect_none("2024.13");
	expect_none("2024.11.45");
	expect_none("2024.115");
	expect_none("2024.11 第3号");
	expect_find("発行 2024.11 第3号", NULL, NULL);
	expect_find("2024.11", "2024.11", "2024-11");   /* a line, a cell of its own */
	expect_find("R6", "R6", "2024");
}

static void expect_range(const char *s, int32_t want_lo, int32_t want_hi)
{
	int32_t lo, hi;

	cr_assert_eq(bidx_date_range(s, strlen(s), &lo, &hi), 0, "%s: not a range", s);
	cr_assert_eq(lo, want_lo, "%s: from %d, want %d", s, lo, want_lo);
	cr_assert_eq(hi, want_hi, "%s: to %d, want %d", s, hi, want_hi);
}

static void expect_no_range(const char *s)
{
	int32_t lo, hi;

	cr_assert_eq(bidx_date_range(s, strlen(s), &lo, &hi), -1, "%s: read as %d..%d", s, lo, hi);
}

Test(date, ranges_as_queries_write_them)
{
	expect_range("2016", 20160101, 20161231);
	expect_range("2016..2018", 20160101, 20181231);
	expect_range("2016-2018", 20160101, 20181231);
	expect_range("2016～2018", 20160101, 20181231);
	expect_range("2016〜2018", 20160101, 20181231);
	expect_range("2016~2018", 20160101, 20181231);
	expect_range("2018-01-2019-03", 20180101, 20190331);
	expect_range("2018-01", 20180101, 20180131);      /* a month, not a range */
	expect_range("2024-05-01", 20240501, 20240501);
	expect_range("令和5年度～令和6年度", 20230401, 20250331);
	expect_range("H28..R1", 20160101, 20191231);
	expect_range("2024..", 20240101, 99991231);
	expect_range("..2024-03", 0, 20240331);
	expect_no_range("2018-2016");   /* ends before it starts */
	expect_no_range("2016-");
	expect_no_range("～2016");
	expect_no_range("..");
	expect_no_range("");
	expect_no_range("2016-abc");
}

#include "filter.h"

/* date: query values take every form a notice writes (searcher/filter.c). */
Test(date, query_values)
{
	static const struct { const char *q; int32_t lo, hi; } ok[] = {
		{"令和6年度", 20240401, 20250331}, {"R6", 20240101, 20241231},
		{"H28", 20160101, 20161231},       {"S63", 19880101, 19881231},
		{"R6.5.1", 20240501, 20240501},    {"2024.11", 20241101, 20241130},
		{"2016-2018", 20160101, 20181231}, {"2016～2018", 20160101, 20181231},
		{"2024年5月下旬", 20240521, 20240531}, {">=令和6年度", 20240401, 99991231},
		{"<2024.11", 0, 20241100}, /* before its first day */       {"2018-01..2019-03", 20180101, 20190331},
	};
	int32_t lo, hi;

	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		cr_assert_eq(bidx_filter_date_range(ok[i].q, &lo, &hi), 0, "date:%s refused", ok[i].q);
		cr_assert_eq(lo, ok[i].lo, "date:%s from %d", ok[i].q, lo);
		cr_assert_eq(hi, ok[i].hi, "date:%s to %d", ok[i].q, hi);
	}
	cr_assert_eq(bidx_filter_date_range(">=2016-2018", &lo, &hi), -1);
	cr_assert_eq(bidx_filter_date_range("R", &lo, &hi), -1);
	cr_assert_eq(bidx_filter_date_range("2018～2016", &lo, &hi), -1);
}
