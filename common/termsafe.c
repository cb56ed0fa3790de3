/*
 * termsafe.c - rendering text for terminals and logs (termsafe.h).
 *
 * One walk over the text, unit by unit (a byte, or a UTF-8 character),
 * hands runs of harmless bytes and the escapes of the others to a sink: a
 * FILE, a bidx_buf or a fixed buffer.  Runs of printable ASCII and ordinary
 * characters go out in one piece, so rendering costs little more than
 * writing; printable ASCII and the characters of U+3000..U+9FFF are passed
 * over without a look-up.
 */
#include "termsafe.h"
#include "normalize.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef void (*sink_fn)(void *ctx, const char *p, size_t n);

/* Characters a terminal acts on or does not show: controls, format
 * characters (bidi, zero-width), line and paragraph separators. */
int bidx_ts_hidden(uint32_t cp)
{
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF ||
	       c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

/* The unit at s[0..n): returns its bytes; *elen is the length of its
 * escape in esc, or 0 when it passes through (then *cp is the character). */
static size_t unit(const char *s, size_t n, char esc[16], size_t *elen, uint32_t *cp)
{
	unsigned char c = (unsigned char)s[0];
	*elen = 0;
	*cp = c;
	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c >= 0x80) {
		int l = bidx_utf8_decode((const uint8_t *)s, n, cp);
		if (l > 0 && !bidx_ts_hidden(*cp))
			return (size_t)l;
		if (l > 0) {
			*elen = (size_t)snprintf(esc, 16, "\\u{%04x}", (unsigned)*cp);
			return (size_t)l;
		}
	}
	*elen = (size_t)snprintf(esc, 16, "\\x%02x", c);
	return 1;
}

static void render(const char *s, size_t n, int keep_nl, sink_fn put, void *ctx)
{
	size_t i = 0, run = 0, elen;
	char esc[16];
	uint32_t cp;
	while (i < n) {
		unsigned char b = (unsigned char)s[i];
		if (b >= 0x20 && b < 0x7f) {   /* printable ASCII */
			i++;
			continue;
		}
		/* U+3000..U+9FFF (CJK punctuation, kana, kanji): nothing there is
		 * hidden (test_termsafe), and any two continuation bytes after
		 * E3..E9 make a valid character */
		if (b >= 0xE3 && b <= 0xE9 && i + 2 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80 &&
		    ((unsigned char)s[i + 2] & 0xC0) == 0x80) {
			i += 3;
			continue;
		}
		if (keep_nl && s[i] == '\n') {
			i++;
			continue;
		}
		size_t k = unit(s + i, n - i, esc, &elen, &cp);
		if (elen) {
			if (i > run)
				put(ctx, s + run, i - run);
			put(ctx, esc, elen);
			run = i + k;
		}
		i += k;
	}
	if (n > run)
		put(ctx, s + run, n - run);
}

static void file_sink(void *ctx, const char *p, size_t n)
{
	fwrite(p, 1, n, ctx);
}

void bidx_ts_write(FILE *f, const char *s, size_t n)
{
	render(s, n, 0, file_sink, f);
}

void bidx_ts_lines(FILE *f, const char *s, size_t n)
{
	render(s, n, 1, file_sink, f);
}

static void buf_sink(void *ctx, const char *p, size_t n)
{
	bidx_buf_put(ctx, p, n);
}

void bidx_ts_put(bidx_buf *b, const char *s, size_t n)
{
	render(s, n, 0, buf_sink, b);
}

typedef struct fixed {
	char *dst;
	size_t cap, len;   /* len: the whole rendering so far */
	int full;          /* a piece did not fit: nothing more is copied */
} fixed;

/* Copies whole characters of a piece while they fit. */
static void fixed_sink(void *ctx, const char *p, size_t n)
{
	fixed *x = ctx;
	if (!x->full) {
		size_t k = n;
		if (x->len + k >= x->cap) {
			k = x->cap - 1 - x->len;
			while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
				k--;   /* a character's start (p[k] is past the copy) */
			if (p[0] == '\\')
				k = 0;   /* an escape goes whole or not at all */
			x->full = 1;
		}
		memcpy(x->dst + x->len, p, k);
		x->dst[x->len + k] = 0;
	}
	x->len += n;
}

size_t bidx_ts_render(char *dst, size_t cap, const char *s, size_t n)
{
	fixed x = {dst, cap, 0, cap == 0};
	if (cap)
		dst[0] = 0;
	render(s, n, 0, fixed_sink, &x);
	return x.len;
}

size_t bidx_ts_columns(const char *s, size_t n)
{
	size_t i = 0, cols = 0, elen;
	char esc[16];
	uint32_t cp;
	while (i < n) {
		i += unit(s + i, n - i, esc, &elen, &cp);
		if (elen)
			cols += elen;
		else if (cp < 0x80)
			cols++;
		else {
			int w = utf8proc_charwidth((utf8proc_int32_t)cp);
			cols += w > 0 ? (size_t)w : 0;
		}
	}
	return cols;
}

void bidx_ts_msg(FILE *f, const char *fmt, ...)
{
	char small[1024], *p = small;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small && (p = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (!p) {   /* no memory for a long message: its first part */
		p = small;
		n = (int)strlen(small);
	}
	bidx_ts_write(f, p, (size_t)n);
	putc('\n', f);
	if (p != small)
		free(p);
}
