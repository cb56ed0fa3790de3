/*
 * question.c - a question into its content words and their forms (the rules
 * are in question.h).  The question is normalised like the documents, then
 * MeCab's morphemes are classed by their ipadic part of speech; runs of
 * nouns become compounds, verbs and adjectives their conjugation rows.
 */
#include "question.h"
#include "fault.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a morpheme takes part in the question. */
typedef enum mclass {
	M_SKIP,    /* grammar, symbols: breaks a run of nouns */
	M_NOUN,    /* a content noun: a word alone and a compound's part */
	M_AFFIX,   /* prefix, suffix, number: only inside a compound */
	M_VERB,
	M_ADJ,
} mclass;

typedef struct morph {
	const char *s;        /* surface, in the normalised question */
	size_t len;
	mclass cls;
	char base[64];        /* 原形 (verbs, adjectives) */
	char ctype[48];       /* 活用型 */
} morph;

typedef struct walk {
	morph *m;
	size_t n, cap;
	int oom;
} walk;

/* Field k (0-based) of a CSV feature string into out[0..n). */
static void feature_field(const char *f, int k, char *out, size_t n)
{
	for (; k > 0 && *f; f++)
		if (*f == ',')
			k--;
	size_t l = 0;
	while (f[l] && f[l] != ',')
		l++;
	if (l >= n)
		l = n - 1;
	memcpy(out, f, l);
	out[l] = 0;
}

/* 1 when s[0..n) is hiragana (and the long-vowel mark) alone. */
static int all_hiragana(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		int l = bidx_utf8_decode((const uint8_t *)s + i, n - i, &c);
		if (!l || !((c >= 0x3041 && c <= 0x309F) || c == 0x30FC))
			return 0;
		i += (size_t)l;
	}
	return 1;
}

static size_t nchars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* 1 when s[0..n) has a letter, digit, kana or kanji: anything else is a
 * symbol, whatever MeCab guessed for it (it makes an unknown "?" a noun). */
static int wordlike(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		int l = bidx_utf8_decode((const uint8_t *)s + i, n - i, &c);
		if (!l)
			return 0;
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= 0x3041 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x9FFF) ||
		    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) ||
		    (c >= 0xC0 && c < 0x2000 && c != 0xD7 && c != 0xF7))
			return 1;
		i += (size_t)l;
	}
	return 0;
}

static mclass classify(const char *surface, size_t len, const char *feature, morph *m)
{
	char pos[32], sub[32];
	if (!wordlike(surface, len))
		return M_SKIP;
	feature_field(feature, 0, pos, sizeof pos);
	feature_field(feature, 1, sub, sizeof sub);
	int kana = all_hiragana(surface, len);
	if (!strcmp(pos, "名詞")) {
		if (!strcmp(sub, "非自立") || !strcmp(sub, "代名詞") || !strcmp(sub, "特殊") ||
		    !strcmp(sub, "動詞非自立的"))
			return M_SKIP;
		if (!strcmp(sub, "接尾"))
			return kana ? M_SKIP : M_AFFIX;
		if (!strcmp(sub, "数"))
			return M_AFFIX;
		return kana && nchars(surface, len) < 2 ? M_SKIP : M_NOUN;
	}
	if (!strcmp(pos, "接頭詞"))
		return kana ? M_SKIP : M_AFFIX;
	if (!strcmp(pos, "記号") && !strcmp(sub, "アルファベット"))
		return M_NOUN;
	int verb = !strcmp(pos, "動詞"), adj = !strcmp(pos, "形容詞");
	if ((verb || adj) && !strcmp(sub, "自立")) {
		feature_field(feature, 6, m->base, sizeof m->base);
		feature_field(feature, 4, m->ctype, sizeof m->ctype);
		if (!strcmp(m->base, "*") || all_hiragana(m->base, strlen(m->base)))
			return M_SKIP;   /* する, ある, いる, ない, いい: grammar */
		return verb ? M_VERB : M_ADJ;
	}
	return M_SKIP;
}

static int on_morph(void *ctx, const char *surface, size_t len, const char *feature)
{
	walk *w = ctx;
	if (bidx_grow((void **)&w->m, &w->cap, w->n + 1, sizeof *w->m)) {
		w->oom = 1;
		return 1;
	}
	morph *m = &w->m[w->n++];
	memset(m, 0, sizeof *m);
	m->s = surface;
	m->len = len;
	m->cls = classify(surface, len, feature, m);
	return 0;
}

/* --- building the word list --- */

typedef struct builder {
	bidx_question *q;
	size_t cap;
	bidx_err rc;
} builder;

/* The normalised form of s[0..n), malloc'd, or NULL (empty or no memory:
 * *oom tells). */
static char *norm_dup(const char *s, size_t n, int *oom)
{
	bidx_norm nm = {0};
	char *out = NULL;
	if (bidx_normalize(s, n, 0, &nm)) {
		*oom = 1;
		return NULL;
	}
	if (nm.nchars && !(out = strdup(nm.text)))
		*oom = 1;
	bidx_norm_free(&nm);
	return out;
}

/* Adds a word with the given forms (raw strings, normalised here), or
 * counts it again when the question already has it. */
static void add_word(builder *b, const char *label, size_t llen, bidx_qword_kind kind,
                     const char *const *forms, const size_t *flens, uint32_t nforms)
{
	int oom = 0;
	if (b->rc)
		return;
	char *lab = norm_dup(label, llen, &oom);
	if (!lab) {
		if (oom)
			b->rc = BIDX_ENOMEM;
		return;
	}
	for (uint32_t i = 0; i < b->q->n; i++)
		if (!strcmp(b->q->w[i].label, lab)) {
			b->q->w[i].qtf++;
			free(lab);
			return;
		}
	if (b->q->n == BIDX_ANY_MAX_WORDS ||
	    bidx_grow((void **)&b->q->w, &b->cap, (size_t)b->q->n + 1, sizeof *b->q->w)) {
		free(lab);
		if (b->q->n < BIDX_ANY_MAX_WORDS)
			b->rc = BIDX_ENOMEM;
		return;
	}
	bidx_qword *w = &b->q->w[b->q->n];
	memset(w, 0, sizeof *w);
	w->label = lab;
	w->kind = kind;
	w->qtf = 1;
	for (uint32_t i = 0; i < nforms && w->nforms < BIDX_ANY_MAX_FORMS; i++) {
		char *f = norm_dup(forms[i], flens[i], &oom);
		if (!f)
			continue;
		int dup = 0;
		for (uint32_t k = 0; k < w->nforms && !dup; k++)
			dup = !strcmp(w->forms[k], f);
		if (dup)
			free(f);
		else
			w->forms[w->nforms++] = f;
	}
	if (w->nforms)
		b->q->n++;
	else
		free(lab);
	if (oom)
		b->rc = BIDX_ENOMEM;
}

/* The endings of a 五段 verb whose dictionary form ends in u (UTF-8): the
 * a, i, u, e, o kana of its row and its euphonic form. */
static const char *const godan_rows[][7] = {
	{"う", "わ", "い", "う", "え", "お", "っ"}, {"く", "か", "き", "く", "け", "こ", "い"},
	{"ぐ", "が", "ぎ", "ぐ", "げ", "ご", "い"}, {"す", "さ", "し", "す", "せ", "そ", NULL},
	{"つ", "た", "ち", "つ", "て", "と", "っ"}, {"ぬ", "な", "に", "ぬ", "ね", "の", "ん"},
	{"ぶ", "ば", "び", "ぶ", "べ", "ぼ", "ん"}, {"む", "ま", "み", "む", "め", "も", "ん"},
	{"る", "ら", "り", "る", "れ", "ろ", "っ"},
};
static const char *const ichidan_end[] = {"る", "れ", "ろ", "よ", "て", "た", "な", "ま", "ず",
                                          "ら", "さ", NULL};
static const char *const suru_end[] = {"さ", "し", "す", "せ", NULL};
static const char *const kuru_end[] = {"る", "れ", "い", "な", "た", "て", "ま", "よ", NULL};
static const char *const adj_end[] = {"い", "く", "か", "け", "さ", "き", "そ", NULL};

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

/* A verb or adjective: its stem with the endings of its conjugation. */
static void add_inflected(builder *b, const morph *m)
{
	const char *base = m->base, *const *ends = NULL;
	const char *row[8] = {0};
	size_t blen = strlen(base), stemlen = 0;
	if (!strncmp(m->ctype, "五段", strlen("五段"))) {
		for (size_t r = 0; r < sizeof godan_rows / sizeof *godan_rows && !ends; r++)
			if (ends_with(base, godan_rows[r][0])) {
				memcpy(row, &godan_rows[r][1], 6 * sizeof *row);
				ends = row;
				stemlen = blen - strlen(godan_rows[r][0]);
			}
	} else if (!strncmp(m->ctype, "一段", strlen("一段")) && ends_with(base, "る")) {
		ends = ichidan_end, stemlen = blen - strlen("る");
	} else if (!strncmp(m->ctype, "サ変", strlen("サ変")) && ends_with(base, "する")) {
		ends = suru_end, stemlen = blen - strlen("する");
	} else if (!strncmp(m->ctype, "サ変", strlen("サ変")) && ends_with(base, "ずる")) {
		ends = suru_end, stemlen = blen - strlen("ずる");
	} else if (!strncmp(m->ctype, "カ変", strlen("カ変")) && ends_with(base, "る")) {
		ends = kuru_end, stemlen = blen - strlen("る");
	} else if (m->cls == M_ADJ && ends_with(base, "い")) {
		ends = adj_end, stemlen = blen - strlen("い");
	}
	const char *forms[BIDX_ANY_MAX_FORMS];
	size_t flens[BIDX_ANY_MAX_FORMS];
	char buf[BIDX_ANY_MAX_FORMS][80];
	uint32_t nf = 0;
	if (!ends || stemlen == 0 || stemlen >= sizeof buf[0] - 8) {
		forms[nf] = base, flens[nf++] = blen;                 /* unknown: as it is */
		forms[nf] = m->s, flens[nf++] = m->len;
	} else if (nchars(base, stemlen) >= 2) {
		forms[nf] = base, flens[nf++] = stemlen;               /* a stem long enough alone */
	} else {
		for (size_t i = 0; ends[i] && nf < BIDX_ANY_MAX_FORMS; i++) {
			int l = snprintf(buf[nf], sizeof buf[nf], "%.*s%s", (int)stemlen, base, ends[i]);
			forms[nf] = buf[nf], flens[nf] = (size_t)l, nf++;
		}
	}
	add_word(b, base, blen, BIDX_QW_WORD, forms, flens, nf);
}

/* A run of nouns and affixes m[0..n): the compound, its adjacent pairs when
 * it has three or more morphemes, and its nouns alone. */
static void add_run(builder *b, const morph *m, size_t n)
{
	size_t nouns = 0;
	for (size_t i = 0; i < n; i++)
		nouns += m[i].cls == M_NOUN;
	if (!nouns)
		return;
	if (n >= 2) {
		const char *s = m[0].s;
		size_t len = (size_t)(m[n - 1].s + m[n - 1].len - s);
		add_word(b, s, len, BIDX_QW_COMPOUND, &s, &len, 1);
	}
	for (size_t i = 0; n >= 3 && i + 1 < n; i++) {
		if (m[i].cls != M_NOUN && m[i + 1].cls != M_NOUN)
			continue;
		const char *s = m[i].s;
		size_t len = (size_t)(m[i + 1].s + m[i + 1].len - s);
		add_word(b, s, len, BIDX_QW_COMPOUND, &s, &len, 1);
	}
	for (size_t i = 0; i < n; i++)
		if (m[i].cls == M_NOUN)
			add_word(b, m[i].s, m[i].len, BIDX_QW_WORD, &m[i].s, &m[i].len, 1);
}

/* A character that may start or end a searched bigram: kanji, katakana,
 * letters and digits; hiragana only beside one of those. */
static int gram_char(uint32_t c)
{
	return (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FF) ||
	       (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

static int hira(uint32_t c)
{
	return c >= 0x3041 && c <= 0x309F;
}

int bidx_question_gram(uint32_t a, uint32_t c)
{
	return gram_char(a) && gram_char(c) && !(hira(a) && hira(c));
}

/* The distinct bigrams of the question that are not kana grammar alone. */
static bidx_err add_grams(bidx_question *q, const bidx_norm *nm)
{
	if (nm->nchars < 2)
		return BIDX_OK;
	q->grams = bidx_malloc((size_t)nm->nchars * 2 * sizeof *q->grams);
	if (!q->grams)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i + 1 < nm->nchars; i++) {
		uint32_t a = nm->cp[i], c = nm->cp[i + 1];
		if (!bidx_question_gram(a, c))
			continue;
		int dup = 0;
		for (uint32_t k = 0; k < q->ngrams && !dup; k++)
			dup = q->grams[2 * k] == a && q->grams[2 * k + 1] == c;
		if (!dup) {
			q->grams[2 * q->ngrams] = a;
			q->grams[2 * q->ngrams + 1] = c;
			q->ngrams++;
		}
	}
	return BIDX_OK;
}

bidx_err bidx_question_analyse(bidx_tokenizer *t, const char *text, bidx_question *q, char *why,
                               size_t whylen)
{
	memset(q, 0, sizeof *q);
	bidx_norm nm = {0};
	bidx_err rc = bidx_normalize(text, strlen(text), 0, &nm);
	if (rc) {
		snprintf(why, whylen, "%s", bidx_strerror(rc));
		return rc;
	}
	walk w = {0};
	int r = bidx_tokenize_morphs(t, nm.text, nm.len, on_morph, &w);
	builder b = {q, 0, BIDX_OK};
	if (w.oom) {
		b.rc = BIDX_ENOMEM;
	} else if (r) {
		snprintf(why, whylen, "MeCab could not analyse the question");
		b.rc = BIDX_EMECAB;
	}
	for (size_t i = 0; i < w.n && !b.rc;) {
		if (w.m[i].cls == M_NOUN || w.m[i].cls == M_AFFIX) {
			size_t j = i;
			while (j < w.n && (w.m[j].cls == M_NOUN || w.m[j].cls == M_AFFIX))
				j++;
			add_run(&b, w.m + i, j - i);
			i = j;
			continue;
		}
		if (w.m[i].cls == M_VERB || w.m[i].cls == M_ADJ)
			add_inflected(&b, &w.m[i]);
		i++;
	}
	free(w.m);
	if (!b.rc)
		b.rc = add_grams(q, &nm);
	bidx_norm_free(&nm);
	if (b.rc) {
		if (b.rc == BIDX_ENOMEM)
			snprintf(why, whylen, "out of memory");
		bidx_question_free(q);
	}
	return b.rc;
}

void bidx_question_free(bidx_question *q)
{
	if (!q)
		return;
	for (uint32_t i = 0; i < q->n; i++) {
		free(q->w[i].label);
		for (uint32_t k = 0; k < q->w[i].nforms; k++)
			free(q->w[i].forms[k]);
	}
	free(q->w);
	free(q->grams);
	memset(q, 0, sizeof *q);
}
