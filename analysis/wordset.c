/*
 * wordset.c - every occurrence of a fixed set of words in one pass
 * (wordset.h).
 *
 * Each word sits in the bucket its first three bytes hash to, chained
 * through next[].  The scan hashes the three bytes at each offset and
 * compares the words of a bucket that is not empty (4096 buckets for at most
 * 256 words: a few percent of the offsets, and those mostly where a word's
 * first character is).  When no word starts with a UTF-8 continuation byte
 * (10xxxxxx), none can start at one, and the continuation bytes, two thirds
 * of Japanese text, are passed over on one test.  (A bit per pair of first
 * bytes was tested first before; a pair stands for 64 code points, and for
 * the hiragana that start words such as お知らせ or によると it passed at half
 * the characters of a Japanese text, a branch taken at random.)
 */
#include "wordset.h"

#include <string.h>

static unsigned bucket_of(const uint8_t *p)
{
	uint32_t k = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

	return (k * 2654435761u) >> (32 - 12);
}

void bidx_wordset_init(bidx_wordset *ws)
{
	memset(ws->head, 0xFF, sizeof ws->head);
	ws->n = 0;
	ws->inside = 0;
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
	ws->inside |= (w[0] & 0xC0) == 0x80;
	return id;
}

/* The words at p[i..n) (i + 3 <= n) to hit; 1 when one is found and there is
 * no hit. */
static inline int words_at(const bidx_wordset *ws, const uint8_t *p, size_t i, size_t n,
                           void (*hit)(void *ctx, int id, size_t at), void *ctx)
{
	for (int id = ws->head[bucket_of(p + i)]; id >= 0; id = ws->next[id])
		if (ws->len[id] <= n - i && memcmp(p + i, ws->word[id], ws->len[id]) == 0) {
			if (!hit)
				return 1;
			hit(ctx, id, i);
		}
	return 0;
}

/* Every occurrence of every word, in text order, to hit; with no hit, stops
 * at the first occurrence and says whether there is one. */
static int scan(const bidx_wordset *ws, const char *s, size_t n,
                void (*hit)(void *ctx, int id, size_t at), void *ctx)
{
	const uint8_t *p = (const uint8_t *)s;

	if (ws->inside) {   /* a word starts inside a character: every offset */
		for (size_t i = 0; i + 3 <= n; i++)
			if (words_at(ws, p, i, n, hit, ctx))
				return 1;
		return 0;
	}
	for (size_t i = 0; i + 3 <= n; i++)
		if ((p[i] & 0xC0) != 0x80 && words_at(ws, p, i, n, hit, ctx))
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
