/*
 * analyze.h - the per-file half of a build, which runs on worker threads:
 * read and decode a file, cut it into notices, normalise, find word
 * boundaries with MeCab, extract fields and facts.  What it produces is
 * self-contained (copies, not pointers into the file), so the build thread
 * can commit files strictly in order while workers analyse the next ones.
 */
#ifndef BIDX_ANALYZE_H
#define BIDX_ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"
#include "fields.h"
#include "manifest.h"
#include "notice.h"
#include "tokenize.h"

/* The revision of what analysis extracts from the same text (fields, dates,
 * facts).  It is part of the build settings (bidx_build_settings), so an
 * index analysed by another revision is analysed again in full rather than
 * mixing old and new fields.  2: fiscal years, ten-day spans, R6/2024.11.
 * 3: kinds, facts only from incidents, counts with what they count, the
 * timeline, issue dates, first-sentence titles, contact-block orgs,
 * incident ids.  4: news about an incident only when it reports one, the
 * org of a notice signed 当協会 from its text, the reports an incident
 * notice cites. */
#define BIDX_ANALYSIS_REVISION 4u

typedef struct bidx_adoc {
	char *path;              /* as printed: FILE or FILE:LINE; owned */
	char *text;              /* the stored text; owned */
	size_t len;
	size_t tb, te;           /* the title's bytes within text */
	char *title;             /* the stored title when not text[tb..te) (Markdown
	                            stripped), or NULL; owned */
	size_t tlen;
	uint32_t *cp;            /* normalised code points; owned */
	uint32_t nchars;
	uint8_t *bits;           /* word boundaries, (nchars + 8) / 8 bytes; owned */
	uint32_t ntokens;
	uint32_t title_start, title_end;   /* the title's normalised characters */
	uint32_t *ckpt;          /* checkpoint pairs (char, byte), see FORMAT.md; owned */
	uint32_t nckpt;          /* pairs */
	bidx_fieldrec frec;      /* str_off is set when committed */
	bidx_buf fstr;           /* the FIELDSTR record */
} bidx_adoc;

/* The column names CSV and JSON Lines records had, as a build meets them
 * (with a --map only): which of the map's columns were among them, exactly,
 * and the first BIDX_COLUMNS_SHOWN distinct names in order of appearance,
 * for messages. */
#define BIDX_COLUMNS_SHOWN 24

typedef struct bidx_columns {
	uint32_t mapped;         /* bit i: a record had the map's column i */
	bidx_buf names;          /* the first names, each NUL-terminated, distinct */
	int n;                   /* names in it */
	int more;                /* other names came past these */
} bidx_columns;

/* Adds what src had to dst (a build does it in corpus order); dst->names.err
 * on failure. */
void bidx_columns_merge(bidx_columns *dst, const bidx_columns *src);

void bidx_columns_free(bidx_columns *c);   /* NULL ok; zeroes it */

typedef struct bidx_fileout {
	bidx_adoc *docs;
	size_t n, cap;
	bidx_buf msgs;           /* "bidx: PATH: reason\n" lines, printed at commit */
	uint64_t skipped;        /* files or records left out */
	uint64_t bytes;          /* bytes of text indexed */
	bidx_err rc;             /* a failure that stops the build (ENOMEM, EMECAB) */
	int unchanged;           /* same content as the previous build saw: not analysed */
	int rows;                /* a CSV or JSON Lines file by its name, read or not */
	bidx_columns cols;       /* the columns its records had (with a --map) */
	uint64_t size;           /* the file as read: size, mtime, XXH3 of its bytes */
	int64_t mtime_ns;
	uint64_t hash;
} bidx_fileout;

typedef struct bidx_analyzer {
	bidx_tokenizer *tok;     /* one per thread */
	const bidx_colmap *map;  /* COL=FIELD overrides, or NULL */
	int verbose;             /* a line per file indexed */
} bidx_analyzer;

/* Analyses one file into out (zeroed by the caller).  With prev (what the
 * previous build recorded of the file), a file whose size and mtime, or else
 * whose bytes, are the same is not analysed: out->unchanged is set.
 * Problems with the file are messages and skips in out; out->rc and the
 * return value are set only for failures that must stop the build. */
bidx_err bidx_analyze_file(bidx_analyzer *a, const char *path, const bidx_source *prev,
                           bidx_fileout *out);

void bidx_fileout_free(bidx_fileout *out);   /* NULL ok; zeroes it */

#endif
