/*
 * date.h - Japanese and Western dates, to ISO 8601 with their precision.
 *
 * Accepted (full-width digits and kanji numerals too, spaces between parts
 * allowed: PDF text often reads "平成 28 年 9 月 16 日"):
 *   2018年1月15日  2018年1月  2018年      Western, with 年月日
 *   平成28年9月16日  平成二十八年  令和元年5月1日  昭和64年  H28.9.16  R6.5.1
 *   2024.04.15  2024/4/15  2024-04-15  2024-04  2012-09-04T12:45:00+0900
 * Eras: 明治 (M, 1868), 大正 (T, 1912), 昭和 (S, 1926), 平成 (H, 1989),
 * 令和 (R, 2019); 元年 = year 1.  Month and day are range-checked (a day
 * must exist in its month).
 */
#ifndef BIDX_DATE_H
#define BIDX_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum bidx_date_prec { BIDX_DATE_NONE = 0, BIDX_DATE_YEAR = 1,
                              BIDX_DATE_MONTH = 2, BIDX_DATE_DAY = 3 } bidx_date_prec;

typedef struct bidx_date {
	int32_t y, m, d;          /* m, d are 0 when below the precision */
	bidx_date_prec prec;
} bidx_date;

/* Parses one date starting exactly at s[0..n).  Returns the number of bytes
 * consumed (> 0) and fills *out, or 0 when s does not start with a date. */
size_t bidx_date_parse(const char *s, size_t n, bidx_date *out);

/* Finds the first date anywhere in s[0..n) (skipping text before it);
 * returns its byte offset in *at and its length, or 0 when there is none. */
size_t bidx_date_find(const char *s, size_t n, size_t *at, bidx_date *out);

/* The first and last day a date covers, as yyyymmdd integers
 * (2016 -> 20160101..20161231, 2018-02 -> 20180201..20180228). */
void bidx_date_span(const bidx_date *d, int32_t *lo, int32_t *hi);

/* ISO 8601 text at its precision: "2016", "2016-09", "2016-09-16"; out has
 * room for 11 bytes. */
void bidx_date_iso(const bidx_date *d, char out[11]);

#endif
