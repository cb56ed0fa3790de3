/*
 * segment.c - the segment codec (segment.h): layout, reader, verification.
 *
 * The layout table comes first: the byte position of every field of the
 * file frame (header, table entry, footer) and of the fixed records (META,
 * DOCS, the CHUNKS header), as docs/FORMAT.md gives them.  Every read or
 * write of those bytes, by the reader, by the writer (through the encoders)
 * and by verification, goes through the functions right after it.
 *
 * Then the reader: opening checks what opening promises (header, table,
 * small sections, the sizes the sections must have), the accessors check
 * each record against the sections it points into, and the two large
 * sections are verified chunk by chunk as they are read.
 *
 * Verification comes last, in passes of increasing depth.  The byte pass
 * trusts nothing the reader set up, so it runs on a file that does not
 * open: header, footer, table, every section and chunk checksum, the zero
 * padding.  The structure pass decodes every record, bitmap, key and
 * postings list of an open segment and checks the invariants that span
 * several sections.  The content pass (verify.c) decompresses the stored
 * texts and holds the postings against them.  Every problem is reported
 * where it is (section, document, term, offset), and every one is reported,
 * not only the first.
 */
#include "segment.h"
#include "text.h"
#include "checksum.h"
#include "docstore.h"
#include "fault.h"
#include "io.h"
#include "normalize.h"
#include "postings.h"
#include "varint.h"
#include "verify.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the layout (docs/FORMAT.md): byte positions within each record ---- */

/* header := magic[8] version:u32 flags:u32 file_size:u64 header_sum:u64 */
enum { HEAD_MAGIC = 0, HEAD_VERSION = 8, HEAD_FLAGS = 12, HEAD_FILE_SIZE = 16, HEAD_SUM = 24 };
/* entry := id:u32 flags:u32 offset:u64 length:u64 sum:u64 */
enum { ENT_ID = 0, ENT_FLAGS = 4, ENT_OFF = 8, ENT_LEN = 16, ENT_SUM = 24 };
/* footer := table_off:u64 nsec:u32 version:u32 table_sum:u64 end_magic[8] */
enum { FOOT_TABLE = 0, FOOT_NSEC = 8, FOOT_VERSION = 12, FOOT_SUM = 16, FOOT_MAGIC = 24 };
/* chunks := chunk_size:u32 reserved:u32 count:u32{BIDX_SEC_MAX} sums; count i
 * is section i + 1's */
enum { CHUNKS_SIZE = 0, CHUNKS_RESERVED = 4, CHUNKS_COUNT = 8 };
/* meta := ndocs:u32 norm_rev:u32 total_tokens:u64 total_chars:u64 nterms:u64
 *         build_time:u64 corpus_bytes:u64 reserved[16] */
enum {
	META_NDOCS = 0, META_NORM_REV = 4, META_TOKENS = 8, META_CHARS = 16, META_NTERMS = 24,
	META_BUILD_TIME = 32, META_BYTES = 40, META_RESERVED = 48,
};
/* doc := store_off:u64 bound_off:u64 store_len:u32 path_off:u32 path_len:u32
 *        nchars:u32 ntokens:u32 title_start:u32 title_end:u32 text_len:u32 */
enum {
	DOC_STORE_OFF = 0, DOC_BOUND_OFF = 8, DOC_STORE_LEN = 16, DOC_PATH_OFF = 20,
	DOC_PATH_LEN = 24, DOC_NCHARS = 28, DOC_NTOKENS = 32, DOC_TITLE_START = 36,
	DOC_TITLE_END = 40, DOC_TEXT_LEN = 44,
};
/* TERMS := nterms:u32 nblocks:u32 block_terms:u32 reserved:u32 blockidx...;
 * blockidx := first_key:u64 post_off:u64 entries_off:u32 reserved:u32
 * (read by termdict.c; only the reserved bytes are checked here) */
enum { TERMS_RESERVED = 12, BLOCKIDX_RESERVED = 20 };
/* ckpts := first:u64{ndocs + 1} pair{first[ndocs]} */
#define CKPTS_INDEX_SIZE(ndocs) (((size_t)(ndocs) + 1) * 8)

static const char *const sec_names[BIDX_SEC_MAX + 1] = {
	"FILE", "META", "POSTINGS", "TERMS", "DOCS", "BOUNDS", "PATHS", "STORE", "ZDICT",
	"CHUNKS", "FIELDS", "FIELDSTR", "CKPTS",
};

const char *bidx_section_name(int id)
{
	return id >= 0 && id <= BIDX_SEC_MAX ? sec_names[id] : "?";
}

int bidx_section_chunked(int id)
{
	/* all but META, DOCS (read by bidx_segment_ntokens, which cannot
	 * fail), ZDICT (read whole by every decompression context) and CHUNKS
	 * itself: those are checked whole on opening */
	switch (id) {
	case BIDX_SEC_POSTINGS: case BIDX_SEC_TERMS: case BIDX_SEC_BOUNDS: case BIDX_SEC_PATHS:
	case BIDX_SEC_STORE: case BIDX_SEC_FIELDS: case BIDX_SEC_FIELDSTR: case BIDX_SEC_CKPTS:
		return id;
	default:
		return -1;
	}
}

void bidx_docrec_encode(const bidx_docrec *d, uint8_t out[BIDX_DOC_SIZE])
{
	bidx_put_u64le(out + DOC_STORE_OFF, d->store_off);
	bidx_put_u64le(out + DOC_BOUND_OFF, d->bound_off);
	bidx_put_u32le(out + DOC_STORE_LEN, d->store_len);
	bidx_put_u32le(out + DOC_PATH_OFF, d->path_off);
	bidx_put_u32le(out + DOC_PATH_LEN, d->path_len);
	bidx_put_u32le(out + DOC_NCHARS, d->nchars);
	bidx_put_u32le(out + DOC_NTOKENS, d->ntokens);
	bidx_put_u32le(out + DOC_TITLE_START, d->title_start);
	bidx_put_u32le(out + DOC_TITLE_END, d->title_end);
	bidx_put_u32le(out + DOC_TEXT_LEN, d->text_len);
}

void bidx_docrec_decode(const uint8_t in[BIDX_DOC_SIZE], bidx_docrec *d)
{
	d->store_off = bidx_get_u64le(in + DOC_STORE_OFF);
	d->bound_off = bidx_get_u64le(in + DOC_BOUND_OFF);
	d->store_len = bidx_get_u32le(in + DOC_STORE_LEN);
	d->path_off = bidx_get_u32le(in + DOC_PATH_OFF);
	d->path_len = bidx_get_u32le(in + DOC_PATH_LEN);
	d->nchars = bidx_get_u32le(in + DOC_NCHARS);
	d->ntokens = bidx_get_u32le(in + DOC_NTOKENS);
	d->title_start = bidx_get_u32le(in + DOC_TITLE_START);
	d->title_end = bidx_get_u32le(in + DOC_TITLE_END);
	d->text_len = bidx_get_u32le(in + DOC_TEXT_LEN);
}

void bidx_meta_encode(const bidx_meta *m, uint8_t out[BIDX_META_SIZE])
{
	memset(out, 0, BIDX_META_SIZE);
	bidx_put_u32le(out + META_NDOCS, m->ndocs);
	bidx_put_u32le(out + META_NORM_REV, BIDX_NORM_REVISION);  /* the writer's own normaliser */
	bidx_put_u64le(out + META_TOKENS, m->total_tokens);
	bidx_put_u64le(out + META_CHARS, m->total_chars);
	bidx_put_u64le(out + META_NTERMS, m->nterms);
	bidx_put_u64le(out + META_BUILD_TIME, m->build_time);
	bidx_put_u64le(out + META_BYTES, m->corpus_bytes);
}

void bidx_meta_decode(const uint8_t in[BIDX_META_SIZE], bidx_meta *m)
{
	m->ndocs = bidx_get_u32le(in + META_NDOCS);
	m->total_tokens = bidx_get_u64le(in + META_TOKENS);
	m->total_chars = bidx_get_u64le(in + META_CHARS);
	m->nterms = bidx_get_u64le(in + META_NTERMS);
	m->build_time = bidx_get_u64le(in + META_BUILD_TIME);
	m->corpus_bytes = bidx_get_u64le(in + META_BYTES);
}

uint32_t bidx_meta_norm_rev(const uint8_t in[BIDX_META_SIZE])
{
	return bidx_get_u32le(in + META_NORM_REV);
}

void bidx_meta_set_norm_rev(uint8_t out[BIDX_META_SIZE], uint32_t rev)
{
	bidx_put_u32le(out + META_NORM_REV, rev);
}

void bidx_segment_encode_table(const bidx_secent *sec, uint8_t out[BIDX_TABLE_SIZE])
{
	memset(out, 0, BIDX_TABLE_SIZE);
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		uint8_t *e = out + (size_t)(id - 1) * BIDX_TABLE_ENTRY_SIZE;
		bidx_put_u32le(e + ENT_ID, (uint32_t)id);
		bidx_put_u64le(e + ENT_OFF, sec[id].off);
		bidx_put_u64le(e + ENT_LEN, sec[id].len);
		bidx_put_u64le(e + ENT_SUM, sec[id].sum);
	}
}

void bidx_segment_encode_footer(uint64_t table_off, const uint8_t table[BIDX_TABLE_SIZE],
                                uint8_t out[BIDX_FOOTER_SIZE])
{
	bidx_put_u64le(out + FOOT_TABLE, table_off);
	bidx_put_u32le(out + FOOT_NSEC, BIDX_SEC_MAX);
	bidx_put_u32le(out + FOOT_VERSION, BIDX_FORMAT_VERSION);
	bidx_put_u64le(out + FOOT_SUM, bidx_xxh3(table, BIDX_TABLE_SIZE));
	memcpy(out + FOOT_MAGIC, BIDX_END_MAGIC, 8);
}

static void seal_header(uint8_t *head)
{
	bidx_put_u64le(head + HEAD_SUM, bidx_xxh3(head, HEAD_SUM));
}

void bidx_segment_encode_header(uint64_t file_size, uint8_t out[BIDX_HEADER_SIZE])
{
	memcpy(out + HEAD_MAGIC, BIDX_MAGIC, 8);
	bidx_put_u32le(out + HEAD_VERSION, BIDX_FORMAT_VERSION);
	bidx_put_u32le(out + HEAD_FLAGS, 0);
	bidx_put_u64le(out + HEAD_FILE_SIZE, file_size);
	seal_header(out);
}

void bidx_segment_encode_chunks(const uint32_t count[BIDX_SEC_MAX + 1],
                                uint8_t out[BIDX_CHUNKS_HEADER_SIZE])
{
	bidx_put_u32le(out + CHUNKS_SIZE, BIDX_CHUNK_SIZE);
	bidx_put_u32le(out + CHUNKS_RESERVED, 0);
	for (int id = 1; id <= BIDX_SEC_MAX; id++)
		bidx_put_u32le(out + CHUNKS_COUNT + 4 * (id - 1), count[id]);
}

/* The table's offset from the footer, when the footer puts a table of
 * BIDX_SEC_MAX entries right before itself: 1, else 0. */
static int table_at(const uint8_t *m, size_t size, uint64_t *toff)
{
	if (size < BIDX_HEADER_SIZE + BIDX_FOOTER_SIZE)
		return 0;
	const uint8_t *f = m + size - BIDX_FOOTER_SIZE;
	*toff = bidx_get_u64le(f + FOOT_TABLE);
	return bidx_get_u32le(f + FOOT_NSEC) == BIDX_SEC_MAX && *toff >= BIDX_HEADER_SIZE &&
	       *toff + BIDX_TABLE_SIZE == size - BIDX_FOOTER_SIZE;
}

/* Table entry of section id (1..BIDX_SEC_MAX) of a table at toff. */
static uint32_t entry_at(const uint8_t *m, uint64_t toff, int id, bidx_secent *e)
{
	const uint8_t *t = m + toff + (size_t)(id - 1) * BIDX_TABLE_ENTRY_SIZE;
	e->off = bidx_get_u64le(t + ENT_OFF);
	e->len = bidx_get_u64le(t + ENT_LEN);
	e->sum = bidx_get_u64le(t + ENT_SUM);
	return bidx_get_u32le(t + ENT_ID);
}

static uint64_t chunks_of(uint64_t len)
{
	return (len + BIDX_CHUNK_SIZE - 1) / BIDX_CHUNK_SIZE;
}

/* ---- the reader ---- */

typedef struct secref {
	const uint8_t *p;   /* in the mapping */
	size_t len;
} secref;

#define DSR_POOL 16   /* idle decompression contexts kept per segment */

struct bidx_segment {
	const uint8_t *map;
	size_t size;
	secref sec[BIDX_SEC_MAX + 1];   /* indexed by section id */
	bidx_meta meta;
	bidx_termdict td;
	bidx_dsr *dsr[DSR_POOL];        /* idle decompression contexts, made on demand */
	int ndsr;                       /* of them in dsr[] */
	pthread_mutex_t dsr_lock;       /* guards dsr[] and ndsr */
	const uint8_t *chunk_sum[BIDX_SEC_MAX + 1];  /* per-chunk XXH3 (CHUNKS), by section id */
	uint32_t nchunks[BIDX_SEC_MAX + 1];
	uint8_t *chunk_ok[BIDX_SEC_MAX + 1];  /* bitmaps: chunk verified (atomic bit sets); owned */
	uint64_t *hashed;               /* bytes checksummed by the reader (atomic); owned */
	char *path;                     /* the segment file; owned */
	uint64_t table_sum;             /* XXH3 of the section table (from the footer) */
};

static bidx_err fail(bidx_err e, char *why, size_t n, const char *msg)
{
	snprintf(why, n, "%s", msg);
	return e == BIDX_ECORRUPT ? bidx_corrupt() : e;
}

static bidx_err check_header(const uint8_t *m, size_t size, char *why, size_t n)
{
	if (size < BIDX_HEADER_SIZE + BIDX_FOOTER_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "file too short to be an index (truncated?)");
	if (memcmp(m + HEAD_MAGIC, BIDX_MAGIC, 8))
		return fail(BIDX_ECORRUPT, why, n, "not a bidx index (bad magic)");
	if (bidx_get_u64le(m + HEAD_SUM) != bidx_xxh3(m, HEAD_SUM))
		return fail(BIDX_ECORRUPT, why, n, "header checksum mismatch");
	uint32_t version = bidx_get_u32le(m + HEAD_VERSION);
	if (version != BIDX_FORMAT_VERSION) {
		snprintf(why, n, "format version %u, this program reads version %u: rebuild with "
		         "`bidx build --full`", version, BIDX_FORMAT_VERSION);
		return BIDX_EVERSION;
	}
	if (bidx_get_u64le(m + HEAD_FILE_SIZE) != size)
		return fail(BIDX_ECORRUPT, why, n, "file size differs from the header (truncated or extended)");
	return BIDX_OK;
}

static bidx_err read_table(bidx_segment *s, char *why, size_t n)
{
	const uint8_t *f = s->map + s->size - BIDX_FOOTER_SIZE;
	uint64_t toff;
	if (memcmp(f + FOOT_MAGIC, BIDX_END_MAGIC, 8) ||
	    bidx_get_u32le(f + FOOT_VERSION) != BIDX_FORMAT_VERSION)
		return fail(BIDX_ECORRUPT, why, n, "bad footer");
	if (!table_at(s->map, s->size, &toff))
		return fail(BIDX_ECORRUPT, why, n, "bad section table position");
	s->table_sum = bidx_get_u64le(f + FOOT_SUM);
	if (s->table_sum != bidx_xxh3(s->map + toff, BIDX_TABLE_SIZE))
		return fail(BIDX_ECORRUPT, why, n, "section table checksum mismatch");
	uint64_t prev_end = BIDX_HEADER_SIZE;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		bidx_secent e;
		/* sections are stored in id order, aligned, without overlap */
		if (entry_at(s->map, toff, id, &e) != (uint32_t)id || e.off % 8 || e.off < prev_end ||
		    e.len > toff - e.off)
			return fail(BIDX_ECORRUPT, why, n, "bad section table entry");
		s->sec[id].p = s->map + e.off;
		s->sec[id].len = (size_t)e.len;
		prev_end = e.off + e.len;
	}
	return BIDX_OK;
}

/* The whole-section checksums of the sections CHUNKS does not cover (the
 * byte pass of verification checks the others' too). */
static bidx_err verify_small_sections(const bidx_segment *s, char *why, size_t n)
{
	uint64_t toff = bidx_get_u64le(s->map + s->size - BIDX_FOOTER_SIZE + FOOT_TABLE);
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		bidx_secent e;
		if (bidx_section_chunked(id) >= 0)
			continue;
		entry_at(s->map, toff, id, &e);
		*s->hashed += s->sec[id].len;
		if (bidx_xxh3(s->sec[id].p, s->sec[id].len) != e.sum) {
			snprintf(why, n, "checksum mismatch in section %s", sec_names[id]);
			return bidx_corrupt();
		}
	}
	return BIDX_OK;
}

static bidx_err read_chunks(bidx_segment *s, char *why, size_t n)
{
	const secref *c = &s->sec[BIDX_SEC_CHUNKS];
	if (c->len < BIDX_CHUNKS_HEADER_SIZE || bidx_get_u32le(c->p + CHUNKS_SIZE) != BIDX_CHUNK_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "bad CHUNKS section");
	const uint8_t *sum = c->p + BIDX_CHUNKS_HEADER_SIZE;
	size_t total = 0;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		uint32_t cnt = bidx_get_u32le(c->p + CHUNKS_COUNT + 4 * (id - 1));
		uint64_t want = bidx_section_chunked(id) >= 0 ? chunks_of(s->sec[id].len) : 0;
		if (cnt != want)
			return fail(BIDX_ECORRUPT, why, n,
			            "CHUNKS section does not match the sections it covers");
		s->nchunks[id] = cnt;
		s->chunk_sum[id] = sum + 8 * total;
		total += cnt;
	}
	if (c->len != BIDX_CHUNKS_HEADER_SIZE + 8 * total)
		return fail(BIDX_ECORRUPT, why, n, "CHUNKS section does not match the sections it covers");
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		if (bidx_section_chunked(id) < 0)
			continue;
		s->chunk_ok[id] = bidx_calloc(s->nchunks[id] / 8 + 1, 1);
		if (!s->chunk_ok[id])
			return BIDX_ENOMEM;
	}
	return BIDX_OK;
}

/* Makes sure bytes [off, off+len) of chunked section id have been verified
 * against their chunk sums.  Only the verified-bits change, and they are
 * atomic: a const segment may be checked. */
static bidx_err need_slow(const bidx_segment *s, int id, uint64_t off, uint64_t len)
{
	BIDX_CORRUPT_IF(bidx_section_chunked(id) < 0);
	const secref *sec = &s->sec[id];
	if (len == 0)
		return BIDX_OK;
	BIDX_CORRUPT_IF(off > sec->len || len > sec->len - off);
	uint8_t *ok = s->chunk_ok[id];
	for (uint64_t c = off / BIDX_CHUNK_SIZE; c <= (off + len - 1) / BIDX_CHUNK_SIZE; c++) {
		if (__atomic_load_n(&ok[c >> 3], __ATOMIC_ACQUIRE) >> (c & 7) & 1)
			continue;
		size_t start = (size_t)c * BIDX_CHUNK_SIZE;
		size_t clen = sec->len - start < BIDX_CHUNK_SIZE ? sec->len - start : BIDX_CHUNK_SIZE;
		__atomic_fetch_add(s->hashed, clen, __ATOMIC_RELAXED);
		BIDX_CORRUPT_IF(bidx_xxh3(sec->p + start, clen) !=
		                bidx_get_u64le(s->chunk_sum[id] + 8 * c));
		__atomic_fetch_or(&ok[c >> 3], (uint8_t)(1u << (c & 7)), __ATOMIC_RELEASE);
	}
	return BIDX_OK;
}

/* The common case inline: a range inside one chunk already verified (every
 * record a query reads again); anything else takes the checks above. */
static inline bidx_err need(const bidx_segment *s, int id, uint64_t off, uint64_t len)
{
	const uint8_t *ok = s->chunk_ok[id];
	uint64_t slen = s->sec[id].len;
	if (ok && len && off <= slen && len <= slen - off) {
		uint64_t c = off / BIDX_CHUNK_SIZE;
		if (c == (off + len - 1) / BIDX_CHUNK_SIZE &&
		    (__atomic_load_n(&ok[c >> 3], __ATOMIC_ACQUIRE) >> (c & 7) & 1))
			return BIDX_OK;
	}
	return need_slow(s, id, off, len);
}

/* The term dictionary's hook: a block's entries, within TERMS. */
static bidx_err need_terms(const void *arg, uint64_t off, uint64_t len)
{
	return need(arg, BIDX_SEC_TERMS, off, len);
}

/* The sizes the sections must have, given META. */
static bidx_err check_sections(bidx_segment *s, char *why, size_t n)
{
	if (s->sec[BIDX_SEC_META].len != BIDX_META_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "bad META section size");
	bidx_meta_decode(s->sec[BIDX_SEC_META].p, &s->meta);
	uint32_t rev = bidx_meta_norm_rev(s->sec[BIDX_SEC_META].p);
	if (rev != BIDX_NORM_REVISION) {
		snprintf(why, n, "index normalised by revision %u of the normaliser, this program "
		         "uses revision %u (spelling variants as written): rebuild with `bidx build`",
		         rev, BIDX_NORM_REVISION);
		return BIDX_EVERSION;
	}
	if (s->sec[BIDX_SEC_DOCS].len != (size_t)s->meta.ndocs * BIDX_DOC_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "DOCS section size differs from the document count");
	if (s->sec[BIDX_SEC_FIELDS].len != (size_t)s->meta.ndocs * BIDX_FIELDS_SIZE)
		return fail(BIDX_ECORRUPT, why, n, "FIELDS section size differs from the document count");
	const secref *ck = &s->sec[BIDX_SEC_CKPTS];
	size_t idx = CKPTS_INDEX_SIZE(s->meta.ndocs);
	if (ck->len < idx)
		return fail(BIDX_ECORRUPT, why, n, "CKPTS section size differs from its index");
	if (need(s, BIDX_SEC_CKPTS, idx - 8, 8))
		return fail(BIDX_ECORRUPT, why, n, "checksum mismatch in section CKPTS (a chunk)");
	if ((ck->len - idx) % 8 || bidx_get_u64le(ck->p + idx - 8) != (ck->len - idx) / 8)
		return fail(BIDX_ECORRUPT, why, n, "CKPTS section size differs from its index");
	/* the dictionary's header and block index are read on every lookup */
	const secref *te = &s->sec[BIDX_SEC_TERMS];
	uint64_t head = BIDX_TERMS_HEADER_SIZE;
	if (te->len >= head && need(s, BIDX_SEC_TERMS, 0, head))
		return fail(BIDX_ECORRUPT, why, n, "checksum mismatch in section TERMS (a chunk)");
	if (te->len >= head) {
		uint64_t bidx_len = (uint64_t)bidx_get_u32le(te->p + 4) * BIDX_BLOCKIDX_SIZE;
		if (bidx_len <= te->len - head && need(s, BIDX_SEC_TERMS, head, bidx_len))
			return fail(BIDX_ECORRUPT, why, n, "checksum mismatch in section TERMS (a chunk)");
	}
	if (bidx_termdict_open(&s->td, te->p, te->len, s->sec[BIDX_SEC_POSTINGS].len) ||
	    s->td.nterms != s->meta.nterms)
		return fail(BIDX_ECORRUPT, why, n, "bad term dictionary header");
	s->td.need = need_terms;
	s->td.need_arg = s;
	return BIDX_OK;
}

/* Maps s->path and checks what opening promises; s is the caller's to close. */
static bidx_err load(bidx_segment *s, char *why, size_t n)
{
	bidx_err rc = bidx_map_file(s->path, &s->map, &s->size);
	if (rc) {
		snprintf(why, n, rc == BIDX_ENOINDEX ? "segment file missing"
		                                     : "cannot read the segment file");
		return rc;
	}
	BIDX_TRY(check_header(s->map, s->size, why, n));
	BIDX_TRY(read_table(s, why, n));
	BIDX_TRY(verify_small_sections(s, why, n));
	BIDX_TRY(read_chunks(s, why, n));
	return check_sections(s, why, n);
}

bidx_err bidx_segment_open_file(const char *path, bidx_segment **out, char *why, size_t n)
{
	*out = NULL;
	why[0] = 0;
	bidx_segment *s = bidx_calloc(1, sizeof *s);
	if (!s)
		return BIDX_ENOMEM;
	s->path = strdup(path);
	s->hashed = bidx_calloc(1, sizeof *s->hashed);
	if (!s->path || !s->hashed || pthread_mutex_init(&s->dsr_lock, NULL)) {
		free(s->path);
		free(s->hashed);
		free(s);
		return BIDX_ENOMEM;
	}
	bidx_err rc = load(s, why, n);
	if (rc) {
		bidx_segment_close(s);
		return rc;
	}
	*out = s;
	return BIDX_OK;
}

void bidx_segment_close(bidx_segment *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->ndsr; i++)
		bidx_dsr_free(s->dsr[i]);
	pthread_mutex_destroy(&s->dsr_lock);
	for (int id = 0; id <= BIDX_SEC_MAX; id++)
		free(s->chunk_ok[id]);
	bidx_unmap(s->map, s->size);
	free(s->path);
	free(s->hashed);
	free(s);
}

uint32_t bidx_segment_ndocs(const bidx_segment *s)
{
	return s->meta.ndocs;
}

const bidx_meta *bidx_segment_meta(const bidx_segment *s)
{
	return &s->meta;
}

const bidx_termdict *bidx_segment_termdict(const bidx_segment *s)
{
	return &s->td;
}

uint64_t bidx_segment_size(const bidx_segment *s)
{
	return s->size;
}

const char *bidx_segment_file(const bidx_segment *s)
{
	return s->path;
}

uint32_t bidx_segment_ntokens(const bidx_segment *s, uint32_t id)
{
	if (id >= s->meta.ndocs)
		return 0;
	return bidx_get_u32le(s->sec[BIDX_SEC_DOCS].p + (size_t)id * BIDX_DOC_SIZE + DOC_NTOKENS);
}

void bidx_segment_section(const bidx_segment *s, int id, const uint8_t **p, size_t *len)
{
	*p = NULL;
	*len = 0;
	if (id >= 1 && id <= BIDX_SEC_MAX) {
		*p = s->sec[id].p;
		*len = s->sec[id].len;
	}
}

bidx_err bidx_segment_need(bidx_segment *s, int id, uint64_t off, uint64_t len)
{
	return need(s, id, off, len);
}

uint64_t bidx_segment_hashed(const bidx_segment *s)
{
	return __atomic_load_n(s->hashed, __ATOMIC_RELAXED);
}

const uint8_t *bidx_segment_postings(const bidx_segment *s, const bidx_term *t)
{
	return s->sec[BIDX_SEC_POSTINGS].p + t->post_off;
}

bidx_err bidx_segment_doc_bounds(const bidx_segment *s, uint32_t id, bidx_docrec *d)
{
	BIDX_CORRUPT_IF(id >= s->meta.ndocs);
	const uint8_t *rec = s->sec[BIDX_SEC_DOCS].p + (size_t)id * BIDX_DOC_SIZE;
	bidx_docrec_decode(rec, d);
	uint64_t blen = ((uint64_t)d->nchars + 8) / 8;
	if (d->store_len > s->sec[BIDX_SEC_STORE].len ||
	    d->store_off > s->sec[BIDX_SEC_STORE].len - d->store_len ||
	    blen > s->sec[BIDX_SEC_BOUNDS].len ||
	    d->bound_off > s->sec[BIDX_SEC_BOUNDS].len - blen ||
	    d->path_len > s->sec[BIDX_SEC_PATHS].len ||
	    d->path_off > s->sec[BIDX_SEC_PATHS].len - d->path_len ||
	    d->title_start > d->title_end || d->title_end > d->nchars)
		return bidx_corrupt();
	/* records tile their sections in doc order: each one ends where the
	 * next begins (or where the section ends), so a damaged length or
	 * offset shows even when every checksum holds */
	uint64_t store_end = s->sec[BIDX_SEC_STORE].len, bound_end = s->sec[BIDX_SEC_BOUNDS].len;
	uint64_t path_end = s->sec[BIDX_SEC_PATHS].len;
	if (id + 1 < s->meta.ndocs) {
		const uint8_t *next = rec + BIDX_DOC_SIZE;
		store_end = bidx_get_u64le(next + DOC_STORE_OFF);
		bound_end = bidx_get_u64le(next + DOC_BOUND_OFF);
		path_end = bidx_get_u32le(next + DOC_PATH_OFF);
	}
	if (d->store_off + d->store_len != store_end || d->bound_off + blen != bound_end ||
	    (uint64_t)d->path_off + d->path_len != path_end)
		return bidx_corrupt();
	/* what bidx_segment_bounds hands out */
	return need(s, BIDX_SEC_BOUNDS, d->bound_off, blen);
}

bidx_err bidx_segment_doc_shape(const bidx_segment *s, uint32_t id, bidx_docshape *d)
{
	BIDX_CORRUPT_IF(id >= s->meta.ndocs);
	const uint8_t *rec = s->sec[BIDX_SEC_DOCS].p + (size_t)id * BIDX_DOC_SIZE;
	d->nchars = bidx_get_u32le(rec + DOC_NCHARS);
	d->ntokens = bidx_get_u32le(rec + DOC_NTOKENS);
	d->title_start = bidx_get_u32le(rec + DOC_TITLE_START);
	d->title_end = bidx_get_u32le(rec + DOC_TITLE_END);
	BIDX_CORRUPT_IF(d->title_start > d->title_end || d->title_end > d->nchars);
	return BIDX_OK;
}

bidx_err bidx_segment_doc(const bidx_segment *s, uint32_t id, bidx_docrec *d)
{
	BIDX_TRY(bidx_segment_doc_bounds(s, id, d));
	/* and what bidx_segment_path hands out */
	return need(s, BIDX_SEC_PATHS, d->path_off, d->path_len);
}

bidx_err bidx_segment_fields(const bidx_segment *s, uint32_t id, bidx_fieldrec *f)
{
	BIDX_CORRUPT_IF(id >= s->meta.ndocs);
	BIDX_TRY(need(s, BIDX_SEC_FIELDS, (uint64_t)id * BIDX_FIELDS_SIZE, BIDX_FIELDS_SIZE));
	bidx_fieldrec_decode(s->sec[BIDX_SEC_FIELDS].p + (size_t)id * BIDX_FIELDS_SIZE, f);
	if (f->str_len > s->sec[BIDX_SEC_FIELDSTR].len ||
	    f->str_off > s->sec[BIDX_SEC_FIELDSTR].len - f->str_len || f->date_lo > f->date_hi)
		return bidx_corrupt();
	/* what bidx_segment_fieldstr hands out */
	return need(s, BIDX_SEC_FIELDSTR, f->str_off, f->str_len);
}

const uint8_t *bidx_segment_fieldstr(const bidx_segment *s, const bidx_fieldrec *f)
{
	return s->sec[BIDX_SEC_FIELDSTR].p + f->str_off;
}

bidx_err bidx_segment_ckpts(const bidx_segment *s, uint32_t id, const uint8_t **pairs, uint32_t *n)
{
	const secref *ck = &s->sec[BIDX_SEC_CKPTS];
	size_t idx = CKPTS_INDEX_SIZE(s->meta.ndocs);
	*pairs = NULL;
	*n = 0;
	BIDX_CORRUPT_IF(id >= s->meta.ndocs);
	BIDX_TRY(need(s, BIDX_SEC_CKPTS, (uint64_t)id * 8, 16));
	uint64_t a = bidx_get_u64le(ck->p + (size_t)id * 8), b = bidx_get_u64le(ck->p + (size_t)id * 8 + 8);
	uint64_t total = (ck->len - idx) / 8;
	BIDX_CORRUPT_IF(a > b || b > total || b - a > UINT32_MAX);
	BIDX_TRY(need(s, BIDX_SEC_CKPTS, idx + a * 8, (b - a) * 8));
	*pairs = ck->p + idx + a * 8;
	*n = (uint32_t)(b - a);
	return BIDX_OK;
}

const uint8_t *bidx_segment_bounds(const bidx_segment *s, const bidx_docrec *d)
{
	return s->sec[BIDX_SEC_BOUNDS].p + d->bound_off;
}

const char *bidx_segment_path(const bidx_segment *s, const bidx_docrec *d)
{
	return (const char *)s->sec[BIDX_SEC_PATHS].p + d->path_off;
}

bidx_err bidx_segment_fetch_prefix(bidx_segment *s, const bidx_docrec *d, size_t want, char **buf,
                                   const char **title, size_t *tlen, const char **text,
                                   size_t *avail)
{
	*buf = NULL;
	bidx_err need = bidx_segment_need(s, BIDX_SEC_STORE, d->store_off, d->store_len);
	if (need)
		return need;
	/* take an idle context (or make one), decompress unlocked, give it back */
	bidx_dsr *r = NULL;
	pthread_mutex_lock(&s->dsr_lock);
	if (s->ndsr)
		r = s->dsr[--s->ndsr];
	pthread_mutex_unlock(&s->dsr_lock);
	if (!r) {
		bidx_err rc = bidx_dsr_new(s->sec[BIDX_SEC_ZDICT].p, s->sec[BIDX_SEC_ZDICT].len, &r);
		if (rc)
			return rc;
	}
	bidx_err rc = bidx_dsr_get_prefix(r, s->sec[BIDX_SEC_STORE].p + d->store_off, d->store_len,
	                                  d->text_len, want, buf, title, tlen, text, avail);
	pthread_mutex_lock(&s->dsr_lock);
	if (s->ndsr < DSR_POOL) {
		s->dsr[s->ndsr++] = r;
		r = NULL;
	}
	pthread_mutex_unlock(&s->dsr_lock);
	bidx_dsr_free(r);
	return rc;
}

bidx_err bidx_segment_fetch(bidx_segment *s, const bidx_docrec *d, char **buf,
                            const char **title, size_t *tlen, const char **text)
{
	size_t avail;
	return bidx_segment_fetch_prefix(s, d, d->text_len, buf, title, tlen, text, &avail);
}

/* ---- the manifest's pin ---- */

void bidx_segment_pin(const bidx_segment *s, bidx_man_seg *ms)
{
	ms->ndocs = s->meta.ndocs;
	ms->size = s->size;
	ms->sum = s->table_sum;
}

bidx_err bidx_segment_pin_check(const bidx_segment *s, const bidx_man_seg *ms, char *why, size_t n)
{
	if (s->size != ms->size || s->meta.ndocs != ms->ndocs) {
		snprintf(why, n, "differs from what the manifest says of it (%zu bytes, %u documents; "
		         "the manifest says %llu, %u)", s->size, s->meta.ndocs,
		         (unsigned long long)ms->size, ms->ndocs);
		return bidx_corrupt();
	}
	if (s->table_sum != ms->sum) {
		/* every byte is under a checksum the table sum covers: the file
		 * was changed after it was published, checksums recomputed */
		snprintf(why, n, "its checksums are not the ones the manifest recorded (table checksum "
		         "%016llx, recorded %016llx): the file was changed after it was written",
		         (unsigned long long)s->table_sum, (unsigned long long)ms->sum);
		return bidx_corrupt();
	}
	return BIDX_OK;
}

/* ---- tools: the file as bytes ---- */

uint32_t bidx_segment_magic_version(const uint8_t *h, size_t n)
{
	if (n < HEAD_VERSION + 4 || memcmp(h + HEAD_MAGIC, BIDX_MAGIC, 8))
		return 0;
	return bidx_get_u32le(h + HEAD_VERSION);
}

bidx_err bidx_segment_locate(const uint8_t *m, size_t size, int id, uint64_t *off, uint64_t *len)
{
	uint64_t toff;
	bidx_secent e;
	*off = *len = 0;
	BIDX_CORRUPT_IF(id < 1 || id > BIDX_SEC_MAX || !table_at(m, size, &toff));
	entry_at(m, toff, id, &e);
	BIDX_CORRUPT_IF(e.off > toff || e.len > toff - e.off);
	*off = e.off;
	*len = e.len;
	return BIDX_OK;
}

bidx_err bidx_segment_reseal(uint8_t *m, size_t size, int chunks)
{
	uint64_t toff;
	bidx_secent sec[BIDX_SEC_MAX + 1] = {{0}};
	BIDX_CORRUPT_IF(!table_at(m, size, &toff));
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		entry_at(m, toff, id, &sec[id]);
		BIDX_CORRUPT_IF(sec[id].off > toff || sec[id].len > toff - sec[id].off);
	}
	/* chunk sums as far as CHUNKS has room for them (its header may be
	 * the edited part) */
	uint64_t clen = sec[BIDX_SEC_CHUNKS].len, room = 0;
	uint8_t *sum = m + sec[BIDX_SEC_CHUNKS].off + BIDX_CHUNKS_HEADER_SIZE;
	if (chunks && clen >= BIDX_CHUNKS_HEADER_SIZE)
		room = (clen - BIDX_CHUNKS_HEADER_SIZE) / 8;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		if (bidx_section_chunked(id) < 0)
			continue;
		const bidx_secent *e = &sec[id];
		for (uint64_t a = 0; a < e->len && room > 0; a += BIDX_CHUNK_SIZE, sum += 8, room--) {
			uint64_t n = e->len - a < BIDX_CHUNK_SIZE ? e->len - a : BIDX_CHUNK_SIZE;
			bidx_put_u64le(sum, bidx_xxh3(m + e->off + a, (size_t)n));
		}
	}
	/* the table as it is, but for the sums */
	uint8_t *t = m + toff;
	for (int id = 1; id <= BIDX_SEC_MAX; id++)
		bidx_put_u64le(t + (size_t)(id - 1) * BIDX_TABLE_ENTRY_SIZE + ENT_SUM,
		               bidx_xxh3(m + sec[id].off, (size_t)sec[id].len));
	bidx_put_u64le(m + size - BIDX_FOOTER_SIZE + FOOT_SUM, bidx_xxh3(t, BIDX_TABLE_SIZE));
	bidx_put_u64le(m + HEAD_FILE_SIZE, size);
	seal_header(m);
	return BIDX_OK;
}

/* ---- verification: reports ---- */

void bidx_findings_add(bidx_findings *f, int sec, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	f->problems++;
	if (!f->fn && !(f->why && f->problems == 1))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (f->why && f->problems == 1)
		snprintf(f->why, f->whylen, "%s: %s", bidx_section_name(sec), msg);
	if (f->fn)
		f->fn(bidx_section_name(sec), msg, f->arg);
}

static int zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* ---- verification: the byte pass ---- */

static void bytes_chunks(bidx_findings *f, const uint8_t *m, const bidx_secent *sec)
{
	const uint8_t *ch = m + sec[BIDX_SEC_CHUNKS].off;
	uint64_t clen = sec[BIDX_SEC_CHUNKS].len;
	if (clen < BIDX_CHUNKS_HEADER_SIZE || bidx_get_u32le(ch + CHUNKS_SIZE) != BIDX_CHUNK_SIZE) {
		bidx_findings_add(f, BIDX_SEC_CHUNKS, "bad header (chunk size must be %u)",
		                  BIDX_CHUNK_SIZE);
		return;
	}
	const uint8_t *sum = ch + BIDX_CHUNKS_HEADER_SIZE;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		uint32_t n = bidx_get_u32le(ch + CHUNKS_COUNT + 4 * (id - 1));
		uint64_t slen = sec[id].len;
		uint64_t want = bidx_section_chunked(id) >= 0 ? chunks_of(slen) : 0;
		if (n != want || (uint64_t)(sum - ch) + 8 * (uint64_t)n > clen) {
			bidx_findings_add(f, BIDX_SEC_CHUNKS, "%s has %llu chunks, CHUNKS lists %u",
			                  sec_names[id], (unsigned long long)want, n);
			return;
		}
		for (uint64_t i = 0; i < n; i++) {
			uint64_t a = i * BIDX_CHUNK_SIZE;
			uint64_t b = a + BIDX_CHUNK_SIZE < slen ? a + BIDX_CHUNK_SIZE : slen;
			if (bidx_xxh3(m + sec[id].off + a, (size_t)(b - a)) != bidx_get_u64le(sum + 8 * i))
				bidx_findings_add(f, id, "chunk %llu (section bytes %llu..%llu) fails "
				                  "its checksum", (unsigned long long)i, (unsigned long long)a,
				                  (unsigned long long)b);
		}
		sum += 8 * (uint64_t)n;
	}
	if ((uint64_t)(sum - ch) != clen)
		bidx_findings_add(f, BIDX_SEC_CHUNKS, "section is %llu bytes, its contents %llu",
		                  (unsigned long long)clen, (unsigned long long)(sum - ch));
}

static void bytes_header(bidx_findings *f, const uint8_t *m, size_t size)
{
	if (memcmp(m + HEAD_MAGIC, BIDX_MAGIC, 8))
		bidx_findings_add(f, 0, "header: bad magic (not a bidx index)");
	if (bidx_get_u64le(m + HEAD_SUM) != bidx_xxh3(m, HEAD_SUM))
		bidx_findings_add(f, 0, "header: checksum mismatch");
	if (bidx_get_u32le(m + HEAD_VERSION) != BIDX_FORMAT_VERSION)
		bidx_findings_add(f, 0, "header: format version %u, this bidx reads version %u",
		                  bidx_get_u32le(m + HEAD_VERSION), BIDX_FORMAT_VERSION);
	if (bidx_get_u64le(m + HEAD_FILE_SIZE) != size)
		bidx_findings_add(f, 0, "header: file size %llu, the file has %zu bytes (truncated or "
		                  "extended)", (unsigned long long)bidx_get_u64le(m + HEAD_FILE_SIZE), size);
}

/* Header, footer, table, every checksum, the padding.  Returns 1 when the
 * table is sound enough to open the file. */
static int bytes_pass(bidx_findings *f, const uint8_t *m, size_t size)
{
	if (size < BIDX_HEADER_SIZE + BIDX_FOOTER_SIZE) {
		bidx_findings_add(f, 0, "file of %zu bytes is too short to be an index (truncated?)", size);
		return 0;
	}
	bytes_header(f, m, size);
	const uint8_t *foot = m + size - BIDX_FOOTER_SIZE;
	uint64_t toff;
	if (memcmp(foot + FOOT_MAGIC, BIDX_END_MAGIC, 8) ||
	    bidx_get_u32le(foot + FOOT_VERSION) != BIDX_FORMAT_VERSION)
		bidx_findings_add(f, 0, "footer: bad end magic or version");
	if (!table_at(m, size, &toff)) {
		bidx_findings_add(f, 0, "footer: section table at %llu with %u entries does not fit "
		                  "the file", (unsigned long long)bidx_get_u64le(foot + FOOT_TABLE),
		                  bidx_get_u32le(foot + FOOT_NSEC));
		return 0;
	}
	if (bidx_get_u64le(foot + FOOT_SUM) != bidx_xxh3(m + toff, BIDX_TABLE_SIZE))
		bidx_findings_add(f, 0, "section table: checksum mismatch");
	bidx_secent sec[BIDX_SEC_MAX + 1] = {{0}};
	uint64_t prev = BIDX_HEADER_SIZE;
	for (int id = 1; id <= BIDX_SEC_MAX; id++) {
		bidx_secent *e = &sec[id];
		if (entry_at(m, toff, id, e) != (uint32_t)id || e->off % 8 || e->off < prev ||
		    e->off > toff || e->len > toff - e->off) {
			bidx_findings_add(f, 0, "section table: entry %d (%s) at %llu, %llu bytes: out of "
			                  "order, misaligned or outside the file", id, sec_names[id],
			                  (unsigned long long)e->off, (unsigned long long)e->len);
			return 0;
		}
		if (!zero(m + prev, (size_t)(e->off - prev)))
			bidx_findings_add(f, id, "padding before the section (bytes %llu..%llu) is not zero",
			                  (unsigned long long)prev, (unsigned long long)e->off);
		if (bidx_xxh3(m + e->off, (size_t)e->len) != e->sum)
			bidx_findings_add(f, id, "checksum mismatch (file bytes %llu..%llu)",
			                  (unsigned long long)e->off, (unsigned long long)(e->off + e->len));
		prev = e->off + e->len;
	}
	if (!zero(m + prev, (size_t)(toff - prev)))
		bidx_findings_add(f, 0, "padding before the section table (bytes %llu..%llu) is not zero",
		                  (unsigned long long)prev, (unsigned long long)toff);
	bytes_chunks(f, m, sec);
	return 1;
}

/* ---- verification: the structure pass ---- */

typedef struct structure {
	bidx_segment *s;
	bidx_findings *f;
	uint32_t *nchars;        /* per doc, from its record (0 when it is damaged) */
	uint32_t *pos;           /* scratch positions */
	size_t pos_cap;
	uint64_t next_post;      /* where the next term's postings must start */
	uint64_t prev_key;
	uint64_t seen_terms;
	int oom;
} structure;

/* Reserved fields must be zero (a writer of this version leaves them so;
 * META's u32 after ndocs is the normaliser revision, checked on opening). */
static void check_reserved(structure *c)
{
	const secref *sec = c->s->sec;
	if (!zero(sec[BIDX_SEC_META].p + META_RESERVED, BIDX_META_SIZE - META_RESERVED))
		bidx_findings_add(c->f, BIDX_SEC_META, "reserved bytes are not zero");
	if (!zero(sec[BIDX_SEC_TERMS].p + TERMS_RESERVED, 4))
		bidx_findings_add(c->f, BIDX_SEC_TERMS, "reserved header bytes are not zero");
	for (uint32_t b = 0; b < c->s->td.nblocks; b++)
		if (!zero(c->s->td.idx + (size_t)b * BIDX_BLOCKIDX_SIZE + BLOCKIDX_RESERVED, 4))
			bidx_findings_add(c->f, BIDX_SEC_TERMS, "block %u: reserved bytes are not zero", b);
	if (!zero(sec[BIDX_SEC_CHUNKS].p + CHUNKS_RESERVED, 4))
		bidx_findings_add(c->f, BIDX_SEC_CHUNKS, "reserved header bytes are not zero");
}

static void check_bounds(structure *c, uint32_t id, const bidx_docrec *d)
{
	const uint8_t *b = bidx_segment_bounds(c->s, d);
	size_t blen = ((size_t)d->nchars + 8) / 8;
	if (!bidx_bits_get(b, 0) || !bidx_bits_get(b, d->nchars))
		bidx_findings_add(c->f, BIDX_SEC_BOUNDS, "doc %u: boundary bitmap lacks bit 0 or bit %u "
		                  "(nchars)", id, d->nchars);
	if (b[blen - 1] >> (d->nchars % 8) > 1)
		bidx_findings_add(c->f, BIDX_SEC_BOUNDS, "doc %u: boundary bits set past nchars %u", id,
		                  d->nchars);
	if (d->ntokens == 0 || d->ntokens > d->nchars)
		bidx_findings_add(c->f, BIDX_SEC_DOCS, "doc %u: %u words in %u characters", id,
		                  d->ntokens, d->nchars);
}

/* Every record inside its sections, the records tiling STORE, BOUNDS and
 * PATHS in doc order, the bitmaps, META's totals. */
static void doc_pass(structure *c)
{
	uint64_t store_end = 0, bound_end = 0, path_end = 0, tokens = 0, chars = 0, bytes = 0;
	const bidx_segment *s = c->s;
	for (uint32_t id = 0; id < s->meta.ndocs; id++) {
		bidx_docrec d;
		if (bidx_segment_doc(s, id, &d)) {
			bidx_findings_add(c->f, BIDX_SEC_DOCS, "doc %u: record points outside STORE, BOUNDS "
			                  "or PATHS, or its title range is outside its %u characters", id,
			                  d.nchars);
			continue;
		}
		c->nchars[id] = d.nchars;
		if (d.store_off != store_end || d.bound_off != bound_end || d.path_off != path_end)
			bidx_findings_add(c->f, BIDX_SEC_DOCS, "doc %u: its frame, bitmap or path does not "
			                  "follow the previous document's (gap or overlap)", id);
		store_end = d.store_off + d.store_len;
		bound_end = d.bound_off + ((uint64_t)d.nchars + 8) / 8;
		path_end = (uint64_t)d.path_off + d.path_len;
		tokens += d.ntokens;
		chars += d.nchars;
		bytes += d.text_len;
		check_bounds(c, id, &d);
		c->f->docs++;
	}
	if (store_end != s->sec[BIDX_SEC_STORE].len || bound_end != s->sec[BIDX_SEC_BOUNDS].len ||
	    path_end != s->sec[BIDX_SEC_PATHS].len)
		bidx_findings_add(c->f, BIDX_SEC_DOCS, "the documents do not cover STORE, BOUNDS and "
		                  "PATHS exactly");
	if (tokens != s->meta.total_tokens || chars != s->meta.total_chars ||
	    bytes != s->meta.corpus_bytes)
		bidx_findings_add(c->f, BIDX_SEC_META, "totals (words %llu, characters %llu, bytes %llu) "
		                  "differ from the documents' (%llu, %llu, %llu)",
		                  (unsigned long long)s->meta.total_tokens,
		                  (unsigned long long)s->meta.total_chars,
		                  (unsigned long long)s->meta.corpus_bytes, (unsigned long long)tokens,
		                  (unsigned long long)chars, (unsigned long long)bytes);
}

void bidx_key_describe(uint64_t key, char *out, size_t n)
{
	uint32_t c1 = bidx_key_c1(key), c2 = bidx_key_c2(key);
	uint8_t u[9];
	int l = 0;
	if (c1 <= 0x10FFFF && (c1 < 0xD800 || c1 > 0xDFFF) && c1 >= 0x20)
		l += bidx_utf8_encode(c1, u);
	if (bidx_key_n(key) == 2 && c2 <= 0x10FFFF && (c2 < 0xD800 || c2 > 0xDFFF) && c2 >= 0x20)
		l += bidx_utf8_encode(c2, u + l);
	u[l] = 0;
	if (bidx_key_n(key) == 2)
		snprintf(out, n, "bigram \"%s\" (U+%04X U+%04X)", (char *)u, c1, c2);
	else
		snprintf(out, n, "unigram \"%s\" (U+%04X)", (char *)u, c1);
}

/* A bigram's positions: increasing, decodable, each the start of a pair of
 * the document's characters. */
static void check_positions(structure *c, const char *name, bidx_pcur *cur)
{
	uint32_t d = (uint32_t)cur->doc, nch = c->nchars[d];
	if (nch < 2 || cur->tf > nch - 1) {
		bidx_findings_add(c->f, BIDX_SEC_POSTINGS, "%s, doc %u: %u occurrences in %u characters",
		                  name, d, cur->tf, nch);
		return;
	}
	if (cur->tf > c->pos_cap) {
		uint32_t *p = bidx_realloc(c->pos, (size_t)cur->tf * sizeof *p);
		if (!p) {
			c->oom = 1;
			return;
		}
		c->pos = p;
		c->pos_cap = cur->tf;
	}
	if (bidx_pcur_positions(cur, c->pos, nch - 1))
		bidx_findings_add(c->f, BIDX_SEC_POSTINGS, "%s, doc %u: positions not increasing, "
		                  "undecodable or past the document's %u characters", name, d, nch);
}

static int term_cb(const bidx_term *t, void *arg)
{
	structure *c = arg;
	char name[96];
	bidx_key_describe(t->key, name, sizeof name);
	if (c->seen_terms && t->key <= c->prev_key)
		bidx_findings_add(c->f, BIDX_SEC_TERMS, "%s: key not above the previous one", name);
	if (!bidx_key_valid(t->key))
		bidx_findings_add(c->f, BIDX_SEC_TERMS, "%s: malformed key 0x%llx", name,
		                  (unsigned long long)t->key);
	if (t->post_off != c->next_post)
		bidx_findings_add(c->f, BIDX_SEC_TERMS, "%s: postings at %llu, the previous term's end "
		                  "at %llu", name, (unsigned long long)t->post_off,
		                  (unsigned long long)c->next_post);
	c->prev_key = t->key;
	c->next_post = t->post_off + t->post_len;
	c->seen_terms++;
	c->f->terms++;
	if (bidx_segment_need(c->s, BIDX_SEC_POSTINGS, t->post_off, t->post_len))
		return 0;   /* the chunk is reported by the byte pass */
	unsigned n = bidx_key_n(t->key);
	uint32_t ndocs = c->s->meta.ndocs;
	bidx_pcur cur;
	if (!bidx_key_valid(t->key) ||
	    bidx_pcur_init(&cur, bidx_segment_postings(c->s, t), (size_t)t->post_len, t->df, n, ndocs)) {
		bidx_findings_add(c->f, BIDX_SEC_POSTINGS, "%s: df %u with %u documents", name, t->df,
		                  ndocs);
		return 0;
	}
	uint32_t got = 0;
	int have;
	bidx_err rc;
	while (!(rc = bidx_pcur_next(&cur, &have)) && have && !c->oom) {
		got++;
		c->f->postings++;
		if (n == 2)
			check_positions(c, name, &cur);
	}
	if (rc)
		bidx_findings_add(c->f, BIDX_SEC_POSTINGS, "%s (bytes %llu..%llu): undecodable after %u "
		                  "of its %u documents (doc id out of range or not increasing, bad "
		                  "counts or block lengths)", name, (unsigned long long)t->post_off,
		                  (unsigned long long)(t->post_off + t->post_len), got, t->df);
	return c->oom ? 1 : 0;
}

/* The dictionary: keys increasing and well formed, postings back to back
 * covering POSTINGS; every list decoded against the documents. */
static void term_pass(structure *c)
{
	bidx_segment *s = c->s;
	bidx_err rc = bidx_termdict_each(&s->td, term_cb, c, NULL);
	if (c->oom)
		return;
	if (rc) {
		bidx_findings_add(c->f, BIDX_SEC_TERMS, "term block %llu is undecodable (after %llu "
		                  "terms)", (unsigned long long)(c->seen_terms / BIDX_TERMS_PER_BLOCK),
		                  (unsigned long long)c->seen_terms);
		return;
	}
	if (c->next_post != s->sec[BIDX_SEC_POSTINGS].len)
		bidx_findings_add(c->f, BIDX_SEC_TERMS, "postings end at %llu, the section at %zu",
		                  (unsigned long long)c->next_post, s->sec[BIDX_SEC_POSTINGS].len);
	if (c->seen_terms != s->meta.nterms)
		bidx_findings_add(c->f, BIDX_SEC_META, "%llu terms, the dictionary holds %llu",
		                  (unsigned long long)s->meta.nterms, (unsigned long long)c->seen_terms);
}

static bidx_err structure_pass(bidx_segment *s, bidx_findings *f)
{
	structure c = {s, f, NULL, NULL, 0, 0, 0, 0, 0};
	check_reserved(&c);
	c.nchars = bidx_calloc((size_t)s->meta.ndocs + 1, sizeof *c.nchars);
	if (!c.nchars)
		return BIDX_ENOMEM;
	doc_pass(&c);
	term_pass(&c);
	free(c.nchars);
	free(c.pos);
	return c.oom ? BIDX_ENOMEM : BIDX_OK;
}

/* The passes after the byte pass, on an open segment. */
static bidx_err verify_open(bidx_segment *s, int depth, bidx_findings *f)
{
	if (depth >= BIDX_VERIFY_STRUCTURE)
		BIDX_TRY(structure_pass(s, f));
	return depth >= BIDX_VERIFY_DEEP ? bidx_verify_content(s, f) : BIDX_OK;
}

bidx_err bidx_segment_verify(bidx_segment *s, int depth, bidx_findings *f)
{
	uint64_t before = f->problems;
	f->file_bytes += s->size;
	bytes_pass(f, s->map, s->size);
	bidx_err rc = verify_open(s, depth, f);
	if (rc)
		return rc;
	return f->problems > before ? bidx_corrupt() : BIDX_OK;
}

bidx_err bidx_segment_verify_file(const char *path, int depth, bidx_findings *f,
                                  bidx_segment **out, char *why, size_t whylen)
{
	const uint8_t *map;
	size_t size;
	uint64_t before = f->problems;
	*out = NULL;
	why[0] = 0;
	bidx_err rc = bidx_map_file(path, &map, &size);
	if (rc) {
		bidx_findings_add(f, 0, "%s", rc == BIDX_ENOINDEX ? "the file is missing"
		                                                  : "cannot read the file");
		return bidx_corrupt();
	}
	f->file_bytes += size;
	int table_ok = bytes_pass(f, map, size);
	bidx_unmap(map, size);
	if (table_ok) {
		char ywhy[256];
		bidx_segment *s;
		rc = bidx_segment_open_file(path, &s, ywhy, sizeof ywhy);
		if (rc == BIDX_ECORRUPT || rc == BIDX_EVERSION) {
			bidx_findings_add(f, 0, "the segment cannot be opened: %s", ywhy);
		} else if (rc) {
			snprintf(why, whylen, "%s", rc == BIDX_ENOMEM || !ywhy[0] ? bidx_strerror(rc) : ywhy);
			return rc;
		} else {
			*out = s;
			rc = verify_open(s, depth, f);
			if (rc) {
				snprintf(why, whylen, "%s", bidx_strerror(rc));
				return rc;
			}
		}
	}
	return f->problems > before ? bidx_corrupt() : BIDX_OK;
}
