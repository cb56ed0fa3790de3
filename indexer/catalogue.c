/*
 * catalogue.c - what the index being built holds (catalogue.h).
 *
 * The previous build's sources are found by path through an
 * open-addressing table (load factor <= 1/2), read by the analysis threads
 * to skip unchanged files; seen[] marks those this build meets again, and
 * the ones never met are the files removed.  Segments are numbered from the
 * manifest's next_seq, never reused, and renumbered from 1 before they
 * could wrap round.  A previous segment is kept only when every byte of it
 * matches its checksums and its manifest entry.
 */
#include "catalogue.h"
#include "checksum.h"
#include "fault.h"
#include "indexdir.h"
#include "io.h"
#include "roots.h"
#include "termsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOSRC UINT32_MAX

static uint64_t path_hash(const char *p)
{
	return bidx_xxh3(p, strlen(p));
}

/* Index of prev's source with this path, or NOSRC. */
static uint32_t prev_find(const bidx_catalogue *c, const char *path)
{
	if (!c->phcap)
		return NOSRC;
	for (size_t h = path_hash(path) & (c->phcap - 1);; h = (h + 1) & (c->phcap - 1)) {
		uint32_t k = c->phash[h];
		if (k == NOSRC || !strcmp(c->prev.src[k].path, path))
			return k;
	}
}

static bidx_err prev_index(bidx_catalogue *c)
{
	c->phcap = 16;
	while (c->phcap < 2 * (size_t)c->prev.nsrc + 1)
		c->phcap *= 2;
	c->phash = bidx_malloc(c->phcap * sizeof *c->phash);
	c->seen = bidx_calloc((size_t)c->prev.nsrc + 1, 1);
	if (!c->phash || !c->seen)
		return BIDX_ENOMEM;
	memset(c->phash, 0xff, c->phcap * sizeof *c->phash);
	for (uint32_t i = 0; i < c->prev.nsrc; i++) {
		size_t h = path_hash(c->prev.src[i].path) & (c->phcap - 1);
		while (c->phash[h] != NOSRC)
			h = (h + 1) & (c->phcap - 1);
		c->phash[h] = i;
	}
	return BIDX_OK;
}

/* Appends s to the catalogue under (a copy of) path. */
static bidx_err add_source(bidx_catalogue *c, const bidx_source *s, const char *path)
{
	if (bidx_grow((void **)&c->src, &c->srccap, c->nsrc + 1, sizeof *c->src))
		return BIDX_ENOMEM;
	c->src[c->nsrc] = *s;
	c->src[c->nsrc].path = strdup(path);
	if (!c->src[c->nsrc].path)
		return BIDX_ENOMEM;
	c->nsrc++;
	return BIDX_OK;
}

const bidx_source *bidx_catalogue_previous(const bidx_catalogue *c, const char *path)
{
	uint32_t k = c->prev.nsrc ? prev_find(c, path) : NOSRC;
	return k == NOSRC ? NULL : &c->prev.src[k];
}

bidx_err bidx_catalogue_add_file(bidx_catalogue *c, const char *path, const bidx_fileout *f,
                                 uint32_t first)
{
	uint32_t k = c->prev.nsrc ? prev_find(c, path) : NOSRC;
	bidx_err rc = BIDX_OK;
	if (k != NOSRC)
		c->seen[k] = 1;
	if (f->unchanged) {
		bidx_source s = c->prev.src[k];
		c->touched |= s.size != f->size || s.mtime_ns != f->mtime_ns;
		s.size = f->size;
		s.mtime_ns = f->mtime_ns;
		c->st->unchanged++;
		return add_source(c, &s, s.path);
	}
	if (f->n) {
		bidx_source s = {NULL, f->size, f->mtime_ns, f->hash, f->bytes,
		                 c->prev.nsegs, first, (uint32_t)f->n};
		rc = add_source(c, &s, path);
	}
	if (k != NOSRC && f->n)
		c->st->updated++;
	else if (k != NOSRC)
		c->seen[k] = 0;      /* gives nothing now: removed (roots.c reports it) */
	else if (f->n)
		c->st->added++;
	return rc;
}

bidx_err bidx_catalogue_keep_previous(bidx_catalogue *c)
{
	bidx_err rc = BIDX_OK;
	for (uint32_t i = 0; i < c->prev.nsrc && !rc; i++) {
		c->seen[i] = 1;
		rc = add_source(c, &c->prev.src[i], c->prev.src[i].path);
	}
	return rc;
}

/* Segment numbers a build may need beyond next_seq: its new segment and
 * one per merge (fewer than two per segment it starts with, and a spare). */
static uint64_t seq_headroom(uint32_t nsegs)
{
	return 2 * ((uint64_t)nsegs + 2);
}

/* Opens segment i of the previous manifest and checks every byte of it
 * against the manifest's pin (its table checksum covers every section
 * checksum, which cover every byte): a build keeps, and vouches for, only
 * segments that are sound. */
static bidx_err open_prev_segment(bidx_catalogue *c, uint32_t i, char *swhy, size_t n)
{
	const bidx_man_seg *ms = &c->prev.segs[i];
	char *path = bidx_indexdir_segment_path(c->o->index_dir, ms->seq);
	if (!path)
		return BIDX_ENOMEM;
	c->segs[i] = (bidx_build_segment){ms->seq, NULL, 0, 0};
	c->nsegs = i + 1;
	bidx_err rc = bidx_segment_open_file(path, &c->segs[i].s, swhy, n);
	free(path);
	if (!rc)
		rc = bidx_segment_pin_check(c->segs[i].s, ms, swhy, n);
	bidx_findings f = {.why = swhy, .whylen = n};
	if (!rc)
		rc = bidx_segment_verify(c->segs[i].s, BIDX_VERIFY_SUMS, &f);
	return rc;
}

bidx_err bidx_catalogue_load(bidx_catalogue *c, int no_corpus, char *ewhy, size_t ewhylen)
{
	char why[512];
	const char *dir = c->o->index_dir;
	bidx_err rc = bidx_manifest_read(dir, 1, &c->prev, why, sizeof why);
	if (rc == BIDX_ENOMEM)
		return rc;
	if (rc && rc != BIDX_ENOINDEX)
		bidx_ts_msg(c->o->msg, "bidx: %s: the previous index cannot be reused (%s); "
		        "indexing every file", dir, why);
	if (!rc && c->o->full)
		rc = BIDX_ENOINDEX;
	if (!rc && c->prev.nsrc && c->prev.src[0].path[0] != '/') {
		bidx_ts_msg(c->o->msg, "bidx: %s: the index keeps relative paths (an older bidx); "
		        "indexing every file once, under absolute paths", dir);
		rc = BIDX_ENOINDEX;
	}
	if (!rc && c->prev.settings != c->settings) {
		bidx_ts_msg(c->o->msg, "bidx: %s: built by another version or with other --map "
		        "options; indexing every file", dir);
		rc = BIDX_ENOINDEX;
	}
	c->segs = bidx_calloc((size_t)c->prev.nsegs + 1, sizeof *c->segs);
	if (!c->segs)
		return BIDX_ENOMEM;
	c->segcap = (size_t)c->prev.nsegs + 1;
	for (uint32_t i = 0; !rc && i < c->prev.nsegs; i++) {
		char swhy[256];
		rc = open_prev_segment(c, i, swhy, sizeof swhy);
		if (rc == BIDX_ENOMEM)
			return rc;
		if (rc && no_corpus) {
			snprintf(ewhy, ewhylen, "segment %u %s (%s); rebuild the index with `bidx build "
			         "--full CORPUS`", c->prev.segs[i].seq, rc == BIDX_ECORRUPT ?
			         "is damaged" : "cannot be read", swhy);
			return rc;
		}
		if (rc) {
			bidx_ts_msg(c->o->msg, "bidx: %s: segment %u %s (%s); indexing every file", dir,
			        c->prev.segs[i].seq, rc == BIDX_ECORRUPT ? "is damaged" : "cannot be read",
			        swhy);
			rc = BIDX_ENOINDEX;
		}
	}
	/* Numbers come from the manifest alone (it is above every number it
	 * lists), never from other files in the directory; a fresh start goes
	 * on from there too, so a reader of the previous manifest never finds
	 * one of its segment names reused.  Near the end of the numbers the
	 * index starts afresh from 1 instead of wrapping round. */
	c->next_seq = c->prev.next_seq ? c->prev.next_seq : 1;
	uint32_t keep = rc ? 0 : c->prev.nsegs;
	if (UINT32_MAX - (uint64_t)c->next_seq < seq_headroom(keep)) {
		if (!rc && no_corpus) {
			snprintf(ewhy, ewhylen, "segment numbers are nearly used up in %s; renumber them "
			         "with `bidx build --full CORPUS`", dir);
			return BIDX_EINPUT;
		}
		bidx_ts_msg(c->o->msg, "bidx: %s: segment numbers are nearly used up; renumbering "
		        "from 1%s", dir, rc ? "" : " and indexing every file");
		c->next_seq = 1;
		rc = BIDX_ENOINDEX;
	}
	if (rc) {
		/* start afresh: nothing of the previous index is referred to */
		for (size_t i = 0; i < c->nsegs; i++)
			bidx_segment_close(c->segs[i].s);
		c->nsegs = 0;
		uint64_t gen = c->prev.generation;
		bidx_manifest_free(&c->prev);
		c->prev.generation = gen;
		return BIDX_OK;
	}
	return prev_index(c);
}

bidx_err bidx_catalogue_add_segment(bidx_catalogue *c, bidx_assembly *b, char *why,
                                    size_t whylen)
{
	char name[32], swhy[256];
	if (c->next_seq >= UINT32_MAX) {
		/* bidx_catalogue_load renumbers long before this; never wrap round */
		snprintf(why, whylen, "segment numbers are used up in %s; rebuild it with "
		         "`bidx build --full`", c->o->index_dir);
		return BIDX_EINPUT;
	}
	uint32_t seq = c->next_seq++;
	if (bidx_grow((void **)&c->segs, &c->segcap, c->nsegs + 1, sizeof *c->segs))
		return BIDX_ENOMEM;
	bidx_segment_name(seq, name, sizeof name);
	bidx_err rc = bidx_assembly_write(b, c->o->index_dir, name, why, whylen);
	if (rc) {
		/* the file may be in place if only the directory fsync failed;
		 * nothing refers to it */
		char *path = bidx_path_join(c->o->index_dir, name);
		if (path)
			unlink(path);
		free(path);
		return rc;
	}
	bidx_build_segment *e = &c->segs[c->nsegs++];
	*e = (bidx_build_segment){seq, NULL, bidx_assembly_ndocs(b), 1};
	char *path = bidx_path_join(c->o->index_dir, name);
	if (!path)
		return BIDX_ENOMEM;
	rc = bidx_segment_open_file(path, &e->s, swhy, sizeof swhy);
	free(path);
	bidx_findings f = {.why = swhy, .whylen = sizeof swhy};
	if (!rc)
		rc = bidx_segment_verify(e->s, BIDX_VERIFY_SUMS, &f);
	if (rc && rc != BIDX_ENOMEM)
		snprintf(why, whylen, "cannot read back the segment just written (%s): %s", name, swhy);
	return rc;
}

void bidx_catalogue_count_live(bidx_catalogue *c)
{
	for (size_t i = 0; i < c->nsegs; i++)
		c->segs[i].live = 0;
	for (size_t i = 0; i < c->nsrc; i++)
		c->segs[c->src[i].seg].live += c->src[i].ndocs;
}

bidx_err bidx_catalogue_manifest(bidx_catalogue *c, bidx_manifest *m)
{
	uint32_t *renum = bidx_malloc((c->nsegs + 1) * sizeof *renum);
	if (!renum)
		return BIDX_ENOMEM;
	memset(m, 0, sizeof *m);
	m->generation = c->prev.generation + 1;
	m->settings = c->settings;
	m->next_seq = c->next_seq;
	m->segs = bidx_calloc(c->nsegs + 1, sizeof *m->segs);
	bidx_err rc = m->segs ? BIDX_OK : BIDX_ENOMEM;
	for (size_t i = 0; i < c->nsegs && !rc; i++) {
		renum[i] = NOSRC;
		if (!c->segs[i].live)
			continue;
		bidx_man_seg *ms = &m->segs[m->nsegs];
		ms->seq = c->segs[i].seq;
		bidx_segment_pin(c->segs[i].s, ms);
		ms->map = bidx_malloc(((size_t)ms->ndocs + 1) * sizeof *ms->map);
		if (!ms->map) {
			rc = BIDX_ENOMEM;
			break;
		}
		memset(ms->map, 0xff, (size_t)ms->ndocs * sizeof *ms->map);
		renum[i] = m->nsegs++;
	}
	uint32_t g = 0;
	for (size_t i = 0; i < c->nsrc && !rc; i++) {
		bidx_source *s = &c->src[i];
		bidx_segment *seg = c->segs[s->seg].s;
		for (uint32_t k = 0; k < s->ndocs && !rc; k++) {
			bidx_docrec d;
			rc = bidx_segment_doc(seg, s->first + k, &d);
			m->segs[renum[s->seg]].map[s->first + k] = g++;
			m->total_tokens += d.ntokens;
			m->total_chars += d.nchars;
		}
		m->corpus_bytes += s->bytes;
	}
	m->ndocs = g;
	m->roots = c->roots;     /* moves into m too */
	m->nroots = c->nroots;
	c->roots = NULL;
	c->nroots = 0;
	/* the catalogue, its segment numbers renumbered, moves into m */
	for (size_t i = 0; i < c->nsrc && !rc; i++)
		c->src[i].seg = renum[c->src[i].seg];
	if (!rc) {
		m->src = c->src;
		m->nsrc = (uint32_t)c->nsrc;
		c->src = NULL;
		c->nsrc = c->srccap = 0;
	}
	free(renum);
	return rc;
}

int bidx_catalogue_changed(const bidx_catalogue *c)
{
	const bidx_build_stats *st = c->st;
	return st->added || st->updated || st->removed || c->touched || st->merged ||
	       c->prev.nsegs == 0 || c->ngone || bidx_roots_changed(c);
}

void bidx_catalogue_count_segments(const bidx_catalogue *c)
{
	bidx_build_stats *st = c->st;
	for (size_t i = 0; i < c->nsegs; i++) {
		if (!c->segs[i].live)
			continue;
		st->segments++;
		st->index_bytes += bidx_segment_size(c->segs[i].s);
		st->terms += bidx_segment_meta(c->segs[i].s)->nterms;
	}
}

void bidx_catalogue_free(bidx_catalogue *c, int failed)
{
	for (size_t i = 0; i < c->nsegs; i++) {
		if (failed && c->segs[i].is_new) {
			char *p = bidx_indexdir_segment_path(c->o->index_dir, c->segs[i].seq);
			if (p)
				unlink(p);
			free(p);
		}
		bidx_segment_close(c->segs[i].s);
	}
	free(c->segs);
	for (size_t i = 0; i < c->nsrc; i++)
		free(c->src[i].path);
	free(c->src);
	free(c->phash);
	free(c->seen);
	for (uint32_t i = 0; i < c->nroots; i++)
		free(c->roots[i]);
	free(c->roots);
	for (uint32_t i = 0; i < c->ngone; i++)
		free(c->gone_roots[i]);
	free(c->gone_roots);
	bidx_manifest_free(&c->prev);
}
