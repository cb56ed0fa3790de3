/*
 * test_ignore.c - the gitignore-syntax matcher of .bidxignore files and
 * --exclude globs: each rule of the syntax (ignore.h), rule stacking and
 * popping, and loading a file.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ignore.h"
#include "testutil.h"

static bidx_ignore *rules(const char *base, const char *const *lines)
{
	bidx_ignore *ig = bidx_ignore_new();
	cr_assert_not_null(ig);
	for (; *lines; lines++)
		cr_assert_eq(bidx_ignore_add(ig, base, *lines, strlen(*lines), "t/.bidxignore"), BIDX_OK);
	return ig;
}

#define IGN(ig, path) bidx_ignore_match(ig, path, 0, NULL, NULL)
#define IGNDIR(ig, path) bidx_ignore_match(ig, path, 1, NULL, NULL)

Test(ignore, star_question_and_sets)
{
	cr_assert(bidx_ignore_glob("*.txt", "a.txt"));
	cr_assert(bidx_ignore_glob("*.txt", ".txt"));
	cr_assert_not(bidx_ignore_glob("*.txt", "a/b.txt"), "* never crosses /");
	cr_assert(bidx_ignore_glob("a?c", "abc"));
	cr_assert_not(bidx_ignore_glob("a?c", "ac"));
	cr_assert_not(bidx_ignore_glob("a?c", "a/c"));
	cr_assert(bidx_ignore_glob("a?c", "a\xE3\x81\x82" "c"), "? is one UTF-8 character");
	cr_assert(bidx_ignore_glob("[ab]x", "bx"));
	cr_assert_not(bidx_ignore_glob("[ab]x", "cx"));
	cr_assert(bidx_ignore_glob("[a-c]x", "cx"));
	cr_assert(bidx_ignore_glob("[!a-c]x", "dx"));
	cr_assert_not(bidx_ignore_glob("[^a-c]x", "bx"));
	cr_assert(bidx_ignore_glob("[]]", "]"));
	cr_assert(bidx_ignore_glob("[\xE3\x81\x82-\xE3\x82\x93]", "\xE3\x81\x8B"), "kana range");
	cr_assert(bidx_ignore_glob("[ab", "[ab"), "an unclosed [ is itself");
	cr_assert_not(bidx_ignore_glob("[/]", "/"));
}

Test(ignore, double_star)
{
	cr_assert(bidx_ignore_glob("**/x.md", "x.md"));
	cr_assert(bidx_ignore_glob("**/x.md", "a/b/x.md"));
	cr_assert(bidx_ignore_glob("a/**/b", "a/b"));
	cr_assert(bidx_ignore_glob("a/**/b", "a/x/y/b"));
	cr_assert_not(bidx_ignore_glob("a/**/b", "a/xb"));
	cr_assert(bidx_ignore_glob("a/**", "a/x/y"));
	cr_assert_not(bidx_ignore_glob("a/**", "a"));
	cr_assert(bidx_ignore_glob("a**b", "axxb"), "** inside a name is *");
	cr_assert_not(bidx_ignore_glob("a**b", "a/b"));
}

Test(ignore, escapes)
{
	cr_assert(bidx_ignore_glob("\\*", "*"));
	cr_assert_not(bidx_ignore_glob("\\*", "a"));
	cr_assert(bidx_ignore_glob("a\\?", "a?"));
	cr_assert_not(bidx_ignore_glob("a\\", "a"), "a trailing \\ matches nothing");
	bidx_ignore *ig = rules("/c", (const char *[]){"\\#keep.txt", "\\!bang.txt", "sp\\ ", NULL});
	cr_assert(IGN(ig, "/c/#keep.txt"));
	cr_assert(IGN(ig, "/c/!bang.txt"));
	cr_assert(IGN(ig, "/c/sp "), "an escaped trailing space stays");
	cr_assert_not(IGN(ig, "/c/sp"));
	bidx_ignore_free(ig);
}

Test(ignore, comments_blank_and_trailing_spaces)
{
	bidx_ignore *ig = rules("/c", (const char *[]){"# a.txt", "", "   ", "b.txt   ", "c.txt\r",
	                                               NULL});
	cr_assert_eq(bidx_ignore_mark(ig), 2, "comments and blank lines add no rule");
	cr_assert_not(IGN(ig, "/c/# a.txt"));
	cr_assert_not(IGN(ig, "/c/a.txt"));
	cr_assert(IGN(ig, "/c/b.txt"), "trailing spaces are dropped");
	cr_assert(IGN(ig, "/c/c.txt"), "CRLF lines");
	bidx_ignore_free(ig);
}

Test(ignore, name_at_any_depth_and_anchoring)
{
	bidx_ignore *ig = rules("/c", (const char *[]){"LICENSE*", "/top.txt", "d/e.txt", NULL});
	cr_assert(IGN(ig, "/c/LICENSE-CC-BY-4.0.txt"));
	cr_assert(IGN(ig, "/c/x/y/LICENSE.txt"), "a name without / matches at any depth");
	cr_assert(IGN(ig, "/c/top.txt"));
	cr_assert_not(IGN(ig, "/c/x/top.txt"), "a leading / anchors at the file's folder");
	cr_assert(IGN(ig, "/c/d/e.txt"));
	cr_assert_not(IGN(ig, "/c/x/d/e.txt"), "a / in the middle anchors too");
	cr_assert_not(IGN(ig, "/other/LICENSE"), "nothing outside the rule's folder");
	cr_assert_not(IGN(ig, "/cc/LICENSE"), "a sibling with the folder's name as prefix");
	bidx_ignore_free(ig);
}

Test(ignore, directories_only)
{
	bidx_ignore *ig = rules("/c", (const char *[]){"drafts/", "/old/", NULL});
	cr_assert(IGNDIR(ig, "/c/drafts"));
	cr_assert(IGNDIR(ig, "/c/x/drafts"));
	cr_assert_not(IGN(ig, "/c/drafts"), "a trailing / matches directories only");
	cr_assert(IGNDIR(ig, "/c/old"));
	cr_assert_not(IGNDIR(ig, "/c/x/old"));
	bidx_ignore_free(ig);
}

Test(ignore, negation_later_lines_win)
{
	bidx_ignore *ig = rules("/c", (const char *[]){"*.md", "!keep.md", NULL});
	cr_assert(IGN(ig, "/c/a.md"));
	cr_assert_not(IGN(ig, "/c/keep.md"));
	bidx_ignore_free(ig);
	ig = rules("/c", (const char *[]){"!keep.md", "*.md", NULL});
	cr_assert(IGN(ig, "/c/keep.md"), "the last matching line decides");
	bidx_ignore_free(ig);
}

Test(ignore, stacked_and_popped)
{
	bidx_ignore *ig = rules("/c", (const char *[]){"*.md", NULL});
	size_t mark = bidx_ignore_mark(ig);
	cr_assert_eq(bidx_ignore_add(ig, "/c/sub", "!x.md", 5, "sub"), BIDX_OK);
	cr_assert_eq(bidx_ignore_add(ig, "/c/sub", "y.txt", 5, "sub"), BIDX_OK);
	cr_assert_not(IGN(ig, "/c/sub/x.md"), "a deeper file's ! wins");
	cr_assert(IGN(ig, "/c/x.md"), "... only below its folder");
	cr_assert(IGN(ig, "/c/sub/y.txt"));
	cr_assert_not(IGN(ig, "/c/y.txt"));
	const char *pat = NULL, *src = NULL;
	cr_assert(bidx_ignore_match(ig, "/c/sub/y.txt", 0, &pat, &src));
	cr_assert_str_eq(pat, "y.txt");
	cr_assert_str_eq(src, "sub");
	bidx_ignore_pop(ig, mark);
	cr_assert(IGN(ig, "/c/sub/x.md"), "popped with its folder");
	cr_assert_not(IGN(ig, "/c/sub/y.txt"));
	bidx_ignore_free(ig);
	bidx_ignore_free(NULL);
}

Test(ignore, load_a_file)
{
	char dir[] = "/tmp/bidx-ignore-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	bidx_ignore *ig = bidx_ignore_new();
	cr_assert_eq(bidx_ignore_load(ig, dir), BIDX_OK, "no .bidxignore: nothing to do");
	cr_assert_eq(bidx_ignore_mark(ig), 0);
	char path[256];
	snprintf(path, sizeof path, "%s/.bidxignore", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("# licences\nLICENSE*\n\n!LICENSE-keep.txt\nno-newline.md", f);
	fclose(f);
	cr_assert_eq(bidx_ignore_load(ig, dir), BIDX_OK);
	cr_assert_eq(bidx_ignore_mark(ig), 3);
	char p[300];
	snprintf(p, sizeof p, "%s/a/LICENSE.txt", dir);
	const char *src = NULL;
	cr_assert(bidx_ignore_match(ig, p, 0, NULL, &src));
	cr_assert_str_eq(src, path);
	snprintf(p, sizeof p, "%s/LICENSE-keep.txt", dir);
	cr_assert_not(IGN(ig, p));
	snprintf(p, sizeof p, "%s/no-newline.md", dir);
	cr_assert(IGN(ig, p));
	bidx_ignore_free(ig);
	unlink(path);
	rmdir(dir);
}

/* Many stars against a long name that almost matches: each (star, position)
 * pair is tried once, so this answers at once (it took minutes before; the
 * fuzzer found it). */
Test(glob, many_stars_do_not_backtrack_without_end)
{
	char name[200], pat[200] = "";
	memset(name, 'a', 150);
	name[150] = 0;
	for (int i = 0; i < 30; i++)
		strcat(pat, "*a");
	strcat(pat, "*b");
	cr_assert_eq(bidx_ignore_glob(pat, name), 0);
	name[149] = 'b';
	cr_assert_eq(bidx_ignore_glob(pat, name), 1);
	cr_assert_eq(bidx_ignore_glob("**/*a*a*a*a*a*a*a*a*a*a*a*a*c", name), 0);
}
