/* test_libbidx.c - the public library's contracts (searcher/bidx.h), through
 * libbidx.so: errors come back as a status with a message (and the byte
 * position of a bad query), out-parameters are NULL after a failure, free
 * functions and accessors take NULL, hits outlive their db. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bidx.h"
#include "build.h"
#include "testutil.h"

static char *ixdir;

static void build_index(void)
{
	ixdir = tu_tmpdir("libbidx");
	bidx_build_opts o = {.index_dir = ixdir, .msg = stderr};
	bidx_build_stats st;
	char why[256];
	const char *paths[] = {tu_corpus("seeds")};
	cr_assert_not_null(paths[0]);
	cr_assert_eq(bidx_build(paths, 1, &o, &st, why, sizeof why), BIDX_OK, "%s", why);
}

static void drop_index(void)
{
	tu_rmtree(ixdir);
	free(ixdir);
}

static bidx_db *open_db(void)
{
	bidx_db *db = NULL;
	bidx_error err;
	cr_assert_eq(bidx_db_open(ixdir, &db, &err), BIDX_SUCCESS, "%s", err.message);
	cr_assert_not_null(db);
	cr_assert_eq(err.code, BIDX_SUCCESS);
	cr_assert_str_empty(err.message);
	return db;
}

Test(libbidx, null_safe)
{
	bidx_db_close(NULL);
	bidx_hits_free(NULL);
	bidx_search_opts_init(NULL);
	cr_assert_eq(bidx_db_ndocs(NULL), 0);
	cr_assert_eq(bidx_hits_total(NULL), 0);
	cr_assert_eq(bidx_hits_count(NULL), 0);
	cr_assert_null(bidx_hits_get(NULL, 0));
	cr_assert_eq(bidx_hits_nfacets(NULL), 0);
	cr_assert_null(bidx_hits_facet(NULL, 0));
	cr_assert_str_eq(bidx_status_str(BIDX_SUCCESS), "success");
	cr_assert_str_eq(bidx_status_str(BIDX_ERR_NOINDEX), "no index found");
	cr_assert_str_eq(bidx_status_str(BIDX_ERR_INVAL), "invalid argument");
	cr_assert_str_eq(bidx_status_str((bidx_status)999), "unknown error");
	cr_assert_str_eq(bidx_status_str((bidx_status)-1), "unknown error");
	cr_assert_not_null(strchr(bidx_lib_version(), '.'));
}

Test(libbidx, open_errors)
{
	bidx_db *db = (bidx_db *)&db;   /* not NULL: a failure must clear it */
	bidx_error err;
	cr_assert_eq(bidx_db_open(NULL, &db, &err), BIDX_ERR_INVAL);
	cr_assert_null(db);
	cr_assert_eq(err.code, BIDX_ERR_INVAL);
	cr_assert_eq(bidx_db_open("x", NULL, NULL), BIDX_ERR_INVAL);

	char *dir = tu_tmpdir("libbidx-none");
	char missing[4200];
	snprintf(missing, sizeof missing, "%s/nosuch", dir);
	db = (bidx_db *)&db;
	cr_assert_eq(bidx_db_open(missing, &db, &err), BIDX_ERR_NOINDEX);
	cr_assert_null(db);
	cr_assert_eq(err.code, BIDX_ERR_NOINDEX);
	cr_assert_not_null(strstr(err.message, missing), "%s", err.message);
	cr_assert_eq(bidx_db_open(dir, &db, NULL), BIDX_ERR_NOINDEX);   /* err NULL ok */
	cr_assert_null(db);
	tu_rmtree(dir);
	free(dir);
}

Test(libbidx, corrupt_segment, .init = build_index, .fini = drop_index, .timeout = 300)
{
	char seg[4200];
	snprintf(seg, sizeof seg, "%s/%s", ixdir, TU_SEGMENT);
	FILE *f = fopen(seg, "r+b");
	cr_assert_not_null(f);
	fseek(f, 64, SEEK_SET);
	fputs("this is not what the checksum covers", f);
	fclose(f);
	bidx_db *db = (bidx_db *)&db;
	bidx_error err;
	cr_assert_eq(bidx_db_open(ixdir, &db, &err), BIDX_ERR_CORRUPT, "%s", err.message);
	cr_assert_null(db);
	cr_assert_not_null(strstr(err.message, ixdir), "%s", err.message);
	cr_assert_not_null(strstr(err.message, "bidx build --full"), "%s", err.message);
}

Test(libbidx, query_errors, .init = build_index, .fini = drop_index, .timeout = 300)
{
	bidx_db *db = open_db();
	bidx_hits *h = (bidx_hits *)&h;
	bidx_error err;
	/* a syntax error, found by the parser: OR with a missing side */
	cr_assert_eq(bidx_search(db, "カード OR", NULL, &h, &err), BIDX_ERR_QUERY);
	cr_assert_null(h);
	cr_assert_eq(err.code, BIDX_ERR_QUERY);
	cr_assert_eq(err.pos, strlen("カード "), "pos %zu", err.pos);
	cr_assert_not_null(strstr(err.message, "bad query at byte 10"), "%s", err.message);
	cr_assert_eq(bidx_search(db, "(個人情報", NULL, &h, &err), BIDX_ERR_QUERY);
	cr_assert_eq(err.pos, 0, "pos %zu", err.pos);
	/* found by the evaluator: a malformed date, at its own position */
	h = (bidx_hits *)&h;
	cr_assert_eq(bidx_search(db, "個人情報 date:xyz", NULL, &h, &err), BIDX_ERR_QUERY);
	cr_assert_null(h);
	cr_assert_eq(err.pos, strlen("個人情報 "), "pos %zu: %s", err.pos, err.message);
	cr_assert_not_null(strstr(err.message, "date:xyz"), "%s", err.message);
	/* a bad query with err NULL still fails cleanly */
	cr_assert_eq(bidx_search(db, "\"open", NULL, &h, NULL), BIDX_ERR_QUERY);
	cr_assert_null(h);
	bidx_db_close(db);
}

Test(libbidx, argument_errors, .init = build_index, .fini = drop_index, .timeout = 300)
{
	bidx_db *db = open_db();
	bidx_hits *h = (bidx_hits *)&h;
	bidx_error err;
	bidx_search_opts o;
	cr_assert_eq(bidx_search(NULL, "a", NULL, &h, &err), BIDX_ERR_INVAL);
	cr_assert_null(h);
	cr_assert_eq(bidx_search(db, NULL, NULL, &h, &err), BIDX_ERR_INVAL);
	cr_assert_eq(bidx_search(db, "a", NULL, NULL, &err), BIDX_ERR_INVAL);
	bidx_search_opts_init(&o);
	o.order = (bidx_order)7;
	cr_assert_eq(bidx_search(db, "個人情報", &o, &h, &err), BIDX_ERR_INVAL);
	cr_assert_null(h);
	bidx_search_opts_init(&o);
	const char *many[BIDX_SEARCH_MAX_FACETS + 1] = {"org", "org", "org", "org", "org",
	                                                "org", "org", "org", "org"};
	o.facets = many;
	o.nfacets = BIDX_SEARCH_MAX_FACETS + 1;
	cr_assert_eq(bidx_search(db, "個人情報", &o, &h, &err), BIDX_ERR_INVAL);
	const char *empty[] = {""};
	o.facets = empty;
	o.nfacets = 1;
	cr_assert_eq(bidx_search(db, "個人情報", &o, &h, &err), BIDX_ERR_INVAL);
	/* a synonym table named in the options must be there */
	bidx_search_opts_init(&o);
	o.synonyms = "/nonexistent/synonyms.txt";
	cr_assert_eq(bidx_search(db, "個人情報", &o, &h, &err), BIDX_ERR_IO);
	cr_assert_null(h);
	cr_assert_not_null(strstr(err.message, "/nonexistent/synonyms.txt"), "%s", err.message);
	bidx_db_close(db);
}

Test(libbidx, pages_and_lifetimes, .init = build_index, .fini = drop_index, .timeout = 300)
{
	bidx_db *db = open_db();
	cr_assert_eq(bidx_db_ndocs(db), 5);
	bidx_hits *h;
	bidx_error err;
	bidx_search_opts o;
	bidx_search_opts_init(&o);
	cr_assert_eq(o.limit, 10);
	o.limit = 0;
	const char *facets[] = {"year"};
	o.facets = facets;
	o.nfacets = 1;
	/* limit 0: the total and the facets, no page */
	cr_assert_eq(bidx_search(db, "個人情報", &o, &h, &err), BIDX_SUCCESS, "%s", err.message);
	uint32_t total = bidx_hits_total(h);
	cr_assert_gt(total, 1);
	cr_assert_eq(bidx_hits_count(h), 0);
	cr_assert_null(bidx_hits_get(h, 0));
	cr_assert_eq(bidx_hits_nfacets(h), 1);
	const bidx_facet *f = bidx_hits_facet(h, 0);
	cr_assert_str_eq(f->field, "year");
	uint32_t sum = 0;
	for (size_t i = 0; i < f->nvalues; i++)
		sum += f->values[i].count;
	cr_assert_leq(sum, total);
	cr_assert_gt(sum, 0);
	cr_assert_null(bidx_hits_facet(h, 1));
	bidx_hits_free(h);
	/* past the end: no page, same total */
	o.limit = 5;
	o.offset = total;
	cr_assert_eq(bidx_search(db, "個人情報", &o, &h, &err), BIDX_SUCCESS);
	cr_assert_eq(bidx_hits_total(h), total);
	cr_assert_eq(bidx_hits_count(h), 0);
	bidx_hits_free(h);
	/* the page outlives the db; marks lie inside the snippet and mark the word */
	o.offset = 1;
	cr_assert_eq(bidx_search(db, "個人情報", &o, &h, &err), BIDX_SUCCESS);
	bidx_db_close(db);
	cr_assert_eq(bidx_hits_count(h), total - 1 < 5 ? total - 1 : 5);
	for (size_t i = 0; i < bidx_hits_count(h); i++) {
		const bidx_doc *d = bidx_hits_get(h, i);
		cr_assert_eq(d->rank, i + 2);
		cr_assert_eq(strlen(d->path), d->path_len);
		cr_assert_eq(access(d->path, R_OK), 0, "%s", d->path);
		cr_assert_gt(d->nmarks, 0);
		for (size_t k = 0; k < d->nmarks; k++) {
			cr_assert_leq(d->marks[k].end, d->snippet_len);
			cr_assert_eq(memcmp(d->snippet + d->marks[k].start, "個人情報", strlen("個人情報")), 0);
		}
		if (i)
			cr_assert_geq(bidx_hits_get(h, i - 1)->score, d->score);
		for (size_t k = 0; k < d->nfields; k++)
			cr_assert_eq(strlen(d->fields[k].name), d->fields[k].name_len);
	}
	bidx_hits_free(h);
	TU_ASSERT_NO_LEAKS();
}
