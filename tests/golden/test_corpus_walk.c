/*
 * The corpus walk and what a build publishes, against a hostile corpus and
 * a hostile index directory: stray files in the index directory (they must
 * neither steer segment numbers nor be deleted), segment numbers running
 * out, symbolic links out of the corpus and into /proc, one file under many
 * spellings, a damaged segment under a build, and files that give nothing.
 * Everything goes through the real bidx and bsearch binaries.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "io.h"
#include "manifest.h"
#include "testutil.h"
#include "varint.h"

static char *tmp;

static void setup(void)
{
	tmp = tu_tmpdir("walk");
	cr_assert(tmp);
}

static void teardown(void)
{
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(walk, .init = setup, .fini = teardown, .timeout = 300);

/* Runs a shell command in tmp, stdout and stderr together (testutil.h). */
#define sh(st, ...) tu_sh(tmp, st, __VA_ARGS__)

static void put(const char *rel, const char *text)
{
	char p[4096], cmd[4200];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	cr_assert_eq(system(cmd), 0);
	FILE *f = fopen(p, "wb");
	cr_assert(f, "cannot write %s", p);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

static int exists(const char *rel)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	return access(p, F_OK) == 0;
}

/* bidx build -q -i idx ARGS (in tmp); asserts exit 0 and returns the log. */
static char *build_ok(const char *args)
{
	int st;
	char *out = sh(&st, "%s/bidx build -q -i idx %s", BIDX_BINARY_DIR, args);
	cr_assert_eq(st, 0, "bidx build %s: exit %d\n%s", args, st, out);
	return out;
}

/* The number of hits of query (bsearch -c), asserting the index opens. */
static long hits(const char *query)
{
	int st;
	char *out = sh(&st, "%s/bsearch -i idx -c '%s'", BIDX_BINARY_DIR, query);
	cr_assert(st == 0 || st == 1, "bsearch -c %s: exit %d (the index must open)\n%s", query, st,
	          out);
	long n = strtol(out, NULL, 10);
	free(out);
	return n;
}

static void manifest_of(bidx_manifest *m)
{
	char dir[4096], why[256];
	snprintf(dir, sizeof dir, "%s/idx", tmp);
	cr_assert_eq(bidx_manifest_read(dir, 1, m, why, sizeof why), BIDX_OK, "%s", why);
}

/* ---- point 3: segment numbers, and what a build publishes ---- */

Test(walk, stray_files_in_the_index_directory_do_not_steer_segment_numbers)
{
	put("c/a.txt", "個人情報の漏えいについてのお知らせ");
	free(build_ok("c"));
	put("idx/seg-4294967293.junk", "not a segment");
	put("idx/seg-4294967294.bidx", "not a segment either");
	static const char *const words[] = {"甲州", "信州", "上州", "武州"};
	for (int i = 0; i < 4; i++) {
		char rel[64], text[128];
		snprintf(rel, sizeof rel, "c/n%d.txt", i);
		snprintf(text, sizeof text, "%sの市役所からのお知らせ", words[i]);
		put(rel, text);
		free(build_ok("c"));
		cr_assert_eq(hits(words[i]), 1, "update %d: the new file is not found", i);
		cr_assert_eq(hits("漏えい"), 1, "update %d: the first file was lost", i);
		bidx_manifest m;
		manifest_of(&m);
		for (uint32_t s = 0; s < m.nsegs; s++)
			cr_assert_lt(m.segs[s].seq, 1000, "update %d: segment number %u comes from a stray "
			             "file", i, m.segs[s].seq);
		bidx_manifest_free(&m);
	}
	int st;
	char *out = sh(&st, "%s/bidx check -i idx", BIDX_BINARY_DIR);
	cr_assert_eq(st, 0, "%s", out);
	free(out);
}

/* An index whose manifest has (validly) used up nearly every segment
 * number: updates renumber instead of wrapping round, and every index they
 * publish opens. */
Test(walk, segment_numbers_running_out_are_renumbered)
{
	put("c/a.txt", "個人情報の漏えいについてのお知らせ");
	free(build_ok("c"));
	bidx_manifest m;
	char dir[4096], from[4200], to[4200], name[32];
	manifest_of(&m);
	cr_assert_eq(m.nsegs, 1);
	snprintf(dir, sizeof dir, "%s/idx", tmp);
	bidx_segment_name(m.segs[0].seq, name, sizeof name);
	snprintf(from, sizeof from, "%s/%s", dir, name);
	m.segs[0].seq = UINT32_MAX - 3;
	m.next_seq = UINT32_MAX - 2;
	bidx_segment_name(m.segs[0].seq, name, sizeof name);
	snprintf(to, sizeof to, "%s/%s", dir, name);
	cr_assert_eq(rename(from, to), 0);
	int published;
	cr_assert_eq(bidx_manifest_write(dir, &m, &published), BIDX_OK);
	bidx_manifest_free(&m);
	cr_assert_eq(hits("漏えい"), 1, "the crafted index does not open");
	static const char *const words[] = {"甲州", "信州", "上州", "武州", "相州"};
	int renumbered = 0;
	for (int i = 0; i < 5; i++) {
		char rel[64], text[128];
		snprintf(rel, sizeof rel, "c/n%d.txt", i);
		snprintf(text, sizeof text, "%sの市役所からのお知らせ", words[i]);
		put(rel, text);
		char *log = build_ok("c");
		renumbered |= strstr(log, "renumber") != NULL;
		free(log);
		cr_assert_eq(hits(words[i]), 1, "update %d: the new file is not found", i);
		cr_assert_eq(hits("漏えい"), 1, "update %d: the first file was lost", i);
	}
	cr_assert(renumbered, "no update said it renumbered the segments");
}

/* ---- point 4: only files the build could have written are removed ---- */

Test(walk, updates_remove_only_files_the_build_wrote)
{
	put("c/a.txt", "個人情報の漏えいについてのお知らせ");
	free(build_ok("c"));
	static const char *const theirs[] = {
		"idx/seg-000099.bidx.bak", "idx/seg-7.bidx-notes.txt", "idx/seg--5.bidxz",
		"idx/index.bidx", "idx/seg-1.bidx", "idx/seg-0000002.bidx", "idx/notes.tmp-999999999",
		"idx/seg-000003.bidx.tmp-notes", "idx/manifest.old", "idx/seg-000004.bidx~",
	};
	static const char *const ours[] = {
		"idx/seg-000050.bidx",                /* an unlisted segment */
		"idx/seg-000051.bidx.tmp-999999999",  /* the tmp file of a dead build */
		"idx/manifest.tmp-999999998",
	};
	for (size_t i = 0; i < sizeof theirs / sizeof *theirs; i++)
		put(theirs[i], "user data");
	for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
		put(ours[i], "left over");
	put("c/b.txt", "市役所からのお知らせ");
	free(build_ok("c"));
	cr_assert_eq(hits("市役所"), 1);
	for (size_t i = 0; i < sizeof theirs / sizeof *theirs; i++)
		cr_assert(exists(theirs[i]), "the update removed %s, which it did not write", theirs[i]);
	for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
		cr_assert(!exists(ours[i]), "the update left %s behind", ours[i]);
	/* a real format-1 index (an older bidx wrote it under that exact name) goes */
	char p[4096];
	snprintf(p, sizeof p, "%s/idx/index.bidx", tmp);
	uint8_t old[64] = {0};
	memcpy(old, BIDX_MAGIC, 8);
	bidx_put_u32le(old + 8, 1);
	FILE *f = fopen(p, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(old, 1, sizeof old, f), sizeof old);
	cr_assert_eq(fclose(f), 0);
	put("c/d.txt", "県庁からのお知らせ");
	free(build_ok("c"));
	cr_assert(!exists("idx/index.bidx"), "the format-1 index was left behind");
	/* a build with nothing to do removes stale tmp files too, and only those */
	put("idx/seg-000060.bidx.tmp-999999997", "left over");
	put("idx/manifest.tmp-x1", "user data");
	char *log = build_ok("c");
	cr_assert(!exists("idx/seg-000060.bidx.tmp-999999997"),
	          "an up-to-date build left a stale tmp file");
	cr_assert(exists("idx/manifest.tmp-x1"));
	free(log);
}

/* ---- point 10: symbolic links ---- */

Test(walk, symlinks_leading_out_of_the_corpus_are_not_followed)
{
	put("c/a.txt", "個人情報の漏えいについてのお知らせ");
	put("c/sub/b.txt", "市役所からのお知らせ");
	put("outside/secret.txt", "極秘の社外文書です");
	int st;
	char *out = sh(&st, "ln -s .. c/parentdir && ln -s ../outside/secret.txt c/out.txt && "
	                    "ln -s /proc/self/status c/status.txt && ln -s sub c/inner && "
	                    "ln -s '%s/outside' c/abs", tmp);
	cr_assert_eq(st, 0, "%s", out);
	free(out);
	out = sh(&st, "%s/bidx build -i idx --json c", BIDX_BINARY_DIR);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "c/parentdir: ") && strstr(out, "c/out.txt: ") &&
	          strstr(out, "c/status.txt: ") && strstr(out, "c/abs: "),
	          "each link out of the corpus gets a notice:\n%s", out);
	cr_assert(strstr(out, "outside the corpus"), "%s", out);
	cr_assert(strstr(out, "\"skipped\":4,"), "the four links are counted as skipped:\n%s", out);
	free(out);
	cr_assert_eq(hits("極秘"), 0, "a file outside the corpus was indexed");
	cr_assert_eq(hits("VmRSS"), 0, "/proc/self/status was indexed");
	cr_assert_eq(hits("漏えい"), 1);
	cr_assert_eq(hits("市役所"), 1, "a link inside the corpus (c/inner) gives a second copy");
	/* --follow follows every link, but never reads a special file */
	out = sh(&st, "%s/bidx build -i idx --follow c", BIDX_BINARY_DIR);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "c/status.txt: "), "the /proc file gets a notice:\n%s", out);
	free(out);
	cr_assert_eq(hits("極秘"), 1, "--follow did not follow the links out");
	cr_assert_eq(hits("VmRSS"), 0, "/proc/self/status was indexed with --follow");
	cr_assert_eq(hits("漏えい"), 1, "c/parentdir/c/a.txt is the same file as c/a.txt");
	out = sh(&st, "%s/bidx build --help", BIDX_BINARY_DIR);
	cr_assert(strstr(out, "--follow"), "--help does not mention --follow");
	free(out);
}

/* ---- point 11: one file, one document ---- */

Test(walk, a_file_is_indexed_once_however_it_is_spelt)
{
	put("dup/a.txt", "個人情報の漏えいについてのお知らせ");
	put("real/x.txt", "市役所からのお知らせ");
	int st;
	char *out = sh(&st, "ln -s real l1 && ln -s real l2 && ln real/x.txt real/hard.txt");
	cr_assert_eq(st, 0, "%s", out);
	free(out);
	free(build_ok("dup ./dup dup/ dup/a.txt dup//a.txt ./dup/./a.txt"));
	cr_assert_eq(hits("漏えい"), 1, "one file under five spellings");
	free(build_ok("l1 l2 real"));
	cr_assert_eq(hits("市役所"), 1, "two links to a folder, a hard link");
	/* the manifest keys a file by one spelling: an update with another one
	 * changes nothing */
	free(build_ok("./dup"));
	out = sh(&st, "%s/bidx build -i idx --json --replace dup/", BIDX_BINARY_DIR);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "\"added\":0,") && strstr(out, "\"unchanged\":1,"), "%s", out);
	free(out);
	bidx_manifest m;
	manifest_of(&m);
	cr_assert_eq(m.nsrc, 1);
	char want[4200];   /* stored absolute */
	char *rt = realpath(tmp, NULL);
	snprintf(want, sizeof want, "%s/dup/a.txt", rt);
	free(rt);
	cr_assert_str_eq(m.src[0].path, want);
	bidx_manifest_free(&m);
	/* the seeds, twice */
	const char *seeds = tu_corpus("seeds");
	cr_assert(seeds);
	out = sh(&st, "ln -s '%s' seeds", seeds);
	cr_assert_eq(st, 0, "%s", out);
	free(out);
	out = sh(&st, "%s/bidx build -i idx --json --replace seeds ./seeds seeds/ '%s'", BIDX_BINARY_DIR,
	         seeds);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "\"documents\":5,"), "%s", out);
	free(out);
}

/* ---- point 12: a damaged index under a build; one verdict per file ---- */

static void section(const uint8_t *m, size_t sz, int id, uint64_t *off, uint64_t *len)
{
	const uint8_t *t = m + bidx_get_u64le(m + sz - BIDX_FOOTER_SIZE) +
	                   (size_t)(id - 1) * BIDX_TABLE_ENTRY_SIZE;
	*off = bidx_get_u64le(t + 8);
	*len = bidx_get_u64le(t + 16);
}

Test(walk, a_build_over_a_damaged_segment_rebuilds_it)
{
	const char *seeds = tu_corpus("seeds");
	cr_assert(seeds);
	char args[4200];
	snprintf(args, sizeof args, "'%s'", seeds);
	free(build_ok(args));
	char p[4096];
	snprintf(p, sizeof p, "%s/idx/" TU_SEGMENT, tmp);
	char *data;
	size_t size;
	cr_assert_eq(bidx_read_file(p, &data, &size), BIDX_OK);
	uint64_t off, len;
	section((const uint8_t *)data, size, BIDX_SEC_POSTINGS, &off, &len);
	data[off + len / 2] ^= 0x10;
	FILE *f = fopen(p, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(data, 1, size, f), size);
	cr_assert_eq(fclose(f), 0);
	free(data);
	int st;
	char *out = sh(&st, "%s/bidx check -i idx", BIDX_BINARY_DIR);
	cr_assert_eq(st, 1, "%s", out);
	cr_assert(strstr(out, "`bidx build --full`"), "check should name --full:\n%s", out);
	free(out);
	out = sh(&st, "%s/bidx build -i idx '%s'", BIDX_BINARY_DIR, seeds);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "damaged"), "the build should say the segment is damaged:\n%s", out);
	cr_assert(!strstr(out, "up to date"), "the build left the damage in place:\n%s", out);
	free(out);
	out = sh(&st, "%s/bidx check -i idx", BIDX_BINARY_DIR);
	cr_assert_eq(st, 0, "the index is still damaged after the build:\n%s", out);
	free(out);
}

/* The lines of log that name path exactly ("bidx: PATH: ..."). */
static int verdicts(const char *log, const char *path, int *skipped, int *indexed)
{
	char head[512];
	int n = 0;
	*skipped = *indexed = 0;
	snprintf(head, sizeof head, "bidx: %s: ", path);
	for (const char *l = log; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t ll = e ? (size_t)(e - l) : strlen(l);
		if (ll > strlen(head) && !strncmp(l, head, strlen(head))) {
			n++;
			*skipped += memmem(l, ll, "skipped", 7) != NULL;
			*indexed += memmem(l, ll, "indexed (", 9) != NULL;
		}
		l = e ? e + 1 : NULL;
	}
	return n;
}

Test(walk, each_file_gets_one_verdict)
{
	put("v/good.txt", "個人情報の漏えいについてのお知らせ");
	put("v/bom.txt", "\xef\xbb\xbf");
	put("v/spaces.txt", "   \n\t \n");
	put("v/nohead.csv", "a,b\n1,2\n");
	put("v/header-only.csv", "title,body\n");
	int st;
	char *out = sh(&st, "%s/bidx build -v -i idx v", BIDX_BINARY_DIR);
	cr_assert_eq(st, 0, "%s", out);
	static const char *const empty[] = {"v/bom.txt", "v/spaces.txt", "v/nohead.csv",
	                                    "v/header-only.csv"};
	int sk, ix;
	for (size_t i = 0; i < sizeof empty / sizeof *empty; i++) {
		cr_assert_eq(verdicts(out, empty[i], &sk, &ix), 1, "%s: one line expected:\n%s",
		             empty[i], out);
		cr_assert(sk == 1 && ix == 0, "%s: skipped and indexed at once:\n%s", empty[i], out);
	}
	cr_assert_eq(verdicts(out, "v/good.txt", &sk, &ix), 1, "%s", out);
	cr_assert(ix == 1 && sk == 0, "%s", out);
	free(out);
}
