/*
 * Hostile queries, through the parser and through the real bsearch binary:
 * a 1 MB query, 10000 terms, 100000 '(', invalid UTF-8, surrogates encoded
 * in UTF-8 (CESU), control characters, long words that repeat one bigram
 * over documents made of it.  Each gives a clear error (exit 2 with a
 * message) or a correct answer, in bounded time (the suite timeout) and
 * memory (an address-space limit on the bsearch process).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "io.h"
#include "query_parse.h"
#include "segment.h"
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

/* A postings chunk that fails its checksum is found when a query first
 * reads it; the message used to say "index is corrupt (index is corrupt)". */
Test(hostile, damage_found_while_searching_is_named_once)
{
	char *bad = tu_tmpdir("hostile-damaged"), cmd[9000], seg[4200];
	int st;
	snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s' && cd '%s' && ls seg-*.bidx", ixdir, bad, bad);
	char *o = tu_run(cmd, &st);
	cr_assert_eq(st, 0, "%s", o);
	o[strcspn(o, "\n")] = 0;
	snprintf(seg, sizeof seg, "%s/%s", bad, o);
	char name[256];
	snprintf(name, sizeof name, "%s", o);
	free(o);
	/* where the postings of クレ are in the file */
	bidx_segment *sg;
	bidx_term t;
	char why[256];
	cr_assert_eq(bidx_segment_open_file(seg, &sg, why, sizeof why), BIDX_OK, "%s", why);
	int found;
	cr_assert_eq(bidx_termdict_find(bidx_segment_termdict(sg), bidx_key2(0x30AF, 0x30EC), &t,
	                                &found), BIDX_OK);
	cr_assert_eq(found, 1);
	bidx_segment_close(sg);
	char *bytes;
	size_t nbytes;
	uint64_t poff, plen;
	cr_assert_eq(bidx_read_file(seg, &bytes, &nbytes), BIDX_OK);
	cr_assert_eq(bidx_segment_locate((const uint8_t *)bytes, nbytes, BIDX_SEC_POSTINGS, &poff,
	                                 &plen), BIDX_OK);
	free(bytes);
	long at = (long)poff + (long)t.post_off + 1;
	FILE *f = fopen(seg, "r+b");
	cr_assert(f);
	cr_assert_eq(fseek(f, at, SEEK_SET), 0);
	int c = fgetc(f);
	cr_assert_eq(fseek(f, at, SEEK_SET), 0);
	fputc(c ^ 0x10, f);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof cmd, "%s/bsearch -i '%s' -c クレジットカード 2>&1", BIDX_BINARY_DIR, bad);
	o = tu_run(cmd, &st);
	cr_assert_eq(st, 2, "exit %d:\n%s", st, o);
	cr_assert(strstr(o, "index is corrupt ("), "%s", o);
	cr_assert(!strstr(o, "(index is corrupt)"), "the reason repeats the message:\n%s", o);
	cr_assert(strstr(o, name), "the segment is not named:\n%s", o);
	free(o);
	tu_rmtree(bad);
	free(bad);
}

/* --- long words over documents that repeat one bigram --- */

static char *repdir, *repix;

static void write_text(const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", repdir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* Appends times copies of unit to *s (malloc'd, grown). */
static void append(char **s, const char *unit, size_t times)
{
	char *r = repeat(unit, times);
	size_t l = *s ? strlen(*s) : 0;
	*s = realloc(*s, l + strlen(r) + 1);
	strcpy(*s + l, r);
	free(r);
}

static const char *const rep_names[] = {"lines.txt", "run.txt", "broken.txt", "periodic.txt",
                                        "near.txt"};
static char *rep_text[5];

static void repeats_setup(void)
{
	repdir = tu_tmpdir("repeats-corpus");
	repix = tu_tmpdir("repeats-index");
	append(&rep_text[0], "■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■"
	                     "■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■\n", 2000);
	append(&rep_text[1], "■", 3000);
	append(&rep_text[2], "■", 800);
	append(&rep_text[2], "□", 1);
	append(&rep_text[2], "■", 800);
	append(&rep_text[3], "■□", 1500);
	append(&rep_text[4], "■□", 300);
	append(&rep_text[4], "■", 1);
	append(&rep_text[4], "■□", 300);
	for (int i = 0; i < 5; i++)
		write_text(rep_names[i], rep_text[i]);
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd, "%s/bidx build -q -i '%s' '%s'", BIDX_BINARY_DIR, repix, repdir);
	free(tu_run(cmd, &st));
	cr_assert_eq(st, 0);
}

static void repeats_teardown(void)
{
	tu_rmtree(repdir);
	tu_rmtree(repix);
	free(repdir);
	free(repix);
	for (int i = 0; i < 5; i++)
		free(rep_text[i]);
}

TestSuite(repeats, .init = repeats_setup, .fini = repeats_teardown, .timeout = 300);

/* AddressSanitizer reserves terabytes of address space for its shadow, so a
 * sanitized bsearch cannot run under RLIMIT_AS: there only its peak resident
 * size is checked. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* bsearch -c q on the repeats index in a child limited to `limit` bytes of
 * address space, whose peak resident size must stay below it too; returns
 * its exit status, its output in out and errors in err. */
static int count_limited(const char *q, rlim_t limit, char *out, size_t outlen, char *err,
                         size_t errlen)
{
	int fo[2], fe[2];
	cr_assert_eq(pipe(fo), 0);
	cr_assert_eq(pipe(fe), 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char bin[1024];
		snprintf(bin, sizeof bin, "%s/bsearch", BIDX_BINARY_DIR);
		struct rlimit rl = {limit, limit};
		if (!UNDER_ASAN)
			setrlimit(RLIMIT_AS, &rl);
		setenv("BIDX_SYNONYMS", "none", 1);
		dup2(fo[1], 1);
		dup2(fe[1], 2);
		close(fo[0]);
		close(fe[0]);
		const char *argv[] = {bin, "-i", repix, "-c", "--", q, NULL};
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fo[1]);
	close(fe[1]);
	size_t n = 0;
	ssize_t r;
	while ((r = read(fo[0], out + n, outlen - 1 - n)) > 0 && n + 1 < outlen)
		n += (size_t)r;
	out[n] = 0;
	n = 0;
	while ((r = read(fe[0], err + n, errlen - 1 - n)) > 0 && n + 1 < errlen)
		n += (size_t)r;
	err[n] = 0;
	close(fo[0]);
	close(fe[0]);
	int st;
	struct rusage ru;
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	cr_assert(WIFEXITED(st), "bsearch died of signal %d", WTERMSIG(st));
	cr_assert_lt((rlim_t)ru.ru_maxrss * 1024, limit, "bsearch peaked at %ld KB", ru.ru_maxrss);
	return WEXITSTATUS(st);
}

/* Documents whose text holds q, by brute force (no line of the corpus is
 * joined to the next by normalisation: ■ and □ are no Japanese letters). */
static int brute_count(const char *q)
{
	int c = 0;
	for (int i = 0; i < 5; i++)
		c += strstr(rep_text[i], q) != NULL;
	return c;
}

/* ■ x 1600 used to decode the positions of ■■ once per bigram of the word
 * (800 copies of 198,000 positions: 623 MB); now each distinct bigram's
 * positions are decoded once and a repeated bigram is checked in a pass. */
Test(repeats, long_words_answer_right_within_256_mb)
{
	char *q[16] = {0};
	int nq = 0;
	static const size_t runs[] = {2, 100, 101, 400, 799, 801, 1600, 3000, 3001};
	for (size_t i = 0; i < sizeof runs / sizeof *runs; i++)
		append(&q[nq++], "■", runs[i]);
	append(&q[nq++], "■□", 2);
	append(&q[nq++], "□■", 700);
	append(&q[nq++], "■□", 1500);
	append(&q[nq], "■□", 200), append(&q[nq], "■", 1), append(&q[nq++], "■□", 100);
	append(&q[nq], "■", 799), append(&q[nq], "□", 1), append(&q[nq++], "■", 3);
	append(&q[nq], "■", 1600), append(&q[nq++], "□", 1);
	for (int i = 0; i < nq; i++) {
		char out[256], err[4096];
		int want = brute_count(q[i]);
		int st = count_limited(q[i], (rlim_t)256 << 20, out, sizeof out, err, sizeof err);
		cr_assert_eq(st, want ? 0 : 1, "query %d (%zu bytes): exit %d\n%s", i, strlen(q[i]), st,
		             err);
		cr_assert_eq(atoi(out), want, "query %d: %d hits, brute force %d", i, atoi(out), want);
	}
	for (int i = 0; i < nq; i++)
		free(q[i]);
}

Test(repeats, a_word_longer_than_the_limit_is_refused)
{
	char *q = NULL;
	append(&q, "■", BIDX_QUERY_MAX_TERM_CHARS + 1);
	char out[256], err[4096];
	int st = count_limited(q, (rlim_t)256 << 20, out, sizeof out, err, sizeof err);
	cr_assert_eq(st, 2, "exit %d\n%s", st, err);
	cr_assert(strstr(err, "longer than"), "%s", err);
	free(q);
	q = NULL;
	append(&q, "■", BIDX_QUERY_MAX_TERM_CHARS);
	st = count_limited(q, (rlim_t)256 << 20, out, sizeof out, err, sizeof err);
	cr_assert_eq(st, 1, "the longest word allowed: exit %d\n%s", st, err);
	free(q);
}
