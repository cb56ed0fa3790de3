/*
 * The document extractors (html.c, docx.c, the page joining of pdf.c) under
 * failing allocations, and what they leave on stderr.
 *  - Every allocation of an extraction, failed in turn: the extractor
 *    returns BIDX_ENOMEM or exactly what it returns without the fault
 *    (text, title, date, org, page starts), never a document with a field
 *    or a line missing.
 *  - libxml2's own messages (encoding errors) never reach stderr: bidx
 *    reports the file with its own message.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docx.h"
#include "fault.h"
#include "html.h"
#include "io.h"
#include "pdf.h"
#include "testutil.h"

#define FIXTURES BIDX_SOURCE_DIR "/tests/fixtures/formats"

typedef enum { HTML, DOCX, PDF_PAGES } kind;

static const char *const pdf_pages[] = {
	("株式会社例示 お知らせ 2024/05/21\n不正アクセスに関するお詫び\n2024年5月21日\n"
	 "このたび、当社のサーバーが第三者による不正アクセスを受けたことが判明しました。\n- 1 -\n"),
	"株式会社例示 お知らせ 2024/05/22\n本文の二頁目です。\n問い合わせ先\n- 2 -\n",
	"株式会社例示 お知らせ 2024/05/23\n本文の三頁目です。\n3 / 3\n"};

static bidx_err run(kind k, const char *data, size_t len, bidx_extract *x)
{
	char why[256];
	memset(x, 0, sizeof *x);
	if (k == HTML)
		return bidx_html_extract(data, len, 0, x, why, sizeof why);
	if (k == DOCX)
		return bidx_docx_extract(data, len, x, why, sizeof why);
	size_t lens[3];
	for (int i = 0; i < 3; i++)
		lens[i] = strlen(pdf_pages[i]);
	bidx_pdf_join_pages(pdf_pages, lens, 3, x);
	return bidx_extract_status(x);
}

/* Fails each allocation of one extraction in turn. */
static void every_allocation(kind k, const char *fixture)
{
	char *data = NULL;
	size_t len = 0;
	if (fixture) {
		char path[1024];
		snprintf(path, sizeof path, FIXTURES "/%s", fixture);
		cr_assert_eq(bidx_read_file(path, &data, &len), BIDX_OK, "%s", path);
	}
	bidx_extract want, got;
	bidx_fault_set(BIDX_FAULT_ALLOC, 0);
	cr_assert_eq(run(k, data, len, &want), BIDX_OK);
	long calls = bidx_fault_count(BIDX_FAULT_ALLOC);
	cr_assert_gt(calls, 0);
	cr_assert_gt(want.text.len, 0);
	int failed = 0;
	for (long n = 1; n <= calls; n++) {
		bidx_fault_set(BIDX_FAULT_ALLOC, n);
		bidx_err rc = run(k, data, len, &got);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		cr_assert(rc == BIDX_OK || rc == BIDX_ENOMEM, "%s: allocation %ld: error %d",
		          fixture ? fixture : "pages", n, rc);
		if (rc == BIDX_OK) {
			const char *f = fixture ? fixture : "pages";
			cr_assert_eq(got.text.len, want.text.len, "%s: allocation %ld failed: text of %zu "
			             "bytes, not %zu", f, n, got.text.len, want.text.len);
			cr_assert_eq(memcmp(got.text.p, want.text.p, want.text.len), 0, "%s: %ld", f, n);
			cr_assert_str_eq(got.title, want.title, "%s: allocation %ld failed: title", f, n);
			cr_assert_str_eq(got.date, want.date, "%s: allocation %ld failed: date", f, n);
			cr_assert_str_eq(got.org, want.org, "%s: allocation %ld failed: org", f, n);
			cr_assert_eq(got.npages, want.npages, "%s: %ld", f, n);
		} else
			failed++;
		bidx_extract_free(&got);
	}
	cr_assert_gt(failed, 0);
	bidx_extract_free(&want);
	free(data);
	TU_ASSERT_NO_LEAKS();
}

Test(extractors, html_page_every_allocation_fails_cleanly)
{
	every_allocation(HTML, "003_5a5215cd65d3f6e3.corp.html");
}

Test(extractors, shift_jis_html_page_every_allocation_fails_cleanly)
{
	every_allocation(HTML, "003_5a5215cd65d3f6e3.old.html");
}

Test(extractors, docx_every_allocation_fails_cleanly)
{
	every_allocation(DOCX, "003_5a5215cd65d3f6e3.docx");
}

Test(extractors, pdf_pages_every_allocation_fails_cleanly)
{
	every_allocation(PDF_PAGES, NULL);
}

/* A stored zip of one part (word/document.xml). */
static size_t one_part_zip(const char *xml, unsigned char *out, size_t cap);

Test(extractors, libxml2_messages_stay_off_stderr, .init = cr_redirect_stderr)
{
	/* Shift_JIS declared, bytes that are not Shift_JIS */
	const char *xml = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><w:document "
	                  "xmlns:w=\"w\"><w:body><w:p><w:r><w:t>\x82\xa0\x82\xa2\x85\xff\xff\xfe"
	                  "</w:t></w:r></w:p></w:body></w:document>";
	unsigned char zip[1024];
	size_t n = one_part_zip(xml, zip, sizeof zip);
	bidx_extract x;
	char why[256] = "";
	memset(&x, 0, sizeof x);
	cr_assert_eq(bidx_docx_extract((const char *)zip, n, &x, why, sizeof why), BIDX_EINPUT);
	cr_assert(strstr(why, "word/document.xml"), "%s", why);
	bidx_extract_free(&x);
	fflush(stderr);
	cr_assert_stderr_eq_str("");
}

static unsigned char *le(unsigned char *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

/* CRC-32 (the zip's, reflected 0xEDB88320). */
static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
	}
	return ~c;
}

static size_t one_part_zip(const char *xml, unsigned char *out, size_t cap)
{
	const char *name = "word/document.xml";
	uint32_t nl = (uint32_t)strlen(name), len = (uint32_t)strlen(xml);
	uint32_t crc = crc32_of((const unsigned char *)xml, len);
	cr_assert_lt(30 + 46 + 22 + 2 * nl + len, cap);
	unsigned char *p = out;
	p = le(p, 0x04034b50, 4);
	p = le(p, 20, 2), p = le(p, 0, 2), p = le(p, 0, 2), p = le(p, 0, 2), p = le(p, 0, 2);
	p = le(p, crc, 4), p = le(p, len, 4), p = le(p, len, 4);
	p = le(p, nl, 2), p = le(p, 0, 2);
	memcpy(p, name, nl), p += nl;
	memcpy(p, xml, len), p += len;
	uint32_t cd = (uint32_t)(p - out);
	p = le(p, 0x02014b50, 4);
	p = le(p, 20, 2), p = le(p, 20, 2), p = le(p, 0, 2), p = le(p, 0, 2), p = le(p, 0, 2);
	p = le(p, 0, 2);
	p = le(p, crc, 4), p = le(p, len, 4), p = le(p, len, 4);
	p = le(p, nl, 2), p = le(p, 0, 2), p = le(p, 0, 2), p = le(p, 0, 2), p = le(p, 0, 2);
	p = le(p, 0, 4), p = le(p, 0, 4);
	memcpy(p, name, nl), p += nl;
	uint32_t cdlen = (uint32_t)(p - out) - cd;
	p = le(p, 0x06054b50, 4);
	p = le(p, 0, 2), p = le(p, 0, 2), p = le(p, 1, 2), p = le(p, 1, 2);
	p = le(p, cdlen, 4), p = le(p, cd, 4), p = le(p, 0, 2);
	return (size_t)(p - out);
}
