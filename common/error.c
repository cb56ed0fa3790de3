/*
 * error.c - the messages of the error values (error.h), and bidx_corrupt(),
 * the one function every "this data is corrupt" path returns through, so a
 * single breakpoint catches each of them.
 */
#include "error.h"

#include <stddef.h>

const char *bidx_strerror(bidx_err e)
{
	switch (e) {
	case BIDX_OK: return "success";
	case BIDX_ENOMEM: return "out of memory";
	case BIDX_EIO: return "input/output error";
	case BIDX_ECORRUPT: return "index is corrupt";
	case BIDX_EVERSION: return "index format version not supported";
	case BIDX_ENOINDEX: return "no index found";
	case BIDX_EQUERY: return "query syntax error";
	case BIDX_EINPUT: return "unusable input";
	case BIDX_EMECAB: return "MeCab failed";
	case BIDX_ETOOBIG: return "a format limit was exceeded";
	case BIDX_EUSAGE: return "bad usage";
	case BIDX_ERETRY: return "a segment vanished while the index was opened; try again";
	}
	return "unknown error";
}

/* The latest detection of this thread: two stores on a path that is rare. */
static _Thread_local const char *corrupt_file;
static _Thread_local int corrupt_line;

bidx_err bidx_corrupt_at(const char *file, int line)
{
	corrupt_file = file;
	corrupt_line = line;
	return BIDX_ECORRUPT;
}

const char *bidx_corrupt_where(int *line)
{
	if (line)
		*line = corrupt_file ? corrupt_line : 0;
	return corrupt_file;
}
