/*
 * Hostile queries, through the parser and through the real bsearch binary:
 * a 1 MB query, 10000 terms, 100000 '(', invalid UTF-8, surrogates encoded
 * in UTF-8 (CESU), control characters.  Each gives a clear error (exit 2
 * with a message) or a correct answer, in bounded time (the suite timeout)
 * and memory.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "query_parse.h"
#include "testutil.h"

static char *ixdir;

static void setup(void)
{
	const char *seeds = tu_corpus("seeds");
	cr_assert(seeds);
	ixdir = tu_tmpdir("hostile");
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, ixdir, seeds);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0);
}

static void teardown(void)
{
	tu_rmtree(ixdir);
	free(ixdir);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 120);

/* Runs bsearch -i ixdir -c ARGS... (no shell); returns the exit status and its stderr in err. */
static int run_bsearch(const char *const *args, int nargs, char *err, size_t errlen)
{
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char bin[1024];
		const char **argv = calloc((size_t)nargs + 5, sizeof *argv);
		snprintf(bin, sizeof bin, "%s/bsearch", BIDX_BINARY_DIR);
		argv[0] = bin;
		argv[1] = "-i";
		argv[2] = ixdir;
		argv[3] = "-c";
		memcpy(argv + 4, args, (size_t)nargs * sizeof *args);
		dup2(fd[1], 2);
		close(fd[0]);
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fd[1]);
	size_t n = 0;
	ssize_t r;
	while ((r = read(fd[0], err + n, errlen - 1 - n)) > 0 && n + 1 < errlen)
		n += (size_t)r;
	err[n] = 0;
	close(fd[0]);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "bsearch died of signal %d", WTERMSIG(st));
	return WEXITSTATUS(st);
}

static void refused(const char *const *args, int nargs, const char *what, const char *msg)
{
	char err[4096];
	int st = run_bsearch(args, nargs, err, sizeof err);
	cr_assert_eq(st, 2, "%s: exit %d, expected 2:\n%s", what, st, err);
	cr_assert(strstr(err, "bsearch: "), "%s: no message", what);
	if (msg)
		cr_assert(strstr(err, msg), "%s: message lacks '%s':\n%s", what, msg, err);
	cr_assert(!strchr(err, '\n') || strlen(err) < 3000, "%s: the message should stay short", what);
}

static char *repeat(const char *unit, size_t times)
{
	size_t u = strlen(unit);
	char *s = malloc(u * times + 1);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * u, unit, u);
	s[u * times] = 0;
	return s;
}

Test(hostile, a_1mb_query_in_many_arguments)
{
	const char *args[10];
	for (int i = 0; i < 10; i++)
		args[i] = repeat("あ", 100000 / 3);   /* ~100 KB each: under MAX_ARG_STRLEN */
	refused(args, 10, "1 MB query", "longer than");
	for (int i = 0; i < 10; i++)
		free((void *)(uintptr_t)args[i]);
}

Test(hostile, ten_thousand_terms)
{
	char *q = repeat("カード ", 10000);
	const char *args[] = {q};
	refused(args, 1, "10000 terms", NULL);
	free(q);
	/* the largest allowed number of terms is answered */
	char *ok = repeat("カード OR ", BIDX_QUERY_MAX_TERMS - 1);
	strcat(ok = realloc(ok, strlen(ok) + 16), "口座");
	const char *args2[] = {ok};
	char err[4096];
	int st = run_bsearch(args2, 1, err, sizeof err);
	cr_assert(st == 0, "%d terms: exit %d\n%s", BIDX_QUERY_MAX_TERMS, st, err);
	free(ok);
}

Test(hostile, deep_parentheses)
{
	char *open = repeat("(", 100000);
	const char *args[] = {open};
	refused(args, 1, "100000 '('", NULL);
	char *nest = malloc(2 * BIDX_QUERY_MAX_DEPTH + 64);
	strcpy(nest, "");
	for (int i = 0; i < BIDX_QUERY_MAX_DEPTH + 1; i++)
		strcat(nest, "(");
	strcat(nest, "カード");
	for (int i = 0; i < BIDX_QUERY_MAX_DEPTH + 1; i++)
		strcat(nest, ")");
	const char *args2[] = {nest};
	refused(args2, 1, "nesting past the limit", NULL);
	free(open);
	free(nest);
}

Test(hostile, invalid_utf8_surrogates_and_control_characters)
{
	static const char *const bad[] = {
		"カード\xff", "\xe3\x82", "\xc0\xaf", "\xed\xa0\x80\xed\xb0\x80", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *args[] = {bad[i]};
		refused(args, 1, "invalid UTF-8", "UTF-8");
	}
	/* control characters: a clear error or a correct answer */
	static const char *const ctl[] = {"カ\x01ード", "\x1b[31mカード", "カード\x7f", "\t\r\n", "\x08"};
	for (size_t i = 0; i < sizeof ctl / sizeof *ctl; i++) {
		const char *args[] = {ctl[i]};
		char err[4096];
		int st = run_bsearch(args, 1, err, sizeof err);
		cr_assert(st == 0 || st == 1 || (st == 2 && strstr(err, "bsearch: ")),
		          "control characters %zu: exit %d:\n%s", i, st, err);
	}
	/* a control character is a gap like a space, so "カ\x01ード" finds what "カ ード" finds */
	const char *a1[] = {"カ\x01ード"}, *a2[] = {"カ ード"};
	char e1[4096], e2[4096];
	cr_assert_eq(run_bsearch(a1, 1, e1, sizeof e1), run_bsearch(a2, 1, e2, sizeof e2));
}

Test(hostile, the_parser_alone_stays_bounded)
{
	static const size_t sizes[] = {1u << 20, 100000, 10000};
	char err[256];
	size_t pos;
	bidx_qnode *q;
	for (size_t i = 0; i < 3; i++) {
		char *s = repeat(i == 0 ? "a" : i == 1 ? "(" : "x ", sizes[i]);
		cr_assert_eq(bidx_query_parse(s, &q, err, sizeof err, &pos), BIDX_EQUERY,
		             "input %zu accepted", i);
		cr_assert_null(q);
		cr_assert_leq(pos, strlen(s));
		free(s);
	}
	char *s = repeat(")", 100000);
	cr_assert_eq(bidx_query_parse(s, &q, err, sizeof err, &pos), BIDX_EQUERY);
	free(s);
	s = repeat("\"", 100001);
	cr_assert_eq(bidx_query_parse(s, &q, err, sizeof err, &pos), BIDX_EQUERY);
	free(s);
	s = repeat("-", 60000);
	bidx_err rc = bidx_query_parse(s, &q, err, sizeof err, &pos);
	cr_assert(rc == BIDX_EQUERY || rc == BIDX_OK);
	bidx_query_free(q);
	free(s);
}
