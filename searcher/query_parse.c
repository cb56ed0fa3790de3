/*
 * query_parse.c - recursive descent over the grammar in query_parse.h.
 *
 * A small lexer yields one token at a time and the parser keeps exactly one
 * token of lookahead (p->tok), so every byte is scanned a bounded number of
 * times and parsing is linear in the query length.  The parser recurses only
 * at '(' and refuses to go deeper than BIDX_QUERY_MAX_DEPTH, so hostile input
 * such as 100000 '(' ends with an error, not a stack overflow; the trees it
 * returns are therefore shallow enough for recursive walkers (free, count,
 * the evaluator).
 *
 * Errors are sticky (p->rc, as SQLite's p->rc): the first fault wins, every
 * parse function then returns NULL and each caller frees what it built.
 *
 * Shape of the result: AND and OR with one child collapse to the child, and
 * an AND under an AND (or an OR under an OR) is merged into its parent, so
 * `a (b c)` is AND(a, b, c) and `a OR (b OR c)` is OR(a, b, c).
 */
#include "query_parse.h"
#include "normalize.h"
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages quote the limits from the header, so they cannot drift apart. */
#define QP_STR_(x) #x
#define QP_STR(x) QP_STR_(x)

enum tok_kind {
	T_END,      /* end of the query */
	T_LPAREN,
	T_RPAREN,
	T_OR,       /* the bare upper-case word OR */
	T_NOT,      /* a '-' glued to the primary that follows it */
	T_WORD,
	T_PHRASE,   /* [start, end) includes both quotes */
	T_FIELD_PHRASE, /* name:"phrase" */
	T_ERR,      /* lexing failed; p->rc is set */
};

struct tok {
	enum tok_kind kind;
	size_t start;          /* byte offset of the first byte */
	size_t end;            /* byte offset just past the token */
};

struct qp {
	const char *q;         /* the query; not owned */
	size_t len;            /* bytes of q */
	size_t i;              /* where the lexer resumes */
	struct tok tok;        /* one token of lookahead */
	size_t nterms;         /* TERM nodes made so far */
	bidx_err rc;           /* sticky: first failure */
	size_t errpos;         /* byte offset of the first syntax error */
	const char *errmsg;    /* its message, static storage */
};

/* A growable array of nodes that owns them until handed to a parent. */
struct nlist {
	bidx_qnode **v;
	size_t n;
	size_t cap;
};

static bidx_qnode *parse_seq(struct qp *p, unsigned depth, size_t open);

static void syntax_error(struct qp *p, size_t pos, const char *msg)
{
	if (p->rc)
		return;
	p->rc = BIDX_EQUERY;
	p->errpos = pos;
	p->errmsg = msg;
}

static void oom(struct qp *p)
{
	if (!p->rc)
		p->rc = BIDX_ENOMEM;
}

/* Bytes of the whitespace character at q[i] (1 or 3), or 0 when q[i] is not
 * a separator.  U+3000 is E3 80 80; in valid UTF-8 those bytes can only be
 * that character, never the tail of another one. */
static size_t space_len(const char *q, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	switch (q[i]) {
	case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
		return 1;
	}
	if (len - i >= 3 && (unsigned char)q[i] == 0xE3
	    && (unsigned char)q[i + 1] == 0x80 && (unsigned char)q[i + 2] == 0x80)
		return 3;
	return 0;
}

static size_t skip_space(const char *q, size_t len, size_t i)
{
	size_t n;
	while ((n = space_len(q, len, i)) != 0)
		i += n;
	return i;
}

static size_t word_end(const char *q, size_t len, size_t i)
{
	while (i < len && !space_len(q, len, i) && q[i] != '(' && q[i] != ')'
	       && q[i] != '"')
		i++;
	return i;
}

/* End of the phrase whose opening quote is at q[i], or 0 when unterminated.
 * Stepping one byte after a backslash is enough even for a multi-byte
 * character: UTF-8 continuation bytes are never '"' or '\\'. */
static size_t phrase_end(const char *q, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (q[i] == '"')
			return i + 1;
		if (q[i] == '\\')
			i++;
	}
	return 0;
}

/* A '-' negates only when a primary starts right after it; otherwise
 * ("a - b", "a -", "(a -)") it is the literal word "-". */
static int minus_negates(const char *q, size_t len, size_t i)
{
	return i + 1 < len && !space_len(q, len, i + 1) && q[i + 1] != ')';
}

/* Reads the next token into p->tok.  With ops == 0 (right after a NOT) the
 * token is a primary: "OR" and a leading '-' are plain word characters. */
static void lex(struct qp *p, int ops)
{
	const char *q = p->q;
	size_t i = skip_space(q, p->len, p->i);
	struct tok *t = &p->tok;

	t->start = i;
	t->end = i + 1;
	if (i >= p->len) {
		t->kind = T_END;
		t->end = i;
	} else if (q[i] == '(') {
		t->kind = T_LPAREN;
	} else if (q[i] == ')') {
		t->kind = T_RPAREN;
	} else if (q[i] == '"') {
		t->kind = T_PHRASE;
		t->end = phrase_end(q, p->len, i);
		if (!t->end) {
			t->kind = T_ERR;
			t->end = p->len;
			syntax_error(p, i, "unterminated quote");
		}
	} else if (ops && q[i] == '-' && minus_negates(q, p->len, i)) {
		t->kind = T_NOT;
	} else {
		t->end = word_end(q, p->len, i);
		t->kind = ops && t->end - i == 2 && !memcmp(q + i, "OR", 2)
		          ? T_OR : T_WORD;
		/* name:"a phrase" is one token */
		if (t->end - i >= 2 && q[t->end - 1] == ':' && t->end < p->len && q[t->end] == '"') {
			size_t e = phrase_end(q, p->len, t->end);
			if (!e) {
				t->kind = T_ERR;
				syntax_error(p, t->end, "unterminated quote");
				e = p->len;
			} else {
				t->kind = T_FIELD_PHRASE;
			}
			t->end = e;
		}
	}
	p->i = t->end;
}

static int is_blank(const char *s, size_t len)
{
	size_t i = skip_space(s, len, 0);
	return i == len;
}

/* The text of a word or phrase token: phrases lose their quotes and the
 * backslash of each escape. */
static char *term_text(struct qp *p, const struct tok *t, size_t *n)
{
	size_t phrase = t->kind == T_PHRASE;   /* 1: skip the quotes */
	size_t from = t->start + phrase, to = t->end - phrase;
	if (t->kind == T_FIELD_PHRASE) {
		from = (size_t)((const char *)memchr(p->q + t->start, ':', t->end - t->start) - p->q) + 2;
		to = t->end - 1;
		phrase = 1;
	}
	char *s = bidx_malloc(to - from + 1);
	size_t k = 0;

	if (!s) {
		oom(p);
		return NULL;
	}
	for (size_t i = from; i < to; i++) {
		if (phrase && p->q[i] == '\\')
			i++;
		s[k++] = p->q[i];
	}
	s[k] = '\0';
	*n = k;
	return s;
}

static bidx_qnode *new_node(struct qp *p, bidx_qtype type, size_t pos)
{
	bidx_qnode *n = bidx_calloc(1, sizeof *n);
	if (!n) {
		oom(p);
		return NULL;
	}
	n->type = type;
	n->pos = (uint32_t)pos;   /* fits: the query is at most 64 KiB */
	return n;
}

/* name:value words and name:"phrase" tokens: moves the name into
 * node->field and leaves the value in node->text. */
static int split_field(struct qp *p, bidx_qnode *node, const struct tok *t)
{
	if (t->kind == T_FIELD_PHRASE) {
		const char *c = memchr(p->q + t->start, ':', t->end - t->start);
		size_t nl = (size_t)(c - (p->q + t->start));
		node->field = bidx_malloc(nl + 1);
		if (!node->field) {
			oom(p);
			return -1;
		}
		memcpy(node->field, p->q + t->start, nl);
		node->field[nl] = 0;
		if (is_blank(node->text, strlen(node->text))) {
			syntax_error(p, t->start, "empty phrase");
			return -1;
		}
		return 0;
	}
	if (t->kind != T_WORD)
		return 0;
	char *c = strchr(node->text, ':');
	if (!c || c == node->text)
		return 0;   /* no name */
	/* NAME: with nothing after it is a field term with an empty value: the
	 * evaluator refuses it for a field of the index, else searches "NAME:" */
	size_t nl = (size_t)(c - node->text), vl = strlen(c + 1);
	char *field = bidx_malloc(nl + 1), *value = bidx_malloc(vl + 1);
	if (!field || !value) {
		free(field);
		free(value);
		oom(p);
		return -1;
	}
	memcpy(field, node->text, nl);
	field[nl] = 0;
	memcpy(value, c + 1, vl + 1);
	free(node->text);
	node->text = value;
	node->field = field;
	return 0;
}

/* Makes a TERM from the current token (a WORD or PHRASE) and consumes it. */
static bidx_qnode *parse_term(struct qp *p)
{
	struct tok t = p->tok;
	size_t n;
	char *text;
	bidx_qnode *node;

	if (++p->nterms > BIDX_QUERY_MAX_TERMS) {
		syntax_error(p, t.start,
		     "more than " QP_STR(BIDX_QUERY_MAX_TERMS) " terms");
		return NULL;
	}
	text = term_text(p, &t, &n);
	if (!text)
		return NULL;
	/* A phrase of nothing (or only spaces) would normalise to an empty
	 * string, which every document "contains". */
	if (t.kind == T_PHRASE && is_blank(text, n)) {
		free(text);
		syntax_error(p, t.start, "empty phrase");
		return NULL;
	}
	node = new_node(p, BIDX_Q_TERM, t.start);
	if (!node) {
		free(text);
		return NULL;
	}
	node->text = text;
	if (split_field(p, node, &t)) {
		bidx_query_free(node);
		return NULL;
	}
	lex(p, 1);
	return node;
}

static void nlist_free(struct nlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		bidx_query_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int nlist_reserve(struct qp *p, struct nlist *l, size_t extra)
{
	size_t cap = l->cap ? l->cap : 4;
	bidx_qnode **v;

	if (l->n + extra <= l->cap)
		return 0;
	while (cap < l->n + extra)
		cap *= 2;
	v = bidx_realloc(l->v, cap * sizeof *v);
	if (!v) {
		oom(p);
		return -1;
	}
	l->v = v;
	l->cap = cap;
	return 0;
}

/* Appends n to l, taking ownership (n is freed on failure).  A node of the
 * list's own operator is merged: its children are appended instead. */
static int nlist_push(struct qp *p, struct nlist *l, bidx_qnode *n,
                      bidx_qtype op)
{
	size_t extra = n->type == op ? n->nkids : 1;

	if (nlist_reserve(p, l, extra)) {
		bidx_query_free(n);
		return -1;
	}
	if (n->type != op) {
		l->v[l->n++] = n;
		return 0;
	}
	memcpy(l->v + l->n, n->kids, n->nkids * sizeof *n->kids);
	l->n += n->nkids;
	free(n->kids);
	free(n);
	return 0;
}

/* Turns l into one node of type op, or into its only element.  Takes
 * ownership of l's nodes and array either way. */
static bidx_qnode *nlist_to_node(struct qp *p, struct nlist *l, bidx_qtype op,
                                 size_t pos)
{
	bidx_qnode *n;

	if (l->n == 1) {
		n = l->v[0];
		free(l->v);
		return n;
	}
	n = new_node(p, op, pos);
	if (!n) {
		nlist_free(l);
		return NULL;
	}
	n->kids = l->v;
	n->nkids = l->n;
	return n;
}

/* Gives field name[0..nl) to every TERM under n that has none. */
static int set_field(struct qp *p, bidx_qnode *n, const char *name, size_t nl)
{
	for (size_t i = 0; i < n->nkids; i++)
		if (set_field(p, n->kids[i], name, nl))
			return -1;
	if (n->type != BIDX_Q_TERM || n->field)
		return 0;
	n->field = bidx_malloc(nl + 1);
	if (!n->field) {
		oom(p);
		return -1;
	}
	memcpy(n->field, name, nl);
	n->field[nl] = 0;
	return 0;
}

/* 1 when the current token is NAME: right before a '(' (a field group). */
static int field_group_ahead(const struct qp *p)
{
	const struct tok *t = &p->tok;
	size_t n = t->end - t->start;
	return t->kind == T_WORD && n >= 2 && p->q[t->end - 1] == ':' &&
	       !memchr(p->q + t->start, ':', n - 1) && t->end < p->len && p->q[t->end] == '(';
}

static bidx_qnode *parse_primary(struct qp *p, unsigned depth);

/* NAME:( query ): the group with NAME as the field of each of its terms
 * that names none itself, so org:(a OR b) is org:a OR org:b. */
static bidx_qnode *parse_field_group(struct qp *p, unsigned depth)
{
	size_t from = p->tok.start, nl = p->tok.end - p->tok.start - 1;
	lex(p, 1);   /* to the '(' */
	bidx_qnode *n = parse_primary(p, depth);
	if (n && set_field(p, n, p->q + from, nl)) {
		bidx_query_free(n);
		return NULL;
	}
	return n;
}

static bidx_qnode *parse_primary(struct qp *p, unsigned depth)
{
	size_t open = p->tok.start;
	bidx_qnode *n;

	switch (p->tok.kind) {
	case T_WORD:
		if (field_group_ahead(p))
			return parse_field_group(p, depth);
		return parse_term(p);
	case T_PHRASE:
	case T_FIELD_PHRASE:
		return parse_term(p);
	case T_LPAREN:
		if (depth >= BIDX_QUERY_MAX_DEPTH) {
			syntax_error(p, open, "nesting deeper than "
			     QP_STR(BIDX_QUERY_MAX_DEPTH));
			return NULL;
		}
		lex(p, 1);
		n = parse_seq(p, depth + 1, open);
		if (n)
			lex(p, 1);      /* the ')' that parse_seq stopped at */
		return n;
	default:
		/* Only OR gets here (an item cannot start with it); T_ERR has
		 * already set p->rc, which syntax_error() then keeps. */
		syntax_error(p, p->tok.start, "OR needs a term on both sides");
		return NULL;
	}
}

static bidx_qnode *parse_unary(struct qp *p, unsigned depth)
{
	size_t pos = p->tok.start;
	bidx_qnode *kid, *n;

	if (p->tok.kind != T_NOT)
		return parse_primary(p, depth);
	lex(p, 0);
	kid = parse_primary(p, depth);
	if (!kid)
		return NULL;
	n = new_node(p, BIDX_Q_NOT, pos);
	if (!n)
		goto fail;
	n->kids = bidx_malloc(sizeof *n->kids);
	if (!n->kids) {
		oom(p);
		free(n);
		goto fail;
	}
	n->kids[0] = kid;
	n->nkids = 1;
	return n;
fail:
	bidx_query_free(kid);
	return NULL;
}

/* The operand after an OR: a primary, not a NOT and not missing. */
static bidx_qnode *parse_or_rhs(struct qp *p, unsigned depth, size_t or_pos)
{
	switch (p->tok.kind) {
	case T_WORD:
	case T_PHRASE:
	case T_FIELD_PHRASE:
	case T_LPAREN:
		return parse_primary(p, depth);
	case T_NOT:
		syntax_error(p, p->tok.start, "NOT is not allowed inside OR");
		return NULL;
	default:
		syntax_error(p, or_pos, "OR needs a term on both sides");
		return NULL;
	}
}

/* orexpr := unary ( "OR" unary )*.  A NOT under OR is refused: "a OR -b"
 * would match nearly every document, which is never what was meant. */
static bidx_qnode *parse_or(struct qp *p, unsigned depth)
{
	struct nlist l = {0};
	bidx_qnode *n = parse_unary(p, depth);

	if (!n || p->tok.kind != T_OR)
		return n;
	if (n->type == BIDX_Q_NOT) {
		syntax_error(p, n->pos, "NOT is not allowed inside OR");
		bidx_query_free(n);
		return NULL;
	}
	size_t pos = n->pos;
	if (nlist_push(p, &l, n, BIDX_Q_OR))
		return NULL;
	while (p->tok.kind == T_OR) {
		size_t or_pos = p->tok.start;
		lex(p, 1);
		n = parse_or_rhs(p, depth, or_pos);
		if (!n || nlist_push(p, &l, n, BIDX_Q_OR))
			goto fail;
	}
	return nlist_to_node(p, &l, BIDX_Q_OR, pos);
fail:
	nlist_free(&l);
	return NULL;
}

/* Checks how a sequence ended: a group (open != SIZE_MAX) must stop at its
 * ')', the whole query at the end.  Returns 0 when the end is right. */
static int check_seq_end(struct qp *p, size_t open, const struct nlist *l,
                         int positive)
{
	int top = open == SIZE_MAX;

	if (top && p->tok.kind == T_RPAREN)
		syntax_error(p, p->tok.start, "unbalanced ')'");
	else if (!top && p->tok.kind == T_END)
		syntax_error(p, open, "unbalanced '('");
	else if (l->n == 0)
		syntax_error(p, top ? 0 : open, top ? "empty query" : "empty group '()'");
	else if (!positive)
		syntax_error(p, l->v[0]->pos, "nothing to match: only negative terms");
	return p->rc ? -1 : 0;
}

/* query := orexpr ( orexpr )*, up to ')' or the end.  open is the offset of
 * the group's '(' or SIZE_MAX for the whole query. */
static bidx_qnode *parse_seq(struct qp *p, unsigned depth, size_t open)
{
	struct nlist l = {0};
	size_t pos = open == SIZE_MAX ? p->tok.start : open;
	int positive = 0;

	while (!p->rc && p->tok.kind != T_END && p->tok.kind != T_RPAREN) {
		bidx_qnode *n = parse_or(p, depth);
		if (!n)
			goto fail;
		positive |= n->type != BIDX_Q_NOT;
		if (nlist_push(p, &l, n, BIDX_Q_AND))
			goto fail;
	}
	if (check_seq_end(p, open, &l, positive))
		goto fail;
	return nlist_to_node(p, &l, BIDX_Q_AND, pos);
fail:
	nlist_free(&l);
	return NULL;
}

/* Limits that are checked before parsing: length, then encoding. */
static void check_input(struct qp *p)
{
	size_t bad;

	p->len = strnlen(p->q, BIDX_QUERY_MAX_BYTES + 1);
	if (p->len > BIDX_QUERY_MAX_BYTES) {
		syntax_error(p, BIDX_QUERY_MAX_BYTES,
		     "query longer than " QP_STR(BIDX_QUERY_MAX_BYTES) " bytes");
		return;
	}
	bad = bidx_utf8_check((const uint8_t *)p->q, p->len);
	if (bad != p->len)
		syntax_error(p, bad, "invalid UTF-8");
}

bidx_err bidx_query_parse(const char *q, bidx_qnode **out,
                          char *err, size_t errlen, size_t *errpos)
{
	struct qp p = {0};
	bidx_qnode *root = NULL;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (errpos)
		*errpos = 0;
	p.q = q ? q : "";
	check_input(&p);
	if (!p.rc) {
		lex(&p, 1);
		root = parse_seq(&p, 0, SIZE_MAX);
	}
	if (p.rc == BIDX_EQUERY) {
		if (err && errlen)
			snprintf(err, errlen, "%s", p.errmsg);
		if (errpos)
			*errpos = p.errpos;
	} else if (p.rc == BIDX_ENOMEM && err && errlen) {
		snprintf(err, errlen, "%s", bidx_strerror(BIDX_ENOMEM));
	}
	if (p.rc) {
		bidx_query_free(root);
		return p.rc;
	}
	*out = root;
	return BIDX_OK;
}

void bidx_query_free(bidx_qnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		bidx_query_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n->field);
	free(n);
}

size_t bidx_query_positive_terms(const bidx_qnode *n)
{
	size_t c = 0;

	if (!n || n->type == BIDX_Q_NOT)
		return 0;
	if (n->type == BIDX_Q_TERM)
		return 1;
	for (size_t i = 0; i < n->nkids; i++)
		c += bidx_query_positive_terms(n->kids[i]);
	return c;
}
