/*
 * notice.c - a notice's title, date, organisation, kind, incident id and
 * facts, from plain text, an extracted document or a CSV/JSON Lines row
 * (the rules are in notice.h).  Everything is read from lines near the top
 * or the bottom of the text, each trimmed (text.h) before it is looked at,
 * and is kept as byte ranges of the text, so the stored title and fields
 * are the notice's own words.
 */
#include "notice.h"
#include "checksum.h"
#include "normalize.h"
#include "extract.h"
#include "colnames.h"
#include "fault.h"
#include "markdown.h"
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEAD_LINES 20
#define TAIL_LINES 12
#define ORG_MAX_BYTES 90

/* 1 when s can name a new extra field: letters, digits, '_', '-' or any
 * non-ASCII character, and no ':' or space (a query could not name it). */
static int field_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x80 && !isalnum(*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

int bidx_colmap_add(bidx_colmap *m, const char *spec, char *why, size_t whylen)
{
	static const char *const derived[] = {"affected", "year", "leaked", "method", "authority",
	                                      "authorities", "pages", NULL};
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec || !eq[1] || m->n >= 32)
		return -1;
	const char *field = eq + 1, *known = bidx_colname_field(field);
	for (int i = 0; !known && derived[i]; i++)
		if (!strcasecmp(field, derived[i])) {
			snprintf(why, whylen, "--map %s: %s is a field bidx derives from the text, not one "
			         "a column can give (fields: title, date, org, category, body, or a new "
			         "name)", spec, derived[i]);
			return -2;
		}
	if (!known && !field_name_ok(field)) {
		snprintf(why, whylen, "--map %s: '%s' cannot name a field (fields: title, date, org, "
		         "category, body, or a new name of letters, digits, '_' and '-')", spec, field);
		return -2;
	}
	char *col = strndup(spec, (size_t)(eq - spec));
	if (!col)
		return -1;
	m->col[m->n] = col;
	m->field[m->n] = known ? known : field;
	m->n++;
	return 0;
}

const char *bidx_notice_column_field(const char *col)
{
	return bidx_colname_field(col);
}

static void add_field(bidx_notice *n, const char *name, const char *v, size_t vl, const char *src)
{
	if (n->nfields >= BIDX_NOTICE_MAX_FIELDS || vl == 0)
		return;
	bidx_nfield *f = &n->fields[n->nfields++];
	snprintf(f->name, sizeof f->name, "%s", name);
	f->value = v;
	f->vlen = vl;
	snprintf(f->source, sizeof f->source, "%s", src);
}

static int has_field_(const struct bidx_notice *n, const char *name)
{
	for (int i = 0; i < n->nfields; i++)
		if (!strcmp(n->fields[i].name, name))
			return 1;
	return 0;
}

/* Line k (0-based) of text: its trimmed byte range; -1 past the end. */
typedef struct line { size_t s, e; } line;

static int split_lines(const char *t, size_t len, line *v, int max, int from_end)
{
	int n = 0;
	size_t pos = 0;
	if (from_end) {   /* the last `max` lines */
		size_t e = len;
		while (n < max && e > 0) {
			size_t s = e;
			while (s > 0 && t[s - 1] != '\n')
				s--;
			v[n++] = (line){s, e};
			e = s ? s - 1 : 0;
			if (s == 0)
				break;
		}
		return n;
	}
	while (pos < len && n < max) {
		const char *nl = memchr(t + pos, '\n', len - pos);
		size_t e = nl ? (size_t)(nl - t) : len;
		v[n++] = (line){pos, e};
		pos = e + 1;
	}
	return n;
}

/* Trims spaces, tabs and CRs from both ends of a line, and ideographic
 * spaces from its start only.  Not bidx_str_trim (text.h), which strips
 * them at the end too: that would drop the trailing U+3000 of some web
 * articles' titles (dozens of the livedoor corpus), a change of what analysis
 * extracts, so of BIDX_ANALYSIS_REVISION. */
static void trim(const char *t, line *l)
{
	while (l->s < l->e && (t[l->s] == ' ' || t[l->s] == '\t' || t[l->s] == '\r'))
		l->s++;
	while (l->e - l->s >= 3 && !memcmp(t + l->s, "\xE3\x80\x80", 3))
		l->s += 3;
	while (l->e > l->s && (t[l->e - 1] == ' ' || t[l->e - 1] == '\t' || t[l->e - 1] == '\r'))
		l->e--;
}

/* A short line naming an organisation: a company form anywhere, or an
 * organisation suffix at the end; not an addressee, a person or a heading. */
static int is_org_line(const char *s, size_t n)
{
	static const char *const forms[] = {"株式会社", "有限会社", "合同会社", "一般社団法人",
	                                    "公益社団法人", "一般財団法人", "公益財団法人",
	                                    "独立行政法人", "国立大学法人", NULL};
	static const char *const tails[] = {"協会", "組合", "機構", "財団", "大学", "病院", "市役所",
	                                    "市", "町", "村", "県", "府", "区", "省", "庁", "センター",
	                                    "事務局", "Inc.", "Ltd.", NULL};
	static const char *const not_org[] = {"様", "各位", "取締役", "代表", "。", "、", "について",
	                                      "お詫び", NULL};
	if (n == 0 || n > ORG_MAX_BYTES)
		return 0;
	for (int i = 0; not_org[i]; i++)
		if (bidx_str_has(s, n, not_org[i]))
			return 0;
	for (int i = 0; forms[i]; i++)
		if (bidx_str_has(s, n, forms[i]))
			return 1;
	for (int i = 0; tails[i]; i++)
		if (bidx_str_ends(s, n, tails[i]) && n > strlen(tails[i]) + 3)
			return 1;
	return 0;
}

static void find_org(bidx_notice *n, const char *t, size_t len)
{
	line v[HEAD_LINES];
	char src[96];
	for (int pass = 0; pass < 2; pass++) {
		int k = split_lines(t, len, v, pass ? TAIL_LINES : HEAD_LINES, pass);
		for (int i = 0; i < k; i++) {
			trim(t, &v[i]);
			if (is_org_line(t + v[i].s, v[i].e - v[i].s)) {
				if (pass)
					snprintf(src, sizeof src, "line %d from the end", i + 1);
				else
					snprintf(src, sizeof src, "line %d", i + 1);
				add_field(n, "org", t + v[i].s, v[i].e - v[i].s, src);
				return;
			}
		}
	}
}

/* A line that is a date and nothing else but a label (発行, 公表日, 現在,
 * brackets and spaces): how a notice writes its own date, in its head or
 * its signature block, unlike the dates of its sentences. */
static int date_line(const char *t, line l, bidx_date *d)
{
	static const char *const labels[] = {"公表日", "発表日", "掲載日", "公開日", "更新日",
	                                     "発行日", "作成日", "日付", "発行", "発表", "公表", "掲載",
	                                     "更新", "作成", "現在", "付", "(", ")", "（", "）", ":",
	                                     "：", " ", "\t", "\xE3\x80\x80", NULL};
	size_t at, n = bidx_date_find(t + l.s, l.e - l.s, &at, d);
	if (!n)
		return 0;
	for (int side = 0; side < 2; side++) {
		size_t p = side ? l.s + at + n : l.s, e = side ? l.e : l.s + at;
		while (p < e) {
			int k;
			for (k = 0; labels[k]; k++)
				if (e - p >= strlen(labels[k]) && !memcmp(t + p, labels[k], strlen(labels[k])))
					break;
			if (!labels[k])
				return 0;
			p += strlen(labels[k]);
		}
	}
	return 1;
}

/* The issue date: a date line among the first HEAD_LINES, else among the
 * last TAIL_LINES. */
static int find_issue_date(bidx_notice *n, const char *t, size_t len)
{
	line v[HEAD_LINES];
	for (int pass = 0; pass < 2; pass++) {
		int k = split_lines(t, len, v, pass ? TAIL_LINES : HEAD_LINES, pass);
		for (int i = 0; i < k; i++) {
			bidx_date d;
			trim(t, &v[i]);
			if (date_line(t, v[i], &d)) {
				n->date = d;
				snprintf(n->date_source, sizeof n->date_source, pass ? "line %d from the end" :
				         "line %d", i + 1);
				return 1;
			}
		}
	}
	return 0;
}

/* Without a date line: the latest date of the timeline (estimated), else
 * the first date in the head. */
static void find_date(bidx_notice *n, const char *t, size_t len)
{
	line v[HEAD_LINES];
	if (find_issue_date(n, t, len))
		return;
	const bidx_facts *f = &n->facts;
	int best = -1;
	for (int i = 0; i < f->nevents; i++) {
		int32_t lo, hi, blo, bhi;
		bidx_date_span(&f->events[i].date, &lo, &hi);
		if (best >= 0)
			bidx_date_span(&f->events[best].date, &blo, &bhi);
		if (best < 0 || lo > blo)
			best = i;
	}
	if (best >= 0 && n->kind.kind == BIDX_KIND_INCIDENT) {
		n->date = f->events[best].date;
		snprintf(n->date_source, sizeof n->date_source, "latest timeline date (estimated)");
		return;
	}
	int k = split_lines(t, len, v, HEAD_LINES, 0);
	for (int i = 0; i < k; i++) {
		size_t at;
		bidx_date d;
		if (bidx_date_find(t + v[i].s, v[i].e - v[i].s, &at, &d)) {
			n->date = d;
			snprintf(n->date_source, sizeof n->date_source, "line %d", i + 1);
			return;
		}
	}
}

/* A contact block near the end names its company before the desk
 * (「九州旅客鉄道株式会社 「ななつ星 Gallery」 お客さまお問い合わせ窓口」): the
 * organisation is the company name. */
static void find_contact_org(bidx_notice *n, const char *t, size_t len)
{
	static const char *const forms[] = {"株式会社", "有限会社", "合同会社", "一般社団法人",
	                                    "公益社団法人", "一般財団法人", "公益財団法人",
	                                    "独立行政法人", "国立大学法人", NULL};
	static const char *const desks[] = {"窓口", "お問い合わせ先", "お問合せ先", "問い合わせ先",
	                                    "センター", "事務局", "デスク", "ダイヤル", "係", NULL};
	line v[40];
	char src[96];
	int k = split_lines(t, len, v, 40, 1);
	for (int i = 0; i < k; i++) {
		trim(t, &v[i]);
		const char *s = t + v[i].s;
		size_t ln = v[i].e - v[i].s;
		if (ln == 0 || ln > 3 * ORG_MAX_BYTES || bidx_str_has(s, ln, "。"))
			continue;
		int desk = 0;
		for (int j = 0; desks[j]; j++)
			desk |= bidx_str_has(s, ln, desks[j]);
		for (int j = 0; desk && forms[j]; j++) {
			const char *f = bidx_str_find(s, ln, forms[j]);
			if (!f)
				continue;
			size_t b = 0, e = (size_t)(f - s) + strlen(forms[j]);
			size_t fo = (size_t)(f - s);
			if (fo >= 3 && !memcmp(f - 3, "：", 3))   /* お問い合わせ：株式会社○○ */
				b = fo;
			else if (fo >= 1 && f[-1] == ':')
				b = fo;
			if (f == s + b)   /* 株式会社○○: up to the next space */
				while (e < ln && s[e] != ' ' && (e + 3 > ln || memcmp(s + e, "\xE3\x80\x80", 3)))
					e++;
			else   /* ○○株式会社: from the last space before it */
				for (size_t q = 0; q < (size_t)(f - s); q++)
					if (s[q] == ' ')
						b = q + 1;
			if (e - b <= strlen(forms[j]))
				continue;
			snprintf(src, sizeof src, "contact block, line %d from the end", i + 1);
			add_field(n, "org", s + b, e - b, src);
			return;
		}
	}
}

/* Organisation words a notice calls itself by (当協会, 弊社, 本学): the
 * prefix, then the kind of body. */
static const char *const self_prefixes[] = {"当", "弊", "本", NULL};
static const char *const self_kinds[] = {"協会", "組合", "機構", "法人", "財団", "団体", "センター",
                                         "大学", "学", "病院", "院", "社", NULL};

/* 1 when the character at s is a letter of a name: not hiragana, not
 * punctuation, brackets or spaces. */
static int name_char(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return (s[0] >= '0' && s[0] <= '9') || ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z');
	if (n < 3 || s[0] != 0xE3)
		return s[0] >= 0xE4;   /* kanji and the rest of the BMP past kana */
	unsigned cp = (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	return (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x30FB;   /* katakana, ー, ・ */
}

/* The full name ending in kind written somewhere in t (○○協会 for 当協会):
 * the run of name characters before an occurrence of kind, at least two
 * characters long, not the self-reference itself.  1 when found. */
static int full_name(const char *t, size_t len, const char *kind, size_t *b, size_t *e)
{
	size_t kl = strlen(kind);
	for (const char *p = t, *hit; (hit = bidx_str_find(p, len - (size_t)(p - t), kind)) != NULL;
	     p = hit + kl) {
		size_t end = (size_t)(hit - t), s = end;
		int self = 0;   /* 当協会 itself (2024年5月22日当協会) */
		for (int k = 0; self_prefixes[k] && end >= 3; k++)
			self |= !memcmp(t + end - 3, self_prefixes[k], 3);
		if (self)
			continue;
		while (s > 0) {
			size_t c = s - 1;
			while (c > 0 && ((unsigned char)t[c] & 0xC0) == 0x80)
				c--;
			if (!name_char((const unsigned char *)t + c, s - c))
				break;
			s = c;
		}
		if (end - s >= 6 && end - s + kl <= ORG_MAX_BYTES) {
			*b = s;
			*e = end + kl;
			return 1;
		}
	}
	return 0;
}

/* A notice signed only by a self-reference (当協会が運営する通販サイト
 * 「e-ながさきどっとこむ」): the full name of that kind of body written in
 * the text (○○協会), else the service it says it runs (「…」 after
 * 運営する), which is how its readers know it. */
static void find_self_org(bidx_notice *n, const char *t, size_t len)
{
	char self[32], src[96];
	const char *at = NULL;
	const char *kind = NULL;
	for (int i = 0; self_prefixes[i]; i++)
		for (int j = 0; self_kinds[j]; j++) {
			snprintf(self, sizeof self, "%s%s", self_prefixes[i], self_kinds[j]);
			const char *hit = i == 2 && j == 11 ? NULL : bidx_str_find(t, len, self);   /* 本社 */
			if (hit && (!at || hit < at))
				at = hit, kind = self_kinds[j];
		}
	if (!at)
		return;
	size_t b, e;
	snprintf(self, sizeof self, "%.3s%s", at, kind);
	/* kinds whose name comes before them (○○協会), unlike 社会福祉法人○○ */
	static const char *const named_before[] = {"協会", "組合", "機構", "財団", "センター", NULL};
	int before = 0;
	for (int i = 0; named_before[i]; i++)
		before |= !strcmp(kind, named_before[i]);
	if (before && full_name(t, len, kind, &b, &e)) {
		snprintf(src, sizeof src, "full name of %s", self);
		add_field(n, "org", t + b, e - b, src);
		return;
	}
	const char *ops[] = {"が運営する", "の運営する", "が運営している", NULL};
	size_t from = (size_t)(at - t) + strlen(self);
	size_t near = len - from < 300 ? len - from : 300;
	for (int i = 0; ops[i]; i++) {
		if (len - from < strlen(ops[i]) || memcmp(t + from, ops[i], strlen(ops[i])))
			continue;
		const char *o = bidx_str_find(t + from, near, "「");
		const char *c = o ? bidx_str_find(o + 3, near - (size_t)(o + 3 - (t + from)), "」") : NULL;
		if (!c || c - (o + 3) < 2 || (size_t)(c - (o + 3)) > ORG_MAX_BYTES ||
		    bidx_str_has(o + 3, (size_t)(c - (o + 3)), "。"))
			return;
		snprintf(src, sizeof src, "the service %s runs", self);
		add_field(n, "org", o + 3, (size_t)(c - (o + 3)), src);
		return;
	}
}

/* A title from the first sentence when there is no heading: its lead-in
 * (このたび、) left out, cut at the last 、 within about 40 characters. */
static void first_sentence_title(bidx_notice *n, const char *t, size_t len)
{
	static const char *const leads[] = {"このたびは、", "このたび、", "この度は、", "この度、",
	                                    "今般、", "平素より", NULL};
	line v[HEAD_LINES];
	int k = split_lines(t, len, v, HEAD_LINES, 0);
	for (int i = 0; i < k; i++) {
		trim(t, &v[i]);
		size_t s = v[i].s, e = v[i].e;
		bidx_date d;
		if (s == e || date_line(t, v[i], &d) || (e - s > 4 && !memcmp(t + s, "http", 4)))
			continue;   /* a date or a URL above the text */
		for (int j = 0; leads[j]; j++)
			if (e - s > strlen(leads[j]) && !memcmp(t + s, leads[j], strlen(leads[j]))) {
				s += strlen(leads[j]);
				break;
			}
		const char *stop = bidx_str_find(t + s, e - s, "。");
		if (stop)
			e = (size_t)(stop - t);
		size_t p = s, chars = 0, comma = 0;
		while (p < e && chars < 48) {
			if (p + 3 <= e && !memcmp(t + p, "、", 3) && chars >= 12)
				comma = p;
			p++;
			while (p < e && ((unsigned char)t[p] & 0xC0) == 0x80)
				p++;
			chars++;
		}
		if (p < e && comma)
			p = comma;
		n->title_start = s;
		n->title_end = p;
		n->title_source = "first sentence";
		return;
	}
}

/* A line that ends the way a notice's heading does. */
static int is_heading(const char *l, size_t n)
{
	static const char *const tails[] = {"お詫び", "おわび", "お知らせ", "ご報告", "について",
	                                    "のお願い", "ご案内", "お詫びとお知らせ", "に関する報告"};
	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++)
		if (bidx_str_ends(l, n, tails[i]))
			return 1;
	return 0;
}

/* A line that is only a URL, or only digits and date punctuation. */
static int is_meta_line(const char *l, size_t n)
{
	if (n >= 4 && (!memcmp(l, "http", 4)))
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		if (!((c >= '0' && c <= '9') || c == '-' || c == ':' || c == '+' || c == 'T' ||
		      c == '/' || c == '.' || c == ' '))
			return 0;
	}
	return 1;
}

#define TITLE_SCAN_LINES 15
#define TITLE_MAX_BYTES 600

/* The title of a plain-text notice: the byte range of a heading line near
 * the top (one ending in お詫び, お知らせ, ご報告, について...), else the
 * first line that is not a URL or a date, unless that is a sentence.  An
 * empty range when none. */
static void heading_title(const char *text, size_t len, size_t *start, size_t *end)
{
	size_t first_s = 0, first_e = 0, pos = 0;
	int have_first = 0;
	*start = *end = 0;
	for (int k = 0; pos < len && k < TITLE_SCAN_LINES; k++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t s = pos, e = nl ? (size_t)(nl - text) : len;
		pos = e + 1;
		bidx_str_trim(text, &s, &e);
		if (s == e || e - s > TITLE_MAX_BYTES || is_meta_line(text + s, e - s))
			continue;
		if (is_heading(text + s, e - s)) {
			*start = s;
			*end = e;
			return;
		}
		/* the fallback is the first line, unless it is a sentence (…。):
		 * that is body text, and a later line is no better a title */
		if (!have_first) {
			if (!bidx_str_ends(text + s, e - s, "。")) {
				first_s = s;
				first_e = e;
			}
			have_first = 1;
		}
	}
	*start = first_s;
	*end = first_e;
}

/* Which report of an incident a notice is: stated near the top (第2報,
 * 続報, 最終報, 訂正), else counted from the earlier reports it cites
 * (「5月24日の第一報、5月27日の第二報にてお知らせした」 -> 第3報), else a
 * follow-up when it cites an earlier announcement, else the first. */
static void find_report(bidx_notice *n, const char *t, size_t len)
{
	static const char *const nums[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", NULL};
	static const char *const kinds[] = {"最終報", "続報", "訂正", NULL};
	static const char *const cites[] = {"お知らせした", "お知らせいたしました", "公表した",
	                                    "公表致しました", "公表いたしました", "ご報告した",
	                                    "発表した", NULL};
	size_t head = len < 1500 ? len : 1500;
	char w[16];
	for (int i = 1; i <= 9; i++) {
		snprintf(w, sizeof w, "第%d報", i);
		char wk[16];
		snprintf(wk, sizeof wk, "第%s報", nums[i - 1]);
		if (bidx_str_has(t, head, w) || bidx_str_has(t, head, wk)) {
			int later = 0;   /* cited, or this one? the highest number named */
			for (int j = i + 1; j <= 9; j++) {
				snprintf(w, sizeof w, "第%d報", j);
				snprintf(wk, sizeof wk, "第%s報", nums[j - 1]);
				later |= bidx_str_has(t, head, w) || bidx_str_has(t, head, wk);
			}
			if (later)
				continue;
			int cited = bidx_str_has(t, head, "にて") || bidx_str_has(t, head, "でお知らせ") ||
			            bidx_str_has(t, head, "お知らせしたところ");
			snprintf(n->report, sizeof n->report, "第%d報", cited ? i + 1 : i);
			return;
		}
	}
	for (int i = 0; kinds[i]; i++)
		if (bidx_str_has(t, head, kinds[i])) {
			snprintf(n->report, sizeof n->report, "%s", kinds[i]);
			return;
		}
	for (int i = 0; cites[i]; i++)
		if (bidx_str_has(t, head, cites[i])) {
			snprintf(n->report, sizeof n->report, "続報");
			return;
		}
	snprintf(n->report, sizeof n->report, "第1報");
}

/* The days of earlier reports a follow-up cites in its head
 * (「5月24日の第一報、5月27日の第二報にてお知らせした」 -> "05-24 05-27"):
 * the month-day dates of the sentences that cite an announcement. */
static void find_cites(bidx_notice *n, const char *t, size_t len)
{
	static const char *const cites[] = {"お知らせ", "公表", "ご報告", "発表", "第一報", "第1報",
	                                    "報にて", NULL};
	size_t head = len < 1500 ? len : 1500, i = 0, o = 0;
	while (i < head) {
		size_t j = i;
		while (j < head && t[j] != '\n' && !(j + 3 <= head && !memcmp(t + j, "。", 3)))
			j++;
		int cite = 0;
		for (int k = 0; cites[k] && !cite; k++)
			cite = bidx_str_has(t + i, j - i, cites[k]);
		for (size_t p = i; cite && p < j; p++) {
			if (t[p] < '0' || t[p] > '9' || (p > i && t[p - 1] >= '0' && t[p - 1] <= '9'))
				continue;
			int m = 0, d = 0;
			size_t q = p;
			while (q < j && t[q] >= '0' && t[q] <= '9' && m < 100)
				m = m * 10 + (t[q++] - '0');
			if (q + 3 > j || memcmp(t + q, "月", 3))
				continue;
			for (q += 3; q < j && t[q] >= '0' && t[q] <= '9' && d < 100; q++)
				d = d * 10 + (t[q] - '0');
			if (q + 3 > j || memcmp(t + q, "日", 3) || m < 1 || m > 12 || d < 1 || d > 31 ||
			    o + 7 > sizeof n->cites)
				continue;
			o += (size_t)snprintf(n->cites + o, sizeof n->cites - o, "%s%02d-%02d", o ? " " : "",
			                      m, d);
		}
		i = j + (j < head && t[j] == '\n' ? 1 : 3);
	}
}

/* The incident id: the issuer (normalised) and the month the incident came
 * to light (the first timeline date of a discovery or a call, else the
 * first timeline date, else the notice date).  Follow-ups repeat both. */
static void find_incident(bidx_notice *n, const char *t, size_t len)
{
	static const char *const seen[] = {"判明", "発覚", "確認", "連絡", "検知", "受け", "報告", NULL};
	const bidx_facts *f = &n->facts;
	const bidx_date *when = n->date.prec ? &n->date : NULL;
	for (int i = 0; i < f->nevents && when == &n->date; i++)
		for (int j = 0; seen[j]; j++)
			if (strstr(f->events[i].what, seen[j])) {
				when = &f->events[i].date;
				break;
			}
	if ((when == NULL || when == &n->date) && f->nevents)
		when = &f->events[0].date;
	const char *who = NULL;
	size_t wl = 0;
	for (int i = 0; i < n->nfields; i++)
		if (!strcmp(n->fields[i].name, "org")) {
			who = n->fields[i].value, wl = n->fields[i].vlen;
			break;
		}
	if (!who)
		who = t + n->title_start, wl = n->title_end - n->title_start;
	if (!wl)
		who = t, wl = len < 200 ? len : 200;
	bidx_norm nm;
	uint64_t h = 0;
	if (bidx_normalize(who, wl, 0, &nm) == BIDX_OK) {
		h = bidx_xxh3(nm.text, nm.len);
		bidx_norm_free(&nm);
	} else {
		n->facts.oom = 1;   /* no id rather than a wrong one: the build says ENOMEM */
	}
	snprintf(n->incident, sizeof n->incident, "%08x-%04d%02d", (unsigned)(h >> 32),
	         when ? when->y : 0, when ? when->m : 0);
	find_report(n, t, len);
	if (strcmp(n->report, "第1報"))
		find_cites(n, t, len);
}

/* The kind, then what it keeps: incident facts only for incidents and
 * news about one; an incident id for incidents. */
static void classify(bidx_notice *n, int web)
{
	const char *t = n->text;
	bidx_kind_classify(t + n->title_start, n->title_end - n->title_start, t, n->len, web,
	                   has_field_(n, "org"), n->date.prec != BIDX_DATE_NONE, &n->kind);
	if (n->kind.kind != BIDX_KIND_INCIDENT &&
	    !(n->kind.kind == BIDX_KIND_NEWS && n->kind.about_incident))
		bidx_facts_clear_incident(&n->facts);
}

/* Web-article layout: line 1 a URL, line 2 a date, line 3 the title. */
static int web_article(bidx_notice *n, const char *path, const char *t, size_t len)
{
	line v[3];
	bidx_date d;
	if (split_lines(t, len, v, 3, 0) < 3)
		return 0;
	for (int i = 0; i < 3; i++)
		trim(t, &v[i]);
	size_t l0 = v[0].e - v[0].s, l1 = v[1].e - v[1].s;
	if (l0 < 8 || (memcmp(t + v[0].s, "http://", 7) && memcmp(t + v[0].s, "https://", 8)) ||
	    bidx_date_parse(t + v[1].s, l1, &d) != l1 || v[2].e == v[2].s)
		return 0;
	add_field(n, "url", t + v[0].s, l0, "line 1");
	n->date = d;
	snprintf(n->date_source, sizeof n->date_source, "line 2");
	n->title_start = v[2].s;
	n->title_end = v[2].e;
	/* the directory the file is in names its category */
	const char *slash = strrchr(path, '/');
	if (slash && slash > path) {
		const char *p = slash;
		while (p > path && p[-1] != '/')
			p--;
		add_field(n, "category", p, (size_t)(slash - p), "directory");
	}
	return 1;
}

static void notice_norm_free(bidx_notice *n)
{
	bidx_norm_free(n->norm);
	free(n->norm);
	n->norm = NULL;
}

/* The facts of n's text, read from its normalisation, which n keeps for the
 * analysis (it is the one analyze.c indexes); without memory for it the
 * facts normalise line by line and the analysis normalises again. */
static void notice_facts(bidx_notice *n)
{
	notice_norm_free(n);
	n->norm = bidx_malloc(sizeof *n->norm);
	if (n->norm && bidx_normalize(n->text, n->len, 1, n->norm) != BIDX_OK) {
		free(n->norm);
		n->norm = NULL;
	}
	bidx_facts_extract_norm(n->text, n->len, n->norm, &n->facts);
}

void bidx_notice_from_text(bidx_notice *n, const char *path, const char *text, size_t len)
{
	memset(n, 0, sizeof *n);
	n->text = text;
	n->len = len;
	notice_facts(n);
	int web = web_article(n, path, text, len);
	if (web) {
		n->title_source = "line 3";
	} else {
		heading_title(text, len, &n->title_start, &n->title_end);
		n->title_source = "heading";
		if (n->title_start == n->title_end)
			first_sentence_title(n, text, len);
		find_org(n, text, len);
		if (!has_field_(n, "org"))
			find_contact_org(n, text, len);
		if (!has_field_(n, "org"))
			find_self_org(n, text, len);
		find_issue_date(n, text, len);
	}
	classify(n, web);
	if (!web && !n->date.prec)
		find_date(n, text, len);
	if (n->kind.kind == BIDX_KIND_INCIDENT)
		find_incident(n, text, len);
}

/* Replaces the field `name` of n, or adds it. */
static void set_field(bidx_notice *n, const char *name, const char *v, size_t vl, const char *src)
{
	for (int i = 0; i < n->nfields; i++)
		if (!strcmp(n->fields[i].name, name)) {
			n->fields[i].value = v;
			n->fields[i].vlen = vl;
			snprintf(n->fields[i].source, sizeof n->fields[i].source, "%s", src);
			return;
		}
	add_field(n, name, v, vl, src);
}

static int has_field(const bidx_notice *n, const char *name)
{
	return has_field_(n, name);
}

/* The range of a line among the first HEAD_LINES of t equal to s. */
static int find_line(const char *t, size_t len, const char *s, size_t *ls, size_t *le)
{
	line v[HEAD_LINES];
	size_t sl = strlen(s);
	int k = split_lines(t, len, v, HEAD_LINES, 0);
	for (int i = 0; i < k; i++) {
		trim(t, &v[i]);
		if (v[i].e - v[i].s == sl && !memcmp(t + v[i].s, s, sl)) {
			*ls = v[i].s;
			*le = v[i].e;
			return 1;
		}
	}
	return 0;
}

bidx_err bidx_notice_from_extract(bidx_notice *n, const char *path, const bidx_extract *x,
                                  int strong)
{
	const char *text = x->text.p ? (const char *)x->text.p : "";
	size_t len = x->text.len, ls = 0, le = 0;
	bidx_notice_from_text(n, path, text, len);
	if (x->title[0] && (strong || n->title_start == n->title_end)) {
		if (find_line(text, len, x->title, &ls, &le)) {
			n->title_start = ls;
			n->title_end = le;
			n->title_source = "document title";
		} else {   /* the title line first, then the text */
			size_t tl = strlen(x->title);
			n->owned = bidx_malloc(tl + 1 + len + 1);
			if (!n->owned)
				return BIDX_ENOMEM;
			memcpy(n->owned, x->title, tl);
			n->owned[tl] = '\n';
			memcpy(n->owned + tl + 1, text, len);
			n->owned[tl + 1 + len] = 0;
			bidx_notice n2;
			bidx_notice_from_text(&n2, path, n->owned, tl + 1 + len);
			n2.owned = n->owned;
			notice_norm_free(n);
			*n = n2;
			n->title_start = 0;
			n->title_end = tl;
			n->title_source = "document title";
		}
	}
	bidx_date d;
	size_t at;
	if (x->date[0] && (strong || !n->date.prec) &&
	    bidx_date_find(x->date, strlen(x->date), &at, &d)) {
		n->date = d;
		snprintf(n->date_source, sizeof n->date_source, "%s", x->date_src);
	}
	if (x->org[0] && (strong || !has_field(n, "org")))
		set_field(n, "org", x->org, strlen(x->org), x->org_src);
	return BIDX_OK;
}

int bidx_colmap_find(const bidx_colmap *m, const char *col)
{
	for (int i = 0; m && i < m->n; i++)
		if (!strcmp(m->col[i], col))
			return i;
	return -1;
}

static const char *mapped(const bidx_colmap *m, const char *col)
{
	int i = bidx_colmap_find(m, col);
	return i >= 0 ? m->field[i] : bidx_notice_column_field(col);
}

bidx_err bidx_notice_from_row(bidx_notice *n, const bidx_row *row, const bidx_colmap *map,
                              int json, char *why, size_t whylen)
{
	const char *title = NULL, *body = NULL;
	size_t tl = 0, bl = 0;
	char src[96];
	memset(n, 0, sizeof *n);
	for (size_t i = 0; i < row->ncells; i++) {
		const char *f = mapped(map, row->names[i]);
		const char *v = row->values[i];
		size_t vl = row->lens[i];
		snprintf(src, sizeof src, "%s %s", json ? "JSON key" : "CSV column", row->names[i]);
		if (f && !strcmp(f, "title") && !title)
			title = v, tl = vl;
		else if (f && !strcmp(f, "body") && !body)
			body = v, bl = vl;
		else if (f && !strcmp(f, "date") && n->date.prec == BIDX_DATE_NONE &&
		         bidx_date_find(v, vl, &(size_t){0}, &n->date))
			snprintf(n->date_source, sizeof n->date_source, "%s", src);
		else
			add_field(n, f ? f : row->names[i], v, vl, src);
	}
	if (!tl && !bl) {
		snprintf(why, whylen, "neither a title nor a body column");
		return BIDX_EINPUT;
	}
	/* indexed text: the title line, then the body */
	n->owned = bidx_malloc(tl + bl + 2);
	if (!n->owned)
		return BIDX_ENOMEM;
	memcpy(n->owned, title ? title : "", tl);
	n->owned[tl] = '\n';
	memcpy(n->owned + tl + 1, body ? body : "", bl);
	n->owned[tl + 1 + bl] = 0;
	n->text = n->owned;
	n->len = tl + 1 + bl;
	n->title_start = 0;
	n->title_end = tl;
	n->title_source = title ? "column" : NULL;
	notice_facts(n);
	if (!tl && bl) {
		first_sentence_title(n, n->text, n->len);
	}
	classify(n, 0);
	if (n->kind.kind == BIDX_KIND_INCIDENT)
		find_incident(n, n->text, n->len);
	return BIDX_OK;
}

void bidx_notice_free(bidx_notice *n)
{
	if (!n)
		return;
	free(n->owned);
	n->owned = NULL;
	notice_norm_free(n);
	free(n->shown);
	n->shown = NULL;
}

bidx_err bidx_notice_strip_markdown(bidx_notice *n)
{
	size_t tl = n->title_end - n->title_start, cap = tl, most = tl;
	for (int i = 0; i < n->nfields; i++) {
		cap += n->fields[i].vlen;
		most = n->fields[i].vlen > most ? n->fields[i].vlen : most;
	}
	char *out = bidx_malloc(cap + 1);
	uint8_t *mark = bidx_malloc(most + 1);
	if (!out || !mark) {
		free(out);
		free(mark);
		return BIDX_ENOMEM;
	}
	size_t o = 0;
	if (tl) {
		n->title = out;
		n->title_len = bidx_md_strip(n->text + n->title_start, tl, mark, out);
		o = n->title_len;
		if (!o)   /* nothing but syntax: the line as it is */
			n->title = NULL;
	}
	for (int i = 0; i < n->nfields; i++) {
		size_t l = bidx_md_strip(n->fields[i].value, n->fields[i].vlen, mark, out + o);
		if (l == 0)   /* nothing but syntax: keep it as it was */
			continue;
		n->fields[i].value = out + o;
		n->fields[i].vlen = l;
		o += l;
	}
	free(mark);
	free(n->shown);
	n->shown = out;
	return BIDX_OK;
}
