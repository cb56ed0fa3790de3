/*
 * ostream.h - the end of a program's standard output: write errors and
 * closed pipes.
 *
 * stdio buffers what a program prints, so a full disk (`> /dev/full`) is
 * often seen only when the buffer is flushed at exit, after the exit status
 * was chosen.  Both programs therefore ignore SIGPIPE, stop writing as soon
 * as a write fails, and finish through bidx_ostream_close(): a write error
 * is reported and is exit status 2; a reader that went away (`bsearch ... |
 * head -1`) is no error and nothing is said, as with ripgrep.
 */
#ifndef BIDX_OSTREAM_H
#define BIDX_OSTREAM_H

#include <stdio.h>

/* Ignores SIGPIPE, so that a closed pipe is a write error (EPIPE) the
 * program handles rather than a silent death.  Call first in main(). */
void bidx_ostream_init(void);

/* 0 while f (stdout, or the stream results go to) has had no write error;
 * else the errno of its first failure (EPIPE when f is a pipe whose reader
 * is gone).  Call it right after writing, so that the errno of the failed
 * write is the one kept (one per process: the programs have one output). */
int bidx_ostream_error(FILE *f);

/* fputs(s, stdout), keeping the errno of a write that fails on the way
 * (a long text such as --help is flushed in the middle). */
void bidx_ostream_puts(const char *s);

/* Flushes and closes stdout.  Returns status when that worked or the reader
 * had gone away; otherwise prints "PROG: cannot write WHAT: REASON" (and
 * `then`, when not NULL) on stderr and returns 2. */
int bidx_ostream_close(const char *prog, const char *what, const char *then, int status);

#endif
