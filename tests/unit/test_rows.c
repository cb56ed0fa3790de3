/*
 * test_rows.c - CSV and JSON Lines readers: RFC 4180 edge cases, every JSON
 * escape, bad records reported and skipped, and the real municipal CSVs
 * (1,814 notices, each file's count checked against Python's csv module
 * when python3 is there).
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "io.h"
#include "testutil.h"

#define MUNICIPAL_ROWS 1814   /* stated by corpus/README.md */

/* bidx_rows_next as 1 (a row), 0 (the end) or -1 (a bad record), checking
 * its contract on the way: a bad record is BIDX_EINPUT with no row. */
static int rows_next(bidx_rows *r, bidx_row *row, char *why, size_t whylen)
{
	int have = -1;
	bidx_err rc = bidx_rows_next(r, row, &have, why, whylen);
	cr_assert(rc == BIDX_OK || rc == BIDX_EINPUT, "rc %d", (int)rc);
	cr_assert(have == 0 || (have == 1 && rc == BIDX_OK), "have %d with rc %d", have, (int)rc);
	return rc ? -1 : have;
}

static bidx_rows *open_ok(bidx_rows_kind kind, const char *data)
{
	bidx_rows *r = NULL;
	char why[256];
	bidx_err e = bidx_rows_open(kind, data, strlen(data), &r, why, sizeof why);

	cr_assert_eq(e, BIDX_OK, "open: %s", why);
	cr_assert_not_null(r);
	return r;
}

/* The next row must be good and hold exactly these values (n of them). */
static void expect_row(bidx_rows *r, uint32_t line, size_t n, const char *const *vals)
{
	bidx_row row;
	char why[256] = "";
	size_t i;
	int rc = rows_next(r, &row, why, sizeof why);

	cr_assert_eq(rc, 1, "rc %d: %s", rc, why);
	cr_assert_eq(row.line, line, "line %u, want %u", row.line, line);
	cr_assert_eq(row.ncells, n, "%zu cells, want %zu", row.ncells, n);
	for (i = 0; i < n; i++) {
		cr_assert_eq(row.lens[i], strlen(vals[i]), "cell %zu: '%s'", i, row.values[i]);
		cr_assert_str_eq(row.values[i], vals[i], "cell %zu", i);
	}
}

/* The next record must be bad, at that line, with a message that starts
 * with why_prefix, says once what happens to it and names no place (the
 * caller puts "FILE:LINE: " before it). */
static void expect_bad(bidx_rows *r, uint32_t line, const char *why_prefix)
{
	bidx_row row;
	char why[256] = "";
	int rc = rows_next(r, &row, why, sizeof why);

	cr_assert_eq(rc, -1, "rc %d", rc);
	cr_assert_eq(row.line, line, "line %u, want %u: %s", row.line, line, why);
	cr_assert_eq(strncmp(why, why_prefix, strlen(why_prefix)), 0, "why: %s", why);
	cr_assert_null(strstr(why, "line "), "the line is the caller's to say: %s", why);
	const char *v = strstr(why, "; ");
	cr_assert(v && (!strcmp(v, "; skipped") || !strcmp(v, "; the rest of the file is skipped")),
	          "one verdict at the end: %s", why);
}

static void expect_end(bidx_rows *r)
{
	bidx_row row;
	char why[256] = "";

	cr_assert_eq(rows_next(r, &row, why, sizeof why), 0, "%s", why);
	cr_assert_eq(rows_next(r, &row, why, sizeof why), 0);
}

/* --- CSV --- */

Test(csv, header_and_names)
{
	bidx_rows *r = open_ok(BIDX_ROWS_CSV, "a,b,c\n1,2,3\n");
	bidx_row row;
	char why[64];

	cr_assert_eq(rows_next(r, &row, why, sizeof why), 1);
	cr_assert_eq(row.ncells, 3);
	cr_assert_str_eq(row.names[0], "a");
	cr_assert_str_eq(row.names[2], "c");
	cr_assert_str_eq(row.values[1], "2");
	expect_end(r);
	bidx_rows_free(r);
}

Test(csv, quoting)
{
	bidx_rows *r = open_ok(BIDX_ROWS_CSV,
	                       "t,body\r\n"
	                       "\"a,b\",\"say \"\"hi\"\"\"\r\n"
	                       "x,\"two\r\nlines\nthree\"\r\n"
	                       "\"\",\r\n"
	                       "plain\"quote,\"\"\r\n"
	                       "\"after\"junk,z");
	expect_row(r, 2, 2, (const char *const[]){"a,b", "say \"hi\""});
	expect_row(r, 3, 2, (const char *const[]){"x", "two\r\nlines\nthree"});
	expect_row(r, 6, 2, (const char *const[]){"", ""});
	expect_row(r, 7, 2, (const char *const[]){"plain\"quote", ""});
	expect_row(r, 8, 2, (const char *const[]){"afterjunk", "z"});
	expect_end(r);
	bidx_rows_free(r);
}

Test(csv, bom_blank_lines_no_trailing_newline)
{
	bidx_rows *r = open_ok(BIDX_ROWS_CSV, "\xEF\xBB\xBF名前,値\n\n田中,1\n\r\n鈴木,2");
	bidx_row row;
	char why[64];

	expect_row(r, 3, 2, (const char *const[]){"田中", "1"});
	expect_row(r, 5, 2, (const char *const[]){"鈴木", "2"});
	expect_end(r);
	bidx_rows_free(r);
	r = open_ok(BIDX_ROWS_CSV, "\xEF\xBB\xBF名前,値\n");
	cr_assert_eq(rows_next(r, &row, why, sizeof why), 0);
	bidx_rows_free(r);
}

Test(csv, lone_cr_and_empty_fields)
{
	bidx_rows *r = open_ok(BIDX_ROWS_CSV, "a,b,c\r,,\r1,,3\r");

	expect_row(r, 2, 3, (const char *const[]){"", "", ""});
	expect_row(r, 3, 3, (const char *const[]){"1", "", "3"});
	expect_end(r);
	bidx_rows_free(r);
}

Test(csv, bad_records_are_skipped)
{
	bidx_rows *r = open_ok(BIDX_ROWS_CSV, "a,b\n1,2\n1,2,3\nonly\n3,4\n\"open,5\n6,7\n");

	expect_row(r, 2, 2, (const char *const[]){"1", "2"});
	expect_bad(r, 3, "3 fields, the header has 2");
	expect_bad(r, 4, "1 fields");
	expect_row(r, 5, 2, (const char *const[]){"3", "4"});
	expect_bad(r, 6, "unterminated quote");
	expect_end(r);
	bidx_rows_free(r);
}

Test(csv, empty_and_headless)
{
	static const char *const bad[] = {"", "\n\r\n", "\xEF\xBB\xBF", "\n", "\"unterminated"};
	bidx_rows *r = (bidx_rows *)1;
	char why[128];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		cr_assert_eq(bidx_rows_open(BIDX_ROWS_CSV, bad[i], strlen(bad[i]), &r, why,
		                            sizeof why), BIDX_EINPUT, "case %zu", i);
		cr_assert_null(r);
		cr_assert_neq(why[0], '\0');
		cr_assert_null(strstr(why, "line "), "case %zu: %s", i, why);
	}
	bidx_rows_free(NULL);
}

/* Reads a whole file into memory (NUL-terminated). */
static char *slurp(const char *path, size_t *len)
{
	char *p;
	cr_assert_eq(bidx_read_file(path, &p, len), BIDX_OK, "%s", path);
	return p;
}

/* Records of one file by bidx_rows; checks header and that none is bad. */
static long count_csv(const char *path)
{
	static const char *const cols[] = {"自治体名", "公開年月", "発行号タイトル", "記事タイトル",
	                                   "カテゴリ", "記事本文"};
	bidx_rows *r = NULL;
	bidx_row row;
	char why[256];
	size_t len, i;
	char *data = slurp(path, &len);
	long n = 0;
	int rc;

	cr_assert_eq(bidx_rows_open(BIDX_ROWS_CSV, data, len, &r, why, sizeof why), BIDX_OK,
	             "%s: %s", path, why);
	while ((rc = rows_next(r, &row, why, sizeof why)) != 0) {
		cr_assert_eq(rc, 1, "%s: %s", path, why);
		cr_assert_eq(row.ncells, 6);
		for (i = 0; i < 6; i++)
			cr_assert_str_eq(row.names[i], cols[i]);
		cr_assert_gt(row.lens[3], 0, "%s line %u: no title", path, row.line);
		n++;
	}
	bidx_rows_free(r);
	free(data);
	return n;
}

/* Python's csv module as the independent count: "count<TAB>name" lines. */
static char *python_counts(const char *dir)
{
	char cmd[8192];
	char *out;
	int status;

	snprintf(cmd, sizeof cmd,
	         "python3 -c 'import csv,os,sys\n"
	         "d=sys.argv[1]\n"
	         "for f in sorted(os.listdir(d)):\n"
	         "  if f.endswith(\".csv\"):\n"
	         "    rows=list(csv.reader(open(os.path.join(d,f),encoding=\"utf-8-sig\",newline=\"\")))\n"
	         "    print(\"%%d\\t%%s\" %% (len(rows)-1, f))' '%s' 2>/dev/null", dir);
	out = tu_run(cmd, &status);
	if (out == NULL || status != 0 || out[0] == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

/* The count python3 gives for file name, or -1. */
static long python_count(const char *counts, const char *name)
{
	char key[1024];
	const char *p;

	snprintf(key, sizeof key, "\t%s\n", name);
	p = strstr(counts, key);
	if (p == NULL)
		return -1;
	while (p > counts && p[-1] != '\n')
		p--;
	return strtol(p, NULL, 10);
}

Test(csv, municipal_corpus, .timeout = 120)
{
	const char *base = tu_corpus("municipal");
	char dir[4096], path[8192];
	struct dirent *de;
	long total = 0, n, py, nfiles = 0;
	char *counts;
	DIR *d;

	if (base == NULL)
		cr_skip_test("municipal corpus not found");
	snprintf(dir, sizeof dir, "%s/csv", base);
	counts = python_counts(dir);
	if (counts == NULL)
		fprintf(stderr, "note: python3 not available; checking the stated total only\n");
	d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 4 || strcmp(de->d_name + l - 4, ".csv") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		n = count_csv(path);
		if (counts) {
			py = python_count(counts, de->d_name);
			cr_assert_eq(n, py, "%s: %ld records, python3 says %ld", de->d_name, n, py);
		}
		total += n;
		nfiles++;
	}
	closedir(d);
	free(counts);
	cr_assert_eq(nfiles, 41);
	cr_assert_eq(total, MUNICIPAL_ROWS);
}

/* --- JSON Lines --- */

Test(jsonl, values)
{
	bidx_rows *r = open_ok(BIDX_ROWS_JSONL,
	                       "{\"title\": \"漏えい\", \"n\": -12.5e3, \"ok\": true, \"no\": false,"
	                       " \"x\": null, \"e\": \"\", \"tags\": [1, {\"a\": \"b\"}], \"o\": {}}\n");
	bidx_row row;
	char why[64];

	cr_assert_eq(rows_next(r, &row, why, sizeof why), 1);
	cr_assert_eq(row.ncells, 6);
	cr_assert_str_eq(row.names[0], "title");
	cr_assert_str_eq(row.values[0], "漏えい");
	cr_assert_str_eq(row.names[1], "n");
	cr_assert_str_eq(row.values[1], "-12.5e3");
	cr_assert_str_eq(row.values[2], "true");
	cr_assert_str_eq(row.values[3], "false");
	cr_assert_str_eq(row.names[4], "tags");
	cr_assert_str_eq(row.values[4], "[1, {\"a\": \"b\"}]");
	cr_assert_str_eq(row.names[5], "o");
	cr_assert_str_eq(row.values[5], "{}");
	expect_end(r);
	bidx_rows_free(r);
}

Test(jsonl, escapes)
{
	bidx_rows *r = open_ok(BIDX_ROWS_JSONL,
	                       "{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\","
	                       " \"u\":\"\\u6f0f\\u3048\\u3044 \\u00e9 \\u0041\","
	                       " \"sp\":\"\\ud83d\\ude00 \\uD842\\uDFB7\","
	                       " \"k\\u0065y\":\"v\"}");
	bidx_row row;
	char why[64];

	cr_assert_eq(rows_next(r, &row, why, sizeof why), 1);
	cr_assert_eq(row.ncells, 4);
	cr_assert_str_eq(row.values[0], "q\" b\\ s/ \b\f\n\r\t");
	cr_assert_str_eq(row.values[1], "漏えい é A");
	cr_assert_str_eq(row.values[2], "\xF0\x9F\x98\x80 \xF0\xA0\xAE\xB7");
	cr_assert_str_eq(row.names[3], "key");
	expect_end(r);
	bidx_rows_free(r);
}

Test(jsonl, bad_lines_are_skipped)
{
	bidx_rows *r = open_ok(BIDX_ROWS_JSONL,
	                       "\xEF\xBB\xBF{\"a\":\"1\"}\r\n"
	                       "\n"
	                       "   \n"
	                       "{\"a\":\"2\",}\n"
	                       "[1,2]\n"
	                       "{\"a\":\"\\ud800\"}\n"
	                       "{\"a\":\"\\x\"}\n"
	                       "{\"a\":01}\n"
	                       "{\"a\":\"3\"} x\n"
	                       "{\"a\" \"3\"}\n"
	                       "{\"a\":\"tab\there\"}\n"
	                       "{\"a\":\"4\"}\n"
	                       "{\"a\":nul}\n"
	                       "{\"a\":\"unterminated}\n"
	                       "{}\n"
	                       "{\"a\":\"5\"}");

	expect_row(r, 1, 1, (const char *const[]){"1"});
	expect_bad(r, 4, "expected a member name");
	expect_bad(r, 5, "not a JSON object");
	expect_bad(r, 6, "high surrogate");
	expect_bad(r, 7, "bad escape");
	expect_bad(r, 8, "expected ',' or '}'");
	expect_bad(r, 9, "text after the object");
	expect_bad(r, 10, "expected ':'");
	expect_bad(r, 11, "control character");
	expect_row(r, 12, 1, (const char *const[]){"4"});
	expect_bad(r, 13, "unexpected character");
	expect_bad(r, 14, "unterminated string");
	expect_row(r, 15, 0, NULL);
	expect_row(r, 16, 1, (const char *const[]){"5"});
	expect_end(r);
	bidx_rows_free(r);
}

/* The next row is good, with this note in why. */
static bidx_row expect_note(bidx_rows *r, const char *note)
{
	bidx_row row;
	char why[256] = "x";

	cr_assert_eq(rows_next(r, &row, why, sizeof why), 1, "%s", why);
	cr_assert_str_eq(why, note);
	return row;
}

Test(jsonl, a_repeated_key_keeps_the_first_with_a_note)
{
	bidx_rows *r = open_ok(BIDX_ROWS_JSONL,
	                       "{\"title\":\"a\",\"body\":\"x\",\"title\":\"b\"}\n"
	                       "{\"title\":\"c\"}\n"
	                       "{\"k\":1,\"t\":2,\"k\":3,\"t\":4,\"k\":5}\n"
	                       "{\"\\u001b[31m\":1,\"\\u001b[31m\":2}\n");
	bidx_row row = expect_note(r, "duplicate key \"title\"; the first is kept");
	cr_assert_eq(row.ncells, 2);
	cr_assert_str_eq(row.names[0], "title");
	cr_assert_str_eq(row.values[0], "a");
	cr_assert_str_eq(row.names[1], "body");
	/* the note does not stick to the next record */
	row = expect_note(r, "");
	cr_assert_eq(row.ncells, 1);
	row = expect_note(r, "duplicate key \"k\" (and 2 more); the first of each name is kept");
	cr_assert_eq(row.ncells, 2);
	cr_assert_str_eq(row.values[0], "1");
	cr_assert_str_eq(row.values[1], "2");
	/* the name is quoted as it is: the caller renders messages (termsafe.h) */
	row = expect_note(r, "duplicate key \"\x1b[31m\"; the first is kept");
	cr_assert_eq(row.ncells, 1);
	expect_end(r);
	bidx_rows_free(r);
}

Test(jsonl, many_repeated_keys)
{
	/* 200,000 members of one name: found by sorting, one kept */
	size_t n = 200000, k = 0;
	char *line = malloc(n * 8 + 16);
	line[k++] = '{';
	for (size_t i = 0; i < n; i++)
		k += (size_t)sprintf(line + k, "%s\"a\":%zu", i ? "," : "", i % 10);
	strcpy(line + k, "}");
	bidx_rows *r = open_ok(BIDX_ROWS_JSONL, line);
	bidx_row row = expect_note(r, "duplicate key \"a\" (and 199998 more); the first of each "
	                              "name is kept");
	cr_assert_eq(row.ncells, 1);
	cr_assert_str_eq(row.values[0], "0");
	bidx_rows_free(r);
	free(line);
}

Test(csv, a_repeated_column_keeps_the_first_with_a_note)
{
	const char *data = "title,body,title,備考,備考\nA,本文,B,x,y\nC,本文2,D,z,w\n";
	bidx_rows *r = NULL;
	char why[256];

	cr_assert_eq(bidx_rows_open(BIDX_ROWS_CSV, data, strlen(data), &r, why, sizeof why), BIDX_OK);
	cr_assert_str_eq(why, "duplicate column \"title\" (and 1 more); the first of each name "
	                      "is kept");
	for (int i = 0; i < 2; i++) {
		bidx_row row = expect_note(r, "");
		cr_assert_eq(row.ncells, 3);
		cr_assert_str_eq(row.names[0], "title");
		cr_assert_str_eq(row.values[0], i ? "C" : "A");
		cr_assert_str_eq(row.names[1], "body");
		cr_assert_str_eq(row.names[2], "備考");
		cr_assert_str_eq(row.values[2], i ? "z" : "x");
	}
	expect_end(r);
	bidx_rows_free(r);
	/* a header of distinct names says nothing */
	r = NULL;
	cr_assert_eq(bidx_rows_open(BIDX_ROWS_CSV, "a,b\n1,2\n", 8, &r, why, sizeof why), BIDX_OK);
	cr_assert_str_eq(why, "");
	bidx_rows_free(r);
}

Test(jsonl, deep_nesting_is_refused)
{
	char line[400];
	bidx_rows *r;
	int i, k = 0;

	k += sprintf(line + k, "{\"a\":");
	for (i = 0; i < 100; i++)
		line[k++] = '[';
	for (i = 0; i < 100; i++)
		line[k++] = ']';
	line[k++] = '}';
	line[k] = '\0';
	r = open_ok(BIDX_ROWS_JSONL, line);
	expect_bad(r, 1, "nested too deeply");
	expect_end(r);
	bidx_rows_free(r);
}

Test(jsonl, empty_input)
{
	bidx_rows *r = open_ok(BIDX_ROWS_JSONL, "");

	expect_end(r);
	bidx_rows_free(r);
}
