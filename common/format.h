/*
 * format.h - constants of the on-disk index format.
 *
 * The format itself is specified in docs/FORMAT.md (grammar, byte order,
 * worked example); every change here changes that document in the same commit.
 */
#ifndef BIDX_FORMAT_H
#define BIDX_FORMAT_H

#include <stdint.h>

#define BIDX_FORMAT_VERSION 2u
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
#define BIDX_CHUNK_SIZE 65536u      /* POSTINGS and STORE are checksummed per chunk */
#define BIDX_CHUNKS_HEADER_SIZE 16
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

/* Term keys: n << 42 | c1 << 21 | c2 (n = 1 unigram, 2 bigram). */
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

/* One document record of the DOCS section, decoded. */
typedef struct bidx_docrec {
	uint64_t store_off;   /* frame offset within STORE */
	uint64_t bound_off;   /* bitmap offset within BOUNDS */
	uint32_t store_len;   /* frame bytes */
	uint32_t path_off;    /* path offset within PATHS */
	uint32_t path_len;    /* path bytes */
	uint32_t nchars;      /* normalised characters */
	uint32_t ntokens;     /* words, for BM25 */
	uint32_t title_start; /* title's character range in the normalised text */
	uint32_t title_end;
	uint32_t text_len;    /* bytes of the original text */
} bidx_docrec;

void bidx_docrec_encode(const bidx_docrec *d, uint8_t out[BIDX_DOC_SIZE]);
void bidx_docrec_decode(const uint8_t in[BIDX_DOC_SIZE], bidx_docrec *d);

/* The META section, decoded. */
typedef struct bidx_meta {
	uint32_t ndocs;
	uint64_t total_tokens;
	uint64_t total_chars;
	uint64_t nterms;
	uint64_t build_time;
	uint64_t corpus_bytes;
} bidx_meta;

/* Encoding writes the writer's BIDX_NORM_REVISION (normalize.h) into the
 * u32 after ndocs; bidx_meta_norm_rev() reads it back. */
void bidx_meta_encode(const bidx_meta *m, uint8_t out[BIDX_META_SIZE]);
uint32_t bidx_meta_norm_rev(const uint8_t in[BIDX_META_SIZE]);
void bidx_meta_decode(const uint8_t in[BIDX_META_SIZE], bidx_meta *m);

#endif
