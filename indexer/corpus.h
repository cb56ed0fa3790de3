/*
 * corpus.h - from command-line arguments to the list of files to index.
 */
#ifndef BIDX_CORPUS_H
#define BIDX_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct bidx_filelist {
	char **paths;      /* owned; absolute: the argument made absolute + the path below */
	size_t n, cap;
} bidx_filelist;

/* Called for each file or directory that is left out, with the reason. */
typedef void (*bidx_skip_fn)(const char *path, const char *reason, void *arg);

/* Appends to fl the indexable files under the arguments (files or
 * directories, each walked recursively in byte order of names, hidden
 * entries left out, directory loops cut), each file once (by device and
 * inode) under the first spelling met.  Symbolic links below an argument
 * are followed when they resolve inside one of the arguments, or with
 * follow.  Files of kinds not indexed, links left alone and unreadable
 * entries are reported through skip.  Returns BIDX_EIO when an argument
 * itself cannot be read (reported too; the others are walked), BIDX_ENOMEM. */
bidx_err bidx_corpus_walk(const char *const *args, int nargs, int follow, bidx_filelist *fl,
                          bidx_skip_fn skip, void *skip_arg);

typedef struct bidx_walk_opts {
	int follow;                  /* follow every symbolic link */
	const char *index_dir;       /* the build's index directory, never walked; or NULL */
	const char *const *exclude;  /* --exclude globs (ignore.h), matched below each argument */
	size_t nexclude;
} bidx_walk_opts;

/* bidx_corpus_walk with options; every path listed is absolute.
 * Directories that hold an index (a bidx manifest, seg-NNNNNN.bidx files,
 * or o->index_dir itself) are left out silently. */
bidx_err bidx_corpus_walk_with(const char *const *args, int nargs, const bidx_walk_opts *o,
                               bidx_filelist *fl, bidx_skip_fn skip, void *skip_arg);

/* The absolute spelling of a corpus argument, as the walk lists its files
 * and the manifest keeps it among the corpus roots: the real path (symbolic
 * links resolved) of a file or directory; a symbolic link itself keeps its
 * name, in its folder's real path.  Malloc'd; NULL when out of memory. */
char *bidx_corpus_abspath(const char *arg);
void bidx_filelist_free(bidx_filelist *fl);

/* 1 for names the indexer reads: plain-text notices (.txt, .md) and
 * structured ones (.csv, .jsonl, .ndjson) and documents (.html, .htm,
 * .xhtml, .pdf, .docx). */
int bidx_corpus_is_text(const char *name);

/* The spelling of a path argument the walk uses (and the manifest keys files
 * by): "//" and "/." components and a trailing "/" dropped, "." for an
 * empty result; ".." kept.  Malloc'd; NULL when out of memory. */
char *bidx_corpus_spelling(const char *arg);

#endif
