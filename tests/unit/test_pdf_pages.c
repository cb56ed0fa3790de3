/*
 * The PDF page joining of analysis/pdf.c: running headers and footers that
 * repeat across pages (digits aside) and page-number lines are dropped,
 * dates and body lines are kept, wrapped lines are joined, and each page's
 * start is recorded.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "pdf.h"

Test(pdf_pages, running_headers_footers_and_page_numbers_dropped)
{
	const char *pages[] = {
		"株式会社例示 お知らせ 2024/05/21\n不正アクセスに関するお詫び\n2024年5月21日\n本文の一頁目です。\n- 1 -\n",
		"株式会社例示 お知らせ 2024/05/22\n本文の二頁目です。\n問い合わせ先\n- 2 -\n",
		"株式会社例示 お知らせ 2024/05/23\n本文の三頁目です。\n3 / 3\n"};
	size_t lens[3];
	for (int i = 0; i < 3; i++)
		lens[i] = strlen(pages[i]);
	bidx_extract x;
	memset(&x, 0, sizeof x);
	bidx_pdf_join_pages(pages, lens, 3, &x);
	cr_assert_eq(bidx_extract_status(&x), BIDX_OK);
	char *t = strndup((const char *)x.text.p, x.text.len);
	cr_expect_null(strstr(t, "株式会社例示 お知らせ"), "running header kept: %s", t);
	cr_expect_null(strstr(t, "- 1 -"), "%s", t);
	cr_expect_null(strstr(t, "3 / 3"), "%s", t);
	cr_expect(strstr(t, "2024年5月21日\n"), "date dropped: %s", t);
	cr_expect(strstr(t, "本文の三頁目です。\n"), "%s", t);
	cr_assert_eq(x.npages, 3);
	cr_expect_eq(x.pages[0], 0);
	cr_expect(!strncmp(t + x.pages[1], "本文の二頁目", strlen("本文の二頁目")), "%s", t + x.pages[1]);
	cr_expect(!strncmp(t + x.pages[2], "本文の三頁目", strlen("本文の三頁目")));
	free(t);
	bidx_extract_free(&x);
}

Test(pdf_pages, wrapped_lines_joined)
{
	const char *pages[] = {"このたび当社のサーバーに対し第三者による不正アクセスがあり、お客様の個人\n"
	                       "情報が流出した可能性があることが判明いたしました。\n短い行\n"};
	size_t lens[] = {strlen(pages[0])};
	bidx_extract x;
	memset(&x, 0, sizeof x);
	bidx_pdf_join_pages(pages, lens, 1, &x);
	char *t = strndup((const char *)x.text.p, x.text.len);
	cr_expect(strstr(t, "お客様の個人情報が流出"), "wrapped line not joined: %s", t);
	cr_expect(strstr(t, "判明いたしました。\n短い行\n"), "%s", t);
	free(t);
	bidx_extract_free(&x);
}
