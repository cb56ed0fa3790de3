/*
 * roots.h - the corpus roots of a build: the directories and files the
 * index covers (docs/FORMAT.md, roots), as the paths given to `bidx build`,
 * `bidx build --replace` and `bidx remove` make them of the roots the
 * previous manifest kept, and what leaves the index with the roots that go.
 */
#ifndef BIDX_ROOTS_H
#define BIDX_ROOTS_H

#include "catalogue.h"
#include "error.h"

/* The corpus roots of this build into c->roots: the previous manifest's,
 * with the paths given added (ADD), exactly the paths given (REPLACE), or
 * without them (REMOVE); also the roots that go, into c->gone_roots.  No
 * corpus at all, or a path to remove that is no root, is BIDX_EINPUT with
 * why[] saying so. */
bidx_err bidx_roots_plan(bidx_catalogue *c, const char *const *paths, int npaths, char *why,
                         size_t whylen);

/* Whether the new roots differ from those the previous manifest kept. */
int bidx_roots_changed(const bidx_catalogue *c);

/* Counts and says what the previous index had that this one has not: the
 * files of roots that were dropped (one line a root), and files no longer
 * found under the roots (one line each). */
void bidx_roots_report_removed(bidx_catalogue *c);

#endif
