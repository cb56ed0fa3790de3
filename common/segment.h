/*
 * segment.h - the segment file codec: its layout, its reader and its
 * verification (docs/FORMAT.md, "Segment file").
 *
 * common/segment.c is the one place that knows where a byte of a segment
 * file lies: the header, the section table and the footer, the CHUNKS
 * header, the META and DOCS records.  The writer (indexer/segment_writer.c)
 * emits sections through the encoders below, the reader hands out their
 * parts through the accessors below, and verification walks the same
 * layout; nothing else computes an offset into a segment.
 *
 * A bidx_segment is an open, read-only segment file.  Opening maps the file,
 * checks the header, footer and section table, and verifies the XXH3
 * checksum of META, DOCS, ZDICT and CHUNKS, and the chunks holding the term
 * dictionary's block index and the end of the CKPTS index; nothing else is
 * parsed.  Every other section is verified 64 KiB chunk by chunk, the first
 * time a query touches a chunk (bidx_segment_need; the accessors below do it
 * for the records they hand out, the term dictionary for its blocks), so
 * opening costs little for any corpus size and nothing is ever answered
 * from unverified bytes.  All pointers handed out point into the mapping and live until
 * bidx_segment_close().  Every accessor of a record checks its bounds and
 * reports corruption instead of reading outside the section.
 *
 * Threads: any number of threads may query one open segment at once.  The
 * only state that changes after opening is the chunk-verified bitmaps
 * (atomic bit sets: a chunk verified twice by two threads is harmless) and
 * the pool of decompression contexts (a mutex around taking and returning
 * one; decompression itself runs unlocked, one context per thread).
 */
#ifndef BIDX_SEGMENT_H
#define BIDX_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "fields.h"
#include "format.h"
#include "manifest.h"
#include "termdict.h"

typedef struct bidx_segment bidx_segment;   /* opaque: see segment.c */

/* ---- records ---- */

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
 * u32 after ndocs; bidx_meta_norm_rev() reads it back and
 * bidx_meta_set_norm_rev() overwrites it (tests of an index of another
 * revision). */
void bidx_meta_encode(const bidx_meta *m, uint8_t out[BIDX_META_SIZE]);
void bidx_meta_decode(const uint8_t in[BIDX_META_SIZE], bidx_meta *m);
uint32_t bidx_meta_norm_rev(const uint8_t in[BIDX_META_SIZE]);
void bidx_meta_set_norm_rev(uint8_t out[BIDX_META_SIZE], uint32_t rev);

/* A term key for a message: `bigram "情報" (U+60C5 U+5831)`. */
void bidx_key_describe(uint64_t key, char *out, size_t n);

/* ---- the layout, for the writer ---- */

#define BIDX_TABLE_SIZE (BIDX_SEC_MAX * BIDX_TABLE_ENTRY_SIZE)

/* The name of section id ("META" .. "CKPTS"; "FILE" for 0, the file as a
 * whole); static storage. */
const char *bidx_section_name(int id);

/* id for the sections CHUNKS covers (POSTINGS, TERMS, BOUNDS, PATHS, STORE,
 * FIELDS, FIELDSTR, CKPTS), else -1. */
int bidx_section_chunked(int id);

/* Where one section lies and its XXH3. */
typedef struct bidx_secent {
	uint64_t off;   /* from the start of the file, a multiple of 8 */
	uint64_t len;
	uint64_t sum;
} bidx_secent;

/* The section table of sec[1..BIDX_SEC_MAX]. */
void bidx_segment_encode_table(const bidx_secent *sec, uint8_t out[BIDX_TABLE_SIZE]);
/* The footer of a table written at table_off. */
void bidx_segment_encode_footer(uint64_t table_off, const uint8_t table[BIDX_TABLE_SIZE],
                                uint8_t out[BIDX_FOOTER_SIZE]);
/* The header of a file of file_size bytes. */
void bidx_segment_encode_header(uint64_t file_size, uint8_t out[BIDX_HEADER_SIZE]);
/* The CHUNKS header with the chunk count of each section (count[1..];
 * 0 for a section CHUNKS does not cover); the chunk sums follow it, section
 * by section in id order. */
void bidx_segment_encode_chunks(const uint32_t count[BIDX_SEC_MAX + 1],
                                uint8_t out[BIDX_CHUNKS_HEADER_SIZE]);

/* ---- reading ---- */

/* Opens one segment file (index.h opens a whole index).  On failure returns
 * BIDX_ENOINDEX (no such file), BIDX_EIO, BIDX_ECORRUPT or BIDX_EVERSION
 * and writes a one-line reason (without the path) into why[whylen]. */
bidx_err bidx_segment_open_file(const char *path, bidx_segment **out, char *why, size_t whylen);
void bidx_segment_close(bidx_segment *s);   /* NULL ok */

uint32_t bidx_segment_ndocs(const bidx_segment *s);
const bidx_meta *bidx_segment_meta(const bidx_segment *s);         /* lives with s */
const bidx_termdict *bidx_segment_termdict(const bidx_segment *s); /* lives with s */
uint64_t bidx_segment_size(const bidx_segment *s);                 /* bytes of the file */
const char *bidx_segment_file(const bidx_segment *s);              /* the path it was opened by */

/* The length in words (BM25) of document id; 0 when id is out of range.
 * Cheap: for scoring loops. */
uint32_t bidx_segment_ntokens(const bidx_segment *s, uint32_t id);

/* Makes sure bytes [off, off+len) of a section CHUNKS covers have been
 * verified against their chunk checksums; BIDX_ECORRUPT when not. */
bidx_err bidx_segment_need(bidx_segment *s, int id, uint64_t off, uint64_t len);

/* Bytes the reader has checksummed so far: the whole sections on opening,
 * then every chunk the first time it is read (tests: opening must not hash
 * what a query does not read). */
uint64_t bidx_segment_hashed(const bidx_segment *s);

/* The postings bytes (t->post_len of them) of a term found in the
 * dictionary; call bidx_segment_need on them first. */
const uint8_t *bidx_segment_postings(const bidx_segment *s, const bidx_term *t);

/* Document record of id, checked against the sections it points into. */
bidx_err bidx_segment_doc(const bidx_segment *s, uint32_t id, bidx_docrec *d);

/* The same record for scoring: checked like bidx_segment_doc, but of the
 * sections it points into only the chunks of its BOUNDS bitmap are verified,
 * not its PATHS entry (a query reads the bitmap of every candidate and the
 * path of the few it shows).  bidx_segment_path needs bidx_segment_doc. */
bidx_err bidx_segment_doc_bounds(const bidx_segment *s, uint32_t id, bidx_docrec *d);

/* What ranking needs of document id before it reads the text's bitmap:
 * its length in characters and in words and its title's character range,
 * read straight from the record (DOCS is verified whole on opening) and
 * checked as bidx_segment_doc_bounds checks them (id < ndocs, title_start
 * <= title_end <= nchars); the offsets into other sections are not looked
 * at, so nothing it returns may be used to read them.  Cheap: for a
 * document a query may rule out before reading anything else of it. */
typedef struct bidx_docshape {
	uint32_t nchars;      /* normalised characters */
	uint32_t ntokens;     /* words, for BM25 */
	uint32_t title_start; /* title's character range in the normalised text */
	uint32_t title_end;
} bidx_docshape;

bidx_err bidx_segment_doc_shape(const bidx_segment *s, uint32_t id, bidx_docshape *d);

/* Field record of document id, checked against FIELDSTR. */
bidx_err bidx_segment_fields(const bidx_segment *s, uint32_t id, bidx_fieldrec *f);

/* The strings of a checked field record: f->str_len bytes of FIELDSTR
 * (read them with bidx_fstr_next). */
const uint8_t *bidx_segment_fieldstr(const bidx_segment *s, const bidx_fieldrec *f);

/* The normalisation checkpoints of document id: *n pairs of u32le
 * (character, byte) at *pairs (see docs/FORMAT.md, CKPTS); not checked
 * against the document (callers check char < nchars, byte < text_len). */
bidx_err bidx_segment_ckpts(const bidx_segment *s, uint32_t id, const uint8_t **pairs, uint32_t *n);

/* The word-boundary bitmap of a checked record (ceil((nchars+1)/8) bytes). */
const uint8_t *bidx_segment_bounds(const bidx_segment *s, const bidx_docrec *d);

/* The path of a record from bidx_segment_doc (not NUL-terminated; length
 * d->path_len). */
const char *bidx_segment_path(const bidx_segment *s, const bidx_docrec *d);

/* Decompresses a document: *buf is malloc'd (caller frees), title and text
 * point into it; text is d->text_len bytes. */
bidx_err bidx_segment_fetch(bidx_segment *s, const bidx_docrec *d, char **buf,
                            const char **title, size_t *tlen, const char **text);

/* Decompresses only the first `want` bytes of a document's text (all of it
 * when want >= d->text_len); *avail gets how many are there. */
bidx_err bidx_segment_fetch_prefix(bidx_segment *s, const bidx_docrec *d, size_t want, char **buf,
                                   const char **title, size_t *tlen, const char **text,
                                   size_t *avail);

/* The bytes of section id as they are in the mapping (tools and tests;
 * unchecked beyond the table). */
void bidx_segment_section(const bidx_segment *s, int id, const uint8_t **p, size_t *len);

/* ---- the manifest's pin ---- */

/* Records what a manifest entry pins of s: its document count, its size and
 * its table checksum (which covers every section checksum, so every byte). */
void bidx_segment_pin(const bidx_segment *s, bidx_man_seg *ms);

/* Whether s is the file ms pins.  BIDX_OK, or BIDX_ECORRUPT with the
 * difference in why (without the file's name). */
bidx_err bidx_segment_pin_check(const bidx_segment *s, const bidx_man_seg *ms, char *why,
                                size_t whylen);

/* ---- verification ---- */

enum bidx_verify_depth {
	BIDX_VERIFY_SUMS = 0,       /* every checksum (chunks too) and the zero padding */
	BIDX_VERIFY_STRUCTURE = 1,  /* and every record, bitmap, key and postings list */
	BIDX_VERIFY_DEEP = 2,       /* and the stored texts, and the postings against
	                               them (verify.h) */
};

/* Called once per problem: the section it was found in (bidx_section_name)
 * and a one-line description naming the term, document or offset. */
typedef void (*bidx_report_fn)(const char *section, const char *msg, void *arg);

/* What a verification found.  Set fn (or why) and zero the rest; counters
 * add up over several verifications. */
typedef struct bidx_findings {
	bidx_report_fn fn;          /* each problem (NULL: not passed on) */
	void *arg;
	char *why;                  /* the first problem, "SECTION: msg" (NULL: not kept) */
	size_t whylen;
	uint64_t problems;          /* problems found */
	uint32_t docs;              /* documents checked */
	uint64_t terms;             /* terms checked */
	uint64_t postings;          /* (term, doc) pairs decoded */
	uint64_t file_bytes;        /* size of the files checked */
	int content_checked;        /* the postings were compared with the texts */
} bidx_findings;

/* Counts one problem of section sec and passes it on. */
void bidx_findings_add(bidx_findings *f, int sec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Verifies an open segment to the given depth, reporting every problem
 * rather than the first.  Returns BIDX_OK when none was found,
 * BIDX_ECORRUPT when some were, BIDX_ENOMEM when it could not finish. */
bidx_err bidx_segment_verify(bidx_segment *s, int depth, bidx_findings *f);

/* Verifies the segment file at path: first as bytes, without trusting the
 * reader (header, footer, table, every checksum, padding), then, when its
 * table holds, opened as bsearch opens it (a refusal is a problem) and
 * verified to depth.  *out gets the open segment (NULL when it cannot be
 * opened; the caller closes it).  Returns as bidx_segment_verify does, or
 * BIDX_EIO when the file could be mapped once and not opened (why says
 * so). */
bidx_err bidx_segment_verify_file(const char *path, int depth, bidx_findings *f,
                                  bidx_segment **out, char *why, size_t whylen);

/* ---- tools: a segment file as bytes ---- */

/* The format version of a file whose first n bytes are h, when it starts
 * with the segment magic (format 1's single index file did too), else 0. */
uint32_t bidx_segment_magic_version(const uint8_t *h, size_t n);

/* Where section id lies in the file m[0..size): BIDX_OK, or BIDX_ECORRUPT
 * when the footer and table do not say. */
bidx_err bidx_segment_locate(const uint8_t *m, size_t size, int id, uint64_t *off, uint64_t *len);

/* Recomputes the checksums of an edited file in place: with chunks, the
 * chunk sums (as many as CHUNKS has room for), then the section sums, the
 * table's, the header's file size and its sum; without, CHUNKS stays as it
 * is (an edit of a chunked section under stale chunk sums).  Tests and
 * fuzzers use it so that an edit reaches the decoders; BIDX_ECORRUPT (and
 * nothing changed) when the footer and table do not describe the file. */
bidx_err bidx_segment_reseal(uint8_t *m, size_t size, int chunks);

#endif
