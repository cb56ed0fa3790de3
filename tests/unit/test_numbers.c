/*
 * test_numbers.c - numbers in a query word: every way of writing the same
 * value finds the others (Arabic digits, digit-group commas, kanji numerals,
 * the large units 万 億 兆 with Arabic or kanji digits, digits one by one),
 * and no alternative names another value.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "testutil.h"
#include "variants.h"

static bidx_norm norm(const char *s)
{
	bidx_norm n;
	cr_assert_eq(bidx_normalize(s, strlen(s), 1, &n), BIDX_OK, "%s", s);
	return n;
}

static bidx_alts alts_of(const char *q)
{
	bidx_norm nq = norm(q);
	bidx_alts a;
	cr_assert_eq(bidx_variants_expand(nq.cp, nq.nchars, 4096, &a), BIDX_OK, "%s", q);
	bidx_norm_free(&nq);
	return a;
}

/* Whether some alternative of query q is a substring of d's normal form. */
static int found(const char *q, const char *d)
{
	bidx_alts a = alts_of(q);
	bidx_norm nd = norm(d);
	int hit = 0;
	for (uint32_t i = 0; i < a.n; i++)
		hit |= strstr(nd.text, a.text[i]) != NULL;
	bidx_alts_free(&a);
	bidx_norm_free(&nd);
	return hit;
}

static int starts(const char *s, const char *w)
{
	return !strncmp(s, w, strlen(w));
}

static unsigned long long rnd_state = 0x9e3779b97f4a7c15ull;

static unsigned long long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Every form of one value finds every other, in both directions. */
Test(numbers, forms_of_one_value_find_each_other)
{
	static const char *const groups[][6] = {
		{"2千", "2000", "2,000", "二千"},
		{"1万2千", "12000", "12,000", "一万二千", "1万2000"},
		{"4万8685", "48685", "48,685", "四万八千六百八十五"},
		{"1,200万", "1200万", "千二百万", "12000000", "12,000,000"},
		{"1億2千万", "120000000", "120,000,000", "一億二千万", "1億2000万"},
		{"3万", "30000", "30,000", "三万"},
		{"百万", "1000000", "1,000,000", "100万"},
		{"2024", "二〇二四", "二千二十四", "2,024"},
		{"十五", "15"},
	};
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
		for (int i = 0; i < 6 && groups[g][i]; i++)
			for (int j = 0; j < 6 && groups[g][j]; j++) {
				char q[96], d[128];
				snprintf(q, sizeof q, "%s件", groups[g][i]);
				snprintf(d, sizeof d, "被害は約%s件です", groups[g][j]);
				cr_expect(found(q, d), "\"%s\" does not find \"%s\"", q, d);
			}
}

/* What names another value finds nothing: 2千 is no 21000 (2, then 千 as
 * 1000), a bare number or a decimal is left as written. */
Test(numbers, no_other_value)
{
	static const char *const cases[][2] = {
		{"2千人", "21000人"},
		{"3千件", "31000件"},
		{"1万2千人", "1万21000人"},
		{"3.5万", "3.五万"},
		{"9", "九州"},
		{"九", "9月"},
		{"0120", "百二十"},
		{"2千人", "2100人"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		cr_expect(!found(cases[i][0], cases[i][1]), "\"%s\" finds \"%s\"", cases[i][0],
		          cases[i][1]);
}

/* Random values in every form: each alternative of the query holds the same
 * value at the same place, and the main forms are all among them. */
Test(numbers, random_values_keep_their_value)
{
	static const unsigned long long tops[] = {10, 100, 10000, 1000000, 100000000,
	                                          10000000000ull, 1000000000000ull};
	int checked = 0;
	for (int t = 0; t < 3000; t++) {
		unsigned long long v = 1 + rnd() % tops[t % 7];
		if (rnd() % 3 == 0)   /* round values: 3千, 1万2千 */
			v -= v % (rnd() % 2 ? 1000 : 10000 > v ? 1 : 10000);
		if (!v)
			v = 7;
		int form = (int)(rnd() % 7);
		if (form == 5 && (v < 10 || v > 9999))
			form = 0;
		char num[128], q[160];
		tu_number_write(v, form, num, sizeof num);
		snprintf(q, sizeof q, "約%s件", num);
		bidx_alts a = alts_of(q);
		cr_assert_geq(a.n, 1);
		for (uint32_t i = 0; i < a.n; i++) {
			size_t len;
			cr_assert(starts(a.text[i], "約"), "%s: %s", q, a.text[i]);
			unsigned long long got = tu_number_value(a.text[i] + strlen("約"), &len);
			cr_assert_gt(len, 0, "%s: %s has no number", q, a.text[i]);
			cr_assert_str_eq(a.text[i] + strlen("約") + len, "件", "%s: %s", q, a.text[i]);
			cr_assert_eq(got, v, "%s (%llu): alternative %s is %llu", q, v, a.text[i], got);
		}
		bidx_alts_free(&a);
		/* and it finds the other forms */
		for (int f = 0; f < 7; f++) {
			if (f == 5 || (f == 6 && v < 10000000))
				continue;
			char other[128], d[200];
			tu_number_write(v, f, other, sizeof other);
			snprintf(d, sizeof d, "は約%s件でした", other);
			cr_expect(found(q, d), "%s does not find %s", q, d);
		}
		checked++;
	}
	cr_assert_eq(checked, 3000);
}
