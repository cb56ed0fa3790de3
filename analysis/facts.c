/*
 * facts.c - the facts of an incident, read from a notice's text.
 *
 * The notice is cut into lines (PDF and HTML extractions keep a table row or
 * a bullet per line) and each line is normalised on its own, so that list
 * structure survives the gap rule (or cut out of the whole text's
 * normalisation, which gives the same lines: doc_cut); lines are cut into
 * sentences at 。.  All
 * matching is on normalised text (full-width digits are ASCII, letters are
 * lower case, ～ is ~), so every word below is written in that form.
 *
 * What each fact means here:
 *  - counts: every number followed by 件, 名 or 人 whose context
 *    speaks of the incident (流出, 漏えい, 対象, 可能性, 件数 ...); the
 *    context is its sentence, plus the previous line when the number stands
 *    on a short line of its own (a heading such as "個人情報の件数" above
 *    "48,685件"), each with what it counts: the noun phrase right before it
 *    ("お客様のクレジットカード情報(18,746名分)" -> クレジットカード情報; a
 *    generic head such as お客様の is dropped).  A sentence that corrects
 *    an earlier figure (当初…件としておりましたが…件, 訂正) keeps only its
 *    last count of each unit.  A sentence about something else is no
 *    context: capacities (定員, 先着), statistics (推計, 全国で), prizes,
 *    examples.  affected is the largest count kept, since that bounds
 *    how many people or records the incident may touch.  A qualifier is read
 *    around that number: 最大 -> MAX, 約/およそ/概ね -> APPROX,
 *    以上/超/余 -> OVER.  Numbers after 第 or inside longer numbers are not
 *    counts; years, dates, money and phone numbers have no such unit.
 *  - leaked: vocabulary words in a sentence about a leak (a leak word and
 *    no denial such as "ございません"), or on the short bullet lines under a
 *    heading about leaked information (〈カード情報〉, 流出した情報).
 *    "カード情報" counts as the card number: a leaked card record always
 *    holds it.  A contact label ("電話番号: 0120-...") is not an item.
 *  - method: vocabulary words anywhere, except in sentences that define a
 *    word or describe a defence ("...とは、", "...を防ぐ仕組み") or deny it.
 *  - authorities: vocabulary words in a sentence about reporting or working
 *    with someone (報告, 届, 相談, 連絡, 依頼, 連携, 調査 ...); a name in
 *    apposition ("監督官庁である個人情報保護委員会") counts once, as the
 *    name that follows.
 *  - period: the first "date ~ date" (or から, より) range, preferring one on
 *    a line that speaks of the incident (期間, 間, 流出 ...).
 *  - events: each day-precision date that is not the end of a range, with
 *    the rest of its sentence (what happened that day).
 *  - phones: Japanese numbers starting with 0, 10 or 11 digits, grouped by
 *    hyphens (or parentheses); written back as ASCII digits and hyphens.
 *  - emails: ASCII addresses in the original text, as written.
 */
#include "facts.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fault.h"
#include "fields.h"
#include "normalize.h"
#include "text.h"
#include "vocab.h"
#include "wordset.h"

#define SHORT_LINE 40      /* characters: a line this short is a list item or a cell */
#define LIST_ITEM 24       /* characters of a bullet line's text */

struct ctx_line;

typedef struct span {
	const char *p;
	size_t n;
	const struct ctx_line *cl;   /* the context words of the line p lies in, or NULL */
} span;

/* --- context words --- */

static const char *const leak_words[] = {"流出", "漏えい", "漏洩", "漏れ", "漏出",
                                         "窃取", "不正取得", "対象", NULL};
static const char *const count_words[] = {"流出", "漏えい", "漏洩", "漏れ", "漏出", "対象",
                                          "可能性", "件数", "該当", "被害", "人数", NULL};
static const char *const report_words[] = {"報告", "届出", "届け出", "被害届", "相談", "連絡", "通報", "依頼",
                                           "連携", "協力", "共有", "調査", "申告", NULL};
static const char *const defines_words[] = {"とは、", "とは異なり", "防ぐ", "防止する仕組",
                                            NULL};
/* Sentences about something else than an incident, for counts and leaked
 * items: capacities, statistics, prizes, examples. */
static const char *const other_topic_words[] = {"定員", "先着", "募集", "推計", "統計", "全国で",
                                                "日本では", "世界で", "受賞", "入賞", "表彰",
                                                "抽選", "例えば", "たとえば", "例:", "プレゼント",
                                                "来場", "参加者", "人口", "世帯", NULL};
/* A sentence that corrects an earlier figure. */
static const char *const correction_words[] = {"当初", "訂正", "としておりましたが",
                                               "としていましたが", "と公表しましたが",
                                               "と発表しましたが", NULL};
static const char *const period_words[] = {"期間", "間", "流出", "漏えい", "漏洩", "不正",
                                           "対象", NULL};

/* --- spans and words --- */

static int span_has(span s, const char *w)
{
	return bidx_str_has(s.p, s.n, w);
}

/* The context lists as one word set (wordset.h): each line of a notice is
 * scanned once for the words of every list, and the occurrences, each with
 * the lists its word is in, are kept with the line; whether a sentence or a
 * line holds a word of a list is then read off the occurrences that lie
 * inside it, which is what a search of the span for each word would find. */
static const char *const *const context_lists[] = {leak_words, count_words, report_words,
                                                   defines_words, other_topic_words,
                                                   correction_words, period_words};
#define NCONTEXT (sizeof context_lists / sizeof *context_lists)
static bidx_wordset context_set;
static uint8_t context_mask[BIDX_WORDSET_MAX];   /* by word id: a bit per list holding it */
static int context_ok;      /* every word went in (all are 3 bytes or more) */
static pthread_once_t context_once = PTHREAD_ONCE_INIT;

typedef struct ctx_occ {
	uint32_t start, end;   /* bytes of the line */
	uint8_t mask;          /* the lists its word is in */
} ctx_occ;

/* One line's occurrences of context words, in order of start. */
typedef struct ctx_line {
	const char *base;      /* the line's normalised text */
	const ctx_occ *occ;
	size_t n;
} ctx_line;

static void context_init(void)
{
	bidx_wordset_init(&context_set);
	context_ok = 1;
	for (size_t l = 0; l < NCONTEXT; l++)
		for (const char *const *w = context_lists[l]; *w; w++) {
			int id = -1;
			for (size_t k = 0; k < context_set.n && id < 0; k++)
				if (!strcmp(context_set.word[k], *w))
					id = (int)k;
			if (id < 0 && (id = bidx_wordset_add(&context_set, *w)) < 0) {
				context_ok = 0;
				continue;
			}
			context_mask[id] |= (uint8_t)(1u << l);
		}
}

static int span_has_any(span s, const char *const *words)
{
	pthread_once(&context_once, context_init);
	for (size_t l = 0; l < NCONTEXT && s.cl && context_ok; l++) {
		if (words != context_lists[l])
			continue;
		const ctx_line *c = s.cl;
		size_t from = (size_t)(s.p - c->base), to = from + s.n, lo = 0, hi = c->n;
		while (lo < hi) {   /* the first occurrence starting at from or after */
			size_t mid = lo + (hi - lo) / 2;
			if (c->occ[mid].start < from)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < c->n && c->occ[lo].start < to; lo++)
			if (c->occ[lo].mask >> l & 1 && c->occ[lo].end <= to)
				return 1;
		return 0;
	}
	for (; *words; words++)
		if (span_has(s, *words))
			return 1;
	return 0;
}

/* Does s hold at most most characters?  A character takes 1 to 4 bytes, so
 * only a span of between most and 4 * most bytes is counted. */
static int span_chars_within(span s, size_t most)
{
	size_t i, c = 0;

	if (s.n <= most)
		return 1;
	if (s.n > 4 * most)
		return 0;
	for (i = 0; i < s.n; i++)
		c += ((uint8_t)s.p[i] & 0xC0) != 0x80;
	return c <= most;
}

static int ascii_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Does s[at..) start with w? */
static int starts_with(span s, size_t at, const char *w)
{
	return at <= s.n && bidx_str_starts(s.p + at, s.n - at, w);
}

/* Denies the fact ("確認されておりません") without leaving it possible. */
static int denies(span s)
{
	return span_has(s, "ません") && !span_has(s, "可能性");
}

/* --- the notice as normalised lines --- */

typedef struct doc {
	bidx_norm *lines;   /* one normalised text per input line */
	size_t n;
	int views;          /* lines[] are views of text and len into a whole normalisation */
	int oom;            /* a line could not be normalised for want of memory */
	ctx_line *cl;       /* per line, its context words; NULL: spans are searched */
	ctx_occ *occ;       /* every line's occurrences, line after line */
	size_t nocc, occ_cap;
} doc;

static span line_span(const doc *d, size_t i)
{
	span s = {d->lines[i].text ? d->lines[i].text : "", d->lines[i].len,
	          d->cl ? &d->cl[i] : NULL};
	return s;
}

static void ctx_hit(void *ctx, int id, size_t at)
{
	doc *d = ctx;
	if (!d->cl)
		return;
	if (bidx_grow((void **)&d->occ, &d->occ_cap, d->nocc + 1, sizeof *d->occ)) {
		free(d->cl);   /* out of memory: the spans are searched instead */
		d->cl = NULL;
		return;
	}
	d->occ[d->nocc++] = (ctx_occ){(uint32_t)at, (uint32_t)(at + context_set.len[id]),
	                              context_mask[id]};
}

/* Every line's context words, in one scan of each line. */
static void doc_context(doc *d)
{
	pthread_once(&context_once, context_init);
	if (!context_ok || !(d->cl = bidx_calloc(d->n ? d->n : 1, sizeof *d->cl)))
		return;
	for (size_t i = 0; i < d->n && d->cl; i++) {
		d->cl[i].base = d->lines[i].text ? d->lines[i].text : "";
		d->cl[i].n = d->nocc;   /* the first occurrence's index, for now */
		bidx_wordset_scan(&context_set, d->cl[i].base, d->lines[i].len, ctx_hit, d);
	}
	for (size_t i = 0; i < d->n && d->cl; i++) {
		size_t first = d->cl[i].n, end = i + 1 < d->n ? d->cl[i + 1].n : d->nocc;
		d->cl[i].occ = d->occ ? d->occ + first : NULL;   /* none in the whole text */
		d->cl[i].n = end - first;
	}
}

/* The lines of text[0..len) cut out of w, its normalisation with the
 * offset map: line i is the run of w's characters made from bytes of that
 * line alone.  That run is what normalising the line alone gives, because
 * the normaliser's state where a line's first character is read (after the
 * gap that the line break opens) differs only in what lies across the
 * break: a gap's space, which a line alone drops at its ends, or a cluster
 * that a combining mark at the start of the line joins.  So a character
 * other than a space made from bytes on both sides of a break makes this
 * fail (-1), and the caller normalises the lines one by one. */
static int doc_cut(const char *text, size_t len, const bidx_norm *w, doc *d)
{
	size_t k = 0, ls = 0;
	const char *nl;

	if (!w->src_start || !w->src_end)
		return -1;
	for (;;) {
		nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;
		for (; k < w->nchars && w->src_start[k] < ls; k++)
			if (w->cp[k] != ' ')
				return -1;   /* made from both sides of a break */
		size_t a = k;
		for (; k < w->nchars && w->src_end[k] <= le; k++)
			;
		d->lines[d->n].text = w->text + w->byte_off[a];
		d->lines[d->n].len = w->byte_off[k] - w->byte_off[a];
		d->n++;
		if (nl == NULL)
			break;
		ls = le + 1;
	}
	return k == w->nchars ? 0 : -1;
}

static int doc_load(const char *text, size_t len, const bidx_norm *whole, doc *d)
{
	size_t i, start, k = 1;
	const char *nl;

	for (i = 0; i < len; i++)
		k += text[i] == '\n';
	memset(d, 0, sizeof *d);
	if ((d->lines = bidx_calloc(k, sizeof *d->lines)) == NULL)
		return -1;
	if (whole && doc_cut(text, len, whole, d) == 0) {
		d->views = 1;
		doc_context(d);
		return 0;
	}
	memset(d->lines, 0, k * sizeof *d->lines);
	d->n = 0;
	for (start = 0; start <= len && d->n < k; start = i + 1) {
		nl = memchr(text + start, '\n', len - start);
		i = nl ? (size_t)(nl - text) : len;
		bidx_err rc = bidx_normalize(text + start, i - start, 0, &d->lines[d->n]);
		if (rc != BIDX_OK)
			memset(&d->lines[d->n], 0, sizeof d->lines[d->n]);
		if (rc == BIDX_ENOMEM)
			d->oom = 1;
		d->n++;
		if (nl == NULL)
			break;
	}
	doc_context(d);
	return 0;
}

static void doc_free(doc *d)
{
	size_t i;

	for (i = 0; i < d->n && !d->views; i++)
		bidx_norm_free(&d->lines[i]);
	free(d->lines);
	free(d->cl);
	free(d->occ);
}

/* The first 。 (E3 80 82) in p[0..n), or NULL: memchr for its last byte,
 * rarer in Japanese text than its first, which every kana has. */
static const char *find_maru(const char *p, size_t n)
{
	const char *q = p + 2, *e = p + n;

	while (n >= 3 && q < e && (q = memchr(q, 0x82, (size_t)(e - q))) != NULL) {
		if ((uint8_t)q[-2] == 0xE3 && (uint8_t)q[-1] == 0x80)
			return q - 2;
		q++;
	}
	return NULL;
}

/* The next sentence of line from *pos (cut after 。); 0 at the end. */
static int next_sentence(span line, size_t *pos, span *out)
{
	const char *end;

	if (*pos >= line.n)
		return 0;
	*out = line;
	out->p = line.p + *pos;
	end = find_maru(out->p, line.n - *pos);
	out->n = end ? (size_t)(end - out->p) + 3 : line.n - *pos;
	*pos += out->n;
	return 1;
}

/* The nearest non-blank line before i, or an empty span. */
static span prev_line(const doc *d, size_t i)
{
	span none = {"", 0, NULL};

	while (i-- > 0)
		if (d->lines[i].len > 0)
			return line_span(d, i);
	return none;
}

/* The vocabularies' spellings as word sets; a spelling shorter than a word
 * set takes ("id") is searched on its own. */
typedef struct vocab_set {
	const bidx_vocab_syn *syns;
	bidx_wordset ws;
	uint8_t syn_of[BIDX_WORDSET_MAX];   /* by word id: its index in syns */
	uint8_t short_syn[8];               /* spellings not in ws */
	int nshort;
	int ok;                             /* every spelling is in ws or short_syn */
} vocab_set;

static vocab_set vocab_sets[3];
static pthread_once_t vocab_once = PTHREAD_ONCE_INIT;

static void vocab_init(void)
{
	const bidx_vocab_syn *const all[3] = {bidx_leaked_syns, bidx_method_syns,
	                                      bidx_authority_syns};
	for (int v = 0; v < 3; v++) {
		vocab_set *vs = &vocab_sets[v];
		vs->syns = all[v];
		vs->ok = 1;
		bidx_wordset_init(&vs->ws);
		for (int k = 0; all[v][k].word && vs->ok; k++) {
			int id = k < 256 ? bidx_wordset_add(&vs->ws, all[v][k].word) : -1;
			if (id >= 0)
				vs->syn_of[id] = (uint8_t)k;
			else if (strlen(all[v][k].word) < 3 && vs->nshort < 8 && k < 256)
				vs->short_syn[vs->nshort++] = (uint8_t)k;
			else
				vs->ok = 0;
		}
	}
}

typedef struct vocab_scan {
	span s;
	const bidx_vocab_syn *syns;
	const uint8_t *syn_of;
	int (*skip)(span, size_t, size_t);
	uint32_t bits;
} vocab_scan;

/* An occurrence of an ASCII spelling counts only as a whole word
 * (bidx_str_find_word); skip() may veto it. */
static int vocab_counts(const vocab_scan *v, const char *w, size_t at)
{
	size_t k = strlen(w);
	if ((unsigned char)w[0] < 0x80 &&
	    ((at > 0 && ascii_alnum(v->s.p[at - 1])) || (at + k < v->s.n && ascii_alnum(v->s.p[at + k]))))
		return 0;
	return v->skip == NULL || !v->skip(v->s, at, k);
}

static void vocab_hit(void *ctx, int id, size_t at)
{
	vocab_scan *v = ctx;
	const bidx_vocab_syn *syn = &v->syns[v->syn_of[id]];

	if (!(v->bits >> syn->entry & 1) && vocab_counts(v, syn->word, at))
		v->bits |= 1u << syn->entry;
}

/* The bits of the entries a spelling of syns gives, searched one by one. */
static uint32_t match_one(span s, const bidx_vocab_syn *syn, int (*skip)(span, size_t, size_t))
{
	long at;
	for (size_t from = 0; (at = bidx_str_find_word(s.p, s.n, from, syn->word)) >= 0;
	     from = (size_t)at + 1)
		if (skip == NULL || !skip(s, (size_t)at, strlen(syn->word)))
			return 1u << syn->entry;
	return 0;
}

/* Sets the bits of the entries whose synonyms occur in s; skip() may veto
 * one occurrence (at its byte offset).  One pass of the vocabulary's word
 * set finds every occurrence of every spelling. */
static uint32_t match_vocab(span s, const bidx_vocab_syn *syns, int (*skip)(span, size_t, size_t))
{
	pthread_once(&vocab_once, vocab_init);
	for (int v = 0; v < 3; v++) {
		const vocab_set *vs = &vocab_sets[v];
		if (vs->syns != syns || !vs->ok)
			continue;
		vocab_scan sc = {s, syns, vs->syn_of, skip, 0};
		bidx_wordset_scan(&vs->ws, s.p, s.n, vocab_hit, &sc);
		for (int k = 0; k < vs->nshort; k++)
			if (!(sc.bits >> syns[vs->short_syn[k]].entry & 1))
				sc.bits |= match_one(s, &syns[vs->short_syn[k]], skip);
		return sc.bits;
	}
	uint32_t bits = 0;
	for (; syns->word; syns++)
		if (!(bits >> syns->entry & 1))
			bits |= match_one(s, syns, skip);
	return bits;
}

/* --- leaked items --- */

/* "電話番号: 0120-..." names a contact, not a leaked item. */
static int contact_label(span s, size_t at, size_t len)
{
	size_t i = at + len;

	while (i < s.n && s.p[i] == ' ')
		i++;
	return i < s.n && (s.p[i] == ':' || (s.p[i] >= '0' && s.p[i] <= '9'));
}

/* The text of a bullet line without its marks ("- 2 住所" -> "住所"). */
static span strip_bullet(span s)
{
	static const char *const marks[] = {"-", "・", "*", "●", "○", "■", "□", "◆", "◇",
	                                    "•", "※", " ", "(", ")", ".", NULL};
	const char *const *m;
	int again = 1;

	while (again && s.n > 0) {
		again = 0;
		if (s.p[0] >= '0' && s.p[0] <= '9') {
			s.p++, s.n--, again = 1;
			continue;
		}
		for (m = marks; *m; m++) {
			if (starts_with(s, 0, *m)) {
				s.p += strlen(*m), s.n -= strlen(*m), again = 1;
				break;
			}
		}
	}
	return s;
}

static int list_item(span line)
{
	span t = strip_bullet(line);

	return t.n > 0 && span_chars_within(t, LIST_ITEM) && !span_has(t, ":");
}

static int leak_heading(span line)
{
	if (span_has_any(line, leak_words))
		return 1;
	return span_chars_within(line, LIST_ITEM) && (span_has(line, "情報") || span_has(line, "項目"));
}

static uint32_t leaked_in_line(span line, int in_list)
{
	uint32_t bits = 0;
	size_t pos = 0;
	span s;

	if (in_list && list_item(line))
		return match_vocab(strip_bullet(line), bidx_leaked_syns, contact_label);
	while (next_sentence(line, &pos, &s))
		if (span_has_any(s, leak_words) && !denies(s) && !span_has_any(s, other_topic_words))
			bits |= match_vocab(s, bidx_leaked_syns, contact_label);
	return bits;
}

static uint32_t extract_leaked(const doc *d)
{
	uint32_t bits = 0;
	int in_list = 0;
	size_t i;
	span l;

	for (i = 0; i < d->n; i++) {
		l = line_span(d, i);
		if (l.n == 0)
			continue;
		bits |= leaked_in_line(l, in_list);
		if (leak_heading(l))
			in_list = 1;
		else if (!list_item(l))
			in_list = 0;
	}
	return bits;
}

/* --- methods and authorities --- */

static uint32_t extract_methods(const doc *d)
{
	uint32_t bits = 0;
	size_t i, pos;
	span s;

	for (i = 0; i < d->n; i++) {
		for (pos = 0; next_sentence(line_span(d, i), &pos, &s);)
			if (!span_has_any(s, defines_words) && !denies(s))
				bits |= match_vocab(s, bidx_method_syns, NULL);
	}
	return bits;
}

/* "監督官庁である個人情報保護委員会": the first name is only a title of the
 * authority named after it. */
static int apposition(span s, size_t at, size_t len)
{
	const bidx_vocab_syn *a;

	if (!starts_with(s, at + len, "である"))
		return 0;
	for (a = bidx_authority_syns; a->word; a++)
		if (starts_with(s, at + len + strlen("である"), a->word))
			return 1;
	return 0;
}

static uint32_t extract_authorities(const doc *d)
{
	uint32_t bits = 0;
	size_t i, pos;
	span s;

	for (i = 0; i < d->n; i++) {
		for (pos = 0; next_sentence(line_span(d, i), &pos, &s);)
			if (span_has_any(s, report_words))
				bits |= match_vocab(s, bidx_authority_syns, apposition);
	}
	return bits;
}

/* --- affected counts --- */

typedef struct count {
	uint64_t v;
	bidx_unit unit;
	bidx_qual qual;
	size_t end;       /* byte after the unit */
} count;

static int digit_at(span s, size_t i)
{
	return i < s.n && s.p[i] >= '0' && s.p[i] <= '9';
}

/* Digits with thousands commas ("48,685") at i; returns the end.  *over is
 * set when the value passes BIDX_COUNT_MAX (the digits are still read). */
static size_t read_digits(span s, size_t i, uint64_t *v, int *over)
{
	while (i < s.n) {
		if (digit_at(s, i)) {
			*over |= bidx_count_madd(v, 10, (uint64_t)(s.p[i] - '0'));
			i++;
		} else if (s.p[i] == ',' && digit_at(s, i + 1) && digit_at(s, i + 2) &&
		           digit_at(s, i + 3) && !digit_at(s, i + 4)) {
			i++;
		} else {
			break;
		}
	}
	return i;
}

static uint64_t multiplier_at(span s, size_t i)
{
	if (starts_with(s, i, "億"))
		return 100000000u;
	if (starts_with(s, i, "万"))
		return 10000u;
	if (starts_with(s, i, "千"))
		return 1000u;
	if (starts_with(s, i, "百"))
		return 100u;
	return 0;
}

/* A number with 万/千 groups ("2万8千", "1.5万", "7,996") at i.  *over is
 * set when it passes BIDX_COUNT_MAX. */
static size_t read_amount(span s, size_t i, uint64_t *total, int *over)
{
	uint64_t v, frac, scale, mult;

	*total = 0;
	while (digit_at(s, i)) {
		v = 0, frac = 0, scale = 1;
		i = read_digits(s, i, &v, over);
		if (i < s.n && s.p[i] == '.' && digit_at(s, i + 1)) {
			size_t j = i + 1;
			for (; digit_at(s, j) && scale < 1000; j++)
				frac = frac * 10 + (uint64_t)(s.p[j] - '0'), scale *= 10;
			if (digit_at(s, j) || !multiplier_at(s, j))
				return i;   /* a decimal without 万: not a count */
			i = j;
		}
		if ((mult = multiplier_at(s, i)) == 0) {
			*over |= bidx_count_madd(total, 1, v);
			return i;
		}
		uint64_t part = v;
		*over |= bidx_count_madd(&part, mult, frac * mult / scale);
		*over |= bidx_count_madd(total, 1, part);
		i += 3;
	}
	return i;
}

/* Does s[..at) end with w? */
static int ends_with(span s, size_t at, const char *w)
{
	return bidx_str_ends(s.p, at, w);
}

/* 約 is "about" unless it ends a word like 契約 or 予約. */
static int about_at(span s, size_t at)
{
	static const char *const words[] = {"契約", "予約", "規約", "要約", "節約", "集約",
	                                    "条約", "制約", "解約", NULL};
	const char *const *w;

	if (!ends_with(s, at, "約"))
		return 0;
	for (w = words; *w; w++)
		if (ends_with(s, at, *w))
			return 0;
	return 1;
}

static bidx_qual qual_before(span s, size_t at)
{
	while (at > 0 && s.p[at - 1] == ' ')
		at--;
	if (about_at(s, at)) {
		at -= 3;
		if (ends_with(s, at, "最大") || ends_with(s, at, "最大で"))
			return BIDX_QUAL_MAX;
		return BIDX_QUAL_APPROX;
	}
	if (ends_with(s, at, "最大") || ends_with(s, at, "最大で") || ends_with(s, at, "最大:"))
		return BIDX_QUAL_MAX;
	if (ends_with(s, at, "およそ") || ends_with(s, at, "概ね"))
		return BIDX_QUAL_APPROX;
	return BIDX_QUAL_EXACT;
}

/* The unit after a number at i: 件, or 名/人 (not 名義, 名称). */
static size_t unit_at(span s, size_t i, bidx_unit *unit)
{
	*unit = BIDX_UNIT_NONE;
	if (starts_with(s, i, "件"))
		*unit = BIDX_UNIT_KEN;
	else if (starts_with(s, i, "人"))
		*unit = BIDX_UNIT_MEI;
	else if (starts_with(s, i, "名") && !starts_with(s, i + 3, "義") &&
	         !starts_with(s, i + 3, "称"))
		*unit = BIDX_UNIT_MEI;
	return *unit ? i + 3 : i;
}

/* A count at s[at] (a digit); 0 when this is no count, -1 when it is one
 * past BIDX_COUNT_MAX (c->end is set then too). */
static int read_count(span s, size_t at, count *c)
{
	size_t i;
	int over = 0, too_big = 0;

	if (at > 0 && (digit_at(s, at - 1) || s.p[at - 1] == ',' || s.p[at - 1] == '.' ||
	               s.p[at - 1] == '-' || ends_with(s, at, "第")))
		return 0;
	i = read_amount(s, at, &c->v, &too_big);
	while (i < s.n && s.p[i] == ' ')
		i++;
	if (starts_with(s, i, "余"))
		i += 3, over = 1;
	else if (starts_with(s, i, "超"))
		i += 3, over = 1;
	i = unit_at(s, i, &c->unit);
	if (c->unit == BIDX_UNIT_NONE || (c->v == 0 && !too_big))
		return 0;
	if (too_big) {
		c->end = i;
		return -1;
	}
	if (starts_with(s, i, "分"))
		i += 3;
	if (starts_with(s, i, "以上") || starts_with(s, i, "超") || starts_with(s, i, "を超え"))
		over = 1;
	c->qual = over ? BIDX_QUAL_OVER : qual_before(s, at);
	c->end = i;
	return 1;
}

/* Remembers a dropped count's text, cut on a character boundary. */
static void keep_dropped(bidx_facts *out, const char *p, size_t n)
{
	if (n >= sizeof out->dropped) {
		n = sizeof out->dropped - 1;
		while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out->dropped, p, n);
	out->dropped[n] = 0;
}

/* The code point ending at s[at) and its length in bytes; 0 at the start. */
static int prev_cp(span s, size_t at, uint32_t *c)
{
	size_t b = at;
	if (at == 0)
		return 0;
	while (b > 0 && ((uint8_t)s.p[b - 1] & 0xC0) == 0x80)
		b--;
	if (b == 0)
		return 0;
	b--;
	if (bidx_utf8_decode((const uint8_t *)s.p + b, at - b, c) != (int)(at - b))
		return 0;
	return (int)(at - b);
}

static int noun_cp(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || c == 0x3005 || (c >= 0x30A1 && c <= 0x30FC) ||
	       (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Hiragana that ends a noun phrase: all but the honorific prefixes and the
 * okurigana of nouns (お届け先, 申込み). */
static int stop_kana(uint32_t c)
{
	static const char keeps[] = "おごけりみ";
	char buf[4];
	if (c < 0x3041 || c > 0x309F)
		return 1;
	buf[0] = (char)(0xE0 | (c >> 12));
	buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
	buf[2] = (char)(0x80 | (c & 0x3F));
	buf[3] = 0;
	return strstr(keeps, buf) == NULL;
}

/* What a count at s[at] counts: the noun phrase before it, skipping a
 * bracket, spaces, a qualifier and one particle; "" when there is none. */
static void what_before(span s, size_t at, char *out, size_t cap)
{
	static const char *const skips[] = {" ", "(", ":", "約", "最大で", "最大", "およそ", "概ね",
	                                    "計", "合計", "延べ", "総数", NULL};
	static const char *const particles[] = {"は", "が", "も", NULL};
	static const char *const joins[] = {"及び", "および", "並びに", "又は", "または", "うち", NULL};
	static const char *const heads[] = {"お客様の", "お客さまの", "顧客の", "会員様の", "利用者の",
	                                    "当社の", "弊社の", "当協会の", NULL};
	size_t end = at, b;
	uint32_t c, c2;
	int k, moved = 1, particle = 0;
	out[0] = 0;
	while (moved) {
		moved = 0;
		for (const char *const *w = skips; *w && !moved; w++)
			if (ends_with(s, end, *w))
				end -= strlen(*w), moved = 1;
		for (const char *const *w = particles; *w && !moved && !particle; w++)
			if (ends_with(s, end, *w))
				end -= strlen(*w), moved = particle = 1;
	}
	for (b = end; (k = prev_cp(s, b, &c)) > 0 && end - b < 60; b -= (size_t)k) {
		int joined = 0;
		for (const char *const *w = joins; *w; w++)
			joined |= ends_with(s, b, *w);
		if (joined)
			break;
		if (c == 0x306E) {   /* の joins two nouns */
			if (b == end || prev_cp(s, b - (size_t)k, &c2) <= 0 || !noun_cp(c2))
				break;
			continue;
		}
		if (c == 0x30FB || (!noun_cp(c) && stop_kana(c)))
			break;   /* ・ starts a bullet */
	}
	for (const char *const *h = heads; *h; h++)
		if (end - b > strlen(*h) && starts_with(s, b, *h))
			b += strlen(*h);
	static const char *const tails[] = {"の流出", "の漏えい", "の漏洩", "の対象", NULL};
	for (const char *const *w = tails; *w; w++)
		if (end - b > strlen(*w) && ends_with(s, end, *w))
			end -= strlen(*w);
	if (end - b >= cap || (end - b == 3 && (starts_with(s, b, "件") || starts_with(s, b, "名") ||
	                                        starts_with(s, b, "人"))))
		return;   /* "3,086件(2,816名)": the same thing in other units */
	memcpy(out, s.p + b, end - b);
	out[end - b] = 0;
}

static void add_count(bidx_facts *out, const count *c, const char what[64])
{
	for (int i = 0; i < out->ncounts; i++)
		if (out->counts[i].value == c->v && out->counts[i].unit == c->unit) {
			if (!out->counts[i].what[0] && what[0])
				memcpy(out->counts[i].what, what, sizeof out->counts[i].what);
			return;   /* the same figure stated again */
		}
	if (out->ncounts >= BIDX_FACTS_MAX_COUNTS)
		return;
	bidx_count *k = &out->counts[out->ncounts++];
	k->value = c->v;
	k->unit = c->unit;
	k->qual = c->qual;
	memcpy(k->what, what, sizeof k->what);
}

static void counts_in_sentence(span s, int ctx, bidx_facts *out)
{
	size_t i;
	count c, got[16];
	char whats[16][64];
	int n = 0;

	if (!ctx || span_has_any(s, other_topic_words))
		return;
	for (i = 0; i < s.n; i++) {
		int r = digit_at(s, i) ? read_count(s, i, &c) : 0;
		if (r == 0)
			continue;
		if (r < 0) {
			if (out->ndropped++ == 0)
				keep_dropped(out, s.p + i, c.end - i);
			i = c.end - 1;
			continue;
		}
		if (n < 16) {
			what_before(s, i, whats[n], sizeof whats[n]);
			got[n++] = c;
		}
		i = c.end - 1;
	}
	int corrects = span_has_any(s, correction_words);
	for (int k = 0; k < n; k++) {
		int later = 0;
		for (int j = k + 1; corrects && j < n; j++)
			later |= got[j].unit == got[k].unit;
		if (!later)   /* a corrected figure gives way to the later one */
			add_count(out, &got[k], whats[k]);
	}
}

static void extract_counts(const doc *d, bidx_facts *out)
{
	size_t i, pos;
	int head;
	span l, s;

	for (i = 0; i < d->n; i++) {
		l = line_span(d, i);
		if (l.n == 0)
			continue;
		head = span_chars_within(l, SHORT_LINE) && span_has_any(prev_line(d, i), count_words);
		for (pos = 0; next_sentence(l, &pos, &s);)
			counts_in_sentence(s, head || span_has_any(s, count_words), out);
	}
	for (int k = 0; k < out->ncounts; k++)
		if (out->counts[k].value > out->affected) {
			out->affected = out->counts[k].value;
			out->unit = out->counts[k].unit;
			out->qual = out->counts[k].qual;
		}
}

/* --- the incident period --- */

/* After a date at i: spaces, a remark in parentheses, spaces; the end. */
static size_t skip_remark(span s, size_t i)
{
	const char *close;

	while (i < s.n && s.p[i] == ' ')
		i++;
	if (i < s.n && s.p[i] == '(' &&
	    (close = memchr(s.p + i, ')', s.n - i < 60 ? s.n - i : 60)) != NULL)
		i = (size_t)(close - s.p) + 1;
	while (i < s.n && s.p[i] == ' ')
		i++;
	return i;
}

static size_t skip_connector(span s, size_t i)
{
	static const char *const conn[] = {"~", "〜", "-", "―", "–", "—", "から", "より", NULL};
	const char *const *c;

	for (c = conn; *c; c++)
		if (starts_with(s, i, *c))
			return i + strlen(*c);
	return i;
}

/* The first "date ~ date" range in a line; 1 when found. */
static int range_in_line(span l, bidx_date *from, bidx_date *to)
{
	size_t off = 0, at, n, i, j;
	int32_t lo1, hi1, lo2, hi2;

	while (off < l.n && (n = bidx_date_find(l.p + off, l.n - off, &at, from)) > 0) {
		off += at + n;
		i = skip_remark(l, off);
		j = skip_connector(l, i);
		if (j == i)
			continue;
		while (j < l.n && l.p[j] == ' ')
			j++;
		if (bidx_date_parse(l.p + j, l.n - j, to) == 0)
			continue;
		bidx_date_span(from, &lo1, &hi1);
		bidx_date_span(to, &lo2, &hi2);
		if (lo1 <= hi2)
			return 1;
	}
	return 0;
}

static void extract_period(const doc *d, bidx_facts *out)
{
	bidx_date from, to;
	int have = 0;
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (!range_in_line(line_span(d, i), &from, &to))
			continue;
		if (!have || span_has_any(line_span(d, i), period_words)) {
			out->period_from = from;
			out->period_to = to;
			have = 1;
		}
		if (span_has_any(line_span(d, i), period_words))
			return;
	}
}

/* --- the timeline --- */

/* What happened on a date ending at s[i): the rest of the sentence, from
 * after a weekday or time remark and a comma, cut to fit. */
static void event_text(span s, size_t i, char *out, size_t cap)
{
	size_t e, n;
	i = skip_remark(s, i);
	while (i < s.n && (starts_with(s, i, "、") || starts_with(s, i, ",") || s.p[i] == ' '))
		i += starts_with(s, i, "、") ? 3 : 1;
	e = i;
	while (e < s.n && !starts_with(s, e, "。"))
		e++;
	n = e - i;
	if (n >= cap) {
		n = cap - 4;
		while (n > 0 && ((uint8_t)s.p[i + n] & 0xC0) == 0x80)
			n--;
		memcpy(out, s.p + i, n);
		memcpy(out + n, "…", 3);
		out[n + 3] = 0;
		return;
	}
	memcpy(out, s.p + i, n);
	out[n] = 0;
}

static void extract_events(const doc *d, bidx_facts *out)
{
	size_t i, pos, off, at, n;
	bidx_date dt;
	span s;

	for (i = 0; i < d->n && out->nevents < BIDX_FACTS_MAX_EVENTS; i++) {
		for (pos = 0; next_sentence(line_span(d, i), &pos, &s);) {
			for (off = 0; off < s.n && out->nevents < BIDX_FACTS_MAX_EVENTS &&
			              (n = bidx_date_find(s.p + off, s.n - off, &at, &dt)) > 0;) {
				size_t b = off + at, e = b + n;
				off = e;
				if (dt.prec != BIDX_DATE_DAY)
					continue;
				size_t j = skip_remark(s, e);
				if (skip_connector(s, j) != j || starts_with(s, j, "まで") ||
				    ends_with(s, b, "~") || ends_with(s, b, "から") || ends_with(s, b, "より"))
					continue;   /* an end of a range: a period, not an event */
				bidx_event *ev = &out->events[out->nevents];
				event_text(s, e, ev->what, sizeof ev->what);
				if (!ev->what[0])
					continue;   /* a date standing alone: the notice's own */
				ev->date = dt;
				out->nevents++;
			}
		}
	}
}

/* --- phone numbers --- */

static size_t phone_sep(span s, size_t i)
{
	static const char *const seps[] = {"-", "ー", "‐", "−", "―", "(", ")", NULL};
	const char *const *p;

	for (p = seps; *p; p++)
		if (starts_with(s, i, *p))
			return strlen(*p);
	return 0;
}

/* A phone number at s[at] (a '0'); written as digits and hyphens into buf. */
static int read_phone(span s, size_t at, char buf[24], size_t *end)
{
	size_t i = at, k, nd = 0, o = 0, groups = 1;

	while (i < s.n && o < 22) {
		if (digit_at(s, i)) {
			buf[o++] = s.p[i++];
			nd++;
		} else if ((k = phone_sep(s, i)) > 0 && digit_at(s, i + k) && o > 0 &&
		           buf[o - 1] != '-') {
			buf[o++] = '-';
			groups++;
			i += k;
		} else {
			break;
		}
	}
	buf[o] = '\0';
	*end = i;
	if (digit_at(s, i) || nd < 10 || nd > 11 || groups > 3)
		return 0;
	if (groups == 1)   /* no hyphens: only well-known prefixes */
		return strncmp(buf, "0120", 4) == 0 || strncmp(buf, "0800", 4) == 0 ||
		       strncmp(buf, "0570", 4) == 0 || (nd == 11 && buf[2] == '0');
	return 1;
}

static void add_phone(bidx_facts *out, const char *p)
{
	int i;

	for (i = 0; i < out->nphones; i++)
		if (strcmp(out->phones[i], p) == 0)
			return;
	if (out->nphones < BIDX_FACTS_MAX_CONTACTS)
		strcpy(out->phones[out->nphones++], p);
}

static void extract_phones(const doc *d, bidx_facts *out)
{
	char buf[24];
	size_t i, j, end;
	span l;

	for (i = 0; i < d->n; i++) {
		l = line_span(d, i);
		for (j = 0; j < l.n; j++) {
			if (l.p[j] != '0' || (j > 0 && (digit_at(l, j - 1) || l.p[j - 1] == '-' ||
			                                l.p[j - 1] == '.' || l.p[j - 1] == '+' ||
			                                l.p[j - 1] == '/')))
				continue;
			if (read_phone(l, j, buf, &end))
				add_phone(out, buf);
			j = end > j ? end - 1 : j;
		}
	}
}

/* --- e-mail addresses --- */

static int local_char(int c)
{
	return ascii_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int domain_char(int c)
{
	return ascii_alnum(c) || c == '.' || c == '-';
}

/* The address around the '@' at s[at], or 0. */
static int read_email(const char *s, size_t n, size_t at, size_t *b, size_t *e)
{
	size_t dot = 0, i;

	for (*b = at; *b > 0 && local_char(s[*b - 1]); (*b)--)
		;
	for (*e = at + 1; *e < n && domain_char(s[*e]); (*e)++)
		;
	while (*e > at + 1 && (s[*e - 1] == '.' || s[*e - 1] == '-'))
		(*e)--;
	while (*b < at && s[*b] == '.')
		(*b)++;
	for (i = at + 1; i < *e; i++)
		if (s[i] == '.')
			dot = i;
	if (*b == at || dot == 0 || dot == at + 1 || *e - dot < 3)
		return 0;
	for (i = dot + 1; i < *e; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return *e - *b < 96;
}

static void add_email(bidx_facts *out, const char *p, size_t n)
{
	int i;

	for (i = 0; i < out->nemails; i++)
		if (strlen(out->emails[i]) == n && strncasecmp(out->emails[i], p, n) == 0)
			return;
	if (out->nemails < BIDX_FACTS_MAX_CONTACTS) {
		memcpy(out->emails[out->nemails], p, n);
		out->emails[out->nemails++][n] = '\0';
	}
}

static void extract_emails(const char *text, size_t len, bidx_facts *out)
{
	const char *at;
	size_t from = 0, b, e;

	while (from < len && (at = memchr(text + from, '@', len - from)) != NULL) {
		from = (size_t)(at - text) + 1;
		if (read_email(text, len, (size_t)(at - text), &b, &e))
			add_email(out, text + b, e - b);
	}
}

/* --- public --- */

void bidx_facts_extract(const char *text, size_t len, bidx_facts *out)
{
	bidx_facts_extract_norm(text, len, NULL, out);
}

void bidx_facts_extract_norm(const char *text, size_t len, const bidx_norm *whole, bidx_facts *out)
{
	doc d;

	memset(out, 0, sizeof *out);
	if (text == NULL || len == 0)
		return;
	extract_emails(text, len, out);
	if (doc_load(text, len, whole, &d) < 0) {
		out->oom = 1;
		return;
	}
	out->oom = d.oom;
	out->leaked = extract_leaked(&d);
	out->method = extract_methods(&d);
	out->authorities = extract_authorities(&d);
	extract_counts(&d, out);
	extract_period(&d, out);
	extract_events(&d, out);
	extract_phones(&d, out);
	doc_free(&d);
}

void bidx_facts_clear_incident(bidx_facts *f)
{
	f->affected = 0;
	f->unit = BIDX_UNIT_NONE;
	f->qual = BIDX_QUAL_EXACT;
	f->leaked = f->method = f->authorities = 0;
	memset(&f->period_from, 0, sizeof f->period_from);
	memset(&f->period_to, 0, sizeof f->period_to);
	f->ncounts = f->nevents = 0;
	f->ndropped = 0;
	f->dropped[0] = 0;
}
