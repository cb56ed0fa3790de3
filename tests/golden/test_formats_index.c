/*
 * HTML pages, PDF files and Word documents through the index's life:
 *  - an incremental update re-extracts only the documents whose bytes
 *    changed (PDF extractions are counted through a logging helper, the
 *    others through the build's "indexed" lines) and answers exactly like a
 *    build from scratch, fields and PDF pages included;
 *  - `bidx check` is clean over such an index and reads the PDF page
 *    field: a resealed edit that breaks it is reported;
 *  - an allocation that fails anywhere in a build of an HTML + DOCX + PDF
 *    corpus gives a clean error (the previous index still answers as
 *    before) or the right index, and leaks nothing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "check.h"
#include "checksum.h"
#include "fault.h"
#include "format.h"
#include "index.h"
#include "io.h"
#include "output.h"
#include "pdf.h"
#include "query_eval.h"
#include "query_parse.h"
#include "segment.h"
#include "testutil.h"
#include "varint.h"

#define FIXTURES BIDX_SOURCE_DIR "/tests/fixtures/formats"

static char *tmp, work[1024], inc[1024], ref[1024], pdflog[1024];

/* The PDF extraction child is bidx itself, started through a script that
 * logs the file each run extracts. */
static void setup(void)
{
	tmp = tu_tmpdir("formats-index");
	snprintf(work, sizeof work, "%s/corpus", tmp);
	snprintf(inc, sizeof inc, "%s/inc", tmp);
	snprintf(ref, sizeof ref, "%s/ref", tmp);
	snprintf(pdflog, sizeof pdflog, "%s/pdf.log", tmp);
	mkdir(work, 0777);
	char helper[1100];
	snprintf(helper, sizeof helper, "%s/extract-pdf", tmp);
	FILE *f = fopen(helper, "w");
	cr_assert(f);
	fprintf(f, "#!/bin/sh\necho \"$2\" >> '%s'\nexec '%s/bidx' \"$@\"\n", pdflog, BIDX_BINARY_DIR);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(helper, 0755), 0);
	bidx_pdf_set_helper(helper);
}

static void teardown(void)
{
	for (int k = 0; k < BIDX_FAULT_NKINDS; k++)
		bidx_fault_set(k, 0);
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(formats_index, .init = setup, .fini = teardown, .timeout = 1800);

static void put_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[2200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* Copies fixture `name` into dir as `as` (NULL: the same name). */
static void put_fixture(const char *dir, const char *name, const char *as)
{
	char src[2200], *data;
	size_t len;
	snprintf(src, sizeof src, FIXTURES "/%s", name);
	cr_assert_eq(bidx_read_file(src, &data, &len), BIDX_OK, "%s", src);
	put_file(dir, as ? as : name, data, len);
	free(data);
}

static void remove_file(const char *dir, const char *name)
{
	char path[2200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(unlink(path), 0, "%s", path);
}

/* Builds work into dir; the verbose lines (one per file extracted) in log. */
static bidx_build_stats build(const char *dir, int full, char *log, size_t logcap)
{
	char *m = NULL;
	size_t mn = 0;
	FILE *msg = open_memstream(&m, &mn);
	bidx_build_opts o = {.index_dir = dir, .msg = msg, .full = full, .threads = 2, .verbose = 1};
	bidx_build_stats st;
	char why[512];
	const char *paths[] = {work};
	bidx_err rc = bidx_build(paths, 1, &o, &st, why, sizeof why);
	fclose(msg);
	cr_assert_eq(rc, BIDX_OK, "build of %s: %s", dir, why);
	if (log)
		snprintf(log, logcap, "%s", m);
	free(m);
	return st;
}

static const char *const queries[] = {
	"クレジットカード", "個人情報", "の", "title:の", "ボーナス", "\"不正 アクセス\"",
	"お知らせ OR 発表", "date:>=2010-01-01",
};

/* Every query's hits rendered as JSON (paths, titles, fields, snippets,
 * PDF pages, scores' order), into a string. */
static char *answers(const char *dir)
{
	bidx_index *ix;
	char why[256], *out = NULL;
	size_t n = 0;
	cr_assert_eq(bidx_index_open(dir, &ix, why, sizeof why), BIDX_OK, "%s: %s", dir, why);
	FILE *f = open_memstream(&out, &n);
	fprintf(f, "documents %u, words %llu\n", ix->ndocs, (unsigned long long)ix->total_tokens);
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		bidx_qnode *q;
		size_t ep;
		bidx_result r;
		cr_assert_eq(bidx_query_parse(queries[i], &q, why, sizeof why, &ep), BIDX_OK);
		cr_assert_eq(bidx_query_eval(ix, q, &r, why, sizeof why), BIDX_OK, "%s", why);
		fprintf(f, "== %s (%u)\n", queries[i], r.n);
		bidx_outopts o = {.mode = BIDX_OUT_JSON, .limit = 50, .f = f,
		                  .facets = {"org", "year"}, .nfacets = 2};
		cr_assert_eq(bidx_output(ix, &r, &o), BIDX_OK);
		bidx_result_free(&r);
		bidx_query_free(q);
	}
	fclose(f);
	bidx_index_close(ix);
	return out;
}

/* How many lines of s contain both a and b. */
static int lines_with(const char *s, const char *a, const char *b)
{
	int n = 0;
	for (const char *l = s; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char *line = strndup(l, len);
		n += strstr(line, a) && (!b || strstr(line, b));
		free(line);
		l = e ? e + 1 : NULL;
	}
	return n;
}

static char *slurp_log(void)
{
	char *data = NULL;
	size_t len = 0;
	if (bidx_read_file(pdflog, &data, &len) != BIDX_OK)
		return strdup("");
	unlink(pdflog);
	return data;
}

/* After an update: exactly `want` extraction lines name `file`s of the
 * log, the PDF helper ran `pdfs` times, and the index answers like a build
 * from scratch. */
static void same_as_scratch(const char *step)
{
	tu_rmtree(ref);
	char *l = slurp_log();
	build(ref, 1, NULL, 0);
	free(slurp_log());
	char *a = answers(inc), *b = answers(ref);
	cr_assert_str_eq(a, b, "%s: the updated index answers differently from a build from scratch",
	                 step);
	cr_assert(strstr(a, "\"page\":"), "%s: no PDF hit names its page", step);
	free(a);
	free(b);
	free(l);
}

Test(formats_index, incremental_update_reextracts_only_changed_documents)
{
	static const char *const start[] = {
		"003_5a5215cd65d3f6e3.corp.html", "003_5a5215cd65d3f6e3.old.html",
		"003_5a5215cd65d3f6e3.pdf", "003_5a5215cd65d3f6e3.docx", "000_da7de96949e8aa49.docx",
		"001_2b508cbf938dd260.corp.html", "text/003_5a5215cd65d3f6e3.txt", NULL};
	for (int i = 0; start[i]; i++)
		put_fixture(work, start[i], strchr(start[i], '/') ? "003.txt" : NULL);
	char log[65536];
	bidx_build_stats st = build(inc, 0, log, sizeof log);
	cr_assert_eq(st.added, 7);
	cr_assert_eq(lines_with(log, "indexed (", NULL), 7, "%s", log);
	char *pl = slurp_log();
	cr_assert_eq(lines_with(pl, "003_5a5215cd65d3f6e3.pdf", NULL), 1, "PDF runs: %s", pl);
	free(pl);
	same_as_scratch("first build");

	/* nothing changed, though every file is rewritten with its own bytes */
	for (int i = 0; start[i]; i++)
		put_fixture(work, start[i], strchr(start[i], '/') ? "003.txt" : NULL);
	st = build(inc, 0, log, sizeof log);
	cr_assert_eq(st.unchanged, 7);
	cr_assert_eq(st.docs, 0);
	cr_assert_eq(lines_with(log, "indexed (", NULL), 0, "re-extracted: %s", log);
	pl = slurp_log();
	cr_assert_str_eq(pl, "", "the PDF was extracted again");
	free(pl);

	/* an edited page, a replaced document, an added PDF, a removed page */
	char path[2200], *data;
	size_t len;
	snprintf(path, sizeof path, "%s/001_2b508cbf938dd260.corp.html", work);
	cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK);
	char *at = strstr(data, "</article>");
	cr_assert(at);
	const char *more = "<p>追記：クレジットカード会社へ調査を依頼しました。</p>";
	char *edited = malloc(len + strlen(more) + 1);
	size_t head = (size_t)(at - data);
	memcpy(edited, data, head);
	memcpy(edited + head, more, strlen(more));
	memcpy(edited + head + strlen(more), at, len - head);
	put_file(work, "001_2b508cbf938dd260.corp.html", edited, len + strlen(more));
	free(edited);
	free(data);
	put_fixture(work, "002_a11ea7e3654a911b.docx", "000_da7de96949e8aa49.docx");
	put_fixture(work, "dokujo-tsushin-4827888.pdf", NULL);
	remove_file(work, "003_5a5215cd65d3f6e3.old.html");
	st = build(inc, 0, log, sizeof log);
	cr_assert_eq(st.added, 1);
	cr_assert_eq(st.updated, 2);
	cr_assert_eq(st.removed, 1);
	cr_assert_eq(st.unchanged, 4);
	cr_assert_eq(lines_with(log, "indexed (", NULL), 3, "%s", log);
	cr_assert_eq(lines_with(log, "001_2b508cbf938dd260.corp.html", "indexed ("), 1, "%s", log);
	cr_assert_eq(lines_with(log, "000_da7de96949e8aa49.docx", "indexed ("), 1, "%s", log);
	cr_assert_eq(lines_with(log, "dokujo-tsushin-4827888.pdf", "indexed ("), 1, "%s", log);
	pl = slurp_log();
	cr_assert_eq(lines_with(pl, ".pdf", NULL), 1, "PDF runs: %s", pl);
	cr_assert_eq(lines_with(pl, "dokujo-tsushin-4827888.pdf", NULL), 1, "PDF runs: %s", pl);
	free(pl);
	same_as_scratch("after the changes");

	/* a PDF replaced by another: only it is extracted */
	put_fixture(work, "dokujo-tsushin-4827888.pdf", "003_5a5215cd65d3f6e3.pdf");
	st = build(inc, 0, log, sizeof log);
	cr_assert_eq(st.updated, 1);
	cr_assert_eq(st.unchanged, 6);
	pl = slurp_log();
	cr_assert_eq(lines_with(pl, ".pdf", NULL), 1, "PDF runs: %s", pl);
	free(pl);
	same_as_scratch("after a PDF replaced");
}

/* ---- bidx check ---- */

static void report(const char *file, const char *sec, const char *msg, void *arg)
{
	FILE *f = arg;
	fprintf(f, "%s: %s: %s\n", file, sec, msg);
}

static uint64_t check(const char *dir, char **msgs)
{
	bidx_check_stats cs;
	char why[256];
	size_t n = 0;
	FILE *f = open_memstream(msgs, &n);
	bidx_err rc = bidx_check(dir, report, f, 100, &cs, why, sizeof why);
	fclose(f);
	cr_assert_eq(rc, BIDX_OK, "%s", why);
	return cs.problems;
}

static void section(const uint8_t *m, size_t sz, int id, uint64_t *off, uint64_t *len)
{
	const uint8_t *t = m + bidx_get_u64le(m + sz - BIDX_FOOTER_SIZE) +
	                   (size_t)(id - 1) * BIDX_TABLE_ENTRY_SIZE;
	*off = bidx_get_u64le(t + 8);
	*len = bidx_get_u64le(t + 16);
}

/* Recomputes the checksums of a segment after an edit of FIELDSTR (its
 * chunk sums, its section sum, the table's and the header's). */
static void reseal(uint8_t *m, size_t sz)
{
	cr_assert_eq(bidx_segment_reseal(m, sz, 1), BIDX_OK);
}

Test(formats_index, check_is_clean_and_reads_the_pdf_page_field)
{
	static const char *const files[] = {
		"003_5a5215cd65d3f6e3.corp.html", "003_5a5215cd65d3f6e3.old.html",
		"003_5a5215cd65d3f6e3.pdf", "dokujo-tsushin-4827888.pdf", "003_5a5215cd65d3f6e3.docx",
		NULL};
	for (int i = 0; files[i]; i++)
		put_fixture(work, files[i], NULL);
	build(inc, 1, NULL, 0);
	char *msgs;
	cr_assert_eq(check(inc, &msgs), 0, "%s", msgs);
	free(msgs);
	char cmd[4096];
	int status;
	snprintf(cmd, sizeof cmd, "%s/bidx check -i '%s' 2>&1", BIDX_BINARY_DIR, inc);
	char *out = tu_run(cmd, &status);
	cr_assert_eq(status, 0, "%s", out);
	cr_assert(strstr(out, ": ok: 5 documents"), "%s", out);
	free(out);

	/* the 3-page PDF's "pages" value, "0 N M", edited so that its starts go
	 * backwards (N's digits all 9), then so that it is no list of numbers
	 * (M's first digit a letter): each is reported, naming the field */
	char seg[1200], *data;
	size_t size;
	snprintf(seg, sizeof seg, "%s/" TU_SEGMENT, inc);
	cr_assert_eq(bidx_read_file(seg, &data, &size), BIDX_OK);
	uint8_t *m = (uint8_t *)data;
	uint64_t off, len;
	section(m, size, BIDX_SEC_FIELDSTR, &off, &len);
	uint8_t *n1 = NULL, *n2 = NULL;
	for (uint64_t i = 0; i + 24 < len && !n2; i++)
		if (!memcmp(m + off + i, "pages", 5) && !memcmp(m + off + i + 6, "0 ", 2)) {
			n1 = m + off + i + 8;
			n2 = memchr(n1, ' ', 8);
		}
	cr_assert(n2++, "no 3-page \"pages\" field in FIELDSTR");
	cr_assert(n2[0] >= '1' && n2[0] <= '9' && (size_t)(n2 - 1 - n1) == strspn((char *)n2, "0123456789"),
	          "the second and third page starts have not the same number of digits");
	int reported = 0;
	for (int e = 0; e < 2; e++) {
		char *orig = malloc(size);
		memcpy(orig, data, size);
		if (e == 0)
			memset(n1, '9', (size_t)(n2 - 1 - n1));
		else
			n2[0] = 'x';
		reseal(m, size);
		char bad[1200], from[1200], to[1300];
		snprintf(bad, sizeof bad, "%s/bad", tmp);
		mkdir(bad, 0777);
		snprintf(from, sizeof from, "%s/manifest", inc);
		snprintf(to, sizeof to, "%s/manifest", bad);
		tu_copy_file(from, to);
		put_file(bad, TU_SEGMENT, data, size);
		uint64_t p = check(bad, &msgs);
		cr_expect_gt(p, 0, "edit %d not reported", e);
		cr_expect(strstr(msgs, "pages"), "edit %d: no problem names the page field:\n%s", e, msgs);
		reported += strstr(msgs, "pages") != NULL;
		free(msgs);
		memcpy(data, orig, size);
		free(orig);
	}
	cr_assert_eq(reported, 2);
	free(data);
}

/* ---- allocation faults ---- */

static bidx_err quiet_build(const char *corpus, const char *dir)
{
	FILE *quiet = fopen("/dev/null", "w");
	bidx_build_opts o = {.index_dir = dir, .msg = quiet, .full = 1, .threads = 1,
	                     .mode = BIDX_BUILD_REPLACE};   /* the corpus given, not added to the roots */
	bidx_build_stats st;
	char why[512];
	const char *paths[] = {corpus};
	bidx_err rc = bidx_build(paths, 1, &o, &st, why, sizeof why);
	fclose(quiet);
	return rc;
}

/* Fails allocation n of a full build of `files` (fixtures) over a previous
 * index of one text, for up to `points` values of n spread over the build. */
static void alloc_faults(const char *const *files, long points)
{
	char before_dir[1100];
	snprintf(before_dir, sizeof before_dir, "%s/before", tmp);
	mkdir(before_dir, 0777);
	put_fixture(before_dir, "text/004_d9cd4af4c8fa6ca2.txt", "004.txt");
	for (int i = 0; files[i]; i++)
		put_fixture(work, files[i], NULL);
	cr_assert_eq(quiet_build(work, inc), BIDX_OK);
	char *after = answers(inc);
	for (int i = 0; files[i]; i++)
		cr_assert(strstr(after, files[i]), "%s is not found", files[i]);
	cr_assert_eq(quiet_build(before_dir, inc), BIDX_OK);
	char *before = answers(inc);
	bidx_fault_set(BIDX_FAULT_ALLOC, 0);
	cr_assert_eq(quiet_build(work, inc), BIDX_OK);   /* counts the calls of the build */
	long calls = bidx_fault_count(BIDX_FAULT_ALLOC);
	cr_assert_gt(calls, 0);
	long step = calls / points + 1;
	int failed = 0;
	for (long n = 1; n <= calls; n += step) {
		cr_assert_eq(quiet_build(before_dir, inc), BIDX_OK);
		bidx_fault_set(BIDX_FAULT_ALLOC, n);
		bidx_err rc = quiet_build(work, inc);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		cr_assert(rc == BIDX_OK || rc == BIDX_ENOMEM, "allocation %ld: error %d", n, rc);
		failed += rc != BIDX_OK;
		char *got = answers(inc);
		cr_assert_str_eq(got, rc ? before : after, "allocation %ld failed: the index answers "
		                 "neither as before nor as a build without faults (build %s)", n,
		                 rc ? "failed" : "succeeded");
		free(got);
	}
	cr_assert_gt(failed, 0);
	fprintf(stderr, "formats: %ld allocations of a build of %s..., every %ld-th failed in turn: "
	        "%d builds failed cleanly, the others gave the right index\n", calls, files[0], step,
	        failed);
	free(before);
	free(after);
	TU_ASSERT_NO_LEAKS();
}

/* A Shift_JIS HTML page and a Word document: 1,500 allocations, most of
 * the build's (every call would take minutes, each build fsyncs). */
Test(formats_index, allocation_faults_in_a_build_of_html_and_docx)
{
	static const char *const files[] = {"topic-news-5934144.old.html",
	                                    "004_d9cd4af4c8fa6ca2.docx", NULL};
	alloc_faults(files, 1500);
}

/* Both HTML templates, a Word document and a 3-page PDF: 400 allocations
 * spread over the build (each build runs the PDF child). */
Test(formats_index, allocation_faults_in_a_build_of_html_docx_and_pdf)
{
	static const char *const files[] = {"003_5a5215cd65d3f6e3.corp.html",
	                                    "dokujo-tsushin-4827888.old.html",
	                                    "002_a11ea7e3654a911b.docx", "003_5a5215cd65d3f6e3.pdf",
	                                    NULL};
	alloc_faults(files, 400);
}
