/*
 * merge.h - the merges of a build: which segments to merge (a size-tiered
 * policy, or everything for `--optimize`) and the merge itself, which
 * merges their postings and copies the records of their live documents
 * into one new segment.
 */
#ifndef BIDX_MERGE_H
#define BIDX_MERGE_H

#include <stddef.h>
#include "catalogue.h"
#include "error.h"

/* Merges the segments of c as the policy says, until it asks for no more
 * merges; c->segs[].live must be counted (bidx_catalogue_count_live), and
 * is again afterwards.  Counts the segments merged away in c->st->merged. */
bidx_err bidx_merge_segments(bidx_catalogue *c, char *why, size_t whylen);

#endif
