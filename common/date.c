/*
 * date.c - Japanese and Western dates in running text.
 *
 * The parser reads the original UTF-8 bytes (not normalised text) so that the
 * lengths it returns are byte lengths of the caller's text.  It recognises
 * digits itself: ASCII, full-width (０-９) and kanji numerals, either
 * positional (二〇一八) or with 十/百/千 (二十八, 千九百八十九).
 *
 * Grammar (sp = space, tab or U+3000, allowed between any two parts):
 *   date    = era-date | west-date | bare-year
 *   era     = 明治|大正|昭和|平成|令和 | M|T|S|H|R (ASCII or full-width)
 *   era-date= era num|元 年 [num 月 [num 日]]      (kanji or letter era)
 *           | letter-era num sep num sep num        (H28.9.16)
 *   west-date = year 年 [num 月 [num 日]]
 *           | year sep mm [sep dd [T time [zone]]] (sep . / - ; "." needs dd)
 *   bare-year = 4 digits, 1868..2100, and nothing else in the input
 * After 年 may come 度 (a fiscal year); after 月, 上旬/初旬/中旬/下旬 (a
 * ten-day span).  A letter era with a year alone (R6) and a year.month
 * with dots (2024.11) are dates only as the whole input (a query's value, a
 * CSV cell, a line of their own): in running text they read like model
 * numbers and decimals.
 * A year is four Arabic digits 1000..2999 (a kanji year needs 年 after it).
 * A month or day that is spelled out but does not exist (13月, 2月30日)
 * makes the whole thing "not a date" rather than a shorter date, since the
 * text is then most likely not a date at all.
 */
#include "date.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "normalize.h"

#define YEAR_MIN 1000
#define YEAR_MAX 2999
#define BARE_MIN 1868
#define BARE_MAX 2100

typedef struct era {
	const char *kanji;  /* UTF-8 name */
	uint32_t letter;    /* ASCII abbreviation */
	int32_t base;       /* Gregorian year of the era's year 1 */
	int32_t last;       /* last era year that exists */
} era;

static const era eras[] = {
	{"明治", 'M', 1868, 45}, {"大正", 'T', 1912, 15}, {"昭和", 'S', 1926, 64},
	{"平成", 'H', 1989, 31}, {"令和", 'R', 2019, 99},
};
#define NERAS (sizeof eras / sizeof eras[0])

/* A number as read: its value and how it was written. */
typedef struct num {
	int64_t v;
	int ndigits;   /* Arabic digits read (0 for kanji numerals) */
	int kanji;     /* 1 when written in kanji numerals */
} num;

/* Code point at s[i]; its byte length, or 0 at the end or on bad UTF-8. */
static int cp_at(const char *s, size_t n, size_t i, uint32_t *cp)
{
	if (i >= n)
		return 0;
	return bidx_utf8_decode((const uint8_t *)s + i, n - i, cp);
}

static int arabic_digit(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 0xFF10 && c <= 0xFF19)
		return (int)(c - 0xFF10);
	return -1;
}

static int kanji_digit(uint32_t c)
{
	static const uint32_t digits[] = {0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
	                                  0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D};
	size_t k;

	for (k = 0; k < 10; k++)
		if (c == digits[k])
			return (int)k;
	if (c == 0x96F6)  /* 零 */
		return 0;
	return -1;
}

static int kanji_unit(uint32_t c)
{
	if (c == 0x5341)  /* 十 */
		return 10;
	if (c == 0x767E)  /* 百 */
		return 100;
	if (c == 0x5343)  /* 千 */
		return 1000;
	return 0;
}

/* Maps full-width ASCII (U+FF01..U+FF5E) to ASCII. */
static uint32_t ascii_of(uint32_t c)
{
	if (c >= 0xFF01 && c <= 0xFF5E)
		return c - 0xFF01 + 0x21;
	return c;
}

static int is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == 0x3000;
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	uint32_t c;
	int k;

	while ((k = cp_at(s, n, i, &c)) > 0 && is_space(c))
		i += (size_t)k;
	return i;
}

/* Length of the character c at s[i], or 0 when something else is there. */
static int match_cp(const char *s, size_t n, size_t i, uint32_t want)
{
	uint32_t c;
	int k = cp_at(s, n, i, &c);

	return k > 0 && c == want ? k : 0;
}

static num *clear_num(num *v)
{
	memset(v, 0, sizeof *v);
	return v;
}

static size_t read_arabic(const char *s, size_t n, size_t i, num *out)
{
	uint32_t c;
	int k, d;

	while ((k = cp_at(s, n, i, &c)) > 0 && (d = arabic_digit(c)) >= 0) {
		if (out->ndigits < 12)
			out->v = out->v * 10 + d;
		out->ndigits++;
		i += (size_t)k;
	}
	return i;
}

/* Kanji numerals: positional (二〇一八) when no 十/百/千 occurs, otherwise
 * additive with multipliers (千九百八十九). */
static size_t read_kanji(const char *s, size_t n, size_t i, num *out)
{
	int64_t total = 0, cur = 0, positional = 0;
	int have_unit = 0, count = 0, d, u, k;
	uint32_t c;

	while ((k = cp_at(s, n, i, &c)) > 0 && count < 12) {
		if ((d = kanji_digit(c)) >= 0) {
			cur = cur * 10 + d;
			positional = positional * 10 + d;
		} else if ((u = kanji_unit(c)) > 0) {
			total += (cur ? cur : 1) * u;
			cur = 0;
			have_unit = 1;
		} else {
			break;
		}
		count++;
		i += (size_t)k;
	}
	out->v = have_unit ? total + cur : positional;
	return i;
}

/* Reads a number at s[i]; returns the index after it, or i when none. */
static size_t read_num(const char *s, size_t n, size_t i, num *out)
{
	uint32_t c;

	memset(out, 0, sizeof *out);
	if (cp_at(s, n, i, &c) == 0)
		return i;
	if (arabic_digit(c) >= 0)
		return read_arabic(s, n, i, out);
	if (kanji_digit(c) >= 0 || kanji_unit(c) > 0) {
		out->kanji = 1;
		return read_kanji(s, n, i, out);
	}
	return i;
}

static int is_leap(int32_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int32_t days_in_month(int32_t y, int32_t m)
{
	static const int32_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && is_leap(y))
		return 29;
	return days[m - 1];
}

/* A month or day number: 1-2 Arabic digits or a kanji numeral. */
static int small_num(const num *v)
{
	return v->kanji || (v->ndigits >= 1 && v->ndigits <= 2);
}

/* 上旬/初旬 (1), 中旬 (11) or 下旬 (21) at i: the first day of the span, and
 * the length of the word in *len; 0 when there is none. */
static int32_t tenday_at(const char *s, size_t n, size_t i, int *len)
{
	static const struct { uint32_t first; int32_t day; } words[] = {
		{0x4E0A /* 上 */, 1}, {0x521D /* 初 */, 1}, {0x4E2D /* 中 */, 11}, {0x4E0B /* 下 */, 21},
	};
	uint32_t c;
	int k = cp_at(s, n, i, &c), k2;

	for (size_t w = 0; k > 0 && w < sizeof words / sizeof *words; w++)
		if (c == words[w].first && (k2 = match_cp(s, n, i + (size_t)k, 0x65EC /* 旬 */))) {
			*len = k + k2;
			return words[w].day;
		}
	return 0;
}

/* After "...年" at i: 度 | [num 月 [上旬|中旬|下旬 | num 日]].  Returns the end
 * of the date, or 0 when a month or day is written but does not exist. */
static size_t parse_md_kanji(const char *s, size_t n, size_t i, bidx_date *out)
{
	size_t j, end = i;
	int32_t third;
	num v;
	int k;

	if ((k = match_cp(s, n, i, 0x5EA6 /* 度 */))) {
		out->prec = BIDX_DATE_FISCAL;
		return i + (size_t)k;
	}
	j = read_num(s, n, skip_spaces(s, n, i), &v);
	if (!small_num(&v) || !(k = match_cp(s, n, skip_spaces(s, n, j), 0x6708 /* 月 */)))
		return end;
	if (v.v < 1 || v.v > 12)
		return 0;
	out->m = (int32_t)v.v;
	out->prec = BIDX_DATE_MONTH;
	end = skip_spaces(s, n, j) + (size_t)k;
	if ((third = tenday_at(s, n, skip_spaces(s, n, end), &k)) > 0) {
		out->d = third;
		out->prec = BIDX_DATE_TENDAY;
		return skip_spaces(s, n, end) + (size_t)k;
	}
	j = read_num(s, n, skip_spaces(s, n, end), &v);
	if (!small_num(&v) || !(k = match_cp(s, n, skip_spaces(s, n, j), 0x65E5 /* 日 */)))
		return end;
	if (v.v < 1 || v.v > days_in_month(out->y, out->m))
		return 0;
	out->d = (int32_t)v.v;
	out->prec = BIDX_DATE_DAY;
	return skip_spaces(s, n, j) + (size_t)k;
}

/* A separator . / - (ASCII or full-width) at i: returns it and its length. */
static uint32_t sep_at(const char *s, size_t n, size_t i, int *len)
{
	uint32_t c;

	*len = cp_at(s, n, i, &c);
	if (*len == 0)
		return 0;
	c = ascii_of(c);
	return c == '.' || c == '/' || c == '-' ? c : 0;
}

/* An ISO time and zone after the date: T12:45:00[.123][Z|+0900|+09:00]. */
static size_t skip_time(const char *s, size_t n, size_t i)
{
	uint32_t c;
	int k;

	k = cp_at(s, n, i, &c);
	if (k != 1 || c != 'T' || cp_at(s, n, i + 1, &c) != 1 || arabic_digit(c) < 0)
		return i;
	i++;
	while (cp_at(s, n, i, &c) == 1 && (arabic_digit(c) >= 0 || c == ':' || c == '.' ||
	                                   c == ','))
		i++;
	if (cp_at(s, n, i, &c) == 1 && c == 'Z')
		return i + 1;
	if (cp_at(s, n, i, &c) == 1 && (c == '+' || c == '-') &&
	    cp_at(s, n, i + 1, &c) == 1 && arabic_digit(c) >= 0) {
		i++;
		while (cp_at(s, n, i, &c) == 1 && (arabic_digit(c) >= 0 || c == ':'))
			i++;
	}
	return i;
}

/* After the year at i: sep mm [sep dd [time]].  need_day: the form is only
 * a date with all three parts (H28.9.16); whole: s[0..n) is all the input.
 * Returns the end or 0. */
static size_t parse_md_sep(const char *s, size_t n, size_t i, int need_day, int whole,
                           bidx_date *out)
{
	uint32_t sep, sep2;
	size_t j;
	num v;
	int k, k2;

	sep = sep_at(s, n, i, &k);
	if (!sep)
		return 0;
	j = read_arabic(s, n, i + (size_t)k, clear_num(&v));
	if (v.ndigits < 1 || v.ndigits > 2 || v.v < 1 || v.v > 12)
		return 0;
	out->m = (int32_t)v.v;
	out->prec = BIDX_DATE_MONTH;
	sep2 = sep_at(s, n, j, &k2);
	if (sep2 != sep || cp_at(s, n, j + (size_t)k2, &sep2) == 0 || arabic_digit(sep2) < 0) {
		/* in running text 2024.11 reads like a decimal: a month only as
		 * the whole input */
		if (need_day || (sep == '.' && !(whole && j == n)))
			return 0;
		return j;
	}
	j = read_arabic(s, n, j + (size_t)k2, clear_num(&v));
	if (v.ndigits > 2 || v.v < 1 || v.v > days_in_month(out->y, out->m))
		return 0;
	out->d = (int32_t)v.v;
	out->prec = BIDX_DATE_DAY;
	return skip_time(s, n, j);
}

/* An era name at i: its index in eras[] and its length in *len, or -1. */
static int era_at(const char *s, size_t n, size_t i, int *len, int *letter)
{
	uint32_t c;
	size_t e, kl;
	int k;

	for (e = 0; e < NERAS; e++) {
		kl = strlen(eras[e].kanji);
		if (n - i >= kl && memcmp(s + i, eras[e].kanji, kl) == 0) {
			*len = (int)kl;
			*letter = 0;
			return (int)e;
		}
	}
	k = cp_at(s, n, i, &c);
	for (e = 0; k > 0 && e < NERAS; e++) {
		if (ascii_of(c) == eras[e].letter) {
			*len = k;
			*letter = 1;
			return (int)e;
		}
	}
	return -1;
}

/* whole: s[0..n) is all the input (a query's value), not running text. */
static size_t parse_era(const char *s, size_t n, int whole, bidx_date *out)
{
	size_t i, j;
	int e, len, letter, k;
	num v;

	e = era_at(s, n, 0, &len, &letter);
	if (e < 0)
		return 0;
	i = letter ? (size_t)len : skip_spaces(s, n, (size_t)len);
	if (!letter && (k = match_cp(s, n, i, 0x5143 /* 元 */))) {
		v.v = 1;
		v.kanji = 1;
		j = i + (size_t)k;
	} else {
		j = read_num(s, n, i, &v);
		if (letter && v.kanji)
			return 0;
	}
	if (j == i || !small_num(&v) || v.v < 1 || v.v > eras[e].last)
		return 0;
	memset(out, 0, sizeof *out);
	out->y = eras[e].base + (int32_t)v.v - 1;
	out->prec = BIDX_DATE_YEAR;
	if ((k = match_cp(s, n, skip_spaces(s, n, j), 0x5E74 /* 年 */)))
		return parse_md_kanji(s, n, skip_spaces(s, n, j) + (size_t)k, out);
	if (!letter)
		return 0;
	if (sep_at(s, n, j, &k))
		return parse_md_sep(s, n, j, 1, whole, out);
	return whole && j == n ? j : 0;   /* R6: the whole input only */
}

static size_t parse_western(const char *s, size_t n, int whole, bidx_date *out)
{
	size_t j;
	num v;
	int k;

	j = read_num(s, n, 0, &v);
	if (j == 0 || v.v < YEAR_MIN || v.v > YEAR_MAX || (!v.kanji && v.ndigits != 4))
		return 0;
	memset(out, 0, sizeof *out);
	out->y = (int32_t)v.v;
	out->prec = BIDX_DATE_YEAR;
	if ((k = match_cp(s, n, skip_spaces(s, n, j), 0x5E74 /* 年 */)))
		return parse_md_kanji(s, n, skip_spaces(s, n, j) + (size_t)k, out);
	return v.kanji ? 0 : parse_md_sep(s, n, j, 0, whole, out);
}

/* The whole input, trimmed, is a bare four-digit year (a query's date:2016). */
static size_t parse_bare_year(const char *s, size_t n, bidx_date *out)
{
	size_t i = skip_spaces(s, n, 0), j, end = n;
	uint32_t c;
	num v;

	while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	while (end >= i + 3 && memcmp(s + end - 3, "\xE3\x80\x80", 3) == 0)
		end -= 3;  /* U+3000 */
	if (cp_at(s, end, i, &c) == 0 || arabic_digit(c) < 0)
		return 0;
	j = read_arabic(s, end, i, clear_num(&v));
	if (j != end || v.ndigits != 4 || v.v < BARE_MIN || v.v > BARE_MAX)
		return 0;
	memset(out, 0, sizeof *out);
	out->y = (int32_t)v.v;
	out->prec = BIDX_DATE_YEAR;
	return n;
}

static size_t parse_at(const char *s, size_t n, int whole, bidx_date *out)
{
	size_t r;

	memset(out, 0, sizeof *out);
	r = parse_era(s, n, whole, out);
	if (r == 0)
		r = parse_western(s, n, whole, out);
	if (r == 0)
		memset(out, 0, sizeof *out);
	return r;
}

size_t bidx_date_parse(const char *s, size_t n, bidx_date *out)
{
	size_t r = parse_bare_year(s, n, out);

	return r ? r : parse_at(s, n, 1, out);
}

/* May a date start at s[i], given the character before it?  Not inside a
 * longer digit run ("120180年"), a number like 1.2018 or 03-2018, a kanji
 * numeral or a word (ASCII letters before an era letter). */
static int may_start(const char *s, size_t n, size_t i, size_t prev)
{
	uint32_t c, p = 0, pp = 0;
	size_t k;

	if (cp_at(s, n, i, &c) == 0)
		return 0;
	if (i > 0)
		cp_at(s, n, prev, &p);
	p = ascii_of(p);
	if (arabic_digit(c) >= 0) {
		if (arabic_digit(p) >= 0)
			return 0;
		if ((p == '.' || p == '-' || p == '/' || p == ',') && prev > 0) {
			for (k = prev - 1; k > 0 && ((uint8_t)s[k] & 0xC0) == 0x80; k--)
				;
			cp_at(s, n, k, &pp);
			return arabic_digit(pp) < 0;
		}
		return 1;
	}
	if (kanji_digit(c) >= 0 || kanji_unit(c) > 0)
		return kanji_digit(p) < 0 && kanji_unit(p) == 0;
	c = ascii_of(c);
	if (c < 0x80)
		return !((p >= 'A' && p <= 'Z') || (p >= 'a' && p <= 'z') || arabic_digit(p) >= 0);
	return 1;
}

/* Can a date start with c?  Only with what parse_era or parse_western
 * reads first: an Arabic digit, a kanji numeral, the first character of an
 * era name or an era letter (ASCII or full-width).  Anything else is
 * passed over without parsing, which is what makes the scan cheap. */
static int starts_date(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || c == 'M' || c == 'T' || c == 'S' || c == 'H' ||
		       c == 'R';
	if (c < 0x4E00)   /* kana and punctuation, the most common */
		return c == 0x3007;   /* 〇 */
	if (c >= 0xFF10)
		return c <= 0xFF19 || c == 0xFF2D || c == 0xFF34 || c == 0xFF33 || c == 0xFF28 ||
		       c == 0xFF32;
	switch (c) {
	case 0x660E: case 0x5927: case 0x662D: case 0x5E73: case 0x4EE4:  /* 明大昭平令 */
	case 0x5341: case 0x767E: case 0x5343:                             /* 十百千 */
	case 0x4E00: case 0x4E8C: case 0x4E09: case 0x56DB: case 0x4E94:  /* 一二三四五 */
	case 0x516D: case 0x4E03: case 0x516B: case 0x4E5D: case 0x96F6:  /* 六七八九零 */
		return 1;
	default:
		return 0;
	}
}

/* The characters of three bytes E1..EC 80..BF 80..BF (U+1000..U+CFFF, kana
 * and most kanji; every such sequence is valid UTF-8) that may start a date:
 * bit b1 & 63 of pairs[b0 & 15] is set when some character with the first
 * two bytes b0 b1 does (starts_date). */
static uint64_t pairs[16];
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;

static void pairs_init(void)
{
	for (uint32_t c = 0x1000; c <= 0xCFFF; c++)
		if (starts_date(c))
			pairs[c >> 12] |= 1ull << (c >> 6 & 63);
}

/* Is s[i..i+3) such a character that cannot start a date? */
static inline int passes_over(const uint8_t *s, size_t n, size_t i)
{
	unsigned b0 = s[i];
	return b0 - 0xE1u < 12 && n - i >= 3 && (s[i + 1] & 0xC0) == 0x80 &&
	       (s[i + 2] & 0xC0) == 0x80 && !(pairs[b0 & 15] >> (s[i + 1] & 63) & 1);
}

/* Can s[0..n) be one date (bidx_date_parse)?  Only when it starts with what a
 * date starts with, or with a space (a bare year's). */
static int may_be_whole(const char *s, size_t n)
{
	uint32_t c;
	return cp_at(s, n, 0, &c) > 0 && (starts_date(c) || is_space(c));
}

size_t bidx_date_find(const char *s, size_t n, size_t *at, bidx_date *out)
{
	size_t i = 0, prev = 0, r;
	const uint8_t *u = (const uint8_t *)s;
	uint32_t c;
	int k;

	*at = 0;
	r = may_be_whole(s, n) ? bidx_date_parse(s, n, out) : 0;
	if (r == n && r)
		return r;   /* all of s is one date: the forms only whole inputs have too */
	pthread_once(&pairs_once, pairs_init);
	while (i < n) {
		if (u[i] < 0x80 && !starts_date(u[i])) {
			prev = i++;   /* the common case, without decoding */
			continue;
		}
		if (passes_over(u, n, i)) {   /* kana and kanji, two tests */
			prev = i;
			i += 3;
			continue;
		}
		k = bidx_utf8_decode((const uint8_t *)s + i, n - i, &c);
		if (k > 0 && starts_date(c) && may_start(s, n, i, prev) &&
		    (r = parse_at(s + i, n - i, 0, out)) > 0) {
			*at = i;
			return r;
		}
		prev = i;
		i += k > 0 ? (size_t)k : 1;
	}
	memset(out, 0, sizeof *out);
	return 0;
}

void bidx_date_span(const bidx_date *d, int32_t *lo, int32_t *hi)
{
	int32_t y = d->y;

	switch (d->prec) {
	case BIDX_DATE_YEAR:
		*lo = y * 10000 + 101;
		*hi = y * 10000 + 1231;
		return;
	case BIDX_DATE_MONTH:
		*lo = y * 10000 + d->m * 100 + 1;
		*hi = y * 10000 + d->m * 100 + days_in_month(y, d->m);
		return;
	case BIDX_DATE_DAY:
		*lo = *hi = y * 10000 + d->m * 100 + d->d;
		return;
	case BIDX_DATE_FISCAL:
		*lo = y * 10000 + 401;
		*hi = (y + 1) * 10000 + 331;
		return;
	case BIDX_DATE_TENDAY:
		*lo = y * 10000 + d->m * 100 + d->d;
		*hi = y * 10000 + d->m * 100 + (d->d >= 21 ? days_in_month(y, d->m) : d->d + 9);
		return;
	case BIDX_DATE_NONE:
		break;
	}
	*lo = *hi = 0;
}

void bidx_date_iso(const bidx_date *d, char out[BIDX_DATE_ISO_SIZE])
{
	char buf[64];   /* room for any ints, so the compiler sees no truncation */
	int y = d->y < 0 ? 0 : d->y > 9998 ? 9998 : d->y;
	unsigned m = (unsigned)d->m % 100u, dd = (unsigned)d->d % 100u;
	int32_t lo, hi;

	buf[0] = '\0';
	if (d->prec == BIDX_DATE_YEAR)
		snprintf(buf, sizeof buf, "%04d", y);
	else if (d->prec == BIDX_DATE_MONTH)
		snprintf(buf, sizeof buf, "%04d-%02u", y, m);
	else if (d->prec == BIDX_DATE_DAY)
		snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, dd);
	else if (d->prec == BIDX_DATE_FISCAL)
		snprintf(buf, sizeof buf, "%04d-04/%04d-03", y, y + 1);
	else if (d->prec == BIDX_DATE_TENDAY) {
		bidx_date_span(d, &lo, &hi);
		snprintf(buf, sizeof buf, "%04d-%02u-%02u/%04d-%02u-%02u", y, m, dd, y, m,
		         (unsigned)(hi % 100));
	}
	buf[BIDX_DATE_ISO_SIZE - 1] = '\0';   /* y <= 9998: at most 21 bytes */
	memcpy(out, buf, strlen(buf) + 1);
}

/* The whole of s[0..n) as one date: its span; 0, or -1 when it is none. */
static int whole_span(const char *s, size_t n, int32_t *lo, int32_t *hi)
{
	bidx_date d;

	if (n == 0 || bidx_date_parse(s, n, &d) != n)
		return -1;
	bidx_date_span(&d, lo, hi);
	return 0;
}

int bidx_date_range(const char *s, size_t n, int32_t *lo, int32_t *hi)
{
	static const char *const joins[] = {"..", "\xEF\xBD\x9E" /* ～ */, "\xE3\x80\x9C" /* 〜 */,
	                                    "~", "-"};
	int32_t alo, ahi, blo, bhi;

	*lo = 0;
	*hi = 99991231;
	if (whole_span(s, n, lo, hi) == 0)
		return 0;
	for (size_t j = 0; j < sizeof joins / sizeof *joins; j++) {
		size_t jl = strlen(joins[j]);
		for (size_t i = 0; i + jl <= n; i++) {
			if (memcmp(s + i, joins[j], jl) != 0)
				continue;
			size_t bl = n - i - jl;
			int open_ok = j == 0;   /* only ".." may leave an end open */
			if ((i == 0 && !(open_ok && bl)) || (bl == 0 && !(open_ok && i)))
				continue;
			if (i && whole_span(s, i, &alo, &ahi))
				continue;
			if (bl && whole_span(s + i + jl, bl, &blo, &bhi))
				continue;
			*lo = i ? alo : 0;
			*hi = bl ? bhi : 99991231;
			return *lo <= *hi ? 0 : -1;
		}
	}
	return -1;
}
