/*
 * Markdown syntax: what a field or a snippet of a .md notice shows once its
 * markup is taken out, and which bytes stay verbatim.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

static void strips_to(const char *in, const char *want)
{
	size_t n = strlen(in);
	char *out = malloc(n + 1);
	uint8_t *mark = malloc(n + 1);
	size_t l = bidx_md_strip(in, n, mark, out);
	out[l] = 0;
	cr_assert_str_eq(out, want, "\"%s\"", in);
	free(out);
	free(mark);
}

Test(markdown, headings)
{
	strips_to("# ランサムウェア被害に関するお詫び", "ランサムウェア被害に関するお詫び");
	strips_to("### 経緯 ###", "経緯");
	strips_to("###### 六", "六");
	strips_to("####### seven", "####### seven");   /* not a heading */
	strips_to("#5 の件", "#5 の件");
	strips_to("C# 入門 #", "C# 入門 #");           /* not at the line start */
	strips_to("お詫び\n======", "お詫び");           /* setext underline */
	strips_to("お詫び\n---", "お詫び");
}

Test(markdown, emphasis)
{
	strips_to("**株式会社テスト**", "株式会社テスト");
	strips_to("__株式会社テスト__", "株式会社テスト");
	strips_to("*重要* と _注意_ と ~~旧~~", "重要 と 注意 と 旧");
	strips_to("***強調***", "強調");
	strips_to("snake_case_name", "snake_case_name");   /* intraword _ */
	strips_to("2 * 3 * 4", "2 * 3 * 4");               /* spaced: not emphasis */
	strips_to("**閉じない", "**閉じない");
	strips_to("**一段落\n\n別**", "**一段落\n\n別**");   /* not across paragraphs */
	strips_to("\\*そのまま\\*", "*そのまま*");
}

Test(markdown, code_links_lists)
{
	strips_to("`**x**` は記号", "**x** は記号");
	strips_to("``a`b``", "a`b");
	strips_to("[お知らせ](https://example.jp/a_(1)) を参照", "お知らせ を参照");
	strips_to("![ロゴ](logo.png)", "ロゴ");
	strips_to("[**株式会社テスト**][1]", "株式会社テスト");
	strips_to("[括弧] だけ", "[括弧] だけ");
	strips_to("<https://example.jp/a_b_c>", "https://example.jp/a_b_c");
	strips_to("<重要> のお知らせ", "<重要> のお知らせ");   /* HTML-like: kept */
	strips_to("- 氏名\n* 住所\n+ 電話\n1. 一\n10) 十", "氏名\n住所\n電話\n一\n十");
	strips_to("> > 引用 **株式会社テスト**", "引用 株式会社テスト");
	strips_to("-5度", "-5度");
	strips_to("1.5倍", "1.5倍");
}

Test(markdown, marks_are_bytes)
{
	const char *s = "a **b** c";
	uint8_t mark[9];
	bidx_md_mark(s, 9, 1, mark);
	const uint8_t want[9] = {0, 0, 1, 1, 0, 1, 1, 0, 0};
	cr_assert_arr_eq(mark, want, 9);
	/* not at a line start: a leading "- " is text */
	bidx_md_mark("- x", 3, 0, mark);
	cr_assert_eq(mark[0], BIDX_MD_KEEP);
	cr_assert(bidx_md_path("a/b.MD", 6));
	cr_assert(!bidx_md_path("a/b.txt", 7));
}
