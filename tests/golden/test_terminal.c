/*
 * What reaches a terminal, through the real bidx and bsearch binaries over
 * a corpus written here: a JSON Lines record whose title sets the window
 * title and clears the screen, CSV cells that recolour the output, file
 * names with ESC, a newline and a bidi override.  No raw control byte (nor
 * a C1 control, bidi or zero-width character) may reach stdout or stderr
 * in human output, in -l, in --json, in bidx's notices or in an error
 * message; -l -0 gives the exact names.  Messages about records read
 * FILE:LINE: what; skipped.  Write errors (a full disk) exit 2 with a
 * message from every subcommand and output mode; a reader that went away
 * (`| head -1`) is no error.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "normalize.h"
#include "testutil.h"

#define WORD "合言葉"   /* in every notice of the corpus */

static char *tmp;            /* the test's directory */
static char corpus[1200];    /* tmp/c */
static char ix[1200];        /* tmp/ix, built from corpus in the setup */
static char *build_log;      /* stdout and stderr of `bidx build -v` */

static void write_file(const char *name, const char *data)
{
	char path[2400];
	snprintf(path, sizeof path, "%s/%s", corpus, name);
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot create %s", path);
	cr_assert_eq(fwrite(data, 1, strlen(data), f), strlen(data));
	cr_assert_eq(fclose(f), 0);
}

typedef struct res {
	int status;      /* exit status, or -1 when killed */
	int sig;         /* the signal that killed it */
	char *out, *err; /* stdout (when captured) and stderr, NUL-terminated */
	size_t outlen, errlen;
} res;

#define TO_CAPTURE NULL
#define TO_CLOSED_PIPE ((const char *)1)

static char *slurp(const char *path, size_t *len)
{
	char *p;
	cr_assert_eq(bidx_read_file(path, &p, len), BIDX_OK, "cannot read %s", path);
	return p;
}

/* Runs BIDX_BINARY_DIR/argv[0] with argv (no shell).  stdout is captured,
 * or goes to the file `to`, or to a pipe whose reading end is closed;
 * stderr is captured.  With ignore_sigpipe the program starts with SIGPIPE
 * ignored (as under some shells and services), else with the default. */
static res run(const char *to, int ignore_sigpipe, const char *const *argv)
{
	char outp[1300], errp[1300], bin[1024];
	snprintf(outp, sizeof outp, "%s/stdout", tmp);
	snprintf(errp, sizeof errp, "%s/stderr", tmp);
	snprintf(bin, sizeof bin, "%s/%s", BIDX_BINARY_DIR, argv[0]);
	int pfd[2] = {-1, -1};
	if (to == TO_CLOSED_PIPE) {
		cr_assert_eq(pipe(pfd), 0);
		close(pfd[0]);
	}
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, ignore_sigpipe ? SIG_IGN : SIG_DFL);
		int out = to == TO_CLOSED_PIPE ? pfd[1]
		        : open(to ? to : outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (out < 0 || err < 0)
			_exit(127);
		dup2(out, 1);
		dup2(err, 2);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (pfd[1] >= 0)
		close(pfd[1]);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	res r = {WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0,
	         NULL, NULL, 0, 0};
	if (to == TO_CAPTURE)
		r.out = slurp(outp, &r.outlen);
	r.err = slurp(errp, &r.errlen);
	return r;
}

static void res_free(res *r)
{
	free(r->out);
	free(r->err);
}

/* Fails at the first byte or character a terminal would act on or hide:
 * a C0 control but the line ends, DEL, a C1 control, a bidi control, a
 * zero-width or other format character, a line or paragraph separator,
 * invalid UTF-8. */
static void assert_clean(const char *s, size_t n, const char *what)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp = c;
		int l = c < 0x80 ? 1 : bidx_utf8_decode((const uint8_t *)s + i, n - i, &cp);
		size_t from = i > 40 ? i - 40 : 0;
		cr_assert(l > 0, "%s: invalid UTF-8 at byte %zu: ...%.*s", what, i, (int)(i - from),
		          s + from);
		int bad = (cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp <= 0x9f) ||
		          (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
		          (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
		          cp == 0x061c || cp == 0xfeff;
		cr_assert(!bad, "%s: raw U+%04X at byte %zu after: ...%.*s", what, (unsigned)cp, i,
		          (int)(i - from), s + from);
		i += (size_t)l;
	}
}

/* 1 when s[0..n) holds the bytes w[0..wl). */
static int holds(const char *s, size_t n, const char *w, size_t wl)
{
	for (size_t i = 0; i + wl <= n; i++)
		if (!memcmp(s + i, w, wl))
			return 1;
	return 0;
}

static void assert_has(const char *s, const char *want, const char *what)
{
	cr_assert(strstr(s, want), "%s: no '%s' in:\n%s", what, want, s);
}

static void setup(void)
{
	tmp = tu_tmpdir("terminal");
	cr_assert(tmp);
	snprintf(corpus, sizeof corpus, "%s/c", tmp);
	snprintf(ix, sizeof ix, "%s/ix", tmp);
	cr_assert_eq(mkdir(corpus, 0777), 0);
	write_file("hostile.jsonl",
	           "{\"title\":\"\\u001b]0;PWNED\\u0007\\u001b[2J" WORD "の通知\","
	           "\"org\":\"\\u001b[2J悪意株式会社\\u202e\","
	           "\"body\":\"" WORD "\\u0000が漏えい\\u009b31mしました\\u202e\\u200b。\"}\n"
	           "{\"title\":\"" WORD "の重複\",\"title\":\"\\u001b[31m二番目\",\"body\":\"本文\"}\n");
	write_file("cells.csv", "title,body\n\"\x1b[31m赤い" WORD "\",本文\x1b[0mです\n");
	write_file("bad.csv", "title,body\n" WORD ",a,b\n" WORD ",c\n\"" WORD "\n");
	write_file("nobody.csv", "a,b\n" WORD ",x\n");
	write_file("name\x1b[31mred.txt", WORD "のお知らせ\n本文です。\n");
	write_file("new\nline.txt", WORD "のお知らせ二\n本文です。\n");
	write_file("evil\xe2\x80\xaetxt.exe.txt", WORD "のお知らせ三\n本文です。\n");
	write_file("skip\x1b[2J.xls", "not a notice\n");
	res r = run(TO_CAPTURE, 0, (const char *const[]){"bidx", "build", "-v", "-i", ix, corpus, NULL});
	cr_assert_eq(r.status, 0, "build: %s", r.err);
	build_log = malloc(r.outlen + r.errlen + 1);
	memcpy(build_log, r.err, r.errlen);
	memcpy(build_log + r.errlen, r.out, r.outlen + 1);
	res_free(&r);
}

static void teardown(void)
{
	free(build_log);
	tu_rmtree(tmp);
	free(tmp);
}

TestSuite(terminal, .init = setup, .fini = teardown, .timeout = 120);

Test(terminal, bidx_notices_show_hostile_names_visibly)
{
	assert_clean(build_log, strlen(build_log), "bidx build -v");
	char want[2400];
	snprintf(want, sizeof want, "bidx: %s/name\\x1b[31mred.txt: indexed", corpus);
	assert_has(build_log, want, "ESC in a file name");
	snprintf(want, sizeof want, "bidx: %s/new\\x0aline.txt: indexed", corpus);
	assert_has(build_log, want, "a newline in a file name");
	snprintf(want, sizeof want, "bidx: %s/evil\\u{202e}txt.exe.txt: indexed", corpus);
	assert_has(build_log, want, "a bidi override in a file name");
	snprintf(want, sizeof want, "bidx: %s/skip\\x1b[2J.xls: only ", corpus);
	assert_has(build_log, want, "a skipped file");
}

Test(terminal, record_messages_read_file_line_what_skipped)
{
	char want[2400];
	static const char *const lines[] = {
		"bad.csv:2: 3 fields, the header has 2; skipped\n",
		"bad.csv:4: unterminated quote; the rest of the file is skipped\n",
		"nobody.csv:2: neither a title nor a body column; skipped\n",
		"hostile.jsonl:2: duplicate key \"title\"; the first is kept\n",
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		snprintf(want, sizeof want, "bidx: %s/%s", corpus, lines[i]);
		assert_has(build_log, want, "record message");
	}
	cr_assert_null(strstr(build_log, "record skipped"), "%s", build_log);
	cr_assert_null(strstr(build_log, ": line "), "one style of line numbers:\n%s", build_log);
	/* the first title is the one kept, the second is nowhere */
	res r = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "--json", "二番目", NULL});
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	res_free(&r);
	r = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "--json", "title:" WORD "の重複", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	assert_has(r.out, "hostile.jsonl:2", "the first title");
	res_free(&r);
}

Test(terminal, human_output_shows_controls_visibly)
{
	res r = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "-n", "50", "--color",
	                                             "never", "--facet", "org", WORD, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	assert_clean(r.out, r.outlen, "bsearch");
	assert_clean(r.err, r.errlen, "bsearch stderr");
	assert_has(r.out, "\\x1b]0;PWNED\\x07\\x1b[2J" WORD "の通知", "the JSON Lines title");
	assert_has(r.out, "\\x1b[31m赤い" WORD, "the CSV title");
	assert_has(r.out, "\\u{009b}31m", "a C1 control in a snippet");
	assert_has(r.out, "[" WORD "]\\x00が", "a NUL");
	assert_has(r.out, "\\u{202e}\\u{200b}。", "a zero-width space");
	assert_has(r.out, "\\u{202e}", "a bidi override");
	assert_has(r.out, "\\x1b[2J悪意株式会社\\u{202e}", "the org field");
	assert_has(r.out, "org: \\x1b[2J悪意株式会社\\u{202e} (1)", "the org facet");
	assert_has(r.out, "/name\\x1b[31mred.txt\n", "ESC in a path");
	assert_has(r.out, "/new\\x0aline.txt\n", "a newline in a path");
	res_free(&r);
}

Test(terminal, colour_output_holds_only_its_own_sequences)
{
	res r = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "-n", "50", "--color",
	                                             "always", WORD, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	/* take out the colours bsearch itself prints, then nothing may remain */
	static const char *const own[] = {"\033[1;31m", "\033[1m", "\033[35m", "\033[2m", "\033[0m"};
	size_t k = 0;
	for (size_t i = 0; i < r.outlen;) {
		size_t j = 0;
		while (j < sizeof own / sizeof *own && strncmp(r.out + i, own[j], strlen(own[j])))
			j++;
		if (j < sizeof own / sizeof *own) {
			i += strlen(own[j]);
			continue;
		}
		r.out[k++] = r.out[i++];
	}
	r.out[k] = 0;
	assert_clean(r.out, k, "bsearch --color always");
	assert_has(r.out, "\\x1b]0;PWNED", "the title");
	res_free(&r);
}

Test(terminal, paths_with_l_are_one_line_each_and_exact_with_0)
{
	res c = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "-c", WORD, NULL});
	cr_assert_eq(c.status, 0);
	long hits = strtol(c.out, NULL, 10);
	cr_assert_geq(hits, 6, "%s", c.out);
	res l = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "--records", WORD, NULL});
	cr_assert_eq(l.status, 0, "%s", l.err);
	assert_clean(l.out, l.outlen, "bsearch -l");
	long lines = 0;
	for (size_t i = 0; i < l.outlen; i++)
		lines += l.out[i] == '\n';
	cr_assert_eq(lines, hits, "one line per hit:\n%s", l.out);
	assert_has(l.out, "/new\\x0aline.txt\n", "-l");
	static const char *const zero[][2] = {{"--records", "-0"}, {"--null", "--records"}, {"-0", "--records"}};
	for (size_t z = 0; z < 3; z++) {
		res n = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, zero[z][0],
		                                             zero[z][1], WORD, NULL});
		cr_assert_eq(n.status, 0, "%s %s: %s", zero[z][0], zero[z][1], n.err);
		long nuls = 0;
		for (size_t i = 0; i < n.outlen; i++)
			nuls += n.out[i] == 0;
		cr_assert_eq(nuls, hits, "%s: one NUL per hit", zero[z][0]);
		cr_assert_eq(n.out[n.outlen - 1], 0);
		char want[2400];
		int wl = snprintf(want, sizeof want, "%s/new\nline.txt", corpus) + 1;
		cr_assert(holds(n.out, n.outlen, want, (size_t)wl), "-0: the exact name with its newline");
		wl = snprintf(want, sizeof want, "%s/name\x1b[31mred.txt", corpus) + 1;
		cr_assert(holds(n.out, n.outlen, want, (size_t)wl), "-0: the exact name with its ESC");
		res_free(&n);
	}
	/* -0 belongs to -l */
	res bad = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "--json", "-0", WORD, NULL});
	cr_assert_eq(bad.status, 2);
	assert_has(bad.err, "-0", "-0 with --json");
	res_free(&bad);
	res_free(&c);
	res_free(&l);
}

Test(terminal, json_escapes_every_control)
{
	res r = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "-n", "50", "--json",
	                                             "--facet", "org", WORD, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	assert_clean(r.out, r.outlen, "bsearch --json");
	assert_has(r.out, "\"title\":\"\\u001b]0;PWNED\\u0007\\u001b[2J" WORD, "the title");
	assert_has(r.out, "\\u009b31m", "a C1 control");
	assert_has(r.out, "\\u202e", "a bidi override");
	assert_has(r.out, "\\u202e\\u200b。", "a zero-width space");
	assert_has(r.out, WORD "\\u0000が", "a NUL");
	assert_has(r.out, "/new\\nline.txt\"", "a newline in a path");
	assert_has(r.out, "\"org\":{\"\\u001b[2J悪意株式会社\\u202e\":1}", "the facet");
	res_free(&r);
}

Test(terminal, error_messages_quote_queries_and_paths_visibly)
{
	char badix[1300], missing[1300];
	snprintf(badix, sizeof badix, "%s/no\x1b]0;T\x07index", tmp);
	snprintf(missing, sizeof missing, "%s/no\x1b[2Jcorpus\n", tmp);
	const char *const cmds[][9] = {
		{"bsearch", "-i", ix, WORD "\x1b[2J(\"", NULL},
		{"bsearch", "-i", badix, WORD, NULL},
		{"bsearch", "-i", ix, "--\x1b[2J", WORD, NULL},
		{"bsearch", "-i", ix, "-n", "\x1b[2J", WORD, NULL},
		{"bidx", "build", "-i", badix, missing, NULL},
		{"bidx", "build", "--\x1b[2J", corpus, NULL},
		{"bidx", "check", "-i", badix, NULL},
		{"bidx", "\x1b]0;T\x07", NULL},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		res r = run(TO_CAPTURE, 0, cmds[i]);
		cr_assert_eq(r.status, 2, "command %zu: exit %d: %s", i, r.status, r.err);
		cr_assert_gt(r.errlen, 0, "command %zu: no message", i);
		assert_clean(r.err, r.errlen, "an error message");
		assert_clean(r.out, r.outlen, "stdout beside an error");
		cr_assert(strstr(r.err, "\\x1b"), "command %zu: the ESC is not shown: %s", i, r.err);
		res_free(&r);
	}
	/* the synonym table's warnings quote its path and words */
	char syn[1300];
	snprintf(syn, sizeof syn, "%s/syn\x1b[2J.txt", tmp);
	FILE *f = fopen(syn, "w");
	cr_assert(f);
	fputs("ひとつだけ\x1b]0;T\x07\n", f);
	cr_assert_eq(fclose(f), 0);
	setenv("BIDX_SYNONYMS", syn, 1);
	res w = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", ix, "-c", WORD, NULL});
	unsetenv("BIDX_SYNONYMS");
	cr_assert_eq(w.status, 0, "%s", w.err);
	assert_clean(w.err, w.errlen, "a synonym table warning");
	assert_has(w.err, "/syn\\x1b[2J.txt:1: ", "the table's path");
	res_free(&w);
	/* the caret stands under the fault, counting columns of what is shown */
	res r = run(TO_CAPTURE, 0, cmds[0]);
	const char *q = strstr(r.err, "\n  " WORD "\\x1b[2J(\"\n  ");
	cr_assert(q, "%s", r.err);
	q = strchr(q + 1, '\n') + 1;
	cr_assert_eq(strncmp(q, "  ", 2), 0);
	/* 合言葉 is six columns, \x1b[2J seven, ( one: the quote is at column 14 */
	cr_assert_eq(strspn(q + 2, " "), 14, "%s", r.err);
	cr_assert_eq(q[16], '^', "%s", r.err);
	res_free(&r);
}

TestSuite(write_errors, .init = setup, .fini = teardown, .timeout = 120);

/* Every subcommand and output mode, as argv with a slot for the index. */
#define IX_SLOT "<ix>"
static const char *const modes[][10] = {
	{"bsearch", "-i", IX_SLOT, WORD, NULL},
	{"bsearch", "-i", IX_SLOT, "--color", "always", "--facet", "org", WORD, NULL},
	{"bsearch", "-i", IX_SLOT, "--json", "--facet", "org", WORD, NULL},
	{"bsearch", "-i", IX_SLOT, "-l", WORD, NULL},
	{"bsearch", "-i", IX_SLOT, "-l", "-0", WORD, NULL},
	{"bsearch", "-i", IX_SLOT, "-c", WORD, NULL},
	{"bsearch", "-i", IX_SLOT, "-c", "見つからない語", NULL},
	{"bsearch", "--help", NULL},
	{"bsearch", "--version", NULL},
	{"bidx", "check", "-i", IX_SLOT, NULL},
	{"bidx", "check", "--json", "-i", IX_SLOT, NULL},
	{"bidx", "build", "-i", IX_SLOT, "<corpus>", NULL},
	{"bidx", "build", "--json", "-i", IX_SLOT, "<corpus>", NULL},
	{"bidx", "optimize", "-i", IX_SLOT, NULL},
	{"bidx", "--help", NULL},
	{"bidx", "build", "--help", NULL},
	{"bidx", "--version", NULL},
};
#define NMODES (sizeof modes / sizeof *modes)

/* The argv of mode m with the index and corpus filled in. */
static void fill(size_t m, const char **argv, const char *index)
{
	for (int i = 0; i < 10; i++) {
		const char *a = modes[m][i];
		argv[i] = !a ? NULL : !strcmp(a, IX_SLOT) ? index : !strcmp(a, "<corpus>") ? corpus : a;
		if (!a)
			break;
	}
}

Test(write_errors, a_full_disk_is_exit_2_with_a_message)
{
	struct stat st;
	if (stat("/dev/full", &st) != 0)
		cr_skip_test("no /dev/full on this system");
	for (size_t m = 0; m < NMODES; m++) {
		const char *argv[10];
		fill(m, argv, ix);
		res r = run("/dev/full", 0, argv);
		cr_assert_eq(r.status, 2, "%s %s %s %s: exit %d, want 2 (stderr: %s)", argv[0], argv[1],
		             argv[2], argv[3], r.status, r.err);
		assert_has(r.err, "cannot write", argv[1]);
		assert_has(r.err, strerror(ENOSPC), argv[1]);
		res_free(&r);
	}
	/* a build that publishes says so beside the error */
	char fresh[1300];
	snprintf(fresh, sizeof fresh, "%s/fresh", tmp);
	res r = run("/dev/full", 0, (const char *const[]){"bidx", "build", "-i", fresh, corpus, NULL});
	cr_assert_eq(r.status, 2, "%s", r.err);
	assert_has(r.err, "the index in ", "a published build");
	assert_has(r.err, " was built", "a published build");
	res_free(&r);
	r = run(TO_CAPTURE, 0, (const char *const[]){"bsearch", "-i", fresh, "-c", WORD, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	res_free(&r);
}

Test(write_errors, a_reader_that_goes_away_is_no_error)
{
	for (int ign = 0; ign < 2; ign++)
		for (size_t m = 0; m < NMODES; m++) {
			const char *argv[10];
			fill(m, argv, ix);
			int want = m == 6 ? 1 : 0;   /* the search for a missing word finds nothing */
			res r = run(TO_CLOSED_PIPE, ign, argv);
			cr_assert_eq(r.sig, 0, "%s %s %s %s (SIGPIPE %s): killed by signal %d", argv[0],
			             argv[1], argv[2], argv[3], ign ? "ignored" : "default", r.sig);
			cr_assert_eq(r.status, want, "%s %s %s %s (SIGPIPE %s): exit %d: %s", argv[0],
			             argv[1], argv[2], argv[3], ign ? "ignored" : "default", r.status, r.err);
			/* nothing said about it (a build repeats its notices on skipped files) */
			cr_assert(!strstr(r.err, "write") && !strstr(r.err, "pipe") &&
			          (!strcmp(argv[0], "bidx") && !strcmp(argv[1], "build") ? 1 : !r.errlen),
			          "%s %s %s %s: said: %s", argv[0], argv[1], argv[2], argv[3], r.err);
			res_free(&r);
		}
}
