/*
 * wordset.c - every occurrence of a fixed set of words in one pass
 * (wordset.h).
 *
 * Each word sits in the bucket its first three bytes hash to, chained
 * through next[].  The scan tests one bit per byte (does any word start
 * with it and the next?), which passes over ASCII, continuation bytes and
 * all but a few of the kana and kanji (a pair of bytes spans 64 code
 * points), and only then hashes three bytes and compares the bucket's words
 * in full.  When no word starts with a UTF-8 continuation byte (10xxxxxx),
 * none can start at one, and when none starts with ASCII either, none can
 * start below 0xC0: the scan then reads the text eight bytes at a time and
 * tests only the bytes that may start a word (a bit mask of them), which
 * for Japanese text is a third of the bytes or fewer.
 */
#include "wordset.h"

#include <string.h>

static unsigned bucket_of(const uint8_t *p)
{
	uint32_t k = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

	return (k * 2654435761u) >> (32 - 12);
}

/* Does some word start with the two bytes at p? */
static int starts_pair(const bidx_wordset *ws, const uint8_t *p)
{
	unsigned pr = (unsigned)p[0] << 8 | p[1];

	return ws->pair[pr >> 6] >> (pr & 63) & 1;
}

void bidx_wordset_init(bidx_wordset *ws)
{
	memset(ws->pair, 0, sizeof ws->pair);
	memset(ws->head, 0xFF, sizeof ws->head);
	ws->n = 0;
	ws->starts = 0;
}

int bidx_wordset_add(bidx_wordset *ws, const char *word)
{
	size_t len = strlen(word);
	const uint8_t *w = (const uint8_t *)word;

	if (len < 3 || len > 255 || ws->n >= BIDX_WORDSET_MAX)
		return -1;
	unsigned b = bucket_of(w);
	int id = (int)ws->n++;
	ws->word[id] = word;
	ws->len[id] = (uint8_t)len;
	ws->next[id] = ws->head[b];
	ws->head[b] = (int16_t)id;
	unsigned pr = (unsigned)w[0] << 8 | w[1];
	ws->pair[pr >> 6] |= 1ull << (pr & 63);
	ws->starts |= w[0] < 0x80 ? 1 : w[0] < 0xC0 ? 2 : 0;
	return id;
}

/* The words at p[i..n) (i + 3 <= n) to hit; 1 when one is found and there is
 * no hit. */
static inline int words_at(const bidx_wordset *ws, const uint8_t *p, size_t i, size_t n,
                           void (*hit)(void *ctx, int id, size_t at), void *ctx)
{
	if (!starts_pair(ws, p + i))
		return 0;
	for (int id = ws->head[bucket_of(p + i)]; id >= 0; id = ws->next[id])
		if (ws->len[id] <= n - i && memcmp(p + i, ws->word[id], ws->len[id]) == 0) {
			if (!hit)
				return 1;
			hit(ctx, id, i);
		}
	return 0;
}

#define HIGH_BITS 0x8080808080808080ull

/* Bit 7 of each byte of x that may start a word: every byte but the
 * continuation bytes, or (no word starts with ASCII) the bytes 0xC0 and up. */
static inline uint64_t may_start(uint64_t x, unsigned starts)
{
	uint64_t six = x << 1;   /* bit 6 of each byte in bit 7 */
	return starts & 1 ? ~(x & ~six) & HIGH_BITS : x & six & HIGH_BITS;
}

/* Every occurrence of every word, in text order, to hit; with no hit, stops
 * at the first occurrence and says whether there is one. */
static int scan(const bidx_wordset *ws, const char *s, size_t n,
                void (*hit)(void *ctx, int id, size_t at), void *ctx)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (!(ws->starts & 2))
		for (; i + 10 <= n; i += 8) {   /* every candidate q < i + 8 has q + 3 <= n */
			uint64_t x;
			memcpy(&x, p + i, 8);
			for (uint64_t m = may_start(x, ws->starts); m; m &= m - 1)
				if (words_at(ws, p, i + ((unsigned)__builtin_ctzll(m) >> 3), n, hit, ctx))
					return 1;
		}
#endif
	for (; i + 3 <= n; i++)
		if (words_at(ws, p, i, n, hit, ctx))
			return 1;
	return 0;
}

void bidx_wordset_scan(const bidx_wordset *ws, const char *s, size_t n,
                       void (*hit)(void *ctx, int id, size_t at), void *ctx)
{
	if (hit)
		scan(ws, s, n, hit, ctx);
}

int bidx_wordset_any(const bidx_wordset *ws, const char *s, size_t n)
{
	return scan(ws, s, n, NULL, NULL);
}
