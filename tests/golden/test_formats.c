/*
 * HTML pages, PDF files and Word documents (tests/fixtures/formats, made by
 * tests/fixtures/make_fixtures.py from the seed notices and livedoor
 * articles): each is indexed beside its plain text, and
 *  - every substring sampled from the plain text (within lines and across
 *    line ends, so across the PDF's own line wraps) that finds the text
 *    finds every version of it;
 *  - title, date and org equal those of the plain text;
 *  - no word of the templates' navigation, header, footer, sidebar, share
 *    buttons or scripts is findable;
 *  - a PDF hit names its page;
 *  - hostile files (truncated and corrupt PDFs, a PDF whose text never
 *    ends, 100,000 nested HTML elements, a zip bomb .docx) are reported,
 *    skipped and counted while the build goes on.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "testutil.h"

#define FIXTURES BIDX_SOURCE_DIR "/tests/fixtures/formats"

static char *ixdir;

static void setup(void)
{
	char cmd[4096];
	int st;
	ixdir = tu_tmpdir("formats");
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s/ix' '%s' 2>&1", BIDX_BINARY_DIR, ixdir,
	         FIXTURES);
	char *out = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "bidx build failed: %s", out);
	free(out);
}

static void teardown(void)
{
	tu_rmtree(ixdir);
	free(ixdir);
}

TestSuite(formats, .init = setup, .fini = teardown, .timeout = 600);

static const char *const kinds[] = {".corp.html", ".old.html", ".pdf", ".docx", NULL};

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)len + 1);
	cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	b[len] = 0;
	fclose(f);
	*n = (size_t)len;
	return b;
}

static int exists(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

/* The reference texts: base names of text/ (without .txt). */
static int texts(char names[][128], int max)
{
	DIR *d = opendir(FIXTURES "/text");
	cr_assert(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		size_t l = strlen(e->d_name);
		if (l > 4 && !strcmp(e->d_name + l - 4, ".txt")) {
			snprintf(names[n], 128, "%.*s", (int)(l - 4), e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static char *bsearch_out(const char *args)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s/ix' %s", BIDX_BINARY_DIR, ixdir, args);
	char *out = tu_run(cmd, &st);
	cr_assert(st == 0 || st == 1, "bsearch %s failed", args);   /* 1: no hits */
	return out;
}

/* A substring of `text` (UTF-8, whole characters, line ends removed when
 * `across`) of 3 to 9 characters, all of them non-ASCII (no query syntax);
 * 0 when the place picked does not give one. */
static int sample(const char *text, size_t len, unsigned *seed, int across, char *out, size_t cap)
{
	size_t at = (size_t)rand_r(seed) % len;
	while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80)
		at--;
	int want = 3 + rand_r(seed) % 7, got = 0, crossed = 0;
	size_t o = 0;
	for (size_t i = at; i < len && got < want;) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n' && across && got > 0) {
			crossed = 1;
			i++;
			continue;
		}
		if (c < 0xE0)
			return 0;   /* ASCII, Latin, an end of line when not across */
		size_t cl = c >= 0xF0 ? 4 : 3;
		if (o + cl + 1 > cap || i + cl > len)
			return 0;
		if (!memcmp(text + i, "\xE3\x80\x80", 3))   /* an ideographic space */
			return 0;
		memcpy(out + o, text + i, cl);
		o += cl;
		i += cl;
		got++;
	}
	out[o] = 0;
	return got == want && (!across || crossed);
}

Test(formats, same_queries_find_every_version)
{
	char names[64][128];
	int n = texts(names, 64), queries = 0, crossing = 0;
	cr_assert_geq(n, 5);
	unsigned seed = 16;
	for (int t = 0; t < n; t++) {
		char path[9000], q[128], args[512];
		size_t len;
		snprintf(path, sizeof path, FIXTURES "/text/%s.txt", names[t]);
		char *text = slurp(path, &len);
		/* a livedoor article's URL and date lines are not in its pages, whose
		 * date line comes between title and body: sample the body */
		size_t from = 0;
		for (int l = 0; !strncmp(text, "http", 4) && l < 3; l++)
			from = (size_t)(strchr(text + from, '\n') - text) + 1;
		for (int k = 0, tries = 0; k < 30 && tries < 3000; tries++) {
			int across = k % 3 == 2;
			if (!sample(text + from, len - from, &seed, across, q, sizeof q))
				continue;
			snprintf(args, sizeof args, "-l -n 100000 '\"%s\"'", q);
			char *out = bsearch_out(args);
			char want[9000];
			snprintf(want, sizeof want, "text/%s.txt\n", names[t]);
			if (!strstr(out, want)) {   /* spelling folds (ー) can differ across a line end */
				free(out);
				continue;
			}
			for (int v = 0; kinds[v]; v++) {
				snprintf(path, sizeof path, FIXTURES "/%s%s", names[t], kinds[v]);
				if (!exists(path))
					continue;
				snprintf(want, sizeof want, "formats/%s%s\n", names[t], kinds[v]);
				cr_expect(strstr(out, want), "\"%s\" finds %s.txt but not %s%s", q, names[t],
				          names[t], kinds[v]);
			}
			queries++;
			k++;
			crossing += across;
			free(out);
		}
		free(text);
	}
	cr_assert_geq(queries, 300, "only %d queries sampled", queries);
	cr_assert_geq(crossing, 100);
}

/* The value of `"key":"` ... `"` after p, copied into out ("" when absent
 * before the line end). */
static void json_get(const char *line, const char *key, char *out, size_t cap)
{
	const char *p = strstr(line, key);
	out[0] = 0;
	if (!p)
		return;
	p += strlen(key);
	size_t o = 0;
	while (*p && *p != '"' && o + 1 < cap) {
		if (*p == '\\' && p[1])
			out[o++] = *p++;
		out[o++] = *p++;
	}
	out[o] = 0;
}

typedef struct docf { char path[300], title[600], date[64], dsrc[64], org[300]; } docf;

Test(formats, title_date_org_equal_the_text)
{
	char *out = bsearch_out("--json -n 100000 'の OR は OR が OR を'");
	docf *d = calloc(256, sizeof *d);
	int n = 0;
	for (char *line = strtok(out, "\n"); line && n < 256; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "{\"total\":", 9))
			continue;   /* the last line */
		json_get(line, "\"path\":\"", d[n].path, sizeof d[n].path);
		json_get(line, "\"title\":\"", d[n].title, sizeof d[n].title);
		json_get(line, "{\"name\":\"date\",\"value\":\"", d[n].date, sizeof d[n].date);
		json_get(line, "{\"name\":\"org\",\"value\":\"", d[n].org, sizeof d[n].org);
		if (d[n].date[0])
			json_get(strstr(line, "{\"name\":\"date\""), "\"source\":\"", d[n].dsrc,
			         sizeof d[n].dsrc);
		n++;
	}
	int compared = 0, titled = 0, dated = 0, orged = 0;
	for (int i = 0; i < n; i++) {
		const char *base = strrchr(d[i].path, '/') + 1;
		if (strstr(d[i].path, "/text/"))
			continue;
		char name[300];
		snprintf(name, sizeof name, "text/%.*s.txt", (int)strcspn(base, "."), base);
		const docf *ref = NULL;
		for (int j = 0; j < n; j++)
			if (strstr(d[j].path, name))
				ref = &d[j];
		cr_assert(ref, "no text version of %s", d[i].path);
		cr_expect_str_eq(d[i].title, ref->title, "%s: title", d[i].path);
		/* a text with empty lines states no date in its first 20 lines where
		 * the page, which has none, reaches one: the same rule, more text;
		 * a text with no date line of its own has an estimated date, and a
		 * page that states one (<time>) keeps its own */
		if (!(ref->date[0] == 0 && !strncmp(d[i].dsrc, "line ", 5)) &&
		    !strstr(ref->dsrc, "estimated"))
			cr_expect_str_eq(d[i].date, ref->date, "%s: date", d[i].path);
		cr_expect_str_eq(d[i].org, ref->org, "%s: org", d[i].path);
		compared++;
		titled += ref->title[0] != 0;
		dated += ref->date[0] != 0;
		orged += ref->org[0] != 0;
	}
	cr_assert_geq(compared, 30);
	cr_assert_geq(titled, 20);
	cr_assert_geq(dated, 20);
	cr_assert_geq(orged, 6);
	free(d);
	free(out);
}

Test(formats, no_navigation_footer_or_script_word)
{
	/* each word is in the templates (checked), in a part that is not content */
	static const char *const words[] = {"ZQN", "ZQF", "ZQZ", "ZQH", "ZQB", "ZQS", "ZQA", NULL};
	size_t len;
	char *page = slurp(FIXTURES "/003_5a5215cd65d3f6e3.corp.html", &len);
	for (int k = 0; words[k]; k++) {
		cr_assert(strstr(page, words[k]) || k == 3, "%s not in the template", words[k]);
		char args[64];
		snprintf(args, sizeof args, "-c %s", words[k]);
		char *out = bsearch_out(args);
		cr_expect_eq(atoi(out), 0, "%s found in %s documents", words[k], out);
		free(out);
	}
	free(page);
	/* and the content around them is found */
	char *out = bsearch_out("-c ながさきどっとこむ");
	cr_assert_geq(atoi(out), 4);
	free(out);
}

Test(formats, pdf_hit_names_its_page)
{
	char *out = bsearch_out("--json -n 100 クレジットカード");
	const char *pdf = strstr(out, "003_5a5215cd65d3f6e3.pdf\"");
	cr_assert(pdf, "the PDF is not found");
	const char *eol = strchr(pdf, '\n');
	const char *page = strstr(pdf, "\"page\":");
	cr_assert(page && (!eol || page < eol), "no page in the PDF's hit");
	cr_assert_geq(atoi(page + 7), 1);
	cr_assert_eq(strstr(out, "corp.html\",\"title\"") && strstr(strstr(out, "corp.html\""), "\"page\"") <
	             strchr(strstr(out, "corp.html\""), '\n') && strstr(strstr(out, "corp.html\""), "\"page\""), 0,
	             "an HTML hit names a page");
	free(out);
	out = bsearch_out("クレジットカード");
	cr_assert(strstr(out, "p. "), "no page in the human output");
	free(out);
}

/* ---- hostile files ---- */

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* Deflates `total` bytes of `unit` repeated (raw deflate when raw, else zlib). */
static unsigned char *bomb(const char *unit, size_t total, int raw, size_t *outlen, uint32_t *crc)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, raw ? -15 : 15, 9, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = total / 50 + 65536, ul = strlen(unit);
	unsigned char *out = malloc(cap), in[65536];
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)unit[i % ul];
	z.next_out = out;
	z.avail_out = (uInt)cap;
	*crc = 0;
	for (size_t done = 0; done < total;) {
		size_t k = total - done < sizeof in - sizeof in % ul ? total - done : sizeof in - sizeof in % ul;
		z.next_in = in;
		z.avail_in = (uInt)k;
		*crc = (uint32_t)crc32(*crc, in, (uInt)k);
		cr_assert_neq(deflate(&z, Z_NO_FLUSH), Z_STREAM_ERROR);
		cr_assert_gt(z.avail_out, 0);
		done += k;
	}
	z.avail_in = 0;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* A one-page PDF whose content stream inflates to `total` bytes of text
 * drawing (`offsets` of the xref are not needed: poppler rebuilds them). */
static void pdf_bomb(const char *path, size_t total)
{
	size_t zl;
	uint32_t crc;
	unsigned char *z = bomb("BT /F1 9 Tf 20 20 Td (aaaaaaaaaaaaaaaa) Tj ET\n", total, 0, &zl, &crc);
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	fprintf(f, "%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	           "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
	           "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 800]/Contents 4 0 R"
	           "/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
	           "5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
	           "4 0 obj<</Length %zu/Filter/FlateDecode>>stream\n", zl);
	fwrite(z, 1, zl, f);
	fprintf(f, "\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n");
	fclose(f);
	free(z);
}

static void put16(FILE *f, unsigned v) { fputc((int)(v & 255), f); fputc((int)(v >> 8), f); }
static void put32(FILE *f, uint32_t v) { put16(f, v & 0xFFFF); put16(f, v >> 16); }

/* A .docx whose word/document.xml inflates to `total` bytes. */
static void zip_bomb(const char *path, size_t total)
{
	size_t zl;
	uint32_t crc;
	unsigned char *z = bomb("<w:t>aaaaaaaaaaaaaaaa</w:t>", total, 1, &zl, &crc);
	const char *name = "word/document.xml";
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	put32(f, 0x04034b50); put16(f, 20); put16(f, 0); put16(f, 8); put16(f, 0); put16(f, 0);
	put32(f, crc); put32(f, (uint32_t)zl); put32(f, (uint32_t)total);
	put16(f, (unsigned)strlen(name)); put16(f, 0);
	fputs(name, f);
	fwrite(z, 1, zl, f);
	long cd = ftell(f);
	put32(f, 0x02014b50); put16(f, 20); put16(f, 20); put16(f, 0); put16(f, 8); put16(f, 0);
	put16(f, 0); put32(f, crc); put32(f, (uint32_t)zl); put32(f, (uint32_t)total);
	put16(f, (unsigned)strlen(name)); put16(f, 0); put16(f, 0); put16(f, 0); put16(f, 0);
	put32(f, 0); put32(f, 0);
	fputs(name, f);
	long end = ftell(f);
	put32(f, 0x06054b50); put16(f, 0); put16(f, 0); put16(f, 1); put16(f, 1);
	put32(f, (uint32_t)(end - cd)); put32(f, (uint32_t)cd); put16(f, 0);
	fclose(f);
	free(z);
}

Test(formats, hostile_files_are_reported_skipped_counted)
{
	char dir[512], p[600], cmd[2048];
	size_t len;
	snprintf(dir, sizeof dir, "%s/hostile", ixdir);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
	int st;
	free(tu_run(cmd, &st));
	char *pdf = slurp(FIXTURES "/003_5a5215cd65d3f6e3.pdf", &len);
	snprintf(p, sizeof p, "%s/a_truncated.pdf", dir);
	write_file(p, pdf, len / 3);
	for (size_t i = 0; i < len; i += 97)   /* every 97th byte garbled */
		pdf[i] ^= 0x5A;
	snprintf(p, sizeof p, "%s/b_corrupt.pdf", dir);
	write_file(p, pdf, len);
	free(pdf);
	snprintf(p, sizeof p, "%s/c_endless.pdf", dir);
	pdf_bomb(p, (size_t)400 << 20);
	snprintf(p, sizeof p, "%s/d_nested.html", dir);
	FILE *f = fopen(p, "w");
	fputs("<!DOCTYPE html><html><body>", f);
	for (int i = 0; i < 100000; i++)
		fputs("<div>", f);
	fputs("深い入れ子", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/e_bomb.docx", dir);
	zip_bomb(p, (size_t)200 << 20);
	snprintf(p, sizeof p, "%s/f_good.txt", dir);
	write_file(p, "無事な通知の本文です。\n", strlen("無事な通知の本文です。\n"));
	/* the child's limits, small so the endless PDF meets one soon */
	snprintf(cmd, sizeof cmd, "BIDX_PDF_LIMITS=cpu=5,mem=512,wall=30 %s/bidx build -j 2 -i '%s/hix' '%s' 2>&1",
	         BIDX_BINARY_DIR, ixdir, dir);
	char *out = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "the build did not go on: %s", out);
	static const char *const files[] = {"a_truncated.pdf", "b_corrupt.pdf", "c_endless.pdf",
	                                    "d_nested.html", "e_bomb.docx", NULL};
	for (int k = 0; files[k]; k++) {
		char *at = strstr(out, files[k]);
		cr_assert(at, "%s not reported:\n%s", files[k], out);
		char *eol = strchr(at, '\n');
		char *skipped = strstr(at, "skipped");
		cr_expect(skipped && skipped < eol, "%s not skipped:\n%s", files[k], out);
	}
	cr_expect(strstr(out, "c_endless.pdf: PDF extraction failed ("), "%s", out);
	cr_expect(strstr(out, "d_nested.html: HTML elements nested deeper"), "%s", out);
	cr_expect(strstr(out, "e_bomb.docx: word/document.xml inflates to more than"), "%s", out);
	cr_expect(strstr(out, "skipped 5"), "not counted:\n%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s/hix' -c 無事な通知", BIDX_BINARY_DIR, ixdir);
	out = tu_run(cmd, &st);
	cr_assert_eq(atoi(out), 1, "the good file is not indexed");
	free(out);
}
