/*
 * error.h - the one error type of bidx.
 *
 * Every fallible function returns a bidx_err (BIDX_OK == 0) and hands results
 * back through out-parameters that it sets to NULL/0 first.  Library code never
 * exits or aborts on bad input.  All "this data is corrupt" paths go through
 * bidx_corrupt() so that one breakpoint catches every case.
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
} bidx_err;

/* A short English description; never NULL, static storage. */
const char *bidx_strerror(bidx_err e);

/* Every detection of corrupt data calls this (set a breakpoint here).
 * Returns BIDX_ECORRUPT so callers can write `return bidx_corrupt();`. */
bidx_err bidx_corrupt(void);

#endif
