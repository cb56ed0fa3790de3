/*
 * date.h - Japanese and Western dates, to ISO 8601 with their precision.
 *
 * Accepted (full-width digits and kanji numerals too, spaces between parts
 * allowed: PDF text often reads "平成 28 年 9 月 16 日"):
 *   2018年1月15日  2018年1月  2018年      Western, with 年月日
 *   平成28年9月16日  平成二十八年  令和元年5月1日  昭和64年  H28.9.16  R6.5.1
 *   2024.04.15  2024/4/15  2024-04-15  2024-04  2012-09-04T12:45:00+0900
 *   令和6年度  2024年度  R6年度           fiscal years (April to March)
 *   2024年5月上旬  令和6年5月下旬     ten-day thirds of a month (上旬/初旬, 中旬, 下旬)
 *   R6  H28  S63  2024.11          an era letter and a year, a dotted year.month:
 *                                  only as the whole input (a query's date:R6, a
 *                                  CSV cell, a line of its own), never inside text
 * Eras: 明治 (M, 1868), 大正 (T, 1912), 昭和 (S, 1926), 平成 (H, 1989),
 * 令和 (R, 2019); 元年 = year 1.  Month and day are range-checked (a day
 * must exist in its month).
 */
#ifndef BIDX_DATE_H
#define BIDX_DATE_H

#include <stddef.h>
#include <stdint.h>

/* What a date covers.  FISCAL is a Japanese fiscal year (年度: April 1 of y
 * to March 31 of y+1); TENDAY a third of a month (上旬 d = 1, 中旬 d = 11,
 * 下旬 d = 21, to the month's end). */
typedef enum bidx_date_prec { BIDX_DATE_NONE = 0, BIDX_DATE_YEAR = 1,
                              BIDX_DATE_MONTH = 2, BIDX_DATE_DAY = 3,
                              BIDX_DATE_FISCAL = 4, BIDX_DATE_TENDAY = 5 } bidx_date_prec;

typedef struct bidx_date {
	int32_t y, m, d;          /* m, d are 0 when below the precision */
	bidx_date_prec prec;
} bidx_date;

/* Room for bidx_date_iso's text and its NUL ("2024-05-21/2024-05-31"). */
#define BIDX_DATE_ISO_SIZE 24

/* Parses one date starting exactly at s[0..n).  Returns the number of bytes
 * consumed (> 0) and fills *out, or 0 when s does not start with a date. */
size_t bidx_date_parse(const char *s, size_t n, bidx_date *out);

/* Finds the first date anywhere in s[0..n) (skipping text before it);
 * returns its byte offset in *at and its length, or 0 when there is none.
 * When all of s is one date, that date (whole-input forms included). */
size_t bidx_date_find(const char *s, size_t n, size_t *at, bidx_date *out);

/* The first and last day a date covers, as yyyymmdd integers
 * (2016 -> 20160101..20161231, 2018-02 -> 20180201..20180228,
 * 令和6年度 -> 20240401..20250331, 2024年5月下旬 -> 20240521..20240531). */
void bidx_date_span(const bidx_date *d, int32_t *lo, int32_t *hi);

/* ISO 8601 text at its precision: "2016", "2016-09", "2016-09-16"; a fiscal
 * year or a ten-day span as an ISO 8601 interval, "2024-04/2025-03",
 * "2024-05-21/2024-05-31". */
void bidx_date_iso(const bidx_date *d, char out[BIDX_DATE_ISO_SIZE]);

/* A date range as a query writes it, the whole of s[0..n): one date (its
 * span), or two joined by "..", "～", "〜", "~", or
 * a "-" where no other reading is one date (2016-2018, 2018-01-2019-03).  Either end
 * of ".." may be left out (open).  Sets *lo..*hi (yyyymmdd; an open end is
 * 0 or 99991231) and returns 0, or -1 when s is no date or range, or the
 * range ends before it starts. */
int bidx_date_range(const char *s, size_t n, int32_t *lo, int32_t *hi);

#endif
