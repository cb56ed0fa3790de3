/*
 * rows.c - CSV (RFC 4180) and JSON Lines readers, one notice per record.
 *
 * Both readers walk the caller's buffer once and copy each record's cells,
 * unescaped and NUL-terminated, into one scratch buffer (cells) that is
 * reused from record to record.  Cell boundaries are kept as offsets while
 * the record is read, because the buffer may move as it grows; the pointer
 * arrays handed out in bidx_row are built when the record is complete.
 *
 * CSV leniencies, each because real exports do it: blank lines between
 * records are skipped; a lone CR ends a line like LF; text after a closing
 * quote is kept as part of the field; a bare quote inside an unquoted field
 * is an ordinary character.  An unterminated quote swallows the rest of the
 * file, so it is reported and reading stops.
 *
 * JSON: RFC 8259 values.  Nesting is limited to JSON_DEPTH_MAX levels so a
 * hostile line cannot exhaust the stack.
 *
 * Duplicate names (RFC 8259 leaves their meaning open): the first member or
 * column of a name is kept and the later ones are dropped, with a note.
 * They are found by sorting the names (a record may have many), so a
 * hostile header or line costs n log n, not n^2.
 */
#include "rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fault.h"
#include "normalize.h"

#define JSON_DEPTH_MAX 64

typedef struct name_at {
	const char *name;
	size_t ix;      /* where the name stands in its record or header */
} name_at;

typedef struct cell_off {
	size_t name;    /* offset of the name in cells (JSON), unused for CSV */
	size_t val;     /* offset of the value in cells */
	size_t len;     /* value bytes */
} cell_off;

struct bidx_rows {
	bidx_rows_kind kind;
	const char *data;      /* the caller's bytes */
	size_t len;
	size_t pos;            /* next unread byte */
	uint32_t line;         /* 1-based line of data[pos] */
	int done;              /* an unterminated quote ended the input */
	char **header;         /* CSV column names; owned */
	size_t ncols;
	char *dropped;         /* CSV: ncols flags, a later column of a repeated name; owned */
	bidx_buf cells;        /* the current record's text */
	cell_off *offs;        /* the current record's cells */
	size_t noffs, cap;
	const char **names;    /* handed out in bidx_row; cap entries */
	const char **values;
	size_t *lens;
	name_at *order;        /* scratch for finding duplicate names; cap entries */
	char *drop;            /* JSON: the current record's repeated names; cap entries */
};

__attribute__((format(printf, 3, 4)))
static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* --- the record under construction --- */

static void rec_reset(bidx_rows *r)
{
	r->cells.len = 0;
	r->noffs = 0;
}

static int rec_grow(bidx_rows *r)
{
	size_t cap = r->cap ? r->cap * 2 : 16;
	void *p;

	if ((p = bidx_realloc(r->offs, cap * sizeof *r->offs)) == NULL)
		return -1;
	r->offs = p;
	if ((p = bidx_realloc(r->names, cap * sizeof *r->names)) == NULL)
		return -1;
	r->names = p;
	if ((p = bidx_realloc(r->values, cap * sizeof *r->values)) == NULL)
		return -1;
	r->values = p;
	if ((p = bidx_realloc(r->lens, cap * sizeof *r->lens)) == NULL)
		return -1;
	r->lens = p;
	if ((p = bidx_realloc(r->order, cap * sizeof *r->order)) == NULL)
		return -1;
	r->order = p;
	if ((p = bidx_realloc(r->drop, cap)) == NULL)
		return -1;
	r->drop = p;
	r->cap = cap;
	return 0;
}

/* Opens a new cell whose value starts at the end of cells. */
static int rec_open_cell(bidx_rows *r, size_t name_off)
{
	if (r->noffs == r->cap && rec_grow(r) < 0)
		return -1;
	r->offs[r->noffs].name = name_off;
	r->offs[r->noffs].val = r->cells.len;
	r->offs[r->noffs].len = 0;
	r->noffs++;
	return 0;
}

/* Closes the last cell: its length, and its NUL. */
static void rec_close_cell(bidx_rows *r)
{
	cell_off *c = &r->offs[r->noffs - 1];

	c->len = r->cells.len - c->val;
	bidx_buf_putc(&r->cells, 0);
}

/* Builds the pointer arrays of *row once the record is complete, leaving
 * out the CSV columns of a repeated name. */
static void rec_publish(bidx_rows *r, uint32_t line, bidx_row *row)
{
	const char *base = (const char *)r->cells.p;
	size_t i, k = 0;

	for (i = 0; i < r->noffs; i++) {
		if (r->kind == BIDX_ROWS_CSV && r->dropped[i])
			continue;
		r->names[k] = r->kind == BIDX_ROWS_CSV ? r->header[i] : base + r->offs[i].name;
		r->values[k] = base + r->offs[i].val;
		r->lens[k] = r->offs[i].len;
		k++;
	}
	row->line = line;
	row->ncells = k;
	row->names = r->names;
	row->values = r->values;
	row->lens = r->lens;
}

/* --- duplicate names --- */

static int cmp_name_at(const void *a, const void *b)
{
	const name_at *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->ix > y->ix) - (x->ix < y->ix);
}

/* Sets drop[i] for every name of at[0..n) (in input order, ix == i) that an
 * earlier one repeats; sorts at.  Returns how many were set and, in *first,
 * the first of them in input order (n when none). */
static size_t find_repeats(name_at *at, size_t n, char *drop, size_t *first)
{
	size_t i, k = 0;

	*first = n;
	for (i = 0; i < n; i++)
		drop[i] = 0;
	if (n > 1)
		qsort(at, n, sizeof *at, cmp_name_at);
	for (i = 1; i < n; i++)
		if (strcmp(at[i - 1].name, at[i].name) == 0) {
			drop[at[i].ix] = 1;
			k++;
			if (at[i].ix < *first)
				*first = at[i].ix;
		}
	return k;
}

/* The note for repeated names: what, the first repeated name (cut to a
 * whole character), how many more. */
static void say_repeats(char *why, size_t whylen, const char *what, const char *name,
                        size_t more)
{
	size_t n = strlen(name);
	int cut = n > 64;

	if (cut) {
		n = 64;
		while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
			n--;
	}
	if (more)
		say(why, whylen, "duplicate %s \"%.*s%s\" (and %zu more); the first of each name "
		    "is kept", what, (int)n, name, cut ? "…" : "", more);
	else
		say(why, whylen, "duplicate %s \"%.*s%s\"; the first is kept", what, (int)n, name,
		    cut ? "…" : "");
}

/* --- CSV --- */

/* At the end of a line at p?  Returns the bytes of the line break (1 or 2)
 * or 0. */
static size_t csv_eol(const bidx_rows *r, size_t p)
{
	if (p >= r->len)
		return 0;
	if (r->data[p] == '\n')
		return 1;
	if (r->data[p] == '\r')
		return p + 1 < r->len && r->data[p + 1] == '\n' ? 2 : 1;
	return 0;
}

/* A quoted field from r->pos (at its opening quote) into cells.  Returns 0,
 * or -1 for an unterminated quote. */
static int csv_quoted(bidx_rows *r)
{
	size_t p = r->pos + 1, k;

	for (;;) {
		if (p >= r->len)
			return -1;
		if (r->data[p] == '"') {
			if (p + 1 < r->len && r->data[p + 1] == '"') {
				bidx_buf_putc(&r->cells, '"');
				p += 2;
				continue;
			}
			p++;
			break;
		}
		if ((k = csv_eol(r, p)) > 0)
			r->line++;
		else
			k = 1;
		bidx_buf_put(&r->cells, r->data + p, k);
		p += k;
	}
	r->pos = p;
	return 0;
}

/* Unquoted text up to the next comma or line end. */
static void csv_plain(bidx_rows *r)
{
	size_t p = r->pos;

	while (p < r->len && r->data[p] != ',' && csv_eol(r, p) == 0)
		p++;
	bidx_buf_put(&r->cells, r->data + r->pos, p - r->pos);
	r->pos = p;
}

/* One record into cells; r->pos ends after its line break.  Returns 1, 0 at
 * the end of the input, -1 for an unterminated quote. */
static int csv_record(bidx_rows *r)
{
	size_t k;

	while (r->pos < r->len && (k = csv_eol(r, r->pos)) > 0) {
		r->pos += k;   /* blank lines */
		r->line++;
	}
	if (r->pos >= r->len)
		return 0;
	rec_reset(r);
	for (;;) {
		if (rec_open_cell(r, 0) < 0)
			return -2;
		if (r->pos < r->len && r->data[r->pos] == '"' && csv_quoted(r) < 0)
			return -1;
		csv_plain(r);
		rec_close_cell(r);
		if (r->pos < r->len && r->data[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if ((k = csv_eol(r, r->pos)) > 0) {
			r->pos += k;
			r->line++;
		}
		return r->cells.err ? -2 : 1;
	}
}

static bidx_err csv_header(bidx_rows *r, char *why, size_t whylen)
{
	size_t i, first, more;
	int rc;

	if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	rc = csv_record(r);
	if (rc == 0) {
		say(why, whylen, "empty file, no CSV header");
		return BIDX_EINPUT;
	}
	if (rc == -1) {
		say(why, whylen, "unterminated quote in the CSV header");
		return BIDX_EINPUT;
	}
	if (rc < 0)
		return BIDX_ENOMEM;
	if (r->noffs == 1 && r->offs[0].len == 0) {
		say(why, whylen, "the CSV header has no columns");
		return BIDX_EINPUT;
	}
	if ((r->header = bidx_calloc(r->noffs, sizeof *r->header)) == NULL ||
	    (r->dropped = bidx_calloc(r->noffs, 1)) == NULL)
		return BIDX_ENOMEM;
	r->ncols = r->noffs;
	for (i = 0; i < r->ncols; i++) {
		if ((r->header[i] = bidx_malloc(r->offs[i].len + 1)) == NULL)
			return BIDX_ENOMEM;
		memcpy(r->header[i], r->cells.p + r->offs[i].val, r->offs[i].len + 1);
		r->order[i] = (name_at){r->header[i], i};
	}
	more = find_repeats(r->order, r->ncols, r->dropped, &first);
	if (more)
		say_repeats(why, whylen, "column", r->header[first], more - 1);
	return BIDX_OK;
}

static int csv_next(bidx_rows *r, bidx_row *row, char *why, size_t whylen)
{
	uint32_t line;
	int rc;

	while (r->pos < r->len && csv_eol(r, r->pos) > 0) {
		r->pos += csv_eol(r, r->pos);
		r->line++;
	}
	line = r->line;
	row->line = line;
	rc = csv_record(r);
	if (rc == 0)
		return 0;
	if (rc == -1) {
		r->done = 1;
		say(why, whylen, "unterminated quote; the rest of the file is skipped");
		return -1;
	}
	if (rc < 0) {
		say(why, whylen, "out of memory; skipped");
		return -1;
	}
	if (r->noffs != r->ncols) {
		say(why, whylen, "%zu fields, the header has %zu; skipped", r->noffs, r->ncols);
		return -1;
	}
	rec_publish(r, line, row);
	return 1;
}

/* --- JSON Lines --- */

typedef struct jcur {
	const char *s;    /* the line */
	size_t n;
	size_t p;         /* next byte */
	const char *err;  /* first error, static text */
} jcur;

static void j_ws(jcur *j)
{
	while (j->p < j->n && (j->s[j->p] == ' ' || j->s[j->p] == '\t' || j->s[j->p] == '\r' ||
	                       j->s[j->p] == '\n'))
		j->p++;
}

static int j_fail(jcur *j, const char *msg)
{
	if (j->err == NULL)
		j->err = msg;
	return -1;
}

static int hex4(const char *s, uint32_t *v)
{
	int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

/* \uXXXX at j->p (after the backslash and u), with a following low
 * surrogate when this is a high one.  Appends UTF-8 to out (may be NULL). */
static int j_unicode(jcur *j, bidx_buf *out)
{
	uint32_t cp, lo;
	uint8_t enc[4];

	if (j->n - j->p < 4 || hex4(j->s + j->p, &cp) < 0)
		return j_fail(j, "bad \\u escape");
	j->p += 4;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return j_fail(j, "lone low surrogate in \\u escape");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (j->n - j->p < 6 || j->s[j->p] != '\\' || j->s[j->p + 1] != 'u' ||
		    hex4(j->s + j->p + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
			return j_fail(j, "high surrogate without its low half");
		j->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (out)
		bidx_buf_put(out, enc, (size_t)bidx_utf8_encode(cp, enc));
	return 0;
}

/* A string at j->p (its opening quote); its unescaped text is appended to
 * out when out is not NULL. */
static int j_string(jcur *j, bidx_buf *out)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	const char *e;
	size_t start;
	char c;

	j->p++;
	for (;;) {
		start = j->p;
		while (j->p < j->n && j->s[j->p] != '"' && j->s[j->p] != '\\' &&
		       (unsigned char)j->s[j->p] >= 0x20)
			j->p++;
		if (out)
			bidx_buf_put(out, j->s + start, j->p - start);
		if (j->p >= j->n)
			return j_fail(j, "unterminated string");
		c = j->s[j->p++];
		if (c == '"')
			return 0;
		if (c != '\\')
			return j_fail(j, "control character in a string");
		if (j->p >= j->n)
			return j_fail(j, "unterminated string");
		c = j->s[j->p++];
		if (c == 'u') {
			if (j_unicode(j, out) < 0)
				return -1;
		} else if (c != '\0' && (e = strchr(esc_in, c)) != NULL) {
			if (out)
				bidx_buf_putc(out, (uint8_t)esc_out[e - esc_in]);
		} else {
			return j_fail(j, "bad escape in a string");
		}
	}
}

static size_t j_digits(jcur *j)
{
	size_t start = j->p;

	while (j->p < j->n && j->s[j->p] >= '0' && j->s[j->p] <= '9')
		j->p++;
	return j->p - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int j_number(jcur *j)
{
	size_t nd;

	if (j->p < j->n && j->s[j->p] == '-')
		j->p++;
	if (j->p < j->n && j->s[j->p] == '0')
		j->p++;
	else if (j_digits(j) == 0)
		return j_fail(j, "bad number");
	if (j->p < j->n && j->s[j->p] == '.') {
		j->p++;
		if (j_digits(j) == 0)
			return j_fail(j, "bad number");
	}
	if (j->p < j->n && (j->s[j->p] == 'e' || j->s[j->p] == 'E')) {
		j->p++;
		if (j->p < j->n && (j->s[j->p] == '+' || j->s[j->p] == '-'))
			j->p++;
		nd = j_digits(j);
		if (nd == 0)
			return j_fail(j, "bad number");
	}
	return 0;
}

static int j_word(jcur *j, const char *w)
{
	size_t k = strlen(w);

	if (j->n - j->p < k || memcmp(j->s + j->p, w, k) != 0)
		return j_fail(j, "unexpected character");
	j->p += k;
	return 0;
}

static int j_value(jcur *j, int depth);

/* An array or object at j->p, checked and skipped. */
static int j_container(jcur *j, int depth)
{
	char close = j->s[j->p] == '{' ? '}' : ']';
	int obj = close == '}';

	if (depth >= JSON_DEPTH_MAX)
		return j_fail(j, "nested too deeply");
	j->p++;
	j_ws(j);
	if (j->p < j->n && j->s[j->p] == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (obj) {
			if (j->p >= j->n || j->s[j->p] != '"')
				return j_fail(j, "expected a member name");
			if (j_string(j, NULL) < 0)
				return -1;
			j_ws(j);
			if (j->p >= j->n || j->s[j->p] != ':')
				return j_fail(j, "expected ':'");
			j->p++;
			j_ws(j);
		}
		if (j_value(j, depth + 1) < 0)
			return -1;
		j_ws(j);
		if (j->p < j->n && j->s[j->p] == ',') {
			j->p++;
			j_ws(j);
			continue;
		}
		if (j->p < j->n && j->s[j->p] == close) {
			j->p++;
			return 0;
		}
		return j_fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

/* Any value at j->p, checked and skipped. */
static int j_value(jcur *j, int depth)
{
	char c;

	if (j->p >= j->n)
		return j_fail(j, "missing value");
	c = j->s[j->p];
	if (c == '"')
		return j_string(j, NULL);
	if (c == '{' || c == '[')
		return j_container(j, depth);
	if (c == 't')
		return j_word(j, "true");
	if (c == 'f')
		return j_word(j, "false");
	if (c == 'n')
		return j_word(j, "null");
	if (c == '-' || (c >= '0' && c <= '9'))
		return j_number(j);
	return j_fail(j, "unexpected character");
}

/* A member's value at j->p, as a cell: strings unescaped, everything else
 * as written; null and "" leave no cell. */
static int j_member_value(bidx_rows *r, jcur *j, size_t name_off)
{
	size_t start = j->p, val_off = r->cells.len;

	if (j->p < j->n && j->s[j->p] == '"') {
		if (j_string(j, &r->cells) < 0)
			return -1;
	} else {
		if (j_value(j, 1) < 0)
			return -1;
		if (j->p - start == 4 && memcmp(j->s + start, "null", 4) == 0)
			return 0;
		bidx_buf_put(&r->cells, j->s + start, j->p - start);
	}
	if (r->cells.len == val_off)
		return 0;   /* "" */
	if (rec_open_cell(r, name_off) < 0)
		return j_fail(j, "out of memory");
	r->offs[r->noffs - 1].val = val_off;
	rec_close_cell(r);
	return 0;
}

/* One member: "name" : value. */
static int j_member(bidx_rows *r, jcur *j)
{
	size_t name_off = r->cells.len;

	if (j->p >= j->n || j->s[j->p] != '"')
		return j_fail(j, "expected a member name");
	if (j_string(j, &r->cells) < 0)
		return -1;
	bidx_buf_putc(&r->cells, 0);
	j_ws(j);
	if (j->p >= j->n || j->s[j->p] != ':')
		return j_fail(j, "expected ':'");
	j->p++;
	j_ws(j);
	return j_member_value(r, j, name_off);
}

/* The line as one object into cells. */
static int j_object(bidx_rows *r, jcur *j)
{
	j_ws(j);
	if (j->p >= j->n || j->s[j->p] != '{')
		return j_fail(j, "not a JSON object");
	j->p++;
	j_ws(j);
	if (j->p < j->n && j->s[j->p] == '}') {
		j->p++;
	} else {
		for (;;) {
			if (j_member(r, j) < 0)
				return -1;
			j_ws(j);
			if (j->p < j->n && j->s[j->p] == ',') {
				j->p++;
				j_ws(j);
				continue;
			}
			if (j->p < j->n && j->s[j->p] == '}') {
				j->p++;
				break;
			}
			return j_fail(j, "expected ',' or '}'");
		}
	}
	j_ws(j);
	if (j->p != j->n)
		return j_fail(j, "text after the object");
	return r->cells.err ? j_fail(j, "out of memory") : 0;
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Leaves out the later members of a repeated name, with a note in why. */
static void j_drop_repeats(bidx_rows *r, char *why, size_t whylen)
{
	const char *base = (const char *)r->cells.p;
	size_t i, k = 0, first, more;

	for (i = 0; i < r->noffs; i++)
		r->order[i] = (name_at){base + r->offs[i].name, i};
	more = find_repeats(r->order, r->noffs, r->drop, &first);
	if (!more)
		return;
	say_repeats(why, whylen, "key", base + r->offs[first].name, more - 1);
	for (i = 0; i < r->noffs; i++)
		if (!r->drop[i])
			r->offs[k++] = r->offs[i];
	r->noffs = k;
}

static int jsonl_next(bidx_rows *r, bidx_row *row, char *why, size_t whylen)
{
	const char *nl;
	uint32_t line;
	size_t start, end;
	jcur j;

	for (;;) {
		if (r->pos >= r->len)
			return 0;
		start = r->pos;
		nl = memchr(r->data + start, '\n', r->len - start);
		end = nl ? (size_t)(nl - r->data) : r->len;
		r->pos = nl ? end + 1 : end;
		line = r->line++;
		if (!blank(r->data + start, end - start))
			break;
	}
	memset(&j, 0, sizeof j);
	j.s = r->data + start;
	j.n = end - start;
	if (line == 1 && j.n >= 3 && memcmp(j.s, "\xEF\xBB\xBF", 3) == 0)
		j.p = 3;
	rec_reset(r);
	row->line = line;
	if (j_object(r, &j) < 0) {
		say(why, whylen, "%s at byte %zu; skipped", j.err, j.p + 1);
		return -1;
	}
	j_drop_repeats(r, why, whylen);
	rec_publish(r, line, row);
	return 1;
}

/* --- public --- */

bidx_err bidx_rows_open(bidx_rows_kind kind, const char *data, size_t len, bidx_rows **out,
                        char *why, size_t whylen)
{
	bidx_rows *r;
	bidx_err e;

	*out = NULL;
	say(why, whylen, "%s", "");
	if ((r = bidx_calloc(1, sizeof *r)) == NULL)
		return BIDX_ENOMEM;
	r->kind = kind;
	r->data = data;
	r->len = len;
	r->line = 1;
	if (kind == BIDX_ROWS_CSV && (e = csv_header(r, why, whylen)) != BIDX_OK) {
		bidx_rows_free(r);
		return e;
	}
	*out = r;
	return BIDX_OK;
}

bidx_err bidx_rows_next(bidx_rows *r, bidx_row *row, int *have, char *why, size_t whylen)
{
	memset(row, 0, sizeof *row);
	*have = 0;
	say(why, whylen, "%s", "");
	if (r->done)
		return BIDX_OK;
	int got = r->kind == BIDX_ROWS_CSV ? csv_next(r, row, why, whylen)
	                                   : jsonl_next(r, row, why, whylen);
	if (got < 0)
		return BIDX_EINPUT;
	*have = got;
	return BIDX_OK;
}

void bidx_rows_free(bidx_rows *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; r->header && i < r->ncols; i++)
		free(r->header[i]);
	free(r->header);
	free(r->dropped);
	free(r->order);
	free(r->drop);
	bidx_buf_free(&r->cells);
	free(r->offs);
	free(r->names);
	free(r->values);
	free(r->lens);
	free(r);
}
