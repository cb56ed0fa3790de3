/*
 * question.c - a question into its content words and their forms (the rules
 * are in question.h).  The question is normalised like the documents, then
 * MeCab's morphemes are classed by their ipadic part of speech; runs of
 * nouns become compounds, verbs and adjectives their conjugation rows.
 */
#include "question.h"
#include "fault.h"
#include "io.h"
#include "normalize.h"
#include "thesaurus.h"
#include "variants.h"

#include <pthread.h>
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
	char reading[64];     /* 読み in katakana (nouns), "*" when unknown */
	int suffix;           /* a noun suffix (名詞,接尾: 犬 in 保護犬, 品) */
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
		feature_field(feature, 7, m->reading, sizeof m->reading);
		if (!strcmp(sub, "非自立") || !strcmp(sub, "代名詞") || !strcmp(sub, "特殊") ||
		    !strcmp(sub, "動詞非自立的"))
			return M_SKIP;
		if (!strcmp(sub, "接尾")) {
			m->suffix = 1;
			return kana ? M_SKIP : M_AFFIX;
		}
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
	double weight;        /* of the words added (bidx_qword.weight) */
	bidx_tokenizer *t;    /* MeCab, for the parts of a long noun */
	/* while a compound is added: its characters in hiragana that end a
	 * morpheme and are no okurigana (ごみ in 粗大ごみ回収; み of 申し込み書 is) */
	uint8_t word_kana[96];
	size_t nword_kana;
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

static int is_kanji(uint32_t c)
{
	return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3005;
}

/* s (normalised) with the okurigana inside it left out, as official
 * writing leaves it out (申し込み 申込み, 振り込 振込, 取り扱い 取扱い): each
 * run of one or two hiragana between two kanji is dropped, unless it ends
 * a word that is no okurigana (keep[i] set for its first character i,
 * i < nkeep: ごみ in 粗大ごみ回収).  The okurigana that ends a word stays (手続き is not
 * searched as 手続, which is also inside 手続をする: measured worse).
 * Malloc'd, or NULL when nothing is left out (or no memory: *oom tells). */
static char *okuri_dropped(const char *s, const uint8_t *keep, size_t nkeep, int *oom)
{
	uint32_t cp[96];
	size_t n = 0, len = strlen(s);
	for (size_t i = 0; i < len;) {
		int l = n < 96 ? bidx_utf8_decode((const uint8_t *)s + i, len - i, &cp[n]) : 0;
		if (!l)
			return NULL;   /* not UTF-8, or too long for a word */
		i += (size_t)l, n++;
	}
	uint32_t out[96];
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j < n && j - i < 3 && cp[j] >= 0x3041 && cp[j] <= 0x3096)
			j++;
		if (j > i && j - i <= 2 && o && is_kanji(out[o - 1]) && j < n && is_kanji(cp[j]) &&
		    !(i < nkeep && keep[i])) {
			i = j - 1;   /* okurigana inside: dropped */
			continue;
		}
		out[o++] = cp[i];
	}
	if (o == n)
		return NULL;
	char *r = bidx_malloc(o * 4 + 1);
	if (!r) {
		*oom = 1;
		return NULL;
	}
	size_t b = 0;
	for (size_t i = 0; i < o; i++)
		b += (size_t)bidx_utf8_encode(out[i], (uint8_t *)r + b);
	r[b] = 0;
	return r;
}

/* Appends f to w's forms unless it has it; takes f. */
static void add_form(bidx_qword *w, char *f)
{
	int dup = w->nforms == BIDX_ANY_MAX_FORMS;
	for (uint32_t k = 0; k < w->nforms && !dup; k++)
		dup = !strcmp(w->forms[k], f);
	if (dup)
		free(f);
	else
		w->forms[w->nforms++] = f;
}

/* Adds a word with the given forms (raw strings, normalised here), or
 * counts it again when the question already has it; a word of the question
 * itself that was added as a long noun's part (add_split) becomes the
 * word, at its weight, with its forms. */
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
	bidx_qword *w = NULL;
	for (uint32_t i = 0; i < b->q->n && !w; i++)
		if (!strcmp(b->q->w[i].label, lab)) {
			w = &b->q->w[i];
			free(lab);
			if (w->kind != BIDX_QW_RELATED || kind == BIDX_QW_RELATED) {
				w->qtf++;
				return;
			}
			w->kind = kind;   /* a long noun's part the question also has */
			w->weight = b->weight;
		}
	if (!w && (b->q->n == BIDX_ANY_MAX_WORDS ||
	           bidx_grow((void **)&b->q->w, &b->cap, (size_t)b->q->n + 1, sizeof *b->q->w))) {
		free(lab);
		if (b->q->n < BIDX_ANY_MAX_WORDS)
			b->rc = BIDX_ENOMEM;
		return;
	}
	int added = !w;
	if (added) {
		w = &b->q->w[b->q->n];
		memset(w, 0, sizeof *w);
		w->label = lab;
		w->kind = kind;
		w->qtf = 1;
		w->weight = b->weight;
	}
	for (uint32_t i = 0; i < nforms && w->nforms < BIDX_ANY_MAX_FORMS; i++) {
		char *f = norm_dup(forms[i], flens[i], &oom);
		if (!f)
			continue;
		char *d = okuri_dropped(f, b->word_kana, b->nword_kana, &oom);
		add_form(w, f);
		if (d)
			add_form(w, d);
	}
	if (added && w->nforms)
		b->q->n++;
	else if (added)
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

/* A verb or adjective: its stem with the endings of its conjugation, into
 * forms/flens (buf holds the strings); the number of forms. */
static uint32_t inflect(const morph *m, const char **forms, size_t *flens,
                        char (*buf)[80])
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
	return nf;
}

static void add_inflected(builder *b, const morph *m)
{
	const char *forms[BIDX_ANY_MAX_FORMS];
	size_t flens[BIDX_ANY_MAX_FORMS];
	char buf[BIDX_ANY_MAX_FORMS][80];
	uint32_t nf = inflect(m, forms, flens, buf);
	add_word(b, m->base, strlen(m->base), BIDX_QW_WORD, forms, flens, nf);
}

/* s[0..n) in the other kana into out[0..cap): katakana as hiragana when it
 * has no hiragana (ゴミ ごみ, 粗大ゴミ 粗大ごみ), hiragana as katakana when it
 * is hiragana alone (ごみ ゴミ; the hiragana of 手続き is okurigana).  The
 * length, or 0 when there is no such form or it does not fit. */
static size_t kana_swapped(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0;
	int hira = 0, kata = 0, other = 0;
	while (i < n) {
		uint32_t c;
		int l = bidx_utf8_decode((const uint8_t *)s + i, n - i, &c);
		if (!l)
			return 0;
		hira += c >= 0x3041 && c <= 0x3096;
		kata += c >= 0x30A1 && c <= 0x30F6;
		other += !(c >= 0x3041 && c <= 0x3096) && !(c >= 0x30A1 && c <= 0x30F6) && c != 0x30FC;
		i += (size_t)l;
	}
	int to_hira = kata && !hira, to_kata = hira && !kata && !other;
	if (!to_hira && !to_kata)
		return 0;
	for (i = 0; i < n;) {
		uint32_t c;
		int l = bidx_utf8_decode((const uint8_t *)s + i, n - i, &c);
		if (to_hira && c >= 0x30A1 && c <= 0x30F6)
			c -= 0x60;
		else if (to_kata && c >= 0x3041 && c <= 0x3096)
			c += 0x60;
		if (o + 4 > cap)
			return 0;
		o += (size_t)bidx_utf8_encode(c, (uint8_t *)out + o);
		i += (size_t)l;
	}
	return o;
}

static int has_label(const bidx_question *q, const char *label, size_t len)
{
	for (uint32_t i = 0; i < q->n; i++)
		if (strlen(q->w[i].label) == len && !memcmp(q->w[i].label, label, len))
			return 1;
	return 0;
}

/* --- words of the same meaning (thesaurus.h) --- */

/* The related words of one of the question's words, one relation: their
 * forms, none containing another or one of the word's own (so no match
 * counts twice), compared with variants folded (イヴェント is イベント). */
typedef struct relset {
	char form[BIDX_ANY_MAX_FORMS][96];
	char fold[BIDX_ANY_MAX_FORMS][96];
	uint32_t n;
	char label[160];           /* the words, "/" between them */
	size_t llen;
} relset;

typedef struct relctx {
	builder *b;
	bidx_tokenizer *t;
	char (*ofold)[96];         /* the question's own forms, folded; not owned */
	uint32_t nof;
	relset set[2];             /* BIDX_TH_SAME, BIDX_TH_NEAR */
	int words;
} relctx;

/* s with its spelling variants folded (variants.h) into out[0..cap). */
static int fold_str(const char *s, char *out, size_t cap)
{
	bidx_norm nm = {0};
	if (bidx_normalize(s, strlen(s), 0, &nm))
		return -1;
	size_t n = bidx_variants_fold(nm.cp, nm.nchars, NULL, NULL, &(int){0}), o = 0;
	for (size_t i = 0; i < n && o + 4 < cap; i++)
		o += (size_t)bidx_utf8_encode(nm.cp[i], (uint8_t *)out + o);
	out[o] = 0;
	bidx_norm_free(&nm);
	return 0;
}

/* Adds form f to the relation's set unless a form already there, or one
 * of the word's own, overlaps it; a form containing f gives way to it. */
static void rel_form(relctx *c, relset *set, const char *f, size_t len)
{
	char fd[96], fs[96];
	if (len >= sizeof fs)
		return;
	memcpy(fs, f, len);
	fs[len] = 0;
	if (fold_str(fs, fd, sizeof fd)) {
		c->b->rc = BIDX_ENOMEM;
		return;
	}
	if (!fd[0])
		return;
	for (uint32_t k = 0; k < c->nof; k++)
		if (strstr(fd, c->ofold[k]) || strstr(c->ofold[k], fd))
			return;
	for (int r = 0; r < 2; r++)
		for (uint32_t k = 0; k < c->set[r].n; k++)
			if (strstr(fd, c->set[r].fold[k]))
				return;
	for (int r = 0; r < 2; r++)
		for (uint32_t k = 0; k < c->set[r].n;)
			if (strstr(c->set[r].fold[k], fd)) {
				relset *o = &c->set[r];
				memmove(o->form[k], o->form[k + 1], (o->n - k - 1) * sizeof o->form[0]);
				memmove(o->fold[k], o->fold[k + 1], (o->n - k - 1) * sizeof o->fold[0]);
				o->n--;
			} else {
				k++;
			}
	if (set->n == BIDX_ANY_MAX_FORMS)
		return;
	memcpy(set->form[set->n], fs, len + 1);
	memcpy(set->fold[set->n++], fd, strlen(fd) + 1);
}

/* One word of the thesaurus: its forms (a verb or adjective by its
 * conjugation row, as MeCab reads it; a noun with its kana swapped) into
 * the set of its relation. */
static int on_related(void *ctx, const char *word, size_t len, bidx_threl rel)
{
	relctx *c = ctx;
	builder *b = c->b;
	if (b->rc || c->words >= BIDX_ANY_MAX_RELATED)
		return 1;
	char tw[96], sw[256];
	if (len >= sizeof tw)
		return 0;
	memcpy(tw, word, len);
	tw[len] = 0;
	walk w = {0};
	uint32_t last = 0;   /* a verb or adjective ends in kana: only then ask MeCab */
	for (size_t i = 0; i < len;) {
		int l = bidx_utf8_decode((const uint8_t *)tw + i, len - i, &last);
		i += l ? (size_t)l : 1;
	}
	int r = last >= 0x3041 && last <= 0x309F ? bidx_tokenize_morphs(c->t, tw, len, on_morph, &w) : 0;
	const char *forms[BIDX_ANY_MAX_FORMS];
	size_t flens[BIDX_ANY_MAX_FORMS];
	char buf[BIDX_ANY_MAX_FORMS][80];
	uint32_t nf = 0;
	if (w.oom) {
		b->rc = BIDX_ENOMEM;
	} else if (!r && w.n == 1 && (w.m[0].cls == M_VERB || w.m[0].cls == M_ADJ)) {
		nf = inflect(&w.m[0], forms, flens, buf);
	} else if (!r) {   /* a noun, or not one word: as it is */
		forms[nf] = tw, flens[nf++] = len;
		size_t sl = kana_swapped(tw, len, sw, sizeof sw);
		if (sl)
			forms[nf] = sw, flens[nf++] = sl;
	}
	relset *set = &c->set[rel == BIDX_TH_SAME ? 0 : 1];
	uint32_t before = set->n;
	for (uint32_t i = 0; i < nf && !b->rc; i++)   /* forms may point into w.m */
		rel_form(c, set, forms[i], flens[i]);
	free(w.m);
	if (set->n > before && set->llen + len + 2 < sizeof set->label) {
		set->llen += (size_t)snprintf(set->label + set->llen, sizeof set->label - set->llen,
		                              "%s%s", set->llen ? "/" : "", tw);
		c->words++;
	}
	return b->rc != BIDX_OK;
}

/* Adds, for each of the question's first n words, the words of the same
 * meaning the thesaurus has: one word of the question for each relation.
 * A form overlapping one of the question's own forms (its words and their
 * compounds) is left out: those find its occurrences already. */
static void add_related(builder *b, bidx_tokenizer *t, const bidx_thesaurus *th, uint32_t n)
{
	uint32_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += b->q->w[i].nforms;
	relctx *c = bidx_malloc(sizeof *c);
	char (*ofold)[96] = bidx_malloc((size_t)(total + 1) * sizeof *ofold);
	uint32_t nof = 0;
	if (!c || !ofold)
		b->rc = BIDX_ENOMEM;
	for (uint32_t i = 0; i < n && !b->rc; i++)
		for (uint32_t k = 0; k < b->q->w[i].nforms && !b->rc; k++)
			if (fold_str(b->q->w[i].forms[k], ofold[nof], sizeof ofold[0]))
				b->rc = BIDX_ENOMEM;
			else
				nof++;
	for (uint32_t i = 0; i < n && !b->rc && b->q->n < BIDX_ANY_MAX_WORDS; i++) {
		/* not memset: the sets' arrays (12 kB) are read up to their n only */
		c->set[0].n = c->set[1].n = 0;
		c->set[0].llen = c->set[1].llen = 0;
		c->set[0].label[0] = c->set[1].label[0] = 0;
		c->words = 0;
		c->b = b;
		c->t = t;
		c->ofold = ofold;
		c->nof = nof;
		const char *label = b->q->w[i].label;
		bidx_thesaurus_each(th, label, strlen(label), on_related, c);
		for (int r = 0; r < 2 && !b->rc; r++) {
			relset *set = &c->set[r];
			const char *forms[BIDX_ANY_MAX_FORMS];
			size_t flens[BIDX_ANY_MAX_FORMS];
			for (uint32_t k = 0; k < set->n; k++)
				forms[k] = set->form[k], flens[k] = strlen(set->form[k]);
			if (!set->n || has_label(b->q, set->label, set->llen))
				continue;
			uint32_t before = b->q->n;
			b->weight = r == 0 ? BIDX_ANY_W_SAME : BIDX_ANY_W_NEAR;
			add_word(b, set->label, set->llen, BIDX_QW_RELATED, forms, flens, set->n);
			b->weight = 1;
			if (b->q->n > before)
				b->q->w[before].from = i;
		}
	}
	free(ofold);
	free(c);
}

/* A noun or compound: as written and with its kana in the other script
 * (ゴミ and ごみ, カラス and からす). */
static void add_noun(builder *b, const char *s, size_t len, bidx_qword_kind kind)
{
	char sw[256];
	const char *forms[2] = {s, sw};
	size_t flens[2] = {len, 0};
	flens[1] = kana_swapped(s, len, sw, sizeof sw);
	add_word(b, s, len, kind, forms, flens, flens[1] ? 2 : 1);
}

static int has_kanji(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		int l = bidx_utf8_decode((const uint8_t *)s + i, n - i, &c);
		if (!l)
			return 0;
		if ((c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF))
			return 1;
		i += (size_t)l;
	}
	return 0;
}

/* A noun alone: as add_noun, and a word with kanji also by its reading in
 * katakana, when that has two kana or more (鴉: カラス; 犬: イヌ): the
 * hiragana reading is left out, as it is often grammar (市内: しない). */
static void add_noun1(builder *b, const morph *m)
{
	size_t rl = strlen(m->reading);
	if (!has_kanji(m->s, m->len) || !strcmp(m->reading, "*") || nchars(m->reading, rl) < 2) {
		add_noun(b, m->s, m->len, BIDX_QW_WORD);
		return;
	}
	char sw[256];
	const char *forms[3] = {m->s, m->reading, sw};
	size_t flens[3] = {m->len, rl, kana_swapped(m->s, m->len, sw, sizeof sw)};
	add_word(b, m->s, m->len, BIDX_QW_WORD, forms, flens, flens[2] ? 3 : 2);
}

/* For each noun with kanji of m[0..n), its reading in hiragana (子供:
 * こども, 猫: ねこ), when that has two kana or more, as a further word of
 * the question standing for the noun at BIDX_ANY_W_READING: the same word
 * written in kana, as often as not in a city's notices.  A word of its own
 * rather than a form of the noun, so that a reading that is also grammar
 * (市内: しない) is left out by its own document frequency and does not
 * make the noun common. */
static void add_readings(builder *b, const morph *m, size_t n)
{
	for (size_t i = 0; i < n && !b->rc; i++) {
		size_t rl = strlen(m[i].reading);
		if (m[i].cls != M_NOUN || !has_kanji(m[i].s, m[i].len) || nchars(m[i].reading, rl) < 2)
			continue;
		char hr[256];
		size_t hl = kana_swapped(m[i].reading, rl, hr, sizeof hr);
		uint32_t from = UINT32_MAX;
		for (uint32_t k = 0; k < b->q->n && from == UINT32_MAX; k++)
			if (strlen(b->q->w[k].label) == m[i].len && !memcmp(b->q->w[k].label, m[i].s, m[i].len))
				from = k;
		if (!hl || from == UINT32_MAX || b->q->w[from].kind != BIDX_QW_WORD)
			continue;
		const char *forms[1] = {hr};
		size_t flens[1] = {hl};
		uint32_t before = b->q->n;
		b->weight = BIDX_ANY_W_READING;
		add_word(b, hr, hl, BIDX_QW_RELATED, forms, flens, 1);
		b->weight = 1;
		if (b->q->n > before)
			b->q->w[before].from = from;
	}
}

/* 1 when s[0..len) is one noun to MeCab, a kanji if it is one character
 * (no memory: b->rc). */
static int one_noun(builder *b, const char *s, size_t len)
{
	walk w = {0};
	int r = bidx_tokenize_morphs(b->t, s, len, on_morph, &w);
	int ok = !r && !w.oom && w.n == 1 && w.m[0].cls == M_NOUN && w.m[0].len == len;
	if (ok && nchars(s, len) == 1 && !has_kanji(s, len))
		ok = 0;
	if (w.oom)
		b->rc = BIDX_ENOMEM;
	free(w.m);
	return ok;
}

/* A noun with kanji of BIDX_ANY_SPLIT_MIN characters or more that MeCab
 * keeps whole (野良犬, 粗大ごみ, のら犬) is a compound to the text that
 * writes it apart (犬, ごみ): its two parts, cut where both are nouns to
 * MeCab, the last (the head) as short as can be and of BIDX_ANY_SPLIT_HEAD
 * characters at most, are further words standing for it at
 * BIDX_ANY_W_SPLIT, each with its kana swapped.  A part the question
 * already has is left to it.  A word in kana alone is not split: a
 * loanword's pieces (パンフレッ + ト, コンビ + ニ) are no words. */
static void add_split(builder *b, const morph *m, uint32_t from)
{
	char part[2][256];
	if (!b->t || nchars(m->s, m->len) < BIDX_ANY_SPLIT_MIN || m->len >= sizeof part[0] ||
	    !has_kanji(m->s, m->len))
		return;
	for (size_t c = m->len - 1; c > 0 && !b->rc; c--) {
		if (((unsigned char)m->s[c] & 0xC0) == 0x80)
			continue;   /* inside a character */
		size_t len[2] = {c, m->len - c};
		if (nchars(m->s + c, len[1]) > BIDX_ANY_SPLIT_HEAD)
			break;   /* at most 2 x BIDX_ANY_SPLIT_HEAD calls of MeCab */
		memcpy(part[0], m->s, c);
		memcpy(part[1], m->s + c, len[1]);
		part[0][c] = part[1][len[1]] = 0;
		if (!one_noun(b, part[0], len[0]) || !one_noun(b, part[1], len[1]))
			continue;
		for (int p = 0; p < 2 && !b->rc; p++) {
			if (has_label(b->q, part[p], len[p]))
				continue;
			char sw[256];
			const char *forms[2] = {part[p], sw};
			size_t flens[2] = {len[p], kana_swapped(part[p], len[p], sw, sizeof sw)};
			uint32_t before = b->q->n;
			b->weight = BIDX_ANY_W_SPLIT;
			add_word(b, part[p], len[p], BIDX_QW_RELATED, forms, flens, flens[1] ? 2 : 1);
			b->weight = 1;
			if (b->q->n > before)
				b->q->w[before].from = from;
		}
		return;
	}
}

/* The index of the question's word labelled s[0..len), or UINT32_MAX. */
static uint32_t word_index(const bidx_question *q, const char *s, size_t len)
{
	for (uint32_t i = 0; i < q->n; i++)
		if (strlen(q->w[i].label) == len && !memcmp(q->w[i].label, s, len))
			return i;
	return UINT32_MAX;
}

/* The suffixes with kanji of a compound m[0..n) (犬 in 保護犬, 品 in 名産品):
 * the thing itself, which a text may name alone (犬, 特産品), as further
 * words standing for the compound at BIDX_ANY_W_SUFFIX.  A suffix the
 * question already has is left to it. */
static void add_suffixes(builder *b, const morph *m, size_t n, uint32_t compound)
{
	for (size_t i = 1; i < n && !b->rc && compound != UINT32_MAX; i++) {
		if (m[i].cls != M_AFFIX || !m[i].suffix || !has_kanji(m[i].s, m[i].len) ||
		    has_label(b->q, m[i].s, m[i].len))
			continue;
		const char *forms[1] = {m[i].s};
		size_t flens[1] = {m[i].len};
		uint32_t before = b->q->n;
		b->weight = BIDX_ANY_W_SUFFIX;
		add_word(b, m[i].s, m[i].len, BIDX_QW_RELATED, forms, flens, 1);
		b->weight = 1;
		if (b->q->n > before)
			b->q->w[before].from = compound;
	}
}

/* A run of nouns and affixes m[0..n): the compound, its adjacent pairs when
 * it has three or more morphemes, its nouns alone, and its suffixes with
 * kanji. */
/* The compound of the morphemes m[0..n).  Where okurigana is left out,
 * the hiragana that ends a morpheme goes only when it is one character (み
 * of 申し込み書: 申込書) of a morpheme with kanji; a morpheme of hiragana
 * alone, or ending in two or more (粗大ごみ回収, 子ども手当), keeps them. */
static void add_compound(builder *b, const morph *m, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = nchars(m[i].s, m[i].len), tail = 0, e = m[i].len;
		while (e > 0) {   /* the trailing run of hiragana, in characters */
			size_t st = e - 1;
			while (st > 0 && ((unsigned char)m[i].s[st] & 0xC0) == 0x80)
				st--;
			if (!all_hiragana(m[i].s + st, e - st))
				break;
			tail++;
			e = st;
		}
		int keep = tail == k || tail >= 2;
		for (size_t j = 0; j < k && c < sizeof b->word_kana; j++)
			b->word_kana[c++] = (uint8_t)(keep && j >= k - tail);
	}
	b->nword_kana = c;
	add_noun(b, m[0].s, (size_t)(m[n - 1].s + m[n - 1].len - m[0].s), BIDX_QW_COMPOUND);
	b->nword_kana = 0;
}

static void add_run(builder *b, const morph *m, size_t n)
{
	size_t nouns = 0;
	for (size_t i = 0; i < n; i++)
		nouns += m[i].cls == M_NOUN;
	if (!nouns)
		return;
	uint32_t compound = UINT32_MAX;
	if (n >= 2) {
		const char *s = m[0].s;
		size_t len = (size_t)(m[n - 1].s + m[n - 1].len - s);
		add_compound(b, m, n);
		compound = word_index(b->q, s, len);
	}
	for (size_t i = 0; n >= 3 && i + 1 < n; i++)
		if (m[i].cls == M_NOUN || m[i + 1].cls == M_NOUN)
			add_compound(b, m + i, 2);
	for (size_t i = 0; i < n; i++)
		if (m[i].cls == M_NOUN) {
			uint32_t before = b->q->n;
			add_noun1(b, &m[i]);
			if (b->q->n > before)
				add_split(b, &m[i], before);
		}
	add_suffixes(b, m, n, compound);
}

/* --- the answer a question asks for --- */

/* The answer words of the interrogatives found (dict/answers.txt, read
 * as a thesaurus table), each once. */
typedef struct ansctx {
	const bidx_question *q;
	const char *form[BIDX_ANY_MAX_FORMS];   /* into the table or the question */
	size_t flen[BIDX_ANY_MAX_FORMS];
	uint32_t n;
} ansctx;

/* 1 when one of the question's forms has or is inside w[0..len). */
static int question_has(const bidx_question *q, const char *w, size_t len)
{
	char s[96];
	if (len >= sizeof s)
		return 1;
	memcpy(s, w, len);
	s[len] = 0;
	for (uint32_t i = 0; i < q->n; i++)
		for (uint32_t k = 0; k < q->w[i].nforms; k++)
			if (strstr(q->w[i].forms[k], s) || strstr(s, q->w[i].forms[k]))
				return 1;
	return 0;
}

/* Adds w[0..len) to the answer words unless they have it or the question
 * does. */
static void ans_add(ansctx *c, const char *w, size_t len)
{
	for (uint32_t k = 0; k < c->n; k++)
		if (c->flen[k] == len && !memcmp(c->form[k], w, len))
			return;
	if (c->n < BIDX_ANY_MAX_FORMS && !question_has(c->q, w, len)) {
		c->form[c->n] = w;
		c->flen[c->n++] = len;
	}
}

static int on_answer(void *ctx, const char *word, size_t len, bidx_threl rel)
{
	(void)rel;
	ans_add(ctx, word, len);
	return 0;
}

/* The interrogatives of the question (one to three adjacent morphemes of
 * m[0..n) that the answer-type table at has as a word that finds others:
 * どこ, 何 + 時), with the words the table gives for them (its other
 * interrogatives and its answer words: 場所 窓口...), those the question
 * does not have, as one further word at BIDX_ANY_W_ANSWER. */
static void add_answer_types(builder *b, const bidx_thesaurus *at, const morph *m, size_t n)
{
	ansctx c = {.q = b->q};
	for (size_t i = 0; i < n; i++)
		for (size_t k = i; k < n && k < i + 3; k++) {
			if (k > i && m[k].s != m[k - 1].s + m[k - 1].len)
				break;   /* not adjacent in the question */
			size_t len = (size_t)(m[k].s + m[k].len - m[i].s);
			if (bidx_thesaurus_each(at, m[i].s, len, on_answer, &c))
				ans_add(&c, m[i].s, len);   /* an interrogative: itself too */
		}
	if (!c.n)
		return;
	char label[256];
	size_t ll = 0;
	for (uint32_t k = 0; k < c.n && ll + c.flen[k] + 2 < sizeof label; k++)
		ll += (size_t)snprintf(label + ll, sizeof label - ll, "%s%.*s", ll ? "/" : "",
		                       (int)c.flen[k], c.form[k]);
	b->weight = BIDX_ANY_W_ANSWER;
	add_word(b, label, ll, BIDX_QW_ANSWER, c.form, c.flen, c.n);
	b->weight = 1;
}

/* A character that may start or end a searched bigram: kanji, katakana,
 * letters and digits; hiragana only beside one of those.  The title
 * similarity compares these characters but hiragana. */
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

/* The question's characters that are not hiragana, for the title
 * similarity (question_rank.c). */
static bidx_err add_chars(bidx_question *q, const bidx_norm *nm)
{
	if (!nm->nchars)
		return BIDX_OK;
	q->chars = bidx_malloc((size_t)nm->nchars * sizeof *q->chars);
	if (!q->chars)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < nm->nchars; i++)
		if (gram_char(nm->cp[i]) && !hira(nm->cp[i]))
			q->chars[q->nchars++] = nm->cp[i];
	return BIDX_OK;
}

static bidx_thesaurus *process_thesaurus, *process_answers;
static pthread_once_t thesaurus_once = PTHREAD_ONCE_INIT, answers_once = PTHREAD_ONCE_INIT;

static void load_thesaurus(void)
{
	char path[4096], why[4400];
	if (!bidx_thesaurus_find(path, sizeof path) && path[0])
		bidx_thesaurus_load(path, &process_thesaurus, why, sizeof why);
}

const bidx_thesaurus *bidx_question_thesaurus(void)
{
	pthread_once(&thesaurus_once, load_thesaurus);
	return process_thesaurus;
}

static void load_answers(void)
{
	char path[4096], why[4400];
	if (bidx_dict_locate("BIDX_ANSWERS", BIDX_ANSWERS_NAME, path, sizeof path) >= 0 && path[0])
		bidx_thesaurus_load(path, &process_answers, why, sizeof why);
}

const bidx_thesaurus *bidx_question_answers(void)
{
	pthread_once(&answers_once, load_answers);
	return process_answers;
}

bidx_err bidx_question_analyse(bidx_tokenizer *t, const char *text, bidx_question *q, char *why,
                               size_t whylen)
{
	return bidx_question_analyse_with(t, bidx_question_thesaurus(), text, q, why, whylen);
}

bidx_err bidx_question_analyse_with(bidx_tokenizer *t, const bidx_thesaurus *th, const char *text,
                                    bidx_question *q, char *why, size_t whylen)
{
	return bidx_question_analyse_tables(t, th, bidx_question_answers(), text, q, why, whylen);
}

bidx_err bidx_question_analyse_tables(bidx_tokenizer *t, const bidx_thesaurus *th,
                                      const bidx_thesaurus *at, const char *text,
                                      bidx_question *q, char *why, size_t whylen)
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
	builder b = {.q = q, .rc = BIDX_OK, .weight = 1, .t = t};
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
	if (!b.rc && th)
		add_related(&b, t, th, q->n);
	add_readings(&b, w.m, w.n);
	if (!b.rc && at)
		add_answer_types(&b, at, w.m, w.n);
	free(w.m);
	if (!b.rc)
		b.rc = add_grams(q, &nm);
	if (!b.rc)
		b.rc = add_chars(q, &nm);
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
	free(q->chars);
	memset(q, 0, sizeof *q);
}
