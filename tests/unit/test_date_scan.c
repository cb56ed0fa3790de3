/*
 * test_date_scan.c - bidx_date_find's scan passes over the characters that
 * cannot start a date (ASCII, then kana and kanji by their first two bytes)
 * and parses the whole input only when it may be one date.  It must find
 * what trying every character finds: the scan as it was (every character
 * decoded and tested) is kept here as the reference, built from date.c's
 * own static functions, and both run on random texts of date pieces, kanji
 * that share their first two bytes with a date's, stray and invalid bytes.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "date.c"   /* the static starts_date, may_start, parse_at */

/* The scan before: every character decoded and tested. */
static size_t find_every_char(const char *s, size_t n, size_t *at, bidx_date *out)
{
	size_t i = 0, prev = 0, r;
	uint32_t c;
	int k;

	*at = 0;
	r = bidx_date_parse(s, n, out);
	if (r == n)
		return r;
	while (i < n) {
		if ((uint8_t)s[i] < 0x80 && !starts_date((uint8_t)s[i])) {
			prev = i++;
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

static void same_as_every_char(const char *s, size_t n)
{
	bidx_date a, b;
	size_t at_a, at_b;
	memset(&a, 0x55, sizeof a);
	memset(&b, 0x55, sizeof b);
	size_t ra = bidx_date_find(s, n, &at_a, &a), rb = find_every_char(s, n, &at_b, &b);
	cr_assert_eq(ra, rb, "%.*s: length %zu, want %zu", (int)n, s, ra, rb);
	cr_assert_eq(at_a, at_b, "%.*s: at %zu, want %zu", (int)n, s, at_a, at_b);
	cr_assert(a.y == b.y && a.m == b.m && a.d == b.d && a.prec == b.prec,
	          "%.*s: %d-%d-%d/%d, want %d-%d-%d/%d", (int)n, s, a.y, a.m, a.d, a.prec, b.y, b.m,
	          b.d, b.prec);
}

/* Every kana and kanji of three bytes (U+1000..U+CFFF) is passed over
 * exactly when no character with its first two bytes may start a date. */
Test(date_scan, pair_table_agrees_with_starts_date)
{
	pthread_once(&pairs_once, pairs_init);
	for (uint32_t c = 0x1000; c <= 0xCFFF; c++) {
		uint8_t u[3] = {(uint8_t)(0xE0 | c >> 12), (uint8_t)(0x80 | (c >> 6 & 63)),
		                (uint8_t)(0x80 | (c & 63))};
		if (starts_date(c))
			cr_assert(!passes_over(u, 3, 0), "U+%04X starts a date but is passed over", c);
		int shared = 0;   /* does a date's character share the first two bytes? */
		for (uint32_t d = c & ~63u; d < (c & ~63u) + 64; d++)
			shared |= starts_date(d);
		cr_assert_eq(passes_over(u, 3, 0), !shared, "U+%04X", c);
	}
}

static const char *const pieces[] = {
	"明治", "大正", "昭和", "平成", "令和", "元", "年", "月", "日", "度", "上旬", "下旬",
	"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "零",
	"映", "夫", "天", "昨", "仕", "上", "丸", "公", "半", "国", "白", "雪",   /* share two bytes */
	"の", "に", "お知らせ", "。", "、", "(", ")", "～", "~", "-", "/", ".", ",", ":",
	"0", "1", "2", "9", "20", "2024", "1989", "０", "１", "２", "Ｒ", "Ｈ", "Ｍ",
	"M", "T", "S", "H", "R", "a", "x", "ID", " ", "\t", "　", "\n",
	"\x80", "\xE6", "\xE6\x98", "\xE0\x80\x80", "\xED\xA0\x80", "\xEF\xBF\xBF", "\xF0\x9F\x98\x80",
	"\xC3\xA9", "\xE4\xB8",
};

Test(date_scan, random_texts_find_what_every_character_finds)
{
	const size_t np = sizeof pieces / sizeof *pieces;
	char buf[200];

	srand(42);
	for (int round = 0; round < 20000; round++) {
		size_t n = 0, want = (size_t)rand() % 60;
		while (n < want && n < sizeof buf - 16) {
			const char *p = pieces[(size_t)rand() % np];
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		}
		for (size_t cut = 0; cut < 4 && cut <= n; cut++)   /* starts inside characters too */
			same_as_every_char(buf + cut, n - cut);
		same_as_every_char(buf, n > 0 ? n - 1 : 0);       /* and ends */
	}
}

/* Every line of the seed and municipal notices, and every piece of a line
 * from each of its character starts, as the facts read them (a line, then
 * its sentences); the municipal rows hold dates of every era form. */
static int same_in_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char line[8192];
	int lines = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, "\n");
		for (size_t from = 0; from < n; from++)   /* a sentence is shorter than 400 bytes */
			if (((uint8_t)line[from] & 0xC0) != 0x80)
				same_as_every_char(line + from, n - from < 400 ? n - from : 400);
		lines++;
	}
	fclose(f);
	return lines;
}

Test(date_scan, seed_and_municipal_notices_same_dates)
{
	static const char *const sets[] = {"seeds", "municipal"}, *const files[] = {"*.txt",
	                                                                           "csv/*.csv"};
	int lines = 0;
	for (size_t k = 0; k < 2; k++) {
		const char *dir = tu_corpus(sets[k]);
		cr_assert(dir, "no %s corpus", sets[k]);
		char cmd[4200];
		snprintf(cmd, sizeof cmd, "ls '%s'/%s", dir, files[k]);
		FILE *ls = popen(cmd, "r");
		cr_assert(ls);
		char path[4096];
		while (fgets(path, sizeof path, ls)) {
			path[strcspn(path, "\n")] = 0;
			lines += same_in_file(path);
		}
		pclose(ls);
	}
	cr_assert_gt(lines, 20, "only %d lines read", lines);
}
