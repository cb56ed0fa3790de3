/*
 * variants.c - spelling-variant folding (see variants.h for the rules).
 *
 * Two passes over the code points, each compacting in place: the fixed
 * spellings first, then the long vowels.  The first pass keeps the
 * katakana-ness and the mora count of what it rewrites (ヴァ and バ are one
 * katakana mora each; every other spelling is kanji and hiragana), so the
 * second pass sees the same runs it would have seen on the unfolded text.
 * A text with no character that can start a fold (the usual case) is left
 * alone after one scan.
 */
#include "variants.h"

#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include "fault.h"
#include "normalize.h"

#define CHOON 0x30FC   /* ー KATAKANA-HIRAGANA PROLONGED SOUND MARK */

typedef struct variant {
	const char32_t *from;        /* the spelling folded, NUL-terminated */
	const char32_t *to;          /* its canonical form, never longer */
	const char32_t *not_before;  /* no fold when one of these follows, or NULL */
} variant;

/* Longest first among spellings that share a first character. */
static const variant variants[] = {
	{U"問い合わせ", U"問合せ", NULL},
	{U"問い合せ", U"問合せ", NULL},
	{U"問合わせ", U"問合せ", NULL},
	{U"漏えい", U"漏洩", NULL},
	{U"き損", U"毀損", U"じねなずぜ"},
	{U"改ざん", U"改竄", NULL},
	{U"ぜい弱", U"脆弱", NULL},
	{U"隠ぺい", U"隠蔽", NULL},
	{U"補てん", U"補填", NULL},
	{U"破たん", U"破綻", NULL},
	{U"ねつ造", U"捏造", NULL},
	{U"ヴァ", U"バ", NULL},
	{U"ヴィ", U"ビ", NULL},
	{U"ヴェ", U"ベ", NULL},
	{U"ヴォ", U"ボ", NULL},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

static size_t u32len(const char32_t *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int in_set(const char32_t *set, uint32_t c)
{
	for (; set && *set; set++)
		if (*set == c)
			return 1;
	return 0;
}

static int is_kata(uint32_t c)
{
	return (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x30FC && c <= 0x30FE);
}

/* Small kana that share the mora of the character before them. */
static int is_small_kata(uint32_t c)
{
	switch (c) {
	case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9:  /* ァィゥェォ */
	case 0x30E3: case 0x30E5: case 0x30E7: case 0x30EE:               /* ャュョヮ */
		return 1;
	default:
		return 0;
	}
}

/* Whether a variant starts with c: a switch, since every character of every
 * document asks (test_normalize folds every spelling of the table). */
static int starts_variant(uint32_t c)
{
	switch (c) {
	case 0x554F: case 0x6F0F: case 0x304D: case 0x6539: case 0x305C:  /* 問漏き改ぜ */
	case 0x96A0: case 0x88DC: case 0x7834: case 0x306D: case 0x30F4:  /* 隠補破ねヴ */
		return 1;
	default:
		return 0;
	}
}

/* The variant spelled at cp[i..n), or NULL. */
static const variant *match_at(const uint32_t *cp, size_t i, size_t n)
{
	for (size_t v = 0; v < NVARIANTS; v++) {
		const char32_t *f = variants[v].from;
		size_t k = 0;
		while (f[k] && i + k < n && cp[i + k] == f[k])
			k++;
		if (f[k])
			continue;
		if (i + k < n && in_set(variants[v].not_before, cp[i + k]))
			continue;
		return &variants[v];
	}
	return NULL;
}

/* Pass 1: the fixed spellings.  Returns the new length. */
static size_t fold_spellings(uint32_t *cp, size_t n, uint32_t *ss, uint32_t *se, int *changed)
{
	size_t r = 0, w = 0;
	while (r < n) {
		const variant *v = starts_variant(cp[r]) ? match_at(cp, r, n) : NULL;
		if (!v) {
			if (w != r) {   /* nothing moves until the first fold */
				cp[w] = cp[r];
				if (ss) {
					ss[w] = ss[r];
					se[w] = se[r];
				}
			}
			w++;
			r++;
			continue;
		}
		size_t flen = u32len(v->from), tlen = u32len(v->to);
		uint32_t start = ss ? ss[r] : 0, end = ss ? se[r + flen - 1] : 0;
		for (size_t k = 0; k < tlen; k++, w++) {
			cp[w] = v->to[k];
			if (ss) {
				ss[w] = start;
				se[w] = end;
			}
		}
		r += flen;
		*changed = 1;
	}
	return w;
}

/* Pass 2: trailing long vowels of katakana runs of three morae or more. */
static size_t fold_long_vowels(uint32_t *cp, size_t n, uint32_t *ss, uint32_t *se, int *changed)
{
	size_t r = 0, w = 0;
	while (r < n) {
		if (!is_kata(cp[r])) {
			if (w != r) {
				cp[w] = cp[r];
				if (ss) {
					ss[w] = ss[r];
					se[w] = se[r];
				}
			}
			w++;
			r++;
			continue;
		}
		size_t e = r, t, morae = 0;
		while (e < n && is_kata(cp[e]))
			e++;
		t = e;
		while (t > r && cp[t - 1] == CHOON)
			t--;
		for (size_t k = r; k < t; k++)
			morae += !is_small_kata(cp[k]);
		size_t keep = t < e && t > r && morae >= 3 ? t : e;
		for (size_t k = r; k < keep; k++, w++) {
			if (w == k)
				continue;
			cp[w] = cp[k];
			if (ss) {
				ss[w] = ss[k];
				se[w] = se[k];
			}
		}
		if (keep < e) {
			if (ss)
				se[w - 1] = se[e - 1];
			*changed = 1;
		}
		r = e;
	}
	return w;
}

size_t bidx_variants_fold(uint32_t *cp, size_t n, uint32_t *src_start, uint32_t *src_end,
                          int *changed)
{
	size_t i;
	*changed = 0;
	for (i = 0; i < n; i++)
		if (cp[i] == CHOON || starts_variant(cp[i]))
			break;
	if (i == n)
		return n;
	n = fold_spellings(cp, n, src_start, src_end, changed);
	return fold_long_vowels(cp, n, src_start, src_end, changed);
}


/* ---- Query-side alternatives (bidx_variants_expand) ----
 *
 * The query is cut into pieces that have other spellings: a spelling of the
 * table above (any of a class: the canonical spelling and every spelling
 * that folds to it), the trailing ー of a katakana run of three morae or
 * more (present or absent), a number (Arabic digits, with or without digit
 * group commas, and kanji numerals).  Each piece has a few options, the
 * query's own text first; the alternatives are the combinations, fewest
 * changes first, at most BIDX_ALTS_MAX. */

#define OPT_MAX 8
#define OPT_CHARS 24
#define PIECES_MAX 16
#define NUM_DIGITS_MAX 15

typedef struct piece {
	uint32_t at, len;                 /* the query characters it stands for */
	uint32_t nopt;                    /* options, the query's own text first */
	uint32_t olen[OPT_MAX];
	uint32_t opt[OPT_MAX][OPT_CHARS];
} piece;

typedef struct pieces {
	piece p[PIECES_MAX];
	uint32_t n;
} pieces;

static piece *piece_new(pieces *ps, const uint32_t *cp, uint32_t at, uint32_t len)
{
	if (ps->n == PIECES_MAX || len > OPT_CHARS)
		return NULL;
	piece *p = &ps->p[ps->n++];
	p->at = at;
	p->len = len;
	p->nopt = 1;
	p->olen[0] = len;
	for (uint32_t k = 0; k < len; k++)
		p->opt[0][k] = cp[at + k];
	return p;
}

static void piece_add(piece *p, const uint32_t *s, uint32_t n)
{
	if (!p || p->nopt == OPT_MAX || n > OPT_CHARS)
		return;
	for (uint32_t o = 0; o < p->nopt; o++)
		if (p->olen[o] == n && !memcmp(p->opt[o], s, n * sizeof *s))
			return;
	memcpy(p->opt[p->nopt], s, n * sizeof *s);
	p->olen[p->nopt++] = n;
}

static void piece_add32(piece *p, const char32_t *s)
{
	uint32_t b[OPT_CHARS], n = 0;
	while (s[n] && n < OPT_CHARS) {
		b[n] = s[n];
		n++;
	}
	piece_add(p, b, n);
}

static int spelled_at(const uint32_t *cp, uint32_t i, uint32_t n, const char32_t *s, uint32_t *len)
{
	uint32_t k = 0;
	while (s[k] && i + k < n && cp[i + k] == s[k])
		k++;
	*len = k;
	return s[k] == 0;
}

/* The longest spelling of the table at cp[i..n): its canonical form in
 * *canon and its length, or 0.  A spelling with not_before is not taken
 * before one of those characters (書き損じ), but is at the query's end. */
static uint32_t spelling_at(const uint32_t *cp, uint32_t i, uint32_t n, const char32_t **canon)
{
	uint32_t best = 0, len;
	for (size_t v = 0; v < NVARIANTS; v++) {
		if (spelled_at(cp, i, n, variants[v].from, &len) && len > best &&
		    !(i + len < n && in_set(variants[v].not_before, cp[i + len]))) {
			best = len;
			*canon = variants[v].to;
		}
		if (spelled_at(cp, i, n, variants[v].to, &len) && len > best) {
			best = len;
			*canon = variants[v].to;
		}
	}
	return best;
}

static void spelling_pieces(const uint32_t *cp, uint32_t n, pieces *ps)
{
	for (uint32_t i = 0; i < n;) {
		const char32_t *canon = NULL;
		uint32_t len = spelling_at(cp, i, n, &canon);
		if (!len) {
			i++;
			continue;
		}
		piece *p = piece_new(ps, cp, i, len);
		piece_add32(p, canon);
		for (size_t v = 0; v < NVARIANTS; v++)
			if (variants[v].to == canon &&
			    !(i + len < n && in_set(variants[v].not_before, cp[i + len])))
				piece_add32(p, variants[v].from);
		i += len;
	}
}

/* A katakana run of three morae or more with a trailing ー finds the run
 * without it, and one without, followed by more of the query, the run with it
 * (a run at the query's end needs nothing: it is a prefix of both). */
static void vowel_pieces(const uint32_t *cp, uint32_t n, pieces *ps)
{
	static const uint32_t choon[1] = {CHOON};
	for (uint32_t r = 0; r < n;) {
		if (!is_kata(cp[r])) {
			r++;
			continue;
		}
		uint32_t e = r, t, morae = 0;
		while (e < n && is_kata(cp[e]))
			e++;
		for (t = e; t > r && cp[t - 1] == CHOON; t--)
			;
		for (uint32_t k = r; k < t; k++)
			morae += !is_small_kata(cp[k]);
		if (morae >= 3 && t < e)
			piece_add(piece_new(ps, cp, t, e - t), choon, 0);
		else if (morae >= 3 && e < n)
			piece_add(piece_new(ps, cp, e, 0), choon, 1);
		r = e;
	}
}

static const char32_t kanji_digits[] = U"〇一二三四五六七八九";

static int kanji_digit(uint32_t c)
{
	for (int d = 0; d < 10; d++)
		if (kanji_digits[d] == c)
			return d;
	return -1;
}

static uint32_t kanji_unit(uint32_t c)
{
	return c == 0x5341 ? 10 : c == 0x767E ? 100 : c == 0x5343 ? 1000 : 0;  /* 十 百 千 */
}

static int is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int is_kanji_num(uint32_t c)
{
	return kanji_digit(c) >= 0 || kanji_unit(c) > 0;
}

/* v (< 10000) in kanji numerals, the way notices write them: 2024 二千二十四. */
static uint32_t kanji_number(uint32_t v, uint32_t *out)
{
	static const uint32_t unit[3] = {0x5343, 0x767E, 0x5341}, pw[3] = {1000, 100, 10};
	uint32_t n = 0;
	for (int k = 0; k < 3; k++) {
		uint32_t d = v / pw[k] % 10;
		if (d > 1)
			out[n++] = kanji_digits[d];
		if (d)
			out[n++] = unit[k];
	}
	if (v % 10 || v == 0)
		out[n++] = kanji_digits[v % 10];
	return n;
}

/* Decimal digits of v into out; returns their number. */
static uint32_t arabic_number(uint64_t v, uint32_t *out, int grouped)
{
	uint32_t tmp[32], n = 0, o = 0;
	do {
		if (grouped && n % 4 == 3)
			tmp[n++] = ',';
		tmp[n++] = '0' + (uint32_t)(v % 10);
		v /= 10;
	} while (v);
	while (n)
		out[o++] = tmp[--n];
	return o;
}

/* The large units: 万 10^4, 億 10^8, 兆 10^12. */
static uint64_t big_unit(uint32_t c)
{
	return c == 0x4E07 ? 10000ull : c == 0x5104 ? 100000000ull : c == 0x5146 ? 1000000000000ull : 0;
}

#define NUM_NONE UINT64_MAX
#define NUM_LIMIT 10000000000000000ull   /* 10^16: 9999兆9999億9999万9999 and below */

/* The value of cp[a..b), a number with no large unit: Arabic digits (with
 * digit-group commas, 1,200), kanji numerals (二千二十四), digits one by one
 * (2024, 二〇二四) or Arabic digits before the units (2千); NUM_NONE when
 * it is none of these (二十四五, 2〇24, 12千). */
static uint64_t section_value(const uint32_t *cp, uint32_t a, uint32_t b)
{
	uint64_t v = 0, d = NUM_NONE;
	uint32_t last_unit = 100000, units = 0, nd = 0;
	int arabic = 0, kanji = 0;
	for (uint32_t k = a; k < b; k++) {
		uint32_t c = cp[k];
		int dg = is_digit(c) ? (int)(c - '0') : kanji_digit(c);
		if (c == ',')
			continue;   /* the run's scan let only digit-group commas in */
		if (dg >= 0) {
			if ((d != NUM_NONE && units) || ++nd > NUM_DIGITS_MAX)
				return NUM_NONE;   /* digits in a row only without units */
			arabic |= is_digit(c);
			kanji |= !is_digit(c);
			d = d == NUM_NONE ? (uint64_t)dg : d * 10 + (uint64_t)dg;
			continue;
		}
		uint32_t u = kanji_unit(c);
		if (!u || u >= last_unit || (d != NUM_NONE && d > 9))
			return NUM_NONE;
		v += (d == NUM_NONE ? 1 : d) * u;
		d = NUM_NONE;
		last_unit = u;
		units++;
	}
	if (!units && arabic && kanji)
		return NUM_NONE;
	return d == NUM_NONE ? v : v + d;
}

/* v (< NUM_LIMIT) with its large units: each group of four digits as
 * kanji numerals (form 0: 一万二千), Arabic digits (1: 1万2000), Arabic
 * digits with 千 for a group of whole thousands (2: 1万2千, 3千), or Arabic
 * digits with a digit-group comma (3: 1,200万).  Returns the number of
 * characters, 0 when it does not fit. */
static uint32_t grouped_number(uint64_t v, int form, uint32_t *out, uint32_t room)
{
	static const uint32_t big[4] = {0x5146, 0x5104, 0x4E07, 0};
	static const uint64_t pw[4] = {1000000000000ull, 100000000ull, 10000ull, 1};
	uint32_t n = 0, b[32];
	for (int k = 0; k < 4; k++) {
		uint32_t g = (uint32_t)(v / pw[k] % 10000), m;
		if (!g && !(k == 3 && v == 0))
			continue;
		if (form == 0)
			m = kanji_number(g, b);
		else if (form == 2 && g >= 1000 && g % 1000 == 0) {
			b[0] = '0' + g / 1000;
			b[1] = 0x5343;   /* 千 */
			m = 2;
		} else
			m = arabic_number(g, b, form == 3);
		if (big[k])
			b[m++] = big[k];
		if (n + m > room)
			return 0;
		memcpy(out + n, b, m * sizeof *b);
		n += m;
	}
	return n;
}

/* A number at cp[i..): a run of Arabic digits (digit-group commas
 * included), kanji numerals and the large units after them (1万2千, 四万八千
 * 六百八十五, 1,200万), read as one value, with the other ways of writing
 * that value as options.  Returns the end of the run. */
static uint32_t number_piece(const uint32_t *cp, uint32_t i, uint32_t n, pieces *ps)
{
	uint32_t j = i, nd = 0, units = 0, bigs = 0;
	int kanji = 0, arabic = 0, commas = 0;
	while (j < n) {
		uint32_t c = cp[j];
		if (is_digit(c)) {
			uint32_t s = j;
			while (j < n && is_digit(cp[j]))
				j++;
			nd += j - s;
			arabic = 1;
			if (j - s <= 3)
				while (j + 3 < n && cp[j] == ',' && is_digit(cp[j + 1]) &&
				       is_digit(cp[j + 2]) && is_digit(cp[j + 3]) &&
				       !(j + 4 < n && is_digit(cp[j + 4]))) {
					j += 4;
					nd += 3;
					commas = 1;
				}
		} else if (is_kanji_num(c)) {
			units += kanji_unit(c) > 0;
			nd += kanji_digit(c) >= 0;
			kanji = 1;
			j++;
		} else if (big_unit(c) && j > i && !big_unit(cp[j - 1])) {
			bigs++;
			j++;
		} else {
			break;
		}
	}
	uint32_t len = j - i;
	if (len > OPT_CHARS)
		return j;
	/* its value, group by group between the large units, which go down */
	uint64_t v = 0, last_big = NUM_LIMIT;
	for (uint32_t a = i, k = i; k <= j; k++) {
		uint64_t u = k < j ? big_unit(cp[k]) : 1;
		if (k < j && !u)
			continue;
		uint64_t g = section_value(cp, a, k);
		if (g == NUM_NONE || u >= last_big || (u > 1 && g >= 10000) ||
		    g > (NUM_LIMIT - 1 - v) / u)
			return j;
		v += g * u;
		last_big = u;
		a = k + 1;
	}
	int decimal = (i > 0 && cp[i - 1] == '.') || (j < n && cp[j] == '.');
	int one_by_one = !units && !bigs && !commas && nd >= 2;   /* 2024, 二〇二四, 0120 */
	int lead0 = one_by_one && (cp[i] == '0' || cp[i] == 0x3007);
	int context = len < n;   /* a bare number word (9, 一) is no number */
	piece *p = piece_new(ps, cp, i, len);
	uint32_t b[OPT_CHARS], m;
	if (!kanji && !bigs) {   /* Arabic digits alone */
		if (commas)
			piece_add(p, b, arabic_number(v, b, 0));
		else if (nd >= 4 && !lead0 && !decimal)
			piece_add(p, b, arabic_number(v, b, 1));
		if (!context || decimal)
			return j;
	} else if (decimal || (!context && !bigs) || (len == 1 && !context)) {
		return j;
	}
	if (len == 1) {   /* one character: 9 九, 十 10 */
		if (arabic)
			piece_add(p, b, kanji_number((uint32_t)v, b));
		else
			piece_add(p, b, arabic_number(v, b, 0));
		return j;
	}
	if (one_by_one) {   /* the digits one by one, in the other script */
		for (uint32_t k = 0; k < len; k++)
			b[k] = kanji ? '0' + (uint32_t)kanji_digit(cp[i + k])
			             : kanji_digits[cp[i + k] - '0'];
		if (kanji || nd <= 4)
			piece_add(p, b, len);
		if (lead0)
			return j;
	}
	piece_add(p, b, arabic_number(v, b, 0));
	if (v >= 1000)
		piece_add(p, b, arabic_number(v, b, 1));
	if ((m = grouped_number(v, 0, b, OPT_CHARS)))
		piece_add(p, b, m);
	if (v >= 10 && v < 10000) {   /* 二〇二四 */
		m = arabic_number(v, b, 0);
		for (uint32_t k = 0; k < m; k++)
			b[k] = kanji_digits[b[k] - '0'];
		piece_add(p, b, m);
	}
	if (v >= 10000 && (m = grouped_number(v, 1, b, OPT_CHARS)))
		piece_add(p, b, m);
	if (v >= 1000 && (m = grouped_number(v, 2, b, OPT_CHARS)))
		piece_add(p, b, m);
	if (v >= 10000000 && (m = grouped_number(v, 3, b, OPT_CHARS)))
		piece_add(p, b, m);
	return j;
}

static void number_pieces(const uint32_t *cp, uint32_t n, pieces *ps)
{
	for (uint32_t i = 0; i < n;) {
		if ((is_digit(cp[i]) && (i == 0 || (!is_digit(cp[i - 1]) && cp[i - 1] != ','))) ||
		    is_kanji_num(cp[i]))
			i = number_piece(cp, i, n, ps);
		else
			i++;
	}
}

static int cmp_piece(const void *a, const void *b)
{
	const piece *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->len > y->len) - (x->len < y->len);
}

/* Drops pieces with no other option, and any overlapping an earlier one. */
static void pieces_tidy(pieces *ps)
{
	qsort(ps->p, ps->n, sizeof *ps->p, cmp_piece);
	uint32_t o = 0, end = 0;
	for (uint32_t i = 0; i < ps->n; i++) {
		if (ps->p[i].nopt < 2 || (o && ps->p[i].at < end))
			continue;
		if (o != i)
			ps->p[o] = ps->p[i];
		end = ps->p[o].at + ps->p[o].len;
		o++;
	}
	ps->n = o;
}

/* UTF-8 of the query with option choice[k] for piece k, or "" when it
 * would be empty or longer than maxchars; NULL when out of memory. */
static char *spell(const uint32_t *cp, uint32_t n, const pieces *ps, const uint32_t *choice,
                   uint32_t maxchars)
{
	size_t o = 0;
	uint32_t chars = 0, i = 0, k = 0;
	char *s = bidx_malloc((size_t)n * 4 + (size_t)ps->n * OPT_CHARS * 4 + 1);
	if (!s)
		return NULL;
	while (i < n || k < ps->n) {
		if (k < ps->n && ps->p[k].at == i) {
			const piece *p = &ps->p[k];
			for (uint32_t c = 0; c < p->olen[choice[k]]; c++, chars++)
				o += (size_t)bidx_utf8_encode(p->opt[choice[k]][c], (uint8_t *)s + o);
			i += p->len;
			k++;
		} else if (i < n) {
			o += (size_t)bidx_utf8_encode(cp[i++], (uint8_t *)s + o);
			chars++;
		} else {
			break;
		}
	}
	s[chars == 0 || chars > maxchars ? 0 : o] = 0;
	return s;
}

/* Whether alternative i is needed: not empty, not a repeat, and not
 * containing another alternative (whose matches include all of its own). */
static int needed(char **t, uint32_t n, uint32_t i)
{
	if (!t[i][0])
		return 0;
	for (uint32_t j = 0; j < n; j++) {
		if (j == i || !t[j][0])
			continue;
		if (!strcmp(t[i], t[j]) ? j < i : strstr(t[i], t[j]) != NULL)
			return 0;
	}
	return 1;
}

/* The combinations of options in order of how many pieces they change,
 * each once, while there is room. */
static bidx_err combine(const uint32_t *cp, uint32_t n, const pieces *ps, uint32_t maxchars,
                        bidx_alts *out)
{
	uint32_t choice[PIECES_MAX];
	for (uint32_t changes = 0; changes <= ps->n && out->n < BIDX_ALTS_MAX; changes++) {
		memset(choice, 0, sizeof choice);
		for (uint32_t steps = 0; steps < 4096 && out->n < BIDX_ALTS_MAX; steps++) {
			uint32_t c = 0;
			for (uint32_t k = 0; k < ps->n; k++)
				c += choice[k] != 0;
			if (c == changes) {
				char *s = spell(cp, n, ps, choice, maxchars);
				if (!s)
					return BIDX_ENOMEM;
				out->text[out->n++] = s;
			}
			uint32_t k = 0;   /* the next combination: a counter, piece 0 fastest */
			while (k < ps->n && ++choice[k] == ps->p[k].nopt)
				choice[k++] = 0;
			if (k == ps->n)
				break;
		}
	}
	return BIDX_OK;
}

bidx_err bidx_variants_expand(const uint32_t *cp, uint32_t n, uint32_t maxchars, bidx_alts *out)
{
	pieces ps;
	memset(out, 0, sizeof *out);
	ps.n = 0;
	spelling_pieces(cp, n, &ps);
	vowel_pieces(cp, n, &ps);
	number_pieces(cp, n, &ps);
	pieces_tidy(&ps);
	bidx_err rc = combine(cp, n, &ps, maxchars, out);
	if (rc) {
		bidx_alts_free(out);
		return rc;
	}
	uint8_t keep[BIDX_ALTS_MAX];
	uint32_t o = 0;
	for (uint32_t i = 0; i < out->n; i++)
		keep[i] = (uint8_t)needed(out->text, out->n, i);
	for (uint32_t i = 0; i < out->n; i++) {
		if (keep[i])
			out->text[o++] = out->text[i];
		else
			free(out->text[i]);
	}
	out->n = o;
	return BIDX_OK;
}

void bidx_alts_free(bidx_alts *a)
{
	if (!a)
		return;
	for (uint32_t i = 0; i < a->n; i++)
		free(a->text[i]);
	memset(a, 0, sizeof *a);
}
