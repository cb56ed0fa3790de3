/*
 * wordset.h - every occurrence of a fixed set of words in one pass.
 *
 * The rule tables of analysis/ (kind.c's cue words) are searched in every
 * notice; a memmem per word and per sentence reads the text again for each
 * of them.  A word set reads it once: at each offset where a word may
 * start, the three bytes there pick a bucket of a small hash table, and only
 * the words in that bucket are compared.  It reports what memmem would
 * find, every occurrence at every byte offset (overlapping ones too), so a
 * caller can rebuild any memmem-based rule from the occurrences.
 */
#ifndef BIDX_WORDSET_H
#define BIDX_WORDSET_H

#include <stddef.h>
#include <stdint.h>

#define BIDX_WORDSET_MAX 256      /* words in one set */
#define BIDX_WORDSET_BUCKETS 4096

typedef struct bidx_wordset {
	const char *word[BIDX_WORDSET_MAX];   /* not copied: static strings */
	uint8_t len[BIDX_WORDSET_MAX];        /* bytes, 3..255 */
	int16_t next[BIDX_WORDSET_MAX];       /* the bucket's next word, or -1 */
	int16_t head[BIDX_WORDSET_BUCKETS];   /* a bucket's first word, or -1 */
	size_t n;
	int inside;                           /* a word starts with a UTF-8 continuation byte */
} bidx_wordset;

/* Empties *ws. */
void bidx_wordset_init(bidx_wordset *ws);

/* Adds word (NUL-terminated, 3 to 255 bytes, kept by pointer: it must
 * outlive the set).  Returns its id (0, 1, 2... in the order added), or -1
 * when the word is too short or too long or the set is full. */
int bidx_wordset_add(bidx_wordset *ws, const char *word);

/* Calls hit(ctx, id, at) for each occurrence of a word of ws in s[0..n), in
 * order of at; at the same offset, the words of one bucket in reverse order
 * of their ids. */
void bidx_wordset_scan(const bidx_wordset *ws, const char *s, size_t n,
                       void (*hit)(void *ctx, int id, size_t at), void *ctx);

/* 1 when some word of ws occurs in s[0..n) (the scan stops at the first). */
int bidx_wordset_any(const bidx_wordset *ws, const char *s, size_t n);

#endif
