/*
 * pathshow.h - how a stored path is shown.  An index stores every file
 * under its absolute path, so that what bsearch prints opens from wherever
 * it runs; it is shown relative to the current directory when it lies
 * below it, absolute otherwise (as ripgrep does).  The build's notices show
 * paths the same way.
 */
#ifndef BIDX_PATHSHOW_H
#define BIDX_PATHSHOW_H

#include <stddef.h>

/* The shown form of path[0..len): a pointer into path (past the current
 * directory and its '/') and its length in *shown_len; path itself when
 * it is relative or outside the current directory.  The current directory
 * is read once (getcwd), on the first call. */
const char *bidx_path_shown(const char *path, size_t len, size_t *shown_len);

/* The file of a stored document path: "a.csv:12" (a record) gives the
 * length of "a.csv"; any other path its whole length. */
size_t bidx_path_file_len(const char *path, size_t len);

#endif
