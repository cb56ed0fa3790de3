/*
 * build.c - `bidx build` and `bidx optimize` as one pipeline: lock the
 * index directory, plan the corpus roots, load what the previous build
 * left, walk the corpus and analyse the files that are new or changed
 * (pool.c) into a new segment (assembly.c), refuse a --map column no
 * CSV or JSON Lines record had, merge segments by size tier
 * (merge.c), and publish the new manifest last (indexdir.c), so a failed or
 * killed build changes nothing.  Files the previous build saw with the same
 * content keep their documents where they are; the documents of changed
 * and vanished files are left out of the new manifest's maps (deleted).
 * What the index holds along the way is the catalogue (catalogue.h).  This
 * file holds the steps and the messages of the build as it goes.
 */
#include "build.h"
#include "assembly.h"
#include "catalogue.h"
#include "corpus.h"
#include "indexdir.h"
#include "manifest.h"
#include "merge.h"
#include "notice.h"
#include "pathshow.h"
#include "pool.h"
#include "roots.h"
#include "settings.h"
#include "termsafe.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* One build: its catalogue, the corpus walked, the segment of the files
 * analysed, and the progress line. */
struct build {
	const bidx_build_opts *o;
	bidx_build_stats *st;
	bidx_catalogue cat;      /* the previous index and the one being made */
	bidx_filelist files;     /* the corpus, in corpus order */
	bidx_assembly *fresh;    /* the documents of the files analysed, or NULL */
	bidx_columns cols;       /* the columns of the CSV/JSON Lines files read (--map) */
	size_t rows_read, rows_kept;   /* CSV/JSON Lines files read; kept unread */
	double t0, last_progress;   /* when analysis began; the last progress line */
	int progress_shown;      /* a progress line is on the terminal */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void clear_progress(struct build *b)
{
	if (b->progress_shown)
		fputs("\r\033[K", b->o->msg);
	b->progress_shown = 0;
}

static void on_skip(const char *path, const char *reason, void *arg)
{
	struct build *b = arg;
	size_t n;
	const char *shown = bidx_path_shown(path, strlen(path), &n);
	clear_progress(b);
	bidx_ts_msg(b->o->msg, "bidx: %.*s: %s", (int)n, shown, reason);
	b->st->skipped++;
}

static void progress(struct build *b, size_t i, size_t n)
{
	double t = now();
	if (!b->o->progress || t - b->t0 < 1.0 || t - b->last_progress < 0.1)
		return;
	b->last_progress = t;
	b->progress_shown = 1;
	fprintf(b->o->msg, "\r\033[Kbidx: %zu/%zu files, %.1f MB, %.1f MB/s", i, n,
	        b->st->bytes / 1e6, b->st->bytes / 1e6 / (t - b->t0));
	fflush(b->o->msg);
}

static const bidx_source *previous(void *arg, const char *path)
{
	const struct build *b = arg;
	return bidx_catalogue_previous(&b->cat, path);
}

/* Commits one analysed file: its messages, its entry in the catalogue, then
 * its documents into the new segment. */
static bidx_err commit_file(struct build *b, const char *path, bidx_fileout *f)
{
	if (f->unchanged)
		return bidx_catalogue_add_file(&b->cat, path, f, 0);
	if (f->msgs.len) {
		clear_progress(b);
		bidx_ts_lines(b->o->msg, (const char *)f->msgs.p, f->msgs.len);
	}
	b->st->skipped += f->skipped;
	b->st->bytes += f->bytes;
	bidx_err rc = f->rc;
	if (!rc)
		rc = bidx_catalogue_add_file(&b->cat, path, f, bidx_assembly_ndocs(b->fresh));
	for (size_t i = 0; i < f->n && !rc; i++) {
		rc = bidx_assembly_add_analysed(b->fresh, &f->docs[i]);
		if (!rc)
			b->st->docs++;
	}
	return rc;
}

static bidx_err commit(void *arg, size_t i, const char *path, bidx_fileout *f)
{
	struct build *b = arg;
	b->st->files_seen++;
	if (f->rows && b->o->map && b->o->map->n) {
		*(f->unchanged ? &b->rows_kept : &b->rows_read) += 1;
		bidx_columns_merge(&b->cols, &f->cols);
	}
	bidx_err rc = commit_file(b, path, f);
	progress(b, i + 1, b->files.n);
	return rc;
}

/* What the previous build left.  `bidx optimize` reads no file, so the
 * index keeps its settings. */
static bidx_err load_previous(struct build *b, char *why, size_t whylen)
{
	bidx_catalogue *c = &b->cat;
	int optimize_only = b->o->mode == BIDX_BUILD_OPTIMIZE;
	bidx_err rc = BIDX_OK;
	if (optimize_only) {
		rc = bidx_manifest_read(b->o->index_dir, 0, &c->prev, why, whylen);
		c->settings = c->prev.settings;
		bidx_manifest_free(&c->prev);
		if (rc == BIDX_ENOINDEX)
			snprintf(why, whylen, "no index in %s to optimize", b->o->index_dir);
	}
	if (!rc)
		rc = bidx_catalogue_load(c, optimize_only, why, whylen);
	return rc;
}

/* Walks the corpus under the roots, and analyses its files on the pool's
 * threads into the catalogue and the new segment, in corpus order. */
static bidx_err analyse_corpus(struct build *b, char *why, size_t whylen)
{
	const bidx_build_opts *o = b->o;
	bidx_walk_opts wo = {o->follow, o->index_dir, o->exclude, o->nexclude};
	bidx_pool_calls calls = {previous, commit, b};
	bidx_err rc = bidx_corpus_walk_with((const char *const *)b->cat.roots, (int)b->cat.nroots,
	                                    &wo, &b->files, on_skip, b);
	if (rc == BIDX_EIO)
		rc = BIDX_OK;   /* reported; the other arguments were walked */
	if (!rc)
		rc = bidx_assembly_new(&b->fresh);
	b->t0 = now();
	if (!rc)
		rc = bidx_pool_run(&b->files, o, &calls, why, whylen);
	clear_progress(b);
	return rc;
}

/* Appends s to dst[*len..cap) when all of it fits there; 0 if not. */
static int append(char *dst, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n >= cap)
		return 0;
	memcpy(dst + *len, s, n + 1);
	*len += n;
	return 1;
}

/* Refuses --map columns that no CSV or JSON Lines record had, before
 * anything is published, naming the columns there were.  Only a build that
 * read every CSV and JSON Lines file can tell.  One that kept some unread
 * runs with the settings of the previous build (the map is part of them,
 * settings.h), which had judged the same map over those files, so it does
 * not judge again. */
static bidx_err check_map(struct build *b, char *why, size_t whylen)
{
	const bidx_colmap *m = b->o->map;
	static const char tail[] = "; the index was not changed";
	char part[160];
	size_t len = 0;
	int unknown = 0;
	if (!m || !m->n || b->rows_kept)
		return BIDX_OK;
	if (b->cols.names.err)
		return b->cols.names.err;
	why[0] = 0;
	for (int i = 0; i < m->n; i++)
		if (!(b->cols.mapped & 1u << i)) {
			snprintf(part, sizeof part, "%s--map %s=%s", unknown++ ? ", " : "", m->col[i],
			         m->field[i]);
			append(why, whylen, &len, part);
		}
	if (!unknown)
		return BIDX_OK;
	if (!b->rows_read) {
		append(why, whylen, &len, ": no CSV or JSON Lines file in the corpus");
		append(why, whylen, &len, tail);
		return BIDX_EUSAGE;
	}
	append(why, whylen, &len, ": no CSV or JSON Lines file has a column ");
	for (int i = 0, k = 0; i < m->n; i++)
		if (!(b->cols.mapped & 1u << i)) {
			snprintf(part, sizeof part, "%s'%s'", k++ ? " or " : "", m->col[i]);
			append(why, whylen, &len, part);
		}
	/* the columns there were, as many as fit before the tail */
	const char *name = (const char *)b->cols.names.p;
	size_t room = whylen > sizeof tail + 8 ? whylen - sizeof tail - 8 : 0;
	int shown = 0;
	append(why, room, &len, b->cols.n ? " (columns: " : " (no record was read");
	for (; shown < b->cols.n; shown++, name += strlen(name) + 1) {
		if (len + 2 + strlen(name) >= room)
			break;
		append(why, room, &len, shown ? ", " : "");
		append(why, room, &len, name);
	}
	if (shown < b->cols.n || b->cols.more)
		append(why, whylen, &len, ", ...");
	append(why, whylen, &len, ")");
	append(why, whylen, &len, tail);
	return BIDX_EUSAGE;
}

/* Writes the documents analysed, if any, as the new segment.  A catalogue
 * with no document left is not made an index. */
static bidx_err write_new_segment(struct build *b, char *why, size_t whylen)
{
	bidx_catalogue *c = &b->cat;
	bidx_err rc = BIDX_OK;
	bidx_catalogue_count_live(c);
	uint64_t live = 0;
	for (size_t i = 0; i < c->nsrc; i++)
		live += c->src[i].ndocs;
	if (live == 0) {
		snprintf(why, whylen, "no documents to index; the index was not changed");
		return BIDX_EINPUT;
	}
	if (b->fresh && bidx_assembly_ndocs(b->fresh))
		rc = bidx_catalogue_add_segment(c, b->fresh, why, whylen);
	bidx_assembly_free(b->fresh);   /* before the merges make theirs */
	b->fresh = NULL;
	bidx_catalogue_count_live(c);
	return rc;
}

/* Makes the new manifest and, when anything changed, publishes it; the
 * segment files it no longer lists go then. */
static bidx_err publish_manifest(struct build *b, char *why, size_t whylen)
{
	bidx_catalogue *c = &b->cat;
	bidx_manifest m = {0};
	int changed = bidx_catalogue_changed(c);
	bidx_catalogue_count_segments(c);
	bidx_err rc = bidx_catalogue_manifest(c, &m);
	b->st->live_docs = m.ndocs;
	b->st->corpus_bytes = m.corpus_bytes;
	if (!rc && changed) {
		rc = bidx_indexdir_publish(b->o->index_dir, b->o->msg, &m, why, whylen);
		b->st->published = !rc;
	}
	if (!rc && changed)
		bidx_indexdir_remove_unlisted(b->o->index_dir, &m);
	bidx_manifest_free(&m);
	return rc;
}

/* The steps of a build, each on what the previous left in b; bidx_build
 * cleans up whatever step stopped it. */
static bidx_err run_pipeline(struct build *b, const char *const *paths, int npaths, int *lockfd,
                             char *why, size_t whylen)
{
	BIDX_TRY(bidx_indexdir_lock(b->o->index_dir, lockfd, why, whylen));
	BIDX_TRY(bidx_roots_plan(&b->cat, paths, npaths, why, whylen));
	BIDX_TRY(load_previous(b, why, whylen));
	if (b->o->mode == BIDX_BUILD_OPTIMIZE)
		BIDX_TRY(bidx_catalogue_keep_previous(&b->cat));
	else
		BIDX_TRY(analyse_corpus(b, why, whylen));
	BIDX_TRY(check_map(b, why, whylen));
	bidx_roots_report_removed(&b->cat);
	BIDX_TRY(write_new_segment(b, why, whylen));
	BIDX_TRY(bidx_merge_segments(&b->cat, why, whylen));
	return publish_manifest(b, why, whylen);
}

bidx_err bidx_build(const char *const *paths, int npaths, const bidx_build_opts *opts,
                    bidx_build_stats *st, char *why, size_t whylen)
{
	struct build b = {.o = opts, .st = st, .cat = {.o = opts, .st = st}};
	int lockfd = -1;
	memset(st, 0, sizeof *st);
	why[0] = 0;
	double t0 = now();
	b.cat.settings = bidx_build_settings(opts->map);
	bidx_err rc = run_pipeline(&b, paths, npaths, &lockfd, why, whylen);
	if (rc && !why[0])
		snprintf(why, whylen, "%s", bidx_strerror(rc));
	st->seconds = now() - t0;
	bidx_filelist_free(&b.files);
	bidx_assembly_free(b.fresh);
	bidx_columns_free(&b.cols);
	bidx_catalogue_free(&b.cat, rc != BIDX_OK);
	bidx_indexdir_unlock(lockfd);
	return rc;
}
