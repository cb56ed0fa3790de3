/*
 * test_query_parse.c - the query language: tree shapes, every syntax error
 * with its byte position, hostile input, and allocation failures.
 *
 * Trees are compared as s-expressions rendered by sexpr() below: a term is
 * its text (in double quotes when it holds a space, paren, quote or
 * backslash, or is empty), an operator is "(AND kids...)", "(OR ...)",
 * "(NOT kid)".
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "query_parse.h"

#include "testutil.h"

#define ASSERT_NO_LEAKS() TU_ASSERT_NO_LEAKS()

struct sbuf {
	char s[8192];
	size_t n;
};

static void sb_puts(struct sbuf *b, const char *s)
{
	size_t k = strlen(s);
	cr_assert_lt(b->n + k, sizeof b->s, "s-expression too long for test");
	memcpy(b->s + b->n, s, k + 1);
	b->n += k;
}

static void sb_putc(struct sbuf *b, char c)
{
	char t[2] = {c, '\0'};
	sb_puts(b, t);
}

static int needs_quotes(const char *s)
{
	return !*s || strpbrk(s, " ()\"\\") != NULL;
}

static void render_term(struct sbuf *b, const char *s)
{
	if (!needs_quotes(s)) {
		sb_puts(b, s);
		return;
	}
	sb_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_putc(b, '\\');
		sb_putc(b, *s);
	}
	sb_putc(b, '"');
}

static void render(struct sbuf *b, const bidx_qnode *n)
{
	static const char *const names[] = {"TERM", "AND", "OR", "NOT"};

	if (n->type == BIDX_Q_TERM) {
		cr_assert_eq(n->nkids, 0);
		render_term(b, n->text);
		return;
	}
	if (n->type == BIDX_Q_NOT)
		cr_assert_eq(n->nkids, 1, "NOT must have exactly one child");
	else
		cr_assert_geq(n->nkids, 2, "AND/OR must have >= 2 children");
	sb_putc(b, '(');
	sb_puts(b, names[n->type]);
	for (size_t i = 0; i < n->nkids; i++) {
		sb_putc(b, ' ');
		render(b, n->kids[i]);
	}
	sb_putc(b, ')');
}

/* The tree of q as an s-expression; fails the test when q does not parse. */
static char *sexpr(const char *q)
{
	static struct sbuf b;
	bidx_qnode *n = NULL;
	char err[128];
	size_t pos = 0;
	bidx_err rc = bidx_query_parse(q, &n, err, sizeof err, &pos);

	cr_assert_eq(rc, BIDX_OK, "query <%s>: %s at %zu", q, err, pos);
	cr_assert_not_null(n);
	b.n = 0;
	b.s[0] = '\0';
	render(&b, n);
	bidx_query_free(n);
	return b.s;
}

#define ASSERT_TREE(q, want) cr_assert_str_eq(sexpr(q), want, "query <%s>", q)

/* Asserts that q fails with message msg at byte offset at. */
static void assert_error(const char *q, const char *msg, size_t at)
{
	bidx_qnode *n = (bidx_qnode *)&n;   /* must be reset to NULL */
	char err[128];
	size_t pos = 12345;
	bidx_err rc = bidx_query_parse(q, &n, err, sizeof err, &pos);

	cr_assert_eq(rc, BIDX_EQUERY, "query <%.60s> parsed", q);
	cr_assert_null(n);
	cr_assert_str_eq(err, msg, "query <%.60s>", q);
	cr_assert_eq(pos, at, "query <%.60s>: %s at %zu, want %zu", q, err, pos, at);
}

static bidx_qnode *parse_ok(const char *q)
{
	bidx_qnode *n = NULL;
	char err[128];
	size_t pos = 0;

	cr_assert_eq(bidx_query_parse(q, &n, err, sizeof err, &pos), BIDX_OK,
	             "query <%s>: %s at %zu", q, err, pos);
	return n;
}

/* A query of n space-separated words "w0 w1 ...". */
static char *many_words(size_t n)
{
	char *q = malloc(n * 8 + 1);
	size_t k = 0;

	cr_assert_not_null(q);
	for (size_t i = 0; i < n; i++)
		k += (size_t)sprintf(q + k, "%sw%zu", i ? " " : "", i);
	q[k] = '\0';
	return q;
}

/* c repeated n times, then tail. */
static char *repeat(char c, size_t n, const char *tail)
{
	size_t t = strlen(tail);
	char *q = malloc(n + t + 1);

	cr_assert_not_null(q);
	memset(q, c, n);
	memcpy(q + n, tail, t + 1);
	return q;
}

Test(query_parse, single_word)
{
	bidx_qnode *n = parse_ok("クレジットカード");

	cr_assert_eq(n->type, BIDX_Q_TERM);
	cr_assert_str_eq(n->text, "クレジットカード");
	cr_assert_eq(n->pos, 0);
	cr_assert_eq(n->nkids, 0);
	cr_assert_eq(bidx_query_positive_terms(n), 1);
	bidx_query_free(n);
	ASSERT_TREE("  abc  ", "abc");
}

Test(query_parse, implicit_and)
{
	ASSERT_TREE("a b c", "(AND a b c)");
	ASSERT_TREE("\ta\n\r\f\vb ", "(AND a b)");
	ASSERT_TREE("東京 大阪 名古屋", "(AND 東京 大阪 名古屋)");
}

Test(query_parse, or_binds_tighter_than_and)
{
	ASSERT_TREE("a b OR c", "(AND a (OR b c))");
	ASSERT_TREE("a OR b c", "(AND (OR a b) c)");
	ASSERT_TREE("a OR b c OR d", "(AND (OR a b) (OR c d))");
	ASSERT_TREE("a OR b", "(OR a b)");
}

Test(query_parse, or_chain_is_one_node)
{
	bidx_qnode *n = parse_ok("a OR b OR c");

	cr_assert_eq(n->type, BIDX_Q_OR);
	cr_assert_eq(n->nkids, 3);
	bidx_query_free(n);
	ASSERT_TREE("a OR (b OR c)", "(OR a b c)");
	ASSERT_TREE("(a OR b) OR c", "(OR a b c)");
}

Test(query_parse, or_spelling)
{
	ASSERT_TREE("a or b", "(AND a or b)");
	ASSERT_TREE("a Or b", "(AND a Or b)");
	ASSERT_TREE("a ORANGE", "(AND a ORANGE)");
	ASSERT_TREE("a OR(b)", "(OR a b)");
	ASSERT_TREE("(a)OR(b)", "(OR a b)");
	ASSERT_TREE("a \"OR\"", "(AND a OR)");
	ASSERT_TREE("a ＯＲ b", "(AND a ＯＲ b)");  /* full-width is a word */
}

Test(query_parse, not)
{
	ASSERT_TREE("a -b", "(AND a (NOT b))");
	ASSERT_TREE("-b a", "(AND (NOT b) a)");
	ASSERT_TREE("a -\"b c\"", "(AND a (NOT \"b c\"))");
	ASSERT_TREE("a -(b OR c)", "(AND a (NOT (OR b c)))");
	ASSERT_TREE("a -(b -c)", "(AND a (NOT (AND b (NOT c))))");
	/* Right after a NOT, "OR" and a leading '-' are plain text. */
	ASSERT_TREE("a -OR", "(AND a (NOT OR))");
	ASSERT_TREE("a --b", "(AND a (NOT -b))");
	ASSERT_TREE("クレジット -デビット", "(AND クレジット (NOT デビット))");
}

Test(query_parse, not_positions)
{
	bidx_qnode *n = parse_ok("ab -cd");

	cr_assert_eq(n->type, BIDX_Q_AND);
	cr_assert_eq(n->kids[1]->type, BIDX_Q_NOT);
	cr_assert_eq(n->kids[1]->pos, 3);
	cr_assert_eq(n->kids[1]->kids[0]->pos, 4);
	cr_assert_str_eq(n->kids[1]->kids[0]->text, "cd");
	cr_assert_eq(bidx_query_positive_terms(n), 1);
	bidx_query_free(n);
}

Test(query_parse, lone_minus_is_a_word)
{
	ASSERT_TREE("-", "-");
	ASSERT_TREE("a - b", "(AND a - b)");
	ASSERT_TREE("a -", "(AND a -)");
	ASSERT_TREE("(a -)", "(AND a -)");
	ASSERT_TREE("a -　b", "(AND a - b)");
	ASSERT_TREE("a - OR b", "(AND a (OR - b))");

	bidx_qnode *n = parse_ok("a - b");
	cr_assert_eq(bidx_query_positive_terms(n), 3);
	bidx_query_free(n);
}

Test(query_parse, inner_minus_stays_in_word)
{
	ASSERT_TREE("e-ながさき", "e-ながさき");
	ASSERT_TREE("e-ながさき 長崎", "(AND e-ながさき 長崎)");
	ASSERT_TREE("a-", "a-");
	ASSERT_TREE("COVID-19", "COVID-19");
}

Test(query_parse, parentheses)
{
	ASSERT_TREE("(a OR b) c", "(AND (OR a b) c)");
	ASSERT_TREE("((a))", "a");
	ASSERT_TREE("( ( a ) )", "a");
	ASSERT_TREE("a (b c)", "(AND a b c)");
	ASSERT_TREE("(a b) OR c", "(OR (AND a b) c)");
	ASSERT_TREE("a(b)c", "(AND a b c)");
	ASSERT_TREE("x (a OR b) (c OR d)", "(AND x (OR a b) (OR c d))");
	ASSERT_TREE("(a -b) OR c", "(OR (AND a (NOT b)) c)");
	/* Full-width parentheses and quotes are ordinary characters. */
	ASSERT_TREE("（a）", "（a）");
	ASSERT_TREE("＂a b＂", "(AND ＂a b＂)");
}

Test(query_parse, phrase)
{
	bidx_qnode *n = parse_ok("x \"credit card\"");

	cr_assert_eq(n->type, BIDX_Q_AND);
	cr_assert_str_eq(n->kids[1]->text, "credit card");
	cr_assert_eq(n->kids[1]->pos, 2);   /* the opening quote */
	bidx_query_free(n);

	n = parse_ok("\"say \\\"hi\\\" now\"");
	cr_assert_eq(n->type, BIDX_Q_TERM);
	cr_assert_str_eq(n->text, "say \"hi\" now");
	bidx_query_free(n);

	n = parse_ok("\"a\\\\b\\c\"");
	cr_assert_str_eq(n->text, "a\\bc");
	bidx_query_free(n);

	n = parse_ok("\"\\東京\"");   /* an escaped multi-byte character */
	cr_assert_str_eq(n->text, "東京");
	bidx_query_free(n);

	ASSERT_TREE("\"(a OR b)\"", "\"(a OR b)\"");
	ASSERT_TREE("a\"b c\"d", "(AND a \"b c\" d)");
	ASSERT_TREE("\"a b\" OR \"c d\"", "(OR \"a b\" \"c d\")");
	/* U+3000 inside quotes is part of the phrase. */
	ASSERT_TREE("\"個人情報　保護\" x", "(AND 個人情報　保護 x)");
}

Test(query_parse, ideographic_space_separates)
{
	bidx_qnode *n = parse_ok("ＰＣＩ　ＤＳＳ");

	cr_assert_eq(n->type, BIDX_Q_AND);
	cr_assert_eq(n->nkids, 2);
	cr_assert_str_eq(n->kids[0]->text, "ＰＣＩ");
	cr_assert_str_eq(n->kids[1]->text, "ＤＳＳ");
	cr_assert_eq(n->kids[0]->pos, 0);
	cr_assert_eq(n->kids[1]->pos, 12);
	bidx_query_free(n);
	ASSERT_TREE("　東京　OR　大阪　", "(OR 東京 大阪)");
	/* Other characters starting with E3 80 are not separators. */
	ASSERT_TREE("「東京」", "「東京」");
}

Test(query_parse, positive_terms)
{
	bidx_qnode *n = parse_ok("a -b (c OR d) -(e f) \"g h\"");

	cr_assert_eq(bidx_query_positive_terms(n), 4);
	bidx_query_free(n);
	cr_assert_eq(bidx_query_positive_terms(NULL), 0);
	bidx_query_free(NULL);
}

Test(query_parse, error_parentheses)
{
	assert_error("(a b", "unbalanced '('", 0);
	assert_error("a (b (c)", "unbalanced '('", 2);
	assert_error("(", "unbalanced '('", 0);
	assert_error("a b)", "unbalanced ')'", 3);
	assert_error("(a))", "unbalanced ')'", 3);
	assert_error(")", "unbalanced ')'", 0);
	assert_error("a () b", "empty group '()'", 2);
	assert_error("a (　 ) b", "empty group '()'", 2);
	assert_error("-()", "empty group '()'", 1);
	ASSERT_NO_LEAKS();
}

Test(query_parse, error_quotes)
{
	assert_error("a \"b c", "unterminated quote", 2);
	assert_error("\"abc\\\"", "unterminated quote", 0);
	assert_error("\"abc\\", "unterminated quote", 0);
	assert_error("a -\"b", "unterminated quote", 3);
	assert_error("(a \"b)", "unterminated quote", 3);
	assert_error("\"\"", "empty phrase", 0);
	assert_error("a \" 　\"", "empty phrase", 2);
	assert_error("a -\"\"", "empty phrase", 3);
	ASSERT_NO_LEAKS();
}

Test(query_parse, error_or)
{
	assert_error("OR", "OR needs a term on both sides", 0);
	assert_error("OR a", "OR needs a term on both sides", 0);
	assert_error("a OR", "OR needs a term on both sides", 2);
	assert_error("a OR OR b", "OR needs a term on both sides", 2);
	assert_error("(a OR) b", "OR needs a term on both sides", 3);
	assert_error("a (OR b)", "OR needs a term on both sides", 3);
	assert_error("a OR -b", "NOT is not allowed inside OR", 5);
	assert_error("-a OR b", "NOT is not allowed inside OR", 0);
	assert_error("x a OR b OR -c", "NOT is not allowed inside OR", 12);
	ASSERT_NO_LEAKS();
}

Test(query_parse, error_only_negative)
{
	assert_error("-a", "nothing to match: only negative terms", 0);
	assert_error("-a -b", "nothing to match: only negative terms", 0);
	assert_error("a (-b)", "nothing to match: only negative terms", 3);
	assert_error("a (-b -c) d", "nothing to match: only negative terms", 3);
	assert_error("x -(-b)", "nothing to match: only negative terms", 4);
	assert_error("a OR (-b)", "nothing to match: only negative terms", 6);
	ASSERT_NO_LEAKS();
}

Test(query_parse, error_empty)
{
	assert_error("", "empty query", 0);
	assert_error(" \t\n　 ", "empty query", 0);
	assert_error(NULL, "empty query", 0);
	ASSERT_NO_LEAKS();
}

Test(query_parse, error_utf8)
{
	assert_error("abc \xff", "invalid UTF-8", 4);
	assert_error("ab\xe3\x80", "invalid UTF-8", 2);         /* cut U+3000 */
	assert_error("東京 \xc0\xaf", "invalid UTF-8", 7);       /* overlong */
	assert_error("\xed\xa0\x80", "invalid UTF-8", 0);        /* surrogate */
	assert_error("\"a\\\x80\"", "invalid UTF-8", 3);
	ASSERT_NO_LEAKS();
}

Test(query_parse, nesting_limit)
{
	char *q = repeat('(', BIDX_QUERY_MAX_DEPTH, "a");
	char *closed = malloc(2 * BIDX_QUERY_MAX_DEPTH + 2);
	bidx_qnode *n;

	memset(closed, ')', 2 * BIDX_QUERY_MAX_DEPTH + 1);
	memcpy(closed, q, BIDX_QUERY_MAX_DEPTH + 1);
	closed[2 * BIDX_QUERY_MAX_DEPTH + 1] = '\0';
	n = parse_ok(closed);
	cr_assert_eq(n->type, BIDX_Q_TERM);
	bidx_query_free(n);
	free(closed);
	free(q);

	q = repeat('(', BIDX_QUERY_MAX_DEPTH + 1, "a");
	assert_error(q, "nesting deeper than 64", BIDX_QUERY_MAX_DEPTH);
	free(q);
	ASSERT_NO_LEAKS();
}

Test(query_parse, hostile_nesting)
{
	char *q = repeat('(', 100000, "");

	/* Too long first: the length check comes before any parsing. */
	assert_error(q, "query longer than 65536 bytes", BIDX_QUERY_MAX_BYTES);
	q[60000] = '\0';
	assert_error(q, "nesting deeper than 64", BIDX_QUERY_MAX_DEPTH);
	free(q);

	q = repeat('(', 30000, "a");
	q = realloc(q, 60002);
	memset(q + 30001, ')', 30000);
	q[60001] = '\0';
	assert_error(q, "nesting deeper than 64", BIDX_QUERY_MAX_DEPTH);
	free(q);

	/* Nested NOTs recurse only through groups, so the same limit holds. */
	q = malloc(4 * 15000 + 2);
	for (size_t i = 0; i < 15000; i++)
		memcpy(q + 4 * i, "a -(", 4);
	memcpy(q + 60000, "b", 2);
	assert_error(q, "nesting deeper than 64", 4 * BIDX_QUERY_MAX_DEPTH + 3);
	free(q);
	ASSERT_NO_LEAKS();
}

Test(query_parse, term_limit)
{
	char *q = many_words(BIDX_QUERY_MAX_TERMS);
	bidx_qnode *n = parse_ok(q);

	cr_assert_eq(n->nkids, BIDX_QUERY_MAX_TERMS);
	cr_assert_eq(bidx_query_positive_terms(n), BIDX_QUERY_MAX_TERMS);
	bidx_query_free(n);
	free(q);

	q = many_words(BIDX_QUERY_MAX_TERMS + 1);
	assert_error(q, "more than 256 terms", (size_t)(strrchr(q, ' ') + 1 - q));
	free(q);

	q = many_words(10000);
	char *w = strstr(q, " w256 ");
	assert_error(q, "more than 256 terms", (size_t)(w + 1 - q));
	free(q);
	ASSERT_NO_LEAKS();
}

Test(query_parse, length_limit)
{
	char *q = repeat('a', BIDX_QUERY_MAX_BYTES, "");
	bidx_qnode *n = parse_ok(q);

	cr_assert_eq(strlen(n->text), BIDX_QUERY_MAX_BYTES);
	bidx_query_free(n);
	free(q);
	q = repeat('a', BIDX_QUERY_MAX_BYTES + 1, "");
	assert_error(q, "query longer than 65536 bytes", BIDX_QUERY_MAX_BYTES);
	free(q);
	ASSERT_NO_LEAKS();
}

Test(query_parse, first_error_wins)
{
	assert_error("-a OR b)", "NOT is not allowed inside OR", 0);
	assert_error("(a \"b", "unterminated quote", 3);
	assert_error("a) (", "unbalanced ')'", 1);
	ASSERT_NO_LEAKS();
}

Test(query_parse, error_buffer_handling)
{
	bidx_qnode *n = NULL;
	char err[8];
	size_t pos = 99;

	cr_assert_eq(bidx_query_parse("(a", &n, err, sizeof err, &pos), BIDX_EQUERY);
	cr_assert_str_eq(err, "unbalan");   /* truncated, still terminated */
	cr_assert_eq(pos, 0);
	cr_assert_eq(bidx_query_parse("(a", &n, NULL, 0, NULL), BIDX_EQUERY);
	cr_assert_null(n);
	cr_assert_eq(bidx_query_parse("a b", &n, NULL, 0, NULL), BIDX_OK);
	bidx_query_free(n);
	ASSERT_NO_LEAKS();
}

/* Fails every allocation in turn: the result is either the right tree or
 * ENOMEM with nothing returned (LeakSanitizer checks nothing leaked). */
Test(query_parse, allocation_failures)
{
	const char *q = "a \"b c\" OR (d -e (f OR g OR h)) -\"i\" j";
	char want[512];
	int done = 0;

	snprintf(want, sizeof want, "%s", sexpr(q));
	for (long k = 1; !done; k++) {
		bidx_qnode *n = (bidx_qnode *)&n;
		char err[64];
		size_t pos;
		bidx_fault_set(BIDX_FAULT_ALLOC, k);
		bidx_err rc = bidx_query_parse(q, &n, err, sizeof err, &pos);
		bidx_fault_set(BIDX_FAULT_ALLOC, 0);
		if (rc == BIDX_ENOMEM) {
			cr_assert_null(n);
			cr_assert_str_eq(err, "out of memory");
			continue;
		}
		cr_assert_eq(rc, BIDX_OK, "fault %ld: %s", k, err);
		struct sbuf b = {.n = 0};
		render(&b, n);
		cr_assert_str_eq(b.s, want, "fault %ld", k);
		bidx_query_free(n);
		done = 1;
		cr_assert_gt(k, 10, "the loop should have failed some allocations");
	}
	ASSERT_NO_LEAKS();
}

/* Field terms: NAME:value and NAME:"a phrase" carry the name apart. */
Test(query_parse, field_terms)
{
	bidx_qnode *q;
	char err[128];
	size_t pos;
	cr_assert_eq(bidx_query_parse("title:お詫び org:\"九州 商船\" -leaked:パスワード", &q, err,
	                              sizeof err, &pos), BIDX_OK, "%s", err);
	cr_assert_eq(q->type, BIDX_Q_AND);
	cr_assert_eq(q->nkids, 3);
	cr_assert_str_eq(q->kids[0]->field, "title");
	cr_assert_str_eq(q->kids[0]->text, "お詫び");
	cr_assert_str_eq(q->kids[1]->field, "org");
	cr_assert_str_eq(q->kids[1]->text, "九州 商船");
	cr_assert_eq(q->kids[2]->type, BIDX_Q_NOT);
	cr_assert_str_eq(q->kids[2]->kids[0]->field, "leaked");
	cr_assert_str_eq(q->kids[2]->kids[0]->text, "パスワード");
	bidx_query_free(q);

	/* a word with a colon but nothing before it is text; one with nothing
	 * after it is a field with an empty value (the evaluator decides) */
	cr_assert_eq(bidx_query_parse("a: :b date:2018-01..2019-03", &q, err, sizeof err, &pos), BIDX_OK);
	cr_assert_str_eq(q->kids[0]->field, "a");
	cr_assert_str_eq(q->kids[0]->text, "");
	cr_assert_null(q->kids[1]->field);
	cr_assert_str_eq(q->kids[2]->field, "date");
	cr_assert_str_eq(q->kids[2]->text, "2018-01..2019-03");
	bidx_query_free(q);

	cr_assert_eq(bidx_query_parse("org:\"unterminated", &q, err, sizeof err, &pos), BIDX_EQUERY);
	cr_assert_eq(pos, 4);
	cr_assert_eq(bidx_query_parse("org:\"  \"", &q, err, sizeof err, &pos), BIDX_EQUERY);
}

/* NAME:( query ) gives NAME to every term of the group without a field of
 * its own: org:(a OR b) is org:a OR org:b. */
Test(query_parse, field_over_a_group)
{
	bidx_qnode *q;
	char err[128];
	size_t pos;
	cr_assert_eq(bidx_query_parse("org:(九州商船 OR カゴヤ) 漏えい", &q, err, sizeof err, &pos),
	             BIDX_OK, "%s", err);
	cr_assert_eq(q->type, BIDX_Q_AND);
	cr_assert_eq(q->kids[0]->type, BIDX_Q_OR);
	cr_assert_str_eq(q->kids[0]->kids[0]->field, "org");
	cr_assert_str_eq(q->kids[0]->kids[0]->text, "九州商船");
	cr_assert_str_eq(q->kids[0]->kids[1]->field, "org");
	cr_assert_str_eq(q->kids[0]->kids[1]->text, "カゴヤ");
	cr_assert_null(q->kids[1]->field);
	bidx_query_free(q);

	/* nested groups, NOT and a phrase inside; a term's own field stays */
	cr_assert_eq(bidx_query_parse("title:(お詫び (\"不正 アクセス\" -試験) date:2016)", &q, err,
	                              sizeof err, &pos), BIDX_OK, "%s", err);
	cr_assert_eq(q->type, BIDX_Q_AND);
	cr_assert_eq(q->nkids, 4);
	cr_assert_str_eq(q->kids[0]->field, "title");
	cr_assert_str_eq(q->kids[1]->field, "title");
	cr_assert_str_eq(q->kids[1]->text, "不正 アクセス");
	cr_assert_eq(q->kids[2]->type, BIDX_Q_NOT);
	cr_assert_str_eq(q->kids[2]->kids[0]->field, "title");
	cr_assert_str_eq(q->kids[3]->field, "date");
	bidx_query_free(q);

	/* a space after the colon: the empty field term and a group, as before */
	cr_assert_eq(bidx_query_parse("org: (a b)", &q, err, sizeof err, &pos), BIDX_OK);
	cr_assert_str_eq(q->kids[0]->field, "org");
	cr_assert_str_eq(q->kids[0]->text, "");
	cr_assert_null(q->kids[1]->field);
	bidx_query_free(q);
	cr_assert_eq(bidx_query_parse("org:(a", &q, err, sizeof err, &pos), BIDX_EQUERY);
	cr_assert_eq(pos, 4);
	cr_assert_eq(bidx_query_parse("org:()", &q, err, sizeof err, &pos), BIDX_EQUERY);
}
