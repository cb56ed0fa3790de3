/*
 * bidx.h - libbidx, the search of bidx for programs that embed it.
 *
 * Open an index that `bidx build` wrote, run queries in the bsearch query
 * language against it, and read a page of hits (path, title, fields, a
 * snippet with its matches marked) and facet counts, exactly as
 * `bsearch --json` reports them.  The library only reads: it maps the
 * index read-only and never changes a file.
 *
 *	#include <bidx.h>
 *
 *	bidx_db *db;
 *	bidx_hits *hits;
 *	bidx_error err;
 *	if (bidx_db_open("index", &db, &err) != BIDX_SUCCESS)
 *		return fprintf(stderr, "%s\n", err.message), 1;
 *	if (bidx_search(db, "個人情報 漏えい", NULL, &hits, &err) == BIDX_SUCCESS) {
 *		for (size_t i = 0; i < bidx_hits_count(hits); i++)
 *			printf("%s\n", bidx_hits_get(hits, i)->path);
 *		bidx_hits_free(hits);
 *	}
 *	bidx_db_close(db);
 *
 * Build with `cc prog.c $(pkg-config --cflags --libs bidx)`.
 *
 * Conventions (as in LMDB and zstd):
 * - Every fallible function returns a bidx_status (BIDX_SUCCESS == 0) and
 *   hands its result back through an out-parameter that it sets to NULL
 *   first, so a failed call never leaves a stale pointer.
 * - Every fallible function takes a `bidx_error *err` that may be NULL; when
 *   not NULL it is always filled: code (the return value), a one-line
 *   English message, and for BIDX_ERR_QUERY the byte offset of the fault.
 * - Free functions (bidx_db_close, bidx_hits_free) accept NULL.
 * - The library never exits, aborts or prints: all it has to say comes
 *   back in bidx_error.
 * - Strings are UTF-8 as the documents hold them, NUL-terminated, with their
 *   length beside them (a document may hold a NUL byte).
 *
 * Threads: a bidx_db is read-only once open; any number of threads may call
 * bidx_search on one db at once.  A bidx_hits belongs to the thread that
 * uses it (reading one from several threads at once is fine).
 *
 * The ABI is versioned by the soname (libbidx.so.N): a release that changes
 * a struct below or a function's meaning changes N.
 */
#ifndef BIDX_PUBLIC_H
#define BIDX_PUBLIC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BIDX_API __attribute__((visibility("default")))
#else
#define BIDX_API
#endif

/* Stable values (the same numbers as the bidx programs' own errors): they
 * may appear in logs; never renumbered. */
typedef enum bidx_status {
	BIDX_SUCCESS = 0,
	BIDX_ERR_NOMEM = 1,     /* an allocation failed */
	BIDX_ERR_IO = 2,        /* a read failed (errno in the message), or the
	                           synonym table given in the options cannot be read */
	BIDX_ERR_CORRUPT = 3,   /* index data fails a checksum or an invariant:
	                           rebuild it with `bidx build --full` */
	BIDX_ERR_VERSION = 4,   /* index written by an incompatible format version */
	BIDX_ERR_NOINDEX = 5,   /* no index in the directory given */
	BIDX_ERR_QUERY = 6,     /* the query is malformed; bidx_error.pos says where */
	BIDX_ERR_INPUT = 7,     /* reserved (unusable input document; the indexer's) */
	BIDX_ERR_MECAB = 8,     /* reserved (MeCab failed; the indexer's) */
	BIDX_ERR_TOOBIG = 9,    /* a limit of the format was exceeded */
	BIDX_ERR_INVAL = 10,    /* an argument is invalid (a NULL that may not be,
	                           an unknown sort order, too many facets) */
} bidx_status;

/* A short English description of code, e.g. "no index found".  Never NULL;
 * static storage (never freed, valid for the life of the program); an
 * unknown code gives "unknown error". */
BIDX_API const char *bidx_status_str(bidx_status code);

/* The library's version, "MAJOR.MINOR.PATCH" (the bidx release); static. */
BIDX_API const char *bidx_lib_version(void);

#define BIDX_ERROR_MESSAGE_MAX 512

/* What went wrong, filled by a failing call (and reset by a succeeding one)
 * when the caller passes one.  Caller-owned, typically on the stack. */
typedef struct bidx_error {
	bidx_status code;                       /* the return value */
	size_t pos;                             /* BIDX_ERR_QUERY: the byte offset
	                                           in the query of the fault;
	                                           otherwise 0 */
	char message[BIDX_ERROR_MESSAGE_MAX];   /* one line, NUL-terminated, "" on
	                                           success; names the index
	                                           directory or segment file at fault */
} bidx_error;

/* ---- the index ---- */

typedef struct bidx_db bidx_db;   /* an open index (opaque) */

/* Opens the index in directory dir (what `bidx build -i DIR` wrote) read-only
 * and sets *db.  The db sees the index as it was when opened: a later
 * `bidx build` publishes a new manifest that this db does not see (open
 * again to see it); the files it mapped stay valid for it meanwhile.
 * Errors: BIDX_ERR_INVAL (dir or db NULL), BIDX_ERR_NOINDEX, BIDX_ERR_IO,
 * BIDX_ERR_CORRUPT, BIDX_ERR_VERSION, BIDX_ERR_NOMEM. */
BIDX_API bidx_status bidx_db_open(const char *dir, bidx_db **db, bidx_error *err);

/* Closes db and unmaps the index.  NULL ok.  Hits already returned stay
 * valid (they hold copies, see bidx_hits). */
BIDX_API void bidx_db_close(bidx_db *db);

/* The number of documents in the index (0 for NULL). */
BIDX_API uint32_t bidx_db_ndocs(const bidx_db *db);

/* ---- searching ---- */

typedef enum bidx_order {
	BIDX_ORDER_RELEVANCE = 0,   /* best first (BM25), ties by doc id */
	BIDX_ORDER_DATE = 1,        /* oldest first; undated documents last */
	BIDX_ORDER_DATE_DESC = 2,   /* newest first; undated documents last */
	BIDX_ORDER_AFFECTED = 3,    /* most people or records affected first */
} bidx_order;

#define BIDX_SEARCH_MAX_FACETS 8

typedef struct bidx_search_opts {
	uint32_t limit;             /* hits on the page (default 10; 0: only the
	                               total and the facets) */
	uint32_t offset;            /* hits skipped before the page (default 0) */
	bidx_order order;           /* default BIDX_ORDER_RELEVANCE */
	int exact;                  /* nonzero: no synonyms, each word matches only
	                               itself (bsearch --exact); default 0 */
	const char *synonyms;       /* the synonym table's path; "" for none; NULL
	                               (default) looks where bsearch does:
	                               $BIDX_SYNONYMS, dict/synonyms.txt beside
	                               the program, then share/bidx/synonyms.txt
	                               of the prefix libbidx is installed in */
	const char *const *facets;  /* field names to count over all hits (org,
	                               category, year, leaked, method, authority
	                               or any field), nfacets of them; the
	                               strings are read during the call only */
	size_t nfacets;             /* at most BIDX_SEARCH_MAX_FACETS */
} bidx_search_opts;

/* Fills *opts with the defaults above. */
BIDX_API void bidx_search_opts_init(bidx_search_opts *opts);

typedef struct bidx_hits bidx_hits;   /* one page of results (opaque) */

/* Parses query (the bsearch query language: words, "phrases", OR, -NOT,
 * (groups), field:value), expands synonyms unless opts->exact, runs it,
 * orders the hits and sets *hits to the page [offset, offset+limit) with
 * the facet counts.  opts NULL means the defaults.  The hits are copies:
 * they stay valid until bidx_hits_free, also after bidx_db_close.
 * Errors: BIDX_ERR_INVAL (db, query or hits NULL; an unknown order; more
 * than BIDX_SEARCH_MAX_FACETS facets or an empty facet name), BIDX_ERR_QUERY (a
 * syntax error, a word with nothing searchable in it, a malformed date or
 * count range: err->pos is the byte offset), BIDX_ERR_IO (opts->synonyms
 * cannot be read; a table found by the default lookup that cannot be read
 * is skipped), BIDX_ERR_CORRUPT, BIDX_ERR_NOMEM. */
BIDX_API bidx_status bidx_search(bidx_db *db, const char *query, const bidx_search_opts *opts,
                                 bidx_hits **hits, bidx_error *err);

/* Frees hits and everything it points to.  NULL ok. */
BIDX_API void bidx_hits_free(bidx_hits *hits);

/* The number of matching documents, the page or not (bsearch -c); 0 for NULL. */
BIDX_API uint32_t bidx_hits_total(const bidx_hits *hits);

/* The number of hits on the page: min(limit, total - offset), or 0. */
BIDX_API size_t bidx_hits_count(const bidx_hits *hits);

/* A byte range [start, end) of a string. */
typedef struct bidx_range {
	uint32_t start, end;
} bidx_range;

/* One field of a document, as the indexer found it. */
typedef struct bidx_field {
	const char *name;     /* e.g. "org", "date", or a CSV column's name */
	size_t name_len;
	const char *value;    /* e.g. "株式会社テスト", "2024-05-01" */
	size_t value_len;
	const char *source;   /* where the indexer found it, e.g. "line 8",
	                         "CSV column 自治体名", "text"; "" when not known */
	size_t source_len;
} bidx_field;

/* One hit.  Every pointer in it is owned by the bidx_hits it came from and
 * lives until bidx_hits_free. */
typedef struct bidx_doc {
	uint32_t rank;                /* 1-based, over all hits (offset + 1 first) */
	uint32_t doc;                 /* document id in this index (as --json "doc");
	                                 ids change when the index is rebuilt */
	double score;                 /* relevance (BM25 sum; with a non-relevance
	                                 order still the relevance) */
	const char *path;             /* the file as the index stores it, with
	                                 ":LINE" for a record of a table */
	size_t path_len;
	const char *title;            /* "" when the document has none */
	size_t title_len;
	const char *snippet;          /* one line of the original text around the
	                                 best match ("" when none) */
	size_t snippet_len;
	const bidx_range *marks;      /* the matches inside snippet, in order */
	size_t nmarks;
	const bidx_range *matches;    /* the matches in the document's original
	                                 text (bytes), in order, in the window
	                                 the snippet examined */
	size_t nmatches;
	const bidx_field *fields;     /* in the order the indexer stored them, all
	                                 of them: also the per-count records
	                                 "affected_count" ("18746 名 exact|what")
	                                 and the timeline's "event" records, which
	                                 --json shows structured instead */
	size_t nfields;
	uint64_t affected;            /* people or records affected, 0 when not known */
} bidx_doc;

/* Hit i of the page (0 <= i < bidx_hits_count), NULL past the end or for
 * NULL hits.  The pointer lives until bidx_hits_free. */
BIDX_API const bidx_doc *bidx_hits_get(const bidx_hits *hits, size_t i);

typedef struct bidx_facet_value {
	const char *value;    /* a field value (for "year": "2024") */
	size_t value_len;
	uint32_t count;       /* matching documents that have it */
} bidx_facet_value;

/* The counts of one field over all matching documents (not only the page),
 * largest first, ties by value (byte order). */
typedef struct bidx_facet {
	const char *field;                /* as named in opts->facets */
	const bidx_facet_value *values;   /* nvalues of them; none when no hit has it */
	size_t nvalues;
} bidx_facet;

/* The number of facets (opts->nfacets of the search); 0 for NULL. */
BIDX_API size_t bidx_hits_nfacets(const bidx_hits *hits);

/* Facet i, in the order of opts->facets; NULL past the end.  The pointer
 * lives until bidx_hits_free. */
BIDX_API const bidx_facet *bidx_hits_facet(const bidx_hits *hits, size_t i);

#ifdef __cplusplus
}
#endif

#endif
