/*
 * indexdir.h - the index directory as a build uses it: the lock that keeps
 * one build at a time, the publishing of a new manifest, and the removal of
 * the files it no longer lists.  What the files hold is manifest.h's and
 * format.h's; this is only which of them exist.
 */
#ifndef BIDX_INDEXDIR_H
#define BIDX_INDEXDIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"
#include "manifest.h"

/* Creates DIR if need be and takes DIR/lock (*fd, -1 on failure); another
 * build holding it is BIDX_EIO with why[] saying so.  Under the lock, the
 * tmp files of builds no longer running are removed. */
bidx_err bidx_indexdir_lock(const char *dir, int *fd, char *why, size_t whylen);
void bidx_indexdir_unlock(int fd);   /* -1 ok */

/* DIR/seg-NNNNNN.bidx for segment number seq; malloc'd, NULL when out of
 * memory. */
char *bidx_indexdir_segment_path(const char *dir, uint32_t seq);

/* Writes m as the manifest of DIR, but first opens the index it describes
 * the way bsearch will, and decodes its sources the way the next build
 * will: nothing that fails to open is published, and why[] says why.  A
 * manifest in place whose directory fsync failed is said on msg, and OK. */
bidx_err bidx_indexdir_publish(const char *dir, FILE *msg, const bidx_manifest *m, char *why,
                               size_t whylen);

/* After a publish: the segment files m no longer lists (exactly the names
 * a build writes), and a format-1 index, go.  Nothing else in the
 * directory is ours to remove. */
void bidx_indexdir_remove_unlisted(const char *dir, const bidx_manifest *m);

#endif
