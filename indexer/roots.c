/*
 * roots.c - the corpus roots of a build (roots.h).
 *
 * Roots are absolute paths (corpus.h: bidx_corpus_abspath), none below
 * another: adding a directory that holds roots replaces them, adding a path
 * a root holds changes nothing.  A root is "under" another when it is the
 * same path or continues it after a '/'.  The files of a root that goes
 * leave the index with it and are counted per root, not listed.
 */
#include "roots.h"
#include "corpus.h"
#include "fault.h"
#include "pathshow.h"
#include "termsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bidx_roots_changed(const bidx_catalogue *c)
{
	if (c->nroots != c->prev.nroots)
		return 1;
	for (uint32_t i = 0; i < c->nroots; i++)
		if (strcmp(c->roots[i], c->prev.roots[i]))
			return 1;
	return 0;
}

/* Whether absolute path p is root r or lies below it. */
static int under(const char *p, const char *r)
{
	size_t l = strlen(r);
	return !strncmp(p, r, l) && (p[l] == 0 || p[l] == '/' || (l && r[l - 1] == '/'));
}

static const char *shown(const char *p)
{
	size_t n;
	return bidx_path_shown(p, strlen(p), &n);
}

static bidx_err root_add(char ***v, uint32_t *n, const char *p)
{
	size_t cap = *n;
	char *d = strdup(p);
	if (!d || bidx_grow((void **)v, &cap, (size_t)*n + 1, sizeof **v)) {
		free(d);
		return BIDX_ENOMEM;
	}
	(*v)[(*n)++] = d;
	return BIDX_OK;
}

/* Adds p to roots unless a root holds it already; roots below p go (p
 * covers them).  Returns 1 when p was added. */
static int root_merge(bidx_catalogue *c, const char *p, bidx_err *rc)
{
	for (uint32_t i = 0; i < c->nroots; i++)
		if (under(p, c->roots[i]))
			return 0;
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->nroots; i++) {
		if (under(c->roots[i], p))
			free(c->roots[i]);
		else
			c->roots[k++] = c->roots[i];
	}
	c->nroots = k;
	*rc = root_add(&c->roots, &c->nroots, p);
	return 1;
}

bidx_err bidx_roots_plan(bidx_catalogue *c, const char *const *paths, int npaths, char *why,
                         size_t whylen)
{
	const bidx_build_opts *o = c->o;
	bidx_manifest old = {0};
	char mwhy[512];
	bidx_err rc = BIDX_OK;
	if (bidx_manifest_read(o->index_dir, 1, &old, mwhy, sizeof mwhy) == BIDX_ENOMEM)
		return BIDX_ENOMEM;
	char **abs = bidx_calloc((size_t)npaths + 1, sizeof *abs);
	for (int i = 0; abs && i < npaths; i++)
		if (!(abs[i] = bidx_corpus_abspath(paths[i])))
			rc = BIDX_ENOMEM;
	if (!abs)
		rc = BIDX_ENOMEM;
	if (!rc && (o->mode == BIDX_BUILD_ADD || o->mode == BIDX_BUILD_REMOVE ||
	            o->mode == BIDX_BUILD_OPTIMIZE))
		for (uint32_t i = 0; i < old.nroots && !rc; i++)
			rc = root_add(&c->roots, &c->nroots, old.roots[i]);
	if (!rc && o->mode == BIDX_BUILD_ADD && npaths == 0 && c->nroots == 0) {
		snprintf(why, whylen, "no corpus given, and the index in %s remembers none: name it "
		         "(bidx build CORPUS...)", o->index_dir);
		rc = BIDX_EINPUT;
	}
	for (int i = 0; !rc && i < npaths && o->mode != BIDX_BUILD_REMOVE; i++) {
		int added = root_merge(c, abs[i], &rc);
		if (!rc && added && old.nroots && o->mode == BIDX_BUILD_ADD)
			bidx_ts_msg(o->msg, "bidx: %s: added to the corpus of the index in %s", shown(abs[i]),
			            o->index_dir);
	}
	for (int i = 0; !rc && i < npaths && o->mode == BIDX_BUILD_REMOVE; i++) {
		uint32_t k = 0, before = c->nroots;
		for (uint32_t j = 0; j < c->nroots; j++) {
			if (under(c->roots[j], abs[i]))
				free(c->roots[j]);
			else
				c->roots[k++] = c->roots[j];
		}
		c->nroots = k;
		if (k == before) {
			size_t w = (size_t)snprintf(why, whylen, "%s is not a corpus root of the index in %s "
			                            "(roots:", shown(abs[i]), o->index_dir);
			for (uint32_t j = 0; j < before && w < whylen; j++)
				w += (size_t)snprintf(why + w, whylen - w, " %s", shown(c->roots[j]));
			if (w < whylen)
				snprintf(why + w, whylen - w, "%s)", before ? "" : " none");
			rc = BIDX_EINPUT;
		}
	}
	if (!rc && old.nsrc && !old.nroots && npaths && o->mode != BIDX_BUILD_REMOVE)
		bidx_ts_msg(o->msg, "bidx: %s: the index remembered no corpus roots (an older bidx); "
		            "its corpus is now the paths given", o->index_dir);
	for (uint32_t i = 0; i < old.nroots && !rc; i++) {
		int kept = 0;
		for (uint32_t j = 0; j < c->nroots && !kept; j++)
			kept = under(old.roots[i], c->roots[j]);
		if (!kept)
			rc = root_add(&c->gone_roots, &c->ngone, old.roots[i]);
	}
	for (int i = 0; abs && i < npaths; i++)
		free(abs[i]);
	free(abs);
	bidx_manifest_free(&old);
	return rc;
}

void bidx_roots_report_removed(bidx_catalogue *c)
{
	uint64_t *per = bidx_calloc((size_t)c->ngone + 1, sizeof *per);
	for (uint32_t i = 0; i < c->prev.nsrc; i++) {
		if (c->seen[i])
			continue;
		c->st->removed++;
		uint32_t g = 0;
		while (g < c->ngone && !under(c->prev.src[i].path, c->gone_roots[g]))
			g++;
		if (g < c->ngone) {
			c->st->removed_roots++;
			if (per)
				per[g]++;
		} else {
			bidx_ts_msg(c->o->msg, "bidx: %s: no longer in the corpus; removed from the index",
			            shown(c->prev.src[i].path));
		}
	}
	for (uint32_t g = 0; per && g < c->ngone; g++)
		bidx_ts_msg(c->o->msg, "bidx: %s: no longer a corpus root; %llu file%s removed from "
		            "the index", shown(c->gone_roots[g]), (unsigned long long)per[g],
		            per[g] == 1 ? "" : "s");
	free(per);
}
