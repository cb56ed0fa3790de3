/*
 * html.c - HTML pages to text and fields (see html.h).
 *
 * Three passes over the libxml2 tree: a depth check (iterative, so a page
 * of 100,000 nested elements is refused without recursion), a bottom-up
 * count of each element's text and link text (kept in node->_private), and
 * the emission of the chosen content block.  The recursion of the later
 * passes is bounded by BIDX_HTML_MAX_DEPTH.
 */
#include "html.h"
#include "encoding.h"
#include "date.h"
#include "fault.h"

#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

typedef struct counts {
	size_t text;        /* bytes of text not inside links */
	size_t link;        /* bytes of text inside links */
} counts;

/* ---- encoding ---- */

/* The charset a page declares in its first bytes, as an iconv name, or NULL. */
static const char *declared_charset(const char *d, size_t len)
{
	static const struct { const char *label, *iconv; } names[] = {
		{"shift_jis", "CP932"}, {"shift-jis", "CP932"}, {"sjis", "CP932"}, {"x-sjis", "CP932"},
		{"windows-31j", "CP932"}, {"cp932", "CP932"}, {"ms_kanji", "CP932"},
		{"euc-jp", "EUC-JP"}, {"x-euc-jp", "EUC-JP"}, {"iso-2022-jp", "ISO-2022-JP"},
		{"utf-8", "UTF-8"}, {"utf8", "UTF-8"},
	};
	size_t n = len < 4096 ? len : 4096;
	for (size_t i = 0; i + 7 < n; i++) {
		if (strncasecmp(d + i, "charset", 7))
			continue;
		size_t j = i + 7;
		while (j < n && (d[j] == ' ' || d[j] == '='  || d[j] == '"' || d[j] == '\''))
			j++;
		size_t k = j;
		while (k < n && (isalnum((unsigned char)d[k]) || d[k] == '-' || d[k] == '_'))
			k++;
		for (size_t m = 0; m < sizeof names / sizeof *names; m++)
			if (k - j == strlen(names[m].label) && !strncasecmp(d + j, names[m].label, k - j))
				return names[m].iconv;
		return NULL;
	}
	return NULL;
}

/* Strict conversion to UTF-8; NULL when the bytes are not valid in `from`
 * (*oom set when memory ran out instead). */
static char *convert(const char *from, const char *in, size_t len, size_t *outlen, int *oom)
{
	*oom = 0;
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = len * 2 + 16;
	char *buf = bidx_malloc(cap);
	char *ip = (char *)(uintptr_t)in, *op = buf;
	size_t il = len, ol = cap;
	if (!buf)
		*oom = 1;
	else if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 ||
	         iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1) {
		free(buf);
		buf = NULL;
	}
	iconv_close(cd);
	*outlen = buf ? (size_t)(op - buf) : 0;
	return buf;
}

/* The page as UTF-8 in t (t->p). */
static bidx_err decode(const char *d, size_t len, int utf8, bidx_text *t, char *why, size_t whylen)
{
	memset(t, 0, sizeof *t);
	const char *cs = NULL;
	if (!utf8 && !(len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) &&
	    !(len >= 2 && (!memcmp(d, "\xFF\xFE", 2) || !memcmp(d, "\xFE\xFF", 2))))
		cs = declared_charset(d, len);
	if (utf8)
		cs = "UTF-8";
	if (cs) {
		size_t n = 0;
		int oom;
		char *u = convert(cs, d, len, &n, &oom);
		if (oom)
			return BIDX_ENOMEM;
		if (u && memchr(u, 0, n) == NULL) {
			t->owned = u;
			t->p = u;
			t->len = n;
			t->encoding = cs;
			return BIDX_OK;
		}
		free(u);   /* the declaration lies: detect */
	}
	char *copy = bidx_malloc(len + 1);
	if (!copy)
		return BIDX_ENOMEM;
	memcpy(copy, d, len);
	return bidx_text_decode(copy, len, t, why, whylen);
}

/* libxml2 ends a script at the first "</" followed by a letter (HTML 4), so
 * document.write('<p>x</p>') would spill script text into the page: inside
 * script and style elements, "</" not starting their end tag becomes "<\x01"
 * (the element is dropped anyway). */
static void shield_scripts(char *p, size_t n)
{
	static const char *const tags[] = {"script", "style", NULL};
	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] != '<')
			continue;
		for (int k = 0; tags[k]; k++) {
			size_t tl = strlen(tags[k]);
			if (i + 1 + tl >= n || strncasecmp(p + i + 1, tags[k], tl) ||
			    (isalnum((unsigned char)p[i + 1 + tl])))
				continue;
			size_t j = i + 1 + tl;
			while (j + 1 < n) {
				if (p[j] == '<' && p[j + 1] == '/') {
					if (j + 2 + tl <= n && !strncasecmp(p + j + 2, tags[k], tl))
						break;
					p[j + 1] = '\x01';
				}
				j++;
			}
			i = j;
			break;
		}
	}
}

/* ---- the tree ---- */

/* An element's name without a namespace prefix (XHTML served with one,
 * <html:p>, reaches the HTML parser as "html:p"). */
static const char *local_name(const xmlNode *n)
{
	const char *name = (const char *)n->name, *colon = name ? strrchr(name, ':') : NULL;
	return colon ? colon + 1 : name ? name : "";
}

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcasecmp(local_name(n), name);
}

static const char *attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (!strcasecmp((const char *)a->name, name) && a->children && a->children->content)
			return (const char *)a->children->content;
	return NULL;
}

/* Iterative depth of the tree; stops counting past the limit. */
static int too_deep(xmlNode *root)
{
	int depth = 0;
	xmlNode *n = root;
	while (n) {
		if (n->children) {
			n = n->children;
			if (++depth > BIDX_HTML_MAX_DEPTH)
				return 1;
			continue;
		}
		while (n && !n->next) {
			n = n->parent;
			depth--;
			if (n == root || depth < 0)
				return 0;
		}
		if (n)
			n = n->next;
	}
	return 0;
}

static int one_of(const char *s, size_t n, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncasecmp(s, list[i], n))
			return 1;
	return 0;
}

/* A class or id whose words (split at space, - and _) name a page part that
 * is not content. */
static int boilerplate_name(const char *v, int *is_header)
{
	static const char *const words[] = {
		"nav", "navi", "navbar", "navigation", "gnav", "gnavi", "lnav", "snav", "menu",
		"breadcrumb", "breadcrumbs", "bread", "pankuzu", "topicpath", "crumbs", "share",
		"sns", "social", "footer", "sidebar", "side", "banner", "skip", "pagetop",
		"toolbar", "widget", "ad", "ads", "advert", "cookie", "related", "sitemap",
		"utility", "copyright", "sharing", "sharedaddy", "addtoany", "relatedposts",
		"comments", "commentlist", "respond", "lnavi", "snavi", "subnav", "pager",
		"pagination", NULL};
	while (v && *v) {
		size_t n = strcspn(v, " \t\n-_");
		if (n) {
			if (one_of(v, n, words))
				return 1;
			if ((n == 6 && !strncasecmp(v, "header", 6)) || (n == 4 && !strncasecmp(v, "head", 4)) ||
			    (n == 8 && !strncasecmp(v, "masthead", 8)))
				*is_header = 1;
		}
		v += n;
		if (*v)
			v++;
	}
	return 0;
}

/* Inside an <article> or <main> (whose own header is content). */
static int in_content_section(const xmlNode *n)
{
	for (const xmlNode *p = n->parent; p; p = p->parent)
		if (is(p, "article") || is(p, "main"))
			return 1;
	return 0;
}

/* Whether an <h1> is under n: a layout wrapper whose class names a menu
 * beside the content ("column_lnavi", "has-sidebar") is not the menu. */
static int holds_h1(const xmlNode *n)
{
	const xmlNode *p = n->children;
	while (p && p != n) {
		if (p->type == XML_ELEMENT_NODE && !strcasecmp(local_name(p), "h1"))
			return 1;
		if (p->children) {
			p = p->children;
			continue;
		}
		while (p && p != n && !p->next)
			p = p->parent;
		if (p && p != n)
			p = p->next;
	}
	return 0;
}

/* An element that is never content. */
static int dropped(const xmlNode *n)
{
	static const char *const tags[] = {"script", "style", "noscript", "template", "nav", "footer",
	                                   "aside", "form", "iframe", "svg", "button", "select",
	                                   "textarea", "object", "embed", "canvas", "dialog", "menu",
	                                   "head", NULL};
	static const char *const roles[] = {"navigation", "banner", "contentinfo", "complementary",
	                                    "search", "menu", "menubar", "toolbar", "dialog", NULL};
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	const char *name = local_name(n);
	if (one_of(name, strlen(name), tags))
		return 1;
	int header = is(n, "header");
	const char *v = attr(n, "role");
	if (v && one_of(v, strlen(v), roles))
		return 1;
	if (attr(n, "hidden") || ((v = attr(n, "aria-hidden")) && !strcasecmp(v, "true")))
		return 1;
	if ((boilerplate_name(attr(n, "class"), &header) || boilerplate_name(attr(n, "id"), &header)) &&
	    !holds_h1(n))
		return 1;
	v = attr(n, "style");
	if (v && strstr(v, "display:none"))
		return 1;
	return header && !in_content_section(n);
}

static size_t text_bytes(const xmlChar *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += !isspace(*s);
	return n;
}

/* Counts every element's text and link text bottom-up; cnt[k] is the k-th
 * element met, node->_private points at it.  Dropped elements count 0. */
static counts count(xmlNode *n, counts *cnt, size_t *k, int in_link)
{
	counts c = {0, 0};
	for (xmlNode *ch = n->children; ch; ch = ch->next) {
		if (ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) {
			size_t b = text_bytes(ch->content);
			if (in_link)
				c.link += b;
			else
				c.text += b;
		} else if (ch->type == XML_ELEMENT_NODE) {
			counts *slot = &cnt[(*k)++];
			ch->_private = slot;
			*slot = dropped(ch) ? (counts){0, 0} : count(ch, cnt, k, in_link || is(ch, "a"));
			c.text += slot->text;
			c.link += slot->link;
		}
	}
	return c;
}

static counts counts_of(const xmlNode *n)
{
	return n->_private ? *(const counts *)n->_private : (counts){0, 0};
}

static size_t elements(const xmlNode *n)
{
	size_t k = 0;
	const xmlNode *p = n;
	while (p) {   /* iterative pre-order walk */
		if (p->type == XML_ELEMENT_NODE)
			k++;
		if (p->children) {
			p = p->children;
			continue;
		}
		while (p && !p->next && p != n)
			p = p->parent;
		if (!p || p == n)
			break;
		p = p->next;
	}
	return k;
}

/* The first element named `name` under n, in document order (iterative). */
static xmlNode *find_any(xmlNode *n, const char *name)
{
	xmlNode *p = n->children;
	while (p && p != n) {
		if (is(p, name))
			return p;
		if (p->children) {
			p = p->children;
			continue;
		}
		while (p && p != n && !p->next)
			p = p->parent;
		if (p && p != n)
			p = p->next;
	}
	return NULL;
}

/* The first element named `name` under n that is not inside a dropped one. */
static xmlNode *find(xmlNode *n, const char *name, int depth)
{
	for (xmlNode *ch = n->children; ch && depth < BIDX_HTML_MAX_DEPTH; ch = ch->next) {
		if (ch->type != XML_ELEMENT_NODE || dropped(ch))
			continue;
		if (is(ch, name))
			return ch;
		xmlNode *r = find(ch, name, depth + 1);
		if (r)
			return r;
	}
	return NULL;
}

/* The <article> holding the most text, if any. */
static void best_article(xmlNode *n, xmlNode **best, int depth)
{
	for (xmlNode *ch = n->children; ch && depth < BIDX_HTML_MAX_DEPTH; ch = ch->next) {
		if (ch->type != XML_ELEMENT_NODE || dropped(ch))
			continue;
		if (is(ch, "article") && (!*best || counts_of(ch).text > counts_of(*best).text))
			*best = ch;
		else
			best_article(ch, best, depth + 1);
	}
}

/* From body down into the child holding most of the text. */
static xmlNode *densest(xmlNode *n)
{
	for (int depth = 0; depth < BIDX_HTML_MAX_DEPTH; depth++) {
		xmlNode *best = NULL;
		for (xmlNode *ch = n->children; ch; ch = ch->next)
			if (ch->type == XML_ELEMENT_NODE && !dropped(ch) &&
			    (!best || counts_of(ch).text > counts_of(best).text))
				best = ch;
		if (!best || counts_of(best).text == 0 ||
		    counts_of(best).text * 10 < counts_of(n).text * 7)
			return n;
		n = best;
	}
	return n;
}

static xmlNode *content_root(xmlNode *html)
{
	xmlNode *m = find(html, "main", 0);
	if (m && counts_of(m).text > 0)
		return m;
	xmlNode *a = NULL;
	best_article(html, &a, 0);
	if (a && counts_of(a).text > 0)
		return a;
	xmlNode *body = find(html, "body", 0);
	return densest(body ? body : html);
}

/* ---- text ---- */

static int is_block(const xmlNode *n)
{
	static const char *const blocks[] = {
		"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
		"tr", "table", "thead", "tbody", "tfoot", "caption", "blockquote", "pre", "section",
		"article", "main", "header", "figure", "figcaption", "address", "hr", "center",
		"fieldset", "details", "summary", "body", "html", NULL};
	const char *name = local_name(n);
	return one_of(name, strlen(name), blocks);
}

/* A block of links (a menu the markup does not name). */
static int link_dense(const xmlNode *n)
{
	static const char *const lists[] = {"ul", "ol", "dl", "div", "table", "td", "section", "p", NULL};
	counts c = counts_of(n);
	const char *name = local_name(n);
	return c.link > 0 && c.link * 2 > c.text + c.link && one_of(name, strlen(name), lists) &&
	       !(is(n, "p") && c.link + c.text > 200);
}

static void emit(bidx_extract *x, xmlNode *n, int pre, int depth)
{
	for (xmlNode *ch = n->children; ch; ch = ch->next) {
		if (ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) {
			const char *s = (const char *)ch->content;
			if (s && pre)
				bidx_extract_raw(x, s, strlen(s));
			else if (s)
				bidx_extract_text(x, s, strlen(s));
			continue;
		}
		if (ch->type != XML_ELEMENT_NODE || depth >= BIDX_HTML_MAX_DEPTH || dropped(ch) ||
		    link_dense(ch))
			continue;
		if (is(ch, "br")) {
			bidx_extract_break(x);
			continue;
		}
		int block = is_block(ch);
		if (block)
			bidx_extract_break(x);
		emit(x, ch, pre || is(ch, "pre"), depth + 1);
		if (is(ch, "td") || is(ch, "th"))
			bidx_extract_cell(x);
		else if (block)
			bidx_extract_break(x);
	}
}

/* ---- fields ---- */

/* The text under n, white space collapsed, into dst (BIDX_EXTRACT_FIELD
 * bytes); a failed allocation becomes x's (sticky) error. */
static void text_of(bidx_extract *x, const xmlNode *n, char *dst)
{
	bidx_extract t = {0};
	emit(&t, (xmlNode *)(uintptr_t)n, 0, BIDX_HTML_MAX_DEPTH / 2);
	if (t.text.err && !x->text.err)
		x->text.err = t.text.err;
	bidx_extract_set(dst, t.text.p ? (const char *)t.text.p : "", t.text.len);
	bidx_extract_free(&t);
}

/* The content of <meta property|name|itemprop=KEY>. */
static const char *meta(xmlNode *head, const char *const *keys)
{
	if (!head)
		return NULL;
	for (int k = 0; keys[k]; k++)
		for (xmlNode *ch = head->children; ch; ch = ch->next) {
			if (!is(ch, "meta"))
				continue;
			const char *v = attr(ch, "property");
			if (!v)
				v = attr(ch, "name");
			if (!v)
				v = attr(ch, "itemprop");
			if (v && !strcasecmp(v, keys[k]) && attr(ch, "content"))
				return attr(ch, "content");
		}
	return NULL;
}

/* A <time datetime> (or an itemprop=datePublished) under n. */
static const char *time_under(const xmlNode *n, int depth)
{
	for (const xmlNode *ch = n->children; ch && depth < BIDX_HTML_MAX_DEPTH; ch = ch->next) {
		if (ch->type != XML_ELEMENT_NODE)
			continue;
		const char *v = attr(ch, "itemprop");
		if (v && !strcasecmp(v, "datePublished") && (attr(ch, "datetime") || attr(ch, "content")))
			return attr(ch, "datetime") ? attr(ch, "datetime") : attr(ch, "content");
		if (is(ch, "time") && attr(ch, "datetime"))
			return attr(ch, "datetime");
		v = time_under(ch, depth + 1);
		if (v)
			return v;
	}
	return NULL;
}

/* The holder named after ©, (C) or Copyright in s: "Copyright © 2024
 * 株式会社○○ All Rights Reserved." gives 株式会社○○. */
static int copyright_holder(const char *s, char *dst)
{
	static const char *const marks[] = {"©", "(c)", "(C)", "Copyright", "copyright", "COPYRIGHT", NULL};
	const char *p = NULL;
	for (int k = 0; marks[k]; k++) {
		const char *q = strstr(s, marks[k]);
		if (q && (!p || q < p))
			p = q;
	}
	if (!p)
		return 0;
	for (;;) {   /* skip marks, years and punctuation */
		int moved = 0;
		for (int k = 0; marks[k]; k++)
			if (!strncmp(p, marks[k], strlen(marks[k]))) {
				p += strlen(marks[k]);
				moved = 1;
			}
		while (*p && (isdigit((unsigned char)*p) || strchr(" \t\n-–,.", *p)))
			p++, moved = 1;
		if (!moved)
			break;
	}
	const char *e = p;
	/* up to the end of the line, "All rights reserved", 。 or a separator
	 * before other footer text ("© 2023 店名 | Powered by ...") */
	while (*e && *e != '\n' && strncasecmp(e, "all rights", 10) && strncmp(e, "。", 3) &&
	       strncmp(e, " | ", 3) && strncmp(e, "｜", 3) && strncmp(e, " - ", 3))
		e++;
	while (e > p && strchr(" .,", e[-1]))
		e--;
	bidx_extract_set(dst, p, (size_t)(e - p));
	return dst[0] != 0;
}

/* The copyright holder named in the page's footers. */
static int footer_holder(bidx_extract *x, xmlNode *n, char *dst, int depth)
{
	for (xmlNode *ch = n->children; ch && depth < BIDX_HTML_MAX_DEPTH; ch = ch->next) {
		if (ch->type != XML_ELEMENT_NODE || is(ch, "script") || is(ch, "style"))
			continue;
		int hdr = 0;
		const char *role = attr(ch, "role");
		if (is(ch, "footer") || boilerplate_name(attr(ch, "class"), &hdr) ||
		    boilerplate_name(attr(ch, "id"), &hdr) || (role && !strcasecmp(role, "contentinfo")) ||
		    is(ch, "small") || is(ch, "address")) {
			char buf[BIDX_EXTRACT_FIELD];
			text_of(x, ch, buf);
			if (copyright_holder(buf, dst))
				return 1;
		}
		if (footer_holder(x, ch, dst, depth + 1))
			return 1;
	}
	return 0;
}

/* Whether s is one of the first `lines` lines of text t[0..n). */
static int head_line(const char *t, size_t n, const char *s, int lines)
{
	size_t sl = strlen(s);
	for (size_t at = 0; at < n && lines-- > 0;) {
		const char *nl = memchr(t + at, '\n', n - at);
		size_t e = nl ? (size_t)(nl - t) : n;
		if (sl && e - at == sl && !memcmp(t + at, s, sl))
			return 1;
		at = e + 1;
	}
	return 0;
}

static int heading_tag(const xmlNode *n)
{
	static const char *const tags[] = {"h2", "h3", "h4", "b", "strong", NULL};
	const char *name = local_name(n);
	return one_of(name, strlen(name), tags);
}

/* A page without <h1>: the first heading (h2-h4) or bold run (b, strong)
 * under n that makes a whole line of the first lines of the content, as
 * old pages set their subject in <font><b>; its text into dst. */
static int heading_line(bidx_extract *x, xmlNode *n, char *dst, int depth)
{
	for (xmlNode *ch = n->children; ch && depth < BIDX_HTML_MAX_DEPTH; ch = ch->next) {
		if (ch->type != XML_ELEMENT_NODE || dropped(ch) || link_dense(ch) || is(ch, "a"))
			continue;
		if (heading_tag(ch)) {
			text_of(x, ch, dst);
			size_t l = strlen(dst);
			if (l >= 6 && l <= 300 && head_line((const char *)x->text.p, x->text.len, dst, 3))
				return 1;
			dst[0] = 0;
		}
		if (heading_line(x, ch, dst, depth + 1))
			return 1;
	}
	return 0;
}

/* The last heading or bold run before the content block `root` (in
 * document order, outside dropped and link-dense parts): the subject line
 * old pages set above the text the block holds.  1 when root was reached. */
static int heading_before(bidx_extract *x, xmlNode *n, const xmlNode *root, char *dst, int depth)
{
	for (xmlNode *ch = n->children; ch && depth < BIDX_HTML_MAX_DEPTH; ch = ch->next) {
		if (ch == root)
			return 1;
		if (ch->type != XML_ELEMENT_NODE || dropped(ch) || link_dense(ch) || is(ch, "a"))
			continue;
		if (heading_tag(ch)) {
			char t[BIDX_EXTRACT_FIELD];
			text_of(x, ch, t);
			size_t l = strlen(t);
			if (l >= 6 && l <= 300)
				memcpy(dst, t, sizeof t);
			continue;
		}
		if (heading_before(x, ch, root, dst, depth + 1))
			return 1;
	}
	return 0;
}

/* A line stating when the page was published or updated (掲載日：2024年3月15日,
 * 更新日 2024-03-15): Japanese CMS templates print one, often outside the
 * content block.  The date part into dst. */
static int labelled_date(const char *t, size_t n, char *dst)
{
	static const char *const labels[] = {"最終更新日", "掲載日", "公開日", "更新日", "登録日",
	                                     "作成日", "公表日", "発表日", "投稿日", NULL};
	for (size_t at = 0; at < n;) {
		const char *nl = memchr(t + at, '\n', n - at);
		size_t e = nl ? (size_t)(nl - t) : n, s = at;
		at = e + 1;
		while (s < e && strchr(" \t[(", t[s]))
			s++;
		if (e - s >= 3 && (!memcmp(t + s, "【", 3) || !memcmp(t + s, "［", 3)))
			s += 3;
		for (int k = 0; labels[k]; k++) {
			size_t ll = strlen(labels[k]);
			size_t pos;
			bidx_date d;
			if (e - s > ll && e - s < ll + 80 && !memcmp(t + s, labels[k], ll) &&
			    bidx_date_find(t + s + ll, e - s - ll, &pos, &d)) {
				bidx_extract_set(dst, t + s + ll, e - s - ll);
				return 1;
			}
		}
	}
	return 0;
}

static void fields(bidx_extract *x, xmlNode *html, xmlNode *root)
{
	static const char *const site_keys[] = {"og:site_name", "application-name", NULL};
	static const char *const date_keys[] = {"article:published_time", "og:published_time",
	                                        "datePublished", "date", "pubdate", "publishdate",
	                                        "dc.date.issued", "dc.date", "dcterms.issued",
	                                        "dcterms.date", "dcterms.created", NULL};
	xmlNode *head = find_any(html, "head");
	const char *site = meta(head, site_keys);
	if (site) {
		bidx_extract_set(x->org, site, strlen(site));
		snprintf(x->org_src, sizeof x->org_src, "og:site_name");
	} else if (footer_holder(x, html, x->org, 0))
		snprintf(x->org_src, sizeof x->org_src, "copyright");
	xmlNode *h1 = is(root, "h1") ? root : find(root, "h1", 0);
	xmlNode *title = head ? find(head, "title", 0) : NULL;
	if (h1) {
		text_of(x, h1, x->title);
		snprintf(x->title_src, sizeof x->title_src, "<h1>");
	}
	if (!x->title[0] && title) {
		bidx_extract t = {0};
		for (xmlNode *ch = title->children; ch; ch = ch->next)
			if (ch->content)
				bidx_extract_text(&t, (const char *)ch->content, strlen((const char *)ch->content));
		bidx_extract_set(x->title, t.text.p ? (const char *)t.text.p : "", t.text.len);
		if (t.text.err && !x->text.err)
			x->text.err = t.text.err;
		bidx_extract_free(&t);
		bidx_extract_title_cut(x->title, site ? x->org : "");
		snprintf(x->title_src, sizeof x->title_src, "<title>");
		char heading[BIDX_EXTRACT_FIELD];
		/* a <title> that is only the site's name, while the content opens
		 * with a heading of its own */
		heading[0] = 0;
		xmlNode *body = find_any(html, "body");
		if (!head_line((const char *)x->text.p, x->text.len, x->title, 3) &&
		    (heading_line(x, root, heading, 0) ||
		     (body && body != root && heading_before(x, body, root, heading, 0) && heading[0]))) {
			memcpy(x->title, heading, sizeof heading);
			snprintf(x->title_src, sizeof x->title_src, "heading");
		}
	}
	const char *d = time_under(root, 0);
	snprintf(x->date_src, sizeof x->date_src, "<time datetime>");
	if (!d) {
		d = meta(head, date_keys);
		snprintf(x->date_src, sizeof x->date_src, "<meta> published date");
	}
	if (d)
		bidx_extract_set(x->date, d, strlen(d));
	else if (labelled_date((const char *)x->text.p, x->text.len, x->date))
		snprintf(x->date_src, sizeof x->date_src, "published/updated line");
	else {   /* the label may sit outside the content block */
		xmlNode *body = find_any(html, "body");
		bidx_extract t = {0};
		emit(&t, body ? body : html, 0, 0);
		if (t.text.err && !x->text.err)
			x->text.err = t.text.err;
		if (labelled_date((const char *)t.text.p, t.text.len, x->date))
			snprintf(x->date_src, sizeof x->date_src, "published/updated line");
		bidx_extract_free(&t);
	}
	if (!x->date[0])
		x->date_src[0] = 0;
}

int bidx_html_sniff(const char *d, size_t len)
{
	size_t i = 0;
	for (int round = 0; round < 4; round++) {
		while (i < len && isspace((unsigned char)d[i]))
			i++;
		if (i + 4 <= len && !memcmp(d + i, "<!--", 4)) {
			const char *e = NULL;
			for (size_t k = i + 4; k + 3 <= len && k < i + 4096 && !e; k++)
				if (!memcmp(d + k, "-->", 3))
					e = d + k + 3;
			if (!e)
				return 0;
			i = (size_t)(e - d);
			continue;
		}
		if (i + 5 <= len && !memcmp(d + i, "<?xml", 5)) {
			const char *e = memchr(d + i, '>', len - i);
			if (!e)
				return 0;
			i = (size_t)(e - d) + 1;
			continue;
		}
		break;
	}
	return (i + 14 <= len && !strncasecmp(d + i, "<!DOCTYPE html", 14)) ||
	       (i + 5 <= len && !strncasecmp(d + i, "<html", 5) &&
	        (i + 5 == len || d[i + 5] == '>' || isspace((unsigned char)d[i + 5])));
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
	xmlInitParser();
}

void bidx_xml_init(void)
{
	pthread_once(&xml_once, xml_init_once);
}

bidx_err bidx_html_extract(const char *data, size_t len, int utf8, bidx_extract *x, char *why,
                           size_t whylen)
{
	bidx_xml_init();
	bidx_text t;
	bidx_err rc = decode(data, len, utf8, &t, why, whylen);
	if (rc)
		return rc;
	if (t.len > INT32_MAX) {
		bidx_text_free(&t);
		snprintf(why, whylen, "HTML page larger than 2 GiB");
		return BIDX_EINPUT;
	}
	char *page = bidx_malloc(t.len + 1);
	if (!page) {
		bidx_text_free(&t);
		return BIDX_ENOMEM;
	}
	memcpy(page, t.p, t.len);
	shield_scripts(page, t.len);
	htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
	htmlDocPtr doc = ctxt ? htmlCtxtReadMemory(ctxt, page, (int)t.len, NULL, "UTF-8",
	                                           HTML_PARSE_RECOVER | HTML_PARSE_NONET |
	                                           HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING)
	                      : NULL;
	/* libxml2 stops at its own depth limit (256): the rest of the page would be lost */
	int deep = ctxt && ctxt->lastError.message && strstr(ctxt->lastError.message, "Excessive depth");
	if (ctxt)
		htmlFreeParserCtxt(ctxt);
	bidx_text_free(&t);
	free(page);
	if (deep) {
		if (doc)
			xmlFreeDoc(doc);
		snprintf(why, whylen, "HTML elements nested deeper than the parser's limit (256)");
		return BIDX_EINPUT;
	}
	xmlNode *html = doc ? xmlDocGetRootElement(doc) : NULL;
	counts *cnt = NULL;
	if (!html) {
		snprintf(why, whylen, "not an HTML page (nothing parsed)");
		rc = BIDX_EINPUT;
		goto done;
	}
	if (too_deep((xmlNode *)doc)) {
		snprintf(why, whylen, "HTML elements nested deeper than %d", BIDX_HTML_MAX_DEPTH);
		rc = BIDX_EINPUT;
		goto done;
	}
	size_t k = 0, nel = elements(html);
	cnt = bidx_calloc(nel + 1, sizeof *cnt);
	if (!cnt) {
		rc = BIDX_ENOMEM;
		goto done;
	}
	html->_private = &cnt[k++];
	cnt[0] = count(html, cnt, &k, 0);
	xmlNode *root = content_root(html);
	emit(x, root, 0, 0);
	bidx_extract_break(x);
	fields(x, html, root);
	rc = bidx_extract_status(x);
done:
	free(cnt);
	if (doc)
		xmlFreeDoc(doc);
	return rc;
}
