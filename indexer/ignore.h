/*
 * ignore.h - .bidxignore files and --exclude globs: gitignore syntax.
 *
 * A rule set is a stack of rules, each from one line of a .bidxignore file
 * (or one --exclude glob) and anchored at that file's folder (or at the
 * corpus root).  The walk pushes a folder's rules on entering it and pops
 * them on leaving, so a .bidxignore applies to its folder and below, after
 * its parents' rules.  The last rule that matches a path decides: ignored,
 * or, for a `!` rule, not.
 *
 * Line syntax (as gitignore): blank lines and lines starting with `#` are
 * nothing; trailing spaces are dropped unless escaped; `!` negates; `\`
 * escapes the next character (`\#`, `\!`, `\ `, `\*`); a trailing `/`
 * matches directories only; a pattern with a `/` at the start or in the
 * middle is matched against the path relative to the rule's folder (a
 * leading `/` only anchors), one without is matched against the name at
 * any depth.  `*` matches any run of characters but `/`, `?` one character
 * (UTF-8) but `/`, `[...]` one character of a set (`[!...]` or `[^...]`
 * outside it, `a-z` ranges); `**` as a whole component matches zero or
 * more folders, and at the end (a/ then **) everything inside.
 */
#ifndef BIDX_IGNORE_H
#define BIDX_IGNORE_H

#include <stddef.h>
#include "error.h"

#define BIDX_IGNORE_FILE ".bidxignore"

typedef struct bidx_ignore bidx_ignore;

/* A new empty rule set; NULL when out of memory.  Free with bidx_ignore_free
 * (NULL is fine). */
bidx_ignore *bidx_ignore_new(void);
void bidx_ignore_free(bidx_ignore *ig);

/* Adds the rule of one line (len bytes, no newline needed) anchored at the
 * folder base (absolute, no trailing '/'), from source (a file name or
 * "--exclude"; copied).  Blank and comment lines add nothing. */
bidx_err bidx_ignore_add(bidx_ignore *ig, const char *base, const char *line, size_t len,
                         const char *source);

/* Adds the rules of dir/.bidxignore, if there is one (none: BIDX_OK).
 * BIDX_EIO when it exists but cannot be read (errno set), BIDX_ENOMEM. */
bidx_err bidx_ignore_load(bidx_ignore *ig, const char *dir);

/* The number of rules, to pop back to with bidx_ignore_pop. */
size_t bidx_ignore_mark(const bidx_ignore *ig);
void bidx_ignore_pop(bidx_ignore *ig, size_t mark);

/* 1 when the absolute path (a directory when isdir) is ignored; then
 * *pattern and *source (when not NULL) say which line of which file, and
 * live until that rule is popped.  0 when no rule, or a `!` rule, decides. */
int bidx_ignore_match(const bidx_ignore *ig, const char *path, int isdir,
                      const char **pattern, const char **source);

/* Whether string s matches the glob pat (the syntax above, `*` and `?`
 * never matching '/'). */
int bidx_ignore_glob(const char *pat, const char *s);

#endif
