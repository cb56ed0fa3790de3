/*
 * catalogue.h - what the index being built holds: its corpus roots, its
 * files (sources, in corpus order, each with the segment documents it
 * gave), the segments that hold those documents, and what the previous
 * build left to compare them with.
 *
 * A build starts from the previous manifest's catalogue (bidx_catalogue_load),
 * enters every file of the walk into the new one, unchanged files with
 * their old documents and the others with documents of the segment this
 * build writes, and ends by turning the catalogue into the new manifest.
 * A document no source refers to any more is deleted; a segment with no
 * live document left goes.  roots.c plans the roots, merge.c moves sources
 * into merged segments; both work on this structure.
 */
#ifndef BIDX_CATALOGUE_H
#define BIDX_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>
#include "analyze.h"
#include "assembly.h"
#include "build.h"
#include "error.h"
#include "manifest.h"
#include "segment.h"

/* A segment of the index being built: one the previous manifest listed, one
 * written by this build, or (live == 0) one on its way out. */
typedef struct bidx_build_segment {
	uint32_t seq;
	bidx_segment *s;         /* owned */
	uint32_t live;           /* documents the catalogue still refers to */
	int is_new;              /* written by this build: removed if it fails */
} bidx_build_segment;

/* The previous state, the catalogue being made, its segments. */
typedef struct bidx_catalogue {
	const bidx_build_opts *o;
	bidx_build_stats *st;    /* counts what changed */
	bidx_manifest prev;      /* with sources; empty when there is none to reuse */
	uint32_t *phash;         /* open-addressing table over prev.src paths */
	size_t phcap;
	uint8_t *seen;           /* prev sources met by this walk */
	bidx_source *src;        /* the new catalogue, in corpus order */
	size_t nsrc, srccap;
	bidx_build_segment *segs;
	size_t nsegs, segcap;
	uint32_t next_seq;
	int touched;             /* a source's size or mtime changed, not its bytes */
	uint64_t settings;       /* bidx_build_settings() of this build */
	char **roots;            /* the corpus roots of the new manifest; owned */
	uint32_t nroots;
	char **gone_roots;       /* roots the previous manifest had and this one drops */
	uint32_t ngone;
} bidx_catalogue;

/* Reads what the previous build left and opens its segments, each checked
 * byte for byte against its manifest entry; anything unusable means
 * starting afresh (said on o->msg), or with no_corpus (`bidx optimize`,
 * which has no corpus to start from) an error. */
bidx_err bidx_catalogue_load(bidx_catalogue *c, int no_corpus, char *why, size_t whylen);

/* What the previous build recorded of path, or NULL.  Only reads: safe on
 * the analysis threads while sources are being added. */
const bidx_source *bidx_catalogue_previous(const bidx_catalogue *c, const char *path);

/* Enters analysed file `path`: as the previous build left it when its
 * content is the same (f->unchanged), else with its f->n documents, which
 * the segment this build writes (index c->prev.nsegs of c->segs) holds from
 * doc id `first` on.  A file that gives no document is left out. */
bidx_err bidx_catalogue_add_file(bidx_catalogue *c, const char *path, const bidx_fileout *f,
                                 uint32_t first);

/* Keeps every source of the previous build as it is (`bidx optimize`). */
bidx_err bidx_catalogue_keep_previous(bidx_catalogue *c);

/* Writes b as the next segment, opens it, checks it and appends it to
 * c->segs with every document live. */
bidx_err bidx_catalogue_add_segment(bidx_catalogue *c, bidx_assembly *b, char *why,
                                    size_t whylen);

/* Counts what the sources refer to in each segment (segs[].live). */
void bidx_catalogue_count_live(bidx_catalogue *c);

/* Whether the new catalogue differs from the previous one, so that a new
 * manifest is due. */
int bidx_catalogue_changed(const bidx_catalogue *c);

/* Counts the segments still referred to, their bytes and terms into c->st. */
void bidx_catalogue_count_segments(const bidx_catalogue *c);

/* The new manifest in *m: the segments still referred to, their maps
 * (corpus order), the live totals.  The roots and the sources move into m
 * (c keeps none); m is the caller's to free. */
bidx_err bidx_catalogue_manifest(bidx_catalogue *c, bidx_manifest *m);

/* Frees c; failed: the segment files this build wrote are removed too. */
void bidx_catalogue_free(bidx_catalogue *c, int failed);

#endif
