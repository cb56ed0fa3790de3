/*
 * `bidx check` and damaged indexes whose checksums still match.
 *
 * reseal() recomputes every checksum of an edited segment file (chunks,
 * sections, table, header) through the segment codec.  The manifest pins each segment's table
 * checksum, so a query through the index must refuse every such edit; and
 * the same segment opened on its own (bidx_index_wrap, as the fuzzer does)
 * lets the damage reach the decoders and the structural checks, which must
 * never crash.  bidx check must report every edit of a meaningful byte.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "checksum.h"
#include "format.h"
#include "io.h"
#include "normalize.h"
#include "output.h"
#include "query_eval.h"
#include "query_parse.h"
#include "index.h"
#include "segment.h"
#include "testutil.h"
#include "varint.h"

static char *tmp, good[1024], bad[1024], goodf[1100], badf[1100];
static uint8_t *orig;
static size_t size;

static void setup(void)
{
	const char *seeds = tu_corpus("seeds");
	cr_assert(seeds);
	tmp = tu_tmpdir("check");
	snprintf(good, sizeof good, "%s/good", tmp);
	snprintf(bad, sizeof bad, "%s/bad", tmp);
	snprintf(goodf, sizeof goodf, "%s/" TU_SEGMENT, good);
	snprintf(badf, sizeof badf, "%s/" TU_SEGMENT, bad);
	mkdir(bad, 0777);
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, good, seeds);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0);
	char gm[1100], bm[1100];
	snprintf(gm, sizeof gm, "%s/manifest", good);
	snprintf(bm, sizeof bm, "%s/manifest", bad);
	tu_copy_file(gm, bm);   /* the damaged copies of the segment go beside it */
	char *data;
	cr_assert_eq(bidx_read_file(goodf, &data, &size), BIDX_OK);
	orig = (uint8_t *)data;
}

static void teardown(void)
{
	free(orig);
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(check, .init = setup, .fini = teardown, .timeout = 600);

/* ---- the index file as bytes ---- */

static void section(const uint8_t *m, size_t sz, int id, uint64_t *off, uint64_t *len)
{
	cr_assert_eq(bidx_segment_locate(m, sz, id, off, len), BIDX_OK);
}

/* Recomputes every checksum after an edit (segment.h): chunk sums, section
 * sums, the table's and the header's.  The edit itself must leave the
 * table intact. */
static void reseal(uint8_t *m, size_t sz)
{
	cr_assert_eq(bidx_segment_reseal(m, sz, 1), BIDX_OK);
}

static void write_bad(const uint8_t *m, size_t n)
{
	FILE *f = fopen(badf, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(m, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

static void ignore(const char *file, const char *sec, const char *msg, void *arg)
{
	(void)file;
	(void)sec;
	(void)msg;
	(void)arg;
}

static uint64_t problems(const char *dir)
{
	bidx_check_stats st;
	char why[256];
	cr_assert_eq(bidx_check(dir, ignore, NULL, 0, &st, why, sizeof why), BIDX_OK, "%s", why);
	return st.problems;
}

/* Query + rendering in-process, the way bsearch does it (ASan watches);
 * closes ix. */
static bidx_err render(bidx_index *ix, const char *query, char **out)
{
	bidx_qnode *q;
	bidx_result r;
	char why[256];
	size_t ep, n = 0;
	cr_assert_eq(bidx_query_parse(query, &q, why, sizeof why, &ep), BIDX_OK);
	bidx_err rc = bidx_query_eval(ix, q, &r, why, sizeof why);
	if (!rc) {
		FILE *f = open_memstream(out, &n);
		bidx_outopts o = {.mode = BIDX_OUT_JSON, .limit = 100, .f = f};
		rc = bidx_output(ix, &r, &o);
		fclose(f);
		bidx_result_free(&r);
	}
	bidx_query_free(q);
	bidx_index_close(ix);
	return rc;
}

static bidx_err answer(const char *dir, const char *query, char **out)
{
	bidx_index *ix;
	char why[256];
	*out = NULL;
	bidx_err rc = bidx_index_open(dir, &ix, why, sizeof why);
	return rc ? rc : render(ix, query, out);
}

static char *run(const char *cmd, int *st)
{
	char full[8192];
	snprintf(full, sizeof full, "%s 2>&1", cmd);
	return tu_run(full, st);
}

Test(check, a_good_index_passes)
{
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx check -i '%s'", BIDX_BINARY_DIR, good);
	char *out = run(cmd, &st);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, ": ok: 5 documents"), "%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s/bidx check --json -i '%s'", BIDX_BINARY_DIR, good);
	out = run(cmd, &st);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "\"ok\":true") && strstr(out, "\"content_checked\":true"), "%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s/bidx check -i '%s/none'", BIDX_BINARY_DIR, tmp);
	out = run(cmd, &st);
	cr_assert_eq(st, 2, "%s", out);
	cr_assert(strstr(out, "no index"), "%s", out);
	free(out);
}

Test(check, checksum_damage_is_reported_where_it_is)
{
	uint64_t off, len;
	uint8_t *m = malloc(size);
	memcpy(m, orig, size);
	section(m, size, BIDX_SEC_DOCS, &off, &len);
	m[off + 5] ^= 4;
	write_bad(m, size);
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx check -i '%s'", BIDX_BINARY_DIR, bad);
	char *out = run(cmd, &st);
	cr_assert_eq(st, 1, "%s", out);
	cr_assert(strstr(out, "DOCS: checksum mismatch"), "%s", out);
	free(out);
	/* truncated, zero-filled, wrong version */
	write_bad(orig, size / 2);
	out = run(cmd, &st);
	cr_assert_eq(st, 1, "%s", out);
	cr_assert(strstr(out, "file size"), "%s", out);
	free(out);
	memset(m, 0, size);
	write_bad(m, size);
	out = run(cmd, &st);
	cr_assert_eq(st, 1, "%s", out);
	free(out);
	memcpy(m, orig, size);
	bidx_put_u32le(m + 8, BIDX_FORMAT_VERSION + 1);
	bidx_put_u32le(m + size - BIDX_FOOTER_SIZE + 12, BIDX_FORMAT_VERSION + 1);
	reseal(m, size);
	write_bad(m, size);
	out = run(cmd, &st);
	cr_assert_eq(st, 1, "%s", out);
	cr_assert(strstr(out, "format version"), "%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' クレジット", BIDX_BINARY_DIR, bad);
	out = run(cmd, &st);
	cr_assert_eq(st, 2, "%s", out);
	cr_assert(strstr(out, "version"), "%s", out);
	free(out);
	free(m);
}

/* Edits one byte, reseals, and checks both bidx check and a query. */
typedef struct tally {
	int edits, found, refused, same, other;   /* the segment alone */
	int pinned;                               /* refused through the manifest */
} tally;

/* The answer of the bad segment on its own, without the manifest's pin. */
static bidx_err answer_alone(const char *query, char **out)
{
	bidx_segment *seg;
	bidx_index *ix;
	char why[256];
	*out = NULL;
	bidx_err rc = bidx_segment_open_file(badf, &seg, why, sizeof why);
	if (rc)
		return rc;
	cr_assert_eq(bidx_index_wrap(seg, &ix), BIDX_OK);
	return render(ix, query, out);
}

static void edit_and_check(uint64_t at, uint8_t x, int must_find, const char *what, tally *t,
                           const char *want)
{
	uint8_t *m = malloc(size);
	memcpy(m, orig, size);
	m[at] ^= x;
	reseal(m, size);
	write_bad(m, size);
	free(m);
	uint64_t p = problems(bad);
	t->edits++;
	t->found += p > 0;
	if (must_find)
		cr_assert_gt(p, 0, "%s: edit of byte %llu (^%02x) not reported by bidx check", what,
		             (unsigned long long)at, x);
	char *out;
	bidx_err rc = answer(bad, "クレジットカード OR 個人情報", &out);
	cr_assert_eq(rc, BIDX_ECORRUPT, "%s: a resealed edit of byte %llu was not refused "
	             "through the manifest (%d)", what, (unsigned long long)at, rc);
	t->pinned++;
	free(out);
	rc = answer_alone("クレジットカード OR 個人情報", &out);
	cr_assert(rc == BIDX_OK || rc == BIDX_ECORRUPT || rc == BIDX_EVERSION,
	          "%s: edit of byte %llu gave error %d", what, (unsigned long long)at, rc);
	if (rc)
		t->refused++;
	else if (!strcmp(out, want))
		t->same++;
	else
		t->other++;
	free(out);
}

Test(check, resealed_edits_of_every_section_are_found)
{
	char *want;
	cr_assert_eq(answer(good, "クレジットカード OR 個人情報", &want), BIDX_OK);
	cr_assert_eq(problems(good), 0);
	static const struct { int id; int must; } secs[] = {
		{BIDX_SEC_POSTINGS, 1}, {BIDX_SEC_TERMS, 1}, {BIDX_SEC_DOCS, 1},
		{BIDX_SEC_BOUNDS, 1}, {BIDX_SEC_STORE, 0}, {BIDX_SEC_ZDICT, 0}, {BIDX_SEC_PATHS, 0},
	};
	/* STORE is not "must": a flipped bit that zstd never reads (padding of
	 * an entropy bitstream) leaves the frame valid and its text unchanged;
	 * every other edit fails the frame's own checksum (counted below). */
	for (size_t i = 0; i < sizeof secs / sizeof *secs; i++) {
		uint64_t off, len;
		tally t = {0};
		section(orig, size, secs[i].id, &off, &len);
		for (uint64_t a = 0; a < len; a += len / 150 + 1)
			for (int bit = 0; bit < 8; bit += 3)
				edit_and_check(off + a, (uint8_t)(1u << bit), secs[i].must, bidx_section_name(secs[i].id),
				               &t, want);
		fprintf(stderr, "%-8s %4d resealed edits: %4d reported by bidx check, %4d refused by "
		        "bsearch; the segment alone: %d refused, %d same answer, %d different\n",
		        bidx_section_name(secs[i].id), t.edits, t.found, t.pinned, t.refused, t.same, t.other);
		cr_assert_eq(t.pinned, t.edits);
	}
	/* META: every field but the reserved ones and build_time */
	uint64_t off, len;
	tally t = {0};
	section(orig, size, BIDX_SEC_META, &off, &len);
	static const int meta_bytes[] = {0, 1, 3, 8, 9, 16, 17, 24, 25, 40, 41};
	for (size_t i = 0; i < sizeof meta_bytes / sizeof *meta_bytes; i++)
		edit_and_check(off + (uint64_t)meta_bytes[i], 1, 1, "META", &t, want);
	free(want);
}

/* Damage the decoders must notice on their own, through the real bsearch. */
static void bsearch_refuses(const uint8_t *m, const char *what)
{
	write_bad(m, size);
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' -n 100 'クレジットカード'", BIDX_BINARY_DIR, bad);
	char *out = run(cmd, &st);
	cr_assert_eq(st, 2, "%s: bsearch answered (exit %d):\n%s", what, st, out);
	cr_assert(strstr(out, "corrupt") || strstr(out, "bsearch:"), "%s: no message:\n%s", what, out);
	free(out);
	/* the manifest's pin refused it; the decoders must too, on their own */
	bidx_err rc = answer_alone("クレジットカード", &out);
	cr_assert_eq(rc, BIDX_ECORRUPT, "%s: the segment alone was not refused (%d)", what, rc);
	free(out);
	cr_assert_gt(problems(bad), 0, "%s: not reported by bidx check", what);
}

Test(check, structural_damage_with_valid_checksums_makes_bsearch_exit_2)
{
	bidx_index *ix;
	char why[256];
	bidx_term t;
	bidx_docrec d;
	cr_assert_eq(bidx_index_open(good, &ix, why, sizeof why), BIDX_OK);
	bidx_segment *seg = ix->seg[0];
	int found;
	cr_assert_eq(bidx_termdict_find(bidx_segment_termdict(seg), bidx_key2(0x30AF, 0x30EC), &t,
	                                &found), BIDX_OK);
	cr_assert_eq(found, 1);   /* クレ */
	uint64_t poff, plen, doff, dlen, moff, mlen;
	section(orig, size, BIDX_SEC_POSTINGS, &poff, &plen);
	section(orig, size, BIDX_SEC_DOCS, &doff, &dlen);
	section(orig, size, BIDX_SEC_META, &moff, &mlen);
	uint8_t *m = malloc(size);
	uint64_t at = poff + t.post_off;
	/* a block claiming a last doc beyond ndocs */
	memcpy(m, orig, size);
	m[at] = 0x7f;
	reseal(m, size);
	bsearch_refuses(m, "last_gap past ndocs");
	/* a body length running past the list */
	memcpy(m, orig, size);
	m[at + 1] = 0x7f;
	reseal(m, size);
	bsearch_refuses(m, "body_len past the list");
	/* an over-long varint */
	memcpy(m, orig, size);
	memset(m + at, 0xff, 3);
	reseal(m, size);
	bsearch_refuses(m, "over-long varint");
	/* a hit whose stored frame runs past STORE, or whose text length is wrong */
	bidx_qnode *q;
	bidx_result r;
	size_t ep;
	cr_assert_eq(bidx_query_parse("クレジットカード", &q, why, sizeof why, &ep), BIDX_OK);
	cr_assert_eq(bidx_query_eval(ix, q, &r, why, sizeof why), BIDX_OK);
	cr_assert_gt(r.n, 0);
	uint32_t hit = r.hits[0].doc;
	bidx_result_free(&r);
	bidx_query_free(q);
	cr_assert_eq(bidx_segment_doc(seg, hit, &d), BIDX_OK);
	uint8_t *rec = m + doff + (size_t)hit * BIDX_DOC_SIZE;
	bidx_docrec e = d;
	memcpy(m, orig, size);
	e.store_len = 0xFFFFFFF0u;
	bidx_docrec_encode(&e, rec);
	reseal(m, size);
	bsearch_refuses(m, "store_len past STORE");
	memcpy(m, orig, size);
	e = d;
	e.text_len = d.text_len + 1;
	bidx_docrec_encode(&e, rec);
	reseal(m, size);
	bsearch_refuses(m, "text_len off by one");
	memcpy(m, orig, size);
	e = d;
	e.nchars = 3;   /* smaller than the match positions */
	bidx_docrec_encode(&e, rec);
	reseal(m, size);
	bsearch_refuses(m, "nchars below the positions");
	/* META disagreeing with DOCS and TERMS */
	bidx_meta meta = *bidx_segment_meta(seg);
	memcpy(m, orig, size);
	meta.ndocs++;
	bidx_meta_encode(&meta, m + moff);
	reseal(m, size);
	bsearch_refuses(m, "ndocs off by one");
	memcpy(m, orig, size);
	meta = *bidx_segment_meta(seg);
	meta.nterms--;
	bidx_meta_encode(&meta, m + moff);
	reseal(m, size);
	bsearch_refuses(m, "nterms off by one");
	/* POSTINGS edited but only the section sum recomputed: the chunk sum catches it */
	memcpy(m, orig, size);
	m[at + 2] ^= 1;
	cr_assert_eq(bidx_segment_reseal(m, size, 0), BIDX_OK);
	bsearch_refuses(m, "postings edited under a stale chunk sum");
	free(m);
	bidx_index_close(ix);
}

/* An index whose terms were normalised by another revision of the
 * normaliser (before variant folding: revision 0) is refused with the
 * remedy, by bsearch and by bidx check. */
Test(check, index_of_another_normaliser_revision_is_refused)
{
	uint64_t moff, mlen;
	section(orig, size, BIDX_SEC_META, &moff, &mlen);
	cr_assert_eq(bidx_meta_norm_rev(orig + moff), BIDX_NORM_REVISION);
	uint8_t *m = malloc(size);
	memcpy(m, orig, size);
	bidx_meta_set_norm_rev(m + moff, 0);
	reseal(m, size);
	write_bad(m, size);
	free(m);
	char cmd[4096];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' 'クレジットカード'", BIDX_BINARY_DIR, bad);
	char *out = run(cmd, &st);
	cr_assert_eq(st, 2, "bsearch answered (exit %d):\n%s", st, out);
	cr_assert(strstr(out, "revision 0") && strstr(out, "rebuild with `bidx build`"), "%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s/bidx check -i '%s'", BIDX_BINARY_DIR, bad);
	out = run(cmd, &st);
	cr_assert_eq(st, 1, "bidx check passed it (exit %d):\n%s", st, out);
	cr_assert(strstr(out, "rebuild"), "%s", out);
	free(out);
}

/* A refusal knows where it rose: the decoder that met the damage records
 * its file and line (error.h), not the caller that passed the error on. */
Test(check, a_corrupt_segment_refusal_names_the_place_it_was_detected)
{
	bidx_index *ix;
	char why[256], *out;
	bidx_term t;
	int found;
	cr_assert_eq(bidx_index_open(good, &ix, why, sizeof why), BIDX_OK);
	cr_assert_eq(bidx_termdict_find(bidx_segment_termdict(ix->seg[0]), bidx_key2(0x30AF, 0x30EC),
	                                &t, &found), BIDX_OK);
	cr_assert_eq(found, 1);   /* クレ */
	bidx_index_close(ix);
	uint64_t poff, plen;
	section(orig, size, BIDX_SEC_POSTINGS, &poff, &plen);
	uint8_t *m = malloc(size);
	memcpy(m, orig, size);
	m[poff + t.post_off] = 0x7f;   /* a block claiming a last doc beyond ndocs */
	reseal(m, size);
	write_bad(m, size);
	free(m);
	bidx_corrupt_at(NULL, 0);
	cr_assert_eq(answer_alone("クレジット", &out), BIDX_ECORRUPT);
	free(out);
	int line;
	const char *file = bidx_corrupt_where(&line);
	cr_assert(file, "no place recorded");
	size_t fl = strlen(file);
	cr_assert(fl >= 10 && !strcmp(file + fl - 10, "postings.c"), "detected in %s:%d", file, line);
	cr_assert_gt(line, 0);
}

/* A segment missing under its manifest: the open retries (BIDX_ERETRY
 * inside), then refuses it as corrupt with a reason; ERETRY never comes out. */
Test(check, a_missing_segment_is_corrupt_after_the_retries)
{
	bidx_index *ix;
	char why[256];
	remove(badf);   /* bad/ holds good's manifest and no segment */
	bidx_corrupt_at(NULL, 0);
	cr_assert_eq(bidx_index_open(bad, &ix, why, sizeof why), BIDX_ECORRUPT, "%s", why);
	cr_assert_null(ix);
	cr_assert(strstr(why, "missing"), "%s", why);
	const char *file = bidx_corrupt_where(NULL);
	cr_assert(file && strstr(file, "index.c"), "detected in %s", file ? file : "(nowhere)");
	cr_assert_str_neq(bidx_strerror(BIDX_ERETRY), "unknown error");
}

/* A query reads the BOUNDS bitmap of every candidate but the PATHS entry of
 * the hits it shows only: a damaged PATHS chunk loses no hit in the
 * evaluation, and the page that shows one of its paths is refused. */
Test(check, a_damaged_path_is_refused_where_it_is_shown)
{
	uint64_t off, len;
	section(orig, size, BIDX_SEC_PATHS, &off, &len);
	uint8_t *m = malloc(size);
	memcpy(m, orig, size);
	m[off + len / 2] ^= 0x01;   /* the chunk sum no longer holds (not resealed) */
	write_bad(m, size);
	free(m);
	uint32_t nhits[2];
	const char *files[2] = {goodf, badf};
	for (int k = 0; k < 2; k++) {
		bidx_segment *seg;
		bidx_index *ix;
		bidx_qnode *q;
		bidx_result r;
		char why[256];
		size_t ep;
		cr_assert_eq(bidx_segment_open_file(files[k], &seg, why, sizeof why), BIDX_OK, "%s", why);
		cr_assert_eq(bidx_index_wrap(seg, &ix), BIDX_OK);
		cr_assert_eq(bidx_query_parse("個人情報", &q, why, sizeof why, &ep), BIDX_OK);
		cr_assert_eq(bidx_query_eval(ix, q, &r, why, sizeof why), BIDX_OK, "%s", why);
		nhits[k] = r.n;
		bidx_result_free(&r);
		bidx_query_free(q);
		bidx_index_close(ix);
	}
	cr_assert_gt(nhits[0], 0);
	cr_assert_eq(nhits[1], nhits[0], "hits lost to a damaged path: %u of %u", nhits[1], nhits[0]);
	char *out;
	cr_assert_eq(answer_alone("個人情報", &out), BIDX_ECORRUPT, "a damaged path was shown");
	free(out);
}
