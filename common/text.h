/*
 * text.h - the small helpers over byte strings and bitmaps that analysis,
 * the indexer and the searcher share: finding a word in a string, its
 * prefix and suffix, trimming a line, and the bits of a word-boundary
 * bitmap.
 *
 * A string here is a byte range s[0..n) of UTF-8, not NUL-terminated; the
 * word looked for (w) is a C string.  Comparisons are on bytes, so a word
 * written in normalised form (normalize.h) matches normalised text only.
 * There is one copy of each helper so that a title, an organisation's line
 * and an incident fact are cut and compared the same way everywhere.
 */
#ifndef BIDX_TEXT_H
#define BIDX_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The first occurrence of w in s[0..n), or NULL; an empty w is never
 * found.  (glibc's memmem: two-way, with a first-byte skip that stays fast
 * when every other byte of Japanese UTF-8 is the same lead byte.) */
const char *bidx_str_find(const char *s, size_t n, const char *w);

/* 1 when s[0..n) holds w (bidx_str_find), else 0. */
int bidx_str_has(const char *s, size_t n, const char *w);

/* The byte offset of the first occurrence of w in s[0..n) at or after
 * from, or -1.  A word that starts with an ASCII byte must not touch other
 * ASCII letters or digits: "id" is not found in "idea" or "uid". */
long bidx_str_find_word(const char *s, size_t n, size_t from, const char *w);

/* 1 when s[0..n) starts with w. */
static inline int bidx_str_starts(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && !memcmp(s, w, k);
}

/* 1 when s[0..n) ends with w. */
static inline int bidx_str_ends(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && !memcmp(s + n - k, w, k);
}

/* Narrows the range t[*s..*e) past the spaces, tabs, CRs and ideographic
 * spaces (U+3000) at both of its ends, in any mix. */
void bidx_str_trim(const char *t, size_t *s, size_t *e);

/* Bit i of a bitmap (bit i % 8 of byte i / 8; word boundaries, FORMAT.md). */
static inline int bidx_bits_get(const uint8_t *bits, uint32_t i)
{
	return bits[i >> 3] >> (i & 7) & 1;
}

static inline void bidx_bits_set(uint8_t *bits, uint32_t i)
{
	bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static inline void bidx_bits_clear(uint8_t *bits, uint32_t i)
{
	bits[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

#endif
