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
	char buf[11];
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
	char buf[11];

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
	expect("2018年度", "2018", strlen("2018年"));
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
	expect_none("2024.04");        /* a dotted year.month reads like a decimal */
	expect_none("2024-04-155");
	expect_none("平成32年");       /* 平成 ended in its 31st year */
	expect_none("昭和65年");
	expect_none("令和0年");
	expect_none("平成28");
	expect_none("H28");
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
	char path[4096], *text, buf[11];
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
	char buf[11];

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
