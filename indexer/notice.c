#include "notice.h"
#include "corpus.h"
#include "extract.h"
#include "colnames.h"
#include "fault.h"

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

static void trim(const char *t, line *l)
{
	while (l->s < l->e && (t[l->s] == ' ' || t[l->s] == '\t' || t[l->s] == '\r'))
		l->s++;
	while (l->e - l->s >= 3 && !memcmp(t + l->s, "\xE3\x80\x80", 3))
		l->s += 3;
	while (l->e > l->s && (t[l->e - 1] == ' ' || t[l->e - 1] == '\t' || t[l->e - 1] == '\r'))
		l->e--;
}

static int has(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++)
		if (!memcmp(s + i, w, wl))
			return 1;
	return 0;
}

static int ends(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	return n >= wl && !memcmp(s + n - wl, w, wl);
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
	if (n == 0 || n > ORG_MAX_BYTES || has(s, n, "様") || has(s, n, "各位") ||
	    has(s, n, "取締役") || has(s, n, "代表") || has(s, n, "。") || has(s, n, "、") ||
	    has(s, n, "について") || has(s, n, "お詫び"))
		return 0;
	for (int i = 0; forms[i]; i++)
		if (has(s, n, forms[i]))
			return 1;
	for (int i = 0; tails[i]; i++)
		if (ends(s, n, tails[i]) && n > strlen(tails[i]) + 3)
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

static void find_date(bidx_notice *n, const char *t, size_t len)
{
	line v[HEAD_LINES];
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

void bidx_notice_from_text(bidx_notice *n, const char *path, const char *text, size_t len)
{
	memset(n, 0, sizeof *n);
	n->text = text;
	n->len = len;
	if (!web_article(n, path, text, len)) {
		bidx_corpus_title(text, len, &n->title_start, &n->title_end);
		find_date(n, text, len);
		find_org(n, text, len);
	}
	bidx_facts_extract(text, len, &n->facts);
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
	for (int i = 0; i < n->nfields; i++)
		if (!strcmp(n->fields[i].name, name))
			return 1;
	return 0;
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
			*n = n2;
			n->title_start = 0;
			n->title_end = tl;
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

static const char *mapped(const bidx_colmap *m, const char *col)
{
	for (int i = 0; m && i < m->n; i++)
		if (!strcmp(m->col[i], col)) {
			if (m->used)
				__atomic_store_n(&m->used[i], 1, __ATOMIC_RELAXED);
			return m->field[i];
		}
	return bidx_notice_column_field(col);
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
	bidx_facts_extract(n->text, n->len, &n->facts);
	return BIDX_OK;
}

void bidx_notice_free(bidx_notice *n)
{
	if (!n)
		return;
	free(n->owned);
	n->owned = NULL;
}
