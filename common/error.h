/*
 * error.h - the one error type of bidx, and how it travels.
 *
 * The protocol:
 * - Every fallible function returns a bidx_err (BIDX_OK == 0) and hands its
 *   results back through out-parameters that it sets to NULL/0 first.  No
 *   function returns an int -1/0/1 beside it: an iterator or a lookup that may
 *   have nothing to give returns a bidx_err and says "I have an item" through a
 *   separate out-flag (`int *have`, set to 0 first), so "absent" and "corrupt"
 *   never share a return value.
 * - Library code never exits or aborts on bad input.
 * - Every "this data is corrupt" goes through bidx_corrupt(), so one
 *   breakpoint (on bidx_corrupt_at) catches every case, and the place that
 *   detected it is recorded: bidx_corrupt_where() names the file and line
 *   of the latest detection in this thread.
 * - BIDX_TRY(expr) forwards a failure: it evaluates a bidx_err expression and
 *   returns it from the enclosing function when it is not BIDX_OK.
 *   BIDX_CORRUPT_IF(cond) returns bidx_corrupt() when cond holds.  They are
 *   for functions with nothing to clean up on the way out (or whose cleanup is
 *   the caller's); a function that owns resources uses `goto fail`.
 *   (The model is zstd's RETURN_ERROR_IF / FORWARD_IF_ERROR.)
 * - BIDX_ERETRY is internal: "a segment the manifest listed vanished under a
 *   reader (a newer build removed it): read the manifest again".  Only the
 *   loop that opens an index sees it; when its retries run out it turns it
 *   into a corruption error with a message, so a user never sees ERETRY.
 */
#ifndef BIDX_ERROR_H
#define BIDX_ERROR_H

/* Stable values: they may appear in scripts' logs, never renumber. */
typedef enum bidx_err {
	BIDX_OK = 0,
	BIDX_ENOMEM = 1,      /* allocation failed */
	BIDX_EIO = 2,         /* read/write/fsync/rename failed (see errno) */
	BIDX_ECORRUPT = 3,    /* index data fails a checksum or an invariant */
	BIDX_EVERSION = 4,    /* index written by an incompatible format version */
	BIDX_ENOINDEX = 5,    /* no index at the given directory */
	BIDX_EQUERY = 6,      /* query syntax error */
	BIDX_EINPUT = 7,      /* input document is unusable (encoding, binary...) */
	BIDX_EMECAB = 8,      /* MeCab could not be loaded or failed */
	BIDX_ETOOBIG = 9,     /* a limit of the format was exceeded */
	BIDX_EUSAGE = 10,     /* bad command-line usage */
	BIDX_ERETRY = 11,     /* internal: a segment vanished, read the manifest again */
} bidx_err;

/* A short English description; never NULL, static storage. */
const char *bidx_strerror(bidx_err e);

/* Every detection of corrupt data calls this (set a breakpoint here),
 * through the bidx_corrupt() macro, which passes the place.  Records
 * file:line for bidx_corrupt_where() and returns BIDX_ECORRUPT, so callers
 * can write `return bidx_corrupt();`. */
#if defined(__GNUC__)
__attribute__((cold))   /* keeps detections out of the decoders' hot paths */
#endif
bidx_err bidx_corrupt_at(const char *file, int line);
#define bidx_corrupt() bidx_corrupt_at(__FILE__, __LINE__)

/* The source file (static storage) and line of the latest corruption
 * detected by this thread; NULL and *line 0 when there was none.  line may
 * be NULL. */
const char *bidx_corrupt_where(int *line);

/* Returns a non-zero bidx_err of expr from the enclosing function. */
#define BIDX_TRY(expr)                                    \
	do {                                              \
		bidx_err bidx_try_rc_ = (expr);           \
		if (__builtin_expect(bidx_try_rc_ != BIDX_OK, 0)) \
			return bidx_try_rc_;              \
	} while (0)

/* Returns bidx_corrupt() from the enclosing function when cond holds. */
#define BIDX_CORRUPT_IF(cond)                             \
	do {                                              \
		if (__builtin_expect(!!(cond), 0))        \
			return bidx_corrupt();            \
	} while (0)

#endif
