/*
 * merge.c - size-tiered merging of the segments of a build (merge.h).
 *
 * The policy: a segment's tier is the power of ten of its live documents
 * (1-9: tier 0, 10-99: tier 1, ...); when MERGE_FACTOR segments share a
 * tier they merge into one, the smallest tier first, so small segments from
 * small updates do not pile up; else a segment more than half deleted is
 * rewritten alone.  `--optimize` merges everything into one segment with
 * no deletions.  A merge rebuilds the live documents of the chosen
 * segments, in corpus order, into a new segment (assembly.h) and moves
 * their sources to it; the old segments then hold nothing live and leave
 * with the next manifest.  Merges repeat until the policy asks for none.
 */
#include "merge.h"
#include "assembly.h"
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MERGE_FACTOR 10      /* segments of one size tier that trigger a merge */

/* Merges the segments flagged in pick into one new segment: their live
 * documents, in corpus order. */
static bidx_err merge(bidx_catalogue *c, const uint8_t *pick, char *why, size_t whylen)
{
	bidx_assembly *mb;
	bidx_err rc = bidx_assembly_new(&mb);
	uint32_t to = (uint32_t)c->nsegs;
	for (size_t i = 0; i < c->nsrc && !rc; i++) {
		bidx_source *s = &c->src[i];
		if (!pick[s->seg])
			continue;
		uint32_t first = bidx_assembly_ndocs(mb);
		for (uint32_t k = 0; k < s->ndocs && !rc; k++)
			rc = bidx_assembly_add_stored(mb, c->segs[s->seg].s, s->first + k);
		if (rc == BIDX_ECORRUPT)
			snprintf(why, whylen, "segment %u is damaged (document %u); rebuild with "
			         "`bidx build --full`", c->segs[s->seg].seq, s->first);
		s->seg = to;
		s->first = first;
	}
	if (!rc)
		rc = bidx_catalogue_add_segment(c, mb, why, whylen);
	bidx_assembly_free(mb);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < to; i++)
		if (pick[i]) {
			c->segs[i].live = 0;
			c->st->merged++;
		}
	return BIDX_OK;
}

static unsigned tier_of(uint32_t live)
{
	unsigned t = 0;
	while (live >= 10)
		live /= 10, t++;
	return t;
}

/* Chooses segments to merge into pick[]; 0 when none.  optimize: all of
 * them, unless one already holds every document with none deleted.  Else
 * the smallest size tier (powers of ten of live documents) that has
 * MERGE_FACTOR segments, or a segment more than half deleted. */
static int choose_merge(const bidx_catalogue *c, uint8_t *pick)
{
	unsigned count[12] = {0};
	size_t nlive = 0;
	memset(pick, 0, c->nsegs);
	for (size_t i = 0; i < c->nsegs; i++)
		if (c->segs[i].live) {
			nlive++;
			count[tier_of(c->segs[i].live)]++;
		}
	if (c->o->optimize) {
		if (nlive == 0)
			return 0;
		int n = 0;
		for (size_t i = 0; i < c->nsegs; i++)
			if (c->segs[i].live) {
				pick[i] = 1;
				n++;
				if (nlive == 1 && c->segs[i].live == bidx_segment_ndocs(c->segs[i].s))
					return 0;
			}
		return n;
	}
	for (unsigned t = 0; t < 12; t++) {
		if (count[t] < MERGE_FACTOR)
			continue;
		for (size_t i = 0; i < c->nsegs; i++)
			pick[i] = c->segs[i].live && tier_of(c->segs[i].live) == t;
		return 1;
	}
	for (size_t i = 0; i < c->nsegs; i++)
		if (c->segs[i].live && (uint64_t)c->segs[i].live * 2 < bidx_segment_ndocs(c->segs[i].s)) {
			pick[i] = 1;
			return 1;
		}
	return 0;
}

bidx_err bidx_merge_segments(bidx_catalogue *c, char *why, size_t whylen)
{
	uint8_t *pick = bidx_malloc(c->nsegs + 64);
	bidx_err rc = pick ? BIDX_OK : BIDX_ENOMEM;
	while (!rc && choose_merge(c, pick)) {
		rc = merge(c, pick, why, whylen);
		uint8_t *np = rc ? NULL : bidx_realloc(pick, c->nsegs + 64);
		if (!rc && !np)
			rc = BIDX_ENOMEM;
		if (np)
			pick = np;
		if (!rc)
			bidx_catalogue_count_live(c);
	}
	free(pick);
	return rc;
}
