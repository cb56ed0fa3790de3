/*
 * extract.c - the line-structured text and the fields an extractor builds
 * (see extract.h).  White space is held back as a pending space or tab and
 * written only when more text follows on the same line, so lines never start
 * or end with white space and no empty lines are made.
 */
#include "extract.h"
#include "fault.h"

#include <stdlib.h>
#include <string.h>

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int at_line_start(const bidx_extract *x)
{
	return x->text.len == 0 || x->text.p[x->text.len - 1] == '\n';
}

static void flush_pending(bidx_extract *x)
{
	if (!at_line_start(x)) {
		if (x->pending_tab)
			bidx_buf_putc(&x->text, '\t');
		else if (x->pending_space)
			bidx_buf_putc(&x->text, ' ');
	}
	x->pending_space = x->pending_tab = 0;
}

void bidx_extract_text(bidx_extract *x, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (is_ws((unsigned char)s[i])) {
			x->pending_space = 1;
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !is_ws((unsigned char)s[j]))
			j++;
		flush_pending(x);
		bidx_buf_put(&x->text, s + i, j - i);
		i = j;
	}
}

void bidx_extract_raw(bidx_extract *x, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r')
			bidx_extract_break(x);
		else if (is_ws((unsigned char)s[i]))
			x->pending_space = 1;
		else {
			flush_pending(x);
			bidx_buf_putc(&x->text, (uint8_t)s[i]);
		}
	}
}

void bidx_extract_break(bidx_extract *x)
{
	if (!at_line_start(x))
		bidx_buf_putc(&x->text, '\n');
	x->pending_space = x->pending_tab = 0;
}

void bidx_extract_cell(bidx_extract *x)
{
	x->pending_tab = 1;
}

void bidx_extract_page(bidx_extract *x)
{
	bidx_extract_break(x);
	uint32_t *p = bidx_realloc(x->pages, ((size_t)x->npages + 1) * sizeof *p);
	if (!p) {
		x->text.err = BIDX_ENOMEM;
		return;
	}
	x->pages = p;
	x->pages[x->npages++] = (uint32_t)x->text.len;
}

void bidx_extract_set(char *dst, const char *s, size_t n)
{
	size_t o = 0;
	int sp = 0;
	for (size_t i = 0; i < n && o + 1 < BIDX_EXTRACT_FIELD; i++) {
		if (is_ws((unsigned char)s[i])) {
			sp = o > 0;
			continue;
		}
		if (sp) {
			dst[o++] = ' ';
			sp = 0;
			if (o + 1 >= BIDX_EXTRACT_FIELD)
				break;
		}
		dst[o++] = s[i];
	}
	/* a full field may end inside a character: drop that character */
	size_t k = o;
	while (k > 0 && ((unsigned char)dst[k - 1] & 0xC0) == 0x80)
		k--;
	if (k > 0 && (unsigned char)dst[k - 1] >= 0xC0) {
		unsigned char lead = (unsigned char)dst[k - 1];
		size_t clen = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (k - 1 + clen > o)
			o = k - 1;
	}
	dst[o] = 0;
}

/* Separators between a page's subject and the site's name, widest first. */
static const char *const title_seps[] = {" | ", "｜", "|", " - ", " – ", " — ", " :: ", "　|　",
                                         " / ", NULL};

void bidx_extract_title_cut(char *title, const char *site)
{
	char *cut = NULL;
	size_t sl = 0;
	for (int k = 0; title_seps[k]; k++) {
		/* the last occurrence of the separator */
		for (char *p = strstr(title, title_seps[k]); p; p = strstr(p + 1, title_seps[k]))
			if (p > title) {
				cut = p;
				sl = strlen(title_seps[k]);
			}
		if (cut)
			break;
	}
	if (cut && strlen(cut + sl) <= (size_t)(cut - title) * 2 + 8)
		*cut = 0;
	size_t n = strlen(title);
	while (n > 0 && title[n - 1] == ' ')
		title[--n] = 0;
	if (site && *site && !strcmp(title, site))
		title[0] = 0;
}

bidx_err bidx_extract_status(const bidx_extract *x)
{
	return x->text.err;
}

void bidx_extract_free(bidx_extract *x)
{
	if (!x)
		return;
	bidx_buf_free(&x->text);
	free(x->pages);
	memset(x, 0, sizeof *x);
}
