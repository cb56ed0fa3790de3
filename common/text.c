#define _GNU_SOURCE /* memmem */
/*
 * text.c - the shared string helpers of text.h.  They take (pointer,
 * length) strings because what they look into is a line, a sentence or a
 * field value inside a larger text, never a C string of its own.
 */
#include "text.h"

#include <string.h>

const char *bidx_str_find(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	if (k == 0 || n < k)
		return NULL;
	return memmem(s, n, w, k);
}

int bidx_str_has(const char *s, size_t n, const char *w)
{
	return bidx_str_find(s, n, w) != NULL;
}

static int ascii_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

long bidx_str_find_word(const char *s, size_t n, size_t from, const char *w)
{
	size_t k = strlen(w), at;
	const char *hit;
	int ascii = (unsigned char)w[0] < 0x80;

	while (from <= n && (hit = bidx_str_find(s + from, n - from, w)) != NULL) {
		at = (size_t)(hit - s);
		if (!ascii || ((at == 0 || !ascii_alnum(s[at - 1])) &&
		               (at + k >= n || !ascii_alnum(s[at + k]))))
			return (long)at;
		from = at + 1;
	}
	return -1;
}

static int space_at(const char *t, size_t i)
{
	return t[i] == ' ' || t[i] == '\t' || t[i] == '\r';
}

#define IDEOGRAPHIC_SPACE "\xE3\x80\x80"   /* U+3000 */

void bidx_str_trim(const char *t, size_t *s, size_t *e)
{
	for (;;) {
		if (*s < *e && space_at(t, *s))
			(*s)++;
		else if (*e - *s >= 3 && !memcmp(t + *s, IDEOGRAPHIC_SPACE, 3))
			*s += 3;
		else
			break;
	}
	for (;;) {
		if (*e > *s && space_at(t, *e - 1))
			(*e)--;
		else if (*e - *s >= 3 && !memcmp(t + *e - 3, IDEOGRAPHIC_SPACE, 3))
			*e -= 3;
		else
			break;
	}
}
