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

#define OPT_MAX 6
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

/* Arabic digits at cp[i..): 48685, 48,685 (groups of three after commas),
 * with the other forms of the same number as options. */
static uint32_t arabic_piece(const uint32_t *cp, uint32_t i, uint32_t n, pieces *ps)
{
	uint32_t j = i, nd = 0, digits[NUM_DIGITS_MAX + 1];
	int commas = 0;
	while (j < n && is_digit(cp[j]))
		j++;
	if (j - i <= 3)
		while (j + 3 < n && cp[j] == ',' && is_digit(cp[j + 1]) && is_digit(cp[j + 2]) &&
		       is_digit(cp[j + 3]) && !(j + 4 < n && is_digit(cp[j + 4]))) {
			j += 4;
			commas = 1;
		}
	for (uint32_t k = i; k < j; k++)
		if (is_digit(cp[k]) && nd <= NUM_DIGITS_MAX)
			digits[nd++] = cp[k];
	if (nd > NUM_DIGITS_MAX)
		return j;
	int decimal = (i > 0 && cp[i - 1] == '.') || (j < n && cp[j] == '.');
	int context = j - i < n, lead0 = digits[0] == '0' && nd > 1;
	uint64_t v = 0;
	for (uint32_t k = 0; k < nd; k++)
		v = v * 10 + (digits[k] - '0');
	piece *p = piece_new(ps, cp, i, j - i);
	uint32_t b[OPT_CHARS];
	if (commas)
		piece_add(p, digits, nd);
	if (!commas && nd >= 4 && !lead0 && !decimal)
		piece_add(p, b, arabic_number(v, b, 1));
	if (context && !decimal && !lead0 && v < 10000)
		piece_add(p, b, kanji_number((uint32_t)v, b));
	if (context && !decimal && nd >= 2 && nd <= 4) {
		for (uint32_t k = 0; k < nd; k++)
			b[k] = kanji_digits[digits[k] - '0'];
		piece_add(p, b, nd);
	}
	return j;
}

/* Kanji numerals at cp[i..): 九, 二十四, 二〇二四, with the Arabic forms. */
static uint32_t kanji_piece(const uint32_t *cp, uint32_t i, uint32_t n, pieces *ps)
{
	uint32_t j = i;
	while (j < n && is_kanji_num(cp[j]))
		j++;
	if (j - i > 8 || j - i == n)   /* a bare number word (一) is no number */
		return j;
	uint64_t v = 0, d = UINT64_MAX;
	uint32_t last_unit = 100000, units = 0;
	int ok = 1;
	for (uint32_t k = i; k < j && ok; k++) {
		int kd = kanji_digit(cp[k]);
		uint32_t u = kanji_unit(cp[k]);
		if (kd >= 0) {
			if (d != UINT64_MAX)
				ok = units == 0;   /* digits in a row: only without units */
			d = d == UINT64_MAX || units ? (uint64_t)kd : d * 10 + (uint64_t)kd;
			continue;
		}
		if (u >= last_unit || (d != UINT64_MAX && d > 9)) {
			ok = 0;
			break;
		}
		v += (d == UINT64_MAX ? 1 : d) * u;
		d = UINT64_MAX;
		last_unit = u;
		units++;
	}
	if (!ok)
		return j;
	if (d != UINT64_MAX)
		v += d;
	piece *p = piece_new(ps, cp, i, j - i);
	uint32_t b[OPT_CHARS];
	if (units || j - i == 1)
		piece_add(p, b, arabic_number(v, b, 0));
	else {   /* 二〇二四: digit by digit */
		for (uint32_t k = i; k < j; k++)
			b[k - i] = '0' + (uint32_t)kanji_digit(cp[k]);
		piece_add(p, b, j - i);
	}
	return j;
}

static void number_pieces(const uint32_t *cp, uint32_t n, pieces *ps)
{
	for (uint32_t i = 0; i < n;) {
		if (is_digit(cp[i]) && (i == 0 || (!is_digit(cp[i - 1]) && cp[i - 1] != ',')))
			i = arabic_piece(cp, i, n, ps);
		else if (is_kanji_num(cp[i]))
			i = kanji_piece(cp, i, n, ps);
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
