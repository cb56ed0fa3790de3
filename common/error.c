/*
 * error.c - the messages of the error values (error.h), and bidx_corrupt(),
 * the one function every "this data is corrupt" path returns through, so a
 * single breakpoint catches each of them.
 */
#include "error.h"

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
	}
	return "unknown error";
}

bidx_err bidx_corrupt(void)
{
	return BIDX_ECORRUPT;
}
