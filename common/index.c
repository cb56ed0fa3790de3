/*
 * index.c - a whole index opened for searching (index.h): the manifest,
 * every segment it lists mapped read-only and held against its manifest
 * entry (the pin check), and the map from collection ids to (segment,
 * local id).  A build may publish a new manifest and remove old segments
 * while a reader opens the index; a segment missing under the manifest just
 * read means exactly that, so opening starts over with the newer manifest,
 * a bounded number of times, before the index is called corrupt.
 */
#include "index.h"
#include "fault.h"
#include "format.h"
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPEN_RETRIES 8   /* manifests published under us before giving up */

struct bidx_derived {
	void *value;
	void (*drop)(void *);
};

static void derived_free(bidx_derived *d)
{
	if (d) {
		d->drop(d->value);
		free(d);
	}
}

bidx_err bidx_index_derived(bidx_index *ix, int slot, bidx_err (*make)(bidx_index *, void **),
                            void (*drop)(void *), void **out)
{
	*out = NULL;
	bidx_derived *d = atomic_load_explicit(&ix->derived[slot], memory_order_acquire);
	if (d) {
		*out = d->value;
		return BIDX_OK;
	}
	bidx_derived *mine = bidx_calloc(1, sizeof *mine);
	if (!mine)
		return BIDX_ENOMEM;
	mine->drop = drop;
	bidx_err rc = make(ix, &mine->value);
	if (rc) {
		free(mine);
		return rc;
	}
	if (!atomic_compare_exchange_strong_explicit(&ix->derived[slot], &d, mine,
	                                             memory_order_acq_rel, memory_order_acquire)) {
		derived_free(mine);   /* another thread made it first: keep theirs */
		mine = d;
	}
	*out = mine->value;
	return BIDX_OK;
}

void bidx_index_close(bidx_index *ix)
{
	if (!ix)
		return;
	for (int i = 0; i < BIDX_DERIVED_MAX; i++)
		derived_free(atomic_load_explicit(&ix->derived[i], memory_order_acquire));
	for (uint32_t i = 0; i < ix->nseg; i++)
		bidx_segment_close(ix->seg[i]);
	free(ix->seg);
	free(ix->doc_seg);
	free(ix->doc_local);
	bidx_manifest_free(&ix->man);
	free(ix->dir);
	free(ix);
}

/* Opens the segments the manifest lists; BIDX_ERETRY when one is gone
 * (a newer build removed it: the caller reads the manifest again). */
static bidx_err open_segments(bidx_index *ix, char *why, size_t n)
{
	ix->seg = bidx_calloc((size_t)ix->man.nsegs + 1, sizeof *ix->seg);
	if (!ix->seg)
		return BIDX_ENOMEM;
	for (uint32_t i = 0; i < ix->man.nsegs; i++) {
		char name[32], swhy[256];
		const bidx_man_seg *ms = &ix->man.segs[i];
		bidx_segment_name(ms->seq, name, sizeof name);
		char *path = bidx_path_join(ix->dir, name);
		if (!path)
			return BIDX_ENOMEM;
		bidx_err rc = bidx_segment_open_file(path, &ix->seg[i], swhy, sizeof swhy);
		free(path);
		if (rc == BIDX_ENOINDEX) {
			why[0] = 0;
			return BIDX_ERETRY;
		}
		ix->nseg = i + 1;
		if (!rc)
			rc = bidx_segment_pin_check(ix->seg[i], ms, swhy, sizeof swhy);
		if (rc) {
			snprintf(why, n, "%s: %s", name, swhy);
			return rc;
		}
	}
	return BIDX_OK;
}

/* Collection id -> (segment, local id), and the live totals. */
static bidx_err build_maps(bidx_index *ix, char *why, size_t n)
{
	const bidx_manifest *m = &ix->man;
	ix->ndocs = m->ndocs;
	ix->total_tokens = m->total_tokens;
	ix->identity = m->nsegs == 1 && m->segs[0].ndocs == m->ndocs;
	for (uint32_t d = 0; ix->identity && d < m->ndocs; d++)
		if (m->segs[0].map[d] != d)
			ix->identity = 0;
	if (ix->identity)
		return BIDX_OK;
	ix->doc_seg = bidx_malloc(((size_t)m->ndocs + 1) * sizeof *ix->doc_seg);
	ix->doc_local = bidx_malloc(((size_t)m->ndocs + 1) * sizeof *ix->doc_local);
	if (!ix->doc_seg || !ix->doc_local)
		return BIDX_ENOMEM;
	for (uint32_t s = 0; s < m->nsegs; s++)
		for (uint32_t d = 0; d < m->segs[s].ndocs; d++) {
			uint32_t g = m->segs[s].map[d];
			if (g == BIDX_DELETED)
				continue;
			ix->doc_seg[g] = s;   /* the manifest check made g unique and < ndocs */
			ix->doc_local[g] = d;
		}
	(void)why, (void)n;
	return BIDX_OK;
}

/* Opens the segments of ix->man and maps its ids; closes ix on failure. */
static bidx_err finish_open(bidx_index *ix, bidx_index **out, char *why, size_t n)
{
	bidx_err rc = open_segments(ix, why, n);
	if (!rc)
		rc = build_maps(ix, why, n);
	if (rc) {
		bidx_index_close(ix);
		return rc;
	}
	*out = ix;
	return BIDX_OK;
}

static bidx_index *index_new(const char *dir)
{
	bidx_index *ix = bidx_calloc(1, sizeof *ix);
	if (ix && !(ix->dir = strdup(dir))) {
		free(ix);
		ix = NULL;
	}
	return ix;
}

static bidx_err try_open(const char *dir, bidx_index **out, char *why, size_t n)
{
	bidx_index *ix = index_new(dir);
	if (!ix)
		return BIDX_ENOMEM;
	bidx_err rc = bidx_manifest_read(dir, 0, &ix->man, why, n);
	if (rc) {
		bidx_index_close(ix);
		return rc;
	}
	return finish_open(ix, out, why, n);
}

bidx_err bidx_index_open_encoded(const char *dir, const uint8_t *man, size_t len,
                                 bidx_index **out, char *why, size_t n)
{
	bidx_index *ix = index_new(dir);
	*out = NULL;
	why[0] = 0;
	if (!ix)
		return BIDX_ENOMEM;
	bidx_err rc = bidx_manifest_decode(man, len, 0, &ix->man, why, n);
	if (rc) {
		bidx_index_close(ix);
		return rc;
	}
	rc = finish_open(ix, out, why, n);
	if (rc == BIDX_ERETRY) {   /* no newer manifest to read: this one is wrong */
		snprintf(why, n, "a segment the manifest lists is missing");
		rc = bidx_corrupt();
	}
	return rc;
}

bidx_err bidx_index_open(const char *dir, bidx_index **out, char *why, size_t n)
{
	bidx_err rc = BIDX_ERETRY;
	*out = NULL;
	/* a segment missing under a manifest that was just replaced comes back
	 * as BIDX_ERETRY: read the new manifest */
	for (int attempt = 0; attempt < OPEN_RETRIES && rc == BIDX_ERETRY; attempt++) {
		why[0] = 0;
		rc = try_open(dir, out, why, n);
	}
	if (rc == BIDX_ERETRY) {
		snprintf(why, n, "a segment the manifest lists is missing");
		return bidx_corrupt();
	}
	if (rc == BIDX_ENOINDEX) {
		/* an index written before manifests existed */
		char *old = bidx_path_join(dir, BIDX_OLD_INDEX_FILE);
		if (old && access(old, F_OK) == 0) {
			snprintf(why, n, "index of format 1 (an older bidx): rebuild it with `bidx build`");
			rc = BIDX_EVERSION;
		}
		free(old);
	}
	return rc;
}

bidx_err bidx_index_wrap(bidx_segment *s, bidx_index **out)
{
	bidx_index *ix = bidx_calloc(1, sizeof *ix);
	*out = NULL;
	if (ix)
		ix->seg = bidx_calloc(1, sizeof *ix->seg);
	if (ix)
		ix->dir = strdup(".");
	if (!ix || !ix->seg || !ix->dir) {
		bidx_segment_close(s);
		bidx_index_close(ix);
		return BIDX_ENOMEM;
	}
	ix->seg[0] = s;
	ix->nseg = 1;
	ix->identity = 1;
	ix->ndocs = bidx_segment_ndocs(s);
	ix->total_tokens = bidx_segment_meta(s)->total_tokens;
	*out = ix;
	return BIDX_OK;
}
