/*
 * format.h - constants of the on-disk index format, and the term keys.
 *
 * The format itself is specified in docs/FORMAT.md (grammar, byte order,
 * worked example); every change here changes that document in the same commit.
 * Where each field of the segment file lies is common/segment.c's alone;
 * this header holds the sizes and ids everyone may name, and builds and
 * takes apart the u64 keys of the term dictionary.
 */
#ifndef BIDX_FORMAT_H
#define BIDX_FORMAT_H

#include <stdint.h>

#define BIDX_FORMAT_VERSION 3u
#define BIDX_MAGIC "BIDX\r\n\x1a\n"
#define BIDX_END_MAGIC "BIDXEND\n"
#define BIDX_OLD_INDEX_FILE "index.bidx"   /* format 1: one file, no manifest */

#define BIDX_HEADER_SIZE 32
#define BIDX_FOOTER_SIZE 32
#define BIDX_TABLE_ENTRY_SIZE 32
#define BIDX_META_SIZE 64
#define BIDX_DOC_SIZE 48
#define BIDX_BLOCKIDX_SIZE 24
#define BIDX_TERMS_HEADER_SIZE 16
#define BIDX_TERMS_PER_BLOCK 64
#define BIDX_DOCS_PER_BLOCK 128
#define BIDX_CHUNK_SIZE 65536u      /* the sections CHUNKS covers are checksummed per chunk */
#define BIDX_CHUNKS_HEADER_SIZE (8 + 4 * BIDX_SEC_MAX)
#define BIDX_CKPT_EVERY 128         /* normalised characters between checkpoints */

enum bidx_section {
	BIDX_SEC_META = 1,
	BIDX_SEC_POSTINGS = 2,
	BIDX_SEC_TERMS = 3,
	BIDX_SEC_DOCS = 4,
	BIDX_SEC_BOUNDS = 5,
	BIDX_SEC_PATHS = 6,
	BIDX_SEC_STORE = 7,
	BIDX_SEC_ZDICT = 8,
	BIDX_SEC_CHUNKS = 9,
	BIDX_SEC_FIELDS = 10,
	BIDX_SEC_FIELDSTR = 11,
	BIDX_SEC_CKPTS = 12,
	BIDX_SEC_MAX = 12,
};

/* Term keys: n << 42 | c1 << 21 | c2 (n = 1 unigram, 2 bigram).  Built and
 * taken apart only here. */
#define BIDX_KEY_CHAR_MASK 0x1FFFFFu

static inline uint64_t bidx_key1(uint32_t c1)
{
	return (uint64_t)1 << 42 | (uint64_t)c1 << 21;
}

static inline uint64_t bidx_key2(uint32_t c1, uint32_t c2)
{
	return (uint64_t)2 << 42 | (uint64_t)c1 << 21 | c2;
}

static inline unsigned bidx_key_n(uint64_t key)
{
	return (unsigned)(key >> 42);
}

/* The first character of a key (a unigram's only one). */
static inline uint32_t bidx_key_c1(uint64_t key)
{
	return (uint32_t)(key >> 21) & BIDX_KEY_CHAR_MASK;
}

/* A bigram's second character (0 in a unigram's key). */
static inline uint32_t bidx_key_c2(uint64_t key)
{
	return (uint32_t)key & BIDX_KEY_CHAR_MASK;
}

/* Whether key is one the writer can give: a unigram (c2 0) or a bigram of
 * code points up to U+10FFFF. */
static inline int bidx_key_valid(uint64_t key)
{
	unsigned n = bidx_key_n(key);
	uint32_t c1 = bidx_key_c1(key), c2 = bidx_key_c2(key);
	return c1 <= 0x10FFFF && ((n == 1 && c2 == 0) || (n == 2 && c2 <= 0x10FFFF));
}

#endif
