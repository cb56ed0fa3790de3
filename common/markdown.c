/*
 * markdown.c - marks the Markdown syntax of a text byte by byte (markdown.h).
 *
 * Block markers first, line by line; then, left to right, backslash escapes
 * and code spans (whose bytes become literal), autolinks, links and images,
 * and last emphasis: a delimiter run opens when the byte after it is not
 * white space and closes at the next run of the same byte and length whose
 * byte before is not white space, within the paragraph.  Nothing is
 * rewritten, so a caller keeps its own offsets (snippet marks) by copying
 * the bytes it is not told to drop.
 */
#include "markdown.h"
#include <string.h>
#include <strings.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_punct(char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
	       (c >= '{' && c <= '~');
}

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void drop(uint8_t *mark, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		mark[i] = BIDX_MD_DROP;
}

/* A line of only one of = - * _ (spaces allowed): an underline or a break. */
static int rule_line(const char *s, size_t a, size_t e)
{
	char c = 0;
	size_t cnt = 0;
	for (size_t i = a; i < e; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
			continue;
		if (c && s[i] != c)
			return 0;
		if (!strchr("=-*_", s[i]))
			return 0;
		c = s[i];
		cnt++;
	}
	return c == '=' ? cnt >= 1 : cnt >= (c == '-' ? 2u : 3u);
}

/* The block markers of the line s[a..e). */
static void mark_line(const char *s, size_t a, size_t e, uint8_t *mark)
{
	size_t i = a;
	if (rule_line(s, a, e)) {
		drop(mark, a, e);
		return;
	}
	for (;;) {   /* blockquotes, then a list marker, nested */
		size_t j = i;
		while (j < e && j - i < 3 && s[j] == ' ')
			j++;
		if (j < e && s[j] == '>') {
			j++;
			if (j < e && s[j] == ' ')
				j++;
			drop(mark, i, j);
			i = j;
			continue;
		}
		size_t k = j;
		if (k < e && (s[k] == '-' || s[k] == '*' || s[k] == '+'))
			k++;
		else {
			while (k < e && k - j < 9 && s[k] >= '0' && s[k] <= '9')
				k++;
			if (k == j || k >= e || (s[k] != '.' && s[k] != ')'))
				break;
			k++;
		}
		if (k >= e || (s[k] != ' ' && s[k] != '\t'))
			break;
		while (k < e && (s[k] == ' ' || s[k] == '\t'))
			k++;
		drop(mark, i, k);
		i = k;
	}
	size_t j = i;
	while (j < e && j - i < 3 && s[j] == ' ')
		j++;
	size_t h = j;
	while (h < e && s[h] == '#')
		h++;
	if (h == j || h - j > 6 || (h < e && s[h] != ' ' && s[h] != '\t'))
		return;
	while (h < e && (s[h] == ' ' || s[h] == '\t'))
		h++;
	drop(mark, i, h);
	size_t t = e;   /* closing #s, after a space */
	while (t > h && (s[t - 1] == ' ' || s[t - 1] == '\t' || s[t - 1] == '\r'))
		t--;
	size_t c = t;
	while (c > h && s[c - 1] == '#')
		c--;
	if (c < t && (c == h || s[c - 1] == ' ' || s[c - 1] == '\t')) {
		while (c > h && (s[c - 1] == ' ' || s[c - 1] == '\t'))
			c--;
		drop(mark, c, t);
	}
}

/* The end of the paragraph holding s[i]: a blank line or the end. */
static size_t para_end(const char *s, size_t n, size_t i)
{
	for (; i < n; i++)
		if (s[i] == '\n') {
			size_t j = i + 1;
			while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
				j++;
			if (j >= n || s[j] == '\n')
				return i;
		}
	return n;
}

static size_t run_len(const char *s, size_t n, size_t i, const uint8_t *mark)
{
	size_t j = i;
	while (j < n && s[j] == s[i] && mark[j] == BIDX_MD_KEEP)
		j++;
	return j - i;
}

/* Escapes and code spans. */
static void mark_literals(const char *s, size_t n, uint8_t *mark)
{
	for (size_t i = 0; i < n; i++) {
		if (mark[i] != BIDX_MD_KEEP)
			continue;
		if (s[i] == '\\' && i + 1 < n && is_punct(s[i + 1])) {
			mark[i] = BIDX_MD_DROP;
			mark[++i] = BIDX_MD_LITERAL;
		} else if (s[i] == '`') {
			size_t l = run_len(s, n, i, mark), pe = para_end(s, n, i), j = i + l;
			while (j < pe) {
				if (s[j] == '`') {
					size_t m = run_len(s, n, j, mark);
					if (m == l)
						break;
					j += m ? m : 1;
				} else {
					j++;
				}
			}
			if (j >= pe) {
				i += l - 1;
				continue;
			}
			drop(mark, i, i + l);
			for (size_t k = i + l; k < j; k++)
				mark[k] = BIDX_MD_LITERAL;
			drop(mark, j, j + l);
			i = j + l - 1;
		}
	}
}

static void mark_autolinks(const char *s, size_t n, uint8_t *mark)
{
	static const char *const schemes[] = {"http://", "https://", "mailto:"};
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '<' || mark[i] != BIDX_MD_KEEP)
			continue;
		int ok = 0;
		for (size_t k = 0; k < 3; k++)
			ok |= n - i - 1 >= strlen(schemes[k]) &&
			      !strncasecmp(s + i + 1, schemes[k], strlen(schemes[k]));
		size_t j = i + 1;
		while (ok && j < n && s[j] != '>' && !is_space(s[j]) && s[j] != '<')
			j++;
		if (!ok || j >= n || s[j] != '>')
			continue;
		mark[i] = mark[j] = BIDX_MD_DROP;
		for (size_t k = i + 1; k < j; k++)
			mark[k] = BIDX_MD_LITERAL;
		i = j;
	}
}

/* The byte closing the bracket at s[i] ('[' or '('), within the paragraph. */
static size_t closing(const char *s, size_t pe, size_t i, const uint8_t *mark)
{
	char o = s[i], c = o == '[' ? ']' : ')';
	int depth = 0;
	for (size_t j = i; j < pe; j++) {
		if (mark[j] != BIDX_MD_KEEP)
			continue;
		if (s[j] == o)
			depth++;
		else if (s[j] == c && --depth == 0)
			return j;
	}
	return pe;
}

static void mark_links(const char *s, size_t n, uint8_t *mark)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '[' || mark[i] != BIDX_MD_KEEP)
			continue;
		size_t pe = para_end(s, n, i), c = closing(s, pe, i, mark);
		if (c + 1 >= pe || (s[c + 1] != '(' && s[c + 1] != '[') || mark[c + 1] != BIDX_MD_KEEP)
			continue;
		size_t u = closing(s, pe, c + 1, mark);
		if (u >= pe)
			continue;
		if (i > 0 && s[i - 1] == '!' && mark[i - 1] == BIDX_MD_KEEP)
			mark[i - 1] = BIDX_MD_DROP;
		mark[i] = BIDX_MD_DROP;
		drop(mark, c, u + 1);
	}
}

static void mark_emphasis(const char *s, size_t n, uint8_t *mark)
{
	for (size_t i = 0; i < n; i++) {
		char d = s[i];
		if ((d != '*' && d != '_' && d != '~') || mark[i] != BIDX_MD_KEEP)
			continue;
		size_t l = run_len(s, n, i, mark);
		int opens = i + l < n && !is_space(s[i + l]) &&
		            !(d == '_' && i > 0 && is_alnum(s[i - 1])) && (d != '~' || l == 2) && l <= 3;
		if (!opens) {
			i += l - 1;
			continue;
		}
		size_t pe = para_end(s, n, i), j = i + l;
		while (j < pe) {
			if (s[j] == d && mark[j] == BIDX_MD_KEEP) {
				size_t m = run_len(s, n, j, mark);
				if (m == l && !is_space(s[j - 1]) &&
				    !(d == '_' && j + m < n && is_alnum(s[j + m])))
					break;
				j += m;
			} else {
				j++;
			}
		}
		if (j >= pe) {
			i += l - 1;
			continue;
		}
		drop(mark, i, i + l);
		drop(mark, j, j + l);
		i += l - 1;   /* the text between may hold other emphasis */
	}
}

void bidx_md_mark(const char *s, size_t n, int line_start, uint8_t *mark)
{
	memset(mark, BIDX_MD_KEEP, n);
	size_t a = 0;
	if (!line_start) {
		const char *nl = memchr(s, '\n', n);
		a = nl ? (size_t)(nl - s) + 1 : n;
	}
	while (a < n) {
		const char *nl = memchr(s + a, '\n', n - a);
		size_t e = nl ? (size_t)(nl - s) : n;
		mark_line(s, a, e, mark);
		a = e + 1;
	}
	mark_literals(s, n, mark);
	mark_autolinks(s, n, mark);
	mark_links(s, n, mark);
	mark_emphasis(s, n, mark);
}

size_t bidx_md_strip(const char *s, size_t n, uint8_t *mark, char *out)
{
	size_t o = 0;
	bidx_md_mark(s, n, 1, mark);
	for (size_t i = 0; i < n; i++)
		if (mark[i] != BIDX_MD_DROP)
			out[o++] = s[i];
	size_t b = 0;
	while (b < o && is_space(out[b]))
		b++;
	while (o > b && is_space(out[o - 1]))
		o--;
	memmove(out, out + b, o - b);
	return o - b;
}

int bidx_md_path(const char *path, size_t plen)
{
	return plen >= 3 && !strncasecmp(path + plen - 3, ".md", 3);
}
