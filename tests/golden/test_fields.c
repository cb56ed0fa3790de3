/*
 * Notice understanding end to end: fields extracted from the seed notices
 * and the municipal CSV rows, field and range queries, sorting and facets,
 * through the real bidx and bsearch binaries.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "index.h"
#include "segment.h"
#include "testutil.h"

static char *ixdir;

static void build(const char *corpus)
{
	char cmd[8192];
	int st;
	ixdir = tu_tmpdir("fields");
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i %s %s 2>&1", BIDX_BINARY_DIR, ixdir, corpus);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build failed: %s", o);
	free(o);
}

static void seeds_setup(void)
{
	const char *s = tu_corpus("seeds");
	cr_assert(s);
	build(s);
}

static void teardown(void)
{
	tu_rmtree(ixdir);
	free(ixdir);
}

/* -l output as seed numbers "002 004" in rank order. */
static char *ranked(const char *args)
{
	static char out[1024];
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s -l %s", BIDX_BINARY_DIR, ixdir, args);
	char *o = tu_run(cmd, &st);
	out[0] = 0;
	for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n")) {
		const char *base = strrchr(line, '/');
		base = base ? base + 1 : line;
		size_t l = strlen(out);
		snprintf(out + l, sizeof out - l, "%s%.3s", l ? " " : "", base);
	}
	free(o);
	return out;
}

static char *sorted(const char *args)
{
	/* order-independent: sort the numbers */
	char *r = ranked(args);
	char *v[16];
	int n = 0;
	for (char *t = strtok(r, " "); t && n < 16; t = strtok(NULL, " "))
		v[n++] = t;
	static char out[1024];
	out[0] = 0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(v[j], v[i]) < 0) {
				char *t = v[i]; v[i] = v[j]; v[j] = t;
			}
	for (int i = 0; i < n; i++) {
		size_t l = strlen(out);
		snprintf(out + l, sizeof out - l, "%s%s", i ? " " : "", v[i]);
	}
	return out;
}

TestSuite(seed_fields, .init = seeds_setup, .fini = teardown);

Test(seed_fields, date_year) { cr_assert_str_eq(sorted("date:2016"), "002 004"); }
Test(seed_fields, date_era)
{
	/* 平成28年 is all of 2016: カゴヤ (2016-11-09) too */
	cr_assert_str_eq(sorted("date:平成28年"), "002 004");
	cr_assert_str_eq(sorted("date:平成28年9月"), "002");
}
Test(seed_fields, date_range) { cr_assert_str_eq(sorted("date:2016-01..2018-12"), "000 002 004"); }
Test(seed_fields, date_open_range)
{
	/* 001 states no date: its latest timeline date (2019-03-28, estimated) */
	cr_assert_str_eq(sorted("'date:>=2018-01-01'"), "000 001 003");
	cr_assert_str_eq(sorted("'date:<2018'"), "002 004");
}
Test(seed_fields, affected_at_least) { cr_assert_str_eq(sorted("'affected:>=40000'"), "003 004"); }
Test(seed_fields, leaked_security_code) { cr_assert_str_eq(sorted("leaked:セキュリティコード"), "001 003"); }
Test(seed_fields, org_substring) { cr_assert_str_eq(sorted("org:九州商船"), "000"); }
Test(seed_fields, title_field) { cr_assert_str_eq(sorted("title:お詫び"), "001 004"); }
Test(seed_fields, filters_with_words) { cr_assert_str_eq(sorted("クレジットカード date:2016"), "002"); }
Test(seed_fields, negated_filter) { cr_assert_str_eq(sorted("-- 不正アクセス -date:2016 -date:2018"), "001 003"); }
Test(seed_fields, unknown_field_is_text)
{
	/* "https:" is no field: the word is searched as typed */
	cr_assert_str_eq(sorted("https://nanatsuboshi-gallery.jp"), "001");
}

Test(seed_fields, sort_by_date)
{
	cr_assert_str_eq(ranked("--sort date 'date:>=2000'"), "002 004 000 001 003");
	cr_assert_str_eq(ranked("--sort -date 'date:>=2000'"), "003 001 000 004 002");
}

Test(seed_fields, bad_range_is_an_error)
{
	int st;
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s -c 'date:2018-13' 2>&1", BIDX_BINARY_DIR, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 2, "%s", o);
	cr_assert(strstr(o, "date:2018-13"), "%s", o);
	free(o);
}

/* bsearch on the index built from the seeds; its exit status, stderr in *err. */
static int search(const char *query, char **err)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s -c -- '%s' 2>&1 >/dev/null", BIDX_BINARY_DIR,
	         ixdir, query);
	*err = tu_run(cmd, &st);
	return st;
}

/* Counts past BIDX_COUNT_MAX used to wrap around (affected:184467440737095595千
 * matched 78840名); now a query naming one is refused with its position. */
Test(seed_fields, a_count_past_the_limit_is_refused)
{
	static const char *const bad[] = {"affected:184467440737095595千",
	                                  "affected:>=1844674407370956万",
	                                  "affected:99999999999999999999999",
	                                  "affected:1..1000000000000000",
	                                  "affected:<=１０００００００００００万"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *err;
		int st = search(bad[i], &err);
		cr_assert_eq(st, 2, "%s: exit %d\n%s", bad[i], st, err);
		cr_assert(strstr(err, bad[i]) && strstr(err, "at byte 0") &&
		          strstr(err, "past 999999999999999"), "%s:\n%s", bad[i], err);
		free(err);
	}
	char *err;
	cr_assert_eq(search("クレジットカード affected:999999999999999", &err), 1, "%s", err);
	free(err);
	cr_assert_str_eq(sorted("'affected:40000..999999999999999'"), "003 004");
}

/* date:, org:, title: with nothing after the colon used to search the text
 * "date:" and exit 1; for a field of the index they are a query error. */
Test(seed_fields, an_empty_field_value_is_an_error)
{
	static const struct { const char *q; const char *where; } bad[] = {
		{"date:", "at byte 0: date: needs a value"},
		{"org:", "at byte 0: org: needs a value"},
		{"title:", "at byte 0: title: needs a value"},
		{"affected:", "at byte 0: affected: needs a value"},
		{"leaked:", "at byte 0: leaked: needs a value"},
		{"クレジットカード category:", "at byte 25: category: needs a value"},
		{"存在しない語 -url:", "at byte 20: url: needs a value"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *err;
		int st = search(bad[i].q, &err);
		cr_assert_eq(st, 2, "%s: exit %d\n%s", bad[i].q, st, err);
		cr_assert(strstr(err, bad[i].where), "%s: no '%s' in:\n%s", bad[i].q, bad[i].where, err);
		free(err);
	}
	/* quoted, or a name that is no field: the text as typed */
	char *err;
	cr_assert_eq(search("\"org:\"", &err), 1, "%s", err);
	free(err);
	cr_assert_eq(search("nosuchfield:", &err), 1, "%s", err);
	free(err);
	cr_assert_str_eq(sorted("'\"org:\"' OR 九州商船"), "000");
}

Test(seed_fields, json_fields_and_facets)
{
	int st;
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s --json --facet year,leaked org:カゴヤ",
	         BIDX_BINARY_DIR, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(o, "\"name\":\"date\",\"value\":\"2016-11-09\""), "%s", o);
	cr_assert(strstr(o, "\"name\":\"org\",\"value\":\"カゴヤ・ジャパン株式会社\""), "%s", o);
	cr_assert(strstr(o, "\"affected\":{\"value\":48685,\"unit\":\"件\""), "%s", o);
	cr_assert(strstr(o, ",\"facets\":{\"year\":{\"2016\":1}"), "%s", o);
	free(o);
}

/* --- municipal CSV: every row becomes a notice with its own fields --- */

static void municipal_setup(void)
{
	const char *m = tu_corpus("municipal");
	char csv[4200];
	cr_assert(m);
	snprintf(csv, sizeof csv, "%s/csv", m);
	build(csv);
}

TestSuite(municipal, .init = municipal_setup, .fini = teardown);

/* A small independent RFC 4180 reader: the fields of the record at *p. */
static int csv_record(const char **p, const char *end, char **f, int max)
{
	int n = 0;
	const char *s = *p;
	if (s >= end)
		return 0;
	for (;;) {
		char *buf = malloc((size_t)(end - s) + 1);
		size_t k = 0;
		if (s < end && *s == '"') {
			for (s++; s < end; s++) {
				if (*s == '"' && s + 1 < end && s[1] == '"')
					buf[k++] = '"', s++;
				else if (*s == '"')
					break;
				else
					buf[k++] = *s;
			}
			s++;
		} else {
			while (s < end && *s != ',' && *s != '\n' && *s != '\r')
				buf[k++] = *s++;
		}
		buf[k] = 0;
		if (n < max)
			f[n++] = buf;
		else
			free(buf);
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		while (s < end && (*s == '\r' || *s == '\n'))
			s++;
		break;
	}
	*p = s;
	return n;
}

/* The value of field name in doc's FIELDSTR record, or "". */
static void field_of(bidx_segment *seg, uint32_t doc, const char *name, char *out, size_t n)
{
	bidx_fieldrec fr;
	bidx_fstr f;
	out[0] = 0;
	cr_assert_eq(bidx_segment_fields(seg, doc, &fr), BIDX_OK);
	const uint8_t *p = bidx_segment_fieldstr(seg, &fr), *end = p + fr.str_len;
	int have;
	while (bidx_fstr_next(&p, end, &f, &have) == BIDX_OK && have)
		if (f.nlen == strlen(name) && !memcmp(f.name, name, f.nlen)) {
			snprintf(out, n, "%.*s", (int)f.vlen, f.value);
			return;
		}
}

Test(municipal, every_row_is_a_notice_with_its_fields, .timeout = 600)
{
	bidx_index *ix;
	char why[256];
	cr_assert_eq(bidx_index_open(ixdir, &ix, why, sizeof why), BIDX_OK, "%s", why);
	bidx_segment *seg = ix->seg[0];   /* built from scratch: one segment */
	uint32_t ndocs = bidx_segment_ndocs(seg);
	cr_assert_eq(ndocs, 1814, "expected 1,814 notices, got %u", ndocs);
	for (uint32_t d = 0; d < ndocs; d++) {
		bidx_docrec rec;
		cr_assert_eq(bidx_segment_doc(seg, d, &rec), BIDX_OK);
		char path[4096];
		snprintf(path, sizeof path, "%.*s", (int)rec.path_len, bidx_segment_path(seg, &rec));
		char *colon = strrchr(path, ':');
		cr_assert(colon, "row path without a line: %s", path);
		*colon = 0;
		long line = atol(colon + 1);
		/* the row at that line, read independently */
		char *data;
		size_t len;
		FILE *fp = fopen(path, "rb");
		cr_assert(fp, "%s", path);
		fseek(fp, 0, SEEK_END);
		len = (size_t)ftell(fp);
		rewind(fp);
		data = malloc(len + 1);
		cr_assert_eq(fread(data, 1, len, fp), len);
		fclose(fp);
		const char *p = data, *end = data + len;
		for (long l = 1; l < line; p++)
			if (*p == '\n')
				l++;
		char *f[8] = {0};
		int nf = csv_record(&p, end, f, 8);
		cr_assert_eq(nf, 6, "%s:%ld", path, line);
		char org[512], cat[512], date[64], want_date[16];
		field_of(seg, d, "org", org, sizeof org);
		field_of(seg, d, "category", cat, sizeof cat);
		field_of(seg, d, "date", date, sizeof date);
		snprintf(want_date, sizeof want_date, "%.4s-%.2s-%.2s", f[1], f[1] + 5, f[1] + 8);
		cr_assert_str_eq(org, f[0], "%s:%ld org", path, line);
		cr_assert_str_eq(cat, f[4], "%s:%ld category", path, line);
		cr_assert_str_eq(date, want_date, "%s:%ld date (%s)", path, line, f[1]);
		for (int i = 0; i < nf; i++)
			free(f[i]);
		free(data);
	}
	bidx_index_close(ix);
}

Test(municipal, field_queries_and_facets)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s -c 'category:イベント org:厚木市'", BIDX_BINARY_DIR, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0);
	cr_assert_gt(atoi(o), 0);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s -c 'date:2025'", BIDX_BINARY_DIR, ixdir);
	o = tu_run(cmd, &st);
	cr_assert_eq(atoi(o), 675, "notices dated 2025: %s", o);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s -n 0 --facet category 'date:2024..2025'",
	         BIDX_BINARY_DIR, ixdir);
	o = tu_run(cmd, &st);
	cr_assert(strstr(o, "category: くらし (780), イベント (193), 子育て (179)"), "%s", o);
	free(o);
}

/* --- JSON Lines and --map: column names the indexer does not know --- */

static char *sdir;

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void structured_setup(void)
{
	sdir = tu_tmpdir("structured");
	write_file(sdir, "a.jsonl",
	           "{\"title\":\"システム障害のお知らせ\",\"date\":\"2024-04-15\",\"issuer\":\"テスト株式会社\","
	           "\"body\":\"不正アクセスにより氏名と住所が流出しました。\",\"region\":\"関東\"}\n"
	           "not json\n"
	           "{\"件名\":\"お詫び\",\"日付\":\"令和元年5月1日\",\"本文\":\"誤送信がありました。\"}\n");
	write_file(sdir, "b.csv",
	           "headline,when,who,story\n"
	           "\"第二報\",2019/03/01,\"サンプル協会\",\"調査を続けています。\"\n");
	ixdir = tu_tmpdir("structured-ix");
	char cmd[16384];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i %s --map headline=title --map when=date "
	         "--map who=org --map story=body %s 2>&1", BIDX_BINARY_DIR, ixdir, sdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	/* the bad JSON line is reported with its line and skipped */
	cr_assert(strstr(o, "a.jsonl:2: not a JSON object at byte 1; skipped\n"), "%s", o);
	free(o);
}

static void structured_teardown(void)
{
	tu_rmtree(sdir);
	free(sdir);
	teardown();
}

TestSuite(structured, .init = structured_setup, .fini = structured_teardown);

static char *q(const char *args)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s %s", BIDX_BINARY_DIR, ixdir, args);
	return tu_run(cmd, &st);
}

/* A notice stating a count past BIDX_COUNT_MAX: the count is dropped with a
 * note under -v, the notice keeps the largest count in range. */
Test(structured, a_count_past_the_limit_is_dropped_with_a_note)
{
	char *dir = tu_tmpdir("bigcount"), *ix = tu_tmpdir("bigcount-ix");
	/* incident notices: only they carry counts */
	write_file(dir, "a.txt", "個人情報漏えいのお詫び\n最大78,840名の個人情報が流出しました。\n"
	                         "個人情報99999999999999999999999件と18446744073709551616件が流出。\n");
	write_file(dir, "b.csv", "title,body\n個人情報流出のお詫び,\"個人情報1844674407370956万件が流出\"\n");
	char cmd[16384];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -v -i %s %s 2>&1", BIDX_BINARY_DIR, ix, dir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	cr_assert(strstr(o, "a.txt: affected count 99999999999999999999999件 is past "
	                    "999999999999999; not recorded"), "%s", o);
	cr_assert(strstr(o, "b.csv:2: affected count 1844674407370956万件 is past"), "%s", o);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bidx build -i %s %s --full 2>&1", BIDX_BINARY_DIR, ix, dir);
	o = tu_run(cmd, &st);
	cr_assert(!strstr(o, "not recorded"), "a note without -v:\n%s", o);
	free(o);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i %s --json 'affected:>=1'", BIDX_BINARY_DIR, ix);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	cr_assert(strstr(o, "\"affected\":{\"value\":78840"), "%s", o);
	cr_assert(!strstr(o, "b.csv"), "the CSV row's count was recorded:\n%s", o);
	free(o);
	tu_rmtree(dir);
	tu_rmtree(ix);
	free(dir);
	free(ix);
}

Test(structured, jsonl_records_with_their_lines)
{
	char *o = q("--records 'date:2019'");
	cr_assert(strstr(o, "a.jsonl:3\n"), "令和元年5月1日 is 2019: %s", o);
	cr_assert(strstr(o, "b.csv:2\n"), "%s", o);
	free(o);
	o = q("--records org:テスト");
	cr_assert(strstr(o, "a.jsonl:1\n"), "%s", o);
	free(o);
	o = q("--records region:関東");   /* an extra key, searchable by its name */
	cr_assert(strstr(o, "a.jsonl:1\n"), "%s", o);
	free(o);
}

Test(structured, map_overrides_column_names)
{
	char *o = q("--json org:サンプル");
	cr_assert(strstr(o, "\"title\":\"第二報\""), "%s", o);
	cr_assert(strstr(o, "\"name\":\"date\",\"value\":\"2019-03-01\",\"source\":\"CSV column when\""), "%s", o);
	free(o);
	o = q("-c 調査");
	cr_assert_str_eq(o, "1\n");
	free(o);
}

/* A CSV index passes the full structural check (META totals, checkpoints,
 * postings against the texts). */
Test(municipal, bidx_check_is_clean)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx check -i %s", BIDX_BINARY_DIR, ixdir);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	free(o);
}
