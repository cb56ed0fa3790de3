/*
 * test_termsafe.c - the renderer of text for terminals and logs: which
 * characters are made visible and how, what passes untouched, cutting to a
 * buffer, columns, and the JSON escaping of the same characters.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "termsafe.h"

static char *rendered(const char *s, size_t n)
{
	static char out[4096];
	size_t need = bidx_ts_render(out, sizeof out, s, n);
	cr_assert_lt(need, sizeof out);
	cr_assert_eq(strlen(out), need);
	return out;
}

#define R(lit) rendered(lit, sizeof lit - 1)

Test(termsafe, controls_are_shown_as_escapes)
{
	cr_assert_str_eq(R("\x1b]0;PWNED\x07\x1b[2J"), "\\x1b]0;PWNED\\x07\\x1b[2J");
	cr_assert_str_eq(R("a\0b"), "a\\x00b");
	cr_assert_str_eq(R("new\nline\r\ttab\x7f"), "new\\x0aline\\x0d\\x09tab\\x7f");
	/* C1 controls as characters (U+009B CSI) and as stray bytes */
	cr_assert_str_eq(R("\xc2\x9b" "31m"), "\\u{009b}31m");
	cr_assert_str_eq(R("\x9b" "31m\xff\xe3\x82"), "\\x9b31m\\xff\\xe3\\x82");
	/* bidi controls, zero-width characters, separators, BOM */
	cr_assert_str_eq(R("evil\xe2\x80\xaetxt.exe"), "evil\\u{202e}txt.exe");
	cr_assert_str_eq(R("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u{2066}x\\u{2069}");
	cr_assert_str_eq(R("a\xe2\x80\x8b" "b\xe2\x80\x8f" "c"), "a\\u{200b}b\\u{200f}c");
	cr_assert_str_eq(R("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a\\u{2028}b\\u{2029}");
	cr_assert_str_eq(R("\xef\xbb\xbfx"), "\\u{feff}x");
	cr_assert_str_eq(R("\xf3\xa0\x80\x81"), "\\u{e0001}");   /* a tag character */
}

Test(termsafe, everything_else_passes_as_it_is)
{
	static const char *const same[] = {
		"個人情報が漏えいした可能性", "ｸﾚｼﾞｯﾄ ＰＣＩ　ＤＳＳ", "C:\\data\\x1b is text",
		"🎉 絵文字", "か\xe3\x82\x99ぎ", "葛\xf3\xa0\x84\x80飾", "", " !~",
	};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++)
		cr_assert_str_eq(rendered(same[i], strlen(same[i])), same[i]);
}

Test(termsafe, rendering_twice_changes_nothing)
{
	const char *s = "\x1b[31m赤\xe2\x80\xae\n\xff";
	char once[256];
	bidx_ts_render(once, sizeof once, s, strlen(s));
	cr_assert_str_eq(rendered(once, strlen(once)), once);
}

Test(termsafe, a_small_buffer_gets_whole_pieces)
{
	char out[8];
	const char *s = "ab\x1b[2J";
	cr_assert_eq(bidx_ts_render(out, sizeof out, s, strlen(s)), 9);
	cr_assert_str_eq(out, "ab\\x1b[");   /* whole pieces while they fit */
	cr_assert_eq(bidx_ts_render(out, 6, "ab\x1b", 3), 6);
	cr_assert_str_eq(out, "ab");
	cr_assert_eq(bidx_ts_render(out, 7, "ab\x1b", 3), 6);
	cr_assert_str_eq(out, "ab\\x1b");
	cr_assert_eq(bidx_ts_render(out, sizeof out, "あいう", 9), 9);
	cr_assert_str_eq(out, "あい");   /* never half a character */
	cr_assert_eq(bidx_ts_render(NULL, 0, "abc", 3), 3);
}

Test(termsafe, buffers_files_and_lines)
{
	bidx_buf b = BIDX_BUF_INIT;
	bidx_ts_put(&b, "x\x1b", 2);
	bidx_buf_putc(&b, 0);
	cr_assert_str_eq((char *)b.p, "x\\x1b");
	bidx_buf_free(&b);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bidx_ts_lines(f, "one\x1b\ntwo\n", 9);
	bidx_ts_write(f, "a\nb", 3);
	bidx_ts_msg(f, "bidx: %s: %s", "dir/a\nb.txt", "skipped");
	fclose(f);
	cr_assert_str_eq(text, "one\\x1b\ntwo\na\\x0abbidx: dir/a\\x0ab.txt: skipped\n");
	free(text);
}

Test(termsafe, columns_of_the_rendering)
{
	cr_assert_eq(bidx_ts_columns("abc", 3), 3);
	cr_assert_eq(bidx_ts_columns("合言葉", 9), 6);
	cr_assert_eq(bidx_ts_columns("\x1b[2J", 4), 7);
	cr_assert_eq(bidx_ts_columns("か\xe3\x82\x99", 6), 2);   /* a combining mark takes none */
	cr_assert_eq(bidx_ts_columns("\xe2\x80\xae", 3), 8);
}

Test(termsafe, json_escapes_the_same_characters)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *s = "\x1b\xc2\x9b\xe2\x80\xae\xe2\x80\xa8\xf3\xa0\x80\x81\\\"漢\xff";
	bidx_json_str(f, s, strlen(s));
	fclose(f);
	cr_assert_str_eq(text, "\"\\u001b\\u009b\\u202e\\u2028\\udb40\\udc01\\\\\\\"漢\\ufffd\"");
	free(text);
}

/* The renderer passes U+3000..U+9FFF over without asking what they are:
 * none of them may be hidden.  Every BMP character alone and between
 * controls renders as the look-up says, and a cut or broken three-byte
 * character is escaped byte by byte. */
Test(termsafe, every_bmp_character_as_the_look_up_says)
{
	for (uint32_t c = 0x3000; c <= 0x9FFF; c++)
		cr_assert(!bidx_ts_hidden(c), "U+%04X is hidden", c);
	for (uint32_t c = 0x80; c < 0x10000; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		char in[8], want[32];
		size_t n = 0;
		in[n++] = '\x1b';
		if (c < 0x800) {
			in[n++] = (char)(0xC0 | c >> 6);
			in[n++] = (char)(0x80 | (c & 0x3F));
		} else {
			in[n++] = (char)(0xE0 | c >> 12);
			in[n++] = (char)(0x80 | (c >> 6 & 0x3F));
			in[n++] = (char)(0x80 | (c & 0x3F));
		}
		in[n++] = '\x07';
		if (bidx_ts_hidden(c))
			snprintf(want, sizeof want, "\\x1b\\u{%04x}\\x07", (unsigned)c);
		else
			snprintf(want, sizeof want, "\\x1b%.*s\\x07", (int)(n - 2), in + 1);
		cr_assert_str_eq(rendered(in, n), want, "U+%04X", c);
	}
	cr_assert_str_eq(R("\xe3\x81"), "\\xe3\\x81");
	cr_assert_str_eq(R("\xe3\x81" "a"), "\\xe3\\x81a");
	cr_assert_str_eq(R("\xe9\xff\x80"), "\\xe9\\xff\\x80");
}
