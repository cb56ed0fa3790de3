/*
 * normalize.h - the text normalisation shared by indexing and querying.
 *
 * The normalised form of a text is what every match is defined on: a query
 * word matches a document when its normalised form is a substring of the
 * document's normalised text (exactly what `grep -F` would find there).
 *
 * Rules, applied in this order:
 *  1. Unicode NFKC with case folding (utf8proc: COMPAT|COMPOSE|CASEFOLD|STABLE),
 *     and default-ignorable code points (variation selectors, ZWJ, soft hyphen,
 *     BOM) removed.  So ＰＣＩ -> pci, ｸﾚｼﾞｯﾄ -> クレジット, ① -> 1.
 *  2. Whitespace: every run of white space (space, tab, U+3000, CR, LF,
 *     U+2028/2029, NEL, other Unicode Zs) and of C0/C1 control characters
 *     is one "gap".  A gap is dropped entirely when the character before it
 *     or the character after it is a "wide" character (CJK ideographs, kana,
 *     CJK punctuation and symbols; see bidx_is_wide), so Japanese broken
 *     across lines or spaced out by PDF extraction ("平成 28 年") reads as
 *     one string ("平成28年").  Any other gap becomes one U+0020.  Gaps at
 *     the start and end of the text are dropped.
 *  3. Invalid UTF-8 bytes each become U+FFFD (callers validate files first;
 *     this only keeps the function total).
 *
 * Spelling variants (漏えい and 漏洩, サーバー and サーバ) and numbers (第1報
 * and 第一報) are not folded here: the text keeps what was written, so a
 * query finds every place `grep -F` finds, and the search expands a query
 * word into its variants instead (variants.h).
 *
 * Positions: the output is UTF-8; "characters" are code points of the output.
 * The offset map gives, for each output character i, the byte range
 * [src_start[i], src_end[i]) of the input that produced it (a composed or
 * expanded character maps to its whole source cluster), so a match on
 * normalised characters [a, b) highlights input bytes
 * [src_start[a], src_end[b-1]).
 */
#ifndef BIDX_NORMALIZE_H
#define BIDX_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* The revision of the rules above.  The index records it (docs/FORMAT.md,
 * META) and a reader refuses an index normalised by another revision, whose
 * terms would not line up with the queries.  Bump it with any change to the
 * output of bidx_normalize().  Revision 0: indexes written before it was
 * recorded (no variant folding); 1: spelling variants folded in the text;
 * 2: NFKC, case folding and gaps only (variants matched on the query side). */
#define BIDX_NORM_REVISION 2u

typedef struct bidx_norm {
	char *text;          /* normalised UTF-8, NUL-terminated; owned */
	size_t len;          /* bytes of text, without the NUL */
	uint32_t nchars;     /* code points in text */
	uint32_t *cp;        /* nchars code points of text; owned */
	uint32_t *byte_off;  /* nchars+1 byte offsets of each char in text; owned */
	uint32_t *src_start; /* nchars input byte offsets, or NULL when no map asked */
	uint32_t *src_end;   /* nchars input byte ends, or NULL */
} bidx_norm;

/* Normalises in[0..len).  With want_map, fills src_start/src_end.
 * On success *out is filled and must be released with bidx_norm_free().
 * Inputs over 2^31 bytes are refused with BIDX_ETOOBIG. */
bidx_err bidx_normalize(const char *in, size_t len, int want_map, bidx_norm *out);

/* The same output through the general path alone (utf8proc for every
 * character that is not ASCII, no table of plain characters): what the
 * short paths are checked against (test_normalize). */
bidx_err bidx_normalize_general(const char *in, size_t len, int want_map, bidx_norm *out);

/* A later place than 0 to start normalising text[0..len) from, found by
 * walking its first characters while each is ASCII or a plain kanji or
 * kana (its own normal form, a starter; composed like が or not): the
 * greatest such character's start j from whose bytes before it normalising text[0..len) gives at
 * most `max` characters, exactly *chars of them; or 0 (*chars 0).
 * Normalising text[j..len) gives exactly the characters normalising
 * text[0..len) gives from the bytes at and after j (the same code points,
 * their source offsets less j): a cluster starts at j.  The walk costs a
 * few instructions a character, a fraction of normalising it. */
size_t bidx_normalize_skip(const char *text, size_t len, uint32_t max, uint32_t *chars);

/* Releases what bidx_normalize() allocated; NULL-safe; zeroes the struct. */
void bidx_norm_free(bidx_norm *n);

/* 1 when cp is a "wide" character for the gap rule above: U+2E80..U+A4CF
 * (CJK radicals, punctuation, kana, ideographs, Yi), U+F900..U+FAFF,
 * U+FE30..U+FE4F, U+FF00..U+FFEF (fullwidth/halfwidth forms), U+20000..U+3FFFF;
 * but not Hangul (U+3130..U+318F), whose words are space separated. */
int bidx_is_wide(uint32_t cp);

/* Decodes one UTF-8 character at s[0..n); returns its length (1..4) and
 * stores the code point, or returns 0 for an invalid sequence (overlong,
 * surrogate, > U+10FFFF, truncated).  Inline for ASCII and well-formed
 * three-byte characters (kana, kanji: most of a Japanese text); the rest,
 * errors included, goes to bidx_utf8_decode_any, which decodes everything
 * the same way. */
int bidx_utf8_decode_any(const uint8_t *s, size_t n, uint32_t *cp);

static inline int bidx_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	if (n > 0 && s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (n >= 3 && (s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		uint32_t c = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
		             (uint32_t)(s[2] & 0x3F);
		if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
			*cp = c;
			return 3;
		}
	}
	return bidx_utf8_decode_any(s, n, cp);
}

/* Encodes cp (<= U+10FFFF) into out[0..4); returns its length. */
int bidx_utf8_encode(uint32_t cp, uint8_t *out);

/* Byte offset of the first invalid UTF-8 sequence in s[0..n), or n when valid. */
size_t bidx_utf8_check(const uint8_t *s, size_t n);

#endif
