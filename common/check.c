/*
 * check.c - `bidx check` (see check.h): the whole index, read only.
 *
 * This file only walks the index: the manifest is read and checked by
 * manifest.c, each segment it lists is verified to the deepest level by the
 * segment codec (segment.c, and verify.c for the texts), each segment is
 * held against the manifest entry that pins it, and the live totals against
 * the live documents.  Problems are counted here, all of them, and at most
 * max_reports are passed on.
 */
#include "check.h"
#include "fault.h"
#include "io.h"
#include "manifest.h"
#include "segment.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct checker {
	bidx_check_fn fn;
	void *arg;
	const char *file;       /* the file being checked, for reports */
	uint64_t max_reports;
	bidx_check_stats *st;
} checker;

/* Counts a problem and passes it on while under max_reports. */
static void report(const char *section, const char *msg, void *arg)
{
	checker *c = arg;
	c->st->problems++;
	if (c->st->problems <= c->max_reports)
		c->fn(c->file, section, msg, c->arg);
}

static void man_problem(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void man_problem(checker *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const char *file = c->file;
	c->file = BIDX_MANIFEST_FILE;
	report("MANIFEST", msg, c);
	c->file = file;
}

/* One segment file, as deep as verification goes; *seg gets it open (NULL
 * when it cannot be opened). */
static bidx_err check_segment(checker *c, const char *path, bidx_segment **seg, int *content,
                              char *why, size_t whylen)
{
	bidx_findings f = {.fn = report, .arg = c};
	bidx_err rc = bidx_segment_verify_file(path, BIDX_VERIFY_DEEP, &f, seg, why, whylen);
	bidx_check_stats *st = c->st;
	st->docs += f.docs;
	st->terms += f.terms;
	st->postings += f.postings;
	st->file_bytes += f.file_bytes;
	if (*seg)
		*content = *content && f.content_checked;
	return rc == BIDX_ECORRUPT ? BIDX_OK : rc;   /* problems are counted, not errors */
}

/* The manifest against its segments: each one's pin, the live totals. */
static void check_totals(checker *c, const bidx_manifest *m, bidx_segment **segs)
{
	uint64_t tokens = 0, chars = 0;
	char why[512];
	for (uint32_t i = 0; i < m->nsegs; i++) {
		const bidx_man_seg *ms = &m->segs[i];
		char name[32];
		bidx_segment_name(ms->seq, name, sizeof name);
		if (!segs[i])
			return;   /* reported already; the totals cannot be compared */
		if (bidx_segment_pin_check(segs[i], ms, why, sizeof why)) {
			man_problem(c, "%s: %s", name, why);
			if (bidx_segment_size(segs[i]) != ms->size || bidx_segment_ndocs(segs[i]) != ms->ndocs)
				return;   /* not the documents the map is about */
		}
		for (uint32_t d = 0; d < ms->ndocs; d++) {
			bidx_docrec r;
			if (ms->map[d] == BIDX_DELETED || bidx_segment_doc(segs[i], d, &r))
				continue;
			tokens += r.ntokens;
			chars += r.nchars;
		}
	}
	if (bidx_manifest_check_totals(m, tokens, chars, why, sizeof why))
		man_problem(c, "%s", why);
}

bidx_err bidx_check(const char *dir, bidx_check_fn fn, void *arg, uint64_t max_reports,
                    bidx_check_stats *st, char *why, size_t whylen)
{
	checker c = {fn, arg, NULL, max_reports, st};
	bidx_manifest m;
	memset(st, 0, sizeof *st);
	why[0] = 0;
	char mwhy[512];
	bidx_err rc = bidx_manifest_read(dir, 1, &m, mwhy, sizeof mwhy);
	if (rc == BIDX_ENOINDEX || rc == BIDX_EIO || rc == BIDX_ENOMEM) {
		snprintf(why, whylen, "%s", mwhy[0] ? mwhy : bidx_strerror(rc));
		return rc;
	}
	if (rc) {
		man_problem(&c, "%s", mwhy);
		return BIDX_OK;
	}
	bidx_segment **segs = bidx_calloc((size_t)m.nsegs + 1, sizeof *segs);
	if (!segs) {
		bidx_manifest_free(&m);
		return BIDX_ENOMEM;
	}
	st->segments = m.nsegs;
	st->live_docs = m.ndocs;
	int content = 1, opened = 0;
	for (uint32_t i = 0; i < m.nsegs && !rc; i++) {
		char name[32];
		bidx_segment_name(m.segs[i].seq, name, sizeof name);
		char *path = bidx_path_join(dir, name);
		if (!path) {
			rc = BIDX_ENOMEM;
			break;
		}
		c.file = name;
		rc = check_segment(&c, path, &segs[i], &content, why, whylen);
		opened |= segs[i] != NULL;
		c.file = NULL;
		free(path);
	}
	st->content_checked = opened && content;
	if (!rc)
		check_totals(&c, &m, segs);
	for (uint32_t i = 0; i < m.nsegs; i++)
		bidx_segment_close(segs[i]);
	free(segs);
	bidx_manifest_free(&m);
	if (rc && !why[0])
		snprintf(why, whylen, "%s", bidx_strerror(rc));
	return rc;
}
